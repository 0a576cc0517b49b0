#!/usr/bin/env bash
# Real clients: the outputs of `footprint run` (and of exports to every
# format, MBTiles) opened in the programs analysts use — QGIS 3.22 through
# PyQGIS (headless), GDAL's ogrinfo and gdalinfo. Expected values come from
# outside footprint: counts from the store with sqlite3, class colours from
# tests/tools/render_check.py (the style's rules and ColorBrewer's published
# colours), probe places chosen by hand, each checked with SpatiaLite to lie
# at least 0.9 degrees inside its country (a probe window spans +-0.6 degrees),
# away from the country labels of the report maps. tests/tools/qgis_check.py prints the
# table outputs x (loads, style, classes, crs, probes).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
TOOLS="$ROOT/tests/tools"
export QT_QPA_PLATFORM=offscreen

DB=$WORK/fp.sqlite
fp_run "$DB" >run.log 2>&1 || echo "FAIL footprint run
    $(tail -3 run.log)"
O=$WORK                                   # run writes next to the store
"$FP" -q --db "$DB" export --format shp -o shp/projects.shp >/dev/null 2>&1
"$FP" -q --db "$DB" export --format fgb -o projects.fgb >/dev/null 2>&1
"$FP" -q --db "$DB" export --what aggregate:country_by_category --format shp -o shp/agg.shp >/dev/null 2>&1
"$FP" -q --db "$DB" export --what aggregate:country_by_category --format fgb -o agg.fgb >/dev/null 2>&1
"$FP" -q --db "$DB" tiles --zoom 0-4 --no-preview -o world.mbtiles >/dev/null 2>&1

case_begin "the probe places lie inside their countries (SpatiaLite, 0.9 degrees or more from any border)"
for p in "KEN 38.5 1.5" "ZWE 30.8 -17.0" "CAN -100 58" "BRA -55 -10"; do
    set -- $p
    got=$(ssql "SELECT code FROM regions WHERE level='country' AND ST_Contains(geom, MakePoint($2,$3,4326)) AND ST_Distance(ST_Boundary(geom), MakePoint($2,$3,4326)) > 0.9")
    assert_eq "$1" "$got" "country at $2,$3"
done
case_end

# Class colours and the no-data grey, independently of footprint.
"$PY" "$TOOLS/render_check.py" classes "$DB" country_by_category > classes.json
# Two projects of different categories, each 8 degrees from any other
# project (markers of 1200 px world maps do not overlap), for "told apart".
"$PY" - "$DB" classes.json > spec.json <<'P'
import json, math, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.enable_load_extension(True)
db.load_extension("mod_spatialite")
cls = json.load(open(sys.argv[2]))
col = cls["colour"]
n_projects = db.execute("SELECT count(*) FROM projects").fetchone()[0]
# the layer's features: the country rows that have a geometry (the
# "_unassigned" row has none)
n_regions = db.execute("SELECT count(*) FROM agg_country_by_category WHERE level = 'country' AND geom IS NOT NULL").fetchone()[0]
cats = [r[0] for r in db.execute("SELECT DISTINCT category FROM projects ORDER BY 1")]
pts = db.execute("SELECT category, X(geom), Y(geom) FROM projects WHERE GeometryType(geom) = 'POINT'").fetchall()
def alone(p):
    return all(q is p or math.hypot(p[1] - q[1], p[2] - q[2]) > 8 for q in pts)
lonely = {}
for p in pts:
    if alone(p) and p[0] not in lonely:
        lonely[p[0]] = p
pair = list(lonely.values())[:2]
# classes: the legend's classes plus the no-data class
n_classes = len(cls["palette"]) + 1
probes_agg = [[38.5, 1.5, col["KEN"]], [30.8, -17.0, col["ZWE"]], [-100, 58, col["CAN"]], [-55, -10, col["BRA"]]]
assert col["CAN"] == cls["nodata"] and col["BRA"] == cls["nodata"] and col["KEN"] != cls["nodata"]
gpkg = "footprint.gpkg"
v = []
def vec(label, name, uri, count, style=None, classes=None, probes=(), distinct=None):
    d = {"label": label, "name": name, "uri": uri, "count": count, "probes": list(probes)}
    if style: d["style"] = style
    if classes is not None: d["classes"] = classes
    if distinct: d["distinct"] = distinct
    v.append(d)
drawn = [[p[1], p[2], "drawn"] for p in pair]
distinct = [[p[1], p[2]] for p in pair] if len(pair) == 2 else None
vec("QGIS: GeoPackage projects, style from layer_styles, categories told apart", "footprint.gpkg|projects",
    gpkg + "|layername=projects", n_projects, "categorized", len(cats), drawn, distinct)
vec("QGIS: GeoPackage choropleth, the report's classes and no-data grey", "footprint.gpkg|country_by_category",
    gpkg + "|layername=country_by_category", n_regions, "graduated|rules", n_classes, probes_agg)
vec("QGIS: GeoPackage centroids drawn", "footprint.gpkg|..._centroids",
    gpkg + "|layername=country_by_category_centroids", n_regions, None, None, [[38.0, 0.5, "drawn"]])
vec("QGIS: GeoJSON choropleth with its sidecar .qml", "country_by_category.geojson",
    "country_by_category.geojson", n_regions, "graduated|rules", n_classes, probes_agg)
vec("QGIS: Shapefile choropleth with its sidecar .qml", "shp/agg.shp", "shp/agg.shp", n_regions,
    "graduated|rules", n_classes, probes_agg)
vec("QGIS: FlatGeobuf choropleth with its sidecar .qml", "agg.fgb", "agg.fgb", n_regions,
    "graduated|rules", n_classes, probes_agg)
vec("QGIS: Shapefile projects with its sidecar .qml", "shp/projects.shp", "shp/projects.shp", n_projects,
    "categorized", len(cats), drawn, distinct)
vec("QGIS: FlatGeobuf projects with its sidecar .qml", "projects.fgb", "projects.fgb", n_projects,
    "categorized", len(cats), drawn, distinct)
for c in cats:
    n = db.execute("SELECT count(*) FROM projects WHERE category = ?", (c,)).fetchone()[0]
    vec("QGIS: projects/%s.geojson with its .qml" % c, "projects/%s.geojson" % c, "projects/%s.geojson" % c, n,
        "categorized", 1)
probes_map = [[38.5, 1.5, col["KEN"]], [30.8, -17.0, col["ZWE"]], [-100, 58, col["CAN"]], [-55, -10, col["BRA"]]]
r = [{"label": "QGIS: world.png report map georeferenced, countries line up", "name": "world.png",
      "path": "world.png", "crs": None, "probes": probes_map},
     {"label": "QGIS: africa.png report map georeferenced, countries line up", "name": "africa.png",
      "path": "africa.png", "crs": None, "probes": probes_map[:2]},
     {"label": "QGIS: world.mbtiles in Web Mercator, countries line up", "name": "world.mbtiles",
      "path": "world.mbtiles", "crs": "EPSG:3857", "probes": probes_map}]
json.dump({"vectors": v, "rasters": r}, open("/dev/stdout", "w"), indent=1)
P

"$PY" "$TOOLS/qgis_check.py" spec.json 2> qgis.err
grep -v '^QStandardPaths\|^$' qgis.err | head -5 | sed 's/^/    qgis: /'

case_begin "GDAL: ogrinfo reads every vector output without a warning"
for f in footprint.gpkg country_by_category.geojson country_by_category_centroids.geojson projects/*.geojson \
         shp/*.shp projects.fgb agg.fgb; do
    [ -e "$f" ] || { fail "$f missing"; continue; }
    out=$(ogrinfo -ro -al -so "$f" 2>&1 >/dev/null)
    [ -z "$out" ] || fail "$f: $out"
    ogrinfo -ro -al -so "$f" 2>/dev/null | grep -q 'Feature Count: [1-9]' || fail "$f: no features"
done
case_end

case_begin "GDAL: gdalinfo sees the CRS of every raster output"
for f in world.png africa.png categories.png world.mbtiles; do
    out=$(gdalinfo "$f" 2>&1)
    grep -q '^Coordinate System is:$' <<<"$out" || fail "$f: no coordinate system ($(grep -i 'coordinate' <<<"$out" | head -2))"
    grep -q 'ERROR\|Warning' <<<"$out" && fail "$f: $(grep 'ERROR\|Warning' <<<"$out" | head -2)"
done
case_end

case_begin "QGIS merges run's per-category GeoJSONs (native:mergevectorlayers): year stays a number; a number property null in every feature of a file is left out of it"
# OGR (and QGIS through it) reads a property null in every feature as String:
# projects/university.geojson's year was, and the merged layer's year text.
empty=$(sqlite3 "$DB" "SELECT category FROM projects WHERE geom IS NOT NULL GROUP BY category HAVING count(year) = 0 ORDER BY 1")
[ -n "$empty" ] || fail "the sample has no category whose every year is null (the case needs one)"
for c in $empty; do
    f=projects/$c.geojson
    assert_eq "" "$(ogrinfo -ro -so -al "$f" 2>/dev/null | grep '^year:')" "$f: no year property"
    out=$("$PY" "$TOOLS/rfc7946_check.py" "$f" 2>&1) || fail "$f: RFC 7946: $out"
done
for f in projects/*.geojson; do
    t=$(ogrinfo -ro -so -al "$f" 2>/dev/null | sed -n 's/^year: \([A-Za-z0-9]*\).*/\1/p')
    case "$t" in ""|Integer|Integer64) ;; *) fail "$f: year read as $t" ;; esac
done
mkdir -p "$WORK/xdg" && chmod 700 "$WORK/xdg"
layers=(); for f in projects/*.geojson; do layers+=("--LAYERS=$PWD/$f"); done
XDG_RUNTIME_DIR="$WORK/xdg" qgis_process.bin run native:mergevectorlayers "${layers[@]}" --OUTPUT="$PWD/merged.gpkg" \
    >merge.log 2>&1 || fail "qgis_process: $(tail -3 merge.log)"
t=$(ogrinfo -ro -so -al merged.gpkg 2>/dev/null | sed -n 's/^year: \([A-Za-z0-9]*\).*/\1/p')
case "$t" in Integer|Integer64) ;; *) fail "merged year: [$t], expected Integer or Integer64" ;; esac
assert_eq "$(sqlite3 "$DB" "SELECT count(*) || ' ' || count(year) FROM projects WHERE geom IS NOT NULL")" \
    "$(ogrinfo -ro -q -sql "SELECT count(*) || ' ' || count(year) AS n FROM merged" merged.gpkg 2>/dev/null | sed -n 's/.*n (String) = //p')" \
    "merged features and years"
case_end
