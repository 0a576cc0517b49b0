/*
 * The preview server: one thread, non-blocking sockets, a poll() loop.
 *
 * Browsers open about six connections per origin and a map view asks for
 * dozens of tiles at once; every request here is answered from a local
 * file or one SQLite lookup, so a single thread keeps up and needs no
 * locks. Each connection is a small state machine:
 *
 *   READ    collecting a request head (at most FP_HTTP_MAX_HEAD bytes,
 *           within IDLE_TIMEOUT of the previous response or of accept)
 *   WRITE   sending the response head, then the body (from memory or,
 *           for files, read in chunks as the socket takes them)
 *   LINGER  after a response that ends the connection: our side is shut
 *           down and what the client still sends is read and dropped for
 *           a moment, so that closing with unread data does not reset the
 *           connection before the client has read our answer (a 431 or
 *           405 sent while the client is still sending, for example)
 *
 * poll() wakes at least every POLL_MS, and a signal interrupts it (the
 * CLI's handler is installed without SA_RESTART), so SIGINT/SIGTERM stop
 * the server promptly: the context's cancel flag is checked on every turn.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib.h>
#include <jansson.h>
#include "fp_version.h"
#include "common/util.h"
#include "common/json_util.h"
#include "serve/serve_internal.h"

#define MAX_CONNS 128
#define MAX_PER_PEER 32          /* connections of one address; a browser opens about six */
#define POLL_MS 200
#define IDLE_TIMEOUT 10.0        /* seconds for a whole request head to arrive */
#define WRITE_TIMEOUT 30.0       /* seconds without any progress sending */
#define LINGER_TIMEOUT 2.0
#define LINGER_MAX (1 << 20)     /* bytes dropped while lingering */
#define OUT_HEAD_SIZE 8192       /* response head; a Location may be 3x a 2 KiB path */
#define CHUNK (64 * 1024)
#define MAX_MBTILES 8            /* open MBTiles files kept */
#define MAX_GUNZIP (32u << 20)   /* largest vector tile inflated for a client without gzip */

#define CACHE_TILES "public, max-age=3600"
#define CACHE_NONE "no-cache"

enum conn_state { CONN_READ, CONN_WRITE, CONN_LINGER };

typedef struct conn {
    int fd;
    enum conn_state state;
    double deadline;
    char peer[INET6_ADDRSTRLEN];
    char in[FP_HTTP_MAX_HEAD];
    size_t in_len;
    /* The response being sent. */
    char head[OUT_HEAD_SIZE];
    size_t head_len, head_sent;
    unsigned char *body;     /* malloc'd, or NULL */
    size_t body_len, body_sent;
    int file;                /* -1 when the body is not a file */
    int cors;                /* the response may be read by pages of any origin (map data) */
    unsigned long turn;      /* the poll turn it was accepted in */
    off_t file_off, file_end;
    int close_after;
    size_t lingered;
    /* For the access log. */
    char log_method[8];
    char log_path[2048];
    int status;
    unsigned long long body_bytes_sent;
} conn;

typedef struct open_tiles {
    fp_mbtiles *mb;
    char path[PATH_MAX];     /* realpath of the file */
    dev_t dev;               /* to notice the file being replaced */
    ino_t ino;
    time_t mtime;
    unsigned long last_used;
} open_tiles;

typedef struct server {
    const fp_serve_options *opts;
    int listen_fd;
    double accept_pause_until;  /* out of file descriptors: retry accept() later */
    char root[PATH_MAX];        /* realpath of the static folder; "" when there is none */
    char tiles_file[PATH_MAX];  /* realpath of the FILE.mbtiles served at /tiles/; "" when serving a folder */
    char pmtiles_file[PATH_MAX];   /* realpath of the FILE.pmtiles served (with ranges) at pmtiles_url */
    char pmtiles_url[PATH_MAX + 2];   /* "/FILE.pmtiles": where the preview in FILE.preview/ finds it */
    int loopback;               /* listening on 127.0.0.1 / ::1 only: Host must name it too */
    open_tiles tiles[MAX_MBTILES];
    unsigned long tick;
    unsigned long turn;         /* poll turns: a connection accepted in this one is not shed */
    conn *conns[MAX_CONNS];
    int nconns;
    struct pollfd pfd[MAX_CONNS + 1];
    conn *pconn[MAX_CONNS + 1];
    unsigned char scratch[CHUNK];
} server;

/* --------------------------------------------------------- responses --- */

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

static void head_add(conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void head_add(conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof c->head - c->head_len;
    int n = vsnprintf(c->head + c->head_len, room, fmt, ap);
    va_end(ap);
    /* Cannot happen with the sizes used; a cut head is still terminated
     * below, and the client sees a broken response rather than garbage. */
    if (n < 0 || (size_t)n >= room) c->head_len = sizeof c->head - 5;
    else c->head_len += (size_t)n;
}

/* Starts a response: status line and the fields every response carries. */
static void head_begin(conn *c, int status, int keep_alive, int version_minor)
{
    char date[40];
    fpi_http_date(time(NULL), date);
    c->status = status;
    c->close_after = !keep_alive;
    c->head_len = c->head_sent = 0;
    head_add(c, "HTTP/1.1 %d %s\r\nServer: footprint/%s\r\nDate: %s\r\n", status, reason(status), fp_version(),
             date);
    /* Tiles and layers are meant to be loaded by pages of other origins
     * (a web map under development on another port), so any origin may
     * read them; nothing else (a store, a CSV, the pages): with the header
     * on every response, any web site an analyst visited could read the
     * folder's footprint.sqlite from 127.0.0.1 (the security reviewer's
     * finding 5). See map_data(). */
    if (c->cors) {
        head_add(c, "Access-Control-Allow-Origin: *\r\n");
        /* Without it a page of another origin cannot read these (a PMTiles
         * reader checks ETag and Content-Range). */
        head_add(c, "Access-Control-Expose-Headers: ETag, Content-Range, Content-Length, Accept-Ranges, Last-Modified\r\n");
    }
    head_add(c, "X-Content-Type-Options: nosniff\r\n");
    if (!keep_alive) head_add(c, "Connection: close\r\n");
    else if (version_minor == 0) head_add(c, "Connection: keep-alive\r\n");
}

static void head_end(conn *c)
{
    if (c->head_len > sizeof c->head - 5) c->head_len = sizeof c->head - 5;
    memcpy(c->head + c->head_len, "\r\n", 2);
    c->head_len += 2;
}

/* A small text/plain response for errors and redirects. */
static void respond_status(conn *c, int status, int keep_alive, const fp_http_request *req, const char *extra)
{
    char text[96];
    int n = snprintf(text, sizeof text, "%d %s\n", status, reason(status));
    head_begin(c, status, keep_alive, req->version_minor);
    head_add(c, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nCache-Control: " CACHE_NONE "\r\n", n);
    if (status == 405) head_add(c, "Allow: GET, HEAD, OPTIONS\r\n");
    if (extra) head_add(c, "%s", extra);
    head_end(c);
    if (strcmp(req->method, "HEAD") != 0) {
        c->body = malloc((size_t)n);
        if (c->body) {
            memcpy(c->body, text, (size_t)n);
            c->body_len = (size_t)n;
        } else {
            c->close_after = 1; /* the promised length cannot be sent */
        }
    }
}

/* The redirect from a folder path to the same path with a final '/'. The
 * path is percent-encoded again: it was decoded, and may hold anything.
 * Leading slashes are one: "//host/x/" in a Location is another site's
 * address (protocol-relative), an open redirect from a request for //host/x. */
static void respond_redirect(conn *c, const fp_http_request *req)
{
    char loc[3 * sizeof req->path + sizeof req->query + 32];
    size_t o = 0;
    o += (size_t)snprintf(loc, sizeof loc, "Location: ");
    const unsigned char *start = (const unsigned char *)req->path;
    while (start[0] == '/' && start[1] == '/') start++;
    for (const unsigned char *p = start; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("/-._~!$&'()*+,;=:@", *p))
            loc[o++] = (char)*p;
        else
            o += (size_t)snprintf(loc + o, sizeof loc - o, "%%%02X", *p);
    }
    /* The query goes along (a page's parameters, e.g. a preview's ?z=4):
     * it is visible ASCII only (fp_http_request.query), so it cannot
     * break the header line. */
    snprintf(loc + o, sizeof loc - o, "/%s%s\r\n", req->query[0] ? "?" : "", req->query);
    respond_status(c, 301, req->keep_alive, req, loc);
}

/* Whether the client's cached copy is still good (RFC 9110 13.2.2:
 * If-None-Match, when present, takes precedence over If-Modified-Since).
 * The date is compared as a string: browsers send back exactly the
 * Last-Modified they got, and an inexact match merely costs a full reply. */
static int not_modified(const fp_http_request *req, const char *etag, const char *last_modified)
{
    if (req->if_none_match[0]) return fpi_http_etag_match(req->if_none_match, etag);
    if (req->if_modified_since[0]) return strcmp(req->if_modified_since, last_modified) == 0;
    return 0;
}

static int is_gzip(const unsigned char *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* FNV-1a over the bytes: a content-derived entity tag for tiles. */
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

/* Sends a body held in memory (taking ownership of data): tiles from
 * MBTiles, and inflated vector tiles. gzip_blob marks a vector tile stored
 * gzip-compressed: sent as such with Content-Encoding when the client
 * accepts gzip (browsers always do), inflated otherwise. */
static void respond_blob(conn *c, const fp_http_request *req, unsigned char *data, size_t len, const char *type,
                         const char *cache, time_t mtime, int gzip_blob)
{
    int inflated = 0;
    if (gzip_blob && !req->accept_gzip) {
        unsigned char *plain;
        size_t plain_len;
        if (fpi_gunzip(data, len, MAX_GUNZIP, &plain, &plain_len) == 0) {
            free(data);
            data = plain;
            len = plain_len;
            inflated = 1;
        }
        /* If it does not inflate, it goes out as it is, labelled gzip. */
    }
    int encoded = gzip_blob && !inflated;
    char etag[64], lm[40];
    /* Distinct tags for the two encodings: they are different representations. */
    snprintf(etag, sizeof etag, "\"t%016llx-%zx%s\"", (unsigned long long)fnv1a(data, len), len,
             encoded ? "-gz" : "");
    fpi_http_date(mtime, lm);
    if (not_modified(req, etag, lm)) {
        free(data);
        head_begin(c, 304, req->keep_alive, req->version_minor);
        head_add(c, "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n", etag, lm, cache);
        if (gzip_blob) head_add(c, "Vary: Accept-Encoding\r\n");
        head_end(c);
        return;
    }
    head_begin(c, 200, req->keep_alive, req->version_minor);
    head_add(c, "Content-Type: %s\r\nContent-Length: %zu\r\nETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n",
             type, len, etag, lm, cache);
    if (encoded) head_add(c, "Content-Encoding: gzip\r\n");
    if (gzip_blob) head_add(c, "Vary: Accept-Encoding\r\n");
    head_end(c);
    if (strcmp(req->method, "HEAD") == 0) {
        free(data);
        return;
    }
    c->body = data;
    c->body_len = len;
}

/* Reads a whole (small) file into memory: a gzip'd vector tile for a
 * client that does not take gzip. */
static unsigned char *slurp(int fd, size_t size)
{
    unsigned char *p = malloc(size ? size : 1);
    if (!p) return NULL;
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(fd, p + got, size - got, (off_t)got);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            free(p);
            return NULL;
        }
        got += (size_t)r;
    }
    return p;
}

/* Cached for a while: tiles (anything under z/x/y) and the preview's
 * libraries; everything else (html, json, layers) is revalidated. */
static const char *cache_policy(const char *path)
{
    int z, x, y;
    char prefix[sizeof ((fp_http_request *)0)->path], ext[8];
    if (strstr(path, "/lib/")) return CACHE_TILES;
    if (fpi_serve_tile_address(path, prefix, sizeof prefix, &z, &x, &y, ext)) return CACHE_TILES;
    return CACHE_NONE;
}

/* The Range field (RFC 9110 14.2) for a file of size bytes: 0 to send the
 * whole file (no Range, several ranges: allowed to be ignored, and
 * PMTiles readers ask for one at a time; or another unit than bytes), 1
 * with [*first, *last] for one satisfiable range (206), -1 for 416: a
 * range past the end or a malformed one. */
static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int parse_range(const char *v, off_t size, off_t *first, off_t *last)
{
    if (!v[0]) return 0;
    /* Another unit ("items=0-1"): ignored, the whole file (RFC 9110 14.2:
     * a server MUST ignore a range unit it does not understand). */
    if (strncasecmp(v, "bytes=", 6) != 0) return 0;
    const char *p = v + 6;
    while (*p == ' ' || *p == '\t') p++;
    if (strchr(p, ',')) return 0;
    char *end;
    errno = 0;
    if (*p == '-') {                                   /* the last N bytes */
        if (!is_digit(p[1])) return -1;
        unsigned long long n = strtoull(p + 1, &end, 10);
        if (errno || *end || n == 0 || size == 0) return -1;
        *first = (off_t)n >= size ? 0 : size - (off_t)n;
        *last = size - 1;
        return 1;
    }
    if (!is_digit(*p)) return -1;
    unsigned long long a = strtoull(p, &end, 10);
    if (errno || *end != '-') return -1;
    p = end + 1;
    unsigned long long b = (unsigned long long)size - 1;
    if (*p) {
        if (!is_digit(*p)) return -1;
        b = strtoull(p, &end, 10);
        if (errno || *end || b < a) return -1;
    }
    if (a >= (unsigned long long)size) return -1;
    *first = (off_t)a;
    *last = b >= (unsigned long long)size ? size - 1 : (off_t)b;
    return 1;
}

/* A relative URL made absolute against base ("http://HOST/dir/"): one
 * with a scheme ("https:") or a leading '/' is left as is. A pmtiles://
 * URL whose archive is relative ("pmtiles://../v.pmtiles/{z}/{x}/{y}",
 * as `tiles` writes it) gets an absolute archive: the pmtiles library
 * resolves it against the page that loads it, not against the JSON, so
 * any page but the preview asked its own server for ../v.pmtiles. */
static void absolute_url(json_t *holder, const char *key, size_t index, const char *base)
{
    json_t *v = key ? json_object_get(holder, key) : json_array_get(holder, index);
    const char *u = json_string_value(v);
    if (!u || !*u) return;
    const char *pm = "pmtiles://";
    int pmtiles = !strncmp(u, pm, strlen(pm));
    const char *rel = pmtiles ? u + strlen(pm) : u;
    if (!*rel || rel[0] == '/' || strstr(rel, "://") || (!pmtiles && strchr(rel, ':'))) return;
    /* GLib resolves it as RFC 3986 says (dot segments removed). */
    char *resolved = g_uri_resolve_relative(base, rel, G_URI_FLAGS_NONE, NULL);
    if (!resolved) return;
    char *abs = g_strconcat(pmtiles ? pm : "", resolved, NULL);
    g_free(resolved);
    if (key) json_object_set_new(holder, key, json_string(abs));
    else json_array_set_new(holder, index, json_string(abs));
    g_free(abs);
}

static void absolute_urls(json_t *o, const char *base)
{
    absolute_url(o, "url", 0, base);
    json_t *tiles = json_object_get(o, "tiles");
    for (size_t i = 0; i < json_array_size(tiles); i++) absolute_url(tiles, NULL, i, base);
}

/* The tiles' tiles.json and style.json with absolute URLs: TileJSON 3.0.0
 * says its endpoints MUST be absolute, and MapLibre and OpenLayers resolve
 * a relative one against the page, not the file (a page elsewhere asked
 * for /1/0/0.pbf). The files on disk keep relative URLs (they cannot know
 * where they will be hosted; `tiles --base-url` writes absolute ones); serve
 * knows its own address from the request's Host. 0 when not rewritten
 * (another file, no Host, not JSON): the file goes out as it is. */
static int respond_absolute_json(conn *c, const fp_http_request *req, const char *real)
{
    const char *name = strrchr(real, '/');
    name = name ? name + 1 : real;
    if ((strcmp(name, "tiles.json") && strcmp(name, "style.json")) || !req->host[0]) return 0;
    json_t *root = json_load_file(real, 0, NULL);
    if (!json_is_object(root)) { json_decref(root); return 0; }
    /* The folder of the request's path, the path's own bytes escaped where
     * a URL needs it. */
    const char *slash = strrchr(req->path, '/');
    char *dir = g_strndup(req->path, (gsize)(slash - req->path) + 1);
    char *dir_escaped = g_uri_escape_string(dir, "/", FALSE);
    /* https behind a TLS proxy that says so (else an https page would
     * refuse the http URLs as mixed content). */
    char *base = g_strconcat(req->forwarded_https ? "https://" : "http://", req->host, dir_escaped, NULL);
    if (!strcmp(name, "tiles.json")) absolute_urls(root, base);
    else {
        const char *k;
        json_t *src;
        json_object_foreach(json_object_get(root, "sources"), k, src) absolute_urls(src, base);
        absolute_url(root, "sprite", 0, base);
        absolute_url(root, "glyphs", 0, base);
    }
    char *text = fpi_json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    g_free(dir);
    g_free(dir_escaped);
    g_free(base);
    if (!text) return 0;
    struct stat st;
    time_t mtime = stat(real, &st) == 0 ? st.st_mtime : time(NULL);
    size_t len = strlen(text);
    unsigned char *data = malloc(len ? len : 1);
    if (!data) { free(text); return 0; }
    memcpy(data, text, len);
    free(text);
    respond_blob(c, req, data, len, "application/json", CACHE_NONE, mtime, 0);
    return 1;
}

static void respond_file(conn *c, const fp_http_request *req, const char *real)
{
    /* O_NONBLOCK: should a FIFO be swapped in since the check, open() must
     * not hang the server; fstat() below refuses it anyway. */
    int fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int status = fd < 0 && errno == EACCES ? 403 : 404;
        if (fd >= 0) close(fd);
        respond_status(c, status, req->keep_alive, req, NULL);
        return;
    }
    const char *type = fpi_http_content_type(real);
    const char *cache = cache_policy(req->path);

    /* A vector tile file may be gzip-compressed (as MBTiles store them);
     * it is then labelled so, exactly like a tile from an MBTiles file. */
    if (strcmp(type, FP_MVT_TYPE) == 0 && st.st_size >= 2) {
        unsigned char magic[2];
        if (pread(fd, magic, 2, 0) == 2 && is_gzip(magic, 2) && (uintmax_t)st.st_size <= MAX_GUNZIP) {
            unsigned char *data = slurp(fd, (size_t)st.st_size);
            close(fd);
            if (!data) {
                respond_status(c, 500, 0, req, NULL);
                return;
            }
            respond_blob(c, req, data, (size_t)st.st_size, type, cache, st.st_mtime, 1);
            return;
        }
    }

    char etag[64], lm[40];
    snprintf(etag, sizeof etag, "\"%jx-%jx\"", (uintmax_t)st.st_size,
             (uintmax_t)st.st_mtim.tv_sec * 1000000000u + (uintmax_t)st.st_mtim.tv_nsec);
    fpi_http_date(st.st_mtime, lm);
    if (not_modified(req, etag, lm)) {
        close(fd);
        head_begin(c, 304, req->keep_alive, req->version_minor);
        head_add(c, "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n", etag, lm, cache);
        head_end(c);
        return;
    }
    /* Byte ranges of any plain file (PMTiles archives are read so). */
    off_t first = 0, last = st.st_size - 1;
    int ranged = parse_range(req->range, st.st_size, &first, &last);
    if (ranged < 0) {
        close(fd);
        head_begin(c, 416, req->keep_alive, req->version_minor);
        head_add(c, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 0\r\nContent-Range: bytes */%jd\r\n"
                    "Accept-Ranges: bytes\r\nCache-Control: " CACHE_NONE "\r\n", (intmax_t)st.st_size);
        head_end(c);
        return;
    }
    head_begin(c, ranged ? 206 : 200, req->keep_alive, req->version_minor);
    head_add(c, "Content-Type: %s\r\nContent-Length: %jd\r\nETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n"
                "Accept-Ranges: bytes\r\n",
             type, (intmax_t)(last - first + 1), etag, lm, cache);
    if (ranged) head_add(c, "Content-Range: bytes %jd-%jd/%jd\r\n", (intmax_t)first, (intmax_t)last, (intmax_t)st.st_size);
    head_end(c);
    if (strcmp(req->method, "HEAD") == 0 || st.st_size == 0) {
        close(fd);
        return;
    }
    c->file = fd;
    c->file_off = first;
    c->file_end = last + 1;
}

/* The open MBTiles file at path (a realpath), opening it (or reopening it,
 * if the file was replaced) as needed. NULL on failure, with err set. */
static open_tiles *get_tiles(server *s, const char *path, fp_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fp_error_set(err, FP_ERR_IO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    open_tiles *slot = NULL;
    for (int i = 0; i < MAX_MBTILES && !slot; i++)
        if (s->tiles[i].mb && strcmp(s->tiles[i].path, path) == 0) slot = &s->tiles[i];
    if (slot && (slot->dev != st.st_dev || slot->ino != st.st_ino)) {
        fpi_mbtiles_close(slot->mb); /* replaced by a new file: reopen */
        slot->mb = NULL;
    }
    if (!slot) {
        /* A free slot, or else the least recently used one. */
        slot = &s->tiles[0];
        for (int i = 0; i < MAX_MBTILES; i++) {
            open_tiles *t = &s->tiles[i];
            if (!t->mb) { slot = t; break; }
            if (t->last_used < slot->last_used) slot = t;
        }
        fpi_mbtiles_close(slot->mb);
        slot->mb = NULL;
    }
    if (!slot->mb) {
        if (fpi_mbtiles_open(path, &slot->mb, err) != FP_OK) return NULL;
        snprintf(slot->path, sizeof slot->path, "%s", path);
        slot->dev = st.st_dev;
        slot->ino = st.st_ino;
    }
    slot->mtime = st.st_mtime;
    slot->last_used = ++s->tick;
    return slot;
}

static void respond_tile(server *s, conn *c, const fp_http_request *req, const char *mbtiles, int z, int x, int y,
                         const char *ext)
{
    fp_error err = { 0 };
    open_tiles *t = get_tiles(s, mbtiles, &err);
    unsigned char *data = NULL;
    size_t len = 0;
    if (!t || fpi_mbtiles_get(t->mb, z, x, y, &data, &len, &err) != FP_OK) {
        /* An error, not an access-log line: shown even with --quiet. */
        if (s->opts->log) {
            char line[sizeof err.message + 32];
            snprintf(line, sizeof line, "footprint: serve: %s", err.message);
            s->opts->log(line, s->opts->user);
        }
        respond_status(c, 500, req->keep_alive, req, NULL);
        return;
    }
    if (!data) {
        respond_status(c, 404, req->keep_alive, req, NULL);
        return;
    }
    /* The content type from the bytes themselves, so that a tile is
     * labelled right whatever extension the URL used; what is not an image
     * is a vector tile. */
    const char *type;
    const char *fmt = fpi_mbtiles_format(t->mb);
    if (len >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) type = "image/png";
    else if (len >= 3 && memcmp(data, "\xff\xd8\xff", 3) == 0) type = "image/jpeg";
    else if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) type = "image/webp";
    else if (is_gzip(data, len) || !strcmp(fmt, "pbf") || !strcmp(ext, "pbf") || !strcmp(ext, "mvt")) type = FP_MVT_TYPE;
    else {
        char name[16];
        snprintf(name, sizeof name, "t.%s", ext);
        type = fpi_http_content_type(name);
    }
    int gz = strcmp(type, FP_MVT_TYPE) == 0 && is_gzip(data, len);
    respond_blob(c, req, data, len, type, CACHE_TILES, t->mtime, gz);
}

/* What a web map of another origin loads: tiles, TileJSON and styles,
 * GeoJSON layers, PMTiles archives, glyphs and sprites. */
static int map_data(const char *path, int is_tile)
{
    static const char *const exts[] = { ".json", ".geojson", ".topojson", ".fgb", ".kml", ".pbf", ".mvt", ".pmtiles",
                                        ".png", ".webp", ".jpg", ".jpeg", NULL };
    if (is_tile) return 1;
    size_t n = strlen(path);
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !g_ascii_strcasecmp(path + n - e, exts[i])) return 1;
    }
    return 0;
}

/* On a loopback listener, a Host other than the loopback's own is a page
 * of some web site whose name was made to point at 127.0.0.1 (DNS
 * rebinding): to the browser it is that site's own origin. */
static int host_allowed(const server *s, const fp_http_request *req)
{
    if (!s->loopback) return 1;
    /* A Host that is no plain host[:port] (an underscore, 256 bytes) was
     * read as none; HTTP/1.1 requires one, HTTP/1.0 may omit it. */
    if (req->host_invalid || (!req->host[0] && req->version_minor >= 1)) return 0;
    const char *host = req->host;
    if (!host[0]) return 1;
    const char *end = host[0] == '[' ? strchr(host, ']') : strrchr(host, ':');
    size_t n = end ? (size_t)(end - host) + (host[0] == '[') : strlen(host);
    static const char *const names[] = { "localhost", "127.0.0.1", "[::1]", NULL };
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && !g_ascii_strncasecmp(host, names[i], n)) return 1;
    /* The address it listens on (--host 127.0.0.2). */
    const char *own = s->opts->host;
    if (own && strlen(own) == n && !g_ascii_strncasecmp(host, own, n)) return 1;
    /* --allow-host: a reverse proxy's public name. */
    for (const char *a = s->opts->allow_hosts; a && *a;) {
        const char *comma = strchr(a, ',');
        size_t len = comma ? (size_t)(comma - a) : strlen(a);
        if (len == n && !g_ascii_strncasecmp(host, a, n)) return 1;
        a = comma ? comma + 1 : a + len;
    }
    return 0;
}

/* Chooses the answer to a parsed request. */
static void respond(server *s, conn *c, const fp_http_request *req)
{
    char prefix[sizeof req->path], ext[8];
    int z, x, y;
    int is_tile = fpi_serve_tile_address(req->path, prefix, sizeof prefix, &z, &x, &y, ext);
    c->cors = map_data(req->path, is_tile);
    if (!host_allowed(s, req)) {
        c->cors = 0;
        respond_status(c, 403, req->keep_alive, req, NULL);
        return;
    }

    /* A CORS preflight (a page of another origin sending a header such as
     * If-None-Match): what it may send, for any path. */
    if (strcmp(req->method, "OPTIONS") == 0) {
        head_begin(c, 204, req->keep_alive, req->version_minor);
        head_add(c, "Allow: GET, HEAD, OPTIONS\r\nAccess-Control-Allow-Methods: GET, HEAD, OPTIONS\r\n"
                    "Access-Control-Allow-Headers: Range, If-None-Match, If-Modified-Since, Accept-Encoding, Cache-Control\r\n"
                    "Access-Control-Max-Age: 86400\r\n");   /* no Content-Length on a 204 (RFC 9110 8.6) */
        head_end(c);
        return;
    }
    /* FILE.mbtiles: its tiles at /tiles/z/x/y.ext, ahead of the folder. */
    if (s->tiles_file[0] && is_tile && strcmp(prefix, "/tiles") == 0) {
        respond_tile(s, c, req, s->tiles_file, z, x, y, ext);
        return;
    }
    if (s->pmtiles_file[0] && strcmp(req->path, s->pmtiles_url) == 0) {
        respond_file(c, req, s->pmtiles_file);
        return;
    }
    if (!s->root[0]) {
        respond_status(c, 404, req->keep_alive, req, NULL);
        return;
    }
    char real[PATH_MAX];
    int status = fpi_serve_resolve(s->root, req->path, real, sizeof real);
    if (status == 200) {
        if (!respond_absolute_json(c, req, real)) respond_file(c, req, real);
        return;
    }
    if (status == 301) {
        respond_redirect(c, req);
        return;
    }
    /* No such file, but NAME/z/x/y.ext with a NAME.mbtiles next to it. The
     * MBTiles path goes through the same checks as any file. */
    if (status == 404 && is_tile && prefix[0]) {
        char mbpath[sizeof prefix + 16];
        snprintf(mbpath, sizeof mbpath, "%s.mbtiles", prefix);
        /* NAME.preview/tiles/z/x/y.ext: what the preview of NAME.mbtiles
         * asks for (its page reads tiles/ next to it, as `serve
         * NAME.mbtiles` answers): NAME.mbtiles's tiles when the folder is
         * served (the page was grey). */
        size_t n = strlen(prefix), suffix = strlen(".preview/tiles");
        if (n > suffix && !strcmp(prefix + n - suffix, ".preview/tiles"))
            snprintf(mbpath, sizeof mbpath, "%.*s.mbtiles", (int)(n - suffix), prefix);
        if (fpi_serve_resolve(s->root, mbpath, real, sizeof real) == 200) {
            respond_tile(s, c, req, real, z, x, y, ext);
            return;
        }
    }
    /* After a 400 the client and we may disagree on what was sent: close. */
    respond_status(c, status, status == 400 ? 0 : req->keep_alive, req, NULL);
}

/* ------------------------------------------------------- connections --- */

static void log_path_copy(conn *c, const char *path)
{
    snprintf(c->log_path, sizeof c->log_path, "%s", path);
}

static void access_log(server *s, conn *c)
{
    if (s->opts->quiet || !c->status) return;
    if (s->opts->log) {
        char line[sizeof c->peer + sizeof c->log_method + sizeof c->log_path + 64];
        snprintf(line, sizeof line, "%s \"%s %s\" %d %llu", c->peer, c->log_method[0] ? c->log_method : "-",
                 c->log_path[0] ? c->log_path : "-", c->status, c->body_bytes_sent);
        s->opts->log(line, s->opts->user);
    }
    c->status = 0;
}

/* Drops the response body (file or memory) of c. */
static void release_body(conn *c)
{
    free(c->body);
    c->body = NULL;
    c->body_len = c->body_sent = 0;
    if (c->file >= 0) close(c->file);
    c->file = -1;
    c->file_off = c->file_end = 0;
}

static void conn_free(server *s, conn *c)
{
    access_log(s, c); /* a response cut short is logged with what was sent */
    release_body(c);
    close(c->fd);
    free(c);
}

/* Parses what is buffered and prepares the response. Returns 1 when a
 * response is ready, 0 when more bytes are needed. */
static int conn_take_request(server *s, conn *c)
{
    fp_http_request req;
    int rc = fp_http_parse_request(c->in, c->in_len, &req);
    if (rc == 1) return 0;
    c->cors = 0;          /* respond() says for this request */
    memcpy(c->log_method, req.method, sizeof c->log_method);
    log_path_copy(c, req.path);
    c->body_bytes_sent = 0;
    if (rc == 0) {
        respond(s, c, &req);
        memmove(c->in, c->in + req.head_len, c->in_len - req.head_len);
        c->in_len -= req.head_len;
    } else {
        /* A bad request ends the connection: where the next one would
         * start is anybody's guess. */
        respond_status(c, rc, 0, &req, NULL);
        c->in_len = 0;
    }
    return 1;
}

/* Sends what the socket takes. Returns 1 when the response is complete,
 * 0 when the socket is full, -1 when the connection is lost. */
static int conn_send(server *s, conn *c, double now)
{
    int more = c->body_sent < c->body_len || c->file_off < c->file_end;
    while (c->head_sent < c->head_len) {
        ssize_t n = send(c->fd, c->head + c->head_sent, c->head_len - c->head_sent, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->head_sent += (size_t)n;
        c->deadline = now + WRITE_TIMEOUT;
    }
    while (c->body_sent < c->body_len) {
        ssize_t n = send(c->fd, c->body + c->body_sent, c->body_len - c->body_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->body_sent += (size_t)n;
        c->body_bytes_sent += (unsigned long long)n;
        c->deadline = now + WRITE_TIMEOUT;
    }
    while (c->file_off < c->file_end) {
        /* Read a chunk and send what the socket takes of it; the rest is
         * read again next time. Simpler than a buffer per connection, and
         * the page cache makes the re-read nearly free. */
        off_t left = c->file_end - c->file_off;
        size_t want = left < (off_t)sizeof s->scratch ? (size_t)left : sizeof s->scratch;
        ssize_t r = pread(c->file, s->scratch, want, c->file_off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1; /* the file shrank under us: the promised length cannot be kept */
        ssize_t n = send(c->fd, s->scratch, (size_t)r, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        }
        c->file_off += n;
        c->body_bytes_sent += (unsigned long long)n;
        c->deadline = now + WRITE_TIMEOUT;
    }
    return 1;
}

/* Advances c as far as it goes without blocking. Returns 0 to keep the
 * connection, -1 to close it. */
static int conn_run(server *s, conn *c, int readable, double now)
{
    for (;;) {
        switch (c->state) {
        case CONN_READ: {
            if (c->in_len > 0 && conn_take_request(s, c)) {
                c->state = CONN_WRITE;
                c->deadline = now + WRITE_TIMEOUT;
                continue;
            }
            if (!readable) return 0;
            /* The parser answers before the buffer fills; this is a guard. */
            if (c->in_len >= sizeof c->in) return -1;
            ssize_t r = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
            if (r > 0) {
                c->in_len += (size_t)r;
                continue;
            }
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
            return -1; /* closed by the client, or an error */
        }
        case CONN_WRITE: {
            int rc = conn_send(s, c, now);
            if (rc <= 0) return rc;
            access_log(s, c);
            release_body(c);
            if (c->close_after) {
                shutdown(c->fd, SHUT_WR);
                c->state = CONN_LINGER;
                c->deadline = now + LINGER_TIMEOUT;
            } else {
                c->state = CONN_READ;
                c->deadline = now + IDLE_TIMEOUT;
            }
            readable = 1; /* a pipelined request may be waiting: try */
            continue;
        }
        case CONN_LINGER: {
            if (!readable) return 0;
            ssize_t r = recv(c->fd, s->scratch, sizeof s->scratch, 0);
            if (r > 0) {
                c->lingered += (size_t)r;
                if (c->lingered > LINGER_MAX) return -1;
                continue;
            }
            if (r < 0 && errno == EINTR) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
            return -1;
        }
        }
    }
}

/* Makes room for a new connection from peer: past MAX_PER_PEER of that
 * address, or MAX_CONNS in all, the one that has waited longest for its
 * request head (its deadline the nearest) goes, that address's own first.
 * Slow, half-sent heads (slowloris) held every slot for IDLE_TIMEOUT and
 * kept others' requests out (the security reviewer's finding 8); now they
 * are what gives way. 0 when there is room, -1 when every connection is
 * busy answering. Called outside the loop over the poll array. */
static int make_room(server *s, const char *peer)
{
    int same = 0;
    for (int i = 0; i < s->nconns; i++) same += !strcmp(s->conns[i]->peer, peer);
    int own = same >= MAX_PER_PEER;
    if (!own && s->nconns < MAX_CONNS) return 0;
    int victim = -1;
    for (int i = 0; i < s->nconns; i++) {
        conn *c = s->conns[i];
        if (c->state != CONN_READ || c->turn == s->turn || (own && strcmp(c->peer, peer))) continue;
        if (victim < 0 || c->deadline < s->conns[victim]->deadline) victim = i;
    }
    if (victim < 0) return -1;
    conn *c = s->conns[victim];
    s->conns[victim] = s->conns[--s->nconns];
    conn_free(s, c);
    return 0;
}

/* At most this many accepts a turn: a flood of connections must not keep
 * the loop from serving those it has. */
#define ACCEPTS_PER_TURN 32

static void accept_all(server *s, double now)
{
    for (int taken = 0; taken < ACCEPTS_PER_TURN; taken++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                /* The pending connection stays in the backlog, so poll()
                 * would report it again at once: pause instead of spinning. */
                s->accept_pause_until = now + 0.5;
                if (!s->opts->quiet && s->opts->log) {
                    char line[256];
                    snprintf(line, sizeof line, "footprint: serve: accept: %s", strerror(errno));
                    s->opts->log(line, s->opts->user);
                }
            }
            return;
        }
        char peer[INET6_ADDRSTRLEN];
        if (ss.ss_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, peer, sizeof peer);
        else if (ss.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, peer, sizeof peer);
        else
            strcpy(peer, "-");
        if (make_room(s, peer)) {
            close(fd);            /* every slot busy sending: the client retries */
            continue;
        }
        conn *c = calloc(1, sizeof *c);
        if (!c) {
            close(fd);
            return;
        }
        /* Responses are written whole (head with MSG_MORE, then the body):
         * Nagle's delay would only hold back the last segment. */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        c->file = -1;
        c->state = CONN_READ;
        c->deadline = now + IDLE_TIMEOUT;
        c->turn = s->turn;
        memcpy(c->peer, peer, sizeof c->peer);
        s->conns[s->nconns++] = c;
    }
}

/* ------------------------------------------------------------- setup --- */

/* NAME.mbtiles and NAME.pmtiles share one preview folder, NAME.preview/
 * (the last `tiles` run's page): a page written for the other format asks
 * for /NAME.pmtiles or for /tiles/z/x/y. So serving either file also serves
 * its twin when it lies next to it, and the page works whichever wrote it
 * (it showed an empty map). ext: ".mbtiles" or ".pmtiles", the twin's. */
/* FILE.pmtiles served at /FILE.pmtiles; 0 when its real path is not known. */
static int set_pmtiles(server *s, const char *path)
{
    if (!realpath(path, s->pmtiles_file)) { s->pmtiles_file[0] = '\0'; return 0; }
    const char *base = strrchr(s->pmtiles_file, '/');
    snprintf(s->pmtiles_url, sizeof s->pmtiles_url, "/%s", base ? base + 1 : s->pmtiles_file);
    return 1;
}

static void add_twin(server *s, const char *root, size_t n, const char *ext)
{
    char twin[PATH_MAX];
    struct stat st;
    if (n - 8 + 9 > sizeof twin) return;
    memcpy(twin, root, n - 8);
    memcpy(twin + n - 8, ext, 9);
    if (stat(twin, &st) != 0 || !S_ISREG(st.st_mode)) return;
    if (!strcmp(ext, ".pmtiles")) {
        set_pmtiles(s, twin);
    } else {
        fp_error e = {0};
        if (!realpath(twin, s->tiles_file) || !get_tiles(s, s->tiles_file, &e)) s->tiles_file[0] = '\0';
    }
}

/* The folder, or FILE.mbtiles and its preview folder FILE.preview next to it. */
static fp_status setup_root(server *s, const char *root, fp_error *err)
{
    struct stat st;
    if (stat(root, &st) != 0) return fp_error_set(err, FP_ERR_IO, "%s: %s", root, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        if (!realpath(root, s->root)) return fp_error_set(err, FP_ERR_IO, "%s: %s", root, strerror(errno));
        return FP_OK;
    }
    size_t n = strlen(root);
    if (S_ISREG(st.st_mode) && n > 8 && strcasecmp(root + n - 8, ".pmtiles") == 0) {
        /* FILE.pmtiles: the archive itself (the browser reads it with Range
         * requests) at /FILE.pmtiles, and the preview folder at /, so the
         * page's ../FILE.pmtiles finds it as under `serve DIR`. */
        if (!set_pmtiles(s, root)) return fp_error_set(err, FP_ERR_IO, "%s: %s", root, strerror(errno));
        /* Checked at start, as an MBTiles file is opened at start: a file
         * that is no archive would only fail in the browser. */
        unsigned char magic[8] = {0};
        FILE *f = fopen(root, "rb");
        size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
        if (f) fclose(f);
        if (got != sizeof magic || memcmp(magic, "PMTiles", 7) != 0 || magic[7] != 3)
            return fp_error_set(err, FP_ERR_INPUT, "%s: not a PMTiles archive (no PMTiles version 3 header)", root);
        add_twin(s, root, n, ".mbtiles");
        char folder[PATH_MAX];
        if (n - 8 + sizeof ".preview" > sizeof folder) return FP_OK;
        memcpy(folder, root, n - 8);
        memcpy(folder + n - 8, ".preview", sizeof ".preview");
        if (stat(folder, &st) == 0 && S_ISDIR(st.st_mode) && !realpath(folder, s->root)) s->root[0] = '\0';
        return FP_OK;
    }
    if (!S_ISREG(st.st_mode) || n <= 8 || strcasecmp(root + n - 8, ".mbtiles") != 0)
        return fp_error_set(err, FP_ERR_USAGE, "%s: not a folder, an .mbtiles or a .pmtiles file", root);
    if (!realpath(root, s->tiles_file)) return fp_error_set(err, FP_ERR_IO, "%s: %s", root, strerror(errno));
    /* Open it now, so that a file that is no MBTiles fails at start. */
    if (!get_tiles(s, s->tiles_file, err)) return err ? err->code : FP_ERR_INPUT;
    add_twin(s, root, n, ".pmtiles");
    /* The preview folder next to the file, as `footprint tiles` writes it
     * (NAME.preview for NAME.mbtiles: a plain NAME could be someone's tile
     * directory); without it only the tiles are served. */
    char folder[PATH_MAX];
    if (n - 8 + sizeof ".preview" > sizeof folder) return FP_OK;
    memcpy(folder, root, n - 8);
    memcpy(folder + n - 8, ".preview", sizeof ".preview");
    if (stat(folder, &st) == 0 && S_ISDIR(st.st_mode) && !realpath(folder, s->root)) s->root[0] = '\0';
    return FP_OK;
}

static fp_status open_listener(server *s, const char *host, int port, char *url, size_t url_size, fp_error *err)
{
    if (port < 0 || port > 65535) return fp_error_set(err, FP_ERR_USAGE, "port %d: expected 0 to 65535", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) return fp_error_set(err, FP_ERR_USAGE, "host '%s': %s", host, gai_strerror(rc));
    int fd = -1, last = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        /* Restarting the server must not wait for old connections'
         * TIME_WAIT to pass. */
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) break;
        last = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return fp_error_set(err, FP_ERR_IO, "cannot listen on %s port %d: %s%s", host, port, strerror(last),
                            last == EADDRINUSE ? " (something else uses it; --port 0 picks a free port)" : "");
    s->listen_fd = fd;

    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "127.0.0.1";
    int actual = port;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            actual = ntohs(a->sin_port);
            /* Listening on every interface: the local URL is the one to open. */
            if (a->sin_addr.s_addr == htonl(INADDR_ANY)) strcpy(addr, "127.0.0.1");
            else inet_ntop(AF_INET, &a->sin_addr, addr, sizeof addr);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            actual = ntohs(a->sin6_port);
            if (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr)) strcpy(addr, "::1");
            else inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof addr);
        }
    }
    if (strchr(addr, ':')) snprintf(url, url_size, "http://[%s]:%d/", addr, actual);
    else snprintf(url, url_size, "http://%s:%d/", addr, actual);
    return FP_OK;
}

static void server_free(server *s)
{
    for (int i = 0; i < s->nconns; i++) conn_free(s, s->conns[i]);
    for (int i = 0; i < MAX_MBTILES; i++) fpi_mbtiles_close(s->tiles[i].mb);
    if (s->listen_fd >= 0) close(s->listen_fd);
    free(s);
}

/* -------------------------------------------------------------- loop --- */

fp_status fp_serve(const fp_serve_options *opts, fp_error *err)
{
    if (!opts || !opts->root || !opts->root[0]) return fp_error_set(err, FP_ERR_USAGE, "serve: which folder?");
    server *s = calloc(1, sizeof *s);
    if (!s) return fp_error_set(err, FP_ERR_NOMEM, "serve: out of memory");
    s->opts = opts;
    s->listen_fd = -1;
    char url[128];
    fp_status st = setup_root(s, opts->root, err);
    const char *host = opts->host ? opts->host : "127.0.0.1";
    if (st == FP_OK) st = open_listener(s, host, opts->port, url, sizeof url, err);
    /* Any 127.x.y.z is this machine (Linux routes all of 127/8 to lo). */
    s->loopback = !strncmp(host, "127.", 4) || !strcmp(host, "::1") || !strcmp(host, "localhost");
    if (st != FP_OK) {
        server_free(s);
        return st;
    }
    if (opts->ready) opts->ready(url, opts->user);

    while (!fp_context_cancelled(opts->ctx)) {
        double now = fpi_now();
        int np = 0;
        if (now >= s->accept_pause_until) {     /* full: make_room sheds a slow one */
            s->pfd[np] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
            s->pconn[np++] = NULL;
        }
        for (int i = 0; i < s->nconns; i++) {
            conn *c = s->conns[i];
            s->pfd[np] = (struct pollfd){ .fd = c->fd, .events = c->state == CONN_WRITE ? POLLOUT : POLLIN };
            s->pconn[np++] = c;
        }
        int n = poll(s->pfd, (nfds_t)np, POLL_MS);
        if (n < 0) {
            if (errno == EINTR) continue; /* a signal: the loop condition decides */
            st = fp_error_set(err, FP_ERR_IO, "serve: poll: %s", strerror(errno));
            break;
        }
        now = fpi_now();
        s->turn++;
        int accept_ready = 0;
        for (int i = 0; i < np; i++) {
            conn *c = s->pconn[i];
            short ev = s->pfd[i].revents;
            if (!c) {
                accept_ready = (ev & POLLIN) != 0;   /* after the loop: accepting may free a connection */
                continue;
            }
            int drop = 0;
            /* POLLHUP/POLLERR: recv or send will report what happened. */
            if (ev & (POLLIN | POLLOUT | POLLHUP | POLLERR))
                drop = conn_run(s, c, (ev & (POLLIN | POLLHUP | POLLERR)) != 0, now) < 0;
            /* Idle, too slow (a head trickling in does not move the
             * deadline), or done lingering. */
            if (!drop && now > c->deadline) drop = 1;
            if (drop) {
                /* Remove from the list; the poll array is rebuilt next turn. */
                for (int k = 0; k < s->nconns; k++) {
                    if (s->conns[k] == c) {
                        s->conns[k] = s->conns[--s->nconns];
                        break;
                    }
                }
                conn_free(s, c);
            }
        }
        if (accept_ready) accept_all(s, now);
    }
    server_free(s);
    return st;
}
