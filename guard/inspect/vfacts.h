/*
 * vfacts.h - the verification facts as they travel from the verify role
 * through qmgr to the policy role: what decide() reads of struct
 * cms_facts, in a small length-prefixed form.
 *
 *	u8  version (1)
 *	u8  protected: 0 the content is not CMS-protected (nothing follows)
 *	u8  ok
 *	str reason
 *	u8  label present; str label (the agreed ESS label's DER)
 *	u16 signers; each: u8 ok, str subject, str ski, u8 policies, str...
 *
 * str is a u16 length and that many bytes, no NUL among them.  The policy
 * role reads this from a less trusted role: vfacts_dec() checks every
 * length, decodes the label with the strict ESS decoder, and refuses
 * trailing bytes (it is fuzzed).
 */
#ifndef MMGUARD_VFACTS_H
#define MMGUARD_VFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/cms/cms_verify.h"

#define VFACTS_MAX_SIGNERS	16
#define VFACTS_MAX_POLICIES	16

struct buf;

/* f NULL: the content is not CMS-protected. */
int	vfacts_enc(const struct cms_facts *f, struct buf *);
/*
 * Decode into f, strings and label in d's arena (d initialised here and
 * freed by the caller with x400_dec_free).  *present says whether facts
 * came.  -1 with err on any fault.
 */
int	vfacts_dec(const uint8_t *, size_t, struct x400_dec *d,
	    struct cms_facts *f, bool *present, char *err, size_t errlen);

#endif
