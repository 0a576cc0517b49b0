#!/usr/bin/env bash
# geodata: the shipped default regions (geodata/regions.gpkg) as a whole, read with sqlite3 and
# OGR (not with footprint): counts, admin-1 names complete and unique within their country, and
# city/province pairs named on the right polygons (geodata/README.md, "Admin-1 names").
. "$(dirname "$0")/lib.sh"
GPKG="$ROOT/geodata/regions.gpkg"
g() { sqlite3 -batch -noheader "$GPKG" "$@"; }
# The admin-1 unit containing lon lat, by OGR's SQLite dialect (SpatiaLite functions on the GPKG).
at() {
    ogrinfo -ro -q "$GPKG" -dialect SQLite -sql "SELECT name FROM regions WHERE level='admin1' AND ST_Intersects(geom, MakePoint($1, $2, 4326))" \
        | sed -n 's/^ *name (String) = //p' | paste -sd'|' -
}
# Area in square degrees (only compared between neighbours).
area() {
    ogrinfo -ro -q "$GPKG" -dialect SQLite -sql "SELECT ST_Area(geom) AS a FROM regions WHERE code='$1'" | sed -n 's/^ *a (Real) = //p'
}

case_begin "regions.gpkg: 252 countries and 4596 admin-1 units, codes unique, no empty names"
assert_eq "252" "$(g "SELECT count(*) FROM regions WHERE level='country'")" "countries"
assert_eq "4596" "$(g "SELECT count(*) FROM regions WHERE level='admin1'")" "admin-1 units"
assert_eq "0" "$(g "SELECT count(*) FROM (SELECT code FROM regions GROUP BY code HAVING count(*) > 1)")" "duplicate codes"
assert_eq "" "$(g "SELECT code FROM regions WHERE name IS NULL OR trim(name) = '' OR name <> trim(name)")" "empty or padded names"
case_end

case_begin "no country has two admin-1 units of the same name (case-insensitive)"
assert_eq "" "$(g "SELECT parent || ':' || lower(name) || ' x' || count(*) FROM regions WHERE level='admin1' GROUP BY parent, lower(name) HAVING count(*) > 1")" "duplicate (parent, lower(name))"
# The 20 Latvian municipalities NE's name_en all called "Valmiera": only the city keeps it.
assert_eq "LV-VMR" "$(g "SELECT group_concat(code) FROM regions WHERE level='admin1' AND parent='LVA' AND name='Valmiera'")" "Valmiera"
case_end

case_begin "truncated Natural Earth names are completed: KH-5 Kampong Speu, CZ-PL Plzeň"
assert_eq "Kampong Speu" "$(g "SELECT name FROM regions WHERE code='KH-5'")" "KH-5"
assert_eq "Plzeň" "$(g "SELECT name FROM regions WHERE code='CZ-PL'")" "CZ-PL"
assert_eq "" "$(g "SELECT code FROM regions WHERE name IN ('Kam', 'Plzeň-') OR name LIKE '%-'")" "known truncations"
case_end

case_begin "city and surrounding province: Kyiv / Kyiv Oblast, Minsk / Minsk Region, Sanaa / Sanaa Governorate"
assert_eq "UA-30|Kyiv|UA-32|Kyiv Oblast" "$(g "SELECT group_concat(code || '|' || name, '|') FROM (SELECT * FROM regions WHERE code IN ('UA-30','UA-32') ORDER BY code)")" "Ukraine"
assert_eq "BY-HM|Minsk|BY-MI|Minsk Region" "$(g "SELECT group_concat(code || '|' || name, '|') FROM (SELECT * FROM regions WHERE code IN ('BY-HM','BY-MI') ORDER BY code)")" "Belarus"
assert_eq "YE-SA|Sanaa|YE-SN|Sanaa Governorate" "$(g "SELECT group_concat(code || '|' || name, '|') FROM (SELECT * FROM regions WHERE code IN ('YE-SA','YE-SN') ORDER BY code)")" "Yemen"
# The name "Kyiv" is on the city's polygon: the city centres (by hand, from any atlas) fall in the
# unit named after the city, and the province is the larger unit.
assert_eq "Kyiv" "$(at 30.523 50.450)" "Kyiv centre (30.523, 50.450)"
assert_eq "Minsk" "$(at 27.561 53.902)" "Minsk centre (27.561, 53.902)"
assert_eq "Sanaa" "$(at 44.206 15.354)" "Sanaa centre (44.206, 15.354)"
assert_eq "Moscow" "$(at 37.618 55.751)" "Moscow centre (37.618, 55.751)"
for pair in UA-30:UA-32 BY-HM:BY-MI YE-SA:YE-SN; do
    c=${pair%:*}; p=${pair#*:}
    ac=$(area "$c"); ap=$(area "$p")
    awk -v c="$ac" -v p="$ap" 'BEGIN { exit !(c > 0 && p > 2 * c) }' || fail "$p ($ap sq deg) should be larger than the city $c ($ac)"
done
case_end

case_begin "init loads the admin-1 names of regions.gpkg unchanged"
run --db s.sqlite init
assert_eq 0 "$RC" "exit status"
want=$(g "SELECT code || '|' || name FROM regions WHERE level='admin1' ORDER BY code" | sha256sum)
got=$(sqlite3 -batch -noheader s.sqlite "SELECT code || '|' || name FROM regions WHERE level='admin1' ORDER BY code" | sha256sum)
assert_eq "$want" "$got" "code|name list (sha256)"
assert_eq "Kampong Speu" "$(sqlite3 s.sqlite "SELECT name FROM regions WHERE code='KH-5'")" "KH-5 in the store"
case_end

# Islands: the simplification kept every feature, not every island, and
# dropped some 2,100 (Kiribati was Kiritimati alone: Tarawa, its capital, lay
# 3,531 km from it). Places by hand (each town's centre to 0.01 degrees);
# distances on the ellipsoid by OGR's SQLite dialect; within 5 km, the
# simplification's order.
case_begin "islands are kept: Pacific capitals and atolls lie on or within 5 km of their country's polygons"
for p in "KIR 173.15 1.38 Tarawa" "KIR -171.72 -2.81 Kanton" "TUV 179.20 -8.52 Funafuti" "MHL 171.38 7.09 Majuro" \
         "TON -175.20 -21.14 Nuku'alofa" "TON -173.98 -18.65 Neiafu" "FJI -178.80 -18.22 Lakeba" "PYF -139.03 -9.80 Atuona" \
         "PYF -134.97 -23.12 Rikitea" "FSM 158.16 6.92 Palikir"; do
    set -- $p
    d=$(ogrinfo -ro -q "$GPKG" -dialect SQLite -sql "SELECT ST_Distance(geom, MakePoint($2, $3, 4326), 1) / 1000.0 AS d FROM regions WHERE code = '$1'" 2>/dev/null | sed -n 's/^ *d (Real) = //p')
    awk -v d="${d:-99999}" 'BEGIN { exit !(d <= 5) }' || fail "$4 ($1): ${d:-no distance} km from $1's polygons"
done
case_end
