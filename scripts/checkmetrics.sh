#!/usr/bin/env bash
# Start the exporter on its demo, scrape it once and run promtool check metrics,
# then scrape it in OpenMetrics and parse that with Python's prometheus_client
# (Debian's python3-prometheus-client), a stricter consumer than Prometheus.
set -euo pipefail
bin=${1:-./github-billing-exporter}
command -v promtool >/dev/null || { echo "promtool not found: apt-get install prometheus" >&2; exit 1; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 19786)
"$bin" --demo --web.listen-address="127.0.0.1:$port" --log.level=warn &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null 2>&1 && break; sleep 0.2; done
body=$(curl -fs "http://127.0.0.1:$port/metrics")
echo "$body" | promtool check metrics
echo "promtool check metrics: clean ($(echo "$body" | grep -c '^github_billing_') github_billing_ series)"
curl -fs -H 'Accept: application/openmetrics-text;version=1.0.0' "http://127.0.0.1:$port/metrics" |
  /usr/bin/python3 "$(dirname "$0")/check-openmetrics.py"
echo "OpenMetrics: accepted by Python's prometheus_client"
