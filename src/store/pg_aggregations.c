/*
 * Aggregations on PostGIS: writing a result (rows and assignments streamed
 * through COPY) and reading the catalogue.
 *
 * Replacing an aggregation is atomic for readers: the new tables are built
 * under temporary names while the old ones stay readable, then, in the
 * same transaction, the old ones are dropped and the new renamed into
 * place. A reader sees the old result or the new, never half (PostgreSQL
 * looks a name up again when the table it waited for was replaced). Two
 * aggregations of the same name queue on an advisory lock on the name.
 *
 * Table names come from a validated identifier and are quoted; values are
 * parameters or COPY data.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/gdal_api.h"
#include "common/util.h"
#include "store/pg_internal.h"

/* PostgreSQL cuts identifiers at 63 bytes; the longest suffix added is 4. */
#define MAX_TABLE 59

struct fp_pg_agg_writer {
    fp_store *store;
    fp_aggregation_desc d;
    char tmp_rows[64], tmp_assign[64], tmp_columns[64];
    int copying;               /* 1: the rows' COPY, 2: the assignments' */
    long nrows, nassign;
    GString *buf;
};

static int valid_identifier(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MAX_TABLE) return 0;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_') return 0;
    return 1;
}

static fp_status exec_ident(fp_store *s, const char *fmt, const char *a, const char *b, fp_error *err)
{
    char *qa = fpi_pg_ident(s, a), *qb = b ? fpi_pg_ident(s, b) : NULL;
    char *sql = g_strdup_printf(fmt, qa, qb ? qb : "");
    PQfreemem(qa);
    PQfreemem(qb);
    fp_status st = fpi_pg_command(s, sql, 0, NULL, "storing the aggregation", err);
    g_free(sql);
    return st;
}

/* Whether the existing tables of the aggregation can be replaced by this
 * role, checked before the work (minutes at 10M points) rather than met at
 * the DROP: PostgreSQL lets only a table's owner (or a role that has the
 * owner's privileges: a member of the owning role) drop it, and refuses to
 * drop a table a view reads. footprint neither works around the first
 * (no SECURITY DEFINER: who may replace a colleague's tables is the DBA's
 * decision, and a group role that owns them is the way, README "Working
 * as a team") nor drops a view with CASCADE: it says which and stops. */
static fp_status check_replaceable(fp_store *s, const fp_aggregation_desc *d, fp_error *err)
{
    char *cols = g_strdup_printf("%s_columns", d->table);
    const char *v[] = { d->table, d->assign_table, cols };
    PGresult *r = fpi_pg_exec(s, "SELECT c.relname, pg_get_userbyid(c.relowner) FROM (VALUES ($1), ($2), ($3)) AS t(name)"
                                 " JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))"
                                 " WHERE NOT pg_has_role(c.relowner, 'USAGE') ORDER BY 1 LIMIT 1", 3, v);
    fp_status st = FP_OK;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "storing the aggregation", err);
    else {
        if (PQntuples(r) > 0)
            st = fp_error_set(err, FP_ERR_STATE, "%s: aggregation '%s' left unchanged: its table %s belongs to role %s,"
                              " and only its owner (or a member of the owning role) may replace it; have %s run it, or"
                              " let a group role own the aggregations (README: Working as a team: PostGIS)",
                              s->path, d->name, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 1));
        PQclear(r);
    }
    if (!st) {
        /* Views and materialized views reading the tables (their rewrite
         * rules depend on them); the view's own rule excluded. */
        r = fpi_pg_exec(s, "SELECT string_agg(DISTINCT format('%s %s', CASE v.relkind WHEN 'm' THEN 'materialized view'"
                           " ELSE 'view' END, v.oid::regclass), ', '), min(c.relname) FROM (VALUES ($1), ($2), ($3)) AS t(name)"
                           " JOIN pg_class c ON c.oid = to_regclass(quote_ident(t.name))"
                           " JOIN pg_depend dep ON dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid"
                           "  AND dep.classid = 'pg_rewrite'::regclass"
                           " JOIN pg_rewrite w ON w.oid = dep.objid JOIN pg_class v ON v.oid = w.ev_class AND v.oid <> c.oid",
                        3, v);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "storing the aggregation", err);
        else {
            if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
                st = fp_error_set(err, FP_ERR_STATE, "%s: aggregation '%s' left unchanged: %s depends on %s, which a"
                                  " re-run replaces; drop it, run the aggregation again, then create it again",
                                  s->path, d->name, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1));
            PQclear(r);
        }
    }
    g_free(cols);
    return st;
}

/* The explicit grants of a table being replaced, given again on its
 * replacement (in the swap's transaction, so nobody sees the new table
 * without them): a viewer granted SELECT on agg_NAME keeps it across
 * re-runs. The new table already has what ALTER DEFAULT PRIVILEGES gives
 * its creator's tables; the old grants are added to those, not put in
 * their place (a default privilege granted since the first run applies).
 * The owner's own entry is its ownership, not a grant, and is skipped;
 * column privileges (attacl) are not carried. */
static fp_status copy_grants(fp_store *s, const char *old_table, const char *new_table, fp_error *err)
{
    const char *v[] = { old_table, new_table };
    PGresult *r = fpi_pg_exec(s, "SELECT format('GRANT %s ON TABLE %I TO %s%s', a.privilege_type, $2::text,"
                                 " CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,"
                                 " CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)"
                                 " FROM pg_class c, aclexplode(c.relacl) a"
                                 " WHERE c.oid = to_regclass(quote_ident($1)) AND a.grantee <> c.relowner ORDER BY 1", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "carrying the grants of the replaced tables", err);
    fp_status st = FP_OK;
    for (int i = 0; !st && i < PQntuples(r); i++)
        st = fpi_pg_command(s, PQgetvalue(r, i, 0), 0, NULL, "carrying the grants of the replaced tables", err);
    PQclear(r);
    return st;
}

/* The old tables out. A view or an owner that check_replaceable did not
 * see (made by another session since) still ends in one line saying the
 * aggregation is unchanged, with PostgreSQL's detail (which names the view). */
static fp_status drop_old(fp_store *s, const fp_aggregation_desc *d, fp_error *err)
{
    char *qt = fpi_pg_ident(s, d->table), *qa = fpi_pg_ident(s, d->assign_table);
    char *cols = g_strdup_printf("%s_columns", d->table);
    char *qc = fpi_pg_ident(s, cols);
    char *sql = g_strdup_printf("DROP TABLE IF EXISTS %s, %s, %s", qt, qa, qc);
    PQfreemem(qt); PQfreemem(qa); PQfreemem(qc); g_free(cols);
    PGresult *r = fpi_pg_exec(s, sql, 0, NULL);
    g_free(sql);
    if (PQresultStatus(r) == PGRES_COMMAND_OK) { PQclear(r); return FP_OK; }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    if (state && (!strcmp(state, "2BP01") || !strcmp(state, "42501"))) {
        char *why = g_strdup(detail && *detail ? detail : PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY));
        for (char *p = why; *p; p++) if (*p == '\n' || *p == '\t') *p = ' ';
        fp_status st = fp_error_set(err, FP_ERR_STATE, "%s: aggregation '%s' left unchanged: %s%s", s->path, d->name, why,
                                    !strcmp(state, "42501") ? " (only the tables' owner or a member of the owning role may"
                                                              " replace them: README, Working as a team: PostGIS)"
                                                            : "; drop it, run the aggregation again, then create it again");
        g_free(why);
        PQclear(r);
        return st;
    }
    return fpi_pg_error(s, r, "storing the aggregation", err);
}

/* ", col1<type>, col2<type>...": the aggregation's group columns, quoted. */
static void append_group_columns(fp_store *s, GString *sql, const fp_aggregation_desc *d, const char *type)
{
    for (size_t c = 0; c < d->ncolumns; c++) {
        char *q = fpi_pg_ident(s, d->column_names[c]);
        g_string_append_printf(sql, ", %s%s", q, type);
        PQfreemem(q);
    }
}


fp_status fpi_pg_aggregation_new(fp_store *s, const fp_aggregation_desc *d, fp_pg_agg_writer **out, fp_error *err)
{
    *out = NULL;
    if (!valid_identifier(d->table) || !valid_identifier(d->assign_table))
        return fp_error_set(err, FP_ERR_USAGE, "'%s' is not a valid aggregation name on PostGIS (letters, digits, _;"
                            " tables at most %d characters)", d->name, MAX_TABLE);
    for (size_t c = 0; c < d->ncolumns; c++)
        if (!valid_identifier(d->column_names[c]))
            return fp_error_set(err, FP_ERR_USAGE, "'%s' is not a valid column name", d->column_names[c]);
    fp_pg_agg_writer *w = calloc(1, sizeof *w);
    if (!w) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    w->store = s;
    w->d = *d;
    w->buf = g_string_sized_new(1 << 16);
    /* One writer of a name at a time; the other waits for its commit. */
    char *key = g_strdup_printf("footprint aggregation %s", d->name);
    const char *kv[] = { key };
    fp_status st = fpi_pg_command(s, "SELECT pg_advisory_xact_lock(hashtext($1))", 1, kv, "waiting for another "
                                 "aggregation of the same name", err);
    g_free(key);
    if (!st) st = check_replaceable(s, d, err);
    /* Temporary names unique in the cluster's life: this transaction's id. */
    PGresult *r = st ? NULL : fpi_pg_exec(s, "SELECT txid_current()", 0, NULL);
    if (!st && PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "storing the aggregation", err);
    else if (!st) {
        snprintf(w->tmp_rows, sizeof w->tmp_rows, "fp_new_%s_r", PQgetvalue(r, 0, 0));
        snprintf(w->tmp_assign, sizeof w->tmp_assign, "fp_new_%s_a", PQgetvalue(r, 0, 0));
        snprintf(w->tmp_columns, sizeof w->tmp_columns, "fp_new_%s_c", PQgetvalue(r, 0, 0));
        PQclear(r);
    }
    if (!st) {
        GString *create = g_string_new(NULL);
        g_string_append_printf(create,
            "CREATE TABLE %s(id bigint NOT NULL, level text NOT NULL, code text NOT NULL, name text, parent text,"
            " area_km2 double precision, population bigint, projects bigint NOT NULL,"
            " projects_weighted double precision NOT NULL, companies bigint NOT NULL, amount double precision,"
            " year_first integer, year_last integer, per_10k_km2 double precision, per_million double precision,%s"
            " geom geometry(MultiPolygon, 4326)", w->tmp_rows, d->has_length ? " length_km double precision NOT NULL," : "");
        append_group_columns(s, create, d, " double precision NOT NULL");
        g_string_append(create, ")");
        st = fpi_pg_command(s, create->str, 0, NULL, "storing the aggregation", err);
        g_string_free(create, TRUE);
    }
    /* id: the order written, SpatiaLite's rowid (the assignments layer's
     * feature ids and order); also the key QGIS's postgres provider wants. */
    if (!st) st = exec_ident(s, "CREATE TABLE %s(id bigint NOT NULL, project_id bigint NOT NULL, region_code text, share double precision"
                                " NOT NULL, method text NOT NULL, distance_km double precision)", w->tmp_assign, NULL, err);
    if (!st) st = exec_ident(s, "CREATE TABLE %s(column_name text PRIMARY KEY, field text NOT NULL, value text NOT NULL)",
                             w->tmp_columns, NULL, err);
    char *ins = g_strdup_printf("INSERT INTO %s VALUES($1, $2, $3)", w->tmp_columns);
    for (size_t c = 0; !st && c < d->ncolumns; c++) {
        const char *v[] = { d->column_names[c], d->column_fields[c], d->column_values[c] };
        st = fpi_pg_command(s, ins, 3, v, "storing the aggregation", err);
    }
    g_free(ins);
    if (st) { fpi_pg_aggregation_writer_free(w); return st; }
    *out = w;
    return FP_OK;
}

/* One COPY at a time on a connection: ends the current one (rows or
 * assignments) and starts the other's. */
static fp_status copy_switch(fp_pg_agg_writer *w, int to, fp_error *err)
{
    fp_store *s = w->store;
    fp_status st = FP_OK;
    if (w->copying == to) return FP_OK;
    if (w->copying) {
        fpi_pg_bin_trailer(w->buf);
        st = fpi_pg_copy_send(s, w->buf, "storing the aggregation", err);
        w->copying = 0;
        if (!st) st = fpi_pg_copy_end(s, "storing the aggregation", err);
        if (st) return st;
    }
    if (to == 1) {
        GString *copy = g_string_new(NULL);
        g_string_append_printf(copy, "COPY %s(id, level, code, name, parent, area_km2, population, projects,"
                               " projects_weighted, companies, amount, year_first, year_last, per_10k_km2, per_million,%s"
                               " geom", w->tmp_rows, w->d.has_length ? " length_km," : "");
        append_group_columns(s, copy, &w->d, "");
        g_string_append(copy, ") FROM STDIN (FORMAT binary)");
        st = fpi_pg_command(s, copy->str, 0, NULL, "storing the aggregation", err);
        g_string_free(copy, TRUE);
    } else if (to == 2) {
        st = exec_ident(s, "COPY %s FROM STDIN (FORMAT binary)", w->tmp_assign, NULL, err);
    }
    if (st) return st;
    w->copying = to;
    if (to) fpi_pg_bin_header(w->buf);
    return FP_OK;
}

void fpi_pg_aggregation_set_unassigned(fp_pg_agg_writer *w, double unassigned)
{
    w->d.unassigned = unassigned;
}

/* A 2D little-endian MULTIPOLYGON WKB, as the unions and most regions are:
 * sent as it is, without OGR's round trip. */
static int is_multipolygon_wkb(const unsigned char *wkb, size_t len)
{
    return wkb && len >= 9 && wkb[0] == 1 && wkb[1] == 6 && !wkb[2] && !wkb[3] && !wkb[4];
}

/* A 2D polygon in little-endian WKB. */
static int is_polygon_wkb(const unsigned char *wkb, size_t len)
{
    return wkb && len >= 9 && wkb[0] == 1 && wkb[1] == 3 && !wkb[2] && !wkb[3] && !wkb[4];
}

/* The aggregation's rows (hundreds, each with its region's outline: 10 MB
 * of WKB for the default regions' three levels) in COPY's binary format. */
fp_status fpi_pg_aggregation_add_row(fp_pg_agg_writer *w, const fp_aggregation_row *r, fp_error *err)
{
    GString *b = w->buf;
    /* A geometry but a polygon or multipolygon goes through OGR (below):
     * GDAL is loaded before the row is begun. */
    if (r->wkb && !is_multipolygon_wkb(r->wkb, r->wkb_len) && !is_polygon_wkb(r->wkb, r->wkb_len)) {
        fp_status gdal_st = fpi_gdal_require(err);
        if (gdal_st) return gdal_st;
    }
    fp_status st = copy_switch(w, 1, err);
    if (st) return st;
    fpi_pg_bin_row(b, 16 + (w->d.has_length != 0) + (int)w->d.ncolumns);
    fpi_pg_bin_int8(b, ++w->nrows);
    fpi_pg_bin_text(b, r->level);
    fpi_pg_bin_text(b, r->code);
    fpi_pg_bin_text(b, r->name);
    fpi_pg_bin_text(b, r->parent);
    fpi_pg_bin_double_or_null(b, r->has_area, r->area_km2);
    fpi_pg_bin_int8_or_null(b, r->population >= 0, r->population);
    fpi_pg_bin_int8(b, r->projects);
    fpi_pg_bin_double(b, r->weighted);
    fpi_pg_bin_int8(b, r->companies);
    fpi_pg_bin_double_or_null(b, r->has_amount, r->amount);
    fpi_pg_bin_int4_or_null(b, r->has_year, r->year_first);
    fpi_pg_bin_int4_or_null(b, r->has_year, r->year_last);
    fpi_pg_bin_double_or_null(b, r->has_per_area, r->per_10k_km2);
    fpi_pg_bin_double_or_null(b, r->has_per_million, r->per_million);
    if (w->d.has_length) fpi_pg_bin_double(b, r->length_km);
    /* The column is MULTIPOLYGON (SpatiaLite's CastToMultiPolygon). */
    OGRGeometryH g = NULL;
    if (is_multipolygon_wkb(r->wkb, r->wkb_len)) {
        fpi_pg_bin_ewkb(b, r->wkb, r->wkb_len);
    } else if (is_polygon_wkb(r->wkb, r->wkb_len)) {
        /* A grid or hex cell: the same polygon as a one-part multipolygon
         * (WKB's header, the count, the polygon as it is), which is what
         * OGR_G_ForceToMultiPolygon writes, without loading GDAL for it. */
        unsigned char *wkb = malloc(r->wkb_len + 9);
        if (wkb) {
            static const unsigned char head[9] = {1, 6, 0, 0, 0, 1, 0, 0, 0};
            memcpy(wkb, head, sizeof head);
            memcpy(wkb + 9, r->wkb, r->wkb_len);
        }
        fpi_pg_bin_ewkb(b, wkb, wkb ? r->wkb_len + 9 : 0);
        free(wkb);
    } else if (r->wkb && OGR_G_CreateFromWkb(r->wkb, NULL, &g, (int)r->wkb_len) == OGRERR_NONE) {
        g = OGR_G_ForceToMultiPolygon(g);
        int sz = OGR_G_WkbSize(g);
        unsigned char *wkb = malloc((size_t)sz);
        if (wkb) OGR_G_ExportToWkb(g, wkbNDR, wkb);
        fpi_pg_bin_ewkb(b, wkb, wkb ? (size_t)sz : 0);
        free(wkb);
        OGR_G_DestroyGeometry(g);
    } else {
        fpi_pg_bin_null(b);
    }
    for (size_t c = 0; c < w->d.ncolumns; c++) fpi_pg_bin_double(b, r->group[c]);
    return b->len >= (1 << 16) ? fpi_pg_copy_send(w->store, b, "storing the aggregation", err) : FP_OK;
}

/* The assignments, up to a million rows a run, go through COPY's binary
 * format: no number printed by the client nor parsed by the server (1M
 * points: write step 1.2-1.3 -> 0.9 s, client CPU 0.8 -> 0.2 s). */
fp_status fpi_pg_aggregation_add_assignment(fp_pg_agg_writer *w, int64_t project_id, const char *region, double share,
                                           const char *method, double distance_km, fp_error *err)
{
    fp_store *s = w->store;
    GString *b = w->buf;
    fp_status st = copy_switch(w, 2, err);
    if (st) return st;
    fpi_pg_bin_row(b, 6);
    fpi_pg_bin_int8(b, ++w->nassign);
    fpi_pg_bin_int8(b, project_id);
    fpi_pg_bin_text(b, region);
    fpi_pg_bin_double(b, share);
    fpi_pg_bin_text(b, method);
    fpi_pg_bin_double_or_null(b, distance_km >= 0, distance_km);
    return b->len >= (1 << 16) ? fpi_pg_copy_send(s, b, "storing the aggregation", err) : FP_OK;
}

fp_status fpi_pg_aggregation_finish(fp_pg_agg_writer *w, fp_error *err)
{
    fp_store *s = w->store;
    const fp_aggregation_desc *d = &w->d;
    fp_status st = copy_switch(w, 0, err);
    /* The assignments' key: a million rows at 1M points (0.54 -> 0.46 s). */
    if (!st) st = fpi_pg_index_memory(s, "storing the aggregation", err);
    /* The swap: old tables out, new ones in under the final names, with
     * their keys and the GiST index named after them. */
    char *cols = g_strdup_printf("%s_columns", d->table), *pk = g_strdup_printf("%s_pk", d->table),
         *uq = g_strdup_printf("%s_uq", d->table), *gix = g_strdup_printf("%s_gix", d->table),
         *apk = g_strdup_printf("%s_pk", d->assign_table);
    /* Checked again under the name's lock: a view made or the tables
     * replaced by another role since the aggregation began. */
    if (!st) st = check_replaceable(s, d, err);
    if (!st) st = copy_grants(s, d->table, w->tmp_rows, err);
    if (!st) st = copy_grants(s, d->assign_table, w->tmp_assign, err);
    if (!st) st = copy_grants(s, cols, w->tmp_columns, err);
    if (!st) st = drop_old(s, d, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s RENAME TO %s", w->tmp_rows, d->table, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s RENAME TO %s", w->tmp_assign, d->assign_table, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s RENAME TO %s", w->tmp_columns, cols, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (id)", d->table, pk, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s ADD CONSTRAINT %s UNIQUE (level, code)", d->table, uq, err);
    if (!st) st = exec_ident(s, "CREATE INDEX %s ON %s USING gist(geom)", gix, d->table, err);
    if (!st) st = exec_ident(s, "ALTER TABLE %s ADD CONSTRAINT %s PRIMARY KEY (id)", d->assign_table, apk, err);
    g_free(cols); g_free(pk); g_free(uq); g_free(gix); g_free(apk);
    const char *dv[] = { d->name };
    if (!st) st = fpi_pg_command(s, "DELETE FROM aggregations WHERE name = $1", 1, dv, "storing the aggregation", err);
    if (!st) {
        char now[32], snap[40], projects[24], unassigned[40];
        fpi_timestamp(now);
        snprintf(snap, sizeof snap, "%.17g", d->snap_km);
        snprintf(projects, sizeof projects, "%lld", (long long)d->projects);
        snprintf(unassigned, sizeof unassigned, "%.17g", d->unassigned);
        const char *v[] = { d->name, d->level, d->spec, d->group_fields, snap, projects, unassigned, d->table,
                            d->assign_table, now };
        st = fpi_pg_command(s, "INSERT INTO aggregations(name, level, spec, group_fields, snap_km, projects, unassigned,"
                              " result_table, assign_table, created) VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                           10, v, "storing the aggregation", err);
    }
    return st;
}

void fpi_pg_aggregation_writer_free(fp_pg_agg_writer *w)
{
    if (!w) return;
    if (w->copying) fpi_pg_copy_abort(w->store);
    g_string_free(w->buf, TRUE);
    free(w);
}

fp_status fpi_pg_aggregation_level(fp_store *s, const char *name, char **level, fp_error *err)
{
    *level = NULL;
    const char *v[] = { name };
    PGresult *r = fpi_pg_exec(s, "SELECT level FROM aggregations WHERE name = $1", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading aggregations", err);
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) *level = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_aggregation_top(fp_store *s, const char *table, const char *level, int limit, fp_rows **out,
                                fp_error *err)
{
    *out = NULL;
    if (!valid_identifier(table)) return fp_error_set(err, FP_ERR_USAGE, "'%s' is not an aggregation table", table);
    char *q = fpi_pg_ident(s, table);
    char *sql = g_strdup_printf("SELECT code, name, projects, companies FROM %s WHERE level = $1 AND projects > 0"
                                " AND code <> '_unassigned' ORDER BY projects DESC, code COLLATE \"C\" LIMIT $2", q);
    PQfreemem(q);
    char lim[16];
    snprintf(lim, sizeof lim, "%d", limit);
    const char *v[] = { level, lim };
    *out = fpi_pg_rows_query(s, sql, 2, v, "reading the aggregation", 0, 0, err);
    g_free(sql);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_aggregation_group_column(fp_store *s, const char *aggregation, const char *column, char **field,
                                          char **value, fp_error *err)
{
    *field = *value = NULL;
    const char *v[] = { aggregation };
    PGresult *r = fpi_pg_exec(s, "SELECT result_table FROM aggregations WHERE name = $1", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading aggregations", err);
    char *table = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? g_strdup_printf("%s_columns", PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (!table) return FP_OK;
    if (!valid_identifier(table)) {
        g_free(table);
        return fp_error_set(err, FP_ERR_USAGE, "'%s' is not an aggregation table", aggregation);
    }
    char *q = fpi_pg_ident(s, table);
    char *sql = g_strdup_printf("SELECT field, value FROM %s WHERE column_name = $1", q);
    PQfreemem(q);
    g_free(table);
    const char *cv[] = { column };
    r = fpi_pg_exec(s, sql, 1, cv);
    g_free(sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading an aggregation's group columns", err);
    fp_status st = FP_OK;
    if (PQntuples(r) > 0) {
        *field = strdup(PQgetvalue(r, 0, 0));
        *value = strdup(PQgetvalue(r, 0, 1));
        if (!*field || !*value) {
            free(*field);
            free(*value);
            *field = *value = NULL;
            st = fp_error_set(err, FP_ERR_NOMEM, "out of memory");
        }
    }
    PQclear(r);
    return st;
}

int fpi_pg_has_aggregation(fp_store *s, const char *name)
{
    const char *v[] = { name };
    PGresult *r = fpi_pg_exec(s, "SELECT 1 FROM aggregations WHERE name = $1", 1, v);
    int found = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;
    PQclear(r);
    return found;
}
