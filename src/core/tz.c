/* TZif reading and local-time arithmetic (core/tz.h). The file's 64-bit
 * block (version 2 and later) gives the changes it lists; past the last
 * one its footer's POSIX rule ("CET-1CEST,M3.5.0,M10.5.0/3") gives them,
 * computed per year. A local time is mapped back by trying the offsets in
 * effect a day either side: the ones that map onto themselves are its
 * instants (none in a gap, two in an overlap). */
#include "core/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

#define TZ_FILE_MAX (1u << 20) /* zone files are a few KiB */
#define DAY 86400

/* One end of daylight time in a POSIX rule: Mm.w.d/secs (month 1..12,
 * week 1..5 with 5 the last, weekday 0 = Sunday), or Jn (day 1..365,
 * February 29 never counted) when julian is set, at secs local time. */
struct rule_day {
	bool julian;
	int month, week, wday, jday;
	int32_t secs;
};

struct tz_zone {
	char name[TZ_NAME_MAX];
	size_t n_trans;
	int64_t *trans_at;     /* sorted instants of the listed changes */
	uint8_t *trans_type;   /* the type in effect from each */
	size_t n_types;
	int32_t type_off[256]; /* seconds east of UTC per type */
	/* the footer's rule; has_rule false = the last listed type stays */
	bool has_rule, has_dst;
	int32_t std_off, dst_off;
	struct rule_day start, end;
};

bool tz_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n >= TZ_NAME_MAX || name[0] == '/' || strstr(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
		      c == '_' || c == '+' || c == '-'))
			return false;
	}
	return true;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* ---- the POSIX TZ rule of the footer ----------------------------------- */

/* A zone abbreviation: <...> or three or more letters. */
static const char *skip_abbr(const char *s)
{
	if (*s == '<') {
		const char *e = strchr(s, '>');
		return e ? e + 1 : NULL;
	}
	const char *p = s;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p - s >= 3 ? p : NULL;
}

/* [+-]hh[:mm[:ss]] as seconds; NULL when there is none. */
static const char *parse_hms(const char *s, int32_t *out)
{
	int sign = 1;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	int part[3] = { 0, 0, 0 }, k = 0;
	for (; k < 3; k++) {
		if (*s < '0' || *s > '9')
			return NULL;
		int v = 0;
		while (*s >= '0' && *s <= '9')
			v = v * 10 + (*s++ - '0');
		part[k] = v;
		if (*s != ':' || k == 2)
			break;
		s++;
	}
	if (part[0] > 167 || part[1] > 59 || part[2] > 59)
		return NULL;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	return s;
}

static const char *parse_rule_day(const char *s, struct rule_day *r)
{
	memset(r, 0, sizeof *r);
	r->secs = 7200;
	if (*s == 'M') {
		if (sscanf(s + 1, "%d.%d.%d", &r->month, &r->week, &r->wday) != 3 || r->month < 1 || r->month > 12 ||
		    r->week < 1 || r->week > 5 || r->wday < 0 || r->wday > 6)
			return NULL;
		s++;
		for (int dots = 0; (*s >= '0' && *s <= '9') || (*s == '.' && dots < 2); s++)
			dots += *s == '.';
	} else if (*s == 'J') {
		r->julian = true;
		r->jday = atoi(s + 1);
		if (r->jday < 1 || r->jday > 365)
			return NULL;
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	} else {
		return NULL; /* the zero-based day form is not used by the zone files */
	}
	if (*s == '/')
		s = parse_hms(s + 1, &r->secs);
	return s;
}

/* Fills z's rule from a footer; false (no rule) when it cannot be read. */
static bool parse_footer(struct tz_zone *z, const char *s)
{
	int32_t off;
	const char *p = skip_abbr(s);
	if (!p || !(p = parse_hms(p, &off)))
		return false;
	z->std_off = -off; /* POSIX counts west of Greenwich */
	z->has_rule = true;
	if (!*p)
		return true;
	if (!(p = skip_abbr(p)))
		return false;
	z->dst_off = z->std_off + 3600;
	if (*p && *p != ',') {
		if (!(p = parse_hms(p, &off)))
			return false;
		z->dst_off = -off;
	}
	if (*p != ',' || !(p = parse_rule_day(p + 1, &z->start)) || *p != ',' ||
	    !(p = parse_rule_day(p + 1, &z->end)) || *p)
		return false;
	z->has_dst = true;
	return true;
}

/* Local seconds (of the time the rule is stated in) when r happens in year y. */
static int64_t rule_local(const struct rule_day *r, int y)
{
	int32_t day;
	if (r->julian) {
		day = dom_days_from_civil(y, 1, 1) + r->jday - 1;
		bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		if (leap && r->jday >= 60)
			day++;
	} else {
		int32_t first = dom_days_from_civil(y, r->month, 1);
		int32_t next = r->month == 12 ? dom_days_from_civil(y + 1, 1, 1) : dom_days_from_civil(y, r->month + 1, 1);
		int wday1 = (int)(((first % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
		day = first + (r->wday - wday1 + 7) % 7 + 7 * (r->week - 1);
		while (day >= next)
			day -= 7;
	}
	return (int64_t)day * DAY + r->secs;
}

static int32_t rule_offset(const struct tz_zone *z, int64_t utc)
{
	if (!z->has_dst)
		return z->std_off;
	int64_t d = (utc + z->std_off) / DAY - ((utc + z->std_off) % DAY < 0);
	int y, m, dd;
	dom_civil_from_days((int32_t)d, &y, &m, &dd);
	int64_t on = rule_local(&z->start, y) - z->std_off;  /* stated in standard time */
	int64_t off = rule_local(&z->end, y) - z->dst_off;   /* stated in daylight time */
	bool dst = on < off ? (utc >= on && utc < off) : (utc < off || utc >= on);
	return dst ? z->dst_off : z->std_off;
}

int32_t tz_offset_at(const struct tz_zone *z, int64_t utc)
{
	if (z->n_trans == 0)
		return z->has_rule ? rule_offset(z, utc) : z->n_types ? z->type_off[0] : 0;
	if (utc < z->trans_at[0])
		return z->type_off[0];
	if (utc >= z->trans_at[z->n_trans - 1] && z->has_rule)
		return rule_offset(z, utc);
	size_t lo = 0, hi = z->n_trans; /* the last change at or before utc */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans_at[mid] <= utc)
			lo = mid;
		else
			hi = mid;
	}
	return z->type_off[z->trans_type[lo]];
}

enum tz_local tz_local_to_utc(const struct tz_zone *z, int32_t date, int minute, int64_t *utc)
{
	int64_t local = (int64_t)date * DAY + (int64_t)minute * 60;
	int32_t cand[3] = { tz_offset_at(z, local - DAY), tz_offset_at(z, local), tz_offset_at(z, local + DAY) };
	int64_t found[3];
	int n = 0;
	for (int i = 0; i < 3; i++) {
		int64_t u = local - cand[i];
		if (tz_offset_at(z, u) != cand[i])
			continue;
		bool seen = false;
		for (int k = 0; k < n; k++)
			seen = seen || found[k] == u;
		if (!seen)
			found[n++] = u;
	}
	if (n == 0)
		return TZ_LOCAL_GAP;
	int64_t best = found[0];
	for (int k = 1; k < n; k++)
		if (found[k] < best)
			best = found[k];
	*utc = best;
	return n > 1 ? TZ_LOCAL_TWICE : TZ_LOCAL_OK;
}

void tz_utc_to_local(const struct tz_zone *z, int64_t utc, int32_t *date, int *minute)
{
	int64_t local = utc + tz_offset_at(z, utc);
	int64_t d = local / DAY - (local % DAY < 0);
	*date = (int32_t)d;
	*minute = (int)((local - d * DAY) / 60);
}

/* ---- reading a zone file ------------------------------------------------ */

static enum prolo_code bad_file(const char *name, const char *field, struct prolo_err *err)
{
	return prolo_err_set(err, PROLO_EINVAL, field, "'%s' is not a time zone this system knows (e.g. Europe/Berlin)",
	                     name);
}

/* Reads the data block at p (len bytes left) of a header h, 64-bit times
 * when wide. Returns the bytes the block takes, 0 when it does not fit. */
static size_t block_size(const unsigned char *h, bool wide)
{
	uint32_t isut = be32(h + 20), isstd = be32(h + 24), leap = be32(h + 28), timecnt = be32(h + 32),
	         typecnt = be32(h + 36), charcnt = be32(h + 40);
	size_t tsz = wide ? 8 : 4;
	return (size_t)timecnt * tsz + timecnt + (size_t)typecnt * 6 + charcnt + (size_t)leap * (tsz + 4) + isstd +
	       isut;
}

static enum prolo_code parse_tzif(struct tz_zone *z, const unsigned char *b, size_t len, struct prolo_err *err)
{
	if (len < 44 || memcmp(b, "TZif", 4) != 0)
		return PROLO_EINVAL;
	const unsigned char *h = b;
	bool wide = false;
	size_t at = 44 + block_size(h, false);
	if (at > len)
		return PROLO_EINVAL;
	if (b[4] >= '2') {
		if (at + 44 > len || memcmp(b + at, "TZif", 4) != 0)
			return PROLO_EINVAL;
		h = b + at;
		wide = true;
		at += 44;
	} else {
		at = 44;
	}
	size_t size = block_size(h, wide);
	if (at + size > len)
		return PROLO_EINVAL;
	uint32_t timecnt = be32(h + 32), typecnt = be32(h + 36);
	if (typecnt == 0 || typecnt > 256)
		return PROLO_EINVAL;
	const unsigned char *p = b + at;
	if (timecnt) { /* one block: the instants, then their types */
		z->trans_at = malloc(timecnt * (sizeof *z->trans_at + 1));
		if (!z->trans_at)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		z->trans_type = (uint8_t *)(z->trans_at + timecnt);
	}
	size_t tsz = wide ? 8 : 4;
	for (uint32_t i = 0; i < timecnt; i++)
		z->trans_at[i] = wide ? be64(p + i * tsz) : (int64_t)(int32_t)be32(p + i * tsz);
	p += (size_t)timecnt * tsz;
	for (uint32_t i = 0; i < timecnt; i++) {
		if (p[i] >= typecnt)
			return PROLO_EINVAL;
		z->trans_type[i] = p[i];
	}
	p += timecnt;
	for (uint32_t i = 0; i < typecnt; i++)
		z->type_off[i] = (int32_t)be32(p + 6 * i);
	z->n_trans = timecnt;
	z->n_types = typecnt;
	/* The footer: "\nRULE\n" after the 64-bit block. */
	size_t end = at + size;
	if (wide && end < len && b[end] == '\n') {
		const unsigned char *nl = memchr(b + end + 1, '\n', len - end - 1);
		char rule[128];
		size_t rl = nl ? (size_t)(nl - (b + end + 1)) : 0;
		if (nl && rl > 0 && rl < sizeof rule) {
			memcpy(rule, b + end + 1, rl);
			rule[rl] = '\0';
			if (!parse_footer(z, rule))
				z->has_rule = z->has_dst = false;
		}
	}
	return PROLO_OK;
}

enum prolo_code tz_load(const char *name, const char *field, struct tz_zone **out, struct prolo_err *err)
{
	*out = NULL;
	if (!tz_name_valid(name))
		return bad_file(name ? name : "", field, err);
	const char *dir = getenv("TZDIR");
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir && dir[0] ? dir : "/usr/share/zoneinfo", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return bad_file(name, field, err);
	unsigned char *b = malloc(TZ_FILE_MAX);
	struct tz_zone *z = calloc(1, sizeof *z);
	if (!b || !z) {
		fclose(f);
		free(b);
		free(z);
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	}
	size_t len = fread(b, 1, TZ_FILE_MAX, f);
	fclose(f);
	snprintf(z->name, sizeof z->name, "%s", name);
	enum prolo_code rc = parse_tzif(z, b, len, err);
	free(b);
	if (rc) {
		tz_free(z);
		return rc == PROLO_EINVAL ? bad_file(name, field, err) : rc;
	}
	*out = z;
	return PROLO_OK;
}

void tz_free(struct tz_zone *z)
{
	if (z)
		free(z->trans_at); /* the types are in the same block */
	free(z);
}

const char *tz_name(const struct tz_zone *z)
{
	return z->name;
}

const char *tz_default_name(void)
{
	const char *t = getenv("TZ");
	if (t && t[0] == ':')
		t++;
	return t && tz_name_valid(t) && strchr(t, '/') ? t : "UTC";
}

int tz_minute_parse(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	int hh = (s[0] - '0') * 10 + (s[1] - '0');
	int mm = (s[3] - '0') * 10 + (s[4] - '0');
	return hh < 24 ? hh * 60 + mm : -1;
}

void tz_minute_format(int minute, char out[6])
{
	if (minute < 0 || minute >= 1440)
		minute = 0;
	snprintf(out, 6, "%02d:%02d", minute / 60, minute % 60);
}
