/*
 * ber_enc.c - the DER encoder (and, for tests, legal non-DER BER variants).
 *
 * A constructed value reserves one length octet when it opens; when it
 * closes the real length is known and, if it needs more octets, the contents
 * move up.  SET and SET OF contents are re-read with the decoder and put in
 * canonical order when they close.  Output goes to a bounded struct buf: a
 * value that would pass the buffer's maximum makes the encoder fail with
 * BER_E_BUDGET, never grow without bound.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

#define ENC_PLAIN	0
#define ENC_SET		1
#define ENC_SETOF	2

/* Segment size of BER_ENC_SEGMENTS: small, to make several segments. */
#define ENC_SEGMENT	8

void
ber_enc_init(struct ber_enc *e, struct buf *out, unsigned variant)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->variant = variant;
}

static bool
enc_ok(struct ber_enc *e)
{
	return e->err == BER_OK;
}

static void
enc_add(struct ber_enc *e, const void *p, size_t n)
{
	if (enc_ok(e) && buf_add(e->out, p, n) == -1)
		e->err = BER_E_BUDGET;
}

static void
enc_tag(struct ber_enc *e, uint32_t tag, bool constructed)
{
	uint8_t		b[6];
	uint32_t	num = BER_TAG_NUMBER(tag);
	size_t		n = 0, k;
	uint8_t		id;

	id = (uint8_t)(BER_TAG_CLASS(tag) << 6) | (constructed ? 0x20 : 0);
	if (num < 31) {
		b[n++] = id | (uint8_t)num;
	} else {
		b[n++] = id | 0x1f;
		for (k = 4; k > 0; k--)
			if (num >> (7 * k))
				b[n++] = 0x80 | ((num >> (7 * k)) & 0x7f);
		b[n++] = num & 0x7f;
	}
	enc_add(e, b, n);
}

static size_t
enc_lenlen(size_t len)
{
	size_t	n = 1;

	if (len < 0x80)
		return 1;
	while (len != 0) {
		n++;
		len >>= 8;
	}
	return n;
}

static void
enc_lenbytes(uint8_t *dst, size_t len)
{
	size_t	n = enc_lenlen(len), i;

	if (n == 1) {
		dst[0] = (uint8_t)len;
		return;
	}
	dst[0] = 0x80 | (uint8_t)(n - 1);
	for (i = n - 1; i > 0; i--) {
		dst[i] = len & 0xff;
		len >>= 8;
	}
}

static void
enc_len(struct ber_enc *e, size_t len)
{
	uint8_t	b[1 + sizeof(size_t)];

	enc_lenbytes(b, len);
	enc_add(e, b, enc_lenlen(len));
}

void
ber_put_prim(struct ber_enc *e, uint32_t tag, const void *p, size_t n)
{
	enc_tag(e, tag, false);
	enc_len(e, n);
	enc_add(e, p, n);
}

void
ber_put_raw(struct ber_enc *e, const void *p, size_t n)
{
	enc_add(e, p, n);
}

static void
enc_begin(struct ber_enc *e, uint32_t tag, uint8_t kind)
{
	if (!enc_ok(e))
		return;
	if (e->depth == BER_ENC_MAX_DEPTH) {
		e->err = BER_E_DEPTH;
		return;
	}
	enc_tag(e, tag, true);
	e->stack[e->depth].lenpos = e->out->len;
	e->stack[e->depth].kind = kind;
	/* One length octet now; ber_enc_end() makes room for more. */
	enc_add(e, (e->variant & BER_ENC_INDEFINITE) ? "\x80" : "\0", 1);
	e->stack[e->depth].content = e->out->len;
	e->depth++;
}

void
ber_enc_begin(struct ber_enc *e, uint32_t tag)
{
	enc_begin(e, tag, ENC_PLAIN);
}

void
ber_enc_begin_set(struct ber_enc *e, uint32_t tag)
{
	enc_begin(e, tag, ENC_SET);
}

void
ber_enc_begin_setof(struct ber_enc *e, uint32_t tag)
{
	enc_begin(e, tag, ENC_SETOF);
}

struct enc_elem {
	const uint8_t	*p;
	size_t		 len;
	uint32_t	 tag;
};

static int
enc_cmp_tag(const void *a, const void *b)
{
	const struct enc_elem	*x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->p < y->p ? -1 : x->p > y->p;	/* stable */
}

static int
enc_cmp_bytes(const void *a, const void *b)
{
	const struct enc_elem	*x = a, *y = b;
	size_t			 n = x->len < y->len ? x->len : y->len, i;
	int			 r;

	if ((r = memcmp(x->p, y->p, n)) != 0)
		return r;
	/* X.690 11.6: the shorter is padded with zero octets. */
	for (i = n; i < x->len; i++)
		if (x->p[i] != 0)
			return 1;
	for (i = n; i < y->len; i++)
		if (y->p[i] != 0)
			return -1;
	return x->p < y->p ? -1 : x->p > y->p;
}

/* Put the elements in [off, off+len) of the output in canonical order. */
static void
enc_sort(struct ber_enc *e, size_t off, size_t len, uint8_t kind)
{
	struct ber_ctx		 c;
	struct ber_reader	 r;
	struct ber_tlv		 t;
	struct enc_elem		*v = NULL, tmp;
	uint8_t			*copy;
	size_t			 n = 0, cap = 0, i, at;
	int			 k;

	ber_ctx_init(&c, BER_MODE_BER, NULL, e->out->data + off, len);
	ber_reader_init(&r, &c);
	while ((k = ber_next(&r, &t)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n].p = t.raw;
		v[n].len = t.rawlen;
		v[n].tag = t.tag;
		n++;
	}
	if (k == -1) {
		/* Only raw bytes put in by the caller can be malformed. */
		e->err = BER_E_STATE;
		goto done;
	}
	if (n < 2)
		goto done;
	qsort(v, n, sizeof(*v), kind == ENC_SET ? enc_cmp_tag : enc_cmp_bytes);
	if (e->variant & BER_ENC_SHUFFLE) {
		for (i = 0; i < n / 2; i++) {
			tmp = v[i];
			v[i] = v[n - 1 - i];
			v[n - 1 - i] = tmp;
		}
	}
	copy = xmalloc(len);
	for (i = 0, at = 0; i < n; i++) {
		memcpy(copy + at, v[i].p, v[i].len);
		at += v[i].len;
	}
	memcpy(e->out->data + off, copy, len);
	freezero(copy, len);
done:
	free(v);
	ber_ctx_free(&c);
}

void
ber_enc_end(struct ber_enc *e)
{
	size_t	lenpos, content, len, need;

	if (!enc_ok(e))
		return;
	if (e->depth == 0) {
		e->err = BER_E_STATE;
		return;
	}
	e->depth--;
	lenpos = e->stack[e->depth].lenpos;
	content = e->stack[e->depth].content;
	len = e->out->len - content;
	if (e->stack[e->depth].kind != ENC_PLAIN)
		enc_sort(e, content, len, e->stack[e->depth].kind);
	if (e->variant & BER_ENC_INDEFINITE) {
		enc_add(e, "\0\0", 2);
		return;
	}
	need = enc_lenlen(len);
	if (need > 1 && buf_insert_gap(e->out, content, need - 1) == -1) {
		e->err = BER_E_BUDGET;
		return;
	}
	enc_lenbytes(e->out->data + lenpos, len);
}

int
ber_enc_finish(struct ber_enc *e)
{
	if (enc_ok(e) && e->depth != 0)
		e->err = BER_E_STATE;
	return enc_ok(e) ? 0 : -1;
}

void
ber_put_int(struct ber_enc *e, uint32_t tag, int64_t v)
{
	uint8_t	b[8];
	size_t	n = 8, i;

	for (i = 0; i < 8; i++)
		b[7 - i] = (uint8_t)((uint64_t)v >> (8 * i));
	/* Drop octets the next one's top bit makes redundant. */
	i = 0;
	while (i < 7 && ((b[i] == 0x00 && (b[i + 1] & 0x80) == 0) ||
	    (b[i] == 0xff && (b[i + 1] & 0x80) != 0))) {
		i++;
		n--;
	}
	ber_put_prim(e, tag, b + i, n);
}

/* Two's complement octets as given; refused when not minimal. */
void
ber_put_bigint(struct ber_enc *e, uint32_t tag, const uint8_t *p, size_t n)
{
	if (!enc_ok(e))
		return;
	if (n == 0 || (n > 1 && ((p[0] == 0 && (p[1] & 0x80) == 0) ||
	    (p[0] == 0xff && (p[1] & 0x80) != 0)))) {
		e->err = BER_E_INTEGER;
		return;
	}
	ber_put_prim(e, tag, p, n);
}

void
ber_put_bool(struct ber_enc *e, uint32_t tag, bool v)
{
	uint8_t	b = v ? 0xff : 0x00;

	ber_put_prim(e, tag, &b, 1);
}

void
ber_put_null(struct ber_enc *e, uint32_t tag)
{
	ber_put_prim(e, tag, NULL, 0);
}

/* OCTET STRING contents; segmented when that variant is asked for. */
void
ber_put_octets(struct ber_enc *e, uint32_t tag, const void *p, size_t n)
{
	const uint8_t	*s = p;
	size_t		 k;

	if (!(e->variant & BER_ENC_SEGMENTS) || n <= ENC_SEGMENT) {
		ber_put_prim(e, tag, p, n);
		return;
	}
	ber_enc_begin(e, tag);
	for (k = 0; k < n; k += ENC_SEGMENT)
		ber_put_prim(e, BER_UNIV(BER_OCTET_STRING), s + k,
		    n - k < ENC_SEGMENT ? n - k : ENC_SEGMENT);
	ber_enc_end(e);
}

void
ber_put_bits(struct ber_enc *e, uint32_t tag, const uint8_t *bits,
    size_t nbits)
{
	size_t		 nbytes = (nbits + 7) / 8;
	unsigned	 unused = (unsigned)(nbytes * 8 - nbits);
	uint8_t		 u = (uint8_t)unused;

	if (!enc_ok(e))
		return;
	enc_tag(e, tag, false);
	enc_len(e, nbytes + 1);
	enc_add(e, &u, 1);
	if (nbytes == 0)
		return;
	enc_add(e, bits, nbytes - 1);
	/* DER: unused bits are zero. */
	u = bits[nbytes - 1] & (uint8_t)(0xff << unused);
	enc_add(e, &u, 1);
}

/* Named bit lists drop trailing zero bits, down to a SIZE lower bound. */
void
ber_put_named_bits(struct ber_enc *e, uint32_t tag, const uint8_t *bits,
    size_t nbits, size_t minbits)
{
	while (nbits > minbits &&
	    (bits[(nbits - 1) / 8] & (0x80u >> ((nbits - 1) % 8))) == 0)
		nbits--;
	if (nbits < minbits) {
		/* Pad with zero bits up to the lower bound. */
		uint8_t	pad[64];

		if ((minbits + 7) / 8 > sizeof(pad)) {
			e->err = BER_E_STATE;
			return;
		}
		memset(pad, 0, sizeof(pad));
		if (nbits > 0)
			memcpy(pad, bits, (nbits + 7) / 8);
		ber_put_bits(e, tag, pad, minbits);
		return;
	}
	ber_put_bits(e, tag, bits, nbits);
}

void
ber_put_oid(struct ber_enc *e, uint32_t tag, const struct ber_oid *o)
{
	ber_put_prim(e, tag, o->der, o->len);
}

void
ber_put_oid_text(struct ber_enc *e, uint32_t tag, const char *dotted)
{
	uint8_t	b[BER_OID_TEXT_MAX];
	size_t	n;

	if (!enc_ok(e))
		return;
	if (ber_oid_from_text(dotted, b, sizeof(b), &n) == -1) {
		e->err = BER_E_OID;
		return;
	}
	ber_put_prim(e, tag, b, n);
}

void
ber_put_string(struct ber_enc *e, uint32_t tag, unsigned type, const void *p,
    size_t n)
{
	const char	*why;
	size_t		 bad;

	if (!enc_ok(e))
		return;
	if (!ber_is_string_type(type)) {
		e->err = BER_E_STATE;
		return;
	}
	if (ber_check_charset(type, p, n, &bad, &why) == -1) {
		e->err = BER_E_CHARSET;
		return;
	}
	ber_put_octets(e, tag, p, n);
}

void
ber_put_time(struct ber_enc *e, uint32_t tag, unsigned type,
    const struct ber_time *tm)
{
	char		s[40];
	char		frac[12];
	uint32_t	ns = tm->nsec;
	int		n, i;

	if (!enc_ok(e))
		return;
	if (tm->tzoff != 0 || tm->nsec > 999999999u ||
	    tm->mon < 1 || tm->mon > 12 || tm->day < 1 || tm->day > 31 ||
	    tm->hour < 0 || tm->hour > 23 || tm->min < 0 || tm->min > 59 ||
	    tm->sec < 0 || tm->sec > 59) {
		e->err = BER_E_TIME;
		return;
	}
	if (type == BER_UTC_TIME) {
		if (tm->year < 1950 || tm->year > 2049) {
			e->err = BER_E_TIME;
			return;
		}
		n = snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ",
		    tm->year % 100, tm->mon, tm->day, tm->hour, tm->min,
		    tm->sec);
	} else if (type == BER_GENERALIZED_TIME) {
		if (tm->year < 0 || tm->year > 9999) {
			e->err = BER_E_TIME;
			return;
		}
		frac[0] = '\0';
		if (ns != 0) {
			(void)snprintf(frac, sizeof(frac), ".%09u",
			    (unsigned)ns);
			for (i = 9; frac[i] == '0'; i--)
				frac[i] = '\0';
		}
		n = snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02d%sZ",
		    tm->year, tm->mon, tm->day, tm->hour, tm->min, tm->sec,
		    frac);
	} else {
		e->err = BER_E_STATE;
		return;
	}
	if (n < 0 || (size_t)n >= sizeof(s)) {
		e->err = BER_E_TIME;
		return;
	}
	/* Never segmented, not even in the SEGMENTS variant: no encoder in
	 * the field splits a 13-byte time, and Wireshark cannot read one. */
	ber_put_prim(e, tag, s, (size_t)n);
}

/*
 * Re-encode one BER value as DER-structured bytes: definite minimal
 * lengths, universal constructed strings reassembled into primitive ones;
 * tags, nesting and contents kept.  SETs keep their order, since whether a
 * universal SET is a SET (sorted by tag) or a SET OF (sorted by encoding)
 * is the schema's to say.  The decode error, if any, is the context's;
 * running out of room is BER_E_BUDGET.
 */
int
ber_reencode(struct ber_ctx *c, struct buf *out)
{
	struct ber_reader	 st[BER_DEFAULT_MAX_DEPTH + 1];
	struct ber_tlv		 t;
	struct ber_bits		 bits;
	struct ber_enc		 e;
	const uint8_t		*p;
	uint8_t			*flat;
	size_t			 n;
	unsigned		 sp = 0;
	uint32_t		 num;
	int			 k;

	ber_enc_init(&e, out, 0);
	ber_reader_init(&st[0], c);
	for (;;) {
		if ((k = ber_next(&st[sp], &t)) == -1)
			return -1;
		if (k == 0) {
			if (sp == 0)
				break;
			ber_enc_end(&e);
			sp--;
			continue;
		}
		if (sp == 0 && st[0].count > 1)
			return ber_fail(c, BER_E_TRAILING, t.raw,
			    "data after the first value");
		num = BER_TAG_NUMBER(t.tag);
		if (!t.constructed) {
			ber_put_prim(&e, t.tag, t.val, t.len);
		} else if (BER_TAG_CLASS(t.tag) == BER_CLASS_UNIVERSAL &&
		    num != BER_SEQUENCE && num != BER_SET &&
		    num != BER_EXTERNAL && num != BER_EMBEDDED_PDV) {
			if (num == BER_BIT_STRING) {
				/* Kept as sent, unused bits included. */
				if (ber_get_bits(c, &t, &bits) == -1)
					return -1;
				n = (bits.nbits + 7) / 8;
				if ((flat = ber_alloc(c, n + 1, t.raw)) == NULL)
					return -1;
				flat[0] = (uint8_t)(n * 8 - bits.nbits);
				if (n > 0)
					memcpy(flat + 1, bits.bytes, n);
				ber_put_prim(&e, t.tag, flat, n + 1);
			} else {
				if (ber_get_octets(c, &t, &p, &n) == -1)
					return -1;
				ber_put_prim(&e, t.tag, p, n);
			}
		} else {
			if (sp >= BER_DEFAULT_MAX_DEPTH)
				return ber_fail(c, BER_E_DEPTH, t.raw,
				    "nesting deeper than %d", sp);
			if (ber_enter(&st[sp], &t, &st[sp + 1]) == -1)
				return -1;
			ber_enc_begin(&e, t.tag);
			sp++;
		}
		if (e.err != BER_OK)
			break;
	}
	if (st[0].count == 0)
		return ber_fail(c, BER_E_TRUNCATED, c->base, "empty input");
	if (ber_enc_finish(&e) == -1)
		return ber_fail(c, (enum ber_err)e.err, NULL,
		    "re-encoding: %s", ber_errstr((enum ber_err)e.err));
	return 0;
}
