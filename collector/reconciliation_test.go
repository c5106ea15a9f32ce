package collector

import (
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// The summary (every cost center in one answer) against the report read per
// cost center: 0 when they agree, the missing money when one cost center's
// usage is withheld from the split.
func TestUsageReconciliation(t *testing.T) {
	d := usageTestDataset()
	ent := d.Enterprises["acme-corp"].Platform
	ent.CostCenters = []githubapi.CostCenter{
		{ID: "cc-a", Name: "A", State: "active", Resources: []githubapi.CostCenterResource{}},
		{ID: "cc-b", Name: "B", State: "active", Resources: []githubapi.CostCenterResource{}},
	}
	usageTestSet(d, usageTestEnterprise, "", consumptionTestRow("Actions", "Actions Linux", "minutes", "o1", "o1/x", 4, 1.25))
	usageTestSet(d, usageTestEnterprise, "cc-a",
		consumptionTestRow("Actions", "Actions Linux", "minutes", "o2", "o2/x", 10, 2.5),
		consumptionTestRow("Packages", "Packages Storage", "gigabyte-hours", "o2", "o2/x", 2, 0.75))
	usageTestSet(d, usageTestEnterprise, "cc-b", consumptionTestRow("Actions", "Actions Linux", "minutes", "o3", "o3/x", 8, 4))
	// The summary as GitHub writes it, in its own spelling: actions_linux
	// 1.25 + 2.5 + 4 = 7.75, packages_storage 0.75.
	ent.UsageSummary = &githubapi.UsageSummary{
		TimePeriod: githubapi.SummaryTimePeriod{Year: 2026, Month: 11},
		UsageItems: []githubapi.UsageSummaryItem{
			{Product: "actions", SKU: "actions_linux", UnitType: "Minutes", BillingAmounts: githubapi.BillingAmounts{NetAmount: 7.75, GrossAmount: 22}},
			{Product: "packages", SKU: "packages_storage", UnitType: "GigabyteHours", BillingAmounts: githubapi.BillingAmounts{NetAmount: 0.75, GrossAmount: 2}},
		},
	}
	fake := fakegithubtest.Start(t, d)
	c := usageCollector{now: func() time.Time { return usageTestNow }}
	key := func(product, sku, unit string) string {
		return `reconciliation_difference_usd{product="` + product + `",sku="` + sku + `",unit_type="` + unit + `"}`
	}
	actions, packages := key("actions", "actions_linux", "Minutes"), key("packages", "packages_storage", "GigabyteHours")

	got := usageTestValues(t, c, fakegithubtest.Client(t, fake, githubapi.Options{}), usageTestEnterprise)
	for _, k := range []string{actions, packages} {
		if v, ok := got[k]; !ok || v != 0 {
			t.Errorf("consistent data: %s = %v (present %v), want 0", k, v, ok)
		}
	}

	// Cost center B is withheld from the list: its 4 USD of Actions Linux
	// are in the summary and in no report the exporter reads.
	fake.Override("/enterprises/acme-corp/settings/billing/cost-centers", fakegithubtest.ServeString(
		`{"costCenters": [{"id": "cc-a", "name": "A", "state": "active", "resources": []}]}`))
	got = usageTestValues(t, c, fakegithubtest.Client(t, fake, githubapi.Options{}), usageTestEnterprise)
	if v := got[actions]; v != 4 {
		t.Errorf("B withheld: %s = %v, want 4", actions, v)
	}
	if v, ok := got[packages]; !ok || v != 0 {
		t.Errorf("B withheld: %s = %v (present %v), want 0", packages, v, ok)
	}
}
