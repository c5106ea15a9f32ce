package backfill

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/github-billing-exporter/github-billing-exporter/internal/fakegithub/fakegithubtest"
)

// checkGrouping checks OpenMetrics' grouping rule on body, as strict parsers
// do: a family's metadata once and its samples right after it, each
// series' samples in one block, and a series' timestamps increasing.
func checkGrouping(t *testing.T, body string) (samples int) {
	t.Helper()
	families := map[string]bool{}
	series := map[string]bool{}
	family, current := "", ""
	var last float64
	for line := range strings.Lines(body) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			family = strings.Fields(rest)[0]
			if families[family] {
				t.Errorf("family %s in two blocks", family)
			}
			families[family] = true
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		samples++
		name := line[:strings.IndexAny(line, "{ ")]
		if name != family {
			t.Fatalf("sample of %s in the block of %s", name, family)
		}
		i := strings.LastIndexByte(line, ' ')
		j := strings.LastIndexByte(line[:i], ' ')
		ts, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("no timestamp in %q", line)
		}
		if s := line[:j]; s != current {
			if series[s] {
				t.Errorf("%s in two blocks", s)
			}
			series[s], current = true, s
		} else if ts <= last {
			t.Errorf("%s: timestamp %v after %v", s, ts, last)
		}
		last = ts
	}
	if samples == 0 {
		t.Fatal("no sample")
	}
	return samples
}

// The output of a backfill over two months follows the grouping rule; the
// regrouping of a family spooled larger than its sort memory (here, a few
// hundred bytes) writes the same file. It sets the package's sortMemory, so
// it is not parallel: the parallel tests run after it.
func TestBackfillOutputIsGroupedBySeries(t *testing.T) {
	fake := fakegithubtest.Start(t, fixture())
	dir := t.TempDir()
	out := filepath.Join(dir, "history.om")
	if stderr, err := backfillFixture(t, fake, Flags{From: "2026-10-25", To: "2026-11-05", Output: out}); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	body, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	samples := checkGrouping(t, string(body))
	// The days from 25 October to 5 November are 12: every series of the
	// fixture has usage every day, so each has 12 points.
	if samples%12 != 0 {
		t.Errorf("%d samples, not 12 per series", samples)
	}

	defer func(n int) { sortMemory = n }(sortMemory)
	sortMemory = 300
	small := filepath.Join(dir, "small.om")
	if stderr, err := backfillFixture(t, fake, Flags{From: "2026-10-25", To: "2026-11-05", Output: small}); err != nil {
		t.Fatalf("backfill: %v\n%s", err, stderr)
	}
	got, err := os.ReadFile(small)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(body) {
		t.Errorf("regrouped in runs of %d bytes, the output differs:\n%.3000s", sortMemory, got)
	}
}
