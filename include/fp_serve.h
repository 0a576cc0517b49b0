/* `footprint serve`: a small HTTP/1.1 server on 127.0.0.1 for the tile
 * preview (index.html), the tiles (a z/x/y directory or an MBTiles file)
 * and the GeoJSON layers. GET and HEAD only; nothing outside the served
 * folder is reachable. */
#ifndef FP_SERVE_H
#define FP_SERVE_H

#include <stddef.h>
#include "fp_context.h"
#include "fp_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fp_serve_options {
    const char *root;        /* a folder, or FILE.mbtiles (then its folder is served too) */
    const char *host;        /* default 127.0.0.1 */
    int port;                /* default 8080; 0: any free port */
    /* Called once listening, with the URL of the preview page. */
    void (*ready)(const char *url, void *user);
    /* Called with each line of the access log (unless quiet) and each
     * error met while serving (always); no newline. NULL: not reported. */
    fp_log_fn log;
    void *user;              /* for ready and log */
    int quiet;               /* no access log */
    const fp_context *ctx;   /* its cancel flag stops the server (NULL: runs until killed) */
    /* Host names (comma-separated, no port) requests may name besides the
     * loopback's own, on a loopback listener: a proxy's public name. */
    const char *allow_hosts;
} fp_serve_options;

/* Serves until ctx is cancelled (the CLI's SIGINT/SIGTERM), then closes the socket and
 * returns FP_OK. Serving FILE.mbtiles: its tiles at /tiles/{z}/{x}/{y}.EXT
 * and the folder FILE (without .mbtiles) next to it at /. Serving a folder:
 * its files, and /NAME/{z}/{x}/{y}.EXT from NAME.mbtiles when no such file
 * exists. */
fp_status fp_serve(const fp_serve_options *opts, fp_error *err);

/* The longest request head (request line and header fields) accepted. */
#define FP_HTTP_MAX_HEAD 8192

/* The request parser, exposed for tests and the fuzz harness. */
typedef struct fp_http_request {
    char method[8];          /* GET, HEAD (or another method, if it fits, for the log) */
    char path[2048];         /* decoded path, no query, always starting with '/' */
    char query[2048];        /* the query as received, without '?': "" when none, or not all visible ASCII, or too long */
    int keep_alive;
    int version_minor;       /* HTTP/1.0: 0, HTTP/1.1: 1 */
    size_t head_len;         /* bytes of buf the head took: a pipelined request follows */
    int accept_gzip;         /* Accept-Encoding allows gzip */
    char if_none_match[256]; /* the field values, "" when absent (or too long to keep) */
    char if_modified_since[64];
    char range[128];         /* the Range field value, "" when absent (or too long to keep) */
    char host[256];          /* the Host field value, "" when absent (or too long, or not a host[:port]) */
    int host_invalid;        /* a Host field was sent but is not one plain host[:port] (then host is "") */
    int forwarded_https;     /* X-Forwarded-Proto: https (a TLS proxy in front) */
} fp_http_request;

/* Parses the request head in buf[0..len). Returns 0 and fills req when the
 * head is complete and valid, 1 when more bytes are needed, or an HTTP
 * status (400, 405, 414, 431, 505) for a bad request. Never reads beyond len.
 * Returns 1 only while len < FP_HTTP_MAX_HEAD: a head that does not end
 * within FP_HTTP_MAX_HEAD bytes is 414 (in the request line) or 431.
 * Request-line errors are reported as soon as that line is complete. On an
 * error, method and path hold what could be read (for the access log). */
int fp_http_parse_request(const char *buf, size_t len, fp_http_request *req);

#ifdef __cplusplus
}
#endif

#endif
