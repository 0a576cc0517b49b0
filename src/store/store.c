/*
 * The SpatiaLite store: opening, schema creation and in-place upgrade,
 * transactions.
 *
 * The schema is built by a list of migrations; migration N takes a store at
 * version N-1 to version N. A new store runs them all; an older one runs the
 * missing ones, all in one transaction, so an interrupted upgrade leaves the
 * old store untouched.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <sqlite3.h>
#include <spatialite.h>
#include "common/gdal_api.h"
#include "fp_store.h"
#include "store/pg_internal.h"

/* v1: the data model of DESIGN.md. */
static const char *const migration_1 =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
    "SELECT InitSpatialMetadata(0, 'WGS84');"
    "CREATE TABLE regions("
    "  id INTEGER PRIMARY KEY,"
    "  level TEXT NOT NULL,"          /* country | admin1 | custom name */
    "  code TEXT NOT NULL UNIQUE,"    /* ISO 3166-1 alpha-3 / ISO 3166-2 */
    "  iso_a2 TEXT,"
    "  name TEXT NOT NULL,"
    "  name_long TEXT,"
    "  parent TEXT,"
    "  continent TEXT,"
    "  subregion TEXT,"
    "  population INTEGER);"
    "SELECT AddGeometryColumn('regions', 'geom', 4326, 'MULTIPOLYGON', 'XY');"
    "SELECT CreateSpatialIndex('regions', 'geom');"
    "CREATE INDEX regions_level ON regions(level);"
    "CREATE TABLE imports("
    "  id INTEGER PRIMARY KEY,"
    "  file TEXT NOT NULL,"
    "  checksum TEXT NOT NULL,"       /* SHA-256 of the file's bytes */
    "  dataset TEXT NOT NULL,"
    "  format TEXT,"
    "  rows_read INTEGER, rows_stored INTEGER, rows_rejected INTEGER,"
    "  started TEXT, finished TEXT);"
    "CREATE UNIQUE INDEX imports_checksum ON imports(dataset, checksum);"
    "CREATE TABLE rejects("
    "  id INTEGER PRIMARY KEY,"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),"
    "  line INTEGER,"                 /* CSV line number (1-based, header is 1) */
    "  feature INTEGER,"              /* feature index otherwise (0-based, as OGR) */
    "  reason TEXT NOT NULL,"
    "  raw TEXT);"
    "CREATE TABLE projects("
    "  id INTEGER PRIMARY KEY,"
    "  import_id INTEGER NOT NULL REFERENCES imports(id),"
    "  dataset TEXT NOT NULL,"
    "  source_key TEXT,"              /* the input's own id, if it has one */
    "  source_line INTEGER,"          /* line or feature number in the input */
    "  company TEXT, category TEXT, name TEXT, place TEXT,"
    "  country TEXT,"                 /* as given in the input */
    "  country_code TEXT,"            /* ISO alpha-3 resolved against regions */
    "  year INTEGER, status TEXT, amount REAL, source TEXT,"
    "  extra TEXT);"                  /* other input columns, as a JSON object */
    "SELECT AddGeometryColumn('projects', 'geom', 4326, 'GEOMETRY', 'XY');"
    "SELECT CreateSpatialIndex('projects', 'geom');"
    "CREATE UNIQUE INDEX projects_key ON projects(dataset, source_key);";

/* v2: geocoding provenance. (Per-dataset queries use projects_key's prefix.) */
static const char *const migration_2 =
    "ALTER TABLE projects ADD COLUMN geocode_method TEXT;"    /* input|exact|folded|alternate|country */
    "ALTER TABLE projects ADD COLUMN geocode_ref TEXT;"       /* gazetteer id or country code */
    "ALTER TABLE projects ADD COLUMN geocode_precision TEXT;" /* point|city|country */
    "UPDATE projects SET geocode_method = 'input', geocode_precision = 'point' "
    "  WHERE geom IS NOT NULL;";

/* v3: aggregations (aggregate stage) and cached geodesic region areas. */
static const char *const migration_3 =
    "ALTER TABLE regions ADD COLUMN area_km2 REAL;"           /* filled by the first aggregation */
    "CREATE TABLE aggregations("
    "  name TEXT PRIMARY KEY,"
    "  level TEXT NOT NULL,"          /* main output level: country, admin1, grid, hex, regions, ... */
    "  spec TEXT NOT NULL,"           /* the --by value */
    "  group_fields TEXT,"            /* comma-separated --group fields */
    "  snap_km REAL,"
    "  projects INTEGER,"             /* projects aggregated (with a geometry) */
    "  unassigned REAL,"              /* of which unassigned (weighted) */
    "  result_table TEXT NOT NULL,"
    "  assign_table TEXT NOT NULL,"
    "  created TEXT);"
    /* Continents and subregions as unions of their countries, computed by the
     * first aggregation that needs them; emptied when the regions change. */
    "CREATE TABLE region_groups("
    "  level TEXT NOT NULL, code TEXT NOT NULL, name TEXT, parent TEXT,"
    "  population INTEGER, area_km2 REAL,"
    "  geom_wkb BLOB,"                /* WKB, WGS 84 */
    "  PRIMARY KEY(level, code));";

/* v4: the store opens in QGIS.
 *
 * `projects` holds points, lines and polygons in one generic GEOMETRY
 * column. QGIS's SpatiaLite provider takes a layer's geometry type from
 * geometry_columns -- for a view, from the row of the table it is registered
 * against -- so a GEOMETRY column loads with no type, no CRS and no extent,
 * and a view over it too (tried with QGIS 3.22). Hence one typed geometry
 * table per kind (id + geometry, cast to its multi type, own R*Tree), kept
 * equal to projects.geom by triggers (in a bulk import, which suspends the
 * projects triggers, by the loader beside projects: typed_sync.c), and one
 * view per kind with the project's attributes, registered in views_geometry_columns
 * against its typed table. projects stays the one table every stage reads;
 * it and the geometry-only tables are hidden from QGIS's layer lists
 * (geometry_columns_auth.hidden), which then offer the three typed views.
 * Geometry collections belong to no kind and stay in projects only. */
/* The trigger bodies' statements: NEW's geometry copied into the typed
 * table of its kind; OLD's removed from all three. */
#define TYPED_COPY_NEW \
    "  INSERT INTO projects_geom_point(id, geom) SELECT NEW.id, CastToMultiPoint(NEW.geom)" \
    "   WHERE GeometryType(NEW.geom) IN ('POINT', 'MULTIPOINT');" \
    "  INSERT INTO projects_geom_line(id, geom) SELECT NEW.id, CastToMultiLinestring(NEW.geom)" \
    "   WHERE GeometryType(NEW.geom) IN ('LINESTRING', 'MULTILINESTRING');" \
    "  INSERT INTO projects_geom_polygon(id, geom) SELECT NEW.id, CastToMultiPolygon(NEW.geom)" \
    "   WHERE GeometryType(NEW.geom) IN ('POLYGON', 'MULTIPOLYGON');"
#define TYPED_DELETE_OLD \
    "  DELETE FROM projects_geom_point WHERE id = OLD.id;" \
    "  DELETE FROM projects_geom_line WHERE id = OLD.id;" \
    "  DELETE FROM projects_geom_polygon WHERE id = OLD.id;"
#define TYPED_KIND(kind, type)                                                                      \
    "CREATE TABLE projects_geom_" kind "(id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE);" \
    "SELECT AddGeometryColumn('projects_geom_" kind "', 'geom', 4326, '" type "', 'XY');"                   \
    "SELECT CreateSpatialIndex('projects_geom_" kind "', 'geom');"                                          \
    "UPDATE geometry_columns_auth SET hidden = 1 WHERE f_table_name = 'projects_geom_" kind "';"            \
    "CREATE VIEW projects_" kind " AS SELECT p.id AS id, p.dataset AS dataset, p.source_key AS source_key,"  \
    " p.company AS company, p.category AS category, p.name AS name, p.place AS place, p.country AS country," \
    " p.country_code AS country_code, p.year AS year, p.status AS status, p.amount AS amount,"              \
    " p.source AS source, p.extra AS extra, p.geocode_method AS geocode_method,"                            \
    " p.geocode_precision AS geocode_precision, t.geom AS geom"                                             \
    " FROM projects_geom_" kind " AS t JOIN projects AS p ON p.id = t.id;"                                  \
    "INSERT INTO views_geometry_columns(view_name, view_geometry, view_rowid, f_table_name,"                \
    " f_geometry_column, read_only) VALUES('projects_" kind "', 'geom', 'id', 'projects_geom_" kind "', 'geom', 1);"

static const char *const migration_4 =
    TYPED_KIND("point", "MULTIPOINT")
    TYPED_KIND("line", "MULTILINESTRING")
    TYPED_KIND("polygon", "MULTIPOLYGON")
    "UPDATE geometry_columns_auth SET hidden = 1 WHERE f_table_name = 'projects';"
    /* Kept current row by row (geocode, edits); a bulk import suspends them
     * and writes the typed rows itself (typed_sync.c). */
    "CREATE TRIGGER fp_projects_typed_insert AFTER INSERT ON projects WHEN NEW.geom IS NOT NULL BEGIN"
    TYPED_COPY_NEW
    " END;"
    "CREATE TRIGGER fp_projects_typed_update AFTER UPDATE OF geom ON projects BEGIN"
    TYPED_DELETE_OLD
    TYPED_COPY_NEW
    " END;"
    "CREATE TRIGGER fp_projects_typed_delete AFTER DELETE ON projects BEGIN"
    TYPED_DELETE_OLD
    " END;";

/* v5: data QA (footprint check, src/qa/). projects.qa holds the checks that
 * flagged the row (comma-separated, NULL when clean) so exports and QGIS
 * styles can show flagged rows; qa_findings the findings with their
 * evidence; qa_fixes the journal of `check --fix`: the geometry as stored
 * before, byte for byte, so `check --undo` restores it exactly. The typed
 * views are recreated with the qa column (QGIS reads them). */
#define TYPED_VIEW_QA(kind)                                                                           \
    "DROP VIEW projects_" kind ";"                                                                    \
    "CREATE VIEW projects_" kind " AS SELECT p.id AS id, p.dataset AS dataset, p.source_key AS source_key," \
    " p.company AS company, p.category AS category, p.name AS name, p.place AS place, p.country AS country," \
    " p.country_code AS country_code, p.year AS year, p.status AS status, p.amount AS amount,"              \
    " p.source AS source, p.extra AS extra, p.geocode_method AS geocode_method,"                            \
    " p.geocode_precision AS geocode_precision, p.qa AS qa, t.geom AS geom"                                 \
    " FROM projects_geom_" kind " AS t JOIN projects AS p ON p.id = t.id;"

static const char *const migration_5 =
    "ALTER TABLE projects ADD COLUMN qa TEXT;"
    "CREATE TABLE qa_findings("
    "  id INTEGER PRIMARY KEY,"
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    "  dataset TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"           /* outside-country|swapped|sign|placeholder|duplicate|decimals|admin1 */
    "  row_ref TEXT NOT NULL,"        /* file:line or file: feature N */
    "  evidence TEXT NOT NULL,"
    "  suggestion TEXT,"
    "  other_id INTEGER,"             /* the other row of a duplicate */
    "  fix TEXT, fix_lon REAL, fix_lat REAL);"  /* the unambiguous fix, if any */
    "CREATE INDEX qa_findings_dataset ON qa_findings(dataset);"
    "CREATE TABLE qa_fixes("
    "  id INTEGER PRIMARY KEY,"
    "  batch INTEGER NOT NULL,"       /* one `check --fix` run */
    "  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,"
    "  dataset TEXT NOT NULL,"
    "  fix TEXT NOT NULL,"            /* swapped|sign-lon|sign-lat|sign-both */
    "  old_geom BLOB NOT NULL,"       /* projects.geom as it was, byte for byte */
    "  old_lon REAL, old_lat REAL, new_lon REAL, new_lat REAL,"
    "  applied TEXT NOT NULL, undone TEXT);"
    "CREATE INDEX qa_fixes_batch ON qa_fixes(batch);"
    TYPED_VIEW_QA("point")
    TYPED_VIEW_QA("line")
    TYPED_VIEW_QA("polygon");

/* v6: the column cache aggregate reads instead of the rows
 * (project_columns.c). A part's blob is dropped when a row of it is
 * inserted, deleted or has a column the cache keeps changed, whoever does
 * it; a bulk import or geocode suspends these and keeps the parts itself.
 * The update trigger has no column list but a WHEN: `SET rowid = ...`
 * changes id without naming it. A REPLACE conflict deletes the row it
 * replaces without its delete triggers (unless recursive_triggers is on in
 * that program), hence the BEFORE triggers on the rows an INSERT or a key
 * change may replace. A later migration that rebuilds `projects` must
 * create these again and empty projects_columns. */
#define COLUMNS_DROP(row) " DELETE FROM projects_columns WHERE part = " row ".id >> 16;"
#define COLUMNS_DROP_REPLACED                                                                                      \
    " DELETE FROM projects_columns WHERE part = (SELECT id >> 16 FROM projects WHERE id = NEW.id);"               \
    " DELETE FROM projects_columns WHERE part = (SELECT id >> 16 FROM projects"                                    \
    " WHERE dataset = NEW.dataset AND source_key = NEW.source_key);"
static const char *const migration_6 =
    "CREATE TABLE projects_columns(part INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "CREATE TRIGGER fp_projects_columns_insert AFTER INSERT ON projects BEGIN" COLUMNS_DROP("NEW") " END;"
    "CREATE TRIGGER fp_projects_columns_update AFTER UPDATE ON projects WHEN OLD.id IS NOT NEW.id"
    " OR OLD.geom IS NOT NEW.geom OR OLD.company IS NOT NEW.company OR OLD.category IS NOT NEW.category"
    " OR OLD.status IS NOT NEW.status OR OLD.country IS NOT NEW.country OR OLD.country_code IS NOT NEW.country_code"
    " OR OLD.dataset IS NOT NEW.dataset OR OLD.source IS NOT NEW.source OR OLD.year IS NOT NEW.year"
    " OR OLD.amount IS NOT NEW.amount BEGIN" COLUMNS_DROP("OLD") COLUMNS_DROP("NEW") " END;"
    "CREATE TRIGGER fp_projects_columns_delete AFTER DELETE ON projects BEGIN" COLUMNS_DROP("OLD") " END;"
    "CREATE TRIGGER fp_projects_columns_replace BEFORE INSERT ON projects BEGIN" COLUMNS_DROP_REPLACED " END;"
    "CREATE TRIGGER fp_projects_columns_rekey BEFORE UPDATE ON projects WHEN OLD.id IS NOT NEW.id"
    " OR OLD.dataset IS NOT NEW.dataset OR OLD.source_key IS NOT NEW.source_key BEGIN" COLUMNS_DROP_REPLACED " END;";
_Static_assert(FP_COLUMNS_PART_BITS == 16, "migration 6's triggers shift ids by 16");

static const char *const migrations[] = { NULL, migration_1, migration_2, migration_3, migration_4, migration_5,
                                          migration_6 };

static fp_status exec_sql(fp_store *s, const char *sql, fp_error *err);
static int read_version(fp_store *s);

/* Kinds of the typed geometry tables: name, SpatiaLite cast, the types it takes. */
static const char *const typed_kinds[][3] = {
    { "point", "CastToMultiPoint", "'POINT', 'MULTIPOINT'" },
    { "line", "CastToMultiLinestring", "'LINESTRING', 'MULTILINESTRING'" },
    { "polygon", "CastToMultiPolygon", "'POLYGON', 'MULTIPOLYGON'" },
};

/* SpatiaLite's triggers on a geometry column run SQL prepared anew for
 * every row: through them an import of 200,000 points took 6.8 s instead
 * of 1.7 s; with them suspended and the index written in bulk, 2.2 s.
 * Suspending drops the triggers of `table` and keeps their SQL in *saved
 * (a GPtrArray of strings, NULL when there were none); the caller's
 * transaction makes drop and restore atomic. */
fp_status fpi_store_triggers_suspend(fp_store *s, const char *table, GPtrArray **saved, fp_error *err)
{
    *saved = NULL;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, sqlite3_errmsg(s->db));
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free), *defs = g_ptr_array_new_with_free_func(g_free);
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        g_ptr_array_add(names, g_strdup((const char *)sqlite3_column_text(q, 0)));
        g_ptr_array_add(defs, g_strdup((const char *)sqlite3_column_text(q, 1)));
    }
    sqlite3_finalize(q);
    fp_status st = FP_OK;
    for (guint i = 0; !st && i < names->len; i++) {
        char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", (const char *)g_ptr_array_index(names, i));
        st = exec_sql(s, drop, err);
        sqlite3_free(drop);
    }
    g_ptr_array_free(names, TRUE);
    if (st || defs->len == 0) g_ptr_array_free(defs, TRUE);
    else *saved = defs;
    return st;
}

/* Recreates the triggers fpi_store_triggers_suspend dropped and frees
 * *saved (also on error, when the caller rolls back). */
fp_status fpi_store_triggers_restore(fp_store *s, GPtrArray **saved, fp_error *err)
{
    fp_status st = FP_OK;
    for (guint i = 0; *saved && !st && i < (*saved)->len; i++) st = exec_sql(s, g_ptr_array_index(*saved, i), err);
    if (*saved) g_ptr_array_free(*saved, TRUE);
    *saved = NULL;
    return st;
}

fp_status fpi_store_exec_without_triggers(fp_store *s, const char *table, const char *sql, fp_error *err)
{
    GPtrArray *saved;
    fp_status st = fpi_store_triggers_suspend(s, table, &saved, err);
    if (!st) st = exec_sql(s, sql, err);
    fp_status rst = fpi_store_triggers_restore(s, &saved, st ? NULL : err);
    return st ? st : rst;
}


/* Changes the declared type of table.column to BIGINT, keeping its values,
 * so that OGR's SQLite driver reads it as a 64-bit integer (it maps a
 * declared INTEGER to a 32-bit field, whatever the values). SQLite cannot
 * change a column's type: add, copy, drop, rename. */
static fp_status column_to_bigint(fp_store *s, const char *table, const char *column, fp_error *err)
{
    sqlite3_stmt *q;
    char *sql = sqlite3_mprintf("SELECT type FROM pragma_table_info('%q') WHERE name = '%q'", table, column);
    int is_int = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) is_int = sqlite3_stricmp((const char *)sqlite3_column_text(q, 0), "INTEGER") == 0;
        sqlite3_finalize(q);
    }
    sqlite3_free(sql);
    if (!is_int) return FP_OK;
    sql = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w_64\" BIGINT;"
                          "UPDATE \"%w\" SET \"%w_64\" = \"%w\";"
                          "ALTER TABLE \"%w\" DROP COLUMN \"%w\";"
                          "ALTER TABLE \"%w\" RENAME COLUMN \"%w_64\" TO \"%w\";",
                          table, column, table, column, column, table, column, table, column, column);
    fp_status st = exec_sql(s, sql, err);
    sqlite3_free(sql);
    return st;
}

/* v4's steps that depend on the store's content: populations as BIGINT in
 * regions and the existing aggregation tables, spatial indexes on those
 * tables, and the typed geometry tables filled from projects. */
static fp_status migrate_4_content(fp_store *s, fp_error *err)
{
    fp_status st = column_to_bigint(s, "regions", "population", err);
    sqlite3_stmt *q;
    GPtrArray *tables = g_ptr_array_new_with_free_func(g_free);
    if (!st && sqlite3_prepare_v2(s->db, "SELECT result_table FROM aggregations a JOIN geometry_columns g"
                                         " ON g.f_table_name = lower(a.result_table)", -1, &q, NULL) == SQLITE_OK) {
        while (sqlite3_step(q) == SQLITE_ROW) g_ptr_array_add(tables, g_strdup((const char *)sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
    }
    for (guint i = 0; !st && i < tables->len; i++) {
        const char *t = g_ptr_array_index(tables, i);
        st = column_to_bigint(s, t, "population", err);
        if (!st) {
            char *sql = sqlite3_mprintf("SELECT CreateSpatialIndex('%q', 'geom') FROM geometry_columns"
                                        " WHERE f_table_name = lower('%q') AND spatial_index_enabled = 0", t, t);
            st = exec_sql(s, sql, err);
            sqlite3_free(sql);
        }
    }
    g_ptr_array_free(tables, TRUE);
    for (size_t k = 0; !st && k < sizeof typed_kinds / sizeof typed_kinds[0]; k++) {
        char *sql = sqlite3_mprintf("INSERT INTO projects_geom_%s(id, geom) SELECT id, %s(geom) FROM projects"
                                    " WHERE GeometryType(geom) IN (%s)",
                                    typed_kinds[k][0], typed_kinds[k][1], typed_kinds[k][2]);
        st = exec_sql(s, sql, err);
        sqlite3_free(sql);
    }
    return st;
}

/* Steps of a migration that SQL alone cannot say, run after its SQL. */
static fp_status (*const migration_steps[])(fp_store *, fp_error *) = { NULL, NULL, NULL, NULL, migrate_4_content, NULL,
                                                                       NULL };

const char *fpi_store_migration_sql(int version)
{
    return (version >= 1 && version <= FP_SCHEMA_VERSION) ? migrations[version] : NULL;
}

static fp_status exec_sql(fp_store *s, const char *sql, fp_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: %s", s->path, msg ? msg : "error");
        sqlite3_free(msg);
        return st;
    }
    return FP_OK;
}

fp_status fpi_store_exec(fp_store *s, const char *sql, fp_error *err)
{
    return exec_sql(s, sql, err);
}

static int read_version(fp_store *s)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &st, NULL) != SQLITE_OK)
        return 0;                       /* no meta table: an empty file */
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

fp_status fpi_store_migrate(fp_store *s, int target, fp_error *err)
{
    int v = read_version(s);
    if (v > FP_SCHEMA_VERSION)
        return fp_error_set(err, FP_ERR_STATE,
                            "%s: schema version %d is newer than this footprint (%d); upgrade footprint",
                            s->path, v, FP_SCHEMA_VERSION);
    if (v >= target)
        return FP_OK;
    if (s->flags & FP_STORE_READONLY)
        return fp_error_set(err, FP_ERR_STATE, "%s: schema version %d needs an upgrade; open it writable", s->path, v);
    fp_status st = fp_store_begin(s, err);
    if (st) return st;
    /* Read again under the write lock: another process may have migrated
     * while this one waited (two `init`s of a new store at once: the second
     * ran migration 1 again, "table meta already exists"). */
    v = read_version(s);
    if (v >= target) {
        fp_store_rollback(s);
        return FP_OK;
    }
    for (int i = v + 1; i <= target; i++) {
        if ((st = exec_sql(s, migrations[i], err)) != FP_OK ||
            (migration_steps[i] && (st = migration_steps[i](s, err)) != FP_OK)) {
            fp_store_rollback(s);
            return st;
        }
    }
    /* SpatiaLite's functions report failure by returning 0, not by an SQL
     * error: check that both geometry columns really exist. */
    sqlite3_stmt *q;
    int geometry_columns = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM geometry_columns WHERE f_table_name IN ('regions','projects')",
                           -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) geometry_columns = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    if (geometry_columns != 2) {
        fp_store_rollback(s);
        return fp_error_set(err, FP_ERR_DB, "%s: SpatiaLite could not create the geometry columns", s->path);
    }
    char sql[128];
    snprintf(sql, sizeof sql,
             "INSERT OR REPLACE INTO meta(key, value) VALUES('schema_version', '%d')", target);
    if ((st = exec_sql(s, sql, err)) != FP_OK || (st = fp_store_commit(s, err)) != FP_OK) {
        fp_store_rollback(s);
        return st;
    }
    return FP_OK;
}

fp_status fpi_store_open_at(const fp_context *ctx, const char *path, int flags, int target, fp_store **out, fp_error *err)
{
    if (fpi_pg_is_url(path)) return fpi_pg_open(ctx, path, flags, target, out, err);
    *out = NULL;
    if (!(flags & FP_STORE_CREATE) && access(path, F_OK) != 0)
        return fp_error_set(err, FP_ERR_STATE, "%s: no such database; run `footprint init` first", path);
    if (flags & FP_STORE_CREATE) {
        /* Create missing parent folders (the default store is output/...). */
        char *dir = g_path_get_dirname(path);
        int rc = g_mkdir_with_parents(dir, 0777);
        fp_status st = rc == 0 ? FP_OK
                               : fp_error_set(err, FP_ERR_IO, "%s: cannot create folder %s: %s", path, dir, strerror(errno));
        g_free(dir);
        if (st) return st;
    }
    fp_store *s = calloc(1, sizeof *s);
    if (!s) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    s->path = strdup(path);
    s->flags = flags;
    s->ctx = ctx;
    int oflags = (flags & FP_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                             : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    /* One connection is used by one thread at a time: no SQLite mutexes. */
    oflags |= SQLITE_OPEN_NOMUTEX;
    /* A writer's page writes gathered into fewer system calls (write_behind.c). */
    const char *vfs = (flags & FP_STORE_READONLY) ? NULL : fpi_write_behind_vfs();
    if (sqlite3_open_v2(path, &s->db, oflags, vfs) != SQLITE_OK) {
        fp_error_set(err, FP_ERR_DB, "%s: cannot open database: %s", path,
                     s->db ? sqlite3_errmsg(s->db) : "out of memory");
        fp_store_close(s);
        return err ? err->code : FP_ERR_DB;
    }
    s->spatialite_cache = spatialite_alloc_connection();
    spatialite_init_ex(s->db, s->spatialite_cache, 0);
    /* After SpatiaLite's init, which sets a busy handler of its own.
     * A bounded wait for another writer, then a clear error (see fp_store_begin). */
    /* The context's wait (the CLI takes FOOTPRINT_BUSY_MS for tests); the
     * default is 5 s: long enough for another command's short transaction,
     * short enough that a store held by a long import fails promptly with a
     * clear message. */
    s->busy_ms = fp_context_busy_ms(ctx);
    sqlite3_busy_timeout(s->db, s->busy_ms);
    /* Is this a SQLite file at all? The first read tells. */
    fp_status st = FP_OK;
    {
        sqlite3_stmt *q;
        int rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL);
        if (rc == SQLITE_OK) { rc = sqlite3_step(q); sqlite3_finalize(q); }
        if (rc == SQLITE_BUSY)
            st = fp_error_set(err, FP_ERR_DB, "%s: database is locked by another process (waited %.1f s); "
                              "try again when it has finished", path, s->busy_ms / 1000.0);
        else if (rc != SQLITE_ROW)
            st = fp_error_set(err, FP_ERR_STATE, "%s: not a footprint database (not a SQLite file); refusing to change it",
                              path);
    }
    if (st == FP_OK) st = exec_sql(s, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY;", err);
    if (st == FP_OK) {
        s->opened_version = read_version(s);
        if (s->opened_version == 0) {
            sqlite3_stmt *q;
            int tables = 0;
            if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &q, NULL) == SQLITE_OK) {
                if (sqlite3_step(q) == SQLITE_ROW) tables = sqlite3_column_int(q, 0);
                sqlite3_finalize(q);
            }
            if (tables > 0)
                st = fp_error_set(err, FP_ERR_STATE,
                                  "%s: a SQLite database but not a footprint store (no schema_version); "
                                  "refusing to change it", path);
            else if (!(flags & FP_STORE_CREATE))
                st = fp_error_set(err, FP_ERR_STATE, "%s: an empty file, not a store; run `footprint init` first", path);
        }
    }
    /* A new store gets 8 KiB pages: fewer B-tree splits in bulk imports. */
    if (st == FP_OK && s->opened_version == 0 && !(flags & FP_STORE_READONLY))
        st = exec_sql(s, "PRAGMA page_size=8192", err);
    if (st == FP_OK)
        st = fpi_store_migrate(s, target, err);
    if (st != FP_OK) {
        fp_store_close(s);
        return st;
    }
    *out = s;
    return FP_OK;
}

/* The arguments a caller must give (NULL is a usage error naming it, not a
 * crash): fn is the public function's name. */
static fp_status open_args(const char *fn, const char *path, fp_store **out, fp_error *err)
{
    if (out) *out = NULL;
    if (!out) return fp_error_set(err, FP_ERR_USAGE, "%s: out is NULL", fn);
    if (!path) return fp_error_set(err, FP_ERR_USAGE, "%s: path is NULL", fn);
    return FP_OK;
}

fp_status fp_store_open(const char *path, int flags, fp_store **out, fp_error *err)
{
    fp_status st = open_args("fp_store_open", path, out, err);
    if (st) return st;
    return fpi_store_open_at(NULL, path, flags, FP_SCHEMA_VERSION, out, err);
}

fp_status fp_store_open_ctx(const fp_context *ctx, const char *path, int flags, fp_store **out, fp_error *err)
{
    fp_status st = open_args("fp_store_open_ctx", path, out, err);
    if (st) return st;
    return fpi_store_open_at(ctx, path, flags, FP_SCHEMA_VERSION, out, err);
}

const fp_context *fp_store_context(const fp_store *s) { return s ? s->ctx : NULL; }

void fp_store_close(fp_store *s)
{
    if (s && s->pg) { fpi_pg_close(s); return; }
    if (!s) return;
    if (s->db) {
        if (s->in_txn) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close_v2(s->db);
    }
    if (s->spatialite_cache) spatialite_cleanup_ex(s->spatialite_cache);
    free(s->path);
    free(s);
}

const char *fp_store_path(const fp_store *s) { return s->path; }
int fp_store_schema_version(const fp_store *s)
{
    return s->pg ? fpi_pg_schema_version((fp_store *)s) : read_version((fp_store *)s);
}
int fp_store_opened_version(const fp_store *s) { return s->opened_version; }
sqlite3 *fpi_store_sqlite(fp_store *s) { return s->db; }

fp_status fp_store_begin(fp_store *s, fp_error *err)
{
    if (s->pg) return fpi_pg_begin(s, err);
    /* IMMEDIATE takes the write lock now, so a busy store fails here (after
     * the busy timeout) rather than half-way through the work. */
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc == SQLITE_BUSY)
        return fp_error_set(err, FP_ERR_DB, "%s: database is locked by another process (waited %.1f s); try again when it has finished",
                            s->path, s->busy_ms / 1000.0);
    if (rc != SQLITE_OK)
        return fp_error_set(err, FP_ERR_DB, "%s: cannot start a transaction: %s", s->path, sqlite3_errmsg(s->db));
    s->in_txn = 1;
    return FP_OK;
}

fp_status fp_store_begin_bulk(fp_store *s, fp_error *err)
{
    if (s->pg) return fpi_pg_begin(s, err);
    /* The setting can only change outside a transaction; fp_store_commit
     * and fp_store_rollback set it back. */
    if (sqlite3_exec(s->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) == SQLITE_OK) s->fk_suspended = 1;
    fp_status st = fp_store_begin(s, err);
    if (st) fpi_store_foreign_keys_back(s);
    return st;
}

void fpi_store_foreign_keys_back(fp_store *s)
{
    if (!s->fk_suspended) return;
    sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    s->fk_suspended = 0;
}

fp_status fp_store_commit(fp_store *s, fp_error *err)
{
    if (s->pg) return fpi_pg_commit(s, err);
    if (!s->in_txn) return FP_OK;
    int rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int full = (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR;
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: %s (%s); nothing of this run was stored", s->path,
                                    full ? "cannot write the database: disk full or file size limit" : "commit failed",
                                    sqlite3_errmsg(s->db));
        fp_store_rollback(s);
        return st;
    }
    s->in_txn = 0;
    fpi_store_foreign_keys_back(s);
    return FP_OK;
}

void fp_store_rollback(fp_store *s)
{
    if (s->pg) { fpi_pg_rollback(s); return; }
    if (!s->in_txn) return;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_txn = 0;
    fpi_store_foreign_keys_back(s);
}

long fp_store_count(fp_store *s, const char *table)
{
    static const char *const allowed[] = { "regions", "projects", "imports", "rejects", NULL };
    int ok = 0;
    for (int i = 0; allowed[i]; i++) ok |= strcmp(allowed[i], table) == 0;
    if (!ok) return -1;
    if (s->pg) return fpi_pg_count(s, table);
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *q;
    long n = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return n;
}

const char *fp_data_path(const fp_context *ctx, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", fp_context_data_dir(ctx), name);
    return buf;
}

void fp_global_init(void) { fp_global_init_flags(0); }

void fp_global_init_flags(int flags)
{
    if (!(flags & FP_INIT_KEEP_SQLITE_MALLOC))
        fpi_sqlite_memory_install();   /* before SQLite's first use (sqlite_memory.c) */
    spatialite_initialize();
    /* GDAL registers its drivers when first used (common/gdal_api.c); once
     * loaded, an init after fp_global_cleanup registers them again. */
    if (fpi_gdal_loaded()) GDALAllRegister();
}

void fp_global_cleanup(void)
{
    if (fpi_gdal_loaded()) {
        GDALDestroyDriverManager();
        OGRCleanupAll();
    }
    spatialite_shutdown();
}

int fp_store_is_server(const fp_store *s)
{
    return s && s->pg != NULL;
}

int fp_store_cache_size(fp_store *s, int size)
{
    if (s->pg) return size;   /* PostgreSQL sizes its own buffers */
    int previous = -2000;                 /* SQLite's default */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "PRAGMA cache_size", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW) previous = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=%d", size);
    sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return previous;
}

fp_status fp_store_project_values(fp_store *s, const char *column, char ***values, size_t *n, fp_error *err)
{
    if (s->pg) return fpi_pg_project_values(s, column, values, n, err);
    *values = NULL;
    *n = 0;
    char *sql = sqlite3_mprintf("SELECT DISTINCT coalesce(CAST(\"%w\" AS TEXT), '') FROM projects WHERE geom IS NOT NULL",
                                column);
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    sqlite3_free(sql);
    GPtrArray *a = g_ptr_array_new();
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) g_ptr_array_add(a, g_strdup((const char *)sqlite3_column_text(q, 0)));
        sqlite3_finalize(q);
        if (rc != SQLITE_DONE) {
            g_ptr_array_free(a, TRUE);
            return fp_error_set(err, FP_ERR_DB, "%s: cannot read projects.%s: %s", s->path, column, sqlite3_errmsg(s->db));
        }
    }                                     /* else: no such column, no values */
    *n = a->len;
    g_ptr_array_add(a, NULL);
    *values = (char **)g_ptr_array_free(a, FALSE);
    return FP_OK;
}

void fp_store_strings_free(char **values)
{
    g_strfreev(values);
}
