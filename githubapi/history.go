package githubapi

import (
	"context"
	"fmt"
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

// summaryRequired are the fields GitHub's schema requires in a summary,
// premium-request or AI-credit answer; an enterprise's also names it.
func summaryRequired(a Account) []string {
	if a.Scope == ScopeEnterprise {
		return []string{"timePeriod", "usageItems", "enterprise"}
	}
	return []string{"timePeriod", "usageItems"}
}

// checkPeriod makes sure GitHub answered the day that was asked for: a
// server that ignores day would answer the month, and a backfill that
// summed months as days would be wrong money.
func checkPeriod(e endpoint, p SummaryTimePeriod, day time.Time) error {
	if p.Year != day.Year() || p.Month != int(day.Month()) || p.Day != day.Day() {
		return &DecodeError{Endpoint: e.template, Path: e.path,
			Err: fmt.Errorf("asked for %s, the answer's timePeriod is %d-%02d-%02d", day.Format(time.DateOnly), p.Year, p.Month, p.Day)}
	}
	return nil
}

// UsageSummaryDay fetches the usage summary of one UTC day.
func (c *Client) UsageSummaryDay(ctx context.Context, a Account, day time.Time) (*UsageSummary, error) {
	e, err := dayEndpoint(a, "/settings/billing/usage/summary", day)
	if err != nil {
		return nil, err
	}
	var v UsageSummary
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	if err := checkPeriod(e, v.TimePeriod, day); err != nil {
		return nil, err
	}
	return &v, nil
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
	var v ModelUsageReport
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	if err := checkPeriod(e, v.TimePeriod, day); err != nil {
		return nil, err
	}
	return &v, nil
}
