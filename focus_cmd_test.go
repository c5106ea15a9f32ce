package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// Bad focus flags exit 2 with a message naming the flag, before the
// configuration is read, and GitHub hears nothing.
func TestFocusCommandBadFlagsSendNoRequest(t *testing.T) {
	fake, cfg := backfillTestConfig(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no-such-dir", "focus.csv")
	foreign := filepath.Join(dir, "notes.csv")
	if err := os.WriteFile(foreign, []byte("not a focus run's\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--format=xml"}, "enum value must be one of csv,parquet, got 'xml'"},
		{[]string{"--from=2026-03-10", "--to=2026-03-01"}, "--from=2026-03-10 is after --to=2026-03-01"},
		{[]string{"--from=2026-13"}, `--from="2026-13": want a day (2026-03-17) or a month (2026-03)`},
		{[]string{"--settle=-1"}, "--settle=-1: must be 0 or more days"},
		{[]string{"--max-requests-per-hour=-5"}, "--max-requests-per-hour=-5: must be 0 (no pacing) or more"},
		{[]string{"--output=" + missing}, "--output=" + missing},
		// On the command's clock (20 November, --settle=1), the 18th is
		// the last settled day.
		{[]string{"--from=2026-11-01", "--to=2026-11-19"}, "--to=2026-11-19 is after the last settled day 2026-11-18: today (2026-11-20)"},
		{[]string{"--from=2026-12"}, "--to=2026-12 is after the last settled day 2026-11-18"},
	} {
		expectBadFlags(t, cfg, "focus", c.args, c.want)
	}
	// An output that exists and is no focus run's is refused before any
	// request too (exit 1: the flags are good, the file is in the way).
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "focus", "--output=" + foreign}, stdout, stderr); code != 1 ||
		!strings.Contains(testutil.ReadOutput(t, stderr), "exists and is no focus run's") {
		t.Errorf("an existing foreign output: exit %d, %s", code, testutil.ReadOutput(t, stderr))
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("bad flags sent %d requests to GitHub", n)
	}
}

// The command writes last month's dataset of the configured organization
// to standard output, off a terminal with the plan and final lines only.
func TestFocusCommandWritesToStdout(t *testing.T) {
	fake, cfg := backfillTestConfig(t)
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "focus", "--max-requests-per-hour=0"}, stdout, stderr)
	log := testutil.ReadOutput(t, stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, log)
	}
	out := testutil.ReadOutput(t, stdout)
	if !strings.HasPrefix(out, "BilledCost,BillingAccountId,") || !strings.Contains(out, ",organizations/acme-web,acme-web,Organization,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,") {
		t.Errorf("stdout is not acme-web's October as FOCUS CSV:\n%.600s", out)
	}
	if lines := strings.Count(log, "\n"); lines != 2 || !strings.Contains(log, "2026-10-01 … 2026-10-31") || !strings.Contains(log, "to stdout (csv)") {
		t.Errorf("stderr off a terminal, want the plan and the final line:\n%s", log)
	}
	// One organization, one month, one report: 1 request.
	if n := fake.TotalRequests(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}
