package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// usageItemLabels are the labels of the usage report's quantity and amounts,
// after scope and account.
var usageItemLabels = []string{"product", "sku", "unit_type", "organization", "repository", "cost_center"}

var (
	usageItemQuantity = NewDesc("usage_quantity",
		"Month-to-date usage in unit_type (quantity of the usage report, summed).", usageItemLabels...)
	usageItemGross = NewDesc("usage_gross_amount_usd",
		"Month-to-date gross amount in US dollars (grossAmount of the usage report, summed).", usageItemLabels...)
	usageItemDiscount = NewDesc("usage_discount_amount_usd",
		"Month-to-date discount in US dollars, what included usage covered (discountAmount, summed).", usageItemLabels...)
	usageItemNet = NewDesc("usage_net_amount_usd",
		"Month-to-date billed amount in US dollars (netAmount of the usage report, summed).", usageItemLabels...)
	usageItemPrice = NewDesc("usage_price_per_unit_usd",
		"Price per unit_type in US dollars (pricePerUnit of the newest row of the month).", "product", "sku", "unit_type")
)

type usageCollector struct {
	byRepository bool
	// budgets makes the pass sum the consumption of the account's budgets.
	budgets bool
	logger  *slog.Logger
	// warned holds the cost-center problems already logged, so that each
	// is said once, not every round.
	warned *sync.Map
	// now is the exporter's clock, which picks the month.
	now func() time.Time
}

func newUsageCollector(o Options) Collector {
	return usageCollector{byRepository: o.UsageByRepository, budgets: o.BudgetConsumption, logger: o.logger(), warned: &sync.Map{}, now: o.clock()}
}

// Update reads the month-to-date usage report. For an enterprise it reads
// the report once for the usage in no cost center and once per cost center,
// active or deleted, so that the sum over cost_center is the whole
// enterprise. Any failed call fails the update: a total missing one cost
// center would be wrong money, and the exporter keeps serving the last good
// data instead.
func (u usageCollector) Update(ctx context.Context, c *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	agg := newUsageAggregate(u.byRepository)
	period := monthToDate(u.now)
	if u.budgets && (a.Scope == githubapi.ScopeEnterprise || a.Scope == githubapi.ScopeOrganization) {
		// The budgets collector gets the same answer in this round (the
		// client shares it). If it fails, that collector fails; the usage
		// series stand, without computed budget consumption.
		budgets, err := c.Budgets(ctx, a)
		if err != nil {
			u.debug("budget consumption not computed: the budget list failed", "account", a.String(), "err", err)
		} else {
			agg.budgets = newBudgetMatcher(a, budgets)
		}
	}
	var centers []githubapi.CostCenter
	if a.Scope == githubapi.ScopeEnterprise {
		var err error
		if centers, err = c.CostCenters(ctx, a); err != nil {
			return nil, fmt.Errorf("fetch usage for %s: %w", a, err)
		}
		_, dropped := distinctCostCenters(centers)
		for _, problem := range dropped {
			if u.warned == nil || u.logger == nil {
				break
			}
			if _, said := u.warned.LoadOrStore(a.String()+"\xff"+problem, true); !said {
				u.logger.Warn("cost center left out of the usage split so that no dollar counts twice", "account", a.String(), "problem", problem)
			}
		}
	}
	if err := readUsage(ctx, c, a, githubapi.UsageQuery{Period: period}, centers, agg); err != nil {
		return nil, err
	}
	m := agg.metricSet(a)
	if a.Scope == githubapi.ScopeEnterprise {
		u.addSummaryDifference(ctx, c, a, period, agg, m)
	}
	metrics, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("usage for %s: %w", a, err)
	}
	return metrics, nil
}

func (u usageCollector) debug(msg string, args ...any) {
	if u.logger != nil {
		u.logger.Debug(msg, args...)
	}
}

// readUsage adds the usage report of query to agg: for an enterprise, once
// per cost center of centers and once for the usage in none.
func readUsage(ctx context.Context, c *githubapi.Client, a githubapi.Account, query githubapi.UsageQuery, centers []githubapi.CostCenter, agg *usageAggregate) error {
	err := eachCostCenter(centers, func(label string, cc githubapi.CostCenter) error {
		// Without cost_center_id (cc is the zero CostCenter): for an
		// enterprise, the usage in no cost center; for organizations and
		// users, all of it.
		q := query
		q.CostCenterID = cc.ID
		return c.Usage(ctx, a, q, agg.adder(label, cc.Name))
	})
	if err != nil {
		return fmt.Errorf("fetch usage for %s: %w", a, err)
	}
	return nil
}

// eachCostCenter calls read once per cost center of centers that has a
// distinct id (distinctCostCenters), then once for the usage in no cost
// center with label "" and the zero CostCenter: the sum over the answers is
// the whole account. A cost center is labelled by name, as people know it,
// or by id when it has no name, so that it never merges into "no cost
// center"; two cost centers with one name share their series and are
// summed, like any rows with the same labels (the id of each is in
// github_billing_cost_center_info). A deleted (archived) cost center is
// read too: usage it carried before it was deleted this month is in no
// other answer; when GitHub refuses its id (400, 404), it has no usage to
// add. A cost center's error names it; the last read's error is returned
// as is.
func eachCostCenter(centers []githubapi.CostCenter, read func(label string, cc githubapi.CostCenter) error) error {
	centers, _ = distinctCostCenters(centers)
	for _, cc := range centers {
		label := cc.Name
		if label == "" {
			label = cc.ID
		}
		err := read(label, cc)
		if err != nil && strings.EqualFold(cc.State, "deleted") && refusedID(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("cost center %q: %w", cc.Name, err)
		}
	}
	return read("", githubapi.CostCenter{})
}

// distinctCostCenters leaves out the cost centers that would count a dollar
// twice: one without an id (a request without cost_center_id is the usage in
// no cost center, which is read anyway) and a second one with an id already
// listed. dropped says what was left out, for the log.
func distinctCostCenters(centers []githubapi.CostCenter) (kept []githubapi.CostCenter, dropped []string) {
	seen := map[string]bool{}
	for _, cc := range centers {
		switch {
		case cc.ID == "":
			dropped = append(dropped, fmt.Sprintf("cost center %q has no id", cc.Name))
		case seen[cc.ID]:
			dropped = append(dropped, fmt.Sprintf("cost center %q repeats the id %q of another", cc.Name, cc.ID))
		default:
			seen[cc.ID] = true
			kept = append(kept, cc)
		}
	}
	return kept, dropped
}

// refusedID says whether GitHub refused a request for its parameters (400)
// or did not find what it names (404), before sending any row.
func refusedID(err error) bool {
	return errors.Is(err, githubapi.ErrBadRequest) || errors.Is(err, githubapi.ErrNotFound)
}

// usageSeries is the label values of one usage series, after the account.
type usageSeries struct {
	product, sku, unitType, organization, repository, costCenter string
}

type usageSums struct {
	quantity, gross, discount, net sum
}

// usagePriceSeries is the label values of one price series.
type usagePriceSeries struct {
	product, sku, unitType string
}

// usagePrice is the price of a SKU as of its newest row. Rows of one SKU can
// carry different prices (a price change within the month, or a discount
// tier); the series shows the price that applies now, so the newest date
// wins, and among rows of that date the highest price, which does not depend
// on the order GitHub sends the rows in.
type usagePrice struct {
	date  string
	price float64
}

// usageAggregate sums rows while the report is read: its size is the number
// of distinct label sets, not the number of rows.
type usageAggregate struct {
	byRepository bool
	series       map[usageSeries]*usageSums
	prices       map[usagePriceSeries]usagePrice
	// budgets, when set, sums the consumption of budgets in the same pass.
	budgets *budgetMatcher
}

func newUsageAggregate(byRepository bool) *usageAggregate {
	return &usageAggregate{
		byRepository: byRepository,
		series:       map[usageSeries]*usageSums{},
		prices:       map[usagePriceSeries]usagePrice{},
	}
}

// adder returns the row callback for one cost center's report: costCenter
// is its label value, name its name as budgets give it ("" for the usage in
// no cost center).
func (g *usageAggregate) adder(costCenter, name string) func(*githubapi.UsageItem) error {
	if g.budgets == nil {
		return func(it *githubapi.UsageItem) error {
			g.add(costCenter, it)
			return nil
		}
	}
	center := g.budgets.forCostCenter(name)
	return func(it *githubapi.UsageItem) error {
		g.add(costCenter, it)
		g.budgets.add(center, it)
		return nil
	}
}

func (g *usageAggregate) add(costCenter string, it *githubapi.UsageItem) {
	k := usageSeries{
		product:      it.Product,
		sku:          it.SKU,
		unitType:     it.UnitType,
		organization: it.OrganizationName,
		costCenter:   costCenter,
	}
	if g.byRepository {
		k.repository = it.RepositoryName
	}
	s := g.sums(k)
	s.quantity.add(it.Quantity)
	s.gross.add(it.GrossAmount)
	s.discount.add(it.DiscountAmount)
	s.net.add(it.NetAmount)

	g.notePrice(usagePriceSeries{it.Product, it.SKU, it.UnitType}, usagePrice{date: it.Date, price: it.PricePerUnit})
}

// sums are the sums of the series k, new ones when g holds none.
func (g *usageAggregate) sums(k usageSeries) *usageSums {
	s := g.series[k]
	if s == nil {
		s = &usageSums{}
		g.series[k] = s
	}
	return s
}

// notePrice keeps p as the SKU's price when it is newer than the one held
// (see usagePrice).
func (g *usageAggregate) notePrice(k usagePriceSeries, p usagePrice) {
	if q, ok := g.prices[k]; !ok || p.date > q.date || p.date == q.date && p.price > q.price {
		g.prices[k] = p
	}
}

// metrics returns the sums as samples for the cache.
func (g *usageAggregate) metrics(a githubapi.Account) []prometheus.Metric {
	return g.metricSet(a).metrics()
}

// metricSet is the sums as a metric set. The keys are already distinct: the
// aggregate summed the rows as it read them.
func (g *usageAggregate) metricSet(a githubapi.Account) *metricSet {
	m := newMetricSet(a)
	m.samples = make([]*Sample, 0, 4*len(g.series)+len(g.prices))
	families := []*Desc{usageItemQuantity, usageItemGross, usageItemDiscount, usageItemNet}
	for k, s := range g.series {
		m.distinctFamilies(families, []float64{s.quantity.value(), s.gross.value(), s.discount.value(), s.net.value()},
			k.product, k.sku, k.unitType, k.organization, k.repository, k.costCenter)
	}
	for k, p := range g.prices {
		m.distinct(usageItemPrice, p.price, k.product, k.sku, k.unitType)
	}
	if g.budgets != nil {
		g.budgets.emit(m)
	}
	return m
}

var usageReconciliation = NewDesc("usage_reconciliation_difference_usd",
	"The usage summary's month-to-date net amount minus the sum over cost_center of the usage report's net amount, in US dollars; 0 when the cost-center split accounts for every cent.",
	"product", "sku", "unit_type")

// addSummaryDifference adds usage_reconciliation_difference_usd: the
// usage summary, which covers every cost center of the enterprise and the
// usage in none in one answer (one more request per enterprise and round),
// less the report g read per cost center and for none. Rows match by
// product, SKU and unit type without regard to case or spelling ("Actions
// Linux" is actions_linux), and are labelled as the summary spells them, or
// as the report does for a row the summary lacks. A failed summary leaves
// the difference out; that collector reports the failure.
func (u usageCollector) addSummaryDifference(ctx context.Context, c *githubapi.Client, a githubapi.Account, period githubapi.Period, g *usageAggregate, m *metricSet) {
	s, err := c.UsageSummary(ctx, a, period)
	if err != nil {
		u.debug("usage reconciliation not computed: the usage summary failed", "account", a.String(), "err", err)
		return
	}
	type key struct{ product, sku, unit string }
	diff := newRemainder[key](1)
	labels := map[key][]string{}
	label := func(product, sku, unit string) key {
		k := key{normalizeName(product), normalizeName(sku), normalizeName(unit)}
		if labels[k] == nil {
			labels[k] = []string{product, sku, unit}
		}
		return k
	}
	for _, it := range s.UsageItems {
		diff.whole(label(it.Product, it.SKU, it.UnitType), it.NetAmount)
	}
	for k, v := range g.series {
		diff.part(label(k.product, k.sku, k.unitType), v.net.value())
	}
	differences := make([]float64, len(diff.order))
	for i, k := range diff.order {
		v := diff.value(k, 0)
		if !finite(v) {
			// A summary whose sum overflows fails its own collector;
			// here it is left out like a failed summary, so the usage
			// series stand and no difference shows ±Inf or NaN.
			if u.logger != nil {
				u.logger.Warn("usage reconciliation not computed: a sum is not finite", "account", a.String(), "sku", labels[k][1], "difference", v)
			}
			return
		}
		differences[i] = v
	}
	for i, k := range diff.order {
		m.add(usageReconciliation, differences[i], labels[k]...)
	}
}

// The usage report's history (history.go): the backfill reads it by day,
// once per cost center of an enterprise and once for the usage in none.
// GitHub states no limit to how far back it goes.

func (u usageCollector) startMonth(a githubapi.Account) monthState {
	return &usageMonth{account: a, byRepository: u.byRepository, agg: newUsageAggregate(u.byRepository)}
}

func (usageCollector) limitedHistory() bool { return false }

// usageMonth is one account's month to date of the usage report.
type usageMonth struct {
	account      githubapi.Account
	byRepository bool
	agg          *usageAggregate
}

// requests counts what readUsage sends: one per cost center that
// eachCostCenter reads, and one for none.
func (*usageMonth) requests(centers []githubapi.CostCenter) int {
	kept, _ := distinctCostCenters(centers)
	return len(kept) + 1
}

func (*usageMonth) readsCostCenters() bool { return true }

func (m *usageMonth) addDay(ctx context.Context, c *githubapi.Client, day time.Time, centers []githubapi.CostCenter) error {
	agg := newUsageAggregate(m.byRepository)
	q := githubapi.UsageQuery{Period: githubapi.DayPeriod(day)}
	if err := readUsage(ctx, c, m.account, q, centers, agg); err != nil {
		return err
	}
	if err := m.agg.finiteWith(agg); err != nil {
		return fmt.Errorf("usage for %s on %s: %w", m.account, day.Format(time.DateOnly), err)
	}
	m.agg.merge(agg)
	return nil
}

func (m *usageMonth) metrics() []prometheus.Metric { return m.agg.metrics(m.account) }

func (m *usageMonth) save() historyState {
	var st historyState
	for k, s := range m.agg.series {
		st.Usage = append(st.Usage, historyUsageSeries{
			Labels:   [6]string{k.product, k.sku, k.unitType, k.organization, k.repository, k.costCenter},
			Quantity: s.quantity.state(), Gross: s.gross.state(), Discount: s.discount.state(), Net: s.net.state(),
		})
	}
	for k, p := range m.agg.prices {
		st.Prices = append(st.Prices, historyPrice{Labels: [3]string{k.product, k.sku, k.unitType}, Date: p.date, Price: p.price})
	}
	return st
}

func (m *usageMonth) restore(st historyState) error {
	for _, s := range st.Usage {
		l := s.Labels
		m.agg.series[usageSeries{l[0], l[1], l[2], l[3], l[4], l[5]}] = &usageSums{
			quantity: s.Quantity.restore(), gross: s.Gross.restore(), discount: s.Discount.restore(), net: s.Net.restore()}
	}
	for _, p := range st.Prices {
		m.agg.prices[usagePriceSeries{p.Labels[0], p.Labels[1], p.Labels[2]}] = usagePrice{date: p.Date, price: p.Price}
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

// merge adds day's sums to g; a day's prices are newer than g's.
func (g *usageAggregate) merge(day *usageAggregate) {
	for k, s := range day.series {
		t := g.sums(k)
		t.quantity.merge(s.quantity)
		t.gross.merge(s.gross)
		t.discount.merge(s.discount)
		t.net.merge(s.net)
	}
	for k, p := range day.prices {
		g.notePrice(k, p)
	}
}
