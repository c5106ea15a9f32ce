package collector

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const ghasTotalsExpected = `
# HELP github_billing_advanced_security_committers Active Advanced Security committers, each counted once across repositories.
# TYPE github_billing_advanced_security_committers gauge
github_billing_advanced_security_committers{account="%[1]s",product="",scope="%[2]s"} %[3]s
# HELP github_billing_advanced_security_max_committers Maximum Advanced Security committers in the billing cycle.
# TYPE github_billing_advanced_security_max_committers gauge
github_billing_advanced_security_max_committers{account="%[1]s",product="",scope="%[2]s"} %[4]s
# HELP github_billing_advanced_security_purchased_committers Advanced Security committer seats purchased.
# TYPE github_billing_advanced_security_purchased_committers gauge
github_billing_advanced_security_purchased_committers{account="%[1]s",product="",scope="%[2]s"} %[5]s
# HELP github_billing_advanced_security_repositories Repositories with Advanced Security active committers (total_count).
# TYPE github_billing_advanced_security_repositories gauge
github_billing_advanced_security_repositories{account="%[1]s",product="",scope="%[2]s"} %[6]s
`

const ghasRepoHeader = `# HELP github_billing_advanced_security_repository_committers Active Advanced Security committers of one repository.
# TYPE github_billing_advanced_security_repository_committers gauge
`

func TestAdvancedSecurityAgainstExamples(t *testing.T) {
	for _, a := range legacyTestAccounts[:2] { // enterprise and organization
		for _, byRepo := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/by-repository=%v", a.account.Scope, byRepo), func(t *testing.T) {
				fake := fakegithubtest.Start(t, nil)
				client := fakegithubtest.Client(t, fake, githubapi.Options{})
				path := a.pathPrefix + "/settings/billing/advanced-security"
				fake.Override(path, fakegithubtest.ServeFile(examplesDir+a.examplesFile+"-advanced-security.json"))
				c := update(t, legacyTestNew(t, "advanced_security", Options{AdvancedSecurityByRepository: byRepo}), client, a.account)

				name, scope := a.account.Name, a.account.Scope
				expected := fmt.Sprintf(ghasTotalsExpected, name, scope, "2", "4", "4", "2")
				if byRepo {
					expected += ghasRepoHeader +
						fmt.Sprintf(`github_billing_advanced_security_repository_committers{account="%s",product="",repository="octocat-org/Hello-World",scope="%s"} 2`+"\n", name, scope) +
						fmt.Sprintf(`github_billing_advanced_security_repository_committers{account="%s",product="",repository="octocat-org/server",scope="%s"} 1`+"\n", name, scope)
				}
				expectExposition(t, c, expected)
				if n := fake.Requests(path); n != 1 {
					t.Errorf("%d requests, want 1", n)
				}
			})
		}
	}
}

// ghasThreePages answers three pages by hand, with Link headers like
// GitHub's; the totals of later pages differ and must be ignored, and one
// repository is on two pages.
func ghasThreePages(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page")
	link := func(p, rel string) string {
		return fmt.Sprintf(`<http://%s%s?per_page=100&page=%s>; rel="%s"`, r.Host, r.URL.Path, p, rel)
	}
	type repo struct {
		Name       string  `json:"name"`
		Committers float64 `json:"advanced_security_committers"`
	}
	var repos []repo
	switch page {
	case "", "1":
		w.Header().Set("Link", link("2", "next")+", "+link("3", "last"))
		repos = []repo{{"acme/api", 3}, {"acme/web", 1}}
	case "2":
		w.Header().Set("Link", link("1", "prev")+", "+link("3", "next")+", "+link("3", "last")+", "+link("1", "first"))
		repos = []repo{{"acme/data", 2}}
	case "3":
		w.Header().Set("Link", link("2", "prev")+", "+link("1", "first"))
		repos = []repo{{"acme/api", 1}}
	default:
		fakegithub.WriteError(w, http.StatusNotFound, "no such page")
		return
	}
	total := 5.0
	if page == "2" || page == "3" {
		total = 999
	}
	fakegithub.WriteJSON(w, map[string]any{
		"total_advanced_security_committers":     total,
		"total_count":                            3,
		"maximum_advanced_security_committers":   6,
		"purchased_advanced_security_committers": 10,
		"repositories":                           repos,
	})
}

func TestAdvancedSecurityThreePages(t *testing.T) {
	for _, byRepo := range []bool{false, true} {
		t.Run(fmt.Sprintf("by-repository=%v", byRepo), func(t *testing.T) {
			fake := fakegithubtest.Start(t, nil)
			client := fakegithubtest.Client(t, fake, githubapi.Options{})
			path := "/orgs/acme-web/settings/billing/advanced-security"
			fake.Override(path, ghasThreePages)
			c := update(t, legacyTestNew(t, "advanced_security", Options{AdvancedSecurityByRepository: byRepo}), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})

			expected := fmt.Sprintf(ghasTotalsExpected, "acme-web", "organization", "5", "6", "10", "3")
			if byRepo {
				// acme/api is on pages 1 and 3: 3 + 1.
				expected += ghasRepoHeader + `github_billing_advanced_security_repository_committers{account="acme-web",product="",repository="acme/api",scope="organization"} 4
github_billing_advanced_security_repository_committers{account="acme-web",product="",repository="acme/data",scope="organization"} 2
github_billing_advanced_security_repository_committers{account="acme-web",product="",repository="acme/web",scope="organization"} 1
`
			}
			if err := testutil.CollectAndCompare(c, strings.NewReader(expected)); err != nil {
				t.Error(err)
			}
			if n := fake.Requests(path); n != 3 {
				t.Errorf("%d requests, want 3 pages", n)
			}
		})
	}
}

// Through the fake's own pagination: 230 repositories are three pages of
// 100, and every repository gets its series.
func TestAdvancedSecurityFakePagination(t *testing.T) {
	d := fakegithub.NewDataset()
	ghas := &githubapi.AdvancedSecurityCommitters{TotalAdvancedSecurityCommitters: 40, TotalCount: 230, MaximumAdvancedSecurityCommitters: 44, PurchasedAdvancedSecurityCommitters: 50}
	for i := 1; i <= 230; i++ {
		ghas.Repositories = append(ghas.Repositories, githubapi.AdvancedSecurityRepository{Name: fmt.Sprintf("acme/r%03d", i), AdvancedSecurityCommitters: 1})
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{AdvancedSecurity: ghas}
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	account := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	path := "/enterprises/acme/settings/billing/advanced-security"

	on := update(t, legacyTestNew(t, "advanced_security", Options{AdvancedSecurityByRepository: true}), client, account)
	if n := testutil.CollectAndCount(on, "github_billing_advanced_security_repository_committers"); n != 230 {
		t.Errorf("%d repository series, want 230", n)
	}
	if n := fake.Requests(path); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	want := `# HELP github_billing_advanced_security_repositories Repositories with Advanced Security active committers (total_count).
# TYPE github_billing_advanced_security_repositories gauge
github_billing_advanced_security_repositories{account="acme",product="",scope="enterprise"} 230
`
	if err := testutil.CollectAndCompare(on, strings.NewReader(want), "github_billing_advanced_security_repositories"); err != nil {
		t.Error(err)
	}

	off := update(t, legacyTestNew(t, "advanced_security", Options{}), client, account)
	if n := testutil.CollectAndCount(off, "github_billing_advanced_security_repository_committers"); n != 0 {
		t.Errorf("%d repository series with by-repository off, want 0", n)
	}
	if n := testutil.CollectAndCount(off); n != 4 {
		t.Errorf("%d series with by-repository off, want 4", n)
	}
}

// An account on the standalone products: GitHub refuses the bundled form
// (422), so each product is read; Code Security answers GitHub's example
// verbatim, Secret Protection 250 repositories in pages that carry no Link
// header, followed by total_count and the page size.
func TestAdvancedSecurityStandaloneProductsAndTotalCountPaging(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	var q fakegithubtest.Queries
	example := fakegithubtest.ServeFile(examplesDir + "org-advanced-security.json")
	fake.Override("/orgs/acme-web/settings/billing/advanced-security", q.Wrap(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("advanced_security_product") {
		case "":
			fakegithub.WriteError(w, http.StatusUnprocessableEntity, "advanced_security_product is required for standalone Code Security or Secret Protection")
		case "code_security":
			example(w, r)
		case "secret_protection":
			page := 1
			fmt.Sscan(r.URL.Query().Get("page"), &page)
			var repos []string
			for i := (page - 1) * 100; i < min(page*100, 250); i++ {
				repos = append(repos, fmt.Sprintf(`{"name": "acme/r%03d", "advanced_security_committers": 1, "advanced_security_committers_breakdown": []}`, i))
			}
			fmt.Fprintf(w, `{"total_advanced_security_committers": 40, "total_count": 250, "maximum_advanced_security_committers": 45,
				"purchased_advanced_security_committers": 50, "repositories": [%s]}`, strings.Join(repos, ","))
		default:
			fakegithub.WriteError(w, http.StatusBadRequest, "unknown product")
		}
	}))
	c := advancedSecurityCollector{byRepository: true}
	got := usageTestValues(t, c, client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	// By hand from org-advanced-security.json and the 250 repositories.
	k := func(name, product string) string {
		return `github_billing_advanced_security_` + name + `{product="` + product + `"}`
	}
	for key, want := range map[string]float64{
		k("committers", "code_security"): 2, k("max_committers", "code_security"): 4,
		k("purchased_committers", "code_security"): 4, k("repositories", "code_security"): 2,
		k("committers", "secret_protection"): 40, k("max_committers", "secret_protection"): 45,
		k("purchased_committers", "secret_protection"): 50, k("repositories", "secret_protection"): 250,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
	n := 0
	for key := range got {
		if strings.Contains(key, `repository_committers{product="secret_protection"`) {
			n++
		}
	}
	if n != 250 {
		t.Errorf("%d Secret Protection repositories, want 250 over three pages", n)
	}
	// 1 bundled (refused) + 1 Code Security + 3 Secret Protection pages.
	if qs := q.All(); len(qs) != 5 || qs[4].Get("page") != "3" {
		t.Errorf("queries %v, want 5 ending with page 3", qs)
	}
	for key := range got {
		if strings.Contains(key, `product=""`) {
			t.Errorf("bundled series %s for a standalone account", key)
		}
	}
}

// GitHub refusing the bundled form and both products is an error, as is
// any other failure of the bundled form (no product is tried then).
func TestAdvancedSecurityRefusedEverywhereFails(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/orgs/acme-web/settings/billing/advanced-security", func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteError(w, http.StatusUnprocessableEntity, "not available")
	})
	if _, err := (advancedSecurityCollector{}).Update(t.Context(), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}); err == nil {
		t.Error("no error when every form is refused")
	}
	if n := fake.Requests("/orgs/acme-web/settings/billing/advanced-security"); n != 3 {
		t.Errorf("%d requests, want 3 (bundled, two products)", n)
	}
	fake.ResetRequests()
	fake.Override("/orgs/acme-web/settings/billing/advanced-security", func(w http.ResponseWriter, r *http.Request) {
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible")
	})
	if _, err := (advancedSecurityCollector{}).Update(t.Context(), client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}); err == nil {
		t.Error("no error on 403")
	}
	if n := fake.Requests("/orgs/acme-web/settings/billing/advanced-security"); n != 1 {
		t.Errorf("%d requests on 403, want 1", n)
	}
}
