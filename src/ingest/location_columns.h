/* What the importer takes for a location column, asked by the export: a
 * CSV footprint writes must have exactly one location its importer finds
 * (its own X/Y or WKT), so attributes so named are renamed there. */
#ifndef FP_INGEST_LOCATION_COLUMNS_H
#define FP_INGEST_LOCATION_COLUMNS_H

/* 1 when a column so named is found as a longitude, latitude or WKT column
 * without --lon/--lat/--wkt (lon, Latitude, X, "Easting (m)", wkt...),
 * compared as the importer compares them; else 0. */
int fpi_is_location_column(const char *name);

#endif
