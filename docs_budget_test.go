package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// scopeAccounts are the accounts the generated docs write a call's path
// for: the placeholder of each scope's name.
var scopeAccounts = map[githubapi.Scope]githubapi.Account{
	githubapi.ScopeEnterprise:   {Scope: githubapi.ScopeEnterprise, Name: "{enterprise}"},
	githubapi.ScopeOrganization: {Scope: githubapi.ScopeOrganization, Name: "{org}"},
	githubapi.ScopeUser:         {Scope: githubapi.ScopeUser, Name: "{user}"},
}

// describeCall writes a declared call for the docs: its path for an
// account of scope, its count's formula, and what it shares.
func describeCall(scope githubapi.Scope, c collector.Call) string {
	d := code(c.Path(scopeAccounts[scope])) + ": " + c.Formula
	if c.Shared {
		d += " (shared)"
	}
	if c.Legacy {
		d += " (410 on github.com, then asked once a day)"
	}
	return d
}

func describeCalls(scope githubapi.Scope, calls []collector.Call) string {
	parts := make([]string, len(calls))
	for i, c := range calls {
		parts[i] = describeCall(scope, c)
	}
	return strings.Join(parts, "; ")
}

// missing are the calls of a that b lacks.
func missing(a, b []collector.Call) []collector.Call {
	var out []collector.Call
	for _, c := range a {
		if !slices.Contains(b, c) {
			out = append(out, c)
		}
	}
	return out
}

// thousands writes n with a comma every three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// budgetOptions are the options that may add requests, by what switches
// them on.
var budgetOptions = []struct {
	flag, what string
	options    collector.Options
}{
	{"collector.budgets", "`--collector.budgets` (on by default): `usage` computes budget consumption", collector.Options{BudgetConsumption: true}},
	{"collector.budgets.user-states", "`--collector.budgets.user-states`", collector.Options{BudgetUserStates: true}},
	{"collector.copilot.by-plan", "`--collector.copilot.by-plan`", collector.Options{CopilotByPlan: true}},
	{"collector.usage.by-repository", "`--collector.usage.by-repository`", collector.Options{UsageByRepository: true}},
	{"collector.advanced_security.by-repository", "`--collector.advanced_security.by-repository`", collector.Options{AdvancedSecurityByRepository: true}},
}

var budgetScopes = []githubapi.Scope{githubapi.ScopeEnterprise, githubapi.ScopeOrganization, githubapi.ScopeUser}

// budgetExample is a set of accounts of one shape each, for a worked
// example.
type budgetExample struct {
	shape collector.Shape
	count int
}

// roundOf is one round of fs for the accounts of ex: live requests and the
// legacy ones.
func roundOf(ex []budgetExample, fs []collector.Factory) (live, legacy int) {
	for _, e := range ex {
		for _, c := range collector.Round(e.shape, fs) {
			if c.Legacy {
				legacy += e.count * c.Count
			} else {
				live += e.count * c.Count
			}
		}
	}
	return live, legacy
}

// writeRequestTables writes, into the collectors' page, each collector's
// requests of a round by scope, as it declares them, and the options that
// add requests.
func writeRequestTables(t *testing.T, b *strings.Builder) {
	app, _, _ := newApp(nil, nil)
	flags := map[string]bool{}
	for _, f := range app.Model().Flags {
		flags[f.Name] = true
	}
	b.WriteString("## Requests per round\n\n")
	b.WriteString("What one refresh round (the collector once, for one account) asks GitHub, as each collector declares it (`Requests` in the collector table; the declarations are in `collector/requests.go`). The cache's engine tests and the simulated-hour tests count the requests a fake GitHub receives and compare them with these declarations; [api-budget.md](api-budget.md) adds them up for a few accounts.\n\n")
	b.WriteString("⌈n ÷ 100⌉ is pages of 100, at least one. A *shared* request is asked once a round for an account, however many of the round's collectors need it. Counts follow from what an account holds: its cost centers (active or deleted), budgets, Advanced Security repositories (`total_count`), Copilot seat rows (an enterprise's list has a row per organization or team that grants a seat) and seat holders. The month-to-date endpoints are asked with `?year=…&month=…`, lists in pages of 100 (`per_page=100`), and the Copilot seat total and the licence totals in one page of one (`per_page=1`).\n\n")
	b.WriteString("| collector | enterprise | organization | user |\n|---|---|---|---|\n")
	all := collector.Collectors()
	for _, f := range all {
		cells := []string{code(f.Name)}
		for _, scope := range budgetScopes {
			calls := f.Calls(collector.Shape{Scope: scope})
			if len(calls) == 0 {
				cells = append(cells, "—")
				continue
			}
			cells = append(cells, describeCalls(scope, calls))
		}
		fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
	}
	b.WriteString("\n`advanced_security` reads every page (by the Link header, or by `total_count` and the page size when none comes), and asks the two standalone products (`?advanced_security_product=code_security` and `=secret_protection`, each every page) when GitHub refuses the bundled form (400 or 422). `ai_credits_by_user` spreads its round over its refreshes (the seat list and the cost centers at the round's start, a slice of the seat holders, `?user=LOGIN`, and the unfiltered answer each refresh; the cost centers as `?cost_center_id=ID` and `?cost_center_id=none`); an organization that belongs to an enterprise gets 403 for the user filter after one request a round.\n\n")

	b.WriteString("## Options that add requests\n\n| option | collector | scope | per round |\n|---|---|---|---|\n")
	quiet := []string{}
	for _, o := range budgetOptions {
		if !flags[o.flag] {
			t.Fatalf("no flag --%s", o.flag)
		}
		added := false
		for _, f := range all {
			for _, scope := range budgetScopes {
				without := f.Calls(collector.Shape{Scope: scope})
				with := f.Calls(collector.Shape{Scope: scope, Options: o.options})
				adds, drops := missing(with, without), missing(without, with)
				if len(adds) == 0 && len(drops) == 0 {
					continue
				}
				added = true
				change := "adds " + describeCalls(scope, adds)
				if len(drops) > 0 {
					change += ", instead of " + describeCalls(scope, drops)
				}
				fmt.Fprintf(b, "| %s | %s | %s | %s |\n", o.what, code(f.Name), scope, change)
			}
		}
		if !added {
			quiet = append(quiet, o.what)
		}
	}
	if len(quiet) > 0 {
		fmt.Fprintf(b, "\nAdd no requests: %s.\n", strings.Join(quiet, ", "))
	}
}

func renderAPIBudget(t *testing.T) string {
	var b strings.Builder
	b.WriteString(generatedHeader("API budget"))
	b.WriteString("What rounds of the collectors cost a few accounts, added up from each collector's declared requests (listed per collector, scope and option in [collectors.md](collectors.md#requests-per-round)). See [the API budget guide](api-budget-guide.md) for how rounds turn into requests an hour.\n")
	all := collector.Collectors()
	defaults := []collector.Factory{}
	for _, f := range all {
		if f.DefaultEnabled {
			defaults = append(defaults, f)
		}
	}
	view, _ := collector.Lookup(collector.AICreditsByUser)

	// The simulated hour's accounts: the demo enterprise and ten copies of
	// its organization acme-web.
	ent := collector.Shape{Scope: githubapi.ScopeEnterprise, CostCenters: 3, Budgets: 14, Repositories: 230, SeatRows: 115, SeatHolders: 114}
	org := collector.Shape{Scope: githubapi.ScopeOrganization, Budgets: 3, Repositories: 40, SeatRows: 64, SeatHolders: 64}
	entLive, entLegacy := roundOf([]budgetExample{{ent, 1}}, defaults)
	orgLive, orgLegacy := roundOf([]budgetExample{{org, 1}}, defaults)
	live, legacy := roundOf([]budgetExample{{ent, 1}, {org, 10}}, defaults)
	interval := 30 * time.Minute
	rounds := int(time.Hour / interval)
	first := rounds*live + legacy
	b.WriteString("\n## Worked example: default collectors\n\n")
	fmt.Fprintf(&b, "One enterprise with two active cost centers and a deleted one, %d budgets, %d Advanced Security repositories and %d Copilot seat rows, and ten organizations with %d budgets and %d repositories each; the default collectors, `refresh_interval: %s`, GitHub's hosted service (the legacy endpoints answer 410). `TestAPIBudgetOneSimulatedHour` (internal/server) runs the exporter against a fake GitHub of these accounts for a simulated hour, two scrapers every 15 s, and counts the same.\n\n",
		ent.Budgets, ent.Repositories, ent.SeatRows, org.Budgets, org.Repositories, shortDuration(interval))
	b.WriteString("| account | requests per round | legacy, once |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| the enterprise | %d | %d |\n| each organization | %d | %d |\n| **all** | **%d** | **%d** |\n\n", entLive, entLegacy, orgLive, orgLegacy, live, legacy)
	fmt.Fprintf(&b, "%d rounds an hour: **%d requests in the first hour (%.1f%% of 5,000)**, %d an hour after that. At 10%% of 5,000 (500 an hour), %d requests a round allow a `refresh_interval` of %.1f minutes or more.\n",
		rounds, first, float64(first)/50, rounds*live, live, 60*float64(live)/500)

	// The six simulated hours' enterprise: 2,000 seat holders.
	big := ent
	big.SeatRows, big.SeatHolders = 2000, 2000
	withView, _ := roundOf([]budgetExample{{big, 1}}, append(slices.Clone(defaults), view))
	alone, _ := roundOf([]budgetExample{{big, 1}}, defaults)
	viewCost := withView - alone
	var parts []string
	for _, c := range view.Calls(big) {
		if c.Shared {
			continue // the cost-center list, read by usage in the same round
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", thousands(c.Count), c.Formula))
	}
	check := view.BudgetCheck.Cost(collector.Shape{Scope: githubapi.ScopeEnterprise, SeatRows: 2000, SeatHolders: 2000})
	hours := view.RefreshInterval.Hours()
	b.WriteString("\n## Worked example: the per-user AI-credit view\n\n")
	fmt.Fprintf(&b, "The same enterprise with %s Copilot seat holders and `--collector.ai_credits.by-user` at its default %s, spread over %d refreshes. A round of the view costs %s requests beside the default collectors' (it reads their cost-center list): %s, about %.0f an hour (%.1f%% of 5,000).\n\n",
		thousands(big.SeatHolders), shortDuration(view.RefreshInterval), view.RoundSlices, thousands(viewCost), strings.Join(parts, " + "), float64(viewCost)/hours, float64(viewCost)/hours/50)
	fmt.Fprintf(&b, "The start-up check counts %s of them (%s; the cost centers' are left out: counting them costs another request) and refuses to start when the view alone would spend more than `--collector.ai_credits.by-user.max-budget-share` (20%% by default) of a credential's 5,000 an hour: at a 1h interval this enterprise's view would cost %s an hour. `TestAPIBudgetAICreditsByUserSixSimulatedHours` (internal/server) runs this enterprise for six simulated hours.\n",
		thousands(check.Requests), check.Arithmetic, thousands(check.Requests))
	return b.String()
}
