package githubapi

import (
	"context"
	"fmt"
	"time"
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

// UsageSummary fetches the usage summary of one calendar month.
func (c *Client) UsageSummary(ctx context.Context, a Account, year int, month time.Month) (*UsageSummary, error) {
	e, err := monthEndpoint(a, "/settings/billing/usage/summary", year, month)
	if err != nil {
		return nil, err
	}
	var v UsageSummary
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	return &v, nil
}

// PremiumRequestUsage fetches the premium requests of one calendar month.
func (c *Client) PremiumRequestUsage(ctx context.Context, a Account, year int, month time.Month) (*ModelUsageReport, error) {
	return c.modelUsage(ctx, a, "/settings/billing/premium_request/usage", year, month)
}

// AICreditUsage fetches the AI credits of one calendar month.
func (c *Client) AICreditUsage(ctx context.Context, a Account, year int, month time.Month) (*ModelUsageReport, error) {
	return c.modelUsage(ctx, a, "/settings/billing/ai_credit/usage", year, month)
}

func (c *Client) modelUsage(ctx context.Context, a Account, suffix string, year int, month time.Month) (*ModelUsageReport, error) {
	e, err := monthEndpoint(a, suffix, year, month)
	if err != nil {
		return nil, err
	}
	var v ModelUsageReport
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	return &v, nil
}

// AICreditFilter narrows ai_credit/usage: User to one user's credits
// (organizations and enterprises), CostCenterID to one cost center's, or
// "none" to the credits in no cost center (enterprises only). Empty fields
// are not sent.
type AICreditFilter struct {
	User         string
	CostCenterID string
}

// AICreditUsageFiltered fetches the AI credits of one calendar month that
// match filter.
func (c *Client) AICreditUsageFiltered(ctx context.Context, a Account, year int, month time.Month, filter AICreditFilter) (*ModelUsageReport, error) {
	e, err := monthEndpoint(a, "/settings/billing/ai_credit/usage", year, month)
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
	var v ModelUsageReport
	if err := c.getJSON(ctx, e, &v, summaryRequired(a)...); err != nil {
		return nil, err
	}
	return &v, nil
}
