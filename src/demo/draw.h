/*
 * draw.h — the random draws every part of the demo generator makes
 * (person.c, employer.c, demo_writer.c, demo_data.c), in one place so
 * they all draw alike.
 *
 * Reproducibility rests on stream_seed: each person, and each of their
 * documents, draws from a PRNG stream of its own, seeded by (run seed,
 * person number, stream), so anything about a person can be rebuilt from
 * their number alone and a larger file starts with the same people. The
 * streams in use:
 *   (k, 0)             person k (person.c)
 *   (k, 1 + copy)      person k's document `copy` (demo_writer.c)
 *   (0..5, 99)         the app servers an ObjectId names (demo_writer.c)
 *   (UINT64_MAX, 0)    when duplicates come out (demo_data.c)
 * Changing how many values any draw here consumes, or the order of the
 * draws anywhere, changes every file the generator writes.
 *
 * Static inline: these run a few dozen times per document, and they were
 * one file's static functions before the generator was split.
 */
#ifndef INCOMESCORE_DEMO_DRAW_H
#define INCOMESCORE_DEMO_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/prng.h"
#include "demo/demo_tables.h"

/* The seed of stream `stream` of person `person`: distinct, well-mixed
 * seeds for every (seed, person, stream). */
static inline uint64_t stream_seed(uint64_t seed, uint64_t person,
                                   uint64_t stream)
{
    uint64_t z = seed ^ (person + 1) * 0x9e3779b97f4a7c15u ^
                 (stream + 1) * 0xd1b54a32d192ed03u;
    z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdu;
    z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53u;
    return z ^ (z >> 33);
}

static inline bool chance(struct prng *r, double p)
{
    return prng_uniform(r) < p;
}

/* A word of the list, favouring the front: the most common names come up
 * far more often than the rare ones, as in a real population. */
static inline const char *pick_common(struct prng *r,
                                      const struct demo_words *l)
{
    double u = prng_uniform(r);
    return l->v[(size_t)(u * u * (double)l->n)];
}

/* A word of the list, each as likely. */
static inline const char *pick_any(struct prng *r, const struct demo_words *l)
{
    return l->v[prng_range(r, 0, (int)l->n - 1)];
}

/* The index of a text drawn in proportion to its weight. */
static inline size_t pick_weighted(struct prng *r,
                                   const struct demo_weighted *w)
{
    int total = 0;
    for (size_t i = 0; i < w->n; i++)
        total += w->v[i].weight;
    int x = prng_range(r, 0, total - 1);
    for (size_t i = 0; i < w->n; i++) {
        if (x < w->v[i].weight)
            return i;
        x -= w->v[i].weight;
    }
    return w->n - 1;
}

/* A state index drawn in proportion to `weights` (STATE_COUNT of them). */
static inline int pick_state(struct prng *r, const double *weights)
{
    double total = 0;
    for (int i = 0; i < STATE_COUNT; i++)
        total += weights[i];
    double x = prng_uniform(r) * total;
    for (int i = 0; i < STATE_COUNT; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return STATE_COUNT - 1;
}

#endif
