package fakegithub

import (
	"math"
	"net/http"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// PlatformData is an account's data on GitHub's billing platform. UsageData
// (usage.go) holds the usage reports; BillingObjects (objects.go) holds
// budgets, report exports and Copilot; CostCenters lists an enterprise's cost
// centers.
type PlatformData struct {
	CostCenters []githubapi.CostCenter
	UsageData
	BillingObjects
}

// platformPrefixes are the billing platform's path prefixes, per scope
// (organizations are under /organizations there, not /orgs).
var platformPrefixes = []struct {
	prefix string
	scope  githubapi.Scope
}{
	{"/enterprises/{name}", githubapi.ScopeEnterprise},
	{"/organizations/{name}", githubapi.ScopeOrganization},
	{"/users/{name}", githubapi.ScopeUser},
}

func (s *Server) platformRoutes() {
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/cost-centers", func(w http.ResponseWriter, r *http.Request) {
		p := s.platform(w, r, githubapi.ScopeEnterprise)
		if p == nil {
			return
		}
		state := r.URL.Query().Get("state")
		out := []githubapi.CostCenter{}
		for _, cc := range p.CostCenters {
			if state == "" || cc.State == state {
				if cc.Resources == nil {
					cc.Resources = []githubapi.CostCenterResource{} // GitHub always sends the list
				}
				out = append(out, cc)
			}
		}
		WriteJSON(w, map[string]any{"costCenters": out})
	})
	s.usageRoutes()
	s.objectRoutes()
}

// platform finds the account named in the path and its platform data,
// answering 404 when either is missing.
func (s *Server) platform(w http.ResponseWriter, r *http.Request, scope githubapi.Scope) *PlatformData {
	a := s.account(w, r, scope)
	if a == nil {
		return nil
	}
	if a.Platform == nil {
		WriteError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return a.Platform
}

// addDemoPlatform adds the demo's billing-platform data.
func addDemoPlatform(d *Dataset, now time.Time, rows *demoRows) {
	for _, a := range []*AccountData{d.Enterprises[DemoEnterprise], d.Organizations[DemoOrgWeb], d.Organizations[DemoOrgData], d.Users[DemoUser]} {
		a.Platform = &PlatformData{}
	}
	d.Enterprises[DemoEnterprise].Platform.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform-0001", Name: "Platform", State: "active", Resources: []githubapi.CostCenterResource{{Type: "Org", Name: DemoOrgWeb}},
			// Capped by its own AI-credit pool, as in GitHub's example.
			AICreditPoolEnabled: new(true),
			AICreditPoolState:   &githubapi.AICreditPoolState{TargetAmount: new(21000.0), CurrentAmount: new(math.Round(18500*MonthFraction(now)*10) / 10)}},
		{ID: "cc-datasci-0002", Name: "Data Science", State: "active", Resources: []githubapi.CostCenterResource{{Type: "Org", Name: DemoOrgData}, {Type: "User", Name: "dev-07"}, {Type: "Team", Name: "data-science"}},
			AICreditPoolEnabled: new(false)},
		{ID: "cc-legacy-0003", Name: "Legacy Tools", State: "deleted", Resources: []githubapi.CostCenterResource{}},
	}
	addDemoUsage(d, rows)
	addDemoObjects(d, now, rows)
}
