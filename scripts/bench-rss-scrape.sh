#!/usr/bin/env bash
# Issue 11, benchmark 3: the exporter binary with --collector.usage.by-repository
# refreshes 1,000,000 usage rows over REPOS repositories (default 12,500, 8
# SKUs each: 400,008 series) from a separate fake, then answers 10 warm
# scrapes. Prints the peak RSS (VmHWM) after the cold scrape and after the
# 10 warm ones, and bytes per series.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
repos=${REPOS:-12500}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/exporter" .
go build -o "$tmp/usagefake" ./scripts/bench/usagefake
"$tmp/usagefake" -rows "$rows" -repositories "$repos" > "$tmp/url" &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
printf 'github: {api_url: %s, token: bench}\norganizations: [{name: big}]\n' "$(cat "$tmp/url")" > "$tmp/config.yml"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/exporter" --config.file="$tmp/config.yml" --web.listen-address="127.0.0.1:$port" \
  --collector.disable-defaults --collector.usage --collector.usage.by-repository --log.level=warn &
pid=$!
pids+=($pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
cold=$(curl -fs -o "$tmp/metrics" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 120' "http://127.0.0.1:$port/metrics")
grep -q '^github_billing_scrape_collector_success{account="big",collector="usage",scope="organization"} 1' "$tmp/metrics" \
  || { echo "the usage refresh failed:"; grep collector_success "$tmp/metrics"; exit 1; }
series=$(grep -c '^github_billing_usage_' "$tmp/metrics")
size=$(stat -c %s "$tmp/metrics")
hwm1=$(kb VmHWM); rss1=$(kb VmRSS)
cpu0=$(awk '{print $14+$15}' "/proc/$pid/stat")
start=$(date +%s.%N)
for _ in $(seq 10); do curl -fs -o /dev/null -H 'Accept: text/plain;version=0.0.4' "http://127.0.0.1:$port/metrics"; done
end=$(date +%s.%N)
cpu1=$(awk '{print $14+$15}' "/proc/$pid/stat")
hwm2=$(kb VmHWM); rss2=$(kb VmRSS)
tick=$(getconf CLK_TCK)
echo "by repository: $rows rows over $repos repositories, $series usage series, body $((size / 1000000)) MB"
echo "cold refresh + scrape: ${cold}s; peak RSS after it: $((hwm1 / 1024)) MB ($((hwm1 * 1024 / series)) bytes/series), RSS $((rss1 / 1024)) MB"
echo "after 10 warm scrapes: peak RSS $((hwm2 / 1024)) MB ($((hwm2 * 1024 / series)) bytes/series), RSS $((rss2 / 1024)) MB"
awk -v s="$start" -v e="$end" -v c0="$cpu0" -v c1="$cpu1" -v t="$tick" 'BEGIN {printf "10 warm scrapes: %.3f s wall, %.3f CPU-s per scrape\n", (e-s)/10, (c1-c0)/t/10}'
