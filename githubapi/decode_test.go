package githubapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var testEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}

// serveBody answers every request with body, with its Content-Length.
func serveBody(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func plainClient(t *testing.T, url string, maxBytes int64) *githubapi.Client {
	t.Helper()
	c, err := githubapi.New(githubapi.Options{
		BaseURL:          url,
		HTTPClient:       &http.Client{Transport: &githubapi.TokenTransport{Token: "t", Base: http.DefaultTransport}},
		MaxResponseBytes: maxBytes,
		ETagCacheBytes:   -1,
		Retries:          githubapi.RetryPolicy{Max: 1, Base: 1, Cap: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// costCenterList is an enterprise's cost-center list in GitHub's shape:
// centers cost centers with repos repositories each, in random order.
func costCenterList(centers, repos int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString(`{"costCenters":[`)
	for i, c := range r.Perm(centers) {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%08x-3ad4-4c41-8e3b-%012x","name":"Cost center %d","state":"active","resources":[`, r.Uint32(), r.Uint64()&0xffffffffffff, c)
		for j := range repos {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"type":"Repo","name":"org-%03d/service-%x"}`, r.IntN(200), r.Uint64()&0xffffff)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// allocated is the memory allocated by f.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// An answer decoded whole costs the body once, plus what the
// decoded value costs. The floor, measured in the same run, is
// encoding/json decoding the same bytes, already in memory, into the same
// type; the client may add one buffer of the body's size for reading it
// and little else (it adds about 1.0×; a json.Decoder, a RawMessage copy
// and a map of RawMessages to look for required fields would cost 9.4×).
func TestDocumentAnswerIsHeldOnce(t *testing.T) {
	body := costCenterList(2000, 50) // 100,000 repositories, about 5.9 MB
	c := plainClient(t, serveBody(t, body).URL, 0)
	var floorList struct {
		CostCenters []githubapi.CostCenter `json:"costCenters"`
	}
	floor := allocated(func() {
		if err := jsonUnmarshal(body, &floorList); err != nil {
			t.Fatal(err)
		}
	})
	var got []githubapi.CostCenter
	client := allocated(func() {
		var err error
		if got, err = c.CostCenters(context.Background(), testEnterprise); err != nil {
			t.Fatal(err)
		}
	})
	if len(got) != 2000 || len(got[0].Resources) != 50 {
		t.Fatalf("%d cost centers, want 2000 of 50 resources", len(got))
	}
	extra := float64(client) - float64(floor)
	t.Logf("body %.1f MB; floor %.1f MB; client %.1f MB (%.2f× the body above the floor)",
		float64(len(body))/1e6, float64(floor)/1e6, float64(client)/1e6, extra/float64(len(body)))
	if extra > 1.5*float64(len(body)) && !raceEnabled {
		t.Errorf("the client allocated %.2f× the body above encoding/json's floor, want at most 1.5×", extra/float64(len(body)))
	}
}

// Each endpoint has a cap that fits what GitHub sends. A JSON
// document decoded whole is refused past 32 MiB, however large
// --github.max-response-bytes is; a usage report, streamed, is not.
func TestDocumentAnswersAreCappedUsageIsNot(t *testing.T) {
	const cap32 = 32 << 20
	big := costCenterList(6000, 120) // about 35 MB
	if len(big) <= cap32 {
		t.Fatalf("the list is %d bytes, want more than %d", len(big), cap32)
	}
	c := plainClient(t, serveBody(t, big).URL, 2<<30)
	_, err := c.CostCenters(context.Background(), testEnterprise)
	var tl *githubapi.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != cap32 {
		t.Fatalf("err = %v, want a TooLargeError at %d bytes", err, cap32)
	}

	// 40 MB of usage rows: streamed, so only --github.max-response-bytes
	// applies.
	var b strings.Builder
	b.WriteString(`{"usageItems":[`)
	const rows = 160000
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"date":"2026-12-01T00:00:00Z","product":"actions","sku":"actions_linux","quantity":1,"unitType":"minutes","pricePerUnit":0.006,"grossAmount":0.006,"discountAmount":0,"netAmount":0.006,"organizationName":"org-%03d","repositoryName":"org/repo-%06d","costCenterName":""}`, i%200, i)
	}
	b.WriteString(`]}`)
	usage := []byte(b.String())
	if len(usage) <= cap32 {
		t.Fatalf("the report is %d bytes, want more than %d", len(usage), cap32)
	}
	c = plainClient(t, serveBody(t, usage).URL, 2<<30)
	n := 0
	err = c.Usage(context.Background(), testEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: 12}}, func(*githubapi.UsageItem) error { n++; return nil })
	if err != nil || n != rows {
		t.Fatalf("usage: %d rows, err %v; want %d rows", n, err, rows)
	}
}

// A body with data after its JSON document, or one that ends
// before its Content-Length, is refused, not read as its first value.
func TestDocumentTrailingDataAndShortBodyAreRefused(t *testing.T) {
	document := func(r *http.Request) string {
		if strings.HasSuffix(r.URL.Path, "/usage") {
			return `{"usageItems":[{"date":"2026-12-01T00:00:00Z","product":"actions","sku":"actions_linux","quantity":1,"unitType":"minutes","pricePerUnit":0.006,"grossAmount":0.006,"discountAmount":0,"netAmount":0.006}]}`
		}
		return `{"total_seats_consumed": 10, "total_seats_purchased": 20}`
	}
	// The documents alone are accepted.
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, document(r)) }))
	t.Cleanup(good.Close)
	gc := plainClient(t, good.URL, 0)
	if _, err := gc.ConsumedLicenses(context.Background(), testEnterprise); err != nil {
		t.Fatal(err)
	}
	if err := gc.Usage(context.Background(), testEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: 12}}, func(*githubapi.UsageItem) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for name, handler := range map[string]http.HandlerFunc{
		"trailing data": func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, document(r)+` {"total_seats_consumed": 99, "usageItems": []}`)
		},
		"short body": func(w http.ResponseWriter, r *http.Request) {
			body := document(r)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)+40))
			fmt.Fprint(w, body)
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(handler)
			t.Cleanup(srv.Close)
			c := plainClient(t, srv.URL, 0)
			got, err := c.ConsumedLicenses(context.Background(), testEnterprise)
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			// The usage report, streamed, is held to the same rule.
			if uerr := c.Usage(context.Background(), testEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: 12}}, func(*githubapi.UsageItem) error { return nil }); uerr == nil {
				t.Error("usage: accepted")
			}
			if _, ok := errors.AsType[*githubapi.DecodeError](err); !ok {
				t.Errorf("err = %v (%T), want a DecodeError", err, err)
			}
		})
	}
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
