/* Instrument scoring with the published rules, missing items included.
 * Each scorer below cites the manual or paper its rule comes from; the same
 * citations, with worked examples, are in docs/instruments.md. Answers are
 * stored as the scored values the manuals assign to the boxes (e.g. KOOS
 * 0 = no problem .. 4 = extreme), so no item is reversed here. */
#include "core/instruments.h"
#include "core/records.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct instr_info infos[INSTR__COUNT] = {
	[INSTR_NRS] = {
		.id = INSTR_NRS, .name = "NRS",
		.title = "Numeric Rating Scale for pain",
		.n_items = 1, .item_min = 0, .item_max = 10,
		.score_min = 0, .score_max = 10, .unit = "points",
		.higher_is_worse = true,
	},
	[INSTR_VAS] = {
		.id = INSTR_VAS, .name = "VAS",
		.title = "Visual Analogue Scale for pain (100 mm)",
		.n_items = 1, .item_min = 0, .item_max = 100,
		.score_min = 0, .score_max = 100, .unit = "mm",
		.higher_is_worse = true,
	},
	[INSTR_ODI] = {
		.id = INSTR_ODI, .name = "ODI",
		.title = "Oswestry Disability Index v2.1a",
		.n_items = 10, .item_min = 0, .item_max = 5,
		.score_min = 0, .score_max = 100, .unit = "%",
		.higher_is_worse = true,
	},
	[INSTR_NDI] = {
		.id = INSTR_NDI, .name = "NDI",
		.title = "Neck Disability Index",
		.n_items = 10, .item_min = 0, .item_max = 5,
		.score_min = 0, .score_max = 50, .unit = "points",
		.higher_is_worse = true,
	},
	[INSTR_WOMAC] = {
		.id = INSTR_WOMAC, .name = "WOMAC",
		.title = "WOMAC Osteoarthritis Index, Likert 3.1",
		.n_items = 24, .item_min = 0, .item_max = 4,
		.score_min = 0, .score_max = 96, .unit = "points",
		.higher_is_worse = true,
		.n_subscales = 3,
		.subscale_names = { "pain", "stiffness", "function" },
		.sub_first = { 0, 5, 7 },
		.sub_count = { 5, 2, 17 },
		.sub_max = { 20, 8, 68 },
	},
	[INSTR_QUICKDASH] = {
		.id = INSTR_QUICKDASH, .name = "QuickDASH",
		.title = "QuickDASH (disability/symptom section)",
		.n_items = 11, .item_min = 1, .item_max = 5,
		.score_min = 0, .score_max = 100, .unit = "points",
		.higher_is_worse = true,
	},
	/* Items in the order of the KOOS form (S1-S7, P1-P9, A1-A17, SP1-SP5,
	 * Q1-Q4); subscales in the order the user's guide reports them. */
	[INSTR_KOOS] = {
		.id = INSTR_KOOS, .name = "KOOS",
		.title = "Knee injury and Osteoarthritis Outcome Score",
		.n_items = 42, .item_min = 0, .item_max = 4,
		.score_min = 0, .score_max = 100, .unit = "points",
		.higher_is_worse = false,
		.n_subscales = 5,
		.subscale_names = { "pain", "symptoms", "adl", "sport_rec", "qol" },
		.sub_first = { 7, 0, 16, 33, 38 },
		.sub_count = { 9, 7, 17, 5, 4 },
		.sub_max = { 100, 100, 100, 100, 100 },
	},
};

const struct instr_info *instr_info(enum instrument id)
{
	assert((unsigned)id < INSTR__COUNT);
	return &infos[id];
}

/* Sum and count of the answered items in items[first .. first+count). */
struct tally {
	long sum;
	int answered;
};

static struct tally tally(const int *items, int first, int count)
{
	struct tally t = { 0, 0 };
	for (int i = first; i < first + count; i++) {
		if (items[i] == INSTR_MISSING)
			continue;
		t.sum += items[i];
		t.answered++;
	}
	return t;
}

/* Appends one sentence to o->reason ("; " between them); a reason longer
 * than the buffer is cut, never overrun. Cannot fail. */
static void why(struct instr_score *o, const char *fmt, ...)
{
	size_t used = strlen(o->reason);
	if (used + 3 >= sizeof o->reason)
		return;
	if (used) {
		memcpy(o->reason + used, "; ", 3);
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->reason + used, sizeof o->reason - used, fmt, ap);
	va_end(ap);
}

/* "1 item" / "2 items" */
static const char *items_word(int n)
{
	return n == 1 ? "item" : "items";
}

/* NRS 0-10 and VAS 0-100 mm: the score is the answer; unanswered = none. */
static void score_single(const int *items, struct instr_score *o)
{
	if (items[0] != INSTR_MISSING)
		o->total = items[0];
	else
		why(o, "the question was not answered");
}

/* ODI v2.1a. Fairbank JCT, Pynsent PB. The Oswestry Disability Index.
 * Spine 2000;25(22):2940-2953: score = total / (5 x sections answered)
 * x 100 %; one section may be missed (the score is then out of 45). With
 * more than one section missing there is no score (docs/instruments.md). */
static void score_odi(const int *items, struct instr_score *o)
{
	struct tally t = tally(items, 0, 10);
	if (t.answered >= 9)
		o->total = (double)t.sum * 100.0 / (5.0 * t.answered);
	else
		why(o, "%d of 10 sections unanswered; the ODI is scored with at most 1 section missing "
		    "(Fairbank & Pynsent 2000)", 10 - t.answered);
}

/* NDI. Vernon H, Mior S. The Neck Disability Index: a study of reliability
 * and validity. J Manipulative Physiol Ther 1991;14(7):409-415: ten items
 * 0-5, score 0-50 (x 2 = percent). Missing items: the author's scoring
 * note (the average of the answered items is added for a missing one; see
 * also Vernon H. The Neck Disability Index: state-of-the-art, 1991-2008.
 * J Manipulative Physiol Ther 2008;31(7):491-502). The note sets no firm
 * limit, so prolo pro-rates up to two missing items (sum x 10 / answered)
 * and gives no score with three or more (docs/instruments.md). */
static void score_ndi(const int *items, struct instr_score *o)
{
	struct tally t = tally(items, 0, 10);
	if (t.answered >= 8)
		o->total = (double)t.sum * 10.0 / t.answered;
	else
		why(o, "%d of 10 items unanswered; prolo pro-rates the NDI with at most 2 items missing "
		    "(Vernon's scoring note; docs/instruments.md)", 10 - t.answered);
}

/* WOMAC Likert 3.1. Bellamy N. WOMAC Osteoarthritis Index User Guide
 * (versions 3.1 onward): pain 5 items (0-20), stiffness 2 (0-8), physical
 * function 17 (0-68), each item 0-4, total 0-96. Missing items: a subscale
 * with at most 1 missing pain item, 1 missing stiffness item or 3 missing
 * function items is scored with the mean of its answered items substituted
 * for the missing ones; with more it is invalid. The function limit is the
 * guide's "standard protocol" as quoted by Whitehouse SL et al., J Bone
 * Joint Surg Br 2004;86-B(S4):469; the pain and stiffness limits follow the
 * guide as summarised in docs/instruments.md. The total is the sum of the
 * three subscales and needs all three. */
static void score_womac(const int *items, struct instr_score *o)
{
	static const int max_missing[3] = { 1, 1, 3 };
	const struct instr_info *in = &infos[INSTR_WOMAC];
	double total = 0;
	bool all = true;
	for (int s = 0; s < 3; s++) {
		struct tally t = tally(items, in->sub_first[s], in->sub_count[s]);
		int missing = in->sub_count[s] - t.answered;
		if (missing > max_missing[s]) {
			all = false;
			why(o, "%s: %d of %d %s unanswered; the WOMAC user guide scores this subscale with at most "
			    "%d missing", in->subscale_names[s], missing, in->sub_count[s],
			    items_word(in->sub_count[s]), max_missing[s]);
			continue;
		}
		o->sub[s] = (double)t.sum * in->sub_count[s] / t.answered;
		total += o->sub[s];
	}
	if (all)
		o->total = total;
	else
		why(o, "the total needs all three subscales");
}

/* QuickDASH. Institute for Work & Health, The QuickDASH Outcome Measure,
 * scoring instructions: score = ((sum of n responses / n) - 1) x 25, where
 * n is the number of completed items; no score if more than 1 of the 11
 * items is missing. Beaton DE et al. J Bone Joint Surg Am 2005;87:1038-46. */
static void score_quickdash(const int *items, struct instr_score *o)
{
	struct tally t = tally(items, 0, 11);
	if (t.answered >= 10)
		o->total = ((double)t.sum / t.answered - 1.0) * 25.0;
	else
		why(o, "%d of 11 items unanswered; the QuickDASH is scored with at most 1 item missing "
		    "(IWH scoring instructions)", 11 - t.answered);
}

/* KOOS. Roos EM et al. KOOS User's Guide and "KOOS Scoring 2012": each
 * subscale = 100 - mean(answered items) x 100 / 4, scored when at least
 * half its items are answered (pain 5 of 9, symptoms 4 of 7, ADL 9 of 17,
 * sport/rec 3 of 5, QOL 2 of 4). KOOS has no total in the guide; prolo's
 * total is KOOS4, the mean of pain, symptoms, sport/rec and QOL (Frobell RB
 * et al. N Engl J Med 2010;363:331-342), present only when all four are. */
static void score_koos(const int *items, struct instr_score *o)
{
	const struct instr_info *in = &infos[INSTR_KOOS];
	for (int s = 0; s < 5; s++) {
		struct tally t = tally(items, in->sub_first[s], in->sub_count[s]);
		if (2 * t.answered < in->sub_count[s]) {
			why(o, "%s: %d of %d items answered; KOOS Scoring 2012 needs at least half (%d)",
			    in->subscale_names[s], t.answered, in->sub_count[s], (in->sub_count[s] + 1) / 2);
			continue;
		}
		o->sub[s] = 100.0 - (double)t.sum * 25.0 / t.answered;
	}
	static const int koos4[4] = { 0, 1, 3, 4 };
	double sum = 0;
	for (int k = 0; k < 4; k++)
		sum += o->sub[koos4[k]];
	if (!isnan(sum))
		o->total = sum / 4.0;
	else
		why(o, "the total (KOOS4) needs pain, symptoms, sport/rec and QOL");
}

/* Checks count and ranges; fills *err naming the first bad item. */
static enum prolo_code check_items(const struct instr_info *in,
                                   const int *items, size_t n,
                                   struct prolo_err *err)
{
	if (n != (size_t)in->n_items)
		return prolo_err_set(err, PROLO_EINVAL, "items",
		                     "%s has %d items; got %zu", in->name,
		                     in->n_items, n);
	for (int i = 0; i < in->n_items; i++) {
		int v = items[i];
		if (v == INSTR_MISSING || (v >= in->item_min && v <= in->item_max))
			continue;
		char field[32];
		snprintf(field, sizeof field, "item %d", i + 1);
		return prolo_err_set(err, PROLO_EINVAL, field,
		                     "%s item %d is %d; answers run from %d to %d",
		                     in->name, i + 1, v, in->item_min,
		                     in->item_max);
	}
	return PROLO_OK;
}

enum prolo_code instr_score(enum instrument id, const int *items, size_t n,
                            struct instr_score *out, struct prolo_err *err)
{
	const struct instr_info *in = instr_info(id);
	assert(items || n == 0);
	assert(out);
	enum prolo_code rc = check_items(in, items, n, err);
	if (rc != PROLO_OK)
		return rc;

	struct instr_score o = { .total = NAN, .pct = NAN };
	for (int s = 0; s < INSTR_MAX_SUBSCALES; s++)
		o.sub[s] = NAN;
	o.n_answered = tally(items, 0, in->n_items).answered;

	switch (id) {
	case INSTR_NRS:
	case INSTR_VAS: score_single(items, &o); break;
	case INSTR_ODI: score_odi(items, &o); break;
	case INSTR_NDI: score_ndi(items, &o); break;
	case INSTR_WOMAC: score_womac(items, &o); break;
	case INSTR_QUICKDASH: score_quickdash(items, &o); break;
	case INSTR_KOOS: score_koos(items, &o); break;
	case INSTR__COUNT: assert(0); break;
	}
	if (!isnan(o.total))
		o.pct = (o.total - in->score_min) * 100.0 /
		        (in->score_max - in->score_min);
	*out = o;
	return PROLO_OK;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies a short printable field into out for an error message, or writes
 * "" when it is too long or holds bytes that should not be echoed. */
static void quote_field(const char *p, size_t len, char *out, size_t outsz)
{
	out[0] = '\0';
	if (len == 0 || len > 16 || len >= outsz)
		return;
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return;
	memcpy(out, p, len);
	out[len] = '\0';
}

enum prolo_code instr_parse_items(enum instrument id, const char *s,
                                  size_t len, int *items, size_t cap,
                                  size_t *n, struct prolo_err *err)
{
	const struct instr_info *in = instr_info(id);
	assert(s || len == 0);
	assert(items && n);
	assert(cap >= (size_t)in->n_items);

	size_t fields = 1;
	for (size_t i = 0; i < len; i++)
		fields += s[i] == ';';
	if (fields != (size_t)in->n_items)
		return prolo_err_set(err, PROLO_EINVAL, "items",
		                     "%s has %d answers separated by ';'; got %zu",
		                     in->name, in->n_items, fields);

	size_t pos = 0;
	for (int k = 0; k < in->n_items; k++) {
		size_t start = pos;
		while (pos < len && s[pos] != ';')
			pos++;
		size_t end = pos;
		pos++; /* past the ';' (or past the end on the last field) */
		while (start < end && is_blank(s[start]))
			start++;
		while (end > start && is_blank(s[end - 1]))
			end--;
		if (start == end) {
			items[k] = INSTR_MISSING;
			continue;
		}
		char field[32];
		snprintf(field, sizeof field, "item %d", k + 1);
		long v = 0;
		bool digits = true;
		for (size_t i = start; i < end; i++) {
			if (s[i] < '0' || s[i] > '9') {
				digits = false;
				break;
			}
			if (v <= in->item_max)
				v = v * 10 + (s[i] - '0');
		}
		if (!digits) {
			char q[24];
			quote_field(s + start, end - start, q, sizeof q);
			return prolo_err_set(err, PROLO_EINVAL, field,
			                     "%s item %d%s%s%s is not a whole "
			                     "number from %d to %d (leave it empty "
			                     "when unanswered)", in->name, k + 1,
			                     q[0] ? " '" : "", q, q[0] ? "'" : "",
			                     in->item_min, in->item_max);
		}
		if (v < in->item_min || v > in->item_max) {
			char q[24];
			quote_field(s + start, end - start, q, sizeof q);
			return prolo_err_set(err, PROLO_EINVAL, field,
			                     "%s item %d is %s; answers run from "
			                     "%d to %d", in->name, k + 1,
			                     q[0] ? q : "too large", in->item_min,
			                     in->item_max);
		}
		items[k] = (int)v;
	}
	*n = (size_t)in->n_items;
	return PROLO_OK;
}

enum prolo_code instr_format_items(const int *items, size_t n, char *out,
                                   size_t outsz, struct prolo_err *err)
{
	assert(items || n == 0);
	assert(out && outsz > 0);
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = 0;
		if (i > 0 && items[i] != INSTR_MISSING)
			w = snprintf(out + used, outsz - used, ";%d", items[i]);
		else if (i > 0)
			w = snprintf(out + used, outsz - used, ";");
		else if (items[i] != INSTR_MISSING)
			w = snprintf(out + used, outsz - used, "%d", items[i]);
		if (w < 0 || (size_t)w >= outsz - used) {
			out[0] = '\0';
			return prolo_err_set(err, PROLO_ETOOBIG, "items",
			                     "%zu answers do not fit in %zu bytes",
			                     n, outsz);
		}
		used += (size_t)w;
	}
	return PROLO_OK;
}

/* NRS and VAS wording written for prolo (the scales themselves are in the
 * public domain); 24-hour recall of average pain as recommended by IMMPACT
 * (Dworkin RH et al. Pain 2005;113:9-19). */
const char *instr_item_text(enum instrument id, int item)
{
	assert((unsigned)id < INSTR__COUNT);
	if (item != 0)
		return NULL;
	switch (id) {
	case INSTR_NRS:
		return "On a scale from 0 to 10, where 0 is no pain and 10 is "
		       "the worst pain imaginable, what number best describes "
		       "your pain on average over the past 24 hours?";
	case INSTR_VAS:
		return "Mark the point on the line that best shows your pain on "
		       "average over the past 24 hours. The left end means no "
		       "pain, the right end the worst pain imaginable.";
	default:
		return NULL;
	}
}

const char *instr_anchor_low(enum instrument id)
{
	return id == INSTR_NRS || id == INSTR_VAS ? "No pain" : NULL;
}

const char *instr_anchor_high(enum instrument id)
{
	return id == INSTR_NRS || id == INSTR_VAS ? "Worst pain imaginable"
	                                          : NULL;
}

void outcome_scoring_describe(const struct outcome *o, struct outcome_scoring *out)
{
	const struct instr_info *in = instr_info((enum instrument)o->instrument);
	struct instr_score sc = { .total = NAN };
	bool scored = false;
	if (o->items[0]) {
		int items[INSTR_MAX_ITEMS];
		size_t n = 0;
		scored = !instr_parse_items(in->id, o->items, strlen(o->items), items, INSTR_MAX_ITEMS, &n, NULL) &&
		         !instr_score(in->id, items, n, &sc, NULL);
	}
	out->info = in;
	for (int s = 0; s < INSTR_MAX_SUBSCALES; s++)
		out->sub[s] = scored && s < in->n_subscales ? sc.sub[s] : NAN;
	out->not_scorable_reason[0] = out->partial_reason[0] = '\0';
	if (isnan(o->score))
		snprintf(out->not_scorable_reason, sizeof out->not_scorable_reason, "%s",
		         scored && sc.reason[0] ? sc.reason : "no answers were kept with this assessment");
	else if (scored && sc.reason[0])
		snprintf(out->partial_reason, sizeof out->partial_reason, "%s", sc.reason);
}
