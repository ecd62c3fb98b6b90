/* JSON at the HTTP edge: strict parsing of request bodies (duplicate keys and
 * unknown fields rejected, the field named) and one generic converter
 * between JSON objects and registry records, driven by the field tables of
 * core/records.h so every kind is read and written by the same code. */
#ifndef PROLO_HJSON_H
#define PROLO_HJSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/records.h"

/* Parses body[0..len) as one JSON object with duplicate keys rejected.
 * PROLO_EINVAL (err->field "body") on syntax errors, a duplicate key or a
 * non-object; *out is a new reference on success, NULL otherwise. */
enum prolo_code hjson_parse(const char *body, size_t len, json_t **out, struct prolo_err *err);

/* Records convert with rec_from_json / rec_to_json (core/rec_json.h). */

/* Appends {"error":{"code","message","field"}} for err. PROLO_ETOOBIG/ENOMEM
 * from the buffer. */
enum prolo_code hjson_error(struct buf *out, const struct prolo_err *err);
/* Appends the compact text of v. PROLO_ENOMEM / PROLO_ETOOBIG. */
enum prolo_code hjson_dump(struct buf *out, const json_t *v);

/* ---- streaming output: the same JSON as rec_to_json + hjson_dump,
 * written straight into a buffer (no tree), for large responses such as
 * the chart. All return PROLO_OK or the buffer's PROLO_ETOOBIG/ENOMEM. */

/* A JSON string with quotes and escapes; bytes of text that is not UTF-8
 * become U+FFFD, so the output is always valid JSON. */
enum prolo_code hjson_put_str(struct buf *out, const char *s, size_t len);
/* A number that reads back as the same double ("12.0", "0.1"); null for
 * NaN and infinities. */
enum prolo_code hjson_put_real(struct buf *out, double v);
/* Object members: *first is true before the first member of an object
 * (no comma) and false after. put_key writes ["," ]"key": for a value the
 * caller writes; put_member a string value (NULL = null). Keys are the
 * program's own names (plain ASCII, under 76 bytes), written unescaped. */
enum prolo_code hjson_put_key(struct buf *out, bool *first, const char *key);
enum prolo_code hjson_put_member(struct buf *out, bool *first, const char *key, const char *str);
/* The members of rec_to_json(kind, rec, false, false), without the braces. */
enum prolo_code hjson_put_fields(struct buf *out, bool *first, enum rec_kind kind, const void *rec);

/* Reads an optional string member. PROLO_OK with *out NULL when absent or
 * null; PROLO_EINVAL (field = key) when present but not a string. */
enum prolo_code hjson_str(const json_t *obj, const char *key, const char **out,
                          struct prolo_err *err);

#endif
