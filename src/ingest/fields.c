/* The data-model fields and how input columns map onto them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ingest/ingest_internal.h"

const char *const fp_field_names[FP_F_COUNT] = {
    "id", "company", "category", "name", "place", "country", "year", "status", "amount", "source"
};

/* Column names recognised without --map (compared case-insensitively). */
static const char *const aliases[FP_F_COUNT][8] = {
    [FP_F_ID] = { "id", "project_id", "source_id", "key", "uid", NULL },
    [FP_F_COMPANY] = { "company", "organisation", "organization", "org", "firm", "operator", NULL },
    [FP_F_CATEGORY] = { "category", "type", "sector", "kind", NULL },
    [FP_F_NAME] = { "name", "project", "project_name", "title", NULL },
    [FP_F_PLACE] = { "place", "city", "town", "locality", "location", "site", NULL },
    [FP_F_COUNTRY] = { "country", "country_code", "iso3", "iso_a3", "iso2", "iso_a2", "nation", NULL },
    [FP_F_YEAR] = { "year", "start_year", NULL },
    [FP_F_STATUS] = { "status", NULL },
    [FP_F_AMOUNT] = { "amount", "value", "amount_usd", "value_usd", "usd", NULL },
    [FP_F_SOURCE] = { "source", "source_url", "url", "link", NULL },
};

int fp_field_index(const char *name)
{
    for (int i = 0; i < FP_F_COUNT; i++)
        if (strcasecmp(fp_field_names[i], name) == 0) return i;
    return -1;
}

int fp_field_for_column(const char *column)
{
    for (int f = 0; f < FP_F_COUNT; f++)
        for (int a = 0; aliases[f][a]; a++)
            if (strcasecmp(aliases[f][a], column) == 0) return f;
    return -1;
}

static int find_column(const char *const *columns, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(columns[i], name) == 0) return i;
    for (int i = 0; i < n; i++)
        if (strcasecmp(columns[i], name) == 0) return i;
    return -1;
}

static void list_columns(const char *const *columns, int n, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o + 4 < size; i++)
        o += snprintf(buf + o, size - o, "%s%s", i ? ", " : "", columns[i]);
}

fp_status fp_resolve_fields(const char *path, const char *const *columns, int ncolumns,
                            const fp_column_map *maps, int nmaps, int field_col[FP_F_COUNT],
                            fp_error *err)
{
    for (int f = 0; f < FP_F_COUNT; f++) field_col[f] = -1;
    int explicit_field[FP_F_COUNT] = {0};
    for (int m = 0; m < nmaps; m++) {
        int f = fp_field_index(maps[m].field);
        if (f < 0)
            return fp_error_set(err, FP_ERR_USAGE, "--map %s=%s: unknown field '%s' (fields: " FP_FIELD_LIST ")",
                                maps[m].field, maps[m].column, maps[m].field);
        int c = find_column(columns, ncolumns, maps[m].column);
        if (c < 0) {
            char list[1024];
            list_columns(columns, ncolumns, list, sizeof list);
            return fp_error_set(err, FP_ERR_INPUT, "%s: --map %s=%s: no column '%s' (columns: %s)",
                                path, maps[m].field, maps[m].column, maps[m].column, list);
        }
        field_col[f] = c;
        explicit_field[f] = 1;
    }
    for (int c = 0; c < ncolumns; c++) {
        int f = fp_field_for_column(columns[c]);
        if (f < 0 || explicit_field[f] || field_col[f] >= 0) continue;
        /* A column already used by an explicit map is not reused. */
        int used = 0;
        for (int g = 0; g < FP_F_COUNT; g++) used |= field_col[g] == c;
        if (!used) field_col[f] = c;
    }
    return FP_OK;
}
