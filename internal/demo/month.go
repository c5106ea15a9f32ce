package demo

import (
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// The demo's month is one set of usage rows. Every other answer of the demo
// is derived from them: the usage summary, the premium-request and AI-credit
// reports, the legacy Actions, Packages and shared-storage figures, and the
// consumption of the budgets. So every cross-check a user makes between two
// endpoints holds, to the cent.
//
// Figures are kept as integers (quantities in thousandths of a unit, amounts
// in ten-thousandths of a dollar, as GitHub's reports round them) and summed
// exactly; they become float64 only in the answers.

// OrgLabs is the enterprise's third organization: it belongs to no cost
// center and is not configured as an account of its own in the demo, so
// only the enterprise's answers show it.
const OrgLabs = "acme-labs"

// budgetAlertRepository is the repository of the demo's nearly consumed
// budget: its model retraining runs on 4-core runners in the first hour of
// every month, which takes 85% of the repository's budget for that SKU.
const budgetAlertRepository = OrgLabs + "/model-training"

// demoRetrainMinutes is that job's length: 5,312.5 minutes at $0.016 are
// $85.00 of a $100 budget. Larger runners get no included minutes.
const demoRetrainMinutes = 5312.5

// demoLine is a product and SKU as the demo's rows spell it, the same in
// every endpoint.
type demoLine struct {
	product, sku, unit string
	price              float64
	// pool names the included quota the line draws on ("" for none).
	pool string
	// runner is the key of the legacy Actions endpoint's breakdown.
	runner string
}

var (
	demoLinux          = demoLine{"Actions", "actions_linux", "minutes", 0.008, "minutes", "UBUNTU"}
	demoWindows        = demoLine{"Actions", "actions_windows", "minutes", 0.016, "minutes", "WINDOWS"}
	demoMacOS          = demoLine{"Actions", "actions_macos", "minutes", 0.08, "minutes", "MACOS"}
	demoLinux4Core     = demoLine{"Actions", "actions_linux_4_core", "minutes", 0.016, "", "ubuntu_4_core"}
	demoActionsStorage = demoLine{"Actions", "actions_storage", "GigabyteHours", 0.00033602, "storage", ""}
	demoPackagesXfer   = demoLine{"Packages", "packages_data_transfer", "gigabytes", 0.5, "transfer", ""}
	demoPackagesStore  = demoLine{"Packages", "packages_storage", "GigabyteHours", 0.00033602, "storage", ""}
	demoCopilotSeat    = demoLine{"Copilot", "copilot_business", "user-months", 19, "", ""}
	demoCopilotPro     = demoLine{"Copilot", "copilot_pro", "user-months", 10, "", ""}
	demoCodeSecurity   = demoLine{"GitHub Advanced Security", "code_security", "committers", 30, "", ""}
	demoSecretProtect  = demoLine{"GitHub Advanced Security", "secret_protection", "committers", 19, "", ""}
	demoAICredit       = demoLine{"Copilot", "copilot_ai_credits", "credits", 0.01, "ai_credits", ""}
	demoPremium        = demoLine{"Copilot", "copilot_premium_request", "requests", 0.04, "premium_requests", ""}
	// GitHub Spark's AI credits: another SKU of the same pool and price.
	demoSparkAICredit = demoLine{"Copilot", "spark_ai_credits", "credits", 0.01, "ai_credits", ""}
	// Cloud sandboxes (Copilot CLI --cloud sessions) at GitHub's list
	// prices: compute per second running, memory per GiB-second, snapshot
	// storage per GiB-month (API.md §15.4). GitHub's product and unit
	// strings for them appear in no sample: these are the demo's guesses,
	// in the style of its other rows (minutes, GigabyteHours).
	demoSandboxCompute  = demoLine{"Sandbox", "sandbox_linux", "seconds", 0.000024, "", ""}
	demoSandboxMemory   = demoLine{"Sandbox", "sandbox_memory", "GibibyteSeconds", 0.000003, "", ""}
	demoSandboxSnapshot = demoLine{"Sandbox", "sandbox_snapshot", "GibibyteMonths", 0.005, "", ""}
)

// demoAICreditLine says whether a line is billed in AI credits (drawn
// from the AI-credit pool, in the AI-credit report).
func demoAICreditLine(l demoLine) bool { return l.pool == "ai_credits" }

// demoRepoUse is a line some repositories use every day.
type demoRepoUse struct {
	line  demoLine
	repos []string
	// daily is one repository's quantity on an average day.
	daily float64
}

// demoModelUse is a model's AI credits (or premium requests) on an
// average day.
type demoModelUse struct {
	model string
	daily float64
	// line is the SKU (zero: demoAICredit).
	line demoLine
	// overDiscount, in thousandths, makes the rows' discount exceed their
	// gross by that share, as an AI-credit row GitHub sent did (discount
	// 9564.71 of a gross of 9498.70, net 0; API.md §15.4). Such rows draw
	// nothing from the pool.
	overDiscount int64
}

// demoOrgUse is a line an organization uses every day, with no repository.
type demoOrgUse struct {
	line  demoLine
	daily float64
}

// demoOrg is one organization of the demo enterprise.
type demoOrg struct {
	name       string
	costCenter string // cost center id; "" for none
	repos      []demoRepoUse
	// copilotSeats and committers are billed by the day, a month's worth
	// over the month. A user with seats from two organizations is billed
	// once: dev-07, who belongs to the Data Science cost center, there.
	copilotSeats, committers float64
	models                   []demoModelUse
	// sandboxes is the organization's cloud-sandbox use.
	sandboxes []demoOrgUse
	// included is what the organization's plan includes per month, by
	// pool: Actions minutes (standard runners only), GB of Packages
	// transfer, and GB of storage (as GB-hours over the month).
	includedMinutes, includedTransferGB, includedStorageGB float64
}

var (
	demoWebRepos  = []string{"acme-web/storefront", "acme-web/checkout-api", "acme-web/design-system", "acme-web/mobile-app"}
	demoDataRepos = []string{"acme-data/etl-pipelines", "acme-data/ml-models", "acme-data/warehouse"}
	demoLabsRepos = []string{"acme-labs/prototypes", "acme-labs/hackweek"}
)

var demoOrgs = []demoOrg{
	{
		name: OrgWeb, costCenter: "cc-platform-0001",
		repos: []demoRepoUse{
			{demoLinux, demoWebRepos, 310},
			{demoWindows, demoWebRepos[:2], 84},
			{demoMacOS, demoWebRepos[3:], 38},
			{demoActionsStorage, demoWebRepos, 96},
			{demoPackagesXfer, demoWebRepos, 0.8},
			{demoPackagesStore, demoWebRepos, 140},
		},
		copilotSeats: 63, committers: 16,
		models:          []demoModelUse{{model: "GPT-5", daily: 1300}, {model: "Claude Sonnet 4.5", daily: 1900}, {model: "Gemini 2.5 Pro", daily: 400}, {model: "GPT-5 mini", daily: 1100}},
		includedMinutes: 20000, includedTransferGB: 50, includedStorageGB: 10,
	},
	{
		name: OrgData, costCenter: "cc-datasci-0002",
		repos: []demoRepoUse{
			{demoLinux, demoDataRepos, 280},
			{demoLinux4Core, demoDataRepos[:1], 120},
			{demoActionsStorage, demoDataRepos, 120},
			{demoPackagesStore, demoDataRepos, 210},
			{demoPackagesXfer, demoDataRepos, 1.2},
		},
		copilotSeats: 45, committers: 9,
		models:          []demoModelUse{{model: "GPT-5", daily: 600}, {model: "Claude Sonnet 4.5", daily: 950}, {model: "Gemini 2.5 Pro", daily: 650}},
		includedMinutes: 20000, includedTransferGB: 50, includedStorageGB: 10,
	},
	{
		name: OrgLabs,
		repos: []demoRepoUse{
			{demoLinux, demoLabsRepos, 150},
			{demoMacOS, demoLabsRepos[:1], 12},
		},
		copilotSeats: 6, committers: 3,
		// Auto model selection names the model it chose ("Auto: "), and
		// its rows are the demo's discount above gross; Spark's AI credits
		// are their own SKU.
		models: []demoModelUse{
			{model: "Claude Sonnet 4.5", daily: 300},
			{model: "Auto: Claude Haiku 4.5", daily: 120, overDiscount: 7},
			{model: "Claude Sonnet 4.5", daily: 80, line: demoSparkAICredit},
		},
		// Copilot CLI cloud sessions: three hours a day running with 8 GiB,
		// and about 20 GiB of snapshots kept over the month.
		sandboxes:       []demoOrgUse{{demoSandboxCompute, 10800}, {demoSandboxMemory, 86400}, {demoSandboxSnapshot, 0.65}},
		includedMinutes: 3000, includedTransferGB: 10, includedStorageGB: 2,
	},
}

// demoAICreditPool is the enterprise's included AI credits per month,
// pooled over its organizations as GitHub pools them per billing entity:
// its 114 Copilot Business seat holders (63 + 45 + 6 billed seats, dev-07
// once; platform.go's seat lists) at GitHub's 1,900 credits a licence. At
// the demo's 7,200 credits an average day the pool lasts about 30 days.
const demoAICreditPool = (63 + 45 + 6) * 1900

// The user's personal account: a legacy annual Copilot Pro plan, which is
// still billed in premium requests.
var (
	demoUserRepos   = []string{"octocat/hello-world", "octocat/dotfiles"}
	demoUserModels  = []demoModelUse{{model: "GPT-5", daily: 9}, {model: "Claude Sonnet 4.5", daily: 6}}
	demoUserMinutes = 2000.0 // included per month
	demoUserPremium = 300.0  // included premium requests per month
)

// demoRow is one usage row with the figures the report leaves out: the
// quantity the included quota covered and, for Copilot, the model.
type demoRow struct {
	date, org, repo string
	line            demoLine
	model           string
	// q and dq are the quantity and the part of it covered, in thousandths;
	// gross and disc the amounts in ten-thousandths of a dollar.
	q, dq, gross, disc int64
}

func (r demoRow) item() githubapi.UsageItem {
	return githubapi.UsageItem{
		Date: r.date, Product: r.line.product, SKU: r.line.sku,
		Quantity: float64(r.q) / 1e3, UnitType: r.line.unit, PricePerUnit: r.line.price,
		GrossAmount: float64(r.gross) / 1e4, DiscountAmount: float64(r.disc) / 1e4,
		NetAmount:        float64(r.net()) / 1e4,
		OrganizationName: r.org, RepositoryName: r.repo,
	}
}

// net is the row's billed amount: gross minus discount, and 0 where the
// discount exceeds the gross, as GitHub bills such a row.
func (r demoRow) net() int64 { return max(0, r.gross-r.disc) }

// netQ is the row's billed quantity, never below 0 likewise.
func (r demoRow) netQ() int64 { return max(0, r.q-r.dq) }

// overDiscounted is r with a discount above its gross by permille
// thousandths, of the quantity and of the amount.
func (r demoRow) overDiscounted(permille int64) demoRow {
	r.dq = r.q + r.q*permille/1000
	r.disc = r.gross + r.gross*permille/1000
	return r
}

// demoPools is what is left of each included quota this month, in
// thousandths of a unit.
type demoPools map[string]int64

// row prices quantity (rounded to thousandths) and takes what it can from
// the line's pool.
func (p demoPools) row(date, org, repo string, line demoLine, model string, quantity float64) demoRow {
	r := demoRow{date: date, org: org, repo: repo, line: line, model: model, q: int64(math.Round(quantity * 1e3))}
	if left, ok := p[line.pool]; ok && line.pool != "" {
		r.dq = min(left, r.q)
		p[line.pool] = left - r.dq
	}
	r.gross = int64(math.Round(float64(r.q) * line.price * 10))
	r.disc = min(r.gross, int64(math.Round(float64(r.dq)*line.price*10)))
	return r
}

// demoClock is the demo's view of now: data up to the end of the current
// hour, as GitHub's reports lag by about that much. All answers made within
// one hour agree; the figures step once an hour.
type demoClock struct {
	monthStart  time.Time
	today       int     // day of the month
	todayShare  float64 // share of today with data, (0, 1]
	daysInMonth int
}

func newDemoClock(now time.Time) demoClock {
	now = now.UTC()
	return demoClock{
		monthStart:  time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC),
		today:       now.Day(),
		todayShare:  float64(now.Hour()+1) / 24,
		daysInMonth: time.Date(now.Year(), now.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day(),
	}
}

// hoursWithData is how many hours of the month the rows cover.
func (c demoClock) hoursWithData() float64 {
	return float64(c.today-1)*24 + c.todayShare*24
}

// days calls fn for each day with data: its date as GitHub writes it and
// the share of the day with data.
func (c demoClock) days(fn func(day int, date string, share float64)) {
	for day := 1; day <= c.today; day++ {
		share := 1.0
		if day == c.today {
			share = c.todayShare
		}
		fn(day, c.monthStart.AddDate(0, 0, day-1).Format(time.RFC3339), share)
	}
}

// demoRows is the demo month: every organization's rows, and the user's.
type demoRows struct {
	clock demoClock
	orgs  map[string][]demoRow
	user  []demoRow
	// included records each organization's monthly quotas for the legacy
	// endpoints.
	included map[string]demoOrg
}

func newDemoRows(now time.Time) *demoRows { return newDemoRowsScaled(now, nil) }

// newDemoRowsScaled is newDemoRows with each day's repository and model use
// multiplied by factor(day) (nil: 1), for the demo's past months
// (history.go).
func newDemoRowsScaled(now time.Time, factor func(day int) float64) *demoRows {
	if factor == nil {
		factor = func(int) float64 { return 1 }
	}
	c := newDemoClock(now)
	out := &demoRows{clock: c, orgs: map[string][]demoRow{}, included: map[string]demoOrg{}}
	hours := float64(c.daysInMonth * 24)
	orgPools := map[string]demoPools{}
	for _, o := range demoOrgs {
		orgPools[o.name] = demoPools{
			"minutes":  int64(o.includedMinutes * 1e3),
			"transfer": int64(o.includedTransferGB * 1e3),
			"storage":  int64(o.includedStorageGB * hours * 1e3),
		}
		out.included[o.name] = o
	}
	ai := demoPools{"ai_credits": demoAICreditPool * 1e3}
	c.days(func(day int, date string, share float64) {
		for _, o := range demoOrgs {
			pools := orgPools[o.name]
			var rows []demoRow
			if o.name == OrgLabs && day == 1 {
				// The monthly retraining, done within the first hour.
				rows = append(rows, pools.row(date, o.name, budgetAlertRepository, demoLinux4Core, "", demoRetrainMinutes))
			}
			for _, u := range o.repos {
				for _, repo := range u.repos {
					q := u.daily * share * factor(day) * demoJitter(date, u.line.sku, repo)
					rows = append(rows, pools.row(date, o.name, repo, u.line, "", q))
				}
			}
			perDay := share / float64(c.daysInMonth)
			rows = append(rows,
				pools.row(date, o.name, "", demoCopilotSeat, "", o.copilotSeats*perDay),
				pools.row(date, o.name, "", demoCodeSecurity, "", o.committers*perDay),
				pools.row(date, o.name, "", demoSecretProtect, "", o.committers*perDay))
			for _, m := range o.models {
				line := m.line
				if line == (demoLine{}) {
					line = demoAICredit
				}
				jitter := m.model
				if line != demoAICredit {
					jitter = line.sku + " " + m.model
				}
				q := m.daily * share * factor(day) * demoJitter(date, jitter, o.name)
				if m.overDiscount > 0 {
					rows = append(rows, demoPools{}.row(date, o.name, "", line, m.model, q).overDiscounted(m.overDiscount))
					continue
				}
				rows = append(rows, ai.row(date, o.name, "", line, m.model, q))
			}
			for _, u := range o.sandboxes {
				rows = append(rows, pools.row(date, o.name, "", u.line, "", u.daily*share*factor(day)*demoJitter(date, u.line.sku, o.name)))
			}
			out.orgs[o.name] = append(out.orgs[o.name], rows...)
		}
	})
	// The user's pools are their own; run their days separately.
	userPools := demoPools{"minutes": int64(demoUserMinutes * 1e3), "premium_requests": int64(demoUserPremium * 1e3)}
	c.days(func(day int, date string, share float64) {
		for _, repo := range demoUserRepos {
			out.user = append(out.user, userPools.row(date, "", repo, demoLinux, "", 24*share*demoJitter(date, "user", repo)))
		}
		out.user = append(out.user, userPools.row(date, "", "", demoCopilotPro, "", share/float64(c.daysInMonth)))
		for _, m := range demoUserModels {
			out.user = append(out.user, userPools.row(date, "", "", demoPremium, m.model, m.daily*share*demoJitter(date, m.model, User)))
		}
	})
	return out
}

// enterprise is every row of the enterprise, in every cost center.
func (d *demoRows) enterprise() []demoRow {
	var out []demoRow
	for _, o := range demoOrgs {
		out = append(out, d.orgs[o.name]...)
	}
	return out
}

func demoItems(rows []demoRow) []githubapi.UsageItem {
	out := make([]githubapi.UsageItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.item())
	}
	return out
}

// demoTotal is a sum of rows, exact. The net figures are the sums of the
// rows' own (each at least 0), not gross minus discount of the sum: a row
// whose discount exceeds its gross adds 0 to the net, not less.
type demoTotal struct{ q, dq, nq, gross, disc, net int64 }

func (t *demoTotal) add(r demoRow) {
	t.q += r.q
	t.dq += r.dq
	t.nq += r.netQ()
	t.gross += r.gross
	t.disc += r.disc
	t.net += r.net()
}

func (t demoTotal) amounts() githubapi.BillingAmounts {
	return githubapi.BillingAmounts{
		GrossQuantity: float64(t.q) / 1e3, GrossAmount: float64(t.gross) / 1e4,
		DiscountQuantity: float64(t.dq) / 1e3, DiscountAmount: float64(t.disc) / 1e4,
		NetQuantity: float64(t.nq) / 1e3, NetAmount: float64(t.net) / 1e4,
	}
}

// plus is t + o, field by field.
func (t demoTotal) plus(o demoTotal) demoTotal {
	return demoTotal{t.q + o.q, t.dq + o.dq, t.nq + o.nq, t.gross + o.gross, t.disc + o.disc, t.net + o.net}
}

// share is t × w / sum, field by field, rounded down.
func (t demoTotal) share(w, sum int64) demoTotal {
	return demoTotal{t.q * w / sum, t.dq * w / sum, t.nq * w / sum, t.gross * w / sum, t.disc * w / sum, t.net * w / sum}
}

// minus is t - o, field by field.
func (t demoTotal) minus(o demoTotal) demoTotal {
	return demoTotal{t.q - o.q, t.dq - o.dq, t.nq - o.nq, t.gross - o.gross, t.disc - o.disc, t.net - o.net}
}

// demoSummary sums rows per product, SKU and unit, as /usage/summary
// answers; with byModel, per model too, as the premium-request and
// AI-credit reports answer, keeping only rows that keep returns true for.
func demoSummary(rows []demoRow, byModel bool, keep func(demoRow) bool) []githubapi.ModelUsageItem {
	type key struct {
		line  demoLine
		model string
	}
	index := map[key]int{}
	var keys []key
	var totals []demoTotal
	for _, r := range rows {
		if keep != nil && !keep(r) {
			continue
		}
		k := key{line: r.line}
		if byModel {
			k.model = r.model
		}
		i, ok := index[k]
		if !ok {
			i = len(keys)
			index[k] = i
			keys = append(keys, k)
			totals = append(totals, demoTotal{})
		}
		totals[i].add(r)
	}
	out := make([]githubapi.ModelUsageItem, 0, len(keys))
	for i, k := range keys {
		out = append(out, githubapi.ModelUsageItem{
			UsageSummaryItem: githubapi.UsageSummaryItem{
				Product: k.line.product, SKU: k.line.sku, UnitType: k.line.unit, PricePerUnit: k.line.price,
				BillingAmounts: totals[i].amounts(),
			},
			Model: k.model,
		})
	}
	return out
}

// demoReports are an account's summary, premium-request and AI-credit
// reports, all from the same rows.
func demoReports(period githubapi.SummaryTimePeriod, rows []demoRow) (*githubapi.UsageSummary, *githubapi.ModelUsageReport, *githubapi.ModelUsageReport) {
	summary := &githubapi.UsageSummary{TimePeriod: period, UsageItems: []githubapi.UsageSummaryItem{}}
	for _, it := range demoSummary(rows, false, nil) {
		summary.UsageItems = append(summary.UsageItems, it.UsageSummaryItem)
	}
	premium := &githubapi.ModelUsageReport{TimePeriod: period, UsageItems: demoSummary(rows, true, func(r demoRow) bool { return r.line == demoPremium })}
	ai := &githubapi.ModelUsageReport{TimePeriod: period, UsageItems: demoSummary(rows, true, func(r demoRow) bool { return demoAICreditLine(r.line) })}
	return summary, premium, ai
}

// demoLegacy is what the legacy Actions, Packages and shared-storage
// endpoints say about rows, given the quotas included per month.
func demoLegacy(c demoClock, rows []demoRow, includedMinutes, includedTransferGB, includedStorageGB float64) (*githubapi.ActionsBilling, *githubapi.PackagesBilling, *githubapi.SharedStorageBilling) {
	var minutes, paidMinutes, transfer, paidTransfer, storageGBh int64
	runners := map[string]int64{}
	for _, r := range rows {
		switch {
		case r.line.unit == "minutes" && r.line.product == "Actions":
			minutes += r.q
			paidMinutes += r.netQ()
			runners[r.line.runner] += r.q
		case r.line == demoPackagesXfer:
			transfer += r.q
			paidTransfer += r.netQ()
		case r.line.unit == "GigabyteHours":
			storageGBh += r.q
		}
	}
	breakdown := map[string]float64{}
	for runner, q := range runners {
		breakdown[runner] = float64(q) / 1e3
	}
	// The month's estimate is the average stored so far, in GB to 0.01.
	estimated := math.Round(float64(storageGBh)/1e3/c.hoursWithData()*100) / 100
	end := c.monthStart.AddDate(0, 1, 0)
	daysLeft := float64(end.Sub(c.monthStart.AddDate(0, 0, c.today-1)).Hours() / 24)
	return &githubapi.ActionsBilling{
			TotalMinutesUsed:     float64(minutes) / 1e3,
			TotalPaidMinutesUsed: float64(paidMinutes) / 1e3,
			IncludedMinutes:      includedMinutes,
			MinutesUsedBreakdown: breakdown,
		}, &githubapi.PackagesBilling{
			TotalGigabytesBandwidthUsed:     float64(transfer) / 1e3,
			TotalPaidGigabytesBandwidthUsed: float64(paidTransfer) / 1e3,
			IncludedGigabytesBandwidth:      includedTransferGB,
		}, &githubapi.SharedStorageBilling{
			DaysLeftInBillingCycle:       daysLeft,
			EstimatedStorageForMonth:     estimated,
			EstimatedPaidStorageForMonth: math.Max(0, math.Round((estimated-includedStorageGB)*100)/100),
		}
}

// demoBudgetSpend is the month-to-date net amount of the rows a budget
// covers, as GitHub counts a budget's spending: rows of its scope and
// entity whose product (ProductPricing), SKU (SkuPricing) or bundle
// (BundlePricing, the AI-credit SKU for ai_credits) is one of the budget's.
// ok is false for a budget no rows can tell (a multi-user budget, whose
// consumption is per user).
func demoBudgetSpend(b githubapi.Budget, rows []demoRow, costCenterOrgs map[string]string) (usd float64, ok bool) {
	skus := append(append([]string{}, b.ProductSKU...), b.ProductSKUs...)
	match := func(r demoRow) bool {
		for _, s := range skus {
			switch b.Type {
			case "ProductPricing":
				if strings.EqualFold(r.line.product, s) {
					return true
				}
			case "SkuPricing":
				if strings.EqualFold(r.line.sku, s) {
					return true
				}
			case "BundlePricing":
				if strings.EqualFold(r.line.pool, s) && r.line.pool != "" {
					return true
				}
			}
		}
		return false
	}
	var net int64
	for _, r := range rows {
		switch b.Scope {
		case "enterprise":
		case "organization":
			if r.org != b.EntityName {
				continue
			}
		case "repository":
			if r.repo != b.EntityName {
				continue
			}
		case "cost_center":
			if costCenterOrgs[r.org] != b.EntityName {
				continue
			}
		default:
			return 0, false
		}
		if match(r) {
			net += r.net()
		}
	}
	return float64(net) / 1e4, true
}

// demoAIUserWeight is a seat holder's share of their organization's AI
// credits, by a hash of the login: one in five used none this month, and the
// rest are spread unevenly, as real use is.
func demoAIUserWeight(login string) int64 {
	h := fnv.New32a()
	h.Write([]byte(login)) //nolint:errcheck // never fails
	v := int64(h.Sum32())
	if v%5 == 0 {
		return 0
	}
	w := v%9 + 1
	return w * w
}

// demoAIUsers splits each organization's AI credits of the month among its
// Copilot seat holders (holders lists them per organization, each user under
// the one organization that is billed for them), so that the user filter's
// rows add up exactly to the organization's report and the enterprise's.
// Each figure is split in whole thousandths (quantities) and ten-thousandths
// (dollars); what the division leaves goes to the organization's heaviest
// user. It returns the rows per organization and per login (lower case),
// and the enterprise's rows per login.
func demoAIUsers(d *demoRows, holders map[string][]string) (perOrg map[string]map[string][]githubapi.ModelUsageItem, enterprise map[string][]githubapi.ModelUsageItem) {
	type key struct {
		user  string
		line  demoLine
		model string
	}
	type lineModel struct {
		line  demoLine
		model string
	}
	ent := map[key]*demoTotal{}
	var entKeys []key
	perOrg = map[string]map[string][]githubapi.ModelUsageItem{}
	for _, o := range demoOrgs {
		users := holders[o.name]
		var weights []int64
		var sum int64
		heaviest := 0
		for i, u := range users {
			w := demoAIUserWeight(u)
			weights = append(weights, w)
			sum += w
			if w > weights[heaviest] {
				heaviest = i
			}
		}
		if sum == 0 {
			continue
		}
		totals := map[lineModel]*demoTotal{}
		var models []lineModel
		for _, r := range d.orgs[o.name] {
			if !demoAICreditLine(r.line) {
				continue
			}
			lm := lineModel{r.line, r.model}
			if totals[lm] == nil {
				totals[lm] = &demoTotal{}
				models = append(models, lm)
			}
			totals[lm].add(r)
		}
		org := map[string][]githubapi.ModelUsageItem{}
		for _, lm := range models {
			t := *totals[lm]
			shares := make([]demoTotal, len(users))
			var given demoTotal
			for i, w := range weights {
				shares[i] = t.share(w, sum)
				given = given.plus(shares[i])
			}
			shares[heaviest] = shares[heaviest].plus(t.minus(given))
			for i, u := range users {
				s := shares[i]
				if s == (demoTotal{}) {
					continue
				}
				login := strings.ToLower(u)
				org[login] = append(org[login], demoAIItem(lm.line, lm.model, s))
				k := key{login, lm.line, lm.model}
				if ent[k] == nil {
					ent[k] = &demoTotal{}
					entKeys = append(entKeys, k)
				}
				*ent[k] = ent[k].plus(s)
			}
		}
		perOrg[o.name] = org
	}
	enterprise = map[string][]githubapi.ModelUsageItem{}
	for _, k := range entKeys {
		enterprise[k.user] = append(enterprise[k.user], demoAIItem(k.line, k.model, *ent[k]))
	}
	return perOrg, enterprise
}

// demoAIItem is one model's AI-credit row of a report.
func demoAIItem(line demoLine, model string, t demoTotal) githubapi.ModelUsageItem {
	return githubapi.ModelUsageItem{
		UsageSummaryItem: githubapi.UsageSummaryItem{
			Product: line.product, SKU: line.sku, UnitType: line.unit, PricePerUnit: line.price,
			BillingAmounts: t.amounts(),
		},
		Model: model,
	}
}

// demoAICostCenters is the enterprise's AI credits per cost center id, and
// "none" for the organizations in no cost center.
func demoAICostCenters(d *demoRows) map[string][]githubapi.ModelUsageItem {
	byCenter := map[string][]demoRow{}
	for _, o := range demoOrgs {
		id := o.costCenter
		if id == "" {
			id = "none"
		}
		byCenter[id] = append(byCenter[id], d.orgs[o.name]...)
	}
	out := map[string][]githubapi.ModelUsageItem{}
	for id, rows := range byCenter {
		out[id] = demoSummary(rows, true, func(r demoRow) bool { return demoAICreditLine(r.line) })
	}
	return out
}
