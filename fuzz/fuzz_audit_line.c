/* Fuzzes the audit spool's line parser (audit_line_parse), which reads the
 * spool files a crashed server leaves behind. Beyond memory safety: a line
 * that parses formats (audit_line_format) into a line that parses to the
 * same row, and formatting never writes a raw tab, newline or control
 * byte inside a field. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "security/audit_line.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_audit e, again;
	if (!audit_line_parse((const char *)data, size, &e))
		return 0;
	struct buf b;
	buf_init(&b, 1 << 20);
	if (audit_line_format(&b, &e, "unused") != PROLO_OK)
		abort();
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		abort();
	int tabs = 0;
	for (size_t i = 0; i + 1 < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];
		if (c == '\t')
			tabs++;
		else if (c < 0x20)
			abort();
	}
	if (tabs != 5)
		abort();
	if (!audit_line_parse(b.data, b.len - 1, &again))
		abort();
	if (memcmp(&e, &again, sizeof e) != 0)
		abort();
	buf_free(&b);
	return 0;
}
