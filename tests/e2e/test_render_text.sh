#!/usr/bin/env bash
# render's text and legend: titles, panel titles and legend labels in any script
# (Pango: shaping, bidi, font fallback), long titles wrapped inside the page, and
# legends of many categories kept inside the frame with no entry lost.
#
# Expected values never come from footprint's own output:
#   * poppler: pdftotext (the text in reading order; -bbox: each word's box on the
#     page), pdffonts (the fonts embedded), pdfinfo (the page size);
#   * Pillow: pixels of the PNG (ink where text is, white where it must not be);
#   * the CSV files written here (the category names every legend must list).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

# A store of one project, and one of 40 categories (one with a very long name).
DB=$WORK/s.sqlite
printf 'id,company,category,name,country,lon,lat\nS1,Acme,5g,Nairobi 5G core,KEN,36.8219,-1.2921\n' > one.csv
fp_init "$DB" >/dev/null 2>&1 && "$FP" -q --db "$DB" import one.csv >/dev/null 2>&1 &&
    "$FP" -q --db "$DB" aggregate --by country --group category >/dev/null 2>&1 || echo "FAIL the one-project store"
LONG="an extraordinarily long category name that keeps going well past any sensible legend width"
"$PY" - "$LONG" > cats.csv <<'PY'
import random, sys
random.seed(1)
print('id,company,category,name,lon,lat')
for i in range(40):
    cat = 'category number %02d' % i if i < 39 else sys.argv[1]
    print(f'C{i},Co,{cat},P{i},{random.uniform(-170, 170):.3f},{random.uniform(-60, 70):.3f}')
PY
CDB=$WORK/cats.sqlite
fp_init "$CDB" >/dev/null 2>&1 && "$FP" -q --db "$CDB" import cats.csv >/dev/null 2>&1 ||
    echo "FAIL the 40-category store"

# words PDF: one line per word, "xMin yMin xMax yMax word" (pdftotext -bbox).
words() {
    pdftotext -bbox "$1" - 2>/dev/null | "$PY" -c "
import re, sys, html
for m in re.finditer(r'<word xMin=\"([-\d.]+)\" yMin=\"([-\d.]+)\" xMax=\"([-\d.]+)\" yMax=\"([-\d.]+)\">(.*?)</word>', sys.stdin.read()):
    print(*m.groups()[:4], html.unescape(m.group(5)))"
}
page_w() { pdfinfo "$1" | awk '/^Page size:/ { print $3 }'; }

TITLE="项目分布 — مشاريع — Проекты — Έργα"

case_begin "scripts: a title in Chinese, Arabic, Russian and Greek: pdftotext reads each in logical order (Arabic not reversed)"
run --db "$DB" render --style category-points --title "$TITLE" -o t.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
text=$(pdftotext t.pdf - 2>/dev/null)
for w in "项目分布" "مشاريع" "Проекты" "Έργα"; do assert_contains "$text" "$w" "title word"; done
assert_not_contains "$text" "عيراشم" "Arabic reversed (drawn left to right in logical order)"
case_end

case_begin "scripts: CJK is drawn with a fallback font: pdffonts lists a font besides DejaVu; in the PNG the CJK title is not the boxes of missing glyphs"
run --db "$DB" render --style category-points --title "项目分布" -o cjk.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
fonts=$(pdffonts cjk.pdf 2>/dev/null | tail -n +3)
assert_contains "$fonts" "DejaVuSans" "DejaVu Sans (the Latin text)"
others=$(grep -v DejaVu <<<"$fonts" | grep -c 'yes')
[ "${others:-0}" -ge 1 ] || fail "no embedded font besides DejaVu (DejaVu has no CJK glyphs): $fonts"
# The same title as four unassigned code points (U+0378, U+0379, U+0380, U+0381):
# what a font without the glyphs draws. The CJK title must look different.
run --db "$DB" render --style category-points --title "项目分布" -o cjk.png
run --db "$DB" render --style category-points --title "$(printf '\u0378\u0379\u0380\u0381')" -o missing.png
cmp=$("$PY" - cjk.png missing.png <<'PY'
import sys
from PIL import Image, ImageChops
a, b = (Image.open(f).convert('L') for f in sys.argv[1:3])
box = (0, 0, a.size[0] // 2, a.size[1] // 5)          # the title's corner of the page
ink = sum(1 for v in a.crop(box).getdata() if v < 128)
diff = sum(1 for v in ImageChops.difference(a.crop(box), b.crop(box)).getdata() if v > 64)
print(ink, diff)
PY
)
read -r ink diff <<<"$cmp"
[ "${ink:-0}" -gt 300 ] || fail "CJK title: only ${ink:-?} dark pixels"
[ "${diff:-0}" -gt 300 ] || fail "CJK title and missing-glyph boxes differ in only ${diff:-?} pixels"
case_end

case_begin "fonts: a style font fontconfig does not have is drawn in the fallback with a note naming the key; an installed one, a list and a generic name get none"
# pdffonts (poppler) says which fonts the PDF really embeds.
printf '{"title":{"text":"Fonts","font":"NoSuchFont Pro"},"labels":{"font":"NoSuchFont Pro"}}' > nofont.json
run --db "$DB" render --style nofont.json -o nofont.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "title.font 'NoSuchFont Pro' is not an installed font" "the note names the key and the font"
assert_eq 1 "$(grep -c "is not an installed font" <<<"$OUT")" "one note for a font named twice"
fonts=$(pdffonts nofont.pdf 2>/dev/null | tail -n +3)
assert_contains "$fonts" "DejaVuSans" "drawn in the fallback the note names"
assert_contains "$OUT" "fallback (DejaVu Sans)" "the note names the fallback"
printf '{"title":{"text":"Fonts","font":"DejaVu Serif"},"labels":{"font":"NoSuchFont, DejaVu Serif"}}' > serif.json
run --db "$DB" render --style serif.json -o serif.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
assert_not_contains "$OUT" "not an installed font" "DejaVu Serif is installed (fc-list)"
assert_contains "$(pdffonts serif.pdf 2>/dev/null)" "DejaVuSerif" "the title in DejaVu Serif"
# Another name of an installed family (fc-list: "DejaVu Sans,DejaVu Sans Condensed"): no note.
printf '{"title":{"text":"Fonts","font":"DejaVu Sans Condensed"}}' > cond.json
run --db "$DB" render --style cond.json -o cond.pdf
assert_not_contains "$OUT" "not an installed font" "DejaVu Sans Condensed is a name fc-list lists"
assert_contains "$(pdffonts cond.pdf 2>/dev/null)" "DejaVuSansCondensed" "drawn in the condensed face"
# A family fontconfig's aliases map to another: the note names the face really drawn.
printf '{"title":{"text":"Fonts","font":"Times New Roman"}}' > times.json
run --db "$DB" render --style times.json -o times.pdf
assert_contains "$OUT" "title.font 'Times New Roman' is not an installed font" "Times New Roman is not installed"
drawn=$(pdffonts times.pdf 2>/dev/null | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | grep -i -m1 serif)
# The family fontconfig itself picks (fc-match): DejaVu Serif on a bare Debian,
# Liberation Serif where fonts-liberation is installed (R pulls it in).
want=$(fc-match -f '%{family[0]}' 'Times New Roman:bold')
[ -n "$drawn" ] && assert_contains "$OUT" "fallback ($want)" "the note names the serif face pdffonts shows ($drawn), fc-match's"
assert_eq "$(tr -d ' ' <<<"$want")" "${drawn%%-*}" "pdffonts' face is fc-match's family"
printf '{"title":{"text":"Fonts","font":"serif"}}' > generic.json
run --db "$DB" render --style generic.json -o generic.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
assert_not_contains "$OUT" "not an installed font" "a generic family"
case_end

case_begin "credits: a narrow map (Norway on A4 landscape) keeps its credit line at the world map's type size (pdftotext -bbox), inside the page"
run --db "$DB" render --region NOR -o nor.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$DB" render -o world.pdf
nor=$(words nor.pdf | awk '$5 == "Natural" { print $4 - $2, $1; exit }')
world=$(words world.pdf | awk '$5 == "Natural" { print $4 - $2; exit }')
read -r nor_h nor_x <<<"$nor"
[ -n "$nor_h" ] && [ -n "$world" ] || fail "no credit word 'Natural' found ($nor / $world)"
"$PY" -c "import sys; sys.exit(0 if float('$nor_h') >= 0.9 * float('$world') else 1)" 2>/dev/null ||
    fail "Norway's credit line ${nor_h} pt high against the world map's ${world} pt"
"$PY" -c "import sys; sys.exit(0 if float('$nor_x') >= 0 else 1)" 2>/dev/null || fail "credit starts off the page at x=$nor_x"
case_end

case_begin "credits: a style without credits gets the shipped styles' line (Natural Earth, world-countries ODbL, ColorBrewer), GeoNames only when a project was placed from it, no advertising"
printf '{"title":{"text":"Own style"}}' > nocredits.json
run --db "$DB" render --style nocredits.json -o own.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
text=$(pdftotext own.pdf - 2>/dev/null | tr '\n' ' ')
assert_contains "$text" "world-countries (ODbL)" "the country attributes' licence"
assert_contains "$text" "ColorBrewer" "the palette's credit"
assert_not_contains "$text" "GeoNames" "no project of this store was placed by the gazetteer"
assert_not_contains "$text" "Made with footprint" "advertising in the credit line"
case_end

case_begin "scripts: facet panel titles and legend labels in Arabic read in logical order (PDF)"
printf 'id,company,category,name,lon,lat\nA1,هواوي,مراقبة,P1,36.8,-1.3\nA2,Other,5g,P2,3.4,6.5\n' > ar.csv
ADB=$WORK/ar.sqlite
fp_init "$ADB" >/dev/null 2>&1; "$FP" -q --db "$ADB" import ar.csv >/dev/null 2>&1
run --db "$ADB" render --style category-points --facet company -o ar.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
# pdftotext parts small Arabic words where letters do not join (after و, ا):
# compared without spaces and bidi marks.
text=$(pdftotext ar.pdf - 2>/dev/null | "$PY" -c "import sys, re; print(re.sub(r'[\s\u200e\u200f\u202a-\u202e]', '', sys.stdin.read()))")
assert_contains "$text" "هواوي" "panel title"
assert_contains "$text" "مراقبة" "legend label"
assert_not_contains "$text" "يواوه" "panel title reversed"
assert_not_contains "$text" "ةبقارم" "legend label reversed"
case_end

SUB="$(printf 'very long subtitle %.0s' {1..12})"

case_begin "wrap: a subtitle longer than the page wraps: every word of it inside the page (PDF), no ink in the PNG's right margin"
run --db "$DB" render --subtitle "$SUB" -o s.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
W=$(page_w s.pdf)
words s.pdf > s.words
assert_eq 12 "$(grep -c ' very$' s.words)" "the subtitle's 12 'very'"
out=$(awk -v w="$W" '$5 ~ /^(very|long|subtitle)$/ && ($1 < 0 || $3 > w) { print }' s.words)
assert_eq "" "$out" "words outside the page (width $W pt)"
run --db "$DB" render --subtitle "$SUB" -o s.png
# The right margin (the last 2 % of the width) of the top fifth: white.
ink=$("$PY" -c "
from PIL import Image
im = Image.open('s.png').convert('L'); w, h = im.size
print(sum(1 for v in im.crop((w - w // 50, 0, w, h // 5)).getdata() if v < 200))")
assert_eq 0 "$ink" "dark pixels in the PNG's right margin"
case_end

case_begin "wrap: a long title wraps too: every word inside the page, on two lines or more (PDF); the SVG renders"
LT="$(printf 'A title that goes on and on %.0s' {1..6})"
run --db "$DB" render --title "$LT" -o lt.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
W=$(page_w lt.pdf)
words lt.pdf > lt.words
assert_eq 6 "$(grep -c ' title$' lt.words)" "the title's 6 'title'"
assert_eq "" "$(awk -v w="$W" '$5 == "title" && $3 > w' lt.words)" "title words outside the page"
lines=$(awk '$5 == "title" { print $2 }' lt.words | sort -u | wc -l)
[ "$lines" -ge 2 ] || fail "the title on $lines line(s)"
# The credits stay inside the page under the map.
assert_eq "" "$(awk -v h="$(pdfinfo lt.pdf | awk '/^Page size:/ { print $5 }')" '$4 > h' lt.words)" "words below the page"
run --db "$DB" render --title "$LT" -o lt.svg
assert_eq 0 "$RC" "svg exit status ($OUT)"
case_end

case_begin "legend: 40 categories: every one listed, all inside the frame (under the title, over the credits), a long name wrapped"
run --db "$CDB" render --style category-points -o cats.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
text=$(pdftotext -raw cats.pdf - 2>/dev/null | tr '\n' ' ' | tr -s ' ')
for i in $(seq -w 0 38); do assert_contains "$text" "category number $i" "legend entry $i"; done
assert_contains "$text" "$LONG" "the long category, whole"
words cats.pdf > cats.words
title_bottom=$(awk '$5 == "Projects" { print $4; exit }' cats.words)
credits_top=$(awk '$5 == "Boundaries:" { print $2; exit }' cats.words)
bad=$(awk -v t="$title_bottom" -v c="$credits_top" '$5 == "number" && ($2 < t || $4 > c)' cats.words)
assert_eq "" "$bad" "legend entries outside the frame (title bottom $title_bottom, credits top $credits_top)"
W=$(page_w cats.pdf)
span=$(awk '$5 == "extraordinarily" { y = $2; x0 = $1 } y != "" && $2 == y { x1 = $3 } END { print x1 - x0 }' cats.words)
"$PY" -c "import sys; sys.exit(0 if $span <= 0.35 * $W else 1)" || fail "the long name's first line is $span pt wide (page $W)"
case_end

case_begin "legend: 400 categories on a small page: those that do not fit are counted in a last entry, never dropped silently"
"$PY" -c "
print('id,company,category,name,lon,lat')
for i in range(400): print(f'M{i},Co,kind {i:03d},P{i},{-170 + i * 0.8:.2f},{-50 + (i % 100):.2f}')" > many.csv
MDB=$WORK/many.sqlite
fp_init "$MDB" >/dev/null 2>&1; "$FP" -q --db "$MDB" import many.csv >/dev/null 2>&1
run --db "$MDB" render --style category-points --size 800x500 -o many.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
text=$(pdftotext -raw many.pdf - 2>/dev/null | tr '\n' ' ' | tr -s ' ')
listed=$(grep -o 'kind [0-9][0-9][0-9]' <<<"$text" | sort -u | wc -l)
more=$(grep -o 'and [0-9]* more categories' <<<"$text" | grep -o '[0-9]*')
assert_eq 400 "$((listed + ${more:-0}))" "listed ($listed) + counted in 'and N more categories' (${more:-none})"
case_end

case_begin "legend: a category drawn only as lines (a cable) shows a line swatch, a point category a round marker"
printf 'id,company,category,name,wkt\nL1,c,cable,cable,"LINESTRING(-30 10, 20 40)"\nP1,c,5g,site,"POINT(36.8 -1.3)"\n' > lines.csv
LDB=$WORK/lines.sqlite
fp_init "$LDB" >/dev/null 2>&1; "$FP" -q --db "$LDB" import lines.csv >/dev/null 2>&1
run --db "$LDB" render --style category-points -o lines.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$LDB" render --style category-points -o lines.png
# The coloured pixels left of each legend label (the PDF's word boxes, in points,
# times 150/72 on the PNG): their box is wide and flat for a line, square for a dot.
words lines.pdf > lines.words
shape() {
    read -r x0 y0 _ y1 _ <<<"$(awk -v w="$1" '$5 == w' lines.words | tail -1)"
    "$PY" - lines.png "$x0" "$y0" "$y1" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert('RGB')
k = 150 / 72
x0, y0, y1 = (float(v) for v in sys.argv[2:5])
xs, ys = [], []
for x in range(int((x0 - 16) * k), int((x0 - 1) * k)):
    for y in range(int((y0 - 3) * k), int((y1 + 3) * k)):
        r, g, b = im.getpixel((x, y))
        if max(r, g, b) - min(r, g, b) > 60:
            xs.append(x); ys.append(y)
print('none' if not xs else 'line' if (max(xs) - min(xs) + 1) >= 2.5 * (max(ys) - min(ys) + 1) else 'marker')
PY
}
assert_eq line "$(shape cable)" "the cable's swatch"
assert_eq marker "$(shape 5g)" "the point category's swatch"
case_end

case_begin "the legend's default title names the level as a noun: per region, per grid cell, not per regions, per grid"
# An outside tester's regions:FILE map read "Projects per regions".
printf '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"R1","name":"Nairobi box"},"geometry":{"type":"Polygon","coordinates":[[[36,-2],[37.5,-2],[37.5,-0.5],[36,-0.5],[36,-2]]]}}]}' > box.geojson
"$FP" -q --db "$DB" aggregate --by regions:box.geojson --name boxes > /dev/null || fail "aggregate regions"
"$FP" -q --db "$DB" aggregate --by grid:5 --name cells > /dev/null || fail "aggregate grid"
for k in "boxes regions region" "cells grid grid cell"; do
    set -- $k
    agg=$1 level=$2
    shift 2
    printf '{ "name": "t", "choropleth": { "aggregation": "%s", "level": "%s", "field": "projects", "method": "quantile", "classes": 3, "scheme": "YlOrRd" } }' "$agg" "$level" > "t_$agg.json"
    "$FP" -q --db "$DB" render --style "t_$agg.json" -o "t_$agg.pdf" || fail "render $agg"
    txt=$(pdftotext "t_$agg.pdf" - 2>/dev/null | tr '\n' ' ')
    assert_contains "$txt" "Projects per $* " "the legend's title ($level)"
done
case_end

case_begin "legend: a choropleth no region has a value of (amount, all 0 in sqlite3) keeps its title and 'none (N)', N the regions with a geometry (sqlite3); a note on stderr; a page of panels too"
# An outside tester's all-grey map had no legend and no word of why.
assert_eq 0 "$(sqlite3 "$DB" "SELECT count(*) FROM agg_country_by_category WHERE level = 'country' AND amount <> 0")" \
    "countries with an amount (sqlite3)"
NREG=$(sqlite3 "$DB" "SELECT count(*) FROM agg_country_by_category WHERE level = 'country' AND geom IS NOT NULL")
printf '{ "choropleth": { "aggregation": "country_by_category", "field": "amount" } }' > amount.json
OUT=$("$FP" --db "$DB" render --style amount.json -o amount.pdf 2>&1 >/dev/null); RC=$?
assert_eq 0 "$RC" "exit status ($OUT)"
txt=$(pdftotext -layout amount.pdf - 2>/dev/null)
assert_contains "$txt" "Amount per country" "the legend's title"
assert_eq "none ($NREG)" "$(grep -oE 'none \([0-9]+\)' <<<"$txt")" "the no-data entry and its count"
assert_contains "$OUT" "render: note: no region of aggregation country_by_category has a value of choropleth.field 'amount'" "the note"
OUT=$("$FP" --db "$DB" render --style amount.json --facet category -o amount_f.pdf 2>&1 >/dev/null); RC=$?
assert_eq 0 "$RC" "exit status of the page of panels ($OUT)"
txt=$(pdftotext amount_f.pdf - 2>/dev/null)
assert_contains "$txt" "Amount per country" "the page's legend title"
assert_eq 1 "$(grep -cx 'none' <<<"$txt")" "the page's no-data entry"
assert_contains "$OUT" "render: note: no region in any panel of aggregation country_by_category has a value of choropleth.field 'amount'" "the page's note"
case_end

case_begin "legend: numbers of five digits or more are grouped by commas (population, equal intervals): the largest and smallest population (sqlite3) as Python's {:,} writes them, in the PDF's legend and the export's QML labels"
# An outside tester's legend read "1114184007 – 1392730000".
printf '{ "choropleth": { "aggregation": "country_by_category", "field": "population", "method": "equal" } }' > pop.json
read -r PMIN PMAX <<<"$(sqlite3 -separator ' ' "$DB" "SELECT min(population), max(population) FROM agg_country_by_category
                                                        WHERE level = 'country' AND geom IS NOT NULL AND population > 0")"
GMIN=$("$PY" -c "import sys; print(f'{int(sys.argv[1]):,}')" "$PMIN")
GMAX=$("$PY" -c "import sys; print(f'{int(sys.argv[1]):,}')" "$PMAX")
assert_contains "$GMAX" "," "the largest population has five digits or more ($PMAX)"
"$FP" -q --db "$DB" render --style pop.json -o pop.pdf || fail "render"
legend=$(pdftotext -layout pop.pdf - 2>/dev/null | grep -E '–|none')
assert_contains "$legend" "– $GMAX (" "the top class's upper bound"
assert_contains "$legend" "$GMIN – " "the first class's lower bound"
assert_eq "" "$(grep -oE '[0-9]{4,}' <<<"$legend")" "ungrouped runs of digits in the legend"
"$FP" -q --db "$DB" export --style pop.json --what aggregate:country_by_category -o pop.geojson || fail "export"
labels=$(grep -o 'label="[^"]*"' pop.qml)
assert_contains "$labels" "– $GMAX\"" "the QML's top label"
assert_eq "" "$(grep -oE '[0-9]{4,}' <<<"$labels")" "ungrouped runs of digits in the QML labels"
case_end

case_begin "legend.title: the style's words title the legend of a map, of a page of panels and of the tiles' preview, and the PDF's Subject; an empty one is refused"
# An outside tester could not replace "Category surveillance per country".
T="Surveillance projects by country, 2000–2020"
printf '{ "choropleth": { "aggregation": "country_by_category", "field": "category_5g" }, "legend": { "title": "%s" } }' "$T" > lt.json
OUT=$("$FP" --db "$DB" render --style lt.json -o lt.pdf 2>&1); RC=$?
assert_eq 0 "$RC" "exit status ($OUT)"
# The legend wraps a long title (Pango may break after the dash): compared without spaces.
assert_contains "$(pdftotext lt.pdf - 2>/dev/null | tr -d ' \n')" "${T// /}" "the map's legend"
assert_not_contains "$(pdftotext lt.pdf - 2>/dev/null)" "Category 5g" "the automatic title"
assert_contains "$(pdfinfo lt.pdf | grep '^Subject:')" "($T)" "the PDF's Subject"
OUT=$("$FP" --db "$DB" render --style lt.json --facet category -o ltf.pdf 2>&1); RC=$?
assert_eq 0 "$RC" "exit status of a page of panels ($OUT)"
assert_contains "$(pdftotext ltf.pdf - 2>/dev/null | tr -d ' \n')" "${T// /}" "the page's legend"
OUT=$("$FP" --db "$DB" tiles --style lt.json --zoom 0-0 -o lt_tiles 2>&1); RC=$?
assert_eq 0 "$RC" "exit status of tiles ($OUT)"
assert_contains "$(cat lt_tiles/index.html)" "<h2>$T</h2>" "the preview's legend"
printf '{ "legend": { "title": "" } }' > lt_empty.json
OUT=$("$FP" --db "$DB" render --style lt_empty.json -o lt_empty.pdf 2>&1); RC=$?
[ "$RC" = 0 ] && fail "an empty legend.title was taken"
assert_contains "$OUT" "lt_empty.json: legend.title: must not be empty" "message"
case_end
