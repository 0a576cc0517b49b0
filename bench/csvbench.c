/* Reads a CSV with footprint's reader and parses the lon/lat columns, as the
 * import does: the "ours" side of benchmark B (CSV reading vs OGR's driver). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ingest/csv_reader.h"

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: footprint-csvbench FILE.csv\n"); return 2; }
    fp_csv_reader *r;
    fp_error err = {0};
    if (fpi_csv_open(argv[1], &r, &err)) { fprintf(stderr, "%s\n", err.message); return 1; }
    fp_csv_record rec;
    int lon = -1, lat = -1;
    long rows = 0;
    double sum = 0;
    if (fpi_csv_next(r, &rec, &err) == 1)
        for (int i = 0; i < rec.nfields; i++) {
            if (!strcmp(rec.fields[i], "lon")) lon = i;
            if (!strcmp(rec.fields[i], "lat")) lat = i;
        }
    while (fpi_csv_next(r, &rec, &err) == 1) {
        if (lon >= 0 && lat >= 0 && rec.nfields > lon && rec.nfields > lat)
            sum += strtod(rec.fields[lon], NULL) + strtod(rec.fields[lat], NULL);
        rows++;
    }
    fpi_csv_free(r);
    printf("%ld rows, checksum %.3f\n", rows, sum);
    return 0;
}
