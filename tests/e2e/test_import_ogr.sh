#!/usr/bin/env bash
# import of GDAL sources: GeoJSON quirks, CRS, GeoPackage, Shapefile, FlatGeobuf.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
"$FP" -q --db $DB init

case_begin "mixed.geojson: 9 features, 4 stored, 5 rejected by feature number and reason"
run --db $DB import "$FIX/mixed.geojson"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "(GeoJSON): 9 rows read, 4 stored, 5 rejected" "summary"
assert_contains "$OUT" "Z/M coordinates dropped: 1" "3D point flattened"
want="4|invalid geometry: Self-intersection[0.5 0.5] (use --make-valid to repair)
6|no location: no geometry and no place or country to geocode
7|coordinates out of range: coordinate 200 10 is outside lon -180..180, lat -90..90
8|no location: no geometry and no place or country to geocode
9|duplicate id: id 'F1' is already stored in dataset 'mixed'"
assert_eq "$want" "$(sql "SELECT feature, reason FROM rejects ORDER BY feature")" "rejects"
case_end

case_begin "stored GeoJSON geometries: point (Z dropped), antimeridian line, polygon, collection"
want="F1|POINT|139.7 35.7
F2|LINESTRING|LINESTRING(139.8 35.6, -122.4 37.8)
F3|POLYGON|1.0
F5|GEOMETRYCOLLECTION|2"
got=$(ssql "SELECT source_key, GeometryType(geom), CASE GeometryType(geom) WHEN 'POINT' THEN X(geom)||' '||Y(geom) WHEN 'LINESTRING' THEN AsText(geom) WHEN 'POLYGON' THEN Area(geom) ELSE NumGeometries(geom) END FROM projects ORDER BY source_key")
assert_eq "$want" "$got" "geometries"
case_end

case_begin "nested GeoJSON properties are kept as JSON in extra"
assert_eq '{"meta":{"a":1,"b":[1,2]}}' "$(sql "SELECT extra FROM projects WHERE source_key='F1'")" "extra"
case_end

case_begin "the bare NaN token: the feature is rejected, the rest of the file imports"
run --db $DB import "$FIX/nan.geojson"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "summary"
assert_contains "$(sql "SELECT reason FROM rejects WHERE feature=1 AND raw LIKE '%N1%'")" "empty geometry" "reason"
case_end

case_begin "a GeoJSON crs member (EPSG:3857) is honoured, checked against cs2cs"
run --db $DB import "$FIX/crs3857.geojson"
assert_eq 0 "$RC" "exit status"
read -r lat lon _ < <(echo "4100000 -144000" | cs2cs -f %.9f EPSG:3857 EPSG:4326)
assert_near "$lon" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='M1'")" 1e-7 "lon"
assert_near "$lat" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='M1'")" 1e-7 "lat"
case_end

case_begin "a truncated GeoJSON fails (exit 1) naming the file and stores nothing"
before=$(sql "SELECT (SELECT count(*) FROM projects)||'/'||(SELECT count(*) FROM imports)")
run --db $DB import "$FIX/truncated.geojson"
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "truncated.geojson: not a file GDAL can read as vectors" "message"
assert_eq "$before" "$(sql "SELECT (SELECT count(*) FROM projects)||'/'||(SELECT count(*) FROM imports)")" "nothing stored"
case_end

for fmt in GPKG:gpkg "ESRI Shapefile:shp" FlatGeobuf:fgb GeoJSONSeq:geojsonl; do
    drv=${fmt%%:*}; ext=${fmt##*:}
    case_begin "import of $drv: feature count and attributes as OGR reads them"
    ogr2ogr -f "$drv" "pts.$ext" "$FIX/points_good.csv" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
        -oo KEEP_GEOM_COLUMNS=NO -a_srs EPSG:4326 -where "id IN ('A2','A3','A4')" -nln pts 2>/dev/null
    n=$(ogrinfo -ro -so -al "pts.$ext" | sed -n 's/^Feature Count: //p')
    run --db $DB import "pts.$ext" --dataset "ds_$ext"
    assert_eq 0 "$RC" "exit status"
    assert_eq 3 "$n" "ogrinfo count"
    assert_eq "$n" "$(sql "SELECT count(*) FROM projects WHERE dataset='ds_$ext'")" "stored"
    assert_eq "20.4489|44.7866|ZTE|5g" "$(ssql "SELECT X(geom), Y(geom), company, category FROM projects WHERE dataset='ds_$ext' AND source_key='A2'")" "row A2"
    case_end
done

case_begin "a Shapefile in another CRS (UTM 33N) is reprojected, checked against cs2cs"
printf 'id,x,y\nU1,500000,4649776.22\n' > utm.csv
ogr2ogr -f "ESRI Shapefile" utm.shp utm.csv -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -a_srs EPSG:32633 2>/dev/null
run --db $DB import utm.shp
assert_eq 0 "$RC" "exit status"
read -r lat lon _ < <(echo "500000 4649776.22" | cs2cs -f %.9f EPSG:32633 EPSG:4326)
assert_near "$lon" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='U1'")" 1e-7 "lon"
assert_near "$lat" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='U1'")" 1e-7 "lat"
case_end
