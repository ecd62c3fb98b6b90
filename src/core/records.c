/* Field tables and the generic setter/formatter behind every input path.
 * One table per record keeps CSV columns, CLI options and JSON keys
 * identical and validated by the same code. */
#include "core/records.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define F(rec, fld) offsetof(struct rec, fld), sizeof(((struct rec *)0)->fld)
#define VOCAB(arr) arr, (int)(sizeof arr / sizeof arr[0])

static const struct field_def patient_fields[] = {
	{ "patient_id", FT_ID, F(patient, patient_id), NULL, 0, 0, 0, true, false, true, "the clinic's own patient id" },
	{ "clinic", FT_ID, F(patient, clinic), NULL, 0, 0, 0, true, false, true, "clinic code" },
	{ "sex", FT_ENUM, F(patient, sex), VOCAB(dom_sex_names), 0, 0, true, false, true, "female|male|other|unknown" },
	{ "birth_year", FT_INT, F(patient, birth_year), NULL, 0, 1900, 2199, false, false, true, "year of birth" },
	{ "first_name", FT_TEXT, F(patient, first_name), NULL, 0, 0, 0, false, true, false, "first name" },
	{ "last_name", FT_TEXT, F(patient, last_name), NULL, 0, 0, 0, false, true, false, "last name" },
	{ "phone", FT_TEXT, F(patient, phone), NULL, 0, 0, 0, false, true, false, "phone number" },
	{ "email", FT_TEXT, F(patient, email), NULL, 0, 0, 0, false, true, false, "e-mail address" },
	{ "contraindications", FT_FLAGS, F(patient, contraindications), VOCAB(dom_contraindication_names), 0, 0, false, false, false, "';'-separated flags" },
	{ "notes", FT_TEXT, F(patient, notes), NULL, 0, 0, 0, false, true, false, "free text" },
};

static const struct field_def course_fields[] = {
	{ "course_id", FT_ID, F(course, course_id), NULL, 0, 0, 0, true, false, true, "the clinic's own course id" },
	{ "patient_id", FT_ID, F(course, patient_id), NULL, 0, 0, 0, true, false, true, "patient of the course" },
	{ "modality", FT_ENUM, F(course, modality), VOCAB(dom_modality_names), 0, 0, true, false, true, "dextrose|prp|stem_cell" },
	{ "condition", FT_ID, F(course, condition), NULL, 0, 0, 0, true, false, true, "condition name, e.g. low_back_pain" },
	{ "start_date", FT_DATE, F(course, start_date), NULL, 0, 0, 0, true, false, true, "YYYY-MM-DD" },
	{ "planned_sessions", FT_INT, F(course, planned_sessions), NULL, 0, 1, 50, true, false, true, "1..50" },
	{ "status", FT_ENUM, F(course, status), VOCAB(dom_status_names), 0, 0, true, false, true, "course state" },
	{ "protocol", FT_TEXT, F(course, protocol), NULL, 0, 0, 0, false, false, false, "protocol name" },
	{ "interval_days", FT_INT, F(course, interval_days), NULL, 0, 1, 365, false, false, false, "planned days between sessions" },
	{ "end_date", FT_DATE, F(course, end_date), NULL, 0, 0, 0, false, false, false, "date the course ended" },
	{ "end_reason", FT_TEXT, F(course, end_reason), NULL, 0, 0, 0, false, false, false, "why it ended (free text)" },
	{ "stem_source", FT_ENUM, F(course, stem_source), VOCAB(dom_stem_source_names), 0, 0, false, false, false, "bmac|adipose (stem cells)" },
	{ "override_reason", FT_TEXT, F(course, override_reason), NULL, 0, 0, 0, false, false, false, "why a blocking contraindication was overridden" },
	{ "override_by", FT_TEXT, F(course, override_by), NULL, 0, 0, 0, false, true, false, "clinician who overrode it" },
};

static const struct field_def session_fields[] = {
	{ "course_id", FT_ID, F(session, course_id), NULL, 0, 0, 0, true, false, true, "course of the session" },
	{ "session_no", FT_INT, F(session, session_no), NULL, 0, 1, 1000, true, false, true, "1.. within the course" },
	{ "date", FT_DATE, F(session, date), NULL, 0, 0, 0, true, false, true, "YYYY-MM-DD" },
	{ "proliferant", FT_ENUM, F(session, proliferant), VOCAB(dom_proliferant_names), 0, 0, false, false, true, "injectate" },
	{ "concentration_pct", FT_REAL, F(session, concentration_pct), NULL, 0, 0, 100, false, false, true, "proliferant concentration, %" },
	{ "volume_ml", FT_REAL, F(session, volume_ml), NULL, 0, 0.01, 500, false, false, true, "total volume, mL" },
	{ "anaesthetic", FT_TEXT, F(session, anaesthetic), NULL, 0, 0, 0, false, false, false, "e.g. lidocaine" },
	{ "anaesthetic_pct", FT_REAL, F(session, anaesthetic_pct), NULL, 0, 0, 10, false, false, false, "anaesthetic concentration, %" },
	{ "clinician", FT_TEXT, F(session, clinician), NULL, 0, 0, 0, false, true, false, "who injected" },
	{ "prp_platelets", FT_REAL, F(session, prp_platelets), NULL, 0, 0, 20000, false, false, false, "PRP platelets, 10^3/uL" },
	{ "prp_platelets_baseline", FT_REAL, F(session, prp_platelets_baseline), NULL, 0, 1, 2000, false, false, false, "whole-blood platelets, 10^3/uL" },
	{ "prp_leukocytes", FT_REAL, F(session, prp_leukocytes), NULL, 0, 0, 500, false, false, false, "PRP leukocytes, 10^3/uL" },
	{ "prp_leukocytes_baseline", FT_REAL, F(session, prp_leukocytes_baseline), NULL, 0, 0.1, 100, false, false, false, "whole-blood leukocytes, 10^3/uL" },
	{ "prp_rbc", FT_REAL, F(session, prp_rbc), NULL, 0, 0, 10, false, false, false, "PRP red cells, 10^6/uL" },
	{ "prp_activation", FT_ENUM, F(session, prp_activation), VOCAB(dom_activation_names), 0, 0, false, false, false, "none|thrombin|calcium_chloride|collagen" },
	{ "prp_volume_ml", FT_REAL, F(session, prp_volume_ml), NULL, 0, 0.1, 100, false, false, false, "PRP volume prepared, mL" },
	{ "notes", FT_TEXT, F(session, notes), NULL, 0, 0, 0, false, true, false, "free text" },
};

static const struct field_def injection_fields[] = {
	{ "course_id", FT_ID, F(injection, course_id), NULL, 0, 0, 0, true, false, false, "course of the session" },
	{ "session_no", FT_INT, F(injection, session_no), NULL, 0, 1, 1000, true, false, false, "session number" },
	{ "seq", FT_INT, F(injection, seq), NULL, 0, 1, 200, true, false, false, "1.. within the session" },
	{ "site", FT_TEXT, F(injection, site), NULL, 0, 0, 0, true, false, false, "anatomical site" },
	{ "side", FT_ENUM, F(injection, side), VOCAB(dom_side_names), 0, 0, false, false, false, "left|right|bilateral|midline" },
	{ "proliferant", FT_ENUM, F(injection, proliferant), VOCAB(dom_proliferant_names), 0, 0, false, false, false, "injectate" },
	{ "concentration_pct", FT_REAL, F(injection, concentration_pct), NULL, 0, 0, 100, false, false, false, "%" },
	{ "anaesthetic", FT_TEXT, F(injection, anaesthetic), NULL, 0, 0, 0, false, false, false, "e.g. lidocaine" },
	{ "anaesthetic_pct", FT_REAL, F(injection, anaesthetic_pct), NULL, 0, 0, 10, false, false, false, "%" },
	{ "volume_ml", FT_REAL, F(injection, volume_ml), NULL, 0, 0.01, 100, false, false, false, "mL" },
	{ "guidance", FT_ENUM, F(injection, guidance), VOCAB(dom_guidance_names), 0, 0, false, false, false, "landmark|ultrasound|fluoroscopy" },
	{ "lot", FT_TEXT, F(injection, lot), NULL, 0, 0, 0, false, false, false, "lot number" },
};

static const struct field_def outcome_fields[] = {
	{ "course_id", FT_ID, F(outcome, course_id), NULL, 0, 0, 0, true, false, true, "course assessed" },
	{ "date", FT_DATE, F(outcome, date), NULL, 0, 0, 0, true, false, true, "YYYY-MM-DD" },
	{ "instrument", FT_ENUM, F(outcome, instrument), VOCAB(dom_instrument_names), 0, 0, true, false, true, "NRS|VAS|ODI|NDI|WOMAC|QuickDASH|KOOS" },
	{ "score", FT_REAL, F(outcome, score), NULL, 0, 0, 100, false, false, true, "total score (computed from items when given)" },
	{ "items", FT_TEXT, F(outcome, items), NULL, 0, 0, 0, false, false, false, "item answers separated by ';'" },
	{ "source", FT_ENUM, F(outcome, source), VOCAB(dom_outcome_source_names), 0, 0, false, false, false, "staff (recorded by the clinic; the default)|patient (answered through a link)" },
};

static const struct field_def ae_fields[] = {
	{ "course_id", FT_ID, F(adverse_event, course_id), NULL, 0, 0, 0, true, false, true, "course" },
	{ "date", FT_DATE, F(adverse_event, date), NULL, 0, 0, 0, true, false, true, "onset, YYYY-MM-DD" },
	{ "kind", FT_ENUM, F(adverse_event, kind), VOCAB(dom_ae_kind_names), 0, 0, true, false, true, "kind of event" },
	{ "duration_days", FT_INT, F(adverse_event, duration_days), NULL, 0, 0, 3650, false, false, true, "days; empty = ongoing" },
	{ "grade", FT_INT, F(adverse_event, grade), NULL, 0, 1, 5, false, false, true, "CTCAE grade 1..5" },
	{ "seq", FT_INT, F(adverse_event, seq), NULL, 0, 1, 100000, false, false, false, "1.. within the course (assigned)" },
	{ "seriousness", FT_ENUM, F(adverse_event, seriousness), VOCAB(dom_seriousness_names), 0, 0, false, false, false, "none|hospitalisation|disability|life_threatening|death" },
	{ "relatedness", FT_ENUM, F(adverse_event, relatedness), VOCAB(dom_relatedness_names), 0, 0, false, false, false, "unrelated|unlikely|possible|probable|definite" },
	{ "session_no", FT_INT, F(adverse_event, session_no), NULL, 0, 1, 1000, false, false, false, "session it followed" },
	{ "notes", FT_TEXT, F(adverse_event, notes), NULL, 0, 0, 0, false, true, false, "free text" },
};

#define TABLE(k, n, file, type, arr) \
	{ k, n, file, sizeof(struct type), arr, (int)(sizeof arr / sizeof arr[0]) }

const struct rec_table rec_tables[REC__COUNT] = {
	TABLE(REC_PATIENT, "patient", "patients.csv", patient, patient_fields),
	TABLE(REC_COURSE, "course", "courses.csv", course, course_fields),
	TABLE(REC_SESSION, "session", "sessions.csv", session, session_fields),
	TABLE(REC_INJECTION, "injection", "injections.csv", injection, injection_fields),
	TABLE(REC_OUTCOME, "outcome", "outcomes.csv", outcome, outcome_fields),
	TABLE(REC_AE, "adverse event", "adverse_events.csv", adverse_event, ae_fields),
};

static void set_missing(void *rec, const struct field_def *f)
{
	char *p = (char *)rec + f->off;
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
		p[0] = '\0';
		break;
	case FT_ENUM:
		*(int32_t *)p = -1;
		break;
	case FT_INT:
		*(int32_t *)p = REC_INT_NONE;
		break;
	case FT_REAL:
		*(double *)p = NAN;
		break;
	case FT_DATE:
		*(int32_t *)p = DOM_DATE_NONE;
		break;
	case FT_FLAGS:
		*(uint32_t *)p = 0;
		break;
	}
}

void rec_init(enum rec_kind kind, void *rec)
{
	/* Field by field rather than memset: records carry KiB of text
	 * buffers and imports initialise one per row. */
	const struct rec_table *t = &rec_tables[kind];
	for (int i = 0; i < t->n_fields; i++)
		set_missing(rec, &t->fields[i]);
	*rec_meta_of(kind, rec) = (struct rec_meta){ 0, false };
}

struct rec_meta *rec_meta_of(enum rec_kind kind, void *rec)
{
	switch (kind) {
	case REC_PATIENT:
		return &((struct patient *)rec)->meta;
	case REC_COURSE:
		return &((struct course *)rec)->meta;
	case REC_SESSION:
		return &((struct session *)rec)->meta;
	case REC_INJECTION:
		return &((struct injection *)rec)->meta;
	case REC_OUTCOME:
		return &((struct outcome *)rec)->meta;
	default:
		return &((struct adverse_event *)rec)->meta;
	}
}

const struct rec_meta *rec_meta_get(enum rec_kind kind, const void *rec)
{
	return rec_meta_of(kind, (void *)(uintptr_t)rec);
}

const struct field_def *rec_field(enum rec_kind kind, const char *name, size_t len)
{
	const struct rec_table *t = &rec_tables[kind];
	for (int i = 0; i < t->n_fields; i++)
		if (strlen(t->fields[i].name) == len && memcmp(t->fields[i].name, name, len) == 0)
			return &t->fields[i];
	return NULL;
}

/* Shows at most 40 bytes of a rejected value so messages stay one line. */
static void quote_value(const char *v, size_t len, char *out, size_t outsz)
{
	size_t n = len > 40 ? 40 : len;
	size_t j = 0;
	for (size_t i = 0; i < n && j + 2 < outsz; i++) {
		unsigned char c = (unsigned char)v[i];
		out[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (len > n && j + 4 < outsz) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = '\0';
}

static enum prolo_code parse_flags(const struct field_def *f, const char *v, size_t len,
                                   uint32_t *out, struct prolo_err *err)
{
	uint32_t bits = 0;
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && v[j] != ';')
			j++;
		if (j > i) {
			int k = dom_lookup(f->names, f->n_names, v + i, j - i);
			if (k < 0) {
				char shown[64], list[512];
				quote_value(v + i, j - i, shown, sizeof shown);
				dom_list(f->names, f->n_names, list, sizeof list);
				return prolo_err_set(err, PROLO_EINVAL, f->name,
				                     "unknown value '%s' (expected %s)", shown, list);
			}
			bits |= 1u << k;
		}
		i = j + 1;
	}
	*out = bits;
	return PROLO_OK;
}

enum prolo_code rec_set(enum rec_kind kind, void *rec, const struct field_def *f,
                        const char *v, size_t len, struct prolo_err *err)
{
	(void)kind;
	char *p = (char *)rec + f->off;
	char shown[64];
	if (len == 0) {
		set_missing(rec, f);
		return PROLO_OK;
	}
	if (!dom_utf8_valid(v, len))
		return prolo_err_set(err, PROLO_EINVAL, f->name, "not valid UTF-8 text");
	/* The value as shown in messages; built only on the error paths. */
#define SHOWN (quote_value(v, len, shown, sizeof shown), shown)
	switch (f->type) {
	case FT_ID:
		if (!dom_id_valid(v, len))
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     "'%s' is not a valid id (1-64 of A-Z a-z 0-9 . _ : -)", SHOWN);
		memcpy(p, v, len);
		p[len] = '\0';
		return PROLO_OK;
	case FT_TEXT:
		if (len >= f->size)
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     "too long (%zu bytes, at most %zu)", len, f->size - 1);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\n' && v[i] != '\t')
				return prolo_err_set(err, PROLO_EINVAL, f->name, "contains a control character");
		memcpy(p, v, len);
		p[len] = '\0';
		return PROLO_OK;
	case FT_ENUM: {
		int k = dom_lookup(f->names, f->n_names, v, len);
		if (k < 0) {
			char list[512];
			dom_list(f->names, f->n_names, list, sizeof list);
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     "unknown value '%s' (expected %s)", SHOWN, list);
		}
		*(int32_t *)p = k;
		return PROLO_OK;
	}
	case FT_INT: {
		long x;
		if (!dom_parse_long(v, len, (long)f->min, (long)f->max, &x)) {
			long any;
			if (dom_parse_long(v, len, -2147483647L, 2147483647L, &any))
				return prolo_err_set(err, PROLO_EINVAL, f->name,
				                     "%ld is out of range (%.0f..%.0f)", any, f->min, f->max);
			return prolo_err_set(err, PROLO_EINVAL, f->name, "'%s' is not a whole number", SHOWN);
		}
		*(int32_t *)p = (int32_t)x;
		return PROLO_OK;
	}
	case FT_REAL: {
		double x;
		if (!dom_parse_double(v, len, &x))
			return prolo_err_set(err, PROLO_EINVAL, f->name, "'%s' is not a number", SHOWN);
		if (x < f->min || x > f->max)
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     "%s is out of range (%g..%g)", SHOWN, f->min, f->max);
		*(double *)p = x;
		return PROLO_OK;
	}
	case FT_DATE: {
		int32_t d;
		if (!dom_date_parse(v, len, &d))
			return prolo_err_set(err, PROLO_EINVAL, f->name,
			                     "'%s' is not a valid date (YYYY-MM-DD)", SHOWN);
		*(int32_t *)p = d;
		return PROLO_OK;
	}
	case FT_FLAGS:
		return parse_flags(f, v, len, (uint32_t *)p, err);
	}
#undef SHOWN
	return prolo_err_set(err, PROLO_EINVAL, f->name, "unsupported field");
}

bool rec_has(const void *rec, const struct field_def *f)
{
	const char *p = (const char *)rec + f->off;
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
		return p[0] != '\0';
	case FT_ENUM:
		return *(const int32_t *)p >= 0;
	case FT_INT:
		return *(const int32_t *)p != REC_INT_NONE;
	case FT_REAL:
		return !isnan(*(const double *)p);
	case FT_DATE:
		return *(const int32_t *)p != DOM_DATE_NONE;
	case FT_FLAGS:
		return *(const uint32_t *)p != 0;
	}
	return false;
}

enum prolo_code rec_format(const void *rec, const struct field_def *f, struct buf *out)
{
	const char *p = (const char *)rec + f->off;
	if (!rec_has(rec, f))
		return PROLO_OK;
	switch (f->type) {
	case FT_ID:
	case FT_TEXT:
		return buf_adds(out, p);
	case FT_ENUM:
		return buf_adds(out, f->names[*(const int32_t *)p]);
	case FT_INT:
		return buf_printf(out, "%d", (int)*(const int32_t *)p);
	case FT_REAL:
		return buf_printf(out, "%.10g", *(const double *)p);
	case FT_DATE: {
		char d[11];
		dom_date_format(*(const int32_t *)p, d);
		return buf_adds(out, d);
	}
	case FT_FLAGS: {
		uint32_t bits = *(const uint32_t *)p;
		bool first = true;
		for (int k = 0; k < f->n_names; k++)
			if (bits & (1u << k)) {
				enum prolo_code rc = buf_printf(out, "%s%s", first ? "" : ";", f->names[k]);
				if (rc)
					return rc;
				first = false;
			}
		return PROLO_OK;
	}
	}
	return PROLO_OK;
}

static enum prolo_code check_required(enum rec_kind kind, const void *rec, struct prolo_err *err)
{
	const struct rec_table *t = &rec_tables[kind];
	for (int i = 0; i < t->n_fields; i++)
		if (t->fields[i].required && !rec_has(rec, &t->fields[i]))
			return prolo_err_set(err, PROLO_EINVAL, t->fields[i].name, "is required");
	return PROLO_OK;
}

static enum prolo_code check_course(const struct course *c, struct prolo_err *err)
{
	if (c->end_date != DOM_DATE_NONE && c->end_date < c->start_date)
		return prolo_err_set(err, PROLO_EINVAL, "end_date", "is before start_date");
	if (c->end_date != DOM_DATE_NONE && !dom_status_ended((enum course_status)c->status))
		return prolo_err_set(err, PROLO_EINVAL, "end_date",
		                     "is set but the course is still %s", dom_status_names[c->status]);
	if (c->stem_source >= 0 && c->modality != MOD_STEM_CELL)
		return prolo_err_set(err, PROLO_EINVAL, "stem_source", "is only for stem_cell courses");
	if (c->override_reason[0] && !c->override_by[0])
		return prolo_err_set(err, PROLO_EINVAL, "override_by",
		                     "is required with override_reason (the clinician's name)");
	if (c->override_by[0] && !c->override_reason[0])
		return prolo_err_set(err, PROLO_EINVAL, "override_reason", "is required with override_by");
	return PROLO_OK;
}

static enum prolo_code check_session(const struct session *s, struct prolo_err *err)
{
	/* The PRP figure named is the first one that holds a value, so the
	 * message points at a filled cell rather than an empty column. */
	const char *prp_field = !isnan(s->prp_platelets) ? "prp_platelets"
	                      : !isnan(s->prp_platelets_baseline) ? "prp_platelets_baseline"
	                      : !isnan(s->prp_leukocytes) ? "prp_leukocytes"
	                      : !isnan(s->prp_leukocytes_baseline) ? "prp_leukocytes_baseline"
	                      : !isnan(s->prp_rbc) ? "prp_rbc"
	                      : s->prp_activation >= 0 ? "prp_activation"
	                      : !isnan(s->prp_volume_ml) ? "prp_volume_ml"
	                      : NULL;
	if (prp_field && s->proliferant >= 0 && s->proliferant != PROL_PRP)
		return prolo_err_set(err, PROLO_EINVAL, prp_field,
		                     "PRP preparation figures need proliferant prp");
	if (!isnan(s->anaesthetic_pct) && !s->anaesthetic[0])
		return prolo_err_set(err, PROLO_EINVAL, "anaesthetic", "is required with anaesthetic_pct");
	return PROLO_OK;
}

enum prolo_code rec_check(enum rec_kind kind, const void *rec, struct prolo_err *err)
{
	enum prolo_code rc = check_required(kind, rec, err);
	if (rc)
		return rc;
	switch (kind) {
	case REC_COURSE:
		return check_course(rec, err);
	case REC_SESSION:
		return check_session(rec, err);
	case REC_INJECTION: {
		const struct injection *in = rec;
		if (!isnan(in->anaesthetic_pct) && !in->anaesthetic[0])
			return prolo_err_set(err, PROLO_EINVAL, "anaesthetic", "is required with anaesthetic_pct");
		return PROLO_OK;
	}
	default:
		return PROLO_OK;
	}
}

void rec_session_paw(const struct session *s, char *out, size_t outsz)
{
	dom_prp_paw(s->prp_platelets, s->prp_platelets_baseline, s->prp_leukocytes,
	            s->prp_leukocytes_baseline, s->prp_activation > ACT_NONE, out, outsz);
}

void rec_session_mishra(const struct session *s, char *out, size_t outsz)
{
	dom_prp_mishra(s->prp_platelets, s->prp_platelets_baseline, s->prp_leukocytes,
	               s->prp_leukocytes_baseline, s->prp_activation > ACT_NONE, out, outsz);
}
