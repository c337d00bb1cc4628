/*
 * prng.c — xoshiro256** seeded by splitmix64 (see prng.h). The constants
 * and shifts are those of the reference implementations at
 * https://prng.di.unimi.it/ (public domain).
 */
#include "base/prng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void prng_seed(struct prng *p, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        p->s[i] = splitmix64(&seed);
}

uint64_t prng_next(struct prng *p)
{
    uint64_t *s = p->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double prng_uniform(struct prng *p)
{
    return (double)(prng_next(p) >> 11) * 0x1.0p-53;
}

int prng_range(struct prng *p, int lo, int hi)
{
    if (hi <= lo)
        return lo;
    uint64_t span = (uint64_t)((int64_t)hi - lo) + 1;
    /* Values below 2^64 mod span would make the low results likelier. */
    uint64_t reject_below = (0 - span) % span;
    uint64_t r;
    do
        r = prng_next(p);
    while (r < reject_below);
    return (int)((int64_t)lo + (int64_t)(r % span));
}

double prng_normal(struct prng *p)
{
    /* 1 - u is in (0, 1], so the log is finite. */
    double u1 = 1.0 - prng_uniform(p);
    double u2 = prng_uniform(p);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double prng_lognormal(struct prng *p, double mu, double sigma)
{
    return exp(mu + sigma * prng_normal(p));
}
