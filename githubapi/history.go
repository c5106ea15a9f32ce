package githubapi

import (
	"context"
	"strconv"
	"time"
)

// The usage, summary, premium-request and AI-credit endpoints also take day:
// with year, month and day they answer that one day's usage (API.md §14).
// The backfill command asks for past days one at a time with the functions
// below; the collectors of the live exporter ask for the month to date.

// HistoryMonths is how far back GitHub keeps the summary, premium-request and
// AI-credit reports: the past 24 months (/usage states no limit).
const HistoryMonths = 24

// dayEndpoint is a billing-platform endpoint asked for one calendar day.
func dayEndpoint(a Account, suffix string, day time.Time) (endpoint, error) {
	e, err := monthEndpoint(a, suffix, day.Year(), day.Month())
	if err != nil {
		return e, err
	}
	e.query.Set("day", strconv.Itoa(day.Day()))
	return e, nil
}

// dayPeriod is the timePeriod of the answer for one day.
func dayPeriod(day time.Time) SummaryTimePeriod {
	return SummaryTimePeriod{Year: day.Year(), Month: int(day.Month()), Day: day.Day()}
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

// UsageSummaryDay fetches the usage summary of one UTC day.
func (c *Client) UsageSummaryDay(ctx context.Context, a Account, day time.Time) (*UsageSummary, error) {
	e, err := dayEndpoint(a, "/settings/billing/usage/summary", day)
	if err != nil {
		return nil, err
	}
	// A server that ignores day would answer the month, and a backfill
	// that summed months as days would be wrong money: the answer must be
	// for the day.
	return c.usageSummary(ctx, a, e, dayPeriod(day))
}

// PremiumRequestUsageDay fetches the premium requests of one UTC day.
func (c *Client) PremiumRequestUsageDay(ctx context.Context, a Account, day time.Time) (*ModelUsageReport, error) {
	return c.modelUsageDay(ctx, a, "/settings/billing/premium_request/usage", day)
}

// AICreditUsageDay fetches the AI credits of one UTC day.
func (c *Client) AICreditUsageDay(ctx context.Context, a Account, day time.Time) (*ModelUsageReport, error) {
	return c.modelUsageDay(ctx, a, "/settings/billing/ai_credit/usage", day)
}

func (c *Client) modelUsageDay(ctx context.Context, a Account, suffix string, day time.Time) (*ModelUsageReport, error) {
	e, err := dayEndpoint(a, suffix, day)
	if err != nil {
		return nil, err
	}
	return c.modelReport(ctx, a, e, dayPeriod(day), AICreditFilter{})
}
