/*
 * OpenStreetMap's other_tags column (see osm_tags.h): the hstore text
 * GDAL's OSM driver writes, parsed into keys and values.
 *
 * The form, as GDAL writes it (ogr/ogrsf_frmts/osm): pairs "key"=>"value"
 * separated by commas, every key and value quoted, a '"' or '\' inside
 * one escaped by a backslash. PostgreSQL's hstore also allows spaces
 * round the => and the commas, and NULL unquoted as a value: both are
 * read too (NULL as an absent tag). Anything else is not hstore: the
 * caller keeps the text whole rather than guess.
 */
#include <string.h>
#include "ingest/osm_tags.h"

static const char *skip_spaces(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

/* A quoted string at p (p at its opening quote): its text unescaped into
 * *out (newly allocated), the position after its closing quote returned;
 * NULL when unterminated. */
static const char *quoted(const char *p, char **out)
{
    GString *s = g_string_new(NULL);
    for (p++; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) p++;
        g_string_append_c(s, *p);
    }
    if (*p != '"') {
        g_string_free(s, TRUE);
        return NULL;
    }
    *out = g_string_free(s, FALSE);
    return p + 1;
}

int fpi_osm_tags_parse(const char *text, GPtrArray *keys, GPtrArray *values)
{
    guint k0 = keys->len, v0 = values->len;
    const char *p = skip_spaces(text ? text : "");
    if (!*p) return -1;                 /* empty: nothing to read as tags */
    while (*p) {
        char *key = NULL, *value = NULL;
        if (*p != '"' || !(p = quoted(p, &key))) goto not_hstore;
        p = skip_spaces(p);
        if (strncmp(p, "=>", 2)) { g_free(key); goto not_hstore; }
        p = skip_spaces(p + 2);
        if (!strncmp(p, "NULL", 4)) {
            p += 4;
        } else if (*p != '"' || !(p = quoted(p, &value))) {
            g_free(key);
            goto not_hstore;
        }
        if (value) {
            g_ptr_array_add(keys, key);
            g_ptr_array_add(values, value);
        } else {
            g_free(key);
        }
        p = skip_spaces(p);
        if (*p == ',') p = skip_spaces(p + 1);
        else if (*p) goto not_hstore;
    }
    return 0;
not_hstore:
    /* Drop what this text added: the arrays are as they were. */
    while (keys->len > k0) g_free(g_ptr_array_steal_index(keys, keys->len - 1));
    while (values->len > v0) g_free(g_ptr_array_steal_index(values, values->len - 1));
    return -1;
}
