package githubapi

import (
	"context"
	"fmt"
	"time"
)

// UsageReportExport is one asynchronous usage report export of an
// enterprise (GET /enterprises/{enterprise}/settings/billing/reports).
type UsageReportExport struct {
	ID           string   `json:"id"`
	ReportType   string   `json:"report_type"`
	StartDate    string   `json:"start_date"`
	EndDate      string   `json:"end_date"`
	Status       string   `json:"status"`
	DownloadURLs []string `json:"download_urls,omitempty"`
	// CreatedAt is kept as sent; see Created.
	CreatedAt string `json:"created_at,omitempty"`
	Actor     string `json:"actor,omitempty"`
}

// Created parses CreatedAt; ok is false when GitHub sent none or an
// unreadable one, which is no reason to reject the whole list.
func (r UsageReportExport) Created() (t time.Time, ok bool) {
	t, err := time.Parse(time.RFC3339, r.CreatedAt)
	return t, err == nil
}

// reportExportsRequired is what the schema of a report export requires
// (API.md §14), and the list.
var reportExportsRequired = []string{
	"usage_report_exports",
	"usage_report_exports[].id", "usage_report_exports[].report_type", "usage_report_exports[].start_date",
	"usage_report_exports[].end_date", "usage_report_exports[].status",
}

// UsageReportExports lists an enterprise's usage report exports.
func (c *Client) UsageReportExports(ctx context.Context, a Account) ([]UsageReportExport, error) {
	if a.Scope != ScopeEnterprise {
		return nil, fmt.Errorf("usage report exports: %s has none (enterprises only)", a)
	}
	var body struct {
		Exports []UsageReportExport `json:"usage_report_exports"`
	}
	if err := c.getJSON(ctx, platformEndpoint(a, "/settings/billing/reports"), &body, reportExportsRequired...); err != nil {
		return nil, err
	}
	return body.Exports, nil
}
