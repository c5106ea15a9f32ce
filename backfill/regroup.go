package backfill

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The spool of a family holds its samples day after day: every series of
// day 1, then every series of day 2. OpenMetrics wants each series' samples
// in one block, in time order, and strict parsers (Python's
// prometheus_client) refuse anything else. So the spool is regrouped when
// the output is written: its lines are sorted by series, stably, which
// keeps each series' lines in the order they were spooled (time order).
//
// Memory stays bounded whatever the range and the number of series: the
// lines are sorted sortMemory bytes at a time; a spool larger than that is
// cut into sorted runs written next to it and merged, one line of each run
// in memory at once. The disk holds a family's runs until it is merged.

// sortMemory is how many bytes of sample lines are sorted in memory at once.
var sortMemory = 32 << 20

// seriesOf is a sample line's series: the name and labels, without the value
// and the timestamp, which hold no space (a label value may).
func seriesOf(line string) string {
	i := strings.LastIndexByte(strings.TrimSuffix(line, "\n"), ' ')
	if i <= 0 {
		return line
	}
	if j := strings.LastIndexByte(line[:i], ' '); j > 0 {
		return line[:j]
	}
	return line[:i]
}

func bySeries(a, b string) int { return strings.Compare(seriesOf(a), seriesOf(b)) }

// regroup writes the first size bytes of spool to w, series after series.
// Runs that do not fit in sortMemory are kept in dir while they are merged.
func regroup(w io.Writer, spool io.ReaderAt, size int64, dir string) error {
	r := bufio.NewReaderSize(io.NewSectionReader(spool, 0, size), 64<<10)
	var runs []string
	defer func() {
		for _, name := range runs {
			os.Remove(name)
		}
	}()
	for {
		lines, err := readRun(r)
		if err != nil {
			return err
		}
		if len(lines) == 0 {
			break
		}
		slices.SortStableFunc(lines, bySeries)
		if len(runs) == 0 {
			if _, err := r.Peek(1); errors.Is(err, io.EOF) {
				return writeLines(w, lines) // the whole spool fitted
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("run-%03d.om", len(runs)))
		runs = append(runs, name)
		if err := writeRun(name, lines); err != nil {
			return err
		}
	}
	return mergeRuns(w, runs)
}

// readRun reads lines up to sortMemory bytes, at least one.
func readRun(r *bufio.Reader) ([]string, error) {
	var lines []string
	for n := 0; n < sortMemory; {
		line, err := r.ReadString('\n')
		if errors.Is(err, io.EOF) {
			if line != "" {
				return nil, errors.New("spool ends inside a line")
			}
			return lines, nil
		}
		if err != nil {
			return nil, err
		}
		lines = append(lines, line)
		n += len(line)
	}
	return lines, nil
}

func writeLines(w io.Writer, lines []string) error {
	for _, l := range lines {
		if _, err := io.WriteString(w, l); err != nil {
			return err
		}
	}
	return nil
}

func writeRun(name string, lines []string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	if err := writeLines(bw, lines); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// mergeRuns writes the sorted runs to w as one sorted sequence. Of lines of
// one series, the earlier run's goes first: the runs are in spool order.
func mergeRuns(w io.Writer, runs []string) error {
	readers := make([]*bufio.Reader, len(runs))
	heads := make([]string, len(runs))
	for i, name := range runs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		readers[i] = bufio.NewReaderSize(f, 64<<10)
	}
	next := func(i int) error {
		line, err := readers[i].ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		heads[i] = line // "" when the run is done
		return nil
	}
	for i := range readers {
		if err := next(i); err != nil {
			return err
		}
	}
	for {
		low := -1
		for i, h := range heads {
			if h != "" && (low < 0 || bySeries(h, heads[low]) < 0) {
				low = i
			}
		}
		if low < 0 {
			return nil
		}
		if _, err := io.WriteString(w, heads[low]); err != nil {
			return err
		}
		if err := next(low); err != nil {
			return err
		}
	}
}
