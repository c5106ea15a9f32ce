package collector

import (
	"strings"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// GitHub sends a budget's consumed_amount only for user budgets (and for
// the effective budget of a list filtered by user). Every other budget's
// consumption is computed here, in the usage collector's pass over the
// month-to-date report: the net amount of the rows the budget covers, by
// scope and entity (enterprise: every row; organization: rows of that
// organization; repository: rows of that repository; cost center: the rows
// of that cost center's report) and by product, SKU or bundle. Net, not
// gross: GitHub's billing documentation describes budgets as limits on
// spending, which is what is billed after included usage
// (docs/collectors-guide.md, "Which amount counts").
//
// The pass holds one running sum per budget, and per distinct organization
// and repository name the list of budgets that name it: nothing per row.

// budgetTally is one budget whose consumption the pass computes.
type budgetTally struct {
	labels []string // budgetLabels values, without source
	skus   []string // normalized budget_product_sku(s)
	kind   string   // budget_type
	net    sum
	// match remembers, per row class (product, SKU and unit type as sent;
	// a report has a few dozen), whether the budget covers such rows:
	// 0 not yet known, 1 yes, 2 no.
	match []int8
}

// covers says whether the budget counts a row of class c.
func (t *budgetTally) covers(c int, it *githubapi.UsageItem) bool {
	for len(t.match) <= c {
		t.match = append(t.match, 0)
	}
	if t.match[c] == 0 {
		t.match[c] = 2
		if budgetCoversRow(t.kind, t.skus, it.Product, it.SKU, it.UnitType) {
			t.match[c] = 1
		}
	}
	return t.match[c] == 1
}

// normalizeName makes GitHub's spellings of one product, SKU or unit
// compare equal: the usage report says "Actions Linux" where budgets say
// actions_linux, and "gigabyte-hours" where the summary says GigabyteHours.
func normalizeName(s string) string {
	return nameSeparators.Replace(strings.ToLower(s))
}

var nameSeparators = strings.NewReplacer(" ", "", "-", "", "_", "")

// budgetCoversRow matches a row against the budget's SKUs, case-insensitively:
// ProductPricing names products, SkuPricing SKUs, BundlePricing bundles such
// as ai_credits (rows of AI credits: their unit type is credits or
// ai-credits, or their SKU names AI credits). Any SKU of the budget will do.
// An unknown budget_type matches product or SKU.
func budgetCoversRow(kind string, skus []string, product, sku, unit string) bool {
	product, sku, unit = normalizeName(product), normalizeName(sku), normalizeName(unit)
	for _, s := range skus {
		switch kind {
		case "ProductPricing":
			if s == product {
				return true
			}
		case "SkuPricing":
			if s == sku {
				return true
			}
		case "BundlePricing":
			if s == product || s == sku || s == unit {
				return true
			}
			if s == "aicredits" && (unit == "credits" || strings.Contains(sku, "aicredit")) {
				return true
			}
		default:
			if s == product || s == sku {
				return true
			}
		}
	}
	return false
}

// budgetMatcher routes each usage row to the budgets that cover it. Rows
// come grouped (a repository's SKUs of one day follow each other), so the
// last row's class and budget lists are kept and compared first.
type budgetMatcher struct {
	account githubapi.Account
	all     []*budgetTally            // every row of the account
	orgs    map[string][]*budgetTally // by lower-case organization
	centers map[string][]*budgetTally // by lower-case cost-center name
	byFull  map[string][]*budgetTally // repository budgets by lower-case owner/repo
	byBare  map[string][]*budgetTally // repository budgets by lower-case bare name
	tallies []*budgetTally            // every computed budget, in list order

	classes  map[[3]string]int // row class by product, SKU, unit as sent
	recent   []recentClass
	next     int
	lastOrg  string
	orgList  []*budgetTally
	lastRepo [2]string // organization and repository of the last row
	repoList []*budgetTally
}

// budgetSource says how a budget's consumption is known: "github" when
// GitHub sent consumed_amount, "usage" when the usage pass computes it for
// this account, "" when neither can. Only a budget in dollars has one: a
// licence budget's consumed_amount would count licences, and the dollars
// of its rows are no share of a number of licences.
func budgetSource(a githubapi.Account, b githubapi.Budget) string {
	if budgetUnitOf(b) != unitUSD {
		return ""
	}
	if b.ConsumedAmount != nil {
		return "github"
	}
	if len(b.SKUs()) == 0 {
		return ""
	}
	entity := strings.TrimSpace(b.EntityName)
	switch strings.ToLower(b.Scope) {
	case "enterprise":
		// An organization's rows are part of the enterprise only.
		if a.Scope == githubapi.ScopeEnterprise {
			return "usage"
		}
	case "organization":
		if a.Scope == githubapi.ScopeEnterprise && entity != "" {
			return "usage"
		}
		// In an organization's own list the entity is that organization.
		if a.Scope == githubapi.ScopeOrganization && (entity == "" || strings.EqualFold(entity, a.Name)) {
			return "usage"
		}
	case "repository":
		if entity != "" {
			return "usage"
		}
	case "cost_center":
		// Only an enterprise's report is split by cost center.
		if a.Scope == githubapi.ScopeEnterprise && entity != "" {
			return "usage"
		}
	}
	// Multi-user and user budgets are per user: usage rows name no user.
	return ""
}

// newBudgetMatcher prepares the tallies of the budgets whose consumption the
// usage pass can compute for account a.
func newBudgetMatcher(a githubapi.Account, budgets []githubapi.Budget) *budgetMatcher {
	m := &budgetMatcher{
		account: a,
		orgs:    map[string][]*budgetTally{},
		centers: map[string][]*budgetTally{},
		byFull:  map[string][]*budgetTally{},
		byBare:  map[string][]*budgetTally{},
		classes: map[[3]string]int{},
	}
	for _, b := range budgets {
		if budgetSource(a, b) != "usage" {
			continue
		}
		t := &budgetTally{labels: budgetLabelValues(b), kind: b.Type}
		for _, s := range b.SKUs() {
			t.skus = append(t.skus, normalizeName(s))
		}
		entity := strings.ToLower(strings.TrimSpace(b.EntityName))
		switch strings.ToLower(b.Scope) {
		case "enterprise":
			m.all = append(m.all, t)
		case "organization":
			if a.Scope == githubapi.ScopeOrganization {
				m.all = append(m.all, t)
			} else {
				m.orgs[entity] = append(m.orgs[entity], t)
			}
		case "repository":
			if strings.Contains(entity, "/") {
				m.byFull[entity] = append(m.byFull[entity], t)
			} else {
				m.byBare[entity] = append(m.byBare[entity], t)
			}
		case "cost_center":
			m.centers[entity] = append(m.centers[entity], t)
		}
		m.tallies = append(m.tallies, t)
	}
	return m
}

// forCostCenter is the budgets of the cost center whose report is read
// (name "" for the usage in no cost center).
func (m *budgetMatcher) forCostCenter(name string) []*budgetTally {
	if name == "" {
		return nil
	}
	return m.centers[strings.ToLower(name)]
}

// class is the row's class number. A report has a few dozen classes and
// the decoder interns its strings, so a linear scan of the recent ones
// (equal strings share their bytes and compare at once) beats hashing
// three strings per row.
func (m *budgetMatcher) class(it *githubapi.UsageItem) int {
	k := [3]string{it.Product, it.SKU, it.UnitType}
	for i := range m.recent {
		if m.recent[i].key == k {
			return m.recent[i].class
		}
	}
	c, ok := m.classes[k]
	if !ok {
		c = len(m.classes)
		m.classes[k] = c
	}
	if len(m.recent) < recentClasses {
		m.recent = append(m.recent, recentClass{k, c})
	} else {
		m.recent[m.next] = recentClass{k, c}
		m.next = (m.next + 1) % recentClasses
	}
	return c
}

// recentClasses is how many classes class scans before it hashes.
const recentClasses = 16

type recentClass struct {
	key   [3]string
	class int
}

// add counts one row for every budget that covers it.
func (m *budgetMatcher) add(center []*budgetTally, it *githubapi.UsageItem) {
	c := m.class(it)
	count := func(list []*budgetTally) {
		for _, t := range list {
			if t.covers(c, it) {
				t.net.add(it.NetAmount)
			}
		}
	}
	count(m.all)
	count(center)
	if len(m.orgs) > 0 {
		if it.OrganizationName != m.lastOrg || m.orgList == nil && m.lastOrg == "" {
			m.lastOrg = it.OrganizationName
			m.orgList = m.orgs[strings.ToLower(strings.TrimSpace(it.OrganizationName))]
		}
		count(m.orgList)
	}
	if len(m.byFull) > 0 || len(m.byBare) > 0 {
		if r := [2]string{it.OrganizationName, it.RepositoryName}; r != m.lastRepo {
			m.lastRepo = r
			m.repoList = m.reposNamed(it.OrganizationName, it.RepositoryName)
		}
		count(m.repoList)
	}
}

// reposNamed is the repository budgets naming a row's repository. A budget
// names it as owner/repo or as a bare name; a row says owner/repo (or a
// bare name, then the owner is the row's organization). strings.ToLower
// returns lower-case ASCII names as they are, without copying.
func (m *budgetMatcher) reposNamed(org, repo string) []*budgetTally {
	full := strings.ToLower(strings.TrimSpace(repo))
	if full == "" {
		return nil
	}
	bare := full
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		bare = full[i+1:]
	} else if org != "" && len(m.byFull) > 0 {
		full = strings.ToLower(strings.TrimSpace(org)) + "/" + bare
	}
	a, b := m.byFull[full], m.byBare[bare]
	switch {
	case len(a) == 0:
		return b
	case len(b) == 0:
		return a
	}
	return append(append([]*budgetTally(nil), a...), b...)
}

// emit adds the computed consumption of every budget to s, never below
// 0: a row's net is GitHub's, and GitHub bills no row below 0 (a row whose
// discount exceeds its gross has net 0, API.md §15.4), so a negative sum
// would be no consumption GitHub counts.
func (m *budgetMatcher) emit(s *metricSet) {
	for _, t := range m.tallies {
		s.add(budgetConsumed, max(0, t.net.value()), append(append([]string(nil), t.labels...), "usage")...)
	}
}
