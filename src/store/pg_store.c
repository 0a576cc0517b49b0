/*
 * The PostGIS engine: connecting, the schema and its migrations,
 * transactions, and the helpers the other pg_*.c files share (statements
 * with bound values, COPY, errors naming the server).
 *
 * The --db string is handed to libpq as it is (expanded as a connection
 * string), so PG* environment variables and ~/.pgpass apply as in psql.
 * Messages name the server as postgresql://user@host:port/dbname, never
 * with the password.
 *
 * Migrations run in one transaction under an advisory lock: a second
 * footprint upgrading the same database waits for the first, then finds
 * the schema current. The schema versions are the SpatiaLite engine's
 * (FP_SCHEMA_VERSION), each migration written for PostGIS: geometry
 * columns typed with SRID 4326 and GiST indexes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common/util.h"
#include "store/pg_internal.h"

static const char *const pg_migration_1 =
    "CREATE TABLE meta(key text PRIMARY KEY, value text);"
    "CREATE TABLE regions(id bigint PRIMARY KEY, level text NOT NULL, code text NOT NULL UNIQUE, iso_a2 text,"
    " name text NOT NULL, name_long text, parent text, continent text, subregion text, population bigint,"
    " geom geometry(MultiPolygon, 4326));"
    "CREATE INDEX regions_geom ON regions USING gist(geom);"
    "CREATE INDEX regions_level ON regions(level);"
    "CREATE TABLE imports(id bigserial PRIMARY KEY, file text NOT NULL, checksum text NOT NULL, dataset text NOT NULL,"
    " format text, rows_read bigint, rows_stored bigint, rows_rejected bigint, started text, finished text);"
    "CREATE UNIQUE INDEX imports_checksum ON imports(dataset, checksum);"
    "CREATE TABLE rejects(id bigserial PRIMARY KEY, import_id bigint NOT NULL REFERENCES imports(id),"
    " line bigint, feature bigint, reason text NOT NULL, raw text);"
    "CREATE TABLE projects(id bigserial PRIMARY KEY, import_id bigint NOT NULL REFERENCES imports(id),"
    " dataset text NOT NULL, source_key text, source_line bigint, company text, category text, name text,"
    " place text, country text, country_code text, year integer, status text, amount double precision,"
    " source text, extra text, geom geometry(Geometry, 4326));"
    "CREATE INDEX projects_geom ON projects USING gist(geom);"
    "CREATE UNIQUE INDEX projects_key ON projects(dataset, source_key);";
static const char *const pg_migration_2 =
    "ALTER TABLE projects ADD COLUMN geocode_method text, ADD COLUMN geocode_ref text,"
    " ADD COLUMN geocode_precision text;"
    "UPDATE projects SET geocode_method = 'input', geocode_precision = 'point' WHERE geom IS NOT NULL;";
static const char *const pg_migration_3 =
    "ALTER TABLE regions ADD COLUMN area_km2 double precision;"
    "CREATE TABLE aggregations(name text PRIMARY KEY, level text NOT NULL, spec text NOT NULL, group_fields text,"
    " snap_km double precision, projects bigint, unassigned double precision, result_table text NOT NULL,"
    " assign_table text NOT NULL, created text);"
    "CREATE TABLE region_groups(level text NOT NULL, code text NOT NULL, name text, parent text,"
    " population bigint, area_km2 double precision, geom_wkb bytea, PRIMARY KEY(level, code));";
/* v4 made SpatiaLite's generic geometry column readable by QGIS (typed
 * tables and views); QGIS's postgres provider reads a generic PostGIS
 * column by geometry type itself: nothing to do here. */
static const char *const pg_migration_4 = "SELECT 1;";
static const char *const pg_migration_5 =
    "ALTER TABLE projects ADD COLUMN qa text;"
    "CREATE TABLE qa_findings(id bigserial PRIMARY KEY,"
    " project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE, dataset text NOT NULL,"
    " kind text NOT NULL, row_ref text NOT NULL, evidence text NOT NULL, suggestion text, other_id bigint,"
    " fix text, fix_lon double precision, fix_lat double precision);"
    "CREATE INDEX qa_findings_dataset ON qa_findings(dataset);"
    "CREATE TABLE qa_fixes(id bigserial PRIMARY KEY, batch bigint NOT NULL,"
    " project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE, dataset text NOT NULL,"
    " fix text NOT NULL, old_geom bytea NOT NULL, old_lon double precision, old_lat double precision,"
    " new_lon double precision, new_lat double precision, applied text NOT NULL, undone text);"
    "CREATE INDEX qa_fixes_batch ON qa_fixes(batch);";

/* v6: the column cache (project_columns.c), kept exact as on SpatiaLite:
 * a bulk import (pg_imports.c) writes the parts it fills, with the insert
 * trigger off (it holds `projects` exclusively); these triggers drop a part
 * when anyone inserts, deletes or truncates its rows, or changes a cached
 * column of one (QGIS, psql, check --fix; amount compared by its bits:
 * PostgreSQL calls 0 and -0 equal, the cache would not). Inserts and
 * deletes by statement (their transition tables), updates by row, filtered
 * by the WHEN clause so that a `qa` flag or a value rewritten unchanged
 * drops nothing; geocode, which sets footprint.columns to 'kept' for its
 * one UPDATE, drops its parts itself.
 * A writer in REPEATABLE READ or SERIALIZABLE could not see (so could not
 * delete) a part committed after its snapshot: it empties the table
 * instead, once a transaction (TRUNCATE is no MVCC read, and its lock
 * keeps new parts out until that writer ends).
 * The functions run as the schema's owner (SECURITY DEFINER, search_path
 * pinned to its schema, pg_temp last): a role that may edit `projects`
 * needs no right on the cache.
 * A part's blob (2.9 MB at 65,536 points) is kept in pieces of 8,000
 * bytes (seq 0, 1, ...), each a row stored in line, uncompressed: 1M
 * points' 45 MB went in 426 -> 214 ms against one TOASTed value a part
 * (pglz: 1 s), and read back as fast.
 * (Before 6 December 2026 this version was a no-op here: a database made
 * then has no projects_columns table and aggregate reads its rows.) */
#define PG_COLUMNS_DROP(rc_delete)                                                              \
    " AS $f$ BEGIN"                                                                             \
    " IF current_setting('transaction_isolation') <> 'read committed' THEN"                     \
    "  IF current_setting('footprint.columns_cleared', true) IS DISTINCT FROM 'on' THEN"          \
    "   TRUNCATE projects_columns;"                                                             \
    "   PERFORM set_config('footprint.columns_cleared', 'on', true);"                            \
    "  END IF;"                                                                                 \
    " ELSE " rc_delete "; END IF;"                                                              \
    " RETURN NULL; END $f$;"
static const char *const pg_migration_6 =
    "CREATE TABLE projects_columns(part bigint NOT NULL, seq integer NOT NULL, data bytea NOT NULL,"
    " PRIMARY KEY(part, seq)) WITH (toast_tuple_target = 8160);"
    "ALTER TABLE projects_columns ALTER COLUMN data SET STORAGE EXTERNAL;"
    "CREATE FUNCTION fp_projects_columns_inserted() RETURNS trigger LANGUAGE plpgsql"
    PG_COLUMNS_DROP("DELETE FROM projects_columns WHERE part IN (SELECT id >> 16 FROM fp_new)")
    "CREATE TRIGGER projects_columns_inserted AFTER INSERT ON projects REFERENCING NEW TABLE AS fp_new"
    " FOR EACH STATEMENT EXECUTE FUNCTION fp_projects_columns_inserted();"
    "CREATE FUNCTION fp_projects_columns_deleted() RETURNS trigger LANGUAGE plpgsql"
    PG_COLUMNS_DROP("DELETE FROM projects_columns WHERE part IN (SELECT id >> 16 FROM fp_old)")
    "CREATE TRIGGER projects_columns_deleted AFTER DELETE ON projects REFERENCING OLD TABLE AS fp_old"
    " FOR EACH STATEMENT EXECUTE FUNCTION fp_projects_columns_deleted();"
    "CREATE FUNCTION fp_projects_columns_truncated() RETURNS trigger LANGUAGE plpgsql"
    " AS $f$ BEGIN TRUNCATE projects_columns; RETURN NULL; END $f$;"
    "CREATE TRIGGER projects_columns_truncated AFTER TRUNCATE ON projects"
    " FOR EACH STATEMENT EXECUTE FUNCTION fp_projects_columns_truncated();"
    "CREATE FUNCTION fp_projects_columns_updated() RETURNS trigger LANGUAGE plpgsql"
    PG_COLUMNS_DROP("DELETE FROM projects_columns WHERE part = OLD.id >> 16 OR part = NEW.id >> 16")
    "CREATE TRIGGER projects_columns_updated AFTER UPDATE ON projects FOR EACH ROW"
    " WHEN (current_setting('footprint.columns', true) IS DISTINCT FROM 'kept' AND"
    " (OLD.id, OLD.geom::bytea, OLD.company, OLD.category, OLD.status, OLD.country, OLD.country_code, OLD.dataset,"
    " OLD.source, OLD.year, float8send(OLD.amount)) IS DISTINCT FROM"
    " (NEW.id, NEW.geom::bytea, NEW.company, NEW.category, NEW.status, NEW.country, NEW.country_code, NEW.dataset,"
    " NEW.source, NEW.year, float8send(NEW.amount)))"
    " EXECUTE FUNCTION fp_projects_columns_updated();"
    "DO $d$ DECLARE f text; BEGIN"
    " FOREACH f IN ARRAY ARRAY['inserted', 'deleted', 'truncated', 'updated'] LOOP"
    "  EXECUTE format('ALTER FUNCTION %I.%I() SECURITY DEFINER SET search_path = %I, pg_temp',"
    "                 current_schema(), 'fp_projects_columns_' || f, current_schema());"
    " END LOOP; END $d$;";
#undef PG_COLUMNS_DROP

static const char *const pg_migrations[] = { NULL, pg_migration_1, pg_migration_2, pg_migration_3, pg_migration_4,
                                             pg_migration_5, pg_migration_6 };

/* ------------------------------------------------------------- naming --- */

int fpi_pg_is_url(const char *db)
{
    return db && (!strncmp(db, "postgresql://", 13) || !strncmp(db, "postgres://", 11) || !strncmp(db, "PG:", 3));
}

/* The libpq connection string: a URL as it is, PG:keywords without "PG:". */
static const char *conninfo_of(const char *db)
{
    return strncmp(db, "PG:", 3) == 0 ? db + 3 : db;
}

/* The password of a URL's user part ("postgresql://USER:PASSWORD@HOST...").
 * libpq ends the user part at the first '@' before any '/' (a '?' may be
 * part of the password). A password holding '/' or '@' as they are, which
 * a URL must percent-encode, is then cut short and the rest read as host,
 * port or database ("anna:x7/Qw9@host": port "x7"): such a password is
 * taken whole, up to the LAST '@' before the query or fragment (an '@'
 * there, "?user=anna@corp.com", is no password's), and *unencoded set.
 * NULL without one; *colon_out and *at_out (if given): where the
 * password's ':' and '@' are. */
static char *url_password(const char *db, int *unencoded, const char **colon_out, const char **at_out)
{
    const char *c = conninfo_of(db), *scheme = strstr(c, "://");
    if (unencoded) *unencoded = 0;
    if (!scheme || strncmp(db, "PG:", 3) == 0) return NULL;
    const char *start = scheme + 3, *at = NULL;
    size_t len = strcspn(start, "?#");
    for (const char *p = start; p < start + len; p++)
        if (*p == '@') at = p;
    const char *colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
    int whole = colon && at > colon + 1 && memchr(colon + 1, '/', (size_t)(at - colon - 1)) != NULL;
    if (colon && at > colon + 1 && !whole) whole = memchr(colon + 1, '@', (size_t)(at - colon - 1)) != NULL;
    if (!whole) {   /* libpq's reading */
        at = NULL;
        for (const char *p = start; *p && *p != '/' && !at; p++)
            if (*p == '@') at = p;
        colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
    }
    if (!colon || at == colon + 1) return NULL;
    if (unencoded) *unencoded = whole;
    if (colon_out) *colon_out = colon;
    if (at_out) *at_out = at;
    return g_strndup(colon + 1, (gsize)(at - colon - 1));
}

/* The URL without its passwords (the user part's, a password=... in the
 * query), for naming the server: libpq cannot read a URL whose password
 * holds '/' or '@' as they are (or a bad %-escape), or reads its pieces as
 * host, port and database; without it the host, port and database are the
 * ones meant. NULL when db is no URL. */
static char *url_without_password(const char *db)
{
    if (strncmp(db, "PG:", 3) == 0 || !strstr(db, "://")) return NULL;
    const char *colon = NULL, *at = NULL;
    char *pw = url_password(db, NULL, &colon, &at);
    GString *u = g_string_new(NULL);
    if (pw) g_string_append_printf(u, "%.*s%s", (int)(colon - db), db, at);
    else g_string_append(u, db);
    g_free(pw);
    /* password=... of the query, up to the next '&' or '#'. */
    const char *query = strchr(u->str, '?');
    if (query) {
        gsize from = (gsize)(query - u->str);
        for (char *p = strstr(u->str + from, "password="); p; p = strstr(u->str + from, "password=")) {
            if (p[-1] != '?' && p[-1] != '&') { from = (gsize)(p - u->str) + 1; continue; }
            size_t n = 9 + strcspn(p + 9, "&#");
            if (p[n] == '&') n++;
            else if (p[-1] == '&') { p--; n++; }
            g_string_erase(u, p - u->str, (gssize)n);
            from = (gsize)(p - u->str);
        }
    }
    return g_string_free(u, FALSE);
}

/* GDAL's PG driver takes two options of its own in the PG: string, which
 * libpq refuses ("invalid connection option"): active_schema=NAME (the
 * schema tables are created in and found first) and schemas=A,B,... (GDAL:
 * the schemas to list; one alone is also the active schema). footprint
 * reads them as a search_path for its connections: active_schema first,
 * then the schemas of schemas= in their order, then the path the server
 * gives the session (as GDAL puts its active schema before that path, so
 * public and an extensions schema stay reachable); connect_to sets it.
 * The string without them is returned (g_free); the schemas are appended
 * to `schemas` (NULL: not wanted). A URL goes to libpq as it is (its
 * query has options=-csearch_path%3D... for the same). Values follow
 * libpq's rules: quoted with '...', a backslash escaping the next character. */
static char *libpq_string(const char *db, GPtrArray *schemas)
{
    if (strncmp(db, "PG:", 3) != 0) return g_strdup(db);
    const char *p = db + 3;
    GString *out = g_string_new(NULL);
    char *active = NULL;
    GPtrArray *listed = g_ptr_array_new_with_free_func(g_free);
    while (*p) {
        while (isspace((unsigned char)*p)) p++;
        if (!*p) break;
        const char *start = p;
        while (*p && *p != '=' && !isspace((unsigned char)*p)) p++;
        char *key = g_strndup(start, (gsize)(p - start));
        while (isspace((unsigned char)*p)) p++;
        if (*p != '=') {   /* not key=value: left for libpq to report */
            g_free(key);
            g_string_append_printf(out, "%s%s", out->len ? " " : "", start);
            break;
        }
        p++;
        while (isspace((unsigned char)*p)) p++;
        GString *value = g_string_new(NULL);
        if (*p == '\'') {
            for (p++; *p && *p != '\''; p++) {
                if (*p == '\\' && p[1]) p++;
                g_string_append_c(value, *p);
            }
            if (*p) p++;
        } else {
            for (; *p && !isspace((unsigned char)*p); p++) {
                if (*p == '\\' && p[1]) p++;
                g_string_append_c(value, *p);
            }
        }
        if (!strcmp(key, "active_schema")) {
            g_free(active);
            active = g_strdup(value->str);
        } else if (!strcmp(key, "schemas")) {
            gchar **names = g_strsplit(value->str, ",", -1);
            for (int i = 0; names[i]; i++) {
                char *n = g_strstrip(names[i]);
                if (*n) g_ptr_array_add(listed, g_strdup(n));
            }
            g_strfreev(names);
        } else {
            g_string_append_printf(out, "%s%.*s", out->len ? " " : "", (int)(p - start), start);
        }
        g_string_free(value, TRUE);
        g_free(key);
    }
    if (schemas) {
        if (active && *active) g_ptr_array_add(schemas, g_strdup(active));
        for (guint i = 0; i < listed->len; i++)
            if (!active || strcmp(active, listed->pdata[i])) g_ptr_array_add(schemas, g_strdup(listed->pdata[i]));
    }
    g_free(active);
    g_ptr_array_free(listed, TRUE);
    return g_string_free(out, FALSE);
}

/* postgresql://user@host:port/dbname from a connection's settings
 * (defaults and PG* variables applied), without the password. */
static char *name_from(const char *user, const char *host, const char *port, const char *dbname)
{
    return g_strdup_printf("postgresql://%s@%s:%s/%s", user && *user ? user : "?",
                           host && *host ? host : "localhost", port && *port ? port : "5432",
                           dbname && *dbname ? dbname : "?");
}

char *fpi_pg_display_name(const char *db)
{
    char *errmsg = NULL;
    /* A URL is named without its password: one holding '/' or '@' as they
     * are makes libpq read (or fail to read) the rest wrongly. */
    char *conninfo = url_without_password(db);
    if (!conninfo) conninfo = libpq_string(db, NULL);
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    g_free(conninfo);
    if (!opts) {
        PQfreemem(errmsg);
        return g_strdup("postgresql://(the --db connection string)");
    }
    const char *user = NULL, *host = NULL, *port = NULL, *dbname = NULL, *service = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val) continue;
        if (!strcmp(o->keyword, "service")) service = o->val;
        if (!strcmp(o->keyword, "user")) user = o->val;
        else if (!strcmp(o->keyword, "host")) host = o->val;
        else if (!strcmp(o->keyword, "port")) port = o->val;
        else if (!strcmp(o->keyword, "dbname")) dbname = o->val;
    }
    /* A service (pg_service.conf) names its own server, which the defaults
     * below would hide (PG:service=team was "postgresql://root@localhost"). */
    if (service && !host) {
        char *name = g_strdup_printf("postgresql://service=%s%s%s", service, dbname ? "/" : "", dbname ? dbname : "");
        PQconninfoFree(opts);
        return name;
    }
    /* What libpq would use for what the string leaves out: its defaults,
     * which libpq itself takes from the PG* variables (the library reads no
     * environment of its own). */
    PQconninfoOption *defs = PQconndefaults();
    for (PQconninfoOption *o = defs; o && o->keyword; o++) {
        if (!o->val) continue;
        if (!user && !strcmp(o->keyword, "user")) user = o->val;
        else if (!host && !strcmp(o->keyword, "host")) host = o->val;
        else if (!port && !strcmp(o->keyword, "port")) port = o->val;
        else if (!dbname && !strcmp(o->keyword, "dbname")) dbname = o->val;
    }
    if (!dbname) dbname = user;
    char *name = name_from(user, host, port, dbname);
    PQconninfoFree(opts);
    if (defs) PQconninfoFree(defs);
    return name;
}

/* Whether libpq knows key as a connection keyword (dbname, host, ...). */
static int is_conninfo_keyword(const char *key)
{
    PQconninfoOption *defs = PQconndefaults();
    int known = 0;
    for (PQconninfoOption *o = defs; o && o->keyword && !known; o++) known = !strcmp(o->keyword, key);
    if (defs) PQconninfoFree(defs);
    return known;
}

/* Replaces every copy of secret in *msg by "***". */
static void mask(char **msg, const char *secret)
{
    if (!secret || !*secret || !strstr(*msg, secret)) return;
    gchar **parts = g_strsplit(*msg, secret, -1);
    g_free(*msg);
    *msg = g_strjoinv("***", parts);
    g_strfreev(parts);
}

/* Adds a secret's forms to `forms`: as written, percent-decoded and
 * percent-encoded (libpq may echo any of them). */
static void add_forms(GPtrArray *forms, const char *secret, int url)
{
    if (!secret || !*secret) return;
    g_ptr_array_add(forms, g_strdup(secret));
    if (!url) return;
    char *plain = g_uri_unescape_string(secret, NULL);
    if (plain && *plain && strcmp(plain, secret)) g_ptr_array_add(forms, plain);
    else g_free(plain);
    char *enc = g_uri_escape_string(secret, NULL, FALSE);
    if (enc && strcmp(enc, secret)) g_ptr_array_add(forms, enc);
    else g_free(enc);
}

/* The passwords a --db string holds, each in its forms: the URL's user
 * part's and every password=... (a URL's query, the PG: form's keys).
 * `quoted` gets the words libpq echoes after an unquoted PG: password
 * holding a space ("password=SEC RETWORD": 'missing "=" after "RETWORD"',
 * or 'invalid connection option "RET"' for RET=WORD), to mask where they
 * appear quoted. */
static void collect_secrets(const char *db, GPtrArray *forms, GPtrArray *quoted)
{
    const char *c = conninfo_of(db), *scheme = strncmp(db, "PG:", 3) ? strstr(c, "://") : NULL;
    char *pw = url_password(db, NULL, NULL, NULL);
    add_forms(forms, pw, 1);
    g_free(pw);
    for (const char *p = strstr(c, "password"); p; p = strstr(p + 1, "password")) {
        const char *v = p + 8;
        while (*v == ' ') v++;
        if (*v != '=') continue;
        v++;
        while (*v == ' ') v++;
        char *value = NULL;
        if (*v == '\'') {
            const char *e = strchr(v + 1, '\'');
            value = e ? g_strndup(v + 1, (gsize)(e - v - 1)) : g_strdup(v + 1);
        } else {
            /* A URL's ?password=...&...: the value ends at '&' or '#' too. */
            value = g_strndup(v, strcspn(v, scheme ? " \t&#" : " \t"));
        }
        add_forms(forms, value, scheme != NULL);
        if (!scheme && *v != '\'') {
            const char *w = v + strlen(value);
            for (;;) {
                while (*w == ' ' || *w == '\t') w++;
                size_t n = strcspn(w, " \t");
                if (!n) break;
                const char *eq = memchr(w, '=', n);
                char *word = g_strndup(w, eq ? (size_t)(eq - w) : n);
                if (!eq || !is_conninfo_keyword(word)) g_ptr_array_add(quoted, g_strdup_printf("\"%s\"", word));
                g_free(word);
                if (eq) break;
                w += n;
            }
        }
        g_free(value);
    }
}

/* Whether a quoted fragment of libpq's message shows any of a password:
 * the password or a piece of it (what lies between the characters libpq
 * splits a URL or a list on) of two characters or more inside it, or the
 * fragment itself part of the password (a host or port of one character
 * libpq cut out of it: 'invalid integer value "a" for connection option
 * "port"' for "bob:a/b@host"). */
static int shows_secret(const char *fragment, GPtrArray *forms)
{
    if (!*fragment) return 0;
    for (guint i = 0; i < forms->len; i++) {
        const char *f = forms->pdata[i];
        if (strstr(f, fragment) || (strlen(f) >= 2 && strstr(fragment, f))) return 1;
        gchar **pieces = g_strsplit_set(f, "/@?#:&=, ", -1);
        int hit = 0;
        for (int k = 0; pieces[k] && !hit; k++) hit = strlen(pieces[k]) >= 2 && strstr(fragment, pieces[k]);
        g_strfreev(pieces);
        if (hit) return 1;
    }
    return 0;
}

/* libpq echoes a connection string it cannot parse, or the parts it read
 * from one ("invalid percent-encoded token: \"s3cr3t%zz\"", "... in URI:
 * \"postgresql://user:pw@[::1/db\"", 'invalid integer value "x7" for
 * connection option "port"'), password and all. Taken out of *msg:
 *  - a quoted fragment showing any of a password is replaced, quotes and
 *    all, by "(the --db connection string)" when it is the whole string,
 *    else "(part of the --db connection string)": readable, where masking
 *    short pieces wherever they appear garbled the message (a password
 *    "p@ss:w/rd%1" made every "p" of it "***");
 *  - then each password, in each form, and its pieces of four characters
 *    or more, wherever they still appear, as "***" (shorter ones would hit
 *    ordinary words);
 *  - and the words after an unquoted PG: password with a space, quoted. */
static void scrub_message(char **msg, const char *db)
{
    GPtrArray *forms = g_ptr_array_new_with_free_func(g_free), *quoted = g_ptr_array_new_with_free_func(g_free);
    collect_secrets(db, forms, quoted);
    if (forms->len) {
        const char *whole = conninfo_of(db);
        GString *out = g_string_new(NULL);
        const char *p = *msg;
        for (;;) {
            const char *q1 = strchr(p, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
            if (!q2) { g_string_append(out, p); break; }
            char *fragment = g_strndup(q1 + 1, (gsize)(q2 - q1 - 1));
            g_string_append_len(out, p, q1 - p);
            if (shows_secret(fragment, forms)) {
                g_string_append(out, !strcmp(fragment, whole) || !strcmp(fragment, db) ? "(the --db connection string)"
                                                                                    : "(part of the --db connection string)");
            } else {
                g_string_append_len(out, q1, q2 - q1 + 1);
            }
            g_free(fragment);
            p = q2 + 1;
        }
        g_free(*msg);
        *msg = g_string_free(out, FALSE);
    }
    for (guint i = 0; i < forms->len; i++) {
        const char *f = forms->pdata[i];
        if (strlen(f) >= 4) mask(msg, f);
        gchar **pieces = g_strsplit_set(f, "/@?#:&=, ", -1);
        for (int k = 0; pieces[k]; k++)
            if (strlen(pieces[k]) >= 4) mask(msg, pieces[k]);
        g_strfreev(pieces);
    }
    for (guint i = 0; i < quoted->len; i++) mask(msg, quoted->pdata[i]);
    g_ptr_array_free(forms, TRUE);
    g_ptr_array_free(quoted, TRUE);
}

/* libpq's messages span lines ("...failed: Connection refused\n\tIs the
 * server running..."): one line, whitespace runs as one space. */
static void one_line(char *msg)
{
    char *w = msg;
    int space = 0;
    for (char *r = msg; *r; r++) {
        if (isspace((unsigned char)*r)) { space = 1; continue; }
        if (space && w != msg) *w++ = ' ';
        space = 0;
        *w++ = *r;
    }
    *w = '\0';
}

/* ------------------------------------------------------- statements --- */

PGresult *fpi_pg_exec(fp_store *s, const char *sql, int n, const char *const *values)
{
    fpi_pg_settle(s);
    return PQexecParams(s->pg->conn, sql, n, NULL, values, NULL, NULL, 0);
}

fp_status fpi_pg_error(fp_store *s, PGresult *res, const char *what, fp_error *err)
{
    char *msg = g_strdup(res ? PQresultErrorMessage(res) : "");
    if (!*msg) { g_free(msg); msg = g_strdup(PQerrorMessage(s->pg->conn)); }
    /* The transaction was aborted by a cursor's prefetched FETCH: its cause. */
    if (s->pg->prefetch_error && strstr(msg, "current transaction is aborted")) {
        g_free(msg);
        msg = s->pg->prefetch_error;
        s->pg->prefetch_error = NULL;
    }
    one_line(msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state && !strcmp(state, "55P03")) s->pg->lock_timed_out = 1;
    /* A lost connection says so plainly (server restarted or gone). */
    const char *lost = PQstatus(s->pg->conn) == CONNECTION_BAD ? "connection to the server lost: " : "";
    fp_status st = fp_error_set(err, FP_ERR_DB, "%s: %s: %s%s", s->path, what, lost, *msg ? msg : "failed");
    g_free(msg);
    PQclear(res);
    return st;
}

fp_status fpi_pg_command(fp_store *s, const char *sql, int n, const char *const *values, const char *what,
                        fp_error *err)
{
    PGresult *res = fpi_pg_exec(s, sql, n, values);
    ExecStatusType t = PQresultStatus(res);
    /* COPY ... FROM STDIN answers "send the data" (PGRES_COPY_IN). */
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK && t != PGRES_COPY_IN) return fpi_pg_error(s, res, what, err);
    PQclear(res);
    return FP_OK;
}

fp_status fpi_pg_index_memory(fp_store *s, const char *what, fp_error *err)
{
    return fpi_pg_command(s, "SELECT set_config('maintenance_work_mem', '256MB', true) FROM pg_settings"
                             " WHERE name = 'maintenance_work_mem' AND setting::bigint < 262144", 0, NULL, what, err);
}

void fpi_pg_cache_write(fp_store *s, const char *sql, int n, const char *const *values, const int *lengths,
                       const int *formats, int *ok)
{
    /* The store's transaction, or a reading cursor's (whose read-only
     * transaction refuses the write: the savepoint keeps the cursor). */
    fpi_pg_settle(s);
    int txn = s->pg->in_txn || PQtransactionStatus(s->pg->conn) == PQTRANS_INTRANS;
    if (txn) PQclear(fpi_pg_exec(s, "SAVEPOINT fp_cache", 0, NULL));
    PGresult *r = PQexecParams(s->pg->conn, sql, n, NULL, values, lengths, formats, 0);
    *ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (txn) PQclear(fpi_pg_exec(s, *ok ? "RELEASE SAVEPOINT fp_cache" : "ROLLBACK TO SAVEPOINT fp_cache", 0, NULL));
}

char *fpi_pg_ident(fp_store *s, const char *name)
{
    return PQescapeIdentifier(s->pg->conn, name, strlen(name));
}

/* --------------------------------------------------------------- COPY --- */

void fpi_pg_copy_field(GString *line, const char *v)
{
    if (line->len && line->str[line->len - 1] != '\n') g_string_append_c(line, '\t');
    if (!v) { g_string_append(line, "\\N"); return; }
    for (; *v; v++) {
        switch (*v) {
        case '\\': g_string_append(line, "\\\\"); break;
        case '\n': g_string_append(line, "\\n"); break;
        case '\r': g_string_append(line, "\\r"); break;
        case '\t': g_string_append(line, "\\t"); break;
        default: g_string_append_c(line, *v);
        }
    }
}

/* The EWKB head of a 2D OGC WKB: the outer type gets the SRID flag and the
 * SRID 4326 follows it, in the WKB's own byte order; the rest is the WKB
 * unchanged. */
static void ewkb_head(const unsigned char *wkb, unsigned char head[9])
{
    int le = wkb[0] == 1;
    uint32_t type = le ? (uint32_t)wkb[1] | (uint32_t)wkb[2] << 8 | (uint32_t)wkb[3] << 16 | (uint32_t)wkb[4] << 24
                       : (uint32_t)wkb[4] | (uint32_t)wkb[3] << 8 | (uint32_t)wkb[2] << 16 | (uint32_t)wkb[1] << 24;
    type |= 0x20000000u;
    uint32_t srid = 4326;
    head[0] = wkb[0];
    for (int i = 0; i < 4; i++) {
        int shift = le ? 8 * i : 8 * (3 - i);
        head[1 + i] = (unsigned char)(type >> shift);
        head[5 + i] = (unsigned char)(srid >> shift);
    }
}

void fpi_pg_copy_ewkb(GString *line, const unsigned char *wkb, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    if (line->len && line->str[line->len - 1] != '\n') g_string_append_c(line, '\t');
    if (!wkb || len < 5) { g_string_append(line, "\\N"); return; }
    unsigned char head[9];
    ewkb_head(wkb, head);
    for (int i = 0; i < 9; i++) { g_string_append_c(line, hex[head[i] >> 4]); g_string_append_c(line, hex[head[i] & 15]); }
    for (size_t i = 5; i < len; i++) {
        g_string_append_c(line, hex[wkb[i] >> 4]);
        g_string_append_c(line, hex[wkb[i] & 15]);
    }
}

/* COPY's binary format: a signature and two zero words, then per row its
 * field count and each field's byte length (-1: NULL) and bytes, all
 * big-endian, and -1 as the last row's count. */
void fpi_pg_bin_header(GString *b)
{
    g_string_append_len(b, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
}

void fpi_pg_bin_trailer(GString *b) { g_string_append_len(b, "\377\377", 2); }

static void put_be(GString *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++) t[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
    g_string_append_len(b, (const char *)t, bytes);
}

void fpi_pg_bin_row(GString *b, int nfields) { put_be(b, (uint64_t)nfields, 2); }
void fpi_pg_bin_null(GString *b) { put_be(b, 0xffffffffu, 4); }

void fpi_pg_bin_int8(GString *b, int64_t v)
{
    put_be(b, 8, 4);
    put_be(b, (uint64_t)v, 8);
}

void fpi_pg_bin_int4(GString *b, int32_t v)
{
    put_be(b, 4, 4);
    put_be(b, (uint32_t)v, 4);
}

void fpi_pg_bin_double(GString *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    put_be(b, 8, 4);
    put_be(b, u, 8);
}

void fpi_pg_bin_int8_or_null(GString *b, int has, int64_t v)
{
    if (has) fpi_pg_bin_int8(b, v);
    else fpi_pg_bin_null(b);
}

void fpi_pg_bin_int4_or_null(GString *b, int has, int32_t v)
{
    if (has) fpi_pg_bin_int4(b, v);
    else fpi_pg_bin_null(b);
}

void fpi_pg_bin_double_or_null(GString *b, int has, double v)
{
    if (has) fpi_pg_bin_double(b, v);
    else fpi_pg_bin_null(b);
}

void fpi_pg_bin_text(GString *b, const char *v)
{
    if (!v) { fpi_pg_bin_null(b); return; }
    size_t n = strlen(v);
    put_be(b, n, 4);
    g_string_append_len(b, v, (gssize)n);
}

void fpi_pg_bin_bytea(GString *b, const void *data, size_t len)
{
    put_be(b, len, 4);
    g_string_append_len(b, (const char *)data, (gssize)len);
}

void fpi_pg_bin_ewkb(GString *b, const unsigned char *wkb, size_t len)
{
    if (!wkb || len < 5) { fpi_pg_bin_null(b); return; }
    unsigned char head[9];
    ewkb_head(wkb, head);
    put_be(b, len + 4, 4);
    g_string_append_len(b, (const char *)head, 9);
    g_string_append_len(b, (const char *)wkb + 5, (gssize)(len - 5));
}

fp_status fpi_pg_copy_send(fp_store *s, GString *buf, const char *what, fp_error *err)
{
    if (buf->len && PQputCopyData(s->pg->conn, buf->str, (int)buf->len) != 1) {
        char *msg = g_strdup(PQerrorMessage(s->pg->conn));
        one_line(msg);
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: %s: %s", s->path, what, msg);
        g_free(msg);
        return st;
    }
    g_string_truncate(buf, 0);
    return FP_OK;
}

fp_status fpi_pg_copy_end(fp_store *s, const char *what, fp_error *err)
{
    fp_status st = FP_OK;
    if (PQputCopyEnd(s->pg->conn, NULL) != 1) {
        st = fpi_pg_error(s, NULL, what, err);
    }
    PGresult *res;
    while ((res = PQgetResult(s->pg->conn)) != NULL) {
        if (!st && PQresultStatus(res) != PGRES_COMMAND_OK) st = fpi_pg_error(s, res, what, err);
        else PQclear(res);
    }
    return st;
}

void fpi_pg_copy_abort(fp_store *s)
{
    fpi_pg_settle(s);
    if (PQtransactionStatus(s->pg->conn) != PQTRANS_ACTIVE) return;
    PQputCopyEnd(s->pg->conn, "footprint: the load failed");
    PGresult *res;
    while ((res = PQgetResult(s->pg->conn)) != NULL) PQclear(res);
}

/* ------------------------------------------------------- transactions --- */

fp_status fpi_pg_begin(fp_store *s, fp_error *err)
{
    /* READ COMMITTED, PostgreSQL's default: a statement that waited for a
     * lock (an advisory lock, a row another import writes) sees what was
     * committed meanwhile, and concurrent imports never fail each other
     * with serialization errors. A scan is still one snapshot: a cursor's
     * (DECLARE), shared by reader connections (fpi_pg_open_reader). */
    fp_status st = fpi_pg_command(s, "BEGIN", 0, NULL, "cannot start a transaction", err);
    if (!st) s->pg->in_txn = 1;
    return st;
}

fp_status fpi_pg_commit(fp_store *s, fp_error *err)
{
    if (!s->pg->in_txn) return FP_OK;
    PGresult *res = fpi_pg_exec(s, "COMMIT", 0, NULL);
    s->pg->in_txn = 0;
    s->pg->bulk_import = 0;
    g_free(s->pg->snapshot);
    s->pg->snapshot = NULL;
    /* A COMMIT of a failed transaction reports ROLLBACK, not an error. */
    if (PQresultStatus(res) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        fp_status st = fpi_pg_error(s, res, "commit failed; nothing of this run was stored", err);
        fpi_pg_command(s, "ROLLBACK", 0, NULL, "rollback", NULL);
        return st;
    }
    PQclear(res);
    if (s->pg->analyze_after_commit) {
        /* Planner statistics after a big load; outside the import's
         * transaction, so concurrent imports do not queue on its lock. A
         * failure only leaves older statistics. */
        s->pg->analyze_after_commit = 0;
        PQclear(fpi_pg_exec(s, "ANALYZE projects", 0, NULL));
    }
    return FP_OK;
}

void fpi_pg_rollback(fp_store *s)
{
    if (!s->pg->in_txn) return;
    fpi_pg_copy_abort(s);
    PQclear(fpi_pg_exec(s, "ROLLBACK", 0, NULL));
    s->pg->in_txn = 0;
    s->pg->analyze_after_commit = 0;
    s->pg->bulk_import = 0;
    g_free(s->pg->prefetch_error);        /* its transaction is over */
    s->pg->prefetch_error = NULL;
    g_free(s->pg->snapshot);
    s->pg->snapshot = NULL;
}

/* ------------------------------------------------------------- schema --- */

/* The schema version, 0 without a footprint schema, -1 on error. */
static int read_version(fp_store *s)
{
    /* pg_class itself, read in this statement's snapshot, not
     * to_regclass: that one answers from the backend's catalog cache, which
     * keeps "no such table" from a lookup made before this transaction
     * (pin_store_schema's, the PostGIS check's) until an invalidation is
     * processed, which waiting on the advisory lock does not do: a second
     * init that waited for the first then missed its new schema_version
     * and failed creating it again. */
    PGresult *res = fpi_pg_exec(s, "SELECT EXISTS(SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                   " WHERE c.relname = 'schema_version' AND n.nspname = ANY(current_schemas(false)))",
                                0, NULL);
    int v = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? !strcmp(PQgetvalue(res, 0, 0), "t") : -1;
    PQclear(res);
    if (v <= 0) return v;                 /* no table: no footprint schema */
    res = fpi_pg_exec(s, "SELECT coalesce(max(version), 0) FROM schema_version", 0, NULL);
    v = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return v;
}

int fpi_pg_schema_version(fp_store *s)
{
    return read_version(s);
}

static fp_status migrate(fp_store *s, int flags, int target, fp_error *err)
{
    fp_status st = fpi_pg_begin(s, err);
    if (st) return st;
    /* Held to the end of the transaction: a concurrent upgrade waits here. */
    char key[32];
    snprintf(key, sizeof key, "%lld", FP_PG_LOCK_SCHEMA);
    const char *kv[] = { key };
    st = fpi_pg_command(s, "SELECT pg_advisory_xact_lock($1::bigint)", 1, kv, "waiting for a schema upgrade", err);
    int v = st ? -1 : read_version(s);
    if (!st && v < 0) st = fpi_pg_error(s, NULL, "reading the schema version", err);
    if (!st) s->opened_version = v;
    if (!st && v > FP_SCHEMA_VERSION)
        st = fp_error_set(err, FP_ERR_STATE, "%s: schema version %d is newer than this footprint (%d); upgrade footprint",
                          s->path, v, FP_SCHEMA_VERSION);
    if (!st && v == 0 && !(flags & FP_STORE_CREATE)) {
        /* Found along the search_path: a store in a schema of its own is
         * missed when the session's path does not name it. */
        PGresult *r = fpi_pg_exec(s, "SELECT current_setting('search_path')", 0, NULL);
        char *path = g_strdup(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "?");
        PQclear(r);
        st = fp_error_set(err, FP_ERR_STATE, "%s: no footprint schema in this database (searched the search_path: %s); run "
                          "`footprint init` first, or name the store's schema (?options=-csearch_path%%3DSCHEMA in a"
                          " URL, active_schema=SCHEMA in the PG: form)", s->path, path);
        g_free(path);
    }
    if (!st && v < target && (flags & FP_STORE_READONLY))
        st = fp_error_set(err, FP_ERR_STATE, "%s: schema version %d needs an upgrade to %d: have the database's owner "
                          "run `footprint init` on it", s->path, v, target);
    if (!st && v == 0)
        st = fpi_pg_command(s, "CREATE TABLE schema_version(version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())",
                           0, NULL, "creating the schema", err);
    for (int i = v + 1; !st && i <= target; i++) {
        /* Several statements: the simple protocol (no values in them). */
        PGresult *res = PQexec(s->pg->conn, pg_migrations[i]);
        if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
            /* Only the tables' owner may upgrade them: a colleague's role is
             * told whom to ask rather than left with "permission denied". */
            const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
            int not_owner = state && !strcmp(state, "42501");
            char what[160];
            snprintf(what, sizeof what, "upgrading the schema to version %d%s", i,
                     not_owner ? " (have the database's owner run `footprint init` on it)" : "");
            st = fpi_pg_error(s, res, what, err);
            break;
        }
        PQclear(res);
        char ver[16];
        snprintf(ver, sizeof ver, "%d", i);
        const char *vv[] = { ver };
        st = fpi_pg_command(s, "INSERT INTO schema_version(version) VALUES($1::int)", 1, vv, "recording the schema version", err);
    }
    /* init makes QGIS's styles table too, as the owner, beside the others
     * (pg_styles.c), under the lock: a second init finds it made. */
    if (!st && (flags & FP_STORE_CREATE)) st = fpi_pg_layer_styles_create(s, err);
    if (st) { fpi_pg_rollback(s); return st; }
    return fpi_pg_commit(s, err);
}

/* ---------------------------------------------------------------- open --- */

static void quiet_notices(void *arg, const char *message) { (void)arg; (void)message; }

/* Whether libpq has a default for keyword (from its PG* variable). */
static int default_set(const char *keyword)
{
    PQconninfoOption *defs = PQconndefaults();
    int set = 0;
    for (PQconninfoOption *o = defs; o && o->keyword; o++)
        if (!strcmp(o->keyword, keyword)) set = o->val && *o->val;
    if (defs) PQconninfoFree(defs);
    return set;
}

/* Connects with the --db string as libpq reads it; on failure a one-line
 * error naming the server. */
static fp_status connect_to(const char *db, const char *name, PGconn **out, fp_error *err)
{
    /* Expanded as a connection string; earlier keys are defaults that the
     * string (and PG* variables for what it leaves out) override. */
    const char *keys[4], *vals[4];
    int k = 0;
    GPtrArray *schemas = g_ptr_array_new_with_free_func(g_free);
    char *conninfo = libpq_string(db, schemas);
    if (!default_set("connect_timeout")) { keys[k] = "connect_timeout"; vals[k++] = "10"; }
    keys[k] = "fallback_application_name"; vals[k++] = "footprint";
    keys[k] = "dbname"; vals[k++] = conninfo;
    keys[k] = NULL; vals[k] = NULL;
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    g_free(conninfo);
    if (!c) {
        g_ptr_array_free(schemas, TRUE);
        return fp_error_set(err, FP_ERR_NOMEM, "%s: out of memory connecting", name);
    }
    if (PQstatus(c) != CONNECTION_OK) {
        g_ptr_array_free(schemas, TRUE);
        char *msg = g_strdup(PQerrorMessage(c)), *shown = g_strdup(name);
        int unencoded = 0;
        g_free(url_password(db, &unencoded, NULL, NULL));
        scrub_message(&msg, db);
        scrub_message(&shown, db);
        one_line(msg);
        fp_status st = fp_error_set(err, FP_ERR_DB, "%s: cannot connect: %s%s", shown, msg,
                                    unencoded ? " (the URL's password holds '/' or '@' as they are: write them %2F and"
                                                " %40, or give the password by PGPASSWORD or ~/.pgpass)" : "");
        g_free(msg);
        g_free(shown);
        PQfinish(c);
        return st;
    }
    PQsetNoticeProcessor(c, quiet_notices, NULL);
    /* Numbers read as text round-trip exactly whatever the server's or
     * role's setting (PostgreSQL 12+ prints the shortest exact form for
     * any value above 0): the rows then agree with the column cache's
     * doubles and with SpatiaLite. */
    PGresult *r = PQexec(c, "SET extra_float_digits = 3");
    PQclear(r);
    /* The PG: form's active_schema= and schemas= (libpq_string): before
     * the session's own path, for this session only. */
    fp_status st = FP_OK;
    if (schemas->len) {
        GString *path = g_string_new(NULL);
        for (guint i = 0; i < schemas->len; i++) {
            const char *n = schemas->pdata[i];
            char *q = PQescapeIdentifier(c, n, strlen(n));
            if (q) g_string_append_printf(path, "%s, ", q);
            PQfreemem(q);
        }
        const char *v[] = { path->str };
        r = PQexecParams(c, "SELECT set_config('search_path', $1 || current_setting('search_path'), false)", 1, NULL,
                         v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            char *msg = g_strdup(PQresultErrorMessage(r));
            one_line(msg);
            st = fp_error_set(err, FP_ERR_DB, "%s: setting the search_path of active_schema= and schemas=: %s", name, msg);
            g_free(msg);
        }
        PQclear(r);
        g_string_free(path, TRUE);
    }
    g_ptr_array_free(schemas, TRUE);
    if (st) { PQfinish(c); return st; }
    *out = c;
    return FP_OK;
}

/* Every table footprint creates (an aggregation's, the temporary ones
 * renamed into place, layer_styles) must go where the store's own tables
 * are, and every unqualified name must find them there. PostgreSQL creates
 * an unqualified table in the first schema of the search_path that exists
 * (current_schema()), which for a role with a schema of its own (the
 * default search_path "$user", public) is that one, not the store's: an
 * analyst's aggregation then landed in their schema, invisible to the
 * others, while its row in `aggregations` went to public.
 * So the connection's search_path is pinned: the schema holding
 * schema_version (found along the path as the server gives it, so a store
 * named by options=-csearch_path=... or ALTER ROLE ... SET search_path is
 * found where it was put) goes first, the rest of the path (PostGIS's
 * schema among it) stays after it. The SQL of the pg_*.c files stays
 * unqualified; only the session's path changes, for this connection alone.
 * No store yet (init creating one): nothing is pinned, the tables go to
 * current_schema(), and the second call, after the migrations, records it. */
static fp_status pin_store_schema(fp_store *s, fp_error *err)
{
    PGresult *r = fpi_pg_exec(s, "SELECT n.nspname, n.nspname IS DISTINCT FROM current_schema() FROM pg_class c"
                                 " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass('schema_version')",
                              0, NULL);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) return fpi_pg_error(s, r, "finding the store's schema", err);
    if (PQntuples(r) == 0) { PQclear(r); return FP_OK; }
    char *schema = g_strdup(PQgetvalue(r, 0, 0));
    int differs = !strcmp(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    fp_status st = FP_OK;
    if (differs) {
        const char *v[] = { schema };
        r = fpi_pg_exec(s, "SELECT set_config('search_path', quote_ident($1) || ', ' || current_setting('search_path'),"
                           " false)", 1, v);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) st = fpi_pg_error(s, r, "setting the search_path to the store's schema", err);
        else {
            g_free(s->pg->search_path);
            s->pg->search_path = g_strdup(PQgetvalue(r, 0, 0));
            PQclear(r);
        }
    }
    if (!st) {
        g_free(s->pg->schema);
        s->pg->schema = schema;
    } else {
        g_free(schema);
    }
    return st;
}

fp_status fpi_pg_open(const fp_context *ctx, const char *db, int flags, int target, fp_store **out, fp_error *err)
{
    *out = NULL;
    fp_store *s = calloc(1, sizeof *s);
    struct fp_pg *pg = calloc(1, sizeof *pg);
    if (!s || !pg) { free(s); free(pg); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    s->pg = pg;
    s->flags = flags;
    s->ctx = ctx;
    g_mutex_init(&pg->snapshot_lock);
    pg->conninfo = g_strdup(db);
    char *guess = fpi_pg_display_name(db);
    fp_status st = connect_to(db, guess, &pg->conn, err);
    if (!st) {
        /* The name with what libpq really used (defaults, PG* variables). */
        s->path = name_from(PQuser(pg->conn), PQhost(pg->conn), PQport(pg->conn), PQdb(pg->conn));
        g_free(guess);
    } else {
        scrub_message(&guess, db);   /* never the password, whatever libpq made of the string */
        s->path = guess;
    }
    if (!st) {
        /* PostGIS in a schema the session's search_path does not reach
         * (CREATE EXTENSION postgis SCHEMA extensions) fails every command
         * with `type "geometry" does not exist`, init's first statement
         * included: said up front, with the path to give. The store's
         * schema (or, before init, where init would put it) comes first. */
        PGresult *res = fpi_pg_exec(s,
            "SELECT e.extversion, n.nspname = ANY(current_schemas(false)), quote_ident(n.nspname),"
            " current_setting('search_path'), quote_ident(current_database()),"
            " quote_ident(coalesce((SELECT sn.nspname FROM pg_class c JOIN pg_namespace sn ON sn.oid = c.relnamespace"
            "  WHERE c.oid = to_regclass('schema_version')), current_schema(), 'public'))"
            " FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'", 0, NULL);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) st = fpi_pg_error(s, res, "cannot read the extensions", err);
        else {
            if (PQntuples(res) == 0)
                st = fp_error_set(err, FP_ERR_STATE, "%s: this database has no PostGIS; ask its owner to run "
                                  "CREATE EXTENSION postgis (nothing was changed)", s->path);
            else if (strcmp(PQgetvalue(res, 0, 1), "t") != 0) {
                const char *ext = PQgetvalue(res, 0, 2), *path = PQgetvalue(res, 0, 3), *dbq = PQgetvalue(res, 0, 4),
                           *store = PQgetvalue(res, 0, 5);
                st = fp_error_set(err, FP_ERR_STATE, "%s: PostGIS is in schema %s, which this session's search_path (%s)"
                                  " does not reach: add options=-csearch_path%%3D%s,%s to the URL's query"
                                  " (PG: form: options='-csearch_path=%s,%s'), or have the owner run ALTER DATABASE %s"
                                  " SET search_path = %s, %s (or ALTER ROLE ... SET; nothing was changed)",
                                  s->path, ext, path, store, ext, store, ext, dbq, store, ext);
            }
            PQclear(res);
        }
    }
    /* Before the migrations (an upgrade's new tables go beside the old
     * ones) and after them (init's new store: its schema recorded). */
    if (!st) st = pin_store_schema(s, err);
    if (!st) st = migrate(s, flags, target, err);
    if (!st) st = pin_store_schema(s, err);
    if (st) { fpi_pg_close(s); return st; }
    *out = s;
    return FP_OK;
}

void fpi_pg_close(fp_store *s)
{
    if (!s) return;
    if (s->pg) {
        if (s->pg->conn) {
            if (s->pg->in_txn) fpi_pg_rollback(s);
            PQfinish(s->pg->conn);
        }
        g_free(s->pg->conninfo);
        g_free(s->pg->prefetch_error);
        g_free(s->pg->snapshot);
        g_free(s->pg->schema);
        g_free(s->pg->search_path);
        for (int c = 0; c < FPI_PG_DIFF_COLS; c++) g_free(s->pg->diff_cols[c]);
        g_mutex_clear(&s->pg->snapshot_lock);
        free(s->pg);
    }
    g_free(s->path);
    free(s);
}

long fpi_pg_count(fp_store *s, const char *table)
{
    char *id = fpi_pg_ident(s, table);
    char *sql = g_strdup_printf("SELECT count(*) FROM %s", id);
    PQfreemem(id);
    PGresult *res = fpi_pg_exec(s, sql, 0, NULL);
    g_free(sql);
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

fp_status fpi_pg_open_reader(fp_store *s, fp_store **out, fp_error *err)
{
    *out = NULL;
    /* The readers see what the store's transaction sees: its snapshot,
     * exported once and imported by each reader. Reader threads open at
     * once; the store's own connection serves one of them at a time. */
    g_mutex_lock(&s->pg->snapshot_lock);
    fp_status est = FP_OK;
    if (s->pg->in_txn && !s->pg->snapshot) {
        PGresult *res = fpi_pg_exec(s, "SELECT pg_export_snapshot()", 0, NULL);
        if (PQresultStatus(res) != PGRES_TUPLES_OK) est = fpi_pg_error(s, res, "sharing the snapshot", err);
        else {
            s->pg->snapshot = g_strdup(PQgetvalue(res, 0, 0));
            PQclear(res);
        }
    }
    g_mutex_unlock(&s->pg->snapshot_lock);
    if (est) return est;
    fp_store *r = calloc(1, sizeof *r);
    struct fp_pg *pg = calloc(1, sizeof *pg);
    if (!r || !pg) { free(r); free(pg); return fp_error_set(err, FP_ERR_NOMEM, "out of memory"); }
    r->pg = pg;
    r->flags = FP_STORE_READONLY;
    r->ctx = s->ctx;
    g_mutex_init(&pg->snapshot_lock);
    r->opened_version = s->opened_version;
    r->path = g_strdup(s->path);
    pg->conninfo = g_strdup(s->pg->conninfo);
    fp_status st = connect_to(pg->conninfo, r->path, &pg->conn, err);
    /* The store's connection's search_path (pin_store_schema): a reader
     * finds the same tables. */
    if (!st && s->pg->search_path) {
        const char *v[] = { s->pg->search_path };
        st = fpi_pg_command(r, "SELECT set_config('search_path', $1, false)", 1, v, "reading", err);
        if (!st) pg->search_path = g_strdup(s->pg->search_path);
    }
    if (!st && s->pg->schema) pg->schema = g_strdup(s->pg->schema);
    if (!st) {
        st = fpi_pg_command(r, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL, "reading", err);
        if (!st) pg->in_txn = pg->one_snapshot = 1;
    }
    if (!st && s->pg->snapshot) {
        const char *v[] = { s->pg->snapshot };
        /* SET TRANSACTION SNAPSHOT takes a literal only: quote it. */
        char *lit = PQescapeLiteral(pg->conn, v[0], strlen(v[0]));
        char *sql = g_strdup_printf("SET TRANSACTION SNAPSHOT %s", lit);
        PQfreemem(lit);
        st = fpi_pg_command(r, sql, 0, NULL, "sharing the snapshot", err);
        g_free(sql);
    }
    if (st) { fpi_pg_close(r); return st; }
    *out = r;
    return FP_OK;
}

fp_status fp_store_reader_lock_timeout(fp_store *r, int ms, fp_error *err)
{
    if (!r || !r->pg) return FP_OK;
    char value[32];
    snprintf(value, sizeof value, "%dms", ms);
    const char *v[] = { value };
    /* For this transaction only, and only where nobody set one (a SELECT:
     * after SET TRANSACTION SNAPSHOT, which must come first). */
    return fpi_pg_command(r, "SELECT set_config('lock_timeout', $1, true) WHERE current_setting('lock_timeout') = '0'",
                          1, v, "reading", err);
}

fp_status fp_store_reader_take_locks(fp_store *r, int ms, fp_error *err)
{
    if (!r || !r->pg) return FP_OK;
    fp_status st = fp_store_reader_lock_timeout(r, ms, err);
    /* The share locks a scan of the points takes (check's readers join
     * imports), taken before it reads a row: the tables', then their
     * indexes', which planning a query over them takes (a REINDEX queued
     * behind the store's connection waits on an index, not the table). */
    if (!st) st = fpi_pg_command(r, "LOCK TABLE projects, imports IN ACCESS SHARE MODE", 0, NULL, "reading", err);
    if (!st) st = fpi_pg_command(r, "EXPLAIN SELECT 1 FROM projects, imports", 0, NULL, "reading", err);
    return st;
}

int fp_store_failed_transaction(const fp_store *s)
{
    return s && s->pg && PQtransactionStatus(s->pg->conn) == PQTRANS_INERROR;
}

int fp_store_lock_timed_out(const fp_store *r) { return r && r->pg && r->pg->lock_timed_out; }

/* ------------------------------------------------------ engine check --- */

/* Commands that run on PostGIS: every stage reads and writes the store
 * through fp_store.h (serve reads tile files, not the store). */
static const char *const pg_commands[] = { "init", "import", "rejects", "drop", "geocode", "check", "aggregate", "diff",
                                           "export", "render", "tiles", "serve", "run", NULL };

fp_status fp_store_check_command(const char *db, const char *command, fp_error *err)
{
    if (!fpi_pg_is_url(db)) return FP_OK;
    for (int i = 0; pg_commands[i]; i++)
        if (!strcmp(pg_commands[i], command)) return FP_OK;
    char *name = fpi_pg_display_name(db);
    fp_status st = fp_error_set(err, FP_ERR_STATE, "%s: `%s` is not yet supported on PostGIS; use a SpatiaLite store "
                                "for it", name, command);
    g_free(name);
    return st;
}
