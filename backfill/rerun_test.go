package backfill

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// A rerun on a finished output that asks for anything but what it holds (a
// later --to, an earlier --from, other collectors, other accounts) is
// refused with an error that says what the file holds and what to do; it
// sends nothing and leaves the file as it was. The same command again has
// nothing to do.
func TestBackfillRerunOnAFinishedOutputNeverClaimsMissingDays(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	out := filepath.Join(t.TempDir(), "history.om")
	flags := Flags{From: "2026-11-01", To: "2026-11-05", Output: out}
	if stderr, err := backfillFixture(t, fake, flags); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	both := []githubapi.Account{testEnterprise, testOrg}
	for _, c := range []struct {
		name     string
		change   func(f *Flags)
		accounts []githubapi.Account
		want     string
	}{
		{"later --to", func(f *Flags) { f.To = "2026-11-08" }, both, "2026-11-01 … 2026-11-05"},
		{"earlier --from", func(f *Flags) { f.From = "2026-10-28" }, both, "2026-11-01 … 2026-11-05"},
		{"other collectors", func(f *Flags) { f.Collectors = "usage" }, both, "collectors [usage usage_summary premium_requests ai_credits]"},
		{"other accounts", func(*Flags) {}, []githubapi.Account{testOrg}, `for [enterprise "ent" organization "acme"]`},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := flags
			c.change(&f)
			before := fake.TotalRequests()
			stderr, err := backfillAccounts(t, context.Background(), fake, f, nil, c.accounts...)
			if err == nil {
				t.Fatalf("rerun accepted:\n%s", stderr)
			}
			if msg := err.Error(); !strings.Contains(msg, "--output="+out) || !strings.Contains(msg, c.want) {
				t.Errorf("the error does not say what the file holds (%q): %v", c.want, err)
			}
			if strings.Contains(stderr, "nothing to do") {
				t.Errorf("the rerun claims the file holds what it asks:\n%s", stderr)
			}
			if n := fake.TotalRequests() - before; n != 0 {
				t.Errorf("the refused rerun sent %d requests", n)
			}
			if got, err := os.ReadFile(out); err != nil || string(got) != string(want) {
				t.Errorf("the refused rerun changed the output (%v)", err)
			}
		})
	}
	stderr, err := backfillFixture(t, fake, flags)
	if err != nil || !strings.Contains(stderr, "already holds 2026-11-01 … 2026-11-05") {
		t.Errorf("the same command again: %v\n%s", err, stderr)
	}
}

// A finished output without the record of what it holds (written by an
// earlier version, or its record removed) is refused, not taken as whatever
// this run asks for.
func TestBackfillRerunOnAFinishedOutputWithoutRecordIsRefused(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	out := filepath.Join(t.TempDir(), "history.om")
	if err := os.WriteFile(out, []byte("# EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr, err := backfillFixture(t, fake, Flags{From: "2026-11-01", To: "2026-11-05", Output: out})
	if err == nil || !strings.Contains(err.Error(), "is a finished backfill, but "+out+".backfill/state.json, which says what it holds, is missing") {
		t.Errorf("err = %v\n%s", err, stderr)
	}
	if n := fake.TotalRequests(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}
