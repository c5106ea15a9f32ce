package backfill

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// ExitRateLimited is the exit status of a backfill that stopped at GitHub's
// rate limit: what it wrote is kept, and a rerun continues.
const ExitRateLimited = 3

// errStopped wraps the error of a backfill that stopped before the end of
// its range; the days before the one it reached are kept.
var errStopped = errors.New("backfill stopped")

// Config is one backfill run.
type Config struct {
	Plan    Plan
	Targets []collector.Target
	Options collector.Options
	// Counter counts the requests (see Observer); nil counts none.
	Counter *Counter
	// Stdout receives the OpenMetrics when Plan.Output is "-".
	Stdout io.Writer
	// Stderr receives the plan line, the progress (when Terminal) and the
	// final line.
	Stderr   io.Writer
	Terminal bool
	Now      func() time.Time
}

// Counter counts the requests sent to GitHub; pass it to the clients as
// their githubapi.Observer.
type Counter struct{ n atomic.Int64 }

// ObserveRequest implements githubapi.Observer.
func (c *Counter) ObserveRequest(string, int, time.Duration) { c.n.Add(1) }

// ObserveRateLimit implements githubapi.Observer.
func (c *Counter) ObserveRateLimit(string, githubapi.RateLimit) {}

// Requests is how many requests were sent.
func (c *Counter) Requests() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

// task is one collector of one account: its month to date.
type task struct {
	key     string
	account githubapi.Account
	client  *githubapi.Client
	centers []githubapi.CostCenter
	month   *collector.MonthToDate
}

// Run writes the plan's days. It stops at the first failed day (a rate
// limit included), keeping every day before it; the returned error then
// wraps errStopped and says which day it reached.
func Run(ctx context.Context, c Config) error {
	if c.Now == nil {
		c.Now = time.Now
	}
	p := c.Plan
	var tasks []*task
	for _, t := range c.Targets {
		for _, name := range p.Collectors {
			f, ok := collector.Lookup(name)
			if !ok || !f.AppliesTo(t.Account.Scope) {
				continue
			}
			m, err := collector.NewMonthToDate(name, c.Options, t.Account)
			if err != nil {
				return err
			}
			tasks = append(tasks, &task{key: t.Account.String() + " " + name, account: t.Account, client: t.Client, month: m})
		}
	}
	if len(tasks) == 0 {
		return errors.New("no account of the configuration has any of the collectors " + fmt.Sprint(p.Collectors))
	}

	out, err := openOutput(p, c.Options, tasks)
	if err != nil {
		return err
	}
	defer out.close()
	if out.complete {
		fmt.Fprintf(c.Stderr, "backfill: %s already holds %s … %s; nothing to do\n", p.Output, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly))
		return nil
	}
	first := out.next // the first day still to write
	days := int(p.To.Sub(first)/(24*time.Hour)) + 1
	ctx = paced(ctx, p.MaxRequestsPerHour)

	// Cost centers have no history: every day is read with today's list,
	// active and deleted, fetched once per enterprise.
	centers := map[string][]githubapi.CostCenter{}
	for _, t := range tasks {
		if t.account.Scope != githubapi.ScopeEnterprise || !t.month.ReadsCostCenters() || days <= 0 {
			continue
		}
		cc, ok := centers[t.account.Name]
		if !ok {
			if cc, err = t.client.CostCenters(ctx, t.account); err != nil {
				return fmt.Errorf("%w before the first day: cost centers of %s: %w", errStopped, t.account, err)
			}
			centers[t.account.Name] = cc
		}
		t.centers = cc
	}
	perDay := 0
	for _, t := range tasks {
		perDay += t.month.Requests(t.centers)
	}
	// A month to date started on --from, after the 1st, would lack the
	// days before it: they are read into it first, and not written.
	readFrom := first
	if first.Equal(p.From) && first.Day() != 1 && days > 0 {
		readFrom = first.AddDate(0, 0, 1-first.Day())
	}
	leadDays := first.Day() - readFrom.Day()
	fmt.Fprintln(c.Stderr, planLine(p, first, days, perDay, leadDays, len(centers)))

	prog := newProgress(c.Stderr, c.Terminal, leadDays+days, perDay*(leadDays+days), c.Now)
	start := c.Now()
	startRequests := c.Counter.Requests()
	var samples int64
	for day := readFrom; !day.After(p.To); day = day.AddDate(0, 0, 1) {
		if day.Day() == 1 {
			for _, t := range tasks {
				t.month.Reset()
			}
		}
		// A collector that reads the month at once reads it to the last
		// day the run writes of it.
		monthLast := day.AddDate(0, 1, -day.Day())
		if monthLast.After(p.To) {
			monthLast = p.To
		}
		for _, t := range tasks {
			t.month.SetLastDay(monthLast)
		}
		if err := runDay(ctx, tasks, day, p.Concurrency); err != nil {
			prog.done()
			reached := "no day is complete yet"
			if day.Before(first) {
				reached = "reading the days of the month before --from; " + reached
			} else if day.After(p.From) {
				reached = "every day up to " + day.AddDate(0, 0, -1).Format(time.DateOnly) + " is kept"
			}
			if errors.Is(err, githubapi.ErrRateLimited) {
				reached = "GitHub's rate limit; " + reached
			}
			return fmt.Errorf("%w at %s (%s; rerun the same command to continue): %w", errStopped, day.Format(time.DateOnly), reached, err)
		}
		if !day.Before(first) {
			n, err := out.writeDay(day, tasks)
			if err != nil {
				prog.done()
				return fmt.Errorf("%w at %s: %w", errStopped, day.Format(time.DateOnly), err)
			}
			samples += n
		}
		prog.update(int(c.Counter.Requests() - startRequests))
	}
	prog.done()
	if err := out.finish(c.Stdout); err != nil {
		return err
	}
	where := p.Output
	if where == "-" {
		where = "stdout"
	}
	fmt.Fprintf(c.Stderr, "backfill: wrote %s … %s to %s: %d days, %d samples, %d requests in %s\n",
		p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), where, days, samples,
		c.Counter.Requests()-startRequests, c.Now().Sub(start).Round(time.Second))
	return nil
}

// planLine says what the run will do: the days to write from first, the
// days of the month before them it reads first (leadDays), and the requests
// all this takes, with the time the pace needs for them.
func planLine(p Plan, first time.Time, days, perDay, leadDays, centerLists int) string {
	total := perDay * days
	before := fmt.Sprintf("after %d for the cost-center lists", centerLists)
	if leadDays > 0 {
		readFrom := first.AddDate(0, 0, -leadDays)
		before += fmt.Sprintf(" and %d for %s … %s, the days of the month before --from that its month to date needs, read and not written",
			perDay*leadDays, readFrom.Format(time.DateOnly), first.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	pace := "no pacing"
	if p.MaxRequestsPerHour > 0 {
		pace = fmt.Sprintf("at most %d an hour: at least %s", p.MaxRequestsPerHour,
			PaceTime(total+perDay*leadDays+centerLists, p.MaxRequestsPerHour))
	}
	resumed := ""
	if first.After(p.From) {
		resumed = fmt.Sprintf(", continuing after %s", first.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	return fmt.Sprintf("backfill: %s … %s%s: %d days × %d requests = %d requests to GitHub (%s), %s. Today and the %d day(s) before it are left out (--settle): GitHub restates recent days.",
		p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), resumed, days, perDay, total, before, pace, p.Settle)
}

// paced makes every request sent under ctx wait its turn, perHour an hour
// (none when perHour is 0). The pace is per request, with a burst of one: a
// report may take any number of requests (an enterprise's usage takes one
// per cost center and one more), so a day or a report is never asked for
// at once.
func paced(ctx context.Context, perHour int) context.Context {
	if perHour <= 0 {
		return ctx
	}
	limiter := rate.NewLimiter(rate.Limit(float64(perHour)/3600), 1)
	return githubapi.WithPace(ctx, func(ctx context.Context) error { return limiter.Wait(ctx) })
}

// runDay adds day to every task, concurrency at a time. The first error
// cancels the rest: the day is then written by none.
func runDay(ctx context.Context, tasks []*task, day time.Time, concurrency int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	sem := make(chan struct{}, concurrency)
	for _, t := range tasks {
		sem <- struct{}{}
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := t.month.AddDay(ctx, t.client, day, t.centers); err != nil {
				mu.Lock()
				if firstErr == nil || errors.Is(firstErr, context.Canceled) {
					firstErr = err
				}
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	return firstErr
}
