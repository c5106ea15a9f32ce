package githubapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/benchdata"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

var (
	usageEnterprise = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme-corp"}
	usageOrg        = githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"}
	usageUser       = githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}
	usageNovember   = githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}}
)

// usageRows collects the rows of one Usage call.
func usageRows(c *githubapi.Client, a githubapi.Account, q githubapi.UsageQuery) ([]githubapi.UsageItem, error) {
	var rows []githubapi.UsageItem
	err := c.Usage(context.Background(), a, q, func(it *githubapi.UsageItem) error {
		rows = append(rows, *it)
		return nil
	})
	return rows, err
}

// The shared examples, served as files, decode to the rows they show.
func TestUsageExamples(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	c := fakegithubtest.Client(t, srv, githubapi.Options{})
	row := githubapi.UsageItem{
		Date: "2023-08-01", Product: "Actions", SKU: "Actions Linux", Quantity: 100, UnitType: "minutes",
		PricePerUnit: 0.008, GrossAmount: 0.8, DiscountAmount: 0, NetAmount: 0.8,
		OrganizationName: "GitHub", RepositoryName: "github/example",
	}
	userRow := row
	userRow.OrganizationName, userRow.RepositoryName = "", "user/example"
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		file    string
		want    githubapi.UsageItem
	}{
		{usageEnterprise, "/enterprises/acme-corp/settings/billing/usage", "enterprise-usage.json", row},
		{usageOrg, "/organizations/acme-web/settings/billing/usage", "org-usage.json", row},
		{usageUser, "/users/octocat/settings/billing/usage", "user-usage.json", userRow},
	} {
		srv.Override(tc.path, fakegithubtest.ServeFile(examplesDir+tc.file))
		// The examples' rows are of 1 August 2023: the month asked for.
		got, err := usageRows(c, tc.account, githubapi.UsageQuery{Period: githubapi.Period{Year: 2023, Month: time.August}})
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !reflect.DeepEqual(got, []githubapi.UsageItem{tc.want}) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.file, got, tc.want)
		}
	}
}

// Year and month are always sent; cost_center_id only when asked for.
func TestUsageQueryParameters(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	c := fakegithubtest.Client(t, srv, githubapi.Options{})
	var mu sync.Mutex
	var seen []string
	record := func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		io.WriteString(w, `{"usageItems":[]}`) //nolint:errcheck // test answer
	}
	for _, p := range []string{"/enterprises/acme-corp", "/organizations/acme-web", "/users/octocat"} {
		srv.Override(p+"/settings/billing/usage", record)
	}
	calls := []struct {
		a githubapi.Account
		q githubapi.UsageQuery
	}{
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}}},
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}, CostCenterID: "cc/1 x"}},
		{usageOrg, githubapi.UsageQuery{Period: githubapi.Period{Year: 2027, Month: time.January}}},
		{usageUser, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.December}}},
	}
	for _, call := range calls {
		if _, err := usageRows(c, call.a, call.q); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"/enterprises/acme-corp/settings/billing/usage?month=11&year=2026",
		"/enterprises/acme-corp/settings/billing/usage?cost_center_id=cc%2F1+x&month=11&year=2026",
		"/organizations/acme-web/settings/billing/usage?month=1&year=2027",
		"/users/octocat/settings/billing/usage?month=12&year=2026",
	}
	if !reflect.DeepEqual(seen, want) {
		t.Errorf("requests:\n got %q\nwant %q", seen, want)
	}
}

// A query without year or month, or with a cost center outside an
// enterprise, is refused before any request.
func TestUsageQueryValidation(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	c := fakegithubtest.Client(t, srv, githubapi.Options{})
	for _, tc := range []struct {
		a githubapi.Account
		q githubapi.UsageQuery
	}{
		{usageOrg, githubapi.UsageQuery{}},
		{usageOrg, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026}}},
		{usageOrg, githubapi.UsageQuery{Period: githubapi.Period{Month: time.March}}},
		{usageOrg, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: 13}}},
		{usageOrg, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.March}, CostCenterID: "cc"}},
		{usageUser, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.March}, CostCenterID: "cc"}},
	} {
		if _, err := usageRows(c, tc.a, tc.q); err == nil {
			t.Errorf("%v %+v: no error", tc.a, tc.q)
		}
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests, want none", n)
	}
}

// usageDataset has an enterprise with rows in two cost centers and none,
// in October and November, and an organization and a user.
func usageDataset() *fakegithub.Dataset {
	d := fakegithub.NewDataset()
	row := func(date, sku string, q float64) githubapi.UsageItem {
		return githubapi.UsageItem{Date: date, Product: "Actions", SKU: sku, Quantity: q, UnitType: "minutes",
			PricePerUnit: 0.5, GrossAmount: q / 2, NetAmount: q / 2, OrganizationName: "acme-web", RepositoryName: "acme-web/app"}
	}
	d.Enterprises["acme-corp"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{
		UsageData: fakegithub.UsageData{UsageItems: map[string][]githubapi.UsageItem{
			"":     {row("2026-10-31T00:00:00Z", "linux", 1), row("2026-11-01T00:00:00Z", "linux", 2), row("2026-11-02T00:00:00Z", "linux", 4)},
			"cc-a": {row("2026-11-03T00:00:00Z", "windows", 8)},
		}},
	}}
	d.Organizations["acme-web"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{
		UsageData: fakegithub.UsageData{UsageItems: map[string][]githubapi.UsageItem{"": {row("2026-11-05", "linux", 16)}}},
	}}
	d.Users["octocat"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	return d
}

// The fake answers like GitHub: one month, one cost center (the enterprise's
// unassigned usage without cost_center_id), and the whole year summed per
// month when the month is missing.
func TestUsageFake(t *testing.T) {
	srv := fakegithubtest.Start(t, usageDataset())
	c := fakegithubtest.Client(t, srv, githubapi.Options{})
	quantities := func(rows []githubapi.UsageItem) string {
		var parts []string
		for _, r := range rows {
			parts = append(parts, fmt.Sprintf("%s %s %g", r.Date, r.SKU, r.Quantity))
		}
		return strings.Join(parts, "; ")
	}
	for _, tc := range []struct {
		a    githubapi.Account
		q    githubapi.UsageQuery
		want string
	}{
		{usageEnterprise, usageNovember, "2026-11-01T00:00:00Z linux 2; 2026-11-02T00:00:00Z linux 4"},
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.October}}, "2026-10-31T00:00:00Z linux 1"},
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}, CostCenterID: "cc-a"}, "2026-11-03T00:00:00Z windows 8"},
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2026, Month: time.November}, CostCenterID: "cc-unknown"}, ""},
		{usageEnterprise, githubapi.UsageQuery{Period: githubapi.Period{Year: 2025, Month: time.November}}, ""},
		{usageOrg, usageNovember, "2026-11-05 linux 16"},
		{usageUser, usageNovember, ""},
	} {
		got, err := usageRows(c, tc.a, tc.q)
		if err != nil {
			t.Fatalf("%v %+v: %v", tc.a, tc.q, err)
		}
		if quantities(got) != tc.want {
			t.Errorf("%v %+v: got %q, want %q", tc.a, tc.q, quantities(got), tc.want)
		}
	}

	// Without month: the year, per month, dated the 1st.
	for _, tc := range []struct{ query, want string }{
		{"", `{"usageItems":[` +
			`{"date":"2026-10-01T00:00:00Z","product":"Actions","sku":"linux","quantity":1,"unitType":"minutes","pricePerUnit":0.5,"grossAmount":0.5,"discountAmount":0,"netAmount":0.5,"organizationName":"acme-web","repositoryName":"acme-web/app"},` +
			`{"date":"2026-11-01T00:00:00Z","product":"Actions","sku":"linux","quantity":6,"unitType":"minutes","pricePerUnit":0.5,"grossAmount":3,"discountAmount":0,"netAmount":3,"organizationName":"acme-web","repositoryName":"acme-web/app"}]}`},
		{"?year=2026&month=11&day=2", `{"usageItems":[` +
			`{"date":"2026-11-02T00:00:00Z","product":"Actions","sku":"linux","quantity":4,"unitType":"minutes","pricePerUnit":0.5,"grossAmount":2,"discountAmount":0,"netAmount":2,"organizationName":"acme-web","repositoryName":"acme-web/app"}]}`},
		{"?year=2024", `{"usageItems":[]}`},
	} {
		body, code := usageGet(t, srv.URL+"/enterprises/acme-corp/settings/billing/usage"+tc.query)
		if code != http.StatusOK || strings.TrimSpace(body) != tc.want {
			t.Errorf("%q: %d %s\nwant %s", tc.query, code, body, tc.want)
		}
	}

	for _, query := range []string{"?year=2026&month=13", "?year=2026&month=0", "?year=26x&month=1", "?year=2026&month=nov", "?year=2026&month=1&day=32"} {
		if _, code := usageGet(t, srv.URL+"/organizations/acme-web/settings/billing/usage"+query); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", query, code)
		}
	}
	if _, code := usageGet(t, srv.URL+"/organizations/nobody/settings/billing/usage?year=2026&month=1"); code != http.StatusNotFound {
		t.Errorf("unknown organization: %d, want 404", code)
	}
}

func usageGet(t *testing.T, rawURL string) (string, int) {
	t.Helper()
	resp, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body), resp.StatusCode
}

// usageReference decodes a report with encoding/json, the behaviour the
// streaming decoder must match. Null rows are dropped: they carry nothing.
func usageReference(body []byte) ([]githubapi.UsageItem, error) {
	var doc struct {
		UsageItems []*githubapi.UsageItem `json:"usageItems"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	var rows []githubapi.UsageItem
	for _, it := range doc.UsageItems {
		if it != nil {
			rows = append(rows, *it)
		}
	}
	return rows, nil
}

// usageReaders are the ways a body arrives: whole, a byte at a time (every
// token crosses a read), in halves, and with the last bytes carrying io.EOF.
var usageReaders = []struct {
	name string
	wrap func(io.Reader) io.Reader
}{
	{"whole", func(r io.Reader) io.Reader { return r }},
	{"one byte", iotest.OneByteReader},
	{"halves", iotest.HalfReader},
	{"data with EOF", iotest.DataErrReader},
}

func usageStream(body []byte, wrap func(io.Reader) io.Reader) ([]githubapi.UsageItem, error) {
	var rows []githubapi.UsageItem
	err := githubapi.DecodeUsageSyntax(wrap(bytes.NewReader(body)), func(it *githubapi.UsageItem) error {
		rows = append(rows, *it)
		return nil
	})
	return rows, err
}

const usageRichRow = `{"date":"2026-11-03T00:00:00Z","product":"Actions","sku":"actions_linux","quantity":12.5,` +
	`"unitType":"minutes","pricePerUnit":0.008,"grossAmount":0.1,"discountAmount":0.04,"netAmount":0.06,` +
	`"organizationName":"acme-web","repositoryName":"acme-web/storefront"}`

// usageValidBodies are well-formed reports, odd in every way GitHub might
// be: escapes, Unicode, invalid UTF-8, unknown fields of every type, white
// space, number forms, nulls, casing of field names.
var usageValidBodies = []string{
	`{"usageItems":[]}`,
	`{}`,
	`null`,
	`{"usageItems":null}`,
	" \r\n\t{ \"usageItems\" :\n[ ]\t} \n ",
	`{"usageItems":[` + usageRichRow + `]}`,
	`{"usageItems":[` + usageRichRow + `,` + usageRichRow + `]}`,
	`{"usageItems":[{}]}`,
	`{"usageItems":[null,` + usageRichRow + `,null]}`,
	`{"usageItems":[{"product":"A\"B\\C\/D\b\f\n\r\tE","sku":"\u00e9\u4E2D\ud83d\ude00","unitType":"\ud83d",` +
		`"organizationName":"\ude00x","repositoryName":"\ud83d\u0041\ud83dz\udbff\udfff"}]}`,
	"{\"usageItems\":[{\"product\":\"é中😀\",\"sku\":\"a\xffb\xfe\",\"unitType\":\"\xe4\xb8\",\"organizationName\":\"\xe4\xb8\\u00ac\",\"repositoryName\":\"\xc0\xaf\"}]}",
	`{"usageItems":[{"pro\u0064uct":"escaped key","\u0073ku":"x"}]}`,
	`{"usageItems":[{"PRODUCT":"upper","Sku":"mixed","UNITTYPE":"u","ORGANIZATIONNAME":"o","repositoryname":"r","QUANTITY":3,"Date":"d"}]}`,
	`{"UsageItems":[{"sku":"top-level key in other case"}]}`,
	`{"usageItems":[{"sku":"a","sku":"b","quantity":1,"quantity":2}]}`,
	`{"usageItems":[{"sku":"kept","sku":null,"quantity":7,"quantity":null,"product":null,"netAmount":null}]}`,
	`{"before":{"usageItems":[{"sku":"not a row"}]},"usageItems":[{"sku":"row","extra":{"a":[1,2,{"b":null}],"c":"}\"]","d":[[[]]],"e":{}}},` +
		`{"t":true,"f":false,"n":null,"num":-1.5e-10,"s":"\u0000\\","big":1e400,"arr":[{"x":[{"y":"z"}]},"]",[]],"sku":"second"}],"after":[1,"two",{"3":[4]}],"n":null}`,
	`{"usageItems":[{"quantity":0},{"quantity":-0},{"quantity":1e3},{"quantity":1E+3},{"quantity":1.5e-3},{"quantity":-123.456},` +
		`{"quantity":0.1},{"quantity":1e308},{"quantity":5e-324},{"quantity":123456789012345678901234567890},{"quantity":0.30000000000000004},` +
		`{"quantity":9007199254740993},{"quantity":9007199254740992},{"quantity":1e-400},{"quantity":0.000000000000000000000000123},` +
		`{"quantity":12345678901234567890},{"quantity":1234567890123456789},{"quantity":-0.0e0},{"quantity":100e-2},{"quantity":0.1234567890123456789}]}`,
	`{"usageItems":[{"quantity":1,"pricePerUnit":2.5,"grossAmount":2.5,"discountAmount":0.5,"netAmount":2,"date":"","product":"","sku":""}]}`,
	`{"usageItems" : [ { "date" : "2026-11-01" , "quantity" : 1.25 } , { } ] }`,
	`{"usageItems":[{"repositoryName":"` + strings.Repeat("r", 300<<10) + `","extra":"` + strings.Repeat("x\\n", 200<<10) + `"}]}`,
	`{"usageItems":[{"extra":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `,"sku":"after deep"}]}`,
}

// The streaming decoder reads exactly what encoding/json reads, whichever
// way the bytes arrive.
func TestUsageDecodeMatchesEncodingJSON(t *testing.T) {
	for i, body := range usageValidBodies {
		want, err := usageReference([]byte(body))
		if err != nil {
			t.Fatalf("body %d: encoding/json: %v", i, err)
		}
		for _, r := range usageReaders {
			got, err := usageStream([]byte(body), r.wrap)
			if err != nil {
				t.Errorf("body %d, %s: %v", i, r.name, err)
				continue
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("body %d, %s:\n got %+v\nwant %+v", i, r.name, usageShort(got), usageShort(want))
			}
		}
	}
}

func usageShort(rows []githubapi.UsageItem) string {
	s := fmt.Sprintf("%+v", rows)
	if len(s) > 600 {
		s = s[:600] + "…"
	}
	return s
}

// Hand-checked values for a few rows of the bodies above.
func TestUsageDecodeValues(t *testing.T) {
	got, err := usageStream([]byte(usageValidBodies[9]), iotest.OneByteReader)
	if err != nil {
		t.Fatal(err)
	}
	want := githubapi.UsageItem{Product: "A\"B\\C/D\b\f\n\r\tE", SKU: "é中😀", UnitType: "\uFFFD",
		OrganizationName: "\uFFFDx", RepositoryName: "\uFFFDA\uFFFDz\U0010FFFF"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("escapes: got %#v, want %#v", got, want)
	}
	got, err = usageStream([]byte(usageValidBodies[10]), iotest.OneByteReader)
	if err != nil {
		t.Fatal(err)
	}
	want = githubapi.UsageItem{Product: "é中😀", SKU: "a\uFFFDb\uFFFD", UnitType: "\uFFFD\uFFFD",
		OrganizationName: "\uFFFD\uFFFD¬", RepositoryName: "\uFFFD\uFFFD"}
	if len(got) != 1 || got[0] != want {
		t.Errorf("invalid UTF-8: got %#v, want %#v", got, want)
	}
	got, err = usageStream([]byte(usageValidBodies[15]), iotest.OneByteReader)
	if err != nil {
		t.Fatal(err)
	}
	want = githubapi.UsageItem{SKU: "kept", Quantity: 7}
	if len(got) != 1 || got[0] != want {
		t.Errorf("null after a value: got %+v, want %+v", got, want)
	}
}

// usageMalformedBodies are not JSON, or not a usage report.
var usageMalformedBodies = []string{
	``, ` `, `{`, `{"usageItems":[`, `{"usageItems":[{}`, `{"usageItems":[{},]}`, `{"usageItems":[,]}`,
	`{,}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"usageItems":[]}x`, `{"usageItems":[]}{}`, `{"usageItems":[]}]`,
	"{\"usageItems\":[{\"sku\":\"a\x01\"}]}", "{\"a\":\"tab\there\"}", `{"usageItems":[{"sku":"\x"}]}`, `{"a":"\u12g4"}`,
	`{"usageItems":[{"sku":"\u12"}]}`, `{"a":"\ud800\u12zz"}`, `{'a':1}`, `{"a":tru}`, `{"a":nul}`, `{"a":nulL}`,
	`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`, `{"a":NaN}`, `{"a":Infinity}`, `{"a":0x10}`,
	`{"usageItems":[{"quantity":1e400}]}`, `{"usageItems":[{"quantity":-1e400}]}`, `{"usageItems":[{"quantity":"1"}]}`,
	`{"usageItems":[{"quantity":true}]}`, `{"usageItems":[{"quantity":[]}]}`, `{"usageItems":[{"product":1}]}`,
	`{"usageItems":[{"product":{}}]}`, `{"usageItems":[{"product":false}]}`, `{"usageItems":{}}`, `{"usageItems":"x"}`,
	`{"usageItems":1}`, `{"usageItems":[1]}`, `{"usageItems":["row"]}`, `{"usageItems":[[]]}`, `[]`, `"x"`, `1`, `true`,
	`{"usageItems":[]]`, `{"a":[1,2}`, `{"a":{"b":1]}`, `{"a":"unterminated}`, `{"usageItems":[{"sku":"x"}}`,
	"\xef\xbb\xbf{}", `{"a":1 "b":2}`, `{"a" 1}`, `{"a":[1 2]}`, `{"usageItems":[{"sku" "x"}]}`,
	`{"usageItems":[{"quantity":1.5.5}]}`, `{"usageItems":[{"quantity":--1}]}`, `{"usageItems":[{"quantity":-01}]}`,
	`{"usageItems":[{"quantity":1e+}]}`, `{"usageItems":[{"quantity":1 2}]}`, `{"usageItems":[{sku:"x"}]}`,
	`{"usageItems":[{"sku":"x",}]}`, `{"a":{"b":}}`, `{"a":[,1]}`, `{"a":{,}}`, `{"a":{"b" "c"}}`, `{"a":{1:2}}`,
	`{"usageItems":[]`, `{"usageItems":[]},`, `{"usageItems":[{"date":"2026-11-01"]}`,
}

// Malformed bodies fail with a *DecodeError, as encoding/json fails on
// them.
func TestUsageDecodeRejectsMalformed(t *testing.T) {
	for i, body := range usageMalformedBodies {
		if _, err := usageReference([]byte(body)); err == nil {
			t.Errorf("body %d %q: encoding/json accepts it", i, body)
		}
		for _, r := range usageReaders {
			rows, err := usageStream([]byte(body), r.wrap)
			if _, ok := errors.AsType[*githubapi.DecodeError](err); !ok {
				t.Errorf("body %d %q, %s: got %d rows and error %v, want a *DecodeError", i, body, r.name, len(rows), err)
			}
		}
	}
}

// Every truncation of a report is an unexpected end of input, however the
// bytes arrive.
func TestUsageDecodeTruncated(t *testing.T) {
	for _, i := range []int{5, 9, 10, 15, 16, 17} {
		body := strings.TrimSpace(usageValidBodies[i])
		for n := range len(body) {
			for _, r := range usageReaders[:2] {
				_, err := usageStream([]byte(body[:n]), r.wrap)
				var de *githubapi.DecodeError
				if !errors.As(err, &de) || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("body %d cut at %d of %d, %s: error %v, want a *DecodeError for io.ErrUnexpectedEOF", i, n, len(body), r.name, err)
				}
			}
		}
	}
}

// Numbers decode to the float64 strconv.ParseFloat gives, bit for bit,
// including those the decoder converts without strconv.
func TestUsageDecodeNumbers(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for range 20000 {
		var b strings.Builder
		if rng.IntN(4) == 0 {
			b.WriteByte('-')
		}
		intDigits := rng.IntN(12)
		if intDigits == 0 {
			b.WriteByte('0')
		} else {
			b.WriteByte(byte('1' + rng.IntN(9)))
			for range intDigits - 1 {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		if frac := rng.IntN(22); frac > 0 && rng.IntN(5) > 0 {
			b.WriteByte('.')
			for range frac {
				b.WriteByte(byte('0' + rng.IntN(10)))
			}
		}
		if rng.IntN(6) == 0 {
			b.WriteString([]string{"e", "E", "e+", "e-", "E-"}[rng.IntN(5)])
			b.WriteString(strconv.Itoa(rng.IntN(40)))
		}
		texts = append(texts, b.String())
	}
	var body bytes.Buffer
	body.WriteString(`{"usageItems":[`)
	for i, text := range texts {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"quantity":%s,"netAmount":%s}`, text, text)
	}
	body.WriteString(`]}`)
	for _, r := range usageReaders[:2] {
		rows, err := usageStream(body.Bytes(), r.wrap)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(texts) {
			t.Fatalf("%d rows, want %d", len(rows), len(texts))
		}
		for i, text := range texts {
			want, err := strconv.ParseFloat(text, 64)
			if err != nil {
				t.Fatal(err)
			}
			if rows[i].Quantity != want || rows[i].NetAmount != want || (want == 0 && fmt.Sprint(rows[i].Quantity) != fmt.Sprint(want)) {
				t.Errorf("%s: decoded %v and %v, want %v", text, rows[i].Quantity, rows[i].NetAmount, want)
			}
		}
	}
}

// An error of the callback stops the decoding and comes back as it is.
func TestUsageDecodeCallbackError(t *testing.T) {
	stop := errors.New("stop here")
	calls := 0
	err := githubapi.DecodeUsageStream(strings.NewReader(usageValidBodies[6]), func(*githubapi.UsageItem) error {
		calls++
		return stop
	})
	var de *githubapi.DecodeError
	if !errors.Is(err, stop) || errors.As(err, &de) || calls != 1 {
		t.Errorf("got %v after %d calls, want the callback's error after 1", err, calls)
	}
}

// A failing body (network, size cap) is a decode error that wraps the cause.
func TestUsageDecodeReadErrors(t *testing.T) {
	cause := errors.New("connection reset")
	body := io.MultiReader(strings.NewReader(`{"usageItems":[`+usageRichRow+`,`), iotest.ErrReader(cause))
	err := githubapi.DecodeUsageStream(body, func(*githubapi.UsageItem) error { return nil })
	var de *githubapi.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, cause) {
		t.Errorf("got %v, want a *DecodeError wrapping %v", err, cause)
	}

	srv := fakegithubtest.Start(t, nil)
	srv.Override("/organizations/acme-web/settings/billing/usage", benchdata.UsageReport{Rows: 1000}.Handler())
	c := fakegithubtest.Client(t, srv, githubapi.Options{MaxResponseBytes: 10000})
	_, err = usageRows(c, usageOrg, usageNovember)
	if _, ok := errors.AsType[*githubapi.TooLargeError](err); !ok {
		t.Errorf("got %v, want a *TooLargeError", err)
	}
}

// The generated report decodes the same with both decoders, is about the
// size of GitHub's rows, and repeats products and SKUs over repositories.
func TestUsageReportGenerator(t *testing.T) {
	var body bytes.Buffer
	n, err := benchdata.UsageReport{Rows: 2000, Year: 2026, Month: time.February, Repositories: 50}.WriteTo(&body)
	if err != nil || n != int64(body.Len()) {
		t.Fatalf("wrote %d bytes (%d counted): %v", body.Len(), n, err)
	}
	if perRow := n / 2000; perRow < 230 || perRow > 290 {
		t.Errorf("%d bytes per row, want about 245-270", perRow)
	}
	want, err := usageReference(body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := usageStream(body.Bytes(), iotest.HalfReader)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2000 || !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %d rows, encoding/json %d; equal %v", len(got), len(want), reflect.DeepEqual(got, want))
	}
	repos, skus := map[string]bool{}, map[string]bool{}
	for _, r := range got {
		repos[r.RepositoryName] = true
		skus[r.SKU] = true
		if !strings.HasPrefix(r.Date, "2026-02-") {
			t.Fatalf("row dated %s, want February 2026", r.Date)
		}
	}
	if len(repos) != 50 || len(skus) < 5 {
		t.Errorf("%d repositories and %d SKUs, want 50 and several", len(repos), len(skus))
	}
	var again bytes.Buffer
	benchdata.UsageReport{Rows: 2000, Year: 2026, Month: time.February, Repositories: 50}.WriteTo(&again) //nolint:errcheck // bytes.Buffer
	if !bytes.Equal(body.Bytes(), again.Bytes()) {
		t.Error("the generator is not deterministic")
	}
}

// Decoding a report allocates a bounded amount whatever its size: the body
// is never held whole.
func TestUsageDecodeMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 50 MB")
	}
	const rows = 200_000 // about 53 MB of JSON
	pr, pw := io.Pipe()
	go func() {
		_, err := benchdata.UsageReport{Rows: rows}.WriteTo(pw)
		pw.CloseWithError(err)
	}()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	count := 0
	err := githubapi.DecodeUsageStream(pr, func(*githubapi.UsageItem) error { count++; return nil })
	runtime.ReadMemStats(&after)
	if err != nil || count != rows {
		t.Fatalf("%d rows: %v", count, err)
	}
	// The generator's own tables and chunks are in this figure too.
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 16<<20 {
		t.Errorf("allocated %d MB for %d rows, want under 16 MB", allocated>>20, rows)
	}
}

// usageItemsKeys counts the top-level keys that encoding/json would decode
// into usageItems; with more than one its result is the last array alone,
// while the stream reads them all.
func usageItemsKeys(body []byte) int {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0
	}
	n := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return n
		}
		if key, ok := tok.(string); ok && strings.EqualFold(key, "usageItems") {
			n++
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return n
		}
	}
	return n
}

func FuzzUsageDecode(f *testing.F) {
	// The shared examples first: GitHub's own usage reports (the premium
	// request and AI credit ones share the usageItems array).
	examples, err := filepath.Glob("testdata/examples/*-usage.json")
	if err != nil || len(examples) == 0 {
		f.Fatalf("no usage examples under testdata/examples: %v", err)
	}
	for _, file := range examples {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, body := range usageValidBodies {
		if len(body) < 4096 {
			f.Add([]byte(body))
		}
	}
	for _, body := range usageMalformedBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if usageItemsKeys(body) > 1 {
			t.Skip("several usageItems arrays")
		}
		want, wantErr := usageReference(body)
		wrap := usageReaders[len(body)%len(usageReaders)]
		got, err := usageStream(body, wrap.wrap)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q (%s): stream error %v, encoding/json error %v", body, wrap.name, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (%s):\n got %+v\nwant %+v", body, wrap.name, got, want)
		}
	})
}

// A kept string is bounded; a skipped one is not.
func TestUsageDecodeLongValues(t *testing.T) {
	long := strings.Repeat("x", 17<<20)
	_, err := usageStream([]byte(`{"usageItems":[{"sku":"`+long+`"}]}`), func(r io.Reader) io.Reader { return r })
	if _, ok := errors.AsType[*githubapi.DecodeError](err); !ok {
		t.Errorf("17 MB SKU: %v, want a *DecodeError", err)
	}
	rows, err := usageStream([]byte(`{"usageItems":[{"description":"`+long+`","sku":"s"}]}`), func(r io.Reader) io.Reader { return r })
	if err != nil || len(rows) != 1 || rows[0].SKU != "s" {
		t.Errorf("17 MB unknown field: %v, %d rows", err, len(rows))
	}
}
