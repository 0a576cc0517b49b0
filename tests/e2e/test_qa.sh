#!/usr/bin/env bash
# footprint check (issue 19): the mistakes hand-made project lists contain.
# tests/fixtures/qa/mistakes.csv has one mistake of each kind at a known line
# (header = line 1):
#   2  M1  Nairobi office, right                       -> nothing
#   3  M2  Kenya, lon/lat swapped                      -> swapped (fix swapped)
#   4  M3  Lima, lon sign dropped                      -> sign (fix sign-lon)
#   5  M4  Buenos Aires, both signs dropped (in Iran)  -> sign (fix sign-both)
#   6  M5  Paris's coordinates declared KEN            -> outside-country, in FRA
#   7  M6  0,0                                         -> placeholder
#   8  M7  8,9 (whole degrees, in Nigeria as declared) -> placeholder
#   9  M8  Accra to 1 decimal (-0.2, 5.6)              -> decimals
#  10  M9  416 m from M1, same company and category    -> duplicate of line 2
#  11  M10 "NAIROBI OFFICE!" in KEN (Mombasa)          -> duplicate of line 2 (name)
#  12  M11 Mombasa geocoded, row names province Nairobi -> admin1 (it is in Coast)
#  13  M12 Mombasa geocoded, province Coast            -> nothing
# Which country each point and variant lies in is checked here with SpatiaLite
# (ST_Intersects on the regions footprint loaded), not with footprint.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB
cp "$FIX/qa/mistakes.csv" "$FIX/qa/capitals.csv" .

assert_true() {  # "EXPR" message: an arithmetic comparison, e.g. "$d > 25"
    awk "BEGIN{exit !($1)}" || fail "$2"
}
# country_at LON LAT: the codes of the countries containing the point (SpatiaLite).
country_at() {
    ssql "SELECT coalesce(group_concat(code), 'none') FROM regions WHERE level = 'country'
          AND ST_Intersects(geom, MakePoint($1, $2, 4326))"
}
# km_to CODE LON LAT: geodesic distance from the point to a country (SpatiaLite).
km_to() {
    ssql "SELECT CAST(round(ST_Distance(geom, MakePoint($2, $3, 4326), 1) / 1000) AS INTEGER) FROM regions WHERE code = '$1'"
}

case_begin "the fixture's points and variants lie where the expected findings say (SpatiaLite)"
assert_eq "KEN" "$(country_at 36.8219 -1.2921)" "M1 in KEN"
assert_eq "none" "$(country_at -1.2921 36.8219)" "M2 as written: no country"
assert_eq "KEN" "$(country_at 36.8219 -1.2921)" "M2 swapped: KEN"
assert_eq "none|PER" "$(country_at 77.0428 -12.0464)|$(country_at -77.0428 -12.0464)" "M3 as written / lon negated"
assert_eq "none|IND|none" "$(country_at -12.0464 77.0428)|$(country_at 77.0428 12.0464)|$(country_at -77.0428 12.0464)" "M3's other variants not in PER"
assert_eq "IRN|ARG" "$(country_at 58.3816 34.6037)|$(country_at -58.3816 -34.6037)" "M4 as written / both negated"
assert_eq "none|none" "$(country_at -58.3816 34.6037)|$(country_at 58.3816 -34.6037)" "M4 one sign negated"
assert_eq "FRA" "$(country_at 2.3522 48.8566)" "M5 in FRA"
d=$(km_to KEN 2.3522 48.8566)
assert_true "$d > 5000" "M5 is $d km from KEN"
assert_eq "NGA|GHA" "$(country_at 8 9)|$(country_at -0.2 5.6)" "M7, M8 in their declared countries"
assert_eq "KEN|KEN" "$(country_at 36.8250 -1.2900)|$(country_at 39.6682 -4.0435)" "M9, M10 in KEN"
# M2 and M3 as written are farther than the 25 km snapping distance from every country.
d=$(ssql "SELECT CAST(min(ST_Distance(geom, MakePoint(-1.2921, 36.8219, 4326), 1)) / 1000 AS INTEGER) FROM regions WHERE level = 'country' AND MbrIntersects(geom, BuildMbr(-3, 35, 1, 39))")
assert_true "$d > 25" "M2 is $d km from the nearest country"
case_end

case_begin "every import ends with the QA summary of its dataset"
run --db $DB import mistakes.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "qa: 10 points checked (10 with a declared country): 9 findings on 9 rows (1 outside-country, 1 swapped, 2 sign, 2 placeholder, 2 duplicate, 1 decimals)" "summary"
assert_contains "$OUT" "unambiguous fixes: 3" "fixable"
assert_contains "$OUT" "see \`footprint check --dataset mistakes\`" "pointer to check"
case_end

"$FP" -q --db $DB geocode

case_begin "check: one finding per mistake at its line, none on the right rows; exit 0"
run --db $DB check
assert_eq 0 "$RC" "exit status"
for exp in "3: swapped" "4: sign" "5: sign" "6: outside-country" "7: placeholder" "8: placeholder" "9: decimals" \
           "10: duplicate" "11: duplicate" "12: admin1"; do
    assert_contains "$OUT" "mistakes.csv:$exp" "finding $exp"
done
assert_eq 10 "$(grep -c '^mistakes.csv:[0-9]*: ' <<<"$OUT")" "number of findings"
assert_not_contains "$OUT" "mistakes.csv:2:" "M1 clean"
assert_not_contains "$OUT" "mistakes.csv:13:" "M12 clean"
assert_contains "$OUT" "mistakes.csv:3: swapped: (-1.2921, 36.8219) falls in no country; swapped (36.8219, -1.2921) falls in the declared KEN" "swapped evidence"
assert_contains "$OUT" "lon negated (-77.0428, -12.0464) falls in the declared PER" "sign says which"
assert_contains "$OUT" "(58.3816, 34.6037) falls in IRN (Iran); both negated (-58.3816, -34.6037) falls in the declared ARG" "both signs"
assert_contains "$OUT" "(2.3522, 48.8566) falls in FRA (France), not in the declared KEN" "outside names the country"
assert_contains "$OUT" "416 m apart, as mistakes.csv:2 (id 1)" "duplicate distance (by hand: 416 m)"
assert_contains "$OUT" "same name (\"nairobi office\" after folding) in KEN as mistakes.csv:2" "name duplicate"
assert_contains "$OUT" "lies in Coast (KE-300), the row names Nairobi" "admin1"
assert_contains "$OUT" "10 findings on 10 rows" "summary"
assert_eq "1|1|2|1|2|2|1" "$(sql "SELECT (SELECT count(*) FROM qa_findings WHERE kind='outside-country'),
    (SELECT count(*) FROM qa_findings WHERE kind='swapped'), (SELECT count(*) FROM qa_findings WHERE kind='sign'),
    (SELECT count(*) FROM qa_findings WHERE kind='admin1'), (SELECT count(*) FROM qa_findings WHERE kind='placeholder'),
    (SELECT count(*) FROM qa_findings WHERE kind='duplicate'), (SELECT count(*) FROM qa_findings WHERE kind='decimals')")" "stored findings by kind"
case_end

case_begin "the geocoded Mombasa rows lie in admin-1 Coast (SpatiaLite), as the admin1 check says"
xy=$(ssql "SELECT X(geom) || ' ' || Y(geom) FROM projects WHERE source_key = 'M11'")
assert_eq "KE-300" "$(ssql "SELECT group_concat(code) FROM regions WHERE level = 'admin1' AND ST_Intersects(geom, MakePoint(${xy% *}, ${xy#* }, 4326))")" "M11's admin-1"
case_end

case_begin "admin1: a row geocode placed by another name of its admin-1 (Kriti, Bayern) is no finding; a real mismatch is, naming the place"
# Crete's shipped name is "Crete" and Bavaria's "Bavaria"; "Kriti" and "Bayern" are their
# Natural Earth names in geodata/admin1_names.tsv.gz. Heraklion named in Attica is a mismatch.
printf 'id,place,country,state\nA1,Irákleio,GRC,Kriti\nA2,Munich,DEU,Bayern\nA3,Heraklion,GRC,Attica\n' > alias.csv
fp_init al.sqlite && "$FP" -q --db al.sqlite import alias.csv && "$FP" -q --db al.sqlite geocode
run --db al.sqlite check
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 finding on 1 row (1 admin1)" "one finding"
assert_contains "$OUT" "alias.csv:4: admin1: geocoded \"Heraklion\" lies in Crete (GR-M), the row names Attica" "the mismatch, with the place"
assert_eq "A3" "$(sqlite3 al.sqlite "SELECT group_concat(p.source_key) FROM qa_findings f JOIN projects p ON p.id = f.project_id")" "the row"
case_end

case_begin "the 1 km duplicate distance: M1-M9 is 416 m on the ellipsoid (SpatiaLite)"
assert_eq 416 "$(ssql "SELECT CAST(round(ST_Distance(MakePoint(36.8219, -1.2921, 4326), MakePoint(36.8250, -1.2900, 4326), 1)) AS INTEGER)")" "metres"
case_end

case_begin "duplicates at the edges: over a pole, across the antimeridian, at 80 degrees, just under and over 1 km (distances by PROJ's geod)"
# Pairs of one company each (lon lat lon lat); the geodesic distance from
# PROJ's geod decides which pairs are duplicates (<= 1000 m), not footprint.
cat > edges.txt <<'PAIRS'
P 0 89.996 180 89.996
A 179.9995 10 -179.9995 10
U 20 50 20.0139 50
O 30 50 30.0141 50
H 10 80 10.05 80
F 40 80 40.06 80
S -179.99 -60 179.9925 -60
T -179.99 -70 179.9915 -60
PAIRS
{ echo "id,company,category,name,lon,lat"
  while read -r c x1 y1 x2 y2; do
      echo "${c}1,Co$c,5g,first $c,$x1,$y1"; echo "${c}2,Co$c,5g,second $c,$x2,$y2"
  done < edges.txt; } > edges.csv
want=""
while read -r c x1 y1 x2 y2; do
    m=$(echo "$y1 $x1 $y2 $x2" | geod +ellps=WGS84 -I -f "%.3f" | awk '{print $3}')
    awk "BEGIN{exit !($m <= 1000)}" && want="$want${c}2 "
done < edges.txt
assert_eq "P2 A2 U2 H2 S2 " "$want" "geod's duplicates (the pairs were chosen around 1 km)"
fp_init e.sqlite
"$FP" -q --db e.sqlite import edges.csv
"$FP" -q --db e.sqlite check --dataset edges > /dev/null
got=$(sqlite3 e.sqlite "SELECT group_concat(p.source_key || '>' || o.source_key, ' ') FROM (SELECT * FROM qa_findings
      WHERE kind = 'duplicate' AND dataset = 'edges' ORDER BY project_id) f
      JOIN projects p ON p.id = f.project_id JOIN projects o ON o.id = f.other_id")
assert_eq "P2>P1 A2>A1 U2>U1 H2>H1 S2>S1" "$got" "footprint's duplicates, each against its pair"
case_end

case_begin "60,000 points, read in two parts on two threads: the planted placeholders and duplicates (awk), as a one-part read finds them"
# Rows on a 1-degree grid (no two within 1 km with the same company and
# category); every 5,000th at whole degrees (a placeholder); every 7,919th
# 100 m east of the row before it, with its company and category (a
# duplicate of it). A check with --undo reads through its own connection,
# in one part: the same findings, byte for byte.
awk 'BEGIN { print "id,company,category,lon,lat";
    for (i = 1; i <= 60000; i++) {
        c = i % 7; k = i % 5; x = -170 + (i % 340) + 0.12345; y = -60 + int(i / 340) % 120 + 0.5432;
        if (i % 5000 == 0) { x = 10 + i / 5000; y = 20 }
        if (i % 7919 == 0) { c = (i - 1) % 7; k = (i - 1) % 5; x = px + 0.001; y = py }
        printf "g%d,Co%d,c%d,%.5f,%.4f\n", i, c, k, x, y; px = x; py = y } }' > grid.csv
want=$(awk 'BEGIN { for (i = 1; i <= 60000; i++) { if (i % 5000 == 0) print i + 1 "|placeholder"; if (i % 7919 == 0) print i + 1 "|duplicate" } }' | sort)
fp_init g.sqlite
"$FP" -q --db g.sqlite import grid.csv
got=$(sqlite3 g.sqlite "SELECT p.source_line || '|' || f.kind FROM qa_findings f JOIN projects p ON p.id = f.project_id" | sort)
assert_eq "$want" "$got" "the findings of the import's check (19: 12 placeholders, 7 duplicates)"
"$FP" -q --db g.sqlite check --report parts.csv > /dev/null
"$FP" -q --db g.sqlite check --undo --report whole.csv > /dev/null
assert_eq 20 "$(wc -l < parts.csv)" "report lines"
cmp -s parts.csv whole.csv || fail "two-part and one-part reads give different reports"
case_end

case_begin "an import's check takes its rows as the import read them and reads back only earlier imports' rows: the findings of a full check, byte for byte"
# more.csv goes into the dataset of mistakes.csv (imported above, ids 1-12):
# N1 is 130 m from M1 with M1's company and category (geod below), N2 has
# M1's name in KEN, N3 a placeholder, N4 Kenya swapped (and 1 decimal on
# both axes as the numbers read), N5 clean. FOOTPRINT_TIMING names the read
# step "read others" only when the fed rows were used.
cat > more.csv <<'CSV'
id,name,company,category,country_code,lon,lat
N1,Nairobi annex two,Acme,office,KEN,36.8230,-1.2925
N2,Nairobi Office,Delta,port,KEN,39.6600,-4.0400
N3,Somewhere,Delta,port,,10,10
N4,Kenya depot two,Delta,depot,KEN,-1.3000,36.8000
N5,Accra clean,Delta,lab,GHA,-0.1870,5.6037
CSV
d=$(echo "-1.2921 36.8219 -1.2925 36.8230" | geod +ellps=WGS84 -I | awk '{printf "%.0f", $3}')
assert_eq 130 "$d" "N1 to M1 in metres (PROJ's geod)"
fp_init feed.sqlite
"$FP" -q --db feed.sqlite import mistakes.csv
findings() { sqlite3 feed.sqlite "SELECT project_id, dataset, kind, row_ref, evidence, suggestion, other_id, fix, fix_lon, fix_lat FROM qa_findings ORDER BY project_id, kind"; }
out=$(FOOTPRINT_TIMING=1 "$FP" --db feed.sqlite import more.csv --dataset mistakes 2>&1)
assert_contains "$out" "read others" "the fed rows were used"
assert_contains "$out" "qa: 15 points checked (14 with a declared country): 14 findings on 13 rows (1 outside-country, 2 swapped, 2 sign, 3 placeholder, 4 duplicate, 2 decimals)" "summary"
fed=$(findings)
assert_contains "$fed" "13|mistakes|duplicate|more.csv:2|same company (Acme), category (office) and dataset, 130 m apart, as mistakes.csv:2 (id 1)" "N1 a duplicate..."
assert_eq "1 1" "$(sqlite3 feed.sqlite "SELECT other_id FROM qa_findings WHERE project_id IN (13, 14) AND kind = 'duplicate'" | xargs)" "...of M1 (id 1), as N2"
assert_eq "15|placeholder 16|decimals 16|swapped" "$(sqlite3 feed.sqlite "SELECT project_id || '|' || kind FROM qa_findings WHERE project_id > 14 ORDER BY 1" | xargs)" "N3, N4; N5 clean"
"$FP" -q --db feed.sqlite check --dataset mistakes > /dev/null
assert_eq "$fed" "$(findings)" "the full check's findings"
# A file whose ids repeat: the store refuses a row, the feed is abandoned,
# the check reads every row (as it did before the feed).
printf 'id,name,company,category,country_code,lon,lat\nR1,Repeat,Acme,office,KEN,36.8240,-1.2930\nR1,Repeat again,Acme,office,KEN,36.9,-1.3\n' > repeat.csv
out=$(FOOTPRINT_TIMING=1 "$FP" --db feed.sqlite import repeat.csv --dataset mistakes 2>&1)
assert_contains "$out" "1 rejected" "the repeated id refused"
assert_not_contains "$out" "read others" "the feed abandoned"
fed=$(findings)
assert_contains "$fed" "18|mistakes|duplicate|repeat.csv:2|" "R1 (id 18) a duplicate"
"$FP" -q --db feed.sqlite check --dataset mistakes > /dev/null
assert_eq "$fed" "$(findings)" "the full check's findings after the abandoned feed"
case_end

case_begin "--report CSV and GeoJSON: one row per finding; the GeoJSON is a point layer at the stored coordinates"
run --db $DB check --report r.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 10 "$(ogrinfo -ro -al -q r.csv 2>/dev/null | grep -c 'OGRFeature')" "CSV rows (ogrinfo)"
assert_eq "row,check,evidence,suggestion,project_id,dataset,other_id,fix,fix_lon,fix_lat,lon,lat" "$(head -1 r.csv)" "CSV header"
assert_eq "mistakes.csv:3|swapped|swapped|36.8219|-1.2921" "$(python3 -c "
import csv; r=[x for x in csv.DictReader(open('r.csv')) if x['row']=='mistakes.csv:3'][0]
print('|'.join([r['row'], r['check'], r['fix'], r['fix_lon'], r['fix_lat']]))")" "CSV swapped row"
run --db $DB check --report r.geojson
assert_eq 10 "$(ogrinfo -ro -so r.geojson qa 2>/dev/null | sed -n 's/^Feature Count: //p')" "GeoJSON features"
assert_eq "Point" "$(ogrinfo -ro -so r.geojson qa 2>/dev/null | sed -n 's/^Geometry: //p')" "geometry type"
assert_eq "POINT (-1.2921 36.8219)" "$(ogrinfo -ro -q r.geojson -sql "SELECT * FROM qa WHERE \"row\" = 'mistakes.csv:3'" 2>/dev/null | grep -o 'POINT ([^)]*)')" "M2 at its stored point"
assert_eq "" "$(ls -A | grep '^\.footprint' )" "no temporary left"
case_end

case_begin "exports carry the qa attribute of each row"
run --db $DB export --format csv -o p.csv
assert_eq 0 "$RC" "exit status ($OUT)"
got=$(python3 -c "
import csv
rows = {r['source_key']: r['qa'] for r in csv.DictReader(open('p.csv'))}
print(' '.join('%s=%s' % (k, rows[k]) for k in ['M1','M2','M3','M5','M6','M9','M11','M12']))")
assert_eq "M1= M2=swapped M3=sign M5=outside-country M6=placeholder M9=duplicate M11=admin1 M12=" "$got" "qa values"
case_end

case_begin "--fix swapped,sign: the 3 unambiguous rows move in one transaction, the originals journaled; --undo restores the export byte for byte"
"$FP" -q --db $DB export --format csv -o before.csv
before_blobs=$(sql "SELECT id, hex(geom) FROM projects ORDER BY id")
run --db $DB check --fix swapped,sign
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "mistakes.csv:3: fixed (swapped): (-1.2921, 36.8219) moved to (36.8219, -1.2921)" "swapped fixed"
assert_contains "$OUT" "mistakes.csv:4: fixed (sign-lon)" "sign-lon fixed"
assert_contains "$OUT" "mistakes.csv:5: fixed (sign-both)" "sign-both fixed"
assert_contains "$OUT" "fixed: 3" "summary"
assert_eq "36.8219 -1.2921|-77.0428 -12.0464|-58.3816 -34.6037" "$(ssql "SELECT group_concat(X(geom) || ' ' || Y(geom), '|') FROM (SELECT geom FROM projects WHERE source_key IN ('M2','M3','M4') ORDER BY id)")" "new points"
assert_eq "swapped -1.2921 36.8219|sign-lon 77.0428 -12.0464|sign-both 58.3816 34.6037" "$(sql "SELECT group_concat(fix || ' ' || old_lon || ' ' || old_lat, '|') FROM (SELECT * FROM qa_fixes ORDER BY id)")" "journal"
assert_eq "KEN|PER|ARG" "$(country_at 36.8219 -1.2921)|$(country_at -77.0428 -12.0464)|$(country_at -58.3816 -34.6037)" "fixed points in their countries (SpatiaLite)"
assert_eq "0" "$(sql "SELECT count(*) FROM qa_findings WHERE kind IN ('swapped', 'sign')")" "no swapped/sign left"
assert_eq "fixed-swapped" "$(sql "SELECT qa FROM projects WHERE source_key = 'M2'")" "M2 marked fixed"
assert_eq "fixed-sign-lon" "$(sql "SELECT qa FROM projects WHERE source_key = 'M3'")" "M3 marked fixed"
run --db $DB check --undo
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "undone: the last --fix, 3 rows put back as they were" "undo message"
"$FP" -q --db $DB export --format csv -o after.csv
cmp -s before.csv after.csv || fail "export after --undo differs from before --fix: $(diff before.csv after.csv | head -5)"
assert_eq "$before_blobs" "$(sql "SELECT id, hex(geom) FROM projects ORDER BY id")" "geometry blobs byte for byte"
run --db $DB check --undo
assert_contains "$OUT" "undone: nothing" "second undo has nothing to do"
assert_eq "3|3" "$(sql "SELECT count(*), count(undone) FROM qa_fixes")" "journal kept, marked undone"
case_end

case_begin "--fix swapped alone leaves the sign rows; --dataset limits the check"
run --db $DB check --fix swapped
assert_contains "$OUT" "fixed: 1" "one fix"
assert_eq "2" "$(sql "SELECT count(*) FROM qa_findings WHERE kind = 'sign'")" "sign findings left"
"$FP" -q --db $DB check --undo
run --db $DB check --dataset nothing-here
assert_eq 2 "$RC" "an unknown dataset: exit status (usage error, as aggregate)"
assert_contains "$OUT" "--dataset nothing-here: no project of that dataset" "unknown dataset named"
run --db $DB check --dataset mistakes
assert_eq 0 "$RC" "check --dataset mistakes: exit status"
assert_contains "$OUT" "qa: $(sql "SELECT count(*) FROM projects WHERE dataset = 'mistakes' AND geom IS NOT NULL") points checked" "the dataset's points (sqlite3)"
assert_eq "10" "$(sql "SELECT count(*) FROM qa_findings")" "other datasets' findings kept"
case_end

case_begin "no findings on a clean file of 20 real capitals (each in its country, or within 25 km of it, by SpatiaLite)"
run --db $DB import capitals.csv
assert_contains "$OUT" "qa: 20 points checked (20 with a declared country): no findings" "import summary"
bad=""
while IFS=, read -r id name company category code lon lat; do
    [ "$id" = id ] && continue
    got=$(country_at "$lon" "$lat")
    # Reykjavik's point is off the generalised coast: within the snapping distance.
    [ "$got" = "$code" ] || [ "$(km_to "$code" "$lon" "$lat")" -le 25 ] || bad="$bad $name:$got"
done < capitals.csv
assert_eq "" "$bad" "capitals outside their country"
run --db $DB check --dataset capitals
assert_eq 0 "$RC" "exit status"
assert_not_contains "$OUT" "capitals.csv:" "no finding listed"
case_end

case_begin "border towns at GeoNames' coordinates in the neighbour's simplified polygon: border findings without a fix, never a sign error (SpatiaLite: inside the neighbour, within 2 km of their own)"
printf 'id,name,lon,lat,country\n216281,Goma,29.22845,-1.67409,CD\n3676623,Leticia,-69.94056,-4.21528,CO\n2305677,Aflao,1.19012,6.11982,GH\n186180,Moyale,39.0561,3.52661,KE\n' > border.csv
want=""
while IFS=, read -r id name lon lat cc; do
    [ "$id" = id ] && continue
    code=$(ssql "SELECT code FROM regions WHERE level='country' AND iso_a2='$cc'")
    in=$(country_at "$lon" "$lat")
    [ "$in" != "$code" ] && [ "$in" != none ] || fail "$name: SpatiaLite puts it in $in, not in a neighbour of $code"
    [ "$(km_to "$code" "$lon" "$lat")" -le 2 ] || fail "$name: more than 2 km from $code (SpatiaLite)"
    want="$want$name $in $code;"
done < border.csv
run --db $DB import border.csv
assert_contains "$OUT" "4 findings on 4 rows (4 outside-country)" "import summary: border findings"
assert_not_contains "$OUT" "unambiguous fixes" "no fix offered"
run --db $DB check --dataset border
got=""
for n in 2 3 4 5; do
    line=$(grep "^border.csv:$n: " <<<"$OUT")
    assert_contains "$line" "a border point (within the snapping distance" "line $n: a border finding"
    assert_not_contains "$line" "negated" "line $n: no variant offered"
done
run --db $DB check --dataset border --fix sign
assert_not_contains "$OUT" "fixed:" "--fix sign moves nothing"
assert_eq "29.22845|-1.67409" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='border' AND source_key='216281'")" "Goma where it was"
case_end

case_begin "--undo after a row was edited by hand since the fix: that row keeps the edit (said), the others go back"
UDB=$WORK/undo/fp.sqlite
fp_init "$UDB" >/dev/null 2>&1
printf 'id,name,lon,lat,country\n2,swapped,-1.2921,36.8219,KE\n3,swapped2,-1.2864,36.8172,KE\n' > undo.csv
"$FP" -q --db "$UDB" import undo.csv
run --db "$UDB" check --fix swapped
assert_contains "$OUT" "fixed: 2" "both fixed"
sqlite3 -cmd "SELECT load_extension('mod_spatialite')" "$UDB" "UPDATE projects SET geom = MakePoint(36.85, -1.30, 4326) WHERE source_key = '2'" >/dev/null
run --db "$UDB" check --undo
assert_contains "$OUT" "undone: the last --fix, 1 row put back as they were; 1 row edited since the fix left as it is" "said"
assert_eq "2|36.85|-1.3 3|-1.2864|36.8172" "$(DB=$UDB ssql "SELECT source_key, X(geom), Y(geom) FROM projects ORDER BY 1" | tr '\n' ' ' | sed 's/ $//')" "the edit kept, the other row back as imported"
run --db "$UDB" check --undo
assert_contains "$OUT" "undone: nothing" "a second undo: nothing"
case_end

case_begin "QGIS (PyQGIS): the GeoJSON report loads as a point layer; the store's projects_point view has qa to filter flagged rows"
"$FP" -q --db $DB check --dataset mistakes --report q.geojson
got=$(QT_QPA_PLATFORM=offscreen /usr/bin/python3 - q.geojson "$PWD/$DB" 2>/dev/null <<'PY'
import sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsExpression
QgsApplication.setPrefixPath('/usr', True)
app = QgsApplication([], False)
app.initQgis()
rep = QgsVectorLayer(sys.argv[1], 'qa', 'ogr')
checks = sorted(f['check'] for f in rep.getFeatures())
pts = QgsVectorLayer("dbname='%s' table=\"projects_point\" (geom)" % sys.argv[2], 'projects', 'spatialite')
flagged = sum(1 for _ in pts.getFeatures(QgsFeatureRequest(QgsExpression('"qa" IS NOT NULL AND "dataset" = \'mistakes\''))))
print(rep.isValid(), rep.featureCount(), rep.crs().authid(), ','.join(checks), pts.isValid(), pts.fields().indexOf('qa') >= 0, flagged)
app.exitQgis()
PY
)
assert_eq "True 10 EPSG:4326 admin1,decimals,duplicate,duplicate,outside-country,placeholder,placeholder,sign,sign,swapped True True 10" "$got" "QGIS"
case_end

case_begin "duplicate names: marks that are part of a letter (kana voicing, Devanagari vowel signs and virama, Thai) keep names apart; Arabic harakat are accents"
# 東京ビル / 東京ヒル / 東京ピル differ in the (semi-)voiced mark; कुल / कल in the vowel
# sign; ศูนย์ข้อมูล and ศนยขอมล are the Thai word with and without its vowels and
# tone marks. Folding dropped every combining mark and made each pair one name.
printf 'id,company,category,name,country,lon,lat\nj1,NTT,dc,東京ビル,JP,139.6917,35.6895\nj2,NTT,dc,東京ヒル,JP,139.9012,35.9034\nj3,NTT,dc,東京ピル,JP,140.1045,36.1056\nh1,Tata,dc,कुल डेटा केंद्र,IN,77.1023,28.6045\nh2,Tata,dc,कल डेटा केंद्र,IN,77.5067,28.9089\nt1,True,dc,ศูนย์ข้อมูล,TH,98.3981,7.8906\nt2,True,dc,ศนยขอมล,TH,98.6012,8.1034\na1,X,dc,مركز البيانات,EG,31.2497,30.0626\na2,X,dc,مَرْكَز البَيانات,EG,31.5012,30.3034\n' > marks.csv
fp_init marks.sqlite && "$FP" -q --db marks.sqlite import marks.csv
run --db marks.sqlite check
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 finding on 1 row (1 duplicate)" "one finding: the Arabic pair"
assert_contains "$OUT" "marks.csv:10: duplicate: same name (\"مركز البيانات\" after folding) in EGY as marks.csv:9" "harakat folded away"
assert_not_contains "$OUT" "ヒル" "the kana pair apart"
case_end

case_begin "duplicate names fold as geocode does: Łódź/Lodz, Straße/Strasse, Øresund/Oresund, Işık/Isik, full-width ＭＯＳＣＯＷ, a zero-width space"
printf 'id,company,category,name,country,lon,lat\na1,H,c,Łódź network,PL,19.4740,51.7706\na2,H,c,Lodz network,PL,19.3012,51.9034\nc1,Z,g,Straße Projekt,DE,6.9512,50.9434\nc2,Z,g,Strasse Projekt,DE,6.8012,51.1034\nd1,Z,g,Øresund link,DK,12.5712,55.6834\nd2,Z,g,Oresund link,DK,12.4012,55.8034\nk1,X,d,Işık Tower,TR,28.9497,41.0138\nk2,X,d,Isik Tower,TR,29.1012,41.2034\ng1,Z,g,ＭＯＳＣＯＷ hub,RU,37.6212,55.7534\ng2,Z,g,MOSCOW hub,RU,37.4012,55.9034\nz1,Z,g,Kyiv\xe2\x80\x8b hub,UA,30.5234,50.4501\nz2,Z,g,Kyiv hub,UA,30.7012,50.6034\n' > letters.csv
fp_init letters.sqlite && "$FP" -q --db letters.sqlite import letters.csv
run --db letters.sqlite check
assert_contains "$OUT" "6 findings on 6 rows (6 duplicate)" "six pairs"
assert_contains "$OUT" "letters.csv:3: duplicate: same name (\"lodz network\" after folding) in POL as letters.csv:2" "ł"
assert_contains "$OUT" "letters.csv:5: duplicate: same name (\"strasse projekt\" after folding)" "ß"
assert_contains "$OUT" "letters.csv:7: duplicate: same name (\"oresund link\" after folding)" "ø"
assert_contains "$OUT" "letters.csv:9: duplicate: same name (\"isik tower\" after folding)" "ı"
assert_contains "$OUT" "letters.csv:11: duplicate: same name (\"moscow hub\" after folding)" "full-width"
assert_contains "$OUT" "letters.csv:13: duplicate: same name (\"kyiv hub\" after folding)" "zero-width space"
case_end

case_begin "possible-duplicate: the same company and category geocoded to the same town under other names (Kiev/Kyiv); not at a country's centroid, not across companies"
printf 'id,company,category,name,place,country\n1,Huawei,rd_lab,Huawei Kiev R&D centre,Kiev,Ukraine\n2,Huawei,rd_lab,Huawei Kyiv R&D center,Kyiv,Ukraine\n3,ZTE,rd_lab,ZTE lab,Kyiv,Ukraine\n4,Huawei,5g,Site A,Nowhereville,Ukraine\n5,Huawei,5g,Site B,Elsewhereville,Ukraine\n' > poss.csv
fp_init poss.sqlite && "$FP" -q --db poss.sqlite import poss.csv && "$FP" -q --db poss.sqlite geocode
assert_eq "geonames:703448|geonames:703448|geonames:703448|UKR|UKR" "$(sqlite3 poss.sqlite "SELECT group_concat(geocode_ref, '|') FROM (SELECT geocode_ref FROM projects ORDER BY id)")" "geocoded as expected"
run --db poss.sqlite check --report poss.csv.out.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 finding on 1 row (1 possible-duplicate)" "one finding"
assert_contains "$OUT" "poss.csv:3: possible-duplicate: same company (Huawei), category (rd_lab) and dataset, geocoded to the same town (geonames:703448) as poss.csv:2 (id 1), under another name" "the pair, the town"
assert_contains "$OUT" "suggested: if it is one project, remove or merge one of the two rows (poss.csv:2 is the earlier)" "the suggestion"
assert_eq "possible-duplicate|1" "$(sqlite3 poss.sqlite "SELECT kind || '|' || other_id FROM qa_findings")" "stored with the earlier row"
assert_eq "possible-duplicate" "$(sqlite3 poss.sqlite "SELECT qa FROM projects WHERE source_key = '2'")" "the row's qa attribute"
case_end

case_begin "possible-duplicate: rows without a name (company, category and town only) are not flagged"
printf 'id,company,category,place,country\n1,Huawei,rd_lab,Kyiv,Ukraine\n2,Huawei,rd_lab,Kyiv,Ukraine\n3,Huawei,rd_lab,Kiev,Ukraine\n' > nn.csv
fp_init nn.sqlite && "$FP" -q --db nn.sqlite import nn.csv && "$FP" -q --db nn.sqlite geocode
assert_eq "3" "$(sqlite3 nn.sqlite "SELECT count(*) FROM projects WHERE geocode_ref = 'geonames:703448'")" "geocoded to one town"
run --db nn.sqlite check
assert_eq 0 "$RC" "exit status"
assert_not_contains "$OUT" "possible-duplicate" "no possible-duplicate"
case_end

case_begin "admin1: a value geocode did not recognise (महाराष्ट्र, बिहार) is reported as not recognised, not as a mismatch"
printf 'id,company,place,country,province\n1,X,Aurangabad,India,महाराष्ट्र\n2,X,Taizhou,China,江苏\n' > a1n.csv
fp_init a1n.sqlite && "$FP" -q --db a1n.sqlite import a1n.csv && "$FP" -q --db a1n.sqlite geocode
run --db a1n.sqlite check
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "1 finding on 1 row (1 admin1)" "one finding"
assert_contains "$OUT" "a1n.csv:2: admin1: admin-1 \"महाराष्ट्र\" not recognised (geocode ignored it), so the town could not be checked against it: geocoded \"Aurangabad\" lies in Maharashtra (IN-MH)" "not recognised"
assert_not_contains "$OUT" "the row names" "no mismatch claimed"
case_end

case_begin "bad input: usage errors exit 2, a missing store exits 1, each with a reason"
run --db $DB check --fix everything
assert_eq 2 "$RC" "bad --fix"
assert_contains "$OUT" "--fix everything: expected swapped, sign or swapped,sign" "message"
run --db $DB check --fix swapped --undo
assert_eq 2 "$RC" "--fix with --undo"
run --db $DB check --report r.txt
assert_eq 2 "$RC" "report extension"
assert_contains "$OUT" "--report r.txt: expected FILE.csv or FILE.geojson" "message"
run --db missing.sqlite check
assert_eq 1 "$RC" "missing store"
assert_contains "$OUT" "missing.sqlite: no such database" "message"
# A missing folder is created (test_cli.sh); a file in the way fails.
printf 'x' > no-such-dir
run --db $DB check --report no-such-dir/r.csv
assert_eq 1 "$RC" "report under a file"
assert_contains "$OUT" "no-such-dir/r.csv" "names the file"
case_end

case_begin "a list without a category column: the same row entered twice is a duplicate; the company's other site 100 m away is not"
# An outside tester's 3W (Country, Organisation, Location, Lat, Lon): two
# identical rows gave "no findings"; with a Sector column, "1 duplicate".
fp_init nocat.sqlite
printf 'Country,Organisation,Location,Latitude,Longitude\nSomalia,Save the Children,Baidoa,3.1136,43.6498\nSomalia,Save the Children,Baidoa,3.1136,43.6498\nSomalia,Save the Children,Baidoa East,3.1145,43.6498\n' > nocat.csv
run --db nocat.sqlite import nocat.csv
assert_eq 0 "$RC" "exit status ($OUT)"
# Row 3 is 100 m north of row 1 (0.0009 degrees of latitude): the same company, not the same point.
assert_eq "3|1" "$(sqlite3 nocat.sqlite "SELECT f.row_ref, count(*) FROM qa_findings f WHERE f.kind = 'duplicate'" | sed 's/^nocat.csv://')" "one duplicate finding, on line 3 (the second row)"
assert_contains "$(sqlite3 nocat.sqlite "SELECT evidence FROM qa_findings WHERE kind = 'duplicate'")" "same company (Save the Children) and dataset, no category, at the same point (0.0 m apart)" "its evidence"
assert_eq "0" "$(sqlite3 nocat.sqlite "SELECT count(*) FROM qa_findings f JOIN projects p ON p.id = f.project_id WHERE p.source_line = 4")" "no finding on line 4, 100 m away"
case_end

# A site mapped twice, as OpenStreetMap has them: a node and the building
# round it (an outside tester: `check` compared points only, so the way
# was never compared and the site counted twice). Lines and areas are now
# compared for duplicates by the centre of their box; the point checks
# (country, placeholders, decimals) stay with points: the cable below,
# declared Chilean, has its centre in Argentina. By hand: the building's
# box centre is the first node exactly (0 m); the second node is 0.0001
# degrees off on both axes at 1.3 S, 11.1 m x 11.1 m, 16 m.
case_begin "check compares lines and areas for duplicates by their box's centre (a node and its building), and runs no point check on them"
cat > twice.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"node/8001","name":"Africa Data Centres Nairobi","operator":"Africa Data Centres","telecom":"data_center","addr:country":"KE"},"geometry":{"type":"Point","coordinates":[36.8885,-1.3230]}},
{"type":"Feature","properties":{"id":"way/8002","name":"Africa Data Centres Nairobi","operator":"Africa Data Centres","telecom":"data_center","addr:country":"KE"},"geometry":{"type":"Polygon","coordinates":[[[36.8880,-1.3225],[36.8890,-1.3225],[36.8890,-1.3235],[36.8880,-1.3235],[36.8880,-1.3225]]]}},
{"type":"Feature","properties":{"id":"node/8003","name":"Africa Data Centres Nairobi","operator":"Africa Data Centres","telecom":"data_center","addr:country":"KE"},"geometry":{"type":"Point","coordinates":[36.8886,-1.3231]}},
{"type":"Feature","properties":{"id":"way/9001","name":"Santiago - Buenos Aires","operator":"Silica","telecom":"cable","addr:country":"CL"},"geometry":{"type":"LineString","coordinates":[[-70.65,-33.45],[-58.38,-34.6]]}}]}
JSON
fp_init twice.sqlite >/dev/null
"$FP" -q --db twice.sqlite import twice.geojson --map category=telecom
run --db twice.sqlite check --dataset twice
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "qa: 2 points checked (2 with a declared country) and 2 lines or areas (for duplicates): 2 findings on 2 rows (2 duplicate)" "the summary"
assert_eq "way/8002|node/8001|0 m apart
node/8003|node/8001|16 m apart" "$(sqlite3 twice.sqlite "SELECT p.source_key, o.source_key, CASE WHEN f.evidence LIKE '%, 0 m apart%' THEN '0 m apart' WHEN f.evidence LIKE '%, 16 m apart%' THEN '16 m apart' ELSE f.evidence END
    FROM qa_findings f JOIN projects p ON p.id = f.project_id JOIN projects o ON o.id = f.other_id ORDER BY p.id")" "the building and the second node, each against the first node"
assert_eq "0" "$(sqlite3 twice.sqlite "SELECT count(*) FROM qa_findings f JOIN projects p ON p.id = f.project_id WHERE p.source_key = 'way/9001'")" "no country finding on the cable"
case_end
