#!/usr/bin/env bash
# `make valgrind`: end-to-end tests with the footprint binary under valgrind
# (tests/tools/valgrind_fp.sh: memcheck, definite leaks are errors,
# suppressions in tests/valgrind.supp). A test fails on its own assertions
# or when valgrind reported anything while it ran. Ends with
# "N passed, N failed".
#
# The subset covers every command's main path (and the CLI's option and
# usage-error handling) in under four minutes on two cores (init 66 s, cli 25 s, tour 53 s,
# tiles_quick 65 s, measured alone); valgrind runs
# footprint 20-50x slower:
#   test_cli            every command's options and usage errors
#   test_tour           import (CSV, GeoJSON), rejects, geocode, aggregate
#                       (points and a line), export (GeoJSON, GPKG), render,
#                       each once on a 6-row store
#   test_tiles_quick    tiles (raster with 2 threads, MBTiles, vector, WebP, resume)
#                       and serve (requests, traversal, SIGINT) on a tiny store
# init runs under valgrind once, below (its store is copied by the rest).
# Left out: `make check SAN=1` runs them under ASan+UBSan+LSan, which finds
# the same overflows, use-after-free and leaks; only uninitialised reads are
# valgrind's alone, and those are checked on the main paths above, not on
# these suites' error paths and larger data (VALGRIND_TESTS=... runs any):
#   test_import_csv (86 s under valgrind) and test_geocode (84 s): the CSV
#   reader, field mapping, WKT, the gazetteer's folding and fallbacks;
#   test_import_ogr, test_broken_inputs (in this list until the whole run
#   took 18 minutes in CI: every error path of import, style and gazetteer
#   files, one valgrind start of GDAL per file), and as too slow under valgrind
#   (10^5-10^6-row data sets, A4 renders, world aggregations): aggregate,
#   export, render, run (the stages above, chained), crash_safety, tiles, serve.
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
TESTS=${VALGRIND_TESTS:-test_cli test_tour test_tiles_quick}
export VG_FP_REAL="$PWD/$BUILD/footprint"
export VG_LOG_DIR="$PWD/$BUILD/valgrind"
export FP_ROOT="$PWD"
export FP_BIN="$PWD/tests/tools/valgrind_fp.sh"
rm -rf "$VG_LOG_DIR" && mkdir -p "$VG_LOG_DIR"
command -v valgrind >/dev/null || { echo "valgrind is not installed (make deps)"; echo "0 passed, 1 failed"; exit 1; }
t0=$(date +%s)
passed=0 failed=0

# Reports written since the last call (non-empty logs), moved aside.
reports() {
    local n=0 f
    for f in "$VG_LOG_DIR"/*.log; do
        [ -e "$f" ] || continue
        if [ -s "$f" ]; then
            n=$((n + 1))
            sed 's/^/    /' "$f" | head -40
            mv "$f" "$VG_LOG_DIR/report-$1-$(basename "$f")"
        else
            rm -f "$f"
        fi
    done
    return $n
}

# The default regions, loaded once under valgrind; quiet inits copy it.
cache="$VG_LOG_DIR/init-cache.sqlite"
out=$("$FP_BIN" -q --db "$cache" init 2>&1)
rc=$?
if [ $rc -eq 0 ] && reports init; then
    echo "PASS valgrind: footprint init (the store later quiet inits copy)"
    passed=$((passed + 1))
    export VG_INIT_CACHE="$cache"
else
    echo "FAIL valgrind: footprint init (exit $rc) $out"
    failed=$((failed + 1))
fi

for name in $TESTS; do
    t=tests/e2e/$name.sh
    s=$(date +%s)
    out=$(bash "$t" 2>&1)
    rc=$?
    p=$(grep -c '^PASS ' <<<"$out")
    f=$(grep -c '^FAIL ' <<<"$out")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$out" | tail -20; fi
    [ "$f" -gt 0 ] && grep -A12 '^FAIL ' <<<"$out" | sed 's/^/    /'
    reports "$name"
    r=$?
    if [ $r -gt 0 ]; then
        echo "    valgrind: $r run(s) of footprint reported errors or definite leaks in $name (logs: $VG_LOG_DIR/report-$name-*)"
        f=$((f + 1))
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    echo "valgrind $name: $p passed, $f failed ($(( $(date +%s) - s )) s)"
done
echo "valgrind: $(( $(date +%s) - t0 )) s in all"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
