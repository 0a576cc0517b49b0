#!/usr/bin/env bash
# A real browser draws footprint's GeoJSON: headless Chromium opens a page
# (tests/tools/leaflet_page.html) that adds the exported layers to a Leaflet
# map (Debian's libjs-leaflet, copied next to the page: no CDN, no network) and
# writes into <pre id="result"> how many layers Leaflet made, their bounds and
# the fill colours of the SVG paths; a screenshot of the same page is decoded
# (tests/tools/png_colors.py) to count the pixels of each colour.
#
# Expected values are independent of footprint: feature counts, extents and
# fill colours counted with Python's json on the files, project counts with
# sqlite3 on the store, and the pixel area of a 5x5 degree box in Web Mercator
# by hand. Needs the Debian packages chromium and libjs-leaflet (make deps);
# without them every case FAILs with the reason, never passes.
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
LEAFLET=/usr/share/javascript/leaflet
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)

case_begin "prerequisites: chromium and libjs-leaflet are installed"
[ -n "$CHROMIUM" ] || fail "chromium not found (Debian package chromium; run make deps)"
[ -f "$LEAFLET/leaflet.js" ] && [ -f "$LEAFLET/leaflet.css" ] || fail "$LEAFLET/leaflet.js missing (Debian package libjs-leaflet; run make deps)"
case_end

# --- the layers: the sample's choropleth and projects, and a box across the antimeridian
DB=job/footprint.sqlite
fp_run $DB >run.log 2>&1
RUN_RC=$?
"$FP" -q --db $DB import "$FIX/export/shapes.csv" >>run.log 2>&1
run --db $DB export --where dataset=sample -o projects.geojson
EXP_RC=$RC EXP_OUT=$OUT
# S4 = POLYGON((175 -10,-175 -10,-175 -5,175 -5,175 -10)): 10 degrees wide across
# the antimeridian, cut into [175,180]x[-10,-5] and [-180,-175]x[-10,-5].
run --db $DB export --where source_key=S4 -o dateline.geojson
DL_RC=$RC DL_OUT=$OUT
REGIONS=job/country_by_category.geojson
DLCOLOR='#00ff00'

mkdir -p page
cp "$TOOLS/leaflet_page.html" page/index.html
cp -rL "$LEAFLET" page/leaflet 2>/dev/null
{
    printf 'window.FP_LAYERS = [\n{"name": "regions", "data": '; cat "$REGIONS" 2>/dev/null || printf 'null'
    printf '},\n{"name": "projects", "data": '; cat projects.geojson 2>/dev/null || printf 'null'
    printf '},\n{"name": "dateline", "color": "%s", "data": ' "$DLCOLOR"; cat dateline.geojson 2>/dev/null || printf 'null'
    printf '}];\n'
} > page/data.js

# One Chromium run: the DOM after the scripts ran, and a screenshot.
BROWSER_RC=1
if [ -n "$CHROMIUM" ]; then
    t0=$(date +%s)
    timeout 60 "$CHROMIUM" --headless=new --no-sandbox --disable-gpu --no-first-run --disable-extensions \
        --user-data-dir="$WORK/chromium-profile" --force-color-profile=srgb --hide-scrollbars \
        --window-size=1100,900 --screenshot="$WORK/shot.png" --dump-dom "file://$WORK/page/index.html" \
        >dom.html 2>chromium.log
    BROWSER_RC=$?
    BROWSER_S=$(( $(date +%s) - t0 ))
fi
# The page's result (JSON), or nothing.
RESULT=$(python3 - dom.html <<'P' 2>/dev/null
import html, re, sys
m = re.search(r'<pre id="result">(.*?)</pre>', open(sys.argv[1], encoding='utf-8').read(), re.S)
print(html.unescape(m.group(1)) if m else '')
P
)
field() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(json.dumps(eval(sys.argv[2], {'d': d})))" "$RESULT" "$1" 2>/dev/null; }

case_begin "Chromium loads the page, Leaflet and the data without a JavaScript error"
assert_eq 0 "$RUN_RC" "footprint run ($(tail -3 run.log))"
assert_eq 0 "$EXP_RC" "export projects ($EXP_OUT)"
assert_eq 0 "$DL_RC" "export dateline ($DL_OUT)"
assert_eq 0 "$BROWSER_RC" "chromium exit status ($(grep -v dbus chromium.log | tail -3))"
[ -n "$RESULT" ] && [ "$RESULT" != pending ] || fail "no result in the page's DOM (chromium: $(grep -v dbus chromium.log | tail -3))"
assert_eq "[]" "$(field "d['errors']")" "JavaScript errors"
assert_eq "done" "$(sed -n 's:.*<title>\(.*\)</title>.*:\1:p' dom.html)" "document.title"
[ "${BROWSER_S:-99}" -le 20 ] || fail "chromium took ${BROWSER_S:-?} s (over 20 s)"
case_end

# Independent reading of the files: features with a geometry, extent, fills.
facts() {
    python3 - "$1" <<'P'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
def pos(c):
    if isinstance(c[0], (int, float)): yield c
    else:
        for x in c: yield from pos(x)
feats = [f for f in d['features'] if f.get('geometry')]
ps = [p for f in feats for p in pos(f['geometry']['coordinates'])]
fills = {}
for f in feats:
    c = (f.get('properties') or {}).get('fill')
    if c: fills[c] = fills.get(c, 0) + 1
print(json.dumps({'count': len(feats), 'bounds': [min(p[0] for p in ps), min(p[1] for p in ps), max(p[0] for p in ps), max(p[1] for p in ps)] if ps else None, 'fills': fills}))
P
}
RF=$(facts $REGIONS 2>&1)
PF=$(facts projects.geojson 2>&1)
get() { python3 -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])[sys.argv[2]], sort_keys=True))" "$1" "$2" 2>/dev/null; }

case_begin "Leaflet made one layer per region (252) and per project (sqlite3), polygons and points"
assert_eq 252 "$(get "$RF" count)" "Python: regions in $REGIONS"
assert_eq "$(get "$RF" count)" "$(field "d['layers']['regions']['count']")" "Leaflet layers, regions"
assert_eq "{\"polygon\": 252}" "$(field "d['layers']['regions']['kinds']")" "Leaflet layer kinds, regions"
n=$(sqlite3 $DB "SELECT count(*) FROM projects WHERE dataset='sample' AND geom IS NOT NULL")
assert_eq "$n" "$(get "$PF" count)" "Python: projects in projects.geojson (sqlite3: $n)"
assert_eq "$n" "$(field "d['layers']['projects']['count']")" "Leaflet layers, projects"
assert_eq "{\"point\": $n}" "$(field "d['layers']['projects']['kinds']")" "Leaflet layer kinds, projects"
assert_eq "1" "$(field "d['layers']['dateline']['count']")" "Leaflet layers, dateline (a MultiPolygon is one layer)"
case_end

case_begin "Leaflet's bounds are the extents Python computes, inside the world"
for l in regions projects; do
    f=$([ $l = regions ] && echo "$RF" || echo "$PF")
    ok=$(python3 -c "
import json, sys
a = json.loads(sys.argv[1]); b = json.loads(sys.argv[2])
inside = -180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90
same = all(abs(x - y) <= 1e-9 for x, y in zip(a, b))
print('ok' if inside and same else 'Leaflet %s, Python %s' % (b, a))" "$(get "$f" bounds)" "$(field "d['layers']['$l']['bounds']")" 2>&1)
    assert_eq ok "$ok" "$l bounds"
done
case_end

case_begin "the SVG paths carry the exported fill colours, as many of each as the file has"
ok=$(python3 -c "
import json, sys
want = json.loads(sys.argv[1]); got = json.loads(sys.argv[2]); n = int(sys.argv[3])
want['#3388ff'] = want.get('#3388ff', 0) + n      # project points (no fill property)
want['$DLCOLOR'] = want.get('$DLCOLOR', 0) + 1    # the dateline box: one MultiPolygon, one path
print('ok' if got == want else 'SVG %s, files %s' % (got, want))" "$(get "$RF" fills)" "$(field "d['svg_fills']")" "$(get "$PF" count)" 2>&1)
assert_eq ok "$ok" "fills"
case_end

case_begin "the screenshot shows the no-data grey and the class colours; the antimeridian box is two small boxes, not a band"
px=$(python3 "$TOOLS/png_colors.py" shot.png '#dddddd' '#ffffb2' '#fecc5c' '#fd8d3c' '#f03b20' '#e31a1c' '#bd0026' "$DLCOLOR" 2>&1)
ok=$(python3 - "$px" "$(field "d['zoom']")" "$(get "$RF" fills)" <<'P'
import json, math, sys
parts = sys.argv[1].split()
px = {k: int(v) for k, v in (p.split('=') for p in parts[1:])}
zoom = int(sys.argv[2]); fills = json.loads(sys.argv[3])
problems = []
if px.get('#dddddd', 0) < 10000: problems.append('no-data grey: %d pixels' % px.get('#dddddd', 0))
classes = [c for c in fills if c != '#dddddd']
shown = [c for c in classes if px.get(c, 0) > 0]
if len(shown) < min(3, len(classes)): problems.append('class colours on screen %s of %s' % (shown, classes))
# Web Mercator at this zoom: the world is W = 256 * 2^zoom px wide; a box
# 5 deg wide spans 5/360 W px, and from -10 to -5 deg latitude
# (ln tan(pi/4 + phi/2) difference) * W / (2 pi) px high.
W = 256 * 2 ** zoom
y = lambda d: math.log(math.tan(math.pi / 4 + math.radians(d) / 2))
box = (5 / 360 * W) * ((y(-5) - y(-10)) * W / (2 * math.pi))
want, got = 2 * box, px.get('#00ff00', 0)
band = 350 / 10 * want                      # an uncut polygon spans 350 degrees
if not 0.5 * want <= got <= 1.3 * want:
    problems.append('dateline box: %d pixels, expected about %.0f (two 5x5 degree boxes; uncut it would be about %.0f)' % (got, want, band))
print('; '.join(problems) if problems else 'ok')
P
)
assert_eq ok "$ok" "pixels ($px, zoom $(field "d['zoom']"))"
case_end
