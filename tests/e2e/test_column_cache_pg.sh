#!/usr/bin/env bash
# The column cache on PostGIS (projects_columns, its triggers in
# src/store/pg_store.c, written by bulk imports in pg_imports.c): which
# parts an import writes, which edits by psql drop them, and that an
# aggregation read through the cache is row for row the one read from the
# rows (a copy of the database, CREATE DATABASE ... TEMPLATE, with the cache
# emptied by psql). Category totals are checked against awk's counts of the
# input, independent of footprint. Its own throw-away cluster
# (tests/tools/pg_cluster.sh).
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/tools/pg_cluster.sh"
trap 'pg_cluster_stop; _fp_exit' EXIT
if ! pg_cluster_start 2>"$WORK/cluster.err"; then
    echo "FAIL PostGIS test cluster starts"; sed 's/^/    /' "$WORK/cluster.err"; exit 1
fi
TH="--threads 2"
# Every fresh database's ids start at 65,000 (fresh, below), so that 100,000
# rows fill parts 0 (536 ids), 1 (a full part: 65,536) and 2 (33,928).
# Aggregate reads the cache on PostGIS only through reader connections, so
# only from 100,000 points (below, one thread reads the rows on the store's
# own connection). Bulk loads from 20,000 estimated rows (the engine's
# threshold is 100,000: the same path; gen_points-like rows of 61 bytes
# are estimated at 64); test_postgis runs bulk imports at the engine's own.
export FOOTPRINT_TEST_BULK_ROWS=20000
url() { echo "postgresql://postgres@/$1?host=$PGC_SOCK&port=$PGC_PORT"; }
pq() { pgc_psql "$1" -F'|' -c "$2"; }

# parts DB: the parts the cache holds, "0 1 2".
parts() { pq "$1" "SELECT coalesce(string_agg(part::text, ' ' ORDER BY part), '') FROM (SELECT DISTINCT part FROM projects_columns) p"; }
# edit_drops DB SQL PARTS WHAT: psql runs SQL on DB; the cache then holds PARTS.
edit_drops() { pq "$1" "$2" >/dev/null; assert_eq "$3" "$(parts "$1")" "$4"; }
# fresh DB: a database with PostGIS and footprint's schema, from a template
# made once, its next project id 65,000.
fresh() {
    if [ -z "$(pq postgres "SELECT 1 FROM pg_database WHERE datname = 'tmpl'")" ]; then
        pq postgres "CREATE DATABASE tmpl" && pq tmpl "CREATE EXTENSION postgis" >/dev/null &&
        "$FP" -q --db "$(url tmpl)" init || fail "template database"
    fi
    pq postgres "CREATE DATABASE $1 TEMPLATE tmpl" && pq "$1" "SELECT setval('projects_id_seq', 64999)" >/dev/null
}
# dump DB NAME: the aggregation's three tables, each as its row count and
# the md5 of its rows' text in order (psql, server side: 100,000 rows
# printed and compared took most of a case).
dump() {
    local t
    for t in "agg_$2" "agg_$2_assign" "agg_$2_columns"; do
        pq "$1" "SELECT '$t', count(*), md5(string_agg(t::text, E'\n' ORDER BY t::text)) FROM \"$t\" t"
    done
}
# aggregate_both DB [GROUPS [NAME]]: aggregates DB (cache) and a copy of it
# whose cache psql emptied; their tables must be identical.
aggregate_both() {
    local groups=${2:-category} name=${3:-country_by_category}
    pq postgres "DROP DATABASE IF EXISTS rows_$1" 2>/dev/null
    pq postgres "CREATE DATABASE rows_$1 TEMPLATE $1"
    pq "rows_$1" "DELETE FROM projects_columns" >/dev/null
    run --db "$(url "$1")" aggregate --by country --group "$groups" --name "$name" $TH
    assert_eq 0 "$RC" "aggregate (cache): $OUT"
    run --db "$(url "rows_$1")" aggregate --by country --group "$groups" --name "$name" $TH
    assert_eq 0 "$RC" "aggregate (rows): $OUT"
    dump "$1" "$name" > "$WORK/cache.txt"
    dump "rows_$1" "$name" > "$WORK/rows.txt"
    [ "$(pq "$1" "SELECT count(*) FROM \"agg_${name}_assign\"")" -gt 100 ] || fail "$1: few assignments"
    cmp -s "$WORK/cache.txt" "$WORK/rows.txt" ||
        fail "$1: aggregation through the cache differs from the rows': $(diff "$WORK/cache.txt" "$WORK/rows.txt" | head -4 | tr '\n' ' ')"
}
# group_totals DB NAME: "value count" lines of aggregation NAME's group
# columns, over every country and the unassigned row: one sum per column,
# the query written by psql from agg_NAME_columns (to_jsonb of the rows
# turned each country's polygon into GeoJSON: 0.5 s a call).
group_totals() {
    local q
    q=$(pq "$1" "SELECT string_agg(format('SELECT %L AS v, %L || '' '' || round(sum(%I))::bigint AS line FROM %I
                 WHERE level = ''country''', value, value, column_name, 'agg_$2'), ' UNION ALL ') FROM agg_$2_columns")
    pq "$1" "SELECT line FROM ($q) q ORDER BY v"
}
category_totals() { group_totals "$1" country_by_category; }

cache_points 100000 11 1 > p.csv

case_begin "a bulk import writes a part per 65,536 ids; aggregate through it equals aggregate from the rows"
fresh a
run --db "$(url a)" import p.csv
assert_eq 0 "$RC" "import: $OUT"
# ids 65000..164999: parts 0 (65000..65535), 1 (65536..131071) and 2 (131072..164999)
assert_eq "0 1 2" "$(parts a)" "parts"
assert_eq "100000|65000|164999" "$(pq a "SELECT count(*), min(id), max(id) FROM projects")" "projects"
# Each blob's header, in its first piece: "FPC1", then its row count (little-endian uint32 at byte 9).
assert_eq "536 65536 33928" "$(pq a "SELECT string_agg((get_byte(data, 8) + 256 * get_byte(data, 9)
    + 65536 * get_byte(data, 10))::text, ' ' ORDER BY part) FROM projects_columns WHERE seq = 0")" "rows per part"
assert_eq "FPC1" "$(pq a "SELECT DISTINCT convert_from(substring(data FROM 1 FOR 4), 'SQL_ASCII') FROM projects_columns
    WHERE seq = 0")" "magic"
# Pieces of 8,000 bytes but the last, numbered from 0 without a gap, stored in line (no TOAST).
assert_eq "f|t|0" "$(pq a "SELECT bool_or(length(data) > 8000), bool_and(n = maxseq + 1),
    (SELECT count(*) FROM pg_class WHERE oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'projects_columns')
     AND relpages > 0) FROM (SELECT part, data, count(*) OVER w AS n, max(seq) OVER w AS maxseq FROM projects_columns
     WINDOW w AS (PARTITION BY part)) q")" "pieces"
# The triggers are back on after the load.
assert_eq "O O O O" "$(pq a "SELECT string_agg(tgenabled::text, ' ' ORDER BY tgname) FROM pg_trigger
    WHERE tgrelid = 'projects'::regclass AND tgname LIKE 'projects_columns_%'")" "the four triggers enabled"
aggregate_both a
expected=$(awk -F, 'NR > 1 { n[$3]++ } END { for (c in n) print c, n[c] }' p.csv | sort)
assert_eq "$expected" "$(category_totals a | sort)" "category totals = awk's counts of the file"
pq postgres "CREATE DATABASE fresh_a TEMPLATE a"      # the import's cache, untouched, for later cases
case_end

case_begin "edits by psql drop the parts they touch (not a qa flag, not a value rewritten unchanged); aggregate sees them"
edit_drops a "UPDATE projects SET qa = 'duplicate' WHERE id = 65005" "0 1 2" "a qa flag keeps the cache"
edit_drops a "UPDATE projects SET category = category, amount = amount, geom = geom WHERE id BETWEEN 65000 AND 66000" "0 1 2" \
    "values rewritten unchanged keep the cache"
edit_drops a "INSERT INTO projects(import_id, dataset, source_key, company, category, geom)
    VALUES(1, 'p', 'new1', 'Company 1', 'added', ST_SetSRID(ST_MakePoint(10.5, 50.5), 4326))" "0 1" "insert drops part 2"
assert_eq 165000 "$(pq a "SELECT max(id) FROM projects")" "the inserted row's id"
edit_drops a "UPDATE projects SET category = 'edited' WHERE id = 70000" "0" "update of a cached column drops part 1"
edit_drops a "DELETE FROM projects WHERE id = 65010" "" "delete drops part 0"
aggregate_both a
totals=$(category_totals a)
assert_contains "$totals" "edited 1" "the edited row counted"
assert_contains "$totals" "added 1" "the inserted row counted"
assert_eq "DEU" "$(pq a "SELECT region_code FROM agg_country_by_category_assign WHERE project_id = 165000")" \
    "the inserted row assigned"
case_end

case_begin "a moved point, an amount and a year changed, a truncate: each drops what it touches"
pq postgres "CREATE DATABASE e TEMPLATE fresh_a"
edit_drops e "UPDATE projects SET geom = ST_SetSRID(ST_MakePoint(2.35, 48.86), 4326) WHERE id = 65003" "1 2" "the moved point's part 0"
edit_drops e "UPDATE projects SET amount = 12345 WHERE id = 70001" "2" "the amount's part 1"
edit_drops e "UPDATE projects SET year = 1999 WHERE id = 131500" "" "the year's part 2"
aggregate_both e
assert_eq "FRA" "$(pq e "SELECT region_code FROM agg_country_by_category_assign WHERE project_id = 65003")" "the moved point in France"
pq postgres "CREATE DATABASE t TEMPLATE fresh_a"
pq t "TRUNCATE projects CASCADE" >/dev/null 2>&1
assert_eq "0|0" "$(pq t "SELECT (SELECT count(*) FROM projects), count(*) FROM projects_columns")" "truncate empties the cache"
case_end

case_begin "a second bulk import drops the part it shares with the first and writes its own; a small import drops the part it lands in"
pq postgres "CREATE DATABASE b TEMPLATE fresh_a"
cache_points 110000 13 200001 > second.csv
run --db "$(url b)" import second.csv
assert_eq 0 "$RC" "second import: $OUT"
assert_contains "$OUT" "110000 stored" "all stored"
# ids 165000..274999: part 2 holds rows of both imports; 3 and 4 are the second's.
assert_eq "0 1 3 4" "$(parts b)" "after the second import"
cache_points 3 14 900000 > small.csv
run --db "$(url b)" import small.csv
assert_eq 0 "$RC" "small import: $OUT"
# ids 275000..275002, through the sequence, kept up row by row: part 4 dropped by the trigger.
assert_eq "0 1 3" "$(parts b)" "after the small import"
aggregate_both b
expected=$(cat p.csv second.csv small.csv | awk -F, '$1 != "id" { n[$3]++ } END { for (c in n) print c, n[c] }' | sort)
assert_eq "$expected" "$(category_totals b | sort)" "category totals of the three files"
case_end

case_begin "geocode drops the parts of the rows it places"
# 100,000 rows, two of them (ids 65002 and 70000) with a town and no point.
awk -F, 'NR == 1 { print $0 ",place,country"; next }
         NR == 4 || NR == 5002 { $7 = ""; $8 = ""; print $1 "," $2 "," $3 "," $4 "," $5 "," $6 ",,,Nairobi,KEN"; next }
         { print $0 ",," }' p.csv > towns.csv
fresh g
run --db "$(url g)" import towns.csv
assert_eq 0 "$RC" "import: $OUT"
assert_eq "0 1 2" "$(parts g)" "parts (rows without a point are cached too)"
run --db "$(url g)" geocode
assert_eq 0 "$RC" "geocode: $OUT"
assert_eq "2" "$(parts g)" "geocode dropped parts 0 and 1"
assert_eq "2" "$(pq g "SELECT count(*) FROM projects WHERE place = 'Nairobi' AND geom IS NOT NULL")" "both placed"
aggregate_both g
assert_eq "KEN|KEN" "$(pq g "SELECT string_agg(region_code, '|' ORDER BY project_id) FROM agg_country_by_category_assign
    WHERE project_id IN (65002, 70000)")" "both assigned to Kenya"
case_end

case_begin "groups other than category and empty values through the cache; a group it lacks reads the rows"
aggregate_both fresh_a status,dataset,country_code,source mixed
# year: not a column the cache keeps (every row read); the totals per year are awk's.
run --db "$(url fresh_a)" aggregate --by country --group year --name by_year $TH
assert_eq 0 "$RC" "aggregate by year: $OUT"
assert_eq "$(awk -F, 'NR > 1 && $5 != "" { n[$5]++ } END { for (y in n) print y, n[y] }' p.csv | sort)" \
    "$(group_totals fresh_a by_year | grep -v '^ ' | sort)" "projects per year"
case_end

case_begin "a REPEATABLE READ writer whose snapshot predates a bulk import empties the cache (it cannot see the parts to drop)"
fresh r
"$FP" -q --db "$(url r)" import small.csv     # ids 65000..65002, import #1: there when the snapshot is taken
# The transaction's snapshot is taken before the bulk import commits (ids
# 65003..165002, parts 1 and 2 written; 0 holds the small import's rows too);
# its insert lands in part 2 (id 165003), which it cannot see.
cat > rr.sql <<EOF
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM regions;
\\! "$FP" -q --db "$(url r)" import p.csv
INSERT INTO projects(import_id, dataset, source_key, company, category, geom)
    VALUES(1, 'p', 'rr1', 'Company 1', 'repeatable', ST_SetSRID(ST_MakePoint(10.5, 50.5), 4326));
COMMIT;
EOF
pgc_psql r -f rr.sql > rr.out 2>&1 || fail "the psql script: $(cat rr.out)"
assert_eq "100004|165003" "$(pq r "SELECT count(*), max(id) FROM projects")" "the imports' rows and the insert"
assert_eq "" "$(parts r)" "the cache emptied"
aggregate_both r
assert_contains "$(category_totals r)" "repeatable 1" "the inserted row counted"
case_end

case_begin "a role with UPDATE on projects only edits it (the triggers run as the schema's owner); a role that may not read the cache aggregates from the rows"
pq postgres "CREATE DATABASE q TEMPLATE fresh_a"
pq q "CREATE ROLE editor LOGIN; GRANT SELECT, UPDATE ON projects TO editor" >/dev/null
as_role() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGC_SOCK" -p "$PGC_PORT" -U "$1" -d q -c "$2"; }
as_role editor "UPDATE projects SET category = 'by editor' WHERE id = 65005" > q.out 2>&1 || fail "editor's update: $(cat q.out)"
assert_eq "1 2" "$(parts q)" "the editor's update dropped part 0"
# Every right but on the cache (as when a team's rights were granted before the table was made).
pq q "CREATE ROLE analyst LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO analyst;
      GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO analyst; GRANT CREATE ON SCHEMA public TO analyst;
      REVOKE ALL ON projects_columns FROM analyst" >/dev/null
run --db "postgresql://analyst@/q?host=$PGC_SOCK&port=$PGC_PORT" aggregate --by country --group category --name by_analyst $TH
assert_eq 0 "$RC" "aggregate by a role without rights on the cache: $OUT"
col=$(pq q "SELECT column_name FROM agg_by_analyst_columns WHERE value = 'by editor'")
assert_eq "1" "$(pq q "SELECT round(sum(\"$col\"))::int FROM agg_by_analyst WHERE level = 'country'")" "the editor's row counted"
case_end

case_begin "a part with a piece missing (deleted by hand) is read from the rows"
pq postgres "CREATE DATABASE h TEMPLATE fresh_a"
pq h "DELETE FROM projects_columns WHERE part = 1 AND seq = 3" >/dev/null
aggregate_both h
expected=$(awk -F, 'NR > 1 { n[$3]++ } END { for (c in n) print c, n[c] }' p.csv | sort)
assert_eq "$expected" "$(category_totals h | sort)" "category totals = awk's counts of the file"
case_end

case_begin "negative control: with its update trigger disabled by hand, an edit is not seen (so the blobs are what is read)"
pq postgres "CREATE DATABASE n TEMPLATE fresh_a"
pq n "ALTER TABLE projects DISABLE TRIGGER projects_columns_updated" >/dev/null
pq n "UPDATE projects SET category = 'stale' WHERE id = 65005" >/dev/null
assert_eq "0 1 2" "$(parts n)" "the blobs stay"
run --db "$(url n)" aggregate --by country --group category $TH
assert_eq 0 "$RC" "aggregate: $OUT"
assert_not_contains "$(category_totals n)" "stale" "aggregate read the (now stale) blob"
pq n "DELETE FROM projects_columns" >/dev/null
run --db "$(url n)" aggregate --by country --group category $TH
assert_contains "$(category_totals n)" "stale 1" "from the rows"
case_end

case_begin "a killed bulk import leaves the cache as it was, and the insert trigger on"
pq postgres "CREATE DATABASE k TEMPLATE fresh_a"
cache_points 110000 15 500000 > killed.csv
# Paused after its rows and parts went in, before the indexes and the commit.
FOOTPRINT_TEST_PAUSE_AT=import:index "$FP" --db "$(url k)" import killed.csv > k.out 2>&1 & KPID=$!
if wait_for_line k.out "paused at import:index" $KPID 60; then
    assert_eq "0 1 2" "$(parts k)" \
        "(the killed import's parts are not visible outside its transaction)"
    kill -9 $KPID 2>/dev/null
else
    fail "the import did not reach its pause: $(cat k.out)"; kill $KPID
fi
wait $KPID 2>/dev/null
for _ in $(seq 50); do [ "$(pq k "SELECT count(*) FROM pg_stat_activity WHERE datname = 'k' AND pid <> pg_backend_pid()")" = 0 ] && break; sleep 0.2; done
assert_eq "0 1 2" "$(parts k)" "the first import's parts"
assert_eq 100000 "$(pq k "SELECT count(*) FROM projects")" "the first import's rows"
assert_eq "O" "$(pq k "SELECT tgenabled FROM pg_trigger WHERE tgname = 'projects_columns_inserted'")" "insert trigger on"
case_end
