package main

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/server"
)

// demoSample is one exported series.
type demoSample struct {
	labels map[string]string
	value  float64
}

// demoScrape runs every collector of the exporter against the demo as of
// now, through the fake GitHub over HTTP, and returns the series by metric
// name (without the github_billing_ prefix).
func demoScrape(t *testing.T, now time.Time) (map[string][]demoSample, *fakegithub.Dataset) {
	t.Helper()
	d := demo.Dataset(now)
	fake := fakegithubtest.Start(t, d)
	fake.RequireToken(demo.Token)
	var all []string
	for _, c := range collector.Collectors() {
		all = append(all, c.Name)
	}
	fake.SetClock(func() time.Time { return now })
	// The exporter's one clock: the collectors, the cache and the clients
	// all read it, and none of them the wall clock.
	exp, err := cache.New(cache.Config{Collectors: all, Concurrency: 4, Now: func() time.Time { return now },
		Options: collector.Options{AdvancedSecurityByRepository: true, UsageByRepository: true, BudgetConsumption: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	srv := server.New(server.Config{
		Exporter:      exp,
		Source:        func() (*config.Resolved, error) { return demo.Config(fake.URL), nil },
		TelemetryPath: "/metrics",
	})
	if err := srv.Reload(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reg := exp.Scrape(ctx, nil)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]demoSample{}
	for _, mf := range mfs {
		name := strings.TrimPrefix(mf.GetName(), "github_billing_")
		for _, m := range mf.GetMetric() {
			s := demoSample{labels: map[string]string{}, value: m.GetGauge().GetValue()}
			for _, l := range m.GetLabel() {
				s.labels[l.GetName()] = l.GetValue()
			}
			out[name] = append(out[name], s)
		}
	}
	for _, s := range out["scrape_collector_success"] {
		if s.value != 1 && s.labels["collector"] != "usage_reports" {
			t.Errorf("collector %s failed for %s %s", s.labels["collector"], s.labels["scope"], s.labels["account"])
		}
	}
	return out, d
}

// demoSum adds up the series of a metric whose labels include match, by
// the value of the label by ("" for one total).
func demoSum(series []demoSample, by string, match map[string]string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range series {
		ok := true
		for k, v := range match {
			if s.labels[k] != v {
				ok = false
			}
		}
		if ok {
			out[s.labels[by]] += s.value
		}
	}
	return out
}

// demoClose compares sums of many rows; the exporter's own per-series sums
// are exact, a float64 sum of them is within a few ulps.
func demoClose(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func demoCloseMaps(t *testing.T, what string, got, want map[string]float64) {
	t.Helper()
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if !demoClose(got[k], want[k]) {
			t.Errorf("%s[%q] = %.6f, want %.6f", what, k, got[k], want[k])
		}
	}
}

// testDemoMoneyAddsUp checks that the demo's money adds up as of now: the
// usage report, the summary, the premium request and AI-credit reports, the
// legacy endpoints, the budgets and the cost centers all tell now's month.
// Expected values are the sums of the fake's own rows, added up here, and a
// few figures worked out by hand: webSeats is acme-web's Copilot Business
// quantity of the month to date (see TestDemoMoneyAddsUpAtFixedTimes).
func testDemoMoneyAddsUp(t *testing.T, now time.Time, webSeats float64) {
	got, d := demoScrape(t, now)

	// The month asked for is now's, whatever the wall clock says: the
	// seats are the days with data of now's month, by hand.
	webMatch := map[string]string{"scope": "organization", "account": demo.OrgWeb}
	if q := demoSum(got["usage_quantity"], "sku", webMatch)["copilot_business"]; !demoClose(q, webSeats) {
		t.Errorf("acme-web Copilot Business: %.3f user-months in the usage report, want %.3f", q, webSeats)
	}
	if q := demoSum(got["usage_summarized_gross_quantity"], "sku", webMatch)["copilot_business"]; !demoClose(q, webSeats) {
		t.Errorf("acme-web Copilot Business: %.3f user-months in the summary, want %.3f", q, webSeats)
	}
	ent := demo.Enterprise
	entPlatform := d.Enterprises[ent].Platform

	// The rows the fake holds, summed by hand: per product and per
	// organization, over every cost center.
	rowsNet := map[string]float64{}
	rowsNetByOrg := map[string]float64{}
	for _, rows := range entPlatform.UsageItems {
		for _, r := range rows {
			rowsNet[r.Product] += r.NetAmount
			rowsNetByOrg[r.OrganizationName] += r.NetAmount
		}
	}
	if len(rowsNetByOrg) != 3 || rowsNetByOrg[demo.OrgLabs] <= 0 {
		t.Fatalf("enterprise rows by organization %v, want acme-web, acme-data and acme-labs", rowsNetByOrg)
	}

	// One spelling per product in every source.
	entMatch := map[string]string{"scope": "enterprise", "account": ent}
	reportByProduct := demoSum(got["usage_net_amount_usd"], "product", entMatch)
	summaryByProduct := demoSum(got["usage_summarized_net_amount_usd"], "product", entMatch)
	demoCloseMaps(t, "enterprise usage report net by product", reportByProduct, rowsNet)
	demoCloseMaps(t, "enterprise summary net by product", summaryByProduct, rowsNet)
	if want := []string{"Actions", "Copilot", "GitHub Advanced Security", "Packages", "Sandbox"}; !reflect.DeepEqual(demoKeys(summaryByProduct), want) {
		t.Errorf("summary products %v, want %v", demoKeys(summaryByProduct), want)
	}
	// The summary's enterprise total covers all three organizations.
	entTotal := demoSum(got["usage_summarized_net_amount_usd"], "", entMatch)[""]
	if want := rowsNetByOrg[demo.OrgWeb] + rowsNetByOrg[demo.OrgData] + rowsNetByOrg[demo.OrgLabs]; !demoClose(entTotal, want) {
		t.Errorf("enterprise summary net %.4f, want the three organizations' %.4f", entTotal, want)
	}

	// What the reconciliation gauge computes: the summary's net per SKU
	// minus the report's, summed over cost centers, is exactly 0.
	type sku struct{ product, sku, unit string }
	report := map[sku]float64{}
	for _, s := range got["usage_net_amount_usd"] {
		if s.labels["scope"] == "enterprise" {
			report[sku{s.labels["product"], s.labels["sku"], s.labels["unit_type"]}] += s.value
		}
	}
	summarySKUs := 0
	for _, s := range got["usage_summarized_net_amount_usd"] {
		if s.labels["scope"] != "enterprise" {
			continue
		}
		summarySKUs++
		k := sku{s.labels["product"], s.labels["sku"], s.labels["unit_type"]}
		if !demoClose(s.value, report[k]) {
			t.Errorf("%v: summary net %.4f, usage report %.4f", k, s.value, report[k])
		}
		delete(report, k)
	}
	// Actions 5, Packages 2, Copilot seats, Copilot and Spark AI credits,
	// Advanced Security 2, cloud sandboxes 3: 5 + 2 + 1 + 2 + 2 + 3 = 15.
	if summarySKUs != 15 || len(report) != 0 {
		t.Errorf("%d summary SKUs (want 15); report SKUs not in the summary: %v", summarySKUs, report)
	}

	// Cost centers: each one's share of the enterprise report is its
	// organization's own report, and the usage in none is acme-labs'.
	byCostCenter := demoSum(got["usage_net_amount_usd"], "cost_center", entMatch)
	orgNet := func(org string) float64 {
		return demoSum(got["usage_net_amount_usd"], "", map[string]string{"scope": "organization", "account": org})[""]
	}
	demoCloseMaps(t, "enterprise net by cost center", byCostCenter, map[string]float64{
		"Platform":     orgNet(demo.OrgWeb),
		"Data Science": orgNet(demo.OrgData),
		"":             rowsNetByOrg[demo.OrgLabs],
	})

	// Each account's summary is its report, per product.
	for _, a := range demo.Dataset(now).Accounts() {
		m := map[string]string{"scope": string(a.Scope), "account": a.Name}
		demoCloseMaps(t, a.String()+" summary vs report", demoSum(got["usage_summarized_net_amount_usd"], "product", m), demoSum(got["usage_net_amount_usd"], "product", m))
		demoCloseMaps(t, a.String()+" summary vs report gross", demoSum(got["usage_summarized_gross_amount_usd"], "product", m), demoSum(got["usage_gross_amount_usd"], "product", m))
		demoCloseMaps(t, a.String()+" summary vs report quantity", demoSum(got["usage_summarized_gross_quantity"], "sku", m), demoSum(got["usage_quantity"], "sku", m))

		// Premium requests and AI credits: the model reports add up to
		// their SKUs of the usage report (AI credits: Copilot's and
		// Spark's).
		for metric, skus := range map[string][]string{"premium_request": {"copilot_premium_request"}, "ai_credit": {"copilot_ai_credits", "spark_ai_credits"}} {
			for _, amount := range []string{"net_amount_usd", "gross_amount_usd"} {
				models := demoSum(got[metric+"_"+amount], "", m)[""]
				bySKU := demoSum(got["usage_"+amount], "sku", m)
				reportSKU := 0.0
				for _, sku := range skus {
					reportSKU += bySKU[sku]
				}
				skuName := strings.Join(skus, "+")
				if !demoClose(models, reportSKU) {
					t.Errorf("%s: %s_%s %.4f, usage report %s %.4f", a, metric, amount, models, skuName, reportSKU)
				}
			}
		}
	}
	// Copilot is billed in AI credits; only the user's legacy annual plan
	// still has premium requests, and they are priced at $0.04 each.
	if got := demoSum(got["premium_request_gross_quantity"], "scope", nil); len(got) != 1 || got["user"] <= 0 {
		t.Errorf("premium requests by scope %v, want the user's only", got)
	}
	userQ := demoSum(got["premium_request_gross_quantity"], "", nil)[""]
	userGross := demoSum(got["premium_request_gross_amount_usd"], "", nil)[""]
	// Each day's row of each model is priced and rounded to $0.0001 on its
	// own, as GitHub rounds rows: the month's gross is the quantity at
	// $0.04 within half of $0.0001 per row, rows being days × models.
	rows := float64(now.Day() * len(got["premium_request_gross_quantity"]))
	if diff := math.Abs(userGross - userQ*0.04); diff > rows*0.00005+1e-9 {
		t.Errorf("premium requests: %.3f at $0.04 make %.5f, not %.4f (%.0f rows may round by $%.5f at most)", userQ, userQ*0.04, userGross, rows, rows*0.00005)
	}

	// The legacy Actions endpoint: the runners add up to the total, which
	// is the report's Actions minutes (×60 as seconds).
	for _, a := range []string{ent, demo.OrgWeb, demo.OrgData} {
		var scope string
		if a == ent {
			scope = "enterprise"
		} else {
			scope = "organization"
		}
		m := map[string]string{"scope": scope, "account": a}
		total := demoSum(got["actions_used_seconds"], "", m)[""]
		runners := demoSum(got["actions_runner_used_seconds"], "", m)[""]
		minutes := 0.0
		for _, s := range got["usage_quantity"] {
			if s.labels["scope"] == scope && s.labels["account"] == a && s.labels["product"] == "Actions" && s.labels["unit_type"] == "minutes" {
				minutes += s.value
			}
		}
		if total <= 0 || !demoClose(runners, total) || !demoClose(total, minutes*60) {
			t.Errorf("%s: runners %.3f s, total %.3f s, usage report %.3f min", a, runners, total, minutes)
		}
		// Paid minutes are the minutes the included quota did not cover:
		// the summary's net quantity of the Actions minutes SKUs.
		paid := demoSum(got["actions_paid_used_seconds"], "", m)[""]
		netMinutes := 0.0
		for _, s := range got["usage_summarized_net_quantity"] {
			if s.labels["scope"] == scope && s.labels["account"] == a && s.labels["product"] == "Actions" && s.labels["unit_type"] == "minutes" {
				netMinutes += s.value
			}
		}
		if !demoClose(paid, netMinutes*60) {
			t.Errorf("%s: paid %.3f s, summary net %.3f min", a, paid, netMinutes)
		}
	}

	// Budgets: the consumption is the net amount of the rows each one
	// covers. The alert budget is 85% used on any day: the retraining on
	// the 1st is 5,312.5 minutes at $0.016 = $85.00 of $100.
	consumed := demoSum(got["budget_consumed_amount_usd"], "budget_id", nil)
	amounts := demoSum(got["budget_amount_usd"], "budget_id", nil)
	if consumed[demo.BudgetAlertID] != 85 || amounts[demo.BudgetAlertID] != 100 {
		t.Errorf("alert budget: %.2f of %.2f, want 85 of 100", consumed[demo.BudgetAlertID], amounts[demo.BudgetAlertID])
	}
	for id, c := range consumed {
		if id != demo.BudgetAlertID && c >= 0.8*amounts[id] {
			t.Errorf("budget %s: %.2f of %.2f consumed, want only the alert budget at 80%% or more", id, c, amounts[id])
		}
	}
	var actions, platformActions, aiCredits float64
	for cc, rows := range entPlatform.UsageItems {
		for _, r := range rows {
			if r.Product == "Actions" {
				actions += r.NetAmount
				if cc == "cc-platform-0001" {
					platformActions += r.NetAmount
				}
			}
			if r.SKU == "copilot_ai_credits" || r.SKU == "spark_ai_credits" {
				aiCredits += r.NetAmount
			}
		}
	}
	for _, b := range []struct {
		scope, entity, sku string
		want               float64
	}{
		{"enterprise", "", "actions", actions},
		{"cost_center", "Platform", "actions", platformActions},
		{"enterprise", "", "ai_credits", aiCredits},
	} {
		m := map[string]string{"scope": "enterprise", "budget_scope": b.scope, "budget_entity": b.entity, "product_sku": b.sku}
		if c := demoSum(got["budget_consumed_amount_usd"], "", m)[""]; !demoClose(c, b.want) {
			t.Errorf("budget %s %s %s: consumed %.4f, its rows %.4f", b.scope, b.entity, b.sku, c, b.want)
		}
	}
}

func demoKeys(m map[string]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Every answer the demo gives within one hour tells the same month, so two
// collectors that refresh a few seconds apart still agree; the figures step
// on the hour.
func TestDemoStepsOnTheHour(t *testing.T) {
	summary := func(now time.Time) string {
		return fmt.Sprint(demo.Dataset(now).Enterprises[demo.Enterprise].Platform.UsageSummary.UsageItems)
	}
	at := func(h, m int) time.Time { return time.Date(2026, time.December, 2, h, m, 0, 0, time.UTC) }
	if summary(at(10, 0)) != summary(at(10, 59)) {
		t.Error("the demo's summary changes within an hour")
	}
	if summary(at(10, 59)) == summary(at(11, 0)) {
		t.Error("the demo's summary does not move from one hour to the next")
	}
}

// The demo's sums hold at any time, whatever the month the test runs in:
// the first hour and the first second of a month, the hour that once broke
// the premium-request check, the last hour and the last second of a 31-day
// month, the last second of a 30-day one, a day in January, and 29 February.
//
// webSeats is acme-web's Copilot Business quantity, worked out by hand: its
// 63 seats are billed as one row a day of 63 × (share of the day with data)
// / (days in the month) user-months, rounded to 0.001 as GitHub rounds
// rows. Data runs to the end of now's hour, so the share of today is
// (hour + 1) / 24, and of the days before it 1.
func TestDemoMoneyAddsUpAtFixedTimes(t *testing.T) {
	for _, c := range []struct {
		at       time.Time
		webSeats float64
	}{
		// Day 1, hour 0: 63 × 1/24 / 31 = 0.08468 → 0.085.
		{time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC), 0.085},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), 0.085},
		// Day 1: 63/31 = 2.03226 → 2.032; day 2 to 14:00: 63 × 14/24 / 31
		// = 1.18548 → 1.185; 2.032 + 1.185 = 3.217.
		{time.Date(2026, 12, 2, 13, 22, 0, 0, time.UTC), 3.217},
		// 31 whole days of 2.032: 62.992.
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), 62.992},
		{time.Date(2027, 1, 31, 23, 59, 59, 0, time.UTC), 62.992},
		// 30 whole days of 63/30 = 2.1: 63.
		{time.Date(2026, 11, 30, 23, 59, 59, 0, time.UTC), 63},
		// 14 days of 2.032 = 28.448; day 15 to 13:00: 63 × 13/24 / 31
		// = 1.10081 → 1.101; 28.448 + 1.101 = 29.549.
		{time.Date(2027, 1, 15, 12, 0, 0, 0, time.UTC), 29.549},
		// A 29-day February: 63/29 = 2.17241 → 2.172, 28 days of it
		// = 60.816; the 29th to 13:00: 63 × 13/24 / 29 = 1.17672 → 1.177;
		// 60.816 + 1.177 = 61.993.
		{time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC), 61.993},
	} {
		t.Run(c.at.Format(time.RFC3339), func(t *testing.T) { testDemoMoneyAddsUp(t, c.at, c.webSeats) })
	}
}

// The demo's per-user rows add up to each account's AI credits, per model,
// __other__ included, and its cost centers to the enterprise's.
func TestDemoAICreditsPerUserAddUp(t *testing.T) {
	now := time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC)
	series, _ := demoScrape(t, now)
	for _, a := range []struct{ scope, name string }{
		{"enterprise", demo.Enterprise}, {"organization", demo.OrgWeb}, {"organization", demo.OrgData},
	} {
		match := map[string]string{"scope": a.scope, "account": a.name}
		for _, suffix := range []string{"net_amount_usd", "gross_quantity", "discount_amount_usd"} {
			total := demoSum(series["ai_credit_"+suffix], "model", match)
			users := demoSum(series["ai_credit_user_"+suffix], "model", match)
			if len(total) == 0 {
				t.Fatalf("%s %s: no AI credits", a.scope, a.name)
			}
			demoCloseMaps(t, a.scope+" "+a.name+" users' "+suffix, users, total)
			if a.scope == "enterprise" {
				demoCloseMaps(t, "cost centers' "+suffix, demoSum(series["ai_credit_cost_center_"+suffix], "model", match), total)
			}
		}
	}
	for _, s := range series["ai_credit_reconciliation_difference_usd"] {
		if s.value != 0 {
			t.Errorf("reconciliation %v = %v, want 0", s.labels, s.value)
		}
	}
	if len(series["ai_credit_reconciliation_difference_usd"]) == 0 {
		t.Error("no reconciliation series")
	}
}

// The demo shows the meters and budgets of December 2026: the cloud
// sandboxes' three SKUs, Spark's AI credits, a model picked by auto model
// selection ("Auto: …") whose discount exceeds its gross, a budget counted
// in licences and one whose unit is unknown.
func TestDemoShowsTheNewMeters(t *testing.T) {
	now := time.Date(2026, 12, 2, 13, 22, 0, 0, time.UTC)
	got, _ := demoScrape(t, now)
	ent := map[string]string{"scope": "enterprise", "account": demo.Enterprise}

	units := map[string]string{}
	for _, s := range got["usage_summarized_gross_quantity"] {
		if s.labels["scope"] == "enterprise" && s.labels["product"] == "Sandbox" {
			units[s.labels["sku"]] = s.labels["unit_type"]
			if s.value <= 0 {
				t.Errorf("%s: quantity %v, want some use", s.labels["sku"], s.value)
			}
		}
	}
	if want := map[string]string{"sandbox_linux": "seconds", "sandbox_memory": "GibibyteSeconds", "sandbox_snapshot": "GibibyteMonths"}; !reflect.DeepEqual(units, want) {
		t.Errorf("sandbox SKUs and units %v, want %v", units, want)
	}
	if spark := demoSum(got["ai_credit_gross_quantity"], "sku", ent)["spark_ai_credits"]; spark <= 0 {
		t.Errorf("Spark AI credits %v, want some", spark)
	}

	// The auto-selected model: discount above gross, net 0 (not negative),
	// in quantity and amount.
	auto := map[string]string{"scope": "enterprise", "account": demo.Enterprise, "model": "Auto: Claude Haiku 4.5"}
	gross := demoSum(got["ai_credit_gross_amount_usd"], "", auto)[""]
	discount := demoSum(got["ai_credit_discount_amount_usd"], "", auto)[""]
	grossQ := demoSum(got["ai_credit_gross_quantity"], "", auto)[""]
	discountQ := demoSum(got["ai_credit_discount_quantity"], "", auto)[""]
	net := demoSum(got["ai_credit_net_amount_usd"], "", auto)[""]
	netQ := demoSum(got["ai_credit_net_quantity"], "", auto)[""]
	if gross <= 0 || discount <= gross || discountQ <= grossQ || net != 0 || netQ != 0 {
		t.Errorf("Auto: Claude Haiku 4.5: gross %v, discount %v (quantity %v, %v), net %v (quantity %v); want discount > gross and net 0",
			gross, discount, grossQ, discountQ, net, netQ)
	}
	for name, series := range got {
		if !strings.Contains(name, "net_") && !strings.Contains(name, "consumed") {
			continue
		}
		for _, s := range series {
			if s.value < 0 {
				t.Errorf("%s%v = %v, below 0", name, s.labels, s.value)
			}
		}
	}

	// Budget 3 counts Copilot Business licences (130), budget 11 names the
	// product copilot, whose unit is unknown: neither has an amount in
	// dollars, and neither a consumption.
	licences := demoSum(got["budget_amount_licenses"], "budget_id", nil)
	usd := demoSum(got["budget_amount_usd"], "budget_id", nil)
	consumed := demoSum(got["budget_consumed_amount_usd"], "budget_id", nil)
	const budget3, budget11 = "7c1e5a4e-85a0-4b8e-9d1f-acme00000003", "7c1e5a4e-85a0-4b8e-9d1f-acme00000011"
	if len(licences) != 1 || licences[budget3] != 130 {
		t.Errorf("budgets in licences %v, want budget 3 at 130", licences)
	}
	for _, id := range []string{budget3, budget11} {
		if _, ok := usd[id]; ok {
			t.Errorf("budget %s has an amount in dollars", id)
		}
		if _, ok := consumed[id]; ok {
			t.Errorf("budget %s has a consumption in dollars", id)
		}
	}
}
