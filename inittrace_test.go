package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The exporter binary links the fake GitHub and the demo company
// (internal/demo) for --demo, and a SIGHUP that comes before the signal
// handler is installed ends the process: a run without --demo must not
// build the demo's company while the packages initialise. The test binary
// links the same packages; run it again with no test (TestMain runs none)
// and GODEBUG=inittrace=1 and read their lines (the fake, which has nothing
// to initialise, may have none). Allocations are counted, not timed: the
// demo's tables took about 24,000 of them, package-level values that are
// not built take a handful.
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
	lines := regexp.MustCompile(`(?m)^init \S+/(internal/fakegithub|internal/demo) @.*, (\d+) bytes, (\d+) allocs$`).FindAllSubmatch(out, -1)
	seen := map[string]bool{}
	for _, line := range lines {
		pkg := string(line[1])
		seen[pkg] = true
		bytes, _ := strconv.Atoi(string(line[2]))
		allocs, _ := strconv.Atoi(string(line[3]))
		if allocs > 100 || bytes > 16<<10 {
			t.Errorf("%s's initialisation made %d allocations of %d bytes, want at most 100 and 16 KiB: %s",
				pkg, allocs, bytes, strings.TrimSpace(string(line[0])))
		}
	}
	if !seen["internal/demo"] {
		t.Fatalf("no init line of internal/demo in the trace:\n%s", out)
	}
}
