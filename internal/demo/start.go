package demo

import (
	"fmt"
	"net"
	"sync"
	"time"

	commoncfg "github.com/prometheus/common/config"

	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// Token is the demo API's credential. It guards nothing real: the demo's
// data is made up and its API listens on loopback only, so the exporter
// logs it at start for a configuration of one's own to use.
const Token = "demo-token-not-a-secret"

// DefaultAPIAddress is where the demo's API listens unless told otherwise:
// a free loopback port.
const DefaultAPIAddress = "127.0.0.1:0"

// API is the demo's simulated GitHub API, running on loopback.
type API struct {
	*fakegithub.Server
}

// Start starts the demo's GitHub API, as --demo and `--demo backfill` use
// it: its data is the demo company as of now() at each request, so its
// figures grow through the month (now is the exporter's clock, so that the
// demo and the collectors tell the same month), it requires Token, and it
// sends ETags as GitHub does. Close it when done.
func Start(now func() time.Time) (*API, error) {
	return StartOn(DefaultAPIAddress, now)
}

// StartOn is Start listening on address, which CheckAPIAddress must accept.
func StartOn(address string, now func() time.Time) (*API, error) {
	if err := CheckAPIAddress(address); err != nil {
		return nil, err
	}
	fake, err := fakegithub.NewFuncOn(address, datasetAt(now), now)
	if err != nil {
		return nil, err
	}
	fake.RequireToken(Token)
	fake.EnableETags(true)
	return &API{Server: fake}, nil
}

// CheckAPIAddress accepts a host:port whose host is a loopback IP address
// or localhost: the demo's API answers anyone who knows Token, which is in
// the source and the log.
func CheckAPIAddress(address string) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("demo API address %q: %w", address, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("demo API address %q: the host must be a loopback address (127.0.0.1, ::1 or localhost)", address)
	}
	return nil
}

// Config points the exporter at the API with every demo account. The
// refresh interval is short so that the demo's month-to-date figures move.
func (a *API) Config() *config.Resolved {
	return Config(a.URL)
}

// Config points the exporter at a demo API at apiURL with every demo
// account.
func Config(apiURL string) *config.Resolved {
	cred := &config.Credential{
		Name:   "demo",
		APIURL: apiURL,
		Token:  commoncfg.Secret(Token),
		HTTP:   commoncfg.HTTPClientConfig{FollowRedirects: true, EnableHTTP2: true},
	}
	cfg := &config.Resolved{
		File:            "(demo)",
		RefreshInterval: time.Minute,
		RefreshTimeout:  30 * time.Second,
		MaxAge:          time.Hour,
		Credentials:     map[string]*config.Credential{cred.Name: cred},
	}
	for _, a := range accounts() {
		cfg.Targets = append(cfg.Targets, config.Target{Account: a, Credential: cred.Name})
		if a.Scope == githubapi.ScopeOrganization {
			// The demo's organizations belong to its enterprise, whose
			// AI-credit pool they draw from: the pool is read on the
			// enterprise (docs/metrics-guide.md, "Copilot AI-credit pool").
			// The collector's name is written out: the collector tests
			// import this package.
			if cfg.Enabled == nil {
				cfg.Enabled = map[githubapi.Account]map[string]bool{}
			}
			cfg.Enabled[a] = map[string]bool{"ai_credit_pool": false}
		}
	}
	return cfg
}

// datasetAt is the demo company as of now() at each call. The company of the
// instant before is kept and served again while now() has not moved, as
// under a test's fixed clock, where a backfill's thousands of requests would
// otherwise build the same company thousands of times. The fake only reads
// a dataset, so one may serve many answers.
func datasetAt(now func() time.Time) func() *fakegithub.Dataset {
	var (
		mu   sync.Mutex
		at   time.Time
		last *fakegithub.Dataset
	)
	return func() *fakegithub.Dataset {
		t := now().UTC()
		mu.Lock()
		defer mu.Unlock()
		if last == nil || !t.Equal(at) {
			at, last = t, Dataset(t)
		}
		return last
	}
}
