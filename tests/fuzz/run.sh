#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with Debian's clang-14 and runs each for SECONDS (docs/fuzzing.md).
#
#   run.sh [--keep-corpus] BUILD_DIR SECONDS [TARGET ...]      TARGET: intake geojson query cursor (default all)
#
# Without --keep-corpus (the fuzz_smoke test of `make test`) each target starts from a temporary copy of
# tests/fuzz/corpus/TARGET, deleted afterwards. With it (`make fuzz`) the corpus grows in BUILD_DIR/corpus/TARGET
# from run to run. Crashes, leaks, timeouts and broken invariants are written to BUILD_DIR/crashes/TARGET-*,
# logs to BUILD_DIR/logs/TARGET.log. Exits non-zero if clang or libFuzzer is missing or any target failed.
set -uo pipefail

keep=0
if [ "${1:-}" = --keep-corpus ]; then keep=1; shift; fi
if [ $# -lt 2 ]; then
  echo "usage: $0 [--keep-corpus] BUILD_DIR SECONDS [TARGET ...]" >&2
  exit 2
fi
build=$1 seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(intake geojson query cursor)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CXX_FUZZ=${CXX_FUZZ:-clang++-14}

fail() { echo "fuzz: FAILED: $*" >&2; exit 1; }

# Missing tools fail the test (they are in the Makefile's DEB_PACKAGES): a fuzz run that silently did not run
# would look like a passing one.
command -v "$CXX_FUZZ" >/dev/null ||
  fail "$CXX_FUZZ not found: install the Debian package clang-14 (make deps installs it)"
probe=$(mktemp -d "${TMPDIR:-/tmp}/civicgrid-fuzz-probe.XXXXXX")
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe/p.cc"
"$CXX_FUZZ" -fsanitize=fuzzer,address,undefined "$probe/p.cc" -o "$probe/p" 2> "$probe/err" ||
  { cat "$probe/err" >&2; fail "$CXX_FUZZ cannot link libFuzzer: install the Debian package libclang-rt-14-dev (make deps installs it)"; }

mkdir -p "$build"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$here" -B "$build" -DCMAKE_CXX_COMPILER="$CXX_FUZZ" > "$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; fail "cmake could not configure $here"; }
fi
cmake --build "$build" -j"${JOBS:-2}" > "$build/build.log" 2>&1 ||
  { tail -50 "$build/build.log" >&2; fail "the fuzz targets do not build (log: $build/build.log)"; }

mkdir -p "$build/crashes" "$build/logs"
status=0
for t in "${targets[@]}"; do
  bin=$build/${t}_fuzz
  [ -x "$bin" ] || fail "no fuzz target '$t' (targets: intake geojson query cursor)"
  [ -d "$here/corpus/$t" ] || fail "no seed corpus $here/corpus/$t"
  if [ $keep = 1 ]; then
    corpus=$build/corpus/$t
    mkdir -p "$corpus"
    cp -n "$here/corpus/$t"/* "$corpus"/
  else
    corpus=$probe/corpus-$t
    mkdir -p "$corpus"
    cp "$here/corpus/$t"/* "$corpus"/
  fi
  dict=()
  case $t in intake | geojson) dict=(-dict="$here/json.dict") ;; esac
  log=$build/logs/$t.log
  "$bin" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$t-" "$corpus" > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  size=$(find "$corpus" -type f | wc -l)
  if [ $rc = 0 ]; then
    echo "fuzz $t: ok, ${runs:-?} inputs in ${seconds} s (${rate:-?} exec/s), corpus $size files"
  else
    status=1
    echo "fuzz $t: FAILED (exit $rc); the last lines of $log:"
    grep -E 'ERROR|invariant broken|SUMMARY|Test unit written|timeout|leak' "$log" | head -20
    tail -40 "$log"
    echo "reproduce: $bin $build/crashes/$t-<file>   (see docs/fuzzing.md)"
  fi
done
[ $status = 0 ] || fail "a fuzz target found a problem (inputs in $build/crashes)"
exit 0
