package collector

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

type usageCollector struct{}

func newUsageCollector(Options) Collector { return usageCollector{} }

func (usageCollector) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("usage collector: not implemented yet")
}
