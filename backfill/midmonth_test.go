package backfill

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// A backfill from the 10th writes, for the 10th to the 12th, the same month
// to date as one from the 1st: the days of the month before --from are read
// (and counted in the plan line) but not written.
func TestBackfillFromMidMonthHasTheWholeMonthToDate(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	dir := t.TempDir()
	whole, mid := filepath.Join(dir, "whole.om"), filepath.Join(dir, "mid.om")
	if stderr, err := backfillFixture(t, fake, Flags{From: "2026-11-01", To: "2026-11-12", Output: whole}); err != nil {
		t.Fatalf("backfill from the 1st: %v\n%s", err, stderr)
	}
	before := fake.TotalRequests()
	stderr, err := backfillFixture(t, fake, Flags{From: "2026-11-10", To: "2026-11-12", Output: mid})
	if err != nil {
		t.Fatalf("backfill from the 10th: %v\n%s", err, stderr)
	}
	// 9 requests a day: 3 days written, 9 days (1…9 November) read
	// before them, and the cost-center list: 27 + 81 + 1 = 109.
	if n := fake.TotalRequests() - before; n != 109 {
		t.Errorf("the backfill from the 10th sent %d requests, want 109", n)
	}
	if !strings.Contains(stderr, "3 days × 9 requests = 27 requests") || !strings.Contains(stderr, "81 for 2026-11-01 … 2026-11-09") {
		t.Errorf("the plan line does not count the days before --from:\n%s", stderr)
	}
	wholeSamples, midSamples := readSamples(t, whole), readSamples(t, mid)
	linux := `github_billing_usage_quantity{account="ent",cost_center="Team A",organization="acme",product="Actions",repository="",scope="enterprise",sku="actions_linux",unit_type="minutes"}`
	// Linux minutes 100 + 2.5d + 11 summed over d = 1…12 = 1332 + 195 = 1527.
	if got := sampleValue(t, midSamples, linux, time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC)); got != 1527 {
		t.Errorf("Linux minutes to 12 November, from the 10th = %v, want 1527", got)
	}
	compared := 0
	for series, points := range wholeSamples {
		for at, want := range points {
			if at < "2026-11-10" {
				if _, ok := midSamples[series][at]; ok {
					t.Errorf("%s at %s is written by the backfill from the 10th", series, at)
				}
				continue
			}
			compared++
			if got := midSamples[series][at]; got != want {
				t.Errorf("%s at %s: %q from the 10th, %q from the 1st", series, at, got, want)
			}
		}
	}
	if compared == 0 {
		t.Fatal("no sample compared")
	}
}
