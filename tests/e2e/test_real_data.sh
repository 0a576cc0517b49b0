#!/usr/bin/env bash
# Real third-party data through the import: the GeoNames places and the Natural
# Earth polygons shipped in geodata/, imported as project layers.
. "$(dirname "$0")/lib.sh"
DB=s.sqlite
"$FP" -q --db $DB init

case_begin "27,000+ real GeoNames places (TSV, tab sniffed, alternate names in extra) import whole"
n=$(( $(wc -l < "$ROOT/geodata/gazetteer.tsv") - 1 ))
run --db $DB import "$ROOT/geodata/gazetteer.tsv" --map place=name --dataset places
assert_eq 0 "$RC" "exit status"
assert_contains "$OUT" "$n rows read, $n stored, 0 rejected" "summary"
# Nairobi's stored point equals the gazetteer's own line, read with awk.
want=$(awk -F'\t' '$1=="184745"{print $7"|"$8}' "$ROOT/geodata/gazetteer.tsv")
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
