/* Process-wide cleanup of the drawing libraries, once at the end (the CLI
 * calls it after fp_global_cleanup): kept here, with the code that uses
 * cairo and fontconfig, so the store need not know them. */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include "fp_render.h"

void fp_render_cleanup(void)
{
    /* cairo's font caches hold fontconfig patterns until told otherwise;
     * releasing them keeps leak checkers honest about our own memory. */
    cairo_debug_reset_static_data();
    FcFini();
}
