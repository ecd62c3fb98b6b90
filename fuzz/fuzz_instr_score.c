/* libFuzzer harness for instr_score: answers arriving as JSON numbers or
 * form fields reach the scorer as arbitrary ints. The first byte picks the
 * instrument; every further byte is one answer as a signed value (-128..127,
 * so the missing marker -1, every valid range and out-of-range values all
 * occur). Checks: errors name a field and leave *out alone; scores and
 * subscales stay inside their published ranges; n_answered is exact. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/instruments.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

static int in_range(double v, double lo, double hi)
{
	return isnan(v) || (v >= lo - 1e-9 && v <= hi + 1e-9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum instrument id = (enum instrument)(data[0] % INSTR__COUNT);
	const struct instr_info *in = instr_info(id);
	size_t n = size - 1;
	if (n > 64)
		n = 64;
	int items[64];
	for (size_t i = 0; i < n; i++)
		items[i] = (int)(int8_t)data[1 + i];

	struct instr_score sc, before;
	memset(&sc, 0xa5, sizeof sc);
	before = sc;
	struct prolo_err err = { 0 };
	enum prolo_code rc = instr_score(id, items, n, &sc, &err);

	int valid = n == (size_t)in->n_items;
	int answered = 0;
	for (size_t i = 0; valid && i < n; i++) {
		if (items[i] == INSTR_MISSING)
			continue;
		answered++;
		if (items[i] < in->item_min || items[i] > in->item_max)
			valid = 0;
	}
	if (!valid) {
		check(rc == PROLO_EINVAL);
		check(err.field[0] != '\0' && err.msg[0] != '\0');
		check(memcmp(&sc, &before, sizeof sc) == 0);
		return 0;
	}
	check(rc == PROLO_OK);
	check(sc.n_answered == answered);
	check(in_range(sc.total, in->score_min, in->score_max));
	check(in_range(sc.pct, 0, 100));
	check(isnan(sc.total) == isnan(sc.pct));
	for (int k = 0; k < INSTR_MAX_SUBSCALES; k++) {
		if (k >= in->n_subscales) {
			check(isnan(sc.sub[k]));
			continue;
		}
		check(in_range(sc.sub[k], 0, in->sub_max[k]));
	}
	/* The missing-item rules, restated independently of the scorer:
	 * answers needed per subscale (or for the total when there are no
	 * subscales). */
	static const int need_total[INSTR__COUNT] = {
		[INSTR_NRS] = 1, [INSTR_VAS] = 1, [INSTR_ODI] = 9,
		[INSTR_NDI] = 8, [INSTR_QUICKDASH] = 10,
	};
	static const int need_sub[INSTR__COUNT][INSTR_MAX_SUBSCALES] = {
		[INSTR_WOMAC] = { 4, 1, 14 },
		[INSTR_KOOS] = { 5, 4, 9, 3, 2 },
	};
	if (in->n_subscales == 0) {
		check(isnan(sc.total) == (answered < need_total[id]));
	} else {
		int all = 1;
		for (int k = 0; k < in->n_subscales; k++) {
			int got = 0;
			for (int i = 0; i < in->sub_count[k]; i++)
				got += items[in->sub_first[k] + i] != INSTR_MISSING;
			int ok = got >= need_sub[id][k];
			check(isnan(sc.sub[k]) == !ok);
			/* WOMAC totals all three, KOOS4 leaves ADL out. */
			if (!(id == INSTR_KOOS && k == 2))
				all &= ok;
		}
		check(isnan(sc.total) == !all);
	}
	/* A complete form always scores. */
	if (answered == in->n_items) {
		check(!isnan(sc.total));
		for (int k = 0; k < in->n_subscales; k++)
			check(!isnan(sc.sub[k]));
	}
	/* Nothing answered never scores. */
	if (answered == 0)
		check(isnan(sc.total));
	return 0;
}
