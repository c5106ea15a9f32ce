package demo

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
)

// The demo's Copilot usage-metrics reports (users-1-day and
// user-teams-1-day). Each complete day of the month has them: the demo
// publishes a day once it has ended, where GitHub takes three to four days,
// so that the demo's panels have data from the 2nd of a month on. A user's
// ai_credits_used of a day is their share (demoAIUserWeight) of their
// billed organization's AI credits of that day, in thousandths, as the
// per-user billing view splits the month; users of weight 0 used only
// completions, with ai_credits_used 0. The enterprise's files list every user once
// and are split in two files; an organization's list its members, so
// dev-07, a member of both, is in both with the same figure (the reports of
// an enterprise and its organizations are never to be added).

// demoMetricsNoCredits is the user whose lines lack ai_credits_used, as
// some of GitHub's do: the view counts them as without credits.
const demoMetricsNoCredits = "dev-110"

// demoTeam is a team of the user-teams reports: GitHub lists teams of at
// least five seated users only.
type demoTeam struct {
	id    int64
	slug  string
	org   string
	first int // the team's members are dev-FIRST … dev-(FIRST+n-1)
	n     int
	extra []string
}

var demoTeams = []demoTeam{
	{9101, "checkout", OrgWeb, 0, 32, nil},
	{9102, "frontend", OrgWeb, 32, 32, nil},
	{9201, "data-science", OrgData, 64, 44, []string{"dev-07"}},
	{9301, "ml-research", OrgLabs, 108, 6, nil},
}

// demoUserID is the user id of a dev-NN login.
func demoUserID(login string) int64 {
	n, _ := strconv.Atoi(strings.TrimPrefix(login, "dev-"))
	return int64(100000 + n)
}

// demoEntityIDs are the ids the records carry.
var demoEntityIDs = map[string]string{Enterprise: "4821", OrgWeb: "7001", OrgData: "7002"}

// addDemoCopilotMetrics gives the enterprise and the two configured
// organizations their usage-metrics reports; the seat lists
// (addDemoObjects) say who holds a seat where. The files are made when a
// link is asked for, one day at a time.
func addDemoCopilotMetrics(d *fakegithub.Dataset, rows *demoRows) {
	e := d.Enterprises[Enterprise].Platform
	m := &demoMetrics{rows: rows, members: map[string][]string{}}
	for _, seat := range e.CopilotSeats {
		m.members[seat.Organization.Login] = append(m.members[seat.Organization.Login], seat.Assignee.Login)
	}
	for _, a := range []demoMetricsAccount{
		{Enterprise, githubapi.ScopeEnterprise, "enterprise_id", demoEnterpriseUsers(m.members), demoTeams, 2},
		{OrgWeb, githubapi.ScopeOrganization, "organization_id", m.members[OrgWeb], demoTeamsOf(OrgWeb), 1},
		{OrgData, githubapi.ScopeOrganization, "organization_id", m.members[OrgData], demoTeamsOf(OrgData), 1},
	} {
		d.Account(a.scope, a.name).Platform.CopilotMetricsSource = func(report, day string) [][]byte {
			return m.files(a, report, day)
		}
	}
}

// demoMetrics makes the demo's usage-metrics files from the month's rows.
type demoMetrics struct {
	rows    *demoRows
	members map[string][]string // seat holders per organization
	once    sync.Once
	credits map[string]map[string]int64 // day, login: thousandths
}

// demoMetricsAccount is an account with reports, and what its files list.
type demoMetricsAccount struct {
	name   string
	scope  githubapi.Scope
	idKey  string
	logins []string
	teams  []demoTeam
	files  int
}

// split is each complete day's credits per user: their share of their
// billed organization's AI credits of the day, what the division leaves to
// the organization's heaviest user.
func (m *demoMetrics) split() {
	// Each user is billed by one organization: dev-07 by acme-data.
	billed := map[string][]string{}
	for org, logins := range m.members {
		for _, l := range logins {
			if org == OrgWeb && l == "dev-07" {
				continue
			}
			billed[org] = append(billed[org], l)
		}
	}
	today := m.rows.clock.monthStart.AddDate(0, 0, m.rows.clock.today-1).Format(time.DateOnly)
	m.credits = map[string]map[string]int64{}
	for _, o := range demoOrgs {
		perDay := map[string]int64{}
		for _, r := range m.rows.orgs[o.name] {
			if r.line == demoAICredit && r.date[:10] < today {
				perDay[r.date[:10]] += r.q
			}
		}
		users := billed[o.name]
		var sum, best int64
		heaviest := ""
		for _, u := range users {
			w := demoAIUserWeight(u)
			sum += w
			if w > best {
				best, heaviest = w, u
			}
		}
		if sum == 0 {
			continue
		}
		for day, q := range perDay {
			if m.credits[day] == nil {
				m.credits[day] = map[string]int64{}
			}
			var given int64
			for _, u := range users {
				share := q * demoAIUserWeight(u) / sum
				m.credits[day][u] = share
				given += share
			}
			m.credits[day][heaviest] += q - given
		}
	}
}

// files are the account's files of a report's day, none for a day that is
// not complete.
func (m *demoMetrics) files(a demoMetricsAccount, report, day string) [][]byte {
	m.once.Do(m.split)
	credits, ok := m.credits[day]
	if !ok {
		return nil
	}
	id := demoEntityIDs[a.name]
	switch report {
	case string(githubapi.CopilotUsersReport):
		files := make([][]byte, a.files)
		for i, login := range a.logins {
			f := i * a.files / len(a.logins)
			files[f] = fmt.Appendf(files[f], `{"user_id":%d,"user_login":%q,"day":%q,%q:%q`, demoUserID(login), login, day, a.idKey, id)
			if login != demoMetricsNoCredits {
				files[f] = fmt.Appendf(files[f], `,"ai_credits_used":%s`, strconv.FormatFloat(float64(credits[login])/1e3, 'f', -1, 64))
			}
			files[f] = append(files[f], "}\n"...)
		}
		return files
	case string(githubapi.CopilotUserTeamsReport):
		var teams []byte
		for _, t := range a.teams {
			for _, login := range t.members() {
				teams = fmt.Appendf(teams, `{"user_id":%d,"user_login":%q,"day":%q,%q:%q,"team_id":%d,"slug":%q}`+"\n",
					demoUserID(login), login, day, a.idKey, id, t.id, t.slug)
			}
		}
		return [][]byte{teams}
	}
	return nil
}

// demoEnterpriseUsers is every seat holder once.
func demoEnterpriseUsers(members map[string][]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, o := range demoOrgs {
		for _, l := range members[o.name] {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
	}
	return out
}

func demoTeamsOf(org string) []demoTeam {
	var out []demoTeam
	for _, t := range demoTeams {
		if t.org == org {
			out = append(out, t)
		}
	}
	return out
}

func (t demoTeam) members() []string {
	out := make([]string, 0, t.n+len(t.extra))
	for i := t.first; i < t.first+t.n; i++ {
		out = append(out, fmt.Sprintf("dev-%02d", i))
	}
	return append(out, t.extra...)
}
