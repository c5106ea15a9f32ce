package collector

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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
	type infoKey struct{ id, name, state string }
	type resourceKey struct{ costCenter, resourceType string }
	infos := map[infoKey]bool{}
	// Two cost centers may share a name (a deleted one and its successor);
	// their resources are summed under that name.
	resources := map[resourceKey]float64{}
	for _, cc := range centers {
		infos[infoKey{cc.ID, cc.Name, cc.State}] = true
		for _, r := range cc.Resources {
			resources[resourceKey{cc.Name, r.Type}]++
		}
	}

	m := newMetricSet(a)
	infoKeys := make([]infoKey, 0, len(infos))
	for k := range infos {
		infoKeys = append(infoKeys, k)
	}
	slices.SortFunc(infoKeys, func(x, y infoKey) int {
		return cmp.Or(cmp.Compare(x.name, y.name), cmp.Compare(x.id, y.id), cmp.Compare(x.state, y.state))
	})
	for _, k := range infoKeys {
		m.gauge(costCenterInfo, 1, k.id, k.name, k.state)
	}
	resourceKeys := make([]resourceKey, 0, len(resources))
	for k := range resources {
		resourceKeys = append(resourceKeys, k)
	}
	slices.SortFunc(resourceKeys, func(x, y resourceKey) int {
		return cmp.Or(cmp.Compare(x.costCenter, y.costCenter), cmp.Compare(x.resourceType, y.resourceType))
	})
	for _, k := range resourceKeys {
		m.gauge(costCenterResources, resources[k], k.costCenter, k.resourceType)
	}
	return m.metrics, nil
}
