package server

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
)

// hourlyLimit is GitHub's primary rate limit per token and hour.
const hourlyLimit = 5000

// round is what one account's round of a collector costs, as the
// collector's budget check counts it.
type round struct {
	account  string
	cost     collector.RoundCost
	interval time.Duration
}

func (r round) perHour() float64 {
	return float64(r.cost.Requests) * float64(time.Hour) / float64(r.interval)
}

func (r round) String() string {
	return fmt.Sprintf("%s: (%s) = %d requests a round every %s = %.1f an hour",
		r.account, r.cost.Arithmetic, r.cost.Requests, r.interval, r.perHour())
}

// budgetCheckTimeout bounds one collector's API-budget check of a load, all
// accounts together: a GitHub that does not answer delays a reload by this
// much at most, whatever the number of accounts.
const budgetCheckTimeout = 30 * time.Second

// budgetCheckConcurrency is how many accounts a check measures at once.
const budgetCheckConcurrency = 8

// checkBudgets runs the declared API-budget check (collector.BudgetCheck) of
// every collector that has one and Config.BudgetShares names.
func (s *Server) checkBudgets(ctx context.Context, cfg *config.Resolved, targets []collector.Target, settings cache.Settings) error {
	for _, f := range collector.Collectors() {
		share, on := s.conf.BudgetShares[f.Name]
		if !on || f.BudgetCheck == nil {
			continue
		}
		if err := s.checkBudget(ctx, f, share, cfg, targets, settings); err != nil {
			return err
		}
	}
	return nil
}

// checkBudget measures every account collector f reads (Measure, one
// request each), logs the requests an hour its rounds imply, and refuses the
// configuration when f alone would spend more than share of a credential's
// hourly limit. The accounts are measured at once, under one deadline; one
// not measured in time is left out of the sum with a warning, as one whose
// measurement fails. When ctx ends (the process stops) the check fails.
func (s *Server) checkBudget(ctx context.Context, f collector.Factory, share float64, cfg *config.Resolved, targets []collector.Target, settings cache.Settings) error {
	check := f.BudgetCheck
	shapes := s.measure(ctx, targets, f)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("API-budget check of %s given up: %w", check.Noun, err)
	}
	byCredential := map[string][]round{}
	for i, t := range targets {
		m := shapes[i]
		if !m.asked {
			continue
		}
		if m.err != nil {
			s.conf.Logger.Warn(check.Subject+": "+check.Unmeasured, "account", t.Account.String(), "err", m.err)
			continue
		}
		r := round{account: t.Account.String(), cost: check.Cost(m.shape), interval: t.RefreshInterval(f, settings.RefreshInterval)}
		cred := cfg.Targets[i].Credential
		byCredential[cred] = append(byCredential[cred], r)
		attrs := append([]any{"account", r.account}, r.cost.Measured...)
		attrs = append(attrs, "requests_per_round", r.cost.Requests, "refresh_interval", r.interval, "requests_per_hour", fmt.Sprintf("%.1f", r.perHour()))
		s.conf.Logger.Info(check.Subject+": API budget", attrs...)
	}
	for _, cred := range slices.Sorted(maps.Keys(byCredential)) {
		rounds := byCredential[cred]
		var total float64
		parts := make([]string, 0, len(rounds))
		for _, r := range rounds {
			total += r.perHour()
			parts = append(parts, r.String())
		}
		allowed := share * hourlyLimit
		if total > allowed {
			return fmt.Errorf("%s (--%s) would spend %.1f requests an hour with credential %q, more than %.0f%% of GitHub's %d (%.0f): %s; give %s a longer refresh_interval in the collectors block, %s",
				check.Noun, f.FlagName(), total, cred, share*100, hourlyLimit, allowed, strings.Join(parts, "; "), f.Name, check.Remedy)
		}
		s.conf.Logger.Info(check.Subject+": API budget of the credential", "credential", cred, "requests_per_hour", fmt.Sprintf("%.1f", total),
			"share_of_limit", fmt.Sprintf("%.1f%%", total/hourlyLimit*100))
	}
	return nil
}

// measured is one account's answer to a budget check.
type measured struct {
	asked bool // the collector reads the account
	shape collector.Shape
	err   error
}

// measure asks Measure of every account f reads, budgetCheckConcurrency at
// a time, all within one budgetCheckTimeout (or Config.BudgetCheckTimeout)
// of ctx; the answers are in targets' order.
func (s *Server) measure(ctx context.Context, targets []collector.Target, f collector.Factory) []measured {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(s.conf.BudgetCheckTimeout, budgetCheckTimeout))
	defer cancel()
	out := make([]measured, len(targets))
	slots := make(chan struct{}, budgetCheckConcurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		// A collector with a budget check is off by default, so only the
		// account's collectors block, never a server's default, turns it
		// off for the account.
		if !f.AppliesTo(t.Account.Scope) || !t.Runs(f, true) {
			continue
		}
		out[i].asked = true
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				out[i].err = fmt.Errorf("not asked within the check's deadline: %w", ctx.Err())
				return
			}
			out[i].shape, out[i].err = f.BudgetCheck.Measure(ctx, t.Client, t.Account)
		})
	}
	wg.Wait()
	return out
}
