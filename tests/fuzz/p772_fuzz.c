/*
 * p772_fuzz.c - libFuzzer harness for the P772 / IPM content decoder on its
 * own (InformationObject: heading, MMHS extensions, body parts, forwarded
 * messages, IPNs), as a .p772 file would reach it.
 *
 * When the input decodes, its facts are rendered as JSON and re-encoded;
 * the encoding must decode (to the same facts, for DER input), and
 * re-encoding those facts must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/x400.h"
#include "guard/common/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
encode(const struct x400_content *c, struct buf *out)
{
	struct ber_enc	e;

	ber_enc_init(&e, out, 0);
	x400_encode_content(&e, c);
	return ber_enc_finish(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec		 d, d2, d3, dd;
	struct x400_content	*c, *c2, *c3, *cd;
	struct buf		 j1, j2, j3, e1, e2;
	int			 der_ok;

	if (size > 1 << 20)
		return 0;
	der_ok = x400_decode_content(&dd, BER_MODE_DER, NULL, data, size,
	    true, &cd) == 0;
	x400_dec_free(&dd);
	if (x400_decode_content(&d, BER_MODE_BER, NULL, data, size, true,
	    &c) == -1) {
		if (der_ok)
			abort();
		x400_dec_free(&d);
		return 0;
	}
	buf_init(&j1, 1 << 26);
	buf_init(&j2, 1 << 26);
	buf_init(&j3, 1 << 26);
	buf_init(&e1, 1 << 26);
	buf_init(&e2, 1 << 26);
	if (x400_json_content(c, &j1) == -1)
		abort();
	if (encode(c, &e1) == 0) {
		if (x400_decode_content(&d2, BER_MODE_BER, NULL, e1.data,
		    e1.len, true, &c2) == -1 || x400_json_content(c2, &j2) == -1)
			abort();
		if (der_ok && (j1.len != j2.len ||
		    memcmp(j1.data, j2.data, j1.len) != 0))
			abort();
		if (encode(c2, &e2) == -1 || e1.len != e2.len ||
		    memcmp(e1.data, e2.data, e1.len) != 0)
			abort();
		if (x400_decode_content(&d3, BER_MODE_BER, NULL, e2.data,
		    e2.len, true, &c3) == -1 || x400_json_content(c3, &j3) == -1 ||
		    j2.len != j3.len || memcmp(j2.data, j3.data, j2.len) != 0)
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
