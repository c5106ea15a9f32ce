package main

import (
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
)

// The demo's detailed export adds up: per product, the sum over workflows
// and the sum over users are the same, and the export agrees with /usage
// for the same days (every reconciliation series 0).
func TestDemoUsageDetailAddsUp(t *testing.T) {
	series, _ := demoScrape(t, time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC))
	match := map[string]string{"scope": "enterprise", "account": demo.Enterprise}
	for _, suffix := range []string{"net_amount_usd", "gross_amount_usd", "quantity"} {
		workflows := demoSum(series["usage_workflow_"+suffix], "product", match)
		users := demoSum(series["usage_user_"+suffix], "product", match)
		if len(workflows) == 0 {
			t.Fatalf("no usage_workflow_%s", suffix)
		}
		demoCloseMaps(t, "workflows' and users' "+suffix, workflows, users)
	}
	recon := series["usage_detail_reconciliation_difference_usd"]
	if len(recon) == 0 {
		t.Fatal("no reconciliation series")
	}
	for _, s := range recon {
		if s.value > 1e-9 || s.value < -1e-9 {
			t.Errorf("reconciliation %v = %v, want 0", s.labels, s.value)
		}
	}
	// The 1st to the 19th: the last day is 2026-11-19T00:00:00Z.
	if last := series["usage_detail_last_day_timestamp_seconds"]; len(last) != 1 || last[0].value != 1795046400 {
		t.Errorf("last day %v, want 1795046400", last)
	}
}
