#!/usr/bin/env bash
# footprint benchmarks against the established tools (GDAL/OGR).
# Run from the repository root, normally through `make bench`.
#
# Environment:
#   BUILD        build directory holding footprint (default: build)
#   BENCH_REPS   timed repetitions per command; the median is reported (default: 3)
#   BENCH_N      number of synthetic points (default: 1000000)
#   BENCH_SEED   generator seed (default: 42)
#
# To add a benchmark: write one `bench_case` call (see the two below) — it
# times both sides, checks their output, and adds a row to the summary.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=${BUILD:-build}
REPS=${BENCH_REPS:-3}
N=${BENCH_N:-1000000}
SEED=${BENCH_SEED:-42}
FP=$BUILD/footprint
OUT_DIR=bench/out
DATA_DIR=bench/data

if [ "$N" = 1000000 ]; then LABEL=1M; else LABEL=$N; fi
DATA=$DATA_DIR/points_$(tr 'A-Z' 'a-z' <<<"$LABEL").csv

die() { echo "bench: FATAL: $*" >&2; exit 1; }

[ -x "$FP" ] || die "$FP not found; run 'make' first (or set BUILD)"
for tool in ogr2ogr ogrinfo sqlite3 python3; do
    command -v "$tool" >/dev/null || die "$tool not found; run 'make deps'"
done

# /usr/bin/time (Debian package `time`) gives the peak RSS; install only if missing.
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time missing, installing package 'time'"
    if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends time >/dev/null
    [ -x /usr/bin/time ] || die "could not install /usr/bin/time"
fi

mkdir -p "$OUT_DIR" "$DATA_DIR"
T=$(mktemp -d "${TMPDIR:-/tmp}/fp-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
# Case commands are strings run with `bash -c`, so they see these variables.
export FP T DATA N BUILD

# ---------------------------------------------------------------- report --
REPORT=$T/report.txt      # header + summary, copied to bench/out/results.txt
SUMMARY=$T/summary.tsv    # one line per case
: >"$REPORT"; : >"$SUMMARY"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
mem=$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null || true)
say "footprint benchmarks — $(date '+%Y-%m-%d %H:%M:%S %Z')"
say "machine:   $(nproc) cores, ${cpu:-unknown CPU}, ${mem:-? RAM}, $(uname -sr)"
say "footprint: $("$FP" --version 2>&1 | head -1)"
say "ogr2ogr:   $(ogr2ogr --version 2>&1 | head -1)"
say "sqlite3:   $(sqlite3 --version 2>&1 | cut -d' ' -f1)"
say "python3:   $(python3 --version 2>&1)"
say "reps:      $REPS per command, median reported; data: $DATA ($N rows, seed $SEED)"
say ""

# ------------------------------------------------------------------ data --
# Regenerate only when missing or when the generator / N / seed changed.
stamp_want="$(sha256sum bench/gen_points.py | cut -d' ' -f1) n=$N seed=$SEED"
if [ -f "$DATA" ] && [ -f "$DATA.sha256" ] && [ "$(cat "$DATA.sha256")" = "$stamp_want" ]; then
    echo "data: reusing $DATA"
else
    echo "data: generating $DATA ($N rows, seed $SEED) ..."
    rm -f "$DATA.sha256"
    t0=$(date +%s.%N)
    python3 bench/gen_points.py "$N" "$DATA.tmp" --seed "$SEED"
    mv "$DATA.tmp" "$DATA"
    printf '%s\n' "$stamp_want" >"$DATA.sha256"
    echo "data: generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
fi
rows=$(($(wc -l <"$DATA") - 1))
[ "$rows" = "$N" ] || die "$DATA has $rows data rows, expected $N"
echo

# --------------------------------------------------------------- helpers --
# run_timed CMD: runs `bash -c CMD` under /usr/bin/time; sets LAST_SECS (wall
# clock, from date +%s.%N) and LAST_RSS (peak RSS in KiB of the command; bash
# execs a simple command in place, so this is the tool's own RSS).
run_timed() {
    local t0 t1
    t0=$(date +%s.%N)
    if ! /usr/bin/time -f %M -o "$T/rss" bash -c "$1" >"$T/cmd.out" 2>&1; then
        echo "---- command failed: $1" >&2
        tail -n 20 "$T/cmd.out" >&2
        die "command failed"
    fi
    t1=$(date +%s.%N)
    LAST_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", b-a}')
    LAST_RSS=$(tail -n 1 "$T/rss")
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END{m=int((NR+1)/2); if (NR%2) print v[m]; else printf "%.3f\n", (v[m]+v[m+1])/2}'; }
max()    { printf '%s\n' "$@" | sort -g | tail -n 1; }

# measure SIDE SETUP CMD CHECK: REPS timed runs of CMD, each after an untimed
# SETUP; CHECK runs (untimed) after every run and must succeed.
# Sets MED_SECS, MAX_RSS and ALL_SECS.
measure() {
    local side=$1 setup=$2 cmd=$3 check=$4 i secs=() rss=()
    for ((i = 1; i <= REPS; i++)); do
        [ -z "$setup" ] || bash -c "$setup" >"$T/setup.out" 2>&1 \
            || { cat "$T/setup.out" >&2; die "$side setup failed: $setup"; }
        run_timed "$cmd"
        secs+=("$LAST_SECS"); rss+=("$LAST_RSS")
        printf '  %-9s run %d: %8.2f s  peak RSS %6d MiB\n' "$side" "$i" "$LAST_SECS" $((LAST_RSS / 1024))
        [ -z "$check" ] || bash -c "$check" || die "$side check failed after run $i"
    done
    MED_SECS=$(median "${secs[@]}")
    MAX_RSS=$(max "${rss[@]}")
    ALL_SECS="${secs[*]}"
}

# bench_case NAME TARGET_RATIO THEIRS_TOOL [--ours CMD] [--ours-setup CMD]
#            [--ours-check CMD] [--theirs CMD] [--theirs-setup CMD]
#            [--theirs-check CMD] [--skip REASON]
# Times both sides, prints "NAME: footprint X s, TOOL Y s, ratio Rx (target >= Tx)"
# and records a summary row. ratio = theirs / ours (higher is better for us).
bench_case() {
    local name=$1 target=$2 tool=$3; shift 3
    local ours="" ours_setup="" ours_check="" theirs="" theirs_setup="" theirs_check="" skip=""
    while [ $# -gt 0 ]; do
        case $1 in
            --ours) ours=$2 ;;
            --ours-setup) ours_setup=$2 ;;
            --ours-check) ours_check=$2 ;;
            --theirs) theirs=$2 ;;
            --theirs-setup) theirs_setup=$2 ;;
            --theirs-check) theirs_check=$2 ;;
            --skip) skip=$2 ;;
            *) die "bench_case: unknown option $1" ;;
        esac
        shift 2
    done
    if [ -n "$skip" ]; then
        say "$name: skipped ($skip)"
        printf '%s\t-\t-\t%s\t-\t%s\t-\t-\tskipped: %s\n' "$name" "$tool" "$target" "$skip" >>"$SUMMARY"
        return 0
    fi
    echo "== $name"
    measure footprint "$ours_setup" "$ours" "$ours_check"
    local o_secs=$MED_SECS o_rss=$MAX_RSS o_all=$ALL_SECS
    measure "$tool" "$theirs_setup" "$theirs" "$theirs_check"
    local t_secs=$MED_SECS t_rss=$MAX_RSS t_all=$ALL_SECS
    local ratio status
    ratio=$(awk -v o="$o_secs" -v t="$t_secs" 'BEGIN{printf "%.1f", (o > 0 ? t / o : 0)}')
    if awk -v r="$ratio" -v g="$target" 'BEGIN{exit !(r >= g)}'; then status=ok; else status="BELOW TARGET"; fi
    say "$name: footprint $(printf %.2f "$o_secs") s, $tool $(printf %.2f "$t_secs") s, ratio ${ratio}x (target >= ${target}x)"
    say "  runs: footprint [$o_all] s; $tool [$t_all] s; peak RSS footprint $((o_rss / 1024)) MiB, $tool $((t_rss / 1024)) MiB"
    printf '%s\t%.2f\t%.2f\t%s\t%s\t%s\t%d\t%d\t%s\n' "$name" "$o_secs" "$t_secs" "$tool" "$ratio" "$target" \
        $((o_rss / 1024)) $((t_rss / 1024)) "$status" >>"$SUMMARY"
    echo
}

# ---------------------------------------------------------------- checks --
# check_fp_store DB: projects holds exactly N rows and a filled spatial index.
check_fp_store() {
    local db=$1 n geom sidx idx
    n=$(sqlite3 "$db" 'select count(*) from projects') || die "cannot count projects in $db"
    [ "$n" = "$N" ] || die "footprint store $db: projects has $n rows, expected $N"
    IFS='|' read -r geom sidx < <(sqlite3 "$db" \
        "select f_geometry_column, spatial_index_enabled from geometry_columns where lower(f_table_name)='projects'")
    [ "${sidx:-0}" = 1 ] || die "footprint store $db: projects.${geom:-?} has no spatial index"
    idx=$(sqlite3 "$db" "select count(*) from \"idx_projects_${geom}\"") || die "cannot read idx_projects_${geom}"
    [ "$idx" = "$N" ] || die "footprint store $db: spatial index has $idx entries, expected $N"
}
# check_ogr_store DB: layer projects has N features (ogrinfo) and a filled spatial index.
check_ogr_store() {
    local db=$1 n out
    n=$(ogrinfo -ro -so "$db" projects | sed -n 's/^Feature Count: //p')
    [ "$n" = "$N" ] || die "ogr2ogr output $db: layer projects has ${n:-?} features, expected $N"
    out=$(ogrinfo -ro -q "$db" -sql "SELECT (SELECT spatial_index_enabled FROM geometry_columns WHERE lower(f_table_name)='projects') AS sidx, (SELECT count(*) FROM idx_projects_GEOMETRY) AS nidx")
    grep -q 'sidx (Integer) = 1$' <<<"$out" || die "ogr2ogr output $db: no spatial index on projects"
    grep -q "nidx (Integer) = $N\$" <<<"$out" || die "ogr2ogr output $db: spatial index does not hold $N entries"
}
export N
export -f check_fp_store check_ogr_store die

# ------------------------------------------------------------ benchmarks --
# A. import: CSV -> SpatiaLite table with a spatial index, one transaction.
bench_case "import $LABEL CSV points" 4 ogr2ogr \
    --ours-setup   'rm -f "$T/ours.sqlite" && "$FP" --quiet --db "$T/ours.sqlite" init' \
    --ours         '"$FP" --quiet --db "$T/ours.sqlite" import "$DATA"' \
    --ours-check   'check_fp_store "$T/ours.sqlite"' \
    --theirs-setup 'rm -f "$T/ogr.sqlite"' \
    --theirs       'ogr2ogr -f SQLite -dsco SPATIALITE=YES "$T/ogr.sqlite" "$DATA" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326 -nln projects -gt 65536' \
    --theirs-check 'check_ogr_store "$T/ogr.sqlite"'
rm -f "$T/ours.sqlite" "$T/ogr.sqlite"

# B. read CSV: parse every row into points. OGR side: its CSV driver read in
# full, written to a discarded CSV stream (`ogrinfo -q` would also format each
# feature; `ogrinfo -qq` does not read features at all).
CSVBENCH=$BUILD/footprint-csvbench
export CSVBENCH
if [ -x "$CSVBENCH" ]; then
    bench_case "read $LABEL CSV points" 1 ogr2ogr \
        --ours   '"$CSVBENCH" "$DATA" >/dev/null' \
        --theirs 'ogr2ogr -f CSV /vsistdout/ "$DATA" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat >/dev/null'
else
    echo "csv read: skipped (no footprint-csvbench)"
    bench_case "read $LABEL CSV points" 1 ogr2ogr --skip "no $CSVBENCH"
fi

# --------------------------------------------------------------- summary --
say ""
say "summary (median of $REPS; ratio = other tool time / footprint time)"
{
    printf 'benchmark\tfootprint s\tother s\ttool\tratio\ttarget\tfp RSS MiB\tother RSS MiB\tstatus\n'
    awk -F'\t' -v OFS='\t' '{ $6 = ">= " $6 "x"; if ($5 != "-") $5 = $5 "x"; print }' "$SUMMARY"
} | column -t -s $'\t' | tee -a "$REPORT"
cp "$REPORT" "$OUT_DIR/results.txt"
echo
echo "written: $OUT_DIR/results.txt"
