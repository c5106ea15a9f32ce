package collector

import (
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	copilotSeats              = newDesc("copilot_seats", "Copilot seats: seat_breakdown.total for an organization; for an enterprise, the distinct users holding a seat.")
	copilotSeatsAdded         = newDesc("copilot_seats_added_this_cycle", "Copilot seats added in the billing cycle.")
	copilotSeatsPendingInvite = newDesc("copilot_seats_pending_invitation", "Copilot seats waiting for the user to accept an invitation.")
	copilotSeatsPendingCancel = newDesc("copilot_seats_pending_cancellation", "Copilot seats that end with the billing cycle.")
	copilotSeatsActiveCycle   = newDesc("copilot_seats_active_this_cycle", "Copilot seats used in the billing cycle.")
	copilotSeatsInactiveCycle = newDesc("copilot_seats_inactive_this_cycle", "Copilot seats not used in the billing cycle.")
	copilotPlanInfo           = newDesc("copilot_plan_info", "The organization's Copilot plan and seat management setting; always 1.", "plan_type", "seat_management_setting")
)

type copilotCollector struct{}

func newCopilotCollector(Options) Collector { return copilotCollector{} }

func (copilotCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	m := newMetricSet(a)
	if a.Scope == githubapi.ScopeEnterprise {
		seats, err := client.CopilotSeats(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("fetch Copilot seats for %s: %w", a, err)
		}
		m.gauge(copilotSeats, float64(distinctSeatHolders(seats.Seats)))
		return m.metrics(), nil
	}
	b, err := client.CopilotBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Copilot billing for %s: %w", a, err)
	}
	sb := b.SeatBreakdown
	m.gauge(copilotSeats, sb.Total)
	m.gauge(copilotSeatsAdded, sb.AddedThisCycle)
	m.gauge(copilotSeatsPendingInvite, sb.PendingInvitation)
	m.gauge(copilotSeatsPendingCancel, sb.PendingCancellation)
	m.gauge(copilotSeatsActiveCycle, sb.ActiveThisCycle)
	m.gauge(copilotSeatsInactiveCycle, sb.InactiveThisCycle)
	m.maximum(copilotPlanInfo, 1, b.PlanType, b.SeatManagementSetting)
	return m.metrics(), nil
}

// distinctSeatHolders counts the users in an enterprise's seat list. The list
// has a row per granting organization or team, but the enterprise pays once
// per user, so users are counted by login (case-insensitively, as GitHub
// compares logins) rather than rows. This is computed
// from the rows read instead of taking total_seats on trust, which keeps it
// right whether total_seats counts users (as documented) or rows. Rows
// without an assignee cannot be matched to a user and are not counted.
func distinctSeatHolders(seats []githubapi.CopilotSeat) int {
	users := map[string]bool{}
	for _, s := range seats {
		if s.Assignee != nil && s.Assignee.Login != "" {
			users[strings.ToLower(s.Assignee.Login)] = true
		}
	}
	return len(users)
}
