package fakegithub

import (
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

// summaryRoutes serves the usage summary and the per-model reports
// (premium requests, AI credits) of the current month; history.go answers
// their days and past months.
func (s *Server) summaryRoutes() {
	for _, p := range platformPrefixes {
		scope := p.scope
		s.mux.HandleFunc("GET "+p.prefix+"/settings/billing/usage/summary", func(w http.ResponseWriter, r *http.Request) {
			pd := s.platform(w, r, scope)
			if pd == nil {
				return
			}
			if pd.UsageSummary == nil {
				WriteError(w, http.StatusNotFound, "Not Found")
				return
			}
			period, match := objPeriod(r, pd.UsageSummary.TimePeriod)
			items := []githubapi.UsageSummaryItem{}
			if match {
				items = append(items, pd.UsageSummary.UsageItems...)
			}
			WriteJSON(w, map[string]any{"timePeriod": period, string(scope): r.PathValue("name"), "usageItems": items})
		})
		for suffix, report := range map[string]func(*PlatformData) *githubapi.ModelUsageReport{
			"/settings/billing/premium_request/usage": func(pd *PlatformData) *githubapi.ModelUsageReport { return pd.PremiumRequestUsage },
			"/settings/billing/ai_credit/usage":       func(pd *PlatformData) *githubapi.ModelUsageReport { return pd.AICreditUsage },
		} {
			s.mux.HandleFunc("GET "+p.prefix+suffix, func(w http.ResponseWriter, r *http.Request) {
				pd := s.platform(w, r, scope)
				if pd == nil {
					return
				}
				rep := report(pd)
				if rep == nil {
					WriteError(w, http.StatusNotFound, "Not Found")
					return
				}
				period, match := objPeriod(r, rep.TimePeriod)
				rows, echo, ok := filteredModelRows(w, r, scope, pd, suffix, rep.UsageItems)
				if !ok {
					return
				}
				items := []githubapi.ModelUsageItem{}
				if match {
					items = append(items, rows...)
				}
				body := map[string]any{"timePeriod": period, string(scope): r.PathValue("name"), "usageItems": items}
				maps.Copy(body, echo)
				WriteJSON(w, body)
			})
		}
	}
}

// filteredModelRows applies the user and cost_center_id filters of an
// ai_credit/usage request to all, the account's unfiltered rows, and returns
// the filters GitHub echoes. ok is false when it has answered an error.
func filteredModelRows(w http.ResponseWriter, r *http.Request, scope githubapi.Scope, pd *PlatformData, suffix string, all []githubapi.ModelUsageItem) (rows []githubapi.ModelUsageItem, echo map[string]any, ok bool) {
	q := r.URL.Query()
	user, cc := q.Get("user"), q.Get("cost_center_id")
	if suffix != "/settings/billing/ai_credit/usage" || (user == "" && cc == "") {
		return all, nil, true
	}
	echo = map[string]any{}
	rows = all
	if user != "" {
		if scope == githubapi.ScopeUser {
			WriteError(w, http.StatusBadRequest, "The user parameter is not supported for user accounts")
			return nil, nil, false
		}
		if pd.AICreditUserFilterForbidden {
			WriteError(w, http.StatusForbidden, "Admins of organizations that belong to an enterprise cannot filter usage by user")
			return nil, nil, false
		}
		rows = pd.AICreditUsageByUser[strings.ToLower(user)]
		echo["user"] = user
	}
	if cc != "" {
		if scope != githubapi.ScopeEnterprise {
			WriteError(w, http.StatusBadRequest, "The cost_center_id parameter is only supported for enterprises")
			return nil, nil, false
		}
		if user != "" {
			WriteError(w, http.StatusBadRequest, "The fake answers one filter at a time")
			return nil, nil, false
		}
		rows = pd.AICreditUsageByCostCenter[cc]
		if cc != "none" {
			for _, c := range pd.CostCenters {
				if c.ID == cc {
					echo["costCenter"] = githubapi.SummaryCostCenter{ID: c.ID, Name: c.Name}
				}
			}
		}
	}
	return rows, echo, true
}

// objPeriod is the window a request asks for (GitHub's default: the data's
// own month) and whether the data covers it.
func objPeriod(r *http.Request, data githubapi.SummaryTimePeriod) (githubapi.SummaryTimePeriod, bool) {
	asked := data
	q := r.URL.Query()
	if y, err := strconv.Atoi(q.Get("year")); err == nil {
		asked.Year = y
	}
	if m, err := strconv.Atoi(q.Get("month")); err == nil {
		asked.Month = m
	}
	match := asked.Year == data.Year && (data.Month == 0 || asked.Month == data.Month)
	return asked, match
}
