package cache

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// TestPlatformCollectorsOneForbiddenOthersServed runs the billing-platform
// collectors through the cache against the demo enterprise with one
// endpoint answering 403: that collector fails and says why, the others
// serve their data.
func TestPlatformCollectorsOneForbiddenOthersServed(t *testing.T) {
	now := time.Date(2026, 11, 15, 12, 0, 0, 0, time.UTC)
	srv := fakegithubtest.Start(t, demo.Dataset(now))
	ent := demo.Enterprise
	srv.Override("/enterprises/"+ent+"/settings/billing/reports", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Accepted-GitHub-Permissions", "enterprise_administration=write")
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
	})
	client := fakegithubtest.Client(t, srv, githubapi.Options{})

	var logs bytes.Buffer
	collectors := []string{"usage_summary", "premium_requests", "ai_credits", "cost_centers", "budgets", "usage_reports", "copilot"}
	e, err := New(Config{
		Logger:      slog.New(slog.NewTextHandler(&logs, nil)),
		Collectors:  collectors,
		Concurrency: 2,
		Now:         func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Apply(Settings{RefreshInterval: time.Minute, RefreshTimeout: 30 * time.Second, MaxAge: time.Hour},
		[]collector.Target{{Account: githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: ent}, Client: client}})

	reg := e.Scrape(context.Background(), nil)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}

	success := map[string]float64{}
	for _, m := range byName["github_billing_scrape_collector_success"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "collector" {
				success[l.GetValue()] = m.GetGauge().GetValue()
			}
		}
	}
	for _, name := range collectors {
		want := 1.0
		if name == "usage_reports" {
			want = 0
		}
		if got, ok := success[name]; !ok || got != want {
			t.Errorf("success of %s = %v (present %v), want %v", name, got, ok, want)
		}
	}

	// The others' series are there: 14 demo budgets on one page (only the
	// user budget carries consumed_amount; the usage collector, not run
	// here, computes the others), of which one counts licences and one
	// (the product copilot) has no known unit: 14 - 2 = 12 in dollars;
	// 3 cost centers, 15 summary SKUs (Actions' 5, Packages' 2, Copilot
	// seats, Copilot's and Spark's AI credits, Advanced Security's 2, cloud
	// sandboxes' 3), no premium requests (Copilot is billed in AI credits
	// since June 2026; only the user's legacy plan has premium requests),
	// 6 AI-credit model rows (GPT-5, Claude Sonnet 4.5, Gemini 2.5 Pro,
	// GPT-5 mini, Auto: Claude Haiku 4.5, and Spark's Claude Sonnet 4.5),
	// and one seat count.
	count := func(name string) int { return len(byName["github_billing_"+name].GetMetric()) }
	for name, want := range map[string]int{
		"budget_amount_usd":               12,
		"budget_amount_licenses":          1,
		"budget_prevent_further_usage":    14,
		"budget_consumed_amount_usd":      1,
		"cost_center_info":                3,
		"copilot_seats":                   1,
		"usage_report_exports":            0,
		"usage_summarized_net_amount_usd": 15,
		"premium_request_gross_quantity":  0,
		"ai_credit_gross_quantity":        6,
	} {
		if got := count(name); got != want {
			t.Errorf("%s: %d series, want %d", name, got, want)
		}
	}
	// 114 distinct Copilot users: 64 in acme-web, 44 + dev-07 in acme-data,
	// 6 in acme-labs.
	if seats := byName["github_billing_copilot_seats"].GetMetric(); len(seats) == 1 && seats[0].GetGauge().GetValue() != 114 {
		t.Errorf("enterprise Copilot seats %v, want 114", seats[0].GetGauge().GetValue())
	}

	log := logs.String()
	for _, want := range []string{"collector=usage_reports", "/enterprises/" + ent + "/settings/billing/reports", "403",
		"Resource not accessible by personal access token", "enterprise_administration=write"} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not mention %q:\n%s", want, log)
		}
	}
	if n := strings.Count(log, "level=ERROR"); n != 1 {
		t.Errorf("%d error lines, want 1:\n%s", n, log)
	}
}
