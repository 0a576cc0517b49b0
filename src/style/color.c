/* Colours: hex notation and the ColorBrewer look-ups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "fp_style.h"
#include "style/palettes.h"

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

int fp_rgba_parse(const char *text, fp_rgba *out)
{
    if (!text || !out) return -1;
    if (strcmp(text, "none") == 0) {
        *out = (fp_rgba){ 0, 0, 0, 0 };
        return 0;
    }
    if (text[0] != '#') return -1;
    size_t len = strlen(text + 1);
    if (len != 3 && len != 6 && len != 8) return -1;
    int d[8];
    for (size_t i = 0; i < len; i++)
        if ((d[i] = hexval((unsigned char)text[1 + i])) < 0) return -1;
    if (len == 3) {
        /* #abc is #aabbcc, as in CSS. */
        *out = (fp_rgba){ (unsigned char)(d[0] * 17), (unsigned char)(d[1] * 17), (unsigned char)(d[2] * 17), 255 };
        return 0;
    }
    *out = (fp_rgba){ (unsigned char)(d[0] * 16 + d[1]), (unsigned char)(d[2] * 16 + d[3]),
                      (unsigned char)(d[4] * 16 + d[5]), len == 8 ? (unsigned char)(d[6] * 16 + d[7]) : 255 };
    return 0;
}

void fp_rgba_to_hex(fp_rgba c, char out[10])
{
    if (c.a == 255)
        snprintf(out, 10, "#%02x%02x%02x", c.r, c.g, c.b);
    else
        snprintf(out, 10, "#%02x%02x%02x%02x", c.r, c.g, c.b, c.a);
}

static int compare_scheme(const void *key, const void *elem)
{
    return strcasecmp((const char *)key, ((const fp_scheme *)elem)->name);
}

const fp_scheme *fpi_scheme_find(const char *name)
{
    if (!name) return NULL;
    return bsearch(name, fpi_schemes, (size_t)fpi_nschemes, sizeof fpi_schemes[0], compare_scheme);
}

int fp_palette(const char *scheme, int n, fp_rgba *out)
{
    const fp_scheme *s = fpi_scheme_find(scheme);
    if (!s || n < s->min || n > s->max) return -1;
    /* The palettes of min..n-1 classes come first. */
    const unsigned char(*c)[3] = s->colors;
    for (int k = s->min; k < n; k++) c += k;
    for (int i = 0; i < n; i++) out[i] = (fp_rgba){ c[i][0], c[i][1], c[i][2], 255 };
    return 0;
}

int fp_palette_info(const char *scheme, const char **name, fp_scheme_kind *kind, int *min, int *max)
{
    const fp_scheme *s = fpi_scheme_find(scheme);
    if (!s) return -1;
    if (name) *name = s->name;
    if (kind) *kind = s->kind;
    if (min) *min = s->min;
    if (max) *max = s->max;
    return 0;
}
