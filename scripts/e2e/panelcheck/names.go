package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// A query can return data and still mention a metric or a label that does not exist: a
// misspelt metric on the right of `unless` or `or`, or a misspelt label in a negative matcher
// such as cod!~"2..", only drops a filter. So besides requiring data, panelcheck extracts the
// names a query mentions and requires each one to exist in Prometheus.

// queryNames are the names one PromQL expression mentions. Metric names are kept as written:
// Prometheus stores a histogram's series as NAME_bucket, NAME_sum and NAME_count, so those are
// the names that must exist, and no suffix is stripped.
type queryNames struct {
	Metrics  []string   // metric names of its selectors, as written (a histogram's _bucket included)
	Matchers []labelUse // label names of the selectors' matchers, with their selector's metric
	Grouping []string   // labels of by, without, on, ignoring, group_left and group_right
	Produced []string   // labels label_replace, label_join and count_values create
	seen     map[string]bool
}

// labelUse is a label name in the matchers of the selector of Metric ("" for {...} alone).
type labelUse struct{ Metric, Label string }

type tokenKind int

const (
	tIdent  tokenKind = iota // metric, label, function or keyword
	tString                  // quoted string, quotes included
	tNumber                  // number or duration
	tRange                   // a whole [5m] or [5m:1m], which names nothing
	tPunct                   // operator or bracket
)

type token struct {
	kind tokenKind
	text string
}

// tokenize splits PromQL into the tokens extractNames needs. It is not a PromQL parser: it
// trusts Prometheus to reject invalid queries, which the data check does.
func tokenize(expr string) ([]token, error) {
	var out []token
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
	for i := 0; i < len(expr); {
		c := expr[i]
		start := i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '#': // comment to the end of the line
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
			continue
		case c == '"' || c == '\'' || c == '`':
			i++
			for i < len(expr) && expr[i] != c {
				if expr[i] == '\\' && c != '`' {
					i++
				}
				i++
			}
			if i >= len(expr) {
				return nil, fmt.Errorf("unterminated string at %q", expr[start:])
			}
			i++
			out = append(out, token{tString, expr[start:i]})
		case c == '[':
			end := strings.IndexByte(expr[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated range at %q", expr[start:])
			}
			i += end + 1
			out = append(out, token{tRange, expr[start:i]})
		case isIdentStart(c):
			for i < len(expr) && isIdent(expr[i]) {
				i++
			}
			out = append(out, token{tIdent, expr[start:i]})
		case c >= '0' && c <= '9' || c == '.':
			for i < len(expr) && (isIdent(expr[i]) || expr[i] == '.') {
				i++
			}
			out = append(out, token{tNumber, expr[start:i]})
		default:
			i++
			for _, op := range []string{"==", "!=", "<=", ">=", "=~", "!~"} {
				if strings.HasPrefix(expr[start:], op) {
					i = start + 2
					break
				}
			}
			out = append(out, token{tPunct, expr[start:i]})
		}
	}
	return out, nil
}

// groupingKeywords take a parenthesised list of label names.
var groupingKeywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// keywords are identifiers that are neither metrics nor functions.
var keywords = map[string]bool{
	"and": true, "or": true, "unless": true, "atan2": true, "bool": true, "offset": true,
	"inf": true, "nan": true,
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

// producedLabelArg is, for the functions that create a label, the index of the argument that
// names it.
var producedLabelArg = map[string]int{"label_replace": 1, "label_join": 1, "count_values": 0}

var matchOps = map[string]bool{"=": true, "!=": true, "=~": true, "!~": true}

// extractNames lists the metric and label names expr mentions. expr must already have had
// its Grafana variables substituted.
func extractNames(expr string) (queryNames, error) {
	toks, err := tokenize(expr)
	if err != nil {
		return queryNames{}, err
	}
	n := queryNames{seen: map[string]bool{}}
	next := func(i int) token {
		if i+1 < len(toks) {
			return toks[i+1]
		}
		return token{}
	}
	// calls holds, for each open parenthesis, the function it calls ("" for none) and the
	// index of its current argument; fn is the function whose "(" comes next.
	type call struct {
		fn  string
		arg int
	}
	var calls []call
	fn := ""
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.kind == tIdent && groupingKeywords[t.text] && next(i).text == "(":
			for i += 2; i < len(toks) && toks[i].text != ")"; i++ {
				if toks[i].kind == tIdent {
					n.add(&n.Grouping, "grouping:", toks[i].text)
				}
			}
		case t.kind == tIdent && keywords[t.text]:
		case t.kind == tIdent && (next(i).text == "(" || next(i).text == "by" || next(i).text == "without"):
			fn = t.text // a function, or an aggregation such as sum by (x) (...)
		case t.kind == tIdent:
			n.add(&n.Metrics, "metric:", t.text)
			if next(i).text == "{" {
				i = n.matchers(toks, i+1, t.text)
			}
		case t.text == "{":
			i = n.matchers(toks, i, "")
		case t.text == "(":
			calls = append(calls, call{fn: fn})
			fn = ""
		case t.text == ")" && len(calls) > 0:
			calls = calls[:len(calls)-1]
		case t.text == "," && len(calls) > 0:
			calls[len(calls)-1].arg++
		case t.kind == tString && len(calls) > 0:
			c := calls[len(calls)-1]
			if arg, ok := producedLabelArg[c.fn]; ok && c.arg == arg {
				n.add(&n.Produced, "produced:", t.text[1:len(t.text)-1])
			}
		}
	}
	return n, nil
}

// matchers records the label names of the selector whose "{" is toks[open] and returns the
// index of its "}".
func (n *queryNames) matchers(toks []token, open int, metric string) int {
	i := open + 1
	for ; i < len(toks) && toks[i].text != "}"; i++ {
		if toks[i].kind == tIdent && i+1 < len(toks) && matchOps[toks[i+1].text] {
			if toks[i].text == "__name__" {
				continue
			}
			if !n.seen["matcher:"+metric+"{"+toks[i].text] {
				n.seen["matcher:"+metric+"{"+toks[i].text] = true
				n.Matchers = append(n.Matchers, labelUse{metric, toks[i].text})
			}
		}
	}
	return i
}

func (n *queryNames) add(list *[]string, kind, name string) {
	if !n.seen[kind+name] {
		n.seen[kind+name] = true
		*list = append(*list, name)
	}
}

// seriesLabels returns the label names of the series named metric, none if it has no series.
func seriesLabels(base, metric string) (map[string]bool, error) {
	data, err := apiGet(base, "/api/v1/labels", url.Values{"match[]": {metric}})
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

// checkNames fails when expr mentions a metric that has no series in Prometheus, a matcher
// label its selector's metric does not have, or a grouping label that none of the query's
// metrics has and no label_replace or label_join of the query creates.
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
			return fmt.Errorf("labels of %s: %v", m, err)
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
