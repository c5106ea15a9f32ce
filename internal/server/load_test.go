package server

import (
	"fmt"
	"io"
	"maps"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

const (
	loadScrapes = 100
	loadRounds  = 5
)

// loadRound sends n scrapes at once through client and returns the
// non-volatile lines of each.
func loadRound(t *testing.T, client *http.Client, url string, n int) []string {
	t.Helper()
	out := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resp, err := client.Get(url)
			if err != nil {
				errs[i] = err
				return
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				errs[i] = fmt.Errorf("%d %w", resp.StatusCode, err)
				return
			}
			var kept strings.Builder
			kept.Grow(len(body))
			for line := range strings.SplitSeq(string(body), "\n") {
				if !strings.HasPrefix(line, "#") && !faultVolatile(line) {
					kept.WriteString(line)
					kept.WriteByte('\n')
				}
			}
			out[i] = kept.String()
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("scrape %d: %v", i, err)
		}
	}
	return out
}

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestLoadConcurrentScrapes: 100 scrapes at once, five rounds, on a cold
// cache, a warm one and one past refresh_interval. Every round of a due
// cache costs GitHub exactly what one lone scrape costs; warm rounds cost
// nothing; every scrape sees the same series; goroutines and heap stay flat;
// and once everything is shut down no goroutine is left (goleak).
func TestLoadConcurrentScrapes(t *testing.T) {
	// Registered first, so it runs after every other cleanup: the fake
	// GitHub, the exporter and its HTTP server are closed by then. Goroutines
	// of earlier tests are not this test's.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		if err := goleak.Find(ignore); err != nil {
			t.Errorf("goroutines left after shutdown: %v", err)
		}
	})

	// What one scrape of a cold cache costs.
	ref := newFaultEnv(t, faultOptions{})
	ref.scrape(t, 0)
	want := ref.fake.RequestCounts()
	total := 0
	for _, n := range want {
		total += n
	}
	if total < 40 {
		t.Fatalf("one scrape made %d requests, want the demo's every endpoint", total)
	}

	env := newFaultEnv(t, faultOptions{})
	transport := &http.Transport{MaxIdleConnsPerHost: loadScrapes, MaxConnsPerHost: loadScrapes}
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	t.Cleanup(transport.CloseIdleConnections)
	url := env.http.URL + "/metrics"

	checkRound := func(name string, scrapes []string, wantCounts map[string]int) {
		t.Helper()
		for i, s := range scrapes {
			if s != scrapes[0] {
				t.Errorf("%s: scrape %d saw other series than scrape 0:\n%s\n---\n%s", name, i, s, scrapes[0])
				break
			}
		}
		if got := env.fake.RequestCounts(); !maps.Equal(got, wantCounts) {
			var diff []string
			for p := range maps.Keys(got) {
				if got[p] != wantCounts[p] {
					diff = append(diff, fmt.Sprintf("%s: %d, want %d", p, got[p], wantCounts[p]))
				}
			}
			for p := range maps.Keys(wantCounts) {
				if _, ok := got[p]; !ok {
					diff = append(diff, fmt.Sprintf("%s: 0, want %d", p, wantCounts[p]))
				}
			}
			sort.Strings(diff)
			t.Errorf("%s: requests to GitHub differ from one lone scrape's:\n%v", name, diff)
		}
		env.fake.ResetRequests()
	}

	// Cold: 100 scrapes share one refresh per endpoint and account.
	first := loadRound(t, client, url, loadScrapes)
	checkRound("cold round", first, want)

	// Warm: nothing reaches GitHub; the series do not change.
	var heap []uint64
	var goroutines []int
	for round := 2; round <= loadRounds; round++ {
		scrapes := loadRound(t, client, url, loadScrapes)
		checkRound(fmt.Sprintf("warm round %d", round), scrapes, map[string]int{})
		if scrapes[0] != first[0] {
			t.Errorf("warm round %d serves other series than the cold round", round)
		}
		transport.CloseIdleConnections()
		heap = append(heap, heapInUse())
		goroutines = append(goroutines, runtime.NumGoroutine())
	}

	// Due again: one refresh, shared by 100 scrapes.
	env.clock.Set(env.clock.Now().Add(faultRefreshInterval + time.Minute))
	due := maps.Clone(want)
	for _, p := range []string{"actions", "packages", "shared-storage"} {
		delete(due, "/users/octocat/settings/billing/"+p) // retired (410): left alone for a day
	}
	checkRound("round past refresh_interval", loadRound(t, client, url, loadScrapes), due)
	transport.CloseIdleConnections()

	t.Logf("heap in use after warm rounds: %v; goroutines: %v", heap, goroutines)
	if last, base := heap[len(heap)-1], heap[0]; last > base+max(base/5, 4<<20) {
		t.Errorf("heap grew from %d to %d bytes over %d warm rounds of %d scrapes", base, last, len(heap), loadScrapes)
	}
	if last, base := goroutines[len(goroutines)-1], goroutines[0]; last > base+4 {
		t.Errorf("goroutines grew from %d to %d over %d warm rounds of %d scrapes", base, last, len(goroutines), loadScrapes)
	}
}
