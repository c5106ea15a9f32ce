package githubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// UsageItem is one row of GET {scope}/settings/billing/usage: one product
// and SKU of one organization and repository on one date. Strings are as
// GitHub sends them (casing and style vary); numbers are float64 because
// quantities are fractional although the schema says integer.
type UsageItem struct {
	Date             string  `json:"date"`
	Product          string  `json:"product"`
	SKU              string  `json:"sku"`
	Quantity         float64 `json:"quantity"`
	UnitType         string  `json:"unitType"`
	PricePerUnit     float64 `json:"pricePerUnit"`
	GrossAmount      float64 `json:"grossAmount"`
	DiscountAmount   float64 `json:"discountAmount"`
	NetAmount        float64 `json:"netAmount"`
	OrganizationName string  `json:"organizationName,omitempty"`
	RepositoryName   string  `json:"repositoryName,omitempty"`
}

// UsageQuery selects the rows of a usage report.
type UsageQuery struct {
	// Period's year and month are always sent: without them GitHub answers
	// the whole year with rows dated the 1st of each month. With a day,
	// GitHub answers only that day's rows.
	Period
	// CostCenterID selects one cost center's usage (enterprises only). ""
	// omits the parameter, and GitHub then answers only the usage that
	// belongs to no cost center.
	CostCenterID string
}

// Usage streams the detailed usage report of a, calling each once per row.
// The body is decoded as it arrives and never held whole, so memory does not
// grow with the report: each receives the same *UsageItem every time and must
// not keep the pointer (the strings in it may be kept). An error from each
// stops the decoding and is returned as is; a body that is not the expected
// JSON is a *DecodeError.
func (c *Client) Usage(ctx context.Context, a Account, q UsageQuery, each func(*UsageItem) error) error {
	e, err := periodEndpoint(a, "/settings/billing/usage", q.Period)
	if err != nil {
		return err
	}
	e.streamed = true
	if q.CostCenterID != "" {
		if a.Scope != ScopeEnterprise {
			return fmt.Errorf("GET %s: cost_center_id applies to enterprises only", e.template)
		}
		e.query.Set("cost_center_id", q.CostCenterID)
	}
	rawURL := c.url(e)
	resp, err := c.get(ctx, e, rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	err = decodeUsage(e, resp.Body, usageRequired, q.checkRows(e, each))
	if _, ok := errors.AsType[*DecodeError](err); ok {
		// A later 304 would confirm this body and fail the same way.
		c.etags.forget(rawURL)
	}
	return err
}

// checkRows hands each the rows of the asked month, or day, and refuses
// the report at the first row of another: GitHub did not apply the query
// (asked without month, it answers the whole year), and the rest of its
// answer cannot be trusted either. Leaving such rows out instead would
// show the rest as a whole month. A row's date is "2026-11-05" or
// "2026-11-05T00:00:00Z".
func (q UsageQuery) checkRows(e endpoint, each func(*UsageItem) error) func(*UsageItem) error {
	want := fmt.Sprintf("%04d-%02d-", q.Year, int(q.Month))
	if q.Day != 0 {
		want += fmt.Sprintf("%02d", q.Day)
	}
	row := 0
	return func(it *UsageItem) error {
		if d := it.Date; !strings.HasPrefix(d, want) || len(d) < 10 || len(d) > 10 && d[10] != 'T' {
			asked := strings.TrimSuffix(want, "-")
			return &DecodeError{Endpoint: e.template, Path: e.path,
				Err: fmt.Errorf("usageItems[%d].date is %q, outside %s: %w", row, d, asked, ErrNotAsked)}
		}
		row++
		return each(it)
	}
}

// decodeUsage reads a usage report from r, refusing a row without the
// required fields. Errors of each pass through; everything else is a
// *DecodeError (a missing field wraps a *MissingFieldError).
func decodeUsage(e endpoint, r io.Reader, required usageFields, each func(*UsageItem) error) error {
	s := newUsageScanner(r, required, each)
	if err := s.document(); err != nil {
		if s.stopped != nil {
			return s.stopped
		}
		return &DecodeError{Endpoint: e.template, Path: e.path, Err: err}
	}
	return nil
}
