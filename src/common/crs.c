/* The kind of a CRS a user named (crs.h). */
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include "common/crs.h"

static void log_nothing(void *user, int level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

PJ_CONTEXT *fpi_proj_context_quiet(void)
{
    PJ_CONTEXT *ctx = proj_context_create();
    if (ctx) {
        proj_log_level(ctx, PJ_LOG_NONE);
        proj_log_func(ctx, NULL, log_nothing);
    }
    return ctx;
}

static const char *kind_name(PJ_TYPE t)
{
    switch (t) {
    case PJ_TYPE_GEOCENTRIC_CRS: return "a geocentric CRS";
    case PJ_TYPE_GEOGRAPHIC_3D_CRS: return "a 3D geographic CRS";
    case PJ_TYPE_GEOGRAPHIC_2D_CRS: return "a geographic CRS";
    case PJ_TYPE_PROJECTED_CRS: return "a projected CRS";
    case PJ_TYPE_VERTICAL_CRS: return "a vertical CRS";
    case PJ_TYPE_COMPOUND_CRS: return "a compound (horizontal + vertical) CRS";
    case PJ_TYPE_ENGINEERING_CRS: return "an engineering (local) CRS";
    case PJ_TYPE_TEMPORAL_CRS: return "a temporal CRS";
    default: return "a CRS of another kind";
    }
}

int fpi_crs_check_horizontal(const char *def, char *what, size_t size)
{
    if (size) what[0] = '\0';
    PJ_CONTEXT *ctx = fpi_proj_context_quiet();
    if (!ctx) return 0;
    PJ *crs = proj_create(ctx, def);
    /* A PROJ string without +type=crs reads as an operation; as a CRS, as
     * proj_create_crs_to_crs and GDAL read it. */
    if (crs && !proj_is_crs(crs) && strstr(def, "+proj=") && !strstr(def, "type=crs")) {
        proj_destroy(crs);
        char *as_crs = g_strdup_printf("%s +type=crs", def);
        crs = proj_create(ctx, as_crs);
        g_free(as_crs);
    }
    int rc = 0;
    if (crs && proj_is_crs(crs)) {
        /* A CRS with +towgs84 is a bound CRS: its own kind is its source's. */
        PJ *base = proj_get_type(crs) == PJ_TYPE_BOUND_CRS ? proj_get_source_crs(ctx, crs) : NULL;
        const PJ *c = base ? base : crs;
        PJ_TYPE t = proj_get_type(c);
        PJ *cs = t == PJ_TYPE_COMPOUND_CRS ? NULL : proj_crs_get_coordinate_system(ctx, c);
        int axes = cs ? proj_cs_get_axis_count(ctx, cs) : -1;
        if (!((t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_PROJECTED_CRS) && axes == 2)) {
            rc = -1;
            if (axes > 0) snprintf(what, size, "%s (%d ax%s)", kind_name(t), axes, axes == 1 ? "is" : "es");
            else snprintf(what, size, "%s", kind_name(t));
        }
        if (cs) proj_destroy(cs);
        if (base) proj_destroy(base);
    }
    if (crs) proj_destroy(crs);
    proj_context_destroy(ctx);
    return rc;
}

void fpi_crs_describe(const char *def, char *out, size_t size)
{
    snprintf(out, size, "%.80s", def);
    PJ_CONTEXT *ctx = fpi_proj_context_quiet();
    PJ *crs = ctx ? proj_create(ctx, def) : NULL;
    if (crs && proj_is_crs(crs)) {
        const char *auth = proj_get_id_auth_name(crs, 0), *code = proj_get_id_code(crs, 0);
        const char *name = proj_get_name(crs);
        if (auth && code && name) snprintf(out, size, "%s:%s, %s", auth, code, name);
        else if (name && strcmp(name, "unknown")) snprintf(out, size, "%.80s, %s", def, name);
    }
    if (crs) proj_destroy(crs);
    if (ctx) proj_context_destroy(ctx);
}

fp_status fpi_crs_check_option(const char *option, const char *value, const char *def, fp_error *err)
{
    char kind[96];
    if (!*value) return fp_error_set(err, FP_ERR_USAGE, "%s: empty value", option);
    if (fpi_crs_check_horizontal(def, kind, sizeof kind))
        return fp_error_set(err, FP_ERR_USAGE, "%s %s: not a 2D geographic or projected CRS but %s", option, value, kind);
    return FP_OK;
}
