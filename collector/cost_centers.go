package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	costCenterInfo      = NewDesc("cost_center_info", "A cost center of the enterprise; always 1.", "cost_center_id", "cost_center", "state")
	costCenterResources = NewDesc("cost_center_resources", "Resources (users, organizations, repositories, enterprise teams) assigned to the cost center, by type.", "cost_center", "resource_type")
	costCenterPool      = NewDesc("cost_center_ai_credit_pool_enabled", "1 when the cost center is capped by its own AI-credit pool (ai_credit_pool_enabled), 0 when it draws from the enterprise's shared pool.", "cost_center_id", "cost_center")
	costCenterPoolCap   = NewDesc("cost_center_ai_credit_pool_target_credits", "The cost center's AI-credit cap this month, in AI credits (ai_credit_pool_state.target_amount); no series while GitHub sends null.", "cost_center_id", "cost_center")
	costCenterPoolUsed  = NewDesc("cost_center_ai_credit_pool_used_credits", "AI credits the cost center drew from its pool this month (ai_credit_pool_state.current_amount); no series while GitHub sends null.", "cost_center_id", "cost_center")
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
			m.add(costCenterResources, 1, cc.Name, r.Type)
		}
		if cc.AICreditPoolEnabled != nil {
			m.maximum(costCenterPool, boolValue(*cc.AICreditPoolEnabled), cc.ID, cc.Name)
		}
		if st := cc.AICreditPoolState; st != nil {
			if st.TargetAmount != nil {
				m.maximum(costCenterPoolCap, *st.TargetAmount, cc.ID, cc.Name)
			}
			if st.CurrentAmount != nil {
				m.maximum(costCenterPoolUsed, *st.CurrentAmount, cc.ID, cc.Name)
			}
		}
	}
	return m.metrics(), nil
}
