#!/usr/bin/env bash
# Injection safety: nothing from a data file, a style or a command-line
# value reaches SQL as text (values are bound; identifiers are validated or
# quoted), and names derived from data never leave the output folder.
# Each case feeds hostile text and checks that the tables are intact, the
# text is stored or matched literally, and files appear only where asked.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB
tables() { sql "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type='table' AND name IN
                ('projects','imports','rejects','regions','meta','aggregations') ORDER BY name)"; }
ALL="aggregations,imports,meta,projects,regions,rejects"
# Files anywhere under the work folder, but for the store.
files() { find . -type f ! -name "$DB*" | LC_ALL=C sort; }

case_begin "a CSV column named like SQL: the tables intact, the column kept literally in extra"
cat > evil.csv <<'E'
id,lon,lat,"x""; DROP TABLE projects; --",category,name
e1,1,2,boom,"cat'); DROP TABLE imports; --","O'Brien ""quoted""; DROP TABLE rejects; --"
e2,3,4,,../../etc/passwd,..
e3,5,6,,a/b,plain
e4,7,8,,a_b,plain
E
run --db $DB import evil.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "4 rows read, 4 stored, 0 rejected" "summary"
assert_eq "$ALL" "$(tables)" "tables"
assert_eq '{"x\"; DROP TABLE projects; --":"boom"}' "$(sql "SELECT extra FROM projects WHERE source_key='e1'")" "extra key"
assert_eq "cat'); DROP TABLE imports; --" "$(sql "SELECT category FROM projects WHERE source_key='e1'")" "category"
case_end

case_begin "--where values with quotes are bound: the row matched literally, nothing executed"
run --db $DB export --where "name=O'Brien \"quoted\"; DROP TABLE rejects; --" -o w.geojson
assert_eq 0 "$RC" "exit status"
assert_eq "e1" "$(python3 -c "import json; print(' '.join(f['properties']['source_key'] for f in json.load(open('w.geojson'))['features']))")" "matched row"
run --db $DB export --where "category=x' OR '1'='1" -o none.geojson
assert_eq 0 "$RC" "exit status"
assert_eq 0 "$(python3 -c "import json; print(len(json.load(open('none.geojson'))['features']))")" "a classic injection matches nothing"
assert_eq "$ALL" "$(tables)" "tables"
case_end

case_begin "--where on a field named like SQL is refused as no such field (exit 2)"
run --db $DB export --where 'x"; DROP TABLE projects; --=boom' -o f.geojson
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "no field 'x\"; DROP TABLE projects; --' in this layer" "message"
run --db $DB export --split-by 'category) FROM projects; DROP TABLE projects; --' -o f/
assert_eq 2 "$RC" "--split-by: exit status"
[ -e f.geojson ] && fail "an output was written"
assert_eq "$ALL" "$(tables)" "tables"
case_end

case_begin "a dataset name with quotes and slashes: stored, listed and filtered literally"
ds="../x'\"; DROP TABLE imports; --"
run --db $DB import "$FIX/points_good.csv" --dataset "$ds"
assert_eq 0 "$RC" "exit status"
assert_eq "5" "$(sql "SELECT count(*) FROM projects WHERE dataset='../x''\"; DROP TABLE imports; --'")" "stored under that name"
run --db $DB rejects --dataset "$ds"
assert_contains "$OUT" "8 rejected rows" "rejects --dataset"
run --db $DB geocode --dataset "$ds"
assert_eq 0 "$RC" "geocode --dataset"
assert_eq "$ALL" "$(tables)" "tables"
[ -e "../x'\"; DROP TABLE imports; --" ] && fail "a file named after the dataset"
case_end

case_begin "--split-by values like ../../etc/passwd: every file inside the output folder, named safely"
before=$(files)
run --db $DB export --where dataset=evil --split-by category --format geojson -o split
assert_eq 0 "$RC" "exit status"
# By hand from safe_name (letters, digits, . _ - kept; a leading dot and
# everything else become _): "../../etc/passwd" -> "_._.._etc_passwd",
# "cat'); DROP TABLE imports; --" -> "cat____DROP_TABLE_imports__--",
# "a/b" and "a_b" -> "a_b" and "a_b_2".
want="./split/_._.._etc_passwd.geojson
./split/_._.._etc_passwd.qml
./split/a_b.geojson
./split/a_b.qml
./split/a_b_2.geojson
./split/a_b_2.qml
./split/cat____DROP_TABLE_imports__--.geojson
./split/cat____DROP_TABLE_imports__--.qml"
assert_eq "$want" "$(LC_ALL=C comm -13 <(echo "$before") <(files))" "new files"
assert_eq "e3 e4" "$(python3 -c "
import json
print(' '.join(json.load(open('split/%s.geojson' % n))['features'][0]['properties']['source_key'] for n in ('a_b', 'a_b_2')))")" "a/b and a_b each in their own file"
case_end

case_begin "a style with quotes, markup and SQL in its values: QML well-formed, GeoPackage styles bound"
cat > evil_style.json <<'E'
{"name": "x'); DROP TABLE layer_styles; --",
 "points": {"categories": ["cat'); DROP TABLE imports; --", "<b>&\"</b>"],
            "colors": {"cat'); DROP TABLE imports; --": "#ff0000"}}}
E
run --db $DB export --where dataset=evil --style evil_style.json -o st.gpkg
assert_eq 0 "$RC" "gpkg: exit status"
assert_eq "x'); DROP TABLE layer_styles; --|1" "$(sqlite3 st.gpkg "SELECT styleName, count(*) FROM layer_styles")" "style name stored literally"
run --db $DB export --where dataset=evil --style evil_style.json -o st.geojson
assert_eq 0 "$RC" "geojson: exit status"
got=$(python3 - <<'P'
import xml.etree.ElementTree as ET
root = ET.parse('st.qml').getroot()
print('|'.join(c.get('value') for c in root.iter('category')))
P
)
assert_contains "$got" "cat'); DROP TABLE imports; --" "category value round-trips through XML"
assert_eq "$ALL" "$(tables)" "tables"
case_end

case_begin "aggregation names and group fields are identifiers: anything else refused (exit 2)"
run --db $DB aggregate --by country --name 'x"; DROP TABLE projects; --'
assert_eq 2 "$RC" "--name: exit status"
assert_contains "$OUT" "--name x\"; DROP TABLE projects; --: use 1 to 48 letters, digits and _" "--name message"
run --db $DB aggregate --by country --group "category') --"
assert_eq 2 "$RC" "--group: exit status"
run --db $DB export --what 'aggregate:x"; DROP TABLE projects; --' -o a.geojson
assert_eq 2 "$RC" "--what: exit status"
assert_eq "$ALL" "$(tables)" "tables"
case_end

case_begin "region codes from a user's layer: atlas files stay inside the folder"
cat > evil_regions.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"level":"country","code":"../../evil","name":"Evil"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
{"type":"Feature","properties":{"level":"country","code":"x\"; DROP TABLE regions; --","name":"Drop"},"geometry":{"type":"Polygon","coordinates":[[[20,0],[30,0],[30,10],[20,10],[20,0]]]}}
]}
E
DB=r.sqlite
"$FP" -q --db $DB init --regions evil_regions.geojson
printf 'id,lon,lat,category\nr1,5,5,a\nr2,25,5,b\n' > r.csv
"$FP" -q --db $DB import r.csv
"$FP" -q --db $DB aggregate --by country --group category
before=$(files)
run --db $DB render --each country --size 120x80 -o atlas/
assert_eq 0 "$RC" "exit status"
# By hand: every character but letters, digits, - and _ becomes _.
assert_eq "./atlas/______evil.pgw
./atlas/______evil.png
./atlas/______evil.png.aux.xml
./atlas/______evil.prj
./atlas/x___DROP_TABLE_regions__--.pgw
./atlas/x___DROP_TABLE_regions__--.png
./atlas/x___DROP_TABLE_regions__--.png.aux.xml
./atlas/x___DROP_TABLE_regions__--.prj" "$(LC_ALL=C comm -13 <(echo "$before") <(files))" "new files"
assert_eq "2" "$(sql "SELECT count(*) FROM regions")" "regions intact"
case_end
