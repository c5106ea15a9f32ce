package collector

import (
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// Status is what the exporter knows about one collector of one account,
// for the landing page. Reading it never calls GitHub.
type Status struct {
	Account   githubapi.Account
	Collector string
	// Refreshed is false until the first refresh has ended.
	Refreshed bool
	// OK is whether the last refresh worked.
	OK bool
	// Retired is set while GitHub answers 410 Gone for the endpoint.
	Retired bool
	// Fetched is when the data served was fetched (zero: none yet);
	// Attempted when the last refresh ended.
	Fetched, Attempted time.Time
}

// Status lists every enabled collector of every configured account, in
// the order of the targets and collectors.
func (e *Exporter) Status() []Status {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Status
	for _, t := range e.targets {
		for _, c := range e.collectors {
			if !c.AppliesTo(t.Account.Scope) {
				continue
			}
			s := Status{Account: t.Account, Collector: c.Name}
			if ent := e.cache[cacheKey{t.Account, c.Name}]; ent != nil {
				ent.mu.Lock()
				s.Refreshed = !ent.attempted.IsZero()
				s.OK, s.Retired = ent.ok, !ent.retiredAt.IsZero()
				s.Fetched, s.Attempted = ent.fetched, ent.attempted
				ent.mu.Unlock()
			}
			out = append(out, s)
		}
	}
	return out
}
