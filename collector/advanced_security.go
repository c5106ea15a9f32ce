package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	ghasCommitters          = newDesc("advanced_security_committers", "Active Advanced Security committers, each counted once across repositories.")
	ghasMaxCommitters       = newDesc("advanced_security_max_committers", "Maximum Advanced Security committers in the billing cycle.")
	ghasPurchasedCommitters = newDesc("advanced_security_purchased_committers", "Advanced Security committer seats purchased.")
	ghasRepositories        = newDesc("advanced_security_repositories", "Repositories with Advanced Security active committers (total_count).")
	ghasRepoCommitters      = newDesc("advanced_security_repository_committers", "Active Advanced Security committers of one repository.", "repository")
)

type advancedSecurityCollector struct{ byRepository bool }

func newAdvancedSecurityCollector(o Options) Collector {
	return advancedSecurityCollector{byRepository: o.AdvancedSecurityByRepository}
}

func (c advancedSecurityCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	r, err := client.AdvancedSecurityCommitters(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Advanced Security committers for %s: %w", a, err)
	}
	m := newMetricSet(a)
	m.gauge(ghasCommitters, r.TotalAdvancedSecurityCommitters)
	m.gauge(ghasMaxCommitters, r.MaximumAdvancedSecurityCommitters)
	m.gauge(ghasPurchasedCommitters, r.PurchasedAdvancedSecurityCommitters)
	m.gauge(ghasRepositories, r.TotalCount)
	if c.byRepository {
		// A repository on two pages (its committers changed while paging)
		// is summed like any other rows that share labels.
		for _, repo := range r.Repositories {
			m.gauge(ghasRepoCommitters, repo.AdvancedSecurityCommitters, repo.Name)
		}
	}
	return m.metrics(), nil
}
