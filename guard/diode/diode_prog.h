/*
 * diode_prog.h - what mmguard-diode-tx and mmguard-diode-rx share as
 * programs (library code never exits; these may).
 */
#ifndef MMGUARD_DIODE_PROG_H
#define MMGUARD_DIODE_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "guard/common/proc.h"
#include "guard/diode/diode.h"

/* SIGTERM and SIGINT set proc_stopping; SIGPIPE is ignored. */
void		diode_prog_signals(void);
/* An option's number (see diode_parse_num); exits on a bad one. */
uint64_t	diode_prog_num(const char *opt, const char *arg, unsigned base,
		    uint64_t min, uint64_t max);
/* UTC time stamp, "2024-01-31T23:59:59Z". */
void		diode_prog_stamp(char *, size_t);

/*
 * The release token check both programs make: diode-tx before it sends
 * a message, diode-rx before it stores one.  With a direction, the
 * guard's token (guard/common/mac.h: the policy role's MAC of the
 * message digest, the verdict release, the direction and the digest of
 * the policy that decided), accepted under any of the policies given
 * (the current one, and the one before while what it released is still
 * crossing); without, the stand-in of diode.h (HMAC-SHA256 of the
 * digest).
 */
#define DIODE_PROG_POLICIES	4
struct diode_token_keys {
	uint8_t		 key[DIODE_KEY_MAX];
	size_t		 keylen;
	int		 dir;		/* -1: the stand-in token */
	uint8_t		 policy[DIODE_PROG_POLICIES][32];
	size_t		 npolicy;
};
void	diode_prog_token_init(struct diode_token_keys *);
/* --direction, --policy-digest, --token-key: exit on a bad value. */
void	diode_prog_token_dir(struct diode_token_keys *, const char *);
void	diode_prog_token_policy(struct diode_token_keys *, const char *);
void	diode_prog_token_load(struct diode_token_keys *, const char *);
/* 0 when the token releases the digest. */
int	diode_prog_token_check(const struct diode_token_keys *,
	    const uint8_t *digest, const uint8_t *token);

#endif
