package collector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

var (
	usageTestEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"}
	usageTestOrg        = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	usageTestUser       = githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	// usageTestNow is mid-November 2026 in UTC.
	usageTestNow = time.Date(2026, time.November, 15, 12, 0, 0, 0, time.UTC)
)

// usageTestNames are the usage collector's metric names.
var usageTestNames = []string{
	"github_billing_usage_quantity", "github_billing_usage_gross_amount_usd", "github_billing_usage_discount_amount_usd",
	"github_billing_usage_net_amount_usd", "github_billing_usage_price_per_unit_usd",
}

func usageTestNew(byRepository bool, now time.Time) Collector {
	return usageCollector{byRepository: byRepository, now: func() time.Time { return now }}
}

// usageTestValues runs one update and returns every sample as
// `name{label="value",…}` → value, labels in name order.
func usageTestValues(t testing.TB, c Collector, client *githubapi.Client, a githubapi.Account) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(update(t, c, client, a))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[usageTestKey(mf, m)] = m.GetGauge().GetValue()
		}
	}
	return out
}

func usageTestKey(mf *dto.MetricFamily, m *dto.Metric) string {
	var pairs []string
	for _, l := range m.GetLabel() {
		if l.GetName() == "scope" || l.GetName() == "account" {
			continue
		}
		pairs = append(pairs, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
	}
	sort.Strings(pairs)
	return strings.TrimPrefix(mf.GetName(), "github_billing_usage_") + "{" + strings.Join(pairs, ",") + "}"
}

// usageTestSeries is the key usageTestValues uses for a usage series.
func usageTestSeries(metric, product, sku, unit, org, repo, costCenter string) string {
	return fmt.Sprintf(`%s{cost_center=%q,organization=%q,product=%q,repository=%q,sku=%q,unit_type=%q}`,
		metric, costCenter, org, product, repo, sku, unit)
}

func usageTestPrice(product, sku, unit string) string {
	return fmt.Sprintf(`price_per_unit_usd{product=%q,sku=%q,unit_type=%q}`, product, sku, unit)
}

func usageTestDataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	for _, a := range []githubapi.Account{usageTestEnterprise, usageTestOrg, usageTestUser} {
		ad := &fakegithub.AccountData{Platform: &fakegithub.PlatformData{UsageData: fakegithub.UsageData{UsageItems: map[string][]githubapi.UsageItem{}}}}
		switch a.Scope {
		case githubapi.ScopeEnterprise:
			d.Enterprises[a.Name] = ad
		case githubapi.ScopeOrganization:
			d.Organizations[a.Name] = ad
		default:
			d.Users[a.Name] = ad
		}
	}
	return d
}

func usageTestSet(d *fakegithub.Dataset, a githubapi.Account, costCenter string, rows ...githubapi.UsageItem) {
	d.Account(a.Scope, a.Name).Platform.UsageItems[costCenter] = rows
}

// usageTestRow is a row with binary fractions, so sums are exact.
func usageTestRow(date, product, sku, org, repo string, quantity, price, gross, discount, net float64) githubapi.UsageItem {
	return githubapi.UsageItem{Date: date, Product: product, SKU: sku, Quantity: quantity, UnitType: "minutes",
		PricePerUnit: price, GrossAmount: gross, DiscountAmount: discount, NetAmount: net,
		OrganizationName: org, RepositoryName: repo}
}

const usageTestHelp = `# HELP github_billing_usage_quantity Month-to-date usage in unit_type (quantity of the usage report, summed).
# TYPE github_billing_usage_quantity gauge
%[1]s# HELP github_billing_usage_gross_amount_usd Month-to-date gross amount in US dollars (grossAmount of the usage report, summed).
# TYPE github_billing_usage_gross_amount_usd gauge
%[2]s# HELP github_billing_usage_discount_amount_usd Month-to-date discount in US dollars, what included usage covered (discountAmount, summed).
# TYPE github_billing_usage_discount_amount_usd gauge
%[3]s# HELP github_billing_usage_net_amount_usd Month-to-date billed amount in US dollars (netAmount of the usage report, summed).
# TYPE github_billing_usage_net_amount_usd gauge
%[4]s# HELP github_billing_usage_price_per_unit_usd Price per unit_type in US dollars (pricePerUnit of the newest row of the month).
# TYPE github_billing_usage_price_per_unit_usd gauge
%[5]s`

// usageTestExposition fills usageTestHelp: series lists the label sets
// (without metric name) of the usage series and their values in the order
// quantity, gross, discount, net; price the price series.
func usageTestExposition(series []string, values [][4]float64, price string) string {
	var parts [4]strings.Builder
	names := []string{"quantity", "gross_amount_usd", "discount_amount_usd", "net_amount_usd"}
	for i, s := range series {
		for m := range 4 {
			fmt.Fprintf(&parts[m], "github_billing_usage_%s%s %g\n", names[m], s, values[i][m])
		}
	}
	return fmt.Sprintf(usageTestHelp, parts[0].String(), parts[1].String(), parts[2].String(), parts[3].String(), price)
}

// The shared examples of all three scopes, the enterprise's with the two
// cost centers of the cost-center example: the fake answers the same row
// to each of the enterprise's three queries, one per cost center and one
// for none.
func TestUsageCollectorExamples(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/enterprises/acme-corp/settings/billing/cost-centers", fakegithubtest.ServeFile(examplesDir+"enterprise-cost-centers-list.json"))
	fake.Override("/enterprises/acme-corp/settings/billing/usage", fakegithubtest.ServeFile(examplesDir+"enterprise-usage.json"))
	fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeFile(examplesDir+"org-usage.json"))
	fake.Override("/users/octocat/settings/billing/usage", fakegithubtest.ServeFile(examplesDir+"user-usage.json"))
	accounts := []githubapi.Account{usageTestEnterprise, usageTestOrg, usageTestUser}

	row := [4]float64{100, 0.8, 0, 0.8}
	labels := func(scope, account, org, repo, cc string) string {
		return fmt.Sprintf(`{account=%q,cost_center=%q,organization=%q,product="Actions",repository=%q,scope=%q,sku="Actions Linux",unit_type="minutes"}`,
			account, cc, org, repo, scope)
	}
	price := `github_billing_usage_price_per_unit_usd{account="acme-corp",product="Actions",scope="enterprise",sku="Actions Linux",unit_type="minutes"} 0.008
github_billing_usage_price_per_unit_usd{account="acme-web",product="Actions",scope="organization",sku="Actions Linux",unit_type="minutes"} 0.008
github_billing_usage_price_per_unit_usd{account="octocat",product="Actions",scope="user",sku="Actions Linux",unit_type="minutes"} 0.008
`
	for _, byRepo := range []bool{false, true} {
		repo := func(name string) string {
			if byRepo {
				return name
			}
			return ""
		}
		want := usageTestExposition([]string{
			labels("enterprise", "acme-corp", "GitHub", repo("github/example"), ""),
			labels("enterprise", "acme-corp", "GitHub", repo("github/example"), "Another Cost Center"),
			labels("enterprise", "acme-corp", "GitHub", repo("github/example"), "Cost Center Name"),
			labels("organization", "acme-web", "GitHub", repo("github/example"), ""),
			labels("user", "octocat", "", repo("user/example"), ""),
		}, [][4]float64{row, row, row, row, row}, price)
		// The examples' rows are of 1 August 2023: that month to date.
		c := usageTestNew(byRepo, time.Date(2023, time.August, 15, 0, 0, 0, 0, time.UTC))
		if err := testutil.CollectAndCompare(update(t, c, client, accounts...), strings.NewReader(want), usageTestNames...); err != nil {
			t.Errorf("by repository %v: %v", byRepo, err)
		}
		if problems, err := testutil.CollectAndLint(update(t, c, client, accounts...)); err != nil || len(problems) > 0 {
			t.Errorf("lint: %v %v", problems, err)
		}
	}
	// One cost-center list and three usage queries for the enterprise, per
	// update (two updates for each setting, compare and lint, two settings).
	if n := fake.Requests("/enterprises/acme-corp/settings/billing/usage"); n != 12 {
		t.Errorf("%d enterprise usage requests, want 12", n)
	}
}

// Rows that share every label are summed: the same SKU in several
// repositories, over several days; organizations stay apart; product casing
// that changed within the month makes two series; repository only with
// by-repository.
func TestUsageCollectorSumsRows(t *testing.T) {
	d := usageTestDataset()
	usageTestSet(d, usageTestOrg, "",
		usageTestRow("2026-11-01T00:00:00Z", "Actions", "actions_linux", "acme-web", "acme-web/a", 1.5, 0.5, 0.75, 0.25, 0.5),
		usageTestRow("2026-11-02T00:00:00Z", "Actions", "actions_linux", "acme-web", "acme-web/b", 2.25, 0.5, 1.125, 0, 1.125),
		usageTestRow("2026-11-02T00:00:00Z", "Actions", "actions_linux", "acme-web", "acme-web/a", 0.125, 0.5, 0.0625, 0, 0.0625),
		usageTestRow("2026-11-03T00:00:00Z", "Actions", "actions_linux", "acme-data", "acme-data/x", 4, 0.5, 2, 1, 1),
		// From the 10th GitHub spelled the product in lower case.
		usageTestRow("2026-11-10T00:00:00Z", "actions", "actions_linux", "acme-web", "acme-web/a", 8, 0.5, 4, 0, 4),
		usageTestRow("2026-11-11T00:00:00Z", "actions", "actions_linux", "acme-web", "acme-web/b", 16, 0.5, 8, 0, 8),
		// October is not month to date.
		usageTestRow("2026-10-31T00:00:00Z", "Actions", "actions_linux", "acme-web", "acme-web/a", 1000, 0.5, 500, 0, 500),
	)
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})

	got := usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestOrg)
	want := map[string]float64{
		// 1.5 + 2.25 + 0.125 over repositories a, b, a.
		usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-web", "", ""):             3.875,
		usageTestSeries("gross_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "", ""):     1.9375,
		usageTestSeries("discount_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "", ""):  0.25,
		usageTestSeries("net_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "", ""):       1.6875,
		usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-data", "", ""):            4,
		usageTestSeries("gross_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "", ""):    2,
		usageTestSeries("discount_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "", ""): 1,
		usageTestSeries("net_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "", ""):      1,
		// 8 + 16, as sent in lower case.
		usageTestSeries("quantity", "actions", "actions_linux", "minutes", "acme-web", "", ""):            24,
		usageTestSeries("gross_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "", ""):    12,
		usageTestSeries("discount_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "", ""): 0,
		usageTestSeries("net_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "", ""):      12,
		usageTestPrice("Actions", "actions_linux", "minutes"):                                             0.5,
		usageTestPrice("actions", "actions_linux", "minutes"):                                             0.5,
	}
	usageTestExpect(t, "by repository off", got, want)

	got = usageTestValues(t, usageTestNew(true, usageTestNow), client, usageTestOrg)
	want = map[string]float64{
		// 1.5 + 0.125 in acme-web/a.
		usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):              1.625,
		usageTestSeries("gross_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):      0.8125,
		usageTestSeries("discount_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):   0.25,
		usageTestSeries("net_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):        0.5625,
		usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):              2.25,
		usageTestSeries("gross_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):      1.125,
		usageTestSeries("discount_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):   0,
		usageTestSeries("net_amount_usd", "Actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):        1.125,
		usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-data", "acme-data/x", ""):            4,
		usageTestSeries("gross_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "acme-data/x", ""):    2,
		usageTestSeries("discount_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "acme-data/x", ""): 1,
		usageTestSeries("net_amount_usd", "Actions", "actions_linux", "minutes", "acme-data", "acme-data/x", ""):      1,
		usageTestSeries("quantity", "actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):              8,
		usageTestSeries("gross_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):      4,
		usageTestSeries("discount_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):   0,
		usageTestSeries("net_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/a", ""):        4,
		usageTestSeries("quantity", "actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):              16,
		usageTestSeries("gross_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):      8,
		usageTestSeries("discount_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):   0,
		usageTestSeries("net_amount_usd", "actions", "actions_linux", "minutes", "acme-web", "acme-web/b", ""):        8,
		usageTestPrice("Actions", "actions_linux", "minutes"):                                                         0.5,
		usageTestPrice("actions", "actions_linux", "minutes"):                                                         0.5,
	}
	usageTestExpect(t, "by repository on", got, want)
}

// A month of small fractional rows sums to the decimal total, to the last
// digit: plain float64 addition of these rows gives 8.999999999999984
// minutes and $0.7200000000000005.
func TestUsageCollectorSumsDecimalsExactly(t *testing.T) {
	var rows []githubapi.UsageItem
	for day := 1; day <= 30; day++ {
		date := fmt.Sprintf("2026-11-%02dT00:00:00Z", day)
		for _, repo := range []string{"acme-web/a", "acme-web/b", "acme-web/c"} {
			rows = append(rows, usageTestRow(date, "Actions", "actions_linux", "acme-web", repo, 0.1, 0.16, 0.016, 0.008, 0.008))
		}
	}
	if naive := naiveSum(0.1, len(rows)); naive == 9 {
		t.Fatalf("90 × 0.1 = %v in plain float64: the rows do not show drift", naive)
	}
	d := usageTestDataset()
	usageTestSet(d, usageTestOrg, "", rows...)
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})

	series := func(metric, repo string) string {
		return usageTestSeries(metric, "Actions", "actions_linux", "minutes", "acme-web", repo, "")
	}
	// 90 rows: 90 × 0.1, 90 × 0.016, 90 × 0.008.
	usageTestExpect(t, "by repository off", usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestOrg), map[string]float64{
		series("quantity", ""): 9, series("gross_amount_usd", ""): 1.44,
		series("discount_amount_usd", ""): 0.72, series("net_amount_usd", ""): 0.72,
		usageTestPrice("Actions", "actions_linux", "minutes"): 0.16,
	})
	// 30 rows a repository: 30 × 0.1, 30 × 0.016, 30 × 0.008.
	want := map[string]float64{usageTestPrice("Actions", "actions_linux", "minutes"): 0.16}
	for _, repo := range []string{"acme-web/a", "acme-web/b", "acme-web/c"} {
		want[series("quantity", repo)] = 3
		want[series("gross_amount_usd", repo)] = 0.48
		want[series("discount_amount_usd", repo)] = 0.24
		want[series("net_amount_usd", repo)] = 0.24
	}
	usageTestExpect(t, "by repository on", usageTestValues(t, usageTestNew(true, usageTestNow), client, usageTestOrg), want)
}

// naiveSum adds x n times in plain float64.
func naiveSum(x float64, n int) float64 {
	s := 0.0
	for range n {
		s += x
	}
	return s
}

// Decimal fractions add up as decimals do.
func TestUsageCollectorFractionalQuantities(t *testing.T) {
	d := usageTestDataset()
	usageTestSet(d, usageTestUser, "",
		usageTestRow("2026-11-01", "Copilot", "copilot_pro", "", "", 0.1, 10, 1.0, 0, 1.0),
		usageTestRow("2026-11-02", "Copilot", "copilot_pro", "", "", 0.2, 10, 2.0, 0, 2.0),
		usageTestRow("2026-11-03", "Copilot", "copilot_pro", "", "", 0.033, 10, 0.33, 0.11, 0.22),
	)
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
	got := usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestUser)
	for key, want := range map[string]float64{
		usageTestSeries("quantity", "Copilot", "copilot_pro", "minutes", "", "", ""):            0.333,
		usageTestSeries("gross_amount_usd", "Copilot", "copilot_pro", "minutes", "", "", ""):    3.33,
		usageTestSeries("discount_amount_usd", "Copilot", "copilot_pro", "minutes", "", "", ""): 0.11,
		usageTestSeries("net_amount_usd", "Copilot", "copilot_pro", "minutes", "", "", ""):      3.22,
	} {
		if v, ok := got[key]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", key, v, ok, want)
		}
	}
}

// An enterprise is read once per cost center and once for usage in none;
// the sum over cost_center is the whole enterprise. A deleted cost center is
// read too (its usage from before the deletion is in no other answer), and
// one whose id GitHub refuses adds nothing; two with one name are summed.
func TestUsageCollectorEnterpriseCostCenters(t *testing.T) {
	d := usageTestDataset()
	d.Enterprises["acme-corp"].Platform.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform", Name: "Platform", State: "active"},
		{ID: "cc-data", Name: "Data Science", State: "active"},
		{ID: "cc-old", Name: "Legacy", State: "deleted"},
		{ID: "cc-gone", Name: "Gone", State: "deleted"},
		{ID: "cc-ops-1", Name: "Ops", State: "active"},
		{ID: "cc-ops-2", Name: "Ops", State: "active"},
	}
	day := "2026-11-14T00:00:00Z"
	usageTestSet(d, usageTestEnterprise, "", usageTestRow(day, "Actions", "actions_linux", "acme-labs", "acme-labs/x", 10, 0.5, 5, 1, 4))
	usageTestSet(d, usageTestEnterprise, "cc-platform",
		usageTestRow(day, "Actions", "actions_linux", "acme-web", "acme-web/a", 20, 0.5, 10, 2, 8),
		usageTestRow(day, "Actions", "actions_linux", "acme-web", "acme-web/b", 40, 0.5, 20, 0, 20))
	usageTestSet(d, usageTestEnterprise, "cc-data", usageTestRow(day, "Actions", "actions_linux", "acme-data", "acme-data/x", 80, 0.5, 40, 0, 40))
	usageTestSet(d, usageTestEnterprise, "cc-old", usageTestRow(day, "Actions", "actions_linux", "acme-old", "acme-old/x", 1, 0.5, 0.5, 0, 0.5))
	usageTestSet(d, usageTestEnterprise, "cc-ops-1", usageTestRow(day, "Actions", "actions_linux", "acme-ops", "acme-ops/x", 160, 0.5, 80, 0, 80))
	usageTestSet(d, usageTestEnterprise, "cc-ops-2", usageTestRow(day, "Actions", "actions_linux", "acme-ops", "acme-ops/y", 320, 0.5, 160, 0, 160))
	d.Enterprises["acme-corp"].Platform.RefusedCostCenters = []string{"cc-gone"}
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})

	got := usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestEnterprise)
	series := func(metric, org, cc string) string {
		return usageTestSeries(metric, "Actions", "actions_linux", "minutes", org, "", cc)
	}
	want := map[string]float64{
		series("quantity", "acme-labs", ""): 10, series("gross_amount_usd", "acme-labs", ""): 5,
		series("discount_amount_usd", "acme-labs", ""): 1, series("net_amount_usd", "acme-labs", ""): 4,
		series("quantity", "acme-web", "Platform"): 60, series("gross_amount_usd", "acme-web", "Platform"): 30,
		series("discount_amount_usd", "acme-web", "Platform"): 2, series("net_amount_usd", "acme-web", "Platform"): 28,
		series("quantity", "acme-data", "Data Science"): 80, series("gross_amount_usd", "acme-data", "Data Science"): 40,
		series("discount_amount_usd", "acme-data", "Data Science"): 0, series("net_amount_usd", "acme-data", "Data Science"): 40,
		series("quantity", "acme-old", "Legacy"): 1, series("gross_amount_usd", "acme-old", "Legacy"): 0.5,
		series("discount_amount_usd", "acme-old", "Legacy"): 0, series("net_amount_usd", "acme-old", "Legacy"): 0.5,
		series("quantity", "acme-ops", "Ops"): 480, series("gross_amount_usd", "acme-ops", "Ops"): 240,
		series("discount_amount_usd", "acme-ops", "Ops"): 0, series("net_amount_usd", "acme-ops", "Ops"): 240,
		usageTestPrice("Actions", "actions_linux", "minutes"): 0.5,
	}
	usageTestExpect(t, "enterprise", got, want)

	// The total equals the sum of the answers: 10 + 20 + 40 + 80 + 1 + 160 + 320.
	total := 0.0
	for k, v := range got {
		if strings.HasPrefix(k, "quantity{") {
			total += v
		}
	}
	if total != 631 {
		t.Errorf("total quantity %v, want 631", total)
	}
	// Six cost centers and none: seven reports.
	if n := fake.Requests("/enterprises/acme-corp/settings/billing/usage"); n != 7 {
		t.Errorf("%d usage requests, want 7", n)
	}
}

// A refused id fails the update when the cost center is active: a total
// without it would be wrong money.
func TestUsageCollectorRefusedActiveCostCenterFails(t *testing.T) {
	d := usageTestDataset()
	d.Enterprises["acme-corp"].Platform.CostCenters = []githubapi.CostCenter{{ID: "cc-platform", Name: "Platform", State: "active"}}
	d.Enterprises["acme-corp"].Platform.RefusedCostCenters = []string{"cc-platform"}
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
	_, err := usageTestNew(false, usageTestNow).Update(context.Background(), client, usageTestEnterprise)
	if !errors.Is(err, githubapi.ErrBadRequest) || !strings.Contains(err.Error(), `"Platform"`) {
		t.Errorf("err = %v, want a 400 naming the cost center", err)
	}
}

// The collector always asks for the current month in UTC: without year and
// month the fake, like GitHub, answers the whole year.
func TestUsageCollectorAlwaysSendsYearAndMonth(t *testing.T) {
	d := usageTestDataset()
	var rows []githubapi.UsageItem
	for m := time.January; m <= time.December; m++ {
		date := time.Date(2026, m, 20, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
		rows = append(rows, usageTestRow(date, "Actions", "actions_linux", "acme-web", "", float64(m), 1, float64(m), 0, float64(m)))
	}
	usageTestSet(d, usageTestOrg, "", rows...)
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
	key := usageTestSeries("quantity", "Actions", "actions_linux", "minutes", "acme-web", "", "")
	for _, tc := range []struct {
		now  time.Time
		want float64
	}{
		{usageTestNow, 11},
		// 1 December 00:30 in UTC+2 is still 30 November in UTC.
		{time.Date(2026, time.December, 1, 0, 30, 0, 0, time.FixedZone("UTC+2", 2*3600)), 11},
		{time.Date(2026, time.January, 31, 23, 59, 0, 0, time.UTC), 1},
	} {
		got := usageTestValues(t, usageTestNew(false, tc.now), client, usageTestOrg)
		if got[key] != tc.want {
			t.Errorf("at %v: quantity %v, want %v (the whole year would be 78)", tc.now, got[key], tc.want)
		}
	}
}

// The price is the newest row's; on the newest date, the highest.
func TestUsageCollectorPricePerUnit(t *testing.T) {
	d := usageTestDataset()
	usageTestSet(d, usageTestOrg, "",
		usageTestRow("2026-11-01", "Actions", "actions_linux", "acme-web", "r1", 1, 0.008, 0.008, 0, 0.008),
		usageTestRow("2026-11-03", "Actions", "actions_linux", "acme-web", "r2", 1, 0.01, 0.01, 0, 0.01),
		usageTestRow("2026-11-02", "Actions", "actions_linux", "acme-data", "r3", 1, 0.009, 0.009, 0, 0.009),
		usageTestRow("2026-11-05", "Copilot", "premium", "acme-web", "", 1, 0.04, 0.04, 0, 0.04),
		usageTestRow("2026-11-05", "Copilot", "premium", "acme-web", "", 1, 0.05, 0.05, 0, 0.05),
		usageTestRow("2026-11-05", "Copilot", "premium", "acme-web", "", 1, 0.03, 0.03, 0, 0.03),
	)
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
	got := usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestOrg)
	if p := got[usageTestPrice("Actions", "actions_linux", "minutes")]; p != 0.01 {
		t.Errorf("actions_linux price %v, want 0.01 (3 November)", p)
	}
	if p := got[usageTestPrice("Copilot", "premium", "minutes")]; p != 0.05 {
		t.Errorf("premium price %v, want 0.05", p)
	}
}

// An empty and a missing usageItems are no usage, not an error.
func TestUsageCollectorEmptyReports(t *testing.T) {
	for _, body := range []string{`{"usageItems":[]}`, `{}`, `{"usageItems":null}`, `{"otherField":[1,2]}`} {
		fake := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, fake, githubapi.Options{})
		fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(body))
		metrics, err := usageTestNew(false, usageTestNow).Update(context.Background(), client, usageTestOrg)
		if err != nil || len(metrics) != 0 {
			t.Errorf("%s: %d metrics, error %v; want none and no error", body, len(metrics), err)
		}
	}
}

// Any failed call fails the update, with no partial totals: malformed or
// truncated JSON, an error status on one cost center, a failed cost-center
// list.
func TestUsageCollectorFailures(t *testing.T) {
	row := `{"date":"2026-11-02","product":"Actions","sku":"linux","quantity":1,"unitType":"minutes","pricePerUnit":1,"grossAmount":1,"discountAmount":0,"netAmount":1}`
	for _, tc := range []struct {
		name     string
		account  githubapi.Account
		override map[string]http.HandlerFunc
		check    func(error) bool
	}{
		{"malformed", usageTestOrg, map[string]http.HandlerFunc{
			"/organizations/acme-web/settings/billing/usage": fakegithubtest.ServeString(`{"usageItems":[` + row + `,{"quantity":"many"}]}`),
		}, usageTestIsDecodeError},
		{"truncated", usageTestOrg, map[string]http.HandlerFunc{
			"/organizations/acme-web/settings/billing/usage": fakegithubtest.ServeString(`{"usageItems":[` + row + `,` + row[:40]),
		}, func(err error) bool { return usageTestIsDecodeError(err) && errors.Is(err, io.ErrUnexpectedEOF) }},
		{"connection dropped", usageTestOrg, map[string]http.HandlerFunc{
			"/organizations/acme-web/settings/billing/usage": func(w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, `{"usageItems":[`+row) //nolint:errcheck // test answer
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // drops the connection mid-body
			},
		}, func(err error) bool { return err != nil }},
		{"403 on one cost center", usageTestEnterprise, map[string]http.HandlerFunc{
			"/enterprises/acme-corp/settings/billing/cost-centers": fakegithubtest.ServeString(`{"costCenters":[{"id":"a","name":"A","state":"active","resources":[]},{"id":"b","name":"B","state":"active","resources":[]}]}`),
			"/enterprises/acme-corp/settings/billing/usage": func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("cost_center_id") == "b" {
					fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible")
					return
				}
				io.WriteString(w, `{"usageItems":[`+row+`]}`) //nolint:errcheck // test answer
			},
		}, func(err error) bool { return errors.Is(err, githubapi.ErrForbidden) }},
		{"cost centers fail", usageTestEnterprise, map[string]http.HandlerFunc{
			"/enterprises/acme-corp/settings/billing/cost-centers": func(w http.ResponseWriter, _ *http.Request) {
				fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
			},
			"/enterprises/acme-corp/settings/billing/usage": fakegithubtest.ServeString(`{"usageItems":[` + row + `]}`),
		}, func(err error) bool { return errors.Is(err, githubapi.ErrNotFound) }},
	} {
		fake := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, fake, githubapi.Options{})
		for path, h := range tc.override {
			fake.Override(path, h)
		}
		metrics, err := usageTestNew(false, usageTestNow).Update(context.Background(), client, tc.account)
		if err == nil || metrics != nil || !tc.check(err) {
			t.Errorf("%s: %d metrics, error %v", tc.name, len(metrics), err)
			continue
		}
		if want := "fetch usage for " + tc.account.String(); !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %q does not start with %q", tc.name, err, want)
		}
	}
}

func usageTestIsDecodeError(err error) bool {
	var de *githubapi.DecodeError
	return errors.As(err, &de)
}

// The demo enterprise shows its two cost centers and unassigned usage,
// plausible money, and figures that grow through the
// month; the sum over cost_center is the sum of every row the fake holds
// for the month.
func TestUsageCollectorDemo(t *testing.T) {
	early := time.Date(2026, time.November, 5, 12, 0, 0, 0, time.UTC)
	late := time.Date(2026, time.November, 20, 18, 0, 0, 0, time.UTC)
	netTotal := func(now time.Time, a githubapi.Account) (float64, map[string]float64) {
		d := demo.Dataset(now)
		client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
		c := usageTestNew(false, now)
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(update(t, c, client, a))
		if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
			t.Errorf("lint: %v %v", problems, err)
		}
		got := usageTestValues(t, c, client, a)
		total := 0.0
		for k, v := range got {
			if strings.HasPrefix(k, "net_amount_usd{") {
				total += v
			}
		}
		// Every row the fake would answer: all cost centers of the dataset
		// except the deleted one, which the demo leaves empty.
		rowsTotal := 0.0
		for _, rows := range d.Account(a.Scope, a.Name).Platform.UsageItems {
			for _, r := range rows {
				rowsTotal += r.NetAmount
			}
		}
		if math.Abs(total-rowsTotal) > 1e-6 {
			t.Errorf("%s at %v: exported net %v, rows add up to %v", a, now, total, rowsTotal)
		}
		return total, got
	}
	enterprise := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise}
	earlyTotal, _ := netTotal(early, enterprise)
	lateTotal, got := netTotal(late, enterprise)
	if !(earlyTotal > 0 && lateTotal > 2*earlyTotal) {
		t.Errorf("net grows from %v on the 5th to %v on the 20th; want more than double", earlyTotal, lateTotal)
	}
	// Two thirds of a month of a company paying a few thousand dollars.
	if lateTotal < 1000 || lateTotal > 5000 {
		t.Errorf("net on the 20th %v, want a few thousand dollars a month", lateTotal)
	}
	costCenters := map[string]bool{}
	products := map[string]bool{}
	for k := range got {
		for _, cc := range []string{`cost_center=""`, `cost_center="Platform"`, `cost_center="Data Science"`} {
			if strings.Contains(k, cc+",") {
				costCenters[cc] = true
			}
		}
		if strings.HasPrefix(k, "quantity{") {
			products[k[strings.Index(k, "product="):strings.Index(k, ",repository")]] = true
		}
	}
	if len(costCenters) != 3 {
		t.Errorf("cost centers %v, want unassigned, Platform and Data Science", costCenters)
	}
	for _, p := range []string{`product="Actions"`, `product="Packages"`, `product="Copilot"`, `product="GitHub Advanced Security"`} {
		if !products[p] {
			t.Errorf("no %s in the demo on the 20th; have %v", p, products)
		}
	}
	for _, a := range []githubapi.Account{
		{Scope: githubapi.ScopeOrganization, Name: demo.OrgWeb},
		{Scope: githubapi.ScopeOrganization, Name: demo.OrgData},
		{Scope: githubapi.ScopeUser, Name: demo.User},
	} {
		if total, _ := netTotal(late, a); total <= 0 {
			t.Errorf("%s: net %v, want some usage", a, total)
		}
	}
}

func usageTestExpect(t *testing.T, name string, got, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s: %s = %v (present %v), want %v", name, k, g, ok, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s = %v", name, k, g)
		}
	}
}

// usageTestExpectSome checks that got has every series of want, at its
// value; other series may be there too.
func usageTestExpectSome(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, w)
		}
	}
}

// expectPathRequests checks how many requests srv received for each path.
func expectPathRequests(t *testing.T, srv *fakegithub.Server, want map[string]int) {
	t.Helper()
	for path, n := range want {
		if got := srv.Requests(path); got != n {
			t.Errorf("%s: %d requests, want %d", path, got, n)
		}
	}
}

// BenchmarkUsageCollectorLoopback1M is one update of the usage collector
// for an organization whose report has 1,000,000 rows (about 266 MB),
// served by the fake GitHub over loopback.
func BenchmarkUsageCollectorLoopback1M(b *testing.B) {
	benchmarkUsageCollectorLoopback(b, 1_000_000, false)
}

// BenchmarkUsageCollectorLoopback1MByRepository is the same with a series
// per repository (20,000 repositories × 8 SKUs).
func BenchmarkUsageCollectorLoopback1MByRepository(b *testing.B) {
	benchmarkUsageCollectorLoopback(b, 1_000_000, true)
}

func benchmarkUsageCollectorLoopback(b *testing.B, rows int, byRepository bool) {
	fake := fakegithubtest.Start(b, nil)
	client := fakegithubtest.Client(b, fake, githubapi.Options{})
	report := benchdata.UsageReport{Rows: rows, Year: 2026, Month: time.November}
	fake.Override("/organizations/big-org/settings/billing/usage", report.Handler())
	c := usageTestNew(byRepository, usageTestNow)
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big-org"}
	b.ReportAllocs()
	var series int
	for b.Loop() {
		metrics, err := c.Update(context.Background(), client, a)
		if err != nil {
			b.Fatal(err)
		}
		series = len(metrics)
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/perOp, "rows/s")
	b.ReportMetric(float64(series), "series")
}

// A cost center without an id would ask for the usage in no cost center a
// second time, and one listed twice would be read twice: each is left out,
// so every dollar counts once. By hand: 10 unassigned + 20 Platform.
func TestUsageCollectorEmptyAndDuplicateCostCenterIDsCountOnce(t *testing.T) {
	d := usageTestDataset()
	d.Enterprises["acme-corp"].Platform.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform", Name: "Platform", State: "active"},
		{ID: "", Name: "No id", State: "active"},
		{ID: "cc-platform", Name: "Platform again", State: "active"},
	}
	day := "2026-11-14T00:00:00Z"
	usageTestSet(d, usageTestEnterprise, "", usageTestRow(day, "Actions", "actions_linux", "acme-labs", "acme-labs/x", 10, 0.5, 5, 0, 5))
	usageTestSet(d, usageTestEnterprise, "cc-platform", usageTestRow(day, "Actions", "actions_linux", "acme-web", "acme-web/a", 20, 0.5, 10, 0, 10))
	fake := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	got := usageTestValues(t, usageTestNew(false, usageTestNow), client, usageTestEnterprise)
	total := 0.0
	for k, v := range got {
		if strings.HasPrefix(k, "quantity{") {
			total += v
		}
	}
	if total != 30 {
		t.Errorf("total quantity %v, want 30 (10 in no cost center + 20 in Platform): %v", total, got)
	}
	// One request for Platform and one for no cost center.
	if n := fake.Requests("/enterprises/acme-corp/settings/billing/usage"); n != 2 {
		t.Errorf("%d usage requests, want 2", n)
	}
}

// The left-out cost centers are logged once each, not every round.
func TestUsageCollectorLogsLeftOutCostCentersOnce(t *testing.T) {
	d := usageTestDataset()
	d.Enterprises["acme-corp"].Platform.CostCenters = []githubapi.CostCenter{
		{ID: "cc-platform", Name: "Platform", State: "active"},
		{ID: "", Name: "No id", State: "active"},
		{ID: "cc-platform", Name: "Platform again", State: "active"},
	}
	client := fakegithubtest.Client(t, fakegithubtest.Start(t, d), githubapi.Options{})
	var log bytes.Buffer
	c := newUsageCollector(Options{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	for range 3 {
		if _, err := c.Update(context.Background(), client, usageTestEnterprise); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `cost center \"No id\" has no id`) ||
		!strings.Contains(lines[1], `cost center \"Platform again\" repeats the id \"cc-platform\"`) {
		t.Errorf("want one line per left-out cost center over 3 rounds, got:\n%s", log.String())
	}
}
