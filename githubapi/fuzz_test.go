package githubapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
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
// in every `go test`. Longer: `make fuzz FUZZTIME=5m` (README, Fuzzing).

// fuzzMaxBody caps answers in the fuzz client, so that the cap's error path
// is reachable too.
const fuzzMaxBody = 64 << 10

// fuzzServer answers every request with the current body.
type fuzzServer struct {
	mu       sync.Mutex // held for one fuzz input: set the body, call, check
	body     []byte
	requests int // answered so far; guarded by mu
	srv      *httptest.Server
	now      time.Time
}

func newFuzzServer(f *testing.F) (*fuzzServer, *githubapi.Client) {
	f.Helper()
	s := &fuzzServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		s.requests++ // the client calls while run holds mu
		w.Header().Set("Content-Type", "application/json")
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

// checkDecoded holds for every decoder: an answer it cannot read is a
// *DecodeError (or a cap error), never a panic or a nil value without error;
// a body encoding/json reads into want must be read by the client as well.
func checkDecoded(t *testing.T, body []byte, gotNil bool, err error, want any) {
	t.Helper()
	if err == nil {
		if gotNil {
			t.Fatalf("%q: nil value and no error", body)
		}
		return
	}
	var de *githubapi.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("%q: error %v (%T) is not a *DecodeError", body, err, err)
	}
	if len(body) <= fuzzMaxBody && want != nil && json.Unmarshal(body, want) == nil {
		t.Fatalf("%q: encoding/json reads it, the client says %v", body, err)
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
		present := false
		for k, v := range fields {
			present = present || (strings.EqualFold(k, name) && v != nil)
		}
		if !present {
			missing = append(missing, name)
		}
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
			v, err := c.UsageSummary(ctx, fuzzOrg, 2026, time.March)
			checkDecoded(t, body, v == nil, err, &githubapi.UsageSummary{})
		})
	})
}

// Premium requests and AI credits share the report type; both endpoints
// are read.
func FuzzModelUsage(f *testing.F) {
	addSeeds(f, "-premium-request-usage.json", "-ai-credit-usage.json")
	s, c := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		s.run(body, func(ctx context.Context) {
			v, err := c.PremiumRequestUsage(ctx, fuzzOrg, 2026, time.March)
			checkDecoded(t, body, v == nil, err, &githubapi.ModelUsageReport{})
			v, err = c.AICreditUsage(ctx, fuzzEnterprise, 2026, time.March)
			checkDecoded(t, body, v == nil, err, &githubapi.ModelUsageReport{})
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
			if err == nil && v == nil {
				return // no budgets is a valid answer
			}
			checkDecoded(t, body, false, err, nil)
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
			checkDecoded(t, body, false, err, &want)
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
			checkDecoded(t, body, false, err, &want)
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
			checkDecoded(t, body, v == nil, err, &githubapi.CopilotBilling{})
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
				checkDecoded(t, body, v == nil, err, &want)
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
