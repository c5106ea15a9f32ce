package fakegithub

import (
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// retiredMessage is what GitHub's hosted service answers on the retired
// endpoints, status as a string included.
const retiredMessage = "This endpoint has been moved."

func (s *Server) legacyRoutes() {
	for _, p := range legacyPrefixes {
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/actions", s.legacy(p.scope, func(a *AccountData) any { return a.Actions }))
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/packages", s.legacy(p.scope, func(a *AccountData) any { return a.Packages }))
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/shared-storage", s.legacy(p.scope, func(a *AccountData) any { return a.SharedStorage }))
	}
}

// legacy serves a retired per-product endpoint: its data when the account has
// it (GitHub Enterprise Server, mirrors), 410 otherwise (GitHub's hosted
// service).
func (s *Server) legacy(scope githubapi.Scope, field func(*AccountData) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := s.account(w, r, scope)
		if a == nil {
			return
		}
		if a.LegacyRetired {
			WriteError(w, http.StatusGone, retiredMessage)
			return
		}
		WriteJSON(w, field(a))
	}
}
