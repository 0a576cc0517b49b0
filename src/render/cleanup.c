/* Process-wide cleanup of the drawing libraries, once at the end (the CLI
 * calls it after fp_global_cleanup): kept here, with the code that uses
 * cairo, Pango and fontconfig, so the store need not know them. */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include "fp_render.h"
#include "render/draw.h"

void fp_render_cleanup(void)
{
    /* Pango's font map holds cairo font faces: it goes first, or cairo's
     * reset below finds them alive and aborts. */
    if (!fpi_text_release()) return;
    /* cairo's font caches hold fontconfig patterns until told otherwise;
     * releasing them keeps leak checkers honest about our own memory. */
    cairo_debug_reset_static_data();
    FcFini();
}
