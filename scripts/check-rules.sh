#!/usr/bin/env bash
# Checks the Prometheus rules and the example Alertmanager configuration:
#   - promtool check rules on deploy/prometheus/rules/github-billing.rules.yml
#   - promtool test rules on every deploy/prometheus/rules/tests/*.yml
#   - every alert has severity critical|warning|info, a summary, a description and a
#     runbook_url pointing at docs/runbook.md#runbook-<alert name in lowercase with dashes>,
#     and is tested both firing and not firing
#   - docs/runbook.md has a heading for every runbook_url (RUNBOOK_DOC=path checks another
#     Markdown file instead)
#   - promtool check config on the e2e Prometheus config template
#   - amtool check-config, and that each severity reaches its receiver
# Installs nothing: promtool and amtool come from Debian's prometheus and
# prometheus-alertmanager packages. Exits non-zero on the first failing step.
set -euo pipefail

cd "$(dirname "$0")/.."
rules=deploy/prometheus/rules/github-billing.rules.yml
tests_dir=deploy/prometheus/rules/tests
am_config=deploy/alertmanager/alertmanager.yml
runbook_doc=${RUNBOOK_DOC:-docs/runbook.md}
runbook_base=https://github.com/github-billing-exporter/github-billing-exporter/blob/main/docs/runbook.md

missing=()
for cmd in promtool amtool; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if ((${#missing[@]})); then
	echo "check-rules: FAIL: ${missing[*]} not found. Install Debian's packages:" >&2
	echo "  apt-get install -y prometheus prometheus-alertmanager" >&2
	exit 1
fi

failures=0
fail() {
	echo "check-rules: FAIL: $*" >&2
	failures=$((failures + 1))
}

echo "== promtool check rules"
promtool check rules "$rules" || fail "promtool check rules $rules"

echo "== promtool test rules"
shopt -s nullglob
test_files=("$tests_dir"/*.yml)
shopt -u nullglob
if ((${#test_files[@]} == 0)); then
	fail "no test files in $tests_dir"
else
	promtool test rules "${test_files[@]}" || fail "promtool test rules"
fi

# "GitHubBillingBudgetNearlyConsumed" → "github-billing-budget-nearly-consumed".
anchor_for() {
	sed -e 's/GitHub/Github/g' -e 's/\([a-z0-9]\)\([A-Z]\)/\1-\2/g' <<<"$1" | tr '[:upper:]' '[:lower:]'
}

# The rule block of one alert: from its "- alert:" line to the next rule.
alert_block() {
	awk -v name="$1" '
		/^[[:space:]]*- (alert|record):/ { inside = ($0 ~ "- alert: " name "[[:space:]]*$") }
		inside { print }
	' "$rules"
}

# GitHub's heading anchors: lower case, punctuation other than "-" and "_" dropped, spaces
# turned into "-".
doc_anchors() {
	grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ +//; s/ +$//' | tr '[:upper:]' '[:lower:]' |
		sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

echo "== alert metadata and test coverage"
mapfile -t alerts < <(sed -nE 's/^[[:space:]]*- alert: *([A-Za-z0-9_]+)[[:space:]]*$/\1/p' "$rules")
((${#alerts[@]})) || fail "no alerts found in $rules"
[[ -f $runbook_doc ]] || fail "$runbook_doc does not exist"
doc_anchor_list=$(doc_anchors "$runbook_doc")
for a in "${alerts[@]}"; do
	block=$(alert_block "$a")
	grep -qE '^[[:space:]]+severity: (critical|warning|info)[[:space:]]*$' <<<"$block" ||
		fail "$a: labels.severity must be critical, warning or info"
	grep -qE '^[[:space:]]+summary: ' <<<"$block" || fail "$a: no summary annotation"
	grep -qE '^[[:space:]]+description: ' <<<"$block" || fail "$a: no description annotation"
	anchor="runbook-$(anchor_for "$a")"
	grep -qF "runbook_url: $runbook_base#$anchor" <<<"$block" ||
		fail "$a: runbook_url must be $runbook_base#$anchor"
	if ! grep -qxF "$anchor" <<<"$doc_anchor_list"; then
		fail "$a: $runbook_doc has no heading with the anchor #$anchor"
	fi
	# Tested firing (a non-empty exp_alerts) and not firing (exp_alerts: []).
	after=$(grep -h -A1 -E "alertname: $a[[:space:]]*$" "${test_files[@]}" || true)
	grep -qE 'exp_alerts: *\[\]' <<<"$after" || fail "$a: no test where it does not fire (exp_alerts: [])"
	grep -qE 'exp_alerts: *$' <<<"$after" || fail "$a: no test where it fires"
done
echo "${#alerts[@]} alerts checked"

echo "== promtool check config (e2e template)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-rules.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed -e "s|@EXPORTER_ADDRESS@|127.0.0.1:9786|" -e "s|@RULES_FILE@|$PWD/$rules|" \
	deploy/prometheus/prometheus-e2e.yml >"$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml" || fail "promtool check config (deploy/prometheus/prometheus-e2e.yml)"

echo "== amtool check-config"
amtool check-config "$am_config" || fail "amtool check-config $am_config"
for route in critical:billing-pager warning:billing-team-chat info:billing-digest; do
	amtool config routes test --config.file="$am_config" --verify.receivers="${route#*:}" \
		alertname=GitHubBillingTest severity="${route%%:*}" >/dev/null 2>&1 ||
		fail "severity ${route%%:*} does not route to ${route#*:}"
done

if ((failures)); then
	echo "check-rules: FAIL ($failures problem(s))"
	exit 1
fi
echo "check-rules: PASS"
