package collector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

const platformTestCopilotSeats = "# HELP github_billing_copilot_seats Copilot seats: seat_breakdown.total for an organization, total_seats for an enterprise.\n# TYPE github_billing_copilot_seats gauge\n"

func TestCopilotCollectorOrganizationOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/orgs/acme-web/copilot/billing", fakegithubtest.ServeFile(examplesDir+"org-copilot-billing.json"))
	got := update(t, copilotCollector{}, client, githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	want := `# HELP github_billing_copilot_plan_info The organization's Copilot plan and seat management setting; always 1.
# TYPE github_billing_copilot_plan_info gauge
github_billing_copilot_plan_info{account="acme-web",plan_type="business",scope="organization",seat_management_setting="assign_selected"} 1
` + platformTestCopilotSeats + `github_billing_copilot_seats{account="acme-web",scope="organization"} 12
# HELP github_billing_copilot_seats_active_this_cycle Copilot seats used in the billing cycle.
# TYPE github_billing_copilot_seats_active_this_cycle gauge
github_billing_copilot_seats_active_this_cycle{account="acme-web",scope="organization"} 12
# HELP github_billing_copilot_seats_added_this_cycle Copilot seats added in the billing cycle.
# TYPE github_billing_copilot_seats_added_this_cycle gauge
github_billing_copilot_seats_added_this_cycle{account="acme-web",scope="organization"} 9
# HELP github_billing_copilot_seats_inactive_this_cycle Copilot seats not used in the billing cycle.
# TYPE github_billing_copilot_seats_inactive_this_cycle gauge
github_billing_copilot_seats_inactive_this_cycle{account="acme-web",scope="organization"} 11
# HELP github_billing_copilot_seats_pending_cancellation Copilot seats that end with the billing cycle.
# TYPE github_billing_copilot_seats_pending_cancellation gauge
github_billing_copilot_seats_pending_cancellation{account="acme-web",scope="organization"} 0
# HELP github_billing_copilot_seats_pending_invitation Copilot seats waiting for the user to accept an invitation.
# TYPE github_billing_copilot_seats_pending_invitation gauge
github_billing_copilot_seats_pending_invitation{account="acme-web",scope="organization"} 0
`
	expectExposition(t, got, want)
}

func TestCopilotCollectorEnterpriseOnTheSeatExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	// The org seat example is the only seat body captured; the enterprise
	// list has the same shape.
	var q fakegithubtest.Queries
	srv.Override("/enterprises/acme/copilot/billing/seats", q.Wrap(fakegithubtest.ServeFile(examplesDir+"org-copilot-seats.json")))
	got := update(t, copilotCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if all := q.All(); len(all) != 1 || all[0].Encode() != "per_page=1" {
		t.Errorf("queries %v, want one request with per_page=1", all)
	}
	expectExposition(t, got, platformTestCopilotSeats+`github_billing_copilot_seats{account="acme",scope="enterprise"} 2
`)
}

// An enterprise's seat count is total_seats, which GitHub documents as
// counting a user once however many organizations or teams granted the
// seat; one request of one row reads it, whatever the list's length.
func TestCopilotCollectorEnterpriseReadsTotalSeatsWithOneRequest(t *testing.T) {
	d := fakegithub.NewDataset()
	p := &fakegithub.PlatformData{}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: p}
	seat := func(login, org string) githubapi.CopilotSeat {
		return githubapi.CopilotSeat{Assignee: &githubapi.CopilotAssignee{Login: login}, Organization: &githubapi.CopilotOrg{Login: org}}
	}
	// 250 rows: 247 users, mona granted three times.
	for i := range 247 {
		p.CopilotSeats = append(p.CopilotSeats, seat(fmt.Sprintf("user-%03d", i), "acme-web"))
	}
	p.CopilotSeats = append(p.CopilotSeats, seat("mona", "acme-web"), seat("mona", "acme-data"), seat("Mona", "acme-ops"))
	srv := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got := update(t, copilotCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if n := srv.Requests("/enterprises/acme/copilot/billing/seats"); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	// 247 users plus mona.
	expectExposition(t, got, platformTestCopilotSeats+`github_billing_copilot_seats{account="acme",scope="enterprise"} 248
`)
}

// An answer without total_seats is a decode error, not zero seats.
func TestCopilotCollectorEnterpriseWithoutTotalSeatsFails(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	srv.Override("/enterprises/acme/copilot/billing/seats", fakegithubtest.ServeString(`{"seats": []}`))
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	_, err := copilotCollector{}.Update(context.Background(), client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	var de *githubapi.DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "total_seats") {
		t.Errorf("err = %v, want a DecodeError naming total_seats", err)
	}
}

// GitHub's enterprise seat example, verbatim, with --collector.copilot.by-plan:
// one business seat and one without plan_type.
func TestCopilotCollectorSeatsByPlanOnTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/enterprises/acme/copilot/billing/seats", fakegithubtest.ServeFile(examplesDir+"enterprise-copilot-seats.json"))
	got := usageTestValues(t, copilotCollector{byPlan: true}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	want := map[string]float64{
		`github_billing_copilot_seats{}`:                             2,
		`github_billing_copilot_seats_by_plan{plan_type="business"}`: 1,
		`github_billing_copilot_seats_by_plan{plan_type=""}`:         1,
	}
	usageTestExpect(t, "seats", got, want)
}
