#!/usr/bin/env bash
# render: a style's view.region and --region by code, name or continent; where
# a region is (its main part framed, not its far islands); --bbox and
# view.bbox across the antimeridian; the projection names --proj and
# view.projection share, and their messages; Ctrl-C
# and SIGTERM during a single map; a choropleth without an aggregation; the
# resolution written into PNG and GeoTIFF; --size checked.
#
# Expected values never come from footprint's own output:
#   * GDAL: gdalsrsinfo (the .prj's projection), gdaltransform (a pixel's lon/lat
#     from the world file and the CRS), gdalinfo (a GeoTIFF's TIFF tags);
#   * Pillow: a PNG's pHYs chunk (img.info['dpi']);
#   * places by their published coordinates, their pixels found with PROJ's
#     `proj` and the world file (tests/tools/png_probe.py);
#   * SpatiaLite: points inside Fiji's islands on each side of 180;
#   * PROJ's projinfo and `proj`, GDAL's gdalsrsinfo: what a documented PROJ
#     definition is, compared with the .prj written;
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

# ---- Where a region is: --region frames its main part (README, render) ----
# Places by their published coordinates; their pixels from PROJ's `proj` with
# the .prj as GDAL reads it, and the world file (tests/tools/png_probe.py).
probe() { "$PY" "$ROOT/tests/tools/png_probe.py" "$@" 2>&1; }
prj4() { gdalsrsinfo -o proj4 "$1" 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//'; }
# in_frame PNG LON LAT: 0 when the place's pixel lies inside the map's frame.
in_frame() {
    local xy fr
    xy=$(probe pixel "$1" "$(prj4 "${1%.png}.prj")" "$2" "$3")
    fr=$(probe frame "$1")
    "$PY" -c "import sys; c, r = map(int, '$xy'.split()); x0, y0, x1, y1 = map(int, '$fr'.split()); sys.exit(0 if x0 <= c < x1 and y0 <= r < y1 else 1)" 2>/dev/null
}
# places PNG in|out NAME:LON:LAT...: each place inside (in) or outside (out) the frame.
places() {
    local png=$1 want=$2 p name lon lat; shift 2
    for p in "$@"; do
        IFS=: read -r name lon lat <<<"$p"
        if in_frame "$png" "$lon" "$lat"; then [ "$want" = in ] || fail "$png: $name ($lon, $lat) inside the frame"
        else [ "$want" = out ] || fail "$png: $name ($lon, $lat) outside the frame"; fi
    done
}
LAND="#dddddd"   # doc/STYLE.md: the choropleth's default no-data colour (no project in Europe)
SEA="#eaf2f8"    # the world style's background

case_begin "--region Europe: framed on Europe, not on the antimeridian (centre 5..30 E, 45..62 N; Reykjavik, Lisbon, Valletta, Athens, Helsinki, Moscow inside the frame, Chukotka and New York outside), drawn large (Lisbon to Moscow over a third of the frame's width; Madrid, Paris, Warsaw land, Biscay sea)"
run --db "$DB" render --region Europe --size 900x600 -o eu.png
assert_eq 0 "$RC" "exit status ($OUT)"
inside "$(centre eu.png)" 5 45 30 62 || fail "centre pixel at $(centre eu.png), not in Europe's middle"
places eu.png in Reykjavik:-21.94:64.15 Lisbon:-9.14:38.72 Valletta:14.51:35.90 Athens:23.73:37.98 \
    Helsinki:24.94:60.17 Moscow:37.62:55.76 Dublin:-6.26:53.35
places eu.png out Anadyr:177.51:64.73 Uelen:-169.80:66.16 "New York:-74.01:40.71" Beijing:116.40:39.90
p=$(prj4 eu.prj)
read -r lx _ <<<"$(probe pixel eu.png "$p" -9.14 38.72)"
read -r mx _ <<<"$(probe pixel eu.png "$p" 37.62 55.76)"
read -r x0 _ x1 _ <<<"$(probe frame eu.png)"
"$PY" -c "import sys; sys.exit(0 if ($mx - $lx) > ($x1 - $x0) / 3 else 1)" ||
    fail "Lisbon (x $lx) to Moscow (x $mx): not over a third of the frame's width ($x0..$x1)"
for c in Madrid:-3.70:40.42 Paris:2.35:48.86 Warsaw:21.01:52.23; do
    IFS=: read -r name lon lat <<<"$c"
    assert_eq "$LAND" "$(probe probe eu.png "$p" "$lon" "$lat" 2)" "$name: land"
done
assert_eq "$SEA" "$(probe probe eu.png "$p" -5 45.5 2)" "the Bay of Biscay (-5, 45.5): sea"
case_end

case_begin "--region NOR, FRA, CHL frame the main part: Bouvet Island, Svalbard, French Guiana, Réunion, Easter Island outside the frame, the mainland (and Corsica, Tierra del Fuego) inside; RUS across the antimeridian, Kaliningrad to Chukotka (170 W)"
for r in NOR FRA CHL RUS; do
    run --db "$DB" render --region $r --size 900x600 -o "m_$r.png"
    assert_eq 0 "$RC" "$r exit status ($OUT)"
done
places m_NOR.png in Oslo:10.75:59.91 Bergen:5.32:60.39 "North Cape:25.78:71.17" Kirkenes:30.05:69.73
places m_NOR.png out "Bouvet Island:3.36:-54.42" Longyearbyen:15.63:78.22
places m_FRA.png in Paris:2.35:48.86 Brest:-4.49:48.39 Strasbourg:7.75:48.57 Ajaccio:8.74:41.92
places m_FRA.png out Cayenne:-52.33:4.92 "Saint-Denis (Réunion):55.45:-20.88" "Fort-de-France:-61.07:14.60"
places m_CHL.png in Santiago:-70.67:-33.45 Arica:-70.30:-18.48 "Punta Arenas:-70.91:-53.16"
places m_CHL.png out "Hanga Roa (Easter Island):-109.43:-27.15"
places m_RUS.png in Kaliningrad:20.51:54.71 Moscow:37.62:55.76 Anadyr:177.51:64.73 Uelen:-169.80:66.16
inside "$(centre m_RUS.png)" 80 40 130 75 || fail "RUS: centre pixel at $(centre m_RUS.png)"
case_end

case_begin "--region 'Western Europe' is centred at 44..52 N and 'Northern Europe' at 55..65 N (they were at 16.8 N and 10.8 N: French Guiana, Bouvet Island)"
run --db "$DB" render --region "Western Europe" --size 900x600 -o we.png
assert_eq 0 "$RC" "Western Europe exit status ($OUT)"
inside "$(centre we.png)" -2 44 15 52 || fail "Western Europe: centre pixel at $(centre we.png)"
places we.png in Paris:2.35:48.86 Vienna:16.37:48.21 Amsterdam:4.90:52.37
run --db "$DB" render --region "Northern Europe" --size 900x600 -o ne.png
assert_eq 0 "$RC" "Northern Europe exit status ($OUT)"
inside "$(centre ne.png)" -10 55 20 65 || fail "Northern Europe: centre pixel at $(centre ne.png)"
places ne.png in London:-0.13:51.51 Reykjavik:-21.94:64.15 Helsinki:24.94:60.17 Vilnius:25.28:54.69
case_end

case_begin "--bbox across the antimeridian: 177,-19.5,-178,-16 (W > E, RFC 7946) and 177,-19.5,182,-16 (E past 180) draw the same map centred on 179.5 E, Fiji's islands on both sides of 180 (points inside them from SpatiaLite) land, the sea between; a style's view.bbox too; 190,-25,200,-10 and S > N refused (exit 2)"
run --db "$DB" render --bbox 177,-19.5,-178,-16 --size 900x600 -o fj1.png
assert_eq 0 "$RC" "W > E: exit status ($OUT)"
run --db "$DB" render --bbox 177,-19.5,182,-16 --size 900x600 -o fj2.png
assert_eq 0 "$RC" "E past 180: exit status ($OUT)"
assert_eq "900x600 1.0000" "$(probe compare fj1.png fj2.png 0)" "the two forms: the same pixels"
p=$(prj4 fj1.prj)
assert_near 179.5 "$(grep -o '+lon_0=[-0-9.e]*' <<<"$p" | cut -d= -f2)" 0.01 "lon_0: the box's middle, (177 + 182) / 2 (.prj: $p)"
# A point inside Fiji's land in each box, by SpatiaLite alone.
inside_fji() { ssql "SELECT X(p) || ' ' || Y(p) FROM (SELECT PointOnSurface(Intersection(geom, BuildMbr($1))) p
                     FROM regions WHERE level = 'country' AND code = 'FJI')"; }
for part in "Viti Levu:177,-18.5,179,-17" "Vanua Levu, west of 180:179.5,-17.2,180,-16.4" \
            "Taveuni, east of 180:-180,-17.2,-179.5,-16.4" "the Lau islands, east of 180:-178.6,-18.3,-178,-17.5"; do
    name=${part%%:*}
    read -r lon lat <<<"$(inside_fji "${part#*:}")"
    [ -n "$lat" ] || { fail "$name: SpatiaLite found no land in ${part#*:}"; continue; }
    for png in fj1.png fj2.png; do
        assert_eq "$LAND" "$(probe probe $png "$p" "$lon" "$lat" 1)" "$png: $name ($lon, $lat) land"
    done
done
assert_eq "$SEA" "$(probe probe fj1.png "$p" -179 -19 2)" "the sea at (-179, -19)"
echo '{"view":{"bbox":[177,-19.5,-178,-16]}}' > fjs.json
run --db "$DB" render --style fjs.json --size 900x600 -o fjs.png
assert_eq 0 "$RC" "view.bbox across 180: exit status ($OUT)"
read -r lon lat <<<"$(inside_fji -180,-17.2,-179.5,-16.4)"
# A style without a choropleth draws plain land: doc/STYLE.md, land.fill "#f0f0f0".
assert_eq "#f0f0f0" "$(probe probe fjs.png "$(prj4 fjs.prj)" "$lon" "$lat" 1)" "view.bbox: Taveuni east of 180 land"
run --db "$DB" render --bbox 190,-25,200,-10 -o bad1.png
assert_eq 2 "$RC" "--bbox 190,-25,200,-10: exit status"
assert_contains "$OUT" "west 190 is outside -180..180" "--bbox 190,...: message"
run --db "$DB" render --bbox 170,-10,-170,-25 -o bad2.png
assert_eq 2 "$RC" "--bbox with S > N: exit status"
assert_contains "$OUT" "south must be less than north" "S > N: message"
[ ! -e bad1.png ] && [ ! -e bad2.png ] || fail "a refused box wrote a map"
case_end

# ---- Projection names: one list for --proj and view.projection (doc/STYLE.md) ----
# Each name with the PROJ definition doc/STYLE.md gives it, on a world map
# (centred on 0, 0). The expected projection comes from PROJ and GDAL reading
# that definition (projinfo, gdalsrsinfo), never from footprint.
PROJS="equal-earth:+proj=eqearth +lon_0=0 +datum=WGS84 +units=m +type=crs
robinson:+proj=robin +lon_0=0 +datum=WGS84 +units=m +type=crs
mollweide:+proj=moll +lon_0=0 +datum=WGS84 +units=m +type=crs
natural-earth:+proj=natearth +lon_0=0 +datum=WGS84 +units=m +type=crs
equirectangular:+proj=eqc +lon_0=0 +datum=WGS84 +units=m +type=crs
mercator:+proj=merc +lon_0=0 +datum=WGS84 +units=m +type=crs
web-mercator:EPSG:3857
laea:+proj=laea +lat_0=0 +lon_0=0 +datum=WGS84 +units=m +type=crs"
esri_method() { gdalsrsinfo -o wkt_esri "$1" 2>/dev/null | grep -o 'PROJECTION\["[^"]*"\]'; }
sameproj() { "$PY" "$ROOT/tests/tools/render_check.py" sameproj "$@" 2>&1; }

case_begin "every projection name doc/STYLE.md documents renders from a style's view.projection and from --proj (exit 0); the .prj is the projection of the documented PROJ definition (gdalsrsinfo: the same method; PROJ's proj: the same points); a style's PROJ string too"
while IFS=: read -r name def; do
    want=$(esri_method "$def")
    ref=$(projinfo -o PROJ -q "$def" 2>/dev/null | tail -1 | sed "s/ +type=crs//")   # `proj` takes no +type=crs
    [ -n "$want" ] && [ -n "$ref" ] || { fail "$name: GDAL/PROJ cannot read [$def]"; continue; }
    echo "{\"view\":{\"projection\":\"$name\"}}" > "p_$name.json"
    run --db "$DB" render --style "p_$name.json" --size 600x400 -o "ps_$name.png"
    assert_eq 0 "$RC" "view.projection $name: exit status ($OUT)"
    run --db "$DB" render --proj "$name" --size 600x400 -o "pc_$name.png"
    assert_eq 0 "$RC" "--proj $name: exit status ($OUT)"
    for png in "ps_$name.png" "pc_$name.png"; do
        [ -e "$png" ] || continue
        assert_eq "$want" "$(grep -o 'PROJECTION\["[^"]*"\]' "${png%.png}.prj")" "$png: the .prj's method"
        assert_eq same "$(sameproj "$(prj4 "${png%.png}.prj")" "$ref" 0,0 30,45 -120,-30 150,60 -60,-70)" \
            "$png: the .prj projects as [$ref]"
    done
done <<<"$PROJS"
echo '{"view":{"projection":"+proj=moll +lon_0=20 +datum=WGS84"}}' > p_str.json
run --db "$DB" render --style p_str.json --size 600x400 -o ps_str.png
assert_eq 0 "$RC" "view.projection as a PROJ string: exit status ($OUT)"
assert_eq same "$(sameproj "$(prj4 ps_str.prj)" "+proj=moll +lon_0=20 +datum=WGS84" 0,0 30,45 -120,-30)" \
    "view.projection as a PROJ string: the .prj"
case_end

case_begin "a projection PROJ does not know is named where it came from, with the names and a did-you-mean: --proj robinsn, a style's view.projection robinsn (the file, the key), a style's +proj=nosuch (not --proj); exit 2 or the style's error, nothing written"
run --db "$DB" render --proj robinsn -o pe1.png
assert_eq 2 "$RC" "--proj robinsn: exit status"
assert_contains "$OUT" "--proj robinsn: PROJ does not know this projection" "--proj robinsn: message"
assert_contains "$OUT" 'did you mean "robinson"?' "--proj robinsn: the nearest name"
assert_contains "$OUT" "equal-earth, robinson, mollweide, natural-earth, equirectangular, mercator, web-mercator, laea" "--proj robinsn: the names"
echo '{"view":{"projection":"robinsn"}}' > pe2.json
run --db "$DB" render --style pe2.json -o pe2.png
[ "$RC" -ne 0 ] || fail "view.projection robinsn: exit status 0"
assert_contains "$OUT" "pe2.json: view.projection" "view.projection robinsn: the file and the key"
assert_contains "$OUT" 'did you mean "robinson"?' "view.projection robinsn: the nearest name"
assert_not_contains "$OUT" "--proj" "view.projection robinsn: blames --proj"
echo '{"view":{"projection":"+proj=nosuch"}}' > pe3.json
run --db "$DB" render --style pe3.json -o pe3.png
assert_eq 2 "$RC" "view.projection +proj=nosuch: exit status ($OUT)"
assert_contains "$OUT" "pe3.json: view.projection +proj=nosuch: PROJ does not know this projection" "+proj=nosuch: message"
assert_contains "$OUT" "names: equal-earth" "+proj=nosuch: the names"
assert_not_contains "$OUT" "--proj" "+proj=nosuch: blames --proj"
[ ! -e pe1.png ] && [ ! -e pe2.png ] && [ ! -e pe3.png ] || fail "a map written"
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

case_begin "small countries with projects (Singapore on a world map, about 2 px wide) are drawn as a dot of their class colour: Kenya's colour (same class) found at Singapore"
printf 'id,company,category,name,lon,lat\nK1,A,5g,Nairobi,36.8219,-1.2921\nS1,B,5g,Singapore,103.8198,1.3521\n' > small.csv
fp_init small.sqlite >/dev/null && "$FP" -q --db small.sqlite import small.csv && "$FP" -q --db small.sqlite aggregate --by country --group category
run --db small.sqlite render -o small.png
assert_eq 0 "$RC" "exit status ($OUT)"
# Pixels by GDAL (world file + CRS): Kenya's fill at Marsabit (away from its label), then Singapore's surroundings.
ken=$(echo "39.0 3.0" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" small.png 2>/dev/null)
sgp=$(echo "103.82 1.35" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" small.png 2>/dev/null)
n=$("$PY" -c "
from PIL import Image
im = Image.open('small.png').convert('RGB')
kx, ky = (int(float(v)) for v in '$ken'.split()[:2]); sx, sy = (int(float(v)) for v in '$sgp'.split()[:2])
c = im.getpixel((kx, ky))
print(sum(im.getpixel((x, y)) == c for x in range(sx - 8, sx + 9) for y in range(sy - 8, sy + 9)))")
[ "${n:-0}" -ge 15 ] || fail "Kenya's class colour at ${n:-0} pixels around Singapore (a dot of radius ~4.7 px expected)"
case_end

# Archipelagos whose extent is wide but every island a few pixels (an
# outside tester's Pacific map: Fiji and Tonga showed only their labels).
case_begin "archipelagos with projects (Fiji, Tonga on a Pacific-centred world map) get a dot of their class colour too"
printf 'id,company,category,name,lon,lat\nK1,A,5g,Nairobi,36.8219,-1.2921\nF1,B,5g,Suva,178.44,-18.14\nT1,B,5g,Nukualofa,-175.2,-21.13\n' > arch.csv
fp_init arch.sqlite >/dev/null && "$FP" -q --db arch.sqlite import arch.csv && "$FP" -q --db arch.sqlite aggregate --by country --group category
run --db arch.sqlite render --proj "+proj=eqearth +lon_0=150" -o arch.png
assert_eq 0 "$RC" "exit status ($OUT)"
ken=$(echo "39.0 3.0" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" arch.png 2>/dev/null)
for place in "FJI 178.5 -17.4" "TON -175.2 -21.15"; do
    set -- $place
    at=$(echo "$2 $3" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" arch.png 2>/dev/null)
    n=$("$PY" -c "
from PIL import Image
im = Image.open('arch.png').convert('RGB')
kx, ky = (int(float(v)) for v in '$ken'.split()[:2]); sx, sy = (int(float(v)) for v in '$at'.split()[:2])
c = im.getpixel((kx, ky))
print(sum(im.getpixel((x, y)) == c for x in range(sx - 12, sx + 13) for y in range(sy - 12, sy + 13)))")
    [ "${n:-0}" -ge 30 ] || fail "$1: Kenya's class colour at ${n:-0} pixels around it (a dot of radius ~4.7 px, about 69 px, expected)"
done
case_end

# A campus or a data centre's building mapped as its outline (an outside
# tester's OpenStreetMap areas, a few hundred metres across) was two or
# three pixels on a world map of points: drawn as its category's symbol
# too when smaller on the page than that symbol. Kenya's point gives the
# symbol's colour; pixels counted by PIL round Jakarta's campus, located
# by GDAL (gdaltransform) from the PNG's georeferencing.
case_begin "an area smaller on the page than a point's symbol is drawn as that symbol too (a 100 m campus on a world map)"
cat > tiny.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"K","category":"dc"},"geometry":{"type":"Point","coordinates":[36.8219,-1.2921]}},
{"type":"Feature","properties":{"id":"J","category":"dc"},"geometry":{"type":"Polygon","coordinates":[[[106.8,-6.2],[106.801,-6.2],[106.801,-6.201],[106.8,-6.201],[106.8,-6.2]]]}}]}
JSON
fp_init tiny.sqlite >/dev/null && "$FP" -q --db tiny.sqlite import tiny.geojson
run --db tiny.sqlite render --style category-points -o tiny.png
assert_eq 0 "$RC" "exit status ($OUT)"
ken=$(echo "36.8219 -1.2921" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" tiny.png 2>/dev/null)
jkt=$(echo "106.8005 -6.2005" | gdaltransform -i -t_srs "+proj=longlat +datum=WGS84 +no_defs" tiny.png 2>/dev/null)
n=$("$PY" -c "
from PIL import Image
im = Image.open('tiny.png').convert('RGB')
kx, ky = (int(round(float(v))) for v in '$ken'.split()[:2]); jx, jy = (int(round(float(v))) for v in '$jkt'.split()[:2])
c = im.getpixel((kx, ky))
k = sum(im.getpixel((x, y)) == c for x in range(kx - 12, kx + 13) for y in range(ky - 12, ky + 13))
j = sum(im.getpixel((x, y)) == c for x in range(jx - 12, jx + 13) for y in range(jy - 12, jy + 13))
print(k, j)")
set -- $n
[ "${1:-0}" -ge 20 ] || fail "Kenya's symbol: ${1:-0} pixels of its colour (the reference)"
[ "${2:-0}" -ge $(( ${1:-0} * 2 / 3 )) ] || fail "Jakarta's campus: ${2:-0} pixels of the symbol's colour against Kenya's ${1:-0}"
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
