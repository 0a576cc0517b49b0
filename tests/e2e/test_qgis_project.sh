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
