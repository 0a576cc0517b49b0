#!/usr/bin/env bash
# The timeline of the vector-tile preview (issue 20, item 2): the per-year
# counts in the tiles, decoded with GDAL's MVT driver, against sqlite3 on the
# store; then the page in headless Chromium over `footprint serve`
# (tests/tools/cdp_page.py): the year slider moved from JavaScript to two
# years, the project features MapLibre renders counted (queryRenderedFeatures)
# against the projects with year <= Y inside the view (SpatiaLite), and one
# country's fill probed on the screenshot against the colour of its count
# under the legend's classes (render_check.py: quantiles and ColorBrewer from
# the store, independent of footprint).
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || true)

case_begin "prerequisites: chromium, GDAL's Python bindings, Pillow and python3-websocket"
[ -n "$CHROMIUM" ] || fail "chromium not found (Debian package chromium; make deps)"
"$PY" -c "from osgeo import ogr" 2>/dev/null || fail "GDAL's Python bindings missing for $PY (python3-gdal)"
"$PY" -c "import PIL" 2>/dev/null || fail "Pillow missing for $PY (python3-pil)"
"$PY" -c "import websocket" 2>/dev/null || fail "websocket missing for $PY (python3-websocket)"
case_end

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the timeline tests)"
ASSIGN=agg_country_by_category_assign
"$PY" "$TOOLS/render_check.py" classes "$DB" country_by_category > classes.json
# The shipped world choropleth with the projects drawn (category colours).
"$PY" - "$ROOT/styles/world-choropleth.json" > style.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["points"] = {"field": "category", "size": 4, "scheme": "Set2"}
print(json.dumps(s))
PY
FIRST=$(sql "SELECT min(year) FROM projects WHERE geom IS NOT NULL")
LAST=$(sql "SELECT max(year) FROM projects WHERE geom IS NOT NULL")

# ==============================================================================
run --db "$DB" tiles --style style.json --zoom 0-4 --format mvt -o vec
TILES_RC=$RC
case_begin "tiles: regions and clusters carry yYYYY for every year of the projects, equal to sqlite3's counts"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
# every region and year: projects assigned to it with year <= Y (absent = 0)
sql "SELECT r.code, y.year, (SELECT count(DISTINCT a.project_id) FROM $ASSIGN a JOIN projects p ON p.id = a.project_id
     WHERE a.region_code = r.code AND p.year <= y.year)
     FROM (SELECT DISTINCT code FROM agg_country_by_category WHERE level = 'country' AND geom IS NOT NULL) r,
     (WITH RECURSIVE y(year) AS (SELECT $FIRST UNION ALL SELECT year + 1 FROM y WHERE year < $LAST) SELECT year FROM y) y" \
    > want_regions.txt
# point projects with year <= Y, for the clusters' sums
ssql "WITH RECURSIVE y(year) AS (SELECT $FIRST UNION ALL SELECT year + 1 FROM y WHERE year < $LAST)
      SELECT year, (SELECT count(*) FROM projects WHERE GeometryType(geom) = 'POINT' AND year <= y.year) FROM y" > want_points.txt
check=$("$PY" - vec "$FIRST" "$LAST" want_regions.txt want_points.txt <<'PY'
import glob, os, sys
from osgeo import ogr, gdal
gdal.UseExceptions()
d, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
want = {}
for line in open(sys.argv[4]):
    code, year, n = line.strip().split("|")
    want[(code, int(year))] = int(n)
want_points = {int(y): int(n) for y, n in (l.strip().split("|") for l in open(sys.argv[5]))}
bad = []
def value(f, key):
    i = f.GetFieldIndex(key)
    return None if i < 0 or not f.IsFieldSet(i) else f.GetField(i)
# z0: one tile holds every region once
ds = gdal.OpenEx(os.path.join(d, "0/0/0.pbf"), open_options=["CLIP=NO"])
seen = set()
nonzero = 0
for f in ds.GetLayerByName("regions"):
    code = value(f, "code")
    seen.add(code)
    for y in range(first, last + 1):
        got = value(f, "y%d" % y) or 0
        nonzero += got > 0
        if got != want.get((code, y), 0):
            bad.append("%s y%d: tile %s, sqlite3 %s" % (code, y, got, want.get((code, y), 0)))
    if value(f, "y%d" % (first - 1)) is not None or value(f, "y%d" % (last + 1)) is not None:
        bad.append("%s: a year outside %d-%d" % (code, first, last))
# (regions smaller than a tile unit at z0 are left out; none with projects may be)
missing = {c for (c, _), n in want.items() if n} - seen
if missing: bad.append("regions with projects missing from 0/0/0: %s" % sorted(missing)[:5])
if not nonzero: bad.append("no region has a non-zero yYYYY")
# every zoom: singles with year <= Y plus the clusters' yY = the point projects with year <= Y
for z in range(0, 5):
    got = {y: 0 for y in range(first, last + 1)}
    for t in glob.glob(os.path.join(d, str(z), "*", "*.pbf")):
        if not os.path.getsize(t): continue
        ds = gdal.OpenEx(t, open_options=["CLIP=NO"])
        lyr = ds.GetLayerByName("projects")
        if lyr is None: continue
        for f in lyr:
            if f.GetGeometryRef().GetGeometryName() != "POINT": continue
            single = (value(f, "point_count") or 1) == 1
            for y in got:
                if single: got[y] += (value(f, "year") or 10**9) <= y
                else: got[y] += value(f, "y%d" % y) or 0
    for y in got:
        if got[y] != want_points[y]: bad.append("z%d y%d: features %d, sqlite3 %d" % (z, y, got[y], want_points[y]))
print("\n".join(bad[:12]) if bad else "ok %d regions, %d non-zero region-years" % (len(seen), nonzero))
PY
)
assert_contains "$check" "ok " "per-year properties against sqlite3"
echo "  ($check)"
case_end

case_begin "tiles: the page carries the timeline (years, the legend's classes), tiles.json the fields, the style is unchanged"
html=$(cat vec/index.html)
assert_contains "$html" "id=\"tl-year\" min=\"$FIRST\" max=\"$((LAST + 1))\"" "the slider spans the store's years and 'all years'"
assert_contains "$html" "\"first\":$FIRST,\"last\":$LAST" "the timeline settings"
undated=$(sql "SELECT count(*) FROM projects WHERE geom IS NOT NULL AND year IS NULL")
assert_contains "$html" "$undated projects without a year" "the undated projects' note"
"$PY" - vec/index.html classes.json <<'PY' || fail "the page's classes differ from render_check's"
import json, re, sys
t = json.loads(re.search(r"var timeline = (\{.*?\});", open(sys.argv[1]).read()).group(1))
c = json.load(open(sys.argv[2]))
assert t["regions"] is True, t
assert t["colors"] == c["palette"], (t["colors"], c["palette"])
assert t["uppers"] == [float(u) for u in c["uppers"][:-1]], (t["uppers"], c["uppers"])
assert t["nodata"] == c["nodata"] and t["zeroIsNodata"] is True, t
PY
"$PY" - vec/tiles.json "$FIRST" "$LAST" <<'PY' || fail "tiles.json's vector_layers lack the yYYYY fields"
import json, sys
years = ["y%d" % y for y in range(int(sys.argv[2]), int(sys.argv[3]) + 1)]
for l in json.load(open(sys.argv[1]))["vector_layers"]:
    got = [k for k in l["fields"] if k.startswith("y") and k[1:].isdigit()]
    assert got == years and all(l["fields"][k] == "Number" for k in got), (l["id"], got)
PY
assert_not_contains "$(cat vec/style.json)" "y$LAST" "style.json (the page restyles at run time)"
case_end

case_begin "raster tiles: no timeline on the Leaflet page"
run --db "$DB" tiles --zoom 0-1 -o ras
assert_eq 0 "$RC" "exit status ($OUT)"
assert_not_contains "$(cat ras/index.html)" "tl-year" "the raster page"
case_end

# ==============================================================================
# serve ROOT: `footprint serve --port 0 ROOT` in the background; sets PORT.
serve() {
    : > serve.log
    "$FP" serve --port 0 "$1" > serve.out 2> serve.log &
    SERVE_PID=$!
    PORT=""
    for _ in $(seq 1 300); do        # the URL line itself, bounded at 30 s
        PORT=$(grep -o '127\.0\.0\.1:[0-9]*' serve.out 2>/dev/null | head -1 | cut -d: -f2)
        [ -n "$PORT" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
}
stop_serve() {
    kill -INT "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
}

# The year-1 and year-2 of the page test: the first year the country with the
# most dated projects has one, and the last year of the store. That country's
# probe point: inside it, 0.5 degrees from its border and 1 degree from any
# project (whose circle would cover the fill), by SpatiaLite.
CC=$(sql "SELECT a.region_code FROM $ASSIGN a JOIN projects p ON p.id = a.project_id WHERE p.year IS NOT NULL
          AND a.region_code IS NOT NULL GROUP BY 1 ORDER BY count(DISTINCT p.id) DESC, 1 LIMIT 1")
Y1=$(sql "SELECT min(p.year) FROM $ASSIGN a JOIN projects p ON p.id = a.project_id WHERE a.region_code = '$CC'")
Y2=$LAST
PROBE=$(ssql "SELECT X(pt) || ',' || Y(pt) FROM (SELECT ST_PointOnSurface(ST_Difference(ST_Buffer(r.geom, -0.5),
              (SELECT ST_Buffer(ST_Collect(geom), 1.0) FROM projects WHERE geom IS NOT NULL))) AS pt
              FROM regions r WHERE r.level = 'country' AND r.code = '$CC')")
# A view at the tiles' maxzoom (4), where only points on one tile pixel are
# merged, so every feature lies where its projects are: Africa and Arabia.
# Its years: the first year of a project well inside it (lon 5..55, lat
# -8..24: the 1400 x 900 px view spans about -0.8..60.8, -7.6..24.9) and the last.
VIEW='{"center": [30, 9], "zoom": 4}'
VY1=$(ssql "SELECT min(year) FROM projects WHERE GeometryType(geom) = 'POINT' AND X(geom) BETWEEN 5 AND 55 AND Y(geom) BETWEEN -8 AND 24")
VY2=$LAST
# "only that year": the year with the most projects well inside the view
OY=$(ssql "SELECT year FROM projects WHERE GeometryType(geom) = 'POINT' AND year IS NOT NULL AND X(geom) BETWEEN 5 AND 55
           AND Y(geom) BETWEEN -8 AND 24 GROUP BY year ORDER BY count(*) DESC, year LIMIT 1")
# JS: play from "all years", wait until it moved on from the first year,
# pause; the year play started at, the year shown then, and again 2.5 s
# later (paused: the same).
PLAY_JS="new Promise(function (done) {
  var play = document.getElementById('tl-play'), s = document.getElementById('tl-year'), t0 = Date.now();
  s.value = s.max;                       /* at \"all years\": play starts from the first year */
  s.dispatchEvent(new Event('input'));
  play.click();
  var started = window.footprint.year;
  var poll = setInterval(function () {
    if (window.footprint.year > $FIRST || Date.now() - t0 > 15000) {
      clearInterval(poll); play.click();
      var y = window.footprint.year;
      setTimeout(function () { done([started, y, window.footprint.year]); }, 2500);
    }
  }, 50);
})"
# JS: the slider to year Y ("" = all years) as a user moves it, then the next
# idle; returns the view's bounds, the projects rendered inside it (singles 1,
# clusters their count for the year, lines and areas once each) and the
# probe's pixel, region property and the region's fill expression result.
step_js() {  # YEAR CENTER-JSON [ONLY: true = "only that year"]
    cat <<JS
new Promise(function (done) {
  var map = window.footprint.map, s = document.getElementById('tl-year');
  document.getElementById('tl-only').checked = ${3:-false};
  s.value = '$1' === '' ? s.max : '$1';
  s.dispatchEvent(new Event('input'));
  map.jumpTo($2);
  map.once('idle', function () {
    var b = map.getBounds(), y = '$1', n = 0, ids = {};
    map.queryRenderedFeatures({layers: ['projects', 'clusters', 'project-lines', 'project-areas']}).forEach(function (f) {
      if (f.geometry.type === 'Point') {
        var c = f.geometry.coordinates;
        if (!b.contains(c)) return;
        var pc = f.properties.point_count || 1;
        var cum = function (k) { return f.properties['y' + k] || 0; };
        n += pc === 1 ? 1 : y === '' ? pc : ${3:-false} ? cum(+y) - cum(+y - 1) : cum(y);
      } else ids[f.properties.id] = 1;
    });
    var p = map.project([$PROBE]), r = map.queryRenderedFeatures(p, {layers: ['regions']})[0];
    done({bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()], count: n + Object.keys(ids).length,
          label: document.getElementById('tl-label').textContent, year: window.footprint.year,
          px: [Math.round(p.x), Math.round(p.y)], code: r && r.properties.code,
          value: r ? (r.properties['y' + y] === undefined ? 0 : r.properties['y' + y]) : null});
  });
})
JS
}
serve vec
case_begin "browser: the slider at $VY1 and $VY2 shows the projects up to that year in the view (sqlite3), all years shows the undated too"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
RESULT=$("$PY" "$TOOLS/cdp_page.py" "http://127.0.0.1:$PORT/" shot0.png --timeout 90 --size 1400x900 \
    --then "$(step_js "$VY1" "$VIEW")" shot1.png --then "$(step_js "$VY2" "$VIEW")" shot2.png \
    --then "$(step_js "" "$VIEW")" shot3.png \
    --then "$(step_js "$Y1" "{\"center\": [$PROBE], \"zoom\": 4}")" probe1.png \
    --then "$(step_js "$Y2" "{\"center\": [$PROBE], \"zoom\": 4}")" probe2.png \
    --then "$(step_js "$OY" "$VIEW" true)" only.png --then "$PLAY_JS" play.png 2>&1)
echo "$RESULT" > result.json
step() { "$PY" -c "import json,sys; r=json.load(open('result.json')); v=r['steps'][$1]$2; print(v if isinstance(v, str) else json.dumps(v))" 2>/dev/null; }
assert_eq "true" "$("$PY" -c "import json; print(str(json.load(open('result.json'))['ready']).lower())" 2>/dev/null)" "the page became ready ($RESULT)"
assert_eq "[]" "$("$PY" -c "import json; print(json.dumps(json.load(open('result.json'))['errors']))" 2>/dev/null)" "browser errors"
# in the view: points inside the bounds, lines and areas meeting them
inview() {  # STEP YEAR-CONDITION
    local b; b=$(step "$1" "['bounds']" | tr -d '[] ')
    IFS=, read -r w s e n <<<"$b"
    ssql "SELECT count(*) FROM projects WHERE geom IS NOT NULL AND $2 AND (
          (GeometryType(geom) = 'POINT' AND X(geom) BETWEEN $w AND $e AND Y(geom) BETWEEN $s AND $n)
          OR (GeometryType(geom) <> 'POINT' AND ST_Intersects(geom, BuildMbr($w, $s, $e, $n, 4326))))"
}
want1=$(inview 0 "year <= $VY1")
want2=$(inview 1 "year <= $VY2")
want3=$(inview 2 "1")
# No point within 0.05 degrees of the view's edge (tile coordinates are
# rounded to 0.006 degrees at z4): in or out is then the same for both sides.
IFS=, read -r w s e n <<<"$(step 0 "['bounds']" | tr -d '[] ')"
edge=$(ssql "SELECT count(*) FROM projects WHERE GeometryType(geom) = 'POINT'
             AND X(geom) BETWEEN $w - 0.05 AND $e + 0.05 AND Y(geom) BETWEEN $s - 0.05 AND $n + 0.05
             AND NOT (X(geom) BETWEEN $w + 0.05 AND $e - 0.05 AND Y(geom) BETWEEN $s + 0.05 AND $n - 0.05)")
assert_eq 0 "$edge" "projects on the view's edge (move the view)"
assert_eq "$want1" "$(step 0 "['count']")" "projects rendered in the view at $VY1"
assert_eq "$want2" "$(step 1 "['count']")" "projects rendered in the view at $VY2"
[ "${want1:-0}" -gt 0 ] || fail "no project in the view at $VY1: the test proves little"
assert_eq "$want3" "$(step 2 "['count']")" "projects rendered in the view at all years (undated included)"
[ "${want1:-0}" -lt "${want2:-0}" ] || fail "the two years show the same projects ($want1, $want2): the test proves nothing"
[ "${want2:-0}" -lt "${want3:-0}" ] || fail "all years adds no undated project in the view ($want2, $want3)"
assert_eq "≤ $VY1" "$(step 0 "['label']")" "the label at $VY1"
assert_eq "$VY1" "$(step 0 "['year']")" "window.footprint.year"
assert_eq "all years" "$(step 2 "['label']")" "the label at the slider's end"
want_only=$(inview 5 "year = $OY")
assert_eq "$want_only" "$(step 5 "['count']")" "projects rendered in the view with only $OY"
[ "${want_only:-0}" -gt 0 ] || fail "no project of $OY in the view: the test proves little"
assert_eq "$OY" "$(step 5 "['label']")" "the label with only that year"
played=$(step 6 "")
assert_eq "[$FIRST, $((FIRST + 1)), $((FIRST + 1))]" "$played" "play: from $FIRST on to the next year, then paused there"
echo "  (projects in the view $(step 0 "['bounds']"): $want1 at $VY1, $want2 at $VY2, $want3 at all years, $want_only in $OY only)"
case_end

case_begin "browser: $CC's fill at $Y1 and $Y2 is the legend's colour of its projects up to that year (sqlite3)"
expect_colour() {  # COUNT -> the class colour, from render_check's classes
    "$PY" -c "
import json; c = json.load(open('classes.json')); v = $1
print(c['nodata'] if v == 0 else c['palette'][next((i for i, u in enumerate(c['uppers']) if v <= u), len(c['uppers']) - 1)])"
}
pixel() {  # PNG X Y
    "$PY" -c "
from PIL import Image; im = Image.open('$1').convert('RGB'); print('#%02x%02x%02x' % im.getpixel(($2, $3)))"
}
for k in 1 2; do
    y=$([ $k = 1 ] && echo "$Y1" || echo "$Y2")
    n=$(sql "SELECT count(DISTINCT a.project_id) FROM $ASSIGN a JOIN projects p ON p.id = a.project_id
             WHERE a.region_code = '$CC' AND p.year <= $y")
    assert_eq "$CC" "$(step $((k + 2)) "['code']")" "the region under the probe point ($PROBE)"
    assert_eq "$n" "$(step $((k + 2)) "['value']")" "$CC's y$y in the rendered feature"
    want=$(expect_colour "$n")
    xy=$(step $((k + 2)) "['px']" | tr -d '[] ')
    assert_eq "$want" "$(pixel probe$k.png "${xy%,*}" "${xy#*,}")" "$CC's painted fill at $y ($n projects) at pixel $xy"
    echo "  ($CC at $y: $n projects, $want at pixel $xy)"
done
[ "$(expect_colour "$(step 3 "['value']")")" != "$(expect_colour "$(step 4 "['value']")")" ] ||
    echo "  (note: $CC has the same class at $Y1 and $Y2)"
case_end
stop_serve
