/* The version string with the commit the program was built from
 * (include/fp_version.h). FP_BUILD_COMMIT comes from a header the Makefile
 * generates in the build folder (BUILD/gen/fp_build_commit.h) and rewrites
 * only when the commit changes, so a new commit recompiles this file alone
 * (then the library and the program are relinked) and an unchanged one
 * rebuilds nothing. */
#include "fp_version.h"
#include "fp_build_commit.h"

#ifndef FP_BUILD_COMMIT
#define FP_BUILD_COMMIT "no git"
#endif

const char *fp_version(void) { return FOOTPRINT_VERSION " (" FP_BUILD_COMMIT ")"; }

const char *fp_version_commit(void) { return FP_BUILD_COMMIT; }

int fp_version_number(void) { return FP_VERSION_NUMBER; }
