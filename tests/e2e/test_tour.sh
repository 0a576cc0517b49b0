#!/usr/bin/env bash
# Every command once on a tiny store: the suite `make valgrind` runs to have
# each command's main path under valgrind in a few minutes (the other suites'
# data sets take valgrind tens of minutes; `make check SAN=1` runs those under
# ASan+UBSan). Expected values by hand (rows, rejects, the country each point
# lies in), GeoNames' coordinates of Nairobi (geonameid 184745), OGR's counts.
. "$(dirname "$0")/lib.sh"
DB=$WORK/t/fp.sqlite
cat > p.csv <<'CSV'
id,company,category,place,country,lon,lat
1,A,5g,,,36.8172,-1.2864
2,B,data_centre,,,-0.1276,51.5072
3,C,surveillance,,,139.6917,35.6895
4,D,cable,,,abc,10
5,E,5g,Nairobi,KEN,,
CSV
cat > l.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"L1","company":"F","category":"cable"},
 "geometry":{"type":"LineString","coordinates":[[2.35,48.86],[13.40,52.52]]}}]}
JSON
fp_init "$DB"

case_begin "import (CSV and GeoJSON) and rejects: 4 + 1 stored, row 5 rejected with its reason and text"
run --db "$DB" import p.csv
assert_eq 0 "$RC" "CSV import ($OUT)"
assert_contains "$OUT" "5 rows read, 4 stored, 1 rejected" "CSV summary"
run --db "$DB" import l.geojson --dataset lines
assert_eq 0 "$RC" "GeoJSON import ($OUT)"
assert_eq 5 "$(sql "SELECT count(*) FROM projects")" "projects stored"
run --db "$DB" rejects
assert_eq 0 "$RC" "rejects"
assert_contains "$OUT" "p.csv:5: coordinates not numbers: lon='abc' lat='10'" "the reject and its line"
assert_contains "$OUT" "4,D,cable,,,abc,10" "the raw row"
case_end

case_begin "geocode places row 5 at GeoNames' Nairobi"
run --db "$DB" geocode
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "1 exact" "summary"
xy=$(ssql "SELECT X(geom)||' '||Y(geom) FROM projects WHERE source_key='5'")
assert_near 36.81667 "${xy% *}" 0.0001 "lon"
assert_near -1.28333 "${xy#* }" 0.0001 "lat"
case_end

case_begin "aggregate by country: KEN 2, GBR 1, JPN 1; the line split between FRA and DEU (and the countries between)"
run --db "$DB" aggregate --by country --group category --snap-km 0
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "GBR|1
JPN|1
KEN|2" "$(sql "SELECT code, sum(projects) FROM agg_country_by_category WHERE level='country' AND code IN ('KEN','GBR','JPN') GROUP BY code ORDER BY code")" "point counts"
assert_near 1 "$(sql "SELECT sum(share) FROM agg_country_by_category_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key='L1'")" 0.000001 "the line's shares add up to 1"
assert_eq "DEU
FRA" "$(sql "SELECT region_code FROM agg_country_by_category_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key='L1' AND region_code IN ('FRA','DEU') ORDER BY 1")" "Paris's and Berlin's countries have a share"
case_end

case_begin "export to GeoJSON and GeoPackage: 5 features each, read by OGR"
run --db "$DB" export -o p.geojson
assert_eq 0 "$RC" "GeoJSON ($OUT)"
assert_contains "$(ogrinfo -so -al p.geojson 2>&1)" "Feature Count: 5" "GeoJSON features"
run --db "$DB" export --format gpkg -o p.gpkg
assert_eq 0 "$RC" "GeoPackage ($OUT)"
assert_contains "$(ogrinfo -so -al p.gpkg 2>&1)" "Feature Count: 5" "GeoPackage features"
case_end

case_begin "render a 200 x 100 PNG with its world file"
run --db "$DB" render --size 200x100 -o m.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "200 100" "$(python3 -c "import struct; d=open('m.png','rb').read(24); print(*struct.unpack('>II', d[16:24]))")" "size"
[ -s m.pgw ] && [ -s m.prj ] || fail "no .pgw or .prj"
case_end
