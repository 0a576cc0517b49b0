/*
 * Fuzz harness: field mapping (src/ingest/fields.c) — how input columns
 * become data-model fields, with --map entries. The input is split at
 * newlines: lines before a line "--" are column names, lines after it are
 * --map values FIELD=COLUMN. Invariants: every field maps to -1 or an
 * existing column; an automatically detected column is never one an
 * explicit --map took; an error names the file.
 */
#include "fuzz_common.h"
#include "ingest/ingest_internal.h"

#define MAX_ITEMS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_strdup(data, size);
    const char *cols[MAX_ITEMS];
    fp_column_map maps[MAX_ITEMS];
    int ncols = 0, nmaps = 0, in_maps = 0;
    for (char *line = text, *next; line && ncols < MAX_ITEMS && nmaps < MAX_ITEMS; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        if (!in_maps && strcmp(line, "--") == 0) { in_maps = 1; continue; }
        if (!in_maps) { cols[ncols++] = line; continue; }
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = '\0';
        maps[nmaps].field = line;
        maps[nmaps++].column = eq + 1;
    }
    for (int i = 0; i < ncols; i++) {
        int f = fpi_field_for_column(cols[i]);
        FZ_CHECK(f >= -1 && f < FP_F_COUNT, "fpi_field_for_column gave %d", f);
        f = fpi_field_index(cols[i]);
        FZ_CHECK(f >= -1 && f < FP_F_COUNT, "fpi_field_index gave %d", f);
    }
    int field_col[FP_F_COUNT];
    fp_error err = {0};
    fp_status st = fpi_resolve_fields("fuzz.csv", cols, ncols, maps, nmaps, field_col, &err);
    if (st == FP_OK) {
        for (int f = 0; f < FP_F_COUNT; f++) {
            FZ_CHECK(field_col[f] >= -1 && field_col[f] < ncols, "field %d -> column %d of %d", f, field_col[f], ncols);
            int explicit_map = 0;
            for (int m = 0; m < nmaps; m++) explicit_map |= fpi_field_index(maps[m].field) == f;
            if (explicit_map || field_col[f] < 0) continue;
            /* Detected by name: the column's name is one of the field's. */
            FZ_CHECK(fpi_field_for_column(cols[field_col[f]]) == f, "column '%s' detected as field %d",
                     cols[field_col[f]], f);
            for (int m = 0; m < nmaps; m++) {
                int g = fpi_field_index(maps[m].field);
                FZ_CHECK(g < 0 || field_col[g] != field_col[f], "column %d used by --map and detection", field_col[f]);
            }
        }
    } else {
        FZ_CHECK(st == FP_ERR_USAGE || st == FP_ERR_INPUT, "status %d", st);
        FZ_CHECK(strlen(err.message) > 0, "no message");
        FZ_CHECK(st == FP_ERR_USAGE || strncmp(err.message, "fuzz.csv: ", 10) == 0, "message without the file: %s",
                 err.message);
    }
    free(text);
    return 0;
}
