/* Reading SpatiaLite geometry blobs without a round trip through SQL. */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "common/util.h"

/* A SpatiaLite blob of a 2D POINT: fixed layout (header, MBR, class 1, x, y). */
int fp_blob_point(const unsigned char *b, int len, double *x, double *y)
{
    if (len != 60 || b[0] != 0x00 || b[38] != 0x7C || b[59] != 0xFE) return 0;
    int little = b[1] == 0x01;
    uint32_t cls;
    memcpy(&cls, b + 39, 4);
    if (!little) cls = GUINT32_SWAP_LE_BE(cls);
    if (cls != 1) return 0;
    uint64_t ux, uy;
    memcpy(&ux, b + 43, 8);
    memcpy(&uy, b + 51, 8);
    if (!little) { ux = GUINT64_SWAP_LE_BE(ux); uy = GUINT64_SWAP_LE_BE(uy); }
    memcpy(x, &ux, 8);
    memcpy(y, &uy, 8);
    return 1;
}

