/*
 * GDAL, loaded when first used.
 *
 * Linking libgdal costs every footprint command about 55 ms of start-up
 * (the dynamic linker maps GDAL's hundred-odd libraries and resolves their
 * 59,000 relocations), while most commands (a CSV import, geocode, check,
 * aggregate, render to PNG, tiles, rejects) never call it. So footprint does
 * not link libgdal: the first GDAL call of a process dlopen()s it, looks up
 * every function below once and registers the drivers (fpi_gdal in
 * gdal_api.c), and each call goes through that table.
 *
 * Every file that calls GDAL includes this header instead of GDAL's own:
 * it includes them first, then redirects each name below to the table, so
 * `OGR_F_Create(defn)` stays as written and keeps GDAL's prototype
 * (the table's members are declared with __typeof__ of GDAL's functions).
 * A GDAL function called but missing from the list is an undefined symbol
 * at link time, so the list cannot silently fall behind the code.
 */
#ifndef FP_GDAL_API_H
#define FP_GDAL_API_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include "fp_error.h"

#define FPI_GDAL_FUNCTIONS(X) \
    X(CPLErrorReset) \
    X(CPLGetConfigOption) \
    X(CPLGetErrorHandlerUserData) \
    X(CPLGetLastErrorMsg) \
    X(CPLGetLastErrorType) \
    X(CPLMalloc) \
    X(CPLPopErrorHandler) \
    X(CPLPushErrorHandler) \
    X(CPLPushErrorHandlerEx) \
    X(CPLQuietErrorHandler) \
    X(CPLSetConfigOption) \
    X(CPLSetThreadLocalConfigOption) \
    X(CSLDestroy) \
    X(CSLSetNameValue) \
    X(GDALAllRegister) \
    X(GDALBuildOverviews) \
    X(GDALClose) \
    X(GDALCreate) \
    X(GDALDatasetCommitTransaction) \
    X(GDALDatasetCreateLayer) \
    X(GDALDatasetGetLayer) \
    X(GDALDatasetGetLayerByName) \
    X(GDALDatasetGetLayerCount) \
    X(GDALDatasetRasterIO) \
    X(GDALDatasetRollbackTransaction) \
    X(GDALDatasetStartTransaction) \
    X(GDALDestroyDriverManager) \
    X(GDALGetDatasetDriver) \
    X(GDALGetDriverByName) \
    X(GDALGetDriverShortName) \
    X(GDALGetMetadataItem) \
    X(GDALGetSpatialRef) \
    X(GDALOpen) \
    X(GDALOpenEx) \
    X(GDALSetGeoTransform) \
    X(GDALSetSpatialRef) \
    X(OCTDestroyCoordinateTransformation) \
    X(OCTNewCoordinateTransformation) \
    X(OCTTransform) \
    X(OGRCleanupAll) \
    X(OGRGeometryTypeToName) \
    X(OGR_FD_GetFieldCount) \
    X(OGR_FD_GetFieldDefn) \
    X(OGR_FD_GetFieldIndex) \
    X(OGR_FD_GetGeomFieldCount) \
    X(OGR_F_Create) \
    X(OGR_F_Destroy) \
    X(OGR_F_GetFID) \
    X(OGR_F_GetFieldAsDateTimeEx) \
    X(OGR_F_GetFieldAsDouble) \
    X(OGR_F_GetFieldAsDoubleList) \
    X(OGR_F_GetFieldAsInteger) \
    X(OGR_F_GetFieldAsInteger64) \
    X(OGR_F_GetFieldAsInteger64List) \
    X(OGR_F_GetFieldAsIntegerList) \
    X(OGR_F_GetFieldAsString) \
    X(OGR_F_GetFieldAsStringList) \
    X(OGR_F_GetGeometryRef) \
    X(OGR_F_IsFieldSetAndNotNull) \
    X(OGR_F_SetFID) \
    X(OGR_F_SetFieldDouble) \
    X(OGR_F_SetFieldInteger) \
    X(OGR_F_SetFieldInteger64) \
    X(OGR_F_SetFieldNull) \
    X(OGR_F_SetFieldString) \
    X(OGR_F_SetGeometryDirectly) \
    X(OGR_F_StealGeometry) \
    X(OGR_Fld_Create) \
    X(OGR_Fld_Destroy) \
    X(OGR_Fld_GetNameRef) \
    X(OGR_Fld_GetPrecision) \
    X(OGR_Fld_GetSubType) \
    X(OGR_Fld_GetType) \
    X(OGR_Fld_GetWidth) \
    X(OGR_Fld_SetSubType) \
    X(OGR_GT_Flatten) \
    X(OGR_GT_IsNonLinear) \
    X(OGR_G_AddGeometryDirectly) \
    X(OGR_G_AddPoint_2D) \
    X(OGR_G_CloseRings) \
    X(OGR_G_CreateFromWkb) \
    X(OGR_G_CreateFromWkt) \
    X(OGR_G_CreateGeometry) \
    X(OGR_G_DestroyGeometry) \
    X(OGR_G_ExportToWkb) \
    X(OGR_G_ExportToWkt) \
    X(OGR_G_FlattenTo2D) \
    X(OGR_G_Clone) \
    X(OGR_G_ForceTo) \
    X(OGR_G_ForceToLineString) \
    X(OGR_G_ForceToMultiPolygon) \
    X(OGR_G_GetEnvelope) \
    X(OGR_G_GetGeometryCount) \
    X(OGR_G_GetGeometryName) \
    X(OGR_G_GetGeometryRef) \
    X(OGR_G_GetGeometryType) \
    X(OGR_G_GetLinearGeometry) \
    X(OGR_G_GetPointCount) \
    X(OGR_G_GetX) \
    X(OGR_G_GetY) \
    X(OGR_G_Is3D) \
    X(OGR_G_IsEmpty) \
    X(OGR_G_IsMeasured) \
    X(OGR_G_SetMeasured) \
    X(OGR_G_SetPoint_2D) \
    X(OGR_G_Transform) \
    X(OGR_G_WkbSize) \
    X(OGR_L_CreateFeature) \
    X(OGR_L_CreateField) \
    X(OGR_L_GetFeature) \
    X(OGR_L_GetFeatureCount) \
    X(OGR_L_GetGeomType) \
    X(OGR_L_GetLayerDefn) \
    X(OGR_L_GetName) \
    X(OGR_L_GetNextFeature) \
    X(OGR_L_GetSpatialRef) \
    X(OGR_L_GetExtent) \
    X(OGR_L_ResetReading) \
    X(OGR_L_SetIgnoredFields) \
    X(OGR_L_SetFeature) \
    X(OSRClone) \
    X(OSRDestroySpatialReference) \
    X(OSRFindMatches) \
    X(OSRFreeSRSArray) \
    X(OSRGetName) \
    X(OSRGetAuthorityCode) \
    X(OSRGetAuthorityName) \
    X(OSRImportFromEPSG) \
    X(OSRIsSame) \
    X(OSRIsSameEx) \
    X(OSRNewSpatialReference) \
    X(OSRSetAxisMappingStrategy) \
    X(OSRSetFromUserInput) \
    X(OSRSetWellKnownGeogCS) \
    X(VSIFree) \
    X(VSIIngestFile) \
    X(VSIReadDir) \
    /* end of list */

struct fpi_gdal_api {
#define FPI_GDAL_MEMBER(name) __typeof__(&name) name;
    FPI_GDAL_FUNCTIONS(FPI_GDAL_MEMBER)
#undef FPI_GDAL_MEMBER
    char **input_drivers;     /* fpi_gdal_input_drivers (util.h), built with the table */
};

/* Loads GDAL if this process has not tried yet (thread-safe, once) and says
 * whether it is there: FP_ERR_IO "cannot load GDAL (libgdal.so.32): <why>"
 * (dlerror's reason, or the function it lacks) on a broken installation.
 * Every path into GDAL calls it before its first GDAL call, where it can
 * still fail cleanly: the importers (OGR files, a CSV's WKT column), the
 * OGR writers and GDAL CSV reports, the GeoTIFF writer, region files, and
 * the PostGIS paths that hand a geometry to OGR. */
fp_status fpi_gdal_require(fp_error *err);

/* The table, loading GDAL on the first call (thread-safe). Called without
 * fpi_gdal_require first on a GDAL that cannot be loaded, it prints the
 * reason on stderr and aborts: a GDAL call on a path that forgot
 * fpi_gdal_require, a programming error, not something a user can cause. */
const struct fpi_gdal_api *fpi_gdal(void);

/* Whether this process has loaded GDAL (for clean-up at exit). */
int fpi_gdal_loaded(void);

#ifndef FPI_GDAL_NO_REDIRECT
#define CPLErrorReset (fpi_gdal()->CPLErrorReset)
#define CPLGetConfigOption (fpi_gdal()->CPLGetConfigOption)
#define CPLGetErrorHandlerUserData (fpi_gdal()->CPLGetErrorHandlerUserData)
#define CPLGetLastErrorMsg (fpi_gdal()->CPLGetLastErrorMsg)
#define CPLGetLastErrorType (fpi_gdal()->CPLGetLastErrorType)
#define CPLMalloc (fpi_gdal()->CPLMalloc)
#define CPLPopErrorHandler (fpi_gdal()->CPLPopErrorHandler)
#define CPLPushErrorHandler (fpi_gdal()->CPLPushErrorHandler)
#define CPLPushErrorHandlerEx (fpi_gdal()->CPLPushErrorHandlerEx)
#define CPLQuietErrorHandler (fpi_gdal()->CPLQuietErrorHandler)
#define CPLSetConfigOption (fpi_gdal()->CPLSetConfigOption)
#define CPLSetThreadLocalConfigOption (fpi_gdal()->CPLSetThreadLocalConfigOption)
#define CSLDestroy (fpi_gdal()->CSLDestroy)
#define CSLSetNameValue (fpi_gdal()->CSLSetNameValue)
#define GDALAllRegister (fpi_gdal()->GDALAllRegister)
#define GDALBuildOverviews (fpi_gdal()->GDALBuildOverviews)
#define GDALClose (fpi_gdal()->GDALClose)
#define GDALCreate (fpi_gdal()->GDALCreate)
#define GDALDatasetCommitTransaction (fpi_gdal()->GDALDatasetCommitTransaction)
#define GDALDatasetCreateLayer (fpi_gdal()->GDALDatasetCreateLayer)
#define GDALDatasetGetLayer (fpi_gdal()->GDALDatasetGetLayer)
#define GDALDatasetGetLayerByName (fpi_gdal()->GDALDatasetGetLayerByName)
#define GDALDatasetGetLayerCount (fpi_gdal()->GDALDatasetGetLayerCount)
#define GDALDatasetRasterIO (fpi_gdal()->GDALDatasetRasterIO)
#define GDALDatasetRollbackTransaction (fpi_gdal()->GDALDatasetRollbackTransaction)
#define GDALDatasetStartTransaction (fpi_gdal()->GDALDatasetStartTransaction)
#define GDALDestroyDriverManager (fpi_gdal()->GDALDestroyDriverManager)
#define GDALGetDatasetDriver (fpi_gdal()->GDALGetDatasetDriver)
#define GDALGetDriverByName (fpi_gdal()->GDALGetDriverByName)
#define GDALGetDriverShortName (fpi_gdal()->GDALGetDriverShortName)
#define GDALGetMetadataItem (fpi_gdal()->GDALGetMetadataItem)
#define GDALGetSpatialRef (fpi_gdal()->GDALGetSpatialRef)
#define GDALOpen (fpi_gdal()->GDALOpen)
#define GDALOpenEx (fpi_gdal()->GDALOpenEx)
#define GDALSetGeoTransform (fpi_gdal()->GDALSetGeoTransform)
#define GDALSetSpatialRef (fpi_gdal()->GDALSetSpatialRef)
#define OCTDestroyCoordinateTransformation (fpi_gdal()->OCTDestroyCoordinateTransformation)
#define OCTNewCoordinateTransformation (fpi_gdal()->OCTNewCoordinateTransformation)
#define OCTTransform (fpi_gdal()->OCTTransform)
#define OGRCleanupAll (fpi_gdal()->OGRCleanupAll)
#define OGRGeometryTypeToName (fpi_gdal()->OGRGeometryTypeToName)
#define OGR_FD_GetFieldCount (fpi_gdal()->OGR_FD_GetFieldCount)
#define OGR_FD_GetFieldDefn (fpi_gdal()->OGR_FD_GetFieldDefn)
#define OGR_FD_GetFieldIndex (fpi_gdal()->OGR_FD_GetFieldIndex)
#define OGR_FD_GetGeomFieldCount (fpi_gdal()->OGR_FD_GetGeomFieldCount)
#define OGR_F_Create (fpi_gdal()->OGR_F_Create)
#define OGR_F_Destroy (fpi_gdal()->OGR_F_Destroy)
#define OGR_F_GetFID (fpi_gdal()->OGR_F_GetFID)
#define OGR_F_GetFieldAsDateTimeEx (fpi_gdal()->OGR_F_GetFieldAsDateTimeEx)
#define OGR_F_GetFieldAsDouble (fpi_gdal()->OGR_F_GetFieldAsDouble)
#define OGR_F_GetFieldAsDoubleList (fpi_gdal()->OGR_F_GetFieldAsDoubleList)
#define OGR_F_GetFieldAsInteger (fpi_gdal()->OGR_F_GetFieldAsInteger)
#define OGR_F_GetFieldAsInteger64 (fpi_gdal()->OGR_F_GetFieldAsInteger64)
#define OGR_F_GetFieldAsInteger64List (fpi_gdal()->OGR_F_GetFieldAsInteger64List)
#define OGR_F_GetFieldAsIntegerList (fpi_gdal()->OGR_F_GetFieldAsIntegerList)
#define OGR_F_GetFieldAsString (fpi_gdal()->OGR_F_GetFieldAsString)
#define OGR_F_GetFieldAsStringList (fpi_gdal()->OGR_F_GetFieldAsStringList)
#define OGR_F_GetGeometryRef (fpi_gdal()->OGR_F_GetGeometryRef)
#define OGR_F_IsFieldSetAndNotNull (fpi_gdal()->OGR_F_IsFieldSetAndNotNull)
#define OGR_F_SetFID (fpi_gdal()->OGR_F_SetFID)
#define OGR_F_SetFieldDouble (fpi_gdal()->OGR_F_SetFieldDouble)
#define OGR_F_SetFieldInteger (fpi_gdal()->OGR_F_SetFieldInteger)
#define OGR_F_SetFieldInteger64 (fpi_gdal()->OGR_F_SetFieldInteger64)
#define OGR_F_SetFieldNull (fpi_gdal()->OGR_F_SetFieldNull)
#define OGR_F_SetFieldString (fpi_gdal()->OGR_F_SetFieldString)
#define OGR_F_SetGeometryDirectly (fpi_gdal()->OGR_F_SetGeometryDirectly)
#define OGR_F_StealGeometry (fpi_gdal()->OGR_F_StealGeometry)
#define OGR_Fld_Create (fpi_gdal()->OGR_Fld_Create)
#define OGR_Fld_Destroy (fpi_gdal()->OGR_Fld_Destroy)
#define OGR_Fld_GetNameRef (fpi_gdal()->OGR_Fld_GetNameRef)
#define OGR_Fld_GetPrecision (fpi_gdal()->OGR_Fld_GetPrecision)
#define OGR_Fld_GetSubType (fpi_gdal()->OGR_Fld_GetSubType)
#define OGR_Fld_GetType (fpi_gdal()->OGR_Fld_GetType)
#define OGR_Fld_GetWidth (fpi_gdal()->OGR_Fld_GetWidth)
#define OGR_Fld_SetSubType (fpi_gdal()->OGR_Fld_SetSubType)
#define OGR_GT_Flatten (fpi_gdal()->OGR_GT_Flatten)
#define OGR_GT_IsNonLinear (fpi_gdal()->OGR_GT_IsNonLinear)
#define OGR_G_AddGeometryDirectly (fpi_gdal()->OGR_G_AddGeometryDirectly)
#define OGR_G_AddPoint_2D (fpi_gdal()->OGR_G_AddPoint_2D)
#define OGR_G_CloseRings (fpi_gdal()->OGR_G_CloseRings)
#define OGR_G_CreateFromWkb (fpi_gdal()->OGR_G_CreateFromWkb)
#define OGR_G_CreateFromWkt (fpi_gdal()->OGR_G_CreateFromWkt)
#define OGR_G_CreateGeometry (fpi_gdal()->OGR_G_CreateGeometry)
#define OGR_G_DestroyGeometry (fpi_gdal()->OGR_G_DestroyGeometry)
#define OGR_G_ExportToWkb (fpi_gdal()->OGR_G_ExportToWkb)
#define OGR_G_ExportToWkt (fpi_gdal()->OGR_G_ExportToWkt)
#define OGR_G_FlattenTo2D (fpi_gdal()->OGR_G_FlattenTo2D)
#define OGR_G_ForceTo (fpi_gdal()->OGR_G_ForceTo)
#define OGR_G_ForceToLineString (fpi_gdal()->OGR_G_ForceToLineString)
#define OGR_G_ForceToMultiPolygon (fpi_gdal()->OGR_G_ForceToMultiPolygon)
#define OGR_G_Clone (fpi_gdal()->OGR_G_Clone)
#define OGR_G_GetEnvelope (fpi_gdal()->OGR_G_GetEnvelope)
#define OGR_G_GetGeometryCount (fpi_gdal()->OGR_G_GetGeometryCount)
#define OGR_G_GetGeometryName (fpi_gdal()->OGR_G_GetGeometryName)
#define OGR_G_GetGeometryRef (fpi_gdal()->OGR_G_GetGeometryRef)
#define OGR_G_GetGeometryType (fpi_gdal()->OGR_G_GetGeometryType)
#define OGR_G_GetLinearGeometry (fpi_gdal()->OGR_G_GetLinearGeometry)
#define OGR_G_GetPointCount (fpi_gdal()->OGR_G_GetPointCount)
#define OGR_G_GetX (fpi_gdal()->OGR_G_GetX)
#define OGR_G_GetY (fpi_gdal()->OGR_G_GetY)
#define OGR_G_Is3D (fpi_gdal()->OGR_G_Is3D)
#define OGR_G_IsEmpty (fpi_gdal()->OGR_G_IsEmpty)
#define OGR_G_IsMeasured (fpi_gdal()->OGR_G_IsMeasured)
#define OGR_G_SetMeasured (fpi_gdal()->OGR_G_SetMeasured)
#define OGR_G_SetPoint_2D (fpi_gdal()->OGR_G_SetPoint_2D)
#define OGR_G_Transform (fpi_gdal()->OGR_G_Transform)
#define OGR_G_WkbSize (fpi_gdal()->OGR_G_WkbSize)
#define OGR_L_CreateFeature (fpi_gdal()->OGR_L_CreateFeature)
#define OGR_L_CreateField (fpi_gdal()->OGR_L_CreateField)
#define OGR_L_GetFeature (fpi_gdal()->OGR_L_GetFeature)
#define OGR_L_GetFeatureCount (fpi_gdal()->OGR_L_GetFeatureCount)
#define OGR_L_GetGeomType (fpi_gdal()->OGR_L_GetGeomType)
#define OGR_L_GetLayerDefn (fpi_gdal()->OGR_L_GetLayerDefn)
#define OGR_L_GetName (fpi_gdal()->OGR_L_GetName)
#define OGR_L_GetNextFeature (fpi_gdal()->OGR_L_GetNextFeature)
#define OGR_L_GetSpatialRef (fpi_gdal()->OGR_L_GetSpatialRef)
#define OGR_L_GetExtent (fpi_gdal()->OGR_L_GetExtent)
#define OGR_L_ResetReading (fpi_gdal()->OGR_L_ResetReading)
#define OGR_L_SetIgnoredFields (fpi_gdal()->OGR_L_SetIgnoredFields)
#define OGR_L_SetFeature (fpi_gdal()->OGR_L_SetFeature)
#define OSRClone (fpi_gdal()->OSRClone)
#define OSRDestroySpatialReference (fpi_gdal()->OSRDestroySpatialReference)
#define OSRFindMatches (fpi_gdal()->OSRFindMatches)
#define OSRFreeSRSArray (fpi_gdal()->OSRFreeSRSArray)
#define OSRGetName (fpi_gdal()->OSRGetName)
#define OSRGetAuthorityCode (fpi_gdal()->OSRGetAuthorityCode)
#define OSRGetAuthorityName (fpi_gdal()->OSRGetAuthorityName)
#define OSRImportFromEPSG (fpi_gdal()->OSRImportFromEPSG)
#define OSRIsSame (fpi_gdal()->OSRIsSame)
#define OSRIsSameEx (fpi_gdal()->OSRIsSameEx)
#define OSRNewSpatialReference (fpi_gdal()->OSRNewSpatialReference)
#define OSRSetAxisMappingStrategy (fpi_gdal()->OSRSetAxisMappingStrategy)
#define OSRSetFromUserInput (fpi_gdal()->OSRSetFromUserInput)
#define OSRSetWellKnownGeogCS (fpi_gdal()->OSRSetWellKnownGeogCS)
#define VSIFree (fpi_gdal()->VSIFree)
#define VSIIngestFile (fpi_gdal()->VSIIngestFile)
#define VSIReadDir (fpi_gdal()->VSIReadDir)
#endif /* FPI_GDAL_NO_REDIRECT */

#endif /* FP_GDAL_API_H */
