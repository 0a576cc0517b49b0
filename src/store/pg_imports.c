/*
 * Imports on PostGIS: the `imports` record, the bulk loader and the
 * listings of rejects and repaired rows.
 *
 * The loader streams projects through one COPY inside the import's
 * transaction (the caller's): nothing is visible to others until the
 * commit, and a failed or killed import leaves nothing. A COPY stops at
 * the first refused row, so what the SpatiaLite loader learns from a
 * constraint is decided here before the row is sent: duplicates from a
 * set of the dataset's source keys (read at the start), geometries from
 * OGR's reading of the WKB. Rejects wait in a temporary file and follow
 * in a second COPY once the projects are in. Big loads are ANALYZEd after
 * the commit (fpi_pg_commit).
 *
 * A load bigger than what the table holds (and of 100,000 rows or more)
 * goes the way PostgreSQL's documentation advises for bulk loads: the
 * primary key, the GiST and (dataset, source_key) indexes, the foreign key
 * to `imports` and those of the QA's tables to `projects` are dropped, the
 * rows copied, the indexes built once and the keys validated with one
 * query each, all in the import's transaction. Kept up row by row they
 * cost 15 of the 1M-point load's 21 server seconds (GiST 6.6, unique index
 * 3.0, the key's trigger 4.9, the primary key 1.0, measured with INSERT ...
 * SELECT); built at the end, 4.3 s. The rows' ids are taken from the
 * sequence in one step and sent with them, rather than a nextval() each
 * (1M rows: the server's COPY 1.37 -> 1.07 s). The price: `imports`,
 * `projects` and the QA's tables are locked (ACCESS EXCLUSIVE) from the
 * start of the import to its commit, so other sessions' reads of them wait
 * for it, as they would for a pg_restore. Smaller loads keep the indexes
 * and the keys and never block a reader.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "common/gdal_api.h"
#include "common/util.h"
#include "store/pg_internal.h"

/* Loads of at least this many rows refresh the planner's statistics. */
#define ANALYZE_ROWS 10000
/* Loads estimated at this many rows or more, and at least as many as the
 * table holds, rebuild the indexes rather than keep them up (see above). */
#define BULK_ROWS 100000
/* How long a bulk import tries for its locks before it goes the ordinary
 * way, and how often (bulk_import_begin). */
#define BULK_LOCK_WAIT_MS 10000
#define BULK_LOCK_RETRY_MS 50
/* Bytes per row of a point CSV (gen_points.py: 75-80); richer files have
 * more, so the estimate errs towards a bulk load, which costs only the lock. */
#define BULK_BYTES_PER_ROW 64

/* The rows a delimited text file will bring, roughly, from its size; 0
 * for anything else (a GeoJSON or GeoPackage of a few thousand polygons
 * can be as big as a million-point CSV). */
static double estimated_rows(const char *file)
{
    struct stat sb;
    const char *dot = file ? strrchr(file, '.') : NULL;
    if (!dot || (g_ascii_strcasecmp(dot, ".csv") && g_ascii_strcasecmp(dot, ".tsv") && g_ascii_strcasecmp(dot, ".txt")))
        return 0;
    if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    return (double)sb.st_size / BULK_BYTES_PER_ROW;
}

/* Whether this import is a bulk load (see the top of the file) and, if so,
 * its locks. They are the transaction's first, and taken all at once or
 * not at all: LOCK ... NOWAIT, given up (to the savepoint) and tried again
 * every BULK_LOCK_RETRY_MS while any is held elsewhere. A bulk import so
 * never holds one of them while it waits for another: sessions that take
 * `projects` and then `imports` (a check, an aggregation's readers) and
 * sessions that take them the other way round (an import writing its row
 * in `imports`, then its projects) both go on, where a plain LOCK that had
 * one of the tables and waited for the next deadlocked with them. Past
 * BULK_LOCK_WAIT_MS the import goes the ordinary way, which locks no
 * reader out. The table's size comes from pg_class, read without locking
 * `projects`: the planner's count (current after every big load's
 * ANALYZE), else, never analyzed, its size on disk at 150 bytes a row. */
static fp_status bulk_import_begin(fp_store *s, const char *file, fp_error *err)
{
    s->pg->bulk_import = 0;
    double rows = estimated_rows(file);
    long bulk_rows = fp_context_test_bulk_rows(s->ctx);
    if (rows < (bulk_rows ? bulk_rows : BULK_ROWS)) return FP_OK;
    /* The tables whose foreign keys reference projects (the QA's), as
     * regclass prints them: quoted where need be. */
    PGresult *r = fpi_pg_exec(s, "SELECT CASE WHEN reltuples >= 0 THEN reltuples ELSE pg_relation_size(oid) / 150 END,"
                                 " (SELECT string_agg(DISTINCT ', ' || conrelid::regclass::text, '') FROM pg_constraint"
                                 "  WHERE confrelid = 'projects'::regclass AND contype = 'f' AND conparentid = 0),"
                                 /* Dropping and rebuilding indexes and keys is the
                                  * owner's right: a colleague with the owner's grants
                                  * goes the ordinary way ("must be owner of table
                                  * projects" failed the import before). */
                                 " (SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c"
                                 "  WHERE c.oid = 'projects'::regclass OR c.oid IN (SELECT conrelid FROM pg_constraint"
                                 "  WHERE confrelid = 'projects'::regclass AND contype = 'f' AND conparentid = 0))"
                                 " FROM pg_class WHERE oid = 'projects'::regclass", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "reading imports", err);
    double stored = strtod(PQgetvalue(r, 0, 0), NULL);
    int owner = !strcmp(PQgetvalue(r, 0, 2), "t");
    char *lock = g_strdup_printf("LOCK TABLE imports, projects%s IN ACCESS EXCLUSIVE MODE NOWAIT", PQgetvalue(r, 0, 1));
    PQclear(r);
    if (rows < stored || !owner) {
        g_free(lock);
        return FP_OK;
    }
    fp_status st = FP_OK;
    gint64 give_up = g_get_monotonic_time() + (gint64)BULK_LOCK_WAIT_MS * 1000;
    for (;;) {
        if ((st = fpi_pg_command(s, "SAVEPOINT fp_bulk_lock", 0, NULL, "storing projects", err))) break;
        r = fpi_pg_exec(s, lock, 0, NULL);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            PQclear(r);
            s->pg->bulk_import = 1;
            st = fpi_pg_command(s, "RELEASE SAVEPOINT fp_bulk_lock", 0, NULL, "storing projects", err);
            break;
        }
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (!state || strcmp(state, "55P03")) {    /* anything but lock_not_available */
            st = fpi_pg_error(s, r, "waiting for other sessions' work on imports and projects", err);
            break;
        }
        PQclear(r);
        if ((st = fpi_pg_command(s, "ROLLBACK TO SAVEPOINT fp_bulk_lock", 0, NULL, "storing projects", err))) break;
        if (g_get_monotonic_time() >= give_up) break;           /* the ordinary way */
        if (fp_context_cancelled(s->ctx)) {
            st = fp_error_set(err, FP_ERR_INTERRUPTED, "interrupted");
            break;
        }
        g_usleep(BULK_LOCK_RETRY_MS * 1000);
    }
    g_free(lock);
    return st;
}

fp_status fpi_pg_import_begin(fp_store *s, const char *file, const char *checksum, const char *dataset,
                             const char *started, int64_t *import_id, int64_t *previous, int64_t *forgotten,
                             fp_error *err)
{
    *import_id = *previous = 0;
    fp_status st = bulk_import_begin(s, file, err);
    if (st) return st;
    /* After the bulk locks: any read of imports before them holds a lock
     * that another bulk import's LOCK ... NOWAIT fails on (two such
     * imports each waited out the other's and both went the slow way). */
    if ((st = fpi_pg_import_forget_empty(s, dataset, checksum, forgotten, err))) return st;
    if ((st = fpi_pg_import_find(s, dataset, checksum, previous, err)) || *previous) return st;
    const char *v[] = { dataset, checksum, file, started };
    PGresult *r = fpi_pg_exec(s, "INSERT INTO imports(dataset, checksum, file, started) VALUES($1, $2, $3, $4) RETURNING id", 4, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "recording the import", err);
    *import_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_import_find(fp_store *s, const char *dataset, const char *checksum, int64_t *id, fp_error *err)
{
    const char *v[] = { dataset, checksum };
    PGresult *r = fpi_pg_exec(s, "SELECT id FROM imports WHERE dataset = $1 AND checksum = $2", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading imports", err);
    *id = PQntuples(r) > 0 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_import_forget_empty(fp_store *s, const char *dataset, const char *checksum, int64_t *forgotten,
                                     fp_error *err)
{
    *forgotten = 0;
    const char *v[] = { dataset, checksum };
    PGresult *r = fpi_pg_exec(s, "SELECT id FROM imports WHERE dataset = $1 AND checksum = $2 AND rows_stored = 0"
                                 " FOR UPDATE", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading imports", err);
    char id[32] = "";
    if (PQntuples(r) > 0) snprintf(id, sizeof id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!*id) return FP_OK;
    const char *w[] = { id };
    static const char *const forget[] = { "DELETE FROM rejects WHERE import_id = $1", "DELETE FROM imports WHERE id = $1" };
    for (int k = 0; k < 2; k++) {
        r = fpi_pg_exec(s, forget[k], 1, w);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) return fpi_pg_error(s, r, "forgetting an import that stored nothing", err);
        PQclear(r);
    }
    *forgotten = strtoll(id, NULL, 10);
    return FP_OK;
}

fp_status fpi_pg_datasets(fp_store *s, const char *sql, char ***names, size_t *n, fp_error *err)
{
    PGresult *r = fpi_pg_exec(s, sql, 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading imports", err);
    *n = (size_t)PQntuples(r);
    *names = g_new0(char *, *n + 1);
    for (size_t i = 0; i < *n; i++) (*names)[i] = g_strdup(PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_dataset_drop(fp_store *s, const char *dataset, int64_t *projects, int64_t *imports, fp_error *err)
{
    static const char *const steps[] = {
        "DELETE FROM qa_fixes WHERE dataset = $1",
        "DELETE FROM qa_findings WHERE dataset = $1",
        "DELETE FROM projects WHERE dataset = $1",
        "DELETE FROM rejects WHERE import_id IN (SELECT id FROM imports WHERE dataset = $1)",
        "DELETE FROM imports WHERE dataset = $1",
    };
    const char *v[] = { dataset };
    /* The aggregations' assignments of the dataset's projects, as on
     * SQLite (where ids are reused): no old assignment names a project
     * that is gone. */
    PGresult *a = fpi_pg_exec(s, "SELECT assign_table FROM aggregations", 0, NULL);
    if (PQresultStatus(a) != PGRES_TUPLES_OK) return fpi_pg_error(s, a, "removing a dataset", err);
    for (int i = 0; i < PQntuples(a); i++) {
        char *t = fpi_pg_ident(s, PQgetvalue(a, i, 0));
        char *sql = g_strdup_printf("DELETE FROM %s WHERE project_id IN (SELECT id FROM projects WHERE dataset = $1)", t);
        PQfreemem(t);
        PGresult *r = fpi_pg_exec(s, sql, 1, v);
        g_free(sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) { PQclear(a); return fpi_pg_error(s, r, "removing a dataset", err); }
        PQclear(r);
    }
    PQclear(a);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        PGresult *r = fpi_pg_exec(s, steps[k], 1, v);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) return fpi_pg_error(s, r, "removing a dataset", err);
        if (k == 2) *projects = strtoll(PQcmdTuples(r), NULL, 10);
        if (k == 4) *imports = strtoll(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    return FP_OK;
}

fp_status fpi_pg_dataset_has_imports(fp_store *s, const char *dataset, int *any, fp_error *err)
{
    const char *v[] = { dataset };
    PGresult *r = fpi_pg_exec(s, "SELECT EXISTS(SELECT 1 FROM imports WHERE dataset = $1)", 1, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "reading imports", err);
    *any = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_import_checksum(fp_store *s, int64_t import_id, const char *dataset, const char *checksum,
                                 int64_t *previous, fp_error *err)
{
    *previous = 0;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)import_id);
    const char *v[] = { dataset, checksum, id };
    PGresult *r = fpi_pg_exec(s, "SELECT id FROM imports WHERE dataset = $1 AND checksum = $2 AND id <> $3", 3, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading imports", err);
    if (PQntuples(r) > 0) *previous = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (*previous) return FP_OK;
    /* Another session's import of the same file, committed after the
     * look-up above, makes the UPDATE fail on the unique index: the import
     * then finds that session's import (fp_import_file). */
    const char *u[] = { checksum, id };
    return fpi_pg_command(s, "UPDATE imports SET checksum = $1 WHERE id = $2", 2, u, "recording the import", err);
}

fp_status fpi_pg_import_end(fp_store *s, int64_t import_id, const char *format, long rows_read, long stored,
                           long rejected, const char *finished, fp_error *err)
{
    char id[24], a[24], b[24], c[24];
    snprintf(id, sizeof id, "%lld", (long long)import_id);
    snprintf(a, sizeof a, "%ld", rows_read);
    snprintf(b, sizeof b, "%ld", stored);
    snprintf(c, sizeof c, "%ld", rejected);
    const char *v[] = { format, a, b, c, finished, id };
    return fpi_pg_command(s, "UPDATE imports SET format = $1, rows_read = $2, rows_stored = $3, rows_rejected = $4,"
                            " finished = $5 WHERE id = $6", 6, v, "recording the import", err);
}

/* ------------------------------------------------------------- loader --- */

struct fp_pg_loader {
    fp_store *store;
    int64_t import_id;
    const char *dataset, *file;
    GHashTable *keys;          /* source keys of the dataset: stored and this file's */
    GString *buf;              /* COPY rows not yet sent */
    FILE *rejects;             /* COPY rows of rejects, sent after the projects */
    long stored;
    int copying;
    int bulk;                  /* indexes dropped, to be built in finish */
    int had_fkey;              /* projects_import_id_fkey was there */
    char *pkey_def;            /* projects_pkey's definition, when it was dropped */
    GPtrArray *readd;          /* the statements that re-add the foreign keys to projects */
    int explicit_ids;          /* ids sent with the rows: first_id, first_id + 1, ... */
    int64_t first_id;          /* the ids the COPY took: first_id .. first_id + stored - 1 */
    int ids_known;
    unsigned char *wkb;        /* a point's WKB */
    fpi_columns_writer *columns;   /* a bulk load's column cache (project_columns.c) */
    int trigger_off;           /* projects_columns_inserted disabled for the load */
};

/* Why a write failed, naming the server and the file; nothing was kept. */
static fp_status loader_error(fp_pg_loader *l, fp_status st, fp_error *err)
{
    if (err && st) {
        char msg[sizeof err->message + 512];
        snprintf(msg, sizeof msg, "%s (importing %s; nothing of it was stored)", err->message, l->file);
        /* Another import into the dataset stored one of these keys after this one began. */
        if (strstr(err->message, "projects_key"))
            snprintf(msg, sizeof msg, "%s: another import stored the same source keys in dataset %s meanwhile "
                     "(importing %s; nothing of it was stored; run it again)", l->store->path, l->dataset, l->file);
        g_strlcpy(err->message, msg, sizeof err->message);
    }
    return st;
}

/* The primary key and the foreign keys that need it (the QA's tables'),
 * each dropped with its definition kept for bulk_finish. In a savepoint:
 * where the server refuses (a view that needs the key, a table of someone
 * else's), the key stays and is kept up row by row. */
static fp_status drop_primary_key(fp_pg_loader *l, fp_error *err)
{
    fp_store *s = l->store;
    fp_status st = fpi_pg_command(s, "SAVEPOINT fp_bulk_keys", 0, NULL, "storing projects", err);
    if (st) return st;
    /* conparentid = 0: a partitioned table's own key, not its partitions' copies. */
    PGresult *r = fpi_pg_exec(s, "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)"
                                 " FROM pg_constraint WHERE confrelid = 'projects'::regclass AND contype = 'f'"
                                 " AND conparentid = 0 ORDER BY 1, 2", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "storing projects", err);
    GPtrArray *readd = g_ptr_array_new_with_free_func(g_free);
    PGresult *failed = NULL;
    for (int i = 0; i < PQntuples(r) && !failed; i++) {
        char *drop = g_strdup_printf("ALTER TABLE %s DROP CONSTRAINT %s", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
        PGresult *d = fpi_pg_exec(s, drop, 0, NULL);
        g_free(drop);
        if (PQresultStatus(d) != PGRES_COMMAND_OK) failed = d;
        else PQclear(d);
        g_ptr_array_add(readd, g_strdup_printf("ALTER TABLE %s ADD CONSTRAINT %s %s", PQgetvalue(r, i, 0),
                                               PQgetvalue(r, i, 1), PQgetvalue(r, i, 2)));
    }
    PQclear(r);
    char *pkey_def = NULL;
    if (!failed) {
        r = fpi_pg_exec(s, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'projects'::regclass"
                           " AND conname = 'projects_pkey' AND contype = 'p'", 0, NULL);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            g_ptr_array_free(readd, TRUE);
            return fpi_pg_error(s, r, "storing projects", err);
        }
        if (PQntuples(r) == 1) {
            pkey_def = g_strdup(PQgetvalue(r, 0, 0));
            PGresult *d = fpi_pg_exec(s, "ALTER TABLE projects DROP CONSTRAINT projects_pkey", 0, NULL);
            if (PQresultStatus(d) != PGRES_COMMAND_OK) failed = d;
            else PQclear(d);
        }
        PQclear(r);
    }
    if (failed) {
        PQclear(failed);
        g_ptr_array_free(readd, TRUE);
        g_free(pkey_def);
        return fpi_pg_command(s, "ROLLBACK TO SAVEPOINT fp_bulk_keys", 0, NULL, "storing projects", err);
    }
    l->readd = readd;
    l->pkey_def = pkey_def;
    return fpi_pg_command(s, "RELEASE SAVEPOINT fp_bulk_keys", 0, NULL, "storing projects", err);
}

/* Drops what bulk_finish rebuilds; the locks were taken by
 * fpi_pg_import_begin, first thing in the transaction. */
static fp_status bulk_begin(fp_pg_loader *l, fp_error *err)
{
    fp_store *s = l->store;
    if (!s->pg->bulk_import) return FP_OK;
    PGresult *r = fpi_pg_exec(s, "SELECT EXISTS(SELECT 1 FROM pg_constraint WHERE conrelid = 'projects'::regclass"
                                 " AND conname = 'projects_import_id_fkey')", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "storing projects", err);
    l->had_fkey = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    /* The first id; the rest follow it, the sequence set past them at the
     * end. Nobody else takes ids meanwhile: that needs a row in projects,
     * which is locked. (A table whose id has no sequence keeps its default.) */
    r = fpi_pg_exec(s, "SELECT nextval(pg_get_serial_sequence('projects', 'id'))", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "storing projects", err);
    if (!PQgetisnull(r, 0, 0)) {
        l->first_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        l->explicit_ids = 1;
    }
    PQclear(r);
    /* The column cache's parts: only a bulk load that gives the ids fills
     * them, as only it keeps every other session's rows out of the parts
     * it fills (otherwise the insert trigger drops the parts touched). The
     * largest id before it is read while the primary key is there. */
    fp_status st = l->explicit_ids ? fpi_columns_writer_new(s, l->dataset, &l->columns, err) : FP_OK;
    if (!st && l->columns) {
        st = fpi_pg_columns_insert_trigger(s, 0, err);
        l->trigger_off = !st;
    }
    if (!st) st = fpi_pg_command(s, "DROP INDEX IF EXISTS projects_geom, projects_key", 0, NULL, "storing projects", err);
    if (!st && l->had_fkey)
        st = fpi_pg_command(s, "ALTER TABLE projects DROP CONSTRAINT projects_import_id_fkey", 0, NULL,
                            "storing projects", err);
    if (!st) st = drop_primary_key(l, err);
    l->bulk = !st;
    return st;
}

/* The indexes and the key bulk_begin dropped, built on the loaded table. */
static fp_status bulk_finish(fp_pg_loader *l, fp_error *err)
{
    fp_store *s = l->store;
    fp_status st = fpi_pg_index_memory(s, "storing projects", err);
    if (!st && l->pkey_def) {
        char *add = g_strdup_printf("ALTER TABLE projects ADD CONSTRAINT projects_pkey %s", l->pkey_def);
        st = fpi_pg_command(s, add, 0, NULL, "indexing projects", err);
        g_free(add);
    }
    if (!st) st = fpi_pg_command(s, "CREATE INDEX projects_geom ON projects USING gist(geom)", 0, NULL,
                                 "indexing projects", err);
    if (!st) st = fpi_pg_command(s, "CREATE UNIQUE INDEX projects_key ON projects(dataset, source_key)", 0, NULL,
                                 "indexing projects", err);
    if (!st && l->had_fkey)
        st = fpi_pg_command(s, "ALTER TABLE projects ADD CONSTRAINT projects_import_id_fkey FOREIGN KEY (import_id)"
                               " REFERENCES imports(id)", 0, NULL, "indexing projects", err);
    for (guint i = 0; l->readd && i < l->readd->len && !st; i++)
        st = fpi_pg_command(s, l->readd->pdata[i], 0, NULL, "indexing projects", err);
    if (!st && l->trigger_off) {
        st = fpi_pg_columns_insert_trigger(s, 1, err);
        l->trigger_off = !!st;
    }
    return st;
}

fp_status fpi_pg_loader_new(fp_store *s, int64_t import_id, const char *dataset, const char *file, fp_pg_loader **out,
                           fp_error *err)
{
    *out = NULL;
    fp_pg_loader *l = calloc(1, sizeof *l);
    if (!l) return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    l->store = s;
    l->import_id = import_id;
    l->dataset = dataset;
    l->file = file;
    l->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    l->buf = g_string_sized_new(1 << 17);
    l->rejects = tmpfile();
    if (!l->rejects) {
        fpi_pg_loader_free(l);
        return fp_error_set(err, FP_ERR_IO, "cannot create a temporary file for rejects");
    }
    fp_status st = bulk_begin(l, err);
    if (st) {
        st = loader_error(l, st, err);
        fpi_pg_loader_free(l);
        return st;
    }
    /* The keys already in the dataset, through a cursor (flat memory per batch). */
    const char *v[] = { dataset };
    fp_rows *r = fpi_pg_rows_query(s, "SELECT source_key FROM projects WHERE dataset = $1 AND source_key IS NOT NULL",
                                  1, v, "reading source keys", 0, 1, err);
    st = r ? FP_OK : (err ? err->code : FP_ERR_DB);
    if (r) {
        while (fp_rows_next(r)) g_hash_table_add(l->keys, g_strdup(fp_rows_text(r, 0)));
        st = fp_rows_status(r, err);
        fp_rows_free(r);
    }
    if (st) {
        st = loader_error(l, st, err);
        fpi_pg_loader_free(l);
        return st;
    }
    *out = l;
    return FP_OK;
}

void fpi_pg_loader_free(fp_pg_loader *l)
{
    if (!l) return;
    if (l->copying) fpi_pg_copy_abort(l->store);
    if (l->keys) g_hash_table_destroy(l->keys);
    if (l->buf) g_string_free(l->buf, TRUE);
    if (l->rejects) fclose(l->rejects);
    if (l->readd) g_ptr_array_free(l->readd, TRUE);
    g_free(l->pkey_def);
    fpi_columns_writer_free(l->columns);
    free(l);
}

static const char *empty_null(const char *v) { return v && *v ? v : NULL; }

fp_status fpi_pg_loader_reject(fp_pg_loader *l, long line, long feature, const char *reason, const char *raw,
                              size_t raw_len, fp_error *err)
{
    GString *row = g_string_new(NULL);
    char id[24], a[24], b[24];
    snprintf(id, sizeof id, "%lld", (long long)l->import_id);
    snprintf(a, sizeof a, "%ld", line);
    snprintf(b, sizeof b, "%ld", feature);
    fpi_pg_copy_field(row, id);
    fpi_pg_copy_field(row, line > 0 ? a : NULL);
    fpi_pg_copy_field(row, feature > 0 ? b : NULL);
    fpi_pg_copy_field(row, reason);
    char *r = raw ? g_strndup(raw, raw_len) : NULL;
    fpi_pg_copy_field(row, r);
    g_free(r);
    g_string_append_c(row, '\n');
    size_t w = fwrite(row->str, 1, row->len, l->rejects);
    int ok = w == row->len;
    g_string_free(row, TRUE);
    return ok ? FP_OK : fp_error_set(err, FP_ERR_IO, "%s: cannot keep rejects in a temporary file", l->file);
}

fp_status fpi_pg_loader_project(fp_pg_loader *l, const fp_project_record *p, fp_store_refusal *refused, fp_error *err)
{
    *refused = FP_STORE_STORED;
    const char *key = empty_null(p->source_key);
    if (key && g_hash_table_contains(l->keys, key)) {
        *refused = FP_STORE_DUPLICATE;
        return FP_OK;
    }
    unsigned char point[21];
    const unsigned char *wkb = p->wkb;
    size_t wkb_len = p->wkb_len;
    if (p->is_point) {
        /* WKB of the point, little-endian, as OGR would write it. */
        point[0] = 1;
        uint32_t type = 1;
        memcpy(point + 1, &type, 4);
        memcpy(point + 5, &p->x, 8);
        memcpy(point + 13, &p->y, 8);
        wkb = point;
        wkb_len = sizeof point;
    } else if (wkb) {
        fp_status gdal_st = fpi_gdal_require(err);
        if (gdal_st) return gdal_st;
        OGRGeometryH g = NULL;
        if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)wkb_len) != OGRERR_NONE) {
            *refused = FP_STORE_BAD_GEOMETRY;
            return FP_OK;
        }
        OGR_G_DestroyGeometry(g);
    }
    /* The COPY starts with the first row: until then the connection still
     * answers the import's other queries (the country index). Its binary
     * format spares printing numbers and hex here and parsing them there
     * (1M points: the server's COPY 3.3 -> 2.9 s, see bench/README.md). */
    GString *b = l->buf;
    if (!l->copying) {
#define COPY_COLUMNS "import_id, dataset, source_key, source_line, company, category, name, place, country," \
                     " country_code, year, status, amount, source, extra, geom, geocode_method, geocode_precision)" \
                     " FROM STDIN (FORMAT binary)"
        fp_status st = fpi_pg_command(l->store, l->explicit_ids ? "COPY projects(id, " COPY_COLUMNS
                                                                : "COPY projects(" COPY_COLUMNS,
                                     0, NULL, "storing projects", err);
#undef COPY_COLUMNS
        if (st) return loader_error(l, st, err);
        l->copying = 1;
        fpi_pg_bin_header(b);
    }
    if (key) g_hash_table_add(l->keys, g_strdup(key));
    fpi_pg_bin_row(b, l->explicit_ids ? 19 : 18);
    if (l->explicit_ids) fpi_pg_bin_int8(b, l->first_id + l->stored);
    fpi_pg_bin_int8(b, l->import_id);
    fpi_pg_bin_text(b, l->dataset);
    fpi_pg_bin_text(b, key);
    fpi_pg_bin_int8(b, p->source_line);
    fpi_pg_bin_text(b, empty_null(p->company));
    fpi_pg_bin_text(b, empty_null(p->category));
    fpi_pg_bin_text(b, empty_null(p->name));
    fpi_pg_bin_text(b, empty_null(p->place));
    fpi_pg_bin_text(b, empty_null(p->country));
    fpi_pg_bin_text(b, empty_null(p->country_code));
    fpi_pg_bin_int4_or_null(b, p->has_year, p->year);
    fpi_pg_bin_text(b, empty_null(p->status));
    fpi_pg_bin_double_or_null(b, p->has_amount, p->amount);
    fpi_pg_bin_text(b, empty_null(p->source));
    fpi_pg_bin_text(b, p->extra);
    fpi_pg_bin_ewkb(b, wkb, wkb ? wkb_len : 0);
    fpi_pg_bin_text(b, wkb ? "input" : NULL);
    fpi_pg_bin_text(b, wkb ? "point" : NULL);
    if (l->columns) {
        fp_status st = fpi_columns_writer_add_point(l->columns, l->first_id + l->stored, p,
                                                    !wkb ? 0 : p->is_point ? 1 : -1, p->x, p->y, err);
        if (st) return loader_error(l, st, err);
    }
    l->stored++;
    if (b->len >= (1 << 17)) return loader_error(l, fpi_pg_copy_send(l->store, b, "storing projects", err), err);
    return FP_OK;
}

/* The ids the COPY gave the rows, in their order, for the QA feed: the
 * sequence's last value in this session, and the span it ends checked to
 * hold this import's rows alone (another session's nextval meanwhile would
 * have split it). The check reads the span through the primary key (0.26 s
 * at 1M rows); a bulk import skips it: it has held `projects` in ACCESS
 * EXCLUSIVE mode since it began, so no other session's COPY or INSERT
 * could take an id from the sequence meanwhile. */
static fp_status copied_ids(fp_pg_loader *l, fp_error *err)
{
    fp_store *s = l->store;
    if (l->explicit_ids) {
        /* The sequence past the ids sent (setval is not undone by a
         * rollback: an id is never given twice, as with nextval). */
        char last[24];
        snprintf(last, sizeof last, "%lld", (long long)(l->first_id + l->stored - 1));
        const char *v[] = { last };
        /* Never backwards: a client that took ids from the sequence itself
         * meanwhile (the table was locked, not the sequence) keeps them. */
        fp_status st = fpi_pg_command(s, "SELECT setval(q.seq, greatest($1::bigint, coalesce(pg_sequence_last_value(q.seq), 0)))"
                                         " FROM (SELECT pg_get_serial_sequence('projects', 'id')::regclass AS seq) q",
                                      1, v, "storing projects", err);
        l->ids_known = !st;
        return st;
    }
    PGresult *r = fpi_pg_exec(s, "SELECT currval(pg_get_serial_sequence('projects', 'id'))", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "storing projects", err);
    if (PQgetisnull(r, 0, 0)) {                /* an id with no sequence of its own: ids unknown */
        PQclear(r);
        return FP_OK;
    }
    long long last = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (l->bulk) {
        l->first_id = last - l->stored + 1;
        l->ids_known = 1;
        return FP_OK;
    }
    char from[24], to[24], import[24];
    snprintf(from, sizeof from, "%lld", last - l->stored + 1);
    snprintf(to, sizeof to, "%lld", last);
    snprintf(import, sizeof import, "%lld", (long long)l->import_id);
    const char *v[] = { from, to, import };
    r = fpi_pg_exec(s, "SELECT count(*) FROM projects WHERE id BETWEEN $1 AND $2 AND import_id = $3", 3, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "storing projects", err);
    if (strtoll(PQgetvalue(r, 0, 0), NULL, 10) == l->stored) {
        l->first_id = last - l->stored + 1;
        l->ids_known = 1;
    }
    PQclear(r);
    return FP_OK;
}

int fpi_pg_loader_ids(const fp_pg_loader *l, int64_t *first_id, int64_t *count)
{
    *first_id = l->first_id;
    *count = l->stored;
    return l->ids_known;
}

fp_status fpi_pg_loader_finish(fp_pg_loader *l, void (*on_copied)(void *, long long), void *user, fp_error *err)
{
    fp_store *s = l->store;
    fp_status st = FP_OK;
    if (l->copying) {
        fpi_pg_bin_trailer(l->buf);
        st = fpi_pg_copy_send(s, l->buf, "storing projects", err);
        l->copying = 0;
        if (!st) st = fpi_pg_copy_end(s, "storing projects", err);
        else fpi_pg_copy_abort(s);
    }
    if (!st && l->stored > 0) st = copied_ids(l, err);
    if (!st) st = fpi_columns_writer_finish(l->columns, err);
    /* The rows are on the server: the caller's work on them (the QA
     * sweep) runs while the server builds the indexes. */
    if (!st && l->ids_known && on_copied) on_copied(user, l->first_id);
    fp_context_pause(s->ctx, "import:index");
    if (!st && l->bulk) st = bulk_finish(l, err);
    if (!st && ftell(l->rejects) > 0) {
        st = fpi_pg_command(s, "COPY rejects(import_id, line, feature, reason, raw) FROM STDIN", 0, NULL,
                           "storing rejects", err);
        if (!st) {
            l->copying = 1;
            rewind(l->rejects);
            char chunk[1 << 16];
            size_t n;
            while (!st && (n = fread(chunk, 1, sizeof chunk, l->rejects)) > 0)
                if (PQputCopyData(s->pg->conn, chunk, (int)n) != 1) st = fpi_pg_error(s, NULL, "storing rejects", err);
            l->copying = 0;
            if (!st) st = fpi_pg_copy_end(s, "storing rejects", err);
            else fpi_pg_copy_abort(s);
        }
    }
    if (!st && l->stored >= ANALYZE_ROWS) s->pg->analyze_after_commit = 1;
    return loader_error(l, st, err);
}

/* ----------------------------------------------------------- listings --- */

static fp_status each_row(fp_store *s, PGresult *r, int repaired, fp_reject_cb cb, void *user)
{
    for (int i = 0; i < PQntuples(r); i++) {
        const char *v[7];
        for (int c = 0; c < PQnfields(r) && c < 7; c++) v[c] = PQgetisnull(r, i, c) ? NULL : PQgetvalue(r, i, c);
        fp_reject_row row;
        if (!repaired) {
            row = (fp_reject_row){ v[0], v[1], v[2], v[3] ? atol(v[3]) : 0, v[4] ? atol(v[4]) : 0, v[5], v[6], "" };
        } else {
            /* The source line is a row number for CSV-like files, else a feature number. */
            long n = v[3] ? atol(v[3]) : 0;
            int csv = v[2] && !strcmp(v[2], "CSV");
            row = (fp_reject_row){ v[0], v[1], v[2], csv ? n : 0, csv ? 0 : n, v[5], NULL, v[4] };
        }
        if (cb(&row, user)) break;
    }
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_rejects(fp_store *s, const char *dataset, long limit, fp_reject_cb cb, void *user, fp_error *err)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    const char *v[] = { dataset, limit >= 0 ? lim : NULL };
    PGresult *r = fpi_pg_exec(s, "SELECT i.dataset, i.file, i.format, r.line, r.feature, r.reason, r.raw FROM rejects r"
                                " JOIN imports i ON i.id = r.import_id WHERE ($1::text IS NULL OR i.dataset = $1)"
                                " ORDER BY r.id LIMIT $2::bigint", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading rejects", err);
    return each_row(s, r, 0, cb, user);
}

fp_status fpi_pg_repaired(fp_store *s, const char *dataset, long limit, const char *repaired_key, fp_reject_cb cb,
                         void *user, fp_error *err)
{
    char lim[24];
    snprintf(lim, sizeof lim, "%ld", limit);
    const char *v[] = { dataset, limit >= 0 ? lim : NULL, repaired_key };
    PGresult *r = fpi_pg_exec(s, "SELECT i.dataset, i.file, i.format, p.source_line, coalesce(p.source_key, ''),"
                                " p.extra::jsonb ->> $3::text FROM projects p JOIN imports i ON i.id = p.import_id"
                                " WHERE p.extra::jsonb ->> $3::text IS NOT NULL AND ($1::text IS NULL OR p.dataset = $1)"
                                " ORDER BY p.id LIMIT $2::bigint", 3, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading repaired rows", err);
    return each_row(s, r, 1, cb, user);
}
