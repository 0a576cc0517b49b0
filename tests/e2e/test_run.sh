#!/usr/bin/env bash
# The main job and the shipped sample data.
. "$(dirname "$0")/lib.sh"
DB=output/footprint.sqlite
mkdir -p output
CSV="$ROOT/geodata/projects.csv"

case_begin "geodata/projects.csv: header, unique ids, allowed categories, ISO alpha-3 countries, seed named"
out=$(python3 - "$CSV" <<'P'
import csv, sys, re
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', newline='')))
head, body = rows[0], rows[1:]
assert head == ['id','company','category','name','place','country','year','lon','lat','seed','description'], head
cats = {'5g','smart_city','surveillance','data_centre','rd_lab','university','cable','landing_station','telecom','cloud','training','other'}
ids = set()
for r in body:
    assert len(r) == 11, r
    assert r[0] not in ids, r[0]; ids.add(r[0])
    assert r[2] in cats, r
    assert re.fullmatch(r'[A-Z]{3}', r[5]), r
    assert r[6] == '' or re.fullmatch(r'\d{4}', r[6]), r
    assert re.fullmatch(r'\d{3}_[0-9a-f]{16}\.txt', r[9]), r
    assert r[1] and r[3] and r[10], r
print(len(body))
P
)
assert_eq "$(($(python3 -c "import csv;print(sum(1 for _ in csv.reader(open('$CSV'))))") - 1))" "$out" "rows checked"
case_end

case_begin "footprint run: imports every sample row, geocodes them all, prints the summary"
n=$(python3 -c "import csv;print(sum(1 for _ in csv.DictReader(open('$CSV'))))")
run run
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "rows read, $n stored, 0 rejected" "import summary"
assert_contains "$OUT" "by category:" "category table"
assert_contains "$OUT" "by company:" "company table"
assert_eq "$n|0" "$(sql "SELECT count(*), sum(geom IS NULL) FROM projects")" "every row placed"
# Each category count printed matches the CSV, counted independently.
for cat in smart_city surveillance; do
    want=$(python3 -c "import csv;print(sum(1 for r in csv.DictReader(open('$CSV')) if r['category']=='$cat'))")
    assert_contains "$OUT" "$(printf '    %-28s %6d' "$cat" "$want")" "count of $cat"
done
case_end

case_begin "every geocoded sample point lies in (or within 25 km of) its own country"
bad=$(ssql "SELECT count(*) FROM projects p JOIN regions r ON r.code = p.country_code WHERE NOT ST_Intersects(r.geom, ST_Buffer(p.geom, 0.25))")
assert_eq 0 "$bad" "points outside their country"
case_end

case_begin "footprint run: the country aggregation by category matches the CSV's own country column"
# Independent: per-country counts from the CSV's country column (the sample
# places every project inside its own country, checked by the case above;
# the one near-shore point is snapped to its country).
want=$(python3 - "$CSV" <<'P'
import csv, sys, collections
c = collections.Counter(r['country'] for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')))
print(";".join(f"{k}={v}" for k, v in sorted(c.items())))
P
)
got=$(sql "SELECT group_concat(code || '=' || projects, ';') FROM (SELECT code, projects FROM agg_country_by_category WHERE level='country' AND projects > 0 ORDER BY code)")
assert_eq "$want" "$got" "projects per country"
assert_eq "252|1" "$(sql "SELECT sum(code <> '_unassigned'), sum(code = '_unassigned') FROM agg_country_by_category WHERE level='country'")" "every country row, zeros included"
n=$(python3 -c "import csv;print(sum(1 for _ in csv.DictReader(open('$CSV'))))")
assert_eq "$n" "$(sql "SELECT CAST(round(sum(projects_weighted)) AS INT) FROM agg_country_by_category WHERE level='continent'")" "continents add up"
# The category columns add up to the total on every row.
assert_eq 0 "$(sql "SELECT count(*) FROM agg_country_by_category WHERE abs(category_smart_city + category_surveillance + category_other + category_telecom + category_training + category_university + category_rd_lab - projects_weighted) > 1e-9")" "category columns sum to the total"
assert_contains "$OUT" "passed" "the roll-up check is reported"
case_end

# The aggregation is recomputed on every run (its table is replaced), so the
# check is on content: the same projects, imports and aggregation rows.
content() {
    sql "SELECT count(*), sum(id), group_concat(source_key) FROM projects; SELECT count(*) FROM imports;
         SELECT group_concat(code || ':' || projects || ':' || round(projects_weighted, 9), ',') FROM agg_country_by_category;
         SELECT group_concat(project_id || region_code || method, ',') FROM agg_country_by_category_assign" | sha256sum
}
case_begin "a second run changes nothing"
before=$(content)
run run
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "already imported" "message"
assert_eq "$before" "$(content)" "store content"
assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity"
case_end

# A nightly job that publishes only what changed: with SOURCE_DATE_EPOCH
# (reproducible-builds.org) a rerun on the same data writes the same bytes.
# Expected dates by hand: 1700000000 s is 2023-11-14 22:13:20 UTC.
case_begin "SOURCE_DATE_EPOCH: two runs write byte-identical outputs (GeoJSON, PDF, GeoPackage, QGIS project, tiles), dated by it; a malformed value is ignored with a warning"
mkdir -p sde1 sde2
OUT1=$(SOURCE_DATE_EPOCH=1700000000 "$FP" -q --db sde1/fp.sqlite run 2>&1) || fail "first run: $OUT1"
OUT2=$(SOURCE_DATE_EPOCH=1700000000 "$FP" -q --db sde2/fp.sqlite run 2>&1) || fail "second run: $OUT2"
n=0; differ=""
while read -r f; do
    n=$((n + 1))
    cmp -s "sde1/$f" "sde2/$f" || differ="$differ $f"
done < <(cd sde1 && find . -type f ! -name 'fp.sqlite*' | sort)
[ "$n" -gt 100 ] || fail "only $n files written"
assert_eq "" "$differ" "files that differ"
assert_contains "$(cat sde1/projects.geojson 2>/dev/null || find sde1 -name '*.geojson' | head -1 | xargs cat)" "2023-11-14T22:13:20Z" "a GeoJSON's description dated by it"
pdf=$(find sde1 -name '*.pdf' | head -1)
assert_contains "$(pdfinfo "$pdf" 2>/dev/null | grep CreationDate)" "2023" "the PDF's CreationDate"
assert_eq "2023-11-14T22:13:20.000Z" "$(sqlite3 sde1/footprint.gpkg "SELECT DISTINCT last_change FROM gpkg_contents")" "the GeoPackage's last_change, every table"
OUT=$(SOURCE_DATE_EPOCH=yesterday "$FP" --db sde1/fp.sqlite render --size 200x100 -o sde_bad.png 2>&1); RC=$?
assert_eq 0 "$RC" "a malformed value: exit status (its output: $OUT)"
assert_contains "$OUT" "SOURCE_DATE_EPOCH 'yesterday' is not a number of seconds since 1970: ignored" "a malformed value: warned"
case_end

# A zip entry's date is DOS time: 1980-01-01 to 2107-12-31 (PKWARE APPNOTE 4.4.6),
# read back by Python's zipfile; an ISO 8601 date has four digits of year, so
# 253402300799 s (9999-12-31T23:59:59Z, by hand: 2932896 days + 86399 s) is the
# last value a GeoJSON's description can say.
case_begin "SOURCE_DATE_EPOCH out of range: 0 dates the .qgz entry 1980-01-01 00:00:00, 9999-12-31 dates it 2107-12-31 23:59:58; past the year 9999 it is ignored with the warning"
zdate() { /usr/bin/python3 -c "import zipfile, sys; print(*zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time)" "$1" 2>&1; }
OUT=$(SOURCE_DATE_EPOCH=0 "$FP" -q --db sde1/fp.sqlite export --format qgz -o z0/p.qgz 2>&1) || fail "SOURCE_DATE_EPOCH=0: $OUT"
assert_eq "1980 1 1 0 0 0" "$(zdate z0/p.qgz)" "SOURCE_DATE_EPOCH=0 (1970): the zip's first date"
OUT=$(SOURCE_DATE_EPOCH=253402300799 "$FP" -q --db sde1/fp.sqlite export --format qgz -o z9/p.qgz 2>&1) || fail "SOURCE_DATE_EPOCH=253402300799: $OUT"
assert_eq "2107 12 31 23 59 58" "$(zdate z9/p.qgz)" "SOURCE_DATE_EPOCH=253402300799 (9999): the zip's last date"
OUT=$(SOURCE_DATE_EPOCH=253402300799 "$FP" -q --db sde1/fp.sqlite export -o g9999.geojson 2>&1)
assert_contains "$(cat g9999.geojson)" " on 9999-12-31T23:59:59Z" "the last second of 9999 in a GeoJSON's description"
for big in 253402300800 99999999999999 99999999999999999999999; do
    OUT=$(SOURCE_DATE_EPOCH=$big "$FP" -q --db sde1/fp.sqlite export -o "g$big.geojson" 2>&1); RC=$?
    assert_eq 0 "$RC" "SOURCE_DATE_EPOCH=$big: exit status ($OUT)"
    assert_contains "$OUT" "SOURCE_DATE_EPOCH '$big' is not a number of seconds since 1970: ignored" "SOURCE_DATE_EPOCH=$big: warned"
    # ignored: the current time, a four-digit year (this year, or the next at midnight on 31 December)
    d=$(grep -o ' on [0-9-]*T[0-9:]*Z' "g$big.geojson" | head -1)
    y=$(date -u +%Y)
    [[ "$d" == " on $y-"* || "$d" == " on $((y + 1))-"* ]] || fail "SOURCE_DATE_EPOCH=$big: GeoJSON description dated [$d], not now ($y)"
done
case_end
