package backfill

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// testNow is the clock of every test: 2 December 2026, so with --settle=1
// the last day a backfill may write is 30 November.
var testNow = time.Date(2026, time.December, 2, 9, 30, 0, 0, time.UTC)

var (
	testEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "ent"}
	testOrg        = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme"}
)

// The fixture's daily rows: day d of month m (1-based), as GitHub would
// answer day=d. Numbers are small decimals, as GitHub's are.
func fixtureLinux(day time.Time) githubapi.UsageItem {
	d, m := float64(day.Day()), float64(day.Month())
	q := 100 + 2.5*d + m // minutes
	gross := math.Round(q*0.008*1e4) / 1e4
	discount := 0.0
	if day.Day()%3 == 0 {
		discount = gross // included minutes cover every third day
	}
	return githubapi.UsageItem{Date: day.Format(time.RFC3339), Product: "Actions", SKU: "actions_linux", Quantity: q, UnitType: "minutes",
		PricePerUnit: 0.008, GrossAmount: gross, DiscountAmount: discount, NetAmount: math.Round((gross-discount)*1e4) / 1e4,
		OrganizationName: "acme", RepositoryName: "acme/api"}
}

func fixtureTransfer(day time.Time) githubapi.UsageItem {
	q := 0.25 * float64(day.Day())
	return githubapi.UsageItem{Date: day.Format(time.RFC3339), Product: "Packages", SKU: "packages_data_transfer", Quantity: q, UnitType: "gigabytes",
		PricePerUnit: 0.5, GrossAmount: q * 0.5, NetAmount: q * 0.5, OrganizationName: "acme-labs", RepositoryName: "acme-labs/x"}
}

func fixtureSummary(day time.Time) githubapi.UsageSummaryItem {
	it := fixtureLinux(day)
	return githubapi.UsageSummaryItem{Product: "actions", SKU: "actions_linux", UnitType: "minutes", PricePerUnit: 0.008,
		BillingAmounts: githubapi.BillingAmounts{GrossQuantity: it.Quantity, GrossAmount: it.GrossAmount, DiscountAmount: it.DiscountAmount, NetAmount: it.NetAmount}}
}

func fixtureCredits(day time.Time) githubapi.ModelUsageItem {
	credits := float64(300 + 7*day.Day())
	return githubapi.ModelUsageItem{Model: "GPT-5", UsageSummaryItem: githubapi.UsageSummaryItem{Product: "copilot", SKU: "copilot_ai_credit", UnitType: "credits", PricePerUnit: 0.01,
		BillingAmounts: githubapi.BillingAmounts{GrossQuantity: credits, GrossAmount: credits / 100, NetQuantity: credits, NetAmount: credits / 100}}}
}

// fixture is an enterprise with one cost center (Team A: acme's Linux
// minutes) and usage in none (acme-labs' transfer), and the organization
// acme, with history for September to November 2026.
func fixture() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	d.Enterprises["ent"] = &fakegithub.AccountData{}
	d.Enterprises["ent"].Platform = &fakegithub.PlatformData{CostCenters: []githubapi.CostCenter{{ID: "cc-1", Name: "Team A", State: "active"}}}
	d.Organizations["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.History = &fakegithub.History{Month: testNow, Day: func(a githubapi.Account, day time.Time) *fakegithub.DayData {
		if day.Before(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)) || !day.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
			return nil
		}
		dd := &fakegithub.DayData{Summary: []githubapi.UsageSummaryItem{fixtureSummary(day)}, AICredits: []githubapi.ModelUsageItem{fixtureCredits(day)}}
		if a == testEnterprise {
			dd.UsageItems = map[string][]githubapi.UsageItem{"cc-1": {fixtureLinux(day)}, "": {fixtureTransfer(day)}}
		} else {
			dd.UsageItems = map[string][]githubapi.UsageItem{"": {fixtureLinux(day)}}
		}
		return dd
	}}
	return d
}

// backfillFixture runs a backfill of flags against fake and returns the
// error and what it wrote to stderr.
func backfillFixture(t *testing.T, fake *fakegithub.Server, f Flags) (string, error) {
	t.Helper()
	return backfillFixtureCtx(t, context.Background(), fake, f, nil)
}

// backfillFixtureCtx is backfillFixture under ctx; observer, when not nil,
// is told about every request after the backfill's counter.
func backfillFixtureCtx(t *testing.T, ctx context.Context, fake *fakegithub.Server, f Flags, observer githubapi.Observer) (string, error) {
	t.Helper()
	return backfillAccounts(t, ctx, fake, f, observer, testEnterprise, testOrg)
}

// backfillAccounts is backfillFixtureCtx for the accounts given.
func backfillAccounts(t *testing.T, ctx context.Context, fake *fakegithub.Server, f Flags, observer githubapi.Observer, accounts ...githubapi.Account) (string, error) {
	t.Helper()
	if f.Collectors == "" {
		f.Collectors = strings.Join(DefaultCollectors(), ",")
	}
	if f.Concurrency == 0 {
		f.Concurrency = 2
	}
	if f.Settle == 0 {
		f.Settle = 1
	}
	plan, err := NewPlan(f, testNow)
	if err != nil {
		t.Fatalf("NewPlan(%+v): %v", f, err)
	}
	counter := &Counter{}
	var obs githubapi.Observer = counter
	if observer != nil {
		obs = observers{counter, observer}
	}
	client := fakegithubtest.Client(t, fake, githubapi.Options{Observer: obs, Retries: githubapi.RetryPolicy{Max: 1, Base: time.Millisecond, Cap: time.Millisecond}})
	var targets []collector.Target
	for _, a := range accounts {
		targets = append(targets, collector.Target{Account: a, Client: client})
	}
	var stderr, stdout bytes.Buffer
	err = Run(ctx, Config{
		Plan:    plan,
		Targets: targets,
		Counter: counter, Stdout: &stdout, Stderr: &stderr,
		Now: func() time.Time { return testNow },
	})
	return stderr.String(), err
}

// observers tells each of its observers in turn.
type observers []githubapi.Observer

func (o observers) ObserveRequest(endpoint string, code int, d time.Duration) {
	for _, x := range o {
		x.ObserveRequest(endpoint, code, d)
	}
}

func (o observers) ObserveRateLimit(credential string, rl githubapi.RateLimit) {
	for _, x := range o {
		x.ObserveRateLimit(credential, rl)
	}
}

// readSamples reads an OpenMetrics file into series → timestamp → value.
func readSamples(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]map[string]string{}
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		j := strings.LastIndexByte(line[:i], ' ')
		series, value, ts := line[:j], line[j+1:i], line[i+1:]
		f, err := strconv.ParseFloat(ts, 64)
		if err != nil {
			t.Fatalf("bad timestamp in %q", line)
		}
		day := time.Unix(int64(f), 0).UTC().Format(time.DateTime)
		if out[series] == nil {
			out[series] = map[string]string{}
		}
		out[series][day] = value
	}
	return out
}

// monthToDate sums f's figure over days 1…day of day's month, as a
// calculator would, to 4 decimal places.
func monthToDate(day time.Time, f func(time.Time) float64) float64 {
	total := 0.0
	for d := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC); !d.After(day); d = d.AddDate(0, 0, 1) {
		total += f(d)
	}
	return math.Round(total*1e4) / 1e4
}

func sampleValue(t *testing.T, samples map[string]map[string]string, series string, day time.Time) float64 {
	t.Helper()
	at := day.Format(time.DateOnly) + " 23:59:59"
	raw, ok := samples[series][at]
	if !ok {
		t.Fatalf("no sample of %s at %s; the series has %d samples", series, at, len(samples[series]))
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// A backfill of October and November gives, for 12 November, the month to
// date of 1…12 November: what the live exporter served at the end of that
// day. The month boundary resets: 1 November holds 1 November only.
func TestBackfillMonthToDateOfAHandPickedDay(t *testing.T) {
	t.Parallel()
	fake := fakegithubtest.Start(t, fixture())
	out := filepath.Join(t.TempDir(), "history.om")
	if stderr, err := backfillFixture(t, fake, Flags{From: "2026-10", To: "2026-11", Output: out}); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	samples := readSamples(t, out)
	picked := time.Date(2026, time.November, 12, 0, 0, 0, 0, time.UTC)
	linux := `{account="ent",cost_center="Team A",organization="acme",product="Actions",repository="",scope="enterprise",sku="actions_linux",unit_type="minutes"}`
	transfer := `{account="ent",cost_center="",organization="acme-labs",product="Packages",repository="",scope="enterprise",sku="packages_data_transfer",unit_type="gigabytes"}`
	orgLinux := `{account="acme",cost_center="",organization="acme",product="Actions",repository="",scope="organization",sku="actions_linux",unit_type="minutes"}`
	for _, c := range []struct {
		series string
		figure func(time.Time) float64
	}{
		{"github_billing_usage_net_amount_usd" + linux, func(d time.Time) float64 { return fixtureLinux(d).NetAmount }},
		{"github_billing_usage_gross_amount_usd" + linux, func(d time.Time) float64 { return fixtureLinux(d).GrossAmount }},
		{"github_billing_usage_quantity" + linux, func(d time.Time) float64 { return fixtureLinux(d).Quantity }},
		{"github_billing_usage_net_amount_usd" + transfer, func(d time.Time) float64 { return fixtureTransfer(d).NetAmount }},
		{"github_billing_usage_net_amount_usd" + orgLinux, func(d time.Time) float64 { return fixtureLinux(d).NetAmount }},
		{`github_billing_usage_summarized_net_amount_usd{account="ent",product="actions",scope="enterprise",sku="actions_linux",unit_type="minutes"}`,
			func(d time.Time) float64 { return fixtureSummary(d).NetAmount }},
		{`github_billing_ai_credit_net_quantity{account="ent",model="GPT-5",product="copilot",scope="enterprise",sku="copilot_ai_credit",unit_type="credits"}`,
			func(d time.Time) float64 { return fixtureCredits(d).NetQuantity }},
	} {
		for _, day := range []time.Time{picked, picked.AddDate(0, 0, -12), picked.AddDate(0, 0, -11), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)} {
			want := monthToDate(day, c.figure)
			if got := sampleValue(t, samples, c.series, day); got != want {
				t.Errorf("%s at the end of %s = %v, want %v (days 1…%d summed)", c.series, day.Format(time.DateOnly), got, want, day.Day())
			}
		}
		if n := len(samples[c.series]); n != 61 {
			t.Errorf("%s has %d samples, want one per day of October and November (61)", c.series, n)
		}
	}
	// Worked by hand for 12 November: Linux minutes 100 + 2.5d + 11 summed
	// over d = 1…12 = 1332 + 195 = 1527.
	if got := sampleValue(t, samples, "github_billing_usage_quantity"+linux, picked); got != 1527 {
		t.Errorf("Linux minutes to 12 November = %v, want 1527", got)
	}
	// The price is the newest row's, as live.
	if got := sampleValue(t, samples, `github_billing_usage_price_per_unit_usd{account="ent",product="Actions",scope="enterprise",sku="actions_linux",unit_type="minutes"}`, picked); got != 0.008 {
		t.Errorf("price = %v, want 0.008", got)
	}
}

// A backfill stopped by GitHub's rate limit keeps the days it completed
// (not the one it was in), says which day it reached, and a rerun with the
// same output continues and writes the same file as a run that was never
// interrupted.
func TestBackfillRateLimitedAndResumedEqualsUninterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.om")
	fake := fakegithubtest.Start(t, fixture())
	flags := Flags{From: "2026-10-20", To: "2026-11-08", Output: whole}
	if stderr, err := backfillFixture(t, fake, flags); err != nil {
		t.Fatalf("uninterrupted backfill: %v\n%s", err, stderr)
	}
	wantBytes, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}

	resumed := filepath.Join(dir, "resumed.om")
	flags.Output = resumed
	// Per day: the enterprise's usage twice (Team A, none) and three
	// reports, the organization's four: 9 requests, after one for the
	// cost-center list and 19 × 9 = 171 for 1…19 October, which October's
	// month to date needs. 1 + 171 + 6 × 9 + 5 = 231 requests end inside
	// the 7th day written (26 October) at its 5th request: the rerun takes
	// up October's month to date of 25 days and then crosses the month
	// boundary.
	fake.SetRateLimitRemaining(231)
	before := fake.TotalRequests()
	stderr, err := backfillFixture(t, fake, flags)
	if !errors.Is(err, githubapi.ErrRateLimited) || !errors.Is(err, errStopped) {
		t.Fatalf("backfill against an exhausted rate limit: err = %v, want ErrRateLimited and errStopped\n%s", err, stderr)
	}
	if msg := err.Error(); !strings.Contains(msg, "at 2026-10-26") || !strings.Contains(msg, "every day up to 2026-10-25 is kept") {
		t.Errorf("the error does not say which day it reached: %v", msg)
	}
	// With two requests in flight, one may already be on its way when the
	// answer saying 0 remain arrives; none is sent after it.
	if sent := fake.TotalRequests() - before; sent != 231 && sent != 232 {
		t.Errorf("the stopped backfill sent %d requests, want 231 or 232 (none after the answer that said 0 remain)", sent)
	}
	if _, err := os.Stat(resumed); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the output exists before the backfill finished: %v", err)
	}
	// The rerun comes after the reset.
	fake.SetRateLimitRemaining(5000)
	if stderr, err := backfillFixture(t, fake, flags); err != nil {
		t.Fatalf("resumed backfill: %v\n%s", err, stderr)
	} else if !strings.Contains(stderr, "continuing after 2026-10-25") {
		t.Errorf("the rerun does not say it continues:\n%s", stderr)
	}
	got, err := os.ReadFile(resumed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, wantBytes) {
		t.Errorf("resumed output (%d bytes) differs from the uninterrupted one (%d bytes)", len(got), len(wantBytes))
	}
	// Of the work directory only the record of what the output holds is
	// left, for a rerun to compare.
	if left, err := os.ReadDir(resumed + ".backfill"); err != nil || len(left) != 1 || left[0].Name() != "state.json" {
		t.Errorf("the work directory holds %v (%v), want state.json alone", left, err)
	}
	// A third run has nothing to do and sends nothing.
	before = fake.TotalRequests()
	if stderr, err := backfillFixture(t, fake, flags); err != nil || !strings.Contains(stderr, "nothing to do") {
		t.Errorf("rerun of a finished backfill: %v\n%s", err, stderr)
	}
	if n := fake.TotalRequests() - before; n != 0 {
		t.Errorf("rerun of a finished backfill sent %d requests", n)
	}
}

// Bad flags are errors that say what to change, before any request.
func TestNewPlanRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	noDir := filepath.Join(dir, "missing", "out.om")
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(collector.HistoryCollectors(), ",")
	for _, c := range []struct {
		name string
		f    Flags
		want string
	}{
		{"from after to", Flags{From: "2026-11-05", To: "2026-11-01"}, "--from=2026-11-05 is after --to=2026-11-01"},
		{"month after month", Flags{From: "2026-11", To: "2026-10"}, "--from=2026-11-01 is after --to=2026-10-31"},
		{"older than GitHub keeps", Flags{From: "2024-11"}, "--from=2024-11-01 is older than GitHub keeps: the summary, premium-request and AI-credit reports go back 24 months, to 2024-12-01"},
		{"today", Flags{To: "2026-12-02"}, "--to=2026-12-02 is after the last settled day 2026-11-30"},
		{"yesterday is settling", Flags{To: "2026-12-01"}, "--to=2026-12-01 is after the last settled day 2026-11-30"},
		{"not a date", Flags{From: "last year"}, `--from="last year": want a day (2026-03-17) or a month (2026-03)`},
		{"unknown collector", Flags{Collectors: "usage,budgets"}, `--collectors: "budgets" has no history at GitHub`},
		{"output in a missing directory", Flags{Output: noDir}, "--output=" + noDir + ": directory " + filepath.Dir(noDir)},
		{"output is a directory", Flags{Output: filepath.Join(dir, "adir")}, "not a regular file"},
		{"negative settle", Flags{Pacing: Pacing{Settle: -1}}, "--settle=-1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			if f.Collectors == "" {
				f.Collectors = all
			}
			if f.Output == "" {
				f.Output = "-"
			}
			if f.Concurrency == 0 {
				f.Concurrency = 1
			}
			switch f.Settle {
			case 0:
				f.Settle = 1
			case -1:
				f.Settle = -1
			}
			_, err := NewPlan(f, testNow)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("NewPlan(%+v) = %v, want an error containing %q", f, err, c.want)
			}
		})
	}
	// Only /usage goes back further than 24 months.
	if _, err := NewPlan(Flags{From: "2024-11", Collectors: "usage", Output: "-", Pacing: Pacing{Settle: 1}, Concurrency: 1}, testNow); err != nil {
		t.Errorf("usage alone from 2024-11: %v", err)
	}
}

// The default range is the 13 full months before the last settled day, and
// a month in --to ends at the last settled day.
func TestNewPlanDefaults(t *testing.T) {
	all := strings.Join(collector.HistoryCollectors(), ",")
	p, err := NewPlan(Flags{Collectors: all, Output: "-", Pacing: Pacing{Settle: 1}, Concurrency: 1}, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.From.Format(time.DateOnly) + " " + p.To.Format(time.DateOnly); got != "2025-11-01 2026-11-30" {
		t.Errorf("default range %s, want 2025-11-01 2026-11-30", got)
	}
	if p.dayCount() != 395 {
		t.Errorf("default range has %d days, want 395 (365 + 30)", p.dayCount())
	}
	// On 20 December the settled days of December come after 13 full months.
	p, err = NewPlan(Flags{Collectors: all, Output: "-", Pacing: Pacing{Settle: 1}, Concurrency: 1, To: "2026-12"}, testNow.AddDate(0, 0, 18))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.From.Format(time.DateOnly) + " " + p.To.Format(time.DateOnly); got != "2025-11-01 2026-12-18" {
		t.Errorf("range on 20 December %s, want 2025-11-01 2026-12-18", got)
	}
}

// The output is what promtool imports: every family's metadata once, its
// samples together, and promtool tsdb create-blocks-from openmetrics makes
// blocks holding every sample. Without the timestamps it passes promtool
// check metrics.
func TestBackfillOutputImportsWithPromtool(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs promtool's TSDB import: left out under -short (go test ./... runs it)")
	}
	promtool := testutil.RequireTool(t, testutil.ToolPromtool)
	fake := fakegithubtest.Start(t, fixture())
	dir := t.TempDir()
	out := filepath.Join(dir, "history.om")
	stderr, err := backfillFixture(t, fake, Flags{From: "2026-10", To: "2026-11", Output: out})
	if err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(body, []byte("\n# EOF\n")) {
		t.Error("the output does not end with # EOF")
	}
	// Metadata once per family, and a family's samples contiguous.
	seen := map[string]bool{}
	current := ""
	samples := 0
	for line := range strings.Lines(string(body)) {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name := strings.Fields(rest)[0]
			if seen[name] {
				t.Errorf("# TYPE of %s twice", name)
			}
			seen[name], current = true, name
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		samples++
		name := line[:strings.IndexAny(line, "{ ")]
		if name != current {
			t.Fatalf("sample of %s under the metadata of %s: families are not contiguous", name, current)
		}
	}
	if !strings.Contains(string(body), "# UNIT github_billing_usage_net_amount_usd usd\n") {
		t.Error("no # UNIT line for a _usd family")
	}
	imported, report := promtoolImport(t, promtool, out, filepath.Join(dir, "blocks"))
	if imported != samples {
		t.Errorf("promtool imported %d samples, the file has %d\n%s", imported, samples, report)
	}
	// promtool check metrics reads the text format, whose timestamps are
	// integer milliseconds: check the file without them.
	var plain strings.Builder
	for line := range strings.Lines(string(body)) {
		if !strings.HasPrefix(line, "#") {
			line = line[:strings.LastIndexByte(line, ' ')] + "\n"
		}
		plain.WriteString(line)
	}
	check := exec.Command(promtool, "check", "metrics")
	check.Stdin = strings.NewReader(plain.String())
	if lint, err := check.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, lint)
	}
}

// promtoolImport imports the OpenMetrics file out into blocks under dir
// with promtool and returns the samples its report lists, and the report.
func promtoolImport(t *testing.T, promtool, out, dir string) (int, []byte) {
	t.Helper()
	report, err := exec.Command(promtool, "tsdb", "create-blocks-from", "openmetrics", "--max-block-duration=486h", out, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool import: %v\n%s", err, report)
	}
	// Sum NUM SAMPLES over the blocks promtool lists.
	imported := 0
	for _, l := range strings.Split(string(report), "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 8 {
			continue
		}
		n, err := strconv.Atoi(f[len(f)-4])
		if err != nil {
			t.Fatalf("promtool report line %q", l)
		}
		imported += n
	}
	return imported, report
}
