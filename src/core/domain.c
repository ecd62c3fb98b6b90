/* Vocabulary tables, calendar arithmetic and strict scalar parsers.
 * Dates use Howard Hinnant's days-from-civil algorithm so that any valid date
 * maps to one integer and back without a time zone. */
#include "core/domain.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const dom_modality_names[MOD__COUNT] = { "dextrose", "prp", "stem_cell" };
const char *const dom_condition_names[COND__COUNT] = {
	"low_back_pain", "neck_pain", "knee_oa", "tendinopathy", "ligament_sprain"
};
const char *const dom_condition_icd10[COND__COUNT] = {
	"M54.50", "M54.2", "M17.9", "M77.9", "T14.3"
};
const char *const dom_condition_snomed[COND__COUNT] = {
	"279039007", "81680005", "239873007", "68172002", "44465007"
};
const char *const dom_status_names[CS__COUNT] = {
	"planned", "active", "completed", "goal_reached", "dropped",
	"stopped_adverse_event", "stopped_no_improvement"
};
const char *const dom_sex_names[SEX__COUNT] = { "female", "male", "other", "unknown" };
const char *const dom_proliferant_names[PROL__COUNT] = {
	"dextrose", "prp", "bmac", "adipose", "p2g", "sodium_morrhuate", "saline"
};
const char *const dom_ae_kind_names[AE__COUNT] = {
	"soreness", "stiffness", "infection", "nerve_injury",
	"post_dural_puncture_headache", "pneumothorax", "vasovagal", "allergic", "other"
};
const char *const dom_instrument_names[INSTR__COUNT] = {
	"NRS", "VAS", "ODI", "NDI", "WOMAC", "QuickDASH", "KOOS"
};
const char *const dom_outcome_source_names[OSRC__COUNT] = { "staff", "patient" };
const char *const dom_guidance_names[GUIDE__COUNT] = { "landmark", "ultrasound", "fluoroscopy" };
const char *const dom_side_names[SIDE__COUNT] = { "left", "right", "bilateral", "midline" };
const char *const dom_seriousness_names[SER__COUNT] = {
	"none", "hospitalisation", "disability", "life_threatening", "death"
};
const char *const dom_relatedness_names[REL__COUNT] = {
	"unrelated", "unlikely", "possible", "probable", "definite"
};
const char *const dom_stem_source_names[STEM__COUNT] = { "bmac", "adipose" };
const char *const dom_activation_names[ACT__COUNT] = {
	"none", "thrombin", "calcium_chloride", "collagen"
};
const char *const dom_contraindication_names[CI__COUNT] = {
	"anticoagulants", "bleeding_disorder", "platelet_disorder", "active_infection",
	"agent_allergy", "nsaids_48h", "recent_corticosteroid", "pregnancy", "cancer"
};

int dom_lookup(const char *const *names, int n, const char *s, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return i;
	return -1;
}

void dom_list(const char *const *names, int n, char *out, size_t outsz)
{
	size_t used = 0;
	if (outsz == 0)
		return;
	out[0] = '\0';
	for (int i = 0; i < n && used < outsz; i++) {
		int w = snprintf(out + used, outsz - used, "%s%s", i ? "|" : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

bool dom_status_ended(enum course_status s)
{
	return s != CS_PLANNED && s != CS_ACTIVE;
}

bool dom_status_completed(enum course_status s)
{
	return s == CS_COMPLETED || s == CS_GOAL_REACHED;
}

int32_t dom_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	const int era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

void dom_civil_from_days(int32_t z, int *y, int *m, int *d)
{
	z += 719468;
	const int era = (z >= 0 ? z : z - 146096) / 146097;
	const unsigned doe = (unsigned)(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

bool dom_date_parse(const char *s, size_t len, int32_t *days)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int v[3] = { 0, 0, 0 };
	const int start[3] = { 0, 5, 8 }, width[3] = { 4, 2, 2 };
	for (int k = 0; k < 3; k++)
		for (int i = 0; i < width[k]; i++) {
			char c = s[start[k] + i];
			if (c < '0' || c > '9')
				return false;
			v[k] = v[k] * 10 + (c - '0');
		}
	if (v[0] < 1900 || v[0] > 2199 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > days_in_month(v[0], v[1]))
		return false;
	*days = dom_days_from_civil(v[0], v[1], v[2]);
	return true;
}

void dom_date_format(int32_t days, char out[11])
{
	int y, m, d;
	dom_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		out[0] = '\0';
		return;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

bool dom_parse_double(const char *s, size_t len, double *out)
{
	char tmp[64];
	if (len == 0 || len >= sizeof tmp)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
		      c == 'e' || c == 'E'))
			return false;
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	char *end = NULL;
	errno = 0;
	double v = strtod(tmp, &end);
	if (errno || end != tmp + len || !isfinite(v))
		return false;
	*out = v;
	return true;
}

bool dom_parse_long(const char *s, size_t len, long min, long max, long *out)
{
	if (len == 0)
		return false;
	size_t i = 0;
	bool neg = false;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
		if (len == 1)
			return false;
	}
	/* Accumulated unsigned so LONG_MIN's magnitude fits; exact overflow
	 * test per digit, so leading zeros and LONG_MAX are accepted. */
	const unsigned long lim = neg ? (unsigned long)LONG_MAX + 1u : (unsigned long)LONG_MAX;
	unsigned long v = 0;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return false;
		v = v * 10 + d;
	}
	long x = neg ? (v == 0 ? 0 : -(long)(v - 1) - 1) : (long)v;
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

bool dom_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned min;
		unsigned cp;
		if ((c & 0xE0) == 0xC0) {
			n = 1; min = 0x80; cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2; min = 0x800; cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3; min = 0x10000; cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

bool dom_id_valid(const char *s, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == ':'))
			return false;
	}
	return true;
}

void dom_prp_paw(double plt, double plt_base, double wbc, double wbc_base,
                 bool activated, char *out, size_t outsz)
{
	if (outsz)
		out[0] = '\0';
	if (!(plt > 0) || !(plt_base > 0))
		return;
	/* P by absolute count (10^3/uL): baseline, 750, 1250. */
	int p = plt <= plt_base ? 1 : plt <= 750 ? 2 : plt <= 1250 ? 3 : 4;
	const char *w = "";
	if (wbc >= 0 && wbc_base > 0)
		w = wbc > wbc_base ? "-A" : "-B";
	snprintf(out, outsz, "P%d%s%s", p, activated ? "-x" : "", w);
}

void dom_prp_mishra(double plt, double plt_base, double wbc, double wbc_base,
                    bool activated, char *out, size_t outsz)
{
	if (outsz)
		out[0] = '\0';
	if (!(plt > 0) || !(plt_base > 0) || !(wbc >= 0) || !(wbc_base > 0))
		return;
	bool lrich = wbc > wbc_base;
	int type = lrich ? (activated ? 2 : 1) : (activated ? 4 : 3);
	snprintf(out, outsz, "%d%c", type, plt >= 5 * plt_base ? 'A' : 'B');
}

/* Sites of the Hackett-Hemwall technique and the trials the shipped
 * protocols cite (docs/protocols.md): ligament and tendon insertions
 * around the painful joint or segment. */
static const char *const sites_lbp[] = {
	"L4-L5 facet capsule", "L5-S1 facet capsule", "iliolumbar ligament", "posterior sacroiliac ligament",
	"supraspinous ligament", "interspinous ligament", "thoracolumbar fascia (iliac crest)",
	"sacrotuberous ligament",
};
static const char *const sites_neck[] = {
	"C2-C3 facet capsule", "C3-C4 facet capsule", "C4-C5 facet capsule", "C5-C6 facet capsule",
	"C6-C7 facet capsule", "nuchal ligament", "occipital insertions", "levator scapulae insertion",
};
static const char *const sites_knee[] = {
	"intra-articular knee", "medial collateral ligament", "lateral collateral ligament", "pes anserine",
	"medial joint line (coronary ligament)", "lateral joint line (coronary ligament)", "patellar tendon",
	"quadriceps tendon",
};
static const char *const sites_tendon[] = {
	"common extensor origin (lateral epicondyle)", "common flexor origin (medial epicondyle)",
	"Achilles tendon", "patellar tendon", "supraspinatus tendon", "gluteus medius tendon",
	"plantar fascia origin",
};
static const char *const sites_sprain[] = {
	"anterior talofibular ligament", "calcaneofibular ligament", "deltoid ligament",
	"anterior inferior tibiofibular ligament", "medial collateral ligament", "acromioclavicular ligament",
};

const char *const *dom_condition_sites(const char *condition, size_t *n)
{
	static const struct {
		const char *const *sites;
		size_t n;
	} by[COND__COUNT] = {
		[COND_LOW_BACK_PAIN] = { sites_lbp, sizeof sites_lbp / sizeof *sites_lbp },
		[COND_NECK_PAIN] = { sites_neck, sizeof sites_neck / sizeof *sites_neck },
		[COND_KNEE_OA] = { sites_knee, sizeof sites_knee / sizeof *sites_knee },
		[COND_TENDINOPATHY] = { sites_tendon, sizeof sites_tendon / sizeof *sites_tendon },
		[COND_LIGAMENT_SPRAIN] = { sites_sprain, sizeof sites_sprain / sizeof *sites_sprain },
	};
	int c = condition ? dom_lookup(dom_condition_names, COND__COUNT, condition, strlen(condition)) : -1;
	*n = c < 0 ? 0 : by[c].n;
	return c < 0 ? NULL : by[c].sites;
}
