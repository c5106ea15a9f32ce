package testutil

import (
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// aiCreditRow is one AI-credit row: quantities in credits, amounts in dollars
// (a credit is $0.01).
func aiCreditRow(model string, grossQ, discQ float64) githubapi.ModelUsageItem {
	return githubapi.ModelUsageItem{
		UsageSummaryItem: githubapi.UsageSummaryItem{
			Product: "Copilot", SKU: "Copilot AI Credits", UnitType: "credits", PricePerUnit: 0.01,
			BillingAmounts: githubapi.BillingAmounts{
				GrossQuantity: grossQ, GrossAmount: grossQ / 100,
				DiscountQuantity: discQ, DiscountAmount: discQ / 100,
				NetQuantity: grossQ - discQ, NetAmount: (grossQ - discQ) / 100,
			},
		},
		Model: model,
	}
}

func aiCreditSeat(login string) githubapi.CopilotSeat {
	return githubapi.CopilotSeat{CreatedAt: "2026-01-12T09:00:00Z", PlanType: "business",
		Assignee: &githubapi.CopilotAssignee{Login: login, ID: 1, Type: "User"}}
}

// AICreditsDataset is the enterprise acme with four seat holders (bob's seat
// comes twice, from two organizations), two cost centers, and the
// organization acme-web, which belongs to the enterprise and so answers 403
// to the user filter.
//
// Per user, net = gross − discount, in dollars:
//
//	alice: GPT-5 gross 1000 cr ($10), discount 400 ($4), net 600 ($6);
//	       Claude gross 200 ($2), net 200 ($2)             → net $8
//	bob:   GPT-5 gross 300 ($3), discount 300 ($3), net 0;
//	       Claude gross 500 ($5), net 500 ($5)             → net $5
//	carol: GPT-5 gross 150 ($1.50), net 150 ($1.50)        → net $1.50
//	dave:  no use.
//
// The unfiltered answer is their sum: GPT-5 gross 1450 ($14.50), discount
// 700 ($7), net 750 ($7.50); Claude gross 700 ($7), net 700 ($7).
// Per cost center: Platform (cc-1) GPT-5 gross 1300, discount 700, net 600
// ($6) and Claude 600 ($6); Data (cc-2) Claude 50 ($0.50); none GPT-5 150
// ($1.50). GPT-5: 7.50 − (6 + 1.50) = 0; Claude: 7 − (6 + 0.50) = $0.50
// that no cost center accounts for.
func AICreditsDataset() *fakegithub.Dataset {
	period := githubapi.SummaryTimePeriod{Year: 2026, Month: 11}
	d := fakegithub.NewDataset()
	ent := &fakegithub.PlatformData{
		CostCenters: []githubapi.CostCenter{
			{ID: "cc-1", Name: "Platform", State: "active", Resources: []githubapi.CostCenterResource{}},
			{ID: "cc-2", Name: "Data", State: "active", Resources: []githubapi.CostCenterResource{}},
		},
	}
	ent.AICreditUsage = &githubapi.ModelUsageReport{TimePeriod: period, UsageItems: []githubapi.ModelUsageItem{
		aiCreditRow("GPT-5", 1450, 700), aiCreditRow("Claude Sonnet 4.5", 700, 0)}}
	ent.CopilotSeats = []githubapi.CopilotSeat{aiCreditSeat("alice"), aiCreditSeat("bob"), aiCreditSeat("carol"), aiCreditSeat("Bob"), aiCreditSeat("dave")}
	ent.AICreditUsageByUser = map[string][]githubapi.ModelUsageItem{
		"alice": {aiCreditRow("GPT-5", 1000, 400), aiCreditRow("Claude Sonnet 4.5", 200, 0)},
		"bob":   {aiCreditRow("GPT-5", 300, 300), aiCreditRow("Claude Sonnet 4.5", 500, 0)},
		"carol": {aiCreditRow("GPT-5", 150, 0)},
	}
	ent.AICreditUsageByCostCenter = map[string][]githubapi.ModelUsageItem{
		"cc-1": {aiCreditRow("GPT-5", 1300, 700), aiCreditRow("Claude Sonnet 4.5", 600, 0)},
		"cc-2": {aiCreditRow("Claude Sonnet 4.5", 50, 0)},
		"none": {aiCreditRow("GPT-5", 150, 0)},
	}
	d.Enterprises["acme"] = &fakegithub.AccountData{Platform: ent}
	web := &fakegithub.PlatformData{}
	web.AICreditUsage = &githubapi.ModelUsageReport{TimePeriod: period, UsageItems: []githubapi.ModelUsageItem{aiCreditRow("GPT-5", 100, 0)}}
	web.CopilotSeats = []githubapi.CopilotSeat{aiCreditSeat("alice"), aiCreditSeat("erin")}
	web.AICreditUserFilterForbidden = true
	d.Organizations["acme-web"] = &fakegithub.AccountData{Platform: web}
	return d
}
