/*
 * auditkey.h - the supervisor's half of an audit key rotation, and the
 * digests it records at start.
 *
 * A rotation (mmguardctl audit rotate-key) must never leave the audit role
 * without the key the log is signed with, whenever a crash comes:
 *
 *  1. mmguardd makes the new key (or loads the officer's) and stores it as
 *     KEY.new (mode 0600, synced, its directory synced);
 *  2. the audit role records the rotation, signed by both keys, and signs
 *     with the new one from then on;
 *  3. mmguardd renames KEY.new over KEY (the old private key is gone).
 *
 * A crash after 1 leaves KEY in force and a stale KEY.new; after 2, the new
 * key in KEY.new.  The audit role is always started with both (-k KEY
 * -n KEY.new), opens the log with the one in force and says which: KEY.new
 * is then put in place (3) or removed.
 */
#ifndef MMGUARD_AUDITKEY_H
#define MMGUARD_AUDITKEY_H

#include <stddef.h>
#include <stdint.h>

#include "guard/audit/auditlog.h"

#define AUDITKEY_PEM_MAX	512

struct auditkey_new {
	uint8_t	raw[32];			/* the private key */
	char	pem[AUDITKEY_PEM_MAX];		/* its public key, PEM */
	char	id[AUDIT_KEYID_LEN + 1];
};

/*
 * Step 1: load FILE (an Ed25519 private key, PEM) or, with NULL, make a
 * new key; store it as NEWPATH.  -1 with a reason.
 */
int	auditkey_make(const char *file, const char *newpath,
	    struct auditkey_new *, char *err, size_t errlen);
/* Step 3: NEWPATH becomes PATH; -1 with a reason. */
int	auditkey_commit(const char *newpath, const char *path, char *err,
	    size_t errlen);
/* A rotation that did not happen: NEWPATH removed (if it is there). */
void	auditkey_discard(const char *newpath);

/* SHA-256 of a file's bytes in hex; -1 with a reason. */
int	auditkey_file_digest(const char *path, char hex[65], char *err,
	    size_t errlen);

#endif
