#!/usr/bin/env bash
# Measures the Go test loop after a one-line edit in collector/, as
# CONTRIBUTING's "Test loop" reports it: runs `CI=true go test ./...` once to
# warm the build and test caches, adds a field with a name of its own to
# collector.metricSet (a change the compiler cannot drop, and a name no
# earlier run used, so neither cache can answer for it), times
# `CI=true go test ./...` with /usr/bin/time, and takes the edit back.
# With COMPILE_ONLY=1 it times `go test -run XXX ./...` instead: the
# compiling and linking alone.
#
# Usage: scripts/test-loop.sh   (from anywhere in a clone; the tree must
# have no uncommitted change to collector/collector.go)
set -euo pipefail
cd "$(dirname "$0")/.."

file=collector/collector.go
if ! git diff --quiet -- "$file"; then
  echo "test-loop: $file has uncommitted changes; commit or stash them first" >&2
  exit 2
fi
run=(go test ./...)
if [ "${COMPILE_ONLY:-}" = 1 ]; then
  run=(go test -run XXX ./...)
fi
CI=true "${run[@]}" >/dev/null 2>&1 || true

name="testLoopEdit$(date +%s%N)"
trap 'git checkout -- "$file"' EXIT
sed -i "s/^\tindex   map\[sampleKey\]\*indexedSample\$/&\n\t$name int/" "$file"
grep -q "$name" "$file" || { echo "test-loop: could not add a field to collector.metricSet in $file" >&2; exit 1; }

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
CI=true /usr/bin/time -f 'wall %e s, CPU %U s user + %S s sys' "${run[@]}" 2>&1 | grep -v -e '(cached)' -e 'no test files'
