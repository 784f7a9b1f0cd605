/*
 * ber_dec.c - the BER/DER cursor: context, errors, TLV headers, nesting,
 * indefinite lengths and SET matching.
 *
 * Every read checks its bound before it reads.  A header is parsed against
 * the end of the container it lies in, so no length can point outside its
 * parent.  The end of an indefinite-length value is found by an iterative
 * scan whose nesting is capped by the depth limit; every header it reads is
 * charged to the work limit, which bounds total CPU per decode.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/xmalloc.h"

struct ber_arena_block {
	struct ber_arena_block	*next;
	size_t			 size;		/* bytes of data[] */
	size_t			 used;
	/* followed by size bytes, max_align_t aligned */
	max_align_t		 data[];
};

/* Small allocations share chunks of this size; larger get their own. */
#define BER_ARENA_CHUNK		16384

static const char *const ber_errnames[BER_E__COUNT] = {
	[BER_OK] = "no error",
	[BER_E_TRUNCATED] = "truncated",
	[BER_E_OVERRUN] = "length overruns container",
	[BER_E_TAG] = "bad tag encoding",
	[BER_E_LENGTH] = "bad length encoding",
	[BER_E_INDEFINITE] = "indefinite length not allowed",
	[BER_E_EOC] = "bad end-of-contents",
	[BER_E_FORM] = "wrong primitive/constructed form",
	[BER_E_DEPTH] = "nesting too deep",
	[BER_E_COUNT] = "too many elements",
	[BER_E_WORK] = "work limit exceeded",
	[BER_E_BUDGET] = "memory budget exceeded",
	[BER_E_TRAILING] = "trailing data",
	[BER_E_UNEXPECTED] = "unexpected component",
	[BER_E_MISSING] = "missing component",
	[BER_E_DUPLICATE] = "duplicate component",
	[BER_E_ORDER] = "not in canonical order",
	[BER_E_INTEGER] = "bad integer encoding",
	[BER_E_RANGE] = "value out of range",
	[BER_E_BOOLEAN] = "bad boolean",
	[BER_E_NULL] = "bad null",
	[BER_E_BITSTRING] = "bad bit string",
	[BER_E_OID] = "bad object identifier",
	[BER_E_CHARSET] = "character not allowed",
	[BER_E_TIME] = "bad time",
	[BER_E_STATE] = "codec misuse",
};

void
ber_limits_default(struct ber_limits *l)
{
	l->max_depth = BER_DEFAULT_MAX_DEPTH;
	l->max_elements = BER_DEFAULT_MAX_ELEMENTS;
	l->max_work = BER_DEFAULT_MAX_WORK;
	l->max_alloc = BER_DEFAULT_MAX_ALLOC;
	l->max_oid_arcs = BER_DEFAULT_MAX_OID_ARCS;
}

void
ber_ctx_init(struct ber_ctx *c, enum ber_mode mode,
    const struct ber_limits *lim, const void *buf, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	if (lim != NULL)
		c->lim = *lim;
	else
		ber_limits_default(&c->lim);
	c->base = buf;
	c->size = len;
}

void
ber_ctx_free(struct ber_ctx *c)
{
	struct ber_arena_block	*b, *n;

	for (b = c->arena; b != NULL; b = n) {
		n = b->next;
		freezero(b, sizeof(*b) + b->size);
	}
	c->arena = NULL;
	c->allocated = 0;
}

const char *
ber_errstr(enum ber_err e)
{
	if ((unsigned)e >= BER_E__COUNT)
		return "unknown error";
	return ber_errnames[e];
}

/* The error text as a person reads it: "offset N: reason". */
const char *
ber_strerror(const struct ber_ctx *c)
{
	return c->err.text;
}

/*
 * Record the first error of a decode.  'at' points into the input (or is
 * NULL for "end of input"); the offset reported is absolute, plus origin.
 */
int
ber_fail(struct ber_ctx *c, enum ber_err code, const uint8_t *at,
    const char *fmt, ...)
{
	va_list	 ap;
	char	 why[120];
	size_t	 off;

	if (c->err.code != BER_OK)
		return -1;
	if (at == NULL || at < c->base || at > c->base + c->size)
		off = c->size;
	else
		off = (size_t)(at - c->base);
	off += c->origin;
	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	c->err.code = code;
	c->err.offset = off;
	(void)snprintf(c->err.text, sizeof(c->err.text), "offset %zu: %s",
	    off, why);
	return -1;
}

/*
 * Arena memory, charged against max_alloc.  Small requests are carved from
 * chunks, large ones get a block of their own; nothing is freed before
 * ber_ctx_free(), which wipes and frees every block.
 */
void *
ber_alloc(struct ber_ctx *c, size_t n, const uint8_t *at)
{
	struct ber_arena_block	*b;
	size_t			 align = sizeof(max_align_t);
	void			*p;

	if (n == 0)
		n = 1;
	if (n > c->lim.max_alloc || c->allocated > c->lim.max_alloc - n) {
		ber_fail(c, BER_E_BUDGET, at,
		    "needs %zu more bytes, budget %zu of which %zu used", n,
		    c->lim.max_alloc, c->allocated);
		return NULL;
	}
	c->allocated += n;
	n = (n + align - 1) / align * align;
	if ((b = c->arena) != NULL && b->size - b->used >= n) {
		p = (uint8_t *)b->data + b->used;
		b->used += n;
		return p;
	}
	if (n > BER_ARENA_CHUNK / 4) {
		b = xmalloc(sizeof(*b) + n);
		b->size = b->used = n;
		if (c->arena != NULL) {
			/* Keep the current chunk first for small requests. */
			b->next = c->arena->next;
			c->arena->next = b;
		} else {
			b->next = NULL;
			c->arena = b;
		}
		return b->data;
	}
	b = xmalloc(sizeof(*b) + BER_ARENA_CHUNK);
	b->size = BER_ARENA_CHUNK;
	b->used = n;
	b->next = c->arena;
	c->arena = b;
	return b->data;
}

static const char *const ber_univnames[31] = {
	"EOC", "BOOLEAN", "INTEGER", "BIT STRING", "OCTET STRING", "NULL",
	"OBJECT IDENTIFIER", "ObjectDescriptor", "EXTERNAL", "REAL",
	"ENUMERATED", "EMBEDDED PDV", "UTF8String", "RELATIVE-OID", NULL,
	NULL, "SEQUENCE", "SET", "NumericString", "PrintableString",
	"TeletexString", "VideotexString", "IA5String", "UTCTime",
	"GeneralizedTime", "GraphicString", "VisibleString",
	"GeneralString", "UniversalString", NULL, "BMPString",
};

/* "SEQUENCE", "[APPLICATION 4]", "[3]", "[UNIVERSAL 29]". */
int
ber_tag_name(uint32_t tag, char *out, size_t outsz)
{
	static const char *const cls[4] = {
		"UNIVERSAL ", "APPLICATION ", "", "PRIVATE "
	};
	uint32_t	 n = BER_TAG_NUMBER(tag);
	unsigned	 k = BER_TAG_CLASS(tag);
	int		 r;

	if (k == BER_CLASS_UNIVERSAL && n < 31 && ber_univnames[n] != NULL)
		r = snprintf(out, outsz, "%s", ber_univnames[n]);
	else
		r = snprintf(out, outsz, "[%s%u]", cls[k], (unsigned)n);
	return (r < 0 || (size_t)r >= outsz) ? -1 : 0;
}

/*
 * Universal types whose form X.690 fixes: 1 must be primitive, 2 must be
 * constructed, 0 may be either (strings, and everything not universal).
 */
static uint8_t
ber_univ_form(uint32_t num)
{
	switch (num) {
	case BER_BOOLEAN: case BER_INTEGER: case BER_NULL: case BER_OID:
	case BER_REAL: case BER_ENUMERATED: case BER_RELATIVE_OID:
		return 1;
	case BER_SEQUENCE: case BER_SET: case BER_EXTERNAL:
	case BER_EMBEDDED_PDV:
		return 2;
	default:
		return 0;
	}
}

/*
 * Parse one header at p, bounded by end: every form, every error with its
 * reason.  (The common case is also read inline by ber_next() in ber.h.)
 * Returns 0 with t filled (for indefinite lengths len is not yet known),
 * 1 for an end-of-contents marker (00 00), -1 on error.
 */
static int __attribute__((noinline))
ber_header(struct ber_ctx *c, const uint8_t *p, const uint8_t *end,
    struct ber_tlv *t)
{
	const uint8_t	*start = p, *lstart;
	uint32_t	 num;
	size_t		 len, n, i;
	uint8_t		 id, b, lb;
	unsigned	 cls, form;

	if (end - p < 2)
		return ber_fail(c, BER_E_TRUNCATED, p,
		    "header needs 2 bytes, %zu left", (size_t)(end - p));
	id = *p++;
	cls = id >> 6;
	t->constructed = (id & 0x20) != 0;
	num = id & 0x1f;
	if (num == 0x1f) {
		num = 0;
		for (i = 0;; i++) {
			if (p == end)
				return ber_fail(c, BER_E_TRUNCATED, p,
				    "input ends inside a tag number");
			b = *p++;
			if (i == 0 && b == 0x80)
				return ber_fail(c, BER_E_TAG, p - 1,
				    "tag number has a leading zero septet");
			if (i == 4)
				return ber_fail(c, BER_E_TAG, start,
				    "tag number longer than 28 bits");
			num = (num << 7) | (b & 0x7f);
			if ((b & 0x80) == 0)
				break;
		}
		if (num < 31)
			return ber_fail(c, BER_E_TAG, start,
			    "tag number %u in long form", (unsigned)num);
	}
	if (p == end)
		return ber_fail(c, BER_E_TRUNCATED, p, "no length octets");
	lb = *p++;
	if (id == 0) {
		if (lb != 0)
			return ber_fail(c, BER_E_EOC, start,
			    "end-of-contents with non-zero length");
		return 1;
	}
	if (cls == BER_CLASS_UNIVERSAL && num == 0)
		return ber_fail(c, BER_E_EOC, start,
		    "constructed end-of-contents");
	t->tag = BER_TAG(cls, num);
	t->raw = start;
	t->indefinite = false;
	if (lb < 0x80) {
		len = lb;
	} else if (lb == 0x80) {
		if (!t->constructed)
			return ber_fail(c, BER_E_INDEFINITE, start,
			    "indefinite length on a primitive value");
		if (c->mode == BER_MODE_DER)
			return ber_fail(c, BER_E_INDEFINITE, start,
			    "indefinite length in DER");
		t->indefinite = true;
		len = 0;
	} else if (lb == 0xff) {
		return ber_fail(c, BER_E_LENGTH, p - 1,
		    "reserved length octet 0xff");
	} else {
		n = lb & 0x7f;
		if ((size_t)(end - p) < n)
			return ber_fail(c, BER_E_TRUNCATED, p,
			    "input ends inside a %zu-octet length", n);
		if (c->mode == BER_MODE_DER && p[0] == 0)
			return ber_fail(c, BER_E_LENGTH, p,
			    "length has a leading zero octet in DER");
		len = 0;
		lstart = p;
		for (i = 0; i < n; i++) {
			if (len > (SIZE_MAX >> 8))
				return ber_fail(c, BER_E_LENGTH, lstart,
				    "length does not fit in %zu bits",
				    sizeof(size_t) * 8);
			len = (len << 8) | *p++;
		}
		if (c->mode == BER_MODE_DER && len < 0x80)
			return ber_fail(c, BER_E_LENGTH, start,
			    "long form for length %zu in DER", len);
	}
	if (cls == BER_CLASS_UNIVERSAL && (form = ber_univ_form(num)) != 0) {
		if (form == 1 && t->constructed)
			return ber_fail(c, BER_E_FORM, start,
			    "%s must be primitive", ber_univnames[num]);
		if (form == 2 && !t->constructed)
			return ber_fail(c, BER_E_FORM, start,
			    "%s must be constructed", ber_univnames[num]);
	}
	t->val = p;
	if (!t->indefinite && (size_t)(end - p) < len)
		return ber_fail(c, BER_E_OVERRUN, start,
		    "length %zu runs past its container (%zu bytes left)",
		    len, (size_t)(end - p));
	t->len = len;
	t->rawlen = (size_t)(p - start) + len;
	return 0;
}

/*
 * Find the end of an indefinite-length value whose contents start at p.
 * depth is the nesting level those contents would have when entered.
 */
static int __attribute__((noinline))
ber_scan_indefinite(struct ber_ctx *c, const struct ber_tlv *outer,
    const uint8_t *end, unsigned depth, struct ber_tlv *t)
{
	const uint8_t	*p = outer->val;
	struct ber_tlv	 in;
	unsigned	 level = 1;
	int		 r;

	for (;;) {
		if (p == end)
			return ber_fail(c, BER_E_TRUNCATED, outer->raw,
			    "no end-of-contents for this value");
		if (++c->work > c->lim.max_work)
			return ber_fail(c, BER_E_WORK, p,
			    "more than %zu headers read in one decode",
			    c->lim.max_work);
		if ((r = ber_header(c, p, end, &in)) == -1)
			return -1;
		if (r == 1) {
			p += 2;
			if (--level == 0) {
				t->len = (size_t)(p - 2 - outer->val);
				t->rawlen = (size_t)(p - outer->raw);
				return 0;
			}
			continue;
		}
		if (in.indefinite) {
			if (depth + level > c->lim.max_depth)
				return ber_fail(c, BER_E_DEPTH, in.raw,
				    "nesting deeper than %u",
				    c->lim.max_depth);
			level++;
			p = in.val;
		} else
			p = in.val + in.len;
	}
}

void
ber_reader_init(struct ber_reader *r, struct ber_ctx *c)
{
	memset(r, 0, sizeof(*r));
	r->ctx = c;
	r->p = c->base;
	/* An empty input may come as NULL; NULL + 0 is undefined in C. */
	r->end = c->size > 0 ? c->base + c->size : c->base;
}

/* DER SET OF: encodings compared as octet strings, shorter zero-padded. */
static int __attribute__((noinline))
ber_setof_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t	n = alen < blen ? alen : blen, i;
	int	r;

	if ((r = memcmp(a, b, n)) != 0)
		return r;
	for (i = n; i < alen; i++)
		if (a[i] != 0)
			return 1;
	for (i = n; i < blen; i++)
		if (b[i] != 0)
			return -1;
	return 0;
}

/*
 * Read the next TLV at this level.  Returns 1 with t filled, 0 at the end of
 * the level, -1 on error.  ber_next() in ber.h takes the common case inline
 * and calls this for everything else.
 */
int
ber_next_full(struct ber_reader *r, struct ber_tlv *t)
{
	struct ber_ctx	*c = r->ctx;
	int		 h;

	if (c->err.code != BER_OK)
		return -1;
	if (r->p == r->end)
		return 0;
	if ((h = ber_header(c, r->p, r->end, t)) == -1)
		return -1;
	if (h == 1)
		return ber_fail(c, BER_E_EOC, r->p,
		    "end-of-contents outside an indefinite-length value");
	if (t->indefinite &&
	    ber_scan_indefinite(c, t, r->end, r->depth + 1, t) == -1)
		return -1;
	if (++r->count > c->lim.max_elements)
		return ber_fail(c, BER_E_COUNT, r->p,
		    "more than %zu elements in one value",
		    c->lim.max_elements);
	if (r->setof) {
		if (r->prev != NULL &&
		    ber_setof_cmp(r->prev, r->prevlen, t->raw, t->rawlen) > 0)
			return ber_fail(c, BER_E_ORDER, t->raw,
			    "SET OF element sorts before the previous one");
		r->prev = t->raw;
		r->prevlen = t->rawlen;
	}
	r->p = t->raw + t->rawlen;
	return 1;
}

int
ber_peek(const struct ber_reader *r, struct ber_tlv *t)
{
	struct ber_reader	tmp = *r;

	return ber_next(&tmp, t);
}

bool
ber_at_end(const struct ber_reader *r)
{
	return r->p == r->end;
}

/* The next component must carry this tag. */
int
ber_expect(struct ber_reader *r, uint32_t tag, struct ber_tlv *t)
{
	char	want[32], got[32];
	int	n;

	if ((n = ber_next(r, t)) == -1)
		return -1;
	if (n == 1 && t->tag == tag)
		return 0;
	/* Named only on failure: this is the decoders' busiest path. */
	(void)ber_tag_name(tag, want, sizeof(want));
	if (n == 0)
		return ber_fail(r->ctx, BER_E_MISSING, r->end,
		    "expected %s, found the end of the enclosing value", want);
	if (t->tag != tag) {
		(void)ber_tag_name(t->tag, got, sizeof(got));
		return ber_fail(r->ctx, BER_E_UNEXPECTED, t->raw,
		    "expected %s, found %s", want, got);
	}
	return 0;
}

/* Consume the next component if it carries this tag: 1 if so, 0 if not. */
int
ber_optional(struct ber_reader *r, uint32_t tag, struct ber_tlv *t)
{
	struct ber_reader	tmp = *r;
	int			n;

	if ((n = ber_next(&tmp, t)) <= 0)
		return n;
	if (t->tag != tag)
		return 0;
	*r = tmp;
	return 1;
}

/* ber_enter() in ber.h calls this when it cannot open the cursor. */
int
ber_enter_fail(const struct ber_reader *r, const struct ber_tlv *t)
{
	struct ber_ctx	*c = r->ctx;

	if (c->err.code != BER_OK)
		return -1;
	if (!t->constructed)
		return ber_fail(c, BER_E_FORM, t->raw,
		    "a constructed value was expected here");
	return ber_fail(c, BER_E_DEPTH, t->raw, "nesting deeper than %u",
	    c->lim.max_depth);
}

int
ber_enter_setof(const struct ber_reader *r, const struct ber_tlv *t,
    struct ber_reader *child)
{
	if (ber_enter(r, t, child) == -1)
		return -1;
	child->setof = r->ctx->mode == BER_MODE_DER;
	return 0;
}

/* Nothing may follow the last component the caller understood. */
int
ber_end(struct ber_reader *r)
{
	struct ber_tlv	t;
	char		got[32];
	int		n;

	if (r->ctx->err.code != BER_OK)
		return -1;
	if (r->p == r->end)
		return 0;
	if ((n = ber_peek(r, &t)) == -1)
		return -1;
	(void)ber_tag_name(t.tag, got, sizeof(got));
	return ber_fail(r->ctx, BER_E_TRAILING, r->p,
	    "unexpected %s after the last component (%zu bytes left)", got,
	    (size_t)(r->end - r->p));
}

/* The whole input must be exactly one TLV. */
int
ber_decode_one(struct ber_ctx *c, struct ber_tlv *t)
{
	struct ber_reader	r;
	int			n;

	ber_reader_init(&r, c);
	if ((n = ber_next(&r, t)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(c, BER_E_TRUNCATED, c->base, "empty input");
	if (r.p != r.end)
		return ber_fail(c, BER_E_TRAILING, r.p,
		    "%zu bytes after the end of the value",
		    (size_t)(r.end - r.p));
	return 0;
}

int
ber_set_decode(struct ber_reader *r, struct ber_set_field *f, size_t nf)
{
	struct ber_ctx	*c = r->ctx;
	struct ber_tlv	 t;
	uint32_t	 prevtag = 0;
	bool		 first = true;
	size_t		 i;
	unsigned	 k;
	char		 name[32];
	int		 n;

	for (i = 0; i < nf; i++)
		f[i].present = false;
	while ((n = ber_next(r, &t)) == 1) {
		for (i = 0; i < nf; i++) {
			for (k = 0; k < f[i].ntags; k++)
				if (f[i].tags[k] == t.tag)
					break;
			if (k < f[i].ntags)
				break;
		}
		/* Named only on failure (as in ber_expect). */
		if (i == nf || f[i].present)
			(void)ber_tag_name(t.tag, name, sizeof(name));
		if (i == nf)
			return ber_fail(c, BER_E_UNEXPECTED, t.raw,
			    "%s is not a component of this SET", name);
		if (f[i].present)
			return ber_fail(c, BER_E_DUPLICATE, t.raw,
			    "%s (%s) appears twice", f[i].name, name);
		if (c->mode == BER_MODE_DER && !first && t.tag < prevtag)
			return ber_fail(c, BER_E_ORDER, t.raw,
			    "%s out of canonical order in SET", f[i].name);
		first = false;
		prevtag = t.tag;
		f[i].present = true;
		f[i].tlv = t;
	}
	if (n == -1)
		return -1;
	for (i = 0; i < nf; i++)
		if (f[i].mandatory && !f[i].present)
			return ber_fail(c, BER_E_MISSING, r->end,
			    "mandatory component %s absent from SET",
			    f[i].name);
	return 0;
}
