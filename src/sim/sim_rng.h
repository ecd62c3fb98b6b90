/* The simulator's own random numbers: xoshiro256** seeded through splitmix64
 * (Blackman & Vigna 2018). Owning the generator, instead of rand() or a
 * library's, is what makes a seed give the same registry byte for byte on
 * every machine. Every patient gets an independent stream derived from
 * (seed, patient index), so patient i is the same whatever N is.
 * Header-only: these sit in the inner loop of the model. */
#ifndef PROLO_SIM_RNG_H
#define PROLO_SIM_RNG_H

#include <math.h>
#include <stdint.h>

struct sim_rng {
	uint64_t s[4];
};

/* splitmix64 step: advances *x and returns the next output. Cannot fail. */
static inline uint64_t sim_rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seeds the stream for (seed, stream): independent streams for distinct
 * pairs. Cannot fail. */
static inline void sim_rng_seed(struct sim_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL + 0x632be59bd9b4e019ULL);
	/* one extra mixing round so that neighbouring streams do not start
	 * from neighbouring states */
	x = sim_rng_splitmix(&x) ^ stream;
	for (int i = 0; i < 4; i++)
		r->s[i] = sim_rng_splitmix(&x);
}

static inline uint64_t sim_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits. Cannot fail. */
static inline uint64_t sim_rng_next(struct sim_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = sim_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sim_rng_rotl(s[3], 45);
	return result;
}

/* Uniform in [0, 1) with 53 random bits. Cannot fail. */
static inline double sim_rng_unif(struct sim_rng *r)
{
	return (double)(sim_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi] (lo <= hi); Lemire's multiply, bias < 2^-32
 * for the small ranges used here. Cannot fail. */
static inline int sim_rng_int(struct sim_rng *r, int lo, int hi)
{
	uint64_t span = (uint64_t)((int64_t)hi - lo + 1);
	return lo + (int)(((sim_rng_next(r) >> 32) * span) >> 32);
}

/* True with probability p. Cannot fail. */
static inline int sim_rng_bern(struct sim_rng *r, double p)
{
	return sim_rng_unif(r) < p;
}

/* Standard normal by Marsaglia's polar method (one of the pair is dropped:
 * the generator keeps no state beyond s[], which keeps streams simple).
 * Cannot fail. */
static inline double sim_rng_norm(struct sim_rng *r)
{
	double u, v, q;
	do {
		u = 2.0 * sim_rng_unif(r) - 1.0;
		v = 2.0 * sim_rng_unif(r) - 1.0;
		q = u * u + v * v;
	} while (q >= 1.0 || q == 0.0);
	return u * sqrt(-2.0 * log(q) / q);
}

/* Log-normal with median 1 and log-SD sd. Cannot fail. */
static inline double sim_rng_lognorm(struct sim_rng *r, double sd)
{
	return exp(sd * sim_rng_norm(r));
}

/* Geometric count of failures before a success, mean m >= 0. Cannot fail. */
static inline int sim_rng_geom(struct sim_rng *r, double m)
{
	if (m <= 0)
		return 0;
	double p = 1.0 / (1.0 + m);
	double u = 1.0 - sim_rng_unif(r); /* (0, 1] */
	double k = floor(log(u) / log1p(-p));
	return k > 365 ? 365 : (int)k;
}

#endif
