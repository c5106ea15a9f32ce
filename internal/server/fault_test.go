package server

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
	"github.com/github-billing-exporter/github-billing-exporter/internal/clients"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// The fault suite runs the real handler (Server.Handler) with a real
// configuration file against the fake GitHub: the demo company (an
// enterprise, two organizations, a user) with every default collector, and
// acme-web read with a credential of its own ("web"), so that a rate limit
// on it leaves the other credential alone.

// faultRefreshInterval is the configuration's refresh_interval; the tests
// move the exporter's clock past it instead of waiting.
const faultRefreshInterval = 10 * time.Minute

// faultRefreshTimeout is the configuration's refresh_timeout: ample for a
// refresh of the fake on a loaded machine.
const faultRefreshTimeout = 5 * time.Second

// The hang case's environment bounds a refresh by hangRefreshTimeout; its
// scrape, with a timeout of hangScrapeTimeout, answers after
// hangScrapeTimeout less the 500 ms offset, 1.5 s before the refresh gives
// up, so that the scrape meets a refresh still running. The refresh then
// fails with the timeout, which the case waits for.
const (
	hangRefreshTimeout = 2 * time.Second
	hangScrapeTimeout  = time.Second
)

// faultT0 is the suite's start: a fixed time, not the wall clock, so that
// the suite runs the same in any month. The fake's rate-limit reset follows
// the same clock.
var faultT0 = time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)

// faultDemo is the demo company as of faultT0, built once: the fake reads
// a dataset and never changes it.
var faultDemo = sync.OnceValue(func() *fakegithub.Dataset { return demo.Dataset(faultT0) })

// faultDataset is the demo company for one environment: its account maps
// are its own, so that a case may remove an account (fake.Update) without
// touching another environment's.
func faultDataset() *fakegithub.Dataset {
	d := *faultDemo()
	d.Enterprises, d.Organizations, d.Users = maps.Clone(d.Enterprises), maps.Clone(d.Organizations), maps.Clone(d.Users)
	return &d
}

// faultOptions vary the environment: the secret-hygiene test runs the same
// suite at debug level with sentinel secrets and a GitHub App.
type faultOptions struct {
	logLevel string // default info
	token    string // default testutil.Token
	// appKeyPEM, when set, makes acme-data read with a GitHub App whose
	// installation token is appToken.
	appKeyPEM []byte
	appToken  string
	// maxResponseBytes is --github.max-response-bytes (default 1 MiB).
	maxResponseBytes int64
	// refreshTimeout is the configuration's refresh_timeout (default
	// faultRefreshTimeout).
	refreshTimeout time.Duration
}

// faultEnv is the exporter's HTTP handler in front of a fake GitHub, with
// the exporter's clock in the test's hands and its log in a file.
type faultEnv struct {
	opts    faultOptions
	fake    *fakegithub.Server
	clock   *simClock
	dir     string
	cfgFile string
	logFile *os.File
	srv     *Server
	http    *httptest.Server

	mu     sync.Mutex
	served strings.Builder // every body the exporter answered

	appExchanges atomic.Int32 // installation tokens handed out
}

const faultAppInstallation = 67890

func newFaultEnv(t *testing.T, o faultOptions) *faultEnv {
	t.Helper()
	if o.logLevel == "" {
		o.logLevel = "info"
	}
	if o.token == "" {
		o.token = testutil.Token
	}
	if o.maxResponseBytes == 0 {
		o.maxResponseBytes = 1 << 20
	}
	if o.refreshTimeout == 0 {
		o.refreshTimeout = faultRefreshTimeout
	}
	fake := fakegithubtest.Start(t, faultDataset())
	env := &faultEnv{opts: o, fake: fake, clock: &simClock{now: faultT0}, dir: t.TempDir()}
	fake.SetClock(env.clock.Now)
	if o.appKeyPEM == nil {
		fake.RequireToken(o.token)
	} else {
		// The fake checks one token; an App's JWT and installation token
		// differ from it, so the App run does without the check.
		fake.Override(fmt.Sprintf("/app/installations/%d/access_tokens", faultAppInstallation), func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
				fakegithub.WriteError(w, http.StatusUnauthorized, "A JSON web token could not be decoded")
				return
			}
			env.appExchanges.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"token":%q,"expires_at":%q}`, o.appToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		})
	}
	if err := os.WriteFile(filepath.Join(env.dir, "token"), []byte(o.token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if o.appKeyPEM != nil {
		if err := os.WriteFile(filepath.Join(env.dir, "app.pem"), o.appKeyPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env.cfgFile = filepath.Join(env.dir, "exporter.yml")
	env.writeConfig(t, env.accountsYAML())
	env.logFile = testutil.OutputFile(t)

	level := promslog.NewLevel()
	if err := level.Set(o.logLevel); err != nil {
		t.Fatal(err)
	}
	logger := clients.NewLogger(promslog.Config{Level: level}, env.logFile)
	exp, err := cache.New(cache.Config{Logger: logger, Collectors: collector.DefaultNames(), Concurrency: 4, Now: env.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(exp.Close)
	env.srv = New(Config{
		Logger:           logger,
		Exporter:         exp,
		Source:           func() (*config.Resolved, error) { return config.Load(env.cfgFile) },
		TelemetryPath:    "/metrics",
		ScrapeTimeout:    30 * time.Second,
		TimeoutOffset:    500 * time.Millisecond,
		MaxResponseBytes: o.maxResponseBytes,
		Retries:          githubapi.RetryPolicy{Max: 1, Base: 10 * time.Millisecond, Cap: 10 * time.Millisecond},
	})
	if err := env.srv.Reload(); err != nil {
		t.Fatalf("initial reload: %v", err)
	}
	env.http = httptest.NewServer(env.srv.Handler())
	t.Cleanup(env.http.Close)
	return env
}

// accountsYAML lists the demo accounts; acme-web has a credential of its
// own, and acme-data reads with a GitHub App when the options carry a key.
func (env *faultEnv) accountsYAML() string {
	data := "  - name: acme-data\n"
	if env.opts.appKeyPEM != nil {
		data += fmt.Sprintf("    github: {credential: data-app, app: {app_id: 12345, installation_id: %d, private_key_file: app.pem}}\n", faultAppInstallation)
	}
	return fmt.Sprintf("refresh_interval: %s\nrefresh_timeout: %s\nenterprises: [{name: acme-corp}]\norganizations:\n  - name: acme-web\n    github: {credential: web}\n%susers: [{name: octocat}]\n",
		faultRefreshInterval, env.opts.refreshTimeout, data)
}

func (env *faultEnv) writeConfig(t *testing.T, accountsYAML string) {
	t.Helper()
	content := "github:\n  api_url: " + env.fake.URL + "\n  token_file: token\n" + accountsYAML
	if err := os.WriteFile(env.cfgFile, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// do sends one request to the exporter and records the answer.
func (env *faultEnv) do(t *testing.T, method, path string, header http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, env.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(req.Header, header)
	resp, err := env.http.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	env.mu.Lock()
	fmt.Fprintf(&env.served, "%s %s %d\n%s\n", method, path, resp.StatusCode, body)
	env.mu.Unlock()
	return resp.StatusCode, string(body)
}

// scrape fetches /metrics as Prometheus does with a scrape timeout of
// timeout (0: no header) and checks that it answers 200 within it.
func (env *faultEnv) scrape(t *testing.T, timeout time.Duration) faultSeries {
	t.Helper()
	var header http.Header
	if timeout > 0 {
		header = http.Header{"X-Prometheus-Scrape-Timeout-Seconds": {strconv.FormatFloat(timeout.Seconds(), 'f', -1, 64)}}
	}
	began := time.Now()
	code, body := env.do(t, http.MethodGet, "/metrics", header)
	// The exporter answers by the timeout less its offset on its own clock
	// (TestScrapeContextDeadline checks that deadline to the millisecond).
	// Seen from here, on a loaded machine, the answer may come later than
	// that; what must not happen is a wait for a hanging refresh, which
	// lasts the refresh timeout, longer than the hang case's timeout.
	if took := time.Since(began); timeout > 0 && took >= max(timeout, env.opts.refreshTimeout) {
		t.Errorf("/metrics took %v with a scrape timeout of %v: it waited for the refresh", took, timeout)
	}
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	return parseFaultSeries(body)
}

// servedText is every answer of the exporter so far.
func (env *faultEnv) servedText() string {
	env.mu.Lock()
	defer env.mu.Unlock()
	return env.served.String()
}

// logText is the exporter's log so far.
func (env *faultEnv) logText(t *testing.T) string {
	t.Helper()
	return testutil.ReadOutput(t, env.logFile)
}

// faultSeries maps a sample's name and labels, as exposed, to its value.
type faultSeries map[string]string

func parseFaultSeries(body string) faultSeries {
	s := faultSeries{}
	for line := range strings.SplitSeq(body, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		s[line[:i]] = line[i+1:]
	}
	return s
}

// selfKey is the series of one of the exporter's per-collector metrics.
func selfKey(metric, collector, scope, account string) string {
	return fmt.Sprintf(`github_billing_%s{account=%q,collector=%q,scope=%q}`, metric, account, collector, scope)
}

// faultVolatile are the series that change with every refresh, request or
// clock tick; the suite checks last_success separately.
func faultVolatile(k string) bool {
	for _, p := range []string{
		"github_billing_api_requests_total", "github_billing_api_request_duration_seconds", "github_billing_api_rate_limit_",
		"github_billing_scrape_collector_duration_seconds", "github_billing_collector_last_success_timestamp_seconds",
	} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return !strings.HasPrefix(k, "github_billing_")
}

// job is one collector of one account.
type faultJob struct{ collector, scope, account string }

// faultJobs lists every collector of every account in a scrape.
func faultJobs(s faultSeries) []faultJob {
	var jobs []faultJob
	for k := range s {
		rest, ok := strings.CutPrefix(k, "github_billing_scrape_collector_success{")
		if !ok {
			continue
		}
		var j faultJob
		for pair := range strings.SplitSeq(strings.TrimSuffix(rest, "}"), ",") {
			name, value, _ := strings.Cut(pair, "=")
			value, _ = strconv.Unquote(value)
			switch name {
			case "collector":
				j.collector = value
			case "scope":
				j.scope = value
			case "account":
				j.account = value
			}
		}
		jobs = append(jobs, j)
	}
	sort.Slice(jobs, func(a, b int) bool { return fmt.Sprint(jobs[a]) < fmt.Sprint(jobs[b]) })
	return jobs
}

// faultCase is one way GitHub fails. inject applies it to env; affected are
// the collectors of account it fails (nil: every collector of account).
type faultCase struct {
	name      string
	account   string // affected account
	scope     string
	affected  []string
	inject    func(t *testing.T, env *faultEnv)
	hang      bool     // the refresh outlasts the scrape
	retired   bool     // 410: success 1, endpoint_retired 1, data gone
	perJob    bool     // one log line per affected collector (else one in all)
	logWants  []string // every one of these is in the log line
	dataGone  string   // metric prefix of the account's series a 410 removes
	wantCalls int      // requests to the faulty path logWants[0], 0: not checked
}

const (
	webActions       = "/orgs/acme-web/settings/billing/actions"
	webSharedStorage = "/orgs/acme-web/settings/billing/shared-storage"
	webAdvSecurity   = "/orgs/acme-web/settings/billing/advanced-security"
	webUsage         = "/organizations/acme-web/settings/billing/usage"
	webUsageSummary  = "/organizations/acme-web/settings/billing/usage/summary"
	webAICredits     = "/organizations/acme-web/settings/billing/ai_credit/usage"
	webBudgets       = "/organizations/acme-web/settings/billing/budgets"
	webCopilot       = "/orgs/acme-web/copilot/billing"
	corpPremium      = "/enterprises/acme-corp/settings/billing/premium_request/usage"
	dataPackages     = "/orgs/acme-data/settings/billing/packages"
	dataActions      = "/orgs/acme-data/settings/billing/actions"
)

func overrideWith(path string, h http.HandlerFunc) func(*testing.T, *faultEnv) {
	return func(_ *testing.T, env *faultEnv) { env.fake.Override(path, h) }
}

func gitHubError(code int, message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { fakegithub.WriteError(w, code, message) }
}

// rateLimitAccount answers every path of the account (as seen while warming
// the cache) with h: GitHub limits the credential, not one endpoint.
func rateLimitAccount(account string, h func(env *faultEnv) http.HandlerFunc) func(*testing.T, *faultEnv) {
	return func(t *testing.T, env *faultEnv) {
		n := 0
		for p := range env.fake.RequestCounts() {
			if strings.Contains(p, "/"+account+"/") {
				env.fake.Override(p, h(env))
				n++
			}
		}
		if n < 5 {
			t.Fatalf("only %d paths of %s seen while warming", n, account)
		}
	}
}

var faultCases = []faultCase{
	{name: "no fault (control)", inject: func(*testing.T, *faultEnv) {}},
	{name: "500", account: "acme-web", scope: "organization", affected: []string{"actions"},
		inject:   overrideWith(webActions, gitHubError(http.StatusInternalServerError, "Server Error 7c1e")),
		logWants: []string{webActions, "500", "Server Error 7c1e"}, wantCalls: 2},
	{name: "502 with an HTML body", account: "acme-web", scope: "organization", affected: []string{"usage_summary"},
		inject: overrideWith(webUsageSummary, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		}),
		logWants: []string{webUsageSummary, "502 Bad Gateway"}, wantCalls: 2},
	{name: "503", account: "acme-corp", scope: "enterprise", affected: []string{"premium_requests"},
		inject:   overrideWith(corpPremium, gitHubError(http.StatusServiceUnavailable, "Unicorn on break 33a")),
		logWants: []string{corpPremium, "503", "Unicorn on break 33a"}, wantCalls: 2},
	{name: "hang past the timeout", account: "acme-data", scope: "organization", affected: []string{"packages"}, hang: true,
		inject: overrideWith(dataPackages, func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}),
		logWants: []string{dataPackages, "deadline exceeded"}},
	{name: "connection reset", account: "acme-web", scope: "organization", affected: []string{"shared_storage"},
		inject: overrideWith(webSharedStorage, func(w http.ResponseWriter, _ *http.Request) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
		}),
		// Not counted: net/http itself resends a GET whose reused
		// connection dies before the answer.
		logWants: []string{webSharedStorage, "EOF"}},
	{name: "truncated body", account: "acme-web", scope: "organization", affected: []string{"advanced_security"},
		inject: overrideWith(webAdvSecurity, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Length", "4096")
			fmt.Fprint(w, `{"total_advanced_security_committers": 35, "total_count": 40, "repositories": [{"name": "acme-web/ap`)
		}),
		logWants: []string{webAdvSecurity, "unexpected EOF"}},
	{name: "malformed JSON", account: "acme-web", scope: "organization", affected: []string{"usage"},
		inject: overrideWith(webUsage, func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"usageItems": [{"product": "actions", "sku": "linux", "quantity": 12,, }]}`)
		}),
		logWants: []string{webUsage, "decode"}},
	{name: "value of the wrong type", account: "acme-data", scope: "organization", affected: []string{"actions"},
		inject: overrideWith(dataActions, func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, `{"total_minutes_used": "305", "included_minutes": 3000}`)
		}),
		logWants: []string{dataActions, "decode", "cannot unmarshal string"}, wantCalls: 1},
	{name: "401", account: "acme-web", scope: "organization", affected: []string{"budgets"},
		inject:   overrideWith(webBudgets, gitHubError(http.StatusUnauthorized, "Bad credentials")),
		logWants: []string{webBudgets, "401", "Bad credentials"}},
	{name: "403 with X-Accepted-GitHub-Permissions", account: "acme-web", scope: "organization", affected: []string{"copilot", "ai_credit_pool"}, perJob: true,
		inject: overrideWith(webCopilot, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Accepted-GitHub-Permissions", "organization_copilot_seat_management=read")
			fakegithub.WriteError(w, http.StatusForbidden, "Resource not accessible by personal access token")
		}),
		logWants: []string{webCopilot, "403", "Resource not accessible by personal access token", "organization_copilot_seat_management=read"}},
	{name: "404 for an unknown account", account: "acme-data", scope: "organization", perJob: true,
		inject: func(_ *testing.T, env *faultEnv) {
			env.fake.Update(func(d *fakegithub.Dataset) { delete(d.Organizations, "acme-data") })
		},
		logWants: []string{"acme-data", "404", "Not Found"}},
	{name: "410", account: "acme-web", scope: "organization", affected: []string{"actions"}, retired: true,
		inject:   overrideWith(webActions, gitHubError(http.StatusGone, "This endpoint has been moved; see the enhanced billing platform")),
		logWants: []string{webActions, "410", "This endpoint has been moved"}, dataGone: "github_billing_actions_", wantCalls: 1},
	{name: "primary rate limit", account: "acme-web", scope: "organization",
		inject: rateLimitAccount("acme-web", func(env *faultEnv) http.HandlerFunc {
			reset := env.clock.Now().Add(time.Hour).Unix()
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Ratelimit-Remaining", "0")
				w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(reset, 10))
				fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 4242.")
			}
		}),
		logWants: []string{"credential=web", "acme-web", "primary rate limit", "API rate limit exceeded for user ID 4242."}},
	{name: "secondary rate limit", account: "acme-web", scope: "organization",
		inject: rateLimitAccount("acme-web", func(*faultEnv) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "120")
				fakegithub.WriteError(w, http.StatusTooManyRequests, "You have exceeded a secondary rate limit. Please wait a few minutes.")
			}
		}),
		logWants: []string{"credential=web", "acme-web", "secondary rate limit", "You have exceeded a secondary rate limit"}},
	{name: "body over the size cap", account: "acme-web", scope: "organization", affected: []string{"ai_credits", "ai_credit_pool"}, perJob: true,
		inject: overrideWith(webAICredits, func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprintf(w, `{"timePeriod": {"year": 2026}, "usageItems": [], "padding": %q}`, strings.Repeat("x", 2<<20))
		}),
		logWants: []string{webAICredits, "exceeds the limit of 1048576 bytes"}},
}

// faultLogLines are the log's warnings and errors.
func faultLogLines(log string) []string {
	var out []string
	for line := range strings.SplitSeq(log, "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") ||
			strings.Contains(line, "level=warn") || strings.Contains(line, "level=error") {
			out = append(out, line)
		}
	}
	return out
}

// runFaultSuite runs every fault case in an environment of its own; after
// each, more (if set) inspects the environment.
func runFaultSuite(t *testing.T, o faultOptions, more func(t *testing.T, env *faultEnv)) {
	for _, tc := range faultCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := o
			if tc.hang {
				o.refreshTimeout = hangRefreshTimeout
			}
			env := newFaultEnv(t, o)
			runFaultCase(t, env, tc)
			if more != nil {
				more(t, env)
			}
		})
	}
}

func runFaultCase(t *testing.T, env *faultEnv, tc faultCase) {
	before, jobs := warmFaultCache(t, env)
	logBefore := len(env.logText(t))
	isAffected := func(j faultJob) bool {
		return j.account == tc.account && j.scope == tc.scope && (tc.affected == nil || slices.Contains(tc.affected, j.collector))
	}
	var affected []faultJob
	for _, j := range jobs {
		if isAffected(j) {
			affected = append(affected, j)
		}
	}
	if tc.account != "" && len(affected) == 0 {
		t.Fatalf("no collector of %s %s is affected", tc.scope, tc.account)
	}

	tc.inject(t, env)
	env.fake.ResetRequests()
	env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
	refreshed := float64(env.clock.Now().Unix())
	after := scrapeAfterFault(t, env, tc, affected)

	checkFaultSuccess(t, tc, jobs, isAffected, before, after, refreshed)
	checkFaultSeriesKept(t, tc, before, after)
	checkFaultLog(t, tc, affected, faultLogLines(env.logText(t)[logBefore:]))
	// 5xx and a dropped connection are retried (once, in these tests); the
	// rest are not.
	if tc.wantCalls > 0 {
		if n := env.fake.Requests(tc.logWants[0]); n != tc.wantCalls {
			t.Errorf("%d requests to %s, want %d", n, tc.logWants[0], tc.wantCalls)
		}
	}
}

// warmFaultCache scrapes once, checks that every collector of every account
// of the demo works, and returns the series and the collectors' jobs.
func warmFaultCache(t *testing.T, env *faultEnv) (faultSeries, []faultJob) {
	t.Helper()
	before := env.scrape(t, 0)
	jobs := faultJobs(before)
	if len(jobs) < 30 {
		t.Fatalf("%d collectors and accounts, want the demo's 39", len(jobs))
	}
	for _, j := range jobs {
		if k := selfKey("scrape_collector_success", j.collector, j.scope, j.account); before[k] != "1" {
			t.Fatalf("before the fault: %s = %s", k, before[k])
		}
	}
	if before[selfKey("endpoint_retired", "actions", "user", "octocat")] != "1" {
		t.Fatal("the demo user's legacy endpoints are not retired")
	}
	return before, jobs
}

// scrapeAfterFault is the scrape that meets the fault. For a hang, the
// scrape answers in time with the last good data while the refresh goes
// on; then the refresh times out and fails.
func scrapeAfterFault(t *testing.T, env *faultEnv, tc faultCase, affected []faultJob) faultSeries {
	t.Helper()
	if !tc.hang {
		return env.scrape(t, 10*time.Second)
	}
	after := env.scrape(t, hangScrapeTimeout)
	for _, j := range affected {
		if k := selfKey("scrape_collector_success", j.collector, j.scope, j.account); after[k] != "1" {
			t.Errorf("during the hang %s = %s, want 1 (the refresh is still running)", k, after[k])
		}
	}
	deadline := time.Now().Add(4 * env.opts.refreshTimeout)
	for k := selfKey("scrape_collector_success", affected[0].collector, tc.scope, tc.account); after[k] != "0"; {
		if time.Now().After(deadline) {
			t.Fatalf("%s still %s long after the refresh timeout", k, after[k])
		}
		time.Sleep(100 * time.Millisecond)
		after = env.scrape(t, hangScrapeTimeout)
	}
	return after
}

// checkFaultSuccess: only the affected collectors changed their success and
// kept their last good fetch time; the others refreshed.
func checkFaultSuccess(t *testing.T, tc faultCase, jobs []faultJob, isAffected func(faultJob) bool, before, after faultSeries, refreshed float64) {
	t.Helper()
	wantSuccess := "0"
	if tc.retired {
		wantSuccess = "1"
	}
	for _, j := range jobs {
		success := selfKey("scrape_collector_success", j.collector, j.scope, j.account)
		last := selfKey("collector_last_success_timestamp_seconds", j.collector, j.scope, j.account)
		switch {
		case isAffected(j):
			if after[success] != wantSuccess {
				t.Errorf("%s = %s, want %s", success, after[success], wantSuccess)
			}
			if !tc.retired && after[last] != before[last] {
				t.Errorf("%s = %s, want the last good fetch %s", last, after[last], before[last])
			}
		case after[success] != "1":
			t.Errorf("unaffected %s = %s, want 1", success, after[success])
		case j.account != "octocat" || !strings.Contains("actions packages shared_storage", j.collector):
			// Retired endpoints are not called again for a day.
			if v, err := strconv.ParseFloat(after[last], 64); err != nil || v != refreshed {
				t.Errorf("unaffected %s = %s, want the new refresh at %v", last, after[last], refreshed)
			}
		}
	}
}

// checkFaultSeriesKept: every series but the volatile ones is as before,
// last good values included, except what a 410 retires.
func checkFaultSeriesKept(t *testing.T, tc faultCase, before, after faultSeries) {
	t.Helper()
	retiredKey := ""
	if tc.retired {
		retiredKey = selfKey("endpoint_retired", tc.affected[0], tc.scope, tc.account)
		if after[retiredKey] != "1" {
			t.Errorf("%s = %s, want 1", retiredKey, after[retiredKey])
		}
	}
	accountLabel := fmt.Sprintf("account=%q", tc.account)
	for k, v := range before {
		if faultVolatile(k) || strings.HasPrefix(k, "github_billing_scrape_collector_success{") || k == retiredKey {
			continue
		}
		got, ok := after[k]
		if tc.dataGone != "" && strings.HasPrefix(k, tc.dataGone) && strings.Contains(k, accountLabel) {
			if ok {
				t.Errorf("%s is still served after 410", k)
			}
			continue
		}
		if !ok {
			t.Errorf("%s = %s is gone", k, v)
		} else if got != v {
			t.Errorf("%s = %s, was %s", k, got, v)
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok && !faultVolatile(k) {
			t.Errorf("new series %s = %s", k, v)
		}
	}
}

// checkFaultLog: one clear log line (one per collector for a per-job
// fault) naming the account, the endpoint and GitHub's message.
func checkFaultLog(t *testing.T, tc faultCase, affected []faultJob, lines []string) {
	t.Helper()
	want := 1
	switch {
	case tc.account == "":
		want = 0
	case tc.perJob:
		want = len(affected)
	}
	if len(lines) != want {
		t.Fatalf("%d warning and error lines, want %d:\n%s", len(lines), want, strings.Join(lines, "\n"))
	}
	for _, line := range lines {
		for _, s := range tc.logWants {
			if !strings.Contains(line, s) {
				t.Errorf("log line lacks %q:\n%s", s, line)
			}
		}
		if !strings.Contains(line, tc.account) {
			t.Errorf("log line does not name %s:\n%s", tc.account, line)
		}
	}
	if tc.perJob {
		for _, j := range affected {
			n := 0
			for _, line := range lines {
				if strings.Contains(line, "collector="+j.collector+" ") {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d log lines for collector %s, want 1", n, j.collector)
			}
		}
	}
}

// TestFaults: each way GitHub fails costs only its collector and account
// (or its credential), the scrape answers 200 in time with the last good
// data, and one log line says what happened.
func TestFaults(t *testing.T) {
	t.Parallel() // its cases run beside the other parallel tests
	runFaultSuite(t, faultOptions{}, nil)
}

// While a primary limit blocks a credential, later refresh rounds neither
// call GitHub with it nor log again; once the limit resets, they work.
func TestRateLimitBlockAcrossRounds(t *testing.T) {
	env := newFaultEnv(t, faultOptions{})
	before := env.scrape(t, 0)
	injected := env.clock.Now()
	var webPaths []string
	for p := range env.fake.RequestCounts() {
		if strings.Contains(p, "/acme-web/") {
			webPaths = append(webPaths, p)
		}
	}
	reset := strconv.FormatInt(injected.Add(time.Hour).Unix(), 10)
	for _, p := range webPaths {
		env.fake.Override(p, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Ratelimit-Remaining", "0")
			w.Header().Set("X-Ratelimit-Reset", reset)
			fakegithub.WriteError(w, http.StatusForbidden, "API rate limit exceeded for user ID 4242.")
		})
	}
	success := selfKey("scrape_collector_success", "usage", "organization", "acme-web")
	webRequests := func() int {
		n := 0
		for p, c := range env.fake.RequestCounts() {
			if strings.Contains(p, "/acme-web/") {
				n += c
			}
		}
		return n
	}

	// Round 1 hits the limit: one warning.
	env.clock.Set(injected.Add(faultRefreshInterval + time.Minute))
	logStart := len(env.logText(t))
	if after := env.scrape(t, 10*time.Second); after[success] != "0" {
		t.Fatalf("round 1: %s = %s, want 0", success, after[success])
	}
	if lines := faultLogLines(env.logText(t)[logStart:]); len(lines) != 1 {
		t.Fatalf("round 1: %d warning and error lines, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
	}

	// Rounds 2 and 3, still blocked: no request with the credential, no
	// new line, the last good data served.
	for round := 2; round <= 3; round++ {
		env.fake.ResetRequests()
		logStart = len(env.logText(t))
		env.clock.Set(injected.Add(time.Duration(round) * (faultRefreshInterval + time.Minute)))
		after := env.scrape(t, 10*time.Second)
		if n := webRequests(); n != 0 {
			t.Errorf("round %d: %d requests for acme-web while its credential is blocked", round, n)
		}
		if lines := faultLogLines(env.logText(t)[logStart:]); len(lines) != 0 {
			t.Errorf("round %d: %d new warning and error lines, want none:\n%s", round, len(lines), strings.Join(lines, "\n"))
		}
		quantity := ""
		for k, v := range before {
			if strings.HasPrefix(k, "github_billing_usage_quantity{") && strings.Contains(k, `account="acme-web"`) {
				quantity = k
				if after[k] != v {
					t.Errorf("round %d: %s = %s, want the last good %s", round, k, after[k], v)
				}
			}
		}
		if quantity == "" {
			t.Fatal("the demo has no usage for acme-web")
		}
	}

	// After the reset GitHub answers again.
	for _, p := range webPaths {
		env.fake.Override(p, nil)
	}
	env.clock.Set(injected.Add(time.Hour + faultRefreshInterval + time.Minute))
	if after := env.scrape(t, 10*time.Second); after[success] != "1" {
		t.Errorf("after the reset: %s = %s, want 1", success, after[success])
	}
}
