/*
 * Fuzz harness: an import through GDAL/OGR (fp_import_file on a .geojson
 * file) into an in-memory store — GeoJSON parsing by GDAL, the layer's CRS
 * (a `crs` member), attribute typing into `extra`, geometry checks (NaN,
 * range, GEOS validity, curves, Z/M), SpatiaLite encoding. The first byte
 * sets --make-valid; the rest is the file. Checks as for CSV (fuzz_store.h).
 */
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    fp_import_options o = { .strict_geometry = data[0] & 1 };
    const char *path = fz_write("input.geojson", data + 1, size - 1);
    fz_import_and_check(path, &o);
    return 0;
}
