package collector

import (
	"context"
	"fmt"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// pageSize is the page size the client asks for wherever an answer comes
// in pages.
const pageSize = 100

// pages is how many pages of pageSize n entries take: at least one, which
// says that there are none.
func pages(n int) int { return max(1, (n+pageSize-1)/pageSize) }

// Shape is what is known of an account before a round asks GitHub anything:
// the sizes the requests of a round follow from. Each collector declares
// its requests as a function of it (Factory.Requests); the engine tests,
// the simulated-hour tests, the generated docs (docs/collectors.md and
// docs/api-budget.md) and the start-up budget check are computed from
// those declarations.
type Shape struct {
	Scope githubapi.Scope
	// CostCenters is an enterprise's cost centers, active or deleted, each
	// with an id of its own: the usage split asks one request per each.
	CostCenters int
	// Budgets is the entries of the account's budget list.
	Budgets int
	// MultiUserBudgetUsers is, per multi-user budget of an enterprise, its
	// users (the user states that --collector.budgets.user-states reads).
	MultiUserBudgetUsers []int
	// Repositories is the repositories of the Advanced Security report
	// (its total_count).
	Repositories int
	// SeatRows is the rows of the Copilot seat list: an enterprise's has a
	// row per organization or team that grants a user a seat.
	SeatRows int
	// SeatHolders is the distinct logins that hold a Copilot seat.
	SeatHolders int
	// Options are the collectors' options; some of them add requests.
	Options Options
}

// Call is one kind of request a collector makes in a round, and how many.
type Call struct {
	// Endpoint is the path after the account's prefix; a {name} in it
	// stands for a value of the answer (a budget's id).
	Endpoint string
	// Platform says the path is the billing platform's, whose organization
	// prefix is /organizations/{org}; the others' is /orgs/{org}.
	// Enterprises and users have one prefix for both.
	Platform bool
	// Count is how many requests of this kind one round makes.
	Count int
	// Formula says how Count follows from the Shape, for the docs.
	Formula string
	// Shared says that collectors of one round that ask it share one
	// answer (the client keeps it for the round): a round asks it once
	// however many of its collectors declare it.
	Shared bool
	// Legacy says that GitHub's hosted service answers 410 Gone, after
	// which the cache asks it again only a day later.
	Legacy bool
}

// Path is the request path of the call for account a.
func (c Call) Path(a githubapi.Account) string {
	switch {
	case a.Scope == githubapi.ScopeEnterprise:
		return "/enterprises/" + a.Name + c.Endpoint
	case a.Scope == githubapi.ScopeOrganization && c.Platform:
		return "/organizations/" + a.Name + c.Endpoint
	case a.Scope == githubapi.ScopeOrganization:
		return "/orgs/" + a.Name + c.Endpoint
	default:
		return "/users/" + a.Name + c.Endpoint
	}
}

// Calls are the requests of a collector for an account of shape s, none
// when the collector has no endpoint for the account's scope.
func (f Factory) Calls(s Shape) []Call {
	if !f.AppliesTo(s.Scope) || f.Requests == nil {
		return nil
	}
	return f.Requests(s)
}

// Round is what one round of the collectors fs asks of an account of shape
// s: every collector's calls, a shared call once (with the largest count
// declared for it).
func Round(s Shape, fs []Factory) []Call {
	var out []Call
	shared := map[string]int{} // Endpoint of a shared call: its index in out
	for _, f := range fs {
		for _, c := range f.Calls(s) {
			if !c.Shared {
				out = append(out, c)
				continue
			}
			if i, ok := shared[c.Endpoint]; ok {
				out[i].Count = max(out[i].Count, c.Count)
				continue
			}
			shared[c.Endpoint] = len(out)
			out = append(out, c)
		}
	}
	return out
}

// Total is the number of requests of calls.
func Total(calls []Call) int {
	n := 0
	for _, c := range calls {
		n += c.Count
	}
	return n
}

// The declarations of the collectors' requests, by collector, in the order
// of collectorTable. A collector of one request a round uses oneCall in
// the table; any other may declare its requests in its own file, beside
// its Update.

func legacyRequests(endpoint string) func(Shape) []Call {
	return func(Shape) []Call {
		return []Call{{Endpoint: "/settings/billing/" + endpoint, Count: 1, Formula: "1", Legacy: true}}
	}
}

func advancedSecurityRequests(s Shape) []Call {
	return []Call{{Endpoint: "/settings/billing/advanced-security", Count: pages(s.Repositories), Formula: "⌈repositories ÷ 100⌉"}}
}

func costCenterListCall() Call {
	return Call{Endpoint: "/settings/billing/cost-centers", Platform: true, Count: 1, Formula: "1", Shared: true}
}

func budgetListCall(s Shape) Call {
	return Call{Endpoint: "/settings/billing/budgets", Platform: true, Count: pages(s.Budgets), Formula: "⌈budgets ÷ 100⌉", Shared: true}
}

func usageRequests(s Shape) []Call {
	var calls []Call
	if s.Options.BudgetConsumption && s.Scope != githubapi.ScopeUser {
		calls = append(calls, budgetListCall(s))
	}
	if s.Scope != githubapi.ScopeEnterprise {
		return append(calls, Call{Endpoint: "/settings/billing/usage", Platform: true, Count: 1, Formula: "1"})
	}
	return append(calls, costCenterListCall(),
		Call{Endpoint: "/settings/billing/usage", Platform: true, Count: s.CostCenters + 1, Formula: "1 per cost center + 1 for none"},
		// The reconciliation of the split with the summary.
		Call{Endpoint: "/settings/billing/usage/summary", Platform: true, Count: 1, Formula: "1 (reconciliation)"})
}

func oneCall(endpoint string) func(Shape) []Call {
	return func(Shape) []Call {
		return []Call{{Endpoint: endpoint, Platform: true, Count: 1, Formula: "1"}}
	}
}

// aiCreditsBySeatHolder are the per-user AI-credit view's requests that
// follow from the seat list: its pages, one per seat holder, and the
// unfiltered answer once a refresh of the round.
func aiCreditsBySeatHolder(s Shape) (seatPages, users, unfiltered Call) {
	return Call{Endpoint: "/copilot/billing/seats", Count: pages(s.SeatRows), Formula: "⌈seat rows ÷ 100⌉"},
		Call{Endpoint: "/settings/billing/ai_credit/usage", Platform: true, Count: s.SeatHolders, Formula: "1 per seat holder"},
		Call{Endpoint: "/settings/billing/ai_credit/usage", Platform: true, Count: aiCreditsByUserSlices,
			Formula: fmt.Sprintf("%d unfiltered, one a refresh", aiCreditsByUserSlices)}
}

func aiCreditsByUserRequests(s Shape) []Call {
	seatPages, users, unfiltered := aiCreditsBySeatHolder(s)
	calls := []Call{seatPages, users, unfiltered}
	if s.Scope == githubapi.ScopeEnterprise {
		calls = append(calls, costCenterListCall(),
			Call{Endpoint: "/settings/billing/ai_credit/usage", Platform: true, Count: s.CostCenters + 1, Formula: "1 per cost center + 1 for none"})
	}
	return calls
}

func costCentersRequests(Shape) []Call { return []Call{costCenterListCall()} }

func budgetsRequests(s Shape) []Call {
	calls := []Call{budgetListCall(s)}
	if s.Options.BudgetUserStates && s.Scope == githubapi.ScopeEnterprise {
		n := 0
		for _, users := range s.MultiUserBudgetUsers {
			n += pages(users)
		}
		calls = append(calls, Call{Endpoint: "/settings/billing/budgets/{budget_id}/user-states", Platform: true, Count: n,
			Formula: "⌈users ÷ 100⌉ per multi-user budget"})
	}
	return calls
}

// copilotBillingCall is an organization's Copilot details, which the
// copilot collector shares with the AI-credit pool.
func copilotBillingCall() Call {
	return Call{Endpoint: "/copilot/billing", Count: 1, Formula: "1", Shared: true}
}

// copilotSeatPagesCall is every page of the seat list, which the copilot
// collector's by-plan view shares with the AI-credit pool.
func copilotSeatPagesCall(s Shape) Call {
	return Call{Endpoint: "/copilot/billing/seats", Count: pages(s.SeatRows), Formula: "⌈seat rows ÷ 100⌉", Shared: true}
}

// aiCreditsRequests is the month's AI-credit usage, which the ai_credits
// collector shares with the AI-credit pool.
func aiCreditsRequests(Shape) []Call {
	return []Call{{Endpoint: "/settings/billing/ai_credit/usage", Platform: true, Count: 1, Formula: "1", Shared: true}}
}

func copilotRequests(s Shape) []Call {
	switch {
	case s.Scope == githubapi.ScopeOrganization:
		return []Call{copilotBillingCall()}
	case s.Options.CopilotByPlan:
		return []Call{copilotSeatPagesCall(s)}
	default:
		return []Call{{Endpoint: "/copilot/billing/seats", Count: 1, Formula: "1 (total_seats, one seat a page)"}}
	}
}

func licensesRequests(Shape) []Call {
	return []Call{{Endpoint: "/consumed-licenses", Count: 1, Formula: "1 (the totals, one user a page)"}}
}

// BudgetCheck is a collector's check of its own API budget, at start and on
// every reload, for collectors whose round can cost a large share of the
// hourly limit: the server measures each account the collector reads (one
// request each), logs what a round costs, and refuses the configuration when
// the collector alone would spend more than its share of a credential's
// hourly limit.
type BudgetCheck struct {
	// Subject starts the check's log lines.
	Subject string
	// Noun names the collector in errors.
	Noun string
	// Unmeasured is the warning for an account Measure could not measure,
	// which the check leaves out of its sums.
	Unmeasured string
	// Remedy ends a refusal, after the longer refresh_interval it always
	// suggests.
	Remedy string
	// Measure asks GitHub what a round's cost follows from.
	Measure func(ctx context.Context, c *githubapi.Client, a githubapi.Account) (Shape, error)
	// Cost is what the check counts of a round for a measured shape.
	Cost func(Shape) RoundCost
}

// RoundCost is what a budget check counts of one round of an account.
type RoundCost struct {
	Requests int
	// Arithmetic shows how Requests adds up.
	Arithmetic string
	// Measured are the log attributes of what Measure found.
	Measured []any
}

// aiCreditsByUserBudget counts the seat holders with one request of one
// seat (total_seats, each user once) and the requests that follow from
// them. An enterprise's cost-center requests (the list, one per cost center
// and one for none) are not counted: knowing them costs another request.
var aiCreditsByUserBudget = &BudgetCheck{
	Subject:    "per-user AI credits",
	Noun:       "the per-user AI-credit view",
	Unmeasured: "cannot count the seat holders to check the API budget; the view's own refresh will report what fails",
	Remedy:     "raise --collector.ai_credits.by-user.max-budget-share, or leave the view off",
	Measure: func(ctx context.Context, c *githubapi.Client, a githubapi.Account) (Shape, error) {
		seats, err := c.CopilotSeatTotal(ctx, a)
		return Shape{Scope: a.Scope, SeatRows: int(seats), SeatHolders: int(seats)}, err
	},
	Cost: func(s Shape) RoundCost {
		seatPages, users, unfiltered := aiCreditsBySeatHolder(s)
		calls := []Call{seatPages, users, unfiltered}
		return RoundCost{
			Requests: Total(calls),
			Arithmetic: fmt.Sprintf("%d seats ÷ 100 = %d pages + %d seat holders + %d unfiltered",
				s.SeatHolders, seatPages.Count, users.Count, unfiltered.Count),
			Measured: []any{"seat_holders", s.SeatHolders},
		}
	},
}
