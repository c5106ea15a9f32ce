package collector

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

type budgetsCollectorStub struct{}

func newBudgetsCollector(Options) Collector { return budgetsCollectorStub{} }

func (budgetsCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}
