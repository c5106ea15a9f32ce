package fakegithub

import (
	"fmt"
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func (s *Server) licenseRoutes() {
	s.mux.HandleFunc("GET /enterprises/{name}/consumed-licenses", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		if pd.Licenses == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		// The users of the page asked for, shaped like GitHub's example.
		n := min(queryInt(r, "per_page", 30), 100, int(pd.Licenses.TotalSeatsConsumed))
		users := make([]map[string]any, 0, n)
		for i := range n {
			login := fmt.Sprintf("dev-%02d", i)
			users = append(users, map[string]any{
				"github_com_login": login, "github_com_name": login, "enterprise_server_user_ids": []string{},
				"github_com_user": true, "enterprise_server_user": false, "visual_studio_subscription_user": false,
				"license_type": "enterprise", "github_com_profile": "https://github.com/" + login,
				"github_com_member_roles": []string{}, "github_com_enterprise_roles": []string{},
				"github_com_verified_domain_emails": []string{}, "github_com_saml_name_id": login,
				"github_com_orgs_with_pending_invites": []string{}, "github_com_two_factor_auth": true,
				"enterprise_server_emails": []string{}, "visual_studio_license_status": "",
				"visual_studio_subscription_email": "", "total_user_accounts": 1,
			})
		}
		WriteJSON(w, map[string]any{"total_seats_consumed": pd.Licenses.TotalSeatsConsumed,
			"total_seats_purchased": pd.Licenses.TotalSeatsPurchased, "users": users})
	})
}
