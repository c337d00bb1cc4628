/*
 * dataset.c — header mapping and row parsing for feature CSVs (see
 * dataset.h).
 */
#include "etl/dataset.h"

#include <stdio.h>
#include <string.h>

#include "base/numeric.h"

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
