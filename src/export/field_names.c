/* Field names of an exported layer: the names its properties get in each
 * format (unique as the format compares names, cut to its length limit),
 * and NAME.fields.csv, the map from a property to its name in the file
 * where one differs. Moved here from export.c unchanged. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "export_internal.h"
#include "common/util.h"
#include "ingest/location_columns.h"

char **fpi_layer_source_names(const fp_layer *l, int *nnames)
{
    GPtrArray *a = g_ptr_array_new();
    g_ptr_array_add(a, g_strdup("id"));
    for (int c = 0; c < l->ncolumns; c++)
        if (c != l->extra_col) g_ptr_array_add(a, g_strdup(l->columns[c].name));
    if (l->classes) { g_ptr_array_add(a, g_strdup("class")); g_ptr_array_add(a, g_strdup("fill")); }
    for (int k = 0; k < l->nextra; k++) g_ptr_array_add(a, g_strdup(l->extra_keys[k]));
    *nnames = (int)a->len;
    g_ptr_array_add(a, NULL);
    return (char **)g_ptr_array_free(a, FALSE);
}

/* s cut to at most max bytes without splitting a UTF-8 character. */
static char *cut_utf8(const char *s, int max)
{
    size_t n = strlen(s);
    if (max <= 0 || n <= (size_t)max) return g_strdup(s);
    n = (size_t)max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return g_strndup(s, n);
}

/* Names compared as SQLite, GeoPackage, OGR and the DBF do: ASCII case folded. */
static guint fold_hash(gconstpointer p)
{
    char *f = g_ascii_strdown(p, -1);
    guint h = g_str_hash(f);
    g_free(f);
    return h;
}

static gboolean fold_equal(gconstpointer a, gconstpointer b)
{
    return g_ascii_strcasecmp(a, b) == 0;
}

/* GDAL's GeoPackage writer names its own columns fid (the feature id) and,
 * as footprint asks, geom. An attribute so named failed a GeoPackage export
 * ("Wrong field type for fid", "duplicate column name: geom"), and in any
 * other format fails or is lost once the file is saved as a GeoPackage
 * (ogr2ogr: "UNIQUE constraint failed: fid" where two rows share a value,
 * and with -preserve_fid the attribute dropped): no format's attribute takes
 * these names. */
int fpi_reserved_field_name(const char *name)
{
    return !g_ascii_strcasecmp(name, "fid") || !g_ascii_strcasecmp(name, "geom");
}

/* A CSV's location is its X and Y (points) or WKT column. An attribute named
 * like one, or like any column footprint's importer takes for coordinates
 * or WKT (longitude, lat, "Easting (m)"), was read back as the location
 * (a point moved, a line rejected); GDAL's reader also takes a _WKT... column
 * for a geometry. */
int fpi_reserved_csv_field_name(const char *name)
{
    return fpi_reserved_field_name(name) || fpi_is_location_column(name) || !g_ascii_strncasecmp(name, "_WKT", 4);
}

/* A KML's fields named footprint_kml_... are the ones footprint's export
 * and import give GDAL's LIBKML driver for KML's own elements (the
 * Placemark's <name> label: util.h, fpi_libkml_private_fields): an
 * attribute so named would be taken for one. */
int fpi_reserved_kml_field_name(const char *name)
{
    return fpi_reserved_field_name(name) ||
           !g_ascii_strncasecmp(name, FPI_KML_FIELD_PREFIX, strlen(FPI_KML_FIELD_PREFIX));
}

/* A name with a line break (an Excel header typed with Alt+Enter) or
 * another control character, each such character a space: GDAL's CSV
 * reader takes the header's first line for the whole header (the columns
 * after such a name were lost in GDAL and QGIS), and no GIS shows one
 * well. NULL when the name has none. */
static char *controls_as_spaces(const char *name)
{
    int any = 0;
    for (const char *c = name; *c && !any; c++) any = (unsigned char)*c < 0x20 || *c == 0x7f;
    if (!any) return NULL;
    char *out = g_strdup(name);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = ' ';
    return out;
}

char **fpi_layer_field_names(const fp_layer *l, int max_bytes, int (*reserved)(const char *name), int *nnames)
{
    int n = 0;
    char **src = fpi_layer_source_names(l, &n);
    int fixed = n - l->nextra;            /* id, columns, class, fill: keep their names */
    GHashTable *fixed_names = g_hash_table_new(fold_hash, fold_equal);
    for (int i = 0; i < fixed; i++) g_hash_table_add(fixed_names, src[i]);
    GHashTable *used = g_hash_table_new_full(fold_hash, fold_equal, g_free, NULL);
    char **out = g_new0(char *, n + 1);
    for (int i = 0; i < n; i++) {
        char *clean = controls_as_spaces(src[i]);
        const char *name = clean ? clean : *src[i] ? src[i] : "field";
        /* The store's columns never take a reserved name: only keys are checked. */
        int taken = i >= fixed && (g_hash_table_contains(fixed_names, name) || (reserved && reserved(name)));
        char *want = taken ? g_strdup_printf("extra_%s", name) : g_strdup(name);
        char *cand = cut_utf8(want, max_bytes);
        for (int k = 2; g_hash_table_contains(used, cand); k++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "_%d", k);
            char *stem = cut_utf8(want, max_bytes > 0 ? max_bytes - (int)strlen(suffix) : 0);
            g_free(cand);
            cand = g_strconcat(stem, suffix, NULL);
            g_free(stem);
        }
        g_free(want);
        g_free(clean);
        g_hash_table_add(used, g_strdup(cand));
        out[i] = cand;
    }
    g_hash_table_destroy(used);
    g_hash_table_destroy(fixed_names);
    g_strfreev(src);
    *nnames = n;
    return out;
}

fp_status fpi_write_field_map(const char *map_path, const char *format, const char *layer, char **props, char **names,
                             int n, int always, fp_error *err)
{
    int differ = always;
    for (int i = 0; i < n && !differ; i++) differ = strcmp(props[i], names[i]) != 0;
    if (!differ) return FP_OK;
    /* GeoPackage layers share one file: its rows say which layer. */
    FILE *f = fopen(map_path, layer ? "a" : "w");
    if (!f) return fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", map_path, strerror(errno));
    fseek(f, 0, SEEK_END);
    if (!layer || ftell(f) == 0) fprintf(f, "%sfield,%s_field\n", layer ? "layer," : "", format);
    for (int i = 0; i < n; i++) {
        if (layer) { fpi_csv_put_field(f, layer); fputc(',', f); }
        fpi_csv_put_field(f, props[i]);
        fputc(',', f);
        fpi_csv_put_field(f, names[i]);
        fputc('\n', f);
    }
    if (fclose(f) != 0) return fp_error_set(err, FP_ERR_IO, "%s: write failed: %s", map_path, strerror(errno));
    return FP_OK;
}


const char *fpi_field_map_format(const char *ext)
{
    return !strcmp(ext, ".shp") ? "shapefile" : !strcmp(ext, ".gpkg") ? "gpkg" : !strcmp(ext, ".csv") ? "csv"
           : !strcmp(ext, ".fgb") ? "fgb" : !strcmp(ext, ".kml") ? "kml" : "geojson";
}

int fpi_field_map_is_format(const char *path, const char *format)
{
    char line[128] = "", want[32];
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    snprintf(want, sizeof want, ",%s_field", format);
    return g_str_has_suffix(line, want);
}

/* The first field of one CSV record (unquoted as CSV quotes it). */
static char *record_first_field(const char *rec, size_t len)
{
    GString *f = g_string_new(NULL);
    size_t i = 0;
    if (len && rec[0] == '"') {
        for (i = 1; i < len; i++) {
            if (rec[i] == '"' && i + 1 < len && rec[i + 1] == '"') { g_string_append_c(f, '"'); i++; }
            else if (rec[i] == '"') break;
            else g_string_append_c(f, rec[i]);
        }
    } else {
        for (; i < len && rec[i] != ',' && rec[i] != '\r' && rec[i] != '\n'; i++) g_string_append_c(f, rec[i]);
    }
    return g_string_free(f, FALSE);
}

fp_status fpi_field_map_carry(const char *old_map, const char *new_map, fp_layer *const *layers, int nlayers,
                              fp_error *err)
{
    gchar *text = NULL;
    gsize len = 0;
    /* None, or another format's (a CSV's of the same name): nothing to carry. */
    if (!fpi_field_map_is_format(old_map, "gpkg") || !g_file_get_contents(old_map, &text, &len, NULL)) return FP_OK;
    GString *kept = g_string_new(NULL);
    int nkept = 0;
    /* Records end at a newline outside quotes: a property name may hold one. */
    size_t start = 0;
    int quoted = 0, first = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] == '"') quoted = !quoted;
        if (i < len && (text[i] != '\n' || quoted)) continue;
        size_t end = i < len ? i + 1 : i;
        if (end > start) {
            if (first) g_string_append_len(kept, text + start, (gssize)(end - start));    /* the header */
            else {
                char *layer = record_first_field(text + start, end - start);
                int replaced = 0;
                for (int k = 0; k < nlayers && !replaced; k++) replaced = strcmp(layers[k]->name, layer) == 0;
                if (!replaced) {
                    g_string_append_len(kept, text + start, (gssize)(end - start));
                    if (text[end - 1] != '\n') g_string_append_c(kept, '\n');
                    nkept++;
                }
                g_free(layer);
            }
            first = 0;
        }
        start = end;
    }
    fp_status st = FP_OK;
    GError *ge = NULL;
    if (nkept && !g_file_set_contents(new_map, kept->str, (gssize)kept->len, &ge)) {
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write: %s", new_map, ge->message);
        g_error_free(ge);
    }
    g_string_free(kept, TRUE);
    g_free(text);
    return st;
}
