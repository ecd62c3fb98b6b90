/* Records as JSON objects, driven by the field tables: one converter for the
 * CLI's --json output and the HTTP API, so both speak the same keys. */
#ifndef PROLO_REC_JSON_H
#define PROLO_REC_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/records.h"

/* New object with every field that holds a value (missing fields are left
 * out; with all_fields they appear as null). Whole numbers and reals are
 * JSON numbers, flags an array of names, an assessment's items an array of
 * answers (null = unanswered), everything else the field's text. Identifying
 * fields (names, contact details, free text) are left out when deidentify
 * is set. NULL only when out of memory. */
json_t *rec_to_json(enum rec_kind kind, const void *rec, bool all_fields, bool deidentify);

/* Sets the fields of rec from a JSON object, in the shapes rec_to_json
 * writes (flags may also be one ';'-separated string); every value goes
 * through rec_set; null means missing; types are strict. Keys listed in extra[] (NULL-terminated, may be NULL)
 * are skipped for the caller to handle; any other unknown key is an error.
 * PROLO_EINVAL with err->field naming the key. */
enum prolo_code rec_from_json(enum rec_kind kind, void *rec, const json_t *obj,
                              const char *const *extra, struct prolo_err *err);

#endif
