/*
 * footprint's own export read back: what the files written beside it say.
 * A CSV's NAME.csvt declares its columns' types (GDAL's convention, which
 * footprint's CSV export follows): without it every typed column of a CSV
 * came back as text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <glib.h>
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"

/* path with its extension replaced by ext ("t.csv" -> "t.csvt"), as the
 * export names the files beside its output. */
static char *sibling(const char *path, const char *ext)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    return g_strdup_printf("%.*s%s", (int)stem, path, ext);
}

/* ------------------------------------------------------------- .csvt --- */

/* One .csvt entry ("Integer", "Integer64(10)", "Real(Float32)",
 * "Integer(Boolean)", "String(JSON)", "CoordX", ...): what an extra value
 * of that column becomes. Widths and other subtypes change nothing here. */
static fpi_value_type csvt_type(const char *t)
{
    char base[32];
    size_t n = strcspn(t, "(");
    snprintf(base, sizeof base, "%.*s", (int)(n < sizeof base ? n : sizeof base - 1), t);
    g_strstrip(base);
    const char *sub = t[n] == '(' ? t + n + 1 : "";
    if (!g_ascii_strcasecmp(base, "Integer") && !g_ascii_strncasecmp(sub, "Boolean)", 8)) return FPI_VALUE_BOOLEAN;
    if (!g_ascii_strcasecmp(base, "Integer") || !g_ascii_strcasecmp(base, "Integer64")) return FPI_VALUE_INTEGER;
    if (!g_ascii_strcasecmp(base, "Real")) return FPI_VALUE_REAL;
    if (!g_ascii_strcasecmp(base, "String") && !g_ascii_strncasecmp(sub, "JSON)", 5)) return FPI_VALUE_JSON;
    return FPI_VALUE_TEXT;
}

fpi_value_type *fpi_csvt_read(const char *csv_path, int ncols, char *note, size_t size)
{
    note[0] = '\0';
    char *csvt = sibling(csv_path, ".csvt");
    fp_csv_reader *rd = NULL;
    fpi_value_type *types = NULL;
    fp_csv_record rec;
    if (g_file_test(csvt, G_FILE_TEST_IS_REGULAR) && !fpi_csv_open(csvt, &rd, NULL) && fpi_csv_next(rd, &rec, NULL) == 1) {
        char *base = g_path_get_basename(csvt);
        /* A .csvt for another version of the file (a column added by
         * hand): its types cannot be told apart, so none is used. */
        if (rec.nfields != ncols) {
            snprintf(note, size, "%s ignored: it declares %d column types, the file has %d columns", base, rec.nfields,
                     ncols);
        } else {
            types = calloc((size_t)ncols, sizeof *types);
            int typed = 0;
            for (int i = 0; types && i < ncols; i++) typed += (types[i] = csvt_type(rec.fields[i])) != FPI_VALUE_TEXT;
            snprintf(note, size, "column types from %s: %d of %d columns typed (numbers, booleans, JSON), the rest text", base,
                     typed, ncols);
        }
        g_free(base);
    }
    fpi_csv_free(rd);
    g_free(csvt);
    return types;
}

/* Whole text of an integer: digits with an optional sign, nothing else. */
static int parse_integer(const char *s, json_int_t *out)
{
    const char *d = s + (*s == '-' || *s == '+');
    if (!*d) return 0;
    for (const char *c = d; *c; c++) if (*c < '0' || *c > '9') return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return 0;
    *out = (json_int_t)v;
    return 1;
}

json_t *fpi_typed_value(const char *text, fpi_value_type type, int own_export)
{
    json_int_t i;
    switch (type) {
    case FPI_VALUE_INTEGER:
        if (parse_integer(text, &i)) return json_integer(i);
        break;
    case FPI_VALUE_REAL: {
        /* As GDAL reads a Real: a decimal number; a value that is not one
         * (a typo, "n/a") is kept as the text it is, never lost. */
        char *end;
        errno = 0;
        double d = strtod(text, &end);
        const char *digits = text + (*text == '-' || *text == '+');
        int hex = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X');
        if (end != text && !*end && !hex && !errno && isfinite(d)) return json_real(d);
        break;
    }
    case FPI_VALUE_BOOLEAN:
        if (!strcmp(text, "1") || !g_ascii_strcasecmp(text, "true")) return json_true();
        if (!strcmp(text, "0") || !g_ascii_strcasecmp(text, "false")) return json_false();
        break;
    case FPI_VALUE_JSON: {
        json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
        if (j) return j;
        break;
    }
    case FPI_VALUE_TEXT:
        /* footprint's export writes a nested value (a list, an object) as
         * its JSON text, in every format but GeoJSON: read back from its
         * own export, such text is the list or object again. */
        if (own_export && (text[0] == '{' || text[0] == '[')) {
            json_t *j = json_loads(text, 0, NULL);
            if (j) return j;
        }
        break;
    }
    return json_string(text);
}
