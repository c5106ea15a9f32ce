package collector

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// AICreditPool is the name of the AI-credit pool collector.
const AICreditPool = "ai_credit_pool"

// DefaultIncludedAICredits are the AI credits one Copilot licence brings
// to its account's pool each month, by plan_type: GitHub's figures since
// 2026-09-01 (API.md §15.4). The configuration's
// copilot.included_ai_credits overrides them.
var DefaultIncludedAICredits = map[string]float64{"business": 1900, "enterprise": 3900}

// IncludedAICredits holds the included credits per plan that the pool
// collector multiplies licences by: GitHub's figures, with the running
// configuration's overrides over them. The server sets the overrides at
// every configuration load; a nil holder means GitHub's figures.
type IncludedAICredits struct {
	plans atomic.Pointer[map[string]float64]
}

// Set replaces the overrides (plan_type → credits a licence brings a
// month); plans it does not name take GitHub's figures.
func (c *IncludedAICredits) Set(overrides map[string]float64) {
	plans := maps.Clone(DefaultIncludedAICredits)
	maps.Copy(plans, overrides)
	c.plans.Store(&plans)
}

// perPlan is the included credits per plan_type in force.
func (c *IncludedAICredits) perPlan() map[string]float64 {
	if c != nil {
		if p := c.plans.Load(); p != nil {
			return *p
		}
	}
	return DefaultIncludedAICredits
}

var (
	aiCreditPoolIncluded = NewDesc("ai_credit_pool_included_credits",
		"Estimate: AI credits the account's Copilot licences bring to its pool this month, licences per plan times the plan's included credits (GitHub's figures or the configuration's copilot.included_ai_credits). GitHub states no pool size, and may prorate licences added during the month: an upper bound.")
	aiCreditPoolUsed = NewDesc("ai_credit_pool_used_credits",
		"Approximate: AI credits drawn from the pool this month, the sum over the month's ai_credit/usage rows of discountQuantity, each row's at most its grossQuantity. Other discounts would count too.")
	aiCreditPoolLicenses = NewDesc("ai_credit_pool_licenses",
		"Copilot licences the pool counts, per plan (business, enterprise; unknown for seats GitHub sends without plan_type, counted at the largest plan's credits): an enterprise's seat holders, each once, or an organization's seat_breakdown.total. Seats pending cancellation count until the month ends.", "plan")
)

// aiCreditPoolCollector estimates the Copilot AI-credit pool of an
// enterprise or organization (API.md §15.4): its size from the seats, what
// was drawn from it from the month's AI-credit usage. Both answers are the
// ones the copilot and ai_credits collectors read in the same round.
//
// An enterprise's pool counts every seat holder of the enterprise once:
// the seat list has a row per organization or team granting a user a seat,
// and the user is billed once. An organization's pool counts its own seats
// (seat_breakdown.total, all under the organization's plan_type); for an
// organization that belongs to an enterprise these are its contribution to
// the enterprise's pool, not a pool of its own (docs/metrics.md says so).
type aiCreditPoolCollector struct {
	now      func() time.Time
	included *IncludedAICredits
}

func newAICreditPoolCollector(o Options) Collector {
	return aiCreditPoolCollector{now: o.clock(), included: o.IncludedAICredits}
}

func (c aiCreditPoolCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	perPlan := c.included.perPlan()
	var licenses map[string]float64
	var err error
	switch a.Scope {
	case githubapi.ScopeEnterprise:
		licenses, err = enterpriseLicenses(ctx, client, a, perPlan)
	case githubapi.ScopeOrganization:
		licenses, err = organizationLicenses(ctx, client, a, perPlan)
	default:
		return nil, fmt.Errorf("AI-credit pool: %s has none (enterprises and organizations only)", a)
	}
	if err != nil {
		return nil, err
	}
	report, err := client.SharedAICreditUsage(ctx, a, monthToDate(c.now))
	if err != nil {
		return nil, fmt.Errorf("fetch AI credit usage for %s: %w", a, err)
	}
	m := newMetricSet(a)
	included := 0.0
	for _, plan := range slices.Sorted(maps.Keys(perPlan)) {
		m.add(aiCreditPoolLicenses, licenses[plan], plan)
		included += licenses[plan] * perPlan[plan]
	}
	if n := licenses[unknownPlan]; n > 0 {
		m.add(aiCreditPoolLicenses, n, unknownPlan)
		included += n * planCredits(unknownPlan, perPlan)
	}
	m.add(aiCreditPoolIncluded, included)
	m.add(aiCreditPoolUsed, poolDraw(report.UsageItems))
	metrics, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("AI-credit pool of %s: %w", a, err)
	}
	return metrics, nil
}

// poolDraw is what the included credits covered in rows: each row's
// discountQuantity, held between 0 and its grossQuantity, since GitHub has
// sent rows whose discount exceeds the gross (API.md §15.4) and the pool
// cannot cover more credits than were used.
func poolDraw(rows []githubapi.ModelUsageItem) float64 {
	var s sum
	for _, r := range rows {
		s.add(max(0, min(r.DiscountQuantity, r.GrossQuantity)))
	}
	return s.value()
}

// unknownPlan is the plan label of seats whose plan_type GitHub leaves
// out (its own enterprise seat example has such a seat). The pool counts
// them at the largest plan's included credits, keeping its size an upper
// bound.
const unknownPlan = "unknown"

// planCredits is the included credits a licence of plan brings: the
// plan's, or for unknownPlan the largest plan's.
func planCredits(plan string, perPlan map[string]float64) float64 {
	if plan == unknownPlan {
		return slices.Max(slices.Collect(maps.Values(perPlan)))
	}
	return perPlan[plan]
}

// planOf is a seat's plan: its plan_type, unknownPlan when GitHub sent
// none, or an error for a plan whose included credits are not known.
func planOf(planType string, perPlan map[string]float64) (string, error) {
	if planType == "" {
		return unknownPlan, nil
	}
	plan := strings.ToLower(planType)
	if _, ok := perPlan[plan]; !ok {
		return "", fmt.Errorf("plan_type %q, whose included AI credits are unknown", planType)
	}
	return plan, nil
}

// enterpriseLicenses counts the enterprise's seat holders per plan, each
// login once. A user granted seats of two plans counts under the plan that
// includes more credits: the pool size is an upper bound. A seat without
// an assignee (a user GitHub no longer names) counts on its own.
func enterpriseLicenses(ctx context.Context, client *githubapi.Client, a githubapi.Account, perPlan map[string]float64) (map[string]float64, error) {
	seats, err := client.SharedCopilotSeats(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Copilot seats for %s: %w", a, err)
	}
	byUser := map[string]string{}
	licenses := map[string]float64{}
	for i, s := range seats.Seats {
		plan, err := planOf(s.PlanType, perPlan)
		if err != nil {
			return nil, fmt.Errorf("AI-credit pool of %s: seat %d of the Copilot seat list has %w", a, i, err)
		}
		if s.Assignee == nil || s.Assignee.Login == "" {
			licenses[plan]++
			continue
		}
		login := strings.ToLower(s.Assignee.Login)
		if prev, seen := byUser[login]; !seen || planCredits(plan, perPlan) > planCredits(prev, perPlan) {
			byUser[login] = plan
		}
	}
	for _, plan := range byUser {
		licenses[plan]++
	}
	return licenses, nil
}

// organizationLicenses is the organization's seat_breakdown.total under its
// plan_type (unknownPlan when GitHub leaves it out, which its schema
// allows). A plan_type whose credits are not known fails the pool, not the
// copilot collector.
func organizationLicenses(ctx context.Context, client *githubapi.Client, a githubapi.Account, perPlan map[string]float64) (map[string]float64, error) {
	b, err := client.SharedCopilotBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Copilot billing for %s: %w", a, err)
	}
	plan, err := planOf(b.PlanType, perPlan)
	if err != nil {
		return nil, fmt.Errorf("AI-credit pool of %s: the Copilot billing answer has %w", a, err)
	}
	if b.SeatBreakdown.Total < 0 || math.IsNaN(b.SeatBreakdown.Total) {
		return nil, fmt.Errorf("AI-credit pool of %s: seat_breakdown.total is %v", a, b.SeatBreakdown.Total)
	}
	return map[string]float64{plan: b.SeatBreakdown.Total}, nil
}

// aiCreditPoolRequests are the pool's requests: the answers the copilot
// and ai_credits collectors read in the round, shared with them, plus, for
// an enterprise, every page of the seat list (the copilot collector reads
// one seat of it unless --collector.copilot.by-plan, which shares the
// pages).
func aiCreditPoolRequests(s Shape) []Call {
	if s.Scope == githubapi.ScopeOrganization {
		return append([]Call{copilotBillingCall()}, aiCreditsRequests(s)...)
	}
	return append([]Call{copilotSeatPagesCall(s)}, aiCreditsRequests(s)...)
}
