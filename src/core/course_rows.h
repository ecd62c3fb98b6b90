/* One course with all of its rows, as the store streams them to the report
 * and the alerts: the store fills it, pure modules read it. Arrays are
 * borrowed: valid only during the callback that receives them. */
#ifndef PROLO_COURSE_ROWS_H
#define PROLO_COURSE_ROWS_H

#include <stddef.h>
#include <stdint.h>

struct course_rows {
	int64_t course_key;         /* store's internal key, stable per registry */
	const char *course_id;      /* clinic's id */
	const char *patient_id;     /* clinic's id */
	const char *clinic;         /* clinic code of the patient */
	int modality;               /* enum modality */
	int condition;              /* enum condition; -1 for a clinic-added one */
	const char *condition_name; /* always set, e.g. "low_back_pain" */
	int status;                 /* enum course_status */
	int32_t start_date;         /* days since 1970-01-01 */
	int32_t end_date;           /* DOM_DATE_NONE while not ended */
	int planned_sessions;
	int interval_days;          /* 0 = not planned */
	const char *protocol;       /* "" if none */

	size_t n_sessions;          /* sorted by session_no */
	const int32_t *sess_no;
	const int32_t *sess_date;

	size_t n_outcomes;          /* sorted by date, then instrument */
	const int32_t *out_date;
	const uint8_t *out_instrument; /* enum instrument */
	const double *out_score;       /* the instrument's total score */

	size_t n_aes;               /* sorted by onset date */
	const int32_t *ae_onset;
	const uint8_t *ae_kind;     /* enum ae_kind */
	const int32_t *ae_duration; /* days; -1 = unknown / ongoing */
	const uint8_t *ae_grade;    /* CTCAE 1..5; 0 = unknown */
	const uint8_t *ae_serious;  /* enum seriousness */

	/* Bookings (docs/bookings.md): set where the alerts and the report
	 * read them (the report's scan leaves them zero). */
	int booked_session_no;      /* the earliest open booking: its session; 0 = none */
	int32_t booked_date;        /* its local date */
	int booked_minute;          /* its local time, minutes after midnight */
	size_t n_noshows;           /* bookings the patient did not come to */
	const int32_t *noshow_date; /* their dates, oldest first */
};

#endif
