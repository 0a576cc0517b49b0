#!/usr/bin/env bash
# Runs every test: the cmocka unit tests (TAP output, one result per case)
# and the end-to-end tests in tests/e2e/ (one result per case). Ends with the
# line "N passed, N failed" and exits non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export FP_BIN="$PWD/$BUILD/footprint"
export FP_ROOT="$PWD"
if [ "${SAN:-}" = 1 ]; then
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99"
    export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
passed=0
failed=0
failed_names=()

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
    rc=$?
    p=$(grep -c '^ok ' <<<"$out")
    f=$(grep -c '^not ok ' <<<"$out")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed, or sanitizer report
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$(basename "$t")")
        echo "$out" | sed 's/^/    /' | tail -40
    fi
    echo "unit $(basename "$t"): $p passed, $f failed"
done

for t in tests/e2e/test_*.sh; do
    out=$(bash "$t" 2>&1)
    rc=$?
    p=$(grep -c '^PASS ' <<<"$out")
    f=$(grep -c '^FAIL ' <<<"$out")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$out" | tail -20; fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$(basename "$t")")
        grep -A12 '^FAIL ' <<<"$out" | sed 's/^/    /'
    fi
    echo "e2e  $(basename "$t"): $p passed, $f failed"
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed in: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
