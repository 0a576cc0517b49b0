#!/usr/bin/env bash
# footprint benchmarks against the established tools (GDAL/OGR, PostGIS,
# SpatiaLite SQL). Run from the repository root, normally through `make bench`.
#
# Environment:
#   BUILD        build directory holding footprint (default: build)
#   BENCH_REPS   timed repetitions per command; the median is reported (default: 3)
#   BENCH_N      number of synthetic points (default: 1000000)
#   BENCH_SEED   generator seed (default: 42)
#   BENCH_SQL_REPS  timed repetitions of the SpatiaLite SQL aggregation
#                (default: 1; it takes about a minute)
#   BENCH_10M    0 skips the 10,000,000-point aggregation case (default: 1)
#   BENCH_PGPORT loopback port of the private PostgreSQL server (default: 54329)
#
# To add a benchmark: write one `bench_case` call (see the ones below) — it
# times both sides, checks their output, and adds a row to the summary.
# `bench_alone` times footprint on its own against absolute targets.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD=${BUILD:-build}
REPS=${BENCH_REPS:-3}
N=${BENCH_N:-1000000}
SEED=${BENCH_SEED:-42}
SQL_REPS=${BENCH_SQL_REPS:-1}
BIG=${BENCH_10M:-1}
PGPORT=${BENCH_PGPORT:-54329}
FP=$BUILD/footprint
OUT_DIR=bench/out
DATA_DIR=bench/data
N_BIG=10000000

label_of() { if [ "$1" = 1000000 ]; then echo 1M; elif [ "$1" = 10000000 ]; then echo 10M; else echo "$1"; fi; }
LABEL=$(label_of "$N")
DATA=$DATA_DIR/points_$(tr 'A-Z' 'a-z' <<<"$LABEL").csv
DATA_BIG=$DATA_DIR/points_10m.csv

die() { echo "bench: FATAL: $*" >&2; exit 1; }

[ -x "$FP" ] || die "$FP not found; run 'make' first (or set BUILD)"
for tool in ogr2ogr ogrinfo sqlite3 python3; do
    command -v "$tool" >/dev/null || die "$tool not found; run 'make deps'"
done

# apt_install PKG...: installs Debian packages; only called when something is missing.
apt_install() {
    local sudo=sudo
    [ "$(id -u)" != 0 ] || sudo=
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# /usr/bin/time (Debian package `time`) gives the peak RSS; install only if missing.
if [ ! -x /usr/bin/time ]; then
    echo "bench: /usr/bin/time missing, installing package 'time'"
    apt_install time
    [ -x /usr/bin/time ] || die "could not install /usr/bin/time"
fi

# PostgreSQL + PostGIS for the aggregation case; install only if missing.
pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
PGBIN=$(pg_bindir)
PGVER=${PGBIN#/usr/lib/postgresql/}; PGVER=${PGVER%/bin}
if [ -z "$PGBIN" ] || [ ! -f "/usr/share/postgresql/$PGVER/extension/postgis.control" ]; then
    echo "bench: PostGIS missing, installing package 'postgresql-${PGVER:-15}-postgis-3'"
    apt_install "postgresql-${PGVER:-15}-postgis-3" || true
    PGBIN=$(pg_bindir)
    PGVER=${PGBIN#/usr/lib/postgresql/}; PGVER=${PGVER%/bin}
fi
PG_MISSING=
if [ -z "$PGBIN" ] || [ ! -f "/usr/share/postgresql/$PGVER/extension/postgis.control" ]; then
    PG_MISSING="PostgreSQL/PostGIS not installed and could not be installed"
    echo "bench: $PG_MISSING; the PostGIS case will be skipped" >&2
fi

mkdir -p "$OUT_DIR" "$DATA_DIR"
T=$(mktemp -d "${TMPDIR:-/tmp}/fp-bench.XXXXXX")

# The private PostgreSQL server (started below) must never outlive the script:
# cleanup stops it on every exit, including `die`, errors and Ctrl-C.
PGTMP=        # its directory (data, socket, log), set once created
PGRUN=()      # prefix running the server's commands as a non-root user
pg_stop() {
    [ -n "$PGTMP" ] && [ -f "$PGTMP/data/postmaster.pid" ] || return 0
    local pid
    pid=$(head -n 1 "$PGTMP/data/postmaster.pid" 2>/dev/null || true)
    if ! "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast -w -t 60 stop >/dev/null 2>&1; then
        # pg_ctl could not stop it: stop the postmaster we started, by its id.
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            echo "bench: pg_ctl stop failed; sending SIGQUIT to postmaster $pid" >&2
            kill -QUIT "$pid" 2>/dev/null || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        fi
    fi
    return 0
}
cleanup() {
    set +e
    if [ -n "$PGTMP" ]; then
        pg_stop
        rm -rf "$PGTMP"
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# Case commands are strings run with `bash -c`, so they see these variables.
export FP T DATA N BUILD DATA_BIG N_BIG

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
say "sqlite3:   $(sqlite3 --version 2>&1 | cut -d' ' -f1), SpatiaLite $(sqlite3 :memory: '.load mod_spatialite' 'select spatialite_version()' 2>/dev/null || echo '?')"
if [ -z "$PG_MISSING" ]; then
    say "postgres:  $("$PGBIN/postgres" --version 2>&1 | head -1), PostGIS $(sed -n "s/^default_version *= *'\(.*\)'/\1/p" "/usr/share/postgresql/$PGVER/extension/postgis.control")"
fi
say "python3:   $(python3 --version 2>&1)"
say "reps:      $REPS per command, median reported (SpatiaLite SQL: $SQL_REPS); data: $DATA ($N rows, seed $SEED)"
say ""

# ------------------------------------------------------------------ data --
# ensure_data N FILE: regenerate FILE only when missing or when the
# generator / N / seed changed.
ensure_data() {
    local n=$1 file=$2 stamp_want t0 rows
    stamp_want="$(sha256sum bench/gen_points.py | cut -d' ' -f1) n=$n seed=$SEED"
    if [ -f "$file" ] && [ -f "$file.sha256" ] && [ "$(cat "$file.sha256")" = "$stamp_want" ]; then
        echo "data: reusing $file"
    else
        echo "data: generating $file ($n rows, seed $SEED) ..."
        rm -f "$file.sha256"
        t0=$(date +%s.%N)
        python3 bench/gen_points.py "$n" "$file.tmp" --seed "$SEED"
        mv "$file.tmp" "$file"
        printf '%s\n' "$stamp_want" >"$file.sha256"
        echo "data: generated in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
    fi
    rows=$(($(wc -l <"$file") - 1))
    [ "$rows" = "$n" ] || die "$file has $rows data rows, expected $n"
}
ensure_data "$N" "$DATA"
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

# measure SIDE SETUP CMD CHECK [REPS] [RSS_FILE]: REPS (default $REPS) timed
# runs of CMD, each after an untimed SETUP; CHECK runs (untimed) after every
# run and must succeed. If RSS_FILE is given, the command writes its peak RSS
# (KiB) there and that replaces /usr/bin/time's figure (for client/server
# tools, where the work is done by a server process). The output of the last
# run is kept in $T/SIDE.out. Sets MED_SECS, MAX_RSS and ALL_SECS.
measure() {
    local side=$1 setup=$2 cmd=$3 check=$4 reps=${5:-$REPS} rss_file=${6:-} first=${7:-1} i secs=() rss=()
    for ((i = first; i < first + reps; i++)); do
        [ -z "$setup" ] || bash -c "$setup" >"$T/setup.out" 2>&1 \
            || { cat "$T/setup.out" >&2; die "$side setup failed: $setup"; }
        [ -z "$rss_file" ] || rm -f "$rss_file"
        run_timed "$cmd"
        if [ -n "$rss_file" ]; then
            [ -s "$rss_file" ] || die "$side: the command did not write its peak RSS to $rss_file"
            LAST_RSS=$(tr -dc 0-9 <"$rss_file")
        fi
        cp "$T/cmd.out" "$T/$side.out"
        secs+=("$LAST_SECS"); rss+=("$LAST_RSS")
        printf '  %-9s run %d: %8.2f s  peak RSS %6d MiB\n' "$side" "$i" "$LAST_SECS" $((LAST_RSS / 1024))
        [ -z "$check" ] || bash -c "$check" || die "$side check failed after run $i"
    done
    MED_SECS=$(median "${secs[@]}")
    MAX_RSS=$(max "${rss[@]}")
    ALL_SECS="${secs[*]}"
}

# say_timing SIDE: copies the FOOTPRINT_TIMING=1 step times of SIDE's last run
# (lines "  step   0.123 s, cpu 0.200 s") into the report, on one line.
say_timing() {
    local steps
    steps=$(awk '/^  [a-z_ -]+ +[0-9.]+ s(, cpu [0-9.]+ s)?$/ { sub(/^ +/, ""); gsub(/ +/, " "); printf "%s%s", sep, $0; sep = ", " }' "$T/$1.out")
    [ -z "$steps" ] || say "  footprint steps (FOOTPRINT_TIMING=1, last run): $steps"
}

declare -A OURS_CACHE=()

# bench_case NAME TARGET_RATIO THEIRS_TOOL [--ours CMD] [--ours-setup CMD]
#            [--ours-check CMD] [--ours-key KEY] [--theirs CMD] [--theirs-setup CMD]
#            [--theirs-check CMD] [--theirs-reps N] [--theirs-rss FILE]
#            [--skip REASON]
# Times both sides, prints "NAME: footprint X s, TOOL Y s, ratio Rx (target >= Tx)"
# and records a summary row. ratio = theirs / ours (higher is better for us).
# --ours-key KEY: the footprint side is measured once per KEY; a later case
# with the same KEY reuses those runs (same command, compared to another tool).
# --theirs-reps N: timed runs of the other tool (default $REPS).
# --theirs-rss FILE: see measure (the other tool's peak RSS comes from FILE).
bench_case() {
    local name=$1 target=$2 tool=$3; shift 3
    local ours="" ours_setup="" ours_check="" ours_key="" theirs="" theirs_setup="" theirs_check=""
    local theirs_reps=$REPS theirs_rss="" skip=""
    while [ $# -gt 0 ]; do
        case $1 in
            --ours) ours=$2 ;;
            --ours-setup) ours_setup=$2 ;;
            --ours-check) ours_check=$2 ;;
            --ours-key) ours_key=$2 ;;
            --theirs) theirs=$2 ;;
            --theirs-setup) theirs_setup=$2 ;;
            --theirs-check) theirs_check=$2 ;;
            --theirs-reps) theirs_reps=$2 ;;
            --theirs-rss) theirs_rss=$2 ;;
            --skip) skip=$2 ;;
            *) die "bench_case: unknown option $1" ;;
        esac
        shift 2
    done
    if [ -n "$skip" ]; then
        say "$name: skipped ($skip)"
        printf '%s\t-\t-\t%s\t-\t>= %sx\t-\t-\tskipped: %s\n' "$name" "$tool" "$target" "$skip" >>"$SUMMARY"
        return 0
    fi
    echo "== $name"
    local o_secs o_rss o_all
    if [ -n "$ours_key" ] && [ -n "${OURS_CACHE[$ours_key]:-}" ]; then
        IFS='|' read -r o_secs o_rss o_all <<<"${OURS_CACHE[$ours_key]}"
        echo "  footprint: reusing the runs above [$o_all] s"
        measure "$tool" "$theirs_setup" "$theirs" "$theirs_check" "$theirs_reps" "$theirs_rss"
    elif [ "$theirs_reps" = "$REPS" ] && [ "$REPS" -gt 1 ]; then
        # Interleaved, one run each in turn, so that both sides meet the
        # same drift of this shared host (a SpatiaLite import timed after
        # the PostgreSQL cases ran 4.7-5.1 s against 3.1-3.9 s before them).
        local i os=() orss=() ts=() trss=()
        for ((i = 1; i <= REPS; i++)); do
            measure footprint "$ours_setup" "$ours" "$ours_check" 1 "" "$i"
            os+=("$MED_SECS"); orss+=("$MAX_RSS")
            measure "$tool" "$theirs_setup" "$theirs" "$theirs_check" 1 "$theirs_rss" "$i"
            ts+=("$MED_SECS"); trss+=("$MAX_RSS")
        done
        o_secs=$(median "${os[@]}") o_rss=$(max "${orss[@]}") o_all="${os[*]}"
        [ -z "$ours_key" ] || OURS_CACHE[$ours_key]="$o_secs|$o_rss|$o_all"
        MED_SECS=$(median "${ts[@]}") MAX_RSS=$(max "${trss[@]}") ALL_SECS="${ts[*]}"
    else
        measure footprint "$ours_setup" "$ours" "$ours_check"
        o_secs=$MED_SECS o_rss=$MAX_RSS o_all=$ALL_SECS
        [ -z "$ours_key" ] || OURS_CACHE[$ours_key]="$o_secs|$o_rss|$o_all"
        measure "$tool" "$theirs_setup" "$theirs" "$theirs_check" "$theirs_reps" "$theirs_rss"
    fi
    local t_secs=$MED_SECS t_rss=$MAX_RSS t_all=$ALL_SECS
    local ratio status
    ratio=$(awk -v o="$o_secs" -v t="$t_secs" 'BEGIN{printf "%.1f", (o > 0 ? t / o : 0)}')
    if awk -v r="$ratio" -v g="$target" 'BEGIN{exit !(r >= g)}'; then status=ok; else status="BELOW TARGET"; fi
    say "$name: footprint $(printf %.2f "$o_secs") s, $tool $(printf %.2f "$t_secs") s, ratio ${ratio}x (target >= ${target}x)"
    say "  runs: footprint [$o_all] s; $tool [$t_all] s; peak RSS footprint $((o_rss / 1024)) MiB, $tool $((t_rss / 1024)) MiB"
    printf '%s\t%.2f\t%.2f\t%s\t%sx\t>= %sx\t%d\t%d\t%s\n' "$name" "$o_secs" "$t_secs" "$tool" "$ratio" "$target" \
        $((o_rss / 1024)) $((t_rss / 1024)) "$status" >>"$SUMMARY"
    echo
}

# bench_alone NAME [--ours CMD] [--ours-setup CMD] [--ours-check CMD]
#             [--max-secs S] [--max-rss-mib M] [--skip REASON]
# Times footprint alone (no other tool does this job); reports the median
# seconds and peak RSS, checked against the optional absolute targets.
bench_alone() {
    local name=$1; shift
    local ours="" ours_setup="" ours_check="" max_secs="" max_rss="" skip="" target="" status=ok
    while [ $# -gt 0 ]; do
        case $1 in
            --ours) ours=$2 ;;
            --ours-setup) ours_setup=$2 ;;
            --ours-check) ours_check=$2 ;;
            --max-secs) max_secs=$2 ;;
            --max-rss-mib) max_rss=$2 ;;
            --skip) skip=$2 ;;
            *) die "bench_alone: unknown option $1" ;;
        esac
        shift 2
    done
    [ -z "$max_secs" ] || target="< ${max_secs} s"
    [ -z "$max_rss" ] || target="${target:+$target, }< ${max_rss} MiB"
    if [ -n "$skip" ]; then
        say "$name: skipped ($skip)"
        printf '%s\t-\t-\t-\t-\t%s\t-\t-\tskipped: %s\n' "$name" "${target:--}" "$skip" >>"$SUMMARY"
        return 0
    fi
    echo "== $name"
    measure footprint "$ours_setup" "$ours" "$ours_check"
    local mib=$((MAX_RSS / 1024))
    if [ -n "$max_secs" ] && ! awk -v s="$MED_SECS" -v m="$max_secs" 'BEGIN{exit !(s < m)}'; then status="BELOW TARGET"; fi
    if [ -n "$max_rss" ] && [ "$mib" -ge "$max_rss" ]; then status="BELOW TARGET"; fi
    [ -n "$target" ] || status=-
    say "$name: footprint $(printf %.2f "$MED_SECS") s, peak RSS $mib MiB${target:+ (target $target)}"
    say "  runs: footprint [$ALL_SECS] s"
    printf '%s\t%.2f\t-\t-\t-\t%s\t%d\t-\t%s\n' "$name" "$MED_SECS" "${target:--}" "$mib" "$status" >>"$SUMMARY"
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
# check_fp_agg DB NPOINTS: footprint's agg_country_by_category accounts for
# every point (countries + the '_unassigned' row = NPOINTS) and the per-project
# table has one row per point.
check_fp_agg() {
    local db=$1 n=$2 sum nassign
    sum=$(sqlite3 "$db" "select sum(projects) from agg_country_by_category where level = 'country'") \
        || die "cannot read agg_country_by_category in $db"
    [ "${sum%.0}" = "$n" ] || die "footprint $db: level 'country' (with _unassigned) holds $sum projects, expected $n"
    nassign=$(sqlite3 "$db" "select count(*) from agg_country_by_category_assign")
    [ "$nassign" = "$n" ] || die "footprint $db: agg_country_by_category_assign has $nassign rows, expected $n"
}
# compare_counts LABEL FP_DB COUNTS_FILE: COUNTS_FILE ("code|count" per
# country, from the other tool) against footprint's per-country projects in
# FP_DB. The sum over countries of |difference| may be at most 0.01 % of N
# (points exactly on a border: footprint gives them to the first country in
# code order, ST_Contains to none).
compare_counts() {
    local label=$1 db=$2 theirs=$3
    sqlite3 -separator '|' "$db" \
        "select code, projects from agg_country_by_category where level = 'country' and code <> '_unassigned' and projects > 0" \
        >"$T/fp_counts.txt" || die "cannot read agg_country_by_category in $db"
    compare_count_files "$label" "$T/fp_counts.txt" "$theirs"
}
# compare_count_files LABEL FP_COUNTS THEIR_COUNTS: the same check on two
# "code|count" files (footprint's read from a PostGIS store).
compare_count_files() {
    local label=$1 ours=$2 theirs=$3 out
    out=$(awk -F'|' -v n="$N" -v label="$label" '
        FNR == NR { fp[$1] = $2 + 0; next }
                  { th[$1] = $2 + 0 }
        END {
            for (c in fp) codes[c] = 1; for (c in th) codes[c] = 1
            for (c in codes) {
                d = fp[c] - th[c]; if (d < 0) d = -d
                if (d > 0) { k++; diff += d; if (k <= 5) ex = ex sprintf(" %s %d/%d", c, fp[c], th[c]) }
                tf += fp[c]; tt += th[c]
            }
            lim = n / 10000
            printf "  check vs %s: points in a country: footprint %d, %s %d; %d countries differ, sum of |differences| %d (limit %d)%s\n",
                label, tf, label, tt, k, diff, lim, (k ? ";" ex " (footprint/" label ")" : "")
            exit (diff > lim)
        }' "$ours" "$theirs") || { echo "$out"; return 1; }
    echo "$out"
}
export N
export -f check_fp_store check_ogr_store check_fp_agg compare_counts compare_count_files die

# pg_quiet: waits (up to a minute) until the private PostgreSQL server, if
# it runs, has no autovacuum worker. After a 1M-row load the server vacuums
# it on its own: a timed run beside that loses a core (the SpatiaLite import
# took 8.2-8.6 s against 5.3 s alone; the first 1M aggregation 1.20 s
# against 0.80-0.87 s). Every timed run while the server is up waits first.
pg_quiet() {
    [ -n "${PSQL:-}" ] || return 0
    local i n
    for i in $(seq 1 120); do
        # A server no longer there (stopped after its cases) has nothing running.
        n=$($PSQL -d postgres -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'" 2>/dev/null) || return 0
        [ "$n" = 0 ] && break
        sleep 0.5
    done
    # The buffers the last load dirtied go to the kernel now (fsync is off:
    # the setups' `sync` then writes them out), not from the background
    # writer during the next timed run: a SpatiaLite import timed after
    # three 1M-row COPYs took 12.7 / 11.0 / 8.5 s against 4.5 s in case A.
    $PSQL -d postgres -c CHECKPOINT >/dev/null 2>&1 || true
}
export -f pg_quiet

# ------------------------------------------------------------ benchmarks --
# A. import: CSV -> SpatiaLite table with a spatial index, one transaction.
# Targets here are the open issue's (issue 16: import 6x, export 5x, render
# 2.5x Mapnik, tiles 10x per core), higher than the ones first set.
bench_case "import $LABEL CSV points" 6 ogr2ogr \
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

# C. aggregate N points into the 252 countries, one column per category.
# Untimed set-up: one footprint store (init + import); its points and its
# country polygons (regions WHERE level = 'country') are copied with ogr2ogr
# into a private PostGIS database (GiST indexes, VACUUM ANALYZE) and into a
# plain SpatiaLite database (R*Tree index on the points), so all three tools
# work on identical geometries.
echo "== set-up for the aggregation cases (untimed)"
"$FP" --quiet --db "$T/agg_base.sqlite" init
"$FP" --quiet --db "$T/agg_base.sqlite" import "$DATA"
check_fp_store "$T/agg_base.sqlite"
PTS_SQL="SELECT id, category, geom FROM projects"
CTY_SQL="SELECT code, name, geom FROM regions WHERE level = 'country'"

# SpatiaLite database for the SQL side.
t0=$(date +%s.%N)
ogr2ogr -f SQLite -dsco SPATIALITE=YES "$T/sl.sqlite" "$T/agg_base.sqlite" -sql "$PTS_SQL" \
    -nln points -nlt POINT -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -gt 65536
ogr2ogr -append -f SQLite "$T/sl.sqlite" "$T/agg_base.sqlite" -sql "$CTY_SQL" \
    -nln countries -nlt MULTIPOLYGON -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom
IFS='|' read -r sl_pts sl_idx sl_cty < <(sqlite3 "$T/sl.sqlite" \
    "select (select count(*) from points), (select count(*) from idx_points_geom), (select count(*) from countries)")
[ "$sl_pts" = "$N" ] && [ "$sl_idx" = "$N" ] && [ "$sl_cty" = 252 ] \
    || die "SpatiaLite copy: $sl_pts points, $sl_idx index entries, $sl_cty countries (expected $N, $N, 252)"
echo "  SpatiaLite database: $N points (R*Tree index), 252 countries ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
cat >"$T/sl_agg.sql" <<'SQL'
CREATE TABLE r AS
SELECT c.code, p.category, count(*)
FROM countries c JOIN points p
  ON ST_Contains(c.geom, p.geom)
 AND p.ROWID IN (SELECT ROWID FROM SpatialIndex
                 WHERE f_table_name = 'points' AND search_frame = c.geom)
GROUP BY 1, 2;
SQL

# Private PostgreSQL server: its own data directory and socket in a fresh
# temporary directory, TCP on 127.0.0.1:$PGPORT only, trust authentication
# for the local user `bench`. Durability is off (fsync, synchronous_commit,
# full_page_writes): that only helps PostgreSQL. Everything else is the
# server's default configuration (JIT and parallel query on).
PG_SKIP=$PG_MISSING
if [ -z "$PG_SKIP" ]; then
    if (exec 3<>"/dev/tcp/127.0.0.1/$PGPORT") 2>/dev/null; then
        die "port $PGPORT on 127.0.0.1 is in use; set BENCH_PGPORT to a free port"
    fi
    PGTMP=$(mktemp -d "${TMPDIR:-/tmp}/fp-bench-pg.XXXXXX")
    if [ "$(id -u)" = 0 ]; then
        # PostgreSQL refuses to run as root: run the server as user postgres
        # (created by the Debian package).
        id -u postgres >/dev/null 2>&1 || die "running as root and there is no user 'postgres' to run the server"
        chown postgres: "$PGTMP"
        PGRUN=(runuser -u postgres --)
    fi
    "${PGRUN[@]}" test -w "$PGTMP" || die "$PGTMP is not writable by the server's user"
    t0=$(date +%s.%N)
    "${PGRUN[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U bench --auth=trust -E UTF8 --no-locale >"$T/initdb.log" 2>&1 \
        || { cat "$T/initdb.log" >&2; die "initdb failed"; }
    "${PGRUN[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$PGTMP/server.log" >&2; die "could not start PostgreSQL"; }
    PSQL="$PGBIN/psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p $PGPORT -U bench -d bench"
    PGDSN="PG:host=127.0.0.1 port=$PGPORT dbname=bench user=bench"
    export PSQL
    $PSQL -d postgres -c 'CREATE DATABASE bench' >/dev/null
    $PSQL -c 'CREATE EXTENSION postgis' >/dev/null
    ogr2ogr -f PostgreSQL "$PGDSN" "$T/agg_base.sqlite" -sql "$PTS_SQL" -nln points -nlt POINT \
        -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE -gt 65536
    ogr2ogr -f PostgreSQL "$PGDSN" "$T/agg_base.sqlite" -sql "$CTY_SQL" -nln countries -nlt MULTIPOLYGON \
        -a_srs EPSG:4326 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE
    $PSQL -c 'CREATE INDEX points_geom_gist ON points USING GIST (geom)' \
          -c 'CREATE INDEX countries_geom_gist ON countries USING GIST (geom)' \
          -c 'VACUUM ANALYZE points' -c 'VACUUM ANALYZE countries'
    IFS='|' read -r pg_pts pg_cty < <($PSQL -At -c "select (select count(*) from points), (select count(*) from countries)")
    [ "$pg_pts" = "$N" ] && [ "$pg_cty" = 252 ] || die "PostGIS copy: $pg_pts points, $pg_cty countries (expected $N, 252)"
    echo "  PostGIS database: $N points, 252 countries, GiST indexes ($(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s)"
    # The timed query. psql only sends it; the join runs in the server backend,
    # so the peak RSS reported is that backend's VmHWM, read before it exits.
    cat >"$T/pg_agg.sql" <<'SQL'
SELECT pg_backend_pid() AS backend_pid \gset
CREATE TABLE r AS SELECT c.code, p.category, count(*) FROM points p JOIN countries c ON ST_Contains(c.geom, p.geom) GROUP BY 1,2;
\setenv FP_BENCH_BACKEND :backend_pid
\! sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB$/\1/p' /proc/$FP_BENCH_BACKEND/status >"$T/pg.rss"
SQL
fi
echo

# Every timed run starts from a fresh copy of the imported store; `sync` makes
# the kernel write the copy out before the clock starts (on 2 cores the
# write-back would otherwise compete with the timed run). Both sides sync.
AGG_SETUP='rm -f "$T/agg.sqlite" && cp "$T/agg_base.sqlite" "$T/agg.sqlite" && pg_quiet && sync'
AGG_CMD='FOOTPRINT_TIMING=1 "$FP" --db "$T/agg.sqlite" aggregate --by country --group category --snap-km 0'
AGG_CHECK='check_fp_agg "$T/agg.sqlite" "$N"'
if [ -n "$PG_SKIP" ]; then
    bench_case "aggregate $LABEL points into countries by category" 10 PostGIS --skip "$PG_SKIP"
else
    bench_case "aggregate $LABEL points into countries by category" 10 PostGIS --ours-key agg \
        --ours-setup "$AGG_SETUP" --ours "$AGG_CMD" --ours-check "$AGG_CHECK" \
        --theirs-setup '$PSQL -c "DROP TABLE IF EXISTS r" && pg_quiet && sync' \
        --theirs       '$PSQL -f "$T/pg_agg.sql"' \
        --theirs-rss   "$T/pg.rss" \
        --theirs-check '$PSQL -At -F"|" -c "select code, sum(count) from r group by code" >"$T/pg_counts.txt" && compare_counts PostGIS "$T/agg.sqlite" "$T/pg_counts.txt"'
    say_timing footprint

    # Point by point (untimed, once): which points do footprint and ST_Contains
    # place differently? footprint's per-project table is copied into PostGIS.
    sqlite3 -csv "$T/agg.sqlite" "select project_id, region_code from agg_country_by_category_assign" >"$T/fp_assign.csv"
    $PSQL >/dev/null <<SQL
CREATE TABLE fpa (project_id bigint, region_code text);
\\copy fpa FROM '$T/fp_assign.csv' CSV
CREATE TABLE pgp AS SELECT p.id, c.code FROM points p JOIN countries c ON ST_Contains(c.geom, p.geom);
CREATE TABLE diff AS SELECT DISTINCT id FROM (
    (SELECT project_id, region_code FROM fpa WHERE region_code IS NOT NULL EXCEPT SELECT id, code FROM pgp)
    UNION ALL
    (SELECT id, code FROM pgp EXCEPT SELECT project_id, region_code FROM fpa WHERE region_code IS NOT NULL)) d(id, code);
SQL
    ndiff=$($PSQL -At -c "select count(*) from diff")
    say "  point by point: $ndiff of $N points placed differently by footprint and ST_Contains (limit $((N / 10000)))"
    if [ "$ndiff" -gt 0 ]; then
        $PSQL -At -F' ' -c "
            SELECT 'id ' || d.id, 'lon ' || ST_X(p.geom), 'lat ' || ST_Y(p.geom),
                   'footprint ' || coalesce((SELECT region_code FROM fpa WHERE project_id = d.id), 'unassigned'),
                   'PostGIS ' || coalesce((SELECT string_agg(code, '+' ORDER BY code) FROM pgp WHERE pgp.id = d.id), 'none')
            FROM diff d JOIN points p ON p.id = d.id ORDER BY d.id LIMIT 10" | sed 's/^/    /' | tee -a "$REPORT"
    fi
    [ "$ndiff" -le $((N / 10000)) ] || die "footprint and PostGIS place $ndiff points differently (more than 0.01 %)"
    $PSQL -c 'DROP TABLE fpa, pgp, diff' >/dev/null
    echo
fi

bench_case "aggregate $LABEL points into countries by category" 100 "SpatiaLite-SQL" --ours-key agg \
    --ours-setup "$AGG_SETUP" --ours "$AGG_CMD" --ours-check "$AGG_CHECK" \
    --theirs-setup 'sqlite3 "$T/sl.sqlite" "DROP TABLE IF EXISTS r" && sync' \
    --theirs       'sqlite3 -bail "$T/sl.sqlite" ".load mod_spatialite" ".read $T/sl_agg.sql"' \
    --theirs-reps  "$SQL_REPS" \
    --theirs-check 'sqlite3 -separator "|" "$T/sl.sqlite" "select code, sum(\"count(*)\") from r group by code" >"$T/sl_counts.txt" && compare_counts SpatiaLite "$T/agg.sqlite" "$T/sl_counts.txt"'
# D. footprint with PostGIS as its store (issue 14), in the same server.
# D1. import N CSV points: footprint into an initialised database (a fresh
# copy made with CREATE DATABASE ... TEMPLATE, untimed) against the best
# plain load: COPY of the CSV into a table whose point is a generated
# column, then the GiST index and ANALYZE. Target: at least as fast.
# D2. aggregate the N points footprint stored into countries x category
# with footprint on PostGIS against the same job in PostGIS SQL, done the
# way PostGIS users speed it up: ST_Contains on ST_Subdivide'd countries
# (255 vertices a piece) with a GiST index, JIT off. Target: 5x.
if [ -n "$PG_SKIP" ]; then
    bench_case "import $LABEL CSV points into PostGIS" 1 PostGIS-COPY --skip "$PG_SKIP"
    bench_case "import $LABEL CSV points into SpatiaLite, against COPY + GiST" 1 PostGIS-COPY --skip "$PG_SKIP"
    bench_case "aggregate $LABEL points into countries by category on PostGIS" 5 PostGIS-SQL --skip "$PG_SKIP"
else
    echo "== set-up for footprint on PostGIS (untimed)"
    FPURL="postgresql://bench@127.0.0.1:$PGPORT"
    export FPURL
    $PSQL -d postgres -c 'CREATE DATABASE fpinit' >/dev/null
    $PSQL -d fpinit -c 'CREATE EXTENSION postgis' >/dev/null
    "$FP" --quiet --db "$FPURL/fpinit" init
    cat >"$T/pg_copy.sql" <<SQL
CREATE TABLE copied(id bigint, company text, category text, name text, year integer, amount double precision,
    lon double precision, lat double precision,
    geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);
\\copy copied(id, company, category, name, year, amount, lon, lat) FROM '$PWD/$DATA' CSV HEADER
CREATE INDEX copied_geom ON copied USING gist(geom);
ANALYZE copied;
SQL
    [ "$(head -1 "$DATA")" = "id,company,category,name,year,amount,lon,lat" ] || die "$DATA: unexpected columns for the COPY side"
    bench_case "import $LABEL CSV points into PostGIS" 1 PostGIS-COPY \
        --ours-setup '$PSQL -d postgres -c "DROP DATABASE IF EXISTS fpi" -c "CREATE DATABASE fpi TEMPLATE fpinit" >/dev/null && pg_quiet && sync' \
        --ours       'FOOTPRINT_TIMING=1 "$FP" --db "$FPURL/fpi" import "$DATA"' \
        --ours-check 'n=$($PSQL -d fpi -At -c "select count(*) from projects where geom is not null"); [ "$n" = "$N" ] || die "footprint on PostGIS: $n points stored, expected $N"' \
        --theirs-setup '$PSQL -c "DROP TABLE IF EXISTS copied" && pg_quiet && sync' \
        --theirs       '$PSQL -f "$T/pg_copy.sql"' \
        --theirs-check 'n=$($PSQL -At -c "select count(*) from copied where geom is not null"); [ "$n" = "$N" ] || die "COPY: $n points, expected $N"'
    say_timing footprint
    # A2. case A's SpatiaLite import against the same COPY + GiST (issue 16:
    # the import faster than PostgreSQL's best plain load, durability off).
    bench_case "import $LABEL CSV points into SpatiaLite, against COPY + GiST" 1 PostGIS-COPY \
        --ours-setup   'rm -f "$T/ours.sqlite" && "$FP" --quiet --db "$T/ours.sqlite" init && pg_quiet && sync' \
        --ours         '"$FP" --quiet --db "$T/ours.sqlite" import "$DATA"' \
        --ours-check   'check_fp_store "$T/ours.sqlite"' \
        --theirs-setup '$PSQL -c "DROP TABLE IF EXISTS copied" && pg_quiet && sync' \
        --theirs       '$PSQL -f "$T/pg_copy.sql"' \
        --theirs-check 'n=$($PSQL -At -c "select count(*) from copied where geom is not null"); [ "$n" = "$N" ] || die "COPY: $n points, expected $N"'
    rm -f "$T/ours.sqlite"
    $PSQL -c 'DROP TABLE copied' >/dev/null

    $PSQL -c 'CREATE TABLE countries_sub AS SELECT code, ST_Subdivide(geom, 255) AS geom FROM countries' \
          -c 'CREATE INDEX countries_sub_geom ON countries_sub USING gist(geom)' -c 'ANALYZE countries_sub' >/dev/null
    cat >"$T/pg_agg_sub.sql" <<'SQL'
SET jit = off;
SELECT pg_backend_pid() AS backend_pid \gset
CREATE TABLE r2 AS SELECT c.code, p.category, count(*) FROM points p JOIN countries_sub c ON ST_Contains(c.geom, p.geom) GROUP BY 1,2;
\setenv FP_BENCH_BACKEND :backend_pid
\! sed -n 's/^VmHWM:[^0-9]*\([0-9]*\) kB$/\1/p' /proc/$FP_BENCH_BACKEND/status >"$T/pg_sub.rss"
SQL
    # Untimed: the freshly loaded table vacuumed, as the other side's `points`
    # long has been, so that neither side pays the first reader's hint-bit
    # writes nor races autovacuum (footprint's first run was 0.6 s slower).
    $PSQL -d fpi -c 'VACUUM ANALYZE projects' >/dev/null
    bench_case "aggregate $LABEL points into countries by category on PostGIS" 5 PostGIS-SQL-subdivided \
        --ours       'FOOTPRINT_TIMING=1 "$FP" --db "$FPURL/fpi" aggregate --by country --group category --snap-km 0' \
        --ours-check '$PSQL -d fpi -At -F"|" -c "select code, projects from agg_country_by_category where level = '"'"'country'"'"' and code <> '"'"'_unassigned'"'"' and projects > 0" >"$T/fp_pg_counts.txt"' \
        --theirs-setup '$PSQL -c "DROP TABLE IF EXISTS r2" && pg_quiet && sync' \
        --theirs       '$PSQL -f "$T/pg_agg_sub.sql"' \
        --theirs-rss   "$T/pg_sub.rss" \
        --theirs-check '$PSQL -At -F"|" -c "select code, sum(count) from r2 group by code" >"$T/pg_sub_counts.txt" && compare_count_files PostGIS-SQL "$T/fp_pg_counts.txt" "$T/pg_sub_counts.txt"'
    say_timing footprint
    echo
fi

# A3. the import of the 10M points that makes D's store (kept for D below),
# timed against PostgreSQL's COPY + GiST of the same file (issue 16: faster
# than it, and the cost growing linearly from 1M). One run each, about a
# minute each.
BIG_IMPORT="import $(label_of "$N_BIG") CSV points into SpatiaLite, against COPY + GiST"
if [ "$BIG" = 0 ]; then
    bench_case "$BIG_IMPORT" 1 PostGIS-COPY --skip "BENCH_10M=0"
elif [ -n "$PG_SKIP" ]; then
    bench_case "$BIG_IMPORT" 1 PostGIS-COPY --skip "$PG_SKIP"
else
    ensure_data "$N_BIG" "$DATA_BIG"
    sed "s|'$PWD/$DATA'|'$PWD/$DATA_BIG'|" "$T/pg_copy.sql" >"$T/pg_copy_big.sql"
    grep -qF "'$PWD/$DATA_BIG'" "$T/pg_copy_big.sql" || die "pg_copy_big.sql does not read $DATA_BIG"
    REPS=1 bench_case "$BIG_IMPORT" 1 PostGIS-COPY \
        --ours-setup   'rm -f "$T/big_base.sqlite" && "$FP" --quiet --db "$T/big_base.sqlite" init && pg_quiet && sync' \
        --ours         '"$FP" --quiet --db "$T/big_base.sqlite" import "$DATA_BIG"' \
        --ours-check   'N=$N_BIG check_fp_store "$T/big_base.sqlite"' \
        --theirs-setup '$PSQL -c "DROP TABLE IF EXISTS copied" && pg_quiet && sync' \
        --theirs       '$PSQL -f "$T/pg_copy_big.sql"' \
        --theirs-check 'n=$($PSQL -At -c "select count(*) from copied where geom is not null"); [ "$n" = "$N_BIG" ] || die "COPY: $n points, expected $N_BIG"'
    $PSQL -c 'DROP TABLE copied' >/dev/null
    # Linear growth: the 10M import's time against the 1M one's (A2's median).
    small=$(awk -F'\t' -v n="import $LABEL CSV points into SpatiaLite, against COPY + GiST" '$1 == n {print $2}' "$SUMMARY")
    big=$(awk -F'\t' -v n="$BIG_IMPORT" '$1 == n {print $2}' "$SUMMARY")
    if [ -n "$small" ] && [ -n "$big" ]; then
        say "  import cost $(label_of "$N_BIG") / $LABEL: $(awk -v a="$big" -v b="$small" 'BEGIN{printf "%.1f", a / b}') (linear: $((N_BIG / N)))"
    fi
    echo
fi

# The PostgreSQL server is no longer needed.
pg_stop
rm -rf "$PGTMP"; PGTMP=
rm -f "$T/sl.sqlite"

# C2. the same with footprint's default snapping (points within 25 km of a
# country go to the nearest one). The other tools do not snap: seconds only.
bench_alone "aggregate $LABEL points into countries by category, default snapping" \
    --ours-setup "$AGG_SETUP" \
    --ours       'FOOTPRINT_TIMING=1 "$FP" --db "$T/agg.sqlite" aggregate --by country --group category' \
    --ours-check "$AGG_CHECK"
say_timing footprint
say "  $(grep -m1 'contained' "$T/footprint.out" | sed 's/^ *//')"
echo

# E. export 1M points to RFC 7946 GeoJSON: footprint's streaming writer
# against GDAL's (ogr2ogr -lco RFC7946=YES) from the same store table.
# Checks: both files hold N features (one per line in both writers) and the
# same coordinates for a sample of ids (within 1e-6 degrees).
check_geojson() {   # FILE N
    local n
    n=$(grep -c '"type": *"Feature"' "$1")
    [ "$n" = "$2" ] || { echo "  $1: $n features, expected $2" >&2; return 1; }
}
compare_geojson_sample() {   # OURS THEIRS
    python3 - "$1" "$2" <<'PY'
import json, sys
def sample(path, limit=2000):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip().rstrip(",")
            if not line.startswith("{") or '"Feature"' not in line[:60]:
                continue
            feat = json.loads(line)
            # source_key (the input's id) is a property in both files.
            out[feat["properties"]["source_key"]] = feat["geometry"]["coordinates"]
            if len(out) >= limit:
                break
    return out
a, b = sample(sys.argv[1]), sample(sys.argv[2])
common = set(a) & set(b)
assert len(common) >= 1000, f"only {len(common)} common ids"
bad = [i for i in common if abs(a[i][0] - b[i][0]) > 1e-6 or abs(a[i][1] - b[i][1]) > 1e-6]
assert not bad, f"coordinates differ for ids {bad[:5]}"
print(f"  {len(common)} sampled features agree")
PY
}
export -f check_geojson
bench_case "export $LABEL points to RFC 7946 GeoJSON" 5 ogr2ogr \
    --ours-setup 'rm -f "$T/fp.geojson" && sync' \
    --ours       '"$FP" --db "$T/agg_base.sqlite" export -o "$T/fp.geojson"' \
    --ours-check 'check_geojson "$T/fp.geojson" "$N"' \
    --theirs-setup 'rm -f "$T/ogr.geojson" && sync' \
    --theirs     'ogr2ogr -f GeoJSON -lco RFC7946=YES "$T/ogr.geojson" "$T/agg_base.sqlite" projects' \
    --theirs-check 'check_geojson "$T/ogr.geojson" "$N"'
compare_geojson_sample "$T/fp.geojson" "$T/ogr.geojson" | tee -a "$REPORT"
EXPORT_RSS_BIG=$(awk -F'\t' -v n="export $LABEL points to RFC 7946 GeoJSON" '$1 == n {print $7}' "$SUMMARY")
rm -f "$T/fp.geojson" "$T/ogr.geojson"

# F. streaming: the export's peak memory with 10,000 features against 1M.
head -n 10001 "$DATA" >"$T/small.csv"
"$FP" --quiet --db "$T/small.sqlite" init
"$FP" --quiet --db "$T/small.sqlite" import "$T/small.csv"
run_timed '"$FP" --db "$T/small.sqlite" export -o "$T/small.geojson"'
EXPORT_RSS_SMALL=$((LAST_RSS / 1024))
growth=$((EXPORT_RSS_BIG - EXPORT_RSS_SMALL))
if [ "$growth" -le 8 ]; then flat=ok; else flat="ABOVE TARGET"; fi
say "export peak memory: 10,000 features $EXPORT_RSS_SMALL MiB, $LABEL features $EXPORT_RSS_BIG MiB (growth $growth MiB, target <= 8 MiB: $flat)"
printf '%s\t%s\t-\t-\t-\t<= 8 MiB growth\t%s\t-\t%s\n' "export peak memory 10k -> $LABEL features" "-" "$growth" "$flat" >>"$SUMMARY"
rm -f "$T/small.csv" "$T/small.sqlite" "$T/small.geojson"
echo
rm -f "$T/agg.sqlite" "$T/agg_base.sqlite"

# D. aggregate 10,000,000 points (default options): targets under 8 s and
# under 2 GiB peak RSS. Untimed: generate (cached in bench/data) and import
# (the store A3 imported, when it ran).
BIG_NAME="aggregate $(label_of "$N_BIG") points into countries by category"
if [ "$BIG" = 0 ]; then
    bench_alone "$BIG_NAME" --max-secs 8 --max-rss-mib 2048 --skip "BENCH_10M=0"
else
    ensure_data "$N_BIG" "$DATA_BIG"
    if [ ! -f "$T/big_base.sqlite" ]; then
        echo "== set-up for the $(label_of "$N_BIG") case (untimed): init + import"
        "$FP" --quiet --db "$T/big_base.sqlite" init
        "$FP" --quiet --db "$T/big_base.sqlite" import "$DATA_BIG"
    fi
    N=$N_BIG check_fp_store "$T/big_base.sqlite"
    bench_alone "$BIG_NAME" --max-secs 8 --max-rss-mib 2048 \
        --ours-setup 'rm -f "$T/big.sqlite" && cp "$T/big_base.sqlite" "$T/big.sqlite" && sync' \
        --ours       'FOOTPRINT_TIMING=1 "$FP" --db "$T/big.sqlite" aggregate --by country --group category' \
        --ours-check "check_fp_agg \"\$T/big.sqlite\" $N_BIG"
    say_timing footprint
    say "  $(grep -m1 'contained' "$T/footprint.out" | sed 's/^ *//')"
    rm -f "$T/big.sqlite" "$T/big_base.sqlite"
fi

. bench/geocode_bench.sh  # G. geocode 100,000 rows and init, absolute targets (issue 18)
. bench/render_bench.sh   # R. render: footprint vs Mapnik vs geopandas+matplotlib (issue 5)
. bench/tiles_bench.sh    # T. tiles: footprint vs Mapnik, XYZ z0-6 (issue 6)
. bench/qa_bench.sh       # Q. check 1M points: footprint vs SpatiaLite SQL containment (issue 19)

# --------------------------------------------------------------- summary --
say ""
say "summary (median of $REPS, SpatiaLite SQL: $SQL_REPS; ratio = other tool time / footprint time)"
{
    printf 'benchmark\tfootprint s\tother s\ttool\tratio\ttarget\tfp RSS MiB\tother RSS MiB\tstatus\n'
    cat "$SUMMARY"
} | column -t -s $'\t' | tee -a "$REPORT"
cp "$REPORT" "$OUT_DIR/results.txt"
echo
echo "written: $OUT_DIR/results.txt"
