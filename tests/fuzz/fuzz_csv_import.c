/*
 * Fuzz harness: a whole CSV import (fp_import_file) into an in-memory
 * store — the reader, column detection, coordinates, WKT, --crs, Latin-1,
 * the sink, duplicate ids, the spatial index. The first byte picks import
 * options, the rest is the file. Checks (fuzz_store.h): the counts add up
 * and match the tables; a failed import stores nothing.
 */
#include "fuzz_store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    unsigned flags = data[0];
    static const fp_column_map maps[] = { { "company", "firm" }, { "place", "city" } };
    fp_import_options o = {
        .strict_geometry = flags & 1,
        .crs = (flags & 2) ? "EPSG:3857" : NULL,
        .wkt_column = (flags & 0x0c) == 0x04 ? "wkt" : NULL,
        .lon_column = (flags & 0x0c) == 0x08 ? "x" : NULL,
        .lat_column = (flags & 0x0c) == 0x08 ? "y" : NULL,
        .maps = (flags & 0x10) ? maps : NULL,
        .nmaps = (flags & 0x10) ? 2 : 0,
        .dataset = (flags & 0x20) ? "d\"'; DROP TABLE projects; --" : NULL,
    };
    const char *path = fz_write("input.csv", data + 1, size - 1);
    fz_import_and_check(path, &o);
    return 0;
}
