package githubapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// copilotMetricsDir holds the constructed usage-metrics files (copies of
// ../shared/githubapi/examples/copilot-metrics-*.constructed.ndjson).
const copilotMetricsDir = "testdata/copilot-metrics/"

var metricsDay = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

func TestCopilotMetricsLinksOnTheExamples(t *testing.T) {
	for _, tc := range []struct {
		account githubapi.Account
		path    string
		report  githubapi.CopilotMetricsReport
		example string
	}{
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/copilot/metrics/reports/users-1-day", githubapi.CopilotUsersReport, "enterprise-copilot-metrics-users-1-day.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, "/orgs/web/copilot/metrics/reports/users-1-day", githubapi.CopilotUsersReport, "org-copilot-metrics-users-1-day.json"},
		{githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "/enterprises/acme/copilot/metrics/reports/user-teams-1-day", githubapi.CopilotUserTeamsReport, "enterprise-copilot-metrics-user-teams-1-day.json"},
		{githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, "/orgs/web/copilot/metrics/reports/user-teams-1-day", githubapi.CopilotUserTeamsReport, "org-copilot-metrics-user-teams-1-day.json"},
	} {
		srv := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		var q fakegithubtest.Queries
		srv.Override(tc.path, q.Wrap(fakegithubtest.ServeFile(examplesDir+tc.example)))
		// GitHub's example answers report_day 2025-07-01: asked for that
		// day, its two links come back as sent.
		links, err := client.CopilotMetricsLinks(context.Background(), tc.account, tc.report, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatalf("%s: %v", tc.example, err)
		}
		if len(links.DownloadLinks) != 2 || links.DownloadLinks[1] != "https://example.com/copilot-usage-report-2.ndjson" || links.ReportDay != "2025-07-01" {
			t.Errorf("%s: got %+v", tc.example, links)
		}
		if got := q.All(); len(got) != 1 || got[0].Get("day") != "2025-07-01" {
			t.Errorf("%s: queries %v, want day=2025-07-01", tc.example, got)
		}
		// Asked for another day, the same body is not the day's.
		_, err = client.CopilotMetricsLinks(context.Background(), tc.account, tc.report, metricsDay)
		if !errors.Is(err, githubapi.ErrNotAsked) {
			t.Errorf("%s for 2026-12-02: err %v, want ErrNotAsked", tc.example, err)
		}
	}
}

func TestCopilotMetricsLinksNoData(t *testing.T) {
	a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}
	path := "/orgs/web/copilot/metrics/reports/users-1-day"
	for name, h := range map[string]http.HandlerFunc{
		"204": func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
		"404": func(w http.ResponseWriter, _ *http.Request) {
			fakegithub.WriteError(w, http.StatusNotFound, "Not Found")
		},
		"empty 200":  fakegithubtest.ServeString(""),
		"null 200":   fakegithubtest.ServeString("null\n"),
		`"" 200`:     fakegithubtest.ServeString(`""`),
		"spaces 200": fakegithubtest.ServeString(" \n"),
	} {
		srv := fakegithubtest.Start(t, nil)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		srv.Override(path, h)
		links, err := client.CopilotMetricsLinks(context.Background(), a, githubapi.CopilotUsersReport, metricsDay)
		if err != nil || links != nil {
			t.Errorf("%s: %+v, %v; want no data and no error", name, links, err)
		}
	}
	// A 403 is no "no data".
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override(path, func(w http.ResponseWriter, _ *http.Request) {
		fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by integration")
	})
	if _, err := client.CopilotMetricsLinks(context.Background(), a, githubapi.CopilotUsersReport, metricsDay); !errors.Is(err, githubapi.ErrForbidden) {
		t.Errorf("403: err %v, want ErrForbidden", err)
	}
}

func TestCopilotMetricsLinksLackingARequiredField(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/orgs/web/copilot/metrics/reports/users-1-day", fakegithubtest.ServeString(`{"report_day":"2026-12-02"}`))
	_, err := client.CopilotMetricsLinks(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, githubapi.CopilotUsersReport, metricsDay)
	var mf *githubapi.MissingFieldError
	if !errors.As(err, &mf) || len(mf.Fields) != 1 || mf.Fields[0] != "download_links" {
		t.Errorf("err %v, want download_links missing", err)
	}
}

// The links are signed and expire: each call asks GitHub again, without
// If-None-Match, even when the answer carried an ETag.
func TestCopilotMetricsLinksNeverConditional(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	var conditional, asked int
	srv.Override("/orgs/web/copilot/metrics/reports/users-1-day", func(w http.ResponseWriter, r *http.Request) {
		asked++
		if r.Header.Get("If-None-Match") != "" {
			conditional++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		fakegithubtest.ServeString(`{"download_links":["https://files.example/a.ndjson?sig=one"],"report_day":"2026-12-02"}`)(w, r)
	})
	for range 2 {
		if _, err := client.CopilotMetricsLinks(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, githubapi.CopilotUsersReport, metricsDay); err != nil {
			t.Fatal(err)
		}
	}
	if asked != 2 || conditional != 0 {
		t.Errorf("%d requests, %d conditional; want 2, none conditional", asked, conditional)
	}
}

// The constructed users file of 2026-12-02, as NDJSON, as one JSON array,
// and as a single object, through the fake's file host: the four users
// with their figures as written in the file, codertocat without
// ai_credits_used; and no request to the file host carries the API's token.
func TestDownloadCopilotMetricsFormats(t *testing.T) {
	ndjson, err := os.ReadFile(copilotMetricsDir + "copilot-metrics-users-1-day.constructed.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(ndjson)), "\n")
	array := "[\n" + strings.Join(lines, ",\n") + "\n]"
	for name, body := range map[string]string{"ndjson": string(ndjson), "array": array, "object": lines[0], "ndjson without a final newline": strings.TrimSpace(string(ndjson))} {
		d := fakegithub.NewDataset()
		d.Enterprises["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
		d.Enterprises["acme"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{
			"users-1-day": {"2026-12-02": {[]byte(body)}},
		}
		srv := fakegithubtest.Start(t, d)
		srv.RequireToken("api-token")
		client := fakegithubtest.Client(t, srv, githubapi.Options{HTTPClient: &http.Client{Transport: &githubapi.TokenTransport{Token: "api-token"}}})
		a := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}
		links, err := client.CopilotMetricsLinks(context.Background(), a, githubapi.CopilotUsersReport, metricsDay)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasPrefix(links.DownloadLinks[0], srv.FilesURL()+"/") || srv.FilesURL() == srv.URL {
			t.Fatalf("%s: link not on the file host", name)
		}
		var got []string
		err = client.DownloadCopilotMetrics(context.Background(), githubapi.CopilotUsersReport, links, func(r githubapi.CopilotMetricsRecord) error {
			credits := "absent"
			if r.AICreditsUsed != nil {
				credits = strconv.FormatFloat(*r.AICreditsUsed, 'f', -1, 64)
			}
			got = append(got, r.UserLogin+" "+r.Day+" "+credits)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []string{"mona 2026-12-02 412.37", "hubot 2026-12-02 96.4", "octocat 2026-12-02 0", "codertocat 2026-12-02 absent"}
		if name == "object" {
			want = want[:1]
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
		if srv.FileRequests() != 1 || srv.FileRequestsWithCredentials() != 0 {
			t.Errorf("%s: %d file requests, %d with Authorization or a cookie; want 1 and 0", name, srv.FileRequests(), srv.FileRequestsWithCredentials())
		}
	}
}

// A record lacking a required field, or a record that is not an object,
// fails the file.
func TestDownloadCopilotMetricsRefusesBadRecords(t *testing.T) {
	users, teams := githubapi.CopilotUsersReport, githubapi.CopilotUserTeamsReport
	for _, tc := range []struct {
		name   string
		report githubapi.CopilotMetricsReport
		body   string
	}{
		{"no user_id", users, `{"user_login":"mona","day":"2026-12-02","ai_credits_used":1}`},
		{"null user_id", users, `{"user_id":null,"user_login":"mona","day":"2026-12-02","ai_credits_used":1}`},
		{"not an object", users, `[1,2]`},
		{"cut short", users, `{"user_id":1,"user_login":"mona","day":"2026-12-`},
		{"garbage after", users, `[{"user_id":1,"user_login":"mona","day":"2026-12-02"}] x`},
		{"team no slug", teams, `{"user_id":1,"day":"2026-12-02","team_id":9}`},
		{"no day in team", teams, `{"user_id":1,"team_id":9,"slug":"sre"}`},
	} {
		name, report, body := tc.name, tc.report, tc.body
		d := fakegithub.NewDataset()
		d.Organizations["web"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
		d.Organizations["web"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{string(report): {"2026-12-02": {[]byte(body)}}}
		srv := fakegithubtest.Start(t, d)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		a := githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}
		links, err := client.CopilotMetricsLinks(context.Background(), a, report, metricsDay)
		if err != nil {
			t.Fatal(err)
		}
		err = client.DownloadCopilotMetrics(context.Background(), report, links, func(githubapi.CopilotMetricsRecord) error { return nil })
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A file host's refusal and a link that is not https fail with the file's
// position and host, never the link's query, which holds the signature.
func TestDownloadCopilotMetricsKeepsTheSignatureOut(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	const secret = "sv=2026&sig=S3CR3T-SIGNATURE"
	links := &githubapi.CopilotMetricsLinks{ReportDay: "2026-12-02", DownloadLinks: []string{srv.FilesURL() + "/copilot-usage-reports/a.ndjson?" + secret}}
	err := client.DownloadCopilotMetrics(context.Background(), githubapi.CopilotUsersReport, links, func(githubapi.CopilotMetricsRecord) error { return nil })
	if err == nil || strings.Contains(err.Error(), "S3CR3T") || !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "file 1 of 1") {
		t.Errorf("refused link: err %v, want the 403 of file 1 of 1 without the signature", err)
	}
	// Against an https API, a plain http link is refused before any request.
	https, err := githubapi.New(githubapi.Options{BaseURL: "https://api.github.com"})
	if err != nil {
		t.Fatal(err)
	}
	links.DownloadLinks = []string{"http://files.example/a.ndjson?" + secret}
	err = https.DownloadCopilotMetrics(context.Background(), githubapi.CopilotUsersReport, links, func(githubapi.CopilotMetricsRecord) error { return nil })
	if err == nil || strings.Contains(err.Error(), "S3CR3T") || !strings.Contains(err.Error(), "not https") {
		t.Errorf("http link: err %v, want a refusal without the signature", err)
	}
	if srv.FileRequests() != 1 {
		t.Errorf("%d file requests, want 1 (the refused link)", srv.FileRequests())
	}
}

// A file that is empty or null holds no records; one that is a JSON
// string holds none GitHub documents and is refused.
func TestDownloadCopilotMetricsEmptyFiles(t *testing.T) {
	for body, wantErr := range map[string]bool{"": false, " \n": false, "null\n": false, `"x"`: true, "null null": true} {
		d := fakegithub.NewDataset()
		d.Organizations["web"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
		d.Organizations["web"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{"users-1-day": {"2026-12-02": {[]byte(body)}}}
		srv := fakegithubtest.Start(t, d)
		client := fakegithubtest.Client(t, srv, githubapi.Options{})
		links, err := client.CopilotMetricsLinks(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "web"}, githubapi.CopilotUsersReport, metricsDay)
		if err != nil {
			t.Fatal(err)
		}
		records := 0
		err = client.DownloadCopilotMetrics(context.Background(), githubapi.CopilotUsersReport, links, func(githubapi.CopilotMetricsRecord) error { records++; return nil })
		if (err != nil) != wantErr || records != 0 {
			t.Errorf("%q: %d records, err %v; want 0 records, an error: %v", body, records, err, wantErr)
		}
	}
}

// A file host that redirects to another scheme is not followed, and the
// error names neither link's query.
func TestDownloadCopilotMetricsRefusesARedirectElsewhere(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://files.example/moved?sig=S3CR3T-TWO", http.StatusFound)
	}))
	t.Cleanup(host.Close)
	links := &githubapi.CopilotMetricsLinks{ReportDay: "2026-12-02", DownloadLinks: []string{host.URL + "/a.ndjson?sig=S3CR3T-ONE"}}
	err := client.DownloadCopilotMetrics(context.Background(), githubapi.CopilotUsersReport, links, func(githubapi.CopilotMetricsRecord) error { return nil })
	if err == nil || strings.Contains(err.Error(), "S3CR3T") || !strings.Contains(err.Error(), "redirect refused") {
		t.Errorf("err %v; want the redirect refused, without a signature", err)
	}
}
