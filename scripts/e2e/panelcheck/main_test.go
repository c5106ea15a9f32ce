package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The repository's dashboards, relative to this package.
func repoDashboards(t *testing.T) []string {
	t.Helper()
	paths, err := filepath.Glob("../../../dashboards/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no dashboards found: %v", err)
	}
	return paths
}

func TestRepositoryDashboardsAreValid(t *testing.T) {
	ds, err := loadAll(repoDashboards(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range validateAll(ds) {
		t.Error(e)
	}
	want := map[string]bool{"github-billing-overview": false, "github-billing-exporter-health": false, "github-billing-copilot": false, "github-billing-copilot-users": false}
	for _, d := range ds {
		want[d.UID] = true
	}
	for uid, found := range want {
		if !found {
			t.Errorf("dashboard %q missing", uid)
		}
	}
}

func TestSubstitute(t *testing.T) {
	for in, want := range map[string]string{
		`x{scope=~"$scope", account=~"${account}"}`:    `x{scope=~".+", account=~".+"}`,
		`x{account=~"${account:regex}"}`:               `x{account=~".+"}`,
		`rate(x[$__rate_interval])`:                    `rate(x[1m])`,
		`increase(x[$__range]) / $__range_s`:           `increase(x[5m]) / 300`,
		`avg_over_time(x[${__interval}])`:              `avg_over_time(x[15s])`,
		`sum by (scope, account) (y{scope=~"$scope"})`: `sum by (scope, account) (y{scope=~".+"})`,
	} {
		got, err := substitute(in)
		if err != nil || got != want {
			t.Errorf("substitute(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{`x{org=~"$org"}`, `x{scope=~"$scopes"}`, `rate(x[$__rate])`} {
		if got, err := substitute(in); err == nil {
			t.Errorf("substitute(%q) = %q, want an error for an unknown variable", in, got)
		}
	}
}

func TestExpectedLabels(t *testing.T) {
	for _, c := range []struct {
		q    query
		want []string
	}{
		// by's labels and the legend's, but for budget_entity and le, which may be empty.
		{query{
			Expr:   `histogram_quantile(0.95, sum by (endpoint, le) (rate(x_bucket[1m]))) + on() group_left sum by(code)(y)`,
			Legend: "{{ endpoint }} {{budget_entity}} {{account}}",
		}, []string{"account", "code", "endpoint"}},
		// A quoted label name in by is the name without its quotes.
		{query{Expr: `sum by ("label.b", product) (m)`}, []string{"label.b", "product"}},
		// "by (y)" inside a string and without's labels are not grouped by.
		{query{Expr: `sum without (sku) (m{x="by (y)"})`}, nil},
		// Grafana's variables are substituted before the query is parsed.
		{query{Expr: `sum by (scope) (increase(m{account=~"$account"}[$__range]))`}, []string{"scope"}},
	} {
		got, err := expectedLabels(c.q)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("expectedLabels(%s) = %v, %v; want %v", c.q.Expr, got, err, c.want)
		}
	}
	if _, err := expectedLabels(query{Expr: `sum by (x (m)`}); err == nil {
		t.Error("expectedLabels of invalid PromQL: want an error")
	}
}

func TestVariableQuery(t *testing.T) {
	v := variable{Name: "account", Type: "query", Query: json.RawMessage(`{"query":"label_values(m{scope=~\"$scope\"}, account)"}`)}
	got, err := variableQuery(v)
	if err != nil || got != `group by (account) (m{scope=~"$scope"})` {
		t.Errorf("variableQuery = %q, %v", got, err)
	}
	v.Query = json.RawMessage(`"query_result(up)"`)
	if _, err := variableQuery(v); err == nil {
		t.Error("want an error for a query that is not label_values")
	}
}

func TestValidateRejectsFixedDatasource(t *testing.T) {
	d := &dashboard{
		UID: "x", Title: "x", SchemaVersion: 39, file: "x.json",
		Panels: []panel{{ID: 1, Title: "p", Type: "stat",
			Datasource: &datasource{Type: "prometheus", UID: "P1809F7CD0C75ACF3"},
			Targets:    []target{{RefID: "A", Expr: "up", Datasource: &datasource{Type: "prometheus", UID: "${datasource}"}}}}},
	}
	errs := fmt.Sprint(d.validate())
	for _, want := range []string{`panel "p": datasource must be`, `variable "datasource"`, `query variable "scope"`} {
		if !strings.Contains(errs, want) {
			t.Errorf("validate() = %s; want it to mention %s", errs, want)
		}
	}
}

// fakePrometheus answers /api/v1/query from a table of expression → result series, and
// /api/v1/labels?match[]={__name__="METRIC"} from a table of metric → label names.
func fakePrometheus(t *testing.T, results map[string][]map[string]string, labels map[string][]string) *httptest.Server {
	t.Helper()
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/labels" {
			// panelcheck asks for {__name__="METRIC"}, which works for a UTF-8 name too.
			sel := r.URL.Query().Get("match[]")
			quoted, ok := strings.CutPrefix(sel, "{__name__=")
			quoted, ok2 := strings.CutSuffix(quoted, "}")
			metric, err := strconv.Unquote(quoted)
			if !ok || !ok2 || err != nil {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprintf(w, `{"status":"error","errorType":"bad_data","error":"unexpected match[] %q"}`, sel)
				return
			}
			names := labels[metric]
			if names == nil {
				names = []string{}
			}
			json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": names})
			return
		}
		expr := r.URL.Query().Get("query")
		if strings.Contains(expr, "syntax error") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","errorType":"bad_data","error":"parse error"}`)
			return
		}
		var series []map[string]any
		for _, m := range results[expr] {
			series = append(series, map[string]any{"metric": m, "value": []any{1, "1"}})
		}
		if series == nil {
			series = []map[string]any{}
		}
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": series}})
	}))
}

func TestCheckQuery(t *testing.T) {
	srv := fakePrometheus(t, map[string][]map[string]string{
		`sum by (product) (m)`:                        {{"product": "Actions"}},
		`sum by (prodct) (m)`:                         {{}},
		`sum by (product) (m unless on (product) mm)`: {{"product": "Actions"}},
		`sum by (product) (m{prodct!="x"})`:           {{"product": "Actions"}},
	}, map[string][]string{"m": {"__name__", "product"}})
	defer srv.Close()
	for _, c := range []struct {
		q    query
		want string
	}{
		{query{Expr: `sum by (product) (m)`, Legend: "{{product}}"}, ""},
		{query{Expr: `sum by (prodct) (m)`}, `no result series has the label "prodct"`},
		{query{Expr: `sum by (product) (m)`, Legend: "{{sku}}"}, `no result series has the label "sku"`},
		{query{Expr: `sum by (product) (m unless on (product) mm)`}, "metric mm has no series"},
		{query{Expr: `sum by (product) (m{prodct!="x"})`}, "label prodct in a matcher is on no series of m"},
		{query{Expr: `missing_metric`}, "empty result"},
		{query{Expr: `syntax error(`}, "query failed"},
		{query{Expr: `m{x="$nope"}`}, "unknown Grafana variable"},
	} {
		err := checkQuery(srv.URL, c.q)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.q.Expr, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.q.Expr, err, c.want)
		}
	}
}

func TestAllowEmptyDashboard(t *testing.T) {
	reasons, err := parseEmptyDashboards([]string{"github-billing-copilot-users=no complete day yet"})
	if err != nil {
		t.Fatal(err)
	}
	if got := allowedEmptyReason(query{Dashboard: "github-billing-copilot-users", Panel: "Top users"}, reasons); got != "no complete day yet" {
		t.Errorf("a panel of the named dashboard: reason %q, want %q", got, "no complete day yet")
	}
	if got := allowedEmptyReason(query{Dashboard: "github-billing-overview", Panel: "Top users"}, reasons); got != "" {
		t.Errorf("a panel of another dashboard: reason %q, want none", got)
	}
	for _, bad := range []string{"github-billing-copilot-users", "=reason", "uid="} {
		if _, err := parseEmptyDashboards([]string{bad}); err == nil {
			t.Errorf("-allow-empty-dashboard %q accepted, want an error", bad)
		}
	}
}
