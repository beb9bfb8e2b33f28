# ward: build, demo, test, bench. Run as root on Debian 12 with Go 1.26
# (at /usr/local/go or on PATH).
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
BIN := bin
# Every binary reports this version (internal/version); a build without
# it names its revision.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
LDFLAGS := -X github.com/wardproject/ward/internal/version.Version=$(VERSION)
# Where every ward check finding links its rule (docs/RULES.md#wdNNN);
# a distribution publishing its own docs sets DOCS_BASE_URL.
DOCS_BASE_URL ?= https://github.com/wardproject/ward/blob/main/

# make install PREFIX=... DESTDIR=...: every binary ward ships, its man
# pages and its bash completion.
PREFIX ?= /usr/local
MAN := $(BIN)/man
BINARIES := ward ward-runtime ward-monitor ward-observe ward-audit ward-trust

.PHONY: all build man install deps demo test unit bench conformance managers vet clean

all: build

# ward is built without cgo (internal/testutil.PureGo says why).
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ward-runtime ./cmd/ward-runtime
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ward ./cmd/ward
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ward-monitor ./cmd/ward-monitor
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ward-observe ./cmd/ward-observe
	$(GO) build -ldflags "$(LDFLAGS) -X github.com/wardproject/ward/internal/audit.DocsBaseURL=$(DOCS_BASE_URL)" -o $(BIN)/ward-audit ./cmd/ward-audit
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/ward-trust ./cmd/ward-trust

# Man pages (section 1) from the commands themselves: a generator build
# of ward and ward-runtime (tag mangen) writes them; the shipped
# binaries do not carry cobra/doc.
man:
	rm -rf $(MAN)
	$(GO) build -tags mangen -ldflags "$(LDFLAGS)" -o $(BIN)/.mangen-ward ./cmd/ward
	$(GO) build -tags mangen -ldflags "$(LDFLAGS)" -o $(BIN)/.mangen-ward-runtime ./cmd/ward-runtime
	$(BIN)/.mangen-ward __man $(MAN)
	$(BIN)/.mangen-ward-runtime __man $(MAN)
	rm -f $(BIN)/.mangen-ward $(BIN)/.mangen-ward-runtime

install: build man
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	for b in $(BINARIES); do install -m 0755 $(BIN)/$$b $(DESTDIR)$(PREFIX)/bin/$$b || exit 1; done
	install -m 0644 $(MAN)/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(BIN)/ward completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ward

# What the tests and the demo need from Debian.
deps:
	scripts/install-deps.sh

# The main job: a busybox container, built from Debian's busybox-static
# package, showing what it can see of the machine.
demo: build
	scripts/install-deps.sh demo
	scripts/demo.sh $(BIN)

# Every test, root ones included (they skip with a message without root).
test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

unit:
	$(GO) test -count=1 ./internal/...

# ward-runtime against runc, same bundle, same run; figures go to BENCHMARKS.md.
# ward-runtime against runc, ward against docker (run, import, monitor
# memory), bridges against none and bare veths (inside test namespaces).
bench: deps
	$(GO) test -run '^$$' -bench . -skip '^BenchmarkUnpack200k$$' -benchtime 50x -timeout 40m ./test/bench
	$(GO) test -run '^$$' -bench '^BenchmarkUnpack200k$$' -benchtime 3x ./test/bench
	$(GO) test -run '^$$' -bench . -benchtime 30x ./test/network

conformance: deps
	CONFORMANCE_OPTIONAL_FIXES=1 scripts/conformance.sh --compare

# Docker, containerd (ctr) and containerd's CRI (crictl) drive runc and
# ward-runtime; what the containers see must match.
managers: deps
	scripts/managers/run.sh

vet:
	gofmt -l cmd internal test
	$(GO) vet ./...

clean:
	rm -rf $(BIN)
