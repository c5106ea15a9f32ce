package githubtest

import "time"

// BillingObjects holds an account's budgets, report exports and Copilot
// billing (issue: billing platform).
type BillingObjects struct{}

func (s *Server) objectRoutes() {}

func addDemoObjects(d *Dataset, now time.Time) {}
