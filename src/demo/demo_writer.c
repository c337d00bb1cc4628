/*
 * demo_writer.c — a synthetic document as a line of JSON (see
 * demo_writer.h).
 *
 * The put_* helpers write into the buffer without checking room: the
 * driver flushes whenever demo_writer_full says so, and DOC_MAX past the
 * block size holds any document. They stay static here, beside their one
 * caller, so the compiler can inline them.
 */
#include "demo/demo_writer.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dates.h"
#include "base/prng.h"
#include "base/text.h"
#include "demo/demo_tables.h"
#include "demo/draw.h"

#define UNUSABLE_RATE 0.005       /* documents broken one demo_unusable way */
/* Documents go to the file in blocks of OUT_BUFSIZE; the buffer holds
 * DOC_MAX more, far above the largest document, so one always fits. */
#define OUT_BUFSIZE (1u << 20)
#define DOC_MAX (64u * 1024)

/* ------------------------------------------------------------------ */
/* Writing JSON                                                         */
/* ------------------------------------------------------------------ */

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static void put(struct demo_writer *w, const char *s, size_t n)
{
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_str(struct demo_writer *w, const char *s)
{
    put(w, s, strlen(s));
}

static void put_char(struct demo_writer *w, char c)
{
    w->buf[w->len++] = c;
}

static void put_uint(struct demo_writer *w, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        w->buf[w->len++] = tmp[--n];
}

static void put_digits(struct demo_writer *w, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        w->buf[w->len + (size_t)i] = (char)('0' + v % 10);
        v /= 10;
    }
    w->len += (size_t)width;
}

/* The room DOC_MAX leaves past OUT_BUFSIZE always holds a string's
 * worst case. */
static void put_json(struct demo_writer *w, const char *s, size_t n)
{
    w->len += json_quote(w->buf + w->len, JSON_QUOTE_MAX(n), s, n,
                         JSON_QUOTE_SHORT_ESCAPES);
}

static void put_hex(struct demo_writer *w, uint64_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; i--)
        w->buf[w->len++] = hex[(v >> (4 * i)) & 15];
}

/* ---- the buffer ---------------------------------------------------- */

int demo_writer_init(struct demo_writer *w, FILE *out)
{
    *w = (struct demo_writer){malloc(OUT_BUFSIZE + DOC_MAX), 0, out};
    return w->buf ? 0 : -1;
}

void demo_writer_free(struct demo_writer *w)
{
    free(w->buf);
    w->buf = NULL;
}

bool demo_writer_full(const struct demo_writer *w)
{
    return w->len >= OUT_BUFSIZE;
}

int demo_writer_flush(struct demo_writer *w, struct errbuf *err)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->out) != w->len)
        return err_set(err, "writing the documents failed: %s",
                       strerror(errno ? errno : EIO));
    w->len = 0;
    return 0;
}

int demo_writer_finish(struct demo_writer *w, struct errbuf *err)
{
    if (demo_writer_flush(w, err) < 0)
        return -1;
    if (fflush(w->out) != 0)
        return err_set(err, "writing the documents failed: %s",
                       strerror(errno));
    return 0;
}

/* ---- how one document spells things ------------------------------- */

enum date_style { D_MDY_SLASH, D_ISO, D_DMY_WHEN_UNAMBIGUOUS, D_MDY_DASH };
enum order_style { O_NEWEST_FIRST, O_OLDEST_FIRST, O_SHUFFLED };

struct doc_style {
    enum date_style dates;
    enum order_style order;
    int vigente;              /* index into demo_vigente_spellings */
    bool wage_numbers;        /* wages as JSON numbers, not "$1,234.56" */
    int dob;                  /* 0 ISO, 1 YYMMDD, 2 absent */
    int created;              /* 0 RFC 1123, 1 ISO string, 2 {"$date"} */
    bool semanas_string;
    int entidad;              /* 0 IMSS plain, 1 with accents, 2 official */
    int unusable;             /* an enum demo_unusable, or -1 */
};

static void draw_style(struct prng *r, struct doc_style *s)
{
    double u = prng_uniform(r);
    s->dates = u < 0.78 ? D_MDY_SLASH : u < 0.88 ? D_ISO
             : u < 0.96 ? D_DMY_WHEN_UNAMBIGUOUS : D_MDY_DASH;
    u = prng_uniform(r);
    s->order = u < 0.45 ? O_NEWEST_FIRST : u < 0.6 ? O_OLDEST_FIRST : O_SHUFFLED;
    s->vigente = (int)pick_weighted(r, &demo_vigente_spellings);
    s->wage_numbers = chance(r, 0.18);
    u = prng_uniform(r);
    s->dob = u < 0.82 ? 0 : u < 0.9 ? 1 : 2;
    u = prng_uniform(r);
    s->created = u < 0.35 ? 0 : u < 0.7 ? 1 : 2;
    s->semanas_string = chance(r, 0.3);
    u = prng_uniform(r);
    s->entidad = u < 0.88 ? 0 : u < 0.96 ? 1 : 2;
    s->unusable = chance(r, UNUSABLE_RATE)
                      ? prng_range(r, 0, DEMO_UNUSABLE_KINDS - 1) : -1;
}

static void put_job_date(struct demo_writer *w, date_t d, enum date_style style)
{
    struct ymd t = date_to_ymd(d);
    put_char(w, '"');
    switch (style) {
    case D_ISO:
        put_digits(w, t.year, 4); put_char(w, '-');
        put_digits(w, t.month, 2); put_char(w, '-');
        put_digits(w, t.day, 2);
        break;
    case D_DMY_WHEN_UNAMBIGUOUS:
        /* only where the day is above 12: below, it would read as a month */
        if (t.day > 12) {
            put_digits(w, t.day, 2); put_char(w, '/');
            put_digits(w, t.month, 2); put_char(w, '/');
            put_digits(w, t.year, 4);
            break;
        }
        __attribute__((fallthrough));
    case D_MDY_SLASH:
    case D_MDY_DASH: {
        char sep = style == D_MDY_DASH ? '-' : '/';
        put_digits(w, t.month, 2); put_char(w, sep);
        put_digits(w, t.day, 2); put_char(w, sep);
        put_digits(w, t.year, 4);
        break;
    }
    }
    put_char(w, '"');
}

static void put_wage(struct demo_writer *w, long cents, bool number)
{
    long whole = cents / 100, frac = cents % 100;
    if (number) {
        /* as a double prints: 312.5, 300.0 */
        put_uint(w, (unsigned long)whole);
        put_char(w, '.');
        if (frac % 10 == 0)
            put_char(w, (char)('0' + frac / 10));
        else
            put_digits(w, (int)frac, 2);
        return;
    }
    PUT_LIT(w, "\"$");
    if (whole >= 1000) {
        put_uint(w, (unsigned long)(whole / 1000));
        put_char(w, ',');
        put_digits(w, (int)(whole % 1000), 3);
    } else {
        put_uint(w, (unsigned long)whole);
    }
    put_char(w, '.');
    put_digits(w, (int)frac, 2);
    put_char(w, '"');
}

static void put_iso_timestamp(struct demo_writer *w, int64_t ms)
{
    int64_t day = ms >= 0 ? ms / DAY_MS : (ms - DAY_MS + 1) / DAY_MS;
    int64_t in_day = ms - day * DAY_MS;
    struct ymd t = date_to_ymd((date_t)day);
    put_digits(w, t.year, 4); put_char(w, '-');
    put_digits(w, t.month, 2); put_char(w, '-');
    put_digits(w, t.day, 2); put_char(w, 'T');
    put_digits(w, (int)(in_day / 3600000), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 60000 % 60), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 1000 % 60), 2); put_char(w, '.');
    put_digits(w, (int)(in_day % 1000), 3); put_char(w, 'Z');
}

static void put_rfc1123(struct demo_writer *w, int64_t ms)
{
    static const char days[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = ms / DAY_MS, in_day = ms % DAY_MS; /* createdAt is after 1970 */
    struct ymd t = date_to_ymd((date_t)day);
    put(w, days[day % 7], 3);
    PUT_LIT(w, ", ");
    put_digits(w, t.day, 2); put_char(w, ' ');
    put(w, months[t.month - 1], 3); put_char(w, ' ');
    put_digits(w, t.year, 4); put_char(w, ' ');
    put_digits(w, (int)(in_day / 3600000), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 60000 % 60), 2); put_char(w, ':');
    put_digits(w, (int)(in_day / 1000 % 60), 2);
    PUT_LIT(w, " GMT");
}

static void put_entidad(struct demo_writer *w, const struct refdata *rd,
                        const struct doc_style *s, struct prng *r, int state,
                        date_t alta)
{
    const struct imss_spelling *sp = &demo_imss_states[state];
    const char *text = sp->plain;
    if (state == STATE_CDMX) {
        /* the Federal District became Ciudad de México in 2016 */
        if (alta >= 16801 /* 2016-01-01 */ && chance(r, 0.5))
            text = s->entidad == 1 ? sp->accented : sp->longer;
    } else if (state == STATE_MEXICO) {
        if (chance(r, 0.5))
            text = s->entidad == 1 ? sp->accented : sp->longer;
    } else if (s->entidad == 1 && sp->accented) {
        text = sp->accented;
    } else if (sp->longer && chance(r, 0.1)) {
        text = sp->longer;
    }
    if (s->entidad == 2)
        text = rd->states[state].name;
    put_json(w, text, strlen(text));
}

/* ---- one document ------------------------------------------------- */

struct view_job {
    const struct demo_job *job;
    bool current;
};

void demo_write_document(struct demo_writer *w,
                         const struct demo_generator *g,
                         const struct demo_person *p, int copy,
                         struct demo_stats *st)
{
    const struct refdata *rd = g->rd;
    uint64_t seed = g->seed;
    struct prng r;
    prng_seed(&r, stream_seed(seed, p->id, (uint64_t)copy + 1));
    struct doc_style s;
    draw_style(&r, &s);
    date_t day = p->created_day[copy];
    int64_t created = p->created_ms[copy];

    /* the history as this check saw it */
    struct view_job v[MAX_JOBS];
    int n = 0, current = 0;
    for (int i = 0; i < p->njobs; i++) {
        if (p->jobs[i].alta > day)
            continue;
        v[n].job = &p->jobs[i];
        v[n].current = p->jobs[i].baja > day;
        current += v[n].current;
        n++;
    }
    if (s.order == O_OLDEST_FIRST) {
        for (int i = 0; i < n / 2; i++) {
            struct view_job t = v[i]; v[i] = v[n - 1 - i]; v[n - 1 - i] = t;
        }
    } else if (s.order == O_SHUFFLED) {
        for (int i = n - 1; i > 0; i--) {
            int k = prng_range(&r, 0, i);
            struct view_job t = v[i]; v[i] = v[k]; v[k] = t;
        }
    }
    /* (newest first is the order the career was built in, except that a
     * second current job sits last: real exports are not tidy either) */

    int kind = s.unusable;
    if ((kind == DEMO_BAD_JOB_DATE || kind == DEMO_BAD_WAGE) && n == 0)
        kind = DEMO_NO_CURP;
    int broken_job = n ? prng_range(&r, 0, n - 1) : -1;

    /* _id: an ObjectId as MongoDB makes them — the insert's second, a
     * per-process value (a handful of app servers), a counter */
    PUT_LIT(w, "{\"_id\":{\"$oid\":\"");
    put_hex(w, (uint64_t)(created / 1000), 8);
    put_hex(w, stream_seed(seed, (uint64_t)prng_range(&r, 0, 5), 99), 10);
    put_hex(w, prng_next(&r), 6);
    PUT_LIT(w, "\"},\"transactionId\":\"");
    uint64_t a = prng_next(&r), b = prng_next(&r);
    put_hex(w, a >> 32, 8); put_char(w, '-');
    put_hex(w, a >> 16, 4); put_char(w, '-');
    put_hex(w, 0x4000 | (a & 0x0fff), 4); put_char(w, '-');
    put_hex(w, 0x8000 | (b >> 50), 4); put_char(w, '-');
    put_hex(w, b, 12);
    put_char(w, '"');

    int dob_style = s.dob;
    if (kind != DEMO_NO_CURP) {
        PUT_LIT(w, ",\"curp\":\"");
        if (kind == DEMO_BAD_CURP_NO_DOB) {
            char bad[19];
            memcpy(bad, p->curp, sizeof bad);
            int how = prng_range(&r, 0, 2);
            if (how == 0) {
                bad[prng_range(&r, 8, 16)] = '\0';      /* cut short */
            } else if (how == 1) {
                bad[6] = '1'; bad[7] = '3';            /* month 13 */
            } else {
                bad[4] = 'O'; bad[8] = 'O';            /* O for 0 */
            }
            put_str(w, bad);
            dob_style = 2;
        } else {
            put(w, p->curp, 18);
        }
        put_char(w, '"');
    }
    PUT_LIT(w, ",\"nss\":\"");
    put(w, p->nss, 11);
    PUT_LIT(w, "\",\"nombre\":");
    {
        char name[160];
        int len = snprintf(name, sizeof name, "%s %s%s%s", p->given,
                           p->paterno, p->materno ? " " : "",
                           p->materno ? p->materno : "");
        put_json(w, name, (size_t)len);
    }
    if (dob_style != 2) {
        struct ymd t = date_to_ymd(p->dob);
        PUT_LIT(w, ",\"dob\":\"");
        if (dob_style == 0) {
            put_digits(w, t.year, 4); put_char(w, '-');
            put_digits(w, t.month, 2); put_char(w, '-');
            put_digits(w, t.day, 2);
        } else {
            put_digits(w, t.year % 100, 2);
            put_digits(w, t.month, 2);
            put_digits(w, t.day, 2);
        }
        put_char(w, '"');
    }

    int weeks = demo_person_semanas(p, day);
    if (weeks < 0)
        weeks = 0;
    PUT_LIT(w, ",\"semanasCotizadas\":");
    if (s.semanas_string)
        put_char(w, '"');
    put_uint(w, (unsigned long)weeks);
    if (s.semanas_string)
        put_char(w, '"');
    PUT_LIT(w, ",\"semanasDescontadas\":");
    put_uint(w, (unsigned long)p->descontadas);
    PUT_LIT(w, ",\"semanasReintegradas\":");
    put_uint(w, (unsigned long)p->reintegradas);

    PUT_LIT(w, ",\"historialLaboral\":");
    if (kind == DEMO_HISTORY_NOT_ARRAY) {
        static const char *const not_arrays[] = {
            "\"SIN INFORMACION\"", "\"NO DISPONIBLE\"", "{}", "\"\""};
        put_str(w, not_arrays[prng_range(&r, 0, 3)]);
    } else {
        put_char(w, '[');
        for (int i = 0; i < n; i++) {
            const struct demo_job *j = v[i].job;
            if (i)
                put_char(w, ',');
            PUT_LIT(w, "{\"nombrePatron\":");
            put_json(w, j->employer, j->employer_len);
            if (!j->state_omitted) {
                PUT_LIT(w, ",\"entidadFederativa\":");
                put_entidad(w, rd, &s, &r, j->state, j->alta);
            }
            PUT_LIT(w, ",\"fechaAlta\":");
            if (kind == DEMO_BAD_JOB_DATE && i == broken_job) {
                static const char *const bad_dates[] = {
                    "\"13/45/", "\"00/00/", "\"31/02/", "\"15/15/"};
                put_str(w, bad_dates[prng_range(&r, 0, 3)]);
                put_digits(w, date_to_ymd(j->alta).year, 4);
                put_char(w, '"');
            } else {
                put_job_date(w, j->alta, s.dates);
            }
            PUT_LIT(w, ",\"fechaBaja\":");
            if (v[i].current) {
                put_char(w, '"');
                put_str(w, demo_vigente_spellings.v[s.vigente].text);
                put_char(w, '"');
            } else {
                put_job_date(w, j->baja, s.dates);
            }
            PUT_LIT(w, ",\"salarioBaseCotizacion\":");
            if (kind == DEMO_BAD_WAGE && i == broken_job) {
                static const char *const bad_wages[] = {
                    "\"N/D\"", "\"\"", "\"$ -\"", "\"NA\""};
                put_str(w, bad_wages[prng_range(&r, 0, 3)]);
            } else {
                date_t on = v[i].current ? day : j->baja;
                put_wage(w, demo_job_wage_cents(g, p, j, on), s.wage_numbers);
            }
            put_char(w, '}');
        }
        put_char(w, ']');
    }

    PUT_LIT(w, ",\"createdAt\":");
    if (kind == DEMO_BAD_CREATED_AT) {
        static const char *const bad_created[] = {
            "\"Invalid Date\"", "\"\"", "\"N/A\"", "\"0000-00-00 00:00:00\""};
        put_str(w, bad_created[prng_range(&r, 0, 3)]);
    } else if (s.created == 0) {
        put_char(w, '"');
        put_rfc1123(w, created);
        put_char(w, '"');
    } else if (s.created == 1) {
        put_char(w, '"');
        put_iso_timestamp(w, created);
        put_char(w, '"');
    } else {
        PUT_LIT(w, "{\"$date\":\"");
        put_iso_timestamp(w, created);
        PUT_LIT(w, "\"}");
    }
    PUT_LIT(w, "}\n");

    st->documents++;
    if (kind >= 0) {
        st->unusable[kind]++;
        st->unusable_total++;
    }
    if (kind != DEMO_HISTORY_NOT_ARRAY)
        st->jobs += n;
    if (n == 0)
        st->empty_history++;
    else if (current == 0)
        st->no_current++;
    if (current >= 2)
        st->two_current++;
    if (current == 0 && date_full_years(p->dob, g->as_of) >= 65 &&
        weeks >= 1500)
        st->retirees++;
}
