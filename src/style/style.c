/* Style files: JSON (doc/STYLE.md) read strictly with jansson. Every key
 * is known, typed and range-checked; a message names the file, the key path
 * and the problem. Strings point into the parsed JSON, kept for the style's
 * lifetime. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <jansson.h>
#include "fp_style.h"
#include "fp_store.h"
#include "style/palettes.h"
#include "style/style_internal.h"

typedef struct fp_category {
    const char *name;
    int has_color;
    fp_rgba color;
    fp_shape shape;
} fp_category;

struct fp_style {
    json_t *root;
    char *origin;
    char *name_buf;            /* the name when derived from the file name */
    char *credits_buf;         /* map.credits when fp_style_set_store_credits added to them */
    const char *name, *description;
    fp_map_style map;
    int has_choropleth;
    fp_choropleth_spec choro;
    double *breaks;
    fp_category *cats;
    const char **cat_names;
    size_t ncats;
    /* The data's other categories (fp_style_set_categories), sorted, and
     * the colour of every category: cats[0..ncats) then data_cats. */
    char **data_cats;
    size_t ndata;
    fp_rgba *assigned;
};

#define BUILTIN_ORIGIN "built-in style"

/* ---- Messages ---- */

typedef struct pctx {
    const char *origin;
    fp_error *err;
} pctx;

static fp_status bad(pctx *c, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static fp_status bad(pctx *c, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return fp_error_set(c->err, FP_ERR_INPUT, "%s: %s: %s", c->origin, path, msg);
}

static void join(char *buf, size_t size, const char *parent, const char *key)
{
    if (parent && *parent) snprintf(buf, size, "%s.%s", parent, key);
    else snprintf(buf, size, "%s", key);
}

/* Levenshtein distance (99 for words over 40 bytes: no suggestion). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best) best = row[j] + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *fpi_style_closest(const char *word, const char *const *candidates, size_t n)
{
    /* At most two edits: "shceme" is "scheme", "Redz" is "Reds"; a word
     * farther from every candidate gets no guess (a wrong one misleads). A
     * difference of case alone counts as one edit. */
    const char *best = NULL;
    size_t best_dist = 3;
    for (size_t i = 0; i < n && candidates[i]; i++) {
        size_t dist = edit_distance(word, candidates[i]);
        if (dist && g_ascii_strcasecmp(word, candidates[i]) == 0) dist = 1;
        if (dist < best_dist) {
            best_dist = dist;
            best = candidates[i];
        }
    }
    return best;
}

/* Unknown keys are errors: a typo must not silently fall back to a default. */
static fp_status check_keys(pctx *c, json_t *obj, const char *path, const char *const *known)
{
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val) {
        int ok = 0;
        size_t nknown = 0;
        for (size_t i = 0; known[i]; i++, nknown++)
            if (strcmp(key, known[i]) == 0) ok = 1;
        if (ok) continue;
        char p[256], list[512] = "", hint[128] = "";
        join(p, sizeof p, path, key);
        for (size_t i = 0; known[i]; i++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", known[i]);
        }
        const char *near = fpi_style_closest(key, known, nknown);
        if (near) snprintf(hint, sizeof hint, "did you mean \"%s\"? ", near);
        return bad(c, p, "unknown key (%sknown keys%s%s: %s)", hint, *path ? " of " : "", path, list);
    }
    return FP_OK;
}

/* A scheme name that is none: the schemes of the kinds the key takes
 * (qualitative for points, sequential and diverging for classes), with the
 * nearest by spelling in any case ("Redz": "Reds", "ylorred": "YlOrRd"). */
static fp_status unknown_scheme(pctx *c, const char *path, const char *name, int qualitative)
{
    const char *lower[128] = { 0 }, *names[128] = { 0 };
    char *word = g_ascii_strdown(name, -1);
    GString *lists[3] = { g_string_new(NULL), g_string_new(NULL), g_string_new(NULL) };
    size_t n = 0;
    for (int i = 0; i < fpi_nschemes && n < 128; i++) {
        const fp_scheme *sch = &fpi_schemes[i];
        if ((sch->kind == FP_SCHEME_QUALITATIVE) != qualitative) continue;
        names[n] = sch->name;
        lower[n++] = g_ascii_strdown(sch->name, -1);
        g_string_append_printf(lists[sch->kind], "%s%s", lists[sch->kind]->len ? ", " : "", sch->name);
    }
    const char *near = fpi_style_closest(word, lower, n);
    char hint[96] = "";
    for (size_t i = 0; near && i < n; i++)
        if (lower[i] == near) snprintf(hint, sizeof hint, "did you mean \"%s\"? ", names[i]);
    fp_status st = qualitative
        ? bad(c, path, "\"%s\" is not a qualitative ColorBrewer scheme (%squalitative: %s)", name, hint,
              lists[FP_SCHEME_QUALITATIVE]->str)
        : bad(c, path, "\"%s\" is not a ColorBrewer scheme (%ssequential: %s; diverging: %s)", name, hint,
              lists[FP_SCHEME_SEQUENTIAL]->str, lists[FP_SCHEME_DIVERGING]->str);
    for (size_t i = 0; i < n; i++) g_free((char *)lower[i]);
    for (int k = 0; k < 3; k++) g_string_free(lists[k], TRUE);
    g_free(word);
    return st;
}

/* ---- Typed getters: absent keys leave *out alone (the default). ---- */

static fp_status get_object(pctx *c, json_t *obj, const char *path, const char *key, json_t **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_object(v)) return bad(c, p, "must be an object {...}");
    *out = v;
    return FP_OK;
}

static fp_status get_string(pctx *c, json_t *obj, const char *path, const char *key, int nonempty, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_string(v)) return bad(c, p, "must be a string");
    if (nonempty && json_string_length(v) == 0) return bad(c, p, "must not be empty");
    if (strlen(json_string_value(v)) != json_string_length(v)) return bad(c, p, "must not contain NUL characters");
    *out = json_string_value(v);
    return FP_OK;
}

/* A column or aggregation name: letters, digits, underscores. */
static fp_status get_name(pctx *c, json_t *obj, const char *path, const char *key, const char **out)
{
    const char *s = NULL;
    fp_status st = get_string(c, obj, path, key, 1, &s);
    if (st || !s) return st;
    for (const char *q = s; *q; q++) {
        int ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || *q == '_' || (q > s && *q >= '0' && *q <= '9');
        if (!ok) {
            char p[256];
            join(p, sizeof p, path, key);
            return bad(c, p, "\"%s\" is not a name (letters, digits and _, not starting with a digit)", s);
        }
    }
    *out = s;
    return FP_OK;
}

static fp_status color_value(pctx *c, json_t *v, const char *p, fp_rgba *out)
{
    if (!json_is_string(v)) return bad(c, p, "must be a colour string (\"#rgb\", \"#rrggbb\", \"#rrggbbaa\" or \"none\")");
    if (fp_rgba_parse(json_string_value(v), out) < 0)
        return bad(c, p, "\"%s\" is not a colour (\"#rgb\", \"#rrggbb\", \"#rrggbbaa\" or \"none\")",
                   json_string_value(v));
    return FP_OK;
}

static fp_status get_color(pctx *c, json_t *obj, const char *path, const char *key, fp_rgba *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    return color_value(c, v, p, out);
}

/* A number in [min, max]; min_open: min itself excluded. */
static fp_status get_number(pctx *c, json_t *obj, const char *path, const char *key, double min, int min_open,
                            double max, double *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_number(v)) return bad(c, p, "must be a number");
    double x = json_number_value(v);
    if (!isfinite(x) || x < min || (min_open && x == min) || x > max)
        return bad(c, p, "%g is out of range (%s%g to %g)", x, min_open ? "more than " : "", min, max);
    *out = x;
    return FP_OK;
}

static fp_status get_int(pctx *c, json_t *obj, const char *path, const char *key, long min, long max, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_integer(v)) return bad(c, p, "must be an integer");
    json_int_t x = json_integer_value(v);
    if (x < min || x > max) return bad(c, p, "%lld is out of range (%ld to %ld)", (long long)x, min, max);
    *out = (int)x;
    return FP_OK;
}

static fp_status get_bool(pctx *c, json_t *obj, const char *path, const char *key, int *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v) return FP_OK;
    char p[256];
    join(p, sizeof p, path, key);
    if (!json_is_boolean(v)) return bad(c, p, "must be true or false");
    *out = json_is_true(v);
    return FP_OK;
}

/* One of a fixed set of words; *index its position. */
static fp_status get_enum(pctx *c, json_t *obj, const char *path, const char *key, const char *const *words,
                          int *index, const char **word)
{
    const char *s = NULL;
    fp_status st = get_string(c, obj, path, key, 0, &s);
    if (st || !s) return st;
    char list[256] = "";
    for (int i = 0; words[i]; i++) {
        if (strcmp(s, words[i]) == 0) {
            if (index) *index = i;
            if (word) *word = words[i];
            return FP_OK;
        }
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s\"%s\"", i ? ", " : "", words[i]);
    }
    char p[256];
    join(p, sizeof p, path, key);
    return bad(c, p, "\"%s\" is not one of %s", s, list);
}

/* ---- Sections ---- */

static fp_status parse_stroke(pctx *c, json_t *root, const char *key, fp_rgba *fill, fp_rgba *stroke, double *width)
{
    json_t *o;
    fp_status st = get_object(c, root, "", key, &o);
    if (st || !o) return st;
    static const char *const with_fill[] = { "fill", "stroke", "width", NULL };
    static const char *const plain[] = { "stroke", "width", NULL };
    if ((st = check_keys(c, o, key, fill ? with_fill : plain))) return st;
    if (fill && (st = get_color(c, o, key, "fill", fill))) return st;
    if ((st = get_color(c, o, key, "stroke", stroke))) return st;
    return get_number(c, o, key, "width", 0, 0, 50, width);
}

/* A projection render can be given: a name (fp_projection_names), an
 * authority code (EPSG:n, ESRI:n) or a PROJ string; PROJ itself says at
 * render time whether it knows the code or the string. */
static int projection_ok(const char *s)
{
    char def[256];
    if (fp_projection_definition(s, 0, 0, def, sizeof def)) return 1;
    if (strstr(s, "+proj=")) return 1;
    if (strncmp(s, "EPSG:", 5) != 0 && strncmp(s, "ESRI:", 5) != 0) return 0;
    if (!s[5]) return 0;
    for (const char *q = s + 5; *q; q++)
        if (*q < '0' || *q > '9') return 0;
    return 1;
}

int fp_bbox_normalise(double b[4], char *why, size_t why_size)
{
    if (why_size) why[0] = '\0';
    for (int i = 0; i < 4; i++)
        if (!isfinite(b[i])) return snprintf(why, why_size, "not a number"), -1;
    if (b[0] < -180 || b[0] > 180) return snprintf(why, why_size, "west %g is outside -180..180", b[0]), -1;
    if (b[1] < -90 || b[3] > 90) return snprintf(why, why_size, "south or north is outside -90..90"), -1;
    if (!(b[1] < b[3])) return snprintf(why, why_size, "south must be less than north"), -1;
    if (b[2] < -180 || b[2] > b[0] + 360)
        return snprintf(why, why_size, "east %g is outside -180..180 (or west..west + 360 across the antimeridian)", b[2]), -1;
    if (b[2] < b[0]) b[2] += 360;                 /* across the antimeridian */
    /* After the turn: 180,S,-180,N crosses nothing, it is as narrow. */
    if (b[2] == b[0]) return snprintf(why, why_size, "west and east are the same longitude"), -1;
    return 0;
}

static fp_status parse_view(pctx *c, json_t *root, fp_style *s)
{
    json_t *o;
    fp_status st = get_object(c, root, "", "view", &o);
    if (st || !o) return st;
    static const char *const keys[] = { "bbox", "region", "projection", NULL };
    if ((st = check_keys(c, o, "view", keys))) return st;
    json_t *bbox = json_object_get(o, "bbox");
    if (bbox) {
        if (!json_is_array(bbox) || json_array_size(bbox) != 4)
            return bad(c, "view.bbox", "must be an array of 4 numbers [west, south, east, north]");
        for (size_t i = 0; i < 4; i++) {
            json_t *v = json_array_get(bbox, i);
            char p[64];
            snprintf(p, sizeof p, "view.bbox[%zu]", i);
            if (!json_is_number(v) || !isfinite(json_number_value(v))) return bad(c, p, "must be a number");
            s->map.view.bbox[i] = json_number_value(v);
        }
        double *b = s->map.view.bbox;
        char why[160];
        if (fp_bbox_normalise(b, why, sizeof why))
            return bad(c, "view.bbox", "[%g, %g, %g, %g]: %s", b[0], b[1], b[2], b[3], why);
        s->map.view.has_bbox = 1;
    }
    if ((st = get_string(c, o, "view", "region", 1, &s->map.view.region))) return st;
    if (bbox && s->map.view.region) return bad(c, "view", "give bbox or region, not both");
    if ((st = get_string(c, o, "view", "projection", 1, &s->map.view.projection))) return st;
    if (!projection_ok(s->map.view.projection)) {
        char hint[400];
        fp_projection_hint(s->map.view.projection, hint, sizeof hint);
        return bad(c, "view.projection", "\"%s\" is not a known projection (%s)", s->map.view.projection, hint);
    }
    return FP_OK;
}

static fp_status parse_choropleth(pctx *c, json_t *root, fp_style *s)
{
    json_t *o;
    fp_status st = get_object(c, root, "", "choropleth", &o);
    if (st || !o) return st;
    static const char *const keys[] = { "aggregation", "level", "field", "method", "classes", "breaks",
                                        "scheme", "nodata", "zero_is_nodata", NULL };
    static const char *const methods[] = { "quantile", "equal", "jenks", "manual", NULL };
    const char *P = "choropleth";
    fp_choropleth_spec *ch = &s->choro;
    s->has_choropleth = 1;
    int method = FP_CLASS_QUANTILE;
    if ((st = check_keys(c, o, P, keys)) || (st = get_name(c, o, P, "aggregation", &ch->aggregation)) ||
        (st = get_name(c, o, P, "level", &ch->level)) || (st = get_name(c, o, P, "field", &ch->field)) ||
        (st = get_enum(c, o, P, "method", methods, &method, NULL)) ||
        (st = get_int(c, o, P, "classes", FP_CLASSES_MIN, FP_CLASSES_MAX, &ch->classes)) ||
        (st = get_color(c, o, P, "nodata", &ch->nodata)) ||
        (st = get_bool(c, o, P, "zero_is_nodata", &ch->zero_is_nodata)) ||
        (st = get_string(c, o, P, "scheme", 1, &ch->scheme)))
        return st;
    ch->method = (fp_class_method)method;

    json_t *breaks = json_object_get(o, "breaks");
    if (ch->method == FP_CLASS_MANUAL) {
        if (!breaks) return bad(c, "choropleth.breaks", "method \"manual\" needs breaks (the class bounds)");
        if (!json_is_array(breaks)) return bad(c, "choropleth.breaks", "must be an array of numbers");
        size_t nb = json_array_size(breaks);
        if (nb < FP_CLASSES_MIN + 1 || nb > FP_CLASSES_MAX + 1)
            return bad(c, "choropleth.breaks", "%zu numbers: give %d to %d class bounds (%d to %d classes)", nb,
                       FP_CLASSES_MIN + 1, FP_CLASSES_MAX + 1, FP_CLASSES_MIN, FP_CLASSES_MAX);
        if (!(s->breaks = malloc(nb * sizeof *s->breaks))) return fp_error_set(c->err, FP_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < nb; i++) {
            json_t *v = json_array_get(breaks, i);
            char p[64];
            snprintf(p, sizeof p, "choropleth.breaks[%zu]", i);
            if (!json_is_number(v) || !isfinite(json_number_value(v))) return bad(c, p, "must be a number");
            s->breaks[i] = json_number_value(v);
            if (i > 0 && !(s->breaks[i] > s->breaks[i - 1]))
                return bad(c, p, "%g after %g: breaks must increase strictly", s->breaks[i], s->breaks[i - 1]);
        }
        if (json_object_get(o, "classes") && ch->classes != (int)nb - 1)
            return bad(c, "choropleth.classes", "%d, but %zu breaks make %zu classes", ch->classes, nb, nb - 1);
        ch->breaks = s->breaks;
        ch->nbreaks = (int)nb;
        ch->classes = (int)nb - 1;
    } else if (breaks) {
        return bad(c, "choropleth.breaks", "only for method \"manual\" (method is \"%s\")",
                   fp_class_method_name(ch->method));
    }

    const fp_scheme *sch = fpi_scheme_find(ch->scheme);
    if (!sch) return unknown_scheme(c, "choropleth.scheme", ch->scheme, 0);
    if (sch->kind == FP_SCHEME_QUALITATIVE)
        return bad(c, "choropleth.scheme", "%s is qualitative; classes need a sequential or diverging scheme", sch->name);
    if (ch->classes > sch->max)
        return bad(c, "choropleth.scheme", "%s has at most %d colours, not %d", sch->name, sch->max, ch->classes);
    ch->scheme = sch->name;
    return FP_OK;
}

/* ---- Category colours ---- */

/* The qualitative schemes tried after the style's own, when a layer has
 * more categories than its palette has colours. */
static const char *const more_schemes[] = { "Set1", "Dark2", "Set3", "Paired", "Accent", "Set2", "Pastel1",
                                            "Pastel2", NULL };

static guint pack_color(fp_rgba c)
{
    return (guint)c.r << 24 | (guint)c.g << 16 | (guint)c.b << 8 | c.a;
}

/* Candidate k of the colour sequence: the style's scheme (its largest
 * palette), then the other ColorBrewer qualitative palettes, then evenly
 * spread hues (golden angle) in three lightness steps. */
static fp_rgba candidate(const char *scheme, size_t k)
{
    fp_rgba pal[16];
    const fp_scheme *own = fpi_scheme_find(scheme);
    if (own && fp_palette(own->name, own->max, pal) == 0) {
        if (k < (size_t)own->max) return pal[k];
        k -= (size_t)own->max;
    }
    for (int i = 0; more_schemes[i]; i++) {
        const fp_scheme *sch = fpi_scheme_find(more_schemes[i]);
        if (!sch || sch == own || fp_palette(sch->name, sch->max, pal) < 0) continue;
        if (k < (size_t)sch->max) return pal[k];
        k -= (size_t)sch->max;
    }
    double h = fmod((double)k * 137.508, 360.0) / 60.0, v = 0.95 - 0.2 * (double)(k % 3), sat = 0.75;
    double c = v * sat, x = c * (1 - fabs(fmod(h, 2.0) - 1)), m = v - c, rgb[3];
    int sector = (int)h % 6;
    static const int order[6][3] = { { 0, 1, 2 }, { 1, 0, 2 }, { 2, 0, 1 }, { 2, 1, 0 }, { 1, 2, 0 }, { 0, 2, 1 } };
    double parts[3] = { c, x, 0 };   /* order[sector][i]: which of them channel i gets */
    for (int i = 0; i < 3; i++) rgb[i] = parts[order[sector][i]] + m;
    return (fp_rgba){ (unsigned char)lround(rgb[0] * 255), (unsigned char)lround(rgb[1] * 255),
                      (unsigned char)lround(rgb[2] * 255), 255 };
}

/* Every known category's colour, never two alike: explicit colours first
 * (as given), then the others in category order (the style's list, then
 * the data's categories sorted) take the next colour of the sequence that
 * no category has yet. 0 ok, -1 out of memory. */
static int assign_colors(fp_style *s)
{
    size_t n = s->ncats + s->ndata;
    free(s->assigned);
    s->assigned = NULL;
    if (!n) return 0;
    fp_rgba *a = malloc(n * sizeof *a);
    unsigned char *set = calloc(n, 1);
    if (!a || !set) { free(a); free(set); return -1; }
    /* The colours taken, as packed RGBA: a look-up each, not a pass over
     * all categories (thousands of categories took minutes). */
    GHashTable *taken = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (size_t i = 0; i < s->ncats; i++)
        if (s->cats[i].has_color) {
            a[i] = s->cats[i].color;
            set[i] = 1;
            g_hash_table_add(taken, GUINT_TO_POINTER(pack_color(a[i])));
        }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (set[i]) continue;
        /* The generated hues hold some 3,000 distinct 8-bit colours: past
         * them (or after 1,000 taken candidates in a row) a colour is used
         * twice rather than searched for for ever. */
        for (int tries = 0;; k++, tries++) {
            fp_rgba c = candidate(s->map.points.scheme, k);
            if (!g_hash_table_contains(taken, GUINT_TO_POINTER(pack_color(c))) || tries >= 1000) {
                a[i] = c;
                set[i] = 1;
                g_hash_table_add(taken, GUINT_TO_POINTER(pack_color(c)));
                k++;
                break;
            }
        }
    }
    g_hash_table_destroy(taken);
    free(set);
    s->assigned = a;
    return 0;
}

static int compare_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

fp_status fp_style_set_categories(fp_style *s, const char *const *values, size_t n, fp_error *err)
{
    for (size_t i = 0; i < s->ndata; i++) free(s->data_cats[i]);
    free(s->data_cats);
    s->data_cats = NULL;
    s->ndata = 0;
    char **d = n ? calloc(n, sizeof *d) : NULL;
    if (n && !d) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    size_t nd = 0;
    for (size_t i = 0; i < n; i++) {
        if (!values[i]) continue;
        int known = 0;
        for (size_t j = 0; j < s->ncats && !known; j++) known = strcmp(s->cats[j].name, values[i]) == 0;
        if (known) continue;
        if (!(d[nd] = strdup(values[i]))) {
            for (size_t j = 0; j < nd; j++) free(d[j]);
            free(d);
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
        nd++;
    }
    if (nd) qsort(d, nd, sizeof *d, compare_names);
    /* Repeated values once. */
    size_t u = 0;
    for (size_t i = 0; i < nd; i++) {
        if (u && strcmp(d[u - 1], d[i]) == 0) { free(d[i]); continue; }
        d[u++] = d[i];
    }
    s->data_cats = d;
    s->ndata = u;
    if (assign_colors(s)) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    return FP_OK;
}

static fp_category *category(fp_style *s, const char *name, int add)
{
    for (size_t i = 0; i < s->ncats; i++)
        if (strcmp(s->cats[i].name, name) == 0) return &s->cats[i];
    if (!add) return NULL;
    fp_category *cat = &s->cats[s->ncats++];   /* room reserved by the caller */
    *cat = (fp_category){ .name = name, .shape = FP_SHAPE_CIRCLE };
    return cat;
}

static fp_status parse_points(pctx *c, json_t *root, fp_style *s)
{
    json_t *o;
    fp_status st = get_object(c, root, "", "points", &o);
    if (st || !o) return st;
    s->map.points.enabled = 1;
    static const char *const keys[] = { "field", "size", "size_field", "scheme", "categories", "colors", "shapes",
                                        NULL };
    const char *P = "points";
    if ((st = check_keys(c, o, P, keys)) || (st = get_name(c, o, P, "field", &s->map.points.field)) ||
        (st = get_number(c, o, P, "size", 0, 1, 100, &s->map.points.size)) ||
        (st = get_name(c, o, P, "size_field", &s->map.points.size_field)) ||
        (st = get_string(c, o, P, "scheme", 1, &s->map.points.scheme)))
        return st;
    const fp_scheme *sch = fpi_scheme_find(s->map.points.scheme);
    if (!sch) return unknown_scheme(c, "points.scheme", s->map.points.scheme, 1);
    if (sch->kind != FP_SCHEME_QUALITATIVE)
        return bad(c, "points.scheme", "%s is not qualitative (Set1, Set2, Set3, Dark2, Paired, Pastel1, Pastel2, "
                   "Accent)", sch->name);
    s->map.points.scheme = sch->name;

    json_t *list = json_object_get(o, "categories"), *colors, *shapes;
    if ((st = get_object(c, o, P, "colors", &colors)) || (st = get_object(c, o, P, "shapes", &shapes))) return st;
    if (list && !json_is_array(list)) return bad(c, "points.categories", "must be an array of strings");
    size_t room = (list ? json_array_size(list) : 0) + (colors ? json_object_size(colors) : 0) +
                  (shapes ? json_object_size(shapes) : 0);
    if (!room) return FP_OK;
    if (!(s->cats = calloc(room, sizeof *s->cats)))
        return fp_error_set(c->err, FP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; list && i < json_array_size(list); i++) {
        json_t *v = json_array_get(list, i);
        char p[64];
        snprintf(p, sizeof p, "points.categories[%zu]", i);
        if (!json_is_string(v) || json_string_length(v) == 0) return bad(c, p, "must be a non-empty string");
        if (category(s, json_string_value(v), 0)) return bad(c, p, "\"%s\" is listed twice", json_string_value(v));
        category(s, json_string_value(v), 1);
    }
    const char *key;
    json_t *v;
    json_object_foreach(colors, key, v) {
        char p[256];
        snprintf(p, sizeof p, "points.colors.%s", key);
        if (!*key) return bad(c, p, "the category must not be empty");
        fp_category *cat = category(s, key, 1);
        if ((st = color_value(c, v, p, &cat->color))) return st;
        cat->has_color = 1;
    }
    static const char *const shape_names[] = { "circle", "square", "triangle", "diamond", NULL };
    json_object_foreach(shapes, key, v) {
        char p[256];
        snprintf(p, sizeof p, "points.shapes.%s", key);
        if (!*key) return bad(c, p, "the category must not be empty");
        int k = -1;
        for (int i = 0; shape_names[i] && json_is_string(v); i++)
            if (strcmp(json_string_value(v), shape_names[i]) == 0) k = i;
        if (k < 0) return bad(c, p, "must be \"circle\", \"square\", \"triangle\" or \"diamond\"");
        category(s, key, 1)->shape = (fp_shape)k;
    }
    if (!(s->cat_names = malloc(s->ncats * sizeof *s->cat_names)))
        return fp_error_set(c->err, FP_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->ncats; i++) s->cat_names[i] = s->cats[i].name;
    if (assign_colors(s)) return fp_error_set(c->err, FP_ERR_NOMEM, "out of memory");
    return FP_OK;
}

static fp_status parse_rest(pctx *c, json_t *root, fp_style *s)
{
    fp_status st;
    json_t *o;
    fp_map_style *m = &s->map;
    if ((st = get_object(c, root, "", "graticule", &o))) return st;
    if (o) {
        static const char *const keys[] = { "stroke", "width", "step", NULL };
        m->graticule.enabled = 1;
        if ((st = check_keys(c, o, "graticule", keys)) || (st = get_color(c, o, "graticule", "stroke", &m->graticule.stroke)) ||
            (st = get_number(c, o, "graticule", "width", 0, 0, 50, &m->graticule.width)) ||
            (st = get_number(c, o, "graticule", "step", 0, 1, 90, &m->graticule.step)))
            return st;
    }
    if ((st = get_object(c, root, "", "labels", &o))) return st;
    if (o) {
        static const char *const keys[] = { "font", "size", "color", "halo", "max", NULL };
        m->labels.enabled = 1;
        if ((st = check_keys(c, o, "labels", keys)) || (st = get_string(c, o, "labels", "font", 1, &m->labels.font)) ||
            (st = get_number(c, o, "labels", "size", 0, 1, 72, &m->labels.size)) ||
            (st = get_color(c, o, "labels", "color", &m->labels.color)) ||
            (st = get_color(c, o, "labels", "halo", &m->labels.halo)) ||
            (st = get_int(c, o, "labels", "max", 0, 100000, &m->labels.max)))
            return st;
    }
    if ((st = get_object(c, root, "", "title", &o))) return st;
    if (o) {
        static const char *const keys[] = { "text", "subtitle", "font", "size", NULL };
        if ((st = check_keys(c, o, "title", keys)) || (st = get_string(c, o, "title", "text", 1, &m->title.text)) ||
            (st = get_string(c, o, "title", "subtitle", 0, &m->title.subtitle)) ||
            (st = get_string(c, o, "title", "font", 1, &m->title.font)) ||
            (st = get_number(c, o, "title", "size", 0, 1, 200, &m->title.size)))
            return st;
        if (!m->title.text && m->title.subtitle) return bad(c, "title.subtitle", "a subtitle needs a title.text");
    }
    if ((st = get_object(c, root, "", "legend", &o))) return st;
    if (o) {
        static const char *const keys[] = { "position", "title", NULL };
        static const char *const positions[] = { "top-left", "top-right", "bottom-left", "bottom-right", "none", NULL };
        if ((st = check_keys(c, o, "legend", keys)) ||
            (st = get_enum(c, o, "legend", "position", positions, NULL, &m->legend_position)) ||
            (st = get_string(c, o, "legend", "title", 1, &m->legend_title)))
            return st;
        /* The legend wraps its title at two lines; a title past that is a
         * mistake (and the maps' metadata keep it whole up to this). */
        if (m->legend_title && strlen(m->legend_title) > 300)
            return bad(c, "legend.title", "%zu bytes: at most 300", strlen(m->legend_title));
    }
    return get_string(c, root, "", "credits", 0, &m->credits);
}

static void set_defaults(fp_style *s)
{
    fp_map_style *m = &s->map;
    m->background = (fp_rgba){ 255, 255, 255, 255 };
    m->land.fill = (fp_rgba){ 0xf0, 0xf0, 0xf0, 255 };
    m->land.stroke = (fp_rgba){ 0xbd, 0xbd, 0xbd, 255 };
    m->land.width = 0.25;
    m->borders.stroke = (fp_rgba){ 255, 255, 255, 255 };
    m->borders.width = 0.25;
    m->lines.stroke = (fp_rgba){ 0x31, 0x82, 0xbd, 255 };
    m->lines.width = 1;
    m->graticule.stroke = (fp_rgba){ 0xcc, 0xcc, 0xcc, 255 };
    m->graticule.width = 0.25;
    m->graticule.step = 30;
    m->labels.font = "sans-serif";
    m->labels.size = 8;
    m->labels.color = (fp_rgba){ 0x33, 0x33, 0x33, 255 };
    m->labels.halo = (fp_rgba){ 255, 255, 255, 255 };
    m->labels.max = 30;
    m->title.font = "sans-serif";
    m->title.size = 14;
    m->legend_position = "bottom-left";
    m->view.bbox[0] = -180; m->view.bbox[1] = -90; m->view.bbox[2] = 180; m->view.bbox[3] = 90;
    m->view.projection = "equal-earth";
    m->points.field = "category";
    m->points.size = 4;
    m->points.scheme = "Set2";
    s->choro = (fp_choropleth_spec){ .field = "projects", .method = FP_CLASS_QUANTILE, .classes = 5,
                                     .scheme = "YlOrRd", .zero_is_nodata = 1,
                                     .nodata = { 0xdd, 0xdd, 0xdd, 255 } };
}

/* The file name without folder and .json: the name of a style without one. */
static char *name_from_origin(const char *origin)
{
    const char *base = strrchr(origin, '/');
    base = base ? base + 1 : origin;
    size_t len = strlen(base);
    if (len > 5 && strcmp(base + len - 5, ".json") == 0) len -= 5;
    char *n = malloc(len + 1);
    if (n) { memcpy(n, base, len); n[len] = '\0'; }
    return n;
}

static fp_status parse_root(pctx *c, json_t *root, fp_style *s)
{
    static const char *const keys[] = { "name", "description", "background", "view", "land", "borders",
                                        "choropleth", "points", "lines", "graticule", "labels", "title",
                                        "legend", "credits", NULL };
    fp_status st;
    if (!json_is_object(root)) return fp_error_set(c->err, FP_ERR_INPUT, "%s: a style must be a JSON object {...}", c->origin);
    if ((st = check_keys(c, root, "", keys)) || (st = get_string(c, root, "", "name", 1, &s->name)) ||
        (st = get_string(c, root, "", "description", 0, &s->description)) ||
        (st = get_color(c, root, "", "background", &s->map.background)) || (st = parse_view(c, root, s)) ||
        (st = parse_stroke(c, root, "land", &s->map.land.fill, &s->map.land.stroke, &s->map.land.width)) ||
        (st = parse_stroke(c, root, "borders", NULL, &s->map.borders.stroke, &s->map.borders.width)) ||
        (st = parse_stroke(c, root, "lines", NULL, &s->map.lines.stroke, &s->map.lines.width)) ||
        (st = parse_choropleth(c, root, s)) || (st = parse_points(c, root, s)) || (st = parse_rest(c, root, s)))
        return st;
    if (!s->name) {
        if (!(s->name_buf = name_from_origin(c->origin))) return fp_error_set(c->err, FP_ERR_NOMEM, "out of memory");
        s->name = s->name_buf;
    }
    return FP_OK;
}

fp_status fp_style_parse(const char *json, const char *origin, fp_style **out, fp_error *err)
{
    *out = NULL;
    if (!origin) origin = "style";
    if (!json) return fp_error_set(err, FP_ERR_USAGE, "%s: no style text", origin);
    fp_style *s = calloc(1, sizeof *s);
    if (!s || !(s->origin = strdup(origin))) {
        free(s);
        return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", origin);
    }
    set_defaults(s);
    json_error_t jerr;
    /* Duplicated keys are rejected: the second would silently win. */
    s->root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
    if (!s->root) {
        fp_error_set(err, FP_ERR_INPUT, "%s:%d:%d: not valid JSON: %s", origin, jerr.line, jerr.column, jerr.text);
        fp_style_free(s);
        return FP_ERR_INPUT;
    }
    pctx c = { s->origin, err };
    fp_status st = parse_root(&c, s->root, s);
    if (st) {
        fp_style_free(s);
        return st;
    }
    *out = s;
    return FP_OK;
}

static int strcmp_ptr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *fp_style_path(const fp_context *ctx, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", fp_context_styles_dir(ctx), name);
    return buf;
}

/* A bare name that is neither a file here nor a shipped style: a usage
 * error (a mistyped name, not a file that could not be read) listing the
 * shipped styles, the nearest by spelling first. */
static fp_status unknown_style(const fp_context *ctx, const char *name, int has_ext, fp_error *err)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GDir *dir = g_dir_open(fp_context_styles_dir(ctx), 0, NULL);
    for (const char *f; dir && (f = g_dir_read_name(dir));)
        if (g_str_has_suffix(f, ".json") && strlen(f) > 5) g_ptr_array_add(names, g_strndup(f, strlen(f) - 5));
    if (dir) g_dir_close(dir);
    g_ptr_array_sort(names, strcmp_ptr);
    char *bare = g_strndup(name, strlen(name) - (has_ext ? 5 : 0));
    const char *near = fpi_style_closest(bare, (const char *const *)names->pdata, names->len);
    GString *list = g_string_new(NULL);
    for (guint i = 0; i < names->len; i++)
        g_string_append_printf(list, "%s%s", i ? ", " : "", (const char *)g_ptr_array_index(names, i));
    fp_status st = fp_error_set(err, FP_ERR_USAGE, "style '%s': no such file, nor a shipped style (%s%s%sshipped styles: %.600s)",
                                name, near ? "did you mean \"" : "", near ? near : "", near ? "\"? " : "",
                                list->len ? list->str : "none");
    g_string_free(list, TRUE);
    g_free(bare);
    g_ptr_array_free(names, TRUE);
    return st;
}

fp_status fp_style_load(const char *path, fp_style **out, fp_error *err)
{
    return fp_style_load_ctx(NULL, path, out, err);
}

fp_status fp_style_load_ctx(const fp_context *ctx, const char *path, fp_style **out, fp_error *err)
{
    *out = NULL;
    if (!path) return fp_style_parse(fpi_style_default_json, BUILTIN_ORIGIN, out, err);
    /* A bare name (no folder) that is not a file here names a shipped style:
     * --style africa reads styles/africa.json. */
    char shipped[4096];
    if (!strchr(path, '/') && access(path, F_OK) != 0) {
        int has_ext = strlen(path) > 5 && !strcmp(path + strlen(path) - 5, ".json");
        char name[512];
        snprintf(name, sizeof name, "%s%s", path, has_ext ? "" : ".json");
        if (access(fp_style_path(ctx, name, shipped, sizeof shipped), F_OK) == 0) path = shipped;
        else return unknown_style(ctx, path, has_ext, err);
    }
    FILE *f = fopen(path, "rb");
    if (!f) return fp_error_set(err, FP_ERR_IO, "cannot open style %s: %s", path, strerror(errno));
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    fp_status st = FP_OK;
    while (buf) {
        if (len + 1 >= cap) {
            char *nb = cap > (64u << 20) ? NULL : realloc(buf, cap * 2);   /* styles are small */
            if (!nb) {
                st = fp_error_set(err, cap > (64u << 20) ? FP_ERR_INPUT : FP_ERR_NOMEM,
                                  "%s: too large for a style file", path);
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0) break;
    }
    if (!buf) st = fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory", path);
    else if (!st && ferror(f)) st = fp_error_set(err, FP_ERR_IO, "cannot read style %s: %s", path, strerror(errno));
    fclose(f);
    if (!st) {
        buf[len] = '\0';
        if (strlen(buf) != len) st = fp_error_set(err, FP_ERR_INPUT, "%s: not a JSON text (NUL byte)", path);
        else st = fp_style_parse(buf, path, out, err);
    }
    free(buf);
    return st;
}

void fp_style_free(fp_style *s)
{
    if (!s) return;
    json_decref(s->root);
    free(s->origin);
    free(s->name_buf);
    g_free(s->credits_buf);
    free(s->breaks);
    free(s->cats);
    free(s->cat_names);
    for (size_t i = 0; i < s->ndata; i++) free(s->data_cats[i]);
    free(s->data_cats);
    free(s->assigned);
    free(s);
}

const char *fp_style_name(const fp_style *s) { return s->name; }
const char *fp_style_description(const fp_style *s) { return s->description; }
const char *fp_style_origin(const fp_style *s) { return s->origin; }
const fp_map_style *fp_style_map(const fp_style *s) { return &s->map; }

const fp_choropleth_spec *fp_style_choropleth(const fp_style *s)
{
    return s && s->has_choropleth ? &s->choro : NULL;
}

const char *fp_style_category_field(const fp_style *s)
{
    return s ? s->map.points.field : "category";
}

size_t fp_style_categories(const fp_style *s, const char *const **names)
{
    *names = s ? s->cat_names : NULL;
    return s ? s->ncats : 0;
}

unsigned fpi_style_hash(const char *str)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return h;
}

char *fp_style_category_label(const char *category, char *out, size_t size)
{
    if (!size) return out;
    const char *text = category && *category ? category : "(no category)";
    snprintf(out, size, "%s", text);
    /* Cut at a character's start: half a UTF-8 character put cairo's
     * context into an error state, and the PDF lost all its text. */
    size_t n = strlen(out);
    if (n < strlen(text))
        while (n && ((unsigned char)text[n] & 0xC0) == 0x80) out[--n] = '\0';
    for (char *c = out; *c; c++)
        if (*c == '_') *c = ' ';
    return out;
}

fp_rgba fp_style_category_color(const fp_style *s, const char *category_name)
{
    const char *scheme = s ? s->map.points.scheme : "Set2";
    for (size_t i = 0; s && s->assigned && category_name && i < s->ncats + s->ndata; i++) {
        const char *name = i < s->ncats ? s->cats[i].name : s->data_cats[i - s->ncats];
        if (strcmp(name, category_name) == 0) return s->assigned[i];
    }
    /* A category nobody told the style about: the scheme's largest
     * palette by a hash of the name (stable, but it may repeat a colour;
     * callers that draw a layer register its categories first). */
    const fp_scheme *sch = fpi_scheme_find(scheme);
    fp_rgba pal[16];
    if (!sch || fp_palette(sch->name, sch->max, pal) < 0) return (fp_rgba){ 0x99, 0x99, 0x99, 255 };
    return pal[fpi_style_hash(category_name ? category_name : "") % (size_t)sch->max];
}

double fp_symbol_size(double base, double value, double vmax)
{
    if (!(value > 0) || !(vmax > 0)) return base * 0.5;
    return fmax(base * 0.5, base * 4 * sqrt(value / vmax));
}

fp_shape fp_style_category_shape(const fp_style *s, const char *category_name)
{
    for (size_t i = 0; s && category_name && i < s->ncats; i++)
        if (strcmp(s->cats[i].name, category_name) == 0) return s->cats[i].shape;
    return FP_SHAPE_CIRCLE;
}

const char *fp_shape_name(fp_shape shape)
{
    switch (shape) {
    case FP_SHAPE_CIRCLE: return "circle";
    case FP_SHAPE_SQUARE: return "square";
    case FP_SHAPE_TRIANGLE: return "triangle";
    case FP_SHAPE_DIAMOND: return "diamond";
    }
    return "circle";
}

const char *fp_style_default_credits(void)
{
    return "Boundaries: Natural Earth (public domain). Country attributes: world-countries (ODbL). "
           "Colours: ColorBrewer 2.0 by Cynthia Brewer.";
}

fp_status fp_style_set_store_credits(fp_style *s, fp_store *store, fp_error *err)
{
    /* A style without credits of its own gets the shipped styles' line:
     * what the default regions and palettes need credited (it once named
     * GeoNames whatever the data, dropped the ODbL and ColorBrewer credits
     * and added "Made with footprint."). */
    if (!s->map.credits) s->map.credits = fp_style_default_credits();
    if (strcasestr(s->map.credits, "geonames")) return FP_OK;
    int placed = 0;
    fp_status st = fp_store_gazetteer_placed(store, &placed, err);
    if (st || !placed) return st;
    size_t n = strlen(s->map.credits);
    char *c = g_strdup_printf("%s%s%sPlaces: GeoNames (geonames.org), CC BY 4.0.", s->map.credits,
                              n && s->map.credits[n - 1] != '.' ? "." : "", n ? " " : "");
    g_free(s->credits_buf);
    s->credits_buf = c;
    s->map.credits = c;
    return FP_OK;
}

fp_status fp_style_set_store_categories(fp_style *s, fp_store *store, fp_error *err)
{
    char **names;
    size_t n;
    fp_status st = fp_store_project_values(store, fp_style_category_field(s), &names, &n, err);
    if (!st) st = fp_style_set_categories(s, (const char *const *)names, n, err);
    fp_store_strings_free(names);
    return st;
}
