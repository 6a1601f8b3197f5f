#!/usr/bin/env bash
# Runs every libFuzzer harness in tests/fuzz for SECONDS each (default 120), outside ctest (docs/fuzzing.md).
#   scripts/fuzz.sh [SECONDS] [HARNESS...]     e.g. scripts/fuzz.sh 300 plan import
# Turns PREFLIGHT_BUILD_FUZZERS on in the build directory (default build/, or $PREFLIGHT_BUILD_DIR), builds the
# `fuzzers` target (clang, libFuzzer, ASan, UBSan; build/fuzz/), seeds each corpus from tests/data, tests/corpus,
# docs/examples and tests/fuzz/seeds, and keeps what the fuzzer learns in build/fuzz/corpus/<harness>. A crash,
# leak, timeout or out-of-memory input lands in build/fuzz/artifacts/<harness>/ and the script exits 1: add it to
# tests/data/fuzz/ with a regression test in the normal suite. Runs niced (nice -n 15): it is background work.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(plan import runjson gates pool statementlog histogram)
main=${PREFLIGHT_BUILD_DIR:-build}
build=$main/fuzz
jobs=${PREFLIGHT_FUZZ_BUILD_JOBS:-2}
slow=${PREFLIGHT_FUZZ_SLOW_S:-2}

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found: apt-get install clang" >&2; exit 2; }
if [ ! -f "$main/CMakeCache.txt" ]; then
    cmake -S . -B "$main" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPREFLIGHT_BUILD_FUZZERS=ON
else
    cmake -S . -B "$main" -DPREFLIGHT_BUILD_FUZZERS=ON >/dev/null
fi
# The fuzz project is an ExternalProject: its own `cmake --build` would run ninja at its default width, not -j$jobs.
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
nice -n 10 cmake --build "$main" -j"$jobs" --target fuzzers

seed() { # seed NAME FILE...: copies the files that exist into the harness's corpus
    local dir="$build/corpus/$1"
    shift
    mkdir -p "$dir"
    for f in "$@"; do [ -f "$f" ] && cp -n "$f" "$dir/" || true; done
}
shopt -s nullglob
seed plan tests/corpus/backends/*/plan*.json docs/examples/*.json tests/fuzz/seeds/plan/* tests/data/fuzz/plan-*
seed import tests/data/import/* tests/fuzz/seeds/import/* tests/data/fuzz/import-*
seed runjson tests/data/corpus/*.run.json tests/data/fuzz/runjson-*
seed gates tests/fuzz/seeds/gates/* tests/data/fuzz/gates-*
seed pool tests/fuzz/seeds/pool/* tests/data/fuzz/pool-*
seed statementlog tests/fuzz/seeds/statementlog/* tests/data/fuzz/statementlog-*
seed histogram tests/fuzz/seeds/histogram/* tests/data/fuzz/histogram-*

status=0
for h in "${harnesses[@]}"; do
    mkdir -p "$build/artifacts/$h"
    log="$build/fuzz-$h.log"
    dict=()
    [ -f "tests/fuzz/$h.dict" ] && dict=(-dict="tests/fuzz/$h.dict") # the words of its format, for the mutator
    echo "== $h: ${seconds}s (log: $log)"
    # -timeout is wall time: 30 s, as a loaded shared machine once stretched a 93 ms input past 10 s (a process
    # stopped by SIGSTOP is charged too: run a timeout alone before believing it).
    # -rss_limit_mb: the importer and run reader hold documents of a few MB; 2 GB is a leak or a blow-up.
    # -report_slow_units: an input slower than $slow s (but under the timeout) is written as slow-unit-* next to the
    # crashes; it does not fail the run, and is listed below to be measured alone (the machine or the input?).
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 nice -n 15 \
        "$build/fuzz_$h" "$build/corpus/$h" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
        -report_slow_units="$slow" -max_len=1048576 "${dict[@]}" -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$h/" >"$log" 2>&1; then
        echo "   FAILED: see $log and $build/artifacts/$h/"
        status=1
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ +DONE' "$log" | sed 's/^/   /' || true
    grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 | sed 's/^/   /' || true
    for f in "$build/artifacts/$h"/slow-unit-*; do echo "   slow unit ($(wc -c <"$f") bytes): $f"; done
done
exit $status
