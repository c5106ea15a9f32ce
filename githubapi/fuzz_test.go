package githubapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The fuzz targets serve the fuzz input as the body of a 200 answer from an
// in-process server and read it through the real client: whatever GitHub
// sends, a decoder returns a value or an error and never panics. Seeds are
// the shared examples (testdata/examples) and a few broken bodies; they run
// in every `go test`. Longer: `make fuzz FUZZTIME=5m` (docs/development.md, Fuzzing).

// fuzzMaxBody caps answers in the fuzz client, so that the cap's error path
// is reachable too.
const fuzzMaxBody = 64 << 10

// fuzzServer answers every request with the current body (and, for the
// error-answer target, status code and headers).
type fuzzServer struct {
	mu       sync.Mutex // held for one fuzz input: set the body, call, check
	body     []byte
	status   int         // 0 means 200
	header   http.Header // added to the answer
	requests int         // answered so far; guarded by mu
	srv      *httptest.Server
	now      time.Time
}

func newFuzzServer(f *testing.F) (*fuzzServer, *githubapi.Client) {
	f.Helper()
	s := &fuzzServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.requests++ // the client calls while run holds mu
		w.Header().Set("Content-Type", "application/json")
		maps.Copy(w.Header(), s.header)
		if s.status != 0 {
			w.WriteHeader(s.status)
		}
		w.Write(s.body) //nolint:errcheck // the client may stop reading
	}))
	f.Cleanup(s.srv.Close)
	c, err := githubapi.New(githubapi.Options{
		BaseURL:          s.srv.URL,
		HTTPClient:       s.srv.Client(),
		MaxResponseBytes: fuzzMaxBody,
		ETagCacheBytes:   -1,
		Retries:          githubapi.RetryPolicy{Max: 0, Base: time.Millisecond},
		// An hour passes between inputs, so an answer the client shares
		// within a refresh round (the cost-center list) is asked for anew.
		Now: func() time.Time { return s.now },
	})
	if err != nil {
		f.Fatal(err)
	}
	return s, c
}

// run serves body while call reads it.
func (s *fuzzServer) run(body []byte, call func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.body = body
	s.now = s.now.Add(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	call(ctx)
}

// addSeeds adds the examples whose names contain any of names, and broken
// bodies every decoder must refuse or accept without panicking.
func addSeeds(f *testing.F, names ...string) {
	f.Helper()
	files, err := filepath.Glob("testdata/examples/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no examples under testdata/examples: %v", err)
	}
	n := 0
	for _, file := range files {
		for _, name := range names {
			if strings.Contains(filepath.Base(file), name) {
				body, err := os.ReadFile(file)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(body)
				n++
				break
			}
		}
	}
	if n == 0 {
		f.Fatalf("no example matches %q", names)
	}
	for _, body := range []string{"", "null", "{}", "[]", "{", `{"a":`, `"text"`, "1e999", `{"usageItems":[{"grossAmount":"1"}]}`,
		`{"total_minutes_used": true}`, `{"budgets":[{"budget_product_sku":{"a":1}}],"has_next_page":false}`, "\xff\xfe{}"} {
		f.Add([]byte(body))
	}
}

// checkRequired holds for the decoders of answers with required fields
// (the legacy ones and GHAS): the client agrees with encoding/json reading
// the first JSON value into want, except that an answer lacking a required
// field, or having it null, is a *DecodeError wrapping a
// *githubapi.MissingFieldError that names exactly those fields.
func checkRequired(t *testing.T, body []byte, gotNil bool, err error, want any, required ...string) {
	t.Helper()
	var de *githubapi.DecodeError
	if err != nil && !errors.As(err, &de) {
		t.Fatalf("%q: error %v (%T) is not a *DecodeError", body, err, err)
	}
	if err == nil && gotNil {
		t.Fatalf("%q: nil value and no error", body)
	}
	if len(body) > fuzzMaxBody {
		return // the client stops at its cap, encoding/json has none
	}
	if json.NewDecoder(bytes.NewReader(body)).Decode(want) != nil {
		if err == nil {
			t.Fatalf("%q: encoding/json refuses it, the client reads it", body)
		}
		return
	}
	var fields map[string]any
	if json.NewDecoder(bytes.NewReader(body)).Decode(&fields) != nil {
		t.Fatalf("%q: decodes into %T but not into a map", body, want)
	}
	var missing []string
	for _, name := range required {
		missing = append(missing, fuzzMissing(fields, name)...)
	}
	var mf *githubapi.MissingFieldError
	switch {
	case len(missing) == 0 && err != nil:
		t.Fatalf("%q: has every required field, the client says %v", body, err)
	case len(missing) > 0 && !errors.As(err, &mf):
		t.Fatalf("%q: lacks %q, the client says %v", body, missing, err)
	case len(missing) > 0 && !slices.Equal(mf.Fields, missing):
		t.Fatalf("%q: lacks %q, the client names %q", body, missing, mf.Fields)
	}
}

// fuzzMissing is the test's own reading of a required name: "a|b" wants
// either field, "list[].name" wants name in each element of list (an absent
// list is reported under its own name).
func fuzzMissing(fields map[string]any, name string) []string {
	get := func(m map[string]any, n string) any {
		for k, v := range m {
			if strings.EqualFold(k, n) && v != nil {
				return v
			}
		}
		return nil
	}
	if list, field, ok := strings.Cut(name, "[]."); ok {
		items, _ := get(fields, list).([]any)
		for i, it := range items {
			m, _ := it.(map[string]any)
			found := false
			for alt := range strings.SplitSeq(field, "|") {
				found = found || get(m, alt) != nil
			}
			if !found {
				return []string{fmt.Sprintf("%s[%d].%s", list, i, field)} // the first one only
			}
		}
		return nil
	}
	for alt := range strings.SplitSeq(name, "|") {
		if get(fields, alt) != nil {
			return nil
		}
	}
	return []string{name}
}

// The required fields of API.md §14: summaries, budgets, cost centers,
// report exports, Copilot.
var (
	summaryRowFields = []string{"usageItems[].grossQuantity", "usageItems[].grossAmount", "usageItems[].discountQuantity",
		"usageItems[].discountAmount", "usageItems[].netQuantity", "usageItems[].netAmount"}
	summaryFields           = append([]string{"timePeriod", "usageItems"}, summaryRowFields...)
	enterpriseSummaryFields = append([]string{"timePeriod", "usageItems", "enterprise"}, summaryRowFields...)
	budgetFields            = []string{"budgets", "budgets[].id", "budgets[].budget_type", "budgets[].budget_product_sku|budget_product_skus",
		"budgets[].budget_scope", "budgets[].budget_amount", "budgets[].prevent_further_usage", "budgets[].budget_alerting"}
	costCenterFields   = []string{"costCenters", "costCenters[].id", "costCenters[].name", "costCenters[].resources"}
	reportExportFields = []string{"usage_report_exports", "usage_report_exports[].id", "usage_report_exports[].report_type",
		"usage_report_exports[].start_date", "usage_report_exports[].end_date", "usage_report_exports[].status"}
	copilotBillingFields = []string{"seat_breakdown", "public_code_suggestions", "seat_management_setting"}
	copilotSeatsFields   = []string{"total_seats", "seats"}
)

// The required fields of API.md §4.1-4.3 and §4.5.
var (
	actionsFields          = []string{"total_minutes_used", "total_paid_minutes_used", "included_minutes", "minutes_used_breakdown"}
	packagesFields         = []string{"total_gigabytes_bandwidth_used", "total_paid_gigabytes_bandwidth_used", "included_gigabytes_bandwidth"}
	sharedStorageFields    = []string{"days_left_in_billing_cycle", "estimated_paid_storage_for_month", "estimated_storage_for_month"}
	advancedSecurityFields = []string{"repositories"}
)

var (
	fuzzOrg        = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	fuzzEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
)

func FuzzActionsBilling(f *testing.F) {
	addSeeds(f, "-actions.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.ActionsBilling(ctx, fuzzOrg)
			checkRequired(t, body, v == nil, err, &githubapi.ActionsBilling{}, actionsFields...)
		})
	})
}

func FuzzPackagesBilling(f *testing.F) {
	addSeeds(f, "-packages.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.PackagesBilling(ctx, fuzzOrg)
			checkRequired(t, body, v == nil, err, &githubapi.PackagesBilling{}, packagesFields...)
		})
	})
}

func FuzzSharedStorageBilling(f *testing.F) {
	addSeeds(f, "-shared-storage.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.SharedStorageBilling(ctx, fuzzOrg)
			checkRequired(t, body, v == nil, err, &githubapi.SharedStorageBilling{}, sharedStorageFields...)
		})
	})
}

// The fuzz server sends no Link header, so one page is read.
func FuzzAdvancedSecurityCommitters(f *testing.F) {
	addSeeds(f, "-advanced-security.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.AdvancedSecurityCommitters(ctx, fuzzEnterprise)
			checkRequired(t, body, v == nil, err, &githubapi.AdvancedSecurityCommitters{}, advancedSecurityFields...)
		})
	})
}

func FuzzUsageSummary(f *testing.F) {
	addSeeds(f, "-usage-summary.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.UsageSummary(ctx, fuzzOrg, githubapi.Period{Year: 2026, Month: time.March})
			checkSummary(t, body, v == nil, err, fuzzOrg, &githubapi.UsageSummary{}, summaryFields...)
		})
	})
}

// checkSummary is checkRequired for a summary-like answer to an
// unfiltered request for March 2026, which the client also refuses when the
// answer's timePeriod is another or it echoes a filter.
func checkSummary(t *testing.T, body []byte, gotNil bool, err error, a githubapi.Account, want any, required ...string) {
	t.Helper()
	if !errors.Is(err, githubapi.ErrNotAsked) {
		checkRequired(t, body, gotNil, err, want, required...)
		return
	}
	var echo struct {
		TimePeriod                                    githubapi.SummaryTimePeriod
		Repository, Product, SKU, Model, Organization string
		User                                          string
		CostCenter                                    *githubapi.SummaryCostCenter
	}
	if json.Unmarshal(body, &echo) != nil {
		t.Fatalf("%q: not JSON, the client says %v", body, err)
	}
	if a.Scope != githubapi.ScopeEnterprise {
		echo.Organization = "" // the account key
	}
	if echo.TimePeriod == (githubapi.SummaryTimePeriod{Year: 2026, Month: 3}) && echo.Repository+echo.Product+echo.SKU+echo.Model+echo.Organization+echo.User == "" &&
		(echo.CostCenter == nil || echo.CostCenter.ID == "") {
		t.Fatalf("%q: is for March 2026 and unfiltered, the client says %v", body, err)
	}
}

// Premium requests and AI credits share the report type; both endpoints
// are read.
func FuzzModelUsage(f *testing.F) {
	addSeeds(f, "-premium-request-usage.json", "-ai-credit-usage.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.PremiumRequestUsage(ctx, fuzzOrg, githubapi.Period{Year: 2026, Month: time.March})
			checkSummary(t, body, v == nil, err, fuzzOrg, &githubapi.ModelUsageReport{}, summaryFields...)
			v, err = c.AICreditUsage(ctx, fuzzEnterprise, githubapi.Period{Year: 2026, Month: time.March}, githubapi.AICreditFilter{})
			checkSummary(t, body, v == nil, err, fuzzEnterprise, &githubapi.ModelUsageReport{}, enterpriseSummaryFields...)
		})
	})
}

// Budgets page by has_next_page; every page is the same body here, so a
// body that claims a next page ends in the client's give-up error.
func FuzzBudgets(f *testing.F) {
	addSeeds(f, "budgets-list", "budget-get")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.Budgets(ctx, fuzzOrg)
			if err != nil && strings.Contains(err.Error(), "has_next_page") {
				return
			}
			var want struct {
				Budgets     []githubapi.Budget `json:"budgets"`
				HasNextPage bool               `json:"has_next_page"`
			}
			if json.Unmarshal(body, &want) == nil && want.HasNextPage && len(want.Budgets) == 0 {
				return // refused for never ending, before or after its fields are checked
			}
			// An empty list is a valid answer: no budgets.
			checkRequired(t, body, false, err, &want, budgetFields...)
			_ = v
		})
	})
}

func FuzzCostCenters(f *testing.F) {
	addSeeds(f, "cost-centers-list", "cost-center-get")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			before := s.requests
			_, err := c.CostCenters(ctx, fuzzEnterprise)
			if s.requests != before+1 {
				t.Fatalf("%d requests for this input, want 1: an earlier input's answer was reused", s.requests-before)
			}
			var want struct {
				CostCenters []githubapi.CostCenter `json:"costCenters"`
			}
			checkRequired(t, body, false, err, &want, costCenterFields...)
		})
	})
}

func FuzzUsageReportExports(f *testing.F) {
	addSeeds(f, "usage-reports-list", "usage-report-get")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			exports, err := c.UsageReportExports(ctx, fuzzEnterprise)
			var want struct {
				Exports []githubapi.UsageReportExport `json:"usage_report_exports"`
			}
			checkRequired(t, body, false, err, &want, reportExportFields...)
			for _, e := range exports {
				e.Created() // any created_at, however odd, parses or is skipped
			}
		})
	})
}

func FuzzCopilotBilling(f *testing.F) {
	addSeeds(f, "copilot-billing")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.CopilotBilling(ctx, fuzzOrg)
			checkRequired(t, body, v == nil, err, &githubapi.CopilotBilling{}, copilotBillingFields...)
		})
	})
}

// The seat total is read alone; an answer without total_seats (absent or
// null) is a *DecodeError naming it, anything else encoding/json reads is a
// total.
func FuzzCopilotSeatTotal(f *testing.F) {
	addSeeds(f, "copilot-seats")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			for _, a := range []githubapi.Account{fuzzOrg, fuzzEnterprise} {
				total, err := c.CopilotSeatTotal(ctx, a)
				var want struct {
					TotalSeats float64 `json:"total_seats"`
				}
				checkRequired(t, body, false, err, &want, "total_seats")
				if err == nil && total != want.TotalSeats {
					t.Fatalf("%q: total_seats %v, the client says %v", body, want.TotalSeats, total)
				}
			}
		})
	})
}

func FuzzCopilotSeats(f *testing.F) {
	addSeeds(f, "copilot-seats")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			for _, a := range []githubapi.Account{fuzzOrg, fuzzEnterprise} {
				v, err := c.CopilotSeats(ctx, a)
				var want struct {
					TotalSeats float64                 `json:"total_seats"`
					Seats      []githubapi.CopilotSeat `json:"seats"`
				}
				checkRequired(t, body, v == nil, err, &want, copilotSeatsFields...)
			}
		})
	})
}

// NextPageURL returns "" or a target that stood between < and > in the
// header.
func FuzzNextPageURL(f *testing.F) {
	for _, h := range []string{
		`<https://api.github.com/orgs/acme/settings/billing/advanced-security?page=2&per_page=100>; rel="next", <https://api.github.com/orgs/acme/settings/billing/advanced-security?page=3&per_page=100>; rel="last"`,
		`<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"`,
		`<?page=2>; rel=next`,
		`<a>; title="a; rel=next, b"; rel="prev", <b>; rel="next last"`,
		`<a>; rel="NEXT"`, `<a`, `>`, `<>; rel=next`, `, , <a>;;rel=next`, `<a>; title="\"; rel=next`, "<<>rel=neXt", "",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		next := githubapi.NextPageURL(header)
		if next == "" {
			return
		}
		if !strings.Contains(header, "<"+next+">") {
			t.Fatalf("NextPageURL(%q) = %q, not a <target> of the header", header, next)
		}
		if strings.Contains(next, ">") {
			t.Fatalf("NextPageURL(%q) = %q runs past the closing >", header, next)
		}
	})
}

// rateLimitObserver keeps the rate-limit readings.
type rateLimitObserver struct{ readings []githubapi.RateLimit }

func (*rateLimitObserver) ObserveRequest(string, int, time.Duration) {}
func (o *rateLimitObserver) ObserveRateLimit(_ string, rl githubapi.RateLimit) {
	o.readings = append(o.readings, rl)
}

// headerValue keeps the printable ASCII of v without spaces, so the server
// sends it and the client receives it unchanged.
func headerValue(v string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r <= '~' {
			return r
		}
		return -1
	}, v)
}

// FuzzErrorAnswer reads GitHub's error answers through the client: the
// body's message, the rate-limit headers and Retry-After of any 4xx or 5xx.
// The answer is an *APIError with GitHub's status and message; it is a rate
// limit exactly when GitHub's rules say so, and then blocks the next call
// without a request unless Retry-After says to go on at once; the rate-limit
// readings are finite and not negative.
func FuzzErrorAnswer(f *testing.F) {
	retired, err := os.ReadFile("testdata/examples/legacy-retired-410.observed.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []struct {
		code                                uint16
		body                                string
		limit, remaining, reset, retryAfter string
	}{
		{410, string(retired), "5000", "4990", "1800000000", ""},
		{403, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`, "5000", "0", "1800003600", ""},
		{403, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`, "5000", "4000", "1800003600", "60"},
		{429, `{"message":"Too Many Requests"}`, "", "", "", "Wed, 21 Oct 2026 07:28:00 GMT"},
		{403, `{"message":"Resource not accessible by personal access token"}`, "5000", "4999", "1800003600", ""},
		{401, `{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}`, "60", "59", "x", ""},
		{404, `{"message":"Not Found"}`, "NaN", "-1", "-5", "0"},
		{500, ``, "1e400", "Inf", "99999999999999999999", "-3"},
		{502, `<html>Bad gateway</html>`, "5000", "0", "", "999999999999"},
		{422, `{"message":7,"documentation_url":null}`, "0x10", "1_0", "", "soon"},
	} {
		f.Add(seed.code, []byte(seed.body), seed.limit, seed.remaining, seed.reset, seed.retryAfter)
	}
	s, _ := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, code uint16, body []byte, limit, remaining, reset, retryAfter string) {
		status := 400 + int(code)%200
		h := http.Header{}
		for k, v := range map[string]string{"X-Ratelimit-Limit": limit, "X-Ratelimit-Remaining": remaining,
			"X-Ratelimit-Reset": reset, "Retry-After": retryAfter} {
			if v = headerValue(v); v != "" {
				h.Set(k, v)
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.body, s.status, s.header = body, status, h
		defer func() { s.status, s.header = 0, nil }()
		s.now = s.now.Add(time.Hour)
		now := time.Unix(1_800_000_000, 0).Add(s.now.Sub(time.Time{}) % (24 * time.Hour))
		obs := &rateLimitObserver{}
		// A fresh client: the last input's rate limit must not block this one.
		c, err := githubapi.New(githubapi.Options{
			BaseURL: s.srv.URL, HTTPClient: s.srv.Client(), Observer: obs, ETagCacheBytes: -1,
			Retries: githubapi.RetryPolicy{Max: 0, Base: time.Millisecond},
			Now:     func() time.Time { return now },
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		before := s.requests
		_, err = c.ActionsBilling(ctx, fuzzOrg)
		var apiErr *githubapi.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("status %d: error %v (%T), want an *APIError", status, err, err)
		}
		_ = err.Error()
		if apiErr.StatusCode != status || s.requests != before+1 {
			t.Fatalf("status %d: StatusCode %d after %d requests", status, apiErr.StatusCode, s.requests-before)
		}
		var want struct {
			Message          string `json:"message"`
			DocumentationURL string `json:"documentation_url"`
		}
		if json.Unmarshal(body[:min(len(body), 64<<10)], &want) != nil {
			want.Message, want.DocumentationURL = "", ""
		}
		if apiErr.Message != want.Message || apiErr.DocumentationURL != want.DocumentationURL {
			t.Fatalf("%q: message %q, documentation %q; want %q, %q", body, apiErr.Message, apiErr.DocumentationURL, want.Message, want.DocumentationURL)
		}
		limited := status == http.StatusTooManyRequests || status == http.StatusForbidden &&
			(h.Get("X-Ratelimit-Remaining") == "0" || h.Get("Retry-After") != "" ||
				strings.Contains(strings.ToLower(want.Message), "rate limit"))
		if apiErr.RateLimited != limited || errors.Is(err, githubapi.ErrRateLimited) != limited {
			t.Fatalf("status %d, headers %v, message %q: rate limited %v, want %v", status, h, want.Message, apiErr.RateLimited, limited)
		}
		if errors.Is(err, githubapi.ErrForbidden) != (status == http.StatusForbidden && !limited) {
			t.Fatalf("status %d, rate limited %v: matches ErrForbidden %v", status, limited, errors.Is(err, githubapi.ErrForbidden))
		}
		for _, rl := range obs.readings {
			for _, v := range []float64{rl.Limit, rl.Remaining, rl.Used} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
					t.Fatalf("headers %v: reading %+v", h, rl)
				}
			}
		}
		if isCount(h.Get("X-Ratelimit-Limit")) && isCount(h.Get("X-Ratelimit-Remaining")) && len(obs.readings) != 1 {
			t.Fatalf("headers %v: %d readings, want 1", h, len(obs.readings))
		}

		before = s.requests
		_, err = c.ActionsBilling(ctx, fuzzOrg)
		var rle *githubapi.RateLimitError
		blocked := errors.As(err, &rle)
		if blocked && (s.requests != before || !rle.Until.After(now)) {
			t.Fatalf("blocked until %s (now %s) after %d requests", rle.Until, now, s.requests-before)
		}
		// Blocked for certain: no Retry-After (a primary limit waits for the
		// reset, a secondary one at least a minute), or Retry-After seconds
		// within a day. Retry-After 0 or a past date means go on.
		secs, atoiErr := strconv.Atoi(h.Get("Retry-After"))
		mustBlock := limited && (h.Get("Retry-After") == "" || atoiErr == nil && secs > 0 && secs <= 86400)
		if !limited && blocked || mustBlock && !blocked {
			t.Fatalf("status %d, headers %v, rate limited %v: next call %v", status, h, limited, err)
		}
	})
}

// isCount says whether v is a plain decimal count, as GitHub sends them.
func isCount(v string) bool {
	if v == "" || len(v) > 15 {
		return false
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
