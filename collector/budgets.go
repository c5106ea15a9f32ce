package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var budgetLabels = []string{"budget_id", "budget_scope", "budget_entity", "budget_type", "product_sku"}

var (
	budgetAmount   = newDesc("budget_amount_usd", "Budget limit in US dollars (budget_amount).", budgetLabels...)
	budgetConsumed = newDesc("budget_consumed_amount_usd", "Amount consumed against the budget in US dollars (consumed_amount); only when GitHub sends it.", budgetLabels...)
	budgetPrevent  = newDesc("budget_prevent_further_usage", "1 when usage stops once the budget is used up (prevent_further_usage), else 0.", budgetLabels...)
)

type budgetsCollector struct{}

func newBudgetsCollector(Options) Collector { return budgetsCollector{} }

// budgetKey is one budget's label values.
type budgetKey struct{ id, scope, entity, budgetType, productSKU string }

type budgetValues struct {
	amount      float64
	consumed    float64
	hasConsumed bool
	prevent     bool
}

func (budgetsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	budgets, err := client.Budgets(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch budgets for %s: %w", a, err)
	}
	// The client keeps each budget id once, so label sets only collide for
	// budgets without an id; those are summed like any rows sharing labels.
	values := map[budgetKey]*budgetValues{}
	for _, b := range budgets {
		k := budgetKey{
			id: b.ID, scope: b.Scope, entity: b.EntityName, budgetType: b.Type,
			productSKU: strings.Join(b.SKUs(), ","),
		}
		v := values[k]
		if v == nil {
			v = &budgetValues{}
			values[k] = v
		}
		v.amount += b.Amount
		if b.ConsumedAmount != nil {
			v.consumed += *b.ConsumedAmount
			v.hasConsumed = true
		}
		v.prevent = v.prevent || b.PreventFurtherUsage
	}

	keys := make([]budgetKey, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y budgetKey) int {
		return cmp.Or(cmp.Compare(x.id, y.id), cmp.Compare(x.scope, y.scope), cmp.Compare(x.entity, y.entity),
			cmp.Compare(x.budgetType, y.budgetType), cmp.Compare(x.productSKU, y.productSKU))
	})
	m := newMetricSet(a)
	for _, k := range keys {
		v := values[k]
		labels := []string{k.id, k.scope, k.entity, k.budgetType, k.productSKU}
		m.gauge(budgetAmount, v.amount, labels...)
		if v.hasConsumed {
			m.gauge(budgetConsumed, v.consumed, labels...)
		}
		prevent := 0.0
		if v.prevent {
			prevent = 1
		}
		m.gauge(budgetPrevent, prevent, labels...)
	}
	return m.metrics, nil
}
