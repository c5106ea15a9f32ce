// Package roundtest turns the collectors' declared requests
// (collector.Factory.Requests) into what a fake GitHub serving a dataset
// should count: the expectations of the tests that count requests. Each
// such test also pins a total worked out by hand for the collectors of
// HandWorked; collector's TestRequestDeclarations pins the declarations
// themselves.
package roundtest

import (
	"regexp"
	"strings"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// Shape is what the collectors' declarations need to know of account a of
// dataset d, with options o.
func Shape(d *fakegithub.Dataset, a githubapi.Account, o collector.Options) collector.Shape {
	s := collector.Shape{Scope: a.Scope, Options: o}
	data := d.Account(a.Scope, a.Name)
	if data == nil {
		return s
	}
	if r := data.AdvancedSecurity; r != nil {
		s.Repositories = len(r.Repositories)
	}
	pd := data.Platform
	if pd == nil {
		return s
	}
	ids := map[string]bool{}
	for _, cc := range pd.CostCenters {
		if cc.ID != "" {
			ids[cc.ID] = true
		}
	}
	s.CostCenters = len(ids)
	s.Budgets = len(pd.Budgets)
	for _, b := range pd.Budgets {
		if strings.HasPrefix(strings.ToLower(b.Scope), "multi_user") {
			s.MultiUserBudgetUsers = append(s.MultiUserBudgetUsers, len(pd.BudgetUserStates[b.ID]))
		}
	}
	s.SeatRows = len(pd.CopilotSeats)
	holders := map[string]bool{}
	for _, seat := range pd.CopilotSeats {
		if seat.Assignee != nil && seat.Assignee.Login != "" {
			holders[strings.ToLower(seat.Assignee.Login)] = true
		}
	}
	s.SeatHolders = len(holders)
	return s
}

// Round is one round of the collectors fs for every account of d: the
// requests by path.
func Round(d *fakegithub.Dataset, fs []collector.Factory, o collector.Options) map[string]int {
	out := map[string]int{}
	for _, a := range d.Accounts() {
		for _, c := range collector.Round(Shape(d, a, o), fs) {
			out[c.Path(a)] += c.Count
		}
	}
	return out
}

// Factories looks the named collectors up; it panics on a name that is no
// collector, a test's mistake.
func Factories(names ...string) []collector.Factory {
	fs := make([]collector.Factory, len(names))
	for i, n := range names {
		f, ok := collector.Lookup(n)
		if !ok {
			panic("roundtest: no collector " + n)
		}
		fs[i] = f
	}
	return fs
}

// HandWorked are the collectors whose requests the request-counting tests
// work out by hand (the engine's cold rounds, the simulated hours, the
// check command's plans, collector's round totals): the three legacy ones,
// Advanced Security, the billing platform's seven (usage, usage_summary,
// premium_requests, ai_credits, cost_centers, budgets, usage_reports),
// Copilot, the AI-credit pool and the licences. The hand-worked totals
// count these; a new default collector is not added to it. The tests also
// run every default collector (Defaults) and compare what the fake GitHub
// counts with their declarations.
var HandWorked = []string{
	"actions", "packages", "shared_storage", "advanced_security",
	"usage", "usage_summary", "premium_requests", "ai_credits", "cost_centers", "budgets", "usage_reports",
	"copilot", "ai_credit_pool", "licenses",
}

// Defaults are the collectors on by default.
func Defaults() []collector.Factory {
	var fs []collector.Factory
	for _, f := range collector.Collectors() {
		if f.DefaultEnabled {
			fs = append(fs, f)
		}
	}
	return fs
}

// Sum is the requests of counts.
func Sum(counts map[string]int) int {
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// Fold adds the counts of got's paths that match a path of want with a
// {name} in it (a budget's user states, /budgets/{budget_id}/user-states)
// to that path, the way want counts them.
func Fold(got, want map[string]int) map[string]int {
	var templates []*regexp.Regexp
	var keys []string
	for p := range want {
		if strings.Contains(p, "{") {
			templates = append(templates, regexp.MustCompile("^"+placeholder.ReplaceAllString(regexp.QuoteMeta(p), "[^/]+")+"$"))
			keys = append(keys, p)
		}
	}
	out := make(map[string]int, len(got))
	for p, n := range got {
		key := p
		for i, re := range templates {
			if re.MatchString(p) {
				key = keys[i]
				break
			}
		}
		out[key] += n
	}
	return out
}

// Within are the requests of counts (a fake GitHub's, by path) on the
// paths of declared (Round's; a path with a {name} in it matches as in
// Fold), by path: the requests of the collectors declared, where the other
// collectors ask other paths.
func Within(counts, declared map[string]int) map[string]int {
	out := map[string]int{}
	for p, c := range Fold(counts, declared) {
		if _, ok := declared[p]; ok {
			out[p] = c
		}
	}
	return out
}

// placeholder is a {name} of a path quoted by regexp.QuoteMeta.
var placeholder = regexp.MustCompile(`\\\{[a-z_]+\\\}`)

// Totals are the requests of one round of the collectors fs for every
// account of d: live, and legacy (which GitHub's hosted service answers
// with 410, after which they are asked once a day).
func Totals(d *fakegithub.Dataset, fs []collector.Factory, o collector.Options) (live, legacy int) {
	for _, a := range d.Accounts() {
		for _, c := range collector.Round(Shape(d, a, o), fs) {
			if c.Legacy {
				legacy += c.Count
			} else {
				live += c.Count
			}
		}
	}
	return live, legacy
}
