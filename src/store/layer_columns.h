/* The property columns of export's layers, the same on both engines
 * (export_store.c, pg_export.c): name, SQL expression where the layer
 * joins tables, and type ('i' integer, 'r' real, 't' text). */
#ifndef FP_STORE_LAYER_COLUMNS_H
#define FP_STORE_LAYER_COLUMNS_H

typedef struct fpi_layer_col {
    const char *name, *expr;
    char type;
} fpi_layer_col;

/* The projects' columns (expr unused: the column of that name). */
extern const fpi_layer_col fpi_project_cols[];
/* An aggregation's assignments (a) joined to their projects (p). */
extern const fpi_layer_col fpi_assign_cols[];
/* The changes between two editions (d: the temporary table of diff_store.c,
 * the unnested arrays of pg_diff.c): the change, then the attributes of the row drawn (p: the
 * new edition's, the old one's for a removed project) and, for a moved
 * point, where it was (o: the old row). */
extern const fpi_layer_col fpi_diff_cols[];
extern const int fpi_nproject_cols, fpi_nassign_cols, fpi_ndiff_cols;


#endif
