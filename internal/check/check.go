// Package check asks GitHub, once per account and enabled collector, whether
// the collector can work, and says what to do when it cannot: the check
// command (github-billing-exporter check) run before going live. Each probe
// is one GET of the first endpoint the collector asks of its own (from the
// collector's request declarations, collector.Factory.Requests), sent once
// without a retry; the answer's status is classified, its body never read.
package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Class is what a probe found.
type Class string

// The classes of a probe's answer. Only Works means the collector can work.
const (
	Works             Class = "works"
	MissingPermission Class = "missing permission"
	TokenRefused      Class = "token refused"
	NoSuchAccount     Class = "no such account or not visible to this token"
	NotOnServer       Class = "not on this server (GitHub Enterprise Server)"
	Retired           Class = "retired on this server"
	RateLimited       Class = "rate limited"
	NetworkError      Class = "network error"
	ServerError       Class = "GitHub server error"
	Unexpected        Class = "unexpected answer"
)

// Probe is one request of the check: a collector's endpoint for an account.
type Probe struct {
	Target    collector.Target
	Collector collector.Factory
	Call      collector.Call
}

// Config is what the check asks, and how.
type Config struct {
	Targets []collector.Target
	// Collectors are the enabled collectors, in the table's order.
	Collectors []collector.Factory
	// Explicit are the collectors the command line names, whose flag
	// overrides a server's default (collector.Target.Runs).
	Explicit map[string]bool
	Options  collector.Options
	// Servers are the kinds of GitHub the accounts' credentials are on
	// (config.Credential.Server): a billing-platform 404 on GitHub
	// Enterprise Server means the endpoint is not there.
	Servers map[githubapi.Account]githubapi.Server
	// Concurrency is how many probes are in flight at once (at least 1).
	Concurrency int
	// Timeout bounds each probe.
	Timeout time.Duration
	// Now is the clock of the month a month-to-date report is asked for.
	Now func() time.Time
}

// Plan is every probe of the configuration: one per account and enabled
// collector that applies to the account's scope and runs for the account
// (neither its collectors block nor its server's default turns it off),
// accounts in the configuration's order, collectors in the table's.
func Plan(cfg Config) []Probe {
	var out []Probe
	for _, t := range cfg.Targets {
		for _, f := range cfg.Collectors {
			if !t.Runs(f, cfg.Explicit[f.Name]) {
				continue
			}
			if call, ok := probeCall(f, t.Account.Scope, cfg.Options); ok {
				out = append(out, Probe{Target: t, Collector: f, Call: call})
			}
		}
	}
	return out
}

// probeCall is the request that stands for the collector: the first call
// it declares that it does not share with other collectors, else its first
// call. A call whose path needs a value of another answer ({budget_id})
// cannot be asked alone and is passed over.
func probeCall(f collector.Factory, scope githubapi.Scope, o collector.Options) (collector.Call, bool) {
	var first *collector.Call
	for _, c := range f.Calls(collector.Shape{Scope: scope, Options: o}) {
		if strings.Contains(c.Endpoint, "{") {
			continue
		}
		if !c.Shared {
			return c, true
		}
		if first == nil {
			first = &c
		}
	}
	if first == nil {
		return collector.Call{}, false
	}
	return *first, true
}

// periodEndpoints are the month-to-date reports: asked for the current
// month, as the collectors ask them. The usage report is asked for one
// day, the smallest answer it has.
var periodEndpoints = map[string]bool{
	"/settings/billing/usage":                 true,
	"/settings/billing/usage/summary":         true,
	"/settings/billing/premium_request/usage": true,
	"/settings/billing/ai_credit/usage":       true,
}

// query is the probe's query: the month (and for the usage report, the
// day) of now for a report, one entry a page for any other endpoint.
func query(c collector.Call, now time.Time) url.Values {
	if strings.HasPrefix(c.Endpoint, "/copilot/metrics/reports/") {
		// A one-day usage-metrics report takes a day and no paging; five
		// days back GitHub's lag of three to four days has passed.
		return url.Values{"day": {now.UTC().AddDate(0, 0, -5).Format(time.DateOnly)}}
	}
	if !periodEndpoints[c.Endpoint] {
		return url.Values{"per_page": {"1"}}
	}
	now = now.UTC()
	q := url.Values{"year": {strconv.Itoa(now.Year())}, "month": {strconv.Itoa(int(now.Month()))}}
	if c.Endpoint == "/settings/billing/usage" {
		q.Set("day", strconv.Itoa(now.Day()))
	}
	return q
}

// Row is one probe's outcome.
type Row struct {
	Account   githubapi.Account
	Collector string
	// Endpoint is the request's path after the API root.
	Endpoint string
	Class    Class
	// Status is the answer's HTTP status, 0 when none came.
	Status int
	// Action says what to do, "" when the collector works.
	Action string
	// Message is GitHub's message, or the error, scrubbed of credentials.
	Message string
	// AcceptedPermissions is GitHub's X-Accepted-GitHub-Permissions.
	AcceptedPermissions string
}

// OK says whether the collector can work for the account.
func (r Row) OK() bool { return r.Class == Works }

// Run sends the probes, at most cfg.Concurrency at once, and classifies
// each answer; the rows are in the probes' order.
func Run(ctx context.Context, cfg Config, probes []Probe) []Row {
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	rows := make([]Row, len(probes))
	slots := make(chan struct{}, max(1, cfg.Concurrency))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			pctx, cancel := ctx, context.CancelFunc(func() {})
			if cfg.Timeout > 0 {
				pctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
			}
			defer cancel()
			err := p.Target.Client.Probe(pctx, p.Target.Account, p.Call.Endpoint, p.Call.Platform, query(p.Call, now()))
			rows[i] = classify(p, err, cfg.Servers[p.Target.Account] == githubapi.ServerEnterpriseServer)
		})
	}
	wg.Wait()
	accountsThatExist(probes, rows)
	return rows
}

// classify turns a probe's outcome into a row.
func classify(p Probe, err error, enterpriseServer bool) Row {
	r := Row{Account: p.Target.Account, Collector: p.Collector.Name, Endpoint: p.Call.Path(p.Target.Account), Class: Works}
	if err == nil {
		return r
	}
	r.Message = err.Error()
	if apiErr, ok := errors.AsType[*githubapi.APIError](err); ok {
		r.Status, r.Message, r.AcceptedPermissions = apiErr.StatusCode, apiErr.Message, apiErr.AcceptedPermissions
	}
	switch githubapi.Reason(err) {
	case "rate limited":
		r.Class, r.Action = RateLimited, "run the check again after GitHub's reset"
		if limit, ok := errors.AsType[*githubapi.RateLimitError](err); ok {
			r.Action = "run the check again after " + limit.Until.UTC().Format("15:04:05") + " UTC"
		}
	case "token refused":
		r.Class = TokenRefused
		r.Action = fmt.Sprintf("the token of credential %q is wrong, expired or revoked: replace it", p.Target.Client.Credential())
	case "missing permission":
		r.Class = MissingPermission
		g, _ := GrantFor(p.Collector.Name, p.Target.Account.Scope)
		r.Action = "grant " + g.String()
		if r.AcceptedPermissions != "" {
			r.Action += "; GitHub asks for: " + r.AcceptedPermissions
		}
	case "not found":
		if enterpriseServer && p.Call.Platform {
			r.Class, r.Action = NotOnServer, turnOff(p.Collector)
		} else {
			r.Class, r.Action = NoSuchAccount, noSuchAccount(p.Target.Account)
		}
	case "retired":
		r.Class, r.Action = Retired, turnOff(p.Collector)
	case "GitHub server error":
		r.Class, r.Action = ServerError, "GitHub failed to answer: run the check again"
	case "refused by GitHub":
		r.Class, r.Action = Unexpected, "see GitHub's message"
	default:
		// No answer came (the probe reads no body to refuse).
		r.Class, r.Action = NetworkError, "check the API URL, the proxy and the network, then run the check again"
	}
	return r
}

// noSuchAccount says what to do about an account GitHub does not show.
func noSuchAccount(a githubapi.Account) string {
	return fmt.Sprintf("check the %s name %q in the configuration, and that the token's owner can see it", a.Scope, a.Name)
}

// turnOff says how to turn the collector off.
func turnOff(f collector.Factory) string {
	if f.DefaultEnabled {
		return "turn the collector off: --no-" + f.FlagName()
	}
	return "turn the collector off: drop --" + f.FlagName()
}

// accountsThatExist applies the GitHub Enterprise Server rule's exception:
// a billing-platform 404 means "not on this server" only while the account
// exists. When every probe of an account answered 404, the per-product
// endpoints (which a server has) among them, the account is what is
// missing.
func accountsThatExist(probes []Probe, rows []Row) {
	type state struct{ all404, perProduct bool }
	accounts := map[githubapi.Account]*state{}
	for i, p := range probes {
		s := accounts[p.Target.Account]
		if s == nil {
			s = &state{all404: true}
			accounts[p.Target.Account] = s
		}
		if rows[i].Status != http.StatusNotFound {
			s.all404 = false
		}
		if !p.Call.Platform {
			s.perProduct = true
		}
	}
	for i, p := range probes {
		if s := accounts[p.Target.Account]; rows[i].Class == NotOnServer && s.all404 && s.perProduct {
			rows[i].Class, rows[i].Action = NoSuchAccount, noSuchAccount(p.Target.Account)
		}
	}
}
