/* fp_context: search paths, busy timeout, cancel flag, messages. Every
 * getter takes a NULL context and answers with the default. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "fp_context.h"

#define DEFAULT_BUSY_MS 5000

struct fp_context {
    char *data_dir, *styles_dir, *web_dir;   /* NULL: the compiled-in folder */
    int busy_ms;
    /* Written by a signal handler or another thread while workers read it:
     * atomic (lock-free for int, so safe in a handler). */
    atomic_int cancelled;
    fp_log_fn log;
    void *log_user;
    fp_progress_fn progress;
    void *progress_user;
    int timing;
    long long source_date;      /* < 0: now */
    char *pause_at;
    char *resume_file;
    int fetch_batch;
    long bulk_rows;
    char *cache_dir;                         /* NULL: no cache */
    char *prepared_dir;                      /* NULL: none (read-only entries made by the build) */
};

fp_context *fp_context_new(void)
{
    fp_context *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->busy_ms = DEFAULT_BUSY_MS;
    c->source_date = -1;
    atomic_init(&c->cancelled, 0);
    return c;
}

void fp_context_free(fp_context *c)
{
    if (!c) return;
    g_free(c->data_dir);
    g_free(c->styles_dir);
    g_free(c->web_dir);
    g_free(c->pause_at);
    g_free(c->resume_file);
    g_free(c->cache_dir);
    g_free(c->prepared_dir);
    free(c);
}

/* NULL and "" both mean the default. */
static void set_dir(char **slot, const char *dir)
{
    g_free(*slot);
    *slot = dir && *dir ? g_strdup(dir) : NULL;
}

void fp_context_set_data_dir(fp_context *c, const char *dir) { set_dir(&c->data_dir, dir); }
void fp_context_set_styles_dir(fp_context *c, const char *dir) { set_dir(&c->styles_dir, dir); }
void fp_context_set_web_dir(fp_context *c, const char *dir) { set_dir(&c->web_dir, dir); }
const char *fp_context_data_dir(const fp_context *c) { return c && c->data_dir ? c->data_dir : FP_DATADIR; }
const char *fp_context_styles_dir(const fp_context *c) { return c && c->styles_dir ? c->styles_dir : FP_STYLEDIR; }
const char *fp_context_web_dir(const fp_context *c) { return c && c->web_dir ? c->web_dir : FP_WEBDIR; }

void fp_context_set_busy_ms(fp_context *c, int ms) { c->busy_ms = ms > 0 ? ms : DEFAULT_BUSY_MS; }
int fp_context_busy_ms(const fp_context *c) { return c ? c->busy_ms : DEFAULT_BUSY_MS; }

void fp_context_cancel(fp_context *c)
{
    if (c) atomic_store_explicit(&c->cancelled, 1, memory_order_relaxed);
}

int fp_context_cancelled(const fp_context *c)
{
    /* Relaxed is enough: a flag polled in loops, guarding no other data. */
    return c ? atomic_load_explicit(&((fp_context *)c)->cancelled, memory_order_relaxed) : 0;
}

void fp_context_set_log(fp_context *c, fp_log_fn fn, void *user)
{
    c->log = fn;
    c->log_user = user;
}

void fp_context_log(const fp_context *c, const char *fmt, ...)
{
    if (!c || !c->log) return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    c->log(line, c->log_user);
}

void fp_context_set_progress(fp_context *c, fp_progress_fn fn, void *user)
{
    c->progress = fn;
    c->progress_user = user;
}

int fp_context_has_progress(const fp_context *c) { return c && c->progress; }

void fp_context_progress(const fp_context *c, long done, double seconds)
{
    if (c && c->progress) c->progress(done, seconds, c->progress_user);
}

void fp_context_set_timing(fp_context *c, int on) { c->timing = on; }
/* Out of range (before 1970, after 9999): the current time. */
void fp_context_set_source_date(fp_context *c, long long epoch)
{
    c->source_date = epoch < 0 || epoch > FP_SOURCE_DATE_MAX ? -1 : epoch;
}
long long fp_context_source_date(const fp_context *c) { return c ? c->source_date : -1; }
int fp_context_timing(const fp_context *c) { return c ? c->timing : 0; }

void fp_context_set_test_pause(fp_context *c, const char *point) { set_dir(&c->pause_at, point); }
void fp_context_set_test_resume_file(fp_context *c, const char *path) { set_dir(&c->resume_file, path); }
void fp_context_set_test_fetch_batch(fp_context *c, int rows) { c->fetch_batch = rows > 0 ? rows : 0; }
int fp_context_test_fetch_batch(const fp_context *c) { return c ? c->fetch_batch : 0; }
void fp_context_set_test_bulk_rows(fp_context *c, long rows) { c->bulk_rows = rows > 0 ? rows : 0; }
long fp_context_test_bulk_rows(const fp_context *c) { return c ? c->bulk_rows : 0; }
void fp_context_set_cache_dir(fp_context *c, const char *dir) { set_dir(&c->cache_dir, dir); }
const char *fp_context_cache_dir(const fp_context *c) { return c ? c->cache_dir : NULL; }
void fp_context_set_prepared_dir(fp_context *c, const char *dir) { set_dir(&c->prepared_dir, dir); }
const char *fp_context_prepared_dir(const fp_context *c) { return c ? c->prepared_dir : NULL; }

void fp_context_pause(const fp_context *c, const char *point)
{
    if (!c || !c->pause_at || strcmp(c->pause_at, point) != 0) return;
    fp_context_log(c, "footprint: paused at %s (pid %d)", point, (int)getpid());
    for (int i = 0; i < 600 && !fp_context_cancelled(c); i++) {
        if (c->resume_file && access(c->resume_file, F_OK) == 0) break;
        g_usleep(100000);
    }
}
