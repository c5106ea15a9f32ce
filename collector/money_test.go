package collector

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// platformTestExample is a shared example of a summary-like answer for
// March 2026 (platformTestNow's month): GitHub's examples echo a
// timePeriod of 2025 alone, which is not the answer to a month's request.
func platformTestExample(t *testing.T, file string) http.HandlerFunc {
	t.Helper()
	body, err := os.ReadFile(examplesDir + file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	doc["timePeriod"] = map[string]any{"year": 2026, "month": 3}
	if body, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	return fakegithubtest.ServeString(string(body))
}

// moneyTestRow is a usage row of 2 November 2026 (usageTestNow's month)
// with every figure x.
func moneyTestRow(x string) string {
	return `{"date":"2026-11-02","product":"Actions","sku":"linux","quantity":` + x + `,"unitType":"minutes","pricePerUnit":1,` +
		`"grossAmount":` + x + `,"discountAmount":0,"netAmount":` + x + `,"organizationName":"acme-web"}`
}

// moneyTestSummaryRow is a summary, premium-request or AI-credit row with
// every figure x.
func moneyTestSummaryRow(x string) string {
	return `{"product":"Copilot","sku":"s","model":"GPT-5","unitType":"credits","pricePerUnit":0.01,"grossQuantity":` + x +
		`,"grossAmount":` + x + `,"discountQuantity":0,"discountAmount":0,"netQuantity":` + x + `,"netAmount":` + x + `}`
}

// moneyTestReport is a summary-like answer for period with rows.
func moneyTestReport(period string, rows ...string) string {
	return `{"timePeriod":` + period + `,"usageItems":[` + strings.Join(rows, ",") + `]}`
}

// expectNotFinite says whether err is the error of a sum that overflowed.
func expectNotFinite(t *testing.T, what string, metrics []prometheus.Metric, err error) {
	t.Helper()
	if err == nil || metrics != nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("%s: %d metrics, error %v; want an error saying a sum is not finite", what, len(metrics), err)
	}
}

// Two rows of 1e308 sum to more than a float64 holds: +Inf as a dollar
// amount is no figure at all, so the collector fails (and the exporter
// keeps the last good data) rather than serve it.
func TestSumsThatOverflowFailTheCollector(t *testing.T) {
	ctx := context.Background()
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})

	fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(
		`{"usageItems":[`+moneyTestRow("1e308")+`,`+moneyTestRow("1e308")+`]}`))
	metrics, err := usageTestNew(false, usageTestNow).Update(ctx, client, usageTestOrg)
	expectNotFinite(t, "usage", metrics, err)

	march := `{"year":2026,"month":3}`
	summary := usageSummaryCollector{now: func() time.Time { return platformTestNow }}
	fake.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(
		moneyTestReport(march, moneyTestSummaryRow("1e308"), moneyTestSummaryRow("1e308"))))
	metrics, err = summary.Update(ctx, client, usageTestOrg)
	expectNotFinite(t, "usage summary", metrics, err)

	for _, tc := range []struct {
		path string
		c    Collector
	}{
		{"/organizations/acme-web/settings/billing/premium_request/usage", newPremiumRequestsCollector(Options{now: func() time.Time { return platformTestNow }})},
		{"/organizations/acme-web/settings/billing/ai_credit/usage", newAICreditsCollector(Options{now: func() time.Time { return platformTestNow }})},
	} {
		fake.Override(tc.path, fakegithubtest.ServeString(moneyTestReport(march, moneyTestSummaryRow("1e308"), moneyTestSummaryRow("1e308"))))
		metrics, err := tc.c.Update(ctx, client, usageTestOrg)
		expectNotFinite(t, tc.path, metrics, err)
	}
}

// The per-user AI-credit view sums the unfiltered answer too.
func TestAICreditsByUserOverflowFailsTheCollector(t *testing.T) {
	fake, inner := fakegithubtest.Start(t, testutil.AICreditsDataset()), fakegithubtest.Start(t, testutil.AICreditsDataset())
	overflow := fakegithubtest.ServeString(strings.Replace(moneyTestReport(`{"year":2026,"month":11}`, moneyTestSummaryRow("1e308"), moneyTestSummaryRow("1e308")),
		`{"timePeriod"`, `{"enterprise":"acme","timePeriod"`, 1))
	forward := moneyTestForward(t, inner, func(url.Values) {})
	fake.Override("/enterprises/acme/settings/billing/ai_credit/usage", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("user") != "" || r.URL.Query().Get("cost_center_id") != "" {
			forward(w, r)
			return
		}
		overflow(w, r)
	})
	c := newAICreditsByUserCollector(Options{now: aiTestNow})
	metrics, err := c.Update(context.Background(), fakegithubtest.Client(t, fake, githubapi.Options{}), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	expectNotFinite(t, "AI credits by user", metrics, err)
}

// The reconciliation subtracts the summary's sum from the report's: a
// summary that overflows would make it -Inf or NaN. The difference is left
// out, as when the summary fails (the summary's own collector fails), and
// the usage series stand.
func TestUsageReconciliationLeavesOutAnOverflowingSummary(t *testing.T) {
	d := usageTestDataset()
	usageTestSet(d, usageTestEnterprise, "", consumptionTestRow("Actions", "Actions Linux", "minutes", "o1", "o1/x", 4, 1.25))
	d.Enterprises["acme-corp"].Platform.CostCenters = []githubapi.CostCenter{}
	fake := fakegithubtest.Start(t, d)
	fake.Override("/enterprises/acme-corp/settings/billing/usage/summary", fakegithubtest.ServeString(
		`{"timePeriod":{"year":2026,"month":11},"enterprise":"acme-corp","usageItems":[`+
			`{"product":"actions","sku":"actions_linux","unitType":"Minutes","pricePerUnit":1,"grossQuantity":1,"grossAmount":1e308,"discountQuantity":0,"discountAmount":0,"netQuantity":1,"netAmount":1e308},`+
			`{"product":"actions","sku":"actions_linux","unitType":"Minutes","pricePerUnit":1,"grossQuantity":1,"grossAmount":1e308,"discountQuantity":0,"discountAmount":0,"netQuantity":1,"netAmount":1e308}]}`))
	got := usageTestValues(t, usageTestNew(false, usageTestNow), fakegithubtest.Client(t, fake, githubapi.Options{}), usageTestEnterprise)
	for k, v := range got {
		if math.IsInf(v, 0) || math.IsNaN(v) {
			t.Errorf("%s = %v", k, v)
		}
		if strings.HasPrefix(k, "reconciliation") {
			t.Errorf("%s = %v, want no difference against a summary that overflows", k, v)
		}
	}
	// consumptionTestRow: net 1.25 in the usage in no cost center.
	if v := got[usageTestSeries("net_amount_usd", "Actions", "Actions Linux", "minutes", "o1", "", "")]; v != 1.25 {
		t.Errorf("net amount %v, want 1.25", v)
	}
}

// The backfill's month to date: a day whose sum overflows fails, and adds
// nothing.
func TestMonthToDateOverflowFailsTheDay(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	day := time.Date(2026, time.March, 5, 0, 0, 0, 0, time.UTC)
	fake.Override("/organizations/acme-web/settings/billing/usage/summary", fakegithubtest.ServeString(
		moneyTestReport(`{"year":2026,"month":3,"day":5}`, moneyTestSummaryRow("1e308"), moneyTestSummaryRow("1e308"))))
	m, err := NewMonthToDate("usage_summary", Options{}, usageTestOrg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddDay(context.Background(), client, day, nil); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("AddDay: error %v, want one saying a sum is not finite", err)
	}
	if n := len(m.Metrics()); n != 0 {
		t.Errorf("the failed day left %d samples, want none", n)
	}
}

// moneyTestFailure says whether err fails the update for the reason want
// (a missing field, or an answer that is not what was asked).
func moneyTestFailure(t *testing.T, what string, metrics []prometheus.Metric, err error, want error) {
	t.Helper()
	var de *githubapi.DecodeError
	var mf *githubapi.MissingFieldError
	ok := err != nil && metrics == nil && errors.As(err, &de)
	if want == nil {
		ok = ok && errors.As(err, &mf)
	} else {
		ok = ok && errors.Is(err, want)
	}
	if !ok {
		t.Errorf("%s: %d metrics, error %v", what, len(metrics), err)
	}
}

// Through every money collector: a row without its net amount, or with it
// null, and an answer for another month fail the update: served, they
// would be $0 and another month's money.
func TestMoneyCollectorsRefuseRowsWithoutAmountsAndOtherMonths(t *testing.T) {
	ctx := context.Background()
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	noNet := strings.Replace(moneyTestRow("1"), `,"netAmount":1`, ``, 1)
	nullNet := strings.Replace(moneyTestRow("1"), `"netAmount":1`, `"netAmount":null`, 1)
	october := strings.Replace(moneyTestRow("1"), "2026-11-02", "2026-10-31", 1)
	for _, tc := range []struct {
		what, body string
		want       error
	}{
		{"usage without netAmount", `{"usageItems":[` + moneyTestRow("1") + `,` + noNet + `]}`, nil},
		{"usage with netAmount null", `{"usageItems":[` + nullNet + `]}`, nil},
		{"usage with a row of October", `{"usageItems":[` + moneyTestRow("1") + `,` + october + `]}`, githubapi.ErrNotAsked},
	} {
		fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(tc.body))
		metrics, err := usageTestNew(false, usageTestNow).Update(ctx, client, usageTestOrg)
		moneyTestFailure(t, tc.what, metrics, err, tc.want)
	}

	now := func() time.Time { return platformTestNow } // March 2026
	noNetRow := strings.Replace(moneyTestSummaryRow("1"), `,"netAmount":1`, ``, 1)
	for _, tc := range []struct {
		path string
		c    Collector
	}{
		{"/organizations/acme-web/settings/billing/usage/summary", usageSummaryCollector{now: now}},
		{"/organizations/acme-web/settings/billing/premium_request/usage", newPremiumRequestsCollector(Options{now: now})},
		{"/organizations/acme-web/settings/billing/ai_credit/usage", newAICreditsCollector(Options{now: now})},
	} {
		for _, body := range []struct {
			what, body string
			want       error
		}{
			{"without netAmount", moneyTestReport(`{"year":2026,"month":3}`, moneyTestSummaryRow("1"), noNetRow), nil},
			{"for February", moneyTestReport(`{"year":2026,"month":2}`, moneyTestSummaryRow("1")), githubapi.ErrNotAsked},
			// The month is optional in the answer (GitHub's examples echo
			// the year alone), the year is not: another year is refused.
			{"for 2025", moneyTestReport(`{"year":2025}`, moneyTestSummaryRow("1")), githubapi.ErrNotAsked},
		} {
			fake.Override(tc.path, fakegithubtest.ServeString(body.body))
			metrics, err := tc.c.Update(ctx, client, usageTestOrg)
			moneyTestFailure(t, tc.path+" "+body.what, metrics, err, body.want)
		}
	}
}

// The backfill asks for one day: a usage row of another day fails the day.
func TestMonthToDateRefusesUsageRowsOfAnotherDay(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(
		`{"usageItems":[`+moneyTestRow("1")+`,`+strings.Replace(moneyTestRow("1"), "2026-11-02", "2026-11-03", 1)+`]}`))
	m, err := NewMonthToDate("usage", Options{}, usageTestOrg)
	if err != nil {
		t.Fatal(err)
	}
	err = m.AddDay(context.Background(), client, time.Date(2026, time.November, 2, 0, 0, 0, 0, time.UTC), nil)
	if !errors.Is(err, githubapi.ErrNotAsked) {
		t.Errorf("AddDay: error %v, want ErrNotAsked", err)
	}
	if n := len(m.Metrics()); n != 0 {
		t.Errorf("the failed day left %d samples, want none", n)
	}
}

// The per-user view: an answer to ?user= that is the whole account (the
// filter ignored, nothing echoed) fails the view for the account.
func TestAICreditsByUserRefusesAnAnswerThatIgnoresTheUserFilter(t *testing.T) {
	fake, inner := fakegithubtest.Start(t, testutil.AICreditsDataset()), fakegithubtest.Start(t, testutil.AICreditsDataset())
	fake.Override("/enterprises/acme/settings/billing/ai_credit/usage", moneyTestForward(t, inner, func(q url.Values) {
		q.Del("user") // GitHub ignores the filter
	}))
	// GitHub need not echo the user (API.md §5.3), so one answer cannot
	// tell: the first refresh asks alice alone, and her "answer", the whole
	// account, leaves nothing for __other__. The second asks bob, and the
	// two kept users then hold twice the account (GPT-5: 2 × 1450 gross
	// against 1450), which no month to date can.
	c := newAICreditsByUserCollector(Options{now: aiTestNow})
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	acme := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	if _, err := c.Update(context.Background(), client, acme); err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	metrics, err := c.Update(context.Background(), client, acme)
	if metrics != nil || !errors.Is(err, githubapi.ErrNotAsked) || !strings.Contains(err.Error(), "$14.50 more than") {
		// GPT-5 gross: alice's and bob's answers, each the account's
		// 1450 credits at $0.01 ($14.50), less the unfiltered $14.50.
		t.Errorf("user filter ignored: %d metrics, error %v", len(metrics), err)
	}
}

// And an answer to ?cost_center_id= that ignores it.
func TestAICreditsByUserRefusesAnAnswerThatIgnoresTheCostCenterFilter(t *testing.T) {
	fake, inner := fakegithubtest.Start(t, testutil.AICreditsDataset()), fakegithubtest.Start(t, testutil.AICreditsDataset())
	fake.Override("/enterprises/acme/settings/billing/ai_credit/usage", moneyTestForward(t, inner, func(q url.Values) {
		if q.Get("cost_center_id") == "cc-2" {
			q.Set("cost_center_id", "cc-1") // GitHub answers another cost center
		}
	}))
	c := newAICreditsByUserCollector(Options{now: aiTestNow})
	metrics, err := c.Update(context.Background(), fakegithubtest.Client(t, fake, githubapi.Options{}), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	moneyTestFailure(t, "cost center filter ignored", metrics, err, githubapi.ErrNotAsked)
}

// moneyTestForward answers with what inner answers for the same path and
// the query changed by edit: a GitHub that applies another query than the
// one it was sent.
func moneyTestForward(t *testing.T, inner *fakegithub.Server, edit func(q url.Values)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		edit(q)
		resp, err := http.Get(inner.URL + r.URL.Path + "?" + q.Encode())
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body) //nolint:errcheck // test answer
	}
}

// The usage report's month to date likewise: a day that would overflow it
// fails and adds nothing, the days before stand.
func TestMonthToDateUsageOverflowFailsTheDay(t *testing.T) {
	fake := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, fake, githubapi.Options{})
	m, err := NewMonthToDate("usage", Options{}, usageTestOrg)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, time.November, 2, 0, 0, 0, 0, time.UTC) // moneyTestRow's date
	fake.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(`{"usageItems":[`+moneyTestRow("1e308")+`]}`))
	if err := m.AddDay(context.Background(), client, day, nil); err != nil {
		t.Fatal(err)
	}
	// 1e308 + 1e308 is past the largest float64.
	if err := m.AddDay(context.Background(), client, day, nil); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("AddDay: error %v, want one saying a sum is not finite", err)
	}
	for _, metric := range m.Metrics() {
		if g, ok := metric.(*Sample); ok && !finite(g.value) {
			t.Errorf("%v%q = %v after the failed day", g.desc, g.labels, g.value)
		}
	}
}
