package githubapi

import (
	"context"
	"io"
	"net/url"
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

// AdvancedSecurityCommitters reads every page (100 repositories each) of the
// active-committer report of an enterprise or organization. The totals come
// from the first page; the repositories of all pages are concatenated. Every
// page must carry repositories, the one field the schema requires (an empty
// list is fine); the totals are optional there and read as 0 when absent.
func (c *Client) AdvancedSecurityCommitters(ctx context.Context, a Account) (*AdvancedSecurityCommitters, error) {
	e := legacyEndpoint(a, "/settings/billing/advanced-security")
	e.query = url.Values{"per_page": {"100"}}
	var total *AdvancedSecurityCommitters
	err := c.eachPage(ctx, e, func(body io.Reader) error {
		var page AdvancedSecurityCommitters
		if err := decodeRequired(e, body, &page, "repositories"); err != nil {
			return err
		}
		if total == nil {
			total = &page
			return nil
		}
		total.Repositories = append(total.Repositories, page.Repositories...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return total, nil
}
