/*
 * HTTP/1.1 request heads (RFC 9112) and the few other pieces of HTTP the
 * server needs: content types, dates, entity-tag comparison, tile
 * addresses. Everything here is a pure function of its arguments, so the
 * unit tests and the fuzz harness can call it directly.
 *
 * The parser is strict where leniency could let two readers of the same
 * bytes disagree (a bare CR, whitespace before a colon, obsolete line
 * folding, request bodies), and lenient where that is harmless (a bare LF
 * ends a line, empty lines before the request line are skipped, minor
 * versions above 1.1 are read as 1.1).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "serve/serve_internal.h"

#define MAX_METHOD 16  /* longer method tokens are garbage, not methods */
#define MAX_HEADERS 100
#define MAX_LEADING_EOL 8

/* tchar of RFC 9110 5.6.2: the characters of method and field names. */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Case-insensitive comparison of s[0..n) with the NUL-terminated lit. */
static int span_is(const char *s, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(s, lit, n) == 0;
}

/* Calls fn for each element of a comma-separated field value, with the
 * optional whitespace around it removed; empty elements are skipped. */
static void each_element(const char *v, size_t n, void (*fn)(const char *, size_t, void *), void *arg)
{
    size_t i = 0;
    while (i < n) {
        size_t s = i;
        while (i < n && v[i] != ',') i++;
        size_t e = i;
        while (s < e && (v[s] == ' ' || v[s] == '\t')) s++;
        while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e > s) fn(v + s, e - s, arg);
        i++; /* past the comma */
    }
}

struct conn_tokens { int close, keep_alive; };

static void connection_token(const char *t, size_t n, void *arg)
{
    struct conn_tokens *ct = arg;
    if (span_is(t, n, "close")) ct->close = 1;
    else if (span_is(t, n, "keep-alive")) ct->keep_alive = 1;
}

/* An Accept-Encoding element: "gzip", "x-gzip" or "*", each possibly with
 * parameters; "q=0" (or 0.0, 0.00, ...) refuses the coding. */
static void encoding_token(const char *t, size_t n, void *arg)
{
    int *accept = arg;
    size_t c = 0;
    while (c < n && t[c] != ';' && t[c] != ' ' && t[c] != '\t') c++;
    if (!span_is(t, c, "gzip") && !span_is(t, c, "x-gzip") && !span_is(t, c, "*")) return;
    int q_zero = 0;
    for (size_t i = c; i + 1 < n; i++) {
        if ((t[i] == 'q' || t[i] == 'Q') && t[i + 1] == '=') {
            size_t j = i + 2;
            if (j < n && t[j] == '0') {
                j++;
                if (j < n && t[j] == '.') j++;
                while (j < n && t[j] == '0') j++;
                q_zero = j == n || t[j] == ' ' || t[j] == '\t' || t[j] == ';';
            }
            break;
        }
    }
    /* "*" only matters if gzip is not named; a later explicit "gzip;q=0"
     * still wins because it sets 0 after. Good enough for a tile server. */
    *accept = !q_zero;
}

/* Appends a field value to dst (joined by ", " as RFC 9110 5.3 allows for
 * list fields); when it does not fit the field is dropped entirely, which
 * for conditionals only costs a full response instead of a 304. */
static void keep_value(char *dst, size_t size, int *overflow, const char *v, size_t n)
{
    if (*overflow) return;
    size_t have = strlen(dst);
    size_t need = have + (have ? 2 : 0) + n + 1;
    if (need > size) {
        *overflow = 1;
        dst[0] = '\0';
        return;
    }
    if (have) { memcpy(dst + have, ", ", 2); have += 2; }
    memcpy(dst + have, v, n);
    dst[have + n] = '\0';
}

/* Decodes the request target t[0..n) into out: origin-form "/path?query"
 * or absolute-form "http://host/path?query" (RFC 9112 3.2). Returns 0, or
 * 400 (not a path, bad or NUL %-escape, control characters) or 414 (the
 * decoded path does not fit). */
static int decode_target(const char *t, size_t n, char *out, size_t out_size)
{
    size_t i = 0;
    if (n >= 7 && strncasecmp(t, "http://", 7) == 0) i = 7;
    else if (n >= 8 && strncasecmp(t, "https://", 8) == 0) i = 8;
    if (i) {
        /* Skip the authority; an absolute URI without a path means "/". */
        while (i < n && t[i] != '/' && t[i] != '?' && t[i] != '#') i++;
        if (i == n || t[i] != '/') {
            if (out_size < 2) return 414;
            strcpy(out, "/");
            return 0;
        }
    } else if (n == 0 || t[0] != '/') {
        return 400;
    }
    size_t o = 0;
    for (; i < n && t[i] != '?' && t[i] != '#'; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c == '%') {
            int hi = i + 1 < n ? hex_value((unsigned char)t[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value((unsigned char)t[i + 2]) : -1;
            if (hi < 0 || lo < 0) return 400;
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        /* NUL would cut the path short of what was checked; other control
         * characters have no business in a file name and would reach the
         * access log. */
        if (c < 0x20 || c == 0x7f) return 400;
        if (o + 1 >= out_size) return 414;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return 0;
}

/* The query of target t[0..n) ("?a=1&b=2" without the '?'), as received,
 * into out: kept only when it is all visible ASCII and fits (what a
 * redirect may copy into a Location field); else "". */
static void copy_query(const char *t, size_t n, char *out, size_t out_size)
{
    out[0] = '\0';
    const char *q = memchr(t, '?', n);
    if (!q) return;
    size_t len = 0, start = (size_t)(q + 1 - t);
    while (start + len < n && t[start + len] != '#') {
        unsigned char c = (unsigned char)t[start + len];
        if (c <= 0x20 || c >= 0x7f) return;
        len++;
    }
    if (len + 1 > out_size) return;
    memcpy(out, t + start, len);
    out[len] = '\0';
}

/* What to return when the bytes run out at `n` (the scan limit): more
 * bytes may complete the head, unless the limit is the maximum size. */
static int need_more(size_t n, int in_request_line)
{
    if (n < FP_HTTP_MAX_HEAD) return 1;
    return in_request_line ? 414 : 431;
}

/* Ends a line at buf[p] (CRLF or a bare LF). Returns the index after it,
 * 0 when the bytes run out first, or -1 for a CR not followed by LF. */
static long line_end(const char *buf, size_t n, size_t p)
{
    if (buf[p] == '\n') return (long)p + 1;
    if (p + 1 >= n) return 0;
    return buf[p + 1] == '\n' ? (long)p + 2 : -1;
}

int fp_http_parse_request(const char *buf, size_t len, fp_http_request *req)
{
    memset(req, 0, sizeof *req);
    /* Nothing past FP_HTTP_MAX_HEAD is ever looked at: that bounds the work
     * whatever the caller hands in. */
    size_t n = len < FP_HTTP_MAX_HEAD ? len : FP_HTTP_MAX_HEAD;
    size_t p = 0;

    /* RFC 9112 2.2: a server SHOULD ignore empty lines before the request
     * line (some clients send a CRLF after a request). */
    while (p < n && (buf[p] == '\r' || buf[p] == '\n')) {
        if (++p > MAX_LEADING_EOL) return 400;
    }

    /* ---- request-line = method SP request-target SP HTTP-version CRLF */
    size_t m0 = p;
    while (p < n && is_tchar((unsigned char)buf[p])) {
        if (++p - m0 > MAX_METHOD) return 400;
    }
    if (p == n) return need_more(n, 1);
    if (buf[p] != ' ' || p == m0) return 400;
    size_t mlen = p - m0;
    if (mlen < sizeof req->method) memcpy(req->method, buf + m0, mlen);
    p++;

    size_t t0 = p;
    while (p < n && buf[p] != ' ') {
        unsigned char c = (unsigned char)buf[p];
        /* CR/LF here is a request without a version (HTTP/0.9): refused. */
        if (c < 0x21 || c == 0x7f) return 400;
        p++;
    }
    if (p == n) return need_more(n, 1);
    if (p == t0) return 400;
    size_t t1 = p++;

    size_t v0 = p;
    while (p < n && buf[p] != '\r' && buf[p] != '\n') {
        if (++p - v0 > 8) return 400; /* "HTTP/1.1" is 8 bytes */
    }
    if (p == n) return need_more(n, 1);
    long next = line_end(buf, n, p);
    if (next < 0) return 400;
    if (next == 0) return need_more(n, 1);
    const char *v = buf + v0;
    if (p - v0 != 8 || memcmp(v, "HTTP/", 5) != 0 || v[5] < '0' || v[5] > '9' || v[6] != '.' || v[7] < '0' ||
        v[7] > '9')
        return 400;
    if (v[5] != '1') return 505;
    req->version_minor = v[7] >= '1' ? 1 : 0;
    p = (size_t)next;

    /* The path is decoded before the method is judged so that the log of a
     * 405 can say which path was asked for. Methods are case-sensitive
     * (RFC 9110 9.1): "get" is not GET. */
    int known = (mlen == 3 && memcmp(buf + m0, "GET", 3) == 0) || (mlen == 4 && memcmp(buf + m0, "HEAD", 4) == 0) ||
                (mlen == 7 && memcmp(buf + m0, "OPTIONS", 7) == 0);   /* a browser's CORS preflight */
    int rc = decode_target(buf + t0, t1 - t0, req->path, sizeof req->path);
    if (rc) req->path[0] = '\0';
    else copy_query(buf + t0, t1 - t0, req->query, sizeof req->query);
    /* "OPTIONS * HTTP/1.1": the server as a whole (RFC 9110 7.1). */
    if (rc && mlen == 7 && t1 - t0 == 1 && buf[t0] == '*' && memcmp(buf + m0, "OPTIONS", 7) == 0) {
        rc = 0;
        strcpy(req->path, "*");
    }
    if (!known) return 405;
    if (rc) return rc;

    /* ---- header fields, up to the empty line */
    struct conn_tokens ct = { 0, 0 };
    int nfields = 0, hosts = 0, inm_overflow = 0, ims_overflow = 0, range_overflow = 0;
    for (;;) {
        if (p == n) return need_more(n, 0);
        if (buf[p] == '\r' || buf[p] == '\n') {
            next = line_end(buf, n, p);
            if (next < 0) return 400;
            if (next == 0) return need_more(n, 0);
            p = (size_t)next;
            break;
        }
        /* A line starting with whitespace continues the previous field
         * (obsolete line folding): RFC 9112 5.2 lets us reject it. */
        if (buf[p] == ' ' || buf[p] == '\t') return 400;
        if (++nfields > MAX_HEADERS) return 431;

        size_t k0 = p;
        while (p < n && is_tchar((unsigned char)buf[p])) p++;
        if (p == n) return need_more(n, 0);
        /* No whitespace between name and colon (RFC 9112 5.1). */
        if (buf[p] != ':' || p == k0) return 400;
        size_t klen = p - k0;
        p++;
        while (p < n && (buf[p] == ' ' || buf[p] == '\t')) p++;
        size_t val0 = p;
        while (p < n && buf[p] != '\r' && buf[p] != '\n') {
            unsigned char c = (unsigned char)buf[p];
            if ((c < 0x20 && c != '\t') || c == 0x7f) return 400;
            p++;
        }
        if (p == n) return need_more(n, 0);
        next = line_end(buf, n, p);
        if (next < 0) return 400;
        if (next == 0) return need_more(n, 0);
        size_t val1 = p;
        while (val1 > val0 && (buf[val1 - 1] == ' ' || buf[val1 - 1] == '\t')) val1--;
        p = (size_t)next;

        const char *key = buf + k0, *val = buf + val0;
        size_t vlen = val1 - val0;
        if (span_is(key, klen, "host")) {
            hosts++;
            /* Kept only when it is a plain host[:port] (letters, digits,
             * '.', '-', ':', '[', ']'): it goes into URLs serve writes. */
            int plain = vlen > 0 && vlen < sizeof req->host;
            for (size_t i = 0; plain && i < vlen; i++)
                plain = isalnum((unsigned char)val[i]) || strchr(".-:[]", val[i]) != NULL;
            if (plain && hosts == 1) {
                memcpy(req->host, val, vlen);
                req->host[vlen] = '\0';
            } else {
                req->host[0] = '\0';
                req->host_invalid = 1;
            }
        } else if (span_is(key, klen, "connection")) {
            each_element(val, vlen, connection_token, &ct);
        } else if (span_is(key, klen, "content-length")) {
            /* No request body is accepted: reading one would need a body
             * parser, and leaving one unread would desynchronise the next
             * request on this connection. */
            if (vlen == 0) return 400;
            for (size_t i = 0; i < vlen; i++)
                if (val[i] != '0') return 400; /* not a number, or not zero */
        } else if (span_is(key, klen, "transfer-encoding")) {
            return 400;
        } else if (span_is(key, klen, "accept-encoding")) {
            each_element(val, vlen, encoding_token, &req->accept_gzip);
        } else if (span_is(key, klen, "if-none-match")) {
            keep_value(req->if_none_match, sizeof req->if_none_match, &inm_overflow, val, vlen);
        } else if (span_is(key, klen, "if-modified-since")) {
            keep_value(req->if_modified_since, sizeof req->if_modified_since, &ims_overflow, val, vlen);
        } else if (span_is(key, klen, "x-forwarded-proto")) {
            req->forwarded_https = span_is(val, vlen, "https");
        } else if (span_is(key, klen, "range")) {
            keep_value(req->range, sizeof req->range, &range_overflow, val, vlen);
        }
    }

    /* RFC 9112 3.2: an HTTP/1.1 request without exactly one Host is a 400. */
    if (hosts > 1 || (req->version_minor >= 1 && hosts == 0)) return 400;
    req->keep_alive = req->version_minor >= 1 ? !ct.close : (ct.keep_alive && !ct.close);
    req->head_len = p;
    return 0;
}

/* ------------------------------------------------------ content types --- */

static const struct { const char *ext, *type; } content_types[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "js", "text/javascript" },
    { "mjs", "text/javascript" },
    { "css", "text/css" },
    { "json", "application/json" },
    { "geojson", "application/geo+json" },
    { "geojsons", "application/geo+json-seq" },   /* RFC 8142 */
    { "wasm", "application/wasm" },               /* WebAssembly.instantiateStreaming wants it */
    { "map", "application/json" },
    { "png", "image/png" },
    { "webp", "image/webp" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "pbf", FP_MVT_TYPE },
    { "mvt", FP_MVT_TYPE },
    { "svg", "image/svg+xml" },
    { "pdf", "application/pdf" },
    { "pmtiles", "application/vnd.pmtiles" },
    { "tif", "image/tiff" },
    { "txt", "text/plain; charset=utf-8" },
    { "ico", "image/x-icon" },
    { "woff", "font/woff" },
    { "woff2", "font/woff2" },
};

const char *fpi_http_content_type(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    if (dot) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot + 1, content_types[i].ext) == 0) return content_types[i].type;
    }
    return "application/octet-stream";
}

/* ----------------------------------------------------------- dates --- */

void fpi_http_date(time_t t, char out[40])
{
    /* Names spelled out rather than strftime's %a/%b, which follow the
     * locale: HTTP dates are always English. */
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    struct tm tm;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ------------------------------------------------------ entity tags --- */

int fpi_http_etag_match(const char *list, const char *etag)
{
    /* Our own tags are strong; the weak comparison ignores "W/" on theirs. */
    size_t elen = strlen(etag);
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return 0;
        if (*p == '*') return 1;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        if (*p != '"') return 0; /* malformed: no match, a full response is safe */
        const char *q = strchr(p + 1, '"');
        if (!q) return 0;
        size_t tlen = (size_t)(q - p) + 1;
        if (tlen == elen && memcmp(p, etag, elen) == 0) return 1;
        p = q + 1;
    }
}

/* ---------------------------------------------------- tile addresses --- */

/* Reads a decimal number s[0..n) of 1 to 10 digits into *v. */
static int read_number(const char *s, size_t n, long long *v)
{
    if (n == 0 || n > 10) return 0;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

int fpi_serve_tile_address(const char *path, char *prefix, size_t prefix_size, int *z, int *x, int *y, char ext[8])
{
    static const char *const exts[] = { "png", "jpg", "jpeg", "webp", "pbf", "mvt" };
    size_t len = strlen(path);
    const char *slash_y = strrchr(path, '/');
    if (!slash_y) return 0;
    const char *dot = strrchr(slash_y, '.');
    if (!dot) return 0;
    int known = 0;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot + 1, exts[i]) == 0) known = 1;
    if (!known) return 0;

    /* Walk back over Y, X and Z: three slash-separated numbers. */
    const char *ends[3], *starts[3];
    ends[2] = dot;
    starts[2] = slash_y + 1;
    const char *cur = slash_y;
    for (int k = 1; k >= 0; k--) {
        ends[k] = cur;
        const char *s = cur;
        while (s > path && s[-1] != '/') s--;
        if (s == path) return 0; /* the path starts with '/', so this is no segment */
        starts[k] = s;
        cur = s - 1;
    }
    long long v[3];
    for (int k = 0; k < 3; k++)
        if (!read_number(starts[k], (size_t)(ends[k] - starts[k]), &v[k])) return 0;
    if (v[0] > 30 || v[1] >= (1LL << v[0]) || v[2] >= (1LL << v[0])) return 0;

    size_t plen = (size_t)(cur - path);
    if (plen >= prefix_size) return 0;
    memcpy(prefix, path, plen);
    prefix[plen] = '\0';
    *z = (int)v[0];
    *x = (int)v[1];
    *y = (int)v[2];
    size_t elen = len - (size_t)(dot + 1 - path);
    for (size_t i = 0; i < elen; i++) {
        char c = dot[1 + i];
        ext[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    ext[elen] = '\0';
    return 1;
}
