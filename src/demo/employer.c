/*
 * employer.c — employer names (see employer.h).
 */
#include "demo/employer.h"

#include <stdbool.h>
#include <string.h>

#include "demo/demo_tables.h"
#include "demo/draw.h"

/* A name being built in a fixed buffer: what does not fit is cut. */
struct name_buf {
    char *s;
    size_t len, cap;
};

static void name_add(struct name_buf *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n >= t->cap)
        n = t->cap - 1 - t->len;
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

size_t employer_name(struct prng *r, int state, char out[EMPLOYER_MAX])
{
    struct name_buf t = {out, 0, EMPLOYER_MAX};
    out[0] = '\0';
    double u = prng_uniform(r);
    if (u < 0.24) {
        name_add(&t, pick_common(r, &demo_large_employers));
    } else if (u < 0.31) {
        /* a person as employer: IMSS writes surnames first */
        name_add(&t, pick_common(r, &demo_surnames));
        name_add(&t, " ");
        name_add(&t, pick_common(r, &demo_surnames));
        name_add(&t, " ");
        name_add(&t, chance(r, 0.6)
                         ? pick_common(r, &demo_male_names)
                         : pick_common(r, &demo_female_names));
    } else {
        bool nickname = u < 0.34;
        name_add(&t, nickname ? (chance(r, 0.5) ? "RESTAURANTE" : "COCINA ECONOMICA")
                              : pick_any(r, &demo_employer_trades));
        name_add(&t, " ");
        if (nickname) {
            name_add(&t, "\"");
            name_add(&t, pick_any(r, &demo_business_nicknames));
            name_add(&t, "\"");
        } else {
            double v = prng_uniform(r);
            if (v < 0.5) {
                name_add(&t, pick_any(r, &demo_employer_themes));
            } else if (v < 0.7) {
                name_add(&t, state == STATE_CDMX ? "DEL " : "DE ");
                name_add(&t, demo_imss_states[state].plain);
            } else if (v < 0.9) {
                name_add(&t, pick_common(r, &demo_surnames));
                static const char *const kin[] = {"", "", " HERMANOS",
                                                  " E HIJOS", " Y ASOCIADOS"};
                name_add(&t, kin[prng_range(r, 0, 4)]);
            } else {
                char acronym[4] = {(char)prng_range(r, 'A', 'Z'),
                                   (char)prng_range(r, 'A', 'Z'),
                                   (char)prng_range(r, 'A', 'Z'), '\0'};
                name_add(&t, acronym);
                name_add(&t, " DE MEXICO");
            }
        }
        size_t s = pick_weighted(r, &demo_company_suffixes);
        if (*demo_company_suffixes.v[s].text && chance(r, 0.1))
            name_add(&t, ",");
        name_add(&t, demo_company_suffixes.v[s].text);
    }
    /* data-entry noise: a doubled blank, a trailing one, rarely a tab */
    double n = prng_uniform(r);
    char *space = strchr(out, ' ');
    if (n < 0.01 && space && t.len + 1 < t.cap) {
        memmove(space + 1, space, t.len - (size_t)(space - out) + 1);
        t.len++;
    } else if (n < 0.02) {
        name_add(&t, " ");
    } else if (n < 0.0205 && space) {
        *space = '\t';
    }
    return t.len;
}
