/* Alert rules over plain arrays with a fixed "today": every kind, its
 * boundaries (window edges, 4 vs 5 days of soreness, the 16-week look-back),
 * silence superseding overdue, comparables for slow progress, the sort
 * order and the JSON shape; then acknowledgement against a real registry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/domain.h"
#include "registry/alerts.h"
#include "registry/registry.h"

#define D(y, m, d) dom_days_from_civil(y, m, d)
#define MAXR 16

/* A course built in place: arrays live in the struct. */
struct tc {
	struct course_rows r;
	int32_t sno[MAXR], sdate[MAXR], odate[MAXR], aonset[MAXR], adur[MAXR];
	uint8_t oinstr[MAXR], akind[MAXR], agrade[MAXR], aser[MAXR];
	double oscore[MAXR];
};

static void tc_init(struct tc *t, const char *id, int modality, const char *cond, int status,
                    int32_t start, int planned, int interval, const char *protocol)
{
	memset(t, 0, sizeof *t);
	static int64_t next_key = 1;
	t->r.course_key = next_key++;
	t->r.course_id = id;
	t->r.patient_id = "P1";
	t->r.clinic = "C01";
	t->r.modality = modality;
	t->r.condition_name = cond;
	t->r.condition = dom_lookup(dom_condition_names, COND__COUNT, cond, strlen(cond));
	t->r.status = status;
	t->r.start_date = start;
	t->r.end_date = DOM_DATE_NONE;
	t->r.planned_sessions = planned;
	t->r.interval_days = interval;
	t->r.protocol = protocol;
	t->r.sess_no = t->sno;
	t->r.sess_date = t->sdate;
	t->r.out_date = t->odate;
	t->r.out_instrument = t->oinstr;
	t->r.out_score = t->oscore;
	t->r.ae_onset = t->aonset;
	t->r.ae_kind = t->akind;
	t->r.ae_duration = t->adur;
	t->r.ae_grade = t->agrade;
	t->r.ae_serious = t->aser;
}

static void sess(struct tc *t, int32_t date)
{
	size_t i = t->r.n_sessions++;
	t->sno[i] = (int32_t)i + 1;
	t->sdate[i] = date;
}

static void nrs(struct tc *t, int32_t date, double score)
{
	size_t i = t->r.n_outcomes++;
	t->odate[i] = date;
	t->oinstr[i] = INSTR_NRS;
	t->oscore[i] = score;
}

static void ae(struct tc *t, int32_t onset, int kind, int duration, int grade, int serious)
{
	size_t i = t->r.n_aes++;
	t->aonset[i] = onset;
	t->akind[i] = (uint8_t)kind;
	t->adur[i] = duration;
	t->agrade[i] = (uint8_t)grade;
	t->aser[i] = (uint8_t)serious;
}

static const char lib_text[] =
	"[dx]\nmodality = dextrose\ncondition = low_back_pain\nsessions = 4\ninterval_days = 14\n"
	"window_days = 3\nfollowup = NRS ODI at 0d 6w 12w\nfollowup_window_days = 14\n"
	"silent_after_days = 14\nreview_after_sessions = 3\nreview_min_improvement_pct = 30\nsource = S\n";
static struct protocol_lib lib;

static int setup_lib(void **state)
{
	struct prolo_err err = { 0 };
	return protocol_lib_parse(lib_text, sizeof lib_text - 1, "t", &lib, &err) ? -1 : 0;
}

static int teardown_lib(void **state)
{
	protocol_lib_free(&lib);
	return 0;
}

/* Runs the rules over the given courses; returns the list. */
static struct alert_list run(struct tc **cs, size_t n, int32_t today)
{
	const struct course_rows *ptrs[8];
	for (size_t i = 0; i < n; i++)
		ptrs[i] = &cs[i]->r;
	struct alert_list l = { 0 };
	struct prolo_err err = { 0 };
	assert_int_equal(alerts_rules(ptrs, n, &lib, today, &l, &err), PROLO_OK);
	return l;
}

static const struct alert *find(const struct alert_list *l, enum alert_kind k)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->items[i].kind == k)
			return &l->items[i];
	return NULL;
}

static int count(const struct alert_list *l, enum alert_kind k)
{
	int n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->items[i].kind == k;
	return n;
}

static void session_due_and_overdue(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_DEXTROSE, "low_back_pain", CS_ACTIVE, D(2024, 3, 1), 4, 14, "dx");
	sess(&t, D(2024, 3, 1));
	nrs(&t, D(2024, 3, 1), 8);
	struct tc *cs[] = { &t };
	/* next due 03-15, window 3: due from 03-12 to 03-18 */
	struct alert_list l = run(cs, 1, D(2024, 3, 11));
	assert_null(find(&l, ALERT_SESSION_DUE));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 12));
	const struct alert *a = find(&l, ALERT_SESSION_DUE);
	assert_non_null(a);
	assert_string_equal(a->key, "session_due:2024-03-15:C1");
	assert_int_equal(a->session_no, 2);
	assert_int_equal(a->due, D(2024, 3, 15));
	assert_non_null(strstr(a->reason, "Session 2 of 4"));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 18));
	assert_non_null(find(&l, ALERT_SESSION_DUE));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 19));
	assert_null(find(&l, ALERT_SESSION_DUE));
	a = find(&l, ALERT_SESSION_OVERDUE);
	assert_non_null(a);
	assert_string_equal(a->key, "session_overdue:2024-03-15:C1");
	assert_non_null(strstr(a->reason, "4 days late"));
	alert_list_free(&l);
	/* silent from due + 14 days on, and it replaces the overdue alert */
	l = run(cs, 1, D(2024, 3, 29));
	assert_non_null(find(&l, ALERT_SESSION_OVERDUE));
	assert_null(find(&l, ALERT_SILENT));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 30));
	assert_null(find(&l, ALERT_SESSION_OVERDUE));
	a = find(&l, ALERT_SILENT);
	assert_non_null(a);
	assert_string_equal(a->key, "silent:2024-03-15:C1");
	assert_non_null(strstr(a->reason, "No contact since 2024-03-01"));
	alert_list_free(&l);
	/* all sessions done: no session alert; an ended course: none at all */
	sess(&t, D(2024, 3, 15));
	sess(&t, D(2024, 3, 29));
	sess(&t, D(2024, 4, 12));
	l = run(cs, 1, D(2024, 4, 26));
	assert_null(find(&l, ALERT_SESSION_DUE));
	assert_null(find(&l, ALERT_SESSION_OVERDUE));
	alert_list_free(&l);
	t.r.status = CS_DROPPED;
	l = run(cs, 1, D(2024, 9, 1));
	assert_int_equal(l.n, 0);
	alert_list_free(&l);
}

static void first_session_and_no_interval(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_PRP, "knee_oa", CS_PLANNED, D(2024, 3, 1), 3, 7, "");
	struct tc *cs[] = { &t };
	struct alert_list l = run(cs, 1, D(2024, 2, 27)); /* default window 3 */
	assert_non_null(find(&l, ALERT_SESSION_DUE));
	assert_int_equal(find(&l, ALERT_SESSION_DUE)->session_no, 1);
	alert_list_free(&l);
	t.r.interval_days = 0; /* not planned, no protocol: no session alerts */
	l = run(cs, 1, D(2024, 3, 1));
	assert_null(find(&l, ALERT_SESSION_DUE));
	alert_list_free(&l);
}

static void questionnaire_due(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_DEXTROSE, "low_back_pain", CS_ACTIVE, D(2024, 3, 1), 4, 14, "dx");
	for (int i = 0; i < 4; i++)
		sess(&t, D(2024, 3, 1) + 14 * i);
	nrs(&t, D(2024, 3, 1), 8);
	struct tc *cs[] = { &t };
	/* baseline ODI missing: due 03-01 .. 03-15 */
	struct alert_list l = run(cs, 1, D(2024, 3, 5));
	const struct alert *a = find(&l, ALERT_QUESTIONNAIRE_DUE);
	assert_non_null(a);
	assert_string_equal(a->key, "questionnaire_due:2024-03-01:C1");
	assert_int_equal(a->instruments, 1u << INSTR_ODI);
	assert_non_null(strstr(a->reason, "baseline questionnaire (ODI)"));
	alert_list_free(&l);
	/* 6-week point 04-12: NRS and ODI both missing */
	l = run(cs, 1, D(2024, 4, 12));
	a = find(&l, ALERT_QUESTIONNAIRE_DUE);
	assert_non_null(a);
	assert_string_equal(a->key, "questionnaire_due:2024-04-12:C1");
	assert_int_equal(a->instruments, (1u << INSTR_NRS) | (1u << INSTR_ODI));
	assert_non_null(strstr(a->reason, "6-week follow-up"));
	alert_list_free(&l);
	/* answered (NRS within the window before): only ODI left */
	nrs(&t, D(2024, 4, 10), 6);
	l = run(cs, 1, D(2024, 4, 12));
	assert_int_equal(find(&l, ALERT_QUESTIONNAIRE_DUE)->instruments, 1u << INSTR_ODI);
	alert_list_free(&l);
	/* completed courses stay in follow-up */
	t.r.status = CS_COMPLETED;
	l = run(cs, 1, D(2024, 5, 24));
	a = find(&l, ALERT_QUESTIONNAIRE_DUE);
	assert_non_null(a);
	assert_string_equal(a->key, "questionnaire_due:2024-05-24:C1");
	alert_list_free(&l);
}

static void silent_without_sessions_left(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_DEXTROSE, "low_back_pain", CS_COMPLETED, D(2024, 1, 1), 4, 14, "dx");
	for (int i = 0; i < 4; i++)
		sess(&t, D(2024, 1, 1) + 14 * i);
	nrs(&t, D(2024, 1, 1), 8);
	struct tc *cs[] = { &t };
	/* last contact 01-43 = 02-12; next point 12w = 03-25; silent after 04-08 */
	struct alert_list l = run(cs, 1, D(2024, 4, 8));
	assert_null(find(&l, ALERT_SILENT));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 4, 9));
	const struct alert *a = find(&l, ALERT_SILENT);
	assert_non_null(a);
	assert_string_equal(a->key, "silent:2024-03-25:C1");
	assert_non_null(strstr(a->reason, "a questionnaire was expected"));
	alert_list_free(&l);
	/* after the last follow-up point nothing more is expected */
	l = run(cs, 1, D(2025, 6, 1));
	assert_null(find(&l, ALERT_SILENT));
	alert_list_free(&l);
}

static void slow_progress_with_comparables(void **state)
{
	struct tc t, done[4];
	tc_init(&t, "C1", MOD_DEXTROSE, "low_back_pain", CS_ACTIVE, D(2024, 3, 1), 4, 14, "dx");
	for (int i = 0; i < 3; i++)
		sess(&t, D(2024, 3, 1) + 14 * i);
	nrs(&t, D(2024, 3, 1), 8);
	nrs(&t, D(2024, 3, 15), 7); /* after 2 sessions: not yet a review point */
	struct tc *cs[5] = { &t };
	struct alert_list l = run(cs, 1, D(2024, 3, 20));
	assert_null(find(&l, ALERT_SLOW_PROGRESS));
	alert_list_free(&l);
	nrs(&t, D(2024, 3, 29), 6); /* after 3 sessions: 25 % lower < 30 % */
	/* comparables: two slow that responded, one slow that did not, one fast,
	 * one in another clinic (ignored) */
	const double review[4] = { 7, 7, 8, 3 };
	const double last[4] = { 3, 4, 7, 2 };
	for (int i = 0; i < 4; i++) {
		char *id = malloc(8);
		snprintf(id, 8, "O%d", i);
		tc_init(&done[i], id, MOD_DEXTROSE, "low_back_pain", CS_COMPLETED, D(2023, 1, 1), 4, 14, "dx");
		for (int k = 0; k < 4; k++)
			sess(&done[i], D(2023, 1, 1) + 14 * k);
		nrs(&done[i], D(2023, 1, 1), 8);
		nrs(&done[i], D(2023, 1, 29), review[i]);
		nrs(&done[i], D(2023, 3, 1), last[i]);
		cs[1 + i] = &done[i];
	}
	done[1].r.clinic = "C02";
	l = run(cs, 5, D(2024, 3, 30));
	const struct alert *a = find(&l, ALERT_SLOW_PROGRESS);
	assert_non_null(a);
	assert_string_equal(a->key, "slow_progress:2024-03-29:C1");
	assert_int_equal(a->comparable_slow, 2);
	assert_int_equal(a->comparable_responded, 1);
	assert_non_null(strstr(a->reason, "Pain 8 -> 6 (25 % lower) after 3 sessions"));
	assert_non_null(strstr(a->reason, "Of 2 finished dextrose courses"));
	assert_non_null(strstr(a->reason, "1 went on to respond"));
	alert_list_free(&l);
	/* a later, better score clears it */
	nrs(&t, D(2024, 4, 1), 5);
	l = run(cs, 5, D(2024, 4, 2));
	assert_null(find(&l, ALERT_SLOW_PROGRESS));
	alert_list_free(&l);
	/* no comparables */
	t.r.n_outcomes--;
	l = run(cs, 1, D(2024, 3, 30));
	assert_int_equal(find(&l, ALERT_SLOW_PROGRESS)->comparable_slow, 0);
	assert_non_null(strstr(find(&l, ALERT_SLOW_PROGRESS)->reason, "no local experience"));
	alert_list_free(&l);
	for (int i = 0; i < 4; i++)
		free((char *)done[i].r.course_id);
}

static void adverse_events(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_PRP, "knee_oa", CS_DROPPED, D(2024, 1, 1), 3, 7, "");
	ae(&t, D(2024, 3, 1), AE_SORENESS, 4, 1, SER_NONE);  /* expected */
	ae(&t, D(2024, 3, 2), AE_SORENESS, 5, 1, SER_NONE);  /* prolonged */
	ae(&t, D(2024, 3, 3), AE_STIFFNESS, -1, 1, SER_NONE); /* ongoing */
	ae(&t, D(2024, 3, 4), AE_INFECTION, -1, 2, SER_NONE);
	ae(&t, D(2024, 3, 5), AE_VASOVAGAL, 0, 2, SER_HOSPITALISATION);
	ae(&t, D(2024, 3, 6), AE_INFECTION, 10, 4, SER_NONE); /* grade 4: serious too */
	struct tc *cs[] = { &t };
	struct alert_list l = run(cs, 1, D(2024, 3, 7));
	/* stiffness from 03-03 ongoing on 03-07: 4 days, not yet */
	assert_int_equal(count(&l, ALERT_PROLONGED_SIDE_EFFECT), 1);
	assert_string_equal(find(&l, ALERT_PROLONGED_SIDE_EFFECT)->key, "prolonged_side_effect:2024-03-02:C1");
	assert_non_null(strstr(find(&l, ALERT_PROLONGED_SIDE_EFFECT)->reason, "lasted 5 days"));
	assert_int_equal(count(&l, ALERT_INFECTION), 2);
	assert_int_equal(count(&l, ALERT_SERIOUS_AE), 2);
	/* urgent first, in date order */
	assert_true(l.items[0].urgent);
	assert_string_equal(l.items[0].key, "infection:2024-03-04:C1");
	assert_string_equal(l.items[1].key, "serious_adverse_event:2024-03-05:C1");
	assert_string_equal(l.items[2].key, "infection:2024-03-06:C1");
	assert_string_equal(l.items[3].key, "serious_adverse_event:2024-03-06:C1");
	assert_false(l.items[4].urgent);
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 8));
	assert_int_equal(count(&l, ALERT_PROLONGED_SIDE_EFFECT), 2);
	alert_list_free(&l);
	/* 16 weeks after onset the alerts stop */
	l = run(cs, 1, D(2024, 3, 4) + ALERT_AE_LOOKBACK_DAYS);
	assert_non_null(find(&l, ALERT_INFECTION));
	alert_list_free(&l);
	l = run(cs, 1, D(2024, 3, 6) + ALERT_AE_LOOKBACK_DAYS + 1);
	assert_int_equal(l.n, 0);
	alert_list_free(&l);
}

static void json_shape(void **state)
{
	struct tc t;
	tc_init(&t, "C1", MOD_DEXTROSE, "low_back_pain", CS_ACTIVE, D(2024, 3, 1), 4, 14, "dx");
	sess(&t, D(2024, 3, 1));
	struct tc *cs[] = { &t };
	struct alert_list l = run(cs, 1, D(2024, 3, 14));
	json_t *j = alerts_to_json(&l);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), l.n);
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(s, "\"kind\":\"session_due\""));
	assert_non_null(strstr(s, "\"due\":\"2024-03-15\""));
	assert_non_null(strstr(s, "\"session_no\":2"));
	assert_non_null(strstr(s, "\"instruments\":[\"NRS\",\"ODI\"]"));
	assert_non_null(strstr(s, "\"patient_id\":\"P1\""));
	free(s);
	json_decref(j);
	alert_list_free(&l);
	alert_list_free(&l);
}

/* ---- acknowledgement against a real registry --------------------------- */

static void ack_in_store(void **state)
{
	char dir[] = "/tmp/prolo-alerts.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof path, "%s/r.db", dir);
	struct store *st;
	struct prolo_err err = { 0 };
	assert_int_equal(store_open(path, STORE_CREATE, &st, &err), PROLO_OK);
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "P1");
	snprintf(p.clinic, sizeof p.clinic, "C01");
	p.sex = SEX_MALE;
	struct course c;
	rec_init(REC_COURSE, &c);
	snprintf(c.course_id, sizeof c.course_id, "C1");
	snprintf(c.patient_id, sizeof c.patient_id, "P1");
	c.modality = MOD_DEXTROSE;
	snprintf(c.condition, sizeof c.condition, "low_back_pain");
	c.start_date = D(2024, 3, 1);
	c.planned_sessions = 4;
	c.interval_days = 14;
	c.status = CS_PLANNED;
	snprintf(c.protocol, sizeof c.protocol, "dx");
	assert_int_equal(store_begin(st, &err), PROLO_OK);
	assert_int_equal(registry_add(st, REC_PATIENT, &p, REG_INTERACTIVE, &err), PROLO_OK);
	assert_int_equal(registry_add(st, REC_COURSE, &c, REG_INTERACTIVE, &err), PROLO_OK);
	assert_int_equal(store_commit(st, &err), PROLO_OK);

	struct alert_list l;
	assert_int_equal(alerts_compute(st, D(2024, 3, 2), NULL, &lib, &l, &err), PROLO_OK);
	assert_non_null(find(&l, ALERT_SESSION_DUE));
	char key[ALERT_KEY_MAX];
	snprintf(key, sizeof key, "%s", find(&l, ALERT_SESSION_DUE)->key);
	size_t before = l.n;
	alert_list_free(&l);
	assert_int_equal(alerts_compute(st, D(2024, 3, 2), "C99", &lib, &l, &err), PROLO_OK);
	assert_int_equal(l.n, 0);
	alert_list_free(&l);

	/* bad keys and names */
	const char *bad[] = { "", "session_due", "nope:2024-03-01:C1", "session_due:2024-02-30:C1",
	                      "session_due:2024-03-01:", "session_due:2024-03-01C1", "session_due:2024-03-01:a b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(alerts_ack(st, bad[i], "Nurse", NULL, &err), PROLO_EINVAL);
		assert_string_equal(err.field, "key");
	}
	assert_int_equal(alerts_ack(st, key, "", NULL, &err), PROLO_EINVAL);
	assert_string_equal(err.field, "by");
	assert_int_equal(alerts_ack(st, "silent:2024-03-01:NOPE", "Nurse", NULL, &err), PROLO_ENOTFOUND);

	assert_int_equal(store_begin(st, &err), PROLO_OK);
	assert_int_equal(alerts_ack(st, key, "Nurse Joy", "booked for 03-01", &err), PROLO_OK);
	assert_int_equal(store_commit(st, &err), PROLO_OK);
	assert_int_equal(alerts_ack(st, key, "Nurse Joy", NULL, &err), PROLO_ECONFLICT);
	assert_non_null(strstr(err.msg, "Nurse Joy"));

	assert_int_equal(alerts_compute(st, D(2024, 3, 2), NULL, &lib, &l, &err), PROLO_OK);
	assert_int_equal(l.n, before - 1);
	assert_null(find(&l, ALERT_SESSION_DUE));
	alert_list_free(&l);
	/* something new (the session is now overdue): a new key, back on the list */
	assert_int_equal(alerts_compute(st, D(2024, 3, 6), NULL, &lib, &l, &err), PROLO_OK);
	assert_non_null(find(&l, ALERT_SESSION_OVERDUE));
	alert_list_free(&l);

	store_close(st);
	char f[96];
	const char *sfx[] = { "", "-wal", "-shm" };
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof f, "%s%s", path, sfx[i]);
		unlink(f);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_due_and_overdue),
		cmocka_unit_test(first_session_and_no_interval),
		cmocka_unit_test(questionnaire_due),
		cmocka_unit_test(silent_without_sessions_left),
		cmocka_unit_test(slow_progress_with_comparables),
		cmocka_unit_test(adverse_events),
		cmocka_unit_test(json_shape),
		cmocka_unit_test(ack_in_store),
	};
	return cmocka_run_group_tests(tests, setup_lib, teardown_lib);
}
