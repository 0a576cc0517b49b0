# Sourced by the benchmark cases that also run on their own
# (bench/render_bench.sh, bench/tiles_bench.sh), from the repository's top
# folder, when run directly rather than sourced by bench/run.sh:
#
#   standalone_begin NAME   strict mode, run.sh's variables and helpers (BUILD,
#                           REPS, SEED, FP, T, REPORT, SUMMARY, say, die,
#                           apt_install, ensure_data, bench_case, bench_alone),
#                           a scratch folder and the report's header
#   standalone_end NAME     the summary table, copied to bench/out/NAME_results.txt
# STANDALONE is 1 between the two.

standalone_begin() {
    local name=$1
    set -euo pipefail
    BUILD=${BUILD:-build}
    REPS=${BENCH_REPS:-3}
    # shellcheck disable=SC2034  # used by ensure_data
    SEED=${BENCH_SEED:-42}
    FP=$BUILD/footprint
    OUT_DIR=bench/out
    DATA_DIR=bench/data
    die() { echo "bench: FATAL: $*" >&2; exit 1; }
    say() { printf '%s\n' "$*" | tee -a "$REPORT"; }
    apt_install() {
        local sudo=sudo
        [ "$(id -u)" != 0 ] || sudo=
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    }
    [ -x "$FP" ] || die "$FP not found; run 'make' first (or set BUILD)"
    [ -x /usr/bin/time ] || apt_install time
    # run.sh's helpers, verbatim: ensure_data, and everything between its
    # "helpers" and "checks" section rules (run_timed, median, max, measure,
    # bench_case, bench_alone).
    # shellcheck disable=SC1090
    source <(sed -n -e '/^ensure_data() {/,/^}/p' \
                    -e '/^# -* helpers --$/,/^# -* checks --$/p' bench/run.sh)
    declare -F bench_case >/dev/null && declare -F ensure_data >/dev/null \
        || die "could not load the helpers from bench/run.sh"
    # Sourced inside this function, run.sh's `declare -A OURS_CACHE` made a
    # local: make it global again for bench_case.
    declare -gA OURS_CACHE=()
    mkdir -p "$OUT_DIR" "$DATA_DIR"
    T=$(mktemp -d "${TMPDIR:-/tmp}/fp-$name-bench.XXXXXX")
    trap 'rm -rf "$T"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    export FP T BUILD
    REPORT=$T/report.txt SUMMARY=$T/summary.tsv
    : >"$REPORT"; : >"$SUMMARY"
    STANDALONE=1
    say "footprint $name benchmark — $(date '+%Y-%m-%d %H:%M:%S %Z')"
    say "machine:   $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(uname -sr)"
    say "footprint: $("$FP" --version 2>&1 | head -1)"
}

standalone_end() {
    local name=$1
    say ""
    say "summary (median; ratio = other tool time / footprint time)"
    {
        printf 'benchmark\tfootprint s\tother s\ttool\tratio\ttarget\tfp RSS MiB\tother RSS MiB\tstatus\n'
        cat "$SUMMARY"
    } | column -t -s $'\t' | tee -a "$REPORT"
    cp "$REPORT" "$OUT_DIR/${name}_results.txt"
    echo
    echo "written: $OUT_DIR/${name}_results.txt"
}
