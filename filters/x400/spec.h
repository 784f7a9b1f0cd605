/*
 * spec.h - the compose SPEC: a human-writable description of a P1 message
 * that mmguard-msg compose, the tests, the demo and the benchmarks turn
 * into real traffic.  The format is documented in mmguard-msg(1) (the
 * header of filters/x400/mmguard-msg.c) and shown by the examples under
 * tests/data/msg/.
 */
#ifndef MMGUARD_X400_SPEC_H
#define MMGUARD_X400_SPEC_H

#include <stddef.h>

#include "filters/x400/x400.h"

/* What a SPEC asks of the composer beyond the message itself. */
struct x400_spec_opts {
	char	*sign_cert;	/* sign: cert=FILE; key=FILE (paths resolved) */
	char	*sign_key;
};

/*
 * Parse SPEC text into a message whose memory lives in d's arena (d is
 * initialised here).  dir is where relative file= references are looked
 * up.  On error returns -1 with "FILE:LINE: reason" in err.  opts may be
 * NULL when the caller cannot sign (a sign: line is then an error).
 */
int	x400_spec_parse(struct x400_dec *d, const char *name, const char *dir,
	    const char *text, size_t len, struct x400_msg **,
	    struct x400_spec_opts *opts, char *err, size_t errsz);

/* A label in SPEC syntax, for mmguard-msg sign --label. */
int	x400_spec_label(struct x400_dec *d, const char *text,
	    struct x400_label *, char *err, size_t errsz);

#endif
