package collector

import (
	"context"
	"fmt"
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

func (budgetsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	budgets, err := client.Budgets(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch budgets for %s: %w", a, err)
	}
	// The client keeps each budget id once, so label sets only collide for
	// budgets without an id; their amounts are summed like any rows sharing
	// labels, and prevent_further_usage is 1 when any of them says so.
	m := newMetricSet(a)
	for _, b := range budgets {
		labels := []string{b.ID, b.Scope, b.EntityName, b.Type, strings.Join(b.SKUs(), ",")}
		m.gauge(budgetAmount, b.Amount, labels...)
		if b.ConsumedAmount != nil {
			m.gauge(budgetConsumed, *b.ConsumedAmount, labels...)
		}
		m.maximum(budgetPrevent, boolValue(b.PreventFurtherUsage), labels...)
	}
	return m.metrics(), nil
}

// boolValue is 1 for true, 0 for false.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
