package collector

import (
	"context"
	"fmt"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	copilotSeats              = NewDesc("copilot_seats", "Copilot seats: seat_breakdown.total for an organization, total_seats for an enterprise.")
	copilotSeatsAdded         = NewDesc("copilot_seats_added_this_cycle", "Copilot seats added in the billing cycle.")
	copilotSeatsPendingInvite = NewDesc("copilot_seats_pending_invitation", "Copilot seats waiting for the user to accept an invitation.")
	copilotSeatsPendingCancel = NewDesc("copilot_seats_pending_cancellation", "Copilot seats that end with the billing cycle.")
	copilotSeatsActiveCycle   = NewDesc("copilot_seats_active_this_cycle", "Copilot seats used in the billing cycle.")
	copilotSeatsInactiveCycle = NewDesc("copilot_seats_inactive_this_cycle", "Copilot seats not used in the billing cycle.")
	copilotPlanInfo           = NewDesc("copilot_plan_info", "The organization's Copilot plan and seat management setting; always 1.", "plan_type", "seat_management_setting")
	copilotSeatsByPlan        = NewDesc("copilot_seats_by_plan", "The enterprise's Copilot seats per plan_type (business, enterprise; \"\" when GitHub names none), each user once.", "plan_type")
)

type copilotCollector struct{ byPlan bool }

func newCopilotCollector(o Options) Collector { return copilotCollector{byPlan: o.CopilotByPlan} }

func (c copilotCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	m := newMetricSet(a)
	if a.Scope == githubapi.ScopeEnterprise {
		if c.byPlan {
			// Every page: total_seats comes with the first, the plans
			// with the seats. A user granted a seat twice is counted once,
			// under the plan of the first grant GitHub lists.
			seats, err := client.SharedCopilotSeats(ctx, a)
			if err != nil {
				return nil, fmt.Errorf("fetch Copilot seats for %s: %w", a, err)
			}
			m.add(copilotSeats, seats.TotalSeats)
			seen := map[string]bool{}
			for _, s := range seats.Seats {
				if s.Assignee != nil {
					login := strings.ToLower(s.Assignee.Login)
					if seen[login] {
						continue
					}
					seen[login] = true
				}
				m.add(copilotSeatsByPlan, 1, s.PlanType)
			}
			return m.metrics(), nil
		}
		total, err := client.CopilotSeatTotal(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("fetch Copilot seats for %s: %w", a, err)
		}
		m.add(copilotSeats, total)
		return m.metrics(), nil
	}
	b, err := client.SharedCopilotBilling(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("fetch Copilot billing for %s: %w", a, err)
	}
	sb := b.SeatBreakdown
	m.add(copilotSeats, sb.Total)
	m.add(copilotSeatsAdded, sb.AddedThisCycle)
	m.add(copilotSeatsPendingInvite, sb.PendingInvitation)
	m.add(copilotSeatsPendingCancel, sb.PendingCancellation)
	m.add(copilotSeatsActiveCycle, sb.ActiveThisCycle)
	m.add(copilotSeatsInactiveCycle, sb.InactiveThisCycle)
	m.maximum(copilotPlanInfo, 1, b.PlanType, b.SeatManagementSetting)
	return m.metrics(), nil
}
