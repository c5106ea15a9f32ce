package collector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// History of the usage_detail view: a month's detailed export holds every
// day of it, so the month to date at the end of day D is the sum of its
// rows dated the 1st to D. The month is read once, at its first day added,
// from one export (GitHub keeps a detailed export to 31 days): a completed
// one that covers the days the backfill writes of the month is reused, else
// one is asked for, polled with back-off and downloaded with the client
// that sends no credential. The top N workflows and users are ranked on the
// whole export, not day by day, so that which series stand alone and which
// are summed into "__other__" is the same on every day of the month.

func (c *usageDetailCollector) startMonth(a githubapi.Account) monthState {
	return &detailMonth{c: c, account: a}
}

func (*usageDetailCollector) limitedHistory() bool { return true }

// detailMonth is one account's month of the usage_detail view, read from
// one export.
type detailMonth struct {
	c       *usageDetailCollector
	account githubapi.Account
	// last is the last day the run adds of the month (setLastDay); zero:
	// the month's last day.
	last time.Time
	// asked is the export this month asked GitHub for, if any: the month
	// asks for at most one.
	asked string

	// The month read: its days and series, and the day added last.
	from, to string
	exportID string
	series   *detailDaily
	through  string
}

// detailDaily is an export's rows summed per series and day.
type detailDaily struct {
	workflows map[string]*seriesDays
	users     map[string]*seriesDays
	key       []byte
}

// seriesDays are one series' sums per day, in the order the days first
// appear, and over the whole export (total, for the ranking).
type seriesDays struct {
	days  []daySums
	total detailSums
}

type daySums struct {
	date string
	sums detailSums
}

// add adds a row dated date; the date is copied only for a day the series
// has not seen.
func (s *seriesDays) add(date []byte, quantity, gross, discount, net float64) {
	s.total.addRow(quantity, gross, discount, net)
	for i := len(s.days) - 1; i >= 0; i-- {
		if s.days[i].date == string(date) {
			s.days[i].sums.addRow(quantity, gross, discount, net)
			return
		}
	}
	d := daySums{date: string(date)}
	d.sums.addRow(quantity, gross, discount, net)
	s.days = append(s.days, d)
}

// through is the series' sums of the days up to date, and whether any row
// is dated so.
func (s *seriesDays) through(date string) (detailSums, bool) {
	var out detailSums
	seen := false
	for _, d := range s.days {
		if d.date <= date {
			out.quantity.merge(d.sums.quantity)
			out.gross.merge(d.sums.gross)
			out.discount.merge(d.sums.discount)
			out.net.merge(d.sums.net)
			seen = true
		}
	}
	return out, seen
}

func (g *detailDaily) add(r *githubapi.DetailedUsageRow) {
	gross, discount, net := clampDiscount(r.GrossAmount, r.DiscountAmount, r.NetAmount)
	date := r.Date
	g.key = joinKey(g.key[:0], r.Organization, r.Repository, r.WorkflowPath, r.Product, r.SKU, r.UnitType)
	seriesAt(g.workflows, g.key).add(date, r.Quantity, gross, discount, net)
	g.key = joinKey(g.key[:0], r.Username, r.Product, r.SKU, r.UnitType)
	seriesAt(g.users, g.key).add(date, r.Quantity, gross, discount, net)
}

// setLastDay is the last day the run adds of day's month.
func (m *detailMonth) setLastDay(day time.Time) { m.last = day.UTC() }

// requests is 0 a day: the month takes the export list, at most one new
// export and its polls once, at its first day (docs/history.md).
func (*detailMonth) requests([]githubapi.CostCenter) int { return 0 }

func (*detailMonth) readsCostCenters() bool { return false }

// monthRange is the days of day's month the export must cover: the 1st to
// the last day the run adds (the month's last day when not told).
func (m *detailMonth) monthRange(day time.Time) (from, to string) {
	d := day.UTC()
	first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	if !m.last.IsZero() && m.last.Year() == d.Year() && m.last.Month() == d.Month() && m.last.Before(last) {
		last = m.last
	}
	return first.Format(time.DateOnly), last.Format(time.DateOnly)
}

func (m *detailMonth) addDay(ctx context.Context, c *githubapi.Client, day time.Time, _ []githubapi.CostCenter) error {
	date := day.UTC().Format(time.DateOnly)
	if m.series == nil || date < m.from || date > m.to {
		from, to := m.monthRange(day)
		if date > to {
			return fmt.Errorf("usage detail for %s: %s is after %s, the last day of the month the backfill reads", m.account, date, to)
		}
		series, id, err := m.readMonth(ctx, c, from, to)
		if err != nil {
			return err
		}
		m.series, m.from, m.to, m.exportID = series, from, to, id
	}
	m.through = date
	return nil
}

// readMonth finds or asks for the detailed export of from to to, waits for
// it and reads it whole.
func (m *detailMonth) readMonth(ctx context.Context, c *githubapi.Client, from, to string) (*detailDaily, string, error) {
	a := m.account
	last, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, "", err
	}
	// The day after to: an export created since then holds the whole of
	// every day it covers.
	after := last.AddDate(0, 0, 1)
	var x *githubapi.UsageReportExport
	waited := time.Duration(0)
	for polls := 0; x == nil; polls++ {
		if polls > 0 {
			wait := exportPollWait(polls - 1)
			if waited >= usageDetailStuck {
				return nil, "", fmt.Errorf("usage detail for %s: waited %s for GitHub's exports to finish: stuck at GitHub? (a rerun polls them again)", a, waited)
			}
			if err := m.c.sleep(ctx, wait); err != nil {
				return nil, "", err
			}
			waited += wait
		}
		if m.asked != "" {
			got, err := c.UsageReportExportByID(ctx, a, m.asked)
			if err != nil {
				return nil, "", fmt.Errorf("usage detail for %s: export %s: %w", a, m.asked, err)
			}
			switch {
			case strings.EqualFold(got.Status, githubapi.ExportCompleted):
				if !covers(*got, from, to) {
					return nil, "", fmt.Errorf("usage detail for %s: export %s is a %s export of %s to %s, not the detailed one of %s to %s that was asked for",
						a, got.ID, got.ReportType, got.StartDate, got.EndDate, from, to)
				}
				x = got
			case strings.EqualFold(got.Status, githubapi.ExportFailed):
				return nil, "", fmt.Errorf("usage detail for %s: GitHub's export %s of %s to %s failed (a rerun asks for another)", a, got.ID, from, to)
			}
			continue
		}
		exports, err := c.UsageReportExports(ctx, a)
		if err != nil {
			return nil, "", fmt.Errorf("usage detail for %s: list exports: %w", a, err)
		}
		if found := reusable(exports, after, from, to); found != nil {
			x = found
			continue
		}
		busy := false
		for _, e := range exports {
			if !strings.EqualFold(e.Status, githubapi.ExportProcessing) {
				continue
			}
			busy = true
			if covers(e, from, to) {
				// Someone's export of the month is under way: wait
				// for it rather than ask for another.
				m.asked = e.ID
			}
			break
		}
		if busy {
			// GitHub builds one export at a time.
			continue
		}
		created, err := c.CreateUsageReportExport(ctx, a, githubapi.ExportRequest{ReportType: githubapi.ReportDetailed, StartDate: from, EndDate: to})
		if err != nil {
			return nil, "", fmt.Errorf("usage detail for %s: ask for a detailed export of %s to %s: %w", a, from, to, err)
		}
		m.asked = created.ID
		if strings.EqualFold(created.Status, githubapi.ExportCompleted) && len(created.DownloadURLs) > 0 {
			x = created
			continue
		}
		// Poll at once: the pace spaces the requests.
		polls = -1
	}
	series := &detailDaily{workflows: map[string]*seriesDays{}, users: map[string]*seriesDays{}}
	_, err = c.ReadDetailedExport(ctx, x, func(r *githubapi.DetailedUsageRow) error {
		// The export may span more days than the month read (an
		// administrator's): those rows are left out.
		if d := string(r.Date); d < from || d > to {
			return nil
		}
		series.add(r)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("usage detail for %s: %w", a, err)
	}
	return series, x.ID, nil
}

// metrics are the month to date through the day added last: per series,
// the sums of its rows dated the 1st to that day, the series past the top
// N of the whole export summed into "__other__". A series with no row up
// to that day has no sample, as live.
func (m *detailMonth) metrics() []prometheus.Metric {
	if m.series == nil || m.through == "" {
		return nil
	}
	set := newMetricSet(m.account)
	for _, g := range []struct {
		family detailFamily
		series map[string]*seriesDays
		top    int
	}{
		{detailWorkflowFamily, m.series.workflows, m.c.topWorkflows},
		{detailUserFamily, m.series.users, m.c.topUsers},
	} {
		f := g.family
		kept := topGroups(totalsOf(g.series), g.top, f.fields)
		for key, s := range g.series {
			sums, ok := s.through(m.through)
			if !ok {
				continue
			}
			labels := keyLabels(key)
			if !kept[keyPrefix(key, f.fields)] {
				labels[f.otherAt] = OtherUser
			}
			set.add(f.quantity, sums.quantity.value(), labels...)
			set.add(f.gross, sums.gross.value(), labels...)
			set.add(f.discount, sums.discount.value(), labels...)
			set.add(f.net, sums.net.value(), labels...)
		}
	}
	if last, err := time.Parse(time.DateOnly, m.through); err == nil {
		set.maximum(detailLastDay, float64(last.Unix()))
	}
	metrics, err := set.finiteMetrics()
	if err != nil {
		m.c.logger.Warn("usage detail history: a sum is not finite; the day has no per-workflow or per-user samples", "account", m.account.String(), "err", err)
		return nil
	}
	return metrics
}

func totalsOf(series map[string]*seriesDays) map[string]*detailSums {
	out := make(map[string]*detailSums, len(series))
	for k, s := range series {
		out[k] = &s.total
	}
	return out
}

// save keeps nothing: a resumed backfill reads the month's export again
// (the completed one is reused), which gives the same sums.
func (*detailMonth) save() historyState { return historyState{} }

func (m *detailMonth) restore(st historyState) error {
	if len(st.Usage) > 0 || len(st.Prices) > 0 || len(st.Samples) > 0 {
		return errors.New("usage detail history keeps no samples in its state")
	}
	return nil
}

// sleepContext waits d, or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
