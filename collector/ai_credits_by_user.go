package collector

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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
	aiCreditUsersFolded     = newDesc("ai_credit_users_folded",
		"How many users with AI-credit use this month were summed into user=\"__other__\" (past --collector.ai_credits.by-user.max-users).")
	aiCreditReconciliation = newDesc("ai_credit_reconciliation_difference_usd",
		"The enterprise's month-to-date AI-credit net amount minus the sum over cost_center of the per-cost-center answers, in US dollars; 0 when the split accounts for every cent.",
		"product", "sku", "unit_type", "model")
)

// aiCreditsByUserCollector reads ai_credit/usage once per Copilot seat
// holder (?user=LOGIN) and, for an enterprise, once per cost center
// (?cost_center_id=ID, and none) plus once unfiltered for the
// reconciliation.
type aiCreditsByUserCollector struct {
	now   func() time.Time
	limit int
}

func newAICreditsByUserCollector(o Options) Collector {
	limit := o.AICreditUserLimit
	if limit <= 0 {
		limit = DefaultAICreditUserLimit
	}
	return aiCreditsByUserCollector{now: o.clock(), limit: limit}
}

// userSpend is one user's rows and net amount.
type userSpend struct {
	login string
	items []githubapi.ModelUsageItem
	net   float64
}

func (c aiCreditsByUserCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	year, month := monthToDate(c.now)
	seats, err := client.CopilotSeats(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("AI credits per user for %s: seat list: %w", a, err)
	}
	var spends []userSpend
	for _, login := range SeatHolders(seats) {
		r, err := client.AICreditUsageFiltered(ctx, a, year, month, githubapi.AICreditFilter{User: login})
		if errors.Is(err, githubapi.ErrForbidden) {
			return nil, &onceError{fmt.Errorf("AI credits per user for %s: GitHub refuses the user filter (an organization that belongs to an enterprise gets 403; read the enterprise's per-user view instead, see the README): %w", a, err)}
		}
		if err != nil {
			return nil, fmt.Errorf("AI credits per user for %s: user %s: %w", a, login, err)
		}
		if len(r.UsageItems) == 0 {
			continue
		}
		var net sum
		for _, it := range r.UsageItems {
			net.add(it.NetAmount)
		}
		spends = append(spends, userSpend{login: login, items: r.UsageItems, net: net.value()})
	}
	// The largest spenders keep their own series; ties go by login, so the
	// same users stay from one round to the next.
	slices.SortFunc(spends, func(x, y userSpend) int {
		return cmp.Or(cmp.Compare(y.net, x.net), cmp.Compare(x.login, y.login))
	})
	m := newMetricSet(a)
	folded := 0
	for i, s := range spends {
		user := s.login
		if i >= c.limit {
			user, folded = OtherUser, folded+1
		}
		for _, it := range s.items {
			aiCreditUserDescs.add(m, it.BillingAmounts, user, it.Product, it.SKU, it.UnitType, it.Model)
		}
	}
	m.gauge(aiCreditUsersFolded, float64(folded))
	if a.Scope == githubapi.ScopeEnterprise {
		if err := c.costCenters(ctx, client, a, year, month, m); err != nil {
			return nil, err
		}
	}
	return m.metrics(), nil
}

// costCenters adds the enterprise's AI credits per cost center, as the usage
// collector reads usage: each cost center with a distinct id (a deleted one
// too, for what it carried before it was deleted), and none; and their
// difference from the unfiltered answer.
func (c aiCreditsByUserCollector) costCenters(ctx context.Context, client *githubapi.Client, a githubapi.Account, year int, month time.Month, m *metricSet) error {
	centers, err := client.CostCenters(ctx, a)
	if err != nil {
		return fmt.Errorf("AI credits per cost center for %s: %w", a, err)
	}
	centers, _ = distinctCostCenters(centers)
	type key struct{ product, sku, unit, model string }
	diffs := map[key]*sum{}
	var order []key
	add := func(it githubapi.ModelUsageItem, sign float64) {
		k := key{it.Product, it.SKU, it.UnitType, it.Model}
		if diffs[k] == nil {
			diffs[k] = &sum{}
			order = append(order, k)
		}
		diffs[k].add(sign * it.NetAmount)
	}
	read := func(label, id string) error {
		r, err := client.AICreditUsageFiltered(ctx, a, year, month, githubapi.AICreditFilter{CostCenterID: id})
		if err != nil {
			return err
		}
		for _, it := range r.UsageItems {
			aiCreditCostCenterDescs.add(m, it.BillingAmounts, label, it.Product, it.SKU, it.UnitType, it.Model)
			add(it, -1)
		}
		return nil
	}
	for _, cc := range centers {
		name := cc.Name
		if name == "" {
			name = cc.ID
		}
		err := read(name, cc.ID)
		if err != nil && strings.EqualFold(cc.State, "deleted") && refusedID(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("AI credits per cost center for %s: cost center %q: %w", a, cc.Name, err)
		}
	}
	if err := read("", "none"); err != nil {
		return fmt.Errorf("AI credits per cost center for %s: no cost center: %w", a, err)
	}
	all, err := client.AICreditUsage(ctx, a, year, month)
	if err != nil {
		return fmt.Errorf("AI credits per cost center for %s: unfiltered: %w", a, err)
	}
	for _, it := range all.UsageItems {
		add(it, 1)
	}
	for _, k := range order {
		// Sums of cents and fractions of cents; what is left past a
		// nanodollar is float noise.
		m.gauge(aiCreditReconciliation, math.Round(diffs[k].value()*1e9)/1e9, k.product, k.sku, k.unit, k.model)
	}
	return nil
}

// SeatHolders are the distinct logins of a seat list, sorted: an
// enterprise's list has a row per organization or team that granted a
// user's seat.
func SeatHolders(seats *githubapi.CopilotSeats) []string {
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
