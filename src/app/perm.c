/* The permission matrix: role bits per action. app_role_may is the only
 * reader, so docs/security.md, this table, GET /api/me and
 * tests/api/permissions.txt say the same. */
#include "app/app.h"

#define A (1u << ROLE_ADMIN)
#define C (1u << ROLE_CLINICIAN)
#define S (1u << ROLE_STAFF)
#define R (1u << ROLE_RESEARCHER)

static const struct {
	const char *name;
	unsigned roles;
} matrix[CAN__COUNT] = {
	[CAN_LOGOUT] = { "logout", A | C | S | R },
	[CAN_ME] = { "me", A | C | S | R },
	[CAN_PASSWORD] = { "password", A | C | S | R },
	[CAN_VOCAB] = { "vocab", A | C | S | R },
	[CAN_PATIENTS_LIST] = { "patients.list", A | C | S },
	[CAN_PATIENTS_ADD] = { "patients.add", A | C | S },
	[CAN_PATIENT_GET] = { "patients.get", A | C | S },
	[CAN_COURSES_LIST] = { "courses.list", A | C | S },
	[CAN_COURSES_ADD] = { "courses.add", A | C | S },
	[CAN_COURSE_GET] = { "courses.get", A | C | S },
	[CAN_COURSE_END] = { "courses.end", A | C },
	[CAN_SESSIONS_ADD] = { "sessions.add", A | C },
	[CAN_OUTCOMES_ADD] = { "outcomes.add", A | C | S },
	[CAN_AES_ADD] = { "adverse-events.add", A | C | S },
	[CAN_ALERTS_LIST] = { "alerts.list", A | C | S },
	[CAN_ALERTS_ACK] = { "alerts.ack", A | C | S },
	[CAN_REPORT] = { "report", A | C | S | R },
	[CAN_USERS_LIST] = { "users.list", A },
	[CAN_USERS_ADD] = { "users.add", A },
	[CAN_AUDIT_LIST] = { "audit.list", A },
	[CAN_QLINKS_ADD] = { "questionnaire-links.add", A | C | S },
	[CAN_IMPORT] = { "import", A },
	[CAN_EXPORT] = { "export", A },
	/* Amend and void: the roles that may create the record. */
	[CAN_PATIENTS_AMEND] = { "patients.amend", A | C | S },
	[CAN_PATIENTS_VOID] = { "patients.void", A | C | S },
	[CAN_COURSES_AMEND] = { "courses.amend", A | C | S },
	[CAN_COURSES_VOID] = { "courses.void", A | C | S },
	[CAN_SESSIONS_AMEND] = { "sessions.amend", A | C },
	[CAN_SESSIONS_VOID] = { "sessions.void", A | C },
	[CAN_OUTCOMES_AMEND] = { "outcomes.amend", A | C | S },
	[CAN_OUTCOMES_VOID] = { "outcomes.void", A | C | S },
	[CAN_AES_AMEND] = { "adverse-events.amend", A | C | S },
	[CAN_AES_VOID] = { "adverse-events.void", A | C | S },
	[CAN_CONTACTS_GET] = { "contacts.get", A | C | S },
	[CAN_CONTACTS_SET] = { "contacts.set", A | C | S },
	[CAN_OUTBOX] = { "outbox", A },
	[CAN_USERS_UNLOCK] = { "users.unlock", A },
	[CAN_QLINKS_REVOKE] = { "questionnaire-links.revoke", A | C | S },
	/* A patient registered twice is merged by those who register; only
	 * an admin undoes a merge. */
	[CAN_PATIENTS_MERGE] = { "patients.merge", A | C | S },
	[CAN_PATIENTS_UNMERGE] = { "patients.unmerge", A },
	[CAN_PROTOCOLS] = { "protocols", A | C | S },
	[CAN_SETTINGS_GET] = { "settings.get", A | C | S | R },
	[CAN_SETTINGS_SET] = { "settings.set", A },
	[CAN_USERS_DISABLE] = { "users.disable", A },
	[CAN_USERS_ENABLE] = { "users.enable", A },
	[CAN_USERS_ROLE] = { "users.role", A },
	[CAN_USERS_RESET] = { "users.reset", A },
	[CAN_USERS_SESSIONS] = { "users.sessions", A },
	[CAN_USERS_REVOKE] = { "users.sessions.revoke", A },
	[CAN_INSTRUMENTS_LOAD] = { "instruments.load", A },
	[CAN_INSTRUMENTS_GET] = { "instruments.get", A | C | S },
	/* The front desk: calls, snoozing and assigning alerts, follow-up lists. */
	[CAN_CALLS_ADD] = { "calls.add", A | C | S },
	[CAN_CALLS_LIST] = { "calls.list", A | C | S },
	[CAN_ALERTS_SNOOZE] = { "alerts.snooze", A | C | S },
	[CAN_ALERTS_ASSIGN] = { "alerts.assign", A | C | S },
	[CAN_FOLLOWUP_LIST] = { "followup.list", A | C | S },
	/* Appointments: the front desk books, moves, cancels and marks no-shows. */
	[CAN_BOOKINGS_LIST] = { "bookings.list", A | C | S },
	[CAN_BOOKINGS_ADD] = { "bookings.add", A | C | S },
	[CAN_BOOKINGS_CHANGE] = { "bookings.change", A | C | S },
	[CAN_CLINIC_ZONE] = { "clinics.zone", A },
	/* Finding the duplicate to merge: those who merge. */
	[CAN_PATIENTS_DUPLICATES] = { "patients.duplicates", A | C | S },
};

/* What a user logged in with a one-time password may do before changing it. */
static const enum app_action before_change[] = { CAN_LOGOUT, CAN_ME, CAN_PASSWORD, CAN_VOCAB };

bool app_may_before_change(enum app_action a)
{
	for (size_t i = 0; i < sizeof before_change / sizeof before_change[0]; i++)
		if (before_change[i] == a)
			return true;
	return false;
}

const char *app_action_name(enum app_action a)
{
	return (unsigned)a < CAN__COUNT ? matrix[a].name : "?";
}

bool app_role_may(int role, enum app_action a)
{
	return (unsigned)a < CAN__COUNT && role >= 0 && role < ROLE__COUNT &&
	       (matrix[a].roles & (1u << role));
}
