package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// A query can return data and still mention a metric or a label that does not exist: a
// misspelt metric on the right of `unless` or `or`, or a misspelt label in a negative matcher
// such as cod!~"2..", only drops a filter. So besides requiring data, panelcheck parses each
// query with Prometheus's own PromQL parser, lists the names it mentions and requires each one
// to exist in Prometheus.

// promql parses with Prometheus's defaults: no experimental functions, names outside
// quotes limited to the classic characters (quoted UTF-8 names such as {"a.b"} always parse).
var promql = parser.NewParser(parser.Options{})

// queryNames are the names one PromQL expression mentions, each list sorted and without
// repeats. Metric names are kept as written: Prometheus stores a histogram's series as
// NAME_bucket, NAME_sum and NAME_count, so those are the names that must exist, and no
// suffix is stripped.
type queryNames struct {
	Metrics  []string   // metric names of its selectors, as written (a histogram's _bucket included)
	Matchers []labelUse // label names of the selectors' matchers, with their selector's metric
	Grouping []string   // labels of by, without, on, ignoring, group_left and group_right
	Produced []string   // labels label_replace, label_join and count_values create
}

// labelUse is a label name in the matchers of the selector of Metric ("" when the selector
// names no single metric, as {job="x"} or {__name__=~"a|b"}).
type labelUse struct{ Metric, Label string }

// producedLabelArg is, for the functions that create a label, the index of the argument that
// names it: label_replace(v, dst, replacement, src, regex) and label_join(v, dst, sep, src...).
var producedLabelArg = map[string]int{"label_replace": 1, "label_join": 1}

// parseQuery parses expr, which must already have had its Grafana variables substituted
// ($__range and the like are not PromQL).
func parseQuery(expr string) (parser.Expr, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("not valid PromQL: %w", err)
	}
	return e, nil
}

// extractNames lists the metric and label names expr mentions, walking its syntax tree.
func extractNames(expr string) (queryNames, error) {
	e, err := parseQuery(expr)
	if err != nil {
		return queryNames{}, err
	}
	metrics, grouping, produced := map[string]bool{}, map[string]bool{}, map[string]bool{}
	matchers := map[labelUse]bool{}
	addAll := func(set map[string]bool, names []string) {
		for _, n := range names {
			set[n] = true
		}
	}
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			metric := selectorMetric(n)
			if metric != "" {
				metrics[metric] = true
			}
			for _, m := range n.LabelMatchers {
				if m.Name != model.MetricNameLabel {
					matchers[labelUse{metric, m.Name}] = true
				}
			}
		case *parser.AggregateExpr:
			addAll(grouping, n.Grouping)
			if s, ok := n.Param.(*parser.StringLiteral); ok && n.Op == parser.COUNT_VALUES {
				produced[s.Val] = true
			}
		case *parser.BinaryExpr:
			if vm := n.VectorMatching; vm != nil {
				addAll(grouping, vm.MatchingLabels)
				addAll(grouping, vm.Include)
			}
		case *parser.Call:
			if i, ok := producedLabelArg[n.Func.Name]; ok && i < len(n.Args) {
				if s, ok := n.Args[i].(*parser.StringLiteral); ok {
					produced[s.Val] = true
				}
			}
		}
		return nil
	})
	uses := make([]labelUse, 0, len(matchers))
	for u := range matchers {
		uses = append(uses, u)
	}
	slices.SortFunc(uses, func(a, b labelUse) int {
		return strings.Compare(a.Metric+"\x00"+a.Label, b.Metric+"\x00"+b.Label)
	})
	return queryNames{
		Metrics:  sortedKeys(metrics),
		Matchers: nilIfEmpty(uses),
		Grouping: sortedKeys(grouping),
		Produced: sortedKeys(produced),
	}, nil
}

// selectorMetric is the one metric a selector selects: its name before the braces, or the
// value of a __name__="..." matcher inside them ({"quoted.name"} is one). A regular
// expression or a negative match on __name__ names no single metric: "".
func selectorMetric(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

func sortedKeys(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// seriesLabels returns the label names of the series named metric, none if it has no series.
func seriesLabels(base, metric string) (map[string]bool, error) {
	data, err := apiGet(base, "/api/v1/labels", url.Values{"match[]": {selectorFor(metric)}})
	if err != nil {
		return nil, err
	}
	var names []string
	if err := json.Unmarshal(data, &names); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	for _, l := range names {
		set[l] = true
	}
	return set, nil
}

// selectorFor is a series selector for metric, printed by the parser's own printer so that
// any name, a UTF-8 one such as quoted.name included, comes out quoted and escaped:
// {__name__="quoted.name"}.
func selectorFor(metric string) string {
	vs := &parser.VectorSelector{LabelMatchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, model.MetricNameLabel, metric)}}
	return vs.String()
}

// checkNames fails when expr mentions a metric that has no series in Prometheus, a matcher
// label its selector's metric does not have, or a grouping label that none of the query's
// metrics has and no label_replace, label_join or count_values of the query creates.
func checkNames(base, expr string) error {
	n, err := extractNames(expr)
	if err != nil {
		return err
	}
	var problems []string
	labelsOf := map[string]map[string]bool{}
	anyMetric := map[string]bool{}
	for _, m := range n.Metrics {
		ls, err := seriesLabels(base, m)
		if err != nil {
			return fmt.Errorf("labels of %s: %w", m, err)
		}
		if len(ls) == 0 {
			problems = append(problems, fmt.Sprintf("metric %s has no series", m))
			continue
		}
		labelsOf[m] = ls
		for l := range ls {
			anyMetric[l] = true
		}
	}
	for _, u := range n.Matchers {
		switch ls, known := labelsOf[u.Metric]; {
		case u.Metric == "" && !anyMetric[u.Label]:
			problems = append(problems, fmt.Sprintf("label %s in a matcher is on no series of the query's metrics", u.Label))
		case known && !ls[u.Label]:
			problems = append(problems, fmt.Sprintf("label %s in a matcher is on no series of %s", u.Label, u.Metric))
		}
	}
	produced := map[string]bool{}
	for _, l := range n.Produced {
		produced[l] = true
	}
	for _, l := range n.Grouping {
		if !anyMetric[l] && !produced[l] {
			problems = append(problems, fmt.Sprintf("label %s in by/without/on/ignoring/group_* is on no series of the query's metrics", l))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("unknown names: %s", strings.Join(problems, "; "))
	}
	return nil
}
