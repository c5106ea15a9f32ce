package collector

import (
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// aiTestNow is in November 2026, the month of testutil.AICreditsDataset.
func aiTestNow() time.Time { return time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC) }

// The view's metrics, read straight from the collector for the enterprise
// with a limit that folds a user, pass promlint.
func TestAICreditsByUserLintClean(t *testing.T) {
	srv := fakegithubtest.Start(t, testutil.AICreditsDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	c := newAICreditsByUserCollector(Options{AICreditUserLimit: 2, now: aiTestNow})
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	for range aiCreditsByUserSlices - 1 {
		update(t, c, client, acme)
	}
	u := update(t, c, client, acme) // the round's last refresh
	// 5 users' and __other__'s series: alice 2 models, bob 2, __other__
	// (carol) 1 = 5 label sets × 6 families = 30; users_folded 1; cost
	// centers: Platform 2 + Data 1 + none 1 = 4 × 6 = 24; reconciliation 2.
	if got := len(u.metrics); got != 30+1+24+2 {
		t.Errorf("%d samples, want 57", got)
	}
	expectLintClean(t, u)
}

// A new month starts a new round: the last month's answers are not carried
// over, and the seat list is read again at once.
func TestAICreditsByUserNewMonthStartsANewRound(t *testing.T) {
	now := aiTestNow()
	c := newAICreditsByUserCollector(Options{now: func() time.Time { return now }}).(*aiCreditsByUserCollector)
	srv := fakegithubtest.Start(t, testutil.AICreditsDataset())
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	update(t, c, client, acme)
	update(t, c, client, acme)
	if st := c.rounds[acme]; st.slice != 2 || len(st.spend) != 2 {
		t.Fatalf("after two refreshes: slice %d, %d users asked; want 2 and 2 (alice, bob)", st.slice, len(st.spend))
	}
	now = time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC)
	update(t, c, client, acme)
	st := c.rounds[acme]
	if st.period.Month != time.December || st.slice != 1 || len(st.spend) != 1 {
		t.Errorf("in December: month %v, slice %d, %d users; want December, 1, 1 (alice again)", st.period.Month, st.slice, len(st.spend))
	}
	if got := srv.Requests("/enterprises/acme/copilot/billing/seats"); got != 2 {
		t.Errorf("%d seat-list requests, want 2 (one per month's round)", got)
	}
}
