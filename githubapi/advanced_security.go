package githubapi

import (
	"context"
	"fmt"
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
	next := c.url(e)
	for page := 1; next != ""; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages", e.path, maxPages)
		}
		resp, err := c.get(ctx, e, next)
		if err != nil {
			return nil, err
		}
		var body AdvancedSecurityCommitters
		err = decodeRequired(e, resp, &body, "repositories")
		resp.Body.Close()
		if err != nil {
			c.etags.forget(next)
			return nil, err
		}
		if total == nil {
			total = &body
		} else {
			total.Repositories = append(total.Repositories, body.Repositories...)
		}
		current := resp.Request.URL
		next = ""
		if link := NextPageURL(resp.Header.Get("Link")); link != "" {
			u, err := url.Parse(link)
			if err != nil {
				return nil, fmt.Errorf("GET %s: invalid Link header: %w", e.template, err)
			}
			if u = current.ResolveReference(u); u.Scheme != c.base.Scheme || u.Host != c.base.Host {
				return nil, fmt.Errorf("GET %s: Link header points to another host %q", e.template, u.Host)
			}
			next = u.String()
		} else if len(body.Repositories) >= perPage && float64(len(total.Repositories)) < total.TotalCount {
			e.query.Set("page", strconv.Itoa(page+1))
			next = c.url(e)
		}
	}
	return total, nil
}
