#!/bin/bash
# PostGIS as a second store engine (issue 14): the same inputs into a
# SpatiaLite store and a PostGIS database give the same rows and sums
# (compared through sqlite3/spatialite and psql dumps, not footprint's own
# output); concurrent imports, an aggregation during an import, concurrent
# schema upgrades; connection errors. One throw-away cluster for the suite
# (tests/tools/pg_cluster.sh): no system server, nothing skipped.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/tools/pg_cluster.sh"
trap 'pg_cluster_stop; _fp_exit' EXIT
if ! pg_cluster_start 2>"$WORK/cluster.err"; then
    echo "FAIL PostGIS test cluster starts"; sed 's/^/    /' "$WORK/cluster.err"; exit 1
fi

DB=$WORK/s.sqlite
PG=$PGC_URL
# Both engines at once: FN (a function of DB and E, s or p) runs on the
# SpatiaLite store in the background while it runs on PostGIS in front: the
# server works while SQLite does, and a case takes the longer of the two,
# not their sum. The background run's failures are reported after both end.
on_both() {  # FN SQLITE_DB PG_DB
    local fn=$1 log pid
    log=$(mktemp "$WORK/both.XXXXXX")
    ( _fail=""; "$fn" "$2" s; printf '%s' "$_fail" > "$log" ) &
    pid=$!
    "$fn" "$3" p
    wait "$pid"
    [ -s "$log" ] && _fail="${_fail}$(cat "$log")"$'\n'
    rm -f "$log"
}
# psql on the suite's database, '|' between fields like sqlite3's default.
pq() { pgc_psql fp -F'|' -c "$1"; }
# The same query on both engines, dumped and compared line by line.
# SQLITE_SQL runs in the spatialite shell, PG_SQL in psql.
# SQLite's printf turns NULL into 0: P6/P9 keep it NULL (fixed decimals as
# PostgreSQL's round(numeric, n) prints them).
P6() { echo "iif($1 IS NULL, NULL, printf('%.6f', $1))"; }
P9() { echo "iif($1 IS NULL, NULL, printf('%.9f', $1))"; }
# PostgreSQL's side of P6/P9 for a double: through its text (the shortest
# that reads back as the same double), as printf rounds the double itself;
# a plain ::numeric keeps 15 significant digits first, so 2716.000494129496
# became 2716.00049412950 and rounded up to ...130 where printf gives ...129.
R6() { echo "round($1::text::numeric, 6)"; }
R9() { echo "round($1::text::numeric, 9)"; }
same_dump() {  # NAME SQLITE_SQL PG_SQL
    ssql "$2" > "$WORK/$1.sqlite.txt"
    pq "$3" > "$WORK/$1.pg.txt"
    local n; n=$(wc -l < "$WORK/$1.sqlite.txt")
    [ "$n" -gt 0 ] || fail "$1: the SpatiaLite dump is empty"
    diff -q "$WORK/$1.sqlite.txt" "$WORK/$1.pg.txt" >/dev/null ||
        fail "$1: dumps differ: $(diff "$WORK/$1.sqlite.txt" "$WORK/$1.pg.txt" | head -6 | tr '\n' ' ')"
}

# While the server initialises its database: the point files and the
# SpatiaLite store (the shared init template under make check, lib.sh).
( python3 "$ROOT/bench/gen_points.py" 101000 "$WORK/pts.csv" --seed 7 &&
  python3 "$ROOT/bench/gen_points.py" 3000 "$WORK/b1.csv" --seed 11 &&
  python3 "$ROOT/bench/gen_points.py" 3000 "$WORK/b2.csv" --seed 12 ) >/dev/null & GEN=$!
fp_init "$DB" > "$WORK/sinit.log" 2>&1 & SINIT=$!

case_begin "a postgresql:// --db is a server, not a file path: init creates the schema there and no local folder"
# No cache: the areas and unions computed on PostgreSQL, for the engine
# comparison below (the cache entry path has its own case).
FOOTPRINT_CACHE=off run --db "$PG" init
assert_eq 0 "$RC" "init exit"
assert_contains "$OUT" "created postgresql://postgres@$PGC_SOCK:$PGC_PORT/fp (schema 6)" "names the server"
assert_contains "$OUT" "252 countries, 4596 admin-1" "regions loaded"
[ -e "$WORK/postgresql:" ] && fail "a local folder 'postgresql:' was created"
assert_eq "1 2 3 4 5 6" "$(pq "SELECT string_agg(version::text, ' ' ORDER BY version) FROM schema_version")" "schema versions"
# PostGIS the way its users expect: typed geometry columns with SRID 4326, GiST indexes.
assert_eq "projects|geom|GEOMETRY|4326
regions|geom|MULTIPOLYGON|4326" "$(pq "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns
    WHERE f_table_name IN ('projects', 'regions') ORDER BY 1")" "geometry_columns"
assert_eq "2" "$(pq "SELECT count(*) FROM pg_indexes WHERE tablename IN ('projects', 'regions') AND indexdef LIKE '%USING gist%'")" "GiST indexes"
run --db "$PG" init
assert_eq 0 "$RC" "second init exit"
assert_contains "$OUT" "already loaded" "second init changes nothing"
# The command cases at the end start from this initialised database (a copy).
pgc_psql postgres -c "CREATE DATABASE eq TEMPLATE fp" >/dev/null || fail "copying the initialised database"
case_end

case_begin "engine equivalence: init loads the same regions and region groups"
wait $SINIT || fail "init on SpatiaLite: $(tail -2 "$WORK/sinit.log")"
wait $GEN || fail "generating the point files"
cp "$DB" "$WORK/eq.sqlite"   # the command cases' SpatiaLite store
same_dump regions \
    "SELECT id, level, code, iso_a2, name, name_long, parent, continent, subregion, population, hex(AsBinary(geom)) FROM regions ORDER BY id" \
    "SELECT id, level, code, iso_a2, name, name_long, parent, continent, subregion, population, upper(encode(ST_AsBinary(geom), 'hex')) FROM regions ORDER BY id"
# Areas within 1e-6 km2: printf's and numeric's rounding of the same double
# can differ in the last place (Iran's 1622419.3563135: .356313 against .356314).
ssql "SELECT id, printf('%.9f', area_km2) FROM regions ORDER BY id" > "$WORK/areas.sqlite.txt"
pq "SELECT id, round(area_km2::numeric, 9) FROM regions ORDER BY id" > "$WORK/areas.pg.txt"
assert_eq "4848 0" "$(python3 -c "
import sys
a = [l.split('|') for l in open(sys.argv[1]).read().split()]; b = [l.split('|') for l in open(sys.argv[2]).read().split()]
print(len(a), sum(1 for x, y in zip(a, b) if x[0] != y[0] or abs(float(x[1]) - float(y[1])) > 1e-6) + abs(len(a) - len(b)))" "$WORK/areas.sqlite.txt" "$WORK/areas.pg.txt")" "regions' areas: rows, and rows differing by more than 1e-6 km2"
same_dump region_groups \
    "SELECT level, code, name, parent, population, $(P6 area_km2), hex(geom_wkb) FROM region_groups ORDER BY level, code" \
    "SELECT level, code, name, parent, population, round(area_km2::numeric, 6), upper(encode(geom_wkb, 'hex')) FROM region_groups ORDER BY level, code COLLATE \"C\""
case_end

case_begin "init on PostGIS from the cache entry a SpatiaLite init wrote: the same areas and region groups as computed there"
PC="$WORK/.cache-pg"
rm -rf "$PC"
FOOTPRINT_CACHE="$PC" FOOTPRINT_PREPARED=off "$FP" -q --db "$WORK/pc.sqlite" init || fail "SpatiaLite init"
assert_eq 1 "$(ls "$PC" | grep -c '^prepared-')" "the SpatiaLite init wrote the entry"
pgc_psql postgres -c "CREATE DATABASE cached" >/dev/null
pgc_psql cached -c "CREATE EXTENSION postgis" >/dev/null
CU="postgresql://postgres@/cached?host=$PGC_SOCK&port=$PGC_PORT"
FOOTPRINT_CACHE="$PC" FOOTPRINT_TIMING=1 "$FP" --db "$CU" init > "$WORK/pc.out" 2>&1 || fail "PostGIS init: $(tail -3 "$WORK/pc.out")"
assert_contains "$(cat "$WORK/pc.out")" "cached" "the PostGIS init read the entry"
assert_eq "" "$(grep -E '^  (unions|admin1) ' "$WORK/pc.out")" "and computed nothing"
# Against the database whose init computed them (no cache, first case):
# float8 as text round-trips, so equal text is the same double.
for q in "SELECT level, code, area_km2::text FROM regions ORDER BY level, code COLLATE \"C\"" \
         "SELECT level, code, name, parent, population, area_km2::text, encode(geom_wkb, 'hex') FROM region_groups ORDER BY level, code COLLATE \"C\""; do
    a=$(pgc_psql fp -F'|' -c "$q" | sha256sum); b=$(pgc_psql cached -F'|' -c "$q" | sha256sum)
    assert_eq "$a" "$b" "same rows as computed on PostgreSQL: ${q:0:40}"
done
assert_eq 4848 "$(pgc_psql cached -c "SELECT count(*) FROM regions WHERE area_km2 > 0")" "every region has its area"
case_end

case_begin "engine equivalence: import stores the same projects, imports and rejects (101,000 points: parallel readers + a GeoJSON with bad features)"
import_points() {  # DB E
    local db=$1 e=$2
    OUT=$(FOOTPRINT_TIMING=1 "$FP" --db "$db" import "$WORK/pts.csv" 2>&1); RC=$?
    assert_eq 0 "$RC" "import pts ($db)"
    assert_contains "$OUT" "read others" "the import's check took the rows as they were read ($db)"
    run --db "$db" import "$FIX/mixed.geojson" --dataset mixed; assert_eq 0 "$RC" "import mixed ($db)"
    run --db "$db" import "$FIX/points_good.csv" --dataset "it's \"odd\"; DROP TABLE projects;--"
    assert_eq 0 "$RC" "import with an odd dataset name ($db)"
}
on_both import_points "$DB" "$PG"
assert_eq 101000 "$(pq "SELECT count(*) FROM projects WHERE dataset = 'pts'")" "points on PostGIS"
same_dump projects \
    "SELECT id, import_id, dataset, source_key, source_line, company, category, name, place, country, country_code, year, status, $(P6 amount), source, extra, hex(AsBinary(geom)), geocode_method, geocode_precision FROM projects ORDER BY id" \
    "SELECT id, import_id, dataset, source_key, source_line, company, category, name, place, country, country_code, year, status, round(amount::numeric, 6), source, extra, upper(encode(ST_AsBinary(geom), 'hex')), geocode_method, geocode_precision FROM projects ORDER BY id"
same_dump imports \
    "SELECT id, file, checksum, dataset, format, rows_read, rows_stored, rows_rejected FROM imports ORDER BY id" \
    "SELECT id, file, checksum, dataset, format, rows_read, rows_stored, rows_rejected FROM imports ORDER BY id"
same_dump rejects \
    "SELECT id, import_id, line, feature, reason, raw FROM rejects ORDER BY id" \
    "SELECT id, import_id, line, feature, reason, raw FROM rejects ORDER BY id"
assert_eq 4 "$(pq "SELECT count(*) FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'mixed'")" "rejects of mixed.geojson"
# The import's check took the 101,000 points as the import read them (on
# PostGIS the ids the COPY took are checked to be this import's alone) on
# both engines; the same findings, and the same as a one-part read of every
# row back from the server (--undo reads through the check's own connection).
qa_sql="SELECT f.project_id, f.kind, f.row_ref, f.evidence, f.other_id FROM qa_findings f WHERE f.dataset = 'pts' ORDER BY f.project_id, f.kind"
same_dump qa_pts "$qa_sql" "$qa_sql"
pq "$qa_sql" > "$WORK/qa_parts.txt"
"$FP" -q --db "$PG" check --dataset pts --undo > /dev/null || fail "check --undo on PostGIS"
pq "$qa_sql" > "$WORK/qa_whole.txt"
[ -s "$WORK/qa_parts.txt" ] && cmp -s "$WORK/qa_parts.txt" "$WORK/qa_whole.txt" || fail "PostGIS: findings of a two-part and a one-part read differ"
run --db "$PG" rejects --dataset mixed
assert_eq 0 "$RC" "rejects exit"
assert_contains "$OUT" "mixed.geojson: feature 7 (FID 6): coordinates out of range" "rejects lists the feature and reason"
run --db "$PG" import "$WORK/pts.csv"
assert_contains "$OUT" "already imported into this dataset" "the same file again is recognised"
case_end

case_begin "engine equivalence: aggregate by country, with groups, grid and snapping gives the same tables"
aggregate_points() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" aggregate --by country >/dev/null || fail "aggregate country ($db)"
    "$FP" -q --db "$db" aggregate --by country --group category --name a1 >/dev/null || fail "aggregate with groups ($db)"
    # An integer group: PostGIS sends it in binary, footprint prints it (pg_rows.c).
    "$FP" -q --db "$db" aggregate --by country --group year --name a2 >/dev/null || fail "aggregate by year ($db)"
    "$FP" -q --db "$db" aggregate --by grid:10 --snap-km 50 --name g10 >/dev/null || fail "aggregate grid ($db)"
}
on_both aggregate_points "$DB" "$PG"
# gen_points.py's years, and '-' for mixed.geojson's features, which have none.
assert_eq "- $(seq -s " " 2005 2024)" "$(pq "SELECT string_agg(coalesce(nullif(value, ''), '-'), ' ' ORDER BY value) FROM agg_a2_columns")" \
    "agg_a2: one column per year, named as printed"
for t in agg_country agg_a1 agg_a2 agg_g10; do
    # The group columns (agg_a1: one per category, agg_a2 per year), in name order on both.
    extra=""; pextra=""
    if [ $t = agg_a1 ] || [ $t = agg_a2 ]; then
        extra=$(sqlite3 "$DB" "SELECT group_concat(c, ', ') FROM (SELECT 'printf(''%.9f'', \"' || column_name || '\")' AS c FROM ${t}_columns ORDER BY column_name)")   # NOT NULL columns
        pextra=$(pq "SELECT string_agg('round(\"' || column_name || '\"::text::numeric, 9)', ', ' ORDER BY column_name COLLATE \"C\") FROM ${t}_columns")
        [ -n "$extra" ] || fail "$t has no group columns"
    fi
    same_dump $t \
        "SELECT id, level, code, name, parent, $(P6 area_km2), population, projects, $(P9 projects_weighted), companies, $(P6 amount), year_first, year_last, $(P6 per_10k_km2), $(P6 per_million), hex(AsBinary(geom)) ${extra:+, $extra} FROM $t ORDER BY id" \
        "SELECT id, level, code, name, parent, $(R6 area_km2), population, projects, $(R9 projects_weighted), companies, $(R6 amount), year_first, year_last, $(R6 per_10k_km2), $(R6 per_million), upper(encode(ST_AsBinary(geom), 'hex')) ${pextra:+, $pextra} FROM $t ORDER BY id"
    same_dump ${t}_assign \
        "SELECT project_id, region_code, $(P9 share), method, $(P6 distance_km) FROM ${t}_assign ORDER BY project_id, coalesce(region_code, '')" \
        "SELECT project_id, region_code, $(R9 share), method, $(R6 distance_km) FROM ${t}_assign ORDER BY project_id, coalesce(region_code, '') COLLATE \"C\""
done
same_dump aggregations \
    "SELECT name, level, spec, group_fields, printf('%.3f', snap_km), projects, $(P6 unassigned), result_table, assign_table FROM aggregations ORDER BY name" \
    "SELECT name, level, spec, group_fields, round(snap_km::numeric, 3), projects, round(unassigned::numeric, 6), result_table, assign_table FROM aggregations ORDER BY name COLLATE \"C\""
# Sums computed by PostgreSQL from the assignments agree with the result table.
assert_eq "$(pq "SELECT round(sum(share)::numeric, 6) FROM agg_country_assign WHERE region_code IS NOT NULL")" \
          "$(pq "SELECT round(sum(projects_weighted)::numeric, 6) FROM agg_country WHERE level = 'country' AND code <> '_unassigned'")" \
          "assigned shares = weighted projects"
case_end

case_begin "a PostGIS projects table mixing points, lines and areas: its QGIS style (the GeoPackage export's QML) draws each type QGIS opens it as"
# mixed.geojson's cable (line) and sites (polygons) beside the points: the
# stored style held point markers only, so QGIS drew no line or area.
pq "SELECT styleqml FROM public.layer_styles WHERE f_table_name = 'projects' AND description = 'footprint style'" > "$WORK/pg_mixed.qml"
"$FP" -q --db "$DB" export --what projects --format gpkg -o "$WORK/s_mixed.gpkg" || fail "export gpkg"
sqlite3 "$WORK/s_mixed.gpkg" "SELECT styleQML FROM layer_styles WHERE f_table_name = 'projects'" > "$WORK/s_mixed.qml"
cmp -s "$WORK/s_mixed.qml" "$WORK/pg_mixed.qml" || fail "the PostGIS QML is not the GeoPackage export's"
kinds=$(pq "SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT DISTINCT replace(replace(ST_GeometryType(geom), 'ST_Multi', 'ST_'), 'ST_', '') AS k
    FROM projects WHERE ST_GeometryType(geom) <> 'ST_GeometryCollection') x")
assert_eq "LineString,Point,Polygon" "$kinds" "the kinds psql finds"
QOUT=$(QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK" /usr/bin/python3 "$ROOT/tests/tools/qgis_pg_check.py" \
       "$PGC_SOCK" "$PGC_PORT" fp postgres projects:Point projects:LineString projects:Polygon 2>&1 |
       grep '^projects')
for k in "Point marker" "LineString line" "Polygon fill"; do
    set -- $k
    line=$(grep "^projects:$1 " <<<"$QOUT")
    assert_contains "$line" "valid=1" "$1 opens"
    assert_contains "$line" "style=1 renderer=RuleRenderer" "$1: the stored style applied"
    assert_contains "$line" " symbols=$2 " "$1: every feature gets a $2 symbol"
    px=$(sed -n 's/.* drawn=\([0-9]*\).*/\1/p' <<<"$line")
    [ "${px:-0}" -gt 0 ] || fail "$1 drawn: ${px:-none} non-white pixels ($line)"
done
case_end

case_begin "aggregate replaces a same-named aggregation in one swap (tables renamed into place, indexes named after them)"
before=$(pq "SELECT count(*) FROM agg_g10")
run --db "$PG" aggregate --by grid:5 --name g10
assert_eq 0 "$RC" "aggregate again"
after=$(pq "SELECT count(*) FROM agg_g10")
[ "$after" -gt "$before" ] || fail "grid:5 has more cells than grid:10 ($before -> $after)"
assert_eq "grid:5" "$(pq "SELECT spec FROM aggregations WHERE name = 'g10'")" "catalogue updated"
assert_eq "0" "$(pq "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'fp_new_%'")" "no temporary tables left"
assert_eq "agg_g10_gix agg_g10_pk agg_g10_uq" "$(pq "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'agg_g10'")" "indexes"
case_end

case_begin "a --name differing from a stored one only in case is refused on PostGIS too (as on SpatiaLite, where it is one table)"
run --db "$PG" aggregate --by grid:10 --name G10
assert_eq 2 "$RC" "a usage error"
assert_contains "$OUT" "--name G10: its table agg_G10 is the aggregation 'g10''s agg_g10" "the message"
assert_eq "0|grid:5" "$(pq "SELECT (SELECT count(*) FROM pg_tables WHERE tablename = 'agg_G10'), (SELECT spec FROM aggregations WHERE name = 'g10')")" "nothing made, g10 untouched"
case_end

case_begin "two concurrent imports into one database both land whole"
"$FP" -q --db "$PG" import "$WORK/b1.csv" --dataset b1 > "$WORK/b1.out" 2>&1 & p1=$!
"$FP" -q --db "$PG" import "$WORK/b2.csv" --dataset b2 > "$WORK/b2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
assert_eq "0 0" "$r1 $r2" "both imports exit 0 ($(cat "$WORK/b1.out" "$WORK/b2.out" | grep -v 'qa not run' | head -3))"
assert_eq "b1|3000|3000
b2|3000|3000" "$(pq "SELECT i.dataset, i.rows_stored, count(p.id) FROM imports i JOIN projects p ON p.import_id = i.id
    WHERE i.dataset IN ('b1', 'b2') GROUP BY 1, 2 ORDER BY 1")" "rows of each import"
case_end

case_begin "every row rejected (a UTM CSV read as lon/lat): exit 1; importing it again with --crs replaces that attempt, as on SpatiaLite"
printf 'id,name,x,y\nU1,Site A,500000,4649776\nU2,Site B,510000,4659776\n' > "$WORK/utm33.csv"
run --db "$PG" import "$WORK/utm33.csv" --dataset utm
assert_eq 1 "$RC" "exit status when nothing was stored"
assert_contains "$OUT" "all 2 were rejected" "the failure is said"
assert_eq "1|2" "$(pq "SELECT count(*), (SELECT count(*) FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'utm') FROM imports WHERE dataset = 'utm'")" "the attempt and its rejects kept"
run --db "$PG" import "$WORK/utm33.csv" --dataset utm --crs EPSG:32633
assert_eq 0 "$RC" "exit status of the retry"
assert_contains "$OUT" "replaces the earlier import of this file, which stored no row" "the replacement is said"
assert_eq "1|2|0" "$(pq "SELECT count(*), max(rows_stored), (SELECT count(*) FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'utm') FROM imports WHERE dataset = 'utm'")" "one import left, its rows stored, the old rejects gone"
read -r lat lon _ < <(echo "510000 4659776" | cs2cs -f %.9f EPSG:32633 EPSG:4326)
assert_near "$lon" "$(pq "SELECT ST_X(geom) FROM projects WHERE dataset = 'utm' AND source_key = 'U2'")" 1e-7 "U2 lon"
assert_near "$lat" "$(pq "SELECT ST_Y(geom) FROM projects WHERE dataset = 'utm' AND source_key = 'U2'")" 1e-7 "U2 lat"
run --db "$PG" import "$WORK/utm33.csv" --dataset utm --crs EPSG:32633
assert_contains "$OUT" "already imported into this dataset" "then the file is recognised"
case_end

case_begin "the same file imported into one dataset from two sessions at once (its first import, then a later one): one lands, the other says already imported and stores nothing"
# A stops before its commit; B, started then, must answer "already imported
# (import #A)", exit 0, whatever refused it on the server once A committed:
# - the dataset's first import: B finds no import of the dataset (A's is not
#   committed) and loads; its rows meet A's uncommitted ones in the
#   (dataset, source_key) index: it finishes its checksum and finds A's;
# - a later file into the dataset: B records the same checksum as A's
#   uncommitted import and waits on the (dataset, checksum) index.
printf 'id,company,category,lon,lat\nS1,Co,c,1.5,1.5\nS2,Co,c,2.5,2.5\n' > "$WORK/same1.csv"
printf 'id,company,category,lon,lat\nS3,Co,c,3.5,3.5\nS4,Co,c,4.5,4.5\n' > "$WORK/same2.csv"
locked() { pq "SELECT count(*) FROM pg_stat_activity WHERE datname = 'fp' AND wait_event_type = 'Lock'"; }
# finish PID: waits up to 60 s for PID, then kills it (a hang fails, never stalls the suite); its status.
finish() { local i; for i in $(seq 1 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done; kill -9 "$1" 2>/dev/null; wait "$1"; }
for round in 1 2; do
    f="$WORK/same$round.csv"
    rm -f "$WORK/same.resume"
    FOOTPRINT_TEST_PAUSE_AT=import:commit FOOTPRINT_TEST_RESUME_FILE="$WORK/same.resume" \
        "$FP" --db "$PG" import "$f" --dataset same > "$WORK/sa.out" 2>&1 & pa=$!
    if ! wait_for_line "$WORK/sa.out" "paused at import:commit" $pa 60; then
        fail "round $round: A did not reach its pause: $(cat "$WORK/sa.out")"; kill $pa; break
    fi
    "$FP" --db "$PG" import "$f" --dataset same > "$WORK/sb.out" 2>&1 & pb=$!
    for i in $(seq 1 300); do [ "$(locked)" = 1 ] && break; sleep 0.1; done
    assert_eq 1 "$(locked)" "round $round: B waits for A on the server"
    touch "$WORK/same.resume"
    finish $pa; ra=$?; finish $pb; rb=$?
    assert_eq "0 0" "$ra $rb" "round $round: both exit 0 ($(tail -1 "$WORK/sb.out"))"
    ida=$(pq "SELECT max(id) FROM imports WHERE dataset = 'same'")
    assert_contains "$(cat "$WORK/sa.out")" "2 rows read, 2 stored, 0 rejected (import #$ida" "round $round: A stored the rows"
    assert_contains "$(cat "$WORK/sb.out")" "already imported into this dataset (import #$ida); nothing stored" "round $round: B stored nothing"
    assert_eq "$round|$(sha256sum "$f" | cut -d' ' -f1)|$((2 * round))" \
        "$(pq "SELECT count(*), (SELECT checksum FROM imports WHERE id = $ida), (SELECT count(*) FROM projects WHERE dataset = 'same') FROM imports WHERE dataset = 'same'")" \
        "round $round: one import more, its checksum as sha256sum's, its rows"
done
case_end

case_begin "a bulk import (more rows than the table holds) rebuilds the indexes and the key as they were; readers wait for it; killed, it leaves all as it was"
pgc_psql postgres -c "CREATE DATABASE bk TEMPLATE eq" >/dev/null || fail "copying the initialised database"
BK="postgresql://postgres@/bk?host=$PGC_SOCK&port=$PGC_PORT"
defs() {
    pgc_psql bk -c "SELECT string_agg(indexname || ': ' || indexdef, E'\n' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'projects'" \
        -c "SELECT string_agg(conname || ': ' || pg_get_constraintdef(oid), E'\n' ORDER BY conname) FROM pg_constraint WHERE conrelid = 'projects'::regclass" \
        -c "SELECT string_agg(conrelid::regclass || '.' || conname || ': ' || pg_get_constraintdef(oid), E'\n' ORDER BY conname) FROM pg_constraint WHERE confrelid = 'projects'::regclass" \
        -c "SELECT count(*) FROM pg_index WHERE indrelid = 'projects'::regclass AND indisvalid AND indisready"
}
"$FP" -q --db "$BK" import "$FIX/points_good.csv" --dataset small >/dev/null || fail "a small import first"
d0=$(defs)
assert_contains "$d0" "projects_geom: CREATE INDEX projects_geom ON public.projects USING gist (geom)" "schema's GiST index"
assert_contains "$d0" "projects_import_id_fkey: FOREIGN KEY (import_id) REFERENCES imports(id)" "schema's foreign key"
assert_contains "$d0" "projects_pkey: PRIMARY KEY (id)" "schema's primary key"
assert_contains "$d0" "qa_findings.qa_findings_project_id_fkey: FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE" "the QA's foreign key to projects"
n0=$(pgc_psql bk -c "SELECT count(*) FROM projects")
seq0=$(pgc_psql bk -c "SELECT last_value FROM projects_id_seq")
oid0=$(pgc_psql bk -c "SELECT 'projects_geom'::regclass::oid")
# pts.csv: 101,000 rows, about 7.7 MB: estimated above 100,000 rows (64 bytes each), more than the table holds.
rm -f "$WORK/bk.resume"
FOOTPRINT_TEST_PAUSE_AT=import:index FOOTPRINT_TEST_RESUME_FILE="$WORK/bk.resume" \
    "$FP" --db "$BK" import "$WORK/pts.csv" > "$WORK/bk.out" 2>&1 & pb=$!
if wait_for_line "$WORK/bk.out" "paused at import:index" $pb 60; then
    # Rows copied, indexes not yet built: the table is locked; a reader waits (this one gives up after 300 ms).
    out=$(pgc_psql bk -c "SET lock_timeout = '300ms'" -c "SELECT count(*) FROM projects" 2>&1)
    assert_contains "$out" "lock timeout" "a reader waits for the bulk import"
    "$FP" -q --db "$BK" aggregate --by country --name during > "$WORK/bkagg.out" 2>&1 & pa=$!
    sleep 1
    kill -0 $pa 2>/dev/null || fail "the aggregation did not wait for the import ($(cat "$WORK/bkagg.out"))"
    touch "$WORK/bk.resume"
    wait $pb; assert_eq 0 $? "the bulk import exit ($(tail -2 "$WORK/bk.out"))"
    wait $pa; assert_eq 0 $? "the waiting aggregation exit ($(cat "$WORK/bkagg.out"))"
    # It waited, then saw the whole import.
    assert_eq "$((n0 + 101000))" "$(pgc_psql bk -c "SELECT projects FROM aggregations WHERE name = 'during'")" "projects the aggregation saw"
else
    fail "the bulk import did not reach its pause: $(cat "$WORK/bk.out")"; kill $pb
fi
assert_eq "$d0" "$(defs)" "indexes and constraints as defined by the schema, valid"
# The bulk load sent its ids itself: one run after the small import's, the sequence at the last.
assert_eq "101000|$((seq0 + 1))|$((seq0 + 101000))|$((seq0 + 101000))" \
    "$(pgc_psql bk -F'|' -c "SELECT count(*), min(id), max(id), (SELECT last_value FROM projects_id_seq) FROM projects WHERE dataset = 'pts'")" \
    "the bulk import's ids follow the small import's, the sequence after them"
[ "$(pgc_psql bk -c "SELECT 'projects_geom'::regclass::oid")" != "$oid0" ] || fail "the GiST index was not rebuilt (same oid)"
# The index answers a bounding-box query as a scan of the table does.
assert_eq "$(pgc_psql bk -c "SET enable_indexscan = off; SET enable_bitmapscan = off; SELECT count(*) FROM projects WHERE geom && ST_MakeEnvelope(0, 0, 40, 30, 4326)")" \
          "$(pgc_psql bk -c "SET enable_seqscan = off; SELECT count(*) FROM projects WHERE geom && ST_MakeEnvelope(0, 0, 40, 30, 4326)")" "GiST index answers"
# The same file as another dataset: again a bulk load (the table holds 101,000 + a few); killed mid-way.
n1=$(pgc_psql bk -c "SELECT count(*) FROM projects")
oid1=$(pgc_psql bk -c "SELECT 'projects_geom'::regclass::oid")
FOOTPRINT_TEST_PAUSE_AT=import:index "$FP" --db "$BK" import "$WORK/pts.csv" --dataset again > "$WORK/bk2.out" 2>&1 & pb=$!
if wait_for_line "$WORK/bk2.out" "paused at import:index" $pb 60; then
    out=$(pgc_psql bk -c "SET lock_timeout = '300ms'" -c "SELECT count(*) FROM projects" 2>&1)
    assert_contains "$out" "lock timeout" "a bulk load again (the table locked)"
    kill -KILL $pb
else
    fail "the second bulk import did not reach its pause: $(cat "$WORK/bk2.out")"
fi
{ wait $pb; } 2>/dev/null
# The server rolls the killed session back once it notices; wait for its lock to go.
for _ in $(seq 50); do
    [ "$(pgc_psql bk -c "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'projects' AND l.mode = 'AccessExclusiveLock'")" = 0 ] && break
    sleep 0.2
done
assert_eq "$n1|0" "$(pgc_psql bk -c "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports WHERE dataset = 'again')")" "nothing of the killed import"
assert_eq "$d0" "$(defs)" "indexes and constraints as they were"
assert_eq "$oid1" "$(pgc_psql bk -c "SELECT 'projects_geom'::regclass::oid")" "the very same GiST index"
# Ids go on past the bulk load's (the killed one's were never used).
"$FP" -q --db "$BK" import "$FIX/points_good.csv" --dataset after >/dev/null || fail "a small import after the bulk loads"
assert_eq "t" "$(pgc_psql bk -c "SELECT (SELECT min(id) FROM projects WHERE dataset = 'after') > (SELECT max(id) FROM projects WHERE dataset = 'pts')")" \
    "a later import's ids after the bulk load's"
case_end

# bulk_beside DB POINT ARGS...: `footprint ARGS` on a fresh copy DB of eq
# stops at POINT; a bulk import of pts.csv started then waits (its locks all
# at once or none, NOWAIT, again and again), holding no lock and with no row
# in imports; once the first goes on, both exit 0, the import whole and a
# bulk load (its GiST index rebuilt).
bulk_beside() {
    local db=$1 point=$2; shift 2
    local url="postgresql://postgres@/$db?host=$PGC_SOCK&port=$PGC_PORT" oid p1 pb
    pgc_psql postgres -c "CREATE DATABASE $db TEMPLATE eq" >/dev/null || fail "copying the initialised database"
    oid=$(pgc_psql "$db" -c "SELECT 'projects_geom'::regclass::oid")
    rm -f "$WORK/$db.resume"
    FOOTPRINT_TEST_PAUSE_AT=$point FOOTPRINT_TEST_RESUME_FILE="$WORK/$db.resume" \
        "$FP" --db "$url" "$@" > "$WORK/$db.first.out" 2>&1 & p1=$!
    if ! wait_for_line "$WORK/$db.first.out" "paused at $point" $p1 60; then
        fail "$1 did not reach its pause: $(cat "$WORK/$db.first.out")"; kill $p1; return
    fi
    "$FP" --db "$url" import "$WORK/pts.csv" > "$WORK/$db.bulk.out" 2>&1 & pb=$!
    sleep 1.5
    kill -0 $pb 2>/dev/null || fail "the bulk import did not wait ($(tail -2 "$WORK/$db.bulk.out"))"
    assert_eq "0|0" "$(pgc_psql "$db" -F'|' -c "SELECT (SELECT count(*) FROM imports WHERE dataset = 'pts'), (SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.query LIKE 'LOCK TABLE imports, projects%' AND l.granted AND l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock')")" \
        "the waiting bulk import holds no lock and has no row in imports"
    touch "$WORK/$db.resume"
    wait $p1; assert_eq 0 $? "$1 exit ($(tail -2 "$WORK/$db.first.out"))"
    wait $pb; assert_eq 0 $? "the bulk import exit ($(tail -2 "$WORK/$db.bulk.out"))"
    assert_eq 101000 "$(pgc_psql "$db" -c "SELECT count(*) FROM projects WHERE dataset = 'pts'")" "the bulk import whole"
    assert_eq "3" "$(pgc_psql "$db" -c "SELECT count(*) FROM pg_index WHERE indrelid = 'projects'::regclass AND indisvalid")" "indexes valid"
    [ "$(pgc_psql "$db" -c "SELECT 'projects_geom'::regclass::oid")" != "$oid" ] || fail "not a bulk load (the GiST index not rebuilt)"
}

case_begin "a bulk import started while another import holds its row in imports waits for it; both land (no deadlock)"
# The small import stops after writing its row in imports (a lock on imports
# held); it goes on into projects, which nobody holds, and commits.
bulk_beside bk2 import:begin import "$WORK/b1.csv" --dataset small
assert_eq "pts|101000
small|3000" "$(pgc_psql bk2 -F'|' -c "SELECT dataset, count(*) FROM projects GROUP BY 1 ORDER BY 1")" "both imports whole"
case_end

case_begin "check --undo and a bulk import that starts while it runs both land (no deadlock: the import takes its locks all at once or none)"
# The undo stops after reading the fix journal, holding projects and
# qa_fixes. With a plain LOCK the import held imports and waited for
# projects, and the check's next read of imports deadlocked.
bulk_beside bk3 qa:undo check --undo
case_end

case_begin "a bulk import that cannot have its locks within 10 s goes the ordinary way: it lands, the reader is not locked out"
pgc_psql postgres -c "CREATE DATABASE bk4 TEMPLATE eq" >/dev/null || fail "copying the initialised database"
B4="postgresql://postgres@/bk4?host=$PGC_SOCK&port=$PGC_PORT"
oid4=$(pgc_psql bk4 -c "SELECT 'projects_geom'::regclass::oid")
# A session that has read projects and keeps its transaction open.
pgc_psql bk4 -c "BEGIN" -c "SELECT count(*) FROM projects" -c "SELECT pg_sleep(120)" >/dev/null 2>&1 & holder=$!
for _ in $(seq 100); do
    [ "$(pgc_psql bk4 -c "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(120)'")" = 1 ] && break
    sleep 0.1
done
t0=$(date +%s)
"$FP" --db "$B4" import "$WORK/pts.csv" > "$WORK/bulk4.out" 2>&1; rc=$?
t1=$(date +%s)
assert_eq 0 "$rc" "the import exit ($(tail -2 "$WORK/bulk4.out"))"
kill -0 $holder 2>/dev/null || fail "the reader's transaction ended before the import did"
[ $((t1 - t0)) -ge 10 ] || fail "the import did not wait for its locks ($((t1 - t0)) s)"
assert_eq 101000 "$(pgc_psql bk4 -c "SELECT count(*) FROM projects WHERE dataset = 'pts'")" "the import whole"
# The ordinary way keeps the indexes: the very same GiST index, all valid.
assert_eq "$oid4" "$(pgc_psql bk4 -c "SELECT 'projects_geom'::regclass::oid")" "the GiST index kept up, not rebuilt"
assert_eq "3" "$(pgc_psql bk4 -c "SELECT count(*) FROM pg_index WHERE indrelid = 'projects'::regclass AND indisvalid")" "indexes valid"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
case_end

case_begin "an aggregation during an import sees a consistent snapshot; the killed import leaves nothing"
n0=$(pq "SELECT count(*) FROM projects WHERE geom IS NOT NULL")
python3 "$ROOT/bench/gen_points.py" 5000 "$WORK/late.csv" --seed 13 >/dev/null
FOOTPRINT_TEST_PAUSE_AT=import:index "$FP" --db "$PG" import "$WORK/late.csv" --dataset late > "$WORK/late.out" 2>&1 & pi=$!
if wait_for_line "$WORK/late.out" "paused at import:index" $pi 60; then
    # The import's 5,000 rows are written but not committed.
    run --db "$PG" aggregate --by country --name during
    assert_eq 0 "$RC" "aggregate during the import"
    assert_eq "$n0" "$(pq "SELECT projects FROM aggregations WHERE name = 'during'")" "projects seen by the aggregation"
    assert_eq "$n0" "$(pq "SELECT count(DISTINCT project_id) FROM agg_during_assign")" "assignments"
    kill -KILL $pi   # killed mid-import: the server rolls its transaction back
else
    fail "the import did not reach its pause: $(cat "$WORK/late.out")"
fi
{ wait $pi; } 2>/dev/null; ri=$?
[ "$ri" -ne 0 ] || fail "the killed import exited 0"
assert_eq "0|0" "$(pq "SELECT (SELECT count(*) FROM projects WHERE dataset = 'late'), (SELECT count(*) FROM imports WHERE dataset = 'late')")" "nothing of the killed import"
case_end

# behind_paused NAME POINT SQL ARGS...: footprint ARGS... on lq, paused at
# POINT (its store connection holding its locks); then SQL in another
# session, which must come to wait for a lock; then the command resumed.
# Sets PAUSED_RC (124 or 137: it hung until timeout ended it; SIGTERM alone
# does not, a reader waits in the server) and SQL_RC; their output in
# $WORK/NAME.out and $WORK/NAME.sql. Returns 1 if the command never paused.
behind_paused() {
    local name=$1 point=$2 sql=$3 pid spid waits; shift 3
    rm -f "$WORK/$name.resume"
    FOOTPRINT_TEST_PAUSE_AT=$point FOOTPRINT_TEST_RESUME_FILE="$WORK/$name.resume" \
        timeout -k 5 120 "$FP" --db "$LQ" "$@" > "$WORK/$name.out" 2>&1 & pid=$!
    if ! wait_for_line "$WORK/$name.out" "paused at $point" $pid 60; then
        fail "$name: the command did not reach its pause: $(cat "$WORK/$name.out")"; kill $pid; return 1
    fi
    pgc_psql lq -c "$sql" > "$WORK/$name.sql" 2>&1 & spid=$!
    waits="SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query = \$\$$sql\$\$"
    for _ in $(seq 100); do [ "$(pgc_psql lq -c "$waits")" = 1 ] && break; sleep 0.1; done
    assert_eq 1 "$(pgc_psql lq -c "$waits")" "$name: the other session's statement waits for the command"
    touch "$WORK/$name.resume"
    wait $pid; PAUSED_RC=$?
    wait $spid; SQL_RC=$?
}
case_begin "an aggregation whose readers queue behind another session's waiting LOCK (as a TRUNCATE or ALTER TABLE would) reads on its own connection instead of hanging"
pgc_psql postgres -c "CREATE DATABASE lq TEMPLATE eq" >/dev/null || fail "copying the database"
LQ="postgresql://postgres@/lq?host=$PGC_SOCK&port=$PGC_PORT"
"$FP" -q --db "$LQ" import "$WORK/pts.csv" || fail "importing pts.csv"   # 101,000 points: two readers
pgc_psql lq -c "DELETE FROM projects_columns" >/dev/null   # the readers read the rows: they lock projects
nq=$(pgc_psql lq -c "SELECT count(*) FROM projects WHERE geom IS NOT NULL")
[ "$nq" -ge 100000 ] || fail "$nq points: too few for reader threads"
# Paused after its own connection read the ids (a share lock on projects, held to its commit).
if behind_paused lq aggregate:read "BEGIN; LOCK TABLE projects IN ACCESS EXCLUSIVE MODE; COMMIT" \
        aggregate --by country --name lq --threads 2; then
    assert_eq 0 "$PAUSED_RC" "aggregate exit: $(tail -3 "$WORK/lq.out")"
    assert_contains "$(cat "$WORK/lq.out")" "reading on the store's own connection" "the fall-back said"
    assert_eq "$nq" "$(pgc_psql lq -c "SELECT projects FROM aggregations WHERE name = 'lq'")" "every project read"
    assert_eq 0 "$SQL_RC" "the LOCK had its turn after the aggregation ($(cat "$WORK/lq.sql"))"
fi
case_end

case_begin "a colleague who is not the tables' owner imports a big file into a young database: the ordinary way (the bulk one drops indexes, the owner's right), whole, the indexes as they were"
pgc_psql postgres -c "CREATE DATABASE team" >/dev/null && pgc_psql team -c "CREATE EXTENSION postgis" >/dev/null || fail "set-up"
TEAM="postgresql://postgres@/team?host=$PGC_SOCK&port=$PGC_PORT"
"$FP" -q --db "$TEAM" init || fail "init as the owner"
pgc_psql team -c "CREATE ROLE bob LOGIN" -c "GRANT CREATE ON SCHEMA public TO bob" \
    -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bob" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO bob" >/dev/null || fail "the role"
idx() { pgc_psql team -At -c "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'projects'"; }
before=$(idx)
# 3,000 rows into an empty table, the bulk threshold at 100: the bulk way for the owner.
OUT=$(FOOTPRINT_TEST_BULK_ROWS=100 "$FP" --db "postgresql://bob@/team?host=$PGC_SOCK&port=$PGC_PORT" import "$WORK/b1.csv" 2>&1); RC=$?
assert_eq 0 "$RC" "bob's import ($OUT)"
assert_contains "$OUT" "3000 rows read, 3000 stored" "stored whole"
assert_eq 3000 "$(pgc_psql team -At -c "SELECT count(*) FROM projects")" "rows"
assert_eq "$before" "$(idx)" "the indexes as they were"
case_end

case_begin "QGIS styles: a colleague granted writing to layer_styles but no CREATE on the schema writes them; a list of place names gets its projects style once geocoded"
pgc_psql team -c "CREATE ROLE carol LOGIN" -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO carol" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO carol" >/dev/null || fail "the role"
CAROL="postgresql://carol@/team?host=$PGC_SOCK&port=$PGC_PORT"
printf 'id,company,category,place,country\nN1,Acme,data_centre,Nairobi,Kenya\nN2,Acme,rd_lab,Mombasa,Kenya\n' > "$WORK/places.csv"
pgc_psql team -c "DELETE FROM layer_styles WHERE f_table_name = 'projects'" >/dev/null
run --db "$CAROL" import "$WORK/places.csv" --dataset places
assert_eq 0 "$RC" "carol's import"
assert_not_contains "$OUT" "styles not written" "no warning ($OUT)"
run --db "$CAROL" geocode --dataset places
assert_eq 0 "$RC" "carol's geocode"
assert_not_contains "$OUT" "styles not written" "no warning ($OUT)"
assert_eq 1 "$(pgc_psql team -c "SELECT count(*) FROM layer_styles WHERE f_table_name = 'projects' AND description = 'footprint style'")" "the projects' style written"
case_end

case_begin "an amount of -0 is stored as 0 on PostGIS, as SQLite stores it (the engines' exports said 0 and -0)"
printf 'id,company,lon,lat,amount\nZ1,a,10.5,10.5,-0\nZ2,a,11.5,10.5,-0.0\n' > "$WORK/negz.csv"
"$FP" -q --db "$TEAM" import "$WORK/negz.csv" --dataset negz || fail "import"
assert_eq "0 0" "$(pgc_psql team -c "SELECT string_agg(amount::text, ' ' ORDER BY source_key) FROM projects WHERE dataset = 'negz'")" "amounts"
case_end

case_begin "a role at its connection limit (no second connection to read with): aggregate and check read on the store's own connection, with the same results"
# lq holds 101,000 points (the case above): aggregate and check read them
# with two reader connections each. A role limited to one connection (as a
# pooler of one connection, or a role at its limit, would leave it) cannot
# open them. Superusers ignore connection limits: a plain role, granted
# what footprint writes.
pgc_psql lq -c "CREATE ROLE lim LOGIN CONNECTION LIMIT 1" \
    -c "GRANT ALL ON SCHEMA public TO lim" -c "GRANT ALL ON ALL TABLES IN SCHEMA public TO lim" \
    -c "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO lim" >/dev/null || fail "creating the role"
LIM="postgresql://lim@/lq?host=$PGC_SOCK&port=$PGC_PORT"
agg_sql() { echo "SELECT code, projects FROM \"agg_$1\" ORDER BY code"; }
run --db "$LQ" aggregate --by country --group category --name full --threads 2
assert_eq 0 "$RC" "aggregate as postgres"
assert_not_contains "$OUT" "reading on the store's own connection" "postgres: its readers connected"
run --db "$LIM" aggregate --by country --group category --name limited --threads 2
assert_eq 0 "$RC" "aggregate as the limited role: $OUT"
assert_contains "$OUT" "too many connections for role" "the note says why"
assert_contains "$OUT" "reading on the store's own connection" "the note says what it did instead"
pgc_psql lq -F'|' -c "$(agg_sql full)" > "$WORK/lim_full.txt"
pgc_psql lq -F'|' -c "$(agg_sql limited)" > "$WORK/lim_limited.txt"
assert_eq "$(pgc_psql lq -c "SELECT count(*) FROM projects WHERE geom IS NOT NULL")" \
    "$(pgc_psql lq -c "SELECT projects FROM aggregations WHERE name = 'limited'")" "every project read"
[ "$(wc -l < "$WORK/lim_full.txt")" -ge 100 ] && cmp -s "$WORK/lim_full.txt" "$WORK/lim_limited.txt" ||
    fail "the two aggregations differ: $(diff "$WORK/lim_full.txt" "$WORK/lim_limited.txt" | head -4 | tr '\n' ' ')"
qa_sql="SELECT project_id, kind, row_ref, evidence, other_id FROM qa_findings WHERE dataset = 'pts' ORDER BY project_id, kind"
run --db "$LQ" check --dataset pts
assert_eq 0 "$RC" "check as postgres"
assert_not_contains "$OUT" "reading on the store's own connection" "postgres: its check's readers connected"
pgc_psql lq -F'|' -c "$qa_sql" > "$WORK/lim_qa_full.txt"
pgc_psql lq -c "DELETE FROM qa_findings" >/dev/null
run --db "$LIM" check --dataset pts
assert_eq 0 "$RC" "check as the limited role: $OUT"
assert_contains "$OUT" "too many connections for role" "the check's note says why"
pgc_psql lq -F'|' -c "$qa_sql" > "$WORK/lim_qa_limited.txt"
[ -s "$WORK/lim_qa_full.txt" ] && cmp -s "$WORK/lim_qa_full.txt" "$WORK/lim_qa_limited.txt" ||
    fail "the two checks' findings differ: $(diff "$WORK/lim_qa_full.txt" "$WORK/lim_qa_limited.txt" | head -4 | tr '\n' ' ')"
case_end

case_begin "a check whose readers would queue behind another session's waiting LOCK reads on its own connection instead of hanging; the same findings"
# lim_qa_full.txt: the findings of this database's points (the case above).
if behind_paused cq check:read "BEGIN; LOCK TABLE projects IN ACCESS EXCLUSIVE MODE; COMMIT" check --dataset pts; then
    assert_eq 0 "$PAUSED_RC" "check exit: $(tail -3 "$WORK/cq.out")"
    assert_contains "$(cat "$WORK/cq.out")" "waited for a table lock that another session asked for behind this check; reading on the store's own connection" "the fall-back said"
    pgc_psql lq -F'|' -c "$qa_sql" > "$WORK/cq_qa.txt"
    [ -s "$WORK/lim_qa_full.txt" ] && cmp -s "$WORK/lim_qa_full.txt" "$WORK/cq_qa.txt" ||
        fail "the findings differ from a check with readers: $(diff "$WORK/lim_qa_full.txt" "$WORK/cq_qa.txt" | head -4 | tr '\n' ' ')"
    assert_eq 0 "$SQL_RC" "the LOCK had its turn after the check ($(cat "$WORK/cq.sql"))"
fi
case_end

case_begin "a REINDEX queued behind a check: its readers fall back (index locks taken up front), then PostgreSQL's deadlock check ends the check whole; nothing changed"
# The REINDEX holds a share lock on projects and waits for the check's lock
# on an index; the check's own writes wait for the REINDEX (README).
pgc_psql lq -F'|' -c "$qa_sql" > "$WORK/ri_before.txt"
if behind_paused ri check:read "REINDEX TABLE projects" check --dataset pts; then
    assert_eq 1 "$PAUSED_RC" "check exit: $(tail -3 "$WORK/ri.out")"
    assert_contains "$(cat "$WORK/ri.out")" "reading on the store's own connection" "the readers fell back (their index locks were taken when they opened)"
    assert_contains "$(cat "$WORK/ri.out")" "deadlock detected" "the error says why"
    assert_eq 0 "$SQL_RC" "the REINDEX ran ($(cat "$WORK/ri.sql"))"
    pgc_psql lq -F'|' -c "$qa_sql" > "$WORK/ri_after.txt"
    [ -s "$WORK/ri_before.txt" ] && cmp -s "$WORK/ri_before.txt" "$WORK/ri_after.txt" || fail "the failed check changed the findings"
fi
case_end

case_begin "two concurrent inits of a new database: one creates the schema, the other waits and finds it current"
pgc_psql postgres -c "CREATE DATABASE fresh" >/dev/null
pgc_psql fresh -c "CREATE EXTENSION postgis" >/dev/null
FR="postgresql://postgres@/fresh?host=$PGC_SOCK&port=$PGC_PORT"
"$FP" --db "$FR" init --regions "$FIX/aggregate/strip.geojson" > "$WORK/i1.out" 2>&1 & p1=$!
"$FP" --db "$FR" init --regions "$FIX/aggregate/strip.geojson" > "$WORK/i2.out" 2>&1 & p2=$!
wait $p1; r1=$?; wait $p2; r2=$?
assert_eq "0 0" "$r1 $r2" "both inits exit 0 ($(cat "$WORK/i1.out" "$WORK/i2.out" | head -4 | tr '\n' ' '))"
assert_eq "1" "$(cat "$WORK/i1.out" "$WORK/i2.out" | grep -c 'created postgresql')" "exactly one created the schema"
assert_eq "1,2,3,4,5,6" "$(pgc_psql fresh -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version")" "each migration once"
assert_eq "5" "$(pgc_psql fresh -c "SELECT count(*) FROM regions")" "regions loaded once"
assert_eq "1" "$(cat "$WORK/i1.out" "$WORK/i2.out" | grep -c 'already loaded')" "the other found them loaded"
# A bad region layer: the feature named, the regions as they were.
run --db "$FR" init --regions "$FIX/aggregate/dup_codes.geojson"
assert_eq 1 "$RC" "duplicate codes exit"
assert_contains "$OUT" "dup_codes.geojson: feature 3 (DUPE)" "feature named"
assert_contains "$OUT" "duplicate region code" "reason"
assert_eq "5" "$(pgc_psql fresh -c "SELECT count(*) FROM regions")" "regions unchanged"
case_end

case_begin "a wrong password: one line naming the server, never the password, exit 1"
run --db "postgresql://$PGC_PW_USER:wrong-$PGC_PW_PASS@127.0.0.1:$PGC_PORT/fp" rejects
assert_eq 1 "$RC" "exit"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line"
assert_contains "$OUT" "postgresql://$PGC_PW_USER@127.0.0.1:$PGC_PORT/fp: cannot connect" "names the server"
assert_contains "$OUT" "password authentication failed" "says why"
assert_not_contains "$OUT" "$PGC_PW_PASS" "no password"
# The right one through PGPASSWORD and through ~/.pgpass (libpq's own rules).
OUT=$(PGPASSWORD=$PGC_PW_PASS "$FP" --db "postgresql://$PGC_PW_USER@127.0.0.1:$PGC_PORT/fp" rejects --dataset mixed 2>&1); RC=$?
assert_eq 0 "$RC" "PGPASSWORD honoured ($OUT)"
mkdir -p "$WORK/home"; echo "127.0.0.1:$PGC_PORT:fp:$PGC_PW_USER:$PGC_PW_PASS" > "$WORK/home/.pgpass"; chmod 600 "$WORK/home/.pgpass"
OUT=$(HOME=$WORK/home PGHOST=127.0.0.1 PGPORT=$PGC_PORT PGUSER=$PGC_PW_USER "$FP" --db "PG:dbname=fp" rejects --dataset mixed 2>&1); RC=$?
assert_eq 0 "$RC" "~/.pgpass and PG* variables with the PG: form ($OUT)"
case_end

case_begin "a password with '/' or '@' written as is in a URL, or with a space unquoted: libpq reads parts of it as host, port or database and echoes them; none reaches the message, which says to percent-encode"
# Each piece of each password must be absent from the whole output.
for db in "postgresql://anna:x7/Qw9+zK@127.0.0.1:$PGC_PORT/fp" "postgresql://anna:SECx@RET11@127.0.0.1:$PGC_PORT/fp" \
          "PG:host=127.0.0.1 port=$PGC_PORT dbname=fp user=anna password=SECy RETWORD"; do
    run --db "$db" rejects
    assert_eq 1 "$RC" "exit ($db)"
    assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line ($OUT)"
    assert_contains "$OUT" "cannot connect" "says it ($OUT)"
    for piece in x7 Qw9+zK SECx RET11 SECy RETWORD; do assert_not_contains "$OUT" "$piece" "no '$piece' in: $OUT"; done
done
run --db "postgresql://anna:x7/Qw9+zK@127.0.0.1:$PGC_PORT/fp" rejects
assert_contains "$OUT" "write them %2F and %40" "the way out"
# A key=value after an unquoted password: its key is echoed ('invalid connection option "RETz"').
run --db "PG:host=127.0.0.1 port=$PGC_PORT dbname=fp user=anna password=SECz RETz=WORD" rejects
for piece in SECz RETz; do assert_not_contains "$OUT" "$piece" "no '$piece' in: $OUT"; done
# Nothing garbled for a one-letter word, and no password where an '@' is in the query.
run --db "PG:host=127.0.0.1 port=$PGC_PORT dbname=fp user=anna password=SECw n dbname=x" rejects
assert_contains "$OUT" "connection" "the message's words intact: $OUT"
run --db "postgresql://127.0.0.1:1/fp?user=anna@corp.com" rejects
assert_eq 1 "$RC" "exit"
assert_not_contains "$OUT" "%2F" "no password hint without a password: $OUT"
assert_contains "$OUT" "/fp" "the database named: $OUT"
case_end

case_begin "two analysts' check --fix at once on two datasets: a batch each; check --undo puts back the last run's rows only"
# A takes its batch number and waits (the check:batch pause point) while B runs: B must
# get the next number, not A's (both read max + 1 and shared one; one --undo put back both).
pgc_psql postgres -c "CREATE DATABASE fixes" >/dev/null
pgc_psql fixes -c "CREATE EXTENSION postgis" >/dev/null
FX="postgresql://postgres@/fixes?host=$PGC_SOCK&port=$PGC_PORT"
"$FP" -q --db "$FX" init >/dev/null && "$FP" -q --db "$FX" import "$FIX/qa/mistakes.csv" --dataset qa1 &&
    "$FP" -q --db "$FX" import "$FIX/qa/mistakes.csv" --dataset qa2 || fail "set-up"
rm -f "$WORK/fix.resume"
FOOTPRINT_TEST_PAUSE_AT=check:batch FOOTPRINT_TEST_RESUME_FILE="$WORK/fix.resume" \
    "$FP" --db "$FX" check --dataset qa1 --fix swapped,sign > "$WORK/fa.out" 2>&1 & pa=$!
wait_for_line "$WORK/fa.out" "paused at check:batch" $pa 60 || fail "A did not reach its pause: $(cat "$WORK/fa.out")"
"$FP" --db "$FX" check --dataset qa2 --fix swapped,sign > "$WORK/fb.out" 2>&1 & pb=$!
sleep 1; touch "$WORK/fix.resume"
finish $pa; ra=$?; finish $pb; rb=$?
assert_eq "0 0" "$ra $rb" "both exit 0 ($(tail -1 "$WORK/fb.out"))"
n1=$(pgc_psql fixes -c "SELECT count(*) FROM qa_fixes WHERE dataset = 'qa1'")
[ "$n1" -ge 1 ] || fail "qa1's fixes journalled: $n1"
assert_eq "qa1|1 qa2|2" "$(pgc_psql fixes -F'|' -c "SELECT dataset || '|' || string_agg(DISTINCT batch::text, ',') FROM qa_fixes GROUP BY dataset ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "a batch each"
run --db "$FX" check --undo
assert_contains "$OUT" "undone: the last --fix, $(pgc_psql fixes -c "SELECT count(*) FROM qa_fixes WHERE dataset = 'qa2'") rows put back" "the last run's rows only"
assert_eq "$n1" "$(pgc_psql fixes -c "SELECT count(*) FROM qa_fixes WHERE dataset = 'qa1' AND undone IS NULL")" "qa1's fixes stand"
case_end

case_begin "a connection string libpq cannot parse: the password is not in the message"
for url in 'postgresql://analyst:s3cr3t%zz@127.0.0.1:1/team' 'postgresql://analyst:s3cr3t-pw@[::1/team' \
           'postgresql://analyst@127.0.0.1:1/team?password=s3cr3t%zz&sslmode=require' 'postgresql://analyst:s3?cr3t%zz@127.0.0.1:1/team' \
           "PG:host=127.0.0.1 port=1 password='s3cr3t pw' dbname=team connect_timeout=x"; do
    run --db "$url" rejects
    assert_eq 1 "$RC" "exit status ($url)"
    assert_not_contains "$OUT" "cr3t" "no password in: $OUT"
done
# A service of pg_service.conf is named as such, not as the defaults' server.
run --db "PG:service=nonexist" rejects
assert_eq "1 footprint: postgresql://service=nonexist: cannot connect: definition of service \"nonexist\" not found" "$RC $OUT" "a service"
case_end

case_begin "a layer_styles table another role owns (QGIS's, a colleague's), writing granted: styles written, no warning"
pgc_psql postgres -c "CREATE ROLE stylist LOGIN" >/dev/null
pgc_psql postgres -c "CREATE ROLE writer LOGIN" >/dev/null
pgc_psql postgres -c "CREATE DATABASE styles" >/dev/null
pgc_psql styles -c "CREATE EXTENSION postgis" >/dev/null
pgc_psql styles -c "GRANT ALL ON SCHEMA public TO stylist, writer" >/dev/null
pgc_psql styles -c "SET ROLE stylist; CREATE TABLE public.layer_styles(id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar, f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean, description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml, update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)" >/dev/null
pgc_psql styles -c "GRANT ALL ON public.layer_styles, public.layer_styles_id_seq TO writer" >/dev/null
ST="postgresql://writer@/styles?host=$PGC_SOCK&port=$PGC_PORT"
run --db "$ST" init
assert_eq 0 "$RC" "init as writer ($OUT)"
run --db "$ST" import "$FIX/qa/mistakes.csv"
assert_eq 0 "$RC" "import as writer ($OUT)"
assert_not_contains "$OUT" "QGIS styles not written" "no warning"
assert_eq "stylist|projects" "$(pgc_psql styles -F'|' -c "SELECT tableowner FROM pg_tables WHERE tablename = 'layer_styles'")|$(pgc_psql styles -c "SELECT string_agg(f_table_name, ',' ORDER BY 1) FROM layer_styles WHERE f_table_name = 'projects'")" "the owner's table, footprint's projects style in it"
case_end

case_begin "an over-long or non-UTF-8 --dataset is refused (exit 2), nothing stored, on both engines"
long=$(python3 -c "print('odd_' + '\u00e9' * 200)")
for db in "$FX" "$WORK/dsname.sqlite"; do
    case "$db" in *.sqlite) fp_init "$db" >/dev/null ;; esac
    run --db "$db" import "$FIX/qa/mistakes.csv" --dataset "$long"
    assert_eq 2 "$RC" "exit status ($db: $OUT)"
    assert_contains "$OUT" "--dataset: too long; use at most 255 bytes of UTF-8 text" "message"
done
assert_eq 0 "$(pgc_psql fixes -c "SELECT count(*) FROM projects WHERE dataset LIKE 'odd%'")" "nothing stored on PostGIS"
case_end

case_begin "render without the style's aggregation: one line naming it and the store's aggregations, no SQL text, on both engines"
for db in "$FX" "$WORK/dsname.sqlite"; do
    run --db "$db" render -o "$WORK/noagg.png"
    assert_eq 2 "$RC" "exit status ($db)"
    assert_contains "$OUT" "needs aggregation 'country_by_category', which $( [ "$db" = "$FX" ] && echo "postgresql://postgres@" || echo "$db")" "message ($OUT)"
    assert_contains "$OUT" "(aggregations: none; run \`footprint aggregate --by country --group category\`)" "what there is, what to run"
    assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line"
    assert_not_contains "$OUT" "LINE 1" "no SQL text"
done
case_end

case_begin "an unreachable server and a database without PostGIS: one-line errors, exit 1, nothing written"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run --db "postgresql://fp:topsecret@127.0.0.1:$port/fp" init
assert_eq 1 "$RC" "unreachable exit"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line"
assert_contains "$OUT" "footprint: postgresql://fp@127.0.0.1:$port/fp: cannot connect" "names the server"
assert_contains "$OUT" "Connection refused" "says why"
assert_not_contains "$OUT" "topsecret" "no password"
pgc_psql postgres -c "CREATE DATABASE plain" >/dev/null
run --db "postgresql://postgres@/plain?host=$PGC_SOCK&port=$PGC_PORT" init
assert_eq 1 "$RC" "no PostGIS exit"
assert_contains "$OUT" "/plain: this database has no PostGIS" "says so"
assert_eq 0 "$(pgc_psql plain -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" "no tables created"
run --db "postgresql://postgres@/fresh2?host=$PGC_SOCK&port=$PGC_PORT" rejects
assert_eq 1 "$RC" "missing database exit"
assert_contains "$OUT" "fresh2\" does not exist" "missing database named"
case_end

# ---- every command on both engines: a small pair of stores -----------------
# The sample projects (82 rows to geocode) and the QA fixture (one mistake of
# each kind) in a fresh SpatiaLite file and a fresh PostGIS database; each
# command runs on both and the outputs are compared file by file (cmp), the
# stores through sqlite3/spatialite and psql dumps. Exports carry their own
# time in the layer description ("exported by footprint V on TIME"): that
# time is the one thing taken out before comparing.
# Both start initialised (copies made after the first cases' inits).
SDB=$WORK/eq.sqlite
EQ="postgresql://postgres@/eq?host=$PGC_SOCK&port=$PGC_PORT"
eq_dump() {  # NAME SQLITE_SQL PG_SQL
    spatialite_q "$SDB" "$2" > "$WORK/$1.sqlite.txt"
    pgc_psql eq -F'|' -c "$3" > "$WORK/$1.pg.txt"
    [ -s "$WORK/$1.sqlite.txt" ] || fail "$1: the SpatiaLite dump is empty"
    diff -q "$WORK/$1.sqlite.txt" "$WORK/$1.pg.txt" >/dev/null ||
        fail "$1: dumps differ: $(diff "$WORK/$1.sqlite.txt" "$WORK/$1.pg.txt" | head -6 | tr '\n' ' ')"
}
untimed() { sed -E 's/ on [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z//g' "$1"; }
same_file() {  # A B message: byte for byte
    cmp -s "$1" "$2" || fail "$3: $1 and $2 differ ($(cmp "$1" "$2" 2>&1 | head -1))"
}
GEOM_S="hex(AsBinary(geom))"; GEOM_P="upper(encode(ST_AsBinary(geom), 'hex'))"
mkdir -p s p
cp "$ROOT/geodata/projects.csv" "$FIX/qa/mistakes.csv" .

# From here on PostgreSQL cursors fetch 7 rows at a time (FOOTPRINT_TEST_FETCH_BATCH;
# 20,000 otherwise, as in the cases above): the sample's scans cross batch
# boundaries, so each next batch is prefetched while rows are processed and
# the commands' other statements (geocode's COPY, export's queries) are sent
# between batches (pg_rows.c, fpi_pg_settle). SpatiaLite ignores it.
export FOOTPRINT_TEST_FETCH_BATCH=7
case_begin "engine equivalence: geocode places the same rows at the same coordinates with the same methods"
import_sample() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import projects.csv --dataset sample >/dev/null || fail "import sample ($db)"
    "$FP" -q --db "$db" import mistakes.csv --dataset qa >/dev/null || fail "import qa ($db)"
}
on_both import_sample "$SDB" "$EQ"
# 82 sample rows without coordinates and 2 of the QA fixture (M11, M12).
assert_eq 84 "$(pgc_psql eq -c "SELECT count(*) FROM projects WHERE geom IS NULL")" "rows to geocode on PostGIS"
"$FP" --db "$SDB" geocode > s/geocode.out 2>&1 & bg=$!
run --db "$EQ" geocode
wait $bg || fail "geocode on SpatiaLite: $(tail -2 s/geocode.out)"
gs=$(cat s/geocode.out)
assert_eq 0 "$RC" "geocode on PostGIS exit ($OUT)"
assert_eq "$gs" "$OUT" "the same geocode report"
assert_eq 0 "$(pgc_psql eq -c "SELECT count(*) FROM projects WHERE geom IS NULL")" "every row placed on PostGIS"
assert_eq "ST_Point|4326|84" "$(pgc_psql eq -F'|' -c "SELECT DISTINCT ST_GeometryType(geom), ST_SRID(geom), count(*) OVER () FROM projects WHERE geocode_method <> 'input'")" "placed as points with SRID 4326"
eq_dump geocoded \
    "SELECT id, dataset, geocode_method, geocode_ref, geocode_precision, country_code, $GEOM_S FROM projects ORDER BY id" \
    "SELECT id, dataset, geocode_method, geocode_ref, geocode_precision, country_code, $GEOM_P FROM projects ORDER BY id"
# --redo places them again, the same way, in the same transaction's swap.
"$FP" -q --db "$EQ" geocode --redo >/dev/null || fail "geocode --redo on PostGIS"
eq_dump geocoded_redo \
    "SELECT id, geocode_method, geocode_ref, $GEOM_S FROM projects ORDER BY id" \
    "SELECT id, geocode_method, geocode_ref, $GEOM_P FROM projects ORDER BY id"
case_end

case_begin "engine equivalence: check finds the same mistakes; --fix and --undo move and restore the same rows"
"$FP" --db "$SDB" check > s/check.out 2>&1 & bg=$!
run --db "$EQ" check
wait $bg || fail "check on SpatiaLite: $(tail -2 s/check.out)"
cs=$(sed -E 's/ in [0-9.]+ s$//' s/check.out)
assert_eq 0 "$RC" "check on PostGIS exit ($OUT)"
assert_eq "$cs" "$(sed -E 's/ in [0-9.]+ s$//' <<<"$OUT")" "the same findings printed"
assert_contains "$OUT" "mistakes.csv:3: swapped" "the swapped row found on PostGIS"
eq_dump findings \
    "SELECT project_id, dataset, kind, row_ref, evidence, suggestion, other_id, fix, $(P6 fix_lon), $(P6 fix_lat) FROM qa_findings ORDER BY id" \
    "SELECT project_id, dataset, kind, row_ref, evidence, suggestion, other_id, fix, round(fix_lon::numeric, 6), round(fix_lat::numeric, 6) FROM qa_findings ORDER BY id"
eq_dump qa_flags "SELECT id, qa FROM projects WHERE qa IS NOT NULL ORDER BY id" "SELECT id, qa FROM projects WHERE qa IS NOT NULL ORDER BY id"
before=$(pgc_psql eq -c "SELECT string_agg(id || ' ' || $GEOM_P, ',' ORDER BY id) FROM projects")
fix_swapped() { "$FP" -q --db "$1" check --fix swapped,sign >/dev/null || fail "check --fix ($1)"; }
on_both fix_swapped "$SDB" "$EQ"
assert_eq "M2 36.8219 -1.2921" "$(pgc_psql eq -F' ' -c "SELECT source_key, ST_X(geom), ST_Y(geom) FROM projects WHERE source_key = 'M2'")" "the swapped row moved on PostGIS"
eq_dump fixes \
    "SELECT batch, project_id, dataset, fix, $(P6 old_lon), $(P6 old_lat), $(P6 new_lon), $(P6 new_lat), undone IS NULL FROM qa_fixes ORDER BY id" \
    "SELECT batch, project_id, dataset, fix, round(old_lon::numeric, 6), round(old_lat::numeric, 6), round(new_lon::numeric, 6), round(new_lat::numeric, 6), (undone IS NULL)::int FROM qa_fixes ORDER BY id"
eq_dump fixed "SELECT id, qa, $GEOM_S FROM projects ORDER BY id" "SELECT id, qa, $GEOM_P FROM projects ORDER BY id"
run --db "$EQ" check --undo
assert_contains "$OUT" "undone: the last --fix, 3 rows put back as they were" "undo on PostGIS"
assert_eq "$before" "$(pgc_psql eq -c "SELECT string_agg(id || ' ' || $GEOM_P, ',' ORDER BY id) FROM projects")" "geometries back as they were"
assert_eq "4326" "$(pgc_psql eq -c "SELECT DISTINCT ST_SRID(geom) FROM projects")" "SRID kept by the undo"
"$FP" -q --db "$SDB" check --undo >/dev/null || fail "undo on SpatiaLite"
case_end

case_begin "engine equivalence: export GeoJSON byte-identical (projects, split, aggregation, centroids, assignments); GeoPackage, CSV and KML the same"
aggregate_sample() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" aggregate --by country --group category >/dev/null || fail "aggregate ($db)"
}
on_both aggregate_sample "$SDB" "$EQ"
export_layers() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" export --what projects --format geojson -o $e/projects.geojson || fail "export projects ($db)"
    "$FP" -q --db "$db" export --what projects --format geojson --split-by category -o $e/split || fail "export split ($db)"
    "$FP" -q --db "$db" export --what projects --format geojson --where company=Huawei -o $e/huawei.geojson || fail "export --where ($db)"
    "$FP" -q --db "$db" export --what aggregate:country_by_category --format geojson -o $e/agg.geojson || fail "export aggregation ($db)"
    "$FP" -q --db "$db" export --what assignments:country_by_category --format geojson -o $e/assign.geojson || fail "export assignments ($db)"
    "$FP" -q --db "$db" export --what projects --format gpkg -o $e/projects.gpkg || fail "export gpkg ($db)"
    "$FP" -q --db "$db" export --what aggregate:country_by_category --format csv -o $e/agg.csv || fail "export csv ($db)"
    "$FP" -q --db "$db" export --what projects --format kml -o $e/projects.kml || fail "export kml ($db)"
}
on_both export_layers "$SDB" "$EQ"
for f in projects.geojson huawei.geojson agg.geojson agg_centroids.geojson assign.geojson; do
    [ -s s/$f ] || fail "no s/$f"
    same_file <(untimed s/$f) <(untimed p/$f) "$f"
done
assert_eq "$(ls s/split)" "$(ls p/split)" "the same split files"
for f in s/split/*.geojson; do same_file <(untimed $f) <(untimed p/split/${f##*/}) "split ${f##*/}"; done
same_file s/agg.csv p/agg.csv "aggregation CSV"
# Feature counts against the store itself (psql), not footprint's own numbers.
n=$(pgc_psql eq -c "SELECT count(*) FROM projects WHERE geom IS NOT NULL")
assert_eq "$n" "$(python3 -c "import json; print(len(json.load(open('p/projects.geojson'))['features']))")" "projects features"
assert_eq "$(pgc_psql eq -c "SELECT count(*) FROM agg_country_by_category_assign")" \
    "$(python3 -c "import json; print(len(json.load(open('p/assign.geojson'))['features']))")" "assignment features"
# GeoPackage: the same layers, fields and geometries by ogrinfo (its styles' update times aside).
# (The layer's DESCRIPTION carries the export's time, as GeoJSON's does.)
ogrinfo -al -q s/projects.gpkg | grep -v update_time | sed 's/ on [0-9][0-9T:-]*Z/ on TIME/' > s/gpkg.txt
ogrinfo -al -q p/projects.gpkg | grep -v update_time | sed 's/ on [0-9][0-9T:-]*Z/ on TIME/' > p/gpkg.txt
assert_eq "$n" "$(grep -c '^OGRFeature(projects)' p/gpkg.txt)" "GeoPackage features"
same_file s/gpkg.txt p/gpkg.txt "GeoPackage by ogrinfo -al"
# KML: the same bytes but the layer's <description> (it says when).
assert_eq "$n" "$(grep -c '<Placemark' p/projects.kml)" "KML Placemarks"
same_file <(grep -v '<description>' s/projects.kml) <(grep -v '<description>' p/projects.kml) "KML"
case_end

case_begin "engine equivalence: render gives byte-identical PNGs (choropleth, categories zoomed to a region, Africa)"
render_maps() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" render --size 800x450 -o $e/world.png || fail "render world ($db)"
    "$FP" -q --db "$db" render --style "$ROOT/styles/category-points.json" --region BRA --size 600x600 -o $e/bra.png || fail "render BRA ($db)"
    "$FP" -q --db "$db" render --style "$ROOT/styles/africa.json" --size 600x600 -o $e/africa.png || fail "render africa ($db)"
}
on_both render_maps "$SDB" "$EQ"
for f in world.png bra.png africa.png; do same_file s/$f p/$f "$f"; done
# Not a blank image: the choropleth colours several countries.
assert_eq 1 "$(python3 -c "
import sys; sys.path.insert(0, '$ROOT/tests/tools'); import png_colors
w, h, bpp, rows = png_colors.pixels('p/world.png')
print(int(len({bytes(r[x:x + 3]) for r in rows for x in range(0, w * bpp, bpp)}) > 20))")" "world.png has colours"
case_end

case_begin "engine equivalence: tiles z0-2 give the same PNG and vector tile bytes"
make_tiles() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" tiles --zoom 0-2 -o $e/t || fail "png tiles ($db)"
    "$FP" -q --db "$db" tiles --zoom 0-2 --format mvt -o $e/v.mbtiles || fail "mvt tiles ($db)"
}
on_both make_tiles "$SDB" "$EQ"
# 1 + 4 + 16 tiles (the preview's own images under lib/ aside).
assert_eq 21 "$(find p/t -path '*/lib' -prune -o -name '*.png' -print | wc -l)" "z0-2 PNG tiles on PostGIS"
(cd s/t && find . -name '*.png' | sort) > s/tiles.txt
(cd p/t && find . -name '*.png' | sort) > p/tiles.txt
same_file s/tiles.txt p/tiles.txt "the same tile files"
while read -r f; do cmp -s "s/t/$f" "p/t/$f" || fail "tile $f differs"; done < s/tiles.txt
q="SELECT zoom_level, tile_column, tile_row, hex(tile_data) FROM tiles ORDER BY 1, 2, 3"
sqlite3 s/v.mbtiles "$q" > s/mvt.txt; sqlite3 p/v.mbtiles "$q" > p/mvt.txt
[ -s p/mvt.txt ] || fail "no vector tiles"
same_file s/mvt.txt p/mvt.txt "vector tiles"
case_end

case_begin "engine equivalence: diff prints the same summary and report; export --what diff:OLD:NEW GeoJSON byte-identical; the database unchanged"
cp "$FIX/diff/edition_2024.csv" "$FIX/diff/edition_2025.csv" .
import_editions() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import edition_2024.csv --dataset 2024 >/dev/null || fail "import 2024 ($db)"
    "$FP" -q --db "$db" import edition_2025.csv --dataset 2025 >/dev/null || fail "import 2025 ($db)"
}
on_both import_editions "$SDB" "$EQ"
tables() { pgc_psql eq -c "SELECT string_agg(schemaname || '.' || tablename, ' ' ORDER BY 1) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"; }
before=$(tables)$(pgc_psql eq -c "SELECT count(*), max(id) FROM projects")
diff_editions() {  # DB E
    local db=$1 e=$2
    run --db "$db" diff --dataset 2024 --against 2025 --report $e/diff.csv
    assert_eq 0 "$RC" "diff exit ($db: $OUT)"
    sed -E 's/ \([0-9.]+ s\)$//; s/every change: [sp]\//every change: /' <<<"$OUT" > $e/diff.txt
    "$FP" -q --db "$db" export --what diff:2024:2025 --format geojson -o $e/changes.geojson || fail "export diff ($db)"
}
on_both diff_editions "$SDB" "$EQ"
# The fixture's known changes (tests/fixtures/diff: its header), on PostGIS.
assert_contains "$(cat p/diff.txt)" "3 added, 3 removed, 3 moved more than 100 m (2 of them also changed), 3 changed, 3 unchanged" "counts on PostGIS"
assert_contains "$(cat p/diff.txt)" "edition_2024.csv:5: [D4] 'Harare cameras' (Hikvision, ZWE)" "a removed row named by file and line"
same_file s/diff.txt p/diff.txt "diff summary"
same_file s/diff.csv p/diff.csv "diff --report CSV"
same_file <(untimed s/changes.geojson) <(untimed p/changes.geojson) "diff layer GeoJSON"
assert_eq "added=3 changed=3 moved=3 removed=3" "$(python3 -c "
import collections, json
c = collections.Counter(f['properties']['change'] for f in json.load(open('p/changes.geojson'))['features'])
print(' '.join('%s=%d' % kv for kv in sorted(c.items())))")" "features per change"
# The changes lived in the session's temporary table: nothing left in the database.
assert_eq "$before" "$(tables)$(pgc_psql eq -c "SELECT count(*), max(id) FROM projects")" "tables and projects unchanged"
case_end

# Rows without ids, several of one name, company and country (as in
# test_diff.sh): the unchanged row pairs first, then the nearest; the same
# pairs on both engines.
case_begin "engine equivalence: diff pairs id-less rows of one name the same way (unchanged first, then nearest)"
printf 'company,name,place,country,lon,lat,phase\nHuawei,Safe city,Mombasa,KEN,39.6682,-4.0435,1\nHuawei,Safe city,Nairobi,KEN,36.8219,-1.2921,1\nHuawei,Safe city,Kisumu,KEN,34.7617,-0.0917,1\n' > twins_old.csv
printf 'company,name,place,country,lon,lat,phase\nHuawei,Safe city,Nairobi,KEN,36.8246,-1.2921,2\nHuawei,Safe city,Kisumu,KEN,34.7617,-0.0917,1\n' > twins_new.csv
twins() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import twins_old.csv --dataset twins_o >/dev/null || fail "import twins_o ($db)"
    "$FP" -q --db "$db" import twins_new.csv --dataset twins_n >/dev/null || fail "import twins_n ($db)"
    run --db "$db" diff --dataset twins_o --against twins_n --report $e/twins.csv
    assert_eq 0 "$RC" "diff exit ($db: $OUT)"
    sed -E 's/ \([0-9.]+ s\)$//; s/every change: [sp]\//every change: /' <<<"$OUT" > $e/twins.txt
}
on_both twins "$SDB" "$EQ"
# By hand: Kisumu unchanged, Nairobi moved (PROJ's geod) with phase 1 -> 2, Mombasa removed.
nairobi_m=$(echo "-1.2921 36.8219 -1.2921 36.8246" | geod +ellps=WGS84 -I +units=m | awk '{printf "%.0f", $3}')
assert_contains "$(cat p/twins.txt)" "0 added, 1 removed, 1 moved more than 100 m (1 of them also changed), 0 changed, 1 unchanged" "counts on PostGIS"
assert_contains "$(cat p/twins.txt)" "twins_old.csv:2: 'Safe city' (Huawei, KEN)" "Mombasa removed"
assert_contains "$(cat p/twins.txt)" "twins_new.csv:2: 'Safe city' (Huawei, KEN) moved $nairobi_m m, matched by name+company+location; phase: 1 -> 2" "Nairobi moved"
same_file s/twins.txt p/twins.txt "diff summary"
same_file s/twins.csv p/twins.csv "diff --report CSV"
case_end

case_begin "engine equivalence: diff names GeoJSON rows 'file: feature N' and warns of editions sharing no ids, on both engines alike"
# The editions' cases work on copies of the command stores: their datasets and
# aggregations stay out of the cases after them (QGIS's layer_styles, exports).
cp "$SDB" "$WORK/edq.sqlite" && pgc_psql postgres -c "CREATE DATABASE edq TEMPLATE eq" >/dev/null ||
    fail "copying the command stores"
EDS=$WORK/edq.sqlite
EDQ="postgresql://postgres@/edq?host=$PGC_SOCK&port=$PGC_PORT"
cat > dg_old.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"G1","name":"Kept"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}},
{"type":"Feature","properties":{"id":"G2","name":"Gone"},"geometry":{"type":"Point","coordinates":[38.7,9.0]}}]}
J
printf 'id,name,lon,lat\n1,Kept again,36.8,-1.3\n2,New,-17.4,14.7\n' > dg_new.csv
diff_features() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import dg_old.geojson --dataset dg_o >/dev/null && "$FP" -q --db "$db" import dg_new.csv --dataset dg_n >/dev/null ||
        fail "import ($db)"
    run --db "$db" diff --dataset dg_o --against dg_n --report $e/dg.csv
    sed -E 's/ \([0-9.]+ s\)$//; s/every change: [sp]\//every change: /' <<<"$OUT" > $e/dg.txt
}
on_both diff_features "$EDS" "$EDQ"
# By hand: G2 is the old file's second feature; the ids G1, G2 and 1, 2 share none.
assert_contains "$(cat p/dg.txt)" "dg_old.geojson: feature 2: [G2] 'Gone'" "feature number on PostGIS"
assert_contains "$(cat p/dg.txt)" "diff: warning: dg_o and dg_n share no ids" "the warning on PostGIS"
same_file s/dg.txt p/dg.txt "diff summary and warning"
same_file s/dg.csv p/dg.csv "diff --report CSV"
case_end

case_begin "engine equivalence: render --facet gives byte-identical pages (a text field, cumulative year bins, extra keys: numbers, booleans, mixed)"
import_extra() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import "$FIX/postgis/extra_values.geojson" --dataset extra >/dev/null || fail "import extra ($db)"
    "$FP" -q --db "$db" aggregate --by country --group category >/dev/null || fail "aggregate ($db)"
}
on_both import_extra "$SDB" "$EQ"
cat > facet.json <<'JSON'
{ "name": "facet", "background": "#eaf2f8", "view": { "projection": "equal-earth" },
  "choropleth": { "aggregation": "country_by_category", "level": "country", "field": "projects",
                  "method": "manual", "breaks": [1, 1.5, 2.5, 1000], "scheme": "YlOrRd",
                  "nodata": "#dddddd", "zero_is_nodata": true } }
JSON
F_COMPANY="--facet company"; F_YEARS="--facet year --facet-bins 1990-2015,2016-2030 --cumulative"
F_SCORE="--facet score"; F_BINS="--facet score --facet-bins 0-2,2-100"; F_FLAG="--facet flag"; F_MIX="--facet mix"
render_facets() {  # DB E
    local db=$1 e=$2
    for f in COMPANY YEARS SCORE BINS FLAG MIX; do
        v=F_$f
        "$FP" -q --db "$db" render --style facet.json ${!v} --size 600x400 -o $e/facet_$f.png 2> $e/facet_$f.err ||
            fail "render ${!v} ($db): $(head -c 400 $e/facet_$f.err)"
    done
}
on_both render_facets "$SDB" "$EQ"
for f in COMPANY YEARS SCORE BINS FLAG MIX; do same_file s/facet_$f.png p/facet_$f.png "facet page $f"; done
# Panels found on the page (their sea colour), one per value psql counts:
# every company; score's values as numbers (1 and 1.0 one value: 1, 2.5, 10);
# flag's true/false; mix's 3, 20, B, x.
PROBE="/usr/bin/python3 $ROOT/tests/tools/facet_probe.py"
assert_eq 2 "$($PROBE panels p/facet_YEARS.png '#eaf2f8' | wc -l)" "cumulative bins: 2 panels"
assert_eq 2 "$($PROBE panels p/facet_BINS.png '#eaf2f8' | wc -l)" "score bins: 2 panels"
assert_eq "$(pgc_psql eq -c "SELECT count(DISTINCT company) FROM projects WHERE company <> ''")" \
    "$($PROBE panels p/facet_COMPANY.png '#eaf2f8' | wc -l)" "company panels"
assert_eq "$(pgc_psql eq -c "SELECT count(DISTINCT (extra::json ->> 'score')::numeric) FROM projects WHERE dataset = 'extra'")" \
    "$($PROBE panels p/facet_SCORE.png '#eaf2f8' | wc -l)" "score panels"
assert_eq 2 "$($PROBE panels p/facet_FLAG.png '#eaf2f8' | wc -l)" "flag panels"
assert_eq 4 "$($PROBE panels p/facet_MIX.png '#eaf2f8' | wc -l)" "mix panels"
case_end

case_begin "engine equivalence: render --facet over an aggregation of one edition and with --dataset: the same panels, note and pixels"
# Two editions (test_facets.sh's): e1 has two projects without a year, e2 none;
# c_e2 aggregates e2 alone, c_eall both.
printf 'id,name,year,lon,lat\nA,a,,36.8,-1.3\nB,b,,38.7,9.0\nC,c,2020,36.9,-1.2\nD,d,2019,38.8,9.1\n' > fe1.csv
printf 'id,name,year,lon,lat\nP1,p,2020,36.8,-1.3\nP2,q,2020,37.0,-0.5\nP3,r,2021,38.7,9.0\n' > fe2.csv
facet_editions() {  # DB E
    local db=$1 e=$2
    "$FP" -q --db "$db" import fe1.csv --dataset fe1 >/dev/null && "$FP" -q --db "$db" import fe2.csv --dataset fe2 >/dev/null &&
        "$FP" -q --db "$db" aggregate --by country --dataset fe2 --name c_e2 >/dev/null &&
        "$FP" -q --db "$db" aggregate --by country --name c_eall >/dev/null || fail "import, aggregate ($db)"
    "$FP" -q --db "$db" render --style facet.json --facet year --aggregation c_e2 --size 600x400 -o $e/fe_year.png &&
        "$FP" -q --db "$db" render --style facet.json --facet year --aggregation c_eall --dataset fe1 -o $e/fe_year1.pdf &&
        "$FP" -q --db "$db" render --style facet.json --facet dataset --aggregation c_e2 --size 600x400 -o $e/fe_ds.png ||
        fail "render ($db)"
}
on_both facet_editions "$EDS" "$EDQ"
same_file s/fe_year.png p/fe_year.png "year page of c_e2"
same_file s/fe_ds.png p/fe_ds.png "dataset page of c_e2"
# By hand: c_e2's years 2020, 2021; one panel of datasets; fe1's 2 undated of 4.
assert_eq 2 "$($PROBE panels p/fe_year.png '#eaf2f8' | wc -l)" "c_e2's year panels on PostGIS"
assert_eq 1 "$($PROBE panels p/fe_ds.png '#eaf2f8' | wc -l)" "c_e2's dataset panels on PostGIS"
for e in s p; do
    assert_eq "By year (2 of 4 projects of dataset fe1 have no year: in no panel)" \
        "$(pdftotext $e/fe_year1.pdf - | grep -m1 '^By year')" "the note ($e)"
done
case_end

case_begin "engine equivalence: render --facet of a group column (a project column's, an extra key's), projects_weighted and amount: byte-identical pages"
# Each panel's region value is the style's field over the panel's projects
# (test_facets.sh checks the values against sqlite3): the SQL of each
# measure and of a group column's filter, on both engines. On the editions'
# copies: the aggregation made here stays out of the cases after it.
group_mix() {  # DB E
    "$FP" -q --db "$1" import "$FIX/postgis/extra_values.geojson" --dataset extra >/dev/null || fail "import extra ($1)"
    "$FP" -q --db "$1" aggregate --by country --group category >/dev/null || fail "aggregate ($1)"
    "$FP" -q --db "$1" aggregate --by country --group mix --name c_mix >/dev/null || fail "aggregate --group mix ($1)"
}
on_both group_mix "$EDS" "$EDQ"
assert_eq "mix|x" "$(sqlite3 "$EDS" "SELECT field, value FROM agg_c_mix_columns WHERE column_name = 'mix_x'")" \
    "the group column of mix = x (sqlite3)"
for fld in category_surveillance projects_weighted amount; do
    sed "s/\"field\": \"projects\"/\"field\": \"$fld\"/" facet.json > facet_$fld.json
done
sed 's/"field": "projects"/"field": "mix_x"/; s/"country_by_category"/"c_mix"/' facet.json > facet_mix_x.json
cp facet.json facet_projects.json
render_measures() {  # DB E
    local db=$1 e=$2
    for fld in projects category_surveillance projects_weighted amount mix_x; do
        "$FP" -q --db "$db" render --style facet_$fld.json --facet year --facet-bins 1990-2015,2016-2030 --cumulative \
            --size 600x400 -o $e/facet_m_$fld.png 2> $e/facet_m_$fld.err || fail "render $fld ($db): $(head -c 400 $e/facet_m_$fld.err)"
    done
    "$FP" -q --db "$db" render --style facet_mix_x.json --facet company --size 600x400 -o $e/facet_m_mix_x_company.png \
        2> $e/facet_m_mix.err || fail "render mix_x by company ($db): $(head -c 400 $e/facet_m_mix.err)"
}
on_both render_measures "$EDS" "$EDQ"
for fld in category_surveillance projects_weighted amount mix_x mix_x_company; do
    same_file s/facet_m_$fld.png p/facet_m_$fld.png "facet page of $fld"
done
# The field is used: on PostGIS, the United States' panel up to 2030 has the
# manual breaks' colour of its surveillance projects (psql: the sum of their
# shares), not of all its projects.
read -r ULON ULAT <<<"$(spatialite_q "$EDS" "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM regions
                                            WHERE level = 'country' AND code = 'USA'" | tr '|' ' ')"
usa() { pgc_psql edq -c "SELECT round(coalesce(sum(a.share), 0))::int FROM agg_country_by_category_assign a
                         JOIN projects p ON p.id = a.project_id WHERE a.region_code = 'USA' AND p.year <= 2030 $1"; }
USV=$(usa "AND p.category = 'surveillance'")
USALL=$(usa "")
[ "$USV" -gt 0 ] && [ "$USALL" -gt 2 ] && [ "$USV" -lt 2 ] || fail "USA's projects up to 2030 (psql): $USV surveillance of $USALL"
# facet.json's manual breaks [1, 1.5, 2.5, 1000] in YlOrRd's 3 colours: 1 is the first class.
assert_eq "#ffeda0" "$($PROBE probe p/facet_m_category_surveillance.png '#eaf2f8' 1 "+proj=eqearth +lon_0=0 +datum=WGS84 +units=m" "$ULON" "$ULAT")" \
    "USA up to 2030 on the surveillance page ($USV of $USALL projects)"
assert_eq "#f03b20" "$($PROBE probe p/facet_m_projects.png '#eaf2f8' 1 "+proj=eqearth +lon_0=0 +datum=WGS84 +units=m" "$ULON" "$ULAT")" \
    "USA up to 2030 on the projects page ($USALL projects)"
case_end

case_begin "QGIS opens the PostGIS tables with the postgres provider: valid, psql's count, EPSG:4326, the default style from layer_styles (the GeoPackage export's QML)"
# The styles init, import and aggregate wrote, one footprint row per table.
assert_eq "agg_country_by_category|t|1
projects|t|1" "$(pgc_psql eq -F'|' -c "SELECT f_table_name, bool_and(useasdefault), count(*) FROM public.layer_styles
    WHERE f_table_catalog = 'eq' AND f_table_schema = 'public' AND f_geometry_column = 'geom' GROUP BY 1 ORDER BY 1")" "layer_styles rows"
# The QML an export from the SpatiaLite store writes into its GeoPackage, byte for byte.
"$FP" -q --db "$SDB" export --what projects --format gpkg -o s/styled_projects.gpkg || fail "export projects gpkg"
"$FP" -q --db "$SDB" export --what aggregate:country_by_category --format gpkg -o s/styled_agg.gpkg || fail "export agg gpkg"
sqlite3 s/styled_projects.gpkg "SELECT styleQML FROM layer_styles WHERE f_table_name = 'projects'" > s/projects.qml
sqlite3 s/styled_agg.gpkg "SELECT styleQML FROM layer_styles WHERE f_table_name = 'country_by_category'" > s/agg.qml
pgc_psql eq -c "SELECT styleqml FROM public.layer_styles WHERE f_table_name = 'projects'" > p/projects.qml
pgc_psql eq -c "SELECT styleqml FROM public.layer_styles WHERE f_table_name = 'agg_country_by_category'" > p/agg.qml
[ -s s/projects.qml ] && [ -s s/agg.qml ] || fail "no QML in the GeoPackages"
same_file s/projects.qml p/projects.qml "projects QML"
same_file s/agg.qml p/agg.qml "aggregation QML"
QOUT=$(QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK" /usr/bin/python3 "$ROOT/tests/tools/qgis_pg_check.py" \
       "$PGC_SOCK" "$PGC_PORT" eq postgres projects agg_country_by_category 2>&1 | grep -E '^(projects|agg_)')
# Expected: counts from psql, categories from psql, the rules from the stored QML (read by Python's XML parser).
cats=$(pgc_psql eq -c "SELECT string_agg(c, '|' ORDER BY c COLLATE \"C\") FROM (SELECT DISTINCT coalesce(category, '') AS c FROM projects WHERE geom IS NOT NULL) x")
assert_eq "projects valid=1 count=$(pgc_psql eq -c "SELECT count(*) FROM projects") crs=EPSG:4326 style=1 renderer=categorizedSymbol attr=category classes=$(tr '|' '\n' <<<"$cats" | wc -l) items=$cats" \
    "$(grep '^projects ' <<<"$QOUT")" "projects in QGIS"
rules=$(python3 -c "
import sys, xml.etree.ElementTree as ET
root = ET.parse('p/agg.qml').getroot()
r = root.find('renderer-v2'); rules = r.find('rules').findall('rule')
print(r.get('type'), len(rules), '|'.join('%s~%s' % (x.get('label'), x.get('filter')) for x in rules))")
read -r rtype nrules ritems <<<"$rules"
assert_eq "agg_country_by_category valid=1 count=$(pgc_psql eq -c "SELECT count(*) FROM agg_country_by_category") crs=EPSG:4326 style=1 renderer=$rtype attr= classes=$nrules items=$ritems" \
    "$(grep '^agg_country_by_category ' <<<"$QOUT")" "aggregation in QGIS"
# A QGIS user's own default style stays the default; footprint replaces only its own row.
pgc_psql eq -c "INSERT INTO public.layer_styles(f_table_catalog, f_table_schema, f_table_name, f_geometry_column, stylename, styleqml, useasdefault, description)
    SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, 'mine', styleqml, true, 'saved in QGIS' FROM public.layer_styles WHERE f_table_name = 'projects'" >/dev/null
"$FP" -q --db "$EQ" import "$FIX/points_good.csv" --dataset more >/dev/null || fail "import more"
assert_eq "mine|t
world-choropleth|f" "$(pgc_psql eq -F'|' -c "SELECT stylename, useasdefault FROM public.layer_styles WHERE f_table_name = 'projects' ORDER BY 1")" "the user's default kept"
case_end

case_begin "commands on an unreachable server: one line naming it, exit 1, no output written, no password shown"
for cmd in "geocode" "check" "diff --dataset 2024 --against 2025" "export --format geojson -o x.geojson" "render -o x.png" \
           "render --facet company -o x.png" "tiles --zoom 0-1 -o t" "run"; do
    run --db "postgresql://u:pw-secret@127.0.0.1:1/fp" $cmd
    assert_eq 1 "$RC" "$cmd exit"
    assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "$cmd: one line"
    assert_contains "$OUT" "footprint: postgresql://u@127.0.0.1:1/fp: cannot connect" "$cmd message"
    assert_not_contains "$OUT" "pw-secret" "$cmd: no password"
done
[ -e x.geojson ] || [ -e x.png ] || [ -e t ] || [ -e output ] && fail "an output was written"
case_end

case_begin "the server restarted mid-import: one line naming the server, exit 1, nothing of the import; the next import lands"
python3 "$ROOT/bench/gen_points.py" 3000 "$WORK/restart.csv" --seed 17 >/dev/null
n0=$(pq "SELECT count(*) FROM projects")
i0=$(pq "SELECT count(*) FROM imports")
rm -f "$WORK/resume"
URL="postgresql://$PGC_PW_USER@127.0.0.1:$PGC_PORT/fp"
PGPASSWORD=$PGC_PW_PASS FOOTPRINT_TEST_PAUSE_AT=import:index FOOTPRINT_TEST_RESUME_FILE="$WORK/resume" \
    "$FP" --db "$URL" import "$WORK/restart.csv" --dataset restart > "$WORK/restart.out" 2>&1 & pi=$!
if wait_for_line "$WORK/restart.out" "paused at import:index" $pi 60; then
    # The rows are written, not committed; a fast restart ends every session.
    _pgc_as "$PG_BIN/pg_ctl" -D "$PGC_DIR/data" -m fast -w -t 60 restart >/dev/null 2>&1 || fail "pg_ctl restart"
    touch "$WORK/resume"
else
    fail "the import did not reach its pause: $(cat "$WORK/restart.out")"
fi
{ wait $pi; } 2>/dev/null; ri=$?
OUT=$(grep -v 'paused at' "$WORK/restart.out")
assert_eq 1 "$ri" "exit status ($OUT)"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line"
assert_contains "$OUT" "footprint: $URL:" "names the server"
assert_not_contains "$OUT" "$PGC_PW_PASS" "no password"
assert_eq "$n0|$i0|0" "$(pq "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports), (SELECT count(*) FROM projects WHERE dataset = 'restart')")" "nothing of the import"
OUT=$(PGPASSWORD=$PGC_PW_PASS "$FP" -q --db "$URL" import "$WORK/restart.csv" --dataset restart 2>&1); RC=$?
assert_eq 0 "$RC" "the same import after the restart ($OUT)"
assert_eq 3000 "$(pq "SELECT count(*) FROM projects WHERE dataset = 'restart'")" "rows of the second import"
case_end

# After the QGIS case: these aggregations add to layer_styles.
case_begin "engine equivalence: aggregate --dataset counts one edition, the same rows on both; without it a note names the datasets"
agg_edition() {  # DB E
    local db=$1 e=$2
    run --db "$db" aggregate --by country --group category --dataset 2025 --name ed25
    assert_eq 0 "$RC" "aggregate --dataset ($db: $OUT)"
    head -1 <<<"$OUT" > $e/ed.txt
    "$FP" -q --db "$db" export --what aggregate:ed25 --format csv -o $e/ed25.csv || fail "export ($db)"
    run --db "$db" aggregate --by continent --name edall
    grep note <<<"$OUT" > $e/note.txt
}
on_both agg_edition "$SDB" "$EQ"
same_file s/ed.txt p/ed.txt "summary"
same_file s/ed25.csv p/ed25.csv "aggregation rows"
assert_eq "aggregate ed25: $(grep -c . edition_2025.csv | awk '{print $1 - 1}') projects of dataset 2025 by country" \
    "$(sed 's/ (.*//' p/ed.txt)" "the 2025 edition's projects (its CSV's rows)"
# Each store's datasets, read by psql and sqlite3 (the first four named, then "...").
note_of() { python3 -c "
import sys
n = sys.stdin.read().split()
print('  note: the store holds %d datasets (%s%s); all are counted (--dataset NAME counts one edition)' % (len(n), ', '.join(n[:4]), ', ...' if len(n) > 4 else ''))"; }
assert_eq "$(pgc_psql eq -c "SELECT DISTINCT dataset FROM projects ORDER BY 1" | note_of)" "$(cat p/note.txt)" "note on PostGIS"
assert_eq "$(sqlite3 "$SDB" "SELECT DISTINCT dataset FROM projects ORDER BY 1" | note_of)" "$(cat s/note.txt)" "note on SpatiaLite"
case_end

case_begin "engine equivalence: footprint's own GeoPackage read back keeps the same placements (one point moved in it placed by hand)"
# s/projects.gpkg: the export of the case above (sample and qa, geocoded).
cp s/projects.gpkg rt.gpkg
ogrinfo -q rt.gpkg -dialect sqlite -sql "UPDATE projects SET geom = AsGPB(MakePoint(ST_X(geom) + 1, ST_Y(geom), 4326)) WHERE source_key = 'P002'" >/dev/null 2>&1
read_back() {  # DB E
    "$FP" --db "$1" import rt.gpkg --dataset rt > $2/rt.out 2>&1 || fail "import rt.gpkg ($1: $(tail -2 $2/rt.out))"
}
on_both read_back "$SDB" "$EQ"
assert_contains "$(cat p/rt.out)" "moved more than 100 m since the export, stored as placed by hand (geocode_method input): 1" "PostGIS: the moved point said"
eq_dump read_back \
    "SELECT source_key, geocode_method, geocode_precision, geocode_ref, $GEOM_S FROM projects WHERE dataset = 'rt' ORDER BY source_key" \
    "SELECT source_key, geocode_method, geocode_precision, geocode_ref, $GEOM_P FROM projects WHERE dataset = 'rt' ORDER BY source_key"
# The export holds two datasets (sample, qa): read back, its ids are DATASET:ID.
assert_eq "input|point|" "$(pgc_psql eq -F'|' -c "SELECT geocode_method, geocode_precision, coalesce(geocode_ref, '') FROM projects WHERE dataset = 'rt' AND source_key = 'sample:P002'")" "P002 placed by hand"
assert_eq "0" "$(pgc_psql eq -c "SELECT count(*) FROM projects r JOIN projects s ON r.source_key = 'sample:' || s.source_key AND s.dataset = 'sample' WHERE r.dataset = 'rt' AND r.source_key <> 'sample:P002' AND (r.geocode_method IS DISTINCT FROM s.geocode_method OR r.geocode_ref IS DISTINCT FROM s.geocode_ref)")" "the others as the sample placed them"
assert_eq "$(pgc_psql eq -c "SELECT count(*) FROM projects WHERE dataset = 'sample'")" "$(pgc_psql eq -c "SELECT count(*) FROM projects r JOIN projects s ON r.source_key = 'sample:' || s.source_key AND s.dataset = 'sample' WHERE r.dataset = 'rt'")" "every sample row read back under sample:ID"
case_end

case_begin "engine equivalence: drop --dataset removes a dataset's projects, imports, rejects and QA findings alike; it can be imported again, and an aggregation after it counts the rest"
drop_rt() {  # DB E
    "$FP" --db "$1" drop --dataset rt > $2/drop.out 2>&1 || fail "drop ($1: $(cat $2/drop.out))"
}
n_rt=$(pgc_psql eq -c "SELECT count(*) FROM projects WHERE dataset = 'rt'")
on_both drop_rt "$SDB" "$EQ"
assert_eq "drop: dataset rt removed: $n_rt projects, 1 import (with their rejects and QA findings)" "$(cat p/drop.out)" "PostGIS: what was removed"
assert_eq "$(cat s/drop.out)" "$(cat p/drop.out)" "the same on SpatiaLite"
assert_eq "0|0|0" "$(pgc_psql eq -F'|' -c "SELECT (SELECT count(*) FROM projects WHERE dataset = 'rt'), (SELECT count(*) FROM imports WHERE dataset = 'rt'), (SELECT count(*) FROM qa_findings WHERE dataset = 'rt')")" "PostGIS: nothing of rt left"
eq_dump after_drop \
    "SELECT i.dataset, i.rows_stored, (SELECT count(*) FROM rejects r WHERE r.import_id = i.id), (SELECT count(*) FROM projects p WHERE p.import_id = i.id), (SELECT count(*) FROM qa_findings q WHERE q.dataset = i.dataset) FROM imports i WHERE i.dataset IN ('sample', 'qa', 'rt') ORDER BY i.dataset, i.file" \
    "SELECT i.dataset, i.rows_stored, (SELECT count(*) FROM rejects r WHERE r.import_id = i.id), (SELECT count(*) FROM projects p WHERE p.import_id = i.id), (SELECT count(*) FROM qa_findings q WHERE q.dataset = i.dataset) FROM imports i WHERE i.dataset IN ('sample', 'qa', 'rt') ORDER BY i.dataset, i.file"
assert_eq "0" "$(spatialite_q "$SDB" "SELECT (SELECT count(*) FROM projects_geom_point) + (SELECT count(*) FROM projects_geom_line) + (SELECT count(*) FROM projects_geom_polygon) - (SELECT count(*) FROM projects WHERE geom IS NOT NULL)")" "SpatiaLite: the typed geometry tables follow"
run --db "$SDB" drop --dataset rt
assert_eq 2 "$RC" "a dataset dropped already is unknown (exit 2)"
on_both read_back "$SDB" "$EQ"
assert_contains "$(cat p/rt.out)" "94 rows read, 94 stored" "PostGIS: imported again after the drop"
agg_after() {  # DB E
    "$FP" --db "$1" -q aggregate --by country --dataset rt --name after_drop > $2/agg.out 2>&1 || fail "aggregate ($1: $(cat $2/agg.out))"
}
on_both agg_after "$SDB" "$EQ"
eq_dump agg_after_drop \
    "SELECT code, projects FROM agg_after_drop WHERE level = 'country' AND projects > 0 ORDER BY code" \
    "SELECT code, projects FROM agg_after_drop WHERE level = 'country' AND projects > 0 ORDER BY code"
case_end
case_begin "PostGIS commands reading the regions or writing grid cells do not load GDAL (GEOS boxes, WKB multipolygons)"
# LD_DEBUG=libs names each library whose initialiser runs: libgdal's only
# when the process loaded it (as test_cli checks on SpatiaLite).
gdal_inits() { LD_DEBUG=libs "$FP" -q --db "$PG" "$@" 2>&1 >/dev/null | grep -c 'calling init: .*libgdal\.so'; }
printf 'id,name,country,lon,lat\nG1,a,KEN,36.8,-1.3\nG2,b,KEN,36.9,-1.2\n' > "$WORK/nogdal.csv"
assert_eq 0 "$(gdal_inits import "$WORK/nogdal.csv" --dataset nogdal)" "a CSV import (its QA reads the countries)"
assert_eq 0 "$(gdal_inits aggregate --by country --name nogdal_c)" "aggregate by country"
assert_eq 0 "$(gdal_inits aggregate --by grid:20 --name nogdal_g)" "aggregate by grid (cells written as multipolygons)"
assert_eq 1 "$(gdal_inits export --what projects --format gpkg -o "$WORK/nogdal.gpkg")" "a GeoPackage export (GDAL's job)"
# The cells arrive as one-part multipolygons, SRID 4326, valid for PostGIS.
assert_eq "ST_MultiPolygon|4326|1" "$(pq "SELECT DISTINCT ST_GeometryType(geom) || '|' || ST_SRID(geom) || '|' || ST_NumGeometries(geom) FROM agg_nogdal_g")" "grid cells' geometry"
assert_eq "t" "$(pq "SELECT bool_and(ST_IsValid(geom)) FROM agg_nogdal_g")" "grid cells valid"
case_end


# ---- working as a team: helpers ---------------------------------------------
# A DBA's set-up: an owner role that runs init, analysts, a read-only viewer,
# each a login role of the cluster (names prefixed per case: roles are the
# cluster's, not a database's). team_db NAME OWNER: a database owned by OWNER
# (PostgreSQL 15: its public schema then takes OWNER's CREATE), PostGIS
# created by the superuser, footprint's schema made by OWNER's init.
team_url() { echo "postgresql://$1@/$2?host=$PGC_SOCK&port=$PGC_PORT"; }  # ROLE DB
team_db() {  # NAME OWNER
    pgc_psql postgres -c "CREATE DATABASE $1 OWNER $2" >/dev/null &&
        pgc_psql "$1" -c "CREATE EXTENSION postgis" >/dev/null &&
        "$FP" -q --db "$(team_url "$2" "$1")" init >/dev/null
}
# QGIS as ROLE on DB: the styles of SCHEMA.TABLE that QGIS lists for the layer
# (QgsVectorLayer.listStylesInDatabase: QGIS's own query of layer_styles) and
# whether its default style loads. Prints "styles=N default=0|1" or the error.
qgis_styles() {  # DB ROLE SCHEMA TABLE
    QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK" /usr/bin/python3 - "$PGC_SOCK" "$PGC_PORT" "$@" <<'PY' 2>&1 | grep -E '^(styles=|invalid)'
import sys
from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer
host, port, db, user, schema, table = sys.argv[1:7]
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
uri = QgsDataSourceUri()
uri.setConnection(host, port, db, user, "")
uri.setDataSource(schema, table, "geom", "", "id")
layer = QgsVectorLayer(uri.uri(False), table, "postgres")
if not layer.isValid():
    print("invalid layer")
else:
    n, ids, names, descs, msg = layer.listStylesInDatabase()
    _m, styled = layer.loadDefaultStyle()
    print("styles=%d default=%d%s" % (max(n, 0), int(bool(styled)), (" error=" + msg) if msg else ""))
app.exitQgis()
PY
}
# ---- end of helpers ----------------------------------------------------------

case_begin "an analyst with a schema of their own (search_path \"\$user\", public): aggregate creates its tables in the store's schema, where a colleague's export finds them"
pgc_psql postgres -c "CREATE ROLE t1_owner LOGIN" -c "CREATE ROLE t1_anna LOGIN" -c "CREATE ROLE t1_bob LOGIN" >/dev/null
team_db t1 t1_owner || fail "set-up"
# anna's own schema comes first on the default search_path ("$user", public).
pgc_psql t1 -c "CREATE SCHEMA t1_anna AUTHORIZATION t1_anna" \
    -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO t1_anna, t1_bob" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO t1_anna, t1_bob" \
    -c "GRANT CREATE ON SCHEMA public TO t1_anna, t1_bob" \
    -c "ALTER DEFAULT PRIVILEGES FOR ROLE t1_anna IN SCHEMA public GRANT SELECT ON TABLES TO t1_bob" >/dev/null || fail "grants"
"$FP" -q --db "$(team_url t1_anna t1)" import "$FIX/points_good.csv" || fail "anna's import"
run --db "$(team_url t1_anna t1)" aggregate --by country --name cont
assert_eq 0 "$RC" "anna's aggregate ($OUT)"
assert_eq "public.agg_cont public.agg_cont_assign public.agg_cont_columns" \
    "$(pgc_psql t1 -c "SELECT string_agg(schemaname || '.' || tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE tablename LIKE 'agg\_%'")" \
    "the aggregation's tables beside aggregations (public), none in anna's schema"
assert_eq "0" "$(pgc_psql t1 -c "SELECT count(*) FROM pg_tables WHERE schemaname = 't1_anna'")" "anna's schema empty"
run --db "$(team_url t1_bob t1)" export --what aggregate:cont -o "$WORK/t1_cont.geojson"
assert_eq 0 "$RC" "bob's export of anna's aggregation ($OUT)"
assert_eq "$(pgc_psql t1 -c "SELECT count(*) FROM agg_cont WHERE level = 'country' AND geom IS NOT NULL")" \
    "$(python3 -c "import json; print(len(json.load(open('$WORK/t1_cont.geojson'))['features']))" 2>/dev/null)" "every country in bob's export"
case_end

case_begin "the group-role set-up: two analysts re-run each other's aggregation; the viewer (default privileges) and a role granted SELECT by hand keep reading it"
# README's set-up: a NOLOGIN group role owns what the analysts make (each
# analyst's sessions run as it: ALTER ROLE ... SET role), the viewer reads
# through default privileges; t2_audit is granted one aggregation by hand.
pgc_psql postgres -c "CREATE ROLE t2_owner LOGIN" -c "CREATE ROLE t2_analyst NOLOGIN" \
    -c "CREATE ROLE t2_anna LOGIN IN ROLE t2_analyst" -c "CREATE ROLE t2_bob LOGIN IN ROLE t2_analyst" \
    -c "ALTER ROLE t2_anna SET role = t2_analyst" -c "ALTER ROLE t2_bob SET role = t2_analyst" \
    -c "CREATE ROLE t2_viewer LOGIN" -c "CREATE ROLE t2_audit LOGIN" >/dev/null || fail "roles"
team_db t2 t2_owner || fail "set-up"
pgc_psql t2 -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO t2_analyst" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO t2_analyst" \
    -c "GRANT CREATE ON SCHEMA public TO t2_analyst" \
    -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO t2_viewer" \
    -c "ALTER DEFAULT PRIVILEGES FOR ROLE t2_analyst IN SCHEMA public GRANT SELECT ON TABLES TO t2_viewer" >/dev/null || fail "grants"
"$FP" -q --db "$(team_url t2_anna t2)" import "$FIX/points_good.csv" || fail "anna's import"
"$FP" -q --db "$(team_url t2_anna t2)" aggregate --by country || fail "anna's aggregate"
pgc_psql t2 -c "GRANT SELECT ON agg_country, agg_country_assign TO t2_audit" >/dev/null || fail "grant by hand"
as_role() { pgc_psql t2 -c "SET ROLE $1" -c "$2" 2>&1; }   # ROLE SQL: what that role gets
acl() { pgc_psql t2 -c "SELECT string_agg(relname || '=' || relacl::text, ' ' ORDER BY relname) FROM pg_class WHERE relname IN ('agg_country', 'agg_country_assign', 'agg_country_columns')"; }
before=$(acl)
n=$(pgc_psql t2 -c "SELECT count(*) FROM agg_country")
for who in t2_bob t2_anna t2_bob; do
    oid=$(pgc_psql t2 -c "SELECT 'agg_country'::regclass::oid")
    run --db "$(team_url $who t2)" aggregate --by country
    assert_eq 0 "$RC" "$who re-runs the aggregation ($OUT)"
    assert_eq "t" "$(pgc_psql t2 -c "SELECT 'agg_country'::regclass::oid <> $oid")" "$who's run replaced the tables"
    assert_eq "t2_analyst t2_analyst t2_analyst" "$(pgc_psql t2 -c "SELECT string_agg(tableowner, ' ') FROM pg_tables WHERE tablename LIKE 'agg\_country%'")" "the group owns them"
    assert_eq "$n" "$(as_role t2_viewer "SELECT count(*) FROM agg_country")" "the viewer reads agg_country after $who's run"
    assert_eq "$n" "$(as_role t2_audit "SELECT count(*) FROM agg_country")" "the role granted by hand reads agg_country after $who's run"
    assert_eq "t" "$(as_role t2_audit "SELECT count(*) > 0 FROM agg_country_assign")" "and agg_country_assign"
    assert_eq "$before" "$(acl)" "the same relacl after $who's run"
done
case_end

case_begin "a re-run that may not replace the tables (another analyst's, outside any group; a view reads them): one line saying why and what to do, the aggregation unchanged"
pgc_psql postgres -c "CREATE ROLE t3_owner LOGIN" -c "CREATE ROLE t3_anna LOGIN" -c "CREATE ROLE t3_bob LOGIN" >/dev/null
team_db t3 t3_owner || fail "set-up"
pgc_psql t3 -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO t3_anna, t3_bob" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO t3_anna, t3_bob" \
    -c "GRANT CREATE ON SCHEMA public TO t3_anna, t3_bob" >/dev/null || fail "grants"
"$FP" -q --db "$(team_url t3_bob t3)" import "$FIX/points_good.csv" || fail "bob's import"
"$FP" -q --db "$(team_url t3_bob t3)" aggregate --by country || fail "bob's aggregate"
state() { pgc_psql t3 -c "SELECT 'agg_country'::regclass::oid, (SELECT created FROM aggregations WHERE name = 'country')"; }
before=$(state)
run --db "$(team_url t3_anna t3)" aggregate --by country
assert_eq 1 "$RC" "anna's re-run of bob's aggregation: exit"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line ($OUT)"
assert_contains "$OUT" "aggregation 'country' left unchanged: its table agg_country belongs to role t3_bob" "says whose"
assert_contains "$OUT" "have t3_bob run it, or let a group role own the aggregations" "says what to do"
assert_eq "$before" "$(state)" "bob's tables and row untouched"
# A view of bob's over the aggregation: his own re-run would have to drop it.
pgc_psql t3 -c "SET ROLE t3_bob" -c "CREATE VIEW big_countries AS SELECT code, projects FROM agg_country WHERE projects > 1" >/dev/null || fail "the view"
run --db "$(team_url t3_bob t3)" aggregate --by country
assert_eq 1 "$RC" "a re-run under a view: exit"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line ($OUT)"
assert_contains "$OUT" "aggregation 'country' left unchanged: view big_countries depends on agg_country" "names the view"
assert_not_contains "$OUT" "cannot drop desired object" "not PostgreSQL's bare message"
assert_eq "$before" "$(state)" "tables, row and view untouched"
assert_eq "1" "$(pgc_psql t3 -c "SELECT count(*) FROM pg_views WHERE viewname = 'big_countries'")" "the view kept"
case_end

case_begin "init (the owner's) creates layer_styles in the store's schema: analysts' imports write their styles without a warning, the viewer reads them (psql, QGIS's listStylesInDatabase)"
pgc_psql postgres -c "CREATE ROLE t4_owner LOGIN" -c "CREATE ROLE t4_anna LOGIN" -c "CREATE ROLE t4_bob LOGIN" \
    -c "CREATE ROLE t4_viewer LOGIN" >/dev/null || fail "roles"
team_db t4 t4_owner || fail "set-up"
assert_eq "public|t4_owner" "$(pgc_psql t4 -F'|' -c "SELECT schemaname, tableowner FROM pg_tables WHERE tablename = 'layer_styles'")" "made by init, the owner's, in the store's schema"
# README's grants, given once after init: ALL TABLES IN SCHEMA covers layer_styles now.
pgc_psql t4 -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO t4_anna, t4_bob" \
    -c "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO t4_anna, t4_bob" \
    -c "GRANT CREATE ON SCHEMA public TO t4_anna, t4_bob" \
    -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO t4_viewer" >/dev/null || fail "grants"
run --db "$(team_url t4_anna t4)" import "$FIX/points_good.csv" --dataset a
assert_eq 0 "$RC" "anna's import ($OUT)"
assert_not_contains "$OUT" "styles not written" "anna: no warning"
run --db "$(team_url t4_bob t4)" import "$FIX/qa/mistakes.csv" --dataset b
assert_eq 0 "$RC" "bob's import ($OUT)"
assert_not_contains "$OUT" "styles not written" "bob: no warning"
assert_eq "t4_bob" "$(pgc_psql t4 -c "SELECT owner FROM layer_styles WHERE f_table_name = 'projects' AND description = 'footprint style'")" "bob's import rewrote the projects' style"
assert_eq "1" "$(pgc_psql t4 -c "SET ROLE t4_viewer" -c "SELECT count(*) FROM layer_styles WHERE f_table_schema = 'public' AND f_table_name = 'projects'" 2>&1)" "the viewer reads it"
if /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    assert_eq "styles=1 default=1" "$(qgis_styles t4 t4_viewer public projects)" "QGIS as the viewer lists and loads it"
else
    fail "python3-qgis is not installed (make deps)"
fi
case_end

case_begin "geocode by a role that may UPDATE projects and only read the column cache: the rows placed, the cache's stale part dropped by the owner's trigger"
pgc_psql postgres -c "CREATE ROLE t5_owner LOGIN" -c "CREATE ROLE t5_editor LOGIN" >/dev/null || fail "roles"
team_db t5 t5_owner || fail "set-up"
# A bulk import (the owner's) writes the cache: 300 points and 3 places to geocode, all in part 0.
python3 -c "
print('id,company,category,place,country,lon,lat')
for i in range(300): print('P%d,Acme,office,,,%.4f,%.4f' % (i, 10 + i * 0.01, 5 + i * 0.01))
print('G1,Acme,office,Nairobi,Kenya,,'); print('G2,Acme,office,Mombasa,Kenya,,'); print('G3,Acme,office,Kisumu,Kenya,,')" > "$WORK/t5.csv"
FOOTPRINT_TEST_BULK_ROWS=100 "$FP" -q --db "$(team_url t5_owner t5)" import "$WORK/t5.csv" || fail "the owner's import"
[ "$(pgc_psql t5 -c "SELECT count(*) FROM projects_columns WHERE part = 0")" -gt 0 ] || fail "the bulk import wrote no cache part"
# README: a role that may edit projects needs no right on the cache (reading it is enough, or none).
pgc_psql t5 -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO t5_editor" -c "GRANT UPDATE ON projects TO t5_editor" \
    -c "GRANT INSERT, UPDATE, DELETE ON layer_styles TO t5_editor" -c "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO t5_editor" >/dev/null || fail "grants"
run --db "$(team_url t5_editor t5)" geocode
assert_eq 0 "$RC" "the editor's geocode ($OUT)"
assert_not_contains "$OUT" "permission denied" "no permission error"
assert_eq "3" "$(pgc_psql t5 -c "SELECT count(*) FROM projects WHERE source_key LIKE 'G%' AND geom IS NOT NULL AND geocode_method IS NOT NULL")" "the three places placed"
assert_eq "0" "$(pgc_psql t5 -c "SELECT count(*) FROM projects_columns WHERE part = 0")" "the part holding them dropped (the cache stays exact)"
# The owner's aggregation counts the placed rows (through the rows, its part gone).
"$FP" -q --db "$(team_url t5_owner t5)" aggregate --by country --name c || fail "the owner's aggregate"
assert_eq "3" "$(pgc_psql t5 -c "SELECT projects FROM agg_c WHERE level = 'country' AND code = 'KEN'")" "Kenya counts the three"
case_end

case_begin "export --what diff:OLD:NEW in a read-only session (default_transaction_read_only = on): the same layer as the owner's export"
pgc_psql postgres -c "CREATE ROLE t6_owner LOGIN" -c "CREATE ROLE t6_ro LOGIN" \
    -c "ALTER ROLE t6_ro SET default_transaction_read_only = on" >/dev/null || fail "roles"
team_db t6 t6_owner || fail "set-up"
for e in 2024 2025; do "$FP" -q --db "$(team_url t6_owner t6)" import "$FIX/diff/edition_$e.csv" --dataset $e || fail "import $e"; done
pgc_psql t6 -c "GRANT SELECT ON ALL TABLES IN SCHEMA public TO t6_ro" >/dev/null || fail "grants"
"$FP" -q --db "$(team_url t6_owner t6)" export --what diff:2024:2025 --format geojson -o "$WORK/t6_owner.geojson" || fail "the owner's export"
run --db "$(team_url t6_ro t6)" diff --dataset 2024 --against 2025
assert_eq 0 "$RC" "diff in the read-only session ($OUT)"
run --db "$(team_url t6_ro t6)" export --what diff:2024:2025 --format geojson -o "$WORK/t6_ro.geojson"
assert_eq 0 "$RC" "export of the changes in the read-only session ($OUT)"
assert_not_contains "$OUT" "read-only transaction" "no write refused"
same_file <(untimed "$WORK/t6_owner.geojson") <(untimed "$WORK/t6_ro.geojson") "the same layer as the owner's export"
assert_eq "added=3 changed=3 moved=3 removed=3" "$(python3 -c "
import collections, json
c = collections.Counter(f['properties']['change'] for f in json.load(open('$WORK/t6_ro.geojson'))['features'])
print(' '.join('%s=%d' % kv for kv in sorted(c.items())))" 2>&1)" "features per change"
# Filtered and split like any layer (a where on a kept column).
run --db "$(team_url t6_ro t6)" export --what diff:2024:2025 --where change=moved --format csv -o "$WORK/t6_moved.csv"
assert_eq 0 "$RC" "a filtered export ($OUT)"
assert_eq 3 "$(($(wc -l < "$WORK/t6_moved.csv") - 1))" "the three moved rows"
case_end

case_begin "PostGIS in a schema off the search_path: one line naming it and the search_path to give; the store in a schema of its own (GDAL's active_schema=/schemas=, options=-csearch_path), found there by every command and by the viewer's QGIS"
pgc_psql postgres -c "CREATE ROLE t7_viewer LOGIN" -c "CREATE DATABASE t7" >/dev/null || fail "set-up"
pgc_psql t7 -c "CREATE SCHEMA extensions" -c "CREATE EXTENSION postgis SCHEMA extensions" -c "CREATE SCHEMA fp" \
    -c "GRANT USAGE ON SCHEMA extensions, fp TO t7_viewer" -c "ALTER ROLE t7_viewer SET search_path = fp, extensions" >/dev/null || fail "schemas"
ntables() { pgc_psql t7 -c "SELECT count(*) FROM pg_tables WHERE schemaname = '$1'"; }
run --db "$(team_url postgres t7)" init
assert_eq 1 "$RC" "init with PostGIS off the search_path: exit"
assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line ($OUT)"
assert_contains "$OUT" "PostGIS is in schema extensions, which this session's search_path (\"\$user\", public) does not reach" "says where PostGIS is and what was searched"
assert_contains "$OUT" "options=-csearch_path%3Dpublic,extensions" "the search_path to give"
assert_not_contains "$OUT" "type \"geometry\" does not exist" "not the raw error"
assert_eq "0" "$(ntables public)" "nothing created"
# GDAL's options in the PG: form: the store goes to fp; PostGIS found in extensions.
run --db "PG:host=$PGC_SOCK port=$PGC_PORT dbname=t7 user=postgres active_schema=fp schemas=fp,extensions" init
assert_eq 0 "$RC" "init with active_schema=fp schemas=fp,extensions ($OUT)"
assert_eq "0" "$(ntables public)" "nothing in public"
assert_eq "t" "$(pgc_psql t7 -c "SELECT count(*) >= 10 AND bool_and(schemaname = 'fp') FROM pg_tables WHERE tablename IN ('schema_version', 'projects', 'regions', 'aggregations', 'layer_styles') OR tablename LIKE 'qa\_%' OR tablename LIKE 'projects%' OR tablename IN ('imports', 'rejects', 'meta', 'region_groups')")" "the store's tables, layer_styles among them, in fp"
# The URL form the message gives, with the store's schema first.
FPU="postgresql://postgres@/t7?host=$PGC_SOCK&port=$PGC_PORT&options=-csearch_path%3Dfp,extensions"
"$FP" -q --db "$FPU" import "$FIX/points_good.csv" || fail "import through options=-csearch_path"
run --db "$FPU" aggregate --by country
assert_eq 0 "$RC" "aggregate ($OUT)"
assert_eq "fp fp fp" "$(pgc_psql t7 -c "SELECT string_agg(schemaname, ' ') FROM pg_tables WHERE tablename LIKE 'agg\_country%'")" "the aggregation's tables in fp"
# A path that reaches PostGIS but not the store: the message names what it searched.
run --db "postgresql://postgres@/t7?host=$PGC_SOCK&port=$PGC_PORT&options=-csearch_path%3Dpublic,extensions" rejects
assert_eq 1 "$RC" "a path without the store's schema: exit"
assert_contains "$OUT" "no footprint schema in this database (searched the search_path: public,extensions)" "names the path searched"
# The viewer (search_path fp, extensions): QGIS finds the layer and its style.
pgc_psql t7 -c "GRANT SELECT ON ALL TABLES IN SCHEMA fp TO t7_viewer" >/dev/null
if /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    assert_eq "styles=1 default=1" "$(qgis_styles t7 t7_viewer fp agg_country)" "QGIS as the viewer: the aggregation's style"
fi
case_end

case_begin "a URL password with '@', ':', '/' and '%' as they are ('p@ss:w/rd%1', 'a/b'): the message is readable, names host, port and database, and holds no piece of the password"
# No piece of 3 characters or more anywhere, no piece of 2 or more as a word of
# its own (as libpq quotes what it read as a host or port), nothing masked
# inside a word (the masking of every "p" made "***ercent-encoded").
no_password_in() {  # PASSWORD MESSAGE
    python3 - "$1" "$2" <<'PY'
import re, sys
pw, msg = sys.argv[1], sys.argv[2]
bad = [pw[i:i + n] for n in range(3, len(pw) + 1) for i in range(len(pw) - n + 1) if pw[i:i + n] in msg]
bad += [p for p in re.split(r"[/@?#:]", pw) if len(p) >= 2 and re.search(r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(p), msg)]
bad += [p for p in re.split(r"[/@?#:]", pw) if p and '"%s"' % p in msg]
bad += ["masked inside a word"] if re.search(r"[A-Za-z]\*\*\*|\*\*\*[A-Za-z]", msg) else []
print(" ".join(sorted(set(bad))))
PY
}
for case in "p@ss:w/rd%1|footprint" "a/b|fp"; do
    pw=${case%|*}; db=${case#*|}
    run --db "postgresql://bob:$pw@127.0.0.1:$PGC_PORT/$db" rejects
    assert_eq 1 "$RC" "exit ($pw)"
    assert_eq 1 "$(printf '%s\n' "$OUT" | wc -l)" "one line ($OUT)"
    assert_contains "$OUT" "footprint: postgresql://bob@127.0.0.1:$PGC_PORT/$db: cannot connect: " "names the user, host, port and database ($OUT)"
    assert_contains "$OUT" "write them %2F and %40" "says how to write it"
    assert_eq "" "$(no_password_in "$pw" "$OUT")" "no piece of '$pw' in: $OUT"
done
run --db "postgresql://bob:p@ss:w/rd%1@127.0.0.1:$PGC_PORT/footprint" rejects
assert_contains "$OUT" "invalid percent-encoded token: (part of the --db connection string)" "libpq's words kept, what it quoted replaced ($OUT)"
run --db "postgresql://bob:a/b@127.0.0.1:$PGC_PORT/fp" rejects
assert_contains "$OUT" "invalid integer value (part of the --db connection string) for connection option \"port\"" "the one-letter piece not shown ($OUT)"
# Percent-encoded as the message says, the same password logs in (a role made for it).
pgc_psql postgres -c "CREATE ROLE t8_bob LOGIN PASSWORD 'p@ss:w/rd%1'" >/dev/null
run --db "postgresql://t8_bob:p%40ss%3Aw%2Frd%251@127.0.0.1:$PGC_PORT/fp" rejects
assert_not_contains "$OUT" "cannot connect" "the encoded password logs in ($OUT)"
case_end

# length_km (the lines' km per region) is the same on both engines: the
# same C code measures it, each engine stores it (a column of its own only
# when the aggregation has lines).
case_begin "engine equivalence: length_km, the km of a line per country, is stored alike on PostGIS"
pgc_psql postgres -c "CREATE DATABASE km TEMPLATE eq" >/dev/null || fail "copying the initialised database"
KM="postgresql://postgres@/km?host=$PGC_SOCK&port=$PGC_PORT"
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"L1","company":"C","category":"cable"},"geometry":{"type":"LineString","coordinates":[[2,48],[7,48],[12,48]]}}]}' > kmline.geojson
fp_init km.sqlite >/dev/null
for db in "$WORK/km.sqlite" "$KM"; do
    "$FP" -q --db "$db" import kmline.geojson --dataset kmline >/dev/null || fail "import ($db)"
    "$FP" -q --db "$db" aggregate --by country --dataset kmline --name km --snap-km 0 >/dev/null || fail "aggregate ($db)"
done
s=$(sqlite3 -batch -noheader km.sqlite "SELECT code || ' ' || printf('%.6f', length_km) FROM agg_km WHERE level = 'country' AND length_km > 0 ORDER BY code")
p=$(pgc_psql km -c "SELECT code || ' ' || to_char(length_km, 'FM999999990.000000') FROM agg_km WHERE level = 'country' AND length_km > 0 ORDER BY code COLLATE \"C\"")
assert_eq "DEU FRA" "$(echo $(cut -d' ' -f1 <<<"$s"))" "SpatiaLite: km in France and Germany"
assert_eq "$s" "$p" "the same km on PostGIS"
case_end

case_begin "engine equivalence: an extra key of JSON booleans groups into the same columns (flag_0, flag_1, as SQLite's json_extract reads them) with the same sums, and --where flag=1 keeps the same rows"
pgc_psql postgres -c "CREATE DATABASE bx TEMPLATE eq" >/dev/null || fail "copying the initialised database"
BX="postgresql://postgres@/bx?host=$PGC_SOCK&port=$PGC_PORT"
cat > flags.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"B1","company":"A","category":"5g","flag":true},"geometry":{"type":"Point","coordinates":[36.82,-1.29]}},
{"type":"Feature","properties":{"id":"B2","company":"A","category":"5g","flag":true},"geometry":{"type":"Point","coordinates":[37.0,-1.0]}},
{"type":"Feature","properties":{"id":"B3","company":"B","category":"5g","flag":false},"geometry":{"type":"Point","coordinates":[2.35,48.85]}}]}
J
fp_init bx.sqlite >/dev/null
n=0
for db in "$WORK/bx.sqlite" "$BX"; do
    n=$((n + 1))
    # A dataset of its own: the template (eq) may hold other cases' projects by now.
    "$FP" -q --db "$db" import flags.geojson --dataset flags >/dev/null || fail "import ($db)"
    "$FP" -q --db "$db" aggregate --by country --group flag --dataset flags --name fl --snap-km 0 >/dev/null || fail "aggregate ($db)"
    "$FP" -q --db "$db" export --what projects --dataset flags --where flag=1 -o "flagged$n.geojson" >/dev/null 2>&1 || fail "export ($db)"
done
assert_eq "flag_0 flag_1" "$(sqlite3 -batch -noheader bx.sqlite "SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info('agg_fl') WHERE name LIKE 'flag%' ORDER BY name)")" "SpatiaLite's group columns"
assert_eq "flag_0 flag_1" "$(pgc_psql bx -c "SELECT string_agg(column_name, ' ' ORDER BY column_name) FROM information_schema.columns WHERE table_name = 'agg_fl' AND column_name LIKE 'flag%'")" "PostGIS's group columns"
assert_eq "2|0" "$(sqlite3 -batch -noheader bx.sqlite "SELECT CAST(flag_1 AS INTEGER), CAST(flag_0 AS INTEGER) FROM agg_fl WHERE code = 'KEN'")" "Kenya on SpatiaLite"
assert_eq "2|0" "$(pgc_psql bx -F'|' -c "SELECT round(flag_1)::int, round(flag_0)::int FROM agg_fl WHERE code = 'KEN'")" "Kenya on PostGIS"
for i in 1 2; do
    assert_eq 2 "$(ogrinfo -ro -so -al "flagged$i.geojson" 2>/dev/null | sed -n 's/^Feature Count: //p')" "--where flag=1, engine $i (ogrinfo)"
done
case_end

# check's duplicate rules take lines and areas by their box's centre on
# PostGIS as on SpatiaLite (pg_qa.c, qa_store.c): a node and the building
# round it (0 m), a second node 16 m off (test_qa works the figures).
case_begin "engine equivalence: check compares lines and areas for duplicates by their box's centre, the same findings on both engines"
cat > "$WORK/twice.geojson" <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"n1","name":"ADC Nairobi","operator":"ADC","telecom":"data_center"},"geometry":{"type":"Point","coordinates":[36.8885,-1.3230]}},
{"type":"Feature","properties":{"id":"w2","name":"ADC Nairobi","operator":"ADC","telecom":"data_center"},"geometry":{"type":"Polygon","coordinates":[[[36.8880,-1.3225],[36.8890,-1.3225],[36.8890,-1.3235],[36.8880,-1.3235],[36.8880,-1.3225]]]}},
{"type":"Feature","properties":{"id":"n3","name":"ADC Nairobi","operator":"ADC","telecom":"data_center"},"geometry":{"type":"Point","coordinates":[36.8886,-1.3231]}}]}
JSON
fp_init "$WORK/twice.sqlite" >/dev/null
for db in "$FX" "$WORK/twice.sqlite"; do
    "$FP" -q --db "$db" import "$WORK/twice.geojson" --map category=telecom || fail "import ($db)"
done
# The PostGIS store holds other datasets: its ids differ, "(id N)" aside.
same() { sed -E 's/ in [0-9.]+ s$//; s/\(id [0-9]+\)/(id N)/g'; }
run --db "$FX" check --dataset twice
pg_out=$(same <<<"$OUT")
run --db "$WORK/twice.sqlite" check --dataset twice
assert_eq "$(same <<<"$OUT")" "$pg_out" "the same findings printed"
assert_contains "$pg_out" "and 1 line or area (for duplicates): 2 findings on 2 rows (2 duplicate)" "on PostGIS"
assert_eq "w2 n1
n3 n1" "$(pgc_psql fixes -F' ' -c "SELECT p.source_key, o.source_key FROM qa_findings f JOIN projects p ON p.id = f.project_id
    JOIN projects o ON o.id = f.other_id WHERE f.dataset = 'twice' ORDER BY p.source_key DESC")" "the building and the second node, against the first node"
case_end
