#!/usr/bin/env bash
# Runs every test: the cmocka unit tests (TAP output, one result per case)
# and the end-to-end tests in tests/e2e/ (one result per case). Ends with the
# line "N passed, N failed" and exits non-zero if anything failed.
#
# T=NAME[,NAME...] (make check T=export) runs only the named tests: NAME is a
# suite tests/e2e/test_NAME.sh and/or a unit test BUILD/tests/test_NAME (both
# when both exist, e.g. aggregate); e2e/NAME or unit/NAME picks one of them.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export FP_BIN="$PWD/$BUILD/footprint"
export FP_ROOT="$PWD"
if [ "${SAN:-}" = 1 ]; then
    # A 16 MB quarantine instead of ASan's 256 MB: a freed block stays
    # poisoned (a use after free is caught) until 16 MB more have been freed,
    # far more than any of our commands frees between a free and a stray use
    # of it in the same call chain. Every block ever freed is also written on
    # first reuse, so a big quarantine means more fresh pages: a 12-row import
    # takes 0.87 -> 0.66 CPU-s (206 -> 142 MB peak); 64 MB had already cut
    # geocode + render + init from 8.7 s to 6.9 s against the default.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=99:quarantine_size_mb=16"
    export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
fi
# glibc's malloc asks for transparent huge pages for its heaps (the kernel
# here is in `madvise` mode, so nothing changes until a program asks). On
# these VMs a page fault costs about 11 µs, and most of a test command's
# CPU is starting up: footprint, Python, sqlite3, GDAL's tools and QGIS all
# fault their heaps in 4 KiB at a time. Measured on test_qa alone, twice
# each way: 28.6 / 27.0 s of CPU without, 24.9 / 23.1 s with, page faults
# 716,000 -> 475,000; a whole make check 968 -> 900 CPU-s. It changes no
# result, only how memory is backed. (Under SAN=1 footprint's allocator is
# ASan's, which ignores it; the clients still gain.)
export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.hugetlb=1"
passed=0
failed=0
failed_names=()

# The selection: every test, or those T names.
units=()
for t in "$BUILD"/tests/test_*; do [ -x "$t" ] && units+=("$t"); done
if [ -n "${T:-}" ]; then
    want_units=() want_e2e=()
    for n in ${T//,/ }; do
        kind=${n%%/*}; [ "$kind" = "$n" ] && kind=any
        n=${n#*/}; n=${n#test_}; n=${n%.sh}
        found=0
        if [ "$kind" != e2e ] && [ -x "$BUILD/tests/test_$n" ]; then want_units+=("$BUILD/tests/test_$n"); found=1; fi
        if [ "$kind" != unit ] && [ -f "tests/e2e/test_$n.sh" ]; then want_e2e+=("test_$n"); found=1; fi
        if [ $found = 0 ]; then
            echo "T=$T: no test named '$n' (suites: $(cd tests/e2e && ls test_*.sh | sed 's/^test_//; s/\.sh$//' | tr '\n' ' '); units: $(cd "$BUILD/tests" && ls test_* | grep -v '\.d$' | sed 's/^test_//' | tr '\n' ' '))"
            exit 2
        fi
    done
    units=("${want_units[@]}")
fi

# The unit tests run as one more job beside the suites (under SAN=1 they take
# about a minute on one core); their lines are printed first, as before.
# run_units writes its lines to $logs/units.out and "PASSED FAILED NAMES..."
# to $logs/units.res.
run_units() {
    local t out rc p f up=0 uf=0 names=()
    for t in "${units[@]}"; do
        out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
        rc=$?
        p=$(grep -c '^ok ' <<<"$out")
        f=$(grep -c '^not ok ' <<<"$out")
        if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed, or sanitizer report
        up=$((up + p))
        uf=$((uf + f))
        if [ "$f" -gt 0 ]; then
            names+=("$(basename "$t")")
            echo "$out" | sed 's/^/    /' | tail -40
        fi
        echo "unit $(basename "$t"): $p passed, $f failed"
    done > "$logs/units.out"
    echo "$up $uf ${names[*]}" > "$logs/units.res"
}

# End-to-end suites run in parallel (each in its own temporary folder), the
# longest first so the tail is short; FP_TEST_JOBS sets how many at once
# (default: cores + 2, as the suites wait on disk, browsers, servers and child processes much of the time).
# Results are printed in name order once all have finished.
jobs=${FP_TEST_JOBS:-$(( $(nproc) + 2 ))}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# The tests want Debian's Python (python3-pil, python3-qgis, mod_spatialite).
# Called straight rather than through a version manager's shim on PATH,
# which costs a quarter of a second per call (pyenv), a minute in all.
if [ -x /usr/bin/python3 ]; then
    mkdir -p "$logs/bin" && ln -s /usr/bin/python3 "$logs/bin/python3"
    export PATH="$logs/bin:$PATH"
fi
# (test_render_options and test_render_text by their CPU, 29 and 13 s: last
# in name order, they started at +330 s and ended the run at +369 s.)
longest_first="test_crash_safety test_render test_tiles test_postgis test_column_cache_pg test_tiles_browser test_pmtiles test_geocode test_aggregate
  test_render_options test_column_cache test_export test_timeline test_import_sheets test_qa test_export_fields test_broken_inputs test_facets test_qgis_styles
  test_run test_qgis_project test_render_text test_install test_qgis test_real_data test_serve test_qgis_store"
# Under the sanitizers footprint's own work weighs more than the clients'
# (gazetteer look-ups, QA, imports): the order measured there differs.
if [ "${SAN:-}" = 1 ]; then
    longest_first="test_postgis test_render test_tiles test_crash_safety test_geocode test_aggregate test_column_cache
  test_broken_inputs test_qa
  test_import_sheets test_export test_pmtiles test_export_fields test_facets test_diff test_timeline"
fi
# Under SAN=1 the suites whose subject is another program (QGIS, Chromium)
# are left out: they run footprint's code paths that other suites run too,
# and under the sanitizers they would double the run. They are not counted.
# So is test_column_cache_pg, whose subject is the PostGIS triggers (server
# code): the C paths it runs, the column cache's PostGIS writer and reader,
# run under the sanitizers in test_postgis (bulk imports write the parts,
# its aggregations' readers read them) and test_column_cache (the shared
# encoder and decoder); it took 234 s of the SAN run.
san_skip=" test_qgis test_qgis_store test_qgis_styles test_qgis_project test_tiles_browser test_export_browser test_column_cache_pg "
suites=()
for n in $longest_first; do [ -f "tests/e2e/$n.sh" ] && suites+=("tests/e2e/$n.sh"); done
for t in tests/e2e/test_*.sh; do
    case " $(echo $longest_first) " in *" $(basename "$t" .sh) "*) ;; *) suites+=("$t") ;; esac
done
if [ -n "${T:-}" ]; then
    kept=()
    for t in "${suites[@]}"; do
        case " ${want_e2e[*]} " in *" $(basename "$t" .sh) "*) kept+=("$t") ;; esac
    done
    suites=("${kept[@]}")
fi
if [ "${SAN:-}" = 1 ]; then
    kept=()
    for t in "${suites[@]}"; do
        case "$san_skip" in *" $(basename "$t" .sh) "*) ;; *) kept+=("$t") ;; esac
    done
    suites=("${kept[@]}")
    echo "SAN=1: not run under the sanitizers (clients' suites and the PostGIS triggers', run by plain make check):$san_skip"
fi
# Stores that several suites start from (init, run) are built once, by the
# first suite that asks, and copied by the others (fp_init, fp_run in
# tests/e2e/lib.sh).
export FP_TEMPLATE_DIR="$logs/templates"
mkdir -p "$FP_TEMPLATE_DIR"
# One cache folder (parsed gazetteer, prepared regions) for every suite of the
# run, as a user's ~/.cache/footprint is shared by their commands: each entry
# is built once per run instead of once per suite. Entries are written to a
# temporary name and renamed, so suites filling it at once are safe. The
# cases that test the cache itself use a folder of their own.
export FP_SHARED_CACHE="$logs/cache"
run_suite() {
    local t=$1 name start
    name=$(basename "$t" .sh)
    start=$(date +%s)
    # CPU seconds (user + system) of the suite and every process it waited
    # for: what the suite costs on a shared 2-core machine, beside its wall time.
    /usr/bin/time -o "$logs/$name.cpu" -f "%U %S" bash "$t" > "$logs/$name.out" 2>&1
    echo "$? $(( $(date +%s) - start )) $(( start - run_start ))" > "$logs/$name.rc"
}
run_start=$(date +%s)
run_units &
running=1
for t in "${suites[@]}"; do
    if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
    run_suite "$t" &
    running=$((running + 1))
done
wait

cat "$logs/units.out"
read -r up uf unames < "$logs/units.res" 2>/dev/null || { up=0; uf=1; unames="(the unit tests did not finish)"; }
passed=$((passed + up))
failed=$((failed + uf))
[ -n "$unames" ] && failed_names+=($unames)

for t in $(printf '%s\n' "${suites[@]}" | sort); do
    name=$(basename "$t" .sh)
    out=$(cat "$logs/$name.out" 2>/dev/null)
    read -r rc secs from < "$logs/$name.rc" 2>/dev/null || { rc=1; secs=?; from=?; }
    cpu=$(awk 'NF==2 && $1 ~ /^[0-9.]+$/ {printf "%.0f", $1+$2}' "$logs/$name.cpu" 2>/dev/null)
    p=$(grep -c '^PASS ' <<<"$out")
    f=$(grep -c '^FAIL ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$out" | tail -20; fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -gt 0 ]; then
        failed_names+=("$name.sh")
        grep -A12 '^FAIL ' <<<"$out" | sed 's/^/    /'
    fi
    # "from +N s": when the suite started, for finding the run's idle stretches.
    echo "e2e  $name.sh: $p passed, $f failed (${secs} s from +${from} s, ${cpu:-?} CPU-s)"
done

[ ${#failed_names[@]} -gt 0 ] && echo "failed in: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
