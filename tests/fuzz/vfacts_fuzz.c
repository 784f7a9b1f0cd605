/*
 * vfacts_fuzz.c - libFuzzer harness for the verification facts reader
 * (guard/inspect/vfacts.c): arbitrary bytes as the facts the policy role
 * receives through qmgr.  Facts that read must encode back to the same
 * bytes' meaning: decoded again, they give the same verdict inputs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/inspect/vfacts.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec		d, d2;
	struct cms_facts	f, f2;
	struct buf		b;
	bool			present, present2;
	char			err[256];

	if (vfacts_dec(data, size, &d, &f, &present, err, sizeof(err)) ==
	    -1) {
		if (err[0] == '\0')
			abort();	/* every refusal has a reason */
		x400_dec_free(&d);
		return 0;
	}
	buf_init(&b, 1 << 20);
	if (vfacts_enc(present ? &f : NULL, &b) == -1)
		abort();
	if (vfacts_dec(b.data, b.len, &d2, &f2, &present2, err,
	    sizeof(err)) == -1 || present2 != present ||
	    (present && (f2.ok != f.ok || f2.nsigners != f.nsigners ||
	    f2.label.present != f.label.present)))
		abort();	/* what was read is written back the same */
	x400_dec_free(&d2);
	buf_free(&b);
	x400_dec_free(&d);
	return 0;
}
