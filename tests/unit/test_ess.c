/*
 * test_ess.c - the ESS security label codec: labels of every category
 * syntax built by hand, encoded to DER, decoded again and compared; DER
 * bytes pinned where a mistake would go unseen by a round trip; BER forms
 * (out-of-order SETs, indefinite lengths, constructed strings) read alike;
 * each rule of the decoder refused with its code, its reason and an offset;
 * equality between ESS labels and against X.411 labels.
 */
#include <stdio.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "tests/unit/unit.h"

#define NATO_POLICY	"1.3.26.1.3.1"
#define POLICY_HEX	"06 05 2b 1a 01 03 01"
#define TAG_SENS	"1.3.26.1.4.1"	/* Additional Sensitivity */
#define TAG_REL		"1.3.26.1.4.2"	/* Releasable To */
#define TAG_ADMIN	"1.3.26.1.4.3"	/* Administrative */
#define TAG_CONTEXT	"1.3.26.1.4.4"
#define TAG_ONLY	"1.3.26.1.4.5"
#define OTHER_TYPE	"1.2.3.4"

/*
 * Label 1.3.26.1.3.1, classification 4, privacy mark "SECRET", releasable
 * to 528, 826, 840: the DER every encoder must agree on.  The SET is in tag
 * order: INTEGER, OID, SET, then the PrintableString (19 sorts after 17).
 */
static const char full_der[] =
    "31 3b 02 01 04 06 05 2b 1a 01 03 01"
    " 31 27 30 25 80 0a 60 86 48 01 65 02 01 08 03 01"
    "  a1 17 30 15 06 05 2b 1a 01 04 02"
    "   31 0c 02 02 02 10 02 02 03 3a 02 02 03 48"
    " 13 06 53 45 43 52 45 54";

static struct x400_dec	 d1, d2;
static struct buf	 out;

/* --- building ------------------------------------------------------------ */

static uint32_t	 rel[] = { 528, 826, 840 };
static uint32_t	 sens[] = { 1, 3 };
static uint32_t	 admin[] = { 0, 2, 70 };
static uint32_t	 ctxv[] = { 5, 4095 };
static uint32_t	 only[] = { 7 };

static struct ess_category
cat(char *type, enum ess_syntax syntax, char *tag, uint32_t *v, unsigned n)
{
	struct ess_category	c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.syntax = syntax;
	c.tag_name = tag;
	c.values = v;
	c.nvalues = n;
	return c;
}

static struct ess_label
label(int64_t cls, char *mark, struct ess_category *cats, unsigned n)
{
	struct ess_label	l;

	memset(&l, 0, sizeof(l));
	l.present = true;
	l.policy = NATO_POLICY;
	l.classification = cls;
	if (mark != NULL) {
		l.privacy_mark.utf8 = mark;
		l.privacy_mark.len = strlen(mark);
		l.privacy_mark.cs = X400_CS_ASCII;
	}
	l.cats = cats;
	l.ncats = n;
	return l;
}

/* One category of every syntax, and one of a type the guard does not know. */
static uint8_t	other_value[] = { 0x04, 0x03, 'A', 'B', 'C' };

static unsigned
all_cats(struct ess_category *c)
{
	c[0] = cat(ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    TAG_SENS, sens, 2);
	c[1] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, rel, 3);
	c[2] = cat(ESS_OID_PERMISSIVE_BITMAP, ESS_PERMISSIVE_BITMAP,
	    TAG_CONTEXT, ctxv, 2);
	c[3] = cat(ESS_OID_INFORMATIVE, ESS_INFORMATIVE, TAG_ADMIN, admin, 3);
	c[4] = cat(ESS_OID_ENUMERATED_RESTRICTIVE, ESS_ENUMERATED_RESTRICTIVE,
	    TAG_ONLY, only, 1);
	c[5] = cat(OTHER_TYPE, ESS_OTHER, NULL, NULL, 0);
	c[5].value = other_value;
	c[5].valuelen = sizeof(other_value);
	return 6;
}

/* Raw structures, built with the encoder's plain (unsorted) constructors. */
static struct buf	 raw;
static struct ber_enc	 re;

static void
raw_begin(void)
{
	buf_init(&raw, 1 << 20);
	ber_enc_init(&re, &raw, 0);
}

static void
raw_hex(const char *h)
{
	uint8_t	b[1024];
	size_t	n = unit_hex(h, b, sizeof(b));

	ber_put_raw(&re, b, n);
}

static void
raw_open(uint32_t tag)
{
	ber_enc_begin(&re, tag);
}

static void
raw_close(void)
{
	ber_enc_end(&re);
}

/* SecurityCategory: type, then the value inside [1] as hex. */
static void
raw_cat(const char *type, const char *value)
{
	raw_open(BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&re, BER_CTX(0), type);
	raw_open(BER_CTX(1));
	raw_hex(value);
	raw_close();
	raw_close();
}

static void
raw_end(void)
{
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&re), 0);
}

/* --- encoding and decoding -------------------------------------------- */

static int
encode(const struct ess_label *l, unsigned variant, struct buf *b)
{
	struct ber_enc	e;

	buf_init(b, 1 << 20);
	ber_enc_init(&e, b, variant);
	ess_label_enc(&e, l);
	return ber_enc_finish(&e) == 0 ? 0 : e.err;
}

static int
decode(struct x400_dec *d, enum ber_mode mode, const uint8_t *p, size_t n,
    struct ess_label *l)
{
	x400_dec_free(d);
	memset(d, 0, sizeof(*d));
	x400_limits_default(&d->lim);
	ber_ctx_init(&d->c, mode, NULL, p, n);
	return ess_label_dec_bytes(d, p, n, l);
}

/* One input buffer per decoder: a label points into its input. */
static uint8_t	 hexbuf[2][8192];

static int
decode_hex(struct x400_dec *d, enum ber_mode mode, const char *h,
    struct ess_label *l)
{
	uint8_t	*b = hexbuf[d == &d2];
	size_t	 n = unit_hex(h, b, sizeof(hexbuf[0]));

	return decode(d, mode, b, n, l);
}

static void
done(void)
{
	x400_dec_free(&d1);
	x400_dec_free(&d2);
	memset(&d1, 0, sizeof(d1));
	memset(&d2, 0, sizeof(d2));
	buf_free(&out);
	buf_free(&raw);
}

static bool
bytes_are(const uint8_t *p, size_t n, const char *h)
{
	uint8_t	want[1024];
	size_t	wn = unit_hex(h, want, sizeof(want));

	return p != NULL && n == wn && memcmp(p, want, n) == 0;
}

static bool
text_is(const struct x400_text *t, const char *s)
{
	return t->utf8 != NULL && t->len == strlen(s) &&
	    memcmp(t->utf8, s, t->len) == 0;
}

static bool
values_are(const struct ess_category *c, const uint32_t *v, unsigned n)
{
	unsigned	i;

	if (c->nvalues != n)
		return false;
	for (i = 0; i < n; i++)
		if (c->values[i] != v[i])
			return false;
	return true;
}

/* The decode must fail with this code, a reason containing why, an offset. */
static void
check_refused(struct x400_dec *d, const struct ess_label *l,
    enum ber_err code, const char *why)
{
	CU_ASSERT_EQUAL(d->c.err.code, code);
	CU_ASSERT_FALSE(l->present);
	CU_ASSERT(strncmp(x400_strerror(d), "offset ", 7) == 0);
	if (d->c.err.code != code || strstr(x400_strerror(d), why) == NULL) {
		fprintf(stderr, "\n  got %s \"%s\", want %s \"%s\"\n",
		    ber_errstr(d->c.err.code), x400_strerror(d),
		    ber_errstr(code), why);
		CU_FAIL("error text");
	}
}

static void
refused_hex(enum ber_mode mode, const char *h, enum ber_err code,
    const char *why)
{
	struct ess_label	l;

	CU_ASSERT_EQUAL(decode_hex(&d1, mode, h, &l), -1);
	check_refused(&d1, &l, code, why);
}

/* What raw holds must be refused in this mode. */
static void
raw_refused(enum ber_mode mode, enum ber_err code, const char *why)
{
	struct ess_label	l;

	CU_ASSERT_EQUAL(decode(&d1, mode, raw.data, raw.len, &l), -1);
	check_refused(&d1, &l, code, why);
}

/*
 * Encode by hand into out (DER), decode in DER mode into *got, and check
 * that the decoded label equals the one built and encodes to the same bytes.
 */
static void
roundtrip(const struct ess_label *l, struct ess_label *got)
{
	struct buf	again;

	CU_ASSERT_EQUAL_FATAL(encode(l, 0, &out), 0);
	if (decode(&d1, BER_MODE_DER, out.data, out.len, got) == -1) {
		fprintf(stderr, "\n  %s\n", x400_strerror(&d1));
		CU_FAIL_FATAL("decode of the encoding");
	}
	CU_ASSERT_TRUE(got->present);
	CU_ASSERT_PTR_EQUAL(got->raw, out.data);
	CU_ASSERT_EQUAL(got->rawlen, out.len);
	CU_ASSERT_TRUE(ess_label_equal(l, got));
	CU_ASSERT_TRUE(ess_label_equal(got, l));
	CU_ASSERT_EQUAL(encode(got, 0, &again), 0);
	CU_ASSERT(again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0);
	buf_free(&again);
}

/* --- round trips ---------------------------------------------------------- */

static void
test_pinned_der(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;

	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, rel, 3);
	l = label(4, "SECRET", c, 1);
	roundtrip(&l, &g);
	CU_ASSERT(bytes_are(out.data, out.len, full_der));
	CU_ASSERT_STRING_EQUAL(g.policy, NATO_POLICY);
	CU_ASSERT_EQUAL(g.classification, 4);
	CU_ASSERT(text_is(&g.privacy_mark, "SECRET"));
	CU_ASSERT_EQUAL(g.privacy_mark.cs, X400_CS_ASCII);
	CU_ASSERT_EQUAL_FATAL(g.ncats, 1);
	CU_ASSERT_STRING_EQUAL(g.cats[0].type, ESS_OID_ENUMERATED_PERMISSIVE);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_ENUMERATED_PERMISSIVE);
	CU_ASSERT_STRING_EQUAL(g.cats[0].tag_name, TAG_REL);
	CU_ASSERT(values_are(&g.cats[0], rel, 3));
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "30 15 06 05 2b 1a 01 04 02 31 0c 02 02 02 10 02 02 03 3a "
	    "02 02 03 48"));
	done();
}

static void
test_restrictive_bitmap(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;

	c[0] = cat(ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    TAG_SENS, sens, 2);
	l = label(X400_ABSENT, NULL, c, 1);
	roundtrip(&l, &g);
	/* Bits 1 and 3 set: four bits, four unused, 0101 0000. */
	CU_ASSERT(bytes_are(out.data, out.len,
	    "31 26 06 05 2b 1a 01 03 01 31 1d 30 1b 80 0a 60 86 48 01 65 02 "
	    "01 08 03 00 a1 0d 30 0b 06 05 2b 1a 01 04 01 03 02 04 50"));
	CU_ASSERT_EQUAL(g.classification, X400_ABSENT);
	CU_ASSERT_PTR_NULL(g.privacy_mark.utf8);
	CU_ASSERT_EQUAL_FATAL(g.ncats, 1);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_RESTRICTIVE_BITMAP);
	CU_ASSERT_STRING_EQUAL(g.cats[0].tag_name, TAG_SENS);
	CU_ASSERT(values_are(&g.cats[0], sens, 2));
	done();
}

static void
test_permissive_bitmap(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;
	uint32_t		none[1];

	/* The highest bit the guard accepts: 4096 bits, 512 octets. */
	c[0] = cat(ESS_OID_PERMISSIVE_BITMAP, ESS_PERMISSIVE_BITMAP,
	    TAG_CONTEXT, ctxv, 2);
	l = label(1, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL_FATAL(g.ncats, 1);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_PERMISSIVE_BITMAP);
	CU_ASSERT(values_are(&g.cats[0], ctxv, 2));
	CU_ASSERT_EQUAL(g.cats[0].valuelen, 4 + 7 + 4 + 1 + 512);
	done();

	/* No bit set at all: an empty BIT STRING, no values. */
	c[0] = cat(ESS_OID_PERMISSIVE_BITMAP, ESS_PERMISSIVE_BITMAP,
	    TAG_CONTEXT, none, 0);
	l = label(1, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.cats[0].nvalues, 0);
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "30 0a 06 05 2b 1a 01 04 04 03 01 00"));
	done();
}

static void
test_enumerated_restrictive(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;
	uint32_t		big[] = { 0, 127, 128, 4294967295u };

	/* Values sort by encoding in DER: 0, 127, 128, then 2^32-1. */
	c[0] = cat(ESS_OID_ENUMERATED_RESTRICTIVE, ESS_ENUMERATED_RESTRICTIVE,
	    TAG_ONLY, big, 4);
	l = label(0, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.classification, 0);
	CU_ASSERT_EQUAL_FATAL(g.ncats, 1);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_ENUMERATED_RESTRICTIVE);
	CU_ASSERT(values_are(&g.cats[0], big, 4));
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "30 1a 06 05 2b 1a 01 04 05 31 11 02 01 00 02 01 7f 02 02 00 80 "
	    "02 05 00 ff ff ff ff"));
	done();
}

static void
test_informative(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g, h;
	uint32_t		two[] = { 0, 2 };

	/* Built by hand: securityAttributes (SET OF). */
	c[0] = cat(ESS_OID_INFORMATIVE, ESS_INFORMATIVE, TAG_ADMIN, admin, 3);
	l = label(2, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_INFORMATIVE);
	CU_ASSERT(values_are(&g.cats[0], admin, 3));
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "30 12 06 05 2b 1a 01 04 03 31 09 02 01 00 02 01 02 02 01 46"));
	done();

	/* As sent: bitSetAttributes, bits 0 and 2 of three. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(ESS_OID_INFORMATIVE,
	    "30 0b 06 05 2b 1a 01 04 03 03 02 05 a0");
	raw_close();
	raw_close();
	raw_end();
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
	    &g), 0);
	CU_ASSERT(values_are(&g.cats[0], two, 2));
	/* Kept as sent, DER: written back as it came. */
	CU_ASSERT_EQUAL(encode(&g, 0, &out), 0);
	CU_ASSERT(out.len == raw.len &&
	    memcmp(out.data, raw.data, raw.len) == 0);
	/* The same attributes as a SET OF: the same meaning. */
	c[0] = cat(ESS_OID_INFORMATIVE, ESS_INFORMATIVE, TAG_ADMIN, two, 2);
	h = label(X400_ABSENT, NULL, c, 1);
	CU_ASSERT_TRUE(ess_label_equal(&g, &h));
	done();
}

static void
test_other_type(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;
	uint8_t			v[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0, 0 };

	c[0] = cat(OTHER_TYPE, ESS_OTHER, NULL, NULL, 0);
	c[0].value = other_value;
	c[0].valuelen = sizeof(other_value);
	l = label(X400_ABSENT, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.cats[0].syntax, ESS_OTHER);
	CU_ASSERT_STRING_EQUAL(g.cats[0].type, OTHER_TYPE);
	CU_ASSERT_PTR_NULL(g.cats[0].tag_name);
	CU_ASSERT_EQUAL(g.cats[0].nvalues, 0);
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "04 03 41 42 43"));
	done();

	/* A BER value is written in its DER-structured form; same meaning. */
	c[0].value = v;
	c[0].valuelen = sizeof(v);
	CU_ASSERT_EQUAL_FATAL(encode(&l, 0, &out), 0);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, out.data, out.len,
	    &g), 0);
	CU_ASSERT(bytes_are(g.cats[0].value, g.cats[0].valuelen,
	    "30 03 02 01 05"));
	CU_ASSERT_TRUE(ess_label_equal(&l, &g));
	done();
}

static void
test_every_syntax_together(void)
{
	struct ess_category	c[6];
	struct ess_label	l, g;
	unsigned		n, i;

	n = all_cats(c);
	l = label(256, "NATO SECRET", c, n);
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.classification, 256);
	CU_ASSERT_EQUAL_FATAL(g.ncats, n);
	/* Decoded in SET OF order; every one found, with its values. */
	for (i = 0; i < n; i++) {
		if (g.cats[i].syntax == ESS_OTHER)
			continue;
		CU_ASSERT_PTR_NOT_NULL(g.cats[i].tag_name);
	}
	done();

	/* A UTF-8 mark goes as a UTF8String. */
	l = label(3, "NATO \xc3\x89LEV\xc3\x89", c, n);
	l.privacy_mark.cs = X400_CS_UTF8;
	roundtrip(&l, &g);
	CU_ASSERT_EQUAL(g.privacy_mark.cs, X400_CS_UTF8);
	CU_ASSERT(text_is(&g.privacy_mark, "NATO \xc3\x89LEV\xc3\x89"));
	CU_ASSERT_PTR_NOT_NULL(memchr(out.data, 0x0c, out.len));
	done();

	/* 128 characters of PrintableString is the most there may be. */
	{
		char	mark[129];

		memset(mark, 'A', 128);
		mark[128] = '\0';
		l = label(X400_ABSENT, mark, c, 1);
		roundtrip(&l, &g);
		CU_ASSERT_EQUAL(g.privacy_mark.len, 128);
		done();
	}
}

/* --- SET order and the BER forms ------------------------------------------ */

static void
test_set_order(void)
{
	struct ess_label	l, g;

	/* INTEGER before OID: DER order. */
	CU_ASSERT_EQUAL(decode_hex(&d1, BER_MODE_DER,
	    "31 0a 02 01 04 06 05 2b 1a 01 03 01", &l), 0);
	CU_ASSERT_STRING_EQUAL(l.policy, NATO_POLICY);
	CU_ASSERT_EQUAL(l.classification, 4);
	/* OID first: BER allows it ... */
	CU_ASSERT_EQUAL(decode_hex(&d2, BER_MODE_BER,
	    "31 0a 06 05 2b 1a 01 03 01 02 01 04", &g), 0);
	CU_ASSERT_TRUE(ess_label_equal(&l, &g));
	/* ... and re-encodes in DER order. */
	CU_ASSERT_EQUAL(encode(&g, 0, &out), 0);
	CU_ASSERT(bytes_are(out.data, out.len,
	    "31 0a 02 01 04 06 05 2b 1a 01 03 01"));
	/* DER does not. */
	refused_hex(BER_MODE_DER, "31 0a 06 05 2b 1a 01 03 01 02 01 04",
	    BER_E_ORDER, "offset 9: security-classification out of "
	    "canonical order in SET");
	/* A PrintableString mark sorts after the categories (19 > 17)... */
	refused_hex(BER_MODE_DER,
	    "31 3b 02 01 04 06 05 2b 1a 01 03 01 13 06 53 45 43 52 45 54"
	    " 31 27 30 25 80 0a 60 86 48 01 65 02 01 08 03 01"
	    "  a1 17 30 15 06 05 2b 1a 01 04 02"
	    "   31 0c 02 02 02 10 02 02 03 3a 02 02 03 48",
	    BER_E_ORDER, "security-categories out of canonical order");
	/* ... and a UTF8String before them (12 < 17). */
	CU_ASSERT_EQUAL(decode_hex(&d1, BER_MODE_DER,
	    "31 18 06 05 2b 1a 01 03 01 0c 01 58 31 0c 30 0a 80 03 2a 03 04 "
	    "a1 03 02 01 05", &l), 0);
	CU_ASSERT(text_is(&l.privacy_mark, "X"));
	refused_hex(BER_MODE_DER,
	    "31 18 06 05 2b 1a 01 03 01 31 0c 30 0a 80 03 2a 03 04 "
	    "a1 03 02 01 05 0c 01 58",
	    BER_E_ORDER, "privacy-mark out of canonical order");
	done();
}

static void
test_ber_variants(void)
{
	static const struct {
		unsigned	 variant;
		enum ber_err	 der;	/* why DER refuses it */
	} v[] = {
		{ BER_ENC_INDEFINITE, BER_E_INDEFINITE },
		{ BER_ENC_SHUFFLE, BER_E_ORDER },
		{ BER_ENC_SEGMENTS, BER_E_FORM },
		{ BER_ENC_INDEFINITE | BER_ENC_SHUFFLE | BER_ENC_SEGMENTS,
		    BER_E_INDEFINITE },
	};
	struct ess_category	c[6];
	struct ess_label	l, g, h;
	struct buf		der, ber;
	unsigned		n, i;

	n = all_cats(c);
	l = label(5, "NATO CONFIDENTIAL", c, n);
	CU_ASSERT_EQUAL_FATAL(encode(&l, 0, &der), 0);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(encode(&l, v[i].variant, &ber), 0);
		CU_ASSERT(ber.len != der.len ||
		    memcmp(ber.data, der.data, der.len) != 0);
		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_DER, ber.data, ber.len,
		    &g), -1);
		CU_ASSERT_EQUAL(d1.c.err.code, v[i].der);
		if (decode(&d1, BER_MODE_BER, ber.data, ber.len, &g) == -1) {
			fprintf(stderr, "\n  variant %u: %s\n", v[i].variant,
			    x400_strerror(&d1));
			CU_FAIL("BER variant refused");
			buf_free(&ber);
			continue;
		}
		CU_ASSERT_TRUE(ess_label_equal(&l, &g));
		CU_ASSERT(text_is(&g.privacy_mark, "NATO CONFIDENTIAL"));
		/* What was read in BER is written in DER. */
		CU_ASSERT_EQUAL(encode(&g, 0, &out), 0);
		CU_ASSERT(out.len == der.len &&
		    memcmp(out.data, der.data, der.len) == 0);
		CU_ASSERT_EQUAL(decode(&d2, BER_MODE_DER, out.data, out.len,
		    &h), 0);
		CU_ASSERT_TRUE(ess_label_equal(&g, &h));
		buf_free(&out);
		buf_free(&ber);
	}
	buf_free(&der);
	done();
}

static void
test_ber_values(void)
{
	struct ess_category	c[1];
	struct ess_label	g, h;
	uint32_t		two[] = { 0, 2 };
	uint32_t		three[] = { 1, 5, 9 };

	/*
	 * Inside the values: an indefinite SEQUENCE, a constructed BIT STRING
	 * (bitSetAttributes), a non-minimal length and an out-of-order SET
	 * OF, a bitmap whose unused bits are not zero.
	 */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(ESS_OID_INFORMATIVE, "30 80 06 05 2b 1a 01 04 03"
	    " 23 80 03 02 05 a0 00 00 00 00");
	raw_cat(ESS_OID_ENUMERATED_PERMISSIVE, "30 81 12 06 05 2b 1a 01 04 02"
	    " 31 09 02 01 09 02 01 01 02 01 05");
	raw_cat(ESS_OID_RESTRICTIVE_BITMAP, "30 0b 06 05 2b 1a 01 04 01"
	    " 03 02 04 58");
	raw_close();
	raw_close();
	raw_end();
	CU_ASSERT_EQUAL(decode(&d1, BER_MODE_DER, raw.data, raw.len, &g), -1);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_BER, raw.data, raw.len,
	    &g), 0);
	CU_ASSERT_EQUAL_FATAL(g.ncats, 3);
	CU_ASSERT(values_are(&g.cats[0], two, 2));
	CU_ASSERT(values_are(&g.cats[1], three, 3));
	CU_ASSERT(values_are(&g.cats[2], sens, 2));
	/* Written from the fields, informative still as bitSetAttributes. */
	CU_ASSERT_EQUAL_FATAL(encode(&g, 0, &out), 0);
	CU_ASSERT_EQUAL_FATAL(decode(&d2, BER_MODE_DER, out.data, out.len,
	    &h), 0);
	CU_ASSERT_TRUE(ess_label_equal(&g, &h));
	CU_ASSERT(bytes_are(h.cats[0].value, h.cats[0].valuelen,
	    "30 0b 06 05 2b 1a 01 04 01 03 02 04 50"));
	CU_ASSERT(bytes_are(h.cats[1].value, h.cats[1].valuelen,
	    "30 0b 06 05 2b 1a 01 04 03 03 02 05 a0"));
	CU_ASSERT(bytes_are(h.cats[2].value, h.cats[2].valuelen,
	    "30 12 06 05 2b 1a 01 04 02 31 09 02 01 01 02 01 05 02 01 09"));
	done();

	/* DER with trailing zero bits is DER: written back as sent. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(ESS_OID_RESTRICTIVE_BITMAP, "30 0c 06 05 2b 1a 01 04 01"
	    " 03 03 00 50 00");
	raw_close();
	raw_close();
	raw_end();
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
	    &g), 0);
	CU_ASSERT_EQUAL(encode(&g, 0, &out), 0);
	CU_ASSERT(out.len == raw.len &&
	    memcmp(out.data, raw.data, raw.len) == 0);
	/* And it means the same as the minimal bitmap. */
	c[0] = cat(ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    TAG_SENS, sens, 2);
	h = label(X400_ABSENT, NULL, c, 1);
	CU_ASSERT_TRUE(ess_label_equal(&g, &h));
	done();
}

/* --- refusals ------------------------------------------------------------- */

static void
test_label_refusals(void)
{
	/* Missing policy: mandatory in ESS, unlike X.411. */
	refused_hex(BER_MODE_BER, "31 03 02 01 04", BER_E_MISSING,
	    "mandatory component security-policy-identifier absent");
	refused_hex(BER_MODE_BER, "31 0d 02 01 04 02 01 05 " POLICY_HEX,
	    BER_E_DUPLICATE, "offset 5: security-classification (INTEGER) "
	    "appears twice");
	refused_hex(BER_MODE_BER, "31 0a " POLICY_HEX " 01 01 ff",
	    BER_E_UNEXPECTED, "offset 9: BOOLEAN is not a component of this "
	    "SET");
	refused_hex(BER_MODE_BER, "31 0b 02 02 01 01 " POLICY_HEX,
	    BER_E_RANGE, "offset 2: security-classification 257 outside "
	    "0..256");
	refused_hex(BER_MODE_BER, "31 0a 02 01 ff " POLICY_HEX,
	    BER_E_RANGE, "security-classification -1 outside 0..256");
	/* Non-minimal INTEGER, in both modes. */
	refused_hex(BER_MODE_BER, "31 0b 02 02 00 04 " POLICY_HEX,
	    BER_E_INTEGER, "offset 4: INTEGER not in minimal form");
	refused_hex(BER_MODE_DER, "31 0b 02 02 00 04 " POLICY_HEX,
	    BER_E_INTEGER, "INTEGER not in minimal form");
	/* Privacy marks. */
	refused_hex(BER_MODE_BER, "31 09 " POLICY_HEX " 13 00", BER_E_RANGE,
	    "offset 9: PrintableString privacy mark of 0 characters (1 to "
	    "128)");
	refused_hex(BER_MODE_BER, "31 09 " POLICY_HEX " 0c 00", BER_E_RANGE,
	    "empty UTF8String privacy mark");
	refused_hex(BER_MODE_BER, "31 0c " POLICY_HEX " 13 03 41 40 42",
	    BER_E_CHARSET, "offset 12: character outside PrintableString");
	refused_hex(BER_MODE_BER, "31 0c " POLICY_HEX " 0c 03 41 00 42",
	    BER_E_CHARSET, "NUL character in the privacy mark");
	refused_hex(BER_MODE_BER, "31 0b " POLICY_HEX " 0c 02 c3 28",
	    BER_E_CHARSET, "invalid UTF-8");
	refused_hex(BER_MODE_BER, "31 0b " POLICY_HEX " 04 02 41 42",
	    BER_E_UNEXPECTED, "OCTET STRING is not a component");
	/* Empty set of categories. */
	refused_hex(BER_MODE_BER, "31 09 " POLICY_HEX " 31 00", BER_E_RANGE,
	    "offset 9: empty set of security categories");
	/* Not a SET; bytes after it; nothing at all; cut short. */
	refused_hex(BER_MODE_BER, "30 07 " POLICY_HEX, BER_E_UNEXPECTED,
	    "offset 0: expected an ESSSecurityLabel (SET), found SEQUENCE");
	refused_hex(BER_MODE_BER, "31 07 " POLICY_HEX " 05 00",
	    BER_E_TRAILING, "offset 9: 2 bytes after the security label");
	refused_hex(BER_MODE_BER, "", BER_E_TRUNCATED,
	    "empty input where a security label was expected");
	refused_hex(BER_MODE_BER, "31 09 " POLICY_HEX, BER_E_OVERRUN,
	    "offset 0: length 9 runs past its container");
	refused_hex(BER_MODE_BER, "31 07 06 05 2b 1a 01 03 81",
	    BER_E_OID, "last subidentifier not terminated");
	done();
}

static void
test_privacy_mark_129(void)
{
	char		mark[130];
	struct buf	b;

	memset(mark, 'A', 129);
	mark[129] = '\0';
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	ber_put_string(&re, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, mark, 129);
	raw_close();
	raw_end();
	raw_refused(BER_MODE_BER, BER_E_RANGE,
	    "offset 10: PrintableString privacy mark of 129 characters "
	    "(1 to 128)");
	done();

	/* As a UTF8String there is no such bound. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	ber_put_string(&re, BER_UNIV(BER_UTF8_STRING), BER_UTF8_STRING,
	    mark, 129);
	raw_close();
	raw_end();
	{
		struct ess_label	l;

		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
		    &l), 0);
		CU_ASSERT_EQUAL(l.privacy_mark.len, 129);
		CU_ASSERT_EQUAL(encode(&l, 0, &b), 0);
		CU_ASSERT(b.len == raw.len &&
		    memcmp(b.data, raw.data, raw.len) == 0);
		buf_free(&b);
	}
	done();
}

/* n categories of a type the guard does not know, values 0..n-1. */
static void
raw_many_cats(unsigned n)
{
	char		h[16];
	unsigned	i;

	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	for (i = 0; i < n; i++) {
		(void)snprintf(h, sizeof(h), "02 01 %02x", i);
		raw_cat(OTHER_TYPE, h);
	}
	raw_close();
	raw_close();
	raw_end();
}

static void
test_category_count(void)
{
	struct ess_label	l, g;
	struct buf		der, ber;

	raw_many_cats(64);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
	    &l), 0);
	CU_ASSERT_EQUAL(l.ncats, 64);
	CU_ASSERT_EQUAL(l.cats[63].syntax, ESS_OTHER);
	CU_ASSERT(bytes_are(l.cats[63].value, l.cats[63].valuelen,
	    "02 01 3f"));
	/*
	 * The same 64 unknown values, each sent with a non-minimal length:
	 * other bytes, the same label.
	 */
	der = raw;
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	{
		char		h[16];
		unsigned	i;

		for (i = 64; i > 0; i--) {
			(void)snprintf(h, sizeof(h), "02 81 01 %02x", i - 1);
			raw_cat(OTHER_TYPE, h);
		}
	}
	raw_close();
	raw_close();
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&re), 0);
	ber = raw;
	CU_ASSERT_EQUAL_FATAL(decode(&d2, BER_MODE_BER, ber.data, ber.len,
	    &g), 0);
	CU_ASSERT_TRUE(ess_label_equal(&l, &g));
	CU_ASSERT_TRUE(ess_label_equal(&g, &l));
	g.cats[0].valuelen = 2;		/* "02 81": no longer a value */
	CU_ASSERT_FALSE(ess_label_equal(&l, &g));
	buf_free(&ber);
	memset(&raw, 0, sizeof(raw));
	done();
	buf_free(&der);
	raw_many_cats(65);
	raw_refused(BER_MODE_BER, BER_E_COUNT,
	    "offset 11: more than 64 security categories");
	done();
}

/* A label with one category of this type and this value (hex). */
static void
raw_one(const char *type, const char *value)
{
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(type, value);
	raw_close();
	raw_close();
	raw_end();
}

static void
test_category_refusals(void)
{
	/* The same type and tag set twice, whatever the values. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 0c 06 05 2b 1a 01 04 02 31 03 02 01 01");
	raw_cat(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 0c 06 05 2b 1a 01 04 02 31 03 02 01 02");
	raw_close();
	raw_close();
	raw_end();
	raw_refused(BER_MODE_DER, BER_E_DUPLICATE,
	    "offset 41: enumerated permissive category for tag set "
	    "1.3.26.1.4.2 appears twice");
	done();

	/* The same tag set under two types is two categories. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(ESS_OID_PERMISSIVE_BITMAP,
	    "30 0b 06 05 2b 1a 01 04 02 03 02 07 80");
	raw_cat(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 0c 06 05 2b 1a 01 04 02 31 03 02 01 01");
	raw_close();
	raw_close();
	raw_end();
	{
		struct ess_label	l;

		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
		    &l), 0);
		CU_ASSERT_EQUAL(l.ncats, 2);
	}
	done();

	/* An unknown type twice with one value, even encoded two ways. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(OTHER_TYPE, "30 03 02 01 05");
	raw_cat(OTHER_TYPE, "30 80 02 01 05 00 00");
	raw_close();
	raw_close();
	raw_end();
	raw_refused(BER_MODE_BER, BER_E_DUPLICATE,
	    "security category 1.2.3.4 appears twice with the same value");
	done();

	/* Category structure. */
	refused_hex(BER_MODE_BER, "31 12 " POLICY_HEX
	    " 31 09 30 07 80 03 2a 03 04 a1 00", BER_E_MISSING,
	    "offset 18: security category 1.2.3.4 without a value");
	refused_hex(BER_MODE_BER, "31 13 " POLICY_HEX
	    " 31 0a 30 08 80 03 2a 03 04 81 01 05", BER_E_FORM,
	    "offset 18: a constructed value was expected here");
	refused_hex(BER_MODE_BER, "31 16 " POLICY_HEX
	    " 31 0d 30 0b 80 03 2a 03 04 a1 04 05 00 05 00", BER_E_TRAILING,
	    "offset 22: unexpected NULL after the last component");
	refused_hex(BER_MODE_BER, "31 16 " POLICY_HEX
	    " 31 0d 30 0b 80 03 2a 03 04 a1 02 05 00 05 00", BER_E_TRAILING,
	    "offset 22: unexpected NULL after the last component");
	refused_hex(BER_MODE_BER, "31 0f " POLICY_HEX
	    " 31 06 30 04 06 02 2a 03", BER_E_UNEXPECTED,
	    "offset 13: expected [0], found OBJECT IDENTIFIER");
	refused_hex(BER_MODE_BER, "31 0e " POLICY_HEX
	    " 31 05 02 01 00 05 00", BER_E_UNEXPECTED,
	    "offset 11: expected SEQUENCE, found INTEGER");

	/* DER: categories in SET OF order. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_cat(OTHER_TYPE, "02 01 02");
	raw_cat(OTHER_TYPE, "02 01 01");
	raw_close();
	raw_close();
	raw_end();
	raw_refused(BER_MODE_DER, BER_E_ORDER,
	    "offset 23: SET OF element sorts before the previous one");
	{
		struct ess_label	l;

		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_BER, raw.data, raw.len,
		    &l), 0);
		CU_ASSERT_EQUAL(l.ncats, 2);
	}
	done();

	/* An unknown type's value must still be well-formed, to the bottom. */
	refused_hex(BER_MODE_BER, "31 17 " POLICY_HEX
	    " 31 0e 30 0c 80 03 2a 03 04 a1 05 24 03 02 01 00",
	    BER_E_UNEXPECTED, "offset 22: security category value: INTEGER "
	    "inside a constructed string");
	refused_hex(BER_MODE_DER, "31 17 " POLICY_HEX
	    " 31 0e 30 0c 80 03 2a 03 04 a1 05 24 03 04 01 00",
	    BER_E_FORM, "offset 20: security category value: constructed "
	    "string in DER");
	refused_hex(BER_MODE_DER, "31 18 " POLICY_HEX
	    " 31 0f 30 0d 80 03 2a 03 04 a1 06 30 81 02 02 01 00",
	    BER_E_LENGTH, "offset 20: long form for length 2 in DER");
	/*
	 * Nested deeper than the decode allows (the value's contents start at
	 * depth 5): the 45th SEQUENCE, at offset 20 + 2 * 44, is too deep.
	 */
	{
		char		h[512];
		size_t		n = 0;
		unsigned	i;

		for (i = 0; i < 50; i++)
			n += (size_t)snprintf(h + n, sizeof(h) - n, "30 %02x ",
			    2 * (50 - i));
		(void)snprintf(h + n, sizeof(h) - n, "05 00");
		raw_one(OTHER_TYPE, h);
		raw_refused(BER_MODE_BER, BER_E_DEPTH, "offset 108: security "
		    "category value: nesting deeper than 48");
	}
	done();
}

static void
test_value_refusals(void)
{
	char		h[4096];
	size_t		n;
	unsigned	i;

	/* The value of a known syntax is a SEQUENCE. */
	raw_one(ESS_OID_RESTRICTIVE_BITMAP, "02 01 05");
	raw_refused(BER_MODE_BER, BER_E_UNEXPECTED, "offset 27: restrictive "
	    "bitmap category: expected a SEQUENCE, found INTEGER");
	done();
	raw_one(ESS_OID_INFORMATIVE, "30 0a 06 05 2b 1a 01 04 03 02 01 05");
	raw_refused(BER_MODE_BER, BER_E_UNEXPECTED, "offset 36: informative "
	    "category: expected a BIT STRING or a SET OF SecurityAttribute, "
	    "found INTEGER");
	done();
	raw_one(ESS_OID_INFORMATIVE, "30 07 06 05 2b 1a 01 04 03");
	raw_refused(BER_MODE_BER, BER_E_MISSING,
	    "informative category without its attributes");
	done();
	raw_one(ESS_OID_ENUMERATED_PERMISSIVE, "30 07 06 05 2b 1a 01 04 02");
	raw_refused(BER_MODE_BER, BER_E_MISSING,
	    "expected SET, found the end of the enclosing value");
	done();
	raw_one(ESS_OID_PERMISSIVE_BITMAP,
	    "30 0b 06 05 2b 1a 01 04 02 04 02 07 80");
	raw_refused(BER_MODE_BER, BER_E_UNEXPECTED,
	    "expected BIT STRING, found OCTET STRING");
	done();
	raw_one(ESS_OID_PERMISSIVE_BITMAP,
	    "30 0d 06 05 2b 1a 01 04 02 03 02 07 80 05 00");
	raw_refused(BER_MODE_BER, BER_E_TRAILING,
	    "unexpected NULL after the last component");
	done();
	raw_one(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 08 02 01 01 31 03 02 01 01");
	raw_refused(BER_MODE_BER, BER_E_UNEXPECTED,
	    "expected OBJECT IDENTIFIER, found INTEGER");
	done();

	/* Security attributes: unique, non-negative, 32 bits, minimal. */
	raw_one(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 14 06 05 2b 1a 01 04 02 31 0b 02 02 03 3a 02 01 05"
	    " 02 02 03 3a");
	raw_refused(BER_MODE_BER, BER_E_DUPLICATE, "offset 45: security "
	    "attribute 826 appears twice in tag set 1.3.26.1.4.2");
	raw_refused(BER_MODE_DER, BER_E_ORDER,
	    "SET OF element sorts before the previous one");
	done();
	raw_one(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 10 06 05 2b 1a 01 04 02 31 07 02 01 05 02 02 03 3a");
	{
		struct ess_label	l;

		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_DER, raw.data, raw.len,
		    &l), 0);
	}
	done();
	raw_one(ESS_OID_ENUMERATED_PERMISSIVE,
	    "30 12 06 05 2b 1a 01 04 02 31 09 02 01 05 02 01 05 02 01 05");
	raw_refused(BER_MODE_DER, BER_E_DUPLICATE,
	    "security attribute 5 appears twice");
	done();
	raw_one(ESS_OID_ENUMERATED_RESTRICTIVE,
	    "30 0c 06 05 2b 1a 01 04 05 31 03 02 01 ff");
	raw_refused(BER_MODE_BER, BER_E_RANGE,
	    "offset 40: negative security attribute");
	done();
	raw_one(ESS_OID_ENUMERATED_RESTRICTIVE,
	    "30 10 06 05 2b 1a 01 04 05 31 07 02 05 01 00 00 00 00");
	raw_refused(BER_MODE_BER, BER_E_RANGE,
	    "security attribute wider than 32 bits");
	done();
	raw_one(ESS_OID_ENUMERATED_RESTRICTIVE,
	    "30 0d 06 05 2b 1a 01 04 05 31 04 02 02 00 05");
	raw_refused(BER_MODE_BER, BER_E_INTEGER,
	    "offset 40: INTEGER not in minimal form");
	done();
	raw_one(ESS_OID_ENUMERATED_RESTRICTIVE,
	    "30 0b 06 05 2b 1a 01 04 05 31 02 01 00");
	raw_refused(BER_MODE_BER, BER_E_UNEXPECTED,
	    "expected INTEGER, found BOOLEAN");
	done();

	/* 256 attributes is the most; 257 is refused before any is read. */
	for (i = 256; i <= 257; i++) {
		unsigned	k;
		size_t		body = 0;

		n = 0;
		for (k = 0; k < i; k++)
			body += k < 128 ? 3 : 4;
		n += (size_t)snprintf(h + n, sizeof(h) - n,
		    "30 82 %04zx 06 05 2b 1a 01 04 02 31 82 %04zx",
		    body + 7 + 4, body);
		for (k = 0; k < i && n < sizeof(h) - 16; k++)
			n += (size_t)snprintf(h + n, sizeof(h) - n,
			    k < 128 ? "02 01 %02x" : "02 02 %04x", k);
		raw_one(ESS_OID_ENUMERATED_PERMISSIVE, h);
		if (i == 256) {
			struct ess_label	l;

			CU_ASSERT_EQUAL(decode(&d1, BER_MODE_BER, raw.data,
			    raw.len, &l), 0);
			CU_ASSERT_EQUAL(l.cats[0].nvalues, 256);
			CU_ASSERT_EQUAL(l.cats[0].values[255], 255);
		} else
			raw_refused(BER_MODE_BER, BER_E_COUNT,
			    "more than 256 security attributes");
		done();
	}
}

static void
test_bitmap_bounds(void)
{
	struct ess_category	c[1];
	struct ess_label	l, g;
	uint32_t		last[] = { 4095 };
	uint8_t			flags[514];

	c[0] = cat(ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    TAG_SENS, last, 1);
	l = label(X400_ABSENT, NULL, c, 1);
	roundtrip(&l, &g);
	CU_ASSERT(values_are(&g.cats[0], last, 1));
	done();

	/* 4097 bits: one more than the guard reads. */
	raw_begin();
	raw_open(BER_UNIV(BER_SET));
	raw_hex(POLICY_HEX);
	raw_open(BER_UNIV(BER_SET));
	raw_open(BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&re, BER_CTX(0), ESS_OID_RESTRICTIVE_BITMAP);
	raw_open(BER_CTX(1));
	raw_open(BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&re, BER_UNIV(BER_OID), TAG_SENS);
	memset(flags, 0, sizeof(flags));
	flags[0] = 7;			/* unused bits: 513 * 8 - 7 = 4097 */
	flags[513] = 0x80;		/* bit 4096 */
	ber_put_prim(&re, BER_UNIV(BER_BIT_STRING), flags, sizeof(flags));
	raw_close();
	raw_close();
	raw_close();
	raw_close();
	raw_close();
	raw_end();
	raw_refused(BER_MODE_BER, BER_E_RANGE,
	    "attributeFlags of 4097 bits in tag set 1.3.26.1.4.1 (at most "
	    "4096)");
	done();

	/* DER: the unused bits of a bitmap are zero. */
	raw_one(ESS_OID_RESTRICTIVE_BITMAP,
	    "30 0b 06 05 2b 1a 01 04 01 03 02 04 58");
	raw_refused(BER_MODE_DER, BER_E_BITSTRING,
	    "unused BIT STRING bits not zero in DER");
	{
		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_BER, raw.data, raw.len,
		    &g), 0);
		CU_ASSERT(values_are(&g.cats[0], sens, 2));
	}
	done();
}

/* Every prefix of a label is refused, with an offset. */
static void
truncations(const struct buf *b)
{
	struct ess_label	l;
	size_t			n;

	for (n = 0; n < b->len; n++) {
		CU_ASSERT_EQUAL(decode(&d1, BER_MODE_BER, b->data, n, &l), -1);
		CU_ASSERT_NOT_EQUAL(d1.c.err.code, BER_OK);
		CU_ASSERT(strncmp(x400_strerror(&d1), "offset ", 7) == 0);
		CU_ASSERT_FALSE(l.present);
	}
	CU_ASSERT_EQUAL(decode(&d1, BER_MODE_BER, b->data, b->len, &l), 0);
}

static void
test_truncated(void)
{
	struct ess_category	c[6];
	struct ess_label	l;
	struct buf		b;
	unsigned		n;

	n = all_cats(c);
	l = label(4, "NATO SECRET", c, n);
	CU_ASSERT_EQUAL_FATAL(encode(&l, 0, &b), 0);
	truncations(&b);
	buf_free(&b);
	CU_ASSERT_EQUAL_FATAL(encode(&l, BER_ENC_INDEFINITE |
	    BER_ENC_SEGMENTS, &b), 0);
	truncations(&b);
	buf_free(&b);
	done();
}

/* --- equality ------------------------------------------------------------- */

static void
test_equality(void)
{
	struct ess_category	c[6], r[6], e[6];
	struct ess_label	a, b, g;
	uint32_t		rel2[] = { 528, 826 }, unsorted[] = { 826, 528 };
	uint8_t			other2[] = { 0x04, 0x01, 'Z' };
	unsigned		n, i;

	n = all_cats(c);
	for (i = 0; i < n; i++)
		r[n - 1 - i] = c[i];
	a = label(4, "NATO SECRET", c, n);
	b = label(4, "NATO SECRET", r, n);
	/* Order of the categories is no part of the meaning. */
	CU_ASSERT_TRUE(ess_label_equal(&a, &b));
	CU_ASSERT_TRUE(ess_label_equal(&b, &a));
	CU_ASSERT_TRUE(ess_label_equal(&a, &a));
	/* Nor is the encoding: a decoded label from SHUFFLEd BER. */
	CU_ASSERT_EQUAL_FATAL(encode(&a, BER_ENC_SHUFFLE, &out), 0);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_BER, out.data, out.len,
	    &g), 0);
	CU_ASSERT_TRUE(ess_label_equal(&g, &b));

	/* Each difference counts. */
	b.policy = "1.3.26.1.3.2";
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	b.policy = NULL;
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	b = label(5, "NATO SECRET", r, n);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	b = label(X400_ABSENT, "NATO SECRET", r, n);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	CU_ASSERT_FALSE(ess_label_equal(&b, &a));
	b = label(4, "NATO SECRET ", r, n);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	b = label(4, NULL, r, n);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	b = label(4, "NATO SECRET", r, n - 1);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	memcpy(e, r, sizeof(e));
	e[4] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, rel2, 2);	/* r[4] is c[1] */
	b = label(4, "NATO SECRET", e, n);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	e[4] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_CONTEXT, rel, 3);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	e[4] = cat(ESS_OID_ENUMERATED_RESTRICTIVE, ESS_ENUMERATED_RESTRICTIVE,
	    TAG_REL, rel, 3);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	memcpy(e, r, sizeof(e));
	e[0].value = other2;	/* r[0] is c[5], the unknown type */
	e[0].valuelen = sizeof(other2);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	/* The same category twice does not stand for two others. */
	memcpy(e, c, sizeof(e));
	e[1] = e[0];
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	CU_ASSERT_FALSE(ess_label_equal(&b, &a));
	/* Values must be ascending, as struct ess_category says. */
	memcpy(e, c, sizeof(e));
	e[1].values = unsorted;
	e[1].nvalues = 2;
	c[1].values = rel2;
	c[1].nvalues = 2;
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	e[1].values = rel2;
	CU_ASSERT_TRUE(ess_label_equal(&a, &b));

	/* Absent equals absent, and nothing else. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CU_ASSERT_TRUE(ess_label_equal(&a, &b));
	b = label(4, NULL, NULL, 0);
	CU_ASSERT_FALSE(ess_label_equal(&a, &b));
	CU_ASSERT_FALSE(ess_label_equal(&b, &a));
	done();
}

/* An X.411 label with the ESS label's fields and raw categories. */
static struct x400_label
x411_of(const struct ess_label *l, struct x400_category *xc)
{
	struct x400_label	x;
	unsigned		i;

	memset(&x, 0, sizeof(x));
	x.present = true;
	x.policy = l->policy;
	x.classification = l->classification;
	x.privacy_mark = l->privacy_mark;
	for (i = 0; i < l->ncats; i++) {
		xc[i].type = l->cats[i].type;
		xc[i].value = l->cats[i].value;
		xc[i].valuelen = l->cats[i].valuelen;
	}
	x.cats = xc;
	x.ncats = l->ncats;
	return x;
}

static void
test_equality_x411(void)
{
	struct ess_category	c[6];
	struct x400_category	xc[6], t;
	struct x400_label	x;
	struct ess_label	a, g;
	uint8_t			shuffled[] = {
		0x30, 0x15, 0x06, 0x05, 0x2b, 0x1a, 0x01, 0x04, 0x02,
		0x31, 0x0c, 0x02, 0x02, 0x03, 0x48, 0x02, 0x02, 0x02, 0x10,
		0x02, 0x02, 0x03, 0x3a
	};
	uint8_t			bad[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	unsigned		n;

	n = all_cats(c);
	a = label(4, "NATO SECRET", c, n);
	CU_ASSERT_EQUAL_FATAL(encode(&a, 0, &out), 0);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, out.data, out.len,
	    &g), 0);
	x = x411_of(&g, xc);
	CU_ASSERT_TRUE(ess_label_equal_x411(&g, &x));
	/* Against a label built by hand (no kept values): by meaning. */
	CU_ASSERT_TRUE(ess_label_equal_x411(&a, &x));
	/* X.411 categories in another order. */
	t = xc[0];
	xc[0] = xc[n - 1];
	xc[n - 1] = t;
	CU_ASSERT_TRUE(ess_label_equal_x411(&g, &x));

	/* Releasable-to values sent in BER order: the same attributes. */
	x = x411_of(&g, xc);
	for (n = 0; n < x.ncats; n++)
		if (strcmp(xc[n].type, ESS_OID_ENUMERATED_PERMISSIVE) == 0) {
			xc[n].value = shuffled;
			xc[n].valuelen = sizeof(shuffled);
		}
	CU_ASSERT_TRUE(ess_label_equal_x411(&g, &x));

	/* No policy in X.411: never equal. */
	x = x411_of(&g, xc);
	x.policy = NULL;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	x.present = false;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	x.classification = 3;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	x.privacy_mark.utf8 = NULL;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	x.ncats--;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	/* A category's value differs, or is no value of its syntax. */
	x = x411_of(&g, xc);
	for (n = 0; n < x.ncats; n++)
		if (strcmp(xc[n].type, OTHER_TYPE) == 0) {
			xc[n].value = bad;
			xc[n].valuelen = sizeof(bad);
		}
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	xc[0].value = bad;
	xc[0].valuelen = sizeof(bad);
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	xc[1].type = "1.2.3.5";
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	x = x411_of(&g, xc);
	xc[2].value = NULL;
	CU_ASSERT_FALSE(ess_label_equal_x411(&g, &x));
	done();
}

/* --- the encoder refuses what the decoder would ------------------------- */

static void
enc_refused(const struct ess_label *l, enum ber_err code)
{
	struct buf	b;

	CU_ASSERT_EQUAL(encode(l, 0, &b), (int)code);
	buf_free(&b);
}

static void
test_encoder_refusals(void)
{
	struct ess_category	c[65];
	struct ess_label	l, g;
	uint32_t		down[] = { 826, 528 }, over[] = { 4096 };
	uint32_t		many[257];
	char			mark[130];
	unsigned		i;

	all_cats(c);
	l = label(4, NULL, c, 1);
	l.policy = NULL;
	enc_refused(&l, BER_E_STATE);
	l = label(257, NULL, c, 1);
	enc_refused(&l, BER_E_RANGE);
	l = label(-1, NULL, c, 1);
	enc_refused(&l, BER_E_RANGE);
	l = label(4, "", c, 1);
	enc_refused(&l, BER_E_RANGE);
	memset(mark, 'A', 129);
	mark[129] = '\0';
	l = label(4, mark, c, 1);
	enc_refused(&l, BER_E_RANGE);
	l = label(4, "NATO@SECRET", c, 1);
	enc_refused(&l, BER_E_CHARSET);
	for (i = 0; i < 65; i++)
		c[i] = c[0];
	l = label(4, NULL, c, 65);
	enc_refused(&l, BER_E_COUNT);

	/* An unknown type needs its value. */
	c[0] = cat(OTHER_TYPE, ESS_OTHER, NULL, NULL, 0);
	l = label(4, NULL, c, 1);
	enc_refused(&l, BER_E_STATE);
	/* The syntax goes with the type. */
	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_PERMISSIVE_BITMAP,
	    TAG_REL, rel, 3);
	enc_refused(&l, BER_E_STATE);
	c[0] = cat(OTHER_TYPE, ESS_ENUMERATED_PERMISSIVE, TAG_REL, rel, 3);
	enc_refused(&l, BER_E_STATE);
	/* Values ascending, within bounds; a tag set. */
	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, down, 2);
	enc_refused(&l, BER_E_STATE);
	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    NULL, rel, 3);
	enc_refused(&l, BER_E_STATE);
	c[0] = cat(ESS_OID_PERMISSIVE_BITMAP, ESS_PERMISSIVE_BITMAP,
	    TAG_REL, over, 1);
	enc_refused(&l, BER_E_RANGE);
	for (i = 0; i < 257; i++)
		many[i] = i;
	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, many, 257);
	enc_refused(&l, BER_E_COUNT);
	c[0].nvalues = 256;
	CU_ASSERT_EQUAL(encode(&l, 0, &out), 0);
	buf_free(&out);

	/* A kept value that no longer says what the fields say. */
	c[0] = cat(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    TAG_REL, rel, 3);
	l = label(4, NULL, c, 1);
	CU_ASSERT_EQUAL_FATAL(encode(&l, 0, &out), 0);
	CU_ASSERT_EQUAL_FATAL(decode(&d1, BER_MODE_DER, out.data, out.len,
	    &g), 0);
	g.cats[0].tag_name = TAG_ONLY;
	enc_refused(&g, BER_E_STATE);
	g.cats[0].tag_name = TAG_REL;
	g.cats[0].nvalues = 2;
	enc_refused(&g, BER_E_STATE);
	/* Forgetting the kept value makes the fields the truth. */
	g.cats[0].value = NULL;
	CU_ASSERT_EQUAL(encode(&g, 0, &raw), 0);
	buf_free(&raw);
	done();
}

static const struct unit_test tests[] = {
	{ "pinned DER, enumerated permissive", test_pinned_der },
	{ "restrictive bitmap", test_restrictive_bitmap },
	{ "permissive bitmap", test_permissive_bitmap },
	{ "enumerated restrictive", test_enumerated_restrictive },
	{ "informative, both alternatives", test_informative },
	{ "category of an unknown type", test_other_type },
	{ "every syntax in one label", test_every_syntax_together },
	{ "SET order: DER and BER", test_set_order },
	{ "BER variants decode alike", test_ber_variants },
	{ "BER inside category values", test_ber_values },
	{ "label refusals", test_label_refusals },
	{ "privacy mark of 129", test_privacy_mark_129 },
	{ "64 categories, not 65", test_category_count },
	{ "category refusals", test_category_refusals },
	{ "category value refusals", test_value_refusals },
	{ "bitmap bounds", test_bitmap_bounds },
	{ "truncated at every length", test_truncated },
	{ "equality", test_equality },
	{ "equality with X.411 labels", test_equality_x411 },
	{ "encoder refusals", test_encoder_refusals },
	{ NULL, NULL }
};
UNIT_SUITE(ess, "ess", tests);
