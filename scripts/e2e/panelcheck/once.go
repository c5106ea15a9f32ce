package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// cmdOnce checks what panels show with every variable at All against expressions the caller
// works out from what it configured:
//
//	panelcheck once -prometheus URL -timeout D -expect 'PANEL TITLE=PROMQL' ... DASHBOARD...
//
// Each panel's first query must return the same series (by label set) with the same values,
// to a hundredth of a cent, as PROMQL. The e2e check uses it to prove that the overview's
// default view counts each dollar once when an enterprise and its organizations are all
// configured.
func cmdOnce(args []string, stdout io.Writer) error {
	a, err := parseExpectArgs("once", "PANEL TITLE=PROMQL (repeatable)", args)
	if err != nil {
		return err
	}
	type check struct {
		panel, panelExpr, want string
	}
	var checks []*check
	for _, e := range a.expects {
		title, want, ok := strings.Cut(e, "=")
		if !ok {
			return fmt.Errorf("-expect %q: want PANEL TITLE=PROMQL", e)
		}
		c := &check{panel: title, want: want}
		for _, d := range a.ds {
			for _, p := range d.allPanels() {
				if p.Title == title && len(p.Targets) > 0 && c.panelExpr == "" {
					c.panelExpr = p.Targets[0].Expr
				}
			}
		}
		if c.panelExpr == "" {
			return fmt.Errorf("no panel titled %q with a query", title)
		}
		checks = append(checks, c)
	}
	return a.run(stdout, len(checks),
		func(i int) string { return fmt.Sprintf("panel %q counts each dollar once", checks[i].panel) },
		func(i int) error { return compareOnce(a.base, checks[i].panelExpr, checks[i].want) },
		"%d panel(s) do not count each dollar once")
}

func compareOnce(base, panelExpr, want string) error {
	expr, err := substitute(panelExpr)
	if err != nil {
		return err
	}
	got, err := queryValues(base, expr)
	if err != nil {
		return fmt.Errorf("panel query: %w", err)
	}
	exp, err := queryValues(base, want)
	if err != nil {
		return fmt.Errorf("expected query: %w", err)
	}
	if len(exp) == 0 {
		return errors.New("the expected query returns nothing yet")
	}
	var problems []string
	for k, w := range exp {
		g, ok := got[k]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s missing (want %.4f)", k, w))
		case math.Abs(g-w) > 5e-5:
			problems = append(problems, fmt.Sprintf("%s = %.4f, want %.4f", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := exp[k]; !ok {
			problems = append(problems, fmt.Sprintf("unexpected %s = %.4f", k, g))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// queryValues runs an instant query and returns its values by label set.
func queryValues(base, expr string) (map[string]float64, error) {
	data, err := apiGet(base, "/api/v1/query", url.Values{"query": {expr}})
	if err != nil {
		return nil, err
	}
	var res struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, err
	}
	if res.ResultType != "vector" {
		return nil, fmt.Errorf("result type %q, want vector", res.ResultType)
	}
	out := map[string]float64{}
	for _, s := range res.Result {
		names := make([]string, 0, len(s.Metric))
		for n := range s.Metric {
			names = append(names, n)
		}
		sort.Strings(names)
		var key []string
		for _, n := range names {
			key = append(key, n+"="+strconv.Quote(s.Metric[n]))
		}
		str, _ := s.Value[1].(string)
		v, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, fmt.Errorf("value %v: %w", s.Value[1], err)
		}
		out["{"+strings.Join(key, ",")+"}"] += v
	}
	return out, nil
}
