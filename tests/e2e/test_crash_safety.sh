#!/usr/bin/env bash
# Crash safety: kill -9 at named points inside import, aggregate, export and
# render, kill -9 at timed moments and SIGINT during an import, a full disk
# (a small tmpfs when this machine lets us mount one, else `ulimit -f`), and
# a store locked by another process.
#
# The kill points are reached deterministically through the library's test
# hook: with FOOTPRINT_TEST_PAUSE_AT=POINT the process prints "paused at
# POINT" and sleeps there (src/common/util.c, fp_test_pause); the test then
# kills it with SIGKILL. After each kill: PRAGMA integrity_check is ok, the
# spatial index is consistent, nothing of the killed run is visible (same
# rows, same aggregation, previous output files byte-identical, no partial
# file at an output path), and the next run completes — and removes the
# hidden temporary files the killed run left behind.
# (The timed kills, SIGINT, the IMMEDIATE lock and the ulimit import were
# test_safety.sh; merged here to share this suite's store and big CSV.)
. "$(dirname "$0")/lib.sh"
DB=c.sqlite
fp_init $DB
"$FP" -q --db $DB import "$FIX/points_good.csv"
# gen_csv FILE ROWS: ROWS random points (the same ones for the same ROWS).
gen_csv() {
    python3 - "$1" "$2" <<'P'
import random, sys
r = random.Random(11)
with open(sys.argv[1], 'w') as f:
    f.write('id,company,category,lon,lat\n')
    for i in range(int(sys.argv[2])):
        f.write('k%d,C%d,%s,%.5f,%.5f\n' % (i, i % 7, ('cloud', 'cable', 'rd_lab')[i % 3],
                                           r.uniform(-180, 180), r.uniform(-80, 80)))
P
}
# The big CSV: enough rows that the import passes its mid-import pause point
# (import:rows, after 65,536 rows: src/ingest/sink.c) and that the full-disk
# cases below overflow their limits (a few MB; these rows add about 20 MB to
# a store). Its size is not otherwise the point: 70,000 rather than the
# 200,000 it once had makes the suite three times cheaper (make check, SAN).
ROWS=70000
N5=$((ROWS + 5)) N7=$((ROWS + 7))    # with points_good.csv's 5, then latin1.csv's 2
gen_csv many.csv $ROWS
# The full-disk import below needs a store of 200,000 points: importing into
# one rewrites enough of its pages that the rollback journal passes the 3 MB
# left on the disk while rows are written (on a 70,000-point store that only
# happens once the index is built). Built meanwhile, in the background.
( gen_csv big.csv 200000 && fp_init big.sqlite && "$FP" -q --db big.sqlite import big.csv ) > big.log 2>&1 & BIG=$!
cp $DB $DB.start    # for the timed kills below
state() { sql "SELECT (SELECT count(*) FROM projects)||'/'||(SELECT count(*) FROM imports)||'/'||(SELECT count(*) FROM rejects)"; }
store_ok() {  # integrity, R*Tree, SpatiaLite's triggers back in place
    assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity_check"
    assert_eq "ok" "$(sql "SELECT rtreecheck('idx_projects_geom')")" "rtreecheck"
    assert_eq "16" "$(sql "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND tbl_name='projects'")" "projects triggers (SpatiaLite's 8, the typed tables' 3, the column cache's 5)"
    # The typed copy QGIS reads (schema 4): as many points as projects has, indexed, triggers back.
    assert_eq "$(sql "SELECT count(*) FROM projects WHERE geom IS NOT NULL")" "$(sql "SELECT count(*) FROM projects_geom_point")" "typed points"
    assert_eq "ok" "$(sql "SELECT rtreecheck('idx_projects_geom_point_geom')")" "typed rtreecheck"
    assert_eq "$(sql "SELECT count(*) FROM projects_geom_point")" "$(sql "SELECT count(*) FROM idx_projects_geom_point_geom")" "typed index entries"
    assert_eq "24" "$(sql "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND tbl_name LIKE 'projects_geom_%'")" "typed tables' triggers"
}
# kill_at POINT ARGS...: runs footprint ARGS with the pause hook at POINT,
# waits until it is there, runs $ON_PAUSE if set, kills it with SIGKILL;
# KILLED_PID is its PID.
KILLS=0
kill_at() {
    local point=$1; shift
    FOOTPRINT_TEST_PAUSE_AT=$point "$FP" "$@" > killed.out 2>&1 &
    KILLED_PID=$!
    local i
    for i in $(seq 1 900); do
        grep -q "paused at $point" killed.out && break
        kill -0 $KILLED_PID 2>/dev/null || break
        sleep 0.1
    done
    if grep -q "paused at $point (pid $KILLED_PID)" killed.out; then
        [ -z "${ON_PAUSE:-}" ] || eval "$ON_PAUSE"    # a look at the files while it waits
        kill -9 $KILLED_PID
        wait $KILLED_PID 2>/dev/null
        assert_eq 137 "$?" "killed by SIGKILL at $point"
        KILLS=$((KILLS + 1))
    else
        kill -9 $KILLED_PID 2>/dev/null; wait $KILLED_PID 2>/dev/null
        fail "never reached $point: $(head -c 300 killed.out)"
    fi
}
# Visible names in a folder (what a user or a web server would see).
visible() { ls "$1" | sort | tr '\n' ' '; }
hidden_leftovers() { ls -A "$1" | grep -c '^\.' ; }

# ------------------------------------------------------------- import ---
before=$(state)
for point in import:begin import:rows import:index import:commit; do
    case_begin "kill -9 during import at $point: the store as before, consistent"
    kill_at $point --db $DB import many.csv
    assert_eq "$before" "$(state)" "projects/imports/rejects"
    store_ok
    case_end
done

case_begin "after four killed imports the same import completes"
run --db $DB import many.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "$ROWS rows read, $ROWS stored, 0 rejected" "summary"
assert_eq "$N5/2/8" "$(state)" "state"
store_ok
case_end

# ------------------------------------------- import: timed kills, SIGINT ---
# On a copy of the store as it was before the named kills (t.sqlite).
cp $DB.start t.sqlite
tstate() { sqlite3 -batch -noheader t.sqlite "SELECT (SELECT count(*) FROM projects)||'/'||(SELECT count(*) FROM imports)||'/'||(SELECT count(*) FROM rejects)"; }
tbefore=$(tstate)
for delay in 0.05 0.3 0.8; do
    case_begin "kill -9 during an import after ${delay}s leaves the previous state, and the next run completes"
    "$FP" -q --db t.sqlite import many.csv & pid=$!
    sleep $delay; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    assert_eq "ok" "$(sqlite3 t.sqlite "PRAGMA integrity_check")" "integrity"
    got=$(tstate)
    # Either the import had not committed (previous state) or it had finished whole.
    if [ "$got" != "$tbefore" ] && [ "$got" != "$N5/2/8" ]; then fail "partial state $got (before $tbefore)"; fi
    assert_eq "ok" "$(sqlite3 t.sqlite "SELECT rtreecheck('idx_projects_geom')")" "spatial index consistent"
    assert_eq "16" "$(sqlite3 t.sqlite "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND tbl_name='projects'")" "SpatiaLite's 8 triggers and the 3 of the typed tables (schema 4) and the column cache's 5 (schema 6) in place"
    case_end
    if [ "$(tstate)" != "$tbefore" ]; then break; fi
done

case_begin "after the kills, the same import completes"
run --db t.sqlite import many.csv
assert_eq 0 "$RC" "exit status"
assert_eq "$N5/2/8" "$(tstate)" "state after a full import"
assert_eq "ok" "$(sqlite3 t.sqlite "SELECT rtreecheck('idx_projects_geom')")" "spatial index consistent"
case_end

# sigint_at POINT STORE: SIGINT once the import is paused at POINT (not after a fixed
# time that a loaded machine may not honour): exit 1, the message, nothing stored.
sigint_at() {
    fp_init "$2"
    FOOTPRINT_TEST_PAUSE_AT=$1 "$FP" --db "$2" import many.csv > int.out 2>&1 & pid=$!
    wait_for_line int.out "paused at $1" $pid || fail "the import never reached $1: $(head -c 300 int.out)"
    kill -INT $pid; wait $pid; rc=$?
    assert_eq 1 "$rc" "exit status"
    assert_contains "$(cat int.out)" "many.csv: interrupted; nothing of this import was stored" "message"
    assert_eq "0|0" "$(sqlite3 "$2" "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports)")" "nothing stored"
}
case_begin "SIGINT rolls the import back with a message"
sigint_at import:rows i.sqlite          # mid-way: after 65,536 rows
case_end

case_begin "SIGINT after every row is read (at the commit) still rolls the import back"
# A server's COPY and index builds take seconds after the rows: a Ctrl-C there was ignored
# (the rows step checks every 1,024 rows) and the import committed with exit 0.
sigint_at import:commit ic.sqlite
case_end

case_begin "a store locked by another process: a clear error after a bounded wait"
hold_lock t.sqlite IMMEDIATE
start=$(date +%s.%N)
OUT=$(FOOTPRINT_BUSY_MS=700 "$FP" --db t.sqlite import "$FIX/latin1.csv" 2>&1); RC=$?
elapsed=$(python3 -c "print($(date +%s.%N) - $start)")
release_lock
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "database is locked by another process (waited 0.7 s)" "message"
# Bounded, not timed: the wait ends (well before the holder's 60 s); only the
# lower bound is exact, the upper one leaves room for a loaded machine.
python3 -c "import sys; sys.exit(0 if 0.6 <= $elapsed < 30 else 1)" || fail "waited ${elapsed}s for a 0.7 s bound"
case_end

case_begin "a file-size limit (full disk) gives a clear error and leaves the store as it was"
fp_init limit.sqlite
size=$(stat -c %s limit.sqlite)
OUT=$(ulimit -f $(( size / 1024 + 2000 )); "$FP" --db limit.sqlite import many.csv 2>&1); RC=$?
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "disk full or file size limit" "message"
assert_contains "$OUT" "nothing of this" "says nothing stored"
assert_eq "ok|0|0" "$(sqlite3 limit.sqlite "SELECT (SELECT * FROM pragma_integrity_check), (SELECT count(*) FROM projects), (SELECT count(*) FROM imports)")" "store intact"
run --db limit.sqlite import "$FIX/latin1.csv"
assert_eq 0 "$RC" "the next run works"
case_end

# ---------------------------------------------------------- aggregate ---
"$FP" -q --db $DB aggregate --by country --group category --name crash
agg_state() {
    sql "SELECT (SELECT projects FROM aggregations WHERE name='crash')||'/'||(SELECT count(*) FROM agg_crash)||'/'||
                (SELECT count(*) FROM agg_crash_assign)||'/'||(SELECT total(projects_weighted) FROM agg_crash WHERE level='country')||'/'||
                (SELECT count(*) FROM agg_crash_columns)"
}
agg_before=$(agg_state)
# Different data from now on: a killed re-aggregation must not show any of it.
"$FP" -q --db $DB import "$FIX/latin1.csv"     # 2 more projects
for point in aggregate:assigned aggregate:written; do
    case_begin "kill -9 during aggregate at $point: the earlier aggregation of that name intact"
    kill_at $point --db $DB aggregate --by country --group category,company --name crash
    assert_eq "$agg_before" "$(agg_state)" "aggregation rows"
    assert_eq "$N5|category" "$(sql "SELECT projects||'|'||group_fields FROM aggregations WHERE name='crash'")" "catalogue row"
    assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity_check"
    case_end
done

case_begin "after the killed aggregations the next one completes with the new data"
run --db $DB aggregate --by country --group category,company --name crash
assert_eq 0 "$RC" "exit status"
assert_eq "$N7|category,company" "$(sql "SELECT projects||'|'||group_fields FROM aggregations WHERE name='crash'")" "catalogue row"
assert_eq "$N7" "$(sql "SELECT count(*) FROM agg_crash_assign")" "one assignment per (point) project"
assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity_check"
case_end

# ------------------------------------------------------------- export ---
mkdir -p out
"$FP" -q --db $DB export --where company=Huawei -o out/p.geojson
"$FP" -q --db $DB export --where company=Huawei -o out/p.gpkg
sum_before=$(sha256sum out/* | sort)
seen_before=$(visible out)
for target in p.geojson p.gpkg; do
    case_begin "kill -9 during export to $target (written, not yet renamed): the previous file as it was"
    kill_at export:write --db $DB export -o out/$target
    assert_eq "$sum_before" "$(sha256sum out/* | sort)" "previous outputs byte-identical"
    assert_eq "$seen_before" "$(visible out)" "no new visible file"
    assert_eq 1 "$(ls -A out | grep -c "^\.footprint-export-$KILLED_PID-")" "the killed run's hidden folder"
    case_end
done

case_begin "the next export completes and removes the killed runs' temporary folders"
run --db $DB export -o out/p.geojson
assert_eq 0 "$RC" "exit status"
assert_eq 0 "$(hidden_leftovers out)" "hidden leftovers"
assert_eq $N7 "$(python3 -c "import json; print(len(json.load(open('out/p.geojson'))['features']))")" "features"
case_end

case_begin "a running export's temporary folder is not touched by another export"
sleep 1000 & live=$!
mkdir -p "out/.footprint-export-$live-abcdef"
run --db $DB export --where company=Huawei -o out/h.geojson
assert_eq 0 "$RC" "exit status"
[ -d "out/.footprint-export-$live-abcdef" ] || fail "removed the folder of a live process"
kill $live; wait $live 2>/dev/null
rm -r "out/.footprint-export-$live-abcdef" out/h.*
case_end

case_begin "kill -9 between the renames of a split export: every file in the folder is complete"
"$FP" -q --db $DB export --where company=Huawei --split-by category --format geojson -o split
old=$(visible split)
kill_at export:rename --db $DB export --split-by category --format geojson -o split
python3 - <<'P' || fail "a file is not complete GeoJSON"
import json, os
for n in os.listdir('split'):
    if n.endswith('.geojson'):
        json.load(open(os.path.join('split', n)))
P
run --db $DB export --split-by category --format geojson -o split
assert_eq 0 "$RC" "the next run: exit status"
assert_eq 0 "$(hidden_leftovers split)" "hidden leftovers removed"
# One file per category stored (an empty category is named "none").
want=$(sql "SELECT DISTINCT coalesce(nullif(category,''),'none')||'.geojson' FROM projects WHERE geom IS NOT NULL ORDER BY 1" | tr '\n' ' ')
assert_eq "$want" "$(ls split | grep '\.geojson$' | sort | tr '\n' ' ')" "the split files"
case_end

# ------------------------------------------------------------- render ---
"$FP" -q --db $DB aggregate --by country --group category     # the default style's choropleth
case_begin "kill -9 during render (drawn, not yet renamed): the previous map, world file, .prj and .aux.xml as they were"
"$FP" -q --db $DB render --size 300x200 -o out/map.png
r_before=$(sha256sum out/map.png out/map.pgw out/map.prj out/map.png.aux.xml)
kill_at render:write --db $DB render --size 320x200 -o out/map.png
assert_eq "$r_before" "$(sha256sum out/map.png out/map.pgw out/map.prj out/map.png.aux.xml)" "map, .pgw, .prj, .aux.xml byte-identical"
assert_eq 4 "$(ls -A out | grep -c "^\.map\.[a-z.]*\.tmp-$KILLED_PID-[0-9a-f]\{8\}$")" "the killed run's hidden .png/.pgw/.prj/.png.aux.xml"
run --db $DB render --size 320x200 -o out/map.png
assert_eq 0 "$RC" "the next run: exit status"
assert_eq 0 "$(hidden_leftovers out)" "hidden leftovers removed"
assert_eq "320 200" "$(python3 -c "import struct; d=open('out/map.png','rb').read(24); print(*struct.unpack('>II', d[16:24]))")" "new size"
case_end

# ---------------------------------------------------------- full disk ---
# A small tmpfs gives a real "No space left on device"; where mounting is not
# allowed, `ulimit -f` (EFBIG; main.c ignores SIGXFSZ) stands in for it.
TMPFS=""
mkdir -p small
if mount -t tmpfs -o size=4m tmpfs small 2>/dev/null; then
    TMPFS=small
    trap 'umount "$WORK/small" 2>/dev/null; _fp_exit' EXIT
fi
# full_run KB CMD...: runs CMD on the small tmpfs, or with a KB file-size limit.
full_run() {
    local kb=$1; shift
    if [ -n "$TMPFS" ]; then OUT=$("$@" 2>&1); RC=$?
    else OUT=$(ulimit -f "$kb"; "$@" 2>&1); RC=$?; fi
}

case_begin "full disk during export: a clear error, the previous file intact, nothing left behind"
target=${TMPFS:-out}
"$FP" -q --db $DB export --where company=Huawei -o $target/full.geojson
prev=$(sha256sum $target/full.geojson)
full_run 4096 "$FP" --db $DB export -o $target/full.geojson
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "full.geojson: write failed: " "message names the file"
if [ -n "$TMPFS" ]; then assert_contains "$OUT" "No space left on device" "reason"
else assert_contains "$OUT" "File too large" "reason"; fi
assert_eq "$prev" "$(sha256sum $target/full.geojson)" "previous file byte-identical"
assert_eq 0 "$(hidden_leftovers $target)" "temporary folder removed"
case_end

case_begin "full disk during render: a clear error, the previous map intact, nothing left behind"
target=${TMPFS:-out}
"$FP" -q --db $DB render --size 200x100 -o $target/full.png
prev=$(sha256sum $target/full.png $target/full.pgw $target/full.prj)
if [ -n "$TMPFS" ]; then fill=$(( $(stat -f -c '%a*%S' small) )); head -c $(( fill - 200000 )) /dev/zero > small/ballast; fi
full_run 200 "$FP" --db $DB render --dpi 300 -o $target/full.png
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "full.png: cannot write the PNG: " "message names the file"
if [ -n "$TMPFS" ]; then assert_contains "$OUT" "No space left on device" "reason"
else assert_contains "$OUT" "File too large" "reason"; fi
assert_eq "$prev" "$(sha256sum $target/full.png $target/full.pgw $target/full.prj)" "previous map byte-identical"
assert_eq 0 "$(hidden_leftovers $target)" "temporary file removed"
rm -f small/ballast
case_end

# GDAL's CSV driver learns of its last buffered write's failure only as it
# closes the file, and ignores it: the file came out short or empty, exit 0.
case_begin "full disk during a CSV export and a check --report CSV: exit 1, the previous file intact, nothing left behind"
target=${TMPFS:-out}
# One row: the whole file sits in the driver's buffer until it is closed.
"$FP" -q --db $DB export --where id=1 -o $target/full.csv
"$FP" -q --db $DB check --report $target/qa.csv
prev=$(sha256sum $target/full.csv $target/full.csvt $target/qa.csv)
assert_eq 2 "$(wc -l < $target/full.csv)" "the first export: header and row"
if [ -n "$TMPFS" ]; then dd if=/dev/zero of=small/ballast bs=4k 2>/dev/null; fi
full_run 0 "$FP" --db $DB export --where id=1 -o $target/full.csv
assert_eq 1 "$RC" "export: exit status"
assert_contains "$OUT" "full.csv: the file was cut short while being written" "export: message names the file and says why"
full_run 0 "$FP" --db $DB check --report $target/qa.csv
assert_eq 1 "$RC" "check --report: exit status"
assert_contains "$OUT" "qa.csv: " "check --report: message names the file"
assert_eq "$prev" "$(sha256sum $target/full.csv $target/full.csvt $target/qa.csv)" "previous files byte-identical"
assert_eq 0 "$(hidden_leftovers $target)" "temporary files removed"
rm -f small/ballast
case_end

case_begin "full disk during import: a clear error, the store as it was, and the next import works"
wait $BIG || fail "the 200,000-point store: $(tail -3 big.log)"
if [ -n "$TMPFS" ]; then
    umount small && mount -t tmpfs -o size=$(( $(stat -c %s big.sqlite) / 1024 + 3000 ))k tmpfs small
    cp big.sqlite small/full.sqlite
    FDB=small/full.sqlite
else
    cp big.sqlite full.sqlite
    FDB=full.sqlite
fi
fbefore=$(sqlite3 $FDB "SELECT count(*) FROM projects")
if [ -n "$TMPFS" ]; then OUT=$("$FP" --db $FDB import many.csv --dataset again 2>&1); RC=$?
else OUT=$(ulimit -f $(( $(stat -c %s $FDB) / 1024 + 3000 )); "$FP" --db $FDB import many.csv --dataset again 2>&1); RC=$?; fi
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "full.sqlite: cannot write" "message names the store"
assert_contains "$OUT" "disk full or file size limit" "the reason"
assert_contains "$OUT" "many.csv" "message names the input"
assert_contains "$OUT" "nothing of" "says nothing was stored"
assert_eq "ok|$fbefore" "$(sqlite3 $FDB "SELECT (SELECT * FROM pragma_integrity_check), (SELECT count(*) FROM projects)")" "store intact"
run --db $FDB import "$FIX/mercator.csv" --crs EPSG:3857 --lon x --lat y
assert_eq 0 "$RC" "a small import afterwards works"
case_end

case_begin "kill -9 during an aggregation whose pages already went to the file: the store as before"
# aggregate.c writes with an 8 MiB page cache, so a big aggregation's pages
# reach the file before the commit (the rollback journal keeps what they
# replace). 200,000 points by admin-1: about 10 MB by aggregate:written,
# which changes the file while it waits there (checked: else the case would
# test nothing).
cp big.sqlite agg.sqlite
"$FP" -q --db agg.sqlite aggregate --by country --name crash
abefore=$(sqlite3 agg.sqlite "SELECT count(*)||'/'||total(projects)||'/'||(SELECT count(*) FROM agg_crash_assign) FROM agg_crash")
size0=$(stat -c %s agg.sqlite) sum0=$(sha256sum < agg.sqlite) content0=$(sqlite3 agg.sqlite .sha3sum)
sum_paused=
ON_PAUSE='sum_paused=$(sha256sum < agg.sqlite)'
kill_at aggregate:written --db agg.sqlite aggregate --by admin1 --group category --name crash
ON_PAUSE=
[ "$sum_paused" != "$sum0" ] || fail "the paused aggregation had not written to the file: the case tests nothing"
assert_eq "ok" "$(sqlite3 agg.sqlite "PRAGMA integrity_check")" "integrity_check"
assert_eq "$abefore" "$(sqlite3 agg.sqlite "SELECT count(*)||'/'||total(projects)||'/'||(SELECT count(*) FROM agg_crash_assign) FROM agg_crash")" "the earlier aggregation"
assert_eq "country" "$(sqlite3 agg.sqlite "SELECT level FROM aggregations WHERE name='crash'")" "its catalogue row"
# Its size and content as before (content: free pages reused without their
# old bytes in the journal may differ after the rollback, and need not).
assert_eq "$size0 $content0" "$(stat -c %s agg.sqlite) $(sqlite3 agg.sqlite .sha3sum)" "the file's size and content as before"
run --db agg.sqlite aggregate --by admin1 --group category --name crash
assert_eq 0 "$RC" "the next run completes"
assert_eq "200000" "$(sqlite3 agg.sqlite "SELECT count(*) FROM agg_crash_assign")" "its assignments"
case_end

# ------------------------------------------------------------- locked ---
case_begin "a store locked by another process: 'database is locked' naming it, after the bounded wait"
# The default wait is 5 s (src/store/store.c); FOOTPRINT_BUSY_MS shortens it here.
hold_lock $DB EXCLUSIVE
start=$(date +%s.%N)
OUT=$(FOOTPRINT_BUSY_MS=1500 "$FP" --db $DB import "$FIX/places.csv" 2>&1); RC=$?
elapsed=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "$DB: database is locked by another process (waited 1.5 s); try again when it has finished" "message names the store"
# only the lower bound is exact; the upper one leaves room for a loaded machine
python3 -c "import sys; sys.exit(0 if 1.4 <= $elapsed < 30 else 1)" || fail "waited ${elapsed}s for a 1.5 s bound"
start=$(date +%s.%N)
OUT=$(env -u FOOTPRINT_BUSY_MS "$FP" --db $DB geocode 2>&1); RC=$?
elapsed=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
assert_eq 1 "$RC" "default wait: exit status"
assert_contains "$OUT" "$DB: database is locked by another process (waited 5.0 s)" "default wait: message"
python3 -c "import sys; sys.exit(0 if 4.9 <= $elapsed < 35 else 1)" || fail "waited ${elapsed}s for the default 5 s bound"
release_lock
run --db $DB import "$FIX/places.csv"
assert_eq 0 "$RC" "after the lock is gone the import works"
case_end

# ---------------------------------------------------------------------------
# tiles: kill -9 at four named points of `footprint tiles` (src/tiles: half
# the metatiles drawn, before the metadata, before moving into place, between
# the MBTiles file and its preview folder). Before the swap the previous
# output must be byte-identical; after it, each file is whole; --resume (or a
# plain rerun) completes and gives the tiles of a clean run.
# ---------------------------------------------------------------------------
TDB=$WORK/tiles/fp.sqlite
fp_run "$TDB" >/dev/null 2>&1
"$FP" -q --db "$TDB" tiles --zoom 0-4 --threads 1 --no-preview -o clean_tiles >/dev/null 2>&1
tiles_sum() { (cd "$1" && find . -path './[0-9]*' -name '*.png' | sort | xargs md5sum | md5sum); }
for point in tiles:tiles tiles:metadata tiles:finish; do
    case_begin "kill -9 during tiles (folder) at $point: the previous folder as before, --resume completes"
    rm -rf ktiles ktiles.partial
    "$FP" -q --db "$TDB" tiles --zoom 0-2 -o ktiles >/dev/null 2>&1
    before=$(find ktiles -type f | sort | xargs md5sum | md5sum)
    kill_at $point --db "$TDB" tiles --zoom 0-4 --threads 1 -o ktiles
    assert_eq "$before" "$(find ktiles -type f | sort | xargs md5sum | md5sum)" "ktiles/ unchanged"
    assert_eq "" "$(find ktiles.partial -name '.*tmp*' -size 0 2>/dev/null | head -1)" "no empty temporary tile"
    run --db "$TDB" tiles --zoom 0-4 --threads 1 --resume -o ktiles
    assert_eq 0 "$RC" "resume ($OUT)"
    assert_eq "$(tiles_sum clean_tiles)" "$(tiles_sum ktiles)" "tiles after resume = a clean run's"
    [ -f ktiles/index.html ] && [ -f ktiles/tiles.json ] || fail "preview missing after resume"
    assert_eq "" "$(ls -d ktiles.partial ktiles.old-* 2>/dev/null)" "no partial or old folder left"
    case_end
done
case_begin "kill -9 during tiles (MBTiles) at tiles:swap: each file whole, the next run completes"
rm -rf k.mbtiles k.preview
"$FP" -q --db "$TDB" tiles --zoom 0-1 -o k.mbtiles >/dev/null 2>&1
kill_at tiles:swap --db "$TDB" tiles --zoom 0-3 --threads 1 -o k.mbtiles
# paused before any rename: the previous file is still there, whole
assert_eq "ok" "$(sqlite3 k.mbtiles 'PRAGMA integrity_check' 2>&1)" "k.mbtiles integrity"
assert_eq "1" "$(sqlite3 k.mbtiles "SELECT value FROM metadata WHERE name='maxzoom'")" "k.mbtiles is the previous run's"
assert_eq "ok" "$(sqlite3 k.mbtiles.partial 'PRAGMA integrity_check' 2>&1)" "the finished partial file"
run --db "$TDB" tiles --zoom 0-3 --threads 1 -o k.mbtiles
assert_eq 0 "$RC" "rerun ($OUT)"
assert_eq "85|3" "$(sqlite3 k.mbtiles "SELECT count(*), (SELECT value FROM metadata WHERE name='maxzoom') FROM tiles")" "the new file"
[ -f k.preview/index.html ] || fail "k.preview/index.html missing"
assert_eq "" "$(ls -d k.mbtiles.partial k.preview.partial 2>/dev/null)" "no partial left"
case_end
case_begin "two tiles runs into one folder (overlapping cron jobs): the second is refused at once, the first's work untouched; after a kill -9 the next run works"
rm -rf ltiles ltiles.partial .ltiles.lock
ON_PAUSE='OUT2=$("$FP" --db "$TDB" tiles --zoom 0-2 -o ltiles 2>&1); RC2=$?; PARTIAL_FILES=$(find ltiles.partial -type f | wc -l)'
kill_at tiles:tiles --db "$TDB" tiles --zoom 0-4 --threads 1 -o ltiles
unset ON_PAUSE
assert_eq 1 "$RC2" "the second run: exit status"
assert_contains "$OUT2" "ltiles: another footprint run is writing these tiles" "the second run: said"
[ "${PARTIAL_FILES:-0}" -gt 0 ] || fail "the first run's partial folder was removed by the second"
assert_eq "" "$(ls -d ltiles 2>/dev/null)" "nothing published by the second"
run --db "$TDB" tiles --zoom 0-2 -o ltiles
assert_eq 0 "$RC" "a run after the kill -9 ($OUT)"
assert_eq "" "$(find ltiles -name '.*')" "no hidden folder or file published"
assert_eq "" "$(ls -A | grep -F .ltiles.lock)" "the lock file removed"
case_end
echo "kill points tested: $KILLS"

case_begin "a symbolic link planted at a temporary name in a shared output folder is not followed: render's temporary names cannot be guessed"
# The attack the security review reproduced: links at .map.png.tmp-PID for the
# next PIDs pointing at another file; render wrote its PNG through one of them.
echo precious > victim
mkdir -p shared
# One process plants them all (a loop of ln would use up the PIDs it aims at).
python3 -c "
import os
last = int(open('/proc/sys/kernel/ns_last_pid').read())
for i in range(1, 300):
    for ext in ('png', 'pgw', 'prj'):
        os.symlink(os.path.abspath('victim'), 'shared/.map.%s.tmp-%d' % (ext, last + i))"
run --db $DB render --size 200x100 -o shared/map.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "precious" "$(cat victim)" "the link's target untouched"
assert_eq "PNG image data, 200 x 100" "$(file -b shared/map.png | cut -d, -f1-2)" "the map written in place"
case_end

case_begin "a second Ctrl-C stops a command at once, even one GDAL keeps busy (a GeoPackage view with an endless query): the store as before"
# Before: SIGINT and SIGTERM only set a flag nothing checked while GDAL ran
# the view's query; the import ran until kill -9.
printf 'name,lon,lat\na,1,2\n' > base.csv
ogr2ogr -q -f GPKG loop.gpkg base.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -nln base
sqlite3 loop.gpkg "CREATE VIEW projects AS WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM r) SELECT b.fid, b.name, b.geom FROM base b, (SELECT max(i) FROM r);
INSERT INTO gpkg_contents(table_name, data_type, identifier, srs_id) VALUES('projects', 'features', 'projects', 4326);
INSERT INTO gpkg_geometry_columns VALUES('projects', 'geom', 'POINT', 4326, 0, 0);"
fp_init loop.sqlite && "$FP" -q --db loop.sqlite import base.csv --dataset kept
before=$(sqlite3 loop.sqlite "SELECT count(*) FROM projects; SELECT count(*) FROM imports")
"$FP" --db loop.sqlite import loop.gpkg --layer projects --dataset x > loop.out 2>&1 & pid=$!
sleep 1
kill -INT $pid 2>/dev/null
sleep 0.5
kill -INT $pid 2>/dev/null
gone=0
for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || { gone=1; break; }; sleep 0.05; done
[ $gone = 1 ] || { kill -9 $pid; fail "still running 5 s after the second SIGINT"; }
wait $pid; rc=$?
assert_eq 130 "$rc" "ended by the second SIGINT (128 + 2)"
assert_contains "$(cat loop.out)" "footprint: stopping (again to stop at once)" "the first said what the second does"
assert_eq "$before" "$(sqlite3 loop.sqlite "SELECT count(*) FROM projects; SELECT count(*) FROM imports")" "the store as before"
assert_eq "ok" "$(sqlite3 loop.sqlite "PRAGMA integrity_check")" "integrity"
case_end
