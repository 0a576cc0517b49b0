#!/usr/bin/env bash
# aggregate: projects per region (country, admin-1, continent, a user's polygons,
# square grids, hexagons), with borders, holes, snapping, split lines/polygons,
# the antimeridian and the poles.
#
# Every expected value comes from an independent calculation, never from
# footprint's own output:
#   * geodesic distances and points N km away: PROJ's `geod` on WGS84;
#   * containment / intersection with the shipped regions: `ogrinfo -dialect
#     sqlite` (GEOS through GDAL/SpatiaLite) on geodata/regions.gpkg;
#   * geodesic lengths of line pieces on the real coastlines: SpatiaLite's
#     GeodesicLength() inside ogrinfo;
#   * areas of lon/lat rectangles: the closed formula for a zone of the
#     ellipsoid (zone_km2 below), in awk;
#   * the hexagon holding a point: `proj +proj=cea +lat_ts=30` then axial cube
#     rounding in awk;
#   * the small custom layers in tests/fixtures/aggregate/ are designed so the
#     answer is known by construction (stated next to each case).
. "$(dirname "$0")/lib.sh"
AGG="$FIX/aggregate"
GPKG="$ROOT/geodata/regions.gpkg"
TH="--threads 2"

# --- independent helpers ------------------------------------------------------
# geod inverse: lat1 lon1 lat2 lon2 -> distance in km on WGS84.
geod_km() { echo "$1 $2 $3 $4" | geod +ellps=WGS84 -I +units=km -F %.6f | awk '{print $3}'; }
# geod direct: lat lon azimuth km -> "lon lat" of the point reached.
geod_to() { echo "$1 $2 $3 $4" | geod +ellps=WGS84 +units=km -f %.10f | awk '{print $2, $1}'; }
# ogrinfo (SQLite dialect, SpatiaLite functions) on the shipped regions: one
# value per line; alias every column to a single word.
ogr() { ogrinfo -q -dialect sqlite -sql "$1" "$GPKG" 2>/dev/null | sed -n 's/^  [A-Za-z0-9_]* ([A-Za-z0-9]*) = //p'; }
# Area in km² of the lon/lat rectangle [lon0,lon1]x[lat0,lat1] bounded by
# meridians and parallels on the WGS84 ellipsoid:
#   A = b²·Δλ/2 · [F(φ1) − F(φ0)],  F(φ) = sinφ/(1−e²sin²φ) + ln((1+e sinφ)/(1−e sinφ))/(2e)
zone_km2() {
    awk -v l0="$1" -v l1="$2" -v p0="$3" -v p1="$4" '
        function F(p,  s) { s = sin(p); return s / (1 - e2 * s * s) + log((1 + e * s) / (1 - e * s)) / (2 * e) }
        BEGIN { a = 6378.137; f = 1 / 298.257223563; e2 = f * (2 - f); e = sqrt(e2); b = a * (1 - f)
                d = atan2(0, -1) / 180
                printf "%.6f\n", b * b * (l1 - l0) * d / 2 * (F(p1 * d) - F(p0 * d)) }'
}
# Hexagon "q_r" holding lon lat for hex:WIDTH_KM: EPSG:6933 (+proj=cea
# +lat_ts=30 +ellps=WGS84) by PROJ, then pointy-top axial coordinates with
# size R = width/sqrt(3): q = (sqrt(3)/3·x − y/3)/R, r = (2/3·y)/R, cube-rounded.
hex_code() {
    echo "$1 $2" | proj -f %.6f +proj=cea +lat_ts=30 +ellps=WGS84 | awk -v W="$3" '
        function rnd(v) { return v < 0 ? -int(-v + 0.5) : int(v + 0.5) }
        function ab(v) { return v < 0 ? -v : v }
        { R = W * 1000 / sqrt(3); x = $1; y = $2
          q = (sqrt(3) / 3 * x - y / 3) / R; r = (2 / 3 * y) / R; s = -q - r
          rq = rnd(q); rr = rnd(r); rs = rnd(s)
          dq = ab(rq - q); dr = ab(rr - r); ds = ab(rs - s)
          if (dq > dr && dq > ds) rq = -rr - rs; else if (dr > ds) rr = -rq - rs
          print rq "_" rr }'
}
calc() { python3 -c "print(repr($1))"; }
assert_true() {  # python expression, message
    python3 -c "import sys; sys.exit(0 if ($1) else 1)" 2>/dev/null || fail "$2"
}

# --- readers of footprint's result (what is checked, not where expectations come from)
# Sum of the shares of project KEY in region CODE ('' = the unassigned share).
share() {
    local cond="a.region_code='$2'"; [ -z "$2" ] && cond="a.region_code IS NULL"
    sql "SELECT printf('%.9f', coalesce(sum(a.share), 0)) FROM ${3:-$T}_assign a
         JOIN projects p ON p.id = a.project_id WHERE p.source_key='$1' AND $cond"
}
# code|method of a project assigned as a whole (one row).
where() {
    sql "SELECT coalesce(a.region_code, ''), a.method FROM ${2:-$T}_assign a
         JOIN projects p ON p.id = a.project_id WHERE p.source_key='$1'"
}
dist() {
    sql "SELECT a.distance_km FROM ${2:-$T}_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key='$1'"
}
col() { sql "SELECT $2 FROM $T WHERE code='$1'${3:+ AND level='$3'}"; }

# ==============================================================================
# 1. A custom layer of boxes (tests/fixtures/aggregate/strip.geojson):
#    A [0,1]x[-1,1], B [1,2]x[-1,1], C [2,3]x[-1,1] along the equator, listed in
#    the file as C, B, A; and Z [20,21]x[0,1], a [21,22]x[0,1] (strcmp: 'Z' < 'a').
# ==============================================================================
DB=strip.sqlite
fp_init $DB
read -r S4X S4Y <<<"$(geod_to 0 3 90 5)"      # 5 km due east of C's east edge (3,0)
read -r S5X S5Y <<<"$(geod_to 0 3 90 500)"    # 500 km due east of it
cat > strip.csv <<EOF
id,company,category,amount,year,wkt
S1,Acme,border,10,2015,POINT(1 0.5)
S2,Acme,border,10,2016,POINT(21 0.5)
S3,Beta,inside,10,2017,POINT(0.5 0.5)
S4,Beta,sea,10,2018,POINT($S4X $S4Y)
S5,Gamma,sea,10,2019,POINT($S5X $S5Y)
S6,Gamma,cable,1000,2010,"LINESTRING(-0.5 0.2, 2.5 0.8)"
S7,Delta,park,100,2020,"POLYGON((0.25 0,1.25 0,1.25 0.5,0.25 0.5,0.25 0))"
S8,Delta,park,100,2021,"POLYGON((0.5 -0.5,1.5 -0.5,1.5 0.5,0.5 0.5,0.5 -0.5))"
S9,Delta,park,100,2022,"POLYGON((-0.5 0,0.5 0,0.5 0.5,-0.5 0.5,-0.5 0))"
EOF
"$FP" -q --db $DB import strip.csv
T=agg_regions
run --db $DB aggregate --by "regions:$AGG/strip.geojson" $TH

case_begin "regions:FILE runs, is stored as agg_regions and its check passes"
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "passed" "check line"
assert_not_contains "$OUT" "failed" "check line"
assert_eq "regions|agg_regions|agg_regions_assign" "$(sql "SELECT name, result_table, assign_table FROM aggregations WHERE name='regions'")" "catalogue row"
# 5 boxes + the unassigned row, all at level 'regions'
assert_eq "6|regions" "$(sql "SELECT count(*), group_concat(DISTINCT level) FROM agg_regions")" "rows"
assert_eq "1" "$(sql "SELECT count(*) FROM agg_regions WHERE code='_unassigned'")" "unassigned row"
case_end

case_begin "the check line prints sums of shares as numbers: three decimals when a line is split, no exponent"
# S6 (a line) is split, part of it at sea: both sums are fractional. sqlite3
# sums the stored shares independently of the program's own totals.
inside=$(sql "SELECT printf('%.3f', sum(share)) FROM agg_regions_assign WHERE region_code IS NOT NULL")
outside=$(sql "SELECT printf('%.3f', sum(share)) FROM agg_regions_assign WHERE region_code IS NULL")
assert_contains "$OUT" "check: regions $inside + unassigned $outside = 9 projects: passed" "check line"
assert_not_contains "$OUT" "e+" "no exponent"
case_end

case_begin "a point on the shared edge of A and B goes to A (first in code order), method boundary"
# (1, 0.5) lies on x=1, the edge A and B share: in neither interior.
assert_eq "A|boundary" "$(where S1)" "S1 on A|B"
# (21, 0.5) on the edge of 'Z' and 'a': strcmp puts 'Z' (0x5A) before 'a' (0x61).
assert_eq "Z|boundary" "$(where S2)" "S2 on Z|a (strcmp order, not case-folded)"
assert_eq "A|contained" "$(where S3)" "S3 inside A"
case_end

case_begin "border decisions are the same on every run (1 thread and 2 threads)"
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --name run1 --threads 1
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --name run2 --threads 2
q="SELECT project_id, coalesce(region_code,'-'), printf('%.12f', share), method FROM TABLE ORDER BY 1, 2"
r0=$(sql "${q/TABLE/agg_regions_assign}"); r1=$(sql "${q/TABLE/agg_run1_assign}"); r2=$(sql "${q/TABLE/agg_run2_assign}")
assert_eq 9 "$(cut -d'|' -f1 <<<"$r0" | sort -u | wc -l)" "all 9 projects listed"
assert_eq "$r0" "$r1" "run1 = first run"
assert_eq "$r0" "$r2" "run2 = first run"
case_end

case_begin "a point 5 km off a region (geod) is snapped to it with distance_km = 5"
# S4 = geod direct from (lat 0, lon 3) azimuth 90 for 5 km; the nearest point of
# C is (3, 0) by symmetry, so the distance is 5 km by construction; geod agrees:
exp=$(geod_km 0 3 "$S4Y" "$S4X")
assert_near 5 "$exp" 0.000001 "geod round trip"
assert_eq "C|snapped" "$(where S4)" "S4"
assert_near "$exp" "$(dist S4)" 0.01 "S4 distance_km"
case_end

case_begin "a point 500 km out is unassigned; --snap-km 0 and --snap-km 4.9 leave the 5 km point unassigned"
assert_eq "|unassigned" "$(where S5)" "S5 at 500 km (default snap 25 km)"
assert_eq "" "$(dist S5)" "no distance for unassigned"
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --snap-km 0 --name nosnap $TH
assert_eq "|unassigned" "$(where S4 agg_nosnap)" "S4 with --snap-km 0"
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --snap-km 4.9 --name snap49 $TH
assert_eq "|unassigned" "$(where S4 agg_snap49)" "S4 (5 km) with --snap-km 4.9"
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --snap-km 5.1 --name snap51 $TH
assert_eq "C|snapped" "$(where S4 agg_snap51)" "S4 (5 km) with --snap-km 5.1"
# With a 600 km snap the 500 km point reaches C at the geod distance.
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --snap-km 600 --name snap600 $TH
assert_eq "C|snapped" "$(where S5 agg_snap600)" "S5 with --snap-km 600"
assert_near "$(geod_km 0 3 "$S5Y" "$S5X")" "$(dist S5 agg_snap600)" 0.05 "S5 distance_km"
case_end

case_begin "a line across three boxes is split by geodesic length (geod), the part at sea unassigned"
# LINESTRING(-0.5 0.2, 2.5 0.8) crosses x=0 at y=0.3, x=1 at y=0.5, x=2 at y=0.7.
sea=$(geod_km 0.2 -0.5 0.3 0); la=$(geod_km 0.3 0 0.5 1); lb=$(geod_km 0.5 1 0.7 2); lc=$(geod_km 0.7 2 0.8 2.5)
tot=$(geod_km 0.2 -0.5 0.8 2.5)
assert_near "$tot" "$(calc "$sea+$la+$lb+$lc")" 0.001 "geod pieces add up to the whole"
assert_near "$(calc "$la/$tot")" "$(share S6 A)" 0.00002 "share in A"
assert_near "$(calc "$lb/$tot")" "$(share S6 B)" 0.00002 "share in B"
assert_near "$(calc "$lc/$tot")" "$(share S6 C)" 0.00002 "share in C"
assert_near "$(calc "$sea/$tot")" "$(share S6 '')" 0.00002 "unassigned share (x<0, at sea)"
assert_eq "split split split unassigned" "$(sql "SELECT group_concat(method, ' ') FROM (SELECT method FROM agg_regions_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key='S6' ORDER BY region_code IS NULL, region_code)")" "methods"
case_end

case_begin "polygons straddling a border are split by area"
# S7 = [0.25,1.25]x[0,0.5]: both pieces span the same latitudes, so on the
# ellipsoid their areas are in the ratio of their widths, 0.75 : 0.25 (zone
# formula; geodesic edges 0.5 deg off the equator move this by < 3e-5).
assert_near 0.75 "$(share S7 A)" 0.0001 "S7 in A"
assert_near 0.25 "$(share S7 B)" 0.0001 "S7 in B"
# S8 = [0.5,1.5]x[-0.5,0.5] is symmetric about x=1: exactly half each.
assert_near 0.5 "$(share S8 A)" 0.0001 "S8 in A"
assert_eq "$(share S8 A)" "$(share S8 B)" "S8 halves equal (symmetry)"
# S9 = [-0.5,0.5]x[0,0.5]: half in A, half west of x=0 (no region).
assert_near 0.5 "$(share S9 A)" 0.0001 "S9 in A"
assert_near 0.5 "$(share S9 '')" 0.0001 "S9 unassigned half"
case_end

case_begin "a polygon wholly inside the regions has no unassigned share"
# S7 and S8 lie inside A ∪ B by construction (their corners are inside the
# boxes), so nothing of them is at sea: area is additive, so the pieces in A
# and B make up the whole polygon and the unassigned share must be 0, not a
# rounding remainder of measuring the whole and the pieces differently.
assert_near 0 "$(share S7 '')" 0.000000001 "S7 unassigned share"
assert_near 0 "$(share S8 '')" 0.000000001 "S8 unassigned share"
case_end

case_begin "region rows: counts, weighted counts, amounts, years, area and density"
# By hand: A gets S1 S3 (whole), S6 (line share), S7 0.75, S8 0.5, S9 0.5.
wA=$(calc "2 + $la/$tot + 0.75 + 0.5 + 0.5"); wB=$(calc "$lb/$tot + 0.25 + 0.5"); wC=$(calc "1 + $lc/$tot")
wU=$(calc "1 + $sea/$tot + 0.5")   # S5, the line's sea part, S9's west half
assert_eq "6|4|2010|2022" "$(col A "projects, companies, year_first, year_last")" "A counts"
assert_eq "3|2|2010|2021" "$(col B "projects, companies, year_first, year_last")" "B counts"
assert_eq "2|2|2010|2018" "$(col C "projects, companies, year_first, year_last")" "C counts"
assert_eq "1|1|0|0|0.0" "$(col Z projects)|$(col Z companies)|$(col a projects)|$(col a companies)|$(col a projects_weighted)" "Z, and a with zeros"
assert_near "$wA" "$(col A projects_weighted)" 0.0002 "A weighted"
assert_near "$wB" "$(col B projects_weighted)" 0.0002 "B weighted"
assert_near "$wC" "$(col C projects_weighted)" 0.0002 "C weighted"
assert_near "$wU" "$(col _unassigned projects_weighted)" 0.0002 "unassigned weighted"
assert_near 9 "$(sql "SELECT sum(projects_weighted) FROM agg_regions")" 0.000001 "total = 9 projects"
# amount × share: 10 + 10 + 1000·line share + 100·(0.75 + 0.5 + 0.5)
assert_near "$(calc "20 + 1000*$la/$tot + 175")" "$(col A amount)" 0.05 "A amount"
# area of A = [0,1]x[-1,1] on the ellipsoid (zone formula; footprint's polygon
# edges may be geodesics, which bulge off the parallels by < 3e-5 relative)
areaA=$(zone_km2 0 1 -1 1)
assert_near "$areaA" "$(col A area_km2)" "$(calc "$areaA*1e-4")" "A area_km2"
assert_near "$(zone_km2 20 21 0 1)" "$(col Z area_km2)" 2 "Z area_km2"
assert_near "$(calc "$wA/$areaA*1e4")" "$(col A per_10k_km2)" 0.001 "A per_10k_km2"
assert_eq "" "$(col A per_million)" "per_million NULL without population"
# S5, S6 and S9 reach the sea; S7 and S8 do not (see the case above).
assert_eq "3" "$(col _unassigned projects)" "projects in the unassigned row"
case_end

case_begin "regions:FILE:CODEFIELD uses another field as the code"
run --db $DB aggregate --by "regions:$AGG/strip.geojson:name" --name byname $TH
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "West box|contained" "$(where S3 agg_byname)" "S3 by name"
# by name, 'Middle box' < 'West box': the S1 border point goes to B now.
assert_eq "Middle box|boundary" "$(where S1 agg_byname)" "S1 by name"
case_end

# ==============================================================================
# 2. Holes: geodata/regions.gpkg does not model the Baarle enclaves (checked:
#    no Belgian polygon lies inside the Netherlands near 4.93,51.44), so a
#    custom layer does: OUT = [10,14]² with the hole [11,13]², ENC = [11.5,12.5]²
#    inside the hole (tests/fixtures/aggregate/holes.geojson).
#    Maseru, inside Lesotho, inside a hole of South Africa, uses the real data.
# ==============================================================================
# Great Britain's admin-1 regions in EPSG:27700 (metres), written by ogr2ogr
# from the shipped regions: with their .prj, and without a usable one.
ogr2ogr -q -f "ESRI Shapefile" gbreg.shp "$ROOT/geodata/regions.gpkg" -t_srs EPSG:27700 -where "parent='GBR' AND level='admin1'" -select code,name
for e in shp shx dbf; do cp gbreg.$e gbnoprj.$e; cp gbreg.$e gbbadprj.$e; done
echo nonsense > gbbadprj.prj
ogr2ogr -q -f GeoJSON gb27700.geojson gbreg.shp -lco RFC7946=NO
sed 's#"name": *"urn:ogc:def:crs:EPSG::27700"#"name": "urn:ogc:def:crs:EPSG::99999"#' gb27700.geojson > gb99999.geojson
grep -q 'EPSG::99999' gb99999.geojson || echo "FAIL set-up: gb99999.geojson has no crs member to change"
printf 'id,lon,lat\nU1,-0.1276,51.5072\nU2,-3.1883,55.9533\n' > gbpts.csv

case_begin "regions:FILE without a usable CRS (no .prj, a .prj that is not a CRS, a GeoJSON crs PROJ does not know) is refused (exit 1) naming the file and why; metres are never read as degrees; with its .prj it is reprojected"
DB=gbagg.sqlite
fp_init $DB
"$FP" -q --db $DB import gbpts.csv
run --db $DB aggregate --by regions:gbreg.shp --name gbok
assert_eq 0 "$RC" "with its .prj: exit status ($OUT)"
assert_eq "0" "$(sql "SELECT count(*) FROM agg_gbok_assign WHERE region_code IS NULL")" "with its .prj: every point assigned"
run --db $DB aggregate --by regions:gbnoprj.shp --name gbnoprj
assert_eq 1 "$RC" "no .prj: exit status"
assert_contains "$OUT" "gbnoprj.shp: feature 1 (" "no .prj: the file and the feature named"
assert_contains "$OUT" "are outside lon -180..180, lat -90..90: the file declares no CRS (a Shapefile without its .prj?), so they were read as WGS 84 degrees" "no .prj: why"
run --db $DB aggregate --by regions:gbbadprj.shp --name gbbad
assert_eq 1 "$RC" "bad .prj: exit status"
assert_contains "$OUT" "gbbadprj.shp: its .prj (gbbadprj.prj: 'nonsense') is not a CRS GDAL can read" "bad .prj: message"
run --db $DB aggregate --by regions:gb99999.geojson --name gb99999
assert_eq 1 "$RC" "unknown crs: exit status"
assert_contains "$OUT" "gb99999.geojson: its crs member names a CRS PROJ does not know (urn:ogc:def:crs:EPSG::99999)" "unknown crs: message"
assert_not_contains "$OUT" "ERROR 1" "no raw GDAL line"
assert_eq "" "$(sql "SELECT name FROM aggregations WHERE name IN ('gbnoprj', 'gbbad', 'gb99999')")" "nothing stored"
case_end

# Districts in a DBF of Latin-1 bytes without a .cpg (ogr2ogr -lco
# ENCODING=ISO-8859-1, the .cpg deleted): GDAL 3.6 hands the names over as
# bytes, which were stored as invalid UTF-8 (exports then wrote them under a
# UTF-8 .cpg, and as invalid GeoJSON). Names written by hand.
printf 'WKT,code,name\n"POLYGON ((6 50,7 50,7 51.5,6 51.5,6 50))",D01,Köln-Süd\n"POLYGON ((7 50,8 50,8 52.5,7 52.5,7 50))",D02,Münster\n' > dist.csv
ogr2ogr -f 'ESRI Shapefile' -lco ENCODING=ISO-8859-1 dist.shp dist.csv -a_srs EPSG:4326
rm -f dist.cpg
ogrinfo -q -al dist.shp | python3 -c "import sys; b = sys.stdin.buffer.read(); sys.exit(0 if b'K\xf6ln' in b else 1)" ||
    echo "FAIL set-up: GDAL reads dist.shp's Latin-1 bytes as some code page now (the case tests nothing)"
printf 'id,lon,lat\nk1,6.96,50.94\nm1,7.63,51.96\n' > distpts.csv

case_begin "regions:FILE and init --regions of a DBF whose code page GDAL does not know (Latin-1, no .cpg): names read as Windows-1252 into UTF-8, exported as valid GeoJSON"
DB=dist.sqlite
fp_init $DB
"$FP" -q --db $DB import distpts.csv
run --db $DB aggregate --by regions:dist.shp --name dist
assert_eq 0 "$RC" "aggregate: exit status ($OUT)"
assert_eq "D01|Köln-Süd|1
D02|Münster|1" "$(sql "SELECT code, name, projects FROM agg_dist WHERE code <> '_unassigned' ORDER BY code")" "aggregate: names as UTF-8"
run --db $DB export --what aggregate:dist -o dist_out.geojson
assert_eq 0 "$RC" "export: exit status ($OUT)"
assert_eq "D01 Köln-Süd|D02 Münster" "$(python3 -c "
import json, sys
d = json.loads(open('dist_out.geojson', 'rb').read().decode('utf-8'))
print('|'.join(sorted(f['properties']['code'] + ' ' + f['properties']['name'] for f in d['features'] if f['properties']['code'] != '_unassigned')))")" "export: valid UTF-8 GeoJSON"
run --db distinit.sqlite init --regions dist.shp
assert_eq 0 "$RC" "init --regions: exit status ($OUT)"
assert_eq "D01|Köln-Süd
D02|Münster" "$(sqlite3 distinit.sqlite "SELECT code, name FROM regions ORDER BY code")" "init --regions: names as UTF-8"
case_end

case_begin "Baarle is not modelled by the shipped regions (so the enclave case uses a custom layer)"
assert_eq "0" "$(ogr "SELECT count(*) AS n FROM regions WHERE level='country' AND code='BEL' AND ST_Intersects(geom, MakePoint(4.9296, 51.4390))")" "Baarle-Hertog point not in BEL"
case_end

DB=holes.sqlite
fp_init $DB
cat > holes.csv <<EOF
id,lon,lat
H1,12,12
H2,10.5,12
H3,11.2,12
H4,11.5,12
H5,11,12
EOF
"$FP" -q --db $DB import holes.csv
T=agg_regions
"$FP" -q --db $DB aggregate --by "regions:$AGG/holes.geojson" $TH

case_begin "a point in an enclave inside a hole goes to the enclave, not the surrounding region"
assert_eq "ENC|contained" "$(where H1)" "H1 (12,12) in ENC"
assert_eq "OUT|contained" "$(where H2)" "H2 (10.5,12) in OUT's ring"
# H4 on ENC's edge, H5 on the hole's edge: each touches one region only.
assert_eq "ENC|boundary" "$(where H4)" "H4 on ENC's edge"
assert_eq "OUT|boundary" "$(where H5)" "H5 on the hole's edge"
case_end

case_begin "a point in the empty part of a hole snaps to the nearest edge (geod), or stays unassigned"
# H3 (11.2,12): 0.2 deg from the hole's edge x=11 (OUT), 0.3 deg from ENC.
dOUT=$(geod_km 12 11.2 12 11); dENC=$(geod_km 12 11.2 12 11.5)
assert_true "$dOUT < 25 < $dENC" "fixture: OUT within 25 km ($dOUT), ENC not ($dENC)"
assert_eq "OUT|snapped" "$(where H3)" "H3"
assert_near "$dOUT" "$(dist H3)" 0.05 "H3 distance_km"
"$FP" -q --db $DB aggregate --by "regions:$AGG/holes.geojson" --snap-km 0 --name nosnap $TH
assert_eq "|unassigned" "$(where H3 agg_nosnap)" "H3 with --snap-km 0"
case_end

# Antimeridian on a custom layer (tests/fixtures/aggregate/antimeridian.geojson):
# E = [179,180]x[0,1] stops at +180; W = [-170,-169]x[0,1] is far away.
DB=am.sqlite
fp_init $DB
printf 'id,lon,lat\nM1,-179.97,0.5\nM2,-180,0.5\n' > am.csv
"$FP" -q --db $DB import am.csv
T=agg_regions
"$FP" -q --db $DB aggregate --by "regions:$AGG/antimeridian.geojson" $TH
"$FP" -q --db $DB aggregate --by "regions:$AGG/antimeridian.geojson" --snap-km 0 --name nosnap $TH

case_begin "antimeridian: a point just east of -180 snaps across it to a region ending at +180"
# geod: (0.5,-179.97) to E's edge at (0.5,180) is 3.34 km (across the date line);
# planar lon/lat distance would be 359.97 degrees.
d=$(geod_km 0.5 -179.97 0.5 180)
assert_true "$d < 4" "fixture: geod distance $d"
assert_eq "E|snapped" "$(where M1)" "M1"
assert_near "$d" "$(dist M1)" 0.01 "M1 distance_km"
case_end

case_begin "antimeridian: lon -180 is lon 180, so (-180,0.5) is on E's edge even with --snap-km 0"
# geod: (0.5,-180) to (0.5,180) is 0 km; the point is on E's boundary.
assert_eq "0.000000" "$(geod_km 0.5 -180 0.5 180)" "fixture: same point"
assert_eq "E" "$(where M2 | cut -d'|' -f1)" "M2, default snap"
assert_eq "E|boundary" "$(where M2 agg_nosnap)" "M2 with --snap-km 0"
case_end

# ==============================================================================
# 3. The world: the shipped countries and admin-1 regions.
# ==============================================================================
DB=world.sqlite
fp_init $DB
# A point 5 km out to sea off the Kenyan coast near Malindi (coast point
# 40.12908,-3.25189 of the KEN polygon, heading 120 deg, away from the coast).
read -r K5X K5Y <<<"$(geod_to -3.25189 40.12908 120 5)"
read -r K500X K500Y <<<"$(geod_to -3.25189 40.12908 120 500)"
CABLE="MULTILINESTRING((139.75 35.68,180 40),(-180 40,-122 37.5))"
cat > world.csv <<EOF
id,company,category,amount,year,wkt,place
W1,Acme,5G,100,2019,POINT(36.8 -1.3),
W2,Acme,Smart City,50,2020,POINT(27.48 -29.31),
W3,Beta,5G,10,2018,POINT(178.4 -18.1),
W4,Beta,,10,2017,POINT(-179.95 -16.8),
W5,Gamma,surveillance,10,2016,POINT(176 66),
W6,Gamma,surveillance,10,2015,POINT(-175 66),
W7,Delta,research,10,2014,POINT(0 -90),
W8,Delta,research,10,2013,POINT(0 90),
W9,Epsilon,cable,10,2012,POINT($K5X $K5Y),
W10,Epsilon,cable,10,2011,POINT($K500X $K500Y),
W11,Zeta,cable,1000,2021,"$CABLE",
W12,Zeta,Smart City,10,2022,,Nowhereville
EOF
"$FP" -q --db $DB import world.csv
NPROJ=$(sql "SELECT count(*) FROM projects WHERE geom IS NOT NULL")
T=agg_country_by_category
run --db $DB aggregate --by country --group category $TH

case_begin "--by country --group category runs; name country_by_category; check passed"
assert_eq 11 "$NPROJ" "fixture: 11 projects with a geometry (W12 has none)"
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "passed" "check line"
assert_eq "agg_country_by_category" "$(sql "SELECT result_table FROM aggregations WHERE name='country_by_category'")" "catalogue"
assert_eq "$NPROJ" "$(sql "SELECT projects FROM aggregations WHERE name='country_by_category'")" "catalogue projects"
case_end

case_begin "point in a hole: Maseru is in Lesotho (LSO), not South Africa (ZAF)"
assert_eq "LSO" "$(ogr "SELECT code AS c FROM regions WHERE level='country' AND ST_Contains(geom, MakePoint(27.48,-29.31))")" "ogrinfo: LSO contains Maseru"
assert_eq "1|0" "$(ogr "SELECT (MbrMinX(geom) < 27.48 AND MbrMaxX(geom) > 27.48 AND MbrMinY(geom) < -29.31 AND MbrMaxY(geom) > -29.31) AS m, ST_Intersects(geom, MakePoint(27.48,-29.31)) AS i FROM regions WHERE code='ZAF'" | paste -sd'|')" "ogrinfo: ZAF's box holds Maseru, its polygon does not"
assert_eq "LSO|contained" "$(where W2)" "W2"
case_end

case_begin "antimeridian: Fiji on both sides of 180, Chukotka on both sides of 180"
for k in "W3 178.4 -18.1" "W4 -179.95 -16.8" "W5 176 66" "W6 -175 66"; do
    set -- $k
    exp=$(ogr "SELECT code AS c FROM regions WHERE level='country' AND ST_Contains(geom, MakePoint($2,$3))")
    assert_eq "$exp|contained" "$(where "$1")" "$1 ($2,$3), ogrinfo says [$exp]"
done
assert_eq "FJI FJI RUS RUS" "$(sql "SELECT group_concat(region_code, ' ') FROM (SELECT region_code FROM $T""_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key IN ('W3','W4','W5','W6') ORDER BY p.source_key)")" "codes"
case_end

case_begin "a Pacific cable cut at 180: small land shares (ogrinfo/SpatiaLite lengths), the rest unassigned"
L="GeomFromText('$CABLE')"
total=$(ogr "SELECT GeodesicLength($L)/1000 AS t FROM regions LIMIT 1")
jpn=$(ogr "SELECT GeodesicLength(ST_Intersection(geom, $L))/1000 AS k FROM regions WHERE level='country' AND code='JPN'")
usa=$(ogr "SELECT GeodesicLength(ST_Intersection(geom, $L))/1000 AS k FROM regions WHERE level='country' AND code='USA'")
assert_eq "JPN USA" "$(ogr "SELECT code AS c FROM regions WHERE level='country' AND ST_Intersects(geom, $L) ORDER BY code" | paste -sd' ')" "ogrinfo: only JPN and USA are crossed"
assert_near "$(calc "$jpn/$total")" "$(share W11 JPN)" 0.0005 "JPN share ($jpn of $total km)"
assert_near "$(calc "$usa/$total")" "$(share W11 USA)" 0.0005 "USA share ($usa of $total km)"
assert_near "$(calc "1-($jpn+$usa)/$total")" "$(share W11 '')" 0.001 "unassigned share"
assert_near 1 "$(sql "SELECT sum(share) FROM ${T}_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key='W11'")" 0.000000001 "shares sum to 1"
case_end

case_begin "the poles: (0,-90) is on Antarctica's edge -> ATA (boundary); (0,90) is unassigned"
assert_eq "0|1" "$(ogr "SELECT ST_Contains(geom, MakePoint(0,-90)) AS c, ST_Intersects(geom, MakePoint(0,-90)) AS i FROM regions WHERE code='ATA'" | paste -sd'|')" "ogrinfo: south pole on ATA's boundary"
assert_eq "ATA|boundary" "$(where W7)" "W7 south pole"
# the northernmost land (max Y of regions.gpkg) is far more than 25 km away.
maxy=$(ogr "SELECT max(MbrMaxY(geom)) AS y FROM regions")
assert_true "$(geod_km 90 0 "$maxy" 0) > 25" "fixture: land within 25 km of the north pole"
assert_eq "|unassigned" "$(where W8)" "W8 north pole"
case_end

case_begin "a point 5 km off the Kenyan coast snaps to KEN at the geod distance to the coast; 500 km out is unassigned"
assert_eq "0" "$(ogr "SELECT count(*) AS n FROM regions WHERE ST_Intersects(geom, MakePoint($K5X,$K5Y))")" "ogrinfo: the 5 km point is at sea"
assert_eq "KEN" "$(ogr "SELECT code AS c FROM regions WHERE level='country' ORDER BY ST_Distance(geom, MakePoint($K5X,$K5Y)) LIMIT 1")" "ogrinfo: KEN is the nearest country"
read -r cx cy <<<"$(ogr "SELECT X(ST_ClosestPoint(geom, MakePoint($K5X,$K5Y))) AS x, Y(ST_ClosestPoint(geom, MakePoint($K5X,$K5Y))) AS y FROM regions WHERE code='KEN'" | paste -sd' ')"
exp=$(geod_km "$K5Y" "$K5X" "$cy" "$cx")
assert_eq "KEN|snapped" "$(where W9)" "W9"
assert_near "$exp" "$(dist W9)" 0.5 "W9 distance_km (geod to the coast point $cx,$cy)"
assert_eq "0" "$(ogr "SELECT count(*) AS n FROM regions WHERE ST_Distance(geom, MakePoint($K500X,$K500Y)) < 1")" "ogrinfo: nothing within 1 deg of the 500 km point"
assert_eq "|unassigned" "$(where W10)" "W10"
case_end

case_begin "zeros: all 252 countries plus _unassigned exist; subregion and continent rows too"
assert_eq "253" "$(sql "SELECT count(*) FROM $T WHERE level='country'")" "country rows"
assert_eq "$(sql "SELECT count(*) FROM regions WHERE level='country'") 1" "$(sql "SELECT count(*) FROM $T t JOIN regions r ON r.level='country' AND r.code=t.code WHERE t.level='country'") $(sql "SELECT count(*) FROM $T WHERE level='country' AND code='_unassigned'")" "every store country + _unassigned"
assert_eq "0|0.0|0" "$(sql "SELECT projects, projects_weighted, companies FROM $T WHERE level='country' AND code='BEL'")" "BEL is a zero row"
ncont=$(sql "SELECT count(DISTINCT continent) FROM regions WHERE level='country'")
assert_eq "$((ncont + 1))" "$(sql "SELECT count(*) FROM $T WHERE level='continent'")" "continent rows"
assert_eq "continent country subregion" "$(sql "SELECT group_concat(level, ' ') FROM (SELECT DISTINCT level FROM $T ORDER BY level)")" "levels"
case_end

case_begin "every level adds up to the project count; continents are the sums of their countries"
for lv in country subregion continent; do
    assert_near "$NPROJ" "$(sql "SELECT sum(projects_weighted) FROM $T WHERE level='$lv'")" 0.000001 "$lv total"
done
# continent of each country from the store's regions table (loaded by init)
bad=$(sql "SELECT c.code, c.projects_weighted, s.w FROM $T c JOIN (
             SELECT r.continent AS k, sum(t.projects_weighted) AS w, sum(t.amount) AS am FROM $T t
             JOIN regions r ON r.level='country' AND r.code=t.code WHERE t.level='country' GROUP BY r.continent) s
           ON s.k = c.code WHERE c.level='continent' AND (abs(c.projects_weighted - s.w) > 1e-9 OR abs(c.amount - s.am) > 1e-6)")
assert_eq "" "$bad" "continent != sum of its countries"
assert_eq "$(col _unassigned projects_weighted country)" "$(col _unassigned projects_weighted continent)" "same unassigned at every level"
case_end

# The same rows in another order (a re-sorted sheet): the same columns in
# the same order, the values' byte order ('' first, as category_none).
case_begin "--group: the group columns in byte order of their values whatever the rows' order (the CSV header and the GeoPackage's fields do not move)"
printf 'id,category,lon,lat\n1,telecom,36.82,-1.29\n2,Smart city,30.06,-1.94\n3,,32.58,0.35\n4,data_centre,39.27,-6.8\n5,telecom,36.9,-1.3\n' > order_a.csv
{ head -1 order_a.csv; tail -n +2 order_a.csv | tac; } > order_b.csv
for v in a b; do
    fp_init order_$v.sqlite >/dev/null 2>&1
    "$FP" -q --db order_$v.sqlite import order_$v.csv --dataset d || fail "import order_$v"
    "$FP" -q --db order_$v.sqlite aggregate --by country --group category --name g || fail "aggregate order_$v"
done
cols_of() { sqlite3 "$1" "SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info('agg_g') WHERE name LIKE 'category%' ORDER BY cid)"; }
assert_eq "category_none category_smart_city category_data_centre category_telecom" "$(cols_of order_a.sqlite)" "columns of the file as written"
assert_eq "$(cols_of order_a.sqlite)" "$(cols_of order_b.sqlite)" "columns of the reversed file"
assert_eq "2.0" "$(sqlite3 order_b.sqlite "SELECT category_telecom FROM agg_g WHERE level = 'country' AND code = 'KEN'")" "Kenya's two telecom projects"
case_end

case_begin "--group category: one column per value, summing to projects_weighted on every row"
cols=$(sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM pragma_table_info('$T') WHERE name LIKE 'category\_%' ESCAPE '\\' ORDER BY name)")
assert_eq "category_5g category_cable category_none category_research category_smart_city category_surveillance" "$cols" "columns"
expr=$(sed 's/ / + /g' <<<"$cols")
assert_eq "0" "$(sql "SELECT count(*) FROM $T WHERE abs(($expr) - projects_weighted) > 1e-9")" "rows where the columns do not add up"
assert_eq "1.0|1.0" "$(sql "SELECT category_5g, category_none FROM $T WHERE level='subregion' AND code='Melanesia'")" "Melanesia: W3 (5G) and W4 (empty -> category_none)"
assert_eq "1.0" "$(col LSO category_smart_city country)" "LSO: Smart City"
case_end

case_begin "--by admin1: admin1, country, subregion, continent rows, each level totals the project count"
T=agg_admin1
run --db $DB aggregate --by admin1 $TH
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "passed" "check line"
assert_eq "$(( $(sql "SELECT count(*) FROM regions WHERE level='admin1'") + 1 ))" "$(sql "SELECT count(*) FROM $T WHERE level='admin1'")" "admin1 rows (4596 + 1)"
assert_eq "253" "$(sql "SELECT count(*) FROM $T WHERE level='country'")" "country rows"
assert_eq "admin1 continent country subregion" "$(sql "SELECT group_concat(level, ' ') FROM (SELECT DISTINCT level FROM $T ORDER BY level)")" "levels"
for lv in admin1 country subregion continent; do
    assert_near "$NPROJ" "$(sql "SELECT sum(projects_weighted) FROM $T WHERE level='$lv'")" 0.000001 "$lv total"
done
# countries = sum of their admin-1 (parent from the store's regions table)
bad=$(sql "SELECT c.code FROM $T c JOIN (SELECT r.parent AS k, sum(t.projects_weighted) AS w FROM $T t
           JOIN regions r ON r.level='admin1' AND r.code=t.code WHERE t.level='admin1' GROUP BY r.parent) s
           ON s.k = c.code WHERE c.level='country' AND abs(c.projects_weighted - s.w) > 1e-9")
assert_eq "" "$bad" "country != sum of its admin-1"
# admin-1 inside the expected country: Nairobi, Maseru
assert_eq "KEN LSO" "$(sql "SELECT r.parent FROM ${T}_assign a JOIN projects p ON p.id=a.project_id JOIN regions r ON r.level='admin1' AND r.code=a.region_code WHERE p.source_key='W1'") $(sql "SELECT r.parent FROM ${T}_assign a JOIN projects p ON p.id=a.project_id JOIN regions r ON r.level='admin1' AND r.code=a.region_code WHERE p.source_key='W2'")" "parents"
exp=$(ogr "SELECT code AS c FROM regions WHERE level='admin1' AND ST_Contains(geom, MakePoint(36.8,-1.3))")
assert_eq "$exp|contained" "$(where W1)" "W1 admin-1 (ogrinfo: $exp)"
case_end

case_begin "--by continent gives continent rows only"
T=agg_continent
run --db $DB aggregate --by continent $TH
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "continent|$((ncont + 1))" "$(sql "SELECT group_concat(DISTINCT level), count(*) FROM $T")" "rows"
assert_eq "Africa|contained" "$(where W1)" "W1 in Africa"
case_end

case_begin "--group on a field nobody has is refused as a typo, and nothing is stored"
# Decision (README): a field that is no project column and that no project
# carries in its extra columns is almost certainly misspelt.
run --db $DB aggregate --by continent --group nosuchfield $TH
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "--group nosuchfield: no project has this field" "message"
assert_eq "0" "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'agg_continent_by_nosuchfield'")" "no table"
case_end

# ==============================================================================
# 4. Grids and hexagons.
# ==============================================================================
DB=grid.sqlite
fp_init $DB
cat > grid.csv <<EOF
id,lon,lat
G1,10,20
G2,-180,-90
G3,179.99,89.99
G4,36.8,-1.3
G5,-0.000001,-0.000001
EOF
"$FP" -q --db $DB import grid.csv

case_begin "grid:10: half-open cells named by their lower-left corner"
T=agg_grid_10
run --db $DB aggregate --by grid:10 $TH
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "10_20" "$(where G1 | cut -d'|' -f1)" "(10,20) -> cell 10_20 (lower/left edges belong to the cell)"
assert_eq "-180_-90" "$(where G2 | cut -d'|' -f1)" "(-180,-90)"
assert_eq "170_80" "$(where G3 | cut -d'|' -f1)" "(179.99,89.99)"
assert_eq "30_-10" "$(where G4 | cut -d'|' -f1)" "(36.8,-1.3)"
assert_eq "-10_-10" "$(where G5 | cut -d'|' -f1)" "just below and left of (0,0)"
assert_eq "0" "$(sql "SELECT count(*) FROM ${T}_assign WHERE region_code IS NULL")" "none unassigned"
case_end

case_begin "grid:10 over the whole world: 648 cells whose areas add up to the ellipsoid's surface"
world=$(zone_km2 -180 180 -90 90)
assert_near 510065621.7 "$world" 1 "zone formula: WGS84 surface area"
assert_eq "648|grid" "$(sql "SELECT count(*), group_concat(DISTINCT level) FROM $T WHERE code<>'_unassigned'")" "36 x 18 cells"
assert_near "$world" "$(sql "SELECT sum(area_km2) FROM $T")" 1 "sum of cell areas"
assert_near "$(zone_km2 10 20 20 30)" "$(col 10_20 area_km2)" 0.01 "cell 10_20 area"
assert_near "$(zone_km2 170 180 80 90)" "$(col 170_80 area_km2)" 0.01 "polar cell 170_80 area"
assert_near 5 "$(sql "SELECT sum(projects_weighted) FROM $T")" 0.000001 "projects"
case_end

case_begin "grid cells cover only the projects' extent; fractional sizes are named with %.10g"
printf 'id,lon,lat\nE1,10,20\nE2,25.5,41\n' > ext.csv
fp_init ext.sqlite; "$FP" -q --db ext.sqlite import ext.csv
run --db ext.sqlite aggregate --by grid:10 $TH
assert_eq 0 "$RC" "exit status ($OUT)"
# lon cells 10, 20; lat cells 20, 30, 40
assert_eq "10_20 10_30 10_40 20_20 20_30 20_40" "$(sqlite3 ext.sqlite "SELECT group_concat(code, ' ') FROM (SELECT code FROM agg_grid_10 WHERE code<>'_unassigned' ORDER BY code)")" "cells"
run --db ext.sqlite aggregate --by grid:0.5 $TH
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "10_20 25.5_41" "$(sqlite3 ext.sqlite "SELECT group_concat(code, ' ') FROM (SELECT a.region_code AS code FROM agg_grid_0_5_assign a ORDER BY a.project_id)")" "grid:0.5 codes (table agg_grid_0_5)"
case_end

case_begin "hex:500: every point gets the hexagon PROJ + axial rounding predict; none unassigned"
T=agg_hex_500
run --db $DB aggregate --by hex:500 $TH
assert_eq 0 "$RC" "exit status ($OUT)"
for k in "G1 10 20" "G2 -180 -90" "G3 179.99 89.99" "G4 36.8 -1.3" "G5 -0.000001 -0.000001"; do
    set -- $k
    assert_eq "$(hex_code "$2" "$3" 500)|contained" "$(where "$1")" "$1 ($2,$3)"
done
assert_eq "0" "$(sql "SELECT count(*) FROM ${T}_assign WHERE region_code IS NULL")" "none unassigned"
assert_near 5 "$(sql "SELECT sum(projects_weighted) FROM $T WHERE code<>'_unassigned'")" 0.000001 "projects"
assert_eq "hex" "$(sql "SELECT group_concat(DISTINCT level) FROM $T")" "level"
# a whole hexagon in the equal-area plane: sqrt(3)/2 · 500²
assert_near "$(calc "3**0.5/2*500**2")" "$(col "$(hex_code 36.8 -1.3 500)" area_km2)" 1 "area of a whole hexagon"
# global extent: the hexagons, cut at the projection's edges, tile the ellipsoid
assert_near "$(zone_km2 -180 180 -90 90)" "$(sql "SELECT sum(area_km2) FROM $T")" 10 "sum of hexagon areas"
case_end

# ==============================================================================
# 5. Bad input, and nothing half-written.
# ==============================================================================
DB=strip.sqlite
case_begin "bad --by: usage error naming the value"
run --db $DB aggregate --by nonsense
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "--by nonsense" "message"
run --db $DB aggregate --by grid:0
assert_eq 2 "$RC" "grid:0 exit status"
assert_contains "$OUT" "grid:0" "grid:0 message"
run --db $DB aggregate --by hex:abc
assert_eq 2 "$RC" "hex:abc exit status"
assert_contains "$OUT" "hex:abc" "hex:abc message"
case_end

case_begin "regions:missing.gpkg: exit 1, the message names the file"
run --db $DB aggregate --by regions:missing.gpkg
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "missing.gpkg" "message"
case_end

case_begin "regions file with duplicate codes: exit 1, the message names the code"
run --db $DB aggregate --by "regions:$AGG/dup_codes.geojson"
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "dup_codes.geojson" "file named"
assert_contains "$OUT" "'DUPE'" "code named"
case_end

case_begin "regions file with a LineString: exit 1, the message names the feature"
run --db $DB aggregate --by "regions:$AGG/with_line.geojson"
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "with_line.geojson" "file named"
assert_contains "$OUT" "feature 2 (ROAD)" "feature named"
run --db $DB aggregate --by "regions:$AGG/strip.geojson:nofield"
assert_contains "$OUT" "nofield" "unknown CODEFIELD named"
case_end

case_begin "a failing aggregate leaves the stored aggregation of the same name unchanged"
"$FP" -q --db $DB aggregate --by "regions:$AGG/strip.geojson" --name keep $TH
snap() { sql "SELECT * FROM agg_keep ORDER BY id" "SELECT * FROM agg_keep_assign ORDER BY project_id, region_code" \
             "SELECT name, level, spec, group_fields, snap_km, projects, unassigned, result_table, assign_table, created FROM aggregations WHERE name='keep'" \
             "SELECT name FROM sqlite_master ORDER BY name" | md5sum; }
before=$(snap)
run --db $DB aggregate --by "regions:$AGG/dup_codes.geojson" --name keep $TH
assert_eq 1 "$RC" "dup codes fails"
assert_eq "$before" "$(snap)" "after the dup-codes failure"
run --db $DB aggregate --by "regions:$AGG/with_line.geojson" --name keep --group category $TH
assert_eq 1 "$RC" "line fails"
assert_eq "$before" "$(snap)" "after the line failure"
assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity"
case_end

# --- near borders and coasts: slivers, snapping lines and polygons ----------
# tests/fixtures/aggregate/near_borders.geojson (by construction):
#   lso-exact  a fan inside Lesotho whose edges are Lesotho's own border vertices;
#   lso-fan    the same fan with three vertices lifted 1e-10 degrees north, i.e.
#              into South Africa by float noise (old: a ZAF share of 7.8e-11);
#   yap-site   a 50 m square off the east coast of Yap (FSM), wholly at sea;
#   yap-cable  a 2.2 km line south of Yap, wholly at sea;
#   bern, rhine  a point and a line crossing France/Germany (ordinary cases).
DB=near.sqlite
fp_init $DB
"$FP" -q --db $DB import "$AGG/near_borders.geojson"
# Distances from the shipped FSM polygon, by SpatiaLite on the ellipsoid (km).
d_site=$(ssql "SELECT ST_Distance((SELECT geom FROM regions WHERE code='FSM'), (SELECT geom FROM projects WHERE source_key='yap-site'), 1) / 1000.0")
d_cable=$(ssql "SELECT ST_Distance((SELECT geom FROM regions WHERE code='FSM'), (SELECT geom FROM projects WHERE source_key='yap-cable'), 1) / 1000.0")
# Nothing else within 100 km of either (so FSM is the nearest region).
near_other=$(ssql "SELECT count(*) FROM regions r, projects p WHERE r.level='country' AND r.code <> 'FSM'
                   AND p.source_key LIKE 'yap%' AND ST_Distance(r.geom, p.geom, 1) < 100000")

case_begin "slivers: shares below 1e-9 are folded, shares sum to 1, no phantom unassigned row"
run --db $DB aggregate --by country --name near $TH
assert_eq 0 "$RC" "aggregate: $OUT"
assert_eq "0" "$(sql "SELECT count(*) FROM agg_near_assign WHERE share < 1e-9")" "shares below the epsilon"
assert_eq "LSO|1" "$(sql "SELECT group_concat(a.region_code), count(*) FROM agg_near_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = 'lso-fan'")" "lso-fan: Lesotho only"
assert_eq "0" "$(sql "SELECT count(*) FROM agg_near_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key LIKE 'lso%' AND a.region_code IS NULL")" "no unassigned row for a project on land"
# Every project's shares sum to 1 (to the last bits of a double).
assert_eq "0" "$(sql "SELECT count(*) FROM (SELECT project_id, sum(share) s FROM agg_near_assign GROUP BY project_id) WHERE abs(s - 1) > 1e-12")" "sums"
# The ordinary split still splits, in proportion to the geodesic lengths on each side.
fra=$(ssql "SELECT GeodesicLength(ST_Intersection(p.geom, r.geom)) / GeodesicLength(p.geom) FROM projects p, regions r WHERE p.source_key='rhine' AND r.code='FRA'")
assert_near "$fra" "$(sql "SELECT a.share FROM agg_near_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key='rhine' AND a.region_code='FRA'")" 1e-4 "rhine FRA share"
case_end

case_begin "a polygon and a line wholly at sea within --snap-km go whole to the nearest region, like a point"
assert_eq "0" "$near_other" "no other country within 100 km"
python3 -c "import sys; d=float('$d_site'); sys.exit(0 if 1 < d < 2.5 else 1)" || fail "yap-site distance $d_site km not between 1 and 2.5"
python3 -c "import sys; d=float('$d_cable'); sys.exit(0 if 2.5 < d < 4 else 1)" || fail "yap-cable distance $d_cable km not between 2.5 and 4"
run --db $DB aggregate --by country --snap-km 5 --name snap5 $TH
assert_eq 0 "$RC" "aggregate: $OUT"
assert_contains "$OUT" "2 snapped to the nearest region" "summary counts the polygon and the line as snapped"
assert_contains "$OUT" "0 unassigned" "nothing unassigned"
for k in yap-site yap-cable; do
    assert_eq "FSM|1.0|snapped|1" "$(sql "SELECT a.region_code, a.share, a.method, count(*) FROM agg_snap5_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = '$k'")" "$k snapped whole"
done
assert_near "$d_site" "$(sql "SELECT a.distance_km FROM agg_snap5_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = 'yap-site'")" 0.01 "yap-site distance"
assert_near "$d_cable" "$(sql "SELECT a.distance_km FROM agg_snap5_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = 'yap-cable'")" 0.01 "yap-cable distance"
# Beyond --snap-km: 1 km is less than both distances.
run --db $DB aggregate --by country --snap-km 1 --name snap1 $TH
assert_contains "$OUT" "2 unassigned" "both unassigned at 1 km"
assert_eq "2" "$(sql "SELECT count(*) FROM agg_snap1_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key LIKE 'yap%' AND a.region_code IS NULL AND a.share = 1 AND a.method = 'unassigned'")" "unassigned rows"
# Between the two distances: the site snaps, the cable does not.
mid=$(python3 -c "print(($d_site + $d_cable) / 2)")
run --db $DB aggregate --by country --snap-km "$mid" --name snapmid $TH
assert_eq "yap-cable||unassigned
yap-site|FSM|snapped" "$(sql "SELECT p.source_key, a.region_code, a.method FROM agg_snapmid_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key LIKE 'yap%' ORDER BY 1")" "at $mid km"
case_end

# An outside tester's Fiji-Tonga cable (765 km, cut at 180 as a MultiLineString):
# both ends a km or two off the simplified coasts, the rest open sea. Before,
# "wholly outside every region, within --snap-km" sent all of it to Tonga.
case_begin "a long line with only its ends near a coast stays at sea, not snapped whole to one end's country"
cat > fiji_tonga.geojson <<'JSON'
{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"ft","company":"CableCo","category":"cable"},
 "geometry":{"type":"MultiLineString","coordinates":[[[178.44,-18.14],[179.5,-19],[180,-19.5]],[[-180,-19.5],[-176,-20.5],[-175.2,-21.13]]]}}]}
JSON
fp_init ft.sqlite && "$FP" -q --db ft.sqlite import fiji_tonga.geojson
# SpatiaLite's ellipsoidal distances (km): the ends within 25 km of FJI and
# TON, the vertex at (-176, -20.5) farther than 25 km from every country.
d_end=$(DB=ft.sqlite ssql "SELECT round(max(ST_Distance((SELECT geom FROM regions WHERE code='FJI'), MakePoint(178.44,-18.14,4326), 1), ST_Distance((SELECT geom FROM regions WHERE code='TON'), MakePoint(-175.2,-21.13,4326), 1)) / 1000.0, 1)")
python3 -c "import sys; sys.exit(0 if float('$d_end') < 25 else 1)" || fail "the ends are not within 25 km of FJI and TON: $d_end km"
d_mid=$(DB=ft.sqlite ssql "SELECT min(ST_Distance(geom, MakePoint(-176,-20.5,4326), 1)) / 1000.0 FROM regions WHERE level = 'country'")
python3 -c "import sys; sys.exit(0 if float('$d_mid') > 25 else 1)" || fail "(-176, -20.5) is within 25 km of a country: $d_mid km"
run --db ft.sqlite aggregate --by country --name ft $TH
assert_eq 0 "$RC" "aggregate: $OUT"
assert_eq "|1.0|unassigned|1" "$(DB=ft.sqlite sql "SELECT coalesce(a.region_code, ''), a.share, a.method, count(*) FROM agg_ft_assign a")" "the cable at sea, whole"
assert_contains "$OUT" "0 snapped to the nearest region" "nothing snapped"
case_end

# A line along the antimeridian (an outside tester's cable with float noise
# at 180 left such a piece): the hexagons at the world's edge reach exactly
# +-180 (they stopped at 179.99999999999997, and the line fell between).
case_begin "hex:500: a line along 180 and one along -180 go to the edge hexagons, nothing unassigned"
cat > edge180.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"E3","category":"cable"},"geometry":{"type":"LineString","coordinates":[[180,-30],[180,-20]]}},
{"type":"Feature","properties":{"id":"E5","category":"cable"},"geometry":{"type":"LineString","coordinates":[[-180,-30],[-180,-20]]}}]}
JSON
fp_init e180.sqlite && "$FP" -q --db e180.sqlite import edge180.geojson
run --db e180.sqlite aggregate --by hex:500 --name hx $TH
assert_eq 0 "$RC" "aggregate: $OUT"
assert_contains "$OUT" "0 unassigned" "nothing unassigned"
assert_eq "0" "$(DB=e180.sqlite sql "SELECT count(*) FROM (SELECT project_id, sum(share) s FROM agg_hx_assign GROUP BY project_id) WHERE abs(s - 1) > 1e-9")" "each line's shares sum to 1"
# Every hexagon a line went to reaches the line's meridian (SpatiaLite reads the table).
assert_eq "E3 180.0|E5 -180.0" "$(DB=e180.sqlite ssql "SELECT group_concat(k || ' ' || x, '|') FROM (SELECT DISTINCT p.source_key k,
  CASE WHEN p.source_key = 'E3' THEN max(ST_MaxX(h.geom)) ELSE min(ST_MinX(h.geom)) END x
  FROM agg_hx_assign a JOIN projects p ON p.id = a.project_id JOIN agg_hx h ON h.code = a.region_code GROUP BY p.source_key ORDER BY 1)")" "the edge hexagons reach +-180 exactly"
case_end

# km of line per region (the cable tester: "km per country had to be computed
# outside footprint"). A line along 48 N from 2 E to 12 E, a vertex every
# 0.05 degrees (so straight-in-lon/lat and geodesic edges agree), and a point:
# length_km per country against SpatiaLite's GeodesicLength of the line cut by
# the country; a store of points only gets no such column.
case_begin "length_km: the lines' km per region (share x length), as SpatiaLite measures the line cut by each country; none for points"
python3 -c "
import json
line = [[round(2 + 0.05 * k, 2), 48.0] for k in range(201)]
fs = [{'type': 'Feature', 'properties': {'id': 'L1', 'company': 'CableCo', 'category': 'cable'}, 'geometry': {'type': 'LineString', 'coordinates': line}},
      {'type': 'Feature', 'properties': {'id': 'P1', 'company': 'CableCo', 'category': 'station'}, 'geometry': {'type': 'Point', 'coordinates': [2.35, 48.85]}}]
json.dump({'type': 'FeatureCollection', 'features': fs}, open('km.geojson', 'w'))"
fp_init km.sqlite && "$FP" -q --db km.sqlite import km.geojson
run --db km.sqlite aggregate --by country --name km $TH
assert_eq 0 "$RC" "aggregate: $OUT"
got=$(DB=km.sqlite sql "SELECT code || ' ' || printf('%.3f', length_km) FROM agg_km WHERE level = 'country' AND length_km > 0 ORDER BY code")
exp=$(DB=km.sqlite ssql "SELECT r.code || ' ' || printf('%.3f', GeodesicLength(ST_Intersection(r.geom, p.geom)) / 1000.0) FROM regions r, projects p
  WHERE r.level = 'country' AND p.source_key = 'L1' AND ST_Intersects(r.geom, p.geom) ORDER BY r.code")
assert_eq "DEU FRA" "$(echo $(cut -d' ' -f1 <<<"$exp"))" "SpatiaLite: the line crosses France and Germany"
assert_eq "DEU FRA" "$(echo $(cut -d' ' -f1 <<<"$got"))" "footprint: km in France and Germany"
for c in DEU FRA; do
    assert_near "$(sed -n "s/^$c //p" <<<"$exp")" "$(sed -n "s/^$c //p" <<<"$got")" 0.05 "$c km"
done
total=$(DB=km.sqlite ssql "SELECT printf('%.3f', GeodesicLength(geom) / 1000.0) FROM projects WHERE source_key = 'L1'")
assert_near "$total" "$(DB=km.sqlite sql "SELECT printf('%.3f', sum(length_km)) FROM agg_km WHERE level = 'country'")" 0.05 "the line's km over the countries (none at sea)"
printf 'id,company,category,lon,lat\nQ1,A,5g,2.35,48.85\n' > kmp.csv
"$FP" -q --db km.sqlite import kmp.csv --dataset kmp
run --db km.sqlite aggregate --by country --dataset kmp --name kmp $TH
assert_eq 0 "$RC" "aggregate of points: $OUT"
assert_eq "1|0" "$(DB=km.sqlite sql "SELECT (SELECT count(*) FROM pragma_table_info('agg_km') WHERE name = 'length_km'),
  (SELECT count(*) FROM pragma_table_info('agg_kmp') WHERE name = 'length_km')")" "length_km with the line, none for points only"
case_end

case_begin "aggregation tables: 64-bit populations for OGR, a spatial index, replaced with the table"
"$FP" -q --db $DB aggregate --by continent --name cont $TH
asia=$(sql "SELECT sum(population) FROM regions WHERE level = 'country' AND continent = 'Asia'")
assert_eq "4501210011" "$asia" "Asia's population in the shipped regions (sqlite3)"
ogrinfo -ro -q $DB -sql "SELECT code, population FROM agg_cont WHERE code = 'Asia'" > ogr.out 2> ogr.err
assert_eq "" "$(cat ogr.err)" "ogrinfo stderr"
assert_contains "$(cat ogr.out)" "population (Integer64) = $asia" "Asia through OGR"
ogrinfo -ro -so $DB agg_cont > ogr.out 2> ogr.err
assert_eq "" "$(cat ogr.err)" "ogrinfo -so stderr"
assert_contains "$(cat ogr.out)" "population: Integer64" "declared 64-bit"
ogrinfo -ro -so $DB regions > ogr.out 2>&1
assert_contains "$(cat ogr.out)" "population: Integer64" "regions too"
for t in agg_cont agg_near; do
    assert_eq "1" "$(sql "SELECT spatial_index_enabled FROM geometry_columns WHERE f_table_name = '$t'")" "$t indexed"
    assert_eq "ok" "$(sql "SELECT rtreecheck('idx_${t}_geom')")" "$t rtreecheck"
    assert_eq "$(sql "SELECT count(*) FROM $t WHERE geom IS NOT NULL")" "$(sql "SELECT count(*) FROM idx_${t}_geom")" "$t index entries"
done
# Again under the same name: the table and its index are replaced together.
"$FP" -q --db $DB aggregate --by subregion --name cont $TH
assert_eq "ok" "$(sql "SELECT rtreecheck('idx_agg_cont_geom')")" "rtreecheck after replacing"
assert_eq "$(sql "SELECT count(*) FROM agg_cont WHERE geom IS NOT NULL")" "$(sql "SELECT count(*) FROM idx_agg_cont_geom")" "index entries after replacing"
assert_eq "1" "$(sql "SELECT count(*) FROM geometry_columns WHERE f_table_name = 'agg_cont' AND spatial_index_enabled = 1")" "one geometry_columns row"
case_end

case_begin "regions:FILE is cached by content: a second run reads the cache and stores the same rows"
# Expected rows are the first run's, which read the GeoJSON through GDAL;
# the cache only has to reproduce them, byte for byte.
DB=cache.sqlite
cp strip.sqlite $DB
# A folder of this case's own: the run's shared cache holds other suites' entries.
export FOOTPRINT_CACHE="$WORK/.cache-regions"
rm -rf "$FOOTPRINT_CACHE"
cp "$AGG/strip.geojson" boxes.geojson
"$FP" -q --db $DB aggregate --by "regions:boxes.geojson" --name first $TH
assert_eq 1 "$(ls "$FOOTPRINT_CACHE" | grep -c '^regions-[0-9a-f]\{64\}\.bin$')" "one cache entry after the first run"
key=$( (printf 'FPRGNC06\0\0'; cat boxes.geojson) | sha256sum | cut -c1-64)
assert_eq "regions-$key.bin" "$(ls "$FOOTPRINT_CACHE")" "named by sha256 of version, code field and the file's bytes"
"$FP" -q --db $DB aggregate --by "regions:boxes.geojson" --name second $TH
q="SELECT project_id, coalesce(region_code,'-'), printf('%.12f', share), method FROM agg_TABLE_assign ORDER BY 1, 2"
assert_eq "$(sql "${q/TABLE/first}")" "$(sql "${q/TABLE/second}")" "same assignments from the cache"
q="SELECT level, code, name, printf('%.6f', area_km2), population, projects, hex(geom) FROM agg_TABLE ORDER BY id"
assert_eq "$(sql "${q/TABLE/first}")" "$(sql "${q/TABLE/second}")" "same rows, areas and geometries from the cache"
# A changed file is a new key: box A renamed, its rows follow the file.
sed 's/"West box"/"Far west box"/' "$AGG/strip.geojson" > boxes.geojson
"$FP" -q --db $DB aggregate --by "regions:boxes.geojson" --name third $TH
assert_eq "Far west box" "$(sql "SELECT name FROM agg_third WHERE code='A'")" "edited file read again"
assert_eq 2 "$(ls "$FOOTPRINT_CACHE" | wc -l)" "a second entry for the edited file"
# A damaged entry is a miss, not an error: the file is read again.
for f in "$FOOTPRINT_CACHE"/*.bin; do head -c 40 "$f" > "$f.cut" && mv "$f.cut" "$f"; done
run --db $DB aggregate --by "regions:boxes.geojson" --name fourth $TH
assert_eq 0 "$RC" "exit status with a truncated cache entry ($OUT)"
assert_eq "$(sql "${q/TABLE/third}")" "$(sql "${q/TABLE/fourth}")" "same rows after a damaged entry"
# FOOTPRINT_CACHE=off writes nothing.
rm -rf "$FOOTPRINT_CACHE"
FOOTPRINT_CACHE=off "$FP" -q --db $DB aggregate --by "regions:boxes.geojson" --name fifth $TH
assert_eq "no" "$([ -e "$FOOTPRINT_CACHE" ] && echo yes || echo no)" "no cache folder with FOOTPRINT_CACHE=off"
case_end

case_begin "150,000 projects (more than one thread's worth): read in parts on two threads, assignments stored chunk by chunk: every project once, in id order, as with one thread; holes in the ids"
# Points over Europe and Africa, every 45th a 0.4-degree square (split across
# borders: several shares). Deterministic; the answer is compared between
# the one-thread path (one read, assign then store) and the two-thread path
# (eight parts read by two connections, chunks stored while assigning).
python3 - <<'P' > big.csv
import random
r = random.Random(7)
print("id,company,category,wkt")
for i in range(150000):
    x, y = r.uniform(-15, 40), r.uniform(-30, 60)
    cat = ("5g", "cloud", "cable")[i % 3]
    if i % 45 == 4:
        w = f"POLYGON(({x:.5f} {y:.5f},{x+0.4:.5f} {y:.5f},{x+0.4:.5f} {y+0.4:.5f},{x:.5f} {y+0.4:.5f},{x:.5f} {y:.5f}))"
    else:
        w = f"POINT({x:.5f} {y:.5f})"
    print(f"b{i},C{i % 17},{cat},\"{w}\"")
P
fp_init big.sqlite
"$FP" -q --db big.sqlite import big.csv
# Holes: every 10th project gone (ids stay sparse, the array has gaps).
sqlite3 big.sqlite "DELETE FROM projects WHERE id % 10 = 3" || fail "cannot delete projects"
assert_eq 135000 "$(sqlite3 big.sqlite "SELECT count(*) FROM projects")" "projects left"
"$FP" -q --db big.sqlite aggregate --by country --group category --name one --threads 1
"$FP" -q --db big.sqlite aggregate --by country --group category --name two --threads 2
q="SELECT project_id, coalesce(region_code,'-'), printf('%.12f', share), method, coalesce(printf('%.9f', distance_km),'-') FROM agg_TABLE_assign ORDER BY rowid"
one=$(sqlite3 big.sqlite "${q/TABLE/one}")
two=$(sqlite3 big.sqlite "${q/TABLE/two}")
[ "$one" = "$two" ] || fail "assignments differ between one and two threads ($(diff <(echo "$one") <(echo "$two") | head -3))"
# In id order, each project present: ids strictly increase along rowid (a
# project's shares are adjacent), and the distinct ids are the table's.
assert_eq "0" "$(sqlite3 big.sqlite "SELECT count(*) FROM agg_two_assign a JOIN agg_two_assign b ON b.rowid = a.rowid + 1 WHERE b.project_id < a.project_id")" "ids in order"
assert_eq "135000" "$(sqlite3 big.sqlite "SELECT count(DISTINCT project_id) FROM agg_two_assign")" "every project"
assert_eq "0" "$(sqlite3 big.sqlite "SELECT count(*) FROM projects WHERE id NOT IN (SELECT project_id FROM agg_two_assign)")" "no project missing"
# Shares of each project sum to 1; some squares were split.
assert_eq "0" "$(sqlite3 big.sqlite "SELECT count(*) FROM (SELECT project_id, sum(share) s FROM agg_two_assign GROUP BY 1 HAVING abs(s - 1) > 1e-9)")" "shares sum to 1"
split=$(sqlite3 big.sqlite "SELECT count(*) FROM (SELECT project_id FROM agg_two_assign GROUP BY 1 HAVING count(*) > 1)")
[ "$split" -gt 100 ] || fail "only $split projects split across regions"
q="SELECT level, code, projects, printf('%.9f', projects_weighted), companies FROM agg_TABLE ORDER BY id"
assert_eq "$(sqlite3 big.sqlite "${q/TABLE/one}")" "$(sqlite3 big.sqlite "${q/TABLE/two}")" "same result rows"
case_end

case_begin "the point-in-region index is cut once for the same regions: kept in the cache folder, read by the next run, the same assignments; a damaged entry is cut again"
# big.sqlite: the 135,000 projects above (an index cut at once, not lazily).
export FOOTPRINT_CACHE="$WORK/.cache-index"   # a folder of this case's own
rm -rf "$FOOTPRINT_CACHE"
q="SELECT project_id, coalesce(region_code,'-'), printf('%.12f', share), method, coalesce(printf('%.9f', distance_km),'-') FROM agg_TABLE_assign ORDER BY rowid"
FOOTPRINT_CACHE=off "$FP" -q --db big.sqlite aggregate --by country --group category --name cut
"$FP" -q --db big.sqlite aggregate --by country --group category --name saved
assert_eq 1 "$(ls "$FOOTPRINT_CACHE" | grep -c '^index-[0-9a-f]\{64\}\.bin$')" "one index entry after the first run"
"$FP" -q --db big.sqlite aggregate --by country --group category --name loaded
assert_eq "$(sqlite3 big.sqlite "${q/TABLE/cut}")" "$(sqlite3 big.sqlite "${q/TABLE/loaded}")" "the same assignments from the cached index"
assert_eq "$(sqlite3 big.sqlite "${q/TABLE/cut}")" "$(sqlite3 big.sqlite "${q/TABLE/saved}")" "the same assignments from the run that saved it"
# Admin-1 regions: an entry of their own.
"$FP" -q --db big.sqlite aggregate --by admin1 --name a1
assert_eq 2 "$(ls "$FOOTPRINT_CACHE" | grep -c '^index-')" "a second entry for other regions"
# A damaged entry is a miss: the index is cut again, the answers the same.
for f in "$FOOTPRINT_CACHE"/index-*.bin; do head -c 100000 "$f" > "$f.cut" && mv "$f.cut" "$f"; done
run --db big.sqlite aggregate --by country --group category --name again
assert_eq 0 "$RC" "exit status with a truncated entry ($OUT)"
assert_eq "$(sqlite3 big.sqlite "${q/TABLE/cut}")" "$(sqlite3 big.sqlite "${q/TABLE/again}")" "the same assignments after a damaged entry"
export FOOTPRINT_CACHE="${FP_SHARED_CACHE:-$WORK/.cache}"
case_end

case_begin "editions in one store: --dataset counts one (cache and rows alike); without it a note names the datasets; render/tiles --dataset draw its points"
# Two editions of a list, 70,000 rows each: ids 1..140,000 fill two parts of the column
# cache, the second holding both datasets. --dataset d2 must give what a store holding
# only the d2 file gives (independent: no dataset filter there).
python3 -c "
import random
r = random.Random(5)
for name, (x0, x1, y0, y1) in (('ed1.csv', (-10, 40, -30, 30)), ('ed2.csv', (60, 120, 0, 50))):
    with open(name, 'w') as f:
        f.write('id,category,lon,lat\n')
        for i in range(70000): f.write('%d,%s,%.5f,%.5f\n' % (i, r.choice('ab'), r.uniform(x0, x1), r.uniform(y0, y1)))"
fp_init ed.sqlite && "$FP" -q --db ed.sqlite import ed1.csv --dataset d1 && "$FP" -q --db ed.sqlite import ed2.csv --dataset d2
fp_init only2.sqlite && "$FP" -q --db only2.sqlite import ed2.csv --dataset d2
assert_eq 2 "$(sqlite3 ed.sqlite "SELECT count(*) FROM projects_columns")" "column cache parts"
run --db ed.sqlite aggregate --by continent --group category
assert_contains "$OUT" "140000 projects by continent" "without --dataset: every project"
assert_contains "$OUT" "note: the store holds 2 datasets (d1, d2); all are counted" "the note"
run --db ed.sqlite aggregate --by continent --group category --dataset d2 --name e2
assert_eq 0 "$RC" "aggregate --dataset d2 ($OUT)"
assert_contains "$OUT" "70000 projects of dataset d2 by continent" "summary"
"$FP" -q --db only2.sqlite aggregate --by continent --group category --name e2
q="SELECT code || '|' || projects || '|' || coalesce(category_a, 0) FROM agg_e2 WHERE projects > 0 ORDER BY level, code"
assert_eq "$(sqlite3 only2.sqlite "$q")" "$(sqlite3 ed.sqlite "$q")" "agg_e2 equals the d2-only store's (cache)"
sqlite3 ed.sqlite "DELETE FROM projects_columns"
"$FP" -q --db ed.sqlite aggregate --by continent --group category --dataset d2 --name e2rows
assert_eq "$(sqlite3 only2.sqlite "$q")" "$(sqlite3 ed.sqlite "${q/agg_e2/agg_e2rows}")" "the same from the rows"
assert_eq 70000 "$(sqlite3 ed.sqlite "SELECT count(*) FROM agg_e2_assign")" "assignments: d2's projects only"
run --db ed.sqlite aggregate --by continent --dataset d3
assert_eq "2 footprint: --dataset d3: no project of that dataset in ed.sqlite" "$RC $OUT" "unknown dataset"
# Points: two small editions; BRA's project is only in 2025.
printf 'id,category,lon,lat\nA,x,36.8,-1.3\n' > s24.csv
printf 'id,category,lon,lat\nA,x,36.8,-1.3\nC,x,-47.9,-15.8\n' > s25.csv
fp_init pts.sqlite && "$FP" -q --db pts.sqlite import s24.csv --dataset 2024 && "$FP" -q --db pts.sqlite import s25.csv --dataset 2025
for d in 2024 2025; do
    run --db pts.sqlite render --style category-points --dataset $d -o p$d.png
    assert_eq 0 "$RC" "render --dataset $d ($OUT)"
done
p=$(gdalsrsinfo -o proj4 p2024.prj 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//')
probe() { python3 "$ROOT/tests/tools/png_probe.py" probe "$@" 1 2>&1; }
sym=$(probe p2025.png "$p" -47.9 -15.8)
assert_eq "$sym" "$(probe p2025.png "$p" 36.8 -1.3)" "2025: both points drawn alike"
[ "$(probe p2024.png "$p" -47.9 -15.8)" != "$sym" ] || fail "2024 map draws the 2025-only project"
assert_eq "$sym" "$(probe p2024.png "$p" 36.8 -1.3)" "2024: its point"
run --db pts.sqlite tiles --style category-points --dataset 2024 --zoom 0-0 --no-preview -o t24
assert_eq 0 "$RC" "tiles --dataset ($OUT)"
tsym=$(python3 "$ROOT/tests/tools/tile_check.py" pixel t24 0 36.8 -1.3 0 | cut -d' ' -f4)
[ "$(python3 "$ROOT/tests/tools/tile_check.py" pixel t24 0 -47.9 -15.8 0 | cut -d' ' -f4)" != "$tsym" ] || fail "tile z0 draws the 2025-only project"
# The preview's GeoJSON overlay holds that dataset's projects too; a dataset that is not
# there is an error (exit 2, naming those there are), not an empty map.
"$FP" -q --db pts.sqlite tiles --style category-points --dataset 2024 --zoom 0-0 -o t24p || fail "tiles with preview"
assert_eq "A" "$(python3 -c "import json; print(' '.join(f['properties']['source_key'] for f in json.load(open('t24p/layers/projects.geojson'))['features']))")" "overlay: 2024's project only"
for cmd in "render --dataset 2023 -o none.png" "tiles --dataset 2023 --zoom 0-0 -o none"; do
    run --db pts.sqlite $cmd
    assert_eq "2 footprint: --dataset 2023: no project of that dataset in pts.sqlite (datasets: 2024, 2025)" "$RC $OUT" "$cmd"
done
case_end

# ==============================================================================
# Region polygons across the antimeridian (tests/fixtures/aggregate/antimeridian_world.geojson),
# drawn as world-atlas (Natural Earth by topojson-client) draws Russia, Fiji and
# Antarctica, so the answer is known by construction:
#   RU  [170..180] and [-180..-170] x [60..70]: out to a vertex at -180 and back
#       from -180 to 179.8 (edges over 180 degrees long, the ring invalid uncut);
#   FJ  a triangle each side of 180, with an edge from (-180,-17.5) to (180,-17.5);
#   AQ  world-atlas's Antarctica: a "shell" circling the pole at -89.999 and the
#       coast (-70..-72, once round the world) as its "hole": the land between;
#   SE  [150,160]x[60,70], a plain neighbour.
# Cut at 180 first, as every stage reads such edges: GEOS's repair of the uncut
# rings gave bands round the world (SE's point to RU, RU's own points
# unassigned, FJ reaching (0,-17), AQ of no area).
# ==============================================================================
DB=amw.sqlite
fp_init $DB
printf 'id,lon,lat\nR1,175,65\nR2,-175,65\nR3,-179.9,66\nS1,155,65\nF1,179,-17\nF2,-179.8,-16.8\nX1,0,-17\nX2,0,65\nA1,0,-80\nA2,0,-60\n' > amw.csv
"$FP" -q --db $DB import amw.csv
T=agg_regions
run --db $DB aggregate --by "regions:$AGG/antimeridian_world.geojson" --snap-km 0 $TH

case_begin "regions:FILE across the antimeridian: polygons cut at 180 before the repair, points where they are drawn"
assert_eq 0 "$RC" "exit status ($OUT)"
for p in R1:RU R2:RU R3:RU S1:SE F1:FJ F2:FJ A1:AQ X1: X2: A2:; do
    assert_eq "${p#*:}" "$(where "${p%%:*}" | cut -d'|' -f1)" "${p%%:*}"
done
assert_contains "$OUT" "regions: 3 polygons cut at the antimeridian, 0 repaired" "the cut said in one line"
case_end

case_begin "regions:FILE across the antimeridian: areas are those of the polygons split by hand at 180"
# SpatiaLite's geodesic area (sqlite3 + mod_spatialite) of the pieces written
# by hand; its algorithm differs from PROJ's by up to 0.03% on these (it
# depends on ring orientation), far below the uncut repairs' 0.13-0.17%.
ga() { spatialite_q amw_ref.sqlite "SELECT ST_Area(GeomFromText('$1', 4326), 1) / 1e6"; }
spatialite_q amw_ref.sqlite "SELECT InitSpatialMetadata(1)" >/dev/null
ru=$(calc "$(ga 'POLYGON((170 60,179.8 61,180 61.02,180 69,179.8 69.02,170 70,170 60))') + $(ga 'POLYGON((-180 61.02,-170 62,-170 68,-180 69,-180 61.02))')")
fj=$(calc "$(ga 'POLYGON((178 -18,179.5 -16,180 -16.2,180 -17.5,178 -18))') + $(ga 'POLYGON((-180 -16.2,-179.5 -17,-180 -17.5,-180 -16.2))')")
# Antarctica closed along the pole, less the cap above -89.999 (0.04 km²);
# SpatiaLite's area of a ring along the pole is within 1% of PROJ's here.
aq=$(ga 'POLYGON((-180 -70,-90 -72,0 -70,90 -72,179 -71,180 -70,180 -90,-180 -90,-180 -70))')
assert_near "$ru" "$(col RU area_km2)" "$(calc "$ru * 0.0003")" "RU area"
assert_near "$fj" "$(col FJ area_km2)" "$(calc "$fj * 0.0003")" "FJ area"
assert_near "$aq" "$(col AQ area_km2)" "$(calc "$aq * 0.01")" "AQ area"
case_end

case_begin "regions:FILE with features without a code: exit 1 naming the file, the features and CODEFIELD"
# Feature 2 has no `code` (name Kosovo), feature 4 an empty one: neither gets
# its feature id as code (feature 2's FID, 1, clashed with feature 3's real
# code '1': "region code '1' appears more than once").
run --db $DB aggregate --by "regions:$AGG/missing_codes.geojson" --name nocode
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "missing_codes.geojson: 2 features without a region code in field 'code': 2 (Kosovo), 4;" "features named"
assert_contains "$OUT" "regions:FILE:CODEFIELD" "another code field suggested"
assert_not_contains "$OUT" "more than once" "no clash reported"
assert_eq 0 "$(sql "SELECT count(*) FROM aggregations WHERE name='nocode'")" "nothing stored"
# Codes from `name` instead: feature 4 has none either.
run --db $DB aggregate --by "regions:$AGG/missing_codes.geojson:name" --name nocode
assert_eq 1 "$RC" "by name: exit status"
assert_contains "$OUT" "1 feature without a region code in field 'name': 4;" "by name: feature 4"
case_end

case_begin "--name that differs from a stored aggregation's only in case: refused (one table in SpatiaLite; the second replaced the first's while both were listed), the first untouched"
fp_init cs.sqlite
printf 'id,company,category,lon,lat\n1,a,x,36.8219,-1.2921\n2,a,y,2.3522,48.8566\n3,a,y,2.2945,48.8584\n' > cs.csv
"$FP" -q --db cs.sqlite import cs.csv --dataset one || fail "import one"
printf 'id,company,category,lon,lat\n9,b,z,139.69,35.69\n' > cs2.csv
"$FP" -q --db cs.sqlite import cs2.csv --dataset two || fail "import two"
run --db cs.sqlite aggregate --by country --dataset one --name Cmp
assert_eq 0 "$RC" "the first"
run --db cs.sqlite aggregate --by country --dataset two --name cmp
assert_eq 2 "$RC" "the second: a usage error"
assert_contains "$OUT" "--name cmp: its table agg_cmp is the aggregation 'Cmp''s agg_Cmp" "the message"
# By hand: dataset one has one point in Kenya and two in France.
assert_eq "FRA|2
KEN|1" "$(sqlite3 cs.sqlite "SELECT code, projects FROM agg_Cmp WHERE projects > 0 AND level = 'country' ORDER BY code")" "Cmp keeps dataset one's counts"
assert_eq "Cmp" "$(sqlite3 cs.sqlite "SELECT group_concat(name) FROM aggregations")" "one aggregation listed"
run --db cs.sqlite aggregate --by country --dataset two --name Cmp
assert_eq 0 "$RC" "the same name replaces it"
assert_eq "JPN|1" "$(sqlite3 cs.sqlite "SELECT code, projects FROM agg_Cmp WHERE projects > 0 AND level = 'country' ORDER BY code")" "replaced"
# Another name whose table is this one's assignment table, case aside.
run --db cs.sqlite aggregate --by country --dataset one --name CMP_ASSIGN
assert_eq 2 "$RC" "a name whose table is Cmp's agg_Cmp_assign: refused"
assert_contains "$OUT" "its table agg_CMP_ASSIGN is the aggregation 'Cmp''s agg_Cmp_assign" "the message"
case_end

# ==============================================================================
# 6. An outside check (a statistician's, with shapely/pyproj/SpatiaLite): lines
#    along borders, shares that depended on vertex counts, decimal grid cells.
#    Expected values from SpatiaLite (ST_Segmentize to 0.001-0.01 degree, then
#    ST_Length / ST_Area on the ellipsoid: edges that short follow the straight
#    lon/lat edge to within 1e-9 of the shares), geod, or by construction.
# ==============================================================================
DB=outside.sqlite
fp_init $DB
cat > outside.csv <<'EOF2'
id,category,wkt
box4,area,"POLYGON((-120 40, -95 40, -95 55, -120 55, -120 40))"
box12,area,"POLYGON((-120 40, -115 40, -110 40, -105 40, -100 40, -95 40, -95 55, -100 55, -105 55, -110 55, -115 55, -120 55, -120 40))"
border_then_sea,cable,"LINESTRING(-122.65 48.99251, -122.75302 48.99251, -122.85 48.93)"
border_then_usa,cable,"LINESTRING(-99.7931 48.99267, -98.69405 48.99267, -98.69405 47.9)"
over_line,cable,"LINESTRING(0.5 0.5, 2.5 0.5)"
over_area,area,"POLYGON((0.5 0, 2.5 0, 2.5 1, 0.5 1, 0.5 0))"
EOF2
"$FP" -q --db $DB import outside.csv
# Two overlapping boxes: P [0,2]x[0,1], Q [1,3]x[0,1] (the overlap [1,2]x[0,1]).
cat > overlap.geojson <<'EOF2'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"Q"},"geometry":{"type":"Polygon","coordinates":[[[1,0],[3,0],[3,1],[1,1],[1,0]]]}},
{"type":"Feature","properties":{"code":"P"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,1],[0,1],[0,0]]]}}]}
EOF2
T=agg_outside
run --db $DB aggregate --by country --name outside $TH
run2_rc=$RC; run2_out=$OUT
run --db $DB aggregate --by "regions:overlap.geojson" --name overlap $TH

case_begin "a line along a border counts once, in the first region in code order (CAN before USA), like a point on a border; the sea share is the sea leg's"
assert_eq "0|0" "$run2_rc|$RC" "exit status ($run2_out $OUT)"
# seg_km WKT: length on the ellipsoid of WKT densified to 0.001 degree.
seg_km() { ssql "SELECT ST_Length(ST_Segmentize(GeomFromText('$1'), 0.001), 1) / 1000"; }
# in_km CODE WKT: the part of WKT in the stored country CODE (SpatiaLite).
in_km() { ssql "SELECT ST_Length(ST_Segmentize(ST_Intersection(geom, GeomFromText('$2')), 0.001), 1) / 1000 FROM regions WHERE level='country' AND code='$1'"; }
for k in "border_then_sea -122.65 48.99251 -122.75302 48.99251 -122.85 48.93" \
         "border_then_usa -99.7931 48.99267 -98.69405 48.99267 -98.69405 47.9"; do
    set -- $k
    on="LINESTRING($2 $3, $4 $5)"; off="LINESTRING($4 $5, $6 $7)"
    l1=$(seg_km "$on"); l2=$(seg_km "$off")
    # The first leg is on the stored border: SpatiaLite finds all of it in both.
    assert_near "$l1" "$(in_km CAN "$on")" 0.000001 "$1: first leg in CAN"
    assert_near "$l1" "$(in_km USA "$on")" 0.000001 "$1: first leg in USA"
    assert_near "$(calc "$l1/($l1+$l2)")" "$(share "$1" CAN)" 0.00001 "$1: CAN (first in code order) has the border leg"
    if [ "$1" = border_then_sea ]; then
        # The second leg is at sea: in no country (SpatiaLite: length 0 in all).
        assert_eq "0" "$(ssql "SELECT count(*) FROM regions WHERE level='country' AND ST_Length(ST_Intersection(geom, GeomFromText('$off')), 1) > 0")" "$1: second leg at sea"
        assert_near "$(calc "$l2/($l1+$l2)")" "$(share "$1" '')" 0.00001 "$1: the sea share (9.94 of 17.48 km)"
        assert_near 0 "$(share "$1" USA)" 0 "$1: nothing in USA"
    else
        assert_near "$l2" "$(in_km USA "$off")" 0.000001 "$1: second leg in USA"
        assert_near "$(calc "$l2/($l1+$l2)")" "$(share "$1" USA)" 0.00001 "$1: USA"
    fi
    assert_near 1 "$(sql "SELECT sum(share) FROM ${T}_assign a JOIN projects p ON p.id=a.project_id WHERE p.source_key='$1'")" 1e-12 "$1: shares sum to 1"
done
# Overlapping user regions: the overlap goes to P (before Q in code order).
# By construction: over_line runs along lat 0.5 (length in proportion to the
# longitude: 1.5 of 2 degrees in P); over_area spans the same latitudes
# everywhere (area in proportion to the width: 1.5 of 2 in P).
for k in over_line over_area; do
    assert_near 0.75 "$(share $k P agg_overlap)" 1e-12 "$k: P"
    assert_near 0.25 "$(share $k Q agg_overlap)" 1e-12 "$k: Q"
done
case_end

case_begin "a polygon's shares do not depend on its vertices: the same box with 4 and 12 vertices, edges straight in lon/lat"
assert_eq "1" "$(ssql "SELECT ST_Equals(a.geom, b.geom) FROM projects a, projects b WHERE a.source_key='box4' AND b.source_key='box12'")" "the same box"
# SpatiaLite: the box's part in USA over the box, both densified to 0.01 degree
# (0.6339; without the densification it gives the old 0.6057 and 0.6328).
usa=$(ssql "SELECT ST_Area(ST_Segmentize(ST_Intersection(r.geom, p.geom), 0.01), 1) / ST_Area(ST_Segmentize(p.geom, 0.01), 1)
            FROM regions r, projects p WHERE r.level='country' AND r.code='USA' AND p.source_key='box4'")
# Near the band 40-48.9926 N of the zone formula (the border is at 48.9925-48.9927 N,
# plus the Northwest Angle north of it): 0.6337.
assert_near "$(calc "$(zone_km2 -120 -95 40 48.9926)/$(zone_km2 -120 -95 40 55)")" "$usa" 0.0003 "SpatiaLite against the zone formula"
for k in box4 box12; do
    assert_near "$usa" "$(share $k USA)" 0.000001 "$k: USA"
    assert_near "$(calc "1-$usa")" "$(share $k CAN)" 0.000001 "$k: CAN"
    assert_near 0 "$(share $k '')" 1e-9 "$k: nothing at sea"
done
assert_near "$(share box4 USA)" "$(share box12 USA)" 1e-9 "box4 = box12"
case_end

case_begin "grid:0.1: cells anchored at 0,0, a point on a one-decimal lattice in the cell of its own coordinates, the same in every run; lines on a cell edge in the cell north / east of it"
DB=deci.sqlite
fp_init $DB
printf 'id,lon,lat\nA,0.3,0.3\nB,0.7,0.7\nC,1.2,-1.6\n' > g1.csv
printf 'id,lon,lat\nA,0.3,0.3\nB,0.7,0.7\nC,1.2,-1.6\nFAR,-7.77,-7.77\n' > g2.csv
# 549 points on the 0.1-degree lattice (lon -3..3, lat -0.4..0.4), written with
# one decimal as a geocoder does; the id is the expected code, made by awk.
awk 'BEGIN { print "id,lon,lat"; for (i = -30; i <= 30; i++) for (j = -4; j <= 4; j++)
             printf "%.10g_%.10g,%.1f,%.1f\n", i / 10, j / 10, i / 10, j / 10 }' > lattice.csv
"$FP" -q --db $DB import g1.csv --dataset one && "$FP" -q --db $DB import g2.csv --dataset two &&
    "$FP" -q --db $DB import lattice.csv --dataset lattice || fail "imports"
cat > edges.csv <<'EOF2'
id,wkt
along_lat,"LINESTRING(0 0.3, 0.2 0.3)"
along_lon,"LINESTRING(0.3 0, 0.3 0.2)"
east_end,"POINT(180 0.05)"
west_end,"POINT(-180 0.05)"
EOF2
"$FP" -q --db $DB import edges.csv --dataset edges || fail "import edges"
for d in one two lattice edges; do
    run --db $DB aggregate --by grid:0.1 --dataset $d --name g_$d $TH
    assert_eq 0 "$RC" "aggregate $d ($OUT)"
done
# Half-open [x, x+0.1): the lower-left corner is the point's own coordinates.
exp="A|0.3_0.3
B|0.7_0.7
C|1.2_-1.6"
assert_eq "$exp" "$(sql "SELECT p.source_key, a.region_code FROM agg_g_one_assign a JOIN projects p ON p.id=a.project_id ORDER BY 1")" "dataset one"
assert_eq "$exp
FAR|-7.8_-7.8" "$(sql "SELECT p.source_key, a.region_code FROM agg_g_two_assign a JOIN projects p ON p.id=a.project_id ORDER BY 1")" "dataset two (a far point does not move the others)"
assert_eq "549|0" "$(sql "SELECT count(*), sum(p.source_key <> a.region_code) FROM agg_g_lattice_assign a JOIN projects p ON p.id=a.project_id")" "lattice points in the wrong cell"
assert_eq "0" "$(sql "SELECT count(*) FROM agg_g_lattice WHERE code <> '_unassigned' AND projects <> 1")" "lattice cells without exactly one point"
# The stored cell polygon contains its point (SpatiaLite, half-open aside).
assert_eq "0" "$(ssql "SELECT count(*) FROM agg_g_lattice_assign a JOIN projects p ON p.id=a.project_id JOIN agg_g_lattice c ON c.code=a.region_code WHERE NOT ST_Intersects(c.geom, p.geom)")" "cells that do not hold their point"
# A line along lat 0.3 lies on the edge of rows 0.2 and 0.3: the cells north
# of it take it, half each (equal longitude spans of one parallel).
assert_near 0.5 "$(share along_lat 0_0.3 agg_g_edges)" 1e-12 "along_lat 0_0.3"
assert_near 0.5 "$(share along_lat 0.1_0.3 agg_g_edges)" 1e-12 "along_lat 0.1_0.3"
# Along lon 0.3: the cells east of it, in the ratio of the meridian arcs (geod).
m1=$(geod_km 0 0.3 0.1 0.3); m2=$(geod_km 0.1 0.3 0.2 0.3)
assert_near "$(calc "$m1/($m1+$m2)")" "$(share along_lon 0.3_0 agg_g_edges)" 0.000001 "along_lon 0.3_0"
assert_near "$(calc "$m2/($m1+$m2)")" "$(share along_lon 0.3_0.1 agg_g_edges)" 0.000001 "along_lon 0.3_0.1"
# Lon 180 is in the last column (closed there), lon -180 in the first.
assert_eq "179.9_0|contained" "$(where east_end agg_g_edges)" "lon 180"
assert_eq "-180_0|contained" "$(where west_end agg_g_edges)" "lon -180"
case_end

case_begin "grid:1e-8 near lon 100: neighbouring cells have codes of their own (10 significant digits named two of them alike and the aggregation failed)"
DB=tiny.sqlite
fp_init $DB
printf 'id,lon,lat\nP1,100.000000011,10.5\nP2,100.000000021,10.5\nP3,100.000000031,10.5\n' > tiny.csv
"$FP" -q --db $DB import tiny.csv
run --db $DB aggregate --by grid:1e-8 --name tiny
assert_eq 0 "$RC" "exit status ($OUT)"
# Each point in the cell whose west edge is its longitude cut to 8 decimals.
assert_eq "P1|100.00000001_10.5 P2|100.00000002_10.5 P3|100.00000003_10.5" \
    "$(sql "SELECT p.source_key || '|' || a.region_code FROM agg_tiny_assign a JOIN projects p ON p.id = a.project_id ORDER BY 1" | paste -sd' ')" \
    "three cells, three codes"
case_end

case_begin "projects geocoded to a country's centroid are unassigned below the country level (admin1, grid), counted in their country; --keep-centroids counts them where the centroid falls"
# An outside tester's 3W: a row geocode could only place at Somalia's
# centroid was counted, 'contained', in the admin-1 region the centroid
# falls in. Here: one row with coordinates, one placed at Kenya's centroid
# (an unknown place), one at an admin-1 centroid (unknown place, known state).
DB=cent.sqlite
fp_init $DB
printf 'id,name,place,state,country,lon,lat\nXY,with coordinates,,,KEN,36.82,-1.29\nCC,country centroid,Nowhere Xq,,KEN,,\nAC,admin1 centroid,Nowhere Xq,Rift Valley,KEN,,\n' > cent.csv
"$FP" -q --db $DB import cent.csv
"$FP" -q --db $DB geocode > /dev/null 2>&1
assert_eq "AC|admin1 CC|country XY|point" "$(sql "SELECT source_key || '|' || geocode_precision FROM projects ORDER BY 1" | paste -sd' ')" "how each row was placed"
method() { sql "SELECT a.method FROM agg_$1_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = '$2'"; }
run --db $DB aggregate --by admin1 --name c_a1
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "unassigned" "$(method c_a1 CC)" "the country centroid, by admin1"
assert_eq "contained" "$(method c_a1 AC)" "the admin-1 centroid, by admin1"
assert_contains "$OUT" "note: 1 project placed at its country's centroid by geocode counted as unassigned" "the note"
assert_eq "1" "$(sql "SELECT projects FROM agg_c_a1 WHERE code = '_unassigned' AND level = 'admin1'")" "admin1's unassigned row"
# By country the centroid is in its country: all three in KEN.
run --db $DB aggregate --by country --name c_c
assert_eq "3" "$(sql "SELECT projects FROM agg_c_c WHERE code = 'KEN'")" "by country: all three in Kenya"
assert_not_contains "$OUT" "note: " "no note by country"
# grid cells: admin-1 centroids too.
run --db $DB aggregate --by grid:5 --name c_g
assert_eq "unassigned unassigned contained" "$(for k in CC AC XY; do method c_g $k; done | paste -sd' ')" "by grid: both centroids out, the point in"
assert_contains "$OUT" "note: 2 projects placed at a country's or admin-1 region's centroid" "the grid note"
# --keep-centroids: the old count, in the admin-1 region SpatiaLite finds the stored centroid in.
run --db $DB aggregate --by admin1 --name c_k --keep-centroids
assert_eq 0 "$RC" "exit status ($OUT)"
want=$(spatialite_q $DB "SELECT r.code FROM regions r, projects p WHERE p.source_key = 'CC' AND r.level = 'admin1' AND ST_Contains(r.geom, p.geom)")
[ -n "$want" ] || fail "SpatiaLite found no admin-1 region around the centroid"
assert_eq "$want|contained" "$(sql "SELECT a.region_code || '|' || a.method FROM agg_c_k_assign a JOIN projects p ON p.id = a.project_id WHERE p.source_key = 'CC'")" "--keep-centroids: where the centroid falls"
case_end

case_begin "regions:FILE finds the code and name fields of OCHA (ADMn_PCODE, ADMn_EN), GADM (GID_n, NAME_n) and DIST_NAME layers"
# An outside tester's HDX boundaries gave regions coded 0..12 (feature ids)
# and named by their codes: no field was recognised.
DB=cod.sqlite
fp_init $DB
printf 'id,lon,lat\nP1,0.5,0.5\nP2,1.5,0.5\nP3,1.6,0.6\n' > cod.csv
"$FP" -q --db $DB import cod.csv
sq() { echo "[[[$1,0],[$(($1+1)),0],[$(($1+1)),1],[$1,1],[$1,0]]]"; }
feat() { echo "{\"type\":\"Feature\",\"properties\":{$2},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":$(sq $1)}}"; }
printf '{"type":"FeatureCollection","features":[%s,%s]}' \
    "$(feat 0 '"ADM0_PCODE":"XX","ADM1_PCODE":"XX01","ADM1_EN":"West","ADM2_PCODE":"XX0101","ADM2_EN":"West One","Shape_Area":1.0')" \
    "$(feat 1 '"ADM0_PCODE":"XX","ADM1_PCODE":"XX01","ADM1_EN":"West","ADM2_PCODE":"XX0102","ADM2_EN":"East Two","Shape_Area":1.0')" > cod_adm2.geojson
printf '{"type":"FeatureCollection","features":[%s,%s]}' \
    "$(feat 0 '"GID_0":"XXX","GID_1":"XXX.1_1","NAME_1":"Alpha"')" "$(feat 1 '"GID_0":"XXX","GID_1":"XXX.2_1","NAME_1":"Beta"')" > gadm.geojson
printf '{"type":"FeatureCollection","features":[%s,%s]}' \
    "$(feat 0 '"DIST_ID":"D01","DIST_NAME":"Köln-Süd"')" "$(feat 1 '"DIST_ID":"D02","DIST_NAME":"Münster"')" > dist.geojson
run --db $DB aggregate --by regions:cod_adm2.geojson --name cod
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "XX0101|West One|1 XX0102|East Two|2" "$(sql "SELECT code || '|' || name || '|' || projects FROM agg_cod WHERE level = 'regions' AND code <> '_unassigned' ORDER BY code" | paste -sd' ')" "OCHA: the finest P-code and its English name"
run --db $DB aggregate --by regions:gadm.geojson --name gadm
assert_eq "XXX.1_1|Alpha|1 XXX.2_1|Beta|2" "$(sql "SELECT code || '|' || name || '|' || projects FROM agg_gadm WHERE level = 'regions' AND code <> '_unassigned' ORDER BY code" | paste -sd' ')" "GADM: GID_1 and NAME_1"
run --db $DB aggregate --by regions:dist.geojson:DIST_ID --name dist
assert_eq "D01|Köln-Süd|1 D02|Münster|2" "$(sql "SELECT code || '|' || name || '|' || projects FROM agg_dist WHERE level = 'regions' AND code <> '_unassigned' ORDER BY code" | paste -sd' ')" "the only *_NAME field"
case_end

case_begin "amount: unknown (NULL) where a region's projects have none, the known ones' sum where some have, 0 where it has no project"
# Zürich and Geneva (CHE: no amounts), Nairobi and Mombasa (KEN: 5 and none),
# Paris (FRA: 2.5). By construction: CHE NULL, KEN 5, FRA 2.5, DEU 0 (no
# project), Western Europe 2.5, Eastern Africa 5. Before: CHE read 0.
printf 'id,company,category,lon,lat,amount\nZ1,ZTE,telecom,8.54,47.37,\nZ2,ZTE,telecom,6.14,46.20,\nK1,ZTE,telecom,36.82,-1.29,5\nK2,ZTE,telecom,39.67,-4.04,\nF1,ZTE,telecom,2.35,48.86,2.5\n' > amt.csv
fp_init amt.sqlite && "$FP" -q --db amt.sqlite import amt.csv
run --db amt.sqlite aggregate --by country --name amt
assert_eq 0 "$RC" "exit status ($OUT)"
got=$(sqlite3 amt.sqlite "SELECT code || '|' || projects || '|' || quote(amount) FROM agg_amt WHERE code IN ('CHE','KEN','FRA','DEU','Western Europe','Eastern Africa') ORDER BY code")
want="CHE|2|NULL
DEU|0|0.0
Eastern Africa|2|5.0
FRA|1|2.5
KEN|2|5.0
Western Europe|3|2.5"
assert_eq "$want" "$got" "amounts"
# What a client reads: GDAL's GeoPackage driver gives CHE's amount as null.
"$FP" -q --db amt.sqlite export --what aggregate:amt -o amt.gpkg || fail "export"
assert_contains "$(ogrinfo -q amt.gpkg -sql "SELECT code, amount FROM amt WHERE code = 'CHE'" 2>&1)" "amount (Real) = (null)" "GDAL reads CHE's amount as null"
case_end
