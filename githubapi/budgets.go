package githubapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Budget is one budget of an enterprise or organization. GitHub's schema and
// its examples disagree (budget_product_sku string vs budget_product_skus
// array, budget_type values outside the enum), so SKUs decode leniently and
// the strings pass through as sent.
type Budget struct {
	ID                  string  `json:"id"`
	Type                string  `json:"budget_type"`
	Amount              float64 `json:"budget_amount"`
	PreventFurtherUsage bool    `json:"prevent_further_usage"`
	Scope               string  `json:"budget_scope"`
	EntityName          string  `json:"budget_entity_name"`
	User                string  `json:"user"`
	// ConsumedAmount is nil when GitHub does not send consumed_amount.
	ConsumedAmount *float64       `json:"consumed_amount"`
	ProductSKU     StringOrList   `json:"budget_product_sku"`
	ProductSKUs    StringOrList   `json:"budget_product_skus"`
	Alerting       BudgetAlerting `json:"budget_alerting"`
	// ExpiresAt is kept as sent (newer descriptions add it); nil when
	// absent. See Expires.
	ExpiresAt *string `json:"expires_at"`
}

// Expires parses ExpiresAt; ok is false when GitHub sent none or an
// unreadable one.
func (b Budget) Expires() (t time.Time, ok bool) {
	if b.ExpiresAt == nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, *b.ExpiresAt)
	return t, err == nil
}

// effectiveBudget is what a list filtered by user adds: the budget that
// applies to that user and its consumption.
type effectiveBudget struct {
	ID             string   `json:"id"`
	Amount         float64  `json:"budget_amount"`
	ConsumedAmount *float64 `json:"consumed_amount"`
}

// BudgetAlerting is who hears about a budget's thresholds.
type BudgetAlerting struct {
	WillAlert       bool     `json:"will_alert"`
	AlertRecipients []string `json:"alert_recipients"`
}

// SKUs is the budget's SKUs from budget_product_sku and budget_product_skus,
// each once, in the order GitHub sent them.
func (b Budget) SKUs() []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range []StringOrList{b.ProductSKU, b.ProductSKUs} {
		for _, s := range list {
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}

// StringOrList decodes a JSON string, an array of strings or null.
type StringOrList []string

// UnmarshalJSON accepts "a", ["a","b"] and null.
func (l *StringOrList) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*l = nil
		return nil
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*l = StringOrList{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return fmt.Errorf("want a string or a list of strings: %w", err)
	}
	*l = list
	return nil
}

// budgetPage is one page of GET …/settings/billing/budgets.
type budgetPage struct {
	Budgets         []Budget         `json:"budgets"`
	HasNextPage     bool             `json:"has_next_page"`
	TotalCount      int              `json:"total_count"`
	User            string           `json:"user"`
	EffectiveBudget *effectiveBudget `json:"effective_budget"`
}

// budgetsRequired is what the schema of a budget list requires (API.md §14).
// GitHub's schema names budget_product_sku and its examples send
// budget_product_skus: either will do.
var budgetsRequired = []string{
	"budgets",
	"budgets[].id", "budgets[].budget_type", "budgets[].budget_product_sku|budget_product_skus",
	"budgets[].budget_scope", "budgets[].budget_amount", "budgets[].prevent_further_usage",
	"budgets[].budget_alerting",
}

// budgetsPerPage is the page size asked for: GitHub's newest description
// allows 100 for enterprises too (API.md §14). Pages are numbered by the
// server's own page size, so a smaller page than asked does no harm.
const budgetsPerPage = 100

// Budgets lists every budget of an enterprise or organization, reading page
// after page while the body says has_next_page. A budget that shows up on two
// pages (the list changed while paging) is kept once. The budgets and usage
// collectors both need the list in each refresh round; they share one
// answer (see shared), which callers must not modify.
//
// An effective_budget (sent with a user filter) whose consumed_amount the
// list's budget of the same id lacks lends it that consumption.
func (c *Client) Budgets(ctx context.Context, a Account) ([]Budget, error) {
	if a.Scope != ScopeEnterprise && a.Scope != ScopeOrganization {
		return nil, fmt.Errorf("budgets: %s has none (enterprises and organizations only)", a)
	}
	e := platformEndpoint(a, "/settings/billing/budgets")
	return c.budgets.get(ctx, e.path, c.now, func(ctx context.Context) ([]Budget, error) {
		return c.readBudgets(ctx, e)
	})
}

func (c *Client) readBudgets(ctx context.Context, e endpoint) ([]Budget, error) {
	perPage := strconv.Itoa(budgetsPerPage)
	var out []Budget
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("GET %s: still has_next_page after %d pages; giving up", e.template, maxPages)
		}
		e.query = url.Values{"page": {strconv.Itoa(page)}, "per_page": {perPage}}
		var body budgetPage
		if err := c.getJSON(ctx, e, &body, budgetsRequired...); err != nil {
			return nil, err
		}
		if eb := body.EffectiveBudget; eb != nil && eb.ConsumedAmount != nil {
			for i := range body.Budgets {
				if body.Budgets[i].ID == eb.ID && body.Budgets[i].ConsumedAmount == nil {
					v := *eb.ConsumedAmount
					body.Budgets[i].ConsumedAmount = &v
					body.Budgets[i].User = body.User
				}
			}
		}
		added := 0
		for _, b := range body.Budgets {
			key, kept := budgetKey(b)
			if seen[key] && kept {
				continue
			}
			if !seen[key] {
				added++
			}
			seen[key] = true
			out = append(out, b)
		}
		if !body.HasNextPage {
			return out, nil
		}
		if added == 0 {
			// A page of nothing new that claims a next page: the server
			// ignores page, and following it would never end.
			return nil, fmt.Errorf("GET %s: page %d brought no new budgets but has_next_page is true; giving up", e.template, page)
		}
	}
}

// budgetKey tells a budget from the others of a walk: its id, or for one
// without an id everything it says. kept is false for the id-less: two
// equal id-less budgets may be two budgets, so both are kept, but a page
// of nothing but such repeats is no progress.
func budgetKey(b Budget) (key string, kept bool) {
	if b.ID != "" {
		return "id:" + b.ID, true
	}
	body, _ := json.Marshal(b) // a Budget always marshals
	return "body:" + string(body), false
}

// BudgetUserState is one user of a multi-user budget. User is "" when
// GitHub sent none: the schema requires only consumed_amount and
// target_amount, and GitHub names the user only while it still has the
// user record (API.md §15.3).
type BudgetUserState struct {
	User             string  `json:"user,omitempty"`
	ConsumedAmount   float64 `json:"consumed_amount"`
	TargetAmount     float64 `json:"target_amount"`
	OverrideBudgetID string  `json:"override_budget_id,omitempty"`
}

// userStatesRequired is what the schema of a user-states page requires;
// user is optional.
var userStatesRequired = []string{"user_states", "has_next_page", "total_count",
	"user_states[].consumed_amount", "user_states[].target_amount"}

// BudgetUserStates reads every page (100 users each, while has_next_page)
// of the user states of an enterprise's multi-user budget.
func (c *Client) BudgetUserStates(ctx context.Context, a Account, budgetID string) ([]BudgetUserState, error) {
	if a.Scope != ScopeEnterprise {
		return nil, fmt.Errorf("budget user states: %s has none (enterprises only)", a)
	}
	template, path := a.platformPrefix()
	e := endpoint{template: template + "/settings/billing/budgets/{budget_id}/user-states",
		path: path + "/settings/billing/budgets/" + url.PathEscape(budgetID) + "/user-states"}
	var out []BudgetUserState
	walk := newPageWalk(e, "user states")
	for page := 1; ; page++ {
		e.query = url.Values{"page": {strconv.Itoa(page)}, "per_page": {"100"}}
		if err := walk.fetch(c.url(e)); err != nil {
			return nil, err
		}
		var body struct {
			UserStates  []BudgetUserState `json:"user_states"`
			HasNextPage bool              `json:"has_next_page"`
		}
		if err := c.getJSON(ctx, e, &body, userStatesRequired...); err != nil {
			return nil, err
		}
		out = append(out, body.UserStates...)
		if err := walk.items(userStateKeys(page, body.UserStates), body.HasNextPage); err != nil {
			return nil, err
		}
		if !body.HasNextPage {
			return out, nil
		}
	}
}

// userStateKeys is what tells a page's entries from the pages before: the
// logins of the entries that name a user. A page whose entries name none
// gives each entry its own key (page and place), so such a page counts as
// progress and maxPages alone bounds a walk of them.
func userStateKeys(page int, states []BudgetUserState) []string {
	var keys []string
	for _, s := range states {
		if s.User != "" {
			keys = append(keys, "user:"+s.User)
		}
	}
	if keys == nil {
		for i := range states {
			keys = append(keys, "entry:"+strconv.Itoa(page)+":"+strconv.Itoa(i))
		}
	}
	return keys
}
