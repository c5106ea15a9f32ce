package collector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// AICreditsByUser is the name of the per-user AI-credit view.
const AICreditsByUser = "ai_credits_by_user"

// DefaultAICreditUserLimit is how many users per account the per-user view
// keeps by default; the rest are summed into OtherUser.
const DefaultAICreditUserLimit = 500

// OtherUser is the user label of the users past the limit, summed.
const OtherUser = "__other__"

// aiCreditsByUserInterval is the view's own default refresh interval: a
// round costs a request per seat holder.
const aiCreditsByUserInterval = 6 * time.Hour

var (
	aiCreditUserDescs       = newSummaryAmountDescs("ai_credit_user", "Copilot AI credits of the user", "user", "product", "sku", "unit_type", "model")
	aiCreditCostCenterDescs = newSummaryAmountDescs("ai_credit_cost_center", "Copilot AI credits of the cost center (\"\" for none)", "cost_center", "product", "sku", "unit_type", "model")
	aiCreditUsersFolded     = NewDesc("ai_credit_users_folded",
		"How many users with AI-credit use this month were summed into user=\"__other__\" (past --collector.ai_credits.by-user.max-users).")
	aiCreditReconciliation = NewDesc("ai_credit_reconciliation_difference_usd",
		"The enterprise's month-to-date AI-credit net amount minus the sum over cost_center of the per-cost-center answers, in US dollars; 0 when the split accounts for every cent.",
		"product", "sku", "unit_type", "model")
)

// aiCreditsByUserSlices is how many refreshes one round of the view is
// spread over: each asks for the next sixth of the seat holders, so that
// 2,000 holders cost about 340 requests an hour, not 2,000 in one.
const aiCreditsByUserSlices = 6

// aiCreditsByUserCollector reads ai_credit/usage once per Copilot seat
// holder (?user=LOGIN), a slice of the holders per refresh, and once
// unfiltered per refresh, so that user="__other__" (everything no kept
// user's last answer accounts for) keeps the account's total exact. For an
// enterprise it also reads, once a round, each cost center
// (?cost_center_id=ID, and none).
type aiCreditsByUserCollector struct {
	now   func() time.Time
	limit int

	mu     sync.Mutex
	rounds map[githubapi.Account]*aiCreditRoundState
}

// aiCreditRoundState is where an account's round stands: the seat holders
// read at its start, the users asked so far, and the cost-center answers of
// its first refresh.
type aiCreditRoundState struct {
	period githubapi.Period
	// slice is the next refresh's place in the round, from 0 to
	// aiCreditsByUserSlices-1; the round's first refresh reads the seat
	// list and the cost centers.
	slice   int
	holders []string
	// spend is every asked user's answer, by lower-case login, kept
	// across rounds until the user holds no seat.
	spend map[string]userSpend
	// refused is the user filter's 403 in this round: the round's other
	// refreshes fail with it without asking again.
	refused     error
	costCenters []aiCreditRow
	// unassigned is the unfiltered answer less the cost centers', per
	// product, SKU, unit type and model.
	unassigned []githubapi.ModelUsageItem
}

// aiCreditRow is one cost center's row, with the label that names it.
type aiCreditRow struct {
	label string
	item  githubapi.ModelUsageItem
}

func newAICreditsByUserCollector(o Options) Collector {
	limit := o.AICreditUserLimit
	if limit <= 0 {
		limit = DefaultAICreditUserLimit
	}
	return &aiCreditsByUserCollector{now: o.clock(), limit: limit,
		rounds: map[githubapi.Account]*aiCreditRoundState{}}
}

// userSpend is one user's rows and net amount.
type userSpend struct {
	login string
	items []githubapi.ModelUsageItem
	net   float64
}

// state is the account's round, a new one in a new month. The exporter runs
// one refresh of an account's collector at a time, so only the map needs
// the lock.
func (c *aiCreditsByUserCollector) state(a githubapi.Account, period githubapi.Period) *aiCreditRoundState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.rounds[a]
	if st == nil || st.period != period {
		st = &aiCreditRoundState{period: period, spend: map[string]userSpend{}}
		c.rounds[a] = st
	}
	return st
}

// advance moves the round on to its next refresh.
func (st *aiCreditRoundState) advance() { st.slice = (st.slice + 1) % aiCreditsByUserSlices }

// bounds are the holders the slice asks for: the round's n holders cut into
// slices parts whose sizes differ by at most one, the larger ones first.
func sliceBounds(n, slice, slices int) (from, to int) {
	return (slice*n + slices - 1) / slices, ((slice+1)*n + slices - 1) / slices
}

func (c *aiCreditsByUserCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	period := monthToDate(c.now)
	st := c.state(a, period)
	if st.slice != 0 && st.refused != nil {
		st.advance()
		return nil, st.refused
	}
	holders, costCenters, unassigned := st.holders, st.costCenters, st.unassigned
	if st.slice == 0 {
		seats, err := client.CopilotSeats(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("AI credits per user for %s: seat list: %w", a, err)
		}
		holders = seatHolders(seats)
	}
	from, to := sliceBounds(len(holders), st.slice, aiCreditsByUserSlices)
	asked := make([]userSpend, 0, to-from)
	for _, login := range holders[from:to] {
		r, err := client.AICreditUsage(ctx, a, period, githubapi.AICreditFilter{User: login})
		if errors.Is(err, githubapi.ErrForbidden) {
			st.refused = &OnceError{fmt.Errorf("AI credits per user for %s: GitHub refuses the user filter (an organization that belongs to an enterprise gets 403; read the enterprise's per-user view instead, see the README): %w", a, err)}
			st.advance()
			return nil, st.refused
		}
		if err != nil {
			return nil, fmt.Errorf("AI credits per user for %s: user %s: %w", a, login, err)
		}
		var net sum
		for _, it := range r.UsageItems {
			net.add(it.NetAmount)
		}
		asked = append(asked, userSpend{login: login, items: r.UsageItems, net: net.value()})
	}
	all, err := client.AICreditUsage(ctx, a, period, githubapi.AICreditFilter{})
	if err != nil {
		return nil, fmt.Errorf("AI credits per user for %s: unfiltered: %w", a, err)
	}
	if st.slice == 0 && a.Scope == githubapi.ScopeEnterprise {
		if costCenters, err = c.costCenters(ctx, client, a, period); err != nil {
			return nil, err
		}
		unassigned = costCenterDifference(all.UsageItems, costCenters)
	}

	// Every answer is in: the round moves on.
	if st.slice == 0 {
		current := make(map[string]bool, len(holders))
		for _, h := range holders {
			current[strings.ToLower(h)] = true
		}
		maps.DeleteFunc(st.spend, func(login string, _ userSpend) bool { return !current[login] })
		st.holders, st.costCenters, st.unassigned, st.refused = holders, costCenters, unassigned, nil
	}
	for _, u := range asked {
		st.spend[strings.ToLower(u.login)] = u
	}
	st.advance()

	m := newMetricSet(a)
	if err := c.users(m, st, all.UsageItems); err != nil {
		return nil, fmt.Errorf("AI credits per user for %s: %w", a, err)
	}
	for _, r := range st.costCenters {
		aiCreditCostCenterDescs.add(m, r.item.BillingAmounts, r.label, r.item.Product, r.item.SKU, r.item.UnitType, r.item.Model)
	}
	for _, it := range st.unassigned {
		m.add(aiCreditReconciliation, it.NetAmount, it.Product, it.SKU, it.UnitType, it.Model)
	}
	metrics, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("AI credits per user for %s: %w", a, err)
	}
	return metrics, nil
}

// users adds the largest spenders' series and user="__other__": the
// unfiltered answer minus the kept users' answers, which holds the users
// past the limit, the holders not asked yet this month, and what the kept
// users spent since they were asked.
//
// The kept users cannot have spent more than the whole account: a month to
// date only grows, and each user was asked no later than the unfiltered
// answer. If they did, GitHub answered ?user= with more than that user's
// credits (the whole account, when it ignores the filter, which it need
// not echo), and the answer is refused rather than served as a negative
// __other__ beside users who each hold the account's total.
func (c *aiCreditsByUserCollector) users(m *metricSet, st *aiCreditRoundState, all []githubapi.ModelUsageItem) error {
	var spends []userSpend
	for _, s := range st.spend {
		if len(s.items) > 0 {
			spends = append(spends, s)
		}
	}
	// Ties go by login, so the same users stay from one round to the next.
	slices.SortFunc(spends, func(x, y userSpend) int {
		return cmp.Or(cmp.Compare(y.net, x.net), cmp.Compare(x.login, y.login))
	})
	rest := newItemRemainder(all)
	folded := 0
	for i, s := range spends {
		if i >= c.limit {
			folded++
			continue
		}
		for _, it := range s.items {
			aiCreditUserDescs.add(m, it.BillingAmounts, s.login, it.Product, it.SKU, it.UnitType, it.Model)
			rest.part(it)
		}
	}
	rows := rest.rows()
	// A cent a kept user for the rounding of each answer.
	slack := 0.01 * float64(min(len(spends), c.limit)+1)
	for _, r := range rows {
		if !finite(r.GrossAmount) || !finite(r.NetAmount) {
			return fmt.Errorf("the unfiltered answer less the kept users' of %s %s (%s) is not finite", r.Product, r.SKU, r.Model)
		}
		if r.GrossAmount < -slack {
			return fmt.Errorf("%w: the kept users' gross of %s %s (%s) is $%.2f more than the account's unfiltered answer; GitHub did not apply the user filter",
				githubapi.ErrNotAsked, r.Product, r.SKU, r.Model, -r.GrossAmount)
		}
	}
	for _, r := range rows {
		if r.BillingAmounts != (githubapi.BillingAmounts{}) {
			aiCreditUserDescs.add(m, r.BillingAmounts, OtherUser, r.Product, r.SKU, r.UnitType, r.Model)
		}
	}
	m.add(aiCreditUsersFolded, float64(folded))
	return nil
}

// itemRemainder is a whole answer less its parts, by product, SKU, unit
// type and model, for the six figures of each row.
type itemRemainder struct{ r *remainder[rowKey] }

type rowKey struct{ product, sku, unit, model string }

func newItemRemainder(whole []githubapi.ModelUsageItem) itemRemainder {
	r := itemRemainder{newRemainder[rowKey](6)}
	for _, it := range whole {
		r.r.whole(itemKey(it), figures(it.BillingAmounts)...)
	}
	return r
}

func itemKey(it githubapi.ModelUsageItem) rowKey {
	return rowKey{it.Product, it.SKU, it.UnitType, it.Model}
}

func figures(b githubapi.BillingAmounts) []float64 {
	return []float64{b.GrossQuantity, b.GrossAmount, b.DiscountQuantity, b.DiscountAmount, b.NetQuantity, b.NetAmount}
}

// part takes one row of a part away.
func (r itemRemainder) part(it githubapi.ModelUsageItem) {
	r.r.part(itemKey(it), figures(it.BillingAmounts)...)
}

// rows is what is left, a row per key.
func (r itemRemainder) rows() []githubapi.ModelUsageItem {
	out := make([]githubapi.ModelUsageItem, 0, len(r.r.order))
	for _, k := range r.r.order {
		v := func(i int) float64 { return r.r.value(k, i) }
		it := githubapi.ModelUsageItem{Model: k.model}
		it.Product, it.SKU, it.UnitType = k.product, k.sku, k.unit
		it.BillingAmounts = githubapi.BillingAmounts{GrossQuantity: v(0), GrossAmount: v(1), DiscountQuantity: v(2), DiscountAmount: v(3), NetQuantity: v(4), NetAmount: v(5)}
		out = append(out, it)
	}
	return out
}

// costCenterDifference is the unfiltered answer less the sum over cost
// centers (the usage in none included), per product, SKU, unit type and
// model: 0 when the split accounts for every cent.
func costCenterDifference(all []githubapi.ModelUsageItem, costCenters []aiCreditRow) []githubapi.ModelUsageItem {
	diff := newItemRemainder(all)
	for _, r := range costCenters {
		diff.part(r.item)
	}
	return diff.rows()
}

// costCenters reads the enterprise's AI credits per cost center, as the
// usage collector reads usage (eachCostCenter): each cost center with a
// distinct id, and none.
func (c *aiCreditsByUserCollector) costCenters(ctx context.Context, client *githubapi.Client, a githubapi.Account, period githubapi.Period) ([]aiCreditRow, error) {
	centers, err := client.CostCenters(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("AI credits per cost center for %s: %w", a, err)
	}
	var rows []aiCreditRow
	err = eachCostCenter(centers, func(label string, cc githubapi.CostCenter) error {
		id := cc.ID
		if id == "" {
			id = "none"
		}
		r, err := client.AICreditUsage(ctx, a, period, githubapi.AICreditFilter{CostCenterID: id})
		if err != nil {
			if cc.ID == "" {
				return fmt.Errorf("no cost center: %w", err)
			}
			return err
		}
		for _, it := range r.UsageItems {
			rows = append(rows, aiCreditRow{label: label, item: it})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("AI credits per cost center for %s: %w", a, err)
	}
	return rows, nil
}

// seatHolders are the distinct logins of a seat list, sorted: an
// enterprise's list has a row per organization or team that granted a
// user's seat.
func seatHolders(seats *githubapi.CopilotSeats) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range seats.Seats {
		if s.Assignee == nil || s.Assignee.Login == "" {
			continue
		}
		folded := strings.ToLower(s.Assignee.Login)
		if seen[folded] {
			continue
		}
		seen[folded] = true
		out = append(out, s.Assignee.Login)
	}
	slices.Sort(out)
	return out
}
