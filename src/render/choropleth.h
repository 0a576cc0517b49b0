/* The style's choropleth resolved against an aggregation, shared by the
 * report maps and the tiles (render.c implements it). Issue 13 item 4 makes
 * one choropleth API of this and the copies in tiles and export. */
#ifndef FP_RENDER_CHOROPLETH_H
#define FP_RENDER_CHOROPLETH_H

#include <sqlite3.h>
#include "fp_style.h"

/* The style's choropleth, classified: rows (value, WKB geometry, name,
 * label lon, label lat, code) of the aggregation level, ready to step.
 * rows is NULL when the style has no choropleth (draw plain land). */
typedef struct fp_choropleth {
    sqlite3_stmt *rows;
    fp_classes classes;
    char field[64], level[32], title[128];
} fp_choropleth;
fp_status fp_choropleth_open(sqlite3 *db, const fp_style *style, const char *aggregation, fp_choropleth *ch,
                             fp_error *err);
void fp_choropleth_close(fp_choropleth *ch);

#endif
