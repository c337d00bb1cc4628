/*
 * dataset.c — the dataset's column names, writing its rows, and header
 * mapping and row parsing for feature CSVs (see dataset.h).
 */
#include "etl/dataset.h"

#include <stdio.h>
#include <string.h>

#include "base/numeric.h"
#include "score/rules.h"

const char *dataset_column_name(int column)
{
    static const char *const after_features[] = {
        [DATASET_TARGET - FEATURE_COUNT] = "target",
        [DATASET_ESTADO - FEATURE_COUNT] = "estado",
        [DATASET_LUGAR_ACTUAL - FEATURE_COUNT] = "lugar_actual",
        [DATASET_RULES_POINTS - FEATURE_COUNT] = "rules_points",
    };
    if (column < FEATURE_COUNT)
        return variable_names[column];
    if (column == DATASET_JUBILADO) /* a rules variable: one name for both */
        return variable_names[V_JUBILADO];
    return after_features[column - FEATURE_COUNT];
}

void dataset_write_header(FILE *out)
{
    for (int c = 0; c < DATASET_COLUMN_COUNT; c++) {
        if (c)
            fputc(',', out);
        fputs(dataset_column_name(c), out);
    }
    fputc('\n', out);
}

void dataset_write_row(FILE *out, const struct dataset_row *row)
{
    char num[32];
    for (int f = 0; f < FEATURE_COUNT; f++) {
        format_double(num, sizeof num, row->features[f]);
        fputs(num, out);
        fputc(',', out);
    }
    fprintf(out, "%.2f,", row->target);
    if (row->estado) {
        csv_write_field(out, row->estado, strlen(row->estado));
        fprintf(out, ",%d", row->lugar_actual);
    } else {
        fputc(',', out);
    }
    format_points(num, sizeof num, row->rules_points);
    fprintf(out, ",%d,%s\n", row->jubilado, num);
}

int dataset_find_column(const struct csv_record *header, const char *name)
{
    for (int i = 0; i < header->field_count; i++)
        if (strcmp(header->fields[i], name) == 0)
            return i;
    return COLUMN_ABSENT;
}

int dataset_map_header(const struct csv_record *header,
                       const bool required[VARIABLE_COUNT],
                       struct dataset_columns *cols, struct errbuf *err)
{
    cols->field_count = header->field_count;
    for (int v = 0; v < VARIABLE_COUNT; v++)
        cols->var[v] = COLUMN_ABSENT;
    for (int i = 0; i < header->field_count; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(header->fields[i], header->fields[j]) == 0)
                return err_set(err, "line %ld: column '%s' appears twice",
                               header->line, header->fields[i]);
        int v = variable_by_name(header->fields[i]);
        if (v >= 0)
            cols->var[v] = i;
    }
    char missing[ERRBUF_SIZE] = "";
    size_t used = 0;
    for (int v = 0; v < VARIABLE_COUNT; v++)
        if (required[v] && cols->var[v] == COLUMN_ABSENT && used < sizeof missing)
            used += snprintf(missing + used, sizeof missing - used, "%s%s",
                             used ? ", " : "", variable_names[v]);
    if (used)
        return err_set(err, "line %ld: missing columns: %s", header->line,
                       missing);
    return 0;
}

int dataset_parse_row(const struct dataset_columns *cols,
                      const struct csv_record *row,
                      double values[VARIABLE_COUNT], struct errbuf *err)
{
    if (row->field_count != cols->field_count)
        return err_set(err, "line %ld: %d fields, the header has %d",
                       row->line, row->field_count, cols->field_count);
    for (int v = 0; v < VARIABLE_COUNT; v++) {
        int c = cols->var[v];
        if (c == COLUMN_ABSENT) {
            values[v] = 0;
            continue;
        }
        if (parse_double(row->fields[c], &values[v]) < 0)
            return err_set(err, "line %ld: column '%s': '%.40s' is not a number",
                           row->line, variable_names[v], row->fields[c]);
    }
    return 0;
}
