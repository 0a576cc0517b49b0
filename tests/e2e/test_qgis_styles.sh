#!/usr/bin/env bash
# The QGIS styles footprint writes (GPKG layer_styles, sidecar .qml), read by
# QGIS itself: PyQGIS headless (tests/tools/qgis_style_check.py) loads the
# exported layers, checks renderer, classes, labels and colours against
# expectations computed from the style rules, the store (sqlite3) and
# ColorBrewer's published colours, renders them and probes pixels.
. "$(dirname "$0")/lib.sh"
DB=output/footprint.sqlite
mkdir -p output
QPY=/usr/bin/python3
CHECK="$ROOT/tests/tools/qgis_style_check.py"
export QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK/xdg"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

if ! "$QPY" -c 'import qgis.core' 2>/dev/null; then
    case_begin "PyQGIS available (make deps installs qgis and python3-qgis)"
    fail "/usr/bin/python3 cannot import qgis.core"
    case_end
    exit 0
fi

run run
[ $RC -eq 0 ] || echo "footprint run failed: $OUT"

case_begin "choropleth in QGIS: rule-based, footprint's legend labels and classes, no-data grey drawn, proportional centroids"
out=$("$QPY" "$CHECK" choropleth output "$ROOT/styles/world-choropleth.json" 2>&1)
[ $? -eq 0 ] || fail "$(grep -v '^ok' <<<"$out" | head -20)"
# The old defects, named: no "1 - 2" labels, no graduated renderer skipping the
# regions without projects (215 of 252 countries), no fixed-size centroids.
assert_contains "$out" "ok   gpkg country_by_category: QGIS puts each of 252 features in its class" "every region classed"
assert_contains "$out" "Mongolia (MNG, 0) drawn #dddddd" "a country without projects drawn in the no-data grey"
assert_contains "$out" "every marker sized max(2, 16*sqrt(v/" "proportional centroids"
grep '^ok' <<<"$out" | sed 's/^/    /' | head -12
case_end

case_begin "points in QGIS: one category per value, the colours of categories.png (category-points.json), no two alike, same colour in every split file"
out=$("$QPY" "$CHECK" points output - "$ROOT/styles/category-points.json" 2>&1)
[ $? -eq 0 ] || fail "$(grep -v '^ok' <<<"$out" | head -20)"
# smart_city and surveillance were the same teal by name hash
sc=$(sqlite3 output/footprint.gpkg "SELECT styleQML FROM layer_styles WHERE f_table_name='projects'" |
     python3 -c '
import sys, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read()).find("renderer-v2")
sym = {s.get("name"): s.find("layer/prop[@k=\"color\"]").get("v") for s in r.find("symbols")}
cat = {c.get("value"): sym[c.get("symbol")] for c in r.find("categories")}
print(cat["smart_city"], cat["surveillance"])')
read -r a b <<<"$sc"
[ -n "$a" ] && [ "$a" != "$b" ] || fail "smart_city [$a] and surveillance [$b] must differ"
case_end

case_begin "15 categories (more than Set2's 8): 15 distinct colours in QGIS, Set2 first"
mkdir -p many
python3 - <<'P'
import csv
w = csv.writer(open("many/p.csv", "w", newline=""))
w.writerow(["id", "company", "category", "name", "lon", "lat"])
for i in range(45):
    w.writerow(["M%02d" % i, "Co", "kind_%02d" % (i % 15), "site %d" % i, -170 + i * 7.5, (i % 9) * 8 - 32])
P
fp_init many/footprint.sqlite >/dev/null 2>&1
"$FP" -q --db many/footprint.sqlite import many/p.csv --lon lon --lat lat >/dev/null 2>&1 || fail "import"
"$FP" -q --db many/footprint.sqlite export --what projects --format gpkg -o many/footprint.gpkg >/dev/null 2>&1 ||
    fail "export"
assert_eq 15 "$(sqlite3 many/footprint.sqlite "SELECT count(DISTINCT category) FROM projects")" "categories stored"
out=$("$QPY" "$CHECK" points many 15 2>&1)
[ $? -eq 0 ] || fail "$(grep -v '^ok' <<<"$out" | head -20)"
case_end

case_begin "an explicit style: its colours kept, the others distinct from them (category-points.json)"
"$FP" -q export --what projects --format gpkg --style "$ROOT/styles/category-points.json" -o styled.gpkg >/dev/null 2>&1 ||
    fail "export"
out=$(sqlite3 styled.gpkg "SELECT styleQML FROM layer_styles WHERE f_table_name='projects'" | python3 -c '
import sys, json, xml.etree.ElementTree as ET
r = ET.fromstring(sys.stdin.read()).find("renderer-v2")
sym = {s.get("name"): s.find("layer/prop[@k=\"color\"]").get("v") for s in r.find("symbols")}
cat = {c.get("value"): sym[c.get("symbol")] for c in r.find("categories")}
style = json.load(open(sys.argv[1]))["points"]["colors"]
hexa = lambda v: "#%02x%02x%02x" % tuple(int(x) for x in v.split(",")[:3])
bad = [c for c in cat if c in style and hexa(cat[c]) != style[c]]
print(len(cat), len(set(cat.values())), bad)' "$ROOT/styles/category-points.json")
assert_eq "7 7 []" "$out" "categories, distinct colours, explicit colours changed"
case_end

case_begin "lines and areas drawn in QGIS with line and fill symbols: the .qgz's layers per kind, the GPKG's mixed table opened by kind, a GeoJSON's .qml"
# A cable (line) and a zone (area) beside run's points: QGIS drew neither when
# every style held point markers only (a marker on a line draws nothing).
mkdir -p kinds
cp output/footprint.sqlite kinds/fp.sqlite
cat > kinds/mixed.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"L1","company":"Huawei","category":"telecom","name":"Cable A","country":"Kenya"},"geometry":{"type":"LineString","coordinates":[[39.6,-4.0],[55.0,-4.6],[72.8,19.0]]}},
{"type":"Feature","properties":{"id":"A1","company":"ZTE","category":"smart_city","name":"Zone B","country":"Ethiopia"},"geometry":{"type":"Polygon","coordinates":[[[38.6,8.9],[38.9,8.9],[38.9,9.1],[38.6,9.1],[38.6,8.9]]]}}]}
J
"$FP" -q --db kinds/fp.sqlite import kinds/mixed.geojson --dataset mixed >/dev/null 2>&1 || fail "import"
"$FP" -q --db kinds/fp.sqlite aggregate --by country --group category >/dev/null 2>&1 || fail "aggregate"
"$FP" -q --db kinds/fp.sqlite export --format qgz -o kinds/m.qgz >/dev/null 2>&1 || fail "export qgz"
"$FP" -q --db kinds/fp.sqlite export --what projects --style category-points -o kinds/all.geojson >/dev/null 2>&1 ||
    fail "export geojson"
"$FP" -q --db kinds/fp.sqlite export --where "name=Cable A" --style category-points -o kinds/cable.geojson >/dev/null 2>&1 ||
    fail "export --where"
# one footprint style for the mixed table, drawing all three kinds
assert_eq "1|RuleRenderer" "$(sqlite3 kinds/m.gpkg "SELECT count(*), group_concat(CASE WHEN styleQML LIKE '%type=\"RuleRenderer\"%' THEN 'RuleRenderer' END) FROM layer_styles WHERE f_table_name='projects'")" \
    "the GPKG's style of projects"
out=$(cd kinds && "$QPY" "$CHECK" kinds "$ROOT/styles/category-points.json" \
      "qgz lines=qgz:m.qgz#Projects (lines)" "qgz areas=qgz:m.qgz#Projects (areas)" \
      "gpkg lines=m.gpkg|layername=projects|geometrytype=LineString" \
      "gpkg areas=m.gpkg|layername=projects|geometrytype=Polygon" \
      "gpkg points=m.gpkg|layername=projects|geometrytype=Point" \
      "geojson areas=all.geojson|geometrytype=Polygon" "cable.geojson=cable.geojson" 2>&1)
[ $? -eq 0 ] || fail "$(grep -v '^ok' <<<"$out" | head -20)"
assert_contains "$out" "ok   qgz lines: 1 line, each with a symbol of its kind (categorizedSymbol renderer)" "the project's lines layer"
assert_contains "$out" "ok   qgz areas: 1 polygon, each with a symbol of its kind (categorizedSymbol renderer)" "the project's areas layer"
grep '^ok.*rendered' <<<"$out" | sed 's/^/    /'
case_end

case_begin "styles a QGIS user saved in the GeoPackage survive export --append and the project's re-export; a default they chose stays the default"
# An analyst saves styles into the hand-off's GeoPackage with QGIS itself: one
# (not default) on projects, defaults of their own on countries and on the
# choropleth, which footprint also styles. Re-exporting deleted them all.
mkdir -p keep && cp output/footprint.gpkg output/footprint.qgz keep/
cat > keep/save.py <<'P'
import os, sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsSingleSymbolRenderer, QgsFillSymbol
app = QgsApplication([], False); app.initQgis()
for table, name, default, colour in (("projects", "analyst projects", False, None),
                                     ("countries", "analyst style", True, "#00ff00"),
                                     ("country_by_category", "analyst choropleth", True, "#ff00ff")):
    lyr = QgsVectorLayer("footprint.gpkg|layername=" + table, table, "ogr")
    if colour:
        lyr.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": colour})))
    msg = lyr.saveStyleToDatabase(name, "mine", default, "")
    if msg:
        print(table, msg)
os._exit(0)
P
cat > keep/load.py <<'P'
import os, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False); app.initQgis()
for table in sys.argv[1:]:
    lyr = QgsVectorLayer("footprint.gpkg|layername=" + table, table, "ogr")
    r = lyr.renderer()
    print(table, r.type(), r.symbol().color().name() if r.type() == "singleSymbol" else "")
os._exit(0)
P
styles() { sqlite3 -separator '|' keep/footprint.gpkg "SELECT f_table_name, styleName, useAsDefault FROM layer_styles ORDER BY f_table_name, styleName"; }
(cd keep && "$QPY" save.py 2>&1 | grep -v XDG_RUNTIME)
users="countries|analyst style|1
country_by_category|analyst choropleth|1
projects|analyst projects|0"
assert_eq "$users" "$(styles | grep analyst)" "the analyst's styles saved by QGIS"
out=$("$FP" --db output/footprint.sqlite export --what projects --style category-points -o keep/footprint.gpkg --append 2>&1) ||
    fail "export --append: $out"
assert_eq "$users" "$(styles | grep analyst)" "after export --what projects --append: the analyst's styles"
assert_eq "projects|category-points|1" "$(styles | grep '^projects|category')" "footprint's projects style, the default (no user default)"
out=$("$FP" --db output/footprint.sqlite export --what aggregate:country_by_category -o keep/footprint.gpkg --append 2>&1) ||
    fail "export --append: $out"
assert_eq "$users" "$(styles | grep analyst)" "after export --what aggregate --append: the analyst's styles"
assert_eq "country_by_category|world-choropleth|0" "$(styles | grep '^country_by_category|world')" "footprint's choropleth style beside the user's default"
assert_contains "$out" "export: 1 GeoPackage table keeps the default QGIS style a user saved: country_by_category ('analyst choropleth')" "the note"
out=$("$FP" --db output/footprint.sqlite export --format qgz -o keep/footprint.qgz 2>&1) || fail "export qgz: $out"
assert_eq "$users" "$(styles | grep analyst)" "after the project's re-export (its GeoPackage written anew): the analyst's styles"
assert_eq "1" "$(sqlite3 keep/footprint.gpkg "SELECT count(*) FROM layer_styles WHERE f_table_name = 'projects' AND description = 'footprint style'")" \
    "one footprint style of projects"
assert_eq "country_by_category|world-choropleth|0" "$(styles | grep '^country_by_category|world')" "footprint's choropleth style, not the default"
assert_contains "$out" "country_by_category ('analyst choropleth')" "the note"
# QGIS opening each table applies: the user's defaults, footprint's where the user saved none
got=$(cd keep && "$QPY" load.py projects countries country_by_category 2>&1 | grep -v XDG_RUNTIME)
assert_eq "projects categorizedSymbol 
countries singleSymbol #00ff00
country_by_category singleSymbol #ff00ff" "$got" "the styles QGIS applies"
case_end
