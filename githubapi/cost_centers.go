package githubapi

import "context"

// CostCenter is one cost center of an enterprise.
type CostCenter struct {
	ID                string               `json:"id"`
	Name              string               `json:"name"`
	State             string               `json:"state"`
	AzureSubscription *string              `json:"azure_subscription"`
	Resources         []CostCenterResource `json:"resources"`
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
