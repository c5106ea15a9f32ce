// Package collector turns GitHub billing data into Prometheus metrics. It
// knows Prometheus and nothing of HTTP or command-line flags: main builds the
// flags from Collectors() and passes plain values in.
package collector

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

const namespace = "github_billing"

// Collector fetches one billing area for one account.
type Collector interface {
	// Update fetches the account's data and returns the metrics to serve
	// until the next refresh.
	Update(ctx context.Context, client *githubapi.Client, account githubapi.Account) ([]prometheus.Metric, error)
}

// Options are the collectors' settings beyond on/off.
type Options struct {
	// AdvancedSecurityByRepository adds per-repository committer counts.
	AdvancedSecurityByRepository bool
	// UsageByRepository splits usage metrics by repository.
	UsageByRepository bool
	// BudgetConsumption makes the usage collector read each enterprise's
	// and organization's budgets (the answer the budgets collector gets in
	// the same round) and sum their consumption while it reads the report.
	// main sets it when the budgets collector is on.
	BudgetConsumption bool
	// BudgetUserStates adds the user states of multi-user budgets.
	BudgetUserStates bool
	// CopilotByPlan adds the enterprise's Copilot seats per plan type.
	CopilotByPlan bool
	// AICreditUserLimit is how many users per account the per-user
	// AI-credit view keeps, by net spend; the rest are summed into
	// user="__other__" (0: DefaultAICreditUserLimit).
	AICreditUserLimit int
	// Logger receives the collectors' debug lines; nil discards them.
	Logger *slog.Logger
	// now is the exporter's clock (Config.Now), which NewExporter hands to
	// every collector it builds: the month a month-to-date collector asks
	// for is the month of the clock the cache ages by, never the wall
	// clock behind a test's back. nil means time.Now.
	now func() time.Time
}

// clock is the exporter's clock, or time.Now.
func (o Options) clock() func() time.Time {
	if o.now == nil {
		return time.Now
	}
	return o.now
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Factory describes one collector: its name (the --collector.NAME flag),
// whether it runs by default, and the account scopes it applies to.
type Factory struct {
	Name           string
	DefaultEnabled bool
	Scopes         []githubapi.Scope
	Help           string
	// Flag is the flag that enables the collector when it is not
	// collector.NAME: a view of another collector's data, such as
	// collector.ai_credits.by-user.
	Flag string
	// RefreshInterval is the collector's own default refresh interval; 0
	// means refresh_interval.
	RefreshInterval time.Duration
	// RoundSlices spreads one round of the collector over this many
	// refreshes, RefreshInterval/RoundSlices apart, so that a round that
	// costs a request per seat holder does not land in one hour (0 or 1:
	// one refresh a round).
	RoundSlices int
	new         func(Options) Collector
}

// FlagName is the flag that enables the collector, without the dashes.
func (f Factory) FlagName() string {
	if f.Flag != "" {
		return f.Flag
	}
	return "collector." + f.Name
}

// AppliesTo says whether the collector has an endpoint for the scope.
func (f Factory) AppliesTo(s githubapi.Scope) bool { return slices.Contains(f.Scopes, s) }

var (
	allScopes              = []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser}
	enterpriseOrganization = []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization}
	enterpriseOnly         = []githubapi.Scope{githubapi.ScopeEnterprise}
)

// collectorTable is every collector the exporter has, in flag order.
var collectorTable = []Factory{
	{Name: "actions", DefaultEnabled: true, Scopes: allScopes, new: newActionsCollector,
		Help: "Actions minutes of the billing cycle (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "packages", DefaultEnabled: true, Scopes: allScopes, new: newPackagesCollector,
		Help: "Packages bandwidth of the billing cycle (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "shared_storage", DefaultEnabled: true, Scopes: allScopes, new: newSharedStorageCollector,
		Help: "Estimated shared storage of the month (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "advanced_security", DefaultEnabled: true, Scopes: enterpriseOrganization, new: newAdvancedSecurityCollector,
		Help: "Advanced Security active committers."},
	{Name: "usage", DefaultEnabled: true, Scopes: allScopes, new: newUsageCollector,
		Help: "Month-to-date usage report per product, SKU, organization and cost center (quantities and dollars)."},
	{Name: "usage_summary", DefaultEnabled: true, Scopes: allScopes, new: newUsageSummaryCollector,
		Help: "Month-to-date usage summary per product and SKU."},
	{Name: "premium_requests", DefaultEnabled: true, Scopes: allScopes, new: newPremiumRequestsCollector,
		Help: "Month-to-date Copilot premium requests per model."},
	{Name: "ai_credits", DefaultEnabled: true, Scopes: allScopes, new: newAICreditsCollector,
		Help: "Month-to-date Copilot AI credits per model."},
	{Name: AICreditsByUser, Scopes: enterpriseOrganization, new: newAICreditsByUserCollector,
		Flag: "collector.ai_credits.by-user", RefreshInterval: aiCreditsByUserInterval, RoundSlices: aiCreditsByUserSlices,
		Help: "Month-to-date Copilot AI credits per seat holder (one request per seat holder a round; own refresh interval, 6h by default), and per cost center for enterprises."},
	{Name: "cost_centers", DefaultEnabled: true, Scopes: enterpriseOnly, new: newCostCentersCollector,
		Help: "Cost centers and their resources."},
	{Name: "budgets", DefaultEnabled: true, Scopes: enterpriseOrganization, new: newBudgetsCollector,
		Help: "Budgets: amount, consumed amount and whether usage stops at the limit."},
	{Name: "usage_reports", DefaultEnabled: true, Scopes: enterpriseOnly, new: newUsageReportsCollector,
		Help: "Usage report exports by type and status."},
	{Name: "copilot", DefaultEnabled: true, Scopes: enterpriseOrganization, new: newCopilotCollector,
		Help: "Copilot seats and plan."},
	{Name: "licenses", DefaultEnabled: true, Scopes: enterpriseOnly, new: newLicensesCollector,
		Help: "Enterprise seat licences consumed and purchased (one small page)."},
}

// Collectors lists every available collector.
func Collectors() []Factory { return slices.Clone(collectorTable) }

func lookup(name string) (Factory, bool) {
	for _, f := range collectorTable {
		if f.Name == name {
			return f, true
		}
	}
	return Factory{}, false
}

// monthToDate is the calendar month of now in UTC, the month every
// month-to-date collector asks for.
func monthToDate(now func() time.Time) (int, time.Month) {
	if now == nil {
		now = time.Now
	}
	t := now().UTC()
	return t.Year(), t.Month()
}

// accountLabels are the labels every billing metric starts with.
var accountLabels = []string{"scope", "account"}

// descInfos remembers each billing descriptor's name, help and labels, so
// that samples can be checked when they are made rather than when they are
// scraped, and encoded without a registry (encode.go).
var descInfos sync.Map // *prometheus.Desc → *descInfo

// newDesc builds a billing metric's descriptor with the account labels first.
func newDesc(name, help string, labels ...string) *prometheus.Desc {
	all := append(slices.Clone(accountLabels), labels...)
	d := prometheus.NewDesc(namespace+"_"+name, help, all, nil)
	descInfos.Store(d, newDescInfo(namespace+"_"+name, help, all))
	return d
}

// metricSet collects one account's samples during an update. Rows that
// share every label value end in one sample: gauge sums them (quantities,
// money, counts; see sum), maximum keeps the largest (0/1 flags, info
// metrics, timestamps). The registry sorts samples when it gathers them, so
// the order rows arrive in does not matter.
type metricSet struct {
	account githubapi.Account
	samples []*gaugeSample
	index   map[sampleKey]*indexedSample
}

// indexedSample is a sample that gauge or maximum can find again; sums
// accumulate in sum until metrics sets the value.
type indexedSample struct {
	*gaugeSample
	summed bool
	sum    sum
}

// sampleKey identifies a sample: its descriptor and its label values joined
// by 0xff, a byte that valid UTF-8 (which label values are made) never holds.
type sampleKey struct {
	desc   *prometheus.Desc
	labels string
}

func newMetricSet(a githubapi.Account) *metricSet {
	return &metricSet{account: a, index: map[sampleKey]*indexedSample{}}
}

// gauge adds value to the sample with these labels (after the account
// labels).
func (s *metricSet) gauge(desc *prometheus.Desc, value float64, labels ...string) {
	g, _ := s.sample(desc, labels)
	g.summed = true
	g.sum.add(value)
}

// maximum raises the sample with these labels to value.
func (s *metricSet) maximum(desc *prometheus.Desc, value float64, labels ...string) {
	if g, found := s.sample(desc, labels); !found || value > g.value {
		g.value = value
	}
}

// distinct adds a sample whose labels the caller has already made unique
// (an aggregate summed while reading a large report). It skips the index
// that gauge and maximum keep, which for hundreds of thousands of series
// would cost a third more memory.
func (s *metricSet) distinct(desc *prometheus.Desc, value float64, labels ...string) {
	s.samples = append(s.samples, &gaugeSample{desc: desc, value: value, labels: s.labelValues(desc, labels)})
}

// distinctFamilies adds one sample to each of descs, which take the same
// labels, with these distinct label values. The samples share one copy of
// the label values: a usage report split by repository hands over hundreds
// of thousands of label sets, four families each.
func (s *metricSet) distinctFamilies(descs []*prometheus.Desc, values []float64, labels ...string) {
	shared := s.labelValues(descs[0], labels)
	slab := make([]gaugeSample, len(descs))
	for i, d := range descs {
		if info, ok := descInfos.Load(d); !ok || len(info.(*descInfo).labels) != len(shared) {
			panic(fmt.Sprintf("collector: %s takes other labels than %s", d, descs[0]))
		}
		slab[i] = gaugeSample{desc: d, value: values[i], labels: shared}
		s.samples = append(s.samples, &slab[i])
	}
}

// sample finds or adds the sample of desc with these labels.
func (s *metricSet) sample(desc *prometheus.Desc, labels []string) (g *indexedSample, found bool) {
	values := s.labelValues(desc, labels)
	key := sampleKey{desc, strings.Join(values, "\xff")}
	if g = s.index[key]; g != nil {
		return g, true
	}
	g = &indexedSample{gaugeSample: &gaugeSample{desc: desc, labels: values}}
	s.index[key] = g
	s.samples = append(s.samples, g.gaugeSample)
	return g, false
}

// labelValues puts the account labels first and makes every value valid
// UTF-8, so a sample never fails at scrape time.
func (s *metricSet) labelValues(desc *prometheus.Desc, labels []string) []string {
	values := make([]string, 0, len(labels)+2)
	values = append(values, string(s.account.Scope), s.account.Name)
	for _, l := range labels {
		values = append(values, strings.ToValidUTF8(l, "\uFFFD"))
	}
	if info, ok := descInfos.Load(desc); !ok || len(info.(*descInfo).labels) != len(values) {
		panic(fmt.Sprintf("collector: %s takes other label values than the %d given", desc, len(values)))
	}
	return values
}

// metrics returns the samples for the cache.
func (s *metricSet) metrics() []prometheus.Metric {
	for _, g := range s.index {
		if g.summed {
			g.value = g.sum.value()
		}
	}
	out := make([]prometheus.Metric, len(s.samples))
	for i, g := range s.samples {
		out[i] = g
	}
	return out
}

// gaugeSample is a cached gauge. It holds only its label values and builds
// the protobuf form when a scrape writes it: a client_golang const metric
// keeps that form for its whole life, about six times the memory, and a
// usage report split by repository can cache hundreds of thousands of them.
type gaugeSample struct {
	desc   *prometheus.Desc
	value  float64
	labels []string
}

// Desc implements prometheus.Metric.
func (g *gaugeSample) Desc() *prometheus.Desc { return g.desc }

// Write implements prometheus.Metric.
func (g *gaugeSample) Write(m *dto.Metric) error {
	m.Label = prometheus.MakeLabelPairs(g.desc, g.labels)
	v := g.value
	m.Gauge = &dto.Gauge{Value: &v}
	return nil
}
