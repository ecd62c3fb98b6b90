/* The registry's records and one field table per record. The tables are the
 * single description of every field: its name (CSV column, CLI option, JSON
 * key), type, range and whether it is required. CSV import/export, the CLI
 * and the JSON API all set and print fields through them, so a field is
 * validated the same way wherever it enters. Pure: no I/O. */
#ifndef PROLO_RECORDS_H
#define PROLO_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/domain.h"
#include "core/err.h"

#define REC_ID_MAX 65     /* ids: 1..64 bytes + NUL */
#define REC_NAME_MAX 101  /* names, sites, clinicians */
#define REC_TEXT_MAX 1001 /* free-text notes and reasons */
#define REC_ITEMS_MAX 64  /* item answers of one questionnaire (KOOS: 42) */

/* Missing values: ints REC_INT_NONE, reals NAN, dates DOM_DATE_NONE,
 * enums -1, text "". */
#define REC_INT_NONE INT32_MIN

/* What the store knows of a record beyond its fields: its version (1 when
 * created, one more at each amendment or void; 0 = not read from the
 * store) and whether it was voided (entered in error). Not a field: it is
 * never imported or exported, and rec_init clears it. */
struct rec_meta {
	int32_t version;
	bool voided;
};

struct patient {
	char patient_id[REC_ID_MAX];
	char clinic[REC_ID_MAX];         /* clinic code, e.g. "C01" */
	int32_t sex;                     /* enum sex */
	int32_t birth_year;              /* REC_INT_NONE if unknown */
	char first_name[REC_NAME_MAX];   /* identifying: never in logs */
	char last_name[REC_NAME_MAX];
	char phone[REC_NAME_MAX];
	char email[REC_NAME_MAX];
	uint32_t contraindications;      /* bit (1 << enum contraindication) */
	char notes[REC_TEXT_MAX];
	struct rec_meta meta;            /* not a field (see above) */
};

struct course {
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX];
	int32_t modality;                /* enum modality */
	char condition[REC_ID_MAX];      /* built-in name or clinic-added */
	int32_t start_date;              /* days */
	int32_t planned_sessions;        /* 1..50 */
	int32_t status;                  /* enum course_status */
	char protocol[REC_NAME_MAX];     /* "" if none */
	int32_t interval_days;           /* planned days between sessions */
	int32_t end_date;                /* set when the course ended */
	char end_reason[REC_TEXT_MAX];   /* free text, e.g. why it was stopped */
	int32_t stem_source;             /* enum stem_source, stem cells only */
	char override_reason[REC_TEXT_MAX]; /* why a blocking contraindication was overridden */
	char override_by[REC_NAME_MAX];  /* clinician who overrode it */
	struct rec_meta meta;            /* not a field (see above) */
};

struct session {
	char course_id[REC_ID_MAX];
	int32_t session_no;              /* 1.. within the course */
	int32_t date;
	int32_t proliferant;             /* enum proliferant; -1 unknown */
	double concentration_pct;        /* e.g. dextrose 12.5..25 % */
	double volume_ml;                /* total injected volume */
	char anaesthetic[REC_NAME_MAX];  /* e.g. lidocaine */
	double anaesthetic_pct;          /* e.g. 0.2..1 % */
	char clinician[REC_NAME_MAX];
	/* PRP preparation (raw figures; labels are derived) */
	double prp_platelets;            /* 10^3/uL in the preparation */
	double prp_platelets_baseline;   /* 10^3/uL in whole blood */
	double prp_leukocytes;           /* 10^3/uL in the preparation */
	double prp_leukocytes_baseline;  /* 10^3/uL in whole blood */
	double prp_rbc;                  /* 10^6/uL in the preparation */
	int32_t prp_activation;          /* enum activation */
	double prp_volume_ml;
	char notes[REC_TEXT_MAX];
	struct rec_meta meta;            /* not a field (see above) */
};

struct injection {
	char course_id[REC_ID_MAX];
	int32_t session_no;
	int32_t seq;                     /* 1.. within the session */
	char site[REC_NAME_MAX];         /* e.g. "L5-S1 iliolumbar ligament" */
	int32_t side;                    /* enum side */
	int32_t proliferant;             /* enum proliferant */
	double concentration_pct;
	char anaesthetic[REC_NAME_MAX];
	double anaesthetic_pct;
	double volume_ml;
	int32_t guidance;                /* enum guidance */
	char lot[REC_NAME_MAX];          /* lot number of the injectate */
	struct rec_meta meta;            /* not a field (see above) */
};

struct outcome {
	char course_id[REC_ID_MAX];
	int32_t date;
	int32_t instrument;              /* enum instrument */
	double score;                    /* total; NAN when not computable */
	char items[REC_TEXT_MAX];        /* item answers "3;2;;4"; "" if not kept */
	int32_t source;                  /* enum outcome_source; -1 = staff */
	struct rec_meta meta;            /* not a field (see above) */
};

struct adverse_event {
	char course_id[REC_ID_MAX];
	int32_t seq;                     /* 1.. within the course; 0 = assign */
	int32_t date;                    /* onset */
	int32_t kind;                    /* enum ae_kind */
	int32_t duration_days;           /* from onset; REC_INT_NONE = ongoing */
	int32_t grade;                   /* CTCAE 1..5 */
	int32_t seriousness;             /* enum seriousness */
	int32_t relatedness;             /* enum relatedness */
	int32_t session_no;              /* linked session; REC_INT_NONE = none */
	char notes[REC_TEXT_MAX];
	struct rec_meta meta;            /* not a field (see above) */
};

/* Room for one record of any kind (a key or a record read by kind). */
union rec_any {
	struct patient p;
	struct course c;
	struct session s;
	struct injection i;
	struct outcome o;
	struct adverse_event a;
};

enum rec_kind { REC_PATIENT, REC_COURSE, REC_SESSION, REC_INJECTION,
                REC_OUTCOME, REC_AE, REC__COUNT };

enum field_type { FT_ID, FT_TEXT, FT_ENUM, FT_INT, FT_REAL, FT_DATE, FT_FLAGS };

struct field_def {
	const char *name;          /* CSV column / CLI --option / JSON key */
	enum field_type type;
	size_t off;                /* offset in the record struct */
	size_t size;               /* for text: buffer size */
	const char *const *names;  /* FT_ENUM / FT_FLAGS vocabulary */
	int n_names;
	double min, max;           /* FT_INT / FT_REAL range, inclusive */
	bool required;
	bool identifying;          /* names/contact details: hidden from researchers */
	bool in_reference;         /* one of the reference interchange columns */
	const char *help;          /* one line for --help and docs */
};

struct rec_table {
	enum rec_kind kind;
	const char *name;          /* "patient" */
	const char *file;          /* "patients.csv" */
	size_t size;               /* sizeof the record struct */
	const struct field_def *fields;
	int n_fields;
};

extern const struct rec_table rec_tables[REC__COUNT];

/* Sets every field of rec to its missing value. Cannot fail. */
void rec_init(enum rec_kind kind, void *rec);
/* The record's meta (version, voided). Cannot fail. */
struct rec_meta *rec_meta_of(enum rec_kind kind, void *rec);
const struct rec_meta *rec_meta_get(enum rec_kind kind, const void *rec);
/* Field by name, or NULL. */
const struct field_def *rec_field(enum rec_kind kind, const char *name, size_t len);
/* Parses value[0..len) into the field. An empty value sets "missing".
 * Returns PROLO_OK, or PROLO_EINVAL with err->field = the field name and a
 * message naming what is wrong; rec is unchanged on error. */
enum prolo_code rec_set(enum rec_kind kind, void *rec, const struct field_def *f,
                        const char *value, size_t len, struct prolo_err *err);
/* True when the field holds a value. */
bool rec_has(const void *rec, const struct field_def *f);
/* Appends the field's text form ("" when missing; reals as %.10g). */
enum prolo_code rec_format(const void *rec, const struct field_def *f, struct buf *out);
/* Record-level rules: required fields present, cross-field consistency
 * (end date not before start, PRP figures only with PRP, ...). Outcome
 * scores are checked against the instrument by the caller's scoring step.
 * PROLO_EINVAL with err->field naming the first field at fault. */
enum prolo_code rec_check(enum rec_kind kind, const void *rec, struct prolo_err *err);

/* Derived PRP labels of a session ("" when figures are missing). */
void rec_session_paw(const struct session *s, char *out, size_t outsz);
void rec_session_mishra(const struct session *s, char *out, size_t outsz);

#endif
