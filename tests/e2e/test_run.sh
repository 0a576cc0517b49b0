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

case_begin "a second run changes nothing"
before=$(sha256sum $DB | cut -d' ' -f1)
run run
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "already imported" "message"
assert_eq "$before" "$(sha256sum $DB | cut -d' ' -f1)" "store bytes"
case_end
