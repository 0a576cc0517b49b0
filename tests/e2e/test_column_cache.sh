#!/usr/bin/env bash
# The column cache aggregate reads instead of the rows (schema 6,
# projects_columns, src/store/project_columns.c): which parts an import
# writes, which edits drop them, and that an aggregation read through the
# cache is byte for byte the one read from the rows (the same store with the
# cache emptied by sqlite3). Category totals are checked against awk's counts
# of the input, independent of footprint.
. "$(dirname "$0")/lib.sh"
TH="--threads 2"

# parts DB: the parts the cache holds, "0 1 2".
parts() { sqlite3 "$1" "SELECT group_concat(part, ' ') FROM (SELECT part FROM projects_columns ORDER BY part)"; }
# same_aggregation A B NAME: the aggregation's three tables are identical in A and B.
same_aggregation() {
    local t a b
    for t in "agg_$3" "agg_$3_assign" "agg_$3_columns"; do
        a=$(sqlite3 "$1" "SELECT * FROM \"$t\" ORDER BY 1, 2" | md5sum)
        b=$(sqlite3 "$2" "SELECT * FROM \"$t\" ORDER BY 1, 2" | md5sum)
        [ "$a" = "$b" ] || fail "$t differs between $1 (cache) and $2 (rows)"
    done
}
# aggregate_both DB [GROUPS [NAME]]: aggregates DB (cache) and a copy of it without the cache.
aggregate_both() {
    local groups=${2:-category} name=${3:-country_by_category}
    cp "$1" rows.sqlite && sqlite3 rows.sqlite "DELETE FROM projects_columns"
    run --db "$1" aggregate --by country --group "$groups" --name "$name" $TH
    assert_eq 0 "$RC" "aggregate (cache): $OUT"
    run --db rows.sqlite aggregate --by country --group "$groups" --name "$name" $TH
    assert_eq 0 "$RC" "aggregate (rows): $OUT"
    same_aggregation "$1" rows.sqlite "$name"
}
# category_totals DB: "category count" lines, every country row and the unassigned one.
category_totals() {
    local col value
    sqlite3 -separator ' ' "$1" "SELECT column_name, value FROM agg_country_by_category_columns ORDER BY value" |
    while read -r col value; do
        echo "$value $(sqlite3 "$1" "SELECT CAST(round(sum(\"$col\")) AS INT) FROM agg_country_by_category WHERE level = 'country'")"
    done
}

case_begin "import writes a part per 65,536 ids; aggregate through it equals aggregate from the rows"
cache_points 140000 11 1 > p.csv
fp_init a.sqlite && "$FP" -q --db a.sqlite import p.csv
# ids 1..140000: parts 0 (1..65535), 1 and 2 (131072..140000)
assert_eq "0 1 2" "$(parts a.sqlite)" "parts"
assert_eq 140000 "$(sqlite3 a.sqlite "SELECT count(*) FROM projects")" "projects"
aggregate_both a.sqlite
cp a.sqlite fresh.sqlite                  # the import's cache, untouched, for later cases
# The categories' totals (countries + unassigned) are awk's counts of the file.
expected=$(awk -F, 'NR > 1 { n[$3]++ } END { for (c in n) print c, n[c] }' p.csv | sort)
assert_eq "$expected" "$(category_totals a.sqlite | sort)" "category totals"
case_end

case_begin "edits by SQL drop the parts they touch (not a qa flag); aggregate sees them"
DB=a.sqlite
sql "UPDATE projects SET qa = 'duplicate' WHERE id = 5"
assert_eq "0 1 2" "$(parts a.sqlite)" "a qa flag keeps the cache"
spatialite -batch a.sqlite "INSERT INTO projects(import_id, dataset, source_key, company, category, geom)
    VALUES(1, 'p', 'new1', 'Company 1', 'added', MakePoint(10.5, 50.5, 4326))" >/dev/null 2>&1
assert_eq 140001 "$(sql "SELECT max(id) FROM projects")" "the inserted row's id"
assert_eq "0 1" "$(parts a.sqlite)" "insert drops part 2"
sql "UPDATE projects SET category = 'edited' WHERE id = 70000"
assert_eq "0" "$(parts a.sqlite)" "update of a cached column drops part 1"
sql "DELETE FROM projects WHERE id = 10"
assert_eq "" "$(parts a.sqlite)" "delete drops part 0"
aggregate_both a.sqlite
totals=$(category_totals a.sqlite)
assert_contains "$totals" "edited 1" "the edited row counted"
assert_contains "$totals" "added 1" "the inserted row counted"
assert_eq "DEU" "$(sqlite3 a.sqlite "SELECT region_code FROM agg_country_by_category_assign WHERE project_id = 140001")" \
    "the inserted row assigned"
assert_eq 140000 "$(sqlite3 a.sqlite "SELECT count(*) FROM agg_country_by_category_assign")" "one assignment per project"
case_end

case_begin "a second import: the part it shares with the first is dropped, the parts it fills are written"
cache_points 70000 12 1 > first.csv
cache_points 70000 13 70001 > second.csv
fp_init b.sqlite && "$FP" -q --db b.sqlite import first.csv
assert_eq "0 1" "$(parts b.sqlite)" "after the first import"
"$FP" -q --db b.sqlite import second.csv
# ids 70001..140000: part 1 holds rows of both imports; part 2 is the second's alone.
assert_eq "0 2" "$(parts b.sqlite)" "after the second"
aggregate_both b.sqlite
expected=$(cat first.csv second.csv | awk -F, '$1 != "id" { n[$3]++ } END { for (c in n) print c, n[c] }' | sort)
assert_eq "$expected" "$(category_totals b.sqlite | sort)" "category totals of both files"
case_end

case_begin "geocode drops the parts of the rows it places"
cat > towns.csv <<'EOF'
id,company,category,place,country,lon,lat
t1,A,energy,Nairobi,KEN,,
t2,A,energy,Mombasa,KEN,,
t3,B,telecom,,,36.8,-1.3
EOF
fp_init g.sqlite && "$FP" -q --db g.sqlite import towns.csv
assert_eq "0" "$(parts g.sqlite)" "the import's part (two rows without a point)"
run --db g.sqlite geocode
assert_eq 0 "$RC" "geocode: $OUT"
assert_eq "" "$(parts g.sqlite)" "geocode dropped the part"
aggregate_both g.sqlite
assert_eq "3" "$(sqlite3 g.sqlite "SELECT projects FROM agg_country_by_category WHERE code = 'KEN'")" "three projects in Kenya"
case_end

case_begin "a part with a line or polygon is not cached; aggregate reads its rows"
cat > mixed.csv <<'EOF'
id,company,category,wkt
m1,A,cables,POINT(36.8 -1.3)
m2,A,cables,"LINESTRING(36 -1, 37 -2)"
EOF
fp_init m.sqlite && "$FP" -q --db m.sqlite import mixed.csv
assert_eq "" "$(parts m.sqlite)" "no part"
aggregate_both m.sqlite
assert_eq "2" "$(sqlite3 m.sqlite "SELECT projects FROM agg_country_by_category WHERE code = 'KEN'")" "both in Kenya"
case_end


case_begin "sparse ids (a row given id 10^12 by hand): aggregate reads only the parts there are"
DB=g.sqlite
spatialite -batch g.sqlite "INSERT INTO projects(id, import_id, dataset, source_key, company, category, geom)
    VALUES(1000000000000, 1, 'towns', 'far', 'C', 'energy', MakePoint(36.9, -1.2, 4326))" >/dev/null 2>&1
assert_eq 1000000000000 "$(sql "SELECT max(id) FROM projects")" "the row's id"
OUT=$(timeout 60 "$FP" --db g.sqlite aggregate --by country --group category $TH 2>&1); RC=$?
assert_eq 0 "$RC" "aggregate within a minute: $OUT"
assert_eq "4" "$(sqlite3 g.sqlite "SELECT projects FROM agg_country_by_category WHERE code = 'KEN'")" "four projects in Kenya"
case_end

case_begin "negative control: with its update trigger dropped by hand, an edit is not seen (so the blobs are what is read)"
cp fresh.sqlite n.sqlite
DB=n.sqlite
sql "DROP TRIGGER fp_projects_columns_update; UPDATE projects SET category = 'stale' WHERE id = 5"
assert_eq "0 1 2" "$(parts n.sqlite)" "the blobs stay"
run --db n.sqlite aggregate --by country --group category $TH
assert_not_contains "$(category_totals n.sqlite)" "stale" "aggregate read the (now stale) blob"
sql "DELETE FROM projects_columns"
run --db n.sqlite aggregate --by country --group category $TH
assert_contains "$(category_totals n.sqlite)" "stale 1" "from the rows"
case_end

case_begin "groups other than category, empty values; a far id beside cached parts; ids at the int64 limits"
cp fresh.sqlite e.sqlite
aggregate_both e.sqlite status,dataset,country_code,source mixed
# A far id beside the cached parts: the parts from the cache, the far row from the rows.
spatialite -batch e.sqlite "INSERT INTO projects(id, import_id, dataset, source_key, company, category, geom) VALUES
    (5000000000, 1, 'p', 'far', 'C', 'energy', MakePoint(2.35, 48.87, 4326))" >/dev/null 2>&1
assert_eq "0 1 2" "$(parts e.sqlite)" "the import's parts stay"
aggregate_both e.sqlite
assert_eq "FRA" "$(sqlite3 e.sqlite "SELECT region_code FROM agg_country_by_category_assign WHERE project_id = 5000000000")" \
    "the far row assigned"
# Ids at the int64 limits: every row read, no part arithmetic.
spatialite -batch e.sqlite "INSERT INTO projects(id, import_id, dataset, source_key, company, category, geom) VALUES
    (9223372036854775807, 1, 'p', 'max', 'C', 'energy', MakePoint(2.35, 48.85, 4326)),
    (-9223372036854775807, 1, 'p', 'min', 'C', 'energy', MakePoint(2.35, 48.86, 4326))" >/dev/null 2>&1
assert_eq 140003 "$(sqlite3 e.sqlite "SELECT count(*) FROM projects")" "three rows added"
aggregate_both e.sqlite
assert_eq "3" "$(sqlite3 e.sqlite "SELECT count(*) FROM agg_country_by_category_assign WHERE region_code = 'FRA'
    AND project_id IN (9223372036854775807, -9223372036854775807, 5000000000)")" "the three rows in France"
case_end

case_begin "a first import ending on a part boundary keeps its part; a group the cache lacks reads the rows"
cache_points 65635 14 1 > both.csv
head -65536 both.csv > edge.csv                       # ids 1..65535: part 0 exactly
(head -1 both.csv; tail -n 100 both.csv) > next.csv
fp_init v.sqlite && "$FP" -q --db v.sqlite import edge.csv
"$FP" -q --db v.sqlite import next.csv
assert_eq "0 1" "$(parts v.sqlite)" "part 0 kept, part 1 the second import's"
aggregate_both v.sqlite
expected=$(awk -F, 'NR > 1 { n[$3]++ } END { for (c in n) print c, n[c] }' both.csv | sort)
assert_eq "$expected" "$(category_totals v.sqlite | sort)" "category totals of both files"
aggregate_both v.sqlite year by_year                  # year: not a cached column
case_end

