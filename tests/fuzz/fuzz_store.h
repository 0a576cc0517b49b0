/*
 * An in-memory store with three small regions, shared by the import
 * harnesses; and the checks every import must pass, whatever the input.
 */
#ifndef FP_FUZZ_STORE_H
#define FP_FUZZ_STORE_H

#include <sqlite3.h>
#include <cpl_conv.h>
#include "fuzz_common.h"
#include "footprint.h"
#include "store/store_internal.h"
#include "common/util.h"

static fp_store *fz_store_handle;

static void fz_store_close(void)
{
    fp_store_close(fz_store_handle);
    fz_store_handle = NULL;
    /* Not fp_global_cleanup(): from an exit handler it would race GDAL's
     * own static destructors (a double free); the process ends anyway. */
}

static long fz_count(const char *sql)
{
    sqlite3_stmt *q;
    long n = -1;
    if (sqlite3_prepare_v2(fpi_store_sqlite(fz_store_handle), sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return n;
}

static fp_store *fz_store(void)
{
    if (fz_store_handle) return fz_store_handle;
    fp_global_init();
    /* GDAL must not reach for the network or write side files while fuzzed. */
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
    CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none");
    CPLSetConfigOption("GML_DOWNLOAD_WFS_SCHEMA", "NO");
    fp_error err = {0};
    const char *regions = fz_write("regions.geojson", fz_regions_geojson, sizeof fz_regions_geojson - 1);
    if (fp_store_open(":memory:", FP_STORE_CREATE, &fz_store_handle, &err) ||
        fp_store_load_regions(fz_store_handle, regions, NULL, &err)) {
        fprintf(stderr, "fuzz: cannot set up the store: %s\n", err.message);
        abort();
    }
    atexit(fz_store_close);
    return fz_store_handle;
}

/* Every text value the query returns is valid UTF-8 (README: invalid
 * UTF-8 is never stored). */
static void fz_check_utf8(const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(fpi_store_sqlite(fz_store_handle), sql, -1, &q, NULL) != SQLITE_OK) abort();
    while (sqlite3_step(q) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count(q); i++) {
            if (sqlite3_column_type(q, i) != SQLITE_TEXT) continue;
            const char *t = (const char *)sqlite3_column_blob(q, i);
            int n = sqlite3_column_bytes(q, i);
            FZ_CHECK(fpi_utf8_valid(t, (size_t)n), "invalid UTF-8 stored (%s, column %d)", sql, i);
        }
    sqlite3_finalize(q);
}

/* Imports path and checks the outcome: on success the counts add up and
 * match the tables; on failure nothing at all was stored. Then empties the
 * tables for the next input. */
static void fz_import_and_check(const char *path, const fp_import_options *o)
{
    fp_store *store = fz_store();
    fp_import_result r;
    fp_error err = {0};
    fp_status st = fp_import_file(store, path, o, &r, &err);
    long projects = fz_count("SELECT count(*) FROM projects");
    long rejects = fz_count("SELECT count(*) FROM rejects");
    long imports = fz_count("SELECT count(*) FROM imports");
    if (st == FP_OK) {
        FZ_CHECK(!r.already_imported, "already imported into an emptied store");
        FZ_CHECK(r.rows_read == r.stored + r.rejected, "%ld read, %ld stored, %ld rejected", r.rows_read, r.stored,
                 r.rejected);
        FZ_CHECK(projects == r.stored && rejects == r.rejected && imports == 1,
                 "tables %ld/%ld/%ld, result %ld/%ld", projects, rejects, imports, r.stored, r.rejected);
        long kinds = 0;
        for (int k = 0; k < FP_REJECT_KINDS; k++) kinds += r.by_kind[k];
        FZ_CHECK(kinds == r.rejected, "%ld rejects by kind, %ld rejected", kinds, r.rejected);
        FZ_CHECK(r.pending_geocode <= r.stored, "%ld pending of %ld", r.pending_geocode, r.stored);
        /* What is stored is valid UTF-8 JSON and in range. */
        FZ_CHECK(fz_count("SELECT count(*) FROM projects WHERE extra IS NOT NULL AND NOT json_valid(extra)") == 0,
                 "extra that is not JSON");
        FZ_CHECK(fz_count("SELECT count(*) FROM projects WHERE geom IS NOT NULL AND (MbrMinX(geom) < -180 OR "
                          "MbrMaxX(geom) > 180 OR MbrMinY(geom) < -90 OR MbrMaxY(geom) > 90)") == 0,
                 "a geometry outside WGS 84's range");
        fz_check_utf8("SELECT reason, raw FROM rejects");
        fz_check_utf8("SELECT source_key, company, category, name, place, country, status, source, extra FROM projects");
        FZ_CHECK(fz_count("SELECT count(*) FROM idx_projects_geom") ==
                     fz_count("SELECT count(*) FROM projects WHERE geom IS NOT NULL"),
                 "spatial index out of step");
    } else {
        FZ_CHECK(projects == 0 && rejects == 0 && imports == 0, "a failed import left %ld/%ld/%ld rows: %s",
                 projects, rejects, imports, err.message);
        FZ_CHECK(err.message[0] != '\0', "a failure without a message");
        FZ_CHECK(st != FP_ERR_USAGE || o->crs || o->lon_column || o->maps, "usage error without options: %s",
                 err.message);
    }
    fp_error_clear(&err);
    if (fpi_store_exec(store, "DELETE FROM rejects; DELETE FROM projects; DELETE FROM imports;", &err)) {
        fprintf(stderr, "fuzz: cannot empty the store: %s\n", err.message);
        abort();
    }
}

#endif
