/* `footprint serve` — placeholder until the server lands. */
#include <stdio.h>
#include "footprint.h"
const char *const usage_serve = "usage: footprint serve [--port N] [DIR|FILE.mbtiles]\n";
int cmd_serve(const char *db, int argc, char **argv) { (void)db; (void)argc; (void)argv; fputs(usage_serve, stderr); return 2; }
