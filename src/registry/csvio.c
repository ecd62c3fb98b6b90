/* CSV import and export through the field tables. Files are mapped into
 * memory and parsed by core/csvread; each row becomes a record via rec_set
 * and lands through registry_add, so a CSV row is checked exactly like a
 * command-line or API record. Files load parents first (patients before
 * courses before sessions ...) so references resolve in one pass. */
#include "registry/csvio.h"

#include <errno.h>
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

struct import_file {
	struct store *st;
	enum rec_kind kind;
	const char *file;
	const struct field_def *col[CSVREAD_MAX_FIELDS]; /* header -> field */
	int n_cols;
	void *rec;
	struct csvio_import_stats *stats;
	void (*progress)(void *pctx, const char *line);
	void *pctx;
	int last_pct;
	enum prolo_code first_rc;
};

static void report_row(struct import_file *f, long line, const char *column, const char *msg,
                       enum prolo_code rc)
{
	f->stats->errors++;
	if (!f->first_rc)
		f->first_rc = rc;
	if (f->stats->errors > CSVIO_MAX_REPORTED)
		return;
	if (column && column[0])
		buf_printf(&f->stats->messages, "%s:%ld: %s: %s\n", f->file, line, column, msg);
	else
		buf_printf(&f->stats->messages, "%s:%ld: %s\n", f->file, line, msg);
}

static enum prolo_code read_header(struct import_file *f, const struct csv_row *row)
{
	const struct rec_table *t = &rec_tables[f->kind];
	bool seen[64] = { false };
	bool ok = true;
	f->n_cols = row->n;
	for (int i = 0; i < row->n; i++) {
		const struct field_def *fd = rec_field(f->kind, row->f[i], row->len[i]);
		char name[80];
		snprintf(name, sizeof name, "%.*s", (int)(row->len[i] > 64 ? 64 : row->len[i]), row->f[i]);
		if (!fd) {
			char msg[600];
			size_t used = (size_t)snprintf(msg, sizeof msg, "unknown column (known:");
			for (int k = 0; k < t->n_fields && used < sizeof msg; k++)
				used += (size_t)snprintf(msg + used, sizeof msg - used, " %s", t->fields[k].name);
			if (used < sizeof msg)
				snprintf(msg + used, sizeof msg - used, ")");
			report_row(f, row->line, name, msg, PROLO_EINVAL);
			ok = false;
			continue;
		}
		int idx = (int)(fd - t->fields);
		if (seen[idx]) {
			report_row(f, row->line, name, "column appears twice", PROLO_EINVAL);
			ok = false;
		}
		seen[idx] = true;
		f->col[i] = fd;
	}
	for (int k = 0; k < t->n_fields; k++)
		if (t->fields[k].required && !seen[k]) {
			report_row(f, row->line, t->fields[k].name, "required column is missing", PROLO_EINVAL);
			ok = false;
		}
	return ok ? PROLO_OK : PROLO_EINVAL;
}

static enum prolo_code import_row(void *ctx, const struct csv_row *row, struct prolo_err *err)
{
	struct import_file *f = ctx;
	if (f->n_cols == 0) {
		/* A bad header makes every row meaningless: stop this file. */
		if (read_header(f, row))
			return prolo_err_set(err, PROLO_EINVAL, f->file, "bad header");
		return PROLO_OK;
	}
	if (row->n == 1 && row->len[0] == 0)
		return PROLO_OK; /* blank line */
	if (row->n != f->n_cols) {
		char msg[96];
		snprintf(msg, sizeof msg, "expected %d fields, found %d", f->n_cols, row->n);
		report_row(f, row->line, "", msg, PROLO_EINVAL);
		return PROLO_OK;
	}
	rec_init(f->kind, f->rec);
	struct prolo_err e = { 0 };
	for (int i = 0; i < row->n; i++)
		if (rec_set(f->kind, f->rec, f->col[i], row->f[i], row->len[i], &e)) {
			report_row(f, row->line, e.field, e.msg, e.code);
			return PROLO_OK;
		}
	if (registry_add(f->st, f->kind, f->rec, 0, &e)) {
		if (e.code == PROLO_EDB || e.code == PROLO_ENOMEM) {
			*err = e;
			return e.code; /* storage failure: stop */
		}
		report_row(f, row->line, e.field, e.msg, e.code);
		return PROLO_OK;
	}
	f->stats->rows[f->kind]++;
	return PROLO_OK;
}

static void file_progress(void *ctx, size_t done, size_t total)
{
	struct import_file *f = ctx;
	if (!f->progress || total < (8u << 20))
		return;
	int pct = (int)(100.0 * (double)done / (double)total);
	if (pct / 10 == f->last_pct / 10 && pct != 100)
		return;
	f->last_pct = pct;
	char line[128];
	snprintf(line, sizeof line, "%s: %d%% (%ld rows)", f->file, pct, f->stats->rows[f->kind]);
	f->progress(f->pctx, line);
}

static enum prolo_code import_file(struct store *st, const char *dir, enum rec_kind kind,
                                   struct csvio_import_stats *stats, bool *present,
                                   void (*progress)(void *, const char *), void *pctx,
                                   struct prolo_err *err)
{
	char path[4096];
	const char *file = rec_tables[kind].file;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	*present = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return PROLO_OK;
		return prolo_err_set(err, PROLO_EINVAL, file, "cannot open: %s", strerror(errno));
	}
	*present = true;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return prolo_err_set(err, PROLO_EINVAL, file, "is not a regular file");
	}
	struct import_file f = { .st = st, .kind = kind, .file = file, .stats = stats,
	                         .progress = progress, .pctx = pctx, .last_pct = -10 };
	if (sb.st_size == 0) {
		close(fd);
		report_row(&f, 1, "", "file is empty (expected a header row)", PROLO_EINVAL);
		return PROLO_OK;
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return prolo_err_set(err, PROLO_EINVAL, file, "cannot read: %s", strerror(errno));
	madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	f.rec = malloc(rec_tables[kind].size);
	enum prolo_code rc = PROLO_OK;
	if (!f.rec) {
		rc = prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	} else {
		struct prolo_err e = { 0 };
		rc = csvread_buffer(map, (size_t)sb.st_size, import_row, &f, file_progress, &e);
		if (rc == PROLO_EINVAL && strcmp(e.field, file) == 0) {
			rc = PROLO_OK; /* bad header: already reported */
		} else if (rc == PROLO_EINVAL) {
			/* Malformed CSV at a line: report it like a bad row. */
			long line = 0;
			if (sscanf(e.field, "line %ld", &line) == 1)
				report_row(&f, line, "", e.msg, PROLO_EINVAL);
			else
				report_row(&f, 0, e.field, e.msg, PROLO_EINVAL);
			rc = PROLO_OK;
		} else if (rc) {
			*err = e;
		}
		if (!rc && f.n_cols == 0 && stats->errors == 0)
			report_row(&f, 1, "", "file has no header row", PROLO_EINVAL);
	}
	free(f.rec);
	munmap(map, (size_t)sb.st_size);
	return rc;
}

enum prolo_code csvio_import(struct store *st, const char *dir, struct csvio_import_stats *stats,
                             void (*progress)(void *pctx, const char *line), void *pctx,
                             struct prolo_err *err)
{
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return prolo_err_set(err, PROLO_EINVAL, "DIR", "'%s' is not a directory", dir);
	int found = 0;
	for (size_t i = 0; i < sizeof file_order / sizeof file_order[0]; i++) {
		bool present = false;
		enum prolo_code rc = import_file(st, dir, file_order[i], stats, &present, progress, pctx, err);
		if (rc)
			return rc;
		found += present;
	}
	if (!found)
		return prolo_err_set(err, PROLO_EINVAL, "DIR",
		                     "'%s' holds none of patients.csv, courses.csv, sessions.csv, "
		                     "injections.csv, outcomes.csv, adverse_events.csv", dir);
	if (stats->errors) {
		if (stats->errors > CSVIO_MAX_REPORTED)
			buf_printf(&stats->messages, "... and %ld more bad rows\n",
			           stats->errors - CSVIO_MAX_REPORTED);
		return prolo_err_set(err, PROLO_EINVAL, "", "%ld bad row%s; nothing was imported",
		                     stats->errors, stats->errors == 1 ? "" : "s");
	}
	return PROLO_OK;
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
		if (!rc)
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

enum prolo_code csvio_export(struct store *st, const char *dir, bool deidentify,
                             long counts[REC__COUNT], struct prolo_err *err)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return prolo_err_set(err, PROLO_EINVAL, "DIR", "cannot create '%s': %s", dir, strerror(errno));
	for (size_t i = 0; i < sizeof file_order / sizeof file_order[0]; i++) {
		enum rec_kind kind = file_order[i];
		const struct rec_table *t = &rec_tables[kind];
		char path[4096], tmp[4120];
		snprintf(path, sizeof path, "%s/%s", dir, t->file);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		struct export_file x = { .kind = kind, .deidentify = deidentify };
		x.fp = fopen(tmp, "w");
		if (!x.fp)
			return prolo_err_set(err, PROLO_EINVAL, t->file, "cannot write '%s': %s", tmp, strerror(errno));
		bool first = true;
		for (int k = 0; k < t->n_fields; k++) {
			if (deidentify && t->fields[k].identifying)
				continue;
			fprintf(x.fp, "%s%s", first ? "" : ",", t->fields[k].name);
			first = false;
		}
		fputc('\n', x.fp);
		enum prolo_code rc = store_scan(st, kind, NULL, export_row, &x, err);
		buf_free(&x.line);
		if (fflush(x.fp) != 0 || fsync(fileno(x.fp)) != 0) {
			if (!rc)
				rc = prolo_err_set(err, PROLO_EDB, t->file, "write failed: %s", strerror(errno));
		}
		fclose(x.fp);
		if (!rc && rename(tmp, path) != 0)
			rc = prolo_err_set(err, PROLO_EDB, t->file, "cannot rename: %s", strerror(errno));
		if (rc) {
			unlink(tmp);
			return rc;
		}
		if (counts)
			counts[kind] = x.n;
	}
	return PROLO_OK;
}
