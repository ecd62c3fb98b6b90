/* libFuzzer harness for instr_parse_items: the item text of CSV files and
 * the command line is untrusted input. The first byte picks the instrument,
 * the rest is the text. Beyond memory safety it checks the contract: an
 * accepted text yields in-range answers that format back to a text which
 * parses to the same answers and always scores. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/instruments.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum instrument id = (enum instrument)(data[0] % INSTR__COUNT);
	const struct instr_info *in = instr_info(id);
	const char *s = (const char *)data + 1;
	size_t len = size - 1;

	int items[INSTR_MAX_ITEMS];
	size_t n = 0;
	struct prolo_err err = { 0 };
	enum prolo_code rc = instr_parse_items(id, s, len, items,
	                                       INSTR_MAX_ITEMS, &n, &err);
	if (rc != PROLO_OK) {
		check(rc == PROLO_EINVAL);
		check(err.field[0] != '\0' && err.msg[0] != '\0');
		check(memchr(err.msg, '\0', sizeof err.msg) != NULL);
		return 0;
	}
	check(n == (size_t)in->n_items);
	for (size_t i = 0; i < n; i++)
		check(items[i] == INSTR_MISSING ||
		      (items[i] >= in->item_min && items[i] <= in->item_max));

	char text[INSTR_ITEMS_TEXT_MAX];
	check(instr_format_items(items, n, text, sizeof text, &err) == PROLO_OK);
	int again[INSTR_MAX_ITEMS];
	size_t m = 0;
	check(instr_parse_items(id, text, strlen(text), again, INSTR_MAX_ITEMS,
	                        &m, &err) == PROLO_OK);
	check(m == n && memcmp(items, again, n * sizeof(int)) == 0);

	struct instr_score sc;
	check(instr_score(id, items, n, &sc, &err) == PROLO_OK);
	check(isnan(sc.total) ||
	      (sc.total >= in->score_min - 1e-9 && sc.total <= in->score_max + 1e-9));
	return 0;
}
