package focus_test

import (
	"math"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/focus"
	"github.com/github-billing-exporter/github-billing-exporter/focus/internal/conformance"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// focus on the demo for last month (October 2026 on the fixed clock of 20
// November) writes a CSV and a Parquet file with the same rows, both
// conform, and BilledCost and ListCost add up, to the cent, to the net and
// gross of the demo's usage rows of October: the enterprise's (its
// organizations acme-web and acme-data, configured beside it, are written
// once, in its rows) and the user's. The Parquet file is read back with
// parquet-go's reader (readParquet); the writer's output is also held to
// a fixture's files in testdata, which Apache Arrow's reader checks
// (./focus/internal/conformance). The demo's rows change with the demo, so
// its files are not kept.
func TestDemoLastMonth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	d := demo.Dataset(now)
	fake := fakegithubtest.Start(t, d)
	fake.SetClock(func() time.Time { return now })
	dir := t.TempDir()
	accounts := d.Accounts()
	for _, format := range []string{focus.FormatCSV, focus.FormatParquet} {
		out := filepath.Join(dir, "demo."+format)
		if log, err := runOn(t, fake, now, focus.Flags{Format: format, Output: out}, 0, accounts...); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
	}
	c := conformance.ReadCSV(t, filepath.Join(dir, "demo.csv"))
	conformance.Check(t, "demo csv", c)
	p := readParquet(t, filepath.Join(dir, "demo.parquet"))
	conformance.SameRows(t, c, p)
	conformance.Check(t, "demo parquet", p)

	// The demo's rows of October, added up in ten-thousandths of a dollar
	// (the demo's amounts are whole ten-thousandths): every cost center of
	// the enterprise, and the user's report.
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise}
	user := githubapi.Account{Scope: githubapi.ScopeUser, Name: demo.User}
	want := map[string][2]int64{}
	for _, a := range []githubapi.Account{ent, user} {
		var net, gross int64
		for day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); day.Month() == time.October; day = day.AddDate(0, 0, 1) {
			dd := d.History.Day(a, day)
			if dd == nil {
				t.Fatalf("the demo has no %s rows on %s", a, day.Format(time.DateOnly))
			}
			for _, rows := range dd.UsageItems {
				for _, r := range rows {
					net += int64(math.Round(r.NetAmount * 1e4))
					gross += int64(math.Round(r.GrossAmount * 1e4))
				}
			}
		}
		want[billingAccountID[a.Scope]+a.Name+" "] = [2]int64{net, gross}
	}
	billed := sumBy(t, c, "BilledCost", "BillingAccountId")
	list := sumBy(t, c, "ListCost", "BillingAccountId")
	if len(billed) != 2 {
		t.Errorf("billing accounts %v, want the enterprise and the user only", keysOf(billed))
	}
	for k, w := range want {
		if got, want := ratText(billed[k]), ratText(big.NewRat(w[0], 1e4)); got != want {
			t.Errorf("%s: BilledCost sums to %s, the demo's net is %s", k, got, want)
		}
		if got, want := ratText(list[k]), ratText(big.NewRat(w[1], 1e4)); got != want {
			t.Errorf("%s: ListCost sums to %s, the demo's gross is %s", k, got, want)
		}
	}

	// By hand: the model retraining of acme-labs/model-training on the
	// 1st, 5,312.5 minutes on 4-core runners at $0.016, no included
	// minutes: $85.00 listed and billed.
	found := 0
	for _, r := range c.Rows {
		res, _ := c.Get(r, "ResourceId")
		sku, _ := c.Get(r, "SkuId")
		if res == "acme-labs/model-training" && sku == "actions_linux_4_core" {
			found++
			q, _ := c.Get(r, "PricingQuantity")
			l, _ := c.Get(r, "ListCost")
			b, _ := c.Get(r, "BilledCost")
			start, _ := c.Get(r, "ChargePeriodStart")
			sub, _ := c.Get(r, "SubAccountId")
			if q != "5312.5" || l != "85" || b != "85" || start != "2026-10-01T00:00:00Z" || sub != "organizations/acme-labs" {
				t.Errorf("retraining row: quantity %s, ListCost %s, BilledCost %s, on %s, sub account %s; want 5312.5, 85, 85, 2026-10-01, organizations/acme-labs", q, l, b, start, sub)
			}
		}
	}
	if found != 1 {
		t.Errorf("%d retraining rows, want 1", found)
	}
}

// billingAccountID is the BillingAccountId of an account of each scope,
// before its name.
var billingAccountID = map[githubapi.Scope]string{githubapi.ScopeEnterprise: "enterprises/", githubapi.ScopeUser: "users/"}
