package backfill

import (
	"fmt"
	"io"
	"time"
)

// progress draws one status line on a terminal: days (or another unit of
// work) done out of the total, requests made and the estimated time left.
// Off a terminal it draws nothing.
type progress struct {
	w           io.Writer
	on          bool
	unit        string
	days, total int
	doneDays    int
	now         func() time.Time
	start, last time.Time
	drawn       bool
}

func newProgress(w io.Writer, terminal bool, days, requests int, now func() time.Time) *progress {
	t := now()
	return &progress{w: w, on: terminal, unit: "days", days: days, total: requests, now: now, start: t}
}

// update counts one more day done, requests having been made so far.
func (p *progress) update(requests int) {
	p.doneDays++
	if !p.on {
		return
	}
	t := p.now()
	if p.doneDays < p.days && t.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = t
	left := "?"
	if p.doneDays > 0 {
		per := t.Sub(p.start) / time.Duration(p.doneDays)
		left = (per * time.Duration(p.days-p.doneDays)).Round(time.Second).String()
	}
	width := 30
	filled := width * p.doneDays / max(p.days, 1)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = '.'
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r[%s] %d/%d %s, %d/%d requests, %s left ", bar, p.doneDays, p.days, p.unit, requests, p.total, left)
	p.drawn = true
}

// done ends the status line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
