/* The CSV interchange as use cases: an all-or-nothing import and an
 * export, both for the registry's administrator and both audited. The
 * formats are registry/csvio.c's. */
#include "app/app.h"

#include <stdio.h>
#include <string.h>

#include "app/app_outreach.h"
#include "core/domain.h"
#include "registry/csvio.h"

/* contacts.csv: the follow-up's contact details and consent of patients
 * already in the registry or earlier in the import, one row per patient,
 * each set exactly as `prolo contact set` sets it (app_contact_set: the
 * same checks, one audit row each) inside the import's transaction. */
enum { CC_PATIENT, CC_EMAIL, CC_MOBILE, CC_CHANNEL, CC_CONSENT, CC_DATE, CC_BY, CC_HOW };
static const char *const contact_columns[] = {
	"patient_id", "email", "mobile", "channel", "consent", "consent_date", "consent_by",
	"consent_how", NULL,
};

static const char *or_null(const char *s)
{
	return s[0] ? s : NULL;
}

static enum prolo_code contact_row(void *ctx, long line, const char *const v[], struct prolo_err *err)
{
	struct app_ctx *cx = ctx;
	(void)line;
	struct app_contact_in in = {
		.patient_id = v[CC_PATIENT], .email = or_null(v[CC_EMAIL]), .mobile = or_null(v[CC_MOBILE]),
		.channel = or_null(v[CC_CHANNEL]), .consent = or_null(v[CC_CONSENT]),
		.consent_date = DOM_DATE_NONE, .consent_by = or_null(v[CC_BY]), .consent_how = or_null(v[CC_HOW]),
	};
	if (v[CC_DATE][0] && !dom_date_parse(v[CC_DATE], strlen(v[CC_DATE]), &in.consent_date))
		return prolo_err_set(err, PROLO_EINVAL, "consent_date", "'%s' is not a valid date (YYYY-MM-DD)",
		                     v[CC_DATE]);
	bool was = cx->in_unit;
	cx->in_unit = true; /* the import's transaction */
	enum prolo_code rc = app_contact_set(cx, &in, NULL, err);
	cx->in_unit = was;
	return rc;
}

enum prolo_code app_import_csv(struct app_ctx *cx, const char *dir, struct csvio_import_stats *stats,
                               void (*progress)(void *pctx, const char *line), void *pctx,
                               struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_IMPORT, NULL, NULL, NULL, err);
	if (rc || (rc = app_unit_begin(cx, err)))
		return rc;
	const struct csvio_side contacts = { .file = "contacts.csv", .columns = contact_columns,
	                                     .required = 1u << CC_PATIENT, .row = contact_row, .ctx = cx };
	rc = csvio_import_with(cx->st, dir, &contacts, 1, stats, progress, pctx, err);
	if (!rc) {
		char detail[200];
		snprintf(detail, sizeof detail, "patients=%ld courses=%ld sessions=%ld outcomes=%ld adverse_events=%ld"
		         " contacts=%ld",
		         stats->rows[REC_PATIENT], stats->rows[REC_COURSE], stats->rows[REC_SESSION],
		         stats->rows[REC_OUTCOME], stats->rows[REC_AE], stats->side_rows);
		rc = app_audit(cx, "import", "csv", "", detail, err);
	}
	return app_unit_end(cx, rc, err);
}

/* contacts.csv's rows: each contact in the import's columns (the marks of
 * addresses the server refused are the outbox's, not the file's). */
struct contact_rows {
	csvio_emit_fn emit;
	void *ectx;
};

static enum prolo_code contact_out(void *ctx, const struct store_contact *c, struct prolo_err *err)
{
	struct contact_rows *cr = ctx;
	char date[11] = "";
	if (c->consent_date != DOM_DATE_NONE && c->consent != CONSENT_NONE)
		dom_date_format(c->consent_date, date);
	bool consent = c->consent != CONSENT_NONE;
	const char *v[] = { c->patient_id, c->email, c->mobile, contact_channel_names[c->channel],
	                    consent ? contact_consent_names[c->consent] : "", date, consent ? c->consent_by : "",
	                    consent ? c->consent_how : "", NULL };
	return cr->emit(cr->ectx, v, err);
}

static enum prolo_code contact_file_rows(void *ctx, csvio_emit_fn emit, void *ectx, struct prolo_err *err)
{
	struct contact_rows cr = { emit, ectx };
	return store_contact_scan(((struct app_ctx *)ctx)->st, contact_out, &cr, err);
}

enum prolo_code app_export_csv(struct app_ctx *cx, const char *dir, bool deidentify, bool spreadsheet,
                               long counts[REC__COUNT], struct prolo_err *err)
{
	enum prolo_code rc = app_permit(cx, CAN_EXPORT, NULL, NULL, NULL, err);
	/* contacts.csv only for a role that may see contact details, and
	 * never de-identified (every column but the channel identifies). */
	bool contacts = !deidentify && app_role_may(cx->who.role, CAN_CONTACTS_GET);
	const char *detail = spreadsheet ? (deidentify ? "deidentified, spreadsheet" : contacts ? "full, spreadsheet, contacts" : "full, spreadsheet")
	                                 : (deidentify ? "deidentified" : contacts ? "full, contacts" : "full");
	if (!rc)
		rc = app_audit(cx, "export", "csv", "", detail, err);
	/* Without contacts the side file has no rows: one left by an earlier
	 * export is removed. */
	const struct csvio_side_out side = { .file = "contacts.csv", .columns = contact_columns,
	                                     .rows = contacts ? contact_file_rows : NULL, .ctx = cx };
	return rc ? rc : csvio_export_with(cx->st, dir, deidentify, spreadsheet, &side, 1, counts, NULL, err);
}
