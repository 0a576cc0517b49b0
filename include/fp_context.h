/* The context the library runs in, after PROJ's PJ_CONTEXT: what used to be
 * process-wide state (environment variables read deep in the stages, a
 * global interrupt flag) is held here, created by the caller and handed
 * down. The CLI reads the environment once and fills one context; a
 * program embedding the library makes its own, or passes NULL for the
 * defaults (compiled-in folders, 5 s busy timeout, never cancelled, no
 * messages).
 *
 * A store opened with fp_store_open_ctx carries its context (borrowed: the
 * context must outlive the store); the stages take it from the store. One
 * context may serve several threads: the cancel flag is atomic, the rest is
 * set before the work starts and only read during it. */
#ifndef FP_CONTEXT_H
#define FP_CONTEXT_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_context fp_context;

/* A message for the user (per-step timings, a test pause point). No
 * trailing newline. */
typedef void (*fp_log_fn)(const char *line, void *user);
/* Rows done so far in a long import and the seconds since it started. */
typedef void (*fp_progress_fn)(long done, double seconds, void *user);

/* A context with the defaults; NULL when out of memory. Free with
 * fp_context_free. */
fp_context *fp_context_new(void);
void fp_context_free(fp_context *ctx);

/* Search folders: the shipped data (regions, gazetteer, sample), styles and
 * web files (the tile preview's scripts). NULL or "" restores the default
 * (compiled-in). The strings are copied. */
void fp_context_set_data_dir(fp_context *ctx, const char *dir);
void fp_context_set_styles_dir(fp_context *ctx, const char *dir);
void fp_context_set_web_dir(fp_context *ctx, const char *dir);
/* The folders in use: ctx's, or the defaults when ctx is NULL. */
const char *fp_context_data_dir(const fp_context *ctx);
const char *fp_context_styles_dir(const fp_context *ctx);
const char *fp_context_web_dir(const fp_context *ctx);

/* Folder of caches the library may keep between runs (today: the prepared
 * regions of `aggregate --by regions:FILE` and geocode's parsed gazetteer,
 * each keyed by the file's SHA-256).
 * NULL or "" (the default): no cache. The string is copied. */
void fp_context_set_cache_dir(fp_context *ctx, const char *dir);
const char *fp_context_cache_dir(const fp_context *ctx);

/* A read-only folder of cache entries made when footprint was built (`make`
 * writes build/prepared/: the prepared default regions, what `init` would
 * otherwise compute on a machine's first run). Looked up before the cache
 * folder (its entries were made by this very build), never written. NULL or "" (the default): none. Copied. */
void fp_context_set_prepared_dir(fp_context *ctx, const char *dir);
const char *fp_context_prepared_dir(const fp_context *ctx);

/* How long a store waits for another writer before failing (milliseconds;
 * <= 0 restores the default, 5000). */
void fp_context_set_busy_ms(fp_context *ctx, int ms);
int fp_context_busy_ms(const fp_context *ctx);

/* Cancellation: fp_context_cancel may be called from a signal handler or
 * another thread (an atomic store); long loops check fp_context_cancelled,
 * stop and roll back with FP_ERR_INTERRUPTED. A NULL ctx is never
 * cancelled. */
void fp_context_cancel(fp_context *ctx);
int fp_context_cancelled(const fp_context *ctx);

/* Where messages go (none by default). */
void fp_context_set_log(fp_context *ctx, fp_log_fn fn, void *user);
/* Sends one printf-style message to ctx's log (nothing when none). */
void fp_context_log(const fp_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress of long imports, when the import's own options name none. */
void fp_context_set_progress(fp_context *ctx, fp_progress_fn fn, void *user);
void fp_context_progress(const fp_context *ctx, long done, double seconds);
int fp_context_has_progress(const fp_context *ctx);

/* The time written into outputs (a GeoJSON's description, a PDF's dates, a
 * GeoPackage's last_change and styles, a .qgz's entry), as seconds since
 * 1970 (the SOURCE_DATE_EPOCH of reproducible builds), so a job run twice on
 * the same data writes the same bytes; < 0 (the default): the current time.
 * A time past FP_SOURCE_DATE_MAX (9999-12-31 23:59:59 UTC: ISO 8601 dates
 * and GeoPackage times have four-digit years) is not one: the current time
 * too (the CLI warns and ignores it, as a malformed value). A zip's entry
 * date holds 1980-2107 only: the .qgz clamps to that range.
 * The store's own records (import times) keep the current time. */
#define FP_SOURCE_DATE_MAX 253402300799LL
void fp_context_set_source_date(fp_context *ctx, long long epoch);
long long fp_context_source_date(const fp_context *ctx);

/* Per-step timings (aggregate) through the log. */
void fp_context_set_timing(fp_context *ctx, int on);
int fp_context_timing(const fp_context *ctx);

/* Test hook for the crash-safety tests: the name of a pause point (NULL:
 * none). When a stage reaches that point, fp_context_pause logs "paused at
 * POINT (pid N)" and sleeps (at most 60 s, or until cancelled), so a test
 * can kill -9 the process at exactly that point. Points: import:begin,
 * import:rows, import:index, import:commit, aggregate:read (its ids read,
 * the reader threads not yet opened), aggregate:assigned,
 * aggregate:written, check:read (a parallel scan's ids read, its readers
 * not yet opened), qa:undo, export:write, export:rename, render:write,
 * tiles:tiles, tiles:metadata, tiles:finish, tiles:swap. */
void fp_context_set_test_pause(fp_context *ctx, const char *point);
/* Tests: a paused command goes on as soon as this file exists (a test that
 * restarts the server under a paused import). */
void fp_context_set_test_resume_file(fp_context *ctx, const char *path);
void fp_context_pause(const fp_context *ctx, const char *point);
/* Tests: rows per batch of a PostgreSQL cursor (0: the engine's own, 20,000),
 * so that small tables cross batch boundaries (the prefetch of the next
 * batch and queries sent between batches). */
void fp_context_set_test_fetch_batch(fp_context *ctx, int rows);
int fp_context_test_fetch_batch(const fp_context *ctx);
/* Tests: the rows from which an import into PostGIS is a bulk load (0: the
 * engine's own, 100,000), so that the bulk path runs on smaller files. */
void fp_context_set_test_bulk_rows(fp_context *ctx, long rows);
long fp_context_test_bulk_rows(const fp_context *ctx);

#ifdef __cplusplus
}
#endif

#endif
