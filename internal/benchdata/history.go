package benchdata

import (
	"strconv"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// History is a dataset for measuring a backfill: the enterprise
// "bench-corp" with costCenters cost centers and orgs organizations
// (org-01, …), each with the rows of one of the demo's organizations (in
// turn) for the 24 months before now, the enterprise's usage split over the
// cost centers by organization.
func History(now time.Time, orgs, costCenters int) *fakegithub.Dataset {
	now = now.UTC()
	d := fakegithub.NewDataset()
	ent := &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Enterprises["bench-corp"] = ent
	for c := range costCenters {
		ent.Platform.CostCenters = append(ent.Platform.CostCenters, githubapi.CostCenter{
			ID: "cc-" + strconv.Itoa(c+1), Name: "Cost center " + strconv.Itoa(c+1), State: "active"})
	}
	copies := make([]demo.Copy, orgs)
	for i := range copies {
		copies[i] = demo.Copy{Name: "org-" + strconv.Itoa(100 + i + 1)[1:], Like: i}
		if costCenters > 0 {
			copies[i].CostCenter = ent.Platform.CostCenters[i*costCenters/orgs].ID
		}
		d.Organizations[copies[i].Name] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	}
	d.History = demo.CopiesHistory(now, "bench-corp", copies)
	return d
}
