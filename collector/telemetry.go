package collector

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/github-billing-exporter/github-billing-exporter/githubapi"
)

var (
	rateLimitRemaining = prometheus.NewDesc(Namespace+"_api_rate_limit_remaining",
		"Requests left in the rate-limit window (x-ratelimit-remaining).", []string{"credential", "resource"}, nil)
	rateLimitLimit = prometheus.NewDesc(Namespace+"_api_rate_limit_limit",
		"Requests allowed in the rate-limit window (x-ratelimit-limit).", []string{"credential", "resource"}, nil)
	rateLimitReset = prometheus.NewDesc(Namespace+"_api_rate_limit_reset_timestamp_seconds",
		"When the rate-limit window resets (x-ratelimit-reset).", []string{"credential", "resource"}, nil)
)

// Telemetry counts the exporter's requests to GitHub and remembers the last
// rate-limit reading of each credential. It implements githubapi.Observer
// and prometheus.Collector.
type Telemetry struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	mu         sync.Mutex
	rateLimits map[[2]string]githubapi.RateLimit
}

// NewTelemetry returns an empty Telemetry.
func NewTelemetry() *Telemetry {
	return &Telemetry{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "api_requests_total",
			Help: "Requests to the GitHub API by endpoint (path template) and status code (\"error\" when no answer came).",
		}, []string{"endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "api_request_duration_seconds",
			Help:    "Time to the response headers of requests to the GitHub API.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"endpoint"}),
		rateLimits: map[[2]string]githubapi.RateLimit{},
	}
}

// ObserveRequest implements githubapi.Observer.
func (t *Telemetry) ObserveRequest(endpoint string, code int, d time.Duration) {
	label := "error"
	if code > 0 {
		label = strconv.Itoa(code)
	}
	t.requests.WithLabelValues(endpoint, label).Inc()
	t.duration.WithLabelValues(endpoint).Observe(d.Seconds())
}

// MaxRateLimitResources bounds the resources kept per credential: GitHub
// names about a dozen, and billing endpoints count against core. A server
// that sends a new name with every answer must not grow the resource label
// without end; names beyond the bound are not kept.
const MaxRateLimitResources = 16

// ObserveRateLimit implements githubapi.Observer.
func (t *Telemetry) ObserveRateLimit(credential string, rl githubapi.RateLimit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := [2]string{credential, rl.Resource}
	if _, ok := t.rateLimits[k]; !ok {
		n := 0
		for other := range t.rateLimits {
			if other[0] == credential {
				n++
			}
		}
		if n >= MaxRateLimitResources {
			return
		}
	}
	t.rateLimits[k] = rl
}

// RetainCredentials forgets the rate limits of credentials no longer
// configured.
func (t *Telemetry) RetainCredentials(names map[string]bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.rateLimits {
		if !names[k[0]] {
			delete(t.rateLimits, k)
		}
	}
}

// Describe implements prometheus.Collector.
func (t *Telemetry) Describe(ch chan<- *prometheus.Desc) {
	t.requests.Describe(ch)
	t.duration.Describe(ch)
	ch <- rateLimitRemaining
	ch <- rateLimitLimit
	ch <- rateLimitReset
}

// Collect implements prometheus.Collector.
func (t *Telemetry) Collect(ch chan<- prometheus.Metric) {
	t.requests.Collect(ch)
	t.duration.Collect(ch)
	t.mu.Lock()
	defer t.mu.Unlock()
	// The label values came from GitHub's headers: a value client_golang
	// refuses drops that one series, never the whole collection (a Must…
	// call would panic and every rate-limit series would vanish).
	send := func(desc *prometheus.Desc, v float64, labels ...string) {
		if m, err := prometheus.NewConstMetric(desc, prometheus.GaugeValue, v, labels...); err == nil {
			ch <- m
		}
	}
	for k, rl := range t.rateLimits {
		send(rateLimitRemaining, rl.Remaining, k[0], k[1])
		send(rateLimitLimit, rl.Limit, k[0], k[1])
		if !rl.Reset.IsZero() {
			send(rateLimitReset, float64(rl.Reset.Unix()), k[0], k[1])
		}
	}
}
