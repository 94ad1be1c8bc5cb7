# Tandem — run `make run` to start the app, `make test` to run every check.
SHELL     := /bin/bash
GO        ?= go
TAGS      := migrated_fynedo
BIN       := bin/tandem
DATA_DIR  ?=
# ZOHO_CLIENT_ID: Tandem's Zoho OAuth client id, built in (README,
# "Connecting the real Zoho Desk"); packaging passes it on too.
ZOHO_CLIENT_ID ?=
export ZOHO_CLIENT_ID
LDFLAGS   := $(if $(ZOHO_CLIENT_ID),-X main.zohoClientID=$(ZOHO_CLIENT_ID))
STATICCHECK_VERSION := v0.8.2
GOBIN     := $(shell $(GO) env GOPATH)/bin
export LANG ?= en_US.UTF-8

.PHONY: run build deps test lint vet-cross unit smoke bench bench-import seeds team-seeds fuzz package package-linux package-deb package-windows package-macos clean

## run: install what is missing (asks before sudo), build, open the app on its own database
run: deps build
	./$(BIN) $(if $(DATA_DIR),--data-dir "$(DATA_DIR)")

## deps: check the Debian packages the build and the tests need
deps:
	@.ci/packages.sh run

build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tandem
	$(GO) build -o bin/deskemu ./cmd/deskemu 2>/dev/null || true

## test: gofmt, go vet, staticcheck, go test -race over every package, the Xvfb smoke test
test: lint unit smoke

lint:
	@echo "== gofmt"; out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@echo "== go vet"; $(GO) vet -tags $(TAGS) ./...
	@echo "== staticcheck"; test -x $(GOBIN)/staticcheck || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(GOBIN)/staticcheck -tags $(TAGS) ./...

## unit: go test -race over every package, inside a D-Bus session with a real keyring
unit:
	@echo "== go test -race"
	.ci/with-session.sh $(GO) test -race -tags $(TAGS) -count=1 -timeout 20m ./...

## smoke: start the real binary under Xvfb, wait for the window, screenshot it
smoke: build
	@echo "== smoke test under Xvfb"
	.ci/smoke.sh $(BIN)
	.ci/with-session.sh .ci/tour.sh $(BIN)
	.ci/import-tour.sh $(BIN)
	.ci/import-tour.sh $(BIN) ja_JP.UTF-8
	.ci/with-session.sh .ci/hostile-tour.sh $(BIN) bin/deskemu
	.ci/with-session.sh .ci/hostile-tour.sh $(BIN) bin/deskemu ja_JP.UTF-8
	$(GO) build -tags $(TAGS) -o bin/convoshot ./cmd/convoshot
	mkdir -p .ci-out; LANG=en_US.UTF-8 .ci/xrun.sh bin/convoshot -compose -out .ci-out/convo-en.png
	LANG=ja_JP.UTF-8 .ci/xrun.sh bin/convoshot -compose -out .ci-out/convo-ja.png

## bench: the performance figures the issues ask for, each beside its floor
## and the ratio (the window benchmarks run under Xvfb, the process poll in a
## D-Bus session with a keyring)
BENCHFMT := .ci/benchfmt.sh
bench:
	set -o pipefail; $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 2s ./app/store/ ./sync/desk/ ./sync/deskemu/ ./sync/signals/ | $(BENCHFMT)
	set -o pipefail; $(GO) test -tags $(TAGS) -run '^$$' -bench 'FirstSync|PollNoChange|PollKChanged' -benchtime 3x -timeout 30m ./sync/ | $(BENCHFMT)
	set -o pipefail; $(GO) test -tags $(TAGS) -run '^$$' -bench . ./views/ ./app/richtext/ ./app/display/ | $(BENCHFMT)
	set -o pipefail; .ci/xrun.sh $(GO) test -tags $(TAGS) -run '^$$' -bench 'WindowStart' -benchtime 5x -timeout 30m ./cmd/tandem/ | $(BENCHFMT)
	set -o pipefail; .ci/xrun.sh $(GO) test -tags $(TAGS) -run '^$$' -bench 'WindowTour' -benchtime 1x -timeout 30m ./cmd/tandem/ | $(BENCHFMT)
	set -o pipefail; .ci/with-session.sh $(GO) test -tags $(TAGS) -run '^$$' -bench 'PollNoChangeProcess' -benchtime 1x -timeout 30m ./cmd/tandem/ | $(BENCHFMT)

## bench-import: import and export figures against their floors (several minutes: 1M rows)
bench-import:
	set -o pipefail; $(GO) test -tags $(TAGS) -run '^$$' -bench 'Preview100MB' -benchtime 20x ./app/transfer/ | $(BENCHFMT)
	set -o pipefail; $(GO) test -tags $(TAGS) -run '^$$' -bench 'ImportCSV100k|ImportRSS|ImportXLSX' -benchtime 1x -timeout 40m ./cmd/tandem/ | $(BENCHFMT)

## seeds: the randomized sync test over many seeds (SEEDS=5000); prints how many passed
SEEDS ?= 5000
seeds:
	@set -o pipefail; $(GO) test -count=1 -timeout 120m ./sync -run TestRandomized -seeds=$(SEEDS) -v \
		| grep -E '^(TestRandomized:|ok|FAIL|panic)|replay with'

## team-seeds: the team test (2-4 desktops on one emulator, search lag on,
## kills at every named point) over many seeds (SEEDS=5000); prints how many
## converged and how many duplicate emails were left
team-seeds:
	@set -o pipefail; nice -n 10 $(GO) test -tags $(TAGS) -count=1 -timeout 180m ./sync -run TestTeamRandomized -team-seeds=$(SEEDS) -v \
		| grep -E '^(TestTeamRandomized:|ok|FAIL|panic)|replay with'

## fuzz: a short run of every fuzz target
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzValidEmail -fuzztime 20s ./app/
	$(GO) test -run '^$$' -fuzz FuzzDetect -fuzztime 20s ./app/transfer/
	$(GO) test -run '^$$' -fuzz FuzzDelimited -fuzztime 20s ./app/transfer/
	$(GO) test -run '^$$' -fuzz FuzzVCard -fuzztime 20s ./app/transfer/
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 20s ./app/richtext/
	$(GO) test -run '^$$' -fuzz FuzzLine -fuzztime 20s ./app/display/
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime 20s ./sync/desk/

## vet-cross: go vet for Windows (every package but main) and macOS (every
## package outside views and cmd: Fyne's widgets need cgo on macOS), so the
## platform code (data folders, autostart, instance lock, keyring,
## notifications) cannot rot on Linux
vet-cross:
	@echo "== go vet GOOS=windows"; GOOS=windows CGO_ENABLED=0 $(GO) vet -tags $(TAGS) $$(GOOS=windows CGO_ENABLED=0 $(GO) list -e -tags $(TAGS) -f '{{if ne .Name "main"}}{{.ImportPath}}{{end}}' ./...)
	@echo "== go vet GOOS=darwin"; GOOS=darwin CGO_ENABLED=0 $(GO) vet -tags $(TAGS) $$(GOOS=darwin CGO_ENABLED=0 $(GO) list -e -tags $(TAGS) ./... | grep -v -e '/views' -e '/cmd/')

## package: the packages this machine can build: the .deb and the Windows installer
package: package-deb package-windows

## package-linux: dist/Tandem.tar.xz made by the fyne CLI
package-linux:
	.ci/package.sh linux

## package-deb: dist/tandem_<version>_amd64.deb (desktop entry, icon, AppStream metadata)
package-deb:
	.ci/package.sh deb

## package-windows: dist/Tandem.exe and dist/Tandem-<version>-setup.exe (mingw-w64, NSIS)
package-windows:
	.ci/package.sh windows

## package-macos: dist/Tandem.app and a .dmg; run it on a Mac
package-macos:
	.ci/package.sh macos

clean:
	rm -rf bin dist .ci-out
