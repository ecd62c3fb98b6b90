/* CSV import and export through the field tables. Files are mapped into
 * memory and parsed by core/csvread; each row becomes a record via rec_set
 * and registry_prepare and lands through store_bulk_insert — registry_add's
 * two halves, split across two threads — so a CSV row is checked exactly
 * like a command-line or API record. Files load parents first (patients before
 * courses before sessions ...) so references resolve in one pass. */
#include "registry/csvio.h"
#include "core/csvsafe.h"
#include "core/privfile.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/csvread.h"
#include "registry/registry.h"

static const enum rec_kind file_order[] = { REC_PATIENT, REC_COURSE, REC_SESSION,
                                            REC_INJECTION, REC_OUTCOME, REC_AE };

/* ---- import: a reader thread and a writer ----------------------------------
 * The reader parses and checks rows (rec_set, registry_prepare: pure work)
 * into a ring of record slots; the calling thread takes them in order and
 * inserts them. On two cores parsing then costs no wall time. Errors travel
 * through the ring too, so they are reported in file and line order. */

#define RING 1024 /* slots; a slot holds the largest record */

enum slot_kind { SLOT_ROW, SLOT_ERROR, SLOT_END };

struct slot {
	enum slot_kind what;
	enum rec_kind kind;
	long line;
	struct prolo_err err;       /* SLOT_ERROR: field and message */
	union rec_any rec;          /* SLOT_ROW */
};

struct ring {
	struct slot *slots;
	size_t head;                /* reader only: next slot to fill */
	size_t tail_seen;           /* reader only: last tail it saw */
	size_t published;           /* under mu: slots [tail, published) are ready */
	size_t tail;                /* under mu: next slot the writer takes */
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_take;
	bool stop;                  /* writer gave up: reader ends early */
};

struct reader {
	struct ring *ring;
	const char *dir;
	void (*progress)(void *pctx, const char *line);
	void *pctx;
	int files_found;
	enum prolo_code rc;         /* reader-side failure (I/O, memory) */
	struct prolo_err err;
	/* current file */
	enum rec_kind kind;
	const char *file;
	const struct field_def *col[CSVREAD_MAX_FIELDS];
	int n_cols;
	long rows;
	int last_pct;
};

/* Slots change hands in batches: locking per row cost more than parsing. */
#define BATCH 64

/* Blocks until a slot is free; NULL when the writer stopped. */
static struct slot *ring_slot(struct ring *r)
{
	if (r->head - r->published < BATCH && r->head - r->tail_seen < RING)
		return &r->slots[r->head % RING];
	pthread_mutex_lock(&r->mu);
	if (r->head != r->published) {
		r->published = r->head;
		pthread_cond_signal(&r->can_take);
	}
	while (r->head - r->tail >= RING && !r->stop)
		pthread_cond_wait(&r->can_put, &r->mu);
	r->tail_seen = r->tail;
	struct slot *s = r->stop ? NULL : &r->slots[r->head % RING];
	pthread_mutex_unlock(&r->mu);
	return s;
}

/* The slot from ring_slot is filled: count it (made visible in batches). */
static void ring_publish(struct ring *r)
{
	r->head++;
}

/* Makes every filled slot visible to the writer (end of input). */
static void ring_flush(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	r->published = r->head;
	pthread_cond_signal(&r->can_take);
	pthread_mutex_unlock(&r->mu);
}

/* Waits for filled slots; returns how many are ready from r->tail on. */
static size_t ring_take(struct ring *r)
{
	pthread_mutex_lock(&r->mu);
	while (r->published == r->tail)
		pthread_cond_wait(&r->can_take, &r->mu);
	size_t n = r->published - r->tail;
	pthread_mutex_unlock(&r->mu);
	return n;
}

static void ring_release(struct ring *r, size_t n)
{
	pthread_mutex_lock(&r->mu);
	r->tail += n;
	pthread_cond_signal(&r->can_put);
	pthread_mutex_unlock(&r->mu);
}

/* Queues an error for line of the current file; false when stopped. */
static bool put_error(struct reader *rd, long line, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool put_error(struct reader *rd, long line, const char *field, const char *fmt, ...)
{
	struct slot *s = ring_slot(rd->ring);
	if (!s)
		return false;
	s->what = SLOT_ERROR;
	s->kind = rd->kind;
	s->line = line;
	s->err.code = PROLO_EINVAL;
	snprintf(s->err.field, sizeof s->err.field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err.msg, sizeof s->err.msg, fmt, ap);
	va_end(ap);
	ring_publish(rd->ring);
	return true;
}

static bool read_header(struct reader *rd, const struct csv_row *row)
{
	const struct rec_table *t = &rec_tables[rd->kind];
	bool seen[64] = { false };
	bool ok = true;
	rd->n_cols = row->n;
	for (int i = 0; i < row->n; i++) {
		const struct field_def *fd = rec_field(rd->kind, row->f[i], row->len[i]);
		char name[80];
		snprintf(name, sizeof name, "%.*s", (int)(row->len[i] > 64 ? 64 : row->len[i]), row->f[i]);
		if (!dom_utf8_valid(name, strlen(name)))
			snprintf(name, sizeof name, "column %d", i + 1);
		if (!fd) {
			char known[512];
			size_t used = 0;
			known[0] = '\0';
			for (int k = 0; k < t->n_fields && used < sizeof known; k++)
				used += (size_t)snprintf(known + used, sizeof known - used, " %s", t->fields[k].name);
			put_error(rd, row->line, name, "unknown column (known:%s)", known);
			ok = false;
			continue;
		}
		int idx = (int)(fd - t->fields);
		if (seen[idx]) {
			put_error(rd, row->line, name, "column appears twice");
			ok = false;
		}
		seen[idx] = true;
		rd->col[i] = fd;
	}
	for (int k = 0; k < t->n_fields; k++)
		if (t->fields[k].required && !seen[k]) {
			put_error(rd, row->line, t->fields[k].name, "required column is missing");
			ok = false;
		}
	return ok;
}

static enum prolo_code read_row(void *ctx, const struct csv_row *row, struct prolo_err *err)
{
	struct reader *rd = ctx;
	if (rd->n_cols == 0) {
		/* A bad header makes every row meaningless: stop this file. */
		if (!read_header(rd, row))
			return prolo_err_set(err, PROLO_EINVAL, rd->file, "bad header");
		return PROLO_OK;
	}
	if (row->n == 1 && row->len[0] == 0)
		return PROLO_OK; /* blank line */
	if (row->n != rd->n_cols) {
		if (!put_error(rd, row->line, "", "expected %d fields, found %d", rd->n_cols, row->n))
			return PROLO_ECONFLICT;
		return PROLO_OK;
	}
	struct slot *s = ring_slot(rd->ring);
	if (!s)
		return PROLO_ECONFLICT; /* writer stopped */
	s->kind = rd->kind;
	s->line = row->line;
	s->what = SLOT_ROW;
	rec_init(rd->kind, &s->rec);
	enum prolo_code rc = PROLO_OK;
	for (int i = 0; i < row->n && !rc; i++)
		rc = rec_set(rd->kind, &s->rec, rd->col[i], row->f[i], row->len[i], &s->err);
	if (!rc)
		rc = registry_prepare(rd->kind, &s->rec, &s->err);
	if (rc)
		s->what = SLOT_ERROR;
	ring_publish(rd->ring);
	rd->rows++;
	return PROLO_OK;
}

static void read_progress(void *ctx, size_t done, size_t total)
{
	struct reader *rd = ctx;
	if (!rd->progress || total < (8u << 20))
		return;
	int pct = (int)(100.0 * (double)done / (double)total);
	if (pct / 10 == rd->last_pct / 10 && pct != 100)
		return;
	rd->last_pct = pct;
	char line[128];
	snprintf(line, sizeof line, "%s: %d%% (%ld rows read)", rd->file, pct, rd->rows);
	rd->progress(rd->pctx, line);
}

/* Reads one file into the ring. false when the writer stopped or the reader
 * failed (rd->rc). */
static bool read_file(struct reader *rd, enum rec_kind kind)
{
	char path[4096];
	rd->kind = kind;
	rd->file = rec_tables[kind].file;
	rd->n_cols = 0;
	rd->rows = 0;
	rd->last_pct = -10;
	snprintf(path, sizeof path, "%s/%s", rd->dir, rd->file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return true;
		rd->rc = prolo_err_set(&rd->err, PROLO_EINVAL, rd->file, "cannot open: %s", strerror(errno));
		return false;
	}
	rd->files_found++;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return put_error(rd, 0, "", "is not a regular file");
	}
	if (sb.st_size == 0) {
		close(fd);
		return put_error(rd, 1, "", "file is empty (expected a header row)");
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		rd->rc = prolo_err_set(&rd->err, PROLO_EINVAL, rd->file, "cannot read: %s", strerror(errno));
		return false;
	}
	madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	struct prolo_err e = { 0 };
	enum prolo_code rc = csvread_buffer(map, (size_t)sb.st_size, read_row, rd, read_progress, &e);
	munmap(map, (size_t)sb.st_size);
	if (rc == PROLO_ECONFLICT)
		return false; /* writer stopped */
	if (rc == PROLO_EINVAL && strcmp(e.field, rd->file) == 0)
		return true; /* bad header: already reported */
	if (rc == PROLO_EINVAL) {
		/* Malformed CSV at a line: report it like a bad row. */
		long line = 0;
		if (sscanf(e.field, "line %ld", &line) == 1)
			return put_error(rd, line, "", "%s", e.msg);
		return put_error(rd, 0, e.field, "%s", e.msg);
	}
	if (rc) {
		rd->rc = rc;
		rd->err = e;
		return false;
	}
	if (rd->n_cols == 0)
		return put_error(rd, 1, "", "file has no header row");
	return true;
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	for (size_t i = 0; i < sizeof file_order / sizeof file_order[0]; i++)
		if (!read_file(rd, file_order[i]))
			break;
	struct slot *s = ring_slot(rd->ring);
	if (s) {
		s->what = SLOT_END;
		ring_publish(rd->ring);
	}
	ring_flush(rd->ring);
	return NULL;
}

static void report_file_row(struct csvio_import_stats *stats, const char *file, long line,
                            const struct prolo_err *e)
{
	stats->errors++;
	if (stats->errors > CSVIO_MAX_REPORTED)
		return;
	if (e->field[0])
		buf_printf(&stats->messages, "%s:%ld: %s: %s\n", file, line, e->field, e->msg);
	else
		buf_printf(&stats->messages, "%s:%ld: %s\n", file, line, e->msg);
}

static void report_row(struct csvio_import_stats *stats, enum rec_kind kind, long line,
                       const struct prolo_err *e)
{
	report_file_row(stats, rec_tables[kind].file, line, e);
}

/* ---- side files (csvio_side) ------------------------------------------- */

struct side_reader {
	const struct csvio_side *side;
	struct csvio_import_stats *stats;
	int col[CSVREAD_MAX_FIELDS];   /* file column -> side column */
	int n_cols;                    /* 0 until the header is read */
	enum prolo_code stop;          /* PROLO_EDB / PROLO_ENOMEM from row() */
	struct prolo_err stop_err;
};

static void side_error(struct side_reader *sr, long line, const char *field, const char *msg)
{
	struct prolo_err e = { .code = PROLO_EINVAL };
	snprintf(e.field, sizeof e.field, "%s", field);
	snprintf(e.msg, sizeof e.msg, "%s", msg);
	report_file_row(sr->stats, sr->side->file, line, &e);
}

static bool side_header(struct side_reader *sr, const struct csv_row *row)
{
	const char *const *cols = sr->side->columns;
	unsigned seen = 0;
	bool ok = true;
	for (int i = 0; i < row->n; i++) {
		int k = 0;
		while (cols[k] && !(strlen(cols[k]) == row->len[i] &&
		                    memcmp(cols[k], row->f[i], row->len[i]) == 0))
			k++;
		char name[80];
		snprintf(name, sizeof name, "%.*s", (int)(row->len[i] > 64 ? 64 : row->len[i]), row->f[i]);
		if (!dom_utf8_valid(name, strlen(name)))
			snprintf(name, sizeof name, "column %d", i + 1);
		if (!cols[k]) {
			char known[512];
			size_t used = 0;
			known[0] = '\0';
			for (int j = 0; cols[j] && used < sizeof known; j++)
				used += (size_t)snprintf(known + used, sizeof known - used, " %s", cols[j]);
			char msg[600];
			snprintf(msg, sizeof msg, "unknown column (known:%s)", known);
			side_error(sr, row->line, name, msg);
			ok = false;
			continue;
		}
		if (seen & (1u << k)) {
			side_error(sr, row->line, name, "column appears twice");
			ok = false;
		}
		seen |= 1u << k;
		sr->col[i] = k;
	}
	for (int k = 0; cols[k]; k++)
		if ((sr->side->required & (1u << k)) && !(seen & (1u << k))) {
			side_error(sr, row->line, cols[k], "required column is missing");
			ok = false;
		}
	sr->n_cols = row->n;
	return ok;
}

static enum prolo_code side_row(void *ctx, const struct csv_row *row, struct prolo_err *err)
{
	struct side_reader *sr = ctx;
	if (sr->n_cols == 0)
		return side_header(sr, row) ? PROLO_OK
		                            : prolo_err_set(err, PROLO_EINVAL, sr->side->file, "bad header");
	if (row->n == 1 && row->len[0] == 0)
		return PROLO_OK; /* blank line */
	if (row->n != sr->n_cols) {
		char msg[80];
		snprintf(msg, sizeof msg, "expected %d fields, found %d", sr->n_cols, row->n);
		side_error(sr, row->line, "", msg);
		return PROLO_OK;
	}
	char vals[CSVIO_SIDE_MAX_COLUMNS][CSVIO_SIDE_MAX_VALUE];
	const char *values[CSVIO_SIDE_MAX_COLUMNS];
	for (int k = 0; k < CSVIO_SIDE_MAX_COLUMNS; k++) {
		vals[k][0] = '\0';
		values[k] = vals[k];
	}
	for (int i = 0; i < row->n; i++) {
		const char *name = sr->side->columns[sr->col[i]];
		if (row->len[i] >= CSVIO_SIDE_MAX_VALUE || memchr(row->f[i], '\0', row->len[i])) {
			side_error(sr, row->line, name, "value too long");
			return PROLO_OK;
		}
		memcpy(vals[sr->col[i]], row->f[i], row->len[i]);
		vals[sr->col[i]][row->len[i]] = '\0';
	}
	struct prolo_err e = { 0 };
	enum prolo_code rc = sr->side->row(sr->side->ctx, row->line, values, &e);
	if (rc == PROLO_EDB || rc == PROLO_ENOMEM) {
		sr->stop = rc;
		sr->stop_err = e;
		return rc;
	}
	if (rc)
		report_file_row(sr->stats, sr->side->file, row->line, &e);
	else
		sr->stats->side_rows++;
	return PROLO_OK;
}

/* Reads side->file of dir when it is there (*found counts it). PROLO_OK
 * also when rows were bad (they are in stats); PROLO_EDB / PROLO_ENOMEM
 * when row() or reading failed. */
static enum prolo_code csvio_side_import(const char *dir, const struct csvio_side *side,
                                         struct csvio_import_stats *stats, int *found,
                                         struct prolo_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, side->file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? PROLO_OK
		                       : prolo_err_set(err, PROLO_EINVAL, side->file, "cannot open: %s",
		                                       strerror(errno));
	(*found)++;
	struct side_reader sr = { .side = side, .stats = stats };
	struct stat sb;
	struct prolo_err e = { 0 };
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		close(fd);
		side_error(&sr, 1, "", "is empty or not a regular file (expected a header row)");
		return PROLO_OK;
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return prolo_err_set(err, PROLO_EINVAL, side->file, "cannot read: %s", strerror(errno));
	enum prolo_code rc = csvread_buffer(map, (size_t)sb.st_size, side_row, &sr, NULL, &e);
	munmap(map, (size_t)sb.st_size);
	if (sr.stop) {
		*err = sr.stop_err;
		return sr.stop;
	}
	if (rc == PROLO_EINVAL && strcmp(e.field, side->file) != 0) {
		long line = 0;
		if (sscanf(e.field, "line %ld", &line) != 1)
			line = 0;
		side_error(&sr, line, "", e.msg);
	} else if (rc && rc != PROLO_EINVAL) {
		*err = e;
		return rc;
	}
	return PROLO_OK;
}

/* A row the store refused when it wrote its batch. */
static void bulk_refused(void *ctx, enum rec_kind kind, long line, const struct prolo_err *e)
{
	struct csvio_import_stats *stats = ctx;
	stats->rows[kind]--; /* it was counted when queued */
	report_row(stats, kind, line, e);
}

enum prolo_code csvio_import(struct store *st, const char *dir, struct csvio_import_stats *stats,
                             void (*progress)(void *pctx, const char *line), void *pctx,
                             struct prolo_err *err)
{
	return csvio_import_with(st, dir, NULL, 0, stats, progress, pctx, err);
}

enum prolo_code csvio_import_with(struct store *st, const char *dir, const struct csvio_side *side,
                                  size_t n_side, struct csvio_import_stats *stats,
                                  void (*progress)(void *pctx, const char *line), void *pctx,
                                  struct prolo_err *err)
{
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return prolo_err_set(err, PROLO_EINVAL, "DIR", "'%s' is not a directory", dir);
	struct ring ring = { 0 };
	ring.slots = malloc(sizeof *ring.slots * RING);
	if (!ring.slots)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	pthread_mutex_init(&ring.mu, NULL);
	pthread_cond_init(&ring.can_put, NULL);
	pthread_cond_init(&ring.can_take, NULL);
	struct reader rd = { .ring = &ring, .dir = dir, .progress = progress, .pctx = pctx };
	pthread_t tid;
	enum prolo_code rc = PROLO_OK;
	store_bulk_begin(st, bulk_refused, stats);
	if (pthread_create(&tid, NULL, reader_main, &rd) != 0) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "cannot start the reader thread");
		goto done;
	}
	bool end = false;
	while (!end && !ring.stop) {
		size_t n = ring_take(&ring);
		for (size_t k = 0; k < n && !end; k++) {
			struct slot *s = &ring.slots[(ring.tail + k) % RING];
			if (s->what == SLOT_END) {
				end = true;
			} else if (s->what == SLOT_ERROR) {
				report_row(stats, s->kind, s->line, &s->err);
			} else if (!rc) {
				struct prolo_err e = { 0 };
				enum prolo_code irc = store_bulk_insert(st, s->kind, &s->rec, s->line, &e);
				if (irc == PROLO_EDB || irc == PROLO_ENOMEM) {
					/* Storage failure: stop reading and give up. */
					rc = irc;
					*err = e;
					pthread_mutex_lock(&ring.mu);
					ring.stop = true;
					pthread_cond_broadcast(&ring.can_put);
					pthread_mutex_unlock(&ring.mu);
					break;
				} else if (irc) {
					report_row(stats, s->kind, s->line, &e);
				} else {
					stats->rows[s->kind]++;
				}
			}
		}
		/* The store holds pointers into these slots until it writes them. */
		if (!rc) {
			struct prolo_err e = { 0 };
			enum prolo_code frc = store_bulk_flush(st, &e);
			if (frc && frc != PROLO_EINVAL) {
				rc = frc;
				*err = e;
				pthread_mutex_lock(&ring.mu);
				ring.stop = true;
				pthread_cond_broadcast(&ring.can_put);
				pthread_mutex_unlock(&ring.mu);
			}
		}
		ring_release(&ring, n);
	}
	pthread_join(tid, NULL);
	if (!rc && rd.rc) {
		rc = rd.rc;
		*err = rd.err;
	}
	for (size_t i = 0; i < n_side && !rc; i++)
		rc = csvio_side_import(dir, &side[i], stats, &rd.files_found, err);
	if (!rc && !rd.files_found)
		rc = prolo_err_set(err, PROLO_EINVAL, "DIR",
		                   "'%s' holds none of patients.csv, courses.csv, sessions.csv, "
		                   "injections.csv, outcomes.csv, adverse_events.csv%s", dir,
		                   n_side ? ", contacts.csv" : "");
	if (!rc && stats->errors) {
		if (stats->errors > CSVIO_MAX_REPORTED)
			buf_printf(&stats->messages, "... and %ld more bad rows\n",
			           stats->errors - CSVIO_MAX_REPORTED);
		rc = prolo_err_set(err, PROLO_EINVAL, "", "%ld bad row%s; nothing was imported",
		                   stats->errors, stats->errors == 1 ? "" : "s");
	}
done:
	pthread_cond_destroy(&ring.can_put);
	pthread_cond_destroy(&ring.can_take);
	pthread_mutex_destroy(&ring.mu);
	free(ring.slots);
	return rc;
}

void csvio_import_stats_free(struct csvio_import_stats *stats)
{
	buf_free(&stats->messages);
}

/* ---- export ------------------------------------------------------------- */

struct export_file {
	FILE *fp;
	enum rec_kind kind;
	bool deidentify;
	bool spreadsheet;
	struct buf line;
	long n;
};

static enum prolo_code export_row(void *ctx, const void *rec, struct prolo_err *err)
{
	struct export_file *x = ctx;
	const struct rec_table *t = &rec_tables[x->kind];
	struct buf val = { 0 };
	buf_reset(&x->line);
	enum prolo_code rc = PROLO_OK;
	bool first = true;
	for (int i = 0; i < t->n_fields && !rc; i++) {
		if (x->deidentify && t->fields[i].identifying)
			continue;
		if (!first)
			rc = buf_addc(&x->line, ',');
		first = false;
		buf_reset(&val);
		if (!rc)
			rc = rec_format(rec, &t->fields[i], &val);
		if (rc)
			break;
		if (x->spreadsheet && t->fields[i].type != FT_INT && t->fields[i].type != FT_REAL)
			rc = csv_write_sheet_field(&x->line, buf_str(&val), val.len);
		else
			rc = csv_write_field(&x->line, buf_str(&val), val.len);
	}
	if (!rc)
		rc = buf_addc(&x->line, '\n');
	buf_free(&val);
	if (rc)
		return prolo_err_set(err, rc, t->file, "row too large");
	if (fwrite(x->line.data, 1, x->line.len, x->fp) != x->line.len)
		return prolo_err_set(err, PROLO_EDB, t->file, "write failed: %s", strerror(errno));
	x->n++;
	return PROLO_OK;
}

/* Writes dir/file through a temporary name: fill writes the content to
 * fp (0600), then it is flushed, synced and renamed over file. */
typedef enum prolo_code (*fill_fn)(void *ctx, FILE *fp, struct prolo_err *err);
static enum prolo_code write_file(const char *dir, const char *file, fill_fn fill, void *ctx, struct prolo_err *err)
{
	char path[4096], tmp[4120];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *fp = privfile_fopen(tmp);
	if (!fp)
		return prolo_err_set(err, PROLO_EINVAL, file, "cannot write '%s': %s", tmp, strerror(errno));
	enum prolo_code rc = fill(ctx, fp, err);
	if (fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		if (!rc)
			rc = prolo_err_set(err, PROLO_EDB, file, "write failed: %s", strerror(errno));
	}
	fclose(fp);
	if (!rc && rename(tmp, path) != 0)
		rc = prolo_err_set(err, PROLO_EDB, file, "cannot rename: %s", strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

/* Removes dir/file (and its temporary) if there; PROLO_EINVAL naming the
 * file when it stays. */
static enum prolo_code remove_file(const char *dir, const char *file, struct prolo_err *err)
{
	char path[4096], tmp[4120];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	unlink(tmp);
	if (unlink(path) != 0 && errno != ENOENT)
		return prolo_err_set(err, PROLO_EINVAL, file, "cannot remove the earlier '%s': %s", path, strerror(errno));
	return PROLO_OK;
}

struct record_file {
	struct store *st;
	struct export_file x;
};

static enum prolo_code fill_records(void *ctx, FILE *fp, struct prolo_err *err)
{
	struct record_file *rf = ctx;
	const struct rec_table *t = &rec_tables[rf->x.kind];
	rf->x.fp = fp;
	bool first = true;
	for (int k = 0; k < t->n_fields; k++) {
		if (rf->x.deidentify && t->fields[k].identifying)
			continue;
		fprintf(fp, "%s%s", first ? "" : ",", t->fields[k].name);
		first = false;
	}
	fputc('\n', fp);
	enum prolo_code rc = store_scan(rf->st, rf->x.kind, NULL, export_row, &rf->x, err);
	buf_free(&rf->x.line);
	return rc;
}

/* A side file: the header, then each row its rows() emits. */
struct side_file {
	const struct csvio_side_out *side;
	bool spreadsheet;
	FILE *fp;
	struct buf line;
	long n;
};

static enum prolo_code emit_side(void *ctx, const char *const values[], struct prolo_err *err)
{
	struct side_file *sf = ctx;
	buf_reset(&sf->line);
	enum prolo_code rc = PROLO_OK;
	for (size_t i = 0; !rc && sf->side->columns[i]; i++) {
		const char *v = values[i] ? values[i] : "";
		if (i)
			rc = buf_addc(&sf->line, ',');
		if (!rc)
			rc = sf->spreadsheet ? csv_write_sheet_field(&sf->line, v, strlen(v)) : csv_write_field(&sf->line, v, strlen(v));
	}
	if (!rc)
		rc = buf_addc(&sf->line, '\n');
	if (rc)
		return prolo_err_set(err, rc, sf->side->file, "row too large");
	if (fwrite(sf->line.data, 1, sf->line.len, sf->fp) != sf->line.len)
		return prolo_err_set(err, PROLO_EDB, sf->side->file, "write failed: %s", strerror(errno));
	sf->n++;
	return PROLO_OK;
}

static enum prolo_code fill_side(void *ctx, FILE *fp, struct prolo_err *err)
{
	struct side_file *sf = ctx;
	sf->fp = fp;
	for (size_t i = 0; sf->side->columns[i]; i++)
		fprintf(fp, "%s%s", i ? "," : "", sf->side->columns[i]);
	fputc('\n', fp);
	enum prolo_code rc = sf->side->rows(sf->side->ctx, emit_side, sf, err);
	buf_free(&sf->line);
	return rc;
}

enum prolo_code csvio_export(struct store *st, const char *dir, bool deidentify, bool spreadsheet,
                             long counts[REC__COUNT], struct prolo_err *err)
{
	return csvio_export_with(st, dir, deidentify, spreadsheet, NULL, 0, counts, NULL, err);
}

enum prolo_code csvio_export_with(struct store *st, const char *dir, bool deidentify, bool spreadsheet,
                                  const struct csvio_side_out *side, size_t n_side, long counts[REC__COUNT],
                                  long *side_rows, struct prolo_err *err)
{
	if (privfile_mkdir(dir) != 0)
		return prolo_err_set(err, PROLO_EINVAL, "DIR", "cannot create '%s': %s", dir, strerror(errno));
	/* One snapshot for every file: a course written meanwhile by another
	 * process must not appear without its patient. */
	enum prolo_code rc = store_read_begin(st, err);
	if (rc)
		return rc;
	for (size_t i = 0; !rc && i < sizeof file_order / sizeof file_order[0]; i++) {
		enum rec_kind kind = file_order[i];
		struct record_file rf = { .st = st, .x = { .kind = kind, .deidentify = deidentify, .spreadsheet = spreadsheet } };
		rc = write_file(dir, rec_tables[kind].file, fill_records, &rf, err);
		if (!rc && counts)
			counts[kind] = rf.x.n;
	}
	if (side_rows)
		*side_rows = 0;
	for (size_t i = 0; !rc && i < n_side; i++) {
		if (!side[i].rows) {
			rc = remove_file(dir, side[i].file, err);
			continue;
		}
		struct side_file sf = { .side = &side[i], .spreadsheet = spreadsheet };
		rc = write_file(dir, side[i].file, fill_side, &sf, err);
		if (!rc && side_rows)
			*side_rows += sf.n;
	}
	store_read_end(st);
	return rc;
}
