/*
 * Rows of a table, whatever read them: the CSV reader, or OGR reading a
 * layer without geometry (XLSX, ODS, DBF, an attribute-only GeoPackage
 * table). One set of rules for both, so a spreadsheet imports exactly as
 * its CSV twin: coordinate and WKT columns found by name or named by
 * --lon/--lat/--wkt, --crs, field detection, rejects and their reasons.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <strings.h>
#include <proj.h>
#include "common/gdal_api.h"
#include "ingest/ingest_internal.h"
#include "ingest/location_columns.h"
#include "common/util.h"
#include "common/crs.h"
#include "geocode/admin1_index.h"

struct fp_table {
    const char *path;
    char **cols;                  /* owned copies, trimmed */
    char **shown;                 /* the same on one line, for the summary and reasons (fpi_column_display) */
    int ncols;
    int lon_c, lat_c, wkt_c;
    int pair_c;                   /* one column of both coordinates ("GPS (lat, lon)"), or -1 */
    int pair_lon_first;           /* its name puts lon first ("Lon/Lat") */
    int unread_c;                 /* a column that may hold coordinates but is not read, or -1 */
    int value_pair_c;             /* a column named only so ("Location", "Position", "GPS") read as lat, lon
                                     in the rows whose value is two decimal numbers, or -1 */
    int field_col[FP_F_COUNT];
    int own_export;               /* footprint's own export (fpi_is_footprint_export) */
    fpi_own_columns own;          /* its placement columns */
    char **keys;                  /* extra keys where they differ from cols (fpi_table_set_extra), or NULL */
    fpi_value_type *types;        /* extra values' types (a CSV's .csvt), or NULL: text */
    int by_dataset;               /* ids as DATASET:ID (own export of several datasets) */
    GString *scoped_id;           /* this row's DATASET:ID */
    int decimal_comma;            /* "12,5" read as 12.5 */
    fpi_amount_style amount_style; /* how amounts' separators are read (fpi_table_set_amount_style) */
    const char *prefix;           /* "layer NAME: " before reasons, or "" */
    char tagged[384];             /* what columns were taken by their HXL tag, for the note, or "" */
    const fp_import_options *opts;
    fp_import_result *res;
    PJ_CONTEXT *pjctx;
    PJ *pj;
};

/* Also the names GIS exports and Darwin Core lists give them (X_coord,
 * POINT_X, decimalLongitude), and a projected grid's (Easting (m),
 * northing: with --crs, as x and y are). */
static const char *const lon_names[] = { "lon", "lng", "long", "longitude", "x", "x_coord", "x_coordinate", "coord_x",
                                         "point_x", "decimal_longitude", "lon_dd", "long_dd", "easting", NULL };
static const char *const lat_names[] = { "lat", "latitude", "y", "y_coord", "y_coordinate", "coord_y", "point_y",
                                         "decimal_latitude", "lat_dd", "northing", NULL };
static const char *const wkt_names[] = { "wkt", "geometry_wkt", "geom_wkt", NULL };

/* A column name on one line (fpi_column_display), malloc'd. */
static char *one_line(const char *name)
{
    size_t n = strlen(name) + 1;
    char *out = malloc(n);
    if (out) fpi_column_display(name, out, n);
    return out;
}

/* The column named: as written, in any case, or as the summary shows it
 * (--lat "Latitude (WGS 84)" names a header cell "Latitude\n(WGS 84)"). */
static int find_named(char **cols, int n, const char *name)
{
    for (int i = 0; i < n; i++) if (strcmp(cols[i], name) == 0) return i;
    for (int i = 0; i < n; i++) if (strcasecmp(cols[i], name) == 0) return i;
    char *want = one_line(name);
    int found = -1;
    for (int i = 0; want && found < 0 && i < n; i++) {
        char *have = one_line(cols[i]);
        if (have && strcasecmp(have, want) == 0) found = i;
        free(have);
    }
    free(want);
    return found;
}

/* The first of names found as a column: as written (any case), then as
 * the field aliases are compared ("Longitude (deg)", "LAT.", "geom_WKT"). */
static int find_any(char **cols, int n, const char *const *names)
{
    for (int k = 0; names[k]; k++) {
        int i = find_named(cols, n, names[k]);
        if (i >= 0) return i;
    }
    for (int k = 0; names[k]; k++) {
        char want[64];
        fpi_normalize_column_name(names[k], want, sizeof want);
        for (int i = 0; i < n; i++) {
            char norm[256];
            fpi_normalize_column_name(cols[i], norm, sizeof norm);
            if (!strcmp(norm, want)) return i;
        }
    }
    return -1;
}

/* A column name as letters and digits only, lower case ("GPS (lat, lon)"
 * is "gpslatlon"), at most size - 1 of them. */
static void compact_name(const char *in, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)in; *c && o + 1 < size; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')) out[o++] = (char)*c;
        else if (*c >= 'A' && *c <= 'Z') out[o++] = (char)(*c - 'A' + 'a');
    out[o] = '\0';
}

/* Words that may stand beside the order of a column of both coordinates
 * ("GPS", "Coordinates", "(WGS 84)", "decimal degrees"). */
static const char *const pair_fillers[] = { "gps", "coordinates", "coordinate", "coords", "coord", "location",
                                            "position", "point", "geo", "wgs84", "epsg4326", "decimal", "degrees",
                                            "deg", "dd", NULL };

/* Whether s is made of pair_fillers only (or empty). */
static int fillers_only(const char *s)
{
    if (!*s) return 1;
    for (int k = 0; pair_fillers[k]; k++) {
        size_t n = strlen(pair_fillers[k]);
        if (!strncmp(s, pair_fillers[k], n) && fillers_only(s + n)) return 1;
    }
    return 0;
}

/* A column of both coordinates, as lists name it: the order, lat first or
 * lon first ("LatLon", "lat_lon", "Lat/Long", "Lon, Lat", "latitude,
 * longitude"), alone or with words of pair_fillers around it ("GPS (lat,
 * lon)", "Coordinates (lon/lat)"); or those words alone when they say
 * coordinates ("Coordinates", "GPS coordinates"), read lat first, the
 * order of GPS units, map sites and ISO 6709. 1 lat first, 2 lon first,
 * 3 lat first as the name gives no order, 0 not such a column. */
static int pair_column_order(const char *name)
{
    static const char *const orders[] = { "latitudelongitude", "longitudelatitude", "latlong", "longlat", "latlon",
                                          "lonlat", "latlng", "lnglat", NULL };
    char c[128];
    compact_name(name, c, sizeof c);
    for (int k = 0; orders[k]; k++) {
        char *at = strstr(c, orders[k]);
        if (!at) continue;
        char before[128];
        snprintf(before, sizeof before, "%.*s", (int)(at - c), c);
        if (fillers_only(before) && fillers_only(at + strlen(orders[k])))
            return !strncmp(orders[k], "lat", 3) ? 1 : 2;
    }
    return *c && strstr(c, "coord") && fillers_only(c) ? 3 : 0;
}

/* A column named only as a location ("Location", "GPS", "Geo point",
 * "Position"): the words of pair_fillers, one of them a location's. Such a
 * column is read as lat, lon where a row holds two decimal numbers. */
static int names_a_location(const char *name)
{
    static const char *const words[] = { "location", "position", "gps", "geo", "point", NULL };
    char c[128];
    compact_name(name, c, sizeof c);
    if (!*c || !fillers_only(c)) return 0;
    for (int k = 0; words[k]; k++)
        if (strstr(c, words[k])) return 1;
    return 0;
}

/* A column that may hold coordinates by its name ("GPS coordinates
 * (N/E)", "lat-lon pair") though none of the rules above reads it. */
static int may_hold_coordinates(const char *name)
{
    /* Whole words only: "Project coordinator" or "Latest from London" holds
     * no coordinates. */
    static const char *const words[] = { "coord", "coords", "coordinate", "coordinates", "coordenadas", "coordonnees",
                                         "koordinaten", "gps", "latlon", "latlng", "latlong", "lonlat", "lnglat",
                                         "longlat", NULL };
    gchar *low = g_ascii_strdown(name, -1);
    gchar **tok = g_regex_split_simple("[^a-z0-9]+", low, 0, 0);
    int lat = 0, lon = 0, hit = 0;
    for (int i = 0; tok && tok[i] && !hit; i++) {
        for (int k = 0; words[k] && !hit; k++) hit = !strcmp(tok[i], words[k]);
        lat |= !strcmp(tok[i], "lat") || !strcmp(tok[i], "latitude");
        lon |= !strcmp(tok[i], "lon") || !strcmp(tok[i], "lng") || !strcmp(tok[i], "long") || !strcmp(tok[i], "longitude");
    }
    g_strfreev(tok);
    g_free(low);
    return hit || (lat && lon);
}

int fpi_is_location_column(const char *name)
{
    char *cols[] = { (char *)name };
    return find_any(cols, 1, lon_names) == 0 || find_any(cols, 1, lat_names) == 0 || find_any(cols, 1, wkt_names) == 0;
}

char *fpi_trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

/* Parses a coordinate; with decimal_comma a lone decimal comma is accepted
 * ("12,5"), as European spreadsheets write. 0 ok, -1 not a number. */
static int parse_coord(const char *text, int decimal_comma, double *out)
{
    /* Blanks and no-break spaces (a spreadsheet's padding, French number
     * formats) around the number are skipped, as in a place or country.
     * The number is read from a copy: the text stays as written for a
     * reject's reason ('-13,8x', not '-13.8x'). */
    const char *s = text, *e = text + strlen(text);
    for (;;) {
        if (*s == ' ' || *s == '\t') s++;
        else if (!strncmp(s, "\xC2\xA0", 2)) s += 2;
        else if (!strncmp(s, "\xE2\x80\xAF", 3)) s += 3;
        else break;
    }
    for (;;) {
        if (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
        else if (e - s >= 2 && !memcmp(e - 2, "\xC2\xA0", 2)) e -= 2;
        else if (e - s >= 3 && !memcmp(e - 3, "\xE2\x80\xAF", 3)) e -= 3;
        else break;
    }
    size_t n = (size_t)(e - s);
    char small[64], *num = n < sizeof small ? small : g_malloc(n + 1);
    memcpy(num, s, n);
    num[n] = '\0';
    char *comma = decimal_comma ? strchr(num, ',') : NULL;
    if (comma && !strchr(num, '.') && comma == strrchr(num, ',')) *comma = '.';
    /* strtod also reads hexadecimal ("0x1A" = 26): no one writes degrees
     * that way, so such text is not a coordinate. */
    const char *digits = num + (*num == '-' || *num == '+');
    int rc = -1;
    if (!(digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))) {
        char *end;
        errno = 0;
        double v = strtod(num, &end);
        if (end != num && *end == '\0') {
            *out = v;
            rc = 0;
        }
    }
    if (num != small) g_free(num);
    return rc;
}

/* "company=Funding Agencies, year=Commitment Year, lon/lat=lon, lat" into
 * res->mapping: the user sees which column fills which field. */
static void describe_mapping(const fp_table *t)
{
    char *buf = t->res->mapping;
    size_t size = sizeof t->res->mapping, o = strlen(buf);
    if (o && o + 3 < size) o += snprintf(buf + o, size - o, "; ");
    for (int f = 0; f < FP_F_COUNT && o + 4 < size; f++)
        if (t->field_col[f] >= 0)
            o += snprintf(buf + o, size - o, "%s%s=%s", o && buf[o - 1] != ' ' ? ", " : "",
                          fpi_field_names[f], t->shown[t->field_col[f]]);
    if (t->lon_c >= 0 && o + 4 < size)
        o += snprintf(buf + o, size - o, "%slon/lat=%s, %s", o && buf[o - 1] != ' ' ? ", " : "",
                      t->shown[t->lon_c], t->shown[t->lat_c]);
    else if (t->pair_c >= 0 && o + 4 < size)
        o += snprintf(buf + o, size - o, "%s%s=%s (one column%s)", o && buf[o - 1] != ' ' ? ", " : "",
                      t->pair_lon_first ? "lon, lat" : "lat, lon", t->shown[t->pair_c],
                      pair_column_order(t->cols[t->pair_c]) == 3 ? "; its name gives no order: read lat first" : "");
    else if (t->value_pair_c >= 0 && o + 4 < size)
        o += snprintf(buf + o, size - o, "%slat, lon=%s (one column, where a row holds two decimal numbers)",
                      o && buf[o - 1] != ' ' ? ", " : "", t->shown[t->value_pair_c]);
    else if (t->wkt_c >= 0 && o + 4 < size)
        snprintf(buf + o, size - o, "%swkt=%s", o && buf[o - 1] != ' ' ? ", " : "", t->shown[t->wkt_c]);
}

/* Every column gets a name of its own, so that no value is lost as an
 * extra attribute under a name another column also has: an empty header
 * becomes field_N (its position from 1, as OGR names it), a repeated one
 * NAME_2, NAME_3... (the first keeps its name). The renames are listed in
 * renamed ("note -> note_2, (empty) -> field_6"). */
static void name_columns_uniquely(fp_table *t, char *renamed, size_t size)
{
    /* Sets of names: every column's as read, and those given so far; and
     * per repeated name the next number to try (a header of 3,000 equal
     * names took 17 s when each try scanned every column). */
    GHashTable *read = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), *given = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
               *next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (int i = 0; i < t->ncols; i++)
        if (*t->cols[i] && !g_hash_table_contains(read, t->cols[i])) g_hash_table_add(read, g_strdup(t->cols[i]));
    size_t o = 0;
    for (int i = 0; i < t->ncols; i++) {
        const char *old = t->cols[i];
        if (*old && !g_hash_table_contains(given, old)) {
            g_hash_table_add(given, g_strdup(old));
            continue;
        }
        char *name = NULL;
        if (!*old) {
            name = g_strdup_printf("field_%d", i + 1);
        } else {
            int n = GPOINTER_TO_INT(g_hash_table_lookup(next, old));
            for (n = n ? n : 2; !name || g_hash_table_contains(given, name) || g_hash_table_contains(read, name); n++) {
                g_free(name);
                name = g_strdup_printf("%s_%d", old, n);
            }
            g_hash_table_insert(next, g_strdup(old), GINT_TO_POINTER(n));
        }
        /* A column already called NAME_2 (or field_N) keeps its name: the
         * new one takes another. */
        while (g_hash_table_contains(given, name) || g_hash_table_contains(read, name)) {
            char *longer = g_strdup_printf("%s_", name);
            g_free(name);
            name = longer;
        }
        if (o + 4 < size) {
            char *old_shown = one_line(old), *new_shown = one_line(name);
            o += snprintf(renamed + o, size - o, "%s%s -> %s", o ? ", " : "", *old ? old_shown : "(empty)", new_shown);
            free(old_shown);
            free(new_shown);
        }
        g_hash_table_add(given, g_strdup(name));
        free(t->cols[i]);
        t->cols[i] = strdup(name);
        g_free(name);
    }
    g_hash_table_destroy(read);
    g_hash_table_destroy(given);
    g_hash_table_destroy(next);
}

void fpi_table_free(fp_table *t)
{
    if (!t) return;
    if (t->pj) proj_destroy(t->pj);
    if (t->pjctx) proj_context_destroy(t->pjctx);
    for (int i = 0; i < t->ncols; i++) {
        free(t->cols[i]);
        if (t->shown) free(t->shown[i]);
    }
    free(t->cols);
    free(t->shown);
    g_strfreev(t->keys);
    free(t->types);
    if (t->scoped_id) g_string_free(t->scoped_id, TRUE);
    free(t);
}

int fpi_table_field_column(const fp_table *t, int field)
{
    return field >= 0 && field < FP_F_COUNT ? t->field_col[field] : -1;
}

void fpi_table_set_amount_style(fp_table *t, fpi_amount_style style)
{
    t->amount_style = style;
}

int fpi_table_own_dataset_column(const fp_table *t)
{
    return t->own_export ? t->own.dataset : -1;
}

void fpi_table_set_by_dataset(fp_table *t, int on)
{
    t->by_dataset = on && t->own_export && t->own.dataset >= 0;
    if (t->by_dataset && !t->scoped_id) t->scoped_id = g_string_new(NULL);
}

void fpi_table_set_extra(fp_table *t, const char *const *keys, fpi_value_type *types)
{
    if (keys) {
        g_strfreev(t->keys);
        t->keys = g_new0(char *, t->ncols + 1);
        for (int i = 0; i < t->ncols; i++) t->keys[i] = g_strdup(keys[i] ? keys[i] : t->cols[i]);
    }
    free(t->types);
    t->types = types;
}

/* Whether a column's header says what it holds: a field's name, a
 * coordinate's, or the admin-1 geocode reads from extra ("Province").
 * Such a header wins over the column's HXL tag. */
static int header_known(const char *name)
{
    return fpi_field_for_column(name) >= 0 || fpi_is_location_column(name) || fpi_admin1_key_rank(name) >= 0 ||
           pair_column_order(name) || names_a_location(name);
}

/* Whether column i already has a role (coordinates, a field). */
static int column_taken(const fp_table *t, int i)
{
    if (i == t->lon_c || i == t->lat_c || i == t->wkt_c || i == t->pair_c || i == t->value_pair_c) return 1;
    for (int f = 0; f < FP_F_COUNT; f++)
        if (t->field_col[f] == i) return 1;
    return 0;
}

/* The column whose HXL tag says it holds target (FPI_HXL_LON, FP_F_*),
 * the best ranked (the first of equals), among those whose header says
 * nothing and that have no role yet; -1 if none. */
static int tagged_column(const fp_table *t, const char *const *tags, int target)
{
    int best = -1, best_rank = 1 << 20, rank;
    for (int i = 0; tags && i < t->ncols; i++)
        if (tags[i] && fpi_hxl_target(tags[i], &rank) == target && rank < best_rank && !header_known(t->cols[i]) &&
            !column_taken(t, i)) {
            best = i;
            best_rank = rank;
        }
    return best;
}

/* "company=Agence (#org)" after what t->tagged holds. */
static void note_tagged(fp_table *t, const char *role, int c, const char *const *tags)
{
    size_t o = strlen(t->tagged);
    char tag[64];
    fpi_column_display(tags[c], tag, sizeof tag);
    snprintf(t->tagged + o, sizeof t->tagged - o, "%s%s=%s (%s)", o ? ", " : "", role, t->shown[c], tag);
}

const char *fpi_table_tagged(const fp_table *t)
{
    return t->tagged;
}

void fpi_note_hxl_row(fp_import_result *res, const char *where, const char *const *tags, int n, const char *tagged)
{
    char listed[200] = "";
    size_t l = 0;
    for (int i = 0, shown = 0; i < n && l < sizeof listed; i++) {
        if (!tags[i] || !*tags[i]) continue;
        char tag[64];
        fpi_column_display(tags[i], tag, sizeof tag);
        if (shown++ == 4) {
            snprintf(listed + l, sizeof listed - l, ", ...");
            break;
        }
        l += (size_t)snprintf(listed + l, sizeof listed - l, "%s%s", l ? ", " : "", tag);
    }
    size_t o = strlen(res->hxl_note);
    snprintf(res->hxl_note + o, sizeof res->hxl_note - o, "%s%s is an HXL hashtag row (%s): read as column tags, not "
             "data%s%s", o ? "; " : "", where, listed, tagged && *tagged ? "; columns taken by their tag: " : "",
             tagged ? tagged : "");
}

fp_status fpi_table_new(const char *path, const char *const *columns, int ncols, const char *const *tags,
                       const fp_import_options *opts, int decimal_comma, const char *prefix, fp_import_result *res,
                       fp_table **out, fp_error *err)
{
    *out = NULL;
    fp_table *t = calloc(1, sizeof *t);
    t->path = path;
    t->opts = opts;
    t->res = res;
    t->prefix = prefix ? prefix : "";
    t->decimal_comma = decimal_comma;
    t->ncols = ncols;
    t->cols = calloc(ncols + 1, sizeof *t->cols);
    for (int i = 0; i < ncols; i++) {
        char *c = strdup(columns[i]);
        char *tr = fpi_trim(c);
        memmove(c, tr, strlen(tr) + 1);
        t->cols[i] = c;
    }
    char renamed[256] = "", lone_note[512] = "";
    name_columns_uniquely(t, renamed, sizeof renamed);
    char **cols = t->cols, **shown = t->shown = calloc(ncols + 1, sizeof *t->shown);
    for (int i = 0; i < ncols; i++) shown[i] = one_line(cols[i]);
    t->lon_c = t->lat_c = t->wkt_c = t->pair_c = t->unread_c = t->value_pair_c = -1;
    for (int f = 0; f < FP_F_COUNT; f++) t->field_col[f] = -1;
    fp_status st = FP_OK;
    char columns_list[1024] = "";
    for (int i = 0, o = 0; i < ncols && o < 1000; i++)
        o += snprintf(columns_list + o, sizeof columns_list - o, "%s%s", i ? ", " : "", shown[i]);

    if (opts->wkt_column) {
        if ((t->wkt_c = find_named(cols, ncols, opts->wkt_column)) < 0) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: %s--wkt %s: no such column (columns: %s)", path, t->prefix,
                              opts->wkt_column, columns_list);
            goto done;
        }
    }
    if (opts->lon_column || opts->lat_column) {
        if (!opts->lon_column || !opts->lat_column) {
            st = fp_error_set(err, FP_ERR_USAGE, "--lon and --lat go together");
            goto done;
        }
        t->lon_c = find_named(cols, ncols, opts->lon_column);
        t->lat_c = find_named(cols, ncols, opts->lat_column);
        if (t->lon_c < 0 || t->lat_c < 0) {
            st = fp_error_set(err, FP_ERR_INPUT, "%s: %s--%s %s: no such column (columns: %s)", path, t->prefix,
                              t->lon_c < 0 ? "lon" : "lat", t->lon_c < 0 ? opts->lon_column : opts->lat_column,
                              columns_list);
            goto done;
        }
    }
    if (t->wkt_c < 0 && t->lon_c < 0) {
        t->lon_c = find_any(cols, ncols, lon_names);
        t->lat_c = find_any(cols, ncols, lat_names);
        /* HXL: "#geo+lon" and "#geo+lat" on columns whose names say
         * nothing ("Longitud"), where the names give no pair, no WKT and
         * no column of both. */
        int named_location = find_any(cols, ncols, wkt_names) >= 0;
        for (int i = 0; tags && i < ncols; i++) named_location |= pair_column_order(cols[i]) != 0;
        if ((t->lon_c < 0 || t->lat_c < 0) && tags && !named_location) {
            int lon_tag = t->lon_c < 0 ? tagged_column(t, tags, FPI_HXL_LON) : -1;
            if (lon_tag >= 0) t->lon_c = lon_tag;
            int lat_tag = t->lat_c < 0 ? tagged_column(t, tags, FPI_HXL_LAT) : -1;
            if (lat_tag >= 0) t->lat_c = lat_tag;
            if (t->lon_c >= 0 && t->lat_c >= 0) {
                if (lon_tag >= 0) note_tagged(t, "lon", lon_tag, tags);
                if (lat_tag >= 0) note_tagged(t, "lat", lat_tag, tags);
            }
        }
        int lone = t->lon_c >= 0 && t->lat_c < 0 ? t->lon_c : t->lat_c >= 0 && t->lon_c < 0 ? t->lat_c : -1;
        if (t->lon_c < 0 || t->lat_c < 0) t->lon_c = t->lat_c = -1;
        if (t->lon_c < 0) t->wkt_c = find_any(cols, ncols, wkt_names);
        /* No pair: one column of both ("GPS (lat, lon)", "Coordinates"): read
         * in the order its name says (it was ignored, and its rows
         * rejected as having no coordinates). */
        for (int i = 0; t->lon_c < 0 && t->wkt_c < 0 && t->pair_c < 0 && i < ncols; i++) {
            int order = pair_column_order(cols[i]);
            if (order) {
                t->pair_c = i;
                t->pair_lon_first = order == 2;
            }
        }
        /* No coordinate columns: a column named only "Location", "Position",
         * "GPS" or so is read as lat, lon where a row holds two decimal
         * numbers there ("-1.2921, 36.8219", as Google Sheets and Maps give
         * them), and is what it was (a place, an attribute) elsewhere. Such
         * a place went to geocode and fell back to the country's centroid. */
        for (int i = 0; t->lon_c < 0 && t->wkt_c < 0 && t->pair_c < 0 && t->value_pair_c < 0 && i < ncols; i++)
            if (names_a_location(cols[i])) t->value_pair_c = i;
        /* A column whose name speaks of coordinates that no rule reads:
         * said on the columns line, and in the reason of rows rejected
         * for having no location. */
        for (int i = 0; t->lon_c < 0 && t->wkt_c < 0 && t->pair_c < 0 && lone < 0 && t->unread_c < 0 && i < ncols; i++)
            if (i != t->value_pair_c && may_hold_coordinates(cols[i])) t->unread_c = i;
        if (t->unread_c >= 0)
            snprintf(lone_note, sizeof lone_note,
                     "NOT READ: column '%s' may hold coordinates, but is not read as such (one column of both is read "
                     "when named like 'Coordinates (lat, lon)' or 'LatLon' and holding '14.69, -17.44'): rename it "
                     "so, or split it into two columns", shown[t->unread_c]);
        /* One coordinate column without the other is a file whose other
         * column has a name we do not know: its rows go to geocode (as
         * before), and the columns line says so, loudly, so the user can
         * name both. (Refusing the file left no way to import a list that
         * has only a latitude beside its country, and a sheet so refused
         * was skipped with a wrong reason.) A lone "x" or "y" is often
         * something else and goes unremarked. */
        char lone_norm[256] = "";
        if (lone >= 0) fpi_normalize_column_name(cols[lone], lone_norm, sizeof lone_norm);
        if (lone >= 0 && t->wkt_c < 0 && t->pair_c < 0 && strcmp(lone_norm, "x") && strcmp(lone_norm, "y")) {
            int is_lat = find_any(&cols[lone], 1, lat_names) == 0;
            snprintf(lone_note, sizeof lone_note,
                     "NOT READ: a %s column '%s' but no %s column (looked for %s): its coordinates are not used "
                     "and rows without them go to geocode; name both with --lon/--lat", is_lat ? "latitude" : "longitude",
                     shown[lone], is_lat ? "longitude" : "latitude", is_lat ? "lon/lng/long/longitude/x" : "lat/latitude/y");
        }
    }
    if ((st = fpi_resolve_fields(path, (const char *const *)cols, ncols, opts->maps, opts->nmaps, t->field_col, err)))
        goto done;
    t->own_export = fpi_is_footprint_export((const char *const *)cols, ncols);
    fpi_own_export_columns((const char *const *)cols, ncols, &t->own);
    /* Coordinate columns are not also data fields (a column "x" is not a name). */
    for (int f = 0; f < FP_F_COUNT; f++)
        if (t->field_col[f] >= 0 && (t->field_col[f] == t->lon_c || t->field_col[f] == t->lat_c ||
                                     t->field_col[f] == t->wkt_c || t->field_col[f] == t->pair_c))
            t->field_col[f] = -1;
    /* HXL: a field no column's name fills is filled by the column whose
     * tag says so ("Agence" tagged #org is the company). */
    for (int f = 0; tags && f < FP_F_COUNT; f++) {
        if (t->field_col[f] >= 0) continue;
        int c = tagged_column(t, tags, f);
        if (c < 0) continue;
        t->field_col[f] = c;
        note_tagged(t, fpi_field_names[f], c, tags);
    }
    /* (A "Position" column alone does not make a table of locations: a
     * contacts sheet's job titles are no coordinates, and such a sheet
     * beside the data is skipped, as before.) */
    if (t->lon_c < 0 && t->wkt_c < 0 && t->pair_c < 0 && t->field_col[FP_F_PLACE] < 0 &&
        t->field_col[FP_F_COUNTRY] < 0) {
        st = fp_error_set(err, FP_ERR_INPUT,
                          "%s: %sno coordinate columns (looked for lon/lng/long/longitude/x, X_coord, POINT_X, decimalLongitude and their lat/y), "
                          "no WKT column and no place or country column to geocode (columns: %s); "
                          "name them with --lon/--lat, --wkt or --map place=COLUMN", path, t->prefix, columns_list);
        goto done;
    }
    if (opts->crs && *opts->crs && strcasecmp(opts->crs, "EPSG:4326") != 0) {
        t->pjctx = fpi_proj_context_quiet();   /* the message below says why, not PROJ's log */
        PJ *pj = proj_create_crs_to_crs(t->pjctx, opts->crs, "EPSG:4326", NULL);
        PJ *norm = pj ? proj_normalize_for_visualization(t->pjctx, pj) : NULL;
        if (pj) proj_destroy(pj);
        t->pj = norm;
        if (!t->pj) {
            st = fp_error_set(err, FP_ERR_USAGE, "--crs %s: PROJ does not know this CRS", opts->crs);
            goto done;
        }
        char from[192];
        fpi_crs_describe(opts->crs, from, sizeof from);
        fpi_note_reprojected_from(res, from);
    }
    describe_mapping(t);
    if (*renamed) {
        size_t o = strlen(res->mapping);
        snprintf(res->mapping + o, sizeof res->mapping - o, "%srenamed %s", o ? "; " : "", renamed);
    }
    if (*lone_note) {
        size_t o = strlen(res->mapping);
        snprintf(res->mapping + o, sizeof res->mapping - o, "%s%s", o ? "; " : "", lone_note);
    }
done:
    if (st) fpi_table_free(t);
    else *out = t;
    return st;
}

/* Transforms every vertex of g in place with pj (--crs to WGS 84, lon
 * first), the very transformation lon/lat columns go through, so a WKT
 * point lands where the same point given as x/y columns does. -1 when a
 * vertex cannot be transformed (*bad_x, *bad_y: it, as given). */
static int transform_vertices(PJ *pj, OGRGeometryH g, double *bad_x, double *bad_y)
{
    int parts = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < parts; i++)
        if (transform_vertices(pj, OGR_G_GetGeometryRef(g, i), bad_x, bad_y)) return -1;
    if (parts) return 0;
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i < n; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        PJ_COORD o = proj_trans(pj, PJ_FWD, proj_coord(x, y, 0, 0));
        if (!isfinite(o.xy.x) || !isfinite(o.xy.y)) {
            *bad_x = x;
            *bad_y = y;
            return -1;
        }
        OGR_G_SetPoint_2D(g, i, o.xy.x, o.xy.y);
    }
    return 0;
}

void fpi_note_reprojected_from(fp_import_result *res, const char *crs)
{
    if (!res->reprojected_from[0]) snprintf(res->reprojected_from, sizeof res->reprojected_from, "%s", crs);
    else if (strcmp(res->reprojected_from, crs))
        snprintf(res->reprojected_from, sizeof res->reprojected_from, "several CRSs");
}

/* A point from the text of its coordinates, as the row's: numbers (a
 * decimal comma where the table allows it), finite, through --crs, within
 * range (float noise clamped and counted). FP_REJECT_KINDS with *x, *y set,
 * else the reject's kind with its reason: intro, then the values under
 * lon_name and lat_name (lat first with lat_first, as a column of both
 * holds them). */
static int point_of(fp_table *t, char *lon_s, char *lat_s, const char *lon_name, const char *lat_name, int lat_first,
                    const char *intro, double *x, double *y, int *reprojected, char *reason, size_t size)
{
    const char *n1 = lat_first ? lat_name : lon_name, *n2 = lat_first ? lon_name : lat_name;
    const char *v1 = lat_first ? lat_s : lon_s, *v2 = lat_first ? lon_s : lat_s;
    double lon, lat;
    int via_comma = 0;
    if (parse_coord(lon_s, t->decimal_comma, &lon) || parse_coord(lat_s, t->decimal_comma, &lat)) {
        /* A decimal comma in a file that is not read so ("-1,2921" quoted
         * in a comma-separated CSV, as a spreadsheet in a German or French
         * locale saves it): degrees have at most three digits before the
         * point, so "36,8219" cannot be a thousands separator. Not under
         * --crs, where "530,123" metres may well be one. */
        if (t->decimal_comma || t->pj || parse_coord(lon_s, 1, &lon) || parse_coord(lat_s, 1, &lat)) {
            snprintf(reason, size, "%s%s='%.40s' %s='%.40s' is not a pair of numbers", intro, n1, v1, n2, v2);
            return FP_REJECT_COORD_NOT_NUMBER;
        }
        via_comma = 1;
    }
    if (!isfinite(lon) || !isfinite(lat)) {
        snprintf(reason, size, "%s%s=%s %s=%s is not finite", intro, n1, v1, n2, v2);
        return FP_REJECT_COORD_NOT_FINITE;
    }
    if (t->pj) {
        PJ_COORD o = proj_trans(t->pj, PJ_FWD, proj_coord(lon, lat, 0, 0));
        lon = o.xy.x;
        lat = o.xy.y;
        *reprojected = 1;
        if (!isfinite(lon) || !isfinite(lat)) {
            snprintf(reason, size, "%s%s %s cannot be transformed from %s to WGS 84", intro, v1, v2, t->opts->crs);
            return FP_REJECT_COORD_RANGE;
        }
    }
    /* Float noise just beyond the range is clamped (geometry.c). */
    double clon = lon, clat = lat;
    int rx = fpi_clamp_coordinate(&clon, 180), ry = fpi_clamp_coordinate(&clat, 90);
    if (rx < 0 || ry < 0) {
        snprintf(reason, size, "%s%s=%s %s=%s is outside lon -180..180, lat -90..90%s", intro, n1, v1, n2, v2,
                 t->pj ? "" : " (another CRS? use --crs)");
        return FP_REJECT_COORD_RANGE;
    }
    if (rx || ry) t->res->clamped++;
    /* Counted once the point is read: a row rejected below is not. */
    if (via_comma && !t->res->coords_decimal_comma++)
        snprintf(t->res->coords_decimal_comma_text, sizeof t->res->coords_decimal_comma_text, "%s",
                 strchr(lon_s, ',') ? lon_s : lat_s);
    *x = clon;
    *y = clat;
    return FP_REJECT_KINDS;
}

/* A number with a fractional part, as degrees are written: "-1.2921",
 * "36,8219" (a decimal comma). Whole numbers ("12, 34") are not taken for
 * coordinates by the look of them. */
static int is_decimal_number(const char *s)
{
    if (*s == '-' || *s == '+') s++;
    size_t a = strspn(s, "0123456789");
    if (!a || (s[a] != '.' && s[a] != ',')) return 0;
    size_t b = strspn(s + a + 1, "0123456789");
    return b > 0 && s[a + 1 + b] == '\0';
}

/* The two coordinates of one column ("14.6928, -17.4467", "(14.69;
 * -17.44)", "14,69 -17,44" with decimal commas), split in place: at its
 * one ';', else its one ", ", else its one ',', else the blank between two
 * words. -1 when it is not two parts so. */
static int split_pair(char *s, char **first, char **second)
{
    s = fpi_trim(s);
    size_t n = strlen(s);
    if (n >= 2 && ((s[0] == '(' && s[n - 1] == ')') || (s[0] == '[' && s[n - 1] == ']'))) {
        s[n - 1] = '\0';
        s = fpi_trim(s + 1);
    }
    char *at = NULL;
    size_t len = 1;
    char *semi = strchr(s, ';'), *comma_sp = strstr(s, ", "), *comma = strchr(s, ',');
    if (semi) {
        if (strrchr(s, ';') != semi) return -1;
        at = semi;
    } else if (comma_sp) {
        if (strstr(comma_sp + 1, ", ")) return -1;
        at = comma_sp;
        len = 2;
    } else if (comma && strrchr(s, ',') == comma) {
        at = comma;
    } else {
        at = strpbrk(s, " \t");
        if (!at) return -1;
        len = strspn(at, " \t");
        if (strpbrk(at + len, " \t")) return -1;
    }
    *at = '\0';
    *first = fpi_trim(s);
    *second = fpi_trim(at + len);
    return **first && **second ? 0 : -1;
}

/* A reject with the table's prefix before the reason. */
static fp_status reject(fp_table *t, fp_sink *sink, long line, long feature, int kind, const char *reason,
                        const char *raw, size_t raw_len, fp_error *err)
{
    char full[700];
    snprintf(full, sizeof full, "%s%s", t->prefix, reason);
    return fpi_sink_reject(sink, line, feature, (fp_reject_kind)kind, full, raw, raw_len, err);
}

fp_status fpi_table_row(fp_table *t, fp_sink *sink, char **fields, long line, long feature,
                       const char *raw, size_t raw_len, json_t *more_extra, fp_error *err)
{
    char **cols = t->cols, **shown = t->shown;
    const int lon_c = t->lon_c, lat_c = t->lat_c, wkt_c = t->wkt_c;
    const int *field_col = t->field_col;
    fp_import_result *res = t->res;
    char reason[512];
    unsigned char *blob = NULL;    /* WKB of a WKT column's geometry */
    size_t blob_len = 0;
    int is_point = 0;
    double px = 0, py = 0;
    fp_status st = FP_OK;

    fp_row row;
    memset(&row, 0, sizeof row);
    row.line = line;
    row.feature = feature;
    row.amount_style = t->amount_style;
    fp_geom_check chk = { .strict = t->opts->strict_geometry, .geos = fpi_sink_geos(sink) };
    for (int f = 0; f < FP_F_COUNT; f++)
        row.values[f] = field_col[f] >= 0 ? fpi_trim(fields[field_col[f]]) : NULL;
    const char *exported_key = NULL;    /* the key in the dataset exported from, when scoped */
    if (t->by_dataset && row.values[FP_F_ID] && *row.values[FP_F_ID]) {
        exported_key = row.values[FP_F_ID];
        g_string_printf(t->scoped_id, "%s:%s", fpi_trim(fields[t->own.dataset]), row.values[FP_F_ID]);
        row.values[FP_F_ID] = t->scoped_id->str;
    }

    fpi_row_default_country(&row, t->opts);
    /* R's missing value: no place is named NA; a country NA (Namibia's
     * code) in a row whose coordinates are NA is R's too (a row of NAs
     * was placed in Namibia). */
    if (row.values[FP_F_PLACE] && !strcmp(row.values[FP_F_PLACE], "NA")) row.values[FP_F_PLACE] = NULL;
    if (row.values[FP_F_COUNTRY] && !strcmp(row.values[FP_F_COUNTRY], "NA") && lon_c >= 0 &&
        (!strcmp(fpi_trim(fields[lon_c]), "NA") || !strcmp(fpi_trim(fields[lat_c]), "NA")))
        row.values[FP_F_COUNTRY] = NULL;
    int have_place = (row.values[FP_F_PLACE] && *row.values[FP_F_PLACE]) ||
                     (row.values[FP_F_COUNTRY] && *row.values[FP_F_COUNTRY]);
    if (wkt_c >= 0 && *fpi_trim(fields[wkt_c])) {
        if ((st = fpi_gdal_require(err))) return st;   /* OGR parses the WKT */
        OGRGeometryH g = NULL;
        char *w = fpi_trim(fields[wkt_c]);
        /* GDAL's reason (e.g. nesting too deep) goes into the reject,
         * not onto stderr. */
        CPLPushErrorHandler(CPLQuietErrorHandler);
        CPLErrorReset();
        OGRErr oe = OGR_G_CreateFromWkt(&w, NULL, &g);
        char gdal_why[200];
        snprintf(gdal_why, sizeof gdal_why, "%s", CPLGetLastErrorType() >= CE_Failure ? CPLGetLastErrorMsg() : "");
        CPLPopErrorHandler();
        size_t wl = strlen(gdal_why);
        if (wl && gdal_why[wl - 1] == '.') gdal_why[wl - 1] = '\0';
        /* OGR stops after the geometry: text after it is not WKT either. */
        while (oe == OGRERR_NONE && (*w == ' ' || *w == '\t' || *w == '\r' || *w == '\n')) w++;
        if (oe == OGRERR_NONE && g && *w) {
            snprintf(gdal_why, sizeof gdal_why, "text after the geometry: '%.40s'", w);
            oe = OGRERR_CORRUPT_DATA;
        }
        if (oe != OGRERR_NONE || !g) {
            if (g) OGR_G_DestroyGeometry(g);
            snprintf(reason, sizeof reason, "column %s: not WKT%s%s%s: '%.60s'", shown[wkt_c],
                     gdal_why[0] ? " (" : "", gdal_why, gdal_why[0] ? ")" : "", fpi_trim(fields[wkt_c]));
            return reject(t, sink, line, feature, FP_REJECT_BAD_WKT, reason, raw, raw_len, err);
        }
        /* --crs: the WKT's coordinates are in it, as lon/lat columns' are
         * (they were read as degrees, and metres rejected as out of range). */
        double bx, by;
        if (t->pj && transform_vertices(t->pj, g, &bx, &by)) {
            OGR_G_DestroyGeometry(g);
            snprintf(reason, sizeof reason, "column %s: coordinate %.10g %.10g cannot be transformed from %s to WGS 84",
                     shown[wkt_c], bx, by, t->opts->crs);
            return reject(t, sink, line, feature, FP_REJECT_COORD_RANGE, reason, raw, raw_len, err);
        }
        row.reprojected = t->pj != NULL;
        int kind = fpi_check_geometry(&g, &chk, reason, sizeof reason);
        if (kind == FP_REJECT_KINDS && fpi_geometry_to_wkb(g, &blob, &blob_len)) {
            snprintf(reason, sizeof reason, "out of memory encoding it");
            kind = FP_REJECT_INVALID_GEOMETRY;
        }
        OGR_G_DestroyGeometry(g);
        if (kind != FP_REJECT_KINDS) {
            free(blob);
            return reject(t, sink, line, feature, kind, reason, raw, raw_len, err);
        }
        res->z_dropped += chk.z_dropped;
        res->repaired += chk.repaired;
        res->clamped += chk.clamped;
    } else if (lon_c >= 0) {
        char *lon_s = fpi_trim(fields[lon_c]), *lat_s = fpi_trim(fields[lat_c]);
        /* R's missing value (write.csv): an empty coordinate, not text. */
        if (!strcmp(lon_s, "NA")) { lon_s[0] = '\0'; res->na_missing++; }
        if (!strcmp(lat_s, "NA")) { lat_s[0] = '\0'; res->na_missing++; }
        if (!*lon_s && !*lat_s && have_place) {
            /* No coordinates but a place: stored for `footprint geocode`. */
        } else if (!*lon_s || !*lat_s) {
            snprintf(reason, sizeof reason, "%s is empty", !*lon_s ? shown[lon_c] : shown[lat_c]);
            return reject(t, sink, line, feature, !*lon_s && !*lat_s ? FP_REJECT_NO_LOCATION : FP_REJECT_COORD_MISSING,
                          !*lon_s && !*lat_s ? "no coordinates and no place or country to geocode" : reason,
                          raw, raw_len, err);
        } else {
            int kind = point_of(t, lon_s, lat_s, shown[lon_c], shown[lat_c], 0, "", &px, &py, &row.reprojected, reason,
                                sizeof reason);
            if (kind != FP_REJECT_KINDS) return reject(t, sink, line, feature, kind, reason, raw, raw_len, err);
            is_point = 1;
        }
    } else if (t->pair_c >= 0) {
        char *v = fpi_trim(fields[t->pair_c]), copy[256], *first, *second, intro[300];
        const char *order = t->pair_lon_first ? "lon, lat" : "lat, lon";
        snprintf(intro, sizeof intro, "column %s read as %s: ", shown[t->pair_c], order);
        if (!*v && have_place) {
            /* No coordinates but a place: stored for `footprint geocode`. */
        } else if (!*v) {
            return reject(t, sink, line, feature, FP_REJECT_NO_LOCATION, "no coordinates and no place or country to geocode",
                          raw, raw_len, err);
        } else if (strlen(v) >= sizeof copy || (snprintf(copy, sizeof copy, "%s", v), split_pair(copy, &first, &second))) {
            snprintf(reason, sizeof reason, "%s'%.60s' is not two numbers (%s, as '14.69, -17.44')", intro, v, order);
            return reject(t, sink, line, feature, FP_REJECT_COORD_NOT_NUMBER, reason, raw, raw_len, err);
        } else {
            int kind = point_of(t, t->pair_lon_first ? first : second, t->pair_lon_first ? second : first, "lon", "lat",
                                !t->pair_lon_first, intro, &px, &py, &row.reprojected, reason, sizeof reason);
            if (kind != FP_REJECT_KINDS) return reject(t, sink, line, feature, kind, reason, raw, raw_len, err);
            is_point = 1;
        }
    }
    if (!blob && !is_point && t->value_pair_c >= 0 && !t->pj) {
        char *v = fpi_trim(fields[t->value_pair_c]), copy[256], *first, *second, intro[300];
        if (strlen(v) < sizeof copy && (snprintf(copy, sizeof copy, "%s", v), !split_pair(copy, &first, &second)) &&
            is_decimal_number(first) && is_decimal_number(second)) {
            /* Lat first, as GPS units and map sites give them; lon first
             * when only that reading puts the first within +-90. */
            int lon_first = fabs(strtod(first, NULL)) > 90 && fabs(strtod(second, NULL)) <= 90;
            snprintf(intro, sizeof intro, "column %s read as %s: ", shown[t->value_pair_c], lon_first ? "lon, lat" : "lat, lon");
            int kind = point_of(t, lon_first ? first : second, lon_first ? second : first, "lon", "lat", !lon_first,
                                intro, &px, &py, &row.reprojected, reason, sizeof reason);
            if (kind != FP_REJECT_KINDS) return reject(t, sink, line, feature, kind, reason, raw, raw_len, err);
            is_point = 1;
            res->pair_values_read++;
            /* Coordinates are no place name: a "Location" column that is
             * the place column leaves the place empty in such a row. */
            if (field_col[FP_F_PLACE] == t->value_pair_c) row.values[FP_F_PLACE] = NULL;
        }
    }
    if (!blob && !is_point && !have_place) {
        /* A column that may hold coordinates but is not read: the reason
         * says so rather than that the row has none. */
        if (t->unread_c >= 0 && *fpi_trim(fields[t->unread_c])) {
            snprintf(reason, sizeof reason, "no coordinates read (column %s, '%.40s', is not read as coordinates: see "
                     "the import's columns line) and no place or country to geocode", shown[t->unread_c],
                     fpi_trim(fields[t->unread_c]));
            return reject(t, sink, line, feature, FP_REJECT_NO_LOCATION, reason, raw, raw_len, err);
        }
        if (t->value_pair_c >= 0 && *fpi_trim(fields[t->value_pair_c])) {
            snprintf(reason, sizeof reason, "no coordinates (column %s, '%.40s', is not two decimal numbers such as "
                     "'-1.2921, 36.8219') and no place or country to geocode", shown[t->value_pair_c],
                     fpi_trim(fields[t->value_pair_c]));
            return reject(t, sink, line, feature, FP_REJECT_NO_LOCATION, reason, raw, raw_len, err);
        }
        return reject(t, sink, line, feature, FP_REJECT_NO_LOCATION,
                      "no coordinates and no place or country to geocode", raw, raw_len, err);
    }
    row.wkb = blob;
    row.wkb_len = blob_len;
    row.is_point = is_point;
    row.x = px;
    row.y = py;
    /* Every other column is kept as an extra attribute (but the columns a
     * footprint export derives). */
    int own_export = t->own_export;
    json_t *extra = json_object();
    for (int i = 0; i < t->ncols; i++) {
        if (i == lon_c || i == lat_c || i == wkt_c || i == t->pair_c) continue;
        int used = 0;
        for (int f = 0; f < FP_F_COUNT; f++) used |= field_col[f] == i;
        if (used || !*fields[i] || !*cols[i] || (own_export && fpi_is_derived_column(cols[i]))) continue;
        json_t *v = fpi_typed_value(fields[i], t->types ? t->types[i] : FPI_VALUE_TEXT, own_export);
        json_object_set_new(extra, t->keys ? t->keys[i] : cols[i], v);
    }
    /* A placement geocode made, as footprint's export recorded it: kept
     * once the rows are stored where the point has not moved. */
    const char *method = own_export && t->own.method >= 0 ? fpi_trim(fields[t->own.method]) : "";
    if (*method && strcmp(method, "input")) {
        row.placed_method = method;
        row.placed_precision = t->own.precision >= 0 ? fpi_trim(fields[t->own.precision]) : NULL;
        row.placed_from = t->own.dataset >= 0 ? fpi_trim(fields[t->own.dataset]) : "";
        row.placed_key = exported_key;
    }
    /* Never over a value of the row's own (the caller leaves the tag out of
     * a sheet with a "layer" column, and counts its rows). */
    if (more_extra) json_object_update_missing(extra, more_extra);
    if (chk.repaired) json_object_set_new(extra, FP_REPAIRED_KEY, json_string(chk.repair_note));
    row.extra = extra;
    row.reason_prefix = t->prefix;
    st = fpi_sink_store(sink, &row, raw, raw_len, err);
    json_decref(extra);
    free(blob);
    return st;
}
