package githubapi

import (
	"context"
	"fmt"
	"strings"
)

// The usage summary, premium-request and AI-credit endpoints answer one row
// per product and SKU (and model) for the whole window, unlike /usage, which
// answers one row per day, organization and repository. Their rows have a
// different shape from /usage rows, so they have their own types.

// SummaryTimePeriod is the window a summary covers, as GitHub echoes it.
type SummaryTimePeriod struct {
	Year  int `json:"year"`
	Month int `json:"month,omitempty"`
	Day   int `json:"day,omitempty"`
}

// SummaryCostCenter is the cost center a filtered enterprise summary echoes.
type SummaryCostCenter struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// UsageSummary is GET {scope}/settings/billing/usage/summary.
type UsageSummary struct {
	TimePeriod SummaryTimePeriod  `json:"timePeriod"`
	CostCenter *SummaryCostCenter `json:"costCenter,omitempty"`
	UsageItems []UsageSummaryItem `json:"usageItems"`
}

// UsageSummaryItem is one product and SKU of a usage summary. Strings are
// passed through as GitHub sends them; their casing varies over time.
type UsageSummaryItem struct {
	Product      string  `json:"product"`
	SKU          string  `json:"sku"`
	UnitType     string  `json:"unitType"`
	PricePerUnit float64 `json:"pricePerUnit"`
	BillingAmounts
}

// BillingAmounts are the month-to-date figures of a summary, premium-request
// or AI-credit row.
type BillingAmounts struct {
	GrossQuantity    float64 `json:"grossQuantity"`
	GrossAmount      float64 `json:"grossAmount"`
	DiscountQuantity float64 `json:"discountQuantity"`
	DiscountAmount   float64 `json:"discountAmount"`
	NetQuantity      float64 `json:"netQuantity"`
	NetAmount        float64 `json:"netAmount"`
}

// Add adds b's figures to a's.
func (a *BillingAmounts) Add(b BillingAmounts) {
	a.GrossQuantity += b.GrossQuantity
	a.GrossAmount += b.GrossAmount
	a.DiscountQuantity += b.DiscountQuantity
	a.DiscountAmount += b.DiscountAmount
	a.NetQuantity += b.NetQuantity
	a.NetAmount += b.NetAmount
}

// ModelUsageReport is GET {scope}/settings/billing/premium_request/usage or
// …/ai_credit/usage: both answer the same shape.
type ModelUsageReport struct {
	TimePeriod SummaryTimePeriod  `json:"timePeriod"`
	CostCenter *SummaryCostCenter `json:"costCenter,omitempty"`
	UsageItems []ModelUsageItem   `json:"usageItems"`
}

// ModelUsageItem is one product, SKU and model of a premium-request or
// AI-credit report: a summary row with the model added.
type ModelUsageItem struct {
	UsageSummaryItem
	Model string `json:"model"`
}

// No cost_center_id is sent to the summary, premium_request and ai_credit
// endpoints. For an enterprise they then cover every cost center plus
// unassigned usage ("none" would select unassigned usage only), unlike
// /usage, whose default is unassigned usage only. So one call per
// enterprise is the whole enterprise.

// UsageSummary fetches the usage summary of period.
func (c *Client) UsageSummary(ctx context.Context, a Account, period Period) (*UsageSummary, error) {
	e, err := periodEndpoint(a, "/settings/billing/usage/summary", period)
	if err != nil {
		return nil, err
	}
	return c.usageSummary(ctx, a, e, period.timePeriod())
}

// usageSummary fetches e and refuses an answer that is not for period or
// that echoes a filter (none is sent).
func (c *Client) usageSummary(ctx context.Context, a Account, e endpoint, period SummaryTimePeriod) (*UsageSummary, error) {
	var v struct {
		UsageSummary
		summaryEchoes
	}
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	if err := c.checkAnswer(e, a, v.TimePeriod, period, v.summaryEchoes, v.CostCenter, AICreditFilter{}); err != nil {
		return nil, err
	}
	return &v.UsageSummary, nil
}

// PremiumRequestUsage fetches the premium requests of period.
func (c *Client) PremiumRequestUsage(ctx context.Context, a Account, period Period) (*ModelUsageReport, error) {
	e, err := periodEndpoint(a, "/settings/billing/premium_request/usage", period)
	if err != nil {
		return nil, err
	}
	return c.modelReport(ctx, a, e, period.timePeriod(), AICreditFilter{})
}

// modelReport fetches e and refuses an answer that is not for period or
// whose filter echoes are not filter's.
func (c *Client) modelReport(ctx context.Context, a Account, e endpoint, period SummaryTimePeriod, filter AICreditFilter) (*ModelUsageReport, error) {
	var v struct {
		ModelUsageReport
		summaryEchoes
	}
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	if err := c.checkAnswer(e, a, v.TimePeriod, period, v.summaryEchoes, v.CostCenter, filter); err != nil {
		return nil, err
	}
	return &v.ModelUsageReport, nil
}

// summaryRowRequired are the figures every row of a summary,
// premium-request or AI-credit answer must carry non-null (all of a row's
// fields are required by the schema): encoding/json would read a missing
// one as 0, so a renamed field would turn every row into $0.
var summaryRowRequired = []string{
	"usageItems[].grossQuantity", "usageItems[].grossAmount", "usageItems[].discountQuantity",
	"usageItems[].discountAmount", "usageItems[].netQuantity", "usageItems[].netAmount",
}

// summaryRequired are the fields GitHub's schema requires in a summary,
// premium-request or AI-credit answer; an enterprise's also names it.
func summaryRequired(a Account) []string {
	top := []string{"timePeriod", "usageItems"}
	if a.Scope == ScopeEnterprise {
		top = append(top, "enterprise")
	}
	return append(top, summaryRowRequired...)
}

// summaryEchoes are the filters a summary, premium-request or AI-credit
// answer echoes at its top level, beside costCenter. "organization" and
// "user" are also the account key of an organization's and a user's
// answer.
type summaryEchoes struct {
	Repository   string `json:"repository"`
	Product      string `json:"product"`
	SKU          string `json:"sku"`
	Model        string `json:"model"`
	Organization string `json:"organization"`
	User         string `json:"user"`
}

// checkAnswer refuses an answer that is not for what was asked: a
// timePeriod that says another period, an echo of a filter that was not
// sent, or an echo of another value than the one sent. Such an answer is
// refused whole, never counted in part: a GitHub that ignored ?user=
// answers the whole account, and counting that once per user would
// multiply the money.
//
// The echoes are optional in GitHub's schema (API.md §5.2, §5.3:
// timePeriod.month and .day, user, costCenter), and GitHub's own examples
// send none of them, so a missing echo is no proof of anything and is
// accepted: only what an answer says is checked against the question. A
// day's answer is the exception and must echo its day: a month's answer
// summed as a day would be thirty times the money. The per-user AI-credit
// view checks its answers against the unfiltered total too
// (collector/ai_credits_by_user.go). A refused answer is also dropped from
// the ETag cache, so that a 304 does not confirm it.
func (c *Client) checkAnswer(e endpoint, a Account, got, period SummaryTimePeriod, echo summaryEchoes, cc *SummaryCostCenter, filter AICreditFilter) error {
	err := answerProblem(a, got, period, echo, cc, filter)
	if err == nil {
		return nil
	}
	c.etags.forget(c.url(e))
	return &DecodeError{Endpoint: e.template, Path: e.path, Err: fmt.Errorf("%w: %w", ErrNotAsked, err)}
}

func answerProblem(a Account, got, period SummaryTimePeriod, echo summaryEchoes, cc *SummaryCostCenter, filter AICreditFilter) error {
	if !periodAnswers(got, period) {
		return fmt.Errorf("asked for %s, the answer's timePeriod is %s", period, got)
	}
	for _, f := range []struct{ name, value string }{
		{"repository", echo.Repository}, {"product", echo.Product}, {"sku", echo.SKU}, {"model", echo.Model},
	} {
		if f.value != "" {
			return fmt.Errorf("the answer is filtered by %s %q, which was not asked for", f.name, f.value)
		}
	}
	if a.Scope == ScopeEnterprise && echo.Organization != "" {
		return fmt.Errorf("the answer is filtered by organization %q, which was not asked for", echo.Organization)
	}
	if a.Scope != ScopeUser && echo.User != "" && !strings.EqualFold(echo.User, filter.User) {
		if filter.User == "" {
			return fmt.Errorf("the answer is filtered by user %q, which was not asked for", echo.User)
		}
		return fmt.Errorf("asked for user %q, the answer is for user %q", filter.User, echo.User)
	}
	var echoed string
	if cc != nil {
		echoed = cc.ID
	}
	switch filter.CostCenterID {
	case "", "none":
		// No echo is known for "none" (the usage in no cost center); an
		// echoed cost center is one that was not asked for.
		if echoed != "" && echoed != filter.CostCenterID {
			return fmt.Errorf("the answer is filtered by cost center %q, which was not asked for", echoed)
		}
	default:
		if echoed != "" && echoed != filter.CostCenterID {
			return fmt.Errorf("asked for cost center %q, the answer is for cost center %q", filter.CostCenterID, echoed)
		}
	}
	return nil
}

// periodAnswers says whether an answer's timePeriod got fits the period
// asked: the same year; for a month, no other month and no day (GitHub's
// examples echo the year alone); for a day, that very day.
func periodAnswers(got, asked SummaryTimePeriod) bool {
	if asked.Day != 0 {
		return got == asked
	}
	return got.Year == asked.Year && (got.Month == 0 || got.Month == asked.Month) && got.Day == 0
}

// String is the period as a date: 2026, 2026-03 or 2026-03-05.
func (p SummaryTimePeriod) String() string {
	switch {
	case p.Month == 0 && p.Day == 0:
		return fmt.Sprintf("%04d", p.Year)
	case p.Day == 0:
		return fmt.Sprintf("%04d-%02d", p.Year, p.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", p.Year, p.Month, p.Day)
}

// AICreditFilter narrows ai_credit/usage: User to one user's credits
// (organizations and enterprises), CostCenterID to one cost center's, or
// "none" to the credits in no cost center (enterprises only). Empty fields
// are not sent.
type AICreditFilter struct {
	User         string
	CostCenterID string
}

// AICreditUsage fetches the AI credits of period that match filter (the
// zero AICreditFilter: all of them).
func (c *Client) AICreditUsage(ctx context.Context, a Account, period Period, filter AICreditFilter) (*ModelUsageReport, error) {
	e, err := periodEndpoint(a, "/settings/billing/ai_credit/usage", period)
	if err != nil {
		return nil, err
	}
	if filter.User != "" {
		if a.Scope == ScopeUser {
			return nil, fmt.Errorf("GET %s: the user filter is for organizations and enterprises", e.template)
		}
		e.query.Set("user", filter.User)
	}
	if filter.CostCenterID != "" {
		if a.Scope != ScopeEnterprise {
			return nil, fmt.Errorf("GET %s: the cost_center_id filter is for enterprises", e.template)
		}
		e.query.Set("cost_center_id", filter.CostCenterID)
	}
	return c.modelReport(ctx, a, e, period.timePeriod(), filter)
}
