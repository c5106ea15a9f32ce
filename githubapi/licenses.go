package githubapi

import (
	"context"
	"fmt"
	"net/url"
)

// ConsumedLicenses is the totals of GET /enterprises/{enterprise}/consumed-licenses.
type ConsumedLicenses struct {
	TotalSeatsConsumed  float64 `json:"total_seats_consumed"`
	TotalSeatsPurchased float64 `json:"total_seats_purchased"`
}

// licensesRequired is what the totals need: without them there is nothing
// to export.
var licensesRequired = []string{"total_seats_consumed", "total_seats_purchased"}

// ConsumedLicenses reads an enterprise's seat licence totals with one page
// of one user (per_page=1): the totals come with every page, the users are
// not needed.
func (c *Client) ConsumedLicenses(ctx context.Context, a Account) (*ConsumedLicenses, error) {
	if a.Scope != ScopeEnterprise {
		return nil, fmt.Errorf("consumed licenses: %s has none (enterprises only)", a)
	}
	e := legacyEndpoint(a, "/consumed-licenses")
	e.query = url.Values{"per_page": {"1"}}
	var v ConsumedLicenses
	if err := c.getJSON(ctx, e, &v, licensesRequired...); err != nil {
		return nil, err
	}
	return &v, nil
}
