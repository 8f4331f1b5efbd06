#!/bin/sh
# fuzz.sh runs every fuzz target of the module for a short, fixed time each
# (FUZZTIME, default 15s), one worker each (FUZZPARALLEL, default 1), after
# its seed corpus and its checked-in corpus in testdata/fuzz/FuzzXxx. The
# targets are discovered with `go test -list`, under the native build tags,
# so a new FuzzXxx is fuzzed without editing anything. A crasher fails the
# run and is written by go test to the package's testdata/fuzz/FuzzXxx:
# commit it there as a regression case (plain `go test` then replays it).
set -eu
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-15s}
parallel=${FUZZPARALLEL:-1}
go=${GO:-go}

# `go test -list` prints a package's matching tests, then "ok <package>".
if ! list=$("$go" test -list '^Fuzz' ./... 2>&1); then
	printf '%s\n' "$list" >&2
	echo 'fuzz.sh: cannot list the fuzz targets (go test -list failed)' >&2
	exit 1
fi
targets=$(printf '%s\n' "$list" | awk '
	/^Fuzz/ { names = names " " $1; next }
	/^ok[ \t]/ { n = split(names, a, " "); for (i = 1; i <= n; i++) print $2, a[i]; names = "" }
')
if [ -z "$targets" ]; then
	echo 'fuzz.sh: found no fuzz targets' >&2
	exit 1
fi
count=$(printf '%s\n' "$targets" | wc -l)
echo "fuzz.sh: $count targets, $fuzztime each"
printf '%s\n' "$targets" | while read -r pkg name; do
	echo "== $name ($pkg)"
	"$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -parallel "$parallel" "$pkg"
done
