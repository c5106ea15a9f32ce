package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// Each expectation is read off the query by hand: the metrics are the selectors' names (or
// their __name__="..." matcher), the matchers are the other label names inside each
// selector's braces, the grouping labels are those in by/without/on/ignoring/group_*, and
// the produced labels are label_replace's and label_join's second argument and count_values'
// first. Every list is sorted.
func TestExtractNames(t *testing.T) {
	for _, c := range []struct {
		name string
		expr string
		want queryNames
	}{
		{
			name: "misspelt metric after unless still returns data",
			expr: `max(time() - github_billing_collector_last_success_timestamp_seconds{scope=~".+"} unless on (collector, scope, account) github_billing_endpoint_retird == 1)`,
			want: queryNames{
				Metrics:  []string{"github_billing_collector_last_success_timestamp_seconds", "github_billing_endpoint_retird"},
				Matchers: []labelUse{{"github_billing_collector_last_success_timestamp_seconds", "scope"}},
				Grouping: []string{"account", "collector", "scope"},
			},
		},
		{
			name: "misspelt label in a negative matcher",
			expr: `sum by (endpoint, code) (rate(github_billing_api_requests_total{cod!~"2..|304"}[1m]))`,
			want: queryNames{
				Metrics:  []string{"github_billing_api_requests_total"},
				Matchers: []labelUse{{"github_billing_api_requests_total", "cod"}},
				Grouping: []string{"code", "endpoint"},
			},
		},
		{
			name: "a histogram's series are named _bucket: the name is kept as written",
			expr: `histogram_quantile(0.95, sum by (endpoint, le) (rate(github_billing_api_request_duration_seconds_bucket[1m])))`,
			want: queryNames{
				Metrics:  []string{"github_billing_api_request_duration_seconds_bucket"},
				Grouping: []string{"endpoint", "le"},
			},
		},
		{
			name: "label_replace creates its target label; its other strings are not names",
			expr: `label_replace(sum by (organization) (github_billing:usage_net_amount_usd:sum_by_organization{scope="enterprise", account=~".+"}), "organization", "(none)", "organization", "")`,
			want: queryNames{
				Metrics:  []string{"github_billing:usage_net_amount_usd:sum_by_organization"},
				Matchers: []labelUse{{"github_billing:usage_net_amount_usd:sum_by_organization", "account"}, {"github_billing:usage_net_amount_usd:sum_by_organization", "scope"}},
				Grouping: []string{"organization"},
				Produced: []string{"organization"},
			},
		},
		{
			name: "recording rule names with colons",
			expr: `github_billing:month_elapsed:seconds / github_billing:month_length:seconds`,
			want: queryNames{Metrics: []string{"github_billing:month_elapsed:seconds", "github_billing:month_length:seconds"}},
		},
		{
			// The tokenizer took Inf for a metric and failed the query with "metric Inf has no
			// series". Inf, -inf and NaN are numbers in any case.
			name: "clamp_max(x, Inf): x is the metric, Inf a number",
			expr: `clamp_max(x, Inf)`,
			want: queryNames{Metrics: []string{"x"}},
		},
		{
			name: "inf and nan in any case are numbers",
			expr: `clamp_min(x, -inf) > -Inf or y * NaN + nan`,
			want: queryNames{Metrics: []string{"x", "y"}},
		},
		{
			// The tokenizer saw no metric in a quoted UTF-8 name.
			name: "quoted UTF-8 metric name",
			expr: `{"quoted.name"}`,
			want: queryNames{Metrics: []string{"quoted.name"}},
		},
		{
			// The tokenizer saw the job matcher but attached it to no metric.
			name: "quoted UTF-8 metric name with a matcher",
			expr: `{"quoted.name", job="x"}`,
			want: queryNames{
				Metrics:  []string{"quoted.name"},
				Matchers: []labelUse{{"quoted.name", "job"}},
			},
		},
		{
			name: "quoted UTF-8 label names in a matcher and in by",
			expr: `sum by ("label.b") (rate({"quoted.name", "label.a"="1"}[5m]))`,
			want: queryNames{
				Metrics:  []string{"quoted.name"},
				Matchers: []labelUse{{"quoted.name", "label.a"}},
				Grouping: []string{"label.b"},
			},
		},
		{
			name: "__name__ equal matcher names the metric; the matchers belong to it",
			expr: `{__name__="d", e="f"}`,
			want: queryNames{Metrics: []string{"d"}, Matchers: []labelUse{{"d", "e"}}},
		},
		{
			name: "a regular expression on __name__ names no single metric",
			expr: `count({__name__=~"github_billing_.+", scope="x"}) + count({__name__!="a", job="y"})`,
			want: queryNames{Matchers: []labelUse{{"", "job"}, {"", "scope"}}},
		},
		{
			name: "on (a) group_left (b)",
			expr: `m1 * on (a) group_left (b) m2`,
			want: queryNames{Metrics: []string{"m1", "m2"}, Grouping: []string{"a", "b"}},
		},
		{
			name: "ignoring (x) group_right (y, z)",
			expr: `m1 / ignoring (x) group_right (y, z) m2`,
			want: queryNames{Metrics: []string{"m1", "m2"}, Grouping: []string{"x", "y", "z"}},
		},
		{
			name: "group_left without labels and on () add nothing",
			expr: `m1 + on () group_left m2`,
			want: queryNames{Metrics: []string{"m1", "m2"}},
		},
		{
			name: "sum by (x)",
			expr: `sum by (x) (m)`,
			want: queryNames{Metrics: []string{"m"}, Grouping: []string{"x"}},
		},
		{
			name: "without, before and after the arguments",
			expr: `sum without (instance, job) (m) + sum(n) without (zone)`,
			want: queryNames{Metrics: []string{"m", "n"}, Grouping: []string{"instance", "job", "zone"}},
		},
		{
			name: "subqueries",
			expr: `max_over_time(rate(m{code="200"}[5m])[1h:5m]) + min_over_time((sum by (k) (n))[30m:])`,
			want: queryNames{
				Metrics:  []string{"m", "n"},
				Matchers: []labelUse{{"m", "code"}},
				Grouping: []string{"k"},
			},
		},
		{
			name: "offset and @",
			expr: `m offset 1d - m offset -5m + rate(n[5m] offset 1w) + m @ end()`,
			want: queryNames{Metrics: []string{"m", "n"}},
		},
		{
			name: "label_join, count_values with its grouping, bool and or",
			expr: `sum(a{job="x"}) without (instance) * on (k) group_left (extra) label_join(b, "joined", ",", "p", "q") ` +
				`+ on () group_left count_values by (k) ("value", c offset 5m) > bool 1 or {__name__="d", e="f"}`,
			want: queryNames{
				Metrics:  []string{"a", "b", "c", "d"},
				Matchers: []labelUse{{"a", "job"}, {"d", "e"}},
				Grouping: []string{"extra", "instance", "k"},
				Produced: []string{"joined", "value"},
			},
		},
		{
			name: "numeric parameters, functions without a selector, strings and comments name nothing",
			expr: `topk(5, m) or quantile(0.9, n) or vector(time()) or label_replace(p, "dst", "$1", "src", "(.*)") # other_metric{x="y"}`,
			want: queryNames{Metrics: []string{"m", "n", "p"}, Produced: []string{"dst"}},
		},
		{
			name: "ALERTS and absent()",
			expr: `ALERTS{alertstate="firing"} or absent(nonexistent{job="x"})`,
			want: queryNames{
				Metrics:  []string{"ALERTS", "nonexistent"},
				Matchers: []labelUse{{"ALERTS", "alertstate"}, {"nonexistent", "job"}},
			},
		},
	} {
		got, err := extractNames(c.expr)
		if err != nil {
			t.Errorf("%s: %s: %v", c.name, c.expr, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: extractNames(%s)\n got %+v\nwant %+v", c.name, c.expr, got, c.want)
		}
	}
}

// Grafana's variables are not PromQL: the parser refuses them, and after substitute the same
// query parses, its names intact ($scope and ${account} become ".+", $__range 5m, $__range_s 300).
func TestExtractNamesAfterGrafanaVariables(t *testing.T) {
	raw := `sum by (scope) (increase(m{account=~"$account", scope=~"${scope}"}[$__range])) / $__range_s + rate(n[$__rate_interval])`
	if _, err := extractNames(raw); err == nil || !strings.Contains(err.Error(), "not valid PromQL") {
		t.Errorf("extractNames of a query with Grafana variables: %v, want a parse error", err)
	}
	expr, err := substitute(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := `sum by (scope) (increase(m{account=~".+", scope=~".+"}[5m])) / 300 + rate(n[1m])`; expr != want {
		t.Fatalf("substitute = %s, want %s", expr, want)
	}
	got, err := extractNames(expr)
	if err != nil {
		t.Fatal(err)
	}
	want := queryNames{
		Metrics:  []string{"m", "n"},
		Matchers: []labelUse{{"m", "account"}, {"m", "scope"}},
		Grouping: []string{"scope"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("extractNames(%s)\n got %+v\nwant %+v", expr, got, want)
	}
}

func TestExtractNamesRejectsInvalidPromQL(t *testing.T) {
	for _, bad := range []string{`x{a="b}`, `rate(x[5m)`, `sum(`, `x +`, `no_such_function(x)`, `rate(x)`} {
		if n, err := extractNames(bad); err == nil {
			t.Errorf("extractNames(%q) = %+v, want an error", bad, n)
		}
	}
}

// Every dashboard query must parse and name only metrics: a function or keyword taken for a
// metric would fail against Prometheus with a confusing "has no series".
func TestRepositoryDashboardNames(t *testing.T) {
	ds, err := loadAll(repoDashboards(t))
	if err != nil {
		t.Fatal(err)
	}
	metricRE := regexp.MustCompile(`^(github_billing[_:][a-zA-Z0-9_:]+|ALERTS)$`)
	n := 0
	for _, d := range ds {
		for _, q := range d.queries() {
			n++
			expr, err := substitute(q.Expr)
			if err != nil {
				t.Fatal(err)
			}
			names, err := extractNames(expr)
			if err != nil {
				t.Errorf("%s: %v", q, err)
				continue
			}
			if len(names.Metrics) == 0 {
				t.Errorf("%s: no metric found in %s", q, expr)
			}
			for _, m := range names.Metrics {
				if !metricRE.MatchString(m) {
					t.Errorf("%s: %q taken for a metric name", q, m)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("the dashboards have no queries")
	}
}

// The rules file scripts/e2e.sh loads into Prometheus, and the expressions of the rules' unit
// tests, all parse. Each file's count of `expr:` keys, read by a regular expression, must
// equal the expressions read from its YAML, so no expression is skipped unparsed.
func TestRepositoryRuleExpressionsParse(t *testing.T) {
	files, err := filepath.Glob("../../../deploy/prometheus/rules/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files: %v", err)
	}
	tests, err := filepath.Glob("../../../deploy/prometheus/rules/tests/*.yml")
	if err != nil || len(tests) == 0 {
		t.Fatalf("no rule test files: %v", err)
	}
	exprKeyRE := regexp.MustCompile(`(?m)^\s*(- )?expr:`)
	total := 0
	for _, f := range append(files, tests...) {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Groups []struct {
				Rules []struct {
					Record string `yaml:"record"`
					Alert  string `yaml:"alert"`
					Expr   string `yaml:"expr"`
				} `yaml:"rules"`
			} `yaml:"groups"`
			Tests []struct {
				PromQLExprTest []struct {
					Expr string `yaml:"expr"`
				} `yaml:"promql_expr_test"`
			} `yaml:"tests"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		var exprs []string
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				exprs = append(exprs, r.Expr)
			}
		}
		for _, tc := range doc.Tests {
			for _, e := range tc.PromQLExprTest {
				exprs = append(exprs, e.Expr)
			}
		}
		if want := len(exprKeyRE.FindAll(raw, -1)); len(exprs) != want {
			t.Errorf("%s: read %d expressions, the file has %d expr: keys", f, len(exprs), want)
		}
		for i, e := range exprs {
			if strings.TrimSpace(e) == "" {
				t.Errorf("%s: expression %d is empty", f, i+1)
			} else if _, err := parseQuery(e); err != nil {
				t.Errorf("%s: expression %d: %v\n%s", f, i+1, err, e)
			}
		}
		total += len(exprs)
	}
	if total == 0 {
		t.Fatal("no rule expressions found")
	}
}

func TestCheckNames(t *testing.T) {
	srv := fakePrometheus(t, nil, map[string][]string{
		"github_billing_endpoint_retired":                         {"__name__", "account", "collector", "scope"},
		"github_billing_collector_last_success_timestamp_seconds": {"__name__", "account", "collector", "scope"},
		"github_billing_api_requests_total":                       {"__name__", "code", "endpoint"},
		"github_billing:usage_net_amount_usd:sum_by_organization": {"__name__", "account", "scope"},
		"quoted.name": {"__name__", "instance"},
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
		{`github_billing_api_requests_total * on (endpoint) group_left (colector) github_billing_endpoint_retired`,
			[]string{"label colector in by/"}},
		// organization is absent from the series (the demo's usage can have none) but created.
		{`label_replace(sum by (organization) (github_billing:usage_net_amount_usd:sum_by_organization), "organization", "(none)", "organization", "")`, nil},
		// A __name__="..." matcher names the metric, so the other matchers are checked against it.
		{`{__name__="github_billing_api_requests_total", cod="200"} + on (endpoint) github_billing_api_requests_total`,
			[]string{"label cod in a matcher is on no series of github_billing_api_requests_total"}},
		// A regular expression on __name__ names no metric: the label must be on one of the others.
		{`{__name__=~"github_billing_api_.+", cod="200"} + on (endpoint) github_billing_api_requests_total`,
			[]string{"label cod in a matcher is on no series of the query's metrics"}},
		// Inf is a number, not a metric without series.
		{`clamp_max(github_billing_api_requests_total, Inf)`, nil},
		// The quoted UTF-8 name is looked up as {__name__="quoted.name"}, its matchers against it.
		{`{"quoted.name", instance="a"}`, nil},
		{`{"quoted.name", job="x"}`, []string{"label job in a matcher is on no series of quoted.name"}},
		{`{"quoted.nam"}`, []string{"metric quoted.nam has no series"}},
		{`sum by (endpoint (github_billing_api_requests_total)`, []string{"not valid PromQL"}},
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
