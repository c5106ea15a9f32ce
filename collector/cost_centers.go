package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	costCenterInfo      = newDesc("cost_center_info", "A cost center of the enterprise; always 1.", "cost_center_id", "cost_center", "state")
	costCenterResources = newDesc("cost_center_resources", "Resources (users, organizations, repositories) assigned to the cost center, by type.", "cost_center", "resource_type")
)

type costCentersCollector struct{}

func newCostCentersCollector(Options) Collector { return costCentersCollector{} }

func (costCentersCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	centers, err := client.CostCenters(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch cost centers for %s: %w", a, err)
	}
	// Two cost centers may share a name (a deleted one and its successor);
	// their resources are summed under that name.
	m := newMetricSet(a)
	for _, cc := range centers {
		m.maximum(costCenterInfo, 1, cc.ID, cc.Name, cc.State)
		for _, r := range cc.Resources {
			m.gauge(costCenterResources, 1, cc.Name, r.Type)
		}
	}
	return m.metrics(), nil
}
