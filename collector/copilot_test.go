package collector

import (
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi/githubtest"
)

const platformTestCopilotSeats = "# HELP github_billing_copilot_seats Copilot seats: seat_breakdown.total for an organization; for an enterprise, the distinct users holding a seat.\n# TYPE github_billing_copilot_seats gauge\n"

func TestCopilotCollectorOrganizationOnTheExample(t *testing.T) {
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	srv.Override("/orgs/acme-web/copilot/billing", githubtest.ServeFile(examplesDir+"org-copilot-billing.json"))
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
	srv := githubtest.Start(t, nil)
	client := srv.Client(t, githubapi.Options{})
	// The org seat example is the only seat body captured; the enterprise
	// list has the same shape.
	srv.Override("/enterprises/acme/copilot/billing/seats", githubtest.ServeFile(examplesDir+"org-copilot-seats.json"))
	got := update(t, copilotCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	expectExposition(t, got, platformTestCopilotSeats+`github_billing_copilot_seats{account="acme",scope="enterprise"} 2
`)
}

func TestCopilotCollectorEnterpriseCountsUsersOnce(t *testing.T) {
	d := githubtest.NewDataset()
	p := &githubtest.PlatformData{}
	d.Enterprises["acme"] = &githubtest.AccountData{Platform: p}
	seat := func(login, org string) githubapi.CopilotSeat {
		return githubapi.CopilotSeat{Assignee: &githubapi.CopilotAssignee{Login: login}, Organization: &githubapi.CopilotOrg{Login: org}}
	}
	// 120 users in acme-web (two pages of 100), mona again through
	// acme-data and once more in other casing, and a seat without assignee.
	for i := 0; i < 119; i++ {
		p.CopilotSeats = append(p.CopilotSeats, seat("user-"+string(rune('a'+i/26))+string(rune('a'+i%26)), "acme-web"))
	}
	p.CopilotSeats = append(p.CopilotSeats, seat("mona", "acme-web"), seat("mona", "acme-data"), seat("Mona", "acme-ops"),
		githubapi.CopilotSeat{Organization: &githubapi.CopilotOrg{Login: "acme-web"}})
	srv := githubtest.Start(t, d)
	client := srv.Client(t, githubapi.Options{})
	got := update(t, copilotCollector{}, client, githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if n := srv.Requests("/enterprises/acme/copilot/billing/seats"); n != 2 {
		t.Errorf("%d requests, want 2 pages", n)
	}
	// 123 rows: 119 + mona = 120 users; the other two mona rows and the row
	// without assignee add none. Only the seat count applies to an
	// enterprise.
	expectExposition(t, got, platformTestCopilotSeats+`github_billing_copilot_seats{account="acme",scope="enterprise"} 120
`)
}
