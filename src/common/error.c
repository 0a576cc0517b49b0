/* fp_error helpers. */
#include <stdarg.h>
#include <stdio.h>
#include "fp_error.h"

fp_status fp_error_set(fp_error *err, fp_status code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void fp_error_clear(fp_error *err)
{
    if (err) {
        err->code = FP_OK;
        err->message[0] = '\0';
    }
}

const char *fp_status_name(fp_status code)
{
    switch (code) {
    case FP_OK: return "ok";
    case FP_ERR_USAGE: return "usage error";
    case FP_ERR_IO: return "I/O error";
    case FP_ERR_INPUT: return "bad input";
    case FP_ERR_DB: return "database error";
    case FP_ERR_NOMEM: return "out of memory";
    case FP_ERR_INTERRUPTED: return "interrupted";
    case FP_ERR_STATE: return "not ready";
    }
    return "unknown error";
}
