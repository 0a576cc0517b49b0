/*
 * fp_geocode_store: give coordinates to stored rows that have a place and/or
 * a country but no geometry. One transaction; every row placed records how
 * (method), from what (GeoNames id or country code) and how precisely.
 */
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <geos_c.h>
#include <glib.h>
#include "fp_geocode.h"
#include "store/store_internal.h"
#include "geocode/country_index.h"

typedef struct anchor { double lon, lat; int ok; } anchor;

/* A country's anchor point: the centroid of its largest polygon if that lies
 * inside it, else a point on its surface, so "France" lands in France, not in
 * the Bay of Biscay between the mainland and Guiana. */
static anchor country_anchor(sqlite3 *db, GEOSContextHandle_t ctx, const char *code)
{
    anchor a = {0};
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT AsBinary(geom) FROM regions WHERE code=?", -1, &q, NULL) != SQLITE_OK)
        return a;
    sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) > 0) {
        GEOSWKBReader *rd = GEOSWKBReader_create_r(ctx);
        GEOSGeometry *g = GEOSWKBReader_read_r(ctx, rd, sqlite3_column_blob(q, 0), sqlite3_column_bytes(q, 0));
        GEOSWKBReader_destroy_r(ctx, rd);
        if (g) {
            const GEOSGeometry *largest = NULL;
            double best = -1;
            for (int i = 0; i < GEOSGetNumGeometries_r(ctx, g); i++) {
                const GEOSGeometry *part = GEOSGetGeometryN_r(ctx, g, i);
                double area = 0;
                GEOSArea_r(ctx, part, &area);
                if (area > best) { best = area; largest = part; }
            }
            GEOSGeometry *pt = largest ? GEOSGetCentroid_r(ctx, largest) : NULL;
            if (pt && GEOSContains_r(ctx, largest, pt) != 1) {
                GEOSGeom_destroy_r(ctx, pt);
                pt = GEOSPointOnSurface_r(ctx, largest);
            }
            if (pt) {
                a.ok = GEOSGeomGetX_r(ctx, pt, &a.lon) && GEOSGeomGetY_r(ctx, pt, &a.lat);
                GEOSGeom_destroy_r(ctx, pt);
            }
            GEOSGeom_destroy_r(ctx, g);
        }
    }
    sqlite3_finalize(q);
    return a;
}

static const char *method_name(fp_match_method m)
{
    switch (m) {
    case FP_MATCH_EXACT: return "exact";
    case FP_MATCH_FOLDED: return "folded";
    case FP_MATCH_ALTERNATE: return "alternate";
    default: return "none";
    }
}

fp_status fp_geocode_store(fp_store *store, const fp_geocode_options *opts_in, fp_geocode_result *res,
                           fp_error *err)
{
    fp_geocode_options defaults = { .country_fallback = 1 };
    const fp_geocode_options *opts = opts_in ? opts_in : &defaults;
    fp_geocode_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);

    char defpath[4096];
    const char *gpath = opts->gazetteer_path ? opts->gazetteer_path
                                             : fp_data_path("gazetteer.tsv", defpath, sizeof defpath);
    fp_gazetteer *gaz = NULL;
    fp_status st = fp_gazetteer_load(gpath, &gaz, err);
    if (st) return st;
    sqlite3 *db = fp_store_sqlite(store);
    fp_country_index *countries = NULL;
    if ((st = fp_country_index_new(db, &countries, err))) { fp_gazetteer_free(gaz); return st; }
    GEOSContextHandle_t ctx = GEOS_init_r();
    GHashTable *anchors = g_hash_table_new_full(g_str_hash, g_str_equal, free, free);

    sqlite3_stmt *sel = NULL, *upd = NULL;
    if ((st = fp_store_begin(store, err))) goto done;
    /* ?2 (redo) also takes rows an earlier geocode placed. */
    const char *sql =
        "SELECT p.id, i.file, p.source_line, p.place, p.country, i.format FROM projects p JOIN imports i ON i.id = p.import_id "
        "WHERE (p.geom IS NULL OR (?2 AND p.geocode_method IN ('exact','folded','alternate','country'))) "
        "AND (?1 IS NULL OR p.dataset=?1) ORDER BY p.id";
    if (sqlite3_prepare_v2(db, sql, -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE projects SET geom=MakePoint(?1, ?2, 4326), geocode_method=?3, geocode_ref=?4, "
                               "geocode_precision=?5, country_code=coalesce(?6, country_code) WHERE id=?7", -1, &upd, NULL) != SQLITE_OK) {
        st = fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(store), sqlite3_errmsg(db));
        goto done;
    }
    if (opts->dataset) sqlite3_bind_text(sel, 1, opts->dataset, -1, SQLITE_STATIC);
    sqlite3_bind_int(sel, 2, opts->redo != 0);
    while (sqlite3_step(sel) == SQLITE_ROW) {
        res->candidates++;
        long id = sqlite3_column_int64(sel, 0);
        const char *file = (const char *)sqlite3_column_text(sel, 1);
        const char *format = (const char *)sqlite3_column_text(sel, 5);
        int is_csv = format && strcmp(format, "CSV") == 0;
        long line = sqlite3_column_int64(sel, 2);
        const char *place = (const char *)sqlite3_column_text(sel, 3);
        const char *country = (const char *)sqlite3_column_text(sel, 4);
        const fp_country *c = fp_country_index_find(countries, country);
        char why[512] = "";
        double lon = 0, lat = 0;
        const char *method = NULL, *precision = NULL;
        char ref[64] = "";
        const char *code = c ? c->a3 : NULL;

        if (country && *country && !c) {
            snprintf(why, sizeof why, "country '%s' is not a known country name or ISO code", country);
            res->no_country++;
        } else if (place && *place) {
            fp_place_match m;
            if (fp_gazetteer_lookup(gaz, place, c ? c->a2 : NULL, &m)) {
                lon = m.lon; lat = m.lat;
                method = method_name(m.method);
                precision = "city";
                snprintf(ref, sizeof ref, "geonames:%ld", m.geonames_id);
                if (!c) {
                    const fp_country *mc = fp_country_index_find(countries, m.country);
                    code = mc ? mc->a3 : NULL;
                }
                if (m.method == FP_MATCH_EXACT) res->exact++;
                else if (m.method == FP_MATCH_FOLDED) res->folded++;
                else res->alternate++;
            } else if (m.method == FP_MATCH_AMBIGUOUS) {
                snprintf(why, sizeof why, "place '%s' is ambiguous without a country (e.g. %s, population %ld); add a country",
                         place, m.country, m.population);
                res->ambiguous++;
            } else if (c && opts->country_fallback) {
                snprintf(why, sizeof why, "place '%s' not found in %s; placed at the country's centroid", place, c->a3);
            } else {
                snprintf(why, sizeof why, "place '%s' not found%s%s", place, c ? " in " : "", c ? c->a3 : "");
                res->not_found++;
            }
        }
        if (!method && c && (!place || !*place || opts->country_fallback) && !strstr(why, "ambiguous")) {
            anchor *a = g_hash_table_lookup(anchors, c->a3);
            if (!a) {
                a = malloc(sizeof *a);
                *a = country_anchor(db, ctx, c->a3);
                g_hash_table_insert(anchors, strdup(c->a3), a);
            }
            if (a->ok) {
                lon = a->lon; lat = a->lat;
                method = "country";
                precision = "country";
                snprintf(ref, sizeof ref, "%s", c->a3);
                res->country_centroid++;
            }
        }
        if (!method && !why[0]) {
            snprintf(why, sizeof why, "no place and no country");
            res->not_found++;
        }
        if (why[0] && opts->report)
            fprintf(opts->report, "  %s%s%ld: %s\n", file, is_csv ? ":" : ": feature ", line, why);
        if (!method) continue;
        sqlite3_reset(upd);
        sqlite3_bind_double(upd, 1, lon);
        sqlite3_bind_double(upd, 2, lat);
        sqlite3_bind_text(upd, 3, method, -1, SQLITE_STATIC);
        sqlite3_bind_text(upd, 4, ref, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(upd, 5, precision, -1, SQLITE_STATIC);
        if (code) sqlite3_bind_text(upd, 6, code, -1, SQLITE_TRANSIENT); else sqlite3_bind_null(upd, 6);
        sqlite3_bind_int64(upd, 7, id);
        if (sqlite3_step(upd) != SQLITE_DONE) {
            st = fp_error_set(err, FP_ERR_DB, "%s: %s", fp_store_path(store), sqlite3_errmsg(db));
            break;
        }
        if (fp_interrupted) {
            st = fp_error_set(err, FP_ERR_INTERRUPTED, "geocode interrupted; nothing was changed");
            break;
        }
    }
    if (st == FP_OK) st = fp_store_commit(store, err);
done:
    if (st) fp_store_rollback(store);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    g_hash_table_destroy(anchors);
    GEOS_finish_r(ctx);
    fp_country_index_free(countries);
    fp_gazetteer_free(gaz);
    return st;
}
