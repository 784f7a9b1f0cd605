/*
 * hex.c - bytes as lowercase hexadecimal (hex.h).  A table, not snprintf:
 * digests are spelled out for every message and every audit record, and
 * snprintf's format interpreter cost more than the hashing.
 */
#include <stdint.h>

#include "guard/common/hex.h"

void
hex_lower(const void *v, size_t n, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	const uint8_t		*p = v;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}
