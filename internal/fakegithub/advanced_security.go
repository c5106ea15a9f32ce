package fakegithub

import (
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func (s *Server) advancedSecurityRoutes() {
	for _, p := range legacyPrefixes {
		if p.scope != githubapi.ScopeUser {
			s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/advanced-security", s.advancedSecurity(p.scope))
		}
	}
}

// advancedSecurity serves the paginated active-committer report with Link
// headers like GitHub's.
func (s *Server) advancedSecurity(scope githubapi.Scope) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.account(w, r, scope)
		if a == nil {
			return
		}
		if a.AdvancedSecurity == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		perPage := queryInt(r, "per_page", 30)
		page := queryInt(r, "page", 1)
		repos := a.AdvancedSecurity.Repositories
		lastPage := max(1, (len(repos)+perPage-1)/perPage)
		from := min(len(repos), (page-1)*perPage)
		to := min(len(repos), from+perPage)
		body := *a.AdvancedSecurity
		body.Repositories = repos[from:to]
		setLinks(w, r, page, lastPage)
		WriteJSON(w, body)
	}
}
