/*
 * inspect.h - one message through decode, verify and decide, in-process:
 * what mmguardctl explain, the benchmarks and the fuzzers run, and what
 * the pipeline's decode, verify and policy roles do between them.
 */
#ifndef MMGUARD_INSPECT_H
#define MMGUARD_INSPECT_H

#include <stddef.h>
#include <stdint.h>

#include "policy/decide.h"

/*
 * Decode strictly (BER as real MTAs send it), verify a CMS-signed content
 * with the direction's signature rule (its trust store; without one the
 * signature is left unverified and the rule says so), and decide.  Always
 * fills *v (verdict_free() it); returns the decide() result.
 */
int	inspect_message(const struct guardpol *, enum gp_dir, const uint8_t *,
	    size_t, struct decide_ctx *, struct verdict *);

#endif
