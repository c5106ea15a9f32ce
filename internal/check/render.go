package check

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WritePlan says what the check will spend, before it asks anything.
func WritePlan(w io.Writer, probes []Probe, accounts int) {
	fmt.Fprintf(w, "Checking %d account(s) with %d request(s) to GitHub: one per account and enabled collector that applies to it, sent once without a retry.\n\n", accounts, len(probes))
}

// legend explains each class that is not Works.
var legend = []struct {
	class Class
	text  string
}{
	{MissingPermission, "GitHub answered 403: the token lacks a scope or permission. The grant named is the README's \"Tokens and scopes\" table's; \"GitHub asks for\" is the answer's X-Accepted-GitHub-Permissions header."},
	{TokenRefused, "GitHub answered 401: it does not accept the token."},
	{NoSuchAccount, "GitHub answered 404: the account's name is misspelt, or the token's owner cannot see the account (GitHub answers 404 rather than 403 then)."},
	{NotOnServer, "a GitHub Enterprise Server (the credential's server key, else an API root ending in /api/v3) answered 404 for a billing-platform endpoint, which such a server does not have. When every endpoint of the account answers 404, the per-product ones included, the account is what is missing: no such account."},
	{Retired, "GitHub answered 410 Gone: this server retired the endpoint (GitHub's hosted service retired the per-product actions, packages and shared-storage endpoints). The collector cannot work here: turn it off."},
	{RateLimited, "GitHub refused the request for a rate limit, or the credential was already rate limited and the request was not sent."},
	{NetworkError, "no answer arrived: the API URL, a proxy, DNS, TLS or the timeout."},
	{ServerError, "GitHub answered 5xx."},
	{Unexpected, "GitHub answered a status the check does not know; its message says more."},
}

// WriteTable writes the rows as aligned columns, then what was spent and
// what the classes found mean.
func WriteTable(w io.Writer, rows []Row, spent int64) error {
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tCOLLECTOR\tRESULT\tWHAT TO DO")
	found := map[Class]bool{}
	failing := 0
	for _, r := range rows {
		result := string(r.Class)
		if r.Status != 0 && r.Class != Works {
			result += fmt.Sprintf(" (%d)", r.Status)
		}
		action := r.Action
		if r.Message != "" && (r.Class == NetworkError || r.Class == Unexpected || r.Class == ServerError) {
			action += ": " + r.Message
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Account, r.Collector, result, clean(action))
		found[r.Class] = true
		if !r.OK() {
			failing++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// A row that works has an empty last column: no padding after it.
	for line := range strings.Lines(table.String()) {
		if _, err := io.WriteString(w, strings.TrimRight(line, " \n")+"\n"); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\nSpent %d request(s). %d of %d collector check(s) work, %d cannot work.\n", spent, len(rows)-failing, len(rows), failing)
	first := true
	for _, l := range legend {
		if !found[l.class] {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nWhat the results mean:")
			first = false
		}
		fmt.Fprintf(w, "  %s: %s\n", l.class, l.text)
	}
	return nil
}

// clean keeps a cell on one line, whatever an upstream message holds.
func clean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// jsonRow is a row in the JSON output.
type jsonRow struct {
	Scope               string `json:"scope"`
	Account             string `json:"account"`
	Collector           string `json:"collector"`
	Endpoint            string `json:"endpoint"`
	Result              Class  `json:"result"`
	Works               bool   `json:"works"`
	Status              int    `json:"status,omitempty"`
	Action              string `json:"action,omitempty"`
	Message             string `json:"message,omitempty"`
	AcceptedPermissions string `json:"accepted_permissions,omitempty"`
}

// WriteJSON writes the rows and the requests planned and spent as one JSON
// document.
func WriteJSON(w io.Writer, rows []Row, planned int, spent int64) error {
	doc := struct {
		PlannedRequests int       `json:"planned_requests"`
		SpentRequests   int64     `json:"spent_requests"`
		Rows            []jsonRow `json:"rows"`
	}{PlannedRequests: planned, SpentRequests: spent, Rows: []jsonRow{}}
	for _, r := range rows {
		doc.Rows = append(doc.Rows, jsonRow{
			Scope: string(r.Account.Scope), Account: r.Account.Name, Collector: r.Collector, Endpoint: r.Endpoint,
			Result: r.Class, Works: r.OK(), Status: r.Status, Action: r.Action, Message: r.Message,
			AcceptedPermissions: r.AcceptedPermissions,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
