package collector

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// UsageDetail is the name of the per-workflow and per-user view of the
// detailed usage report export.
const UsageDetail = "usage_detail"

// DefaultUsageDetailTop is how many workflows and how many users per
// account the view keeps by default; the rest are summed into "__other__".
const DefaultUsageDetailTop = 500

// usageDetailInterval is the view's own default refresh interval: it asks
// GitHub for a new export at most once per interval.
const usageDetailInterval = 24 * time.Hour

// usageDetailSlices is how many refreshes one interval is cut into: a
// refresh polls the export in progress (every 15 minutes by default), or
// does nothing when the data covers every finished day.
const usageDetailSlices = 96

// usageDetailStuck is how long an export may stay processing before each
// refresh reports it as stuck (it is still polled: it may yet finish).
const usageDetailStuck = 6 * time.Hour

// usageDetailFirstPoll is the first wait between two polls of an export;
// it doubles up to usageDetailMaxPoll.
const usageDetailFirstPoll = time.Minute

// usageDetailMaxPoll is the longest wait between two polls of an export.
const usageDetailMaxPoll = 30 * time.Minute

// exportPollWait is the wait after an export's poll number n (0 for the
// first): usageDetailFirstPoll doubled n times, at most usageDetailMaxPoll.
func exportPollWait(n int) time.Duration {
	return min(usageDetailMaxPoll, usageDetailFirstPoll<<min(n, 5))
}

var (
	detailWorkflowLabels = []string{"organization", "repository", "workflow_path", "product", "sku", "unit_type"}
	detailUserLabels     = []string{"user", "product", "sku", "unit_type"}

	detailWorkflowQuantity = NewDesc("usage_workflow_quantity",
		"Month-to-date usage of the workflow in unit_type, from the detailed usage report export; workflow_path=\"__other__\" sums the repository's workflows past the top N.", detailWorkflowLabels...)
	detailWorkflowGross = NewDesc("usage_workflow_gross_amount_usd",
		"Month-to-date gross amount of the workflow in US dollars, from the detailed usage report export.", detailWorkflowLabels...)
	detailWorkflowDiscount = NewDesc("usage_workflow_discount_amount_usd",
		"Month-to-date discount of the workflow in US dollars (included usage), from the detailed usage report export.", detailWorkflowLabels...)
	detailWorkflowNet = NewDesc("usage_workflow_net_amount_usd",
		"Month-to-date billed amount of the workflow in US dollars, from the detailed usage report export.", detailWorkflowLabels...)
	detailUserQuantity = NewDesc("usage_user_quantity",
		"Month-to-date usage of the user in unit_type, from the detailed usage report export; user=\"__other__\" sums the users past the top N.", detailUserLabels...)
	detailUserGross = NewDesc("usage_user_gross_amount_usd",
		"Month-to-date gross amount of the user in US dollars, from the detailed usage report export.", detailUserLabels...)
	detailUserDiscount = NewDesc("usage_user_discount_amount_usd",
		"Month-to-date discount of the user in US dollars (included usage), from the detailed usage report export.", detailUserLabels...)
	detailUserNet = NewDesc("usage_user_net_amount_usd",
		"Month-to-date billed amount of the user in US dollars, from the detailed usage report export.", detailUserLabels...)
	detailReconciliation = NewDesc("usage_detail_reconciliation_difference_usd",
		"The detailed export's net amount of the product minus the usage report's (/usage) for the same days, in US dollars; 0 when they agree.", "product")
	detailLastDay = NewDesc("usage_detail_last_day_timestamp_seconds",
		"The last day the per-workflow and per-user figures cover (its start, 00:00 UTC): they sum every finished day of the month up to it.")
)

// usageDetailCollector keeps month-to-date cost per workflow and per user
// from GitHub's detailed usage report export, an enterprise's only source
// of username and workflow_path (API.md §15.2). The export covers the
// month's finished days (the 1st to yesterday; on the 1st, the 1st so far).
// A refresh reuses a completed export that covers them, made by anyone
// after the last of them ended; else it asks for one, at most once per
// refresh interval and never while another export is processing, and polls
// it at later refreshes until it is done. The data of the last export read
// whole is served until the next one is.
type usageDetailCollector struct {
	now          func() time.Time
	topWorkflows int
	topUsers     int
	logger       *slog.Logger
	// sleep waits between two polls of an export in the backfill.
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	states map[githubapi.Account]*detailState
}

// detailState is one account's view: the served data and the export being
// waited for.
type detailState struct {
	period githubapi.Period
	// refreshes counts the refreshes since the last export was asked for;
	// another may be asked for after usageDetailSlices.
	refreshes int
	asked     bool
	askedTo   string
	// nextList is when the export list may be read again after a read
	// that found nothing to read and asked for nothing.
	nextList time.Time
	pending  *pendingExport
	// done is the last export read whole, and what it gave.
	done *detailResult
}

// pendingExport is an export the view waits for: its own, or one it found
// processing that covers what it needs.
type pendingExport struct {
	id        string
	since     time.Time
	polls     int
	nextPoll  time.Time
	from, to  string // the days the view takes from it
	completed *githubapi.UsageReportExport
}

// detailResult is what one export gave: its per-workflow and per-user
// samples, built once from its aggregate, which is then dropped.
type detailResult struct {
	id       string
	from, to string
	// samples are the series past the ranking and folding; err is a sum
	// that is not finite, served as the refresh's error instead.
	samples    []prometheus.Metric
	err        error
	productNet map[string]*sum
	// reconciled says the /usage comparison was read; a refresh tries
	// again until it is.
	reconciled bool
	difference map[string]float64
}

func newUsageDetailCollector(o Options) Collector {
	c := &usageDetailCollector{now: o.clock(), topWorkflows: o.UsageDetailTopWorkflows, topUsers: o.UsageDetailTopUsers,
		logger: o.logger(), sleep: sleepContext, states: map[githubapi.Account]*detailState{}}
	if c.topWorkflows <= 0 {
		c.topWorkflows = DefaultUsageDetailTop
	}
	if c.topUsers <= 0 {
		c.topUsers = DefaultUsageDetailTop
	}
	return c
}

// detailRange is the days the view covers on now: the 1st of the month to
// yesterday, or the 1st alone on the 1st.
func detailRange(now time.Time) (period githubapi.Period, from, to string) {
	t := now.UTC()
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(t.Year(), t.Month(), t.Day()-1, 0, 0, 0, 0, time.UTC)
	if last.Before(first) {
		last = first
	}
	return githubapi.Period{Year: t.Year(), Month: t.Month()}, first.Format(time.DateOnly), last.Format(time.DateOnly)
}

func (c *usageDetailCollector) state(a githubapi.Account, period githubapi.Period) *detailState {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.states[a]
	if st == nil || st.period != period {
		// A new month: last month's figures are no month to date.
		st = &detailState{period: period}
		c.states[a] = st
	}
	return st
}

func (c *usageDetailCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	now := c.now()
	period, from, to := detailRange(now)
	st := c.state(a, period)
	st.refreshes++
	err := c.advance(ctx, client, a, st, now, from, to)
	if st.done == nil {
		if err == nil {
			err = fmt.Errorf("usage detail for %s: no export read yet this month", a)
		}
		return nil, err
	}
	if !st.done.reconciled {
		c.reconcile(ctx, client, a, st.done)
	}
	if _, wait := errors.AsType[*detailWait](err); wait {
		// The served data stays the last export's until the next is read.
		c.logger.Debug("usage detail: serving the last export while waiting", "account", a.String(), "export", st.done.id, "err", err)
	} else if err != nil {
		// The cache keeps serving the last good data; the refresh fails.
		return nil, err
	}
	return c.metrics(a, st.done)
}

// advance does what the refresh can do toward data that covers from to to:
// nothing when the data does, else poll the export waited for, or look for
// one and ask for one.
func (c *usageDetailCollector) advance(ctx context.Context, client *githubapi.Client, a githubapi.Account, st *detailState, now time.Time, from, to string) error {
	if st.done != nil && st.done.from == from && st.done.to >= to {
		return nil
	}
	if p := st.pending; p != nil {
		return c.poll(ctx, client, a, st, now)
	}
	if now.Before(st.nextList) {
		return fmt.Errorf("usage detail for %s: no export covers %s to %s yet; the exports are listed again at %s", a, from, to, st.nextList.UTC().Format(time.RFC3339))
	}
	// Until something changes, the list is read at most hourly.
	st.nextList = now.Add(time.Hour)
	exports, err := client.UsageReportExports(ctx, a)
	if err != nil {
		return fmt.Errorf("usage detail for %s: list exports: %w", a, err)
	}
	if x := reusable(exports, now, from, to); x != nil {
		st.pending = &pendingExport{id: x.ID, since: now, from: from, to: to, completed: x}
		return c.read(ctx, client, a, st)
	}
	for _, x := range exports {
		if !strings.EqualFold(x.Status, githubapi.ExportProcessing) {
			continue
		}
		if covers(x, from, to) {
			// Someone's export of what is needed is under way: wait for it.
			st.pending = &pendingExport{id: x.ID, since: now, nextPoll: now, from: from, to: to}
			return c.poll(ctx, client, a, st, now)
		}
		// GitHub builds one export at a time: wait, without asking.
		return &detailWait{fmt.Errorf("usage detail for %s: waiting for export %s (%s, by %q) to finish before asking for a detailed one",
			a, x.ID, x.ReportType, x.Actor)}
	}
	// Once for each new last day; again for the same days (the last
	// export failed) only a refresh interval after the last ask.
	if st.asked && st.askedTo >= to && st.refreshes < usageDetailSlices {
		return fmt.Errorf("usage detail for %s: no export covers %s to %s; the next is asked for within a refresh interval of the last", a, from, to)
	}
	x, err := client.CreateUsageReportExport(ctx, a, githubapi.ExportRequest{ReportType: githubapi.ReportDetailed, StartDate: from, EndDate: to})
	st.asked, st.askedTo, st.refreshes = true, to, 0
	if err != nil {
		return fmt.Errorf("usage detail for %s: ask for a detailed export of %s to %s: %w", a, from, to, err)
	}
	st.pending = &pendingExport{id: x.ID, since: now, nextPoll: now.Add(time.Minute), from: from, to: to}
	st.nextList = time.Time{}
	c.logger.Debug("asked GitHub for a detailed usage export", "account", a.String(), "export", x.ID, "from", from, "to", to)
	if strings.EqualFold(x.Status, githubapi.ExportCompleted) {
		st.pending.completed = x
		return c.read(ctx, client, a, st)
	}
	return c.pendingError(a, st.pending, now)
}

// poll asks GitHub where the export waited for stands, once its back-off
// allows, and reads it when it is done.
func (c *usageDetailCollector) poll(ctx context.Context, client *githubapi.Client, a githubapi.Account, st *detailState, now time.Time) error {
	p := st.pending
	if p.completed == nil && now.Before(p.nextPoll) {
		return c.pendingError(a, p, now)
	}
	// A completed export whose parts failed is asked again: its links may
	// have expired.
	x, err := client.UsageReportExportByID(ctx, a, p.id)
	if err != nil {
		if errors.Is(err, githubapi.ErrNotFound) {
			st.pending = nil
		}
		return fmt.Errorf("usage detail for %s: export %s: %w", a, p.id, err)
	}
	p.polls++
	switch {
	case strings.EqualFold(x.Status, githubapi.ExportCompleted):
		if !covers(*x, p.from, p.to) {
			st.pending = nil
			return fmt.Errorf("usage detail for %s: export %s is a %s export of %s to %s, not the detailed one of %s to %s that was asked for",
				a, x.ID, x.ReportType, x.StartDate, x.EndDate, p.from, p.to)
		}
		p.completed = x
		return c.read(ctx, client, a, st)
	case strings.EqualFold(x.Status, githubapi.ExportFailed):
		st.pending = nil
		return fmt.Errorf("usage detail for %s: GitHub's export %s failed; another is asked for within a refresh interval of the last", a, p.id)
	}
	p.nextPoll = now.Add(exportPollWait(p.polls))
	return c.pendingError(a, p, now)
}

// pendingError says what the view waits for.
func (c *usageDetailCollector) pendingError(a githubapi.Account, p *pendingExport, now time.Time) error {
	if d := now.Sub(p.since); d >= usageDetailStuck {
		return fmt.Errorf("usage detail for %s: export %s has been processing for %s: stuck at GitHub? (still polled)", a, p.id, d.Round(time.Minute))
	}
	return &detailWait{fmt.Errorf("usage detail for %s: export %s is processing at GitHub (asked %d times); the last good data is served meanwhile", a, p.id, p.polls)}
}

// detailWait is an export the view waits for, its own or another's, within
// the time an export takes: no failure while earlier data is served.
type detailWait struct{ err error }

func (e *detailWait) Error() string { return e.err.Error() }
func (e *detailWait) Unwrap() error { return e.err }

// read downloads every part of the completed export and, when all of them
// read whole, makes its figures the served data. A part that fails leaves
// the served data as it was and the export pending, read again from the
// start at the next refresh.
func (c *usageDetailCollector) read(ctx context.Context, client *githubapi.Client, a githubapi.Account, st *detailState) error {
	p := st.pending
	agg := newDetailAggregate()
	_, err := client.ReadDetailedExport(ctx, p.completed, func(r *githubapi.DetailedUsageRow) error {
		// The export may span more days than the view needs (an
		// administrator's): those rows are outside the month to date.
		if d := string(r.Date); d < p.from || d > p.to {
			return nil
		}
		agg.add(r)
		return nil
	})
	if err != nil {
		p.completed = nil
		p.nextPoll = time.Time{}
		return fmt.Errorf("usage detail for %s: %w", a, err)
	}
	st.done = c.result(a, p.id, p.from, p.to, agg)
	st.pending = nil
	return nil
}

// reusable is the newest completed detailed export that covers from to to
// and was created after the day to ended (an export of a day not over
// lacks the rest of it), or nil; on the 1st, when to is today, one created
// today (the view covers the 1st so far then). An export without a
// readable created_at (an optional field) is not reused: when its data
// ends is not known.
func reusable(exports []githubapi.UsageReportExport, now time.Time, from, to string) *githubapi.UsageReportExport {
	last, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil
	}
	dayOver := last.Add(24 * time.Hour)
	if now.UTC().Format(time.DateOnly) == to {
		dayOver = last
	}
	var best *githubapi.UsageReportExport
	var bestAt time.Time
	for i, x := range exports {
		if !strings.EqualFold(x.Status, githubapi.ExportCompleted) || !covers(x, from, to) || len(x.DownloadURLs) == 0 {
			continue
		}
		at, ok := x.Created()
		if !ok || at.Before(dayOver) {
			continue
		}
		if best == nil || at.After(bestAt) {
			best, bestAt = &exports[i], at
		}
	}
	return best
}

// covers says x is a detailed export whose days include from to to.
func covers(x githubapi.UsageReportExport, from, to string) bool {
	return strings.EqualFold(x.ReportType, githubapi.ReportDetailed) && x.StartDate <= from && x.EndDate >= to &&
		len(x.StartDate) == 10 && len(x.EndDate) == 10
}

// reconcile reads /usage for the month and compares its net amount per
// product, over the days the export covers, with the export's. An
// enterprise's /usage without cost_center_id is only the usage in no cost
// center, so it is read as the usage collector reads it: once per cost
// center and once for none. A failure leaves the comparison out of this
// refresh's data; the next refresh asks again.
func (c *usageDetailCollector) reconcile(ctx context.Context, client *githubapi.Client, a githubapi.Account, res *detailResult) {
	period, err := time.Parse(time.DateOnly, res.from)
	if err != nil {
		return
	}
	centers, err := client.CostCenters(ctx, a)
	if err != nil {
		c.logger.Debug("usage detail reconciliation not read", "account", a.String(), "err", err)
		return
	}
	usage := map[string]*sum{}
	q := githubapi.UsageQuery{Period: githubapi.Period{Year: period.Year(), Month: period.Month()}}
	err = EachUsageRow(ctx, client, a, q, centers, func(_ githubapi.CostCenter, it *githubapi.UsageItem) error {
		if d := it.Date; len(d) < 10 || d[:10] < res.from || d[:10] > res.to {
			return nil
		}
		product := strings.ToLower(it.Product)
		s := usage[product]
		if s == nil {
			s = &sum{}
			usage[product] = s
		}
		_, _, net := clampDiscount(it.GrossAmount, it.DiscountAmount, it.NetAmount)
		s.add(net)
		return nil
	})
	if err != nil {
		c.logger.Debug("usage detail reconciliation not read", "account", a.String(), "err", err)
		return
	}
	diff := map[string]float64{}
	for product, s := range res.productNet {
		diff[strings.ToLower(product)] += s.value()
	}
	for product, s := range usage {
		diff[product] = round15(diff[product] - s.value())
	}
	res.difference, res.reconciled = diff, true
}

// clampDiscount holds a row's discount to its gross and its net to at
// least 0: GitHub has sent a discount larger than the gross (API.md
// §15.2), which would make a negative cost.
func clampDiscount(gross, discount, net float64) (float64, float64, float64) {
	if discount > gross {
		discount = gross
	}
	if net < 0 {
		net = 0
	}
	return gross, discount, net
}

// detailAggregate sums an export's rows per workflow and per user.
type detailAggregate struct {
	workflows  map[string]*detailSums
	users      map[string]*detailSums
	productNet map[string]*sum
	key        []byte
}

// detailSums are one series' figures; its label values are its key in
// the aggregate's map, joined with 0xff, held once.
type detailSums struct {
	quantity, gross, discount, net sum
}

// keyLabels splits a series' key into its label values.
func keyLabels(key string) []string { return strings.Split(key, "\xff") }

func newDetailAggregate() *detailAggregate {
	return &detailAggregate{workflows: map[string]*detailSums{}, users: map[string]*detailSums{}, productNet: map[string]*sum{}}
}

// add adds one row. Series are found by their label values joined with
// 0xff into a reused buffer: a row of a series already seen allocates
// nothing.
func (g *detailAggregate) add(r *githubapi.DetailedUsageRow) {
	gross, discount, net := clampDiscount(r.GrossAmount, r.DiscountAmount, r.NetAmount)
	g.key = joinKey(g.key[:0], r.Organization, r.Repository, r.WorkflowPath, r.Product, r.SKU, r.UnitType)
	seriesAt(g.workflows, g.key).addRow(r.Quantity, gross, discount, net)
	g.key = joinKey(g.key[:0], r.Username, r.Product, r.SKU, r.UnitType)
	seriesAt(g.users, g.key).addRow(r.Quantity, gross, discount, net)
	seriesAt(g.productNet, r.Product).add(net)
}

func (s *detailSums) addRow(quantity, gross, discount, net float64) {
	s.quantity.add(quantity)
	s.gross.add(gross)
	s.discount.add(discount)
	s.net.add(net)
}

// seriesAt is the entry of key in m, added (zero) when m has none. A key
// already in m allocates nothing: the lookup does not copy it.
func seriesAt[T any](m map[string]*T, key []byte) *T {
	v := m[string(key)]
	if v == nil {
		v = new(T)
		m[string(key)] = v
	}
	return v
}

// joinKey joins label values with 0xff, a byte valid UTF-8 never holds;
// a value that is not valid UTF-8 is made so first (as every label value
// is), so that it cannot hold the separator, and two values that would be
// the same label are the same key.
func joinKey(dst []byte, parts ...[]byte) []byte {
	for i, p := range parts {
		if i > 0 {
			dst = append(dst, 0xff)
		}
		if !utf8.Valid(p) {
			p = bytes.ToValidUTF8(p, []byte("\uFFFD"))
		}
		dst = append(dst, p...)
	}
	return dst
}

// result ranks and folds agg into its samples, consuming it: each series
// is deleted from the aggregate as its samples are made, so the two are
// not held whole at once.
func (c *usageDetailCollector) result(a githubapi.Account, id, from, to string, agg *detailAggregate) *detailResult {
	res := &detailResult{id: id, from: from, to: to, productNet: agg.productNet}
	res.samples, res.err = c.seriesSamples(a, agg)
	return res
}

// The per-workflow and per-user families: the label that "__other__"
// replaces (otherAt) and how many labels name a group (fields).
var (
	detailWorkflowFamily = detailFamily{quantity: detailWorkflowQuantity, gross: detailWorkflowGross, discount: detailWorkflowDiscount,
		net: detailWorkflowNet, fields: 3, otherAt: 2}
	detailUserFamily = detailFamily{quantity: detailUserQuantity, gross: detailUserGross, discount: detailUserDiscount,
		net: detailUserNet, fields: 1, otherAt: 0}
)

type detailFamily struct {
	quantity, gross, discount, net *Desc
	fields, otherAt                int
}

// seriesSamples are agg's series: the top workflows and users by net
// amount, the rest summed into "__other__", so that every sum over
// workflows or users is the account's total. It empties agg.
func (c *usageDetailCollector) seriesSamples(a githubapi.Account, agg *detailAggregate) ([]prometheus.Metric, error) {
	var out []prometheus.Metric
	var err error
	// A workflow is its organization, repository and path; its series
	// are per product, SKU and unit.
	kept := topGroups(agg.workflows, c.topWorkflows, 3)
	if out, err = detailWorkflowFamily.samples(out, a, agg.workflows, kept); err != nil {
		return nil, err
	}
	agg.workflows = nil
	keptUsers := topGroups(agg.users, c.topUsers, 1)
	if out, err = detailUserFamily.samples(out, a, agg.users, keptUsers); err != nil {
		return nil, err
	}
	agg.users = nil
	return out, nil
}

// samples appends the samples of series to out, deleting each series as it
// goes: a kept group's series as they are, the others summed per label
// values with "__other__" in place of the group's last label.
func (f detailFamily) samples(out []prometheus.Metric, a githubapi.Account, series map[string]*detailSums, kept map[string]bool) ([]prometheus.Metric, error) {
	folded := map[string]*detailSums{}
	var err error
	for key, s := range series {
		delete(series, key)
		if kept[keyPrefix(key, f.fields)] {
			if out, err = f.appendSeries(out, a, key, s); err != nil {
				return nil, err
			}
			continue
		}
		fk := otherKey(key, f.otherAt)
		t := folded[fk]
		if t == nil {
			t = &detailSums{}
			folded[fk] = t
		}
		t.addRow(s.quantity.value(), s.gross.value(), s.discount.value(), s.net.value())
	}
	for fk, s := range folded {
		if out, err = f.appendSeries(out, a, fk, s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendSeries appends the four samples of one series, which share one
// slice of label values; the values are the key's own bytes, not copies,
// and valid UTF-8 as joinKey made them.
func (f detailFamily) appendSeries(out []prometheus.Metric, a githubapi.Account, key string, s *detailSums) ([]prometheus.Metric, error) {
	values := make([]string, 2, 2+strings.Count(key, "\xff")+1)
	values[0], values[1] = string(a.Scope), a.Name
	for l := range strings.SplitSeq(key, "\xff") {
		values = append(values, l)
	}
	checkLabelCount(f.quantity, values)
	held := &[4]Sample{
		{desc: f.quantity, value: s.quantity.value(), labels: values},
		{desc: f.gross, value: s.gross.value(), labels: values},
		{desc: f.discount, value: s.discount.value(), labels: values},
		{desc: f.net, value: s.net.value(), labels: values},
	}
	for i := range held {
		if !finite(held[i].value) {
			return nil, notFinite(held[i].desc, values, held[i].value)
		}
		out = append(out, &held[i])
	}
	return out, nil
}

// otherKey is key with its label at index i replaced by "__other__".
func otherKey(key string, i int) string {
	start := 0
	if i > 0 {
		start = len(keyPrefix(key, i)) + 1
	}
	end := len(key)
	if j := strings.IndexByte(key[start:], 0xff); j >= 0 {
		end = start + j
	}
	return key[:start] + OtherUser + key[end:]
}

// metrics are the result's samples, with the reconciliation once read and
// the last day covered.
func (c *usageDetailCollector) metrics(a githubapi.Account, res *detailResult) ([]prometheus.Metric, error) {
	if res.err != nil {
		return nil, fmt.Errorf("usage detail for %s: %w", a, res.err)
	}
	m := newMetricSet(a)
	if res.reconciled {
		for product, d := range res.difference {
			m.add(detailReconciliation, d, product)
		}
	}
	if last, err := time.Parse(time.DateOnly, res.to); err == nil {
		m.maximum(detailLastDay, float64(last.Unix()))
	}
	extra, err := m.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("usage detail for %s: %w", a, err)
	}
	out := make([]prometheus.Metric, 0, len(res.samples)+len(extra))
	return append(append(out, res.samples...), extra...), nil
}

// topGroups ranks the groups of series by their summed net amount, then
// gross, then name, and returns the first limit. A series' group is its
// first fields label values (the key's prefix, held by the key itself). A
// group named "__other__" by GitHub is never kept, so that it cannot be
// told from the sum.
func topGroups(series map[string]*detailSums, limit, fields int) map[string]bool {
	type total struct {
		name       string
		net, gross sum
	}
	totals := map[string]*total{}
	for key, s := range series {
		g := keyPrefix(key, fields)
		t := totals[g]
		if t == nil {
			t = &total{name: g}
			totals[g] = t
		}
		t.net.add(s.net.value())
		t.gross.add(s.gross.value())
	}
	ranked := make([]*total, 0, len(totals))
	for _, t := range totals {
		if !strings.HasSuffix(t.name, OtherUser) {
			ranked = append(ranked, t)
		}
	}
	slices.SortFunc(ranked, func(x, y *total) int {
		return cmp.Or(cmp.Compare(y.net.value(), x.net.value()), cmp.Compare(y.gross.value(), x.gross.value()), cmp.Compare(x.name, y.name))
	})
	kept := make(map[string]bool, min(limit, len(ranked)))
	for _, t := range ranked[:min(limit, len(ranked))] {
		kept[t.name] = true
	}
	return kept
}

// keyPrefix is a key's first fields label values, separators between.
func keyPrefix(key string, fields int) string {
	end := 0
	for range fields {
		i := strings.IndexByte(key[end:], 0xff)
		if i < 0 {
			return key
		}
		end += i + 1
	}
	return key[:end-1]
}

// usageDetailRequests are one interval's requests for an enterprise: the
// export list, at most one new export, its polls, and the usage report the
// export is reconciled with (the cost-center list, shared with the usage
// collector, and one per cost center and one for none). Downloads go to
// GitHub's web host, not the API.
func usageDetailRequests(s Shape) []Call {
	return []Call{
		{Endpoint: "/settings/billing/reports", Count: 2, Formula: "2: the list, and at most 1 new export (POST)"},
		{Endpoint: "/settings/billing/reports/{report_id}", Count: 1,
			Formula: "1 when the export is done by the next 15-minute refresh; 1 per refresh while it is processing (back-off to 30 min)"},
		costCenterListCall(),
		{Endpoint: "/settings/billing/usage", Platform: true, Count: s.CostCenters + 1, Formula: "1 per cost center + 1 for none, once per export read"},
	}
}
