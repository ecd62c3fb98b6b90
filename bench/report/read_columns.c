/* The floor of the report benchmark: the time it takes merely to read the
 * columns the report needs from a registry, with nothing computed. It steps
 * the five SELECTs of the report's lean read (courses with the start date
 * and protocol its time points need, sessions, assessments, adverse event
 * kind and duration, the outbox's steps for the invitation funnel: what
 * the report uses), each to the end in the tables' key order,
 * opens the file the way the report does (read-only, same PRAGMAs), and
 * touches every column with the accessor of its type. Independent of prolo:
 * only libsqlite3.
 * usage: read_columns DB      prints the rows read and a checksum */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

/* Column types: i integer, t text, r real. */
struct query {
	const char *sql;
	const char *types;
};

static const struct query queries[] = {
	{ "SELECT c.pk, c.course_id, c.modality, c.condition, c.status, c.start_date, c.protocol"
	  " FROM courses c ORDER BY c.pk",
	  "itttttt" },
	{ "SELECT course_pk, session_no, date FROM sessions ORDER BY course_pk, session_no", "iit" },
	{ "SELECT course_pk, date, instrument, score FROM outcomes WHERE score IS NOT NULL"
	  " ORDER BY course_pk, date, instrument, source",
	  "ittr" },
	{ "SELECT course_pk, kind, duration_days FROM adverse_events ORDER BY course_pk, seq",
	  "iti" },
	{ "SELECT m.course_pk, m.point_day, m.step, m.channel,"
	  " EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.message_id = m.id),"
	  " EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.message_id = m.id AND a.result = 'accepted')"
	  " FROM outreach_messages m ORDER BY m.course_pk, m.point_day, m.step",
	  "iiitii" },
};

/* Reads one query to the end; returns 0, or -1 after printing the error. */
static int read_all(sqlite3 *db, const struct query *q, uint64_t *rows, uint64_t *sum)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, q->sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "read_columns: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	int ncol = sqlite3_column_count(s);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		for (int i = 0; i < ncol; i++) {
			switch (q->types[i]) {
			case 'i':
				*sum += (uint64_t)sqlite3_column_int64(s, i);
				break;
			case 'r':
				*sum += (uint64_t)(sqlite3_column_double(s, i) * 16);
				break;
			default: {
				const unsigned char *v = sqlite3_column_text(s, i);
				int n = sqlite3_column_bytes(s, i);
				if (v && n > 0)
					*sum += (uint64_t)v[0] + (uint64_t)v[n - 1] + (uint64_t)n;
			}
			}
		}
		(*rows)++;
	}
	if (rc != SQLITE_DONE)
		fprintf(stderr, "read_columns: %s\n", sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: read_columns DB\n");
		return 2;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		fprintf(stderr, "read_columns: cannot open %s\n", argv[1]);
		sqlite3_close(db);
		return 1;
	}
	const char *pragmas = getenv("READ_COLUMNS_PRAGMAS"); /* the report's, from run.sh */
	if (pragmas && sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "read_columns: %s\n", sqlite3_errmsg(db));
		sqlite3_close(db);
		return 1;
	}
	uint64_t rows = 0, sum = 0;
	int bad = 0;
	/* One read transaction, as the report's scan has. */
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t k = 0; k < sizeof queries / sizeof queries[0] && !bad; k++)
		bad = read_all(db, &queries[k], &rows, &sum);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	if (bad)
		return 1;
	printf("%llu rows, checksum %llu\n", (unsigned long long)rows, (unsigned long long)sum);
	return 0;
}
