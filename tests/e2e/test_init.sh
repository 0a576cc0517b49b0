#!/usr/bin/env bash
# init: the store's schema and the default regions.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
GPKG="$ROOT/geodata/regions.gpkg"

case_begin "init creates the store and loads every region of geodata/regions.gpkg"
run --db $DB init
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "created s.sqlite (schema 6)" "message"
# Expected counts from the GeoPackage itself, read by OGR (not by footprint).
want_c=$(ogrinfo -ro -q -sql "SELECT count(*) AS n FROM regions WHERE level='country'" "$GPKG" | sed -n 's/.*n (Integer.*) = //p')
want_a=$(ogrinfo -ro -q -sql "SELECT count(*) AS n FROM regions WHERE level='admin1'" "$GPKG" | sed -n 's/.*n (Integer.*) = //p')
assert_eq "$want_c" "$(sql "SELECT count(*) FROM regions WHERE level='country'")" "countries"
assert_eq "$want_a" "$(sql "SELECT count(*) FROM regions WHERE level='admin1'")" "admin-1"
assert_eq "6" "$(sql "SELECT value FROM meta WHERE key='schema_version'")" "schema version"
case_end

case_begin "every country the brief names has its ISO code (FRA, NOR, XKX) and admin-1 parents exist"
assert_eq "FR|France" "$(sql "SELECT iso_a2, name FROM regions WHERE code='FRA'")" "France"
assert_eq "NO|Norway" "$(sql "SELECT iso_a2, name FROM regions WHERE code='NOR'")" "Norway"
assert_eq "XK" "$(sql "SELECT iso_a2 FROM regions WHERE code='XKX'")" "Kosovo"
assert_eq "0" "$(sql "SELECT count(*) FROM regions a WHERE level='admin1' AND NOT EXISTS (SELECT 1 FROM regions c WHERE c.code=a.parent AND c.level='country')")" "orphan admin-1"
assert_eq "USA" "$(sql "SELECT parent FROM regions WHERE code='US-CA'")" "US-CA parent"
case_end

case_begin "point-in-region through the spatial index: Nairobi is in KEN, Maseru in LSO (not ZAF)"
q="SELECT code FROM regions WHERE level='country' AND ST_Contains(geom, MakePoint(%s, 4326)) AND ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name='regions' AND search_frame=MakePoint(%s, 4326))"
assert_eq "KEN" "$(ssql "$(printf "$q" "36.81667, -1.28333" "36.81667, -1.28333")")" "Nairobi"
assert_eq "LSO" "$(ssql "$(printf "$q" "27.48333, -29.31667" "27.48333, -29.31667")")" "Maseru"
assert_eq "1" "$(ssql "SELECT CheckSpatialIndex('regions', 'geom')")" "regions spatial index valid"
# The index is written in bulk with SpatiaLite's triggers suspended: SQLite's
# own check, one entry per region, and the eight triggers back in place
# (a row inserted afterwards is indexed by them).
assert_eq "ok" "$(sql "SELECT rtreecheck('idx_regions_geom')")" "rtreecheck"
assert_eq "$(sql "SELECT count(*) FROM regions")" "$(sql "SELECT count(*) FROM idx_regions_geom")" "index entries"
assert_eq "ggi ggu gid gii giu tmd tmi tmu" "$(sql "SELECT group_concat(substr(name, 1, 3), ' ') FROM (SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='regions' ORDER BY name)")" "triggers"
assert_eq "1" "$(sql "SELECT last_insert > '2000' AND last_delete > '2000' FROM geometry_columns_time WHERE f_table_name = 'regions'")" "insert and delete times recorded (SpatiaLite's default is year 0)"
cp $DB t.sqlite
DB=t.sqlite
ssql "INSERT INTO regions(level, code, name, geom) VALUES('custom', 'T1', 'T', CastToMultiPolygon(GeomFromText('POLYGON((-170 -80, -169 -80, -169 -79, -170 -80))', 4326)))" >/dev/null
assert_eq "T1" "$(ssql "SELECT code FROM regions WHERE ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name='regions' AND search_frame=MakePoint(-169.8, -79.9, 4326)) AND level='custom'")" "a row inserted later is found through the index"
DB=s.sqlite
case_end

case_begin "a second init changes nothing (the file's bytes are identical)"
before=$(sha256sum $DB | cut -d' ' -f1)
run --db $DB init
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "already loaded" "message"
assert_eq "$before" "$(sha256sum $DB | cut -d' ' -f1)" "store bytes"
case_end

case_begin "init --regions with a custom polygon layer replaces the regions"
cat > zones.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"Z1","name":"West"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]}},
{"type":"Feature","properties":{"code":"Z2","name":"East"},"geometry":{"type":"Polygon","coordinates":[[[10,0],[20,0],[20,10],[10,10],[10,0]]]}}]}
J
run --db custom.sqlite init --regions zones.geojson
assert_eq 0 "$RC" "exit status"
DB=custom.sqlite
assert_eq "Z1|custom|MULTIPOLYGON|Z2|custom|MULTIPOLYGON" "$(ssql "SELECT group_concat(code || '|' || level || '|' || GeometryType(geom), '|') FROM (SELECT * FROM regions ORDER BY code)")" "regions"
# No level field: the user is told that --by country will not see them, and what to do (also with -q).
assert_contains "$OUT" "init: zones.geojson: 2 regions of another level than country or admin1" "said"
assert_contains "$OUT" "aggregate them with --by regions:zones.geojson, or give the file a 'level' column" "what to do"
OUT=$("$FP" -q --db custom2.sqlite init --regions zones.geojson 2>&1 >/dev/null)
assert_contains "$OUT" "2 regions of another level" "with -q, on stderr"
DB=s.sqlite
case_end

case_begin "a region layer without a code field is refused and the old regions stay"
echo '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}' > nocode.geojson
run --db custom.sqlite init --regions nocode.geojson
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "nocode.geojson: region layer needs the fields \`code\` and \`name\`" "message"
assert_eq "2" "$(sqlite3 custom.sqlite "SELECT count(*) FROM regions")" "regions kept"
case_end

case_begin "init --regions without a usable CRS (no .prj, a .prj that is not a CRS, a GeoJSON crs PROJ does not know) is refused naming the file and why, and the old regions stay; with its .prj the regions are reprojected"
ogr2ogr -q -f "ESRI Shapefile" gbreg.shp "$ROOT/geodata/regions.gpkg" -t_srs EPSG:27700 -where "parent='GBR' AND level='admin1'" -select code,name
for e in shp shx dbf; do cp gbreg.$e gbnoprj.$e; cp gbreg.$e gbbadprj.$e; done
echo nonsense > gbbadprj.prj
ogr2ogr -q -f GeoJSON gb27700.geojson gbreg.shp -lco RFC7946=NO
sed 's#"name": *"urn:ogc:def:crs:EPSG::27700"#"name": "urn:ogc:def:crs:EPSG::99999"#' gb27700.geojson > gb99999.geojson
grep -q 'EPSG::99999' gb99999.geojson || fail "set-up: gb99999.geojson has no crs member to change"
echo '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"Z1","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}' > one.geojson
"$FP" -q --db gbkeep.sqlite init --regions one.geojson 2>/dev/null
run --db gbkeep.sqlite init --regions gbnoprj.shp
assert_eq 1 "$RC" "no .prj: exit status"
assert_contains "$OUT" "gbnoprj.shp: feature 1 (" "no .prj: the file and the feature named"
assert_contains "$OUT" "the file declares no CRS (a Shapefile without its .prj?), so they were read as WGS 84 degrees" "no .prj: why"
run --db gbkeep.sqlite init --regions gbbadprj.shp
assert_eq 1 "$RC" "bad .prj: exit status"
assert_contains "$OUT" "gbbadprj.shp: its .prj (gbbadprj.prj: 'nonsense') is not a CRS GDAL can read" "bad .prj: message"
run --db gbkeep.sqlite init --regions gb99999.geojson
assert_eq 1 "$RC" "unknown crs: exit status"
assert_contains "$OUT" "gb99999.geojson: its crs member names a CRS PROJ does not know (urn:ogc:def:crs:EPSG::99999)" "unknown crs: message"
assert_not_contains "$OUT" "ERROR 1" "no raw GDAL line"
assert_eq "Z1" "$(sqlite3 gbkeep.sqlite "SELECT group_concat(code) FROM regions")" "regions kept"
run --db gbok.sqlite init --regions gbreg.shp
assert_eq 0 "$RC" "with its .prj: exit status ($OUT)"
DB=gbok.sqlite
# London (cs2cs-independent: a point every GB admin-1 layout puts in one region) lies in a stored region.
assert_eq "1" "$(ssql "SELECT count(*) FROM regions WHERE ST_Contains(geom, MakePoint(-0.1276, 51.5072, 4326))")" "with its .prj: London in one region (lon/lat)"
DB=s.sqlite
case_end

case_begin "continents of overlapping regions: the full union (not the coverage union), areas summed"
# Two countries of one continent overlapping by a 1x2-degree strip, a third in another
# continent: a coverage union would keep the overlap twice; the stored continent must be
# the true union, whose planar area SpatiaLite computes from the input independently.
cat > overlap.geojson <<'GJ'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"AAA","name":"A","level":"country","continent":"C1","subregion":"S1"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[3,0],[3,2],[0,2],[0,0]]]}},
{"type":"Feature","properties":{"code":"BBB","name":"B","level":"country","continent":"C1","subregion":"S1"},"geometry":{"type":"Polygon","coordinates":[[[2,0],[5,0],[5,2],[2,2],[2,0]]]}},
{"type":"Feature","properties":{"code":"CCC","name":"C","level":"country","continent":"C2","subregion":"S2"},"geometry":{"type":"Polygon","coordinates":[[[10,10],[12,10],[12,12],[10,12],[10,10]]]}}]}
GJ
"$FP" -q --db ov.sqlite init --regions overlap.geojson || fail "init failed"
DB=ov.sqlite
want=$(spatialite -batch -noheader :memory: "SELECT ST_Area(ST_Union(GeomFromText('POLYGON((0 0,3 0,3 2,0 2,0 0))'), GeomFromText('POLYGON((2 0,5 0,5 2,2 2,2 0))')))" 2>/dev/null | grep -v '^$')
assert_eq "10.0" "$want" "union area by SpatiaLite (5 x 2 degrees)"
assert_eq "10.0|4.0|10.0" "$(ssql "SELECT group_concat(a, '|') FROM (SELECT round(ST_Area(GeomFromWKB(geom_wkb)), 6) AS a FROM region_groups WHERE code IN ('C1', 'S1', 'C2') ORDER BY level, code)")" "continent C1, continent C2, subregion S1"
# area_km2 is the sum of the countries' geodesic areas (overlap counted twice, as documented).
assert_eq "1" "$(ssql "SELECT abs((SELECT area_km2 FROM region_groups WHERE level='continent' AND code='C1') - (SELECT sum(area_km2) FROM regions WHERE code IN ('AAA','BBB'))) < 1e-6")" "C1 area_km2 = sum of A and B"
case_end

case_begin "init's areas and unions are cached under a digest of the regions' rows: a second store gets the same rows"
# A cache folder of this case's own, and not the entries the build made
# (the next case): here init computes.
export FOOTPRINT_CACHE="$WORK/.cache-prepared" FOOTPRINT_PREPARED=off
rm -rf "$FOOTPRINT_CACHE"
areas="SELECT level, code, printf('%.17g', area_km2) FROM regions ORDER BY level, code"
groups="SELECT level, code, name, parent, population, printf('%.17g', area_km2), hex(geom_wkb) FROM region_groups ORDER BY level, code"
FOOTPRINT_TIMING=1 "$FP" --db c1.sqlite init > c1.out 2>&1 || fail "first init: $(cat c1.out)"
entry=$(ls "$FOOTPRINT_CACHE")
assert_eq 1 "$(grep -c '^prepared-[0-9a-f]\{64\}\.bin$' <<<"$entry")" "one entry, prepared-KEY.bin ($entry)"
assert_contains "$(cat c1.out)" "unions" "the first init computes the unions"
FOOTPRINT_TIMING=1 "$FP" --db c2.sqlite init > c2.out 2>&1 || fail "second init: $(cat c2.out)"
assert_contains "$(cat c2.out)" "cached" "the second init reads the entry"
FOOTPRINT_TIMING=0 "$FP" --db c0.sqlite init > c0.out 2>&1 || fail "init with FOOTPRINT_TIMING=0: $(cat c0.out)"
assert_not_contains "$(cat c0.out)" "cpu" "FOOTPRINT_TIMING=0 prints no step times"
assert_eq "" "$(grep -E '^  (unions|admin1) ' c2.out)" "and computes nothing"
assert_eq "$(sqlite3 c1.sqlite "$areas" | sha256sum)" "$(sqlite3 c2.sqlite "$areas" | sha256sum)" "same areas, to the last bit"
assert_eq "$(sqlite3 c1.sqlite "$groups" | sha256sum)" "$(sqlite3 c2.sqlite "$groups" | sha256sum)" "same subregions and continents, byte for byte"
assert_eq "4848" "$(sqlite3 c2.sqlite "SELECT count(*) FROM regions WHERE area_km2 > 0")" "every region has its area"
assert_eq "0" "$(sqlite3 c2.sqlite "SELECT count(*) FROM region_groups WHERE geom_wkb IS NULL OR area_km2 <= 0")" "every group has a union and an area"
# The damaged-entry cases run on the three-country layer of the case above
# (the same cache code, a fraction of the default regions' cost to compute).
"$FP" -q --db z.sqlite init --regions overlap.geojson || fail "init overlap"
zentry=$(ls "$FOOTPRINT_CACHE" | grep -v "$entry")
assert_eq 1 "$(echo "$zentry" | grep -c '^prepared-')" "the custom regions' own entry"
E="$FOOTPRINT_CACHE/$zentry"
size=$(stat -c %s "$E")
# A damaged entry is a miss: computed again, same rows, the entry written again whole.
head -c 100 "$E" > cut.bin && mv cut.bin "$E"
FOOTPRINT_TIMING=1 "$FP" --db z3.sqlite init --regions overlap.geojson > z3.out 2>&1 || fail "init with a cut entry: $(cat z3.out)"
assert_contains "$(cat z3.out)" "unions" "a cut entry: computed"
assert_eq "$(sqlite3 z.sqlite "$groups" | sha256sum)" "$(sqlite3 z3.sqlite "$groups" | sha256sum)" "same groups after a cut entry"
assert_eq "$size" "$(stat -c %s "$E")" "the entry written again, whole"
# One changed byte in the middle (a digit of an area or a coordinate): a miss too.
printf '\x55' | dd of="$E" bs=1 seek=$((size / 2)) conv=notrunc status=none
FOOTPRINT_TIMING=1 "$FP" --db z3b.sqlite init --regions overlap.geojson > z3b.out 2>&1 || fail "init with a flipped byte: $(cat z3b.out)"
assert_contains "$(cat z3b.out)" "unions" "a changed byte: computed"
assert_eq "$(sqlite3 z.sqlite "$areas" | sha256sum)" "$(sqlite3 z3b.sqlite "$areas" | sha256sum)" "same areas after a changed byte"
# An entry of other regions under this key is not applied: the default
# regions' entry (other counts) in the custom layer's place, then the entry
# of a layer with the same counts and other codes.
sed 's/"AAA"/"AAX"/' overlap.geojson > overlap3.geojson
"$FP" -q --db z5.sqlite init --regions overlap3.geojson || fail "init overlap3"
e3=$(ls -t "$FOOTPRINT_CACHE" | grep -v "$entry" | grep -v "$zentry" | head -1)
assert_eq 1 "$(echo "$e3" | grep -c '^prepared-')" "the renamed layer's own entry"
cp "$FOOTPRINT_CACHE/$e3" "$E"
FOOTPRINT_TIMING=1 "$FP" --db z6.sqlite init --regions overlap.geojson > z6.out 2>&1 || fail "init with a same-size entry: $(cat z6.out)"
assert_contains "$(cat z6.out)" "unions" "an entry of other codes: computed"
assert_eq "AAA,BBB,CCC" "$(sqlite3 z6.sqlite "SELECT group_concat(code) FROM (SELECT code FROM regions ORDER BY code)")" "the layer's own codes"
assert_eq "$(sqlite3 z.sqlite "$areas" | sha256sum)" "$(sqlite3 z6.sqlite "$areas" | sha256sum)" "same areas as the layer's"
cp "$FOOTPRINT_CACHE/$entry" "$E"
FOOTPRINT_TIMING=1 "$FP" --db z4.sqlite init --regions overlap.geojson > z4.out 2>&1 || fail "init with another regions' entry: $(cat z4.out)"
assert_contains "$(cat z4.out)" "unions" "an entry that does not fit: computed"
assert_eq "$(sqlite3 z.sqlite "$areas" | sha256sum)" "$(sqlite3 z4.sqlite "$areas" | sha256sum)" "same areas"
assert_eq "$(sqlite3 z.sqlite "$groups" | sha256sum)" "$(sqlite3 z4.sqlite "$groups" | sha256sum)" "same groups"
# The same geometries with other attributes (CCC moved to continent C1, as an
# edited Shapefile .dbf next to the same .shp would): another entry, computed.
sed 's/"continent":"C2"/"continent":"C1"/' overlap.geojson > overlap2.geojson
FOOTPRINT_TIMING=1 "$FP" --db z2.sqlite init --regions overlap2.geojson > z2.out 2>&1 || fail "init overlap2: $(cat z2.out)"
assert_contains "$(cat z2.out)" "unions" "other attributes: computed"
assert_eq "C1" "$(sqlite3 z2.sqlite "SELECT group_concat(code) FROM region_groups WHERE level = 'continent'")" "one continent, C1"
# Only what init computed itself is written: a store whose area was edited
# by hand passes nothing on.
rm -rf "$FOOTPRINT_CACHE"
cp c1.sqlite ed.sqlite
sqlite3 ed.sqlite "UPDATE regions SET area_km2 = 1.0 WHERE code = 'KEN'"
"$FP" -q --db ed.sqlite init || fail "init of the edited store"
assert_eq "0" "$(ls "$FOOTPRINT_CACHE" 2>/dev/null | wc -l)" "no entry from a store that computed nothing"
# FOOTPRINT_CACHE=off: nothing read or written.
rm -rf "$FOOTPRINT_CACHE"
FOOTPRINT_CACHE=off "$FP" -q --db c5.sqlite init --regions overlap.geojson || fail "init without a cache"
assert_eq "no" "$([ -e "$FOOTPRINT_CACHE" ] && echo yes || echo no)" "no cache folder with FOOTPRINT_CACHE=off"
assert_eq "$(sqlite3 z.sqlite "$groups" | sha256sum)" "$(sqlite3 c5.sqlite "$groups" | sha256sum)" "same groups without a cache"
case_end

case_begin "a machine's first init (empty cache folder) reads the default regions the build prepared: the same rows as computed, nothing written"
# make runs the program once on geodata/regions.gpkg into $BUILD/prepared
# (FOOTPRINT_PREPARED=off, a cache folder of its own).
SHIP="$(dirname "$FP")/prepared"
assert_eq 1 "$(ls "$SHIP" | grep -c '^prepared-[0-9a-f]\{64\}\.bin$')" "the build's entry ($(ls "$SHIP" | tr '\n' ' '))"
unset FOOTPRINT_PREPARED
export FOOTPRINT_CACHE="$WORK/.cache-first"
rm -rf "$FOOTPRINT_CACHE"
FOOTPRINT_TIMING=1 "$FP" --db s1.sqlite init > s1.out 2>&1 || fail "first init: $(cat s1.out)"
assert_contains "$(cat s1.out)" "shipped" "read the build's entry"
assert_eq "" "$(grep -E '^  (unions|admin1|cached) ' s1.out)" "computed nothing"
# c1.sqlite: computed by the case above, with no entry to read.
assert_eq "$(sqlite3 c1.sqlite "$areas" | sha256sum)" "$(sqlite3 s1.sqlite "$areas" | sha256sum)" "same areas as computed, to the last bit"
assert_eq "$(sqlite3 c1.sqlite "$groups" | sha256sum)" "$(sqlite3 s1.sqlite "$groups" | sha256sum)" "same subregions and continents as computed"
assert_eq "0" "$(ls "$FOOTPRINT_CACHE" 2>/dev/null | grep -c '^prepared-')" "the build's entry is not copied to the user's cache"
# FOOTPRINT_CACHE=off means everything computed, the build's entry too.
FOOTPRINT_CACHE=off FOOTPRINT_TIMING=1 "$FP" --db s2.sqlite init > s2.out 2>&1 || fail "init, cache off: $(cat s2.out)"
assert_contains "$(cat s2.out)" "unions" "FOOTPRINT_CACHE=off: computed"
assert_eq "" "$(grep -E '^  shipped ' s2.out)" "FOOTPRINT_CACHE=off: the build's entry not read"
# A damaged entry in a prepared folder (FOOTPRINT_PREPARED=DIR) is a miss.
mkdir -p bad && for f in "$SHIP"/prepared-*.bin; do head -c 5000 "$f" > "bad/$(basename "$f")"; done
FOOTPRINT_PREPARED="$WORK/bad" FOOTPRINT_TIMING=1 "$FP" --db s3.sqlite init > s3.out 2>&1 || fail "init, cut entry: $(cat s3.out)"
assert_contains "$(cat s3.out)" "unions" "a cut prepared entry: computed"
assert_eq "$(sqlite3 c1.sqlite "$groups" | sha256sum)" "$(sqlite3 s3.sqlite "$groups" | sha256sum)" "same groups after a cut prepared entry"
case_end

case_begin "two inits of a new store at once (overlapping cron jobs): both exit 0, the schema made once (the second re-reads the version under the write lock)"
for t in 1 2 3; do
    rm -f twin.sqlite*
    "$FP" -q --db twin.sqlite init > twin1.out 2>&1 & p1=$!
    "$FP" -q --db twin.sqlite init > twin2.out 2>&1; r2=$?
    wait $p1; r1=$?
    assert_eq "0 0" "$r1 $r2" "trial $t: both exit 0 ($(cat twin1.out twin2.out | head -2 | tr '\n' ' '))"
done
assert_eq "6|252" "$(sqlite3 twin.sqlite "SELECT (SELECT value FROM meta WHERE key = 'schema_version'), (SELECT count(*) FROM regions WHERE level = 'country')")" "schema and regions once"
case_end
