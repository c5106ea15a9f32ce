#!/usr/bin/env bash
# Checks the deployment files with the tools that run them:
#   - Helm chart: helm lint --strict and helm template, with default values
#     and with each values file in the chart's ci/ directory, plus checks on
#     the rendered manifests;
#   - Compose stack: promtool check config on its Prometheus config (which
#     also checks the rules file), amtool on the Alertmanager config, and
#     `docker compose config` on both Compose files;
#   - systemd unit: systemd-analyze verify and security.
# Exits non-zero on the first failure.
#
# Tools: HELM=/path/to/helm, else `helm` on PATH, else Helm HELM_VERSION
# (default below) built once from its Go module, outside this repository's
# go.mod, into the tools cache; docker compose likewise (the plugin, else
# COMPOSE_VERSION built once into the cache; COMPOSE_VERSION=none skips the
# Compose file check). The cache is GBE_TOOLS_DIR, default
# ${XDG_CACHE_HOME:-~/.cache}/github-billing-exporter/tools: building Helm
# takes minutes and Compose a quarter of an hour on a cold Go cache, once.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
chart="$root/deploy/helm/github-billing-exporter"
compose_dir="$root/deploy/docker-compose"
unit="$root/deploy/systemd/github-billing-exporter.service"
rules="$root/deploy/prometheus/rules/github-billing.rules.yml"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
# Helm built from source without release ldflags assumes Kubernetes 1.20.
KUBE_VERSION="${KUBE_VERSION:-1.31.0}"
COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"

tools_dir="${GBE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/github-billing-exporter/tools}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step() { printf '\n==> %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- helm
if [[ -n "${HELM:-}" ]]; then
  helm_bin="$HELM"
elif command -v helm >/dev/null; then
  helm_bin="$(command -v helm)"
elif [[ -x "$tools_dir/helm-$HELM_VERSION" ]]; then
  helm_bin="$tools_dir/helm-$HELM_VERSION"
else
  step "building helm $HELM_VERSION from its Go module into $tools_dir (once)"
  # From an empty directory so that this repository's go.mod is neither
  # read nor changed; moved into place only when complete.
  mkdir -p "$tools_dir"
  (cd "$work" && GOFLAGS=-mod=mod GOBIN="$work/bin" \
    go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") || fail "go install helm $HELM_VERSION"
  mv "$work/bin/helm" "$tools_dir/helm-$HELM_VERSION.tmp$$" && mv "$tools_dir/helm-$HELM_VERSION.tmp$$" "$tools_dir/helm-$HELM_VERSION"
  helm_bin="$tools_dir/helm-$HELM_VERSION"
fi
echo "helm: $helm_bin"
helm() { "$helm_bin" "$@"; }
export HELM_CACHE_HOME="$work/helm/cache" HELM_CONFIG_HOME="$work/helm/config" HELM_DATA_HOME="$work/helm/data"

# The chart's PrometheusRule reads files/github-billing.rules.yml, a copy
# of the project's rules file (`make chart-rules`): a symlink made every
# Helm command warn. The copy must be the project's file, byte for byte.
chart_rules="$chart/files/github-billing.rules.yml"
[[ -f "$rules" ]] || fail "$rules is missing (the chart and the Compose stack need it)"
[[ -f "$chart_rules" && ! -L "$chart_rules" ]] || fail "$chart_rules must be a regular file (make chart-rules)"
cmp -s "$rules" "$chart_rules" || fail "$chart_rules differs from $rules: run make chart-rules"

values_sets=("default")
for f in "$chart"/ci/*.yaml; do
  [[ -e "$f" ]] && values_sets+=("$f")
done

for v in "${values_sets[@]}"; do
  args=()
  name="default values"
  if [[ "$v" != default ]]; then
    args=(-f "$v")
    name="${v#"$root"/}"
  fi
  step "helm lint --strict ($name)"
  helm lint --strict --kube-version "$KUBE_VERSION" "$chart" "${args[@]}" || fail "helm lint ($name)"

  step "helm template ($name)"
  out="$work/rendered-$(basename "$v" .yaml).yaml"
  helm template gbe "$chart" --namespace monitoring --kube-version "$KUBE_VERSION" \
    "${args[@]}" >"$out" || fail "helm template ($name)"

  # Every workload runs locked down.
  for want in 'runAsNonRoot: true' 'readOnlyRootFilesystem: true' \
      'allowPrivilegeEscalation: false' '- ALL' 'type: RuntimeDefault' \
      'path: /-/healthy' 'path: /-/ready' 'checksum/config:' 'containerPort: 9786'; do
    grep -qF -- "$want" "$out" || fail "$name: rendered chart lacks '$want'"
  done
  # No credential in a ConfigMap, ever.
  if grep -A20 '^kind: ConfigMap' "$out" | grep -qE '^\s+token:'; then
    fail "$name: a token is written into a ConfigMap"
  fi
  echo "rendered: $(sed -n 's/^kind: //p' "$out" | sort | uniq -c | awk '{printf "%s%s x%s", sep, $2, $1; sep=", "}')"
done

step "helm template (sharded values): objects and the rules from the project file"
sharded="$work/rendered-sharded-values.yaml"
[[ -f "$sharded" ]] || fail "ci/sharded-values.yaml not rendered"
# Sharded replicas run --web.probe-only, so the ServiceMonitor on /metrics
# collects only the exporter's own metrics and never refreshes accounts.
for want in 'kind: StatefulSet' 'kind: PrometheusRule' 'kind: ServiceMonitor' '--web.probe-only' \
    'kind: ScrapeConfig' 'kind: NetworkPolicy' 'clusterIP: None' 'action: hashmod'; do
  grep -qF -- "$want" "$sharded" || fail "sharded values: rendered chart lacks '$want'"
done
# Each group of the project's rules file is in the PrometheusRule.
while read -r group; do
  grep -qE "^\s+(- )?name: ${group}\$" "$sharded" || fail "PrometheusRule lacks group $group of $rules"
done < <(sed -nE 's/^\s*- name: *"?([^"]+)"?\s*$/\1/p' "$rules")
echo ok

step "helm template: invalid values are refused"
if helm template gbe "$chart" --kube-version "$KUBE_VERSION" --set github.app.enabled=true >/dev/null 2>&1; then
  fail "github.app.enabled without a private key was accepted"
fi
if helm template gbe "$chart" --kube-version "$KUBE_VERSION" --set log.level=verbose >/dev/null 2>&1; then
  fail "values.schema.json accepted log.level=verbose"
fi
if helm template gbe "$chart" --kube-version "$KUBE_VERSION" --set demo=true --set focus.enabled=true >/dev/null 2>&1; then
  fail "focus.enabled without focus.existingClaim was accepted"
fi
if helm template gbe "$chart" --kube-version "$KUBE_VERSION" | grep -q '^kind: CronJob'; then
  fail "the focus CronJob is rendered with the default values (it is off by default)"
fi
echo ok

# ------------------------------------------------------------- compose
step "promtool check config deploy/docker-compose/prometheus.yml"
command -v promtool >/dev/null || fail "promtool not found (Debian package: prometheus)"
promtool check config "$compose_dir/prometheus.yml" || fail "promtool check config"

alertmanager_cfg="$root/deploy/alertmanager/alertmanager.yml"
step "amtool check-config deploy/alertmanager/alertmanager.yml"
[[ -f "$alertmanager_cfg" ]] || fail "$alertmanager_cfg is missing (the Compose stack mounts it)"
if command -v amtool >/dev/null; then
  amtool check-config "$alertmanager_cfg" || fail "amtool check-config"
else
  echo "SKIP: amtool not installed (Debian package: prometheus-alertmanager)"
fi

step "Compose stack: mounted paths exist"
for p in ../prometheus/rules/github-billing.rules.yml ../alertmanager/alertmanager.yml ../../dashboards \
    ../../Dockerfile grafana/provisioning/datasources grafana/provisioning/dashboards exporter/config.yml; do
  [[ -e "$compose_dir/$p" ]] || fail "deploy/docker-compose/$p does not exist"
done
ls "$root"/dashboards/*.json >/dev/null 2>&1 || fail "no dashboards/*.json for Grafana to provision"
echo ok

step "docker compose config"
# The docker CLI here has no Compose plugin (and no engine, which `config`
# does not need). Without the plugin, build Compose from its Go module once
# into the tools cache; its go.mod has exclude directives, so `go install
# pkg@version` refuses it and it is built from the downloaded module
# directory instead (17 minutes on a cold Go cache on a loaded 2-core
# machine; then the cached binary). COMPOSE_VERSION=none skips this.
compose=()
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif [[ "$COMPOSE_VERSION" != none && -x "$tools_dir/docker-compose-$COMPOSE_VERSION" ]]; then
  compose=("$tools_dir/docker-compose-$COMPOSE_VERSION")
elif [[ "$COMPOSE_VERSION" != none ]] && command -v go >/dev/null; then
  echo "building docker compose $COMPOSE_VERSION from its Go module into $tools_dir (once)"
  src="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" \
    | sed -nE 's/^\s*"Dir": "(.*)",?$/\1/p')" || fail "go mod download docker compose"
  [[ -n "$src" ]] || fail "go mod download docker compose: no module directory"
  cp -r "$src" "$work/compose-src" && chmod -R u+w "$work/compose-src"
  (cd "$work/compose-src" && GOFLAGS=-mod=mod go build -o "$work/bin/docker-compose" ./cmd) \
    || fail "go build docker compose"
  mkdir -p "$tools_dir"
  mv "$work/bin/docker-compose" "$tools_dir/docker-compose-$COMPOSE_VERSION.tmp$$" &&
    mv "$tools_dir/docker-compose-$COMPOSE_VERSION.tmp$$" "$tools_dir/docker-compose-$COMPOSE_VERSION"
  compose=("$tools_dir/docker-compose-$COMPOSE_VERSION")
fi
if ((${#compose[@]})); then
  (cd "$compose_dir" && "${compose[@]}" -f compose.yml config -q) || fail "compose config (demo)"
  (cd "$compose_dir" && "${compose[@]}" -f compose.yml -f compose.github.yml config -q) \
    || fail "compose config (compose.github.yml)"
  echo ok
else
  echo "SKIP: no docker compose plugin, and building one is off (COMPOSE_VERSION=none) or there is no Go toolchain"
fi

# ------------------------------------------------------------- systemd
step "systemd-analyze verify deploy/systemd/github-billing-exporter.service"
if command -v systemd-analyze >/dev/null; then
  # verify insists that ExecStart's binary exists; point it at a stub in
  # a copy of the unit and check everything else as written.
  printf '#!/bin/sh\nexit 0\n' >"$work/github-billing-exporter"
  chmod +x "$work/github-billing-exporter"
  mkdir -p "$work/unit"
  sed "s|/usr/local/bin/github-billing-exporter|$work/github-billing-exporter|" "$unit" \
    >"$work/unit/github-billing-exporter.service"
  # Warnings such as an unknown key are failures too.
  if ! msgs="$(systemd-analyze verify "$work/unit/github-billing-exporter.service" 2>&1)" || [[ -n "$msgs" ]]; then
    printf '%s\n' "$msgs" >&2
    fail "systemd-analyze verify"
  fi
  echo ok
  step "systemd-analyze verify deploy/systemd/github-billing-focus.{service,timer}"
  for f in github-billing-focus.service github-billing-focus.timer; do
    sed "s|/usr/local/bin/github-billing-exporter|$work/github-billing-exporter|" "$root/deploy/systemd/$f" >"$work/unit/$f"
  done
  if ! msgs="$(systemd-analyze verify "$work/unit/github-billing-focus.service" "$work/unit/github-billing-focus.timer" 2>&1)" || [[ -n "$msgs" ]]; then
    printf '%s\n' "$msgs" >&2
    fail "systemd-analyze verify (focus)"
  fi
  echo ok
  step "systemd-analyze security (exposure must stay at or below 2.0)"
  systemd-analyze security --offline=yes --threshold=20 "$unit" | tail -1 || fail "systemd-analyze security"
  systemd-analyze security --offline=yes --threshold=20 "$root/deploy/systemd/github-billing-focus.service" | tail -1 || fail "systemd-analyze security (focus)"
else
  echo "SKIP: systemd-analyze is not installed on this machine"
fi

printf '\ncheck-deploy: all checks passed\n'
