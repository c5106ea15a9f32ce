package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	licensesConsumed  = NewDesc("enterprise_licenses_consumed", "Enterprise seat licences in use (total_seats_consumed of consumed-licenses).")
	licensesPurchased = NewDesc("enterprise_licenses_purchased", "Enterprise seat licences purchased (total_seats_purchased of consumed-licenses).")
)

type licensesCollector struct{}

func newLicensesCollector(Options) Collector { return licensesCollector{} }

func (licensesCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	l, err := client.ConsumedLicenses(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch consumed licenses for %s: %w", a, err)
	}
	m := newMetricSet(a)
	m.add(licensesConsumed, l.TotalSeatsConsumed)
	m.add(licensesPurchased, l.TotalSeatsPurchased)
	return m.metrics(), nil
}
