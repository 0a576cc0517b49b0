/*
 * Export layers on PostGIS (the projects, an aggregation's level or its
 * assignments, the changes between two editions): the same rows, in the same order and with the
 * same types as export_store.c gives on SpatiaLite, so that a GeoJSON
 * export is byte-identical from either engine.
 *
 * What keeps the two alike:
 *   - orders by code and by value use COLLATE "C" (SQLite compares bytes);
 *   - an aggregation's rows by id, assignments by their id (the order they
 *     were written: SQLite's rowid);
 *   - an `extra` key reads as SQLite's json_extract gives it: a string's
 *     text, a number's text, true/false as 1/0, JSON null as NULL;
 *   - geometries leave as ST_AsBinary's WKB.
 * Identifiers are an aggregation's validated name and its table's own
 * columns, quoted with PQescapeIdentifier; every value is a parameter.
 */
#include <stdlib.h>
#include <string.h>
#include "store/pg_internal.h"

/* The projects' layer columns, as export_store.c lists them. */
#include "store/layer_columns.h"

/* "agg_NAME" (suffix "" or "_assign") quoted; free with g_free. */
static char *agg_table(fp_store *s, const char *name, const char *suffix)
{
    char *t = g_strdup_printf("agg_%s%s", name, suffix);
    char *q = fpi_pg_ident(s, t);
    char *out = g_strdup(q);
    PQfreemem(q);
    g_free(t);
    return out;
}

fp_status fpi_pg_layer_columns(fp_store *s, fp_layer_kind kind, const char *aggregation, fp_layer_column **out,
                              int *n, fp_error *err)
{
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
        /* The aggregation's own columns but id and geom, in table order
         * (the group columns follow the fixed ones on both engines). */
        char *t = g_strdup_printf("agg_%s", aggregation ? aggregation : "");
        const char *v[] = { t };
        PGresult *r = fpi_pg_exec(s, "SELECT column_name, data_type FROM information_schema.columns"
                                    " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                                 1, v);
        g_free(t);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            st = fpi_pg_error(s, r, "reading an aggregation's columns", err);
        } else {
            for (int i = 0; i < PQntuples(r); i++) {
                const char *col = PQgetvalue(r, i, 0), *dt = PQgetvalue(r, i, 1);
                if (!strcmp(col, "id") || !strcmp(col, "geom")) continue;
                char type = strstr(dt, "int") ? 'i'
                          : (!strcmp(dt, "double precision") || !strcmp(dt, "real") || !strcmp(dt, "numeric")) ? 'r'
                                                                                                            : 't';
                g_array_append_val(a, ((fp_layer_column){ strdup(col), type }));
            }
            PQclear(r);
        }
    }
    *n = (int)a->len;
    *out = (fp_layer_column *)(void *)g_array_free(a, FALSE);
    return st;
}

/* ------------------------------------------------------- query builder --- */

typedef struct build {
    fp_store *s;
    const fp_layer_query *q;
    GString *sql;
    GPtrArray *binds;
    fp_layer_column *agg_cols;
    int nagg;
    int unlocated;               /* PROJECTS: the rows without a geometry instead */
} build;

/* $n for a new text value. */
static void bind(build *b, char *value)
{
    g_ptr_array_add(b->binds, value);
    g_string_append_printf(b->sql, "$%u::text", b->binds->len);
}

static fp_status append_field(build *b, const char *field, fp_error *err)
{
    const fp_layer_query *q = b->q;
    if (q->kind == FP_LAYER_PROJECTS) {
        int col = !strcmp(field, "id");
        for (int i = 0; i < fpi_nproject_cols && !col; i++) col = !strcmp(fpi_project_cols[i].name, field);
        if (col) {
            g_string_append_printf(b->sql, "projects.%s", field);
        } else {
            /* SQLite's json_extract: booleans as 1/0, JSON null as NULL. */
            g_string_append(b->sql, "(SELECT CASE json_typeof(v) WHEN 'boolean' THEN CASE WHEN v::text = 'true'"
                                    " THEN '1' ELSE '0' END WHEN 'null' THEN NULL ELSE v #>> '{}' END"
                                    " FROM (SELECT projects.extra::json -> ");
            bind(b, g_strdup(field));
            g_string_append(b->sql, " AS v) AS x)");
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
                char *e = fpi_pg_ident(b->s, field);
                g_string_append(b->sql, e);
                PQfreemem(e);
                return FP_OK;
            }
    }
    return fp_error_set(err, FP_ERR_USAGE, "no field '%s' in this layer", field);
}

static fp_status append_from_where(build *b, int with_split, fp_error *err)
{
    const fp_layer_query *q = b->q;
    if (q->kind == FP_LAYER_PROJECTS) {
        g_string_append(b->sql, b->unlocated ? " FROM projects WHERE projects.geom IS NULL"
                                             : " FROM projects WHERE projects.geom IS NOT NULL");
    } else if (q->kind == FP_LAYER_AGGREGATE) {
        char *t = agg_table(b->s, q->aggregation, "");
        g_string_append_printf(b->sql, " FROM %s WHERE geom IS NOT NULL AND level = ", t);
        g_free(t);
        bind(b, g_strdup(q->level ? q->level : ""));
    } else if (q->kind == FP_LAYER_DIFF) {
        /* The changes the diff kept on the client (pg_diff.c), bound as
         * arrays: the query writes nothing, so a read-only session runs it. */
        static const char *const types[FPI_PG_DIFF_COLS] = { "text", "text", "bigint", "bigint", "float8", "text", "text" };
        g_string_append(b->sql, " FROM unnest(");
        for (int c = 0; c < FPI_PG_DIFF_COLS; c++) {
            if (c) g_string_append(b->sql, ", ");
            bind(b, g_strdup(b->s->pg->diff_cols[c] ? b->s->pg->diff_cols[c] : "{}"));
            g_string_append_printf(b->sql, "::%s[]", types[c]);
        }
        g_string_append(b->sql, ") WITH ORDINALITY AS d(change, matched_by, old_id, new_id, distance_m, fields, details, seq)"
                                " JOIN projects p ON p.id = coalesce(d.new_id, d.old_id)"
                                " LEFT JOIN projects o ON o.id = d.old_id WHERE TRUE");
    } else {
        char *t = agg_table(b->s, q->aggregation, "_assign");
        g_string_append_printf(b->sql, " FROM %s a JOIN projects p ON p.id = a.project_id WHERE TRUE", t);
        g_free(t);
    }
    fp_status st = FP_OK;
    for (int i = 0; i < q->nwhere && !st; i++) {
        const char *f = q->where_fields[i];
        int seen = 0;
        for (int j = 0; j < i; j++) seen |= !strcmp(q->where_fields[j], f);
        if (seen) continue;
        g_string_append(b->sql, " AND (");
        int first = 1;
        for (int j = i; j < q->nwhere && !st; j++) {
            if (strcmp(q->where_fields[j], f)) continue;
            if (!first) g_string_append(b->sql, " OR ");
            first = 0;
            g_string_append(b->sql, "CAST(");
            st = append_field(b, f, err);
            g_string_append(b->sql, " AS text) = ");
            bind(b, g_strdup(q->where_values[j] ? q->where_values[j] : ""));
        }
        g_string_append(b->sql, ")");
    }
    if (!st && with_split && q->split_field) {
        g_string_append(b->sql, " AND coalesce(CAST(");
        st = append_field(b, q->split_field, err);
        g_string_append(b->sql, " AS text), '') = ");
        bind(b, g_strdup(q->split_value ? q->split_value : ""));
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
    if (q->kind == FP_LAYER_AGGREGATE) return fpi_pg_layer_columns(s, q->kind, q->aggregation, &b->agg_cols, &b->nagg, err);
    return FP_OK;
}

static void build_clear(build *b)
{
    if (b->sql) g_string_free(b->sql, TRUE);
    if (b->binds) g_ptr_array_free(b->binds, TRUE);
    fp_store_layer_columns_free(b->agg_cols, b->nagg);
}

static fp_rows *build_query(build *b, const char *what, unsigned wkb_cols, int cursor, fp_error *err)
{
    return fpi_pg_rows_query(b->s, b->sql->str, (int)b->binds->len, (const char *const *)b->binds->pdata, what,
                            wkb_cols, cursor, err);
}

/* -------------------------------------------------------------- queries --- */

fp_status fpi_pg_layer_rows(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err)
{
    *out = NULL;
    const char *head = q->kind == FP_LAYER_ASSIGNMENTS ? "SELECT a.id, ST_AsBinary(p.geom)"
                     : q->kind == FP_LAYER_DIFF        ? "SELECT d.seq, ST_AsBinary(p.geom)"
                     : q->kind == FP_LAYER_PROJECTS   ? "SELECT projects.id, ST_AsBinary(projects.geom)"
                     : q->centroids                   ? "SELECT id, ST_AsBinary(ST_PointOnSurface(geom))"
                                                      : "SELECT id, ST_AsBinary(geom)";
    build b;
    fp_status st = build_init(&b, s, q, head, err);
    fp_layer_column *cols = NULL;
    int ncols = 0;
    if (!st) st = fpi_pg_layer_columns(s, q->kind, q->aggregation, &cols, &ncols, err);
    for (int c = 0; c < ncols && !st; c++) {
        g_string_append(b.sql, ", ");
        st = append_field(&b, cols[c].name, err);
    }
    fp_store_layer_columns_free(cols, ncols);
    if (!st) st = append_from_where(&b, 1, err);
    if (!st)
        g_string_append(b.sql, q->kind == FP_LAYER_PROJECTS ? " ORDER BY projects.id"
                             : q->kind == FP_LAYER_AGGREGATE ? " ORDER BY code COLLATE \"C\""
                             : q->kind == FP_LAYER_DIFF ? " ORDER BY d.seq" : " ORDER BY a.id");
    /* A cursor: a projects layer may be millions of rows. */
    if (!st && !(*out = build_query(&b, "reading a layer", 1u << 1, 1, err))) st = err ? err->code : FP_ERR_DB;
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_values(fp_store *s, const fp_layer_query *q, const char *field, char ***values, size_t *n,
                             fp_error *err)
{
    *values = NULL;
    *n = 0;
    build b;
    /* COLLATE in the select list: DISTINCT orders only by what it selects. */
    fp_status st = build_init(&b, s, q, "SELECT DISTINCT coalesce(CAST(", err);
    if (!st) st = append_field(&b, field, err);
    g_string_append(b.sql, " AS text), '') COLLATE \"C\"");
    if (!st) st = append_from_where(&b, 0, err);
    g_string_append(b.sql, " ORDER BY 1");
    fp_rows *r = NULL;
    if (!st && !(r = build_query(&b, "reading a layer's values", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    if (!st) {
        GPtrArray *a = g_ptr_array_new();
        while (fp_rows_next(r)) g_ptr_array_add(a, g_strdup(fp_rows_text(r, 0)));
        st = fp_rows_status(r, err);
        *n = a->len;
        g_ptr_array_add(a, NULL);
        *values = (char **)g_ptr_array_free(a, FALSE);
    }
    fp_rows_free(r);
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_mixed(fp_store *s, const fp_layer_query *q, int *mixed, fp_error *err)
{
    *mixed = 0;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT EXISTS(SELECT 1", err);
    if (!st) st = append_from_where(&b, 1, err);
    /* A 2D point is ST_Point; anything else (a multipoint too) is mixed. */
    g_string_append(b.sql, q->kind == FP_LAYER_ASSIGNMENTS || q->kind == FP_LAYER_DIFF ? " AND ST_GeometryType(p.geom) <> 'ST_Point')"
                         : q->kind == FP_LAYER_PROJECTS   ? " AND ST_GeometryType(projects.geom) <> 'ST_Point')"
                                                          : " AND ST_GeometryType(geom) <> 'ST_Point')");
    fp_rows *r = NULL;
    if (!st && !(r = build_query(&b, "reading a layer's geometry types", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    if (!st) {
        if (fp_rows_next(r)) *mixed = !strcmp(fp_rows_text(r, 0), "t");
        st = fp_rows_status(r, err);
    }
    fp_rows_free(r);
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_unlocated(fp_store *s, const fp_layer_query *q, int64_t *n, fp_error *err)
{
    *n = 0;
    if (q->kind != FP_LAYER_PROJECTS) return FP_OK;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT count(*)", err);
    b.unlocated = 1;
    if (!st) st = append_from_where(&b, 1, err);
    fp_rows *r = NULL;
    if (!st && !(r = build_query(&b, "counting the projects without a location", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    if (!st) {
        if (fp_rows_next(r)) *n = fp_rows_int64(r, 0);
        st = fp_rows_status(r, err);
    }
    fp_rows_free(r);
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_field_has_values(fp_store *s, const fp_layer_query *q, const char *field, int *has,
                                        fp_error *err)
{
    *has = 0;
    build b;
    fp_status st = build_init(&b, s, q, "SELECT EXISTS(SELECT 1", err);
    if (!st) st = append_from_where(&b, 1, err);
    if (!st) {
        g_string_append(b.sql, " AND ");
        st = append_field(&b, field, err);
        g_string_append(b.sql, " IS NOT NULL)");
    }
    fp_rows *r = NULL;
    if (!st && !(r = build_query(&b, "reading a layer's values", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    if (!st) {
        if (fp_rows_next(r)) *has = !strcmp(fp_rows_text(r, 0), "t");
        st = fp_rows_status(r, err);
    }
    fp_rows_free(r);
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_kinds(fp_store *s, const fp_layer_query *q, int *points, int *lines, int *areas,
                             fp_error *err)
{
    *points = *lines = *areas = 0;
    const char *g = q->kind == FP_LAYER_ASSIGNMENTS || q->kind == FP_LAYER_DIFF ? "p.geom"
                  : q->kind == FP_LAYER_PROJECTS ? "projects.geom" : "geom";
    char *head = g_strdup_printf("SELECT coalesce(bool_or(ST_GeometryType(%s) IN ('ST_Point', 'ST_MultiPoint')), false),"
                                 " coalesce(bool_or(ST_GeometryType(%s) IN ('ST_LineString', 'ST_MultiLineString')), false),"
                                 " coalesce(bool_or(ST_GeometryType(%s) IN ('ST_Polygon', 'ST_MultiPolygon')), false)",
                                 g, g, g);
    build b;
    fp_status st = build_init(&b, s, q, head, err);
    g_free(head);
    if (!st) st = append_from_where(&b, 1, err);
    fp_rows *r = NULL;
    if (!st && !(r = build_query(&b, "reading a layer's geometry types", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    if (!st) {
        if (fp_rows_next(r)) {
            *points = !strcmp(fp_rows_text(r, 0), "t");
            *lines = !strcmp(fp_rows_text(r, 1), "t");
            *areas = !strcmp(fp_rows_text(r, 2), "t");
        }
        st = fp_rows_status(r, err);
    }
    fp_rows_free(r);
    build_clear(&b);
    return st;
}

fp_status fpi_pg_layer_extra_keys(fp_store *s, const fp_layer_query *q, fp_rows **out, fp_error *err)
{
    *out = NULL;
    if (q->kind != FP_LAYER_PROJECTS) return fp_error_set(err, FP_ERR_USAGE, "only projects have extra columns");
    build b;
    /* SQLite's json_each types: a number is an integer when its text is
     * digits within 64 bits, else real; a string is text. */
    fp_status st = build_init(&b, s, q,
        "SELECT j.key, bool_or(j.t = 'integer')::int, bool_or(j.t = 'real')::int, bool_or(j.t = 'boolean')::int,"
        " bool_or(j.t = 'string')::int,"
        " min(CASE WHEN j.t = 'integer' THEN j.value::text::numeric END),"
        " max(CASE WHEN j.t = 'integer' THEN j.value::text::numeric END),"
        " bool_or(j.t IN ('array', 'object'))::int", err);
    if (!st) st = append_from_where(&b, 1, err);
    if (!st) {
        const char *p = strstr(b.sql->str, " FROM projects");
        g_string_insert(b.sql, p - b.sql->str + (long)strlen(" FROM projects"),
            ", LATERAL (SELECT e.key, e.value, CASE json_typeof(e.value) WHEN 'number' THEN"
            " CASE WHEN e.value::text ~ '^-?[0-9]{1,19}$' AND e.value::text::numeric"
            " BETWEEN -9223372036854775808 AND 9223372036854775807 THEN 'integer' ELSE 'real' END"
            " ELSE json_typeof(e.value) END AS t FROM json_each(projects.extra::json) AS e) AS j");
        g_string_append(b.sql, " GROUP BY j.key ORDER BY j.key COLLATE \"C\"");
    }
    if (!st && !(*out = build_query(&b, "reading the extra columns", 0, 0, err))) st = err ? err->code : FP_ERR_DB;
    build_clear(&b);
    return st;
}

fp_status fpi_pg_aggregation_unassigned(fp_store *s, const char *name, const char *level, double *projects, fp_error *err)
{
    *projects = 0;
    char *t = agg_table(s, name, "");
    char *sql = g_strdup_printf("SELECT projects_weighted FROM %s WHERE level = $1 AND code = '_unassigned'", t);
    g_free(t);
    const char *v[] = { level };
    PGresult *r = fpi_pg_exec(s, sql, 1, v);
    g_free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading an aggregation", err);
    if (PQntuples(r) > 0) *projects = strtod(PQgetvalue(r, 0, 0), NULL);
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_aggregation_level_rows(fp_store *s, const char *name, const char *level, int64_t *n, fp_error *err)
{
    *n = 0;
    char *t = agg_table(s, name, "");
    char *sql = g_strdup_printf("SELECT count(*) FROM %s WHERE level = $1", t);
    g_free(t);
    const char *v[] = { level };
    PGresult *r = fpi_pg_exec(s, sql, 1, v);
    g_free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading an aggregation", err);
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_regions_rows(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, "SELECT id, ST_AsBinary(geom), code, name, parent, continent, subregion FROM regions"
                               " WHERE level = $1 AND geom IS NOT NULL ORDER BY code COLLATE \"C\"",
                            1, v, "reading regions", 1u << 1, 0, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}
