#!/usr/bin/env bash
# Measures the exporter binary against a separate fake GitHub over loopback:
# the first scrape, SCRAPES warm scrapes (default 10) in the text format and
# in OpenMetrics with the CPU-seconds the exporter spent on them, the same
# bytes served as a static file by net/http (the floor, in the same run),
# and the exporter's resident memory after the first scrape, after the warm
# scrapes, and at its peak, per series served.
#
# Two shapes:
#   - one account (default): a usage report of ROWS rows (default
#     1,000,000, about 265 MB) for one organization, usage collector only.
#     BY_REPOSITORY=1 splits usage by repository over REPOS repositories
#     (default 100,000).
#   - many accounts (ORGS=n): n organizations with the demo's acme-web data
#     and the default collectors; the first scrape is sent with a
#     TIMEOUT-second Prometheus timeout (default 10), as Prometheus sends
#     it, and must be answered inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
scrapes=${SCRAPES:-10}
by_repo=${BY_REPOSITORY:-0}
repos=${REPOS:-100000}
orgs=${ORGS:-0}
timeout=${TIMEOUT:-10}
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/exporter" .
go build -o "$tmp/staticfile" ./scripts/bench/staticfile
wait_url() { for _ in $(seq 300); do [ -s "$1" ] && return; sleep 0.1; done; echo "no URL in $1"; exit 1; }

if [ "$orgs" -gt 0 ]; then
  go build -o "$tmp/fake" ./scripts/bench/orgsfake
  "$tmp/fake" -orgs "$orgs" -names "$tmp/names" > "$tmp/url" &
  pids+=($!)
  wait_url "$tmp/url"
  { printf 'github: {api_url: %s, token: bench}\norganizations:\n' "$(cat "$tmp/url")"
    awk '{ printf "  - name: %s\n", $1 }' "$tmp/names"; } > "$tmp/config.yml"
  flags=(--log.level=error)
  shape="$orgs organizations, default collectors"
  series_re='^github_billing_'
else
  go build -o "$tmp/fake" ./scripts/bench/usagefake
  fake_args=(-rows "$rows")
  flags=(--collector.disable-defaults --collector.usage --log.level=warn)
  if [ "$by_repo" = 1 ]; then
    fake_args+=(-repositories "$repos")
    flags+=(--collector.usage.by-repository)
  fi
  "$tmp/fake" "${fake_args[@]}" > "$tmp/url" &
  pids+=($!)
  wait_url "$tmp/url"
  printf 'github: {api_url: %s, token: bench}\norganizations: [{name: big}]\n' "$(cat "$tmp/url")" > "$tmp/config.yml"
  shape="usage report of $rows rows (by repository: $by_repo)"
  series_re='^github_billing_usage_'
  timeout=120
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/exporter" --config.file="$tmp/config.yml" --web.listen-address="127.0.0.1:$port" "${flags[@]}" &
pid=$!
pids+=($pid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.1; done
url="http://127.0.0.1:$port/metrics"
vm() { awk -v f="$1:" '$1 == f { print int($2 / 1024) }' "/proc/$pid/status"; }
# The exporter's user + system CPU time, in seconds.
# The user + system CPU time of process $1 (default: the exporter), in seconds.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/${1:-$pid}/stat"; }
om='Accept: application/openmetrics-text;version=1.0.0'

first=$(curl -s -o "$tmp/first" -w '%{time_total} %{http_code}' --max-time "$((timeout + 30))" \
  -H "X-Prometheus-Scrape-Timeout-Seconds: $timeout" "$url")
if [ "$orgs" -gt 0 ]; then
  # The refreshes the first scrape started go on; one scrape with a long
  # timeout waits for them, so that the warm scrapes serve everything.
  curl -fs -o /dev/null -H 'X-Prometheus-Scrape-Timeout-Seconds: 600' "$url"
else
  grep -q '^github_billing_scrape_collector_success{account="big",collector="usage",scope="organization"} 1' "$tmp/first" \
    || { echo "the usage refresh failed:"; grep collector_success "$tmp/first"; exit 1; }
fi
rss_cold=$(vm VmRSS)
cpu_cold=$(cpu)
curl -fs -o "$tmp/text" "$url"
curl -fs -o "$tmp/om" -H "$om" "$url"
series=$(grep -c "$series_re" "$tmp/text")
failed=$(grep -c '^github_billing_scrape_collector_success{.*} 0$' "$tmp/text" || true)

# scrapes URL [HEADER]: the wall seconds of $scrapes scrapes.
scrapes() {
  local start; start=$(date +%s.%N)
  for _ in $(seq "$scrapes"); do curl -fs -o /dev/null ${2:+-H "$2"} "$1"; done
  echo "$(date +%s.%N) - $start" | bc
}
cpu0=$(cpu); warm_text=$(scrapes "$url"); cpu1=$(cpu); warm_om=$(scrapes "$url" "$om"); cpu2=$(cpu)
rss_warm=$(vm VmRSS)
hwm=$(vm VmHWM)
for f in text om; do
  "$tmp/staticfile" -file "$tmp/$f" > "$tmp/static-url-$f" &
  pids+=($!)
  eval "static_pid_$f=$!"
  wait_url "$tmp/static-url-$f"
done
# The static servers' CPU-seconds too: on a loaded machine the wall times
# move with the load, the CPU-seconds much less.
s0=$(cpu "$static_pid_text"); static_text=$(scrapes "$(cat "$tmp/static-url-text")"); s1=$(cpu "$static_pid_text")
s2=$(cpu "$static_pid_om"); static_om=$(scrapes "$(cat "$tmp/static-url-om")"); s3=$(cpu "$static_pid_om")

per() { echo "scale=3; $1 / $scrapes" | bc; }
ratio() { echo "scale=1; $1 / $2" | bc; }
echo "$shape over loopback: first scrape (timeout ${timeout}s) answered in ${first% *}s (HTTP ${first#* }); $series series, $(( $(stat -c %s "$tmp/text") / 1000000 )) MB of text, $failed collectors failing"
echo "  refresh and first scrapes: $cpu_cold CPU-s"
echo "  warm scrape, text:        $(per "$warm_text")s and $(per "$(echo "$cpu1 - $cpu0" | bc)") CPU-s each; static file $(per "$static_text")s and $(per "$(echo "$s1 - $s0" | bc)") CPU-s ($(ratio "$warm_text" "$static_text")x)"
echo "  warm scrape, OpenMetrics: $(per "$warm_om")s and $(per "$(echo "$cpu2 - $cpu1" | bc)") CPU-s each; static file $(per "$static_om")s and $(per "$(echo "$s3 - $s2" | bc)") CPU-s ($(ratio "$warm_om" "$static_om")x)"
echo "  RSS after the refresh ${rss_cold} MB, after the warm scrapes ${rss_warm} MB ($(( rss_warm * 1048576 / (series > 0 ? series : 1) )) bytes a series); peak ${hwm} MB ($(( hwm * 1048576 / (series > 0 ? series : 1) )) bytes a series)"
