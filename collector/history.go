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

// historyCollectors are the collectors GitHub keeps by day.
var historyCollectors = []string{"usage", "usage_summary", "premium_requests", "ai_credits"}

// HistoryCollectors lists the collectors that can be rebuilt for past days.
func HistoryCollectors() []string { return slices.Clone(historyCollectors) }

// MonthToDate accumulates one account's days of one collector into its
// month-to-date samples. It holds one sample per series, never the rows.
type MonthToDate struct {
	name    string
	account githubapi.Account
	options Options
	// usage is the usage collector's aggregate; set the others'.
	usage *usageAggregate
	set   *metricSet
	descs summaryAmountDescs
}

// NewMonthToDate starts the month to date of collector name for a, at 0.
func NewMonthToDate(name string, o Options, a githubapi.Account) (*MonthToDate, error) {
	f, ok := Lookup(name)
	if !ok || !slices.Contains(historyCollectors, name) {
		return nil, fmt.Errorf("collector %q has no history; collectors with history: %v", name, historyCollectors)
	}
	if !f.AppliesTo(a.Scope) {
		return nil, fmt.Errorf("collector %q does not apply to %s", name, a)
	}
	m := &MonthToDate{name: name, account: a, options: o}
	m.Reset()
	return m, nil
}

// Reset starts a new month.
func (m *MonthToDate) Reset() {
	m.usage, m.set = nil, nil
	switch m.name {
	case "usage":
		m.usage = newUsageAggregate(m.options.UsageByRepository)
	case "usage_summary":
		m.set, m.descs = newMetricSet(m.account), usageSummaryDescs
	case "premium_requests":
		m.set, m.descs = newMetricSet(m.account), premiumRequestDescs
	case "ai_credits":
		m.set, m.descs = newMetricSet(m.account), aiCreditDescs
	}
}

// Requests is how many requests AddDay sends for the account: the usage
// report is read once per cost center and once for the usage in none.
func (m *MonthToDate) Requests(centers []githubapi.CostCenter) int {
	if m.name == "usage" {
		return len(centers) + 1
	}
	return 1
}

// AddDay fetches day (UTC) and adds it to the month to date. centers are
// the enterprise's cost centers (nil for other scopes). A failed day adds
// nothing.
func (m *MonthToDate) AddDay(ctx context.Context, c *githubapi.Client, day time.Time, centers []githubapi.CostCenter) error {
	switch m.name {
	case "usage":
		agg := newUsageAggregate(m.options.UsageByRepository)
		q := githubapi.UsageQuery{Year: day.Year(), Month: day.Month(), Day: day.Day()}
		if err := readUsage(ctx, c, m.account, q, centers, agg); err != nil {
			return err
		}
		if err := m.usage.finiteWith(agg); err != nil {
			return fmt.Errorf("usage for %s on %s: %w", m.account, day.Format(time.DateOnly), err)
		}
		m.usage.merge(agg)
		return nil
	case "usage_summary":
		r, err := c.UsageSummaryDay(ctx, m.account, day)
		if err != nil {
			return fmt.Errorf("fetch usage summary for %s: %w", m.account, err)
		}
		set := newMetricSet(m.account)
		for _, it := range r.UsageItems {
			m.descs.add(set, it.BillingAmounts, it.Product, it.SKU, it.UnitType)
		}
		return m.mergeDay(set, "usage summary", day)
	default:
		fetch, what := (*githubapi.Client).PremiumRequestUsageDay, "premium request usage"
		if m.name == "ai_credits" {
			fetch, what = (*githubapi.Client).AICreditUsageDay, "AI credit usage"
		}
		r, err := fetch(c, ctx, m.account, day)
		if err != nil {
			return fmt.Errorf("fetch %s for %s: %w", what, m.account, err)
		}
		set := newMetricSet(m.account)
		for _, it := range r.UsageItems {
			m.descs.add(set, it.BillingAmounts, it.Product, it.SKU, it.UnitType, it.Model)
		}
		return m.mergeDay(set, what, day)
	}
}

// mergeDay adds a day's samples to the month to date, or nothing when a
// sum would not be finite (see finiteMetrics).
func (m *MonthToDate) mergeDay(day *metricSet, what string, date time.Time) error {
	for key, g := range day.index {
		t := g.sum
		if month := m.set.index[key]; month != nil {
			t = month.sum
			t.merge(g.sum)
		}
		if v := t.value(); !finite(v) {
			return fmt.Errorf("%s for %s on %s: %w", what, m.account, date.Format(time.DateOnly), notFinite(g.desc, g.labels, v))
		}
	}
	for _, g := range day.index {
		month, _ := m.set.sample(g.desc, g.labels[len(accountLabels):])
		month.summed = true
		month.sum.merge(g.sum)
	}
	return nil
}

// finiteWith is an error when adding day to g would make a sum that is not
// finite.
func (g *usageAggregate) finiteWith(day *usageAggregate) error {
	for k, s := range day.series {
		t := usageSums{}
		if month := g.series[k]; month != nil {
			t = *month
		}
		for _, p := range []struct {
			desc     *Desc
			sum, add sum
		}{{usageItemQuantity, t.quantity, s.quantity}, {usageItemGross, t.gross, s.gross}, {usageItemDiscount, t.discount, s.discount}, {usageItemNet, t.net, s.net}} {
			p.sum.merge(p.add)
			if v := p.sum.value(); !finite(v) {
				return notFinite(p.desc, []string{k.product, k.sku, k.unitType, k.organization, k.repository, k.costCenter}, v)
			}
		}
	}
	return nil
}

// Metrics returns the month-to-date samples, as the live collector would
// serve them at the end of the last day added.
func (m *MonthToDate) Metrics() []prometheus.Metric {
	if m.usage != nil {
		return m.usage.metrics(m.account)
	}
	return m.set.metrics()
}

func (d summaryAmountDescs) list() []*Desc {
	return []*Desc{d.grossQuantity, d.discountQuantity, d.netQuantity, d.grossAmount, d.discountAmount, d.netAmount}
}

// merge adds day's sums to g; a day's prices are newer than g's.
func (g *usageAggregate) merge(day *usageAggregate) {
	for k, s := range day.series {
		t := g.series[k]
		if t == nil {
			t = &usageSums{}
			g.series[k] = t
		}
		t.quantity.merge(s.quantity)
		t.gross.merge(s.gross)
		t.discount.merge(s.discount)
		t.net.merge(s.net)
	}
	for k, p := range day.prices {
		g.notePrice(k, p)
	}
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
func (m *MonthToDate) MarshalJSON() ([]byte, error) {
	var st historyState
	if m.usage != nil {
		for k, s := range m.usage.series {
			st.Usage = append(st.Usage, historyUsageSeries{
				Labels:   [6]string{k.product, k.sku, k.unitType, k.organization, k.repository, k.costCenter},
				Quantity: s.quantity.state(), Gross: s.gross.state(), Discount: s.discount.state(), Net: s.net.state(),
			})
		}
		for k, p := range m.usage.prices {
			st.Prices = append(st.Prices, historyPrice{Labels: [3]string{k.product, k.sku, k.unitType}, Date: p.date, Price: p.price})
		}
	} else {
		descs := m.descs.list()
		for _, g := range m.set.index {
			st.Samples = append(st.Samples, historySample{Desc: slices.Index(descs, g.desc), Labels: g.labels[len(accountLabels):], Sum: g.sum.state()})
		}
	}
	return json.Marshal(st)
}

// UnmarshalJSON restores a month to date written by MarshalJSON.
func (m *MonthToDate) UnmarshalJSON(b []byte) error {
	var st historyState
	if err := json.Unmarshal(b, &st); err != nil {
		return err
	}
	m.Reset()
	if m.usage != nil {
		for _, s := range st.Usage {
			l := s.Labels
			m.usage.series[usageSeries{l[0], l[1], l[2], l[3], l[4], l[5]}] = &usageSums{
				quantity: s.Quantity.restore(), gross: s.Gross.restore(), discount: s.Discount.restore(), net: s.Net.restore()}
		}
		for _, p := range st.Prices {
			m.usage.prices[usagePriceSeries{p.Labels[0], p.Labels[1], p.Labels[2]}] = usagePrice{date: p.Date, price: p.Price}
		}
		return nil
	}
	descs := m.descs.list()
	for _, s := range st.Samples {
		if s.Desc < 0 || s.Desc >= len(descs) || len(s.Labels)+len(accountLabels) != labelCount(descs[s.Desc]) {
			return fmt.Errorf("month to date of %s: unknown series %d%v", m.name, s.Desc, s.Labels)
		}
		d := descs[s.Desc]
		g, _ := m.set.sample(d, s.Labels)
		g.summed, g.sum = true, s.Sum.restore()
	}
	return nil
}

func labelCount(d *Desc) int { return len(d.labels) }
