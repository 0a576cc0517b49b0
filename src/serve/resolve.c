/*
 * From a request path to a file under the served folder, and nowhere else.
 *
 * Two independent fences. First the path itself: no ".." segment, no
 * backslash (a Windows separator some clients let through), no hidden
 * segment (".git", ".env", and "." itself). Then the file system: the
 * joined path is resolved with realpath(), which follows every symlink, and
 * the result must still lie under the realpath of the root. A symlink
 * inside the folder pointing elsewhere is therefore not followed out; one
 * pointing to another place inside the folder works.
 *
 * A window remains between realpath() here and open() in the server (a
 * symlink swapped in between); the server opens with O_NOFOLLOW and checks
 * the result is a regular file, which covers the last component. For a
 * preview server on the loopback interface that is enough.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "serve/serve_internal.h"

/* True if real (a realpath) is root or lies below it. */
static int is_under(const char *root, const char *real)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/') return real[0] == '/';
    return strncmp(real, root, n) == 0 && (real[n] == '/' || real[n] == '\0');
}

/* realpath() of p, checked to stay under root; fills st. Returns 0 or an
 * HTTP status. */
static int real_under(const char *root, const char *p, char real[PATH_MAX], struct stat *st)
{
    if (!realpath(p, real)) return errno == EACCES ? 403 : 404;
    if (!is_under(root, real)) return 404;
    if (stat(real, st) != 0) return errno == EACCES ? 403 : 404;
    return 0;
}

int fpi_serve_resolve(const char *root, const char *path, char *out, size_t out_size)
{
    if (path[0] != '/') return 400;
    if (strchr(path, '\\')) return 400;
    int hidden = 0;
    for (const char *s = path; *s;) {
        while (*s == '/') s++;
        const char *e = s;
        while (*e && *e != '/') e++;
        if (e - s == 2 && s[0] == '.' && s[1] == '.') return 400;
        if (e > s && s[0] == '.') hidden = 1;
        s = e;
    }
    if (hidden) return 404;

    char joined[PATH_MAX], real[PATH_MAX];
    size_t plen = strlen(path);
    if ((size_t)snprintf(joined, sizeof joined, "%s%s", root, path) >= sizeof joined) return 404;
    struct stat st;
    int rc = real_under(root, joined, real, &st);
    if (rc) return rc;

    if (S_ISDIR(st.st_mode)) {
        /* Without the final '/', relative links in the folder's index.html
         * would resolve against the parent: redirect, as web servers do. */
        if (path[plen - 1] != '/') return 301;
        char index[PATH_MAX];
        if ((size_t)snprintf(index, sizeof index, "%s/index.html", real) >= sizeof index) return 404;
        /* index.html may itself be a symlink: the same check again. */
        rc = real_under(root, index, real, &st);
        if (rc) return rc;
    } else if (path[plen - 1] == '/') {
        return 404; /* "file.html/" names no folder */
    }
    if (!S_ISREG(st.st_mode)) return 404;
    if (strlen(real) >= out_size) return 404;
    strcpy(out, real);
    return 200;
}
