/*
 * dataset.h — reading the feature columns of a dataset CSV (the ETL's
 * output, the original data_prueba_limpia.csv, or any CSV with those
 * column names in any order).
 */
#ifndef INCOMESCORE_DATASET_H
#define INCOMESCORE_DATASET_H

#include <stdbool.h>

#include "base/csvio.h"
#include "base/errbuf.h"
#include "score/features.h"

#define COLUMN_ABSENT (-1)

struct dataset_columns {
    int field_count;             /* fields in the header */
    int var[VARIABLE_COUNT];     /* column of each variable, or absent */
};

/* Maps header names to variables. Every variable with required[v] set must
 * be present, else err lists all that are missing ("missing columns:
 * edad, ingreso"); a name twice is refused too. */
int dataset_map_header(const struct csv_record *header,
                       const bool required[VARIABLE_COUNT],
                       struct dataset_columns *cols, struct errbuf *err);

/* The column called `name` in header, or COLUMN_ABSENT. */
int dataset_find_column(const struct csv_record *header, const char *name);

/* Reads one row's variables into values[]; an absent column gives 0 (the
 * documented default of `jubilado`). Refuses a row whose field count is
 * not the header's, or a field that is not a finite number, naming the
 * line and column: "line 7: column 'edad': 'abc' is not a number". */
int dataset_parse_row(const struct dataset_columns *cols,
                      const struct csv_record *row,
                      double values[VARIABLE_COUNT], struct errbuf *err);

#endif
