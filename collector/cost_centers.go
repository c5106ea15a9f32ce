package collector

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

type costCentersCollectorStub struct{}

func newCostCentersCollector(Options) Collector { return costCentersCollectorStub{} }

func (costCentersCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}
