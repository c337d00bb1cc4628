/*
 * document.c — the document-to-record mapping (see document.h).
 *
 * Privacy: a reject's reason may quote a date or a wage, never a CURP, a
 * name or an employer; those never leave the ETL.
 */
#include "etl/document.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/numeric.h"

const char *const reject_reason_names[REJECT_REASON_COUNT] = {
    [REJECT_NOT_JSON] = "not_json",
    [REJECT_TOO_LARGE] = "too_large",
    [REJECT_CURP] = "curp",
    [REJECT_DOB] = "dob",
    [REJECT_CREATED_AT] = "created_at",
    [REJECT_SEMANAS] = "semanas_cotizadas",
    [REJECT_HISTORY] = "historial_laboral",
    [REJECT_JOB_DATE] = "job_date",
    [REJECT_WAGE] = "wage",
};

void document_init(struct document *v)
{
    memset(v, 0, sizeof *v);
}

void document_free(struct document *v)
{
    free(v->jobs);
    memset(v, 0, sizeof *v);
}

/* ---- small readers ------------------------------------------------------ */

/* The field's text if it is a string, else NULL. */
static const char *text_of(const bson_iter_t *it)
{
    return BSON_ITER_HOLDS_UTF8(it) ? bson_iter_utf8(it, NULL) : NULL;
}

static bool find(const bson_t *doc, const char *key, bson_iter_t *it)
{
    return bson_iter_init_find(it, doc, key) && !BSON_ITER_HOLDS_NULL(it);
}

/* Copies a value into a message, shortened, so a 10 MB field cannot flood
 * a reject line. */
static const char *quoted(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%.40s%s", s, strlen(s) > 40 ? "..." : "");
    return buf;
}

int wage_parse(const char *s, double *out)
{
    char buf[64];
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '$' || *s == ',' || *s == ' ' || *s == '\t')
            continue; /* "$1,234.56", "$ 850.00" */
        if (n + 1 >= sizeof buf)
            return -1;
        buf[n++] = *s;
    }
    buf[n] = '\0';
    double v;
    if (parse_double(buf, &v) < 0 || v < 0)
        return -1;
    *out = v;
    return 0;
}

bool baja_is_current(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    if (strncasecmp(s, "vigente", 7) != 0)
        return false;
    for (s += 7; *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

int curp_birth_date(const char *curp, date_t *out)
{
    if (strlen(curp) != CURP_LENGTH)
        return -1;
    int yy = 0, mm = 0, dd = 0;
    for (int i = 4; i < 10; i++)
        if (!isdigit((unsigned char)curp[i]))
            return -1;
    yy = (curp[4] - '0') * 10 + (curp[5] - '0');
    mm = (curp[6] - '0') * 10 + (curp[7] - '0');
    dd = (curp[8] - '0') * 10 + (curp[9] - '0');
    char c = curp[16];
    int century;
    if (isdigit((unsigned char)c))
        century = 1900;
    else if (isalpha((unsigned char)c))
        century = 2000;
    else
        return -1;
    return date_from_ymd(century + yy, mm, dd, out);
}

/* 64-bit FNV-1a of the employer's name, trimmed, blanks collapsed and
 * ASCII letters upper-cased: "Grupo  Bimbo " and "GRUPO BIMBO" are one. */
static uint64_t employer_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    bool gap = false, started = false;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isspace(c)) {
            gap = started;
            continue;
        }
        if (gap) {
            h = (h ^ ' ') * 1099511628211ULL;
            gap = false;
        }
        started = true;
        h = (h ^ (unsigned char)toupper(c)) * 1099511628211ULL;
    }
    return h;
}

static void read_id(const bson_t *doc, struct document *v)
{
    bson_iter_t it;
    v->id[0] = '\0';
    if (bson_iter_init_find(&it, doc, "_id")) {
        if (BSON_ITER_HOLDS_OID(&it)) {
            bson_oid_to_string(bson_iter_oid(&it), v->id);
            return;
        }
        if (BSON_ITER_HOLDS_UTF8(&it)) {
            snprintf(v->id, sizeof v->id, "%s", bson_iter_utf8(&it, NULL));
            return;
        }
        if (BSON_ITER_HOLDS_INT(&it)) {
            snprintf(v->id, sizeof v->id, "%lld",
                     (long long)bson_iter_as_int64(&it));
            return;
        }
    }
    if (bson_iter_init_find(&it, doc, "transactionId") &&
        BSON_ITER_HOLDS_UTF8(&it))
        snprintf(v->id, sizeof v->id, "%s", bson_iter_utf8(&it, NULL));
}

static int read_curp(const bson_t *doc, struct document *v,
                     struct errbuf *err)
{
    bson_iter_t it;
    if (!find(doc, "curp", &it))
        return err_set(err, "curp is missing");
    const char *s = text_of(&it);
    if (!s)
        return err_set(err, "curp is not a string");
    while (isspace((unsigned char)*s))
        s++;
    size_t n = 0;
    while (s[n] && !isspace((unsigned char)s[n]))
        n++;
    const char *rest = s + n;
    while (isspace((unsigned char)*rest))
        rest++;
    if (n != CURP_LENGTH || *rest)
        return err_set(err, "curp is not 18 letters and digits");
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]))
            return err_set(err, "curp is not 18 letters and digits");
        v->curp[i] = (char)toupper((unsigned char)s[i]);
    }
    v->curp[n] = '\0';
    return 0;
}

/* dob as ISO, YYMMDD (century from the CURP) or a BSON date; else the
 * CURP's own birth date. */
static int read_dob(const bson_t *doc, struct document *v,
                    struct errbuf *err)
{
    bson_iter_t it;
    char q[64];
    const char *why = "dob is missing";
    char whybuf[128];
    if (find(doc, "dob", &it)) {
        const char *s = text_of(&it);
        if (BSON_ITER_HOLDS_DATE_TIME(&it)) {
            v->dob = timestamp_date(bson_iter_date_time(&it));
            return 0;
        }
        if (s) {
            size_t len = strlen(s);
            if (date_parse_iso(s, &v->dob) == 0)
                return 0;
            if (len == 6 && strspn(s, "0123456789") == 6) {
                char probe[CURP_LENGTH + 1];
                memcpy(probe, v->curp, sizeof probe);
                memcpy(probe + 4, s, 6); /* the CURP's century, dob's date */
                if (curp_birth_date(probe, &v->dob) == 0)
                    return 0;
            }
            snprintf(whybuf, sizeof whybuf, "dob '%s' is not a date",
                     quoted(s, q, sizeof q));
            why = whybuf;
        } else {
            why = "dob is not a string";
        }
    }
    if (curp_birth_date(v->curp, &v->dob) == 0)
        return 0;
    return err_set(err, "%s and the CURP carries no birth date", why);
}

static int read_timestamp(const bson_iter_t *it, const char *field,
                          int64_t *out, struct errbuf *err)
{
    char q[64];
    if (BSON_ITER_HOLDS_DATE_TIME(it)) {
        *out = bson_iter_date_time(it);
        return 0;
    }
    const char *s = text_of(it);
    if (!s)
        return err_set(err, "%s is not a date", field);
    if (timestamp_parse(s, out) < 0)
        return err_set(err, "%s '%s' is not a date", field,
                       quoted(s, q, sizeof q));
    return 0;
}

static int read_whole_number(const bson_iter_t *it, const char *field,
                             int *out, struct errbuf *err)
{
    char q[64];
    double d;
    if (BSON_ITER_HOLDS_INT32(it) || BSON_ITER_HOLDS_INT64(it)) {
        int64_t n = bson_iter_as_int64(it);
        if (n < 0 || n > 1000000)
            return err_set(err, "%s %lld is out of range", field, (long long)n);
        *out = (int)n;
        return 0;
    }
    if (BSON_ITER_HOLDS_DOUBLE(it)) {
        d = bson_iter_double(it);
    } else if (text_of(it)) {
        if (parse_double(text_of(it), &d) < 0)
            return err_set(err, "%s '%s' is not a number", field,
                           quoted(text_of(it), q, sizeof q));
    } else {
        return err_set(err, "%s is not a number", field);
    }
    if (d != floor(d) || d < 0 || d > 1000000)
        return err_set(err, "%s %g is not a whole number of weeks", field, d);
    *out = (int)d;
    return 0;
}

static int read_job_date(const bson_iter_t *it, int i, const char *field,
                         date_t *out, struct errbuf *err)
{
    char q[64];
    if (BSON_ITER_HOLDS_DATE_TIME(it)) {
        *out = timestamp_date(bson_iter_date_time(it));
        return 0;
    }
    const char *s = text_of(it);
    if (!s)
        return err_set(err, "historialLaboral[%d].%s is not a date", i, field);
    if (date_parse_job(s, out) < 0)
        return err_set(err, "historialLaboral[%d].%s '%s' is not a date", i,
                       field, quoted(s, q, sizeof q));
    return 0;
}

static int read_job(const bson_t *jobdoc, int i, const struct refdata *rd,
                    struct job *job, enum reject_reason *reason,
                    struct errbuf *err)
{
    bson_iter_t it;
    char q[64];
    *reason = REJECT_JOB_DATE;
    if (!find(jobdoc, "fechaAlta", &it))
        return err_set(err, "historialLaboral[%d].fechaAlta is missing", i);
    if (read_job_date(&it, i, "fechaAlta", &job->alta, err) < 0)
        return -1;
    if (!find(jobdoc, "fechaBaja", &it))
        return err_set(err, "historialLaboral[%d].fechaBaja is missing", i);
    const char *baja = text_of(&it);
    job->current = baja && baja_is_current(baja);
    if (!job->current &&
        read_job_date(&it, i, "fechaBaja", &job->baja, err) < 0)
        return -1;

    *reason = REJECT_WAGE;
    if (!find(jobdoc, "salarioBaseCotizacion", &it))
        return err_set(err,
                       "historialLaboral[%d].salarioBaseCotizacion is missing",
                       i);
    if (BSON_ITER_HOLDS_NUMBER(&it)) {
        job->daily_wage = bson_iter_as_double(&it);
        if (!isfinite(job->daily_wage) || job->daily_wage < 0)
            return err_set(err, "historialLaboral[%d].salarioBaseCotizacion "
                                "%g is not a wage", i, job->daily_wage);
    } else if (!text_of(&it)) {
        return err_set(err, "historialLaboral[%d].salarioBaseCotizacion is "
                            "not a number", i);
    } else if (wage_parse(text_of(&it), &job->daily_wage) < 0) {
        return err_set(err, "historialLaboral[%d].salarioBaseCotizacion '%s' "
                            "is not a wage", i,
                       quoted(text_of(&it), q, sizeof q));
    }

    job->employer = employer_hash(find(jobdoc, "nombrePatron", &it)
                                      ? text_of(&it) : NULL);
    job->state = find(jobdoc, "entidadFederativa", &it)
                     ? state_match(rd, text_of(&it))
                     : STATE_UNKNOWN;
    return 0;
}

static int read_history(const bson_t *doc, const struct refdata *rd,
                        struct document *v, enum reject_reason *reason,
                        struct errbuf *err)
{
    bson_iter_t it, arr;
    v->job_count = 0;
    *reason = REJECT_HISTORY;
    if (!find(doc, "historialLaboral", &it))
        return 0; /* no history: a person who never contributed */
    if (!BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
        return err_set(err, "historialLaboral is not an array");
    int i = 0;
    while (bson_iter_next(&arr)) {
        if (!BSON_ITER_HOLDS_DOCUMENT(&arr)) {
            *reason = REJECT_HISTORY;
            return err_set(err, "historialLaboral[%d] is not an object", i);
        }
        uint32_t len;
        const uint8_t *data;
        bson_iter_document(&arr, &len, &data);
        bson_t jobdoc;
        if (!bson_init_static(&jobdoc, data, len))
            return err_set(err, "historialLaboral[%d] is corrupt", i);
        if (v->job_count == v->job_capacity) {
            int cap = v->job_capacity ? v->job_capacity * 2 : 16;
            struct job *jobs = realloc(v->jobs, (size_t)cap * sizeof *jobs);
            if (!jobs)
                return err_set(err, "historialLaboral: out of memory");
            v->jobs = jobs;
            v->job_capacity = cap;
        }
        if (read_job(&jobdoc, i, rd, &v->jobs[v->job_count], reason, err) < 0)
            return -1;
        v->job_count++;
        i++;
    }
    return 0;
}

int document_from_bson(const bson_t *doc, const struct refdata *rd,
                         struct document *v, enum reject_reason *reason,
                         struct errbuf *err)
{
    bson_iter_t it;
    read_id(doc, v);
    v->curp[0] = '\0';
    v->job_count = 0;
    *reason = REJECT_CURP;
    if (read_curp(doc, v, err) < 0)
        return -1;
    *reason = REJECT_DOB;
    if (read_dob(doc, v, err) < 0)
        return -1;
    *reason = REJECT_CREATED_AT;
    if (!find(doc, "createdAt", &it))
        return err_set(err, "createdAt is missing");
    if (read_timestamp(&it, "createdAt", &v->created_at, err) < 0)
        return -1;
    *reason = REJECT_SEMANAS;
    if (!find(doc, "semanasCotizadas", &it))
        return err_set(err, "semanasCotizadas is missing");
    if (read_whole_number(&it, "semanasCotizadas", &v->semanas_cotizadas,
                          err) < 0)
        return -1;
    return read_history(doc, rd, v, reason, err);
}
