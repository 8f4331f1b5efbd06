#!/bin/sh
# cover.sh reports the statement coverage of every package under kernel/
# and model/ on each build whose code differs: native (the portable
# kernels), GOEXPERIMENT=simd (the host's SIMD kernels) and js/wasm with
# GOEXPERIMENT=simd (the WebAssembly SIMD kernels, in Node). It fails if a
# package is below COVER_MIN percent (default 85). The profiles are left in
# dist/cover.<build>.out: `go tool cover -html=dist/cover.native.out` shows
# what is not covered.
#
# Not gated: model/internal/synth, a generator of test images that only
# other packages' tests run (its own figure is 0 by construction); and
# model/convert under js/wasm, whose differential tests run ONNX Runtime and
# TensorFlow.js in a Node subprocess that js/wasm cannot start (its code has
# no build-specific parts, so the native and SIMD figures stand for it).
set -eu
cd "$(dirname "$0")/.."
min=${COVER_MIN:-85}
go=${GO:-go}
wasm_exec="$("$go" env GOROOT)/lib/wasm"
mkdir -p dist
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0

# cover BUILD SKIP ENV...: runs the tests of BUILD with ENV and prints one
# line per package; packages matching the awk regexp SKIP are not gated.
cover() {
	build=$1
	skip=$2
	shift 2
	if ! env "$@" "$go" test -short -coverprofile="dist/cover.$build.out" ./kernel/... ./model/... >"$out" 2>&1; then
		cat "$out"
		echo "cover.sh: the $build tests failed" >&2
		exit 1
	fi
	awk -v build="$build" -v min="$min" -v skip="$skip" '
		/coverage:/ {
			for (i = 1; i < NF; i++) if ($i == "coverage:") pct = $(i + 1)
			sub("%", "", pct)
			pkg = $1 == "ok" ? $2 : $1
			if (pkg ~ skip) {
				printf "%-11s %-52s %6s%%  (not gated)\n", build, pkg, pct
				next
			}
			low = pct + 0 < min
			bad = bad || low
			printf "%-11s %-52s %6s%%%s\n", build, pkg, pct, low ? "  below " min "%" : ""
		}
		END { exit bad }
	' "$out" || status=1
}

synth='/model/internal/synth$'
cover native "$synth"
cover simd "$synth" GOEXPERIMENT=simd
cover wasm-simd "$synth|/model/convert$" PATH="$wasm_exec:$PATH" GOOS=js GOARCH=wasm GOEXPERIMENT=simd
if [ "$status" -ne 0 ]; then
	echo "cover.sh: packages above are below ${min}% statement coverage" >&2
fi
exit "$status"
