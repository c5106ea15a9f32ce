package main

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	toks, err := tokenize(`rate(a:b_c{x=~"a{b}\"c", y!='z'}[5m:1m]) >= 0.5e3 # comment (d)`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range toks {
		got = append(got, tok.text)
	}
	want := []string{"rate", "(", "a:b_c", "{", "x", "=~", `"a{b}\"c"`, ",", "y", "!=", `'z'`, "}", "[5m:1m]", ")", ">=", "0.5e3"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tokenize = %q\nwant       %q", got, want)
	}
	for _, bad := range []string{`x{a="b}`, `rate(x[5m)`} {
		if _, err := tokenize(bad); err == nil {
			t.Errorf("tokenize(%q): want an error", bad)
		}
	}
}

func TestExtractNames(t *testing.T) {
	for _, c := range []struct {
		expr string
		want queryNames
	}{
		{
			// The reviewer's first example: a misspelt metric after unless still returns data.
			expr: `max(time() - github_billing_collector_last_success_timestamp_seconds{scope=~".+"} unless on (collector, scope, account) github_billing_endpoint_retird == 1)`,
			want: queryNames{
				Metrics:  []string{"github_billing_collector_last_success_timestamp_seconds", "github_billing_endpoint_retird"},
				Matchers: []labelUse{{"github_billing_collector_last_success_timestamp_seconds", "scope"}},
				Grouping: []string{"collector", "scope", "account"},
			},
		},
		{
			// The reviewer's second example: a misspelt label in a negative matcher.
			expr: `sum by (endpoint, code) (rate(github_billing_api_requests_total{cod!~"2..|304"}[1m]))`,
			want: queryNames{
				Metrics:  []string{"github_billing_api_requests_total"},
				Matchers: []labelUse{{"github_billing_api_requests_total", "cod"}},
				Grouping: []string{"endpoint", "code"},
			},
		},
		{
			// A histogram's series are named ..._bucket: the name is checked as written.
			expr: `histogram_quantile(0.95, sum by (endpoint, le) (rate(github_billing_api_request_duration_seconds_bucket[1m])))`,
			want: queryNames{
				Metrics:  []string{"github_billing_api_request_duration_seconds_bucket"},
				Grouping: []string{"endpoint", "le"},
			},
		},
		{
			// label_replace creates its target label; its other strings are not labels.
			expr: `label_replace(sum by (organization) (github_billing:usage_net_amount_usd:sum_by_organization{scope="enterprise", account=~".+"}), "organization", "(none)", "organization", "")`,
			want: queryNames{
				Metrics:  []string{"github_billing:usage_net_amount_usd:sum_by_organization"},
				Matchers: []labelUse{{"github_billing:usage_net_amount_usd:sum_by_organization", "scope"}, {"github_billing:usage_net_amount_usd:sum_by_organization", "account"}},
				Grouping: []string{"organization"},
				Produced: []string{"organization"},
			},
		},
		{
			// Trailing grouping, group_left with and without labels, label_join, count_values
			// with its grouping before the arguments, a bare {...} selector, offset and bool.
			expr: `sum(a{job="x"}) without (instance) * on (k) group_left (extra) label_join(b, "joined", ",", "p", "q") ` +
				`+ on () group_left count_values by (k) ("value", c offset 5m) > bool 1 or {__name__="d", e="f"}`,
			want: queryNames{
				Metrics:  []string{"a", "b", "c"},
				Matchers: []labelUse{{"a", "job"}, {"", "e"}},
				Grouping: []string{"instance", "k", "extra"},
				Produced: []string{"joined", "value"},
			},
		},
		{
			expr: `github_billing:month_elapsed:seconds / github_billing:month_length:seconds`,
			want: queryNames{Metrics: []string{"github_billing:month_elapsed:seconds", "github_billing:month_length:seconds"}},
		},
	} {
		got, err := extractNames(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got.seen = nil
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("extractNames(%s)\n got %+v\nwant %+v", c.expr, got, c.want)
		}
	}
}

// Every dashboard query must extract, and only metric names: a function or keyword taken
// for a metric would fail against Prometheus with a confusing "has no series".
func TestRepositoryDashboardNames(t *testing.T) {
	ds, err := loadAll(repoDashboards(t))
	if err != nil {
		t.Fatal(err)
	}
	metricRE := regexp.MustCompile(`^(github_billing[_:][a-zA-Z0-9_:]+|ALERTS)$`)
	for _, d := range ds {
		for _, q := range d.queries() {
			expr, err := substitute(q.Expr)
			if err != nil {
				t.Fatal(err)
			}
			n, err := extractNames(expr)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			if len(n.Metrics) == 0 {
				t.Errorf("%s: no metric found in %s", q, expr)
			}
			for _, m := range n.Metrics {
				if !metricRE.MatchString(m) {
					t.Errorf("%s: %q taken for a metric name", q, m)
				}
			}
		}
	}
}

func TestCheckNames(t *testing.T) {
	srv := fakePrometheus(t, nil, map[string][]string{
		"github_billing_endpoint_retired":                         {"__name__", "account", "collector", "scope"},
		"github_billing_collector_last_success_timestamp_seconds": {"__name__", "account", "collector", "scope"},
		"github_billing_api_requests_total":                       {"__name__", "code", "endpoint"},
		"github_billing:usage_net_amount_usd:sum_by_organization": {"__name__", "account", "scope"},
	})
	defer srv.Close()
	for _, c := range []struct {
		expr string
		want []string // substrings of the error; none for a pass
	}{
		{`time() - github_billing_collector_last_success_timestamp_seconds{scope=~".+"} unless on (collector, scope, account) github_billing_endpoint_retired == 1`, nil},
		{`time() - github_billing_collector_last_success_timestamp_seconds{scope=~".+"} unless on (collector, scope, account) github_billing_endpoint_retird == 1`,
			[]string{"metric github_billing_endpoint_retird has no series"}},
		{`sum by (endpoint, code) (rate(github_billing_api_requests_total{code!~"2..|304"}[1m]))`, nil},
		{`sum by (endpoint, code) (rate(github_billing_api_requests_total{cod!~"2..|304"}[1m]))`,
			[]string{"label cod in a matcher is on no series of github_billing_api_requests_total"}},
		// A matcher label must be on its own selector's metric, not just on some metric.
		{`github_billing_api_requests_total{scope="x"} or github_billing_endpoint_retired`,
			[]string{"label scope in a matcher is on no series of github_billing_api_requests_total"}},
		{`sum by (endpont) (github_billing_api_requests_total)`, []string{"label endpont in by/"}},
		{`sum(github_billing_api_requests_total) without (cod)`, []string{"label cod in by/"}},
		// organization is absent from the series (the demo's usage can have none) but created.
		{`label_replace(sum by (organization) (github_billing:usage_net_amount_usd:sum_by_organization), "organization", "(none)", "organization", "")`, nil},
		{`{__name__="github_billing_api_requests_total", cod="200"} + on (endpoint) github_billing_api_requests_total`,
			[]string{"label cod in a matcher is on no series of the query's metrics"}},
	} {
		err := checkNames(srv.URL, c.expr)
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: unexpected error %v", c.expr, err)
		case c.want != nil && err == nil:
			t.Errorf("%s: no error, want %q", c.expr, c.want)
		case c.want != nil:
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: error %v, want it to contain %q", c.expr, err, w)
				}
			}
		}
	}
}
