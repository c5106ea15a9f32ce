package fakegithub

import (
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func (s *Server) costCenterRoutes() {
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
}
