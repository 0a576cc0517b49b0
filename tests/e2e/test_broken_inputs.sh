#!/usr/bin/env bash
# The corpus of broken inputs (tests/fixtures/broken/, README.md there; the
# large ones written by generate.py): each with its exact outcome — the
# error naming the file and the reason, or the rows read, stored and
# rejected with each reject's line or feature and reason — and the data
# stored before a failing import left exactly as it was.
#
# Expected values are worked out from the inputs by hand (which rows are
# bad and why, Latin-1 bytes as UTF-8, polygon areas), from PROJ's cs2cs and
# from ogrinfo/SpatiaLite on geodata/regions.gpkg — not from footprint.
. "$(dirname "$0")/lib.sh"
BR="$FIX/broken"
python3 "$BR/generate.py" . || { echo "FAIL generate.py"; exit 1; }
DB=s.sqlite
fp_init $DB
# Data that every failing import must leave exactly as it is.
"$FP" -q --db $DB import "$FIX/points_good.csv"
"$FP" -q --db $DB import "$FIX/places.csv"
fingerprint() { sqlite3 "$DB" ".dump projects imports rejects" | sha256sum; }
# read|stored|rejected of the last import, from the imports table.
last_counts() { sql "SELECT rows_read||'|'||rows_stored||'|'||rows_rejected FROM imports ORDER BY id DESC LIMIT 1"; }
# "line|reason" (CSV) or "feature|reason" of the rejects of a dataset, in order.
rejects_of() { sql "SELECT coalesce(r.line, r.feature)||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id
                    WHERE i.dataset='$1' ORDER BY r.id"; }
# A failing import: exit status 1, the message, and nothing changed.
import_fails() {  # file message
    local before; before=$(fingerprint)
    run --db $DB import "$1"
    assert_eq 1 "$RC" "exit status"
    assert_contains "$OUT" "$2" "message"
    assert_eq "$before" "$(fingerprint)" "projects, imports and rejects unchanged"
}
# Every text stored is valid UTF-8 (Python decodes strictly).
utf8_check() {
    python3 - "$DB" <<'P' || fail "invalid UTF-8 stored"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); db.text_factory = bytes
for table, cols in (('projects', 'source_key, company, category, name, place, country, status, source, extra'),
                    ('rejects', 'reason, raw')):
    for row in db.execute('SELECT %s FROM %s' % (cols, table)):
        for v in row:
            if v is not None: v.decode('utf-8')
P
}

# ------------------------------------------------------------------ CSV ---
case_begin "empty CSV: exit 1, 'empty file', nothing stored"
import_fails "$BR/empty.csv" "empty.csv: empty file (no header line)"
case_end

case_begin "header-only CSV: 0 rows read, 0 stored, 0 rejected"
n=$(sql "SELECT count(*) FROM projects")
run --db $DB import "$BR/header_only.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "header_only.csv (CSV): 0 rows read, 0 stored, 0 rejected" "summary"
assert_eq "0|0|0" "$(last_counts)" "imports row"
assert_eq "$n" "$(sql "SELECT count(*) FROM projects")" "projects"
case_end

case_begin "CSV truncated inside a quoted field: the last row rejected at its line, the rest stored"
run --db $DB import "$BR/truncated.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "summary"
assert_eq "3|malformed row: unterminated quoted field (the file ends inside quotes)" "$(rejects_of truncated)" "reject"
assert_eq 't2,3.5,4.5,"cut inside a quo' "$(sql "SELECT raw FROM rejects WHERE line=3 AND raw LIKE 't2,%'")" "raw text"
assert_eq "1.5|2.5" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='truncated' AND source_key='t1'")" "t1"
case_end

case_begin "an unclosed quote mid-file: the rows it swallowed are rejected together, the reason says so with their lines; the rows after it stored"
printf 'id,name,lon,lat\n1,"Bad quote,10.5,20.5\n2,ok,11.5,21.5\n3,"said ""hi""",13.5,23.5\n4,ok,14.5,24.5\n' > unclosed.csv
run --db $DB import unclosed.csv
assert_eq "2|1|1" "$(last_counts)" "counts: lines 2-4 one row, line 5 another"
assert_eq "2|malformed row: text after a closing quote in a field; a quote opened on line 2 is not closed on that line (an unclosed quote?), so lines 2-4 were read as one row" "$(rejects_of unclosed)" "the reason"
assert_eq "4" "$(sql "SELECT source_key FROM projects WHERE dataset='unclosed'")" "stored"
assert_contains "$(sql "SELECT raw FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='unclosed'")" "2,ok,11.5,21.5" "the swallowed line is in the reject's raw text"
case_end

case_begin "CSV truncated mid-row: the short row rejected with the field counts"
run --db $DB import "$BR/truncated_row.csv"
assert_eq "2|1|1" "$(last_counts)" "counts"
assert_eq "3|malformed row: the row has 2 fields, the header has 4" "$(rejects_of truncated_row)" "reject"
case_end

case_begin "invalid UTF-8 in a CSV: such rows read as Windows-1252, stored as valid UTF-8"
run --db $DB import "$BR/invalid_utf8.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "5 rows read, 5 stored, 0 rejected" "summary"
assert_contains "$OUT" "rows read as Windows-1252 (not UTF-8): 4" "Latin-1 count (u2..u5; u1 is UTF-8)"
# Each byte >= 0xA0 of such a row becomes two bytes: C3 (byte-0x40) or C2 (byte);
# 0x80-0x9F are Windows-1252's (0x80: the euro sign, E2 82 AC), as Python's cp1252 codec decodes them.
want="u1|6F6B20C3A974C3A9
u2|62616420C383282070616972
u3|6C6F6E6520C3BF2062797465
u4|6F7665726C6F6E6720C380C2AF20736C617368
u5|737572726F6761746520C3ADC2A0E282AC2068616C66"
assert_eq "$want" "$(sql "SELECT source_key||'|'||hex(name) FROM projects WHERE dataset='invalid_utf8' ORDER BY source_key")" "bytes"
utf8_check
case_end

case_begin "NaN and infinity tokens in a CSV: 5 rows rejected as not finite; NaN amount and year kept raw"
run --db $DB import "$BR/nan_tokens.csv"
assert_eq "6|1|5" "$(last_counts)" "counts"
assert_contains "$OUT" "rejected, coordinates NaN or infinite: 5" "summary"
want="2|coordinates NaN or infinite: lon=nan lat=1 is not finite
3|coordinates NaN or infinite: lon=1 lat=NaN is not finite
4|coordinates NaN or infinite: lon=-nan lat=1 is not finite
5|coordinates NaN or infinite: lon=inf lat=1 is not finite
6|coordinates NaN or infinite: lon=1 lat=-Infinity is not finite"
assert_eq "$want" "$(rejects_of nan_tokens)" "rejects"
assert_eq '|{"amount_raw":"nan","year_raw":"NaN"}' "$(sql "SELECT coalesce(amount,'')||'|'||extra FROM projects WHERE dataset='nan_tokens'")" "n6"
run --db $DB rejects --dataset nan_tokens --limit 1
assert_contains "$OUT" "nan_tokens.csv:2: coordinates NaN or infinite: lon=nan lat=1 is not finite" "footprint rejects"
assert_contains "$OUT" "    n1,nan,1,," "raw line"
case_end

case_begin "1e400 and other numbers: overflow is not finite, 1e308 out of range, hexadecimal not a number"
run --db $DB import "$BR/huge_numbers.csv"
assert_eq "5|1|4" "$(last_counts)" "counts"
want="2|coordinates NaN or infinite: lon=1e400 lat=10 is not finite
3|coordinates NaN or infinite: lon=10 lat=-1e400 is not finite
4|coordinates out of range: lon=1e308 lat=10 is outside lon -180..180, lat -90..90 (another CRS? use --crs)
6|coordinates not numbers: lon='0x1A' lat='10' is not a pair of numbers"
assert_eq "$want" "$(rejects_of huge_numbers)" "rejects"
# 1e-400 underflows to the nearest double, 0.
assert_eq "h4|0.0|10.0" "$(ssql "SELECT source_key, X(geom), Y(geom) FROM projects WHERE dataset='huge_numbers'")" "h4"
case_end

case_begin "self-intersecting, unclosed, degenerate and holed polygons: repaired by default (areas by hand), the rest rejected with its reason"
run --db $DB import "$BR/bad_polygons.csv"
assert_eq "7|4|3" "$(last_counts)" "counts"
assert_contains "$OUT" "invalid geometries repaired: 3" "repaired count in the summary"
want="4|invalid geometry: Too few points in geometry component[0 0] (repair leaves no polygon)
7|unreadable WKT: column wkt: not WKT: 'POLYGON((0 0,10 0'
8|unreadable WKT: column wkt: not WKT (text after the geometry: 'trailing text'): 'POINT(1 2) trailing text'"
assert_eq "$want" "$(rejects_of bad_polygons)" "rejects"
# bowtie: two triangles of 0.25; unclosed square closed: 1; hole outside:
# the square 100 plus the triangle 0.5.
want="p1|MULTIPOLYGON|0.5|1|Self-intersection[0.5 0.5]
p2|POLYGON|1.0|1|a polygon ring is not closed: it starts at 0 0 and ends at 0 1
p4|MULTIPOLYGON|100.5|1|Hole lies outside shell[20 20]
p5|POLYGON|100.0|1|"
assert_eq "$want" "$(ssql "SELECT source_key, GeometryType(geom), Area(geom), ST_IsValid(geom), coalesce(json_extract(extra, '\$.geometry_repaired'), '') FROM projects WHERE dataset='bad_polygons' ORDER BY source_key")" "geometries and reasons"
run --db $DB rejects --repaired --dataset bad_polygons
assert_eq 0 "$RC" "rejects --repaired"
assert_contains "$OUT" "bad_polygons.csv:2: repaired: Self-intersection[0.5 0.5] (id p1)" "listed with line and reason"
assert_contains "$OUT" "3 repaired geometries" "count"
case_end

case_begin "a MultiPolygon whose parts overlap is repaired to their union (areas by hand), not with the overlap cut out as a hole"
printf 'id,name,wkt\nm1,overlap,"MULTIPOLYGON(((0 0,1 0,1 1,0 1,0 0)),((0.5 0.5,2 0.5,2 2,0.5 2,0.5 0.5)))"\nm2,hole across the shell,"POLYGON((0 0,10 0,10 10,0 10,0 0),(5 5,15 5,15 15,5 15,5 5))"\n' > overlap.csv
run --db $DB import overlap.csv
assert_eq "2|2|0" "$(last_counts)" "counts"
# m1: 1 + 2.25 - 0.25 (the overlap counted once) = 3; no hole. m2: the square
# 100 less the hole's part inside it, 5 x 5 = 75 (the hole's part outside
# the shell covers nothing).
want="m1|3.0|0|1
m2|75.0|0|1"
assert_eq "$want" "$(ssql "SELECT source_key, Area(geom), NumInteriorRings(GeometryN(geom, 1)), ST_IsValid(geom) FROM projects WHERE dataset='overlap' ORDER BY source_key")" "areas, holes, validity"
case_end

case_begin "WKT TRIANGLE and TIN: stored as the polygons they are made of (areas by hand), not rejected as unreadable"
printf 'id,name,wkt\nt1,tri,"TRIANGLE((0 0,1 0,0 1,0 0))"\nt2,tin,"TIN(((0 0,1 0,0 1,0 0)),((1 0,1 1,0 1,1 0)))"\n' > tri.csv
run --db $DB import tri.csv
assert_eq "2|2|0" "$(last_counts)" "counts"
# t1: half the unit square; t2: its two halves, sharing an edge, the unit square.
assert_eq "t1|0.5|1|- t2|1.0|1|-" "$(ssql "SELECT source_key, Area(geom), ST_IsValid(geom), coalesce(json_extract(extra, '\$.geometry_repaired'), '-') FROM projects WHERE dataset='tri' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "areas, validity, no repair noted"
run --db $DB import tri.csv --strict-geometry --dataset tri_strict
assert_eq "2|2|0" "$(last_counts)" "--strict-geometry: the valid TIN is not refused"
case_end

case_begin "the same polygons with --strict-geometry: each rejected with GEOS's reason"
run --db $DB import "$BR/bad_polygons.csv" --strict-geometry --dataset strict
assert_eq "7|1|6" "$(last_counts)" "counts"
want="2|invalid geometry: Self-intersection[0.5 0.5] (--strict-geometry; repaired by default)
3|invalid geometry: a polygon ring is not closed: it starts at 0 0 and ends at 0 1 (--strict-geometry; closed by default)
4|invalid geometry: Too few points in geometry component[0 0] (--strict-geometry; repaired by default)
5|invalid geometry: Hole lies outside shell[20 20] (--strict-geometry; repaired by default)
7|unreadable WKT: column wkt: not WKT: 'POLYGON((0 0,10 0'
8|unreadable WKT: column wkt: not WKT (text after the geometry: 'trailing text'): 'POINT(1 2) trailing text'"
assert_eq "$want" "$(rejects_of strict)" "rejects"
assert_eq "p5" "$(sql "SELECT group_concat(source_key) FROM projects WHERE dataset='strict'")" "stored"
case_end

case_begin "antimeridian crossers: stored as given; export cuts them; aggregate counts them where they are"
run --db $DB import "$BR/antimeridian.csv"
assert_eq "4|3|1" "$(last_counts)" "counts"
assert_eq "5|coordinates out of range: coordinate -180.00001 0 is outside lon -180..180, lat -90..90" "$(rejects_of antimeridian)" "a4"
assert_eq "a1|LINESTRING(170 -10, -170 10)
a3|POINT(180 0)" "$(ssql "SELECT source_key, AsText(geom) FROM projects WHERE dataset='antimeridian' AND source_key IN ('a1','a3') ORDER BY 1")" "stored as given"
run --db $DB export --where dataset=antimeridian -o am.geojson
assert_eq 0 "$RC" "export exit status"
# By hand: 170,-10 -> 190,10 meets 180 at latitude 0; the box is 175..185 wide.
got=$(python3 - <<'P'
import json
fs = {f['properties']['source_key']: f['geometry'] for f in json.load(open('am.geojson'))['features']}
a1, a2 = fs['a1'], fs['a2']
print(a1['type'], a1['coordinates'])
print(a2['type'], sorted(sorted(set(map(tuple, p[0]))) for p in a2['coordinates']))
P
)
assert_eq "MultiLineString [[[170, -10], [180, 0]], [[-180, 0], [-170, 10]]]
MultiPolygon [[(-180, -20), (-180, -15), (-175, -20), (-175, -15)], [(175, -20), (175, -15), (180, -20), (180, -15)]]" "$got" "export"
# The GDAL formats the same way (QGIS read the uncut polygon as a band 350 degrees wide):
# areas and lengths in degrees as OGR's SQLite dialect measures them (the box 2 x 5 x 5 = 50).
for fmt in gpkg fgb shp; do
    out=am_$fmt.$fmt; [ $fmt = shp ] && out=am_shp/am.shp
    run --db $DB export --where dataset=antimeridian --where source_key=a2 -o $out
    assert_eq 0 "$RC" "$fmt: exit status ($OUT)"
    layer=$(ogrinfo -q $out 2>/dev/null | sed -n '1s/^1: \([^ ]*\).*/\1/p')
    gcol=GEOMETRY; [ $fmt = gpkg ] && gcol=geom
    assert_near 50 "$(ogrinfo -q -dialect sqlite -sql "SELECT ST_Area($gcol) AS a FROM \"$layer\"" $out 2>/dev/null | sed -n 's/^  a (Real) = //p')" 1e-9 "$fmt: the box's area in square degrees (layer $layer)"
done
run --db $DB export --where dataset=antimeridian --where source_key=a1 -o am_line.gpkg
assert_near 28.284271247 "$(ogrinfo -q -dialect sqlite -sql "SELECT ST_Length(geom) AS l FROM projects" am_line.gpkg 2>/dev/null | sed -n 's/^  l (Real) = //p')" 1e-6 "gpkg: the line's length in degrees (2 x sqrt(200) = 28.2843)"
"$FP" -q --db $DB aggregate --by country --name am
CUT="MULTIPOLYGON(((175 -20,180 -20,180 -15,175 -15,175 -20)),((-180 -20,-175 -20,-175 -15,-180 -15,-180 -20)))"
ogr() { ogrinfo -q -dialect sqlite -sql "$1" "$ROOT/geodata/regions.gpkg" 2>/dev/null | sed -n 's/^  [A-Za-z0-9_]* ([A-Za-z0-9]*) = //p'; }
exp=$(ogr "SELECT code||'|'||printf('%.6f', ST_Area(ST_Intersection(geom, GeomFromText('$CUT')), 1) / ST_Area(GeomFromText('$CUT'), 1)) AS s
           FROM regions WHERE level='country' AND ST_Intersects(geom, GeomFromText('$CUT')) ORDER BY code")
assert_eq "FJI TON" "$(echo $(cut -d'|' -f1 <<<"$exp"))" "ogrinfo: the box crosses Fiji and Tonga"
got=$(sql "SELECT a.region_code||'|'||printf('%.6f', a.share) FROM agg_am_assign a JOIN projects p ON p.id=a.project_id
           WHERE p.source_key='a2' AND p.dataset='antimeridian' AND a.region_code IS NOT NULL ORDER BY 1")
assert_eq "FJI TON" "$(echo $(cut -d'|' -f1 <<<"$got"))" "a2 shares: the same countries"
# footprint measures edges straight in lon/lat, SpatiaLite on the ellipsoid: within 2e-4 of the box.
for c in FJI TON; do
    assert_near "$(sed -n "s/^$c|//p" <<<"$exp")" "$(sed -n "s/^$c|//p" <<<"$got")" 2e-4 "a2 share in $c"
done
assert_eq "0" "$(ogr "SELECT count(*) AS n FROM regions WHERE ST_Intersects(geom, GeomFromText('MULTILINESTRING((170 -10,180 0),(-180 0,-170 10))'))")" "ogrinfo: the line crosses no land"
assert_eq "|unassigned|1.0" "$(sql "SELECT coalesce(a.region_code,'')||'|'||a.method||'|'||a.share FROM agg_am_assign a JOIN projects p ON p.id=a.project_id
                                 WHERE p.source_key='a1' AND p.dataset='antimeridian'")" "a1 all at sea (not across Africa)"
case_end

case_begin "duplicate ids in a CSV: later ones rejected (trimmed ids compared), empty ids never clash"
run --db $DB import "$BR/duplicate_ids.csv"
assert_eq "7|5|2" "$(last_counts)" "counts"
want="4|duplicate id: id 'd1' is already stored in dataset 'duplicate_ids'
6|duplicate id: id 'd2' is already stored in dataset 'duplicate_ids'"
assert_eq "$want" "$(rejects_of duplicate_ids)" "rejects"
assert_eq "D1|other case,d1|first,d2|second,|no id,|no id either" \
  "$(sql "SELECT group_concat(k, ',') FROM (SELECT coalesce(source_key,'')||'|'||name AS k FROM projects WHERE dataset='duplicate_ids' ORDER BY 1)")" "stored"
case_end

case_begin "a 1 MB CSV line: stored whole"
run --db $DB import one_mb_line.csv
assert_eq "1|1|0" "$(last_counts)" "counts"
assert_eq 1048587 "$(sql "SELECT length(extra) FROM projects WHERE source_key='big' AND dataset='one_mb_line'")" "extra {\"blob\":\"<1 MiB>\"}"
case_end

case_begin "a 1 MB line of 524,289 fields: rejected with the counts, raw text capped at 64 KiB"
run --db $DB import one_mb_fields.csv
assert_eq "1|0|1" "$(last_counts)" "counts"
assert_eq "2|malformed row: the row has 524289 fields, the header has 3" "$(rejects_of one_mb_fields)" "reject"
assert_eq 65536 "$(sql "SELECT length(raw) FROM rejects WHERE reason LIKE '%524289 fields%'")" "raw capped"
case_end

case_begin "a rejected row longer than 64 KiB: raw text capped on a character boundary, still UTF-8"
run --db $DB import long_utf8_reject.csv
assert_eq "1|0|1" "$(last_counts)" "counts"
assert_eq "2|malformed row: the row has 2 fields, the header has 3" "$(rejects_of long_utf8_reject)" "reject"
# 65,535 x's, then the cut at byte 65,536 would split the first 'é': kept up to it.
assert_eq "65535|65535" "$(sql "SELECT length(CAST(raw AS BLOB)), length(raw) FROM rejects WHERE reason LIKE '%2 fields, the header has 3'")" "bytes|characters"
utf8_check
case_end

case_begin "WKT nested 10,000 levels deep: that row rejected with GDAL's reason, nothing on stderr from GDAL"
run --db $DB import deep_collection.csv
assert_eq "2|1|1" "$(last_counts)" "counts"
assert_eq "2|unreadable WKT: column wkt: not WKT (Too many recursion levels (32) while parsing WKT geometry): 'GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(GEO'" \
  "$(rejects_of deep_collection)" "reject"
assert_not_contains "$OUT" "ERROR 1" "GDAL's own error line"
case_end

# -------------------------------------------------------------- GeoJSON ---
case_begin "empty GeoJSON file: exit 1 naming the file, nothing stored"
import_fails "$BR/empty.geojson" "empty.geojson: empty file (0 bytes)"
case_end

case_begin "empty FeatureCollection: 0 rows read, 0 stored, 0 rejected"
run --db $DB import "$BR/empty_collection.geojson"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "(GeoJSON): 0 rows read, 0 stored, 0 rejected" "summary"
case_end

case_begin "truncated GeoJSON: exit 1 with GDAL's reason, nothing stored"
import_fails "$BR/truncated.geojson" "truncated.geojson: not a file GDAL can read as vectors: At line 1, character 167: Unterminated object; Failed to read GeoJSON data"
case_end

case_begin "GeoJSON nested 10,000 levels deep: exit 1 saying so, nothing stored"
import_fails deep_nesting.geojson "deep_nesting.geojson: not a file GDAL can read as vectors: At line 2, character"
assert_contains "$OUT" "Too many nested objects and/or arrays; Failed to read GeoJSON data" "GDAL's first reason, not only its last"
case_end

case_begin "NaN and Infinity in GeoJSON: NaN coordinates empty, infinite ones rejected, NaN properties kept as text"
run --db $DB import "$BR/nan.geojson"
assert_eq "4|2|2" "$(last_counts)" "counts"
want="2|FID 1: empty geometry: the geometry is empty (GDAL reads NaN coordinates as empty) and there is no place or country to geocode
3|FID 2: coordinates NaN or infinite: coordinate inf 1 is not a finite number"
assert_eq "$want" "$(rejects_of nan)" "rejects"
assert_eq 'k1|{"score":"NaN"}
k4|' "$(sql "SELECT source_key||'|'||coalesce(extra,'') FROM projects WHERE dataset='nan' ORDER BY 1")" "stored"
case_end

case_begin "1e400 in GeoJSON: an infinite coordinate rejected, an infinite property kept as text, 1e308 out of range"
run --db $DB import "$BR/huge_numbers.geojson" --dataset huge_geojson
assert_eq "3|1|2" "$(last_counts)" "counts"
want="1|FID 0: coordinates NaN or infinite: coordinate inf 2 is not a finite number
3|FID 2: coordinates out of range: coordinate 1e+308 4 is outside lon -180..180, lat -90..90"
assert_eq "$want" "$(rejects_of huge_geojson)" "rejects"
assert_eq 'e2|{"big":"Infinity"}' "$(sql "SELECT source_key||'|'||extra FROM projects WHERE dataset='huge_geojson'")" "e2"
case_end

case_begin "a GeoJSONSeq line GDAL cannot parse: counted and rejected under its number (GDAL's reason), the others stored"
printf '{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[1.5,2.5]}}\n{"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Point","coordinates":[3.5,\n{"type":"Feature","properties":{"id":"c"},"geometry":{"type":"Point","coordinates":[5.5,6.5]}}\n' > seq_broken.geojsonl
run --db $DB import seq_broken.geojsonl
assert_eq 0 "$RC" "exit status"
assert_eq "3|2|1" "$(last_counts)" "counts: 3 records read"
assert_contains "$(rejects_of seq_broken)" "2|malformed row: GDAL could not read this record and skipped it: JSON parsing error" "the broken line's reject"
assert_eq "a|1.5 c|5.5" "$(ssql "SELECT source_key||'|'||X(geom) FROM projects WHERE dataset='seq_broken' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "stored"
# ogrinfo reads the same two features (and reports the same error)
assert_eq 2 "$(ogrinfo -ro -al -so seq_broken.geojsonl 2>/dev/null | sed -n 's/^Feature Count: //p')" "ogrinfo's feature count"
case_end

case_begin "bad polygons in GeoJSON: self-intersecting and unclosed repaired, degenerate rejected, by feature number"
run --db $DB import "$BR/bad_polygons.geojson" --dataset polys_geojson
assert_eq "4|3|1" "$(last_counts)" "counts"
want="3|FID 2: invalid geometry: Too few points in geometry component[0 0] (repair leaves no polygon)"
assert_eq "$want" "$(rejects_of polys_geojson)" "rejects"
assert_eq "q1,q2,q4" "$(sql "SELECT group_concat(source_key) FROM projects WHERE dataset='polys_geojson'")" "stored"
run --db $DB rejects --repaired --dataset polys_geojson
assert_contains "$OUT" "bad_polygons.geojson: feature 1: repaired: Self-intersection[0.5 0.5]" "listed by feature"
run --db $DB import "$BR/bad_polygons.geojson" --dataset polys_strict --strict-geometry
assert_eq "4|1|3" "$(last_counts)" "strict counts"
case_end

case_begin "antimeridian crossers in GeoJSON: both stored"
run --db $DB import "$BR/antimeridian.geojson" --dataset am_geojson
assert_eq "2|2|0" "$(last_counts)" "counts"
assert_eq "m1|LINESTRING(170 -10, -170 10)" "$(ssql "SELECT source_key, AsText(geom) FROM projects WHERE dataset='am_geojson' AND source_key='m1'")" "m1"
case_end

case_begin "duplicate ids in GeoJSON: the second rejected by feature number"
run --db $DB import "$BR/duplicate_ids.geojson" --dataset dup_geojson
assert_eq "3|2|1" "$(last_counts)" "counts"
assert_eq "2|FID 1: duplicate id: id 'x1' is already stored in dataset 'dup_geojson'" "$(rejects_of dup_geojson)" "reject"
case_end

case_begin "a non-WGS 84 crs member (EPSG:27700) is honoured, checked against cs2cs"
run --db $DB import "$BR/crs_27700.geojson"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "reprojected to WGS 84: 1" "summary"
read -r lat lon _ < <(echo "530000 180000" | cs2cs -f %.9f EPSG:27700 EPSG:4326)
assert_near "$lon" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='b1'")" 1e-7 "lon"
assert_near "$lat" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='b1'")" 1e-7 "lat"
case_end

case_begin "a crs member naming an unknown CRS: exit 1, nothing misread as WGS 84, nothing stored"
import_fails "$BR/crs_unknown.geojson" "crs_unknown.geojson: its crs member names a CRS PROJ does not know (urn:ogc:def:crs:EPSG::999999); nothing of this import was stored"
case_end

case_begin "invalid UTF-8 in GeoJSON: stored as valid UTF-8"
run --db $DB import "$BR/invalid_utf8.geojson" --dataset utf8_geojson
assert_eq "1|1|0" "$(last_counts)" "counts"
assert_eq "636166C3A9" "$(sql "SELECT hex(name) FROM projects WHERE dataset='utf8_geojson'")" "caf + é"
utf8_check
case_end

# ----------------------------------------------------------- Shapefiles ---
# Written by ogr2ogr from CSVs, then cut or mixed as a copy, a download or a
# hand-assembled folder leaves them.
printf 'id,place,country,lon,lat\nQ1,Paris,France,2.3522,48.8566\nQ2,Berlin,Germany,13.405,52.52\nQ3,Madrid,Spain,-3.7038,40.4168\nQ4,Rome,Italy,12.4964,41.9028\n' > shp4.csv
head -3 shp4.csv > shp2.csv
head -4 shp4.csv > shp3.csv
mk_shp() { ogr2ogr -f 'ESRI Shapefile' "$1" "$2" -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -a_srs EPSG:4326; }
mk_shp shp4.shp shp4.csv
mk_shp shp2.shp shp2.csv

case_begin "a truncated .shp (ogrinfo: Error in fread()): exit 1 naming the file, the feature and GDAL's message, nothing stored (its cut shapes were stored without coordinates, to geocode)"
mk_shp trunc3.shp shp3.csv
truncate -s 128 trunc3.shp      # the 100-byte header and the first point's 28 bytes
ogrinfo -q -al trunc3.shp 2>&1 | grep -q "Error in fread() reading object of size 28 at offset 128" ||
    echo "FAIL set-up: ogrinfo reads trunc3.shp without an error"
import_fails trunc3.shp "trunc3.shp: layer trunc3: feature 2 (FID 1): GDAL cannot read it (is the file truncated or damaged?): Error in fread() reading object of size 28 at offset 128 from .shp file; nothing of this import was stored"
assert_not_contains "$OUT" "ERROR 1" "no raw GDAL line"
case_end

case_begin "a Shapefile whose .shx and .dbf disagree (4 shapes and 2 records, 2 shapes and 4 records): exit 1 naming both counts and files, nothing stored; without its .dbf: exit 1 naming it; whole ones (also in upper case) import"
for e in shp shx prj; do cp shp4.$e moreshp.$e; cp shp2.$e moredbf.$e; cp shp4.$e nodbf.$e; done
cp shp2.dbf moreshp.dbf
cp shp4.dbf moredbf.dbf
# GDAL reads 2 features of either without a word (ogrinfo counts 4 of moreshp).
[ "$(ogrinfo -ro -al -so moreshp.shp 2>/dev/null | sed -n 's/^Feature Count: //p')" = 4 ] || echo "FAIL set-up: ogrinfo's count of moreshp.shp"
import_fails moreshp.shp "moreshp.shp: its .shx (moreshp.shx) indexes 4 shapes but its .dbf (moreshp.dbf) holds 2 records: the parts do not belong together"
assert_contains "$OUT" "nothing of this import was stored" "moreshp: nothing stored"
import_fails moredbf.shp "moredbf.shp: its .shx (moredbf.shx) indexes 2 shapes but its .dbf (moredbf.dbf) holds 4 records"
import_fails nodbf.shp "nodbf.shp: its .dbf (nodbf.dbf) is missing"
run --db $DB import shp4.shp
assert_eq 0 "$RC" "a whole Shapefile: exit status ($OUT)"
assert_eq "4|4|0" "$(last_counts)" "a whole Shapefile: counts"
for e in shp shx dbf prj; do cp shp2.$e "UPPER.$(tr a-z A-Z <<<"$e")"; done
run --db $DB import UPPER.SHP
assert_eq 0 "$RC" "upper-case extensions: exit status ($OUT)"
assert_eq "2|2|0" "$(last_counts)" "upper-case extensions: counts"
case_end

# --------------------------------------------------------- style files ---
style_fails() {  # file message
    rm -f st.geojson
    run --db $DB export -o st.geojson --style "$1"
    assert_eq 1 "$RC" "exit status"
    assert_contains "$OUT" "$2" "message"
    [ -e st.geojson ] && fail "an output was written"
    [ -z "$(ls -A . | grep '^\.footprint-export')" ] || fail "a temporary folder was left"
}
case_begin "style files: empty, truncated, NaN, 1e400, invalid UTF-8, duplicate key, nested 10,000 deep"
style_fails "$BR/style_empty.json" "style_empty.json:1:0: not valid JSON: '[' or '{' expected near end of file"
style_fails "$BR/style_truncated.json" "style_truncated.json:1:63: not valid JSON: '}' expected near end of file"
style_fails "$BR/style_nan.json" "style_nan.json:1:46: not valid JSON: invalid token near 'NaN'"
style_fails "$BR/style_huge.json" "style_huge.json:1:41: not valid JSON: real number overflow near '1e400'"
style_fails "$BR/style_invalid_utf8.json" "style_invalid_utf8.json:1:13: not valid JSON: unable to decode byte 0xe9"
style_fails "$BR/style_duplicate_key.json" "style_duplicate_key.json:1:20: not valid JSON: duplicate object key near '\"name\"'"
style_fails style_deep.json "style_deep.json:1:"
assert_contains "$OUT" "not valid JSON: maximum parsing depth reached" "deep: reason"
case_end

# ------------------------------------------------------ gazetteer files ---
gazetteer_fails() {  # file message
    local before; before=$(fingerprint)
    run --db $DB geocode --gazetteer "$1"
    assert_eq 1 "$RC" "exit status"
    assert_contains "$OUT" "$2" "message"
    assert_eq "$before" "$(fingerprint)" "nothing geocoded"
}
case_begin "gazetteer files: truncated, NaN, 1e400, invalid UTF-8, empty, header only"
assert_eq 9 "$(sql "SELECT count(*) FROM projects WHERE geom IS NULL AND dataset='places'")" "the 9 rows of places.csv wait to be geocoded"
gazetteer_fails "$BR/gazetteer_truncated.tsv" "gazetteer_truncated.tsv: line 3: expected 9 tab-separated fields"
gazetteer_fails "$BR/gazetteer_nan.tsv" "gazetteer_nan.tsv: line 2: bad coordinates 'nan' '48.85'"
gazetteer_fails "$BR/gazetteer_huge.tsv" "gazetteer_huge.tsv: line 2: bad coordinates '2.35' '1e400'"
gazetteer_fails "$BR/gazetteer_invalid_utf8.tsv" "gazetteer_invalid_utf8.tsv: line 3: not valid UTF-8"
gazetteer_fails "$BR/gazetteer_empty.tsv" "gazetteer_empty.tsv: empty file (expected the header id name"
gazetteer_fails "$BR/gazetteer_header_only.tsv" "gazetteer_header_only.tsv: the gazetteer has no places"
gazetteer_fails "$BR" "cannot read the gazetteer: Is a directory"
case_end

case_begin "after all of it: the store is consistent and the first imports are intact"
assert_eq "ok" "$(sql "PRAGMA integrity_check")" "integrity"
assert_eq "ok" "$(sql "SELECT rtreecheck('idx_projects_geom')")" "spatial index"
assert_eq "5|8" "$(sql "SELECT count(*), (SELECT count(*) FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='points_good') FROM projects WHERE dataset='points_good'")" "points_good rows"
utf8_check
case_end

case_begin "control characters from a file never reach the terminal raw: rejects and diff write ESC, BEL and C1 as \\xNN"
# Before: the raw row's ESC sequences (colour, OSC 8 link, OSC 0 window
# title) went to the terminal as they were.
printf 'name,lon,lat\n\033[31mbad\033]8;;http://evil/\033\\link\033]0;PWNED\007\302\233x,999,2\n' > esc.csv
fp_init esc.sqlite && "$FP" -q --db esc.sqlite import esc.csv --dataset d 2>/dev/null
run --db esc.sqlite rejects
assert_eq 0 "$(printf '%s' "$OUT" | LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]')" "no control character in the rejects listing"
assert_contains "$OUT" '\x1b[31mbad\x1b]8;;http://evil/\x1b\link\x1b]0;PWNED\x07\x9bx,999,2' "shown escaped"
printf 'id,name,lon,lat\n1,A\033]0;T\007,10.1234,20.1234\n' > e1.csv; printf 'id,name,lon,lat\n1,A\033]0;T\007,10.2234,20.1234\n' > e2.csv
"$FP" -q --db esc.sqlite import e1.csv --dataset e1 && "$FP" -q --db esc.sqlite import e2.csv --dataset e2
run --db esc.sqlite diff --dataset e1 --against e2
assert_eq 0 "$RC" "diff: exit status"
assert_eq 0 "$(printf '%s' "$OUT" | LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]')" "no control character in the diff"
assert_contains "$OUT" "'A\x1b]0;T\x07'" "the name escaped"
case_end
