# featuremap build and test entry points. `make serve` and `make test` do all
# set-up on a fresh machine: the Go toolchain arrives through GOTOOLCHAIN and
# npm packages through `npm ci`.
export GOTOOLCHAIN := go1.27.3
export GOFLAGS := -trimpath

GO        ?= go
GOROOT    := $(shell GOTOOLCHAIN=$(GOTOOLCHAIN) $(GO) env GOROOT)
WASM_EXEC := $(GOROOT)/lib/wasm
DIST      := dist
ENGINE    := $(DIST)/featuremap
WASM_ENV  := GOOS=js GOARCH=wasm
SIMD_ENV  := GOEXPERIMENT=simd
# Go packages that run their tests under js/wasm in Node too.
WASM_PKGS := ./kernel/... ./model/... ./wasm/...

GO_SOURCES := $(shell find kernel model wasm tools site -name '*.go' 2>/dev/null) go.mod go.sum
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test check test-go test-race test-simd test-wasm test-node serve bench cover clean

all: build

build: $(ENGINE)/featuremap.wasm $(ENGINE)/featuremap.simd.wasm $(ENGINE)/featuremap.js $(DIST)/site/index.html

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(ENGINE)/featuremap.wasm: $(GO_SOURCES)
	@mkdir -p $(ENGINE)
	$(WASM_ENV) $(GO) build -ldflags=-s -o $@ ./wasm/engine

$(ENGINE)/featuremap.simd.wasm: $(GO_SOURCES)
	@mkdir -p $(ENGINE)
	$(WASM_ENV) $(SIMD_ENV) $(GO) build -ldflags=-s -o $@ ./wasm/engine

$(ENGINE)/featuremap.js: $(wildcard wasm/js/*.js wasm/js/*.d.ts)
	@mkdir -p $(ENGINE)
	cp wasm/js/*.js wasm/js/*.d.ts $(ENGINE)/
	cp $(WASM_EXEC)/wasm_exec.js $(ENGINE)/wasm_exec.js
	chmod u+w $(ENGINE)/*

$(DIST)/site/index.html: build-engine-files $(shell find site -type f -not -name '*.go' 2>/dev/null)
	@mkdir -p $(DIST)/site
	cp -r site/static/. $(DIST)/site/
	cp -r $(ENGINE) $(DIST)/site/
	@touch $@

.PHONY: build-engine-files
build-engine-files: $(ENGINE)/featuremap.wasm $(ENGINE)/featuremap.simd.wasm $(ENGINE)/featuremap.js

test: check test-go test-race test-simd test-wasm test-node

check:
	@test -z "$$(gofmt -l kernel model wasm tools site)" || (gofmt -l kernel model wasm tools site; echo 'gofmt: files above need formatting'; exit 1)
	$(GO) vet ./...
	$(SIMD_ENV) $(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./...
	$(WASM_ENV) $(SIMD_ENV) $(GO) vet ./...
	$(STATICCHECK) ./...
	$(SIMD_ENV) $(STATICCHECK) ./...
	$(WASM_ENV) $(STATICCHECK) ./...
	$(WASM_ENV) $(SIMD_ENV) $(STATICCHECK) ./...

test-go:
	$(GO) test ./...

# The race detector over the concurrent parts (training, worker pools); -short
# keeps the numeric sweeps small under its 5-10x slowdown.
test-race:
	$(GO) test -race -short ./...

test-simd:
	$(SIMD_ENV) $(GO) test ./...

test-wasm:
	PATH="$(WASM_EXEC):$$PATH" $(WASM_ENV) $(GO) test $(WASM_PKGS)
	PATH="$(WASM_EXEC):$$PATH" $(WASM_ENV) $(SIMD_ENV) $(GO) test $(WASM_PKGS)

test-node: build node_modules/.package-lock.json
	node --test wasm/js/test/

serve: build
	$(GO) run ./tools/serve -dir $(DIST)/site -addr 127.0.0.1:8080

bench:
	$(GO) test -run '^$$' -bench . ./kernel/
	$(SIMD_ENV) $(GO) test -run '^$$' -bench . ./kernel/

cover:
	@mkdir -p $(DIST)
	$(GO) test -short -coverprofile=$(DIST)/cover.out ./kernel/... ./model/...
	$(GO) tool cover -func=$(DIST)/cover.out | tail -n 1

clean:
	rm -rf $(DIST)
