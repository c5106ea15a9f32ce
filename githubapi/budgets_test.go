package githubapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

func TestBudgetsDecodeTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"enterprise-budgets-list.json"))
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	want := []githubapi.Budget{
		{
			ID: "2066deda-923f-43f9-88d2-62395a28c0cdd", Type: "ProductPricing", Amount: 1000, PreventFurtherUsage: true,
			Scope: "enterprise", ProductSKUs: githubapi.StringOrList{"actions"},
			Alerting: githubapi.BudgetAlerting{WillAlert: true, AlertRecipients: []string{"enterprise-admin", "billing-manager"}},
		},
		{
			ID: "f47ac10b-58cc-4372-a567-0e02b2c3d479", Type: "SkuPricing", Amount: 500,
			Scope: "organization", ProductSKUs: githubapi.StringOrList{"actions_linux"},
			Alerting: githubapi.BudgetAlerting{WillAlert: true, AlertRecipients: []string{"org-owner"}},
		},
		{
			ID: "6ba7b810-9dad-11d1-80b4-00c04fd430c8", Type: "ProductPricing", Amount: 250, PreventFurtherUsage: true,
			Scope: "cost_center", ProductSKUs: githubapi.StringOrList{"packages"},
			Alerting: githubapi.BudgetAlerting{AlertRecipients: []string{}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestBudgetSKUsComeFromTheStringOrTheList(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{`{"budget_product_sku": "actions_linux"}`, []string{"actions_linux"}},
		{`{"budget_product_skus": ["actions", "packages"]}`, []string{"actions", "packages"}},
		{`{"budget_product_sku": ["copilot"]}`, []string{"copilot"}},
		{`{"budget_product_skus": "codespaces"}`, []string{"codespaces"}},
		{`{"budget_product_sku": "actions", "budget_product_skus": ["actions", "packages"]}`, []string{"actions", "packages"}},
		{`{"budget_product_sku": null, "budget_product_skus": []}`, nil},
		{`{}`, nil},
	} {
		var b githubapi.Budget
		if err := json.Unmarshal([]byte(tc.body), &b); err != nil {
			t.Errorf("%s: %v", tc.body, err)
			continue
		}
		if got := b.SKUs(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: SKUs() = %q, want %q", tc.body, got, tc.want)
		}
	}
	var b githubapi.Budget
	if err := json.Unmarshal([]byte(`{"budget_product_sku": 7}`), &b); err == nil {
		t.Error("a number as SKU decoded without error")
	}
}

func TestBudgetsConsumedAmountOnlyWhenSent(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/organizations/acme-web/settings/billing/budgets", fakegithubtest.ServeString(`{"budgets": [
		{"id": "a", "budget_type": "ProductPricing", "budget_product_skus": ["actions"], "budget_scope": "enterprise", "prevent_further_usage": false, "budget_alerting": {"will_alert": false, "alert_recipients": []}, "budget_amount": 100, "consumed_amount": 12.34},
		{"id": "b", "budget_type": "ProductPricing", "budget_product_skus": ["actions"], "budget_scope": "enterprise", "prevent_further_usage": false, "budget_alerting": {"will_alert": false, "alert_recipients": []}, "budget_amount": 100, "consumed_amount": 0},
		{"id": "c", "budget_type": "ProductPricing", "budget_product_skus": ["actions"], "budget_scope": "enterprise", "prevent_further_usage": false, "budget_alerting": {"will_alert": false, "alert_recipients": []}, "budget_amount": 100}
	], "has_next_page": false}`))
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d budgets, want 3", len(got))
	}
	if got[0].ConsumedAmount == nil || *got[0].ConsumedAmount != 12.34 {
		t.Errorf("a: consumed %v, want 12.34", got[0].ConsumedAmount)
	}
	if got[1].ConsumedAmount == nil || *got[1].ConsumedAmount != 0 {
		t.Errorf("b: consumed %v, want 0", got[1].ConsumedAmount)
	}
	if got[2].ConsumedAmount != nil {
		t.Errorf("c: consumed %v, want none", *got[2].ConsumedAmount)
	}
}

// objRequiredBudgetFields are the fields GitHub's schema requires of every
// budget besides id and budget_amount.
const objRequiredBudgetFields = `"budget_type": "ProductPricing", "budget_product_skus": ["actions"], "budget_scope": "enterprise",
	"prevent_further_usage": false, "budget_alerting": {"will_alert": false, "alert_recipients": []}`

// objBudgetPages serves pages of n budgets each (ids PAGE-I) with
// has_next_page until lastPage, recording the queries.
func objBudgetPages(q *fakegithubtest.Queries, n, lastPage int, sameEveryPage bool) http.HandlerFunc {
	return q.Wrap(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if sameEveryPage {
			page = 1
		}
		var items []string
		for i := range n {
			items = append(items, fmt.Sprintf(`{"id": "%d-%d", "budget_amount": 10, `+objRequiredBudgetFields+`}`, page, i))
		}
		fmt.Fprintf(w, `{"budgets": [%s], "has_next_page": %t}`, strings.Join(items, ","), lastPage < 0 || page < lastPage)
	})
}

func TestBudgetsReadEveryPage(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var q fakegithubtest.Queries
	srv.Override("/enterprises/acme/settings/billing/budgets", objBudgetPages(&q, 10, 2, false))
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || got[0].ID != "1-0" || got[19].ID != "2-9" {
		t.Errorf("got %d budgets (%v … %v), want 20 from 1-0 to 2-9", len(got), got[0].ID, got[len(got)-1].ID)
	}
	// Enterprise lists take 100 a page since GitHub's newest description
	// (API.md §14); this server sends 10 anyway, and paging follows it.
	want := []url.Values{{"page": {"1"}, "per_page": {"100"}}, {"page": {"2"}, "per_page": {"100"}}}
	if qs := q.All(); !reflect.DeepEqual(qs, want) {
		t.Errorf("queries %v, want %v", qs, want)
	}

	var orgQ fakegithubtest.Queries
	srv.Override("/organizations/acme-web/settings/billing/budgets", objBudgetPages(&orgQ, 3, 1, false))
	if _, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}); err != nil {
		t.Fatal(err)
	}
	if qs := orgQ.All(); !reflect.DeepEqual(qs, []url.Values{{"page": {"1"}, "per_page": {"100"}}}) {
		t.Errorf("organization queries %v, want one page of 100", qs)
	}
}

func TestBudgetsOnTwoPagesOfTheFake(t *testing.T) {
	d := fakegithub.NewDataset()
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	consumed := 42.5
	for i := range 101 {
		b := githubapi.Budget{ID: fmt.Sprintf("b-%03d", i), Type: "ProductPricing", Amount: float64(100 + i), Scope: "enterprise",
			ProductSKUs: githubapi.StringOrList{"actions"}}
		if i == 100 {
			b.Type, b.ProductSKUs, b.ProductSKU, b.ConsumedAmount = "SkuPricing", nil, githubapi.StringOrList{"actions_linux"}, &consumed
		}
		d.Enterprises["acme"].Platform.Budgets = append(d.Enterprises["acme"].Platform.Budgets, b)
	}
	srv := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 101 {
		t.Fatalf("got %d budgets, want 101", len(got))
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/budgets"); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
	last := got[100]
	if last.ID != "b-100" || !reflect.DeepEqual(last.SKUs(), []string{"actions_linux"}) || last.ConsumedAmount == nil || *last.ConsumedAmount != 42.5 {
		t.Errorf("last budget %+v", last)
	}
	if got[0].ConsumedAmount != nil {
		t.Errorf("first budget has consumed %v, the fake sent none", *got[0].ConsumedAmount)
	}
}

func TestBudgetsDuplicateAcrossPagesIsKeptOnce(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/organizations/acme-web/settings/billing/budgets", func(w http.ResponseWriter, r *http.Request) {
		// A budget was added while paging: "b" moved to page 2.
		if r.URL.Query().Get("page") == "1" {
			fmt.Fprint(w, `{"budgets": [{"id": "a", "budget_amount": 1, `+objRequiredBudgetFields+`}, {"id": "b", "budget_amount": 1, `+objRequiredBudgetFields+`}], "has_next_page": true}`)
			return
		}
		fmt.Fprint(w, `{"budgets": [{"id": "b", "budget_amount": 1, `+objRequiredBudgetFields+`}, {"id": "c", "budget_amount": 1, `+objRequiredBudgetFields+`}], "has_next_page": false}`)
	})
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, b := range got {
		ids = append(ids, b.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "b", "c"}) {
		t.Errorf("ids %v, want a b c", ids)
	}
}

func TestBudgetsStopWhenHasNextPageNeverEnds(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}

	// A server that ignores page and repeats itself is caught on page 2.
	var same fakegithubtest.Queries
	srv.Override("/enterprises/acme/settings/billing/budgets", objBudgetPages(&same, 2, -1, true))
	_, err := client.Budgets(context.Background(), ent)
	if err == nil || !strings.Contains(err.Error(), "no new budgets") {
		t.Errorf("repeating server: got %v", err)
	}
	if n := len(same.All()); n != 2 {
		t.Errorf("repeating server: %d requests, want 2", n)
	}

	// One that makes up new budgets forever is cut off at the page cap.
	var endless fakegithubtest.Queries
	srv.Override("/enterprises/acme/settings/billing/budgets", objBudgetPages(&endless, 1, -1, false))
	_, err = client.Budgets(context.Background(), ent)
	if err == nil || !strings.Contains(err.Error(), "has_next_page after 1000 pages") {
		t.Errorf("endless server: got %v", err)
	}
	if n := len(endless.All()); n != 1000 {
		t.Errorf("endless server: %d requests, want 1000", n)
	}
}

func TestBudgetsAreNotAUserThing(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	if _, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); err == nil {
		t.Error("no error for a user")
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests for a user", n)
	}
}

// The demo's budgets are shaped like GitHub's: consumed_amount only on the
// user budget, every budget on one page of 100.
func TestDemoBudgetsAreShapedLikeGitHubs(t *testing.T) {
	for _, day := range []int{1, 15, 28} {
		now := time.Date(2026, time.February, day, 23, 0, 0, 0, time.UTC)
		srv := fakegithubtest.Start(t, demo.Dataset(now))
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise})
		if err != nil {
			t.Fatal(err)
		}
		if n := srv.Requests("/enterprises/" + demo.Enterprise + "/settings/billing/budgets"); n != 1 {
			t.Errorf("day %d: demo budgets read in %d requests, want one page", day, n)
		}
		users := 0
		for _, b := range got {
			switch {
			case b.Scope == "user" && b.ConsumedAmount != nil:
				users++
			case b.Scope != "user" && b.ConsumedAmount != nil:
				t.Errorf("day %d: %s budget %s carries consumed_amount %v; GitHub sends it for user budgets only", day, b.Scope, b.ID, *b.ConsumedAmount)
			}
		}
		if users != 1 {
			t.Errorf("day %d: %d user budgets with consumed_amount, want 1", day, users)
		}
	}
}

// A list filtered by user whose effective_budget is one of the listed
// budgets lends it GitHub's consumed_amount; GitHub's own example (whose
// effective budget is another id) lends none.
func TestBudgetsEffectiveBudgetLendsItsConsumption(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/settings/billing/budgets", fakegithubtest.ServeString(`{"budgets": [
		{"id": "u-1", "budget_type": "BundlePricing", "budget_product_skus": ["ai_credits"], "budget_scope": "user",
		 "budget_amount": 500, "prevent_further_usage": true, "budget_alerting": {"will_alert": true, "alert_recipients": []}}
	], "user": "octocat", "effective_budget": {"id": "u-1", "budget_amount": 500, "consumed_amount": 42}, "has_next_page": false}`))
	got, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ConsumedAmount == nil || *got[0].ConsumedAmount != 42 || got[0].User != "octocat" {
		t.Errorf("got %+v, want u-1 consumed 42 for octocat", got)
	}

	srv.Override("/organizations/acme-web/settings/billing/budgets", fakegithubtest.ServeFile(examplesDir+"org-budgets-list.user-filter.json"))
	got, err = client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range got {
		if b.ConsumedAmount != nil {
			t.Errorf("%s: consumed %v, the example sends none for it", b.ID, *b.ConsumedAmount)
		}
	}
}

// Budgets without an id cannot be told apart from those of the page before:
// a server that repeats a page of id-less budgets and says has_next_page
// is caught on page 2, as one repeating identified budgets is, not after
// 1,000 requests.
func TestBudgetsWithoutIDStopWhenPagesRepeat(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var n atomic.Int32
	srv.Override("/organizations/acme-web/settings/billing/budgets", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fmt.Fprint(w, `{"budgets": [{"id": "", "budget_amount": 5, `+objRequiredBudgetFields+`}], "has_next_page": true}`)
	})
	_, err := client.Budgets(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err == nil || !strings.Contains(err.Error(), "no new budgets") {
		t.Errorf("got %v, want the no-new-budgets error", err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("%d requests, want 2", got)
	}
}

// A user-states entry may come without user (the schema requires only
// consumed_amount and target_amount). Page 1 is GitHub's example with
// octocat's user removed; page 2 holds two entries without a user, and
// nothing else: it is still progress, not a page that repeats page 1.
// A page that only repeats logins already read is refused.
func TestBudgetUserStatesWithoutUser(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	path := "/enterprises/acme/settings/billing/budgets/b-1/user-states"
	srv.Override(path, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "1":
			fmt.Fprint(w, `{"user_states": [{"consumed_amount": 50.5, "target_amount": 1000},
				{"user": "monalisa", "consumed_amount": 250, "target_amount": 1000, "override_budget_id": "2066deda-923f-43f9-88d2-62395a28c0cdd"}],
				"has_next_page": true, "total_count": 4}`)
		case "2":
			fmt.Fprint(w, `{"user_states": [{"consumed_amount": 0, "target_amount": 50}, {"consumed_amount": 0, "target_amount": 50}],
				"has_next_page": false, "total_count": 4}`)
		default:
			fakegithub.WriteError(w, http.StatusBadRequest, "unexpected page")
		}
	})
	got, err := client.BudgetUserStates(context.Background(), ent, "b-1")
	if err != nil {
		t.Fatal(err)
	}
	want := []githubapi.BudgetUserState{
		{ConsumedAmount: 50.5, TargetAmount: 1000},
		{User: "monalisa", ConsumedAmount: 250, TargetAmount: 1000, OverrideBudgetID: "2066deda-923f-43f9-88d2-62395a28c0cdd"},
		{TargetAmount: 50}, {TargetAmount: 50},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}

	// A server that ignores page: page 2 repeats monalisa, and its
	// nameless entry is no progress beside her.
	srv.Override(path, fakegithubtest.ServeString(`{"user_states": [{"consumed_amount": 1, "target_amount": 5},
		{"user": "monalisa", "consumed_amount": 250, "target_amount": 1000}], "has_next_page": true, "total_count": 9}`))
	if _, err := client.BudgetUserStates(context.Background(), ent, "b-1"); err == nil || !strings.Contains(err.Error(), "not already read") {
		t.Errorf("repeating server: got %v, want a paging error", err)
	}

	// An entry without consumed_amount is still refused.
	srv.Override(path, fakegithubtest.ServeString(`{"user_states": [{"user": "mona", "target_amount": 5}], "has_next_page": false, "total_count": 1}`))
	if _, err := client.BudgetUserStates(context.Background(), ent, "b-1"); err == nil || !strings.Contains(err.Error(), "user_states[0].consumed_amount") {
		t.Errorf("no consumed_amount: got %v", err)
	}
}
