#include "fp_tiles.h"
fp_status fp_tiles(fp_store *store, const fp_tiles_options *o, fp_tiles_result *r, fp_error *err)
{ (void)store; (void)o; (void)r; return fp_error_set(err, FP_ERR_USAGE, "tiles: not yet"); }
