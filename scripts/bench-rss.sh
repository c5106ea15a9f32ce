#!/usr/bin/env bash
# Issue 4, benchmark 1 as a whole process: the exporter binary refreshes a
# usage report of ROWS rows (default 1,000,000, about 265 MB) served by a
# separate fake over loopback. Prints the refresh (scrape) time and the
# exporter's peak RSS from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/exporter" .
go build -o "$tmp/usagefake" ./scripts/bench/usagefake
"$tmp/usagefake" -rows "$rows" > "$tmp/url" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
printf 'github: {api_url: %s, token: bench}\norganizations: [{name: big}]\n' "$(cat "$tmp/url")" > "$tmp/config.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/bin/time -f '%M' -o "$tmp/rss" "$tmp/exporter" --config.file="$tmp/config.yml" \
  --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.usage --log.level=warn &
timepid=$!
pids+=($timepid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
secs=$(curl -fs -o "$tmp/metrics" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 60' "http://127.0.0.1:$port/metrics")
grep -q '^github_billing_scrape_collector_success{account="big",collector="usage",scope="organization"} 1' "$tmp/metrics" \
  || { echo "the usage refresh failed:"; grep collector_success "$tmp/metrics"; exit 1; }
series=$(grep -c '^github_billing_usage_' "$tmp/metrics")
pkill -TERM -P "$timepid" 2>/dev/null || true
wait "$timepid" || true
echo "usage report of $rows rows over loopback: refresh + scrape ${secs}s, exporter peak RSS $(( $(cat "$tmp/rss") / 1024 )) MB, $series usage series"
