package fakegithub

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// retiredBody is what GitHub's hosted service answers on the retired
// endpoints, status as a string included.
const retiredMessage = "This endpoint has been moved."

func (s *Server) routes() {
	for _, p := range []struct{ prefix, wildcard string }{
		{"/enterprises/{name}", "enterprise"},
		{"/orgs/{name}", "organization"},
		{"/users/{name}", "user"},
	} {
		scope := githubapi.Scope(p.wildcard)
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/actions", s.legacy(scope, func(a *AccountData) any { return a.Actions }))
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/packages", s.legacy(scope, func(a *AccountData) any { return a.Packages }))
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/shared-storage", s.legacy(scope, func(a *AccountData) any { return a.SharedStorage }))
		if scope != githubapi.ScopeUser {
			s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/advanced-security", s.advancedSecurity(scope))
		}
	}
	s.platformRoutes()
}

// account finds the account named in the request path, answering 404 when
// the dataset does not have it.
func (s *Server) account(w http.ResponseWriter, r *http.Request, scope githubapi.Scope) *AccountData {
	a := s.dataset().Account(scope, r.PathValue("name"))
	if a == nil {
		WriteError(w, http.StatusNotFound, "Not Found")
	}
	return a
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

func queryInt(r *http.Request, key string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(key)); err == nil && v > 0 {
		return v
	}
	return def
}

// setLinks writes a Link header with next/last (and prev/first) like GitHub's.
func setLinks(w http.ResponseWriter, r *http.Request, page, lastPage int) {
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"), link(1, "first"))
	}
	if page < lastPage {
		links = append(links, link(page+1, "next"), link(lastPage, "last"))
	}
	for i, l := range links {
		if i == 0 {
			w.Header().Set("Link", l)
			continue
		}
		w.Header().Set("Link", w.Header().Get("Link")+", "+l)
	}
}
