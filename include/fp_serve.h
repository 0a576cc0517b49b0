/* `footprint serve`: a small HTTP/1.1 server on 127.0.0.1 for the tile
 * preview (index.html), the tiles (a z/x/y directory or an MBTiles file)
 * and the GeoJSON layers. GET and HEAD only; nothing outside the served
 * folder is reachable. */
#ifndef FP_SERVE_H
#define FP_SERVE_H

#include <stddef.h>
#include "fp_error.h"

typedef struct fp_serve_options {
    const char *root;        /* a folder, or FILE.mbtiles (then its folder is served too) */
    const char *host;        /* default 127.0.0.1 */
    int port;                /* default 8080; 0: any free port */
    /* Called once listening, with the URL of the preview page. */
    void (*ready)(const char *url, void *user);
    void *user;
    int quiet;               /* no access log on stderr */
} fp_serve_options;

/* Serves until SIGINT/SIGTERM (fp_interrupted), then closes the socket and
 * returns FP_OK. */
fp_status fp_serve(const fp_serve_options *opts, fp_error *err);

/* The request parser, exposed for tests and the fuzz harness. */
typedef struct fp_http_request {
    char method[8];          /* GET, HEAD */
    char path[2048];         /* decoded path, no query, always starting with '/' */
    int keep_alive;
} fp_http_request;

/* Parses the request head in buf[0..len). Returns 0 and fills req when the
 * head is complete and valid, 1 when more bytes are needed, or an HTTP
 * status (400, 405, 414, 431, 505) for a bad request. Never reads beyond len. */
int fp_http_parse_request(const char *buf, size_t len, fp_http_request *req);

#endif
