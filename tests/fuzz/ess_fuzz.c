/*
 * ess_fuzz.c - libFuzzer harness for the ESS security label codec, as a
 * signed attribute's value would reach it: the bytes are one label.
 *
 * When the input decodes (BER), the label is encoded; the encoding must be
 * DER (it decodes in DER mode), mean the same (ess_label_equal both ways),
 * and be a fixpoint (re-encoding what it decodes to gives the same bytes).
 * Input that decodes in DER must decode in BER too, and is its own
 * encoding.  An X.411 label with the same fields and raw categories must
 * compare equal.  Every refusal must carry a code and an offset.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
decode(struct x400_dec *d, enum ber_mode mode, const uint8_t *p, size_t n,
    struct ess_label *l)
{
	memset(d, 0, sizeof(*d));
	x400_limits_default(&d->lim);
	ber_ctx_init(&d->c, mode, NULL, p, n);
	if (ess_label_dec_bytes(d, p, n, l) == 0)
		return 0;
	/* A refusal always says what and where. */
	if (d->c.err.code == BER_OK ||
	    strncmp(x400_strerror(d), "offset ", 7) != 0 || l->present)
		abort();
	return -1;
}

static int
encode(const struct ess_label *l, struct buf *b)
{
	struct ber_enc	e;

	ber_enc_init(&e, b, 0);
	ess_label_enc(&e, l);
	return ber_enc_finish(&e);
}

/* The X.411 form of a decoded label: the same fields, categories raw. */
static void
check_x411(const struct ess_label *l)
{
	struct x400_category	*xc;
	struct x400_label	 x;
	unsigned		 i;

	memset(&x, 0, sizeof(x));
	x.present = true;
	x.policy = l->policy;
	x.classification = l->classification;
	x.privacy_mark = l->privacy_mark;
	xc = calloc(l->ncats + 1, sizeof(*xc));
	if (xc == NULL)
		abort();
	for (i = 0; i < l->ncats; i++) {
		xc[i].type = l->cats[i].type;
		xc[i].value = l->cats[i].value;
		xc[i].valuelen = l->cats[i].valuelen;
	}
	x.cats = xc;
	x.ncats = l->ncats;
	if (!ess_label_equal_x411(l, &x))
		abort();
	/* Without its policy it never equals. */
	x.policy = NULL;
	if (ess_label_equal_x411(l, &x))
		abort();
	free(xc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec		 d1, d2, dd;
	struct ess_label	 l1, l2, ld;
	struct buf		 e1, e2;
	int			 der_ok;

	if (size > 1 << 16)
		return 0;
	der_ok = decode(&dd, BER_MODE_DER, data, size, &ld) == 0;
	if (decode(&d1, BER_MODE_BER, data, size, &l1) == -1) {
		if (der_ok)
			abort();
		x400_dec_free(&dd);
		x400_dec_free(&d1);
		return 0;
	}
	if (!ess_label_equal(&l1, &l1) ||
	    (der_ok && (!ess_label_equal(&l1, &ld) ||
	    !ess_label_equal(&ld, &l1))))
		abort();
	check_x411(&l1);

	buf_init(&e1, 1 << 20);
	buf_init(&e2, 1 << 20);
	/* Everything the decoder accepts can be written, and is DER. */
	if (encode(&l1, &e1) == -1)
		abort();
	if (der_ok && (e1.len != size || memcmp(e1.data, data, size) != 0))
		abort();
	if (decode(&d2, BER_MODE_DER, e1.data, e1.len, &l2) == -1)
		abort();
	if (!ess_label_equal(&l1, &l2) || !ess_label_equal(&l2, &l1))
		abort();
	if (encode(&l2, &e2) == -1 || e1.len != e2.len ||
	    memcmp(e1.data, e2.data, e1.len) != 0)
		abort();
	buf_free(&e1);
	buf_free(&e2);
	x400_dec_free(&d2);
	x400_dec_free(&dd);
	x400_dec_free(&d1);
	return 0;
}
