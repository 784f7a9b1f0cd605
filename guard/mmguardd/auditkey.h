/*
 * auditkey.h - the digests mmguardd records at start (the configuration
 * file's, so that a change between two starts is in the audit log).
 */
#ifndef MMGUARD_AUDITKEY_H
#define MMGUARD_AUDITKEY_H

#include <stddef.h>

/* SHA-256 of a file's bytes in hex; -1 with a reason. */
int	auditkey_file_digest(const char *path, char hex[65], char *err,
	    size_t errlen);

#endif
