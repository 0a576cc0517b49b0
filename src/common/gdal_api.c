/*
 * GDAL, loaded when first used: see gdal_api.h for why.
 */
#define FPI_GDAL_NO_REDIRECT
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "common/gdal_api.h"

/* The library's soname, found by the Makefile on the build machine
 * (libgdal.so.32 on Debian 12). */
#ifndef FP_GDAL_SONAME
#define FP_GDAL_SONAME "libgdal.so"
#endif

static struct fpi_gdal_api gdal_table;
static const struct fpi_gdal_api *gdal_ready;   /* set once loaded */
static pthread_once_t gdal_once = PTHREAD_ONCE_INIT;

static void gdal_load(void)
{
    /* RTLD_LOCAL: nothing else resolves symbols against GDAL's; its own
     * plug-ins name libgdal as a dependency. Never closed: GDAL keeps
     * state until exit, and fp_global_cleanup tears that down. */
    void *lib = dlopen(FP_GDAL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "footprint: cannot load GDAL (%s): %s\n", FP_GDAL_SONAME, dlerror());
        abort();
    }
#define FPI_GDAL_LOOKUP(name)                                                              \
    gdal_table.name = (__typeof__(gdal_table.name))dlsym(lib, #name);                      \
    if (!gdal_table.name) {                                                                \
        fprintf(stderr, "footprint: GDAL (%s) has no function %s\n", FP_GDAL_SONAME, #name); \
        abort();                                                                           \
    }
    FPI_GDAL_FUNCTIONS(FPI_GDAL_LOOKUP)
#undef FPI_GDAL_LOOKUP
    gdal_table.GDALAllRegister();
    /* Keep GDAL from writing .aux.xml side files next to users' inputs. */
    gdal_table.CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    __atomic_store_n(&gdal_ready, &gdal_table, __ATOMIC_RELEASE);
}

const struct fpi_gdal_api *fpi_gdal(void)
{
    const struct fpi_gdal_api *t = __atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE);
    if (t) return t;
    pthread_once(&gdal_once, gdal_load);
    return &gdal_table;
}

int fpi_gdal_loaded(void)
{
    return __atomic_load_n(&gdal_ready, __ATOMIC_ACQUIRE) != NULL;
}
