/* CSV rows of simulated patients. Each row is built in a small stack buffer
 * with hand-written integer and date formatting (no printf in the loop)
 * and appended with one buf_add; no field needs quoting. */
#include "sim/sim_csv.h"

#include "core/contact.h"

#include <assert.h>
#include <string.h>

const char *const sim_csv_names[SIM_CSV__COUNT] = {
	"patients.csv", "courses.csv", "sessions.csv", "outcomes.csv",
	"adverse_events.csv", "injections.csv", "contacts.csv",
};

static const char *const headers[SIM_CSV_REFERENCE_FILES] = {
	"patient_id,clinic,sex,birth_year\n",
	"course_id,patient_id,modality,condition,start_date,planned_sessions,status\n",
	"course_id,session_no,date,proliferant,concentration_pct,volume_ml\n",
	"course_id,date,instrument,score\n",
	"course_id,date,kind,duration_days,grade\n",
};

/* A living clinic's files: the reference columns first, then the optional
 * ones of docs/csv-format.md. */
static const char *const living_headers[SIM_CSV__COUNT] = {
	"patient_id,clinic,sex,birth_year,first_name,last_name,phone,email\n",
	"course_id,patient_id,modality,condition,start_date,planned_sessions,status,"
	"interval_days,end_date,stem_source\n",
	"course_id,session_no,date,proliferant,concentration_pct,volume_ml,anaesthetic,"
	"anaesthetic_pct,prp_platelets,prp_platelets_baseline,prp_leukocytes,"
	"prp_leukocytes_baseline,prp_rbc,prp_activation,prp_volume_ml\n",
	"course_id,date,instrument,score\n",
	"course_id,date,kind,duration_days,grade\n",
	"course_id,session_no,seq,site,side,proliferant,concentration_pct,anaesthetic,"
	"anaesthetic_pct,volume_ml,guidance\n",
	"patient_id,email,mobile,channel,consent,consent_date,consent_by,consent_how\n",
};

/* A row under construction: fixed room, checked by assert (rows are short
 * and made only of numbers and vocabulary names). */
struct row {
	char b[512];
	size_t n;
};

static void put(struct row *r, const char *s)
{
	size_t k = strlen(s);
	assert(r->n + k < sizeof r->b);
	memcpy(r->b + r->n, s, k);
	r->n += k;
}

static void putc_(struct row *r, char c)
{
	assert(r->n + 1 < sizeof r->b);
	r->b[r->n++] = c;
}

static void put_int(struct row *r, int64_t v)
{
	char tmp[24];
	int k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[k++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[k++] = '-';
	assert(r->n + (size_t)k < sizeof r->b);
	while (k)
		r->b[r->n++] = tmp[--k];
}

/* tenths as "12.5" / "14.0" */
static void put_tenths(struct row *r, int v)
{
	assert(v >= 0);
	put_int(r, v / 10);
	putc_(r, '.');
	putc_(r, (char)('0' + v % 10));
}

/* hundredths as "27.27", "0.05" or, when whole, "27" */
static void put_hundredths(struct row *r, int v)
{
	assert(v >= 0);
	put_int(r, v / 100);
	if (v % 100 == 0)
		return;
	putc_(r, '.');
	putc_(r, (char)('0' + v / 10 % 10));
	if (v % 10)
		putc_(r, (char)('0' + v % 10));
}

static void put_2(struct row *r, int v)
{
	putc_(r, (char)('0' + v / 10));
	putc_(r, (char)('0' + v % 10));
}

static void put_date(struct row *r, int32_t days)
{
	int y, m, d;
	dom_civil_from_days(days, &y, &m, &d);
	assert(y >= 1000 && y <= 9999);
	put_2(r, y / 100);
	put_2(r, y % 100);
	putc_(r, '-');
	put_2(r, m);
	putc_(r, '-');
	put_2(r, d);
}

/* The next field of a row: a comma, then the value. */
static void c_str(struct row *r, const char *s)
{
	putc_(r, ',');
	put(r, s);
}

static void c_int(struct row *r, int64_t v)
{
	putc_(r, ',');
	put_int(r, v);
}

static void c_tenths(struct row *r, int v)
{
	putc_(r, ',');
	put_tenths(r, v);
}

static void c_date(struct row *r, int32_t days)
{
	putc_(r, ',');
	put_date(r, days);
}

static enum prolo_code flush_row(struct buf *b, struct row *r)
{
	putc_(r, '\n');
	enum prolo_code rc = buf_add(b, r->b, r->n);
	r->n = 0;
	return rc;
}

int sim_csv_files(const struct sim_csv_opts *o)
{
	return o->living ? SIM_CSV__COUNT : SIM_CSV_REFERENCE_FILES;
}

enum prolo_code sim_csv_headers(const struct sim_csv_opts *o, struct buf out[SIM_CSV__COUNT])
{
	for (int i = 0; i < sim_csv_files(o); i++) {
		enum prolo_code rc = buf_adds(&out[i], o->living ? living_headers[i] : headers[i]);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

/* The patient's synthetic address: first.last.ID@example.org (RFC 2606
 * keeps example.org for examples: no mail reaches a person). */
static void put_email(struct row *r, const struct sim_patient *pt)
{
	const char *parts[2] = { sim_first_name(pt->first_name, pt->female_name),
	                         sim_last_name(pt->last_name) };
	for (int k = 0; k < 2; k++) {
		for (const char *c = parts[k]; *c; c++)
			putc_(r, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
		putc_(r, '.');
	}
	put_int(r, pt->patient_id);
	put(r, "@example.org");
}

/* +44 7700 900000-900999: Ofcom's range for drama, never a subscriber. */
static void put_mobile(struct row *r, int n)
{
	put(r, "+447700900");
	putc_(r, (char)('0' + n / 100));
	put_2(r, n % 100);
}

static enum prolo_code patient_row(const struct sim_patient *pt, const struct sim_csv_opts *o,
                                   struct row *r, struct buf out[SIM_CSV__COUNT])
{
	put_int(r, pt->patient_id);
	put(r, ",C");
	if (pt->clinic < 10)
		putc_(r, '0');
	put_int(r, pt->clinic);
	c_str(r, dom_sex_names[pt->sex]);
	c_int(r, pt->birth_year);
	if (!o->living)
		return flush_row(&out[SIM_CSV_PATIENTS], r);
	c_str(r, sim_first_name(pt->first_name, pt->female_name));
	c_str(r, sim_last_name(pt->last_name));
	putc_(r, ',');
	if (pt->mobile >= 0)
		put_mobile(r, pt->mobile);
	putc_(r, ',');
	if (pt->has_email)
		put_email(r, pt);
	enum prolo_code rc = flush_row(&out[SIM_CSV_PATIENTS], r);
	if (rc || (!pt->has_email && pt->mobile < 0 && pt->consent == 0))
		return rc;
	/* contacts.csv: what the follow-up may use, and the consent */
	put_int(r, pt->patient_id);
	putc_(r, ',');
	if (pt->has_email)
		put_email(r, pt);
	putc_(r, ',');
	if (pt->mobile >= 0)
		put_mobile(r, pt->mobile);
	c_str(r, contact_channel_names[pt->channel]);
	putc_(r, ',');
	if (pt->consent) {
		put(r, contact_consent_names[pt->consent]);
		c_date(r, pt->consent_date);
		put(r, pt->consent == 1 ? ",front desk,written" : ",patient,telephone");
	} else {
		put(r, ",,,");
	}
	return flush_row(&out[SIM_CSV_CONTACTS], r);
}

static enum prolo_code course_row(const struct sim_patient *pt, const struct sim_course *c,
                                  const struct sim_csv_opts *o, struct row *r,
                                  struct buf out[SIM_CSV__COUNT])
{
	assert(c->arm < MOD__COUNT); /* clinics do not give placebo */
	int status = c->status;
	if (status == CS_GOAL_REACHED && !o->goal_reached)
		status = CS_COMPLETED;
	put_int(r, c->course_id);
	c_int(r, pt->patient_id);
	c_str(r, dom_modality_names[c->arm]);
	c_str(r, dom_condition_names[c->condition]);
	c_date(r, c->start_date);
	c_int(r, c->planned_sessions);
	c_str(r, dom_status_names[status]);
	if (o->living) {
		c_int(r, c->interval_days);
		putc_(r, ',');
		if (c->end_date != DOM_DATE_NONE)
			put_date(r, c->end_date);
		c_str(r, c->arm == SIM_ARM_STEM_CELL ? dom_stem_source_names[c->stem_source] : "");
	}
	return flush_row(&out[SIM_CSV_COURSES], r);
}

/* ",lidocaine,0.5" or ",," */
static void c_anaesthetic(struct row *r, const struct sim_session *s)
{
	c_str(r, s->lido_tenths ? "lidocaine" : "");
	putc_(r, ',');
	if (s->lido_tenths)
		put_tenths(r, s->lido_tenths);
}

/* ",proliferant,concentration" (empty concentration when none) */
static void c_injectate(struct row *r, const struct sim_session *s)
{
	c_str(r, dom_proliferant_names[s->proliferant]);
	putc_(r, ',');
	if (s->conc_tenths > 0)
		put_tenths(r, s->conc_tenths);
}

/* The optional columns of a living clinic's session: anaesthetic and the
 * PRP preparation (empty unless proliferant prp). */
static void session_living_cols(const struct sim_session *s, struct row *r)
{
	c_anaesthetic(r, s);
	if (s->proliferant != PROL_PRP) {
		put(r, ",,,,,,,");
		return;
	}
	const struct sim_prp *q = &s->prp;
	c_int(r, q->platelets);
	c_int(r, q->platelets_baseline);
	c_tenths(r, q->leuk_tenths);
	c_tenths(r, q->leuk_base_tenths);
	putc_(r, ',');
	put_hundredths(r, q->rbc_hundredths);
	c_str(r, dom_activation_names[q->activation]);
	c_tenths(r, q->volume_tenths);
}

static enum prolo_code injection_rows(const struct sim_course *c, const struct sim_session *s,
                                      struct row *r, struct buf out[SIM_CSV__COUNT])
{
	const char *const *sites = sim_sites((enum condition)c->condition);
	for (int i = 0; i < s->n_inj; i++) {
		const struct sim_injection *in = &s->inj[i];
		put_int(r, c->course_id);
		c_int(r, s->session_no);
		c_int(r, i + 1);
		c_str(r, sites[in->site]);
		c_str(r, dom_side_names[in->side]);
		c_injectate(r, s);
		c_anaesthetic(r, s);
		c_tenths(r, in->volume_tenths);
		c_str(r, dom_guidance_names[in->guidance]);
		enum prolo_code rc = flush_row(&out[SIM_CSV_INJECTIONS], r);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

static enum prolo_code session_rows(const struct sim_course *c, const struct sim_csv_opts *o,
                                    struct row *r, struct buf out[SIM_CSV__COUNT])
{
	for (int k = 0; k < c->n_sessions; k++) {
		const struct sim_session *s = &c->sessions[k];
		put_int(r, c->course_id);
		c_int(r, s->session_no);
		c_date(r, s->date);
		c_injectate(r, s);
		c_tenths(r, s->volume_tenths);
		if (o->living)
			session_living_cols(s, r);
		enum prolo_code rc = flush_row(&out[SIM_CSV_SESSIONS], r);
		if (!rc && o->living)
			rc = injection_rows(c, s, r, out);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

enum prolo_code sim_csv_patient(const struct sim_patient *pt, const struct sim_csv_opts *o,
                                struct buf out[SIM_CSV__COUNT])
{
	struct row r = { .n = 0 };
	enum prolo_code rc = patient_row(pt, o, &r, out);
	if (rc)
		return rc;
	for (int i = 0; i < pt->n_courses; i++) {
		const struct sim_course *c = &pt->courses[i];
		if ((rc = course_row(pt, c, o, &r, out)) || (rc = session_rows(c, o, &r, out)))
			return rc;
		for (int k = 0; k < c->n_outcomes; k++) {
			const struct sim_outcome *q = &c->outcomes[k];
			if (q->instrument != INSTR_NRS && !o->all_instruments && !o->living)
				continue;
			put_int(&r, c->course_id);
			c_date(&r, q->date);
			c_str(&r, dom_instrument_names[q->instrument]);
			putc_(&r, ',');
			put_hundredths(&r, q->score_x100);
			if ((rc = flush_row(&out[SIM_CSV_OUTCOMES], &r)))
				return rc;
		}
		for (int k = 0; k < c->n_aes; k++) {
			const struct sim_ae *a = &c->aes[k];
			put_int(&r, c->course_id);
			c_date(&r, a->date);
			c_str(&r, dom_ae_kind_names[a->kind]);
			putc_(&r, ',');
			if (a->duration_days >= 0)
				put_int(&r, a->duration_days);
			c_int(&r, a->grade);
			if ((rc = flush_row(&out[SIM_CSV_AES], &r)))
				return rc;
		}
	}
	return PROLO_OK;
}
