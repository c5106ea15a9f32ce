// Command historycheck is the end-to-end check of the backfilled history,
// run by scripts/e2e.sh against a Prometheus that serves blocks
// made from `github-billing-exporter backfill --demo` plus the live demo:
//
//   - last month's net amount per product of the demo enterprise, read at
//     the end of the month, equals the sum of the fake's daily usage rows;
//   - the month to date of last month's largest workflow series on the
//     10th, backfilled from the demo's detailed export of last month,
//     equals the sum of the fake's detailed rows dated the 1st to the 10th;
//   - every query of the overview dashboard's history row returns data over
//     the last 13 months at a step of one day, and the month-over-month
//     panel has a different total for each of the 13 months.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
)

// historyRow is the title of the dashboard row whose panels are checked.
const historyRow = "History: 13 months (backfilled or scraped)"

func main() {
	base := flag.String("prometheus", "", "Prometheus base URL")
	dashboard := flag.String("dashboard", "dashboards/github-billing-overview.json", "overview dashboard")
	flag.Parse()
	if err := run(*base, *dashboard, time.Now().UTC()); err != nil {
		fmt.Println("FAIL", err)
		os.Exit(1)
	}
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
	Values [][2]any          `json:"values"`
}

func query(base, path string, params url.Values) ([]sample, error) {
	resp, err := http.Get(base + path + "?" + params.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", params.Get("query"), body.Error)
	}
	return body.Data.Result, nil
}

func run(base, dashboard string, now time.Time) error {
	if base == "" {
		return fmt.Errorf("-prometheus is required")
	}
	// Last month's totals per product from the fake's own daily rows.
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	lastMonth := thisMonth.AddDate(0, -1, 0)
	h := demo.Dataset(now).History
	ent := githubapi.Account{Scope: githubapi.ScopeEnterprise, Name: demo.Enterprise}
	want := map[string]float64{}
	for day := lastMonth; day.Before(thisMonth); day = day.AddDate(0, 0, 1) {
		for _, rows := range h.Day(ent, day).UsageItems {
			for _, r := range rows {
				want[r.Product] += r.NetAmount
			}
		}
	}
	got, err := query(base, "/api/v1/query", url.Values{
		"query": {`sum by (product) (last_over_time(github_billing_usage_net_amount_usd{scope="enterprise", account="acme-corp"}[1d]))`},
		"time":  {strconv.FormatInt(thisMonth.Unix(), 10)},
	})
	if err != nil {
		return err
	}
	if len(got) != len(want) {
		return fmt.Errorf("%s: Prometheus has %d products, the fake %d (%v)", lastMonth.Format("2006-01"), len(got), len(want), want)
	}
	for _, s := range got {
		v, _ := strconv.ParseFloat(s.Value[1].(string), 64)
		w := math.Round(want[s.Metric["product"]]*1e4) / 1e4
		if math.Abs(v-w) > 1e-6 {
			return fmt.Errorf("%s net amount of %s: Prometheus %v, the fake's daily rows sum to %v", lastMonth.Format("2006-01"), s.Metric["product"], v, w)
		}
		fmt.Printf("ok %s net amount of %s = %v, as the fake's daily rows\n", lastMonth.Format("2006-01"), s.Metric["product"], v)
	}

	if err := checkWorkflowDay(base, lastMonth, now); err != nil {
		return err
	}

	// Every query of the history row, over 13 months at a step of a day.
	raw, err := os.ReadFile(dashboard)
	if err != nil {
		return err
	}
	var d struct {
		Panels []struct {
			Title   string          `json:"title"`
			Type    string          `json:"type"`
			GridPos struct{ Y int } `json:"gridPos"`
			Targets []struct {
				Expr  string `json:"expr"`
				RefID string `json:"refId"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	sort.SliceStable(d.Panels, func(i, j int) bool { return d.Panels[i].GridPos.Y < d.Panels[j].GridPos.Y })
	in, checked := false, 0
	start := time.Date(now.Year(), now.Month()-13, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range d.Panels {
		if p.Type == "row" {
			in = p.Title == historyRow
			continue
		}
		if !in {
			continue
		}
		for _, t := range p.Targets {
			expr := strings.NewReplacer(`"$scope"`, `".+"`, `"$account"`, `".+"`).Replace(t.Expr)
			series, err := query(base, "/api/v1/query_range", url.Values{
				"query": {expr}, "start": {strconv.FormatInt(start.Unix(), 10)},
				"end": {strconv.FormatInt(now.Truncate(24*time.Hour).Unix(), 10)}, "step": {"86400"},
			})
			if err != nil {
				return fmt.Errorf("%s %s: %w", p.Title, t.RefID, err)
			}
			if len(series) == 0 {
				return fmt.Errorf("%s %s: no data over the last 13 months", p.Title, t.RefID)
			}
			points, distinct := 0, 0
			for _, s := range series {
				seen := map[string]bool{}
				for _, v := range s.Values {
					seen[v[1].(string)] = true
				}
				points += len(s.Values)
				distinct = max(distinct, len(seen))
			}
			if strings.Contains(p.Title, "month over month") && distinct < 13 {
				return fmt.Errorf("%s: at most %d different month totals in a series, want 13", p.Title, distinct)
			}
			fmt.Printf("ok %s %s: %d series, %d daily points\n", p.Title, t.RefID, len(series), points)
			checked++
		}
	}
	if checked == 0 {
		return fmt.Errorf("no panel under the row %q", historyRow)
	}
	return nil
}

// checkWorkflowDay asks Prometheus for the month to date, at the end of the
// 10th of last month, of the workflow series with the largest net amount
// over last month, and compares it with the sum of the fake's detailed rows
// of that series dated the 1st to the 10th.
func checkWorkflowDay(base string, lastMonth, now time.Time) error {
	type series struct{ org, repo, path, product, sku, unit string }
	rows := demo.Dataset(now).Enterprises[demo.Enterprise].Platform.DetailedUsage
	day := lastMonth.AddDate(0, 0, 9)
	first, last := lastMonth.Format(time.DateOnly), day.Format(time.DateOnly)
	end := lastMonth.AddDate(0, 1, -1).Format(time.DateOnly)
	month, toDay := map[series]float64{}, map[series]float64{}
	for _, r := range rows {
		if r.Date < first || r.Date > end || r.WorkflowPath == "" {
			continue
		}
		k := series{r.Organization, r.Repository, r.WorkflowPath, r.Product, r.SKU, r.UnitType}
		month[k] += r.Net
		if r.Date <= last {
			toDay[k] += r.Net
		}
	}
	var top series
	for k, v := range month {
		if v > month[top] || (v == month[top] && fmt.Sprint(k) < fmt.Sprint(top)) {
			top = k
		}
	}
	if month[top] == 0 {
		return fmt.Errorf("the demo has no workflow with spend in %s", lastMonth.Format("2006-01"))
	}
	q := fmt.Sprintf(`last_over_time(github_billing_usage_workflow_net_amount_usd{scope="enterprise", account=%q, organization=%q, repository=%q, workflow_path=%q, product=%q, sku=%q, unit_type=%q}[1d])`,
		demo.Enterprise, top.org, top.repo, top.path, top.product, top.sku, top.unit)
	got, err := query(base, "/api/v1/query", url.Values{"query": {q}, "time": {strconv.FormatInt(day.AddDate(0, 0, 1).Unix(), 10)}})
	if err != nil {
		return err
	}
	if len(got) != 1 {
		return fmt.Errorf("%s: %d series at the end of %s, want 1", q, len(got), last)
	}
	v, _ := strconv.ParseFloat(got[0].Value[1].(string), 64)
	if w := toDay[top]; math.Abs(v-w) > 1e-6 {
		return fmt.Errorf("month-to-date net of workflow %s (%s, %s) on %s: Prometheus %v, the fake's detailed rows of the 1st to the %s sum to %v",
			top.path, top.repo, top.sku, last, v, last, w)
	}
	fmt.Printf("ok month-to-date net of workflow %q (%s, %s) on %s = %v, as the fake's detailed rows\n", top.path, top.repo, top.sku, last, v)
	return nil
}
