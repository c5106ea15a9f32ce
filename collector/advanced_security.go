package collector

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	ghasCommitters          = NewDesc("advanced_security_committers", "Active Advanced Security committers, each counted once across repositories.", "product")
	ghasMaxCommitters       = NewDesc("advanced_security_max_committers", "Maximum Advanced Security committers in the billing cycle.", "product")
	ghasPurchasedCommitters = NewDesc("advanced_security_purchased_committers", "Advanced Security committer seats purchased.", "product")
	ghasRepositories        = NewDesc("advanced_security_repositories", "Repositories with Advanced Security active committers (total_count).", "product")
	ghasRepoCommitters      = NewDesc("advanced_security_repository_committers", "Active Advanced Security committers of one repository.", "product", "repository")
)

type advancedSecurityCollector struct{ byRepository bool }

func newAdvancedSecurityCollector(o Options) Collector {
	return advancedSecurityCollector{byRepository: o.AdvancedSecurityByRepository}
}

// refusedParameters says whether GitHub refused the request's parameters
// (400 or 422) rather than the credential or the account.
func refusedParameters(err error) bool {
	var ae *githubapi.APIError
	return errors.As(err, &ae) && (ae.StatusCode == http.StatusBadRequest || ae.StatusCode == http.StatusUnprocessableEntity)
}

// Update reads the bundled plan's report (product=""), as for every account
// before the standalone products. GitHub requires advanced_security_product
// of accounts on the standalone Code Security or Secret Protection products
// and refuses the bundled form for them: on that refusal each product is
// read instead, and a product GitHub also refuses is one the account does
// not have. No configuration is needed either way.
func (c advancedSecurityCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	m := newMetricSet(a)
	r, err := client.AdvancedSecurityCommitters(ctx, a)
	if err == nil {
		c.add(m, "", r)
		return m.metrics(), nil
	}
	if !refusedParameters(err) {
		return nil, fmt.Errorf("fetch Advanced Security committers for %s: %w", a, err)
	}
	bundled := err
	read := 0
	for _, product := range []string{githubapi.AdvancedSecurityCodeSecurity, githubapi.AdvancedSecuritySecretProtection} {
		r, err := client.AdvancedSecurityProductCommitters(ctx, a, product)
		if refusedParameters(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("fetch Advanced Security committers (%s) for %s: %w", product, a, err)
		}
		c.add(m, product, r)
		read++
	}
	if read == 0 {
		return nil, fmt.Errorf("fetch Advanced Security committers for %s: GitHub refused the bundled plan and both standalone products: %w", a, bundled)
	}
	return m.metrics(), nil
}

func (c advancedSecurityCollector) add(m *metricSet, product string, r *githubapi.AdvancedSecurityCommitters) {
	m.add(ghasCommitters, r.TotalAdvancedSecurityCommitters, product)
	m.add(ghasMaxCommitters, r.MaximumAdvancedSecurityCommitters, product)
	m.add(ghasPurchasedCommitters, r.PurchasedAdvancedSecurityCommitters, product)
	m.add(ghasRepositories, r.TotalCount, product)
	if c.byRepository {
		// A repository on two pages (its committers changed while paging)
		// is summed like any other rows that share labels.
		for _, repo := range r.Repositories {
			m.add(ghasRepoCommitters, repo.AdvancedSecurityCommitters, product, repo.Name)
		}
	}
}
