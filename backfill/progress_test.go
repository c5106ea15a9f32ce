package backfill

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// On a terminal the status line says days done of the total, requests and
// the time left, from a controlled clock; off a terminal nothing is drawn.
func TestProgressLine(t *testing.T) {
	clock := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	var term, pipe bytes.Buffer
	on := newProgress(&term, true, 10, 190, now)
	off := newProgress(&pipe, false, 10, 190, now)
	for day := 1; day <= 4; day++ {
		clock = clock.Add(30 * time.Second)
		on.update(19 * day)
		off.update(19 * day)
	}
	on.done()
	off.done()
	// 4 days in 2 minutes: 6 days left take 3 minutes.
	last := term.String()[strings.LastIndex(term.String(), "\r")+1:]
	if want := "[############..................] 4/10 days, 76/190 requests, 3m0s left \n"; last != want {
		t.Errorf("status line %q, want %q", last, want)
	}
	if pipe.Len() != 0 {
		t.Errorf("off a terminal the progress wrote %q", pipe.String())
	}
}
