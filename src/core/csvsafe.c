/* Spreadsheet-safe CSV cells: see csvsafe.h. */
#include "core/csvsafe.h"

#include "core/csvread.h"

bool csv_formula_risk(const char *s, size_t len)
{
	if (!len)
		return false;
	switch (s[0]) {
	case '=': case '+': case '-': case '@': case '\t': case '\r':
		return true;
	default:
		return false;
	}
}

enum prolo_code csv_write_sheet_field(struct buf *out, const char *s, size_t len)
{
	if (!csv_formula_risk(s, len))
		return csv_write_field(out, s, len);
	struct buf tmp;
	buf_init(&tmp, 0);
	enum prolo_code rc = buf_addc(&tmp, '\'');
	if (!rc)
		rc = buf_add(&tmp, s, len);
	if (!rc)
		rc = csv_write_field(out, buf_str(&tmp), tmp.len);
	buf_free(&tmp);
	return rc;
}
