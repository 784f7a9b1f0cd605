/*
 * hex.h - bytes as lowercase hexadecimal, the spelling of every digest and
 * signature the guard writes (audit records, archive, spool ids).
 */
#ifndef MMGUARD_HEX_H
#define MMGUARD_HEX_H

#include <stddef.h>

/* n bytes as 2n lowercase hex digits and a NUL (out: 2n + 1 bytes). */
void	hex_lower(const void *, size_t n, char *out);

#endif
