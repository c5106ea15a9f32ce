package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var budgetLabels = []string{"budget_id", "budget_scope", "budget_entity", "budget_type", "product_sku"}

var (
	budgetAmount         = NewDesc("budget_amount_usd", "Budget limit in US dollars (budget_amount) of a budget whose SKUs are billed in dollars.", budgetLabels...)
	budgetAmountLicenses = NewDesc("budget_amount_licenses", "Budget limit in licences (budget_amount) of a budget on licence SKUs (ghec_licenses, ghas_*licenses, copilot_business, copilot_enterprise, …); such a budget has no budget_amount_usd.", budgetLabels...)
	budgetConsumed       = NewDesc("budget_consumed_amount_usd",
		`Amount consumed against the budget this month in US dollars: source="github" is GitHub's consumed_amount (user budgets), source="usage" the net amount of the month-to-date usage rows the budget covers, summed by the usage collector.`,
		append(budgetLabels, "source")...)
	budgetPrevent  = NewDesc("budget_prevent_further_usage", "1 when usage stops once the budget is used up (prevent_further_usage), else 0.", budgetLabels...)
	budgetAlerting = NewDesc("budget_alerting_enabled", "1 when GitHub alerts the budget's recipients at its thresholds (budget_alerting.will_alert), else 0.", budgetLabels...)
	budgetExpiry   = NewDesc("budget_expiry_timestamp_seconds", "When the budget expires (expires_at), as a Unix timestamp; only when GitHub sends it.", budgetLabels...)
	budgetUserUsed = NewDesc("budget_user_consumed_amount_usd", `A user's consumption against a multi-user budget this month in US dollars (user-states consumed_amount); user="" sums the entries GitHub sends without a user.`, append(budgetLabels, "user")...)
	budgetUserCap  = NewDesc("budget_user_target_amount_usd", `A user's amount in a multi-user budget in US dollars (user-states target_amount); user="" sums the entries GitHub sends without a user.`, append(budgetLabels, "user")...)
)

// budgetUnit is what a budget's budget_amount counts. GitHub's schema says
// "whole dollars, or a number of licences when the product is
// licence-based" and no field tells which (API.md §15.3): the unit follows
// from the budget's SKUs.
type budgetUnit int

const (
	// unitUSD: every SKU is billed in dollars (metered products, AI
	// credits, premium requests), or the budget names no SKU.
	unitUSD budgetUnit = iota
	// unitLicenses: every SKU is a licence (GitHub Enterprise, Advanced
	// Security, Copilot seats).
	unitLicenses
	// unitUnknown: the product copilot (seat licences and metered AI
	// credits in one), or licence and dollar SKUs in one budget.
	unitUnknown
)

func (u budgetUnit) String() string {
	switch u {
	case unitUSD:
		return "usd"
	case unitLicenses:
		return "licenses"
	}
	return "unknown"
}

// licenseSKUs are the SKUs and the products GitHub bills per licence
// (product-and-sku-names, API.md §15.3): ghec and ghas are products of
// licences only.
var licenseSKUs = map[string]bool{
	"ghec_licenses": true, "ghas_licenses": true, "ghas_code_security_licenses": true,
	"ghas_secret_protection_licenses": true, "copilot_enterprise": true, "copilot_for_business": true,
	"copilot_business": true, "copilot_standalone": true, "ghec": true, "ghas": true,
}

// budgetUnitOf classifies a budget by its SKUs: each is a licence (listed
// above, or named *_licenses), the ambiguous product copilot, or billed in
// dollars. One unit for all its SKUs is the budget's; a mix is unknown,
// and a licence is never compared with a dollar.
func budgetUnitOf(b githubapi.Budget) budgetUnit {
	licenses, dollars := false, false
	for _, sku := range b.SKUs() {
		sku = strings.ToLower(strings.TrimSpace(sku))
		switch {
		case sku == "copilot":
			return unitUnknown
		case licenseSKUs[sku] || strings.HasSuffix(sku, "_licenses"):
			licenses = true
		default:
			dollars = true
		}
	}
	switch {
	case licenses && dollars:
		return unitUnknown
	case licenses:
		return unitLicenses
	}
	return unitUSD
}

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
		unit := budgetUnitOf(b)
		switch unit {
		case unitUSD:
			m.add(budgetAmount, b.Amount, labels...)
		case unitLicenses:
			m.add(budgetAmountLicenses, b.Amount, labels...)
		default:
			logger.Debug("budget unit unknown: its SKUs mix licences and dollars (or name the product copilot); no amount or consumption series",
				"account", a.String(), "budget_id", b.ID, "budget_type", b.Type, "product_sku", labels[len(labels)-1])
		}
		switch budgetSource(a, b) {
		case "github":
			m.add(budgetConsumed, *b.ConsumedAmount, append(labels, "github")...)
		case "usage":
			// The usage collector sums it while it reads the report.
		default:
			if unit == unitUSD {
				logger.Debug("budget consumption unknown: GitHub sends no consumed_amount and no usage rows can give it; no series",
					"account", a.String(), "budget_id", b.ID, "budget_scope", b.Scope, "budget_entity", b.EntityName)
			}
		}
		m.maximum(budgetPrevent, boolValue(b.PreventFurtherUsage), labels...)
		m.maximum(budgetAlerting, boolValue(b.Alerting.WillAlert), labels...)
		if t, ok := b.Expires(); ok {
			m.maximum(budgetExpiry, float64(t.Unix()), labels...)
		}
		if c.userStates && a.Scope == githubapi.ScopeEnterprise && strings.HasPrefix(strings.ToLower(b.Scope), "multi_user") {
			if unit != unitUSD {
				// Multi-user scopes exist for AI credits and premium
				// requests only (dollars); any other unit is not
				// exported as dollars.
				continue
			}
			states, err := client.BudgetUserStates(ctx, a, b.ID)
			if errors.Is(err, githubapi.ErrNotFound) && strings.EqualFold(b.Scope, "multi_user_cost_center") {
				// GitHub's description speaks of multi-user customer
				// budgets; whether it lists the users of a cost
				// center's per-user budget is not stated (API.md
				// §15.3). A 404 for one is no failure of the account.
				logger.Debug("GitHub lists no user states for this cost-center per-user budget (404); no user series",
					"account", a.String(), "budget_id", b.ID, "budget_entity", b.EntityName)
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("fetch user states of budget %s for %s: %w", b.ID, a, err)
			}
			nameless := 0
			for _, s := range states {
				if s.User == "" {
					// GitHub no longer has the user record. Summed under
					// user="", so that the budget's user series still
					// add up to every entry GitHub listed.
					nameless++
					m.add(budgetUserUsed, s.ConsumedAmount, append(labels, "")...)
					m.add(budgetUserCap, s.TargetAmount, append(labels, "")...)
					continue
				}
				m.maximum(budgetUserUsed, s.ConsumedAmount, append(labels, s.User)...)
				m.maximum(budgetUserCap, s.TargetAmount, append(labels, s.User)...)
			}
			if nameless > 0 {
				logger.Debug(`budget user states without a user, summed under user=""`,
					"account", a.String(), "budget_id", b.ID, "entries", nameless)
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
