#!/usr/bin/env bash
# The QGIS project (footprint.qgz + footprint.gpkg) that `footprint run` and
# `export --format qgz` write, opened by QGIS itself after the output folder
# was moved: tests/tools/qgis_project_check.py (PyQGIS headless, one process)
# checks layers, paths, CRS, every layout exported to PDF/PNG, pixels and
# text against footprint's own render of the same style and the store.
. "$(dirname "$0")/lib.sh"
DB=output/footprint.sqlite
QPY=/usr/bin/python3
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

case_begin "run writes footprint.qgz: a zip of one .qgs naming its layers by relative path"
assert_contains "$OUT" "-> output/footprint.qgz" "run names the project"
list=$(python3 -c '
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); print(" ".join(z.namelist()))
print("dated %04d-%02d-%02d" % z.infolist()[0].date_time[:3])
t = z.read(z.namelist()[0]).decode()
import re
print(sorted(set(re.findall(r"<datasource>([^<|]*)", t))))' output/footprint.qgz 2>&1)
assert_contains "$list" "footprint.qgs" "the zip holds footprint.qgs"
assert_contains "$list" "dated $(date +%Y-%m-%d)" "the entry dated today (zip's local time), not 1980"
assert_contains "$list" "['./footprint.gpkg']" "every datasource is ./footprint.gpkg"
# The GeoPackage beside it, read by ogrinfo: base map, aggregation, projects.
layers=$(ogrinfo -q output/footprint.gpkg 2>&1 | sed -E 's/^[0-9]+: //' | tr '\n' ' ')
for l in "projects (Point)" "country_by_category (Multi Polygon)" "country_by_category_centroids (Point)" \
         "countries (Multi Polygon)" "admin1 (Multi Polygon)" "sea (Polygon)" "graticule_30 (Line String)"; do
    assert_contains "$layers" "$l" "footprint.gpkg layer"
done
assert_eq "$(sql "SELECT count(*) FROM regions WHERE level='admin1'")" \
          "$(ogrinfo -q -sql 'SELECT count(*) AS n FROM admin1' output/footprint.gpkg | sed -n 's/.*n (Integer[0-9]*) = //p')" \
          "admin-1 regions in the GeoPackage"
case_end

case_begin "moved elsewhere, the project opens in QGIS; layouts export and match footprint's render"
mkdir -p elsewhere/deep pages
mv output elsewhere/deep/out
out=$("$QPY" "$ROOT/tests/tools/qgis_project_check.py" elsewhere/deep/out elsewhere/deep/out/footprint.sqlite pages 2>&1)
[ $? -eq 0 ] || fail "$(grep -v '^ok' <<<"$out" | grep -v 'ERROR 6\|^$' | head -20)"
assert_contains "$out" "ok   8 layers, none missing or broken" "no missing layers"
assert_contains "$out" "ok   every layer's file is inside the moved folder" "relative paths"
assert_contains "$out" "ok   atlas over" "atlas"
# The atlas map keeps its declared size on the page (QGIS reshapes a map item
# to its extent's aspect), and its pages are centred on their countries, also
# across the antimeridian (Russia, the USA).
assert_contains "$out" "ok   layout atlas map map: loaded" "the atlas map's size as declared"
for c in KEN RUS USA; do
    assert_contains "$out" "ok   atlas page $c: map CRS" "atlas page $c centred on $c"
    assert_contains "$out" "ok   atlas page $c: its colour" "atlas page $c shows $c"
done
grep '^ok   .*\(frame\|pixel\|atlas page [A-Z]\)' <<<"$out" | sed 's/^/    /'
mv elsewhere/deep/out output
case_end

case_begin "export --format qgz --what projects: projects and the base map, no choropleth layouts"
run export --format qgz --what projects -o sub/p.qgz
assert_eq 0 "$RC" "exit status ($OUT)"
t=$(python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read("p.qgs").decode())' sub/p.qgz 2>&1)
assert_contains "$t" "./p.gpkg|layername=projects" "projects layer from p.gpkg"
assert_not_contains "$t" "layername=country_by_category" "no aggregation"
assert_contains "$t" 'name="categories"' "the categories layout"
assert_not_contains "$t" 'name="atlas"' "no atlas without the choropleth"
[ -z "$(ls -A sub | grep -v '^p\.\(qgz\|gpkg\)$')" ] || fail "leftovers in sub/: $(ls -A sub)"
# The count printed is what the GeoPackage holds, base map included (it
# said 82 features in 6 layers, the projects alone, of 4,999): GDAL's counts.
total=0 layers=0
for l in projects countries admin1 sea graticule_30 graticule_10; do
    n=$(ogrinfo -so sub/p.gpkg "$l" 2>/dev/null | sed -n 's/^Feature Count: //p')
    [ -n "$n" ] && total=$((total + n)) && layers=$((layers + 1))
done
assert_eq 6 "$layers" "six layers GDAL reads"
assert_contains "$OUT" "export: $total features in 6 layers" "the features printed are the GeoPackage's"
case_end

case_begin "legend.title of the shipped world style names the QGIS project's choropleth layers and titles the world and atlas layouts' legends; africa's (none) keeps the default"
# The styles folder (FOOTPRINT_STYLES) with a world style that titles its legend.
cp -r "$ROOT/styles" lt_styles
python3 - lt_styles/world-choropleth.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["legend"]["title"] = "Surveillance & smart-city projects"
json.dump(d, open(sys.argv[1], "w"))
PY
OUT=$(FOOTPRINT_STYLES=$PWD/lt_styles "$FP" --db "$DB" export --format qgz -o lt/p.qgz 2>&1); RC=$?
assert_eq 0 "$RC" "exit status ($OUT)"
got=$(python3 - lt/p.qgz <<'PY' 2>&1
import sys, zipfile, xml.etree.ElementTree as ET
z = zipfile.ZipFile(sys.argv[1])
root = ET.fromstring(z.read("p.qgs"))
for ml in root.iter("maplayer"):
    src = ml.findtext("datasource") or ""
    if "layername=country_by_category" in src:
        print("layer", src.split("layername=")[1].split("|")[0], ml.findtext("layername"))
for lay in root.iter("Layout"):
    for it in lay.iter("LayoutItem"):
        if it.get("type") == "65642":
            print("legend", lay.get("name"), it.get("title"))
PY
)
assert_contains "$got" "layer country_by_category Surveillance & smart-city projects" "the choropleth layer's name"
assert_contains "$got" "layer country_by_category_centroids Surveillance & smart-city projects (proportional)" "the centroids layer's name"
assert_contains "$got" "legend world Surveillance & smart-city projects" "the world layout's legend"
assert_contains "$got" "legend atlas Surveillance & smart-city projects" "the atlas layout's legend"
assert_contains "$got" "legend africa Projects per country" "the africa layout's legend (africa.json has no legend.title)"
case_end

case_begin "export --format qgz --style FILE: a style with a choropleth takes the world map's place (its legend title in the project); one with neither choropleth nor points is a usage error (it was ignored without a word)"
python3 - "$ROOT/styles/world-choropleth.json" own.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["legend"]["title"] = "Surveillance deals per country"
json.dump(d, open(sys.argv[2], "w"))
PY
run --db "$DB" export --format qgz --style own.json -o own/p.qgz
assert_eq 0 "$RC" "exit status ($OUT)"
got=$(python3 - own/p.qgz <<'PY' 2>&1
import sys, zipfile, xml.etree.ElementTree as ET
root = ET.fromstring(zipfile.ZipFile(sys.argv[1]).read("p.qgs"))
for lay in root.iter("Layout"):
    for it in lay.iter("LayoutItem"):
        if it.get("type") == "65642":
            print("legend", lay.get("name"), it.get("title"))
PY
)
assert_contains "$got" "legend world Surveillance deals per country" "the world layout's legend is the --style's"
# QGIS itself opens that project: every layer valid, the world layout's legend titled by the style.
got=$("$QPY" - own/p.qgz <<'PY' 2>/dev/null
import sys
from qgis.core import QgsApplication, QgsProject, QgsLayoutItemLegend
app = QgsApplication([], False); app.initQgis()
p = QgsProject.instance()
print("read", p.read(sys.argv[1]))
print("invalid", sum(not l.isValid() for l in p.mapLayers().values()), "of", len(p.mapLayers()))
lay = p.layoutManager().layoutByName("world")
leg = [i for i in lay.items() if isinstance(i, QgsLayoutItemLegend)] if lay else []
print("legend", leg[0].title() if leg else "-")
app.exitQgis()
PY
)
assert_contains "$got" "read True" "QGIS reads the project ($got)"
assert_contains "$got" "invalid 0 of" "every layer valid in QGIS"
assert_contains "$got" "legend Surveillance deals per country" "QGIS's world layout legend"
echo '{"title":{"text":"Only a title"}}' > bare.json
run --db "$DB" export --format qgz --style bare.json -o bare/p.qgz
assert_eq 2 "$RC" "a style with neither ($OUT)"
assert_contains "$OUT" "needs a choropleth or points" "says why"
[ ! -e bare/p.qgz ] || fail "bare/p.qgz written"
case_end

case_begin "export --format qgz: bad --what and --split-by are clear errors, nothing written"
run export --format qgz --what aggregate:nope -o bad/x.qgz
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "no aggregation named 'nope'" "names the aggregation"
run export -o bad/x.qgz --split-by category
assert_eq 2 "$RC" "exit status (split)"
assert_contains "$OUT" "--format qgz: no --split-by" "says why"
[ ! -e bad/x.qgz ] && [ ! -e bad/x.gpkg ] || fail "bad/ has files: $(ls -A bad)"
case_end

# Editions imported as datasets, aggregations of one edition and of all, none
# of them the world style's default (country_by_category).
printf 'id,name,category,year,lon,lat\nA,a,x,,36.8,-1.3\nB,b,x,,38.7,9.0\nC,c,y,2020,36.9,-1.2\nD,d,y,2019,38.8,9.1\n' > e1.csv
printf 'id,name,category,year,lon,lat\nP1,p,x,2020,36.8,-1.3\nP2,q,y,2020,37.0,-0.5\nP3,r,y,2021,38.7,9.0\n' > e2.csv
EDB=ed.sqlite
sql_e() { sqlite3 -batch -noheader "$EDB" "$@"; }
fp_init "$EDB" >/dev/null && "$FP" -q --db "$EDB" import e1.csv --dataset e1 && "$FP" -q --db "$EDB" import e2.csv --dataset e2
"$FP" -q --db "$EDB" aggregate --by country --dataset e2 --name c_e2 && "$FP" -q --db "$EDB" aggregate --by country --name c_all

case_begin "export --format qgz without the style's aggregation: exit 2 listing the store's and how to choose, nothing written (as render)"
run --db "$EDB" render -o nochoro/w.png
assert_eq 2 "$RC" "render's exit status"
run --db "$EDB" export --format qgz -o nochoro/x.qgz
assert_eq 2 "$RC" "export's exit status ($OUT)"
assert_contains "$OUT" "needs aggregation 'country_by_category'" "names the missing aggregation"
assert_contains "$OUT" "(aggregations: c_all, c_e2)" "lists the store's"
assert_contains "$OUT" "--aggregation NAME (beside the projects) or --what aggregate:NAME" "how to choose one"
[ -z "$(ls -A nochoro 2>/dev/null)" ] || fail "files written: $(ls -A nochoro)"
run --db "$EDB" export --format qgz --aggregation nope -o nochoro/x.qgz
assert_eq 2 "$RC" "exit status of --aggregation nope"
assert_contains "$OUT" "--aggregation needs aggregation 'nope'" "names it"
case_end

case_begin "export --format qgz --dataset e2 --aggregation c_e2: the points are e2's (ogrinfo, and QGIS's count), beside c_e2's choropleth and every layout"
run --db "$EDB" export --format qgz --dataset e2 --aggregation c_e2 -o ed/e.qgz
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "e2|$(sql_e "SELECT count(*) FROM projects WHERE dataset = 'e2'")" \
    "$(ogrinfo -q -sql 'SELECT dataset, count(*) AS n FROM projects GROUP BY dataset' ed/e.gpkg | sed -n 's/.*= //p' | paste -sd'|')" \
    "projects per dataset in e.gpkg"
layers=$(ogrinfo -q ed/e.gpkg 2>&1 | sed -E 's/^[0-9]+: //' | tr '\n' ' ')
assert_contains "$layers" "c_e2 (Multi Polygon)" "the choropleth layer"
t=$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("e.qgs").decode())' ed/e.qgz 2>&1)
for l in world africa categories atlas; do assert_contains "$t" "name=\"$l\"" "layout $l"; done
out=$("$QPY" - ed/e.qgz <<'PY' 2>&1
import sys
from qgis.core import QgsApplication, QgsProject
app = QgsApplication([], False); app.initQgis()
p = QgsProject.instance(); p.read(sys.argv[1])
for l in sorted(p.mapLayers().values(), key=lambda l: l.name()):
    if l.name().startswith("Projects"): print(l.name(), l.featureCount(), sorted(set(f["dataset"] for f in l.getFeatures())))
app.exitQgis()
PY
)
assert_contains "$out" "Projects (points) 3 ['e2']" "QGIS reads e2's 3 projects"
# --where dataset=e2 is the same restriction; any other --where is refused.
run --db "$EDB" export --format qgz --where dataset=e2 --aggregation c_e2 -o ed/w.qgz
assert_eq 0 "$RC" "--where dataset=e2 ($OUT)"
assert_eq "3" "$(ogrinfo -q -sql 'SELECT count(*) AS n FROM projects' ed/w.gpkg | sed -n 's/.*= //p')" "projects with --where dataset=e2"
run --db "$EDB" export --format qgz --where category=x --aggregation c_e2 -o ed/bad.qgz
assert_eq 2 "$RC" "--where category: exit status"
assert_contains "$OUT" "--where category: a QGIS project holds every project, or those of a dataset" "says why"
run --db "$EDB" export --format qgz --dataset e9 --aggregation c_e2 -o ed/bad.qgz
assert_eq 2 "$RC" "--dataset e9: exit status"
assert_contains "$OUT" "e1" "lists the datasets"
[ ! -e ed/bad.qgz ] || fail "ed/bad.qgz written"
case_end

case_begin "export --dataset NAME for every format: --where dataset=NAME (GeoJSON's features, sqlite3's count); refused for an aggregation's layer"
run --db "$EDB" export --dataset e1 -o ed/e1.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$(sql_e "SELECT count(*) FROM projects WHERE dataset = 'e1'")" \
    "$(python3 -c 'import json, sys; f = json.load(open(sys.argv[1]))["features"]; print(len(f) if {x["properties"]["dataset"] for x in f} == {"e1"} else "other datasets")' ed/e1.geojson)" \
    "e1's features"
run --db "$EDB" export --what aggregate:c_all --dataset e1 -o ed/agg.gpkg
assert_eq 2 "$RC" "aggregate layer: exit status"
assert_contains "$OUT" "footprint aggregate --dataset e1 --name NAME" "how to make one"
case_end
