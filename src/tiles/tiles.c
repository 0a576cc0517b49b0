/* `footprint tiles`: the driver. Lists the metatiles of every zoom that
 * meet --bbox, hands them to --threads workers, stores each tile (raster:
 * drawn by raster.c; vector: encoded by mvt.c), then writes the metadata
 * and the preview and moves the finished output into place (sink.c).
 *
 * Flat tiles (open sea, the inside of a large country) are encoded once per
 * colour and shared: at z6 most of the world's 4,096 tiles are one of a few
 * colours. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "footprint.h"
#include "tiles_internal.h"
#include "mvt.h"
#include "common/util.h"

typedef struct job { int z, x0, y0, n; } job;    /* a metatile: n x n tiles from z/x0/y0 */

typedef struct tile_run {
    const fp_tiles_options *o;
    const fp_context *ctx;        /* the store's: cancel flag, pause points */
    int vector, webp, meta;
    int range[23][4];                 /* per zoom: x0, y0, x1, y1 of the tiles to write; */
    int wraps;                        /* x0 > x1: x0..2^z-1 and 0..x1 (--bbox across 180) */
    GArray *jobs;
    const char *ext;                  /* png, webp, pbf */
    fp_style *style;
    fp_choropleth *choropleth;        /* NULL: plain land */
    fp_raster_scene *raster;
    fp_mvt_scene *mvt;
    fp_tile_sink *sink;
    /* What the preview info points at. */
    char tiles_url[PATH_MAX + 64];
    char regions_what[300];
    char *archive, *vector_layers, *maplibre, *attribution, *description;
    fp_rgba *legend_colors;
    unsigned char *legend_line_only;
    /* Shared between workers. */
    pthread_mutex_t lock;
    GHashTable *flat;                 /* colour -> encoded tile (GBytes) */
    int next_job;
    long done, written, skipped;
    int workers_left;
    fp_status status;
    fp_error error;
} tile_run;

/* The first error wins; the other workers stop at their next tile. */
static void run_fail(tile_run *r, const fp_error *e)
{
    pthread_mutex_lock(&r->lock);
    if (!r->status) {
        r->status = e->code ? e->code : FP_ERR_IO;
        r->error = *e;
    }
    pthread_mutex_unlock(&r->lock);
}

static int run_stopped(tile_run *r)
{
    return __atomic_load_n(&r->status, __ATOMIC_RELAXED) != FP_OK || fp_context_cancelled(r->ctx);
}

static fp_status put_raster_tile(tile_run *r, fp_raster_canvas *c, int z, int x, int y, int i, int j, fp_error *err)
{
    unsigned int colour;
    unsigned char *data = NULL;
    size_t len = 0;
    fp_status st;
    if (fpi_raster_tile_uniform(c, i, j, &colour)) {
        pthread_mutex_lock(&r->lock);
        GBytes *b = g_hash_table_lookup(r->flat, GUINT_TO_POINTER(colour));
        if (b) g_bytes_ref(b);
        pthread_mutex_unlock(&r->lock);
        if (!b) {
            if ((st = fpi_raster_encode_tile(c, i, j, r->webp, &data, &len, err))) return st;
            b = g_bytes_new_take(data, len);
            pthread_mutex_lock(&r->lock);
            g_hash_table_insert(r->flat, GUINT_TO_POINTER(colour), g_bytes_ref(b));
            pthread_mutex_unlock(&r->lock);
        }
        gsize n;
        const unsigned char *bytes = g_bytes_get_data(b, &n);
        st = fpi_tile_sink_put(r->sink, z, x, y, bytes, n, err);
        g_bytes_unref(b);
        return st;
    }
    if ((st = fpi_raster_encode_tile(c, i, j, r->webp, &data, &len, err))) return st;
    st = fpi_tile_sink_put(r->sink, z, x, y, data, len, err);
    g_free(data);
    return st;
}

static void *worker(void *arg)
{
    tile_run *r = arg;
    fp_raster_canvas *canvas = r->raster ? fpi_raster_canvas_new(r->raster) : NULL;
    fp_error err = {0};
    for (;;) {
        int k = __atomic_fetch_add(&r->next_job, 1, __ATOMIC_RELAXED);
        if (k >= (int)r->jobs->len || run_stopped(r)) break;
        const job *jb = &g_array_index(r->jobs, job, k);
        const int *rg = r->range[jb->z];
        /* The tiles of this metatile to write: inside the range, and not
         * there already when resuming. */
        int want[16][16], nwant = 0, nskip = 0;
        for (int j = 0; j < jb->n; j++)
            for (int i = 0; i < jb->n; i++) {
                int x = jb->x0 + i, y = jb->y0 + j;
                int in_x = r->wraps ? x >= rg[0] || x <= rg[2] : x >= rg[0] && x <= rg[2];
                want[j][i] = in_x && y >= rg[1] && y <= rg[3];
                if (want[j][i] && r->o->resume && fpi_tile_sink_has(r->sink, jb->z, x, y)) {
                    want[j][i] = 0;
                    nskip++;
                }
                nwant += want[j][i];
            }
        if (nskip) {
            __atomic_fetch_add(&r->skipped, nskip, __ATOMIC_RELAXED);
            __atomic_fetch_add(&r->done, nskip, __ATOMIC_RELAXED);
        }
        if (!nwant) continue;
        if (canvas) fpi_raster_draw_metatile(canvas, jb->z, jb->x0, jb->y0, jb->n);
        if (k == (int)r->jobs->len / 2) fp_context_pause(r->ctx, "tiles:tiles");      /* half the metatiles handed out */
        for (int j = 0; j < jb->n && !run_stopped(r); j++)
            for (int i = 0; i < jb->n && !run_stopped(r); i++) {
                if (!want[j][i]) continue;
                int x = jb->x0 + i, y = jb->y0 + j;
                fp_status st;
                if (canvas) st = put_raster_tile(r, canvas, jb->z, x, y, i, j, &err);
                else {
                    unsigned char *data = NULL;
                    size_t len = 0;
                    st = fpi_mvt_scene_tile(r->mvt, jb->z, x, y, &data, &len, &err);
                    /* An empty vector tile is stored too (0 bytes): no 404s
                     * inside the bounds. */
                    if (!st) st = fpi_tile_sink_put(r->sink, jb->z, x, y, data ? data : (const unsigned char *)"", len, &err);
                    free(data);
                }
                if (st) {
                    run_fail(r, &err);
                    break;
                }
                __atomic_fetch_add(&r->written, 1, __ATOMIC_RELAXED);
                __atomic_fetch_add(&r->done, 1, __ATOMIC_RELAXED);
            }
    }
    fpi_raster_canvas_free(canvas);
    __atomic_fetch_sub(&r->workers_left, 1, __ATOMIC_RELEASE);
    return NULL;
}

/* Tiles of zoom z meeting the box; metatiles aligned on multiples of meta.
 * A box across the antimeridian (east past 180, fp_bbox_normalise) takes
 * the columns from its west edge to the world's east edge and from the
 * world's west edge to its east edge less 360. */
static long plan(tile_run *r)
{
    const fp_tiles_options *o = r->o;
    double b[4] = { -180, -FP_MERC_MAX_LAT, 180, FP_MERC_MAX_LAT };
    if (o->has_bbox) memcpy(b, o->bbox, sizeof b);
    r->wraps = b[2] > 180;
    double east = r->wraps ? b[2] - 360 : b[2];
    long total = 0;
    for (int z = o->minzoom; z <= o->maxzoom; z++) {
        int x0, y0, x1, y1, n = 1 << z;
        fp_tile_from_lonlat(b[0], b[3], z, &x0, &y0);
        fp_tile_from_lonlat(east, b[1], z, &x1, &y1);
        /* An east edge exactly on a tile boundary does not take the next column. */
        double tb[4];
        fp_tile_bounds_lonlat(z, x1, y1, tb);
        if ((x1 > x0 || r->wraps) && east <= tb[0]) x1 = (x1 + n - 1) % n;
        if (y1 > y0 && b[1] >= tb[3]) y1--;
        int *rg = r->range[z];
        int wraps = r->wraps && x1 < x0;   /* else the two pieces meet: every column */
        if (r->wraps && !wraps) { x0 = 0; x1 = n - 1; }
        rg[0] = x0; rg[1] = y0; rg[2] = x1; rg[3] = y1;
        long columns = wraps ? (long)(n - x0) + x1 + 1 : (long)(x1 - x0 + 1);
        total += columns * (y1 - y0 + 1);
        int m = r->meta < n ? r->meta : n, first = x0 / m * m;
        for (int my = y0 / m * m; my <= y1; my += m) {
            /* Across the antimeridian: the west piece's metatiles from
             * column 0, then the east piece's up to the world's edge; one
             * both pieces meet (z0-z2 at 8 x 8) is planned once. Only the
             * box's columns are walked (at z18, 32,768 metatiles a row). */
            int west_end = wraps ? (x1 < first - 1 ? x1 : first - 1) : -1, east_end = wraps ? n - 1 : x1;
            for (int mx = 0; mx <= west_end; mx += m) {
                job jb = { z, mx, my, m };
                g_array_append_val(r->jobs, jb);
            }
            for (int mx = first; mx <= east_end; mx += m) {
                job jb = { z, mx, my, m };
                g_array_append_val(r->jobs, jb);
            }
        }
    }
    return total;
}

static void json_number(char *out, size_t size, double v)
{
    snprintf(out, size, "%.6f", v);
    /* trim zeros: 36.800000 -> 36.8 */
    char *e = out + strlen(out) - 1;
    while (e > out && *e == '0') *e-- = 0;
    if (*e == '.') *e = 0;
}

static fp_status write_metadata(tile_run *r, const fp_preview_info *pi, fp_error *err)
{
    char buf[256], a[4][32];
    fp_tile_sink *s = r->sink;
    fp_status st = fpi_tile_sink_metadata(s, "name", pi->name, err);
    if (!st) st = fpi_tile_sink_metadata(s, "format", r->vector ? "pbf" : r->webp ? "webp" : "png", err);
    for (int i = 0; i < 4; i++) json_number(a[i], sizeof a[i], pi->bounds[i]);
    snprintf(buf, sizeof buf, "%s,%s,%s,%s", a[0], a[1], a[2], a[3]);
    if (!st) st = fpi_tile_sink_metadata(s, "bounds", buf, err);
    json_number(a[0], sizeof a[0], pi->center[0]);
    json_number(a[1], sizeof a[1], pi->center[1]);
    snprintf(buf, sizeof buf, "%s,%s,%d", a[0], a[1], (int)pi->center[2]);
    if (!st) st = fpi_tile_sink_metadata(s, "center", buf, err);
    snprintf(buf, sizeof buf, "%d", pi->minzoom);
    if (!st) st = fpi_tile_sink_metadata(s, "minzoom", buf, err);
    snprintf(buf, sizeof buf, "%d", pi->maxzoom);
    if (!st) st = fpi_tile_sink_metadata(s, "maxzoom", buf, err);
    if (!st) st = fpi_tile_sink_metadata(s, "attribution", pi->attribution ? pi->attribution : "", err);
    if (!st) st = fpi_tile_sink_metadata(s, "description", pi->description ? pi->description : pi->name, err);
    if (!st) st = fpi_tile_sink_metadata(s, "type", "baselayer", err);
    if (!st) st = fpi_tile_sink_metadata(s, "version", "1.0.0", err);
    if (!st && r->o->scale == 2) st = fpi_tile_sink_metadata(s, "scale", "2", err);
    if (!st && pi->vector_layers_json) {
        char *json = g_strdup_printf("{\"vector_layers\": %s}", pi->vector_layers_json);
        st = fpi_tile_sink_metadata(s, "json", json, err);
        g_free(json);
    }
    return st;
}

/* GeoJSON overlays for the preview: the projects and the choropleth's
 * aggregation level. */
static fp_status write_layers(fp_store *store, const fp_tiles_options *o, const char *dir, const char *regions_what,
                              fp_error *err)
{
    char *layers = g_build_filename(dir, "layers", NULL);
    if (g_mkdir_with_parents(layers, 0755) != 0) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", layers, strerror(errno));
        g_free(layers);
        return st;
    }
    char *p = g_build_filename(layers, "projects.geojson", NULL);
    /* --dataset: the overlay holds that dataset's projects, as the tiles do. */
    fp_where only = { .field = "dataset", .value = o->dataset };
    fp_export_options eo = { .what = "projects", .format = "geojson", .output = p, .precision = 5,
                             .style_path = o->style_path, .where = o->dataset ? &only : NULL, .nwhere = o->dataset ? 1 : 0 };
    fp_export_result er;
    fp_status st = fp_export(store, &eo, &er, err);
    g_free(p);
    if (!st && regions_what) {
        p = g_build_filename(layers, "regions.geojson", NULL);
        fp_export_options ro = { .what = regions_what, .format = "geojson", .output = p, .precision = 4,
                                 .style_path = o->style_path, .no_centroids = 1 };
        st = fp_export(store, &ro, &er, err);
        g_free(p);
        /* The exporter writes a QGIS sidecar next to GeoJSON; the web page has no use for it. */
        char *qml = g_build_filename(layers, "regions.qml", NULL);
        g_remove(qml);
        g_free(qml);
    }
    char *qml = g_build_filename(layers, "projects.qml", NULL);
    g_remove(qml);
    g_free(qml);
    g_free(layers);
    return st;
}

/* The options a tile run needs, checked before anything is read (the
 * command line's only check of them too). */
fp_status fp_tiles_check_options(const fp_tiles_options *o, fp_error *err)
{
    if (!o) return fp_error_set(err, FP_ERR_USAGE, "fp_tiles: opts is NULL");
    const char *format = o->format ? o->format : "png";
    if (strcmp(format, "png") && strcmp(format, "webp") && strcmp(format, "mvt"))
        return fp_error_set(err, FP_ERR_USAGE, "tiles: --format %s: expected png, webp or mvt", format);
    if (o->minzoom < 0 || o->maxzoom > 22 || o->minzoom > o->maxzoom)
        return fp_error_set(err, FP_ERR_USAGE, "tiles: --zoom '%d-%d': expected 0 <= MIN <= MAX <= 22", o->minzoom, o->maxzoom);
    if (!o->output || !*o->output) return fp_error_set(err, FP_ERR_USAGE, "tiles: -o DIR, FILE.mbtiles or FILE.pmtiles is required");
    if (g_str_has_suffix(o->output, ".pmtiles") && o->resume)
        return fp_error_set(err, FP_ERR_USAGE, "tiles: %s: --resume works for folders and MBTiles; a PMTiles archive is written "
                            "in one piece (run without --resume)", o->output);
    if (o->has_bbox) {
        double b[4] = { o->bbox[0], o->bbox[1], o->bbox[2], o->bbox[3] };
        char why[160];
        /* Already normalised by the CLI (east past 180 across the
         * antimeridian); the same check for a library caller. */
        if (fp_bbox_normalise(b, why, sizeof why) || b[2] != o->bbox[2])
            return fp_error_set(err, FP_ERR_USAGE, "tiles: --bbox '%g,%g,%g,%g': %s", o->bbox[0], o->bbox[1], o->bbox[2],
                                o->bbox[3], *why ? why : "east below west: give east + 360 (fp_bbox_normalise)");
    }
    if (o->has_bbox && (o->bbox[1] >= FP_MERC_MAX_LAT || o->bbox[3] <= -FP_MERC_MAX_LAT))
        return fp_error_set(err, FP_ERR_USAGE, "tiles: --bbox lies beyond +-85.0511 degrees, outside Web Mercator");
    return FP_OK;
}

/* The style with the store's categories (colours as in render and QGIS),
 * its choropleth resolved once for the tiles and the legend, and the scene
 * the workers draw from, read once. */
static fp_status load_scene(fp_store *store, tile_run *r, fp_error *err)
{
    const fp_tiles_options *o = r->o;
    fp_status st = fp_style_load_ctx(r->ctx, o->style_path, &r->style, err);
    if (!st) st = fp_style_set_store_categories(r->style, store, err);
    if (!st) st = fp_style_set_store_credits(r->style, store, err);
    if (!st) st = fp_choropleth_new(store, r->style, o->aggregation, NULL, &r->choropleth, err);
    if (st) return st;
    if (r->vector)
        return fpi_mvt_scene_new(store, r->style, r->choropleth, o->minzoom, o->maxzoom, o->dataset, &r->mvt, err);
    return fpi_raster_scene_new(store, r->style, r->choropleth, o->scale, o->dataset, &r->raster, err);
}

/* --threads workers draw the planned metatiles; progress is reported from
 * here meanwhile. */
static fp_status run_workers(tile_run *r, long total, double t0, fp_error *err)
{
    const fp_tiles_options *o = r->o;
    int threads = o->threads > 0 ? o->threads : (int)g_get_num_processors();
    if (threads > (int)r->jobs->len) threads = r->jobs->len > 0 ? (int)r->jobs->len : 1;
    pthread_mutex_init(&r->lock, NULL);
    r->flat = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)g_bytes_unref);
    r->workers_left = threads;
    pthread_t *tids = g_new(pthread_t, threads);
    for (int i = 0; i < threads; i++) pthread_create(&tids[i], NULL, worker, r);
    while (__atomic_load_n(&r->workers_left, __ATOMIC_ACQUIRE) > 0) {
        g_usleep(100000);
        if (o->progress) {
            double dt = fpi_now() - t0;
            long done = __atomic_load_n(&r->done, __ATOMIC_RELAXED);
            fp_tiles_progress p = { done, total, dt > 0 ? done / dt : 0, 0 };
            p.eta_s = p.tiles_per_s > 0 ? (total - done) / p.tiles_per_s : 0;
            o->progress(&p, o->progress_user);
        }
    }
    for (int i = 0; i < threads; i++) pthread_join(tids[i], NULL);
    g_free(tids);
    g_hash_table_destroy(r->flat);
    pthread_mutex_destroy(&r->lock);
    if (r->status) {
        if (err) *err = r->error;
        return r->status;
    }
    if (fp_context_cancelled(r->ctx))
        return fp_error_set(err, FP_ERR_INTERRUPTED, "tiles: interrupted after %ld of %ld tiles; %s is as it was and the "
                            "tiles written so far are kept in %s.partial: run the same command with --resume to finish",
                            r->done, total, o->output, o->output);
    return FP_OK;
}

/* Whether text holds word (not inside a longer name: "country" is not in
 * "country_by_category") at p. */
static int word_at(const char *text, const char *p, size_t n)
{
    int before = p > text && (g_ascii_isalnum(p[-1]) || p[-1] == '_');
    int after = g_ascii_isalnum(p[n]) || p[n] == '_';
    return !before && !after;
}

/* The style's description, naming the aggregation the tiles draw: a
 * style's text names its own ("quantile classes of the
 * country_by_category aggregation"), and tiles of --aggregation c_2025
 * said so of c_2025's data. Its name is replaced as a word; a description
 * naming neither gets "; aggregation NAME". g_malloc'd, NULL without one. */
static char *described(const fp_style *style, const fp_choropleth *ch)
{
    const char *d = fp_style_description(style);
    if (!d || !ch) return g_strdup(d);
    const char *used = fp_choropleth_aggregation(ch);
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    const char *named = cs && cs->aggregation && *cs->aggregation ? cs->aggregation : NULL;
    /* The style's own aggregation drawn: its text as written. Otherwise the
     * style's aggregation named in it is replaced first: the drawn one's
     * name may be an ordinary word of the text ("country" in "Projects per
     * country"), which says nothing of which aggregation was drawn. */
    if (named && !strcmp(named, used)) return g_strdup(d);
    GString *out = g_string_new(NULL);
    int replaced = 0;
    size_t n = named ? strlen(named) : 0;
    for (const char *p = d; *p;) {
        if (n && !strncmp(p, named, n) && word_at(d, p, n)) {
            g_string_append(out, used);
            p += n;
            replaced = 1;
        } else {
            g_string_append_c(out, *p++);
        }
    }
    if (!replaced) g_string_append_printf(out, "; aggregation %s", used);
    return g_string_free(out, FALSE);
}

/* What the TileJSON, the MBTiles metadata and the preview page say: name,
 * bounds, centre, tile URLs, the legend (the choropleth's classes and the
 * categories' colours) and, for vector tiles, the layers and a MapLibre
 * style. Strings the info points at are kept in r. */
static void preview_info(tile_run *r, fp_preview_info *pi)
{
    const fp_tiles_options *o = r->o;
    const fp_style *style = r->style;
    const fp_map_style *ms = fp_style_map(style);
    int pm = g_str_has_suffix(o->output, ".pmtiles");
    g_free(r->description);
    r->description = described(style, r->choropleth);
    *pi = (fp_preview_info){ .name = o->name ? o->name : fp_style_name(style), .description = r->description,
                             .format = o->format ? o->format : "png", .minzoom = o->minzoom,
                             .maxzoom = o->maxzoom, .tms = o->tms, .scale = o->scale,
                             .web_dir = fp_context_web_dir(r->ctx) };
    /* The credits are plain text, but viewers (Leaflet, MapLibre, tile
     * servers) insert an attribution as HTML: escaped once here for the
     * TileJSON, the MBTiles/PMTiles metadata and the page alike. */
    if (ms->credits) {
        GString *a = g_string_new(NULL);
        fpi_html_escape(a, ms->credits);
        r->attribution = g_string_free(a, FALSE);
        pi->attribution = r->attribution;
    }
    int mb = g_str_has_suffix(o->output, ".mbtiles") || pm;     /* both have NAME.preview/ */
    snprintf(r->tiles_url, sizeof r->tiles_url, "%s{z}/{x}/{y}.%s", mb ? "tiles/" : "", r->ext);
    if (pm) {
        /* TileJSON for a PMTiles archive: the pmtiles protocol's template,
         * relative to tiles.json as the page's own is. */
        /* A URL relative to NAME.preview/: the name percent-encoded where a
         * URL would read it otherwise ('#', '?', '%': "v#1.pmtiles" was
         * fetched as "v"), UTF-8 letters kept. */
        char *escaped = g_uri_escape_string(strrchr(o->output, '/') ? strrchr(o->output, '/') + 1 : o->output,
                                            G_URI_RESERVED_CHARS_ALLOWED_IN_PATH_ELEMENT, TRUE);
        r->archive = g_strdup_printf("../%s", escaped);
        g_free(escaped);
        snprintf(r->tiles_url, sizeof r->tiles_url, "pmtiles://%s/{z}/{x}/{y}", r->archive);
        pi->pmtiles_url = r->archive;
    }
    pi->tiles_url = r->tiles_url;
    if (o->has_bbox) memcpy(pi->bounds, o->bbox, sizeof pi->bounds);
    else { pi->bounds[0] = -180; pi->bounds[1] = -FP_MERC_MAX_LAT; pi->bounds[2] = 180; pi->bounds[3] = FP_MERC_MAX_LAT; }
    pi->bounds[1] = fmax(pi->bounds[1], -FP_MERC_MAX_LAT);
    pi->bounds[3] = fmin(pi->bounds[3], FP_MERC_MAX_LAT);
    pi->center[0] = (pi->bounds[0] + pi->bounds[2]) / 2;
    if (pi->center[0] > 180) pi->center[0] -= 360;
    /* TileJSON 3.0 and MBTiles: bounds "MUST NOT wrap around the
     * antimeridian"; a box across it is given the world's width. */
    if (pi->bounds[2] > 180) { pi->bounds[0] = -180; pi->bounds[2] = 180; }
    pi->center[1] = o->has_bbox ? (pi->bounds[1] + pi->bounds[3]) / 2 : 20;
    pi->center[2] = o->minzoom > 2 ? o->minzoom : (o->maxzoom < 2 ? o->maxzoom : 2);
    /* The legend: the classes the tiles were drawn with. */
    if (r->choropleth) {
        pi->classes = fp_choropleth_classes(r->choropleth);
        pi->legend_title = fp_choropleth_title(r->choropleth);
    }
    if (r->raster) {
        const char *const *names;
        const fp_rgba *colors;
        const unsigned char *line_only;
        pi->ncategories = fpi_raster_scene_categories(r->raster, &names, &colors, &line_only);
        pi->categories = names;
        pi->category_colors = colors;
        pi->category_line_only = line_only;
    } else if (r->mvt) {
        /* The categories' colours from the style. */
        const char *const *values = NULL;
        pi->ncategories = ms->points.enabled ? fpi_mvt_scene_point_values(r->mvt, &values) : 0;
        pi->categories = values;
        r->legend_colors = g_new0(fp_rgba, pi->ncategories + 1);
        r->legend_line_only = g_new0(unsigned char, pi->ncategories + 1);
        for (size_t i = 0; i < pi->ncategories; i++) {
            r->legend_colors[i] = fp_style_category_color(style, values[i]);
            r->legend_line_only[i] = (unsigned char)fpi_mvt_scene_value_line_only(r->mvt, values[i]);
        }
        pi->category_colors = r->legend_colors;
        pi->category_line_only = r->legend_line_only;
        r->vector_layers = fpi_mvt_vector_layers_json(r->mvt);
        r->maplibre = fpi_mvt_maplibre_style(r->mvt, style, "tiles.json");
        pi->nyears = fpi_mvt_scene_years(r->mvt, &pi->year_first);
        pi->region_timeline = fpi_mvt_scene_region_timeline(r->mvt);
        pi->undated = (long)fpi_mvt_scene_undated(r->mvt);
        pi->vector_layers_json = r->vector_layers;
        pi->maplibre_style = r->maplibre;
    }
    const fp_choropleth_spec *cs = fp_style_choropleth(style);
    const char *agg = o->aggregation ? o->aggregation : cs ? cs->aggregation : NULL;
    if (agg) {
        snprintf(r->regions_what, sizeof r->regions_what, "aggregate:%s%s%s", agg, cs && cs->level ? ":" : "",
                 cs && cs->level ? cs->level : "");
        pi->regions_layer = "regions.geojson";
    }
}

/* Metadata and the preview into the output being built. */
static fp_status write_extras(fp_store *store, tile_run *r, const fp_preview_info *pi, fp_error *err)
{
    fp_context_pause(r->ctx, "tiles:metadata");
    fp_status st = write_metadata(r, pi, err);
    if (!st && !r->o->no_preview) {
        const char *dir = fpi_tile_sink_preview_dir(r->sink);
        st = write_layers(store, r->o, dir, pi->regions_layer ? r->regions_what : NULL, err);
        if (!st) st = fpi_preview_write(dir, pi, err);
    }
    if (!st) fp_context_pause(r->ctx, "tiles:finish");
    return st;
}

/* The preview's tiles.json and index.html, as the result names them. */
static void preview_paths(const fp_tiles_options *o, fp_tiles_result *res)
{
    int mb = g_str_has_suffix(o->output, ".mbtiles") || g_str_has_suffix(o->output, ".pmtiles");
    char *base = mb ? g_strdup_printf("%.*s.preview", (int)(strlen(o->output) - strlen(".mbtiles")), o->output)
                    : g_strdup(o->output);
    size_t n = strlen(base);
    while (n > 1 && base[n - 1] == '/') base[--n] = 0;
    snprintf(res->tilejson, sizeof res->tilejson, "%s/tiles.json", base);
    snprintf(res->index_html, sizeof res->index_html, "%s/index.html", base);
    g_free(base);
}

static void tile_run_clear(tile_run *r)
{
    free(r->vector_layers);
    free(r->maplibre);
    g_free(r->archive);
    g_free(r->attribution);
    g_free(r->description);
    g_free(r->legend_colors);
    g_free(r->legend_line_only);
    if (r->jobs) g_array_free(r->jobs, TRUE);
    fpi_raster_scene_free(r->raster);
    if (r->mvt) fpi_mvt_scene_free(r->mvt);
    fp_choropleth_free(r->choropleth);
    fp_style_free(r->style);
}

/* options -> style, choropleth and scene -> plan -> sink -> workers ->
 * metadata and preview -> into place. */
fp_status fp_tiles(fp_store *store, const fp_tiles_options *o, fp_tiles_result *res, fp_error *err)
{
    fp_tiles_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_tiles: store is NULL");
    fp_status st = fp_tiles_check_options(o, err);
    if (!st && o->dataset) st = fp_store_dataset_check(store, o->dataset, err);   /* a typo: not empty tiles */
    if (st) return st;
    const char *format = o->format ? o->format : "png";
    tile_run r = { .o = o, .vector = !strcmp(format, "mvt"), .webp = !strcmp(format, "webp"),
                   .meta = o->metatile > 0 ? (o->metatile > 16 ? 16 : o->metatile) : 8,
                   .ctx = fp_store_context(store) };
    if (r.vector) r.meta = 1;     /* vector tiles are encoded one by one */
    r.ext = r.vector ? "pbf" : r.webp ? "webp" : "png";
    st = load_scene(store, &r, err);
    if (st) {
        tile_run_clear(&r);
        return st;
    }
    r.jobs = g_array_new(FALSE, FALSE, sizeof(job));
    long total = plan(&r);
    fp_tile_sink_options so = { .output = o->output, .ext = r.ext, .tms = o->tms, .resume = o->resume, .gzip = r.vector,
                                .ctx = r.ctx };
    st = fpi_tile_sink_open(&so, &r.sink, err);
    if (!st) st = run_workers(&r, total, t0, err);
    fp_preview_info pi;
    preview_info(&r, &pi);
    if (!st) st = write_extras(store, &r, &pi, err);
    if (r.sink) {
        fp_error cerr = {0};
        fp_status cst = fpi_tile_sink_close(r.sink, st == FP_OK, &res->unique, &cerr);
        if (!st && cst) {
            st = cst;
            if (err) *err = cerr;
        }
    }
    if (!st && !o->no_preview) preview_paths(o, res);
    res->tiles = total;
    res->written = r.written;
    res->skipped = r.skipped;
    res->seconds = fpi_now() - t0;
    tile_run_clear(&r);
    return st;
}
