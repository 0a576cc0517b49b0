#!/usr/bin/env bash
# Real third-party data through the import: the GeoNames places and the Natural
# Earth polygons shipped in geodata/, imported as project layers.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
fp_init $DB

case_begin "26,000+ real GeoNames places (TSV, tab sniffed, alternate names in extra) import whole"
# The places of 15,000+ people from the shipped gazetteer (all of cities500, gzip'd).
zcat "$ROOT/geodata/gazetteer.tsv.gz" | awk -F'\t' 'NR==1 || $9>=15000' > gazetteer.tsv
n=$(( $(wc -l < gazetteer.tsv) - 1 ))
run --db $DB import gazetteer.tsv --map place=name --dataset places
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "$n rows read, $n stored, 0 rejected" "summary"
# Nairobi's stored point equals the gazetteer's own line, read with awk.
want=$(awk -F'\t' '$1=="184745"{print $7"|"$8}' gazetteer.tsv)
assert_eq "$want" "$(ssql "SELECT X(geom)||'|'||Y(geom) FROM projects WHERE source_key='184745'")" "Nairobi"
assert_eq "$n" "$(sql "SELECT count(*) FROM projects WHERE dataset='places' AND country_code IS NOT NULL")" "every alpha-2 country resolved"
case_end

case_begin "4,848 Natural Earth polygons (GeoPackage, MultiPolygons) import with valid geometry"
n=$(ogrinfo -ro -so "$ROOT/geodata/regions.gpkg" regions | sed -n 's/^Feature Count: //p')
run --db $DB import "$ROOT/geodata/regions.gpkg" --dataset ne --map id=code
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "$n rows read, $n stored, 0 rejected" "summary"
assert_eq "$n|$n" "$(ssql "SELECT count(*), sum(ST_IsValid(geom)) FROM projects WHERE dataset='ne'")" "valid"
assert_eq "1" "$(ssql "SELECT CheckSpatialIndex('projects','geom')")" "spatial index"
case_end

# Natural Earth 1:110m countries as published in the npm package world-atlas
# (tests/fixtures/real/build.sh): TopoJSON, five geometries invalid as
# published (checked with SpatiaLite's ST_IsValid after ogr2ogr, not with
# footprint): Fiji, Russia and Antarctica across the antimeridian, Sudan's
# quantised ring, North Korea's ring of four identical points.
NE110="$FIX/real/ne_countries_110m.topojson"
case_begin "Natural Earth 110m countries (TopoJSON, world-atlas): every feature stored, the invalid ones repaired and listed"
n=$(ogrinfo -ro -so "$NE110" countries 2>/dev/null | sed -n 's/^Feature Count: //p')
ogr2ogr -f SQLite -dsco SPATIALITE=YES ne_check.sqlite "$NE110" countries 2>/dev/null
invalid=$(spatialite -batch -noheader ne_check.sqlite "SELECT group_concat(name, ',') FROM (SELECT name FROM countries WHERE NOT ST_IsValid(geometry) ORDER BY name)" 2>/dev/null | grep -v '^Spatia\|^$')
assert_eq "Antarctica,Fiji,North Korea,Russia,Sudan" "$invalid" "invalid as published (SpatiaLite)"
run --db $DB import "$NE110" --layer countries --dataset ne110
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "$n rows read, $n stored, 0 rejected" "summary"
assert_contains "$OUT" "invalid geometries repaired: 5" "repairs counted"
assert_eq "$n|$n" "$(ssql "SELECT count(*), sum(ST_IsValid(geom)) FROM projects WHERE dataset='ne110'")" "stored and valid"
for f in gpkg fgb shp geojson; do
    run --db $DB export --where dataset=ne110 --format $f -o "ne110_$f/ne110.$f"
    assert_eq 0 "$RC" "export $f ($OUT)"
    got=0
    for l in ne110_$f/*.$f; do
        # features of the geometry layers (a GeoPackage's layer_styles is a table too)
        for layer in $(ogrinfo -ro -q "$l" 2>/dev/null | grep -v '(None)$' | sed -n 's/^[0-9]*: \([^ ]*\).*/\1/p'); do
            c=$(ogrinfo -ro -so "$l" "$layer" 2>/dev/null | sed -n 's/^Feature Count: //p')
            got=$((got + ${c:-0}))
        done
        warn=$(ogrinfo -ro -al -so "$l" 2>&1 >/dev/null)
        [ -z "$warn" ] || fail "$l: $warn"
    done
    assert_eq "$n" "$got" "features in the $f export (ogrinfo)"
done
case_end
