// Command panelcheck checks the Grafana dashboards against a running Prometheus for
// scripts/e2e.sh. It is a Go module of its own: it parses the queries with Prometheus's
// PromQL parser (github.com/prometheus/prometheus/promql/parser), a dependency the
// exporter's module stays free of.
//
//	panelcheck validate DASHBOARD...            static checks, no Prometheus needed
//	panelcheck list DASHBOARD...                print every query after variable substitution
//	panelcheck freeport                         print a free TCP port on 127.0.0.1
//	panelcheck wait -url URL -timeout D         wait until URL answers 200
//	panelcheck check -prometheus URL -timeout D -alert NAME DASHBOARD...
//	                                            every query must return data (but for the
//	                                            allow-list) and mention only metrics and
//	                                            labels that exist, every rule must be healthy
//	                                            and the named alerts must be firing
//	panelcheck once -prometheus URL -expect 'PANEL=PROMQL' DASHBOARD...
//	                                            a panel's first query with every variable
//	                                            at All equals PROMQL, series by series
//	panelcheck value -prometheus URL -expect 'PANEL|REFID|LABELS|OP NUMBER' DASHBOARD...
//	                                            a panel query's series with those labels
//	                                            compare to NUMBER (see value.go)
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: panelcheck validate|list|freeport|wait|check|once|value [flags] [DASHBOARD...]")
		return 2
	}
	var err error
	switch args[0] {
	case "validate":
		err = cmdValidate(args[1:], stdout)
	case "list":
		err = cmdList(args[1:], stdout)
	case "freeport":
		err = cmdFreeport(stdout)
	case "wait":
		err = cmdWait(args[1:], stdout)
	case "check":
		err = cmdCheck(args[1:], stdout)
	case "once":
		err = cmdOnce(args[1:], stdout)
	case "value":
		err = cmdValue(args[1:], stdout)
	default:
		err = fmt.Errorf("unknown command %q", args[0])
	}
	if err != nil {
		fmt.Fprintln(stderr, "panelcheck:", err)
		return 1
	}
	return 0
}

func loadAll(paths []string) ([]*dashboard, error) {
	if len(paths) == 0 {
		return nil, errors.New("no dashboard files given")
	}
	var out []*dashboard
	for _, p := range paths {
		d, err := loadDashboard(p)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// validateAll runs the static checks on every dashboard and checks that each allow-list entry
// names a panel that exists, so the list cannot go stale.
func validateAll(ds []*dashboard) []error {
	var errs []error
	uids := map[string]string{}
	panels := map[string]bool{}
	for _, d := range ds {
		errs = append(errs, d.validate()...)
		if prev, dup := uids[d.UID]; dup && d.UID != "" {
			errs = append(errs, fmt.Errorf("%s and %s share the uid %q", prev, d.file, d.UID))
		}
		uids[d.UID] = d.file
		for _, q := range d.queries() {
			panels[q.key()] = true
		}
	}
	for key := range allowedEmpty {
		if !panels[key] {
			errs = append(errs, fmt.Errorf("allow-list entry %q names no panel of the dashboards checked", key))
		}
	}
	return errs
}

func cmdValidate(args []string, stdout io.Writer) error {
	ds, err := loadAll(args)
	if err != nil {
		return err
	}
	errs := validateAll(ds)
	for _, e := range errs {
		fmt.Fprintln(stdout, "FAIL", e)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d problem(s) in the dashboards", len(errs))
	}
	n := 0
	for _, d := range ds {
		n += len(d.queries())
	}
	fmt.Fprintf(stdout, "ok: %d dashboards, %d queries\n", len(ds), n)
	return nil
}

func cmdList(args []string, stdout io.Writer) error {
	ds, err := loadAll(args)
	if err != nil {
		return err
	}
	for _, d := range ds {
		for _, q := range d.queries() {
			expr, err := substitute(q.Expr)
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			fmt.Fprintf(stdout, "%s\n\t%s\n", q, strings.Join(strings.Fields(expr), " "))
		}
	}
	return nil
}

func cmdFreeport(stdout io.Writer) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Fprintln(stdout, l.Addr().(*net.TCPAddr).Port)
	return nil
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

func cmdWait(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("wait", flag.ContinueOnError)
	target := fs.String("url", "", "URL that must answer 200")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to wait")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	var last error
	for time.Now().Before(deadline) {
		resp, err := httpClient.Get(*target)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body) // drain for keep-alive; the status decides
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Fprintf(stdout, "ok: %s\n", *target)
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %w", *target, *timeout, last)
}

// apiResponse is the envelope of Prometheus's HTTP API.
type apiResponse struct {
	Status    string          `json:"status"`
	ErrorType string          `json:"errorType"`
	Error     string          `json:"error"`
	Data      json.RawMessage `json:"data"`
}

func apiGet(base, path string, params url.Values) (json.RawMessage, error) {
	u := strings.TrimRight(base, "/") + path
	if params != nil {
		u += "?" + params.Encode()
	}
	resp, err := httpClient.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("GET %s: %s, undecodable body: %w", path, resp.Status, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("%s: %s", r.ErrorType, r.Error)
	}
	return r.Data, nil
}

// instantQuery runs expr at the current time and returns the label sets of its result
// (one empty set for a scalar or string result).
func instantQuery(base, expr string) ([]map[string]string, error) {
	data, err := apiGet(base, "/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return nil, err
	}
	var res struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, err
	}
	switch res.ResultType {
	case "vector", "matrix":
		var series []struct {
			Metric map[string]string `json:"metric"`
		}
		if err := json.Unmarshal(res.Result, &series); err != nil {
			return nil, err
		}
		out := make([]map[string]string, len(series))
		for i, s := range series {
			out[i] = s.Metric
		}
		return out, nil
	case "scalar", "string":
		return []map[string]string{{}}, nil
	}
	return nil, fmt.Errorf("unexpected result type %q", res.ResultType)
}

// checkQuery returns nil when q returns data carrying the labels it groups by and shows, and
// every metric and label name it mentions exists (see checkNames). An empty result is reported
// as exactly "empty result", which the allow-list can excuse.
func checkQuery(base string, q query) error {
	expr, err := substitute(q.Expr)
	if err != nil {
		return err
	}
	series, err := instantQuery(base, expr)
	if err != nil {
		return fmt.Errorf("query failed: %w", err)
	}
	if len(series) == 0 {
		return errors.New("empty result")
	}
	want, err := expectedLabels(q)
	if err != nil {
		return err
	}
	for _, l := range want {
		found := false
		for _, s := range series {
			if s[l] != "" {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("no result series has the label %q", l)
		}
	}
	return checkNames(base, expr)
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parseEmptyDashboards reads -allow-empty-dashboard's UID=REASON values.
func parseEmptyDashboards(values []string) (map[string]string, error) {
	reasons := map[string]string{}
	for _, e := range values {
		uid, reason, ok := strings.Cut(e, "=")
		if !ok || uid == "" || reason == "" {
			return nil, fmt.Errorf("-allow-empty-dashboard %q: want UID=REASON", e)
		}
		reasons[uid] = reason
	}
	return reasons, nil
}

// allowedEmptyReason is why q may return no data: its allow-list entry, else
// its dashboard's -allow-empty-dashboard reason, else "" (it must have data).
func allowedEmptyReason(q query, dashboards map[string]string) string {
	if r := allowedEmpty[q.key()]; r != "" {
		return r
	}
	return dashboards[q.Dashboard]
}

func cmdCheck(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	base := fs.String("prometheus", "", "Prometheus base URL, e.g. http://127.0.0.1:9090")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to keep retrying failing checks")
	var alerts multiFlag
	fs.Var(&alerts, "alert", "alert name that must be firing (repeatable)")
	var emptyDashboards multiFlag
	fs.Var(&emptyDashboards, "allow-empty-dashboard", "UID=REASON: every panel of the dashboard with that uid may return no data, for that reason (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *base == "" {
		return errors.New("-prometheus is required")
	}
	emptyReasons, err := parseEmptyDashboards(emptyDashboards)
	if err != nil {
		return err
	}
	ds, err := loadAll(fs.Args())
	if err != nil {
		return err
	}
	if errs := validateAll(ds); len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintln(stdout, "FAIL", e)
		}
		return fmt.Errorf("%d problem(s) in the dashboards", len(errs))
	}

	type check struct {
		name    string
		allowed string // reason an empty result is acceptable, or ""
		run     func() error
		err     error
		done    bool
	}
	var checks []*check
	for _, d := range ds {
		for _, q := range d.queries() {
			checks = append(checks, &check{
				name:    "query " + q.String(),
				allowed: allowedEmptyReason(q, emptyReasons),
				run:     func() error { return checkQuery(*base, q) },
			})
		}
	}
	checks = append(checks, &check{name: "every rule evaluates without error", run: func() error { return rulesHealthy(*base) }})
	for _, a := range alerts {
		checks = append(checks, &check{name: "alert " + a + " firing", run: func() error { return alertFiring(*base, a) }})
	}

	// Data arrives over several scrapes and rule evaluations: retry what fails until the
	// deadline, then report.
	deadline := time.Now().Add(*timeout)
	for {
		pending := 0
		for _, c := range checks {
			if c.done {
				continue
			}
			c.err = c.run()
			if c.err == nil {
				c.done = true
			} else if c.allowed != "" && c.err.Error() == "empty result" {
				c.done = true // final answer; reported as allowed
			} else {
				pending++
			}
		}
		if pending == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}

	var failed, allowed, passed int
	for _, c := range checks {
		switch {
		case c.err == nil:
			passed++
			fmt.Fprintf(stdout, "ok    %s\n", c.name)
		case c.allowed != "" && c.err.Error() == "empty result":
			allowed++
			fmt.Fprintf(stdout, "empty %s (allowed: %s)\n", c.name, c.allowed)
		default:
			failed++
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", c.name, c.err)
		}
	}
	fmt.Fprintf(stdout, "panelcheck: %d passed, %d failed, %d allowed empty\n", passed, failed, allowed)
	if failed > 0 {
		return fmt.Errorf("%d check(s) failed", failed)
	}
	return nil
}

// rulesHealthy fails while any rule has not been evaluated yet or its last evaluation failed
// (for example a many-to-many match that only shows with real data).
func rulesHealthy(base string) error {
	data, err := apiGet(base, "/api/v1/rules", nil)
	if err != nil {
		return err
	}
	var r struct {
		Groups []struct {
			Name  string `json:"name"`
			File  string `json:"file"`
			Rules []struct {
				Name      string `json:"name"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	if len(r.Groups) == 0 {
		return errors.New("no rules are loaded in Prometheus")
	}
	var bad []string
	n := 0
	for _, g := range r.Groups {
		for _, rule := range g.Rules {
			n++
			if rule.Health != "ok" {
				bad = append(bad, fmt.Sprintf("%s: %s %s", rule.Name, rule.Health, rule.LastError))
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%d of %d rules unhealthy: %s", len(bad), n, strings.Join(bad, "; "))
	}
	return nil
}

func alertFiring(base, name string) error {
	data, err := apiGet(base, "/api/v1/alerts", nil)
	if err != nil {
		return err
	}
	var r struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return err
	}
	var seen []string
	for _, a := range r.Alerts {
		if a.Labels["alertname"] == name && a.State == "firing" {
			return nil
		}
		seen = append(seen, a.Labels["alertname"]+"="+a.State)
	}
	sort.Strings(seen)
	return fmt.Errorf("not firing; active alerts: [%s]", strings.Join(seen, ", "))
}

// expectArgs are the flags and dashboards of the commands that check panels against -expect
// values (once, value).
type expectArgs struct {
	base    string
	timeout time.Duration
	expects []string
	ds      []*dashboard
}

func parseExpectArgs(name, expectUsage string, args []string) (expectArgs, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	base := fs.String("prometheus", "", "Prometheus base URL")
	timeout := fs.Duration("timeout", 60*time.Second, "how long to keep retrying")
	var expects multiFlag
	fs.Var(&expects, "expect", expectUsage)
	if err := fs.Parse(args); err != nil {
		return expectArgs{}, err
	}
	if *base == "" || len(expects) == 0 {
		return expectArgs{}, errors.New("-prometheus and at least one -expect are required")
	}
	ds, err := loadAll(fs.Args())
	if err != nil {
		return expectArgs{}, err
	}
	return expectArgs{base: *base, timeout: *timeout, expects: expects, ds: ds}, nil
}

// run runs check(i) for each of n checks, every two seconds, until all pass in one round or
// the timeout has passed, then writes a line for each, "ok    NAME" or "FAIL  NAME: error"
// (name(i)); when any failed, its error is failure with how many did.
func (a expectArgs) run(stdout io.Writer, n int, name func(i int) string, check func(i int) error, failure string) error {
	errs := make([]error, n)
	deadline := time.Now().Add(a.timeout)
	for {
		failed := 0
		for i := range n {
			if errs[i] = check(i); errs[i] != nil {
				failed++
			}
		}
		if failed == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Second)
	}
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			fmt.Fprintf(stdout, "FAIL  %s: %v\n", name(i), err)
		} else {
			fmt.Fprintf(stdout, "ok    %s\n", name(i))
		}
	}
	if failed > 0 {
		return fmt.Errorf(failure, failed)
	}
	return nil
}
