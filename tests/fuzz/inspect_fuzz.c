/*
 * inspect_fuzz.c - libFuzzer harness for the whole offline inspection of
 * one message: arbitrary bytes decoded, (signed content left unverified:
 * the example policy is loaded without a PKI directory) and decided in
 * both directions by policy/examples/guard.xml.  Every verdict must carry
 * a reason unless it is release, and a release must have a destination
 * label.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guard/common/buf.h"
#include "policy/decide.h"
#include "policy/inspect.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct guardpol		*gp;
static struct decide_ctx	*ctx;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verdict	v;
	struct buf	j;
	char		err[1024];
	int		dir;

	if (gp == NULL) {
		if ((gp = gp_load_file("policy/examples/guard.xml", NULL, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			abort();	/* run from the top of the tree */
		}
		if ((ctx = decide_ctx_new(gp, err, sizeof(err))) == NULL)
			abort();
	}
	for (dir = 0; dir < GP_NDIRS; dir++) {
		(void)inspect_message(gp, (enum gp_dir)dir, data, size, ctx,
		    &v);
		if (v.verdict != GP_RELEASE && v.nreasons == 0)
			abort();	/* a refusal names its rule */
		if (v.verdict == GP_RELEASE && !v.has_destination)
			abort();	/* nothing crosses unlabelled */
		buf_init(&j, 1 << 20);
		if (verdict_json(&v, &j) == -1)
			abort();
		buf_free(&j);
		verdict_free(&v);
	}
	return 0;
}
