#!/usr/bin/env bash
# The tile preview in a real browser, over `footprint serve`: headless Chromium
# (Debian's chromium, no network) opens index.html from the server, Leaflet
# (raster, from a directory) or MapLibre GL (vector, from an MBTiles file)
# draws the tiles, and the page reports on <html data-...> how many tiles
# loaded and failed. Checked independently of footprint's own counters too:
# the server's access log must show no request answered other than 200/304,
# and the screenshot, decoded with Pillow, must show the sea colour and
# Kenya's class colour (render_check.py classes, from the store with sqlite3,
# doc/STYLE.md's quantile rule and ColorBrewer's colours).
. "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/tests/tools"
PY=/usr/bin/python3
CHROMIUM=$(command -v chromium || true)

case_begin "prerequisites: chromium, curl, Pillow and python3-websocket"
[ -n "$CHROMIUM" ] || fail "chromium not found (Debian package chromium; make deps)"
command -v curl >/dev/null || fail "curl not found (make deps)"
"$PY" -c "import PIL" 2>/dev/null || fail "Pillow missing for $PY (python3-pil)"
"$PY" -c "import websocket" 2>/dev/null || fail "websocket missing for $PY (python3-websocket)"
case_end

DB=$WORK/s/fp.sqlite
fp_run "$DB" >/dev/null 2>&1 || echo "FAIL footprint run (the store for the browser tests)"
"$PY" "$TOOLS/render_check.py" classes "$DB" country_by_category > classes.json
KEN=$("$PY" -c "import json; print(json.load(open('classes.json'))['colour']['KEN'])")

# serve ROOT: starts `footprint serve --port 0 ROOT` in the background; sets PORT.
serve() {
    : > serve.log
    "$FP" serve --port 0 "$1" > serve.out 2> serve.log &
    SERVE_PID=$!
    PORT=""
    # wait for the URL line itself (bounded at 30 s), not for a fixed time
    for _ in $(seq 1 300); do
        PORT=$(grep -o '127\.0\.0\.1:[0-9]*' serve.out 2>/dev/null | head -1 | cut -d: -f2)
        [ -n "$PORT" ] && break
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$PORT" ] || echo "footprint serve gave no URL within 30 s: $(tail -3 serve.log)" >&2
}
# stop_serve: SIGINT; the server must exit 0 (also: no sanitizer report under SAN=1).
stop_serve() {
    kill -INT "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    local rc=$?
    [ "$rc" = 0 ] || fail "footprint serve exited with $rc after SIGINT: $(tail -5 serve.log)"
}

# browse URL SHOT [READY-JS]: the page in headless Chromium over the DevTools
# protocol (tests/tools/cdp_page.py), waiting in real time until READY-JS is
# true; RESULT holds its JSON report (ready, window.footprint, errors).
# More arguments go to cdp_page.py as they are (--then JS SHOT2).
browse() {
    local url=$1 shot=$2 ready=${3:-}
    shift $(($# < 3 ? $# : 3))
    RESULT=$("$PY" "$TOOLS/cdp_page.py" "$url" "$shot" ${ready:+--ready "$ready"} --timeout 60 "$@" 2>&1)
}
field() { "$PY" -c "import json,sys; r=json.loads(sys.argv[1]); v=r$1; print(json.dumps(v) if not isinstance(v, str) else v)" "$RESULT" 2>/dev/null; }
# vector_map_drawn SHOT: MapLibre's page reached idle with no map error, the
# server's log shows vector tiles served, SHOT shows Kenya's class colour.
vector_map_drawn() {
    assert_eq "true" "$(field "['ready']")" "MapLibre reached idle ($RESULT)"
    assert_eq 0 "$(field "['footprint']['tileErrors']")" "map errors"
    local served
    served=$(grep -c '"GET /tiles/[0-9]*/[0-9]*/[0-9]*\.pbf" 200' serve.log)
    [ "$served" -ge 1 ] || fail "the server's log shows $served vector tiles served"
    assert_eq "yes" "$(has_colour "$1" "$KEN" 300)" "Kenya's class colour $KEN"
}
# colours in the screenshot: "yes" if the colour covers at least N pixels
has_colour() {
    "$PY" - "$1" "$2" "$3" <<'PY'
import sys
from PIL import Image
im = Image.open(sys.argv[1]).convert("RGB")
want = tuple(int(sys.argv[2][i:i + 2], 16) for i in (1, 3, 5))
n = sum(1 for p in im.getdata() if max(abs(a - b) for a, b in zip(p, want)) <= 3)
print("yes" if n >= int(sys.argv[3]) else "no (%d pixels)" % n)
PY
}

# ==============================================================================
run --db "$DB" tiles --zoom 0-3 -o xyz
TILES_RC=$RC
serve xyz
case_begin "raster: Leaflet over footprint serve loads every tile it asks for, no failed request, the map is drawn"
assert_eq 0 "$TILES_RC" "tiles exit status"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" shot.png "window.footprint && window.footprint.ready && Object.keys(window.footprint.overlays).length == 2"
assert_eq "true" "$(field "['ready']")" "the page became ready: tiles and overlays ($RESULT)"
loaded=$(field "['footprint']['tilesLoaded']")
[ "${loaded:-0}" -ge 4 ] || fail "tiles loaded: ${loaded:-none}"
assert_eq 0 "$(field "['footprint']['tileErrors']")" "tile errors reported by Leaflet"
assert_eq "[]" "$(field "['errors']")" "browser console errors"
tiles_served=$(grep -c '"GET /[0-9]*/[0-9]*/[0-9]*\.png" 200' serve.log)
[ "$tiles_served" -ge 4 ] || fail "the server's log shows $tiles_served tiles served"
bad=$(grep '"GET ' serve.log | grep -v '" 200 \|" 304 ' | head -3)
assert_eq "" "$bad" "requests not answered 200/304 (server log)"
assert_eq "yes" "$(has_colour shot.png '#eaf2f8' 20000)" "the sea in the screenshot"
assert_eq "yes" "$(has_colour shot.png "$KEN" 300)" "Kenya's class colour $KEN in the screenshot"
case_end

case_begin "raster: the GeoJSON overlays load (projects and regions, as many features as the store has)"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM projects WHERE geom IS NOT NULL")" "$(field "['footprint']['overlays']['Projects']")" "projects overlay"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM agg_country_by_category WHERE level='country' AND geom IS NOT NULL")" "$(field "['footprint']['overlays']['Regions']")" "regions overlay"
[ "$(grep -c '"GET /layers/projects.geojson" 200' serve.log)" -ge 1 ] || fail "the server's log shows no projects layer served"
stop_serve
case_end

# WCAG 2.1: keyboard focus visible (2.4.7), a text alternative and the data
# beside the map (1.1.1), a descriptive title (2.4.2), the legend as a list
# read in the printed map's order (highest class first; its colour is the
# palette's last, from the store by render_check.py, not from footprint).
serve xyz
case_begin "raster page, accessibility: the focused map and zoom link show an outline, the map is a labelled region, the legend lists the classes highest first and the grey project points, its data link serves the projects layer, the title says what the map shows"
browse "http://127.0.0.1:$PORT/" a11y.png "window.footprint && window.footprint.ready" --then '(async () => {
  var m = document.getElementById("map"); m.focus();
  var mapOutline = getComputedStyle(m).outlineStyle;
  var z = document.querySelector(".leaflet-control-zoom-in"); z.focus();
  var zoomOutline = getComputedStyle(z).outlineStyle;
  var first = document.querySelector("#legend li i");
  var link = document.querySelector("#legend a");
  var r = link ? await fetch(link.href) : null;
  var gj = r && r.ok ? await r.json() : null;
  return {map: mapOutline, zoom: zoomOutline, role: m.getAttribute("role") || "", label: m.getAttribute("aria-label") || "",
          lists: document.querySelectorAll("#legend ul").length, first: first ? getComputedStyle(first).backgroundColor : "",
          data: gj ? gj.features.length : -1, title: document.title, legend: document.getElementById("legend").textContent};
})()' a11y2.png
assert_eq "true" "$(field "['ready']")" "the page became ready ($RESULT)"
[ "$(field "['steps'][0]['map']")" != none ] || fail "the focused map has no outline"
[ "$(field "['steps'][0]['zoom']")" != none ] || fail "the focused zoom link has no outline"
assert_eq "region" "$(field "['steps'][0]['role']")" "the map's role"
assert_contains "$(field "['steps'][0]['label']")" "Map: " "the map's label"
# The classes, and the projects' one grey (this style has no categories; the
# page's Projects layer draws them #666, so the legend says so).
assert_eq 2 "$(field "['steps'][0]['lists']")" "lists in the legend"
assert_contains "$(field "['steps'][0]['legend']")" "a project (the Projects layer)" "the grey points in the legend"
top=$("$PY" -c "import json; p = json.load(open('classes.json'))['palette']; h = p[-1]; print('rgb(%d, %d, %d)' % tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)))")
assert_eq "$top" "$(field "['steps'][0]['first']")" "the legend's first swatch: the highest class"
assert_eq "$(sqlite3 "$DB" "SELECT count(*) FROM projects WHERE geom IS NOT NULL")" "$(field "['steps'][0]['data']")" "features behind the legend's data link"
assert_contains "$(field "['steps'][0]['title']")" "Projects per country" "the page's title"
stop_serve
case_end

# A category drawn only as lines (a cable) has a stroke in the legend, as the
# printed map's legend has, not a dot (the cable tester); a category of points
# keeps its dot. Colours from styles/category-points.json, read here.
cat > cab.geojson <<'JSON'
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":"C1","category":"cable"},"geometry":{"type":"LineString","coordinates":[[5.37,43.29],[32.0,31.2],[43.1,11.6]]}},
{"type":"Feature","properties":{"id":"S1","category":"landing_station"},"geometry":{"type":"Point","coordinates":[5.37,43.29]}}]}
JSON
fp_init cab.sqlite >/dev/null && "$FP" -q --db cab.sqlite import cab.geojson
run --db cab.sqlite tiles --style category-points --zoom 0-1 -o cab
serve cab
case_begin "raster page: a category drawn only as lines (cable) has a stroke in the legend, a category of points (landing station) a dot"
assert_eq 0 "$RC" "tiles ($OUT)"
browse "http://127.0.0.1:$PORT/" cab.png "window.footprint && window.footprint.ready" --then '(async () => {
  var out = {};
  document.querySelectorAll("#legend li").forEach(function (li) {
    var i = li.querySelector("i"), s = getComputedStyle(i);
    out[li.textContent.trim()] = {h: i.getBoundingClientRect().height, top: s.borderTopStyle + " " + s.borderTopColor,
                                  bg: s.backgroundColor, radius: s.borderTopLeftRadius};
  });
  return out;
})()' cab2.png
assert_eq "true" "$(field "['ready']")" "the page became ready ($RESULT)"
want=$("$PY" -c "
import json; c = json.load(open('$ROOT/styles/category-points.json'))
def rgb(h): return 'rgb(%d, %d, %d)' % tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))
def find(o, k):
    if isinstance(o, dict):
        if isinstance(o.get(k), str) and o[k].startswith('#'): return o[k]
        for v in o.values():
            r = find(v, k)
            if r: return r
print(rgb(find(c, 'cable')), rgb(find(c, 'landing_station')))")
set -- $want
cable_rgb="$1 $2 $3" station_rgb="$4 $5 $6"
assert_eq "solid $cable_rgb" "$(field "['steps'][0]['cable']['top']")" "cable: a stroke of the cable colour"
assert_eq "3" "$(field "['steps'][0]['cable']['h']")" "cable: the stroke's 3 px, no box"
assert_eq "$station_rgb" "$(field "['steps'][0]['landing station']['bg']")" "landing station: a dot of its colour"
assert_eq "50%" "$(field "['steps'][0]['landing station']['radius']")" "landing station: round"
stop_serve
case_end

# ==============================================================================
run --db "$DB" tiles --zoom 0-4 --format mvt -o vec.mbtiles
TILES_RC=$RC
serve vec.mbtiles
case_begin "vector: MapLibre over footprint serve (MBTiles, gzip'd tiles) draws the regions, no failed request"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" vshot.png
vector_map_drawn vshot.png
assert_eq "[]" "$(field "['errors']")" "browser console errors"
assert_contains "$(curl -s "http://127.0.0.1:$PORT/")" "$KEN" "the legend has Kenya's class colour"
bad=$(grep '"GET ' serve.log | grep -v '" 200 \|" 304 ' | head -3)
assert_eq "" "$bad" "requests not answered 200/304 (server log)"
assert_eq "yes" "$(has_colour vshot.png '#eaf2f8' 20000)" "the sea (background layer)"
stop_serve
case_end

case_begin "vector: MapLibre on a page of another origin (file://) loads the served style.json by its URL and draws its tiles"
# The style's source is "tiles.json" on disk, its tiles "{z}/{x}/{y}.pbf": resolved
# against this page they were 404s. serve sends both absolute.
serve vec.mbtiles
cat > own.html <<'H'
<!doctype html><html><body style="margin:0"><div id="map" style="width:800px;height:500px"></div>
<script src="vec.preview/lib/maplibre-gl/maplibre-gl.js"></script>
<script>
window.footprint = {tilesLoaded: 0, tileErrors: 0, ready: false};
var map = new maplibregl.Map({container: 'map', style: 'http://127.0.0.1:' + location.search.slice(1) + '/style.json'});
map.on('sourcedata', function (e) { if (e.tile && e.dataType === 'source') window.footprint.tilesLoaded++; });
map.on('error', function (e) { window.footprint.tileErrors++; console.log('map error: ' + (e.error && e.error.message)); });
map.on('idle', function () { window.footprint.ready = true; });
</script></body></html>
H
browse "file://$WORK/own.html?$PORT" own.png "window.footprint.ready && window.footprint.tilesLoaded > 0"
vector_map_drawn own.png
stop_serve
case_end

case_begin "vector: the page's Projects check box shows the tiles' projects, which the choropleth style hides"
serve vec.mbtiles
# Rendered project features before and after ticking the box (MapLibre's own count).
COUNT='(function () { var m = window.footprint.map; return m.queryRenderedFeatures().filter(function (f) { return f.sourceLayer === "projects"; }).length; })()'
TICK='new Promise(function (done) { var m = window.footprint.map, cb = document.querySelector("#projects-toggle input");
  cb.click(); m.once("idle", function () { done(m.queryRenderedFeatures().filter(function (f) { return f.sourceLayer === "projects"; }).length); }); })'
browse "http://127.0.0.1:$PORT/" vt1.png "window.footprint && window.footprint.ready" --then "$COUNT" vt2.png --then "$TICK" vt3.png
assert_eq "true" "$(field "['ready']")" "MapLibre reached idle ($RESULT)"
assert_eq "false" "$(field "['footprint']['projectsShown']")" "the box starts unticked (the style draws no points)"
assert_eq 0 "$(field "['steps'][0]")" "projects drawn before"
n=$(field "['steps'][1]")
[ "${n:-0}" -ge 1 ] 2>/dev/null || fail "projects drawn after ticking the box: '$n'"
assert_eq "[]" "$(field "['errors']")" "browser console errors"
stop_serve
case_end

# ==============================================================================
# PMTiles: the same pages reading one archive with HTTP Range requests through
# the vendored pmtiles library (web/vendor/pmtiles).
run --db "$DB" tiles --zoom 0-3 -o arch.pmtiles
TILES_RC=$RC
serve arch.pmtiles
case_begin "PMTiles raster: Leaflet reads arch.pmtiles over footprint serve (206 responses), the map is drawn"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" pshot.png "window.footprint && window.footprint.ready && window.footprint.tilesLoaded >= 4 && Object.keys(window.footprint.overlays).length == 2"
assert_eq "true" "$(field "['ready']")" "the page became ready ($RESULT)"
assert_eq 0 "$(field "['footprint']['tileErrors']")" "tile errors reported by Leaflet"
assert_eq "[]" "$(field "['errors']")" "browser console errors"
ranges=$(grep -c '"GET /arch.pmtiles" 206' serve.log)
[ "$ranges" -ge 2 ] || fail "the server's log shows $ranges range requests for the archive"
bad=$(grep '"GET ' serve.log | grep -v '" 200 \|" 206 \|" 304 ' | head -3)
assert_eq "" "$bad" "requests not answered 200/206/304 (server log)"
assert_eq "yes" "$(has_colour pshot.png '#eaf2f8' 20000)" "the sea in the screenshot"
assert_eq "yes" "$(has_colour pshot.png "$KEN" 300)" "Kenya's class colour $KEN in the screenshot"
stop_serve
case_end

run --db "$DB" tiles --zoom 0-4 --format mvt -o varch.pmtiles
TILES_RC=$RC
serve varch.pmtiles
case_begin "PMTiles vector: MapLibre reads varch.pmtiles through the pmtiles protocol (206 responses), draws the regions"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" pvshot.png
assert_eq "true" "$(field "['ready']")" "MapLibre reached idle ($RESULT)"
assert_eq 0 "$(field "['footprint']['tileErrors']")" "map errors"
assert_eq "[]" "$(field "['errors']")" "browser console errors"
ranges=$(grep -c '"GET /varch.pmtiles" 206' serve.log)
[ "$ranges" -ge 2 ] || fail "the server's log shows $ranges range requests for the archive"
assert_eq "yes" "$(has_colour pvshot.png '#eaf2f8' 20000)" "the sea (background layer)"
assert_eq "yes" "$(has_colour pvshot.png "$KEN" 300)" "Kenya's class colour $KEN"
stop_serve
case_end

# NAME.mbtiles and NAME.pmtiles share NAME.preview/: the last run's page. Serving the
# other file serves its twin too, so the page finds its tiles (it showed an empty map).
run --db "$DB" tiles --zoom 0-4 --format mvt -o varch.mbtiles
TILES_RC=$RC
serve varch.pmtiles
case_begin "twins: varch.mbtiles written after varch.pmtiles; serve varch.pmtiles shows the MBTiles' page with its tiles"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
browse "http://127.0.0.1:$PORT/" twshot.png
vector_map_drawn twshot.png
stop_serve
# The other way round: the PMTiles page over serve NAME.mbtiles finds /NAME.pmtiles.
run --db "$DB" tiles --zoom 0-4 --format mvt -o varch.pmtiles
serve varch.mbtiles
assert_eq 206 "$(curl -s -o /dev/null -w '%{http_code}' -r 0-126 "http://127.0.0.1:$PORT/varch.pmtiles")" "the archive next to the MBTiles"
stop_serve
case_end

# ==============================================================================
# Hostile text from the data and the style (tests/fixtures/xss_*): categories
# that close the page's inline script or carry an onerror handler, a style
# whose description closes the script and whose credits (the attribution,
# which Leaflet and MapLibre insert as HTML) hold <img onerror> and </script>.
# The pages must run none of it (each payload sets window.__pwned), still
# work, and show the text as text. The legend writes '_' as a space.
XDB=$WORK/x/fp.sqlite
fp_init "$XDB" >/dev/null 2>&1
run --db "$XDB" import "$FIX/xss_projects.csv"
IMPORT_RC=$RC
CREDITS='<img src=x onerror="window.__pwned=4"> & </script><script>window.__pwned=5</script>'
# what the page shows, read after it is ready: the flag, the legend, the attribution
SHOWN='({pwned: window.__pwned === undefined ? "none" : String(window.__pwned),
  legend: (document.getElementById("legend") || {}).textContent || "",
  attribution: (document.querySelector(".leaflet-control-attribution, .maplibregl-ctrl-attrib-inner") || {}).textContent || ""})'
# check_shown PAGE [EXPECTED-ERRORS]: the assertions shared by the pages below,
# on $RESULT; console errors matching the regex EXPECTED-ERRORS do not count.
check_shown() {
    assert_eq "true" "$(field "['ready']")" "$1: the page became ready ($RESULT)"
    assert_eq "none" "$(field "['steps'][0]['pwned']")" "$1: window.__pwned (a script from the data or the style ran)"
    assert_eq 0 "$(field "['footprint']['tileErrors']")" "$1: tile errors"
    assert_eq "[]" "$("$PY" -c "import json, re, sys
e = json.loads(sys.argv[1]).get('errors')
print(json.dumps([x for x in e if not (sys.argv[2] and re.search(sys.argv[2], x))]) if isinstance(e, list) else e)" \
        "$RESULT" "${2:-}" 2>&1)" "$1: browser console errors"
    local legend attribution
    legend=$(field "['steps'][0]['legend']")
    attribution=$(field "['steps'][0]['attribution']")
    assert_contains "$legend" '</script><script>window.  pwned=1</script>' "$1: the legend shows the category as text"
    assert_contains "$legend" '<img src=x onerror="window.  pwned=2">' "$1: the legend shows the category as text"
    assert_contains "$attribution" "$CREDITS" "$1: the attribution shows the credits as text"
}

run --db "$XDB" tiles --style "$FIX/xss_style.json" --zoom 0-1 -o xss
TILES_RC=$RC
serve xss
case_begin "hostile categories and style text: the raster page (served and from file://) runs none of it, shows it as text"
assert_eq 0 "$IMPORT_RC" "import of xss_projects.csv"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" xshot.png "window.footprint && window.footprint.ready && window.footprint.overlays.Projects == 3" \
    --then "$SHOWN" xshot2.png
check_shown "served"
bad=$(grep '"GET ' serve.log | grep -v '" 200 \|" 304 ' | head -3)
assert_eq "" "$bad" "requests not answered 200/304 (an injected <img src=x> asks for /x)"
stop_serve
browse "file://$WORK/xss/index.html" fshot.png "window.footprint && window.footprint.ready" --then "$SHOWN" fshot2.png
# from file:// the overlays cannot be fetched (README): those errors are expected
check_shown "file://" 'layers/projects\.geojson'
assert_eq 0 "$(grep -c '</script><script>' xss/index.html)" "raw </script><script> in index.html"
assert_eq 0 "$(grep -c '<img src=x' xss/index.html)" "raw <img src=x in index.html"
case_end

case_begin "hostile style text: tiles.json's attribution is the credits HTML-escaped, its description the style's as it is"
got=$("$PY" -c "import json,sys; t=json.load(open(sys.argv[1])); print(t['attribution']); print(t['description'])" xss/tiles.json 2>&1)
assert_eq '&lt;img src=x onerror=&quot;window.__pwned=4&quot;&gt; &amp; &lt;/script&gt;&lt;script&gt;window.__pwned=5&lt;/script&gt;
</script><script>window.__pwned=3</script>' "$got" "tiles.json attribution and description"
case_end

run --db "$XDB" tiles --style "$FIX/xss_style.json" --zoom 0-1 --format mvt -o xvec.mbtiles
TILES_RC=$RC
serve xvec.mbtiles
case_begin "hostile categories and style text: the vector page (MapLibre, MBTiles) runs none of it, shows it as text"
assert_eq 0 "$TILES_RC" "tiles exit status ($OUT)"
[ -n "$PORT" ] || fail "footprint serve did not start: $(cat serve.log)"
browse "http://127.0.0.1:$PORT/" xvshot.png "" --then "$SHOWN" xvshot2.png
check_shown "vector"
assert_eq 0 "$(grep -c '</script><script>' xvec.preview/index.html)" "raw </script><script> in index.html"
assert_eq "$(sqlite3 xvec.mbtiles "SELECT value FROM metadata WHERE name='attribution'")" \
    "$("$PY" -c "import json; print(json.load(open('xvec.preview/tiles.json'))['attribution'])")" "MBTiles attribution as in tiles.json"
assert_not_contains "$(sqlite3 xvec.mbtiles "SELECT value FROM metadata WHERE name='attribution'")" "<img" "MBTiles attribution: raw <img"
stop_serve
case_end
