/*
 * Fuzz harness: the `serve` request parser, fp_http_parse_request
 * (include/fp_serve.h). It must never read beyond len (ASan checks: the
 * input block is exactly len bytes), and returns 0 with a GET or HEAD
 * request whose decoded path starts with '/' and is NUL-terminated, 1 for
 * "more bytes needed", or one of the documented statuses. A complete
 * request stays complete with more bytes after it (a pipelined request).
 */
#include "fuzz_common.h"
#include "fp_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fp_http_request req;
    memset(&req, 0x5a, sizeof req);
    int rc = fp_http_parse_request((const char *)data, size, &req);
    FZ_CHECK(rc == 0 || rc == 1 || rc == 400 || rc == 405 || rc == 414 || rc == 431 || rc == 505, "returned %d", rc);
    if (rc == 0) {
        FZ_CHECK(memchr(req.method, '\0', sizeof req.method) != NULL, "method not terminated");
        FZ_CHECK(!strcmp(req.method, "GET") || !strcmp(req.method, "HEAD"), "method '%s'", req.method);
        FZ_CHECK(memchr(req.path, '\0', sizeof req.path) != NULL, "path not terminated");
        FZ_CHECK(req.path[0] == '/', "path '%s'", req.path);
        FZ_CHECK(req.keep_alive == 0 || req.keep_alive == 1, "keep_alive %d", req.keep_alive);
    }
    /* A head complete in a prefix is the same head in the whole input. */
    if (rc == 0 && size > 1) {
        size_t cuts[2] = { size / 2, size - 1 };
        for (int i = 0; i < 2; i++) {
            fp_http_request part;
            int prc = fp_http_parse_request((const char *)data, cuts[i], &part);
            FZ_CHECK(prc != 0 || strcmp(part.path, req.path) == 0, "prefix of %zu bytes parsed as '%s', whole as '%s'",
                     cuts[i], part.path, req.path);
        }
    }
    return 0;
}
