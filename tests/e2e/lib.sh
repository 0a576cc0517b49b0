# Helpers for end-to-end tests: each `case_begin NAME ... case_end` block is
# one test; an assertion failing inside it marks it FAIL with the reason.
# Tests run the real binary ($FP_BIN) in a fresh temporary directory.
set -u
FP=${FP_BIN:?FP_BIN not set}
ROOT=${FP_ROOT:?FP_ROOT not set}
FIX="$ROOT/tests/fixtures"
WORK=$(mktemp -d)
# One headless Chromium for the suite's pages (tests/tools/cdp_page.py starts
# it on first use, in its own session; a page gets a fresh browser context):
# killed, with its renderers, when the suite ends.
export FP_CDP_BROWSER_DIR="$WORK/.chromium"
_fp_exit() {
    local pid
    pid=$(cat "$FP_CDP_BROWSER_DIR/pid" 2>/dev/null) && kill -KILL -- "-$pid" 2>/dev/null
    rm -rf "$WORK"
}
trap _fp_exit EXIT
cd "$WORK"
# The cache (parsed gazetteer, prepared regions) goes to the test run's
# folder (tests/run.sh: FP_SHARED_CACHE, shared by the suites of one run) or,
# for a suite run by itself, to the suite's; never to the user's ~/.cache.
export FOOTPRINT_CACHE="${FP_SHARED_CACHE:-$WORK/.cache}"
_case=""
_fail=""

# FP_TEST_TIMING=1 prints each case's seconds since the previous case ended
# (to find what makes a suite slow; never asserted).
_case_t0=$(date +%s.%N)
case_begin() { _case="$1"; _fail=""; }
case_end() {
    if [ -z "$_fail" ]; then echo "PASS $_case"; else printf 'FAIL %s\n%s\n' "$_case" "$_fail"; fi
    if [ -n "${FP_TEST_TIMING:-}" ]; then
        local t; t=$(date +%s.%N)
        echo "  ($(python3 -c "print(round($t - $_case_t0, 1))") s)"
        _case_t0=$t
    fi
}
fail() { _fail="${_fail}    $*"$'\n'; }
assert_eq() {  # expected actual message
    [ "$1" == "$2" ] || fail "$3: expected [$1], got [$2]"
}
assert_contains() {  # haystack needle message
    grep -qF -- "$2" <<<"$1" || fail "$3: [$2] not found in: $(head -c 600 <<<"$1")"
}
assert_not_contains() {
    grep -qF -- "$2" <<<"$1" && fail "$3: [$2] unexpectedly found"
    return 0
}
# Numbers only (a decimal, optional exponent): anything else fails, as
# python's float() did; awk compares the doubles (it starts in a millisecond,
# python in some 40: assert_near runs hundreds of times a check).
_num_re='^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$'
assert_near() {  # expected actual tolerance message
    [[ $1 =~ $_num_re && $2 =~ $_num_re && $3 =~ $_num_re ]] &&
        awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t + 0) }' ||
        fail "$4: expected $1 ± $3, got [$2]"
}
# Runs footprint, capturing stdout+stderr in $OUT and the exit status in $RC.
run() { OUT=$("$FP" "$@" 2>&1); RC=$?; }
sql() { sqlite3 -batch -noheader "$DB" "$@"; }
# SpatiaLite's functions (independent of footprint) through sqlite3 with
# mod_spatialite loaded: the spatialite shell's own SQLite shell and library,
# at half its start-up cost (74 against 158 ms of CPU a call here).
spatialite_q() { sqlite3 -batch -noheader -cmd '.load mod_spatialite' "$@" 2>/dev/null | grep -v '^$'; }
ssql() { spatialite_q "$DB" "$@"; }
# A mod_spatialite that does not load leaves spatialite_q's output empty, and
# a comparison of two empty outputs would pass: checked once a suite.
[ "$(sqlite3 -batch -noheader -cmd '.load mod_spatialite' :memory: 'SELECT spatialite_version() IS NOT NULL' 2>/dev/null)" = 1 ] ||
    echo "FAIL lib.sh: sqlite3 cannot load mod_spatialite (Debian package libsqlite3-mod-spatialite; make deps)"

# ---- shared stores, built once per `make check` ---------------------------
# Many suites start from the same store: `footprint -q --db DB init` (the
# default regions) or `footprint -q --db DB run` (the main job: store and
# every output next to it). Built by the same binary with the same command,
# such a store is the same whichever suite builds it, so the first suite
# that needs one builds it into FP_TEMPLATE_DIR (set by tests/run.sh; a lock
# makes the others wait for it) and every suite copies it. test_init.sh and
# test_run.sh still run init and run themselves, on every check. Without
# FP_TEMPLATE_DIR (a suite run alone) the command simply runs.
# Outputs differ from a fresh run only in the time in their metadata.

# _fp_template NAME CMD...: DIR of the template NAME, built once with CMD
# (run in the empty folder DIR, store DIR/fp.sqlite). Fails if CMD failed.
_fp_template() {
    local name=$1 dir; shift
    dir=$FP_TEMPLATE_DIR/$name
    (
        flock 9
        if [ ! -e "$dir.done" ] && [ ! -e "$dir.failed" ]; then
            rm -rf "$dir" && mkdir -p "$dir"
            if (cd "$dir" && "$@" > "$dir.log" 2>&1); then touch "$dir.done"; else touch "$dir.failed"; fi
        fi
    ) 9> "$dir.lock"
    [ -e "$dir.done" ]
}
# fp_init DB: a store with the default regions, as `footprint -q --db DB init`.
fp_init() {
    local db=$1
    if [ -n "${FP_TEMPLATE_DIR:-}" ] && [ ! -e "$db" ] && _fp_template init "$FP" -q --db fp.sqlite init; then
        mkdir -p "$(dirname "$db")" && cp "$FP_TEMPLATE_DIR/init/fp.sqlite" "$db" && cat "$FP_TEMPLATE_DIR/init.log"
    else
        "$FP" -q --db "$db" init
    fi
}
# fp_run DB: as `footprint -q --db DB run`: the store and the outputs written
# next to it (in DB's folder), the command's output and exit status.
fp_run() {
    local db=$1 dir
    dir=$(dirname "$db")
    if [ -n "${FP_TEMPLATE_DIR:-}" ] && [ ! -e "$db" ] && _fp_template run "$FP" -q --db fp.sqlite run; then
        mkdir -p "$dir" && cp -r "$FP_TEMPLATE_DIR/run/." "$dir/" &&
            { [ "$dir/fp.sqlite" -ef "$db" ] || mv "$dir/fp.sqlite" "$db"; } && cat "$FP_TEMPLATE_DIR/run.log"
    else
        "$FP" -q --db "$db" run
    fi
}

# ---- waiting on other processes -------------------------------------------
# Every wait on another process waits for the condition itself, with a bound,
# never for a fixed time: on a loaded machine a fixed sleep is a race.

# wait_for_line FILE TEXT [PID] [SECONDS=60]: until FILE contains TEXT; gives
# up early when PID has exited (checking FILE once more). Status 0 if found.
wait_for_line() {
    local file=$1 text=$2 pid=${3:-} bound=${4:-60} i
    for i in $(seq 1 $((bound * 10))); do
        grep -qF -- "$text" "$file" 2>/dev/null && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            grep -qF -- "$text" "$file" 2>/dev/null
            return
        fi
        sleep 0.1
    done
    return 1
}

# hold_lock DB IMMEDIATE|EXCLUSIVE: another process takes the store's write
# lock and holds it until release_lock (or 120 s); returns once the lock is
# really held. LOCK_HOLDER is its PID.
hold_lock() {
    rm -f "$WORK/lock.release" "$WORK/lock.out"
    python3 - "$1" "$2" "$WORK/lock.release" > "$WORK/lock.out" 2>&1 <<'P' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN ' + sys.argv[2])
print('locked', flush=True)
t0 = time.time()
while not os.path.exists(sys.argv[3]) and time.time() - t0 < 120:
    time.sleep(0.05)
c.execute('ROLLBACK')
P
    LOCK_HOLDER=$!
    wait_for_line "$WORK/lock.out" locked $LOCK_HOLDER 60 || fail "the lock holder never took the lock: $(cat "$WORK/lock.out")"
}
release_lock() {
    touch "$WORK/lock.release"
    wait $LOCK_HOLDER 2>/dev/null
}

# cache_points N SEED FIRST: a CSV of N points (ids FIRST..), categories,
# companies, some years and amounts missing, all over the world (the column
# cache's suites, SpatiaLite and PostGIS).
cache_points() {
    awk -v n="$1" -v seed="$2" -v first="$3" 'BEGIN {
        srand(seed); print "id,company,category,status,year,amount,lon,lat"
        split("energy,telecom,surveillance,cables,research", cat, ",")
        split("planned,active,cancelled", sta, ",")
        for (i = 0; i < n; i++) {
            y = rand() < 0.2 ? "" : 2000 + int(rand() * 25)
            a = rand() < 0.3 ? "" : sprintf("%.2f", rand() * 1000)
            c = rand() < 0.1 ? "" : "Company " int(rand() * 40)
            st = rand() < 0.3 ? "" : sta[1 + int(rand() * 3)]
            printf "P%d,%s,%s,%s,%s,%s,%.6f,%.6f\n", first + i, c, cat[1 + int(rand() * 5)], st, y, a,
                   -180 + rand() * 360, -60 + rand() * 135
        }
    }'
}
