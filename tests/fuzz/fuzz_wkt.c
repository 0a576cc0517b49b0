/*
 * Fuzz harness: WKT geometries as the CSV import reads them (a WKT column):
 * OGR's WKT reader, then fpi_check_geometry (finite coordinates, WGS 84
 * range, GEOS validity, --make-valid repair, curves linearised, Z/M
 * dropped) and fpi_geometry_to_wkb (the form the store takes). The first
 * byte sets --make-valid. Invariants: a geometry that passes is 2D, linear,
 * not empty, valid (GEOS) and in range, and encodes to WKB, its bounding
 * box in range; a rejection has a kind and a reason.
 */
#include <math.h>
#include <ogr_api.h>
#include <cpl_error.h>
#include <geos_c.h>
#include "fuzz_common.h"
#include "footprint.h"
#include "ingest/ingest_internal.h"

static int ready;
/* The GEOS context an import's sink would own (fpi_sink_geos). */
static GEOSContextHandle_t geos;

static void cleanup(void)
{
    /* not fp_global_cleanup(): see fuzz_store.h */
    GEOS_finish_r(geos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!ready) {
        fp_global_init();
        CPLSetErrorHandler(CPLQuietErrorHandler);
        geos = GEOS_init_r();
        atexit(cleanup);
        ready = 1;
    }
    char *text = fz_strdup(data + 1, size - 1);
    char *w = text;
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkt(&w, NULL, &g) == OGRERR_NONE && g) {
        fp_geom_check chk = { .strict = data[0] & 1, .geos = geos };
        char reason[512];
        reason[0] = '\0';
        int kind = fpi_check_geometry(&g, &chk, reason, sizeof reason);
        FZ_CHECK(kind >= 0 && kind <= FP_REJECT_KINDS, "kind %d", kind);
        if (kind == FP_REJECT_KINDS) {
            FZ_CHECK(g != NULL, "accepted without a geometry");
            FZ_CHECK(!OGR_G_Is3D(g) && !OGR_G_IsMeasured(g), "Z/M left in");
            FZ_CHECK(!OGR_GT_IsNonLinear(OGR_G_GetGeometryType(g)), "a curve left in");
            FZ_CHECK(!OGR_G_IsEmpty(g), "an empty geometry accepted");
            /* What is stored is valid (as checked, or as repaired). */
            OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
            if (t != wkbPoint && t != wkbMultiPoint) FZ_CHECK(OGR_G_IsValid(g), "an invalid geometry accepted");
            unsigned char *blob = NULL;
            size_t len = 0;
            OGREnvelope bbox;
            OGR_G_GetEnvelope(g, &bbox);
            if (fpi_geometry_to_wkb(g, &blob, &len) == 0) {
                FZ_CHECK(blob && len > 0, "empty WKB");
                FZ_CHECK(bbox.MinX >= -180 && bbox.MaxX <= 180 && bbox.MinY >= -90 && bbox.MaxY <= 90,
                         "bbox %g %g %g %g", bbox.MinX, bbox.MinY, bbox.MaxX, bbox.MaxY);
                FZ_CHECK(bbox.MinX <= bbox.MaxX && bbox.MinY <= bbox.MaxY, "inverted bbox");
            }
            free(blob);
        } else {
            FZ_CHECK(reason[0] != '\0', "rejected (kind %d) without a reason", kind);
            FZ_CHECK(memchr(reason, '\0', sizeof reason) != NULL, "reason not terminated");
        }
        if (g) OGR_G_DestroyGeometry(g);
    }
    free(text);
    return 0;
}
