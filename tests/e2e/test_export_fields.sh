#!/usr/bin/env bash
# Property names, 64-bit numbers and value types through import and every
# export format, read back with GDAL's own tools (issue 12, items 4, 5, 8, 9).
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB
FORMATS="geojson geojsonseq gpkg fgb shp csv"
assert_true() { python3 -c "import sys; sys.exit(0 if ($1) else 1)" || fail "$2"; }
ext_of() { case $1 in geojsonseq) echo geojsons ;; *) echo "$1" ;; esac; }

# Every feature of FILE as {id: {field: value}} in JSON, through ogr2ogr
# (GDAL's reading, not ours); CSV read with its .csvt.
to_json() {  # file out.json
    ogr2ogr -f GeoJSON "$2" "$1" -oo X_POSSIBLE_NAMES=X -oo Y_POSSIBLE_NAMES=Y 2>/dev/null ||
        ogr2ogr -f GeoJSON "$2" "$1" 2>/dev/null
}

# ----------------------------------------------------------------- names ---
# (a dotted name that is no field: `Recipient.ISO-3` now fills `country`, issue 17)
LONG=$(printf 'L%.0s' $(seq 200))
python3 - "$LONG" <<'P'
import json, sys
long = sys.argv[1]
props = {"id": "n1", "featurecla": "Coastline", "FEATURECLA": "Land", "Lender.Ref-3": "KEN", "with space": "a b",
         "país": "Kenya", "名前": "ケニア", long: "long value", "DATASET": "not the dataset", "class": "c"}
feats = [{"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [36.8, -1.3]}},
         {"type": "Feature", "properties": {"id": "n2", "featurecla": "River"}, "geometry": {"type": "Point", "coordinates": [30, 0]}}]
json.dump({"type": "FeatureCollection", "features": feats}, open('names.geojson', 'w'), ensure_ascii=False)
P
"$FP" -q --db $DB import names.geojson

for fmt in $FORMATS; do
    case_begin "$fmt: names differing in case, with spaces, dots, non-ASCII, 200 characters: export succeeds, ogrinfo silent, every value under its mapped name"
    ext=$(ext_of $fmt)
    run --db $DB export --where dataset=names -o "names_$fmt/p.$ext"
    assert_eq 0 "$RC" "exit status ($OUT)"
    err=$(ogrinfo -ro -al -so "names_$fmt/p.$ext" 2>&1 >/dev/null)
    assert_eq "" "$err" "ogrinfo stderr"
    to_json "names_$fmt/p.$ext" "names_$fmt.json"
    # Expected: the input's properties (python above); names through the map
    # when the export wrote one, else as they are.
    got=$(python3 - "names_$fmt.json" "names_$fmt/p.fields.csv" "$LONG" "$fmt" <<'P'
import csv, json, os, sys
path, mapfile, long, fmt = sys.argv[1:]
want = {"n1": {"featurecla": "Coastline", "FEATURECLA": "Land", "Lender.Ref-3": "KEN", "with space": "a b",
               "país": "Kenya", "名前": "ケニア", long: "long value", "DATASET": "not the dataset", "class": "c"},
        "n2": {"featurecla": "River"}}
m = {}
if os.path.exists(mapfile):
    rows = list(csv.reader(open(mapfile, encoding='utf-8', newline='')))
    assert rows[0][-1].endswith('_field'), rows[0]
    m = {r[-2]: r[-1] for r in rows[1:]}
names = list(m.values())
problems = []
if len({n.lower() for n in names}) != len(names): problems.append('names not unique ignoring case')
if fmt == 'shp' and any(len(n.encode()) > 10 for n in names): problems.append('a .dbf name over 10 bytes')
feats = {f['properties'].get('source_key'): f['properties'] for f in json.load(open(path))['features']}
for key, props in want.items():
    for k, v in props.items():
        name = m.get(k, k)
        if feats.get(key, {}).get(name) != v: problems.append('%s: %s -> %s = %r' % (key, k, name, feats.get(key, {}).get(name)))
print('; '.join(problems) if problems else 'ok')
P
)
    assert_eq "ok" "$got" "values"
    case_end
done

case_begin "the naming rule: earlier wins, case-only duplicates get _2, a key named like a column gets extra_, Shapefile cut at 10 bytes"
got=$(python3 - <<'P'
import csv
m = {r[1]: r[2] for r in list(csv.reader(open('names_gpkg/p.fields.csv', encoding='utf-8')))[1:]}
s = {r[0]: r[1] for r in list(csv.reader(open('names_shp/p.fields.csv', encoding='utf-8')))[1:]}
print(m['FEATURECLA'], m['featurecla'], m['DATASET'], m['class'], s['featurecla'], s['Lender.Ref-3'], s['名前'], s['L' * 200])
P
)
assert_eq "FEATURECLA featurecla_2 extra_DATASET class featurec_2 Lender.Ref 名前 LLLLLLLLLL" "$got" "mapped names"
case_end

# ------------------------------------------------------------ 64-bit ----
cat > big.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"b1","huge":9007199254740993,"five":5000000000,"small":7},"geometry":{"type":"Point","coordinates":[1,1]}},
{"type":"Feature","properties":{"id":"b2","huge":-9007199254740993,"five":1,"small":-2147483648},"geometry":{"type":"Point","coordinates":[2,2]}}
]}
E
"$FP" -q --db $DB import big.geojson
for fmt in gpkg fgb shp csv; do
    case_begin "$fmt: 64-bit integers of a project's properties: exact digits, Integer64, small ones Integer, no overflow warning"
    run --db $DB export --where dataset=big -o "big_$fmt/p.$fmt"
    assert_eq 0 "$RC" "exit status ($OUT)"
    info=$(ogrinfo -ro -al "big_$fmt/p.$fmt" 2>&1)
    assert_not_contains "$info" "overflow" "no overflow warning"
    assert_contains "$info" "huge (Integer64) = 9007199254740993" "huge b1"
    assert_contains "$info" "huge (Integer64) = -9007199254740993" "huge b2"
    assert_contains "$info" "five (Integer64) = 5000000000" "five"
    # A .dbf integer 11 digits wide reads back as Integer64 (GDAL's rule).
    if [ $fmt = shp ]; then assert_contains "$info" "small (Integer64) = -2147483648" "small"
    else assert_contains "$info" "small (Integer) = -2147483648" "small stays Integer"; fi
    case_end
done

case_begin "aggregate by continent: Asia's population (over 2^31) exact in every format, Integer64, no overflow warning"
"$FP" -q --db $DB import "$ROOT/geodata/projects.csv" --dataset sample
"$FP" -q --db $DB aggregate --by continent --name cont
want=$(sql "SELECT population FROM agg_cont WHERE code='Asia' OR name='Asia' LIMIT 1")
assert_true "${want:-0} > 2147483647" "the store's Asia population is over 2^31 ($want)"
for fmt in gpkg fgb shp csv geojson; do
    run --db $DB export --what aggregate:cont --no-centroids -o "cont_$fmt/a.$fmt"
    assert_eq 0 "$RC" "$fmt exit status ($OUT)"
    info=$(ogrinfo -ro -al "cont_$fmt/a.$fmt" 2>&1)
    assert_not_contains "$info" "overflow" "$fmt: no overflow warning"
    assert_contains "$info" "population (Integer64) = $want" "$fmt: Asia's population"
done
case_end

# ----------------------------------------------------- types round trip ---
# A GeoPackage with every OGR field type it holds (made by ogr2ogr from a
# CSV and its .csvt) and a GeoJSONSeq with times and lists (GDAL reads them
# as Time, StringList, IntegerList, RealList).
cat > typed.csv <<'E'
id,lon,lat,d,dt,i,i64,r,s,b
T1,10,20,2011-12-29,2011-12-29T10:20:30Z,-7,9007199254740993,0.1,"café, ""quoted""",1
T2,11,21,1999-01-02,2011-12-29T10:20:30.250+02:00,2147483647,-5000000000,1e-07,名前,0
E
echo '"String","Real","Real","Date","DateTime","Integer","Integer64","Real","String","Integer(Boolean)"' > typed.csvt
ogr2ogr -f GPKG typed.gpkg typed.csv -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat -oo KEEP_GEOM_COLUMNS=NO \
    -a_srs EPSG:4326 -nln typed 2>/dev/null
printf '%s\n' '{"type":"Feature","properties":{"id":"S1","t":"10:20:30","d":"2011-12-29","dt":"2011-12-29T10:20:30.250Z","sl":["a","b"],"il":[1,2],"rl":[0.5,1.25]},"geometry":{"type":"Point","coordinates":[1,2]}}' > seq.geojsonl
printf '%s\n' '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"G1","d":"2011-12-29","n":12.50,"z":"007"},"geometry":{"type":"Point","coordinates":[3,4]}}]}' > dates.geojson

case_begin "import keeps what was read: ISO dates and times, exact integers, reals, booleans, lists as JSON arrays"
run --db $DB import typed.gpkg --dataset typed
assert_eq 0 "$RC" "gpkg import ($OUT)"
run --db $DB import seq.geojsonl --dataset typed_seq
assert_eq 0 "$RC" "geojsonseq import ($OUT)"
run --db $DB import dates.geojson --dataset typed_json
assert_eq 0 "$RC" "geojson import ($OUT)"
assert_eq 'T1|{"b":true,"d":"2011-12-29","dt":"2011-12-29T10:20:30Z","i":-7,"i64":9007199254740993,"r":0.1,"s":"caf\u00E9, \"quoted\""}
T2|{"b":false,"d":"1999-01-02","dt":"2011-12-29T10:20:30.250+02:00","i":2147483647,"i64":-5000000000,"r":1e-7,"s":"\u540D\u524D"}' \
    "$(sql "SELECT source_key||'|'||extra FROM projects WHERE dataset='typed' ORDER BY 1")" "GeoPackage types"
assert_eq '{"d":"2011-12-29","dt":"2011-12-29T10:20:30.250Z","il":[1,2],"rl":[0.5,1.25],"sl":["a","b"],"t":"10:20:30"}' \
    "$(sql "SELECT extra FROM projects WHERE dataset='typed_seq'")" "times and lists"
assert_eq '{"d":"2011-12-29","n":12.5,"z":"007"}' "$(sql "SELECT extra FROM projects WHERE dataset='typed_json'")" "GeoJSON date stays 2011-12-29"
case_end

# Two files into one dataset: GDAL reads a property that is a list in one
# feature and a text in another of one file as a list of strings.
printf '%s\n' '{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"J1","il":[1,2],"o":{"k":[3]},"mixed":["x","y"]},"geometry":{"type":"Point","coordinates":[5,6]}}]}' > jsontext.geojson
printf '%s\n' '{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"J2","il":[4],"o":{"k":[]},"mixed":"plain"},"geometry":{"type":"Point","coordinates":[7,8]}}]}' > jsontext2.geojson
case_begin "gpkg: columns of lists and objects alone are declared JSON (application/json); they and a column mixing lists with text come back as they were"
cp $DB jt_src.sqlite
"$FP" -q --db jt_src.sqlite import jsontext.geojson --dataset jt
"$FP" -q --db jt_src.sqlite import jsontext2.geojson --dataset jt
assert_eq "array|text" "$(sqlite3 -batch jt_src.sqlite "SELECT group_concat(json_type(extra, '$.mixed'), '|') FROM (SELECT extra FROM projects WHERE dataset = 'jt' ORDER BY source_key)")" "sqlite3: the source holds a list and a text in one property"
run --db jt_src.sqlite export --where dataset=jt -o jt/p.gpkg
assert_eq 0 "$RC" "export ($OUT)"
assert_eq "il|application/json,o|application/json" "$(sqlite3 -batch jt/p.gpkg "SELECT column_name || '|' || mime_type FROM gpkg_data_columns WHERE table_name='projects' ORDER BY 1" | paste -sd,)" \
    "sqlite3: the list and object columns declared JSON, the mixed one not"
assert_contains "$(ogrinfo -ro -q -al jt/p.gpkg projects 2>&1)" "il (String(JSON)) = [1,2]" "ogrinfo: the JSON subtype"
fp_init jt.sqlite
run --db jt.sqlite import jt/p.gpkg
assert_eq 0 "$RC" "re-import ($OUT)"
assert_eq "J1|array|object|array
J2|array|object|text" "$(sqlite3 -batch jt.sqlite "SELECT source_key, json_type(extra, '$.il'), json_type(extra, '$.o'), json_type(extra, '$.mixed') FROM projects ORDER BY 1")" \
    "sqlite3: the types of the values read back"
assert_eq '[1,2]|{"k":[3]}|["x","y"]' "$(sqlite3 -batch jt.sqlite "SELECT json_extract(extra, '$.il'), json_extract(extra, '$.o'), json_extract(extra, '$.mixed') FROM projects WHERE source_key='J1'")" \
    "sqlite3: J1's values read back"
case_end

for fmt in $FORMATS; do
    case_begin "$fmt: every field type exported as read (values by ogr2ogr)"
    ext=$(ext_of $fmt)
    run --db $DB export --where dataset=typed --where dataset=typed_seq --where dataset=typed_json -o "typed_$fmt/p.$ext"
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_eq "" "$(ogrinfo -ro -al -so "typed_$fmt/p.$ext" 2>&1 >/dev/null)" "ogrinfo stderr"
    if [ "$fmt" = geojson ] || [ "$fmt" = geojsonseq ]; then
        # Our own JSON as written (GDAL would re-type dates as it reads).
        python3 -c "
import json, sys
t = open(sys.argv[1]).read()
fs = json.loads(t)['features'] if sys.argv[2] == 'geojson' else [json.loads(l.strip('\x1e')) for l in t.splitlines() if l.strip()]
json.dump({'features': fs}, open(sys.argv[3], 'w'))" "typed_$fmt/p.$ext" $fmt "typed_$fmt.json"
    else
        to_json "typed_$fmt/p.$ext" "typed_$fmt.json"
    fi
    got=$(python3 - "typed_$fmt.json" "$fmt" <<'P'
import json, sys
path, fmt = sys.argv[1:]
want = {
    'T1': {'d': '2011-12-29', 'dt': '2011-12-29T10:20:30Z', 'i': -7, 'i64': 9007199254740993, 'r': 0.1,
           's': 'café, "quoted"', 'b': True},
    'T2': {'d': '1999-01-02', 'dt': '2011-12-29T10:20:30.250+02:00', 'i': 2147483647, 'i64': -5000000000, 'r': 1e-07,
           's': '名前', 'b': False},
    'S1': {'t': '10:20:30', 'd': '2011-12-29', 'dt': '2011-12-29T10:20:30.250Z',
           'sl': ['a', 'b'], 'il': [1, 2], 'rl': [0.5, 1.25]},
    'G1': {'d': '2011-12-29', 'n': 12.5, 'z': '007'},
}
feats = {f['properties'].get('source_key'): f['properties'] for f in json.load(open(path))['features']}
problems = []
for key, props in want.items():
    for k, v in props.items():
        g = feats.get(key, {}).get(k)
        if fmt == 'shp' and k == 'b': v = int(v)     # a .dbf has no boolean type
        # Lists are JSON text in fixed-schema formats (GDAL's GeoJSON may
        # write them back as arrays).
        if isinstance(v, list) and isinstance(g, str): g = json.loads(g)
        if g != v or type(g) != type(v): problems.append('%s.%s = %r, want %r' % (key, k, g, v))
print('; '.join(problems) if problems else 'ok')
P
)
    assert_eq "ok" "$got" "values"
    case_end
done

# ------------------------------------------ nothing silently disappears ---
cat > kinds.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"k1"},"geometry":{"type":"Polygon","coordinates":[[[10,10],[12,12],[12,10],[10,12],[10,10]]]}},
{"type":"Feature","properties":{"id":"k2"},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[5,5]},{"type":"LineString","coordinates":[[5,5],[6,6]]}]}},
{"type":"Feature","properties":{"id":"k3"},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}}
]}
E
case_begin "a repaired bow-tie, a GeometryCollection and a line: every format that can hold them carries all; a Shapefile refuses loudly"
run --db $DB import kinds.geojson --dataset kinds
assert_contains "$OUT" "3 rows read, 3 stored, 0 rejected" "all stored"
n=$(sql "SELECT count(*) FROM projects WHERE dataset='kinds'")
assert_eq 3 "$n" "sqlite3 count"
for fmt in gpkg fgb csv geojson; do
    run --db $DB export --where dataset=kinds -o "kinds_$fmt/p.$fmt"
    assert_eq 0 "$RC" "$fmt exit ($OUT)"
    assert_eq "$n" "$(ogrinfo -ro -so -al "kinds_$fmt/p.$fmt" 2>/dev/null | sed -n 's/^Feature Count: //p' | head -1)" "$fmt count"
done
assert_contains "$(ogrinfo -ro -al kinds_gpkg/p.gpkg 2>/dev/null)" "GEOMETRYCOLLECTION (POINT (5 5),LINESTRING (5 5,6 6))" "collection in the GeoPackage"
run --db $DB export --where dataset=kinds -o kinds_shp/p.shp
assert_eq 1 "$RC" "shp exit status"
assert_contains "$OUT" "a Shapefile holds one kind of geometry and no collections" "shp says why"
assert_eq "" "$(ls kinds_shp 2>/dev/null)" "no partial Shapefile"
run --db $DB export --where dataset=kinds --where source_key=k1 -o k1_shp/p.shp
assert_eq 0 "$RC" "one kind exports ($OUT)"
assert_contains "$(ogrinfo -ro -al k1_shp/p.shp 2>/dev/null)" "geometry_r (String) = Self-intersection[11 11]" "repair reason carried (name cut to 10 bytes)"
case_end

# ------------------------------------------- names a format keeps to itself ---
# A CSV saved from a QGIS GeoPackage layer starts with fid; GDAL's GeoPackage
# names its feature id fid and footprint's geometry column geom.
printf 'fid,id,name,lon,lat,geom\n1,C1,a,8.5,47.3,g\n' > qgis.csv
"$FP" -q --db $DB import qgis.csv --dataset qgis
case_begin "gpkg: attributes named fid and geom (a QGIS CSV handed back) are extra_fid and extra_geom, in fields.csv; the export succeeds"
run --db $DB export --where dataset=qgis -o qgis_gpkg/p.gpkg
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "" "$(ogrinfo -ro -al -so qgis_gpkg/p.gpkg 2>&1 >/dev/null)" "ogrinfo stderr"
want_id=$(sql "SELECT id FROM projects WHERE dataset='qgis'")
assert_eq "$want_id|1|g" "$(sqlite3 -batch qgis_gpkg/p.gpkg "SELECT fid, extra_fid, extra_geom FROM projects" 2>&1)" \
    "sqlite3: the FID is the project's id, the attributes under their new names"
assert_contains "$(cat qgis_gpkg/p.fields.csv 2>/dev/null)" "projects,fid,extra_fid" "fields.csv: fid"
assert_contains "$(cat qgis_gpkg/p.fields.csv 2>/dev/null)" "projects,geom,extra_geom" "fields.csv: geom"
case_end

cat > fids.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"F1","fid":1,"GEOM":"a"},"geometry":{"type":"Point","coordinates":[8.5,47.3]}},
{"type":"Feature","properties":{"id":"F2","fid":1,"GEOM":"b"},"geometry":{"type":"Point","coordinates":[8.6,47.4]}}
]}
E
"$FP" -q --db $DB import fids.geojson --dataset fids

case_begin "gpkg --append: the renames of the layers already in the file stay in fields.csv, so a re-import restores every layer's names; an export with no rename leaves no stale map"
cp $DB app_src.sqlite
run --db app_src.sqlite export --where dataset=qgis --split-by dataset -o app/p.gpkg
assert_eq 0 "$RC" "first export ($OUT)"
run --db app_src.sqlite export --where dataset=fids --split-by dataset --append -o app/p.gpkg
assert_eq 0 "$RC" "appended export ($OUT)"
assert_eq "projects_fids,projects_qgis" "$(ogrinfo -ro -q app/p.gpkg 2>/dev/null | sed -n 's/^[0-9]*: \([a-z_0-9]*\) .*/\1/p' | grep projects | sort | paste -sd,)" "ogrinfo: both layers"
assert_eq "projects_fids,GEOM,extra_GEOM
projects_fids,fid,extra_fid
projects_qgis,fid,extra_fid
projects_qgis,geom,extra_geom" "$(grep extra_ app/p.fields.csv 2>/dev/null | LC_ALL=C sort)" "fields.csv: the renames of both layers"
run --db app_src.sqlite export --where dataset=fids --split-by dataset --append -o app/p.gpkg
assert_eq 4 "$(grep -c extra_ app/p.fields.csv)" "appended again: the layer's rows replaced, not doubled"
fp_init app.sqlite
run --db app.sqlite import app/p.gpkg
assert_eq 0 "$RC" "re-import ($OUT)"
assert_eq "GEOM,fid|GEOM,fid|fid,geom" "$(sqlite3 -batch app.sqlite "SELECT group_concat(k, ',') FROM (SELECT p.id AS pid, j.key AS k FROM projects p, json_each(p.extra) j WHERE j.key IN ('fid','geom','GEOM','extra_fid','extra_geom','extra_GEOM') ORDER BY p.id, j.key) GROUP BY pid" | LC_ALL=C sort | paste -sd'|')" \
    "sqlite3: every re-imported row has its attributes under the names it had"
# The map of a CSV of the same name is the CSV's: a GeoPackage written with
# nothing renamed leaves it.
run --db app_src.sqlite export --where dataset=qgis -o app/p.csv
assert_contains "$(cat app/p.fields.csv 2>/dev/null)" "geom,extra_geom" "the CSV's map"
printf 'id,lon,lat,note\n1,5,6,x\n' > plain.csv
"$FP" -q --db app_src.sqlite import plain.csv --dataset plain
run --db app_src.sqlite export --where dataset=plain -o app/p.gpkg
assert_eq 0 "$RC" "export with nothing renamed ($OUT)"
assert_contains "$(head -1 app/p.fields.csv 2>/dev/null)" "field,csv_field" "the CSV's map kept beside a GeoPackage with nothing renamed"
run --db app_src.sqlite export --where dataset=plain -o app/p.csv
assert_eq "no map" "$(ls app/p.fields.csv 2>/dev/null || echo no map)" "a CSV with nothing renamed: its earlier, stale map removed"
case_end

# Two datasets whose source keys are the same 1 and 2 (each list numbers its rows).
cp $DB two_src.sqlite
printf 'id,name,lon,lat\n1,a1,10,10\n2,a2,11,11\n' > two_a.csv
printf 'id,name,lon,lat\n1,b1,20,20\n2,b2,21,21\n' > two_b.csv
"$FP" -q --db two_src.sqlite import two_a.csv --dataset ta
"$FP" -q --db two_src.sqlite import two_b.csv --dataset tb
for fmt in gpkg geojson shp csv; do
    case_begin "$fmt: an export of two datasets sharing source keys read back whole: ids as DATASET:ID, none rejected as a duplicate"
    run --db two_src.sqlite export --where dataset=ta --where dataset=tb -o "two_$fmt/p.$fmt"
    assert_eq 0 "$RC" "export ($OUT)"
    fp_init "two_$fmt.sqlite"
    run --db "two_$fmt.sqlite" import "two_$fmt/p.$fmt"
    assert_eq 0 "$RC" "import ($OUT)"
    assert_contains "$OUT" "4 rows read, 4 stored, 0 rejected" "summary"
    assert_contains "$OUT" "ids read as DATASET:ID" "the note says why the ids changed"
    assert_eq "ta:1|a1,ta:2|a2,tb:1|b1,tb:2|b2" "$(sqlite3 -batch "two_$fmt.sqlite" "SELECT source_key || '|' || name FROM projects ORDER BY 1" | paste -sd,)" \
        "sqlite3: every row, keyed by its dataset"
    case_end
done
case_begin "gpkg --split-by dataset read back: ids as DATASET:ID, no 'layer' attribute (the split field holds it); one dataset alone keeps its ids"
run --db two_src.sqlite export --where dataset=ta --where dataset=tb --split-by dataset -o two_split/p.gpkg
assert_eq 0 "$RC" "export ($OUT)"
fp_init two_split.sqlite
run --db two_split.sqlite import two_split/p.gpkg
assert_contains "$OUT" "4 rows read, 4 stored, 0 rejected" "summary"
assert_eq "ta:1,ta:2,tb:1,tb:2|0" "$(sqlite3 -batch two_split.sqlite "SELECT group_concat(source_key, ',') FROM (SELECT source_key FROM projects ORDER BY 1)")|$(sqlite3 -batch two_split.sqlite "SELECT count(*) FROM projects WHERE json_extract(extra, '$.layer') IS NOT NULL")" \
    "sqlite3: keys, and no row tagged with its layer"
run --db two_src.sqlite export --where dataset=ta -o two_one/p.gpkg
fp_init two_one.sqlite
run --db two_one.sqlite import two_one/p.gpkg
assert_not_contains "$OUT" "DATASET:ID" "no note for one dataset"
assert_eq "1,2" "$(sqlite3 -batch two_one.sqlite "SELECT group_concat(source_key, ',') FROM (SELECT source_key FROM projects ORDER BY 1)")" "sqlite3: one dataset's keys as they were"
case_end

for fmt in $FORMATS; do
    case_begin "$fmt: integer fid values two rows share: exported as extra_fid, and ogr2ogr makes a GeoPackage of the file keeping them"
    ext=$(ext_of $fmt)
    run --db $DB export --where dataset=fids -o "fids_$fmt/p.$ext"
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$(cat "fids_$fmt/p.fields.csv" 2>/dev/null)" "fid,extra_fid" "fields.csv"
    # GDAL takes a field named fid for a GeoPackage's feature id: two rows
    # sharing one failed (UNIQUE constraint failed), a value unlike the
    # feature's id was refused or dropped.
    layer=""
    [ $fmt = gpkg ] && layer=projects      # not its layer_styles table
    conv=$(ogr2ogr -f GPKG "fids_$fmt.gpkg" "fids_$fmt/p.$ext" $layer -nln conv 2>&1)
    assert_eq "" "$conv" "ogr2ogr to GeoPackage says nothing"
    assert_eq "a,1|b,1" "$(sqlite3 -batch "fids_$fmt.gpkg" "SELECT extra_GEOM || ',' || CAST(extra_fid AS INTEGER) FROM conv ORDER BY 1" 2>&1 | paste -sd'|')" \
        "sqlite3: both rows, their fid and GEOM values"
    case_end
done

case_begin "a property name with a line break (an Excel header typed with Alt+Enter): a space in every format's field, in fields.csv, and GDAL reads every CSV column; a re-import restores the name"
cp $DB nl_src.sqlite
printf 'id,lon,lat,"Start\ndate",later\nN1,5,6,2020-01-02,x\n' > nl.csv
"$FP" -q --db nl_src.sqlite import nl.csv --dataset nl
for fmt in csv gpkg; do
    run --db nl_src.sqlite export --where dataset=nl -o "nl_$fmt/p.$fmt"
    assert_eq 0 "$RC" "$fmt export ($OUT)"
    assert_contains "$(ogrinfo -ro -q -al "nl_$fmt/p.$fmt" 2>&1)" "Start date (String) = 2020-01-02" "ogrinfo ($fmt): the field under its name with a space"
    assert_contains "$(ogrinfo -ro -q -al "nl_$fmt/p.$fmt" 2>&1)" "later (String) = x" "ogrinfo ($fmt): the column after it is read"
done
assert_eq "$(python3 -c "import csv; print(len(next(csv.reader(open('nl_csv/p.csv')))))")" \
    "$(ogrinfo -ro -so -al nl_csv/p.csv 2>/dev/null | grep -c '^[A-Za-z_ ]*: [A-Za-z0-9]* (')" "as many fields for ogrinfo as the header has (GDAL reads one header line)"
fp_init nl.sqlite
run --db nl.sqlite import nl_csv/p.csv
assert_eq '{"Start\ndate":"2020-01-02","later":"x"}' "$(sqlite3 -batch nl.sqlite "SELECT extra FROM projects")" "re-import: the name as it was (fields.csv)"
case_end

# --------------------------------------------- CSV: one location, its own ---
# The importer takes lon/lat/longitude/x/easting... or wkt columns for the
# location: in footprint's CSV only its own X/Y (points) or WKT may be such.
cat > loc.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"M1","name":"x","longitude":8.0,"latitude":47.0,"X":1,"lon":3,"Northing (m)":5,"geometry":"g"},"geometry":{"type":"Point","coordinates":[8.5417,47.3769]}},
{"type":"Feature","properties":{"id":"W2","name":"y","wkt":"note"},"geometry":{"type":"LineString","coordinates":[[8.6,47.3],[8.7,47.4]]}}
]}
E
"$FP" -q --db $DB import loc.geojson --dataset loc
for kind in points mixed; do
    case_begin "csv ($kind): attributes named like a location column (X, wkt, longitude, lon, Northing (m)) renamed extra_, the header unique ignoring case, the file read back where it was"
    where="--where dataset=loc"
    [ $kind = points ] && where="$where --where source_key=M1"
    run --db $DB export $where -o "loc_$kind/p.csv"
    assert_eq 0 "$RC" "exit status ($OUT)"
    got=$(python3 - "loc_$kind/p.csv" "loc_$kind/p.fields.csv" "$kind" <<'P'
import csv, os, re, sys
path, mapfile, kind = sys.argv[1:]
header = next(csv.reader(open(path, encoding='utf-8', newline='')))
problems = []
if len({h.lower() for h in header}) != len(header): problems.append('header not unique ignoring case: %s' % header)
# Location-like names, compared as importers do (case, spaces, _ . - and a
# trailing "(unit)" ignored).
norm = lambda h: re.sub(r'\(.*\)$', '', re.sub(r'[ ._\-]', '', h.lower()))
loc = {'x', 'y', 'lon', 'lng', 'long', 'longitude', 'lat', 'latitude', 'easting', 'northing', 'wkt'}
found = [h for h in header if norm(h) in loc]
want = ['X', 'Y'] if kind == 'points' else ['WKT']
if found != want: problems.append('location columns %s, want %s' % (found, want))
m = {r[0]: r[1] for r in list(csv.reader(open(mapfile, encoding='utf-8')))[1:]} if os.path.exists(mapfile) else {}
keys = ['longitude', 'latitude', 'X', 'lon', 'Northing (m)'] if kind == 'points' else ['longitude', 'latitude', 'X', 'lon', 'Northing (m)', 'wkt']
for k in keys:
    if m.get(k) != 'extra_' + k: problems.append('fields.csv: %s -> %s' % (k, m.get(k)))
if m.get('geometry', 'geometry') != 'geometry': problems.append('geometry renamed')
print('; '.join(problems) if problems else 'ok')
P
)
    assert_eq ok "$got" "header and fields.csv"
    # GDAL reads the location footprint wrote (its X/Y named, or the WKT).
    gdal=$(ogrinfo -ro -al -q "loc_$kind/p.csv" -oo X_POSSIBLE_NAMES=X -oo Y_POSSIBLE_NAMES=Y -oo KEEP_GEOM_COLUMNS=NO 2>&1 |
           grep -E '^  (POINT|LINESTRING)' | sed 's/^  //' | paste -sd'|')
    want_gdal="POINT (8.5417 47.3769)"
    [ $kind = mixed ] && want_gdal="POINT (8.5417 47.3769)|LINESTRING (8.6 47.3,8.7 47.4)"
    assert_eq "$want_gdal" "$gdal" "GDAL's reading"
    # And footprint's importer: every row back, where it was.
    rm -f "back_$kind.sqlite"
    cp $DB "back_$kind.sqlite"
    run --db "back_$kind.sqlite" import "loc_$kind/p.csv" --dataset back
    assert_eq 0 "$RC" "re-import ($OUT)"
    n=$([ $kind = points ] && echo "1 row read, 1 stored" || echo "2 rows read, 2 stored")
    assert_contains "$OUT" "$n, 0 rejected" "re-import stores every row"
    assert_eq "8.5417 47.3769" "$(spatialite_q "back_$kind.sqlite" "SELECT ST_X(geom) || ' ' || ST_Y(geom) FROM projects WHERE dataset='back' AND source_key='M1'")" \
        "M1 read back where it was (spatialite)"
    case_end
done

# ------------------------------------------------------ CSV: exact reals ---
cat > reals.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"R1","third":0.3333333333333333,"tenth":0.1,"big":1e300,"tiny":5e-324,"mix":5},"geometry":{"type":"Point","coordinates":[1,1]}},
{"type":"Feature","properties":{"id":"R2","third":1234567.891234567,"tenth":-2.5e-8,"big":-1.7976931348623157e308,"tiny":2.2250738585072014e-308,"mix":0.30000000000000004},"geometry":{"type":"Point","coordinates":[2,2]}}
]}
E
"$FP" -q --db $DB import reals.geojson --dataset reals
case_begin "csv: reals written so GDAL reads back the same double (0.3333333333333333, not 15 digits), the .csvt says Real"
run --db $DB export --where dataset=reals -o reals_csv/p.csv
assert_eq 0 "$RC" "exit status ($OUT)"
got=$(/usr/bin/python3 - reals_csv/p.csv <<'P'
import csv, sys
from osgeo import ogr
want = {'R1': {'third': 0.3333333333333333, 'tenth': 0.1, 'big': 1e300, 'tiny': 5e-324, 'mix': 5.0},
        'R2': {'third': 1234567.891234567, 'tenth': -2.5e-8, 'big': -1.7976931348623157e308,
               'tiny': 2.2250738585072014e-308, 'mix': 0.30000000000000004}}
problems = []
ds = ogr.Open(sys.argv[1])
layer = ds.GetLayer(0)
for f in layer:
    key = f.GetField('source_key')
    for k, v in want[key].items():
        i = f.GetFieldIndex(k)
        if f.GetFieldType(i) != ogr.OFTReal: problems.append('%s: %s' % (k, f.GetFieldDefnRef(i).GetTypeName()))
        if f.GetField(i) != v: problems.append('%s.%s = %r, want %r' % (key, k, f.GetField(i), v))
rows = {r['source_key']: r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8', newline=''))}
if rows['R1']['third'] != '0.3333333333333333': problems.append('text %r' % rows['R1']['third'])
print('; '.join(problems) if problems else 'ok')
P
)
assert_eq ok "$got" "values read by GDAL (osgeo.ogr)"
case_end

case_begin "csv: an aggregation's real columns read back by GDAL as the store's doubles (sqlite3)"
run --db $DB export --what aggregate:cont --no-centroids -o cont_rt/a.csv
assert_eq 0 "$RC" "exit status ($OUT)"
# The store's doubles through Python's sqlite3 (SQLite's printf gives 16 digits).
got=$(/usr/bin/python3 - cont_rt/a.csv $DB <<'P'
import sqlite3, sys
from osgeo import ogr
store = {r[0]: list(r[1:]) for r in sqlite3.connect(sys.argv[2]).execute(
    "SELECT code, area_km2, per_10k_km2, projects_weighted FROM agg_cont")}
ds = ogr.Open(sys.argv[1])
problems, n = [], 0
for f in ds.GetLayer(0):
    got = [f.GetField(k) for k in ('area_km2', 'per_10k_km2', 'projects_weighted')]
    n += 1
    if got != store.get(f.GetField('code')): problems.append('%s: %r, store %r' % (f.GetField('code'), got, store.get(f.GetField('code'))))
print('; '.join(problems[:3]) if problems or not n else 'ok')
P
)
assert_eq ok "$got" "area_km2, per_10k_km2, projects_weighted"
case_end

# ------------------------------------- Shapefile: numbers it cannot hold ---
cat > range.geojson <<'E'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"N1","big":-1.2345678901234568e22,"i":1234567890123456789,"ok":123456789.5,"tiny":1e-20,"v":1e300},"geometry":{"type":"Point","coordinates":[1,1]}},
{"type":"Feature","properties":{"id":"N2","big":1.5,"i":5,"ok":0.25,"tiny":0.125,"v":0.5},"geometry":{"type":"Point","coordinates":[2,2]}}
]}
E
"$FP" -q --db $DB import range.geojson --dataset range
case_begin "shp: reals whose whole part passes 24 characters or below the 15th decimal, integers past 18 digits: the export says how many and names the first, and they read back (osgeo.ogr) as it says"
run --db $DB export --where dataset=range -o range_shp/p.shp
assert_eq 0 "$RC" "exit status ($OUT)"
id1=$(sql "SELECT id FROM projects WHERE dataset='range' AND source_key='N1'")
assert_contains "$OUT" "export: 3 numbers beyond what a Shapefile holds (a real's whole part in 24 characters and 15 decimals, an integer in 18 digits) read back changed; the first: layer projects, feature $id1, field i: 1234567890123456789 reads back as 1234567890123456768 (use --format gpkg to keep them exact)" "the message"
got=$(/usr/bin/python3 - range_shp/p.shp <<'P'
import sys
from osgeo import ogr
ds = ogr.Open(sys.argv[1])
f = {g.GetField('source_key'): g for g in ds.GetLayer(0)}
n1, n2 = f['N1'], f['N2']
print(n1.GetField('v'), n1.GetField('i'), n1.GetField('tiny'), n1.GetField('ok') == 123456789.5,
      n1.GetField('big') == -1.2345678901234568e22, n2.GetField('i') == 5)
P
)
assert_eq "1.0000000000000001e+23 1.2345678901234568e+18 0.0 True True True" "$got" "what the .dbf reads back: the three named changed, the others kept"
run --db $DB export --where dataset=range -o range_gpkg/p.gpkg
assert_not_contains "$OUT" "beyond what" "GeoPackage: nothing said"
assert_eq "1.0e+300|1234567890123456789|1.0e-20" "$(sqlite3 -batch range_gpkg/p.gpkg "SELECT v, i, tiny FROM projects WHERE source_key='N1'")" "GeoPackage: exact (sqlite3)"
case_end
