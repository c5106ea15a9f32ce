package demo

import (
	"strings"
	"testing"
	"time"
)

// On 2026-12-05 the demo's complete days are the 1st to the 4th: each has
// the enterprise's two users files and one user-teams file; today has none.
// dev-07 is a member of both organizations, so both organizations' files
// list them; the enterprise's list them once.
func TestDemoCopilotMetricsDays(t *testing.T) {
	d := Dataset(time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC))
	e := d.Enterprises[Enterprise].Platform.CopilotMetricsSource
	for _, day := range []string{"2026-12-01", "2026-12-04"} {
		if len(e("users-1-day", day)) != 2 || len(e("user-teams-1-day", day)) != 1 {
			t.Errorf("%s: %d users files, %d teams files; want 2 and 1", day, len(e("users-1-day", day)), len(e("user-teams-1-day", day)))
		}
	}
	if e("users-1-day", "2026-12-05") != nil || e("users-1-day", "2026-11-30") != nil {
		t.Error("today or last month has a report")
	}
	files := e("users-1-day", "2026-12-02")
	all := string(files[0]) + string(files[1])
	// 114 seat holders, one line each.
	if n := strings.Count(all, "\n"); n != 114 {
		t.Errorf("%d enterprise lines, want 114", n)
	}
	if n := strings.Count(all, `"user_login":"dev-07"`); n != 1 {
		t.Errorf("dev-07 in %d enterprise lines, want 1", n)
	}
	for _, org := range []string{OrgWeb, OrgData} {
		body := string(d.Organizations[org].Platform.CopilotMetricsSource("users-1-day", "2026-12-02")[0])
		if !strings.Contains(body, `"user_login":"dev-07"`) {
			t.Errorf("%s's file lacks dev-07", org)
		}
	}
	if !strings.Contains(all, `"user_login":"dev-110","day":"2026-12-02","enterprise_id":"4821"}`) {
		t.Error("dev-110's line carries ai_credits_used")
	}
}
