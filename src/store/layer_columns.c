/* The property columns of export's layers, shared by both engines. */
#include <stddef.h>
#include "store/layer_columns.h"

const fpi_layer_col fpi_project_cols[] = {
    { "dataset", NULL, 't' }, { "source_key", NULL, 't' }, { "company", NULL, 't' }, { "category", NULL, 't' }, { "name", NULL, 't' },
    { "place", NULL, 't' }, { "country", NULL, 't' }, { "country_code", NULL, 't' }, { "year", NULL, 'i' }, { "status", NULL, 't' },
    { "amount", NULL, 'r' }, { "source", NULL, 't' }, { "geocode_method", NULL, 't' }, { "geocode_precision", NULL, 't' },
    /* The checks of `footprint check` that flagged the row (NULL: clean). */
    { "qa", NULL, 't' }, { "extra", NULL, 't' } };
const fpi_layer_col fpi_assign_cols[] = {
    { "project_id", "a.project_id", 'i' }, { "region_code", "a.region_code", 't' }, { "share", "a.share", 'r' },
    { "method", "a.method", 't' }, { "distance_km", "a.distance_km", 'r' }, { "company", "p.company", 't' },
    { "category", "p.category", 't' }, { "name", "p.name", 't' }, { "year", "p.year", 'i' },
    /* The project's own key, to join the rows to the list they came from
     * (project_id is the store's); last, so columns read by position
     * before they were added stay where they were. */
    { "dataset", "p.dataset", 't' }, { "source_key", "p.source_key", 't' } };
const fpi_layer_col fpi_diff_cols[] = {
    { "change", "d.change", 't' }, { "matched_by", "d.matched_by", 't' }, { "distance_m", "d.distance_m", 'r' },
    { "changed_fields", "d.fields", 't' }, { "details", "d.details", 't' },
    { "dataset", "p.dataset", 't' }, { "source_key", "p.source_key", 't' }, { "company", "p.company", 't' },
    { "category", "p.category", 't' }, { "name", "p.name", 't' }, { "place", "p.place", 't' },
    { "country_code", "p.country_code", 't' }, { "year", "p.year", 'i' }, { "status", "p.status", 't' },
    { "amount", "p.amount", 'r' }, { "old_id", "d.old_id", 'i' }, { "new_id", "d.new_id", 'i' },
    { "from_lon", "CASE WHEN d.change = 'moved' THEN ST_X(o.geom) END", 'r' },
    { "from_lat", "CASE WHEN d.change = 'moved' THEN ST_Y(o.geom) END", 'r' } };
const int fpi_nproject_cols = (int)(sizeof fpi_project_cols / sizeof fpi_project_cols[0]);
const int fpi_nassign_cols = (int)(sizeof fpi_assign_cols / sizeof fpi_assign_cols[0]);
const int fpi_ndiff_cols = (int)(sizeof fpi_diff_cols / sizeof fpi_diff_cols[0]);
