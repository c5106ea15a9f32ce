package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The exporter binary links the fake GitHub for --demo, and a SIGHUP that
// comes before the signal handler is installed ends the process: a run
// without --demo must not build the demo's company while the packages
// initialise. The test binary links the same package; run it again with
// no test (TestMain runs none) and GODEBUG=inittrace=1 and read the
// package's line. Allocations
// are counted, not timed: the demo's tables took about 24,000 of them,
// package-level values that are not built take a handful.
func TestFakeGitHubInitBuildsNothing(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	godebug := "inittrace=1"
	if v := os.Getenv("GODEBUG"); v != "" {
		godebug = v + "," + godebug
	}
	cmd.Env = append(os.Environ(), "GODEBUG="+godebug)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	line := regexp.MustCompile(`(?m)^init \S+/internal/fakegithub @.*, (\d+) bytes, (\d+) allocs$`).FindSubmatch(out)
	if line == nil {
		t.Fatalf("no init line of internal/fakegithub in the trace:\n%s", out)
	}
	bytes, _ := strconv.Atoi(string(line[1]))
	allocs, _ := strconv.Atoi(string(line[2]))
	if allocs > 100 || bytes > 16<<10 {
		t.Errorf("internal/fakegithub's initialisation made %d allocations of %d bytes, want at most 100 and 16 KiB: %s",
			allocs, bytes, strings.TrimSpace(string(line[0])))
	}
}
