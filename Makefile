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

.PHONY: chart-rules all build demo test test-panelcheck test-race lint checkmetrics bench bench-rss bench-smoke e2e rules deploy-check fuzz clean

all: lint test build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BINARY) .

demo: build
	./$(BINARY) --demo

# The README's test command: every test, including the promtool, Prometheus
# and Helm checks (they need promtool/prometheus/amtool; .ci/run installs them).
test: test-panelcheck
	$(GO) test ./...

# The e2e dashboard check is its own module (scripts/e2e/panelcheck/go.mod) so the
# exporter's go.mod stays free of github.com/prometheus/prometheus; ./... above stops at
# its go.mod.
PANELCHECK = scripts/e2e/panelcheck
test-panelcheck:
	$(GO) -C $(PANELCHECK) test ./...

test-race:
	$(GO) test -race ./...

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

# The benchmarks behind README "Performance". bench-smoke runs each once, on
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

e2e:
	./scripts/e2e.sh

rules:
	./scripts/check-rules.sh

deploy-check:
	./scripts/check-deploy.sh

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

# The flag, collector and metric tables under docs/ are generated from the
# code; TestGeneratedDocs fails when they are stale.
.PHONY: docs check-shared
docs:
	$(GO) test . -run '^TestGeneratedDocs$$' -count=1 -update

# testdata/METRICS.md and githubapi/testdata/examples are copies of the
# project's shared reference in ../shared: say where they differ.
check-shared:
	./scripts/check-shared.sh

# The many-accounts shape of README "Performance": 5,000 organizations with
# the default collectors, served by a separate fake process.
.PHONY: bench-rss-many
bench-rss-many:
	ORGS=5000 ./scripts/bench-rss.sh
