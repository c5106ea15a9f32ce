package githubapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// AdvancedSecurityCommitters is the sum of every page of
// GET {enterprise|org}/settings/billing/advanced-security.
type AdvancedSecurityCommitters struct {
	TotalAdvancedSecurityCommitters     float64                      `json:"total_advanced_security_committers"`
	TotalCount                          float64                      `json:"total_count"`
	MaximumAdvancedSecurityCommitters   float64                      `json:"maximum_advanced_security_committers"`
	PurchasedAdvancedSecurityCommitters float64                      `json:"purchased_advanced_security_committers"`
	Repositories                        []AdvancedSecurityRepository `json:"repositories"`
}

// AdvancedSecurityRepository is one repository's active committers.
type AdvancedSecurityRepository struct {
	Name                                string                      `json:"name"`
	AdvancedSecurityCommitters          float64                     `json:"advanced_security_committers"`
	AdvancedSecurityCommittersBreakdown []AdvancedSecurityCommitter `json:"advanced_security_committers_breakdown"`
}

// AdvancedSecurityCommitter is one committer of a repository.
type AdvancedSecurityCommitter struct {
	UserLogin       string `json:"user_login"`
	LastPushedDate  string `json:"last_pushed_date"`
	LastPushedEmail string `json:"last_pushed_email"`
}

// The advanced_security_product values GitHub takes (API.md §14): the
// standalone products. The bundled Advanced Security plan takes none.
const (
	AdvancedSecurityCodeSecurity     = "code_security"
	AdvancedSecuritySecretProtection = "secret_protection"
)

// AdvancedSecurityCommitters reads every page (100 repositories each) of the
// active-committer report of an enterprise or organization on the bundled
// Advanced Security plan. See AdvancedSecurityProductCommitters.
func (c *Client) AdvancedSecurityCommitters(ctx context.Context, a Account) (*AdvancedSecurityCommitters, error) {
	return c.AdvancedSecurityProductCommitters(ctx, a, "")
}

// AdvancedSecurityProductCommitters reads every page of the active-committer
// report of one standalone product (advanced_security_product), or of the
// bundled plan when product is "". The totals come from the first page; the
// repositories of all pages are concatenated. Every page must carry
// repositories, the one field the schema requires (an empty list is fine);
// the totals are optional there and read as 0 when absent.
//
// Pages follow the Link header. GitHub's description declares none for
// these pages, so without one the next page is asked for while the pages
// read so far were full and hold fewer repositories than total_count.
func (c *Client) AdvancedSecurityProductCommitters(ctx context.Context, a Account, product string) (*AdvancedSecurityCommitters, error) {
	const perPage = 100
	e := legacyEndpoint(a, "/settings/billing/advanced-security")
	e.query = url.Values{"per_page": {strconv.Itoa(perPage)}}
	if product != "" {
		e.query.Set("advanced_security_product", product)
	}
	var total *AdvancedSecurityCommitters
	page := 1
	err := c.eachPage(ctx, e, "repositories", func(resp *http.Response) ([]string, string, error) {
		var body AdvancedSecurityCommitters
		if err := decodeRequired(e, resp, &body, "repositories"); err != nil {
			return nil, "", err
		}
		if total == nil {
			total = &body
		} else {
			total.Repositories = append(total.Repositories, body.Repositories...)
		}
		keys := make([]string, len(body.Repositories))
		for i, r := range body.Repositories {
			keys[i] = r.Name
		}
		orNext := ""
		if page++; len(body.Repositories) >= perPage && float64(len(total.Repositories)) < total.TotalCount {
			e.query.Set("page", strconv.Itoa(page))
			orNext = c.url(e)
		}
		return keys, orNext, nil
	})
	if err != nil {
		return nil, err
	}
	return total, nil
}
