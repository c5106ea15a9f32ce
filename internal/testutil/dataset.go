package testutil

import (
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// Dataset is a fake GitHub of two organizations, acme-web (305 Linux
// minutes) and acme-data (10), and the user octocat, whose legacy
// endpoints answer 410 Gone.
func Dataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	org := func(minutes float64) *fakegithub.AccountData {
		return &fakegithub.AccountData{
			Actions:       &githubapi.ActionsBilling{TotalMinutesUsed: minutes, IncludedMinutes: 3000, MinutesUsedBreakdown: map[string]float64{"UBUNTU": minutes}},
			Packages:      &githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: 1},
			SharedStorage: &githubapi.SharedStorageBilling{DaysLeftInBillingCycle: 3},
			AdvancedSecurity: &githubapi.AdvancedSecurityCommitters{TotalAdvancedSecurityCommitters: 1, TotalCount: 1,
				Repositories: []githubapi.AdvancedSecurityRepository{{Name: "x", AdvancedSecurityCommitters: 1}}},
		}
	}
	d.Organizations["acme-web"] = org(305)
	d.Organizations["acme-data"] = org(10)
	d.Users["octocat"] = &fakegithub.AccountData{LegacyRetired: true}
	return d
}

// Token must never show in /metrics, the landing page or the log.
const Token = "ghp_testutilSENTINEL_0123456789"

// LegacyCollectors are the collectors of the retired per-product endpoints.
var LegacyCollectors = []string{"actions", "packages", "shared_storage", "advanced_security"}
