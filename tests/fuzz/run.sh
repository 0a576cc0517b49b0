#!/usr/bin/env bash
# Runs each fuzz harness (build-fuzz/fuzz_NAME, built by `make fuzz`) for
# FUZZ_SECONDS, starting from its seed corpus (tests/fuzz/corpus/NAME) and
# its crash regressions (tests/fuzz/regressions/NAME). New corpus entries go
# to build-fuzz/corpus/NAME (not into the source tree); a crash writes its
# input to build-fuzz/artifacts/NAME-crash-*. Prints executions per harness
# (libFuzzer's stat::number_of_executed_units) and exits 1 if any crashed.
#   usage: tests/fuzz/run.sh NAME...      (FUZZ_SECONDS, FUZZ_BUILD from the Makefile)
set -uo pipefail
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
S=${FUZZ_SECONDS:-30}
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$B/artifacts" "$B/logs"
# The harnesses' scratch files (a harness that crashes cannot remove its own).
export TMPDIR="$PWD/$B/tmp"
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
stats="$B/fuzz-stats.txt"
: > "$stats"
crashed=()
printf '%-18s %12s %10s %8s  %s\n' harness executions exec/s corpus result
for name in "$@"; do
    bin="$B/fuzz_$name"
    [ -x "$bin" ] || { echo "$name: $bin missing"; crashed+=("$name"); continue; }
    mkdir -p "$B/corpus/$name"
    seeds=()
    for d in "tests/fuzz/corpus/$name" "tests/fuzz/regressions/$name"; do [ -d "$d" ] && seeds+=("$d"); done
    dict=()
    [ -f "tests/fuzz/dict/$name.dict" ] && dict=(-dict="tests/fuzz/dict/$name.dict")
    log="$B/logs/$name.log"
    nice -n 10 "$bin" "$B/corpus/$name" "${seeds[@]}" "${dict[@]}" -max_total_time="$S" -print_final_stats=1 \
        -timeout=20 -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$B/artifacts/$name-" > "$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(ls "$B/corpus/$name" | wc -l)
    if [ $rc -eq 0 ]; then result=ok; else result="CRASH (exit $rc, see $log)"; crashed+=("$name"); fi
    printf '%-18s %12s %10s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "$corpus" "$result" | tee -a "$stats"
    if [ $rc -ne 0 ]; then grep -m3 -E 'ERROR: |runtime error|invariant broken|Test unit written' "$log" | sed 's/^/    /'; fi
done
if [ ${#crashed[@]} -gt 0 ]; then
    echo "crashed: ${crashed[*]} (inputs in $B/artifacts/; add each to tests/fuzz/regressions/NAME/ once fixed)"
    exit 1
fi
echo "no crashes in ${#@} harnesses, ${S} s each"
