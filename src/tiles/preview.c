/* The preview next to the tiles: a TileJSON 3.0 document and an index.html
 * that opens the tiles with Leaflet (raster; Debian's libjs-leaflet) or
 * MapLibre GL (vector; the npm package vendored in web/vendor), copied into
 * lib/ so the page works offline, with no CDN. The TileJSON document is
 * also embedded in the page, so a raster preview opens from file:// too;
 * the GeoJSON overlays and the vector style are fetched, which browsers
 * allow over http:// only (`footprint serve`). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include "tiles_internal.h"
#include "common/json_util.h"

#ifndef FP_WEBDIR
#define FP_WEBDIR "web"
#endif
#define LEAFLET_DIR "/usr/share/javascript/leaflet"

char *fpi_tilejson(const fp_preview_info *in)
{
    json_t *j = json_object();
    json_object_set_new(j, "tilejson", json_string("3.0.0"));
    json_object_set_new(j, "name", json_string(in->name));
    if (in->description) json_object_set_new(j, "description", json_string(in->description));
    json_object_set_new(j, "version", json_string("1.0.0"));
    if (in->attribution) json_object_set_new(j, "attribution", json_string(in->attribution));
    json_object_set_new(j, "scheme", json_string(in->tms ? "tms" : "xyz"));
    json_t *tiles = json_array();
    json_array_append_new(tiles, json_string(in->tiles_url));
    json_object_set_new(j, "tiles", tiles);
    json_object_set_new(j, "minzoom", json_integer(in->minzoom));
    json_object_set_new(j, "maxzoom", json_integer(in->maxzoom));
    json_t *b = json_array();
    for (int i = 0; i < 4; i++) json_array_append_new(b, json_real(round(in->bounds[i] * 1e6) / 1e6));
    json_object_set_new(j, "bounds", b);
    json_t *c = json_array();
    json_array_append_new(c, json_real(round(in->center[0] * 1e6) / 1e6));
    json_array_append_new(c, json_real(round(in->center[1] * 1e6) / 1e6));
    json_array_append_new(c, json_integer((json_int_t)in->center[2]));
    json_object_set_new(j, "center", c);
    if (in->vector_layers_json) {
        json_t *vl = json_loads(in->vector_layers_json, 0, NULL);
        if (vl) json_object_set_new(j, "vector_layers", vl);
    }
    char *text = fpi_json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    return text;
}

/* Copies the files of a folder (one level, plus one level of subfolders).
 * what: the library it holds, for the message when it is missing. */
static fp_status copy_tree(const char *from, const char *to, const char *what, fp_error *err)
{
    GDir *d = g_dir_open(from, 0, NULL);
    if (!d) return fp_error_set(err, FP_ERR_STATE, "%s: missing: %s", from, what);
    if (g_mkdir_with_parents(to, 0755) != 0) {
        g_dir_close(d);
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", to, strerror(errno));
    }
    fp_status st = FP_OK;
    const char *name;
    while (!st && (name = g_dir_read_name(d))) {
        /* Leaflet's compressed and source-map copies are not needed. */
        if (g_str_has_suffix(name, ".gz") || g_str_has_suffix(name, ".brotli") || g_str_has_suffix(name, ".map")) continue;
        char *src = g_build_filename(from, name, NULL), *dst = g_build_filename(to, name, NULL);
        if (g_file_test(src, G_FILE_TEST_IS_DIR)) st = copy_tree(src, dst, what, err);
        else {
            gchar *data;
            gsize len;
            if (!g_file_get_contents(src, &data, &len, NULL))
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot read", src);
            else {
                if (!g_file_set_contents(dst, data, (gssize)len, NULL))
                    st = fp_error_set(err, FP_ERR_IO, "%s: cannot write", dst);
                g_free(data);
            }
        }
        g_free(src);
        g_free(dst);
    }
    g_dir_close(d);
    return st;
}

void fpi_html_escape(GString *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': g_string_append(out, "&lt;"); break;
        case '>': g_string_append(out, "&gt;"); break;
        case '&': g_string_append(out, "&amp;"); break;
        case '"': g_string_append(out, "&quot;"); break;
        default: g_string_append_c(out, *s);
        }
    }
}

/* JSON text (jansson's) for an inline <script>: the HTML parser ends the
 * script at "</script" and treats "<!--" specially whatever the JS says,
 * so < > & are written as \u003c \u003e \u0026, and U+2028/U+2029 (line
 * ends to JS before ES2019) as \u2028 \u2029. Outside strings JSON has
 * none of these, so the text stays JSON with the same value. */
static void append_script_json(GString *out, const char *json)
{
    for (const char *p = json; p && *p; p++) {
        if (*p == '<') g_string_append(out, "\\u003c");
        else if (*p == '>') g_string_append(out, "\\u003e");
        else if (*p == '&') g_string_append(out, "\\u0026");
        else if (p[0] == '\xe2' && p[1] == '\x80' && (p[2] == '\xa8' || p[2] == '\xa9')) {
            g_string_append(out, p[2] == '\xa8' ? "\\u2028" : "\\u2029");
            p += 2;
        } else g_string_append_c(out, *p);
    }
}

/* A C string as a single-quoted JS string literal (as the page's other
 * strings are) for an inline script: jansson's JSON string with its quotes
 * swapped (\" becomes ", ' becomes \'; other escapes kept whole). Not
 * UTF-8: ''. */
static void append_script_string(GString *out, const char *s)
{
    json_t *j = json_string(s);
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    GString *lit = g_string_new("'");
    for (const char *p = text ? text + 1 : ""; p[0] && p[1]; p++) {  /* inside the quotes */
        if (p[0] == '\\' && p[1] == '"') g_string_append_c(lit, *++p);
        else if (p[0] == '\\') {
            g_string_append_c(lit, *p);
            g_string_append_c(lit, *++p);
        } else if (p[0] == '\'') g_string_append(lit, "\\'");
        else g_string_append_c(lit, *p);
    }
    g_string_append_c(lit, '\'');
    append_script_json(out, lit->str);
    g_string_free(lit, TRUE);
    free(text);
    json_decref(j);
}

/* The legend as HTML: the choropleth's classes (range, count) and the
 * categories' colours, as on the report maps. */
/* grey_points: the page draws the projects layer in one grey (Leaflet's,
 * when the style has no categories): said in the legend too. */
static void legend_html(GString *h, const fp_preview_info *in, int grey_points)
{
    /* A region a screen reader can jump to, headings and lists it reads as
     * such; the classes highest first, as on the printed map. */
    g_string_append(h, "<div class=\"legend\" id=\"legend\" role=\"region\" aria-label=\"Legend\">");
    if (in->classes) {   /* also when every region lacks a value: the title and "none (N)" */
        g_string_append(h, "<h2>");
        fpi_html_escape(h, in->legend_title);
        g_string_append(h, "</h2><ul>");
        const fp_classes *c = in->classes;
        for (int i = c->n - 1; i >= 0; i--) {
            char hex[10], range[96];
            fp_rgba_to_hex(c->colors[i], hex);
            fp_classes_label(c, i, range, sizeof range);
            g_string_append_printf(h, "<li><i style=\"background:%s\"></i>%s (%ld)</li>", hex, range, c->counts[i]);
        }
        if (c->nodata_count) {
            char hex[10];
            fp_rgba_to_hex(c->nodata, hex);
            g_string_append_printf(h, "<li><i style=\"background:%s\"></i>%s (%ld)</li>", hex,
                                   c->zero_is_nodata ? "none" : "no data", c->nodata_count);
        }
        g_string_append(h, "</ul>");
    }
    if (in->ncategories) {
        g_string_append(h, "<h2>Projects</h2><ul>");
        for (size_t i = 0; i < in->ncategories; i++) {
            char hex[10];
            fp_rgba_to_hex(in->category_colors[i], hex);
            /* A category drawn only as lines (cables) shows a stroke, as
             * render's legend does, not a dot. */
            if (in->category_line_only && in->category_line_only[i])
                g_string_append_printf(h, "<li><i class=\"line\" style=\"border-top-color:%s\"></i>", hex);
            else
                g_string_append_printf(h, "<li><i class=\"dot\" style=\"background:%s\"></i>", hex);
            for (const char *p = in->categories[i]; *p; p++) {
                if (*p == '_') g_string_append_c(h, ' ');
                else {
                    char one[2] = { *p, 0 };
                    fpi_html_escape(h, one);
                }
            }
            g_string_append(h, "</li>");
        }
        g_string_append(h, "</ul>");
    } else if (grey_points) {
        g_string_append(h, "<h2>Projects</h2><ul><li><i class=\"dot\" style=\"background:#666666\"></i>"
                           "a project (the Projects layer)</li></ul>");
    }
    /* The map's data as text, for whoever cannot use the map (WCAG 1.1.1):
     * the GeoJSON layers written next to the page. */
    g_string_append(h, "<div>Data: <a href=\"layers/projects.geojson\">projects (GeoJSON)</a>");
    if (in->regions_layer) {
        g_string_append(h, ", <a href=\"layers/");
        fpi_html_escape(h, in->regions_layer);
        g_string_append(h, "\">regions (GeoJSON)</a>");
    }
    g_string_append(h, "</div></div>\n");
}

/* Category -> colour, for the overlay's circle markers. */
static char *category_colors_json(const fp_preview_info *in)
{
    json_t *o = json_object();
    for (size_t i = 0; i < in->ncategories; i++) {
        char hex[10];
        fp_rgba_to_hex(in->category_colors[i], hex);
        json_object_set_new(o, in->categories[i], json_string(hex));
    }
    char *t = fpi_json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return t;
}

static const char *const page_style =
    "html,body,#map{height:100%;margin:0}\n"
    ".legend{position:absolute;right:10px;bottom:24px;z-index:1000;background:rgba(255,255,255,.92);padding:6px 9px;"
    "font:12px/1.5 'DejaVu Sans',sans-serif;box-shadow:0 1px 5px rgba(0,0,0,.35);border-radius:4px;max-height:60%;overflow:auto}\n"
    ".legend i{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-2px;border:1px solid #999}\n"
    ".legend i.dot{border-radius:50%}\n"
    ".legend i.line{height:0;border:0;border-top:3px solid;border-radius:2px;vertical-align:4px}\n"
    ".legend ul{list-style:none;margin:0 0 4px;padding:0}\n"
    ".legend h2{font-size:12px;margin:0}\n"
    /* Keyboard focus visible (WCAG 2.4.7): Leaflet's CSS takes the map's
     * outline away, and its zoom links show none. */
    "#map:focus-visible,.leaflet-container:focus-visible,.leaflet-bar a:focus-visible,.legend a:focus-visible,"
    ".leaflet-control-layers input:focus-visible{outline:3px solid #1a5fb4;outline-offset:-3px}\n"
    ".popup td{padding:0 4px;vertical-align:top}\n"
    ".timeline{position:absolute;left:10px;bottom:24px;z-index:1000;background:rgba(255,255,255,.92);padding:6px 9px;"
    "font:12px/1.6 'DejaVu Sans',sans-serif;box-shadow:0 1px 5px rgba(0,0,0,.35);border-radius:4px;max-width:46%}\n"
    ".timeline input[type=range]{width:220px;vertical-align:middle}\n"
    ".timeline button{width:2.2em;vertical-align:middle}\n"
    ".timeline b{display:inline-block;min-width:5.5em}\n"
    ".timeline .note{color:#555;font-size:11px}\n"
    ".overlays{position:absolute;left:10px;top:10px;z-index:1000;background:rgba(255,255,255,.92);padding:4px 9px;"
    "font:12px/1.6 'DejaVu Sans',sans-serif;box-shadow:0 1px 5px rgba(0,0,0,.35);border-radius:4px}\n";

/* The page's title: what the map shows (the style's description, e.g.
 * "Projects per country, quantile classes of the country_by_category
 * aggregation"), not only the style's file name (WCAG 2.4.2). */
static void page_title(GString *h, const fp_preview_info *in)
{
    fpi_html_escape(h, in->name);
    if (in->description && *in->description && strcmp(in->description, in->name)) {
        g_string_append(h, ": ");
        fpi_html_escape(h, in->description);
    }
}

/* The map, named for screen readers, which are pointed at the legend and
 * the data links beside it (WCAG 1.1.1: the picture's text alternative). */
static void map_div(GString *h, const fp_preview_info *in)
{
    g_string_append(h, "<div id=\"map\" role=\"region\" aria-label=\"Map: ");
    page_title(h, in);
    g_string_append(h, ". Legend and the data as GeoJSON after the map.\"></div>\n");
}

/* Shared by both pages: the popup table of a feature's properties. */
static const char *const popup_js =
    "function esc(s){return String(s).replace(/[&<>\"]/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','\"':'&quot;'}[c];});}\n"
    "function popup(p){var keys=['name','company','category','year','status','country_code','source','projects','point_count'];\n"
    "  var rows=keys.filter(function(k){return p[k]!==undefined&&p[k]!==null&&p[k]!=='';}).map(function(k){\n"
    "    var v=p[k];if(k==='source'&&/^https?:\\/\\//.test(v))v='<a href=\"'+esc(v)+'\" target=\"_blank\" rel=\"noopener\">'+esc(v)+'</a>';else v=esc(v);\n"
    "    return '<tr><td><b>'+esc(k.replace('_',' '))+'</b></td><td>'+v+'</td></tr>';});\n"
    "  return '<table class=\"popup\">'+rows.join('')+'</table>';}\n";

static char *leaflet_page(const fp_preview_info *in, const char *tilejson)
{
    GString *h = g_string_new("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    page_title(h, in);
    g_string_append(h, "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<link rel=\"icon\" href=\"data:,\">\n"
                       "<link rel=\"stylesheet\" href=\"lib/leaflet/leaflet.css\">\n"
                       "<script src=\"lib/leaflet/leaflet.js\"></script>\n");
    if (in->pmtiles_url) g_string_append(h, "<script src=\"lib/pmtiles/pmtiles.js\"></script>\n");
    g_string_append(h, "<style>\n");
    g_string_append(h, page_style);
    g_string_append(h, "</style>\n</head>\n<body>\n");
    map_div(h, in);
    legend_html(h, in, 1);
    char *colors = category_colors_json(in);
    g_string_append(h, "<script>\nvar tilejson = ");
    append_script_json(h, tilejson);
    g_string_append(h, ";\nvar colors = ");
    append_script_json(h, colors);
    g_string_append(h, ";\n");
    free(colors);
    g_string_append(h, popup_js);
    g_string_append(h,
        "var b = tilejson.bounds;\n"
        "var map = L.map('map', {minZoom: tilejson.minzoom, maxZoom: tilejson.maxzoom + 3, worldCopyJump: false});\n"
        "var options = {minZoom: tilejson.minzoom, maxNativeZoom: tilejson.maxzoom,\n"
        "  maxZoom: tilejson.maxzoom + 3, tms: tilejson.scheme === 'tms', noWrap: true,\n"
        "  bounds: [[b[1], b[0]], [b[3], b[2]]], attribution: tilejson.attribution};\n");
    if (in->pmtiles_url) {    /* the archive, read with HTTP Range requests by the pmtiles library */
        g_string_append(h, "var tiles = pmtiles.leafletRasterLayer(new pmtiles.PMTiles(new URL(");
        append_script_string(h, in->pmtiles_url);      /* the file's name may hold quotes */
        g_string_append(h, ", location.href).href), options).addTo(map);\n");
    } else g_string_append(h, "var tiles = L.tileLayer(tilejson.tiles[0], options).addTo(map);\n");
    g_string_append_printf(h,
        "/* Counters for scripts and tests, also on <html data-...> (read from the DOM). */\n"
        "window.footprint = {tilesLoaded: 0, tileErrors: 0, overlays: {}};\n"
        "function status(k, v) { window.footprint[k] = v; document.documentElement.setAttribute('data-' + k, v); }\n"
        "status('tilesLoaded', 0); status('tileErrors', 0);\n"
        "tiles.on('tileload', function () { status('tilesLoaded', window.footprint.tilesLoaded + 1); });\n"
        "tiles.on('tileerror', function () { status('tileErrors', window.footprint.tileErrors + 1); });\n"
        "tiles.on('load', function () { status('ready', true); });\n"
        "map.setView([tilejson.center[1], tilejson.center[0]], tilejson.center[2]);\n"
        "var control = L.control.layers({}, {}, {collapsed: false}).addTo(map);\n"
        "function overlay(url, title, options, show) {\n"
        "  fetch(url).then(function (r) { if (!r.ok) throw new Error(url + ': ' + r.status); return r.json(); })\n"
        "    .then(function (gj) {\n"
        "      options.onEachFeature = function (f, l) { l.bindPopup(popup(f.properties)); };\n"
        "      var layer = L.geoJSON(gj, options);\n"
        "      control.addOverlay(layer, title + ' (' + gj.features.length + ')');\n"
        "      window.footprint.overlays[title] = gj.features.length;\n"
        "      status('overlay-' + title.toLowerCase(), gj.features.length);\n"
        "      if (show(gj)) layer.addTo(map);\n"
        "    }).catch(function (e) { console.log('overlay ' + url + ' not loaded: ' + e); });\n"
        "}\n"
        "overlay('layers/projects.geojson', 'Projects', {\n"
        "  pointToLayer: function (f, ll) { return L.circleMarker(ll, {radius: 5, color: '#fff', weight: 1,\n"
        "    fillColor: colors[f.properties.category] || '#666', fillOpacity: 0.9}); },\n"
        "  style: function (f) { return {color: colors[f.properties.category] || '#666', weight: 2}; }\n"
        "}, function (gj) { return gj.features.length <= 5000; });\n");
    if (in->regions_layer)
        g_string_append_printf(h,
            "overlay('layers/%s', 'Regions', {style: function () { return {color: '#333', weight: 0.5, opacity: 0.3, fillOpacity: 0}; }},\n"
            "  function () { return true; });\n", in->regions_layer);
    g_string_append(h, "</script>\n</body>\n</html>\n");
    return g_string_free(h, FALSE);
}

/* The timeline's settings for the page (JSON, malloc'd; NULL without
 * years): the years, whether the regions carry per-year counts, and the
 * legend's classes (upper bounds of classes 1..n-1, colours, no data) so
 * the page colours a year's counts exactly as the legend does. */
static char *timeline_json(const fp_preview_info *in)
{
    if (!in->nyears) return NULL;
    json_t *t = json_object();
    json_object_set_new(t, "first", json_integer(in->year_first));
    json_object_set_new(t, "last", json_integer(in->year_first + in->nyears - 1));
    json_object_set_new(t, "undated", json_integer(in->undated));
    const fp_classes *c = in->classes;
    json_object_set_new(t, "regions", json_boolean(in->region_timeline && c));
    if (in->region_timeline && c) {
        json_t *uppers = json_array(), *colors = json_array();
        for (int i = 0; i < c->n; i++) {
            char hex[10];
            fp_rgba_to_hex(c->colors[i], hex);
            json_array_append_new(colors, json_string(hex));
            if (i + 1 < c->n) json_array_append_new(uppers, json_real(c->breaks[i + 1]));
        }
        char hex[10];
        fp_rgba_to_hex(c->nodata, hex);
        json_object_set_new(t, "uppers", uppers);
        json_object_set_new(t, "colors", colors);
        json_object_set_new(t, "nodata", json_string(hex));
        json_object_set_new(t, "zeroIsNodata", json_boolean(c->zero_is_nodata));
    }
    char *text = fpi_json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(t);
    return text;
}

/* The timeline's controls: play, the year slider (its last stop, one past
 * the last year, is "all years": the map as written, undated projects
 * included) and "only that year". */
static void timeline_html(GString *h, const fp_preview_info *in)
{
    int last = in->year_first + in->nyears - 1;
    g_string_append_printf(h,
        "<div class=\"timeline\" id=\"timeline\"><button type=\"button\" id=\"tl-play\" title=\"play\">&#9654;</button> "
        "<input type=\"range\" id=\"tl-year\" min=\"%d\" max=\"%d\" step=\"1\" value=\"%d\" aria-label=\"year\"> "
        "<b id=\"tl-label\">all years</b> "
        "<label><input type=\"checkbox\" id=\"tl-only\"> only that year</label>",
        in->year_first, last + 1, last + 1);
    if (in->undated)
        g_string_append_printf(h, "<div class=\"note\">%ld project%s without a year: shown under \"all years\" only</div>",
                               in->undated, in->undated == 1 ? "" : "s");
    if (!in->region_timeline && in->classes)
        g_string_append(h, "<div class=\"note\">fill: all years (the timeline recounts projects only for a "
                           "choropleth of projects at its aggregation's own level)</div>");
    else if (in->region_timeline)
        g_string_append(h, "<div class=\"note\">fill: projects up to the year (legend counts: all years)</div>");
    g_string_append(h, "</div>\n");
}

/* The timeline's script: MapLibre filters on `year` (single projects,
 * lines, areas) and on the clusters' and regions' yYYYY counts (absent =
 * 0); the fill a `step` over the year's count with the legend's classes.
 * Runs once the style is loaded; window.footprint.year reports the year
 * shown (null: all years). */
static const char *const timeline_js =
    "function timelineStart(map, tl) {\n"
    "  var slider = document.getElementById('tl-year'), only = document.getElementById('tl-only');\n"
    "  var label = document.getElementById('tl-label'), play = document.getElementById('tl-play');\n"
    "  var ids = ['projects', 'clusters', 'project-lines', 'project-areas'].filter(function (id) { return map.getLayer(id); });\n"
    "  var filters = {}; ids.forEach(function (id) { filters[id] = map.getFilter(id); });\n"
    "  var radius = map.getLayer('clusters') ? map.getPaintProperty('clusters', 'circle-radius') : null;\n"
    "  var fill = map.getLayer('regions') ? map.getPaintProperty('regions', 'fill-color') : null;\n"
    "  function cum(y) { return ['coalesce', ['get', 'y' + y], 0]; }\n"
    "  /* Projects of a cluster or region in the years shown. The first year also\n"
    "   * holds any earlier ones (tiles keep at most 100 years). */\n"
    "  function count(y, one) { return one && y > tl.first ? ['-', cum(y), cum(y - 1)] : cum(y); }\n"
    "  function yearOk(y, one) {\n"
    "    var v = ['coalesce', ['get', 'year'], 1e9];   /* no year: never shown on a year */\n"
    "    return one && y > tl.first ? ['==', v, y] : ['<=', v, y];\n"
    "  }\n"
    "  /* The legend's class of a count: class i holds uppers[i-1] < v <= uppers[i];\n"
    "   * counts are whole numbers, so v > u is v >= floor(u) + 1, a step stop. */\n"
    "  function fillOf(v) {\n"
    "    if (!tl.colors.length) return tl.nodata;\n"
    "    var e = ['step', v, tl.colors[0]];\n"
    "    tl.uppers.forEach(function (u, i) { e.push(Math.floor(u) + 1, tl.colors[i + 1]); });\n"
    "    return tl.zeroIsNodata ? ['case', ['==', v, 0], tl.nodata, e] : e;\n"
    "  }\n"
    "  function show(y, one) {\n"
    "    ids.forEach(function (id) {\n"
    "      var f = filters[id], extra = id === 'clusters' ? ['>', count(y, one), 0] : yearOk(y, one);\n"
    "      map.setFilter(id, y === null ? f : (f ? ['all', f, extra] : extra));\n"
    "    });\n"
    "    if (radius) map.setPaintProperty('clusters', 'circle-radius', y === null ? radius :\n"
    "      ['interpolate', ['linear'], count(y, one)].concat(radius.slice(3)));\n"
    "    if (fill && tl.regions) map.setPaintProperty('regions', 'fill-color', y === null ? fill : fillOf(count(y, one)));\n"
    "    label.textContent = y === null ? 'all years' : (one ? '' : '\\u2264 ') + y;\n"
    "    status('year', y); status('onlyYear', one);\n"
    "  }\n"
    "  function update() { var y = +slider.value; show(y > tl.last ? null : y, only.checked); }\n"
    "  slider.addEventListener('input', update);\n"
    "  only.addEventListener('change', update);\n"
    "  var timer = null;\n"
    "  function stop() { clearInterval(timer); timer = null; play.innerHTML = '&#9654;'; }\n"
    "  play.addEventListener('click', function () {\n"
    "    if (timer) return stop();\n"
    "    if (+slider.value >= tl.last) slider.value = tl.first;   /* from the start when at the end */\n"
    "    update();\n"
    "    play.innerHTML = '&#10074;&#10074;';\n"
    "    timer = setInterval(function () {\n"
    "      slider.value = +slider.value + 1;   /* past the last year: all years, and stop */\n"
    "      update();\n"
    "      if (+slider.value > tl.last) stop();\n"
    "    }, 1000);\n"
    "  });\n"
    "  status('year', null);\n"
    "}\n";

static char *maplibre_page(const fp_preview_info *in, const char *tilejson)
{
    GString *h = g_string_new("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    page_title(h, in);
    g_string_append(h, "</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                       "<link rel=\"icon\" href=\"data:,\">\n"
                       "<link rel=\"stylesheet\" href=\"lib/maplibre-gl/maplibre-gl.css\">\n"
                       "<script src=\"lib/maplibre-gl/maplibre-gl.js\"></script>\n");
    if (in->pmtiles_url) g_string_append(h, "<script src=\"lib/pmtiles/pmtiles.js\"></script>\n");
    g_string_append(h, "<style>\n");
    g_string_append(h, page_style);
    g_string_append(h, "</style>\n</head>\n<body>\n");
    map_div(h, in);
    legend_html(h, in, 0);
    char *timeline = timeline_json(in);
    if (timeline) timeline_html(h, in);
    g_string_append(h, "<script>\nvar tilejson = ");
    append_script_json(h, tilejson);
    g_string_append(h, ";\nvar timeline = ");
    append_script_json(h, timeline ? timeline : "null");
    g_string_append(h, ";\n");
    free(timeline);
    /* PMTiles: MapLibre reads the archive through the library's protocol
     * (pmtiles://URL/{z}/{x}/{y}, Range requests). */
    if (in->pmtiles_url) {
        g_string_append(h, "maplibregl.addProtocol('pmtiles', new pmtiles.Protocol().tile);\n"
                           "var archive = 'pmtiles://' + new URL(");
        append_script_string(h, in->pmtiles_url);     /* the file's name may hold quotes */
        g_string_append(h, ", location.href).href + '/{z}/{x}/{y}';\n");
    } else g_string_append(h, "var archive = null;\n");
    g_string_append(h, popup_js);
    g_string_append(h, timeline_js);
    /* The raster page's GeoJSON overlays are the vector tiles' own layers
     * here: a check box shows or hides the project points, clusters and
     * areas (a choropleth style hides them, as its map does; lines stay as
     * the style draws them). */
    g_string_append(h,
        "function projectsToggle(map) {\n"
        "  var ids = map.getStyle().layers.filter(function (l) { return l['source-layer'] === 'projects' && l.type !== 'line'; })\n"
        "                              .map(function (l) { return l.id; });\n"
        "  if (!ids.length) return;\n"
        "  var box = document.createElement('label'); box.className = 'overlays'; box.id = 'projects-toggle';\n"
        "  var cb = document.createElement('input'); cb.type = 'checkbox';\n"
        "  cb.checked = ids.some(function (id) { return map.getLayoutProperty(id, 'visibility') !== 'none'; });\n"
        "  cb.onchange = function () {\n"
        "    ids.forEach(function (id) { map.setLayoutProperty(id, 'visibility', cb.checked ? 'visible' : 'none'); });\n"
        "    status('projectsShown', cb.checked);\n"
        "  };\n"
        "  status('projectsShown', cb.checked);\n"
        "  box.appendChild(cb); box.appendChild(document.createTextNode(' Projects'));\n"
        "  document.body.appendChild(box);\n"
        "}\n");
    g_string_append(h,
        "window.footprint = {tilesLoaded: 0, tileErrors: 0, ready: false};\n"
        "function status(k, v) { window.footprint[k] = v; document.documentElement.setAttribute('data-' + k, v); }\n"
        "status('tilesLoaded', 0); status('tileErrors', 0);\n"
        "/* MapLibre wants absolute tile URLs: the template is relative to this page. */\n"
        "var base = location.href.replace(/[?#].*$/, '').replace(/[^\\/]*$/, '');\n"
        "fetch('style.json').then(function (r) { return r.json(); }).then(function (style) {\n"
        "  Object.keys(style.sources).forEach(function (k) {\n"
        "    var s = style.sources[k];\n"
        "    if (s.type !== 'vector') return;\n"
        "    delete s.url;\n"
        "    s.tiles = [archive || base + tilejson.tiles[0]];\n"
        "    s.minzoom = tilejson.minzoom; s.maxzoom = tilejson.maxzoom; s.bounds = tilejson.bounds;\n"
        "    s.scheme = tilejson.scheme;\n"
        "  });\n"
        "  var map = new maplibregl.Map({container: 'map', style: style, center: [tilejson.center[0], tilejson.center[1]],\n"
        "    zoom: tilejson.center[2], maxZoom: tilejson.maxzoom + 4, attributionControl: {customAttribution: tilejson.attribution}});\n"
        "  window.footprint.map = map;\n"
        "  map.addControl(new maplibregl.NavigationControl());\n"
        "  map.on('sourcedata', function (e) { if (e.tile && e.dataType === 'source') status('tilesLoaded', window.footprint.tilesLoaded + 1); });\n"
        "  map.on('error', function (e) { status('tileErrors', window.footprint.tileErrors + 1); console.log('map error: ' + (e.error && e.error.message)); });\n"
        "  map.on('idle', function () { status('ready', true); });\n"
        "  map.on('load', function () { if (timeline) timelineStart(map, timeline); projectsToggle(map); });\n"
        "  map.on('click', function (e) {\n"
        "    var f = map.queryRenderedFeatures(e.point).filter(function (f) { return f.sourceLayer === 'projects'; })[0]\n"
        "         || map.queryRenderedFeatures(e.point).filter(function (f) { return f.sourceLayer === 'regions'; })[0];\n"
        "    if (f) new maplibregl.Popup().setLngLat(e.lngLat).setHTML(popup(f.properties)).addTo(map);\n"
        "  });\n"
        "});\n"
        "</script>\n</body>\n</html>\n");
    return g_string_free(h, FALSE);
}

static fp_status write_text(const char *dir, const char *name, const char *text, fp_error *err)
{
    char *path = g_build_filename(dir, name, NULL);
    GError *ge = NULL;
    fp_status st = FP_OK;
    if (!g_file_set_contents(path, text, -1, &ge)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", path, ge ? ge->message : "?");
        g_clear_error(&ge);
    }
    g_free(path);
    return st;
}

fp_status fpi_preview_write(const char *dir, const fp_preview_info *in, fp_error *err)
{
    int vector = !strcmp(in->format, "mvt");
    char *tilejson = fpi_tilejson(in);
    fp_status st = write_text(dir, "tiles.json", tilejson, err);
    char *page = NULL;
    if (!st && vector) st = write_text(dir, "style.json", in->maplibre_style ? in->maplibre_style : "{}", err);
    if (!st) {
        page = vector ? maplibre_page(in, tilejson) : leaflet_page(in, tilejson);
        st = write_text(dir, "index.html", page, err);
    }
    if (!st) {
        char *lib = g_build_filename(dir, "lib", vector ? "maplibre-gl" : "leaflet", NULL);
        const char *webdir = in->web_dir ? in->web_dir : FP_WEBDIR;   /* fp_context_web_dir */
        char *src = vector ? g_build_filename(webdir, "vendor", "maplibre-gl", NULL) : g_strdup(LEAFLET_DIR);
        st = copy_tree(src, lib,
                       vector ? "MapLibre GL JS, shipped in footprint's web/vendor (FOOTPRINT_WEB names the web folder; "
                                "`make install` puts it in PREFIX/share/footprint/web)"
                              : "Leaflet, from Debian's libjs-leaflet (apt-get install libjs-leaflet)",
                       err);
        g_free(src);
        g_free(lib);
        if (!st && in->pmtiles_url) {         /* the vendored pmtiles library */
            lib = g_build_filename(dir, "lib", "pmtiles", NULL);
            src = g_build_filename(webdir, "vendor", "pmtiles", NULL);
            st = copy_tree(src, lib,
                           "the pmtiles library, shipped in footprint's web/vendor (FOOTPRINT_WEB names the web folder; "
                           "`make install` puts it in PREFIX/share/footprint/web)",
                           err);
            g_free(src);
            g_free(lib);
        }
    }
    g_free(page);
    free(tilejson);
    return st;
}
