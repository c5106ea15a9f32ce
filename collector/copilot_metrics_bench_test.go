package collector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// benchMetricsServer serves an organization of 10,000 users for the 1st to
// the 30th: two users files a day, each user with its breakdowns left out,
// and 100 teams of 100.
func benchMetricsServer(b *testing.B) (*fakegithub.Server, githubapi.Account) {
	users := map[string][][]byte{}
	teams := map[string][][]byte{}
	for day := 1; day <= 30; day++ {
		date := fmt.Sprintf("2026-11-%02d", day)
		files := make([][]byte, 2)
		var t []byte
		for i := range 10000 {
			f := &files[i%2]
			*f = fmt.Appendf(*f, `{"user_id":%d,"user_login":"user-%05d","day":%q,"organization_id":"77","ai_credits_used":%d.25,"user_initiated_interaction_count":12,"code_generation_activity_count":30,"used_agent":true}`+"\n", i, i, date, i%50)
			t = fmt.Appendf(t, `{"user_id":%d,"user_login":"user-%05d","day":%q,"organization_id":"77","team_id":%d,"slug":"team-%03d"}`+"\n", i, i, date, i/100, i/100)
		}
		users[date], teams[date] = files, [][]byte{t}
	}
	d := fakegithub.NewDataset()
	d.Organizations["big"] = &fakegithub.AccountData{Platform: &fakegithub.PlatformData{}}
	d.Organizations["big"].Platform.CopilotMetricsReports = map[string]map[string][][]byte{"users-1-day": users, "user-teams-1-day": teams}
	return fakegithubtest.Start(b, d), githubapi.Account{Scope: githubapi.ScopeOrganization, Name: "big"}
}

// The first refresh of December 1st's eve: 30 days of 10,000 users and
// their teams, read, summed and made into 10,101 series.
func BenchmarkCopilotMetricsFirstRefresh10kUsers(b *testing.B) {
	srv, a := benchMetricsServer(b)
	client := fakegithubtest.Client(b, srv, githubapi.Options{})
	now := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC) // complete days: the 1st to the 29th
	for b.Loop() {
		c := copilotMetricsFactory().New(Options{}, func() time.Time { return now })
		if _, err := c.Update(context.Background(), client, a); err != nil {
			b.Fatal(err)
		}
	}
}

// The floor: the same links asked and the same files downloaded, not read
// as records.
func BenchmarkCopilotMetricsDownloadFloor10kUsers(b *testing.B) {
	srv, a := benchMetricsServer(b)
	client := fakegithubtest.Client(b, srv, githubapi.Options{})
	for b.Loop() {
		for day := 1; day <= 29; day++ {
			for _, r := range []githubapi.CopilotMetricsReport{githubapi.CopilotUsersReport, githubapi.CopilotUserTeamsReport} {
				links, err := client.CopilotMetricsLinks(context.Background(), a, r, time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC))
				if err != nil {
					b.Fatal(err)
				}
				for _, l := range links.DownloadLinks {
					resp, err := http.Get(l) //nolint:noctx // a benchmark's floor
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, resp.Body) //nolint:errcheck // the floor
					resp.Body.Close()
				}
			}
		}
	}
}
