/* The patient's own progress summary: a printable, self-contained HTML page
 * in plain language (courses, sessions, a pain chart as inline SVG, side
 * effects, next steps). Loading reads the registry; rendering is pure. The
 * page is for the patient, so it carries their name; it pulls in nothing
 * from outside (no scripts, fonts or images). */
#ifndef PROLO_PATIENT_SUMMARY_H
#define PROLO_PATIENT_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/records.h"
#include "registry/protocol.h"
#include "store/store.h"

struct patient_summary {
	struct patient patient;
	struct course *courses;          /* in the order they were recorded */
	size_t n_courses;
	struct session *sessions;        /* by course, then session_no */
	size_t n_sessions;
	struct outcome *outcomes;        /* by course, then date */
	size_t n_outcomes;
	struct adverse_event *aes;       /* by course, then seq */
	size_t n_aes;
};

/* Reads one patient and all of their records. PROLO_ENOTFOUND (field
 * "patient_id") for an unknown patient; PROLO_EDB / PROLO_ENOMEM; *out is
 * empty on error. Free with patient_summary_free. */
enum prolo_code patient_summary_load(struct store *st, const char *patient_id,
                                     struct patient_summary *out, struct prolo_err *err);
/* Frees the arrays; a zeroed summary is a no-op. */
void patient_summary_free(struct patient_summary *s);

/* Appends the HTML page. lib (may be NULL) supplies the follow-up schedule
 * of a course's protocol for "next steps"; today dates the page. Pure.
 * PROLO_ETOOBIG / PROLO_ENOMEM from the buffer. */
enum prolo_code patient_summary_html(const struct patient_summary *s, const struct protocol_lib *lib,
                                     int32_t today, struct buf *out);

#endif
