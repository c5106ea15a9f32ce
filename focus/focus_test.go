package focus_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/focus"
	"github.com/github-billing-exporter/github-billing-exporter/focus/internal/conformance"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// testNow is the fixture tests' clock: 2 December 2026, so with --settle=1
// September to November 2026 are settled.
var testNow = time.Date(2026, time.December, 2, 9, 30, 0, 0, time.UTC)

var (
	testEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "ent"}
	// testMember is an organization of ent, configured beside it.
	testMember = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme"}
	// testSolo is an organization of no configured enterprise.
	testSolo = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "solo"}
)

// The fixture's rows of one day, as GitHub answers them:
//
//	ent, cost center cc-1 "Team A":
//	  acme/api  actions_linux 100 min at $0.008: gross 0.8, discount 0.3, net 0.5 (split in two)
//	  acme/web  actions_linux  50 min at $0.008: gross 0.4, discount 0,   net 0.4
//	ent, no cost center:
//	  acme-labs/x packages_data_transfer 2 GB at $0.5: gross 1.0, discount 1.0, net 0
//	  on the 15th only, acme-labs/x actions_macos 10 min at $0.08: gross 0.8,
//	  discount 1.2 (above the gross, as GitHub has sent), net 0
//	acme (ent's organization, configured too): its Linux rows again
//	solo: copilot_business 0.1 user-months at $19: gross 1.9, net 1.9
func fixtureDay(a githubapi.Account, day time.Time) map[string][]githubapi.UsageItem {
	date := day.Format(time.RFC3339)
	api := githubapi.UsageItem{Date: date, Product: "Actions", SKU: "actions_linux", Quantity: 100, UnitType: "minutes", PricePerUnit: 0.008,
		GrossAmount: 0.8, DiscountAmount: 0.3, NetAmount: 0.5, OrganizationName: "acme", RepositoryName: "acme/api"}
	web := githubapi.UsageItem{Date: date, Product: "Actions", SKU: "actions_linux", Quantity: 50, UnitType: "minutes", PricePerUnit: 0.008,
		GrossAmount: 0.4, NetAmount: 0.4, OrganizationName: "acme", RepositoryName: "acme/web"}
	switch a {
	case testEnterprise:
		none := []githubapi.UsageItem{{Date: date, Product: "Packages", SKU: "packages_data_transfer", Quantity: 2, UnitType: "gigabytes", PricePerUnit: 0.5,
			GrossAmount: 1, DiscountAmount: 1, OrganizationName: "acme-labs", RepositoryName: "acme-labs/x"}}
		if day.Day() == 15 {
			none = append(none, githubapi.UsageItem{Date: date, Product: "Actions", SKU: "actions_macos", Quantity: 10, UnitType: "minutes", PricePerUnit: 0.08,
				GrossAmount: 0.8, DiscountAmount: 1.2, OrganizationName: "acme-labs", RepositoryName: "acme-labs/x"})
		}
		return map[string][]githubapi.UsageItem{"cc-1": {api, web}, "": none}
	case testMember:
		return map[string][]githubapi.UsageItem{"": {api, web}}
	case testSolo:
		return map[string][]githubapi.UsageItem{"": {{Date: date, Product: "Copilot", SKU: "copilot_business", Quantity: 0.1, UnitType: "user-months",
			PricePerUnit: 19, GrossAmount: 1.9, NetAmount: 1.9, OrganizationName: "solo"}}}
	}
	return nil
}

// fixture serves the fixture's days of September to November 2026.
func fixture() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	d.Enterprises["ent"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{CostCenters: []githubapi.CostCenter{{ID: "cc-1", Name: "Team A", State: "active"}}}}
	d.Organizations["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Organizations["solo"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.History = &fakegithub.History{Month: testNow, Day: func(a githubapi.Account, day time.Time) *fakegithub.DayData {
		if day.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) || !day.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
			return nil
		}
		return &fakegithub.DayData{UsageItems: fixtureDay(a, day)}
	}}
	return d
}

var fixtureAccounts = []githubapi.Account{testEnterprise, testMember, testSolo}

// The sums of BilledCost and ListCost of every account and month are the
// usage report's net and gross, to the cent, worked out by hand; acme, an
// organization of the configured enterprise, is written once, in ent's rows.
func TestSumsExactPerAccountAndMonth(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	out := filepath.Join(t.TempDir(), "focus.csv")
	if log, err := runOn(t, fake, testNow, focus.Flags{From: "2026-09", To: "2026-11", Format: focus.FormatCSV, Output: out}, 0, fixtureAccounts...); err != nil {
		t.Fatalf("%v\n%s", err, log)
	}
	d := conformance.ReadCSV(t, out)
	// ent a day: net 0.5 + 0.4 + 0 = 0.9, gross 0.8 + 0.4 + 1.0 = 2.2;
	// the 15th adds gross 0.8 (net 0).
	// September and November (30 days): net 30 × 0.9 = 27,
	//   gross 30 × 2.2 + 0.8 = 66.8; October (31): net 27.9, gross 69.
	// solo a day: 1.9 both; 30 days 57, 31 days 58.9.
	want := map[string][2]string{ // BilledCost, ListCost
		"enterprises/ent 2026-09-01T00:00:00Z ":    {"27", "66.8"},
		"enterprises/ent 2026-10-01T00:00:00Z ":    {"27.9", "69"},
		"enterprises/ent 2026-11-01T00:00:00Z ":    {"27", "66.8"},
		"organizations/solo 2026-09-01T00:00:00Z ": {"57", "57"},
		"organizations/solo 2026-10-01T00:00:00Z ": {"58.9", "58.9"},
		"organizations/solo 2026-11-01T00:00:00Z ": {"57", "57"},
	}
	billed := sumBy(t, d, "BilledCost", "BillingAccountId", "BillingPeriodStart")
	list := sumBy(t, d, "ListCost", "BillingAccountId", "BillingPeriodStart")
	for k, w := range want {
		if got := ratText(billed[k]); got != w[0] {
			t.Errorf("%s: BilledCost sums to %s, want %s", k, got, w[0])
		}
		if got := ratText(list[k]); got != w[1] {
			t.Errorf("%s: ListCost sums to %s, want %s", k, got, w[1])
		}
	}
	if len(billed) != len(want) {
		t.Errorf("accounts and months %v, want ent's and solo's three months only", keysOf(billed))
	}
	// Rows: ent 4 a day (the partly covered Linux row is two) and one more
	// on the 15th: 30 × 4 + 1 = 121, 31 × 4 + 1 = 125, 121; solo 30 + 31 + 30.
	if got, want := len(d.Rows), 121+125+121+91; got != want {
		t.Errorf("%d rows, want %d", got, want)
	}
	// acme's rows are read through ent's report, and its own report is
	// never asked for: ent 1 cost-center list + 3 months × 2 reports,
	// solo 3 months × 1 = 10 requests.
	if n := fake.TotalRequests(); n != 10 {
		t.Errorf("%d requests, want 10: %v", n, fake.RequestCounts())
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A run of three months interrupted after any number of requests, then
// run again with the same output, writes the file an uninterrupted run
// writes, byte for byte, in both formats.
func TestInterruptedAndResumedIsIdentical(t *testing.T) {
	t.Parallel()
	for _, format := range []string{focus.FormatCSV, focus.FormatParquet} {
		fake := fakegithubtest.Start(t, fixture())
		whole := filepath.Join(t.TempDir(), "focus."+format)
		if log, err := runOn(t, fake, testNow, focus.Flags{From: "2026-09", To: "2026-11", Format: format, Output: whole}, 0, fixtureAccounts...); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		want, err := os.ReadFile(whole)
		if err != nil {
			t.Fatal(err)
		}
		// 10 requests in all (TestSumsExactPerAccountAndMonth): stop after
		// the cost-center list, within the first month, and in the last.
		for _, after := range []int{1, 2, 4, 9} {
			out := filepath.Join(t.TempDir(), "focus."+format)
			f := focus.Flags{From: "2026-09", To: "2026-11", Format: format, Output: out}
			if _, err := runOn(t, fake, testNow, f, after, fixtureAccounts...); err == nil || !strings.Contains(err.Error(), "rerun the same command to continue") {
				t.Fatalf("%s, cancelled after %d requests: error %v, want a stop that says how to continue", format, after, err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s, cancelled after %d requests: the output exists before the run is complete", format, after)
			}
			log, err := runOn(t, fake, testNow, f, 0, fixtureAccounts...)
			if err != nil {
				t.Fatalf("%s, resumed after %d requests: %v\n%s", format, after, err, log)
			}
			if after > 2 && !strings.Contains(log, "continuing after") {
				t.Errorf("%s, resumed after %d requests: the plan line does not say it continues:\n%s", format, after, log)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s, interrupted after %d requests and resumed: %d bytes differ from the uninterrupted run's %d", format, after, len(got), len(want))
			}
			// A third run confirms the finished file and asks GitHub nothing.
			before := fake.TotalRequests()
			if log, err := runOn(t, fake, testNow, f, 0, fixtureAccounts...); err != nil || !strings.Contains(log, "nothing to do") || fake.TotalRequests() != before {
				t.Errorf("%s: a rerun on the finished file: %v, %d requests\n%s", format, err, fake.TotalRequests()-before, log)
			}
		}
	}
}

// The CSV and the Parquet file of one run hold the same rows, and both keep
// every FOCUS rule the dataset's columns have. The CSV file is checked here;
// both files are testdata/fixture-2026-10.*, byte for byte, which the test
// of ./focus/internal/conformance reads (the Parquet file with Apache
// Arrow's reader) and checks for the same rows, the rules and the Parquet
// types.
func TestCSVAndParquetConform(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	dir := t.TempDir()
	for _, format := range []string{focus.FormatCSV, focus.FormatParquet} {
		out := filepath.Join(dir, "focus."+format)
		if log, err := runOn(t, fake, testNow, focus.Flags{From: "2026-10", Format: format, Output: out}, 0, fixtureAccounts...); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		sameAsTestdata(t, out, "fixture-2026-10."+format)
	}
	c := conformance.ReadCSV(t, filepath.Join(dir, "focus.csv"))
	conformance.Check(t, "csv", c)

	// The split of the partly covered row of 3 October (0.8 gross, 0.5
	// net at $0.008): covered 0.3 for 100 × 0.3/0.8 = 37.5 minutes,
	// billed 0.5 for 62.5 minutes; 37.5 × 0.008 = 0.3, 62.5 × 0.008 = 0.5.
	var split [][4]string
	for _, r := range c.Rows {
		res, _ := c.Get(r, "ResourceId")
		start, _ := c.Get(r, "ChargePeriodStart")
		if res == "acme/api" && start == "2026-10-03T00:00:00Z" {
			q, _ := c.Get(r, "PricingQuantity")
			l, _ := c.Get(r, "ListCost")
			b, _ := c.Get(r, "BilledCost")
			x, _ := c.Get(r, "x_DiscountAmount")
			split = append(split, [4]string{q, l, b, x})
		}
	}
	if want := [][4]string{{"37.5", "0.3", "0", "0.3"}, {"62.5", "0.5", "0.5", "0"}}; len(split) != 2 || split[0] != want[0] || split[1] != want[1] {
		t.Errorf("3 October's acme/api rows (quantity, ListCost, BilledCost, x_DiscountAmount) %v, want %v", split, want)
	}
}
