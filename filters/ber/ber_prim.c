/*
 * ber_prim.c - typed reads of primitive contents: INTEGER, BOOLEAN, NULL,
 * BIT STRING, OCTET STRING (and BER's constructed strings), OBJECT
 * IDENTIFIER, the character string types and the two time types.
 *
 * The caller has already matched the tag (implicit tagging makes the tag
 * the caller's business); these check the contents' rules of X.690 and, in
 * DER mode, the canonical-form rules on top.
 */
#include <stdio.h>
#include <string.h>

#include "filters/ber/ber.h"

static int
ber_need_primitive(struct ber_ctx *c, const struct ber_tlv *t,
    const char *what)
{
	if (t->constructed)
		return ber_fail(c, BER_E_FORM, t->raw,
		    "%s must be primitive", what);
	return 0;
}

/* X.690 8.3.2: the first nine bits are neither all zero nor all one. */
static int
ber_int_check(struct ber_ctx *c, const struct ber_tlv *t)
{
	if (ber_need_primitive(c, t, "INTEGER") == -1)
		return -1;
	if (t->len == 0)
		return ber_fail(c, BER_E_INTEGER, t->raw,
		    "INTEGER with no content octets");
	if (t->len > 1 &&
	    ((t->val[0] == 0x00 && (t->val[1] & 0x80) == 0) ||
	    (t->val[0] == 0xff && (t->val[1] & 0x80) != 0)))
		return ber_fail(c, BER_E_INTEGER, t->val,
		    "INTEGER not in minimal form");
	return 0;
}

int
ber_get_int(struct ber_ctx *c, const struct ber_tlv *t, int64_t min,
    int64_t max, int64_t *out)
{
	uint64_t	u;
	int64_t		v;
	size_t		i;

	if (ber_int_check(c, t) == -1)
		return -1;
	if (t->len > 8)
		return ber_fail(c, BER_E_RANGE, t->val,
		    "INTEGER of %zu octets outside [%lld, %lld]", t->len,
		    (long long)min, (long long)max);
	u = (t->val[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < t->len; i++)
		u = (u << 8) | t->val[i];
	v = (int64_t)u;
	if (v < min || v > max)
		return ber_fail(c, BER_E_RANGE, t->val,
		    "INTEGER %lld outside [%lld, %lld]", (long long)v,
		    (long long)min, (long long)max);
	*out = v;
	return 0;
}

/* Large integers (serial numbers): the validated two's complement octets. */
int
ber_get_bigint(struct ber_ctx *c, const struct ber_tlv *t,
    const uint8_t **p, size_t *len)
{
	if (ber_int_check(c, t) == -1)
		return -1;
	*p = t->val;
	*len = t->len;
	return 0;
}

int
ber_get_bool(struct ber_ctx *c, const struct ber_tlv *t, bool *out)
{
	if (ber_need_primitive(c, t, "BOOLEAN") == -1)
		return -1;
	if (t->len != 1)
		return ber_fail(c, BER_E_BOOLEAN, t->raw,
		    "BOOLEAN of %zu octets", t->len);
	if (c->mode == BER_MODE_DER && t->val[0] != 0 && t->val[0] != 0xff)
		return ber_fail(c, BER_E_BOOLEAN, t->val,
		    "BOOLEAN TRUE as 0x%02x in DER", t->val[0]);
	*out = t->val[0] != 0;
	return 0;
}

int
ber_get_null(struct ber_ctx *c, const struct ber_tlv *t)
{
	if (ber_need_primitive(c, t, "NULL") == -1)
		return -1;
	if (t->len != 0)
		return ber_fail(c, BER_E_NULL, t->raw,
		    "NULL with %zu content octets", t->len);
	return 0;
}

/*
 * Constructed strings (BER only): the segments are values of the universal
 * type 'segtag' (OCTET STRING for octet and character strings, BIT STRING
 * for bit strings), themselves primitive or constructed.  Walk them with a
 * stack of cursors, calling emit for each primitive segment.
 */
typedef int (*ber_seg_fn)(struct ber_ctx *, const struct ber_tlv *, void *);

static int
ber_segments(struct ber_ctx *c, const struct ber_tlv *t, uint32_t segtag,
    ber_seg_fn emit, void *arg)
{
	struct ber_reader	 stack[BER_DEFAULT_MAX_DEPTH], top;
	struct ber_tlv		 seg;
	unsigned		 sp = 0;
	char			 name[32];
	int			 n;

	memset(&top, 0, sizeof(top));
	top.ctx = c;
	if (ber_enter(&top, t, &stack[0]) == -1)
		return -1;
	for (;;) {
		if ((n = ber_next(&stack[sp], &seg)) == -1)
			return -1;
		if (n == 0) {
			if (sp == 0)
				return 0;
			sp--;
			continue;
		}
		if (seg.tag != segtag) {
			(void)ber_tag_name(seg.tag, name, sizeof(name));
			return ber_fail(c, BER_E_UNEXPECTED, seg.raw,
			    "%s inside a constructed string", name);
		}
		if (!seg.constructed) {
			if (emit(c, &seg, arg) == -1)
				return -1;
			continue;
		}
		if (sp + 1 >= BER_DEFAULT_MAX_DEPTH ||
		    sp + 1 >= c->lim.max_depth)
			return ber_fail(c, BER_E_DEPTH, seg.raw,
			    "constructed string nested too deeply");
		if (ber_enter(&stack[sp], &seg, &stack[sp + 1]) == -1)
			return -1;
		sp++;
	}
}

struct ber_concat {
	uint8_t	*dst;
	size_t	 len;
	size_t	 unused;	/* bit strings: unused bits of last segment */
	bool	 bits;
};

static int
ber_concat_octets(struct ber_ctx *c, const struct ber_tlv *seg, void *arg)
{
	struct ber_concat	*cc = arg;
	size_t			 n = seg->len;
	const uint8_t		*v = seg->val;

	(void)c;
	if (cc->bits) {
		/* Checked by ber_bits_measure before the copy. */
		v++;
		n--;
	}
	if (cc->dst != NULL)
		memcpy(cc->dst + cc->len, v, n);
	cc->len += n;
	return 0;
}

int
ber_get_octets(struct ber_ctx *c, const struct ber_tlv *t,
    const uint8_t **p, size_t *len)
{
	struct ber_concat	cc;

	if (!t->constructed) {
		*p = t->val;
		*len = t->len;
		return 0;
	}
	if (c->mode == BER_MODE_DER)
		return ber_fail(c, BER_E_FORM, t->raw,
		    "constructed string in DER");
	memset(&cc, 0, sizeof(cc));
	if (ber_segments(c, t, BER_UNIV(BER_OCTET_STRING), ber_concat_octets,
	    &cc) == -1)
		return -1;
	if ((cc.dst = ber_alloc(c, cc.len, t->raw)) == NULL)
		return -1;
	cc.len = 0;
	if (ber_segments(c, t, BER_UNIV(BER_OCTET_STRING), ber_concat_octets,
	    &cc) == -1)
		return -1;
	*p = cc.dst;
	*len = cc.len;
	return 0;
}

/* One primitive BIT STRING segment: initial octet and its rules. */
static int
ber_bits_segment(struct ber_ctx *c, const struct ber_tlv *seg, void *arg)
{
	struct ber_concat	*cc = arg;
	unsigned		 unused;

	if (seg->len == 0)
		return ber_fail(c, BER_E_BITSTRING, seg->raw,
		    "BIT STRING without its initial octet");
	unused = seg->val[0];
	if (unused > 7)
		return ber_fail(c, BER_E_BITSTRING, seg->val,
		    "BIT STRING with %u unused bits", unused);
	if (seg->len == 1 && unused != 0)
		return ber_fail(c, BER_E_BITSTRING, seg->val,
		    "empty BIT STRING claims %u unused bits", unused);
	if (cc->unused != 0)
		return ber_fail(c, BER_E_BITSTRING, seg->raw,
		    "BIT STRING segment after one with unused bits");
	if (c->mode == BER_MODE_DER && unused != 0 &&
	    (seg->val[seg->len - 1] & ((1u << unused) - 1)) != 0)
		return ber_fail(c, BER_E_BITSTRING, seg->val + seg->len - 1,
		    "unused BIT STRING bits not zero in DER");
	cc->unused = unused;
	return ber_concat_octets(c, seg, arg);
}

int
ber_get_bits(struct ber_ctx *c, const struct ber_tlv *t, struct ber_bits *b)
{
	struct ber_concat	cc;

	memset(&cc, 0, sizeof(cc));
	cc.bits = true;
	if (!t->constructed) {
		if (ber_bits_segment(c, t, &cc) == -1)
			return -1;
		b->bytes = t->val + 1;
		b->nbits = (t->len - 1) * 8 - cc.unused;
		return 0;
	}
	if (c->mode == BER_MODE_DER)
		return ber_fail(c, BER_E_FORM, t->raw,
		    "constructed BIT STRING in DER");
	if (ber_segments(c, t, BER_UNIV(BER_BIT_STRING), ber_bits_segment,
	    &cc) == -1)
		return -1;
	if ((cc.dst = ber_alloc(c, cc.len, t->raw)) == NULL)
		return -1;
	cc.len = 0;
	cc.unused = 0;
	if (ber_segments(c, t, BER_UNIV(BER_BIT_STRING), ber_bits_segment,
	    &cc) == -1)
		return -1;
	b->bytes = cc.dst;
	b->nbits = cc.len * 8 - cc.unused;
	return 0;
}

/* Bit 0 is the most significant bit of the first octet (X.690 8.6.2.1). */
bool
ber_bit(const struct ber_bits *b, size_t bit)
{
	if (bit >= b->nbits)
		return false;
	return (b->bytes[bit / 8] & (0x80u >> (bit % 8))) != 0;
}

/*
 * OBJECT IDENTIFIER contents: at least one subidentifier, none with a
 * leading 0x80 septet, the last octet closing its subidentifier, arcs no
 * wider than 64 bits, and no more arcs than the limit.
 */
int
ber_get_oid(struct ber_ctx *c, const struct ber_tlv *t, struct ber_oid *o)
{
	size_t		i, sstart = 0, nsub = 0;

	if (ber_need_primitive(c, t, "OBJECT IDENTIFIER") == -1)
		return -1;
	if (t->len == 0)
		return ber_fail(c, BER_E_OID, t->raw,
		    "OBJECT IDENTIFIER with no content octets");
	for (i = 0; i < t->len; i++) {
		if (i == sstart && t->val[i] == 0x80)
			return ber_fail(c, BER_E_OID, t->val + i,
			    "subidentifier with a leading zero septet");
		/* 64 bits fit in ten septets, the first of them 0 or 1. */
		if (i - sstart == 9 && (t->val[sstart] & 0x7f) > 1)
			return ber_fail(c, BER_E_OID, t->val + sstart,
			    "subidentifier wider than 64 bits");
		if (i - sstart == 10)
			return ber_fail(c, BER_E_OID, t->val + sstart,
			    "subidentifier wider than 64 bits");
		if ((t->val[i] & 0x80) == 0) {
			sstart = i + 1;
			nsub++;
		}
	}
	if (sstart != t->len)
		return ber_fail(c, BER_E_OID, t->val + t->len - 1,
		    "last subidentifier not terminated");
	if (nsub + 1 > c->lim.max_oid_arcs)
		return ber_fail(c, BER_E_OID, t->val,
		    "%zu arcs, more than the limit of %u", nsub + 1,
		    c->lim.max_oid_arcs);
	o->der = t->val;
	o->len = t->len;
	return 0;
}

/*
 * Walk a validated OID's arcs.  Returns 1 with *arc set, 0 at the end.  The
 * first subidentifier yields two arcs (X.690 8.19.4).
 */
struct ber_oid_iter {
	const struct ber_oid	*oid;
	size_t			 pos;
	int			 pending;	/* second arc of the first pair */
	uint64_t		 second;
};

static uint64_t
ber_oid_subid(const struct ber_oid *o, size_t *pos)
{
	uint64_t	v = 0;
	uint8_t		b;

	do {
		b = o->der[(*pos)++];
		v = (v << 7) | (b & 0x7f);
	} while ((b & 0x80) && *pos < o->len);
	return v;
}

static int
ber_oid_next(struct ber_oid_iter *it, uint64_t *arc)
{
	uint64_t	v;

	if (it->pending) {
		it->pending = 0;
		*arc = it->second;
		return 1;
	}
	if (it->pos >= it->oid->len)
		return 0;
	if (it->pos == 0) {
		v = ber_oid_subid(it->oid, &it->pos);
		if (v < 40) {
			*arc = 0;
			it->second = v;
		} else if (v < 80) {
			*arc = 1;
			it->second = v - 40;
		} else {
			*arc = 2;
			it->second = v - 80;
		}
		it->pending = 1;
		return 1;
	}
	*arc = ber_oid_subid(it->oid, &it->pos);
	return 1;
}

/* Dotted text; -1 if it does not fit. */
int
ber_oid_text(const struct ber_oid *o, char *out, size_t outsz)
{
	struct ber_oid_iter	it = { .oid = o };
	uint64_t		arc;
	size_t			n = 0, k;
	char			d[20];

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	/* Digits by hand, not snprintf per arc: the decoders spell out
	 * every OID they meet. */
	while (ber_oid_next(&it, &arc) == 1) {
		k = 0;
		do {
			d[k++] = (char)('0' + arc % 10);
			arc /= 10;
		} while (arc > 0);
		/* The separator, the digits and the NUL must fit. */
		if ((n > 0) + k >= outsz - n)
			return -1;
		if (n > 0)
			out[n++] = '.';
		while (k > 0)
			out[n++] = d[--k];
		out[n] = '\0';
	}
	return 0;
}

/* Compare with dotted text without allocating. */
bool
ber_oid_is(const struct ber_oid *o, const char *dotted)
{
	struct ber_oid_iter	 it = { .oid = o };
	uint64_t		 arc, want;
	const char		*s = dotted;

	while (ber_oid_next(&it, &arc) == 1) {
		if (*s < '0' || *s > '9')
			return false;
		want = 0;
		while (*s >= '0' && *s <= '9') {
			if (want > (UINT64_MAX - 9) / 10)
				return false;
			want = want * 10 + (uint64_t)(*s++ - '0');
		}
		if (want != arc)
			return false;
		if (*s == '.')
			s++;
		else if (*s != '\0')
			return false;
	}
	return *s == '\0' && s != dotted && s[-1] != '.';
}

bool
ber_oid_eq(const struct ber_oid *a, const struct ber_oid *b)
{
	return a->len == b->len && memcmp(a->der, b->der, a->len) == 0;
}

static size_t
ber_put_base128(uint8_t *out, size_t cap, size_t n, uint64_t v)
{
	uint8_t	tmp[10];
	size_t	k = 0;

	do {
		tmp[k++] = v & 0x7f;
		v >>= 7;
	} while (v != 0);
	if (cap - n < k)
		return SIZE_MAX;
	while (k > 0) {
		k--;
		out[n++] = tmp[k] | (k ? 0x80 : 0);
	}
	return n;
}

/* Dotted text to content octets; -1 on bad text or too small a buffer. */
int
ber_oid_from_text(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	uint64_t	arcs[2], v;
	size_t		n = 0;
	unsigned	i = 0;

	for (;;) {
		if (*s < '0' || *s > '9')
			return -1;
		if (*s == '0' && s[1] >= '0' && s[1] <= '9')
			return -1;
		v = 0;
		while (*s >= '0' && *s <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return -1;
			v = v * 10 + (uint64_t)(*s++ - '0');
		}
		if (i < 2) {
			arcs[i] = v;
		} else {
			if ((n = ber_put_base128(out, cap, n, v)) == SIZE_MAX)
				return -1;
		}
		if (++i == 2) {
			if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39) ||
			    arcs[1] > UINT64_MAX - 80)
				return -1;
			n = ber_put_base128(out, cap, n,
			    arcs[0] * 40 + arcs[1]);
			if (n == SIZE_MAX)
				return -1;
		}
		if (*s == '\0')
			break;
		if (*s++ != '.')
			return -1;
	}
	if (i < 2)
		return -1;
	*len = n;
	return 0;
}

/*
 * T.61 (TeletexString) 8-bit repertoire as X.400 systems use it: the
 * graphic characters of the primary and supplementary sets, the
 * non-spacing diacritical marks 0xC1-0xCF (each must be followed by a base
 * letter or space), and the format controls LF, FF, CR.  Escape sequences
 * (code switching) and undefined positions are refused.
 * One bit per byte value; bit set = allowed alone.
 */
static const uint8_t t61_graphic[32] = {
	0x00, 0x2c, 0x00, 0x00,		/* 0x00-0x1f: LF FF CR */
	0xe7, 0xff, 0xff, 0xff,		/* 0x20-0x3f: not # $ */
	0xff, 0xff, 0xff, 0xf5,		/* 0x40-0x5f: not \ ^ */
	0x7f, 0xff, 0xff, 0xe8,		/* 0x60-0x7f: not ` { } ~ DEL */
	0x00, 0x00, 0x00, 0x00,		/* 0x80-0x9f: C1 controls */
	0x7f, 0x90, 0xff, 0x9f,		/* 0xa0-0xbf */
	0x00, 0x00, 0x00, 0x00,		/* 0xc0-0xdf: diacritics apart */
	0xfb, 0xff, 0xff, 0xfe,		/* 0xe0-0xff */
};

static bool
t61_allowed(uint8_t b)
{
	return (t61_graphic[b >> 3] & (0x80u >> (b & 7))) != 0;
}

static bool
t61_diacritic(uint8_t b)
{
	return b >= 0xc1 && b <= 0xcf && b != 0xc9 && b != 0xcc;
}

static const char ber_printable_extra[] = " '()+,-./:=?";

static bool
ber_is_printable(uint8_t b)
{
	if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
	    (b >= '0' && b <= '9'))
		return true;
	return b != 0 && memchr(ber_printable_extra, b,
	    sizeof(ber_printable_extra) - 1) != NULL;
}

/* Valid UTF-8: shortest form, no surrogates, at most U+10FFFF. */
static size_t
ber_utf8_len(const uint8_t *p, size_t n)
{
	uint32_t	cp;
	size_t		k, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (n < k)
		return 0;
	cp = p[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

bool
ber_is_string_type(unsigned type)
{
	switch (type) {
	case BER_UTF8_STRING: case BER_NUMERIC_STRING:
	case BER_PRINTABLE_STRING: case BER_TELETEX_STRING:
	case BER_IA5_STRING: case BER_VISIBLE_STRING:
	case BER_UNIVERSAL_STRING: case BER_BMP_STRING:
	case BER_UTC_TIME: case BER_GENERALIZED_TIME:
		return true;
	default:
		return false;
	}
}

/*
 * Byte classes of the single-byte string types, one bit per type: a byte
 * is allowed in a type when its bit is set.  Built by ber_cs_init() from
 * the definitions above, so that the check is one load per byte.
 */
#define CS_NUMERIC	0x01
#define CS_PRINTABLE	0x02
#define CS_IA5		0x04
#define CS_VISIBLE	0x08
#define CS_T61		0x10
static uint8_t	ber_cs_class[256];
static bool	ber_cs_ready;

static void
ber_cs_init(void)
{
	unsigned	b;

	for (b = 0; b < 256; b++) {
		ber_cs_class[b] =
		    (((b >= '0' && b <= '9') || b == ' ') ? CS_NUMERIC : 0) |
		    (ber_is_printable((uint8_t)b) ? CS_PRINTABLE : 0) |
		    (b < 0x80 ? CS_IA5 : 0) |
		    ((b >= 0x20 && b < 0x7f) ? CS_VISIBLE : 0) |
		    (t61_allowed((uint8_t)b) ? CS_T61 : 0);
	}
	ber_cs_ready = true;
}

/* Index of the first byte not in class k, or n. */
static size_t
ber_cs_scan(const uint8_t *s, size_t n, uint8_t k)
{
	size_t	i = 0;

	uint64_t	w;

	if (!ber_cs_ready)
		ber_cs_init();
	/* IA5 (the bulk of text bodies): eight bytes at a time. */
	if (k == CS_IA5)
		for (; n - i >= 8; i += 8) {
			memcpy(&w, s + i, 8);
			if (w & UINT64_C(0x8080808080808080))
				break;
		}
	while (i < n && (ber_cs_class[s[i]] & k))
		i++;
	return i;
}

/*
 * Check bytes against the repertoire of a string type.  On failure returns
 * -1 with the offending offset and a reason.
 */
int
ber_check_charset(unsigned type, const uint8_t *s, size_t n, size_t *badoff,
    const char **why)
{
	size_t		i, k;
	uint32_t	cp;

	switch (type) {
	case BER_NUMERIC_STRING:
		if ((i = ber_cs_scan(s, n, CS_NUMERIC)) == n)
			return 0;
		*why = "not a digit or space in NumericString";
		*badoff = i;
		return -1;
	case BER_PRINTABLE_STRING:
		if ((i = ber_cs_scan(s, n, CS_PRINTABLE)) == n)
			return 0;
		*why = "character outside PrintableString";
		*badoff = i;
		return -1;
	case BER_IA5_STRING:
		if ((i = ber_cs_scan(s, n, CS_IA5)) == n)
			return 0;
		*why = "byte above 0x7f in IA5String";
		*badoff = i;
		return -1;
	case BER_VISIBLE_STRING:
	case BER_UTC_TIME:
	case BER_GENERALIZED_TIME:
		if ((i = ber_cs_scan(s, n, CS_VISIBLE)) == n)
			return 0;
		*why = "control or non-ASCII byte in VisibleString";
		*badoff = i;
		return -1;
	default:
		break;
	}
	for (i = 0; i < n; i += k) {
		k = 1;
		switch (type) {
		case BER_TELETEX_STRING:
			i += ber_cs_scan(s + i, n - i, CS_T61);
			if (i == n)
				return 0;
			if (t61_diacritic(s[i]) && i + 1 < n &&
			    s[i + 1] >= 0x20 && s[i + 1] < 0x7f &&
			    t61_allowed(s[i + 1])) {
				k = 2;
				continue;
			}
			*why = s[i] == 0x1b ?
			    "escape sequence in TeletexString" :
			    t61_diacritic(s[i]) ?
			    "diacritical mark without a base letter" :
			    "byte not in the T.61 repertoire";
			break;
		case BER_UTF8_STRING:
			if (s[i] < 0x80)
				continue;
			if ((k = ber_utf8_len(s + i, n - i)) != 0)
				continue;
			k = 1;
			*why = "invalid UTF-8";
			break;
		case BER_BMP_STRING:
			k = 2;
			if (n % 2 != 0) {
				i = n - 1;
				*why = "BMPString of odd length";
				break;
			}
			cp = (uint32_t)s[i] << 8 | s[i + 1];
			if (cp < 0xd800 || cp > 0xdfff)
				continue;
			*why = "surrogate code point in BMPString";
			break;
		case BER_UNIVERSAL_STRING:
			k = 4;
			if (n % 4 != 0) {
				i = n - n % 4;
				*why = "UniversalString not a multiple of 4";
				break;
			}
			cp = (uint32_t)s[i] << 24 | (uint32_t)s[i + 1] << 16 |
			    (uint32_t)s[i + 2] << 8 | s[i + 3];
			if (cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff))
				continue;
			*why = "invalid code point in UniversalString";
			break;
		default:
			*why = "string type not supported";
			break;
		}
		*badoff = i;
		return -1;
	}
	return 0;
}

int
ber_get_string(struct ber_ctx *c, const struct ber_tlv *t, unsigned type,
    struct ber_str *out)
{
	const uint8_t	*p;
	const char	*why;
	size_t		 n, bad;

	if (!ber_is_string_type(type))
		return ber_fail(c, BER_E_STATE, t->raw,
		    "string type %u not supported", type);
	if (ber_get_octets(c, t, &p, &n) == -1)
		return -1;
	if (ber_check_charset(type, p, n, &bad, &why) == -1)
		/* Reassembled strings point into the arena: name the TLV. */
		return ber_fail(c, BER_E_CHARSET,
		    t->constructed ? t->raw : p + bad,
		    "%s (byte 0x%02x at index %zu)", why, p[bad], bad);
	out->type = type;
	out->bytes = p;
	out->len = n;
	return 0;
}

static int
ber_digits(const uint8_t *p, size_t n, int *out)
{
	int	v = 0;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static bool
ber_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
ber_mdays(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	return m == 2 && ber_leap(y) ? 29 : d[m - 1];
}

/*
 * UTCTime:         YYMMDDhhmm[ss](Z|+hhmm|-hhmm)
 * GeneralizedTime: YYYYMMDDhh[mm[ss[(.|,)f+]]][Z|+hhmm|-hhmm]
 * DER (X.690 11.7, 11.8): seconds present, Z, '.' only, no trailing zeros
 * in the fraction and no empty fraction.
 */
int
ber_get_time(struct ber_ctx *c, const struct ber_tlv *t, unsigned type,
    struct ber_time *tm)
{
	struct ber_str	 s;
	const uint8_t	*p, *e;
	const char	*why = "malformed";
	int		 th, tmn, fd;
	size_t		 n;
	bool		 der = c->mode == BER_MODE_DER, sec = false;

	if (type != BER_UTC_TIME && type != BER_GENERALIZED_TIME)
		return ber_fail(c, BER_E_STATE, t->raw, "not a time type");
	if (ber_get_string(c, t, type, &s) == -1)
		return -1;
	memset(tm, 0, sizeof(*tm));
	p = s.bytes;
	e = p + s.len;
	n = type == BER_UTC_TIME ? 2 : 4;
	if ((size_t)(e - p) < n + 6 || ber_digits(p, n, &tm->year) == -1)
		goto bad;
	if (type == BER_UTC_TIME)
		tm->year += tm->year < 50 ? 2000 : 1900;
	p += n;
	if (ber_digits(p, 2, &tm->mon) == -1 ||
	    ber_digits(p + 2, 2, &tm->day) == -1 ||
	    ber_digits(p + 4, 2, &tm->hour) == -1)
		goto bad;
	p += 6;
	if (e - p >= 2 && p[0] >= '0' && p[0] <= '9') {
		if (ber_digits(p, 2, &tm->min) == -1)
			goto bad;
		p += 2;
		if (e - p >= 2 && p[0] >= '0' && p[0] <= '9') {
			if (ber_digits(p, 2, &tm->sec) == -1)
				goto bad;
			p += 2;
			sec = true;
		}
	} else if (type == BER_UTC_TIME)
		goto bad;
	if (type == BER_GENERALIZED_TIME && p < e && (*p == '.' || *p == ',')) {
		if (!sec || (der && *p == ','))
			goto bad;
		p++;
		for (fd = 0; p < e && *p >= '0' && *p <= '9'; p++, fd++)
			if (fd < 9)
				tm->nsec = tm->nsec * 10 + (uint32_t)(*p - '0');
		if (fd == 0) {
			why = "empty fraction of a second";
			goto bad;
		}
		if (der && p[-1] == '0') {
			why = "trailing zero in fraction (DER)";
			goto bad;
		}
		for (; fd < 9; fd++)
			tm->nsec *= 10;
	}
	if (p < e && *p == 'Z') {
		tm->has_tz = true;
		p++;
	} else if (p < e && (*p == '+' || *p == '-')) {
		if (e - p < 5 || ber_digits(p + 1, 2, &th) == -1 ||
		    ber_digits(p + 3, 2, &tmn) == -1 || th > 23 || tmn > 59)
			goto bad;
		if (der) {
			why = "time zone offset in DER (Z required)";
			goto bad;
		}
		tm->has_tz = true;
		tm->tzoff = (th * 60 + tmn) * (*p == '-' ? -1 : 1);
		p += 5;
	} else if (type == BER_UTC_TIME || der) {
		why = "no time zone";
		goto bad;
	}
	if (p != e)
		goto bad;
	if (der && !sec) {
		why = "seconds missing (DER)";
		goto bad;
	}
	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 ||
	    tm->day > ber_mdays(tm->year, tm->mon) || tm->hour > 23 ||
	    tm->min > 59 || tm->sec > 59) {
		why = "date or time out of range";
		goto bad;
	}
	return 0;
bad:
	return ber_fail(c, BER_E_TIME, t->raw, "%s %s: \"%.*s\"",
	    type == BER_UTC_TIME ? "UTCTime" : "GeneralizedTime", why,
	    (int)(s.len > 40 ? 40 : s.len), (const char *)s.bytes);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
ber_days(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Local times (no zone) are taken as UTC; callers decide if that is OK. */
int
ber_time_to_epoch(const struct ber_time *tm, time_t *out)
{
	int64_t	s;

	s = ber_days(tm->year, tm->mon, tm->day) * 86400 +
	    tm->hour * 3600 + tm->min * 60 + tm->sec - (int64_t)tm->tzoff * 60;
	*out = (time_t)s;
	return 0;
}
