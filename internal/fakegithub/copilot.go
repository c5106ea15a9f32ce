package fakegithub

import (
	"net/http"
	"strings"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// CopilotData is an account's Copilot answers (a field of BillingObjects).
type CopilotData struct {
	// CopilotBilling answers /orgs/{org}/copilot/billing.
	CopilotBilling *githubapi.CopilotBilling
	// CopilotSeats is the seat list (Link-paginated); an enterprise's
	// total_seats counts each assignee once, as GitHub documents.
	CopilotSeats []githubapi.CopilotSeat
}

func (s *Server) copilotRoutes() {
	s.mux.HandleFunc("GET /orgs/{name}/copilot/billing", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeOrganization)
		if pd == nil {
			return
		}
		if pd.CopilotBilling == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		WriteJSON(w, pd.CopilotBilling)
	})
	s.mux.HandleFunc("GET /orgs/{name}/copilot/billing/seats", s.copilotSeats(githubapi.ScopeOrganization))
	s.mux.HandleFunc("GET /enterprises/{name}/copilot/billing/seats", s.copilotSeats(githubapi.ScopeEnterprise))
}

// copilotSeats serves a seat list with Link headers (per_page default 50,
// at most 100, as GitHub).
func (s *Server) copilotSeats(scope githubapi.Scope) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, scope)
		if pd == nil {
			return
		}
		if pd.CopilotSeats == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		seats := pd.CopilotSeats
		total := len(seats)
		if scope == githubapi.ScopeEnterprise {
			users := map[string]bool{}
			for _, seat := range seats {
				if seat.Assignee != nil {
					users[strings.ToLower(seat.Assignee.Login)] = true
				}
			}
			total = len(users)
		}
		perPage := min(queryInt(r, "per_page", 50), 100)
		page := queryInt(r, "page", 1)
		lastPage := max(1, (len(seats)+perPage-1)/perPage)
		from := min(len(seats), (page-1)*perPage)
		to := min(len(seats), from+perPage)
		setLinks(w, r, page, lastPage)
		WriteJSON(w, map[string]any{"total_seats": total, "seats": seats[from:to]})
	}
}
