package focus

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/backfill"
	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Config is one focus run.
type Config struct {
	Plan    Plan
	Targets []collector.Target
	// Counter counts the requests (the clients' githubapi.Observer); nil
	// counts none.
	Counter *backfill.Counter
	// Stdout receives the dataset when Plan.Output is "-".
	Stdout io.Writer
	// Stderr receives the plan line, the progress (when Terminal), notes
	// and the final line.
	Stderr   io.Writer
	Terminal bool
	Now      func() time.Time
	// Version is the exporter's version, for the Parquet metadata.
	Version string
}

// unit is one account's rows of one month: the run reads and writes units
// one after the other, and a resumed run continues after the last one
// written.
type unit struct {
	month  time.Time
	target collector.Target
	ba     billingAccount
}

// orderTargets puts enterprises first, then organizations, then users, each
// in the configuration's order: an organization's rows are then known to be
// in a configured enterprise's before it would be read.
func orderTargets(ts []collector.Target) []collector.Target {
	rank := map[githubapi.Scope]int{githubapi.ScopeEnterprise: 0, githubapi.ScopeOrganization: 1, githubapi.ScopeUser: 2}
	out := slices.Clone(ts)
	slices.SortStableFunc(out, func(a, b collector.Target) int { return rank[a.Account.Scope] - rank[b.Account.Scope] })
	return out
}

// Run writes the plan's dataset. It stops at the first unit that fails (a
// rate limit included), keeping every unit before it for a rerun with the
// same output file to continue from.
func Run(ctx context.Context, c Config) error {
	if c.Now == nil {
		c.Now = time.Now
	}
	p := c.Plan
	targets := orderTargets(c.Targets)
	if len(targets) == 0 {
		return errors.New("the configuration has no account")
	}
	var units []unit
	for _, m := range p.months() {
		for _, t := range targets {
			units = append(units, unit{month: m, target: t, ba: newBillingAccount(t.Account)})
		}
	}
	var accounts []string
	for _, t := range targets {
		accounts = append(accounts, t.Account.String())
	}
	out, err := openOutput(p, accounts, c.Now())
	if err != nil {
		return err
	}
	defer out.close()
	if out.state.Finished {
		fmt.Fprintf(c.Stderr, "focus: %s already holds %s … %s; nothing to do\n", p.Output, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
		return nil
	}
	ctx = backfill.Paced(ctx, p.MaxRequestsPerHour)

	// The enterprises' cost centers, active and deleted: one list each,
	// read once for every month (GitHub keeps no history of them).
	centers := map[string][]githubapi.CostCenter{}
	for _, u := range units[out.state.Done:] {
		a := u.target.Account
		if _, ok := centers[a.Name]; ok || a.Scope != githubapi.ScopeEnterprise {
			continue
		}
		cc, err := u.target.Client.CostCenters(ctx, a)
		if err != nil {
			return fmt.Errorf("focus stopped before the first month (rerun the same command to continue): cost centers of %s: %w", a, err)
		}
		centers[a.Name] = cc
		for _, problem := range collector.DroppedCostCenters(cc) {
			fmt.Fprintf(c.Stderr, "focus: %s: %s; left out so that no dollar counts twice\n", a, problem)
		}
	}
	requests := 0
	for _, u := range units[out.state.Done:] {
		requests += collector.UsageRequests(centers[u.target.Account.Name])
	}
	fmt.Fprintln(c.Stderr, planLine(p, len(units), out.state.Done, requests, len(centers)))

	prog := backfill.NewProgress(c.Stderr, c.Terminal, "account-months", len(units)-out.state.Done, requests, c.Now)
	start := c.Now()
	startRequests := c.Counter.Requests()
	for i := out.state.Done; i < len(units); i++ {
		u := units[i]
		monthKey := u.month.Format("2006-01")
		var records []Record
		a := u.target.Account
		if enterprise, ok := out.state.Members[monthKey][a.Name]; ok && a.Scope == githubapi.ScopeOrganization {
			fmt.Fprintf(c.Stderr, "focus: %s %s: its rows are in enterprise %q's, written once there\n", a, monthKey, enterprise)
		} else {
			records, err = readUnit(ctx, u, p, centers[a.Name])
			if err != nil {
				prog.Done()
				reached := "no account-month is complete yet"
				if i > 0 {
					reached = fmt.Sprintf("%d account-months before it are kept", i)
				}
				if errors.Is(err, githubapi.ErrRateLimited) {
					reached = "GitHub's rate limit; " + reached
				}
				return fmt.Errorf("focus stopped at %s %s (%s; rerun the same command to continue): %w", a, monthKey, reached, err)
			}
		}
		if a.Scope == githubapi.ScopeEnterprise {
			for _, r := range records {
				if org, ok := r.Get("SubAccountName"); ok {
					out.member(monthKey, org, a.Name)
				}
			}
		}
		if err := out.writeUnit(records); err != nil {
			prog.Done()
			return fmt.Errorf("focus stopped at %s %s: %w", a, monthKey, err)
		}
		prog.Update(int(c.Counter.Requests() - startRequests))
	}
	prog.Done()
	rows, err := out.finish(c.Stdout, Metadata{GeneratorVersion: c.Version, CreationDate: out.creationDate()})
	if err != nil {
		return err
	}
	where := p.Output
	if where == "-" {
		where = "stdout"
	}
	fmt.Fprintf(c.Stderr, "focus: wrote %s … %s to %s (%s): %d rows, %d requests in %s\n",
		p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), where, p.Format, rows,
		c.Counter.Requests()-startRequests, c.Now().Sub(start).Round(time.Second))
	return nil
}

// planLine says what the run will do.
func planLine(p Plan, units, done, requests, centerLists int) string {
	pace := "no pacing"
	if p.MaxRequestsPerHour > 0 {
		pace = fmt.Sprintf("at most %d an hour: at most %s", p.MaxRequestsPerHour,
			backfill.PaceTime(requests+centerLists, p.MaxRequestsPerHour))
	}
	resumed := ""
	if done > 0 {
		resumed = fmt.Sprintf(", continuing after %d of %d account-months", done, units)
	}
	return fmt.Sprintf("focus: %s … %s%s: %d account-months, at most %d requests to GitHub after %d for the cost-center lists (an organization whose rows a configured enterprise holds takes none), %s.",
		p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), resumed, units-done, requests, centerLists, pace)
}

// readUnit reads one account's usage report of one month, every cost
// center of an enterprise included, and returns its FOCUS rows of the
// plan's days, sorted.
func readUnit(ctx context.Context, u unit, p Plan, centers []githubapi.CostCenter) ([]Record, error) {
	first, last := u.month, u.month.AddDate(0, 1, -1)
	if p.From.After(first) {
		first = p.From
	}
	if p.To.Before(last) {
		last = p.To
	}
	firstDay, lastDay := first.Format(time.DateOnly), last.Format(time.DateOnly)
	query := githubapi.UsageQuery{Period: githubapi.Period{Year: u.month.Year(), Month: u.month.Month()}}
	if first.Equal(last) {
		query.Day = first.Day()
	}
	var records []Record
	err := collector.EachUsageRow(ctx, u.target.Client, u.target.Account, query, centers, func(cc githubapi.CostCenter, it *githubapi.UsageItem) error {
		// The client holds every row to the month (or day) asked; the days
		// of the month outside the plan are left out here.
		if d := it.Date[:min(len(it.Date), len(time.DateOnly))]; d < firstDay || d > lastDay {
			return nil
		}
		rs, err := rowsOf(u.ba, costCenter{id: cc.ID, name: cc.Name}, it)
		if err != nil {
			return err
		}
		records = append(records, rs...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("usage of %s: %w", u.target.Account, err)
	}
	sortRecords(records)
	return records, nil
}

// sortKeyColumns order a unit's rows: by day, organization, repository,
// SKU and cost center; the other columns break ties, so the order does not
// depend on the order GitHub sends the rows or the cost centers in.
var sortKeyColumns = []string{"ChargePeriodStart", "SubAccountId", "ResourceId", "SkuId", "x_CostCenterId"}

func sortRecords(rs []Record) {
	key := func(r Record) string {
		var b strings.Builder
		for _, name := range sortKeyColumns {
			v, _ := r.Get(name)
			b.WriteString(v)
			b.WriteByte(0)
		}
		for _, v := range r {
			if v != nil {
				b.WriteString(*v)
			}
			b.WriteByte(0)
		}
		return b.String()
	}
	type keyed struct {
		k string
		r Record
	}
	ks := make([]keyed, len(rs))
	for i, r := range rs {
		ks[i] = keyed{key(r), r}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int { return strings.Compare(a.k, b.k) })
	for i := range ks {
		rs[i] = ks[i].r
	}
}

// The output: the rows of each account-month are appended to a spool,
// OUTPUT.focus/rows.jsonl, one JSON array a row; state.json beside it says
// how many account-months are complete, the spool's size after them, the
// organizations seen in each month's enterprise rows and when the dataset
// was started. A rerun cuts the spool back to that size and continues, so
// an interrupted and resumed run writes the file an uninterrupted one
// would. After the last account-month the spool becomes the CSV or Parquet
// file, written beside the output and renamed over it.

// stateVersion changes when state.json changes shape.
const stateVersion = 1

type runState struct {
	Version      int
	From, To     string
	Format       string
	Accounts     []string
	CreationDate string
	// Done is how many account-months are complete; Size the spool's
	// size after them.
	Done int
	Size int64
	// Members are, by month, the organizations seen in a configured
	// enterprise's rows, and that enterprise.
	Members  map[string]map[string]string
	Finished bool
}

type output struct {
	plan  Plan
	dir   string
	temp  bool
	state runState
	spool *os.File
}

func (o *output) statePath() string { return filepath.Join(o.dir, "state.json") }
func (o *output) spoolPath() string { return filepath.Join(o.dir, "rows.jsonl") }

func (o *output) creationDate() time.Time {
	t, _ := time.Parse(time.RFC3339, o.state.CreationDate)
	return t
}

func (o *output) member(month, org, enterprise string) {
	if o.state.Members[month] == nil {
		o.state.Members[month] = map[string]string{}
	}
	if _, ok := o.state.Members[month][org]; !ok {
		o.state.Members[month][org] = enterprise
	}
}

// holds says what a state's output holds, or is to hold.
func (st runState) holds() string {
	return fmt.Sprintf("%s … %s as %s for %v", st.From, st.To, st.Format, st.Accounts)
}

// openOutput starts the output, or takes up the run the same output was
// left in; a finished output is only confirmed, and one of other flags is
// refused.
func openOutput(p Plan, accounts []string, now time.Time) (*output, error) {
	fresh := runState{Version: stateVersion, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Format: p.Format,
		Accounts: accounts, CreationDate: timeText(now.Truncate(time.Second)), Members: map[string]map[string]string{}}
	o := &output{plan: p, state: fresh}
	if p.Output == "-" {
		dir, err := os.MkdirTemp("", "github-billing-focus-*")
		if err != nil {
			return nil, err
		}
		o.dir, o.temp = dir, true
		return o, o.openSpool(0)
	}
	o.dir = p.Output + ".focus"
	raw, err := os.ReadFile(o.statePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		if st, err := os.Stat(p.Output); err == nil && st.Mode().IsRegular() {
			return nil, fmt.Errorf("--output=%s exists and is no focus run's (no %s): remove it or choose another file", p.Output, o.statePath())
		}
		if err := os.MkdirAll(o.dir, 0o755); err != nil {
			return nil, fmt.Errorf("--output=%s: %w", p.Output, err)
		}
		if err := o.save(); err != nil {
			return nil, err
		}
		return o, o.openSpool(0)
	case err != nil:
		return nil, fmt.Errorf("--output=%s: reading the run in progress: %w", p.Output, err)
	}
	var st runState
	if err := json.Unmarshal(raw, &st); err != nil || st.Version != stateVersion {
		return nil, fmt.Errorf("--output=%s: %s is not a state this version wrote; remove %s to start over", p.Output, o.statePath(), o.dir)
	}
	if st.From != fresh.From || st.To != fresh.To || st.Format != fresh.Format || !slices.Equal(st.Accounts, fresh.Accounts) {
		verb := "was started"
		if st.Finished {
			verb = "is a finished dataset"
		}
		return nil, fmt.Errorf("--output=%s %s for %s; this run asks for %s: run it with the same flags and configuration, or remove %s and %s to start over",
			p.Output, verb, st.holds(), fresh.holds(), p.Output, o.dir)
	}
	if st.Members == nil {
		st.Members = map[string]map[string]string{}
	}
	o.state = st
	if st.Finished {
		return o, nil
	}
	return o, o.openSpool(st.Size)
}

// openSpool opens the spool, cut back to size: what an account-month that
// did not finish wrote goes.
func (o *output) openSpool(size int64) error {
	f, err := os.OpenFile(o.spoolPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return err
	}
	o.spool = f
	return nil
}

func (o *output) save() error {
	if o.temp {
		return nil
	}
	raw, err := json.Marshal(o.state)
	if err != nil {
		return err
	}
	return backfill.WriteFileAtomic(o.statePath(), raw)
}

// writeUnit appends an account-month's rows to the spool and records it as
// complete.
func (o *output) writeUnit(records []Record) error {
	w := bufio.NewWriter(o.spool)
	enc := json.NewEncoder(w)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if !o.temp {
		if err := o.spool.Sync(); err != nil {
			return err
		}
	}
	off, err := o.spool.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	o.state.Done++
	o.state.Size = off
	return o.save()
}

// finish writes the dataset from the spool and returns its row count.
func (o *output) finish(stdout io.Writer, md Metadata) (int, error) {
	var (
		w    = stdout
		file *os.File
		err  error
	)
	if !o.temp {
		file, err = os.Create(o.plan.Output + ".tmp")
		if err != nil {
			return 0, err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rw, err := newRecordWriter(o.plan.Format, bw, md)
	if err != nil {
		return 0, err
	}
	if _, err := o.spool.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(o.spool, o.state.Size)))
	rows := 0
	for {
		var r Record
		if err := dec.Decode(&r); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return 0, fmt.Errorf("%s: %w", o.spoolPath(), err)
		}
		if len(r) != len(Columns) {
			return 0, fmt.Errorf("%s: a row of %d columns, want %d", o.spoolPath(), len(r), len(Columns))
		}
		if err := rw.write(r); err != nil {
			return 0, err
		}
		rows++
	}
	if err := rw.close(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	if file != nil {
		if err := file.Sync(); err != nil {
			return 0, err
		}
		if err := file.Close(); err != nil {
			return 0, err
		}
		if err := os.Rename(file.Name(), o.plan.Output); err != nil {
			return 0, err
		}
	}
	if o.temp {
		return rows, nil
	}
	o.state.Finished = true
	if err := o.save(); err != nil {
		return 0, err
	}
	o.spool.Close()
	o.spool = nil
	return rows, os.Remove(o.spoolPath())
}

// close closes the spool; a temporary work directory goes too.
func (o *output) close() {
	if o.spool != nil {
		o.spool.Close()
		o.spool = nil
	}
	if o.temp {
		os.RemoveAll(o.dir)
	}
}
