/*
 * fp_import_file: one transaction per import. The file's SHA-256 and the
 * dataset name identify an import, so the same file imported twice into the
 * same dataset stores nothing the second time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <glib.h>
#include "fp_ingest.h"
#include "fp_qa.h"
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"
#include "common/util.h"
#include "common/crs.h"
#include "geocode/country_index.h"

static int is_csv(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return 0;
    return strcasecmp(dot, ".csv") == 0 || strcasecmp(dot, ".tsv") == 0 || strcasecmp(dot, ".txt") == 0;
}

/* The SHA-256 of an import's file, computed on a thread of its own. */
typedef struct sha_job {
    const char *path;
    pthread_t thread;
    int started, joined;
    int stop;                     /* set when the import ends without needing it */
    char sha[65];
    fp_status st;
    fp_error err;
} sha_job;

static void *sha_main(void *arg)
{
    sha_job *j = arg;

    j->st = fpi_file_sha256_until(j->path, j->sha, &j->stop, &j->err);
    return NULL;
}

/* Waits for the hash; with give_up (the import failed or stopped), tells
 * it to stop first: Ctrl-C on a 10 GB file does not wait for its hash. */
static void sha_join(sha_job *j, int give_up)
{
    if (give_up) __atomic_store_n(&j->stop, 1, __ATOMIC_RELAXED);
    if (j->started && !j->joined) pthread_join(j->thread, NULL);
    j->joined = 1;
}

/* The file's name without its extension, as valid UTF-8 (a Latin-1 file
 * name's bytes are replaced, U+FFFD) cut at a character's start. */
static void default_dataset(const char *path, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    gchar *valid = g_utf8_make_valid(base, -1);
    snprintf(buf, size, "%s", valid);
    size_t n = strlen(buf);
    if (n < strlen(valid))
        while (n && ((unsigned char)valid[n] & 0xC0) == 0x80) buf[--n] = '\0';
    g_free(valid);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = '\0';
}

/* The answer when the dataset already holds this file (import #previous):
 * nothing of this run is kept, whatever it read. */
static fp_status already_imported(fp_import_result *res, const char *dataset, int64_t previous, double t0,
                                  fp_qa_feed *feed)
{
    fp_qa_feed_abandon(feed);
    memset(res, 0, sizeof *res);
    snprintf(res->dataset, sizeof res->dataset, "%s", dataset);
    res->already_imported = 1;
    res->previous_import_id = previous;
    res->seconds = fpi_now() - t0;
    return FP_OK;
}

/* Whether another session committed this very file (sha) into the dataset
 * while this import ran: on a server, what a refusal by the unique indexes
 * can mean (SQLite's write lock orders imports). *other: its import. */
static int imported_meanwhile(fp_store *store, const char *dataset, const char *sha, int64_t *other)
{
    *other = 0;
    return fp_store_is_server(store) && fp_store_import_find(store, dataset, sha, other, NULL) == FP_OK && *other;
}

fp_status fp_dataset_drop(fp_store *store, const char *dataset, int64_t *projects, int64_t *imports, fp_error *err)
{
    *projects = *imports = 0;
    fp_status st = fp_store_begin(store, err);
    if (st) return st;
    /* Checked under the write lock: a dataset another session removed or
     * renamed meanwhile is a typo now, not "0 removed". */
    st = fp_store_imported_dataset_check(store, dataset, err);
    if (!st) st = fp_store_dataset_drop(store, dataset, projects, imports, err);
    if (!st) fp_context_pause(fp_store_context(store), "drop:commit");
    if (!st) st = fp_store_commit(store, err);
    else fp_store_rollback(store);
    return st;
}

/* The alpha-3 (region code) of --default-country VALUE into
 * res->default_country, or FP_ERR_USAGE naming it. */
static fp_status default_country_check(fp_store *store, const char *value, fp_import_result *res, fp_error *err)
{
    fp_country_index *idx;
    fp_status st = fpi_country_index_new(store, &idx, err);
    if (st) return st;
    const fp_country *c = fpi_country_index_find(idx, value);
    if (c) snprintf(res->default_country, sizeof res->default_country, "%s", c->a3);
    else if (fpi_country_index_size(idx) == 0)
        st = fp_error_set(err, FP_ERR_USAGE, "--default-country '%.200s' cannot be recognised: the store has no country "
                          "regions (an `init --regions FILE` without level 'country' replaced them; run `footprint init` "
                          "for the default regions)", value);
    else
        st = fp_error_set(err, FP_ERR_USAGE, "--default-country '%.200s': not a known country name or ISO code (give "
                          "an ISO alpha-3 or alpha-2 code, or the English name: SOM, SO, Somalia)", value);
    fpi_country_index_free(idx);
    return st;
}

fp_status fp_import_file(fp_store *store, const char *path, const fp_import_options *opts_in,
                         fp_import_result *res, fp_error *err)
{
    if (!store) return fp_error_set(err, FP_ERR_USAGE, "fp_import_file: store is NULL");
    if (!path) return fp_error_set(err, FP_ERR_USAGE, "fp_import_file: path is NULL");
    fp_import_options defaults = {0};
    const fp_import_options *opts = opts_in ? opts_in : &defaults;
    fp_import_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    double t0 = fpi_now();

    /* --crs names the CRS 2D coordinates are in: "" is no CRS (it was
     * taken silently as the default), and a geocentric or vertical CRS
     * turned lon/lat into nonsense (EPSG:4978 stored POINT(18.79 0)). */
    if (opts->crs) {
        fp_status cst = fpi_crs_check_option("--crs", opts->crs, opts->crs, err);
        if (cst) return cst;
    }

    struct stat sb;
    if (stat(path, &sb) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: no such file", path);
    if (S_ISDIR(sb.st_mode) && is_csv(path))
        return fp_error_set(err, FP_ERR_IO, "%s: is a directory", path);
    /* An input is read more than once (its checksum, its header, its rows):
     * a named pipe would hang on the second open, holding the store's
     * write lock, or give its bytes to the first reader only. */
    if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
        return fp_error_set(err, FP_ERR_INPUT, "%s: not a regular file (a named pipe, device or socket): an input is read "
                            "more than once; save it to a file first", path);
    /* A file of 0 bytes (a download or a copy that failed) is said to be
     * that, in the CSV reader's words ("empty file (no header line)"),
     * which says it for a CSV: GDAL's drivers gave their own parse error,
     * LIBKML's with an empty reason ("ERROR parsing kml empty.kml :"). */
    if (S_ISREG(sb.st_mode) && sb.st_size == 0 && !is_csv(path))
        return fp_error_set(err, FP_ERR_INPUT, "%s: empty file (0 bytes)", path);

    char dataset[256];
    /* Refused rather than cut: a name cut inside a character was stored as
     * invalid UTF-8 (and PostgreSQL refused it), and a name cut at all is
     * not the name the other commands are given. */
    if (opts->dataset && (strlen(opts->dataset) >= sizeof dataset || !g_utf8_validate(opts->dataset, -1, NULL)))
        return fp_error_set(err, FP_ERR_USAGE, "--dataset: %s; use at most %zu bytes of UTF-8 text",
                            strlen(opts->dataset) >= sizeof dataset ? "too long" : "not UTF-8 text", sizeof dataset - 1);
    /* An encoding iconv does not know is the option's fault whatever the file. */
    fp_status st;
    if (opts->encoding && (st = fpi_encoding_check(opts->encoding, err))) return st;
    if (opts->dataset && *opts->dataset) snprintf(dataset, sizeof dataset, "%s", opts->dataset);
    else default_dataset(path, dataset, sizeof dataset);
    snprintf(res->dataset, sizeof res->dataset, "%s", dataset);

    if (fp_store_count(store, "regions") <= 0)
        return fp_error_set(err, FP_ERR_STATE, "%s: the store has no regions; run `footprint init` first",
                            fp_store_path(store));
    /* --default-country: resolved as a row's country is, and refused
     * before anything is read when it is no country the store knows. */
    if (opts->default_country && (st = default_country_check(store, opts->default_country, res, err))) return st;
    char sha[65];
    int any_import = 1;
    sha_job job = { .path = path };
    if (S_ISDIR(sb.st_mode)) {
        /* A directory source (a Shapefile folder): identify it by its path. */
        snprintf(sha, sizeof sha, "dir:%.59s", path);
    } else if (S_ISREG(sb.st_mode) && fp_store_dataset_has_imports(store, dataset, &any_import, NULL) == FP_OK &&
               !any_import && pthread_create(&job.thread, NULL, sha_main, &job) == 0) {
        /* A dataset's first import: no checksum to match, so the file's
         * SHA-256 is computed beside the import (a 70 MB CSV: 0.4 s) and
         * recorded at its end; a placeholder until then. */
        job.started = 1;
        gchar *uuid = g_uuid_string_random();
        snprintf(sha, sizeof sha, "pending %s", uuid);
        g_free(uuid);
    } else if ((st = fpi_file_sha256(path, sha, err)) != FP_OK) {
        return st;
    }

    if ((st = fp_store_begin_bulk(store, err))) { sha_join(&job, 1); return st; }
    /* Asked again inside the transaction (SQLite: under the write lock, so
     * exactly): an import of the dataset committed since, maybe of this
     * very file, wants the checksum now, to be recognised at once. */
    if (job.started && fp_store_dataset_has_imports(store, dataset, &any_import, NULL) == FP_OK && any_import) {
        sha_join(&job, 0);
        job.started = 0;
        if (job.st) {
            fp_store_rollback(store);
            if (err) *err = job.err;
            return job.st;
        }
        memcpy(sha, job.sha, sizeof sha);
    }
    char started[32];
    fpi_timestamp(started);
    int64_t import_id, previous, forgotten = 0;
    /* Rows added to a dataset that holds another file's already (an
     * edition imported under last year's name): said in the summary. */
    fp_error quiet_err = {0};
    int had_projects = fp_store_dataset_check(store, dataset, &quiet_err) == FP_OK;
    /* An earlier import of this file that stored nothing (every row
     * rejected) is no reason to refuse it now: it is retried with other
     * options, and this import replaces that attempt (forgotten). */
    if ((st = fp_store_import_begin(store, path, sha, dataset, started, &import_id, &previous, &forgotten, err))) {
        sha_join(&job, 1);
        fp_store_rollback(store);
        /* PostgreSQL: another session recording the same file into the
         * dataset made this one wait on the unique (dataset, checksum)
         * index, and refuses it once it commits. */
        int64_t other;
        if (st == FP_ERR_DB && !job.started && imported_meanwhile(store, dataset, sha, &other)) {
            fp_error_clear(err);
            return already_imported(res, dataset, other, t0, opts->qa_feed);
        }
        return st;
    }
    if (previous) {
        sha_join(&job, 1);
        fp_store_rollback(store);
        return already_imported(res, dataset, previous, t0, opts->qa_feed);
    }
    res->import_id = import_id;
    res->replaced_import_id = (long)forgotten;
    res->added_to_existing = had_projects;
    fp_context_pause(fp_store_context(store), "import:begin");

    /* FOOTPRINT_TIMING=1: the time of each step (the store's loader times
     * its own: index, typed). */
    fpi_steps steps;
    fpi_steps_start(&steps, fp_store_context(store));
    fp_sink *sink = NULL;
    st = fpi_sink_new(store, path, res->import_id, dataset, res, opts->qa_feed, &sink, err);
    if (st == FP_OK)
        st = (is_csv(path) && !S_ISDIR(sb.st_mode)) ? fpi_import_csv(sink, path, opts, res, err)
                                                    : fpi_import_ogr(sink, path, opts, res, err);
    fpi_steps_mark(&steps, "rows");
    if (st == FP_OK) st = fpi_sink_finish(sink, err);
    long long first_id = 0, fed_count = 0;
    int ids_known = st == FP_OK && fpi_sink_id_span(sink, &first_id, &fed_count);
    /* Before the commit, in the import's transaction. */
    if (st == FP_OK) st = fpi_sink_restore_placements(sink, err);
    if (steps.on && st == FP_OK)
        fp_context_log(fp_store_context(store), "  (of which the store thread: cpu %.3f s)", fpi_sink_writer_cpu(sink));
    fpi_steps_start(&steps, fp_store_context(store));
    fpi_sink_free(sink);
    /* The checksum computed beside the import: another session may have
     * committed the same file into the dataset meanwhile. A refusal by a
     * server may be that too (the other session's rows hold the same
     * source keys): the hash is finished then, and asked below. */
    int waits_for_hash = st == FP_ERR_DB && fp_store_is_server(store);   /* SQLite's write lock orders imports */
    sha_join(&job, st != FP_OK && !waits_for_hash);
    if (st == FP_OK && job.started) {
        if ((st = job.st) != FP_OK) {
            if (err) *err = job.err;
        } else if ((st = fp_store_import_checksum(store, res->import_id, dataset, job.sha, &previous, err)) == FP_OK &&
                   previous) {
            fp_store_rollback(store);
            return already_imported(res, dataset, previous, t0, opts->qa_feed);
        }
    }
    if (st == FP_OK) {
        char finished[32];
        fpi_timestamp(finished);
        st = fp_store_import_end(store, res->import_id, res->format, res->rows_read, res->stored, res->rejected,
                                 finished, err);
    }
    if (st == FP_OK) fp_context_pause(fp_store_context(store), "import:commit");
    /* Ctrl-C after the rows were read (a server's COPY, its index builds,
     * the checks take seconds): still in time to store nothing, as the
     * README promises; the rows step checks only every 1,024 rows. */
    if (st == FP_OK && fp_context_cancelled(fp_store_context(store)))
        st = fp_error_set(err, FP_ERR_INTERRUPTED, "%s: interrupted; nothing of this import was stored", path);
    if (st == FP_OK && (st = fp_store_commit(store, err)) != FP_OK && err) {
        /* The store's message names the database; name the input too. */
        char store_msg[sizeof err->message];
        snprintf(store_msg, sizeof store_msg, "%s", err->message);
        fp_error_set(err, st, "%.1900s (importing %s)", store_msg, path);
    }
    fpi_steps_mark(&steps, "commit");
    if (st != FP_OK) {
        fp_store_rollback(store);
        res->stored = 0;
        res->import_id = 0;
    }
    int64_t other;
    if (waits_for_hash && job.started && job.st == FP_OK && imported_meanwhile(store, dataset, job.sha, &other)) {
        /* This very file, committed into the dataset by another session
         * while this import ran: that is the answer, not the refusal. */
        fp_error_clear(err);
        return already_imported(res, dataset, other, t0, opts->qa_feed);
    }
    /* The checks fed the rows as they were read; they need the ids. */
    if (st == FP_OK && ids_known) fp_qa_feed_ids(opts->qa_feed, dataset, first_id, fed_count);
    else fp_qa_feed_abandon(opts->qa_feed);
    res->seconds = fpi_now() - t0;
    return st;
}
