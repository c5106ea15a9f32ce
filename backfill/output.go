package backfill

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/github-billing-exporter/github-billing-exporter/collector"
)

// The output: OpenMetrics wants the samples of a family together, under one
// HELP, TYPE and UNIT, and promtool's import silently drops a series' sample
// that is older than the one before it in the same block. A backfill reads
// day after day, so it keeps one spool file per family in a work directory
// next to the output (OUTPUT.backfill/), appends each day's samples to them,
// and joins them into the output, family by family and series by series
// (regroup.go), when the last day is written. The work directory's state.json says which day is the last
// complete one, the size of each spool file at that moment and the month to
// date of every account and collector: a rerun cuts the spools back to those
// sizes and continues with the next day, so a day is in the output wholly
// or not at all.

// stateVersion changes when state.json changes shape.
const stateVersion = 1

type familyState struct {
	Name, Help, Type, Unit string
	File                   string
	Size                   int64
}

type runState struct {
	Version      int
	From         string
	Collectors   []string
	Accounts     []string
	ByRepository bool
	// To is the last day to write; Done the last day wholly written, ""
	// before the first. Finished says the output is written: it holds
	// From … To, and the work directory only this state.
	To       string
	Done     string
	Finished bool
	Families []*familyState
	Months   map[string]json.RawMessage
}

type output struct {
	plan     Plan
	dir      string
	temp     bool
	state    runState
	complete bool
	next     time.Time
	files    map[string]*os.File
}

func (o *output) statePath() string { return filepath.Join(o.dir, "state.json") }

// openOutput starts the output, or takes up a backfill the same output was
// left in. A finished output is only ever confirmed, never extended: a run
// that asks for anything else than what it holds is refused.
func openOutput(p Plan, opts collector.Options, tasks []*task) (*output, error) {
	o := &output{plan: p, files: map[string]*os.File{}, next: p.From}
	fresh := runState{Version: stateVersion, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Collectors: p.Collectors,
		ByRepository: opts.UsageByRepository, Months: map[string]json.RawMessage{}}
	for _, t := range tasks {
		if !slices.Contains(fresh.Accounts, t.account.String()) {
			fresh.Accounts = append(fresh.Accounts, t.account.String())
		}
	}
	if p.Output == "-" {
		dir, err := os.MkdirTemp("", "github-billing-backfill-*")
		if err != nil {
			return nil, err
		}
		o.dir, o.temp, o.state = dir, true, fresh
		return o, nil
	}
	o.dir = p.Output + ".backfill"
	raw, err := os.ReadFile(o.statePath())
	switch {
	case errors.Is(err, os.ErrNotExist):
		if st, err := os.Stat(p.Output); err == nil && st.Mode().IsRegular() {
			if endsWithEOF(p.Output) {
				return nil, fmt.Errorf("--output=%s is a finished backfill, but %s, which says what it holds, is missing: choose another file, or remove it to write it again", p.Output, o.statePath())
			}
			return nil, fmt.Errorf("--output=%s exists and is neither a finished backfill nor one in progress (no %s): remove it or choose another file", p.Output, o.statePath())
		}
		if err := os.MkdirAll(o.dir, 0o755); err != nil {
			return nil, fmt.Errorf("--output=%s: %w", p.Output, err)
		}
		o.state = fresh
		return o, nil
	case err != nil:
		return nil, fmt.Errorf("--output=%s: reading the backfill in progress: %w", p.Output, err)
	}
	var st runState
	if err := json.Unmarshal(raw, &st); err != nil || st.Version != stateVersion {
		return nil, fmt.Errorf("--output=%s: %s is not a state this version wrote; remove %s to start over", p.Output, o.statePath(), o.dir)
	}
	if err := o.checkRerun(st, fresh); err != nil {
		return nil, err
	}
	if st.Finished {
		o.complete = true
		return o, nil
	}
	if err := o.resume(st, tasks); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

// holds says what a state's output holds, or is to hold.
func (st runState) holds() string {
	days := st.From + " … " + st.To
	if st.To == "" { // a state of an earlier run, which did not record it
		days = "from " + st.From
	}
	return fmt.Sprintf("%s of collectors %v for %v (by repository: %v)", days, st.Collectors, st.Accounts, st.ByRepository)
}

// checkRerun refuses a run on the output of another: a finished output that
// holds anything else than what this run asks, or a backfill in progress
// started with other flags or already past --to.
func (o *output) checkRerun(st, fresh runState) error {
	p := o.plan
	same := st.From == fresh.From && slices.Equal(st.Collectors, fresh.Collectors) && slices.Equal(st.Accounts, fresh.Accounts) && st.ByRepository == fresh.ByRepository
	switch {
	case st.Finished && (!same || st.To != fresh.To):
		return fmt.Errorf("--output=%s is a finished backfill that holds %s; this run asks for %s. A finished file is not extended: write the days, collectors or accounts it lacks to another --output and import both, or remove %s and %s to write it again",
			p.Output, st.holds(), fresh.holds(), p.Output, o.dir)
	case !same:
		return fmt.Errorf("--output=%s was started for %s; this run asks for %s: run it with the same flags and configuration, or remove %s and %s to start over",
			p.Output, st.holds(), fresh.holds(), p.Output, o.dir)
	case st.Done > fresh.To:
		return fmt.Errorf("--output=%s already has every day up to %s, after --to=%s: give --to=%s or later to finish it, or remove %s and %s to start over",
			p.Output, st.Done, fresh.To, st.Done, p.Output, o.dir)
	}
	return nil
}

// resume takes up a backfill in progress: its month to date, and its spools
// cut back to the last complete day.
func (o *output) resume(st runState, tasks []*task) error {
	p := o.plan
	if st.Done != "" {
		done, err := time.Parse(time.DateOnly, st.Done)
		if err != nil {
			return fmt.Errorf("--output=%s: %s: bad day %q", p.Output, o.statePath(), st.Done)
		}
		o.next = done.AddDate(0, 0, 1)
		for _, t := range tasks {
			if m, ok := st.Months[t.key]; ok {
				if err := json.Unmarshal(m, t.month); err != nil {
					return fmt.Errorf("--output=%s: %s: %w", p.Output, o.statePath(), err)
				}
			}
		}
	}
	if st.Months == nil {
		st.Months = map[string]json.RawMessage{}
	}
	st.To = p.To.Format(time.DateOnly)
	o.state = st
	for _, f := range st.Families {
		// Cut what a day that did not finish wrote.
		file, err := os.OpenFile(filepath.Join(o.dir, f.File), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		o.files[f.Name] = file
		if err := file.Truncate(f.Size); err != nil {
			return err
		}
		if _, err := file.Seek(f.Size, io.SeekStart); err != nil {
			return err
		}
	}
	return nil
}

// endsWithEOF says whether a file ends with OpenMetrics' "# EOF" line.
func endsWithEOF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() < 6 {
		return false
	}
	buf := make([]byte, 6)
	if _, err := f.ReadAt(buf, st.Size()-6); err != nil {
		return false
	}
	return string(buf) == "# EOF\n"
}

// dayEnd is the timestamp of a day's samples: its last second, when the
// month to date covers the whole day.
func dayEnd(day time.Time) time.Time { return day.Add(24*time.Hour - time.Second) }

// metricsOf makes the tasks' samples a prometheus.Collector, so that a
// registry gathers them into families as the exporter's does for a scrape.
type metricsOf []*task

func (metricsOf) Describe(chan<- *prometheus.Desc) {}

func (m metricsOf) Collect(ch chan<- prometheus.Metric) {
	for _, t := range m {
		for _, s := range t.month.Metrics() {
			ch <- s
		}
	}
}

// unitOf is the OpenMetrics unit a family's name ends with, if any.
func unitOf(name string) string {
	for _, u := range []string{"usd", "seconds", "bytes"} {
		if strings.HasSuffix(name, "_"+u) {
			return u
		}
	}
	return ""
}

// writeDay appends the month to date at the end of day to the spools and
// then records the day as complete.
func (o *output) writeDay(day time.Time, tasks []*task) (int64, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(metricsOf(tasks)); err != nil {
		return 0, err
	}
	families, err := reg.Gather()
	if err != nil {
		return 0, fmt.Errorf("gather: %w", err)
	}
	ts := dayEnd(day).UnixMilli()
	var samples int64
	var buf bytes.Buffer
	for _, mf := range families {
		fs := o.family(mf)
		file, err := o.spool(fs)
		if err != nil {
			return 0, err
		}
		for _, m := range mf.Metric {
			m.TimestampMs = &ts
		}
		buf.Reset()
		if _, err := expfmt.MetricFamilyToOpenMetrics(&buf, mf); err != nil {
			return 0, err
		}
		// Keep the sample lines; the family's metadata is written once,
		// when the output is put together.
		for line := range bytes.Lines(buf.Bytes()) {
			if bytes.HasPrefix(line, []byte("# ")) {
				continue
			}
			if _, err := file.Write(line); err != nil {
				return 0, err
			}
			samples++
		}
	}
	for _, fs := range o.state.Families {
		file := o.files[fs.Name]
		if err := file.Sync(); err != nil {
			return 0, err
		}
		off, err := file.Seek(0, io.SeekCurrent)
		if err != nil {
			return 0, err
		}
		fs.Size = off
	}
	for _, t := range tasks {
		raw, err := json.Marshal(t.month)
		if err != nil {
			return 0, err
		}
		o.state.Months[t.key] = raw
	}
	o.state.Done = day.Format(time.DateOnly)
	return samples, o.saveState()
}

// family finds or adds the state of mf's family.
func (o *output) family(mf *dto.MetricFamily) *familyState {
	for _, f := range o.state.Families {
		if f.Name == mf.GetName() {
			return f
		}
	}
	f := &familyState{Name: mf.GetName(), Help: mf.GetHelp(), Type: mf.GetType().String(), Unit: unitOf(mf.GetName()),
		File: fmt.Sprintf("family-%03d.om", len(o.state.Families))}
	o.state.Families = append(o.state.Families, f)
	return f
}

func (o *output) spool(f *familyState) (*os.File, error) {
	if file := o.files[f.Name]; file != nil {
		return file, nil
	}
	file, err := os.OpenFile(filepath.Join(o.dir, f.File), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	o.files[f.Name] = file
	return file, nil
}

// saveState replaces state.json atomically.
func (o *output) saveState() error {
	raw, err := json.Marshal(o.state)
	if err != nil {
		return err
	}
	return WriteFileAtomic(o.statePath(), raw)
}

// WriteFileAtomic replaces path with data: written and synced to path.tmp,
// then renamed over path, so a reader sees the old file or the new one.
func WriteFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// finish writes the output: each family's metadata and samples, by name,
// then "# EOF". A file is written next to the output and renamed over it.
func (o *output) finish(stdout io.Writer) error {
	var (
		w    = stdout
		file *os.File
		err  error
	)
	if !o.temp {
		file, err = os.Create(o.plan.Output + ".tmp")
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	families := slices.Clone(o.state.Families)
	slices.SortFunc(families, func(a, b *familyState) int { return strings.Compare(a.Name, b.Name) })
	for _, f := range families {
		mf := &dto.MetricFamily{Name: &f.Name, Help: &f.Help}
		t := dto.MetricType(dto.MetricType_value[f.Type])
		mf.Type = &t
		if f.Unit != "" {
			mf.Unit = &f.Unit
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(bw, mf); err != nil {
			return err
		}
		if err := regroup(bw, o.files[f.Name], f.Size, o.dir); err != nil {
			return fmt.Errorf("regroup %s by series: %w", f.Name, err)
		}
	}
	if _, err := bw.WriteString("# EOF\n"); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	o.close()
	if file != nil {
		if err := file.Sync(); err != nil {
			return err
		}
		if err := file.Close(); err != nil {
			return err
		}
		if err := os.Rename(file.Name(), o.plan.Output); err != nil {
			return err
		}
	}
	return o.finished()
}

// finished records what the written output holds, for a rerun to compare,
// and removes the spools.
func (o *output) finished() error {
	if o.temp {
		return nil // stdout: nothing to rerun on
	}
	spools := o.state.Families
	o.state.Finished, o.state.Families, o.state.Months = true, nil, nil
	if err := o.saveState(); err != nil {
		return err
	}
	for _, f := range spools {
		if err := os.Remove(filepath.Join(o.dir, f.File)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// close closes the spools; a temporary work directory goes too.
func (o *output) close() {
	for name, f := range o.files {
		f.Close()
		delete(o.files, name)
	}
	if o.temp {
		os.RemoveAll(o.dir)
	}
}
