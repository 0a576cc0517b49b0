/*
 * pg_read_modes: what reading the aggregation's scan of `projects` costs the
 * PostgreSQL server, three ways: a SQL cursor read by FETCH FORWARD 20000
 * (what src/store/pg_rows.c does), libpq's single-row mode (the query
 * streamed through the protocol's unnamed portal) and COPY (query) TO
 * STDOUT in binary. The measurement behind "tried, not kept" in
 * bench/README.md (section P).
 *
 *   cc -O2 -o /tmp/pg_read_modes bench/tools/pg_read_modes.c \
 *      -I/usr/include/postgresql -lpq
 *   /tmp/pg_read_modes "host=/tmp/fp_pg.X port=N user=postgres dbname=fpi" cursor 1 500001
 *
 * MODE is cursor, single or copy; the ids read are FROM <= id < TO. Prints
 * the rows, the wall seconds and the server backend's CPU seconds (from
 * /proc: run it on the server's machine). Run two at once on the two
 * halves to see the aggregation's two readers.
 *
 * On 5 December's VM, 500,000 of the 1M bench points, one reader alone:
 * server CPU cursor 0.72-1.11 s, single-row 0.49-0.54 s, COPY 0.51-0.58 s;
 * two readers at once, each: cursor 0.98-1.04 s, single-row 0.87-1.02 s.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The backend's user + system CPU seconds, fields 14 and 15 of its stat. */
static double backend_cpu(PGconn *c)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", PQbackendPID(c));
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');       /* the command may hold spaces */
    if (!p) return -1;
    p += 2;                            /* field 3 */
    for (int i = 3; i < 14 && p; i++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
    long user, sys;
    if (!p || sscanf(p, "%ld %ld", &user, &sys) != 2) return -1;
    return (user + sys) / 100.0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s CONNINFO cursor|single|copy FROM TO\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    const char *params[2] = { argv[3], argv[4] };
    PGconn *c = PQconnectdb(argv[1]);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "%s", PQerrorMessage(c));
        return 1;
    }
    const char *q = "SELECT id, ST_AsBinary(geom), company, year, amount::text, category FROM projects"
                    " WHERE id >= $1 AND id < $2 ORDER BY id";
    PQclear(PQexec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    double cpu0 = backend_cpu(c), t0 = seconds();
    long rows = 0;
    char sql[512];
    if (!strcmp(mode, "cursor")) {
        snprintf(sql, sizeof sql, "DECLARE k NO SCROLL CURSOR FOR %s", q);
        PQclear(PQexecParams(c, sql, 2, NULL, params, NULL, NULL, 0));
        for (;;) {
            PGresult *r = PQexecParams(c, "FETCH FORWARD 20000 FROM k", 0, NULL, NULL, NULL, NULL, 1);
            int n = PQntuples(r);
            rows += n;
            PQclear(r);
            if (n < 20000) break;
        }
    } else if (!strcmp(mode, "single")) {
        PQsendQueryParams(c, q, 2, NULL, params, NULL, NULL, 1);
        PQsetSingleRowMode(c);
        PGresult *r;
        while ((r = PQgetResult(c))) {
            if (PQresultStatus(r) == PGRES_SINGLE_TUPLE) rows++;
            PQclear(r);
        }
    } else if (!strcmp(mode, "copy")) {
        /* COPY takes no parameters: the ids pasted (they are numbers). */
        snprintf(sql, sizeof sql, "COPY (%.*s%ld AND id < %ld ORDER BY id) TO STDOUT (FORMAT binary)",
                 (int)(strstr(q, "$1") - q), q, atol(params[0]), atol(params[1]));
        PQclear(PQexec(c, sql));
        char *buf;
        while (PQgetCopyData(c, &buf, 0) > 0) {
            rows++;
            PQfreemem(buf);
        }
        PQclear(PQgetResult(c));
        rows--;                        /* the header arrives with the first row; the trailer alone */
    } else {
        fprintf(stderr, "mode: cursor, single or copy\n");
        return 2;
    }
    double t1 = seconds(), cpu1 = backend_cpu(c);
    printf("%-6s rows %ld  wall %.3f s  server CPU %.2f s\n", mode, rows, t1 - t0, cpu1 - cpu0);
    PQfinish(c);
    return 0;
}
