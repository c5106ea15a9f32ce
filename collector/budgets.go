package collector

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var budgetLabels = []string{"budget_id", "budget_scope", "budget_entity", "budget_type", "product_sku"}

var (
	budgetAmount   = NewDesc("budget_amount_usd", "Budget limit in US dollars (budget_amount).", budgetLabels...)
	budgetConsumed = NewDesc("budget_consumed_amount_usd",
		`Amount consumed against the budget this month in US dollars: source="github" is GitHub's consumed_amount (user budgets), source="usage" the net amount of the month-to-date usage rows the budget covers, summed by the usage collector.`,
		append(budgetLabels, "source")...)
	budgetPrevent  = NewDesc("budget_prevent_further_usage", "1 when usage stops once the budget is used up (prevent_further_usage), else 0.", budgetLabels...)
	budgetAlerting = NewDesc("budget_alerting_enabled", "1 when GitHub alerts the budget's recipients at its thresholds (budget_alerting.will_alert), else 0.", budgetLabels...)
	budgetExpiry   = NewDesc("budget_expiry_timestamp_seconds", "When the budget expires (expires_at), as a Unix timestamp; only when GitHub sends it.", budgetLabels...)
	budgetUserUsed = NewDesc("budget_user_consumed_amount_usd", "A user's consumption against a multi-user budget this month in US dollars (user-states consumed_amount).", append(budgetLabels, "user")...)
	budgetUserCap  = NewDesc("budget_user_target_amount_usd", "A user's amount in a multi-user budget in US dollars (user-states target_amount).", append(budgetLabels, "user")...)
)

// budgetLabelValues is a budget's budgetLabels values.
func budgetLabelValues(b githubapi.Budget) []string {
	return []string{b.ID, b.Scope, b.EntityName, b.Type, strings.Join(b.SKUs(), ",")}
}

type budgetsCollector struct {
	logger *slog.Logger
	// userStates reads the user states of each multi-user budget.
	userStates bool
}

func newBudgetsCollector(o Options) Collector {
	return budgetsCollector{logger: o.logger(), userStates: o.BudgetUserStates}
}

func (c budgetsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	budgets, err := client.Budgets(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch budgets for %s: %w", a, err)
	}
	logger := c.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// The client keeps each budget id once (and GitHub requires ids), so
	// label sets only collide for two budgets GitHub describes alike.
	m := newMetricSet(a)
	for _, b := range budgets {
		labels := budgetLabelValues(b)
		m.add(budgetAmount, b.Amount, labels...)
		switch budgetSource(a, b) {
		case "github":
			m.add(budgetConsumed, *b.ConsumedAmount, append(labels, "github")...)
		case "usage":
			// The usage collector sums it while it reads the report.
		default:
			logger.Debug("budget consumption unknown: GitHub sends no consumed_amount and no usage rows can give it; no series",
				"account", a.String(), "budget_id", b.ID, "budget_scope", b.Scope, "budget_entity", b.EntityName)
		}
		m.maximum(budgetPrevent, boolValue(b.PreventFurtherUsage), labels...)
		m.maximum(budgetAlerting, boolValue(b.Alerting.WillAlert), labels...)
		if t, ok := b.Expires(); ok {
			m.maximum(budgetExpiry, float64(t.Unix()), labels...)
		}
		if c.userStates && a.Scope == githubapi.ScopeEnterprise && strings.HasPrefix(strings.ToLower(b.Scope), "multi_user") {
			states, err := client.BudgetUserStates(ctx, a, b.ID)
			if err != nil {
				return nil, fmt.Errorf("fetch user states of budget %s for %s: %w", b.ID, a, err)
			}
			for _, s := range states {
				m.maximum(budgetUserUsed, s.ConsumedAmount, append(labels, s.User)...)
				m.maximum(budgetUserCap, s.TargetAmount, append(labels, s.User)...)
			}
		}
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
