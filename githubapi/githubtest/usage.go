package githubtest

import "time"

// UsageData holds an account's usage reports (issue: billing platform).
type UsageData struct{}

func (s *Server) usageRoutes() {}

func addDemoUsage(d *Dataset, now time.Time) {}
