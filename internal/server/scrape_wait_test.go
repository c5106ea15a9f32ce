package server

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/testutil"
)

// A scrape that asks to wait a day (X-Prometheus-Scrape-Timeout-Seconds:
// 86400) waits no longer than --scrape.max-timeout, here 250 ms, while its
// refresh never ends: it would otherwise hold a --web.max-requests slot all
// day. The answer is the cache as it is (cold: success 0).
func TestScrapeWaitIsCappedByMaxTimeout(t *testing.T) {
	t.Parallel() // mostly waiting: it overlaps the other waiting tests
	env := newTestEnv(t, "organizations: [{name: acme-web}]\n", testEnvOptions{collectors: []string{"packages"}, maxScrapeTimeout: 250 * time.Millisecond})
	env.fake.Override("/orgs/acme-web/settings/billing/packages", func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // GitHub never answers
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.http.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Prometheus-Scrape-Timeout-Seconds", "86400")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer in 30 s to a scrape capped at 250 ms: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body := string(raw)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	if !testutil.HasLine(body, `github_billing_scrape_collector_success{account="acme-web",collector="packages",scope="organization"} 0`) {
		t.Error("the capped scrape does not answer success 0 for the refresh still running")
	}
}
