package fakegithub

import (
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func (s *Server) reportRoutes() {
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/reports", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		if pd.ReportExports == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteJSON(w, map[string]any{"usage_report_exports": pd.ReportExports})
	})
}
