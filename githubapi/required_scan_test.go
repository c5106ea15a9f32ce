package githubapi

import (
	"encoding/json"
	"fmt"
	"testing"
)

// The in-place scan finds what the schema requires, case-insensitively as
// encoding/json matches keys, through strings holding braces, brackets,
// quotes and escapes, and names the first element lacking a field.
func TestMissingFields(t *testing.T) {
	required := []string{"budgets", "total|count", "budgets[].id", "budgets[].amount"}
	for _, c := range []struct {
		doc  string
		want string
	}{
		{`{"budgets":[{"id":"a","amount":1}],"total":1}`, `[]`},
		{`{"BUDGETS":[{"Id":"a","AMOUNT":1}],"Count":1}`, `[]`},
		{`{"budgets":[{"id":"a","amount":1}]}`, `[total|count]`},
		{`{"budgets":null,"total":1}`, `[budgets]`},
		{`null`, `[budgets total|count]`},
		{`{"budgets":[{"id":"a"},{"amount":2},{"id":"c","amount":null}],"total":3}`, `[budgets[1].id budgets[0].amount]`},
		{`{"budgets":[{"id":"a","amount":1},null],"total":2}`, `[budgets[1].id budgets[1].amount]`},
		{`{"budgets":[{"id":"a","amount":1},7],"total":2}`, `[budgets budgets]`},
		{`{"budgets":{"id":"a"},"total":1}`, `[budgets budgets]`},
		// Keys and brackets inside strings are not structure.
		{`{"note":"}{\"budgets\":[","budgets":[{"x":"\"id\": 1 ]","id":"a","amount":[1,{"a":"]"}]}],"total":0}`, `[]`},
		{`{"budgets":[{"nested":{"id":"x","amount":1}}],"total":0}`, `[budgets[0].id budgets[0].amount]`},
		{"{\"bud\\u0067ets\":[],\n\t\"total\" : 1 }", `[]`},
	} {
		if !json.Valid([]byte(c.doc)) {
			t.Fatalf("not JSON: %s", c.doc)
		}
		if got := fmt.Sprint(missingFields([]byte(c.doc), required)); got != c.want {
			t.Errorf("%s: missing %s, want %s", c.doc, got, c.want)
		}
	}
}
