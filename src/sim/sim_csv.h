/* Simulated patients as prolo's CSV interchange format (the five files of
 * tests/reference/README.md, exactly their columns). Pure: rows are
 * appended to caller-owned buffers, which the caller writes out; numbers
 * are formatted by hand because this is the simulator's hot loop. */
#ifndef PROLO_SIM_CSV_H
#define PROLO_SIM_CSV_H

#include <stdbool.h>

#include "core/buf.h"
#include "sim/sim.h"

/* The five reference files, then the two a living clinic adds. */
enum sim_csv_file { SIM_CSV_PATIENTS, SIM_CSV_COURSES, SIM_CSV_SESSIONS,
                    SIM_CSV_OUTCOMES, SIM_CSV_AES, SIM_CSV_INJECTIONS,
                    SIM_CSV_CONTACTS, SIM_CSV__COUNT };
#define SIM_CSV_REFERENCE_FILES 5

/* "patients.csv", ... */
extern const char *const sim_csv_names[SIM_CSV__COUNT];

struct sim_csv_opts {
	bool all_instruments; /* also ODI / NDI / WOMAC totals, not only NRS */
	bool goal_reached;    /* keep goal_reached; false writes completed */
	bool living;          /* patients of a living clinic (sim_config.living):
	                       * every file with its optional columns (names,
	                       * injectate, PRP figures, end dates), every
	                       * instrument, injections.csv and contacts.csv;
	                       * else only the five reference files */
};

/* How many files o writes (the first ones of enum sim_csv_file). */
int sim_csv_files(const struct sim_csv_opts *o);

/* Appends the header row of each file. PROLO_ETOOBIG / PROLO_ENOMEM from
 * the buffers; then the buffers may hold part of the rows. */
enum prolo_code sim_csv_headers(const struct sim_csv_opts *o, struct buf out[SIM_CSV__COUNT]);

/* Appends every row of one patient. Errors as sim_csv_headers. */
enum prolo_code sim_csv_patient(const struct sim_patient *pt, const struct sim_csv_opts *o,
                                struct buf out[SIM_CSV__COUNT]);

#endif
