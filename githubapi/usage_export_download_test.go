package githubapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const downloadTestToken = "ghp_downloadtesttoken00000000000000000"

// headerLog records the credential headers each request brought.
type headerLog struct {
	mu  sync.Mutex
	got []string
}

func (l *headerLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, r.Header.Get("Authorization")+r.Header.Get("Cookie"))
}

// A part's link redirects to signed storage on another host: neither host
// gets the token or a cookie, and an error names the host, never the
// signed link.
func TestDetailedExportDownloadSendsNoCredential(t *testing.T) {
	csvBody, err := os.ReadFile("testdata/exports/usage-report-detailed.constructed.csv")
	if err != nil {
		t.Fatal(err)
	}
	var storageLog, webLog headerLog
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageLog.record(r)
		if r.URL.Query().Get("sig") != "s3cr3tsignature" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write(csvBody) //nolint:errcheck // test server
	}))
	defer storage.Close()
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		webLog.record(r)
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc"})
		sig := "s3cr3tsignature"
		if strings.Contains(r.URL.Path, "bad") {
			sig = "wrong"
		}
		http.Redirect(w, r, storage.URL+"/part?sig="+sig, http.StatusFound)
	}))
	defer web.Close()

	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{
		HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: downloadTestToken}},
	})
	x := &githubapi.UsageReportExport{ID: "x", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-30",
		DownloadURLs: []string{web.URL + "/enterprises/acme/metered_exports/1", web.URL + "/enterprises/acme/metered_exports/2"}}
	var net float64
	rows, err := client.ReadDetailedExport(context.Background(), x, func(r *githubapi.DetailedUsageRow) error {
		net += r.NetAmount
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Two parts of the ten rows; net 1.146 + 1.86 + 0.9 + 0.45 + 1.8 =
	// 6.156 each.
	if rows != 20 || net < 2*6.156-1e-9 || net > 2*6.156+1e-9 {
		t.Errorf("%d rows, net %v; want 20 and 12.312", rows, net)
	}
	for _, l := range []*headerLog{&webLog, &storageLog} {
		for _, h := range l.got {
			if h != "" {
				t.Errorf("a download request carried %q", h)
			}
		}
	}
	if len(webLog.got) != 2 || len(storageLog.got) != 2 {
		t.Errorf("%d and %d requests, want 2 and 2", len(webLog.got), len(storageLog.got))
	}

	x.DownloadURLs = []string{web.URL + "/bad"}
	_, err = client.ReadDetailedExport(context.Background(), x, func(*githubapi.DetailedUsageRow) error { return nil })
	var de *githubapi.DownloadError
	if !errors.As(err, &de) || de.StatusCode != http.StatusForbidden {
		t.Fatalf("error %v, want a 403 *DownloadError", err)
	}
	if msg := err.Error(); strings.Contains(msg, "wrong") || strings.Contains(msg, "sig=") || !strings.Contains(msg, "credential") {
		t.Errorf("error %q shows the link or does not say a credential is wanted", msg)
	}
}

// Only https links are followed, but for the loopback fake over http.
func TestDetailedExportDownloadWantsHTTPS(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	x := &githubapi.UsageReportExport{ID: "x", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-30",
		DownloadURLs: []string{"http://downloads.example.com/part?sig=abc"}}
	_, err := client.ReadDetailedExport(context.Background(), x, func(*githubapi.DetailedUsageRow) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "only https") || strings.Contains(err.Error(), "sig=abc") {
		t.Errorf("error %v, want the http link refused without showing it", err)
	}
}

// A part whose header changes columns, a row dated outside the export and
// an answer that is a web page are errors.
func TestDetailedExportRefusesBrokenParts(t *testing.T) {
	header := "date,product,sku,quantity,unit_type,applied_cost_per_quantity,gross_amount,discount_amount,net_amount,username,organization,repository,workflow_path,cost_center_name\n"
	row := "2026-11-03,actions,actions_linux,1,minutes,0.006,0.006,0,0.006,mona,o,o/r,w.yml,\n"
	for _, c := range []struct {
		name, contentType, part2, want string
	}{
		{"header changed", "text/csv", strings.Replace(header, "username,organization", "organization,username", 1) + row, "header changed"},
		{"row of another month", "text/csv", header + strings.Replace(row, "2026-11-03", "2026-12-01", 1), "outside"},
		{"sign-in page", "text/html; charset=utf-8", "<html>Sign in</html>", "web page"},
		{"summarized layout", "text/csv", "date,product,sku,quantity\n", "lacks"},
	} {
		parts := []string{header + row, c.part2}
		if c.name == "summarized layout" {
			// The first part sets the layout.
			parts[0] = c.part2
		}
		files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body := parts[0]
			if strings.HasSuffix(r.URL.Path, "/2") {
				body = parts[1]
				w.Header().Set("Content-Type", c.contentType)
			}
			io.WriteString(w, body) //nolint:errcheck // test server
		}))
		srv := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		x := &githubapi.UsageReportExport{ID: "x", ReportType: "detailed", Status: "completed", StartDate: "2026-11-01", EndDate: "2026-11-30",
			DownloadURLs: []string{files.URL + "/1", files.URL + "/2"}}
		_, err := client.ReadDetailedExport(context.Background(), x, func(*githubapi.DetailedUsageRow) error { return nil })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
		files.Close()
	}
}

// exportAcme is the enterprise the export tests ask, and novemberDetailed
// the export they ask it for.
var (
	exportAcme       = githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
	novemberDetailed = githubapi.ExportRequest{ReportType: "detailed", StartDate: "2026-11-01", EndDate: "2026-11-30"}
)

// createAccepted answers a create as GitHub does: 202 with the export,
// still processing.
func createAccepted(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusAccepted)
	fakegithubtest.ServeFile(examplesDir+"enterprise-usage-report-create-accepted.constructed.json")(w, r)
}

// Create answers 202 with the export, processing; get reads one export.
func TestCreateAndGetUsageReportExport(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var method, body string
	srv.Override("/enterprises/acme/settings/billing/reports", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		method, body = r.Method, string(b)
		createAccepted(w, r)
	})
	x, err := client.CreateUsageReportExport(context.Background(), exportAcme, novemberDetailed)
	if err != nil {
		t.Fatal(err)
	}
	if method != http.MethodPost || body != `{"end_date":"2026-11-30","report_type":"detailed","send_email":false,"start_date":"2026-11-01"}` {
		t.Errorf("sent %s %s", method, body)
	}
	if x.ID != "5f0c2e1a-7b3d-4c9e-9a41-2d6b8e0f1c37" || x.Status != "processing" || len(x.DownloadURLs) != 0 {
		t.Errorf("got %+v", x)
	}
	srv.Override("/enterprises/acme/settings/billing/reports/5f0c2e1a-7b3d-4c9e-9a41-2d6b8e0f1c37",
		fakegithubtest.ServeFile(examplesDir+"enterprise-usage-report-get-completed-multipart.constructed.json"))
	got, err := client.UsageReportExportByID(context.Background(), exportAcme, "5f0c2e1a-7b3d-4c9e-9a41-2d6b8e0f1c37")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "completed" || len(got.DownloadURLs) != 2 || got.DownloadURLs[1] != "https://github.com/enterprises/octo-corp/metered_exports/88121" {
		t.Errorf("got %+v", got)
	}
	srv.Override("/enterprises/acme/settings/billing/reports/y", fakegithubtest.ServeString(`{"id": "y", "report_type": "detailed"}`))
	if _, err := client.UsageReportExportByID(context.Background(), exportAcme, "y"); err == nil || !strings.Contains(err.Error(), "status") {
		t.Errorf("error %v, want the missing status named", err)
	}
}
