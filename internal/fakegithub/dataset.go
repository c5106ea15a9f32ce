package fakegithub

import "github.com/github-billing-exporter/github-billing-exporter/githubapi"

// Dataset is everything the fake knows, by account.
type Dataset struct {
	Enterprises   map[string]*AccountData
	Organizations map[string]*AccountData
	Users         map[string]*AccountData
	// History, when set, answers the reports for single days and past
	// months (history.go).
	History *History
}

// AccountData is one account's billing data. A nil field makes its endpoint
// answer 404.
type AccountData struct {
	// LegacyRetired makes the actions, packages and shared-storage endpoints
	// answer 410 Gone, as GitHub's hosted service does.
	LegacyRetired    bool
	Actions          *githubapi.ActionsBilling
	Packages         *githubapi.PackagesBilling
	SharedStorage    *githubapi.SharedStorageBilling
	AdvancedSecurity *githubapi.AdvancedSecurityCommitters
	Platform         *PlatformData
}

// PlatformData is an account's data on GitHub's billing platform. UsageData
// (usage.go) holds the usage reports; BillingObjects holds the summary and
// per-model reports, budgets, report exports, Copilot (CopilotData, in
// copilot.go) and licences; CostCenters lists an enterprise's cost centers.
type PlatformData struct {
	CostCenters []githubapi.CostCenter
	UsageData
	BillingObjects
}

// BillingObjects holds an account's usage summary, premium-request and
// AI-credit reports, budgets, report exports, Copilot and licences. A nil field
// makes its endpoint answer 404, as GitHub does where a feature is off.
type BillingObjects struct {
	// UsageSummary answers /usage/summary for the month of its TimePeriod;
	// other months get no rows.
	UsageSummary        *githubapi.UsageSummary
	PremiumRequestUsage *githubapi.ModelUsageReport
	AICreditUsage       *githubapi.ModelUsageReport
	// AICreditUsageByUser answers ai_credit/usage?user=LOGIN with the
	// rows of that login (keys in lower case; a login not listed has no
	// rows). AICreditUserFilterForbidden makes the user filter answer 403,
	// as GitHub answers an organization that belongs to an enterprise.
	AICreditUsageByUser         map[string][]githubapi.ModelUsageItem
	AICreditUserFilterForbidden bool
	// AICreditUsageByCostCenter answers ai_credit/usage?cost_center_id=ID
	// (an enterprise's), "none" being the credits in no cost center.
	AICreditUsageByCostCenter map[string][]githubapi.ModelUsageItem
	// Budgets are served page by page with has_next_page. A budget with
	// one SKU in ProductSKU is sent as the string budget_product_sku;
	// ProductSKUs is sent as the budget_product_skus list.
	Budgets       []githubapi.Budget
	ReportExports []githubapi.UsageReportExport
	// DetailedUsage are the rows of the enterprise's detailed usage
	// report exports: an export serves those of its dates, in
	// ExportParts parts (0: DefaultExportParts).
	DetailedUsage []DetailedUsageRow
	ExportParts   int
	CopilotData
	CopilotMetricsData
	// Licenses answers /enterprises/{enterprise}/consumed-licenses: the
	// totals, and one user per licence consumed up to the page asked for.
	Licenses *githubapi.ConsumedLicenses
	// BudgetUserStates are the user states of multi-user budgets by budget
	// id (/budgets/{id}/user-states, paged by has_next_page).
	BudgetUserStates map[string][]githubapi.BudgetUserState
}

// NewDataset returns an empty dataset.
func NewDataset() *Dataset {
	return &Dataset{
		Enterprises:   map[string]*AccountData{},
		Organizations: map[string]*AccountData{},
		Users:         map[string]*AccountData{},
	}
}

// Account returns the named account of a scope, or nil.
func (d *Dataset) Account(scope githubapi.Scope, name string) *AccountData {
	switch scope {
	case githubapi.ScopeEnterprise:
		return d.Enterprises[name]
	case githubapi.ScopeOrganization:
		return d.Organizations[name]
	case githubapi.ScopeUser:
		return d.Users[name]
	}
	return nil
}

// Accounts lists every account of the dataset.
func (d *Dataset) Accounts() []githubapi.Account {
	var out []githubapi.Account
	for _, s := range []struct {
		scope githubapi.Scope
		m     map[string]*AccountData
	}{{githubapi.ScopeEnterprise, d.Enterprises}, {githubapi.ScopeOrganization, d.Organizations}, {githubapi.ScopeUser, d.Users}} {
		for _, name := range sortedKeys(s.m) {
			out = append(out, githubapi.Account{Scope: s.scope, Name: name})
		}
	}
	return out
}

func sortedKeys(m map[string]*AccountData) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
