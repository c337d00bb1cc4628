/*
 * refdata.c — loading and checking the shipped reference tables
 * (states.csv, enigh.csv, itaee.csv) and turning a state's name, as IMSS or
 * a client writes it, into a state (see refdata.h).
 *
 * The tables are plain comma-separated text without quoting, so each file
 * is read whole and split by hand: every row keeps its line number for the
 * error message, and a quote character is refused rather than guessed at.
 * Columns are found by header name, so a reordered file still loads and a
 * renamed one fails naming the column it lacks.
 *
 * Matching: every spelling states.csv knows (official name, abbreviation,
 * CURP code, aliases) is normalized once at load into a sorted key table;
 * state_match normalizes its text the same way and binary-searches. It runs
 * once per document in the ETL, so it works in stack buffers and never
 * allocates.
 */
#include "score/refdata.h"

#include "base/numeric.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

/* Longest text state_match looks at; no spelling of a state comes close. */
#define MATCH_INPUT_MAX 255
/* Room for one normalized spelling, terminator included. */
#define KEY_SIZE 96
/* Code points one input may decompose into; casefolding and decomposition
 * rarely more than double a Latin text. */
#define DECOMPOSED_MAX 1024
/* cve_ent, entidad and a full run of ITAEE years, with some slack. */
#define FIELDS_MAX (ITAEE_MAX_YEARS + 8)
/* The tables are a few kilobytes; anything this big is the wrong file. */
#define TABLE_BYTES_MAX (1 << 20)

struct state_key {
    char key[KEY_SIZE]; /* normalized: casefolded, unaccented, one space */
    int state;          /* index 0..31 */
};

/* ------------------------------------------------------------------ */
/* Normalizing a spelling                                               */
/* ------------------------------------------------------------------ */

static bool is_alnum_codepoint(utf8proc_int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* Each byte of a Latin-1 text is the code point of the same value; out
 * needs 2 * len + 1 bytes. */
static void latin1_to_utf8(const char *text, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = (unsigned char)text[i];
        if (b < 0x80) {
            out[o++] = (char)b;
        } else {
            out[o++] = (char)(0xC0 | (b >> 6));
            out[o++] = (char)(0x80 | (b & 0x3F));
        }
    }
    out[o] = '\0';
}

/* Writes the matching key of `text` into out: Unicode-decomposed,
 * casefolded, accents stripped, every run of characters that are neither
 * letters nor digits made one space, trimmed. Text that is not valid UTF-8
 * is read as Latin-1, as old exports write "MÉXICO". Returns the key's
 * length (0 when nothing is left), or -1 when the text or its key is too
 * long. */
static int normalize(const char *text, char *out, size_t size)
{
    /* The same flags utf8proc_map takes, but utf8proc_decompose fills our
     * stack buffer instead of allocating the result. */
    const utf8proc_option_t opts = UTF8PROC_NULLTERM | UTF8PROC_STABLE |
                                   UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK |
                                   UTF8PROC_COMPAT | UTF8PROC_CASEFOLD;
    size_t len = strnlen(text, MATCH_INPUT_MAX + 1);
    if (len > MATCH_INPUT_MAX)
        return -1;
    utf8proc_int32_t cps[DECOMPOSED_MAX];
    utf8proc_ssize_t n = utf8proc_decompose((const utf8proc_uint8_t *)text,
                                            (utf8proc_ssize_t)len, cps,
                                            DECOMPOSED_MAX, opts);
    if (n == UTF8PROC_ERROR_INVALIDUTF8) {
        char utf8[2 * MATCH_INPUT_MAX + 1];
        latin1_to_utf8(text, len, utf8);
        n = utf8proc_decompose((const utf8proc_uint8_t *)utf8, -1, cps,
                               DECOMPOSED_MAX, opts);
    }
    if (n < 0 || n > DECOMPOSED_MAX)
        return -1;

    size_t o = 0;
    bool gap = false;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        if (!is_alnum_codepoint(cps[i])) {
            gap = o > 0;
            continue;
        }
        utf8proc_uint8_t enc[4];
        size_t k = (size_t)utf8proc_encode_char(cps[i], enc);
        if (o + (gap ? 1 : 0) + k >= size)
            return -1;
        if (gap)
            out[o++] = ' ';
        gap = false;
        memcpy(out + o, enc, k);
        o += k;
    }
    out[o] = '\0';
    return (int)o;
}

/* True when s, blanks aside, is a whole number (optionally signed); *value
 * is then that number, saturated far outside 0..31 when huge. */
static bool bare_number(const char *s, long *value)
{
    while (isspace((unsigned char)*s))
        s++;
    bool negative = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!isdigit((unsigned char)*s))
        return false;
    long v = 0;
    for (; isdigit((unsigned char)*s); s++)
        if (v < 1000000)
            v = v * 10 + (*s - '0');
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    *value = negative ? -v : v;
    return true;
}

static int key_order(const void *a, const void *b)
{
    return strcmp(((const struct state_key *)a)->key,
                  ((const struct state_key *)b)->key);
}

static int key_find(const void *text, const void *entry)
{
    return strcmp(text, ((const struct state_key *)entry)->key);
}

/* ------------------------------------------------------------------ */
/* Reading a table                                                      */
/* ------------------------------------------------------------------ */

struct table {
    char path[4096];
    char *text;                /* the whole file, split in place */
    char *next;                /* first byte of the next unread line */
    int line;                  /* number of the line last read */
    char *header[FIELDS_MAX];
    int header_count;
    int header_line;
    char *fields[FIELDS_MAX];  /* the current row, trimmed */
    int field_count;
};

static int line_of_offset(const char *text, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

static int table_check_text(const struct table *t, size_t len,
                            struct errbuf *err)
{
    const char *nul = memchr(t->text, '\0', len);
    if (nul)
        return err_set(err, "%s line %d: contains a NUL byte", t->path,
                       line_of_offset(t->text, (size_t)(nul - t->text)));
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(
            (const utf8proc_uint8_t *)t->text + i,
            (utf8proc_ssize_t)(len - i), &cp);
        if (k < 0)
            return err_set(err, "%s line %d: not valid UTF-8", t->path,
                           line_of_offset(t->text, i));
        i += (size_t)k;
    }
    return 0;
}

static void table_close(struct table *t)
{
    free(t->text);
    t->text = NULL;
}

static int table_open(struct table *t, const char *dir, const char *name,
                      struct errbuf *err)
{
    memset(t, 0, sizeof *t);
    int n = snprintf(t->path, sizeof t->path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof t->path)
        return err_set(err, "%s/%s: path too long", dir, name);
    FILE *f = fopen(t->path, "rb");
    if (!f)
        return err_set(err, "%s: cannot open: %s", t->path, strerror(errno));
    t->text = malloc(TABLE_BYTES_MAX + 1);
    if (!t->text) {
        fclose(f);
        return err_set(err, "%s: out of memory", t->path);
    }
    size_t len = fread(t->text, 1, TABLE_BYTES_MAX + 1, f);
    bool failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        table_close(t);
        return err_set(err, "%s: cannot read: %s", t->path, strerror(saved));
    }
    if (len > TABLE_BYTES_MAX) {
        table_close(t);
        return err_set(err, "%s: larger than %d bytes, not a reference table",
                       t->path, TABLE_BYTES_MAX);
    }
    t->text[len] = '\0';
    if (table_check_text(t, len, err) < 0) {
        table_close(t);
        return -1;
    }
    t->next = t->text;
    /* Spreadsheets save UTF-8 with a byte-order mark; it is no header. */
    if (len >= 3 && memcmp(t->text, "\xEF\xBB\xBF", 3) == 0)
        t->next += 3;
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Reads the next row that is neither blank nor a '#' comment into
 * t->fields. Returns 1, 0 at the end of the file, or -1. */
static int table_next(struct table *t, struct errbuf *err)
{
    while (*t->next) {
        char *line = t->next;
        char *nl = strchr(line, '\n');
        if (nl) {
            *nl = '\0';
            t->next = nl + 1;
        } else {
            t->next = line + strlen(line);
        }
        t->line++;
        if (line[0] == '#' || *trim(line) == '\0')
            continue;
        if (strchr(line, '"'))
            return err_set(err, "%s line %d: quoted fields are not supported",
                           t->path, t->line);
        t->field_count = 0;
        for (char *p = line;;) {
            char *comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            if (t->field_count < FIELDS_MAX)
                t->fields[t->field_count] = trim(p);
            t->field_count++;
            if (!comma)
                break;
            p = comma + 1;
        }
        return 1;
    }
    return 0;
}

static int table_header(struct table *t, struct errbuf *err)
{
    int r = table_next(t, err);
    if (r < 0)
        return -1;
    if (r == 0)
        return err_set(err, "%s: no header line", t->path);
    if (t->field_count > FIELDS_MAX)
        return err_set(err, "%s line %d: %d columns, at most %d", t->path,
                       t->line, t->field_count, FIELDS_MAX);
    t->header_count = t->field_count;
    t->header_line = t->line;
    memcpy(t->header, t->fields, sizeof t->header);
    for (int i = 0; i < t->header_count; i++)
        for (int j = 0; j < i; j++)
            if (strcasecmp(t->header[i], t->header[j]) == 0)
                return err_set(err, "%s line %d: column '%s' appears twice",
                               t->path, t->line, t->header[i]);
    return 0;
}

/* Reads the next row and checks it has one field per column. */
static int table_row(struct table *t, struct errbuf *err)
{
    int r = table_next(t, err);
    if (r > 0 && t->field_count != t->header_count)
        return err_set(err, "%s line %d: expected %d fields, found %d",
                       t->path, t->line, t->header_count, t->field_count);
    return r;
}

static int column_index(const struct table *t, const char *name)
{
    for (int i = 0; i < t->header_count; i++)
        if (strcasecmp(t->header[i], name) == 0)
            return i;
    return -1;
}

static int require_column(const struct table *t, const char *name, int *col,
                          struct errbuf *err)
{
    *col = column_index(t, name);
    if (*col < 0)
        return err_set(err, "%s line %d: no column '%s'", t->path,
                       t->header_line, name);
    return 0;
}

/* ------------------------------------------------------------------ */
/* states.csv                                                           */
/* ------------------------------------------------------------------ */

/* Adds one spelling of `state` to the key table. A spelling already known
 * for the same state is skipped (names and aliases overlap once
 * normalized); one known for another state is an error, because
 * state_match could only ever return one of them. */
static int add_key(struct refdata *rd, int *capacity, const struct table *t,
                   const char *what, const char *spelling, int state,
                   struct errbuf *err)
{
    char key[KEY_SIZE];
    int n = normalize(spelling, key, sizeof key);
    long number;
    if (n < 0)
        return err_set(err, "%s line %d: %s '%s' is too long", t->path,
                       t->line, what, spelling);
    if (n == 0)
        return err_set(err, "%s line %d: %s '%s' has no letters or digits",
                       t->path, t->line, what, spelling);
    if (bare_number(key, &number))
        return err_set(err,
                       "%s line %d: %s '%s' is a number, which state_match "
                       "reads as an index",
                       t->path, t->line, what, spelling);
    for (int i = 0; i < rd->key_count; i++) {
        if (strcmp(rd->keys[i].key, key) != 0)
            continue;
        if (rd->keys[i].state == state)
            return 0;
        return err_set(err, "%s line %d: %s '%s' names both %s and %s",
                       t->path, t->line, what, spelling,
                       rd->states[rd->keys[i].state].name,
                       rd->states[state].name);
    }
    if (rd->key_count == *capacity) {
        int grown = *capacity ? 2 * *capacity : 256;
        struct state_key *keys = realloc(rd->keys, (size_t)grown * sizeof *keys);
        if (!keys)
            return err_set(err, "%s: out of memory", t->path);
        rd->keys = keys;
        *capacity = grown;
    }
    struct state_key *k = &rd->keys[rd->key_count++];
    memcpy(k->key, key, (size_t)n + 1);
    k->state = state;
    return 0;
}

static int copy_field(const struct table *t, const char *what,
                      const char *value, char *dst, size_t size,
                      struct errbuf *err)
{
    size_t n = strlen(value);
    if (n == 0)
        return err_set(err, "%s line %d: %s is empty", t->path, t->line, what);
    if (n >= size)
        return err_set(err, "%s line %d: %s '%s' is longer than %zu bytes",
                       t->path, t->line, what, value, size - 1);
    memcpy(dst, value, n + 1);
    return 0;
}

static int parse_states(struct refdata *rd, struct table *t,
                        struct errbuf *err)
{
    int c_index, c_code, c_name, c_abbrev, c_curp, c_alias;
    if (table_header(t, err) < 0 ||
        require_column(t, "indice", &c_index, err) < 0 ||
        require_column(t, "cve_ent", &c_code, err) < 0 ||
        require_column(t, "nombre", &c_name, err) < 0 ||
        require_column(t, "abrev", &c_abbrev, err) < 0 ||
        require_column(t, "curp", &c_curp, err) < 0 ||
        require_column(t, "alias", &c_alias, err) < 0)
        return -1;

    int index_line[STATE_COUNT] = {0};
    int code_line[STATE_COUNT + 1] = {0};
    int rows = 0, capacity = 0, r;
    while ((r = table_row(t, err)) > 0) {
        char **f = t->fields;
        int index, code;
        if (parse_int(f[c_index], &index) < 0 || index < 0 ||
            index >= STATE_COUNT)
            return err_set(err, "%s line %d: indice '%s' is not 0..%d",
                           t->path, t->line, f[c_index], STATE_COUNT - 1);
        if (index_line[index])
            return err_set(err, "%s line %d: indice %d appears twice "
                           "(lines %d and %d)", t->path, t->line, index,
                           index_line[index], t->line);
        if (parse_int(f[c_code], &code) < 0 || code < 1 || code > STATE_COUNT)
            return err_set(err, "%s line %d: cve_ent '%s' is not 01..%d",
                           t->path, t->line, f[c_code], STATE_COUNT);
        if (code_line[code])
            return err_set(err, "%s line %d: cve_ent %02d appears twice "
                           "(lines %d and %d)", t->path, t->line, code,
                           code_line[code], t->line);
        index_line[index] = code_line[code] = t->line;
        rows++;

        struct state_info *s = &rd->states[index];
        s->index = index;
        s->inegi_code = code;
        if (copy_field(t, "nombre", f[c_name], s->name, sizeof s->name,
                       err) < 0 ||
            copy_field(t, "abrev", f[c_abbrev], s->abbrev, sizeof s->abbrev,
                       err) < 0)
            return -1;
        if (copy_field(t, "curp", f[c_curp], s->curp, sizeof s->curp,
                       err) < 0)
            return -1;
        if (add_key(rd, &capacity, t, "nombre", s->name, index, err) < 0 ||
            add_key(rd, &capacity, t, "abrev", s->abbrev, index, err) < 0 ||
            add_key(rd, &capacity, t, "curp", f[c_curp], index, err) < 0)
            return -1;
        for (char *alias = f[c_alias]; alias;) {
            char *bar = strchr(alias, '|');
            if (bar)
                *bar = '\0';
            char *spelling = trim(alias);
            /* an empty alias list, or a stray '|', adds nothing */
            if (*spelling &&
                add_key(rd, &capacity, t, "alias", spelling, index, err) < 0)
                return -1;
            alias = bar ? bar + 1 : NULL;
        }
    }
    if (r < 0)
        return -1;
    if (rows != STATE_COUNT)
        return err_set(err, "%s: %d states, expected %d", t->path, rows,
                       STATE_COUNT);
    qsort(rd->keys, (size_t)rd->key_count, sizeof *rd->keys, key_order);
    return 0;
}

/* ------------------------------------------------------------------ */
/* Rows keyed by cve_ent: enigh.csv and itaee.csv                      */
/* ------------------------------------------------------------------ */

/* "07 (Chiapas)", or "00 (national)" */
static const char *code_label(const struct refdata *rd, int code, char *buf,
                              size_t size)
{
    int state = state_by_inegi_code(rd, code);
    snprintf(buf, size, "%02d (%s)", code,
             state == STATE_UNKNOWN ? "national" : rd->states[state].name);
    return buf;
}

/* Reads the row's cve_ent (00 = national, else a state's code), refuses
 * a code seen before and, when the row names its entidad, one that names
 * another state: a shifted code would otherwise file one state's figures
 * under its neighbour. */
static int row_code(const struct refdata *rd, const struct table *t,
                    int c_code, int c_name, int seen_line[STATE_COUNT + 1],
                    int *code, struct errbuf *err)
{
    const char *text = t->fields[c_code];
    char label[80];
    if (parse_int(text, code) < 0 || *code < 0 || *code > STATE_COUNT)
        return err_set(err, "%s line %d: cve_ent '%s' is not 00..%d",
                       t->path, t->line, text, STATE_COUNT);
    if (seen_line[*code])
        return err_set(err, "%s line %d: state %s appears twice "
                       "(lines %d and %d)", t->path, t->line,
                       code_label(rd, *code, label, sizeof label),
                       seen_line[*code], t->line);
    seen_line[*code] = t->line;
    if (*code > 0 && c_name >= 0 && *t->fields[c_name]) {
        int state = state_by_inegi_code(rd, *code);
        if (state_match(rd, t->fields[c_name]) != state)
            return err_set(err, "%s line %d: entidad '%s' is not state %s",
                           t->path, t->line, t->fields[c_name],
                           code_label(rd, *code, label, sizeof label));
    }
    return 0;
}

/* The next row of a table keyed by cve_ent, its code read and checked by
 * row_code: 1 and *code set, 0 after the last row, -1 on an error. */
static int next_keyed_row(const struct refdata *rd, struct table *t,
                          int c_code, int c_name,
                          int seen_line[STATE_COUNT + 1], int *code,
                          struct errbuf *err)
{
    int r = table_row(t, err);
    if (r <= 0)
        return r;
    return row_code(rd, t, c_code, c_name, seen_line, code, err) < 0 ? -1 : 1;
}

static int require_every_state(const struct refdata *rd,
                               const struct table *t,
                               const int seen_line[STATE_COUNT + 1],
                               struct errbuf *err)
{
    char label[80];
    for (int code = 1; code <= STATE_COUNT; code++)
        if (!seen_line[code])
            return err_set(err, "%s: state %s is missing", t->path,
                           code_label(rd, code, label, sizeof label));
    return 0;
}

static int parse_figure(const struct table *t, int col, double *out,
                        struct errbuf *err)
{
    if (parse_double(t->fields[col], out) < 0)
        return err_set(err, "%s line %d: %s '%s' is not a number", t->path,
                       t->line, t->header[col], t->fields[col]);
    return 0;
}

static int require_positive(const struct table *t, int col, double v,
                            struct errbuf *err)
{
    if (!(v > 0))
        return err_set(err, "%s line %d: %s %s is not positive", t->path,
                       t->line, t->header[col], t->fields[col]);
    return 0;
}

static int parse_enigh(struct refdata *rd, struct table *t,
                       struct errbuf *err)
{
    int c_code, c_liquidez, c_gasto, c_decile[ENIGH_DECILES];
    if (table_header(t, err) < 0 ||
        require_column(t, "cve_ent", &c_code, err) < 0 ||
        require_column(t, "liquidez", &c_liquidez, err) < 0 ||
        require_column(t, "gasto_total", &c_gasto, err) < 0)
        return -1;
    for (int d = 0; d < ENIGH_DECILES; d++) {
        char name[16];
        snprintf(name, sizeof name, "d%d", d + 1);
        if (require_column(t, name, &c_decile[d], err) < 0)
            return -1;
    }
    int c_name = column_index(t, "entidad");

    int seen_line[STATE_COUNT + 1] = {0};
    int code, r;
    while ((r = next_keyed_row(rd, t, c_code, c_name, seen_line, &code,
                               err)) > 0) {
        struct enigh_figures *e =
            code == 0 ? &rd->enigh_national
                      : &rd->enigh[state_by_inegi_code(rd, code)];
        if (parse_figure(t, c_liquidez, &e->liquidez, err) < 0 ||
            require_positive(t, c_liquidez, e->liquidez, err) < 0)
            return -1;
        for (int d = 0; d < ENIGH_DECILES; d++) {
            int col = c_decile[d];
            if (parse_figure(t, col, &e->deciles[d], err) < 0)
                return -1;
            if (d == 0 && require_positive(t, col, e->deciles[d], err) < 0)
                return -1;
            if (d > 0 && !(e->deciles[d] > e->deciles[d - 1]))
                return err_set(err, "%s line %d: %s %s is not above %s %s",
                               t->path, t->line, t->header[col],
                               t->fields[col], t->header[c_decile[d - 1]],
                               t->fields[c_decile[d - 1]]);
        }
        if (parse_figure(t, c_gasto, &e->gasto_total, err) < 0 ||
            require_positive(t, c_gasto, e->gasto_total, err) < 0)
            return -1;
    }
    if (r < 0)
        return -1;
    if (!seen_line[0])
        return err_set(err, "%s: the national row (00) is missing", t->path);
    return require_every_state(rd, t, seen_line, err);
}

/* The year columns of itaee.csv; rd->itaee_year, the year the features
 * will use, must be one of them. */
static int parse_itaee(struct refdata *rd, struct table *t,
                       struct errbuf *err)
{
    int c_code;
    if (table_header(t, err) < 0 ||
        require_column(t, "cve_ent", &c_code, err) < 0)
        return -1;
    int c_name = column_index(t, "entidad");

    /* Every other column is a year; year_of[col] is 0 for the two above. */
    int year_of[FIELDS_MAX] = {0};
    int years = 0, last = 0;
    for (int col = 0; col < t->header_count; col++) {
        if (col == c_code || col == c_name)
            continue;
        int year;
        if (parse_int(t->header[col], &year) < 0 || year < 1)
            return err_set(err, "%s line %d: column '%s' is not a year",
                           t->path, t->header_line, t->header[col]);
        if (years > 0 && year != last + 1)
            return err_set(err, "%s line %d: column %d follows %d; years "
                           "must be consecutive", t->path, t->header_line,
                           year, last);
        if (years == ITAEE_MAX_YEARS)
            return err_set(err, "%s line %d: more than %d years", t->path,
                           t->header_line, ITAEE_MAX_YEARS);
        if (years == 0)
            rd->itaee_first_year = year;
        year_of[col] = last = year;
        years++;
    }
    if (years == 0)
        return err_set(err, "%s line %d: no year columns", t->path,
                       t->header_line);
    rd->itaee_last_year = last;
    if (rd->itaee_year < rd->itaee_first_year || rd->itaee_year > last)
        return err_set(err, "%s: year %d not in the file (%d-%d)", t->path,
                       rd->itaee_year, rd->itaee_first_year, last);

    int seen_line[STATE_COUNT + 1] = {0};
    int code, r;
    while ((r = next_keyed_row(rd, t, c_code, c_name, seen_line, &code,
                               err)) > 0) {
        int state = state_by_inegi_code(rd, code);
        for (int col = 0; col < t->header_count; col++) {
            double v;
            if (!year_of[col])
                continue;
            /* the national row is checked like the rest, then unused */
            if (parse_figure(t, col, &v, err) < 0)
                return -1;
            if (state != STATE_UNKNOWN)
                rd->itaee[state][year_of[col] - rd->itaee_first_year] = v;
        }
    }
    if (r < 0)
        return -1;
    return require_every_state(rd, t, seen_line, err);
}

/* ------------------------------------------------------------------ */
/* The public API                                                       */
/* ------------------------------------------------------------------ */

/* Reads one table: opens dir/name, hands it to `parse`, closes it whether
 * or not the parse succeeded. */
static int load_table(struct refdata *rd, const char *dir, const char *name,
                      int (*parse)(struct refdata *, struct table *,
                                   struct errbuf *),
                      struct errbuf *err)
{
    struct table t;
    if (table_open(&t, dir, name, err) < 0)
        return -1;
    int rc = parse(rd, &t, err);
    table_close(&t);
    return rc;
}

int refdata_load(struct refdata *rd, const char *dir, int itaee_year,
                 struct errbuf *err)
{
    memset(rd, 0, sizeof *rd);
    if (!dir || !*dir)
        return err_set(err, "no data directory given");
    /* set first: parse_itaee reads the year asked for from here */
    rd->itaee_year = itaee_year;
    if (load_table(rd, dir, "states.csv", parse_states, err) < 0 ||
        load_table(rd, dir, "enigh.csv", parse_enigh, err) < 0 ||
        load_table(rd, dir, "itaee.csv", parse_itaee, err) < 0) {
        refdata_free(rd);
        memset(rd, 0, sizeof *rd);
        return -1;
    }
    return 0;
}

void refdata_free(struct refdata *rd)
{
    if (!rd)
        return;
    free(rd->keys);
    rd->keys = NULL;
    rd->key_count = 0;
}

int state_match(const struct refdata *rd, const char *text)
{
    if (!rd || !rd->keys || !text)
        return STATE_UNKNOWN;
    if (strnlen(text, MATCH_INPUT_MAX + 1) > MATCH_INPUT_MAX)
        return STATE_UNKNOWN;
    long number;
    if (bare_number(text, &number))
        return number >= 0 && number < STATE_COUNT ? (int)number
                                                   : STATE_UNKNOWN;
    char key[KEY_SIZE];
    if (normalize(text, key, sizeof key) <= 0)
        return STATE_UNKNOWN;
    const struct state_key *k = bsearch(key, rd->keys, (size_t)rd->key_count,
                                        sizeof *rd->keys, key_find);
    return k ? k->state : STATE_UNKNOWN;
}

int state_by_inegi_code(const struct refdata *rd, int code)
{
    if (!rd || code < 1 || code > STATE_COUNT)
        return STATE_UNKNOWN;
    for (int i = 0; i < STATE_COUNT; i++)
        if (rd->states[i].inegi_code == code)
            return i;
    return STATE_UNKNOWN;
}

double refdata_itaee(const struct refdata *rd, int state)
{
    if (!rd || state < 0 || state >= STATE_COUNT)
        return 0.0;
    return rd->itaee[state][rd->itaee_year - rd->itaee_first_year];
}
