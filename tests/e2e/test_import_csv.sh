#!/usr/bin/env bash
# import of CSV: detection, validation with reasons and line numbers, quirks.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB

case_begin "points_good.csv: 13 rows, 5 stored, 8 rejected with the reasons counted"
run --db $DB import "$FIX/points_good.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "13 rows read, 5 stored, 8 rejected" "summary"
assert_contains "$OUT" "rejected, malformed row: 1" "malformed"
assert_contains "$OUT" "rejected, no location: 1" "no location"
assert_contains "$OUT" "rejected, coordinates missing: 1" "missing"
assert_contains "$OUT" "rejected, coordinates not numbers: 1" "not numbers"
assert_contains "$OUT" "rejected, coordinates NaN or infinite: 2" "non-finite"
assert_contains "$OUT" "rejected, coordinates out of range: 1" "range"
assert_contains "$OUT" "rejected, duplicate id: 1" "duplicate"
assert_eq 5 "$(sql "SELECT count(*) FROM projects")" "projects"
assert_eq 8 "$(sql "SELECT count(*) FROM rejects")" "rejects"
case_end

case_begin "rejects carry the CSV line the record starts on (a quoted newline counts) and the reason"
# Hand-counted from the fixture: header line 1, record A4 spans lines 5-6.
want="7|coordinates out of range
8|coordinates NaN or infinite
9|coordinates not numbers
10|coordinates missing
11|coordinates NaN or infinite
12|duplicate id
13|malformed row
14|no location"
assert_eq "$want" "$(sql "SELECT line, substr(reason, 1, instr(reason, ':') - 1) FROM rejects ORDER BY line")" "lines and kinds"
assert_eq "lat=95.5" "$(sql "SELECT 'lat=' || substr(reason, instr(reason,'lat=')+4, 4) FROM rejects WHERE line=7")" "range detail"
assert_contains "$(sql "SELECT reason FROM rejects WHERE line=13")" "the row has 9 fields, the header has 8" "field count detail"
assert_eq "A10,WuXi,rd_lab,Too many fields,2020,1,2,3,4" "$(sql "SELECT raw FROM rejects WHERE line=13")" "raw text kept"
case_end

case_begin "stored rows: coordinates, fields, extras, and the line number of the multi-line record"
assert_eq "36.8219|-1.2921|Huawei|smart_city|Nairobi Safe City|2015|2" \
  "$(ssql "SELECT X(geom), Y(geom), company, category, name, year, source_line FROM projects WHERE source_key='A1'")" "A1"
assert_eq "Quito, cameras" "$(sql "SELECT name FROM projects WHERE source_key='A3'")" "quoted comma"
assert_eq '{"note":"said \"hello\""}' "$(sql "SELECT extra FROM projects WHERE source_key='A3'")" "doubled quotes in extra"
assert_eq "5|Multi
line name" "$(sql "SELECT source_line, name FROM projects WHERE source_key='A4'")" "multi-line record"
assert_eq '|{"year_raw":"circa 2019"}' "$(sql "SELECT year, extra FROM projects WHERE source_key='A12'")" "unparsed year kept raw"
assert_eq "1|1" "$(ssql "SELECT count(*), CheckSpatialIndex('projects','geom') FROM projects WHERE geocode_method='input' AND source_key='A2'")" "spatial index"
case_end

case_begin "source ids: a repeat is refused within the file, across imports of a dataset and across batches of rows; other ids never, whatever their hashes"
# The loader writes rows 64 at a time and finds a repeated id before: a set
# of 32-bit hashes of the dataset's ids, then the key index. P29881 and
# P58664 have the same hash (the FNV-1a fold in imports_store.c), so the
# second must be looked up and stored. Ids P1..P3000 and that pair: every
# one stored (awk writes them, sqlite3 counts them); then a second file
# repeats P7 and P58664 among new ids, into the same dataset and another.
awk 'BEGIN { print "id,company,category,lon,lat"; for (i = 1; i <= 3002; i++) { k = i <= 3000 ? i : (i == 3001 ? 29881 : 58664); printf "P%d,Co,c,%.4f,%.4f\n", k, -170 + (i % 340), -60 + int(i / 340) } }' > ids.csv
printf 'id,company,category,lon,lat\nQ1,Co,c,1.5,1.5\nP7,Co,c,2.5,2.5\nQ2,Co,c,3.5,3.5\nQ2,Co,c,4.5,4.5\nP58664,Co,c,5.5,5.5\n' > ids2.csv
fp_init ids.sqlite
run --db ids.sqlite import ids.csv
assert_contains "$OUT" "3002 rows read, 3002 stored, 0 rejected" "every id stored"
assert_eq "3002|3002|1|3002" "$(sqlite3 ids.sqlite "SELECT count(*), count(DISTINCT source_key), min(id), max(id) FROM projects")" "ids 1..3002"
# The spatial index written in bulk (its rowid table 128 rows to a
# statement, then the 58 left): SQLite's own check of it.
assert_eq "3002|ok" "$(sqlite3 ids.sqlite "SELECT (SELECT count(*) FROM idx_projects_geom_rowid), rtreecheck('idx_projects_geom')")" "the spatial index (rtreecheck)"
assert_eq "3001|3002" "$(sqlite3 ids.sqlite "SELECT group_concat(id, '|') FROM (SELECT id FROM projects WHERE source_key IN ('P29881', 'P58664') ORDER BY id)")" "the pair whose hashes agree, both at their rows"
run --db ids.sqlite import ids2.csv --dataset ids
assert_contains "$OUT" "5 rows read, 2 stored, 3 rejected" "repeats refused"
assert_eq "3|duplicate id: id 'P7' is already stored in dataset 'ids'
5|duplicate id: id 'Q2' is already stored in dataset 'ids'
6|duplicate id: id 'P58664' is already stored in dataset 'ids'" "$(sqlite3 ids.sqlite "SELECT line, reason FROM rejects ORDER BY line")" "the lines and ids refused"
assert_eq "Q1 3003 Q2 3004" "$(sqlite3 ids.sqlite "SELECT source_key, id FROM projects WHERE id > 3002 ORDER BY id" | tr '|' ' ' | xargs)" "the new ids stored, in order"
run --db ids.sqlite import ids2.csv --dataset other
assert_contains "$OUT" "5 rows read, 4 stored, 1 rejected" "another dataset: only the repeat within the file"
case_end

case_begin "a dataset's first import records the file's SHA-256 at its end; the same file committed meanwhile by another process makes it store nothing"
# A dataset's first import computes the checksum beside the rows (there is
# none to match yet). Process A stops before its commit; B, started then,
# finds no import of the dataset and starts hashing, waits for A's write
# lock, asks again once it has it, and finds A's import of the same file:
# nothing stored. (Where no lock orders them, PostgreSQL, the check at the
# end of the import finds it.)
printf 'id,company,category,lon,lat\nS1,Co,c,1.5,1.5\nS2,Co,c,2.5,2.5\n' > same.csv
fp_init same.sqlite
rm -f same.resume
FOOTPRINT_TEST_PAUSE_AT=import:commit FOOTPRINT_TEST_RESUME_FILE=same.resume "$FP" --db same.sqlite import same.csv > a.out 2>&1 & a=$!
for i in $(seq 1 100); do grep -q "paused at import:commit" a.out && break; sleep 0.1; done
assert_contains "$(cat a.out)" "paused at import:commit" "A waits before its commit"
"$FP" --db same.sqlite import same.csv > b.out 2>&1 & b=$!
sleep 1; touch same.resume
wait $a; ra=$?; wait $b; rb=$?
assert_eq "0 0" "$ra $rb" "both exit 0 ($(tail -1 b.out))"
assert_contains "$(cat a.out)" "2 rows read, 2 stored, 0 rejected (import #1" "A stored the rows"
assert_contains "$(cat b.out)" "same.csv: already imported into this dataset (import #1); nothing stored" "B stored nothing"
assert_eq "1|$(sha256sum same.csv | cut -d' ' -f1)|2" "$(sqlite3 same.sqlite "SELECT count(*), max(checksum), (SELECT count(*) FROM projects) FROM imports")" "one import, its checksum as sha256sum's, its rows"
run --db same.sqlite import same.csv
assert_contains "$OUT" "already imported into this dataset (import #1)" "the next import finds it at once"
case_end

case_begin "typed tables: points, then a line, then more points and a polygon; each kind's spatial index holds its own rows (rtreecheck)"
# While every row is a point the point index's entries are the projects'
# own; the first line makes them the point index's from there on.
printf 'id,company,category,wkt\n1,A,a,POINT(1 1)\n2,A,a,POINT(2 2)\n3,A,a,"LINESTRING(0 0,3 3)"\n4,A,a,POINT(4 4)\n5,A,a,"POLYGON((0 0,1 0,1 1,0 0))"\n6,A,a,POINT(6 6)\n' > kinds.csv
fp_init kinds.sqlite
"$FP" -q --db kinds.sqlite import kinds.csv
for k in point:1,2,4,6 line:3 polygon:5; do
    assert_eq "${k#*:}|${k#*:}|ok" "$(sqlite3 kinds.sqlite "SELECT (SELECT group_concat(id) FROM (SELECT id FROM projects_geom_${k%%:*} ORDER BY id)), (SELECT group_concat(pkid) FROM (SELECT pkid FROM idx_projects_geom_${k%%:*}_geom ORDER BY pkid)), rtreecheck('idx_projects_geom_${k%%:*}_geom')")" "${k%%:*}: rows, index entries, check"
done
assert_eq "1:1.0 1.0 1.0 1.0 2:2.0 2.0 2.0 2.0 4:4.0 4.0 4.0 4.0 6:6.0 6.0 6.0 6.0" \
    "$(sqlite3 kinds.sqlite "SELECT pkid || ':' || xmin || ' ' || xmax || ' ' || ymin || ' ' || ymax FROM idx_projects_geom_point_geom ORDER BY pkid" | xargs)" "the points' boxes"
case_end

case_begin "a store whose largest id is the int64 limit: rows go one at a time, each asked its id (SQLite then picks them at random)"
fp_init big.sqlite
spatialite -batch big.sqlite "INSERT INTO imports(id, file, checksum, dataset) VALUES(90, 'x', 'x', 'big');
    INSERT INTO projects(id, import_id, dataset, source_key, geom) VALUES(9223372036854775807, 90, 'big', 'K0', MakePoint(1, 1, 4326));" >/dev/null 2>&1
assert_eq 1 "$(sqlite3 big.sqlite "SELECT count(*) FROM projects WHERE id = 9223372036854775807")" "the row at the limit"
printf 'id,company,category,lon,lat\nK1,Co,c,10.5,10.5\nK2,Co,c,10.5005,10.5\nK0,Co,c,3.5,3.5\nK3,Co,c,20.5,20.5\n' > big.csv
run --db big.sqlite import big.csv --dataset big
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "K0 refused, the others stored ($OUT)"
assert_eq "4|4" "$(sqlite3 big.sqlite "SELECT count(*), count(DISTINCT id) FROM projects")" "four rows, distinct ids"
assert_contains "$OUT" "1 duplicate" "the QA read every row: K2 is 55 m from K1"
case_end

case_begin "footprint rejects lists file:line: reason and the raw text"
run --db $DB rejects
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "points_good.csv:12: duplicate id: id 'A1' is already stored in dataset 'points_good'" "duplicate line"
assert_contains "$OUT" "    A1,Huawei,smart_city,Dup id,2016,36.8,-1.3," "raw"
assert_contains "$OUT" "8 rejected rows" "count"
# --limit prints the first N; the count is every row's (it said "0 rejected rows").
run --db $DB rejects --limit 0
assert_eq "8 rejected rows (0 shown: --limit)" "$OUT" "--limit 0"
run --db $DB rejects --limit 2
assert_eq 2 "$(grep -c '^tests/\|points_good.csv:' <<<"$OUT")" "--limit 2: two rows printed"
assert_contains "$OUT" "8 rejected rows (2 shown: --limit)" "--limit 2: the count"
case_end

case_begin "an import is identified by the file's SHA-256, as coreutils' sha256sum computes it"
assert_eq "$(sha256sum "$FIX/points_good.csv" | cut -d' ' -f1)" "$(sql "SELECT checksum FROM imports WHERE dataset = 'points_good'")" "checksum"
case_end

case_begin "importing the same file twice stores nothing twice"
run --db $DB import "$FIX/points_good.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "already imported into this dataset (import #1); nothing stored" "message"
assert_eq "5|8|1" "$(sql "SELECT (SELECT count(*) FROM projects), (SELECT count(*) FROM rejects), (SELECT count(*) FROM imports)")" "counts"
case_end

case_begin "the same file into another dataset is a new import"
run --db $DB import "$FIX/points_good.csv" --dataset second
assert_eq 0 "$RC" "exit status"
assert_eq "10" "$(sql "SELECT count(*) FROM projects")" "projects"
case_end

case_begin "BOM, CRLF, semicolons and decimal commas; country names resolved to ISO codes"
run --db $DB import "$FIX/quirks_bom_crlf_semicolon.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_eq "8.5417|47.3769|CHE|CHE" "$(ssql "SELECT X(geom), Y(geom), country, country_code FROM projects WHERE name LIKE 'Z%rich office'")" "decimal comma"
assert_eq "5AC3BC72696368206F6666696365" "$(sql "SELECT hex(name) FROM projects WHERE dataset='quirks_bom_crlf_semicolon' AND country='CHE'")" "UTF-8 bytes, no CR"
assert_eq "France|FRA" "$(sql "SELECT country, country_code FROM projects WHERE name='Paris lab'")" "country name"
case_end

case_begin "Latin-1 bytes are converted, never stored as invalid UTF-8"
run --db $DB import "$FIX/latin1.csv"
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "rows read as Windows-1252 (not UTF-8): 1" "summary"
assert_eq "53C3A36F205061756C6F206F6666696365" "$(sql "SELECT hex(name) FROM projects WHERE dataset='latin1' AND source_line=2")" "São as UTF-8"
case_end

case_begin "Windows-1252 bytes (Excel's curly quotes, dashes, euro sign) are stored as iconv -f CP1252 reads them, not as control characters"
printf 'id,name,lon,lat\n1,\x93Smart\x94 city \x96 \x80 5m \x85,10.5,20.5\n' > cp1252.csv
run --db $DB import cp1252.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "rows read as Windows-1252 (not UTF-8): 1" "summary"
want=$(printf '\x93Smart\x94 city \x96 \x80 5m \x85' | iconv -f CP1252 -t UTF-8 | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
assert_eq "E2809C" "${want:0:6}" "iconv's reading of 0x93 (a left curly quote)"
assert_eq "$want" "$(sql "SELECT hex(name) FROM projects WHERE dataset='cp1252'")" "name bytes"
case_end

case_begin "coordinate columns named with units or dots are found (\"Longitude (deg)\", \"LAT.\"); one without the other is said on the columns line, its rows left to geocode"
printf 'id,name,Longitude (deg),LAT.,country\n1,Roma,12.5,41.9,ITA\n' > units.csv
run --db $DB import units.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "lon/lat=Longitude (deg), LAT." "columns line"
assert_eq "12.5|41.9|input" "$(ssql "SELECT X(geom), Y(geom), geocode_method FROM projects WHERE dataset='units'")" "stored at the file's coordinates (method input), not geocoded"
printf 'id,name,lat,lonx,country\n1,Roma,41.9,12.5,ITA\n' > lonely.csv
run --db $DB import lonely.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "NOT READ: a latitude column 'lat' but no longitude column" "said on the columns line"
assert_contains "$OUT" "name both with --lon/--lat" "says what to do"
assert_eq "1|41.9" "$(sql "SELECT geom IS NULL, json_extract(extra, '\$.lat') FROM projects WHERE dataset='lonely'")" "left to geocode, the latitude kept in extra"
run --db $DB import lonely.csv --lon lonx --lat lat --dataset lonely2
assert_eq 0 "$RC" "with --lon/--lat it imports"
assert_eq "12.5|41.9" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='lonely2'")" "coordinates"
case_end

case_begin "header cells with line breaks, tabs and NBSP (Excel's Alt+Enter, a pasted name) match as with spaces: coordinates read, fields mapped, the columns line on one line"
# "Latitude<CR><LF>(WGS 84)", "Longitude<NBSP>(WGS<TAB>84)", "Project<LF>name",
# "Amount<LF>(USD)"; the same names with spaces are found (README).
printf 'id;"Project\nname";"Latitude\r\n(WGS 84)";"Longitude\xc2\xa0(WGS\t84)";city;"Amount\n(USD)";"Start\ndate"\r\nNL1;Kigali 5G;-1,9441;30,0619;Kigali;1.234,5;2019\r\n' > wrapped.csv
run --db $DB import wrapped.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "columns: id=id, name=Project name, place=city, amount=Amount (USD), lon/lat=Longitude (WGS 84), Latitude (WGS 84)" "columns line"
assert_not_contains "$OUT" "to geocode" "no row left to geocode"
assert_eq "Kigali 5G|30.0619|-1.9441|1234.5|input" "$(ssql "SELECT name, X(geom), Y(geom), amount, geocode_method FROM projects WHERE dataset='wrapped'")" "the row"
# Other columns keep their name as written in extra.
assert_eq '{"Start\ndate":"2019"}' "$(sql "SELECT extra FROM projects WHERE dataset='wrapped'")" "extra"
# --lon/--lat as the columns line shows the names.
run --db $DB import wrapped.csv --dataset wrapped2 --lon 'Longitude (WGS 84)' --lat 'latitude (wgs 84)'
assert_eq 0 "$RC" "--lon/--lat as shown: exit status ($OUT)"
assert_eq "30.0619|-1.9441" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='wrapped2'")" "--lon/--lat as shown"
case_end

# A "Location" column as Google Sheets users fill it: some rows hold the
# coordinates Google Maps copies ("-1.2921, 36.8219"), others a town. The
# coordinates were taken for a place name, and geocode put the row at the
# country's centroid, 230 km off. Points by hand from the values.
case_begin "a 'Location' or 'Position' column: rows holding two decimal numbers are located by them (lat, lon), a town is still a place; other values rejected naming the column"
cat > loc.csv <<'C'
name,country,Location
Nairobi HQ,Kenya,"-1.2921, 36.8219"
Mombasa office,Kenya,Mombasa
Eldoret site,Kenya,"0.5143,35.2698"
Bad,Kenya,"95.5, 200.5"
C
run --db $DB import loc.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_contains "$OUT" "lat, lon=Location (one column, where a row holds two decimal numbers)" "columns line"
assert_contains "$OUT" "located by the two numbers of one column (the columns line names it): 2" "counted"
assert_eq "Nairobi HQ|36.8219|-1.2921|input
Mombasa office|||
Eldoret site|35.2698|0.5143|input" "$(ssql "SELECT name, X(geom), Y(geom), geocode_method FROM projects WHERE dataset='loc' ORDER BY source_line")" "points (Mombasa left to geocode)"
assert_eq "5|coordinates out of range: column Location read as lat, lon: lat=95.5 lon=200.5 is outside lon -180..180, lat -90..90 (another CRS? use --crs)" \
    "$(sql "SELECT r.line||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='loc'")" "the out-of-range pair rejected"
# The located rows' place is empty (coordinates are no place name).
assert_eq "|Mombasa|" "$(sql "SELECT group_concat(coalesce(place, ''), '|') FROM (SELECT place FROM projects WHERE dataset='loc' ORDER BY source_line)")" "place: only Mombasa's"
# "Position" beside a country: the same; a value that is not two decimal
# numbers (a job title) is what it was, the row left to geocode by its
# country. A file whose only location column is "Position" is refused as
# before (a contacts sheet's job titles make no table of locations).
printf 'name,Position,country\nA,"-1.2921,36.8219",KEN\nB,Site manager,KEN\n' > pos.csv
run --db $DB import pos.csv
assert_eq 0 "$RC" "Position: exit status ($OUT)"
assert_eq "A|36.8219|-1.2921
B||" "$(ssql "SELECT name, X(geom), Y(geom) FROM projects WHERE dataset='pos' ORDER BY source_line")" "Position: A's point, B to geocode"
assert_eq '{"Position":"Site manager"}' "$(sql "SELECT extra FROM projects WHERE dataset='pos' AND name='B'")" "Position: kept as written"
printf 'name,Position\nA,"-1.2921,36.8219"\n' > posonly.csv
run --db $DB import posonly.csv
assert_eq 1 "$RC" "Position alone: exit status"
assert_contains "$OUT" "no coordinate columns" "Position alone: refused as before"
case_end

# A comma-separated CSV saved by a spreadsheet in a German or French locale:
# the coordinates quoted, with decimal commas. Degrees have at most three
# digits before the point, so '36,8219' is no thousands separator; under
# --crs (metres) it may be one, and is not read so.
case_begin "decimal commas in a comma-separated CSV's quoted coordinates are read as decimals (and counted); not under --crs"
printf 'Name,Country,Lat,Lng\nNairobi HQ,Kenya,"-1,2921","36,8219"\nEldoret,Kenya,0.5143,35.2698\n' > dc_comma.csv
run --db $DB import dc_comma.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_contains "$OUT" "coordinates with a decimal comma ('36,8219'), read as decimals: 1" "counted"
assert_eq "Nairobi HQ|36.8219|-1.2921
Eldoret|35.2698|0.5143" "$(ssql "SELECT name, X(geom), Y(geom) FROM projects WHERE dataset='dc_comma' ORDER BY source_line")" "points"
printf 'id,x,y\nM1,"530,123","180,456"\n' > dc_metres.csv
run --db $DB import dc_metres.csv --crs EPSG:27700
assert_contains "$OUT" "1 row read, 0 stored, 1 rejected" "under --crs: not read as decimals"
assert_eq "coordinates not numbers: x='530,123' y='180,456' is not a pair of numbers" \
    "$(sql "SELECT r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='dc_metres'")" "the reject"
case_end

# One column holding both coordinates, as field teams and map sites write
# them: read in the order its name says, lat first when it says none
# (README); values that are not two numbers rejected with the column named.
case_begin "one column of both coordinates ('GPS (lat, lon)', 'Coordinates', 'LatLon', 'lat_lon', 'Lat/Long', 'Lon, Lat'): read in the order its name says; unreadable values rejected naming the column"
cat > gps.csv <<'C'
id,"GPS (lat, lon)",city,country
G1,"14.6928, -17.4467",Dakar,SN
G2,,Bamako,ML
G3,"13°30'44""N, 2°6'45""E",Niamey,NE
G4,"(12.3714; -1.5197)",Ouagadougou,BF
G5,"95.1, 10",,
G6,abc,,
G7,,,
G8,18.0735 -15.9582,Nouakchott,MR
C
run --db $DB import gps.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "8 rows read, 4 stored, 4 rejected" "summary"
assert_contains "$OUT" "columns: id=id, place=city, country=country, lat, lon=GPS (lat, lon) (one column)" "columns line"
assert_eq "G1|-17.4467|14.6928|input
G2|||
G4|-1.5197|12.3714|input
G8|-15.9582|18.0735|input" "$(ssql "SELECT source_key, X(geom), Y(geom), geocode_method FROM projects WHERE dataset='gps' ORDER BY source_line")" "points (G2 left to geocode)"
assert_eq "4|coordinates not numbers: column GPS (lat, lon) read as lat, lon: lat='13°30'44\"N' lon='2°6'45\"E' is not a pair of numbers
6|coordinates out of range: column GPS (lat, lon) read as lat, lon: lat=95.1 lon=10 is outside lon -180..180, lat -90..90 (another CRS? use --crs)
7|coordinates not numbers: column GPS (lat, lon) read as lat, lon: 'abc' is not two numbers (lat, lon, as '14.69, -17.44')
8|no location: no coordinates and no place or country to geocode" \
    "$(sql "SELECT r.line||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='gps' ORDER BY r.line")" "rejects"
assert_eq "0" "$(sql "SELECT count(*) FROM projects WHERE dataset='gps' AND extra LIKE '%GPS%'")" "the column is not kept in extra"
# The names, each in a file of one row (the order its name says, else lat first).
n=0
for pair in "Coordinates|14.6928, -17.4467|lat, lon=Coordinates (one column; its name gives no order: read lat first)" \
            "LatLon|14.6928,-17.4467|lat, lon=LatLon (one column)" \
            "lat_lon|14.6928, -17.4467|lat, lon=lat_lon (one column)" \
            "Lat/Long|14.6928, -17.4467|lat, lon=Lat/Long (one column)" \
            "Lon, Lat|-17.4467, 14.6928|lon, lat=Lon, Lat (one column)" \
            "Location (lon/lat)|-17.4467 14.6928|lon, lat=Location (lon/lat) (one column)"; do
    IFS='|' read -r name value line <<<"$pair"
    n=$((n + 1))
    printf 'id,"%s"\nN%d,"%s"\n' "$name" $n "$value" > pairname$n.csv
    run --db $DB import pairname$n.csv
    assert_eq 0 "$RC" "$name: exit status ($OUT)"
    assert_contains "$OUT" "columns: id=id, $line" "$name: columns line"
    assert_eq "-17.4467|14.6928" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='pairname$n'")" "$name: the point"
done
# Decimal commas (a TAB file) split at the blank; a lon/lat pair of columns
# wins over such a column, kept in extra.
printf 'id\tLatLon\nT1\t14,6928 -17,4467\n' > pairdc.tsv
run --db $DB import pairdc.tsv
assert_eq "-17.4467|14.6928" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='pairdc'")" "decimal commas"
printf 'id,lon,lat,Coordinates\nB1,1.5,2.5,"14.6928, -17.4467"\n' > pairboth.csv
run --db $DB import pairboth.csv
assert_contains "$OUT" "lon/lat=lon, lat" "both: the pair of columns"
assert_eq '1.5|2.5|{"Coordinates":"14.6928, -17.4467"}' "$(ssql "SELECT X(geom), Y(geom), extra FROM projects WHERE dataset='pairboth'")" "both: the pair read, the column kept"
case_end

case_begin "a column whose name speaks of coordinates that no rule reads: NOT READ on the columns line, and its rows' reject says the coordinates were not read"
printf 'id,GPS coordinates (N/E),country\nU1,14.69N 17.44W,SN\nU2,14.69N 17.44W,\n' > gpsne.csv
run --db $DB import gpsne.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "NOT READ: column 'GPS coordinates (N/E)' may hold coordinates, but is not read as such" "columns line"
assert_eq "3|no location: no coordinates read (column GPS coordinates (N/E), '14.69N 17.44W', is not read as coordinates: see the import's columns line) and no place or country to geocode" \
    "$(sql "SELECT r.line||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='gpsne'")" "the reject"
# Words that only contain "coord" or "lat" and "lon" hold no coordinates.
printf 'id,Project coordinator,Latest from London,country\nV1,John Roe,x,SN\n' > coordinator.csv
run --db $DB import coordinator.csv
assert_not_contains "$OUT" "NOT READ" "no note for 'Project coordinator' or 'Latest from London'"
case_end

case_begin "repeated and empty headers: every value kept, under NAME_2 and field_N (OGR's name for an empty header), the renames listed"
printf 'id,lon,lat,note,note,,\n1,10.5,20.5,n1,n2,e1,e2\n' > dupcols.csv
run --db $DB import dupcols.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "renamed note -> note_2, (empty) -> field_6, (empty) -> field_7" "the renames"
assert_eq '{"field_6":"e1","field_7":"e2","note":"n1","note_2":"n2"}' "$(sql "SELECT extra FROM projects WHERE dataset='dupcols'")" "extra"
# OGR's CSV driver names the empty headers the same way (field_6, field_7).
assert_eq "field_6 field_7" "$(ogrinfo -q -al dupcols.csv | grep -o 'field_[0-9]*' | sort -u | tr '\n' ' ' | sed 's/ $//')" "ogrinfo's names"
case_end

case_begin "UTF-16 text with a byte-order mark (Excel's Unicode Text, LE and BE): read as its UTF-8 twin, line numbers included; undecodable: exit 1, nothing stored"
printf 'id\tname\tlon\tlat\r\n1\tK\xc3\xb6ln\t6.95\t50.93\r\n2\tbad\t1000\t1\r\n' > u8twin.txt
iconv -f UTF-8 -t UTF-16LE u8twin.txt | (printf '\xff\xfe'; cat) > u16le.txt
iconv -f UTF-8 -t UTF-16BE u8twin.txt | (printf '\xfe\xff'; cat) > u16be.txt
for f in u16le u16be; do
    run --db $DB import $f.txt
    assert_eq 0 "$RC" "$f: exit status"
    assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "$f: counts"
    assert_eq "$(cut -f2 u8twin.txt | sed -n 2p | tr -d '\n' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)|6.95|50.93" "$(ssql "SELECT hex(name), X(geom), Y(geom) FROM projects WHERE dataset='$f'")" "$f: the name's bytes are the UTF-8 twin's"
    assert_eq "3" "$(sql "SELECT r.line FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset='$f'")" "$f: the reject's line"
done
before=$(sql "SELECT count(*) FROM projects")
printf '\xff\xfe\x00\xd8a\x00' > bad16.csv
run --db $DB import bad16.csv
assert_eq 1 "$RC" "undecodable: exit status"
assert_contains "$OUT" "bad16.csv: UTF-16LE text" "undecodable: the message names the file and the encoding"
assert_eq "$before" "$(sql "SELECT count(*) FROM projects")" "nothing stored"
printf '\xff\xfe' > bomonly.csv
run --db $DB import bomonly.csv
assert_contains "$OUT" "bomonly.csv: empty file" "the mark alone: an empty file"
(cat u16le.txt; printf 'x') > odd16.txt
run --db $DB import odd16.txt
assert_eq 1 "$RC" "an odd byte at the end: exit status"
assert_contains "$OUT" "the file ends inside a character" "an odd byte at the end: said"
assert_eq "$before" "$(sql "SELECT count(*) FROM projects")" "still nothing stored"
case_end

case_begin "--encoding: CP1251, GBK and Shift-JIS files stored as iconv reads them; an unknown name: exit 2 naming it"
# Expected bytes: the UTF-8 text itself (iconv converts it there and back).
printf 'id,company,place,country\nc1,Huawei,Москва,Russia\n' | iconv -f UTF-8 -t CP1251 > enc1251.csv
printf 'id,company,place,country\ng1,Huawei,北京,China\n' | iconv -f UTF-8 -t GBK > encgbk.csv
printf 'id,company,place,country\nj1,Huawei,大阪,Japan\n' | iconv -f UTF-8 -t SHIFT_JIS > encsjis.csv
for f in enc1251:CP1251:Москва encgbk:GBK:北京 encsjis:SHIFT_JIS:大阪 encsjis:CP932:大阪; do
    IFS=: read -r name enc want <<<"$f"
    run --db $DB import $name.csv --encoding $enc --dataset "$name-$enc"
    assert_eq 0 "$RC" "$enc: exit status"
    assert_not_contains "$OUT" "Windows-1252" "$enc: no fallback"
    assert_eq "$(printf '%s' "$want" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$(sql "SELECT hex(place) FROM projects WHERE dataset='$name-$enc'")" "$enc: the place's UTF-8 bytes"
done
before=$(sql "SELECT count(*) FROM imports")
run --db $DB import enc1251.csv --encoding KOI9-X --dataset enc-unknown
assert_eq 2 "$RC" "unknown encoding: exit status"
assert_contains "$OUT" "--encoding 'KOI9-X': not an encoding" "unknown encoding: named"
assert_eq "$before" "$(sql "SELECT count(*) FROM imports")" "unknown encoding: no import recorded"
case_end

case_begin "--encoding: a byte sequence invalid in the encoding rejects its row (line, field, reason), the rest is stored"
printf 'id,place,country\ng1,\xb1\xb1\xbe\xa9,CN\ng2,\xb1\x20x,CN\ng3,ok,CN\n' > gbkbad.csv
run --db $DB import gbkbad.csv --encoding GBK
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "counts"
assert_eq "3|malformed row: field 2 (place) holds bytes that are not valid GBK text" "$(sql "SELECT r.line||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='gbkbad'")" "the reject"
assert_eq "1" "$(sql "SELECT count(*) FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='gbkbad' AND r.raw = 'g2,'||char(65533)||' x,CN'")" "its raw text, the bad byte as U+FFFD"
assert_eq "E58C97E4BAAC|6F6B" "$(sql "SELECT group_concat(hex(place), '|') FROM (SELECT place FROM projects WHERE dataset='gbkbad' ORDER BY source_line)")" "the good rows"
case_end

case_begin "not UTF-8 and mojibake as Windows-1252 (Cyrillic, Chinese, Japanese): a warning names the file and line and suggests --encoding; Western text does not trip it"
printf 'id,company,place,country\nc1,Huawei,Moskva,Russia\nc2,Huawei,Москва,Russia\n' | iconv -f UTF-8 -t CP1251 > moji1251.csv
printf 'id,company,place,country\nj1,Huawei,大阪,Japan\n' | iconv -f UTF-8 -t SHIFT_JIS > mojisjis.csv
printf 'id,company,place,country\ng1,Huawei,北京,China\n' | iconv -f UTF-8 -t GBK > mojigbk.csv
run --db $DB import moji1251.csv
assert_eq 0 "$RC" "CP1251: still stored (exit status)"
assert_contains "$OUT" "footprint: warning: moji1251.csv:3: not UTF-8, and read as Windows-1252 it looks like text in another encoding" "CP1251: file and line"
assert_contains "$OUT" "--encoding NAME" "CP1251: suggests --encoding"
assert_contains "$OUT" "CP1251 for Cyrillic" "CP1251: names code pages"
run --db $DB import mojisjis.csv
assert_contains "$OUT" "mojisjis.csv:2: not UTF-8" "Shift-JIS (a C1 control): warned"
run --db $DB import mojigbk.csv
assert_contains "$OUT" "mojigbk.csv:2: not UTF-8" "GBK: warned"
{ printf 'id,company,place,country\n'
  printf 'w1,Ångström Labs,São Paulo,Brazil\nw2,Þýðing ehf,Reykjavík,Iceland\nw3,“Smart” city – € 5m…,Genève,CH\n' | iconv -f UTF-8 -t CP1252
  printf 'w4,PKO,Łódź,Poland\nw5,Żółw sp,Gdańsk,Poland\n' | iconv -f UTF-8 -t CP1250; } > western.csv
run --db $DB import western.csv
assert_eq 0 "$RC" "Western: exit status"
assert_contains "$OUT" "rows read as Windows-1252 (not UTF-8): 5" "Western: read as Windows-1252"
assert_not_contains "$OUT" "warning" "Western: no warning"
case_end

case_begin "a NUL byte in a CSV field rejects its row with the line and field (it cut the value off); the other rows are stored"
printf 'id,place,country,note\nz1,Z\xc3\xbcr\x00ich,CH,x\nz2,Bern,CH,y\n' > nulbyte.csv
run --db $DB import nulbyte.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "counts"
assert_eq "2|malformed row: NUL byte in field 2 (place): the value would be cut there (a UTF-16 or UTF-32 file? give --encoding)" "$(sql "SELECT r.line||'|'||r.reason FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='nulbyte'")" "the reject"
assert_eq "7A312C5AC3BC72E290806963" "$(sql "SELECT hex(substr(r.raw, 1, 9)) FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='nulbyte'")" "raw text: the NUL shown as U+2400"
assert_eq "Bern" "$(sql "SELECT group_concat(place) FROM projects WHERE dataset='nulbyte'")" "nothing cut stored"
case_end

case_begin "UTF-16 without a byte-order mark (LE and BE) is read as its UTF-8 twin, with a note"
python3 -c "open('nobomle.csv','wb').write('id,place,country,lon,lat\n1,Zürich,CH,8.55,47.37\n2,bad,CH,800,1\n'.encode('utf-16-le'))"
python3 -c "open('nobombe.csv','wb').write('id,place,country,lon,lat\n1,Zürich,CH,8.55,47.37\n2,bad,CH,800,1\n'.encode('utf-16-be'))"
for f in nobomle:UTF-16LE nobombe:UTF-16BE; do
    IFS=: read -r name enc <<<"$f"
    run --db $DB import $name.csv
    assert_eq 0 "$RC" "$enc: exit status"
    assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "$enc: counts"
    assert_contains "$OUT" "note: no byte-order mark, but every other byte of the first line is NUL: read as $enc" "$enc: the note"
    assert_eq "5AC3BC72696368|8.55|47.37" "$(ssql "SELECT hex(place), X(geom), Y(geom) FROM projects WHERE dataset='$name'")" "$enc: stored as UTF-8"
    assert_eq "3" "$(sql "SELECT r.line FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='$name'")" "$enc: the reject's line"
done
case_end

case_begin "TAB-separated text with decimal commas (Excel's Unicode Text and a .tsv from a locale with decimal commas): coordinates and amounts read"
python3 -c "open('u16dc.txt','wb').write(b'\xff\xfe'+'id\tplace\tcountry\tlon\tlat\tamount\r\nd1\tZürich\tCH\t8,55\t47,3667\t1.234,5\r\n'.encode('utf-16-le'))"
printf 'id\tplace\tcountry\tlon\tlat\nd2\tBern\tCH\t7,4474\t46,948\n' > dc.tsv
run --db $DB import u16dc.txt
assert_eq 0 "$RC" "UTF-16: exit status"
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "UTF-16: counts"
assert_eq "8.55|47.3667|1234.5" "$(ssql "SELECT X(geom), Y(geom), amount FROM projects WHERE dataset='u16dc'")" "UTF-16: point and amount"
run --db $DB import dc.tsv
assert_eq 0 "$RC" "tsv: exit status"
assert_eq "7.4474|46.948" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='dc'")" "tsv: point"
# With commas as delimiter a decimal comma can only be quoted: read as a
# decimal too (degrees have no thousands), and counted.
printf 'id,lon,lat\nd3,"8,55",47.3\n' > dccomma.csv
run --db $DB import dccomma.csv
assert_contains "$OUT" "coordinates with a decimal comma ('8,55'), read as decimals: 1" "comma-delimited: '8,55' counted"
assert_eq "8.55|47.3" "$(ssql "SELECT X(geom), Y(geom) FROM projects WHERE dataset='dccomma'")" "comma-delimited: the point"
case_end

case_begin "countries written as ISO 3166-1's own short names and common abbreviations resolve to their alpha-3 codes"
cat > isonames.csv <<'C'
id,lon,lat,country
1,28.8,47,"Moldova, Republic of"
2,35,-6,"Tanzania, United Republic of"
3,35.2,31.9,"Palestine, State of"
4,-65,-17,"Bolivia (Plurinational State of)"
5,-66,7,"Venezuela (Bolivarian Republic of)"
6,121,23.7,"Taiwan, Province of China"
7,53,32,"Iran (Islamic Republic of)"
8,23,-3,"Congo, The Democratic Republic of the"
9,45,24,KSA
10,127.5,36.5,ROK
11,127,40,DPRK
12,-64.9,18.3,"Virgin Islands, U.S."
C
run --db $DB import isonames.csv
assert_eq 0 "$RC" "exit status"
assert_eq "MDA TZA PSE BOL VEN TWN IRN COD SAU KOR PRK VIR" "$(sql "SELECT country_code FROM projects WHERE dataset='isonames' ORDER BY CAST(source_key AS INTEGER)" | tr '\n' ' ' | sed 's/ $//')" "alpha-3 codes (by hand, ISO 3166-1)"
case_end

case_begin "--lon/--lat name the columns, --crs reprojects (checked against PROJ's cs2cs)"
run --db $DB import "$FIX/mercator.csv" --lon x --lat y --crs EPSG:3857
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "reprojected to WGS 84: 1" "summary"
# cs2cs prints EPSG:4326 in its axis order: latitude, longitude.
read -r lat lon _ < <(echo "4100000 -144000" | cs2cs -f %.9f EPSG:3857 EPSG:4326)
assert_near "$lon" "$(ssql "SELECT X(geom) FROM projects WHERE source_key='W1'")" 1e-7 "lon"
assert_near "$lat" "$(ssql "SELECT Y(geom) FROM projects WHERE source_key='W1'")" 1e-7 "lat"
case_end

case_begin "--crs takes a 2D geographic or projected CRS: geocentric (EPSG:4978), vertical (EPSG:5714), 3D (EPSG:4979) and an empty value are usage errors (exit 2), nothing stored; PROJ's own log line is not printed"
printf 'id,name,lon,lat\nK1,paris,2.3535,48.8575\n' > kind.csv
n0=$(sql "SELECT count(*) FROM imports")
for c in EPSG:4978 EPSG:5714 EPSG:4979; do
    run --db $DB import kind.csv --crs $c --dataset kind
    assert_eq 2 "$RC" "--crs $c: exit status"
    assert_contains "$OUT" "--crs $c: not a 2D geographic or projected CRS" "--crs $c: message"
done
run --db $DB import kind.csv --crs "" --dataset kind
assert_eq 2 "$RC" "--crs '': exit status"
assert_contains "$OUT" "--crs: empty value" "--crs '': message"
run --db $DB import kind.csv --crs EPSG:99999 --dataset kind
assert_eq 2 "$RC" "--crs EPSG:99999: exit status"
assert_eq "footprint: --crs EPSG:99999: PROJ does not know this CRS" "$OUT" "EPSG:99999: footprint's message alone"
assert_eq "$n0" "$(sql "SELECT count(*) FROM imports")" "no import recorded"
assert_eq 0 "$(sql "SELECT count(*) FROM projects WHERE dataset='kind'")" "nothing stored"
case_end

case_begin "--crs reprojects a WKT column as it does lon/lat columns: points, lines and polygons in EPSG:27700 and an ED50 degree point (each vertex checked against PROJ's cs2cs); the summary names the CRS"
cat > wkt27700.csv <<'CSV'
id,name,wkt
W1,square,"POLYGON((530000 180000,531000 180000,531000 181000,530000 181000,530000 180000))"
W2,line,"LINESTRING(325000 674000,326000 675000)"
W3,pt,"POINT(383997.434 398258.316)"
CSV
run --db $DB import wkt27700.csv --crs EPSG:27700 --dataset wkt27700
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "3 rows read, 3 stored, 0 rejected" "summary"
assert_contains "$OUT" "reprojected to WGS 84: 3 (from EPSG:27700, OSGB36 / British National Grid)" "the count names the CRS"
# cs2cs reads EPSG:27700 as easting northing and prints EPSG:4326 as lat lon.
to4326() { echo "$1 $2" | cs2cs -f %.9f EPSG:27700 EPSG:4326 | awk '{print $2, $1}'; }
i=0
for v in "530000 180000" "531000 180000" "531000 181000" "530000 181000" "530000 180000"; do
    i=$((i + 1))
    read -r ex ey < <(to4326 $v)
    read -r gx gy < <(ssql "SELECT printf('%.9f %.9f', X(PointN(ExteriorRing(geom), $i)), Y(PointN(ExteriorRing(geom), $i))) FROM projects WHERE dataset='wkt27700' AND source_key='W1'")
    assert_near "$ex" "$gx" 1e-8 "polygon vertex $i ($v) lon"
    assert_near "$ey" "$gy" 1e-8 "polygon vertex $i ($v) lat"
done
i=0
for v in "325000 674000" "326000 675000"; do
    i=$((i + 1))
    read -r ex ey < <(to4326 $v)
    read -r gx gy < <(ssql "SELECT printf('%.9f %.9f', X(PointN(geom, $i)), Y(PointN(geom, $i))) FROM projects WHERE dataset='wkt27700' AND source_key='W2'")
    assert_near "$ex" "$gx" 1e-8 "line vertex $i ($v) lon"
    assert_near "$ey" "$gy" 1e-8 "line vertex $i ($v) lat"
done
# The WKT point lands exactly where the same point given as x/y columns does.
printf 'id,x,y\nW3,383997.434,398258.316\n' > xy27700.csv
run --db $DB import xy27700.csv --crs EPSG:27700 --dataset xy27700
assert_eq "$(ssql "SELECT printf('%.12f %.12f', X(geom), Y(geom)) FROM projects WHERE dataset='xy27700'")" \
    "$(ssql "SELECT printf('%.12f %.12f', X(geom), Y(geom)) FROM projects WHERE dataset='wkt27700' AND source_key='W3'")" "WKT point = x/y point"
read -r ex ey < <(to4326 383997.434 398258.316)
assert_near "$ex" "$(ssql "SELECT X(geom) FROM projects WHERE dataset='wkt27700' AND source_key='W3'")" 1e-8 "point lon"
# ED50 degrees, the WKT column named with --wkt: shifted by the datum (about 100 m here).
printf 'id,name,shape\nE1,paris,"POINT(2.35347373547142 48.8575114160278)"\n' > wkt4230.csv
run --db $DB import wkt4230.csv --wkt shape --crs EPSG:4230 --dataset wkt4230
assert_eq 0 "$RC" "ED50: exit status ($OUT)"
read -r ey ex _ < <(echo "48.8575114160278 2.35347373547142" | cs2cs -f %.9f EPSG:4230 EPSG:4326)
assert_near "$ex" "$(ssql "SELECT X(geom) FROM projects WHERE dataset='wkt4230'")" 1e-8 "ED50 lon"
assert_near "$ey" "$(ssql "SELECT Y(geom) FROM projects WHERE dataset='wkt4230'")" 1e-8 "ED50 lat"
case_end

case_begin "columns easting/northing and 'Easting (m)'/'Northing (m)' are read as x/y (with --crs EPSG:27700, checked against cs2cs)"
printf 'id,name,easting,northing\nU1,London,530043.195,180358.209\n' > en.csv
printf 'id,name,Easting (m),Northing (m)\nU1,London,530043.195,180358.209\n' > enm.csv
read -r ex ey < <(echo "530043.195 180358.209" | cs2cs -f %.9f EPSG:27700 EPSG:4326 | awk '{print $2, $1}')
for f in en enm; do
    run --db $DB import $f.csv --crs EPSG:27700 --dataset $f
    assert_eq 0 "$RC" "$f: exit status ($OUT)"
    assert_near "$ex" "$(ssql "SELECT X(geom) FROM projects WHERE dataset='$f'")" 1e-8 "$f: lon"
    assert_near "$ey" "$(ssql "SELECT Y(geom) FROM projects WHERE dataset='$f'")" 1e-8 "$f: lat"
done
assert_contains "$OUT" "lon/lat=Easting (m), Northing (m)" "the columns line"
case_end

case_begin "the summary's 'reprojected to WGS 84' counts the rows stored, not those rejected after their transformation (a duplicate id, a latitude of 95)"
printf 'id,lon,lat\nA,2.35,48.85\nA,2.36,48.86\nB,10,95\n' > dup4230.csv
run --db $DB import dup4230.csv --crs EPSG:4230
assert_contains "$OUT" "3 rows read, 1 stored, 2 rejected" "summary"
assert_contains "$OUT" "reprojected to WGS 84: 1 (from EPSG:4230, ED50)" "one row reprojected and stored"
case_end

case_begin "without --crs, projected coordinates are rejected as out of range with a hint (one row: 'row', 'its only row')"
run --db $DB import "$FIX/mercator.csv" --lon x --lat y --dataset nocrs
assert_contains "$OUT" "1 row read, 0 stored, 1 rejected" "summary"
assert_contains "$OUT" "no row of $FIX/mercator.csv was stored: its only row was rejected;" "all-rejected message"
assert_contains "$(sql "SELECT reason FROM rejects WHERE line=2 AND reason LIKE '%another CRS%'")" "use --crs" "hint"
case_end

case_begin "--map maps columns to fields; a WKT column gives lines and polygons (the bowtie repaired)"
printf 'key,firm,kind,shape\nk1,Huawei,cable,"LINESTRING(0 0, 10 10)"\nk2,ZTE,other,"POLYGON((0 0,1 0,1 1,0 1,0 0))"\nk3,ZTE,other,"POLYGON((0 0,1 1,1 0,0 1,0 0))"\nk4,ZTE,other,"NOT WKT"\n' > wkt.csv
run --db $DB import wkt.csv --wkt shape --map company=firm --map category=kind --map id=key
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_eq "k1|Huawei|cable|LINESTRING|k2|ZTE|other|POLYGON|k3|ZTE|other|MULTIPOLYGON" "$(ssql "SELECT group_concat(source_key||'|'||company||'|'||category||'|'||GeometryType(geom), '|') FROM (SELECT * FROM projects WHERE dataset='wkt' ORDER BY id)")" "rows"
assert_eq "1|0.5" "$(ssql "SELECT ST_IsValid(geom), Area(geom) FROM projects WHERE dataset='wkt' AND source_key='k3'")" "bowtie: valid, area of the two triangles"
assert_contains "$(sql "SELECT reason FROM rejects WHERE raw LIKE 'k4,%'")" "unreadable WKT" "bad WKT"
case_end

case_begin "--strict-geometry rejects the bowtie; --make-valid (the old opt-in) is accepted and repairs"
run --db $DB import wkt.csv --wkt shape --map id=key --dataset strict --strict-geometry
assert_contains "$OUT" "4 rows read, 2 stored, 2 rejected" "summary"
assert_contains "$(sql "SELECT reason FROM rejects WHERE raw LIKE 'k3,%'")" "invalid geometry: Self-intersection[0.5 0.5] (--strict-geometry; repaired by default)" "bowtie"
run --db $DB import wkt.csv --wkt shape --map id=key --dataset repaired --make-valid
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "summary"
assert_contains "$OUT" "invalid geometries repaired: 1" "repaired count"
assert_eq "Self-intersection[0.5 0.5]" "$(sql "SELECT json_extract(extra, '\$.geometry_repaired') FROM projects WHERE dataset='repaired' AND source_key='k3'")" "reason kept"
case_end

case_begin "a CSV with no usable columns is refused with the columns it has"
printf 'a,b\n1,2\n' > nocoords.csv
run --db $DB import nocoords.csv
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "nocoords.csv: no coordinate columns" "message"
assert_contains "$OUT" "(columns: a, b)" "columns listed"
case_end

case_begin "empty and header-only files"
: > empty.csv
run --db $DB import empty.csv
assert_eq 1 "$RC" "empty: exit status"
assert_contains "$OUT" "empty.csv: empty file (no header line)" "empty: message"
printf 'id,lon,lat\n' > header.csv
run --db $DB import header.csv
assert_eq 0 "$RC" "header-only: exit status"
assert_contains "$OUT" "0 rows read, 0 stored, 0 rejected" "header-only: summary"
case_end

case_begin "an unterminated quote at the end is a rejected row, not a crash"
printf 'id,lon,lat,name\nq1,1,2,ok\nq2,3,4,"never closed\n' > unterminated.csv
run --db $DB import unterminated.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "summary"
assert_contains "$(sql "SELECT reason FROM rejects WHERE line=3 AND reason LIKE '%unterminated%'")" "unterminated quoted field" "reason"
case_end

case_begin "a 1 MB single CSV line imports"
python3 -c "print('id,lon,lat,blob'); print('big,1,2,' + 'x'*1048576)" > big.csv
run --db $DB import big.csv
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "summary"
assert_eq 1048587 "$(sql "SELECT length(extra) FROM projects WHERE source_key='big'")" "extra length ({\"blob\":\"...\"})"
case_end

case_begin "float noise at +-180/+-90 in lon/lat and WKT: clamped within 1e-6 degrees and counted, 180.01 rejected"
printf 'id,lon,lat\nc1,180.0000004,10\nc2,-179.9999999,-90.0000005\nc3,180.01,0\nc4,10,90.00001\n' > noise.csv
run --db $DB import noise.csv
assert_contains "$OUT" "4 rows read, 2 stored, 2 rejected" "summary"
assert_contains "$OUT" "coordinates clamped to +-180/+-90 (within 1e-6 degrees): 2" "clamped count"
# sqlite3 prints doubles to 15 digits: 180.0 exactly, -179.9999999 untouched.
assert_eq "c1|180.0|10.0
c2|-179.9999999|-90.0" "$(ssql "SELECT source_key, ST_X(geom), ST_Y(geom) FROM projects WHERE dataset='noise' ORDER BY 1")" "stored"
assert_eq "4|5" "$(sql "SELECT group_concat(r.line, '|') FROM rejects r JOIN imports i ON i.id=r.import_id WHERE i.dataset='noise'")" "180.01 and 90.00001 rejected"
printf 'id,wkt\nw1,"LINESTRING(179 0,180.0000003 1,-180.0000002 2)"\nw2,"POINT(-180.02 0)"\n' > noise_wkt.csv
run --db $DB import noise_wkt.csv
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "WKT summary"
assert_contains "$OUT" "coordinates clamped to +-180/+-90 (within 1e-6 degrees): 2" "WKT clamped count"
assert_eq "180.0|-180.0" "$(ssql "SELECT ST_X(PointN(geom, 2)), ST_X(PointN(geom, 3)) FROM projects WHERE dataset='noise_wkt'")" "WKT vertices clamped"
case_end

case_begin "10,000 rows over many batches: rows and rejects (bad coordinates, ids seen before) stored in file order, counted (awk)"
# The rows cross the reader/store threads in batches of 2,048: every 7th row
# has a latitude out of range, every 11th repeats the id of the row 5 before.
awk 'BEGIN { print "id,company,category,lon,lat";
       for (i = 1; i <= 10000; i++) {
           id = (i % 11 == 0) ? "r" (i - 5) : "r" i;
           lat = (i % 7 == 0) ? 95 : (i % 170) / 2 - 42;
           printf "%s,Co%d,5g,%.4f,%.4f\n", id, i % 13, (i % 350) - 175 + 0.1234, lat + 0.5678 } }' > batches.csv
# Independent counts: out of range first, then ids stored before.
read -r want_range want_dup want_stored < <(awk -F, 'NR > 1 { if ($5 > 90) r++; else if ($1 in seen) d++; else { seen[$1] = 1; s++ } }
    END { print r, d, s }' batches.csv)
run --db $DB import batches.csv
assert_contains "$OUT" "10000 rows read, $want_stored stored, $((want_range + want_dup)) rejected" "summary"
assert_contains "$OUT" "rejected, coordinates out of range: $want_range" "out of range"
assert_contains "$OUT" "rejected, duplicate id: $want_dup" "duplicates"
# Lines of the rejects in file order, and the stored ids in line order.
want_lines=$(awk -F, 'NR > 1 { if ($5 > 90 || ($1 in seen)) print NR; else seen[$1] = 1 }' batches.csv | md5sum)
assert_eq "$want_lines" "$(sql "SELECT r.line FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'batches' ORDER BY r.id" | md5sum)" "reject lines in order"
want_ids=$(awk -F, 'NR > 1 && $5 <= 90 && !($1 in seen) { seen[$1] = 1; print $1 "|" NR }' batches.csv | md5sum)
assert_eq "$want_ids" "$(sql "SELECT source_key || '|' || source_line FROM projects WHERE dataset = 'batches' ORDER BY id" | md5sum)" "stored ids and lines in order"
assert_eq "$want_stored" "$(sql "SELECT count(*) FROM projects_geom_point p JOIN projects q ON q.id = p.id WHERE q.dataset = 'batches'")" "typed rows"
case_end

case_begin "1,500 polygons of 400 vertices (about 13 MB of WKT): batches handed over by size, every polygon stored whole, in order"
# Each row's polygon is a 400-gon around its own centre; the batches between
# the reader and store threads fill by bytes (8 MB) before they fill by rows.
awk 'BEGIN { pi = atan2(0, -1); print "id,company,category,wkt";
    for (i = 1; i <= 1500; i++) {
        cx = -170 + (i % 340); cy = -60 + int(i / 340) * 20; s = "";
        for (k = 0; k <= 400; k++) { a = 2 * pi * (k % 400) / 400;
            s = s (k ? "," : "") sprintf("%.6f %.6f", cx + 0.3 * cos(a), cy + 0.3 * sin(a)) }
        printf "p%d,Co,grid,\"POLYGON((%s))\"\n", i, s } }' > polys.csv
[ "$(wc -c < polys.csv)" -gt 12000000 ] || fail "the file is smaller than planned"
run --db $DB import polys.csv --wkt wkt
assert_contains "$OUT" "1500 rows read, 1500 stored, 0 rejected" "summary"
assert_eq "1500|401|1500" "$(ssql "SELECT count(*), max(NumPoints(ExteriorRing(geom))), sum(source_line = id - (SELECT min(id) FROM projects WHERE dataset = 'polys') + 2) FROM projects WHERE dataset = 'polys'")" "rows, vertices, lines in id order"
assert_eq "1500" "$(ssql "SELECT count(*) FROM projects_geom_polygon t JOIN projects p ON p.id = t.id WHERE p.dataset = 'polys'")" "typed polygon rows"
case_end

case_begin "a duplicate id on a 100 KB line of 'é': its reject keeps the first 64 KiB, cut between characters"
python3 -c "
import sys
pad = 'é' * 50000
sys.stdout.write('id,company,lon,lat,note\nd1,Co,10.5,20.5,x\nd1,Co,11.5,21.5,' + pad + '\n')" > longdup.csv
run --db $DB import longdup.csv
assert_contains "$OUT" "2 rows read, 1 stored, 1 rejected" "summary"
assert_contains "$OUT" "rejected, duplicate id: 1" "the duplicate"
# The line starts with 16 ASCII bytes ("d1,Co,11.5,21.5,"), then 2-byte
# characters: the 65,536-byte cap falls between two of them.
assert_eq 65536 "$(sql "SELECT length(CAST(raw AS BLOB)) FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'longdup'")" "bytes of raw text kept"
sql "SELECT raw FROM rejects r JOIN imports i ON i.id = r.import_id WHERE i.dataset = 'longdup'" | iconv -f UTF-8 -t UTF-8 > /dev/null || fail "the raw text is not valid UTF-8"
case_end

case_begin "the typed point table's spatial index: copied from the projects' when every row is a point, built when not; each answers a box query as the coordinates do"
# box_check DB: rtreecheck, and the ids the R*Tree finds in a box
# against those the coordinates put in it.
box_check() {  # DB
    local db=$1
    assert_eq "ok" "$(sqlite3 "$db" "SELECT rtreecheck('idx_projects_geom_point_geom')")" "rtreecheck ($db)"
    local by_index by_coords
    by_index=$(sqlite3 "$db" "SELECT group_concat(pkid) FROM (SELECT pkid FROM idx_projects_geom_point_geom WHERE xmax >= -20 AND xmin <= 40 AND ymax >= -10 AND ymin <= 30 ORDER BY pkid)")
    by_coords=$(spatialite -batch -noheader "$db" "SELECT group_concat(id) FROM (SELECT id FROM projects WHERE GeometryType(geom) IN ('POINT', 'MULTIPOINT') AND MbrMaxX(geom) >= -20 AND MbrMinX(geom) <= 40 AND MbrMaxY(geom) >= -10 AND MbrMinY(geom) <= 30 ORDER BY id)" 2>/dev/null | tail -1)
    [ -n "$by_coords" ] || fail "no point in the box ($db)"
    assert_eq "$by_coords" "$by_index" "ids in the box ($db)"
}
awk 'BEGIN { print "id,company,lon,lat"; for (i = 1; i <= 3000; i++) printf "a%d,Co,%.4f,%.4f\n", i, (i * 37) % 360 - 180 + 0.25, (i * 11) % 160 - 80 + 0.5 }' > pts_a.csv
awk 'BEGIN { print "id,company,lon,lat"; for (i = 1; i <= 2000; i++) printf "b%d,Co,%.4f,%.4f\n", i, (i * 13) % 360 - 180 + 0.75, (i * 7) % 160 - 80 + 0.25 }' > pts_b.csv
fp_init ta.sqlite
"$FP" -q --db ta.sqlite import pts_a.csv
for t in node rowid parent; do
    assert_eq "$(sqlite3 ta.sqlite "SELECT * FROM idx_projects_geom_$t ORDER BY 1" | md5sum)" \
              "$(sqlite3 ta.sqlite "SELECT * FROM idx_projects_geom_point_geom_$t ORDER BY 1" | md5sum)" "points only: $t the projects' own"
done
box_check ta.sqlite
# A second import into the same store: both indexes hold entries already.
"$FP" -q --db ta.sqlite import pts_b.csv
assert_eq 5000 "$(sqlite3 ta.sqlite "SELECT count(*) FROM idx_projects_geom_point_geom_rowid")" "entries after the second import"
box_check ta.sqlite
# Points and a polygon in one file: the point index is built on its own.
{ echo "id,company,wkt"; awk 'BEGIN { for (i = 1; i <= 500; i++) printf "m%d,Co,POINT(%.3f %.3f)\n", i, i % 60 - 10 + 0.5, i % 40 - 10 + 0.5 }'
  echo 'poly,Co,"POLYGON((0 0,5 0,5 5,0 5,0 0))"'; } > mixed.csv
fp_init tm.sqlite
"$FP" -q --db tm.sqlite import mixed.csv --wkt wkt
assert_eq "500|1" "$(sqlite3 tm.sqlite "SELECT (SELECT count(*) FROM idx_projects_geom_point_geom_rowid), (SELECT count(*) FROM idx_projects_geom_polygon_geom_rowid)")" "mixed: 500 point entries, 1 polygon entry"
assert_eq 501 "$(sqlite3 tm.sqlite "SELECT count(*) FROM idx_projects_geom_rowid")" "mixed: 501 projects entries"
box_check tm.sqlite
case_end

# Expected amounts written by hand from the README's rule (thousands groups of
# three, the later separator decimal, a lone comma before 1-2 digits decimal).
case_begin "amounts as lists write them: thousands separators and decimal commas read; the rest kept as extra.amount_raw and counted"
cat > amounts.csv <<'CSV'
id,company,lon,lat,amount
A1,x,10,10,"12,500,000"
A2,x,10,10,1.234.567
A3,x,10,10,"1,234.50"
A4,x,10,10,"1.234,50"
A5,x,10,10,"3,5"
A6,x,10,10,"12,500"
A7,x,10,10,€3.5m
A8,x,10,10,1e6
A9,x,10,10,"-1.234,5"
A10,x,10,10,"1,23,456"
A11,x,10,10,0x1A
A12,x,10,10,"3,"
A13,x,10,10,"0,500"
A14,x,10,10,0.500.000
CSV
fp_init am.sqlite
run --db am.sqlite import amounts.csv
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "amount not understood (kept as extra.amount_raw, left out of amount sums): 5" "counted in the summary"
assert_eq "A1|12500000.0|
A2|1234567.0|
A3|1234.5|
A4|1234.5|
A5|3.5|
A6|12500.0|
A7||€3.5m
A8|1000000.0|
A9|-1234.5|
A10||1,23,456
A11||0x1A
A12||3,
A13|0.5|
A14||0.500.000" "$(sqlite3 am.sqlite "SELECT source_key, amount, json_extract(extra, '\$.amount_raw') FROM projects ORDER BY id")" "amounts"
case_end

# A file with decimal commas (';' delimiter, as Excel writes in such a
# locale): a lone dot before three digits ("12.500") is read from the amount
# column's other values (README): thousands when they write decimal commas or
# dots grouping thousands; else as for one value, counted in a warning.
# Expected amounts by hand; coordinates keep their own rule (4.711 is 4.711).
case_begin "amounts in a ';' file with decimal commas: '12.500' and '1.000' are thousands when the column writes decimal commas; with no sign, read as decimals and warned, naming the first line; coordinates unchanged"
{ printf 'ID;Name;Amount;Latitude;Longitude\r\n'
  printf 'A-1;Red 5G Bogot\xe1;1.234.567,50;4,7110;-74,0721\r\n'
  printf 'A-2;Quito;2.500.000;-0,1807;-78,4678\r\n'
  printf 'A-3;S\xe3o Paulo;3,5;-23,5505;-46,6333\r\n'
  printf 'A-5;Valpara\xedso;12.500;-33,0472;-71,6127\r\n'
  printf 'A-6;M\xe9xico;12,500;19,4326;-99,1332\r\n'
  printf 'A-7;Buenos Aires;1.000;4.711;-58.3816\r\n'
  printf 'A-8;Medell\xedn;0,500;6,2442;-75,5812\r\n'; } > andes.csv
run --db $DB import andes.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "7 rows read, 7 stored, 0 rejected" "summary"
assert_not_contains "$OUT" "warning" "no warning: the column says"
assert_eq "A-1|1234567.5|4.711
A-2|2500000.0|-0.1807
A-3|3.5|-23.5505
A-5|12500.0|-33.0472
A-6|12.5|19.4326
A-7|1000.0|4.711
A-8|0.5|6.2442" "$(ssql "SELECT source_key, amount, Y(geom) FROM projects WHERE dataset='andes' ORDER BY source_line")" "amounts and latitudes"
# No sign in the column: the rule for one value, and a warning.
printf 'id;lon;lat;amount\r\nB1;4,5;4.711;12.500\r\nB2;4,5;4.711;250000\r\nB3;4,5;4.711;1,500\r\n' > nosign.csv
run --db $DB import nosign.csv
assert_eq 0 "$RC" "no sign: exit status ($OUT)"
assert_contains "$OUT" "warning: amounts that may be thousands or decimals (a lone '.' or ',' before three digits in a file read with decimal commas (a ; or TAB delimiter), its amount column saying neither): 2, a dot read as a decimal point, a comma as thousands (first nosign.csv:2: '12.500' read as 12.5)" "no sign: the warning names the first"
assert_eq "B1|12.5|4.5|4.711
B2|250000.0|4.5|4.711
B3|1500.0|4.5|4.711" "$(ssql "SELECT source_key, amount, X(geom), Y(geom) FROM projects WHERE dataset='nosign' ORDER BY source_line")" "no sign: amounts and coordinates"
# Decimal points in the column: '12.500' is twelve and a half, unwarned;
# decimal points and commas both (merged lists): warned.
printf 'id\tlon\tlat\tamount\nC1\t1\t2\t2.5\nC2\t1\t2\t12.500\n' > points.tsv
run --db $DB import points.tsv
assert_not_contains "$OUT" "warning" "decimal points: no warning"
assert_eq "2.5 12.5" "$(sql "SELECT group_concat(amount, ' ') FROM (SELECT amount FROM projects WHERE dataset='points' ORDER BY source_line)")" "decimal points: amounts"
printf 'id;lon;lat;amount\nD1;1;2;2.5\nD2;1;2;1.234,5\nD3;1;2;12.500\n' > both.csv
run --db $DB import both.csv
assert_contains "$OUT" "(first both.csv:4: '12.500' read as 12.5)" "both: warned"
assert_eq "2.5 1234.5 12.5" "$(sql "SELECT group_concat(amount, ' ') FROM (SELECT amount FROM projects WHERE dataset='both' ORDER BY source_line)")" "both: amounts"
case_end

case_begin "coordinate and field columns as GIS exports and lists name them: X_coord/Y_coord, POINT_X/POINT_Y, decimalLongitude/decimalLatitude; Site ID, Project Title, Company Name, ctry"
printf 'Site ID,Project Title,Company Name ,ctry,X_coord,Y_coord\nS1,Lab,Acme,KEN,36.82,-1.29\n' > xc.csv
printf 'Project No.,POINT_X,POINT_Y\nQ1,-3.5,40.25\n' > px.csv
printf 'id,decimalLongitude,decimalLatitude\nD1,10.5,20.25\n' > dwc.csv
fp_init xc.sqlite
run --db xc.sqlite import xc.csv
assert_contains "$OUT" "columns: id=Site ID, company=Company Name, name=Project Title, country=ctry, lon/lat=X_coord, Y_coord" "xc.csv columns"
"$FP" -q --db xc.sqlite import px.csv && "$FP" -q --db xc.sqlite import dwc.csv || fail "imports"
assert_eq "S1|Acme|Lab|KEN|36.82|-1.29
Q1||||-3.5|40.25
D1||||10.5|20.25" "$(DB=xc.sqlite ssql "SELECT source_key, company, name, country_code, X(geom), Y(geom) FROM projects ORDER BY id")" "stored"
case_end

case_begin "names a DBF cut to 10 bytes (COMPANY_NA, PROJECT_NA, COUNTRY_NA, ORGANISATI) are the one field's whose name they begin; an ambiguous or unknown cut, or a name of 9 bytes, stays extra"
# By hand: PROJECT_NO is a name (id) already; PROJ______ begins "project"
# (name) and "projectid" (id): ambiguous; SECTOR_COD begins no name;
# COMPANY_N has 9 bytes (a DBF cuts at 10).
printf 'PROJECT_NO,COMPANY_NA,PROJECT_NA,COUNTRY_NA,START_DATE,PROJ______,SECTOR_COD,lon,lat\nT1,Acme Water,Borehole 7,Kenya,2021-03-01,x1,W,36.8,-1.3\nT2,Beta Power,Grid 2,Uganda,2022-05-01,x2,E,32.6,0.3\n' > cut.csv
# ORGANISATI beside COMPANY_NA: organisation before company name, as the
# whole names rank; a name written in full (name) before a cut one.
printf 'COMPANY_NA,ORGANISATI,name,PROJECT_NA,lon,lat\nAcme,Org A,Full name,Cut name,1.5,2.5\n' > cut2.csv
printf 'COMPANY_N,lon,lat\nAcme,1.5,2.5\n' > cut9.csv
fp_init cut.sqlite
run --db cut.sqlite import cut.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_contains "$OUT" "columns: id=PROJECT_NO, company=COMPANY_NA, name=PROJECT_NA, country=COUNTRY_NA, lon/lat=lon, lat" "columns line"
assert_eq 'T1|Acme Water|Borehole 7|Kenya|KEN|{"PROJ______":"x1","SECTOR_COD":"W","START_DATE":"2021-03-01"}
T2|Beta Power|Grid 2|Uganda|UGA|{"PROJ______":"x2","SECTOR_COD":"E","START_DATE":"2022-05-01"}' \
    "$(sqlite3 cut.sqlite "SELECT source_key, company, name, country, country_code, extra FROM projects ORDER BY source_key")" "stored"
run --db cut.sqlite import cut2.csv
assert_contains "$OUT" "columns: company=ORGANISATI, name=name, lon/lat=lon, lat" "cut2 columns line"
assert_eq 'Org A|Full name|{"COMPANY_NA":"Acme","PROJECT_NA":"Cut name"}' \
    "$(sqlite3 cut.sqlite "SELECT company, name, extra FROM projects WHERE dataset='cut2'")" "cut2 stored"
run --db cut.sqlite import cut9.csv
assert_eq '|{"COMPANY_N":"Acme"}' "$(sqlite3 cut.sqlite "SELECT company, extra FROM projects WHERE dataset='cut9'")" "9 bytes: not a cut name"
case_end

case_begin "3W/4W humanitarian column names: Partner, Implementing partner the company; Cluster, Sector/Cluster the category; Activity the name (after Project and its like)"
printf 'Partner,Cluster,Activity,Country,lon,lat\nMSF,Health,Mobile clinic,KEN,36.8,-1.3\n' > w1.csv
printf 'Implementing partner,Sector / Cluster,Activity name,Admin1,lon,lat\nIRC,WASH,Wells,Coast,39.66,-4.09\n' > w2.csv
# A list with Project title and Activity: the project's title is the name.
printf 'Organization,Sector/Cluster,Project title,Activity,lon,lat\nNRC,Shelter,Shelter kits,Distribution,34.76,-0.1\n' > w3.csv
fp_init w.sqlite
run --db w.sqlite import w1.csv
assert_contains "$OUT" "columns: company=Partner, category=Cluster, name=Activity, country=Country, lon/lat=lon, lat" "w1 columns"
run --db w.sqlite import w2.csv
assert_contains "$OUT" "columns: company=Implementing partner, category=Sector / Cluster, name=Activity name, lon/lat=lon, lat" "w2 columns"
run --db w.sqlite import w3.csv
assert_contains "$OUT" "columns: company=Organization, category=Sector/Cluster, name=Project title, lon/lat=lon, lat" "w3 columns"
assert_eq 'w1|MSF|Health|Mobile clinic|KEN|
w2|IRC|WASH|Wells||{"Admin1":"Coast"}
w3|NRC|Shelter|Shelter kits||{"Activity":"Distribution"}' \
    "$(sqlite3 w.sqlite "SELECT dataset, company, category, name, country_code, extra FROM projects ORDER BY dataset")" "stored"
case_end

case_begin "an HXL hashtag row under the header (HDX): not data (neither read nor rejected), said; its tags read columns whose names say nothing; a name that says wins; later rows keep their lines"
# By hand. Line 2 holds the tags (one with a blank before its attribute, as
# HXL allows). Agence, Activite, Lieu, Longitud: names footprint does not
# know, read by their tags; Sector (a name) wins over Secteur's #sector,
# Country over ISO's #country+code, Lat over nothing; Province is the
# admin-1 geocode reads, so its #adm1+name does not make it the place.
cat > hxl.csv <<'CSV'
Agence,Sector,Secteur,Activite,Country,ISO,Province,Lieu,Lat,Longitud,Reached
#org+name,#sector,#sector+cluster,#activity,#country+name,#country +code,#adm1+name,#loc+name,#geo+lat,#geo+lon,#reached
MSF,Health,Sante,Clinic,Kenya,KEN,Nairobi,Westlands,-1.26,36.80,1200
IRC,WASH,Eau,Wells,Kenya,KEN,Coast,Likoni,-4.09,39.66,300
NRC,Shelter,Abri,Tents,Kenya,KEN,Kisumu,Kisumu,-0.1,#geo+lon,50
WFP,Food,Vivres,Distribution,Kenya,KEN,Turkana,Lodwar,,,10
CSV
fp_init hxl.sqlite
run --db hxl.sqlite import hxl.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "4 rows read, 3 stored, 1 rejected" "the tag row is neither read nor rejected"
assert_contains "$OUT" "note: line 2 is an HXL hashtag row (#org+name, #sector, #sector+cluster, #activity, ...): read as column tags, not data" "the note"
assert_contains "$OUT" "columns: company=Agence, category=Sector, name=Activite, place=Lieu, country=Country, lon/lat=Longitud, Lat" "columns line"
assert_eq '3|MSF|Health|Clinic|Westlands|Kenya|KEN|36.8 -1.26|{"ISO":"KEN","Province":"Nairobi","Reached":"1200","Secteur":"Sante"}
4|IRC|WASH|Wells|Likoni|Kenya|KEN|39.66 -4.09|{"ISO":"KEN","Province":"Coast","Reached":"300","Secteur":"Eau"}
6|WFP|Food|Distribution|Lodwar|Kenya|KEN||{"ISO":"KEN","Province":"Turkana","Reached":"10","Secteur":"Vivres"}' \
    "$(DB=hxl.sqlite ssql "SELECT source_line, company, category, name, place, country, country_code, coalesce(X(geom) || ' ' || Y(geom), ''), extra FROM projects ORDER BY source_line")" "stored rows"
assert_eq "5|coordinates not numbers: Longitud='#geo+lon' Lat='-0.1' is not a pair of numbers" \
    "$(sqlite3 hxl.sqlite "SELECT line, reason FROM rejects")" "the reject names its real line"
assert_eq 0 "$(sqlite3 hxl.sqlite "SELECT count(*) FROM projects WHERE company LIKE '#%' OR name LIKE '#%'")" "no project of tags"
# Not tags: Excel's error values (#N/A, #REF!) and a row with one cell of
# text are data, as before.
printf 'company,category,lon,lat\n#N/A,#REF!,1.5,2.5\n' > xlerr.csv
printf 'company,category,lon,lat\n#org,Total,1.5,2.5\n' > onetag.csv
run --db hxl.sqlite import xlerr.csv
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "Excel errors are data"
assert_not_contains "$OUT" "HXL" "no note"
run --db hxl.sqlite import onetag.csv
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "a row not all tags is data"
assert_eq "#N/A|#REF!
#org|Total" "$(sqlite3 hxl.sqlite "SELECT company, category FROM projects WHERE dataset IN ('xlerr', 'onetag') ORDER BY dataset DESC")" "their values"
case_end

case_begin "an HXL row whose tags give a CSV its only coordinate columns: rows located by #geo+lat/#geo+lon (without the tag row the file is refused as before); #adm1+name with nothing finer is the place, #adm1+code stays extra"
printf 'Partenaire,Latitud,Longitud\n#org,#geo+lat,#geo+lon\nMSF,12.5,-1.5\nIRC,13.25,2.125\n' > hxlgeo.csv
tail -n +3 hxlgeo.csv | sed '1i Partenaire,Latitud,Longitud' > nohxl.csv
fp_init hxlgeo.sqlite
run --db hxlgeo.sqlite import hxlgeo.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "summary"
assert_contains "$OUT" "columns taken by their tag: lon=Longitud (#geo+lon), lat=Latitud (#geo+lat), company=Partenaire (#org)" "the note says what the tags did"
assert_eq "3|MSF|-1.5|12.5
4|IRC|2.125|13.25" "$(DB=hxlgeo.sqlite ssql "SELECT source_line, company, X(geom), Y(geom) FROM projects ORDER BY source_line")" "stored"
run --db hxlgeo.sqlite import nohxl.csv
assert_eq 1 "$RC" "without the tags: refused"
assert_contains "$OUT" "nohxl.csv: no coordinate columns" "the message names the file"
# No finer place than the admin-1's name: it is the place to geocode; its
# code (a P-code, ISO 3166-2) is no place name and stays extra.
printf 'Partenaire,Gouvernorat,Code,Pays\n#org,#adm1+name,#adm1+code,#country+code\nMSF,Sfax,TN-61,TUN\n' > hxladm.csv
run --db hxlgeo.sqlite import hxladm.csv
assert_contains "$OUT" "1 row read, 1 stored, 0 rejected" "summary"
assert_eq '3|MSF|Sfax|TUN|1|{"Code":"TN-61"}' \
    "$(sqlite3 hxlgeo.sqlite "SELECT source_line, company, place, country_code, geom IS NULL, extra FROM projects WHERE dataset='hxladm'")" "the admin-1's name as the place, to geocode"
case_end

case_begin "coordinates padded with no-break spaces are read; a reject quotes the value as written (a decimal comma stays a comma)"
fp_init nb.sqlite
printf 'id;lon;lat\nN1;\xc2\xa017,0658;-1,5\nN2;-13,8x;10\nN3;5,5\xe2\x80\xaf;2\n' > nb.csv
run --db nb.sqlite import nb.csv
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "summary"
assert_eq "N1|17.0658|-1.5
N3|5.5|2.0" "$(DB=nb.sqlite ssql "SELECT source_key, X(geom), Y(geom) FROM projects ORDER BY 1")" "the padded coordinates"
assert_eq "lon='-13,8x' lat='10' is not a pair of numbers" "$(sqlite3 -batch nb.sqlite "SELECT substr(reason, instr(reason, 'lon=')) FROM rejects")" "the value as written"
case_end

case_begin "editions into one dataset: a second file's rows added to a dataset are said; a file whose every row repeats the dataset's ids is called an edition; options given to an already imported file are said not applied"
fp_init ed.sqlite
printf 'id,name,lon,lat\nE1,a,10,20\nE2,b,11,21\n' > ed2021.csv
printf 'id,name,lon,lat\nE1,a2,10,20\nE2,b2,11,21\n' > ed2022.csv
printf 'id,name,lon,lat\nE3,c,12,22\n' > ed_more.csv
run --db ed.sqlite import ed2021.csv --dataset ed
assert_not_contains "$OUT" "held projects of earlier imports" "the first import: no note"
run --db ed.sqlite import ed2022.csv --dataset ed
assert_eq 1 "$RC" "every row a duplicate: exit 1"
assert_contains "$OUT" "no row of ed2022.csv was stored: all 2 were rejected as a duplicate id, the ids dataset 'ed' holds from earlier imports; another edition of the list? import it into its own --dataset" "the edition is named, not a retry with --crs"
assert_not_contains "$OUT" "replaces this attempt" "no advice that cannot help"
run --db ed.sqlite import ed_more.csv --dataset ed
assert_eq 0 "$RC" "rows added to the dataset"
assert_contains "$OUT" "note: dataset 'ed' held projects of earlier imports: these rows are added to them" "the addition is said"
assert_eq "E1|a,E2|b,E3|c" "$(sqlite3 -batch ed.sqlite "SELECT group_concat(source_key || '|' || name, ',') FROM (SELECT * FROM projects ORDER BY source_key)")" "sqlite3: the first edition kept, the added row there"
run --db ed.sqlite import ed2021.csv --dataset ed --lon lon --lat lat --crs EPSG:4326
assert_eq 0 "$RC" "already imported: exit 0"
assert_contains "$OUT" "--lon, --lat, --crs not applied: the rows of import #1 stay as they were read; to read the file with them, import it into another --dataset" "the options are said not applied"
case_end

case_begin "drop --dataset: the dataset's projects, imports, rejects, QA findings, typed geometries and spatial index entries go; other datasets stay; the file can be imported again"
fp_init drop.sqlite
printf 'id,name,lon,lat\nA1,a,10,20\nA2,dup,10,20\nA3,bad,500,20\n' > drop_a.csv
printf 'id,name,lon,lat\nB1,b,30,40\n' > drop_b.csv
"$FP" -q --db drop.sqlite import drop_a.csv --dataset da
"$FP" -q --db drop.sqlite import drop_b.csv --dataset db
before_b=$(sqlite3 -batch drop.sqlite "SELECT group_concat(id || ':' || source_key) FROM projects WHERE dataset = 'db'")
run --db drop.sqlite drop
assert_eq 2 "$RC" "no --dataset: a usage error, nothing removed"
run --db drop.sqlite drop --dataset nope
assert_eq 2 "$RC" "an unknown dataset: exit 2"
assert_contains "$OUT" "(datasets: da, db)" "the datasets named"
run --db drop.sqlite drop --dataset da
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "drop: dataset da removed: 2 projects, 1 import (with their rejects and QA findings)" "$OUT" "what was removed"
assert_eq "0|0|0|0|0|0" "$(sqlite3 -batch drop.sqlite "SELECT (SELECT count(*) FROM projects WHERE dataset = 'da'), (SELECT count(*) FROM imports WHERE dataset = 'da'), (SELECT count(*) FROM rejects), (SELECT count(*) FROM qa_findings WHERE dataset = 'da'), (SELECT count(*) FROM projects_geom_point WHERE id NOT IN (SELECT id FROM projects)), (SELECT count(*) FROM idx_projects_geom WHERE pkid NOT IN (SELECT id FROM projects))")" \
    "sqlite3: no project, import, reject, finding, typed geometry or index entry of da left"
assert_eq "$before_b" "$(sqlite3 -batch drop.sqlite "SELECT group_concat(id || ':' || source_key) FROM projects WHERE dataset = 'db'")" "db untouched"
"$FP" -q --db drop.sqlite aggregate --by continent --name after_drop >/dev/null 2>&1
assert_eq "1" "$(sqlite3 -batch drop.sqlite "SELECT sum(projects) FROM agg_after_drop WHERE level = 'continent'")" "an aggregation after the drop counts db's one project (the column cache followed)"
run --db drop.sqlite import drop_a.csv --dataset da
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "imported again: not 'already imported'"
# SQLite gives the largest ids again once they are gone: an aggregation made
# before the drop must not count the new rows under the dropped ones' ids.
"$FP" -q --db drop.sqlite aggregate --by continent --name before_drop >/dev/null 2>&1
top=$(sqlite3 -batch drop.sqlite "SELECT max(id) FROM projects")
"$FP" -q --db drop.sqlite drop --dataset da
printf 'id,name,lon,lat\nC1,c,-60,-10\nC2,c2,-61,-11\n' > drop_c.csv
"$FP" -q --db drop.sqlite import drop_c.csv --dataset dc
assert_eq "$top" "$(sqlite3 -batch drop.sqlite "SELECT max(id) FROM projects")" "sqlite3: the new rows took the dropped ids again"
assert_eq "0" "$(sqlite3 -batch drop.sqlite "SELECT count(*) FROM agg_before_drop_assign a JOIN projects p ON p.id = a.project_id WHERE p.dataset = 'dc'")" \
    "sqlite3: the old aggregation's assignments name none of the new rows"
case_end

case_begin "every row rejected (a UTM CSV read as lon/lat): exit 1 saying so; importing the file again with --crs replaces that attempt; a file that stored rows stays 'already imported'"
# Expected lon/lat from PROJ's cs2cs (EPSG:4326 in its axis order: lat, lon).
printf 'id,name,x,y\nU1,Site A,500000,4649776\nU2,Site B,510000,4659776\n' > utm33.csv
fp_init utm.sqlite
run --db utm.sqlite import utm33.csv
assert_eq 1 "$RC" "exit status when nothing was stored"
assert_contains "$OUT" "2 rows read, 0 stored, 2 rejected" "summary"
assert_contains "$OUT" "no row of utm33.csv was stored: all 2 were rejected" "the failure is said"
run --db utm.sqlite rejects
assert_contains "$OUT" "utm33.csv:2: coordinates out of range" "the attempt's rejects are kept for rejects"
run --db utm.sqlite import utm33.csv --crs EPSG:32633
assert_eq 0 "$RC" "exit status of the retry"
assert_contains "$OUT" "2 rows read, 2 stored, 0 rejected" "the retry stores the rows"
assert_contains "$OUT" "replaces the earlier import of this file, which stored no row" "the replacement is said"
assert_eq "1|0" "$(sqlite3 utm.sqlite "SELECT count(*), (SELECT count(*) FROM rejects) FROM imports")" "one import left, the old rejects gone"
read -r lat lon _ < <(echo "510000 4659776" | cs2cs -f %.9f EPSG:32633 EPSG:4326)
assert_near "$lon" "$(DB=utm.sqlite ssql "SELECT X(geom) FROM projects WHERE source_key='U2'")" 1e-7 "U2 lon"
assert_near "$lat" "$(DB=utm.sqlite ssql "SELECT Y(geom) FROM projects WHERE source_key='U2'")" 1e-7 "U2 lat"
run --db utm.sqlite import utm33.csv --crs EPSG:32633
assert_eq 0 "$RC" "a third import: exit status"
assert_contains "$OUT" "already imported into this dataset" "a file that stored rows is still recognised"
assert_eq 2 "$(sqlite3 utm.sqlite "SELECT count(*) FROM projects")" "nothing stored twice"
# Some rows stored, some rejected: the file counts as imported, as before.
printf 'id,name,lon,lat\nM1,ok,10,20\nM2,bad,500,20\n' > mixed.csv
"$FP" -q --db utm.sqlite import mixed.csv
run --db utm.sqlite import mixed.csv
assert_contains "$OUT" "already imported into this dataset" "a partly rejected file"
assert_eq 1 "$(sqlite3 utm.sqlite "SELECT count(*) FROM rejects")" "its reject kept"
case_end

case_begin "footprint's own CSV export read back: its .csvt types numbers and booleans, a list or object written as JSON comes back as one (a GeoPackage's too); diff finds nothing changed, without the .csvt as well"
# Expected values written by hand from the GeoJSON below; the .csvt's line is
# GDAL's (the export writes it), its types listed in GDAL's CSV driver docs.
cat > typed.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"T1","name":"x","n":42,"big":3000000000,"r":0.5,"b":true,"obj":{"k":1},"lst":[1,"a"],"mix":5,"code":"00123"},"geometry":{"type":"Point","coordinates":[8.5,47.3]}},
{"type":"Feature","properties":{"id":"T2","name":"y","n":7,"big":1,"r":2,"b":false,"obj":{"k":[2]},"lst":[],"mix":"five","code":"7"},"geometry":{"type":"Point","coordinates":[9.5,46.3]}}]}
JSON
fp_init typed.sqlite && "$FP" -q --db typed.sqlite import typed.geojson --dataset t
"$FP" -q --db typed.sqlite export --where dataset=t -o t.csv
run --db typed.sqlite import t.csv --dataset t_csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "note: column types from t.csvt:" "the .csvt is said"
# mix was a number and a text: the CSV holds the number as text.
want='T1|{"b":true,"big":3000000000,"code":"00123","lst":[1,"a"],"mix":"5","n":42,"obj":{"k":1},"r":0.5}
T2|{"b":false,"big":1,"code":"7","lst":[],"mix":"five","n":7,"obj":{"k":[2]},"r":2.0}'
assert_eq "$want" "$(sqlite3 typed.sqlite "SELECT source_key || '|' || extra FROM projects WHERE dataset='t_csv' ORDER BY source_key")" "typed extra from the CSV"
run --db typed.sqlite diff --dataset t --against t_csv
assert_contains "$OUT" "0 added, 0 removed, 0 moved more than 100 m (0 of them also changed), 0 changed, 2 unchanged" "CSV: diff finds nothing changed"
"$FP" -q --db typed.sqlite export --where dataset=t -o t.gpkg
"$FP" -q --db typed.sqlite import t.gpkg --dataset t_gpkg
assert_eq "$want" "$(sqlite3 typed.sqlite "SELECT source_key || '|' || extra FROM projects WHERE dataset='t_gpkg' ORDER BY source_key")" "the GeoPackage's lists and objects are JSON again"
run --db typed.sqlite diff --dataset t --against t_gpkg
assert_contains "$OUT" "0 changed, 2 unchanged" "GeoPackage: diff finds nothing changed"
# Without its .csvt every value is text: still the same values to diff.
mkdir -p nocsvt && cp t.csv nocsvt/
run --db typed.sqlite import nocsvt/t.csv --dataset t_text
assert_not_contains "$OUT" "column types" "no .csvt, nothing said"
assert_eq '{"b":"1","big":"3000000000","code":"00123","lst":[1,"a"],"mix":"5","n":"42","obj":{"k":1},"r":"0.5"}' "$(sqlite3 typed.sqlite "SELECT extra FROM projects WHERE dataset='t_text' AND source_key='T1'")" "text without the .csvt (lists and objects of footprint's export still JSON)"
run --db typed.sqlite diff --dataset t --against t_text
assert_contains "$OUT" "0 changed, 2 unchanged" "without .csvt: diff finds nothing changed"
# A .csvt of another number of columns is not used, and said so.
printf '"String","Integer"\n' > nocsvt/t.csvt
run --db typed.sqlite import nocsvt/t.csv --dataset t_bad
assert_contains "$OUT" "note: t.csvt ignored: it declares 2 column types, the file has 26 columns" "a .csvt that does not fit"
case_end

case_begin "--default-country SOM: a list of one country without a Country column gets it (country_code, QA, geocode)"
# An outside tester's 3W list: no Country column. D3 is Mogadishu with lon and
# lat swapped (2.0469, 45.3182 falls in France); D4 has no place and no
# coordinates (rejected as 'no location' without a country).
printf 'id,organisation,sector,place,lon,lat\nD1,NRC,wash,Luuq,,\nD2,WFP,food,Baidoa,43.6500,3.1100\nD3,UNICEF,health,Mogadishu,2.0469,45.3182\nD4,IOM,shelter,,,\n' > dc.csv
fp_init dc.sqlite
run --db dc.sqlite import dc.csv --default-country SOM
assert_eq 0 "$RC" "exit status: $OUT"
assert_contains "$OUT" "country: SOM for 4 rows without one (--default-country)" "summary"
assert_eq "D1=SOM=SOM,D2=SOM=SOM,D3=SOM=SOM,D4=SOM=SOM" \
  "$(sqlite3 dc.sqlite "SELECT group_concat(source_key || '=' || country || '=' || country_code, ',') FROM (SELECT * FROM projects ORDER BY source_key)")" "country and country_code stored (sqlite3)"
assert_eq 0 "$(sqlite3 dc.sqlite "SELECT count(*) FROM rejects")" "no row rejected (sqlite3)"
assert_eq "D3" "$(sqlite3 dc.sqlite "SELECT p.source_key FROM qa_findings f JOIN projects p ON p.id = f.project_id WHERE f.kind = 'swapped'")" "the swapped row is flagged (qa_findings)"
# Luuq, ambiguous without a country, is found in Somalia (41-51.5 E, 1.7 S-12 N).
"$FP" -q --db dc.sqlite geocode > /dev/null 2>&1
assert_eq "exact|1" "$(DB=dc.sqlite ssql "SELECT geocode_method, X(geom) BETWEEN 41 AND 51.5 AND Y(geom) BETWEEN -1.7 AND 12 FROM projects WHERE source_key = 'D1'")" "Luuq placed in Somalia (spatialite)"
case_end

case_begin "--default-country: a row's own country is kept and counted; only empty cells get the default"
printf 'id,place,country,lon,lat\nK1,Baidoa,,43.65,3.11\nK2,Nairobi,Kenya,36.8219,-1.2921\nK3,Luuq,,,\n' > dcmix.csv
fp_init dcmix.sqlite
run --db dcmix.sqlite import dcmix.csv --default-country Somalia
assert_eq 0 "$RC" "exit status: $OUT"
assert_eq "K1|Somalia|SOM
K2|Kenya|KEN
K3|Somalia|SOM" "$(sqlite3 dcmix.sqlite "SELECT source_key, country, country_code FROM projects ORDER BY source_key")" "stored countries (sqlite3)"
assert_contains "$OUT" "country: SOM for 2 rows without one (--default-country); 1 row keeps a country of its own, not SOM" "summary counts both"
case_end

case_begin "--default-country Atlantis: usage error (exit 2) naming it, nothing stored; --country SOM (no such column) points to --default-country"
fp_init dcbad.sqlite
run --db dcbad.sqlite import dc.csv --default-country Atlantis
assert_eq 2 "$RC" "exit status: $OUT"
assert_contains "$OUT" "--default-country 'Atlantis': not a known country name or ISO code" "names the value"
assert_eq "0|0|0" "$(sqlite3 dcbad.sqlite "SELECT (SELECT count(*) FROM projects) || '|' || (SELECT count(*) FROM imports) || '|' || (SELECT count(*) FROM rejects)")" "nothing stored (sqlite3)"
run --db dcbad.sqlite import dc.csv --country SOM
assert_eq 1 "$RC" "--country SOM: exit status: $OUT"
assert_contains "$OUT" "use --default-country SOM" "--country SOM: the hint"
assert_eq 0 "$(sqlite3 dcbad.sqlite "SELECT count(*) FROM projects")" "--country SOM: nothing stored (sqlite3)"
case_end

case_begin "R's write.csv: NA in lon, lat, year and amount is empty (the row kept for geocode), and so is a country NA beside NA coordinates"
# The file as R 4 writes it (write.csv: row names in a first unnamed column,
# strings quoted, NA unquoted). Before: rows 1 and 3 were rejected as
# 'coordinates not numbers', year and amount NA counted as not understood.
cat > r_na.csv <<'CSV'
"","id","company","category","name","place","country","year","amount","lon","lat"
"1","K1","ZTE","telecom","Nairobi office","Nairobi",NA,2019,NA,NA,NA
"2","K2","ZTE","telecom","Office","Nairobi","KEN",NA,12.5,36.8,-1.3
"3","K3","ZTE","telecom","Mombasa port","Mombasa","KEN",2020,NA,NA,NA
CSV
fp_init rna.sqlite
run --db rna.sqlite import r_na.csv
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "3 rows read, 3 stored, 0 rejected" "every row stored"
assert_contains "$OUT" "NA read as empty (R's missing value) in lon, lat, year or amount: 7 cells" "NA cells counted"
# K1's country NA sits beside NA coordinates: R's missing value too, not Namibia
# (the next case has an NA beside coordinates, read as Namibia with a warning).
assert_not_contains "$OUT" "Namibia" "no Namibia"
assert_not_contains "$OUT" "not understood" "no year or amount 'not understood'"
want="K1||2019|NULL|NULL|NULL
K2|KEN|NULL|12.5|36.8|-1.3
K3|KEN|2020|NULL|NULL|NULL"
assert_eq "$want" "$(spatialite_q rna.sqlite "SELECT source_key, country_code, quote(year), quote(amount), quote(X(geom)), quote(Y(geom)) FROM projects ORDER BY source_key")" "stored values"
assert_eq "" "$(sqlite3 rna.sqlite "SELECT extra FROM projects WHERE extra LIKE '%_raw%'")" "nothing kept raw"
case_end

case_begin "R's write.csv: a row of NA (place, country, lon, lat) has no location and is rejected, not placed in Namibia; a place NA is no place"
cat > r_allna.csv <<'CSV'
"","id","company","category","place","country","lon","lat"
"1","N1","ZTE","telecom",NA,NA,NA,NA
"2","N2","ZTE","telecom",NA,"KEN",NA,NA
"3","N3","ZTE","telecom","Nairobi","NA",36.8,-1.3
CSV
fp_init allna.sqlite
run --db allna.sqlite import r_allna.csv
assert_contains "$OUT" "3 rows read, 2 stored, 1 rejected" "the row of NAs rejected"
assert_contains "$OUT" "warning: country 'NA' read as Namibia (its ISO code) on 1 rows (first r_allna.csv:4)" "N3's NA beside coordinates: Namibia, warned, the row named"
assert_eq "2|no location: no coordinates and no place or country to geocode" "$(sqlite3 allna.sqlite "SELECT line, reason FROM rejects")" "its reject"
# N2: no place, its country KEN to geocode; N3 has coordinates, so its NA is Namibia's code (warned).
assert_eq "N2||KEN N3|Nairobi|NAM" "$(sqlite3 allna.sqlite "SELECT source_key || '|' || coalesce(place,'') || '|' || country_code FROM projects ORDER BY source_key" | tr '\n' ' ' | sed 's/ $//')" "stored"
case_end
