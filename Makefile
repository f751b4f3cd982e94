# codegraph-install: the installer, the consent manager and telemetry client,
# and the ingest server. `make test` is what CI runs.

GO       ?= go
COMMIT   ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# A tagged checkout reports its tag; any other build from source is
# 0.0.0-dev+<commit> (SemVer for "not a release"), never a bare hash.
VERSION  ?= $(shell git describe --tags --dirty 2>/dev/null || echo 0.0.0-dev+$(COMMIT))
LDFLAGS  := -s -w \
            -X github.com/getcodegraph/codegraph-install/internal/buildinfo.Version=$(VERSION) \
            -X github.com/getcodegraph/codegraph-install/internal/buildinfo.Commit=$(COMMIT)
# Built as releases are (internal/release, internal/harness): static
# (CGO_ENABLED=0: no dynamic loader or libc at start-up), no symbol table,
# no local paths.
BUILD    := CGO_ENABLED=0 $(GO) build -trimpath
BIN      := bin
GOBIN    ?= $(shell $(GO) env GOPATH)/bin

.PHONY: all build test unit pro portable unprivileged e2e bench golden lint run ingest install audit dist npm clean

all: build

## build: both binaries into bin/, plus bin/codegraph (the same installer under its other name)
build:
	$(BUILD) -ldflags '$(LDFLAGS)' -o $(BIN)/codegraph-install ./cmd/codegraph-install
	cp $(BIN)/codegraph-install $(BIN)/codegraph
	$(BUILD) -ldflags '$(LDFLAGS)' -o $(BIN)/codegraph-ingest ./cmd/codegraph-ingest

## test: format and vet checks, every test with the race detector, the pro build's tests, the permission tests as an unprivileged user, the end-to-end run
test: lint unit pro portable e2e unprivileged

unit:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v /e2e)

## pro: the codegraph-pro build (telemetry compiled out) builds and passes its tests
pro:
	$(GO) vet -tags pro ./...
	$(GO) test -tags pro -count=1 ./...

## portable: the telemetry client vets for Windows (its queue lock there is a file opened without sharing) and macOS
portable:
	GOOS=windows $(GO) vet ./telemetry/...
	GOOS=darwin $(GO) vet ./telemetry/...

## unprivileged: the permission tests that root skips, run as the user nobody when make runs as root (CI)
unprivileged:
	./.ci/unprivileged

## e2e: the whole pipeline against the real binaries and ingest, and the privacy runs traced with strace
e2e:
	$(GO) test -count=1 -v ./e2e/

## bench: every benchmark; figures go to BENCHMARKS.md
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1,2 ./...

## golden: rewrite golden files (and TELEMETRY.md's generated tables)
golden:
	$(GO) test ./... -update

## lint: gofmt, and go vet for this machine and for Windows and macOS (users run all three)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...

## run: the interactive installer
run:
	$(GO) run ./cmd/codegraph-install

## ingest: the ingest server on 127.0.0.1:8787 with its SQLite store
ingest:
	$(GO) run ./cmd/codegraph-ingest serve

## install: codegraph-install and codegraph on PATH (GOBIN)
install:
	CGO_ENABLED=0 $(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/codegraph-install ./cmd/codegraph-ingest
	ln -sf codegraph-install $(GOBIN)/codegraph

## dist: release archives for six platforms and SHA256SUMS into dist/ (reproducible: -trimpath, no build id)
dist:
	$(GO) run ./cmd/codegraph-release -out dist -platforms all -version $(VERSION:v%=%) -commit $(COMMIT)

## npm: dist plus the npm packages (a wrapper and one per platform), packed into dist/npm/
npm:
	$(GO) run ./cmd/codegraph-release -out dist -platforms all -npm -version $(VERSION:v%=%) -commit $(COMMIT)

## audit: check every promise of TELEMETRY.md on this machine, with evidence
audit:
	$(GO) run ./cmd/codegraph-audit

clean:
	rm -rf $(BIN) dist
