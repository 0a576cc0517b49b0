#!/usr/bin/env bash
# The store in QGIS: every spatial table and view of a footprint store opens
# through QGIS's `spatialite` provider (what "Add SpatiaLite Layer" does) with
# its geometry type, EPSG:4326, a non-empty extent and sqlite3's feature
# count, and draws (tests/tools/qgis_store_check.py renders each layer with
# QgsMapRendererParallelJob and reads the pixel of a feature SpatiaLite
# locates). Needs /usr/bin/python3 with python3-qgis.
. "$(dirname "$0")/lib.sh"
CHECK="$ROOT/tests/tools/qgis_store_check.py"
qgis_check() {  # DB -> $QOUT, $QRC
    QOUT=$(QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$WORK" /usr/bin/python3 "$CHECK" "$1" 2>&1 | grep -E '^(OK|FAIL) ')
    QRC=${PIPESTATUS[0]}
}

if ! /usr/bin/python3 -c 'import qgis.core' 2>/dev/null; then
    echo "FAIL python3-qgis is not installed (make deps)"
    exit 0
fi

case_begin "footprint run: every spatial table and view loads and draws in QGIS"
DB=$WORK/run/footprint.sqlite
mkdir -p run && (cd run && fp_run "$DB" > run.log 2>&1) || fail "footprint run failed: $(tail -5 run/run.log)"
qgis_check "$DB"
assert_eq 0 "$QRC" "qgis_store_check: $QOUT"
assert_not_contains "$QOUT" "FAIL" "failing layer"
# The layers a QGIS user is offered, each loaded and typed.
for l in "regions MultiPolygon" "projects_point MultiPoint" "projects_line MultiLineString" \
         "projects_polygon MultiPolygon" "agg_country_by_category MultiPolygon"; do
    assert_contains "$QOUT" "OK $l EPSG:4326" "$l"
done
n=$(ssql "SELECT count(*) FROM projects WHERE GeometryType(geom) IN ('POINT', 'MULTIPOINT')")
assert_contains "$QOUT" "OK projects_point MultiPoint EPSG:4326 $n drawn" "points: sqlite3 counts $n"
# Every row of geometry_columns / views_geometry_columns was checked.
assert_eq "$(sql "SELECT (SELECT count(*) FROM geometry_columns) + (SELECT count(*) FROM views_geometry_columns)")" \
          "$(grep -c . <<<"$QOUT")" "one line per spatial table or view"
case_end

case_begin "points, lines and polygons: the typed views hold every project of their kind and draw"
DB=$WORK/shapes.sqlite
fp_init "$DB"
"$FP" -q --db "$DB" import "$FIX/aggregate/near_borders.geojson"
"$FP" -q --db "$DB" aggregate --by country --name c
qgis_check "$DB"
assert_eq 0 "$QRC" "qgis_store_check: $QOUT"
for kind in "point POINT MULTIPOINT MultiPoint" "line LINESTRING MULTILINESTRING MultiLineString" \
            "polygon POLYGON MULTIPOLYGON MultiPolygon"; do
    set -- $kind
    n=$(ssql "SELECT count(*) FROM projects WHERE GeometryType(geom) IN ('$2', '$3')")
    [ "$n" -gt 0 ] || fail "the fixture has no $1"
    assert_contains "$QOUT" "OK projects_$1 $4 EPSG:4326 $n drawn" "projects_$1: $n"
done
# Kept current row by row after the import: a geocode-style update of the
# geometry moves the project to its new kind, a delete removes it.
spatialite -batch "$DB" "UPDATE projects SET geom = MakePoint(7.0, 46.0, 4326) WHERE source_key = 'rhine'" > /dev/null 2>&1
assert_eq "1|0" "$(ssql "SELECT (SELECT count(*) FROM projects_point WHERE source_key = 'rhine'), (SELECT count(*) FROM projects_line WHERE source_key = 'rhine')")" "rhine now a point"
spatialite -batch "$DB" "DELETE FROM projects WHERE source_key = 'bern'" > /dev/null 2>&1
assert_eq "0" "$(ssql "SELECT count(*) FROM projects_point WHERE source_key = 'bern'")" "bern deleted"
qgis_check "$DB"
assert_eq 0 "$QRC" "after the edits: $QOUT"
case_end
