package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// datasourceRef is the only datasource a panel, target or query variable may use: the
// dashboard's own datasource variable, so a dashboard works with any Prometheus data source.
const datasourceRef = "${datasource}"

// minSchemaVersion is the oldest Grafana dashboard schema the dashboards may be saved with.
const minSchemaVersion = 41

type dashboard struct {
	UID           string      `json:"uid"`
	Title         string      `json:"title"`
	SchemaVersion int         `json:"schemaVersion"`
	Panels        []panel     `json:"panels"`
	Templating    templating  `json:"templating"`
	Annotations   annotations `json:"annotations"`
	file          string      // where the dashboard was read from
}

type datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *datasource `json:"datasource"`
	Targets    []target    `json:"targets"`
	Panels     []panel     `json:"panels"` // panels of a collapsed row
}

type target struct {
	RefID        string      `json:"refId"`
	Expr         string      `json:"expr"`
	LegendFormat string      `json:"legendFormat"`
	Datasource   *datasource `json:"datasource"`
}

type templating struct {
	List []variable `json:"list"`
}

type variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Datasource *datasource     `json:"datasource"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
}

type annotations struct {
	List []annotation `json:"list"`
}

type annotation struct {
	Name       string      `json:"name"`
	Expr       string      `json:"expr"`
	Datasource *datasource `json:"datasource"`
	BuiltIn    int         `json:"builtIn"`
}

// query is one PromQL expression a dashboard sends to Prometheus, with where it comes from.
type query struct {
	Dashboard string // dashboard uid
	Panel     string // panel title, "variable NAME" or "annotation NAME"
	RefID     string
	Expr      string // as written in the dashboard
	Legend    string
}

func (q query) key() string { return q.Dashboard + " / " + q.Panel }

func (q query) String() string {
	if q.RefID == "" {
		return q.key()
	}
	return q.key() + " [" + q.RefID + "]"
}

func loadDashboard(path string) (*dashboard, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("%s: not valid dashboard JSON: %w", path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: trailing data after the dashboard object", path)
	}
	d.file = filepath.Base(path)
	return &d, nil
}

// allPanels flattens rows: collapsed rows keep their panels inside the row.
func (d *dashboard) allPanels() []panel {
	var out []panel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// queries lists every expression the dashboard runs: panel targets, query variables and
// annotation queries.
func (d *dashboard) queries() []query {
	var out []query
	for _, p := range d.allPanels() {
		for _, t := range p.Targets {
			out = append(out, query{Dashboard: d.UID, Panel: p.Title, RefID: t.RefID, Expr: t.Expr, Legend: t.LegendFormat})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, err := variableQuery(v)
		if err != nil {
			continue // reported by validate
		}
		out = append(out, query{Dashboard: d.UID, Panel: "variable " + v.Name, Expr: q})
	}
	for _, a := range d.Annotations.List {
		if a.Expr != "" {
			out = append(out, query{Dashboard: d.UID, Panel: "annotation " + a.Name, Expr: a.Expr})
		}
	}
	return out
}

var labelValuesRE = regexp.MustCompile(`^\s*label_values\(\s*(.+)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)

// variableQuery turns a label_values(selector, label) variable into a PromQL expression that
// returns one series per value, so it can be checked like a panel.
func variableQuery(v variable) (string, error) {
	var text string
	var obj struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(v.Query, &text); err != nil {
		if err := json.Unmarshal(v.Query, &obj); err != nil {
			return "", fmt.Errorf("variable %s: query is neither a string nor an object", v.Name)
		}
		text = obj.Query
	}
	m := labelValuesRE.FindStringSubmatch(text)
	if m == nil {
		return "", fmt.Errorf("variable %s: only label_values(selector, label) queries are supported, got %q", v.Name, text)
	}
	return fmt.Sprintf("group by (%s) (%s)", m[2], m[1]), nil
}

// validate checks what Grafana itself would not: schema version, a stable uid, the
// datasource variable used everywhere, the scope and account variables, unique panel ids.
func (d *dashboard) validate() []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{d.file}, args...)...))
	}
	if d.UID == "" {
		bad("no uid")
	}
	if d.Title == "" {
		bad("no title")
	}
	if d.SchemaVersion < minSchemaVersion {
		bad("schemaVersion %d, want at least %d", d.SchemaVersion, minSchemaVersion)
	}
	vars := map[string]variable{}
	for _, v := range d.Templating.List {
		vars[v.Name] = v
	}
	if v, ok := vars["datasource"]; !ok || v.Type != "datasource" || string(v.Query) != `"prometheus"` {
		bad(`needs a variable "datasource" of type datasource with query "prometheus"`)
	}
	for _, name := range []string{"scope", "account"} {
		v, ok := vars[name]
		switch {
		case !ok || v.Type != "query":
			bad("needs a query variable %q", name)
		case !v.Multi || !v.IncludeAll:
			bad("variable %q must be multi-value and include All", name)
		case !usesVariable(v.Datasource):
			bad("variable %q does not use the datasource %s", name, datasourceRef)
		default:
			if _, err := variableQuery(v); err != nil {
				bad("%v", err)
			}
		}
	}
	ids := map[int]string{}
	for _, p := range d.allPanels() {
		if prev, dup := ids[p.ID]; dup {
			bad("panel id %d used by %q and %q", p.ID, prev, p.Title)
		}
		ids[p.ID] = p.Title
		if p.Title == "" {
			bad("panel %d has no title", p.ID)
		}
		if !usesVariable(p.Datasource) {
			bad("panel %q: datasource must be {type prometheus, uid %s}", p.Title, datasourceRef)
		}
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			bad("panel %q has no targets", p.Title)
		}
		for _, t := range p.Targets {
			if !usesVariable(t.Datasource) {
				bad("panel %q target %s: datasource must be {type prometheus, uid %s}", p.Title, t.RefID, datasourceRef)
			}
			if strings.TrimSpace(t.Expr) == "" {
				bad("panel %q target %s has no expr", p.Title, t.RefID)
			}
		}
	}
	for _, a := range d.Annotations.List {
		if a.BuiltIn == 0 && !usesVariable(a.Datasource) {
			bad("annotation %q: datasource must be %s", a.Name, datasourceRef)
		}
	}
	for _, q := range d.queries() {
		if _, err := substitute(q.Expr); err != nil {
			bad("%s: %v", q, err)
		}
	}
	return errs
}

func usesVariable(ds *datasource) bool {
	return ds != nil && ds.Type == "prometheus" && ds.UID == datasourceRef
}

// Values used for Grafana's variables when a query runs outside Grafana. scope and account get
// the dashboards' "All" value, ".+", which also makes a misspelt label in a matcher select
// nothing. The e2e Prometheus scrapes every 2 s, so one minute holds plenty of samples for rate().
var substitutions = []struct {
	re    *regexp.Regexp
	value string
}{
	{regexp.MustCompile(`\$\{(scope|account)(:[a-z]+)?\}|\$(scope|account)\b`), ".+"},
	{regexp.MustCompile(`\$\{?__rate_interval\}?`), "1m"},
	{regexp.MustCompile(`\$\{?__interval_ms\}?`), "15000"},
	{regexp.MustCompile(`\$\{?__interval\}?`), "15s"},
	{regexp.MustCompile(`\$\{?__range_s\}?`), "300"},
	{regexp.MustCompile(`\$\{?__range_ms\}?`), "300000"},
	{regexp.MustCompile(`\$\{?__range\}?`), "5m"},
}

// substitute replaces Grafana's variables with fixed values and refuses any variable it
// does not know, so a panel cannot use an undefined variable unnoticed.
func substitute(expr string) (string, error) {
	out := expr
	for _, s := range substitutions {
		out = s.re.ReplaceAllString(out, s.value)
	}
	if i := strings.Index(out, "$"); i >= 0 {
		end := min(i+20, len(out))
		return "", fmt.Errorf("unknown Grafana variable at %q", out[i:end])
	}
	return out, nil
}

var legendRE = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// labelsMayBeEmpty are labels that METRICS.md allows to be "" on every series the demo has,
// which Prometheus does not distinguish from an absent label.
var labelsMayBeEmpty = map[string]bool{
	"budget_entity": true, // enterprise-wide budgets name no entity
	"le":            true, // consumed by histogram_quantile
}

// expectedLabels are the labels a query's results must carry on at least one series: the
// labels of its aggregations' by clauses and the labels its legend shows. A misspelt label
// yields results without it, which the empty-result check alone would not notice.
func expectedLabels(q query) ([]string, error) {
	expr, err := substitute(q.Expr)
	if err != nil {
		return nil, err
	}
	e, err := parseQuery(expr)
	if err != nil {
		return nil, err
	}
	set := map[string]bool{}
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if a, ok := node.(*parser.AggregateExpr); ok && !a.Without {
			for _, l := range a.Grouping {
				set[l] = true
			}
		}
		return nil
	})
	for _, m := range legendRE.FindAllStringSubmatch(q.Legend, -1) {
		set[m[1]] = true
	}
	for l := range labelsMayBeEmpty {
		delete(set, l)
	}
	return sortedKeys(set), nil
}
