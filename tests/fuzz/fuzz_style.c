/*
 * Fuzz harness: the style file parser (src/style/style.c, jansson
 * underneath) and what a style drives: category colours and shapes,
 * choropleth classification and the QGIS QML documents. Invariants: an
 * error names the style; a style that loads has 2..9 classes with a known
 * scheme, manual breaks strictly increasing, and gives QML documents.
 */
#include <math.h>
#include <libxml/parser.h>
#include "fuzz_common.h"
#include "fp_style.h"

/* A QML document must be well-formed XML whatever the names in it. */
static void check_xml(const char *qml, const char *what)
{
    xmlDocPtr doc = xmlReadMemory(qml, (int)strlen(qml), "qml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    FZ_CHECK(doc != NULL, "%s QML is not well-formed XML:\n%.2000s", what, qml);
    xmlFreeDoc(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = fz_strdup(data, size);
    fp_style *s = NULL;
    fp_error err = {0};
    fp_status st = fp_style_parse(json, "fuzz.json", &s, &err);
    if (st != FP_OK) {
        FZ_CHECK(s == NULL, "a style returned with an error");
        FZ_CHECK(st == FP_ERR_INPUT || st == FP_ERR_NOMEM, "status %d: %s", st, err.message);
        FZ_CHECK(strncmp(err.message, "fuzz.json", 9) == 0, "message does not name the style: %s", err.message);
        free(json);
        return 0;
    }
    FZ_CHECK(fp_style_name(s) && *fp_style_name(s), "no name");
    const fp_map_style *m = fp_style_map(s);
    FZ_CHECK(m->view.bbox[0] < m->view.bbox[2] && m->view.bbox[1] < m->view.bbox[3], "bad bbox");
    const char *const *names;
    size_t n = fp_style_categories(s, &names);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(names[i] != NULL, "category %zu is NULL", i);
        fp_style_category_color(s, names[i]);
        fp_shape shape = fp_style_category_shape(s, names[i]);
        FZ_CHECK(shape >= FP_SHAPE_CIRCLE && shape <= FP_SHAPE_DIAMOND, "shape %d", shape);
    }
    fp_style_category_color(s, "a category no style names");
    /* Category values as data brings them (any bytes): the style's own, then
     * the raw input cut at newlines. */
    const char *values[64];
    size_t nv = 0;
    for (size_t i = 0; i < n && nv < 32; i++) values[nv++] = names[i];
    char *raw = fz_strdup(data, size);
    for (char *line = raw, *next; line && nv < 64; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        values[nv++] = line;
    }
    char *qml = fp_qml_categorized(s, fp_style_category_field(s), values, nv, "point");
    FZ_CHECK(qml != NULL, "no categorized QML");
    check_xml(qml, "categorized");
    free(qml);
    free(raw);
    const fp_choropleth_spec *ch = fp_style_choropleth(s);
    if (ch) {
        FZ_CHECK(ch->classes >= FP_CLASSES_MIN && ch->classes <= FP_CLASSES_MAX, "%d classes", ch->classes);
        for (int i = 1; i < ch->nbreaks; i++) FZ_CHECK(ch->breaks[i] > ch->breaks[i - 1], "breaks not increasing");
        /* Values as a choropleth meets them: zeros, ties, no data. */
        double sample[] = { 0, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, NAN, INFINITY, -1, 0.5, 1e9 };
        fp_classes c;
        memset(&c, 0, sizeof c);
        if (fp_classify(ch, sample, sizeof sample / sizeof sample[0], &c, &err) == FP_OK) {
            FZ_CHECK(c.n >= 0 && c.n <= FP_CLASSES_MAX, "%d classes", c.n);
            for (int i = 1; i <= c.n; i++) FZ_CHECK(c.breaks[i] >= c.breaks[i - 1], "class breaks decrease");
            for (size_t i = 0; i < sizeof sample / sizeof sample[0]; i++) {
                int k = fp_classes_index(&c, sample[i]);
                FZ_CHECK(k >= -1 && k < c.n, "value %g in class %d of %d", sample[i], k, c.n);
            }
            qml = fp_qml_graduated_style(s, &c, ch->field ? ch->field : "projects", "polygon");
            FZ_CHECK(c.n == 0 || qml != NULL, "no graduated QML");
            if (qml) check_xml(qml, "graduated");
            free(qml);
            fp_classes_clear(&c);
        }
    }
    fp_style_free(s);
    free(json);
    return 0;
}
