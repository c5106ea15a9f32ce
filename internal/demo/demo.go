// Package demo is the company the exporter's --demo mode shows: an
// enterprise of three organizations and a user, whose month of usage rows
// (month.go) gives every figure of every endpoint, and 24 months of history
// (history.go). Start serves it through the simulated GitHub API of
// internal/fakegithub and configures the exporter for it.
package demo

import (
	"fmt"
	"math"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// The demo's account names.
const (
	Enterprise = "acme-corp"
	OrgWeb     = "acme-web"
	OrgData    = "acme-data"
	User       = "octocat"
)

// accounts lists the demo's accounts, as Dataset(now).Accounts() does,
// without building the demo's data.
func accounts() []githubapi.Account {
	return []githubapi.Account{
		{Scope: githubapi.ScopeEnterprise, Name: Enterprise},
		{Scope: githubapi.ScopeOrganization, Name: OrgData},
		{Scope: githubapi.ScopeOrganization, Name: OrgWeb},
		{Scope: githubapi.ScopeUser, Name: User},
	}
}

// monthFraction is how much of now's calendar month (UTC) has passed, in
// (0, 1]; the demo's month-to-date figures grow with it.
func monthFraction(now time.Time) float64 {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	f := float64(now.Sub(start)) / float64(end.Sub(start))
	return math.Max(f, 1.0/(31*24)) // never zero: an hour into the month at least
}

// Dataset is a company with one enterprise of three organizations (two of
// them configured as accounts too, the third only seen through the
// enterprise) and one user, as of now. Legacy endpoints answer for the
// enterprise and organizations (as on GitHub Enterprise Server) and are
// retired (410) for the user (as on GitHub's hosted service). Every figure
// derives from one set of usage rows (month.go).
func Dataset(now time.Time) *fakegithub.Dataset {
	rows := newDemoRows(now)
	d := fakegithub.NewDataset()
	var minutes, transfer, storage float64
	for _, o := range demoOrgs {
		minutes += o.includedMinutes
		transfer += o.includedTransferGB
		storage += o.includedStorageGB
	}
	ent := &fakegithub.AccountData{AdvancedSecurity: demoAdvancedSecurity(Enterprise, 230, 28, 40)}
	ent.Actions, ent.Packages, ent.SharedStorage = demoLegacy(rows.clock, rows.enterprise(), minutes, transfer, storage)
	d.Enterprises[Enterprise] = ent
	for _, org := range []struct {
		name                  string
		repos                 int
		committers, purchased float64
	}{{OrgWeb, 40, 16, 20}, {OrgData, 25, 9, 12}} {
		o := rows.included[org.name]
		a := &fakegithub.AccountData{AdvancedSecurity: demoAdvancedSecurity(org.name, org.repos, org.committers, org.purchased)}
		a.Actions, a.Packages, a.SharedStorage = demoLegacy(rows.clock, rows.orgs[org.name], o.includedMinutes, o.includedTransferGB, o.includedStorageGB)
		d.Organizations[org.name] = a
	}
	d.Users[User] = &fakegithub.AccountData{LegacyRetired: true}
	addDemoPlatform(d, now, rows)
	addDemoCopilotMetrics(d, rows)
	d.History = demoHistory(now)
	return d
}

// demoAdvancedSecurity spreads committers over repos repositories (more than
// one page of 100 for the enterprise) with a stable pseudo-random pattern.
func demoAdvancedSecurity(owner string, repos int, committers, purchased float64) *githubapi.AdvancedSecurityCommitters {
	out := &githubapi.AdvancedSecurityCommitters{
		TotalAdvancedSecurityCommitters:     committers,
		TotalCount:                          float64(repos),
		MaximumAdvancedSecurityCommitters:   committers + 4,
		PurchasedAdvancedSecurityCommitters: purchased,
	}
	for i := range repos {
		n := 1 + (i*7+3)%9
		repo := githubapi.AdvancedSecurityRepository{
			Name:                       fmt.Sprintf("%s/service-%03d", owner, i+1),
			AdvancedSecurityCommitters: float64(n),
		}
		for j := range n {
			repo.AdvancedSecurityCommittersBreakdown = append(repo.AdvancedSecurityCommittersBreakdown, githubapi.AdvancedSecurityCommitter{
				UserLogin:      fmt.Sprintf("dev-%02d", (i+j)%int(committers)),
				LastPushedDate: "2026-11-02",
			})
		}
		out.Repositories = append(out.Repositories, repo)
	}
	return out
}
