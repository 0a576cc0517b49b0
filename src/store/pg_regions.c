/*
 * Regions on PostGIS: loading a region layer (streamed through COPY in one
 * transaction), reading a level, the cached areas and region groups, and
 * the country and admin-1 lists.
 *
 * The layer is read by regions_file.c, as for SpatiaLite (same fields,
 * same checks, same messages); polygons come as multipolygons, since the
 * column is typed MULTIPOLYGON. Ids are the features' order
 * (1..n), as SpatiaLite numbers them, and text is ordered byte-wise
 * (COLLATE "C") as SQLite orders it, so both engines list regions alike.
 */
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "store/pg_internal.h"
#include "store/regions_file.h"

/* The rows of the region file into COPY regions (duplicate codes refused
 * here: the COPY would only fail at its end). */
static fp_status copy_features(fp_store *s, const char *path, fpi_region_file *rf, fp_regions_result *res,
                               fp_error *err)
{
    fp_status st = fpi_pg_command(s, "COPY regions(id, level, code, iso_a2, name, name_long, parent, continent,"
                                    " subregion, population, geom) FROM STDIN", 0, NULL, "loading regions", err);
    if (st) return st;
    GString *buf = g_string_sized_new(1 << 16);
    GHashTable *codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    long n = 0;
    fpi_region_row row;
    int more;
    while (!st && (more = fpi_region_file_next(rf, &row, err)) != 0) {
        if (more < 0) { st = err ? err->code : FP_ERR_INPUT; break; }
        if (g_hash_table_contains(codes, row.code)) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: feature %ld (%s): duplicate region code", path, row.feature,
                              row.code);
            break;
        }
        g_hash_table_add(codes, g_strdup(row.code));
        char id[24], pop[24];
        snprintf(id, sizeof id, "%ld", n + 1);
        fpi_pg_copy_field(buf, id);
        fpi_pg_copy_field(buf, row.level);
        fpi_pg_copy_field(buf, row.code);
        for (int i = 0; i < 6; i++) fpi_pg_copy_field(buf, row.text[i]);
        if (row.has_population) snprintf(pop, sizeof pop, "%lld", (long long)row.population);
        fpi_pg_copy_field(buf, row.has_population ? pop : NULL);
        fpi_pg_copy_ewkb(buf, row.wkb, row.wkb_len);
        g_string_append_c(buf, '\n');
        if (strcmp(row.level, "country") == 0) res->countries++;
        else if (strcmp(row.level, "admin1") == 0) res->admin1++;
        else res->other++;
        n++;
        if (buf->len > (1 << 16)) st = fpi_pg_copy_send(s, buf, "loading regions", err);
    }
    if (!st) st = fpi_pg_copy_send(s, buf, "loading regions", err);
    if (!st) st = fpi_pg_copy_end(s, "loading regions", err);
    else fpi_pg_copy_abort(s);
    if (!st && n == 0) st = fp_error_set(err, FP_ERR_INPUT, "%s: no regions in the layer", path);
    g_hash_table_destroy(codes);
    g_string_free(buf, TRUE);
    return st;
}

fp_status fpi_pg_load_regions(fp_store *s, const char *path, fp_regions_result *res, fp_error *err)
{
    fp_regions_result local = {0};
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    char sha[65];
    fp_status st = fpi_file_sha256(path, sha, err);
    if (st) return st;
    const char *v[] = { sha };
    /* Two loads at once (two inits): the second waits, then finds the
     * file loaded. The lock is held to the end of the transaction. */
    st = fpi_pg_begin(s, err);
    char key[32];
    snprintf(key, sizeof key, "%lld", FP_PG_LOCK_REGIONS);
    const char *kv[] = { key };
    if (!st) st = fpi_pg_command(s, "SELECT pg_advisory_xact_lock($1::bigint)", 1, kv, "waiting for a regions load", err);
    if (st) { fpi_pg_rollback(s); return st; }
    PGresult *r = fpi_pg_exec(s, "SELECT (SELECT value FROM meta WHERE key = 'regions_sha256') = $1,"
                                " count(*) FILTER (WHERE level = 'country'), count(*) FILTER (WHERE level = 'admin1'),"
                                " count(*) FILTER (WHERE level NOT IN ('country', 'admin1'))"
                                " FROM regions", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        st = fpi_pg_error(s, r, "reading regions", err);
        fpi_pg_rollback(s);
        return st;
    }
    if (!strcmp(PQgetvalue(r, 0, 0), "t")) {
        res->unchanged = 1;
        res->countries = atol(PQgetvalue(r, 0, 1));
        res->admin1 = atol(PQgetvalue(r, 0, 2));
        res->other = atol(PQgetvalue(r, 0, 3));
        PQclear(r);
        return fpi_pg_commit(s, err);
    }
    PQclear(r);

    /* Polygons as multipolygons: the column is typed MULTIPOLYGON. */
    fpi_region_file *rf = NULL;
    if ((st = fpi_region_file_open(path, 1, &rf, err))) { fpi_pg_rollback(s); return st; }
    st = fpi_pg_command(s, "DELETE FROM region_groups", 0, NULL, "loading regions", err);
    if (!st) st = fpi_pg_command(s, "DELETE FROM regions", 0, NULL, "loading regions", err);
    if (!st) st = copy_features(s, path, rf, res, err);
    if (!st) st = fpi_pg_command(s, "INSERT INTO meta(key, value) VALUES('regions_sha256', $1)"
                                   " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", 1, v, "loading regions", err);
    if (!st) st = fpi_pg_command(s, "ANALYZE regions", 0, NULL, "loading regions", err);
    if (!st) st = fpi_pg_commit(s, err);
    if (st) fpi_pg_rollback(s);
    fpi_region_file_free(rf);
    return st;
}

fp_status fpi_pg_regions(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, "SELECT id, code, name, parent, subregion, continent, population, ST_AsBinary(geom),"
                               " area_km2 FROM regions WHERE level = $1 AND geom IS NOT NULL ORDER BY code COLLATE \"C\"",
                            1, v, "reading regions", 1u << 7, 0, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_region_set_areas(fp_store *s, const int64_t *ids, const double *areas, size_t n, fp_error *err)
{
    (void)err;
    if ((s->flags & FP_STORE_READONLY) || n == 0) return FP_OK;
    /* One statement for all: two arrays as text, unnested side by side. */
    GString *iv = g_string_new("{"), *av = g_string_new("{");
    for (size_t k = 0; k < n; k++) {
        g_string_append_printf(iv, "%s%lld", k ? "," : "", (long long)ids[k]);
        g_string_append_printf(av, "%s%.17g", k ? "," : "", areas[k]);
    }
    g_string_append_c(iv, '}');
    g_string_append_c(av, '}');
    const char *v[] = { iv->str, av->str };
    /* A cache: a refused write just keeps none (the areas are computed again). */
    int ok;
    fpi_pg_cache_write(s, "UPDATE regions SET area_km2 = u.a FROM unnest($1::bigint[], $2::float8[]) AS u(id, a)"
                          " WHERE regions.id = u.id", 2, v, NULL, NULL, &ok);
    g_string_free(iv, TRUE);
    g_string_free(av, TRUE);
    return FP_OK;
}

fp_status fpi_pg_region_groups(fp_store *s, const char *level, fp_rows **out, fp_error *err)
{
    const char *v[] = { level };
    *out = fpi_pg_rows_query(s, "SELECT code, name, parent, population, area_km2, geom_wkb FROM region_groups"
                               " WHERE level = $1 ORDER BY code COLLATE \"C\"", 1, v, "reading region groups",
                            1u << 5, 0, err);
    return *out ? FP_OK : (err ? err->code : FP_ERR_DB);
}

fp_status fpi_pg_region_groups_put(fp_store *s, const char *level, const fp_region_group *rows, size_t n, int *stored,
                                  fp_error *err)
{
    *stored = 0;
    if (s->flags & FP_STORE_READONLY) return FP_OK;
    static const char *sql = "INSERT INTO region_groups VALUES($1, $2, $3, $4, $5, $6, $7)"
                             " ON CONFLICT (level, code) DO UPDATE SET name = EXCLUDED.name, parent = EXCLUDED.parent,"
                             " population = EXCLUDED.population, area_km2 = EXCLUDED.area_km2,"
                             " geom_wkb = EXCLUDED.geom_wkb";
    for (size_t i = 0; i < n; i++) {
        const fp_region_group *g = &rows[i];
        char pop[24], area[40];
        snprintf(pop, sizeof pop, "%lld", (long long)g->population);
        snprintf(area, sizeof area, "%.17g", g->area_km2);
        const char *v[] = { level, g->code, g->name, g->parent, g->population >= 0 ? pop : NULL, area,
                            (const char *)g->wkb };
        int lens[7] = { 0, 0, 0, 0, 0, 0, (int)g->wkb_len };
        int formats[7] = { 0, 0, 0, 0, 0, 0, 1 };     /* the WKB as binary bytea */
        int ok;
        fpi_pg_cache_write(s, sql, 7, v, lens, formats, &ok);
        if (!ok) return FP_OK;   /* a cache: none kept, same result */
    }
    *stored = 1;
    return FP_OK;
}

fp_status fpi_pg_each_admin1(fp_store *s, fp_admin1_fn fn, void *ud, fp_error *err)
{
    PGresult *r = fpi_pg_exec(s, "SELECT code, name, parent FROM regions WHERE level = 'admin1'"
                                " ORDER BY code COLLATE \"C\"", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "cannot read admin-1 regions", err);
    for (int i = 0; i < PQntuples(r); i++)
        if (!PQgetisnull(r, i, 0) && !PQgetisnull(r, i, 2))
            fn(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), ud);
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_each_country(fp_store *s, fp_country_fn fn, void *ud, fp_error *err)
{
    PGresult *r = fpi_pg_exec(s, "SELECT code, iso_a2, name, name_long FROM regions WHERE level = 'country'"
                                " ORDER BY code COLLATE \"C\"", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "cannot read countries", err);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *v[4];
        for (int c = 0; c < 4; c++) v[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
        fn(v[0], v[1], v[2], v[3], ud);
    }
    PQclear(r);
    return FP_OK;
}
