#!/usr/bin/env bash
# import of GDAL sources: GeoJSON quirks, CRS, GeoPackage, Shapefile, FlatGeobuf.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB

case_begin "mixed.geojson: 9 features, 5 stored (the bowtie repaired), 4 rejected by feature number and reason"
run --db $DB import "$FIX/mixed.geojson"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "(GeoJSON): 9 rows read, 5 stored, 4 rejected" "summary"
assert_contains "$OUT" "Z/M coordinates dropped: 1" "3D point flattened"
assert_contains "$OUT" "invalid geometries repaired: 1" "bowtie repaired"
# The reason starts with the feature's FID (GDAL numbers a GeoJSON's from 0):
# `rejects` shows it as "feature 6 (FID 5): no location: ...".
want="6|FID 5: no location: no geometry and no place or country to geocode
7|FID 6: coordinates out of range: coordinate 200 10 is outside lon -180..180, lat -90..90
8|FID 7: no location: no geometry and no place or country to geocode
9|FID 8: duplicate id: id 'F1' is already stored in dataset 'mixed'"
assert_eq "$want" "$(sql "SELECT feature, reason FROM rejects ORDER BY feature")" "rejects"
case_end

case_begin "stored GeoJSON geometries: point (Z dropped), antimeridian line, polygon, repaired bowtie, collection"
want="F1|POINT|139.7 35.7
F2|LINESTRING|LINESTRING(139.8 35.6, -122.4 37.8)
F3|POLYGON|1.0
F4|MULTIPOLYGON|2
F5|GEOMETRYCOLLECTION|2"
got=$(ssql "SELECT source_key, GeometryType(geom), CASE GeometryType(geom) WHEN 'POINT' THEN X(geom)||' '||Y(geom) WHEN 'LINESTRING' THEN AsText(geom) WHEN 'POLYGON' THEN Area(geom) ELSE NumGeometries(geom) END FROM projects ORDER BY source_key")
assert_eq "$want" "$got" "geometries"
case_end

case_begin "QGIS's typed tables after a bulk import: SpatiaLite's own casts of every kind, indexes valid"
# Points, multi-points, lines, multi-lines, polygons (one with a hole),
# multi-polygons and a collection, imported twice: the typed tables must hold
# what SpatiaLite's CastToMulti* makes of projects' geometries, byte for byte,
# and nothing of the collection; each R*Tree one entry per row, checked by
# SpatiaLite and SQLite.
python3 - > kinds.geojson <<'PY'
import json
g = [{"type": "Point", "coordinates": [1, 2]}, {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]},
     {"type": "LineString", "coordinates": [[0, 0], [1, 1], [2, 0]]},
     {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]},
     {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [2, 1], [2, 2], [1, 1]]]},
     {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[[5, 5], [6, 5], [6, 6], [5, 5]]]]},
     {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 1]}]}]
print(json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"id": "k%d" % i}, "geometry": x} for i, x in enumerate(g)]}))
PY
fp_init kinds.sqlite
"$FP" -q --db kinds.sqlite import kinds.geojson || fail "import"
"$FP" -q --db kinds.sqlite import kinds.geojson --dataset again || fail "second import"
# A third, smaller import (fewer rows than the indexes hold: one INSERT each
# instead of a rebuild): one feature of each kind.
python3 -c "
import json
d = json.load(open('kinds.geojson'))
d['features'] = [d['features'][i] for i in (0, 3, 4)]
print(json.dumps(d))" > three.geojson
"$FP" -q --db kinds.sqlite import three.geojson || fail "third import"
DB=kinds.sqlite
for k in "point CastToMultiPoint POINT" "line CastToMultiLinestring LINESTRING" "polygon CastToMultiPolygon POLYGON"; do
    set -- $k
    assert_eq "5" "$(sql "SELECT count(*) FROM projects_geom_$1")" "$1: two rows a kind, twice, then one"
    assert_eq "$(ssql "SELECT group_concat(id || ':' || hex($2(geom)), ' ') FROM (SELECT id, geom FROM projects WHERE GeometryType(geom) IN ('$3', 'MULTI$3') ORDER BY id)")" \
        "$(sql "SELECT group_concat(id || ':' || hex(geom), ' ') FROM (SELECT id, geom FROM projects_geom_$1 ORDER BY id)")" "$1: SpatiaLite's casts"
    assert_eq "1|ok|5" "$(ssql "SELECT CheckSpatialIndex('projects_geom_$1', 'geom'), rtreecheck('idx_projects_geom_$1_geom'), (SELECT count(*) FROM idx_projects_geom_$1_geom)")" "$1: index"
done
assert_eq "1|ok|17" "$(ssql "SELECT CheckSpatialIndex('projects', 'geom'), rtreecheck('idx_projects_geom'), (SELECT count(*) FROM idx_projects_geom)")" "projects' index"
DB=s.sqlite
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

case_begin "a Shapefile whose field names the DBF cut to 10 bytes (COMPANY_NA, PROJECT_NA, COUNTRY_NA, ORGANISATI): each taken as the field whose name it begins, the columns line says so, the country checked"
# Written by ogr2ogr from a GeoJSON with the long names (as ArcGIS exports
# them); the DBF's names are read back by ogrinfo. Values by hand.
cat > cut.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"PROJECT_NO":"C1","COMPANY_NAME":"Acme Water","PROJECT_NAME":"Borehole 7","COUNTRY_NAME":"Kenya","SECTOR_CODE":"W","START_DATE":"2021-03-01"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}},
{"type":"Feature","properties":{"PROJECT_NO":"C2","COMPANY_NAME":"Beta Power","PROJECT_NAME":"Grid 2","COUNTRY_NAME":"Uganda","SECTOR_CODE":"E","START_DATE":"2022-05-01"},"geometry":{"type":"Point","coordinates":[32.6,0.3]}}]}
J
mkdir -p cut && ogr2ogr -f "ESRI Shapefile" cut/cut.shp cut.geojson 2>/dev/null
assert_eq "PROJECT_NO COMPANY_NA PROJECT_NA COUNTRY_NA SECTOR_COD START_DATE" \
    "$(ogrinfo -ro -so -al cut/cut.shp | sed -n 's/^\([A-Z_]*\): \(String\|Date\|Integer\|Real\).*/\1/p' | xargs)" "the DBF's names (ogrinfo)"
run --db $DB import cut/cut.shp --dataset cut
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_contains "$OUT" "columns: id=PROJECT_NO, company=COMPANY_NA, name=PROJECT_NA, country=COUNTRY_NA" "columns line"
assert_contains "$OUT" "2 with a declared country" "the country QA runs on both"
assert_eq 'C1|Acme Water|Borehole 7|Kenya|KEN|{"SECTOR_COD":"W","START_DATE":"2021-03-01"}
C2|Beta Power|Grid 2|Uganda|UGA|{"SECTOR_COD":"E","START_DATE":"2022-05-01"}' \
    "$(sql "SELECT source_key, company, name, country, country_code, extra FROM projects WHERE dataset='cut' ORDER BY source_key")" "stored"
# The tester's file also had ORGANISATION (ORGANISATI): organisation ranks
# before company name, as the names written in full do; COMPANY_NA is kept.
printf 'PROJECT_NO,COMPANY_NAME,ORGANISATION,lon,lat\nO1,Acme Water,Org A,36.8,-1.3\n' > org.csv
ogr2ogr -f "ESRI Shapefile" cut/org.shp org.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326 2>/dev/null
run --db $DB import cut/org.shp --dataset cut_org
assert_contains "$OUT" "columns: id=PROJECT_NO, company=ORGANISATI" "ORGANISATI is the company"
assert_eq 'O1|Org A|Acme Water' "$(sql "SELECT source_key, company, json_extract(extra, '\$.COMPANY_NA') FROM projects WHERE dataset='cut_org'")" "stored"
case_end

case_begin "a GeoPackage of two layers each numbering from 1: every feature kept under LAYER:ID; a repeat within a layer rejected, naming it"
printf 'id,name,wkt\n1,a,"POINT(1 2)"\n2,b,"POINT(3 4)"\n' > la.csv
printf 'id,name,wkt\n1,c,"POINT(5 6)"\n1,d,"POINT(7 8)"\n' > lb.csv
ogr2ogr -f GPKG two.gpkg la.csv -nln alpha -oo GEOM_POSSIBLE_NAMES=wkt -a_srs EPSG:4326 &&
    ogr2ogr -update -f GPKG two.gpkg lb.csv -nln beta -oo GEOM_POSSIBLE_NAMES=wkt -a_srs EPSG:4326
assert_eq "2 2" "$(for l in alpha beta; do ogrinfo -so two.gpkg $l | sed -n 's/^Feature Count: //p'; done | tr '\n' ' ' | sed 's/ $//')" "ogrinfo: two layers of 2"
run --db $DB import two.gpkg
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "counts"
assert_eq "alpha:1|a alpha:2|b beta:1|c" "$(sql "SELECT source_key||'|'||name FROM projects WHERE dataset='two' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "stored"
assert_contains "$(sql "SELECT reason FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset='two'")" "id 'beta:1' is already stored" "the repeat within beta"
# One layer with geometry beside an attribute table (footprint's own export
# writes layer_styles): the ids stay as they were.
run --db $DB export --where dataset=two --where source_key=alpha:1 -o one.gpkg
assert_eq "layer_styles projects" "$(ogrinfo -q one.gpkg | sed 's/^[0-9]*: \([a-z_]*\).*/\1/' | sort | tr '\n' ' ' | sed 's/ $//')" "the export's two tables (ogrinfo)"
run --db $DB import one.gpkg --dataset one_again
# (footprint's own export: the id is its source_key column, see the last case)
assert_eq "$(ogrinfo -q -al one.gpkg projects | sed -n 's/^  source_key (String) = //p')" "$(sql "SELECT source_key FROM projects WHERE dataset='one_again'")" "the source_key as exported (ogrinfo), not projects:ID"
case_end

case_begin "a Shapefile in another CRS (UTM 33N) is reprojected, checked against cs2cs"
printf 'id,x,y\nU1,500000,4649776.22\n' > utm.csv
ogr2ogr -f "ESRI Shapefile" utm.shp utm.csv -oo X_POSSIBLE_NAMES=x -oo Y_POSSIBLE_NAMES=y -a_srs EPSG:32633 2>/dev/null
run --db $DB import utm.shp
assert_eq 0 "$RC" "exit status"
read -r lat lon _ < <(echo "500000 4649776.22" | cs2cs -f %.9f EPSG:32633 EPSG:4326)
assert_near "$lon" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='U1'")" 1e-7 "lon"
assert_near "$lat" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='U1'")" 1e-7 "lat"
case_end

case_begin "float noise at +-180/+-90: within 1e-6 degrees clamped and counted, 180.01 still rejected (stored values by spatialite)"
cat > noise.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"N1"},"geometry":{"type":"LineString","coordinates":[[179.5,-16.5],[180.0000004,-16.4],[179.9,-16.3]]}},
{"type":"Feature","properties":{"id":"N2"},"geometry":{"type":"Point","coordinates":[-180.0000009,-90.0000001]}},
{"type":"Feature","properties":{"id":"N3"},"geometry":{"type":"Point","coordinates":[180.01,0]}},
{"type":"Feature","properties":{"id":"N4"},"geometry":{"type":"Point","coordinates":[0,90.000002]}}
]}
E
run --db $DB import noise.geojson
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "4 rows read, 2 stored, 2 rejected" "summary"
assert_contains "$OUT" "coordinates clamped to +-180/+-90 (within 1e-6 degrees): 2" "clamped count (one vertex each)"
assert_eq "180.0|-16.4" "$(ssql "SELECT X(PointN(geom, 2)), Y(PointN(geom, 2)) FROM projects WHERE dataset='noise' AND source_key='N1'")" "N1 vertex on 180"
assert_eq "179.5|-16.5" "$(ssql "SELECT ST_X(ST_StartPoint(geom)), ST_Y(ST_StartPoint(geom)) FROM projects WHERE dataset='noise' AND source_key='N1'")" "other vertices as given"
assert_eq "-180.0|-90.0" "$(ssql "SELECT ST_X(geom), ST_Y(geom) FROM projects WHERE dataset='noise' AND source_key='N2'")" "N2 clamped on both axes"
want="3|FID 2: coordinates out of range: coordinate 180.01 0 is outside lon -180..180, lat -90..90
4|FID 3: coordinates out of range: coordinate 0 90.000002 is outside lon -180..180, lat -90..90"
assert_eq "$want" "$(sql "SELECT r.feature||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='noise' ORDER BY r.feature")" "real errors rejected"
case_end

case_begin "invalid polygons traced from OSM: repaired by default, reason kept, listed by rejects --repaired; --strict-geometry rejects"
cat > osm.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"W1","name":"school"},"geometry":{"type":"Polygon","coordinates":[[[10,10],[12,12],[12,10],[10,12],[10,10]]]}},
{"type":"Feature","properties":{"id":"W2","name":"road"},"geometry":{"type":"LineString","coordinates":[[10,10],[11,11]]}},
{"type":"Feature","properties":{"id":"W3","name":"spike"},"geometry":{"type":"Polygon","coordinates":[[[10,10],[11,10],[10,10],[10,10]]]}}
]}
E
run --db $DB import osm.geojson
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "summary"
assert_contains "$OUT" "invalid geometries repaired: 1" "repaired count"
# By hand: the bow-tie 10,10 12,12 12,10 10,12 crosses at 11,11: two triangles of area 1 each.
assert_eq "W1|MULTIPOLYGON|2.0|1|Self-intersection[11 11]" "$(ssql "SELECT source_key, GeometryType(geom), Area(geom), ST_IsValid(geom), json_extract(extra, '\$.geometry_repaired') FROM projects WHERE dataset='osm' AND source_key='W1'")" "W1 repaired"
assert_contains "$(sql "SELECT reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='osm'")" "(repair leaves no polygon)" "W3: nothing polygonal left"
run --db $DB rejects --repaired --dataset osm
assert_eq "osm.geojson: feature 1: repaired: Self-intersection[11 11] (id W1)
1 repaired geometry" "$OUT" "rejects --repaired"
run --db $DB import osm.geojson --dataset osm_strict --strict-geometry
assert_contains "$OUT" "3 rows read, 1 stored, 2 rejected" "strict summary"
assert_eq "1|FID 0: invalid geometry: Self-intersection[11 11] (--strict-geometry; repaired by default)" "$(sql "SELECT r.feature||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='osm_strict' ORDER BY r.feature LIMIT 1")" "strict reason"
case_end

case_begin "footprint's own export re-imported (GeoPackage, CSV): ids are its source_key, derived columns not kept, diff finds nothing changed"
# The QGIS round trip: export, edit, import as the next edition. The export's id is the
# store's row number; source_key is the project's id. Expected values written by hand.
printf 'id,name,category,country,lon,lat,phase\nD1,a,5g,Kenya,36.8,-1.3,one\nD2,b,training,,10,10,\nD3,c,,France,2.35,48.85,two\n' > own.csv
fp_init own.sqlite && "$FP" -q --db own.sqlite import own.csv --dataset e1
"$FP" -q --db own.sqlite export -o own.gpkg && "$FP" -q --db own.sqlite export -o ownx.csv
"$FP" -q --db own.sqlite import own.gpkg --dataset rt && "$FP" -q --db own.sqlite import ownx.csv --dataset rtc
for d in rt rtc; do
    assert_eq 'D1|{"phase":"one"}
D2|
D3|{"phase":"two"}' "$(sqlite3 own.sqlite "SELECT source_key || '|' || coalesce(extra, '') FROM projects WHERE dataset='$d' ORDER BY source_key")" "$d: ids and extra"
    run --db own.sqlite diff --dataset e1 --against $d
    assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 3 unchanged" "$d: diff"
done
case_end

# The points' Web Mercator coordinates are made by ogr2ogr (GDAL/PROJ) from
# lon/lat written here; read back with --crs they must be those lon/lat again.
case_begin "--crs on a GIS file: a Shapefile without its .prj, in EPSG:3857: rejected with the --crs hint; with --crs EPSG:3857 stored at the original lon/lat; an unknown CRS is a usage error"
printf 'id,company,lon,lat\nP1,x,36.8219,-1.2921\nP2,x,-58.3816,-34.6037\n' > crs_pts.csv
mkdir -p crs && ogr2ogr -q -s_srs EPSG:4326 -t_srs EPSG:3857 crs/p3857.shp crs_pts.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
for e in shp shx dbf; do cp "crs/p3857.$e" "crs/noprj.$e"; done
[ ! -e crs/noprj.prj ] || fail "set-up: noprj.shp has a .prj"
fp_init crs.sqlite
run --db crs.sqlite import crs/noprj.shp --dataset plain
assert_eq 1 "$RC" "exit status without --crs (nothing stored)"
assert_contains "$OUT" "2 rows read, 0 stored, 2 rejected" "without --crs: rejected"
run --db crs.sqlite rejects --dataset plain
assert_contains "$OUT" "outside lon -180..180, lat -90..90 (another CRS? use --crs)" "the reject's hint"
run --db crs.sqlite import crs/noprj.shp --dataset given --crs EPSG:3857
assert_eq 0 "$RC" "exit status with --crs"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "with --crs: stored"
got=$(DB=crs.sqlite ssql "SELECT source_key, X(geom), Y(geom) FROM projects WHERE dataset = 'given' ORDER BY source_key")
assert_near 36.8219 "$(sed -n 1p <<<"$got" | cut -d'|' -f2)" 1e-9 "P1 lon"
assert_near -1.2921 "$(sed -n 1p <<<"$got" | cut -d'|' -f3)" 1e-9 "P1 lat"
assert_near -58.3816 "$(sed -n 2p <<<"$got" | cut -d'|' -f2)" 1e-9 "P2 lon"
assert_near -34.6037 "$(sed -n 2p <<<"$got" | cut -d'|' -f3)" 1e-9 "P2 lat"
# --crs over a CRS the file declares: read as told, and said.
run --db crs.sqlite import crs/p3857.shp --dataset over --crs EPSG:4326
assert_contains "$OUT" "note: --crs EPSG:4326 read instead of the file's EPSG:3857" "the override is said"
assert_contains "$OUT" "2 rows read, 0 stored, 2 rejected" "read as lon/lat, out of range"
run --db crs.sqlite import crs/noprj.shp --dataset bad --crs EPSG:99999
assert_eq 2 "$RC" "unknown CRS: usage error"
assert_contains "$OUT" "--crs EPSG:99999" "the message names the option"
assert_eq 2 "$(sqlite3 crs.sqlite "SELECT count(*) FROM projects")" "nothing more stored"
case_end

# ED50 (EPSG:4230) points, written by ogr2ogr with a .prj GDAL reads, then
# the same with a .prj it cannot read. Expected positions: PROJ's cs2cs
# (EPSG:4230 and EPSG:4326 both in latitude, longitude order).
printf 'id,name,lon,lat\nE1,Paris,2.35347373547142,48.8575114160278\nE7,Lisbon,-9.1379007,38.7234876\n' > ed50.csv
ogr2ogr -q -a_srs EPSG:4230 crs/ed50.shp ed50.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
for e in shp shx dbf; do cp "crs/ed50.$e" "crs/ed50bad.$e"; cp "crs/ed50.$e" "crs/ed50none.$e"; done
echo 'GEOGCS[ED50 broken' > crs/ed50bad.prj
read -r p_lat p_lon _ < <(echo "48.8575114160278 2.35347373547142" | cs2cs -f %.9f EPSG:4230 EPSG:4326)

case_begin "a Shapefile whose .prj GDAL cannot read is refused (exit 1) naming the file and the .prj, nothing stored; --crs reads it (the ED50 shift checked with cs2cs); the readable twin is shifted alike and its CRS named"
fp_init prj.sqlite
run --db prj.sqlite import crs/ed50bad.shp
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "crs/ed50bad.shp: its .prj (crs/ed50bad.prj: 'GEOGCS[ED50 broken') is not a CRS GDAL can read; nothing of this import was stored" "the message names the file and the .prj"
assert_not_contains "$OUT" "ERROR 1" "no raw GDAL line"
assert_eq 0 "$(sqlite3 prj.sqlite "SELECT count(*) FROM projects")" "nothing stored"
run --db prj.sqlite import crs/ed50bad.shp --crs EPSG:4230 --dataset given
assert_eq 0 "$RC" "--crs: exit status ($OUT)"
assert_contains "$OUT" "note: --crs EPSG:4230 read instead of the file's CRS: its .prj" "--crs: the note says what it replaced"
assert_near "$p_lon" "$(DB=prj.sqlite ssql "SELECT X(geom) FROM projects WHERE dataset='given' AND source_key='E1'")" 1e-8 "--crs: Paris lon"
assert_near "$p_lat" "$(DB=prj.sqlite ssql "SELECT Y(geom) FROM projects WHERE dataset='given' AND source_key='E1'")" 1e-8 "--crs: Paris lat"
run --db prj.sqlite import crs/ed50.shp --dataset good
assert_eq 0 "$RC" "readable .prj: exit status"
assert_contains "$OUT" "reprojected to WGS 84: 2 (from EPSG:4230, ED50)" "readable .prj: the CRS named"
assert_near "$p_lon" "$(DB=prj.sqlite ssql "SELECT X(geom) FROM projects WHERE dataset='good' AND source_key='E1'")" 1e-8 "readable .prj: Paris lon"
case_end

case_begin "a Shapefile without a .prj, in degrees: read as WGS 84 and a note line says so, naming the file"
fp_init noprj.sqlite
run --db noprj.sqlite import crs/ed50none.shp
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "note: crs/ed50none.shp declares no CRS (no .prj): its coordinates were read as WGS 84 lon/lat (--crs names another)" "the note"
assert_eq "$(grep -c 'declares no CRS' <<<"$OUT")" 1 "one note line"
case_end

case_begin "a GeoJSON crs member that is a link is refused naming the link (nothing fetched); one naming a CRS PROJ does not know is refused naming that CRS, without PROJ's raw lines; --crs reads either"
cat > link.geojson <<'J'
{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"http://spatialreference.org/ref/epsg/4230/proj4/","type":"proj4"}},
"features":[{"type":"Feature","properties":{"id":"E1","name":"Paris"},"geometry":{"type":"Point","coordinates":[2.35347373547142,48.8575114160278]}}]}
J
sed 's#"crs":{[^}]*}}#"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::99999"}}#' link.geojson > unknown.geojson
grep -q 'EPSG::99999' unknown.geojson || fail "set-up: unknown.geojson"
fp_init gj.sqlite
run --db gj.sqlite import link.geojson
assert_eq 1 "$RC" "link: exit status"
assert_contains "$OUT" "link.geojson: its crs member is a link (http://spatialreference.org/ref/epsg/4230/proj4/, type proj4), which footprint does not follow; nothing of this import was stored" "link: message"
run --db gj.sqlite import unknown.geojson
assert_eq 1 "$RC" "unknown: exit status"
assert_eq "footprint: unknown.geojson: its crs member names a CRS PROJ does not know (urn:ogc:def:crs:EPSG::99999); nothing of this import was stored (--crs names the CRS to read it in)" "$OUT" "unknown: footprint's message alone, naming the CRS"
assert_eq 0 "$(sqlite3 gj.sqlite "SELECT count(*) FROM projects")" "nothing stored"
run --db gj.sqlite import link.geojson --crs EPSG:4230
assert_eq 0 "$RC" "link with --crs: exit status ($OUT)"
assert_near "$p_lon" "$(DB=gj.sqlite ssql "SELECT X(geom) FROM projects WHERE source_key='E1'")" 1e-8 "link with --crs: Paris lon"
assert_near "$p_lat" "$(DB=gj.sqlite ssql "SELECT Y(geom) FROM projects WHERE source_key='E1'")" 1e-8 "link with --crs: Paris lat"
case_end

case_begin "a .prj GDAL reads but PROJ cannot transform (an unknown projection method) refuses the file naming its CRS, not each feature as out of range"
for e in shp shx dbf; do cp "crs/p3857.$e" "crs/mystery.$e"; done
printf 'PROJCS["Mystery_Grid",GEOGCS["GCS_Mystery",DATUM["D_Mystery",SPHEROID["Mystery",6378000.0,300.0]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Frobnicated_Conic"],PARAMETER["False_Easting",400000.0],UNIT["Meter",1.0]]' > crs/mystery.prj
fp_init myst.sqlite
run --db myst.sqlite import crs/mystery.shp
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "crs/mystery.shp: layer mystery: its CRS (Mystery_Grid) cannot be transformed to WGS 84 by PROJ; nothing of this import was stored" "the message names the CRS"
assert_eq 0 "$(sqlite3 myst.sqlite "SELECT count(*) FROM rejects")" "no per-feature rejects"
case_end

case_begin "--crs naming the CRS the file declares (an ESRI .prj of EPSG:3035) says nothing about replacing it"
ogr2ogr -q -s_srs EPSG:4326 -t_srs EPSG:3035 crs/p3035.shp crs_pts.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
fp_init same.sqlite
run --db same.sqlite import crs/p3035.shp --crs EPSG:3035
assert_eq 0 "$RC" "exit status ($OUT)"
assert_not_contains "$OUT" "read instead of" "no override note"
assert_contains "$OUT" "reprojected to WGS 84: 2 (from EPSG:3035, ETRS89-extended / LAEA Europe)" "the CRS named"
case_end

case_begin "polygons across the antimeridian (Russia-, Fiji-like, world-atlas's Antarctica) are repaired cut at 180, not into bands"
# tests/fixtures/aggregate/antimeridian_world.geojson (its header in
# test_aggregate.sh): RU and FJ are invalid uncut and valid once cut at 180.
# Expected: SpatiaLite (sqlite3 + mod_spatialite) on the pieces written by
# hand, and where each project's area lies by construction.
DB=amw.sqlite
"$FP" -q --db $DB init
run --db $DB import "$FIX/aggregate/antimeridian_world.geojson" --dataset amw
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "4|4" "$(ssql "SELECT count(*), sum(ST_IsValid(geom)) FROM projects WHERE dataset='amw'")" "stored and valid"
ga() { ssql "SELECT ST_Area(GeomFromText('$1', 4326), 1) / 1e6"; }
fj=$(python3 -c "print($(ga 'POLYGON((178 -18,179.5 -16,180 -16.2,180 -17.5,178 -18))') + $(ga 'POLYGON((-180 -16.2,-179.5 -17,-180 -17.5,-180 -16.2))'))")
ru=$(python3 -c "print($(ga 'POLYGON((170 60,179.8 61,180 61.02,180 69,179.8 69.02,170 70,170 60))') + $(ga 'POLYGON((-180 61.02,-170 62,-170 68,-180 69,-180 61.02))'))")
for c in "FJ $fj" "RU $ru"; do
    set -- $c
    got=$(ssql "SELECT ST_Area(geom, 1) / 1e6 FROM projects WHERE dataset='amw' AND json_extract(extra, '\$.code')='$1'")
    assert_near "$2" "$got" "$(python3 -c "print($2 * 0.0003)")" "$1 stored geodesic area"
    # Both pieces are kept: one reaches 180, the other -180, none spans the world.
    assert_eq "-180|180|2" "$(ssql "SELECT ST_MinX(geom), ST_MaxX(geom), ST_NumGeometries(geom) FROM projects WHERE dataset='amw' AND json_extract(extra, '\$.code')='$1'" | sed 's/\.0//g')" "$1 pieces"
done
run --db $DB rejects --repaired
assert_contains "$OUT" "cut at the antimeridian (as given: Self-intersection" "repair note"
# Each project's area lies wholly in its own region (the same file as regions).
"$FP" -q --db $DB aggregate --by "regions:$FIX/aggregate/antimeridian_world.geojson" --snap-km 0 --name amw
assert_eq "AQ|1.0 FJ|1.0 RU|1.0 SE|1.0" "$(sql "SELECT group_concat(r, ' ') FROM (SELECT json_extract(p.extra, '\$.code') || '|' || round(sum(a.share), 6) AS r FROM agg_amw_assign a JOIN projects p ON p.id = a.project_id WHERE a.region_code = json_extract(p.extra, '\$.code') GROUP BY p.id ORDER BY 1)")" "shares in their own region"
case_end

# By hand: a 20 x 20 degree square across 180 (170 E to 170 W) with a 3 x 10
# degree hole west of 180 (175 W to 172 W): 370 square degrees, the hole empty.
case_begin "a polygon across 180 with a hole on the other side of 180 from its shell's first vertex: cut, the hole kept (370 square degrees)"
cat > hole.geojson <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"H"},"geometry":{"type":"Polygon","coordinates":[[[170,-10],[-170,-10],[-170,10],[170,10],[170,-10]],[[-175,-5],[-172,-5],[-172,5],[-175,5],[-175,-5]]]}}]}
JSON
fp_init hole.sqlite
run --db hole.sqlite import hole.geojson
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "stored"
assert_near 370 "$(DB=hole.sqlite ssql "SELECT ST_Area(geom) FROM projects")" 1e-9 "area in square degrees"
assert_eq "0|1|1" "$(DB=hole.sqlite ssql "SELECT ST_Contains(geom, MakePoint(-173.5, 0)), ST_Contains(geom, MakePoint(-171, 0)), ST_Contains(geom, MakePoint(175, 0)) FROM projects")" "the hole empty, both sides filled"
case_end

case_begin "--encoding for a Shapefile whose DBF does not say its code page (no .cpg, no language byte): GDAL's ENCODING open option; XLSX ignores it with a note"
mkdir -p shp1251
printf 'id,place,lon,lat\n1,Москва,37.62,55.75\n' > shp1251/m.csv
ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP1251 shp1251/m1251.shp shp1251/m.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
rm -f shp1251/m1251.cpg
python3 -c "f = open('shp1251/m1251.dbf', 'r+b'); f.seek(29); f.write(b'\x00'); f.close()"   # the DBF's language driver byte
run --db $DB import shp1251/m1251.shp --encoding CP1251
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "note: text read as CP1251 (--encoding, GDAL's ESRI Shapefile ENCODING open option" "the note"
assert_eq "D09CD0BED181D0BAD0B2D0B0" "$(sql "SELECT hex(place) FROM projects WHERE dataset='m1251'")" "Москва as UTF-8"
ogr2ogr -f XLSX shp1251/m.xlsx shp1251/m.csv
run --db $DB import shp1251/m.xlsx --encoding CP1251 --dataset mxlsx
assert_eq 0 "$RC" "XLSX: exit status"
assert_contains "$OUT" "note: --encoding CP1251 does not apply to XLSX files" "XLSX: the note"
assert_eq "D09CD0BED181D0BAD0B2D0B0" "$(sql "SELECT hex(place) FROM projects WHERE dataset='mxlsx'")" "XLSX: its Unicode text as it is"
case_end

# A Shapefile written in Windows-1252 whose DBF does not say so in a way
# GDAL 3.6 reads: no .cpg (and language byte 0), a .cpg of 'ANSI 1252' (as
# ArcMap writes; GDAL knows 'ANSI 1251' and the like, not this one), or a
# .cpg saying UTF-8 over bytes that are not. GDAL hands the bytes over as
# they are (checked below with ogrinfo), and a value json_string refused was
# dropped from extra without a word. Expected values written by hand.
mkdir -p cp1252
printf 'ID,CITY,COUNTRY,NOTE,Région,lon,lat\n1,Orléans,France,"Café près de la gare – 5 €",Centre,1.9093,47.9029\n2,Berlin,Germany,plain ascii,Berlin,13.405,52.52\n' > cp1252/l1.csv
ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP1252 cp1252/nocpg.shp cp1252/l1.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326
rm -f cp1252/nocpg.cpg
for v in ansi utf8; do for e in shp shx dbf prj; do cp cp1252/nocpg.$e cp1252/$v.$e; done; done
printf 'ANSI 1252' > cp1252/ansi.cpg
printf 'UTF-8' > cp1252/utf8.cpg
for v in nocpg ansi utf8; do
    ogrinfo -q -al cp1252/$v.shp | python3 -c "import sys; b = sys.stdin.buffer.read(); sys.exit(0 if b'Orl\xe9ans' in b else 1)" ||
        echo "FAIL set-up: GDAL reads cp1252/$v.shp's Windows-1252 bytes as some code page now (the case tests nothing)"
done
case_begin "a Windows-1252 DBF GDAL reads as bytes (no .cpg, a .cpg of 'ANSI 1252', a UTF-8 .cpg over 1252 bytes): its text read as Windows-1252 into UTF-8, never dropped; counted, the first named, --encoding suggested"
fp_init cp.sqlite > /dev/null
for v in nocpg ansi utf8; do
    run --db cp.sqlite import cp1252/$v.shp
    assert_eq 0 "$RC" "$v: exit status"
    assert_contains "$OUT" "cp1252/$v.shp (ESRI Shapefile): 2 rows read, 2 stored, 0 rejected" "$v: summary"
    assert_contains "$OUT" "note: text that is not UTF-8, read as Windows-1252 (Latin-1): 3 (values and column names; first: cp1252/$v.shp: feature 1 (FID 0), field CITY: 'Orléans')" "$v: counted, the first named"
    assert_contains "$OUT" "import it again with --encoding NAME into another --dataset" "$v: --encoding suggested"
    # The place, the NOTE (it was missing from extra), the column named Région
    # (json_each: SQLite 3.40's json_extract does not match an escaped key).
    assert_eq "Orléans|France|Café près de la gare – 5 €|Centre" \
        "$(sqlite3 cp.sqlite "SELECT place, country, json_extract(extra, '\$.NOTE'), (SELECT value FROM json_each(extra) WHERE key = 'Région') FROM projects WHERE dataset = '$v' AND source_key = '1'")" "$v: stored as UTF-8"
    assert_eq "Berlin|plain ascii" "$(sqlite3 cp.sqlite "SELECT place, json_extract(extra, '\$.NOTE') FROM projects WHERE dataset = '$v' AND source_key = '2'")" "$v: ASCII as it is"
done
# The DBF alone (a table, read as its CSV twin): the same.
run --db cp.sqlite import cp1252/nocpg.dbf --dataset table
assert_eq 0 "$RC" "table: exit status"
assert_contains "$OUT" "(values and column names; first: cp1252/nocpg.dbf: feature 1 (FID 0), field CITY: 'Orléans')" "table: the note"
assert_eq "Orléans|Café près de la gare – 5 €" "$(sqlite3 cp.sqlite "SELECT place, json_extract(extra, '\$.NOTE') FROM projects WHERE dataset = 'table' AND source_key = '1'")" "table: stored as UTF-8"
# --encoding still says the code page: no guess, no note of one.
run --db cp.sqlite import cp1252/nocpg.shp --encoding CP1252 --dataset given
assert_contains "$OUT" "note: text read as CP1252 (--encoding" "--encoding: its note"
assert_not_contains "$OUT" "not UTF-8, read as Windows-1252" "--encoding: no guess"
assert_eq "Orléans|Café près de la gare – 5 €" "$(sqlite3 cp.sqlite "SELECT place, json_extract(extra, '\$.NOTE') FROM projects WHERE dataset = 'given' AND source_key = '1'")" "--encoding: stored"
# Every text stored is valid UTF-8 (Python decodes strictly).
python3 - cp.sqlite <<'P' || fail "invalid UTF-8 stored"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.text_factory = bytes
for row in db.execute('SELECT source_key, name, place, country, extra FROM projects'):
    for v in row:
        if v is not None: v.decode('utf-8')
P
case_end

case_begin "a DBF in another code page without a .cpg (CP1251): read as Windows-1252 it looks like another encoding, so stderr warns (with -q too) naming the feature and field; --encoding CP1251 reads it; a character GDAL cannot convert is its warning, not a failure"
mkdir -p cp1251
printf 'ID,CITY,lon,lat\n1,Москва,37.6173,55.7558\n' > cp1251/ru.csv
ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP1251 cp1251/ru.shp cp1251/ru.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326
rm -f cp1251/ru.cpg
fp_init ru.sqlite > /dev/null
ERR=$("$FP" -q --db ru.sqlite import cp1251/ru.shp 2>&1 >/dev/null)
assert_contains "$ERR" "footprint: warning: cp1251/ru.shp: feature 1 (FID 0), field CITY: not UTF-8, and read as Windows-1252 it looks like text in another encoding (\"Ìîñêâà\"; 1 value like it); if the file is not Windows-1252, import it again with --encoding NAME" "the warning"
assert_eq "Ìîñêâà" "$(sqlite3 ru.sqlite "SELECT place FROM projects WHERE dataset = 'ru'")" "stored as read (valid UTF-8)"
run --db ru.sqlite import cp1251/ru.shp --encoding CP1251 --dataset ru2
assert_eq 0 "$RC" "--encoding CP1251: exit status"
assert_not_contains "$OUT" "warning" "--encoding CP1251: no warning"
assert_eq "Москва" "$(sqlite3 ru.sqlite "SELECT place FROM projects WHERE dataset = 'ru2'")" "--encoding CP1251: stored"
# 0x98 is no character of CP1251: GDAL warns (CE_Warning) while it reads the
# feature and leaves it out; a warning does not fail the import.
printf 'ID,CITY,lon,lat\n1,Tilde˜here,1,2\n' > cp1251/w.csv
ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=CP1252 cp1251/w.shp cp1251/w.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326
rm -f cp1251/w.cpg
run --db ru.sqlite import cp1251/w.shp --encoding CP1251
assert_eq 0 "$RC" "a GDAL warning: exit status ($OUT)"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "a GDAL warning: stored"
assert_eq "Tildehere" "$(sqlite3 ru.sqlite "SELECT place FROM projects WHERE dataset = 'w'")" "a GDAL warning: the value as GDAL converted it"
case_end

case_begin "footprint's own Shapefile export read back: names from its NAME.fields.csv (geocode_me is geocode_method, descriptio is description_long, extra_data the extra key dataset), or without it the cut names of footprint's own columns; ids are source_key, diff finds nothing changed"
# The export cuts names to 10 bytes and writes the rename record beside the
# .shp (README, export); expected values written by hand.
cat > shpown.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"P1","name":"x","description_long":"first","phase":"one","dataset":"mine"},"geometry":{"type":"Point","coordinates":[8.5,47.3]}},
{"type":"Feature","properties":{"id":"P2","name":"y"},"geometry":{"type":"Point","coordinates":[9.5,46.3]}}]}
JSON
fp_init shpown.sqlite && "$FP" -q --db shpown.sqlite import shpown.geojson --dataset e1
"$FP" -q --db shpown.sqlite export -o own.shp
assert_eq "geocode_method,geocode_me" "$(grep '^geocode_method,' own.fields.csv)" "the rename record says geocode_me"
run --db shpown.sqlite import own.shp --dataset rt
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "note: names as exported (own.fields.csv): country_co=country_code, geocode_me=geocode_method, geocode_pr=geocode_precision, extra_data=dataset, descriptio=description_long" "the names restored are said"
assert_eq 'P1|{"dataset":"mine","description_long":"first","phase":"one"}
P2|' "$(sqlite3 shpown.sqlite "SELECT source_key || '|' || coalesce(extra, '') FROM projects WHERE dataset='rt' ORDER BY source_key")" "ids are source_key, derived columns not kept, the cut key restored"
run --db shpown.sqlite diff --dataset e1 --against rt
assert_contains "$OUT" "2 matched (2 by id" "diff: matched by id"
assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 2 unchanged" "diff: nothing changed"
# Copied without its rename record: footprint's own columns are still
# known by their cut names; a cut extra key stays as the file has it.
mkdir -p bare && cp own.shp own.shx own.dbf own.prj own.cpg bare/
run --db shpown.sqlite import bare/own.shp --dataset rt2
assert_contains "$OUT" "note: names as exported (the 10-byte names of its own columns): country_co=country_code, geocode_me=geocode_method, geocode_pr=geocode_precision" "the cut names are said"
assert_eq 'P1|{"descriptio":"first","extra_data":"mine","phase":"one"}
P2|' "$(sqlite3 shpown.sqlite "SELECT source_key || '|' || coalesce(extra, '') FROM projects WHERE dataset='rt2' ORDER BY source_key")" "without the record: ids, no derived columns"
case_end

# footprint run's hand-off folder: the store and footprint.gpkg (projects,
# the aggregation, the base map) beside it, as a QGIS user edits them.
mkdir -p handoff && fp_run handoff/footprint.sqlite > handoff.log 2>&1
HANDOFF_RC=$?

case_begin "footprint's hand-off GeoPackage (footprint run) read back: only its projects layer, the base map and aggregation layers named in a note; diff finds nothing changed"
assert_eq 0 "$HANDOFF_RC" "footprint run ($(tail -3 handoff.log))"
cp handoff/footprint.sqlite h3.sqlite
run --db h3.sqlite import handoff/footprint.gpkg --dataset edited
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "(GPKG): 82 rows read, 82 stored, 0 rejected" "the 82 projects, not 5,504 features"
assert_contains "$OUT" "note: footprint's own export: only its projects (layer projects) read; left out: country_by_category, country_by_category_centroids, countries, admin1, sea, graticule_30, graticule_10 (--layer NAME reads one of them)" "the layers left out are named"
assert_eq "82|0" "$(sqlite3 h3.sqlite "SELECT count(*), count(json_extract(extra, '\$.layer')) FROM projects WHERE dataset='edited'")" "82 projects, no layer key"
assert_eq "$(sqlite3 h3.sqlite "SELECT group_concat(source_key, ',') FROM (SELECT source_key FROM projects WHERE dataset='sample' ORDER BY 1)")" \
    "$(sqlite3 h3.sqlite "SELECT group_concat(source_key, ',') FROM (SELECT source_key FROM projects WHERE dataset='edited' ORDER BY 1)")" "the same ids, unprefixed"
run --db h3.sqlite diff --dataset sample --against edited
assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 82 unchanged" "diff: nothing changed"
# --layer still chooses: the countries layer, as any polygon layer.
run --db h3.sqlite import handoff/footprint.gpkg --layer countries --dataset countries
assert_contains "$OUT" "252 rows read, 252 stored" "--layer countries reads that layer"
case_end

case_begin "footprint's own export read back keeps each point's placement (65 country centroids stay country, check finds its 2 duplicates, not 7); a point moved in QGIS is placed by hand (input); without the exported dataset in the store, the file's placement"
# The sample's placements and findings, from the store footprint run made.
placements() { sqlite3 "$1" "SELECT geocode_method || '|' || coalesce(geocode_precision, '') || '|' || count(*) || '|' || count(geocode_ref) FROM projects WHERE dataset='$2' GROUP BY geocode_method, geocode_precision ORDER BY 1" | tr '\n' ' '; }
want=$(placements handoff/footprint.sqlite sample)
assert_eq "alternate|city|1|1 country|country|65|65 exact|city|16|16 " "$want" "the sample as geocode placed it"
cp handoff/footprint.sqlite h4.sqlite
run --db h4.sqlite import handoff/footprint.gpkg --layer projects --dataset edited
assert_contains "$OUT" "placement kept as exported (geocode method, precision and reference of the dataset exported): 82" "said"
assert_eq "$want" "$(placements h4.sqlite edited)" "the same placements, references included"
assert_eq "0" "$(sqlite3 h4.sqlite "SELECT count(*) FROM projects e JOIN projects s ON s.source_key = e.source_key AND s.dataset = 'sample' WHERE e.dataset = 'edited' AND (e.geocode_method IS NOT s.geocode_method OR e.geocode_ref IS NOT s.geocode_ref)")" "row by row"
qa_line() { tail -1 <<<"$OUT" | sed 's/ in [0-9.]* s$//'; }
run --db h4.sqlite check --dataset sample
sample_qa=$(qa_line)
assert_eq "qa: 82 points checked (82 with a declared country): 2 findings on 2 rows (2 duplicate)" "$sample_qa" "the sample's check"
run --db h4.sqlite check --dataset edited
assert_eq "$sample_qa" "$(qa_line)" "the edition's check finds what the sample's does"
# The CSV export read back the same way (its X/Y columns).
"$FP" -q --db h4.sqlite export --where dataset=sample -o sample.csv
run --db h4.sqlite import sample.csv --dataset edited_csv
assert_contains "$OUT" "placement kept as exported (geocode method, precision and reference of the dataset exported): 82" "CSV: said"
assert_eq "$want" "$(placements h4.sqlite edited_csv)" "CSV: the same placements"
# A country centroid moved 1 degree east in QGIS (GDAL's SQLite dialect).
key=$(sqlite3 handoff/footprint.sqlite "SELECT source_key FROM projects WHERE dataset='sample' AND geocode_method='country' ORDER BY id LIMIT 1")
cp handoff/footprint.gpkg moved.gpkg
ogrinfo -q moved.gpkg -dialect sqlite -sql "UPDATE projects SET geom = AsGPB(MakePoint(ST_X(geom) + 1, ST_Y(geom), 4326)) WHERE source_key = '$key'" >/dev/null 2>&1
run --db h4.sqlite import moved.gpkg --layer projects --dataset moved
assert_contains "$OUT" "placement kept as exported (geocode method, precision and reference of the dataset exported): 81" "81 kept"
assert_contains "$OUT" "moved more than 100 m since the export, stored as placed by hand (geocode_method input): 1" "1 moved"
assert_eq "input|point|" "$(sqlite3 h4.sqlite "SELECT geocode_method || '|' || geocode_precision || '|' || coalesce(geocode_ref, '') FROM projects WHERE dataset='moved' AND source_key='$key'")" "the moved point is given as input"
run --db h4.sqlite diff --dataset sample --against moved
assert_contains "$OUT" "1 moved more than 100 m (0 of them also changed), 0 changed, 81 unchanged" "diff says it moved"
# Another store, without the dataset exported: the file's placement.
fp_init h5.sqlite > /dev/null
run --db h5.sqlite import handoff/footprint.gpkg --dataset x
assert_contains "$OUT" "placement as the file records it (its dataset is not in this store, so a move cannot be told): 82" "said"
assert_eq "alternate|city|1|0 country|country|65|0 exact|city|16|0 " "$(placements h5.sqlite x)" "method and precision as the file has them, no reference"
case_end

case_begin "GeoJSON and GeoPackage imports print the columns line as a CSV does: which property fills which field, or that none does"
printf '%s' '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ID":"K1","Country":"KE","Project name":"x"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}}]}' > cols_named.geojson
printf '%s' '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"Land":"KE"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}}]}' > cols_land.geojson
fp_init cols.sqlite
run --db cols.sqlite import cols_named.geojson
assert_contains "$OUT" "  columns: id=ID, name=Project name, country=Country" "the properties read as fields"
run --db cols.sqlite import cols_land.geojson
assert_contains "$OUT" "  columns: no property fills id, company, category, name, place, country, year, status, amount or source (name them with --map FIELD=PROPERTY)" "a file none of whose properties is a field"
ogr2ogr -f GPKG cols.gpkg cols_named.geojson -nln sites 2>/dev/null
run --db cols.sqlite import cols.gpkg
assert_contains "$OUT" "  columns: id=ID, name=Project name, country=Country" "GeoPackage"
case_end

# ---- KML/KMZ (Google My Maps, Google Earth) and GPX (Garmin) ---------------
# Fixtures are written as those programs write them; expected values counted
# by hand from the files (and checked against ogrinfo where it says).

case_begin "GPX: waypoints, routes and tracks (as lines) import; route_points and track_points (their vertices) left out with a note; --layer track_points reads them"
cat > garmin.gpx <<'GPX'
<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxx="http://www.garmin.com/xmlschemas/GpxExtensions/v3" creator="GPSMAP 66i" version="1.1">
  <metadata><time>2024-03-12T09:14:02Z</time></metadata>
  <wpt lat="-1.292066" lon="36.821945"><ele>1661.4</ele><time>2024-03-12T07:02:11Z</time><name>001</name><sym>Flag, Blue</sym></wpt>
  <wpt lat="-4.043500" lon="39.668200"><ele>12.1</ele><name>Landing stn Mombasa</name><sym>Anchor</sym></wpt>
  <rte>
    <name>Site visit route</name>
    <rtept lat="-1.292066" lon="36.821945"><name>R1</name></rtept>
    <rtept lat="-1.263889" lon="36.802222"><name>R2</name></rtept>
  </rte>
  <trk>
    <name>12-MAR-24 07:00</name>
    <extensions><gpxx:TrackExtension><gpxx:DisplayColor>Cyan</gpxx:DisplayColor></gpxx:TrackExtension></extensions>
    <trkseg>
      <trkpt lat="-1.292066" lon="36.821945"><ele>1661.4</ele><time>2024-03-12T07:00:00Z</time></trkpt>
      <trkpt lat="-1.285000" lon="36.815000"><ele>1670.2</ele><time>2024-03-12T07:05:00Z</time></trkpt>
      <trkpt lat="-1.275000" lon="36.810000"><ele>1685.9</ele><time>2024-03-12T07:10:00Z</time></trkpt>
      <trkpt lat="-1.263889" lon="36.802222"><ele>1702.0</ele><time>2024-03-12T07:15:00Z</time></trkpt>
    </trkseg>
    <trkseg>
      <trkpt lat="-1.263889" lon="36.802222"><ele>1702.0</ele><time>2024-03-12T08:00:00Z</time></trkpt>
      <trkpt lat="-1.260000" lon="36.800000"><ele>1710.0</ele><time>2024-03-12T08:05:00Z</time></trkpt>
    </trkseg>
  </trk>
</gpx>
GPX
# The fixture as GDAL reads it: 2 route points and 6 track points.
assert_contains "$(ogrinfo -so -al garmin.gpx route_points 2>/dev/null)" "Feature Count: 2" "ogrinfo: route points"
assert_contains "$(ogrinfo -so -al garmin.gpx track_points 2>/dev/null)" "Feature Count: 6" "ogrinfo: track points"
fp_init gpx.sqlite > /dev/null
run --db gpx.sqlite import garmin.gpx
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "garmin.gpx (GPX): 4 rows read, 4 stored, 0 rejected" "2 waypoints, 1 route, 1 track"
assert_contains "$OUT" "note: GPX: left out route_points (2 points), track_points (6 points): the vertices of the routes and tracks, which are read as lines (layers routes, tracks); --layer track_points reads them as points" "the note"
DB=gpx.sqlite
assert_eq "POINT|001
POINT|Landing stn Mombasa
LINESTRING|Site visit route
MULTILINESTRING|12-MAR-24 07:00" "$(ssql "SELECT GeometryType(geom), name FROM projects ORDER BY id")" "stored: the waypoints, the route and the track as lines"
assert_eq "2|6" "$(ssql "SELECT NumGeometries(geom), NumPoints(GeometryN(geom, 1)) + NumPoints(GeometryN(geom, 2)) FROM projects WHERE name LIKE '12-MAR%'")" "the track: 2 segments, 6 vertices"
run --db gpx.sqlite import garmin.gpx --layer track_points --dataset trackpoints
assert_eq 0 "$RC" "--layer track_points: exit status"
assert_contains "$OUT" "6 rows read, 6 stored, 0 rejected" "--layer track_points reads the 6 points"
assert_not_contains "$OUT" "left out" "no note when a layer is named"
DB=s.sqlite
case_end

case_begin "KML: a placemark whose coordinates GDAL cannot read (a space for the comma) but with a country is stored to geocode, and the summary counts it, naming the first (its layer when several)"
cat > spacesep.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Partners</name>
    <Placemark><name>Westlands</name><ExtendedData><Data name="country"><value>Kenya</value></Data></ExtendedData><Point><coordinates>36.8080,-1.2630,0</coordinates></Point></Placemark>
    <Placemark><name>Space instead of comma</name><ExtendedData><Data name="country"><value>Kenya</value></Data></ExtendedData><Point><coordinates>36.8219 -1.2921</coordinates></Point></Placemark>
    <Placemark><name>Konza</name><ExtendedData><Data name="country"><value>Kenya</value></Data></ExtendedData><Point><coordinates>37.1278 -1.7500</coordinates></Point></Placemark>
  </Document>
</kml>
KML
# ogrinfo reads the second and third as POINT EMPTY.
assert_eq "2" "$(ogrinfo -al spacesep.kml 2>/dev/null | grep -c 'POINT EMPTY')" "ogrinfo: two empty points"
fp_init empty_geom.sqlite > /dev/null
run --db empty_geom.sqlite import spacesep.kml
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "3 rows read, 3 stored, 0 rejected" "all stored"
assert_contains "$OUT" "without coordinates, to geocode: 2" "two to geocode"
assert_contains "$OUT" "  empty geometry (coordinates unreadable?), stored to geocode by place or country: 2 (first: spacesep.kml: feature 2)" "counted, the first named"
DB=empty_geom.sqlite
assert_eq "Space instead of comma|Kenya|1
Konza|Kenya|1" "$(sql "SELECT name, country, geom IS NULL FROM projects WHERE geom IS NULL ORDER BY id")" "stored without geometry, to geocode by country"
cat > folders.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Partners</name>
    <Folder>
      <name>Uganda</name>
      <Placemark><name>Kampala office</name><Point><coordinates>32.5825,0.3476,0</coordinates></Point></Placemark>
    </Folder>
    <Folder>
      <name>Kenya</name>
      <Placemark><name>Westlands</name><Point><coordinates>36.8080,-1.2630,0</coordinates></Point></Placemark>
      <Placemark><name>Konza</name><ExtendedData><Data name="country"><value>Kenya</value></Data></ExtendedData><Point><coordinates>37.1278 -1.7500</coordinates></Point></Placemark>
    </Folder>
  </Document>
</kml>
KML
run --db empty_geom.sqlite import folders.kml
assert_contains "$OUT" "  empty geometry (coordinates unreadable?), stored to geocode by place or country: 1 (first: folders.kml: layer Kenya: feature 2)" "the first named with its layer (folder)"
# A row with no geometry at all is not counted there.
printf '%s' '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"country":"KE"},"geometry":null}]}' > nogeom.geojson
run --db empty_geom.sqlite import nogeom.geojson
assert_contains "$OUT" "without coordinates, to geocode: 1" "no geometry: to geocode"
assert_not_contains "$OUT" "empty geometry (coordinates unreadable?)" "no geometry: not counted as empty"
DB=s.sqlite
case_end

case_begin "KML: a GroundOverlay (an image laid over the map) is rejected as not a project, naming its image; placemarks with a custom icon style, or with data of their own named icon, import"
cat > overlay.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
  <Document>
    <name>Site survey</name>
    <Style id="icon-1899-0288D1-normal">
      <IconStyle>
        <color>ffd18802</color>
        <scale>1</scale>
        <Icon><href>https://www.gstatic.com/mapspro/images/stock/503-wht-blank_maps.png</href></Icon>
        <hotSpot x="32" xunits="pixels" y="64" yunits="insetPixels"/>
      </IconStyle>
    </Style>
    <Placemark>
      <name>Shared icon style</name>
      <styleUrl>#icon-1899-0288D1-normal</styleUrl>
      <Point><coordinates>36.8219,-1.2921,0</coordinates></Point>
    </Placemark>
    <Placemark>
      <name>Inline icon style</name>
      <Style><IconStyle><Icon><href>https://example.org/tower.png</href></Icon></IconStyle></Style>
      <Point><coordinates>36.9,-1.2,0</coordinates></Point>
    </Placemark>
    <Placemark>
      <name>Site outline</name>
      <ExtendedData><Data name="icon"><value>tower</value></Data></ExtendedData>
      <Polygon><outerBoundaryIs><LinearRing><coordinates>36.81,-1.30,0 36.83,-1.30,0 36.83,-1.28,0 36.81,-1.30,0</coordinates></LinearRing></outerBoundaryIs></Polygon>
    </Placemark>
    <GroundOverlay>
      <name>Site plan scan</name>
      <Icon><href>files/siteplan.jpg</href></Icon>
      <LatLonBox><north>-1.28</north><south>-1.30</south><east>36.83</east><west>36.81</west></LatLonBox>
    </GroundOverlay>
  </Document>
</kml>
KML
fp_init overlay.sqlite > /dev/null
run --db overlay.sqlite import overlay.kml
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "overlay.kml (LIBKML): 4 rows read, 3 stored, 1 rejected" "summary"
assert_contains "$OUT" "rejected, not a project: 1" "the kind"
DB=overlay.sqlite
assert_eq "4|FID 4: not a project: a KML GroundOverlay (an image laid over the map: files/siteplan.jpg), not a placemark" \
    "$(sql "SELECT feature, reason FROM rejects")" "the reject: feature number and reason"
assert_eq "Shared icon style|POINT
Inline icon style|POINT
Site outline|POLYGON" "$(ssql "SELECT name, GeometryType(geom) FROM projects ORDER BY id")" "the three placemarks stored"
DB=s.sqlite
case_end

case_begin "KML/KMZ: a NetworkLink to an http(s) file is named in a note (footprint does not follow it), and a file of such a link alone says it read 0 rows because of it; a link to a file inside the KMZ (GDAL follows it) says nothing"
cat > netlink_only.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>Partners (linked)</name>
  <NetworkLink>
    <name>Partners part 1</name>
    <Link><href>https://example.org/partners.kml</href></Link>
  </NetworkLink>
</Document>
</kml>
KML
fp_init netlink.sqlite > /dev/null
run --db netlink.sqlite import netlink_only.kml
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "0 rows read, 0 stored, 0 rejected" "nothing read"
assert_contains "$OUT" "  note: network link 'Partners part 1' (https://example.org/partners.kml) not followed by footprint: download the linked file and import it" "the link named"
assert_contains "$OUT" "  note: 0 rows read: the file holds no placemark of its own, only the network link above" "why 0 rows"
# A KMZ (Google Earth's Save Place As) whose doc.kml holds a placemark and a
# link to a live feed (its &amp; is an & in the URL).
mkdir -p kmz_http kmz_inner/files
cat > kmz_http/doc.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>Partners.kmz</name>
  <Placemark><name>Head office</name><Point><coordinates>36.8219,-1.2921,0</coordinates></Point></Placemark>
  <NetworkLink>
    <name>Live partners feed</name>
    <refreshVisibility>0</refreshVisibility>
    <Link><href>https://example.org/feeds/partners.kml?key=1&amp;fmt=kml</href><refreshMode>onInterval</refreshMode></Link>
  </NetworkLink>
</Document>
</kml>
KML
# A KMZ whose doc.kml links a file inside it, which GDAL reads.
cat > kmz_inner/doc.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document>
  <name>Partners (linked)</name>
  <NetworkLink>
    <name>Partners part 1</name>
    <Link><href>files/part1.kml</href></Link>
  </NetworkLink>
</Document>
</kml>
KML
cat > kmz_inner/files/part1.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
<Document><name>part1</name>
  <Placemark><name>Mombasa landing</name><Point><coordinates>39.6682,-4.0435,0</coordinates></Point></Placemark>
</Document>
</kml>
KML
python3 - <<'PY'
import os, zipfile
for d in ("kmz_http", "kmz_inner"):
    with zipfile.ZipFile(d + ".kmz", "w", zipfile.ZIP_DEFLATED) as z:
        for root, _, files in os.walk(d):
            for f in files:
                p = os.path.join(root, f)
                z.write(p, os.path.relpath(p, d))
PY
run --db netlink.sqlite import kmz_http.kmz
assert_eq 0 "$RC" "KMZ: exit status"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "KMZ: the placemark"
assert_contains "$OUT" "  note: network link 'Live partners feed' (https://example.org/feeds/partners.kml?key=1&fmt=kml) not followed by footprint: download the linked file and import it" "KMZ: the link in its doc.kml named"
assert_not_contains "$OUT" "0 rows read:" "KMZ: rows were read"
run --db netlink.sqlite import kmz_inner.kmz
assert_eq 0 "$RC" "inner link: exit status"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "inner link: GDAL follows it"
assert_not_contains "$OUT" "network link" "inner link: no note"
DB=netlink.sqlite
assert_eq "Head office
Mombasa landing" "$(sql "SELECT name FROM projects ORDER BY id")" "stored"
DB=s.sqlite
case_end

case_begin "KML: a placemark of a LinearRing alone (or one in a MultiGeometry) is stored as the LineString it is, not rejected as unreadable"
cat > ring.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>rings</name>
<Placemark><name>LinearRing only</name><LinearRing><coordinates>30,0 31,0 31,1 30,0</coordinates></LinearRing></Placemark>
<Placemark><name>Ring and pin</name><MultiGeometry><LinearRing><coordinates>32,0 33,0 33,1 32,0</coordinates></LinearRing><Point><coordinates>32.5,0.5</coordinates></Point></MultiGeometry></Placemark>
</Document></kml>
KML
assert_contains "$(ogrinfo -al ring.kml 2>/dev/null)" "LINEARRING (30 0,31 0,31 1,30 0)" "ogrinfo reads the ring"
fp_init ring.sqlite > /dev/null
run --db ring.sqlite import ring.kml
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "both stored"
DB=ring.sqlite
assert_eq "LinearRing only|LINESTRING(30 0, 31 0, 31 1, 30 0)
Ring and pin|2|LINESTRING(32 0, 33 0, 33 1, 32 0)|POINT(32.5 0.5)" \
    "$(ssql "SELECT name, CASE WHEN GeometryType(geom) = 'LINESTRING' THEN AsText(geom) ELSE NumGeometries(geom) || '|' || (SELECT group_concat(t, '|') FROM (SELECT AsText(GeometryN(geom, 1)) t UNION ALL SELECT AsText(GeometryN(geom, 2)) ORDER BY t)) END FROM projects ORDER BY id")" "stored as lines"
DB=s.sqlite
case_end

case_begin "--layer given twice is a usage error (exit 2), nothing stored; --layer naming no layer lists the file's layers"
cat > two_layers.gpx <<'GPX'
<?xml version="1.0" encoding="UTF-8" standalone="no" ?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" creator="GPSMAP 66i" version="1.1">
  <wpt lat="-1.292066" lon="36.821945"><name>001</name></wpt>
  <trk><name>Walk</name><trkseg>
    <trkpt lat="-1.292066" lon="36.821945"></trkpt>
    <trkpt lat="-1.285000" lon="36.815000"></trkpt>
  </trkseg></trk>
</gpx>
GPX
fp_init layer_opt.sqlite > /dev/null
run --db layer_opt.sqlite import two_layers.gpx --layer waypoints --layer tracks
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "import: --layer given twice ('waypoints', then 'tracks'): one --layer is read (leave it out to read every layer)" "the message"
DB=layer_opt.sqlite
assert_eq "0|0" "$(sql "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports)")" "nothing stored"
run --db layer_opt.sqlite import two_layers.gpx --layer nosuch
assert_eq 1 "$RC" "no such layer: exit status"
# GDAL's GPX driver's five layers (ogrinfo -so lists them in this order).
assert_eq "1: waypoints (Point)
2: routes (Line String)
3: tracks (Multi Line String)
4: route_points (Point)
5: track_points (Point)" "$(ogrinfo -so two_layers.gpx 2>/dev/null | grep '^[0-9]:')" "ogrinfo: the layers"
assert_contains "$OUT" "two_layers.gpx: no layer named 'nosuch'; its layers are: 'waypoints', 'routes', 'tracks', 'route_points', 'track_points'" "the layers listed"
assert_eq "0" "$(sql "SELECT count(*) FROM projects")" "nothing stored"
DB=s.sqlite
case_end

case_begin "a 0-byte KML, KMZ, GPX or GeoJSON fails (exit 1) saying the file is empty, as a 0-byte CSV does; nothing stored"
fp_init empty_files.sqlite > /dev/null
for f in empty.kml empty.kmz empty.gpx empty.geojson; do
    : > $f
    run --db empty_files.sqlite import $f
    assert_eq 1 "$RC" "$f: exit status"
    assert_eq "footprint: $f: empty file (0 bytes)" "$OUT" "$f: the message"
done
: > empty.csv
run --db empty_files.sqlite import empty.csv
assert_eq "1|footprint: empty.csv: empty file (no header line)" "$RC|$OUT" "a 0-byte CSV, as before"
DB=empty_files.sqlite
assert_eq "0|0" "$(sql "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports)")" "nothing stored"
DB=s.sqlite
case_end

case_begin "KML: LIBKML's own fields at their 'not set' values (tessellate -1, visibility -1, extrude 0) are not kept in extra; set otherwise (a hidden placemark, a tessellated line) they are"
cat > mymaps.kml <<'KML'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2">
  <Document>
    <name>Deals</name>
    <description/>
    <Style id="icon-1899-0288D1-normal">
      <IconStyle><color>ffd18802</color><scale>1</scale><Icon><href>https://www.gstatic.com/mapspro/images/stock/503-wht-blank_maps.png</href></Icon></IconStyle>
      <LabelStyle><scale>0</scale></LabelStyle>
    </Style>
    <Style id="line-000000-1200-nodesc-normal">
      <LineStyle><color>ff000000</color><width>1.2</width></LineStyle>
    </Style>
    <Folder>
      <name>Deals</name>
      <Placemark>
        <name>Safaricom core</name>
        <description><![CDATA[Core network contract]]></description>
        <styleUrl>#icon-1899-0288D1</styleUrl>
        <ExtendedData>
          <Data name="company"><value>Huawei</value></Data>
          <Data name="stage"><value>signed</value></Data>
        </ExtendedData>
        <Point><coordinates>36.8219,-1.2921,0</coordinates></Point>
      </Placemark>
      <Placemark>
        <name>Hidden site</name>
        <visibility>0</visibility>
        <styleUrl>#icon-1899-0288D1</styleUrl>
        <Point><coordinates>3.3792,6.5244,0</coordinates></Point>
      </Placemark>
      <Placemark>
        <name>Cable segment</name>
        <styleUrl>#line-000000-1200-nodesc</styleUrl>
        <LineString><tessellate>1</tessellate><coordinates>39.6682,-4.0435,0 43.1456,11.5721,0</coordinates></LineString>
      </Placemark>
    </Folder>
  </Document>
</kml>
KML
# What GDAL hands over: LIBKML's fields on every placemark.
info=$(ogrinfo -al mymaps.kml 2>/dev/null)
assert_eq "2" "$(grep -c 'visibility (Integer) = -1' <<<"$info")" "ogrinfo: visibility -1 (not set) on all but the hidden one"
assert_contains "$info" "visibility (Integer) = 0" "ogrinfo: the hidden one"
assert_contains "$info" "tessellate (Integer) = 1" "ogrinfo: the tessellated line"
fp_init libkml.sqlite > /dev/null
run --db libkml.sqlite import mymaps.kml
assert_contains "$OUT" "3 rows read, 3 stored, 0 rejected" "summary"
DB=libkml.sqlite
assert_eq 'Safaricom core|{"description":"Core network contract","stage":"signed"}
Hidden site|{"visibility":0}
Cable segment|{"tessellate":1}' "$(sql "SELECT name, extra FROM projects ORDER BY id")" "extra: the user's data and what is set"
DB=s.sqlite
case_end

# Google My Maps exports a map's layers as KML folders: the folder is what
# the user called the points ("Data centres"). --map category=layer takes
# it (there is no column "layer" to map: it was refused as such); a sheet's
# name likewise. Expected categories by hand from the folders below.
case_begin "--map category=layer: a KML folder's (My Maps layer's) or a sheet's name fills the field, with one folder too; a CSV has no layer: refused as before"
cat > mm.kml <<'K'
<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Partners</name>
<Folder><name>Data centres</name>
<Placemark><name>Nairobi DC</name><Point><coordinates>36.8219,-1.2921,0</coordinates></Point></Placemark>
<Placemark><name>Accra DC</name><Point><coordinates>-0.187,5.6037,0</coordinates></Point></Placemark>
</Folder>
<Folder><name>Safe city</name>
<Placemark><name>Abidjan</name><Point><coordinates>-4.0083,5.36,0</coordinates></Point></Placemark>
</Folder></Document></kml>
K
fp_init mm.sqlite
run --db mm.sqlite import mm.kml --map category=layer
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "category=layer (its name)" "columns line"
assert_eq "Nairobi DC|Data centres
Accra DC|Data centres
Abidjan|Safe city" "$(sqlite3 mm.sqlite "SELECT name, category FROM projects ORDER BY id")" "categories = folders"
# One folder alone (a My Maps export of one layer): its name too.
head -5 mm.kml > mm1.kml && echo '</Folder></Document></kml>' >> mm1.kml
run --db mm.sqlite import mm1.kml --dataset one --map category=layer
assert_eq "Data centres|2" "$(sqlite3 mm.sqlite "SELECT category, count(*) FROM projects WHERE dataset = 'one' GROUP BY 1")" "one folder"
# A workbook of a sheet per region: the sheet's name.
printf 'id,lon,lat\nA1,36.82,-1.29\n' > africa.csv
ogr2ogr -f XLSX regions.xlsx africa.csv -nln Africa
printf 'id,lon,lat\nB1,102.6,17.97\n' > asia.csv
ogr2ogr -update -f XLSX regions.xlsx asia.csv -nln Asia
run --db mm.sqlite import regions.xlsx --dataset sheets --map category=layer
assert_eq "A1|Africa
B1|Asia" "$(sqlite3 mm.sqlite "SELECT source_key, category FROM projects WHERE dataset = 'sheets' ORDER BY source_key")" "categories = sheets"
printf 'id,lon,lat\nC1,1,1\n' > nolayer.csv
run --db mm.sqlite import nolayer.csv --map category=layer
assert_eq 1 "$RC" "CSV: exit status"
assert_contains "$OUT" "--map category=layer: no column 'layer'" "CSV: no such column"
case_end

case_begin "rejects name a feature by its read position and by its source's FID: a FileGDB with gaps in its OBJECTIDs (3, 5, 8, 9), a Shapefile's FID from 0 (as ArcGIS shows them)"
cat > gaps.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","id":3,"properties":{"SITE_ID":"A1","NAME":"Paris"},"geometry":{"type":"Point","coordinates":[2.35,48.85]}},
{"type":"Feature","id":5,"properties":{"SITE_ID":"A2","NAME":"Berlin"},"geometry":{"type":"Point","coordinates":[13.4,52.5]}},
{"type":"Feature","id":8,"properties":{"SITE_ID":"A4","NAME":"Bad lat"},"geometry":{"type":"Point","coordinates":[10.0,95.5]}},
{"type":"Feature","id":9,"properties":{"SITE_ID":"A5","NAME":"Rome"},"geometry":{"type":"Point","coordinates":[12.49,41.89]}}]}
J
ogr2ogr -f OpenFileGDB gaps.gdb gaps.geojson -preserve_fid -nln Sites
ogr2ogr -f 'ESRI Shapefile' gapsshp.shp gaps.geojson
[ "$(ogrinfo -q -al gaps.gdb | grep -c 'OGRFeature(Sites):8')" = 1 ] || echo "FAIL set-up: gaps.gdb has no OBJECTID 8"
fp_init gaps.sqlite > /dev/null
run --db gaps.sqlite import gaps.gdb
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "FileGDB: summary"
run --db gaps.sqlite import gapsshp.shp
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "Shapefile: summary"
run --db gaps.sqlite rejects
assert_contains "$OUT" "gaps.gdb: feature 3 (FID 8): coordinates out of range: coordinate 10 95.5 is outside lon -180..180, lat -90..90" "FileGDB: the OBJECTID named"
assert_contains "$OUT" "gapsshp.shp: feature 3 (FID 2): coordinates out of range" "Shapefile: its FID from 0"
# The store keeps the read position in `feature` and the FID first in the reason.
assert_eq "3|FID 8: coordinates out of range: coordinate 10 95.5 is outside lon -180..180, lat -90..90" \
    "$(sqlite3 gaps.sqlite "SELECT r.feature, r.reason FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'gaps'")" "FileGDB: stored"
# A CSV's rejects keep their line, without a FID.
printf 'id,lon,lat\nc1,10,95.5\nc2,1,1\n' > gapscsv.csv
"$FP" -q --db gaps.sqlite import gapscsv.csv
run --db gaps.sqlite rejects --dataset gapscsv
assert_contains "$OUT" "gapscsv.csv:2: coordinates out of range" "CSV: its line"
assert_not_contains "$OUT" "FID" "CSV: no FID"
case_end

case_begin "GDAL that cannot be loaded: an OGR import and a CSV's WKT column fail with one line (exit 1, no abort), the store unchanged"
# A private mount namespace (root: the tests run as root) in which the real
# libgdal.so.32 file is /dev/null, so footprint's first dlopen of it fails;
# nothing outside the namespace sees the mount.
gdal_file=$(readlink -f "$(ldconfig -p | awk '$1 == "libgdal.so.32" {print $NF; exit}')")
if ! unshare -m true 2>/dev/null; then
    fail "unshare -m does not work here (needs root): cannot hide libgdal"
elif [ ! -f "$gdal_file" ]; then
    fail "no libgdal.so.32 found by ldconfig"
else
    "$FP" -q --db nogdal.sqlite init >/dev/null
    ogr2ogr -f GPKG nogdal.gpkg "$FIX/mixed.geojson" 2>/dev/null
    printf 'id,name,wkt\n1,a,POINT(10 20)\n' > nogdal.csv
    before=$(sha256sum < nogdal.sqlite)
    counts=$(sqlite3 nogdal.sqlite "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports), (SELECT count(*) FROM rejects)")
    for input in nogdal.gpkg nogdal.csv; do
        OUT=$(unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' sh "$gdal_file" \
              "$FP" --db nogdal.sqlite import "$input" 2>&1)
        RC=$?
        assert_eq 1 "$RC" "$input: exit status (134 was abort)"
        # dlerror names the file as the loader found it (/lib or /usr/lib).
        [[ "$OUT" =~ ^footprint:\ cannot\ load\ GDAL\ \(libgdal\.so\.32\):\ /[^$'\n']*libgdal\.so\.32[^$'\n']*:\ file\ too\ short$ ]] ||
            fail "$input: expected the one line 'footprint: cannot load GDAL (libgdal.so.32): PATH: file too short', got [$OUT]"
    done
    assert_eq "$before" "$(sha256sum < nogdal.sqlite)" "the store's bytes"
    assert_eq "$counts" "$(sqlite3 nogdal.sqlite "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM imports), (SELECT count(*) FROM rejects)")" "projects, imports, rejects"
    # Outside the namespace GDAL is there: the same file imports.
    run --db nogdal.sqlite import nogdal.gpkg
    assert_eq 0 "$RC" "exit status with GDAL"
fi
case_end

case_begin "a real field keeps every digit of its double: amounts from a GeoPackage, FlatGeobuf and GeoJSON (ours and GDAL's) read back exactly, a round trip diffs as unchanged"
# 0.30000000000000004 and 123456789.12345679 need 17 significant digits;
# GDAL's text of a real has 15 (they came back as 0.3 and 123456789.123457).
# Expected doubles: Python's float() of the CSV's text, read from the store
# by Python's sqlite3 (not by footprint).
printf 'id,company,category,lon,lat,amount\nR1,ZTE,telecom,36.8,-1.3,0.30000000000000004\nR2,ZTE,telecom,8.54,47.37,123456789.12345679\nR3,ZTE,telecom,2.35,48.85,0.1\n' > reals.csv
fp_init re.sqlite && "$FP" -q --db re.sqlite import reals.csv --dataset csv
for fmt in gpkg fgb geojson; do
    "$FP" -q --db re.sqlite export --dataset csv -o "reals_ours.$fmt" || fail "export $fmt"
    run --db re.sqlite import "reals_ours.$fmt" --dataset "ours_$fmt"
    assert_eq 0 "$RC" "import of our $fmt ($OUT)"
    run --db re.sqlite diff --dataset csv --against "ours_$fmt"
    assert_contains "$OUT" "0 changed, 3 unchanged" "round trip through $fmt"
done
# A GeoPackage GDAL writes itself from the CSV (amount typed Real by GDAL).
ogr2ogr -q -f GPKG reals_gdal.gpkg reals.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo AUTODETECT_TYPE=YES -oo AUTODETECT_WIDTH=NO -nln reals
assert_eq "Real" "$(ogrinfo -so reals_gdal.gpkg reals | sed -n 's/^amount: \([A-Za-z]*\).*/\1/p')" "GDAL typed the amount Real"
run --db re.sqlite import reals_gdal.gpkg --dataset gdal
assert_eq 0 "$RC" "import of GDAL's GeoPackage ($OUT)"
got=$(python3 - re.sqlite reals.csv <<'PY'
import csv, sqlite3, sys
want = {r['id']: float(r['amount']) for r in csv.DictReader(open(sys.argv[2]))}
c = sqlite3.connect(sys.argv[1])
bad = [(d, k, a) for d, k, a in c.execute("SELECT dataset, source_key, amount FROM projects") if a != want[k]]
n = c.execute("SELECT count(*) FROM projects").fetchone()[0]
print(n, bad)
PY
)
assert_eq "15 []" "$got" "15 rows (5 datasets x 3), every amount the CSV's double"
case_end

case_begin "a file naming other sources is not followed: an OGR VRT (named .kml or .vrt), a SQLite file or GeoPackage with a VirtualOGR or VirtualText table, a PDS4 label, a WFS document, a GML's WFS schema: nothing of them stored, no request made"
# Before: the VRT's <SrcDataSource> was read (a private CSV's rows stored) and
# the web server got GET /internal.csv and a WFS GetCapabilities.
fp_init vrt.sqlite
mkdir -p private www
printf 'name,salary\nalice,91000\n' > private/salaries.csv
printf 'name,lon,lat\nfrom-intranet,1,2\n' > www/internal.csv
( cd www && exec python3 -m http.server 0 --bind 127.0.0.1 ) > http.log 2>&1 &
hp=$!
for i in $(seq 50); do port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' http.log | head -1); [ -n "$port" ] && break; sleep 0.1; done
[ -n "$port" ] || fail "the test's web server did not start"
vrt="<OGRVRTDataSource><OGRVRTLayer name=\"projects\"><SrcDataSource>$PWD/private/salaries.csv</SrcDataSource><SrcSQL dialect=\"SQLITE\">SELECT name||':'||salary AS name, 10.5 AS lon, 20.5 AS lat FROM salaries</SrcSQL></OGRVRTLayer></OGRVRTDataSource>"
echo "$vrt" > partner.kml; echo "$vrt" > partner.vrt
echo "<OGRVRTDataSource><OGRVRTLayer name=\"p\"><SrcDataSource>/vsicurl/http://127.0.0.1:$port/internal.csv</SrcDataSource></OGRVRTLayer></OGRVRTDataSource>" > partner.gpx
echo "<OGRWFSDataSource><URL>http://127.0.0.1:$port/wfs?SERVICE=WFS</URL></OGRWFSDataSource>" > partner.gml
# A SQLite file and a GeoPackage whose table is a virtual table of GDAL's
# VirtualOGR (a URL) or SpatiaLite's VirtualText (a local file); a PDS4 label
# naming the private CSV, named .kml (the outside review's bypasses of a
# deny-list of drivers).
sqlite3 partner.sqlite "PRAGMA writable_schema=ON; INSERT INTO sqlite_master VALUES('table','projects','projects',0,'CREATE VIRTUAL TABLE projects USING VirtualOGR(''/vsicurl/http://127.0.0.1:$port/internal.csv'')');"
printf 'name,lon,lat\na,1,2\n' > base.csv
ogr2ogr -q -f GPKG partner.gpkg base.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -nln base
sqlite3 partner.gpkg "PRAGMA writable_schema=ON; INSERT INTO sqlite_master VALUES('table','stolen','stolen',0,'CREATE VIRTUAL TABLE stolen USING VirtualText(''$PWD/private/salaries.csv'', ''UTF-8'', 1, POINT, DOUBLEQUOTE, '','')');"
cat > label.kml <<XML
<?xml version="1.0" encoding="UTF-8"?>
<Product_Observational xmlns="http://pds.nasa.gov/pds4/pds/v1"><Identification_Area><logical_identifier>urn:nasa:pds:x:y:z</logical_identifier><version_id>1.0</version_id><title>x</title><information_model_version>1.11.0.0</information_model_version><product_class>Product_Observational</product_class></Identification_Area>
<File_Area_Observational><File><file_name>$PWD/private/salaries.csv</file_name></File><Table_Delimited><offset unit="byte">0</offset><parsing_standard_id>PDS DSV 1</parsing_standard_id><records>2</records><record_delimiter>Carriage-Return Line-Feed</record_delimiter><field_delimiter>Comma</field_delimiter>
<Record_Delimited><fields>2</fields><groups>0</groups><Field_Delimited><name>name</name><field_number>1</field_number><data_type>ASCII_String</data_type></Field_Delimited><Field_Delimited><name>salary</name><field_number>2</field_number><data_type>ASCII_String</data_type></Field_Delimited></Record_Delimited></Table_Delimited></File_Area_Observational></Product_Observational>
XML
# GDAL itself would follow them (ogrinfo reads the private rows).
assert_contains "$(ogrinfo -q -al partner.vrt 2>&1)" "alice:91000" "ogrinfo follows the VRT"
: > http.log.before; cp http.log http.log.before
for f in partner.kml partner.vrt partner.gpx partner.gml partner.sqlite partner.gpkg label.kml; do
    run --db vrt.sqlite import "$f"
    assert_eq 1 "$RC" "$f: exit status ($OUT)"
done
run --db vrt.sqlite import partner.gpkg
assert_contains "$OUT" "its table 'stolen' is a virtual table of module 'VirtualText'" "the GeoPackage's virtual table named"
# A GML whose schemaLocation names a WFS: imported, the schema not fetched.
cat > wfs.gml <<XML
<?xml version="1.0" encoding="utf-8" ?>
<wfs:FeatureCollection xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" xmlns:ogr="http://ogr.maptools.org/" xsi:schemaLocation="http://ogr.maptools.org/ http://127.0.0.1:$port/gmlschema?SERVICE=WFS&amp;VERSION=1.0.0&amp;REQUEST=DescribeFeatureType&amp;TYPENAME=ogr:p">
<gml:featureMember><ogr:p fid="p.0"><ogr:geometryProperty><gml:Point srsName="EPSG:4326"><gml:coordinates>1,2</gml:coordinates></gml:Point></ogr:geometryProperty><ogr:id>1</ogr:id><ogr:company>A</ogr:company><ogr:category>t</ogr:category></ogr:p></gml:featureMember>
</wfs:FeatureCollection>
XML
run --db vrt.sqlite import wfs.gml
assert_eq 0 "$RC" "a GML: imported ($OUT)"
kill $hp 2>/dev/null; wait $hp 2>/dev/null
assert_eq 1 "$(sqlite3 vrt.sqlite "SELECT count(*) FROM projects")" "only the GML's feature stored"
assert_eq 0 "$(sqlite3 vrt.sqlite "SELECT count(*) FROM projects WHERE name LIKE '%91000%' OR name LIKE '%intranet%'")" "nothing of the private file or the server"
assert_eq "" "$(diff http.log.before http.log | grep -E 'GET|POST')" "no request reached the web server"
case_end

case_begin "a Float32 field (REAL(Float32) in a FlatGeobuf) reads back as the float's shortest text: 0.1, not 0.1000000014901161"
# The .csvt types the amount Real(Float32); GDAL writes it so into the FlatGeobuf.
# 1234.5601 and 1234.56 are the same float: its shortest text is 1234.56.
printf 'id,company,category,lon,lat,amount\nF1,Z,t,1.5,2.5,0.1\nF2,Z,t,3.5,4.5,1234.5601\n' > f32.csv
printf 'String,String,String,Real,Real,Real(Float32)\n' > f32.csvt
ogr2ogr -q -f FlatGeobuf f32.fgb f32.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat
assert_contains "$(ogrinfo -so f32.fgb f32)" "amount: Real(Float32)" "GDAL typed it Float32"
fp_init f32.sqlite
run --db f32.sqlite import f32.fgb
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "F1 0.1|F2 1234.56" "$(python3 -c "
import sqlite3; c = sqlite3.connect('f32.sqlite')
print('|'.join(f'{k} {a!r}' for k, a in c.execute('SELECT source_key, amount FROM projects ORDER BY source_key')))")" "amounts (Python's repr)"
case_end

# Lines drawn with continuous longitudes across the antimeridian (an outside
# tester's trans-Pacific cables, as Leaflet draws them): wrapped into
# -180..180 and noted, then cut at 180 like any crossing line. The cut
# latitudes by hand: E4 from (160, 30) to (200, 22) meets 180 at 26; W1 from
# (-160, 22) to (-200, 18) meets -180 at 20. Each line's parts come in the
# order it travels (W1's Pacific leg came last before).
case_begin "a line with longitudes past 180 written continuously is wrapped and cut at the antimeridian, noted as repaired; a line with a 490-degree edge and a point at 181 stay rejected"
cat > past180.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"E4","category":"cable"},"geometry":{"type":"LineString","coordinates":[[139.876,34.962],[160,30],[200,22],[241.6005,33.8622]]}},
{"type":"Feature","properties":{"id":"W1","category":"cable"},"geometry":{"type":"LineString","coordinates":[[-118.4,33.86],[-160,22],[-200,18],[-215.3,13.46]]}},
{"type":"Feature","properties":{"id":"BAD","category":"cable"},"geometry":{"type":"LineString","coordinates":[[10,10],[500,10]]}},
{"type":"Feature","properties":{"id":"PT","category":"station"},"geometry":{"type":"Point","coordinates":[181,18]}}]}
JSON
fp_init p180.sqlite
run --db p180.sqlite import past180.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 2 stored, 2 rejected" "the two lines stored"
run --db p180.sqlite rejects --repaired
assert_contains "$OUT" "past180.geojson: feature 1: repaired: 2 longitudes past +-180 (such as 200) wrapped into -180..180" "E4 noted"
assert_contains "$OUT" "past180.geojson: feature 2: repaired: 2 longitudes past +-180 (such as -200) wrapped" "W1 noted"
run --db p180.sqlite rejects
assert_contains "$OUT" "coordinate 500 10 is outside lon -180..180" "a line with a 490-degree edge: a wrong coordinate"
assert_contains "$OUT" "coordinate 181 18 is outside lon -180..180" "a point past 180 stays rejected"
run --db p180.sqlite export -o p180.geojson
assert_eq 0 "$RC" "export ($OUT)"
assert_eq "E4 [[[139.876, 34.962], [160, 30], [180, 26]], [[-180, 26], [-160, 22], [-118.3995, 33.8622]]]
W1 [[[-118.4, 33.86], [-160, 22], [-180, 20]], [[180, 20], [160, 18], [144.7, 13.46]]]" "$(python3 -c "
import json; d = json.load(open('p180.geojson'))
for f in sorted(d['features'], key=lambda f: f['properties']['source_key']):
    print(f['properties']['source_key'], json.dumps([[[round(c, 6) for c in p] for p in part] for part in f['geometry']['coordinates']]))")" "cut at 180, the parts in travel order"
case_end

# A cable out and back across 180 (a spur to a branching unit written as one
# line, its return over the same path): GEOS's intersection with one box per
# turn merged the two legs, so the export and the km lost the return leg.
# Cut by walking the coordinates, by hand: out 178 -> 180 -> -176, back
# -176 -> -180 -> 178, every leg on latitude -18.
case_begin "a line out and back across the antimeridian keeps both legs when cut: three parts in travel order, the km of both legs"
cat > oab.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"OAB","category":"cable"},"geometry":{"type":"LineString","coordinates":[[178,-18],[-176,-18],[178,-18]]}},
{"type":"Feature","properties":{"id":"ONE","category":"spur"},"geometry":{"type":"LineString","coordinates":[[178,-18],[-176,-18]]}}]}
JSON
fp_init oab.sqlite
run --db oab.sqlite import oab.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
run --db oab.sqlite export -o oab_out.geojson
assert_eq 0 "$RC" "export ($OUT)"
assert_eq "OAB [[[178, -18], [180, -18]], [[-180, -18], [-176, -18], [-180, -18]], [[180, -18], [178, -18]]]
ONE [[[178, -18], [180, -18]], [[-180, -18], [-176, -18]]]" "$(python3 -c "
import json; d = json.load(open('oab_out.geojson'))
for f in sorted(d['features'], key=lambda f: f['properties']['source_key']):
    print(f['properties']['source_key'], json.dumps([[[round(c, 6) for c in p] for p in part] for part in f['geometry']['coordinates']]))")" "both legs kept, in travel order"
run --db oab.sqlite aggregate --by country --snap-km 0 --name oab
assert_eq 0 "$RC" "aggregate ($OUT)"
# The km of both lines over every country and the sea: three times the
# one-way line's geodesic length by PROJ's geod (the pieces are measured
# apart, about 0.1 km more than the whole; the return leg lost is 635 km).
ONEWAY=$(echo "-18 178 -18 -176" | geod +ellps=WGS84 -I +units=km -f %.4f | awk '{print $3}')
assert_eq "ok" "$(python3 -c "
import sqlite3; c = sqlite3.connect('oab.sqlite')
km = c.execute(\"SELECT sum(length_km) FROM agg_oab WHERE level = 'country'\").fetchone()[0]
print('ok' if abs(km - 3 * $ONEWAY) < 0.5 else f'{km} km, not 3 x $ONEWAY')")" "the km of the round trip and the one-way line"
case_end

# OpenStreetMap as analysts get it. GDAL's OSM driver (and every ogr2ogr
# copy of its layers) keeps the tags it has no column for in other_tags,
# in hstore form ("operator"=>"Teraco","telecom"=>"data_center"): an
# outside tester found the operator out of reach (--map company=operator:
# no column), every row without an id (an updated extract added rows
# beside the old), OSM's structural `type` taken for the category, and a
# file whose node ids do not increase refused as damaged. The values
# below are the file's, by hand.
case_begin "OpenStreetMap: other_tags read as columns (operator fills the company), ids node/N way/N relation/N, 'type' and 'place' not guessed, any node order"
cat > dc.osm <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="footprint test">
  <node id="1003" lat="-12.2720" lon="-76.8950">
    <tag k="name" v="Lurín landing station"/><tag k="operator" v="Telxius"/><tag k="telecom" v="landing_station"/><tag k="place" v="village"/><tag k="addr:country" v="PE"/>
  </node>
  <node id="1001" lat="-26.1002" lon="28.1871">
    <tag k="name" v="Teraco JB1"/><tag k="operator" v="Teraco"/><tag k="telecom" v="data_center"/><tag k="addr:country" v="ZA"/>
  </node>
  <node id="1002" lat="-1.3192" lon="36.8815">
    <tag k="name" v="iXAfrica NBOX1"/><tag k="name:zh" v="内罗毕数据中心"/><tag k="operator" v="iXAfrica"/><tag k="telecom" v="data_center"/><tag k="addr:country" v="KE"/>
  </node>
  <node id="1101" lat="-6.2000" lon="106.8000"/><node id="1102" lat="-6.2000" lon="106.8010"/>
  <node id="1103" lat="-6.2010" lon="106.8010"/><node id="1104" lat="-6.2010" lon="106.8000"/>
  <node id="1201" lat="44.8000" lon="20.4000"/><node id="1202" lat="44.8000" lon="20.4040"/>
  <node id="1203" lat="44.8040" lon="20.4040"/><node id="1204" lat="44.8040" lon="20.4000"/>
  <node id="1301" lat="44.8010" lon="20.4010"/><node id="1302" lat="44.8010" lon="20.4030"/>
  <node id="1303" lat="44.8030" lon="20.4030"/><node id="1304" lat="44.8030" lon="20.4010"/>
  <way id="2001">
    <nd ref="1101"/><nd ref="1102"/><nd ref="1103"/><nd ref="1104"/><nd ref="1101"/>
    <tag k="building" v="yes"/><tag k="name" v="Huawei Jakarta campus"/><tag k="operator" v="Huawei"/><tag k="telecom" v="data_center"/><tag k="addr:country" v="ID"/>
  </way>
  <way id="2002"><nd ref="1201"/><nd ref="1202"/><nd ref="1203"/><nd ref="1204"/><nd ref="1201"/></way>
  <way id="2003"><nd ref="1301"/><nd ref="1302"/><nd ref="1303"/><nd ref="1304"/><nd ref="1301"/></way>
  <relation id="3001">
    <member type="way" ref="2002" role="outer"/><member type="way" ref="2003" role="inner"/>
    <tag k="type" v="multipolygon"/><tag k="building" v="data_center"/><tag k="name" v="Belgrade data centre"/><tag k="operator" v="ZTE"/><tag k="telecom" v="data_center"/><tag k="addr:country" v="RS"/>
  </relation>
</osm>
XML
fp_init osm.sqlite
run --db osm.sqlite import dc.osm
assert_eq 0 "$RC" "exit status (node 1003 before 1001: GDAL's own index refused it) ($OUT)"
assert_contains "$OUT" "5 rows read, 5 stored, 0 rejected" "three nodes, a closed way, a relation"
assert_contains "$OUT" "company=operator (in other_tags)" "the summary names the tag"
assert_contains "$OUT" "id=its OpenStreetMap id" "and the ids"
assert_eq "node/1001|Teraco||
node/1002|iXAfrica||
node/1003|Telxius||
relation/3001|ZTE||
way/2001|Huawei||" "$(sqlite3 osm.sqlite "SELECT source_key, company, coalesce(category, ''), coalesce(place, '') FROM projects ORDER BY source_key")" \
    "ids, companies; no category 'multipolygon', no place 'village'"
assert_eq "ZAF ZA|KEN KE|PER PE|SRB RS|IDN ID" "$(sqlite3 osm.sqlite "SELECT country_code || ' ' || country FROM projects ORDER BY source_key" | paste -sd'|')" \
    "addr:country, OpenStreetMap's country tag, fills the country"
assert_eq "data_center|ZA|Teraco JB1||" "$(sqlite3 osm.sqlite "SELECT json_extract(extra, '\$.telecom'), country, name,
    coalesce(json_extract(extra, '\$.other_tags'), ''), coalesce(json_extract(extra, '\$.operator'), '') FROM projects WHERE source_key = 'node/1001'")" \
    "the other tags one by one in extra, the operator once (as the company)"
assert_eq "内罗毕数据中心" "$(sqlite3 osm.sqlite "SELECT json_extract(extra, '\$.name:zh') FROM projects WHERE source_key = 'node/1002'")" "UTF-8 tag"
# --map reaches any tag, in an ogr2ogr copy as in the .osm.
ogr2ogr --config OSM_USE_CUSTOM_INDEXING NO -f GPKG dc.gpkg dc.osm points multipolygons >/dev/null 2>&1
run --db osm.sqlite import dc.gpkg --dataset copy --map category=telecom --map country=addr:country
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "node/1001|data_center|ZAF
node/1002|data_center|KEN
node/1003|landing_station|PER
relation/3001|data_center|SRB
way/2001|data_center|IDN" "$(sqlite3 osm.sqlite "SELECT source_key, category, country_code FROM projects WHERE dataset = 'copy' ORDER BY source_key")" \
    "categories and countries from the tags of a GeoPackage copy"
# Overpass turbo's GeoJSON (osmtogeojson): the tags are properties, `type`
# is the relation's structure there too.
cat > overpass.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","id":"relation/3001","properties":{"@id":"relation/3001","type":"multipolygon","name":"Belgrade data centre","operator":"ZTE"},
 "geometry":{"type":"Polygon","coordinates":[[[20.4,44.8],[20.404,44.8],[20.404,44.804],[20.4,44.804],[20.4,44.8]]]}}]}
JSON
run --db osm.sqlite import overpass.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "ZTE|" "$(sqlite3 osm.sqlite "SELECT company, coalesce(category, '') FROM projects WHERE dataset = 'overpass'")" "no category 'multipolygon'"
# A --map column that one layer lacks: that layer named (QuickOSM-style
# GeoPackages: building in the areas, not the points).
run --db osm.sqlite import dc.gpkg --dataset b --map category=building
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "dc.gpkg: layer points: --map category=building: no column 'building'" "the layer named"
# What the API itself returns, and an empty result: said as such.
printf '{\n "version": 0.6,\n "generator": "Overpass API 0.7.62",\n "osm3s": {"copyright": "ODbL"},\n "elements": [{"type": "node", "id": 1001, "lat": -26.1, "lon": 28.18}]\n}\n' > api.json
run --db osm.sqlite import api.json
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "api.json: Overpass API JSON" "named as what it is (was: not a file GDAL can read)"
assert_contains "$OUT" "export GeoJSON from Overpass turbo" "and what to do"
echo '{"type":"FeatureCollection","features":[]}' > none.geojson
run --db osm.sqlite import none.geojson --map country=addr:country
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "none.geojson: --map country=addr:country: the file has no columns at all" "(was: no column 'addr:country' (columns: ))"
assert_eq 11 "$(sqlite3 osm.sqlite "SELECT count(*) FROM projects")" "nothing lost: 5 + 5 + 1 rows"
case_end
