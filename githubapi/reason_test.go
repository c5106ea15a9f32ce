package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// Each failure a request can meet is named by its class, through the real
// client against a server on loopback, and wrapped as collectors wrap it.
func TestReasonNamesEachFailure(t *testing.T) {
	status := map[string]int{"401": 401, "403": 403, "404": 404, "410": 410, "500": 500, "422": 422}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		org := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/orgs/"), "/settings/billing/actions")
		if org == "ratelimit" {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", "4102444800")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"message":"API rate limit exceeded for user ID 1."}`)
			return
		}
		if org == "broken" {
			fmt.Fprint(w, `{"total_minutes_used": 3, "minutes_used_breakdown": {`)
			return
		}
		w.WriteHeader(status[org])
		fmt.Fprint(w, `{"message":"no"}`)
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, c := range []struct {
		base, org, want string
	}{
		{srv.URL, "401", "token refused"},
		{srv.URL, "403", "missing permission"},
		{srv.URL, "404", "not found"},
		{srv.URL, "410", "retired"},
		{srv.URL, "500", "GitHub server error"},
		{srv.URL, "422", "refused by GitHub"},
		{srv.URL, "ratelimit", "rate limited"},
		{srv.URL, "broken", "answer refused"},
		{closed, "anything", "network"},
	} {
		client, err := githubapi.New(githubapi.Options{BaseURL: c.base, Retries: testutil.FastRetries})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.ActionsBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: c.org})
		if err == nil {
			t.Errorf("%s: no error", c.org)
			continue
		}
		if got := githubapi.Reason(fmt.Errorf("refresh actions for organization %s: %w", c.org, err)); got != c.want {
			t.Errorf("%s: Reason = %q, want %q (err %v)", c.org, got, c.want, err)
		}
	}
	if got := githubapi.Reason(nil); got != "" {
		t.Errorf("Reason(nil) = %q", got)
	}
	if got := githubapi.Reason(fmt.Errorf("x: %w", context.DeadlineExceeded)); got != "timed out" {
		t.Errorf("deadline: %q", got)
	}
	if got := githubapi.Reason(errors.New("collector panicked")); got != "failed" {
		t.Errorf("other: %q", got)
	}
}
