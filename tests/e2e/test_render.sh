#!/usr/bin/env bash
# render: report maps as PNG (+ world file, .prj and GDAL's .aux.xml), PDF and SVG; projections,
# regional views, the antimeridian, the legend, the scale bar, atlases, bad input,
# output safety, and reference images of the three shipped styles.
#
# Every expected value comes from an independent source, never from footprint's
# own output:
#   * the store, read with Python's sqlite3 (values of the aggregation) and SpatiaLite
#     (mod_spatialite: which country contains the square of +-5 px round a pixel's
#     lon/lat, or that none touches it: tests/tools/render_check.py grid);
#   * doc/STYLE.md's quantile rule and ColorBrewer's published YlOrRd colours
#     (tests/tools/render_check.py classes);
#   * PROJ's own tools: `proj` (forward and inverse projection), `geod` (geodesic
#     lengths), and GDAL (gdalsrsinfo reading the .prj, gdalinfo reading the .pgw);
#   * the ESRI world-file definition (x, y of the CENTRE of the upper-left pixel) to go
#     from map coordinates to pixels (tests/tools/png_probe.py, Pillow = python3-pil);
#   * poppler (pdfinfo, pdftotext, pdfimages, pdffonts) and Python's XML parser;
#   * paper sizes (ISO 216, US letter) and dots per inch, by arithmetic;
#   * tests/fixtures/render/ref_*.png: the three shipped styles rendered once at
#     900x600 and looked at by a person (see tests/fixtures/render/README.md).
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
REF="$FIX/render"
PY=/usr/bin/python3                 # Debian's Python: python3-pil, mod_spatialite
probe() { "$PY" "$TOOLS/png_probe.py" "$@" 2>&1; }
rcheck() { "$PY" "$TOOLS/render_check.py" "$@" 2>&1; }
# The PROJ definition GDAL reads from a .prj (independent of footprint's writer).
prj4() { gdalsrsinfo -o proj4 "$1" 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//'; }
EE0="+proj=eqearth +lon_0=0 +datum=WGS84 +units=m"
SEA="#eaf2f8"
NODATA="#dddddd"

if ! "$PY" -c "import PIL" 2>/dev/null; then
    echo "FAIL render tests need Pillow for $PY (Debian package python3-pil)"
    exit 1
fi

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the render tests)"
rcheck classes "$DB" country_by_category > classes.json
colour_of() { "$PY" -c "import json,sys; print(json.load(open('classes.json'))['colour'][sys.argv[1]])" "$1"; }
PALETTE=$("$PY" -c "import json; d=json.load(open('classes.json')); print(' '.join(d['palette'][::-1] + [d['nodata']]))")
KEN=$(colour_of KEN)

# pam_check PNG PROJDEF METHOD COL,ROW...: GDAL reads the PNG's CRS (the
# NAME.png.aux.xml PAM file: GDAL never reads a .prj next to a PNG) and, with
# the .pgw, maps pixel COL,ROW (GDAL's pixel space: 0,0 is the image's corner)
# to the lon/lat that cs2cs finds independently from PROJDEF and the world
# file's numbers (x = C + A*(col-0.5), y = F + E*(row-0.5): C, F is the centre
# of the upper-left pixel). Prints "ok" or what differs.
pam_check() {
    local png=$1 def=$2 method=$3; shift 3
    local gi pgw cr lonlat want got
    gi=$(gdalinfo "$png" 2>&1)
    grep -qF "$png.aux.xml" <<<"$gi" || { echo "gdalinfo does not read $png.aux.xml"; return; }
    grep -qF "METHOD[\"$method\"" <<<"$gi" || { echo "gdalinfo: no $method CRS: $(grep -A3 'Coordinate System' <<<"$gi" | head -4)"; return; }
    read -r A _ _ E C F <<<"$(tr '\n' ' ' < "${png%.png}.pgw")"
    for cr in "$@"; do
        got=$(echo "${cr/,/ }" | gdaltransform -output_xy -t_srs "+proj=longlat +datum=WGS84 +no_defs" "$png" 2>&1)
        want=$("$PY" -c "import sys; c, r = map(float, sys.argv[1].split(',')); print('%.10f %.10f' % ($C + $A * (c - 0.5), $F + $E * (r - 0.5)))" "$cr" |
               cs2cs -f %.9f $def +to +proj=longlat +datum=WGS84 +no_defs 2>&1)
        "$PY" -c "
import sys
g, w = [float(v) for v in sys.argv[1].split()[:2]], [float(v) for v in sys.argv[2].split()[:2]]
sys.exit(0 if all(abs(a - b) < 1e-7 for a, b in zip(g, w)) else 1)" "$got" "$want" 2>/dev/null ||
            { echo "pixel $cr: gdaltransform [$got], cs2cs [$want]"; return; }
    done
    echo ok
}

# ==============================================================================
# 1. The default map: page, world file, projection, colours where they belong.
# ==============================================================================
case_begin "default: A4 landscape at 150 dpi = 1754x1240 px, .pgw (GDAL reads it) and .prj of Equal Earth lon_0 0"
run --db "$DB" render -o world.png
assert_eq 0 "$RC" "exit status ($OUT)"
# ISO 216 A4 = 297 x 210 mm; 150 dots per inch of 25.4 mm
assert_eq "$("$PY" -c "print('%dx%d' % (round(297 / 25.4 * 150), round(210 / 25.4 * 150)))")" "$(probe size world.png)" "pixels"
assert_eq "6" "$(wc -w < world.pgw)" ".pgw: six numbers"
read -r A D B E C F <<<"$(tr '\n' ' ' < world.pgw)"
assert_eq "0 0" "$D $B" ".pgw: no rotation"
assert_near "$A" "$("$PY" -c "print(-($E))")" 1e-9 ".pgw: square pixels (E = -A)"
assert_contains "$(cat world.prj)" 'PROJECTION["Equal_Earth"]' ".prj"
assert_eq "same" "$(rcheck sameproj "$EE0" "$(prj4 world.prj)" 36.82,-1.29 -120,50 170,-40 0,85)" ".prj (read by GDAL) vs $EE0"
# GDAL's reading of the world file: its origin is the CORNER of the upper-left pixel
gi=$(gdalinfo world.png 2>/dev/null)
assert_contains "$gi" "$("$PY" -c "print('Origin = (%.15f,%.15f)' % ($C - $A / 2, $F - $E / 2))")" "gdalinfo origin = centre of the upper-left pixel - half a pixel"
assert_contains "$gi" "$("$PY" -c "print('Pixel Size = (%.15f,%.15f)' % ($A, $E))")" "gdalinfo pixel size"
case_end

case_begin "default: world.png.aux.xml gives GDAL the CRS (Equal Earth): gdaltransform maps pixels to cs2cs's lon/lat"
assert_eq ok "$(pam_check world.png "$EE0" "Equal Earth" 877,620 300,400 1500,300)" "world.png"
# the SRS element as GDAL's PAM writes it (XML, one SRS, axis mapping for east/north data)
assert_eq "PAMDataset 1,2" "$("$PY" -c "
import xml.etree.ElementTree as ET; r = ET.parse('world.png.aux.xml').getroot()
print(r.tag, r.find('SRS').get('dataAxisToSRSAxisMapping'))")" ".aux.xml"
case_end

case_begin "default: Nairobi has Kenya's class colour, Brazil (0 projects) $NODATA, the open Pacific $SEA, outside the world's outline white"
assert_eq "$KEN" "$(probe probe world.png "$EE0" 36.82 -1.29 2)" "Nairobi (36.82, -1.29): Kenya ($(sql "SELECT projects FROM agg_country_by_category WHERE level='country' AND code='KEN'") projects)"
assert_eq "0" "$(sql "SELECT projects FROM agg_country_by_category WHERE level='country' AND code='BRA'")" "Brazil has no projects (store)"
assert_eq "$NODATA" "$(probe probe world.png "$EE0" -50 -10 2)" "Brazil's interior (-50, -10)"
assert_eq "$SEA" "$(probe probe world.png "$EE0" -135 -45 2)" "the South Pacific (-135, -45)"
assert_eq "#ffffff" "$(probe at world.png 3 3 2)" "page corner"
read -r fx0 fy0 fx1 fy1 <<<"$(probe frame world.png)"
# the frame's inner top-left corner: PROJ's inverse does not come back to it, so it is off the Earth
cx=$("$PY" -c "print($A * ($fx0 + 6) + $C)"); cy=$("$PY" -c "print($E * ($fy0 + 6) + $F)")
back=$(echo "$cx $cy" | proj -I -f %.9f $EE0 | proj -f %.3f $EE0)
"$PY" -c "import sys; x, y = map(float, sys.argv[1].split()); sys.exit(0 if abs(x - $cx) > 1000 or abs(y - $cy) > 1000 else 1)" "$back" ||
    fail "pixel $((fx0 + 6)),$((fy0 + 6)) should be outside the Earth (proj -I then proj gave $back for $cx $cy)"
assert_eq "#ffffff" "$(probe at world.png $((fx0 + 6)) $((fy0 + 6)) 2)" "inside the frame, outside the outline"
case_end

case_begin "default: sampled pixels all over the frame show their country's class colour, the sea or the page (SpatiaLite point-in-polygon)"
assert_contains "$(rcheck grid world.png "$EE0" "$DB" classes.json "$SEA" --world)" "ok" "grid"
case_end

case_begin "default: no streak across the antimeridian (Fiji and Chukotka cross 180°)"
for spec in "-17.8 $NODATA 60 Fiji" "67 $(colour_of RUS) 170 Russia"; do
    read -r lat col maxdeg what <<<"$spec"
    read -r c0 row <<<"$(probe pixel world.png "$EE0" 0 "$lat")"
    read -r c1 _ <<<"$(probe pixel world.png "$EE0" "$maxdeg" "$lat")"
    run_px=$(probe runs world.png "$row" "$col")
    [ "$run_px" -lt $((c1 - c0)) ] 2>/dev/null ||
        fail "$what: a run of $run_px px of $col on the row of lat $lat (more than $maxdeg° of longitude = $((c1 - c0)) px)"
done
assert_eq "$NODATA" "$(probe probe world.png "$EE0" 178 -17.8 1)" "Fiji (178, -17.8)"
case_end

case_begin "legend: a white box in the bottom-left of the frame, one swatch per class and for no data, in one column, in class order"
lg=$(probe legend world.png $PALETTE)
box=$(probe legendbox world.png $PALETTE)
if [ "$lg" == none ]; then
    fail "no column of swatches $PALETTE in the frame's lower-left third"
else
    read -r fx0 fy0 fx1 fy1 <<<"$(probe frame world.png)"
    read -r bx0 by0 _ _ <<<"$box"
    "$PY" - "$fx0 $fy0 $fx1 $fy1" "$box" "$lg" <<'P' || fail "legend placement: frame $fx0 $fy0 $fx1 $fy1, box $box, swatches $lg"
import sys
fx0, fy0, fx1, fy1 = map(int, sys.argv[1].split())
bx0, by0, bx1, by1 = map(int, sys.argv[2].split())
parts = sys.argv[3].split()
tops = [int(p.split('=')[1].split('-')[0]) for p in parts[1:]]
ok = (fx0 <= bx0 < fx0 + (fx1 - fx0) // 20 and fy1 - (fy1 - fy0) // 10 < by1 <= fy1 + 1  # hugs the bottom-left corner
      and bx1 < fx0 + (fx1 - fx0) // 2 and by0 > (fy0 + fy1) // 2                           # in the bottom-left quadrant
      and (tops == sorted(tops)))                                                            # in the order given (classes high to low, then no data)
sys.exit(0 if ok else 1)
P
    fillc=$(probe at world.png $((bx0 + 5)) $((by0 + 5)) 2)
    "$PY" -c "import sys; c = sys.argv[1]; sys.exit(0 if all(int(c[k:k + 2], 16) >= 240 for k in (1, 3, 5)) else 1)" "$fillc" ||
        fail "legend box fill at its top-left: $fillc, not white-ish"
fi
case_end

# ==============================================================================
# 2. PDF and SVG: vector, text as text.
# ==============================================================================
case_begin "PDF: A4 landscape (842 x 595 pt), no raster image, DejaVu embedded, title and every legend entry as text"
run --db "$DB" render -o world.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "842x595" "$(pdfinfo world.pdf 2>/dev/null | awk '/^Page size/ {printf "%.0fx%.0f", $3, $5}')" "page size (A4 = 297 x 210 mm = 841.89 x 595.28 pt)"
assert_eq "1" "$(pdfinfo world.pdf 2>/dev/null | awk '/^Pages/ {print $2}')" "pages"
assert_eq "0" "$(pdfimages -list world.pdf 2>/dev/null | tail -n +3 | wc -l)" "raster images (pdfimages -list)"
assert_contains "$(pdffonts world.pdf 2>/dev/null | awk 'NR > 2 {print $1, $(NF-4)}')" "DejaVuSans yes" "pdffonts: DejaVu Sans embedded"
"$PY" - world.pdf classes.json <<'P' > pdfcheck.txt 2>&1
import json, subprocess, sys
text = subprocess.run(['pdftotext', sys.argv[1], '-'], capture_output=True, text=True).stdout
lines = [' '.join(l.replace('\u2013', '-').replace('\u2014', '-').split()) for l in text.splitlines()]
want = ['Projects per country'] + json.load(open(sys.argv[2]))['legend']
missing = [w for w in want if not any(l == w or (w.startswith('(') and l.endswith(' ' + w)) for l in lines)]
print('missing %s in %s' % (missing, [l for l in lines if l][-12:]) if missing else 'ok')
P
assert_eq "ok" "$(cat pdfcheck.txt)" "pdftotext: title and legend (expected $(tr -d '\n' < classes.json | grep -o '"legend": \[[^]]*\]'))"
case_end

case_begin "SVG: well-formed XML, A4 landscape in pt, shapes as <path>, glyphs used as text, no raster image"
run --db "$DB" render -o world.svg
assert_eq 0 "$RC" "exit status ($OUT)"
res=$("$PY" - world.svg <<'P' 2>&1
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
tags = [e.tag.replace(ns, '') for e in root.iter()]
glyphs = [e for e in root.iter(ns + 'symbol') if e.get('id', '').startswith('glyph')]
uses = [e for e in root.iter(ns + 'use')]
texts = [e for e in root.iter(ns + 'text')]
print(root.get('width'), root.get('height'), 'paths>=200' if tags.count('path') >= 200 else 'paths=%d' % tags.count('path'),
      'text' if texts or (len(glyphs) >= 30 and len(uses) >= 200) else 'no text (%d glyphs, %d uses)' % (len(glyphs), len(uses)),
      'images=%d' % tags.count('image'))
P
)
# cairo's SVG surface writes text as glyph outlines (<symbol id="glyph...">) placed by
# <use>, not as <text>: either counts as text here
assert_eq "841.89pt 595.276pt paths>=200 text images=0" "$res" "SVG"
case_end

# What a map records about itself. Expected: the title and credits from the style's
# JSON (styles/world-choropleth.json, read with Python's json), the software as
# `footprint --version` prints it (test_cli checks that it names a commit), the
# aggregation by its name. Read back by poppler (pdfinfo), Python's XML parser
# (SVG 1.1: <title> and <desc> first children of the root), GDAL (gdalinfo's
# TIFFTAG_* metadata) and, for the PNG, the chunks parsed here by the PNG
# specification (length, type, data, CRC-32 of type + data by zlib; tEXt is
# keyword NUL Latin-1 text, iTXt keyword NUL flag method language NUL
# translated-keyword NUL UTF-8 text), cross-checked with Pillow's Image.text.
case_begin "maps record what made them: PDF Title/Subject/Creator, SVG <title>/<desc>, GeoTIFF TIFFTAG_SOFTWARE/IMAGEDESCRIPTION/COPYRIGHT, PNG text chunks; byte-identical reruns"
VER=$("$FP" --version | sed 's/^footprint //')
[[ "$VER" == *" ("?*")" ]] || fail "--version names no commit: [$VER]"
STYLE_TITLE=$("$PY" -c "import json, sys; print(json.load(open(sys.argv[1]))['title']['text'])" "$ROOT/styles/world-choropleth.json")
CREDITS=$("$PY" -c "import json, sys; print(json.load(open(sys.argv[1]))['credits'])" "$ROOT/styles/world-choropleth.json")
# The run's store has gazetteer-placed projects (sqlite3): GeoNames is
# credited after the style's credits, which do not name it (README).
[ "$(sqlite3 "$DB" "SELECT count(*) > 0 FROM projects WHERE geocode_precision = 'city'")" = 1 ] || fail "no gazetteer places in the store"
CREDITS="$CREDITS Places: GeoNames (geonames.org), CC BY 4.0."
for ext in png pdf svg tif; do
    for k in 1 2; do
        OUT=$(SOURCE_DATE_EPOCH=1700000000 "$FP" --db "$DB" render --region ZWE --aggregation country_by_category -o "meta$k.$ext" 2>&1) ||
            fail "$ext: $OUT"
    done
    cmp -s "meta1.$ext" "meta2.$ext" || fail "$ext: two runs with SOURCE_DATE_EPOCH differ"
done
# PDF: the document information (pdfinfo), its dates SOURCE_DATE_EPOCH's (2023-11-14 22:13:20 UTC)
info=$(pdfinfo meta1.pdf 2>&1)
assert_eq "$STYLE_TITLE" "$(sed -n 's/^Title: *//p' <<<"$info")" "PDF Title"
assert_eq "footprint $VER" "$(sed -n 's/^Creator: *//p' <<<"$info")" "PDF Creator"
subject=$(sed -n 's/^Subject: *//p' <<<"$info")
for w in "country_by_category" "world-choropleth" "Zimbabwe" "$CREDITS"; do assert_contains "$subject" "$w" "PDF Subject"; done
assert_contains "$(pdfinfo -isodates meta1.pdf 2>/dev/null | sed -n 's/^CreationDate: *//p')" "2023-11-14T22:13:20" "PDF CreationDate"
# SVG
res=$("$PY" - meta1.svg "$STYLE_TITLE" "$CREDITS" "footprint $VER" <<'P' 2>&1
import sys, xml.etree.ElementTree as ET
ns = '{http://www.w3.org/2000/svg}'
root = ET.parse(sys.argv[1]).getroot()
kids = list(root)
bad = []
if len(kids) < 2 or kids[0].tag != ns + 'title' or kids[1].tag != ns + 'desc':
    bad.append('first children %s' % [k.tag for k in kids[:2]])
else:
    if kids[0].text != sys.argv[2]: bad.append('title %r' % kids[0].text)
    for w in ('country_by_category', 'world-choropleth', sys.argv[3], sys.argv[4]):
        if w not in (kids[1].text or ''): bad.append('desc lacks %r: %r' % (w, kids[1].text))
print('; '.join(bad) or 'ok')
P
)
assert_eq ok "$res" "SVG <title>/<desc>"
# GeoTIFF
gi=$(gdalinfo meta1.tif 2>&1)
assert_eq "footprint $VER" "$(sed -n 's/^ *TIFFTAG_SOFTWARE=//p' <<<"$gi")" "TIFFTAG_SOFTWARE"
assert_eq "$CREDITS" "$(sed -n 's/^ *TIFFTAG_COPYRIGHT=//p' <<<"$gi")" "TIFFTAG_COPYRIGHT"
desc=$(sed -n 's/^ *TIFFTAG_IMAGEDESCRIPTION=//p' <<<"$gi")
for w in "$STYLE_TITLE" "country_by_category"; do assert_contains "$desc" "$w" "TIFFTAG_IMAGEDESCRIPTION"; done
assert_not_contains "$gi" "TIFFTAG_DATETIME" "GeoTIFF: no date"
# PNG (also one whose title is not Latin-1: an iTXt chunk)
run --db "$DB" render --title "项目分布 — مشاريع" --size 300x200 -o metau.png
res=$("$PY" - meta1.png metau.png "$STYLE_TITLE" "$CREDITS" "footprint $VER" <<'P' 2>&1
import struct, sys, zlib
from PIL import Image
def chunks(path):
    b = open(path, 'rb').read()
    assert b[:8] == b'\x89PNG\r\n\x1a\n', 'signature'
    i, out = 8, []
    while i < len(b):
        n, = struct.unpack('>I', b[i:i + 4]); t = b[i + 4:i + 8]; d = b[i + 8:i + 8 + n]
        crc, = struct.unpack('>I', b[i + 8 + n:i + 12 + n])
        if zlib.crc32(t + d) & 0xffffffff != crc: raise SystemExit('%s: bad CRC of %s' % (path, t))
        out.append((t.decode(), d)); i += 12 + n
    return out
def texts(path):
    cs = chunks(path); names = [t for t, _ in cs]
    assert names[0] == 'IHDR' and names[-1] == 'IEND', names
    first_idat = names.index('IDAT'); txt = {}
    for k, (t, d) in enumerate(cs):
        if t == 'tEXt':
            key, val = d.split(b'\0', 1); txt[key.decode('latin-1')] = val.decode('latin-1')
        elif t == 'iTXt':
            key, rest = d.split(b'\0', 1); assert rest[0] == 0, 'compressed iTXt'
            lang, rest = rest[2:].split(b'\0', 1); tkey, val = rest.split(b'\0', 1); txt[key.decode('latin-1')] = val.decode('utf-8')
        else: continue
        assert k < first_idat, '%s after the pixels' % t
    if txt != Image.open(path).text: raise SystemExit('%s: Pillow reads %s, the chunks %s' % (path, Image.open(path).text, txt))
    return txt
t = texts(sys.argv[1]); bad = []
if t.get('Title') != sys.argv[3]: bad.append('Title %r' % t.get('Title'))
if t.get('Copyright') != sys.argv[4]: bad.append('Copyright %r' % t.get('Copyright'))
if t.get('Software') != sys.argv[5]: bad.append('Software %r' % t.get('Software'))
for w in ('country_by_category', 'world-choropleth', 'Zimbabwe'):
    if w not in t.get('Description', ''): bad.append('Description lacks %s: %r' % (w, t.get('Description')))
if any('time' in k.lower() or 'date' in k.lower() for k in t): bad.append('a date: %s' % sorted(t))
u = texts(sys.argv[2])
if u.get('Title') != '项目分布 — مشاريع': bad.append('non-Latin title %r' % u.get('Title'))
print('; '.join(bad) or 'ok')
P
)
assert_eq ok "$res" "PNG text chunks"
case_end

# ==============================================================================
# 3. Page sizes.
# ==============================================================================
case_begin "--dpi 300 on A4 = 3508x2480 px, the same map (half the pixel size, same page corner); --size 800x500; A3 portrait; letter"
run --db "$DB" render --dpi 300 -o d300.png
assert_eq 0 "$RC" "--dpi 300 exit status ($OUT)"
assert_eq "$("$PY" -c "print('%dx%d' % (round(297 / 25.4 * 300), round(210 / 25.4 * 300)))")" "$(probe size d300.png)" "--dpi 300 pixels"
read -r A3_ _ _ E3_ C3_ F3_ <<<"$(tr '\n' ' ' < d300.pgw)"
assert_near "$("$PY" -c "print($A / 2)")" "$A3_" 1e-6 "--dpi 300: pixel size"
assert_near "$("$PY" -c "print($C - $A / 2)")" "$("$PY" -c "print($C3_ - $A3_ / 2)")" 0.01 "--dpi 300: page corner x (C - A/2)"
assert_near "$("$PY" -c "print($F - $E / 2)")" "$("$PY" -c "print($F3_ - $E3_ / 2)")" 0.01 "--dpi 300: page corner y (F - E/2)"
run --db "$DB" render --size 800x500 -o s.png
assert_eq "0 800x500" "$RC $(probe size s.png)" "--size 800x500 ($OUT)"
run --db "$DB" render --paper A3 --portrait -o a3.png
assert_eq "$("$PY" -c "print('%dx%d' % (round(297 / 25.4 * 150), round(420 / 25.4 * 150)))")" "$(probe size a3.png)" "--paper A3 --portrait ($OUT)"
run --db "$DB" render --paper letter -o letter.pdf
assert_eq "792x612" "$(pdfinfo letter.pdf 2>/dev/null | awk '/^Page size/ {printf "%.0fx%.0f", $3, $5}')" "--paper letter PDF (11 x 8.5 in)"
case_end

case_begin "layout: nothing cut at the page's edges, left and right margins equal (README: title, frame and credits centred together)"
run --db "$DB" render --region KEN -o lay_ken.png
run --db "$DB" render --proj EPSG:3035 --bbox -10,35,30,70 -o lay_eu.png
for f in world.png s.png lay_ken.png lay_eu.png; do
    m=$(probe margins "$f")
    read -r ml mr mt mb <<<"$m"
    [ "$ml" -gt 0 ] && [ "$mr" -gt 0 ] && [ "$mt" -gt 0 ] && [ "$mb" -gt 0 ] 2>/dev/null || fail "$f: drawn up to the page's edge (white margins left right top bottom: $m)"
    [ $((ml - mr)) -le 2 ] && [ $((mr - ml)) -le 2 ] 2>/dev/null || fail "$f: left and right margins differ: $m"
done
case_end

case_begin "layout on a small page (--size 300x200): nothing cut at the page's edges (the title fits)"
for v in "--region KEN" "--style africa"; do
    run --db "$DB" render $v --size 300x200 -o small.png
    m=$(probe margins small.png)
    read -r ml mr mt mb <<<"$m"
    [ "$ml" -gt 0 ] && [ "$mr" -gt 0 ] && [ "$mt" -gt 0 ] && [ "$mb" -gt 0 ] 2>/dev/null || fail "$v: drawn up to the page's edge (white margins left right top bottom: $m)"
done
case_end

# ==============================================================================
# 4. Regional views and projections.
# ==============================================================================
run --db "$DB" render --region KEN -o ken.png
RC_KEN=$RC; OUT_KEN=$OUT
case_begin "--region KEN: Lambert azimuthal equal-area centred on Kenya (README, help: laea is the default for --region)"
assert_eq 0 "$RC_KEN" "exit status ($OUT_KEN)"
assert_contains "$(cat ken.prj)" 'PROJECTION["Lambert_Azimuthal_Equal_Area"]' ".prj"
p=$(prj4 ken.prj)
read -r kx0 ky0 kx1 ky1 <<<"$(ssql "SELECT MbrMinX(geom), MbrMinY(geom), MbrMaxX(geom), MbrMaxY(geom) FROM regions WHERE code='KEN'" | tr '|' ' ')"
lat0=$(grep -o '+lat_0=[-0-9.e]*' <<<"$p" | cut -d= -f2); lon0=$(grep -o '+lon_0=[-0-9.e]*' <<<"$p" | cut -d= -f2)
"$PY" -c "import sys; sys.exit(0 if $kx0 <= float('${lon0:-999}') <= $kx1 and $ky0 <= float('${lat0:-999}') <= $ky1 else 1)" ||
    fail "centre lon_0=${lon0:-none} lat_0=${lat0:-none} not within Kenya's bbox $kx0 $ky0 $kx1 $ky1 (.prj: $p)"
case_end

case_begin "--region KEN: ken.png.aux.xml gives GDAL the LAEA CRS of the .prj: gdaltransform maps pixels to cs2cs's lon/lat"
assert_eq ok "$(pam_check ken.png "$(prj4 ken.prj)" "Lambert Azimuthal Equal Area" 100,100 877,620 1600,1100)" "ken.png"
case_end

case_begin "--region KEN: Nairobi has Kenya's colour, every sampled pixel is right (in the .prj's projection), subtitle Kenya"
p=$(prj4 ken.prj)
assert_eq "$KEN" "$(probe probe ken.png "$p" 36.82 -1.29 2)" "Nairobi"
assert_contains "$(rcheck grid ken.png "$p" "$DB" classes.json "$SEA")" "ok" "grid"
run --db "$DB" render --region KEN --proj laea -o kenl.png
assert_contains "$(cat kenl.prj)" 'PROJECTION["Lambert_Azimuthal_Equal_Area"]' "--proj laea: .prj"
assert_eq "$KEN" "$(probe probe kenl.png "$(prj4 kenl.prj)" 36.82 -1.29 2)" "--proj laea: Nairobi"
run --db "$DB" render --region KEN -o ken.pdf
# the subtitle: "Kenya" right under the title (the topmost "Projects per country"), not the map's label
sub=$(pdftotext -bbox ken.pdf - 2>/dev/null | "$PY" -c '
import re, sys
w = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in
     re.findall(r"<word xMin=\"([-0-9.]+)\" yMin=\"([-0-9.]+)\" xMax=\"([-0-9.]+)\" yMax=\"([-0-9.]+)\">([^<]*)</word>", sys.stdin.read())]
titles = sorted(x for x in w if x[4] == "Projects")
if not titles: print("no title"); sys.exit()
t = min(titles, key=lambda x: x[1])
under = [x for x in w if x[4] == "Kenya" and 0 <= x[1] - t[3] < 30 and abs(x[0] - t[0]) < 30]
print("ok" if under else "no Kenya under the title at %.0f,%.0f" % (t[0], t[3]))')
assert_eq "ok" "$sub" "PDF: subtitle = the region's name"
case_end

case_begin "--region KEN: the scale bar is true at the centre of the map (geodesic length of the bar = its label, ±3 %)"
label=$(pdftotext ken.pdf - 2>/dev/null | grep -o '[0-9][0-9]* km' | head -1)
sb=$(probe scalebar ken.png "$(prj4 ken.prj)")
if [ -z "$label" ] || [ "$sb" == none ]; then
    fail "scale bar: label [$label] in the PDF, bar [$sb] in the PNG"
else
    read -r px metres <<<"$sb"
    assert_near "${label% km}000" "$metres" "$("$PY" -c "print(${label% km}000 * 0.03)")" "bar of $px px on the ground (PROJ inverse + geod) vs label $label"
fi
case_end

# legend_vs_frame NAME: the legend of NAME.pdf (pdftotext: "LABEL  (N)" lines) against
# what render_check.py framecounts finds for NAME.png (the same page: same frame)
# with SpatiaLite: each class's count (and no data's) within [MIN, MAX], the count
# of countries meeting the frame shrunk and grown by 6 px. With "exact", MIN = MAX
# too (no country on the frame's edge). Prints "ok" or what differs.
legend_vs_frame() {
    local name=$1 exact=${2:-}
    rcheck framecounts "$name.png" "$(prj4 "$name.prj")" "$DB" classes.json > "$name.want" || { cat "$name.want"; return; }
    pdftotext "$name.pdf" - 2>/dev/null | "$PY" -c '
import re, sys
want = [l.split("|") for l in open(sys.argv[1]).read().split("\n") if l]
got = {}
for line in sys.stdin.read().replace("\u2013", "-").splitlines():
    m = re.fullmatch(r"\s*(.*?)\s*\((\d+)\)\s*", line)
    if m: got[m.group(1) or "none"] = int(m.group(2))
bad = []
for label, lo, hi in want:
    label = label or "none"
    n = got.get(label)
    if n is None or not int(lo) <= n <= int(hi) or (sys.argv[2] == "exact" and lo != hi):
        bad.append("%s: legend %s, countries meeting the frame %s..%s" % (label, n, lo, hi))
print("; ".join(bad) if bad else "ok")' "$name.want" "$exact"
}

case_begin "regional maps: the legend counts the countries drawn within the frame (SpatiaLite: meeting the frame's lon/lat outline), by the world's classes"
# Zimbabwe's frame: no country on its edge (exact); Kenya's and the Africa style's
# (Africa, Arabia, southern Europe) have some. The world map keeps the world's
# counts (the PDF case above). Maps across the antimeridian are not checked here:
# the frame's lon/lat outline would need cutting at 180° for SpatiaLite.
run --db "$DB" render --region ZWE -o zwe.png
assert_eq 0 "$RC" "--region ZWE: exit status ($OUT)"
run --db "$DB" render --region ZWE -o zwe.pdf
assert_eq ok "$(legend_vs_frame zwe exact)" "--region ZWE: legend counts"
run --db "$DB" render --region KEN -o kenleg.png
run --db "$DB" render --region KEN -o kenleg.pdf
assert_eq ok "$(legend_vs_frame kenleg)" "--region KEN: legend counts"
run --db "$DB" render --style africa -o afr.png
run --db "$DB" render --style africa -o afr.pdf
assert_eq 0 "$RC" "--style africa: exit status ($OUT)"
assert_eq ok "$(legend_vs_frame afr)" "--style africa: legend counts"
case_end

case_begin "--bbox 10,-10,50,20: Lambert azimuthal equal-area centred on the box (README, help)"
run --db "$DB" render --bbox 10,-10,50,20 -o bb.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$(cat bb.prj)" 'PROJECTION["Lambert_Azimuthal_Equal_Area"]' ".prj"
# the same with a style that names no projection at all (doc/STYLE.md: view.projection optional)
sed 's/"view": { "projection": "equal-earth" },//' "$ROOT/styles/world-choropleth.json" > noproj.json
run --db "$DB" render --style noproj.json --bbox 10,-10,50,20 -o bbn.png
assert_eq 0 "$RC" "style without view.projection: exit status ($OUT)"
assert_contains "$(cat bbn.prj)" 'PROJECTION["Lambert_Azimuthal_Equal_Area"]' "style without view.projection: .prj"
case_end

case_begin "--bbox 10,-10,50,20: Nairobi has Kenya's colour; land inside the frame is drawn even outside the box"
p=$(prj4 bb.prj)
assert_eq "$KEN" "$(probe probe bb.png "$p" 36.82 -1.29 2)" "Nairobi"
assert_contains "$(rcheck grid bb.png "$p" "$DB" classes.json "$SEA")" "ok" "grid"
case_end

case_begin "--proj robinson: .prj equivalent to +proj=robin; Nairobi; grid"
run --db "$DB" render --proj robinson -o rob.png
assert_eq 0 "$RC" "exit status ($OUT)"
R0="+proj=robin +lon_0=0 +datum=WGS84 +units=m"
assert_eq "same" "$(rcheck sameproj "$R0" "$(prj4 rob.prj)" 36.82,-1.29 -120,50 170,-40)" ".prj vs $R0"
assert_eq "$KEN" "$(probe probe rob.png "$R0" 36.82 -1.29 2)" "Nairobi"
assert_contains "$(rcheck grid rob.png "$R0" "$DB" classes.json "$SEA" --world)" "ok" "grid"
case_end

case_begin "--proj web-mercator: .prj equivalent to EPSG:3857; Western Australia; grid"
run --db "$DB" render --proj web-mercator -o merc.png
assert_eq 0 "$RC" "exit status ($OUT)"
M0="+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null"
assert_eq "same" "$(rcheck sameproj "$M0" "$(prj4 merc.prj)" 36.82,-1.29 -120,50 170,-40)" ".prj vs $M0"
# (Nairobi lies under the "Kenya" label at this scale)
assert_eq "$(colour_of AUS)" "$(probe probe merc.png "$M0" 120 -25 2)" "Western Australia (120, -25)"
assert_contains "$(rcheck grid merc.png "$M0" "$DB" classes.json "$SEA")" "ok" "grid"
case_end

case_begin "--proj EPSG:3035 --bbox -10,35,30,70: LAEA Europe; Paris, Berlin, and Moscow (inside the frame) in their colours; grid"
run --db "$DB" render --proj EPSG:3035 --bbox -10,35,30,70 -o eu.png
assert_eq 0 "$RC" "exit status ($OUT)"
L0="+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m"
assert_contains "$(cat eu.prj)" 'PROJECTION["Lambert_Azimuthal_Equal_Area"]' ".prj"
assert_eq "same" "$(rcheck sameproj "$L0" "$(prj4 eu.prj)" 2.35,48.85 13.4,52.5 30,70 -10,35)" ".prj vs $L0"
assert_eq "$(colour_of FRA)" "$(probe probe eu.png "$L0" 2.35 48.85 2)" "Paris"
assert_eq "$(colour_of DEU)" "$(probe probe eu.png "$L0" 9 49.5 2)" "Germany (9, 49.5)"
read -r ex0 ey0 ex1 ey1 <<<"$(probe frame eu.png)"
read -r mc mr <<<"$(probe pixel eu.png "$L0" 37.62 55.75)"
if [ "$mc" -gt $((ex0 + 10)) ] && [ "$mc" -lt $((ex1 - 10)) ] && [ "$mr" -gt $((ey0 + 10)) ] && [ "$mr" -lt $((ey1 - 10)) ]; then
    assert_eq "$(colour_of RUS)" "$(probe probe eu.png "$L0" 37.62 55.75 2)" "Moscow (37.62, 55.75), pixel $mc,$mr inside the frame $ex0 $ey0 $ex1 $ey1"
fi
assert_contains "$(rcheck grid eu.png "$L0" "$DB" classes.json "$SEA")" "ok" "grid"
case_end

case_begin "PROJ string eqearth lon_0=150 (the Pacific in the middle): Fiji is land, no streak, grid"
P150="+proj=eqearth +lon_0=150 +datum=WGS84 +units=m"
run --db "$DB" render --proj "$P150 +type=crs" -o pac.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "same" "$(rcheck sameproj "$P150" "$(prj4 pac.prj)" 178,-17.8 -170,60 -31,70 -29,70)" ".prj vs $P150"
assert_eq "$NODATA" "$(probe probe pac.png "$P150" 178 -17.8 1)" "Fiji (178, -17.8)"
assert_eq "$SEA" "$(probe probe pac.png "$P150" -160 -10 2)" "the Pacific (-160, -10)"
# Greenland crosses the cut meridian (-30): no band of its colour across the map
read -r c0 row <<<"$(probe pixel pac.png "$P150" 150 72)"
read -r c1 _ <<<"$(probe pixel pac.png "$P150" 270 72)"
run_px=$(probe runs pac.png "$row" "$NODATA")
[ "$run_px" -lt $((c1 - c0)) ] 2>/dev/null || fail "a run of $run_px px of $NODATA on the row of lat 72 (more than 120° of longitude)"
assert_contains "$(rcheck grid pac.png "$P150" "$DB" classes.json "$SEA" --world)" "ok" "grid"
case_end

case_begin "--region USA (Aleutians past 180: its box is narrower in 0..360): LAEA centred as SpatiaLite's shifted box says; Kansas in the USA's colour; grid"
run --db "$DB" render --region USA --size 900x600 -o usa.png
assert_eq 0 "$RC" "exit status ($OUT)"
# The expected centre from SpatiaLite alone: the box of the geometry in 0..360
# (ST_Shift_Longitude) where that is narrower than in -180..180, plus the
# render's documented margin (a tenth + 0.5 degree each side does not move it).
want_lon0=$(ssql "SELECT CASE WHEN MbrMaxX(s) - MbrMinX(s) < MbrMaxX(geom) - MbrMinX(geom)
                  THEN (MbrMinX(s) + MbrMaxX(s)) / 2 - 360 ELSE (MbrMinX(geom) + MbrMaxX(geom)) / 2 END
                  FROM (SELECT geom, ST_Shift_Longitude(geom) s FROM regions WHERE code='USA')")
p=$(prj4 usa.prj)
lon0=$(grep -o '+lon_0=[-0-9.e]*' <<<"$p" | cut -d= -f2)
assert_near "$want_lon0" "${lon0:-999}" 0.01 "lon_0 (.prj: $p)"
assert_near -127 "${lon0:-999}" 1 "lon_0 about -127 (between the Aleutians and Maine)"
USA=$(colour_of USA)
assert_eq "$USA" "$(probe probe usa.png "$p" -98 38.5 2)" "Kansas (-98, 38.5)"
assert_eq "$USA" "$(probe probe usa.png "$p" -150 64 2)" "Alaska (-150, 64)"
assert_contains "$(rcheck grid usa.png "$p" "$DB" classes.json "$SEA")" "ok" "grid"
case_end

case_begin "the antimeridian: points on 180 and -180 drawn at the map's edges; a line and a box crossing it drawn at both edges, no streak across the world"
E="$WORK/am/fp.sqlite"
fp_init "$E" >/dev/null 2>&1
printf 'id,company,category,name,lon,lat\nA,c,telecom,east edge,180,10\nB,c,telecom,west edge,-180,-10\nC,c,telecom,near east,179.5,30\nD,c,telecom,near west,-179.5,-30\n' > am.csv
printf 'id,company,category,name,wkt\nL1,c,cable,cable,"LINESTRING(170 -15, -170 -20)"\nL2,c,cable,box,"POLYGON((178 -36, -178 -36, -178 -44, 178 -44, 178 -36))"\n' > amw.csv
"$FP" -q --db "$E" import am.csv && "$FP" -q --db "$E" import amw.csv
run --db "$E" render --style category-points --size 1600x900 -o am.png
assert_eq 0 "$RC" "exit status ($OUT)"
TEL="#f781bf"; CAB="#1b9e77"
for pt in "180 10" "-180 -10" "179.5 30" "-179.5 -30"; do
    assert_eq "$TEL" "$(probe probe am.png "$EE0" $pt 2)" "the marker at ($pt)"
done
# The middle of the map, between 90 W and 90 E where the streaks ran: no cable colour.
read -r mx0 my0 <<<"$(probe pixel am.png "$EE0" -90 -10)"
read -r mx1 my1 <<<"$(probe pixel am.png "$EE0" 90 -50)"
assert_eq 0 "$(probe count am.png "$mx0" "$my0" "$mx1" "$my1" "$CAB")" "cable pixels between 90 W and 90 E"
# ... and the pieces of both at each edge (Equal Earth: a meridian's x shrinks
# towards the poles, so the boxes' outer corners are at -10, inner at -50;
# antialiased 1 px lines: some 15 pixels of the exact colour a side).
read -r ex0 ey1 <<<"$(probe pixel am.png "$EE0" 165 -50)"
read -r ex1 ey0 <<<"$(probe pixel am.png "$EE0" 180 -10)"
read -r wx0 _ <<<"$(probe pixel am.png "$EE0" -180 -10)"
read -r wx1 _ <<<"$(probe pixel am.png "$EE0" -165 -50)"
for side in "$ex0 $ey0 $((ex1 + 1)) $ey1" "$wx0 $ey0 $wx1 $ey1"; do
    n=$(probe count am.png $side "$CAB")
    [ "${n:-0}" -ge 8 ] 2>/dev/null || fail "cable pixels near the edge [$side]: ${n:-none}"
done
case_end

# ==============================================================================
# 5. Points, titles, atlases.
# ==============================================================================
# blue_at PNG PROJDEF LON LAT...: how many of the points (lon LON, each LAT;
# their pixels from PROJ's `proj` and the world file) have a blue pixel (blue
# well above red and green: the 1 pt #0000ff line antialiased over any fill)
# within one pixel.
blue_at() {
    local png=$1 def=$2 lon=$3 lat pairs=() pixels; shift 3
    for lat in "$@"; do pairs+=("$lon" "$lat"); done
    pixels=$(probe pixel "$png" "$def" "${pairs[@]}")
    "$PY" - "$png" $pixels <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
px, w, h = im.load(), im.size[0], im.size[1]
v = [int(a) for a in sys.argv[2:]]
hits = 0
for c, r in zip(v[0::2], v[1::2]):
    win = [px[x, y] for x in range(c - 1, c + 2) for y in range(r - 1, r + 2) if 0 <= x < w and 0 <= y < h]
    hits += any(b >= 150 and b - max(rr, g) >= 80 for rr, g, b in win)
print(hits)
PYEOF
}
# cut_lats CODE MIN_M: latitudes along 180 E where the country's outline runs
# on the meridian (where the data is cut: SpatiaLite's intersection of its
# boundary with the meridian), 40 per stretch, kept when more than MIN_M
# metres (geodesic, SpatiaLite; longitudes shifted to 0..360 so both sides of
# 180 count) from the rest of its outline, so that no coast lies within a
# pixel or two of them.
cut_lats() {
    local code=$1 min=$2 values
    values=$(ssql "SELECT AsText(Intersection(ST_Boundary(geom), GeomFromText('LINESTRING(180 -89, 180 89)', 4326)))
                   FROM regions WHERE level = 'country' AND code = '$code'" |
        "$PY" -c "
import re, sys
pts = [(float(a), float(b)) for a, b in re.findall(r'(-?[\d.]+) (-?[\d.]+)', sys.stdin.read())]
segs = sorted((min(p[1], q[1]), max(p[1], q[1])) for p, q in zip(pts[0::2], pts[1::2]))
merged = []
for lo, hi in segs:
    if merged and lo <= merged[-1][1] + 1e-9: merged[-1][1] = max(merged[-1][1], hi)
    else: merged.append([lo, hi])
print(','.join('(%.5f)' % (lo + (hi - lo) * (k + 0.5) / 40) for lo, hi in merged for k in range(40)))")
    [ -n "$values" ] || return
    # The rest of the outline computed once (a subquery in FROM was computed
    # again for every latitude: 2 s a call for Russia), and only its part
    # within 20 degrees of 180 E kept: farther parts are hundreds of km away
    # at these latitudes, far past MIN_M (a few pixels). Same rows, 0.1 s.
    ssql "CREATE TEMP TABLE rest AS
            SELECT ST_Intersection(ST_Difference(ST_Boundary(ST_Shift_Longitude(geom)),
                                       ST_Buffer(GeomFromText('LINESTRING(180 -89, 180 89)', 4326), 0.000001)),
                                   BuildMbr(160, -90, 200, 90, 4326)) AS b
            FROM regions WHERE level = 'country' AND code = '$code';
          WITH pts(lat) AS (VALUES $values)
          SELECT lat FROM pts, rest WHERE ST_Distance(MakePoint(180, lat, 4326), rest.b, 1) > $min"
}
# px_m PNG: the map's pixel size in metres (the world file's first line).
px_m() { head -1 "${1%.png}.pgw"; }

case_begin "the antimeridian cut is filled, not stroked: with a blue border style, no blue along 180 E inside Russia (Chukotka, Wrangel Island) on +proj=eqearth +lon_0=150 and on a box round Chukotka, nor inside Fiji (Taveuni) on --region FJI; a real border (Alaska-Yukon, 141 W) and the coasts are blue"
printf '{"choropleth":{},"borders":{"stroke":"#0000ff","width":1},"land":{"stroke":"#0000ff","width":1},"labels":{"max":0}}\n' > blue.json
printf '{"borders":{"stroke":"#0000ff","width":1},"land":{"stroke":"#0000ff","width":1},"labels":{"max":0}}\n' > blueland.json
# check_cut PNG CODE WHERE: no blue at the points of 180 E inside CODE, 4 px off its coasts.
check_cut() {
    local p lats
    p=$(prj4 "${1%.png}.prj")
    lats=$(cut_lats "$2" "$("$PY" -c "print(4 * abs($(px_m "$1")))")")
    [ "$(wc -w <<<"$lats")" -ge 5 ] || { fail "$3: SpatiaLite found too few points of 180 E inside $2 off its coasts: [$lats]"; return; }
    assert_eq 0 "$(blue_at "$1" "$p" 180 $lats)" "$3: points of 180 E inside $2 ($(wc -w <<<"$lats") of them) with blue"
}
for st in blue.json blueland.json; do
    run --db "$DB" render --style $st --proj "+proj=eqearth +lon_0=150" --size 3000x2000 -o "pac_$st.png"
    assert_eq 0 "$RC" "$st, eqearth lon_0=150: exit status ($OUT)"
    check_cut "pac_$st.png" RUS "$st, eqearth lon_0=150"
    n=$(blue_at "pac_$st.png" "$(prj4 "pac_$st.prj")" -141 61 62 63 64 65 66 67 68 69)
    [ "$n" -ge 7 ] || fail "$st: the Alaska-Yukon border (141 W, 61..69 N): blue at $n of 9 points"
    run --db "$DB" render --style $st --proj "+proj=eqearth +lon_0=150" --bbox 170,62,-170,73 --size 900x600 -o "chk_$st.png"
    assert_eq 0 "$RC" "$st, Chukotka box: exit status ($OUT)"
    check_cut "chk_$st.png" RUS "$st, Chukotka box"
    read -r x0 y0 x1 y1 <<<"$(probe frame "chk_$st.png")"
    n=$(probe count "chk_$st.png" "$x0" "$y0" "$x1" "$y1" "#0000ff")
    [ "${n:-0}" -gt 100 ] || fail "$st, Chukotka box: the coasts' blue pixels: ${n:-none}"
    run --db "$DB" render --style $st --region FJI --size 1800x1200 -o "fji_$st.png"
    assert_eq 0 "$RC" "$st, --region FJI: exit status ($OUT)"
    check_cut "fji_$st.png" FJI "$st, --region FJI"
    read -r x0 y0 x1 y1 <<<"$(probe frame "fji_$st.png")"
    n=$(probe count "fji_$st.png" "$x0" "$y0" "$x1" "$y1" "#0000ff")
    [ "${n:-0}" -gt 100 ] || fail "$st, --region FJI: the coasts' blue pixels: ${n:-none}"
done
case_end

case_begin "category-points: each project's marker has its category's colour (the style's colors); title as text"
run --db "$DB" render --style category-points --size 900x600 -o cat.png
assert_eq 0 "$RC" "exit status ($OUT)"
assert_contains "$(rcheck points cat.png "$EE0" "$DB" "$ROOT/styles/category-points.json" 96)" "ok" "markers"
run --db "$DB" render --style category-points -o cat.pdf
assert_contains "$(pdftotext cat.pdf - 2>/dev/null)" "Projects by category" "PDF title"
case_end

case_begin "--title and --subtitle replace the style's"
run --db "$DB" render --title "Footprint 2024" --subtitle "All projects" -o tt.pdf
assert_eq 0 "$RC" "exit status ($OUT)"
t=$(pdftotext tt.pdf - 2>/dev/null)
assert_contains "$t" "Footprint 2024" "title"
assert_contains "$t" "All projects" "subtitle"
case_end

case_begin "--each country: one CODE.png (+ .pgw, .prj) per country with projects; northern Kenya Kenya-coloured in KEN.png"
run --db "$DB" render --each country --size 640x400 -o atlas/
assert_eq 0 "$RC" "exit status ($OUT)"
want=$(sql "SELECT code || '.png' FROM agg_country_by_category WHERE level='country' AND code <> '_unassigned' AND projects > 0 ORDER BY code")
assert_eq "$want" "$(cd atlas 2>/dev/null && ls *.png | sort)" "files"
[ "$(ls atlas/*.pgw 2>/dev/null | wc -l)" == "$(wc -l <<<"$want")" ] || fail "one .pgw per map"
[ "$(ls atlas/*.prj 2>/dev/null | wc -l)" == "$(wc -l <<<"$want")" ] || fail "one .prj per map"
# (at this size the legend covers Nairobi)
assert_eq "$KEN" "$(probe probe atlas/KEN.png "$(prj4 atlas/KEN.prj)" 38.5 2.5 1)" "KEN.png: (38.5, 2.5)"
case_end

case_begin "--each country -o 'DIR/map_{code}.png': the names; a missing DIR is created (as with -o DIR/ and -o DIR/x.png)"
# The names only: a store with projects in three countries (the previous
# case drew every country of the sample).
fp_init each.sqlite >/dev/null 2>&1
printf 'id,company,category,lon,lat\ne1,A,5g,36.82,-1.29\ne2,A,5g,2.35,48.86\ne3,B,cloud,-47.9,-15.8\n' > each.csv
"$FP" -q --db each.sqlite import each.csv && "$FP" -q --db each.sqlite aggregate --by country --group category >/dev/null 2>&1 ||
    fail "the three-country store"
mkdir -p pat
run --db each.sqlite render --each country --size 200x150 -o 'pat/map_{code}.png'
assert_eq 0 "$RC" "existing folder: exit status ($OUT)"
assert_eq "map_BRA.png map_FRA.png map_KEN.png" "$(cd pat && ls map_*.png | sort | xargs)" "existing folder: files"
run --db each.sqlite render --each country --size 200x150 -o 'newdir/map_{code}.png'
assert_eq 0 "$RC" "missing folder: exit status ($OUT)"
assert_eq "map_BRA.png map_FRA.png map_KEN.png" "$(cd newdir 2>/dev/null && ls map_*.png | sort | xargs)" "missing folder: files"
case_end

# ==============================================================================
# 6. Bad input: usage errors (exit 2) and failures (exit 1) that say what is wrong.
# ==============================================================================
case_begin "bad input: unknown --proj, --bbox S > N, unknown --region, --region with --bbox, -o x.jpg: exit 2, named, nothing written"
run --db "$DB" render --proj nosuchproj -o e1.png
assert_eq 2 "$RC" "--proj nosuchproj exit status"
assert_contains "$OUT" "nosuchproj" "--proj: message names it"
# (W > E is a box across the antimeridian, RFC 7946: test_render_options.sh)
run --db "$DB" render --bbox 10,20,50,-10 -o e2.png
assert_eq 2 "$RC" "--bbox 10,20,50,-10 exit status"
assert_contains "$OUT" "10,20,50,-10" "--bbox: message names it"
run --db "$DB" render --region XYZ -o e3.png
assert_eq 2 "$RC" "--region XYZ exit status"
assert_contains "$OUT" "XYZ" "--region: message names it"
run --db "$DB" render --region KEN --bbox 10,-10,50,20 -o e4.png
assert_eq 2 "$RC" "--region with --bbox (they exclude each other) exit status ($OUT)"
run --db "$DB" render -o e5.jpg
assert_eq 2 "$RC" "-o e5.jpg exit status"
assert_contains "$OUT" "e5.jpg" "-o: message names the file"
assert_eq "" "$(ls e1.* e2.* e3.* e4.* e5.* 2>/dev/null)" "files written"
case_end

case_begin "--proj takes a 2D geographic or projected CRS only: a vertical (EPSG:5714) or geocentric (EPSG:4978) CRS, or an empty value, is exit 2, named, nothing written"
# The kinds as PROJ's own projinfo says them (independent of footprint).
assert_contains "$(projinfo -q -o WKT2_2019 EPSG:5714 2>&1 | head -1)" "VERTCRS" "projinfo: EPSG:5714 is vertical"
assert_contains "$(projinfo -q -o WKT2_2019 EPSG:4978 2>&1 | head -1)" "GEODCRS" "projinfo: EPSG:4978 is geocentric"
run --db "$DB" render --proj EPSG:5714 -o v1.png
assert_eq 2 "$RC" "--proj EPSG:5714 exit status"
assert_contains "$OUT" "--proj EPSG:5714: not a 2D geographic or projected CRS" "EPSG:5714: message"
run --db "$DB" render --proj EPSG:4978 -o v2.png
assert_eq 2 "$RC" "--proj EPSG:4978 exit status"
assert_contains "$OUT" "--proj EPSG:4978: not a 2D geographic or projected CRS" "EPSG:4978: message"
run --db "$DB" render --proj "" -o v3.png
assert_eq 2 "$RC" "--proj '' exit status"
assert_contains "$OUT" "--proj: empty value" "empty: message"
run --db "$DB" render --proj EPSG:99999 -o v4.png
assert_eq 2 "$RC" "--proj EPSG:99999 exit status"
assert_not_contains "$OUT" "proj_create" "PROJ's own log line is not printed"
assert_eq "" "$(ls v1.* v2.* v3.* v4.* 2>/dev/null)" "files written"
case_end

case_begin "bad style: an unknown key is named with its path and a suggestion (doc/STYLE.md)"
printf '{ "choropleth": { "shceme": "Reds" } }\n' > typo.json
run --db "$DB" render --style typo.json -o e6.png
[ "$RC" == 1 ] || [ "$RC" == 2 ] || fail "exit status $RC, expected 1 or 2"
assert_contains "$OUT" 'typo.json: choropleth.shceme: unknown key (did you mean "scheme"?' "message"
assert_eq "" "$(ls e6.* 2>/dev/null)" "files written"
case_end

case_begin "bad style: scheme \"Redz\" suggests \"Reds\"; --style world-choroplet (no file, no shipped style) exits 2 listing the shipped styles (ls styles/) and suggesting world-choropleth"
printf '{ "choropleth": { "scheme": "Redz" } }\n' > redz.json
run --db "$DB" render --style redz.json -o e8.png
[ "$RC" == 1 ] || [ "$RC" == 2 ] || fail "exit status $RC, expected 1 or 2"
assert_contains "$OUT" 'redz.json: choropleth.scheme: "Redz" is not a ColorBrewer scheme (did you mean "Reds"?' "scheme message"
SHIPPED=$(cd "$ROOT/styles" && ls *.json | sed 's/\.json$//' | LC_ALL=C sort | paste -sd, | sed 's/,/, /g')
for cmd in render export tiles; do
    case $cmd in
        render) run --db "$DB" render --style world-choroplet -o e8.png ;;
        export) run --db "$DB" export --style world-choroplet --what aggregate:country_by_category -o e8.geojson ;;
        tiles) run --db "$DB" tiles --style world-choroplet --zoom 0-0 -o e8_tiles ;;
    esac
    assert_eq 2 "$RC" "$cmd --style world-choroplet: exit status ($OUT)"
    assert_contains "$OUT" "style 'world-choroplet': no such file, nor a shipped style (did you mean \"world-choropleth\"? shipped styles: $SHIPPED)" \
        "$cmd --style world-choroplet: message"
done
assert_eq "" "$(ls -d e8* 2>/dev/null)" "files written"
case_end

case_begin "choropleth.field the aggregation lacks (projectz, surveillance) or holds as text (name): render, export and tiles exit 2 naming it, the numeric fields (sqlite3) and the near miss; nothing written"
# An outside tester's maps: all grey, no legend, exit 0, the PDF's Subject
# "projectz per country"; export wrote class and fill null.
NUMERIC=$(sql "SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_table_info('agg_country_by_category')
               WHERE name NOT IN ('id', 'geom') AND (type LIKE '%INT%' OR type LIKE '%REAL%') ORDER BY cid)")
assert_contains "$NUMERIC" "projects, projects_weighted" "numeric columns (sqlite3)"
field_err() {  # FIELD WHAT HINT: each command refuses the style
    printf '{ "choropleth": { "field": "%s" } }\n' "$1" > f_$1.json
    for cmd in render export tiles; do
        case $cmd in
            render) run --db "$DB" render --style f_$1.json --aggregation country_by_category -o fe_$1.pdf ;;
            export) run --db "$DB" export --style f_$1.json --what aggregate:country_by_category -o fe_$1.geojson ;;
            tiles) run --db "$DB" tiles --style f_$1.json --aggregation country_by_category --zoom 0-1 -o fe_$1_tiles ;;
        esac
        assert_eq 2 "$RC" "$cmd with field $1: exit status ($OUT)"
        assert_contains "$OUT" "f_$1.json: choropleth.field: \"$1\" $2 aggregation 'country_by_category' ($3numeric fields: $NUMERIC)" \
            "$cmd with field $1: message"
    done
    assert_eq "" "$(ls -d fe_$1* 2>/dev/null)" "files written for field $1"
}
field_err projectz "is not a column of" 'did you mean "projects"? '
field_err surveillance "is not a column of" 'did you mean "category_surveillance"? '
field_err name "is a text column of" ""
case_end

case_begin "a store without the aggregation: the default style's map fails clearly, pointing to footprint aggregate"
fp_init fresh.sqlite >/dev/null 2>&1
run --db fresh.sqlite render -o e7.png
[ "$RC" == 1 ] || [ "$RC" == 2 ] || fail "exit status $RC, expected 1 or 2 (export says 2 for a missing aggregation)"
assert_contains "$OUT" "country_by_category" "message names the aggregation"
assert_contains "$OUT" "footprint aggregate" "message says how to make it"
assert_eq "" "$(ls e7.* 2>/dev/null)" "files written"
case_end

# The world style draws level 'country'; a hex aggregation has only 'hex':
# the map was drawn without a choropleth (no land, no legend), exit 0.
case_begin "--aggregation of another level than the style's (a hex aggregation, the world style's 'country'): exit 2 naming both levels, nothing written; tiles likewise"
cp "$DB" hexs.sqlite
"$FP" -q --db hexs.sqlite aggregate --by hex:500 --name hex_500 || fail "aggregate hex"
assert_eq "hex|0" "$(sqlite3 hexs.sqlite "SELECT (SELECT level FROM aggregations WHERE name = 'hex_500'), (SELECT count(*) FROM agg_hex_500 WHERE level = 'country')")" "the aggregation's level (sqlite3)"
run --db hexs.sqlite render --aggregation hex_500 -o hexmap.png
assert_eq 2 "$RC" "exit status ($OUT)"
assert_contains "$OUT" "aggregation 'hex_500' has no level 'country' (the level the style's choropleth draws); its level is 'hex'" "the message"
assert_eq "" "$(ls hexmap.* 2>/dev/null)" "nothing written"
run --db hexs.sqlite tiles --aggregation hex_500 --zoom 0 -o hextiles
assert_eq 2 "$RC" "tiles: exit status ($OUT)"
assert_contains "$OUT" "has no level 'country'" "tiles: the message"
case_end

# ==============================================================================
# 7. Output safety.
# ==============================================================================
case_begin "a failed render leaves the existing PNG, .pgw and .prj byte-identical and no temporary file"
run --db "$DB" render --size 400x300 -o keep.png
before=$(md5sum keep.png keep.pgw keep.prj)
run --db "$DB" render --region XYZ -o keep.png
assert_eq 2 "$RC" "--region XYZ exit status"
assert_eq "$before" "$(md5sum keep.png keep.pgw keep.prj)" "after --region XYZ"
OUT=$(ulimit -f 20; "$FP" --db "$DB" render -o keep.png 2>&1); RC=$?
assert_eq 1 "$RC" "file size limit exit status ($OUT)"
assert_contains "$OUT" "keep.png" "message names the file"
assert_eq "$before" "$(md5sum keep.png keep.pgw keep.prj)" "after the size-limit failure"
run --db "$DB" render -o keep.pdf
pbefore=$(md5sum keep.pdf)
OUT=$(ulimit -f 20; "$FP" --db "$DB" render -o keep.pdf 2>&1); RC=$?
assert_eq 1 "$RC" "PDF size limit exit status"
assert_eq "$pbefore" "$(md5sum keep.pdf)" "PDF after the size-limit failure"
assert_eq "" "$(find . -name '*.tmp*')" "temporary files left"
case_end

# ==============================================================================
# 8. Reference images (tests/fixtures/render/README.md).
# ==============================================================================
case_begin "the three shipped styles at 900x600 match tests/fixtures/render/ref_*.png (>= 99 % of pixels within 8 per channel)"
for s in world-choropleth category-points africa; do
    run --db "$DB" render --style "$s" --size 900x600 -o "new_$s.png"
    assert_eq 0 "$RC" "$s exit status ($OUT)"
    read -r size share <<<"$(probe compare "new_$s.png" "$REF/ref_$s.png" 8)"
    assert_eq "900x600" "$size" "$s size"
    "$PY" -c "import sys; sys.exit(0 if float('${share:-0}') >= 0.99 else 1)" 2>/dev/null || fail "$s: only $share of the pixels match"
    assert_eq "$(cat "$REF/ref_$s.pgw")" "$(cat "new_$s.pgw")" "$s world file"
done
case_end

case_begin "africa style: every sampled pixel of the frame right, also outside the style's bbox (Middle East corner)"
if [ -s new_africa.png ]; then
    assert_contains "$(rcheck grid new_africa.png "$(prj4 new_africa.prj)" "$DB" classes.json "$SEA")" "ok" "grid"
else
    fail "new_africa.png not rendered"
fi
case_end

# ==============================================================================
# 9. GeoTIFF (-o NAME.tif): CRS and geotransform inside the file, read by GDAL.
# ==============================================================================
# tif_check TIF PGW PROJDEF COL,ROW...: gdaltransform maps pixel COL,ROW of the
# GeoTIFF (GDAL reading its own keys, no sidecar) to the lon/lat that cs2cs finds
# from PROJDEF and the world file of the same map as PNG (tested above).
tif_check() {
    local tif=$1 pgw=$2 def=$3; shift 3
    local cr want got
    read -r A _ _ E C F <<<"$(tr '\n' ' ' < "$pgw")"
    for cr in "$@"; do
        got=$(echo "${cr/,/ }" | gdaltransform -output_xy -t_srs "+proj=longlat +datum=WGS84 +no_defs" "$tif" 2>&1)
        want=$("$PY" -c "import sys; c, r = map(float, sys.argv[1].split(',')); print('%.10f %.10f' % ($C + $A * (c - 0.5), $F + $E * (r - 0.5)))" "$cr" |
               cs2cs -f %.9f $def +to +proj=longlat +datum=WGS84 +no_defs 2>&1)
        "$PY" -c "
import sys
g, w = [float(v) for v in sys.argv[1].split()[:2]], [float(v) for v in sys.argv[2].split()[:2]]
sys.exit(0 if all(abs(a - b) < 1e-7 for a, b in zip(g, w)) else 1)" "$got" "$want" 2>/dev/null ||
            { echo "pixel $cr: gdaltransform [$got], cs2cs [$want]"; return; }
    done
    echo ok
}
# The colour GDAL finds at LON LAT (WGS 84) of a GeoTIFF, through its embedded CRS.
tif_at() { gdallocationinfo -valonly -wgs84 "$1" "$2" "$3" 2>/dev/null | xargs printf '#%02x%02x%02x\n'; }

case_begin "GeoTIFF: -o world.tif is Equal Earth (EPSG:8857) inside the file, no sidecar; RGB, DEFLATE, tiled, internal overviews"
run --db "$DB" render -o world.tif
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "world.tif" "$(ls world.tif* .world.tif* 2>/dev/null | tr '\n' ' ' | sed 's/ $//')" "files written (no .aux.xml, .tfw, .prj, temporary)"
gi=$(GDAL_PAM_ENABLED=NO gdalinfo world.tif 2>&1)
assert_contains "$gi" "Driver: GTiff/GeoTIFF" "driver"
assert_contains "$gi" 'ID["EPSG",8857]]' "CRS read from the GeoTIFF keys (PAM off)"
assert_eq "same" "$(rcheck sameproj "$EE0" "$(gdalsrsinfo -o proj4 world.tif 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//')" 36.82,-1.29 -120,50 170,-40 0,85)" "GeoTIFF CRS vs $EE0"
assert_contains "$gi" "Size is $("$PY" -c "print('%d, %d' % (round(297 / 25.4 * 150), round(210 / 25.4 * 150)))")" "A4 at 150 dpi"
assert_contains "$gi" "COMPRESSION=DEFLATE" "compression"
for b in "Band 1 Block=256x256 Type=Byte, ColorInterp=Red" "Band 2 Block=256x256 Type=Byte, ColorInterp=Green" "Band 3 Block=256x256 Type=Byte, ColorInterp=Blue"; do
    assert_contains "$gi" "$b" "band"
done
assert_not_contains "$gi" "Band 4" "three bands"
# 1754x1240 halved while both sides stay >= 128: 877x620, 439x310, 220x155 (rounded up)
assert_eq "3" "$(grep -c 'Overviews: 877x620, 439x310, 220x155' <<<"$gi")" "overviews of each band"
case_end

case_begin "GeoTIFF: geotransform = the PNG's world file moved to the pixel corner; gdaltransform at pixels = cs2cs's lon/lat"
run --db "$DB" render -o world.png
read -r A _ _ E C F <<<"$(tr '\n' ' ' < world.pgw)"
gi=$(GDAL_PAM_ENABLED=NO gdalinfo world.tif 2>&1)
# the world file holds ten decimals: compare to a millionth of a metre
read -r ox oy <<<"$(sed -n 's/^Origin = (\(.*\),\(.*\))$/\1 \2/p' <<<"$gi")"
read -r sx sy <<<"$(sed -n 's/^Pixel Size = (\(.*\),\(.*\))$/\1 \2/p' <<<"$gi")"
assert_near "$("$PY" -c "print($C - $A / 2)")" "${ox:-x}" 1e-6 "origin x"
assert_near "$("$PY" -c "print($F - $E / 2)")" "${oy:-x}" 1e-6 "origin y"
assert_near "$A" "${sx:-x}" 1e-9 "pixel width"
assert_near "$E" "${sy:-x}" 1e-9 "pixel height"
assert_eq ok "$(GDAL_PAM_ENABLED=NO tif_check world.tif world.pgw "$EE0" 877,620 300,400 1500,300 100,1100)" "world.tif"
case_end

case_begin "GeoTIFF: GDAL finds Kenya's class colour at Nairobi, $NODATA in Brazil, $SEA in the Pacific; the pixels are world.png's"
assert_eq "$KEN" "$(GDAL_PAM_ENABLED=NO tif_at world.tif 36.82 -1.29)" "Nairobi"
assert_eq "$NODATA" "$(GDAL_PAM_ENABLED=NO tif_at world.tif -50 -10)" "Brazil's interior"
assert_eq "$SEA" "$(GDAL_PAM_ENABLED=NO tif_at world.tif -135 -45)" "the South Pacific"
gdal_translate -q -of PNG world.tif tif_as.png 2>/dev/null
assert_eq "1754x1240 1.0" "$(probe compare tif_as.png world.png 0 | sed 's/ 1\.0*$/ 1.0/')" "every pixel equal to the PNG's"
case_end

case_begin "GeoTIFF --region KEN: LAEA centred on Kenya inside the file; gdaltransform = cs2cs; Nairobi in Kenya's colour"
run --db "$DB" render --region KEN -o ken.tif
assert_eq 0 "$RC" "exit status ($OUT)"
run --db "$DB" render --region KEN -o ken.png
gi=$(GDAL_PAM_ENABLED=NO gdalinfo ken.tif 2>&1)
assert_contains "$gi" 'METHOD["Lambert Azimuthal Equal Area"' "LAEA read from the GeoTIFF keys"
assert_eq "" "$(ls ken.tif.* 2>/dev/null)" "no sidecar"
def=$(prj4 ken.prj)
assert_eq "same" "$(rcheck sameproj "$def" "$(gdalsrsinfo -o proj4 ken.tif 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//')" 36.82,-1.29 34,4 41,-4)" "GeoTIFF CRS vs ken.prj"
assert_eq ok "$(GDAL_PAM_ENABLED=NO tif_check ken.tif ken.pgw "$def" 877,620 200,200 1600,1100)" "ken.tif"
assert_eq "$KEN" "$(GDAL_PAM_ENABLED=NO tif_at ken.tif 36.82 -1.29)" "Nairobi"
case_end

case_begin "GeoTIFF of a CRS GeoTIFF keys cannot hold (Equal Earth lon_0=20, no EPSG code): NAME.tif.aux.xml, GDAL reads it; gone once embeddable"
run --db "$DB" render --proj "+proj=eqearth +lon_0=20 +datum=WGS84" -o ee20.tif
assert_eq 0 "$RC" "exit status ($OUT)"
assert_eq "ee20.tif ee20.tif.aux.xml" "$(ls ee20.tif* | tr '\n' ' ' | sed 's/ $//')" "files"
assert_eq "same" "$(rcheck sameproj "+proj=eqearth +lon_0=20 +datum=WGS84 +units=m" "$(gdalsrsinfo -o proj4 ee20.tif 2>/dev/null | grep -o '+proj=.*' | sed 's/ *$//')" 36.82,-1.29 -120,50)" "CRS (from the .aux.xml)"
assert_eq "$KEN" "$(tif_at ee20.tif 36.82 -1.29)" "Nairobi"
# the same name again in an embeddable CRS: a stale .aux.xml would override the keys
run --db "$DB" render -o ee20.tif
assert_eq "ee20.tif" "$(ls ee20.tif* | tr '\n' ' ' | sed 's/ $//')" "the stale .aux.xml removed"
assert_contains "$(gdalinfo ee20.tif 2>&1)" 'ID["EPSG",8857]]' "EPSG:8857"
case_end

case_begin "GeoTIFF: a failed render (unknown --region, file size limit) leaves the previous .tif byte-identical, no temporary file"
run --db "$DB" render -o keep.tif
before=$(md5sum keep.tif)
run --db "$DB" render --region XYZ -o keep.tif
assert_eq 2 "$RC" "unknown region exit status"
OUT=$(ulimit -f 100; "$FP" --db "$DB" render --dpi 300 -o keep.tif 2>&1); RC=$?
assert_eq 1 "$RC" "size limit exit status ($OUT)"
assert_contains "$OUT" "keep.tif" "the message names the file"
assert_eq "$before" "$(md5sum keep.tif)" "keep.tif after the failures"
assert_eq "" "$(find . -name '*.tmp*')" "temporary files left"
case_end

case_begin "a MultiPoint's and a collection's points are drawn as symbols (render, raster tiles); legend: '(no category)', 'smart city'"
# MP1 is one project at three places; GC1 a point and a line. Each place must show the
# same symbol colour as the plain Point P1 of the same category, where the land around is
# grey (the points were dropped before). The legend texts come from pdftotext.
cat > mp.geojson <<'J'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"MP1","category":"smart_city"},"geometry":{"type":"MultiPoint","coordinates":[[20,0],[30,10],[-60,-10]]}},
{"type":"Feature","properties":{"id":"GC1","category":"smart_city"},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[140,-25]},{"type":"LineString","coordinates":[[100,60],[120,50]]}]}},
{"type":"Feature","properties":{"id":"P1","category":"smart_city"},"geometry":{"type":"Point","coordinates":[100,40]}},
{"type":"Feature","properties":{"id":"N1","category":""},"geometry":{"type":"Point","coordinates":[-100,40]}},
{"type":"Feature","properties":{"id":"U1","category":"éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"},"geometry":{"type":"Point","coordinates":[-120,-40]}}]}
J
fp_init mp.sqlite && "$FP" -q --db mp.sqlite import mp.geojson
run --db mp.sqlite render --style category-points -o mp.png
assert_eq 0 "$RC" "render ($OUT)"
p=$(prj4 mp.prj)
sym=$(probe probe mp.png "$p" 100 40 1)
land=$(probe probe mp.png "$p" 25 5 1)
[ "$sym" != "$land" ] || fail "P1's symbol has the land's colour $land"
for ll in "20 0" "30 10" "-60 -10" "140 -25"; do
    assert_eq "$sym" "$(probe probe mp.png "$p" $ll 1)" "symbol at $ll"
done
run --db mp.sqlite render --style category-points -o mp.pdf
text=$(pdftotext mp.pdf - | tr -s ' ')
assert_contains "$text" "smart city" "legend: smart_city"
assert_contains "$text" "(no category)" "legend: the empty category"
# A 140-byte category (70 x U+00E9) is cut for the legend at a character's start: cut
# inside one, cairo dropped every text of the page.
assert_contains "$text" "Projects by category" "the title, beside a long non-ASCII category"
assert_contains "$text" "éééééééééé" "the long category's legend text"
# Raster tiles: z0, the tile's 256 px in Web Mercator; P1 and MP1's (20, 0) the same colour.
run --db mp.sqlite tiles --style category-points --zoom 0-0 -o mpt
assert_eq 0 "$RC" "tiles ($OUT)"
px() { "$PY" -c "
import math, sys
from PIL import Image
lon, lat = float(sys.argv[2]), float(sys.argv[3])
x = (lon + 180) / 360 * 256
y = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * 256
print('#%02x%02x%02x' % Image.open(sys.argv[1]).convert('RGB').getpixel((int(x), int(y))))" mpt/0/0/0.png "$1" "$2"; }
tsym=$(px 100 40)
for ll in "20 0" "30 10" "-60 -10" "140 -25"; do assert_eq "$tsym" "$(px $ll)" "tile z0: symbol at $ll"; done
case_end
