package collector

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// summaryAmountDescs are the six month-to-date figures GitHub gives per row of the
// summary, premium-request and AI-credit reports.
type summaryAmountDescs struct {
	grossQuantity, discountQuantity, netQuantity *Desc
	grossAmount, discountAmount, netAmount       *Desc
}

func newSummaryAmountDescs(prefix, what string, labels ...string) summaryAmountDescs {
	return summaryAmountDescs{
		grossQuantity:    NewDesc(prefix+"_gross_quantity", "Month-to-date "+what+" before discounts, in unit_type (grossQuantity).", labels...),
		discountQuantity: NewDesc(prefix+"_discount_quantity", "Month-to-date "+what+" covered by included quota or discounts, in unit_type (discountQuantity).", labels...),
		netQuantity:      NewDesc(prefix+"_net_quantity", "Month-to-date billed "+what+", in unit_type (netQuantity).", labels...),
		grossAmount:      NewDesc(prefix+"_gross_amount_usd", "Month-to-date cost of "+what+" before discounts, in US dollars (grossAmount).", labels...),
		discountAmount:   NewDesc(prefix+"_discount_amount_usd", "Month-to-date discount on "+what+", in US dollars (discountAmount).", labels...),
		netAmount:        NewDesc(prefix+"_net_amount_usd", "Month-to-date billed cost of "+what+", in US dollars (netAmount).", labels...),
	}
}

// The summary's metrics are usage_summarized_*: promtool rejects a name
// containing "_summary_" (a metric type).
var (
	usageSummaryDescs   = newSummaryAmountDescs("usage_summarized", "usage", "product", "sku", "unit_type")
	premiumRequestDescs = newSummaryAmountDescs("premium_request", "Copilot premium requests", "product", "sku", "unit_type", "model")
	aiCreditDescs       = newSummaryAmountDescs("ai_credit", "Copilot AI credits", "product", "sku", "unit_type", "model")
)

// add adds one row's six figures; labels follow the account labels.
func (d summaryAmountDescs) add(m *metricSet, v githubapi.BillingAmounts, labels ...string) {
	m.add(d.grossQuantity, v.GrossQuantity, labels...)
	m.add(d.discountQuantity, v.DiscountQuantity, labels...)
	m.add(d.netQuantity, v.NetQuantity, labels...)
	m.add(d.grossAmount, v.GrossAmount, labels...)
	m.add(d.discountAmount, v.DiscountAmount, labels...)
	m.add(d.netAmount, v.NetAmount, labels...)
}

// usageSummaryCollector reads /usage/summary. For an enterprise, the summary
// without a cost_center_id covers all cost centers and unassigned usage, so
// one call is the whole enterprise.
type usageSummaryCollector struct{ now func() time.Time }

func newUsageSummaryCollector(o Options) Collector { return usageSummaryCollector{now: o.clock()} }

func (c usageSummaryCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	m := newMetricSet(a)
	if err := readUsageSummary(ctx, client, a, monthToDate(c.now), m); err != nil {
		return nil, err
	}
	metrics, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("usage summary for %s: %w", a, err)
	}
	return metrics, nil
}

// readUsageSummary adds the usage summary of period to m.
func readUsageSummary(ctx context.Context, client *githubapi.Client, a githubapi.Account, period githubapi.Period, m *metricSet) error {
	r, err := client.UsageSummary(ctx, a, period)
	if err != nil {
		return fmt.Errorf("fetch usage summary for %s: %w", a, err)
	}
	for _, it := range r.UsageItems {
		usageSummaryDescs.add(m, it.BillingAmounts, it.Product, it.SKU, it.UnitType)
	}
	return nil
}

// The summary's history (history.go): one request a day, kept by GitHub
// githubapi.HistoryMonths back.

func (usageSummaryCollector) startMonth(a githubapi.Account) monthState {
	return newAmountMonth(a, "usage summary", usageSummaryDescs, func(ctx context.Context, client *githubapi.Client, day time.Time, m *metricSet) error {
		return readUsageSummary(ctx, client, a, githubapi.DayPeriod(day), m)
	})
}

func (usageSummaryCollector) limitedHistory() bool { return true }

// modelUsageCollector reads premium_request/usage or ai_credit/usage. Like
// the summary, these cover every cost center of an enterprise when no
// cost_center_id is sent (GitHub documents cost_center_id=none, not the
// default, as "usage in no cost center").
type modelUsageCollector struct {
	now   func() time.Time
	what  string
	descs summaryAmountDescs
	fetch func(context.Context, *githubapi.Client, githubapi.Account, githubapi.Period) (*githubapi.ModelUsageReport, error)
}

func newPremiumRequestsCollector(o Options) Collector {
	return modelUsageCollector{now: o.clock(), what: "premium request usage", descs: premiumRequestDescs,
		fetch: func(ctx context.Context, c *githubapi.Client, a githubapi.Account, p githubapi.Period) (*githubapi.ModelUsageReport, error) {
			return c.PremiumRequestUsage(ctx, a, p)
		}}
}

func newAICreditsCollector(o Options) Collector {
	return modelUsageCollector{now: o.clock(), what: "AI credit usage", descs: aiCreditDescs,
		fetch: func(ctx context.Context, c *githubapi.Client, a githubapi.Account, p githubapi.Period) (*githubapi.ModelUsageReport, error) {
			return c.SharedAICreditUsage(ctx, a, p)
		}}
}

func (c modelUsageCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	m := newMetricSet(a)
	if err := c.read(ctx, client, a, monthToDate(c.now), m); err != nil {
		return nil, err
	}
	metrics, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("%s for %s: %w", c.what, a, err)
	}
	return metrics, nil
}

// read adds the report of period to m.
func (c modelUsageCollector) read(ctx context.Context, client *githubapi.Client, a githubapi.Account, period githubapi.Period, m *metricSet) error {
	r, err := c.fetch(ctx, client, a, period)
	if err != nil {
		return fmt.Errorf("fetch %s for %s: %w", c.what, a, err)
	}
	for _, it := range r.UsageItems {
		c.descs.add(m, it.BillingAmounts, it.Product, it.SKU, it.UnitType, it.Model)
	}
	return nil
}

// The premium requests' and AI credits' history (history.go): one request a
// day, kept by GitHub githubapi.HistoryMonths back.

func (c modelUsageCollector) startMonth(a githubapi.Account) monthState {
	return newAmountMonth(a, c.what, c.descs, func(ctx context.Context, client *githubapi.Client, day time.Time, m *metricSet) error {
		return c.read(ctx, client, a, githubapi.DayPeriod(day), m)
	})
}

func (modelUsageCollector) limitedHistory() bool { return true }
