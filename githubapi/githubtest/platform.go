package githubtest

import "time"

// PlatformData is an account's data on GitHub's billing platform (usage,
// summaries, budgets, cost centers, Copilot).
type PlatformData struct{}

func (s *Server) platformRoutes() {}

// addDemoPlatform adds the demo's billing-platform data.
func addDemoPlatform(d *Dataset, now time.Time) {}
