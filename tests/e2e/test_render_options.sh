#!/usr/bin/env bash
# render: a style's view.region and --region by code, name or continent; Ctrl-C
# and SIGTERM during a single map; a choropleth without an aggregation; the
# resolution written into PNG and GeoTIFF; --size checked.
#
# Expected values never come from footprint's own output:
#   * GDAL: gdalsrsinfo (the .prj's projection), gdaltransform (a pixel's lon/lat
#     from the world file and the CRS), gdalinfo (a GeoTIFF's TIFF tags);
#   * Pillow: a PNG's pHYs chunk (img.info['dpi']);
#   * poppler's pdftotext; sha256sum for files that must not change.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

DB=$WORK/s.sqlite
printf 'id,company,category,name,country,lon,lat\nS1,Acme,5g,Nairobi 5G core,KEN,36.8219,-1.2921\n' > one.csv
fp_init "$DB" >/dev/null 2>&1 && "$FP" -q --db "$DB" import one.csv >/dev/null 2>&1 &&
    "$FP" -q --db "$DB" aggregate --by country --group category >/dev/null 2>&1 || echo "FAIL the one-project store"

# centre PNG: the lon/lat of the image's centre pixel (GDAL: world file + .aux.xml CRS).
centre() {
    local wh
    wh=$("$PY" -c "from PIL import Image; w, h = Image.open('$1').size; print(w / 2, h / 2)")
    echo "$wh" | gdaltransform -output_xy -t_srs "+proj=longlat +datum=WGS84 +no_defs" "$1" 2>/dev/null
}
inside() {  # "LON LAT" W S E N
    "$PY" -c "import sys; x, y = map(float, '$1'.split()); sys.exit(0 if $2 <= x <= $4 and $3 <= y <= $5 else 1)" 2>/dev/null
}

case_begin "style view.region \"Africa\" (a continent): the map centred on Africa (the style's Equal Earth), subtitle Africa; --region Africa too (LAEA)"
echo '{"view":{"region":"Africa"}}' > africa.json
run --db "$DB" render --style africa.json -o r.png
assert_eq 0 "$RC" "exit status ($OUT)"
proj=$(gdalsrsinfo -o proj4 r.prj 2>/dev/null)
assert_contains "$proj" "+proj=eqearth" "the style's default projection (.prj)"
assert_not_contains "$proj" "+lon_0=0 " "a world map's central meridian"
c=$(centre r.png)
inside "$c" 5 -15 35 15 || fail "centre pixel at $c, not in Africa's middle"
run --db "$DB" render --style africa.json -o r.pdf
assert_contains "$(pdftotext r.pdf - 2>/dev/null)" "Africa" "subtitle"
run --db "$DB" render --region Africa -o ra.png
assert_eq 0 "$RC" "--region Africa exit status ($OUT)"
assert_contains "$(gdalsrsinfo -o proj4 ra.prj 2>/dev/null)" "+proj=laea" "--region: LAEA (.prj)"
inside "$(centre ra.png)" 5 -15 35 15 || fail "--region Africa: centre pixel at $(centre ra.png)"
run --db "$DB" render --region "eastern africa" -o rea.png
assert_eq 0 "$RC" "--region 'eastern africa' (a subregion, any case) exit status ($OUT)"
case_end

case_begin "style view.region \"KEN\" (a code) and \"Kenya\" (a name): centred on Kenya"
for r in KEN Kenya; do
    echo "{\"view\":{\"region\":\"$r\"}}" > ken.json
    run --db "$DB" render --style ken.json -o ken.png
    assert_eq 0 "$RC" "$r exit status ($OUT)"
    inside "$(centre ken.png)" 33 -5 43 5 || fail "$r: centre pixel at $(centre ken.png)"
done
case_end

case_begin "style view.region \"Nowhereland\", --region Nowhereland: exit 2 naming it, nothing written"
echo '{"view":{"region":"Nowhereland"}}' > bad.json
run --db "$DB" render --style bad.json -o bad.png
assert_eq 2 "$RC" "exit status"
assert_contains "$OUT" "view.region Nowhereland: no region" "message"
assert_contains "$OUT" "Africa" "the continents listed"
[ ! -e bad.png ] || fail "bad.png written"
run --db "$DB" render --region Nowhereland -o bad2.png
assert_eq 2 "$RC" "--region exit status"
assert_contains "$OUT" "--region Nowhereland: no region" "--region message"
case_end

# interrupt_at SIGNAL FILE ARGS...: render ARGS paused before its rename
# (FOOTPRINT_TEST_PAUSE_AT=render:write), sent SIGNAL there; RC and OUT as run's.
interrupt_at() {
    local sig=$1 pid; shift
    FOOTPRINT_TEST_PAUSE_AT=render:write "$FP" "$@" > int.out 2>&1 &
    pid=$!
    wait_for_line int.out "paused at render:write" $pid 60 || fail "never paused: $(cat int.out)"
    kill -"$sig" $pid
    wait $pid
    RC=$?
    OUT=$(cat int.out)
}

case_begin "Ctrl-C (SIGINT) or SIGTERM during a single render: 'interrupted', exit 1, the previous map (PNG, .pgw, GeoTIFF) unchanged, no temporary file"
mkdir -p int
"$FP" -q --db "$DB" render --size 300x200 -o int/m.png && "$FP" -q --db "$DB" render --size 300x200 -o int/m.tif
before=$(sha256sum int/m.png int/m.pgw int/m.prj int/m.tif)
interrupt_at INT --db "$DB" render --size 320x200 -o int/m.png
assert_eq 1 "$RC" "SIGINT: exit status ($OUT)"
assert_contains "$OUT" "footprint: interrupted" "SIGINT: message"
interrupt_at TERM --db "$DB" render --size 320x200 -o int/m.tif
assert_eq 1 "$RC" "SIGTERM: exit status ($OUT)"
assert_contains "$OUT" "footprint: interrupted" "SIGTERM: message"
assert_eq "$before" "$(sha256sum int/m.png int/m.pgw int/m.prj int/m.tif)" "previous files byte-identical"
assert_eq "" "$(ls -A int | grep tmp)" "temporary files left"
case_end

case_begin "choropleth {} without --aggregation: the store's only aggregation is drawn; several or none: exit 2 listing them"
echo '{"choropleth":{}}' > ch.json
run --db "$DB" render --style ch.json -o ch.pdf
assert_eq 0 "$RC" "one aggregation: exit status ($OUT)"
text=$(pdftotext ch.pdf - 2>/dev/null)
assert_contains "$text" "Projects per country" "the choropleth's legend"
assert_contains "$text" "none" "the legend's no-data class"
cp "$DB" two.sqlite
"$FP" -q --db two.sqlite aggregate --by country --name second >/dev/null 2>&1
run --db two.sqlite render --style ch.json -o ch2.png
assert_eq 2 "$RC" "two aggregations: exit status"
assert_contains "$OUT" "country_by_category, second" "the aggregations listed"
[ ! -e ch2.png ] || fail "ch2.png written"
fp_init none.sqlite >/dev/null 2>&1
run --db none.sqlite render --style ch.json -o ch0.png
assert_eq 2 "$RC" "no aggregation: exit status"
assert_contains "$OUT" "footprint aggregate" "the hint"
case_end

case_begin "background \"none\": a transparent page (PNG with alpha, PDF with nothing behind the map, rendered by poppler); the default page stays opaque RGB; a GeoTIFF keeps its paper"
echo '{"background":"none"}' > clear.json
run --db "$DB" render --style clear.json -o clear.png
assert_eq 0 "$RC" "exit status ($OUT)"
# Pillow: the mode, the corner (page outside the map) and the share of opaque pixels (land).
got=$("$PY" -c "
from PIL import Image
im = Image.open('clear.png'); a = im.getchannel('A') if im.mode == 'RGBA' else None
h = a.histogram() if a else [0] * 256
print(im.mode, a.getpixel((0, 0)) if a else '-', round(h[255] / sum(h), 2) if a else '-', round(h[0] / sum(h), 2) if a else '-')")
read -r mode corner opaque clear <<<"$got"
assert_eq RGBA "$mode" "the PNG has an alpha channel"
assert_eq 0 "$corner" "the page corner is transparent"
"$PY" -c "import sys; sys.exit(0 if 0.1 <= $opaque <= 0.6 and $clear >= 0.3 else 1)" 2>/dev/null ||
    fail "opaque share $opaque (land, legend, text), transparent $clear (sea and page)"
# The land of Kenya (its projects' country) is opaque and keeps its colour.
px=$(echo "36.8 0.5" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" clear.png 2>/dev/null)
alpha=$("$PY" -c "
from PIL import Image
x, y = map(float, '$px'.split()[:2]); print(Image.open('clear.png').getpixel((int(x), int(y)))[3])" 2>/dev/null)
assert_eq 255 "$alpha" "Kenya (land) at pixel $px"
run --db "$DB" render -o opaque.png
assert_eq RGB "$("$PY" -c "from PIL import Image; print(Image.open('opaque.png').mode)")" "the default style's page is opaque"
run --db "$DB" render --style clear.json -o clear.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
pdftocairo -png -transp -r 20 -singlefile clear.pdf pdfpage 2>/dev/null
assert_eq 0 "$("$PY" -c "from PIL import Image; print(Image.open('pdfpage.png').convert('RGBA').getpixel((0, 0))[3])" 2>/dev/null)" \
    "the PDF has nothing behind its corner (pdftocairo -transp)"
run --db "$DB" render --style clear.json -o clear.tif
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 3 "$(gdalinfo clear.tif 2>/dev/null | grep -c '^Band ')" "the GeoTIFF stays RGB"
case_end

case_begin "points at one place: three projects of three categories at the same coordinates all show, side by side around the place (no colour of the legend missing from the map)"
printf 'id,company,category,name,lon,lat\nT1,A,5g,One,20.0,10.0\nT2,B,smart_city,Two,20.0,10.0\nT3,C,surveillance,Three,20.0,10.0\n' > same.csv
fp_init same.sqlite >/dev/null && "$FP" -q --db same.sqlite import same.csv
run --db same.sqlite render --style category-points -o same.png
assert_eq 0 "$RC" "exit status ($OUT)"
# The place's pixel from the world file and .prj (GDAL), then each category's colour
# (the shipped style's points.colors) counted within 30 px of it (4 pt at 150 dpi is 8 px).
px=$(echo "20.0 10.0" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" same.png 2>/dev/null)
got=$("$PY" -c "
from PIL import Image
im = Image.open('same.png').convert('RGB'); x0, y0 = (int(float(v)) for v in '$px'.split()[:2])
want = {'5g': (0xe4, 0x1a, 0x1c), 'smart_city': (0x37, 0x7e, 0xb8), 'surveillance': (0x98, 0x4e, 0xa3)}
n = dict.fromkeys(want, 0)
for y in range(y0 - 30, y0 + 31):
    for x in range(x0 - 30, x0 + 31):
        p = im.getpixel((x, y))
        for k, c in want.items(): n[k] += p == c
print(' '.join('%s=%d' % kv for kv in n.items()))")
for c in 5g smart_city surveillance; do
    cnt=$(sed -n "s/.*\b$c=\([0-9]*\).*/\1/p" <<<"$got")
    [ "${cnt:-0}" -ge 10 ] || fail "category $c: ${cnt:-0} pixels of its colour near the place ($got)"
done
case_end

case_begin "--paper A5, A2, tabloid and WxHmm / WxHin pages: sizes by ISO 216 / US arithmetic (pdfinfo, Pillow); an unknown or out-of-range size: exit 2 listing the sizes"
pagesize() { pdfinfo "$1" 2>/dev/null | awk '/^Page size/ {printf "%.0fx%.0f", $3, $5}'; }
pt() { "$PY" -c "print('%.0fx%.0f' % ($1 / 25.4 * 72, $2 / 25.4 * 72))"; }
run --db "$DB" render --paper A5 -o a5.pdf
assert_eq "0 $(pt 210 148)" "$RC $(pagesize a5.pdf)" "A5 landscape ($OUT)"
run --db "$DB" render --paper A2 --portrait -o a2.pdf
assert_eq "0 $(pt 420 594)" "$RC $(pagesize a2.pdf)" "A2 portrait ($OUT)"
run --db "$DB" render --paper tabloid -o tab.pdf
assert_eq "0 1224x792" "$RC $(pagesize tab.pdf)" "tabloid landscape, 17 x 11 in ($OUT)"
run --db "$DB" render --paper 160x100mm -o col.pdf
assert_eq "0 $(pt 160 100)" "$RC $(pagesize col.pdf)" "160 x 100 mm as given ($OUT)"
run --db "$DB" render --paper 6x4in --dpi 100 -o col.png
assert_eq "0 600x400" "$RC $("$PY" -c "from PIL import Image; print('%dx%d' % Image.open('col.png').size)")" "6 x 4 in at 100 dpi ($OUT)"
run --db "$DB" render --paper A6 -o a6.pdf
assert_eq 2 "$RC" "A6"
assert_contains "$OUT" "A5, A4, A3, A2, A1, letter, legal, tabloid" "the sizes listed"
run --db "$DB" render --paper 5x5mm -o tiny.pdf
assert_eq 2 "$RC" "5 x 5 mm"
assert_contains "$OUT" "20 to 2000 mm" "the range"
[ ! -e a6.pdf ] && [ ! -e tiny.pdf ] || fail "a file written for a refused size"
case_end

case_begin "resolution: the PNG's pHYs says its dpi (150 by default, 300 with --dpi 300); the GeoTIFF's XResolution/YResolution/ResolutionUnit too"
run --db "$DB" render -o d150.png
run --db "$DB" render --dpi 300 --size 600x400 -o d300.png
dpi() { "$PY" -c "from PIL import Image; d = Image.open('$1').info.get('dpi'); print(' '.join(str(round(v)) for v in d) if d else 'none')"; }
assert_eq "150 150" "$(dpi d150.png)" "default PNG"
assert_eq "300 300" "$(dpi d300.png)" "--dpi 300 PNG"
run --db "$DB" render --dpi 300 --size 600x400 -o d300.tif
assert_eq 0 "$RC" "GeoTIFF exit status ($OUT)"
gi=$(gdalinfo d300.tif 2>/dev/null)
assert_contains "$gi" "TIFFTAG_XRESOLUTION=300" "XResolution"
assert_contains "$gi" "TIFFTAG_YRESOLUTION=300" "YResolution"
assert_contains "$gi" "TIFFTAG_RESOLUTIONUNIT=2 (pixels/inch)" "ResolutionUnit"
assert_contains "$gi" "Coordinate System is" "the CRS still inside"
case_end

case_begin "--size 1600x900x3 and --size with --paper: exit 2, nothing written"
run --db "$DB" render --size 1600x900x3 -o z1.png
assert_eq 2 "$RC" "--size 1600x900x3"
run --db "$DB" render --size 1600x900 --paper A3 -o z2.png
assert_eq 2 "$RC" "--size with --paper"
assert_contains "$OUT" "--size and --paper exclude each other" "message"
[ ! -e z1.png ] && [ ! -e z2.png ] || fail "a file written"
case_end

case_begin "4,000 categories: a map in seconds (colours were searched for among all categories', and past the 3,000-odd generated ones for ever), the legend saying how many more"
python3 -c "
import random; random.seed(3)
print('id,company,category,name,lon,lat')
for i in range(4000): print(f'K{i},Co,kind {i:05d},P{i},{random.uniform(-170,170):.3f},{random.uniform(-60,70):.3f}')" > kinds.csv
fp_init kinds.sqlite && "$FP" -q --db kinds.sqlite import kinds.csv
OUT=$(timeout -s KILL 60 "$FP" --db kinds.sqlite render --style category-points -o kinds.pdf 2>&1); RC=$?
assert_eq 0 "$RC" "exit status (137: killed after 60 s)"
assert_contains "$(pdftotext kinds.pdf - 2>/dev/null | tr -s ' \n' ' ')" "more categories" "the legend counts the categories left out"
case_end
