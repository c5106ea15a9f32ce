package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// aiBudgetServer is a server with the per-user AI-credit view on, for an
// enterprise of 2,000 seat holders, with configuration yaml after the
// github block.
func aiBudgetServer(t *testing.T, share float64, yaml string) (*Server, *bytes.Buffer, error) {
	t.Helper()
	d := fakegithub.NewDataset()
	pd := &fakegithub.PlatformData{}
	for i := range 2000 {
		pd.CopilotSeats = append(pd.CopilotSeats, githubapi.CopilotSeat{CreatedAt: "2026-01-12T09:00:00Z",
			Assignee: &githubapi.CopilotAssignee{Login: fmt.Sprintf("user-%04d", i), ID: int64(i + 1), Type: "User"}})
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: pd}
	fake := fakegithubtest.Start(t, d)
	var log bytes.Buffer
	exp, err := cache.New(cache.Config{Collectors: []string{collector.AICreditsByUser}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	srv := New(Config{
		Exporter:      exp,
		Logger:        slog.New(slog.NewTextHandler(&log, nil)),
		TelemetryPath: "/metrics",
		BudgetShares:  map[string]float64{collector.AICreditsByUser: share},
		Source: func() (*config.Resolved, error) {
			return config.Parse("ai.yml", []byte(fmt.Sprintf("github: {api_url: %q, token: t}\n", fake.URL)+yaml), func(string) string { return "" })
		},
	})
	return srv, &log, srv.Reload()
}

// At 1h, 2,000 seat holders cost 20 pages + 2,000 + 6 unfiltered answers
// (one a refresh) = 2,026 requests an hour, over 20% of 5,000 (1,000): the
// start is refused with that arithmetic.
func TestAICreditsByUserRefusedAtStartWithItsArithmetic(t *testing.T) {
	_, _, err := aiBudgetServer(t, 0.2, "collectors: {ai_credits_by_user: {refresh_interval: 1h}}\nenterprises: [{name: acme}]\n")
	if err == nil {
		t.Fatal("started although the view would spend 2,026 requests an hour")
	}
	for _, want := range []string{"2026.0 requests an hour", `credential "default"`, "20% of GitHub's 5000 (1000)",
		`enterprise "acme": (2000 seats ÷ 100 = 20 pages + 2000 seat holders + 6 unfiltered) = 2026 requests a round every 1h0m0s = 2026.0 an hour`,
		"refresh_interval"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
}

// At the default 6h the same enterprise costs (20 + 2,000 + 6) ÷ 6 = 337.7 requests an
// hour, under 1,000: it starts and logs the figures; with a 5% share (250)
// it is refused.
func TestAICreditsByUserBudgetLoggedAtStart(t *testing.T) {
	_, log, err := aiBudgetServer(t, 0.2, "enterprises: [{name: acme}]\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"seat_holders=2000", "requests_per_round=2026", "refresh_interval=6h0m0s", "requests_per_hour=337.7", "share_of_limit=6.8%"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the start-up log does not say %s:\n%s", want, log)
		}
	}
	_, _, err = aiBudgetServer(t, 0.05, "enterprises: [{name: acme}]\n")
	if err == nil || !strings.Contains(err.Error(), "337.7 requests an hour") || !strings.Contains(err.Error(), "5% of GitHub's 5000 (250)") {
		t.Errorf("err = %v, want a refusal at 337.7 an hour over 250", err)
	}
}

// A collectors block naming no collector is refused.
func TestCollectorsBlockUnknownName(t *testing.T) {
	_, _, err := aiBudgetServer(t, 0.2, "collectors: {ai_credit_by_users: {refresh_interval: 1h}}\nenterprises: [{name: acme}]\n")
	if err == nil || !strings.Contains(err.Error(), `"ai_credit_by_users" is no collector`) {
		t.Errorf("err = %v, want the unknown collector named", err)
	}
}
