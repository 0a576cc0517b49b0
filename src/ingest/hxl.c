/*
 * HXL, the Humanitarian Exchange Language (hxlstandard.org): files from
 * HDX carry a row of hashtags right under the header ("#org", "#sector",
 * "#adm1+name", "#geo+lat"). That row is no project; its tags say what a
 * column holds where the header's name does not (a 3W in French or
 * Spanish, "Agence", "Latitud").
 */
#include <string.h>
#include <strings.h>
#include "ingest/ingest_internal.h"

static int is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_word_char(char c)
{
    return is_letter(c) || (c >= '0' && c <= '9') || c == '_';
}

/* Blanks on either side, as fpi_trim takes them off. */
static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* A hashtag or attribute at s (after its '#' or '+'): a letter, then
 * letters, digits or '_'. Its length, 0 if there is none. */
static size_t word_at(const char *s)
{
    if (!is_letter(*s)) return 0;
    size_t n = 1;
    while (is_word_char(s[n])) n++;
    return n;
}

/* HXL's own pattern (libhxl): blanks may stand before a '+', not after. */
int fpi_hxl_is_tag(const char *text)
{
    const char *s = skip_blanks(text);
    if (*s != '#') return 0;
    size_t n = word_at(s + 1);
    if (!n) return 0;
    s += 1 + n;
    for (;;) {
        const char *p = skip_blanks(s);
        if (*p != '+') return *p == '\0';
        if (!(n = word_at(p + 1))) return 0;
        s = p + 1 + n;
    }
}

int fpi_hxl_row(const char *const *cells, int n)
{
    int tags = 0;
    for (int i = 0; i < n; i++) {
        if (!cells[i] || !*skip_blanks(cells[i])) continue;
        if (!fpi_hxl_is_tag(cells[i])) return 0;
        tags++;
    }
    return tags > 0;
}

/* A tag's hashtag and whether it carries an attribute (case does not
 * matter in HXL). tag: a valid one (fpi_hxl_is_tag). */
static int hashtag_is(const char *tag, const char *hashtag)
{
    const char *s = skip_blanks(tag) + 1;
    size_t n = word_at(s);
    return strlen(hashtag) == n && !strncasecmp(s, hashtag, n);
}

static int has_attribute(const char *tag, const char *attribute)
{
    size_t want = strlen(attribute);
    for (const char *p = strchr(tag, '+'); p; p = strchr(p + 1, '+')) {
        const char *a = p + 1;
        if (word_at(a) == want && !strncasecmp(a, attribute, want)) return 1;
    }
    return 0;
}

/* What a tag that is a thing's name fills: the thing itself or its +name
 * first (rank 0), with other attributes next (+impl, +acronym: 1); a
 * +code, +id or +type is another thing (an "NGO" is no company), -1. */
static int name_rank(const char *tag)
{
    if (has_attribute(tag, "code") || has_attribute(tag, "id") || has_attribute(tag, "type")) return -1;
    return !strchr(tag, '+') || has_attribute(tag, "name") ? 0 : 1;
}

int fpi_hxl_target(const char *tag, int *rank)
{
    *rank = 0;
    if (!fpi_hxl_is_tag(tag)) return FPI_HXL_NONE;
    if (hashtag_is(tag, "geo")) {
        if (has_attribute(tag, "lat")) return FPI_HXL_LAT;
        if (has_attribute(tag, "lon")) return FPI_HXL_LON;
        return FPI_HXL_NONE;
    }
    /* The country as a code resolves surely; a name does too. */
    if (hashtag_is(tag, "country")) {
        *rank = has_attribute(tag, "code") ? 0 : 1;
        return FP_F_COUNTRY;
    }
    /* A year of the project, else the year it starts: year is the leading
     * four digits ("2023-04-01" is 2023). */
    if (hashtag_is(tag, "date")) {
        if (has_attribute(tag, "year")) return FP_F_YEAR;
        if (has_attribute(tag, "start")) {
            *rank = 1;
            return FP_F_YEAR;
        }
        return FPI_HXL_NONE;
    }
    static const struct { const char *hashtag; int field; } named[] = {
        { "org", FP_F_COMPANY }, { "sector", FP_F_CATEGORY }, { "activity", FP_F_NAME }, { "status", FP_F_STATUS },
    };
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++)
        if (hashtag_is(tag, named[k].hashtag)) {
            if ((*rank = name_rank(tag)) < 0) return FPI_HXL_NONE;
            return named[k].field;
        }
    /* A place to geocode: a location's name first, then the finest
     * administrative level's (a district's town more often bears its name
     * than a province's); codes (P-codes) are no names to look up. */
    static const char *const places[] = { "loc", "adm5", "adm4", "adm3", "adm2", "adm1", NULL };
    for (int k = 0; places[k]; k++)
        if (hashtag_is(tag, places[k])) {
            if (name_rank(tag) < 0) return FPI_HXL_NONE;
            *rank = k;
            return FP_F_PLACE;
        }
    return FPI_HXL_NONE;
}
