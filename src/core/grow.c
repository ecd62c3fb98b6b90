/* grow_array: doubling with an overflow check, and the old array kept when
 * realloc fails so the caller still owns what it had. */
#include "core/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum prolo_code grow_array(void *items, size_t *cap, size_t need, size_t elem, size_t first,
                           struct prolo_err *err)
{
	if (need <= *cap)
		return PROLO_OK;
	size_t c = *cap ? *cap : (first ? first : 8);
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
		c *= 2;
	}
	if (elem && c > SIZE_MAX / elem)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	void *old;
	memcpy(&old, items, sizeof old);
	void *p = realloc(old, c * elem);
	if (!p)
		return prolo_err_set(err, PROLO_ENOMEM, "", "out of memory");
	memcpy(items, &p, sizeof p);
	*cap = c;
	return PROLO_OK;
}
