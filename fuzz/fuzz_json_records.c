/* Fuzzes the JSON half of the API's input path: strict jansson parsing
 * (duplicate keys rejected) and rec_from_json. Byte 0 picks the record
 * kind. Beyond memory safety: errors name a field, and an accepted object
 * written back by rec_to_json reads again into the same JSON. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rec_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum rec_kind kind = (enum rec_kind)(data[0] % REC__COUNT);
	json_error_t je;
	json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &je);
	if (!in)
		return 0;
	void *rec = malloc(rec_tables[kind].size);
	void *again = malloc(rec_tables[kind].size);
	rec_init(kind, rec);
	struct prolo_err e = { 0 };
	if (rec_from_json(kind, rec, in, NULL, &e) == PROLO_OK) {
		json_t *out = rec_to_json(kind, rec, false, false);
		rec_init(kind, again);
		if (!out || rec_from_json(kind, again, out, NULL, &e) != PROLO_OK)
			abort(); /* what prolo writes, prolo reads */
		json_t *out2 = rec_to_json(kind, again, false, false);
		if (!json_equal(out, out2))
			abort();
		json_decref(out);
		json_decref(out2);
	} else if (!e.msg[0]) {
		abort();
	}
	json_decref(in);
	free(rec);
	free(again);
	return 0;
}
