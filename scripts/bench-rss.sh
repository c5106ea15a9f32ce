#!/usr/bin/env bash
# The exporter binary refreshes a usage report of ROWS rows (default
# 1,000,000, about 265 MB) served by a separate fake over loopback, then
# answers SCRAPES warm scrapes (default 10). Prints the cold refresh time,
# the warm scrapes' time, the series served, and the exporter's resident
# memory after the refresh and after the warm scrapes, with its peak.
# BY_REPOSITORY=1 splits usage by repository over REPOS repositories
# (default 100,000: about 400,000 series).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
scrapes=${SCRAPES:-10}
by_repo=${BY_REPOSITORY:-0}
repos=${REPOS:-100000}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/exporter" .
go build -o "$tmp/usagefake" ./scripts/bench/usagefake
fake_args=(-rows "$rows")
flags=(--collector.disable-defaults --collector.usage --log.level=warn)
if [ "$by_repo" = 1 ]; then
  fake_args+=(-repositories "$repos")
  flags+=(--collector.usage.by-repository)
fi
"$tmp/usagefake" "${fake_args[@]}" > "$tmp/url" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
printf 'github: {api_url: %s, token: bench}\norganizations: [{name: big}]\n' "$(cat "$tmp/url")" > "$tmp/config.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/exporter" --config.file="$tmp/config.yml" --web.listen-address="127.0.0.1:$port" "${flags[@]}" &
pid=$!
pids+=($pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
vm() { awk -v f="$1:" '$1 == f { print int($2 / 1024) }' "/proc/$pid/status"; }
cold=$(curl -fs -o "$tmp/metrics" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 120' "http://127.0.0.1:$port/metrics")
grep -q '^github_billing_scrape_collector_success{account="big",collector="usage",scope="organization"} 1' "$tmp/metrics" \
  || { echo "the usage refresh failed:"; grep collector_success "$tmp/metrics"; exit 1; }
series=$(grep -c '^github_billing_usage_' "$tmp/metrics")
rss_cold=$(vm VmRSS)
start=$(date +%s.%N)
for _ in $(seq "$scrapes"); do curl -fs -o /dev/null "http://127.0.0.1:$port/metrics"; done
warm=$(echo "$(date +%s.%N) - $start" | bc)
rss_warm=$(vm VmRSS)
hwm=$(vm VmHWM)
echo "usage report of $rows rows (by repository: $by_repo) over loopback: cold refresh + scrape ${cold}s, $series usage series"
echo "  $scrapes warm scrapes: ${warm}s; RSS after the refresh ${rss_cold} MB, after the warm scrapes ${rss_warm} MB ($(( rss_warm * 1048576 / (series > 0 ? series : 1) )) bytes a series); peak ${hwm} MB"
