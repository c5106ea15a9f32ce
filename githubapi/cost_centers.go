package githubapi

import "context"

// CostCenter is one cost center of an enterprise.
type CostCenter struct {
	ID                string               `json:"id"`
	Name              string               `json:"name"`
	State             string               `json:"state"`
	AzureSubscription *string              `json:"azure_subscription"`
	Resources         []CostCenterResource `json:"resources"`
	// AICreditPoolEnabled is nil when GitHub does not send it: true caps
	// the cost center at its own AI-credit pool, false draws from the
	// enterprise's shared pool.
	AICreditPoolEnabled *bool `json:"ai_credit_pool_enabled,omitempty"`
	// AICreditPoolState comes only with an enabled pool.
	AICreditPoolState *AICreditPoolState `json:"ai_credit_pool_state,omitempty"`
}

// AICreditPoolState is a cost center's AI-credit cap and this month's draw,
// in AI credits. Either is nil ("null when the cap budget has not been
// materialized yet").
type AICreditPoolState struct {
	TargetAmount  *float64 `json:"target_amount"`
	CurrentAmount *float64 `json:"current_amount"`
}

// CostCenterResource is a user, organization or repository assigned to a
// cost center.
type CostCenterResource struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// costCentersRequired is what the schema of a cost center requires (API.md
// §14), and the list itself: without it the usage collector would quietly
// read only the usage in no cost center.
var costCentersRequired = []string{"costCenters", "costCenters[].id", "costCenters[].name", "costCenters[].resources"}

// CostCenters lists an enterprise's cost centers, active and deleted. The
// usage and cost_centers collectors both need the list in each refresh
// round; they share one answer (see shared), which callers must not modify.
func (c *Client) CostCenters(ctx context.Context, a Account) ([]CostCenter, error) {
	e := platformEndpoint(a, "/settings/billing/cost-centers")
	return c.costCenters.get(ctx, e.path, c.now, func(ctx context.Context) ([]CostCenter, error) {
		var body struct {
			CostCenters []CostCenter `json:"costCenters"`
		}
		if err := c.getJSON(ctx, e, &body, costCentersRequired...); err != nil {
			return nil, err
		}
		return body.CostCenters, nil
	})
}
