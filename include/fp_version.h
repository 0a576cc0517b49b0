/* The version of footprint: in the HTTP Server field, exported layers'
 * attribution and descriptions, the metadata of rendered maps and
 * `footprint --version`. A header of its own so that a stage needing the
 * string does not pull in every other stage's API. */
#ifndef FP_VERSION_H
#define FP_VERSION_H

#ifdef __cplusplus
extern "C" {
#endif

/* The release number alone (the caches' keys use it: the data they hold
 * changes with releases, not with every commit). */
#define FOOTPRINT_VERSION "0.1.0"

/* The release and the source it was built from, what outputs are stamped
 * with so a result can be traced to the code that made it:
 * "0.1.0 (18a893a)" for a git checkout at that commit (`git describe
 * --always --dirty` when the program was built), "0.1.0 (18a893a-dirty)"
 * with uncommitted changes, "0.1.0 (no git)" for a source tree without git
 * (a tarball). */
const char *fp_version(void);
/* The source part alone: "18a893a", "18a893a-dirty" or "no git". */
const char *fp_version_commit(void);

#ifdef __cplusplus
}
#endif

#endif
