/* fpi_osm_tags_parse (src/ingest/osm_tags.c): GDAL's other_tags text, the
 * pairs written by hand; anything not in that form leaves the arrays as
 * they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ingest/osm_tags.h"

/* The parsed pairs as "k=v;k=v", or "(not hstore)". */
static char *parsed(const char *text)
{
    GPtrArray *k = g_ptr_array_new_with_free_func(g_free), *v = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(k, g_strdup("before"));      /* what the caller had stays */
    g_ptr_array_add(v, g_strdup("1"));
    GString *out = g_string_new(NULL);
    if (fpi_osm_tags_parse(text, k, v)) {
        g_string_append(out, "(not hstore)");
    } else {
        for (guint i = 1; i < k->len; i++)
            g_string_append_printf(out, "%s%s=%s", i > 1 ? ";" : "", (char *)k->pdata[i], (char *)v->pdata[i]);
    }
    assert_true(k->len == v->len && k->len >= 1 && !strcmp(k->pdata[0], "before"));
    g_ptr_array_free(k, TRUE);
    g_ptr_array_free(v, TRUE);
    return g_string_free(out, FALSE);
}

static void expect(const char *text, const char *want)
{
    char *got = parsed(text);
    assert_string_equal(got, want);
    g_free(got);
}

static void test_gdal_form(void **state)
{
    (void)state;
    expect("\"operator\"=>\"Teraco\",\"telecom\"=>\"data_center\",\"addr:country\"=>\"ZA\"",
           "operator=Teraco;telecom=data_center;addr:country=ZA");
    expect("\"name:zh\"=>\"内罗毕\"", "name:zh=内罗毕");
    /* A quote and a backslash inside, escaped as GDAL writes them. */
    expect("\"note\"=>\"the \\\"old\\\" hall\",\"path\"=>\"a\\\\b\"", "note=the \"old\" hall;path=a\\b");
    /* Commas and => inside values are text. */
    expect("\"operator\"=>\"Huawei;ZTE, and a=>b\"", "operator=Huawei;ZTE, and a=>b");
}

static void test_hstore_spacing_and_null(void **state)
{
    (void)state;
    expect(" \"a\" => \"1\" , \"b\"=>NULL, \"c\"=>\"\" ", "a=1;c=");
}

static void test_not_hstore(void **state)
{
    (void)state;
    expect("", "(not hstore)");
    expect("operator=Teraco", "(not hstore)");
    expect("\"a\"=>\"1\",\"b\"", "(not hstore)");            /* a key without its value */
    expect("\"a\"=>\"unterminated", "(not hstore)");
    expect("\"a\"=>\"1\" \"b\"=>\"2\"", "(not hstore)");    /* no comma between pairs */
    expect("{\"a\": \"1\"}", "(not hstore)");               /* JSON */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gdal_form),
        cmocka_unit_test(test_hstore_spacing_and_null),
        cmocka_unit_test(test_not_hstore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
