package main

import (
	"strings"
	"testing"
)

func TestParseValueExpectation(t *testing.T) {
	v, err := parseValueExpectation("Data completeness by account (now)|B|account=acme-crop,scope=enterprise|>= 1")
	if err != nil {
		t.Fatal(err)
	}
	if v.panel != "Data completeness by account (now)" || v.refID != "B" || v.op != ">=" || v.number != 1 ||
		len(v.labels) != 2 || v.labels["account"] != "acme-crop" || v.labels["scope"] != "enterprise" {
		t.Errorf("parsed %+v", v)
	}
	v, err = parseValueExpectation("Collectors failing now|A||== 0")
	if err != nil || len(v.labels) != 0 || v.op != "==" || v.number != 0 {
		t.Errorf("parsed %+v, %v", v, err)
	}
	for _, bad := range []string{
		"Collectors failing now|A|== 0",         // three parts
		"|A||== 0",                              // no title
		"Collectors failing now|||== 0",         // no refId
		"Collectors failing now|A|account|== 0", // label without =
		"Collectors failing now|A||=~ 0",        // unknown operator
		"Collectors failing now|A||== zero",     // not a number
		"Collectors failing now|A||0",           // no operator
	} {
		if _, err := parseValueExpectation(bad); err == nil {
			t.Errorf("parseValueExpectation(%q) accepted", bad)
		}
	}
}

func TestValueExpectationHolds(t *testing.T) {
	// Keys as queryValues writes them.
	got := map[string]float64{
		`{account="acme-corp",scope="enterprise"}`:  0,
		`{account="acme-crop",scope="enterprise"}`:  13,
		`{account="acme-web",scope="organization"}`: 0,
	}
	for _, tc := range []struct {
		expect string
		ok     bool
		want   string // in the error
	}{
		{"P|B|account=acme-crop|>= 1", true, ""},
		{"P|B|account=acme-crop|== 0", false, `acme-crop`},
		{"P|B|scope=organization|== 0", true, ""},
		{"P|B|scope=enterprise|== 0", false, `acme-crop`}, // one of the two enterprises fails it
		{"P|B||< 14", true, ""},
		{"P|B|account=acme-cor|== 0", false, "no series"}, // a prefix is not the label value
		{"P|B|account=nobody|== 0", false, "no series"},
	} {
		v, err := parseValueExpectation(tc.expect)
		if err != nil {
			t.Fatal(err)
		}
		err = v.holds(got)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: holds = %v, want ok=%v (error naming %q)", tc.expect, err, tc.ok, tc.want)
		}
	}
}

// A label name is matched whole: account=X does not match a series whose
// only such value is under billing_account.
func TestValueExpectationMatchesWholeLabelNames(t *testing.T) {
	got := map[string]float64{`{billing_account="acme-crop",scope="enterprise"}`: 13}
	v, err := parseValueExpectation("P|B|account=acme-crop|== 0")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.holds(got); err == nil || !strings.Contains(err.Error(), "no series") {
		t.Errorf("holds = %v, want no series with those labels", err)
	}
}
