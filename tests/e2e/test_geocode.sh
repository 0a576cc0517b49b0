#!/usr/bin/env bash
# geocode: place names to coordinates from the shipped gazetteer.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB
"$FP" -q --db $DB import "$FIX/places.csv"

case_begin "rows with only place/country are stored without geometry for geocoding"
assert_eq "9|9" "$(sql "SELECT count(*), sum(geom IS NULL) FROM projects")" "pending rows"
case_end

case_begin "geocode reports each method and the rows it could not place"
run --db $DB geocode
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "9 rows without coordinates: 2 exact, 1 folded, 1 alternate name, 2 at country centroid; not placed: 1 not found, 1 ambiguous, 1 unknown country" "summary"
assert_contains "$OUT" "place 'Valencia' is ambiguous without a country" "ambiguous listed"
assert_contains "$OUT" "country 'Atlantis' is not a known country name or ISO code" "unknown country listed"
assert_contains "$OUT" "place 'Nowhereville' not found in KEN; placed at the country's centroid" "fallback listed"
case_end

# Expected coordinates are GeoNames' own for these places (geonames.org ids in comments).
case_begin "exact match: Nairobi, Kenya (GeoNames 184745: 36.81667, -1.28333)"
assert_eq "36.81667|-1.28333|exact|geonames:184745|city|KEN" "$(ssql "SELECT X(geom), Y(geom), geocode_method, geocode_ref, geocode_precision, country_code FROM projects WHERE source_key='G1'")" "G1"
case_end

case_begin "case- and accent-insensitive: 'SÃO PAULO', Brazil (GeoNames 3448439)"
assert_eq "-46.63611|-23.5475|folded|geonames:3448439|BRA" "$(ssql "SELECT X(geom), Y(geom), geocode_method, geocode_ref, country_code FROM projects WHERE source_key='G2'")" "G2"
case_end

case_begin "alternate name: 'Bombay', IN is Mumbai (GeoNames 1275339)"
assert_eq "72.88261|19.07283|alternate|geonames:1275339" "$(ssql "SELECT X(geom), Y(geom), geocode_method, geocode_ref FROM projects WHERE source_key='G3'")" "G3"
case_end

case_begin "the country decides: Valencia, ESP is in Spain (GeoNames 2509954); without a country it stays unplaced"
assert_eq "-0.37739|39.46975|geonames:2509954" "$(ssql "SELECT X(geom), Y(geom), geocode_ref FROM projects WHERE source_key='G5'")" "G5"
assert_eq "1" "$(sql "SELECT geom IS NULL FROM projects WHERE source_key='G4'")" "G4 unplaced"
case_end

case_begin "country only: a point inside Kenya (checked with ST_Contains on the region)"
assert_eq "country|country|KEN" "$(sql "SELECT geocode_method, geocode_precision, geocode_ref FROM projects WHERE source_key='G6'")" "G6 method"
assert_eq "1" "$(ssql "SELECT ST_Contains(r.geom, p.geom) FROM projects p, regions r WHERE p.source_key='G6' AND r.code='KEN'")" "inside Kenya"
assert_eq "1" "$(ssql "SELECT ST_Contains(r.geom, p.geom) FROM projects p, regions r WHERE p.source_key='G7' AND r.code='KEN'")" "fallback inside Kenya"
case_end

case_begin "France's country point is in mainland France, not overseas (largest polygon)"
printf 'id,country\nC1,France\nC2,NOR\n' > countries.csv
"$FP" -q --db $DB import countries.csv
"$FP" -q --db $DB geocode
x=$(ssql "SELECT X(geom) FROM projects WHERE source_key='C1'"); y=$(ssql "SELECT Y(geom) FROM projects WHERE source_key='C1'")
python3 -c "import sys; sys.exit(0 if -5<$x<8.5 and 42<$y<51.5 else 1)" || fail "France point $x $y not in mainland bbox"
assert_eq "1" "$(ssql "SELECT ST_Contains(r.geom, p.geom) FROM projects p, regions r WHERE p.source_key='C2' AND r.code='NOR'")" "Norway point inside Norway"
case_end

case_begin "a second geocode changes nothing; --no-country-fallback leaves unknown places unplaced"
run --db $DB geocode
assert_contains "$OUT" "3 rows without coordinates: 0 exact" "only the unplaceable remain"
fp_init fb.sqlite; "$FP" -q --db fb.sqlite import "$FIX/places.csv"
run --db fb.sqlite geocode --no-country-fallback
assert_contains "$OUT" "not placed: 2 not found" "G7 not placed without fallback"
case_end

case_begin "a broken gazetteer file fails with its line number, nothing changes"
printf 'id\tname\tasciiname\taltnames\tcountry\tadmin1\tlon\tlat\tpopulation\n1\tX\tX\t\tKE\t1\tabc\t1\t5\n' > bad.tsv
before=$(sql "SELECT count(*) FROM projects WHERE geom IS NULL")
run --db $DB geocode --gazetteer bad.tsv --redo
assert_eq 1 "$RC" "exit status"
assert_contains "$OUT" "bad.tsv: line 2: bad coordinates 'abc' '1'" "message"
assert_eq "$before" "$(sql "SELECT count(*) FROM projects WHERE geom IS NULL")" "unchanged"
case_end
