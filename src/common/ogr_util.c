/* OGR helpers shared by the stages that read layers. */
#include "common/gdal_api.h"
#include "common/util.h"

int fpi_layer_to_wgs84(void *layer_handle, void **ct_out)
{
    return fpi_layer_crs_to_wgs84(layer_handle, NULL, ct_out, NULL, 0);
}

int fpi_layer_crs_to_wgs84(void *layer_handle, const char *crs, void **ct_out, char *overridden, size_t size)
{
    OGRLayerH layer = layer_handle;
    *ct_out = NULL;
    if (overridden && size) overridden[0] = '\0';
    OGRSpatialReferenceH given = NULL, src = OGR_L_GetSpatialRef(layer);
    if (crs && *crs) {
        given = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(given, crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(given);
            return -2;
        }
        /* The file declares another CRS: said, as the user may have meant
         * --crs for the CSV files of a batch only. */
        if (src && overridden && size && !OSRIsSame(src, given)) {
            const char *auth = OSRGetAuthorityName(src, NULL), *code = OSRGetAuthorityCode(src, NULL);
            if (auth && code) snprintf(overridden, size, "%s:%s", auth, code);
            else snprintf(overridden, size, "a CRS without an EPSG code");
        }
        src = given;
    }
    if (!src) return 0;                 /* no CRS: read as WGS 84, as GeoJSON says */
    OGRSpatialReferenceH wgs84 = OSRNewSpatialReference(NULL);
    OSRSetWellKnownGeogCS(wgs84, "WGS84");
    OSRSetAxisMappingStrategy(wgs84, OAMS_TRADITIONAL_GIS_ORDER);
    int rc = 0;
    if (!OSRIsSame(src, wgs84)) {
        /* Longitude first on both sides, whatever the CRS's axis order. */
        OGRSpatialReferenceH copy = OSRClone(src);
        OSRSetAxisMappingStrategy(copy, OAMS_TRADITIONAL_GIS_ORDER);
        *ct_out = OCTNewCoordinateTransformation(copy, wgs84);
        OSRDestroySpatialReference(copy);
        rc = *ct_out ? 0 : -1;
    }
    OSRDestroySpatialReference(wgs84);
    if (given) OSRDestroySpatialReference(given);
    return rc;
}

fp_status fpi_report_fields_create(void *layer_handle, const fp_report_field *fields, int n, const char *path,
                                  fp_error *err)
{
    OGRLayerH lyr = layer_handle;
    for (int i = 0; i < n; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, (OGRFieldType)fields[i].type);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) return fp_error_set(err, FP_ERR_IO, "%s: cannot create field %s", path, fields[i].name);
    }
    return FP_OK;
}
