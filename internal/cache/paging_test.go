package cache

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
)

// A Link back at the page just read fails the Advanced Security collector of
// that one account after one request, instead of 1,000 requests a refresh;
// the other accounts' collectors keep their data.
func TestExporterPagingLoopFailsOneAccount(t *testing.T) {
	f := newExporterTestFixture(t, exporterTestDataset(), []string{"advanced_security"}, collector.Options{})
	const path = "/orgs/acme-web/settings/billing/advanced-security"
	f.fake.Override(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?page=1&per_page=100>; rel="next"`, r.Host, r.URL.Path))
		fmt.Fprint(w, `{"total_count": 2, "repositories": [{"name": "acme-web/r", "advanced_security_committers": 3}]}`)
	})
	s := f.scrape(t, context.Background())

	if n := f.fake.Requests(path); n != 1 {
		t.Errorf("%d requests for acme-web, want 1", n)
	}
	expectValue(t, s, exporterMetricKey("scrape_collector_success", "advanced_security", "organization", "acme-web"), 0)
	expectAbsent(t, s, dataKey("advanced_security_committers", "organization", "acme-web", "product", ""))
	// The dataset's other accounts: 2 committers each.
	for _, a := range []struct{ scope, name string }{{"enterprise", "acme"}, {"organization", "acme-data"}} {
		expectValue(t, s, exporterMetricKey("scrape_collector_success", "advanced_security", a.scope, a.name), 1)
		expectValue(t, s, dataKey("advanced_security_committers", a.scope, a.name, "product", ""), 2)
	}
	lines := f.log.lines("level=ERROR", "account=acme-web", "collector=advanced_security")
	if len(lines) != 1 || !strings.Contains(lines[0], "/orgs/{org}/settings/billing/advanced-security: paging stopped after page 1: its next page is page 1 again") {
		t.Errorf("error lines for acme-web: %q", lines)
	}
}
