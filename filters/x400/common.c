/*
 * common.c - pieces of the X.400 codec that envelope and content share:
 * arena allocation, counted arrays, strings and text, times, bit strings,
 * security labels, domain identifiers, encoded information types and the
 * two extension sets (P1 ExtensionField, IPMS IPMSExtension).
 *
 * Every decoder here takes the TLV whose contents it reads, leaves the tag
 * to the caller (implicit tagging), and records a precise reason on error.
 */
#include <string.h>

#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

void *
x400_alloc(struct x400_dec *d, size_t n, const uint8_t *at)
{
	void	*p;

	if ((p = ber_alloc(&d->c, n, at)) != NULL)
		memset(p, 0, n);
	return p;
}

void *
x400_array(struct x400_dec *d, size_t n, size_t size, const uint8_t *at)
{
	if (size != 0 && n > SIZE_MAX / size) {
		ber_fail(&d->c, BER_E_BUDGET, at, "array of %zu too large", n);
		return NULL;
	}
	return x400_alloc(d, n * size, at);
}

char *
x400_strndup(struct x400_dec *d, const void *s, size_t n, const uint8_t *at)
{
	char	*p;

	if (n == SIZE_MAX || (p = x400_alloc(d, n + 1, at)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Count the elements of a constructed value, refusing more than max. */
int
x400_count(struct x400_dec *d, const struct ber_reader *r, unsigned max,
    const char *what, const uint8_t *at)
{
	struct ber_reader	tmp = *r;
	struct ber_tlv		t;
	unsigned		n = 0;
	int			k;

	while ((k = ber_next(&tmp, &t)) == 1)
		if (++n > max)
			return ber_fail(&d->c, BER_E_COUNT, at,
			    "more than %u %s", max, what);
	return k == -1 ? -1 : (int)n;
}

/*
 * The elements of a non-empty SEQUENCE OF / SET OF with at most max of
 * them: opens *seq over t, counts them into *n and returns a zeroed array
 * of *n elements of size bytes; NULL with the reason set (more than max,
 * none at all: empty says how to word it).
 */
void *
x400_seq_array(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, unsigned max, const char *what,
    const char *empty, size_t size, struct ber_reader *seq, int *n)
{
	if (ber_enter(r, t, seq) == -1 ||
	    (*n = x400_count(d, seq, max, what, t->raw)) == -1)
		return NULL;
	if (*n == 0) {
		ber_fail(&d->c, BER_E_RANGE, t->raw, "%s", empty);
		return NULL;
	}
	return x400_array(d, (size_t)*n, size, t->raw);
}

/* A string of one type, as a NUL-terminated copy (no NULs allowed). */
int
x400_string(struct x400_dec *d, const struct ber_tlv *t, unsigned type,
    char **out)
{
	struct ber_str	s;

	if (ber_get_string(&d->c, t, type, &s) == -1)
		return -1;
	if (memchr(s.bytes, 0, s.len) != NULL)
		return ber_fail(&d->c, BER_E_CHARSET, t->raw,
		    "NUL character in a name");
	if ((*out = x400_strndup(d, s.bytes, s.len, t->raw)) == NULL)
		return -1;
	return 0;
}

/* CHOICE { NumericString, PrintableString }: the type is in the tag. */
int
x400_string_choice(struct x400_dec *d, const struct ber_tlv *t, char **out)
{
	if (t->tag == BER_UNIV(BER_NUMERIC_STRING))
		return x400_string(d, t, BER_NUMERIC_STRING, out);
	if (t->tag == BER_UNIV(BER_PRINTABLE_STRING))
		return x400_string(d, t, BER_PRINTABLE_STRING, out);
	return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
	    "expected NumericString or PrintableString");
}

/* Text of a string type, converted to UTF-8 for inspection. */
int
x400_text(struct x400_dec *d, const struct ber_tlv *t, unsigned type,
    struct x400_text *out)
{
	struct ber_str	s;
	int		cs;

	if ((cs = x400_cs_of_type(type)) == -1)
		return ber_fail(&d->c, BER_E_STATE, t->raw,
		    "no character set for string type %u", type);
	/*
	 * x400_to_utf8 checks the character set's repertoire; Printable and
	 * Numeric strings are narrower than their set (ASCII) and are checked
	 * for their own type first.
	 */
	if (type == BER_PRINTABLE_STRING || type == BER_NUMERIC_STRING) {
		if (ber_get_string(&d->c, t, type, &s) == -1)
			return -1;
	} else if (ber_get_octets(&d->c, t, &s.bytes, &s.len) == -1)
		return -1;
	if (x400_to_utf8(&d->c, t->raw, (enum x400_cs)cs, s.bytes, s.len,
	    out) == -1)
		return -1;
	out->raw = s.bytes;
	out->rawlen = s.len;
	return 0;
}

int
x400_time(struct x400_dec *d, const struct ber_tlv *t, unsigned type,
    struct x400_time *out)
{
	time_t	e;

	if (ber_get_time(&d->c, t, type, &out->tm) == -1)
		return -1;
	(void)ber_time_to_epoch(&out->tm, &e);
	out->epoch = (int64_t)e;
	out->present = true;
	return 0;
}

int
x400_oid(struct x400_dec *d, const struct ber_tlv *t, char **out)
{
	struct ber_oid	o;
	char		s[BER_OID_TEXT_MAX];

	if (ber_get_oid(&d->c, t, &o) == -1)
		return -1;
	if (ber_oid_text(&o, s, sizeof(s)) == -1)
		return ber_fail(&d->c, BER_E_OID, t->raw,
		    "object identifier too long to handle");
	if ((*out = x400_strndup(d, s, strlen(s), t->raw)) == NULL)
		return -1;
	return 0;
}

/* Named bit strings of up to 64 bits: later bits must be zero. */
int
x400_bits(struct x400_dec *d, const struct ber_tlv *t, struct x400_bits *out)
{
	struct ber_bits	b;
	size_t		i;

	if (ber_get_bits(&d->c, t, &b) == -1)
		return -1;
	out->bits = 0;
	for (i = 0; i < b.nbits; i++) {
		if (!ber_bit(&b, i))
			continue;
		if (i >= 64)
			return ber_fail(&d->c, BER_E_BITSTRING, t->raw,
			    "bit %zu set; no such named bit", i);
		out->bits |= UINT64_C(1) << i;
	}
	out->nbits = b.nbits > 64 ? 64 : (unsigned)b.nbits;
	out->present = true;
	return 0;
}

int
x400_int(struct x400_dec *d, const struct ber_tlv *t, int64_t min,
    int64_t max, int64_t *out)
{
	return ber_get_int(&d->c, t, min, max, out);
}

/* The single value inside an explicit tag. */
int
x400_explicit(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *outer, struct ber_tlv *inner)
{
	struct ber_reader	k;
	int			n;

	if (ber_enter(r, outer, &k) == -1)
		return -1;
	if ((n = ber_next(&k, inner)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_MISSING, outer->raw,
		    "explicitly tagged value is empty");
	return ber_end(&k);
}

/*
 * SecurityLabel ::= SET { security-policy-identifier OID OPTIONAL,
 *   security-classification INTEGER (0..256) OPTIONAL, privacy-mark
 *   PrintableString | UTF8String OPTIONAL, security-categories SET OF
 *   SecurityCategory OPTIONAL }.  The X.411 form has a PrintableString
 *   privacy mark; ESS allows UTF8String too, and both are read here.
 */
int
x400_label_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_label *l)
{
	enum { F_POLICY, F_CLASS, F_MARK, F_CATS, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_POLICY] = { { BER_UNIV(BER_OID) }, 1, false,
		    "security-policy-identifier", false, { 0 } },
		[F_CLASS] = { { BER_UNIV(BER_INTEGER) }, 1, false,
		    "security-classification", false, { 0 } },
		[F_MARK] = { { BER_UNIV(BER_PRINTABLE_STRING),
		    BER_UNIV(BER_UTF8_STRING) }, 2, false, "privacy-mark",
		    false, { 0 } },
		[F_CATS] = { { BER_UNIV(BER_SET) }, 1, false,
		    "security-categories", false, { 0 } },
	};
	struct ber_reader	 set, cats, cat;
	struct ber_tlv		 c, u, v;
	int			 n, i;

	memset(l, 0, sizeof(*l));
	l->classification = X400_ABSENT;
	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	l->present = true;
	l->raw = t->raw;
	l->rawlen = t->rawlen;
	if (f[F_POLICY].present &&
	    x400_oid(d, &f[F_POLICY].tlv, &l->policy) == -1)
		return -1;
	if (f[F_CLASS].present && x400_int(d, &f[F_CLASS].tlv, 0, 256,
	    &l->classification) == -1)
		return -1;
	if (f[F_MARK].present && x400_text(d, &f[F_MARK].tlv,
	    BER_TAG_NUMBER(f[F_MARK].tlv.tag), &l->privacy_mark) == -1)
		return -1;
	if (f[F_MARK].present && (l->privacy_mark.len == 0 ||
	    l->privacy_mark.rawlen > 128))
		return ber_fail(&d->c, BER_E_RANGE, f[F_MARK].tlv.raw,
		    "privacy mark of %zu characters (1 to 128)",
		    l->privacy_mark.rawlen);
	if (!f[F_CATS].present)
		return 0;
	if (ber_enter_setof(&set, &f[F_CATS].tlv, &cats) == -1)
		return -1;
	if ((n = x400_count(d, &cats, 64, "security categories",
	    f[F_CATS].tlv.raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, f[F_CATS].tlv.raw,
		    "empty set of security categories");
	if ((l->cats = x400_array(d, (size_t)n, sizeof(*l->cats),
	    f[F_CATS].tlv.raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&cats, BER_UNIV(BER_SEQUENCE), &c) == -1 ||
		    ber_enter(&cats, &c, &cat) == -1 ||
		    ber_expect(&cat, BER_CTX(0), &u) == -1 ||
		    x400_oid(d, &u, &l->cats[i].type) == -1 ||
		    ber_expect(&cat, BER_CTX(1), &u) == -1 ||
		    x400_explicit(d, &cat, &u, &v) == -1 ||
		    ber_end(&cat) == -1)
			return -1;
		l->cats[i].value = v.raw;
		l->cats[i].valuelen = v.rawlen;
	}
	l->ncats = (unsigned)n;
	return ber_end(&cats);
}

/*
 * GlobalDomainIdentifier ::= [APPLICATION 3] SEQUENCE { CountryName,
 *   AdministrationDomainName, PrivateDomainIdentifier OPTIONAL }
 */
int
x400_gdi_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_gdi *g)
{
	struct ber_reader	k;
	struct ber_tlv		u, v;
	int			n;

	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_APP(1), &u) == -1 ||
	    x400_explicit(d, &k, &u, &v) == -1 ||
	    x400_string_choice(d, &v, &g->country) == -1 ||
	    ber_expect(&k, BER_APP(2), &u) == -1 ||
	    x400_explicit(d, &k, &u, &v) == -1 ||
	    x400_string_choice(d, &v, &g->admd) == -1)
		return -1;
	if ((n = ber_next(&k, &u)) == -1)
		return -1;
	if (n == 1 && x400_string_choice(d, &u, &g->prmd) == -1)
		return -1;
	return ber_end(&k);
}

/*
 * EncodedInformationTypes ::= [APPLICATION 5] SET { [0] BuiltIn BIT STRING,
 *   g3-facsimile [1] OPTIONAL, teletex [2] OPTIONAL, [4] SET OF OID OPTIONAL }
 */
int
x400_eits_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_eits *e)
{
	enum { F_BUILTIN, F_G3, F_TTX, F_EXT, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_BUILTIN] = { { BER_CTX(0) }, 1, true,
		    "built-in-encoded-information-types", false, { 0 } },
		[F_G3] = { { BER_CTX(1) }, 1, false, "g3-facsimile", false,
		    { 0 } },
		[F_TTX] = { { BER_CTX(2) }, 1, false, "teletex", false,
		    { 0 } },
		[F_EXT] = { { BER_CTX(4) }, 1, false,
		    "extended-encoded-information-types", false, { 0 } },
	};
	struct ber_reader	 set, k;
	struct ber_bits		 bits;
	struct ber_tlv		 u;
	int			 n, i;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	e->present = true;
	e->raw = t->raw;
	e->rawlen = t->rawlen;
	if (x400_bits(d, &f[F_BUILTIN].tlv, &e->builtin) == -1)
		return -1;
	/* Non-basic parameters are read for validity, kept in raw. */
	if (f[F_G3].present && ber_get_bits(&d->c, &f[F_G3].tlv, &bits) == -1)
		return -1;
	if (f[F_TTX].present && ber_enter(&set, &f[F_TTX].tlv, &k) == -1)
		return -1;
	if (!f[F_EXT].present)
		return 0;
	if (ber_enter_setof(&set, &f[F_EXT].tlv, &k) == -1 ||
	    (n = x400_count(d, &k, 64, "encoded information types",
	    f[F_EXT].tlv.raw)) == -1)
		return -1;
	if ((e->extended = x400_array(d, (size_t)n, sizeof(char *),
	    f[F_EXT].tlv.raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (ber_expect(&k, BER_UNIV(BER_OID), &u) == -1 ||
		    x400_oid(d, &u, &e->extended[i]) == -1)
			return -1;
	e->nextended = (unsigned)n;
	return ber_end(&k);
}

/*
 * SET OF ExtensionField ::= SEQUENCE { type CHOICE { standard [0] INTEGER,
 *   private [3] OID }, criticality [1] BIT STRING DEFAULT {}, value [2]
 *   (explicit) DEFAULT NULL }.  Each extension type at most once.
 */
int
x400_exts_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ext **out, unsigned *nout)
{
	struct ber_reader	 set, k;
	struct ber_tlv		 e, u, v;
	struct x400_bits	 crit;
	struct x400_ext		*x;
	int			 n, i, j, m;

	if (ber_enter_setof(r, t, &set) == -1 ||
	    (n = x400_count(d, &set, d->lim.max_extensions, "extensions",
	    t->raw)) == -1)
		return -1;
	if ((x = x400_array(d, (size_t)n, sizeof(*x), t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&set, BER_UNIV(BER_SEQUENCE), &e) == -1 ||
		    ber_enter(&set, &e, &k) == -1)
			return -1;
		if ((m = ber_next(&k, &u)) == -1)
			return -1;
		if (m == 0)
			return ber_fail(&d->c, BER_E_MISSING, e.raw,
			    "extension without a type");
		if (u.tag == BER_CTX(0)) {
			x[i].standard = true;
			if (x400_int(d, &u, 0, 32767, &x[i].number) == -1)
				return -1;
		} else if (u.tag == BER_CTX(3)) {
			if (x400_oid(d, &u, &x[i].oid) == -1)
				return -1;
		} else
			return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
			    "extension type is neither standard [0] nor "
			    "private [3]");
		if ((m = ber_optional(&k, BER_CTX(1), &u)) == -1)
			return -1;
		if (m == 1) {
			if (x400_bits(d, &u, &crit) == -1)
				return -1;
			if (d->c.mode == BER_MODE_DER && crit.bits == 0)
				return ber_fail(&d->c, BER_E_FORM, u.raw,
				    "criticality encoded with its default "
				    "value in DER");
			x[i].crit = (uint8_t)(crit.bits & 7);
		}
		if ((m = ber_optional(&k, BER_CTX(2), &u)) == -1)
			return -1;
		if (m == 1) {
			if (x400_explicit(d, &k, &u, &v) == -1)
				return -1;
			if (d->c.mode == BER_MODE_DER &&
			    v.tag == BER_UNIV(BER_NULL))
				return ber_fail(&d->c, BER_E_FORM, u.raw,
				    "extension value encoded with its default "
				    "(NULL) in DER");
			x[i].value = v.raw;
			x[i].valuelen = v.rawlen;
		}
		if (ber_end(&k) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (x[j].standard == x[i].standard &&
			    (x[i].standard ? x[j].number == x[i].number :
			    strcmp(x[j].oid, x[i].oid) == 0))
				return ber_fail(&d->c, BER_E_DUPLICATE, e.raw,
				    "extension %s%s%lld appears twice",
				    x[i].standard ? "standard-extension " : "",
				    x[i].standard ? "" : x[i].oid,
				    x[i].standard ?
				    (long long)x[i].number : 0LL);
	}
	*out = x;
	*nout = (unsigned)n;
	return ber_end(&set);
}

/* SET OF IPMSExtension ::= SEQUENCE { type OID, value ANY DEFAULT NULL } */
int
x400_hexts_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_hext **out, unsigned *nout)
{
	struct ber_reader	 set, k;
	struct ber_tlv		 e, u;
	struct x400_hext	*x;
	int			 n, i, m;

	if (ber_enter_setof(r, t, &set) == -1 ||
	    (n = x400_count(d, &set, d->lim.max_extensions, "extensions",
	    t->raw)) == -1)
		return -1;
	if ((x = x400_array(d, (size_t)n, sizeof(*x), t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&set, BER_UNIV(BER_SEQUENCE), &e) == -1 ||
		    ber_enter(&set, &e, &k) == -1 ||
		    ber_expect(&k, BER_UNIV(BER_OID), &u) == -1 ||
		    x400_oid(d, &u, &x[i].oid) == -1)
			return -1;
		if ((m = ber_next(&k, &u)) == -1)
			return -1;
		if (m == 1) {
			if (d->c.mode == BER_MODE_DER &&
			    u.tag == BER_UNIV(BER_NULL))
				return ber_fail(&d->c, BER_E_FORM, u.raw,
				    "extension value encoded with its default "
				    "(NULL) in DER");
			x[i].value = u.raw;
			x[i].valuelen = u.rawlen;
		}
		if (ber_end(&k) == -1)
			return -1;
	}
	*out = x;
	*nout = (unsigned)n;
	return ber_end(&set);
}

/* --- encoders ------------------------------------------------------------ */

/* tag 0: untagged (the CHOICE itself); else an explicit tag around it. */
void
x400_string_choice_enc(struct ber_enc *e, uint32_t tag, const char *s)
{
	size_t		n = strlen(s), i;
	bool		numeric = true;

	for (i = 0; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != ' ')
			numeric = false;
	/* All-digit values (X.121 country codes) go as NumericString. */
	if (tag != 0)
		ber_enc_begin(e, tag);
	if (numeric && n > 0 && s[0] != ' ')
		ber_put_string(e, BER_UNIV(BER_NUMERIC_STRING),
		    BER_NUMERIC_STRING, s, n);
	else
		ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, s, n);
	if (tag != 0)
		ber_enc_end(e);
}

void
x400_text_enc(struct ber_enc *e, uint32_t tag, unsigned type,
    const struct x400_text *t)
{
	uint8_t	*tmp;
	size_t	 cap, n;
	int	 cs;

	if (t->raw != NULL) {
		ber_put_string(e, tag, type, t->raw, t->rawlen);
		return;
	}
	if ((cs = x400_cs_of_type(type)) == -1 || t->utf8 == NULL) {
		e->err = BER_E_STATE;
		return;
	}
	cap = 4 * t->len + 1;
	tmp = xmalloc(cap);
	if (x400_from_utf8((enum x400_cs)cs, t->utf8, t->len, tmp, cap,
	    &n) == -1)
		e->err = BER_E_CHARSET;
	else
		ber_put_string(e, tag, type, tmp, n);
	freezero(tmp, cap);
}

void
x400_time_enc(struct ber_enc *e, uint32_t tag, const struct x400_time *t)
{
	ber_put_time(e, tag, BER_UTC_TIME, &t->tm);
}

void
x400_bits_enc(struct ber_enc *e, uint32_t tag, const struct x400_bits *b,
    size_t minbits)
{
	uint8_t	bytes[8];
	size_t	i;

	memset(bytes, 0, sizeof(bytes));
	for (i = 0; i < 64; i++)
		if ((b->bits >> i) & 1)
			bytes[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	ber_put_named_bits(e, tag, bytes, 64, minbits);
}

void
x400_label_enc(struct ber_enc *e, uint32_t tag, const struct x400_label *l)
{
	unsigned	i;

	ber_enc_begin_set(e, tag);
	if (l->policy != NULL)
		ber_put_oid_text(e, BER_UNIV(BER_OID), l->policy);
	if (l->classification != X400_ABSENT)
		ber_put_int(e, BER_UNIV(BER_INTEGER), l->classification);
	if (l->privacy_mark.utf8 != NULL || l->privacy_mark.raw != NULL) {
		if (l->privacy_mark.cs == X400_CS_UTF8)
			x400_text_enc(e, BER_UNIV(BER_UTF8_STRING),
			    BER_UTF8_STRING, &l->privacy_mark);
		else
			x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
			    BER_PRINTABLE_STRING, &l->privacy_mark);
	}
	if (l->ncats > 0) {
		ber_enc_begin_setof(e, BER_UNIV(BER_SET));
		for (i = 0; i < l->ncats; i++) {
			ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
			ber_put_oid_text(e, BER_CTX(0), l->cats[i].type);
			ber_enc_begin(e, BER_CTX(1));
			ber_put_raw(e, l->cats[i].value, l->cats[i].valuelen);
			ber_enc_end(e);
			ber_enc_end(e);
		}
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

void
x400_gdi_enc(struct ber_enc *e, uint32_t tag, const struct x400_gdi *g)
{
	ber_enc_begin(e, tag);
	x400_string_choice_enc(e, BER_APP(1), g->country);
	x400_string_choice_enc(e, BER_APP(2), g->admd);
	if (g->prmd != NULL)
		x400_string_choice_enc(e, 0, g->prmd);
	ber_enc_end(e);
}

void
x400_eits_enc(struct ber_enc *e, const struct x400_eits *x)
{
	unsigned	i;

	ber_enc_begin_set(e, BER_APP(5));
	x400_bits_enc(e, BER_CTX(0), &x->builtin, 0);
	if (x->nextended > 0) {
		ber_enc_begin_setof(e, BER_CTX(4));
		for (i = 0; i < x->nextended; i++)
			ber_put_oid_text(e, BER_UNIV(BER_OID),
			    x->extended[i]);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

void
x400_exts_enc(struct ber_enc *e, uint32_t tag, const struct x400_ext *x,
    unsigned n)
{
	unsigned	i;
	uint8_t		cb;

	ber_enc_begin_setof(e, tag);
	for (i = 0; i < n; i++) {
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		if (x[i].standard)
			ber_put_int(e, BER_CTX(0), x[i].number);
		else
			ber_put_oid_text(e, BER_CTX(3), x[i].oid);
		if (x[i].crit != 0) {
			/* Criticality bit 0 is the first (top) bit. */
			cb = (uint8_t)(((x[i].crit & 1) ? 0x80 : 0) |
			    ((x[i].crit & 2) ? 0x40 : 0) |
			    ((x[i].crit & 4) ? 0x20 : 0));
			ber_put_named_bits(e, BER_CTX(1), &cb, 8, 0);
		}
		/* DEFAULT NULL: a NULL value is left out, as DER wants. */
		if (x[i].value != NULL && !(x[i].valuelen == 2 &&
		    x[i].value[0] == 0x05 && x[i].value[1] == 0x00)) {
			ber_enc_begin(e, BER_CTX(2));
			ber_put_raw(e, x[i].value, x[i].valuelen);
			ber_enc_end(e);
		}
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

void
x400_hexts_enc(struct ber_enc *e, uint32_t tag, const struct x400_hext *x,
    unsigned n)
{
	unsigned	i;

	ber_enc_begin_setof(e, tag);
	for (i = 0; i < n; i++) {
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		ber_put_oid_text(e, BER_UNIV(BER_OID), x[i].oid);
		if (x[i].value != NULL && !(x[i].valuelen == 2 &&
		    x[i].value[0] == 0x05 && x[i].value[1] == 0x00))
			ber_put_raw(e, x[i].value, x[i].valuelen);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}
