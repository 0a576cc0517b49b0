/*
 * The column cache on PostGIS: table `projects_columns` (schema 6, see
 * pg_store.c for its triggers), read and written for project_columns.c,
 * which encodes and decodes the parts the same way on both engines.
 *
 * Read: the blob of a part in binary (bytea as bytes), straight into a
 * buffer on huge pages. On the readers' connections it is read in their
 * shared snapshot, so a part and the rows beside it are of one moment.
 *
 * Written only by a bulk import (pg_imports.c), which holds `projects` in
 * ACCESS EXCLUSIVE mode from its start: nobody else inserts a row into a
 * part it is filling, or changes one, until it commits. Its parts wait in
 * a temporary file (the COPY of the rows holds the connection) and follow
 * in a COPY of their own once the rows are in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/util.h"
#include "store/pg_internal.h"

int fpi_pg_columns_available(fp_store *s)
{
    /* A role that may not read it (granted its rights before the table
     * was made) reads the rows instead. */
    PGresult *r = fpi_pg_exec(s, "SELECT coalesce(has_table_privilege(to_regclass('projects_columns'), 'SELECT'), false)",
                              0, NULL);
    int yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return yes;
}

int fpi_pg_columns_writable(fp_store *s)
{
    PGresult *r = fpi_pg_exec(s, "SELECT coalesce(has_table_privilege(to_regclass('projects_columns'), 'DELETE'), false)",
                              0, NULL);
    int yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    return yes;
}

fp_status fpi_pg_columns_parts(fp_store *s, int64_t first, int64_t last, int64_t **parts, size_t *n, fp_error *err)
{
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)first);
    snprintf(b, sizeof b, "%lld", (long long)last);
    const char *v[] = { a, b };
    PGresult *r = fpi_pg_exec(s, "SELECT part FROM projects_columns WHERE part BETWEEN $1 AND $2 AND seq = 0"
                                 " ORDER BY part", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    size_t rows = (size_t)PQntuples(r);
    *parts = malloc((rows ? rows : 1) * sizeof **parts);
    if (!*parts) {
        PQclear(r);
        return fp_error_set(err, FP_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < rows; i++) (*parts)[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    *n = rows;
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_columns_get(fp_store *s, int64_t part, unsigned char **mem, size_t *len, fp_error *err)
{
    *mem = NULL;
    *len = 0;
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)part);
    const char *v[] = { a };
    fpi_pg_settle(s);
    /* Binary result: the bytes as stored, not as hex text twice their
     * size. The pieces in order; a gap (a piece deleted by hand) leaves
     * a blob that does not decode: the part's rows are read then. */
    PGresult *r = PQexecParams(s->pg->conn, "SELECT seq, data FROM projects_columns WHERE part = $1 ORDER BY seq", 1,
                               NULL, v, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "reading projects", err);
    int rows = PQntuples(r);
    size_t n = 0;
    for (int i = 0; i < rows; i++) n += (size_t)PQgetlength(r, i, 1);
    if (rows > 0) {
        *mem = fpi_big_alloc(n ? n : 1);
        if (!*mem) {
            PQclear(r);
            return fp_error_set(err, FP_ERR_NOMEM, "out of memory reading projects");
        }
        size_t at = 0;
        for (int i = 0; i < rows; i++) {
            uint32_t seq;
            memcpy(&seq, PQgetvalue(r, i, 0), 4);
            if (g_ntohl(seq) != (uint32_t)i) { n = 0; break; }   /* not 0, 1, 2, ...: no blob */
            memcpy(*mem + at, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1));
            at += (size_t)PQgetlength(r, i, 1);
        }
        *len = n;
    }
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_columns_max_id(fp_store *s, int *had_rows, int64_t *max, fp_error *err)
{
    PGresult *r = fpi_pg_exec(s, "SELECT max(id) FROM projects", 0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "storing projects", err);
    *had_rows = !PQgetisnull(r, 0, 0);
    *max = *had_rows ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);
    return FP_OK;
}

fp_status fpi_pg_columns_insert_trigger(fp_store *s, int on, fp_error *err)
{
    return fpi_pg_command(s, on ? "ALTER TABLE projects ENABLE TRIGGER projects_columns_inserted"
                                : "ALTER TABLE projects DISABLE TRIGGER projects_columns_inserted",
                          0, NULL, "storing projects", err);
}

fp_status fpi_pg_columns_kept(fp_store *s, int kept, fp_error *err)
{
    return fpi_pg_command(s, "SELECT set_config('footprint.columns', $1, true)", 1,
                          (const char *const[]){ kept ? "kept" : "" }, "storing projects", err);
}

/* Pieces of a part's blob, each a row stored in line (pg_store.c). */
#define PIECE_BYTES 8000

fp_status fpi_pg_columns_spill(FILE *spill, int64_t part, const void *data, size_t len, fp_error *err)
{
    GString *row = g_string_sized_new(PIECE_BYTES + 64);
    int ok = 1;
    for (size_t at = 0, seq = 0; ok && at < len; at += PIECE_BYTES, seq++) {
        size_t n = len - at < PIECE_BYTES ? len - at : PIECE_BYTES;
        g_string_truncate(row, 0);
        fpi_pg_bin_row(row, 3);
        fpi_pg_bin_int8(row, part);
        fpi_pg_bin_int4(row, (int32_t)seq);
        fpi_pg_bin_bytea(row, (const char *)data + at, n);
        ok = fwrite(row->str, 1, row->len, spill) == row->len;
    }
    g_string_free(row, TRUE);
    return ok ? FP_OK : fp_error_set(err, FP_ERR_IO, "cannot keep the column cache in a temporary file");
}

fp_status fpi_pg_columns_store(fp_store *s, FILE *spill, int64_t first, int64_t last, fp_error *err)
{
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)first);
    snprintf(b, sizeof b, "%lld", (long long)last);
    const char *v[] = { a, b };
    /* Every part the import touched: the ones it wrote come back below;
     * the others (shared with earlier rows, or holding a line) stay out. */
    fp_status st = fpi_pg_command(s, "DELETE FROM projects_columns WHERE part BETWEEN $1 AND $2", 2, v,
                                  "storing projects", err);
    if (st || !spill || ftell(spill) <= 0) return st;
    st = fpi_pg_command(s, "COPY projects_columns(part, seq, data) FROM STDIN (FORMAT binary)", 0, NULL,
                        "storing projects", err);
    if (st) return st;
    GString *head = g_string_new(NULL);
    fpi_pg_bin_header(head);
    st = fpi_pg_copy_send(s, head, "storing projects", err);
    rewind(spill);
    char chunk[1 << 16];
    size_t n;
    while (!st && (n = fread(chunk, 1, sizeof chunk, spill)) > 0)
        if (PQputCopyData(s->pg->conn, chunk, (int)n) != 1) st = fpi_pg_error(s, NULL, "storing projects", err);
    if (!st && ferror(spill)) st = fp_error_set(err, FP_ERR_IO, "cannot read back the column cache's temporary file");
    if (!st) {
        fpi_pg_bin_trailer(head);
        st = fpi_pg_copy_send(s, head, "storing projects", err);
    }
    g_string_free(head, TRUE);
    if (!st) return fpi_pg_copy_end(s, "storing projects", err);
    fpi_pg_copy_abort(s);
    return st;
}

int fpi_pg_columns_head(fp_store *s, int64_t part, unsigned char head[16])
{
    char a[24];
    snprintf(a, sizeof a, "%lld", (long long)part);
    const char *v[] = { a };
    fpi_pg_settle(s);
    /* The first piece's first bytes. */
    PGresult *r = PQexecParams(s->pg->conn, "SELECT substring(data FROM 1 FOR 16) FROM projects_columns"
                                            " WHERE part = $1 AND seq = 0", 1, NULL, v, NULL, NULL, 1);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && PQgetlength(r, 0, 0) == 16;
    if (ok) memcpy(head, PQgetvalue(r, 0, 0), 16);
    PQclear(r);
    return ok;
}

fp_status fpi_pg_count_range(fp_store *s, int64_t from, int64_t to, int64_t *n, fp_error *err)
{
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)from);
    snprintf(b, sizeof b, "%lld", (long long)to);
    const char *v[] = { a, b };
    PGresult *r = fpi_pg_exec(s, "SELECT count(*) FROM projects WHERE id >= $1 AND id < $2", 2, v);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) return fpi_pg_error(s, r, "reading projects", err);
    *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return FP_OK;
}
