package collector

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// History: the month-to-date collectors rebuilt day by day, for the backfill
// command. GitHub answers the usage, summary, premium-request and AI-credit
// reports for one day; the month to date at the end of day D is the sum of
// days 1…D, which is what the live collector serves on day D. The samples
// come from the live collectors' own aggregation (usageAggregate, the
// summary descriptors and metricSet), so names, labels, help and rounding
// are the same.
//
// A collector has history when it implements historian, in its own file;
// the backfill's list of collectors, its flags and its request counts follow
// from that.

// historian is a collector whose data GitHub keeps by day.
type historian interface {
	Collector
	// startMonth starts the month to date of account a, at 0.
	startMonth(a githubapi.Account) monthState
	// limitedHistory says whether GitHub keeps the collector's days only
	// githubapi.HistoryMonths back; false when it states no limit.
	limitedHistory() bool
}

// monthState is one account's month to date of one collector.
type monthState interface {
	// requests is how many requests addDay sends, given the enterprise's
	// cost centers (nil for other scopes).
	requests(centers []githubapi.CostCenter) int
	// readsCostCenters says whether addDay reads the enterprise's cost
	// centers.
	readsCostCenters() bool
	// addDay fetches day (UTC) and adds it; a failed day adds nothing.
	addDay(ctx context.Context, c *githubapi.Client, day time.Time, centers []githubapi.CostCenter) error
	metrics() []prometheus.Metric
	// save and restore are the month to date as JSON (MarshalJSON).
	save() historyState
	restore(st historyState) error
}

// lastDaySetter is a month state that reads its month at once (from one
// export) and needs to know how far: the last day the run adds of it.
type lastDaySetter interface {
	setLastDay(day time.Time)
}

// history is the historian of collector name built with o, if it has one.
func history(name string, o Options) (historian, bool) {
	f, ok := Lookup(name)
	if !ok {
		return nil, false
	}
	h, ok := f.new(o).(historian)
	return h, ok
}

// HistoryCollectors lists the collectors that can be rebuilt for past days,
// in the order of the collector table.
func HistoryCollectors() []string {
	var names []string
	for _, f := range collectorTable {
		if _, ok := f.new(Options{}).(historian); ok {
			names = append(names, f.Name)
		}
	}
	return names
}

// HistoryLimited says whether GitHub keeps the days of collector name only
// githubapi.HistoryMonths back. It is false for a collector without history.
func HistoryLimited(name string) bool {
	h, ok := history(name, Options{})
	return ok && h.limitedHistory()
}

// MonthToDate accumulates one account's days of one collector into its
// month-to-date samples. It holds one sample per series, never the rows.
type MonthToDate struct {
	name    string
	account githubapi.Account
	history historian
	month   monthState
}

// NewMonthToDate starts the month to date of collector name for a, at 0.
func NewMonthToDate(name string, o Options, a githubapi.Account) (*MonthToDate, error) {
	h, ok := history(name, o)
	if !ok {
		return nil, fmt.Errorf("collector %q has no history; collectors with history: %v", name, HistoryCollectors())
	}
	if f, _ := Lookup(name); !f.AppliesTo(a.Scope) {
		return nil, fmt.Errorf("collector %q does not apply to %s", name, a)
	}
	m := &MonthToDate{name: name, account: a, history: h}
	m.Reset()
	return m, nil
}

// Reset starts a new month.
func (m *MonthToDate) Reset() { m.month = m.history.startMonth(m.account) }

// SetLastDay tells the month to date the last day the run adds of the
// month; a collector that reads the whole month at once (usage_detail)
// reads it to that day, the others need not know.
func (m *MonthToDate) SetLastDay(day time.Time) {
	if s, ok := m.month.(lastDaySetter); ok {
		s.setLastDay(day)
	}
}

// Requests is how many requests AddDay sends for the account, given the
// enterprise's cost centers (nil for other scopes).
func (m *MonthToDate) Requests(centers []githubapi.CostCenter) int { return m.month.requests(centers) }

// ReadsCostCenters says whether AddDay needs the enterprise's cost centers.
func (m *MonthToDate) ReadsCostCenters() bool { return m.month.readsCostCenters() }

// AddDay fetches day (UTC) and adds it to the month to date. centers are
// the enterprise's cost centers (nil for other scopes). A failed day adds
// nothing.
func (m *MonthToDate) AddDay(ctx context.Context, c *githubapi.Client, day time.Time, centers []githubapi.CostCenter) error {
	return m.month.addDay(ctx, c, day, centers)
}

// Metrics returns the month-to-date samples, as the live collector would
// serve them at the end of the last day added.
func (m *MonthToDate) Metrics() []prometheus.Metric { return m.month.metrics() }

// amountMonth is the month to date of a report of six amounts per row
// (summaryAmountDescs): the usage summary, premium requests and AI credits.
// It reads one request a day, whatever the cost centers.
type amountMonth struct {
	account githubapi.Account
	what    string // the report, in errors
	descs   summaryAmountDescs
	// readDay fetches day and adds its rows to set.
	readDay func(ctx context.Context, c *githubapi.Client, day time.Time, set *metricSet) error
	set     *metricSet
}

func newAmountMonth(a githubapi.Account, what string, descs summaryAmountDescs, readDay func(context.Context, *githubapi.Client, time.Time, *metricSet) error) *amountMonth {
	return &amountMonth{account: a, what: what, descs: descs, readDay: readDay, set: newMetricSet(a)}
}

func (*amountMonth) requests([]githubapi.CostCenter) int { return 1 }

func (*amountMonth) readsCostCenters() bool { return false }

func (m *amountMonth) addDay(ctx context.Context, c *githubapi.Client, day time.Time, _ []githubapi.CostCenter) error {
	set := newMetricSet(m.account)
	if err := m.readDay(ctx, c, day, set); err != nil {
		return err
	}
	return m.mergeDay(set, day)
}

func (m *amountMonth) metrics() []prometheus.Metric { return m.set.metrics() }

// mergeDay adds a day's samples to the month to date, or nothing when a
// sum would not be finite (see finiteMetrics).
func (m *amountMonth) mergeDay(day *metricSet, date time.Time) error {
	for key, g := range day.index {
		t := g.sum
		if month := m.set.index[key]; month != nil {
			t = month.sum
			t.merge(g.sum)
		}
		if v := t.value(); !finite(v) {
			return fmt.Errorf("%s for %s on %s: %w", m.what, m.account, date.Format(time.DateOnly), notFinite(g.desc, g.labels, v))
		}
	}
	for _, g := range day.index {
		month, _ := m.set.sample(g.desc, g.labels[len(accountLabels):])
		month.summed = true
		month.sum.merge(g.sum)
	}
	return nil
}

func (d summaryAmountDescs) list() []*Desc {
	return []*Desc{d.grossQuantity, d.discountQuantity, d.netQuantity, d.grossAmount, d.discountAmount, d.netAmount}
}

// merge adds the running sum o into k, keeping both compensations.
func (k *sum) merge(o sum) {
	k.add(o.s)
	k.add(o.c)
}

// The month to date survives a restart of the backfill as JSON: the
// compensated sums as they are, so that a resumed backfill writes the same
// digits as one that ran through.

type historySum struct{ S, C float64 }

type historyUsageSeries struct {
	Labels                         [6]string
	Quantity, Gross, Discount, Net historySum
}

type historyPrice struct {
	Labels [3]string
	Date   string
	Price  float64
}

type historySample struct {
	Desc   int // index in summaryAmountDescs.list
	Labels []string
	Sum    historySum
}

type historyState struct {
	Usage   []historyUsageSeries `json:",omitempty"`
	Prices  []historyPrice       `json:",omitempty"`
	Samples []historySample      `json:",omitempty"`
}

func (k sum) state() historySum   { return historySum{k.s, k.c} }
func (h historySum) restore() sum { return sum{s: h.S, c: h.C} }

// MarshalJSON writes the month to date.
func (m *MonthToDate) MarshalJSON() ([]byte, error) { return json.Marshal(m.month.save()) }

// UnmarshalJSON restores a month to date written by MarshalJSON.
func (m *MonthToDate) UnmarshalJSON(b []byte) error {
	var st historyState
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	m.Reset()
	if err := m.month.restore(st); err != nil {
		return fmt.Errorf("month to date of %s: %w", m.name, err)
	}
	return nil
}

func (m *amountMonth) save() historyState {
	var st historyState
	descs := m.descs.list()
	for _, g := range m.set.index {
		st.Samples = append(st.Samples, historySample{Desc: slices.Index(descs, g.desc), Labels: g.labels[len(accountLabels):], Sum: g.sum.state()})
	}
	return st
}

func (m *amountMonth) restore(st historyState) error {
	descs := m.descs.list()
	for _, s := range st.Samples {
		if s.Desc < 0 || s.Desc >= len(descs) || len(s.Labels)+len(accountLabels) != labelCount(descs[s.Desc]) {
			return fmt.Errorf("unknown series %d%v", s.Desc, s.Labels)
		}
		d := descs[s.Desc]
		g, _ := m.set.sample(d, s.Labels)
		g.summed, g.sum = true, s.Sum.restore()
	}
	return nil
}

func labelCount(d *Desc) int { return len(d.labels) }
