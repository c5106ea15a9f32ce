package collector

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

type usageSummaryCollectorStub struct{}

func newUsageSummaryCollector(Options) Collector { return usageSummaryCollectorStub{} }

func (usageSummaryCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}

type premiumRequestsCollectorStub struct{}

func newPremiumRequestsCollector(Options) Collector { return premiumRequestsCollectorStub{} }

func (premiumRequestsCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}

type aICreditsCollectorStub struct{}

func newAICreditsCollector(Options) Collector { return aICreditsCollectorStub{} }

func (aICreditsCollectorStub) Update(context.Context, *githubapi.Client, githubapi.Account) ([]prometheus.Metric, error) {
	return nil, errors.New("not implemented yet")
}
