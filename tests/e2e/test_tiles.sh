#!/usr/bin/env bash
# tiles: XYZ directories and MBTiles of raster tiles (PNG, WebP, --scale 2,
# --tms, --bbox), the TileJSON document and the Leaflet preview, --resume after
# a kill -9, bad input and output safety.
#
# Expected values come from independent sources, never from footprint's output:
#   * tile addresses and pixels from PROJ's cs2cs (EPSG:4326 -> EPSG:3857) and the
#     OSM slippy-map formulas (tests/tools/tile_check.py);
#   * the class colour of Kenya from the store with Python's sqlite3, doc/STYLE.md's
#     quantile rule and ColorBrewer's colours (tests/tools/render_check.py classes);
#   * the MBTiles 1.3 specification's metadata keys and its TMS row order, read
#     with the sqlite3 shell, and GDAL's MBTiles driver (gdalinfo);
#   * file signatures (PNG IHDR, RIFF/WEBP) and Debian's libjs-leaflet files.
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
PY=/usr/bin/python3
tc() { "$PY" "$TOOLS/tile_check.py" "$@" 2>&1; }

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the tile tests)"
"$PY" "$TOOLS/render_check.py" classes "$DB" country_by_category > classes.json
KEN=$("$PY" -c "import json; print(json.load(open('classes.json'))['colour']['KEN'])")
NOLABELS=$WORK/nolabels.json
"$PY" - "$ROOT/styles/category-points.json" "$NOLABELS" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s.pop("labels", None)                       # no labels: every tile edge must then match exactly
json.dump(s, open(sys.argv[2], "w"))
PY

# ==============================================================================
case_begin "z0-2 into a directory: 1 + 4 + 16 PNG tiles of 256 x 256 px, nothing else under z/x/"
run --db "$DB" tiles --zoom 0-2 -o xyz
assert_eq 0 "$RC" "exit status ($OUT)"
expect=$( (tc list 0 -180 -85.0511 180 85.0511; tc list 1 -180 -85.0511 180 85.0511; tc list 2 -180 -85.0511 180 85.0511) | sort)
assert_eq "$expect" "$(tc files xyz png)" "tiles written"
assert_eq 21 "$(wc -l <<<"$expect")" "expected count"
sizes=$(for f in xyz/[0-9]*/*/*.png; do tc size "$f"; done | sort -u)
assert_eq "256x256" "$sizes" "PNG sizes"
assert_eq "" "$(find xyz -name '.*' -o -name '*.tmp*')" "no temporary files left"
assert_eq "" "$(ls -d xyz.partial 2>/dev/null)" "no partial directory left"
assert_contains "$OUT" "21 tiles" "summary line"
case_end

case_begin "TileJSON 3.0: tilejson, tiles template, scheme, zooms, bounds, center; index.html loads Leaflet from lib/"
j=$("$PY" -c "
import json; t = json.load(open('xyz/tiles.json'))
print(t['tilejson'], t['tiles'], t['scheme'], t['minzoom'], t['maxzoom'], t['bounds'], t['center'], 'name' in t, 'attribution' in t)")
assert_eq "3.0.0 ['{z}/{x}/{y}.png'] xyz 0 2 [-180.0, -85.051129, 180.0, 85.051129] [0.0, 20.0, 2] True True" "$j" "tiles.json"
assert_contains "$(cat xyz/index.html)" '<script src="lib/leaflet/leaflet.js"></script>' "index.html loads Leaflet locally"
assert_not_contains "$(cat xyz/index.html)" 'http://' "index.html: no CDN"
assert_not_contains "$(cat xyz/index.html)" 'https://' "index.html: no CDN"
cmp -s xyz/lib/leaflet/leaflet.js /usr/share/javascript/leaflet/leaflet.js || fail "lib/leaflet/leaflet.js is not Debian's"
[ -f xyz/lib/leaflet/images/marker-icon.png ] || fail "Leaflet's images not copied"
n=$("$PY" -c "import json; print(len(json.load(open('xyz/layers/projects.geojson'))['features']))")
assert_eq "$(sql "SELECT count(*) FROM projects WHERE geom IS NOT NULL")" "$n" "layers/projects.geojson: every project with a location"
n=$("$PY" -c "import json; print(len(json.load(open('xyz/layers/regions.geojson'))['features']))")
assert_eq "$(sql "SELECT count(*) FROM agg_country_by_category WHERE level='country' AND geom IS NOT NULL")" "$n" "layers/regions.geojson: the aggregation's countries"
assert_contains "$(cat xyz/index.html)" "$KEN" "the legend has Kenya's class colour"
case_end

case_begin "pixel probes: Nairobi has Kenya's class colour ($KEN) at z2, z3 and z5; the open Pacific is sea"
for z in 2 3; do
    p=$(tc pixel xyz "$z" 36.8172 -1.2864 1)
    [ "$z" = 3 ] && { run --db "$DB" tiles --zoom 3 -o z3; p=$(tc pixel z3 3 36.8172 -1.2864 1); }
    assert_eq "$KEN" "${p##* }" "z$z Nairobi ($p)"
done
run --db "$DB" tiles --zoom 5 --bbox 33,-5,42,5 -o z5
p=$(tc pixel z5 5 36.8172 -1.2864 1)
assert_eq "5/19/16 $KEN" "$(cut -d' ' -f1 <<<"$p") ${p##* }" "z5: the tile (cs2cs + XYZ arithmetic) and Kenya's colour ($p)"
p=$(tc pixel xyz 2 -140 0 2)
assert_eq "#eaf2f8" "${p##* }" "the Pacific at 140W 0N ($p)"
case_end

case_begin "a line and a box crossing the antimeridian: drawn at both edges of the z0 tile, no streak across it"
E="$WORK/am/fp.sqlite"
fp_init "$E" >/dev/null 2>&1
printf 'id,company,category,name,wkt\nL1,c,cable,cable,"LINESTRING(170 -15, -170 -20)"\nL2,c,cable,box,"POLYGON((178 -36, -178 -36, -178 -44, 178 -44, 178 -36))"\n' > amw.csv
"$FP" -q --db "$E" import amw.csv
run --db "$E" tiles --style category-points --zoom 0 -o am
assert_eq 0 "$RC" "exit status ($OUT)"
# Columns of the 256 px z0 tile by the OSM formula x = (lon + 180) / 360 * 256:
# 0-20 (180 W - 151 W), 64-191 (90 W - 90 E), 236-255 (152 E - 180). Pixels
# near the style's cable colour #1b9e77 (antialiased 1 px lines).
got=$("$PY" - am/0/0/0.png <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
near = lambda p: sum(abs(a - b) for a, b in zip(p, (0x1b, 0x9e, 0x77))) <= 120
n = lambda x0, x1: sum(near(im.getpixel((x, y))) for x in range(x0, x1) for y in range(im.size[1]))
print(n(0, 21), n(64, 192), n(236, 256))
PY
)
read -r west middle east <<<"$got"
assert_eq 0 "$middle" "cable-coloured pixels between 90 W and 90 E ($got)"
[ "${west:-0}" -ge 5 ] && [ "${east:-0}" -ge 5 ] || fail "the pieces at the edges: west ${west:-none}, east ${east:-none} (want >= 5 each)"
case_end

# The store's Russia is cut at 180 E (Natural Earth's polygons are); a web map
# puts the world's copies side by side there, so a border stroked along the cut
# is a seam through Chukotka. Rows from cs2cs and the XYZ arithmetic
# (tile_check.py); latitudes where SpatiaLite finds Russia on both sides of 180.
case_begin "raster tiles: no border stroked along Russia's cut at 180 E (Chukotka, z3), the coasts and the Alaska-Yukon border still are"
printf '{"choropleth":{},"borders":{"stroke":"#0000ff","width":3},"land":{"stroke":"#0000ff","width":3},"labels":{"max":0}}\n' > blue3.json
run --db "$DB" tiles --style blue3.json --zoom 3 --no-preview -o seam
assert_eq 0 "$RC" "exit status ($OUT)"
lats=""
for lat in 67.0 67.5 68.0 68.5; do
    [ "$(spatialite_q "$DB" "SELECT ST_Within(MakePoint(179.9, $lat, 4326), geom) AND ST_Within(MakePoint(-179.9, $lat, 4326), geom)
                             FROM regions WHERE level = 'country' AND code = 'RUS'")" = 1 ] && lats="$lats $lat"
done
[ "$(wc -w <<<"$lats")" = 4 ] || fail "SpatiaLite: Russia on both sides of 180 E at only [$lats]"
rows=""
for lat in $lats; do
    read -r east px py _ <<<"$(tc pixel seam 3 179.99 "$lat")"
    read -r west qx qy _ <<<"$(tc pixel seam 3 -179.99 "$lat")"
    rows="$rows $east:$py $west:$qy"
done
# blue: blue well above red and green, in the 6 px next to the tile's edge.
blue=$("$PY" - $rows <<'PY'
import sys
from PIL import Image
hits = []
for a in sys.argv[1:]:
    tile, row = a.split(":")
    row = int(row)
    im = Image.open("seam/%s.png" % tile).convert("RGB")
    cols = range(250, 256) if tile.split("/")[1] == "7" else range(0, 6)
    hits.append(sum(1 for x in cols for y in range(max(0, row - 1), min(256, row + 2))
                    if (lambda p: p[2] >= 150 and p[2] - max(p[0], p[1]) >= 80)(im.getpixel((x, y)))))
print(" ".join(map(str, hits)))
PY
)
assert_eq "0 0 0 0 0 0 0 0" "$blue" "blue pixels next to 180 E inside Russia (east, west side; lat$lats)"
# Still drawn: the Alaska-Yukon border (141 W) and Chukotka's north coast.
read -r tile px py _ <<<"$(tc pixel seam 3 -141 66)"
n=$("$PY" -c "
from PIL import Image
im = Image.open('seam/$tile.png').convert('RGB')
print(sum(1 for x in range($px - 3, $px + 4) if (lambda p: p[2] >= 150 and p[2] - max(p[0], p[1]) >= 80)(im.getpixel((x, $py)))))")
[ "$n" -ge 1 ] || fail "the Alaska-Yukon border at 141 W 66 N ($tile $px $py): no blue"
n=$("$PY" -c "
from PIL import Image
im = Image.open('seam/3/7/1.png').convert('RGB')
print(sum(1 for x in range(256) for y in range(256) if (lambda p: p[2] >= 150 and p[2] - max(p[0], p[1]) >= 80)(im.getpixel((x, y)))))")
[ "$n" -ge 300 ] || fail "Chukotka's coasts in 3/7/1: $n blue pixels"
case_end

# Three projects at one place (a town's centroid): drawn side by side as in
# render, so each category's colour shows (category-points' colours, from the
# style file), not only the last one drawn. Pixel of the place: cs2cs + XYZ.
case_begin "raster tiles: projects at one place are drawn side by side, each category's colour visible (only the last was)"
C="$WORK/co/fp.sqlite"
fp_init "$C" >/dev/null 2>&1
printf 'id,company,category,name,country,lat,lon\nA1,c,5g,a,KEN,-1.2864,36.8172\nA2,c,smart_city,b,KEN,-1.2864,36.8172\nA3,c,surveillance,c,KEN,-1.2864,36.8172\n' > co.csv
"$FP" -q --db "$C" import co.csv
run --db "$C" tiles --style "$NOLABELS" --zoom 4 --bbox 30,-5,40,5 --no-preview -o co
assert_eq 0 "$RC" "exit status ($OUT)"
read -r tile px py _ <<<"$(tc pixel co 4 36.8172 -1.2864)"
colours=$("$PY" - "$ROOT/styles/category-points.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["points"]["colors"]
print(c["5g"], c["smart_city"], c["surveillance"])
PY
)
got=$("$PY" - "co/$tile.png" "$px" "$py" $colours <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
x0, y0 = int(sys.argv[2]), int(sys.argv[3])
def rgb(h): return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
out = []
for h in sys.argv[4:]:
    want = rgb(h)
    out.append(sum(1 for x in range(x0 - 12, x0 + 13) for y in range(y0 - 12, y0 + 13)
                   if 0 <= x < im.size[0] and 0 <= y < im.size[1]
                   and sum(abs(a - b) for a, b in zip(im.getpixel((x, y)), want)) <= 30))
print(" ".join(map(str, out)))
PY
)
read -r n5g nsc nsv <<<"$got"
for v in "5g:$n5g" "smart_city:$nsc" "surveillance:$nsv"; do
    [ "${v#*:}" -ge 4 ] || fail "${v%%:*}: ${v#*:} pixels of its colour within 12 px of the place ($tile $px $py; $got)"
done
case_end

case_begin "--bbox: only the tiles meeting the box are written (Kenya at z5: the OSM formulas' list)"
assert_eq "$(tc list 5 33 -5 42 5)" "$(tc files z5 png)" "z5 tiles of 33,-5,42,5"
case_end

case_begin "--bbox across the antimeridian (170,-25,-170,-10, Fiji and Tonga): z0-6 tiles are the OSM formulas' lists of both pieces, each once; tiles.json bounds the world's width (TileJSON: no wrapping), centre 180"
run --db "$DB" tiles --zoom 0-6 --bbox 170,-25,-170,-10 -o pac
assert_eq 0 "$RC" "exit status ($OUT)"
want=$(for z in 0 1 2 3 4 5 6; do tc list $z 170 -25 180 -10; tc list $z -180 -25 -170 -10; done | sort -u)
assert_eq "$want" "$(tc files pac png | sort)" "the tiles written"
assert_contains "$OUT" "$(wc -l <<<"$want") tiles ($(wc -l <<<"$want") written" "each tile drawn once"
assert_eq "[-180.0, -25.0, 180.0, -10.0] 180.0 -17.5" "$("$PY" -c "import json; d = json.load(open('pac/tiles.json')); print(d['bounds'], d['center'][0], d['center'][1])")" "tiles.json bounds and centre"
# GDAL's MBTiles driver reads the bounds metadata: the world's width, the box's latitudes.
run --db "$DB" tiles --zoom 0-6 --bbox 170,-25,-170,-10 --no-preview -o pac.mbtiles
assert_eq 0 "$RC" "MBTiles: exit status ($OUT)"
ext=$(gdalinfo -json pac.mbtiles 2>&1 | "$PY" -c "import json, sys
c = json.load(sys.stdin)['wgs84Extent']['coordinates'][0]
print('%.0f %.1f %.0f %.1f' % (min(p[0] for p in c), min(p[1] for p in c), max(p[0] for p in c), max(p[1] for p in c)))" 2>&1)
assert_eq "-180 -25.0 180 -10.0" "$ext" "gdalinfo's WGS 84 extent of the MBTiles"
run --db "$DB" tiles --zoom 0 --bbox 170,-25,-200,-10 -o bad
assert_eq 2 "$RC" "an east edge more than 360 degrees round: exit status"
assert_contains "$OUT" "tiles: --bbox '170,-25,-200,-10': east -200 is outside" "the reason"
case_end

case_begin "metatiles: nothing is cut at tile edges (z3 drawn as 64 single tiles = one 8x8 metatile)"
# Points on and next to z3 tile edges (every 45 degrees of longitude; the
# equator) and a cable across several of them.
EDGE=$WORK/edge/fp.sqlite
cat > edge.csv <<'CSV'
id,company,category,lon,lat,wkt
1,A,5g,0.0,10,
2,B,cable,45.05,-20,
3,C,data_centre,-90.03,40,
4,D,surveillance,10,0.0,
5,E,5g,134.98,-25,
6,F,cable,,,"LINESTRING(-100 -30, 100 30)"
CSV
fp_init "$EDGE" && "$FP" -q --db "$EDGE" import edge.csv >/dev/null && "$FP" -q --db "$EDGE" aggregate --by country --group category >/dev/null \
    || fail "the edge store"
run --db "$EDGE" tiles --style "$NOLABELS" --zoom 3 --metatile 1 -o m1
r1=$RC
run --db "$EDGE" tiles --style "$NOLABELS" --zoom 3 --metatile 8 -o m8
assert_eq "0 0" "$r1 $RC" "exit status ($OUT)"
tc mosaic m1 3 m1.png >/dev/null; tc mosaic m8 3 m8.png >/dev/null
assert_eq "same" "$(tc same m1.png m8.png)" "mosaics"
# the symbol on the meridian 0 is drawn on both sides of the tile edge
p1=$(tc pixel m1 3 -0.05 10); p2=$(tc pixel m1 3 0.05 10)
assert_eq "3/3/3 3/4/3" "$(cut -d' ' -f1 <<<"$p1") $(cut -d' ' -f1 <<<"$p2")" "the probes straddle the edge"
sea=$(tc pixel m1 3 -20 10); sea=${sea##* }
[ "${p1##* }" != "$sea" ] && [ "${p2##* }" != "$sea" ] || fail "the point at 0E 10N is missing on one side ($p1 / $p2, sea $sea)"
case_end

case_begin "--scale 2: 512 x 512 px tiles of the same map (Nairobi still Kenya's colour)"
run --db "$DB" tiles --zoom 1 --scale 2 -o s2
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "512x512" "$(for f in s2/1/*/*.png; do tc size "$f"; done | sort -u)" "sizes"
p=$("$PY" - <<'PY'
import math, subprocess
from PIL import Image
x, y = (float(v) for v in subprocess.run(["cs2cs", "-f", "%.6f", "EPSG:4326", "EPSG:3857"], input="-1.2864 36.8172\n",
        capture_output=True, text=True).stdout.split()[:2])
H = math.pi * 6378137
wx, wy = (x + H) / (2 * H) * 1024, (H - y) / (2 * H) * 1024
im = Image.open("s2/1/%d/%d.png" % (wx // 512, wy // 512)).convert("RGB")
print("#%02x%02x%02x" % im.getpixel((int(wx % 512), int(wy % 512))))
PY
)
assert_eq "$KEN" "$p" "Nairobi at scale 2"
case_end

case_begin "--tms: row y of zoom z is stored as 2^z - 1 - y, same bytes"
run --db "$DB" tiles --zoom 2 --tms -o tms
assert_eq 0 "$RC" "exit status ($OUT)"
for t in "0 0" "1 3" "3 1"; do
    read -r x y <<<"$t"
    cmp -s "xyz/2/$x/$y.png" "tms/2/$x/$((3 - y)).png" || fail "2/$x/$y vs TMS row $((3 - y))"
done
assert_eq "tms" "$("$PY" -c "import json; print(json.load(open('tms/tiles.json'))['scheme'])")" "tiles.json scheme"
case_end

case_begin "--format webp: RIFF/WEBP tiles of 256 x 256"
run --db "$DB" tiles --zoom 1 --format webp -o webp
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq 4 "$(tc files webp webp | wc -l)" "tiles"
assert_eq "256x256" "$(for f in webp/1/*/*.webp; do tc size "$f"; done | sort -u)" "sizes"
assert_eq "RIFF" "$(head -c 4 webp/1/0/0.webp)" "signature"
assert_contains "$(cat webp/tiles.json)" '{z}/{x}/{y}.webp' "tiles.json template"
case_end

# ==============================================================================
case_begin "MBTiles 1.3: metadata keys, TMS rows, one blob per distinct tile, GDAL reads it"
run --db "$DB" tiles --zoom 0-2 -o world.mbtiles
assert_eq 0 "$RC" "exit status ($OUT)"
M=world.mbtiles
keys=$(sqlite3 "$M" "SELECT name FROM metadata ORDER BY name" | tr '\n' ' ')
for k in attribution bounds center description format maxzoom minzoom name type; do
    assert_contains " $keys" " $k " "metadata $k"
done
assert_eq "png|0|2|baselayer" "$(sqlite3 "$M" "SELECT (SELECT value FROM metadata WHERE name='format'), (SELECT value FROM metadata WHERE name='minzoom'), (SELECT value FROM metadata WHERE name='maxzoom'), (SELECT value FROM metadata WHERE name='type')")" "format, zooms, type"
assert_eq "-180,-85.051129,180,85.051129" "$(sqlite3 "$M" "SELECT value FROM metadata WHERE name='bounds'")" "bounds"
assert_eq 21 "$(sqlite3 "$M" "SELECT count(*) FROM tiles")" "tiles"
# TMS: the XYZ tile 2/1/0 (north) is row 3
sqlite3 "$M" "SELECT writefile('t.png', tile_data) FROM tiles WHERE zoom_level=2 AND tile_column=1 AND tile_row=3" >/dev/null
cmp -s t.png xyz/2/1/0.png || fail "tile 2/1/0 is not stored at tile_row 3 (or differs from the directory's)"
distinct=$(sqlite3 "$M" "SELECT count(DISTINCT tile_data) FROM tiles")
assert_eq "$distinct" "$(sqlite3 "$M" "SELECT count(*) FROM images")" "images = distinct tiles"
assert_eq "ok" "$(sqlite3 "$M" "PRAGMA integrity_check")" "integrity"
gi=$(gdalinfo "$M" 2>&1)
assert_contains "$gi" "Driver: MBTiles" "gdalinfo driver"
assert_contains "$gi" "Size is 1024, 1024" "gdalinfo: z2 is 4 x 256 px"
[ -f world.preview/index.html ] && [ -f world.preview/tiles.json ] || fail "the preview folder world.preview/ (index.html, tiles.json)"
assert_contains "$(cat world.preview/tiles.json)" '"tiles/{z}/{x}/{y}.png"' "the preview's template (served by footprint serve)"
assert_eq "" "$(ls -d world.mbtiles.partial world.preview.partial 2>/dev/null)" "no partial files left"
case_end

# A rerun on unchanged data gives the same bytes ("publish if changed"):
# the threads deliver tiles in an order of their own, and the MBTiles rows
# were stored in it (every run's file differed, the tiles the same).
case_begin "MBTiles: three runs with two threads give byte-identical files, rows in key order; --no-preview leaves no preview folder; tiles.json bounds as given (-85.051129)"
for i in 1 2 3; do
    run --db "$DB" tiles --zoom 0-4 --threads 2 --no-preview -o same$i.mbtiles
    assert_eq 0 "$RC" "run $i exit status ($OUT)"
done
assert_eq 1 "$(md5sum same1.mbtiles same2.mbtiles same3.mbtiles | cut -d' ' -f1 | sort -u | wc -l)" "one md5 for the three files"
assert_eq 341 "$(sqlite3 same1.mbtiles "SELECT count(*) FROM map")" "z0-4: 1+4+16+64+256 tiles"
assert_eq 0 "$(sqlite3 same1.mbtiles "SELECT count(*) FROM map a JOIN map b ON b.rowid = a.rowid + 1 WHERE (b.zoom_level, b.tile_column, b.tile_row) < (a.zoom_level, a.tile_column, a.tile_row)")" "map rows in key order"
assert_eq "ok" "$(sqlite3 same1.mbtiles "PRAGMA integrity_check")" "integrity"
for i in 1 2 3; do [ -e same$i.preview ] && fail "--no-preview left same$i.preview"; done
# An earlier run's preview describes other tiles: --no-preview removes it.
run --db "$DB" tiles --zoom 0-1 -o stale.mbtiles
[ -f stale.preview/tiles.json ] || fail "the first run wrote no preview"
run --db "$DB" tiles --zoom 0-2 --no-preview -o stale.mbtiles
assert_eq 0 "$RC" "rerun exit status ($OUT)"
[ -e stale.preview ] && fail "--no-preview kept the earlier run's preview (maxzoom $(grep -o '"maxzoom": [0-9]*' stale.preview/tiles.json))"
run --db "$DB" tiles --zoom 0-1 -o bounds_dir
python3 -c "import json,sys; print(json.load(open('bounds_dir/tiles.json'))['bounds'])" > bounds.txt
assert_eq "[-180.0, -85.051129, 180.0, 85.051129]" "$(cat bounds.txt)" "bounds read back"
assert_contains "$(tr -d ' \n' < bounds_dir/tiles.json)" '"bounds":[-180.0,-85.051129,180.0,85.051129]' "bounds as written (no float noise)"
case_end

# GeoNames' licence (CC BY 4.0) asks for credit wherever positions it gave
# are shown: the world style's credits name Natural Earth and
# world-countries only. Which stores hold gazetteer-placed projects is
# read with sqlite3 here; the credit is looked for in the outputs.
case_begin "attribution: GeoNames credited in tiles, tiles.json, the QGIS project and the PDF when projects were placed at gazetteer places; not otherwise, never twice"
assert_eq 1 "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM projects WHERE geocode_precision = 'city'")" "the run's store has gazetteer-placed projects"
assert_eq 0 "$(sqlite3 "$EDGE" "SELECT count(*) FROM projects WHERE geocode_precision = 'city'")" "the edge store has none"
credit="Places: GeoNames (geonames.org), CC BY 4.0."
run --db "$DB" tiles --zoom 0-1 --format mvt -o gn.mbtiles
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "Boundaries: Natural Earth (public domain). Country attributes: world-countries (ODbL). Colours: ColorBrewer 2.0 by Cynthia Brewer. $credit" \
    "$(sqlite3 gn.mbtiles "SELECT value FROM metadata WHERE name='attribution'")" "MBTiles attribution"
assert_contains "$(cat gn.preview/tiles.json)" "$credit" "tiles.json"
run --db "$EDGE" tiles --zoom 0-1 --format mvt -o nogn.mbtiles
assert_not_contains "$(sqlite3 nogn.mbtiles "SELECT value FROM metadata WHERE name='attribution'")" "GeoNames" "no gazetteer places: no GeoNames credit"
# A style that credits GeoNames itself: kept as it is, not credited twice.
run --db "$DB" tiles --style category-points --zoom 0-1 --format mvt -o cp.mbtiles
assert_eq 1 "$(sqlite3 cp.mbtiles "SELECT value FROM metadata WHERE name='attribution'" | grep -o GeoNames | wc -l)" "category-points: once"
run --db "$DB" export --format qgz -o gn.qgz
assert_eq 0 "$RC" "qgz exit status ($OUT)"
[ "$(unzip -p gn.qgz '*.qgs' | grep -c "world-countries (ODbL). Colours: ColorBrewer 2.0 by Cynthia Brewer. $credit")" -gt 0 ] \
    || fail "the world layout's credits lack GeoNames"
run --db "$DB" render -o gn.pdf
assert_eq 0 "$RC" "render exit status ($OUT)"
assert_contains "$(pdftotext gn.pdf - | tr '\n' ' ')" "GeoNames" "the PDF's credit line"
case_end

case_begin "identical tiles are stored once: z4's 256 tiles in fewer than 200 blobs, the open sea's shared by 20 or more"
run --db "$DB" tiles --zoom 4 -o z4.mbtiles --no-preview
n=$(sqlite3 z4.mbtiles "SELECT count(*) FROM map"); u=$(sqlite3 z4.mbtiles "SELECT count(*) FROM images")
assert_eq 256 "$n" "tiles at z4"
[ "$u" -lt 200 ] || fail "$u blobs for 256 tiles: identical tiles not shared"
sea=$(sqlite3 z4.mbtiles "SELECT count(*) FROM map GROUP BY tile_id ORDER BY 1 DESC LIMIT 1")
[ "$sea" -ge 20 ] || fail "the most shared blob serves only $sea tiles"
case_end

# ==============================================================================
case_begin "vector tiles into a directory: z0-3 .pbf, read by GDAL's MVT driver; every project counted once per zoom"
run --db "$DB" tiles --zoom 0-3 --format mvt -o vec
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "$( (for z in 0 1 2 3; do tc list $z -180 -85.0511 180 85.0511; done) | sort)" "$(tc files vec pbf)" "tiles written (empty ones as 0 bytes)"
# The tile holding Nairobi at z3 (cs2cs + XYZ arithmetic): both layers, Kenya with its class colour.
t=$(tc pixel xyz 2 36.8172 -1.2864 | cut -d' ' -f1)
info=$(ogrinfo -ro -al -oo CLIP=NO "vec/$t.pbf" 2>&1)
assert_contains "$info" "Layer name: regions" "GDAL reads the regions layer of $t"
assert_contains "$info" "Layer name: projects" "GDAL reads the projects layer of $t"
ken=$(ogrinfo -ro -al -oo CLIP=NO "vec/$t.pbf" -where "code='KEN'" regions 2>&1 | grep -o 'fill (String) = #[0-9a-f]*' | head -1)
assert_eq "fill (String) = $KEN" "$ken" "Kenya's fill in $t"
# point_count over each zoom's tiles = the point projects (sqlite3 on the store)
want=$(ssql "SELECT count(*) FROM projects WHERE GeometryType(geom) = 'POINT'")
# (GDAL's MVT driver through its Python binding: one process for the 81 tiles.)
for z in 0 2 3; do
    got=$("$PY" - vec "$z" <<'PY'
import glob, os, sys
from osgeo import gdal, ogr
gdal.UseExceptions()
n = 0
for f in glob.glob(f"{sys.argv[1]}/{sys.argv[2]}/*/*.pbf"):
    if os.path.getsize(f) == 0: continue
    ds = gdal.OpenEx(f, gdal.OF_VECTOR, open_options=["CLIP=NO"])
    lyr = ds.GetLayerByName("projects")
    if lyr: n += sum(feat.GetField("point_count") for feat in lyr)
print(n)
PY
)
    assert_eq "$want" "$got" "sum of point_count at z$z"
done
"$PY" - vec <<'PY' || fail "style.json / tiles.json"
import json, sys
d = sys.argv[1]
st = json.load(open(d + "/style.json"))
assert st["version"] == 8, st.get("version")
assert st["sources"]["footprint"]["type"] == "vector"
layers = {l.get("source-layer") for l in st["layers"]}
assert {"regions", "projects"} <= layers, layers
tj = json.load(open(d + "/tiles.json"))
assert tj["tilejson"] == "3.0.0" and tj["tiles"] == ["{z}/{x}/{y}.pbf"], tj["tiles"]
ids = sorted(v["id"] for v in tj["vector_layers"])
assert ids == ["projects", "regions"], ids
assert all("fields" in v for v in tj["vector_layers"])
PY
assert_contains "$(cat vec/index.html)" '<script src="lib/maplibre-gl/maplibre-gl.js"></script>' "index.html loads MapLibre locally"
cmp -s vec/lib/maplibre-gl/maplibre-gl.js "$ROOT/web/vendor/maplibre-gl/maplibre-gl.js" || fail "lib/maplibre-gl is not the vendored copy"
case_end

case_begin "vector tiles: a region cut at the antimeridian (Russia, Fiji) has no edge along the world's edge inside the tile (the borders line drew one through Chukotka), its area in the tile unchanged"
# GDAL's MVT driver (CLIP=NO) reads the z3 tiles at the west and east edges holding
# Chukotka (lon -180..-169 and 169..180, lat 64-71: tiles 3/0/1 and 3/7/1 by the
# XYZ arithmetic of tests/tools/tile_check.py). The length of RUS's outline on the
# world's edge within the tile must be 0, and its area within the tile (clipped by
# OGR) the same as the store's Russia clipped there, within 1% (simplification).
"$PY" - vec "$DB" <<'PY' > am.txt 2>&1
import sqlite3, sys
from osgeo import gdal, ogr, osr
gdal.UseExceptions()
H = 20037508.342789244
def tile_box(z, x, y):
    size = 2 * H / 2 ** z
    return -H + x * size, H - (y + 1) * size, -H + (x + 1) * size, H - y * size
db = sqlite3.connect(sys.argv[2]); db.enable_load_extension(True); db.load_extension("mod_spatialite")
wkb = db.execute("SELECT AsBinary(geom) FROM regions WHERE level = 'country' AND code = 'RUS'").fetchone()[0]
rus = ogr.CreateGeometryFromWkb(bytes(wkb))
src, dst = osr.SpatialReference(), osr.SpatialReference()
src.ImportFromEPSG(4326); dst.ImportFromEPSG(3857)
src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER); dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
for x, edge in ((0, -H), (7, H)):
    w, s, e, n = tile_box(3, x, 1)
    ds = gdal.OpenEx(f"{sys.argv[1]}/3/{x}/1.pbf", gdal.OF_VECTOR, open_options=["CLIP=NO"])
    lyr = ds.GetLayerByName("regions"); lyr.SetAttributeFilter("code = 'RUS'")
    g = ogr.Geometry(ogr.wkbMultiPolygon)
    for f in lyr:
        gg = f.GetGeometryRef()
        for i in range(gg.GetGeometryCount() if gg.GetGeometryType() == ogr.wkbMultiPolygon else 1):
            g.AddGeometry(gg.GetGeometryRef(i) if gg.GetGeometryType() == ogr.wkbMultiPolygon else gg)
    seam = ogr.CreateGeometryFromWkt(f"LINESTRING({edge} {s}, {edge} {n})")
    on_edge = g.GetBoundary().Intersection(seam).Length()
    box = ogr.CreateGeometryFromWkt(f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))")
    clip_lon = (x * 45 - 180, (x + 1) * 45 - 180)   # the tile's longitudes at z3
    want = rus.Intersection(ogr.CreateGeometryFromWkt(f"POLYGON(({clip_lon[0]} 60,{clip_lon[1]} 60,{clip_lon[1]} 85,{clip_lon[0]} 85,{clip_lon[0]} 60))"))
    want.Transform(osr.CoordinateTransformation(src, dst))
    a_tile, a_want = g.Intersection(box).GetArea(), want.Intersection(box).GetArea()
    print(f"3/{x}/1 on_edge={on_edge:.0f} area_ratio={a_tile / a_want:.4f}")
PY
for x in 0 7; do
    line=$(grep "^3/$x/1 " am.txt) || { fail "tile 3/$x/1: $(cat am.txt | tail -3)"; continue; }
    assert_eq "on_edge=0" "$(cut -d' ' -f2 <<<"$line")" "RUS's outline on the world's edge in 3/$x/1"
    ratio=$(sed 's/.*area_ratio=//' <<<"$line")
    "$PY" -c "import sys; sys.exit(0 if abs($ratio - 1) < 0.01 else 1)" || fail "RUS's area in 3/$x/1: ratio $ratio to the store's"
done
case_end

case_begin "vector MBTiles: format pbf, json with vector_layers, gzip'd tiles equal to the directory's"
run --db "$DB" tiles --zoom 0-3 --format mvt -o vec.mbtiles
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "pbf" "$(sqlite3 vec.mbtiles "SELECT value FROM metadata WHERE name='format'")" "format"
"$PY" -c "
import json, sqlite3
v = json.loads(sqlite3.connect('vec.mbtiles').execute(\"SELECT value FROM metadata WHERE name='json'\").fetchone()[0])
print(' '.join(sorted(l['id'] for l in v['vector_layers'])))" > vl.txt 2>&1
assert_eq "projects regions" "$(cat vl.txt)" "metadata json vector_layers"
read -r z x y <<<"$(tr '/' ' ' <<<"$t")"
sqlite3 vec.mbtiles "SELECT writefile('t.pbf.gz', tile_data) FROM tiles WHERE zoom_level=$z AND tile_column=$x AND tile_row=$(( (1 << z) - 1 - y ))" >/dev/null
assert_eq "1f8b" "$(od -An -tx1 -N2 t.pbf.gz | tr -d ' ')" "gzip magic"
gunzip -c t.pbf.gz > t.pbf 2>/dev/null
cmp -s t.pbf "vec/$t.pbf" || fail "tile $t: gunzipped MBTiles bytes differ from the directory's ($(wc -c < t.pbf) vs $(wc -c < "vec/$t.pbf") bytes, z=$z x=$x y=$y)"
# Every tile a gzip stream, the empty ones too (they were 0 bytes, which no
# reader takes for gzip'd pbf), each the folder's tile once gunzipped.
"$PY" - <<'P' > gz.txt 2>&1
import gzip, os, sqlite3
bad, empty = [], 0
for z, x, row, data in sqlite3.connect('vec.mbtiles').execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
    y = (1 << z) - 1 - row
    folder = open(f'vec/{z}/{x}/{y}.pbf', 'rb').read()
    if data[:2] != b'\x1f\x8b' or gzip.decompress(data) != folder: bad.append(f'{z}/{x}/{y}')
    empty += len(folder) == 0
print(f'{len(bad)} bad, {empty} empty', ' '.join(bad[:5]))
P
assert_eq 0 "$(cut -d' ' -f1 gz.txt)" "tiles not gzip'd or not the folder's ($(cat gz.txt))"
[ "$(cut -d' ' -f3 gz.txt)" -gt 0 ] || fail "no empty tile in the set to check ($(cat gz.txt))"
case_end

# ==============================================================================
case_begin "--resume after kill -9: the previous output untouched, the rest written, the result equals a clean run"
run --db "$DB" tiles --zoom 0-1 --no-preview -o big
before=$(find big -type f | sort | xargs md5sum | md5sum)
# killed at the tiles:tiles pause point (half the metatiles drawn), reached
# whatever the machine's load, not after a number of polls
FOOTPRINT_TEST_PAUSE_AT=tiles:tiles "$FP" --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview -o big >kill.out 2>&1 &
pid=$!
wait_for_line kill.out "paused at tiles:tiles" $pid || fail "never paused at tiles:tiles: $(head -c 300 kill.out)"
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
assert_eq 137 "$?" "the run was killed by SIGKILL (not finished before)"
written=$(find big.partial -name '*.png' 2>/dev/null | wc -l)
[ "$written" -ge 150 ] && [ "$written" -lt 1365 ] || fail "the kill did not land mid-run ($written tiles written)"
assert_eq "$before" "$(find big -type f | sort | xargs md5sum | md5sum)" "big/ unchanged by the killed run"
assert_eq "" "$(find big.partial -name '*.png' -size 0)" "no empty tile"
run --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview --resume -o big
assert_eq 0 "$RC" "resume exit status ($OUT)"
skipped=$(sed -n 's/.*written, \([0-9]*\) already there.*/\1/p' <<<"$OUT")
[ "${skipped:-0}" -ge 150 ] || fail "resume skipped ${skipped:-0} tiles, expected >= 150 ($OUT)"
assert_eq 1365 "$(tc files big png | wc -l)" "tiles after resume"
run --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview -o clean
diff -r -q big clean >/dev/null || fail "resumed output differs from a clean run: $(diff -r -q big clean | head -3)"
case_end

case_begin "MBTiles, kill -9 at two points (start, after the first commit of 500 tiles): the previous file untouched, the partial one consistent, --resume equals a clean run"
run --db "$DB" tiles --zoom 0-1 --no-preview -o k.mbtiles
before=$(md5sum < k.mbtiles)
# A clean run's tiles: the folder clean/ of the case above (z0-5, the same
# options), listed as z/x/y (XYZ rows) with each tile's md5.
tile_list() {
    python3 - "$1" <<'PY'
import hashlib, os, sqlite3, sys
src = sys.argv[1]
if os.path.isdir(src):
    for root, _, files in os.walk(src):
        for f in files:
            if f.endswith('.png'):
                z, x = root.split('/')[-2:]
                print(z, x, f[:-4], hashlib.md5(open(os.path.join(root, f), 'rb').read()).hexdigest())
else:
    for z, x, row, data in sqlite3.connect(src).execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"):
        print(z, x, (1 << z) - 1 - row, hashlib.md5(data).hexdigest())
PY
}
clean_tiles=$(tile_list clean | sort)
assert_eq 1365 "$(wc -l <<<"$clean_tiles")" "the clean run's tiles (folder clean/)"
for at in 0 500; do
    # at 0: SIGKILL right after the start (it cannot finish 1,365 tiles
    # first on any machine). At 500: at the tiles:tiles pause point, half the
    # metatiles drawn, so after the first 500-tile commit (checked).
    if [ "$at" = 0 ]; then
        "$FP" --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview -o k.mbtiles >kill.out 2>&1 &
        pid=$!
    else
        FOOTPRINT_TEST_PAUSE_AT=tiles:tiles "$FP" --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview -o k.mbtiles >kill.out 2>&1 &
        pid=$!
        wait_for_line kill.out "paused at tiles:tiles" $pid || fail "never paused at tiles:tiles: $(head -c 300 kill.out)"
        n=$(sqlite3 k.mbtiles.partial "SELECT count(*) FROM map" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge 500 ] || fail "paused with ${n:-0} tiles committed, expected >= 500"
    fi
    kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    assert_eq 137 "$?" "the run was killed by SIGKILL at $at (not finished before)"
    assert_eq "$before" "$(md5sum < k.mbtiles)" "k.mbtiles unchanged after the kill at $at tiles"
    if [ -f k.mbtiles.partial ]; then
        assert_eq "ok" "$(sqlite3 k.mbtiles.partial "PRAGMA integrity_check" 2>&1)" "partial file after the kill at $at"
        assert_eq "0" "$(sqlite3 k.mbtiles.partial "SELECT count(*) FROM map WHERE tile_id NOT IN (SELECT tile_id FROM images)")" "no tile without its image ($at)"
    fi
    run --db "$DB" tiles --zoom 0-5 --threads 1 --metatile 2 --no-preview --resume -o k.mbtiles
    assert_eq 0 "$RC" "resume after the kill at $at ($OUT)"
    assert_eq "$clean_tiles" "$(tile_list k.mbtiles | sort)" "resumed tiles = a clean run's ($at)"
    assert_eq "" "$(ls k.mbtiles.partial* 2>/dev/null)" "no partial file left ($at)"
    run --db "$DB" tiles --zoom 0-1 --no-preview -o k.mbtiles
    before=$(md5sum < k.mbtiles)
done
case_end

case_begin "--resume on a finished directory adds only the missing tiles"
rm -f xyz/2/3/3.png xyz/2/0/1.png
run --db "$DB" tiles --zoom 0-2 --resume -o xyz
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "21 tiles (2 written, 19 already there" "summary"
cmp -s xyz/2/3/3.png clean/2/3/3.png || fail "re-written tile 2/3/3 differs from a clean run's"
case_end

# ==============================================================================
case_begin "bad input: usage errors (exit 2), a bbox off the Web Mercator world, no store; existing output untouched"
before=$(find xyz -type f | sort | xargs md5sum | md5sum)
run --db "$DB" tiles --zoom 5-3 -o xyz
assert_eq 2 "$RC" "--zoom 5-3 ($OUT)"
assert_contains "$OUT" "--zoom '5-3'" "message"
run --db "$DB" tiles --zoom 0-23 -o xyz
assert_eq 2 "$RC" "--zoom 0-23"
run --db "$DB" tiles --zoom 1 --format jpg -o xyz
assert_eq 2 "$RC" "--format jpg"
assert_contains "$OUT" "expected png, webp or mvt" "message"
run --db "$DB" tiles --zoom 1 -o xyz --bbox 10,86,20,89
assert_eq 2 "$RC" "bbox beyond 85.0511"
assert_contains "$OUT" "outside Web Mercator" "message"
run --db "$DB" tiles --zoom 1 -o xyz --style "$WORK/missing.json"
assert_eq 1 "$RC" "missing style"
assert_contains "$OUT" "missing.json" "the message names the style file"
run --db "$WORK/none.sqlite" tiles --zoom 1 -o xyz
[ "$RC" != 0 ] || fail "a missing store was accepted"
run --db "$DB" tiles -o xyz
assert_eq 2 "$RC" "no --zoom"
assert_eq "$before" "$(find xyz -type f | sort | xargs md5sum | md5sum)" "xyz/ unchanged"
case_end

case_begin "vector tiles: a cluster's categories is a JSON object; categories holding ',', ':' and quotes read back exactly"
# 3 projects at one spot (one cluster at z0): categories 'a,b', 'x:"y"', 'a,b'. GDAL's MVT
# driver reads the tile; json.loads must give {'a,b': 2, 'x:"y"': 1} (expected by hand).
printf 'id,category,lon,lat\n1,"a,b",10,10\n2,"x:""y""",10.001,10\n3,"a,b",10,10.001\n' > cat3.csv
fp_init cat3.sqlite && "$FP" -q --db cat3.sqlite import cat3.csv
run --db cat3.sqlite tiles --style category-points --format mvt --zoom 0-1 --no-preview -o cat3
assert_eq 0 "$RC" "tiles ($OUT)"
got=$("$PY" - cat3/0/0/0.pbf <<'PY'
import json, sys
from osgeo import gdal
gdal.UseExceptions()
ds = gdal.OpenEx(sys.argv[1], gdal.OF_VECTOR, open_options=["CLIP=NO"])
for f in ds.GetLayerByName("projects"):
    if f.GetField("point_count") > 1:
        print(f.GetField("point_count"), f.GetField("category"), sorted(json.loads(f.GetField("categories")).items()))
PY
)
assert_eq "3 a,b [('a,b', 2), ('x:\"y\"', 1)]" "$got" "the z0 cluster"
# style.json colours each category; a value not in the data gets grey, not another
# category's colour (no project here lacks a category).
"$FP" -q --db cat3.sqlite tiles --style category-points --format mvt --zoom 0-1 -o cat3p || fail "tiles with preview"
assert_eq "True True True" "$("$PY" -c "
import json
s = json.load(open('cat3p/style.json'))
m = [l for l in s['layers'] if l['id'] == 'projects'][0]['paint']['circle-color']
labels, colours = m[2:-1:2], m[3:-1:2]
print('a,b' in labels and 'x:\"y\"' in labels, m[-1] not in colours, len(set(colours)) == len(colours))")" "match: the data's categories, a fallback no category has, distinct colours"
# A project without a category (stored NULL): the fallback is its colour, not the grey.
printf 'id,category,lon,lat
4,,20,20
' > cat4.csv && "$FP" -q --db cat3.sqlite import cat4.csv
"$FP" -q --db cat3.sqlite tiles --style category-points --format mvt --zoom 0-1 -o cat4p || fail "tiles with a NULL category"
assert_eq "1 False" "$(sqlite3 cat3.sqlite "SELECT count(*) FROM projects WHERE category IS NULL") $("$PY" -c "
import json
m = [l for l in json.load(open('cat4p/style.json'))['layers'] if l['id'] == 'projects'][0]['paint']['circle-color']
print(m[-1] in m[3:-1:2] + ['#b4b4b4'])")" "the NULL category's own colour as the fallback"
case_end

case_begin "--aggregation: tiles.json, the MBTiles and PMTiles metadata describe the aggregation drawn, not the style's default"
# A second aggregation of the store under another name; the style
# (world-choropleth) names country_by_category in its description.
cp "$DB" agg.sqlite
"$FP" -q --db agg.sqlite aggregate --by country --name c_other >/dev/null 2>&1 || fail "aggregate c_other"
run --db agg.sqlite tiles --format mvt --zoom 0-0 --aggregation c_other -o dsc
assert_eq 0 "$RC" "exit status ($OUT)"
D=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["description"])' dsc/tiles.json)
assert_eq "Projects per country: quantile classes of the c_other aggregation, YlOrRd" "$D" "tiles.json's description"
for f in mbtiles pmtiles; do
    run --db agg.sqlite tiles --zoom 0-0 --aggregation c_other -o dsc.$f
    assert_eq 0 "$RC" "$f exit status ($OUT)"
done
assert_eq "$D" "$(sqlite3 dsc.mbtiles "SELECT value FROM metadata WHERE name = 'description'")" "MBTiles metadata"
assert_eq "$D" "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["description"])' dsc.preview/tiles.json)" \
    "PMTiles preview's tiles.json"
# An aggregation named like an ordinary word of the text ("country" in
# "Projects per country"): the style's aggregation is still replaced.
"$FP" -q --db agg.sqlite aggregate --by country --name country >/dev/null 2>&1 || fail "aggregate country"
run --db agg.sqlite tiles --format mvt --zoom 0-0 --aggregation country -o dsc_word
assert_eq "Projects per country: quantile classes of the country aggregation, YlOrRd" \
    "$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["description"])' dsc_word/tiles.json)" "an aggregation named 'country'"
# The style's own aggregation: its description as written.
run --db agg.sqlite tiles --format mvt --zoom 0-0 -o dsc_default
assert_contains "$(cat dsc_default/tiles.json)" "quantile classes of the country_by_category aggregation" "the default's"
case_end
