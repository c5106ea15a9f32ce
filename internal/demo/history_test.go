package demo

import (
	"math"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

var demoEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: Enterprise}

// demoDayNet is the enterprise's net amount in the usage report of one day.
func demoDayNet(h *fakegithub.History, day time.Time) float64 {
	total := 0.0
	for _, rows := range h.Day(demoEnterprise, day).UsageItems {
		for _, r := range rows {
			total += r.NetAmount
		}
	}
	return total
}

// The demo's history has a spike: the spike day's net spend is more than
// three times the average of the seven days before it, and no other day of the
// last 13 months is.
func TestDemoHistorySpike(t *testing.T) {
	now := time.Date(2026, time.December, 2, 10, 0, 0, 0, time.UTC)
	h := demoHistory(now)
	spike := spikeDay(now)
	if spike.Format(time.DateOnly) != "2026-10-17" {
		t.Fatalf("spike day %s, want 2026-10-17", spike.Format(time.DateOnly))
	}
	for day := time.Date(2025, time.November, 8, 0, 0, 0, 0, time.UTC); day.Before(time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)); day = day.AddDate(0, 0, 1) {
		trailing := 0.0
		for i := 1; i <= 7; i++ {
			trailing += demoDayNet(h, day.AddDate(0, 0, -i))
		}
		ratio := demoDayNet(h, day) / (trailing / 7)
		if isSpike := ratio > 3; isSpike != day.Equal(spike) {
			t.Errorf("%s: net %.2f is %.2f× the trailing 7-day average", day.Format(time.DateOnly), demoDayNet(h, day), ratio)
		}
	}
}

// Months differ: each past month's repository use is scaled by
// historyScale; the current month's is the live demo's.
func TestDemoHistoryMonthsDiffer(t *testing.T) {
	now := time.Date(2026, time.December, 2, 10, 0, 0, 0, time.UTC)
	h := demoHistory(now)
	linux := func(day time.Time) float64 {
		for _, r := range h.Day(demoEnterprise, day).UsageItems["cc-platform-0001"] {
			if r.SKU == "actions_linux" && r.RepositoryName == "acme-web/storefront" {
				return r.Quantity
			}
		}
		t.Fatalf("no Linux row of acme-web/storefront on %s", day)
		return 0
	}
	seen := map[float64]bool{}
	for k := 1; k <= 13; k++ {
		day := time.Date(2026, time.December-time.Month(k), 5, 0, 0, 0, 0, time.UTC)
		// acme-web's Linux use is 310 minutes a repository on an average day.
		want := math.Round(310*historyScale(k)*demoJitter(day.Format(time.RFC3339), "actions_linux", "acme-web/storefront")*1000) / 1000
		if got := linux(day); got != want {
			t.Errorf("%s: %v minutes, want %v", day.Format(time.DateOnly), got, want)
		}
		if s := historyScale(k); seen[s] {
			t.Errorf("month %d back has the same scale as another: %v", k, s)
		} else {
			seen[s] = true
		}
	}
	if historyScale(0) != 1 {
		t.Errorf("the current month's scale is %v, want 1", historyScale(0))
	}
}

// The days of the current month join the live demo without a seam: a day's
// usage rows are the live month's rows of that date, and the summary rows
// of days 1…10 add up to what the live demo serves at the end of day 10.
func TestDemoHistoryJoinsTheCurrentMonth(t *testing.T) {
	now := time.Date(2026, time.November, 20, 12, 0, 0, 0, time.UTC)
	h := demoHistory(now)
	live := Dataset(now)
	day := time.Date(2026, time.November, 7, 0, 0, 0, 0, time.UTC)
	var want []githubapi.UsageItem
	for _, r := range live.Enterprises[Enterprise].Platform.UsageItems["cc-datasci-0002"] {
		if r.Date == day.Format(time.RFC3339) {
			want = append(want, r)
		}
	}
	got := h.Day(demoEnterprise, day).UsageItems["cc-datasci-0002"]
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("%d history rows, %d live rows of %s", len(got), len(want), day)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("row %d: history %+v, live %+v", i, got[i], want[i])
		}
	}

	// The live demo at 23:30 on day 10 has every hour of days 1…10.
	endOfDay10 := Dataset(time.Date(2026, time.November, 10, 23, 30, 0, 0, time.UTC)).Enterprises[Enterprise].Platform.UsageSummary.UsageItems
	sums := map[string]githubapi.BillingAmounts{}
	for d := 1; d <= 10; d++ {
		for _, it := range h.Day(demoEnterprise, time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC)).Summary {
			b := sums[it.SKU]
			b.Add(it.BillingAmounts)
			sums[it.SKU] = b
		}
	}
	if len(sums) != len(endOfDay10) {
		t.Errorf("days 1…10 have %d SKUs, the live summary %d", len(sums), len(endOfDay10))
	}
	for _, it := range endOfDay10 {
		if math.Abs(sums[it.SKU].NetAmount-it.NetAmount) > 1e-9 || math.Abs(sums[it.SKU].GrossQuantity-it.GrossQuantity) > 1e-9 {
			t.Errorf("%s: days 1…10 sum to net %v, gross quantity %v; live at the end of day 10: %v, %v",
				it.SKU, sums[it.SKU].NetAmount, sums[it.SKU].GrossQuantity, it.NetAmount, it.GrossQuantity)
		}
	}
	if h.Day(demoEnterprise, time.Date(2026, time.November, 20, 0, 0, 0, 0, time.UTC)) != nil {
		t.Error("the history answers today, which is not over")
	}
}
