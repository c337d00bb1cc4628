/*
 * dataset.h — the training dataset CSV: its columns, writing them (the
 * ETL's output) and reading the feature columns back (that output, the
 * original data_prueba_limpia.csv, or any CSV with those column names in
 * any order).
 *
 * The one home of the column names: the features are named by
 * variable_names[] (score/features.h), the other columns here; the ETL,
 * training and `rules apply` all take them from this file.
 */
#ifndef INCOMESCORE_DATASET_H
#define INCOMESCORE_DATASET_H

#include <stdbool.h>
#include <stdio.h>

#include "base/csvio.h"
#include "base/errbuf.h"
#include "score/features.h"

/* The columns in the order the ETL writes them, the original dataset's:
 * first the FEATURE_COUNT features, each at its enum feature index, then
 * these. */
enum dataset_column {
    DATASET_TARGET = FEATURE_COUNT, /* "target": round(points / divisor, 2) */
    DATASET_ESTADO,       /* "estado": the state's name; empty if unknown */
    DATASET_LUGAR_ACTUAL, /* "lugar_actual": its index 0..31; empty if unknown */
    DATASET_JUBILADO,     /* "jubilado": 0 or 1, the rules' V_JUBILADO */
    DATASET_RULES_POINTS, /* "rules_points": the sum of the rules' points */
    DATASET_COLUMN_COUNT
};

/* The name of a column 0..DATASET_COLUMN_COUNT-1. */
const char *dataset_column_name(int column);

/* One person's row as the ETL writes it. */
struct dataset_row {
    double features[FEATURE_COUNT];
    double target;
    const char *estado;       /* NULL: state unknown */
    int lugar_actual;         /* only with estado */
    int jubilado;
    long long rules_points;   /* millionths (score/rules.h) */
};

/* The header line: every column name in order. */
void dataset_write_header(FILE *out);

/* A row: features as format_double writes them (they read back to the
 * same doubles), target to 2 decimals, points by format_points. */
void dataset_write_row(FILE *out, const struct dataset_row *row);

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
