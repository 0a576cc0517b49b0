/* OpenStreetMap tags that GDAL keeps in one column: its OSM driver (and
 * every ogr2ogr copy of its layers) writes the tags it has no column for
 * as other_tags, in PostgreSQL's hstore text form:
 *     "operator"=>"Teraco","telecom"=>"data_center","addr:country"=>"ZA"
 * Import reads them as columns of their own (osm_tags.c). */
#ifndef FP_INGEST_OSM_TAGS_H
#define FP_INGEST_OSM_TAGS_H

#include <glib.h>

/* The column GDAL's OSM driver names so. */
#define FPI_OSM_TAGS_COLUMN "other_tags"

/* The tags of an other_tags text, in their order: keys and values (newly
 * allocated strings, appended to the two arrays, whose free function the
 * caller sets). 0 when the whole text is in hstore form; -1 otherwise,
 * nothing appended (the text is then kept as one value). */
int fpi_osm_tags_parse(const char *text, GPtrArray *keys, GPtrArray *values);

#endif
