/* CSV rows of simulated patients. Each row is built in a small stack buffer
 * with hand-written integer and date formatting (no printf in the loop)
 * and appended with one buf_add; no field needs quoting. */
#include "sim/sim_csv.h"

#include <assert.h>
#include <string.h>

const char *const sim_csv_names[SIM_CSV__COUNT] = {
	"patients.csv", "courses.csv", "sessions.csv", "outcomes.csv",
	"adverse_events.csv",
};

static const char *const headers[SIM_CSV__COUNT] = {
	"patient_id,clinic,sex,birth_year\n",
	"course_id,patient_id,modality,condition,start_date,planned_sessions,status\n",
	"course_id,session_no,date,proliferant,concentration_pct,volume_ml\n",
	"course_id,date,instrument,score\n",
	"course_id,date,kind,duration_days,grade\n",
};

/* A row under construction: fixed room, checked by assert (rows are short
 * and made only of numbers and vocabulary names). */
struct row {
	char b[160];
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

static enum prolo_code flush_row(struct buf *b, struct row *r)
{
	putc_(r, '\n');
	enum prolo_code rc = buf_add(b, r->b, r->n);
	r->n = 0;
	return rc;
}

enum prolo_code sim_csv_headers(struct buf out[SIM_CSV__COUNT])
{
	for (int i = 0; i < SIM_CSV__COUNT; i++) {
		enum prolo_code rc = buf_adds(&out[i], headers[i]);
		if (rc)
			return rc;
	}
	return PROLO_OK;
}

enum prolo_code sim_csv_patient(const struct sim_patient *pt, const struct sim_csv_opts *o,
                                struct buf out[SIM_CSV__COUNT])
{
	struct row r = { .n = 0 };
	enum prolo_code rc;

	put_int(&r, pt->patient_id);
	put(&r, ",C");
	if (pt->clinic < 10)
		putc_(&r, '0');
	put_int(&r, pt->clinic);
	putc_(&r, ',');
	put(&r, dom_sex_names[pt->sex]);
	putc_(&r, ',');
	put_int(&r, pt->birth_year);
	if ((rc = flush_row(&out[SIM_CSV_PATIENTS], &r)))
		return rc;

	for (int i = 0; i < pt->n_courses; i++) {
		const struct sim_course *c = &pt->courses[i];
		assert(c->arm < MOD__COUNT); /* clinics do not give placebo */
		int status = c->status;
		if (status == CS_GOAL_REACHED && !o->goal_reached)
			status = CS_COMPLETED;
		put_int(&r, c->course_id);
		putc_(&r, ',');
		put_int(&r, pt->patient_id);
		putc_(&r, ',');
		put(&r, dom_modality_names[c->arm]);
		putc_(&r, ',');
		put(&r, dom_condition_names[c->condition]);
		putc_(&r, ',');
		put_date(&r, c->start_date);
		putc_(&r, ',');
		put_int(&r, c->planned_sessions);
		putc_(&r, ',');
		put(&r, dom_status_names[status]);
		if ((rc = flush_row(&out[SIM_CSV_COURSES], &r)))
			return rc;

		for (int k = 0; k < c->n_sessions; k++) {
			const struct sim_session *s = &c->sessions[k];
			put_int(&r, c->course_id);
			putc_(&r, ',');
			put_int(&r, s->session_no);
			putc_(&r, ',');
			put_date(&r, s->date);
			putc_(&r, ',');
			put(&r, dom_proliferant_names[s->proliferant]);
			putc_(&r, ',');
			if (s->conc_tenths > 0)
				put_tenths(&r, s->conc_tenths);
			putc_(&r, ',');
			put_tenths(&r, s->volume_tenths);
			if ((rc = flush_row(&out[SIM_CSV_SESSIONS], &r)))
				return rc;
		}
		for (int k = 0; k < c->n_outcomes; k++) {
			const struct sim_outcome *q = &c->outcomes[k];
			if (q->instrument != INSTR_NRS && !o->all_instruments)
				continue;
			put_int(&r, c->course_id);
			putc_(&r, ',');
			put_date(&r, q->date);
			putc_(&r, ',');
			put(&r, dom_instrument_names[q->instrument]);
			putc_(&r, ',');
			put_int(&r, q->score);
			if ((rc = flush_row(&out[SIM_CSV_OUTCOMES], &r)))
				return rc;
		}
		for (int k = 0; k < c->n_aes; k++) {
			const struct sim_ae *a = &c->aes[k];
			put_int(&r, c->course_id);
			putc_(&r, ',');
			put_date(&r, a->date);
			putc_(&r, ',');
			put(&r, dom_ae_kind_names[a->kind]);
			putc_(&r, ',');
			put_int(&r, a->duration_days);
			putc_(&r, ',');
			put_int(&r, a->grade);
			if ((rc = flush_row(&out[SIM_CSV_AES], &r)))
				return rc;
		}
	}
	return PROLO_OK;
}
