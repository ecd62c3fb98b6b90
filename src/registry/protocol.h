/* Treatment protocols: the plan a clinic follows per modality and condition
 * (sessions, interval and window, default injectate, follow-up
 * questionnaires, a review rule) read from an editable text file.
 * The parser is pure and names the line at fault; protocol_lib_load is the
 * one function that touches the file system. docs/protocols.md documents
 * the format and the shipped defaults with their sources. */
#ifndef PROLO_PROTOCOL_H
#define PROLO_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/records.h"

#define PROTO_NAME_MAX 65      /* protocol names: 1..64 id characters */
#define PROTO_FOLLOWUPS_MAX 16 /* follow-up time points of one protocol */
#define PROTO_SOURCE_MAX 1024  /* published source(s), joined with "; " */
#define PROTO_LIB_MAX 256      /* protocols in one library */
#define PROTO_FILE_MAX ((size_t)1 << 20) /* 1 MiB */

/* One follow-up time point: which questionnaires are due when. */
struct proto_followup {
	int32_t offset_days;  /* days after the course's start_date; 0 = baseline */
	uint32_t instruments; /* bit (1 << enum instrument) */
};

struct protocol {
	char name[PROTO_NAME_MAX];     /* [section] name, e.g. "dextrose-lbp" */
	char label[REC_NAME_MAX];      /* one line for people */
	int modality;                  /* enum modality */
	char condition[REC_ID_MAX];    /* condition name, or "*" for any */
	int sessions;                  /* planned sessions, 1..50 */
	int interval_days;             /* days between sessions, 1..365 */
	int window_days;               /* +/- days a session may move, 0..60 */
	/* default injectate; missing = -1 / NAN / "" */
	int proliferant;               /* enum proliferant */
	double concentration_pct;      /* of the proliferant */
	char anaesthetic[REC_NAME_MAX];
	double anaesthetic_pct;
	double volume_min_ml, volume_max_ml; /* per injection site */
	/* dextrose (and other proliferant) concentrations a session may use
	 * without a confirmation: concentration_range_pct; NAN = only
	 * concentration_pct */
	double concentration_min_pct, concentration_max_pct;
	char sites[512];               /* the usual injection sites, "; "-joined; "" = the condition's */
	/* follow-up questionnaires, sorted by offset, one entry per offset */
	struct proto_followup followups[PROTO_FOLLOWUPS_MAX];
	size_t n_followups;
	int followup_window_days;      /* a questionnaire counts +/- this, 0..90 */
	int silent_after_days;         /* missed contact this long = at risk, 1..365 */
	/* review rule: after N sessions pain (NRS) at least P % below baseline */
	int review_after_sessions;     /* 0 = no review rule */
	double review_min_improvement_pct;
	/* selection by severity and history; -1 = no requirement */
	int select_min_nrs;            /* baseline NRS at least this (0..10) */
	int select_min_months;         /* pain for at least this many months */
	char source[PROTO_SOURCE_MAX]; /* published source(s); required */
	int line;                      /* line of the [name] header in the file */
};

struct protocol_lib {
	struct protocol *items;        /* in file order */
	size_t n;
	char origin[256];              /* file the library came from, for messages */
};

/* Defaults used when a course has no protocol (alerts, schedules). */
#define PROTO_DEFAULT_WINDOW_DAYS 3
#define PROTO_DEFAULT_FOLLOWUP_WINDOW_DAYS 14
#define PROTO_DEFAULT_SILENT_AFTER_DAYS 14

/* Parses a whole protocol file from text[0..len). origin names the file in
 * messages. Returns PROLO_OK and fills *lib (free with protocol_lib_free);
 * on PROLO_EINVAL err->field = "protocols" and err->msg starts with
 * "ORIGIN:LINE:" and names the key or value at fault; *lib is then empty.
 * PROLO_ETOOBIG past PROTO_FILE_MAX or PROTO_LIB_MAX; PROLO_ENOMEM. Pure. */
enum prolo_code protocol_lib_parse(const char *text, size_t len, const char *origin,
                                   struct protocol_lib *lib, struct prolo_err *err);
/* Frees the items; a zeroed or already freed library is a no-op. */
void protocol_lib_free(struct protocol_lib *lib);

/* Reads and parses a protocol file. path NULL or "" means: $PROLO_PROTOCOLS,
 * else protocols/default.protocols next to the running binary, else
 * ../share/prolo/default.protocols next to it, else ./protocols/default.protocols.
 * PROLO_ENOTFOUND (field "protocols") when no file is found, otherwise the
 * codes of protocol_lib_parse. */
enum prolo_code protocol_lib_load(const char *path, struct protocol_lib *lib,
                                  struct prolo_err *err);

/* The protocol called name, or NULL. Cannot fail. */
const struct protocol *protocol_find(const struct protocol_lib *lib, const char *name);

/* What is known of the case when a protocol is chosen automatically. */
struct protocol_case {
	int modality;        /* enum modality */
	const char *condition;
	int baseline_nrs;    /* 0..10, -1 unknown */
	int pain_months;     /* duration of the complaint, -1 unknown */
};
/* The best protocol for a case: same modality, the condition itself before
 * "*", every select_ requirement met (an unknown value meets none), the one
 * with more requirements before one with fewer, then file order. NULL when
 * none fits. Cannot fail. */
const struct protocol *protocol_select(const struct protocol_lib *lib,
                                       const struct protocol_case *pc);

/* True when p applies to the condition (equal, or p's condition is "*"). */
bool protocol_fits_condition(const struct protocol *p, const char *condition);

/* The protocol as a new JSON object (the API's and `prolo protocol show
 * --json`'s shape): name, label, modality, condition, sessions,
 * interval_days, window_days, followups [{offset_days, instruments}],
 * followup_window_days, silent_after_days, source, line; when given
 * proliferant, concentration_pct, concentration_range_pct [lo, hi],
 * anaesthetic, anaesthetic_pct, volume_ml_per_site [lo, hi], review
 * {after_sessions, min_improvement_pct}, select_min_nrs, select_min_months;
 * and sites (the protocol's, else the condition's usual ones, with
 * sites_from "protocol" or "condition"). NULL when out of memory. */
struct json_t;
struct json_t *protocol_to_json(const struct protocol *p);

/* Writes the follow-up schedule as "NRS ODI at 0d; NRS at 6w; ..." (for
 * listings). Truncates safely. Cannot fail. */
void protocol_followups_format(const struct protocol *p, char *out, size_t outsz);

#endif
