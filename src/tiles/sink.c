/* Where tiles go: a z/x/y directory, an MBTiles 1.3 file or a PMTiles v3
 * archive (written by pmtiles.c).
 *
 * Nothing half-written: a run writes into DIR.partial/ or
 * FILE.mbtiles.partial and only a finished run moves it into place, so a
 * killed run leaves the previous output as it was. Each directory tile is
 * written under a temporary name and renamed, and the MBTiles file commits
 * every few hundred tiles, so what an interrupted run wrote is whole and
 * --resume continues from it.
 *
 * MBTiles uses the deduplicating layout of mbutil and tippecanoe: `map`
 * (z, x, row -> tile_id) and `images` (tile_id -> data) behind the `tiles`
 * view the spec asks for, so the thousands of identical open-ocean tiles
 * are stored once. */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>
#include "tiles_internal.h"
#include "common/mbtiles_file.h"
#include "common/util.h"

#define MBTILES_BATCH 500        /* tiles per transaction */

struct fp_tile_sink {
    fp_tile_sink_options o;
    int mbtiles;
    fp_pmtiles *pmtiles;         /* FILE.pmtiles */
    char *target;                /* DIR or FILE.mbtiles */
    char *root;                  /* where tiles are written now */
    char *preview;               /* the preview folder being written */
    char *preview_target;        /* MBTiles: where the preview folder ends up */
    int in_place;                /* resuming straight into DIR */
    pthread_mutex_t lock;
    GHashTable *dirs;            /* z/x folders made */
    GHashTable *digests;         /* distinct tiles (MD5) */
    fp_mbtiles_file *file;       /* FILE.mbtiles.partial */
    long pending;
    int lock_fd;                 /* flock'd DIR/.NAME.lock: one run per output at a time (-1: none) */
    char *lock_path;
};

/* Two runs writing the same output (overlapping cron jobs) removed and
 * renamed each other's .partial: one failed with a confusing message and
 * the other published the loser's temporary folder. A run holds an
 * exclusive flock on a hidden file next to the output for its whole life;
 * a second run is refused at once. The file is removed when the run ends
 * (a third run starting in that instant could take a lock on the removed
 * file: two runs would then overlap, as before this lock). */
static fp_status lock_output(fp_tile_sink *s, fp_error *err)
{
    char *t = g_strdup(s->o.output);
    size_t n = strlen(t);
    while (n > 1 && t[n - 1] == '/') t[--n] = 0;
    char *dir = g_path_get_dirname(t), *base = g_path_get_basename(t);
    s->lock_path = g_strdup_printf("%s/.%s.lock", dir, base);
    g_free(dir);
    g_free(base);
    g_free(t);
    fp_status st = fpi_make_parent_dir(s->lock_path, err);
    if (st) return st;
    s->lock_fd = open(s->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) return fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", s->lock_path, strerror(errno));
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(s->lock_fd);
        s->lock_fd = -1;
        g_free(s->lock_path);
        s->lock_path = NULL;              /* the other run's: not ours to remove */
        if (e == EWOULDBLOCK)
            return fp_error_set(err, FP_ERR_STATE, "%s: another footprint run is writing these tiles; nothing done "
                                "(run it again when that one has finished)", s->o.output);
        return fp_error_set(err, FP_ERR_IO, "%s: cannot lock: %s", s->o.output, strerror(e));
    }
    return FP_OK;
}

/* Moves dir `from` to `to`, replacing `to` only once `from` is in place. */
static int swap_into_place(const char *from, const char *to)
{
    struct stat st;
    if (lstat(to, &st) != 0) return g_rename(from, to);
    char *old = g_strdup_printf("%s.old-%d", to, (int)getpid());
    int rc = g_rename(to, old);
    if (rc == 0 && (rc = g_rename(from, to)) != 0) g_rename(old, to);
    if (rc == 0) fpi_remove_tree(old);
    g_free(old);
    return rc;
}

/* The preview folder into place. An empty one (--no-preview wrote nothing
 * there) is removed instead, and so is an earlier NAME.preview/: its
 * tiles.json and page describe the tiles this run replaced. */
static int preview_into_place(const char *from, const char *to)
{
    if (g_rmdir(from) == 0) {                  /* rmdir takes only an empty folder */
        fpi_remove_tree(to);
        return 0;
    }
    return swap_into_place(from, to);
}

static void add_digest(const char *digest, void *user)
{
    g_hash_table_add(user, g_strdup(digest));
}

static fp_status open_mbtiles(fp_tile_sink *s, fp_error *err)
{
    char *partial = g_strdup_printf("%s.partial", s->target);
    s->root = partial;
    /* NAME.mbtiles -> NAME.preview/ (not NAME/: that could be someone's
     * tile directory, which the swap would replace). */
    char *base = g_strndup(s->target, strlen(s->target) - strlen(".mbtiles"));
    if (s->pmtiles) {                        /* NAME.pmtiles: the same preview folder */
        s->preview_target = g_strdup_printf("%s.preview", base);
        s->preview = g_strdup_printf("%s.preview.partial", base);
        g_free(base);
        fpi_remove_tree(s->preview);
        if (g_mkdir_with_parents(s->preview, 0755) != 0)
            return fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", s->preview, strerror(errno));
        return FP_OK;
    }
    s->preview_target = g_strdup_printf("%s.preview", base);
    s->preview = g_strdup_printf("%s.preview.partial", base);
    g_free(base);
    if (!s->o.resume) {
        remove(partial);
        char *j = g_strdup_printf("%s-journal", partial);
        remove(j);
        g_free(j);
    }
    if (!s->o.resume || !g_file_test(s->preview, G_FILE_TEST_IS_DIR)) fpi_remove_tree(s->preview);
    if (g_mkdir_with_parents(s->preview, 0755) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", s->preview, strerror(errno));
    fp_status st = fpi_mbtiles_file_create(partial, s->target, &s->file, err);
    if (st) return st;
    /* Tiles already stored by the interrupted run count as distinct ones. */
    fpi_mbtiles_file_each_digest(s->file, add_digest, s->digests);
    return FP_OK;
}

static int remove_temporary(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    const char *name = path + ftw->base;
    if (flag == FTW_F && name[0] == '.' && strstr(name, ".tmp-")) remove(path);
    return 0;
}

static fp_status open_directory(fp_tile_sink *s, fp_error *err)
{
    char *partial = g_strdup_printf("%s", s->target);
    size_t n = strlen(partial);
    while (n > 1 && partial[n - 1] == '/') partial[--n] = 0;   /* "out/tiles/" -> "out/tiles" */
    g_free(s->target);
    s->target = partial;
    s->root = g_strdup_printf("%s.partial", s->target);
    if (s->o.resume && !g_file_test(s->root, G_FILE_TEST_IS_DIR) && g_file_test(s->target, G_FILE_TEST_IS_DIR)) {
        /* Nothing interrupted: add the missing tiles to DIR itself, each
         * written whole (temporary name + rename). */
        g_free(s->root);
        s->root = g_strdup(s->target);
        s->in_place = 1;
    } else if (!s->o.resume) {
        fpi_remove_tree(s->root);
    }
    if (g_mkdir_with_parents(s->root, 0755) != 0)
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", s->root, strerror(errno));
    /* A killed run may have left a tile half-written under its temporary name. */
    if (s->o.resume) nftw(s->root, remove_temporary, 16, FTW_PHYS);
    s->preview = g_strdup(s->root);
    return FP_OK;
}

fp_status fpi_tile_sink_open(const fp_tile_sink_options *o, fp_tile_sink **out, fp_error *err)
{
    fp_tile_sink *s = g_new0(fp_tile_sink, 1);
    s->o = *o;
    s->target = g_strdup(o->output);
    s->mbtiles = g_str_has_suffix(o->output, ".mbtiles");
    pthread_mutex_init(&s->lock, NULL);
    s->dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->digests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->lock_fd = -1;
    fp_status st = lock_output(s, err);
    if (st) {
        fpi_tile_sink_close(s, 0, NULL, NULL);
        *out = NULL;
        return st;
    }
    if (g_str_has_suffix(o->output, ".pmtiles")) {
        st = fpi_pmtiles_open(o->output, o->ext, &s->pmtiles, err);
        if (!st) st = open_mbtiles(s, err);                  /* its preview folder only */
    } else st = s->mbtiles ? open_mbtiles(s, err) : open_directory(s, err);
    if (st) {
        fpi_tile_sink_close(s, 0, NULL, NULL);
        *out = NULL;
        return st;
    }
    *out = s;
    return FP_OK;
}

static char *tile_path(const fp_tile_sink *s, int z, int x, int y)
{
    int row = s->o.tms ? (1 << z) - 1 - y : y;
    return g_strdup_printf("%s/%d/%d/%d.%s", s->root, z, x, row, s->o.ext);
}

int fpi_tile_sink_has(fp_tile_sink *s, int z, int x, int y)
{
    int found = 0;
    if (s->mbtiles) {
        pthread_mutex_lock(&s->lock);
        found = fpi_mbtiles_file_has(s->file, z, x, (1 << z) - 1 - y);   /* MBTiles rows count from the south */
        pthread_mutex_unlock(&s->lock);
    } else {
        char *p = tile_path(s, z, x, y);
        found = g_file_test(p, G_FILE_TEST_IS_REGULAR);
        g_free(p);
    }
    return found;
}

/* gzip (RFC 1952) of a vector tile, as the MBTiles spec asks for pbf. */
static unsigned char *gzip_bytes(const unsigned char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&zs, (uLong)len) + 32;
    unsigned char *out = g_malloc(cap);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    *out_len = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        g_free(out);
        return NULL;
    }
    return out;
}

fp_status fpi_tile_sink_put(fp_tile_sink *s, int z, int x, int y, const unsigned char *data, size_t len, fp_error *err)
{
    if (s->pmtiles) return fpi_pmtiles_put(s->pmtiles, z, x, y, data, len, err);
    unsigned char *zipped = NULL;
    /* An empty vector tile too: a 20-byte gzip stream, as PMTiles stores
     * it, not 0 bytes, which no reader takes for gzip'd pbf. */
    if (s->mbtiles && s->o.gzip) {
        zipped = gzip_bytes(data, len, &len);
        if (!zipped) return fp_error_set(err, FP_ERR_NOMEM, "%s: gzip failed", s->target);
        data = zipped;
    }
    char *digest = g_compute_checksum_for_data(G_CHECKSUM_MD5, data, len);
    fp_status st = FP_OK;
    if (s->mbtiles) {
        pthread_mutex_lock(&s->lock);
        st = fpi_mbtiles_file_put(s->file, z, x, (1 << z) - 1 - y, data, len, digest, err);
        if (!st && ++s->pending >= MBTILES_BATCH) {
            s->pending = 0;
            st = fpi_mbtiles_file_checkpoint(s->file, err);
        }
        if (!st && !g_hash_table_contains(s->digests, digest)) g_hash_table_add(s->digests, g_strdup(digest));
        pthread_mutex_unlock(&s->lock);
    } else {
        int row = s->o.tms ? (1 << z) - 1 - y : y;
        char *dir = g_strdup_printf("%s/%d/%d", s->root, z, x);
        pthread_mutex_lock(&s->lock);
        if (!g_hash_table_contains(s->dirs, dir)) {
            if (g_mkdir_with_parents(dir, 0755) != 0)
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", dir, strerror(errno));
            else g_hash_table_add(s->dirs, g_strdup(dir));
        }
        if (!g_hash_table_contains(s->digests, digest)) g_hash_table_add(s->digests, g_strdup(digest));
        pthread_mutex_unlock(&s->lock);
        if (!st) {
            char *path = g_strdup_printf("%s/%d.%s", dir, row, s->o.ext);
            char *tmp = g_strdup_printf("%s/.%d.%s.tmp-%lx", dir, row, s->o.ext, (unsigned long)pthread_self());
            FILE *f = fopen(tmp, "wb");
            int ok = f && fwrite(data, 1, len, f) == len;
            if (f && fclose(f) != 0) ok = 0;
            if (!ok || g_rename(tmp, path) != 0) {
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", path, strerror(errno ? errno : EIO));
                g_remove(tmp);
            }
            g_free(path);
            g_free(tmp);
        }
        g_free(dir);
    }
    g_free(digest);
    g_free(zipped);
    return st;
}

const char *fpi_tile_sink_preview_dir(const fp_tile_sink *s)
{
    return s->preview;
}

fp_status fpi_tile_sink_metadata(fp_tile_sink *s, const char *key, const char *value, fp_error *err)
{
    if (s->pmtiles) {
        fpi_pmtiles_metadata(s->pmtiles, key, value);
        return FP_OK;
    }
    if (!s->mbtiles) return FP_OK;
    pthread_mutex_lock(&s->lock);
    fp_status st = fpi_mbtiles_file_set_metadata(s->file, key, value, err);
    pthread_mutex_unlock(&s->lock);
    return st;
}

fp_status fpi_tile_sink_close(fp_tile_sink *s, int commit, long *unique, fp_error *err)
{
    fp_status st = FP_OK;
    if (unique) *unique = (long)g_hash_table_size(s->digests);
    if (s->file) {
        /* Even an interrupted run keeps what it wrote, for --resume. */
        st = fpi_mbtiles_file_close(s->file, commit, err);
        s->file = NULL;
    }
    if (s->pmtiles) {
        st = fpi_pmtiles_close(s->pmtiles, commit, unique, s->o.ctx, err);
        if (commit && !st && preview_into_place(s->preview, s->preview_target) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", s->preview_target, strerror(errno));
    } else if (commit && !st) {
        if (s->mbtiles) {
            fp_context_pause(s->o.ctx, "tiles:swap");
            if (g_rename(s->root, s->target) != 0)
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", s->target, strerror(errno));
            else if (preview_into_place(s->preview, s->preview_target) != 0)
                st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", s->preview_target, strerror(errno));
        } else if (!s->in_place && swap_into_place(s->root, s->target) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", s->target, strerror(errno));
    }
    if (s->lock_fd >= 0) {
        if (s->lock_path) remove(s->lock_path);
        close(s->lock_fd);
    }
    g_free(s->lock_path);
    pthread_mutex_destroy(&s->lock);
    g_hash_table_destroy(s->dirs);
    g_hash_table_destroy(s->digests);
    g_free(s->target);
    g_free(s->root);
    g_free(s->preview);
    g_free(s->preview_target);
    g_free(s);
    return st;
}
