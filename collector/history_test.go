package collector

import (
	"slices"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The collectors with history are the ones that implement historian, in
// the order of the collector table; the usage report alone reaches further
// back than githubapi.HistoryMonths.
func TestHistoryCollectorsAreTheHistorians(t *testing.T) {
	want := []string{"usage", "usage_summary", "premium_requests", "ai_credits", "usage_detail"}
	if got := HistoryCollectors(); !slices.Equal(got, want) {
		t.Errorf("HistoryCollectors() = %v, want %v", got, want)
	}
	for name, limited := range map[string]bool{
		"usage": false, "usage_summary": true, "premium_requests": true, "ai_credits": true, "usage_detail": true,
		"budgets": false, "no_such_collector": false,
	} {
		if got := HistoryLimited(name); got != limited {
			t.Errorf("HistoryLimited(%q) = %v, want %v", name, got, limited)
		}
	}
}

// A collector without history, or no collector at all, has no month to
// date, and the error lists the collectors that have one.
func TestNewMonthToDateRefusesCollectorsWithoutHistory(t *testing.T) {
	for _, name := range []string{"budgets", AICreditsByUser, "no_such_collector"} {
		_, err := NewMonthToDate(name, Options{}, usageTestOrg)
		want := `collector "` + name + `" has no history; collectors with history: [usage usage_summary premium_requests ai_credits usage_detail]`
		if err == nil || err.Error() != want {
			t.Errorf("NewMonthToDate(%q): error %v, want %q", name, err, want)
		}
	}
}

// The usage report is read once per cost center of an enterprise and once
// for the usage in none; the summary-shaped reports once a day, without the
// cost centers.
func TestMonthToDateRequestsAndCostCenters(t *testing.T) {
	centers := []githubapi.CostCenter{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}}
	for _, c := range []struct {
		name        string
		requests    int
		costCenters bool
	}{
		{"usage", 3, true},
		{"usage_summary", 1, false},
		{"premium_requests", 1, false},
		{"ai_credits", 1, false},
	} {
		m, err := NewMonthToDate(c.name, Options{}, usageTestOrg)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Requests(centers); got != c.requests {
			t.Errorf("%s: Requests(2 cost centers) = %d, want %d", c.name, got, c.requests)
		}
		if got := m.Requests(nil); got != 1 {
			t.Errorf("%s: Requests(nil) = %d, want 1", c.name, got)
		}
		if got := m.ReadsCostCenters(); got != c.costCenters {
			t.Errorf("%s: ReadsCostCenters() = %v, want %v", c.name, got, c.costCenters)
		}
	}
}

// A saved month to date names its series by descriptor index and labels; a
// saved series no descriptor of the collector has is refused, naming the
// collector.
func TestMonthToDateRefusesAnUnknownSavedSeries(t *testing.T) {
	m, err := NewMonthToDate("usage_summary", Options{}, usageTestOrg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ state, want string }{
		{`{"Samples":[{"Desc":6,"Labels":["p","s","u"],"Sum":{"S":1,"C":0}}]}`, "month to date of usage_summary: unknown series 6[p s u]"},
		{`{"Samples":[{"Desc":0,"Labels":["p","s","u","model"],"Sum":{"S":1,"C":0}}]}`, "month to date of usage_summary: unknown series 0[p s u model]"},
	} {
		if err := m.UnmarshalJSON([]byte(c.state)); err == nil || err.Error() != c.want {
			t.Errorf("UnmarshalJSON(%s): error %v, want %q", c.state, err, c.want)
		}
	}
	// The same state with the summary's own labels is restored.
	if err := m.UnmarshalJSON([]byte(`{"Samples":[{"Desc":0,"Labels":["p","s","u"],"Sum":{"S":1.5,"C":0}}]}`)); err != nil {
		t.Fatal(err)
	}
	if n := len(m.Metrics()); n != 1 {
		t.Errorf("restored %d samples, want 1", n)
	}
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"Samples":[{"Desc":0,"Labels":["p","s","u"],"Sum":{"S":1.5,"C":0}}]}`; string(b) != want {
		t.Errorf("MarshalJSON = %s, want %s", b, want)
	}
}

// The usage history counts the requests readUsage sends: a cost center
// without an id, or with one already listed, is not read.
func TestUsageHistoryRequestsCountReadCostCenters(t *testing.T) {
	m, err := NewMonthToDate("usage", Options{}, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	centers := []githubapi.CostCenter{{ID: "a", Name: "A"}, {ID: "a", Name: "A again"}, {Name: "no id"}, {ID: "b", Name: "B"}}
	if got := m.Requests(centers); got != 3 {
		t.Errorf("Requests = %d, want 3 (a, b and none)", got)
	}
}
