/* prolo simulate: synthetic registries (CSV or straight into a registry),
 * simulated randomised trials with their power, the calibration table and
 * the parameter table. The model is pure (src/sim); this file parses
 * options, writes files and reports progress. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/cli_plan.h"
#include "core/clock.h"
#include "core/instruments.h"
#include "report/report.h"
#include "registry/csvio.h"
#include "core/privfile.h"
#include "core/buf.h"
#include "sim/sim.h"
#include "sim/sim_csv.h"
#include "sim/sim_trial.h"

#define FLUSH_AT ((size_t)1 << 20)

/* Parses a decimal unsigned 64-bit integer; false on anything else. */
static bool parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* --seed into *seed when given: 0, or the usage error's status. */
static int opt_seed(struct cli_ctx *ctx, const struct cli_args *ca, uint64_t *seed)
{
	const char *v = cli_get(ca, "seed");
	if (v && !parse_u64(v, seed))
		return cli_usage(ctx, "--seed: expected an unsigned integer, got '%s'", v);
	return 0;
}

/* --- CSV output ------------------------------------------------------- */

/* Writes and empties b. PROLO_EDB naming path when the write fails. */
static enum prolo_code flush_buf(FILE *f, struct buf *b, const char *path,
                                 struct prolo_err *err)
{
	if (b->len && fwrite(b->data, 1, b->len, f) != b->len)
		return prolo_err_set(err, PROLO_EDB, path, "cannot write: %s", strerror(errno));
	buf_reset(b);
	return PROLO_OK;
}

/* Simulates patients [0, patients) into the five CSV files in dir (created
 * if missing, files replaced). Returns PROLO_OK, or an error in *err with the
 * files partly written (PROLO_EINVAL for a bad directory, PROLO_EDB for a
 * failed write, PROLO_ENOMEM). Progress lines go to errs when asked. */
static enum prolo_code write_csv_dir(const char *dir, uint64_t patients, const struct sim_config *cfg,
                                     const struct sim_csv_opts *opts,
                                     bool progress, FILE *errs, struct prolo_err *err)
{
	struct sim_params p;
	sim_params_default(&p);
	const int nf = sim_csv_files(opts);
	struct buf bufs[SIM_CSV__COUNT];
	FILE *files[SIM_CSV__COUNT] = { NULL };
	char paths[SIM_CSV__COUNT][4096];
	struct sim_patient *pt = malloc(sizeof *pt);
	enum prolo_code rc = PROLO_OK;
	for (int i = 0; i < SIM_CSV__COUNT; i++)
		buf_init(&bufs[i], 0);
	if (!pt) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		goto done;
	}
	if (privfile_mkdir(dir) != 0) {
		rc = prolo_err_set(err, PROLO_EINVAL, "--out", "cannot create %s: %s", dir,
		                   strerror(errno));
		goto done;
	}
	for (int i = 0; i < nf; i++) {
		int n = snprintf(paths[i], sizeof paths[i], "%s/%s", dir, sim_csv_names[i]);
		if (n < 0 || (size_t)n >= sizeof paths[i]) {
			rc = prolo_err_set(err, PROLO_EINVAL, "--out", "directory name too long");
			goto done;
		}
		files[i] = privfile_fopen(paths[i]);
		if (!files[i]) {
			rc = prolo_err_set(err, PROLO_EINVAL, "--out", "cannot write %s: %s",
			                   paths[i], strerror(errno));
			goto done;
		}
	}
	if ((rc = sim_csv_headers(opts, bufs)))
		goto nomem;
	int64_t course_id = 1;
	uint64_t step = patients / 20 ? patients / 20 : 1;
	bool tty = isatty(fileno(errs));
	for (uint64_t i = 0; i < patients; i++) {
		sim_patient_generate(&p, cfg, i, course_id, pt);
		course_id += pt->n_courses;
		if ((rc = sim_csv_patient(pt, opts, bufs)))
			goto nomem;
		for (int f = 0; f < nf; f++)
			if (bufs[f].len >= FLUSH_AT &&
			    (rc = flush_buf(files[f], &bufs[f], paths[f], err)))
				goto done;
		if (progress && (i + 1) % step == 0 && i + 1 < patients)
			fprintf(errs, "simulate: %3d %% (%" PRIu64 " of %" PRIu64 " patients)%s",
			        (int)((i + 1) * 100 / patients), i + 1, patients, tty ? "\r" : "\n");
	}
	for (int f = 0; f < nf; f++)
		if ((rc = flush_buf(files[f], &bufs[f], paths[f], err)))
			goto done;
	if (progress)
		fprintf(errs, "simulate: 100 %% (%" PRIu64 " patients)%s\n", patients,
		        tty ? "          " : "");
	goto done;
nomem:
	prolo_err_set(err, rc, "", "row buffer: %s", rc == PROLO_ENOMEM ? "out of memory"
	                                                                : "too big");
done:
	for (int i = 0; i < SIM_CSV__COUNT; i++) {
		if (files[i] && fclose(files[i]) != 0 && rc == PROLO_OK)
			rc = prolo_err_set(err, PROLO_EDB, paths[i], "cannot write: %s",
			                   strerror(errno));
		buf_free(&bufs[i]);
	}
	free(pt);
	return rc;
}

/* Removes the CSV files and the folder; missing ones are ignored.
 * Cannot fail. */
static void remove_csv_dir(const char *dir)
{
	char path[4096];
	for (int i = 0; i < SIM_CSV__COUNT; i++) {
		int n = snprintf(path, sizeof path, "%s/%s", dir, sim_csv_names[i]);
		if (n > 0 && (size_t)n < sizeof path)
			unlink(path);
	}
	rmdir(dir);
}

/* Imports the CSV folder dir into the registry db (created when it does
 * not exist) through the import use case, all-or-nothing. Returns an exit
 * status after printing any error. */
static int import_csv_dir(struct cli_ctx *ctx, const char *db, const char *dir, int32_t today)
{
	struct stat sb;
	struct prolo_err err = { 0 };
	struct store *st = NULL;
	if (store_open(db, stat(db, &sb) != 0 ? STORE_CREATE : 0, &st, &err))
		return cli_fail(ctx, &err);
	struct csvio_import_stats stats = { 0 };
	struct app_ctx cx;
	app_ctx_local(&cx, st, NULL);
	cx.today = today;
	enum prolo_code rc = app_import_csv(&cx, dir, &stats, NULL, NULL, &err);
	app_ctx_flush(&cx);
	store_close(st);
	if (stats.messages.len)
		fputs(buf_str(&stats.messages), ctx->errs);
	csvio_import_stats_free(&stats);
	return rc ? cli_fail(ctx, &err) : 0;
}

/* Creates a fresh private directory under $TMPDIR (or /tmp) into out;
 * false when it cannot. */
static bool make_tempdir(char *out, size_t outsz)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	int n = snprintf(out, outsz, "%s/prolo-sim.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= outsz)
		return false;
	return mkdtemp(out) != NULL;
}

/* --- subcommands ------------------------------------------------------ */

/* Each subcommand returns an exit status and prints its own errors. */
static int simulate_registry(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *out = cli_get(ca, "out");
	bool progress = cli_has(ca, "progress");
	struct sim_csv_opts opts = { .goal_reached = !cli_has(ca, "no-goal-reached"),
	                             .all_instruments = cli_has(ca, "all-instruments"),
	                             .living = cli_has(ca, "living") };
	int rc;
	long patients = 0, clinics = 40;
	struct sim_config cfg = { .seed = 1, .living = opts.living };
	if (!cli_has(ca, "patients"))
		return cli_usage(ctx, "simulate: --patients N is required");
	if ((rc = cli_opt_long(ctx, ca, "patients", 1, 1000000000L, &patients)) ||
	    (rc = opt_seed(ctx, ca, &cfg.seed)) || (rc = cli_opt_long(ctx, ca, "clinics", 1, 999, &clinics)) ||
	    (rc = cli_today_value(ctx, cli_get(ca, "today"), &cfg.today)))
		return rc;
	if (cli_has(ca, "today") && !opts.living)
		return cli_usage(ctx, "simulate: --today needs --living");
	cfg.clinics = (int)clinics;
	uint64_t seed = cfg.seed;
	if ((out != NULL) == ctx->db_given)
		return cli_usage(ctx, "simulate: give exactly one of --out DIR and --db FILE");
	if (!progress && patients >= 100000 && isatty(fileno(ctx->errs)))
		progress = true;

	struct prolo_err err = { 0 };
	if (out) {
		if (write_csv_dir(out, (uint64_t)patients, &cfg, &opts, progress, ctx->errs, &err))
			return cli_fail(ctx, &err);
		fprintf(ctx->out, "simulated %ld patients (seed %" PRIu64 ", %ld clinics) into %s\n",
		        patients, seed, clinics, out);
		return 0;
	}
	rc = cli_simulate_registry(ctx, ctx->db_path, (uint64_t)patients, &cfg, &opts, progress);
	if (rc == 0)
		fprintf(ctx->out, "simulated %ld patients (seed %" PRIu64 ", %ld clinics) into %s\n",
		        patients, seed, clinics, ctx->db_path);
	return rc;
}

int cli_simulate_registry(struct cli_ctx *ctx, const char *db, uint64_t patients,
                          const struct sim_config *cfg, const struct sim_csv_opts *opts, bool progress)
{
	struct prolo_err err = { 0 };
	char tmp[4096];
	if (!make_tempdir(tmp, sizeof tmp)) {
		prolo_err_set(&err, PROLO_EDB, "TMPDIR", "cannot create a temporary directory");
		return cli_fail(ctx, &err);
	}
	if (write_csv_dir(tmp, patients, cfg, opts, progress, ctx->errs, &err)) {
		remove_csv_dir(tmp);
		return cli_fail(ctx, &err);
	}
	int rc = import_csv_dir(ctx, db, tmp, cfg->living ? cfg->today : clock_today());
	remove_csv_dir(tmp);
	return rc;
}

/* Arm name (or "saline" for placebo) to enum; -1 when unknown. */
static int parse_arm(const char *s, size_t len, enum sim_arm *out)
{
	int i = dom_lookup(sim_arm_names, SIM_ARM__COUNT, s, len);
	if (i < 0 && len == 6 && memcmp(s, "saline", 6) == 0)
		i = SIM_ARM_PLACEBO;
	if (i < 0)
		return -1;
	*out = (enum sim_arm)i;
	return 0;
}

/* One arm's row and the difference row of a table: responders with
 * Wilson / Newcombe, change with t / Welch. Cannot fail. */
static void print_rows(FILE *f, const struct sim_trial_spec *sp, const struct sim_arm_summary arm[2],
                       const struct sim_compare *d)
{
	for (int g = 0; g < 2; g++) {
		const struct sim_arm_summary *a = &arm[g];
		fprintf(f, "%-12s %6d %10d %7.3f  [%.3f, %.3f]    %11.2f  [%.2f, %.2f]\n",
		        sim_arm_names[sp->arms[g]], a->n, a->responders, a->resp_rate, a->resp_lo,
		        a->resp_hi, a->chg_mean, a->chg_lo, a->chg_hi);
	}
	fprintf(f, "%-12s %6s %10s %+7.3f  [%.3f, %.3f]  %11.2f  [%.2f, %.2f]\n", "difference",
	        "", "", d->resp_diff, d->resp_diff_lo, d->resp_diff_hi, d->chg_diff,
	        d->chg_diff_lo, d->chg_diff_hi);
}

/* The table of one of the condition's questionnaires. Cannot fail. */
static void print_instrument(FILE *f, const struct sim_trial_spec *sp, const struct sim_instr_result *ir)
{
	const struct instr_info *info = instr_info(ir->id);
	const char *src;
	report_mcid(ir->id, &src);
	fprintf(f, "\n%s (%g-%g, %s is better): responder = improved by at least the MCID, %s\n",
	        info->name, info->score_min, info->score_max, info->higher_is_worse ? "lower" : "higher", src);
	fprintf(f, "%-12s %6s %10s %7s  %-17s %11s  %s\n", "arm", "n", "responders", "rate",
	        "95% CI (Wilson)", "change", "95% CI (t)");
	print_rows(f, sp, ir->arm, &ir->d);
	fprintf(f, "%s: responders p = %.4g (two-proportion z test), change p = %.4g (Welch t test).\n",
	        info->name, ir->d.resp_p, ir->d.chg_p);
}

/* Prints one trial's outcome table. Cannot fail. */
static void print_trial(struct cli_ctx *ctx, const struct sim_trial_spec *sp,
                        const struct sim_trial_summary *s, double months, uint64_t seed)
{
	FILE *f = ctx->out;
	const char *a0 = sim_arm_names[sp->arms[0]], *a1 = sim_arm_names[sp->arms[1]];
	fprintf(f, "Simulated randomised trial: %s, %s vs %s, %d per arm, seed %" PRIu64 "\n",
	        dom_condition_names[sp->condition], a0, a1, sp->per_arm, seed);
	fprintf(f, "Protocol: %s %d sessions %d days apart; %s %d sessions %d days apart; "
	        "outcome %g months after the first injection\n",
	        a0, sp->sessions[0], sp->interval_days[0], a1, sp->sessions[1],
	        sp->interval_days[1], months);
	fprintf(f, "Responder: %s\n\n", sp->responder_vas
	        ? "VAS reduced by more than 50 % from baseline"
	        : "NRS at the horizon at most half of baseline (prolo's rule)");
	fprintf(f, "%-12s %6s %10s %7s  %-17s %11s  %s\n", "arm", "n", "responders", "rate",
	        "95% CI (Wilson)", "NRS change", "95% CI (t)");
	print_rows(f, sp, s->arm, &s->d);
	fprintf(f, "\nDifference = %s - %s. Responders: Newcombe hybrid-score interval, "
	        "two-proportion z test (pooled, no continuity correction) p = %.4g.\n"
	        "NRS change: Welch interval and t test p = %.4g.\n", a0, a1, s->d.resp_p, s->d.chg_p);
	fprintf(f, "Side effects per session: soreness %.2f vs %.2f, stiffness %.2f vs %.2f\n",
	        s->arm[0].soreness_per_session, s->arm[1].soreness_per_session,
	        s->arm[0].stiffness_per_session, s->arm[1].stiffness_per_session);
	for (int k = 0; k < s->n_instr; k++)
		print_instrument(f, sp, &s->instr[k]);
	if (s->n_instr)
		fprintf(f, "\nQuestionnaires follow the same pain answers through the model's link "
		        "(docs/simulator.md); they are not item-level simulations.\n");
}

static int simulate_trial(struct cli_ctx *ctx, const struct cli_args *ca)
{
	const char *s_arms = cli_get(ca, "arms");
	const char *s_cond = cli_get(ca, "condition");
	const char *s_months = cli_get(ca, "months");
	const char *s_resp = cli_get(ca, "responder");
	if (!s_arms || !s_cond || !cli_has(ca, "per-arm"))
		return cli_usage(ctx, "simulate trial: --arms A,B --condition C --per-arm N are required");

	struct sim_params p;
	sim_params_default(&p);
	struct sim_trial_spec sp = { .horizon_days = 365, .baseline_min = 3 };
	const char *comma = strchr(s_arms, ',');
	if (!comma || strchr(comma + 1, ',') ||
	    parse_arm(s_arms, (size_t)(comma - s_arms), &sp.arms[0]) ||
	    parse_arm(comma + 1, strlen(comma + 1), &sp.arms[1])) {
		char names[128];
		dom_list(sim_arm_names, SIM_ARM__COUNT, names, sizeof names);
		return cli_usage(ctx, "--arms: expected two of %s separated by a comma, got '%s'",
		                 names, s_arms);
	}
	int c = dom_lookup(dom_condition_names, COND__COUNT, s_cond, strlen(s_cond));
	if (c < 0) {
		char names[128];
		dom_list(dom_condition_names, COND__COUNT, names, sizeof names);
		return cli_usage(ctx, "--condition: expected one of %s, got '%s'", names, s_cond);
	}
	sp.condition = (enum condition)c;
	long n = 0, reps = 0, sessions = 0, interval = 0, base_min = (long)sp.baseline_min;
	uint64_t seed = 1;
	double months = 12;
	int rc;
	if ((rc = cli_opt_long(ctx, ca, "per-arm", 2, 1000000, &n)))
		return rc;
	sp.per_arm = (int)n;
	if (s_months && (!dom_parse_double(s_months, strlen(s_months), &months) ||
	                 months < 0 || months > 120))
		return cli_usage(ctx, "--months: expected 0..120, got '%s'", s_months);
	sp.horizon_days = (int)floor(months * 365.25 / 12.0 + 0.5);
	if ((rc = cli_opt_long(ctx, ca, "reps", 1, 100000, &reps)) || (rc = opt_seed(ctx, ca, &seed)) ||
	    (rc = cli_opt_long(ctx, ca, "sessions", 1, SIM_MAX_SESSIONS, &sessions)) ||
	    (rc = cli_opt_long(ctx, ca, "interval", 1, 365, &interval)) ||
	    (rc = cli_opt_long(ctx, ca, "baseline-min", 0, 10, &base_min)))
		return rc;
	sim_trial_default_protocol(&p, &sp);
	for (int i = 0; i < INSTR__COUNT; i++)
		sp.mcid[i] = report_mcid((enum instrument)i, NULL);
	if (sessions)
		sp.sessions[0] = sp.sessions[1] = (int)sessions;
	if (interval)
		sp.interval_days[0] = sp.interval_days[1] = (int)interval;
	sp.baseline_min = (double)base_min;
	if (s_resp) {
		if (strcmp(s_resp, "vas") == 0)
			sp.responder_vas = true;
		else if (strcmp(s_resp, "nrs") != 0)
			return cli_usage(ctx, "--responder: expected nrs|vas, got '%s'", s_resp);
	}
	if (reps == 0) {
		struct sim_trial_summary s;
		sim_trial_run(&p, &sp, seed, 0, &s);
		print_trial(ctx, &sp, &s, months, seed);
		return 0;
	}
	struct sim_power pw;
	sim_trial_power_all(&p, &sp, seed, (int)reps, &pw);
	fprintf(ctx->out, "Power at two-sided alpha 0.05: %s, %s vs %s, %d per arm, %g months, "
	        "%ld simulated trials, seed %" PRIu64 "\n",
	        dom_condition_names[sp.condition], sim_arm_names[sp.arms[0]],
	        sim_arm_names[sp.arms[1]], sp.per_arm, months, reps, seed);
	fprintf(ctx->out, "  responders (%s; two-proportion z test, pooled, no continuity "
	        "correction): %.3f\n", sp.responder_vas ? "VAS > 50 % reduction"
	                                               : "NRS <= half of baseline", pw.resp);
	fprintf(ctx->out, "  NRS change (Welch t test): %.3f\n", pw.chg);
	for (int k = 0; k < pw.n_instr; k++)
		fprintf(ctx->out, "  %s responders (improved by at least the MCID, %g): %.3f; %s change: %.3f\n",
		        dom_instrument_names[pw.instr[k]], sp.mcid[pw.instr[k]], pw.instr_resp[k],
		        dom_instrument_names[pw.instr[k]], pw.instr_chg[k]);
	fprintf(ctx->out, "  (Monte Carlo SE of a power p is sqrt(p(1-p)/%ld), at most %.3f)\n",
	        reps, 0.5 / sqrt((double)reps));
	return 0;
}

static int simulate_calibrate(struct cli_ctx *ctx, const struct cli_args *ca)
{
	uint64_t seed = 1;
	int rc = opt_seed(ctx, ca, &seed);
	if (rc)
		return rc;
	struct sim_params p;
	sim_params_default(&p);
	struct sim_calib_row rows[SIM_CALIB_ROWS];
	int n = sim_calibrate(&p, seed, rows), pass = 0;
	FILE *f = ctx->out;
	fprintf(f, "| study | quantity | target | interval | simulated | result | interval from |\n");
	fprintf(f, "| --- | --- | ---: | --- | ---: | --- | --- |\n");
	for (int i = 0; i < n; i++) {
		const struct sim_calib_row *r = &rows[i];
		int dig = fabs(r->target) < 0.01 ? 4 : fabs(r->target) < 1 ? 3 : 2;
		fprintf(f, "| %s | %s | %.*f | [%.*f, %.*f] | %.*f | %s | %s |\n", r->study,
		        r->quantity, dig, r->target, dig, r->lo, dig, r->hi, dig, r->simulated,
		        r->pass ? "pass" : "FAIL", r->interval);
		pass += r->pass;
	}
	fprintf(f, "\n%d of %d within their interval (seed %" PRIu64 "; trials simulated with "
	        "20000 per arm, side effects over 40000 clinic patients).\n", pass, n, seed);
	return 0;
}

static int simulate_params(struct cli_ctx *ctx, const struct cli_args *ca)
{
	size_t n;
	const struct sim_param_def *d = sim_params_table(&n);
	fprintf(ctx->out, "| parameter | value | unit | source |\n| --- | ---: | --- | --- |\n");
	for (size_t i = 0; i < n; i++)
		fprintf(ctx->out, "| `%s` | %g | %s | %s |\n", d[i].name, d[i].value, d[i].unit,
		        d[i].source);
	return 0;
}

int cli_simulate(struct cli_ctx *ctx, const struct cli_args *ca, int argc, char **argv)
{
	const char *sub = ca->cmd->verb;
	if (!sub)
		return simulate_registry(ctx, ca);
	if (strcmp(sub, "trial") == 0)
		return simulate_trial(ctx, ca);
	if (strcmp(sub, "calibrate") == 0)
		return simulate_calibrate(ctx, ca);
	return simulate_params(ctx, ca);
}
