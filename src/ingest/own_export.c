/*
 * footprint's own export read back: what the files written beside it say.
 * NAME.fields.csv maps the names the format made (a Shapefile's cut to 10
 * bytes, extra_KEY beside a store column of the same name) back to the
 * properties; a CSV's NAME.csvt declares its columns' types (GDAL's
 * convention, which footprint's CSV export follows). Without them a
 * Shapefile export was not recognised (geocode_method is geocode_me in the
 * .dbf) and every typed column of a CSV came back as text.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <glib.h>
#include "ingest/ingest_internal.h"
#include "ingest/csv_reader.h"

/* path with its extension replaced by ext ("p.shp" -> "p.fields.csv"), as
 * the export names the files beside its output. */
static char *sibling(const char *path, const char *ext)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    return g_strdup_printf("%.*s%s", (int)stem, path, ext);
}

/* The store's columns an export writes whose names a Shapefile cuts:
 * footprint's own export is recognised by them without the rename record. */
static const char *const long_own_columns[] = { "country_code", "geocode_method", "geocode_precision", NULL };

static int column_index(char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], name)) return i;
    return -1;
}

/* The rename record's rows for this layer: keys[i] set where column i was
 * written under another name. Returns how many; -1 when there is no
 * usable record. */
static int read_rename_record(const char *map_path, const char *layer, const char *const *cols, int n, char **keys)
{
    fp_csv_reader *rd = NULL;
    if (!g_file_test(map_path, G_FILE_TEST_IS_REGULAR) || fpi_csv_open(map_path, &rd, NULL)) return -1;
    fp_csv_record rec;
    int found = -1;
    /* Header: field,FORMAT_field, or layer,field,FORMAT_field (GeoPackage). */
    if (fpi_csv_next(rd, &rec, NULL) == 1 && (rec.nfields == 2 || rec.nfields == 3)) {
        int layered = rec.nfields == 3;
        const char *h = rec.fields[rec.nfields - 1];
        size_t hl = strlen(h);
        if (!strcmp(rec.fields[layered], "field") && hl > 6 && !strcmp(h + hl - 6, "_field") &&
            (!layered || !strcmp(rec.fields[0], "layer"))) {
            found = 0;
            while (fpi_csv_next(rd, &rec, NULL) == 1) {
                if (rec.nfields != 2 + layered || (layered && (!layer || strcmp(rec.fields[0], layer)))) continue;
                const char *prop = rec.fields[layered], *written = rec.fields[layered + 1];
                if (!strcmp(prop, written)) continue;
                for (int i = 0; i < n; i++)
                    if (!keys[i] && !strcmp(cols[i], written) && *prop) {
                        keys[i] = g_strdup(prop);
                        found++;
                    }
            }
        }
    }
    fpi_csv_free(rd);
    return found;
}

void fpi_names_restore(const char *path, const char *layer, const char *driver, const char *const *cols, int n,
                       fpi_names *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->match = g_new0(char *, n + 1);
    out->key = g_new0(char *, n + 1);
    char **restored = g_new0(char *, n + 1);
    char *map_path = sibling(path, ".fields.csv");
    int got = read_rename_record(map_path, layer, cols, n, restored);
    char *from = g_path_get_basename(map_path);
    if (got < 0 && driver && !strcmp(driver, "ESRI Shapefile")) {
        /* No record beside the .shp (copied without it): footprint's own
         * columns cut to 10 bytes, when the file has source_key and
         * dataset, which fit, and none of the full names. */
        got = 0;
        g_free(from);
        from = g_strdup("the 10-byte names of its own columns");
        int own = column_index((char *const *)cols, n, "source_key") >= 0 && column_index((char *const *)cols, n, "dataset") >= 0;
        for (int k = 0; own && long_own_columns[k]; k++) {
            char cut[11];
            snprintf(cut, sizeof cut, "%.10s", long_own_columns[k]);
            int i = column_index((char *const *)cols, n, cut);
            if (i >= 0 && column_index((char *const *)cols, n, long_own_columns[k]) < 0) {
                restored[i] = g_strdup(long_own_columns[k]);
                got++;
            }
        }
    }
    /* A restored name another column has already, ignoring case as the
     * formats compare names: the export renamed an extra key (extra_dataset
     * beside the store's dataset, extra_Name beside name) to keep the two
     * apart. It is the key its value is kept under, never the column the
     * fields are found by (or the store's dataset would be taken for it). */
    GString *said = g_string_new(NULL);
    for (int i = 0; i < n; i++) {
        int clash = 0;
        for (int j = 0; !clash && restored[i] && j < n; j++)
            clash = j != i && (!g_ascii_strcasecmp(cols[j], restored[i]) || (restored[j] && j < i && !g_ascii_strcasecmp(restored[j], restored[i])));
        /* An extra_KEY is an attribute the export kept apart from a column
         * footprint reads (a store column, X/Y/WKT, a name import takes for
         * coordinates: longitude, lat, wkt): its key comes back, but it is
         * never matched as that column, or a CSV export read back would
         * take an attribute longitude for the point's (58 km off). */
        int kept_apart = restored[i] && !g_ascii_strncasecmp(cols[i], "extra_", 6) &&
                         !g_ascii_strcasecmp(cols[i] + 6, restored[i]);
        out->match[i] = g_strdup(restored[i] && !clash && !kept_apart ? restored[i] : cols[i]);
        out->key[i] = g_strdup(restored[i] ? restored[i] : cols[i]);
        if (restored[i]) g_string_append_printf(said, "%s%s=%s", said->len ? ", " : "", cols[i], restored[i]);
    }
    /* Cut to the note's size: the first names say what happened. */
    if (got > 0) snprintf(out->note, sizeof out->note, "names as exported (%s): %s", from, said->str);
    g_string_free(said, TRUE);
    /* Sparse (NULL where a name was not changed): g_strfreev would stop at the first NULL. */
    for (int i = 0; i < n; i++) g_free(restored[i]);
    g_free(restored);
    g_free(from);
    g_free(map_path);
}

void fpi_names_free(fpi_names *names)
{
    g_strfreev(names->match);
    g_strfreev(names->key);
    memset(names, 0, sizeof *names);
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
