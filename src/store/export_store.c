/*
 * Layers for `footprint export`: the projects, one level of an aggregation
 * (optionally a point inside each region), an aggregation's assignments,
 * the changes between two editions (the temp table of diff_store.c);
 * filtered by FIELD=VALUE conditions and split by a field's values.
 *
 * Identifiers pasted into SQL are the fixed column lists below or an
 * aggregation's own columns (checked against its table, quoted); every
 * value, keys of `extra` as JSON paths included, is bound.
 */
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <sqlite3.h>
#include "store/pg_internal.h"

/* The projects' layer columns (name = column), then the assignments' with
 * the table each comes from. */
#include "store/layer_columns.h"

void fp_store_layer_columns_free(fp_layer_column *c, int n)
{
    for (int i = 0; c && i < n; i++) free(c[i].name);
    free(c);
}

fp_status fp_store_layer_columns(fp_store *s, fp_layer_kind kind, const char *aggregation, fp_layer_column **out,
                                 int *n, fp_error *err)
{
    if (s->pg) return fpi_pg_layer_columns(s, kind, aggregation, out, n, err);
    *out = NULL;
    *n = 0;
    GArray *a = g_array_new(FALSE, FALSE, sizeof(fp_layer_column));
    fp_status st = FP_OK;
    if (kind == FP_LAYER_PROJECTS) {
        for (int i = 0; i < fpi_nproject_cols; i++)
            g_array_append_val(a, ((fp_layer_column){ strdup(fpi_project_cols[i].name), fpi_project_cols[i].type }));
    } else if (kind == FP_LAYER_ASSIGNMENTS) {
        for (int i = 0; i < fpi_nassign_cols; i++)
            g_array_append_val(a, ((fp_layer_column){ strdup(fpi_assign_cols[i].name), fpi_assign_cols[i].type }));
    } else if (kind == FP_LAYER_DIFF) {
        for (int i = 0; i < fpi_ndiff_cols; i++)
            g_array_append_val(a, ((fp_layer_column){ strdup(fpi_diff_cols[i].name), fpi_diff_cols[i].type }));
    } else {
        /* The aggregation's own columns but id and geom. */
        char *sql = sqlite3_mprintf("SELECT name, type FROM pragma_table_info('agg_%q') ORDER BY cid", aggregation);
        sqlite3_stmt *q;
        st = fpi_store_prepare(s, sql, "reading an aggregation's columns", &q, err);
        sqlite3_free(sql);
        while (!st && sqlite3_step(q) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(q, 0), *t = (const char *)sqlite3_column_text(q, 1);
            if (!strcmp(col, "id") || !strcmp(col, "geom")) continue;
            /* SQLite's affinity rules (its datatype page, 3.1): BIGINT is an integer too. */
            char type = 't';
            if (t && strcasestr(t, "INT")) type = 'i';
            else if (t && (strcasestr(t, "CHAR") || strcasestr(t, "CLOB") || strcasestr(t, "TEXT"))) type = 't';
            else if (t && (strcasestr(t, "REAL") || strcasestr(t, "FLOA") || strcasestr(t, "DOUB"))) type = 'r';
            g_array_append_val(a, ((fp_layer_column){ strdup(col), type }));
        }
        if (!st) sqlite3_finalize(q);
    }
    *n = (int)a->len;
    *out = (fp_layer_column *)(void *)g_array_free(a, FALSE);
    return st;
}

/* ------------------------------------------------------- query builder --- */

/* A layer query being built: SQL text and its text values in order. */
typedef struct build {
    fp_store *s;
    const fp_layer_query *q;
    GString *sql;
    GPtrArray *binds;
    fp_layer_column *agg_cols;   /* AGGREGATE: the table's columns, for field checks */
    int nagg;
    int unlocated;               /* PROJECTS: the rows without a geometry instead */
} build;

/* Appends the SQL of a field's value, or fails for a field the layer lacks. */
static fp_status append_field(build *b, const char *field, fp_error *err)
{
    const fp_layer_query *q = b->q;
    if (q->kind == FP_LAYER_PROJECTS) {
        /* Qualified: json_each (the extra keys' query) has an `id` of its own. */
        int col = !strcmp(field, "id");
        for (int i = 0; i < fpi_nproject_cols && !col; i++) col = !strcmp(fpi_project_cols[i].name, field);
        if (col) {
            g_string_append_printf(b->sql, "projects.%s", field);
        } else {
            g_string_append(b->sql, "json_extract(projects.extra, ?)");
            g_ptr_array_add(b->binds, g_strdup_printf("$.\"%s\"", field));
        }
        return FP_OK;
    }
    if (q->kind == FP_LAYER_ASSIGNMENTS) {
        for (int i = 0; i < fpi_nassign_cols; i++)
            if (!strcmp(fpi_assign_cols[i].name, field)) {
                g_string_append(b->sql, fpi_assign_cols[i].expr);
                return FP_OK;
            }
    } else if (q->kind == FP_LAYER_DIFF) {
        for (int i = 0; i < fpi_ndiff_cols; i++)
            if (!strcmp(fpi_diff_cols[i].name, field)) {
                g_string_append(b->sql, fpi_diff_cols[i].expr);
                return FP_OK;
            }
    } else {
        for (int i = 0; i < b->nagg; i++)
            if (!strcmp(b->agg_cols[i].name, field)) {
                char *e = sqlite3_mprintf("\"%w\"", field);
                g_string_append(b->sql, e);
                sqlite3_free(e);
                return FP_OK;
            }
    }
    return fp_error_set(err, FP_ERR_USAGE, "no field '%s' in this layer", field);
}

/* FROM and WHERE: rows with a geometry (assignments: all), the level, the
 * FIELD=VALUE conditions and the split condition. */
static fp_status append_from_where(build *b, int with_split, fp_error *err)
{
    const fp_layer_query *q = b->q;
    char *from = NULL;
    if (q->kind == FP_LAYER_PROJECTS) {
        from = sqlite3_mprintf(b->unlocated ? " FROM projects WHERE projects.geom IS NULL"
                                             : " FROM projects WHERE projects.geom IS NOT NULL");
    } else if (q->kind == FP_LAYER_AGGREGATE) {
        from = sqlite3_mprintf(" FROM \"agg_%w\" WHERE geom IS NOT NULL AND level = ?", q->aggregation);
        g_ptr_array_add(b->binds, g_strdup(q->level ? q->level : ""));
    } else if (q->kind == FP_LAYER_DIFF) {
        from = sqlite3_mprintf(" FROM temp.fp_diff d JOIN projects p ON p.id = coalesce(d.new_id, d.old_id)"
                               " LEFT JOIN projects o ON o.id = d.old_id WHERE 1");
    } else {
        from = sqlite3_mprintf(" FROM \"agg_%w_assign\" a JOIN projects p ON p.id = a.project_id WHERE 1", q->aggregation);
    }
    g_string_append(b->sql, from);
    sqlite3_free(from);
    fp_status st = FP_OK;
    for (int i = 0; i < q->nwhere && !st; i++) {
        const char *f = q->where_fields[i];
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= !strcmp(q->where_fields[j], f);
        if (seen) continue;                       /* done with its first occurrence */
        g_string_append(b->sql, " AND (");
        int first = 1;
        for (int j = i; j < q->nwhere && !st; j++) {
            if (strcmp(q->where_fields[j], f)) continue;
            if (!first) g_string_append(b->sql, " OR ");
            first = 0;
            g_string_append(b->sql, "CAST(");
            st = append_field(b, f, err);
            g_string_append(b->sql, " AS TEXT) = ?");
            g_ptr_array_add(b->binds, g_strdup(q->where_values[j] ? q->where_values[j] : ""));
        }
        g_string_append(b->sql, ")");
    }
    if (!st && with_split && q->split_field) {
        g_string_append(b->sql, " AND coalesce(CAST(");
        st = append_field(b, q->split_field, err);
        g_string_append(b->sql, " AS TEXT), '') = ?");
        g_ptr_array_add(b->binds, g_strdup(q->split_value ? q->split_value : ""));
    }
    return st;
}

static fp_status build_init(build *b, fp_store *s, const fp_layer_query *q, const char *head, fp_error *err)
{
    memset(b, 0, sizeof *b);
    b->s = s;
    b->q = q;
    b->sql = g_string_new(head);
    b->binds = g_ptr_array_new_with_free_func(g_free);
    if (q->kind != FP_LAYER_PROJECTS && q->kind != FP_LAYER_DIFF && (!q->aggregation || !*q->aggregation))
        return fp_error_set(err, FP_ERR_USAGE, "an aggregation's layer needs its name");
    if (q->kind == FP_LAYER_AGGREGATE) return fp_store_layer_columns(s, q->kind, q->aggregation, &b->agg_cols, &b->nagg, err);
    return FP_OK;
}

static void build_clear(build *b)
{
    if (b->sql) g_string_free(b->sql, TRUE);
    if (b->binds) g_ptr_array_free(b->binds, TRUE);
    fp_store_layer_columns_free(b->agg_cols, b->nagg);
}

/* Prepares the built SQL and binds its values. */
static fp_status build_prepare(build *b, const char *what, sqlite3_stmt **stmt, fp_error *err)
{
    fp_status st = fpi_store_prepare(b->s, b->sql->str, what, stmt, err);
    for (guint k = 0; !st && k < b->binds->len; k++)
        sqlite3_bind_text(*stmt, (int)k + 1, g_ptr_array_index(b->binds, k), -1, SQLITE_TRANSIENT);
    return st;
}

/* -------------------------------------------------------------- queries --- */

fp_status fp_store_layer_rows(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_layer_rows(s, q, out, err);
    *out = NULL;
    const char *head = q->kind == FP_LAYER_ASSIGNMENTS ? "SELECT a.rowid, p.geom"
                     : q->kind == FP_LAYER_DIFF        ? "SELECT d.seq, p.geom"
                     : q->kind == FP_LAYER_PROJECTS   ? "SELECT projects.id, projects.geom"
                     : q->centroids                   ? "SELECT id, ST_PointOnSurface(geom)"
                                                      : "SELECT id, geom";
    build b;
    fp_status st = build_init(&b, s, q, head, err);
    fp_layer_column *cols = NULL;
    int ncols = 0;
    if (!st) st = fp_store_layer_columns(s, q->kind, q->aggregation, &cols, &ncols, err);
    for (int c = 0; c < ncols && !st; c++) {
        g_string_append(b.sql, ", ");
        st = append_field(&b, cols[c].name, err);
    }
    fp_store_layer_columns_free(cols, ncols);
    if (!st) st = append_from_where(&b, 1, err);
    if (!st)
        g_string_append(b.sql, q->kind == FP_LAYER_PROJECTS ? " ORDER BY projects.id"
                             : q->kind == FP_LAYER_AGGREGATE ? " ORDER BY code"
                             : q->kind == FP_LAYER_DIFF ? " ORDER BY d.seq" : " ORDER BY a.rowid");
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading a layer", &stmt, err);
    if (!st && !(*out = fpi_rows_wrap(s, stmt, "reading a layer", 1u << 1, 0, err))) st = FP_ERR_NOMEM;
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_values(fp_store *s, const fp_layer_query *q, const char *field, char ***values, size_t *n,
                                fp_error *err)
{
    if (s->pg) return fpi_pg_layer_values(s, q, field, values, n, err);
    *values = NULL;
    *n = 0;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT DISTINCT coalesce(CAST(", err);
    if (!st) st = append_field(&b, field, err);
    g_string_append(b.sql, " AS TEXT), '')");
    if (!st) st = append_from_where(&b, 0, err);
    g_string_append(b.sql, " ORDER BY 1");
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading a layer's values", &stmt, err);
    if (!st) {
        GPtrArray *a = g_ptr_array_new();
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) g_ptr_array_add(a, g_strdup((const char *)sqlite3_column_text(stmt, 0)));
        if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading a layer's values", err);
        *n = a->len;
        g_ptr_array_add(a, NULL);
        *values = (char **)g_ptr_array_free(a, FALSE);   /* fp_store_strings_free */
        sqlite3_finalize(stmt);
    }
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_mixed(fp_store *s, const fp_layer_query *q, int *mixed, fp_error *err)
{
    if (s->pg) return fpi_pg_layer_mixed(s, q, mixed, err);
    *mixed = 0;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT EXISTS(SELECT 1", err);
    if (!st) st = append_from_where(&b, 1, err);
    /* The blob's class field (bytes 40-43) is 1 for a 2D point. */
    g_string_append(b.sql, q->kind == FP_LAYER_ASSIGNMENTS || q->kind == FP_LAYER_DIFF ? " AND substr(p.geom, 40, 4) <> X'01000000')"
                         : q->kind == FP_LAYER_PROJECTS   ? " AND substr(projects.geom, 40, 4) <> X'01000000')"
                                                          : " AND substr(geom, 40, 4) <> X'01000000')");
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading a layer's geometry types", &stmt, err);
    if (!st) {
        if (sqlite3_step(stmt) == SQLITE_ROW) *mixed = sqlite3_column_int(stmt, 0);
        else st = fpi_store_db_error(s, "reading a layer's geometry types", err);
        sqlite3_finalize(stmt);
    }
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_unlocated(fp_store *s, const fp_layer_query *q, int64_t *n, fp_error *err)
{
    if (s->pg) return fpi_pg_layer_unlocated(s, q, n, err);
    *n = 0;
    if (q->kind != FP_LAYER_PROJECTS) return FP_OK;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT count(*)", err);
    b.unlocated = 1;
    if (!st) st = append_from_where(&b, 1, err);
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "counting the projects without a location", &stmt, err);
    if (!st) {
        if (sqlite3_step(stmt) == SQLITE_ROW) *n = sqlite3_column_int64(stmt, 0);
        else st = fpi_store_db_error(s, "counting the projects without a location", err);
        sqlite3_finalize(stmt);
    }
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_field_has_values(fp_store *s, const fp_layer_query *q, const char *field, int *has,
                                          fp_error *err)
{
    if (s->pg) return fpi_pg_layer_field_has_values(s, q, field, has, err);
    *has = 0;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT EXISTS(SELECT 1", err);
    if (!st) st = append_from_where(&b, 1, err);
    if (!st) {
        g_string_append(b.sql, " AND ");
        st = append_field(&b, field, err);
        g_string_append(b.sql, " IS NOT NULL)");
    }
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading a layer's values", &stmt, err);
    if (!st) {
        if (sqlite3_step(stmt) == SQLITE_ROW) *has = sqlite3_column_int(stmt, 0);
        else st = fpi_store_db_error(s, "reading a layer's values", err);
        sqlite3_finalize(stmt);
    }
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_kinds(fp_store *s, const fp_layer_query *q, int *points, int *lines, int *areas,
                               fp_error *err)
{
    if (s->pg) return fpi_pg_layer_kinds(s, q, points, lines, areas, err);
    *points = *lines = *areas = 0;
    const char *g = q->kind == FP_LAYER_ASSIGNMENTS || q->kind == FP_LAYER_DIFF ? "p.geom"
                  : q->kind == FP_LAYER_PROJECTS ? "projects.geom" : "geom";
    /* SpatiaLite's names: 'POINT', 'MULTILINESTRING Z', ... */
    char *head = sqlite3_mprintf("SELECT coalesce(max(GeometryType(%s) LIKE 'POINT%%' OR GeometryType(%s) LIKE 'MULTIPOINT%%'), 0),"
                                 " coalesce(max(GeometryType(%s) LIKE '%%LINESTRING%%'), 0),"
                                 " coalesce(max(GeometryType(%s) LIKE '%%POLYGON%%'), 0)", g, g, g, g);
    build b;
    fp_status st = build_init(&b, s, q, head, err);
    sqlite3_free(head);
    if (!st) st = append_from_where(&b, 1, err);
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading a layer's geometry types", &stmt, err);
    if (!st) {
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            *points = sqlite3_column_int(stmt, 0);
            *lines = sqlite3_column_int(stmt, 1);
            *areas = sqlite3_column_int(stmt, 2);
        } else {
            st = fpi_store_db_error(s, "reading a layer's geometry types", err);
        }
        sqlite3_finalize(stmt);
    }
    build_clear(&b);
    return st;
}

fp_status fp_store_layer_extra_keys(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err)
{
    if (s->pg) return fpi_pg_layer_extra_keys(s, q, out, err);
    *out = NULL;
    if (q->kind != FP_LAYER_PROJECTS) return fp_error_set(err, FP_ERR_USAGE, "only projects have extra columns");
    build b;
    fp_status st = build_init(&b, s, q,
        "SELECT j.key, max(j.type = 'integer'), max(j.type = 'real'), max(j.type IN ('true', 'false')),"
        " max(j.type = 'text'),"
        " min(CASE WHEN j.type = 'integer' THEN j.atom END), max(CASE WHEN j.type = 'integer' THEN j.atom END),"
        " max(j.type IN ('array', 'object'))", err);
    /* The FROM of the layer with json_each of each row's extra. */
    if (!st) st = append_from_where(&b, 1, err);
    if (!st) {
        const char *p = strstr(b.sql->str, " FROM projects");
        g_string_insert(b.sql, p - b.sql->str + (long)strlen(" FROM projects"), ", json_each(projects.extra) j");
        g_string_append(b.sql, " GROUP BY j.key ORDER BY j.key");
    }
    sqlite3_stmt *stmt = NULL;
    if (!st) st = build_prepare(&b, "reading the extra columns", &stmt, err);
    if (!st && !(*out = fpi_rows_wrap(s, stmt, "reading the extra columns", 0, 0, err))) st = FP_ERR_NOMEM;
    build_clear(&b);
    return st;
}

fp_status fp_store_aggregation_unassigned(fp_store *s, const char *name, const char *level, double *projects,
                                          fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_unassigned(s, name, level, projects, err);
    *projects = 0;
    char *sql = sqlite3_mprintf("SELECT projects_weighted FROM \"agg_%w\" WHERE level=?1 AND code='_unassigned'", name);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading an aggregation", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) *projects = sqlite3_column_double(q, 0);
    else if (rc != SQLITE_DONE) st = fpi_store_db_error(s, "reading an aggregation", err);
    sqlite3_finalize(q);
    return st;
}

fp_status fp_store_aggregation_level_rows(fp_store *s, const char *name, const char *level, int64_t *n, fp_error *err)
{
    if (s->pg) return fpi_pg_aggregation_level_rows(s, name, level, n, err);
    *n = 0;
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"agg_%w\" WHERE level=?1", name);
    sqlite3_stmt *q;
    fp_status st = fpi_store_prepare(s, sql, "reading an aggregation", &q, err);
    sqlite3_free(sql);
    if (st) return st;
    sqlite3_bind_text(q, 1, level, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) *n = sqlite3_column_int64(q, 0);
    else st = fpi_store_db_error(s, "reading an aggregation", err);
    sqlite3_finalize(q);
    return st;
}
