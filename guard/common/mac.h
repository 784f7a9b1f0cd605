/*
 * mac.h - keyed digests between roles: the release token (policy role to
 * diode-tx, through qmgr, which holds no key and so cannot forge one) and
 * the seal on verification facts (verify role to policy role, through
 * qmgr).  HMAC-SHA256 with a domain label per use, so that a value made
 * for one purpose is never accepted for another.
 *
 * A key file holds at least MAC_KEY_LEN bytes (the first MAC_KEY_LEN are
 * used) and must not be readable by others than its owner.
 */
#ifndef MMGUARD_MAC_H
#define MMGUARD_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAC_KEY_LEN	32
#define MAC_LEN		32

#define MAC_RELEASE	"mmguard release token v1"
#define MAC_FACTS	"mmguard verification facts v1"

struct mac_part {
	const void	*p;
	size_t		 len;
};

int	mac_key_load(const char *path, uint8_t key[MAC_KEY_LEN], char *err,
	    size_t errlen);
/* HMAC-SHA256(key, domain || 0 || part 1 || part 2 ...). */
int	mac_compute(const uint8_t key[MAC_KEY_LEN], const char *domain,
	    const struct mac_part *, size_t n, uint8_t out[MAC_LEN]);
bool	mac_equal(const uint8_t a[MAC_LEN], const uint8_t b[MAC_LEN]);

/* The release token of a message digest, verdict, direction, policy. */
int	mac_release_token(const uint8_t key[MAC_KEY_LEN],
	    const uint8_t digest[32], unsigned verdict, unsigned dir,
	    const uint8_t policy_digest[32], uint8_t out[MAC_LEN]);

#endif
