#!/usr/bin/env bash
# Spreadsheets and other tables without geometry (XLSX, ODS, DBF) import as
# their CSV twin: the same rows, values, rejects and reasons, rows numbered
# as in the sheet. The sheets are written by GDAL (ogr2ogr) and by LibreOffice
# Calc (headless, as an Excel user's file would be) from a CSV; the expected
# values are the CSV's own text and hand-counted row numbers.
. "$(dirname "$0")/lib.sh"

# The CSV twin: good rows, bad rows and a place-only row. Row numbers as a
# spreadsheet shows them: the header is row 1.
cat > p.csv <<'CSV'
id,company,category,year,country,place,lon,lat,signed,contract_no,rate
P1,Huawei,5G,2019,KEN,Nairobi,36.82,-1.29,2020-03-15,123456789012345,0.00001
P2,ZTE,Data centre,2020,ZAF,,28.05,-26.2,2021-11-02,987654321098765,2.5
P3,Hikvision,Surveillance,2018,,,abc,10,,,
P4,Huawei,Cable,2017,,,,5,,,
P5,Alibaba,Cloud,2021,,,200,10,,,
P6,Tencent,Lab,2022,THA,Bangkok,,,2022-01-31,,
P7,Baidu,AI,2016,,,,,,,
P1,Huawei,Dup,2019,,,1,1,,,
P8,CETC,Radar,2015,PAK,,73.05,33.68,,,
CSV
# Typed: year Integer, lat Real, signed Date, contract_no Integer64, rate Real.
ogr2ogr -f XLSX typed.xlsx p.csv -oo AUTODETECT_TYPE=YES
ogr2ogr -f ODS typed.ods p.csv -oo AUTODETECT_TYPE=YES
# Every cell text (numbers stored as text), as `ogr2ogr -f XLSX x.csv` writes.
ogr2ogr -f XLSX text.xlsx p.csv
ogr2ogr -f ODS text.ods p.csv

# store_of FILE [import options...]: imports FILE into a fresh store
# FILE.sqlite ($DB, $OUT, $RC set: call it outside $(...)) as dataset "d";
# prints the stored rows and the rejects.
store_of() {
    local f=$1; shift
    DB=$f.sqlite
    rm -f "$DB"
    fp_init "$DB"
    run --db "$DB" import "$f" --dataset d "$@"
    ssql "SELECT source_key, company, category, year, country_code, CASE WHEN geom IS NULL THEN 'to geocode' ELSE printf('%.6f %.6f', X(geom), Y(geom)) END, extra, source_line FROM projects ORDER BY source_key, source_line"
    sql "SELECT line, reason FROM rejects ORDER BY line"
}

store_of p.csv > p.csv.out
csv=$(cat p.csv.out)
want_rejects="4|coordinates not numbers: lon='abc' lat='10' is not a pair of numbers
5|coordinates missing: lon is empty
6|coordinates out of range: lon=200 lat=10 is outside lon -180..180, lat -90..90 (another CRS? use --crs)
8|no location: no coordinates and no place or country to geocode
9|duplicate id: id 'P1' is already stored in dataset 'd'"

case_begin "the CSV twin: 4 stored (1 to geocode), 5 rejects on rows 4, 5, 6, 8, 9"
assert_eq "$want_rejects" "$(sql "SELECT line, reason FROM rejects ORDER BY line")" "rejects"
assert_eq "P1|2|36.82 -1.29
P2|3|28.05 -26.2
P6|7|
P8|10|73.05 33.68" "$(ssql "SELECT source_key, source_line, coalesce(X(geom)||' '||Y(geom), '') FROM projects ORDER BY source_key")" "rows"
case_end

for f in typed.xlsx text.xlsx typed.ods text.ods; do
    case_begin "$f (written by ogr2ogr) stores what its CSV twin stores: rows, values, extra, rejects, row numbers"
    store_of $f > $f.out
    got=$(cat $f.out)
    assert_eq 0 "$RC" "exit status"
    fmt=$(echo "${f##*.}" | tr a-z A-Z)
    assert_contains "$OUT" "$f ($fmt, sheet p): 9 rows read, 4 stored, 5 rejected" "summary"
    assert_contains "$OUT" "without coordinates, to geocode: 1" "place-only row kept"
    assert_eq "$csv" "$got" "store against the CSV's"
    assert_eq "$want_rejects" "$(sql "SELECT line, reason FROM rejects ORDER BY line")" "rejects by sheet row"
    case_end
done

# LibreOffice Calc opens the CSV as a user would (types detected: dates,
# numbers) and saves it as XLSX and ODS.
soffice --headless -env:UserInstallation="file://$WORK/lo-profile" --convert-to xlsx --outdir lo p.csv >lo.log 2>&1
soffice --headless -env:UserInstallation="file://$WORK/lo-profile" --convert-to ods --outdir lo p.csv >>lo.log 2>&1
for f in lo/p.xlsx lo/p.ods; do
    case_begin "$f (saved by LibreOffice Calc) stores what its CSV twin stores: rows, values, extra, rejects, row numbers"
    [ -s "$f" ] || fail "LibreOffice wrote no $f: $(tail -3 lo.log)"
    store_of $f > lo.out
    assert_eq 0 "$RC" "exit status ($OUT)"
    fmt=$(echo "${f##*.}" | tr a-z A-Z)
    assert_contains "$OUT" "$f ($fmt, sheet p): 9 rows read, 4 stored, 5 rejected" "summary"
    assert_eq "$csv" "$(cat lo.out)" "store against the CSV's"
    assert_eq "$want_rejects" "$(sql "SELECT line, reason FROM rejects ORDER BY line")" "rejects by sheet row"
    case_end
done

case_begin "typed cells as the user sees them: ISO dates, integers without .0, long numbers and 0.00001 without exponent"
store_of typed.xlsx >/dev/null
assert_eq '{"contract_no":"123456789012345","rate":"0.00001","signed":"2020-03-15"}' \
    "$(sql "SELECT extra FROM projects WHERE source_key='P1'")" "extra"
assert_eq "2019|integer" "$(sql "SELECT year, typeof(year) FROM projects WHERE source_key='P1'")" "year"
case_end

case_begin "re-importing the same sheet stores nothing"
DB=typed.xlsx.sqlite
before=$(sql "SELECT count(*) FROM projects")
run --db $DB import typed.xlsx --dataset d
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "already imported into this dataset" "message"
assert_eq "$before" "$(sql "SELECT count(*) FROM projects")" "rows"
case_end

case_begin "footprint rejects names the sheet row"
run --db typed.ods.sqlite rejects
assert_contains "$OUT" "typed.ods:6: coordinates out of range" "row 6"
case_end

# Named coordinate columns in another CRS, numbers typed as text with a
# decimal comma (a European sheet). The expected point comes from cs2cs.
cat > m.csv <<'CSV'
ref,E,N,Recipient,Recipient ISO-3,Commitment Year,Title,Funding Agencies,Sector Name,Amount (Constant USD 2021)
R1,"4098738,5","-143690,25",Kenya,KEN,2015,Road,Exim,TRANSPORT,123456789012
CSV
ogr2ogr -f XLSX m.xlsx m.csv

case_begin "--lon/--lat/--crs on a sheet, decimal commas in text cells, public datasets' column names recognised"
store_of m.xlsx --lon E --lat N --crs EPSG:3857 --map id=ref >/dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "summary"
assert_contains "$OUT" "columns: id=ref, company=Funding Agencies, category=Sector Name, name=Title, country=Recipient ISO-3, year=Commitment Year, amount=Amount (Constant USD 2021), lon/lat=E, N" "mapping line"
read -r ex ey < <(echo "4098738.5 -143690.25" | cs2cs -f %.6f EPSG:3857 EPSG:4326 | awk '{print $2, $1}')
assert_eq "R1|Exim|TRANSPORT|Road|KEN|2015|123456789012.0|$ex $ey" \
    "$(ssql "SELECT source_key, company, category, name, country_code, year, amount, printf('%.6f %.6f', X(geom), Y(geom)) FROM projects")" "row"
assert_eq '{"Recipient":"Kenya"}' "$(sql "SELECT extra FROM projects")" "extra"
case_end

# A sheet of WKT in EPSG:27700 (GDAL writes the column as text).
cat > w.csv <<'CSV'
id,name,shape
W1,square,"POLYGON((530000 180000,531000 180000,531000 181000,530000 181000,530000 180000))"
W3,pt,"POINT(383997.434 398258.316)"
CSV
ogr2ogr -f XLSX w.xlsx w.csv

case_begin "--crs reprojects a sheet's WKT column (--wkt) as the CSV twin's: every vertex against PROJ's cs2cs"
store_of w.xlsx --wkt shape --crs EPSG:27700 >/dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_contains "$OUT" "reprojected to WGS 84: 2 (from EPSG:27700" "the count names the CRS"
i=0
for v in "530000 180000" "531000 180000" "531000 181000" "530000 181000"; do
    i=$((i + 1))
    read -r ex ey < <(echo "$v" | cs2cs -f %.9f EPSG:27700 EPSG:4326 | awk '{print $2, $1}')
    read -r gx gy < <(ssql "SELECT printf('%.9f %.9f', X(PointN(ExteriorRing(geom), $i)), Y(PointN(ExteriorRing(geom), $i))) FROM projects WHERE source_key='W1'")
    assert_near "$ex" "$gx" 1e-8 "polygon vertex $i lon"
    assert_near "$ey" "$gy" 1e-8 "polygon vertex $i lat"
done
read -r ex ey < <(echo "383997.434 398258.316" | cs2cs -f %.9f EPSG:27700 EPSG:4326 | awk '{print $2, $1}')
assert_near "$ex" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='W3'")" 1e-8 "point lon"
assert_near "$ey" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='W3'")" 1e-8 "point lat"
case_end

# A workbook of two sheets: a read-me sheet and the data.
printf 'note,author\nSee the projects sheet,the team\n' > readme.csv
ogr2ogr -f XLSX wb.xlsx readme.csv -nln readme
ogr2ogr -update -f XLSX wb.xlsx p.csv -nln projects -oo AUTODETECT_TYPE=YES

case_begin "a workbook: --layer picks the sheet; without it a sheet with nothing to locate rows by is skipped and named"
store_of wb.xlsx --layer projects >/dev/null
assert_contains "$OUT" "wb.xlsx (XLSX, sheet projects): 9 rows read, 4 stored, 5 rejected" "summary with --layer"
assert_eq "$want_rejects" "$(sql "SELECT line, reason FROM rejects ORDER BY line")" "rejects"
store_of wb.xlsx >/dev/null
assert_contains "$OUT" "wb.xlsx (XLSX, sheet readme skipped: no coordinate, WKT, place or country column; sheet projects): 9 rows read, 4 stored, 5 rejected" "summary"
assert_eq "coordinates out of range: sheet projects: lon=200 lat=10 is outside lon -180..180, lat -90..90 (another CRS? use --crs)" \
    "$(sql "SELECT reason FROM rejects WHERE line=6")" "reason names the sheet"
# One sheet contributes rows (the read-me is skipped): no layer key (README).
assert_eq "0" "$(sql "SELECT count(*) FROM projects WHERE json_extract(extra, '\$.layer') IS NOT NULL")" "no extra.layer"
case_end

# The workbook's store equals its data sheet's alone and its CSV twin's, and
# diff finds every row unchanged; a workbook that gains a second data sheet
# tags both sheets' rows, and diff lists only the new sheet's rows (added);
# rows that come from a sheet of another name (both tagged) are changed.
ogr2ogr -f XLSX only.xlsx wb.xlsx projects
printf 'id,company,country,lon,lat\nQ1,ZTE,GHA,-0.19,5.6\nQ2,BGI,SEN,-17.45,14.7\n' > pipeline.csv
cp wb.xlsx wb2.xlsx
ogr2ogr -update -f XLSX wb2.xlsx pipeline.csv -nln pipeline
# The same rows, the data sheet renamed: both editions tag their rows.
ogr2ogr -f XLSX wb3.xlsx readme.csv -nln readme
ogr2ogr -update -f XLSX wb3.xlsx p.csv -nln archive -oo AUTODETECT_TYPE=YES
ogr2ogr -update -f XLSX wb3.xlsx pipeline.csv -nln pipeline

case_begin "a workbook of a read-me and one data sheet stores what the sheet alone stores: diff says unchanged"
DB=eds.sqlite
rm -f "$DB"
fp_init "$DB"
for pair in wb.xlsx:ed1 only.xlsx:ed1s p.csv:ed1c wb2.xlsx:ed2 wb3.xlsx:ed3; do
    "$FP" -q --db "$DB" import "${pair%%:*}" --dataset "${pair#*:}" > /dev/null
done
rows_of() { ssql "SELECT source_key, company, year, country_code, CASE WHEN geom IS NULL THEN '-' ELSE printf('%.6f %.6f', X(geom), Y(geom)) END, extra, source_line FROM projects WHERE dataset = '$1' ORDER BY source_key"; }
assert_eq "$(rows_of ed1s)" "$(rows_of ed1)" "rows as the sheet alone"
assert_eq "$(rows_of ed1c)" "$(rows_of ed1)" "rows as the CSV twin"
assert_eq 4 "$(rows_of ed1 | wc -l)" "4 rows compared"
n=$(sql "SELECT count(*) FROM projects WHERE dataset = 'ed1'")
for other in ed1s ed1c; do
    run --db "$DB" diff --dataset ed1 --against $other
    assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, $n unchanged" "diff ed1 $other"
done
assert_eq "pipeline|2
projects|$n" "$(sql "SELECT json_extract(extra, '\$.layer'), count(*) FROM projects WHERE dataset = 'ed2' GROUP BY 1 ORDER BY 1")" "two sheets contribute: both tagged"
run --db "$DB" diff --dataset ed1 --against ed2
assert_contains "$OUT" "2 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, $n unchanged" "a sheet gained: its rows added, the others unchanged"
run --db "$DB" diff --dataset ed2 --against ed3
assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), $n changed, 2 unchanged" "rows from another sheet: changed"
assert_contains "$OUT" "layer: projects -> archive" "the change named"
case_end

case_begin "a DBF (attribute table) imports as its CSV twin; its rows are numbered as features"
ogr2ogr -f "ESRI Shapefile" p.dbf p.csv 2>/dev/null
store_of p.dbf >/dev/null
assert_contains "$OUT" "(ESRI Shapefile, layer p): 9 rows read, 4 stored, 5 rejected" "summary"
# DBF names are cut to 10 characters (contract_no -> contract_n): compare the fields.
q="SELECT source_key, company, category, year, country_code, CASE WHEN geom IS NULL THEN '-' ELSE printf('%.6f %.6f', X(geom), Y(geom)) END FROM projects ORDER BY source_key"
assert_eq "$(DB=p.csv.sqlite ssql "$q")" "$(ssql "$q")" "stored rows"
assert_eq "3|4|5|7|8" "$(sql "SELECT group_concat(feature, '|') FROM (SELECT feature FROM rejects ORDER BY feature)")" "reject features (row - 1)"
case_end


case_begin "an attribute-only GeoPackage table (typed columns) imports as its CSV twin, features numbered from 1"
ogr2ogr -f GPKG a.gpkg p.csv -oo AUTODETECT_TYPE=YES
store_of a.gpkg > a.gpkg.out
assert_contains "$OUT" "a.gpkg (GPKG, layer p): 9 rows read, 4 stored, 5 rejected" "summary"
assert_eq "$(grep '^P' p.csv.out | sed 's/|[0-9]*$//')" "$(grep '^P' a.gpkg.out | sed 's/|[0-9]*$//')" "stored rows and extra"
assert_eq "3|4|5|7|8" "$(sql "SELECT group_concat(feature, '|') FROM (SELECT feature FROM rejects ORDER BY feature)")" "reject features"
assert_eq "$(sql "SELECT reason FROM rejects ORDER BY feature")" "$(DB=p.csv.sqlite sql "SELECT reason FROM rejects ORDER BY line")" "reasons"
case_end

case_begin "column names as R writes them (dots for spaces) are recognised; --map overrides"
printf 'Recipient,Recipient.ISO-3,Commitment.Year,Amount.(Constant.USD.2021),Sector.Name,lon,lat\nKenya,KEN,2016,5000000,ENERGY,36.8,-1.3\n' > r.csv
store_of r.csv >/dev/null
assert_contains "$OUT" "columns: category=Sector.Name, country=Recipient.ISO-3, year=Commitment.Year, amount=Amount.(Constant.USD.2021), lon/lat=lon, lat" "mapping"
assert_eq "KEN|2016|5000000.0|ENERGY" "$(sql "SELECT country_code, year, amount, category FROM projects")" "values"
store_of r.csv --map country=Recipient --map category=sector_name >/dev/null
assert_contains "$OUT" "category=Sector.Name, country=Recipient," "--map"
assert_eq "KEN" "$(sql "SELECT country_code FROM projects")" "country from the name Kenya"
case_end

case_begin "a blank sheet row is skipped as a blank CSV line is; the rows after it keep their sheet row numbers"
printf 'id,company,lon,lat\nB1,Huawei,10,20\n,,,\nB2,ZTE,11,21\n' > b.csv
ogr2ogr -f XLSX b.xlsx b.csv
printf 'id,company,lon,lat\nB1,Huawei,10,20\n\nB2,ZTE,11,21\n' > b2.csv
store_of b.xlsx > b.xlsx.out
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_eq "B1|2
B2|4" "$(sql "SELECT source_key, source_line FROM projects ORDER BY 1")" "rows and sheet rows"
store_of b2.csv > b2.csv.out
assert_eq "$(cat b2.csv.out)" "$(cat b.xlsx.out)" "as the CSV with a blank line"
case_end

case_begin "geocode names a sheet's rows as rejects does, FILE:ROW (the sheet's row number), not 'feature N'"
printf 'id,company,place,country\nG1,a,Nairobi,KEN\nG2,a,Nowhereville,KEN\n' > g.csv
ogr2ogr -f XLSX g.xlsx g.csv
fp_init g.sqlite && "$FP" -q --db g.sqlite import g.xlsx || fail "import"
run --db g.sqlite geocode
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "g.xlsx:3: place 'Nowhereville' not found in KEN" "row 3 of the sheet named as g.xlsx:3"
case_end

# sheet OUT SPEC: a workbook written as Excel and Calc store one
# (tests/tools/sheet_write.py): what ogr2ogr cannot write.
sheet() { python3 "$ROOT/tests/tools/sheet_write.py" "$1" "$2" || fail "sheet_write.py $1"; }

# Header cells typed with Alt+Enter (a line break in the cell) and one with
# an NBSP, the CSV twin's header likewise; the same names with spaces are
# found (README: column names).
cat > wrapped.json <<'J'
{"sheets": [{"name": "Projects", "rows": [
  ["id", "Project\nname", "Latitude\n(WGS 84)", "Longitude\n(WGS 84)", "Town\u00a0", "Amount\n(USD)"],
  ["H1", "Kigali 5G", -1.9441, 30.0619, "Kigali", 250000],
  ["H2", "Goma 4G", -1.6585, 29.2205, "Goma", 1000]]},
 {"name": "Notes", "rows": [["Read me"], ["Amounts in USD"]]}]}
J
printf 'id,"Project\nname","Latitude\r\n(WGS 84)","Longitude\n(WGS 84)",Town\xc2\xa0,"Amount\n(USD)"\nH1,Kigali 5G,-1.9441,30.0619,Kigali,250000\nH2,Goma 4G,-1.6585,29.2205,Goma,1000\n' > wrapped.csv
sheet wrapped.xlsx wrapped.json
sheet wrapped.ods wrapped.json

for f in wrapped.csv wrapped.xlsx wrapped.ods; do
    case_begin "$f: header cells with line breaks (Alt+Enter) and NBSP are matched as with spaces: coordinates read, fields mapped"
    store_of $f > $f.out
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
    assert_contains "$OUT" "columns: id=id, name=Project name, place=Town, amount=Amount (USD), lon/lat=Longitude (WGS 84), Latitude (WGS 84)" "columns line, on one line"
    assert_not_contains "$OUT" "to geocode" "no row left to geocode"
    assert_not_contains "$OUT" "NOT READ" "no lone coordinate column"
    assert_eq "H1|Kigali 5G|Kigali|250000.0|30.061900 -1.944100|input
H2|Goma 4G|Goma|1000.0|29.220500 -1.658500|input" \
        "$(ssql "SELECT source_key, name, place, amount, printf('%.6f %.6f', X(geom), Y(geom)), geocode_method FROM projects ORDER BY 1")" "stored rows"
    assert_eq "0" "$(sql "SELECT count(*) FROM projects WHERE extra IS NOT NULL")" "nothing left in extra"
    case_end
done

# A data sheet with a title above its header (row 1, a blank row 2, the
# column names on row 3), beside a read-me sheet and alone.
cat > titled.json <<'J'
{"sheets": [{"name": "Read me", "rows": [["Read me"], ["Coordinates are WGS 84."]]},
 {"name": "Projects", "rows": [["GreenBridge - project list (30 June 2024)"], [],
  ["Project ID", "Organisation", "City", "Country", "Latitude", "Longitude", "Notes"],
  ["G-001", "Huawei", "Nairobi", "KE", -1.286389, 36.817223, "a"],
  ["G-002", "ZTE", "Lagos", "NG", 6.455027, 3.384082, "b"]]}]}
J
python3 -c "
import json; s = json.load(open('titled.json'))
json.dump({'sheets': s['sheets'][1:]}, open('titled_one.json', 'w'))
s['sheets'][1]['rows'] = s['sheets'][1]['rows'][2:]
json.dump(s, open('untitled.json', 'w'))"
sheet titled.xlsx titled.json
sheet titled.ods titled.json
sheet titled_one.xlsx titled_one.json
sheet untitled.xlsx untitled.json

for f in titled.xlsx titled.ods titled_one.xlsx; do
    case_begin "$f: a sheet whose header row is a title above the column names is refused (exit 1, nothing recorded), naming the sheet and the row to delete"
    store_of $f > /dev/null
    assert_eq 1 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "footprint: $f: sheet Projects: its header row (row 1: 'GreenBridge - project list (30 June 2024)') looks like a title: the column names are on row 3 (Project ID, Organisation, City, Country, ...); delete rows 1-2 above them and import again" "the message"
    assert_contains "$OUT" "nothing of this import was stored" "nothing stored, said"
    [ $f = titled_one.xlsx ] || assert_contains "$OUT" "(or --layer NAME imports another sheet alone)" "several sheets: --layer said"
    assert_not_contains "$OUT" "0 rows read" "no summary of 0 rows"
    assert_eq "0|0|0" "$(sql "SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM projects), (SELECT count(*) FROM rejects)")" "no import recorded"
    case_end
done

case_begin "the same workbook with the rows above the header deleted imports its data sheet; a read-me's 'Country | Kenya' line is not taken for a header"
store_of untitled.xlsx > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "untitled.xlsx (XLSX, sheet Read me skipped: no coordinate, WKT, place or country column; sheet Projects): 2 rows read, 2 stored, 0 rejected" "summary"
assert_eq "G-001|36.817223 -1.286389
G-002|3.384082 6.455027" "$(ssql "SELECT source_key, printf('%.6f %.6f', X(geom), Y(geom)) FROM projects ORDER BY 1")" "rows"
cat > kv.json <<'J'
{"sheets": [{"name": "About", "rows": [["About this list"], [], ["Country", "Kenya"], ["Contact", "data@example.org"]]},
 {"name": "Sites", "rows": [["id", "lon", "lat"], ["K1", 36.8, -1.3]]}]}
J
sheet kv.xlsx kv.json
store_of kv.xlsx > /dev/null
assert_eq 0 "$RC" "read-me of key and value lines: exit status ($OUT)"
assert_contains "$OUT" "sheet About skipped: no coordinate, WKT, place or country column; sheet Sites): 1 row read, 1 stored" "read-me of key and value lines: skipped"
case_end

case_begin "a workbook none of whose sheets has a location column is refused (exit 1, nothing recorded), not read as 0 rows"
# (A column "gps" would be one: read where it holds two decimal numbers.)
cat > noloc.json <<'J'
{"sheets": [{"name": "Read me", "rows": [["Read me"], ["Sites of the programme"]]},
 {"name": "Sites", "rows": [["code", "where", "remarks"], ["S1", "near the river", "somewhere"]]}]}
J
sheet noloc.xlsx noloc.json
store_of noloc.xlsx > /dev/null
assert_eq 1 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "footprint: noloc.xlsx: no sheet has a coordinate, WKT, place or country column (sheet Read me skipped: no coordinate, WKT, place or country column; sheet Sites skipped: no coordinate, WKT, place or country column); --layer NAME imports one sheet, naming its columns" "the message"
assert_eq "0|0" "$(sql "SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM projects)")" "no import recorded"
run --db "$DB" import noloc.xlsx --layer Sites
assert_contains "$OUT" "(columns: code, where, remarks)" "--layer names the sheet's columns"
case_end

# A column of date cells and text cells: GDAL types it as text and hands the
# dates as "2019/03/15" and "2019/03/15 18:00:00"; a column of dates alone
# is typed (ISO already).
cat > dated.json <<'J'
{"sheets": [{"name": "Data", "rows": [
  ["id", "lon", "lat", "signed", "start"],
  ["D1", 30.5, 1.5, {"date": "2019-03-15"}, {"date": "2018-01-02"}],
  ["D2", 30.6, 1.6, "15/03/2019", {"date": "2018-01-03"}],
  ["D3", 30.7, 1.7, {"datetime": "2019-03-15T18:00:00"}, {"date": "2018-01-04"}],
  ["D4", 30.8, 1.8, "2019/13/45", {"date": "2018-01-05"}],
  ["D5", 30.9, 1.9, "2019/03/15 at noon", {"date": "2018-01-06"}]]}]}
J
sheet dated.xlsx dated.json
sheet dated.ods dated.json
for f in dated.xlsx dated.ods; do
    case_begin "$f: date cells in a column that also holds text are stored in ISO 8601 (2019-03-15, 2019-03-15T18:00:00); other text as it is"
    store_of $f > /dev/null
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_eq 'D1|{"signed":"2019-03-15","start":"2018-01-02"}
D2|{"signed":"15/03/2019","start":"2018-01-03"}
D3|{"signed":"2019-03-15T18:00:00","start":"2018-01-04"}
D4|{"signed":"2019/13/45","start":"2018-01-05"}
D5|{"signed":"2019/03/15 at noon","start":"2018-01-06"}' "$(sql "SELECT source_key, extra FROM projects ORDER BY 1")" "extra"
    case_end
done

case_begin "a CSV's text '2019/03/15' stays as written (the ISO dates are a sheet's date cells)"
printf 'id,lon,lat,signed\nC1,30.5,1.5,2019/03/15\n' > dated.csv
store_of dated.csv > /dev/null
assert_eq '{"signed":"2019/03/15"}' "$(sql "SELECT extra FROM projects")" "extra"
case_end

# A sheet of one column of both coordinates (text cells), as a field team
# sends it: read as its CSV twin.
cat > sahel.json <<'J'
{"sheets": [{"name": "Sites", "rows": [
  ["Ref", "Sector", "Location", "Country", "GPS (lat, lon)"],
  ["S-1", "5g", "Dakar", "Senegal", "14.6928, -17.4467"],
  ["S-3", "surveillance", "Niamey", "Niger", "13°30'44\"N, 2°6'45\"E"],
  ["S-8", "rd_lab", null, null, "16.2650, -0.0409"]]}]}
J
sheet sahel.xlsx sahel.json

case_begin "sahel.xlsx: a column 'GPS (lat, lon)' is read as lat, lon; a row with only it is stored at its point, not rejected as having no coordinates"
store_of sahel.xlsx > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "summary"
assert_contains "$OUT" "lat, lon=GPS (lat, lon) (one column)" "columns line"
assert_eq "Dakar|-17.446700 14.692800
|-0.040900 16.265000" "$(ssql "SELECT coalesce(place, ''), printf('%.6f %.6f', X(geom), Y(geom)) FROM projects ORDER BY source_line")" "points"
assert_eq "3|coordinates not numbers: column GPS (lat, lon) read as lat, lon: lat='13°30'44\"N' lon='2°6'45\"E' is not a pair of numbers" \
    "$(sql "SELECT line||'|'||reason FROM rejects")" "the DMS row rejected, the column named"
case_end

# Two data sheets (one per region, as partners send them): a duplicate id
# across them is rejected naming the sheet it is in, as the reader's own
# rejects do; a column of the sheets' own named "layer" keeps its values.
cat > regions.json <<'J'
{"sheets": [{"name": "Africa", "rows": [["id", "layer", "country", "lon", "lat"], ["A1", "5G", "KEN", 36.8219, -1.2921], ["A2", "", "KEN", 39.6682, -4.0435]]},
            {"name": "Asia", "rows": [["id", "layer", "country", "lon", "lat"], ["B1", "cable", "LAO", 102.6331, 17.9757], ["A1", "5G", "LAO", 102.7, 18.0]]}]}
J
sheet regions.xlsx regions.json

case_begin "two data sheets: a duplicate id's reject names its sheet; a 'layer' column of the rows' own keeps its values (a note says so)"
store_of regions.xlsx > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_eq "3|duplicate id: sheet Asia: id 'A1' is already stored in dataset 'd'" "$(sql "SELECT line||'|'||reason FROM rejects")" "the reject names the sheet"
# A2's layer cell is empty: no sheet name there either (one key, one
# meaning: the sheets' own column's).
assert_eq 'A1|5G
A2|
B1|cable' "$(sql "SELECT source_key||'|'||coalesce(json_extract(extra, '\$.layer'), '') FROM projects ORDER BY source_key")" "the column's values kept"
# (Every row read of the two sheets: A1 of Asia, then rejected, too.)
assert_contains "$OUT" "note: rows of a sheet or layer with a column 'layer' of its own: 4 (its values kept in extra.layer" "the note"
case_end

# Layers with geometry key their ids LAYER:ID (README), so the duplicate is
# within one layer; GDAL writes the CSV's empty cell as an empty string,
# a value of the feature's own.
case_begin "a GeoPackage of two layers: the same for features (the duplicate's layer named, a 'layer' property kept)"
printf 'id,layer,WKT\nG1,towers,POINT (36.8219 -1.2921)\nG2,,POINT (39.6682 -4.0435)\n' > east.csv
printf 'id,layer,WKT\nG3,dc,POINT (102.6331 17.9757)\nG3,towers,POINT (102.7 18)\n' > west.csv
ogr2ogr -f GPKG two.gpkg east.csv -nln east -a_srs EPSG:4326
ogr2ogr -update -f GPKG two.gpkg west.csv -nln west -a_srs EPSG:4326
store_of two.gpkg > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_eq "2|FID 2: duplicate id: layer west: id 'west:G3' is already stored in dataset 'd'" "$(sql "SELECT feature||'|'||reason FROM rejects")" "the reject names the layer"
assert_eq 'east:G1|towers
east:G2|
west:G3|dc' "$(sql "SELECT source_key||'|'||json_extract(extra, '\$.layer') FROM projects ORDER BY source_key")" "the property's values kept"
assert_contains "$OUT" "note: rows of a sheet or layer with a column 'layer' of its own: 4" "the note"
case_end

# A contacts sheet beside the data: "Position" holds job titles, not
# coordinates; the sheet is skipped as before (outside review: a column so
# named made it a sheet of locations, its rows rejected, the data's tagged).
case_begin "a contacts sheet with a 'Position' column (job titles) beside the data sheet is skipped: nothing rejected, no layer tag"
printf 'id,name,lon,lat\n1,A,36.8,-1.3\n' > cproj.csv
printf 'Name,Position,Email\nJane,Manager,j@example.org\nOmar,Site engineer,o@example.org\n' > contacts.csv
ogr2ogr -f XLSX contacts.xlsx cproj.csv -nln Projects
ogr2ogr -update -f XLSX contacts.xlsx contacts.csv -nln Contacts
store_of contacts.xlsx > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "sheet Contacts skipped: no coordinate, WKT, place or country column" "skipped"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "summary"
assert_eq "1|" "$(sql "SELECT source_key||'|'||coalesce(extra, '') FROM projects")" "no layer tag"
case_end

# A 3W from HDX: the row under the header holds HXL hashtags, which say what
# the columns (named in French and Spanish) hold. Its CSV twin, hand-counted:
# the tags on row 2, rows 3 and 4 stored, row 5's latitude not a number.
cat > hdx.csv <<'CSV'
Agence,Secteur,Activite,Pays,Latitud,Longitud,Debut
#org,#sector,#activity,#country+code,#geo+lat,#geo+lon,#date+start
MSF,Health,Clinic,KEN,-1.26,36.8,2023-04-01
IRC,WASH,Wells,KEN,-4.09,39.66,2022-01-15
NRC,Shelter,Tents,KEN,abc,34.76,2021-06-30
CSV
ogr2ogr -f XLSX hdx.xlsx hdx.csv
ogr2ogr -f ODS hdx.ods hdx.csv
soffice --headless -env:UserInstallation="file://$WORK/lo-profile" --convert-to xlsx --outdir lo hdx.csv >>lo.log 2>&1
hdx_rows="3|MSF|Health|Clinic|KEN|2023|36.800000 -1.260000
4|IRC|WASH|Wells|KEN|2022|39.660000 -4.090000"
for f in hdx.csv hdx.xlsx hdx.ods lo/hdx.xlsx; do
    case_begin "$f: a row of HXL hashtags under the header is not data (neither read nor rejected) and is said; the columns are read by their tags; rows keep their row numbers"
    [ -s "$f" ] || fail "no $f: $(tail -3 lo.log)"
    store_of $f > /dev/null
    assert_eq 0 "$RC" "exit status ($OUT)"
    assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "summary"
    word=row; [ "$f" = hdx.csv ] && word=line
    assert_contains "$OUT" "note: $word 2 is an HXL hashtag row (#org, #sector, #activity, #country+code, ...): read as column tags, not data" "the note names the row"
    assert_contains "$OUT" "columns: company=Agence, category=Secteur, name=Activite, country=Pays, year=Debut, lon/lat=Longitud, Latitud" "columns line"
    assert_eq "$hdx_rows" "$(ssql "SELECT source_line, company, category, name, country_code, year, printf('%.6f %.6f', X(geom), Y(geom)) FROM projects ORDER BY source_line")" "stored rows"
    assert_eq "5|coordinates not numbers: Longitud='34.76' Latitud='abc' is not a pair of numbers" "$(sql "SELECT line, reason FROM rejects")" "the reject on row 5"
    case_end
done

case_begin "a workbook of a data sheet and an HXL sheet whose names say nothing: both contribute rows (tagged with their sheet), the HXL row of that sheet alone said"
printf 'id,company,lon,lat\nN1,ZTE,10.5,20.5\n' > named.csv
ogr2ogr -f XLSX two.xlsx named.csv -nln named
ogr2ogr -update -f XLSX two.xlsx hdx.csv -nln hdx
store_of two.xlsx > /dev/null
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_contains "$OUT" "note: sheet hdx: row 2 is an HXL hashtag row" "the note names the sheet"
assert_eq "hdx|3|MSF
hdx|4|IRC
named|2|ZTE" "$(sql "SELECT json_extract(extra, '\$.layer'), source_line, company FROM projects ORDER BY 1, 2")" "rows of both sheets, tagged"
case_end
