/* A patient's registry life beyond one record: possible duplicates found
 * at registration, two patients registered twice merged into one (and the
 * merge undone), the warnings a contraindication recorded later raises on
 * the patient's open courses, and a clinic's display settings. Part of the
 * store's door (store.h); the rules (who may, what counts as a duplicate,
 * which warnings) are the use cases' (src/app/patients.c). */
#ifndef PROLO_STORE_PATIENTS_H
#define PROLO_STORE_PATIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* ---- possible duplicates ------------------------------------------------- */

/* What a possible duplicate matched on (bits). */
enum { DUP_NAME_YEAR = 1, DUP_PHONE = 2, DUP_EMAIL = 4 };

struct store_dup {
	char patient_id[REC_ID_MAX];
	char clinic[REC_ID_MAX];
	char first_name[REC_NAME_MAX];
	char last_name[REC_NAME_MAX];
	int32_t birth_year;  /* REC_INT_NONE = unknown */
	unsigned why;        /* DUP_* bits */
};
typedef enum prolo_code (*store_dup_fn)(void *ctx, const struct store_dup *d, struct prolo_err *err);
/* Live patients (not voided, not merged) of clinic, other than patient
 * exclude (NULL = none), that match one of the
 * keys given (NULL or "" = not given): first and last name both equal
 * without case and birth_year equal; phone equal by its digits (at least
 * 6) on the record or as the contact's mobile; email equal without case on
 * the record or the contact. At most 20, by patient id. PROLO_EDB. */
enum prolo_code store_patient_dups(struct store *st, const char *clinic, const char *exclude, const char *first_name,
                                   const char *last_name, int32_t birth_year, const char *phone,
                                   const char *email, store_dup_fn fn, void *ctx, struct prolo_err *err);

/* ---- merges --------------------------------------------------------------- */

#define STORE_MERGE_COURSES_MAX 200

struct store_merge {
	int64_t id;
	char survivor[REC_ID_MAX];   /* patient_id */
	char merged[REC_ID_MAX];     /* patient_id */
	char courses[4096];          /* JSON array of the course ids moved */
	uint32_t ci_added;           /* contraindication bits the survivor took over */
	char at[32], by[REC_ID_MAX + 8], reason[REC_TEXT_MAX];
	char undone_at[32];          /* "" = in force */
	char undone_by[REC_ID_MAX + 8];
	char undo_reason[REC_TEXT_MAX];
};
/* The patient id that id was merged into ("" when it was not). PROLO_EDB. */
enum prolo_code store_patient_merged_into(struct store *st, const char *id, char out[REC_ID_MAX],
                                          struct prolo_err *err);
/* Writes a merge the use case decided: m->merged points at m->survivor
 * (its version + 1) and the row is kept (m->id set). The courses are
 * moved by store_course_move. PROLO_ENOTFOUND (field patient_id), PROLO_EDB. */
enum prolo_code store_merge_add(struct store *st, struct store_merge *m, struct prolo_err *err);
/* Moves course_id (at version) to patient_id; its version + 1.
 * PROLO_ECONFLICT (field version) when it changed meanwhile; PROLO_EDB. */
enum prolo_code store_course_move(struct store *st, const char *course_id, int32_t version,
                                  const char *patient_id, struct prolo_err *err);
/* The merge in force of merged patient id. PROLO_ENOTFOUND (field
 * patient_id) when there is none. */
enum prolo_code store_merge_get(struct store *st, const char *merged, struct store_merge *out,
                                struct prolo_err *err);
/* Marks merge id undone and clears the merged patient's pointer (its
 * version + 1). PROLO_EDB. */
enum prolo_code store_merge_undo(struct store *st, const struct store_merge *m, struct prolo_err *err);
typedef enum prolo_code (*store_merge_fn)(void *ctx, const struct store_merge *m, struct prolo_err *err);
/* The merges into or of patient id (either side), oldest first, undone
 * ones too. PROLO_EDB. */
enum prolo_code store_merge_scan(struct store *st, const char *patient_id, store_merge_fn fn, void *ctx,
                                 struct prolo_err *err);

/* ---- warnings on open courses -------------------------------------------- */

struct store_course_warning {
	char course_id[REC_ID_MAX];
	char patient_id[REC_ID_MAX];
	char clinic[REC_ID_MAX];
	int32_t raised_on;           /* the day it was raised */
	char rule[40];
	bool block;                  /* the rule would block a new course */
	char message[256];
	char by[REC_ID_MAX + 8];
};
/* Keeps a warning raised on course w->course_id. PROLO_ENOTFOUND, PROLO_EDB. */
enum prolo_code store_course_warning_add(struct store *st, const struct store_course_warning *w,
                                         struct prolo_err *err);
typedef enum prolo_code (*store_cwarn_fn)(void *ctx, const struct store_course_warning *w,
                                          struct prolo_err *err);
/* The warnings of live planned or active courses, of clinic (NULL = all)
 * or of one course (course_id non-NULL), raised on or before day
 * (DOM_DATE_NONE = any), by day then course. PROLO_EDB. */
enum prolo_code store_course_warning_scan(struct store *st, const char *clinic, const char *course_id,
                                          int32_t day, store_cwarn_fn fn, void *ctx, struct prolo_err *err);

/* ---- a clinic's settings --------------------------------------------------- */

/* The date format a clinic's screens show: "iso", "dmy" or "mdy" ("iso"
 * when none was set). PROLO_EDB. */
enum prolo_code store_clinic_date_format(struct store *st, const char *clinic, char out[8],
                                         struct prolo_err *err);
/* Sets it (the caller checked the value). PROLO_EDB. */
enum prolo_code store_clinic_set_date_format(struct store *st, const char *clinic, const char *fmt,
                                             struct prolo_err *err);

/* The migration's SQL (listed in store_migrations). */
extern const char store_patients_migration_sql[];

#endif
