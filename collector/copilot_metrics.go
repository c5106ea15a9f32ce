package collector

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// CopilotMetrics is the name of the view of the Copilot usage-metrics
// reports: every user's and team's AI credits of the month.
const CopilotMetrics = "copilot_metrics"

// copilotMetricsInterval is the view's own default refresh interval. GitHub
// publishes a day's report once, three to four days after it ends; four
// refreshes a day see a new day within six hours of its publication.
const copilotMetricsInterval = 6 * time.Hour

// copilotMetricsRereadDays is how many of the latest complete days each
// refresh reads again: GitHub completes a day within three full UTC days,
// occasionally four calendar days (API.md §15.1).
const copilotMetricsRereadDays = 4

// copilotMetricsLateDays is how many complete days a day that had no data
// is asked for again: GitHub's lag is occasionally four calendar days, and
// a day that comes late must not be missed for good once it leaves the
// last four.
const copilotMetricsLateDays = 7

var (
	copilotMetricsUserCredits = NewDesc("copilot_metrics_user_ai_credits",
		"AI credits the user used this month to date, from the Copilot usage-metrics reports (sum of ai_credits_used over the month's days with data, 3-4 days behind): a usage signal, not the bill; never add it to the billed series.",
		"user")
	copilotMetricsTeamCredits = NewDesc("copilot_metrics_team_ai_credits",
		"AI credits the team's members used this month to date, from the usage-metrics reports (user-teams-1-day joined to users-1-day per day; a user in two teams counts in both; teams under 5 seated users are left out by GitHub): a usage signal, not the bill.",
		"team")
	copilotMetricsUsersWithout = NewDesc("copilot_metrics_users_without_credits",
		"Users whose usage-metrics records this month lack ai_credits_used: unknown, so they have no user series (nor their teams a team series).")
	copilotMetricsLastDay = NewDesc("copilot_metrics_last_day_timestamp_seconds",
		"Start (00:00 UTC) of the last day the usage-metrics month to date includes.")
)

// copilotMetricsCollector reads an account's one-day users and user-teams
// reports: at its first refresh of a month every complete day so far, then
// at each refresh the last copilotMetricsRereadDays complete days again
// (and any day not read yet), keeping the older days' results.
type copilotMetricsCollector struct {
	now func() time.Time

	mu     sync.Mutex
	months map[githubapi.Account]*copilotMetricsMonth
}

// copilotMetricsMonth is the days of one account's month read so far, by
// day of the month.
type copilotMetricsMonth struct {
	period githubapi.Period
	days   map[int]*copilotMetricsDay
	// settled holds the figures of the days no refresh asks for again,
	// summed, whose own maps are dropped: an account of 10,000 users keeps
	// eight days of records, not thirty.
	settled copilotMetricsDay
}

// copilotMetricsDay is one day's reports, summed over their files. A day
// without users data (204, 404, empty) has none.
type copilotMetricsDay struct {
	hasData bool
	// settled says the day's figures are in the month's settled sum.
	settled bool
	users   map[int64]*copilotMetricsFigure
	teams   map[int64]*copilotMetricsFigure
}

// copilotMetricsFigure is one user's or team's credits: name is the login
// or slug, unknown says that a record behind it lacked ai_credits_used.
type copilotMetricsFigure struct {
	name    string
	credits sum
	unknown bool
}

func newCopilotMetricsCollector(o Options) Collector {
	return &copilotMetricsCollector{now: o.clock(), months: map[githubapi.Account]*copilotMetricsMonth{}}
}

// month is the account's month, a new one when the month changed. The
// exporter runs one refresh of an account's collector at a time, so only
// the map needs the lock.
func (c *copilotMetricsCollector) month(a githubapi.Account, p githubapi.Period) *copilotMetricsMonth {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.months[a]
	if m == nil || m.period != p {
		m = &copilotMetricsMonth{period: p, days: map[int]*copilotMetricsDay{},
			settled: copilotMetricsDay{users: map[int64]*copilotMetricsFigure{}, teams: map[int64]*copilotMetricsFigure{}}}
		c.months[a] = m
	}
	return m
}

// Update reads the days it needs and sums the month. A day that fails
// fails the refresh: the cache goes on serving the last complete month to
// date, and the days read before the failure are kept, so the next refresh
// asks only for what is still missing and the last four days.
func (c *copilotMetricsCollector) Update(ctx context.Context, client *githubapi.Client, a githubapi.Account) ([]prometheus.Metric, error) {
	now := c.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	m := c.month(a, githubapi.Period{Year: now.Year(), Month: now.Month()})
	// The complete days of the month: the 1st to yesterday.
	last := now.Day() - 1
	for d := 1; d <= last; d++ {
		if read := m.days[d]; read != nil && d <= last-copilotMetricsRereadDays &&
			(read.hasData || d <= last-copilotMetricsLateDays) {
			continue
		}
		day := today.AddDate(0, 0, d-now.Day())
		data, err := readCopilotMetricsDay(ctx, client, a, day)
		if err != nil {
			return nil, fmt.Errorf("copilot usage metrics for %s, %s: %w", a, day.Format(time.DateOnly), err)
		}
		m.days[d] = data
	}
	m.settle(last - copilotMetricsLateDays)
	return m.metrics(a, today)
}

// settle moves the days up to through, which no refresh asks for again,
// into the settled sum.
func (m *copilotMetricsMonth) settle(through int) {
	for d := 1; d <= through; d++ {
		day := m.days[d]
		if day == nil || day.settled {
			continue
		}
		addFigures(m.settled.users, day.users)
		addFigures(m.settled.teams, day.teams)
		m.days[d] = &copilotMetricsDay{hasData: day.hasData, settled: true}
	}
}

// metrics sums the month's days: per user and per team, the credits of
// every day with data; a user or team with a record lacking
// ai_credits_used has no series and the user is counted as without.
func (m *copilotMetricsMonth) metrics(a githubapi.Account, today time.Time) ([]prometheus.Metric, error) {
	users := map[int64]*copilotMetricsFigure{}
	teams := map[int64]*copilotMetricsFigure{}
	addFigures(users, m.settled.users)
	addFigures(teams, m.settled.teams)
	lastDay := 0
	for d := 1; d < today.Day(); d++ {
		day := m.days[d]
		if day == nil || !day.hasData {
			continue
		}
		lastDay = d
		addFigures(users, day.users)
		addFigures(teams, day.teams)
	}
	set := newMetricSet(a)
	without := 0
	for _, u := range users {
		if u.unknown {
			without++
			continue
		}
		set.add(copilotMetricsUserCredits, u.credits.value(), u.name)
	}
	for id, label := range teamLabels(teams) {
		if t := teams[id]; !t.unknown {
			set.add(copilotMetricsTeamCredits, t.credits.value(), label)
		}
	}
	set.add(copilotMetricsUsersWithout, float64(without))
	if lastDay > 0 {
		set.maximum(copilotMetricsLastDay, float64(today.AddDate(0, 0, lastDay-today.Day()).Unix()))
	}
	metrics, err := set.finiteMetrics()
	if err != nil {
		return nil, fmt.Errorf("copilot usage metrics for %s: %w", a, err)
	}
	return metrics, nil
}

// addFigures adds one day's figures to the month's; the name is the
// latest day's (a login can change within a month).
func addFigures(month, day map[int64]*copilotMetricsFigure) {
	for id, f := range day {
		m := figureOf(month, id)
		m.name = f.name
		m.credits.add(f.credits.value())
		m.unknown = m.unknown || f.unknown
	}
}

// figureOf is the figure of id in figures, added when it has none.
func figureOf(figures map[int64]*copilotMetricsFigure, id int64) *copilotMetricsFigure {
	f := figures[id]
	if f == nil {
		f = &copilotMetricsFigure{}
		figures[id] = f
	}
	return f
}

// teamLabels are the team label of each team: its slug, or slug#ID when
// teams of the account share a slug (an enterprise's file lists the teams
// of every organization, and slugs are unique only within one).
func teamLabels(teams map[int64]*copilotMetricsFigure) map[int64]string {
	bySlug := map[string]int{}
	for _, t := range teams {
		bySlug[t.name]++
	}
	out := make(map[int64]string, len(teams))
	for id, t := range teams {
		out[id] = t.name
		if bySlug[t.name] > 1 {
			out[id] = t.name + "#" + strconv.FormatInt(id, 10)
		}
	}
	return out
}

// readCopilotMetricsDay asks for the day's users report and, when it has
// data, the user-teams report, with fresh links each, and sums their
// files. Each record must be of the day asked.
func readCopilotMetricsDay(ctx context.Context, client *githubapi.Client, a githubapi.Account, day time.Time) (*copilotMetricsDay, error) {
	date := day.Format(time.DateOnly)
	out := &copilotMetricsDay{users: map[int64]*copilotMetricsFigure{}, teams: map[int64]*copilotMetricsFigure{}}
	links, err := client.CopilotMetricsLinks(ctx, a, githubapi.CopilotUsersReport, day)
	if err != nil || links == nil {
		return out, err
	}
	out.hasData = true
	err = client.DownloadCopilotMetrics(ctx, githubapi.CopilotUsersReport, links, func(r githubapi.CopilotMetricsRecord) error {
		if r.Day != date {
			return fmt.Errorf("%w: a users record of day %q", githubapi.ErrNotAsked, r.Day)
		}
		u := figureOf(out.users, r.UserID)
		u.name = r.UserLogin
		if r.AICreditsUsed == nil {
			u.unknown = true
		} else {
			u.credits.add(*r.AICreditsUsed)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	links, err = client.CopilotMetricsLinks(ctx, a, githubapi.CopilotUserTeamsReport, day)
	if err != nil {
		return nil, err
	}
	if links == nil {
		return out, nil
	}
	type pair struct{ user, team int64 }
	seen := map[pair]bool{}
	err = client.DownloadCopilotMetrics(ctx, githubapi.CopilotUserTeamsReport, links, func(r githubapi.CopilotMetricsRecord) error {
		if r.Day != date {
			return fmt.Errorf("%w: a user-teams record of day %q", githubapi.ErrNotAsked, r.Day)
		}
		t := figureOf(out.teams, r.TeamID)
		t.name = r.Slug
		if seen[pair{r.UserID, r.TeamID}] {
			return nil
		}
		seen[pair{r.UserID, r.TeamID}] = true
		// A member without a users record used nothing that day.
		if u := out.users[r.UserID]; u != nil {
			t.credits.add(u.credits.value())
			t.unknown = t.unknown || u.unknown
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// copilotMetricsRequests are a refresh's requests once the month's earlier
// days are read: the links of the users report of each of the last four
// complete days and of the three before while they still have no data, and
// of the user-teams report of those with data (at most the last four). The
// first refresh of a month after a start asks for every complete day of the
// month so far, up to 30 of each; the files behind the links are on
// GitHub's file host, outside the API's rate limit.
func copilotMetricsRequests(Shape) []Call {
	late := copilotMetricsLateDays - copilotMetricsRereadDays
	return []Call{
		{Endpoint: "/copilot/metrics/reports/users-1-day", Count: copilotMetricsLateDays,
			Formula: fmt.Sprintf("%d: the last %d complete days + the %d before while without data (at start: each complete day of the month, up to 30)", copilotMetricsLateDays, copilotMetricsRereadDays, late)},
		{Endpoint: "/copilot/metrics/reports/user-teams-1-day", Count: copilotMetricsRereadDays,
			Formula: fmt.Sprintf("%d: the last %d complete days with users data (at start: each such day of the month)", copilotMetricsRereadDays, copilotMetricsRereadDays)},
	}
}
