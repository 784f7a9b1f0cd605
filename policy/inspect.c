/*
 * inspect.c - decode, verify, decide (inspect.h).
 */
#include <stdio.h>
#include <string.h>

#include "filters/cms/cms_verify.h"
#include "filters/x400/x400.h"
#include "policy/inspect.h"

int
inspect_message(const struct guardpol *gp, enum gp_dir dir,
    const uint8_t *p, size_t len, struct decide_ctx *ctx, struct verdict *v)
{
	struct x400_dec		 d;
	struct x400_msg		*m = NULL;
	struct cms_facts	 f;
	struct decide_in	 in;
	const struct gp_rule	*sig = NULL;
	int			 rc;

	memset(&in, 0, sizeof(in));
	memset(&f, 0, sizeof(f));
	in.size = len;
	if (x400_decode(&d, BER_MODE_BER, NULL, p, len, &m) == -1) {
		in.decode_error = x400_strerror(&d);
		m = NULL;
	}
	in.msg = m;
	if ((unsigned)dir < GP_NDIRS && gp->dirs[dir].present)
		sig = gp_rule_of(&gp->dirs[dir], GP_SIGNATURE);
	if (m != NULL && m->body != NULL &&
	    m->body->protection == X400_PROT_CMS_SIGNED) {
		if (sig != NULL && sig->u.sig.store)
			(void)cms_verify(&d, &sig->u.sig.cms, m->content,
			    m->content_len, &f);
		else {
			f.ok = false;
			(void)snprintf(f.reason, sizeof(f.reason),
			    "not verified: no trust store (the policy was "
			    "loaded without the PKI directory)");
		}
		in.cms = &f;
	}
	rc = decide(gp, dir, &in, ctx, v);
	x400_dec_free(&d);
	return rc;
}
