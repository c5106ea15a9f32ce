#!/usr/bin/env bash
# End-to-end check of the dashboards and the Prometheus rules.
#
# Builds the exporter, starts it on its demo data, starts a real Prometheus (Debian's
# `prometheus` package) with deploy/prometheus/rules/github-billing.rules.yml, waits for
# scrapes, then runs every query of every dashboard panel, variable and annotation through
# Prometheus's HTTP API and requires data (scripts/e2e/panelcheck/allowlist.go would name any
# panel allowed to be empty, with its reason; it is empty), every metric and label name each
# query mentions to exist, every rule to evaluate without error, and the alerts the demo is
# built to trip to be firing. The exporter runs with the per-repository flags so the
# per-repository panels have data too. The overview's data-completeness panels must read
# "complete" on the demo, and turn once a second exporter, configured with a misspelt enterprise
# on the demo's simulated GitHub (404 for every collector), is scraped too; that exporter's
# landing page must name the failure class. Everything binds 127.0.0.1 only and is stopped on exit.
#
# Environment:
#   E2E_TIMEOUT  seconds to wait for the exporter, Prometheus and the checks (default 120)
#   E2E_TARGET   host:port of an exporter that is already running; skips building and
#                starting the demo (for debugging the dashboards against other data). Without
#                --collector.usage.by-repository and --collector.advanced_security.by-repository
#                its per-repository panels fail the check.
#   E2E_KEEP     1 keeps the temporary directory with logs and Prometheus data
#   E2E_SCREENSHOT, E2E_FAULT_SCREENSHOT
#                paths that keep the screenshots of the demo's landing page and of the failing
#                exporter's
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD
timeout_s=${E2E_TIMEOUT:-120}
rules_file=$root/deploy/prometheus/rules/github-billing.rules.yml
# Alerts the demo trips: its 85%-consumed budget, and the user whose legacy endpoints are
# retired (410 Gone); and the misspelt enterprise's month to date, missing from the totals. None
# of these rules has a `for:` hold, so they fire on the first evaluation.
required_alerts=(GitHubBillingBudgetNearlyConsumed GitHubBillingEndpointRetired)
fault_alerts=(GitHubBillingMonthToDatePartial)
fault_account=acme-crop
overview=dashboards/github-billing-overview.json

say() { printf 'e2e: %s\n' "$*"; }

for cmd in go prometheus promtool; do
	if ! command -v "$cmd" >/dev/null 2>&1; then
		say "FAIL: $cmd not found (Debian: apt-get install -y prometheus; Go from go.dev)"
		exit 1
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/github-billing-e2e.XXXXXX")
pids=()

cleanup() {
	local status=$?
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		# Give each process a few seconds to stop, then force it.
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [[ ${E2E_KEEP:-0} == 1 ]]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {
	local f
	for f in "$tmp"/exporter.log "$tmp"/prometheus.log; do
		[[ -s $f ]] || continue
		echo "----- last lines of $(basename "$f") -----"
		tail -n 40 "$f"
	done
}

fail() {
	say "FAIL: $*"
	show_logs
	exit 1
}

# Seconds left before the overall deadline, counted from after the builds.
remaining() {
	local left=$((deadline - SECONDS))
	((left > 0)) || left=1
	echo "$left"
}

say "building panelcheck"
# panelcheck is its own Go module (it parses PromQL with Prometheus's parser, which the
# exporter's module does not need).
go -C scripts/e2e/panelcheck build -o "$tmp/panelcheck" . || fail "could not build scripts/e2e/panelcheck"
"$tmp/panelcheck" validate dashboards/*.json || fail "dashboards are not valid"

if [[ -n ${E2E_TARGET:-} ]]; then
	exporter_address=$E2E_TARGET
	say "using the running exporter at $exporter_address"
	deadline=$((SECONDS + timeout_s))
else
	say "building the exporter"
	go build -o "$tmp/github-billing-exporter" . || fail "go build failed"
	deadline=$((SECONDS + timeout_s))
	port=$("$tmp/panelcheck" freeport)
	exporter_address=127.0.0.1:$port
	# The demo's simulated GitHub on a known port, for the second exporter (below) to read.
	api_port=$("$tmp/panelcheck" freeport)
	while [[ $api_port == "$port" ]]; do
		api_port=$("$tmp/panelcheck" freeport)
	done
	say "starting the exporter's demo on $exporter_address (its GitHub on 127.0.0.1:$api_port)"
	# The per-repository flags, the per-user AI-credit view and the usage-metrics view are off
	# by default; the demo has data for them, so they are on here and their panels are checked
	# like every other.
	# A limit of 20 users folds the demo's smaller spenders into __other__.
	# The usage_detail view keeps 10 workflows and 10 users, so that __other__ has data too.
	"$tmp/github-billing-exporter" --demo --web.listen-address="$exporter_address" --log.level=info \
		--collector.usage.by-repository --collector.advanced_security.by-repository \
		--collector.ai_credits.by-user --collector.ai_credits.by-user.max-users=20 \
		--demo.api-listen-address="127.0.0.1:$api_port" \
		--collector.copilot_metrics \
		--collector.usage_detail --collector.usage_detail.top-workflows=10 --collector.usage_detail.top-users=10 \
		>"$tmp/exporter.log" 2>&1 &
	pids+=($!)
	"$tmp/panelcheck" wait -url "http://$exporter_address/metrics" -timeout "$(remaining)s" ||
		fail "the exporter did not serve /metrics"

	# History: backfill the demo's last 13 full months and this month's days before
	# today (--settle=0: the demo does not restate), and import them into the data directory
	# Prometheus starts on, next to what it scrapes from the live demo.
	say "backfilling the demo's last 13 months"
	"$tmp/github-billing-exporter" backfill --demo --settle=0 --max-requests-per-hour=0 --concurrency=4 \
		--output="$tmp/history.om" 2>"$tmp/backfill.log" || { cat "$tmp/backfill.log"; fail "backfill failed"; }
	tail -n 1 "$tmp/backfill.log"
	promtool tsdb create-blocks-from openmetrics --max-block-duration=486h "$tmp/history.om" "$tmp/data" \
		>"$tmp/import.log" 2>&1 || { cat "$tmp/import.log"; fail "promtool could not import the backfill"; }
	say "imported $(grep -c '^[0-9A-Z]\{26\}' "$tmp/import.log") blocks"
	# Per workflow and per user: last month from the demo's detailed export of it (the
	# administrator's, reused; one export a month), into the same data directory.
	last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
	say "backfilling the demo's workflows and users of $last_month"
	"$tmp/github-billing-exporter" backfill --demo --settle=0 --max-requests-per-hour=0 \
		--collectors=usage_detail --from="$last_month" --to="$last_month" \
		--output="$tmp/detail.om" 2>"$tmp/backfill-detail.log" || { cat "$tmp/backfill-detail.log"; fail "usage_detail backfill failed"; }
	tail -n 1 "$tmp/backfill-detail.log"
	promtool tsdb create-blocks-from openmetrics --max-block-duration=486h "$tmp/detail.om" "$tmp/data" \
		>"$tmp/import-detail.log" 2>&1 || { cat "$tmp/import-detail.log"; fail "promtool could not import the usage_detail backfill"; }
	go build -o "$tmp/historycheck" ./scripts/e2e/historycheck || fail "could not build scripts/e2e/historycheck"
	deadline=$((SECONDS + timeout_s))
fi

# taken lists the ports in use, so a new one differs from all of them.
taken=("${exporter_address##*:}" "${api_port:-}")
newport() {
	local p
	p=$("$tmp/panelcheck" freeport)
	while [[ " ${taken[*]} " == *" $p "* ]]; do
		p=$("$tmp/panelcheck" freeport)
	done
	taken+=("$p")
	echo "$p"
}
prom_port=$(newport)
prom_url=http://127.0.0.1:$prom_port

sed -e "s|@EXPORTER_ADDRESS@|$exporter_address|" -e "s|@RULES_FILE@|$rules_file|" \
	deploy/prometheus/prometheus-e2e.yml >"$tmp/prometheus.yml"
if [[ -z ${E2E_TARGET:-} ]]; then
	# The second exporter (the failing account), started once the healthy state is checked.
	fault_address=127.0.0.1:$(newport)
	cat >>"$tmp/prometheus.yml" <<-EOF
	  - job_name: github-billing-exporter-fault
	    static_configs:
	      - targets: ["$fault_address"]
	EOF
fi
promtool check config "$tmp/prometheus.yml" >"$tmp/promtool.log" 2>&1 ||
	{ cat "$tmp/promtool.log"; fail "generated Prometheus config is invalid"; }

say "starting Prometheus on 127.0.0.1:$prom_port"
# Retention beyond the backfilled 13 months, or Prometheus deletes the imported blocks at once.
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" --storage.tsdb.retention.time=800d \
	--web.listen-address="127.0.0.1:$prom_port" --log.level=warn \
	>"$tmp/prometheus.log" 2>&1 &
pids+=($!)
"$tmp/panelcheck" wait -url "$prom_url/-/ready" -timeout "$(remaining)s" || fail "Prometheus did not become ready"

# overview_values NAME FAILURE -expect ...: panelcheck value on the overview's panels, its
# output shown (and kept in $tmp/NAME.log); the check fails with FAILURE when a value is not
# as expected.
overview_values() {
	local log="$tmp/$1.log" failure=$2
	shift 2
	"$tmp/panelcheck" value -prometheus "$prom_url" -timeout "$(remaining)s" "$@" "$overview" >"$log" 2>&1 ||
		{ cat "$log"; fail "$failure"; }
	cat "$log"
}

if [[ -z ${E2E_TARGET:-} ]]; then
	# The first screen's completeness panels on the healthy demo: nothing failing, every
	# account's month to date complete (1), no collector failing per account.
	say "checking that the overview's data-completeness panels read complete on the demo"
	overview_values complete "the completeness panels do not read complete on the demo" \
		-expect 'Collectors failing now|A||== 0' \
		-expect 'Accounts with a partial month to date|A||== 0' \
		-expect 'Data completeness by account (now)|B||== 0' \
		-expect 'Data completeness by account (now)|C||== 1'

	# A configuration of one's own on the demo's GitHub (README, "Without a token"), with an
	# enterprise the demo does not have: GitHub's 404 for each of its collectors.
	cat >"$tmp/fault.yml" <<-EOF
	github:
	  api_url: http://127.0.0.1:$api_port
	  token: demo-token-not-a-secret
	refresh_interval: 1m
	enterprises: [{name: $fault_account}]
	EOF
	say "starting a second exporter on $fault_address with the enterprise $fault_account, which the demo's GitHub does not know"
	"$tmp/github-billing-exporter" --config.file="$tmp/fault.yml" --web.listen-address="$fault_address" \
		>"$tmp/fault.log" 2>&1 &
	pids+=($!)
	"$tmp/panelcheck" wait -url "http://$fault_address/metrics" -timeout "$(remaining)s" >/dev/null ||
		fail "the second exporter did not serve /metrics"
	required_alerts+=("${fault_alerts[@]}")
fi

say "checking every dashboard query, the rules and the alerts (up to $(remaining)s)"
alert_args=()
for a in "${required_alerts[@]}"; do
	alert_args+=(-alert "$a")
done
# The usage-metrics view adds up the month's complete days: on the 1st (UTC) there is none
# yet, so its dashboard is empty that day, as it is for every user.
if [[ $(date -u +%d) == 01 ]]; then
	alert_args+=(-allow-empty-dashboard "github-billing-copilot-users=on the 1st of the month (UTC) no day of the month is complete yet")
fi
if "$tmp/panelcheck" check -prometheus "$prom_url" -timeout "$(remaining)s" "${alert_args[@]}" dashboards/*.json \
	>"$tmp/check.log" 2>&1; then
	grep -v '^ok ' "$tmp/check.log" || true
	say "PASS: every dashboard query returned data, rules healthy, alerts firing: ${required_alerts[*]}"
else
	cat "$tmp/check.log"
	fail "dashboard, rule or alert checks failed (see above)"
fi

if [[ -z ${E2E_TARGET:-} ]]; then
	# The same panels with the failing account scraped: they name it, and only it.
	say "checking that the completeness panels turn for $fault_account"
	overview_values partial "the completeness panels do not turn for $fault_account" \
		-expect 'Collectors failing now|A||>= 1' \
		-expect 'Accounts with a partial month to date|A||== 1' \
		-expect "Data completeness by account (now)|B|account=$fault_account|>= 1" \
		-expect "Data completeness by account (now)|C|account=$fault_account|== 0" \
		-expect 'Data completeness by account (now)|C|scope=organization|== 1' \
		-expect 'Data completeness by account (now)|C|account=acme-corp|== 1' \
		-expect "Failing collectors and when they last worked|A|account=$fault_account,collector=usage|== 0" \
		-expect 'GitHub error answers by endpoint since the exporter started (why collectors fail)|A|code=404|>= 1'
	say "PASS: the overview's completeness panels read complete on the demo and name $fault_account once it fails"
fi

# The landing page in a headless browser: a screenshot (E2E_SCREENSHOT=path keeps it), and
# every link on the page as the browser rendered it must answer 200.
if [[ -z ${E2E_TARGET:-} ]]; then
	browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
	if [[ -z $browser ]]; then
		[[ -z ${CI:-} ]] || fail "no chromium for the landing page screenshot (apt-get install chromium)"
		say "SKIP: no chromium, no landing page screenshot (apt-get install chromium)"
	else
		shot=${E2E_SCREENSHOT:-$tmp/landing.png}
		chrome_flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$tmp/chromium")
		timeout 60 "$browser" "${chrome_flags[@]}" --window-size=1280,2200 --screenshot="$shot" \
			"http://$exporter_address/" >"$tmp/chromium.log" 2>&1 || { cat "$tmp/chromium.log"; fail "chromium could not take the screenshot"; }
		[[ -s $shot ]] || fail "chromium wrote no screenshot"
		timeout 60 "$browser" "${chrome_flags[@]}" --dump-dom "http://$exporter_address/" >"$tmp/landing.html" 2>>"$tmp/chromium.log" ||
			fail "chromium could not load the landing page"
		grep -q 'Demo mode' "$tmp/landing.html" || fail "the landing page does not say it is the demo"
		links=0
		while read -r href; do
			href=${href//&amp;/&}
			case $href in
			http://* | https://*) fail "the landing page links outside the exporter: $href" ;;
			esac
			"$tmp/panelcheck" wait -url "http://$exporter_address/${href#/}" -timeout 10s >/dev/null ||
				fail "landing page link $href does not answer 200"
			links=$((links + 1))
		done < <(grep -o 'href="[^"]*"' "$tmp/landing.html" | sed -e 's/^href="//' -e 's/"$//')
		((links >= 3)) || fail "only $links links on the landing page"
		say "PASS: landing page screenshot $shot; its $links links answer 200"

		# The failing enterprise's landing page: the summary line and each row's failure class.
		fault_shot=${E2E_FAULT_SCREENSHOT:-$tmp/landing-failing.png}
		timeout 60 "$browser" "${chrome_flags[@]}" --window-size=1280,1200 --screenshot="$fault_shot" \
			"http://$fault_address/" >>"$tmp/chromium.log" 2>&1 || { cat "$tmp/chromium.log"; fail "chromium could not take the failing exporter's screenshot"; }
		[[ -s $fault_shot ]] || fail "chromium wrote no screenshot of the failing exporter"
		timeout 60 "$browser" "${chrome_flags[@]}" --dump-dom "http://$fault_address/" >"$tmp/landing-failing.html" 2>>"$tmp/chromium.log" ||
			fail "chromium could not load the failing exporter's landing page"
		grep -q 'collectors are failing' "$tmp/landing-failing.html" ||
			fail "the failing exporter's landing page has no summary line saying collectors fail"
		grep -q ">$fault_account</a></td>.*<td>failing: not found</td>" "$tmp/landing-failing.html" ||
			fail "the failing exporter's landing page does not name the failure class (failing: not found) of $fault_account"
		say "PASS: the failing enterprise's landing page ($fault_shot) names the failure class: $(grep -o '<td>failing: not found</td>' "$tmp/landing-failing.html" | wc -l) rows 'failing: not found'"
	fi
fi

# The demo configures the enterprise and two of its organizations (and a user): with every
# variable at All, the overview must count each dollar once, that is the enterprise's and the
# user's usage and no organization's again. Without E2E_TARGET only: other data has another shape.
if [[ -z ${E2E_TARGET:-} ]]; then
	once_sel='scope=~"enterprise|user"'
	if "$tmp/panelcheck" once -prometheus "$prom_url" -timeout "$(remaining)s" \
		-expect "Net spend, month to date=sum(github_billing_usage_net_amount_usd{$once_sel})" \
		-expect "Gross spend, month to date=sum(github_billing_usage_gross_amount_usd{$once_sel})" \
		-expect "Discounts, month to date=sum(github_billing_usage_discount_amount_usd{$once_sel})" \
		-expect "Net spend by product, month to date=sum by (product) (github_billing_usage_net_amount_usd{$once_sel})" \
		-expect "Spend by SKU: net and gross, month to date=sum by (product, sku) (github_billing_usage_net_amount_usd{$once_sel})" \
		-expect "Spend by organization: net and gross, month to date=label_replace(sum by (organization) (github_billing_usage_net_amount_usd{$once_sel}), \"organization\", \"(none)\", \"organization\", \"\")" \
		-expect "AI credits by model: net, gross and included, month to date=sum by (model) (github_billing_ai_credit_net_amount_usd{$once_sel})" \
		-expect "Actions minutes by runner (legacy endpoint)=sum by (runner) (github_billing_actions_runner_used_seconds{$once_sel}) / 60" \
		dashboards/github-billing-overview.json >"$tmp/once.log" 2>&1; then
		cat "$tmp/once.log"
		say "PASS: with an enterprise and its organizations configured, the overview counts each dollar once"
	else
		cat "$tmp/once.log"
		fail "the overview counts some dollars twice (see above)"
	fi
fi

if [[ -x $tmp/historycheck ]]; then
	say "checking the backfilled history: last month's totals, a workflow's month to date and the history panels"
	"$tmp/historycheck" -prometheus "$prom_url" -dashboard dashboards/github-billing-overview.json >"$tmp/history.log" 2>&1 ||
		{ cat "$tmp/history.log"; fail "history checks failed"; }
	cat "$tmp/history.log"
	say "PASS: backfilled history imported, last month's totals and a workflow's month to date match the fake, history panels have data"
fi
