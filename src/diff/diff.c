/*
 * `footprint diff`: two editions of a project list compared (the rules are
 * in include/fp_diff.h). A short pipeline:
 *   read both editions into memory (fp_store_edition_rows; strings in one
 *   chunk, repeated companies and categories stored once) -> pair them by
 *   id, then by name + company + location (hash tables) -> compare each
 *   pair field by field and measure how far it moved -> the entries, the
 *   CSV report and, for an export, the changes kept in the store.
 * Nothing is written to the store file.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <jansson.h>
#include <geos_c.h>
#include "fp_diff.h"
#include "fp_geocode.h"
#include "fp_ingest.h"
#include "common/util.h"
#include "geom/geom.h"
#include "diff/diff_internal.h"

const char *fp_change_name(fp_change c)
{
    static const char *const names[FP_CHANGE_KINDS] = { "added", "removed", "moved", "changed" };
    return c >= 0 && c < FP_CHANGE_KINDS ? names[c] : "?";
}

/* The text fields compared, in the order changed fields are listed; the
 * country is compared as its resolved code when both rows have one (so
 * "Kenya" and "KEN" are the same country), else as written. */
enum { T_NAME, T_COMPANY, T_CATEGORY, T_PLACE, T_COUNTRY, T_STATUS, T_SOURCE, T_COUNTRY_CODE, T_N };
static const char *const text_names[T_N] = { "name", "company", "category", "place", "country", "status", "source",
                                             "country_code" };

/* One row of an edition. Strings live in the diff's string chunk. */
typedef struct erow {
    int64_t id;
    const char *key;              /* the source key; NULL: the row has no id */
    const char *file;
    long line;
    int by_line;                  /* line is a line (CSV, a sheet), else a feature number */
    const char *text[T_N];        /* NULL for NULL */
    int has_year, year;
    int has_amount;
    double amount;
    const char *extra;            /* JSON object text or NULL */
    int has_geom, is_point;
    double x, y;                  /* the point, or a line's / polygon's centroid (NaN if none) */
    unsigned char *wkb;           /* lines and polygons: compared shape for shape */
    size_t wkb_len;
    const char *match_key;        /* folded name, company, location; NULL without a name */
    struct erow *partner;
    int by_id;
} erow;

typedef struct edition {
    erow *rows;
    size_t n;
} edition;

typedef struct diff_job {
    fp_store *store;
    const fp_diff_options *o;
    double move_m;
    GStringChunk *strings;
    GEOSContextHandle_t geos;
    edition old, new;
    GArray *by_kind[FP_CHANGE_KINDS];   /* fp_diff_entry */
} diff_job;

static const char *keep(diff_job *j, const char *s)
{
    return s ? g_string_chunk_insert_const(j->strings, s) : NULL;
}

/* Folded text, or "" (fp_fold_text's malloc'd result copied into the chunk). */
static const char *folded(diff_job *j, const char *s)
{
    if (!s || !*s) return "";
    char *f = fp_fold_text(s);
    const char *k = keep(j, f ? f : "");
    free(f);
    return k;
}

/* The name + company + location key (fp_diff.h); NULL when the row has no
 * name to match on. */
static const char *match_key(diff_job *j, const erow *r)
{
    const char *name = folded(j, r->text[T_NAME]);
    if (!*name) return NULL;
    const char *where = r->text[T_COUNTRY_CODE];
    if (!where) where = folded(j, r->text[T_COUNTRY]);
    if (!*where) where = folded(j, r->text[T_PLACE]);
    /* 0x1f (unit separator) cannot occur in folded text. */
    char *k = g_strdup_printf("%s\x1f%s\x1f%s", name, folded(j, r->text[T_COMPANY]), where);
    const char *kept = keep(j, k);
    g_free(k);
    return kept;
}

/* The row's location: a point as it is, anything else its centroid. */
static void read_geometry(diff_job *j, fp_rows *rows, erow *r)
{
    fp_geom g;
    int got = fp_rows_geom(rows, 1, 0, &g);
    if (got <= 0) return;             /* no location (or the cursor's error, read by the caller) */
    r->has_geom = 1;
    r->x = r->y = NAN;
    if (g.is_point) {
        r->is_point = 1;
        r->x = g.x;
        r->y = g.y;
        return;
    }
    r->wkb = malloc(g.wkb_len);
    if (r->wkb) {
        memcpy(r->wkb, g.wkb, g.wkb_len);
        r->wkb_len = g.wkb_len;
    }
    GEOSGeometry *geom = fpi_wkb_to_geos(j->geos, g.wkb, g.wkb_len);
    GEOSGeometry *c = geom ? GEOSGetCentroid_r(j->geos, geom) : NULL;
    if (c && !GEOSisEmpty_r(j->geos, c)) {
        GEOSGeomGetX_r(j->geos, c, &r->x);
        GEOSGeomGetY_r(j->geos, c, &r->y);
    }
    if (c) GEOSGeom_destroy_r(j->geos, c);
    if (geom) GEOSGeom_destroy_r(j->geos, geom);
}

static fp_status read_edition(diff_job *j, const char *dataset, edition *e, fp_error *err)
{
    fp_rows *rows;
    fp_status st = fp_store_edition_rows(j->store, dataset, &rows, err);
    if (st) return st;
    GArray *a = g_array_new(FALSE, TRUE, sizeof(erow));
    const fp_context *ctx = fp_store_context(j->store);
    static const int text_col[T_N] = { 7, 5, 6, 8, 9, 12, 14, 10 };
    while (fp_rows_next(rows)) {
        erow r = { 0 };
        r.id = fp_rows_int64(rows, 0);
        const char *key = fp_rows_text(rows, 2);
        r.key = key && *key ? keep(j, key) : NULL;
        r.file = keep(j, fp_rows_text(rows, 3));
        r.line = fp_rows_is_null(rows, 4) ? 0 : (long)fp_rows_int64(rows, 4);
        r.by_line = fpi_format_rows_by_line(fp_rows_text(rows, 16));
        for (int t = 0; t < T_N; t++) {
            const char *v = fp_rows_text(rows, text_col[t]);
            r.text[t] = v && *v ? keep(j, v) : NULL;
        }
        if ((r.has_year = !fp_rows_is_null(rows, 11))) r.year = fp_rows_int(rows, 11);
        if ((r.has_amount = !fp_rows_is_null(rows, 13))) r.amount = fp_rows_double(rows, 13);
        const char *extra = fp_rows_text(rows, 15);
        r.extra = extra && strcmp(extra, "{}") ? g_string_chunk_insert(j->strings, extra) : NULL;
        read_geometry(j, rows, &r);
        r.match_key = match_key(j, &r);
        g_array_append_val(a, r);
        if ((a->len & 4095) == 0 && fp_context_cancelled(ctx)) break;
    }
    st = fp_rows_status(rows, err);
    fp_rows_free(rows);
    e->n = a->len;
    e->rows = (erow *)(void *)g_array_free(a, FALSE);
    if (!st && fp_context_cancelled(ctx)) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    return st;
}

static void edition_clear(edition *e)
{
    for (size_t i = 0; i < e->n; i++) free(e->rows[i].wkb);
    g_free(e->rows);
    e->rows = NULL;
    e->n = 0;
}

/* An unknown dataset names those the store has, with their sizes; option
 * is how the user named it ("--against 2025", "--diff 2024:2025"). */
static fp_status no_dataset(fp_store *store, const char *option, const char *dataset, fp_error *err)
{
    GString *names = g_string_new(NULL);
    fp_rows *r;
    fp_error e2 = { 0 };
    if (!fp_store_project_counts(store, "dataset", NULL, &r, &e2)) {
        while (fp_rows_next(r))
            g_string_append_printf(names, "%s%s (%d)", names->len ? ", " : "", fp_rows_text(r, 0), fp_rows_int(r, 1));
        fp_rows_free(r);
    }
    fp_status st = fp_error_set(err, FP_ERR_USAGE, "%s: no projects in dataset '%s' of %s (datasets: %s)", option,
                                dataset, fp_store_path(store), names->len ? names->str : "none");
    g_string_free(names, TRUE);
    return st;
}

/* ------------------------------------------------------------ matching --- */

/* Metres between two rows' locations; infinity when either has none. */
static double distance(const erow *a, const erow *b)
{
    if (!a->has_geom || !b->has_geom || isnan(a->x) || isnan(b->x)) return INFINITY;
    return fpi_geodesic_distance_m(a->x, a->y, b->x, b->y);
}

static void pair(erow *a, erow *b, int by_id)
{
    a->partner = b;
    b->partner = a;
    a->by_id = b->by_id = by_id;
}

/* Pass 1: the same source key. Keys are unique within a dataset (the
 * import rejects a duplicate id), so a hash table of the new keys pairs them. */
static void match_by_id(diff_job *j, fp_diff_result *res)
{
    GHashTable *keys = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < j->new.n; i++)
        if (j->new.rows[i].key) {
            g_hash_table_insert(keys, (gpointer)j->new.rows[i].key, &j->new.rows[i]);
            if (!res->new_with_id++) res->new_id_example = j->new.rows[i].key;
        }
    for (size_t i = 0; i < j->old.n; i++) {
        erow *o = &j->old.rows[i];
        if (o->key && !res->old_with_id++) res->old_id_example = o->key;
        erow *n = o->key ? g_hash_table_lookup(keys, o->key) : NULL;
        if (n) {
            pair(o, n, 1);
            res->shared_ids++;
        }
    }
    g_hash_table_destroy(keys);
}

/* ----------------------------------------------------------- comparing --- */

/* What a pair's comparison found: field names and "field: old -> new". */
typedef struct changes {
    GString *fields, *details;
    int n;                        /* fields listed */
} changes;

/* A value for the details: NULL as (none), long text cut at 40 bytes on a
 * character boundary. */
static void append_value(GString *s, const char *v)
{
    if (!v) { g_string_append(s, "(none)"); return; }
    size_t len = strlen(v);
    if (len <= 40) { g_string_append(s, v); return; }
    size_t cut = 40;
    while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80) cut--;
    g_string_append_len(s, v, (gssize)cut);
    g_string_append(s, "...");
}

/* A side of a change whose two values are of different types: text is
 * quoted and marked, so that 42 -> "42" (text) does not read as 42 -> 42. */
static void append_side(GString *s, const char *v, int marked_text)
{
    if (marked_text && v) g_string_append_c(s, '"');
    append_value(s, v);
    if (marked_text && v) g_string_append(s, "\" (text)");
}

static void note_typed(changes *c, const char *field, const char *old_v, int old_text, const char *new_v, int new_text)
{
    c->n++;
    g_string_append_printf(c->fields, "%s%s", c->fields->len ? "," : "", field);
    g_string_append_printf(c->details, "%s%s: ", c->details->len ? "; " : "", field);
    append_side(c->details, old_v, old_text);
    g_string_append(c->details, " -> ");
    append_side(c->details, new_v, new_text);
}

static void note(changes *c, const char *field, const char *old_v, const char *new_v)
{
    note_typed(c, field, old_v, 0, new_v, 0);
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* A JSON value for the details (malloc'd): a string as it reads, anything
 * else as compact JSON; NULL for none. */
static char *json_text(const json_t *v)
{
    if (!v || json_is_null(v)) return NULL;
    if (json_is_string(v)) return strdup(json_string_value(v));
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

/* Whether text is a number as JSON writes one (no sign +, no leading
 * zero, no hexadecimal: "00123" is a code, not 123). */
static int json_number_text(const char *t)
{
    if (*t == '-') t++;
    if (*t == '0') t++;
    else if (*t >= '1' && *t <= '9') while (*t >= '0' && *t <= '9') t++;
    else return 0;
    if (*t == '.') {
        if (!(*++t >= '0' && *t <= '9')) return 0;
        while (*t >= '0' && *t <= '9') t++;
    }
    if (*t == 'e' || *t == 'E') {
        t++;
        if (*t == '+' || *t == '-') t++;
        if (!(*t >= '0' && *t <= '9')) return 0;
        while (*t >= '0' && *t <= '9') t++;
    }
    return *t == '\0';
}

/* An integer and a real are the same number only when the real is that
 * integer exactly: 1234567890123456789 read back from a Shapefile as the
 * real 1234567890123456768.0 is a change (compared as doubles, the two are
 * one value past 2^53, and diff hid the loss the export reported). */
static int same_number(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b)) return json_integer_value(a) == json_integer_value(b);
    if (json_is_integer(a) || json_is_integer(b)) {
        json_int_t i = json_integer_value(json_is_integer(a) ? a : b);
        double r = json_real_value(json_is_integer(a) ? b : a);
        /* 2^63 itself is not a json_int_t: the range test first. */
        return r >= -9223372036854775808.0 && r < 9223372036854775808.0 && r == floor(r) && (json_int_t)r == i;
    }
    return json_number_value(a) == json_number_value(b);
}

/* A boolean as formats without booleans hold it: 1 or 0 (a Shapefile's
 * numeric field, a CSV's Integer(Boolean) column). */
static int bool_number(const json_t *b, const json_t *n)
{
    return json_number_value(n) == (json_is_true(b) ? 1 : 0);
}

/* Whether text is how a format without the value's type holds it: a
 * number's digits (42, 0.5, 3000000000), true or false (or 1 or 0), a
 * list's or an object's JSON. footprint's exports write a value so where
 * the format's column cannot hold its type (a column mixing numbers and
 * text, a nested value outside GeoJSON, any value in a CSV without its
 * .csvt). */
static int text_holds(const char *text, const json_t *v)
{
    if (json_is_number(v)) {
        if (!json_number_text(text)) return 0;
        json_t *n = json_loads(text, JSON_DECODE_ANY, NULL);
        int same = n && json_is_number(n) && same_number(n, v);
        json_decref(n);
        return same;
    }
    if (json_is_boolean(v)) return !strcmp(text, json_is_true(v) ? "true" : "false") || !strcmp(text, json_is_true(v) ? "1" : "0");
    if (json_is_object(v) || json_is_array(v)) {
        json_t *j = json_loads(text, 0, NULL);
        int same = j && json_equal(j, v);
        json_decref(j);
        return same;
    }
    return 0;
}

/* Two extra values are the same value: equal JSON, one number (42 and
 * 42.0, what a Real column gives back), a boolean and its 1 or 0, or a
 * value and the text a format holds it as. An edition read back from
 * footprint's own export is then unchanged whatever the format kept of the
 * types; a text that is not exactly that ("00123" and 123, "yes" and
 * true) is a change, shown with its type. */
static int same_value(const json_t *a, const json_t *b)
{
    if (json_equal(a, b)) return 1;
    if (json_is_number(a) && json_is_number(b)) return same_number(a, b);
    if (json_is_boolean(a) && json_is_number(b)) return bool_number(a, b);
    if (json_is_boolean(b) && json_is_number(a)) return bool_number(b, a);
    if (json_is_string(a) && !json_is_string(b)) return text_holds(json_string_value(a), b);
    if (json_is_string(b) && !json_is_string(a)) return text_holds(json_string_value(b), a);
    return 0;
}

/* For g_ptr_array_sort, which hands pointers to the elements. */
static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys of the two `extra` objects whose values differ, in byte order. The
 * geometry repair note is bookkeeping of the import, not data; so is a
 * `layer` key on one row only: the import writes it when several sheets or
 * layers of a file contribute rows, so a workbook that gains a second data
 * sheet would otherwise change every row of the first. Two rows that both
 * name their layer, differently, came from different sheets: a change. */
static void compare_extra(const erow *o, const erow *n, changes *c)
{
    if (same_text(o->extra, n->extra)) return;
    json_t *a = o->extra ? json_loads(o->extra, 0, NULL) : NULL, *b = n->extra ? json_loads(n->extra, 0, NULL) : NULL;
    if (!json_is_object(a)) { json_decref(a); a = json_object(); }
    if (!json_is_object(b)) { json_decref(b); b = json_object(); }
    GPtrArray *keys = g_ptr_array_new();
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) g_ptr_array_add(keys, (gpointer)k);
    json_object_foreach(b, k, v) if (!json_object_get(a, k)) g_ptr_array_add(keys, (gpointer)k);
    g_ptr_array_sort(keys, compare_keys);
    for (guint i = 0; i < keys->len; i++) {
        const char *key = g_ptr_array_index(keys, i);
        if (!strcmp(key, FP_REPAIRED_KEY)) continue;
        json_t *va = json_object_get(a, key), *vb = json_object_get(b, key);
        int has_a = va && !json_is_null(va), has_b = vb && !json_is_null(vb);
        if (!has_a && !has_b) continue;
        if (!strcmp(key, "layer") && has_a != has_b) continue;
        if (has_a && has_b && same_value(va, vb)) continue;
        char *ta = json_text(va), *tb = json_text(vb);
        int typed = has_a && has_b && json_is_string(va) != json_is_string(vb);
        note_typed(c, key, ta, typed && json_is_string(va), tb, typed && json_is_string(vb));
        free(ta);
        free(tb);
    }
    g_ptr_array_free(keys, TRUE);
    json_decref(a);
    json_decref(b);
}

static void format_number(char *buf, size_t size, double v)
{
    /* The shortest text that reads back as the same number. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) return;
    }
}

/* Whether two rings of one orientation are the same within tol, starting
 * at any vertex: each vertex of a within tol of its partner in b, taken in
 * turn from some start. The normal form starts a ring at its least vertex
 * (least x, then y): where two vertices of a near-vertical edge have
 * nearly the same x, rounding (an export's --precision) may make the other
 * the least, and the normal forms start at different vertices of the same
 * ring. Rings of different vertex counts differ. */
static int same_ring_any_start(GEOSContextHandle_t h, const GEOSGeometry *ra, const GEOSGeometry *rb, double tol)
{
    const GEOSCoordSequence *sa = GEOSGeom_getCoordSeq_r(h, ra), *sb = GEOSGeom_getCoordSeq_r(h, rb);
    unsigned int na = 0, nb = 0;
    if (!sa || !sb || !GEOSCoordSeq_getSize_r(h, sa, &na) || !GEOSCoordSeq_getSize_r(h, sb, &nb) || na != nb || na < 4)
        return 0;
    unsigned int m = na - 1;              /* the last vertex repeats the first */
    double *xy = g_new(double, 4 * (size_t)m);
    double *a = xy, *b = xy + 2 * (size_t)m;
    int ok = 1;
    for (unsigned int i = 0; i < m && ok; i++)
        ok = GEOSCoordSeq_getXY_r(h, sa, i, &a[2 * i], &a[2 * i + 1]) && GEOSCoordSeq_getXY_r(h, sb, i, &b[2 * i], &b[2 * i + 1]);
    int same = 0;
    /* A start that does not fit stops at its first vertex or soon after:
     * about m comparisons in all for rings that differ. */
    for (unsigned int s = 0; ok && s < m && !same; s++) {
        unsigned int k = 0;
        for (; k < m; k++) {
            unsigned int t = (k + s) % m;
            if (hypot(a[2 * k] - b[2 * t], a[2 * k + 1] - b[2 * t + 1]) > tol) break;
        }
        same = k == m;
    }
    g_free(xy);
    return same;
}

/* Polygons (or multipolygons) in normal form, part for part and ring for
 * ring the same within tol, each ring from any start (see above). */
static int same_polygons_any_start(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b, double tol)
{
    int type = GEOSGeomTypeId_r(h, a);
    if (type != GEOSGeomTypeId_r(h, b)) return 0;
    if (type == GEOS_MULTIPOLYGON) {
        int n = GEOSGetNumGeometries_r(h, a);
        if (n < 0 || n != GEOSGetNumGeometries_r(h, b)) return 0;
        for (int i = 0; i < n; i++)
            if (!same_polygons_any_start(h, GEOSGetGeometryN_r(h, a, i), GEOSGetGeometryN_r(h, b, i), tol)) return 0;
        return 1;
    }
    if (type != GEOS_POLYGON) return 0;
    int holes = GEOSGetNumInteriorRings_r(h, a);
    if (holes < 0 || holes != GEOSGetNumInteriorRings_r(h, b)) return 0;
    if (!same_ring_any_start(h, GEOSGetExteriorRing_r(h, a), GEOSGetExteriorRing_r(h, b), tol)) return 0;
    for (int i = 0; i < holes; i++)
        if (!same_ring_any_start(h, GEOSGetInteriorRingN_r(h, a, i), GEOSGetInteriorRingN_r(h, b, i), tol)) return 0;
    return 1;
}

/* Lines and polygons whose centroid stayed within the threshold: the same
 * shape when every vertex is within the threshold in degrees (measured at
 * the equator, where a degree is longest: 111,320 m).
 *
 * Vertices are compared in order, so the two are first compared as given,
 * then in GEOS's normal form (GEOSNormalize_r): each ring starting at its
 * least vertex and turning one fixed way, a line running from its lesser
 * end, the parts of a multi-geometry sorted. A ring drawn the other way
 * round or from another vertex is the same shape: an RFC 7946 GeoJSON
 * export turns a clockwise exterior ring counter-clockwise, and read back
 * the polygon was reported reshaped (SpatiaLite's ST_Equals said equal).
 * Rings whose normal forms start at different vertices (rounding, see
 * same_ring_any_start) are compared from every start. A vertex moved
 * farther than the threshold is still a change. The normal form is taken
 * of copies: the geometries read are not altered. */
static int same_shape(diff_job *j, const erow *o, const erow *n)
{
    if (o->wkb_len == n->wkb_len && o->wkb && n->wkb && !memcmp(o->wkb, n->wkb, o->wkb_len)) return 1;
    GEOSGeometry *a = o->wkb ? fpi_wkb_to_geos(j->geos, o->wkb, o->wkb_len) : NULL;
    GEOSGeometry *b = n->wkb ? fpi_wkb_to_geos(j->geos, n->wkb, n->wkb_len) : NULL;
    double tolerance = j->move_m / 111320.0;
    int same = a && b && GEOSEqualsExact_r(j->geos, a, b, tolerance) == 1;
    if (a && b && !same) {
        GEOSGeometry *na = GEOSGeom_clone_r(j->geos, a), *nb = GEOSGeom_clone_r(j->geos, b);
        same = na && nb && GEOSNormalize_r(j->geos, na) == 0 && GEOSNormalize_r(j->geos, nb) == 0 &&
               (GEOSEqualsExact_r(j->geos, na, nb, tolerance) == 1 ||
                same_polygons_any_start(j->geos, na, nb, tolerance));
        if (na) GEOSGeom_destroy_r(j->geos, na);
        if (nb) GEOSGeom_destroy_r(j->geos, nb);
    }
    if (a) GEOSGeom_destroy_r(j->geos, a);
    if (b) GEOSGeom_destroy_r(j->geos, b);
    return same;
}

/* Every compared field of a pair, in a fixed order: the text fields, year,
 * amount, the keys of extra, then the geometry (gained, lost, another kind,
 * or another shape in place); a move is not a field (distance_m says it). */
static void compare(diff_job *j, const erow *o, const erow *n, int moved, changes *c)
{
    for (int t = 0; t < T_COUNTRY_CODE; t++) {
        const char *a = o->text[t], *b = n->text[t];
        if (t == T_COUNTRY && o->text[T_COUNTRY_CODE] && n->text[T_COUNTRY_CODE]) {
            if (!strcmp(o->text[T_COUNTRY_CODE], n->text[T_COUNTRY_CODE])) continue;
            a = o->text[T_COUNTRY_CODE];
            b = n->text[T_COUNTRY_CODE];
        }
        if (!same_text(a, b)) note(c, text_names[t], a, b);
    }
    char ya[32], yb[32];
    if (o->has_year != n->has_year || (o->has_year && o->year != n->year)) {
        snprintf(ya, sizeof ya, "%d", o->year);
        snprintf(yb, sizeof yb, "%d", n->year);
        note(c, "year", o->has_year ? ya : NULL, n->has_year ? yb : NULL);
    }
    if (o->has_amount != n->has_amount || (o->has_amount && o->amount != n->amount)) {
        format_number(ya, sizeof ya, o->amount);
        format_number(yb, sizeof yb, n->amount);
        note(c, "amount", o->has_amount ? ya : NULL, n->has_amount ? yb : NULL);
    }
    compare_extra(o, n, c);
    if (o->has_geom != n->has_geom) note(c, "geometry", o->has_geom ? "located" : NULL, n->has_geom ? "located" : NULL);
    else if (o->has_geom && o->is_point != n->is_point) note(c, "geometry", o->is_point ? "point" : "line/polygon",
                                                            n->is_point ? "point" : "line/polygon");
    else if (o->has_geom && !o->is_point && !moved && !same_shape(j, o, n)) note(c, "geometry", "shape", "another shape");
}

/* ------------------------------------------------- matching by name --- */

/* Pass 2 pairs the rows left with the same name + company + location, not
 * both with an id. In a group of several candidates, pairs are taken best
 * first: an unchanged pair (no field differs, not moved) before any other,
 * then the nearest, then the one with fewer changed fields, then store
 * order (old row, then new row). So a row listed unchanged in both editions
 * pairs with its twin even when an earlier old row of the same name was
 * dropped; greedy in store order it was taken by that earlier row, a long
 * "move" with its place changed, and the twin reported removed. */

/* A group's rows: the old and the new with the same match key. */
typedef struct group {
    GPtrArray *old, *new;
} group;

static void group_free(group *g)
{
    g_ptr_array_unref(g->old);
    g_ptr_array_unref(g->new);
    g_free(g);
}

/* A candidate pair and how good it is (smaller is better, field by field). */
typedef struct candidate {
    erow *o, *n;
    int rank;                 /* 0 unchanged, 1 moved or changed */
    double d;                 /* metres, infinity without locations */
    int nfields;              /* fields that differ */
    size_t oi, ni;            /* store order */
} candidate;

static int by_goodness(const void *pa, const void *pb)
{
    const candidate *a = pa, *b = pb;
    if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
    if (a->d != b->d) return a->d < b->d ? -1 : 1;      /* infinity == infinity */
    if (a->nfields != b->nfields) return a->nfields < b->nfields ? -1 : 1;
    if (a->oi != b->oi) return a->oi < b->oi ? -1 : 1;
    return a->ni < b->ni ? -1 : a->ni > b->ni;
}

/* Rates a pair as collect() will judge it: distance, changed fields. */
static void rate(diff_job *j, candidate *c, changes *scratch)
{
    c->d = distance(c->o, c->n);
    int moved = isfinite(c->d) && c->d > j->move_m;
    g_string_truncate(scratch->fields, 0);
    g_string_truncate(scratch->details, 0);
    scratch->n = 0;
    compare(j, c->o, c->n, moved, scratch);
    c->nfields = scratch->n;
    c->rank = moved || scratch->n ? 1 : 0;
}

/* Two rows that both have an id (different: pass 1 paired the same) are a
 * removed and an added project, never a pair. */
static int may_pair(const erow *o, const erow *n)
{
    return !o->partner && !n->partner && !(o->key && n->key);
}

/* More candidate pairs than this in one group (a list of thousands of
 * rows of one name, company and country, none with an id) are not all held
 * in memory: each old row in store order takes an unchanged new row if one
 * is left, then the rest the nearest left (the same order of preference,
 * applied row by row). 2^20 candidates are 48 MiB. */
#define MAX_CANDIDATES (1u << 20)

static void pair_group_row_by_row(diff_job *j, group *g, changes *scratch)
{
    for (int pass = 0; pass < 2; pass++)
        for (guint a = 0; a < g->old->len; a++) {
            candidate best = { 0 }, c;
            for (guint b = 0; b < g->new->len; b++) {
                c = (candidate){ .o = g_ptr_array_index(g->old, a), .n = g_ptr_array_index(g->new, b), .oi = a, .ni = b };
                if (!may_pair(c.o, c.n)) continue;
                rate(j, &c, scratch);
                if (pass == 0 && c.rank == 0) { best = c; break; }
                if (pass == 1 && (!best.o || by_goodness(&c, &best) < 0)) best = c;
            }
            if (best.o) pair(best.o, best.n, 0);
        }
}

static void pair_group(diff_job *j, group *g, changes *scratch)
{
    guint no = g->old->len, nn = g->new->len;
    if (!no || !nn) return;
    if ((guint64)no * nn > MAX_CANDIDATES) { pair_group_row_by_row(j, g, scratch); return; }
    candidate *cs = g_new(candidate, (gsize)no * nn);
    size_t k = 0;
    for (guint a = 0; a < no; a++)
        for (guint b = 0; b < nn; b++) {
            candidate c = { .o = g_ptr_array_index(g->old, a), .n = g_ptr_array_index(g->new, b), .oi = a, .ni = b };
            if (!may_pair(c.o, c.n)) continue;
            /* One candidate alone needs no rating. */
            if (no > 1 || nn > 1) rate(j, &c, scratch);
            cs[k++] = c;
        }
    qsort(cs, k, sizeof *cs, by_goodness);
    for (size_t i = 0; i < k; i++)
        if (may_pair(cs[i].o, cs[i].n)) pair(cs[i].o, cs[i].n, 0);
    g_free(cs);
}

static group *group_of(GHashTable *groups, const char *key)
{
    group *g = g_hash_table_lookup(groups, key);
    if (!g) {
        g = g_new(group, 1);
        g->old = g_ptr_array_new();
        g->new = g_ptr_array_new();
        g_hash_table_insert(groups, (gpointer)key, g);
    }
    return g;
}

static void match_by_name(diff_job *j)
{
    GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)group_free);
    /* Rows are added in store order: a group's arrays keep it. */
    for (size_t i = 0; i < j->old.n; i++) {
        erow *o = &j->old.rows[i];
        if (!o->partner && o->match_key) g_ptr_array_add(group_of(groups, o->match_key)->old, o);
    }
    for (size_t i = 0; i < j->new.n; i++) {
        erow *n = &j->new.rows[i];
        if (!n->partner && n->match_key) g_ptr_array_add(group_of(groups, n->match_key)->new, n);
    }
    /* Groups share no row, so the order they are visited in does not matter. */
    changes scratch = { g_string_new(NULL), g_string_new(NULL), 0 };
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, groups);
    while (g_hash_table_iter_next(&it, &key, &value)) pair_group(j, value, &scratch);
    g_string_free(scratch.fields, TRUE);
    g_string_free(scratch.details, TRUE);
    g_hash_table_destroy(groups);
}

/* ------------------------------------------------------------- entries --- */

static void add_entry(diff_job *j, fp_change kind, const erow *o, const erow *n, double dist, const changes *c)
{
    const erow *d = n ? n : o;     /* the row that describes the project */
    fp_diff_entry e = {
        .change = kind, .by_id = o && n ? o->by_id : 0,
        .old_id = o ? o->id : 0, .new_id = n ? n->id : 0,
        .source_key = d->key ? d->key : "", .name = d->text[T_NAME] ? d->text[T_NAME] : "",
        .company = d->text[T_COMPANY] ? d->text[T_COMPANY] : "",
        .country = d->text[T_COUNTRY_CODE] ? d->text[T_COUNTRY_CODE] : d->text[T_COUNTRY] ? d->text[T_COUNTRY] : "",
        .old_file = o && o->file ? o->file : "", .new_file = n && n->file ? n->file : "",
        .old_line = o ? o->line : 0, .new_line = n ? n->line : 0,
        .old_by_line = o ? o->by_line : 0, .new_by_line = n ? n->by_line : 0,
        .distance_m = kind == FP_CHANGE_MOVED ? dist : -1,
        .fields = c ? keep(j, c->fields->str) : "", .details = c ? keep(j, c->details->str) : "" };
    g_array_append_val(j->by_kind[kind], e);
}

/* Another project under the same id, by the look of it: another name (or,
 * for rows without names, another place), as folded text. */
static int looks_like_another(diff_job *j, const erow *o, const erow *n)
{
    for (int t = T_NAME;; t = T_PLACE) {
        const char *a = folded(j, o->text[t]), *b = folded(j, n->text[t]);
        if (*a && *b) return strcmp(a, b) != 0;
        if (*a || *b || t == T_PLACE) return 0;
    }
}

/* Pairs compared (old rows in store order), then the rows left on each side. */
static void collect(diff_job *j, fp_diff_result *res)
{
    changes c = { g_string_new(NULL), g_string_new(NULL), 0 };
    for (size_t i = 0; i < j->old.n; i++) {
        erow *o = &j->old.rows[i], *n = o->partner;
        if (!n) {
            add_entry(j, FP_CHANGE_REMOVED, o, NULL, -1, NULL);
            continue;
        }
        if (o->by_id) res->matched_by_id++;
        else res->matched_by_name++;
        double d = distance(o, n);
        int moved = isfinite(d) && d > j->move_m;
        if (o->by_id && moved && looks_like_another(j, o, n) && !res->renamed_and_moved++) {
            int t = o->text[T_NAME] && *o->text[T_NAME] ? T_NAME : T_PLACE;
            res->renamed_key = o->key;
            res->renamed_by_place = t == T_PLACE;
            res->renamed_old_name = o->text[t];
            res->renamed_new_name = n->text[t];
        }
        g_string_truncate(c.fields, 0);
        g_string_truncate(c.details, 0);
        c.n = 0;
        compare(j, o, n, moved, &c);
        if (moved) {
            add_entry(j, FP_CHANGE_MOVED, o, n, d, &c);
            if (c.fields->len) res->moved_and_changed++;
        } else if (c.fields->len) {
            add_entry(j, FP_CHANGE_CHANGED, o, n, -1, &c);
        } else {
            res->unchanged++;
        }
    }
    for (size_t i = 0; i < j->new.n; i++)
        if (!j->new.rows[i].partner) add_entry(j, FP_CHANGE_ADDED, NULL, &j->new.rows[i], -1, NULL);
    g_string_free(c.fields, TRUE);
    g_string_free(c.details, TRUE);
    GArray *all = g_array_new(FALSE, FALSE, sizeof(fp_diff_entry));
    for (int k = 0; k < FP_CHANGE_KINDS; k++) {
        res->count[k] = (long)j->by_kind[k]->len;
        g_array_append_vals(all, j->by_kind[k]->data, j->by_kind[k]->len);
    }
    res->nentries = all->len;
    res->entries = (fp_diff_entry *)(void *)g_array_free(all, FALSE);
}

/* The changes in the store's connection for the export's layer. */
static fp_status keep_for_layer(fp_store *store, const fp_diff_result *r, fp_error *err)
{
    fp_diff_keeper *k;
    fp_status st = fp_store_diff_keep_new(store, &k, err);
    if (st) return st;
    for (size_t i = 0; i < r->nentries && !st; i++) {
        const fp_diff_entry *e = &r->entries[i];
        fp_diff_kept row = { .change = fp_change_name(e->change),
                             .matched_by = e->change >= FP_CHANGE_MOVED ? (e->by_id ? "id" : "name") : NULL,
                             .old_id = e->old_id, .new_id = e->new_id, .distance_m = e->distance_m,
                             .fields = e->fields, .details = e->details };
        st = fp_store_diff_keep_add(k, &row, err);
    }
    if (!st) st = fp_store_diff_keep_finish(k, err);
    fp_store_diff_keep_free(k);
    return st;
}

/* ------------------------------------------------------------ pipeline --- */

int fp_diff_match_warning(const fp_diff_result *r, const char *old_dataset, const char *new_dataset, char *out,
                          size_t size)
{
    *out = 0;
    long matched = r->matched_by_id + r->matched_by_name;
    long smaller = r->old_rows < r->new_rows ? r->old_rows : r->new_rows;
    if (smaller > 0 && matched * 10 >= smaller && r->renamed_and_moved >= 3 &&
        r->renamed_and_moved * 5 >= r->matched_by_id) {
        /* Renumbered lists: the same id, another project. */
        snprintf(out, size, "%s and %s: %ld of the %ld rows matched by id moved more than %.0f m and have another "
                 "%s (e.g. id '%.40s': '%.60s' -> '%.60s'): the editions may give the same ids to different projects. "
                 "diff matches rows by id = the source key (the input's id column); to match on a column that keeps "
                 "its value, import the editions again with --map id=COLUMN (after `footprint drop --dataset NAME`, "
                 "or under new --dataset names)",
                 old_dataset, new_dataset, r->renamed_and_moved, r->matched_by_id, r->move_m,
                 r->renamed_by_place ? "place" : "name", r->renamed_key ? r->renamed_key : "", r->renamed_old_name ? r->renamed_old_name : "",
                 r->renamed_new_name ? r->renamed_new_name : "");
        return 1;
    }
    if (smaller <= 0 || matched * 10 >= smaller) return 0;
    if (r->old_with_id && r->new_with_id) {
        /* Renumbered ids: every project "added" and "removed". diff has no
         * option for the key; the id column is chosen at import. */
        char share[64];
        if (r->shared_ids) snprintf(share, sizeof share, "share only %ld id%s", r->shared_ids, r->shared_ids == 1 ? "" : "s");
        else snprintf(share, sizeof share, "share no ids");
        snprintf(out, size, "%s and %s %s: %ld of %ld and %ld rows matched, by id = the source key (the input's id "
                 "column: e.g. [%.40s] in %s, [%.40s] in %s); ids that differ between editions make every such project "
                 "added and removed. To match on a column that keeps its value, import the editions again with --map "
                 "id=COLUMN (after `footprint drop --dataset NAME`, or under new --dataset names); rows without an "
                 "id are matched by name+company+location",
                 old_dataset, new_dataset, share, matched, r->old_rows, r->new_rows, r->old_id_example, old_dataset,
                 r->new_id_example, new_dataset);
    } else {
        const char *which = !r->old_with_id && !r->new_with_id ? "neither edition's rows have an id"
                          : !r->old_with_id ? "the old edition's rows have no id" : "the new edition's rows have no id";
        snprintf(out, size, "%s and %s: %ld of %ld and %ld rows matched; %s (source key), so rows were matched "
                 "by name+company+location, which few of them share (give both editions an id column, or --map "
                 "id=COLUMN at import)", old_dataset, new_dataset, matched, r->old_rows, r->new_rows, which);
    }
    return 1;
}

char *fp_diff_row_ref(const char *file, long line, int by_line)
{
    if (!file || !*file) return g_strdup("");
    if (line <= 0) return g_strdup(file);
    return by_line ? g_strdup_printf("%s:%ld", file, line) : g_strdup_printf("%s: feature %ld", file, line);
}

void fp_diff_result_clear(fp_diff_result *r)
{
    if (!r) return;
    g_free(r->entries);
    if (r->strings) g_string_chunk_free(r->strings);
    memset(r, 0, sizeof *r);
}

fp_status fp_diff(fp_store *store, const fp_diff_options *o, fp_diff_result *res, fp_error *err)
{
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_diff: store is NULL");
    if (!o) return fp_error_set(err, FP_ERR_USAGE, "fp_diff: opts is NULL");
    if (!res) {                      /* the numbers are not wanted (footprint.h) */
        fp_diff_result local;
        fp_status st = fp_diff(store, o, &local, err);
        fp_diff_result_clear(&local);
        return st;
    }
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!o->old_dataset || !*o->old_dataset || !o->new_dataset || !*o->new_dataset)
        return fp_error_set(err, FP_ERR_USAGE, "diff needs two datasets: --dataset OLD --against NEW");
    if (!strcmp(o->old_dataset, o->new_dataset)) {
        if (o->option) return fp_error_set(err, FP_ERR_USAGE, "%s: the same dataset; compare two editions", o->option);
        return fp_error_set(err, FP_ERR_USAGE, "--dataset %s --against %s: the same dataset; compare two editions",
                            o->old_dataset, o->new_dataset);
    }
    if (o->report_csv && !g_str_has_suffix(o->report_csv, ".csv"))
        return fp_error_set(err, FP_ERR_USAGE, "--report %s: expected FILE.csv", o->report_csv);
    diff_job j = { .store = store, .o = o, .move_m = o->move_m < 0 ? FP_DIFF_MOVE_M : o->move_m };
    j.strings = g_string_chunk_new(1 << 16);
    j.geos = GEOS_init_r();
    for (int k = 0; k < FP_CHANGE_KINDS; k++) j.by_kind[k] = g_array_new(FALSE, FALSE, sizeof(fp_diff_entry));
    res->move_m = j.move_m;
    res->strings = j.strings;       /* the result owns the strings from here */
    /* A missing edition is named by the option that named it: --dataset
     * OLD / --against NEW, or render's --diff OLD:NEW (export's --what). */
    char *old_opt = o->option ? g_strdup(o->option) : g_strdup_printf("--dataset %s", o->old_dataset);
    char *new_opt = o->option ? g_strdup(o->option) : g_strdup_printf("--against %s", o->new_dataset);
    fp_status st = read_edition(&j, o->old_dataset, &j.old, err);
    if (!st && !j.old.n) st = no_dataset(store, old_opt, o->old_dataset, err);
    if (!st) st = read_edition(&j, o->new_dataset, &j.new, err);
    if (!st && !j.new.n) st = no_dataset(store, new_opt, o->new_dataset, err);
    g_free(old_opt);
    g_free(new_opt);
    if (!st) {
        res->old_rows = (long)j.old.n;
        res->new_rows = (long)j.new.n;
        match_by_id(&j, res);
        match_by_name(&j);
        collect(&j, res);
    }
    if (!st && o->report_csv) st = fpi_diff_write_report(o->report_csv, res, err);
    if (!st && o->keep_for_layer) st = keep_for_layer(store, res, err);
    edition_clear(&j.old);
    edition_clear(&j.new);
    for (int k = 0; k < FP_CHANGE_KINDS; k++) g_array_free(j.by_kind[k], TRUE);
    GEOS_finish_r(j.geos);
    res->seconds = fpi_now() - t0;
    return st;
}
