/* The version of footprint: in the HTTP Server field, exported layers'
 * attribution and descriptions, the metadata of rendered maps and
 * `footprint --version`. A header of its own so that a stage needing the
 * string does not pull in every other stage's API. */
#ifndef FP_VERSION_H
#define FP_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* The release as numbers, for a program to test at compile time what it
 * builds against (as PROJ_VERSION_NUMBER): FP_VERSION_NUMBER is
 * major * 10000 + minor * 100 + patch (0.1.0: 100; minor and patch stay
 * below 100), and `#if FP_VERSION_NUMBER >= FP_COMPUTE_VERSION(0, 2, 0)`
 * picks a newer API. fp_version_number() is the library's at run time. */
#define FP_VERSION_MAJOR 0
#define FP_VERSION_MINOR 1
#define FP_VERSION_PATCH 0
#define FP_COMPUTE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define FP_VERSION_NUMBER FP_COMPUTE_VERSION(FP_VERSION_MAJOR, FP_VERSION_MINOR, FP_VERSION_PATCH)

/* The release number alone, "0.1.0", made from the numbers above so the two
 * cannot disagree (the caches' keys use it: the data they hold changes with
 * releases, not with every commit). */
#define FP_VERSION_STRINGIFY_(n) #n
#define FP_VERSION_STRINGIFY(n) FP_VERSION_STRINGIFY_(n)
#define FOOTPRINT_VERSION \
    FP_VERSION_STRINGIFY(FP_VERSION_MAJOR) "." FP_VERSION_STRINGIFY(FP_VERSION_MINOR) "." FP_VERSION_STRINGIFY(FP_VERSION_PATCH)

/* The release and the source it was built from, what outputs are stamped
 * with so a result can be traced to the code that made it:
 * "0.1.0 (18a893a)" for a git checkout at that commit (`git describe
 * --always --dirty` when the program was built), "0.1.0 (18a893a-dirty)"
 * with uncommitted changes, "0.1.0 (no git)" for a source tree without git
 * (a tarball). */
const char *fp_version(void);
/* The source part alone: "18a893a", "18a893a-dirty" or "no git". */
const char *fp_version_commit(void);
/* FP_VERSION_NUMBER of the library linked, which may differ from the
 * header's a program was compiled with (as SQLite's libversion_number). */
int fp_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
