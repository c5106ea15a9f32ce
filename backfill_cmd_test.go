package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// backfillTestNow is the backfill command tests' clock (runAt): they run
// the same in any month.
var backfillTestNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func backfillTestClock() time.Time { return backfillTestNow }

// backfillTestConfig is a configuration for acme-web of a demo fake that
// wants testutil.Token.
func backfillTestConfig(t *testing.T) (*fakegithub.Server, string) {
	t.Helper()
	fake := fakegithubtest.Start(t, demo.Dataset(backfillTestNow))
	fake.SetClock(backfillTestClock)
	fake.RequireToken(testutil.Token)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "exporter.yml")
	content := "github:\n  api_url: " + fake.URL + "\n  token_file: token\norganizations: [{name: acme-web}]\n"
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return fake, cfg
}

// expectBadFlags runs command with args on cfg at backfillTestNow and
// fails unless it exits 2 with want in its standard error.
func expectBadFlags(t *testing.T, cfg, command string, args []string, want string) {
	t.Helper()
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	if code := runAt(backfillTestClock, append([]string{"--config.file=" + cfg, command}, args...), stdout, stderr); code != 2 {
		t.Errorf("%v: exit %d, want 2", args, code)
	}
	if got := testutil.ReadOutput(t, stderr); !strings.Contains(got, want) {
		t.Errorf("%v: stderr %q does not contain %q", args, got, want)
	}
}

// Bad backfill flags exit 2 with a message naming the flag, and GitHub
// hears nothing.
func TestBackfillCommandBadFlagsSendNoRequest(t *testing.T) {
	fake, cfg := backfillTestConfig(t)
	missing := filepath.Join(t.TempDir(), "no-such-dir", "history.om")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--from=2026-03-10", "--to=2026-03-01"}, "--from=2026-03-10 is after --to=2026-03-01"},
		{[]string{"--from=2001-01"}, "is older than GitHub keeps"},
		{[]string{"--output=" + missing}, "--output=" + missing},
		{[]string{"--collectors=budgets"}, `"budgets" has no history at GitHub`},
		// The plan is made on the command's clock, not the wall clock:
		// on 20 November with --settle=2, the 17th is the last settled day.
		{[]string{"--from=2026-11-01", "--to=2026-11-18", "--settle=2"}, "--to=2026-11-18 is after the last settled day 2026-11-17: today (2026-11-20)"},
	} {
		expectBadFlags(t, cfg, "backfill", c.args, c.want)
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("bad flags sent %d requests to GitHub", n)
	}
}

// The command reads the configuration file, authenticates like the
// exporter, and writes three days of acme-web's history ending with # EOF;
// off a terminal stderr has the plan line and the final line only.
func TestBackfillCommandWritesTheRange(t *testing.T) {
	fake, cfg := backfillTestConfig(t)
	// 8 to 10 November, before the --settle days of the 20th.
	from, to := "2026-11-08", "2026-11-10"
	out := filepath.Join(t.TempDir(), "history.om")
	stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
	code := runAt(backfillTestClock, []string{"--config.file=" + cfg, "backfill", "--from=" + from, "--to=" + to, "--output=" + out, "--max-requests-per-hour=0"}, stdout, stderr)
	log := testutil.ReadOutput(t, stderr)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, log)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(body), "# EOF\n") || !strings.Contains(string(body), `github_billing_usage_net_amount_usd{account="acme-web"`) {
		t.Errorf("output does not hold acme-web's usage and # EOF:\n%.500s", body)
	}
	if lines := strings.Count(log, "\n"); lines != 2 || !strings.Contains(log, "3 days × 4 requests = 12 requests") || !strings.Contains(log, "wrote "+from) {
		t.Errorf("stderr off a terminal, want the plan and the final line:\n%s", log)
	}
	// Four reports a day (acme-web is an organization: no cost centers)
	// for the three days written and for 1 to 7 November, which the month
	// to date needs but the file does not hold: 4 × (3 + 7) = 40.
	if want := 40; fake.TotalRequests() != want {
		t.Errorf("%d requests, want %d", fake.TotalRequests(), want)
	}
}

// The demo's GitHub is simulated on loopback and has no limit: --demo
// backfill does not pace its requests unless --max-requests-per-hour is
// given, and then keeps to it.
func TestBackfillCommandDemoIsNotPaced(t *testing.T) {
	// A day before the settling days of the test clock's 20 November.
	day := "2026-11-17"
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{nil, "no pacing"},
		{[]string{"--max-requests-per-hour=3600000"}, "at most 3600000 an hour"},
	} {
		out := filepath.Join(t.TempDir(), "history.om")
		stdout, stderr := testutil.OutputFile(t), testutil.OutputFile(t)
		args := append([]string{"--demo", "backfill", "--from=" + day, "--to=" + day, "--output=" + out}, c.flags...)
		code := runAt(backfillTestClock, args, stdout, stderr)
		log := testutil.ReadOutput(t, stderr)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", c.flags, code, log)
		}
		if plan, _, _ := strings.Cut(log, "\n"); !strings.Contains(plan, c.want) {
			t.Errorf("%v: plan line %q does not say %q", c.flags, plan, c.want)
		}
	}
}
