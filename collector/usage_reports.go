package collector

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

type usageReportsCollectorStub struct{}

func newUsageReportsCollector(Options) Collector { return usageReportsCollectorStub{} }

func (usageReportsCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}
