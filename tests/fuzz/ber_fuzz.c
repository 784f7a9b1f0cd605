/*
 * ber_fuzz.c - libFuzzer harness for the BER/DER codec.
 *
 * For any input it walks the whole structure with the cursor (every
 * constructed value entered, every universal primitive read with its typed
 * getter, universal constructed strings reassembled), and then checks the
 * properties the rest of the guard relies on:
 *   1. whatever decodes as BER re-encodes (ber_reencode, on the DER
 *      encoder) into bytes that decode to the same tree (tags, forms,
 *      depths, contents);
 *   2. that re-encoding passes the DER structural checks;
 *   3. input that passes the DER checks also passes the BER ones, and is
 *      reproduced byte for byte by the re-encoding (DER is canonical);
 *   4. nothing reads out of bounds, leaks, or overflows (ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"

#define MAX_NODES	(1 << 15)
#define MAX_DEPTH	BER_DEFAULT_MAX_DEPTH

struct node {
	unsigned	 depth;
	uint32_t	 tag;
	bool		 constructed;
	const uint8_t	*val;		/* primitives only */
	size_t		 len;
};

struct tree {
	struct node	 n[MAX_NODES];
	size_t		 count;
	bool		 full;
};

static struct tree	t_in, t_out;

/* Universal constructed types that are strings, not structures. */
static bool
is_univ_string(uint32_t tag)
{
	uint32_t	n = BER_TAG_NUMBER(tag);

	return BER_TAG_CLASS(tag) == BER_CLASS_UNIVERSAL &&
	    n != BER_SEQUENCE && n != BER_SET && n != BER_EXTERNAL &&
	    n != BER_EMBEDDED_PDV;
}

/* Exercise the typed getters; their verdict is not part of the tree. */
static void
typed_reads(struct ber_ctx *tc, const struct ber_tlv *t)
{
	uint32_t		 num = BER_TAG_NUMBER(t->tag);
	const uint8_t		*p;
	size_t			 n;
	int64_t			 v;
	bool			 b;
	struct ber_oid		 o;
	struct ber_bits		 bits;
	struct ber_str		 s;
	struct ber_time		 tm;
	time_t			 e;
	char			 text[BER_OID_TEXT_MAX];
	struct ber_reader	 r, k;
	struct ber_set_field	 f[3] = {
		{ { BER_CTX(0), BER_UNIV(BER_OID) }, 2, true, "a", false,
		    { 0 } },
		{ { BER_CTX(1) }, 1, false, "b", false, { 0 } },
		{ { BER_UNIV(BER_INTEGER) }, 1, false, "c", false, { 0 } },
	};

	if (BER_TAG_CLASS(t->tag) != BER_CLASS_UNIVERSAL)
		return;
	switch (num) {
	case BER_BOOLEAN:
		(void)ber_get_bool(tc, t, &b);
		break;
	case BER_INTEGER:
	case BER_ENUMERATED:
		(void)ber_get_int(tc, t, -1000, 1000, &v);
		memset(&tc->err, 0, sizeof(tc->err));
		(void)ber_get_bigint(tc, t, &p, &n);
		break;
	case BER_NULL:
		(void)ber_get_null(tc, t);
		break;
	case BER_OID:
		if (ber_get_oid(tc, t, &o) == 0) {
			if (ber_oid_text(&o, text, sizeof(text)) == 0 &&
			    !ber_oid_is(&o, text))
				abort();
			(void)ber_oid_is(&o, "1.3.26.0.4406.0.4.1");
		}
		break;
	case BER_BIT_STRING:
		if (ber_get_bits(tc, t, &bits) == 0)
			(void)ber_bit(&bits, bits.nbits / 2);
		break;
	case BER_UTC_TIME:
	case BER_GENERALIZED_TIME:
		if (ber_get_time(tc, t, num, &tm) == 0)
			(void)ber_time_to_epoch(&tm, &e);
		break;
	case BER_SET:
		memset(&r, 0, sizeof(r));
		r.ctx = tc;
		if (ber_enter(&r, t, &k) == 0)
			(void)ber_set_decode(&k, f, 3);
		break;
	default:
		if (ber_is_string_type(num))
			(void)ber_get_string(tc, t, num, &s);
		break;
	}
	memset(&tc->err, 0, sizeof(tc->err));
}

/*
 * Walk data in mode into tr.  Returns 0 when everything decodes, -1 when
 * not.  The arena of 'c' holds reassembled strings until it is freed.
 */
static int
walk(struct ber_ctx *c, struct ber_ctx *tc, struct tree *tr)
{
	static struct ber_reader	st[MAX_DEPTH + 1];
	struct ber_tlv			t;
	struct ber_bits			bits;
	unsigned			sp = 0;
	int				k;
	uint8_t				*flat;

	tr->count = 0;
	tr->full = false;
	ber_reader_init(&st[0], c);
	for (;;) {
		if ((k = ber_next(&st[sp], &t)) == -1)
			return -1;
		if (k == 0) {
			if (sp == 0)
				break;
			sp--;
			continue;
		}
		if (sp == 0 && st[0].count > 1)
			return -1;	/* exactly one value */
		if (tc != NULL)
			typed_reads(tc, &t);
		if (tr->count == MAX_NODES) {
			tr->full = true;
			return 0;
		}
		tr->n[tr->count] = (struct node){ sp, t.tag, t.constructed,
		    t.val, t.len };
		if (t.constructed && is_univ_string(t.tag)) {
			/* Reassemble; the node becomes primitive. */
			if (BER_TAG_NUMBER(t.tag) == BER_BIT_STRING) {
				if (ber_get_bits(c, &t, &bits) == -1)
					return -1;
				flat = ber_alloc(c, (bits.nbits + 7) / 8 + 1,
				    t.raw);
				if (flat == NULL)
					return -1;
				flat[0] = (uint8_t)((8 - bits.nbits % 8) % 8);
				memcpy(flat + 1, bits.bytes,
				    (bits.nbits + 7) / 8);
				tr->n[tr->count].val = flat;
				tr->n[tr->count].len = (bits.nbits + 7) / 8 + 1;
			} else if (ber_get_octets(c, &t,
			    &tr->n[tr->count].val,
			    &tr->n[tr->count].len) == -1)
				return -1;
			tr->n[tr->count].constructed = false;
			tr->count++;
			continue;
		}
		tr->count++;
		if (t.constructed) {
			if (ber_enter(&st[sp], &t, &st[sp + 1]) == -1)
				return -1;
			sp++;
		}
	}
	return tr->count == 0 ? -1 : 0;
}

static bool
same_tree(const struct tree *a, const struct tree *b)
{
	size_t	i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		if (a->n[i].depth != b->n[i].depth ||
		    a->n[i].tag != b->n[i].tag ||
		    a->n[i].constructed != b->n[i].constructed)
			return false;
		if (!a->n[i].constructed && (a->n[i].len != b->n[i].len ||
		    memcmp(a->n[i].val, b->n[i].val, a->n[i].len) != 0))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ber_ctx	c, tc, c2, cd, cd2;
	struct buf	out;
	int		ber_ok, der_ok;

	if (size > 1 << 20)
		return 0;
	ber_ctx_init(&c, BER_MODE_BER, NULL, data, size);
	ber_ctx_init(&tc, BER_MODE_BER, NULL, data, size);
	ber_ok = walk(&c, &tc, &t_in) == 0;
	ber_ctx_free(&tc);

	ber_ctx_init(&cd, BER_MODE_DER, NULL, data, size);
	ber_ctx_init(&tc, BER_MODE_DER, NULL, data, size);
	der_ok = walk(&cd, &tc, &t_out) == 0;
	ber_ctx_free(&tc);
	ber_ctx_free(&cd);

	/* 3a: DER is a subset of BER. */
	if (der_ok && !ber_ok)
		abort();
	if (!ber_ok || t_in.full) {
		ber_ctx_free(&c);
		return 0;
	}

	/* 1: re-encode as DER and decode again: the same tree. */
	buf_init(&out, 4 * size + 1024);
	ber_ctx_init(&tc, BER_MODE_BER, NULL, data, size);
	if (ber_reencode(&tc, &out) == -1)
		abort();
	ber_ctx_free(&tc);
	ber_ctx_init(&c2, BER_MODE_BER, NULL, out.data, out.len);
	if (walk(&c2, NULL, &t_out) == -1 || !same_tree(&t_in, &t_out))
		abort();
	ber_ctx_free(&c2);

	/* 2: the re-encoding passes the DER structural checks. */
	ber_ctx_init(&cd2, BER_MODE_DER, NULL, out.data, out.len);
	if (walk(&cd2, NULL, &t_out) == -1)
		abort();
	ber_ctx_free(&cd2);

	/* 3b: DER input comes back byte for byte. */
	if (der_ok && (out.len != size || memcmp(out.data, data, size) != 0))
		abort();

	buf_free(&out);
	ber_ctx_free(&c);
	return 0;
}
