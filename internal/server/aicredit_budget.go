package server

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
	"github.com/github-billing-exporter/github-billing-exporter/config"
	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
	"github.com/github-billing-exporter/github-billing-exporter/internal/cache"
)

// hourlyLimit is GitHub's primary rate limit per token and hour.
const hourlyLimit = 5000

// aiCreditRound is what one account's per-user AI-credit view costs.
type aiCreditRound struct {
	account  githubapi.Account
	seats    int
	interval time.Duration
	// refreshes is how many refreshes one round is spread over; each asks
	// for the unfiltered answer once.
	refreshes int
}

func (r aiCreditRound) pages() int { return int(math.Ceil(float64(r.seats) / 100)) }

// perRound is seats ÷ 100 (the seat list's pages, rounded up), one request
// per seat holder, and one unfiltered answer per refresh of the round.
func (r aiCreditRound) perRound() int { return r.pages() + r.seats + r.refreshes }

func (r aiCreditRound) perHour() float64 {
	return float64(r.perRound()) * float64(time.Hour) / float64(r.interval)
}

func (r aiCreditRound) String() string {
	return fmt.Sprintf("%s: (%d seats ÷ 100 = %d pages + %d seat holders + %d unfiltered) = %d requests a round every %s = %.1f an hour",
		r.account, r.seats, r.pages(), r.seats, r.refreshes, r.perRound(), r.interval, r.perHour())
}

// budgetCheckTimeout bounds the whole API-budget check of a load, all
// accounts together: a GitHub that does not answer delays a reload by this
// much at most, whatever the number of accounts.
const budgetCheckTimeout = 30 * time.Second

// budgetCheckConcurrency is how many seat counts the check asks at once.
const budgetCheckConcurrency = 8

// checkAICreditBudget counts the seats of every account the per-user
// AI-credit view reads (one request of one seat each: total_seats), logs the
// requests an hour the view implies, and refuses the configuration when the
// view alone would spend more than Config.AICreditsShare of a credential's
// hourly limit. The accounts are counted at once, under one deadline; one
// not counted in time is left out of the sum with a warning, as one whose
// count fails. When ctx ends (the process stops) the check fails.
func (s *Server) checkAICreditBudget(ctx context.Context, cfg *config.Resolved, targets []collector.Target, settings cache.Settings) error {
	view, _ := collector.Lookup(collector.AICreditsByUser)
	counts := s.countSeats(ctx, targets, view)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("API-budget check of the per-user AI-credit view given up: %w", err)
	}
	byCredential := map[string][]aiCreditRound{}
	for i, t := range targets {
		c := counts[i]
		if !c.asked {
			continue
		}
		if c.err != nil {
			s.conf.Logger.Warn("per-user AI credits: cannot count the seat holders to check the API budget; the view's own refresh will report what fails", "account", t.Account.String(), "err", c.err)
			continue
		}
		r := aiCreditRound{account: t.Account, seats: int(c.seats), interval: t.RefreshInterval(view, settings.RefreshInterval), refreshes: max(1, view.RoundSlices)}
		cred := cfg.Targets[i].Credential
		byCredential[cred] = append(byCredential[cred], r)
		s.conf.Logger.Info("per-user AI credits: API budget", "account", t.Account.String(), "seat_holders", r.seats,
			"requests_per_round", r.perRound(), "refresh_interval", r.interval, "requests_per_hour", fmt.Sprintf("%.1f", r.perHour()))
	}
	creds := make([]string, 0, len(byCredential))
	for c := range byCredential {
		creds = append(creds, c)
	}
	sort.Strings(creds)
	for _, cred := range creds {
		rounds := byCredential[cred]
		var total float64
		parts := make([]string, 0, len(rounds))
		for _, r := range rounds {
			total += r.perHour()
			parts = append(parts, r.String())
		}
		allowed := s.conf.AICreditsShare * hourlyLimit
		if total > allowed {
			return fmt.Errorf("the per-user AI-credit view (--collector.ai_credits.by-user) would spend %.1f requests an hour with credential %q, more than %.0f%% of GitHub's %d (%.0f): %s; give %s a longer refresh_interval in the collectors block, raise --collector.ai_credits.by-user.max-budget-share, or leave the view off",
				total, cred, s.conf.AICreditsShare*100, hourlyLimit, allowed, strings.Join(parts, "; "), collector.AICreditsByUser)
		}
		s.conf.Logger.Info("per-user AI credits: API budget of the credential", "credential", cred, "requests_per_hour", fmt.Sprintf("%.1f", total),
			"share_of_limit", fmt.Sprintf("%.1f%%", total/hourlyLimit*100))
	}
	return nil
}

// seatCount is one account's answer to the budget check.
type seatCount struct {
	asked bool // the view reads the account
	seats float64
	err   error
}

// countSeats asks the seat count of every account view reads,
// budgetCheckConcurrency at a time, all within one budgetCheckTimeout (or
// Config.BudgetCheckTimeout) of ctx; the counts are in targets' order.
func (s *Server) countSeats(ctx context.Context, targets []collector.Target, view collector.Factory) []seatCount {
	ctx, cancel := context.WithTimeout(ctx, cmp.Or(s.conf.BudgetCheckTimeout, budgetCheckTimeout))
	defer cancel()
	counts := make([]seatCount, len(targets))
	slots := make(chan struct{}, budgetCheckConcurrency)
	var wg sync.WaitGroup
	for i, t := range targets {
		if !view.AppliesTo(t.Account.Scope) {
			continue
		}
		counts[i].asked = true
		wg.Go(func() {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				counts[i].err = fmt.Errorf("not asked within the check's deadline: %w", ctx.Err())
				return
			}
			counts[i].seats, counts[i].err = t.Client.CopilotSeatTotal(ctx, t.Account)
		})
	}
	wg.Wait()
	return counts
}
