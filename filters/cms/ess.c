/*
 * ess.c - ESS security labels (RFC 2634 section 5.4, RFC 5035) and the
 * security category syntaxes of SDN.801c / ACP 145: decoding, DER encoding
 * and comparison.
 *
 * Why the guard decodes labels itself.  The ESS label of a CMS-signed P772
 * message is what the policy releases or refuses on.  OpenSSL has no type
 * for ESSSecurityLabel, and its ASN.1 templates do not accept the
 * components of a SET in another order than the one they were declared in,
 * which BER allows and real signers send; nor do they say where an encoding
 * went wrong.  So the label is read with the guard's own cursor, under the
 * decode's limits and arena, with an error and an offset for every refusal.
 *
 * Stricter than X.411.  The X.411 SecurityLabel (x400_label_dec) has the
 * same shape, but here the policy identifier is mandatory, the privacy mark
 * must keep to its type's repertoire and size, every category of a known
 * syntax is decoded down to its tag set and attribute values, and the same
 * category twice is refused, since a label that says one thing twice may
 * say two different things to two different readers.  A category of a type
 * the guard does not know is kept, checked only for being well-formed BER:
 * whether to accept it is the policy's decision, not the decoder's.
 *
 * Canonical forms.  Everything the guard writes is DER.  A category value
 * read from a message is written back as it was sent when that is DER and
 * still says what the category's fields say; a value sent in BER is written
 * from the fields instead (for a type the guard does not know, from the
 * value's DER-structured form: definite lengths, joined strings).
 *
 * Equality compares meanings: the same policy, classification, privacy mark
 * text and set of categories, whatever the order or encoding they came in.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"

/* Bounds of RFC 2634 (ub-*) and of what the guard accepts in a category. */
#define ESS_MAX_CLASSIFICATION	256	/* ub-integer-options */
#define ESS_MAX_MARK		128	/* ub-privacy-mark-length */
#define ESS_MAX_CATEGORIES	64	/* ub-security-categories */
#define ESS_MAX_VALUES		256	/* attributes of one enumerated tag */
#define ESS_MAX_BITS		4096	/* bits of one attributeFlags */

static const struct {
	const char	*oid;
	enum ess_syntax	 syntax;
	const char	*name;
} ess_syntaxes[] = {
	{ ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    "restrictive bitmap" },
	{ ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    "enumerated permissive" },
	{ ESS_OID_PERMISSIVE_BITMAP, ESS_PERMISSIVE_BITMAP,
	    "permissive bitmap" },
	{ ESS_OID_INFORMATIVE, ESS_INFORMATIVE, "informative" },
	{ ESS_OID_ENUMERATED_RESTRICTIVE, ESS_ENUMERATED_RESTRICTIVE,
	    "enumerated restrictive" },
};
#define ESS_NSYNTAXES	(sizeof(ess_syntaxes) / sizeof(ess_syntaxes[0]))

/* What decoding a category learns beyond struct ess_category. */
struct ess_extra {
	bool		 bitset;	/* informative: bitSetAttributes */
	const uint8_t	*canon;		/* other: the DER-structured value */
	size_t		 canonlen;
};

static enum ess_syntax
ess_syntax_of(const char *type)
{
	size_t	i;

	for (i = 0; i < ESS_NSYNTAXES; i++)
		if (strcmp(type, ess_syntaxes[i].oid) == 0)
			return ess_syntaxes[i].syntax;
	return ESS_OTHER;
}

static const char *
ess_syntax_name(enum ess_syntax s)
{
	size_t	i;

	for (i = 0; i < ESS_NSYNTAXES; i++)
		if (ess_syntaxes[i].syntax == s)
			return ess_syntaxes[i].name;
	return "other";
}

static int
ess_u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The DER-structured form's upper bound: see ess_canon(). */
static size_t
ess_canon_max(size_t n)
{
	return n > (SIZE_MAX - 64) / 2 ? SIZE_MAX : 2 * n + 64;
}

/*
 * The DER-structured form of one BER value whose schema the guard does not
 * know (ber_reencode: definite minimal lengths, constructed universal
 * strings joined, tags and order kept), into b, which the caller frees.
 * An indefinite length (4 octets at least) becomes at most 2 octets longer
 * once definite, and nothing else grows, so twice the input is room enough.
 */
static int
ess_canon(const uint8_t *p, size_t n, struct buf *b)
{
	struct ber_ctx	c;
	int		rc;

	buf_init(b, ess_canon_max(n));
	ber_ctx_init(&c, BER_MODE_BER, NULL, p, n);
	rc = ber_reencode(&c, b);
	ber_ctx_free(&c);
	return rc;
}

/* --- decoding ------------------------------------------------------------ */

/* SecurityAttribute ::= INTEGER (0..MAX), which the guard keeps in 32 bits. */
static int
ess_attr_dec(struct x400_dec *d, const struct ber_tlv *t, uint32_t *out)
{
	const uint8_t	*p;
	size_t		 n, i;
	uint32_t	 v = 0;

	if (ber_get_bigint(&d->c, t, &p, &n) == -1)
		return -1;
	if (p[0] & 0x80)
		return ber_fail(&d->c, BER_E_RANGE, t->val,
		    "negative security attribute");
	if (n > 5 || (n == 5 && p[0] != 0))
		return ber_fail(&d->c, BER_E_RANGE, t->val,
		    "security attribute wider than 32 bits");
	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	*out = v;
	return 0;
}

/* SET OF SecurityAttribute: the values ascending, each at most once. */
static int
ess_attrs_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ess_category *cat)
{
	struct ber_reader	 set;
	struct ber_tlv		 u;
	uint32_t		*v;
	int			 n, i, j;

	if (ber_enter_setof(r, t, &set) == -1 ||
	    (n = x400_count(d, &set, ESS_MAX_VALUES, "security attributes",
	    t->raw)) == -1)
		return -1;
	if ((v = x400_array(d, (size_t)n, sizeof(*v), t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&set, BER_UNIV(BER_INTEGER), &u) == -1 ||
		    ess_attr_dec(d, &u, &v[i]) == -1)
			return -1;
		/* At most 256 values: a scan names the second copy. */
		for (j = 0; j < i; j++)
			if (v[j] == v[i])
				return ber_fail(&d->c, BER_E_DUPLICATE, u.raw,
				    "security attribute %u appears twice in "
				    "tag set %s", (unsigned)v[i],
				    cat->tag_name);
	}
	if (ber_end(&set) == -1)
		return -1;
	qsort(v, (size_t)n, sizeof(*v), ess_u32_cmp);
	cat->values = v;
	cat->nvalues = (unsigned)n;
	return 0;
}

/* attributeFlags BIT STRING: the numbers of the bits set, ascending. */
static int
ess_bits_dec(struct x400_dec *d, const struct ber_tlv *t,
    struct ess_category *cat)
{
	struct ber_bits	 b;
	uint32_t	*v;
	size_t		 i, n = 0;

	if (ber_get_bits(&d->c, t, &b) == -1)
		return -1;
	if (b.nbits > ESS_MAX_BITS)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "attributeFlags of %zu bits in tag set %s (at most %u)",
		    b.nbits, cat->tag_name, ESS_MAX_BITS);
	for (i = 0; i < b.nbits; i++)
		if (ber_bit(&b, i))
			n++;
	if ((v = x400_array(d, n, sizeof(*v), t->raw)) == NULL)
		return -1;
	for (i = 0, n = 0; i < b.nbits; i++)
		if (ber_bit(&b, i))
			v[n++] = (uint32_t)i;
	cat->values = v;
	cat->nvalues = (unsigned)n;
	return 0;
}

/*
 * The SDN.801c tags: RestrictiveTag and PermissiveTag ::= SEQUENCE {
 * tagName OID, attributeFlags BIT STRING }; EnumeratedTag ::= SEQUENCE {
 * tagName OID, attributeList SET OF SecurityAttribute }; InformativeTag ::=
 * SEQUENCE { tagName OID, attributes FreeFormField }, FreeFormField ::=
 * CHOICE { bitSetAttributes BIT STRING, securityAttributes SET OF
 * SecurityAttribute }.
 */
static int
ess_tag_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct ess_category *cat, struct ess_extra *x)
{
	struct ber_reader	seq;
	struct ber_tlv		u;
	char			got[32];
	int			n;

	if (v->tag != BER_UNIV(BER_SEQUENCE)) {
		(void)ber_tag_name(v->tag, got, sizeof(got));
		return ber_fail(&d->c, BER_E_UNEXPECTED, v->raw,
		    "%s category: expected a SEQUENCE, found %s",
		    ess_syntax_name(cat->syntax), got);
	}
	if (ber_enter(r, v, &seq) == -1 ||
	    ber_expect(&seq, BER_UNIV(BER_OID), &u) == -1 ||
	    x400_oid(d, &u, &cat->tag_name) == -1)
		return -1;
	switch (cat->syntax) {
	case ESS_RESTRICTIVE_BITMAP:
	case ESS_PERMISSIVE_BITMAP:
		if (ber_expect(&seq, BER_UNIV(BER_BIT_STRING), &u) == -1 ||
		    ess_bits_dec(d, &u, cat) == -1)
			return -1;
		break;
	case ESS_ENUMERATED_PERMISSIVE:
	case ESS_ENUMERATED_RESTRICTIVE:
		if (ber_expect(&seq, BER_UNIV(BER_SET), &u) == -1 ||
		    ess_attrs_dec(d, &seq, &u, cat) == -1)
			return -1;
		break;
	case ESS_INFORMATIVE:
		if ((n = ber_next(&seq, &u)) == -1)
			return -1;
		if (n == 0)
			return ber_fail(&d->c, BER_E_MISSING, v->raw,
			    "informative category without its attributes");
		if (u.tag == BER_UNIV(BER_BIT_STRING)) {
			x->bitset = true;
			if (ess_bits_dec(d, &u, cat) == -1)
				return -1;
		} else if (u.tag == BER_UNIV(BER_SET)) {
			if (ess_attrs_dec(d, &seq, &u, cat) == -1)
				return -1;
		} else {
			(void)ber_tag_name(u.tag, got, sizeof(got));
			return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
			    "informative category: expected a BIT STRING "
			    "or a SET OF SecurityAttribute, found %s", got);
		}
		break;
	default:
		return ber_fail(&d->c, BER_E_STATE, v->raw,
		    "no decoder for category syntax %d", (int)cat->syntax);
	}
	return ber_end(&seq);
}

/*
 * A value of a type the guard does not know: it must still be well-formed
 * in the decode's mode all the way down (so that it can be re-encoded and
 * compared), which ber_reencode checks in a context of its own over the
 * value, under what is left of the decode's limits.  Its errors are
 * reported against the value's place in the whole input.
 */
static int
ess_other_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct ess_extra *x)
{
	struct ber_ctx	 sub;
	struct buf	 b;
	const char	*why;
	uint8_t		*copy;
	int		 rc = 0;

	ber_ctx_init(&sub, d->c.mode, &d->c.lim, v->raw, v->rawlen);
	sub.lim.max_depth -= r->depth;
	sub.lim.max_work -= d->c.work < sub.lim.max_work ? d->c.work :
	    sub.lim.max_work;
	sub.lim.max_alloc -= d->c.allocated < sub.lim.max_alloc ?
	    d->c.allocated : sub.lim.max_alloc;
	buf_init(&b, ess_canon_max(v->rawlen));
	if (ber_reencode(&sub, &b) == -1) {
		why = strstr(sub.err.text, ": ");
		/* The sub-context's depth limit is what was left of ours. */
		if (sub.err.code == BER_E_DEPTH)
			rc = ber_fail(&d->c, BER_E_DEPTH,
			    v->raw + sub.err.offset, "security category "
			    "value: nesting deeper than %u",
			    d->c.lim.max_depth);
		else
			rc = ber_fail(&d->c, sub.err.code,
			    v->raw + sub.err.offset,
			    "security category value: %s",
			    why != NULL ? why + 2 : sub.err.text);
	} else if (x != NULL) {
		/* DER input is its own DER-structured form: no copy. */
		if (b.len == v->rawlen && memcmp(b.data, v->raw, b.len) == 0)
			x->canon = v->raw;
		else if ((copy = x400_alloc(d, b.len, v->raw)) == NULL)
			rc = -1;
		else {
			memcpy(copy, b.data, b.len);
			x->canon = copy;
		}
		x->canonlen = b.len;
	}
	d->c.work += sub.work;
	buf_free(&b);
	ber_ctx_free(&sub);
	return rc;
}

/* The value of a category whose type and syntax are set; r holds v. */
static int
ess_value_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct ess_category *cat, struct ess_extra *x)
{
	memset(x, 0, sizeof(*x));
	cat->value = v->raw;
	cat->valuelen = v->rawlen;
	if (cat->syntax == ESS_OTHER)
		return ess_other_dec(d, r, v, x);
	return ess_tag_dec(d, r, v, cat, x);
}

/* SecurityCategory ::= SEQUENCE { type [0] IMPLICIT OID, value [1] ANY } */
static int
ess_cat_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ess_category *cat, struct ess_extra *x)
{
	struct ber_reader	seq, k;
	struct ber_tlv		u, v;
	int			n;

	if (ber_enter(r, t, &seq) == -1 ||
	    ber_expect(&seq, BER_CTX(0), &u) == -1 ||
	    x400_oid(d, &u, &cat->type) == -1 ||
	    ber_expect(&seq, BER_CTX(1), &u) == -1 ||
	    ber_enter(&seq, &u, &k) == -1 ||
	    (n = ber_next(&k, &v)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_MISSING, u.raw,
		    "security category %s without a value", cat->type);
	if (ber_end(&k) == -1 || ber_end(&seq) == -1)
		return -1;
	cat->syntax = ess_syntax_of(cat->type);
	return ess_value_dec(d, &k, &v, cat, x);
}

/*
 * Two categories that may not both be in a label: the same type and tag
 * set (SDN.801c), or, for a type the guard does not know, the same type
 * and the same value.
 */
static bool
ess_cat_clash(const struct ess_category *a, const struct ess_extra *ax,
    const struct ess_category *b, const struct ess_extra *bx)
{
	if (strcmp(a->type, b->type) != 0)
		return false;
	if (a->syntax != ESS_OTHER)
		return strcmp(a->tag_name, b->tag_name) == 0;
	return ax->canonlen == bx->canonlen &&
	    memcmp(ax->canon, bx->canon, ax->canonlen) == 0;
}

/* security-categories SET SIZE (1..64) OF SecurityCategory */
static int
ess_cats_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ess_label *l)
{
	struct ess_extra	 x[ESS_MAX_CATEGORIES];
	struct ber_reader	 set;
	struct ber_tlv		 c;
	struct ess_category	*cat;
	int			 n, i, j;

	if (ber_enter_setof(r, t, &set) == -1 ||
	    (n = x400_count(d, &set, ESS_MAX_CATEGORIES,
	    "security categories", t->raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "empty set of security categories");
	if ((l->cats = x400_array(d, (size_t)n, sizeof(*l->cats),
	    t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		cat = &l->cats[i];
		if (ber_expect(&set, BER_UNIV(BER_SEQUENCE), &c) == -1 ||
		    ess_cat_dec(d, &set, &c, cat, &x[i]) == -1)
			return -1;
		for (j = 0; j < i; j++) {
			if (!ess_cat_clash(&l->cats[j], &x[j], cat, &x[i]))
				continue;
			if (cat->syntax == ESS_OTHER)
				return ber_fail(&d->c, BER_E_DUPLICATE, c.raw,
				    "security category %s appears twice "
				    "with the same value", cat->type);
			return ber_fail(&d->c, BER_E_DUPLICATE, c.raw,
			    "%s category for tag set %s appears twice",
			    ess_syntax_name(cat->syntax), cat->tag_name);
		}
	}
	l->ncats = (unsigned)n;
	return ber_end(&set);
}

/*
 * ESSPrivacyMark ::= CHOICE { pString PrintableString (SIZE (1..128)),
 * utf8String UTF8String (SIZE (1..MAX)) }.  The bytes are checked against
 * the string type's own repertoire (x400_text would read a PrintableString
 * as any ASCII, which the encoder then refuses to write) and converted as
 * x400_text does.  A NUL is refused in either: the mark is shown to people
 * and compared as text, and a NUL would end it early.
 */
static int
ess_mark_dec(struct x400_dec *d, const struct ber_tlv *t,
    struct x400_text *m)
{
	struct ber_str	s;
	bool		printable = t->tag == BER_UNIV(BER_PRINTABLE_STRING);

	if (ber_get_string(&d->c, t, printable ? BER_PRINTABLE_STRING :
	    BER_UTF8_STRING, &s) == -1 ||
	    x400_to_utf8(&d->c, t->raw, printable ? X400_CS_ASCII :
	    X400_CS_UTF8, s.bytes, s.len, m) == -1)
		return -1;
	m->raw = s.bytes;
	m->rawlen = s.len;
	if (printable && (s.len == 0 || s.len > ESS_MAX_MARK))
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "PrintableString privacy mark of %zu characters (1 to %u)",
		    s.len, ESS_MAX_MARK);
	if (s.len == 0)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "empty UTF8String privacy mark");
	if (memchr(s.bytes, 0, s.len) != NULL)
		return ber_fail(&d->c, BER_E_CHARSET, t->raw,
		    "NUL character in the privacy mark");
	return 0;
}

/*
 * ESSSecurityLabel ::= SET { security-policy-identifier OID,
 *   security-classification INTEGER (0..256) OPTIONAL, privacy-mark
 *   ESSPrivacyMark OPTIONAL, security-categories SecurityCategories
 *   OPTIONAL }
 */
int
ess_label_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ess_label *l)
{
	enum { F_POLICY, F_CLASS, F_MARK, F_CATS, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_POLICY] = { { BER_UNIV(BER_OID) }, 1, true,
		    "security-policy-identifier", false, { 0 } },
		[F_CLASS] = { { BER_UNIV(BER_INTEGER) }, 1, false,
		    "security-classification", false, { 0 } },
		[F_MARK] = { { BER_UNIV(BER_PRINTABLE_STRING),
		    BER_UNIV(BER_UTF8_STRING) }, 2, false, "privacy-mark",
		    false, { 0 } },
		[F_CATS] = { { BER_UNIV(BER_SET) }, 1, false,
		    "security-categories", false, { 0 } },
	};
	struct ber_reader	 set;
	int64_t			 v;

	memset(l, 0, sizeof(*l));
	l->classification = X400_ABSENT;
	if (ber_enter(r, t, &set) == -1 ||
	    ber_set_decode(&set, f, F__N) == -1 ||
	    x400_oid(d, &f[F_POLICY].tlv, &l->policy) == -1)
		return -1;
	if (f[F_CLASS].present) {
		if (ber_get_int(&d->c, &f[F_CLASS].tlv, INT64_MIN, INT64_MAX,
		    &v) == -1)
			return -1;
		if (v < 0 || v > ESS_MAX_CLASSIFICATION)
			return ber_fail(&d->c, BER_E_RANGE,
			    f[F_CLASS].tlv.raw, "security-classification "
			    "%lld outside 0..%d", (long long)v,
			    ESS_MAX_CLASSIFICATION);
		l->classification = v;
	}
	if (f[F_MARK].present &&
	    ess_mark_dec(d, &f[F_MARK].tlv, &l->privacy_mark) == -1)
		return -1;
	if (f[F_CATS].present &&
	    ess_cats_dec(d, &set, &f[F_CATS].tlv, l) == -1)
		return -1;
	l->present = true;
	l->raw = t->raw;
	l->rawlen = t->rawlen;
	return 0;
}

/*
 * A label on its own (a signed attribute's value): exactly one universal
 * SET.  The cursor shares the decode's context, so errors carry offsets in
 * the whole input when the bytes lie within it.
 */
int
ess_label_dec_bytes(struct x400_dec *d, const uint8_t *p, size_t n,
    struct ess_label *l)
{
	struct ber_reader	r;
	struct ber_tlv		t;
	char			got[32];
	int			k;

	memset(l, 0, sizeof(*l));
	l->classification = X400_ABSENT;
	if (p == NULL || n == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, p,
		    "empty input where a security label was expected");
	memset(&r, 0, sizeof(r));
	r.ctx = &d->c;
	r.p = p;
	r.end = p + n;
	if ((k = ber_next(&r, &t)) == -1)
		return -1;
	if (k == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, p,
		    "empty input where a security label was expected");
	if (t.tag != BER_UNIV(BER_SET)) {
		(void)ber_tag_name(t.tag, got, sizeof(got));
		return ber_fail(&d->c, BER_E_UNEXPECTED, t.raw,
		    "expected an ESSSecurityLabel (SET), found %s", got);
	}
	if (r.p != r.end)
		return ber_fail(&d->c, BER_E_TRAILING, r.p,
		    "%zu bytes after the security label",
		    (size_t)(r.end - r.p));
	return ess_label_dec(d, &r, &t, l);
}

/* --- encoding ------------------------------------------------------------ */

/* Values strictly ascending, as struct ess_category promises. */
static bool
ess_ascending(const struct ess_category *c)
{
	unsigned	i;

	if (c->nvalues > 0 && c->values == NULL)
		return false;
	for (i = 1; i < c->nvalues; i++)
		if (c->values[i - 1] >= c->values[i])
			return false;
	return true;
}

static bool
ess_values_same(const struct ess_category *a, const struct ess_category *b)
{
	unsigned	i;

	if (a->nvalues != b->nvalues || !ess_ascending(a) ||
	    !ess_ascending(b))
		return false;
	for (i = 0; i < a->nvalues; i++)
		if (a->values[i] != b->values[i])
			return false;
	return true;
}

/*
 * Decode a category's kept value again, on its own, in the mode given:
 * 1 when it decodes to the category's own tag set and values, 0 when it
 * does not decode in that mode, -1 when it decodes to something else.
 */
static int
ess_raw_check(const struct ess_category *c, enum ber_mode mode,
    struct ess_extra *x)
{
	struct x400_dec		s;
	struct ber_reader	r;
	struct ber_tlv		v;
	struct ess_category	k;
	int			rc = 0;

	memset(&s, 0, sizeof(s));
	x400_limits_default(&s.lim);
	ber_ctx_init(&s.c, mode, NULL, c->value, c->valuelen);
	ber_reader_init(&r, &s.c);
	memset(&k, 0, sizeof(k));
	k.type = c->type;
	k.syntax = c->syntax;
	if (ber_next(&r, &v) == 1 && ber_at_end(&r) &&
	    ess_value_dec(&s, &r, &v, &k, x) == 0)
		rc = (c->tag_name != NULL &&
		    strcmp(k.tag_name, c->tag_name) == 0 &&
		    ess_values_same(&k, c)) ? 1 : -1;
	ber_ctx_free(&s.c);
	return rc;
}

static void
ess_bits_enc(struct ber_enc *e, const struct ess_category *c)
{
	uint8_t		b[ESS_MAX_BITS / 8];
	size_t		nbits = 0;
	unsigned	i;

	memset(b, 0, sizeof(b));
	for (i = 0; i < c->nvalues; i++) {
		if (c->values[i] >= ESS_MAX_BITS) {
			e->err = BER_E_RANGE;
			return;
		}
		b[c->values[i] / 8] |= (uint8_t)(0x80u >> (c->values[i] % 8));
		nbits = (size_t)c->values[i] + 1;
	}
	ber_put_bits(e, BER_UNIV(BER_BIT_STRING), b, nbits);
}

static void
ess_attrs_enc(struct ber_enc *e, const struct ess_category *c)
{
	unsigned	i;

	if (c->nvalues > ESS_MAX_VALUES) {
		e->err = BER_E_COUNT;
		return;
	}
	ber_enc_begin_setof(e, BER_UNIV(BER_SET));
	for (i = 0; i < c->nvalues; i++)
		ber_put_int(e, BER_UNIV(BER_INTEGER), (int64_t)c->values[i]);
	ber_enc_end(e);
}

/* An SDN.801c tag from the category's fields. */
static void
ess_tag_enc(struct ber_enc *e, const struct ess_category *c, bool bitset)
{
	if (c->tag_name == NULL || !ess_ascending(c)) {
		e->err = BER_E_STATE;
		return;
	}
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), c->tag_name);
	switch (c->syntax) {
	case ESS_RESTRICTIVE_BITMAP:
	case ESS_PERMISSIVE_BITMAP:
		ess_bits_enc(e, c);
		break;
	case ESS_INFORMATIVE:
		if (bitset)
			ess_bits_enc(e, c);
		else
			ess_attrs_enc(e, c);
		break;
	default:
		ess_attrs_enc(e, c);
		break;
	}
	ber_enc_end(e);
}

/*
 * The value inside [1].  A kept value goes out as it came when it is DER
 * and agrees with the fields; a BER one that agrees is written from the
 * fields, in the same FreeFormField alternative.  A kept value that says
 * something else than the fields is the caller's bug (say, a mapped
 * category whose old bytes were left in place): nothing is written then.
 * A category built by hand (no value) is written from its fields; the
 * informative syntax then takes securityAttributes, struct ess_category
 * having no field for the alternative.
 */
static void
ess_value_enc(struct ber_enc *e, const struct ess_category *c)
{
	struct ess_extra	x;
	struct buf		b;
	int			k;

	memset(&x, 0, sizeof(x));
	if (c->syntax == ESS_OTHER) {
		if (c->value == NULL) {
			e->err = BER_E_STATE;
			return;
		}
		if (ess_canon(c->value, c->valuelen, &b) == -1)
			e->err = BER_E_STATE;
		else
			ber_put_raw(e, b.data, b.len);
		buf_free(&b);
		return;
	}
	if (c->value != NULL) {
		if ((k = ess_raw_check(c, BER_MODE_DER, &x)) == 1) {
			ber_put_raw(e, c->value, c->valuelen);
			return;
		}
		if (k == 0)
			k = ess_raw_check(c, BER_MODE_BER, &x);
		if (k != 1) {
			e->err = BER_E_STATE;
			return;
		}
	}
	ess_tag_enc(e, c, x.bitset);
}

static void
ess_cat_enc(struct ber_enc *e, const struct ess_category *c)
{
	if (c->type == NULL || ess_syntax_of(c->type) != c->syntax) {
		e->err = BER_E_STATE;
		return;
	}
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_CTX(0), c->type);
	ber_enc_begin(e, BER_CTX(1));
	ess_value_enc(e, c);
	ber_enc_end(e);
	ber_enc_end(e);
}

/* UTF8String when the text came (or is meant) as UTF-8, else Printable. */
static void
ess_mark_enc(struct ber_enc *e, const struct x400_text *m)
{
	bool	utf8 = m->cs == X400_CS_UTF8;
	size_t	n = m->raw != NULL ? m->rawlen : m->len;

	if (n == 0 || (!utf8 && n > ESS_MAX_MARK)) {
		e->err = BER_E_RANGE;
		return;
	}
	if ((m->raw != NULL && memchr(m->raw, 0, m->rawlen) != NULL) ||
	    (m->utf8 != NULL && memchr(m->utf8, 0, m->len) != NULL)) {
		e->err = BER_E_CHARSET;
		return;
	}
	if (utf8)
		x400_text_enc(e, BER_UNIV(BER_UTF8_STRING), BER_UTF8_STRING, m);
	else
		x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, m);
}

/*
 * DER, components and categories sorted by the encoder.  Whatever the
 * decoder would refuse (no policy, a classification out of range, too many
 * categories, a bad mark) is not written: the encoder's error says so.
 */
void
ess_label_enc(struct ber_enc *e, const struct ess_label *l)
{
	unsigned	i;

	if (e->err != BER_OK)
		return;
	if (l->policy == NULL) {
		e->err = BER_E_STATE;
		return;
	}
	if (l->classification != X400_ABSENT && (l->classification < 0 ||
	    l->classification > ESS_MAX_CLASSIFICATION)) {
		e->err = BER_E_RANGE;
		return;
	}
	if (l->ncats > ESS_MAX_CATEGORIES) {
		e->err = BER_E_COUNT;
		return;
	}
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	ber_put_oid_text(e, BER_UNIV(BER_OID), l->policy);
	if (l->classification != X400_ABSENT)
		ber_put_int(e, BER_UNIV(BER_INTEGER), l->classification);
	if (l->privacy_mark.utf8 != NULL || l->privacy_mark.raw != NULL)
		ess_mark_enc(e, &l->privacy_mark);
	if (l->ncats > 0) {
		ber_enc_begin_setof(e, BER_UNIV(BER_SET));
		for (i = 0; i < l->ncats; i++)
			ess_cat_enc(e, &l->cats[i]);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

/* --- comparison ---------------------------------------------------------- */

static bool
ess_text_same(const struct x400_text *a, const struct x400_text *b)
{
	if (a->utf8 == NULL || b->utf8 == NULL)
		return a->utf8 == b->utf8;
	return a->len == b->len && memcmp(a->utf8, b->utf8, a->len) == 0;
}

/*
 * The DER-structured values of the categories of unknown types, made once
 * per comparison rather than once per pair of categories tried: a label
 * may hold 64 large ones.  A value that cannot be made stays empty, and an
 * empty value equals nothing.
 */
static void
ess_canon_all(const struct ess_category *c, unsigned n, struct buf *b)
{
	unsigned	i;

	for (i = 0; i < n; i++) {
		buf_init(&b[i], 0);
		if (c[i].syntax == ESS_OTHER && c[i].value != NULL &&
		    ess_canon(c[i].value, c[i].valuelen, &b[i]) == -1)
			buf_free(&b[i]);
	}
}

static void
ess_canon_free(struct buf *b, unsigned n)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		buf_free(&b[i]);
}

/*
 * The same category: type, tag set and attribute values (which FreeFormField
 * alternative carried them, or how many trailing zero bits a bitmap had,
 * does not change what they say); for an unknown type, the same value once
 * DER-structured (ab, bb).
 */
static bool
ess_cat_same(const struct ess_category *a, const struct buf *ab,
    const struct ess_category *b, const struct buf *bb)
{
	if (a->type == NULL || b->type == NULL ||
	    strcmp(a->type, b->type) != 0 || a->syntax != b->syntax)
		return false;
	if (a->syntax == ESS_OTHER)
		return ab->len > 0 && ab->len == bb->len &&
		    memcmp(ab->data, bb->data, ab->len) == 0;
	return a->tag_name != NULL && b->tag_name != NULL &&
	    strcmp(a->tag_name, b->tag_name) == 0 && ess_values_same(a, b);
}

/*
 * A category of l (whose DER-structured values are lb) equal to c and not
 * yet in *used: marked, and its index returned; or -1.
 */
static int
ess_cat_match(const struct ess_label *l, const struct buf *lb,
    const struct ess_category *c, const struct buf *cb, uint64_t *used)
{
	unsigned	j;

	for (j = 0; j < l->ncats; j++)
		if ((*used & (UINT64_C(1) << j)) == 0 &&
		    ess_cat_same(&l->cats[j], &lb[j], c, cb)) {
			*used |= UINT64_C(1) << j;
			return (int)j;
		}
	return -1;
}

/* Policy, classification and privacy mark; both labels have a policy. */
static bool
ess_head_same(const char *pa, int64_t ca, const struct x400_text *ma,
    const char *pb, int64_t cb, const struct x400_text *mb)
{
	return strcmp(pa, pb) == 0 && ca == cb && ess_text_same(ma, mb);
}

/*
 * Two absent labels are equal (neither says anything); a label without a
 * policy, which no decode produces, equals nothing.  Categories are matched
 * as sets: a label has at most 64, so a bit mask records which are taken.
 */
bool
ess_label_equal(const struct ess_label *a, const struct ess_label *b)
{
	struct buf	ab[ESS_MAX_CATEGORIES], bb[ESS_MAX_CATEGORIES];
	uint64_t	used = 0;
	unsigned	i;
	bool		same = true;

	if (!a->present || !b->present)
		return a->present == b->present;
	if (a->policy == NULL || b->policy == NULL ||
	    !ess_head_same(a->policy, a->classification, &a->privacy_mark,
	    b->policy, b->classification, &b->privacy_mark) ||
	    a->ncats != b->ncats || a->ncats > ESS_MAX_CATEGORIES)
		return false;
	ess_canon_all(a->cats, a->ncats, ab);
	ess_canon_all(b->cats, b->ncats, bb);
	for (i = 0; i < a->ncats && same; i++)
		same = ess_cat_match(b, bb, &a->cats[i], &ab[i], &used) != -1;
	ess_canon_free(ab, a->ncats);
	ess_canon_free(bb, b->ncats);
	return same;
}

/*
 * An ESS label against an X.411 message-security-label.  The X.411
 * categories are kept raw; each is decoded here by the ESS rules (BER, in
 * a scratch context over its value), so that the comparison is by meaning,
 * as between two ESS labels.  An X.411 label without a policy never equals:
 * ESS requires one, and without it the two cannot be said to mean the same.
 */
bool
ess_label_equal_x411(const struct ess_label *a, const struct x400_label *b)
{
	struct buf		 ab[ESS_MAX_CATEGORIES], kb;
	struct x400_dec		 s;
	struct ber_reader	 r;
	struct ber_tlv		 v;
	struct ess_category	 k;
	struct ess_extra	 x;
	uint64_t		 used = 0;
	unsigned		 i;
	bool			 same = true;

	if (!a->present || !b->present || a->policy == NULL ||
	    b->policy == NULL ||
	    !ess_head_same(a->policy, a->classification, &a->privacy_mark,
	    b->policy, b->classification, &b->privacy_mark) ||
	    a->ncats != b->ncats || a->ncats > ESS_MAX_CATEGORIES)
		return false;
	ess_canon_all(a->cats, a->ncats, ab);
	for (i = 0; i < b->ncats && same; i++) {
		if (b->cats[i].type == NULL || b->cats[i].value == NULL ||
		    b->cats[i].valuelen == 0) {
			same = false;
			break;
		}
		memset(&s, 0, sizeof(s));
		x400_limits_default(&s.lim);
		ber_ctx_init(&s.c, BER_MODE_BER, NULL, b->cats[i].value,
		    b->cats[i].valuelen);
		ber_reader_init(&r, &s.c);
		memset(&k, 0, sizeof(k));
		k.type = b->cats[i].type;
		k.syntax = ess_syntax_of(k.type);
		same = ber_next(&r, &v) == 1 && ber_at_end(&r) &&
		    ess_value_dec(&s, &r, &v, &k, &x) == 0;
		if (same) {
			ess_canon_all(&k, 1, &kb);
			same = ess_cat_match(a, ab, &k, &kb, &used) != -1;
			buf_free(&kb);
		}
		ber_ctx_free(&s.c);
	}
	ess_canon_free(ab, a->ncats);
	return same;
}
