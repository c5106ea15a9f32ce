package githubapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// CopilotBilling is GET /orgs/{org}/copilot/billing.
type CopilotBilling struct {
	SeatBreakdown         CopilotSeatBreakdown `json:"seat_breakdown"`
	PublicCodeSuggestions string               `json:"public_code_suggestions"`
	IDEChat               string               `json:"ide_chat,omitempty"`
	PlatformChat          string               `json:"platform_chat,omitempty"`
	CLI                   string               `json:"cli,omitempty"`
	SeatManagementSetting string               `json:"seat_management_setting"`
	PlanType              string               `json:"plan_type,omitempty"`
}

// CopilotSeatBreakdown counts an organization's seats in the billing cycle.
type CopilotSeatBreakdown struct {
	Total               float64 `json:"total"`
	AddedThisCycle      float64 `json:"added_this_cycle"`
	PendingInvitation   float64 `json:"pending_invitation"`
	PendingCancellation float64 `json:"pending_cancellation"`
	ActiveThisCycle     float64 `json:"active_this_cycle"`
	InactiveThisCycle   float64 `json:"inactive_this_cycle"`
}

// CopilotSeat is one seat assignment. The date fields are kept as sent; the
// ones GitHub documents as nullable are pointers.
type CopilotSeat struct {
	CreatedAt               string           `json:"created_at"`
	UpdatedAt               string           `json:"updated_at,omitempty"`
	PendingCancellationDate *string          `json:"pending_cancellation_date"`
	LastActivityAt          *string          `json:"last_activity_at"`
	LastActivityEditor      *string          `json:"last_activity_editor"`
	PlanType                string           `json:"plan_type,omitempty"`
	Assignee                *CopilotAssignee `json:"assignee"`
	Organization            *CopilotOrg      `json:"organization,omitempty"`
	AssigningTeam           *CopilotTeam     `json:"assigning_team,omitempty"`
}

// CopilotAssignee is the user a seat belongs to.
type CopilotAssignee struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type,omitempty"`
}

// CopilotOrg is the organization that granted a seat.
type CopilotOrg struct {
	Login string `json:"login"`
}

// CopilotTeam is the team (or enterprise team) that granted a seat.
type CopilotTeam struct {
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"`
}

// CopilotSeats is every page of a seat-assignment list.
type CopilotSeats struct {
	// TotalSeats is total_seats of the first page.
	TotalSeats float64
	Seats      []CopilotSeat
}

// copilotBillingRequired is what the schema of an organization's Copilot
// details requires: without seat_breakdown every seat gauge would read 0.
var copilotBillingRequired = []string{"seat_breakdown", "public_code_suggestions", "seat_management_setting"}

// copilotSeatsRequired is what a page of a seat list must carry.
var copilotSeatsRequired = []string{"total_seats", "seats"}

// CopilotBilling fetches an organization's Copilot seat breakdown and
// settings.
func (c *Client) CopilotBilling(ctx context.Context, a Account) (*CopilotBilling, error) {
	if a.Scope != ScopeOrganization {
		return nil, fmt.Errorf("copilot billing: %s has none (organizations only)", a)
	}
	var v CopilotBilling
	if err := c.getJSON(ctx, legacyEndpoint(a, "/copilot/billing"), &v, copilotBillingRequired...); err != nil {
		return nil, err
	}
	return &v, nil
}

// CopilotSeatTotal fetches total_seats of an enterprise's or organization's
// seat assignments with one request (per_page=1): GitHub counts a user once in
// total_seats however many organizations or teams granted the seat, so the
// rows themselves need not be read.
func (c *Client) CopilotSeatTotal(ctx context.Context, a Account) (float64, error) {
	if a.Scope != ScopeEnterprise && a.Scope != ScopeOrganization {
		return 0, fmt.Errorf("copilot seats: %s has none (enterprises and organizations only)", a)
	}
	e := legacyEndpoint(a, "/copilot/billing/seats")
	e.query = url.Values{"per_page": {"1"}}
	var page struct {
		TotalSeats float64 `json:"total_seats"`
	}
	if err := c.getJSON(ctx, e, &page, "total_seats"); err != nil {
		return 0, err
	}
	return page.TotalSeats, nil
}

// CopilotSeats reads every page (100 seats each, following the Link header)
// of an enterprise's or organization's seat assignments. In an enterprise's
// list a user granted a seat by several organizations or teams appears once
// per grant.
func (c *Client) CopilotSeats(ctx context.Context, a Account) (*CopilotSeats, error) {
	if a.Scope != ScopeEnterprise && a.Scope != ScopeOrganization {
		return nil, fmt.Errorf("copilot seats: %s has none (enterprises and organizations only)", a)
	}
	e := legacyEndpoint(a, "/copilot/billing/seats")
	e.query = url.Values{"per_page": {"100"}}
	out := &CopilotSeats{}
	first := true
	err := c.eachPage(ctx, e, "seats", func(resp *http.Response) ([]string, string, error) {
		var page struct {
			TotalSeats float64       `json:"total_seats"`
			Seats      []CopilotSeat `json:"seats"`
		}
		if err := decodeRequired(e, resp, &page, copilotSeatsRequired...); err != nil {
			return nil, "", err
		}
		if first {
			out.TotalSeats, first = page.TotalSeats, false
		}
		out.Seats = append(out.Seats, page.Seats...)
		keys := make([]string, len(page.Seats))
		for i, s := range page.Seats {
			keys[i] = s.key()
		}
		return keys, "", nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// key identifies a seat among the pages of one list: the grant, which is
// the user, the organization and team that granted the seat, and when. An
// enterprise's list has a row per grant, so two rows of one key are the
// same row read twice.
func (s CopilotSeat) key() string {
	user, org, team := "", "", ""
	if s.Assignee != nil {
		user = strconv.FormatInt(s.Assignee.ID, 10) + " " + s.Assignee.Login
	}
	if s.Organization != nil {
		org = s.Organization.Login
	}
	if s.AssigningTeam != nil {
		team = s.AssigningTeam.Slug
	}
	return strconv.Quote(user) + strconv.Quote(org) + strconv.Quote(team) + strconv.Quote(s.CreatedAt)
}

// The answers below are shared by the collectors of one refresh round (see
// shared): the copilot collector reads the same seat list and organization
// details as the AI-credit pool, and the ai_credits collector the same
// month of AI-credit usage. Callers must not modify what they return.

// SharedCopilotBilling is CopilotBilling, asked once for the collectors of
// a round.
func (c *Client) SharedCopilotBilling(ctx context.Context, a Account) (*CopilotBilling, error) {
	return c.copilotBilling.get(ctx, legacyEndpoint(a, "/copilot/billing").path, c.now, func(ctx context.Context) (*CopilotBilling, error) {
		return c.CopilotBilling(ctx, a)
	})
}

// SharedCopilotSeats is CopilotSeats, every page asked once for the
// collectors of a round.
func (c *Client) SharedCopilotSeats(ctx context.Context, a Account) (*CopilotSeats, error) {
	return c.copilotSeats.get(ctx, legacyEndpoint(a, "/copilot/billing/seats").path, c.now, func(ctx context.Context) (*CopilotSeats, error) {
		return c.CopilotSeats(ctx, a)
	})
}

// SharedAICreditUsage is the unfiltered AICreditUsage of period, asked once
// for the collectors of a round.
func (c *Client) SharedAICreditUsage(ctx context.Context, a Account, period Period) (*ModelUsageReport, error) {
	e, err := periodEndpoint(a, "/settings/billing/ai_credit/usage", period)
	if err != nil {
		return nil, err
	}
	return c.aiCredits.get(ctx, e.path+"?"+e.query.Encode(), c.now, func(ctx context.Context) (*ModelUsageReport, error) {
		return c.AICreditUsage(ctx, a, period, AICreditFilter{})
	})
}
