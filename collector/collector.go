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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Namespace starts the name of every metric the exporter serves.
const Namespace = "github_billing"

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
	// IncludedAICredits is the included AI credits per Copilot plan of the
	// running configuration (nil: GitHub's figures).
	IncludedAICredits *IncludedAICredits
	// AICreditUserLimit is how many users per account the per-user
	// AI-credit view keeps, by net spend; the rest are summed into
	// user="__other__" (0: DefaultAICreditUserLimit).
	AICreditUserLimit int
	// UsageDetailTopWorkflows and UsageDetailTopUsers are how many
	// workflows and users per account the usage_detail view keeps, by net
	// amount; the rest are summed into "__other__" (0:
	// DefaultUsageDetailTop).
	UsageDetailTopWorkflows int
	UsageDetailTopUsers     int
	// Logger receives the collectors' debug lines; nil discards them.
	Logger *slog.Logger
	// now is the clock Factory.New hands the collector: the cache gives
	// every collector it builds the clock it ages by, so that the month a
	// month-to-date collector asks for is never the wall clock behind a
	// test's back. nil means time.Now.
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

// Target is one account and the client that reads it.
type Target struct {
	Account githubapi.Account
	Client  *githubapi.Client
	// RefreshIntervals are collectors' own refresh intervals for this
	// account, by collector name (the configuration's collectors blocks).
	RefreshIntervals map[string]time.Duration
	// Switches turn collectors on or off for this account, by collector
	// name: the configuration's enabled keys and the server's defaults
	// (servers.go). A collector without one runs when the command line
	// turns it on.
	Switches map[string]Switch
}

// RefreshInterval is how old the collector's data for the account may get
// before a scrape refreshes it: the configuration's collectors block, else
// the collector's own default, else refreshInterval (refresh_interval).
func (t Target) RefreshInterval(f Factory, refreshInterval time.Duration) time.Duration {
	if d, ok := t.RefreshIntervals[f.Name]; ok && d > 0 {
		return d
	}
	if f.RefreshInterval > 0 {
		return f.RefreshInterval
	}
	return refreshInterval
}

// Factory describes one collector: its name (the --collector.NAME flag),
// whether it runs by default, and the account scopes it applies to.
type Factory struct {
	Name           string
	DefaultEnabled bool
	Scopes         []githubapi.Scope
	Help           string
	// Summary is the collector's line in the README's Collectors table, in
	// Markdown (links relative to the README); empty, the table says Help.
	// Collectors next to each other there with the same Summary, default
	// and servers that turn them off share a row.
	Summary string
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
	// Requests declares the requests of one round for an account of a
	// shape (requests.go); Calls applies it.
	Requests func(Shape) []Call
	// EnterpriseServer says that GitHub Enterprise Server serves the
	// collector's endpoints; the others are off by default there.
	EnterpriseServer bool
	// BudgetCheck, when set, is the collector's API-budget check, which
	// the server runs at start and on every reload while the collector is
	// on.
	BudgetCheck *BudgetCheck
	// Access is the class of access a token needs for the collector's
	// endpoints; internal/check turns it into the grant of each account
	// scope (the README's "Tokens and scopes" table).
	Access Access
	new    func(Options) Collector
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

// New builds the collector with options o and the clock now (nil:
// time.Now), which decides the month a month-to-date collector asks for.
func (f Factory) New(o Options, now func() time.Time) Collector {
	o.now = now
	return f.new(o)
}

// Access is a class of the access a token needs: collectors of one class
// need the same grant for an account of a scope.
type Access string

// The classes of access, as the README's "Tokens and scopes" table groups
// the collectors.
const (
	// AccessBillingPlatform is the billing platform's usage endpoints.
	AccessBillingPlatform Access = "billing platform"
	// AccessLegacyBilling is the legacy per-product billing endpoints.
	AccessLegacyBilling Access = "legacy billing"
	// AccessCopilotSeats is the Copilot seat list (or an organization's
	// Copilot details).
	AccessCopilotSeats Access = "Copilot seats"
	// AccessCopilotSeatsAndAICredits is the Copilot seat list and what
	// the ai_credits collector reads.
	AccessCopilotSeatsAndAICredits Access = "Copilot seats and AI credits"
	// AccessCopilotMetrics is the Copilot usage-metrics reports.
	AccessCopilotMetrics Access = "Copilot usage metrics"
	// AccessCostCentersAndBudgets is the cost centers and budgets.
	AccessCostCentersAndBudgets Access = "cost centers and budgets"
	// AccessLicenses is the enterprise's seat licences.
	AccessLicenses Access = "licences"
	// AccessUsageReports is the list of usage report exports.
	AccessUsageReports Access = "usage reports"
	// AccessUsageDetail is the detailed usage report exports, created and
	// read.
	AccessUsageDetail Access = "usage detail"
	// AccessAdvancedSecurity is the Advanced Security committers.
	AccessAdvancedSecurity Access = "Advanced Security"
)

var (
	allScopes              = []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser}
	enterpriseOrganization = []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization}
	enterpriseOnly         = []githubapi.Scope{githubapi.ScopeEnterprise}
)

// legacySummary is the README's line for the legacy per-product endpoints.
const legacySummary = "Legacy per-product endpoints, for GitHub Enterprise Server: github.com and GHE.com answer 410."

// collectorTable is every collector the exporter has, in flag order.
var collectorTable = []Factory{
	{Name: "actions", Access: AccessLegacyBilling, DefaultEnabled: true, EnterpriseServer: true, Scopes: allScopes, new: newActionsCollector, Requests: legacyRequests("actions"),
		Summary: legacySummary,
		Help:    "Actions minutes of the billing cycle (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "packages", Access: AccessLegacyBilling, DefaultEnabled: true, EnterpriseServer: true, Scopes: allScopes, new: newPackagesCollector, Requests: legacyRequests("packages"),
		Summary: legacySummary,
		Help:    "Packages bandwidth of the billing cycle (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "shared_storage", Access: AccessLegacyBilling, DefaultEnabled: true, EnterpriseServer: true, Scopes: allScopes, new: newSharedStorageCollector, Requests: legacyRequests("shared-storage"),
		Summary: legacySummary,
		Help:    "Estimated shared storage of the month (legacy endpoint; 410 on GitHub's hosted service)."},
	{Name: "advanced_security", Access: AccessAdvancedSecurity, DefaultEnabled: true, EnterpriseServer: true, Scopes: enterpriseOrganization, new: newAdvancedSecurityCollector, Requests: advancedSecurityRequests,
		Help: "Advanced Security active committers."},
	{Name: "usage", Access: AccessBillingPlatform, DefaultEnabled: true, Scopes: allScopes, new: newUsageCollector, Requests: usageRequests,
		Help: "Month-to-date usage report per product, SKU, organization and cost center (quantities and dollars)."},
	{Name: "usage_summary", Access: AccessBillingPlatform, DefaultEnabled: true, Scopes: allScopes, new: newUsageSummaryCollector, Requests: oneCall("/settings/billing/usage/summary"),
		Help: "Month-to-date usage summary per product and SKU."},
	{Name: "premium_requests", Access: AccessBillingPlatform, DefaultEnabled: true, Scopes: allScopes, new: newPremiumRequestsCollector, Requests: oneCall("/settings/billing/premium_request/usage"),
		Help: "Month-to-date Copilot premium requests per model."},
	{Name: "ai_credits", Access: AccessBillingPlatform, DefaultEnabled: true, Scopes: allScopes, new: newAICreditsCollector, Requests: aiCreditsRequests,
		Help: "Month-to-date Copilot AI credits per model."},
	{Name: AICreditsByUser, Access: AccessCopilotSeatsAndAICredits, Scopes: enterpriseOrganization, new: newAICreditsByUserCollector,
		Flag: "collector.ai_credits.by-user", RefreshInterval: aiCreditsByUserInterval, RoundSlices: aiCreditsByUserSlices,
		Requests: aiCreditsByUserRequests, BudgetCheck: aiCreditsByUserBudget,
		Help: "Month-to-date Copilot AI credits per seat holder (one request per seat holder a round; own refresh interval, 6h by default), and per cost center for enterprises."},
	{Name: CopilotMetrics, Access: AccessCopilotMetrics, Scopes: enterpriseOrganization, new: newCopilotMetricsCollector,
		RefreshInterval: copilotMetricsInterval, Requests: copilotMetricsRequests,
		Summary: "Every user's and team's AI credits of the month from the Copilot usage-metrics reports: a usage signal 3–4 days behind, not the bill (about 5 requests every 6 hours; [guide](docs/collectors-guide.md#every-users-and-teams-ai-credits-usage-metrics-reports)).",
		Help:    "Month-to-date AI credits of every user and team from the Copilot usage-metrics reports (a usage signal 3-4 days behind, not the bill; own refresh interval, 6h by default)."},
	{Name: "cost_centers", Access: AccessCostCentersAndBudgets, DefaultEnabled: true, Scopes: enterpriseOnly, new: newCostCentersCollector, Requests: costCentersRequests,
		Help: "Cost centers and their resources."},
	{Name: "budgets", Access: AccessCostCentersAndBudgets, DefaultEnabled: true, Scopes: enterpriseOrganization, new: newBudgetsCollector, Requests: budgetsRequests,
		Summary: "Budgets (in dollars, or in licences for licence SKUs) and how much of each dollar budget is consumed.",
		Help:    "Budgets: amount, consumed amount and whether usage stops at the limit."},
	{Name: "usage_reports", Access: AccessUsageReports, DefaultEnabled: true, Scopes: enterpriseOnly, new: newUsageReportsCollector, Requests: oneCall("/settings/billing/reports"),
		Help: "Usage report exports by type and status."},
	{Name: "copilot", Access: AccessCopilotSeats, DefaultEnabled: true, Scopes: enterpriseOrganization, new: newCopilotCollector, Requests: copilotRequests,
		Help: "Copilot seats and plan."},
	{Name: AICreditPool, Access: AccessCopilotSeatsAndAICredits, DefaultEnabled: true, Scopes: enterpriseOrganization, new: newAICreditPoolCollector, Requests: aiCreditPoolRequests,
		Summary: "The Copilot AI-credit pool of the month, estimated from the seats and the AI-credit usage: licences per plan, included credits, credits drawn ([what is estimated](docs/metrics-guide.md#copilot-ai-credit-pool)).",
		Help:    "Estimated Copilot AI-credit pool of the month: licences per plan, the credits they include and the credits drawn (shares the copilot and ai_credits collectors' answers; an enterprise's seat list is read in full)."},
	{Name: UsageDetail, Access: AccessUsageDetail, Scopes: enterpriseOnly, new: newUsageDetailCollector,
		RefreshInterval: usageDetailInterval, RoundSlices: usageDetailSlices, Requests: usageDetailRequests,
		Summary: "Month-to-date cost per workflow and per user, from the detailed usage report export ([below](#cost-per-workflow-and-per-user)).",
		Help:    "Month-to-date cost per workflow and per user from the detailed usage report export (own refresh interval, a day by default: at most one new export a day, polled every 15 minutes until done)."},
	{Name: "licenses", Access: AccessLicenses, DefaultEnabled: true, Scopes: enterpriseOnly, new: newLicensesCollector, Requests: licensesRequests,
		Help: "Enterprise seat licences consumed and purchased (one small page)."},
}

// Collectors lists every available collector.
func Collectors() []Factory { return slices.Clone(collectorTable) }

// Lookup finds the collector called name.
func Lookup(name string) (Factory, bool) {
	for _, f := range collectorTable {
		if f.Name == name {
			return f, true
		}
	}
	return Factory{}, false
}

// DefaultNames are the names of the collectors on by default, in the
// table's order.
func DefaultNames() []string {
	var names []string
	for _, f := range collectorTable {
		if f.DefaultEnabled {
			names = append(names, f.Name)
		}
	}
	return names
}

// monthToDate is the calendar month of now in UTC, the month every
// month-to-date collector asks for.
func monthToDate(now func() time.Time) githubapi.Period {
	if now == nil {
		now = time.Now
	}
	t := now().UTC()
	return githubapi.Period{Year: t.Year(), Month: t.Month()}
}

// accountLabels are the labels every billing metric starts with.
var accountLabels = []string{"scope", "account"}

// Desc is a billing metric's descriptor: the prometheus.Desc a registry
// checks, and the name, help and label names that the cache's encoder
// writes without a registry. Each Sample carries its Desc, so that what the
// encoder needs of a family travels with the family's samples.
type Desc struct {
	desc       *prometheus.Desc
	name, help string
	labels     []string
}

// NewDesc builds a billing metric's descriptor: the metric
// github_billing_NAME, with the labels scope and account before labels.
// The collectors here declare theirs with it; a Collector written outside
// this package can too, and hand the cache Samples it encodes directly.
func NewDesc(name, help string, labels ...string) *Desc {
	all := append(slices.Clone(accountLabels), labels...)
	return &Desc{
		desc:   prometheus.NewDesc(Namespace+"_"+name, help, all, nil),
		name:   Namespace + "_" + name,
		help:   help,
		labels: all,
	}
}

// Name is the metric's full name.
func (d *Desc) Name() string { return d.name }

// Help is the metric's help text.
func (d *Desc) Help() string { return d.help }

// LabelNames are the metric's label names, scope and account first. The
// slice is the descriptor's own: callers read it and never change it.
func (d *Desc) LabelNames() []string { return d.labels }

// String describes the metric as its prometheus.Desc does.
func (d *Desc) String() string { return d.desc.String() }

// metricSet collects one account's samples during an update. Rows that
// share every label value end in one sample: add sums them (quantities,
// money, counts; see sum), maximum keeps the largest (0/1 flags, info
// metrics, timestamps). The cache sorts samples when it encodes them, so
// the order rows arrive in does not matter.
type metricSet struct {
	account githubapi.Account
	samples []*Sample
	index   map[sampleKey]*indexedSample
}

// indexedSample is a sample that add or maximum can find again; sums
// accumulate in sum until metrics sets the value.
type indexedSample struct {
	*Sample
	summed bool
	sum    sum
}

// sampleKey identifies a sample: its descriptor and its label values joined
// by 0xff, a byte that valid UTF-8 (which label values are made) never holds.
type sampleKey struct {
	desc   *Desc
	labels string
}

func newMetricSet(a githubapi.Account) *metricSet {
	return &metricSet{account: a, index: map[sampleKey]*indexedSample{}}
}

// add adds value to the sample with these labels (after the account
// labels): rows with the same labels are summed.
func (s *metricSet) add(desc *Desc, value float64, labels ...string) {
	g, _ := s.sample(desc, labels)
	g.summed = true
	g.sum.add(value)
}

// maximum raises the sample with these labels to value.
func (s *metricSet) maximum(desc *Desc, value float64, labels ...string) {
	if g, found := s.sample(desc, labels); !found || value > g.value {
		g.value = value
	}
}

// distinct adds a sample whose labels the caller has already made unique
// (an aggregate summed while reading a large report). It skips the index
// that add and maximum keep, which for hundreds of thousands of series
// would cost a third more memory.
func (s *metricSet) distinct(desc *Desc, value float64, labels ...string) {
	s.samples = append(s.samples, &Sample{desc: desc, value: value, labels: s.labelValues(desc, labels)})
}

// distinctFamilies adds one sample to each of descs, which take the same
// labels, with these distinct label values. The samples share one copy of
// the label values: a usage report split by repository hands over hundreds
// of thousands of label sets, four families each.
func (s *metricSet) distinctFamilies(descs []*Desc, values []float64, labels ...string) {
	shared := s.labelValues(descs[0], labels)
	slab := make([]Sample, len(descs))
	for i, d := range descs {
		if len(d.labels) != len(shared) {
			panic(fmt.Sprintf("collector: %s takes other labels than %s", d, descs[0]))
		}
		slab[i] = Sample{desc: d, value: values[i], labels: shared}
		s.samples = append(s.samples, &slab[i])
	}
}

// sample finds or adds the sample of desc with these labels.
func (s *metricSet) sample(desc *Desc, labels []string) (g *indexedSample, found bool) {
	values := s.labelValues(desc, labels)
	key := sampleKey{desc, strings.Join(values, "\xff")}
	if g = s.index[key]; g != nil {
		return g, true
	}
	g = &indexedSample{Sample: &Sample{desc: desc, labels: values}}
	s.index[key] = g
	s.samples = append(s.samples, g.Sample)
	return g, false
}

// labelValues puts the account labels first and makes every value valid
// UTF-8, so a sample never fails at scrape time.
func (s *metricSet) labelValues(desc *Desc, labels []string) []string {
	values := make([]string, 0, len(labels)+2)
	values = append(values, string(s.account.Scope), s.account.Name)
	for _, l := range labels {
		values = append(values, strings.ToValidUTF8(l, "\uFFFD"))
	}
	checkLabelCount(desc, values)
	return values
}

// checkLabelCount panics when desc takes another number of label values:
// a sample is checked when it is made, never when it is scraped.
func checkLabelCount(desc *Desc, values []string) {
	if len(desc.labels) != len(values) {
		panic(fmt.Sprintf("collector: %s takes other label values than the %d given", desc, len(values)))
	}
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

// Sample is one gauge a collector returns: its descriptor, its label values
// (valid UTF-8, as many as the descriptor's label names) and its value. It
// holds only these and builds the protobuf form when a registry asks for
// it: a client_golang const metric keeps that form for its whole life,
// about six times the memory, and a usage report split by repository can
// hand over hundreds of thousands of samples. The cache encodes Samples
// directly from Family, LabelValues and Value, without a registry.
type Sample struct {
	desc   *Desc
	value  float64
	labels []string
}

// NewSample makes a sample of desc, for a Collector written outside this
// package (the collectors here build theirs in a metricSet); labelValues are
// every label's value, scope and account first. It panics when their number is not the
// descriptor's, and makes each value valid UTF-8.
func NewSample(desc *Desc, value float64, labelValues ...string) *Sample {
	values := make([]string, len(labelValues))
	for i, l := range labelValues {
		values[i] = strings.ToValidUTF8(l, "\uFFFD")
	}
	checkLabelCount(desc, values)
	return &Sample{desc: desc, value: value, labels: values}
}

// Family is the sample's billing descriptor.
func (g *Sample) Family() *Desc { return g.desc }

// Value is the sample's value.
func (g *Sample) Value() float64 { return g.value }

// LabelValues are the sample's label values in the order of the
// descriptor's label names. Samples of several families made from one row
// share one slice; callers read it and never change it.
func (g *Sample) LabelValues() []string { return g.labels }

// Desc implements prometheus.Metric.
func (g *Sample) Desc() *prometheus.Desc { return g.desc.desc }

// Write implements prometheus.Metric.
func (g *Sample) Write(m *dto.Metric) error {
	m.Label = prometheus.MakeLabelPairs(g.desc.desc, g.labels)
	v := g.value
	m.Gauge = &dto.Gauge{Value: &v}
	return nil
}

// OnceError is a failure that asking again does not change (an account
// that GitHub refuses a filter): the cache logs it once per collector and
// account until the collector works again.
type OnceError struct{ err error }

func (e *OnceError) Error() string { return e.err.Error() }
func (e *OnceError) Unwrap() error { return e.err }
