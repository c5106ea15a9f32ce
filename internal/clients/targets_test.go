package clients

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// The client BuildTargets builds sends the token to the API host and a
// github-billing-exporter/VERSION User-Agent.
func TestBuildTargetsClient(t *testing.T) {
	fake := fakegithubtest.Start(t, testutil.Dataset())
	fake.RequireToken(testutil.Token)
	var mu sync.Mutex
	var agents []string
	fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.Header.Get("User-Agent"))
		mu.Unlock()
		fakegithub.WriteJSON(w, githubapi.PackagesBilling{TotalGigabytesBandwidthUsed: 4})
	})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "token"), []byte(testutil.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(filepath.Join(dir, "c.yml"), []byte("github: {api_url: \""+fake.URL+"/\", token_file: token, credential: main}\norganizations: [{name: acme-web}]\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	targets, err := BuildTargets(cfg, githubapi.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 1 || targets[0].Account.Name != "acme-web" || targets[0].Client.Credential() != "main" {
		t.Fatalf("targets = %+v", targets)
	}
	got, err := targets[0].Client.PackagesBilling(t.Context(), targets[0].Account)
	if err != nil {
		t.Fatalf("request through the built client: %v (the fake requires the token)", err)
	}
	if got.TotalGigabytesBandwidthUsed != 4 {
		t.Errorf("got %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	// A plain go build stamps no version: the agent says dev (or the
	// module's version), never a bare "github-billing-exporter/".
	if len(agents) != 1 || !strings.HasPrefix(agents[0], "github-billing-exporter/") || agents[0] == "github-billing-exporter/" {
		t.Errorf("User-Agent = %q, want github-billing-exporter/VERSION", agents)
	}
}

// A reload builds new clients, but a credential that stays (same name, same
// API URL) keeps its rate-limit state: a primary limit in force blocks the
// new client without a request. A renamed credential starts afresh.
func TestBuildTargetsKeepsRateLimitAcrossReloads(t *testing.T) {
	fake := fakegithubtest.Start(t, testutil.Dataset())
	reset := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	fake.Override("/orgs/acme-web/settings/billing/packages", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().Set("X-Ratelimit-Reset", reset)
		fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 1.")
	})
	parse := func(credential string) *config.Resolved {
		t.Helper()
		cfg, err := config.Parse("c.yml", []byte("github: {api_url: \""+fake.URL+"\", token: x, credential: "+credential+"}\norganizations: [{name: acme-web}]\n"), func(string) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	packages := func(targets []collector.Target) error {
		_, err := targets[0].Client.PackagesBilling(t.Context(), targets[0].Account)
		return err
	}
	first, err := BuildTargets(parse("main"), githubapi.Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := packages(first); !errors.Is(err, githubapi.ErrRateLimited) {
		t.Fatalf("first client: %v, want the rate limit", err)
	}

	reloaded, err := BuildTargets(parse("main"), githubapi.Options{}, first)
	if err != nil {
		t.Fatal(err)
	}
	if reloaded[0].Client == first[0].Client {
		t.Fatal("the reload reused the client instead of building a new one")
	}
	var rle *githubapi.RateLimitError
	if err := packages(reloaded); !errors.As(err, &rle) {
		t.Errorf("after the reload: %v, want a *RateLimitError without asking GitHub", err)
	}
	if n := fake.Requests("/orgs/acme-web/settings/billing/packages"); n != 1 {
		t.Errorf("%d requests, want 1: the reloaded client asked GitHub although the limit is in force", n)
	}

	renamed, err := BuildTargets(parse("other"), githubapi.Options{}, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := packages(renamed); errors.As(err, &rle) || !errors.Is(err, githubapi.ErrRateLimited) {
		t.Errorf("another credential: %v, want GitHub's own 403 answer", err)
	}
}
