#!/usr/bin/env bash
# footprint diff (issue 20, item 3): what changed between two editions.
# tests/fixtures/diff/edition_2024.csv and edition_2025.csv differ in known
# rows (line numbers: header = line 1):
#   D1  Nairobi DC         country KEN -> Kenya (same code)      unchanged, by id
#   D2  Addis 5G core      year 2020 -> 2021, status -> built     changed, by id
#   D3  Lusaka Safe City   28.2833,-15.4167 -> 28.33,-15.39       moved, by id
#   D4  Harare cameras     only in 2024                           removed
#   D5  Kigali cloud       30.0619 -> 30.0623 (44.5 m, geod)      unchanged (< 100 m)
#   D6  Dakar backbone     extra column phase 1 -> 2              changed, by id
#   D7  Jakarta DC         moved and status -> built              moved (also changed)
#   --  Cairo R&D Lab      no id; name case -> "lab"              changed, by name
#   --  Genomics lab/BGI   no id; moved, name and company case    moved, by name
#   --  Lagos office       no id, only in 2024                    removed
#   --  Accra office       no id in 2024, id D9 in 2025           unchanged, by name
#   D10 / D11 Lima office  same name, company, country, two ids   removed + added
#   D8  Nairobi 5G, -- Karachi hub                                added
# Distances come from PROJ's geod, never from footprint.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB
cp "$FIX/diff/edition_2024.csv" "$FIX/diff/edition_2025.csv" .
"$FP" -q --db $DB import edition_2024.csv --dataset 2024 > /dev/null
"$FP" -q --db $DB import edition_2025.csv --dataset 2025 > /dev/null

# geod_m LON1 LAT1 LON2 LAT2: geodesic distance in metres on WGS 84 (PROJ's geod).
geod_m() {
    echo "$2 $1 $4 $3" | geod +ellps=WGS84 -I +units=m -f %.6f | awk '{print $3}'
}
# field CSV CHANGE KEY_OR_NAME COLUMN: a column of the report's row of that
# change whose source_key (or, without one, name) is given.
field() {
    python3 - "$@" <<'P'
import csv, sys
path, change, who, col = sys.argv[1:5]
for r in csv.DictReader(open(path, newline='')):
    if r['change'] == change and (r['source_key'] == who or (not r['source_key'] and r['name'] == who)):
        print(r[col]); break
else:
    print('(no row)')
P
}

D3=$(geod_m 28.2833 -15.4167 28.3300 -15.3900)
D7=$(geod_m 106.8456 -6.2088 106.9000 -6.1500)
DG=$(geod_m 76.8897 43.2389 76.9458 43.2567)
D5=$(geod_m 30.0619 -1.9441 30.0623 -1.9441)

case_begin "the fixture's moves are what the header says (geod)"
    awk "BEGIN{exit !($D3 > 5000 && $D7 > 5000 && $DG > 4000 && $D5 > 10 && $D5 < 100)}" ||
        fail "distances D3=$D3 D7=$D7 Genomics=$DG D5=$D5"
case_end

case_begin "diff prints the counts per kind and the first examples"
    run --db $DB diff --dataset 2024 --against 2025 --report report.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "diff 2024 -> 2025: 12 projects in 2024, 12 in 2025; 9 matched (6 by id, 3 by name+company+location)" "head line"
    assert_contains "$OUT" "3 added, 3 removed, 3 moved more than 100 m (2 of them also changed), 3 changed, 3 unchanged" "counts"
    assert_contains "$OUT" "edition_2024.csv:5: [D4] 'Harare cameras' (Hikvision, ZWE)" "a removed example names file and line"
    assert_contains "$OUT" "edition_2025.csv:11: [D8] 'Nairobi 5G' (Huawei, KEN)" "an added example"
    assert_contains "$OUT" "[D2] 'Addis 5G core' (ZTE, ETH), matched by id; status: planned -> built; year: 2020 -> 2021" "a changed example"
    assert_contains "$OUT" "every change: report.csv" "report named"
    assert_eq 12 "$(($(wc -l < report.csv) - 1))" "report rows (one per change)"
case_end

case_begin "the report: every change with its rows, fields and geodesic distances"
    assert_eq "id|" "$(field report.csv moved D3 matched_by)|$(field report.csv moved D3 changed_fields)" "D3 moved by id, nothing else"
    assert_near "$D3" "$(field report.csv moved D3 distance_m)" 0.001 "D3's distance"
    assert_near "$D7" "$(field report.csv moved D7 distance_m)" 0.001 "D7's distance"
    assert_eq "status" "$(field report.csv moved D7 changed_fields)" "D7 moved and changed"
    assert_near "$DG" "$(field report.csv moved 'Genomics Lab' distance_m)" 0.001 "the id-less lab's distance"
    assert_eq "name|name,company" "$(field report.csv moved 'Genomics Lab' matched_by)|$(field report.csv moved 'Genomics Lab' changed_fields)" "matched by name+company+location despite case"
    assert_eq "status,year" "$(field report.csv changed D2 changed_fields)" "D2's fields"
    assert_eq "phase: 1 -> 2" "$(field report.csv changed D6 details)" "D6: the extra column"
    assert_eq "name|name: Cairo R&D Lab -> Cairo R&D lab" "$(field report.csv changed 'Cairo R&D lab' matched_by)|$(field report.csv changed 'Cairo R&D lab' details)" "Cairo by name"
    assert_eq "edition_2024.csv:5|" "$(field report.csv removed D4 old_row)|$(field report.csv removed D4 new_row)" "D4 removed, its row"
    assert_eq "edition_2024.csv:11" "$(field report.csv removed 'Lagos office' old_row)" "Lagos removed"
    assert_eq "edition_2025.csv:12" "$(field report.csv added 'Karachi hub' new_row)" "Karachi added"
    # Both Lima rows have an id, and the ids differ: never paired by name.
    assert_eq "edition_2024.csv:13|edition_2025.csv:13" "$(field report.csv removed D10 old_row)|$(field report.csv added D11 new_row)" "D10 removed, D11 added"
    # Unchanged rows are not in the report: D1 (Kenya = KEN), D5 (44 m), Accra (id added).
    for who in D1 D5 D9 'Accra office'; do
        assert_eq 0 "$(grep -cw -- "$who" report.csv)" "$who in the report"
    done
    # The store ids in the report are the store's (sqlite3).
    assert_eq "$(sql "SELECT id FROM projects WHERE dataset='2024' AND source_key='D3'")|$(sql "SELECT id FROM projects WHERE dataset='2025' AND source_key='D3'")" \
        "$(field report.csv moved D3 old_id)|$(field report.csv moved D3 new_id)" "D3's store ids"
case_end

case_begin "--min-move sets the threshold: 10 m makes D5's 44 m a move"
    run --db $DB diff --dataset 2024 --against 2025 --min-move 10 --report r10.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "4 moved more than 10 m" "counts"
    assert_near "$D5" "$(field r10.csv moved D5 distance_m)" 0.001 "D5's distance"
case_end

case_begin "bad options and unknown datasets: exit 2 with the reason"
    run --db $DB diff --dataset 2024 --against 2026
    assert_eq 2 "$RC" "unknown dataset"
    assert_contains "$OUT" "--against 2026: no projects in dataset '2026' of s.sqlite (datasets: 2024 (12), 2025 (12))" "names the datasets"
    run --db $DB diff --dataset 2024 --against 2024
    assert_eq 2 "$RC" "same dataset"
    assert_contains "$OUT" "the same dataset" "says why"
    run --db $DB diff --dataset 2024
    assert_eq 2 "$RC" "no --against"
    run --db $DB diff --dataset 2024 --against 2025 --report r.txt
    assert_eq 2 "$RC" "report not CSV"
    assert_contains "$OUT" "--report r.txt: expected FILE.csv" "says why"
    run --db $DB diff --dataset 2024 --against 2025 --min-move -5
    assert_eq 2 "$RC" "negative threshold"
    # PostGIS runs diff too (test_postgis.sh compares it with SpatiaLite's):
    # here an unreachable server is one line naming it, exit 1.
    run --db postgresql://nobody:pw-secret@127.0.0.1:1/none diff --dataset 2024 --against 2025
    assert_eq 1 "$RC" "unreachable PostGIS store"
    assert_contains "$OUT" "footprint: postgresql://nobody@127.0.0.1:1/none: cannot connect" "names the server"
    assert_not_contains "$OUT" "not yet supported" "diff is supported on PostGIS"
    assert_not_contains "$OUT" "pw-secret" "no password"
case_end

case_begin "diff and export write nothing to the store"
    before=$(sha256sum $DB)
    "$FP" -q --db $DB diff --dataset 2024 --against 2025 > /dev/null
    "$FP" -q --db $DB export --what diff:2024:2025 -o nothing.gpkg > /dev/null
    assert_eq "$before" "$(sha256sum $DB)" "store bytes"
case_end

case_begin "export --what diff:OLD:NEW -o FILE.gpkg: the changes as a layer, styled for QGIS"
    run --db $DB export --what diff:2024:2025 -o out/changes.gpkg
    assert_eq 0 "$RC" "exit status ($OUT)"
    G=out/changes.gpkg
    assert_contains "$(ogrinfo -so $G diff_2024_2025)" "Feature Count: 12" "features"
    counts=$(ogrinfo -q $G -sql "SELECT change, count(*) AS n FROM diff_2024_2025 GROUP BY change ORDER BY change" |
             awk '/change \(String\)/{c=$4} /n \(Integer/{print c "=" $4}' | tr '\n' ' ')
    assert_eq "added=3 changed=3 moved=3 removed=3 " "$counts" "features per change"
    # A moved point: drawn where it is now, from_lon/lat where it was, the distance of geod.
    d3=$(ogrinfo -q $G -sql "SELECT distance_m, from_lon, from_lat, ST_X(geom) AS x, ST_Y(geom) AS y, matched_by FROM diff_2024_2025 WHERE source_key = 'D3'" -dialect sqlite)
    assert_near "$D3" "$(awk '/distance_m \(Real\)/{print $4}' <<<"$d3")" 0.001 "D3's distance"
    assert_eq "28.2833 -15.4167 28.33 -15.39 id" "$(awk '/from_lon|from_lat|  x |  y |matched_by/{printf "%s ", $4}' <<<"$d3" | sed 's/ $//')" "D3 from / to"
    # A removed project is drawn where it was; a changed one lists its fields.
    assert_contains "$(ogrinfo -q $G -sql "SELECT dataset, geom FROM diff_2024_2025 WHERE change = 'removed' AND source_key = 'D4'")" "POINT (31.0534 -17.8292)" "D4 at its old place"
    assert_contains "$(ogrinfo -q $G -sql "SELECT changed_fields FROM diff_2024_2025 WHERE source_key = 'D2'")" "changed_fields (String) = status,year" "D2's fields"
    # The QGIS style in layer_styles: categorized on change, the four colours.
    qml=$(sqlite3 $G "SELECT styleQML FROM layer_styles WHERE f_table_name = 'diff_2024_2025' AND useAsDefault = 1")
    printf '%s' "$qml" > style.qml
    assert_contains "$qml" 'type="categorizedSymbol" attr="change"' "categorized on change"
    for pair in added:26,150,65 removed:215,25,28 moved:255,127,0 changed:43,131,186; do
        v=${pair%%:*} rgb=${pair#*:}
        n=$(python3 - "$v" "$rgb" <<'P'
import sys, xml.etree.ElementTree as ET
root = ET.fromstring(open('style.qml').read().split('\n', 1)[1])
value, rgb = sys.argv[1], sys.argv[2]
cat = [c for c in root.iter('category') if c.get('value') == value]
sym = cat and [s for s in root.iter('symbol') if s.get('name') == cat[0].get('symbol')]
col = sym and [o.get('value') for o in sym[0].iter('Option') if o.get('name') == 'color']
print('ok' if col and col[0] == rgb + ',255' else 'got %s' % col)
P
)
        assert_eq ok "$n" "colour of $v"
    done
case_end

case_begin "export diff to GeoJSON: RFC 7946 file and a .qml next to it"
    run --db $DB export --what diff:2024:2025 -o out/changes.geojson
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$(ogrinfo -so -al out/changes.geojson)" "Feature Count: 12" "features"
    assert_contains "$(cat out/changes.qml)" 'attr="change"' "sidecar style"
    python3 "$ROOT/tests/tools/rfc7946_check.py" out/changes.geojson > check.out 2>&1 || fail "RFC 7946: $(head -3 check.out)"
    moved=$(python3 -c "
import json; f = json.load(open('out/changes.geojson'))
print(sorted(x['properties']['source_key'] or x['properties']['name'] for x in f['features'] if x['properties']['change'] == 'moved'))")
    assert_eq "['D3', 'D7', 'Genomics Lab']" "$moved" "moved features"
    run --db $DB export --what diff:2024 -o out/bad.geojson
    assert_eq 2 "$RC" "diff:OLD without NEW"
    assert_contains "$OUT" "expected diff:OLD:NEW" "says the form"
case_end

# Lines and polygons (GeoJSON editions): a polygon shifted east moves by its
# centroid (a square's centre, by hand) as geod measures it; a square grown
# around the same centre is changed (geometry), not moved.
cat > lines_a.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "P1", "name": "Site one", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[9.99, 9.99], [10.01, 9.99], [10.01, 10.01], [9.99, 10.01], [9.99, 9.99]]]}},
{"type": "Feature", "properties": {"id": "P2", "name": "Site two", "company": "ZTE", "country": "NER"},
 "geometry": {"type": "Polygon", "coordinates": [[[7.99, 15.99], [8.01, 15.99], [8.01, 16.01], [7.99, 16.01], [7.99, 15.99]]]}},
{"type": "Feature", "properties": {"id": "L1", "name": "Cable", "company": "Huawei", "country": "NGA"},
 "geometry": {"type": "LineString", "coordinates": [[5, 7], [6, 8]]}}
]}
EOF
cat > lines_b.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "P1", "name": "Site one", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[10.04, 9.99], [10.06, 9.99], [10.06, 10.01], [10.04, 10.01], [10.04, 9.99]]]}},
{"type": "Feature", "properties": {"id": "P2", "name": "Site two", "company": "ZTE", "country": "NER"},
 "geometry": {"type": "Polygon", "coordinates": [[[7.98, 15.98], [8.02, 15.98], [8.02, 16.02], [7.98, 16.02], [7.98, 15.98]]]}},
{"type": "Feature", "properties": {"id": "L1", "name": "Cable", "company": "Huawei", "country": "NGA"},
 "geometry": {"type": "LineString", "coordinates": [[5, 7], [6, 8]]}}
]}
EOF

case_begin "lines and polygons: moved by the centroid, a reshaped site is changed (geometry)"
    "$FP" -q --db $DB import lines_a.geojson --dataset shapes_a > /dev/null
    "$FP" -q --db $DB import lines_b.geojson --dataset shapes_b > /dev/null
    run --db $DB diff --dataset shapes_a --against shapes_b --report shapes.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "0 added, 0 removed, 1 moved more than 100 m (0 of them also changed), 1 changed, 1 unchanged" "counts"
    assert_near "$(geod_m 10 10 10.05 10)" "$(field shapes.csv moved P1 distance_m)" 0.01 "P1 moved by its centre"
    assert_eq "geometry" "$(field shapes.csv changed P2 changed_fields)" "P2 reshaped in place"
case_end

# A ring's direction and first vertex are no change of shape (an RFC 7946
# GeoJSON export turns a clockwise exterior counter-clockwise). Written by
# hand, each site 0.02 or 0.2 degrees across near 10 N:
#   R1  clockwise square, its twin the same vertices counter-clockwise
#   R2  clockwise square, its twin clockwise from another vertex
#   R4  clockwise, its west edge off vertical by 0.00001 degree (10.00001 at
#       the top, 10.00002 at the bottom); the twin counter-clockwise and
#       rounded to 4 decimals (both west vertices at x = 10): GEOS's normal
#       form starts a ring at its least x, the top one in R4 but the bottom
#       one in the twin, so the rings are also tried from every start
#   L2  a line, its twin the same vertices in the other order
#   R3  a 0.2-degree square whose north-east vertex goes 0.0015 degree east
#       in the twin (164 m at 10 N; more than the 100 m threshold, 0.0009
#       degree at the equator): changed (geometry). Its centroid moves by
#       0.00015 / 0.04015 of (0.1005, 0.0333) degree (the added triangle's
#       area and centroid): about 42 m, under 100 m, so not moved.
cat > rings_a.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "R1", "name": "Ring one", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [10, 10.02], [10.02, 10.02], [10.02, 10], [10, 10]]]}},
{"type": "Feature", "properties": {"id": "R2", "name": "Ring two", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[11, 10], [11, 10.02], [11.02, 10.02], [11.02, 10], [11, 10]]]}},
{"type": "Feature", "properties": {"id": "R3", "name": "Ring three", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[12, 10], [12.2, 10], [12.2, 10.2], [12, 10.2], [12, 10]]]}},
{"type": "Feature", "properties": {"id": "R4", "name": "Ring four", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[10.00001, 11.02], [10.02, 11.02], [10.02, 11], [10.00002, 11], [10.00001, 11.02]]]}},
{"type": "Feature", "properties": {"id": "L2", "name": "Line two", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "LineString", "coordinates": [[5, 7], [5.5, 7.2], [6, 8]]}}
]}
EOF
cat > rings_b.geojson <<'EOF'
{"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": "R1", "name": "Ring one", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[10, 10], [10.02, 10], [10.02, 10.02], [10, 10.02], [10, 10]]]}},
{"type": "Feature", "properties": {"id": "R2", "name": "Ring two", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[11.02, 10.02], [11.02, 10], [11, 10], [11, 10.02], [11.02, 10.02]]]}},
{"type": "Feature", "properties": {"id": "R3", "name": "Ring three", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[12, 10], [12.2, 10], [12.2015, 10.2], [12, 10.2], [12, 10]]]}},
{"type": "Feature", "properties": {"id": "R4", "name": "Ring four", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "Polygon", "coordinates": [[[10, 11], [10.02, 11], [10.02, 11.02], [10, 11.02], [10, 11]]]}},
{"type": "Feature", "properties": {"id": "L2", "name": "Line two", "company": "ZTE", "country": "NGA"},
 "geometry": {"type": "LineString", "coordinates": [[6, 8], [5.5, 7.2], [5, 7]]}}
]}
EOF

case_begin "a ring drawn the other way round or from another vertex is the same shape; a vertex moved beyond the threshold is changed"
    "$FP" -q --db $DB import rings_a.geojson --dataset rings_a > /dev/null
    "$FP" -q --db $DB import rings_b.geojson --dataset rings_b > /dev/null
    run --db $DB diff --dataset rings_a --against rings_b --report rings.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 1 changed, 4 unchanged" "counts"
    assert_eq "R3:geometry" "$(python3 -c 'import csv,sys; print(" ".join(r["source_key"] + ":" + r["changed_fields"] for r in csv.DictReader(open(sys.argv[1]))))' rings.csv)" \
        "the only change: R3's vertex"
case_end

# The tester's round trip: a clockwise polygon imported, exported as GeoJSON
# (RFC 7946: exterior counter-clockwise), the export imported again.
case_begin "a clockwise polygon read back from footprint's GeoJSON export is unchanged"
    printf '%s\n' '{"type": "FeatureCollection", "features": [' \
        '{"type": "Feature", "properties": {"id": "C1", "name": "Clockwise site", "company": "ZTE", "country": "NGA"},' \
        ' "geometry": {"type": "Polygon", "coordinates": [[[9, 9], [9, 9.05], [9.05, 9.05], [9.05, 9], [9, 9]]]}}]}' > cw.geojson
    "$FP" -q --db $DB import cw.geojson --dataset cw_a > /dev/null
    "$FP" -q --db $DB export --dataset cw_a -o cw_out.geojson
    # The export did turn the ring (else this case tests nothing).
    assert_eq "[[9, 9], [9.05, 9], [9.05, 9.05], [9, 9.05], [9, 9]]" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["features"][0]["geometry"]["coordinates"][0])' cw_out.geojson)" \
        "the export's ring, counter-clockwise"
    "$FP" -q --db $DB import cw_out.geojson --dataset cw_b > /dev/null
    run --db $DB diff --dataset cw_a --against cw_b
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 1 unchanged" "counts"
case_end

# Rows without ids, several of one name, company and country: an unchanged
# row pairs with its twin first, then the nearest pair. Expected by hand:
# the Mombasa row is gone, Nairobi is as it was (greedy in store order,
# Mombasa took Nairobi: a 439 km "move" with its place changed).
printf 'company,name,place,country,lon,lat\nHuawei,Safe city,Mombasa,KEN,39.6682,-4.0435\nHuawei,Safe city,Nairobi,KEN,36.8219,-1.2921\n' > twins_old.csv
printf 'company,name,place,country,lon,lat\nHuawei,Safe city,Nairobi,KEN,36.8219,-1.2921\n' > twins_new.csv
# The Nairobi row moved 300 m east and no row is unchanged: nearest first.
printf 'company,name,place,country,lon,lat\nHuawei,Safe city,Nairobi,KEN,36.8246,-1.2921\n' > twins_near.csv

case_begin "rows without ids: the identical row pairs first, then the nearest; the rest removed"
    "$FP" -q --db $DB import twins_old.csv --dataset twins_o > /dev/null
    "$FP" -q --db $DB import twins_new.csv --dataset twins_n > /dev/null
    "$FP" -q --db $DB import twins_near.csv --dataset twins_m > /dev/null
    run --db $DB diff --dataset twins_o --against twins_n --report twins.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "1 matched (0 by id, 1 by name+company+location)" "head line"
    assert_contains "$OUT" "0 added, 1 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 1 unchanged" "counts"
    assert_eq "removed|twins_old.csv:2|$(sql "SELECT id FROM projects WHERE dataset='twins_o' AND place='Mombasa'")" \
        "$(python3 -c 'import csv,sys; print("\n".join("|".join((r["change"], r["old_row"], r["old_id"])) for r in csv.DictReader(open(sys.argv[1]))))' twins.csv)" \
        "the only change: Mombasa's row removed"
    run --db $DB diff --dataset twins_o --against twins_m --report twins_near.csv.report.csv
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "0 added, 1 removed, 1 moved more than 100 m (0 of them also changed), 0 changed, 0 unchanged" "counts, nearest"
    assert_eq "twins_old.csv:3|twins_near.csv:2|" "$(field twins_near.csv.report.csv moved 'Safe city' old_row)|$(field twins_near.csv.report.csv moved 'Safe city' new_row)|$(field twins_near.csv.report.csv moved 'Safe city' changed_fields)" "Nairobi moved, nothing else"
    assert_near "$(geod_m 36.8219 -1.2921 36.8246 -1.2921)" "$(field twins_near.csv.report.csv moved 'Safe city' distance_m)" 0.01 "by geod's distance"
    assert_eq "twins_old.csv:2" "$(field twins_near.csv.report.csv removed 'Safe city' old_row)" "Mombasa removed"
case_end

# render --diff OLD:NEW: the changes as a map ("new since OLD"). Pixels are
# found through the PNG's .prj (read by GDAL's gdalsrsinfo) and world file,
# the points projected by PROJ's `proj` (tests/tools/png_probe.py); the
# colours are read from styles/diff.json, the counts are the fixture's
# (header above, by hand).
PY=/usr/bin/python3
probe() { "$PY" "$ROOT/tests/tools/png_probe.py" "$@" 2>&1; }
prj4() { gdalsrsinfo -o proj4 "$1" 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//'; }
diff_colour() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['points']['colors'][sys.argv[2]])" "$ROOT/styles/diff.json" "$1"; }
ADDED=$(diff_colour added) REMOVED=$(diff_colour removed) MOVED=$(diff_colour moved) CHANGED=$(diff_colour changed)
LAND=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['land']['fill'])" "$ROOT/styles/diff.json")
# at PNG LON LAT: the colour covering most of the 5x5 pixels round the point.
at() { probe probe "$1" "$(prj4 "${1%.png}.prj")" "$2" "$3" 2; }
# pixels PNG COLOUR: how many pixels of the whole page are exactly that colour.
pixels() {
    local wh; wh=$(probe size "$1")
    probe count "$1" 0 0 "${wh%x*}" "${wh#*x}" "$2" | grep -o '[0-9]*$'
}

case_begin "render --diff 2024:2025: a 'new since' map, the added projects in the style's green, nothing else"
    run --db $DB render --diff 2024:2025 -o out/new.png
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_eq "$ADDED" "$(at out/new.png 36.8172 -1.2864)" "D8 Nairobi 5G (added)"
    assert_eq "$ADDED" "$(at out/new.png 67.0099 24.8615)" "Karachi hub (added)"
    # Removed, moved and changed projects are not drawn: the land shows.
    assert_eq "$LAND" "$(at out/new.png 31.0534 -17.8292)" "D4 Harare (removed): land"
    assert_eq "$LAND" "$(at out/new.png 38.7578 8.9806)" "D2 Addis (changed): land"
    for c in "$REMOVED" "$MOVED" "$CHANGED"; do
        assert_eq 0 "$(pixels out/new.png "$c")" "pixels of $c on the page"
    done
case_end

case_begin "render --diff --changes added,removed: red where removed projects were, green on top"
    run --db $DB render --diff 2024:2025 --changes added,removed --size 1200x700 -o out/ar.png
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_eq "$REMOVED" "$(at out/ar.png 31.0534 -17.8292)" "D4 Harare (removed)"
    assert_eq "$REMOVED" "$(at out/ar.png 3.3792 6.5244)" "Lagos office (removed)"
    assert_eq "$ADDED" "$(at out/ar.png 36.8172 -1.2864)" "D8 Nairobi 5G (added)"
    # Lima: D10 removed and D11 added at one place; the added one is on top.
    assert_eq "$ADDED" "$(at out/ar.png -77.0428 -12.0464)" "Lima (removed + added)"
    run --db $DB render --diff 2024:2025 --changes added,removed,moved,changed --size 1200x700 -o out/all.png
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_eq "$MOVED" "$(at out/all.png 28.33 -15.39)" "D3 Lusaka (moved), at its new place"
    assert_eq "$CHANGED" "$(at out/all.png 38.7578 8.9806)" "D2 Addis (changed)"
case_end

case_begin "render --diff to PDF: subtitle and legend counts are diff's summary"
    run --db $DB render --diff 2024:2025 --changes added,removed,moved,changed -o out/all.pdf
    assert_eq 0 "$RC" "exit status ($OUT)"
    text=$(pdftotext out/all.pdf - | tr -s ' ')
    assert_contains "$text" "Changes from 2024 to 2025" "subtitle"
    summary=$("$FP" --db $DB diff --dataset 2024 --against 2025)
    # The fixture has 3 of each kind (header); diff says so, the legend too.
    assert_contains "$summary" "3 added, 3 removed, 3 moved more than 100 m (2 of them also changed), 3 changed" "diff's summary"
    for kind in added removed moved changed; do
        n=$(grep -o "[0-9]\+ $kind" <<<"$summary" | head -1 | cut -d' ' -f1)
        assert_eq 3 "$n" "diff's $kind count"
        assert_contains "$text" "$kind ($n)" "legend: $kind"
    done
    run --db $DB render --diff 2024:2025 -o out/new.pdf
    text=$(pdftotext out/new.pdf - | tr -s ' ')
    assert_contains "$text" "New since 2024" "default subtitle"
    assert_contains "$text" "added (3)" "legend: added"
    assert_not_contains "$text" "removed (" "legend: only the kinds drawn"
    run --db $DB render --diff 2024:2025 --changes removed --subtitle "Gone" -o out/gone.pdf
    assert_eq 0 "$RC" "exit status ($OUT)"
    text=$(pdftotext out/gone.pdf - | tr -s ' ')
    assert_contains "$text" "Gone" "--subtitle wins"
    assert_contains "$text" "removed (3)" "legend: removed"
    assert_not_contains "$text" "added (" "legend: only removed"
case_end

case_begin "render --diff: bad arguments exit 2 with the reason, no file written"
    rm -rf bad && mkdir bad
    run --db $DB render --diff 2024:2026 -o bad/a.png
    assert_eq 2 "$RC" "unknown dataset"
    assert_contains "$OUT" "no projects in dataset '2026'" "names the dataset"
    for spec in 2024 2024: :2025 2024:2025:2026; do
        run --db $DB render --diff "$spec" -o bad/b.png
        assert_eq 2 "$RC" "--diff $spec"
        assert_contains "$OUT" "--diff $spec: expected OLD:NEW" "says the form"
    done
    run --db $DB render --diff 2024:2025 --changes added,gone -o bad/c.png
    assert_eq 2 "$RC" "unknown change kind"
    assert_contains "$OUT" "unknown change kind 'gone' (expected added, removed, moved or changed)" "says why"
    run --db $DB render --changes added -o bad/d.png
    assert_eq 2 "$RC" "--changes without --diff"
    assert_contains "$OUT" "--changes needs --diff OLD:NEW" "says why"
    run --db $DB render --diff 2024:2025 --facet year -o bad/e.png
    assert_eq 2 "$RC" "--diff with --facet"
    assert_eq "" "$(ls -A bad)" "no file written"
case_end

case_begin "a value and the text a format holds it as are the same value (42 and \"42\", true and 1, an object and its JSON); a change in type only is shown with the text quoted and marked"
# Two editions written by hand: in T1 every value is the first edition's as a
# CSV or a Shapefile holds it (no change); in T2 the texts are not (changes).
cat > ty1.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"T1","name":"a","n":42,"r":0.5,"b":true,"obj":{"k":1},"big":3000000000,"f":2.0},"geometry":{"type":"Point","coordinates":[8.5,47.3]}},
{"type":"Feature","properties":{"id":"T2","name":"b","n":42,"r":0.5,"b":true,"code":"00123"},"geometry":{"type":"Point","coordinates":[9.5,47.3]}}]}
JSON
cat > ty2.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"T1","name":"a","n":"42","r":"0.5","b":1,"obj":"{\"k\":1}","big":"3000000000","f":2},"geometry":{"type":"Point","coordinates":[8.5,47.3]}},
{"type":"Feature","properties":{"id":"T2","name":"b","n":"42.5","r":"0,5","b":"yes","code":123},"geometry":{"type":"Point","coordinates":[9.5,47.3]}}]}
JSON
fp_init ty.sqlite
"$FP" -q --db ty.sqlite import ty1.geojson --dataset ty1 && "$FP" -q --db ty.sqlite import ty2.geojson --dataset ty2
run --db ty.sqlite diff --dataset ty1 --against ty2 --report ty.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 1 changed, 1 unchanged" "T1 unchanged, T2 changed"
assert_contains "$OUT" "[T2] 'b' (no company), matched by id; b: true -> \"yes\" (text); code: \"00123\" (text) -> 123; n: 42 -> \"42.5\" (text); r: 0.5 -> \"0,5\" (text)" "the types shown where the text is another"
assert_eq 'b: true -> "yes" (text); code: "00123" (text) -> 123; n: 42 -> "42.5" (text); r: 0.5 -> "0,5" (text)' "$(field ty.csv changed T2 details)" "the report's details"
case_end

case_begin "an integer and a real are the same value only when the real is that integer exactly: 1234567890123456789 read back as 1234567890123456768.0 is a change"
# As a Shapefile reads such an integer back (a Real field); compared as
# doubles the two are one value past 2^53 and the change was hidden.
cat > bi1.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"B1","name":"a","big":1234567890123456789,"ok":3000000000},"geometry":{"type":"Point","coordinates":[8.5,47.3]}}]}
JSON
cat > bi2.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"B1","name":"a","big":1234567890123456768.0,"ok":3000000000.0},"geometry":{"type":"Point","coordinates":[8.5,47.3]}}]}
JSON
fp_init bi.sqlite
"$FP" -q --db bi.sqlite import bi1.geojson --dataset bi1 && "$FP" -q --db bi.sqlite import bi2.geojson --dataset bi2
run --db bi.sqlite diff --dataset bi1 --against bi2
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "1 changed, 0 unchanged" "the lost digits are a change"
assert_contains "$OUT" "big: 1234567890123456789 -> " "big is the changed value"
assert_not_contains "$OUT" "ok:" "3000000000 and 3000000000.0 are one value"
case_end

case_begin "editions whose ids were renumbered: diff warns that they share no ids, which key it matched on and how to choose one"
# By hand: the same three projects, ids A1..A3 in one edition and 1..3 in the
# next, names spelled differently (nothing to match by name either).
printf 'id,name,company,country,lon,lat\nA1,Safe city one,Huawei,KEN,36.8,-1.3\nA2,Data centre,ZTE,ETH,38.7,9.0\nA3,Backbone,ZTE,SEN,-17.4,14.7\n' > rn_old.csv
printf 'id,name,company,country,lon,lat\n1,Safe City 1,Huawei,KEN,36.8,-1.3\n2,Data center,ZTE,ETH,38.7,9.0\n3,Backbone link,ZTE,SEN,-17.4,14.7\n' > rn_new.csv
"$FP" -q --db $DB import rn_old.csv --dataset rn1 >/dev/null && "$FP" -q --db $DB import rn_new.csv --dataset rn2 >/dev/null
run --db $DB diff --dataset rn1 --against rn2
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "0 matched (0 by id, 0 by name+company+location)" "nothing matched"
assert_contains "$OUT" "diff: warning: rn1 and rn2 share no ids: 0 of 3 and 3 rows matched, by id = the source key (the input's id column: e.g. [A1] in rn1, [1] in rn2)" "the warning"
assert_contains "$OUT" "import the editions again with --map id=COLUMN" "how to choose the key"
# Also with -q (the summary off): the warning is on stderr.
assert_contains "$("$FP" -q --db $DB diff --dataset rn1 --against rn2 2>&1 >/dev/null)" "diff: warning: rn1 and rn2 share no ids" "on stderr with -q"
# render --diff of them says it too.
run --db $DB render --diff rn1:rn2 -o rn.png
assert_eq 0 "$RC" "render --diff exit status"
assert_contains "$OUT" "render: note: --diff: rn1 and rn2 share no ids" "render --diff's note"
# The fixture's editions match 9 of 12: no warning.
run --db $DB diff --dataset 2024 --against 2025
assert_not_contains "$OUT" "warning" "no warning when most rows match"
case_end

case_begin "two editions of a 3W (Partner, Cluster, Activity; no id): rows matched by name+company+location; the counts by hand"
# By hand: Mobile clinic's Reached changes, School tents move some 10 km
# (geod below), Latrines go, Child friendly spaces come, three rows stay.
cat > w24.csv <<'CSV'
Partner,Cluster,Activity,Country,Latitude,Longitude,Reached
MSF,Health,Mobile clinic,KEN,-1.26,36.80,1200
IRC,WASH,Wells,KEN,-4.09,39.66,300
NRC,Shelter,Shelter kits,SOM,2.04,45.34,500
WFP,Food Security,Food distribution,SOM,9.56,44.06,2000
UNICEF,Education,School tents,ETH,9.03,38.74,800
Oxfam,WASH,Latrines,ETH,7.05,38.47,150
CSV
cat > w25.csv <<'CSV'
Partner,Cluster,Activity,Country,Latitude,Longitude,Reached
MSF,Health,Mobile clinic,KEN,-1.26,36.80,1500
IRC,WASH,Wells,KEN,-4.09,39.66,300
NRC,Shelter,Shelter kits,SOM,2.04,45.34,500
WFP,Food Security,Food distribution,SOM,9.56,44.06,2000
UNICEF,Education,School tents,ETH,9.10,38.80,800
Save the Children,Protection,Child friendly spaces,KEN,-0.09,34.77,400
CSV
"$FP" -q --db $DB import w24.csv >/dev/null && "$FP" -q --db $DB import w25.csv >/dev/null || fail "imports"
assert_eq "6|6|6" "$(sql "SELECT count(name), count(company), count(category) FROM projects WHERE dataset='w24'")" "Activity, Partner and Cluster stored as name, company, category"
run --db $DB diff --dataset w24 --against w25 --report w.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "6 projects in w24, 6 in w25; 5 matched (0 by id, 5 by name+company+location)" "head line"
assert_contains "$OUT" "1 added, 1 removed, 1 moved more than 100 m (0 of them also changed), 1 changed, 3 unchanged" "counts"
assert_not_contains "$OUT" "warning" "no warning"
assert_eq "name|Reached: 1200 -> 1500" "$(field w.csv changed 'Mobile clinic' matched_by)|$(field w.csv changed 'Mobile clinic' details)" "the change"
assert_near "$(geod_m 38.74 9.03 38.80 9.10)" "$(field w.csv moved 'School tents' distance_m)" 0.01 "the move, by geod"
assert_eq "w24.csv:7|w25.csv:7" "$(field w.csv removed 'Latrines' old_row)|$(field w.csv added 'Child friendly spaces' new_row)" "removed and added"
case_end

case_begin "editions without ids whose rows have no name to match on: the warning says neither edition's rows have an id (not 'have no id')"
printf 'Partner,Description,Country,Latitude,Longitude\nMSF,Clinic,KEN,-1.26,36.80\nIRC,Wells,KEN,-4.09,39.66\n' > nn1.csv
cp nn1.csv nn2.csv
printf 'id,Partner,Description,Country,Latitude,Longitude\nX1,MSF,Clinic,KEN,-1.26,36.80\nX2,IRC,Wells,KEN,-4.09,39.66\n' > nn3.csv
"$FP" -q --db $DB import nn1.csv >/dev/null && "$FP" -q --db $DB import nn2.csv >/dev/null &&
    "$FP" -q --db $DB import nn3.csv >/dev/null || fail "imports"
run --db $DB diff --dataset nn1 --against nn2
assert_contains "$OUT" "0 matched (0 by id, 0 by name+company+location)" "nothing matched"
assert_contains "$OUT" "diff: warning: nn1 and nn2: 0 of 2 and 2 rows matched; neither edition's rows have an id (source key), so rows were matched by name+company+location" "the warning"
assert_not_contains "$OUT" "have no id" "no double negative"
run --db $DB diff --dataset nn1 --against nn3
assert_contains "$OUT" "0 of 2 and 2 rows matched; the old edition's rows have no id (source key), so rows were matched by name+company+location" "one edition without ids"
case_end

case_begin "editions numbered by row (a project inserted at the top shifts every id): diff warns that ids seem reused for other projects"
# By hand: five projects numbered 1..5; the next edition puts a new one
# first and numbers 1..6, so id N is old N-1: every pair matched by id is
# another project (another name, hundreds of km away).
printf 'id,name,company,country,lon,lat\n1,Safe city Nairobi,Huawei,KEN,36.82,-1.29\n2,Data centre Addis,Huawei,ETH,38.74,9.03\n3,Backbone Dakar,Huawei,SEN,-17.44,14.69\n4,Campus Accra,Huawei,GHA,-0.19,5.60\n5,Lab Lusaka,Huawei,ZMB,28.32,-15.39\n' > sh_old.csv
printf 'id,name,company,country,lon,lat\n1,Cable Mombasa,Huawei,KEN,39.67,-4.04\n2,Safe city Nairobi,Huawei,KEN,36.82,-1.29\n3,Data centre Addis,Huawei,ETH,38.74,9.03\n4,Backbone Dakar,Huawei,SEN,-17.44,14.69\n5,Campus Accra,Huawei,GHA,-0.19,5.60\n6,Lab Lusaka,Huawei,ZMB,28.32,-15.39\n' > sh_new.csv
"$FP" -q --db $DB import sh_old.csv --dataset sh1 >/dev/null && "$FP" -q --db $DB import sh_new.csv --dataset sh2 >/dev/null
run --db $DB diff --dataset sh1 --against sh2
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 added, 0 removed, 5 moved more than 100 m (5 of them also changed)" "the summary as before"
assert_contains "$OUT" "diff: warning: sh1 and sh2: 5 of the 5 rows matched by id moved more than 100 m and have another name (e.g. id '1': 'Safe city Nairobi' -> 'Cable Mombasa'): the editions may give the same ids to different projects" "the warning"
assert_contains "$OUT" "import the editions again with --map id=COLUMN" "how to choose the key"
# One project renamed and moved among the five (an honest edit): no warning.
printf 'id,name,company,country,lon,lat\n1,Safe city Nairobi,Huawei,KEN,36.82,-1.29\n2,Data centre Addis,Huawei,ETH,38.74,9.03\n3,Backbone Dakar,Huawei,SEN,-17.44,14.69\n4,Campus Kumasi,Huawei,GHA,-1.62,6.69\n5,Lab Lusaka,Huawei,ZMB,28.32,-15.39\n' > sh_edit.csv
"$FP" -q --db $DB import sh_edit.csv --dataset sh3 >/dev/null
run --db $DB diff --dataset sh1 --against sh3
assert_contains "$OUT" "1 moved more than 100 m (1 of them also changed)" "one moved and renamed"
assert_not_contains "$OUT" "warning" "no warning for one"
case_end

case_begin "GeoJSON and GeoPackage editions: rows are named 'file: feature N' (check's form), CSV rows 'file:N', in the summary and the report"
# Feature numbers count from 1 in the file's order (python's json); a CSV's
# line counts the header as line 1.
cat > fe_old.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"F1","name":"Kept"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}},
{"type":"Feature","properties":{"id":"F2","name":"Gone"},"geometry":{"type":"Point","coordinates":[38.7,9.0]}}]}
J
cat > fe_new.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"F1","name":"Kept"},"geometry":{"type":"Point","coordinates":[36.8,-1.3]}},
{"type":"Feature","properties":{"id":"F3","name":"New"},"geometry":{"type":"Point","coordinates":[-17.4,14.7]}}]}
J
ogr2ogr -f GPKG fe_new.gpkg fe_new.geojson 2>/dev/null
printf 'id,name,lon,lat\nF1,Kept,36.8,-1.3\nF3,New,-17.4,14.7\n' > fe_new.csv
"$FP" -q --db $DB import fe_old.geojson --dataset fe1 >/dev/null && "$FP" -q --db $DB import fe_new.gpkg --dataset fe2 >/dev/null &&
    "$FP" -q --db $DB import fe_new.csv --dataset fe3 >/dev/null || fail "imports"
N_GONE=$(python3 -c 'import json; f = json.load(open("fe_old.geojson"))["features"]; print([i + 1 for i, x in enumerate(f) if x["properties"]["id"] == "F2"][0])')
N_NEW=$(ogrinfo -q -sql "SELECT fid FROM fe_new WHERE id = 'F3'" fe_new.gpkg | sed -n 's/^OGRFeature(SELECT)://p')
run --db $DB diff --dataset fe1 --against fe2 --report fe.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "fe_old.geojson: feature $N_GONE: [F2] 'Gone'" "removed: the GeoJSON's feature $N_GONE"
assert_contains "$OUT" "fe_new.gpkg: feature $N_NEW: [F3] 'New'" "added: the GeoPackage's feature $N_NEW"
assert_eq "fe_old.geojson: feature $N_GONE" "$(field fe.csv removed F2 old_row)" "the report's old_row"
assert_eq "fe_new.gpkg: feature $N_NEW" "$(field fe.csv added F3 new_row)" "the report's new_row"
# A CSV keeps file:LINE (F3 on line 3).
run --db $DB diff --dataset fe1 --against fe3 --report fe3.csv
assert_contains "$OUT" "fe_new.csv:3: [F3] 'New'" "CSV: file:line"
assert_eq "fe_new.csv:3" "$(field fe3.csv added F3 new_row)" "the report's CSV row"
case_end
