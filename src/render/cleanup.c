/* Process-wide cleanup of the drawing libraries, once at the end (the CLI
 * calls it after fp_global_cleanup): kept here, with the code that uses
 * cairo, Pango and fontconfig, so the store need not know them.
 *
 * It releases this thread's Pango font map and nothing more. Until
 * 7 December 2026 it also reset cairo's static caches
 * (cairo_debug_reset_static_data) and fontconfig's (FcFini), only so that
 * leak checkers saw no memory of theirs. Both libraries assert at that
 * point that nothing of theirs is still in use (cairo: no scaled font
 * alive; fontconfig: no cache still referenced), and which of their objects
 * are still held depends on timing (Pango starts a thread of its own for
 * FcInit; raster tiles' workers free their font maps as they end): CI
 * once saw a 200x100 render print its output and then die of SIGABRT
 * (exit 134), which no rerun here reproduced (976 runs, with and without
 * competing load). The memory is the process's until it ends anyway; the
 * one leak LeakSanitizer then reports, 288 bytes fontconfig loses while
 * parsing its configuration, is suppressed in tests/lsan.supp. */
#include "fp_render.h"
#include "render/draw.h"

void fp_render_cleanup(void)
{
    fpi_text_release();
}
