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
