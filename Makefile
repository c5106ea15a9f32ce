# github-billing-exporter
GO        ?= go
BINARY    ?= github-billing-exporter
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_USER ?= $(shell id -un 2>/dev/null)@$(shell hostname 2>/dev/null)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
VERSION_PKG = github.com/prometheus/common/version
LDFLAGS = -s -w \
	-X $(VERSION_PKG).Version=$(VERSION) \
	-X $(VERSION_PKG).Revision=$(REVISION) \
	-X $(VERSION_PKG).Branch=$(BRANCH) \
	-X $(VERSION_PKG).BuildUser=$(BUILD_USER) \
	-X $(VERSION_PKG).BuildDate=$(BUILD_DATE)

.PHONY: chart-rules all build demo test test-panelcheck test-race test-norace test-rules test-e2e test-deploy test-build lint checkmetrics bench bench-rss bench-smoke e2e rules deploy-check fuzz clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) .

demo: build
	./$(BINARY) --demo

# The Go tests as CI runs them: the README's test command (every Go test,
# under the race detector, which needs gcc) and the e2e checker's own module.
# The checks that run promtool, Prometheus and Helm are the targets
# test-rules, test-e2e and test-deploy below.
test: test-panelcheck
	$(GO) test -race ./...

# The e2e dashboard check is its own module (scripts/e2e/panelcheck/go.mod) so the
# exporter's go.mod stays free of github.com/prometheus/prometheus; ./... above stops at
# its go.mod.
PANELCHECK = scripts/e2e/panelcheck
test-panelcheck:
	$(GO) -C $(PANELCHECK) test ./...

test-race:
	$(GO) test -race ./...

# The assertions that hold only without the race detector, whose
# instrumentation allocates on its own: the allocation figures. CI runs the
# rest of the Go tests under -race only, so it runs these here.
RACE_OFF_TESTS = ^TestDocumentAnswerIsHeldOnce$$
test-norace:
	$(GO) test -count=1 -run '$(RACE_OFF_TESTS)' ./githubapi

# golangci-lint (.golangci.yml), built once from its module into the tools
# cache that scripts/check-deploy.sh uses for Helm and Compose.
GOLANGCI_LINT_VERSION ?= v2.15.0
TOOLS_DIR ?= $(or $(GBE_TOOLS_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/github-billing-exporter/tools)
GOLANGCI_LINT = $(TOOLS_DIR)/golangci-lint-$(GOLANGCI_LINT_VERSION)

$(GOLANGCI_LINT):
	@mkdir -p $(TOOLS_DIR)
	GOBIN=$(TOOLS_DIR)/.build-$$$$ $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) && \
		mv $(TOOLS_DIR)/.build-$$$$/golangci-lint $@ && rmdir $(TOOLS_DIR)/.build-$$$$

lint: $(GOLANGCI_LINT)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) -C $(PANELCHECK) vet ./...
	$(GOLANGCI_LINT) run ./...
	cd $(PANELCHECK) && $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...

# Scrape the demo and check the exposition with promtool.
checkmetrics: build
	@./scripts/checkmetrics.sh ./$(BINARY)

# The benchmarks behind docs/performance.md. bench-smoke runs each once, on
# small data, as CI does.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./...
	$(MAKE) bench-rss

# The exporter binary refreshing a 1,000,000-row usage report from a
# separate fake process, then answering 10 warm scrapes: time and memory,
# without and with the split by repository (400,000 series).
bench-rss:
	./scripts/bench-rss.sh
	BY_REPOSITORY=1 REPOS=12500 ./scripts/bench-rss.sh

bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x -short ./...

# The checks that run tools beside Go, each a script that exits non-zero on
# a failure; .ci/run calls each target. promtool, prometheus and amtool come
# from Debian's prometheus and prometheus-alertmanager packages.
#
# test-rules: promtool check and test on the rules, amtool on the
# Alertmanager config, the runbook links.
test-rules:
	./scripts/check-rules.sh

# test-e2e: the exporter's demo and its 13-month backfill in a real
# Prometheus, every dashboard query, the rules and alerts, the landing page in
# Chromium (required when CI is set).
test-e2e:
	./scripts/e2e.sh

# test-deploy: the Helm chart (lint, template), the Compose files and the
# systemd unit. Helm and docker compose are built once into TOOLS_DIR;
# COMPOSE_VERSION=none leaves the Compose file check out.
test-deploy:
	./scripts/check-deploy.sh

# test-build: `make build` stamps the version, revision, branch and build date
# into the binary, and --version prints them.
test-build:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(MAKE) --no-print-directory build BINARY="$$tmp/gbe" VERSION=v9.8.7 REVISION=0123456789abcdef \
		BRANCH=release-9.8 BUILD_DATE=2026-11-30T12:34:56Z && \
	out=$$("$$tmp/gbe" --version 2>&1) && \
	for want in 'version v9.8.7' 'revision: 0123456789abcdef' 'branch: release-9.8' 'build date:       2026-11-30T12:34:56Z'; do \
		case "$$out" in *"$$want"*) ;; *) printf 'test-build: --version lacks %s:\n%s\n' "$$want" "$$out"; exit 1 ;; esac; \
	done && echo "test-build: --version prints the version, revision, branch and build date make build stamps"

e2e: test-e2e
rules: test-rules
deploy-check: test-deploy

# Fuzz each target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz:
	@for pkg in ./githubapi ./config; do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -f $(BINARY)

# The Helm chart carries a copy of the rules (Helm warns about symlinks);
# run after changing deploy/prometheus/rules/github-billing.rules.yml.
chart-rules:
	cp deploy/prometheus/rules/github-billing.rules.yml deploy/helm/github-billing-exporter/files/github-billing.rules.yml

# The flag, collector and metric tables under docs/ and the README's
# Collectors table are generated from the code; TestGeneratedDocs fails when
# they are stale.
.PHONY: docs check-shared
docs:
	$(GO) test . -run '^TestGeneratedDocs$$' -count=1 -update

# testdata/METRICS.md and githubapi/testdata/examples are copies of the
# project's shared reference in ../shared: say where they differ.
check-shared:
	./scripts/check-shared.sh

# The many-accounts shape of docs/performance.md: 5,000 organizations with
# the default collectors, served by a separate fake process.
.PHONY: bench-rss-many
bench-rss-many:
	ORGS=5000 ./scripts/bench-rss.sh
