/*
 * rules_csv.c — `rules apply` and the data side of `rules calibrate` (see
 * rules_csv.h).
 */
#include "train/rules_csv.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/csvio.h"
#include "etl/dataset.h"

/* A header read as one field that holds another separator is a file
 * written with that separator (a spreadsheet in a Spanish locale writes
 * ';'): saying so beats listing every column as missing. The separator
 * as the message names it, or NULL. */
static const char *foreign_separator(const struct csv_record *header)
{
    static const struct { char c; const char *name; } seps[] = {
        {';', "';'"}, {'\t', "a tab"}, {'|', "'|'"},
    };
    if (header->field_count != 1)
        return NULL;
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
        if (memchr(header->fields[0], seps[i].c, header->lengths[0]))
            return seps[i].name;
    return NULL;
}

/* A reader on `in` past its header, with the columns the rules need
 * mapped; NULL with the reason in err. */
static struct csv_reader *open_features(const struct rules *r, FILE *in,
                                        struct csv_record *header,
                                        struct dataset_columns *cols,
                                        struct errbuf *err)
{
    struct csv_reader *reader = csv_reader_new(in);
    if (!reader) {
        err_set(err, "out of memory");
        return NULL;
    }
    bool required[VARIABLE_COUNT];
    for (int v = 0; v < VARIABLE_COUNT; v++)
        required[v] = rules_uses(r, v) && v != V_JUBILADO;
    int rc = csv_reader_next(reader, header, err);
    if (rc == 0)
        err_set(err, "no header line: the input is empty");
    else if (rc < 0)
        err_prefix(err, "header");
    else if (dataset_map_header(header, required, cols, err) == 0)
        return reader;
    else if (foreign_separator(header))
        err_set(err, "line %ld: the file seems to use %s as separator; "
                "incomescore reads ','", header->line,
                foreign_separator(header));
    csv_reader_free(reader);
    return NULL;
}

int rules_apply_csv(const struct rules *r, FILE *in, FILE *out, FILE *diag,
                    struct rows_count *count, struct errbuf *err)
{
    memset(count, 0, sizeof *count);
    struct csv_record rec;
    struct dataset_columns cols;
    struct csv_reader *reader = open_features(r, in, &rec, &cols, err);
    if (!reader)
        return -1;
    const char *points_name = dataset_column_name(DATASET_RULES_POINTS);
    const char *target_name = dataset_column_name(DATASET_TARGET);
    int points_col = dataset_find_column(&rec, points_name);
    int target_col = dataset_find_column(&rec, target_name);
    csv_write_fields(out, &rec);
    if (points_col == COLUMN_ABSENT)
        fprintf(out, ",%s", points_name);
    if (target_col == COLUMN_ABSENT)
        fprintf(out, ",%s", target_name);
    putc('\n', out);

    double values[VARIABLE_COUNT];
    struct rules_result res;
    struct errbuf row_err;
    char points[32], target[32];
    int rc;
    while ((rc = csv_reader_next(reader, &rec, &row_err)) != 0) {
        if (rc < 0 || dataset_parse_row(&cols, &rec, values, &row_err) < 0) {
            fprintf(diag, "%s\n", row_err.msg);
            count->bad++;
            continue;
        }
        rules_evaluate(r, values, &res);
        size_t plen = format_points(points, sizeof points, res.sum);
        size_t tlen = snprintf(target, sizeof target, "%.2f", res.target);
        for (int i = 0; i < rec.field_count; i++) {
            if (i)
                putc(',', out);
            if (i == points_col)
                fwrite(points, 1, plen, out);
            else if (i == target_col)
                fwrite(target, 1, tlen, out);
            else
                csv_write_field(out, rec.fields[i], rec.lengths[i]);
        }
        if (points_col == COLUMN_ABSENT) {
            putc(',', out);
            fwrite(points, 1, plen, out);
        }
        if (target_col == COLUMN_ABSENT) {
            putc(',', out);
            fwrite(target, 1, tlen, out);
        }
        putc('\n', out);
        count->good++;
    }
    csv_reader_free(reader);
    return 0;
}

int rules_targets(const struct rules *r, FILE *in, FILE *diag,
                  double **targets, struct rows_count *count,
                  struct errbuf *err)
{
    memset(count, 0, sizeof *count);
    *targets = NULL;
    struct csv_record rec;
    struct dataset_columns cols;
    struct csv_reader *reader = open_features(r, in, &rec, &cols, err);
    if (!reader)
        return -1;
    double values[VARIABLE_COUNT];
    struct rules_result res;
    struct errbuf row_err;
    size_t cap = 0;
    int rc;
    while ((rc = csv_reader_next(reader, &rec, &row_err)) != 0) {
        if (rc < 0 || dataset_parse_row(&cols, &rec, values, &row_err) < 0) {
            fprintf(diag, "%s\n", row_err.msg);
            count->bad++;
            continue;
        }
        if ((size_t)count->good == cap) {
            cap = cap ? cap * 2 : 4096;
            double *t = realloc(*targets, cap * sizeof *t);
            if (!t) {
                csv_reader_free(reader);
                free(*targets);
                *targets = NULL;
                return err_set(err, "out of memory at line %ld", rec.line);
            }
            *targets = t;
        }
        rules_evaluate(r, values, &res);
        (*targets)[count->good++] = res.target;
    }
    csv_reader_free(reader);
    return 0;
}

int rules_target_range(const struct rules *r, FILE *in, FILE *diag,
                       double *min_target, double *max_target,
                       struct rows_count *count, struct errbuf *err)
{
    double *t;
    if (rules_targets(r, in, diag, &t, count, err) < 0)
        return -1;
    double lo = INFINITY, hi = -INFINITY;
    for (long i = 0; i < count->good; i++) {
        if (t[i] < lo)
            lo = t[i];
        if (t[i] > hi)
            hi = t[i];
    }
    free(t);
    *min_target = lo;
    *max_target = hi;
    return 0;
}
