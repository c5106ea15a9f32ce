#!/usr/bin/env bash
# The backfill benchmark as a whole process: `github-billing-exporter backfill` of the default
# range (13 full months up to the last settled day) for 1 enterprise with COST_CENTERS cost
# centers (default 2) and ORGS organizations (default 10), against a separate fake
# (scripts/bench/historyfake) that delays every answer by LATENCY (default 100ms). Prints the
# requests, the wall time, the CPU seconds and the peak RSS from GNU time. FROM=2026-11 backfills
# from that month instead (to compare peak RSS: memory does not grow with the range).
set -euo pipefail
cd "$(dirname "$0")/.."
orgs=${ORGS:-10}
centers=${COST_CENTERS:-2}
latency=${LATENCY:-100ms}
concurrency=${CONCURRENCY:-8}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/exporter" .
go build -o "$tmp/historyfake" ./scripts/bench/historyfake
"$tmp/historyfake" -orgs "$orgs" -cost-centers "$centers" -latency "$latency" >"$tmp/url" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
{
	printf 'github: {api_url: %s, token: bench}\nenterprises: [{name: bench-corp}]\norganizations:\n' "$(cat "$tmp/url")"
	for i in $(seq -w 1 "$orgs"); do printf '  - name: org-%02d\n' "$((10#$i))"; done
} >"$tmp/config.yml"
/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$tmp/exporter" --config.file="$tmp/config.yml" backfill \
	--max-requests-per-hour=0 --concurrency="$concurrency" --output="$tmp/history.om" ${FROM:+--from="$FROM"} 2>"$tmp/log"
read -r wall user sys rss <"$tmp/time"
tail -n 1 "$tmp/log"
echo "backfill of 1 enterprise ($centers cost centers) and $orgs organizations, latency $latency, concurrency $concurrency: ${wall}s wall, $(echo "$user + $sys" | bc) CPU-seconds, peak RSS $((rss / 1024)) MB, output $(($(stat -c %s "$tmp/history.om") / 1024 / 1024)) MB"
