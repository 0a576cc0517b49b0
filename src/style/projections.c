/* The projection names a map takes, one list for render's --proj, a style's
 * view.projection and the QGIS project written from a style: each name's
 * PROJ definition, centred on the map's view, and the message that lists
 * them. A value that is not a name (EPSG:n, a PROJ string, WKT) goes to
 * PROJ as it is. */
#include <stdio.h>
#include <string.h>
#include "fp_style.h"
#include "style/style_internal.h"

typedef struct projection {
    const char *name;
    const char *proj;             /* +proj=... of the projection */
    int centred_lat;              /* also centred on the view's latitude (azimuthal) */
} projection;

/* Web Mercator is EPSG:3857 itself (the tiles' projection), never centred;
 * every other is on WGS 84 and centred on the view's central meridian. */
static const projection known[] = {
    { "equal-earth", "eqearth", 0 },
    { "robinson", "robin", 0 },
    { "mollweide", "moll", 0 },
    { "natural-earth", "natearth", 0 },
    { "equirectangular", "eqc", 0 },
    { "mercator", "merc", 0 },
    { "web-mercator", NULL, 0 },
    { "laea", "laea", 1 },
};
#define N_KNOWN (sizeof known / sizeof known[0])

static const char *const names[N_KNOWN + 1] = {
    "equal-earth", "robinson", "mollweide", "natural-earth", "equirectangular", "mercator", "web-mercator", "laea", NULL
};

const char *const *fp_projection_names(void)
{
    return names;
}

static const projection *find(const char *value)
{
    for (size_t i = 0; value && i < N_KNOWN; i++)
        if (!strcmp(value, known[i].name)) return &known[i];
    return NULL;
}

int fp_projection_definition(const char *value, double lon0, double lat0, char *out, size_t size)
{
    const projection *p = find(value ? value : "equal-earth");
    if (!p) {
        snprintf(out, size, "%s", value);
        return 0;
    }
    if (!p->proj) snprintf(out, size, "EPSG:3857");
    else if (p->centred_lat)
        snprintf(out, size, "+proj=%s +lat_0=%.6g +lon_0=%.6g +datum=WGS84 +units=m +type=crs", p->proj, lat0, lon0);
    else
        snprintf(out, size, "+proj=%s +lon_0=%.6g +datum=WGS84 +units=m +type=crs", p->proj, lon0);
    return 1;
}

int fp_projection_is_mercator(const char *value)
{
    return value && (!strcmp(value, "mercator") || !strcmp(value, "web-mercator"));
}

void fp_projection_hint(const char *value, char *out, size_t size)
{
    const char *near = value ? fpi_style_closest(value, names, SIZE_MAX) : NULL;
    int n = 0;
    if (near) n = snprintf(out, size, "did you mean \"%s\"? ", near);
    if (n < 0 || (size_t)n >= size) n = 0;
    n += snprintf(out + n, size - (size_t)n, "names:");
    for (size_t i = 0; names[i] && (size_t)n < size; i++)
        n += snprintf(out + n, size - (size_t)n, "%s %s", i ? "," : "", names[i]);
    if ((size_t)n < size) snprintf(out + n, size - (size_t)n, "; or EPSG:n, ESRI:n, a PROJ string (+proj=...)");
}
