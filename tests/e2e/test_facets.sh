#!/usr/bin/env bash
# render --facet: small multiples. A page of panels, one per value or bin of a
# project field, each counting its own projects per country, classed over all
# panels together, with one legend; bad arguments each a clear usage error.
#
# Expected values never come from footprint's own output:
#   * the store read with sqlite3: a country's first project year and its projects up
#     to a year (the aggregation's assignments joined to the projects), the distinct
#     years and companies, the countries of the level;
#   * the class of a count worked out here by hand from a style's manual breaks
#     (doc/STYLE.md: class i holds breaks[i] < v <= breaks[i+1]) and ColorBrewer's
#     published YlOrRd 3-class colours;
#   * the panels found on the image as boxes of the sea colour and a lon/lat placed in
#     them with PROJ's `proj` (tests/tools/facet_probe.py, Pillow and numpy);
#   * poppler's pdftotext for the titles and the legend.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
fprobe() { "$PY" "$ROOT/tests/tools/facet_probe.py" "$@" 2>&1; }
EE="+proj=eqearth +lon_0=0 +datum=WGS84 +units=m"
SEA="#eaf2f8"
NODATA="#dddddd"

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the facet tests)"
ASSIGN="agg_country_by_category_assign a JOIN projects p ON p.id = a.project_id"
# The United States: a large country (its pixels are easy to hit) with dated projects.
C=USA
FIRST=$(sql "SELECT min(p.year) FROM $ASSIGN WHERE a.region_code = '$C'")
upto() { sql "SELECT count(DISTINCT a.project_id) FROM $ASSIGN WHERE a.region_code = '$C' AND p.year <= $1"; }
# A point inside it, from SpatiaLite.
read -r CLON CLAT <<<"$(ssql "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM regions
                              WHERE level = 'country' AND code = '$C'" | tr '|' ' ')"

# A style whose classes are known without footprint: manual breaks, YlOrRd.
cat > manual.json <<'EOF'
{ "name": "manual", "background": "#eaf2f8", "view": { "projection": "equal-earth" },
  "choropleth": { "aggregation": "country_by_category", "level": "country", "field": "projects",
                  "method": "manual", "breaks": [1, 1.5, 2.5, 1000], "scheme": "YlOrRd",
                  "nodata": "#dddddd", "zero_is_nodata": true },
  "graticule": { "stroke": "#c8d6e0", "width": 0.25, "step": 30 },
  "title": { "text": "Projects per country", "size": 16 } }
EOF
class_colour() {   # count -> the manual style's colour (ColorBrewer YlOrRd, 3 classes)
    if [ "$1" -le 0 ]; then echo "$NODATA"; elif [ "$1" -le 1 ]; then echo "#ffeda0"
    elif [ "$1" -le 2 ]; then echo "#feb24c"; else echo "#f03b20"; fi
}

case_begin "cumulative year bins: $C no-data grey before its first year (sqlite3), its class colour from that year's panel on"
assert_contains "$FIRST" "20" "first year of $C in the store"
BINS="1990-$((FIRST - 1)),$FIRST-$FIRST,$((FIRST + 1))-2030"
run --db "$DB" render --style manual.json --facet year --facet-bins "$BINS" --cumulative -o cum.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 3 "$(fprobe panels cum.png "$SEA" | wc -l)" "panels found on the page"
assert_eq "$NODATA" "$(fprobe probe cum.png "$SEA" 0 "$EE" "$CLON" "$CLAT")" "$C before $FIRST"
assert_eq "$(class_colour "$(upto "$FIRST")")" "$(fprobe probe cum.png "$SEA" 1 "$EE" "$CLON" "$CLAT")" \
    "$C up to $FIRST ($(upto "$FIRST") projects)"
assert_eq "$(class_colour "$(upto 2030)")" "$(fprobe probe cum.png "$SEA" 2 "$EE" "$CLON" "$CLAT")" \
    "$C up to 2030 ($(upto 2030) projects)"
# The open Pacific is sea in every panel.
for n in 0 1 2; do assert_eq "$SEA" "$(fprobe probe cum.png "$SEA" $n "$EE" -150 0)" "panel $n: the Pacific"; done
[ -e cum.pgw ] && fail "a page of several maps has no world file"
case_end

case_begin "per-period year bins: $C's panel of its first year counts that year alone"
run --db "$DB" render --style manual.json --facet year --facet-bins "$BINS" -o period.png
assert_eq 0 "$RC" "exit status ($OUT)"
ALONE=$(sql "SELECT count(DISTINCT a.project_id) FROM $ASSIGN WHERE a.region_code = '$C' AND p.year = $FIRST")
LATER=$(sql "SELECT count(DISTINCT a.project_id) FROM $ASSIGN WHERE a.region_code = '$C' AND p.year BETWEEN $((FIRST + 1)) AND 2030")
assert_eq "$(class_colour "$ALONE")" "$(fprobe probe period.png "$SEA" 1 "$EE" "$CLON" "$CLAT")" "$C in $FIRST ($ALONE)"
assert_eq "$(class_colour "$LATER")" "$(fprobe probe period.png "$SEA" 2 "$EE" "$CLON" "$CLAT")" "$C after $FIRST ($LATER)"
case_end

case_begin "PDF: the panel titles, one per distinct year in order (sqlite3), and one legend classed over all panels, without counts"
run --db "$DB" render --facet year -o years.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
TEXT=$(pdftotext -layout years.pdf - 2>&1)
YEARS=$(sql "SELECT DISTINCT year FROM projects WHERE year IS NOT NULL ORDER BY year" | tr '\n' ' ')
GOT=$(grep -oE '\b(19|20)[0-9]{2}\b' <<<"$TEXT" | tr '\n' ' ')
assert_eq "$YEARS" "$GOT" "panel titles"
assert_eq 1 "$(pdfinfo years.pdf | awk '/^Pages:/ {print $2}')" "pages"
# One legend for the page, its classes without counts: a count over every panel
# (every country of every panel: "none (2251)" for 9 panels of 252 countries)
# describes none of the maps.
assert_eq 1 "$(grep -c 'none' <<<"$TEXT")" "one legend's 'none'"
assert_eq "" "$(grep -oE 'none +\([0-9]+\)' <<<"$TEXT")" "no count after 'none'"
# The projects without a year are in no panel: the subtitle says how many (sqlite3).
assert_contains "$(pdftotext years.pdf - | tr '\n' ' ' | tr -s ' ')" \
    "($(sql "SELECT count(*) FROM projects WHERE year IS NULL") of $(sql "SELECT count(*) FROM projects") projects have no year: in no panel)" "subtitle"
case_end

case_begin "--facet company --facet-values: those panels, in that order, titled; SVG"
# One a line: a company's name may hold spaces.
{ read -r C1; read -r C2; } <<<"$(sql "SELECT company FROM projects WHERE company IS NOT NULL GROUP BY company ORDER BY count(*) DESC LIMIT 2")"
run --db "$DB" render --facet company --facet-values "$C2,$C1" -o companies.svg
assert_eq 0 "$RC" "exit status ($OUT)"
GOT=$("$PY" -c "
import re, sys, xml.etree.ElementTree as ET
ET.parse(sys.argv[1])   # well-formed
print('ok')" companies.svg)
assert_eq ok "$GOT" "SVG parses"
run --db "$DB" render --facet company --facet-values "$C2,$C1" -o companies.pdf
T=$(pdftotext companies.pdf - | grep -nxF -e "$C1" -e "$C2" | head -2 | cut -d: -f2 | tr '\n' ,)
assert_eq "$C2,$C1," "$T" "panel titles in the order given"
case_end

case_begin "12 panels at 300 dpi: every panel found, $C grey before $FIRST and coloured from it"
run --db "$DB" render --style manual.json --facet year --facet-values "$(seq -s, $((FIRST - 6)) $((FIRST + 5)))" --cumulative --dpi 300 -o twelve.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 12 "$(fprobe panels twelve.png "$SEA" | wc -l)" "panels"
assert_eq "$NODATA" "$(fprobe probe twelve.png "$SEA" 5 "$EE" "$CLON" "$CLAT")" "$C in panel up to $((FIRST - 1))"
assert_eq "$(class_colour "$(upto "$FIRST")")" "$(fprobe probe twelve.png "$SEA" 6 "$EE" "$CLON" "$CLAT")" "$C in panel up to $FIRST"
case_end

case_begin "choropleth.field category_surveillance: each panel counts that category's projects (sqlite3), not all projects; population (no value per panel) is a usage error"
# An outside tester's page: the legend named surveillance, the panels showed
# every project (South Africa, with no surveillance project, shaded).
sed 's/"field": "projects"/"field": "category_surveillance"/' manual.json > surv.json
read -r ZLON ZLAT <<<"$(ssql "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM regions
                              WHERE level = 'country' AND code = 'ZAF'" | tr '|' ' ')"
# The aggregation's group column is the weighted count (sum of shares) of the category's projects.
surv_upto() { sql "SELECT CAST(round(total(a.share)) AS INTEGER) FROM $ASSIGN
                   WHERE a.region_code = '$1' AND p.category = 'surveillance' AND p.year <= $2"; }
all_upto() { sql "SELECT count(DISTINCT a.project_id) FROM $ASSIGN WHERE a.region_code = '$1' AND p.year <= $2"; }
[ "$(all_upto ZAF 2030)" -gt 0 ] || fail "South Africa has dated projects (sqlite3)"
assert_eq 0 "$(surv_upto ZAF 2030)" "South Africa's dated surveillance projects (sqlite3)"
[ "$(surv_upto "$C" 2030)" -gt 0 ] || fail "$C has a dated surveillance project (sqlite3)"
run --db "$DB" render --style surv.json --facet year --facet-bins 1990-2017,2018-2030 --cumulative -o surv.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 2 "$(fprobe panels surv.png "$SEA" | wc -l)" "panels"
assert_eq "$(class_colour "$(surv_upto "$C" 2017)")" "$(fprobe probe surv.png "$SEA" 0 "$EE" "$CLON" "$CLAT")" \
    "$C up to 2017 ($(surv_upto "$C" 2017) surveillance projects)"
assert_eq "$(class_colour "$(surv_upto "$C" 2030)")" "$(fprobe probe surv.png "$SEA" 1 "$EE" "$CLON" "$CLAT")" \
    "$C up to 2030 ($(surv_upto "$C" 2030) surveillance projects)"
assert_eq "$NODATA" "$(fprobe probe surv.png "$SEA" 1 "$EE" "$ZLON" "$ZLAT")" "South Africa up to 2030: none"
sed 's/"field": "projects"/"field": "population"/' manual.json > pop.json
run --db "$DB" render --style pop.json --facet year -o pop.png
assert_eq 2 "$RC" "exit status of a population page ($OUT)"
assert_contains "$OUT" "choropleth.field 'population' has no value per panel" "message"
assert_contains "$OUT" "projects, projects_weighted, amount, category_other," "the fields facets support"
[ -e pop.png ] && fail "a refused page was written"
case_end

case_begin "bad arguments: each a usage error (exit 2) naming the option and what is wrong; nothing written"
check_bad() {   # expected-message-part args...
    local want=$1; shift
    run --db "$DB" render "$@" -o bad.png
    assert_eq 2 "$RC" "exit status of $*"
    assert_contains "$OUT" "$want" "message of $*"
}
check_bad "--facet-bins '2000-2009,2010-': bin 2 '2010-' is not LO-HI" --facet year --facet-bins 2000-2009,2010-
check_bad "bin 1 '2014-2010' is not LO-HI with LO <= HI" --facet year --facet-bins 2014-2010
check_bad "bin 2 'later' is not LO-HI" --facet year --facet-bins 2000-2009,later
check_bad "--facet colour: no such project field" --facet colour
check_bad "--facet company: --facet-bins compares numbers" --facet company --facet-bins 1-2
check_bad "--cumulative compares numbers" --facet category --cumulative
check_bad "--facet-values and --facet-bins exclude each other" --facet year --facet-values 2015 --facet-bins 2000-2020
check_bad "need --facet FIELD" --facet-bins 2000-2020
check_bad "more than 36 panels" --facet year --facet-bins "$(seq -s, 1 40)"
run --db "$DB" render --facet year -o bad.tif
assert_eq 2 "$RC" "exit status of a GeoTIFF page"
assert_contains "$OUT" "a page of small multiples is a .png, .pdf or .svg" "message of a GeoTIFF page"
assert_eq "" "$(ls -A | grep '^bad\|^\.bad')" "files left behind"
case_end

case_begin "--dataset: panels for that dataset's values only, the subtitle counting its projects in no panel; without it all"
# Two editions: v1 has categories x and (none), v2 y, z and (none). Expected by hand.
printf 'id,category,lon,lat\nA,x,36.8,-1.3\nB,,10,10\n' > f1.csv
printf 'id,category,lon,lat\nA,y,36.8,-1.3\nB,z,10,10\nC,,20,20\n' > f2.csv
fp_init fc.sqlite && "$FP" -q --db fc.sqlite import f1.csv --dataset v1 && "$FP" -q --db fc.sqlite import f2.csv --dataset v2
"$FP" -q --db fc.sqlite aggregate --by country --group category
run --db fc.sqlite render --facet category --dataset v1 -o fc1.pdf
assert_eq 0 "$RC" "render --dataset ($OUT)"
assert_eq "By category (1 of 2 projects of dataset v1 have no category: in no panel) x" \
    "$(pdftotext fc1.pdf - | sed -n '2p;3p' | tr '\n' ' ' | tr -s ' ' | sed 's/ $//')" "v1: one panel, x, and v1's B in none"
run --db fc.sqlite render --facet category -o fc.pdf
assert_contains "$(pdftotext fc.pdf - | tr '\n' ' ' | tr -s ' ')" "By category (2 of 5 projects have no category: in no panel) x y z" "all: three panels, the count"
case_end

# Editions as separate datasets (a monitoring list imported yearly), with
# aggregations of one edition and of all. Expected by hand and with sqlite3:
# e1 has two projects without a year (KEN, ETH), KEN 2020 and ETH 2019; e2 has
# KEN 2020 twice and ETH 2021, every one dated.
printf 'id,name,year,lon,lat\nA,a,,36.8,-1.3\nB,b,,38.7,9.0\nC,c,2020,36.9,-1.2\nD,d,2019,38.8,9.1\n' > e1.csv
printf 'id,name,year,lon,lat\nP1,p,2020,36.8,-1.3\nP2,q,2020,37.0,-0.5\nP3,r,2021,38.7,9.0\n' > e2.csv
DB=ed.sqlite
fp_init "$DB" >/dev/null && "$FP" -q --db "$DB" import e1.csv --dataset e1 && "$FP" -q --db "$DB" import e2.csv --dataset e2
"$FP" -q --db "$DB" aggregate --by country --dataset e2 --name c_e2 && "$FP" -q --db "$DB" aggregate --by country --name c_all
EA="agg_c_e2_assign a JOIN projects p ON p.id = a.project_id"
read -r KLON KLAT <<<"$(ssql "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) FROM regions
                              WHERE level = 'country' AND code = 'KEN'" | tr '|' ' ')"

case_begin "an aggregation of one edition: the panels and the subtitle count its projects, not every edition's"
run --db "$DB" render --facet year --aggregation c_e2 -o ey.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
T=$(pdftotext ey.pdf -)
# c_e2's projects all have a year (sqlite3): no note, a panel per year they have.
assert_eq 0 "$(sql "SELECT count(*) FROM $EA WHERE p.year IS NULL")" "c_e2's projects without a year (sqlite3)"
assert_eq "By year" "$(sed -n 2p <<<"$T")" "subtitle without a note"
assert_eq "$(sql "SELECT DISTINCT p.year FROM $EA ORDER BY 1" | tr '\n' ' ')" "$(grep -xE '[0-9]{4}' <<<"$T" | tr '\n' ' ')" \
    "panel titles: c_e2's years, not e1's 2019"
case_end

case_begin "an aggregation of every edition with --dataset: the panels and the note are that dataset's projects of it"
run --db "$DB" render --facet year --aggregation c_all --dataset e1 -o ey1.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
N=$(sql "SELECT count(*) FROM agg_c_all_assign a JOIN projects p ON p.id = a.project_id WHERE p.dataset = 'e1'")
NY=$(sql "SELECT count(*) FROM agg_c_all_assign a JOIN projects p ON p.id = a.project_id WHERE p.dataset = 'e1' AND p.year IS NULL")
assert_eq "2 4" "$NY $N" "e1's projects without a year, of c_all's (sqlite3)"
T=$(pdftotext ey1.pdf -)
assert_eq "By year ($NY of $N projects of dataset e1 have no year: in no panel)" "$(sed -n 2p <<<"$T")" "the note"
assert_eq "2019 2020 " "$(grep -xE '[0-9]{4}' <<<"$T" | tr '\n' ' ')" "panel titles: e1's years"
case_end

case_begin "--dataset on a page: each panel's choropleth counts that dataset's projects of the aggregation (pixels)"
# Kenya in 2020: one project of e1 and two of e2 (sqlite3); with --dataset e2
# its 2020 panel is the manual style's class of 2, not of 3.
K20=$(sql "SELECT count(*) FROM agg_c_all_assign a JOIN projects p ON p.id = a.project_id
           WHERE a.region_code = 'KEN' AND p.year = 2020 AND p.dataset = 'e2'")
assert_eq 2 "$K20" "Kenya's 2020 projects of e2 (sqlite3)"
run --db "$DB" render --style manual.json --aggregation c_all --dataset e2 --facet year -o ek.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 2 "$(fprobe panels ek.png "$SEA" | wc -l)" "panels: e2's years 2020, 2021"
assert_eq "$(class_colour "$K20")" "$(fprobe probe ek.png "$SEA" 0 "$EE" "$KLON" "$KLAT")" "Kenya in 2020, e2 only"
assert_eq "$NODATA" "$(fprobe probe ek.png "$SEA" 1 "$EE" "$KLON" "$KLAT")" "Kenya in 2021: none"
case_end

case_begin "--facet dataset on an aggregation of one edition: one panel (PNG and PDF); a value named without projects says so"
run --db "$DB" render --facet dataset --aggregation c_e2 -o ed.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 1 "$(fprobe panels ed.png "$SEA" | wc -l)" "panels on the PNG: e2's alone"
run --db "$DB" render --facet dataset --aggregation c_e2 -o ed.pdf
T=$(pdftotext ed.pdf - | tr '\n' ' ' | tr -s ' ')
assert_contains "$T" "By dataset e2 " "the one panel's title"
assert_not_contains "$T" "e1" "no panel of e1"
assert_not_contains "$T" "no projects" "no empty panel"
# One legend for the page.
assert_eq 1 "$(grep -c '^none$' <<<"$(pdftotext ed.pdf -)")" "one legend"
run --db "$DB" render --facet dataset --facet-values e1,e2 --aggregation c_e2 -o ed2.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "render: note: --facet dataset: 1 of 2 panels holds no project of aggregation c_e2 (e1): drawn empty" "the note"
assert_contains "$(pdftotext ed2.pdf - | tr '\n' ' ' | tr -s ' ')" "e1 (no projects)" "the empty panel's title"
case_end
