/*
 * p1_fuzz.c - libFuzzer harness for the X.400 P1 decoder (and, through it,
 * the IPM/P772 content decoder, O/R names, labels and CMS unwrapping).
 *
 * For any input: decode in BER mode.  When it decodes, the facts are
 * rendered as JSON (every field read) and re-encoded.  What the encoder
 * writes must decode; for DER input it must give the same facts (the
 * content's length left out when the content is re-encoded from its
 * facts); and re-encoding the decoded facts must give the same bytes
 * again (encoding is a function of the facts).  Values kept as sent
 * (unknown extensions) are copied as they came, so re-decoding is in BER
 * mode.  Input that decodes in DER mode must decode in BER mode too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/x400.h"
#include "guard/common/buf.h"

static int
ext_cmp(const void *a, const void *b)
{
	const struct x400_ext	*x = a, *y = b;

	if (x->standard != y->standard)
		return x->standard ? -1 : 1;
	if (x->standard)
		return (x->number > y->number) - (x->number < y->number);
	return strcmp(x->oid, y->oid);
}

static int
facts(struct x400_msg *m, struct buf *out)
{
	if (m->body != NULL && m->body->protection == X400_PROT_NONE)
		m->content_len = 0;
	if (m->env.next > 1)
		qsort(m->env.ext, m->env.next, sizeof(*m->env.ext), ext_cmp);
	if (m->report.next > 1)
		qsort(m->report.ext, m->report.next, sizeof(*m->report.ext),
		    ext_cmp);
	return x400_json(m, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Encode m (its content from the facts when they were decoded). */
static int
reencode(struct x400_msg *m, struct buf *out)
{
	if (m->apdu == X400_APDU_MESSAGE && m->body != NULL &&
	    m->body->protection == X400_PROT_NONE)
		m->content = NULL;
	return x400_encode(m, 0, out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec	 d, d2, d3, dd;
	struct x400_msg	*m, *m2, *m3, *md;
	struct buf	 j1, j2, j3, e1, e2;
	int		 ber_ok, der_ok;

	if (size > 1 << 20)
		return 0;
	ber_ok = x400_decode(&d, BER_MODE_BER, NULL, data, size, &m) == 0;
	der_ok = x400_decode(&dd, BER_MODE_DER, NULL, data, size, &md) == 0;
	x400_dec_free(&dd);
	if (der_ok && !ber_ok)
		abort();
	if (!ber_ok) {
		x400_dec_free(&d);
		return 0;
	}
	buf_init(&j1, 1 << 26);
	buf_init(&j2, 1 << 26);
	buf_init(&j3, 1 << 26);
	buf_init(&e1, 1 << 26);
	buf_init(&e2, 1 << 26);
	if (facts(m, &j1) == -1)
		abort();
	if (reencode(m, &e1) == 0) {
		/* What the encoder writes decodes, to the same facts (for DER
		 * input, where SET OF order is already canonical) ... */
		if (x400_decode(&d2, BER_MODE_BER, NULL, e1.data, e1.len,
		    &m2) == -1 || facts(m2, &j2) == -1)
			abort();
		if (der_ok && (j1.len != j2.len ||
		    memcmp(j1.data, j2.data, j1.len) != 0))
			abort();
		/* ... and encoding is stable from then on. */
		if (reencode(m2, &e2) == -1 || e1.len != e2.len ||
		    memcmp(e1.data, e2.data, e1.len) != 0)
			abort();
		if (x400_decode(&d3, BER_MODE_BER, NULL, e2.data, e2.len,
		    &m3) == -1 || facts(m3, &j3) == -1 || j2.len != j3.len ||
		    memcmp(j2.data, j3.data, j2.len) != 0)
			abort();
		x400_dec_free(&d3);
		x400_dec_free(&d2);
	}
	buf_free(&e1);
	buf_free(&e2);
	buf_free(&j1);
	buf_free(&j2);
	buf_free(&j3);
	x400_dec_free(&d);
	return 0;
}
