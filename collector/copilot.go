package collector

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	copilotSeats              = newDesc("copilot_seats", "Copilot seats: seat_breakdown.total for an organization, total_seats for an enterprise.")
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
		total, err := client.CopilotSeatTotal(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("fetch Copilot seats for %s: %w", a, err)
		}
		m.gauge(copilotSeats, total)
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
