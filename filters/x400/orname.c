/*
 * orname.c - O/R names and addresses (X.411): decoding, encoding and the
 * text form people read.
 *
 * ORName ::= [APPLICATION 0] SEQUENCE { built-in-standard-attributes
 *   SEQUENCE, built-in-domain-defined-attributes SEQUENCE OF OPTIONAL,
 *   extension-attributes SET OF OPTIONAL, directory-name [0] Name OPTIONAL }
 * ORAddress is the same without the tag and the directory name.
 *
 * Every extension attribute is kept (type and value); those that carry
 * text (common names, teletex and universal forms of names, postal
 * address lines) are decoded and converted, so that a name cannot hide
 * words from inspection in a form the guard does not read.  The others
 * (terminal type, extended network address) are checked for their syntax.
 *
 * The text form follows RFC 1685's conventions: attributes from the
 * person outwards, "; " between them, e.g.
 *	G=John; S=Smith; OU1=J2; O=HQ; P=MOD; A= ; C=GB
 */
#include <stdio.h>
#include <string.h>

#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"

/* Syntaxes of extension attribute values. */
enum ea_kind {
	EA_NONE, EA_PRINTABLE, EA_TELETEX, EA_T_PERSONAL, EA_T_SEQ, EA_T_DDA,
	EA_NUM_OR_PRINT, EA_PDS, EA_UNFORMATTED, EA_ENA, EA_INT, EA_UNIV,
	EA_U_PERSONAL, EA_U_SEQ, EA_U_DDA
};

static const uint8_t ea_kinds[X400_EA_MAX + 1] = {
	[1] = EA_PRINTABLE, [2] = EA_TELETEX, [3] = EA_TELETEX,
	[4] = EA_T_PERSONAL, [5] = EA_T_SEQ, [6] = EA_T_DDA,
	[7] = EA_PRINTABLE, [8] = EA_NUM_OR_PRINT, [9] = EA_NUM_OR_PRINT,
	[10] = EA_PDS, [11] = EA_PDS, [12] = EA_PDS, [13] = EA_PDS,
	[14] = EA_PDS, [15] = EA_PDS, [16] = EA_UNFORMATTED, [17] = EA_PDS,
	[18] = EA_PDS, [19] = EA_PDS, [20] = EA_PDS, [21] = EA_PDS,
	[22] = EA_ENA, [23] = EA_INT, [24] = EA_UNIV, [25] = EA_UNIV,
	[26] = EA_U_PERSONAL, [27] = EA_U_SEQ, [28] = EA_U_DDA,
	[29] = EA_UNIV, [30] = EA_UNIV, [31] = EA_UNIV, [32] = EA_UNIV,
	[33] = EA_UNIV, [34] = EA_UNIV, [35] = EA_UNIV, [36] = EA_UNIV,
	[37] = EA_UNIV, [38] = EA_UNIV, [39] = EA_UNIV, [40] = EA_UNIV,
};

/* Text collected from an attribute value, joined by " / ". */
struct ea_text {
	struct buf	 b;
};

static int
ea_add(struct x400_dec *d, struct ea_text *x, const struct ber_tlv *t,
    unsigned type)
{
	struct x400_text	txt;

	if (x400_text(d, t, type, &txt) == -1)
		return -1;
	if ((x->b.len > 0 && buf_add(&x->b, " / ", 3) == -1) ||
	    buf_add(&x->b, txt.utf8, txt.len) == -1)
		return ber_fail(&d->c, BER_E_BUDGET, t->raw,
		    "extension attribute text too long");
	return 0;
}

/* UniversalOrBMPString ::= SET { CHOICE { BMPString, UniversalString },
 *   iso-639-language-code PrintableString OPTIONAL } */
static int
ea_univ(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ea_text *x)
{
	struct ber_set_field	f[2] = {
		{ { BER_UNIV(BER_BMP_STRING), BER_UNIV(BER_UNIVERSAL_STRING) },
		    2, true, "character-encoding", false, { 0 } },
		{ { BER_UNIV(BER_PRINTABLE_STRING) }, 1, false,
		    "iso-639-language-code", false, { 0 } },
	};
	struct ber_reader	set;
	char			*lang;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, 2) == -1)
		return -1;
	if (f[1].present) {
		if (x400_string(d, &f[1].tlv, BER_PRINTABLE_STRING,
		    &lang) == -1)
			return -1;
		if (strlen(lang) != 2 && strlen(lang) != 5)
			return ber_fail(&d->c, BER_E_RANGE, f[1].tlv.raw,
			    "language code \"%s\" is not 2 or 5 characters",
			    lang);
	}
	return ea_add(d, x, &f[0].tlv, BER_TAG_NUMBER(f[0].tlv.tag));
}

/* One value of a syntax that may repeat: a string or a universal one. */
static int
ea_one(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool universal, struct ea_text *x)
{
	if (universal)
		return ea_univ(d, r, t, x);
	return ea_add(d, x, t, BER_TELETEX_STRING);
}

/* Teletex/Universal personal name: SET { [0] surname, [1]..[3] } */
static int
ea_personal(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool universal, struct ea_text *x)
{
	struct ber_set_field	f[4] = {
		{ { BER_CTX(0) }, 1, true, "surname", false, { 0 } },
		{ { BER_CTX(1) }, 1, false, "given-name", false, { 0 } },
		{ { BER_CTX(2) }, 1, false, "initials", false, { 0 } },
		{ { BER_CTX(3) }, 1, false, "generation-qualifier", false,
		    { 0 } },
	};
	struct ber_reader	set;
	int			i;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, 4) == -1)
		return -1;
	for (i = 0; i < 4; i++)
		if (f[i].present && ea_one(d, &set, &f[i].tlv, universal,
		    x) == -1)
			return -1;
	return 0;
}

/* SEQUENCE OF string (units) or of SEQUENCE { type, value } (DDAs). */
static int
ea_seq(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool universal, bool pairs, struct ea_text *x)
{
	struct ber_reader	seq, pair;
	struct ber_tlv		u, v;
	int			n, i;

	if (ber_enter(r, t, &seq) == -1 ||
	    (n = x400_count(d, &seq, 4, "attribute values", t->raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "empty attribute sequence");
	for (i = 0; i < n; i++) {
		if (ber_next(&seq, &u) != 1)
			return -1;
		if (!pairs) {
			if (!universal && u.tag != BER_UNIV(BER_TELETEX_STRING))
				return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
				    "expected TeletexString");
			if (universal && u.tag != BER_UNIV(BER_SET))
				return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
				    "expected UniversalOrBMPString");
			if (ea_one(d, &seq, &u, universal, x) == -1)
				return -1;
			continue;
		}
		if (u.tag != BER_UNIV(BER_SEQUENCE) ||
		    ber_enter(&seq, &u, &pair) == -1)
			return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
			    "expected a domain-defined attribute");
		if (ber_expect(&pair, universal ? BER_UNIV(BER_SET) :
		    BER_UNIV(BER_TELETEX_STRING), &v) == -1 ||
		    ea_one(d, &pair, &v, universal, x) == -1 ||
		    ber_expect(&pair, universal ? BER_UNIV(BER_SET) :
		    BER_UNIV(BER_TELETEX_STRING), &v) == -1 ||
		    ea_one(d, &pair, &v, universal, x) == -1 ||
		    ber_end(&pair) == -1)
			return -1;
	}
	return ber_end(&seq);
}

/* PDSParameter ::= SET { PrintableString OPTIONAL, TeletexString OPTIONAL } */
static int
ea_pds(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool unformatted, struct ea_text *x)
{
	struct ber_set_field	f[2] = {
		{ { unformatted ? BER_UNIV(BER_SEQUENCE) :
		    BER_UNIV(BER_PRINTABLE_STRING) }, 1, false,
		    "printable form", false, { 0 } },
		{ { BER_UNIV(BER_TELETEX_STRING) }, 1, false, "teletex form",
		    false, { 0 } },
	};
	struct ber_reader	set, lines;
	struct ber_tlv		u;
	int			n, i;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, 2) == -1)
		return -1;
	if (f[0].present && !unformatted &&
	    ea_add(d, x, &f[0].tlv, BER_PRINTABLE_STRING) == -1)
		return -1;
	if (f[0].present && unformatted) {
		if (ber_enter(&set, &f[0].tlv, &lines) == -1 ||
		    (n = x400_count(d, &lines, 6, "address lines",
		    f[0].tlv.raw)) == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (ber_expect(&lines, BER_UNIV(BER_PRINTABLE_STRING),
			    &u) == -1 || ea_add(d, x, &u,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
	}
	if (f[1].present && ea_add(d, x, &f[1].tlv, BER_TELETEX_STRING) == -1)
		return -1;
	return 0;
}

/* ExtendedNetworkAddress ::= CHOICE { e163-4-address SEQUENCE { number
 *   [0] NumericString, sub-address [1] NumericString OPTIONAL },
 *   psap-address [0] PresentationAddress } */
static int
ea_ena(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct ea_text *x)
{
	struct ber_reader	seq;
	struct ber_tlv		u;
	int			n;

	if (t->tag == BER_CTX(0)) {
		/* A presentation address: selectors and NSAPs, no text. */
		if (ber_enter(r, t, &seq) == -1)
			return -1;
		return 0;
	}
	if (t->tag != BER_UNIV(BER_SEQUENCE))
		return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
		    "not an extended network address");
	if (ber_enter(r, t, &seq) == -1 ||
	    ber_expect(&seq, BER_CTX(0), &u) == -1 ||
	    ea_add(d, x, &u, BER_NUMERIC_STRING) == -1)
		return -1;
	if ((n = ber_optional(&seq, BER_CTX(1), &u)) == -1)
		return -1;
	if (n == 1 && ea_add(d, x, &u, BER_NUMERIC_STRING) == -1)
		return -1;
	return ber_end(&seq);
}

/* Check one extension attribute value against its syntax; collect text. */
static int
ea_value(struct x400_dec *d, const struct ber_reader *r, int64_t type,
    const struct ber_tlv *v, struct x400_extattr *ea)
{
	struct ea_text	x;
	int64_t		i;
	int		rc = -1;
	unsigned	kind = type >= 1 && type <= X400_EA_MAX ?
			    ea_kinds[type] : EA_NONE;

	buf_init(&x.b, 4096);
	switch (kind) {
	case EA_PRINTABLE:
		if (v->tag != BER_UNIV(BER_PRINTABLE_STRING))
			goto wrongtype;
		rc = ea_add(d, &x, v, BER_PRINTABLE_STRING);
		break;
	case EA_TELETEX:
		if (v->tag != BER_UNIV(BER_TELETEX_STRING))
			goto wrongtype;
		rc = ea_add(d, &x, v, BER_TELETEX_STRING);
		break;
	case EA_NUM_OR_PRINT:
		if (v->tag != BER_UNIV(BER_NUMERIC_STRING) &&
		    v->tag != BER_UNIV(BER_PRINTABLE_STRING))
			goto wrongtype;
		rc = ea_add(d, &x, v, BER_TAG_NUMBER(v->tag));
		break;
	case EA_T_PERSONAL:
	case EA_U_PERSONAL:
		if (v->tag != BER_UNIV(BER_SET))
			goto wrongtype;
		rc = ea_personal(d, r, v, kind == EA_U_PERSONAL, &x);
		break;
	case EA_T_SEQ:
	case EA_U_SEQ:
	case EA_T_DDA:
	case EA_U_DDA:
		if (v->tag != BER_UNIV(BER_SEQUENCE))
			goto wrongtype;
		rc = ea_seq(d, r, v, kind == EA_U_SEQ || kind == EA_U_DDA,
		    kind == EA_T_DDA || kind == EA_U_DDA, &x);
		break;
	case EA_PDS:
	case EA_UNFORMATTED:
		if (v->tag != BER_UNIV(BER_SET))
			goto wrongtype;
		rc = ea_pds(d, r, v, kind == EA_UNFORMATTED, &x);
		break;
	case EA_UNIV:
		if (v->tag != BER_UNIV(BER_SET))
			goto wrongtype;
		rc = ea_univ(d, r, v, &x);
		break;
	case EA_ENA:
		rc = ea_ena(d, r, v, &x);
		break;
	case EA_INT:
		if (v->tag != BER_UNIV(BER_INTEGER))
			goto wrongtype;
		rc = x400_int(d, v, 0, 256, &i);
		break;
	default:
		rc = ber_fail(&d->c, BER_E_UNEXPECTED, v->raw,
		    "unknown extension attribute type %lld", (long long)type);
		break;
	}
	if (rc == 0 && x.b.len > 0 &&
	    (ea->text = x400_strndup(d, x.b.data, x.b.len, v->raw)) == NULL)
		rc = -1;
	buf_free(&x.b);
	return rc;
wrongtype:
	buf_free(&x.b);
	return ber_fail(&d->c, BER_E_UNEXPECTED, v->raw,
	    "wrong syntax for extension attribute type %lld",
	    (long long)type);
}

/* BuiltInStandardAttributes ::= SEQUENCE { ... } (in tag order). */
static int
orname_bisa(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_set_field	 pn[4] = {
		{ { BER_CTX(0) }, 1, true, "surname", false, { 0 } },
		{ { BER_CTX(1) }, 1, false, "given-name", false, { 0 } },
		{ { BER_CTX(2) }, 1, false, "initials", false, { 0 } },
		{ { BER_CTX(3) }, 1, false, "generation-qualifier", false,
		    { 0 } },
	};
	struct ber_reader	 k, sub;
	struct ber_tlv		 u, v;
	int			 n, i;

	if (ber_enter(r, t, &k) == -1)
		return -1;
	if ((n = ber_optional(&k, BER_APP(1), &u)) == -1 ||
	    (n == 1 && (x400_explicit(d, &k, &u, &v) == -1 ||
	    x400_string_choice(d, &v, &o->country) == -1)))
		return -1;
	if ((n = ber_optional(&k, BER_APP(2), &u)) == -1 ||
	    (n == 1 && (x400_explicit(d, &k, &u, &v) == -1 ||
	    x400_string_choice(d, &v, &o->admd) == -1)))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(0), &u)) == -1 ||
	    (n == 1 && x400_string(d, &u, BER_NUMERIC_STRING, &o->x121) == -1))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(1), &u)) == -1 ||
	    (n == 1 && x400_string(d, &u, BER_PRINTABLE_STRING,
	    &o->terminal) == -1))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(2), &u)) == -1 ||
	    (n == 1 && (x400_explicit(d, &k, &u, &v) == -1 ||
	    x400_string_choice(d, &v, &o->prmd) == -1)))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(3), &u)) == -1 ||
	    (n == 1 && x400_string(d, &u, BER_PRINTABLE_STRING,
	    &o->org) == -1))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(4), &u)) == -1 ||
	    (n == 1 && x400_string(d, &u, BER_NUMERIC_STRING, &o->uaid) == -1))
		return -1;
	if ((n = ber_optional(&k, BER_CTX(5), &u)) == -1)
		return -1;
	if (n == 1) {
		if (ber_enter(&k, &u, &sub) == -1 ||
		    ber_set_decode(&sub, pn, 4) == -1 ||
		    x400_string(d, &pn[0].tlv, BER_PRINTABLE_STRING,
		    &o->surname) == -1 ||
		    (pn[1].present && x400_string(d, &pn[1].tlv,
		    BER_PRINTABLE_STRING, &o->given) == -1) ||
		    (pn[2].present && x400_string(d, &pn[2].tlv,
		    BER_PRINTABLE_STRING, &o->initials) == -1) ||
		    (pn[3].present && x400_string(d, &pn[3].tlv,
		    BER_PRINTABLE_STRING, &o->generation) == -1))
			return -1;
	}
	if ((n = ber_optional(&k, BER_CTX(6), &u)) == -1)
		return -1;
	if (n == 1) {
		if (ber_enter(&k, &u, &sub) == -1 ||
		    (n = x400_count(d, &sub, X400_MAX_OU,
		    "organizational units", u.raw)) == -1)
			return -1;
		if (n == 0)
			return ber_fail(&d->c, BER_E_RANGE, u.raw,
			    "empty organizational-unit-names");
		for (i = 0; i < n; i++)
			if (ber_expect(&sub, BER_UNIV(BER_PRINTABLE_STRING),
			    &v) == -1 || x400_string(d, &v,
			    BER_PRINTABLE_STRING, &o->ou[i]) == -1)
				return -1;
		o->nou = (unsigned)n;
	}
	return ber_end(&k);
}

static int
orname_dda(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_reader	k, p;
	struct ber_tlv		u, v;
	int			n, i;

	if (ber_enter(r, t, &k) == -1 ||
	    (n = x400_count(d, &k, X400_MAX_DDA,
	    "domain-defined attributes", t->raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "empty domain-defined attributes");
	for (i = 0; i < n; i++)
		if (ber_expect(&k, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
		    ber_enter(&k, &u, &p) == -1 ||
		    ber_expect(&p, BER_UNIV(BER_PRINTABLE_STRING), &v) == -1 ||
		    x400_string(d, &v, BER_PRINTABLE_STRING,
		    &o->dda[i].type) == -1 ||
		    ber_expect(&p, BER_UNIV(BER_PRINTABLE_STRING), &v) == -1 ||
		    x400_string(d, &v, BER_PRINTABLE_STRING,
		    &o->dda[i].value) == -1 ||
		    ber_end(&p) == -1)
			return -1;
	o->ndda = (unsigned)n;
	return 0;
}

static int
orname_extattrs(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_reader	k, a;
	struct ber_tlv		u, v;
	int			n, i, j;

	if (ber_enter_setof(r, t, &k) == -1 ||
	    (n = x400_count(d, &k, 256, "extension attributes",
	    t->raw)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "empty extension attributes");
	if ((o->ext = x400_array(d, (size_t)n, sizeof(*o->ext),
	    t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&k, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
		    ber_enter(&k, &u, &a) == -1 ||
		    ber_expect(&a, BER_CTX(0), &v) == -1 ||
		    x400_int(d, &v, 0, 256, &o->ext[i].type) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (o->ext[j].type == o->ext[i].type)
				return ber_fail(&d->c, BER_E_DUPLICATE, u.raw,
				    "extension attribute %lld appears twice",
				    (long long)o->ext[i].type);
		if (ber_expect(&a, BER_CTX(1), &v) == -1 ||
		    x400_explicit(d, &a, &v, &u) == -1)
			return -1;
		o->ext[i].raw = u.raw;
		o->ext[i].rawlen = u.rawlen;
		if (ea_value(d, &a, o->ext[i].type, &u, &o->ext[i]) == -1 ||
		    ber_end(&a) == -1)
			return -1;
	}
	o->next = (unsigned)n;
	return ber_end(&k);
}

/* Short names of attribute types in RFC 4514 text. */
static const struct {
	const char	*oid;
	const char	*name;
} dn_names[] = {
	{ "2.5.4.3", "CN" }, { "2.5.4.6", "C" }, { "2.5.4.7", "L" },
	{ "2.5.4.8", "ST" }, { "2.5.4.10", "O" }, { "2.5.4.11", "OU" },
	{ "2.5.4.9", "STREET" }, { "0.9.2342.19200300.100.1.25", "DC" },
	{ "0.9.2342.19200300.100.1.1", "UID" }, { "2.5.4.4", "SN" },
	{ "2.5.4.42", "GN" }, { "2.5.4.5", "serialNumber" },
	{ "2.5.4.12", "title" },
};

/* One attribute value in RFC 4514 text: a string, else #hex of the TLV. */
static int
dn_value(struct x400_dec *d, const struct ber_tlv *v, struct buf *b)
{
	struct x400_text	txt;
	unsigned		num = BER_TAG_NUMBER(v->tag);
	size_t			i;
	char			hex[3];
	uint8_t			c;

	if (BER_TAG_CLASS(v->tag) == BER_CLASS_UNIVERSAL &&
	    x400_cs_of_type(num) != -1 && num != BER_NUMERIC_STRING) {
		if (x400_text(d, v, num, &txt) == -1)
			return -1;
		for (i = 0; i < txt.len; i++) {
			c = (uint8_t)txt.utf8[i];
			if (strchr(",+\"\\<>;=", c) != NULL ||
			    (i == 0 && (c == ' ' || c == '#')) ||
			    (i == txt.len - 1 && c == ' '))
				(void)buf_add_byte(b, '\\');
			if (c < 0x20) {
				(void)snprintf(hex, sizeof(hex), "%02X", c);
				(void)buf_add_byte(b, '\\');
				(void)buf_add(b, hex, 2);
			} else
				(void)buf_add_byte(b, c);
		}
		return 0;
	}
	(void)buf_add_byte(b, '#');
	for (i = 0; i < v->rawlen; i++) {
		(void)snprintf(hex, sizeof(hex), "%02X", v->raw[i]);
		(void)buf_add(b, hex, 2);
	}
	return 0;
}

/*
 * directory-name [0] Name: Name ::= CHOICE { rdnSequence SEQUENCE OF
 *   RelativeDistinguishedName }, RDN ::= SET SIZE (1..MAX) OF
 *   AttributeTypeAndValue ::= SEQUENCE { type OID, value ANY }.
 * Text per RFC 4514: last RDN first, "+" inside an RDN.
 */
static int
orname_dn(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_reader	 seq, rdn, atv;
	struct ber_tlv		 name, u, v, *rdns;
	struct buf		 b;
	char			*oid;
	int			 n, i, m, k;
	size_t			 j;
	const char		*nm;

	if (x400_explicit(d, r, t, &name) == -1)
		return -1;
	if (name.tag != BER_UNIV(BER_SEQUENCE))
		return ber_fail(&d->c, BER_E_UNEXPECTED, name.raw,
		    "directory name is not an RDN sequence");
	o->dn_raw = name.raw;
	o->dn_rawlen = name.rawlen;
	if (ber_enter(r, &name, &seq) == -1 ||
	    (n = x400_count(d, &seq, 64, "RDNs", name.raw)) == -1)
		return -1;
	if ((rdns = x400_array(d, (size_t)n + 1, sizeof(*rdns),
	    name.raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (ber_expect(&seq, BER_UNIV(BER_SET), &rdns[i]) == -1)
			return -1;
	buf_init(&b, 8192);
	for (i = n - 1; i >= 0; i--) {
		if (i != n - 1)
			(void)buf_add_byte(&b, ',');
		if (ber_enter_setof(&seq, &rdns[i], &rdn) == -1 ||
		    (m = x400_count(d, &rdn, 16, "attributes in an RDN",
		    rdns[i].raw)) == -1)
			goto fail;
		if (m == 0) {
			ber_fail(&d->c, BER_E_RANGE, rdns[i].raw, "empty RDN");
			goto fail;
		}
		for (k = 0; k < m; k++) {
			if (k > 0)
				(void)buf_add_byte(&b, '+');
			if (ber_expect(&rdn, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
			    ber_enter(&rdn, &u, &atv) == -1 ||
			    ber_expect(&atv, BER_UNIV(BER_OID), &v) == -1 ||
			    x400_oid(d, &v, &oid) == -1 ||
			    ber_next(&atv, &v) != 1 || ber_end(&atv) == -1)
				goto fail;
			nm = oid;
			for (j = 0; j < sizeof(dn_names) / sizeof(dn_names[0]);
			    j++)
				if (strcmp(dn_names[j].oid, oid) == 0)
					nm = dn_names[j].name;
			(void)buf_add(&b, nm, strlen(nm));
			(void)buf_add_byte(&b, '=');
			if (dn_value(d, &v, &b) == -1)
				goto fail;
		}
	}
	if (b.len == b.max) {
		ber_fail(&d->c, BER_E_BUDGET, name.raw, "directory name too long");
		goto fail;
	}
	if ((o->dn = x400_strndup(d, b.data != NULL ? (char *)b.data : "",
	    b.len, name.raw)) == NULL)
		goto fail;
	buf_free(&b);
	return ber_end(&seq);
fail:
	buf_free(&b);
	if (d->c.err.code == BER_OK)
		ber_fail(&d->c, BER_E_MISSING, name.raw,
		    "attribute without a value in directory name");
	return -1;
}

/* The body of ORName/ORAddress, read from cursor k. */
static int
orname_body(struct x400_dec *d, struct ber_reader *k, bool with_dn,
    struct x400_orname *o, const uint8_t *at)
{
	struct ber_tlv	u;
	int		n;

	o->present = true;
	if ((n = ber_next(k, &u)) == -1)
		return -1;
	if (n == 0 || u.tag != BER_UNIV(BER_SEQUENCE))
		return ber_fail(&d->c, BER_E_MISSING, at,
		    "O/R name without built-in standard attributes");
	if (orname_bisa(d, k, &u, o) == -1)
		return -1;
	if ((n = ber_optional(k, BER_UNIV(BER_SEQUENCE), &u)) == -1 ||
	    (n == 1 && orname_dda(d, k, &u, o) == -1))
		return -1;
	if ((n = ber_optional(k, BER_UNIV(BER_SET), &u)) == -1 ||
	    (n == 1 && orname_extattrs(d, k, &u, o) == -1))
		return -1;
	if (with_dn && ((n = ber_optional(k, BER_CTX(0), &u)) == -1 ||
	    (n == 1 && orname_dn(d, k, &u, o) == -1)))
		return -1;
	if (ber_end(k) == -1)
		return -1;
	if ((o->text = x400_orname_text(d, o)) == NULL)
		return -1;
	return 0;
}

int
x400_orname_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_reader	k;

	if (ber_enter(r, t, &k) == -1)
		return -1;
	return orname_body(d, &k, true, o, t->raw);
}

int
x400_oraddress_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_orname *o)
{
	struct ber_reader	k;

	if (ber_enter(r, t, &k) == -1)
		return -1;
	return orname_body(d, &k, false, o, t->raw);
}

static void
text_add(struct buf *b, const char *key, const char *val)
{
	if (val == NULL)
		return;
	if (b->len > 0)
		(void)buf_add(b, "; ", 2);
	(void)buf_add(b, key, strlen(key));
	(void)buf_add_byte(b, '=');
	(void)buf_add(b, val, strlen(val));
}

/* RFC 1685 text form, from the person outwards. */
char *
x400_orname_text(struct x400_dec *d, const struct x400_orname *o)
{
	struct buf	 b;
	char		 key[32];
	const char	*cn = NULL;
	unsigned	 i;
	char		*s;

	for (i = 0; i < o->next; i++)
		if (cn == NULL && (o->ext[i].type == X400_EA_COMMON_NAME ||
		    o->ext[i].type == X400_EA_TELETEX_COMMON_NAME ||
		    o->ext[i].type == X400_EA_UNIVERSAL_COMMON_NAME))
			cn = o->ext[i].text;
	buf_init(&b, 4096);
	text_add(&b, "G", o->given);
	text_add(&b, "I", o->initials);
	text_add(&b, "S", o->surname);
	text_add(&b, "Q", o->generation);
	text_add(&b, "CN", cn);
	for (i = 0; i < o->nou; i++) {
		(void)snprintf(key, sizeof(key), "OU%u", i + 1);
		text_add(&b, key, o->ou[i]);
	}
	text_add(&b, "O", o->org);
	text_add(&b, "X121", o->x121);
	text_add(&b, "T-ID", o->terminal);
	text_add(&b, "UA-ID", o->uaid);
	for (i = 0; i < o->ndda; i++) {
		(void)snprintf(key, sizeof(key), "DDA:%.24s", o->dda[i].type);
		text_add(&b, key, o->dda[i].value);
	}
	text_add(&b, "P", o->prmd);
	text_add(&b, "A", o->admd);
	text_add(&b, "C", o->country);
	s = x400_strndup(d, b.data != NULL ? (char *)b.data : "", b.len,
	    NULL);
	buf_free(&b);
	return s;
}

char *
x400_mtsid_text(struct x400_dec *d, const struct x400_mtsid *m)
{
	char	buf[512];
	int	n;

	n = snprintf(buf, sizeof(buf), "[C=%s;A=%s;%s%s%sL=%s]",
	    m->gdi.country, m->gdi.admd, m->gdi.prmd ? "P=" : "",
	    m->gdi.prmd ? m->gdi.prmd : "", m->gdi.prmd ? ";" : "", m->local);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		ber_fail(&d->c, BER_E_BUDGET, NULL, "identifier too long");
		return NULL;
	}
	return x400_strndup(d, buf, (size_t)n, NULL);
}

/* --- encoding ------------------------------------------------------------ */

static void
orname_put_body(struct ber_enc *e, const struct x400_orname *o, bool with_dn)
{
	unsigned	i;

	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	if (o->country != NULL)
		x400_string_choice_enc(e, BER_APP(1), o->country);
	if (o->admd != NULL)
		x400_string_choice_enc(e, BER_APP(2), o->admd);
	if (o->x121 != NULL)
		ber_put_string(e, BER_CTX(0), BER_NUMERIC_STRING, o->x121,
		    strlen(o->x121));
	if (o->terminal != NULL)
		ber_put_string(e, BER_CTX(1), BER_PRINTABLE_STRING,
		    o->terminal, strlen(o->terminal));
	if (o->prmd != NULL)
		x400_string_choice_enc(e, BER_CTX(2), o->prmd);
	if (o->org != NULL)
		ber_put_string(e, BER_CTX(3), BER_PRINTABLE_STRING, o->org,
		    strlen(o->org));
	if (o->uaid != NULL)
		ber_put_string(e, BER_CTX(4), BER_NUMERIC_STRING, o->uaid,
		    strlen(o->uaid));
	if (o->surname != NULL) {
		ber_enc_begin_set(e, BER_CTX(5));
		ber_put_string(e, BER_CTX(0), BER_PRINTABLE_STRING,
		    o->surname, strlen(o->surname));
		if (o->given != NULL)
			ber_put_string(e, BER_CTX(1), BER_PRINTABLE_STRING,
			    o->given, strlen(o->given));
		if (o->initials != NULL)
			ber_put_string(e, BER_CTX(2), BER_PRINTABLE_STRING,
			    o->initials, strlen(o->initials));
		if (o->generation != NULL)
			ber_put_string(e, BER_CTX(3), BER_PRINTABLE_STRING,
			    o->generation, strlen(o->generation));
		ber_enc_end(e);
	}
	if (o->nou > 0) {
		ber_enc_begin(e, BER_CTX(6));
		for (i = 0; i < o->nou; i++)
			ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
			    BER_PRINTABLE_STRING, o->ou[i], strlen(o->ou[i]));
		ber_enc_end(e);
	}
	ber_enc_end(e);
	if (o->ndda > 0) {
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		for (i = 0; i < o->ndda; i++) {
			ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
			ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
			    BER_PRINTABLE_STRING, o->dda[i].type,
			    strlen(o->dda[i].type));
			ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
			    BER_PRINTABLE_STRING, o->dda[i].value,
			    strlen(o->dda[i].value));
			ber_enc_end(e);
		}
		ber_enc_end(e);
	}
	if (o->next > 0) {
		ber_enc_begin_setof(e, BER_UNIV(BER_SET));
		for (i = 0; i < o->next; i++) {
			ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
			ber_put_int(e, BER_CTX(0), o->ext[i].type);
			ber_enc_begin(e, BER_CTX(1));
			if (o->ext[i].raw != NULL)
				ber_put_raw(e, o->ext[i].raw,
				    o->ext[i].rawlen);
			else if (o->ext[i].type == X400_EA_COMMON_NAME &&
			    o->ext[i].text != NULL)
				ber_put_string(e,
				    BER_UNIV(BER_PRINTABLE_STRING),
				    BER_PRINTABLE_STRING, o->ext[i].text,
				    strlen(o->ext[i].text));
			else
				e->err = BER_E_STATE;
			ber_enc_end(e);
			ber_enc_end(e);
		}
		ber_enc_end(e);
	}
	if (with_dn && o->dn_raw != NULL) {
		ber_enc_begin(e, BER_CTX(0));
		ber_put_raw(e, o->dn_raw, o->dn_rawlen);
		ber_enc_end(e);
	}
}

void
x400_orname_enc(struct ber_enc *e, uint32_t tag, const struct x400_orname *o)
{
	ber_enc_begin(e, tag);
	orname_put_body(e, o, true);
	ber_enc_end(e);
}

void
x400_oraddress_enc(struct ber_enc *e, uint32_t tag,
    const struct x400_orname *o)
{
	ber_enc_begin(e, tag);
	orname_put_body(e, o, false);
	ber_enc_end(e);
}
