/* See source_check.h. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sqlite3.h>
#include "store/source_check.h"

/* Modules that read nothing but the database they are in. */
static const char *const same_database[] = {
    "rtree", "rtree_i32", "VirtualSpatialIndex", "VirtualElementary", "VirtualKNN", "VirtualKNN2", "VirtualGPKG",
    "VirtualFDO", "VirtualBBox", "VirtualMbrCache", "VirtualRouting", "VirtualNetwork", "fts3", "fts4", "fts5", NULL };

int fpi_sqlite_source_problem(const char *path, char *why, size_t size)
{
    FILE *f = fopen(path, "rb");
    char magic[16];
    int is_sqlite = f && fread(magic, 1, 16, f) == 16 && !memcmp(magic, "SQLite format 3", 16);
    if (f) fclose(f);
    if (!is_sqlite) return 0;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    sqlite3_stmt *q = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
                           -1, &q, NULL) == SQLITE_OK) {
        while (!rc && sqlite3_step(q) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(q, 0), *sql = (const char *)sqlite3_column_text(q, 1);
            const char *using = sql ? strcasestr(sql, " USING ") : NULL;
            char module[64] = "";
            if (using) sscanf(using + 7, " %63[A-Za-z0-9_]", module);
            int ok = 0;
            for (int i = 0; same_database[i] && !ok; i++) ok = !strcasecmp(module, same_database[i]);
            if (!ok) {
                snprintf(why, size, "its table '%.80s' is a virtual table of module '%.60s', which reads other "
                         "files or URLs; footprint does not open such a file", name ? name : "?",
                         module[0] ? module : "?");
                rc = -1;
            }
        }
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}
