package githubapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// exampleWith is a shared example changed by edit.
func exampleWith(t *testing.T, file string, edit func(doc map[string]any)) string {
	t.Helper()
	body, err := os.ReadFile(examplesDir + file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// exampleFor is a shared example answering for year and month: GitHub's
// examples echo a timePeriod of 2025 alone, which the client refuses as
// the answer to a request for one month.
func exampleFor(t *testing.T, file string, year, month int) string {
	return exampleWith(t, file, func(doc map[string]any) {
		if _, ok := doc["timePeriod"]; ok {
			doc["timePeriod"] = map[string]any{"year": year, "month": month}
		}
	})
}

// firstRow is the first row of the example's usageItems.
func firstRow(doc map[string]any) map[string]any {
	return doc["usageItems"].([]any)[0].(map[string]any)
}

// expectMissing says whether err is a decode error naming exactly fields.
func expectMissing(t *testing.T, what string, err error, fields ...string) {
	t.Helper()
	var de *githubapi.DecodeError
	var mf *githubapi.MissingFieldError
	if !errors.As(err, &de) || !errors.As(err, &mf) || !reflect.DeepEqual(mf.Fields, fields) {
		t.Errorf("%s: error %v, want a decode error naming %v", what, err, fields)
	}
}

// A usage row without a date or one of its numbers, or with it null, fails
// the report, naming the field and the row: encoding/json would read a 0,
// and a renamed field would make every row $0.
func TestUsageRowWithoutARequiredFieldFailsTheReport(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	// The example's row is dated 2023-08-01.
	q := githubapi.UsageQuery{Period: githubapi.Period{Year: 2023, Month: time.August}}
	for _, field := range []string{"date", "quantity", "pricePerUnit", "grossAmount", "discountAmount", "netAmount"} {
		for _, null := range []bool{false, true} {
			body := exampleWith(t, "org-usage.json", func(doc map[string]any) {
				row := firstRow(doc)
				second := maps.Clone(row)
				if null {
					second[field] = nil
				} else {
					delete(second, field)
				}
				doc["usageItems"] = []any{row, second}
			})
			srv.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(body))
			rows := 0
			err := client.Usage(context.Background(), org, q, func(*githubapi.UsageItem) error { rows++; return nil })
			expectMissing(t, field, err, "usageItems[1]."+field)
		}
	}
	// A null row and an empty one lack every required field.
	for _, row := range []string{`null`, `{}`} {
		srv.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(`{"usageItems":[`+row+`]}`))
		err := client.Usage(context.Background(), org, q, func(*githubapi.UsageItem) error { return nil })
		expectMissing(t, row, err, "usageItems[0].date", "usageItems[0].quantity", "usageItems[0].pricePerUnit",
			"usageItems[0].grossAmount", "usageItems[0].discountAmount", "usageItems[0].netAmount")
	}
}

// The summary, premium-request and AI-credit rows need their six figures:
// an answer with one missing or null fails, naming the row and the field.
func TestSummaryRowWithoutARequiredAmountFailsTheAnswer(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ctx := context.Background()
	march := githubapi.Period{Year: 2026, Month: time.March}
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	day := time.Date(2026, time.March, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, path, file string
		day              bool
		call             func() error
	}{
		{"summary", "/enterprises/acme/settings/billing/usage/summary", "enterprise-usage-summary.json", false,
			func() error { _, err := client.UsageSummary(ctx, ent, march); return err }},
		{"summary day", "/enterprises/acme/settings/billing/usage/summary", "enterprise-usage-summary.json", true,
			func() error { _, err := client.UsageSummary(ctx, ent, githubapi.DayPeriod(day)); return err }},
		{"premium", "/enterprises/acme/settings/billing/premium_request/usage", "enterprise-premium-request-usage.json", false,
			func() error { _, err := client.PremiumRequestUsage(ctx, ent, march); return err }},
		{"premium day", "/enterprises/acme/settings/billing/premium_request/usage", "enterprise-premium-request-usage.json", true,
			func() error { _, err := client.PremiumRequestUsage(ctx, ent, githubapi.DayPeriod(day)); return err }},
		{"ai credits", "/enterprises/acme/settings/billing/ai_credit/usage", "enterprise-ai-credit-usage.json", false,
			func() error { _, err := client.AICreditUsage(ctx, ent, march, githubapi.AICreditFilter{}); return err }},
		{"ai credits day", "/enterprises/acme/settings/billing/ai_credit/usage", "enterprise-ai-credit-usage.json", true,
			func() error {
				_, err := client.AICreditUsage(ctx, ent, githubapi.DayPeriod(day), githubapi.AICreditFilter{})
				return err
			}},
	} {
		for _, field := range []string{"grossQuantity", "grossAmount", "discountQuantity", "discountAmount", "netQuantity", "netAmount"} {
			for _, null := range []bool{false, true} {
				body := exampleWith(t, tc.file, func(doc map[string]any) {
					period := map[string]any{"year": 2026, "month": 3}
					if tc.day {
						period["day"] = 5
					}
					doc["timePeriod"] = period
					row := firstRow(doc)
					second := maps.Clone(row)
					if null {
						second[field] = nil
					} else {
						delete(second, field)
					}
					doc["usageItems"] = []any{row, second}
				})
				srv.Override(tc.path, fakegithubtest.ServeString(body))
				expectMissing(t, tc.name+"/"+field, tc.call(), "usageItems[1]."+field)
			}
		}
	}
}

// A usage row of another month, or of another day when one day was asked
// for, shows GitHub did not apply the query: the report is refused, as
// counting it would count money of another day or month.
func TestUsageRowsOutsideTheAskedMonthOrDayAreRefused(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	row := func(date string) string {
		return `{"date":"` + date + `","product":"Actions","sku":"linux","quantity":1,"unitType":"minutes","pricePerUnit":1,"grossAmount":1,"discountAmount":0,"netAmount":1}`
	}
	month := githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}}
	day := githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November, Day: 5}}
	for _, tc := range []struct {
		name  string
		q     githubapi.UsageQuery
		dates []string
		ok    bool
	}{
		{"month", month, []string{"2026-11-01", "2026-11-30T00:00:00Z"}, true},
		{"month, a row of October", month, []string{"2026-11-01", "2026-10-31"}, false},
		{"month, a row of another year", month, []string{"2025-11-02"}, false},
		{"day", day, []string{"2026-11-05", "2026-11-05T00:00:00Z"}, true},
		{"day, a row of the next day", day, []string{"2026-11-05", "2026-11-06"}, false},
		{"day, the whole month", day, []string{"2026-11-01", "2026-11-05"}, false},
		{"not a date", month, []string{"November"}, false},
	} {
		body := `{"usageItems":[`
		for i, d := range tc.dates {
			if i > 0 {
				body += ","
			}
			body += row(d)
		}
		srv.Override("/organizations/acme-web/settings/billing/usage", fakegithubtest.ServeString(body+`]}`))
		rows := 0
		err := client.Usage(context.Background(), org, tc.q, func(*githubapi.UsageItem) error { rows++; return nil })
		switch {
		case tc.ok && (err != nil || rows != len(tc.dates)):
			t.Errorf("%s: %d rows, error %v; want %d rows", tc.name, rows, err, len(tc.dates))
		case !tc.ok && (!notAsked(err) || !isDecodeError(err)):
			t.Errorf("%s: error %v, want a decode error wrapping ErrNotAsked", tc.name, err)
		}
	}
}

func isDecodeError(err error) bool {
	var de *githubapi.DecodeError
	return errors.As(err, &de)
}

// A month's summary, premium-request or AI-credit answer whose timePeriod
// is another month, the whole year or one day was not the answer asked for.
func TestMonthAnswersForAnotherPeriodAreRefused(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ctx := context.Background()
	march := githubapi.Period{Year: 2026, Month: time.March}
	org := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	calls := []struct {
		name, path, file string
		call             func() error
	}{
		{"summary", "/organizations/acme-web/settings/billing/usage/summary", "org-usage-summary.json",
			func() error { _, err := client.UsageSummary(ctx, org, march); return err }},
		{"premium", "/organizations/acme-web/settings/billing/premium_request/usage", "org-premium-request-usage.json",
			func() error { _, err := client.PremiumRequestUsage(ctx, org, march); return err }},
		{"ai credits", "/organizations/acme-web/settings/billing/ai_credit/usage", "org-ai-credit-usage.json",
			func() error { _, err := client.AICreditUsage(ctx, org, march, githubapi.AICreditFilter{}); return err }},
		{"ai credits of a user", "/organizations/acme-web/settings/billing/ai_credit/usage", "org-ai-credit-usage.json",
			func() error {
				_, err := client.AICreditUsage(ctx, org, march, githubapi.AICreditFilter{User: "mona"})
				return err
			}},
	}
	for _, c := range calls {
		for _, tc := range []struct {
			period map[string]any
			ok     bool
		}{
			{map[string]any{"year": 2026, "month": 3}, true},
			{map[string]any{"year": 2026, "month": 2}, false},
			{map[string]any{"year": 2025, "month": 3}, false},
			// The month is optional in the schema and GitHub's examples
			// echo the year alone: no month says nothing against March.
			{map[string]any{"year": 2026}, true},
			{map[string]any{"year": 2026, "month": 3, "day": 16}, false},
		} {
			body := exampleWith(t, c.file, func(doc map[string]any) {
				doc["timePeriod"] = tc.period
				if c.name == "ai credits of a user" {
					doc["user"] = "mona"
				}
			})
			srv.Override(c.path, fakegithubtest.ServeString(body))
			err := c.call()
			if tc.ok && err != nil || !tc.ok && (!notAsked(err) || !isDecodeError(err)) {
				t.Errorf("%s, timePeriod %v: error %v, want ok=%v", c.name, tc.period, err, tc.ok)
			}
		}
	}
}

// An AI-credit answer must echo the filter asked for, and an answer to an
// unfiltered request must echo none: a GitHub that ignored ?user= would
// answer the whole account, which the per-user view would count once per
// user.
func TestAICreditAnswersThatIgnoreTheFilterAreRefused(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	ctx := context.Background()
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	const path = "/enterprises/acme/settings/billing/ai_credit/usage"
	byUser := githubapi.AICreditFilter{User: "Mona"}
	byCenter := githubapi.AICreditFilter{CostCenterID: "cc-1"}
	none := githubapi.AICreditFilter{CostCenterID: "none"}
	for _, tc := range []struct {
		name   string
		filter githubapi.AICreditFilter
		echo   map[string]any
		ok     bool
	}{
		{"user echoed", byUser, map[string]any{"user": "mona"}, true},
		// The echoes are optional (API.md §5.3) and GitHub's examples send
		// none: a missing echo proves nothing and is accepted.
		{"user not echoed", byUser, nil, true},
		{"another user", byUser, map[string]any{"user": "hubot"}, false},
		{"cost center echoed", byCenter, map[string]any{"costCenter": map[string]any{"id": "cc-1", "name": "Platform"}}, true},
		{"cost center not echoed", byCenter, nil, true},
		{"another cost center", byCenter, map[string]any{"costCenter": map[string]any{"id": "cc-2", "name": "Data"}}, false},
		{"no cost center", none, nil, true},
		{"no cost center, one echoed", none, map[string]any{"costCenter": map[string]any{"id": "cc-2", "name": "Data"}}, false},
		{"unfiltered", githubapi.AICreditFilter{}, nil, true},
		{"unfiltered, a user echoed", githubapi.AICreditFilter{}, map[string]any{"user": "mona"}, false},
		{"unfiltered, a cost center echoed", githubapi.AICreditFilter{}, map[string]any{"costCenter": map[string]any{"id": "cc-2", "name": "Data"}}, false},
		{"unfiltered, a model echoed", githubapi.AICreditFilter{}, map[string]any{"model": "GPT-5"}, false},
	} {
		body := exampleWith(t, "enterprise-ai-credit-usage.json", func(doc map[string]any) {
			doc["timePeriod"] = map[string]any{"year": 2026, "month": 3}
			maps.Copy(doc, tc.echo)
		})
		srv.Override(path, fakegithubtest.ServeString(body))
		_, err := client.AICreditUsage(ctx, ent, githubapi.Period{Year: 2026, Month: time.March}, tc.filter)
		if tc.ok && err != nil || !tc.ok && (!notAsked(err) || !isDecodeError(err)) {
			t.Errorf("%s: error %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// notAsked says whether err says the answer holds what was not asked for.
func notAsked(err error) bool { return err != nil && errors.Is(err, githubapi.ErrNotAsked) }
