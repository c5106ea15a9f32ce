package collector

import (
	"context"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// EachUsageRow streams every row of a's usage report for query, with the
// cost center it belongs to (the zero CostCenter for the usage in none),
// walking the cost centers as the usage collector does (eachCostCenter):
// for an enterprise, once per cost center of centers with a distinct id and
// once without cost_center_id, so that the rows together are the whole
// account and none is read twice; for organizations and users (centers
// nil), one request. Its errors are the usage collector's.
func EachUsageRow(ctx context.Context, c *githubapi.Client, a githubapi.Account, query githubapi.UsageQuery, centers []githubapi.CostCenter, each func(cc githubapi.CostCenter, it *githubapi.UsageItem) error) error {
	return eachCostCenter(centers, func(_ string, cc githubapi.CostCenter) error {
		q := query
		q.CostCenterID = cc.ID
		return c.Usage(ctx, a, q, func(it *githubapi.UsageItem) error { return each(cc, it) })
	})
}

// UsageRequests is how many requests EachUsageRow sends for one query:
// one per cost center of centers with a distinct id, and one more.
func UsageRequests(centers []githubapi.CostCenter) int {
	kept, _ := distinctCostCenters(centers)
	return len(kept) + 1
}

// DroppedCostCenters says which cost centers EachUsageRow leaves out so
// that no dollar counts twice (no id, or an id already listed).
func DroppedCostCenters(centers []githubapi.CostCenter) []string {
	_, dropped := distinctCostCenters(centers)
	return dropped
}
