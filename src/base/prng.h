/*
 * prng.h — the project's one pseudo-random number generator: xoshiro256**
 * (Blackman and Vigna), its state seeded through splitmix64.
 *
 * Why our own: everything random in incomescore — synthetic documents,
 * train/test splits, model initialisation — must be reproducible from a
 * seed on every machine and every libc. glibc's rand()/random() streams
 * are not specified and have changed between versions, and rand_r() is
 * 32-bit and weak. xoshiro256** is small, fast, passes BigCrush, and its
 * integer stream is the same bit for bit wherever uint64_t arithmetic is.
 *
 * The integer functions (prng_next, prng_range) and prng_uniform are exact
 * everywhere. prng_normal and prng_lognormal go through libm's log, exp and
 * cos, whose last bit may differ between libm implementations; on one
 * platform they are deterministic.
 *
 * A struct prng is plain data: copy it to fork a stream, keep one per
 * thread. No function here allocates or touches global state.
 */
#ifndef INCOMESCORE_PRNG_H
#define INCOMESCORE_PRNG_H

#include <stdint.h>

struct prng {
    uint64_t s[4];
};

/* Fills the state with four successive splitmix64 outputs of `seed`, so
 * any seed, 0 included, gives a well-mixed non-zero state. */
void prng_seed(struct prng *p, uint64_t seed);

/* The next 64 random bits. */
uint64_t prng_next(struct prng *p);

/* A double uniform in [0, 1): the top 53 bits of prng_next / 2^53. */
double prng_uniform(struct prng *p);

/* An int uniform in [lo, hi], both included, without modulo bias
 * (rejection). lo must not exceed hi; if it does, lo is returned. */
int prng_range(struct prng *p, int lo, int hi);

/* A standard normal deviate (mean 0, sd 1), by Box–Muller; each call uses
 * two uniforms and returns one value, so the state stays four words. */
double prng_normal(struct prng *p);

/* exp(mu + sigma × normal): a lognormal deviate whose median is exp(mu). */
double prng_lognormal(struct prng *p, double mu, double sigma);

#endif
