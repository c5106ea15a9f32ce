package fakegithub

import (
	"net/http"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

func (s *Server) budgetRoutes() {
	for _, p := range platformPrefixes {
		if p.scope != githubapi.ScopeUser {
			s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/budgets", s.budgets(p.scope))
		}
	}
	s.mux.HandleFunc("GET /enterprises/{name}/settings/billing/budgets/{id}/user-states", func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, githubapi.ScopeEnterprise)
		if pd == nil {
			return
		}
		states, ok := pd.BudgetUserStates[r.PathValue("id")]
		if !ok {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		perPage := min(queryInt(r, "per_page", 30), 100)
		page := queryInt(r, "page", 1)
		from := min(len(states), (page-1)*perPage)
		to := min(len(states), from+perPage)
		WriteJSON(w, map[string]any{"user_states": states[from:to], "has_next_page": to < len(states), "total_count": len(states)})
	})
}

// budgets serves a budget list page by page. GitHub documents per_page up to
// 100 for enterprises and organizations; the fake clamps to that.
func (s *Server) budgets(scope githubapi.Scope) http.HandlerFunc {
	const maxPerPage = 100
	return func(w http.ResponseWriter, r *http.Request) {
		pd := s.platform(w, r, scope)
		if pd == nil {
			return
		}
		if pd.Budgets == nil {
			WriteError(w, http.StatusNotFound, "Not Found")
			return
		}
		perPage := min(queryInt(r, "per_page", 10), maxPerPage)
		page := queryInt(r, "page", 1)
		from := min(len(pd.Budgets), (page-1)*perPage)
		to := min(len(pd.Budgets), from+perPage)
		out := make([]map[string]any, 0, to-from)
		for _, b := range pd.Budgets[from:to] {
			out = append(out, objBudgetJSON(b))
		}
		WriteJSON(w, map[string]any{"budgets": out, "has_next_page": to < len(pd.Budgets), "total_count": len(pd.Budgets)})
	}
}

// objBudgetJSON is a budget as GitHub sends it: consumed_amount only when
// known, one SKU as budget_product_sku or a list as budget_product_skus.
func objBudgetJSON(b githubapi.Budget) map[string]any {
	recipients := b.Alerting.AlertRecipients
	if recipients == nil {
		recipients = []string{}
	}
	out := map[string]any{
		"id":                    b.ID,
		"budget_type":           b.Type,
		"budget_amount":         b.Amount,
		"prevent_further_usage": b.PreventFurtherUsage,
		"budget_scope":          b.Scope,
		"budget_entity_name":    b.EntityName,
		"budget_alerting":       map[string]any{"will_alert": b.Alerting.WillAlert, "alert_recipients": recipients},
	}
	if b.ConsumedAmount != nil {
		out["consumed_amount"] = *b.ConsumedAmount
	}
	if b.User != "" {
		out["user"] = b.User
	}
	if b.ExpiresAt != nil {
		out["expires_at"] = *b.ExpiresAt
	}
	switch len(b.ProductSKU) {
	case 0:
	case 1:
		out["budget_product_sku"] = b.ProductSKU[0]
	default:
		out["budget_product_sku"] = []string(b.ProductSKU)
	}
	if b.ProductSKUs != nil {
		out["budget_product_skus"] = []string(b.ProductSKUs)
	}
	return out
}
