/* `footprint export`: a short pipeline (fp_export at the end of the file):
 *   check the options -> open the source (the store's layer: projects, an
 *   aggregation's level, its assignments) and the style -> check the
 *   --where/--split-by fields -> make the folders -> build the layers (one
 *   per --split-by value; the aggregation's centroids beside each) -> write
 *   them (GeoJSON writer or OGR) -> move them into place.
 * The rows come from the store (fp_store_layer_rows: filters bound there);
 * every output is written in a hidden temporary folder next to it and
 * renamed into place when complete. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include "common/numfmt.h"
#include "export_internal.h"
#include "fp_diff.h"
#include "fp_geocode.h"
#include "fp_version.h"
#include "common/crs.h"
#include "common/util.h"
#include "geom/geom.h"   /* fpi_wkb_dimension */

/* The attribution every exported layer carries, with the version and
 * commit that made it (fp_version): "Compiled with footprint 0.1.0
 * (18a893a). Boundaries: ...". */
#define ATTRIBUTION_FORMAT "Compiled with footprint %s. Boundaries: Natural Earth (public domain); " \
                           "country names and attributes: world-countries by Mohammed Le Doze (ODbL 1.0); " \
                           "places: GeoNames (geonames.org, CC BY 4.0)."

/* What a format does, as flags: the pipeline asks these, never which entry
 * of the table a format is. */
enum {
    FMT_ONE_FILE_PER_LAYER = 1 << 0,   /* else every layer in one file (GeoPackage) */
    FMT_SIDECAR_QML = 1 << 1,          /* QGIS loads NAME.qml next to the file by itself */
    FMT_STYLES_TABLE = 1 << 2,         /* styles inside the file (GeoPackage layer_styles) */
    FMT_SEQ = 1 << 3,                  /* GeoJSONSeq: RS + feature + LF per feature */
    FMT_WGS84 = 1 << 4                 /* WGS 84 lon/lat by its standard: no --crs */
};

typedef struct format_info {
    const char *name, *ext;
    const char *alt_ext[2];            /* other extensions -o may end with */
    const char *driver;                /* NULL: our GeoJSON writer; else OGR's, fixed schema */
    unsigned flags;
} format_info;

/* CSV is a table, not a layer QGIS styles from a sidecar. KML holds every
 * layer in one file, each a folder Google Earth shows and hides as one;
 * written by GDAL's LIBKML driver (its KML driver where GDAL has no
 * LIBKML: ogr_writer.c); no QGIS style (Google Earth reads none). */
static const format_info formats[] = {
    { "geojson", ".geojson", { ".json", NULL }, NULL, FMT_ONE_FILE_PER_LAYER | FMT_SIDECAR_QML | FMT_WGS84 },
    { "geojsonseq", ".geojsons", { ".geojsonl", ".geojsonseq" }, NULL,
      FMT_ONE_FILE_PER_LAYER | FMT_SIDECAR_QML | FMT_SEQ | FMT_WGS84 },
    { "gpkg", ".gpkg", { NULL, NULL }, "GPKG", FMT_STYLES_TABLE },
    { "fgb", ".fgb", { NULL, NULL }, "FlatGeobuf", FMT_ONE_FILE_PER_LAYER | FMT_SIDECAR_QML },
    { "shp", ".shp", { NULL, NULL }, "ESRI Shapefile", FMT_ONE_FILE_PER_LAYER | FMT_SIDECAR_QML },
    { "csv", ".csv", { NULL, NULL }, "CSV", FMT_ONE_FILE_PER_LAYER },
    { "kml", ".kml", { NULL, NULL }, "LIBKML", FMT_WGS84 },
    { NULL, NULL, { NULL, NULL }, NULL, 0 } };

static const format_info *format_by_name(const char *name)
{
    for (const format_info *f = formats; f->name; f++)
        if (!g_ascii_strcasecmp(f->name, name)) return f;
    return NULL;
}

static const format_info *format_by_path(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return NULL;
    for (const format_info *f = formats; f->name; f++)
        if (!g_ascii_strcasecmp(dot, f->ext) || (f->alt_ext[0] && !g_ascii_strcasecmp(dot, f->alt_ext[0])) ||
            (f->alt_ext[1] && !g_ascii_strcasecmp(dot, f->alt_ext[1])))
            return f;
    return NULL;
}

void fpi_layer_free(fp_layer *l)
{
    if (!l) return;
    fp_rows_free(l->rows);
    for (int i = 0; i < l->ncolumns; i++) g_free(l->columns[i].name);
    g_free(l->columns);
    for (int i = 0; i < l->nextra; i++) g_free(l->extra_keys[i]);
    g_free(l->extra_keys);
    g_free(l->extra_types);
    g_free(l->extra_min);
    g_free(l->extra_max);
    if (l->extra_index) g_hash_table_destroy(l->extra_index);
    if (l->category_seen) g_hash_table_destroy(l->category_seen);
    g_free(l->name);
    g_free(l->file);
    g_free(l->description);
    g_free(l);
}

/* ------------------------------------------------------------- source --- */

/* What the layers read: the store's layer kind and its columns. */
typedef struct source {
    fp_layer_kind kind;
    char name[64];                /* aggregation name */
    char level[32];
    fp_layer_column *columns;     /* property columns, in order */
    int ncolumns;
    int has_extra;                /* projects: `extra` may be flattened and filtered by key */
} source;

static int valid_identifier(const char *s)
{
    if (!*s || strlen(s) > 48) return 0;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_') return 0;
    return 1;
}

/* --what diff:OLD:NEW: the two editions compared now (fp_diff), the
 * changes kept in the store's connection for the layer's rows. The layer
 * is named diff_OLD_NEW (anything but letters, digits, '_' and '-' as '_'). */
static fp_status source_diff(fp_store *store, const char *what, source *s, fp_error *err)
{
    const char *spec = what + 5, *colon = strchr(spec, ':');
    if (!colon || colon == spec || !colon[1] || strchr(colon + 1, ':'))
        return fp_error_set(err, FP_ERR_USAGE, "--what %s: expected diff:OLD:NEW (two dataset names)", what);
    char *old_ds = g_strndup(spec, (gsize)(colon - spec));
    char *option = g_strdup_printf("--what %s", what);
    fp_diff_options d = { .old_dataset = old_ds, .new_dataset = colon + 1, .move_m = -1, .keep_for_layer = 1,
                          .option = option };
    fp_diff_result r;
    fp_status st = fp_diff(store, &d, &r, err);
    g_free(option);
    fp_diff_result_clear(&r);
    GString *name = g_string_new("diff_");
    for (const char *p = spec; *p && name->len < sizeof s->name - 1; p++)
        g_string_append_c(name, g_ascii_isalnum(*p) || *p == '-' || *p == '_' ? *p : '_');
    snprintf(s->name, sizeof s->name, "%s", name->str);
    g_string_free(name, TRUE);
    g_free(old_ds);
    s->kind = FP_LAYER_DIFF;
    if (!st) st = fp_store_layer_columns(store, s->kind, NULL, &s->columns, &s->ncolumns, err);
    return st;
}

/* Parses --what and checks the aggregation (and its level) exists. */
static fp_status source_init(fp_store *store, const char *what, source *s, fp_error *err)
{
    if (!what || !strcmp(what, "projects")) {
        s->kind = FP_LAYER_PROJECTS;
        s->has_extra = 1;
        return fp_store_layer_columns(store, s->kind, NULL, &s->columns, &s->ncolumns, err);
    }
    if (!strncmp(what, "diff:", 5)) return source_diff(store, what, s, err);
    int agg = !strncmp(what, "aggregate:", 10), asg = !strncmp(what, "assignments:", 12);
    if (!agg && !asg)
        return fp_error_set(err, FP_ERR_USAGE, "--what %s: expected projects, aggregate:NAME[:LEVEL], assignments:NAME or diff:OLD:NEW", what);
    gchar **parts = g_strsplit(what + (agg ? 10 : 12), ":", 3);
    const char *name = parts[0] ? parts[0] : "", *level = parts[0] && parts[1] ? parts[1] : NULL;
    fp_status st = FP_OK;
    char *main_level = NULL;
    if (!valid_identifier(name) || (level && !valid_identifier(level))) {
        st = fp_error_set(err, FP_ERR_USAGE, "--what %s: an aggregation name is letters, digits and _", what);
        goto out;
    }
    /* The aggregation must exist; its main level is the default. */
    if ((st = fp_store_aggregation_level(store, name, &main_level, err))) goto out;
    if (!main_level) {
        st = fp_error_set(err, FP_ERR_USAGE, "--what %s: no aggregation named '%s'; run `footprint aggregate` first", what, name);
        goto out;
    }
    snprintf(s->level, sizeof s->level, "%s", level ? level : main_level);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = agg ? FP_LAYER_AGGREGATE : FP_LAYER_ASSIGNMENTS;
    if ((st = fp_store_layer_columns(store, s->kind, s->name, &s->columns, &s->ncolumns, err))) goto out;
    if (agg) {
        /* The level must have rows. */
        int64_t rows = 0;
        if ((st = fp_store_aggregation_level_rows(store, name, s->level, &rows, err))) goto out;
        if (!rows) st = fp_error_set(err, FP_ERR_USAGE, "--what %s: aggregation '%s' has no level '%s'", what, name, s->level);
    }
out:
    free(main_level);
    g_strfreev(parts);
    return st;
}

static void source_clear(source *s)
{
    fp_store_layer_columns_free(s->columns, s->ncolumns);
}

/* Whether a layer of s has this field (extra keys aside). */
static int source_has_field(const source *s, const char *field)
{
    for (int i = 0; i < s->ncolumns; i++)
        if (!strcmp(s->columns[i].name, field)) return 1;
    return s->kind == FP_LAYER_PROJECTS && !strcmp(field, "id");
}

/* Whether a group column's name spells its value: the stem aggregate
 * names it by (fpi_group_column_stem), nothing dropped, no _2. */
static int group_name_spells(const char *name, const char *field, const char *value)
{
    char *folded = fp_fold_text(value);
    int spelt = 0;
    char *stem = fpi_group_column_stem(field, folded ? folded : value, &spelt);
    int ok = spelt && !strcmp(stem, name);
    g_free(stem);
    free(folded);
    return ok;
}

/* An aggregation whose group column names do not all spell their values
 * gets its key beside the file, BASE.columns.csv (column, field, value of
 * every group column), written in the temporary folder so it is published
 * with the data files: the store's agg_NAME_columns for whoever has only
 * the files. */
static fp_status write_group_key(fp_store *store, const source *src, const char *tmp, const char *dir, const char *base,
                                 fp_export_result *res, fp_error *err)
{
    char *name = g_strdup_printf("%s.columns.csv", base);
    char *path = g_build_filename(tmp, name, NULL);
    FILE *f = fopen(path, "w");
    fp_status st = f ? FP_OK : fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    if (f) fputs("column,field,value\n", f);
    for (int i = 0; i < src->ncolumns && !st; i++) {
        char *field = NULL, *value = NULL;
        st = fp_store_aggregation_group_column(store, src->name, src->columns[i].name, &field, &value, err);
        if (st || !field) continue;
        if (!group_name_spells(src->columns[i].name, field, value) && !res->group_unspelt++) {
            snprintf(res->first_unspelt, sizeof res->first_unspelt, "%s for '%.120s", src->columns[i].name, value);
            fpi_text_for_message(res->first_unspelt);     /* the note goes to a terminal */
            strncat(res->first_unspelt, "'", sizeof res->first_unspelt - strlen(res->first_unspelt) - 1);
        }
        fpi_csv_put_field(f, src->columns[i].name);
        fputc(',', f);
        fpi_csv_put_field(f, field);
        fputc(',', f);
        fpi_csv_put_field(f, value);
        fputc('\n', f);
        free(field);
        free(value);
    }
    if (f && (ferror(f) | fclose(f)) && !st) st = fp_error_set(err, FP_ERR_IO, "%s: cannot write", path);
    /* Kept, and published with the data files, only when a name needs it. */
    if (st || !res->group_unspelt) g_remove(path);
    else {
        char *final = g_build_filename(dir, name, NULL);
        snprintf(res->group_key, sizeof res->group_key, "%s", final);
        g_free(final);
    }
    g_free(path);
    g_free(name);
    return st;
}

/* ------------------------------------------------------------- layers --- */

/* The export under way: its options, format, source, style, folders and layers. */
typedef struct export_job {
    const fp_export_options *o;
    const fp_context *ctx;        /* the store's: search paths, cancel flag, pause point */
    const format_info *fmt;
    source src;
    fp_style *style;
    const char **where_fields, **where_values;
    int cache;                    /* the store's page cache setting, restored at the end */
    int folder;                   /* -o is a folder (one file per layer and value) */
    char *dir, *base, *tmp;
    char *ext;                    /* the data files' extension in place: -o's own
                                   * (-o agg.json, --format geojson -o x.txt), else
                                   * the format's; they are written as fmt->ext */
    fp_layer **layers;
    int nlayers;
    /* GeoJSON split into files: per column, 1 when no row of the whole
     * layer has a value, 0 when one has, -1 not asked yet. */
    signed char *empty_everywhere;
} export_job;

/* The store query of a layer: the --where conditions and the split value. */
static fp_layer_query layer_query(const export_job *j, const char *split_value, int centroids)
{
    return (fp_layer_query){ .kind = j->src.kind, .aggregation = j->src.name, .level = j->src.level,
                             .centroids = centroids, .where_fields = j->where_fields, .where_values = j->where_values,
                             .nwhere = j->o->nwhere, .split_field = j->o->split_by, .split_value = split_value };
}

/* A file-name-safe form of a value: letters and digits of any script (and
 * their combining marks: "मुंबई"), . _ - only, in NFC, never starting with a
 * dot, never empty, at most 80 bytes of UTF-8 cut on a character. Such a
 * name cannot leave the folder, and holds none of / \\ : * ? " < > | nor
 * control or format characters. Each other character is one '_' (it was
 * each byte: "Bogotá" was "Bogot__", "中国" "______"). */
static char *safe_name(const char *value)
{
    gchar *valid = g_utf8_make_valid(value, -1);
    gchar *nfc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFC);
    GString *s = g_string_new(NULL);
    for (const char *p = nfc ? nfc : valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        size_t n = (size_t)(g_utf8_next_char(p) - p);
        int keep = c < 0x80 ? g_ascii_isalnum(c) || c == '-' || c == '_' || (c == '.' && s->len)
                            : g_unichar_isalnum(c) || g_unichar_ismark(c);
        if (s->len + (keep ? n : 1) > 80) break;
        if (keep) g_string_append_len(s, p, (gssize)n);
        else g_string_append_c(s, '_');
    }
    g_free(nfc);
    g_free(valid);
    if (!s->len) g_string_assign(s, "none");
    return g_string_free(s, FALSE);
}

/* Names that GeoPackage (SQLite: ASCII case), Shapefile and the file
 * systems of Windows and macOS (any case, and macOS any normalisation)
 * take for the same: the key that finds a collision. */
static char *name_key(const char *name)
{
    gchar *nfc = g_utf8_normalize(name, -1, G_NORMALIZE_NFC);
    gchar *key = g_utf8_casefold(nfc ? nfc : name, -1);
    g_free(nfc);
    return key;
}


/* The keys of `extra` over the layer, and what their values are: every
 * format names them before the first row (field names must be unique in a
 * way only the whole set decides), fixed-schema formats declare their types. */
static fp_status read_extra_keys(fp_store *store, const fp_layer_query *q, fp_layer *l, fp_error *err)
{
    fp_rows *r;
    fp_status st = fp_store_layer_extra_keys(store, q, &r, err);
    if (st) return st;
    GPtrArray *keys = g_ptr_array_new();
    GArray *types = g_array_new(FALSE, FALSE, sizeof(fp_extra_type));
    GArray *mins = g_array_new(FALSE, FALSE, sizeof(int64_t)), *maxs = g_array_new(FALSE, FALSE, sizeof(int64_t));
    l->extra_index = g_hash_table_new(g_str_hash, g_str_equal);
    while (fp_rows_next(r)) {
        int has_int = fp_rows_int(r, 1), has_real = fp_rows_int(r, 2);
        int has_bool = fp_rows_int(r, 3), has_text = fp_rows_int(r, 4), has_nested = fp_rows_int(r, 7);
        int64_t lo = fp_rows_int64(r, 5), hi = fp_rows_int64(r, 6);
        fp_extra_type t = FP_X_TEXT;
        if (has_nested) t = has_text || has_bool || has_int || has_real ? FP_X_TEXT : FP_X_JSON;
        else if (!has_text && !has_bool && has_int && !has_real)
            t = lo >= -2147483647LL - 1 && hi <= 2147483647LL ? FP_X_INT : FP_X_INT64;
        else if (!has_text && !has_bool && has_real) t = FP_X_REAL;
        else if (!has_text && has_bool && !has_int && !has_real) t = FP_X_BOOL;
        char *key = g_strdup(fp_rows_text(r, 0));
        g_ptr_array_add(keys, key);
        g_array_append_val(types, t);
        g_array_append_val(mins, lo);
        g_array_append_val(maxs, hi);
        g_hash_table_insert(l->extra_index, key, GINT_TO_POINTER(keys->len));
    }
    st = fp_rows_status(r, err);
    fp_rows_free(r);
    l->nextra = (int)keys->len;
    l->extra_keys = (char **)g_ptr_array_free(keys, FALSE);
    l->extra_types = (fp_extra_type *)(void *)g_array_free(types, FALSE);
    l->extra_min = (int64_t *)(void *)g_array_free(mins, FALSE);
    l->extra_max = (int64_t *)(void *)g_array_free(maxs, FALSE);
    return st;
}

/* Choropleth classes over the level's rows (all of them, whatever the
 * filters, so every split file uses the same classes). */
static fp_status classify_layer(fp_store *store, const export_job *j, const fp_choropleth_spec *cs, fp_layer *l,
                                fp_error *err)
{
    const char *field = cs->field ? cs->field : "projects";
    for (int c = 0; c < l->ncolumns; c++)
        if (!strcmp(l->columns[c].name, field) && l->columns[c].type != FP_COL_TEXT) l->class_col = c;
    /* The one choropleth of render and tiles, over all of the level's rows
     * (so every split file uses the same classes). A field the layer lacks
     * or holds as text is its usage error, naming the numeric fields (it
     * was a layer with class and fill null and exit 0). */
    fp_choropleth *ch = NULL;
    fp_status st = fp_choropleth_new(store, j->style, j->src.name, j->src.level, &ch, err);
    if (!st && ch && l->class_col >= 0) {
        l->classes = g_new0(fp_classes, 1);
        fp_choropleth_take_classes(ch, l->classes);
    }
    fp_choropleth_free(ch);
    return st;
}

/* GeoJSON declares no types, and readers take a property null in every
 * feature as text: a number column without a value in the layer's rows is
 * left out (fp_column.left_out). One EXISTS per column, stopping at the
 * first value; split into files, a column empty in the whole layer is
 * found once for all of them (its EXISTS scans every row). The class
 * column stays: the style reads it. */
static fp_status leave_out_empty_columns(fp_store *store, export_job *j, const fp_layer_query *q, fp_layer *l,
                                         fp_error *err)
{
    fp_status st = FP_OK;
    if (q->split_field && !j->empty_everywhere) {
        j->empty_everywhere = g_malloc(l->ncolumns ? (size_t)l->ncolumns : 1);
        memset(j->empty_everywhere, -1, l->ncolumns ? (size_t)l->ncolumns : 1);
    }
    for (int c = 0; !st && c < l->ncolumns; c++) {
        if (l->columns[c].type == FP_COL_TEXT || c == l->class_col) continue;
        int has = 1;
        if (q->split_field && j->empty_everywhere[c] < 0) {
            fp_layer_query whole = *q;
            whole.split_field = whole.split_value = NULL;
            st = fp_store_layer_field_has_values(store, &whole, l->columns[c].name, &has, err);
            j->empty_everywhere[c] = (signed char)!has;
        }
        if (!st && (!q->split_field || !j->empty_everywhere[c]))
            st = fp_store_layer_field_has_values(store, q, l->columns[c].name, &has, err);
        else if (!st)
            has = 0;
        l->columns[c].left_out = !has;
    }
    return st;
}

/* Builds one layer: its rows, columns, geometry kind, extra keys,
 * choropleth classes or point categories. */
static fp_status layer_new(fp_store *store, export_job *j, const char *name, const char *split_value,
                           int centroids, fp_layer **out, fp_error *err)
{
    const source *s = &j->src;
    fp_layer *l = g_new0(fp_layer, 1);
    l->name = g_strdup(name);
    l->extra_col = -1;
    l->class_col = -1;
    l->category_col = -1;
    fp_layer_query q = layer_query(j, split_value, centroids);
    fp_status st = fp_store_layer_rows(store, &q, &l->rows, err);
    l->ncolumns = s->ncolumns;
    l->columns = g_new0(fp_column, l->ncolumns ? l->ncolumns : 1);
    for (int c = 0; c < l->ncolumns; c++) {
        l->columns[c].name = g_strdup(s->columns[c].name);
        l->columns[c].type = s->columns[c].type == 'i' ? FP_COL_INT : s->columns[c].type == 'r' ? FP_COL_REAL : FP_COL_TEXT;
        if (s->has_extra && !strcmp(l->columns[c].name, "extra")) l->extra_col = c;
    }
    l->geometry = s->kind == FP_LAYER_AGGREGATE && !centroids ? "polygon" : "point";
    /* A fixed-schema layer declares its geometry type: points only, or mixed. */
    if (!st && j->fmt->driver && s->kind != FP_LAYER_AGGREGATE) {
        int mixed = 0;
        st = fp_store_layer_mixed(store, &q, &mixed, err);
        if (mixed) l->geometry = "mixed";
    }
    if (!st && l->extra_col >= 0) st = read_extra_keys(store, &q, l, err);
    const fp_choropleth_spec *cs = j->style ? fp_style_choropleth(j->style) : NULL;
    if (!st && s->kind == FP_LAYER_AGGREGATE && cs) st = classify_layer(store, j, cs, l, err);
    /* Points: the categories for QGIS's categorized style, noted while the
     * rows are written (a DISTINCT query would cost a sort of the table). */
    if (!st && s->kind != FP_LAYER_AGGREGATE && j->style) {
        const char *cf = fp_style_category_field(j->style);
        for (int c = 0; cf && c < l->ncolumns; c++)
            if (!strcmp(l->columns[c].name, cf)) {
                l->category_field = cf;
                l->category_col = c;
                l->category_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            }
    }
    if (!st && !j->fmt->driver) st = leave_out_empty_columns(store, j, &q, l, err);
    char now[32];
    fpi_timestamp_at(fp_context_source_date(j->ctx), "%Y-%m-%dT%H:%M:%SZ", now);
    l->description = g_strdup_printf("%s%s%s exported by footprint %s on %s%s%s",
                                     s->kind == FP_LAYER_PROJECTS ? "Projects" : s->kind == FP_LAYER_ASSIGNMENTS ? "Assignments of aggregation "
                                     : s->kind == FP_LAYER_DIFF ? "Changes between two editions: " : "Aggregation ",
                                     s->kind == FP_LAYER_PROJECTS ? "" : s->name,
                                     s->kind == FP_LAYER_AGGREGATE ? (centroids ? " (a point inside each region)" : "") : "",
                                     fp_version(), now, split_value ? "; " : "", split_value ? split_value : "");
    if (st) {
        if (l->classes) { fp_classes_clear(l->classes); g_free(l->classes); }
        fpi_layer_free(l);
        return st;
    }
    *out = l;
    return FP_OK;
}

/* --------------------------------------------------------------- files --- */

/* Moves every file of tmp into dir (renames within one file system). */
/* Every file of the temporary folder renamed into dir; a data file (its
 * name ending in the format's extension, fmt_ext) gets the extension the
 * user asked for (ext): -o agg.json writes agg.json and agg_centroids.json,
 * not .geojson. Written under the format's own extension first, as OGR's
 * CSV driver makes a folder of a name not ending in .csv. */
static fp_status move_files(const fp_context *ctx, const char *tmp, const char *dir, const char *fmt_ext, const char *ext,
                            fp_error *err)
{
    GDir *d = g_dir_open(tmp, 0, NULL);
    if (!d) return fp_error_set(err, FP_ERR_IO, "%s: cannot list", tmp);
    const char *e;
    fp_status st = FP_OK;
    size_t fl = strlen(fmt_ext);
    /* A data file written without a NAME.fields.csv (no property renamed)
     * makes an older map beside it stale: removed once the file is in place.
     * Found before any rename moves a map out of tmp. */
    GPtrArray *stale = g_ptr_array_new_with_free_func(g_free);
    while ((e = g_dir_read_name(d))) {
        size_t el = strlen(e);
        if (el > fl && !strcmp(e + el - fl, fmt_ext) && !g_str_has_suffix(e, ".fields.csv")) {
            char *map = g_strdup_printf("%.*s.fields.csv", (int)(el - fl), e);
            char *tmp_map = g_build_filename(tmp, map, NULL);
            char *old_map = g_build_filename(dir, map, NULL);
            if (!g_file_test(tmp_map, G_FILE_TEST_EXISTS) &&
                fpi_field_map_is_format(old_map, fpi_field_map_format(fmt_ext)))
                g_ptr_array_add(stale, old_map);
            else g_free(old_map);
            g_free(tmp_map);
            g_free(map);
        }
    }
    g_dir_rewind(d);
    while (!st && (e = g_dir_read_name(d))) {
        size_t el = strlen(e);
        char *name = el > fl && strcmp(fmt_ext, ext) && !strcmp(e + el - fl, fmt_ext)
                         ? g_strdup_printf("%.*s%s", (int)(el - fl), e, ext) : g_strdup(e);
        char *from = g_build_filename(tmp, e, NULL), *to = g_build_filename(dir, name, NULL);
        g_free(name);
        if (g_rename(from, to) != 0) st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", to, strerror(errno));
        else fp_context_pause(ctx, "export:rename");     /* between two renames (tests) */
        g_free(from);
        g_free(to);
    }
    g_dir_close(d);
    for (guint i = 0; !st && i < stale->len; i++) g_unlink(g_ptr_array_index(stale, i));
    g_ptr_array_free(stale, TRUE);
    return st;
}

static fp_status write_qml(const fp_style *style, const fp_layer *l, const char *path, fp_error *err)
{
    char *qml = style ? fpi_layer_qml(style, l) : NULL;
    if (!qml) return FP_OK;
    GError *ge = NULL;
    fp_status st = FP_OK;
    if (!g_file_set_contents(path, qml, -1, &ge)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: %s", path, ge->message);
        g_error_free(ge);
    }
    free(qml);
    return st;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fpi_layer_qml(const fp_style *style, const fp_layer *l)
{
    if (l->classes && l->class_col >= 0)
        return fp_qml_graduated_style(style, l->classes, l->columns[l->class_col].name, l->geometry);
    if (!l->category_seen || !g_hash_table_size(l->category_seen)) return NULL;
    guint n = 0;
    char **values = (char **)g_hash_table_get_keys_as_array(l->category_seen, &n);
    qsort(values, n, sizeof *values, compare_strings);
    /* The symbols of the kinds written: a line layer's lines, a mixed
     * layer's a rule per kind (QGIS splits it by geometry type). */
    char *qml = fp_qml_categorized_kinds(style, l->category_field, (const char *const *)values, n, l->kinds_seen);
    g_free(values);
    return qml;
}

void fpi_layer_note_row(fp_layer *l)
{
    if (!l->category_seen) return;
    const char *v = fp_rows_text(l->rows, l->category_col + 2);
    const char *key = v ? v : "";
    if (!g_hash_table_contains(l->category_seen, key)) g_hash_table_add(l->category_seen, g_strdup(key));
}

void fpi_layer_note_geometry(fp_layer *l, const fp_geom *g)
{
    if (g->is_point) {
        l->kinds_seen |= FP_GEOMETRY_POINTS;
        return;
    }
    switch (fpi_wkb_dimension(g->wkb, g->wkb_len)) {
    case 0: l->kinds_seen |= FP_GEOMETRY_POINTS; break;
    case 1: l->kinds_seen |= FP_GEOMETRY_LINES; break;
    case 2: l->kinds_seen |= FP_GEOMETRY_AREAS; break;
    default: break;                     /* a collection: no symbol kind of its own */
    }
}

/* ----------------------------------------------------------- pipeline --- */

/* -o names a folder: ends in '/', is one, or its last part has no '.'. */
static int output_is_folder(const char *path)
{
    size_t n = strlen(path);
    if (n && path[n - 1] == '/') return 1;
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) return 1;
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    return strchr(base, '.') == NULL;
}

/* Step 1: the options, before anything is read or written. */
static fp_status check_options(const fp_export_options *o, const format_info **fmt, fp_error *err)
{
    *fmt = o->format ? format_by_name(o->format) : format_by_path(o->output);
    /* --split-by into a folder (-o DIR/, an existing folder, or a name
     * without an extension) and no --format: one GeoJSON file per value,
     * as the README's `export --split-by category -o output/projects/`. */
    if (!*fmt && !o->format && o->split_by && output_is_folder(o->output)) *fmt = format_by_name("geojson");
    if (!*fmt)
        return fp_error_set(err, FP_ERR_USAGE, o->format ? "--format %s: expected geojson, geojsonseq, gpkg, fgb, shp, csv, kml or qgz"
                                                         : "-o %s: say --format (geojson, geojsonseq, gpkg, fgb, shp, csv, kml, qgz)",
                            o->format ? o->format : o->output);
    if (o->precision > 15) return fp_error_set(err, FP_ERR_USAGE, "--precision %d: at most 15", o->precision);
    /* A .kmz is a zip of the KML: plain KML under that name opens nowhere. */
    if (!strcmp((*fmt)->name, "kml") && g_str_has_suffix(o->output, ".kmz"))
        return fp_error_set(err, FP_ERR_USAGE, "-o %s: KMZ is not written; say -o FILE.kml (Google Earth and My Maps "
                            "open it)", o->output);
    for (int i = 0; i < o->nwhere; i++)
        if (!o->where[i].field || !*o->where[i].field || !o->where[i].value)
            return fp_error_set(err, FP_ERR_USAGE, "--where: expected FIELD=VALUE");
    /* Only a GeoPackage's layers can be replaced one by one in the file;
     * a KML is written whole (GDAL's drivers cannot update one). */
    if (o->append && strcmp((*fmt)->name, "gpkg"))
        return fp_error_set(err, FP_ERR_USAGE, "--append works with GeoPackage only%s",
                            strcmp((*fmt)->name, "kml") ? "" : " (a KML is written whole: export the layers in one "
                            "command, --split-by FIELD making a folder per value)");
    /* KML coordinates are written by GDAL as they are (15 significant
     * digits) and it has no bounding box member: refused rather than
     * ignored, so a user asking for them knows. */
    if (!strcmp((*fmt)->name, "kml") && o->precision >= 0)
        return fp_error_set(err, FP_ERR_USAGE, "--precision %d: KML coordinates are written as stored (GDAL's KML "
                            "writer has no precision); --precision is for GeoJSON", o->precision);
    if (!strcmp((*fmt)->name, "kml") && o->bbox)
        return fp_error_set(err, FP_ERR_USAGE, "--bbox: KML has no bounding box member; --bbox is for GeoJSON");
    if (o->bom && strcmp((*fmt)->name, "csv"))
        return fp_error_set(err, FP_ERR_USAGE, "--bom works with CSV only (the other formats say their encoding)");
    if (o->crs) {
        /* GeoJSON is WGS 84 lon/lat by RFC 7946 (GDAL would write an
         * old-style "crs" member QGIS reads but web maps ignore): the
         * formats that declare their CRS take --crs. */
        if (*o->crs && ((*fmt)->flags & FMT_WGS84))
            return fp_error_set(err, FP_ERR_USAGE, "--crs %s: %s is WGS 84 lon/lat by its standard (%s); "
                                "write gpkg, fgb, shp or csv in another CRS", o->crs, (*fmt)->name,
                                (*fmt)->driver ? "OGC KML 2.2" : "RFC 7946");
        fp_status cst = fpi_crs_check_option("--crs", o->crs, o->crs, err);
        return cst ? cst : fpi_ogr_check_crs(o->crs, err);
    }
    return FP_OK;
}

/* Step 2: what the layers read, and the style that classes and colours them. */
static fp_status open_source(fp_store *store, export_job *j, fp_error *err)
{
    j->where_fields = g_new0(const char *, j->o->nwhere + 1);
    j->where_values = g_new0(const char *, j->o->nwhere + 1);
    for (int i = 0; i < j->o->nwhere; i++) {
        j->where_fields[i] = j->o->where[i].field;
        j->where_values[i] = j->o->where[i].value;
    }
    fp_status st = source_init(store, j->o->what, &j->src, err);
    /* Changes are drawn by their kind: the shipped style diff (styles/diff.json). */
    const char *style = j->o->style_path ? j->o->style_path : j->src.kind == FP_LAYER_DIFF ? "diff" : NULL;
    if (!st) st = fp_style_load_ctx(j->ctx, style, &j->style, err);
    if (!st && j->src.kind != FP_LAYER_AGGREGATE && j->src.kind != FP_LAYER_DIFF)
        st = fp_style_set_store_categories(j->style, store, err);
    return st;
}

/* Step 3: a --where or --split-by field that is no column must be a key
 * some project's extra columns carry: a typo must not give an empty layer. */
static fp_status check_fields(fp_store *store, const export_job *j, fp_error *err)
{
    const fp_export_options *o = j->o;
    fp_status st = FP_OK;
    for (int i = 0; i <= o->nwhere && !st; i++) {
        const char *f = i < o->nwhere ? o->where[i].field : o->split_by;
        if (!f || source_has_field(&j->src, f)) continue;
        int known = 0;
        if (j->src.has_extra && valid_identifier(f) && (st = fp_store_extra_key_used(store, f, &known, err))) break;
        if (known) continue;
        GString *names = g_string_new(NULL);
        for (int k = 0; k < j->src.ncolumns; k++) g_string_append_printf(names, "%s%s", k ? ", " : "", j->src.columns[k].name);
        if (j->src.kind == FP_LAYER_PROJECTS) g_string_append(names, ", id");
        st = fp_error_set(err, FP_ERR_USAGE, "%s %s: no field '%s' in this layer (fields: %s%s)",
                          i < o->nwhere ? "--where" : "--split-by", f, f, names->str,
                          j->src.has_extra ? ", or a key of the extra columns" : "");
        g_string_free(names, TRUE);
    }
    return st;
}

/* Step 4: where the files go (-o names a file, or a folder when splitting
 * into one file per layer) and the temporary folder they are written in. */
static fp_status make_folders(export_job *j, fp_error *err)
{
    const fp_export_options *o = j->o;
    j->folder = o->split_by && (j->fmt->flags & FMT_ONE_FILE_PER_LAYER);
    if (j->folder) {
        j->dir = g_strdup(o->output);
        j->base = g_strdup(j->src.kind == FP_LAYER_PROJECTS ? "projects" : j->src.name);
    } else {
        j->dir = g_path_get_dirname(o->output);
        char *b = g_path_get_basename(o->output);
        char *dot = strrchr(b, '.');
        /* The file the user named: -o NAME.json is NAME.json, --format
         * geojson -o other.txt is other.txt. A Shapefile stays .shp (its
         * .dbf and .shx are found by the name); no extension: the format's. */
        j->ext = g_strdup(dot && dot != b && dot[1] && strcmp(j->fmt->ext, ".shp")
                              ? dot : j->fmt->ext);
        if (dot && dot != b) *dot = 0;
        j->base = b;
    }
    if (!j->ext) j->ext = g_strdup(j->fmt->ext);
    if (g_mkdir_with_parents(j->dir, 0777) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", j->dir, strerror(errno));
    /* The temporary folder carries our PID, so a later export can tell the
     * leftovers of a killed run (its PID gone) and remove them. */
    fpi_temp_cleanup(j->dir, 1);
    char *tmp_name = g_strdup_printf(".footprint-export-%d-XXXXXX", (int)getpid());
    char *tmp = g_build_filename(j->dir, tmp_name, NULL);
    g_free(tmp_name);
    if (!g_mkdtemp(tmp)) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot write here: %s", j->dir, strerror(errno));
        g_free(tmp);
        return st;
    }
    j->tmp = tmp;
    return FP_OK;
}

/* Step 5: the layers, one per --split-by value (one in all without), each
 * with the aggregation's centroids beside it. Layer names say what the
 * layer is (projects, the aggregation's name, + _VALUE when split); file
 * names come from -o, or from the value in a split folder. */
static fp_status build_layers(fp_store *store, export_job *j, fp_error *err)
{
    const fp_export_options *o = j->o;
    const source *s = &j->src;
    char **values = NULL;
    size_t nvalues = 1;
    fp_status st = FP_OK;
    if (o->split_by) {
        fp_layer_query q = layer_query(j, NULL, 0);
        if ((st = fp_store_layer_values(store, &q, o->split_by, &values, &nvalues, err))) return st;
    }
    int with_centroids = s->kind == FP_LAYER_AGGREGATE && !o->no_centroids;
    j->layers = g_new0(fp_layer *, nvalues * (with_centroids ? 2 : 1) + 1);
    GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *kind = s->kind == FP_LAYER_PROJECTS ? "projects" : s->name;
    for (size_t v = 0; v < nvalues && !st; v++) {
        const char *value = values ? values[v] : NULL;
        char *safe = value ? safe_name(value) : NULL;
        char *lname = safe ? g_strdup_printf("%s_%s", s->kind == FP_LAYER_ASSIGNMENTS ? "assignments" : kind, safe)
                           : g_strdup_printf("%s%s", kind, s->kind == FP_LAYER_ASSIGNMENTS ? "_assignments" : "");
        char *fname = j->folder ? g_strdup(safe) : g_strdup(j->base);
        g_free(safe);
        /* Two values, one safe name ("a/b" and "a_b"), or names equal but for
         * case ("Smart City", "smart city", "ÖSTERREICH"): GeoPackage and
         * Shapefile compare layer names, and some file systems file names,
         * without case. */
        char *key = name_key(lname);
        for (int k = 2; g_hash_table_contains(used, key); k++) {
            char *next = g_strdup_printf("%s_%d", lname, k), *nextf = g_strdup_printf("%s_%d", fname, k);
            char *next_key = name_key(next);
            if (!g_hash_table_contains(used, next_key)) {
                g_free(lname); lname = next;
                g_free(fname); fname = nextf;
                g_free(key); key = next_key;
                break;
            }
            g_free(next_key);
            g_free(next);
            g_free(nextf);
        }
        g_hash_table_add(used, key);
        st = layer_new(store, j, lname, o->split_by ? (value ? value : "") : NULL, 0, &j->layers[j->nlayers], err);
        if (!st) j->layers[j->nlayers++]->file = g_strdup(fname);
        if (!st && with_centroids) {
            char *cname = g_strdup_printf("%s_centroids", lname);
            st = layer_new(store, j, cname, o->split_by ? value : NULL, 1, &j->layers[j->nlayers], err);
            if (!st) j->layers[j->nlayers++]->file = g_strdup_printf("%s_centroids", fname);
            g_free(cname);
        }
        g_free(lname);
        g_free(fname);
    }
    g_hash_table_destroy(used);
    fp_store_strings_free(values);
    return st;
}

/* Step 6a: every layer in one file (GeoPackage), its styles inside it.
 * --append adds to a copy of the existing file, replacing layers of the
 * same name with their styles; the original stays until the rename. */
static fp_status write_one_file(export_job *j, const fp_write_options *wo_in, fp_export_result *res, fp_error *err)
{
    const fp_export_options *o = j->o;
    fp_write_options wo = *wo_in;
    char *path = g_strdup_printf("%s/%s%s", j->tmp, j->base, j->fmt->ext);
    fp_status st = FP_OK;
    if (o->append && g_file_test(o->output, G_FILE_TEST_EXISTS)) {
        gchar *bytes = NULL;
        gsize len = 0;
        GError *ge = NULL;
        if (!g_file_get_contents(o->output, &bytes, &len, &ge) || !g_file_set_contents(path, bytes, (gssize)len, &ge)) {
            st = fp_error_set(err, FP_ERR_IO, "%s: %s", o->output, ge ? ge->message : "cannot copy");
            if (ge) g_error_free(ge);
        }
        g_free(bytes);
        wo.update = 1;
        if (!st) fpi_gpkg_styles_drop(path, j->layers, j->nlayers);
        if (!st) {
            char *dir = g_path_get_dirname(o->output);
            char *old_map = g_strdup_printf("%s/%s.fields.csv", dir, j->base);
            g_free(dir);
            char *new_map = g_strdup_printf("%s/%s.fields.csv", j->tmp, j->base);
            st = fpi_field_map_carry(old_map, new_map, j->layers, j->nlayers, err);
            g_free(old_map);
            g_free(new_map);
        }
    }
    long n = 0;
    if (!st) st = fpi_ogr_write(j->fmt->driver, j->layers, j->nlayers, path, &wo, &n, err);
    res->features += n;
    res->layers = j->nlayers;
    /* QGIS reads its styles from the layer_styles table. */
    if (!st && (j->fmt->flags & FMT_STYLES_TABLE)) st = fpi_gpkg_styles_write(path, j->style, j->layers, j->nlayers, fp_context_source_date(j->ctx), res, err);
    if (!st && (j->fmt->flags & FMT_STYLES_TABLE)) st = fpi_gpkg_set_last_change(path, fp_context_source_date(j->ctx), err);
    g_free(path);
    return st;
}

/* Step 6b: a file per layer, with its .qml where QGIS looks for one. */
static fp_status write_files(export_job *j, const fp_write_options *wo, fp_export_result *res, fp_error *err)
{
    fp_status st = FP_OK;
    for (int i = 0; i < j->nlayers && !st; i++) {
        fp_layer *l = j->layers[i];
        char *path = g_strdup_printf("%s/%s%s", j->tmp, l->file, j->fmt->ext);
        long n = 0;
        st = j->fmt->driver ? fpi_ogr_write(j->fmt->driver, &l, 1, path, wo, &n, err) : fpi_geojson_write(l, path, wo, &n, err);
        res->features += n;
        res->layers++;
        if (!st && (j->fmt->flags & FMT_SIDECAR_QML)) {
            char *qpath = g_strdup_printf("%s/%s.qml", j->tmp, l->file);
            st = write_qml(j->style, l, qpath, err);
            g_free(qpath);
        }
        g_free(path);
    }
    return st;
}

/* Step 7: the finished files renamed into place. */
static fp_status publish(export_job *j, fp_export_result *res, fp_error *err)
{
    if (fp_context_cancelled(j->ctx)) return fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    fp_context_pause(j->ctx, "export:write");
    const char *first = (j->fmt->flags & FMT_ONE_FILE_PER_LAYER) && j->nlayers ? j->layers[0]->file : j->base;
    snprintf(res->first_path, sizeof res->first_path, "%s/%s%s", j->dir, first, j->ext);
    return move_files(j->ctx, j->tmp, j->dir, j->fmt->ext, j->ext, err);
}

static void job_clear(fp_store *store, export_job *j, fp_status st, fp_error *err)
{
    if (st && j->tmp && err) {
        /* Name the target in messages, not the temporary folder. */
        gchar **parts = g_strsplit(err->message, j->tmp, -1);
        gchar *msg = g_strjoinv(j->dir, parts);
        snprintf(err->message, sizeof err->message, "%s", msg);
        g_free(msg);
        g_strfreev(parts);
    }
    if (j->tmp) fpi_remove_tree(j->tmp);
    for (int i = 0; i < j->nlayers; i++) {
        if (j->layers[i]->classes) { fp_classes_clear(j->layers[i]->classes); g_free(j->layers[i]->classes); }
        fpi_layer_free(j->layers[i]);
    }
    g_free(j->layers);
    g_free(j->empty_everywhere);
    g_free(j->tmp);
    g_free(j->dir);
    g_free(j->base);
    g_free(j->ext);
    g_free(j->where_fields);
    g_free(j->where_values);
    fp_style_free(j->style);
    source_clear(&j->src);
    fp_store_cache_size(store, j->cache);
}

static int is_qgz(const fp_export_options *o)
{
    const char *oext = strrchr(o->output, '.');
    return (o->format && !g_ascii_strcasecmp(o->format, "qgz")) ||
           (!o->format && oext && !strchr(oext, '/') && !g_ascii_strcasecmp(oext, ".qgz"));
}

void fp_export_print_notes(const fp_export_result *r, FILE *f)
{
    if (r->formula_values) {
        fprintf(f, "export: %ld text value%s that a spreadsheet would run as a formula (beginning with =, @, + or -); "
                "the first: %s. Written as they are: import the CSV into Excel or LibreOffice (Data > From Text, "
                "columns as text) rather than opening it\n", r->formula_values, r->formula_values == 1 ? "" : "s",
                r->first_formula);
    }
    if (r->group_key[0])
        fprintf(f, "export: %ld group column name%s cannot spell %s (the first: %s); every group column's "
                "field and value: %s\n", r->group_unspelt, r->group_unspelt == 1 ? "" : "s",
                r->group_unspelt == 1 ? "its value" : "their values", r->first_unspelt, r->group_key);
    if (r->unassigned > 0) {
        char n[64];
        n[fpi_format_real(r->unassigned, n)] = '\0';
        fprintf(f, "export: %s project%s of aggregation %s in no %s region (at sea, outside every region, or placed at "
                "a coarser centroid) counted in its _unassigned row, which has no geometry and is not in the file: "
                "the regions' projects sum to that many fewer (`footprint export --what assignments:%s` gives each "
                "project's region)\n", n, r->unassigned == 1 ? "" : "s", r->aggregation, r->level, r->aggregation);
    }
    if (r->unlocated)
        fprintf(f, "export: %ld project%s without a location left out (not geocoded, or not placeable: "
                "`footprint geocode`, and `footprint geocode --report FILE.csv` for why)\n", r->unlocated,
                r->unlocated == 1 ? "" : "s");
    if (r->values_cut)
        fprintf(f, "export: %ld text value%s longer than a Shapefile holds (254 bytes) cut to 254; the first: %s "
                "(use --format gpkg to keep them whole)\n", r->values_cut, r->values_cut == 1 ? "" : "s", r->first_cut);
    if (r->numbers_changed)
        fprintf(f, "export: %ld number%s beyond what a Shapefile holds (a real's whole part in 24 characters and 15 "
                "decimals, an integer in 18 digits) read back changed; the first: %s (use --format gpkg to keep them "
                "exact)\n", r->numbers_changed, r->numbers_changed == 1 ? "" : "s", r->first_changed);
    if (r->user_defaults)
        fprintf(f, "export: %ld GeoPackage table%s keep%s the default QGIS style a user saved: %s%s; footprint's style is "
                "stored beside it, not as the default (in QGIS: Layer Properties > Symbology > Style > Load Style, From "
                "database)\n", r->user_defaults, r->user_defaults == 1 ? "" : "s", r->user_defaults == 1 ? "s" : "",
                r->first_user_default, r->user_defaults > 1 ? " and others" : "");
}

fp_status fp_export(fp_store *store, const fp_export_options *o, fp_export_result *res, fp_error *err)
{
    fp_export_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_export: store is NULL");
    if (!o) return fp_error_set(err, FP_ERR_USAGE, "fp_export: opts is NULL");
    if (!o->output || !*o->output) return fp_error_set(err, FP_ERR_USAGE, "export needs -o PATH");
    if (o->aggregation && !is_qgz(o))
        return fp_error_set(err, FP_ERR_USAGE, "--aggregation %s chooses a QGIS project's choropleth (--format qgz); a "
                            "layer of an aggregation is --what aggregate:%s", o->aggregation, o->aggregation);
    /* --dataset NAME is --where dataset=NAME, of a dataset the store has
     * (a typo lists them, not an empty layer). */
    fp_where where[65];
    fp_export_options with_dataset;
    if (o->dataset) {
        if (o->what && (!strncmp(o->what, "aggregate:", 10) || !strncmp(o->what, "assignments:", 12)))
            return fp_error_set(err, FP_ERR_USAGE, "--dataset %s: an aggregation's %s the projects it was made "
                                "of; make one of the dataset with `footprint aggregate --dataset %s --name NAME`, then "
                                "export --what %s:NAME", o->dataset,
                                o->what[1] == 'g' ? "layer counts" : "assignments are those of", o->dataset,
                                o->what[1] == 'g' ? "aggregate" : "assignments");
        if (o->nwhere >= 64) return fp_error_set(err, FP_ERR_USAGE, "at most 64 --where with --dataset");
        fp_status dst = fp_store_dataset_check(store, o->dataset, err);
        if (dst) return dst;
        for (int i = 0; i < o->nwhere; i++) where[i] = o->where[i];
        where[o->nwhere] = (fp_where){ "dataset", o->dataset };
        with_dataset = *o;
        with_dataset.where = where;
        with_dataset.nwhere = o->nwhere + 1;
        with_dataset.dataset = NULL;
        o = &with_dataset;
    }
    /* A QGIS project: its own writer (qgis_project.c), which calls back here for the layers. */
    if (is_qgz(o)) return fp_export_qgz(store, o, res, err);
    export_job j = { .o = o, .ctx = fp_store_context(store) };
    fp_status st = check_options(o, &j.fmt, err);
    if (st) return st;
    /* Rows stream from the store once: a small page cache keeps the memory
     * flat however large the table (the store's default suits imports). */
    j.cache = fp_store_cache_size(store, -8192);
    st = open_source(store, &j, err);
    if (!st) st = check_fields(store, &j, err);
    if (!st) st = make_folders(&j, err);
    if (!st) st = build_layers(store, &j, err);
    /* Projects without a location are not features of any format; a
     * partner's sheet silently one activity short is worse than a note. */
    if (!st && j.src.kind == FP_LAYER_PROJECTS) {
        fp_layer_query q = layer_query(&j, NULL, 0);
        q.split_field = NULL;
        int64_t n = 0;
        st = fp_store_layer_unlocated(store, &q, &n, err);
        res->unlocated = (long)n;
    }
    /* Likewise an aggregation's unassigned projects: the regions' counts
     * sum to fewer than the projects, and the file alone cannot say why. */
    if (!st && j.src.kind == FP_LAYER_AGGREGATE) {
        st = fp_store_aggregation_unassigned(store, j.src.name, j.src.level, &res->unassigned, err);
        if (!st) st = write_group_key(store, &j.src, j.tmp, j.dir, j.base, res, err);
        snprintf(res->aggregation, sizeof res->aggregation, "%s", j.src.name);
        snprintf(res->level, sizeof res->level, "%s", j.src.level);
    }
    char attribution[512];
    snprintf(attribution, sizeof attribution, ATTRIBUTION_FORMAT, fp_version());
    fp_write_options wo = { .precision = o->precision < 0 ? 6 : o->precision, .bbox = o->bbox,
                            .seq = (j.fmt->flags & FMT_SEQ) != 0, .attribution = attribution,
                            .ctx = j.ctx, .notes = res, .crs = o->crs, .bom = o->bom };
    if (!st) st = j.fmt->flags & FMT_ONE_FILE_PER_LAYER ? write_files(&j, &wo, res, err) : write_one_file(&j, &wo, res, err);
    if (!st) st = publish(&j, res, err);
    /* A key an earlier export of this name wrote, which this one did not
     * need: it would describe columns the new file does not have. Removed
     * once the new file is in place (only a file that is such a key). */
    if (!st && j.src.kind == FP_LAYER_AGGREGATE && !res->group_key[0]) {
        char *name = g_strdup_printf("%s.columns.csv", j.base), *old = g_build_filename(j.dir, name, NULL);
        char *text = NULL;
        if (g_file_get_contents(old, &text, NULL, NULL) && g_str_has_prefix(text, "column,field,value\n")) g_unlink(old);
        g_free(text);
        g_free(old);
        g_free(name);
    }
    job_clear(store, &j, st, err);
    res->seconds = fpi_now() - t0;
    return st;
}
