package githubapi_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

func TestCopilotBillingDecodesTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/orgs/acme-web/copilot/billing", fakegithubtest.ServeFile(examplesDir+"org-copilot-billing.json"))
	got, err := client.CopilotBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil {
		t.Fatal(err)
	}
	want := &githubapi.CopilotBilling{
		SeatBreakdown: githubapi.CopilotSeatBreakdown{
			Total: 12, AddedThisCycle: 9, PendingInvitation: 0, PendingCancellation: 0, ActiveThisCycle: 12, InactiveThisCycle: 11,
		},
		SeatManagementSetting: "assign_selected", IDEChat: "enabled", PlatformChat: "enabled", CLI: "enabled",
		PublicCodeSuggestions: "block", PlanType: "business",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestCopilotSeatsDecodeTheExample(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	srv.Override("/orgs/acme-web/copilot/billing/seats", fakegithubtest.ServeFile(examplesDir+"org-copilot-seats.json"))
	got, err := client.CopilotSeats(context.Background(), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "acme-web"})
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalSeats != 2 || len(got.Seats) != 2 {
		t.Fatalf("got total %v and %d seats, want 2 and 2", got.TotalSeats, len(got.Seats))
	}
	first, second := got.Seats[0], got.Seats[1]
	if first.Assignee == nil || first.Assignee.Login != "octocat" || first.PendingCancellationDate != nil ||
		first.AssigningTeam == nil || first.AssigningTeam.Slug != "justice-league" || first.PlanType != "business" {
		t.Errorf("first seat %+v", first)
	}
	if second.Assignee == nil || second.Assignee.Login != "octokitten" || second.PendingCancellationDate == nil || *second.PendingCancellationDate != "2021-11-01" {
		t.Errorf("second seat %+v", second)
	}
}

func TestEnterpriseCopilotSeatsFollowEveryPage(t *testing.T) {
	d := fakegithub.NewDataset()
	p := &fakegithub.PlatformData{}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: p}
	for i := range 230 {
		p.CopilotSeats = append(p.CopilotSeats, githubapi.CopilotSeat{Assignee: &githubapi.CopilotAssignee{Login: fmt.Sprintf("u%03d", i%200)}})
	}
	srv := fakegithubtest.Start(t, d)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	got, err := client.CopilotSeats(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	// 230 rows for 200 users; GitHub's total_seats counts users.
	if len(got.Seats) != 230 || got.TotalSeats != 200 {
		t.Errorf("got %d seats, total %v; want 230 and 200", len(got.Seats), got.TotalSeats)
	}
	if n := srv.Requests("/enterprises/acme/copilot/billing/seats"); n != 3 {
		t.Errorf("%d requests, want 3 pages of 100", n)
	}
}

func TestCopilotScopes(t *testing.T) {
	srv := fakegithubtest.Start(t, nil)
	client := fakegithubtest.Client(t, srv, githubapi.Options{})
	if _, err := client.CopilotBilling(context.Background(), githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: "acme"}); err == nil {
		t.Error("Copilot billing: no error for an enterprise")
	}
	if _, err := client.CopilotSeats(context.Background(), githubapi.Account{Scope: githubapi.ScopeUser, Name: "octocat"}); err == nil {
		t.Error("Copilot seats: no error for a user")
	}
	if n := srv.TotalRequests(); n != 0 {
		t.Errorf("%d requests", n)
	}
}
