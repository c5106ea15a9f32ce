package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// The templates the paging errors name: never the account, the host or a
// query.
const (
	seatsTemplate      = "/orgs/{org}/copilot/billing/seats"
	ghasTemplate       = "/orgs/{org}/settings/billing/advanced-security"
	userStatesTemplate = "/enterprises/{enterprise}/settings/billing/budgets/{budget_id}/user-states"
)

// seatIDs are the user ids of the logins seatPage knows.
var seatIDs = map[string]int{"alice": 1, "bob": 2, "carol": 3, "dave": 4}

// seatPage is a seat-list page of one seat per login, the same row for a
// login on every page.
func seatPage(logins ...string) string {
	var seats []string
	for _, l := range logins {
		seats = append(seats, fmt.Sprintf(`{"created_at": "2026-01-12T09:00:00Z", "assignee": {"login": %q, "id": %d}}`, l, seatIDs[l]))
	}
	return `{"total_seats": 4, "seats": [` + strings.Join(seats, ",") + `]}`
}

// linkTo is a Link header whose rel="next" is path?query on the server that
// got r, spelled as GitHub spells its links: absolute.
func linkTo(r *http.Request, query string) string {
	return fmt.Sprintf(`<http://%s%s?%s>; rel="next"`, r.Host, r.URL.Path, query)
}

// checkPagingError checks that err is a *githubapi.PagingError with the text
// want, naming neither the host nor the account.
func checkPagingError(t *testing.T, err error, want string, srvURL string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if _, ok := errors.AsType[*githubapi.PagingError](err); !ok {
		t.Errorf("error %v (%T) is not a *githubapi.PagingError", err, err)
	}
	if err.Error() != want {
		t.Errorf("error\n %q, want\n %q", err, want)
	}
	host := strings.TrimPrefix(srvURL, "http://")
	if strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "per_page") {
		t.Errorf("error %q names the URL", err)
	}
}

// A Link whose rel="next" is the page just read costs one request, not the
// 1,000 of the page bound: the same URL with its query in another order and
// page=1 spelled out (GitHub's own first-page links spell it) is the same
// page. Through both Link walks: the seat list and Advanced Security.
func TestPagingStopsAtALinkToThePageJustRead(t *testing.T) {
	for _, link := range []string{"per_page=100", "page=1&per_page=100", "per_page=100&page=1"} {
		t.Run("seats "+link, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", linkTo(r, link))
				fmt.Fprint(w, seatPage("alice", "bob"))
			})
			c := newClient(t, githubapi.Options{BaseURL: srv.URL, HTTPClient: tokenClient("tok-paging")})
			_, err := c.CopilotSeats(context.Background(), orgWeb)
			checkPagingError(t, err, "GET "+seatsTemplate+": paging stopped after page 1: its next page is page 1 again", srv.URL)
			// Page 1 (?per_page=100) only: its link is itself.
			if n := len(srv.seen()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
		t.Run("advanced security "+link, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", linkTo(r, link))
				fmt.Fprint(w, `{"total_count": 2, "repositories": [{"name": "acme/a", "advanced_security_committers": 1}]}`)
			})
			c := newClient(t, githubapi.Options{BaseURL: srv.URL})
			_, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
			checkPagingError(t, err, "GET "+ghasTemplate+": paging stopped after page 1: its next page is page 1 again", srv.URL)
			if n := len(srv.seen()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// A→B→A: page 2 (new seats) links back to page 1, spelled as it was
// asked for or with page=1. Or page 2 links to itself with its query in
// another order. Two requests, then the error; every seat read was new, so
// only the URL gives the circle away.
func TestPagingStopsAtACycle(t *testing.T) {
	for _, tc := range []struct {
		back string
		page int // the page the link leads back to
	}{
		{"per_page=100", 1},
		{"page=1&per_page=100", 1},
		{"page=2&per_page=100", 2},
	} {
		t.Run(tc.back, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("page") == "2" {
					w.Header().Set("Link", linkTo(r, tc.back))
					fmt.Fprint(w, seatPage("carol", "dave"))
					return
				}
				w.Header().Set("Link", linkTo(r, "per_page=100&page=2"))
				fmt.Fprint(w, seatPage("alice", "bob"))
			})
			c := newClient(t, githubapi.Options{BaseURL: srv.URL})
			_, err := c.CopilotSeats(context.Background(), orgWeb)
			want := fmt.Sprintf("GET %s: paging stopped after page 2: its next page is page %d again", seatsTemplate, tc.page)
			checkPagingError(t, err, want, srv.URL)
			// Page 1, page 2; the link back is not followed.
			if n := len(srv.seen()); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
}

// A seat list that ignores page: every page is the same two seats under a
// new URL (page=2, 3, …), so no URL repeats. Page 2 adds nothing and still
// links on: two requests, not 1,000. An empty page that links on is refused
// at once.
func TestCopilotSeatsStopWhenPagesRepeat(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
		requests         int
	}{
		// Page 1: alice and bob are new. Page 2: both already read.
		{"same seats", seatPage("alice", "bob"), "paging stopped after page 2: it brought no seats not already read, yet says there is a next page", 2},
		// Page 1 has no seat at all.
		{"empty page", seatPage(), "paging stopped after page 1: it brought no seats, yet says there is a next page", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				page, _ := strconv.Atoi(r.URL.Query().Get("page"))
				w.Header().Set("Link", linkTo(r, fmt.Sprintf("per_page=100&page=%d", max(page, 1)+1)))
				fmt.Fprint(w, tc.body)
			})
			c := newClient(t, githubapi.Options{BaseURL: srv.URL})
			_, err := c.CopilotSeats(context.Background(), orgWeb)
			checkPagingError(t, err, "GET "+seatsTemplate+": "+tc.want, srv.URL)
			if n := len(srv.seen()); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}
}

// A seat added while paging shifts the list: page 2 repeats the last seat
// of page 1 and brings a new one. That is no loop: every row is kept, as
// sent (the collectors count each user once).
func TestCopilotSeatsAcceptAShiftedPage(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			fmt.Fprint(w, seatPage("bob", "carol"))
			return
		}
		w.Header().Set("Link", linkTo(r, "per_page=100&page=2"))
		fmt.Fprint(w, seatPage("alice", "bob"))
	})
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	got, err := c.CopilotSeats(context.Background(), orgWeb)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, s := range got.Seats {
		logins = append(logins, s.Assignee.Login)
	}
	// Page 1: alice, bob; page 2: bob again (the same row), carol.
	if strings.Join(logins, ",") != "alice,bob,bob,carol" || len(srv.seen()) != 2 {
		t.Errorf("seats %v after %d requests, want alice,bob,bob,carol after 2", logins, len(srv.seen()))
	}
}

// ghasFullPage is a page of 100 repositories acme/r000 … acme/r099 with
// total_count total and no Link header.
func ghasFullPage(total int) string {
	repos := make([]string, 100)
	for i := range repos {
		repos[i] = fmt.Sprintf(`{"name": "acme/r%03d", "advanced_security_committers": 1}`, i)
	}
	return fmt.Sprintf(`{"total_count": %d, "repositories": [%s]}`, total, strings.Join(repos, ","))
}

// Advanced Security pages come without Link: the next page is asked for by
// number while the pages are full and total_count is not reached. A server
// that ignores page sends the same 100 repositories every time. Page 2 adds
// nothing: two requests and an error. Before, with total_count 250 the walk
// ended after 3 pages with 300 rows (each repository counted 3 times) and
// no error; with 100,000 it ran to the 1,000-page bound.
func TestAdvancedSecurityStopsWhenPagesWithoutLinkRepeat(t *testing.T) {
	for _, total := range []int{250, 100000} {
		t.Run(strconv.Itoa(total), func(t *testing.T) {
			srv := newRecorder(t, fakeGitHubString(ghasFullPage(total)))
			c := newClient(t, githubapi.Options{BaseURL: srv.URL})
			got, err := c.AdvancedSecurityCommitters(context.Background(), orgWeb)
			if got != nil {
				t.Errorf("got %d repositories, want none with the error", len(got.Repositories))
			}
			checkPagingError(t, err, "GET "+ghasTemplate+": paging stopped after page 2: it brought no repositories not already read, yet says there is a next page", srv.URL)
			reqs := srv.seen()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if reqs[1].RawQuery != "page=2&per_page=100" {
				t.Errorf("second request ?%s, want ?page=2&per_page=100", reqs[1].RawQuery)
			}
		})
	}
}

// fakeGitHubString answers every request with body.
func fakeGitHubString(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) }
}

// Budget user states are paged by number while has_next_page: a server that
// ignores page repeats the same users and says there is more forever. Page
// 2 adds no user: two requests, not 1,000.
func TestBudgetUserStatesStopWhenPagesRepeat(t *testing.T) {
	srv := newRecorder(t, fakeGitHubString(`{"user_states": [
		{"user": "alice", "consumed_amount": 3, "target_amount": 50},
		{"user": "bob", "consumed_amount": 0, "target_amount": 50}], "has_next_page": true, "total_count": 400}`))
	c := newClient(t, githubapi.Options{BaseURL: srv.URL})
	got, err := c.BudgetUserStates(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "b-1")
	if got != nil {
		t.Errorf("got %d user states, want none with the error", len(got))
	}
	checkPagingError(t, err, "GET "+userStatesTemplate+": paging stopped after page 2: it brought no user states not already read, yet says there is a next page", srv.URL)
	if n := len(srv.seen()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

// The fake GitHub's user states, 250 users at 100 a page: pages 1, 2 and 3
// (100 + 100 + 50), each bringing new users, are read without a paging
// error.
func TestBudgetUserStatesReadEveryPageOfTheFake(t *testing.T) {
	d := fakegithub.NewDataset()
	var states []githubapi.BudgetUserState
	for i := range 250 {
		states = append(states, githubapi.BudgetUserState{User: fmt.Sprintf("dev-%03d", i), ConsumedAmount: 1, TargetAmount: 50})
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{BillingObjects: fakegithub.BillingObjects{
		BudgetUserStates: map[string][]githubapi.BudgetUserState{"b-1": states},
	}}}
	srv := fakegithubtest.Start(t, d)
	c := fakegithubtest.Client(t, srv, githubapi.Options{})
	got, err := c.BudgetUserStates(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}, "b-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 250 || got[249].User != "dev-249" {
		t.Errorf("got %d user states, want 250 ending with dev-249", len(got))
	}
	if n := srv.Requests("/enterprises/acme/settings/billing/budgets/b-1/user-states"); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}
