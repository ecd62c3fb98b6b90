/* The outbox (app/app_outreach.h): queue what the follow-up rules say is
 * due, raise phone tasks, send within quiet hours and the rate limit.
 *
 * At most once. Before talking to the mail server the attempt is recorded
 * as 'sending' in a committed row; afterwards it is settled. A run that
 * finds a 'sending' row (its process stopped in between, e.g. killed)
 * settles it as 'unknown' and does not resend: the message may have
 * arrived, and a duplicate health-care message is worse than a missing
 * one, which the phone task after the last step catches. Only one process
 * per registry runs the outbox: the one holding the lease (a row with an
 * expiry, renewed while it works; taken over when it expires or its holder
 * died on this machine), so a 'sending' row seen by the holder is a stopped
 * run's. A message moves from 'queued' to 'sending' only if it is still
 * queued with the same number of tries, so even two runs that both believe
 * they hold the lease never send one message twice. */
#include "app/app_outreach.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/grow.h"
#include "core/domain.h"
#include "outreach/message.h"
#include "security/auth.h"

/* ---- planning: what is due --------------------------------------------- */

enum act_kind { ACT_QUEUE, ACT_TASK, ACT_CANCEL };
struct act {
	enum act_kind kind;
	struct store_omsg m;   /* ACT_QUEUE: the message; ACT_CANCEL: m.id, m.tries, m.next_try */
	struct store_otask t;  /* ACT_TASK */
};
struct plan_run {
	struct app_ctx *cx;
	const struct outreach_config *conf;
	const struct fu_reminders *rem;
	struct act *acts;
	size_t n, cap;
};

static enum prolo_code push(struct plan_run *pr, const struct act *a, struct prolo_err *err)
{
	enum prolo_code rc = grow_array(&pr->acts, &pr->cap, pr->n + 1, sizeof *pr->acts, 64, err);
	if (rc)
		return rc;
	pr->acts[pr->n++] = *a;
	return PROLO_OK;
}

static bool reachable(const struct outreach_config *conf, const struct store_contact *c, bool have,
                      const char **why);
static enum prolo_code conf_ready(const struct outreach_config *conf, struct fu_reminders *rem,
                                  struct prolo_err *err);

/* The steps already taken for pt, from the course's outbox rows. */
static void sent_of(const struct store_fu_course *r, int point_day, struct fu_sent *s)
{
	*s = (struct fu_sent){ 0, DOM_DATE_NONE, DOM_DATE_NONE };
	for (size_t k = 0; k < r->n_msgs; k++) {
		const struct store_fu_msg *m = &r->msgs[k];
		if (m->point_day != point_day)
			continue;
		if (m->step + 1 > s->steps)
			s->steps = m->step + 1;
		if (m->step == 0)
			s->invited_on = m->created_on;
		if (s->last_on == DOM_DATE_NONE || m->created_on > s->last_on)
			s->last_on = m->created_on;
	}
}

static bool has_task(const struct store_fu_course *r, int kind, int point_day)
{
	for (size_t k = 0; k < r->n_tasks; k++)
		if (r->task_kind[k] == kind && r->task_point_day[k] == point_day)
			return true;
	return false;
}

static enum prolo_code plan_one_course(void *p, const struct store_fu_course *r, struct prolo_err *err)
{
	struct plan_run *pr = p;
	struct app_ctx *cx = pr->cx;
	const char *why = NULL;
	bool ok = reachable(pr->conf, &r->contact, r->have_contact, &why);
	const struct protocol *proto = cx->protocols && r->protocol[0] ? protocol_find(cx->protocols, r->protocol)
	                                                                : NULL;
	struct fu_plan pl;
	followup_plan(proto, r->condition_name, r->start_date, &pl);
	enum prolo_code rc;
	for (size_t i = 0; i < pl.n; i++) {
		const struct fu_point *pt = &pl.pts[i];
		if (pt->due > cx->today && r->n_msgs == 0)
			continue; /* not due, nothing queued: nothing to do (most courses) */
		struct fu_sent s;
		sent_of(r, pt->offset_days, &s);
		uint32_t answered = followup_answered(pt, r->out_date, r->out_instrument, r->n_outcomes);
		enum fu_status st = followup_status(pt, answered, ok, &s, cx->today);
		bool pending = false;
		for (size_t k = 0; k < r->n_msgs; k++) {
			const struct store_fu_msg *m = &r->msgs[k];
			if (m->point_day != pt->offset_days || (m->state != OM_QUEUED && m->state != OM_SENDING))
				continue;
			if (m->state == OM_QUEUED && (st == FU_ANSWERED || st == FU_MISSED || st == FU_NOT_CONTACTABLE)) {
				struct act a = { .kind = ACT_CANCEL };
				a.m.id = m->id;
				a.m.tries = m->tries;
				a.m.next_try = m->next_try;
				snprintf(a.m.course_id, sizeof a.m.course_id, "%s", r->course_id);
				if ((rc = push(pr, &a, err)))
					return rc;
			} else {
				pending = true; /* one step at a time */
			}
		}
		if (pending)
			continue;
		int step = 0;
		enum fu_action fa = followup_next(pt, answered, ok, &s, pr->rem, cx->today, &step);
		if (fa == FU_SEND) {
			struct act a = { .kind = ACT_QUEUE };
			snprintf(a.m.course_id, sizeof a.m.course_id, "%s", r->course_id);
			a.m.point_day = pt->offset_days;
			a.m.step = step;
			a.m.due = pt->due;
			a.m.window_end = pt->window_end;
			a.m.instruments = pt->instruments & ~answered;
			a.m.channel = r->contact.channel;
			a.m.state = OM_QUEUED;
			a.m.next_try = cx->now;
			a.m.created_at = cx->now;
			a.m.created_on = cx->today;
			if ((rc = push(pr, &a, err)))
				return rc;
		} else if (fa == FU_PHONE_TASK && !has_task(r, OT_FOLLOWUP_UNANSWERED, pt->offset_days)) {
			struct act a = { .kind = ACT_TASK };
			snprintf(a.t.course_id, sizeof a.t.course_id, "%s", r->course_id);
			a.t.kind = OT_FOLLOWUP_UNANSWERED;
			a.t.point_day = pt->offset_days;
			a.t.due = cx->today;
			if (ok)
				snprintf(a.t.detail, sizeof a.t.detail,
				         "The %d-day follow-up was not answered after the invitation and %d reminder%s: call the patient.",
				         pt->offset_days, pr->rem->n, pr->rem->n == 1 ? "" : "s");
			else
				snprintf(a.t.detail, sizeof a.t.detail,
				         "The %d-day follow-up is due and the patient cannot be contacted by machine (%s): call the patient.",
				         pt->offset_days, why ? why : "?");
			if ((rc = push(pr, &a, err)))
				return rc;
		}
	}
	return PROLO_OK;
}

static enum prolo_code apply(struct app_ctx *cx, const struct act *a, struct app_outbox_stats *stats,
                             struct prolo_err *err)
{
	enum prolo_code rc;
	char detail[64];
	switch (a->kind) {
	case ACT_QUEUE: {
		struct store_omsg m = a->m;
		rc = store_omsg_add(cx->st, &m, err);
		if (rc == PROLO_ECONFLICT) {
			prolo_err_clear(err);
			return PROLO_OK; /* queued by an earlier run: never twice */
		}
		if (rc)
			return rc;
		stats->queued++;
		snprintf(detail, sizeof detail, "message %lld day %d step %d", (long long)m.id, m.point_day, m.step);
		return app_audit(cx, "outbox.queue", "course", m.course_id, detail, err);
	}
	case ACT_TASK:
		stats->tasks++;
		return store_otask_add(cx->st, &a->t, err);
	case ACT_CANCEL:
		stats->cancelled++;
		if ((rc = store_omsg_set(cx->st, a->m.id, OM_CANCELLED, a->m.tries, a->m.next_try, err)))
			return rc;
		snprintf(detail, sizeof detail, "message %lld no longer needed", (long long)a->m.id);
		return app_audit(cx, "outbox.cancel", "course", a->m.course_id, detail, err);
	}
	return PROLO_OK;
}

/* ---- settling a stopped run's 'sending' rows --------------------------- */

struct idlist {
	struct store_omsg *m;
	size_t n, cap;
};
static enum prolo_code collect(void *p, const struct store_omsg *m, struct prolo_err *err)
{
	struct idlist *l = p;
	enum prolo_code rc = grow_array(&l->m, &l->cap, l->n + 1, sizeof *l->m, 32, err);
	if (!rc)
		l->m[l->n++] = *m;
	return rc;
}

static enum prolo_code resolve_sending(struct app_ctx *cx, struct app_outbox_stats *stats,
                                       struct prolo_err *err)
{
	struct idlist l = { 0 };
	struct store_omsg_filter f = { .state = OM_SENDING };
	enum prolo_code rc = store_omsg_scan(cx->st, &f, collect, &l, err);
	for (size_t i = 0; !rc && i < l.n; i++) {
		const struct store_omsg *m = &l.m[i];
		if ((rc = app_unit_begin(cx, err)))
			break;
		rc = store_oattempt_settle(cx->st, m->id, m->tries, OR_UNKNOWN,
		                           "the sending process stopped before the server's answer was recorded; not resent",
		                           0, NULL, err);
		if (!rc)
			rc = store_omsg_set(cx->st, m->id, OM_UNKNOWN, m->tries, 0, err);
		if (!rc) {
			char detail[64];
			snprintf(detail, sizeof detail, "message %lld unknown (interrupted)", (long long)m->id);
			rc = app_audit(cx, "outbox.resolve", "course", m->course_id, detail, err);
		}
		if ((rc = app_unit_end(cx, rc, err)))
			break;
		stats->resolved++;
	}
	free(l.m);
	return rc;
}

/* ---- sending ------------------------------------------------------------ */

static int64_t day_end(int32_t day)
{
	return ((int64_t)day + 1) * 86400; /* midnight UTC after the day */
}

/* Whether the outbox may reach the patient now: app_contactable, and an
 * SMS provider configured for the channel sms. */
static bool reachable(const struct outreach_config *conf, const struct store_contact *c, bool have,
                      const char **why)
{
	if (!app_contactable(c, have, why))
		return false;
	if (c->channel == CH_SMS && !conf->sms_url[0]) {
		if (why)
			*why = "no SMS provider is configured (sms_url)";
		return false;
	}
	return true;
}

/* What a send left to record: written in the same unit as the next
 * message's claim (one commit per message), or alone at the end. */
struct settle_job {
	bool pending;
	struct store_omsg m;
	struct store_contact c;
	int n;                      /* the attempt */
	bool sms;
	struct outreach_outcome oc;
};

/* Records job's outcome inside the caller's unit. */
static enum prolo_code settle(struct app_ctx *cx, const struct outreach_config *conf, struct settle_job *job,
                              struct app_outbox_stats *stats, struct prolo_err *err)
{
	const struct store_omsg *mp = &job->m;
	struct store_contact c = job->c;
	bool sms = job->sms;
	int at_n = job->n;
	enum prolo_code rc;
	int result = OR_UNKNOWN, state = OM_UNKNOWN;
	int64_t next = 0;
	bool bad = false;
	switch (job->oc.result) {
	case ORES_ACCEPTED:
		result = OR_ACCEPTED, state = OM_SENT;
		stats->accepted++;
		break;
	case ORES_TEMPORARY:
		result = OR_TEMPORARY;
		stats->temporary++;
		if (at_n < conf->max_tries) {
			state = OM_QUEUED;
			int shift = at_n - 1 < 16 ? at_n - 1 : 16;
			next = cx->now + ((int64_t)conf->backoff_s << shift);
		} else {
			state = OM_FAILED;
		}
		break;
	case ORES_PERMANENT:
		result = OR_PERMANENT, state = OM_FAILED, bad = true;
		stats->permanent++;
		break;
	case ORES_UNKNOWN:
		result = OR_UNKNOWN, state = OM_UNKNOWN;
		stats->unknown++;
		break;
	}
	rc = store_oattempt_settle(cx->st, mp->id, at_n, result, job->oc.reply, next, job->oc.provider_id, err);
	if (!rc)
		rc = store_omsg_set(cx->st, mp->id, state, at_n, next ? next : mp->next_try, err);
	if (!rc && (bad || state == OM_FAILED)) {
		const char *why = bad ? (sms ? "The SMS provider refused the patient's mobile number for good: check and correct it."
		                             : "The mail server refused the patient's e-mail address for good: check and correct it.")
		                      : (sms ? "The follow-up SMS could not be delivered after every retry: check the number or call."
		                             : "The follow-up e-mail could not be delivered after every retry: check the address or call.");
		rc = app_outbox_contact_fix(cx, mp, bad ? &c : NULL, sms, why, err);
		if (!rc)
			stats->tasks++;
	}
	if (!rc) {
		char detail[96];
		snprintf(detail, sizeof detail, "message %lld try %d %s", (long long)mp->id, at_n, store_oresult_names[result]);
		rc = app_audit(cx, "outbox.result", "course", mp->course_id, detail, err);
	}
	return rc;
}

enum prolo_code app_outbox_contact_fix(struct app_ctx *cx, const struct store_omsg *m, struct store_contact *bad,
                                       bool sms, const char *why, struct prolo_err *err)
{
	enum prolo_code rc = PROLO_OK;
	if (bad) {
		if (sms)
			bad->mobile_bad = true;
		else
			bad->email_bad = true;
		bad->updated_at = cx->now;
		rc = store_contact_put(cx->st, bad, err);
	}
	struct store_otask t;
	memset(&t, 0, sizeof t);
	snprintf(t.course_id, sizeof t.course_id, "%s", m->course_id);
	t.kind = OT_CONTACT_FIX;
	t.point_day = m->point_day;
	t.due = cx->today;
	snprintf(t.detail, sizeof t.detail, "%s", why);
	return rc ? rc : store_otask_add(cx->st, &t, err);
}

/* Settles what job holds, alone. */
static enum prolo_code settle_alone(struct app_ctx *cx, const struct outreach_config *conf, struct settle_job *job,
                                    struct app_outbox_stats *stats, struct prolo_err *err)
{
	if (!job->pending)
		return PROLO_OK;
	enum prolo_code rc = app_unit_begin(cx, err);
	if (rc)
		return rc;
	rc = settle(cx, conf, job, stats, err);
	job->pending = false;
	return app_unit_end(cx, rc, err);
}

static enum prolo_code send_one(struct app_ctx *cx, const struct outreach_config *conf,
                                struct outreach_conn *conn, const struct store_omsg *m0,
                                struct settle_job *job, struct app_outbox_stats *stats, struct prolo_err *err)
{
	struct store_omsg m = *m0;
	struct store_contact c;
	enum prolo_code rc = store_contact_get(cx->st, m.patient_id, &c, err);
	if (rc && rc != PROLO_ENOTFOUND)
		return rc;
	if (!reachable(conf, &c, rc == PROLO_OK, NULL) || m.window_end < cx->today) {
		stats->cancelled++;
		if ((rc = settle_alone(cx, conf, job, stats, err)) || (rc = app_unit_begin(cx, err)))
			return rc;
		rc = store_omsg_set(cx->st, m.id, OM_CANCELLED, m.tries, m.next_try, err);
		if (!rc)
			rc = app_audit(cx, "outbox.cancel", "course", m.course_id, "not contactable or window passed", err);
		return app_unit_end(cx, rc, err);
	}
	bool sms = c.channel == CH_SMS;
	struct patient p;
	rec_init(REC_PATIENT, &p);
	snprintf(p.patient_id, sizeof p.patient_id, "%s", m.patient_id);
	if ((rc = store_get(cx->st, REC_PATIENT, &p, err)))
		return rc;

	/* 1. The attempt, committed as 'sending' with its links. */
	char tokens[OUTREACH_LINKS_MAX][AUTH_TOKEN_HEX];
	char urls[OUTREACH_LINKS_MAX][AUTH_TOKEN_HEX + 300];
	char optout_tok[AUTH_TOKEN_HEX], optout_url[AUTH_TOKEN_HEX + 300];
	size_t n_links = 0;
	struct store_oattempt at;
	memset(&at, 0, sizeof at);
	at.message_id = m.id;
	at.n = m.tries + 1;
	at.channel = sms ? CH_SMS : CH_EMAIL;
	at.at = cx->now;
	at.result = OR_SENDING;
	auth_new_token(optout_tok);
	auth_token_hash(optout_tok, at.optout_hash);
	if (!sms) {
		/* The Message-ID a bounce quotes: random (128 bits), at the sender's
		 * domain, stored with the attempt before it is sent. */
		char rnd[33];
		unsigned char rb[16];
		randombytes_buf(rb, sizeof rb);
		sodium_bin2hex(rnd, sizeof rnd, rb, sizeof rb);
		const char *dom = strchr(conf->from, '@');
		snprintf(at.msgid, sizeof at.msgid, "%s@%s", rnd, dom ? dom + 1 : "prolo");
	}
	if ((rc = app_unit_begin(cx, err)))
		goto out;
	/* The previous message's outcome and this one's claim: one commit. */
	if (job->pending) {
		rc = settle(cx, conf, job, stats, err);
		job->pending = false;
	}
	/* Still queued with the same tries, or another run has it. */
	bool taken = false;
	if (!rc && (rc = store_omsg_claim(cx->st, m.id, m.tries, err)) == PROLO_ECONFLICT) {
		taken = true;
		stats->skipped++;
		rc = PROLO_OK;
		prolo_err_clear(err);
	}
	for (int in = 0; !rc && !taken && in < INSTR__COUNT && n_links < OUTREACH_LINKS_MAX; in++) {
		if (!(m.instruments & (1u << in)))
			continue;
		struct store_qlink q;
		memset(&q, 0, sizeof q);
		auth_new_token(tokens[n_links]);
		auth_token_hash(tokens[n_links], q.token_hash);
		snprintf(q.patient_id, sizeof q.patient_id, "%s", m.patient_id);
		snprintf(q.course_id, sizeof q.course_id, "%s", m.course_id);
		q.instrument = in;
		snprintf(q.created_by, sizeof q.created_by, "outbox");
		q.created_at = cx->now;
		q.expires_at = day_end(m.window_end);
		rc = store_qlink_add(cx->st, &q, err);
		snprintf(urls[n_links], sizeof urls[n_links], "%s/q/%s", conf->base_url, tokens[n_links]);
		n_links++;
	}
	if (!rc && !taken)
		rc = store_oattempt_add(cx->st, &at, err);
	if (!rc && !taken) {
		char detail[64];
		snprintf(detail, sizeof detail, "message %lld step %d try %d", (long long)m.id, m.step, at.n);
		rc = app_audit(cx, "outbox.send", "course", m.course_id, detail, err);
	}
	if ((rc = app_unit_end(cx, rc, err)) || taken)
		goto out;

	/* 2. The message, then the server or the provider. */
	snprintf(optout_url, sizeof optout_url, "%s/optout/%s", conf->base_url, optout_tok);
	char clinic[128];
	snprintf(clinic, sizeof clinic, "%s", conf->clinic_name[0] ? conf->clinic_name : p.clinic);
	struct outreach_msg om = {
		.from = conf->from, .to = c.email, .first_name = p.first_name, .clinic_name = clinic,
		.step = m.step, .n_links = n_links, .optout_url = optout_url, .message_id = at.msgid,
		.date = cx->now,
	};
	for (size_t i = 0; i < n_links; i++)
		om.links[i] = urls[i];
	struct buf body = { 0 };
	struct outreach_outcome oc;
	struct prolo_err berr = { 0 };
	if (sms ? outreach_sms_text(&om, &body, &berr) : outreach_msg_build(&om, &body, &berr)) {
		memset(&oc, 0, sizeof oc);
		oc.result = ORES_PERMANENT;
		snprintf(oc.reply, sizeof oc.reply, "the message could not be built (%s)", berr.field);
	} else if (sms) {
		/* The reference is the message's, the same on every try: the
		 * provider drops a repeat of one it has already taken. */
		char ref[40];
		snprintf(ref, sizeof ref, "prolo-%lld", (long long)m.id);
		if (!buf_add(&body, "", 1)) /* NUL-terminated text */
			outreach_sms_send(conf, conn, c.mobile, body.data, ref, &oc);
		else
			oc.result = ORES_PERMANENT, snprintf(oc.reply, sizeof oc.reply, "the message could not be built");
	} else {
		outreach_smtp_send(conf, conn, c.email, body.data, body.len, &oc);
	}
	sodium_memzero(body.data, body.len);
	buf_free(&body);

	/* 3. Settled with the next message's claim, or alone at the end. */
	job->pending = true;
	job->m = m;
	job->c = c;
	job->n = at.n;
	job->sms = sms;
	job->oc = oc;
out:
	for (size_t i = 0; i < n_links; i++)
		sodium_memzero(tokens[i], sizeof tokens[i]);
	sodium_memzero(optout_tok, sizeof optout_tok);
	sodium_memzero(urls, sizeof urls);
	sodium_memzero(optout_url, sizeof optout_url);
	return rc;
}

enum prolo_code app_outbox_check(const struct outreach_config *conf, struct prolo_err *err)
{
	struct fu_reminders rem;
	return conf_ready(conf, &rem, err);
}

static enum prolo_code conf_ready(const struct outreach_config *conf, struct fu_reminders *rem,
                                  struct prolo_err *err)
{
	if (!app_outreach_reminders(conf, rem))
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "reminder_days: increasing days (1-90), at most %d, e.g. 3,7",
		                     FU_REMINDERS_MAX);
	if (!conf->smtp_url[0] && !conf->sms_url[0])
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "neither smtp_url nor sms_url is set");
	if (conf->smtp_url[0] && !conf->from[0])
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "from is not set");
	if (!conf->base_url[0])
		return prolo_err_set(err, PROLO_EINVAL, "outreach", "base_url is not set");
	return PROLO_OK;
}

/* ---- the lease ---------------------------------------------------------- */

void app_outbox_runner_init(struct app_outbox_runner *r, const struct outreach_config *conf, const char *tag)
{
	memset(r, 0, sizeof *r);
	outreach_self(r->lease.host, sizeof r->lease.host, &r->lease.pid);
	unsigned char rb[4];
	char rnd[9];
	randombytes_buf(rb, sizeof rb);
	sodium_bin2hex(rnd, sizeof rnd, rb, sizeof rb);
	snprintf(r->lease.holder, sizeof r->lease.holder, "%.40s pid %d %s #%s", r->lease.host, r->lease.pid,
	         tag ? tag : "", rnd);
	/* Longer than one message can take, with room for the planning. */
	r->lease_s = 2 * conf->timeout_s + 120;
}

enum prolo_code app_outbox_lease(struct app_ctx *cx, struct app_outbox_runner *r, bool *got,
                                 struct store_olease *cur, struct prolo_err *err)
{
	bool found = false;
	enum prolo_code rc = store_olease_get(cx->st, cur, &found, err);
	if (rc)
		return rc;
	const char *stale = found && strcmp(cur->holder, r->lease.holder) != 0 &&
	                    !outreach_holder_alive(cur->host, cur->pid) ? cur->holder : NULL;
	char was[sizeof cur->holder];
	snprintf(was, sizeof was, "%s", found ? cur->holder : "");
	int64_t now = clock_now();
	r->lease.expires_at = now + r->lease_s;
	if ((rc = store_olease_take(cx->st, &r->lease, now, stale, got, cur, err)))
		return rc;
	r->renewed_at = now;
	if (*got && strcmp(was, r->lease.holder) != 0) {
		char detail[160];
		snprintf(detail, sizeof detail, "%s%s", was[0] ? "taken over from " : "taken", was[0] ? was : "");
		rc = app_audit(cx, "outbox.lease", NULL, NULL, detail, err);
	}
	return rc;
}

enum prolo_code app_outbox_release(struct app_ctx *cx, struct app_outbox_runner *r, struct prolo_err *err)
{
	return store_olease_release(cx->st, r->lease.holder, err);
}

static bool nap(void *ctx, long ms)
{
	(void)ctx;
	if (ms > 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return false;
}

/* ---- one pass ----------------------------------------------------------- */

enum prolo_code app_outbox_pass(struct app_ctx *cx, const struct outreach_config *conf, bool send,
                                struct app_outbox_runner *r, struct app_outbox_stats *stats,
                                struct prolo_err *err)
{
	memset(stats, 0, sizeof *stats);
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	struct fu_reminders rem;
	if (rc || (rc = conf_ready(conf, &rem, err)))
		return rc;
	if ((rc = resolve_sending(cx, stats, err)))
		return rc;
	/* Plan: read every course, then write what is due in one unit. */
	struct plan_run pr = { cx, conf, &rem, NULL, 0, 0 };
	rc = store_scan_followup(cx->st, plan_one_course, &pr, err);
	if (!rc && pr.n) {
		if (!(rc = app_unit_begin(cx, err))) {
			for (size_t i = 0; !rc && i < pr.n; i++)
				rc = apply(cx, &pr.acts[i], stats, err);
			rc = app_unit_end(cx, rc, err);
		}
	}
	free(pr.acts);
	if (rc || !send)
		return rc;
	if (outreach_quiet(conf, clock_local_minute(cx->now))) {
		stats->quiet = true;
		return PROLO_OK;
	}
	/* The rate limit holds across runs: what went out in the last minute
	 * counts. */
	int64_t recent = 0;
	if ((rc = store_oattempt_count_since(cx->st, cx->now - 59, &recent, err)))
		return rc;
	int budget = conf->max_per_run;
	if (conf->rate_per_minute - recent < budget)
		budget = (int)(conf->rate_per_minute - recent);
	if (budget <= 0) {
		stats->rate_limited = true;
		return PROLO_OK;
	}
	struct idlist ready = { 0 };
	struct store_omsg_filter rf = { .state = OM_QUEUED, .ready_at = cx->now, .limit = budget };
	if ((rc = store_omsg_scan(cx->st, &rf, collect, &ready, err))) {
		free(ready.m);
		return rc;
	}
	if (ready.n == (size_t)budget && budget < conf->max_per_run)
		stats->rate_limited = true;
	/* The budget keeps to the limit over any minute; within it messages go
	 * one after the other, the connection kept open between them. */
	struct outreach_conn conn = { 0 };
	struct settle_job job = { .pending = false };
	for (size_t i = 0; !rc && i < ready.n; i++) {
		if (r->wait(r->ctx, 0)) {
			stats->stopped = true;
			break;
		}
		cx->now = clock_now();
		if (cx->now - r->renewed_at > r->lease_s / 3) {
			bool got = false;
			struct store_olease cur;
			if ((rc = app_outbox_lease(cx, r, &got, &cur, err)))
				break;
			if (!got) {
				stats->lease_lost = true;
				break;
			}
		}
		rc = send_one(cx, conf, &conn, &ready.m[i], &job, stats, err);
	}
	if (job.pending) {
		struct prolo_err e2 = { 0 };
		enum prolo_code rc2 = settle_alone(cx, conf, &job, stats, rc ? &e2 : err);
		if (!rc)
			rc = rc2;
	}
	outreach_conn_close(&conn);
	free(ready.m);
	return rc;
}

enum prolo_code app_outbox_run(struct app_ctx *cx, const struct outreach_config *conf, bool send,
                               struct app_outbox_stats *stats, struct prolo_err *err)
{
	memset(stats, 0, sizeof *stats);
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct app_outbox_runner r;
	app_outbox_runner_init(&r, conf, "run");
	r.wait = nap;
	bool got = false;
	struct store_olease cur;
	if ((rc = app_outbox_lease(cx, &r, &got, &cur, err)))
		return rc;
	if (!got) {
		char until[32];
		time_t t = (time_t)cur.expires_at;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return prolo_err_set(err, PROLO_ECONFLICT, "outreach",
		                     "the outbox is being run by %s (its lease runs until %s); nothing was done",
		                     cur.holder, until);
	}
	rc = app_outbox_pass(cx, conf, send, &r, stats, err);
	struct prolo_err e2 = { 0 };
	app_outbox_release(cx, &r, &e2);
	return rc;
}

/* ---- managing messages -------------------------------------------------- */

static enum prolo_code set_state(struct app_ctx *cx, int64_t id, bool retry, struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	struct store_omsg m;
	if (rc || (rc = store_omsg_get(cx->st, id, &m, err)))
		return rc;
	bool ok = retry ? (m.state == OM_FAILED || m.state == OM_UNKNOWN || m.state == OM_QUEUED)
	                : (m.state == OM_QUEUED || m.state == OM_FAILED);
	if (!ok)
		return prolo_err_set(err, PROLO_ECONFLICT, "id", "message %lld is %s", (long long)id,
		                     store_omsg_state_names[m.state]);
	if ((rc = app_unit_begin(cx, err)))
		return rc;
	rc = store_omsg_set(cx->st, id, retry ? OM_QUEUED : OM_CANCELLED, m.tries, cx->now, err);
	if (!rc) {
		char detail[64];
		snprintf(detail, sizeof detail, "message %lld", (long long)id);
		rc = app_audit(cx, retry ? "outbox.retry" : "outbox.cancel", "course", m.course_id, detail, err);
	}
	return app_unit_end(cx, rc, err);
}

enum prolo_code app_outbox_retry(struct app_ctx *cx, int64_t id, struct prolo_err *err)
{
	return set_state(cx, id, true, err);
}

enum prolo_code app_outbox_cancel(struct app_ctx *cx, int64_t id, struct prolo_err *err)
{
	return set_state(cx, id, false, err);
}

enum prolo_code app_outbox_list(struct app_ctx *cx, int state, store_omsg_fn fn, void *ctx,
                                struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	struct store_omsg_filter f = { .state = state == APP_OUTBOX_UNDELIVERED ? -1 : state,
	                               .undelivered = state == APP_OUTBOX_UNDELIVERED };
	if ((rc = store_omsg_scan(cx->st, &f, fn, ctx, err)))
		return rc;
	return app_audit(cx, "outbox.list", NULL, NULL, "", err);
}

enum prolo_code app_outbox_test(struct app_ctx *cx, const struct outreach_config *conf,
                                const char *address, struct outreach_outcome *out,
                                struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_OUTBOX, NULL, NULL, NULL, err);
	if (rc)
		return rc;
	bool sms = address && address[0] == '+';
	if ((rc = sms ? contact_mobile_check(address, "address", err) : contact_email_check(address, "address", err)))
		return rc;
	if (sms ? !conf->sms_url[0] : (!conf->smtp_url[0] || !conf->from[0]))
		return prolo_err_set(err, PROLO_EINVAL, "outreach", sms ? "sms_url must be set" : "smtp_url and from must be set");
	struct outreach_msg om = {
		.from = sms ? NULL : conf->from, .to = address, .first_name = "", .clinic_name =
		conf->clinic_name[0] ? conf->clinic_name : "prolo", .step = 0, .n_links = 0,
		.optout_url = NULL, .message_id = "test@prolo", .date = cx->now,
	};
	struct buf body = { 0 };
	if ((rc = sms ? outreach_sms_text(&om, &body, err) : outreach_msg_build(&om, &body, err)))
		return rc;
	struct outreach_conn conn = { 0 };
	if (sms) {
		if (!(rc = buf_add(&body, "", 1)))
			outreach_sms_send(conf, &conn, address, body.data, "prolo-test", out);
	} else {
		outreach_smtp_send(conf, &conn, address, body.data, body.len, out);
	}
	outreach_conn_close(&conn);
	buf_free(&body);
	if (rc)
		return prolo_err_set(err, rc, "", "out of memory");
	return app_audit(cx, "outbox.test", NULL, NULL, store_oresult_names[out->result == ORES_ACCEPTED ? OR_ACCEPTED
	                 : out->result == ORES_PERMANENT ? OR_PERMANENT : out->result == ORES_UNKNOWN ? OR_UNKNOWN
	                 : OR_TEMPORARY], err);
}
