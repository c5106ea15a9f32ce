package githubtest

import (
	"fmt"
	"math"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Demo account names.
const (
	DemoEnterprise = "acme-corp"
	DemoOrgWeb     = "acme-web"
	DemoOrgData    = "acme-data"
	DemoUser       = "octocat"
)

// MonthFraction is how much of now's calendar month (UTC) has passed, in
// (0, 1]; the demo's month-to-date figures grow with it.
func MonthFraction(now time.Time) float64 {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	f := float64(now.Sub(start)) / float64(end.Sub(start))
	return math.Max(f, 1.0/(31*24)) // never zero: an hour into the month at least
}

// Demo is a company with one enterprise, two organizations and one user, as of
// now. Legacy endpoints answer for the enterprise and organizations (as on
// GitHub Enterprise Server) and are retired (410) for the user (as on
// GitHub's hosted service).
func Demo(now time.Time) *Dataset {
	f := MonthFraction(now)
	d := NewDataset()
	d.Enterprises[DemoEnterprise] = &AccountData{
		Actions:          demoActions(f, 50000, 64000),
		Packages:         demoPackages(f, 50, 71),
		SharedStorage:    demoStorage(now, 50, 62),
		AdvancedSecurity: demoAdvancedSecurity(DemoEnterprise, 230, 120, 150),
	}
	d.Organizations[DemoOrgWeb] = &AccountData{
		Actions:          demoActions(f, 3000, 2400),
		Packages:         demoPackages(f, 10, 6),
		SharedStorage:    demoStorage(now, 2, 1.5),
		AdvancedSecurity: demoAdvancedSecurity(DemoOrgWeb, 40, 35, 40),
	}
	d.Organizations[DemoOrgData] = &AccountData{
		Actions:          demoActions(f, 3000, 5200),
		Packages:         demoPackages(f, 10, 14),
		SharedStorage:    demoStorage(now, 2, 3.2),
		AdvancedSecurity: demoAdvancedSecurity(DemoOrgData, 25, 22, 25),
	}
	d.Users[DemoUser] = &AccountData{LegacyRetired: true}
	addDemoPlatform(d, now)
	d.History = demoHistory(now)
	return d
}

// demoActions spends monthMinutes over the month, beyond included minutes
// late in the month when monthMinutes exceeds them.
func demoActions(f, included, monthMinutes float64) *githubapi.ActionsBilling {
	used := math.Round(monthMinutes * f)
	breakdown := map[string]float64{
		"UBUNTU":        math.Round(used * 0.62),
		"WINDOWS":       math.Round(used * 0.18),
		"MACOS":         math.Round(used * 0.08),
		"ubuntu_4_core": math.Round(used * 0.12),
	}
	return &githubapi.ActionsBilling{
		TotalMinutesUsed:     used,
		TotalPaidMinutesUsed: math.Max(0, used-included),
		IncludedMinutes:      included,
		MinutesUsedBreakdown: breakdown,
	}
}

func demoPackages(f, includedGB, monthGB float64) *githubapi.PackagesBilling {
	used := math.Round(monthGB*f*10) / 10
	return &githubapi.PackagesBilling{
		TotalGigabytesBandwidthUsed:     used,
		TotalPaidGigabytesBandwidthUsed: math.Max(0, used-includedGB),
		IncludedGigabytesBandwidth:      includedGB,
	}
}

func demoStorage(now time.Time, includedGB, estimatedGB float64) *githubapi.SharedStorageBilling {
	now = now.UTC()
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	return &githubapi.SharedStorageBilling{
		DaysLeftInBillingCycle:       math.Ceil(end.Sub(now).Hours() / 24),
		EstimatedStorageForMonth:     estimatedGB,
		EstimatedPaidStorageForMonth: math.Max(0, estimatedGB-includedGB),
	}
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
	for i := 0; i < repos; i++ {
		n := 1 + (i*7+3)%9
		repo := githubapi.AdvancedSecurityRepository{
			Name:                       fmt.Sprintf("%s/service-%03d", owner, i+1),
			AdvancedSecurityCommitters: float64(n),
		}
		for j := 0; j < n; j++ {
			repo.AdvancedSecurityCommittersBreakdown = append(repo.AdvancedSecurityCommittersBreakdown, githubapi.AdvancedSecurityCommitter{
				UserLogin:      fmt.Sprintf("dev-%02d", (i+j)%int(committers)),
				LastPushedDate: "2026-11-02",
			})
		}
		out.Repositories = append(out.Repositories, repo)
	}
	return out
}
