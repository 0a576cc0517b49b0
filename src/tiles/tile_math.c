/* Web Mercator tile arithmetic (the OSM slippy-map scheme). The renderer
 * projects with PROJ; these closed forms only address tiles. */
#include <math.h>
#include "fp_tiles.h"

void fp_merc_from_lonlat(double lon, double lat, double *x, double *y)
{
    if (lat > FP_MERC_MAX_LAT) lat = FP_MERC_MAX_LAT;
    if (lat < -FP_MERC_MAX_LAT) lat = -FP_MERC_MAX_LAT;
    *x = lon * FP_MERC_HALF / 180.0;
    *y = log(tan(M_PI / 4 + lat * M_PI / 360.0)) * 6378137.0;
}

void fp_lonlat_from_merc(double x, double y, double *lon, double *lat)
{
    *lon = x * 180.0 / FP_MERC_HALF;
    *lat = (2 * atan(exp(y / 6378137.0)) - M_PI / 2) * 180.0 / M_PI;
}

void fp_tile_from_lonlat(double lon, double lat, int z, int *x, int *y)
{
    double n = ldexp(1.0, z);
    if (lat > FP_MERC_MAX_LAT) lat = FP_MERC_MAX_LAT;
    if (lat < -FP_MERC_MAX_LAT) lat = -FP_MERC_MAX_LAT;
    double fx = (lon + 180.0) / 360.0 * n;
    double r = lat * M_PI / 180.0;
    double fy = (1.0 - asinh(tan(r)) / M_PI) / 2.0 * n;
    int ix = (int)floor(fx), iy = (int)floor(fy);
    int max = (int)n - 1;
    *x = ix < 0 ? 0 : ix > max ? max : ix;
    *y = iy < 0 ? 0 : iy > max ? max : iy;
}

void fp_tile_bounds_merc(int z, int x, int y, double b[4])
{
    double size = 2 * FP_MERC_HALF / ldexp(1.0, z);
    b[0] = -FP_MERC_HALF + x * size;
    b[2] = b[0] + size;
    b[3] = FP_MERC_HALF - y * size;
    b[1] = b[3] - size;
}

void fp_tile_bounds_lonlat(int z, int x, int y, double b[4])
{
    double n = ldexp(1.0, z);
    b[0] = x / n * 360.0 - 180.0;
    b[2] = (x + 1) / n * 360.0 - 180.0;
    b[3] = atan(sinh(M_PI * (1 - 2 * y / n))) * 180.0 / M_PI;
    b[1] = atan(sinh(M_PI * (1 - 2 * (y + 1) / n))) * 180.0 / M_PI;
}
