/* Error reporting shared by every stage. */
#ifndef FP_ERROR_H
#define FP_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum fp_status {
    FP_OK = 0,
    FP_ERR_USAGE,       /* a bad option or argument: CLI exit status 2 */
    FP_ERR_IO,          /* cannot read or write a file */
    FP_ERR_INPUT,       /* the input is not what it claims to be */
    FP_ERR_DB,          /* the store refused (locked, corrupt, full) */
    FP_ERR_NOMEM,
    FP_ERR_INTERRUPTED, /* SIGINT/SIGTERM: the work was rolled back */
    FP_ERR_STATE        /* the store is not ready for this (e.g. not initialised) */
} fp_status;

/* Caller-owned; the library writes one message naming the input and reason. */
typedef struct fp_error {
    fp_status code;
    char message[2048];
} fp_error;

/* Fills err (if not NULL) and returns code, so callers can `return fp_error_set(...)`. */
fp_status fp_error_set(fp_error *err, fp_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fp_error_clear(fp_error *err);
const char *fp_status_name(fp_status code);

#ifdef __cplusplus
}
#endif

#endif
