/*
 * report_format.c — how the training report spells things (see
 * report_internal.h): numbers grouped the Mexican way, shares, a manifest
 * value by what its key says it is, the Spanish label of a manifest key,
 * and text escaped into Markdown or HTML.
 *
 * One home for these so that a number reads the same in report.md, in
 * report.html's tables and on the charts' axes and captions: every figure
 * the report prints goes through report_fmt_grouped or report_fmt_value,
 * with fixed formats (no locale, no clock), which is half of what makes
 * the report's bytes a function of its input.
 */
#include "train/report_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- number formatting -------------------------------------------------- */

/* `v` with `decimals` places and a comma every three integer digits
 * ("12,345.67"), as Mexican usage writes amounts; "—" when not finite. */
void report_fmt_grouped(char *buf, size_t size, double v, int decimals)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "—");
        return;
    }
    char plain[NUM_SIZE];
    snprintf(plain, sizeof plain, "%.*f", decimals, v);
    const char *p = plain;
    size_t o = 0;
    if (*p == '-') {
        /* "-0.00" would suggest a sign that rounding erased */
        if (strspn(p + 1, "0.") != strlen(p + 1) && o + 1 < size)
            buf[o++] = '-';
        p++;
    }
    size_t int_len = strcspn(p, ".");
    for (size_t i = 0; p[i] && o + 1 < size; i++) {
        if (i < int_len && i > 0 && (int_len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = p[i];
    }
    buf[o] = '\0';
}

void report_fmt_count(char *buf, size_t size, size_t v)
{
    report_fmt_grouped(buf, size, (double)v, 0);
}

/* 12.3 % of a whole; "—" for an empty whole. */
void report_fmt_share(char *buf, size_t size, size_t part, size_t whole)
{
    if (whole == 0)
        snprintf(buf, size, "—");
    else
        snprintf(buf, size, "%.1f %%", 100.0 * (double)part / (double)whole);
}

static bool key_has(const char *key, const char *part)
{
    return strstr(key, part) != NULL;
}

/* Integers that count rows read best grouped; seeds, years, ids do not. */
static bool key_is_count(const char *key)
{
    return !(key_has(key, "seed") || key_has(key, "year") ||
             key_has(key, "id") || key_has(key, "version") ||
             key_has(key, "created"));
}

/* Hashes and file names are read, copied and compared character by
 * character: code font, in both documents. */
bool report_key_is_code(const char *key)
{
    return key_has(key, "sha") || key_has(key, "hash") ||
           key_has(key, "file") || key_has(key, "path");
}

/* A manifest value as text, formatted by what its key says it is: R² to 4
 * decimals, squared errors in scientific notation, absolute errors to 4
 * decimals, counts grouped. Objects and arrays deeper than the table can
 * show are given as compact JSON rather than dropped. Caller frees. */
char *report_fmt_value(const char *key, const json_t *v)
{
    char buf[NUM_SIZE];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return strdup(json_string_value(v));
    case JSON_INTEGER: {
        long long i = json_integer_value(v);
        if (key_is_count(key))
            report_fmt_grouped(buf, sizeof buf, (double)i, 0);
        else
            snprintf(buf, sizeof buf, "%lld", i);
        return strdup(buf);
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d))
            snprintf(buf, sizeof buf, "—");
        else if (strcmp(key, "r2") == 0 || strcmp(key, "R2") == 0)
            snprintf(buf, sizeof buf, "%.4f", d);
        else if (key_has(key, "mse"))
            snprintf(buf, sizeof buf, "%.3e", d);
        else if (key_has(key, "mae") || key_has(key, "rmse"))
            snprintf(buf, sizeof buf, "%.4f", d);
        else if (d == floor(d) && fabs(d) < 1e15 && key_is_count(key))
            report_fmt_grouped(buf, sizeof buf, d, 0);
        else
            snprintf(buf, sizeof buf, "%.6g", d);
        return strdup(buf);
    }
    case JSON_TRUE:
        return strdup("sí");
    case JSON_FALSE:
        return strdup("no");
    case JSON_NULL:
        return strdup("—");
    default:
        return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

/* Spanish labels for the keys we know; unknown keys show as themselves. */
struct key_label {
    const char *key, *label;
};

static const struct key_label key_labels[] = {
    {"r2", "R²"},
    {"mse", "MSE"},
    {"rmse", "RMSE"},
    {"mae", "MAE"},
    {"target", "objetivo"},
    {"score", "score 300–850"},
    {"test_rows", "filas de prueba"},
    {"train_rows", "filas de entrenamiento"},
    {"valid_rows", "filas de validación"},
    {"rows", "filas"},
    {"rounds", "rondas de boosting"},
    {"dataset", "conjunto de datos"},
    {"dataset_sha256", "SHA-256 del conjunto de datos"},
    {"rules_sha256", "SHA-256 de las reglas"},
    {"refdata_sha256", "SHA-256 de las tablas de referencia"},
    {"seed", "semilla"},
    {"file", "archivo"},
    {"sha256", "SHA-256"},
    {"split", "partición"},
    {"test_fraction", "fracción de prueba"},
    {"as_of", "fecha de corte"},
    {"created_at", "creado"},
    {"code_version", "versión del código"},
    {"format", "formato"},
    {"itaee_year", "año ITAEE"},
    {"dataset_rows", "filas del conjunto de datos"},
    {"stopping_fraction", "fracción para la parada temprana"},
    {"target_rules_mismatches", "filas cuyo objetivo difería de las reglas"},
    {"objective", "función objetivo"},
    {"tree_method", "método de árboles"},
    {"max_depth", "profundidad máxima"},
    {"eta", "tasa de aprendizaje"},
    {"early_stopping_rounds", "rondas sin mejora para parar"},
    {"subsample", "submuestreo de filas"},
    {"colsample_bynode", "submuestreo de variables por nodo"},
    {"min_child_weight", "peso mínimo por hoja"},
    {"lambda", "regularización L2"},
    {"max_bin", "intervalos máximos por variable"},
    {"nthread", "hilos"},
    {"min_rows", "mínimo de filas"},
    {"min_segment_share", "participación mínima por segmento"},
    {"min_holdout_r2", "R² mínimo en prueba"},
};

const char *report_key_label(const char *key)
{
    for (size_t i = 0; i < sizeof key_labels / sizeof key_labels[0]; i++)
        if (strcmp(key_labels[i].key, key) == 0)
            return key_labels[i].label;
    return NULL;
}

/* "filas de prueba (test_rows)": the analyst's word and the data team's. */
void report_fmt_key(char *buf, size_t size, const char *key)
{
    const char *label = report_key_label(key);
    if (label && !strstr(label, key) && strlen(key) > 3)
        snprintf(buf, size, "%s (%s)", label, key);
    else if (label)
        snprintf(buf, size, "%s", label);
    else
        snprintf(buf, size, "%s", key);
}

/* ---- escaping ------------------------------------------------------------ */

/* Text into HTML or SVG, element content or attribute value. */
void report_put_html(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* Text into a Markdown table cell: a '|' would end the cell, a newline
 * the row. */
void report_put_md(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", f);
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            fputc(' ', f);
        else
            fputc(*s, f);
    }
}
