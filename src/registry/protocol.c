/* Protocol file parser: an INI-like line format ("[name]" sections of
 * "key = value" lines, "#" comments) that a clinic edits in any text editor.
 * Chosen over JSON because comments and citations sit next to the numbers
 * they justify. Every rejection names the line; nothing here does I/O. */
#include "registry/protocol.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/domain.h"

#define LINE_MAX_BYTES 4096

/* Keys of a section; each may appear once unless repeatable. */
enum key_id { K_LABEL, K_MODALITY, K_CONDITION, K_SESSIONS, K_INTERVAL, K_WINDOW,
              K_PROLIFERANT, K_CONCENTRATION, K_ANAESTHETIC, K_ANAESTHETIC_PCT,
              K_VOLUME, K_FOLLOWUP, K_FOLLOWUP_WINDOW, K_SILENT, K_REVIEW_SESSIONS,
              K_REVIEW_PCT, K_SELECT_NRS, K_SELECT_MONTHS, K_SOURCE, K_CONC_RANGE, K_SITES, K__COUNT };

static const struct {
	const char *name;
	bool required;
	bool repeatable;
} keys[K__COUNT] = {
	[K_LABEL] = { "label", false, false },
	[K_MODALITY] = { "modality", true, false },
	[K_CONDITION] = { "condition", true, false },
	[K_SESSIONS] = { "sessions", true, false },
	[K_INTERVAL] = { "interval_days", true, false },
	[K_WINDOW] = { "window_days", false, false },
	[K_PROLIFERANT] = { "proliferant", false, false },
	[K_CONCENTRATION] = { "concentration_pct", false, false },
	[K_ANAESTHETIC] = { "anaesthetic", false, false },
	[K_ANAESTHETIC_PCT] = { "anaesthetic_pct", false, false },
	[K_VOLUME] = { "volume_ml_per_site", false, false },
	[K_FOLLOWUP] = { "followup", false, true },
	[K_FOLLOWUP_WINDOW] = { "followup_window_days", false, false },
	[K_SILENT] = { "silent_after_days", false, false },
	[K_REVIEW_SESSIONS] = { "review_after_sessions", false, false },
	[K_REVIEW_PCT] = { "review_min_improvement_pct", false, false },
	[K_SELECT_NRS] = { "select_min_nrs", false, false },
	[K_SELECT_MONTHS] = { "select_min_months", false, false },
	[K_SOURCE] = { "source", true, true },
	[K_CONC_RANGE] = { "concentration_range_pct", false, false },
	[K_SITES] = { "sites", false, false },
};

struct parser {
	const char *origin;
	int line;
	struct prolo_err *err;
	struct protocol *cur;  /* section being read, NULL before the first */
	bool seen[K__COUNT];
};

static enum prolo_code fail(struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum prolo_code fail(struct parser *ps, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return prolo_err_set(ps->err, PROLO_EINVAL, "protocols", "%s:%d: %s", ps->origin, ps->line, msg);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Trims spaces on both sides of p[0..*len). */
static const char *trim(const char *p, size_t *len)
{
	while (*len && is_space(*p)) {
		p++;
		(*len)--;
	}
	while (*len && is_space(p[*len - 1]))
		(*len)--;
	return p;
}

static enum prolo_code parse_int(struct parser *ps, const char *key, const char *v, size_t n,
                                 long min, long max, int *out)
{
	long x;
	if (!dom_parse_long(v, n, min, max, &x))
		return fail(ps, "%s: '%.*s' is not a whole number in %ld..%ld", key, (int)(n > 40 ? 40 : n),
		            v, min, max);
	*out = (int)x;
	return PROLO_OK;
}

static enum prolo_code parse_real(struct parser *ps, const char *key, const char *v, size_t n,
                                  double min, double max, double *out)
{
	double x;
	if (!dom_parse_double(v, n, &x) || x < min || x > max)
		return fail(ps, "%s: '%.*s' is not a number in %g..%g", key, (int)(n > 40 ? 40 : n), v,
		            min, max);
	*out = x;
	return PROLO_OK;
}

static enum prolo_code parse_enum(struct parser *ps, const char *key, const char *const *names,
                                  int n_names, const char *v, size_t n, int *out)
{
	int i = dom_lookup(names, n_names, v, n);
	if (i < 0) {
		char list[256];
		dom_list(names, n_names, list, sizeof list);
		return fail(ps, "%s: '%.*s' is not one of %s", key, (int)(n > 40 ? 40 : n), v, list);
	}
	*out = i;
	return PROLO_OK;
}

/* "0.5-2" or "1": a range from above min (or from min, when from_min) to
 * at most max, e.g. a volume in mL. */
static enum prolo_code parse_range(struct parser *ps, const char *key, const char *v, size_t n, double min,
                                   bool from_min, double max, double *out_lo, double *out_hi)
{
	const char *dash = memchr(v, '-', n);
	size_t n1 = dash ? (size_t)(dash - v) : n;
	size_t l1 = n1, l2 = dash ? n - n1 - 1 : 0;
	const char *a = trim(v, &l1);
	const char *b = dash ? trim(dash + 1, &l2) : a;
	if (!dash)
		l2 = l1;
	double lo, hi;
	if (!dom_parse_double(a, l1, &lo) || !dom_parse_double(b, l2, &hi) || (from_min ? lo < min : lo <= min) ||
	    hi > max || lo > hi)
		return fail(ps, "%s: '%.*s' is not a range like 0.5-2 (%g %s low <= high <= %g)", key,
		            (int)(n > 40 ? 40 : n), v, min, from_min ? "<=" : "<", max);
	*out_lo = lo;
	*out_hi = hi;
	return PROLO_OK;
}

static void set_text(char *dst, size_t dstsz, const char *v, size_t n)
{
	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

/* "a; b; c": sites, kept "; "-joined. */
static enum prolo_code parse_sites(struct parser *ps, const char *v, size_t n, struct protocol *p)
{
	if (n >= sizeof p->sites || !dom_utf8_valid(v, n))
		return fail(ps, "sites: longer than %zu bytes or not UTF-8", sizeof p->sites - 1);
	set_text(p->sites, sizeof p->sites, v, n);
	return PROLO_OK;
}

/* One time point: "0d", "6w", "12w". */
static bool parse_offset(const char *v, size_t n, int32_t *days)
{
	if (n < 2)
		return false;
	char unit = v[n - 1];
	long x;
	if (!dom_parse_long(v, n - 1, 0, 3650, &x))
		return false;
	if (unit == 'd')
		*days = (int32_t)x;
	else if (unit == 'w' && x <= 520)
		*days = (int32_t)(x * 7);
	else
		return false;
	return true;
}

static enum prolo_code add_followup(struct parser *ps, struct protocol *p, int32_t off, uint32_t instr)
{
	size_t i = 0;
	while (i < p->n_followups && p->followups[i].offset_days < off)
		i++;
	if (i < p->n_followups && p->followups[i].offset_days == off) {
		p->followups[i].instruments |= instr;
		return PROLO_OK;
	}
	if (p->n_followups >= PROTO_FOLLOWUPS_MAX)
		return fail(ps, "followup: more than %d time points", PROTO_FOLLOWUPS_MAX);
	memmove(&p->followups[i + 1], &p->followups[i], sizeof p->followups[0] * (p->n_followups - i));
	p->followups[i].offset_days = off;
	p->followups[i].instruments = instr;
	p->n_followups++;
	return PROLO_OK;
}

/* "NRS ODI at 0d 6w 12w": instruments, the word "at", time points. */
static enum prolo_code parse_followup(struct parser *ps, const char *v, size_t n, struct protocol *p)
{
	uint32_t instr = 0;
	bool after_at = false, any_time = false;
	size_t i = 0;
	while (i < n) {
		while (i < n && (is_space(v[i]) || v[i] == ','))
			i++;
		size_t s = i;
		while (i < n && !is_space(v[i]) && v[i] != ',')
			i++;
		if (s == i)
			break;
		const char *w = v + s;
		size_t wl = i - s;
		if (!after_at) {
			if (wl == 2 && memcmp(w, "at", 2) == 0) {
				if (!instr)
					return fail(ps, "followup: name the instruments before 'at' (e.g. NRS ODI at 0d 6w)");
				after_at = true;
				continue;
			}
			int k = dom_lookup(dom_instrument_names, INSTR__COUNT, w, wl);
			if (k < 0) {
				char list[128];
				dom_list(dom_instrument_names, INSTR__COUNT, list, sizeof list);
				return fail(ps, "followup: '%.*s' is not an instrument (%s)", (int)(wl > 40 ? 40 : wl), w,
				            list);
			}
			instr |= 1u << k;
		} else {
			int32_t off;
			if (!parse_offset(w, wl, &off))
				return fail(ps, "followup: '%.*s' is not a time point like 0d, 10d or 6w", (int)(wl > 40 ? 40 : wl),
				            w);
			enum prolo_code rc = add_followup(ps, p, off, instr);
			if (rc)
				return rc;
			any_time = true;
		}
	}
	if (!after_at || !any_time)
		return fail(ps, "followup: expected 'INSTRUMENT... at TIME...' (e.g. NRS ODI at 0d 6w 12w)");
	return PROLO_OK;
}


static enum prolo_code set_key(struct parser *ps, enum key_id k, const char *v, size_t n)
{
	struct protocol *p = ps->cur;
	const char *name = keys[k].name;
	switch (k) {
	case K_LABEL:
		if (n >= sizeof p->label)
			return fail(ps, "label: longer than %zu bytes", sizeof p->label - 1);
		set_text(p->label, sizeof p->label, v, n);
		return PROLO_OK;
	case K_MODALITY:
		return parse_enum(ps, name, dom_modality_names, MOD__COUNT, v, n, &p->modality);
	case K_CONDITION:
		if (!(n == 1 && v[0] == '*') && (!dom_id_valid(v, n) || n >= sizeof p->condition))
			return fail(ps, "condition: '%.*s' is not a condition name or *", (int)(n > 40 ? 40 : n), v);
		set_text(p->condition, sizeof p->condition, v, n);
		return PROLO_OK;
	case K_SESSIONS:
		return parse_int(ps, name, v, n, 1, 50, &p->sessions);
	case K_INTERVAL:
		return parse_int(ps, name, v, n, 1, 365, &p->interval_days);
	case K_WINDOW:
		return parse_int(ps, name, v, n, 0, 60, &p->window_days);
	case K_PROLIFERANT:
		return parse_enum(ps, name, dom_proliferant_names, PROL__COUNT, v, n, &p->proliferant);
	case K_CONCENTRATION:
		return parse_real(ps, name, v, n, 0, 100, &p->concentration_pct);
	case K_ANAESTHETIC:
		if (n >= sizeof p->anaesthetic)
			return fail(ps, "anaesthetic: longer than %zu bytes", sizeof p->anaesthetic - 1);
		set_text(p->anaesthetic, sizeof p->anaesthetic, v, n);
		return PROLO_OK;
	case K_ANAESTHETIC_PCT:
		return parse_real(ps, name, v, n, 0, 10, &p->anaesthetic_pct);
	case K_VOLUME:
		return parse_range(ps, name, v, n, 0, false, 100, &p->volume_min_ml, &p->volume_max_ml);
	case K_CONC_RANGE:
		return parse_range(ps, name, v, n, 0, true, 100, &p->concentration_min_pct, &p->concentration_max_pct);
	case K_SITES:
		return parse_sites(ps, v, n, p);
	case K_FOLLOWUP:
		return parse_followup(ps, v, n, p);
	case K_FOLLOWUP_WINDOW:
		return parse_int(ps, name, v, n, 0, 90, &p->followup_window_days);
	case K_SILENT:
		return parse_int(ps, name, v, n, 1, 365, &p->silent_after_days);
	case K_REVIEW_SESSIONS:
		return parse_int(ps, name, v, n, 1, 50, &p->review_after_sessions);
	case K_REVIEW_PCT:
		return parse_real(ps, name, v, n, 1, 100, &p->review_min_improvement_pct);
	case K_SELECT_NRS:
		return parse_int(ps, name, v, n, 0, 10, &p->select_min_nrs);
	case K_SELECT_MONTHS:
		return parse_int(ps, name, v, n, 0, 1200, &p->select_min_months);
	case K_SOURCE: {
		size_t used = strlen(p->source);
		size_t need = used + (used ? 2 : 0) + n;
		if (need >= sizeof p->source)
			return fail(ps, "source: the sources add up to more than %zu bytes", sizeof p->source - 1);
		if (used) {
			memcpy(p->source + used, "; ", 2);
			used += 2;
		}
		memcpy(p->source + used, v, n);
		p->source[used + n] = '\0';
		return PROLO_OK;
	}
	case K__COUNT:
		break;
	}
	assert(0 && "unhandled key");
	return PROLO_OK;
}

static void protocol_defaults(struct protocol *p)
{
	memset(p, 0, sizeof *p);
	p->modality = -1;
	p->window_days = PROTO_DEFAULT_WINDOW_DAYS;
	p->proliferant = -1;
	p->concentration_pct = NAN;
	p->anaesthetic_pct = NAN;
	p->volume_min_ml = NAN;
	p->volume_max_ml = NAN;
	p->concentration_min_pct = NAN;
	p->concentration_max_pct = NAN;
	p->followup_window_days = PROTO_DEFAULT_FOLLOWUP_WINDOW_DAYS;
	p->silent_after_days = PROTO_DEFAULT_SILENT_AFTER_DAYS;
	p->review_min_improvement_pct = NAN;
	p->select_min_nrs = -1;
	p->select_min_months = -1;
}

/* Section-level rules, checked when the section ends. */
static enum prolo_code finish_section(struct parser *ps)
{
	struct protocol *p = ps->cur;
	if (!p)
		return PROLO_OK;
	int saved = ps->line;
	ps->line = p->line;
	enum prolo_code rc = PROLO_OK;
	for (int k = 0; k < K__COUNT && !rc; k++)
		if (keys[k].required && !ps->seen[k])
			rc = fail(ps, "[%s]: '%s' is required", p->name, keys[k].name);
	if (!rc && (p->review_after_sessions > 0) != !isnan(p->review_min_improvement_pct))
		rc = fail(ps, "[%s]: review_after_sessions and review_min_improvement_pct go together", p->name);
	if (!rc && p->review_after_sessions > p->sessions)
		rc = fail(ps, "[%s]: review_after_sessions %d is more than the %d planned sessions", p->name,
		          p->review_after_sessions, p->sessions);
	if (!rc && !isnan(p->anaesthetic_pct) && !p->anaesthetic[0])
		rc = fail(ps, "[%s]: anaesthetic_pct needs anaesthetic", p->name);
	if (!rc && !isnan(p->concentration_pct) && p->proliferant < 0)
		rc = fail(ps, "[%s]: concentration_pct needs proliferant", p->name);
	if (!rc && !isnan(p->concentration_min_pct) && p->proliferant < 0)
		rc = fail(ps, "[%s]: concentration_range_pct needs proliferant", p->name);
	if (!rc && !isnan(p->concentration_min_pct) && !isnan(p->concentration_pct) &&
	    (p->concentration_pct < p->concentration_min_pct || p->concentration_pct > p->concentration_max_pct))
		rc = fail(ps, "[%s]: concentration_pct %g is outside concentration_range_pct", p->name,
		          p->concentration_pct);
	ps->line = saved;
	return rc;
}

void protocol_lib_free(struct protocol_lib *lib)
{
	if (!lib)
		return;
	free(lib->items);
	lib->items = NULL;
	lib->n = 0;
}

enum prolo_code protocol_lib_parse(const char *text, size_t len, const char *origin,
                                   struct protocol_lib *lib, struct prolo_err *err)
{
	memset(lib, 0, sizeof *lib);
	snprintf(lib->origin, sizeof lib->origin, "%s", origin ? origin : "protocols");
	struct parser ps = { .origin = lib->origin, .err = err };
	if (len > PROTO_FILE_MAX)
		return prolo_err_set(err, PROLO_ETOOBIG, "protocols", "%s: larger than %zu bytes", lib->origin,
		                     PROTO_FILE_MAX);
	enum prolo_code rc = PROLO_OK;
	size_t cap = 0;
	size_t pos = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		pos = 3; /* a UTF-8 byte-order mark from some editors */
	while (pos < len && !rc) {
		ps.line++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *l = text + pos;
		pos += n + (nl ? 1 : 0);
		if (n && l[n - 1] == '\r')
			n--;
		if (n > LINE_MAX_BYTES) {
			rc = fail(&ps, "line longer than %d bytes", LINE_MAX_BYTES);
			break;
		}
		if (!dom_utf8_valid(l, n)) {
			rc = fail(&ps, "not valid UTF-8 text");
			break;
		}
		l = trim(l, &n);
		if (n == 0 || l[0] == '#' || l[0] == ';')
			continue;
		if (l[0] == '[') {
			if (l[n - 1] != ']') {
				rc = fail(&ps, "a section header looks like [name]");
				break;
			}
			size_t nn = n - 2;
			const char *name = trim(l + 1, &nn);
			if (!dom_id_valid(name, nn) || nn >= PROTO_NAME_MAX) {
				rc = fail(&ps, "'%.*s' is not a protocol name (1..64 of A-Z a-z 0-9 . _ : -)",
				          (int)(nn > 64 ? 64 : nn), name);
				break;
			}
			if ((rc = finish_section(&ps)))
				break;
			for (size_t i = 0; i < lib->n; i++)
				if (strlen(lib->items[i].name) == nn && memcmp(lib->items[i].name, name, nn) == 0) {
					rc = fail(&ps, "protocol '%.*s' is already defined on line %d", (int)nn, name,
					          lib->items[i].line);
					break;
				}
			if (rc)
				break;
			if (lib->n >= PROTO_LIB_MAX) {
				rc = prolo_err_set(err, PROLO_ETOOBIG, "protocols", "%s:%d: more than %d protocols",
				                   lib->origin, ps.line, PROTO_LIB_MAX);
				break;
			}
			if (lib->n == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct protocol *grown = realloc(lib->items, ncap * sizeof *grown);
				if (!grown) {
					rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
					break;
				}
				lib->items = grown;
				cap = ncap;
			}
			ps.cur = &lib->items[lib->n++];
			protocol_defaults(ps.cur);
			set_text(ps.cur->name, sizeof ps.cur->name, name, nn);
			ps.cur->line = ps.line;
			memset(ps.seen, 0, sizeof ps.seen);
			continue;
		}
		const char *eq = memchr(l, '=', n);
		if (!eq) {
			rc = fail(&ps, "expected 'key = value', '[name]' or a # comment");
			break;
		}
		size_t kl = (size_t)(eq - l), vl = n - kl - 1;
		const char *k = trim(l, &kl);
		const char *v = trim(eq + 1, &vl);
		int key = -1;
		for (int i = 0; i < K__COUNT; i++)
			if (strlen(keys[i].name) == kl && memcmp(keys[i].name, k, kl) == 0)
				key = i;
		if (key < 0) {
			rc = fail(&ps, "unknown key '%.*s'", (int)(kl > 40 ? 40 : kl), k);
			break;
		}
		if (!ps.cur) {
			rc = fail(&ps, "'%.*s' before the first [protocol] header", (int)kl, k);
			break;
		}
		if (ps.seen[key] && !keys[key].repeatable) {
			rc = fail(&ps, "'%s' is given twice in [%s]", keys[key].name, ps.cur->name);
			break;
		}
		if (vl == 0) {
			rc = fail(&ps, "'%s' has no value", keys[key].name);
			break;
		}
		ps.seen[key] = true;
		rc = set_key(&ps, (enum key_id)key, v, vl);
	}
	if (!rc)
		rc = finish_section(&ps);
	if (!rc && lib->n == 0)
		rc = prolo_err_set(err, PROLO_EINVAL, "protocols", "%s: defines no protocol", lib->origin);
	if (rc)
		protocol_lib_free(lib);
	return rc;
}

const struct protocol *protocol_find(const struct protocol_lib *lib, const char *name)
{
	if (!lib || !name)
		return NULL;
	for (size_t i = 0; i < lib->n; i++)
		if (strcmp(lib->items[i].name, name) == 0)
			return &lib->items[i];
	return NULL;
}

bool protocol_fits_condition(const struct protocol *p, const char *condition)
{
	return strcmp(p->condition, "*") == 0 || (condition && strcmp(p->condition, condition) == 0);
}

const struct protocol *protocol_select(const struct protocol_lib *lib,
                                       const struct protocol_case *pc)
{
	const struct protocol *best = NULL;
	int best_rank = -1;
	for (size_t i = 0; lib && i < lib->n; i++) {
		const struct protocol *p = &lib->items[i];
		if (p->modality != pc->modality || !protocol_fits_condition(p, pc->condition))
			continue;
		int reqs = 0;
		if (p->select_min_nrs >= 0) {
			if (pc->baseline_nrs < 0 || pc->baseline_nrs < p->select_min_nrs)
				continue;
			reqs++;
		}
		if (p->select_min_months >= 0) {
			if (pc->pain_months < 0 || pc->pain_months < p->select_min_months)
				continue;
			reqs++;
		}
		int rank = (strcmp(p->condition, "*") != 0 ? 10 : 0) + reqs;
		if (rank > best_rank) {
			best = p;
			best_rank = rank;
		}
	}
	return best;
}

void protocol_followups_format(const struct protocol *p, char *out, size_t outsz)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < p->n_followups && used < outsz; i++) {
		const struct proto_followup *f = &p->followups[i];
		int w = snprintf(out + used, outsz - used, "%s", i ? "; " : "");
		if (w < 0 || (size_t)w >= outsz - used)
			return;
		used += (size_t)w;
		for (int k = 0; k < INSTR__COUNT; k++)
			if (f->instruments & (1u << k)) {
				w = snprintf(out + used, outsz - used, "%s ", dom_instrument_names[k]);
				if (w < 0 || (size_t)w >= outsz - used)
					return;
				used += (size_t)w;
			}
		if (f->offset_days % 7 == 0 && f->offset_days)
			w = snprintf(out + used, outsz - used, "at %dw", (int)(f->offset_days / 7));
		else
			w = snprintf(out + used, outsz - used, "at %dd", (int)f->offset_days);
		if (w < 0 || (size_t)w >= outsz - used)
			return;
		used += (size_t)w;
	}
}

json_t *protocol_to_json(const struct protocol *p)
{
	json_t *fu = json_array();
	for (size_t i = 0; fu && i < p->n_followups; i++) {
		json_t *ins = json_array();
		for (int k = 0; ins && k < INSTR__COUNT; k++)
			if (p->followups[i].instruments & (1u << k))
				json_array_append_new(ins, json_string(dom_instrument_names[k]));
		json_array_append_new(fu, json_pack("{s:i, s:o}", "offset_days", p->followups[i].offset_days,
		                                    "instruments", ins));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:o, s:i, s:i, s:s, s:i}", "name", p->name,
	                      "label", p->label, "modality", dom_modality_names[p->modality], "condition",
	                      p->condition, "sessions", p->sessions, "interval_days", p->interval_days,
	                      "window_days", p->window_days, "followups", fu, "followup_window_days",
	                      p->followup_window_days, "silent_after_days", p->silent_after_days, "source",
	                      p->source, "line", p->line);
	if (!o)
		return NULL;
	if (p->proliferant >= 0)
		json_object_set_new(o, "proliferant", json_string(dom_proliferant_names[p->proliferant]));
	if (!isnan(p->concentration_pct))
		json_object_set_new(o, "concentration_pct", json_real(p->concentration_pct));
	if (!isnan(p->concentration_min_pct))
		json_object_set_new(o, "concentration_range_pct",
		                    json_pack("[f, f]", p->concentration_min_pct, p->concentration_max_pct));
	if (p->anaesthetic[0])
		json_object_set_new(o, "anaesthetic", json_string(p->anaesthetic));
	if (!isnan(p->anaesthetic_pct))
		json_object_set_new(o, "anaesthetic_pct", json_real(p->anaesthetic_pct));
	if (!isnan(p->volume_min_ml))
		json_object_set_new(o, "volume_ml_per_site", json_pack("[f, f]", p->volume_min_ml, p->volume_max_ml));
	if (p->review_after_sessions > 0)
		json_object_set_new(o, "review", json_pack("{s:i, s:f}", "after_sessions", p->review_after_sessions,
		                                           "min_improvement_pct", p->review_min_improvement_pct));
	if (p->select_min_nrs >= 0)
		json_object_set_new(o, "select_min_nrs", json_integer(p->select_min_nrs));
	if (p->select_min_months >= 0)
		json_object_set_new(o, "select_min_months", json_integer(p->select_min_months));
	json_t *sites = json_array();
	const char *from = "protocol";
	if (p->sites[0]) {
		for (const char *s = p->sites; sites && *s;) {
			const char *e = strchr(s, ';');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			const char *t = trim(s, &n);
			if (n)
				json_array_append_new(sites, json_stringn(t, n));
			s = e ? e + 1 : s + strlen(s);
		}
	} else {
		size_t n = 0;
		const char *const *cs = dom_condition_sites(p->condition, &n);
		for (size_t i = 0; sites && i < n; i++)
			json_array_append_new(sites, json_string(cs[i]));
		from = "condition";
	}
	json_object_set_new(o, "sites", sites ? sites : json_array());
	json_object_set_new(o, "sites_from", json_string(from));
	return o;
}
