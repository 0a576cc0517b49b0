/* `footprint export`: builds the layer queries (projects, an aggregation's
 * level with its choropleth classes, assignments), filters them with
 * --where (parsed, every value bound), splits them with --split-by, and
 * hands them to the GeoJSON writer or to OGR. Every output is written in a
 * hidden temporary folder next to it and renamed into place when complete. */
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
#include "store/store_internal.h"   /* TEMP: until its SQL moves into src/store/ */
#include "export_internal.h"
#include "fp_version.h"
#include "common/util.h"

#define ATTRIBUTION "Compiled with footprint " FOOTPRINT_VERSION ". Boundaries: Natural Earth (public domain); " \
                    "places: GeoNames (geonames.org, CC BY 4.0)."

typedef enum { WHAT_PROJECTS, WHAT_AGGREGATE, WHAT_ASSIGNMENTS } what_kind;

typedef struct format_info {
    const char *name, *ext, *driver;   /* driver NULL: our GeoJSON writer */
    int one_file_per_layer;
    int sidecar_qml;                   /* QGIS loads NAME.qml next to the file by itself */
} format_info;

/* GeoPackages carry their styles inside (layer_styles); CSV is a table, not
 * a layer QGIS styles from a sidecar. */
static const format_info formats[] = {
    { "geojson", ".geojson", NULL, 1, 1 },
    { "geojsonseq", ".geojsons", NULL, 1, 1 },
    { "gpkg", ".gpkg", "GPKG", 0, 0 },
    { "fgb", ".fgb", "FlatGeobuf", 1, 1 },
    { "shp", ".shp", "ESRI Shapefile", 1, 1 },
    { "csv", ".csv", "CSV", 1, 0 },
    { NULL, NULL, NULL, 0, 0 } };

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
    if (!g_ascii_strcasecmp(dot, ".json")) return &formats[0];
    if (!g_ascii_strcasecmp(dot, ".geojsonl") || !g_ascii_strcasecmp(dot, ".geojsonseq")) return &formats[1];
    for (const format_info *f = formats; f->name; f++)
        if (!g_ascii_strcasecmp(dot, f->ext)) return f;
    return NULL;
}

void fp_layer_free(fp_layer *l)
{
    if (!l) return;
    if (l->stmt) sqlite3_finalize(l->stmt);
    for (int i = 0; i < l->ncolumns; i++) g_free(l->columns[i].name);
    g_free(l->columns);
    for (int i = 0; i < l->nextra; i++) g_free(l->extra_keys[i]);
    g_free(l->extra_keys);
    g_free(l->extra_types);
    if (l->extra_index) g_hash_table_destroy(l->extra_index);
    if (l->category_seen) g_hash_table_destroy(l->category_seen);
    g_free(l->name);
    g_free(l->file);
    g_free(l->description);
    g_free(l);
}

/* ------------------------------------------------------------ queries --- */

/* A layer's source: SELECT list (id, geometry, columns), FROM and the
 * fields --where and --split-by may name (SQL expressions, fixed here). */
typedef struct source {
    what_kind kind;
    char name[64];                /* aggregation name */
    char level[32];
    GString *select, *from, *order;
    GPtrArray *col_names;         /* property names, in order */
    GArray *col_types;            /* fp_col_type */
    GPtrArray *field_names;       /* fields that can be filtered: name -> expr */
    GPtrArray *field_exprs;
    int has_extra;                /* projects: `extra` may be flattened */
} source;

static void source_add(source *s, const char *name, const char *expr, fp_col_type type)
{
    g_string_append_printf(s->select, ", %s", expr);
    g_ptr_array_add(s->col_names, g_strdup(name));
    g_array_append_val(s->col_types, type);
    g_ptr_array_add(s->field_names, g_strdup(name));
    g_ptr_array_add(s->field_exprs, g_strdup(expr));
}

static void source_clear(source *s)
{
    if (s->select) g_string_free(s->select, TRUE);
    if (s->from) g_string_free(s->from, TRUE);
    if (s->order) g_string_free(s->order, TRUE);
    if (s->col_names) g_ptr_array_free(s->col_names, TRUE);
    if (s->col_types) g_array_free(s->col_types, TRUE);
    if (s->field_names) g_ptr_array_free(s->field_names, TRUE);
    if (s->field_exprs) g_ptr_array_free(s->field_exprs, TRUE);
}

static int valid_identifier(const char *s)
{
    if (!*s || strlen(s) > 48) return 0;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_') return 0;
    return 1;
}

/* A column's type by SQLite's affinity rules (section 3.1 of its datatype
 * page), so INTEGER, BIGINT or INT64 all read as integers (written as
 * 64-bit fields), whatever the store declares. */
static fp_col_type column_type(const char *declared)
{
    char *t = g_ascii_strup(declared ? declared : "", -1);
    fp_col_type r = FP_COL_TEXT;
    if (strstr(t, "INT")) r = FP_COL_INT;
    else if (strstr(t, "CHAR") || strstr(t, "CLOB") || strstr(t, "TEXT")) r = FP_COL_TEXT;
    else if (strstr(t, "REAL") || strstr(t, "FLOA") || strstr(t, "DOUB")) r = FP_COL_REAL;
    g_free(t);
    return r;
}

static fp_status source_init(fp_store *store, const char *what, source *s, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(store);
    s->select = g_string_new(NULL);
    s->from = g_string_new(NULL);
    s->order = g_string_new(NULL);
    s->col_names = g_ptr_array_new_with_free_func(g_free);
    s->col_types = g_array_new(FALSE, FALSE, sizeof(fp_col_type));
    s->field_names = g_ptr_array_new_with_free_func(g_free);
    s->field_exprs = g_ptr_array_new_with_free_func(g_free);
    if (!what || !strcmp(what, "projects")) {
        s->kind = WHAT_PROJECTS;
        g_string_assign(s->select, "SELECT id, geom");
        static const char *const text[] = { "dataset", "source_key", "company", "category", "name", "place", "country",
                                            "country_code", NULL };
        for (int i = 0; text[i]; i++) source_add(s, text[i], text[i], FP_COL_TEXT);
        source_add(s, "year", "year", FP_COL_INT);
        source_add(s, "status", "status", FP_COL_TEXT);
        source_add(s, "amount", "amount", FP_COL_REAL);
        source_add(s, "source", "source", FP_COL_TEXT);
        source_add(s, "geocode_method", "geocode_method", FP_COL_TEXT);
        source_add(s, "geocode_precision", "geocode_precision", FP_COL_TEXT);
        /* The checks of `footprint check` that flagged the row (NULL: clean). */
        source_add(s, "qa", "qa", FP_COL_TEXT);
        source_add(s, "extra", "extra", FP_COL_TEXT);
        s->has_extra = 1;
        g_ptr_array_add(s->field_names, g_strdup("id"));
        g_ptr_array_add(s->field_exprs, g_strdup("id"));
        g_string_assign(s->from, " FROM projects WHERE geom IS NOT NULL");
        g_string_assign(s->order, " ORDER BY id");
        return FP_OK;
    }
    int agg = !strncmp(what, "aggregate:", 10), asg = !strncmp(what, "assignments:", 12);
    if (!agg && !asg)
        return fp_error_set(err, FP_ERR_USAGE, "--what %s: expected projects, aggregate:NAME[:LEVEL] or assignments:NAME", what);
    gchar **parts = g_strsplit(what + (agg ? 10 : 12), ":", 3);
    const char *name = parts[0] ? parts[0] : "", *level = parts[0] && parts[1] ? parts[1] : NULL;
    fp_status st = FP_OK;
    if (!valid_identifier(name) || (level && !valid_identifier(level))) {
        st = fp_error_set(err, FP_ERR_USAGE, "--what %s: an aggregation name is letters, digits and _", what);
        goto out;
    }
    /* The aggregation must exist; its main level is the default. */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT level FROM aggregations WHERE name=?1", -1, &q, NULL) != SQLITE_OK) {
        st = fp_error_set(err, FP_ERR_DB, "%s", sqlite3_errmsg(db));
        goto out;
    }
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW;
    snprintf(s->level, sizeof s->level, "%s", level ? level : found ? (const char *)sqlite3_column_text(q, 0) : "");
    sqlite3_finalize(q);
    if (!found) {
        st = fp_error_set(err, FP_ERR_USAGE, "--what %s: no aggregation named '%s'; run `footprint aggregate` first", what, name);
        goto out;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    if (agg) {
        s->kind = WHAT_AGGREGATE;
        g_string_assign(s->select, "SELECT id, geom");
        char *sql = sqlite3_mprintf("SELECT name, type FROM pragma_table_info('agg_%q') ORDER BY cid", name);
        int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
        sqlite3_free(sql);
        if (rc != SQLITE_OK) { st = fp_error_set(err, FP_ERR_DB, "%s", sqlite3_errmsg(db)); goto out; }
        while (sqlite3_step(q) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(q, 0), *type = (const char *)sqlite3_column_text(q, 1);
            if (!strcmp(col, "id") || !strcmp(col, "geom")) continue;
            /* Names from our own schema; quoted as identifiers all the same. */
            char *expr = sqlite3_mprintf("\"%w\"", col);
            source_add(s, col, expr, column_type(type));   /* BIGINT (schema 4) is INT too */
            sqlite3_free(expr);
        }
        sqlite3_finalize(q);
        char *from = sqlite3_mprintf(" FROM \"agg_%w\" WHERE geom IS NOT NULL AND level = ?", name);
        g_string_assign(s->from, from);
        sqlite3_free(from);
        g_string_assign(s->order, " ORDER BY code");
        /* The level must have rows. */
        char *check = sqlite3_mprintf("SELECT count(*) FROM \"agg_%w\" WHERE level=?1", name);
        rc = sqlite3_prepare_v2(db, check, -1, &q, NULL);
        sqlite3_free(check);
        long rows = 0;
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(q, 1, s->level, -1, SQLITE_STATIC);
            if (sqlite3_step(q) == SQLITE_ROW) rows = sqlite3_column_int64(q, 0);
            sqlite3_finalize(q);
        }
        if (!rows) st = fp_error_set(err, FP_ERR_USAGE, "--what %s: aggregation '%s' has no level '%s'", what, name, s->level);
    } else {
        s->kind = WHAT_ASSIGNMENTS;
        g_string_assign(s->select, "SELECT a.rowid, p.geom");
        source_add(s, "project_id", "a.project_id", FP_COL_INT);
        source_add(s, "region_code", "a.region_code", FP_COL_TEXT);
        source_add(s, "share", "a.share", FP_COL_REAL);
        source_add(s, "method", "a.method", FP_COL_TEXT);
        source_add(s, "distance_km", "a.distance_km", FP_COL_REAL);
        source_add(s, "company", "p.company", FP_COL_TEXT);
        source_add(s, "category", "p.category", FP_COL_TEXT);
        source_add(s, "name", "p.name", FP_COL_TEXT);
        source_add(s, "year", "p.year", FP_COL_INT);
        char *from = sqlite3_mprintf(" FROM \"agg_%w_assign\" a JOIN projects p ON p.id = a.project_id WHERE 1", name);
        g_string_assign(s->from, from);
        sqlite3_free(from);
        g_string_assign(s->order, " ORDER BY a.rowid");
    }
out:
    g_strfreev(parts);
    return st;
}

/* The SQL expression of a filterable field, or NULL. Projects also accept
 * keys of `extra` (json_extract with the key bound as a parameter). */
static const char *field_expr(const source *s, const char *field)
{
    for (guint i = 0; i < s->field_names->len; i++)
        if (!strcmp(g_ptr_array_index(s->field_names, i), field)) return g_ptr_array_index(s->field_exprs, i);
    return NULL;
}

/* Appends the --where conditions (and an optional split condition) to sql,
 * collecting the values to bind in order. */
static fp_status add_filters(const source *s, const fp_export_options *o, const char *split_field, GString *sql,
                             GPtrArray *binds, fp_error *err)
{
    for (int i = 0; i < o->nwhere; i++) {
        const char *f = o->where[i].field;
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= !strcmp(o->where[j].field, f);
        if (seen) continue;                       /* done with its first occurrence */
        const char *expr = field_expr(s, f);
        if (!expr && !(s->has_extra && valid_identifier(f)))
            return fp_error_set(err, FP_ERR_USAGE, "--where %s=...: no field '%s' in this layer", f, f);
        g_string_append(sql, " AND (");
        int first = 1;
        for (int j = i; j < o->nwhere; j++) {
            if (strcmp(o->where[j].field, f)) continue;
            if (!first) g_string_append(sql, " OR ");
            first = 0;
            if (expr) {
                g_string_append_printf(sql, "CAST(%s AS TEXT) = ?", expr);
            } else {
                g_string_append(sql, "CAST(json_extract(extra, ?) AS TEXT) = ?");
                g_ptr_array_add(binds, g_strdup_printf("$.\"%s\"", f));
            }
            g_ptr_array_add(binds, g_strdup(o->where[j].value));
        }
        g_string_append(sql, ")");
    }
    if (split_field) {
        const char *expr = field_expr(s, split_field);
        if (expr) {
            g_string_append_printf(sql, " AND coalesce(CAST(%s AS TEXT), '') = ?", expr);
        } else {
            g_string_append(sql, " AND coalesce(CAST(json_extract(extra, ?) AS TEXT), '') = ?");
            g_ptr_array_add(binds, g_strdup_printf("$.\"%s\"", split_field));
        }
    }
    return FP_OK;
}

static int bind_all(sqlite3_stmt *q, int first, GPtrArray *binds, const char *split_value)
{
    int i = first;
    for (guint k = 0; k < binds->len; k++) sqlite3_bind_text(q, i++, g_ptr_array_index(binds, k), -1, SQLITE_TRANSIENT);
    if (split_value) sqlite3_bind_text(q, i++, split_value, -1, SQLITE_TRANSIENT);
    return i;
}

/* Distinct values of the split field under the filters. */
static fp_status split_values(fp_store *store, const source *s, const fp_export_options *o, GPtrArray *values,
                              fp_error *err)
{
    const char *expr = field_expr(s, o->split_by);
    if (!expr && !(s->has_extra && valid_identifier(o->split_by)))
        return fp_error_set(err, FP_ERR_USAGE, "--split-by %s: no field '%s' in this layer", o->split_by, o->split_by);
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new("SELECT DISTINCT coalesce(CAST(");
    if (expr) g_string_append(sql, expr);
    else {
        g_string_append(sql, "json_extract(extra, ?)");
        g_ptr_array_add(binds, g_strdup_printf("$.\"%s\"", o->split_by));
    }
    g_string_append(sql, " AS TEXT), '')");
    g_string_append(sql, s->from->str);
    fp_status st = add_filters(s, o, NULL, sql, binds, err);
    g_string_append(sql, " ORDER BY 1");
    sqlite3 *db = fp_store_sqlite(store);
    sqlite3_stmt *q = NULL;
    if (!st && sqlite3_prepare_v2(db, sql->str, -1, &q, NULL) != SQLITE_OK)
        st = fp_error_set(err, FP_ERR_DB, "%s", sqlite3_errmsg(db));
    if (!st) {
        int i = 1;
        /* The json path of the SELECT comes first, then the level, then filters. */
        if (!expr) sqlite3_bind_text(q, i++, g_ptr_array_index(binds, 0), -1, SQLITE_TRANSIENT);
        if (s->kind == WHAT_AGGREGATE) sqlite3_bind_text(q, i++, s->level, -1, SQLITE_TRANSIENT);
        for (guint k = expr ? 0 : 1; k < binds->len; k++)
            sqlite3_bind_text(q, i++, g_ptr_array_index(binds, k), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(q) == SQLITE_ROW) g_ptr_array_add(values, g_strdup((const char *)sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
    }
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    return st;
}

/* A file-name-safe form of a value: letters, digits, . _ - only, never
 * starting with a dot, never empty. Such a name cannot leave the folder. */
static char *safe_name(const char *value)
{
    GString *s = g_string_new(NULL);
    for (const unsigned char *p = (const unsigned char *)value; *p && s->len < 80; p++)
        g_string_append_c(s, g_ascii_isalnum(*p) || *p == '-' || *p == '_' || (*p == '.' && s->len) ? (char)*p : '_');
    if (!s->len) g_string_assign(s, "none");
    return g_string_free(s, FALSE);
}

/* Builds one layer: the query with filters, the columns, extra keys,
 * choropleth classes or point categories. */
static fp_status layer_new(fp_store *store, const source *s, const fp_export_options *o, const fp_style *style,
                           const char *name, const char *split_value, int centroids, int fixed_schema,
                           fp_layer **out, fp_error *err)
{
    sqlite3 *db = fp_store_sqlite(store);
    fp_layer *l = g_new0(fp_layer, 1);
    l->name = g_strdup(name);
    l->extra_col = -1;
    l->class_col = -1;
    l->category_col = -1;
    GPtrArray *binds = g_ptr_array_new_with_free_func(g_free);
    GString *sql = g_string_new(s->select->str);
    if (centroids) {
        /* A point inside each region, for proportional symbols. */
        char *p = strstr(sql->str, "geom");
        g_string_erase(sql, p - sql->str, 4);
        g_string_insert(sql, p - sql->str, "ST_PointOnSurface(geom)");
    }
    g_string_append(sql, s->from->str);
    fp_status st = add_filters(s, o, o->split_by, sql, binds, err);
    g_string_append(sql, s->order->str);
    if (!st && sqlite3_prepare_v2(db, sql->str, -1, &l->stmt, NULL) != SQLITE_OK)
        st = fp_error_set(err, FP_ERR_DB, "preparing layer %s: %s", name, sqlite3_errmsg(db));
    if (!st) {
        int i = 1;
        if (s->kind == WHAT_AGGREGATE) sqlite3_bind_text(l->stmt, i++, s->level, -1, SQLITE_TRANSIENT);
        bind_all(l->stmt, i, binds, split_value);
    }
    l->ncolumns = (int)s->col_names->len;
    l->columns = g_new0(fp_column, l->ncolumns ? l->ncolumns : 1);
    for (int c = 0; c < l->ncolumns; c++) {
        l->columns[c].name = g_strdup(g_ptr_array_index(s->col_names, c));
        l->columns[c].type = g_array_index(s->col_types, fp_col_type, c);
        if (s->has_extra && !strcmp(l->columns[c].name, "extra")) l->extra_col = c;
    }
    l->geometry = s->kind == WHAT_AGGREGATE && !centroids ? "polygon" : "point";
    /* A fixed-schema layer declares its geometry type: points only, or
     * mixed (the blob's class field, bytes 40-43, is 1 for a 2D point). */
    if (!st && fixed_schema && s->kind != WHAT_AGGREGATE) {
        GString *gq = g_string_new("SELECT EXISTS(SELECT 1");
        g_string_append(gq, s->from->str);
        g_string_append(gq, s->kind == WHAT_PROJECTS ? " AND substr(geom, 40, 4) <> X'01000000'"
                                                     : " AND substr(p.geom, 40, 4) <> X'01000000'");
        GPtrArray *gb = g_ptr_array_new_with_free_func(g_free);
        st = add_filters(s, o, o->split_by, gq, gb, err);
        g_string_append(gq, ")");
        sqlite3_stmt *q;
        if (!st && sqlite3_prepare_v2(db, gq->str, -1, &q, NULL) == SQLITE_OK) {
            bind_all(q, 1, gb, split_value);
            if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0)) l->geometry = "mixed";
            sqlite3_finalize(q);
        }
        g_string_free(gq, TRUE);
        g_ptr_array_free(gb, TRUE);
    }
    /* The keys of `extra` over the layer, and what their values are: every
     * format names them before the first row (field names must be unique
     * in a way only the whole set decides), fixed-schema formats declare
     * their types. */
    if (!st && l->extra_col >= 0) {
        GString *ks = g_string_new("SELECT j.key, max(j.type = 'integer'), max(j.type = 'real'), max(j.type IN ('true', 'false')),"
                                   " max(j.type IN ('text', 'array', 'object')),"
                                   " min(CASE WHEN j.type = 'integer' THEN j.atom END), max(CASE WHEN j.type = 'integer' THEN j.atom END)"
                                   " FROM projects, json_each(projects.extra) j WHERE geom IS NOT NULL");
        GPtrArray *kb = g_ptr_array_new_with_free_func(g_free);
        st = add_filters(s, o, o->split_by, ks, kb, err);
        g_string_append(ks, " GROUP BY j.key ORDER BY j.key");
        sqlite3_stmt *q;
        if (!st && sqlite3_prepare_v2(db, ks->str, -1, &q, NULL) == SQLITE_OK) {
            bind_all(q, 1, kb, split_value);
            GPtrArray *keys = g_ptr_array_new();
            GArray *types = g_array_new(FALSE, FALSE, sizeof(fp_extra_type));
            l->extra_index = g_hash_table_new(g_str_hash, g_str_equal);
            while (sqlite3_step(q) == SQLITE_ROW) {
                int has_int = sqlite3_column_int(q, 1), has_real = sqlite3_column_int(q, 2);
                int has_bool = sqlite3_column_int(q, 3), has_text = sqlite3_column_int(q, 4);
                sqlite3_int64 lo = sqlite3_column_int64(q, 5), hi = sqlite3_column_int64(q, 6);
                fp_extra_type t = FP_X_TEXT;
                if (!has_text && !has_bool && has_int && !has_real)
                    t = lo >= -2147483647LL - 1 && hi <= 2147483647LL ? FP_X_INT : FP_X_INT64;
                else if (!has_text && !has_bool && has_real) t = FP_X_REAL;
                else if (!has_text && has_bool && !has_int && !has_real) t = FP_X_BOOL;
                char *key = g_strdup((const char *)sqlite3_column_text(q, 0));
                g_ptr_array_add(keys, key);
                g_array_append_val(types, t);
                g_hash_table_insert(l->extra_index, key, GINT_TO_POINTER(keys->len));
            }
            sqlite3_finalize(q);
            l->nextra = (int)keys->len;
            l->extra_keys = (char **)g_ptr_array_free(keys, FALSE);
            l->extra_types = (fp_extra_type *)(void *)g_array_free(types, FALSE);
        }
        g_string_free(ks, TRUE);
        g_ptr_array_free(kb, TRUE);
    }
    /* Choropleth classes over the level's rows (all of them, so every
     * split file uses the same classes). */
    const fp_choropleth_spec *cs = style ? fp_style_choropleth(style) : NULL;
    if (!st && s->kind == WHAT_AGGREGATE && cs) {
        const char *field = cs->field ? cs->field : "projects";
        for (int c = 0; c < l->ncolumns; c++)
            if (!strcmp(l->columns[c].name, field) && l->columns[c].type != FP_COL_TEXT) l->class_col = c;
        if (l->class_col >= 0) {
            char *vs = sqlite3_mprintf("SELECT \"%w\" FROM \"agg_%w\" WHERE level=?1 AND geom IS NOT NULL", field, s->name);
            sqlite3_stmt *q;
            GArray *vals = g_array_new(FALSE, FALSE, sizeof(double));
            if (sqlite3_prepare_v2(db, vs, -1, &q, NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, s->level, -1, SQLITE_STATIC);
                while (sqlite3_step(q) == SQLITE_ROW) {
                    double v = sqlite3_column_type(q, 0) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 0);
                    g_array_append_val(vals, v);
                }
                sqlite3_finalize(q);
            }
            sqlite3_free(vs);
            l->classes = g_new0(fp_classes, 1);
            st = fp_classify(cs, (const double *)(void *)vals->data, vals->len, l->classes, err);
            g_array_free(vals, TRUE);
        }
    }
    /* Points: the categories for QGIS's categorized style, noted while the
     * rows are written (a DISTINCT query would cost a sort of the table). */
    if (!st && (s->kind != WHAT_AGGREGATE) && style) {
        const char *cf = fp_style_category_field(style);
        for (int c = 0; cf && c < l->ncolumns; c++)
            if (!strcmp(l->columns[c].name, cf)) {
                l->category_field = cf;
                l->category_col = c;
                l->category_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            }
    }
    char now[32];
    fp_timestamp(now);
    l->description = g_strdup_printf("%s%s%s exported by footprint %s on %s%s%s",
                                     s->kind == WHAT_PROJECTS ? "Projects" : s->kind == WHAT_ASSIGNMENTS ? "Assignments of aggregation " : "Aggregation ",
                                     s->kind == WHAT_PROJECTS ? "" : s->name,
                                     s->kind == WHAT_AGGREGATE ? (centroids ? " (a point inside each region)" : "") : "",
                                     FOOTPRINT_VERSION, now, split_value ? "; " : "", split_value ? split_value : "");
    g_string_free(sql, TRUE);
    g_ptr_array_free(binds, TRUE);
    if (st) { fp_layer_free(l); return st; }
    *out = l;
    return FP_OK;
}

/* --------------------------------------------------------------- files --- */

/* Moves every file of tmp into dir (renames within one file system). */
static fp_status move_files(const fp_context *ctx, const char *tmp, const char *dir, fp_error *err)
{
    GDir *d = g_dir_open(tmp, 0, NULL);
    if (!d) return fp_error_set(err, FP_ERR_IO, "%s: cannot list", tmp);
    const char *e;
    fp_status st = FP_OK;
    while (!st && (e = g_dir_read_name(d))) {
        char *from = g_build_filename(tmp, e, NULL), *to = g_build_filename(dir, e, NULL);
        if (g_rename(from, to) != 0) st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", to, strerror(errno));
        else fp_context_pause(ctx, "export:rename");     /* between two renames (tests) */
        g_free(from);
        g_free(to);
    }
    g_dir_close(d);
    return st;
}

static fp_status write_qml(const fp_style *style, const fp_layer *l, const char *path, fp_error *err)
{
    char *qml = style ? fp_layer_qml(style, l) : NULL;
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

char *fp_layer_qml(const fp_style *style, const fp_layer *l)
{
    if (l->classes && l->class_col >= 0)
        return fp_qml_graduated_style(style, l->classes, l->columns[l->class_col].name, l->geometry);
    if (!l->category_seen || !g_hash_table_size(l->category_seen)) return NULL;
    guint n = 0;
    char **values = (char **)g_hash_table_get_keys_as_array(l->category_seen, &n);
    qsort(values, n, sizeof *values, compare_strings);
    /* A mixed layer is split by geometry type in QGIS; the markers style
     * its points (lines and polygons keep QGIS's default look). */
    const char *geometry = !strcmp(l->geometry, "mixed") ? "point" : l->geometry;
    char *qml = fp_qml_categorized(style, l->category_field, (const char *const *)values, n, geometry);
    g_free(values);
    return qml;
}

void fp_layer_note_row(fp_layer *l)
{
    if (!l->category_seen) return;
    const unsigned char *v = sqlite3_column_text(l->stmt, l->category_col + 2);
    const char *key = v ? (const char *)v : "";
    if (!g_hash_table_contains(l->category_seen, key)) g_hash_table_add(l->category_seen, g_strdup(key));
}

/* ------------------------------------------------------- field names --- */

char **fp_layer_source_names(const fp_layer *l, int *nnames)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, g_strdup("id"));
    for (int c = 0; c < l->ncolumns; c++)
        if (c != l->extra_col) g_ptr_array_add(a, g_strdup(l->columns[c].name));
    if (l->classes) { g_ptr_array_add(a, g_strdup("class")); g_ptr_array_add(a, g_strdup("fill")); }
    for (int k = 0; k < l->nextra; k++) g_ptr_array_add(a, g_strdup(l->extra_keys[k]));
    *nnames = (int)a->len;
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* s cut to at most max bytes without splitting a UTF-8 character. */
static char *cut_utf8(const char *s, int max)
{
    size_t n = strlen(s);
    if (max <= 0 || n <= (size_t)max) return g_strdup(s);
    n = (size_t)max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return g_strndup(s, n);
}

/* Names compared as SQLite, GeoPackage, OGR and the DBF do: ASCII case folded. */
static guint fold_hash(gconstpointer p)
{
    char *f = g_ascii_strdown(p, -1);
    guint h = g_str_hash(f);
    g_free(f);
    return h;
}

static gboolean fold_equal(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

char **fp_layer_field_names(const fp_layer *l, int max_bytes, int *nnames)
{
    int n = 0;
    char **src = fp_layer_source_names(l, &n);
    int fixed = n - l->nextra;            /* id, columns, class, fill: keep their names */
    GHashTable *fixed_names = g_hash_table_new(fold_hash, fold_equal);
    for (int i = 0; i < fixed; i++) g_hash_table_add(fixed_names, src[i]);
    GHashTable *used = g_hash_table_new_full(fold_hash, fold_equal, g_free, NULL);
    char **out = g_new0(char *, n + 1);
    for (int i = 0; i < n; i++) {
        const char *name = *src[i] ? src[i] : "field";
        char *want = i >= fixed && g_hash_table_contains(fixed_names, name) ? g_strdup_printf("extra_%s", name) : g_strdup(name);
        char *cand = cut_utf8(want, max_bytes);
        for (int k = 2; g_hash_table_contains(used, cand); k++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%d", k);
            char *stem = cut_utf8(want, max_bytes > 0 ? max_bytes - (int)strlen(suffix) : 0);
            g_free(cand);
            cand = g_strconcat(stem, suffix, NULL);
            g_free(stem);
        }
        g_free(want);
        g_hash_table_add(used, g_strdup(cand));
        out[i] = cand;
    }
    g_hash_table_destroy(used);
    g_hash_table_destroy(fixed_names);
    g_strfreev(src);
    *nnames = n;
    return out;
}

static void put_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

fp_status fp_write_field_map(const char *map_path, const char *format, const char *layer, char **props, char **names,
                             int n, int always, fp_error *err)
{
    int differ = always;
    for (int i = 0; i < n && !differ; i++) differ = strcmp(props[i], names[i]) != 0;
    if (!differ) return FP_OK;
    /* GeoPackage layers share one file: its rows say which layer. */
    FILE *f = fopen(map_path, layer ? "a" : "w");
    if (!f) return fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", map_path, strerror(errno));
    fseek(f, 0, SEEK_END);
    if (!layer || ftell(f) == 0) fprintf(f, "%sfield,%s_field\n", layer ? "layer," : "", format);
    for (int i = 0; i < n; i++) {
        if (layer) { put_csv_field(f, layer); fputc(',', f); }
        put_csv_field(f, props[i]);
        fputc(',', f);
        put_csv_field(f, names[i]);
        fputc('\n', f);
    }
    if (fclose(f) != 0) return fp_error_set(err, FP_ERR_IO, "%s: write failed: %s", map_path, strerror(errno));
    return FP_OK;
}

fp_status fp_export(fp_store *store, const fp_export_options *o, fp_export_result *res, fp_error *err)
{
    fp_export_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fp_now();
    if (!o->output || !*o->output) return fp_error_set(err, FP_ERR_USAGE, "export needs -o PATH");
    /* A QGIS project: its own writer (qgis_project.c), which calls back here for the layers. */
    const char *oext = strrchr(o->output, '.');
    if ((o->format && !g_ascii_strcasecmp(o->format, "qgz")) ||
        (!o->format && oext && !strchr(oext, '/') && !g_ascii_strcasecmp(oext, ".qgz")))
        return fp_export_qgz(store, o, res, err);
    const format_info *fmt = o->format ? format_by_name(o->format) : format_by_path(o->output);
    if (!fmt)
        return fp_error_set(err, FP_ERR_USAGE, o->format ? "--format %s: expected geojson, geojsonseq, gpkg, fgb, shp, csv or qgz"
                                                         : "-o %s: say --format (geojson, geojsonseq, gpkg, fgb, shp, csv, qgz)",
                            o->format ? o->format : o->output);
    if (o->precision > 15) return fp_error_set(err, FP_ERR_USAGE, "--precision %d: at most 15", o->precision);
    for (int i = 0; i < o->nwhere; i++)
        if (!o->where[i].field || !*o->where[i].field || !o->where[i].value)
            return fp_error_set(err, FP_ERR_USAGE, "--where: expected FIELD=VALUE");

    /* Rows stream from the store once: a small page cache keeps the memory
     * flat however large the table (the store's default suits imports). */
    int cache = fp_store_cache_size(store, -8192);
    source s = {0};
    fp_style *style = NULL;
    GPtrArray *values = NULL;
    fp_layer **layers = NULL;
    int nlayers = 0;
    char *dir = NULL, *base = NULL, *tmp = NULL;
    fp_status st = source_init(store, o->what, &s, err);
    if (st) goto out;
    if ((st = fp_style_load_ctx(fp_store_context(store), o->style_path, &style, err))) goto out;
    if (s.kind != WHAT_AGGREGATE && (st = fp_style_set_store_categories(style, store, err))) goto out;

    /* Where the files go: -o names a file, or a folder when splitting into
     * one file per layer. */
    int folder = o->split_by && fmt->one_file_per_layer;
    if (folder) {
        dir = g_strdup(o->output);
        base = g_strdup(s.kind == WHAT_PROJECTS ? "projects" : s.name);
        if (g_mkdir_with_parents(dir, 0777) != 0) {
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", dir, strerror(errno));
            goto out;
        }
    } else {
        dir = g_path_get_dirname(o->output);
        char *b = g_path_get_basename(o->output);
        char *dot = strrchr(b, '.');
        if (dot && dot != b) *dot = 0;
        base = b;
        if (g_mkdir_with_parents(dir, 0777) != 0) {
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot create folder: %s", dir, strerror(errno));
            goto out;
        }
    }
    /* The temporary folder carries our PID, so a later export can tell the
     * leftovers of a killed run (its PID gone) and remove them. */
    fp_temp_cleanup(dir, 1);
    char *tmp_name = g_strdup_printf(".footprint-export-%d-XXXXXX", (int)getpid());
    tmp = g_build_filename(dir, tmp_name, NULL);
    g_free(tmp_name);
    if (!g_mkdtemp(tmp)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write here: %s", dir, strerror(errno));
        g_free(tmp);
        tmp = NULL;
        goto out;
    }

    /* A --where or --split-by field that is no column must be a key some
     * project's extra columns carry: a typo must not give an empty layer. */
    for (int i = 0; i <= o->nwhere && !st; i++) {
        const char *f = i < o->nwhere ? o->where[i].field : o->split_by;
        if (!f || field_expr(&s, f)) continue;
        int known = 0;
        sqlite3_stmt *q;
        if (s.has_extra && valid_identifier(f) &&
            sqlite3_prepare_v2(fp_store_sqlite(store), "SELECT EXISTS(SELECT 1 FROM projects WHERE json_extract(extra, ?1) IS NOT NULL)",
                               -1, &q, NULL) == SQLITE_OK) {
            char *path = g_strdup_printf("$.\"%s\"", f);
            sqlite3_bind_text(q, 1, path, -1, SQLITE_TRANSIENT);
            known = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
            sqlite3_finalize(q);
            g_free(path);
        }
        if (!known) {
            GString *names = g_string_new(NULL);
            for (guint k = 0; k < s.field_names->len; k++)
                g_string_append_printf(names, "%s%s", k ? ", " : "", (char *)g_ptr_array_index(s.field_names, k));
            st = fp_error_set(err, FP_ERR_USAGE, "%s %s: no field '%s' in this layer (fields: %s%s)",
                              i < o->nwhere ? "--where" : "--split-by", f, f, names->str,
                              s.has_extra ? ", or a key of the extra columns" : "");
            g_string_free(names, TRUE);
        }
    }
    if (st) goto out;

    /* The layers. */
    values = g_ptr_array_new_with_free_func(g_free);
    if (o->split_by) {
        if ((st = split_values(store, &s, o, values, err))) goto out;
    } else {
        g_ptr_array_add(values, NULL);
    }
    int with_centroids = s.kind == WHAT_AGGREGATE && !o->no_centroids;
    int per_value = with_centroids ? 2 : 1;
    layers = g_new0(fp_layer *, values->len * per_value + 1);
    GHashTable *used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint v = 0; v < values->len && !st; v++) {
        const char *value = g_ptr_array_index(values, v);
        /* Layer names say what the layer is (projects, the aggregation's
         * name, + _VALUE when split); file names come from -o, or from the
         * value in a split folder. */
        const char *kind = s.kind == WHAT_PROJECTS ? "projects" : s.name;
        char *safe = value ? safe_name(value) : NULL;
        char *lname = safe ? g_strdup_printf("%s_%s", s.kind == WHAT_ASSIGNMENTS ? "assignments" : kind, safe)
                           : g_strdup_printf("%s%s", kind, s.kind == WHAT_ASSIGNMENTS ? "_assignments" : "");
        char *fname = folder ? g_strdup(safe) : g_strdup(base);
        g_free(safe);
        for (int k = 2; g_hash_table_contains(used, lname); k++) {   /* two values, one safe name */
            char *next = g_strdup_printf("%s_%d", lname, k), *nextf = g_strdup_printf("%s_%d", fname, k);
            if (!g_hash_table_contains(used, next)) {
                g_free(lname); lname = next;
                g_free(fname); fname = nextf;
                break;
            }
            g_free(next);
            g_free(nextf);
        }
        g_hash_table_add(used, g_strdup(lname));
        int fixed = fmt->driver != NULL;
        st = layer_new(store, &s, o, style, lname, o->split_by ? (value ? value : "") : NULL, 0, fixed, &layers[nlayers], err);
        if (!st) layers[nlayers++]->file = g_strdup(fname);
        if (!st && with_centroids) {
            char *cname = g_strdup_printf("%s_centroids", lname);
            st = layer_new(store, &s, o, style, cname, o->split_by ? value : NULL, 1, fixed, &layers[nlayers], err);
            if (!st) layers[nlayers++]->file = g_strdup_printf("%s_centroids", fname);
            g_free(cname);
        }
        g_free(lname);
        g_free(fname);
    }
    g_hash_table_destroy(used);
    if (st) goto out;

    /* Write into the temporary folder. */
    if (o->append && fmt->one_file_per_layer) {
        st = fp_error_set(err, FP_ERR_USAGE, "--append works with GeoPackage only");
        goto out;
    }
    fp_write_options wo = { .precision = o->precision < 0 ? 6 : o->precision, .bbox = o->bbox,
                            .seq = fmt == &formats[1], .attribution = ATTRIBUTION,
                            .ctx = fp_store_context(store) };
    if (!fmt->one_file_per_layer) {
        char *path = g_strdup_printf("%s/%s%s", tmp, base, fmt->ext);
        long n = 0;
        if (o->append && g_file_test(o->output, G_FILE_TEST_EXISTS)) {
            /* Add to a copy; the original stays as it is until the rename. */
            gchar *bytes = NULL;
            gsize len = 0;
            GError *ge = NULL;
            if (!g_file_get_contents(o->output, &bytes, &len, &ge) || !g_file_set_contents(path, bytes, (gssize)len, &ge)) {
                st = fp_error_set(err, FP_ERR_IO, "%s: %s", o->output, ge ? ge->message : "cannot copy");
                if (ge) g_error_free(ge);
            }
            g_free(bytes);
            wo.update = 1;
        }
        if (!st) {
            /* Styles of layers being replaced go with them. */
            sqlite3 *gdb = NULL;
            if (wo.update && sqlite3_open(path, &gdb) == SQLITE_OK) {
                sqlite3_stmt *q;
                if (sqlite3_prepare_v2(gdb, "DELETE FROM layer_styles WHERE f_table_name=?1", -1, &q, NULL) == SQLITE_OK) {
                    for (int i = 0; i < nlayers; i++) {
                        sqlite3_bind_text(q, 1, layers[i]->name, -1, SQLITE_STATIC);
                        sqlite3_step(q);
                        sqlite3_reset(q);
                    }
                    sqlite3_finalize(q);
                }
            }
            sqlite3_close(gdb);
        }
        if (!st)
            st = fp_ogr_write(fmt->driver, layers, nlayers, path, &wo, &n, err);
        res->features += n;
        res->layers = nlayers;
        if (!st) {
            /* QGIS reads its styles from the layer_styles table. */
            sqlite3 *gdb = NULL;
            if (sqlite3_open(path, &gdb) == SQLITE_OK) {
                char *msg = NULL;
                sqlite3_exec(gdb, "CREATE TABLE IF NOT EXISTS layer_styles(id INTEGER PRIMARY KEY AUTOINCREMENT, "
                             "f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256), "
                             "f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT, "
                             "useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30), "
                             "update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))", NULL, NULL, &msg);
                sqlite3_free(msg);
                sqlite3_stmt *q;
                if (sqlite3_prepare_v2(gdb, "INSERT INTO layer_styles(f_table_catalog, f_table_schema, f_table_name, "
                                       "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description) "
                                       "VALUES('', '', ?1, 'geom', ?2, ?3, '', 1, ?4)", -1, &q, NULL) == SQLITE_OK) {
                    for (int i = 0; i < nlayers; i++) {
                        char *qml = fp_layer_qml(style, layers[i]);
                        if (!qml) continue;
                        sqlite3_bind_text(q, 1, layers[i]->name, -1, SQLITE_STATIC);
                        sqlite3_bind_text(q, 2, fp_style_name(style), -1, SQLITE_STATIC);
                        sqlite3_bind_text(q, 3, qml, -1, SQLITE_TRANSIENT);
                        sqlite3_bind_text(q, 4, "footprint style", -1, SQLITE_STATIC);
                        if (sqlite3_step(q) != SQLITE_DONE && !st)
                            st = fp_error_set(err, FP_ERR_IO, "%s: cannot store the QGIS styles: %s", path, sqlite3_errmsg(gdb));
                        sqlite3_reset(q);
                        free(qml);
                    }
                    sqlite3_finalize(q);
                }
            }
            sqlite3_close(gdb);
        }
        g_free(path);
    } else {
        for (int i = 0; i < nlayers && !st; i++) {
            char *path = g_strdup_printf("%s/%s%s", tmp, layers[i]->file, fmt->ext);
            long n = 0;
            st = fmt->driver ? fp_ogr_write(fmt->driver, &layers[i], 1, path, &wo, &n, err)
                             : fp_geojson_write(layers[i], path, &wo, &n, err);
            res->features += n;
            res->layers++;
            if (!st && fmt->sidecar_qml) {
                char *qpath = g_strdup_printf("%s/%s.qml", tmp, layers[i]->file);
                st = write_qml(style, layers[i], qpath, err);
                g_free(qpath);
            }
            g_free(path);
        }
    }
    if (!st && fp_context_cancelled(fp_store_context(store))) st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
    if (!st) fp_context_pause(fp_store_context(store), "export:write");
    if (!st) {
        snprintf(res->first_path, sizeof res->first_path, "%s/%s%s", dir, nlayers ? layers[0]->file : base, fmt->ext);
        if (!fmt->one_file_per_layer) snprintf(res->first_path, sizeof res->first_path, "%s/%s%s", dir, base, fmt->ext);
        st = move_files(fp_store_context(store), tmp, dir, err);
    }
out:
    if (st && tmp && err) {
        /* Name the target in messages, not the temporary folder. */
        gchar **parts = g_strsplit(err->message, tmp, -1);
        gchar *msg = g_strjoinv(dir, parts);
        snprintf(err->message, sizeof err->message, "%s", msg);
        g_free(msg);
        g_strfreev(parts);
    }
    if (tmp) fp_remove_tree(tmp);
    for (int i = 0; i < nlayers; i++) {
        if (layers[i]->classes) { fp_classes_clear(layers[i]->classes); g_free(layers[i]->classes); }
        fp_layer_free(layers[i]);
    }
    g_free(layers);
    if (values) g_ptr_array_free(values, TRUE);
    g_free(tmp);
    g_free(dir);
    g_free(base);
    fp_style_free(style);
    source_clear(&s);
    fp_store_cache_size(store, cache);
    res->seconds = fp_now() - t0;
    return st;
}
