/* The floor of the outbox benchmark: the time it takes merely to read the
 * rows one outbox pass needs, with nothing computed. It steps the four
 * SELECTs of the pass's read (store_scan_followup: courses with their
 * patient and contact, scored assessments, outbox messages, outbox tasks),
 * each to the end, and touches every column with the accessor of its type.
 * Independent of prolo: only libsqlite3.
 * usage: read_rows DB      prints the rows read and a checksum */
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

/* Column types: i integer, t text. */
static const struct {
	const char *sql, *types;
} queries[] = {
	{ "SELECT c.pk, c.course_id, p.patient_id, c.condition, ifnull(c.protocol, ''), c.start_date,"
	  " k.patient_pk IS NOT NULL, k.email, k.mobile, k.channel, k.consent, k.email_bad, k.mobile_bad"
	  " FROM courses c JOIN patients p ON p.pk = c.patient_pk"
	  " LEFT JOIN patient_contacts k ON k.patient_pk = c.patient_pk"
	  " WHERE c.voided_at IS NULL AND p.voided_at IS NULL ORDER BY c.pk",
	  "itttttittttii" },
	{ "SELECT course_pk, date, instrument FROM outcomes WHERE score IS NOT NULL AND voided_at IS NULL"
	  " ORDER BY course_pk, date, instrument",
	  "itt" },
	{ "SELECT course_pk, id, point_day, step, state, tries, next_try, created_on FROM outreach_messages"
	  " ORDER BY course_pk, point_day, step",
	  "iiiitiit" },
	{ "SELECT course_pk, kind, point_day FROM outreach_tasks ORDER BY course_pk, kind, point_day", "iti" },
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: read_rows DB\n");
		return 2;
	}
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		fprintf(stderr, "read_rows: cannot open %s\n", argv[1]);
		return 1;
	}
	uint64_t rows = 0, sum = 0;
	for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(db, queries[q].sql, -1, &s, NULL) != SQLITE_OK) {
			fprintf(stderr, "read_rows: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		int rc, n = sqlite3_column_count(s);
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			for (int i = 0; i < n; i++) {
				if (queries[q].types[i] == 'i') {
					sum += (uint64_t)sqlite3_column_int64(s, i);
				} else {
					const unsigned char *v = sqlite3_column_text(s, i);
					int len = sqlite3_column_bytes(s, i);
					if (v && len > 0)
						sum += (uint64_t)v[0] + (uint64_t)v[len - 1] + (uint64_t)len;
				}
			}
			rows++;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "read_rows: %s\n", sqlite3_errmsg(db));
			return 1;
		}
	}
	sqlite3_close(db);
	printf("%llu rows, checksum %llu\n", (unsigned long long)rows, (unsigned long long)sum);
	return 0;
}
