/* The report map as a georeferenced GeoTIFF (render -o map.tif), written
 * through GDAL's GTiff driver: the CRS (from PROJ's WKT2 of the map's
 * projection) and the geotransform go into the file's GeoTIFF keys, so GDAL
 * and QGIS place it with no sidecar.
 *
 * One gap: GDAL 3.6 writes no keys at all for Equal Earth (the world map's
 * projection; no GeoTIFF method, no WKT1 name), not even for its EPSG code,
 * and would put the CRS in a .aux.xml. GeoTIFF keys can name any EPSG CRS,
 * and GDAL reads such a key back, so when the map's CRS is an EPSG one
 * (EPSG:8857 for Equal Earth on Greenwich) libgeotiff adds the key. Three bands, RGB: the page is opaque
 * (paper, legend, title), as in the PNG. Tiled, DEFLATE with the horizontal
 * predictor, and internal overviews (averaged) down to 128-255 pixels, so
 * QGIS draws the whole map at small scales without reading every pixel. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "common/gdal_api.h"
#include <geotiff/geotiffio.h>
#include <geotiff/geokeys.h>
#include <geotiff/xtiffio.h>
#include "render_internal.h"

/* The EPSG code of the CRS equal to srs (names aside), or 0. */
static int identify_epsg(OGRSpatialReferenceH srs)
{
    int n = 0, *confidence = NULL, code = 0;
    OGRSpatialReferenceH *matches = OSRFindMatches(srs, NULL, &n, &confidence);
    const char *const same[] = { "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS", NULL };
    /* PROJ scores 90 % a match that differs in names only: accept it when
     * GDAL finds both definitions equivalent. */
    if (n > 0 && confidence[0] >= 90 && OSRIsSameEx(srs, matches[0], same)) {
        const char *auth = OSRGetAuthorityName(matches[0], NULL), *c = OSRGetAuthorityCode(matches[0], NULL);
        if (auth && c && !strcmp(auth, "EPSG")) code = atoi(c);
    }
    OSRFreeSRSArray(matches);
    CPLFree(confidence);
    return code;
}

/* Adds the GeoTIFF keys of a projected EPSG CRS to the first image of the
 * file GDAL wrote (the geotransform tags are there already). */
static int write_epsg_keys(const char *file, int code)
{
    TIFF *t = XTIFFOpen(file, "r+");
    if (!t) return -1;
    GTIF *g = GTIFNew(t);
    int ok = g != NULL;
    if (ok) {
        GTIFKeySet(g, GTModelTypeGeoKey, TYPE_SHORT, 1, ModelTypeProjected);
        GTIFKeySet(g, GTRasterTypeGeoKey, TYPE_SHORT, 1, RasterPixelIsArea);
        GTIFKeySet(g, ProjectedCSTypeGeoKey, TYPE_SHORT, 1, code);
        ok = GTIFWriteKeys(g) && TIFFRewriteDirectory(t);
        GTIFFree(g);
    }
    XTIFFClose(t);
    return ok ? 0 : -1;
}

/* The page's resolution in the first image's tags (XResolution,
 * YResolution, ResolutionUnit inch), so a layout program places the map at
 * its printed size; GDAL writes none of its own. And what made the map, in
 * TIFF's own text tags (gdalinfo lists them as TIFFTAG_*): Software (the
 * version and commit), ImageDescription (the title and what the map
 * shows), Copyright (the credit line). */
static int write_tags(const char *file, double dpi, const fpi_map_meta *meta)
{
    TIFF *t = XTIFFOpen(file, "r+");
    if (!t) return -1;
    int ok = TIFFSetField(t, TIFFTAG_XRESOLUTION, (float)dpi) && TIFFSetField(t, TIFFTAG_YRESOLUTION, (float)dpi) &&
             TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    if (ok && meta) {
        char *desc = g_strdup_printf("%s. %s", meta->title, meta->description);
        ok = TIFFSetField(t, TIFFTAG_SOFTWARE, meta->software) && TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, desc) &&
             TIFFSetField(t, TIFFTAG_COPYRIGHT, meta->credits);
        g_free(desc);
    }
    ok = ok && TIFFRewriteDirectory(t);
    XTIFFClose(t);
    return ok ? 0 : -1;
}

/* 1 if GDAL reads a CRS back from the GeoTIFF's own keys (no sidecar). */
int fpi_geotiff_has_crs(const char *file)
{
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
    GDALDatasetH ds = GDALOpen(file, GA_ReadOnly);
    int ok = ds && GDALGetSpatialRef(ds) != NULL;
    if (ds) GDALClose(ds);
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", NULL);
    return ok;
}

fp_status fpi_write_geotiff(cairo_surface_t *img, const char *tmp, const char *path, const double gt[6], const char *wkt,
                           double dpi, const fpi_map_meta *meta, fp_error *err)
{
    fp_status gdal_st = fpi_gdal_require(err);   /* GDAL loads here, or says why not */
    if (gdal_st) return gdal_st;
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv) return fp_error_set(err, FP_ERR_IO, "%s: GDAL has no GTiff driver", path);
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    char **co = NULL;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "PREDICTOR", "2");
    co = CSLSetNameValue(co, "PHOTOMETRIC", "RGB");
    /* Big maps (300 dpi A3 and up) may pass 4 GiB uncompressed. */
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    CPLErrorReset();
    /* What GDAL cannot say in GeoTIFF keys must not land in a .aux.xml
     * named after the temporary file. */
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", "NO");
    GDALDatasetH ds = GDALCreate(drv, tmp, w, h, 3, GDT_Byte, co);
    CSLDestroy(co);
    if (!ds) {
        CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", NULL);
        return fp_error_set(err, FP_ERR_IO, "%s: cannot create the GeoTIFF: %s", path, CPLGetLastErrorMsg());
    }

    fp_status st = FP_OK;
    if (GDALSetGeoTransform(ds, (double *)gt) != CE_None)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot set the geotransform: %s", path, CPLGetLastErrorMsg());
    int epsg = 0;
    if (!st && wkt) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        if (OSRSetFromUserInput(srs, wkt) != OGRERR_NONE) {
            st = fp_error_set(err, FP_ERR_IO, "%s: GDAL cannot read the map's CRS: %s", path, CPLGetLastErrorMsg());
        } else {
            epsg = identify_epsg(srs);
            /* The image's x is easting/longitude whatever the CRS's axis order. */
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
            if (GDALSetSpatialRef(ds, srs) != CE_None)
                st = fp_error_set(err, FP_ERR_IO, "%s: GDAL cannot store the map's CRS: %s", path, CPLGetLastErrorMsg());
        }
        OSRDestroySpatialReference(srs);
    }

    /* Cairo's ARGB32 (native-endian words, opaque here) -> three bands,
     * a row at a time so memory stays one row. */
    unsigned char *row = CPLMalloc((size_t)w * 3);
    int bands[3] = { 1, 2, 3 };
    for (int y = 0; y < h && !st; y++) {
        fpi_argb_to_rgb_row((const uint32_t *)(data + (size_t)y * stride), row, w);
        if (GDALDatasetRasterIO(ds, GF_Write, 0, y, w, 1, row, w, 1, GDT_Byte, 3, bands, 3, (GSpacing)w * 3, 1) != CE_None)
            st = fp_error_set(err, FP_ERR_IO, "%s: cannot write row %d: %s", path, y, CPLGetLastErrorMsg());
    }
    CPLFree(row);

    /* Internal overviews: halve while the smaller side stays 128 px or more. */
    int levels[16], n = 0;
    for (int f = 2; n < 16 && (w / f >= 128 && h / f >= 128); f *= 2) levels[n++] = f;
    if (!st && n && GDALBuildOverviews(ds, "AVERAGE", n, levels, 0, NULL, NULL, NULL) != CE_None)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot build overviews: %s", path, CPLGetLastErrorMsg());
    /* Closing writes the directory and flushes: a full disk fails here. */
    CPLErrorReset();
    GDALClose(ds);
    if (!st && CPLGetLastErrorType() >= CE_Failure)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot finish the GeoTIFF: %s", path, CPLGetLastErrorMsg());
    CPLSetThreadLocalConfigOption("GDAL_PAM_ENABLED", NULL);
    if (!st && write_tags(tmp, dpi, meta) != 0) st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the resolution and text tags", path);
    if (!st && epsg > 0 && epsg < 32767 && !fpi_geotiff_has_crs(tmp) && write_epsg_keys(tmp, epsg) != 0)
        st = fp_error_set(err, FP_ERR_IO, "%s: cannot write the GeoTIFF keys of EPSG:%d", path, epsg);
    return st;
}
