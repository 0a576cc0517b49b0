/*
 * GDAL, loaded when first used: see gdal_api.h for why.
 */
#define FPI_GDAL_NO_REDIRECT
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common/gdal_api.h"

/* The library's soname, found by the Makefile on the build machine
 * (libgdal.so.32 on Debian 12). */
#ifndef FP_GDAL_SONAME
#define FP_GDAL_SONAME "libgdal.so"
#endif

static struct fpi_gdal_api gdal_table;
static const struct fpi_gdal_api *gdal_ready;   /* set once loaded */
static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;
static char gdal_failure[512];                  /* why not, set once by a failed load */

/* The drivers a user's file may be opened with: the formats the README
 * lists, each reading the file itself. A deny-list of the drivers that
 * read what a file names (OGR_VRT, WFS) missed others (PDS4 labels naming
 * a file, GML's schema download); an allow-list cannot miss a new one.
 * SQLite-based files are checked for virtual tables before GDAL opens
 * them (fpi_sqlite_source_problem). */
static const char *const input_allowed[] = {
    "CSV", "GeoJSON", "GeoJSONSeq", "ESRIJSON", "TopoJSON", "GPKG", "SQLite", "ESRI Shapefile", "FlatGeobuf", "KML",
    "LIBKML", "GPX", "XLSX", "ODS", "OpenFileGDB", "FileGDB", "MapInfo File", "DXF", "GML", "GeoRSS", "OSM", "JML",
    NULL };

/* Those of them GDAL has, NULL-ended, for GDALOpenEx: copies, as a driver
 * manager destroyed and registered again (fp_global_cleanup, then init)
 * frees GDAL's own strings. */
static char **input_driver_list(void)
{
    int k = 0;
    char **list = calloc(sizeof input_allowed / sizeof input_allowed[0], sizeof *list);
    if (!list) return NULL;
    for (int i = 0; input_allowed[i]; i++)
        if (gdal_table.GDALGetDriverByName(input_allowed[i]) && !(list[k++] = strdup(input_allowed[i]))) return NULL;
    return list;
}

static void gdal_load(void)
{
    /* RTLD_LOCAL: nothing else resolves symbols against GDAL's; its own
     * plug-ins name libgdal as a dependency. Never closed: GDAL keeps
     * state until exit, and fp_global_cleanup tears that down. */
    void *lib = dlopen(FP_GDAL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(gdal_failure, sizeof gdal_failure, "cannot load GDAL (%s): %s", FP_GDAL_SONAME, dlerror());
        return;
    }
#define FPI_GDAL_LOOKUP(name)                                                              \
    gdal_table.name = (__typeof__(gdal_table.name))dlsym(lib, #name);                      \
    if (!gdal_table.name) {                                                                \
        snprintf(gdal_failure, sizeof gdal_failure, "cannot load GDAL (%s): it has no function %s", \
                 FP_GDAL_SONAME, #name);                                                   \
        return;                                                                            \
    }
    FPI_GDAL_FUNCTIONS(FPI_GDAL_LOOKUP)
#undef FPI_GDAL_LOOKUP
    gdal_table.GDALAllRegister();
    /* Keep GDAL from writing .aux.xml side files next to users' inputs. */
    gdal_table.CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    /* A GML's xsi:schemaLocation naming a WFS made the import fetch it. */
    gdal_table.CPLSetConfigOption("GML_DOWNLOAD_WFS_SCHEMA", "NO");
    if (!(gdal_table.input_drivers = input_driver_list())) {
        snprintf(gdal_failure, sizeof gdal_failure, "cannot load GDAL (%s): out of memory", FP_GDAL_SONAME);
        return;
    }
    __atomic_store_n(&gdal_ready, &gdal_table, __ATOMIC_RELEASE);
}

fp_status fpi_gdal_require(fp_error *err)
{
    if (__atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE)) return FP_OK;
    pthread_once(&gdal_once, gdal_load);
    if (__atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE)) return FP_OK;
    return fp_error_set(err, FP_ERR_IO, "%s", gdal_failure);
}

const struct fpi_gdal_api *fpi_gdal(void)
{
    const struct fpi_gdal_api *t = __atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE);
    if (t) return t;
    pthread_once(&gdal_once, gdal_load);
    t = __atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE);
    if (t) return t;
    /* A GDAL call whose entry point did not call fpi_gdal_require first (a
     * bug of ours): nothing can be returned to it, so the process ends with
     * the reason, as the dynamic linker did when footprint linked GDAL. */
    fprintf(stderr, "footprint: %s\n", gdal_failure);
    abort();
}

int fpi_gdal_loaded(void)
{
    return __atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE) != NULL;
}
