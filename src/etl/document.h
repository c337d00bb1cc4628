/*
 * document.h — one incoming document: an employment-history check (the
 * lender's database calls them "validations", SPEC §1) read into typed
 * fields, or refused with the field and the reason. Not to be confused
 * with an API request (score/request.h), which is an applicant's eight
 * inputs already computed.
 *
 * Both sources, JSON-lines exports and a live MongoDB collection, hand us
 * a bson_t (libbson parses the export's Extended JSON), so this file is
 * the one document-to-record mapping: what a field may look like and what
 * makes a document unusable is decided here and nowhere else.
 */
#ifndef INCOMESCORE_DOCUMENT_H
#define INCOMESCORE_DOCUMENT_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/dates.h"
#include "base/errbuf.h"
#include "score/refdata.h"

#define CURP_LENGTH 18
#define DOC_ID_SIZE 64

struct job {
    date_t alta;
    date_t baja;          /* only when !current */
    bool current;         /* fechaBaja is "Vigente" in any case/spacing */
    double daily_wage;    /* salarioBaseCotizacion, pesos per day */
    int state;            /* entidadFederativa, or STATE_UNKNOWN */
    uint64_t employer;    /* hash of nombrePatron, trimmed, case-folded */
};

struct document {
    char id[DOC_ID_SIZE];      /* _id or transactionId, for reports */
    char curp[CURP_LENGTH + 1];
    date_t dob;
    int64_t created_at;        /* ms since the epoch */
    int semanas_cotizadas;
    int job_count;
    struct job *jobs;          /* owned; reused from document to document */
    int job_capacity;
};

/* Why a document cannot be used; each a column of the ETL's summary. */
enum reject_reason {
    REJECT_NOT_JSON,        /* not parseable, not an object */
    REJECT_TOO_LARGE,
    REJECT_CURP,            /* missing or not a CURP */
    REJECT_DOB,             /* no birth date in dob or the CURP */
    REJECT_CREATED_AT,
    REJECT_SEMANAS,
    REJECT_HISTORY,         /* historialLaboral not an array of objects */
    REJECT_JOB_DATE,
    REJECT_WAGE,
    REJECT_REASON_COUNT
};

extern const char *const reject_reason_names[REJECT_REASON_COUNT];

void document_init(struct document *v);
void document_free(struct document *v);

/* Fills v from doc. Returns 0, or -1 with *reason set and err naming the
 * field and why: "historialLaboral[2].fechaAlta: '13/45/2020' is not a
 * date". v->id is filled whenever the document has one, also on failure. */
int document_from_bson(const bson_t *doc, const struct refdata *rd,
                         struct document *v, enum reject_reason *reason,
                         struct errbuf *err);

/* The birth date a CURP carries: characters 5–10 are YYMMDD, and
 * character 17 gives the century (a digit before 2000, a letter from 2000
 * on). -1 if the CURP has none. */
int curp_birth_date(const char *curp, date_t *out);

/* A daily wage as written: a number, or text like "$1,234.56". */
int wage_parse(const char *s, double *out);

/* Whether fechaBaja says the job is current ("Vigente", any case or
 * spacing). */
bool baja_is_current(const char *s);

#endif
