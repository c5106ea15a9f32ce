package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// cmdValue checks the value a panel's query shows, with every variable at All:
//
//	panelcheck value -prometheus URL -timeout D -expect 'PANEL TITLE|REFID|LABELS|OP NUMBER' ... DASHBOARD...
//
// LABELS is empty or name=value pairs separated by commas; the series of the query that carry
// all of them are the ones checked, and there must be at least one. OP is one of == != >= <= > <.
// The e2e check uses it to show the overview's data-completeness panels reading "complete" on the
// healthy demo and turning when an account's collectors fail.
func cmdValue(args []string, stdout io.Writer) error {
	a, err := parseExpectArgs("value", "PANEL TITLE|REFID|LABELS|OP NUMBER (repeatable)", args)
	if err != nil {
		return err
	}
	type check struct {
		want valueExpectation
		expr string
	}
	var checks []*check
	for _, e := range a.expects {
		want, err := parseValueExpectation(e)
		if err != nil {
			return err
		}
		c := &check{want: want}
		for _, d := range a.ds {
			for _, q := range d.queries() {
				if q.Panel == want.panel && q.RefID == want.refID && c.expr == "" {
					c.expr = q.Expr
				}
			}
		}
		if c.expr == "" {
			return fmt.Errorf("no panel titled %q with a query %s", want.panel, want.refID)
		}
		checks = append(checks, c)
	}
	return a.run(stdout, len(checks),
		func(i int) string { return checks[i].want.String() },
		func(i int) error { return checkValue(a.base, checks[i].expr, checks[i].want) },
		"%d panel value(s) not as expected")
}

// valueExpectation is one -expect of cmdValue.
type valueExpectation struct {
	panel, refID string
	labels       map[string]string
	op           string
	number       float64
}

func (v valueExpectation) String() string {
	var pairs []string
	for k, val := range v.labels {
		pairs = append(pairs, k+"="+strconv.Quote(val))
	}
	sort.Strings(pairs)
	return fmt.Sprintf("panel %q [%s]{%s} %s %g", v.panel, v.refID, strings.Join(pairs, ","), v.op, v.number)
}

var valueOps = map[string]func(a, b float64) bool{
	"==": func(a, b float64) bool { return a == b },
	"!=": func(a, b float64) bool { return a != b },
	">=": func(a, b float64) bool { return a >= b },
	"<=": func(a, b float64) bool { return a <= b },
	">":  func(a, b float64) bool { return a > b },
	"<":  func(a, b float64) bool { return a < b },
}

func parseValueExpectation(s string) (valueExpectation, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return valueExpectation{}, fmt.Errorf("-expect %q: want PANEL TITLE|REFID|LABELS|OP NUMBER", s)
	}
	v := valueExpectation{panel: parts[0], refID: parts[1], labels: map[string]string{}}
	if v.panel == "" || v.refID == "" {
		return valueExpectation{}, fmt.Errorf("-expect %q: the panel title and the query's refId are required", s)
	}
	if parts[2] != "" {
		for pair := range strings.SplitSeq(parts[2], ",") {
			name, value, ok := strings.Cut(pair, "=")
			if !ok || name == "" {
				return valueExpectation{}, fmt.Errorf("-expect %q: label %q is not name=value", s, pair)
			}
			v.labels[name] = value
		}
	}
	op, number, ok := strings.Cut(strings.TrimSpace(parts[3]), " ")
	if _, known := valueOps[op]; !ok || !known {
		return valueExpectation{}, fmt.Errorf("-expect %q: want OP NUMBER with OP one of == != >= <= > <", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(number), 64)
	if err != nil {
		return valueExpectation{}, fmt.Errorf("-expect %q: %w", s, err)
	}
	v.op, v.number = op, n
	return v, nil
}

// holds reports whether the series of got (values by label set, as queryValues returns them)
// that carry want's labels are at least one and all satisfy want's comparison.
func (v valueExpectation) holds(got map[string]float64) error {
	matched := 0
	var bad []string
	for key, value := range got {
		if !labelsMatch(key, v.labels) {
			continue
		}
		matched++
		if !valueOps[v.op](value, v.number) {
			bad = append(bad, fmt.Sprintf("%s = %g", key, value))
		}
	}
	if matched == 0 {
		return fmt.Errorf("no series with those labels among %d", len(got))
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// labelsMatch reports whether a queryValues key ({a="1",b="2"}) has every label of want, each
// pair whole: after the key's "{" or a ",".
func labelsMatch(key string, want map[string]string) bool {
	for name, value := range want {
		pair := name + "=" + strconv.Quote(value)
		if !strings.Contains(key, "{"+pair) && !strings.Contains(key, ","+pair) {
			return false
		}
	}
	return true
}

func checkValue(base, panelExpr string, want valueExpectation) error {
	expr, err := substitute(panelExpr)
	if err != nil {
		return err
	}
	got, err := queryValues(base, expr)
	if err != nil {
		return err
	}
	return want.holds(got)
}
