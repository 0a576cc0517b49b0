/* PMTiles v3 archives (tiles -o NAME.pmtiles): the single-file tile format
 * static hosts serve with HTTP Range requests (spec: github.com/protomaps/
 * PMTiles, spec/v3/spec.md). No C library writes PMTiles (the reference
 * writers are Go and Python), so this file does, from the spec:
 *
 *   header (127 bytes) | root directory | metadata | leaf directories | tiles
 *
 * Tiles arrive from the workers in any order. Each distinct tile (by MD5)
 * is appended once to a spool file next to the output; at the end the
 * entries are sorted by Hilbert tile id, tile data is copied in that order
 * (clustered: each blob at its first use), consecutive ids sharing a blob
 * become one run-length entry, and the directories are encoded (varints,
 * delta ids), gzip'd, with leaf directories when the root would pass the
 * spec's 16,257 bytes. The archive is written under a temporary name and
 * renamed into place; --resume is not offered (the archive is one piece). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <zlib.h>
#include "tiles_internal.h"
#include "common/util.h"

#define HEADER_LEN 127
#define ROOT_MAX (16384 - HEADER_LEN)     /* header + root in the first 16 KiB */

typedef struct entry { uint64_t id, offset; uint32_t length, run; } entry;
typedef struct blob { uint64_t spool_offset, offset; uint32_t length; int placed; } blob;

struct fp_pmtiles {
    char *path, *tmp, *spool_path;
    FILE *spool;
    uint64_t spool_len;
    int tile_type, tile_gzip;
    pthread_mutex_t lock;
    GHashTable *blobs;           /* MD5 hex -> blob */
    GArray *tiles;               /* entry (run 1, offset = index into blob list) */
    GPtrArray *blob_list;        /* blob*, in spool order */
    json_t *meta;
    int minzoom, maxzoom, have_zoom;
};

/* ------------------------------------------------------- tile ids --- */

uint64_t fpi_pmtiles_tile_id(int z, uint32_t x, uint32_t y)
{
    /* Tiles of the zooms before z: (4^z - 1) / 3. */
    uint64_t acc = (((uint64_t)1 << (2 * z)) - 1) / 3;
    /* Position on zoom z's Hilbert curve (the spec's reference code). */
    uint64_t tx = x, ty = y;
    for (uint64_t s = z > 0 ? (uint64_t)1 << (z - 1) : 0; s > 0; s >>= 1) {
        uint64_t rx = (tx & s) ? 1 : 0, ry = (ty & s) ? 1 : 0;
        acc += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {                         /* rotate the quadrant */
            if (rx == 1) {
                tx = s - 1 - tx;
                ty = s - 1 - ty;
            }
            uint64_t t = tx;
            tx = ty;
            ty = t;
        }
    }
    return acc;
}

/* ------------------------------------------------------- encoding --- */

static void put_varint(GByteArray *b, uint64_t v)
{
    while (v >= 0x80) {
        guint8 c = (guint8)(v | 0x80);
        g_byte_array_append(b, &c, 1);
        v >>= 7;
    }
    guint8 c = (guint8)v;
    g_byte_array_append(b, &c, 1);
}

/* gzip (RFC 1952), the internal compression the spec and every reader know. */
static GByteArray *gzip_bytes(const guint8 *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return NULL;
    size_t cap = deflateBound(&zs, (uLong)len) + 32;
    GByteArray *out = g_byte_array_sized_new((guint)cap);
    g_byte_array_set_size(out, (guint)cap);
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out->data;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    g_byte_array_set_size(out, (guint)zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        g_byte_array_unref(out);
        return NULL;
    }
    return out;
}

/* Spec A.1: count, delta ids, run lengths, lengths, offsets (0 when
 * contiguous with the previous entry, else offset + 1); then gzip. */
static GByteArray *encode_directory(const entry *e, size_t n)
{
    GByteArray *b = g_byte_array_new();
    put_varint(b, n);
    uint64_t last = 0;
    for (size_t i = 0; i < n; i++) {
        put_varint(b, e[i].id - last);
        last = e[i].id;
    }
    for (size_t i = 0; i < n; i++) put_varint(b, e[i].run);
    for (size_t i = 0; i < n; i++) put_varint(b, e[i].length);
    uint64_t next = 0;
    for (size_t i = 0; i < n; i++) {
        put_varint(b, i > 0 && e[i].offset == next ? 0 : e[i].offset + 1);
        next = e[i].offset + e[i].length;
    }
    GByteArray *z = gzip_bytes(b->data, b->len);
    g_byte_array_unref(b);
    return z;
}

/* The root directory and the leaf directories: everything in the root if it
 * fits, else leaves of `per_leaf` entries (4,096 first, then 20 % more
 * until the root of leaf pointers fits; the Go writer's rule). */
static int build_directories(const entry *e, size_t n, GByteArray **root, GByteArray **leaves)
{
    *leaves = g_byte_array_new();
    *root = encode_directory(e, n);
    if (!*root) return -1;
    if ((*root)->len <= ROOT_MAX) return 0;
    for (size_t per_leaf = 4096;; per_leaf += per_leaf / 5) {
        g_byte_array_unref(*root);
        g_byte_array_set_size(*leaves, 0);
        GArray *ptrs = g_array_new(FALSE, FALSE, sizeof(entry));
        for (size_t i = 0; i < n; i += per_leaf) {
            size_t m = n - i < per_leaf ? n - i : per_leaf;
            GByteArray *leaf = encode_directory(e + i, m);
            if (!leaf) {
                g_array_free(ptrs, TRUE);
                *root = NULL;
                return -1;
            }
            entry p = { e[i].id, (*leaves)->len, leaf->len, 0 };     /* run 0: a leaf */
            g_array_append_val(ptrs, p);
            g_byte_array_append(*leaves, leaf->data, leaf->len);
            g_byte_array_unref(leaf);
        }
        *root = encode_directory((entry *)ptrs->data, ptrs->len);
        g_array_free(ptrs, TRUE);
        if (!*root) return -1;
        if ((*root)->len <= ROOT_MAX) return 0;
    }
}

static void put_u64(guint8 *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (guint8)(v >> (8 * i));
}

static void put_i32(guint8 *p, double deg)
{
    int32_t v = (int32_t)(deg * 1e7 + (deg < 0 ? -0.5 : 0.5));
    uint32_t u = (uint32_t)v;
    for (int i = 0; i < 4; i++) p[i] = (guint8)(u >> (8 * i));
}

/* --------------------------------------------------------- writer --- */

fp_status fpi_pmtiles_open(const char *path, const char *ext, fp_pmtiles **out, fp_error *err)
{
    fp_pmtiles *pm = g_new0(fp_pmtiles, 1);
    pm->path = g_strdup(path);
    fpi_temp_cleanup(path, 0);
    pm->tmp = fpi_temp_path(path);
    char *spool_name = g_strdup_printf("%s.spool", path);
    fpi_temp_cleanup(spool_name, 0);
    pm->spool_path = fpi_temp_path(spool_name);
    g_free(spool_name);
    /* Vector tiles are stored gzip'd, as MBTiles has them and MapLibre's
     * PMTiles protocol expects. */
    pm->tile_type = !strcmp(ext, "pbf") ? 1 : !strcmp(ext, "png") ? 2 : !strcmp(ext, "webp") ? 4 : 0;
    pm->tile_gzip = pm->tile_type == 1;
    pthread_mutex_init(&pm->lock, NULL);
    pm->blobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    pm->blob_list = g_ptr_array_new_with_free_func(g_free);
    pm->tiles = g_array_new(FALSE, FALSE, sizeof(entry));
    pm->meta = json_object();
    pm->spool = fopen(pm->spool_path, "w+b");
    if (!pm->spool) {
        fp_status st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", pm->spool_path, strerror(errno));
        fpi_pmtiles_close(pm, 0, NULL, NULL, NULL);
        *out = NULL;
        return st;
    }
    *out = pm;
    return FP_OK;
}

fp_status fpi_pmtiles_put(fp_pmtiles *pm, int z, int x, int y, const unsigned char *data, size_t len, fp_error *err)
{
    /* The spec wants every length > 0: an empty vector tile is a gzip'd
     * empty stream (20 bytes), which readers inflate back to nothing. */
    GByteArray *zipped = NULL;
    if (pm->tile_gzip) {
        if (!(zipped = gzip_bytes(data, len))) return fp_error_set(err, FP_ERR_NOMEM, "%s: gzip failed", pm->path);
        data = zipped->data;
        len = zipped->len;
    } else if (!len)
        return FP_OK;                          /* no empty raster tiles: nothing to address */
    char *digest = g_compute_checksum_for_data(G_CHECKSUM_MD5, data, len);
    fp_status st = FP_OK;
    pthread_mutex_lock(&pm->lock);
    blob *b = g_hash_table_lookup(pm->blobs, digest);
    if (!b) {
        b = g_new0(blob, 1);
        b->spool_offset = pm->spool_len;
        b->length = (uint32_t)len;
        if (fseeko(pm->spool, (off_t)pm->spool_len, SEEK_SET) != 0 || fwrite(data, 1, len, pm->spool) != len) {
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", pm->spool_path, strerror(errno ? errno : EIO));
            g_free(b);
        } else {
            pm->spool_len += len;
            g_hash_table_insert(pm->blobs, digest, b);
            digest = NULL;
            g_ptr_array_add(pm->blob_list, b);
        }
    }
    if (!st) {
        /* offset holds the blob's index until close() places the data. */
        entry e = { fpi_pmtiles_tile_id(z, (uint32_t)x, (uint32_t)y), 0, 0, 1 };
        e.offset = (uint64_t)(uintptr_t)b;
        g_array_append_val(pm->tiles, e);
    }
    pthread_mutex_unlock(&pm->lock);
    g_free(digest);
    if (zipped) g_byte_array_unref(zipped);
    return st;
}

/* Metadata as TileJSON: numbers and arrays where TileJSON has them, the
 * MBTiles-style `json` value (vector_layers) merged in. */
void fpi_pmtiles_metadata(fp_pmtiles *pm, const char *key, const char *value)
{
    if (!strcmp(key, "minzoom") || !strcmp(key, "maxzoom")) {
        int v = atoi(value);
        if (!strcmp(key, "minzoom")) pm->minzoom = v;
        else pm->maxzoom = v;
        pm->have_zoom = 1;
        json_object_set_new(pm->meta, key, json_integer(v));
    } else if (!strcmp(key, "bounds") || !strcmp(key, "center")) {
        json_t *a = json_array();
        gchar **parts = g_strsplit(value, ",", -1);
        for (int i = 0; parts[i]; i++) json_array_append_new(a, json_real(g_ascii_strtod(parts[i], NULL)));
        g_strfreev(parts);
        json_object_set_new(pm->meta, key, a);
    } else if (!strcmp(key, "json")) {
        json_t *j = json_loads(value, 0, NULL);
        if (json_is_object(j)) json_object_update(pm->meta, j);
        json_decref(j);
    } else
        json_object_set_new(pm->meta, key, json_string(value));
}

static int compare_entries(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static double meta_number(json_t *meta, const char *key, size_t i, double fallback)
{
    json_t *v = json_array_get(json_object_get(meta, key), i);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

/* Writes the archive to pm->tmp; *unique gets the number of distinct tiles. */
/* Writes b whole; an empty array (data may be NULL) writes nothing. */
static int write_bytes(FILE *f, const GByteArray *b)
{
    return b->len == 0 || fwrite(b->data, 1, b->len, f) == b->len;
}

static fp_status write_archive(fp_pmtiles *pm, long *unique, fp_error *err)
{
    GArray *t = pm->tiles;
    g_array_sort(t, compare_entries);
    /* Clustered: blobs in the order of their first tile id. A tile stored
     * twice (never, but cheap to guard) keeps its last data. */
    uint64_t data_len = 0;
    GPtrArray *order = g_ptr_array_new();
    size_t n = 0;
    for (guint i = 0; i < t->len; i++) {
        entry e = g_array_index(t, entry, i);
        blob *b = (blob *)(uintptr_t)e.offset;
        if (!b->placed) {
            b->placed = 1;
            b->offset = data_len;
            data_len += b->length;
            g_ptr_array_add(order, b);
        }
        e.offset = b->offset;
        e.length = b->length;
        entry *prev = n ? &g_array_index(t, entry, n - 1) : NULL;
        if (prev && prev->id == e.id) *prev = e;
        /* Run-length: the next id with the same blob extends the run. */
        else if (prev && prev->id + prev->run == e.id && prev->offset == e.offset) prev->run++;
        else g_array_index(t, entry, n++) = e;
    }
    g_array_set_size(t, n);
    uint64_t addressed = 0;
    for (size_t i = 0; i < n; i++) addressed += g_array_index(t, entry, i).run;

    fp_status st = FP_OK;
    GByteArray *root = NULL, *leaves = NULL, *meta = NULL;
    if (n == 0) st = fp_error_set(err, FP_ERR_STATE, "%s: no tiles to write", pm->path);
    else if (build_directories((entry *)t->data, n, &root, &leaves) != 0)
        st = fp_error_set(err, FP_ERR_NOMEM, "%s: cannot encode the directories", pm->path);
    if (!st) {
        char *text = json_dumps(pm->meta, JSON_COMPACT | JSON_PRESERVE_ORDER);
        meta = text ? gzip_bytes((const guint8 *)text, strlen(text)) : NULL;
        free(text);
        if (!meta) st = fp_error_set(err, FP_ERR_NOMEM, "%s: cannot encode the metadata", pm->path);
    }
    FILE *f = NULL;
    if (!st && !(f = fopen(pm->tmp, "wb"))) st = fp_error_set(err, FP_ERR_IO, "%s: cannot create: %s", pm->tmp, strerror(errno));
    if (!st) {
        guint8 h[HEADER_LEN] = "PMTiles";
        h[7] = 3;
        uint64_t root_off = HEADER_LEN, meta_off = root_off + root->len, leaf_off = meta_off + meta->len,
                 data_off = leaf_off + leaves->len;
        put_u64(h + 8, root_off);
        put_u64(h + 16, root->len);
        put_u64(h + 24, meta_off);
        put_u64(h + 32, meta->len);
        put_u64(h + 40, leaf_off);
        put_u64(h + 48, leaves->len);
        put_u64(h + 56, data_off);
        put_u64(h + 64, data_len);
        put_u64(h + 72, addressed);
        put_u64(h + 80, n);
        put_u64(h + 88, order->len);
        h[96] = 1;                                     /* clustered */
        h[97] = 2;                                     /* directories and metadata: gzip */
        h[98] = pm->tile_gzip ? 2 : 1;
        h[99] = (guint8)pm->tile_type;
        /* Zooms and bounds from the metadata (tiles.c always sets them). */
        int minz = pm->have_zoom ? pm->minzoom : 0, maxz = pm->have_zoom ? pm->maxzoom : 0;
        h[100] = (guint8)minz;
        h[101] = (guint8)maxz;
        put_i32(h + 102, meta_number(pm->meta, "bounds", 0, -180));
        put_i32(h + 106, meta_number(pm->meta, "bounds", 1, -85.0511287798));
        put_i32(h + 110, meta_number(pm->meta, "bounds", 2, 180));
        put_i32(h + 114, meta_number(pm->meta, "bounds", 3, 85.0511287798));
        h[118] = (guint8)meta_number(pm->meta, "center", 2, minz);
        put_i32(h + 119, meta_number(pm->meta, "center", 0, 0));
        put_i32(h + 123, meta_number(pm->meta, "center", 1, 0));
        if (fwrite(h, 1, HEADER_LEN, f) != HEADER_LEN || !write_bytes(f, root) || !write_bytes(f, meta) ||
            !write_bytes(f, leaves))
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", pm->path, strerror(errno ? errno : EIO));
    }
    /* The tile data, copied from the spool in clustered order. */
    guint8 *buf = NULL;
    size_t cap = 0;
    fflush(pm->spool);
    for (guint i = 0; i < order->len && !st; i++) {
        blob *b = g_ptr_array_index(order, i);
        if (b->length > cap) buf = g_realloc(buf, cap = b->length);
        if (pread(fileno(pm->spool), buf, b->length, (off_t)b->spool_offset) != (ssize_t)b->length)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot read back: %s", pm->spool_path, strerror(errno ? errno : EIO));
        else if (fwrite(buf, 1, b->length, f) != b->length)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", pm->path, strerror(errno ? errno : EIO));
    }
    g_free(buf);
    if (f && (fflush(f) != 0 || fsync(fileno(f)) != 0) && !st)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", pm->path, strerror(errno));
    if (f && fclose(f) != 0 && !st) st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", pm->path, strerror(errno));
    if (unique) *unique = (long)order->len;
    g_ptr_array_free(order, TRUE);
    if (root) g_byte_array_unref(root);
    if (leaves) g_byte_array_unref(leaves);
    if (meta) g_byte_array_unref(meta);
    return st;
}

fp_status fpi_pmtiles_close(fp_pmtiles *pm, int commit, long *unique, const fp_context *ctx, fp_error *err)
{
    fp_status st = FP_OK;
    if (unique) *unique = (long)g_hash_table_size(pm->blobs);
    if (commit) {
        st = write_archive(pm, unique, err);
        if (!st) fp_context_pause(ctx, "tiles:swap");
        if (!st && g_rename(pm->tmp, pm->path) != 0)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot rename into place: %s", pm->path, strerror(errno));
    }
    if (pm->spool) fclose(pm->spool);
    g_remove(pm->spool_path);
    g_remove(pm->tmp);                                 /* no-op once renamed */
    pthread_mutex_destroy(&pm->lock);
    g_hash_table_destroy(pm->blobs);
    g_ptr_array_free(pm->blob_list, TRUE);
    g_array_free(pm->tiles, TRUE);
    json_decref(pm->meta);
    g_free(pm->path);
    g_free(pm->tmp);
    g_free(pm->spool_path);
    g_free(pm);
    return st;
}
