#!/usr/bin/env bash
# Compares the repository's copies of the project's shared reference with
# the reference itself, checked out beside the repository (../shared, or
# SHARED_DIR):
#   - testdata/METRICS.md, the metric contract, with METRICS.md
#   - githubapi/testdata/examples/*.json with githubapi/examples/*.json:
#     the same files, byte for byte (the shared .csv and .ndjson examples
#     are not copied)
# Exits 1 naming each difference and how to copy the reference again; says
# so and exits 0 when the reference is not there. The Go tests read only
# the copies.
set -euo pipefail

cd "$(dirname "$0")/.."
shared=${SHARED_DIR:-../shared}
if [ ! -d "$shared" ]; then
	echo "check-shared: $shared not found; compared nothing (set SHARED_DIR to compare with another checkout)"
	exit 0
fi

fail=0
if ! cmp -s testdata/METRICS.md "$shared/METRICS.md"; then
	echo "check-shared: testdata/METRICS.md differs from $shared/METRICS.md:" >&2
	diff -u "$shared/METRICS.md" testdata/METRICS.md | head -40 >&2 || true
	echo "  copy the contract again (cp $shared/METRICS.md testdata/METRICS.md) and follow it" >&2
	fail=1
fi

local_dir=githubapi/testdata/examples
shared_dir=$shared/githubapi/examples
list() { (cd "$1" && find . -maxdepth 1 -type f -name '*.json' | sed 's|^\./||' | LC_ALL=C sort); }
if ! diff <(list "$shared_dir") <(list "$local_dir") >/dev/null; then
	echo "check-shared: the JSON examples of $local_dir and $shared_dir differ in name (< only in $shared_dir, > only in $local_dir):" >&2
	diff <(list "$shared_dir") <(list "$local_dir") | grep '^[<>]' >&2 || true
	fail=1
fi
while read -r name; do
	if [ -f "$shared_dir/$name" ] && ! cmp -s "$local_dir/$name" "$shared_dir/$name"; then
		echo "check-shared: $local_dir/$name differs from $shared_dir/$name" >&2
		fail=1
	fi
done < <(list "$local_dir")
if [ "$fail" -ne 0 ]; then
	echo "check-shared: FAIL: copy what differs from $shared again and follow it (the examples: cp $shared_dir/*.json $local_dir/)" >&2
	exit 1
fi
echo "check-shared: testdata/METRICS.md and $local_dir match $shared"
