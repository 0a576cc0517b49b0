/* The data-model fields and how input columns map onto them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "ingest/ingest_internal.h"
#include "common/util.h"

const char *const fpi_field_names[FP_F_COUNT] = {
    "id", "company", "category", "name", "place", "country", "year", "status", "amount", "source"
};

/* Column names recognised without --map, in order of preference (a column
 * "Recipient ISO-3" is a better country than "Recipient", a name), written
 * as compared: lower case without spaces, dots, underscores or hyphens, so
 * "Commitment.Year", "commitment_year" and "Commitment Year" are one name.
 * The humanitarian 3W/4W lists ("who does what where") name the company
 * Partner or Implementing partner, the category Cluster or Sector/Cluster
 * (the slash is kept when compared) and the project Activity; they come
 * after the names of this model, so a list with both keeps its own. */
static const char *const aliases[FP_F_COUNT][24] = {
    [FP_F_ID] = { "id", "projectid", "sourceid", "key", "uid", "siteid", "projectno", "projectnumber", "projectcode", NULL },
    [FP_F_COMPANY] = { "company", "organisation", "organization", "org", "firm", "operator",
                       "fundingagencies", "fundingagency", "funder", "lender", "companyname", "organisationname",
                       "organizationname", "partner", "implementingpartner", "partnername",
                       "implementingorganisation", "implementingorganization", NULL },
    [FP_F_CATEGORY] = { "category", "type", "sector", "kind", "sectorname", "cluster", "sector/cluster",
                        "cluster/sector", "clustername", NULL },
    [FP_F_NAME] = { "name", "project", "projectname", "title", "projecttitle", "activity", "activityname",
                    "activitytitle", NULL },
    [FP_F_PLACE] = { "place", "city", "town", "locality", "location", "site", "placename", "cityname",
                     "townname", "settlement", NULL },
    /* adm0name, adm0a3, sov0name: Natural Earth's own columns, which GIS
     * users' lists often keep. */
    [FP_F_COUNTRY] = { "country", "countrycode", "iso3", "isoa3", "iso2", "isoa2", "adm0a3", "nation",
                       "countryname", "adm0name", "admin0", "admin0name", "sov0name",
                       "recipientiso3", "recipientcountry", "recipient", "ctry", "cntry",
                       "addr:country", "addrcountry", NULL },   /* OpenStreetMap's tag (ISO 3166 alpha-2) */
    [FP_F_YEAR] = { "year", "startyear", "commitmentyear", NULL },
    [FP_F_STATUS] = { "status", NULL },
    [FP_F_AMOUNT] = { "amount", "value", "amountusd", "valueusd", "usd", NULL },
    [FP_F_SOURCE] = { "source", "sourceurl", "url", "link", NULL },
};

/* Bytes of whitespace at s (0 if none): ASCII blanks and line breaks, and
 * the Unicode spaces a sheet's header holds (NBSP, U+2000-U+200A, U+202F,
 * U+205F, U+3000). A header cell typed with Alt+Enter ("Latitude\n(WGS
 * 84)") or pasted from a web page (NBSP) is the same name as with spaces. */
size_t fpi_space_at(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] == ' ' || (u[0] >= '\t' && u[0] <= '\r')) return 1;
    if (u[0] == 0xC2 && u[1] == 0xA0) return 2;
    if (u[0] == 0xE2 && u[1] == 0x80 && ((u[2] >= 0x80 && u[2] <= 0x8A) || u[2] == 0xAF)) return 3;
    if (u[0] == 0xE2 && u[1] == 0x81 && u[2] == 0x9F) return 3;
    if (u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) return 3;
    return 0;
}

/* A column name as compared: ASCII lower case, without whitespace of any
 * kind (fpi_space_at), dots, underscores and hyphens, and without a
 * trailing "(...)" qualifier ("Amount (Constant USD 2021)" is an amount). */
void fpi_normalize_column_name(const char *in, char *out, size_t size)
{
    size_t o = 0, sp;
    for (const char *c = in; *c && o + 1 < size; c++) {
        if ((sp = fpi_space_at(c))) { c += sp - 1; continue; }
        if (*c == '.' || *c == '_' || *c == '-') continue;
        out[o++] = (*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
    }
    out[o] = '\0';
    char *paren = strchr(out, '(');
    if (paren && paren != out && out[o - 1] == ')') *paren = '\0';
}

void fpi_column_display(const char *in, char *out, size_t size)
{
    size_t o = 0, sp;
    int gap = 0;
    const char *c = in;
    for (; *c; c++) {
        if ((sp = fpi_space_at(c))) { c += sp - 1; gap = 1; continue; }
        if (o + 1 + (gap && o) >= size) break;
        if (gap && o) out[o++] = ' ';
        gap = 0;
        out[o++] = *c;
    }
    /* Cut short (a long name in a small buffer): not inside a character. */
    if (*c && ((unsigned char)*c & 0xC0) == 0x80) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80) o--;
        if (o > 0) o--;
    }
    out[o] = '\0';
}

/* Rank of the column's name among the field's aliases, -1 if none. */
static int alias_rank(int f, const char *normalized)
{
    for (int a = 0; aliases[f][a]; a++)
        if (strcmp(aliases[f][a], normalized) == 0) return a;
    return -1;
}

/* A DBF (a Shapefile's attributes) cuts field names to 10 bytes, so an
 * ArcGIS user's "Company_Name" arrives as "COMPANY_NA". */
#define DBF_NAME_BYTES 10

/* Ranks of a name cut to a DBF's 10 bytes come after every name of the
 * field written in full. */
#define CUT_RANK 100

/* The field a column of exactly DBF_NAME_BYTES bytes that is no alias
 * stands for: its name as compared begins aliases of that field alone
 * ("ORGANISATI" begins organisation and organisationname, both company's),
 * *rank the first of them plus CUT_RANK. -1 when it begins none, or
 * aliases of two fields (ambiguous: not guessed). */
static int cut_alias_field(const char *column, const char *normalized, int *rank)
{
    size_t n = strlen(normalized);
    if (strlen(column) != DBF_NAME_BYTES || n == 0) return -1;
    int field = -1;
    for (int f = 0; f < FP_F_COUNT; f++) {
        for (int a = 0; aliases[f][a]; a++) {
            if (strlen(aliases[f][a]) <= n || strncmp(aliases[f][a], normalized, n)) continue;
            if (field >= 0 && field != f) return -1;
            if (field < 0) *rank = CUT_RANK + a;
            field = f;
            break;
        }
    }
    return field;
}

/* The field a column's name stands for and its rank among that field's
 * names (alias_rank, or after them for a name cut by a DBF); -1 if none. */
static int field_of_name(const char *column, int *rank)
{
    char norm[256];
    fpi_normalize_column_name(column, norm, sizeof norm);
    for (int f = 0; f < FP_F_COUNT; f++)
        if ((*rank = alias_rank(f, norm)) >= 0) return f;
    return cut_alias_field(column, norm, rank);
}

int fpi_field_index(const char *name)
{
    for (int i = 0; i < FP_F_COUNT; i++)
        if (strcasecmp(fpi_field_names[i], name) == 0) return i;
    return -1;
}

int fpi_field_for_column(const char *column)
{
    int rank;
    return field_of_name(column, &rank);
}

static int find_column(const char *const *columns, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(columns[i], name) == 0) return i;
    for (int i = 0; i < n; i++)
        if (strcasecmp(columns[i], name) == 0) return i;
    /* --map year=Commitment.Year finds "Commitment Year". */
    char want[256], have[256];
    fpi_normalize_column_name(name, want, sizeof want);
    for (int i = 0; i < n; i++) {
        fpi_normalize_column_name(columns[i], have, sizeof have);
        if (*want && strcmp(want, have) == 0) return i;
    }
    return -1;
}

/* footprint's own export read back (an edited GeoPackage, the CSV): its
 * columns source_key, dataset and geocode_method together. The project's
 * id is then source_key, not the export's id (the store's row number), and
 * the columns footprint derives are not kept as extra attributes: they are
 * computed again (the dataset is the import's). Otherwise a re-imported
 * unchanged layer diffed as every project removed and added. */
static const char *const derived_columns[] = { "id", "dataset", "country_code", "geocode_method", "geocode_precision",
                                               "qa", NULL };

int fpi_is_footprint_export(const char *const *columns, int n)
{
    return find_column(columns, n, "source_key") >= 0 && find_column(columns, n, "dataset") >= 0 &&
           find_column(columns, n, "geocode_method") >= 0;
}

void fpi_own_export_columns(const char *const *columns, int n, fpi_own_columns *out)
{
    out->dataset = find_column(columns, n, "dataset");
    out->method = find_column(columns, n, "geocode_method");
    out->precision = find_column(columns, n, "geocode_precision");
}

int fpi_is_derived_column(const char *column)
{
    for (int i = 0; derived_columns[i]; i++)
        if (!strcmp(column, derived_columns[i])) return 1;
    /* A KML export's own elements (the Placemark's <name> label, which is
     * the name or else the id; tessellate, visibility... of LIBKML's
     * reader): KML's, not attributes (util.h, fpi_libkml_private_fields). */
    return !strncmp(column, FPI_KML_FIELD_PREFIX, strlen(FPI_KML_FIELD_PREFIX));
}

static void list_columns(const char *const *columns, int n, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && o + 4 < size; i++) {
        char shown[256];
        fpi_column_display(columns[i], shown, sizeof shown);
        o += snprintf(buf + o, size - o, "%s%s", i ? ", " : "", shown);
    }
}

fp_status fpi_resolve_fields(const char *path, const char *const *columns, int ncolumns,
                            const fp_column_map *maps, int nmaps, int field_col[FP_F_COUNT],
                            fp_error *err)
{
    for (int f = 0; f < FP_F_COUNT; f++) field_col[f] = -1;
    int explicit_field[FP_F_COUNT] = {0};
    for (int m = 0; m < nmaps; m++) {
        int f = fpi_field_index(maps[m].field);
        if (f < 0)
            return fp_error_set(err, FP_ERR_USAGE, "--map %s=%s: unknown field '%s' (fields: " FP_FIELD_LIST ")",
                                maps[m].field, maps[m].column, maps[m].field);
        int c = find_column(columns, ncolumns, maps[m].column);
        if (c < 0 && ncolumns == 0)     /* an empty FeatureCollection: GDAL finds its fields in its features */
            return fp_error_set(err, FP_ERR_INPUT, "%s: --map %s=%s: the file has no columns at all (no features, "
                                "or none with properties?); nothing of this import was stored",
                                path, maps[m].field, maps[m].column);
        if (c < 0) {
            char list[1024];
            list_columns(columns, ncolumns, list, sizeof list);
            return fp_error_set(err, FP_ERR_INPUT, "%s: --map %s=%s: no column '%s' (columns: %s)",
                                path, maps[m].field, maps[m].column, maps[m].column, list);
        }
        field_col[f] = c;
        explicit_field[f] = 1;
    }
    /* Each field not mapped takes the column whose name ranks first among
     * its aliases; a column fills one field only. */
    int rank[FP_F_COUNT];
    for (int f = 0; f < FP_F_COUNT; f++) rank[f] = 1 << 20;
    for (int c = 0; c < ncolumns; c++) {
        int r;
        int f = field_of_name(columns[c], &r);
        if (f < 0 || explicit_field[f]) continue;
        /* A column already used by an explicit map is not reused. */
        int used = 0;
        for (int g = 0; g < FP_F_COUNT; g++) used |= explicit_field[g] && field_col[g] == c;
        if (used) continue;
        if (r < rank[f]) {
            rank[f] = r;
            field_col[f] = c;
        }
    }
    if (!explicit_field[FP_F_ID] && fpi_is_footprint_export(columns, ncolumns))
        field_col[FP_F_ID] = find_column(columns, ncolumns, "source_key");
    return FP_OK;
}
