package demo

import (
	"hash/fnv"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// The enterprise's detailed usage report export is the month's rows split
// by workflow and user: each Actions minutes row over three workflows of
// its repository (five, three and two tenths), each Copilot row over two
// users (six and four tenths), in whole thousandths of a unit and
// ten-thousandths of a dollar, the last share taking the remainder. So the
// export's sums equal the usage report's, to the cent, day by day.

// demoWorkflows are every repository's workflow files; the third holds a
// comma and quotes, as customers' file names may.
var demoWorkflows = []string{".github/workflows/ci.yml", ".github/workflows/release.yml", `.github/workflows/deploy, "prod".yml`}

// demoCostCenterNames names the cost centers by id, as the export does.
var demoCostCenterNames = map[string]string{"cc-platform-0001": "Platform", "cc-datasci-0002": "Data Science"}

// lastMonthDetailed is an administrator's detailed export of last month,
// made as the month ended: the fake's file host serves its parts (its
// links are the fake's), and a backfill of usage_detail of last month
// reuses it.
func lastMonthDetailed(x githubapi.UsageReportExport, monthStart time.Time) githubapi.UsageReportExport {
	x.CreatedAt = monthStart.Format(time.RFC3339)
	x.DownloadURLs = nil
	return x
}

// demoDetailedUsage is the detailed export's rows of the enterprise: this
// month's, from rows, and last month's, from the demo's history, so that
// its exports of either month hold the rows /usage sums.
func demoDetailedUsage(rows *demoRows) []fakegithub.DetailedUsageRow {
	start := rows.clock.monthStart
	out := demoDetailedRows(demoHistoryRows(start, start.AddDate(0, 0, -1)))
	return append(out, demoDetailedRows(rows)...)
}

// demoDetailedRows are the detailed rows of one month's rows.
func demoDetailedRows(rows *demoRows) []fakegithub.DetailedUsageRow {
	var out []fakegithub.DetailedUsageRow
	for _, o := range demoOrgs {
		center := demoCostCenterNames[o.costCenter]
		for _, r := range rows.orgs[o.name] {
			switch {
			case r.line.product == "Actions" && r.line.unit == "minutes":
				for i, share := range splitDemoRow(r, []int64{5, 3, 2}) {
					share.WorkflowPath = demoWorkflows[i]
					share.Username = demoDeveloper(r.repo + demoWorkflows[i] + r.date)
					share.CostCenter = center
					out = append(out, share)
				}
			case r.line.product == "Copilot":
				for i, share := range splitDemoRow(r, []int64{6, 4}) {
					share.Username = demoDeveloper(r.org + r.line.sku + r.date + string(rune('a'+i)))
					share.CostCenter = center
					out = append(out, share)
				}
			default:
				share := splitDemoRow(r, []int64{1})[0]
				share.CostCenter = center
				out = append(out, share)
			}
		}
	}
	return out
}

// splitDemoRow cuts r into shares of weights, exactly: the quantity and
// gross of every share but the last round down, the last takes what is
// left; the discount is cut the same way and then moved between shares so
// that none exceeds its share's gross.
func splitDemoRow(r demoRow, weights []int64) []fakegithub.DetailedUsageRow {
	var total int64
	for _, w := range weights {
		total += w
	}
	n := len(weights)
	sq, sg, sd := make([]int64, n), make([]int64, n), make([]int64, n)
	q, gross, disc := r.q, r.gross, r.disc
	for i, w := range weights {
		if i == n-1 {
			sq[i], sg[i] = q, gross
		} else {
			sq[i], sg[i] = r.q*w/total, r.gross*w/total
		}
		sd[i] = min(r.disc*w/total, sg[i])
		q, gross, disc = q-sq[i], gross-sg[i], disc-sd[i]
	}
	// disc is the discount not yet placed; r.disc <= r.gross leaves room.
	for i := range sd {
		add := min(disc, sg[i]-sd[i])
		sd[i], disc = sd[i]+add, disc-add
	}
	out := make([]fakegithub.DetailedUsageRow, n)
	for i := range out {
		// The export's dates are days, YYYY-MM-DD.
		out[i] = fakegithub.DetailedUsageRow{Date: r.date[:min(len(r.date), 10)], Product: r.line.product, SKU: r.line.sku,
			Quantity: float64(sq[i]) / 1e3, UnitType: r.line.unit, PricePerUnit: r.line.price,
			Gross: float64(sg[i]) / 1e4, Discount: float64(sd[i]) / 1e4, Net: float64(sg[i]-sd[i]) / 1e4,
			Organization: r.org, Repository: r.repo}
	}
	return out
}

// demoDeveloper is one of the demo's twenty developers, picked by key.
func demoDeveloper(key string) string {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(key))) //nolint:errcheck // a hash
	n := h.Sum32()%20 + 1
	return "dev-" + string(rune('0'+n/10)) + string(rune('0'+n%10))
}
