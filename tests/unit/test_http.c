/* Unit tests of the serve stage (src/serve): the HTTP request parser (every
 * kind of malformed head, and never a byte read past the buffer: each input
 * lives in a malloc'd block of exactly its length, so ASan sees an
 * over-read), the path resolver that keeps requests inside the served
 * folder, entity tags, dates, content types, tile addresses, the MBTiles
 * reader and gunzip. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zlib.h>
#include <cmocka.h>

#include "fp_serve.h"
#include "serve/serve_internal.h"

/* Parses s[0..len) from an exactly sized heap copy. */
static int parse_n(const char *s, size_t len, fp_http_request *req)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    int rc = fp_http_parse_request(copy, len, req);
    free(copy);
    return rc;
}

static int parse(const char *s, fp_http_request *req)
{
    return parse_n(s, strlen(s), req);
}

static int parse_status(const char *s)
{
    fp_http_request req;
    return parse(s, &req);
}

/* ----------------------------------------------------------- parser --- */

static void test_complete_get(void **state)
{
    (void)state;
    fp_http_request req;
    const char *s = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: t\r\n\r\n";
    assert_int_equal(parse(s, &req), 0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.path, "/index.html");
    assert_int_equal(req.keep_alive, 1);
    assert_int_equal(req.version_minor, 1);
    assert_int_equal(req.head_len, strlen(s));
    assert_int_equal(req.accept_gzip, 0);
    assert_string_equal(req.if_none_match, "");
}

static void test_head_and_query(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("HEAD /tiles/1/0/0.png?v=3&x=%zz HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.method, "HEAD");
    /* The query is not part of the path, even a malformed one; it is kept
     * as received (for a redirect), without the fragment. */
    assert_string_equal(req.path, "/tiles/1/0/0.png");
    assert_string_equal(req.query, "v=3&x=%zz");
    assert_int_equal(parse("GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/a");
    assert_string_equal(req.query, "");
    assert_int_equal(parse("GET /a?z=4#frag HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.query, "z=4");
    /* Raw bytes other than visible ASCII: not kept. */
    assert_int_equal(parse("GET /a?n=\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/a");
    assert_string_equal(req.query, "");
}

static void test_partial_head_needs_more(void **state)
{
    (void)state;
    fp_http_request req;
    const char *s = "GET /a/b.json HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n";
    size_t n = strlen(s);
    /* Every proper prefix asks for more; the whole head parses. */
    for (size_t i = 0; i < n; i++) assert_int_equal(parse_n(s, i, &req), 1);
    assert_int_equal(parse_n(s, n, &req), 0);
    assert_string_equal(req.if_none_match, "\"x\"");
}

static void test_methods(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc", &req), 405);
    assert_string_equal(req.method, "POST");
    assert_string_equal(req.path, "/upload"); /* for the log */
    /* Reported as soon as the request line is complete. */
    assert_int_equal(parse_status("DELETE /x HTTP/1.1\r\n"), 405);
    assert_int_equal(parse_status("PUT /x HTTP/1.1\r\nHost: h\r\n\r\n"), 405);
    /* OPTIONS: a browser's CORS preflight, for a path or the server ("*"). */
    assert_int_equal(parse("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "*");
    assert_int_equal(parse("OPTIONS /tiles/0/0/0.pbf HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/tiles/0/0/0.pbf");
    assert_int_equal(parse_status("TRACE /x HTTP/1.1\r\nHost: h\r\n\r\n"), 405);
    /* Methods are case-sensitive. */
    assert_int_equal(parse_status("get / HTTP/1.1\r\nHost: h\r\n\r\n"), 405);
    assert_int_equal(parse_status("Head / HTTP/1.1\r\nHost: h\r\n\r\n"), 405);
    /* A method token far too long is garbage, decided before the line ends. */
    assert_int_equal(parse_status("GETGETGETGETGETGETGET"), 400);
}

static void test_percent_decoding(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("GET /a%20b/%C3%A9t%c3%a9.geojson HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/a b/\xC3\xA9t\xC3\xA9.geojson");
    assert_int_equal(parse("GET /x%2Fy HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/x/y");
    /* absolute-form (RFC 9112 3.2.2) */
    assert_int_equal(parse("GET http://127.0.0.1:8080/lib/a.js?q HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/lib/a.js");
    assert_int_equal(parse("GET http://127.0.0.1:8080 HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/");
}

static void test_bad_escapes(void **state)
{
    (void)state;
    assert_int_equal(parse_status("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET /a%4 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET /a% HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET /a%0Ab HTTP/1.1\r\nHost: h\r\n\r\n"), 400); /* control character */
    assert_int_equal(parse_status("GET relative HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
}

static void test_dotdot_parsed_but_resolver_refuses(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("GET /a/../../etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/a/../../etc/passwd");
    char out[PATH_MAX];
    assert_int_equal(fpi_serve_resolve("/tmp", req.path, out, sizeof out), 400);
    assert_int_equal(parse("GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_string_equal(req.path, "/../../etc/passwd");
    assert_int_equal(fpi_serve_resolve("/tmp", req.path, out, sizeof out), 400);
    assert_int_equal(parse("GET /..%5c..%5cetc/passwd HTTP/1.1\r\nHost: h\r\n\r\n", &req), 0);
    assert_int_equal(fpi_serve_resolve("/tmp", req.path, out, sizeof out), 400);
}

static void test_limits(void **state)
{
    (void)state;
    fp_http_request req;
    char *big = malloc(20000);
    assert_non_null(big);

    /* A request line that never ends within the limit: 414. */
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', 20000 - 5);
    assert_int_equal(parse_n(big, FP_HTTP_MAX_HEAD, &req), 414);
    assert_int_equal(parse_n(big, 20000, &req), 414);
    assert_int_equal(parse_n(big, FP_HTTP_MAX_HEAD - 1, &req), 1);

    /* A complete line whose decoded path does not fit req.path: 414. */
    int n = snprintf(big, 20000, "GET /%0*d HTTP/1.1\r\nHost: h\r\n\r\n", 3000, 0);
    assert_int_equal(parse_n(big, (size_t)n, &req), 414);
    /* ... but the longest that fits is fine. */
    n = snprintf(big, 20000, "GET /%0*d HTTP/1.1\r\nHost: h\r\n\r\n", (int)sizeof req.path - 2, 0);
    assert_int_equal(parse_n(big, (size_t)n, &req), 0);
    assert_int_equal(strlen(req.path), sizeof req.path - 1);

    /* A 20 KB header field: 431, whether or not it has ended. */
    n = snprintf(big, 20000, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ");
    memset(big + n, 'x', 20000 - (size_t)n);
    assert_int_equal(parse_n(big, 20000, &req), 431);
    assert_int_equal(parse_n(big, FP_HTTP_MAX_HEAD, &req), 431);
    memcpy(big + 20000 - 4, "\r\n\r\n", 4);
    assert_int_equal(parse_n(big, 20000, &req), 431);

    /* Too many fields. */
    size_t o = (size_t)snprintf(big, 20000, "GET / HTTP/1.1\r\nHost: h\r\n");
    for (int i = 0; i < 120; i++) o += (size_t)snprintf(big + o, 20000 - o, "X-%d: y\r\n", i);
    o += (size_t)snprintf(big + o, 20000 - o, "\r\n");
    assert_int_equal(parse_n(big, o, &req), 431);
    free(big);
}

static void test_keep_alive(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &req), 0); /* 1.0 needs no Host */
    assert_int_equal(req.version_minor, 0);
    assert_int_equal(req.keep_alive, 0);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req), 0);
    assert_int_equal(req.keep_alive, 1);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", &req), 0);
    assert_int_equal(req.keep_alive, 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade , CLOSE\r\n\r\n", &req), 0);
    assert_int_equal(req.keep_alive, 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n\r\n", &req), 0);
    assert_int_equal(req.keep_alive, 1);
}

static void test_versions(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse_status("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
    assert_int_equal(parse_status("GET / HTTP/0.9\r\n\r\n"), 505);
    assert_int_equal(parse_status("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 505); /* the HTTP/2 preface */
    assert_int_equal(parse_status("GET / HTTP/1.1x\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / http/1.1\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/11\r\nHost: h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.100000000\r\n"), 400);
    /* A higher minor version is understood as 1.1. */
    assert_int_equal(parse("GET / HTTP/1.2\r\nHost: h\r\n\r\n", &req), 0);
    assert_int_equal(req.version_minor, 1);
}

static void test_garbage(void **state)
{
    (void)state;
    assert_int_equal(parse_n("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11, &(fp_http_request){ 0 }), 400);
    assert_int_equal(parse_status("GET\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET /\r\n\r\n"), 400);       /* HTTP/0.9 style */
    assert_int_equal(parse_status("GET  / HTTP/1.1\r\n"), 400); /* two spaces */
    assert_int_equal(parse_status(" GET / HTTP/1.1\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\rHost: h\r\n\r\n"), 400); /* bare CR */
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\n: empty\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\x01\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), 400);
    assert_int_equal(parse_status("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n"), 400); /* too many empty lines */
    /* HTTP/1.1 without exactly one Host. */
    assert_int_equal(parse_status("GET / HTTP/1.1\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
    /* No request bodies. */
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"), 400);
    assert_int_equal(parse_status("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"), 0);
    assert_int_equal(parse_status(""), 1);
}

static void test_lenient_forms(void **state)
{
    (void)state;
    fp_http_request req;
    /* Bare LF line ends and one empty line before the request. */
    const char *s = "\r\nGET /x HTTP/1.1\nHost: h\n\n";
    assert_int_equal(parse(s, &req), 0);
    assert_string_equal(req.path, "/x");
    assert_int_equal(req.head_len, strlen(s));
    /* Whitespace around field values is trimmed. */
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \t\"a\", W/\"b\"  \r\n\r\n", &req), 0);
    assert_string_equal(req.if_none_match, "\"a\", W/\"b\"");
}

static void test_pipelined(void **state)
{
    (void)state;
    fp_http_request req;
    const char *a = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
    const char *both = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
    assert_int_equal(parse(both, &req), 0);
    assert_string_equal(req.path, "/a");
    assert_int_equal(req.head_len, strlen(a));
    assert_int_equal(parse(both + req.head_len, &req), 0);
    assert_string_equal(req.path, "/b");
}

static void test_conditional_and_encoding_fields(void **state)
{
    (void)state;
    fp_http_request req;
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip, deflate, br\r\n"
                           "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n", &req), 0);
    assert_int_equal(req.accept_gzip, 1);
    assert_string_equal(req.if_modified_since, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip;q=0, br\r\n\r\n", &req), 0);
    assert_int_equal(req.accept_gzip, 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip;q=0.5\r\n\r\n", &req), 0);
    assert_int_equal(req.accept_gzip, 1);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: identity\r\n\r\n", &req), 0);
    assert_int_equal(req.accept_gzip, 0);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nAccept-Encoding: *\r\n\r\n", &req), 0);
    assert_int_equal(req.accept_gzip, 1);
    /* Two If-None-Match fields are one list. */
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n\r\n", &req), 0);
    assert_string_equal(req.if_none_match, "\"a\", \"b\"");
    /* One too long to keep is dropped (a full response, never a wrong 304). */
    char big[1024];
    int n = snprintf(big, sizeof big, "GET / HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"%0*d\"\r\n\r\n", 400, 0);
    assert_int_equal(parse_n(big, (size_t)n, &req), 0);
    assert_string_equal(req.if_none_match, "");
}

/* Random and mutated heads: the parser must answer with one of its
 * documented values, ask for more only below the limit, and (under ASan)
 * never touch a byte outside the buffer. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static void test_fuzz_smoke(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "GET /index.html HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\nIf-None-Match: \"a\"\r\n\r\n",
        "HEAD /t/1/0/0.pbf?x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET http://h/%41%2e%2E/%zz HTTP/1.1\nHost: h\nContent-Length: 0\n\n",
    };
    static const char alphabet[] = "GET HTP/1.0\r\n:%2e/?#\t \x00\x7f\x80\xff;q=,\"W*";
    fp_http_request req;
    char buf[FP_HTTP_MAX_HEAD + 64];
    for (int iter = 0; iter < 30000; iter++) {
        const char *seed = seeds[iter % 3];
        size_t n = strlen(seed);
        memcpy(buf, seed, n);
        int edits = 1 + (int)(next_rand() % 8);
        for (int e = 0; e < edits; e++) {
            uint32_t r = next_rand();
            size_t at = n ? r % n : 0;
            switch (r >> 29) {
            case 0: case 1: case 2: /* replace */
                if (n) buf[at] = alphabet[next_rand() % (sizeof alphabet - 1)];
                break;
            case 3: case 4: /* insert */
                if (n < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = alphabet[next_rand() % (sizeof alphabet - 1)];
                    n++;
                }
                break;
            case 5: /* delete */
                if (n) { memmove(buf + at, buf + at + 1, n - at - 1); n--; }
                break;
            default: /* truncate */
                n = at;
                break;
            }
        }
        int rc = parse_n(buf, n, &req);
        assert_true(rc == 0 || rc == 1 || rc == 400 || rc == 405 || rc == 414 || rc == 431 || rc == 505);
        if (rc == 0) {
            assert_true(req.head_len <= n);
            assert_int_equal(req.path[0], '/');
            assert_int_equal(strlen(req.path), strnlen(req.path, sizeof req.path));
        }
    }
    /* Pure noise of every length up to just past the limit. */
    for (size_t n = 0; n <= FP_HTTP_MAX_HEAD + 8; n += 1 + next_rand() % 97) {
        for (size_t i = 0; i < n; i++) buf[i] = (char)next_rand();
        int rc = parse_n(buf, n, &req);
        assert_true(rc != 0 || req.head_len <= n);
        if (rc == 1) assert_true(n < FP_HTTP_MAX_HEAD);
    }
}

/* ------------------------------------------------------------ helpers --- */

static void test_content_types(void **state)
{
    (void)state;
    assert_string_equal(fpi_http_content_type("/x/index.html"), "text/html; charset=utf-8");
    assert_string_equal(fpi_http_content_type("/lib/leaflet.js"), "text/javascript");
    assert_string_equal(fpi_http_content_type("a.CSS"), "text/css");
    assert_string_equal(fpi_http_content_type("tiles.json"), "application/json");
    assert_string_equal(fpi_http_content_type("layers/p.geojson"), "application/geo+json");
    assert_string_equal(fpi_http_content_type("1/0/0.png"), "image/png");
    assert_string_equal(fpi_http_content_type("1/0/0.webp"), "image/webp");
    assert_string_equal(fpi_http_content_type("1/0/0.jpg"), "image/jpeg");
    assert_string_equal(fpi_http_content_type("1/0/0.pbf"), "application/vnd.mapbox-vector-tile");
    assert_string_equal(fpi_http_content_type("1/0/0.mvt"), "application/vnd.mapbox-vector-tile");
    assert_string_equal(fpi_http_content_type("m.svg"), "image/svg+xml");
    assert_string_equal(fpi_http_content_type("m.pdf"), "application/pdf");
    assert_string_equal(fpi_http_content_type("README.txt"), "text/plain; charset=utf-8");
    assert_string_equal(fpi_http_content_type("x.js.map"), "application/json");
    assert_string_equal(fpi_http_content_type("data.bin"), "application/octet-stream");
    assert_string_equal(fpi_http_content_type("dir.png/noext"), "application/octet-stream");
}

static void test_dates(void **state)
{
    (void)state;
    char d[40];
    fpi_http_date(784111777, d);
    assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    fpi_http_date(0, d);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
}

static void test_etag_match(void **state)
{
    (void)state;
    assert_true(fpi_http_etag_match("\"abc\"", "\"abc\""));
    assert_true(fpi_http_etag_match("\"x\", \"abc\"", "\"abc\""));
    assert_true(fpi_http_etag_match("W/\"abc\"", "\"abc\"")); /* weak comparison */
    assert_true(fpi_http_etag_match("*", "\"abc\""));
    assert_false(fpi_http_etag_match("\"abcd\"", "\"abc\""));
    assert_false(fpi_http_etag_match("abc", "\"abc\""));
    assert_false(fpi_http_etag_match("\"ab", "\"abc\""));
    assert_false(fpi_http_etag_match("", "\"abc\""));
}

static void test_tile_addresses(void **state)
{
    (void)state;
    char prefix[64], ext[8];
    int z, x, y;
    assert_true(fpi_serve_tile_address("/tiles/1/0/1.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_string_equal(prefix, "/tiles");
    assert_int_equal(z, 1);
    assert_int_equal(x, 0);
    assert_int_equal(y, 1);
    assert_string_equal(ext, "png");
    assert_true(fpi_serve_tile_address("/a/b/14/8190/5447.PBF", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_string_equal(prefix, "/a/b");
    assert_string_equal(ext, "pbf");
    assert_true(fpi_serve_tile_address("/0/0/0.webp", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_string_equal(prefix, "");
    assert_false(fpi_serve_tile_address("/tiles/1/2/0.png", prefix, sizeof prefix, &z, &x, &y, ext)); /* x >= 2^z */
    assert_false(fpi_serve_tile_address("/tiles/1/0/2.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/tiles/31/0/0.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/tiles/1/0/0.gif", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/tiles/1/-0/0.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/tiles/1//0.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/0/0.png", prefix, sizeof prefix, &z, &x, &y, ext));
    assert_false(fpi_serve_tile_address("/tiles/1/0/0", prefix, sizeof prefix, &z, &x, &y, ext));
}

/* ---------------------------------------------------------- resolver --- */

static char tmpdir[64], root[PATH_MAX];

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb; (void)type; (void)ftw;
    return remove(path);
}

static void write_file(const char *rel, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", tmpdir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int resolver_setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/fp_test_httpXXXXXX");
    if (!mkdtemp(tmpdir) || !realpath(tmpdir, root)) return -1;
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/www", tmpdir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/www/sub", tmpdir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/www/empty", tmpdir);
    mkdir(p, 0755);
    write_file("www/index.html", "<p>root</p>");
    write_file("www/sub/index.html", "<p>sub</p>");
    write_file("www/a.geojson", "{}");
    write_file("www/.env", "SECRET=1");
    write_file("secret.txt", "outside");
    snprintf(p, sizeof p, "%s/www/out", tmpdir);
    if (symlink("/etc", p)) return -1;
    snprintf(p, sizeof p, "%s/www/leak.txt", tmpdir);
    if (symlink("../secret.txt", p)) return -1;
    snprintf(p, sizeof p, "%s/www/alias.geojson", tmpdir);
    if (symlink("a.geojson", p)) return -1;
    snprintf(p, sizeof p, "%s/www/fifo", tmpdir);
    if (mkfifo(p, 0644)) return -1;
    strcat(root, "/www");
    return 0;
}

static int resolver_teardown(void **state)
{
    (void)state;
    nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void expect_resolve(const char *path, int status, const char *rel)
{
    char out[PATH_MAX], want[PATH_MAX + 64];
    int got = fpi_serve_resolve(root, path, out, sizeof out);
    if (got != status) fail_msg("%s: expected %d, got %d", path, status, got);
    if (rel) {
        snprintf(want, sizeof want, "%s/%s", root, rel);
        assert_string_equal(out, want);
    }
}

static void test_resolver(void **state)
{
    (void)state;
    expect_resolve("/", 200, "index.html");
    expect_resolve("/index.html", 200, "index.html");
    expect_resolve("//a.geojson", 200, "a.geojson");
    expect_resolve("/sub/", 200, "sub/index.html");
    expect_resolve("/sub", 301, NULL);          /* a folder without its '/' */
    expect_resolve("/empty/", 404, NULL);       /* no index.html, no listing */
    expect_resolve("/a.geojson/", 404, NULL);
    expect_resolve("/missing.png", 404, NULL);
    expect_resolve("/alias.geojson", 200, "a.geojson"); /* a symlink inside the folder */
    expect_resolve("/leak.txt", 404, NULL);     /* a symlink to a file outside */
    expect_resolve("/out/passwd", 404, NULL);   /* a symlink to a folder outside */
    expect_resolve("/out/", 404, NULL);
    expect_resolve("/fifo", 404, NULL);         /* only regular files */
    expect_resolve("/.env", 404, NULL);         /* hidden */
    expect_resolve("/./index.html", 404, NULL);
    expect_resolve("/../secret.txt", 400, NULL);
    expect_resolve("/sub/../../secret.txt", 400, NULL);
    expect_resolve("/..", 400, NULL);
    expect_resolve("/sub\\..\\index.html", 400, NULL);
    expect_resolve("relative", 400, NULL);
}

/* ----------------------------------------------- MBTiles and gunzip --- */

static void gzip_bytes(const unsigned char *in, size_t n, unsigned char *out, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)in;
    zs.avail_in = (unsigned)n;
    zs.next_out = out;
    zs.avail_out = (unsigned)*out_len;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *out_len = zs.total_out;
    deflateEnd(&zs);
}

static void test_gunzip(void **state)
{
    (void)state;
    unsigned char plain[5000], gz[6000], *out;
    for (size_t i = 0; i < sizeof plain; i++) plain[i] = (unsigned char)(i * 7 % 251);
    size_t gzn = sizeof gz, outn;
    gzip_bytes(plain, sizeof plain, gz, &gzn);
    assert_int_equal(fpi_gunzip(gz, gzn, 1 << 20, &out, &outn), 0);
    assert_int_equal(outn, sizeof plain);
    assert_memory_equal(out, plain, sizeof plain);
    free(out);
    assert_int_equal(fpi_gunzip(gz, gzn, 1000, &out, &outn), -1);   /* over the limit */
    assert_null(out);
    assert_int_equal(fpi_gunzip(gz, gzn - 10, 1 << 20, &out, &outn), -1); /* truncated */
    assert_int_equal(fpi_gunzip(plain, 100, 1 << 20, &out, &outn), -1);   /* not gzip */
}

static void test_mbtiles(void **state)
{
    (void)state;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/t.mbtiles", tmpdir);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE metadata (name text, value text);"
                                  "INSERT INTO metadata VALUES ('format', 'png');"
                                  "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
                                  "INSERT INTO tiles VALUES (1, 0, 1, x'89504e470d0a1a0a0102');"
                                  "INSERT INTO tiles VALUES (3, 5, 0, x'0102');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    fp_error err = { 0 };
    fp_mbtiles *mb;
    assert_int_equal(fpi_mbtiles_open(path, &mb, &err), FP_OK);
    assert_string_equal(fpi_mbtiles_format(mb), "png");
    unsigned char *data;
    size_t len;
    /* XYZ 1/0/0 is TMS row 2^1 - 1 - 0 = 1. */
    assert_int_equal(fpi_mbtiles_get(mb, 1, 0, 0, &data, &len, &err), FP_OK);
    assert_non_null(data);
    assert_int_equal(len, 10);
    assert_memory_equal(data, "\x89PNG\r\n\x1a\n\x01\x02", 10);
    free(data);
    assert_int_equal(fpi_mbtiles_get(mb, 1, 0, 1, &data, &len, &err), FP_OK);
    assert_null(data);
    assert_int_equal(fpi_mbtiles_get(mb, 3, 5, 7, &data, &len, &err), FP_OK);
    assert_int_equal(len, 2);
    free(data);
    fpi_mbtiles_close(mb);

    /* Not an MBTiles file: a clear error naming it. */
    snprintf(path, sizeof path, "%s/secret.txt", tmpdir);
    assert_int_equal(fpi_mbtiles_open(path, &mb, &err), FP_ERR_INPUT);
    assert_null(mb);
    assert_non_null(strstr(err.message, "not an MBTiles file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_get),
        cmocka_unit_test(test_head_and_query),
        cmocka_unit_test(test_partial_head_needs_more),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_percent_decoding),
        cmocka_unit_test(test_bad_escapes),
        cmocka_unit_test(test_dotdot_parsed_but_resolver_refuses),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_lenient_forms),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_conditional_and_encoding_fields),
        cmocka_unit_test(test_fuzz_smoke),
        cmocka_unit_test(test_content_types),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_etag_match),
        cmocka_unit_test(test_tile_addresses),
        cmocka_unit_test(test_resolver),
        cmocka_unit_test(test_gunzip),
        cmocka_unit_test(test_mbtiles),
    };
    return cmocka_run_group_tests(tests, resolver_setup, resolver_teardown);
}
