/* The common-password check: a list shipped with prolo
 * (src/security/common-passwords.txt, which says where it comes from),
 * built into the binary by scripts/common-passwords.sh as one sorted
 * array, so the check is a binary search and needs no file at run time. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "security/auth.h"

extern const char *const auth_common_passwords[];
extern const size_t auth_n_common_passwords;

static int cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

static bool listed(const char *s)
{
	return s[0] && bsearch(s, auth_common_passwords, auth_n_common_passwords, sizeof auth_common_passwords[0],
	                       cmp) != NULL;
}

/* Digits, punctuation and spaces: what people add around a word. */
static bool padding(unsigned char c)
{
	return c < 0x80 && (isdigit(c) || ispunct(c) || c == ' ');
}

bool auth_password_common(const char *password)
{
	char low[AUTH_MAX_PASSWORD + 1];
	size_t n = strlen(password);
	if (n > AUTH_MAX_PASSWORD)
		return false;
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)password[i];
		low[i] = (char)(c < 0x80 ? tolower(c) : c);
	}
	if (listed(low))
		return true;
	size_t a = 0, b = n;
	while (a < b && padding((unsigned char)low[a]))
		a++;
	while (b > a && padding((unsigned char)low[b - 1]))
		b--;
	if (b - a < 3 || (a == 0 && b == n))
		return false;
	low[b] = '\0';
	return listed(low + a);
}

size_t auth_common_password_count(void)
{
	return auth_n_common_passwords;
}

const char *auth_common_password_at(size_t i)
{
	return i < auth_n_common_passwords ? auth_common_passwords[i] : NULL;
}
