package fakegithub_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/github-billing-exporter/github-billing-exporter/internal/demo"
	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// A request sent after the answer that said 0 remain is refused, as GitHub
// refuses it, instead of succeeding with a new hour's 4,999: a client with
// two requests in flight must see its limit, whichever answer it reads
// first. The request after the refusal starts the new hour.
func TestRateLimitExhaustedRefusesTheNextRequest(t *testing.T) {
	srv := fakegithubtest.Start(t, demo.Dataset(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)))
	srv.SetRateLimitRemaining(2)
	type answer struct {
		code      int
		remaining string
	}
	want := []answer{{200, "1"}, {200, "0"}, {403, "0"}, {200, "4999"}}
	for i, w := range want {
		resp, err := http.Get(srv.URL + "/enterprises/" + demo.Enterprise + "/settings/billing/cost-centers")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := answer{resp.StatusCode, resp.Header.Get("X-Ratelimit-Remaining")}
		if got != w {
			t.Errorf("request %d: %d with %s remaining, want %d with %s", i+1, got.code, got.remaining, w.code, w.remaining)
		}
	}
}
