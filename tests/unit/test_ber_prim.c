/*
 * test_ber_prim.c - typed reads: INTEGER, BOOLEAN, NULL, BIT STRING,
 * OCTET STRING, OBJECT IDENTIFIER, character strings and times, with the
 * X.690 examples and every error class of each.
 */
#include <iconv.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "tests/unit/unit.h"

static uint8_t		in[1024];
static struct ber_ctx	c;
static struct ber_tlv	t;

/* Decode hex as one TLV (must succeed); the caller frees c. */
static void
tlv(const char *hex, enum ber_mode mode)
{
	size_t	n = unit_hex(hex, in, sizeof(in));

	ber_ctx_init(&c, mode, NULL, in, n);
	CU_ASSERT_EQUAL_FATAL(ber_decode_one(&c, &t), 0);
}

static int64_t
int_of(const char *hex)
{
	int64_t	v = 0x5a5a;

	tlv(hex, BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_int(&c, &t, INT64_MIN, INT64_MAX, &v), 0);
	ber_ctx_free(&c);
	return v;
}

static enum ber_err
int_err(const char *hex, int64_t min, int64_t max)
{
	int64_t		v;
	enum ber_err	e;

	tlv(hex, BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_int(&c, &t, min, max, &v), -1);
	e = c.err.code;
	ber_ctx_free(&c);
	return e;
}

static void
test_integers(void)
{
	const uint8_t	*p;
	size_t		 n;

	CU_ASSERT_EQUAL(int_of("02 01 00"), 0);
	CU_ASSERT_EQUAL(int_of("02 01 7F"), 127);
	CU_ASSERT_EQUAL(int_of("02 02 00 80"), 128);
	CU_ASSERT_EQUAL(int_of("02 02 01 00"), 256);
	CU_ASSERT_EQUAL(int_of("02 01 80"), -128);
	CU_ASSERT_EQUAL(int_of("02 02 FF 7F"), -129);
	CU_ASSERT_EQUAL(int_of("02 08 7F FF FF FF FF FF FF FF"), INT64_MAX);
	CU_ASSERT_EQUAL(int_of("02 08 80 00 00 00 00 00 00 00"), INT64_MIN);
	CU_ASSERT_EQUAL(int_of("0A 01 02"), 2);		/* ENUMERATED */
	CU_ASSERT_EQUAL(int_err("02 00", 0, 10), BER_E_INTEGER);
	CU_ASSERT_EQUAL(int_err("02 02 00 7F", 0, 1000), BER_E_INTEGER);
	CU_ASSERT_EQUAL(int_err("02 02 FF 80", -1000, 0), BER_E_INTEGER);
	CU_ASSERT_EQUAL(int_err("02 01 06", 0, 5), BER_E_RANGE);
	CU_ASSERT_EQUAL(int_err("02 01 FF", 0, 5), BER_E_RANGE);
	CU_ASSERT_EQUAL(int_err("02 09 01 00 00 00 00 00 00 00 00",
	    INT64_MIN, INT64_MAX), BER_E_RANGE);
	/* Implicitly tagged but constructed: refused. */
	tlv("A0 03 02 01 01", BER_MODE_BER);
	{
		int64_t	v;

		CU_ASSERT_EQUAL(ber_get_int(&c, &t, 0, 5, &v), -1);
		CU_ASSERT_EQUAL(c.err.code, BER_E_FORM);
	}
	ber_ctx_free(&c);
	/* Big integers keep their octets. */
	tlv("02 09 00 FF 00 00 00 00 00 00 01", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bigint(&c, &t, &p, &n), 0);
	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT_EQUAL(p, in + 2);
	ber_ctx_free(&c);
}

static void
test_boolean_and_null(void)
{
	bool	b;

	tlv("01 01 FF", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bool(&c, &t, &b), 0);
	CU_ASSERT_TRUE(b);
	ber_ctx_free(&c);
	tlv("01 01 00", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bool(&c, &t, &b), 0);
	CU_ASSERT_FALSE(b);
	ber_ctx_free(&c);
	/* Any non-zero octet is TRUE in BER; only FF in DER. */
	tlv("01 01 01", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bool(&c, &t, &b), 0);
	CU_ASSERT_TRUE(b);
	ber_ctx_free(&c);
	tlv("01 01 01", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bool(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BOOLEAN);
	CU_ASSERT_EQUAL(c.err.offset, 2);
	ber_ctx_free(&c);
	tlv("01 02 FF FF", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bool(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BOOLEAN);
	ber_ctx_free(&c);

	tlv("05 00", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_null(&c, &t), 0);
	ber_ctx_free(&c);
	tlv("05 01 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_null(&c, &t), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_NULL);
	ber_ctx_free(&c);
}

static void
test_bit_strings(void)
{
	static const uint8_t	want[] = { 0x0a, 0x3b, 0x5f, 0x29, 0x1c, 0xd0 };
	struct ber_bits		b;

	/* X.690 8.6.4.2: '0A3B5F291CD'H, primitive and constructed. */
	tlv("03 07 04 0A 3B 5F 29 1C D0", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), 0);
	CU_ASSERT_EQUAL(b.nbits, 44);
	CU_ASSERT(memcmp(b.bytes, want, 6) == 0);
	CU_ASSERT_FALSE(ber_bit(&b, 0));
	CU_ASSERT_TRUE(ber_bit(&b, 4));
	CU_ASSERT_FALSE(ber_bit(&b, 44));
	ber_ctx_free(&c);

	tlv("23 80 03 03 00 0A 3B 03 05 04 5F 29 1C D0 00 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), 0);
	CU_ASSERT_EQUAL(b.nbits, 44);
	CU_ASSERT(memcmp(b.bytes, want, 6) == 0);
	ber_ctx_free(&c);

	/* Unused bits: > 7, set in DER, on an empty string, mid-string. */
	tlv("03 02 08 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BITSTRING);
	ber_ctx_free(&c);
	tlv("03 02 04 0F", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), 0);
	CU_ASSERT_EQUAL(b.nbits, 4);
	ber_ctx_free(&c);
	tlv("03 02 04 0F", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BITSTRING);
	CU_ASSERT_EQUAL(c.err.offset, 3);
	ber_ctx_free(&c);
	tlv("03 01 03", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	ber_ctx_free(&c);
	tlv("03 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BITSTRING);
	ber_ctx_free(&c);
	tlv("23 08 03 02 04 F0 03 02 00 FF", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_BITSTRING);
	CU_ASSERT_EQUAL(c.err.offset, 6);
	ber_ctx_free(&c);
	/* Constructed is never DER. */
	tlv("23 04 03 02 00 FF", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_bits(&c, &t, &b), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_FORM);
	ber_ctx_free(&c);
}

static void
test_octet_strings(void)
{
	const uint8_t	*p;
	size_t		 n;

	tlv("04 03 41 42 43", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_octets(&c, &t, &p, &n), 0);
	CU_ASSERT_EQUAL(p, in + 2);		/* zero copy */
	CU_ASSERT_EQUAL(n, 3);
	ber_ctx_free(&c);

	/* Constructed, nested segments, indefinite: reassembled. */
	tlv("24 80 04 02 41 42 24 04 04 02 43 44 04 00 00 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_octets(&c, &t, &p, &n), 0);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT(memcmp(p, "ABCD", 4) == 0);
	CU_ASSERT_EQUAL(c.allocated, 4);
	ber_ctx_free(&c);

	/* A segment of the wrong type, constructed in DER, over budget. */
	tlv("24 04 02 02 41 42", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_octets(&c, &t, &p, &n), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_EQUAL(c.err.offset, 2);
	ber_ctx_free(&c);
	tlv("24 04 04 02 41 42", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_octets(&c, &t, &p, &n), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_FORM);
	ber_ctx_free(&c);
	{
		struct ber_limits	lim;
		size_t			k = unit_hex("24 04 04 02 41 42", in,
					    sizeof(in));

		ber_limits_default(&lim);
		lim.max_alloc = 1;
		ber_ctx_init(&c, BER_MODE_BER, &lim, in, k);
		CU_ASSERT_EQUAL_FATAL(ber_decode_one(&c, &t), 0);
		CU_ASSERT_EQUAL(ber_get_octets(&c, &t, &p, &n), -1);
		CU_ASSERT_EQUAL(c.err.code, BER_E_BUDGET);
		ber_ctx_free(&c);
	}
}

static void
test_oids(void)
{
	struct ber_oid	o, o2;
	char		s[BER_OID_TEXT_MAX];
	uint8_t		b[64];
	size_t		n;

	/* X.690 8.19.5 example: { 2 100 3 } is 81 34 03. */
	tlv("06 03 81 34 03", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), 0);
	CU_ASSERT_EQUAL(ber_oid_text(&o, s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "2.100.3");
	CU_ASSERT_TRUE(ber_oid_is(&o, "2.100.3"));
	CU_ASSERT_FALSE(ber_oid_is(&o, "2.100"));
	CU_ASSERT_FALSE(ber_oid_is(&o, "2.100.3.1"));
	CU_ASSERT_FALSE(ber_oid_is(&o, "2.100.4"));
	CU_ASSERT_FALSE(ber_oid_is(&o, "2.100.3."));
	CU_ASSERT_FALSE(ber_oid_is(&o, ""));
	CU_ASSERT_EQUAL(ber_oid_text(&o, s, 5), -1);
	ber_ctx_free(&c);

	/* id-mct-p772 1.3.26.0.4406.0.4.1 both ways. */
	CU_ASSERT_EQUAL(ber_oid_from_text("1.3.26.0.4406.0.4.1", b,
	    sizeof(b), &n), 0);
	o2.der = b;
	o2.len = n;
	CU_ASSERT_EQUAL(n, 8);
	CU_ASSERT(memcmp(b, "\x2b\x1a\x00\xa2\x36\x00\x04\x01", 8) == 0);
	CU_ASSERT_TRUE(ber_oid_is(&o2, "1.3.26.0.4406.0.4.1"));
	tlv("06 08 2B 1A 00 A2 36 00 04 01", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), 0);
	CU_ASSERT_TRUE(ber_oid_eq(&o, &o2));
	ber_ctx_free(&c);

	/* 64-bit arcs are the widest accepted. */
	tlv("06 0B 2A 81 FF FF FF FF FF FF FF FF 7F", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), 0);
	CU_ASSERT_EQUAL(ber_oid_text(&o, s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "1.2.18446744073709551615");
	ber_ctx_free(&c);
	tlv("06 0B 2A 82 80 80 80 80 80 80 80 80 00", BER_MODE_DER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_OID);
	ber_ctx_free(&c);

	/* Padding, empty, unterminated, too many arcs. */
	tlv("06 03 2A 80 01", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_OID);
	CU_ASSERT_EQUAL(c.err.offset, 3);
	ber_ctx_free(&c);
	tlv("06 00", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), -1);
	ber_ctx_free(&c);
	tlv("06 02 2A 81", BER_MODE_BER);
	CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_OID);
	ber_ctx_free(&c);
	{
		struct ber_limits	lim;
		size_t			k = unit_hex("06 04 2A 01 02 03", in,
					    sizeof(in));

		ber_limits_default(&lim);
		lim.max_oid_arcs = 4;
		ber_ctx_init(&c, BER_MODE_BER, &lim, in, k);
		CU_ASSERT_EQUAL_FATAL(ber_decode_one(&c, &t), 0);
		CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(c.err.text, "5 arcs"));
		ber_ctx_free(&c);
	}

	/* Text that is not an OID. */
	CU_ASSERT_EQUAL(ber_oid_from_text("3.1", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("1.40", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("1", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("1.2.", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("1.02", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("1.2.x", b, sizeof(b), &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("2.999.1", b, 2, &n), -1);
	CU_ASSERT_EQUAL(ber_oid_from_text("2.999.1", b, sizeof(b), &n), 0);
	CU_ASSERT_EQUAL(n, 3);
	CU_ASSERT(memcmp(b, "\x88\x37\x01", 3) == 0);
}

static int
str_err(unsigned type, const char *hex, size_t *off)
{
	struct ber_str	s;
	int		r;

	tlv(hex, BER_MODE_BER);
	r = ber_get_string(&c, &t, type, &s);
	*off = c.err.offset;
	ber_ctx_free(&c);
	return r == 0 ? 0 : (int)c.err.code;
}

static void
test_string_charsets(void)
{
	size_t	off;

	CU_ASSERT_EQUAL(str_err(BER_PRINTABLE_STRING,
	    "13 0B 4A 6F 2E 20 28 3F 29 2B 2D 3A 3D", &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_PRINTABLE_STRING, "13 03 41 40 42", &off),
	    BER_E_CHARSET);			/* '@' */
	CU_ASSERT_EQUAL(off, 3);
	CU_ASSERT_EQUAL(str_err(BER_PRINTABLE_STRING, "13 02 41 00", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_NUMERIC_STRING, "12 03 31 20 32", &off),
	    0);
	CU_ASSERT_EQUAL(str_err(BER_NUMERIC_STRING, "12 02 31 41", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_IA5_STRING, "16 03 40 0A 7F", &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_IA5_STRING, "16 02 41 80", &off),
	    BER_E_CHARSET);
	/* Past the eight-byte fast path: the exact byte is named. */
	CU_ASSERT_EQUAL(str_err(BER_IA5_STRING,
	    "16 15 4142434445464748494a4b4c4d c1 4f505152535455", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(off, 2 + 13);
	CU_ASSERT_EQUAL(str_err(BER_IA5_STRING,
	    "16 16 4142434445464748494a4b4c4d4e4f50515253545556", &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_VISIBLE_STRING, "1A 02 41 0A", &off),
	    BER_E_CHARSET);
	/* UTF-8: valid, overlong, surrogate, beyond U+10FFFF, truncated. */
	CU_ASSERT_EQUAL(str_err(BER_UTF8_STRING,
	    "0C 09 C3 A9 E2 82 AC F0 9F 98 80", &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_UTF8_STRING, "0C 02 C0 AF", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_UTF8_STRING, "0C 03 ED A0 80", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_UTF8_STRING, "0C 04 F4 90 80 80", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_UTF8_STRING, "0C 02 41 E2", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(off, 3);
	/* BMPString: even length, no surrogates. */
	CU_ASSERT_EQUAL(str_err(BER_BMP_STRING, "1E 04 00 41 20 AC", &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_BMP_STRING, "1E 03 00 41 00", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_BMP_STRING, "1E 02 D8 00", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(str_err(BER_UNIVERSAL_STRING, "1C 04 00 01 F6 00",
	    &off), 0);
	CU_ASSERT_EQUAL(str_err(BER_UNIVERSAL_STRING, "1C 04 00 11 00 00",
	    &off), BER_E_CHARSET);
	/* Teletex: diacritic + base, escape, lone diacritic. */
	CU_ASSERT_EQUAL(str_err(BER_TELETEX_STRING, "14 03 C2 65 41", &off),
	    0);
	CU_ASSERT_EQUAL(str_err(BER_TELETEX_STRING, "14 03 41 1B 28", &off),
	    BER_E_CHARSET);
	CU_ASSERT_EQUAL(off, 3);
	CU_ASSERT_EQUAL(str_err(BER_TELETEX_STRING, "14 02 41 C2", &off),
	    BER_E_CHARSET);
	/* A constructed string is checked after reassembly. */
	CU_ASSERT_EQUAL(str_err(BER_PRINTABLE_STRING,
	    "33 08 04 02 41 42 04 02 43 40", &off), BER_E_CHARSET);
	CU_ASSERT_EQUAL(off, 0);
	CU_ASSERT_FALSE(ber_is_string_type(BER_GENERAL_STRING));
}

/*
 * The T.61 table agrees with the system's T.61-8BIT converter on every
 * single byte, except where the guard is stricter on purpose: C0 controls
 * other than LF, FF, CR, and DEL and C1 controls, are refused.
 */
static void
test_teletex_table_matches_iconv(void)
{
	iconv_t		 cd;
	unsigned	 b;
	uint8_t		 one[2];
	char		 out[16], *ip, *op;
	size_t		 il, ol, bad;
	const char	*why;
	bool		 sys, ours;

	if ((cd = iconv_open("UTF-8", "T.61-8BIT")) == (iconv_t)-1) {
		CU_FAIL("the C library has no T.61-8BIT converter");
		return;
	}
	for (b = 0; b < 256; b++) {
		if (b >= 0xc1 && b <= 0xcf)
			continue;	/* diacritics: need a base letter */
		one[0] = (uint8_t)b;
		ip = (char *)one;
		il = 1;
		op = out;
		ol = sizeof(out);
		(void)iconv(cd, NULL, NULL, NULL, NULL);
		sys = iconv(cd, &ip, &il, &op, &ol) != (size_t)-1 && il == 0;
		ours = ber_check_charset(BER_TELETEX_STRING, one, 1, &bad,
		    &why) == 0;
		if (b < 0x20 || b == 0x7f || (b >= 0x80 && b < 0xa0)) {
			CU_ASSERT_EQUAL(ours, b == 0x0a || b == 0x0c ||
			    b == 0x0d);
		} else if (ours != sys) {
			CU_FAIL("T.61 table disagrees with iconv");
			fprintf(stderr, "byte 0x%02x: ours %d iconv %d\n", b,
			    ours, sys);
		}
	}
	iconv_close(cd);
}

static int
time_of(unsigned type, const char *text, enum ber_mode mode,
    struct ber_time *tm)
{
	uint8_t	buf[64];
	size_t	n = strlen(text);
	int	r;

	buf[0] = (uint8_t)type;
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, text, n);
	ber_ctx_init(&c, mode, NULL, buf, n + 2);
	CU_ASSERT_EQUAL_FATAL(ber_decode_one(&c, &t), 0);
	r = ber_get_time(&c, &t, type, tm);
	ber_ctx_free(&c);
	return r;
}

static void
test_times(void)
{
	struct ber_time	tm;
	time_t		e;

	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "491231235959Z", BER_MODE_DER,
	    &tm), 0);
	CU_ASSERT_EQUAL(tm.year, 2049);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "500101000000Z", BER_MODE_DER,
	    &tm), 0);
	CU_ASSERT_EQUAL(tm.year, 1950);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "2611290846Z", BER_MODE_BER,
	    &tm), 0);
	CU_ASSERT_EQUAL(tm.min, 46);
	CU_ASSERT_EQUAL(tm.sec, 0);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "2611290846Z", BER_MODE_DER,
	    &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "261129084600+0130",
	    BER_MODE_BER, &tm), 0);
	CU_ASSERT_EQUAL(tm.tzoff, 90);
	CU_ASSERT_EQUAL(ber_time_to_epoch(&tm, &e), 0);
	CU_ASSERT_EQUAL(e, 1795941960 - 5400);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "261129084600+0130",
	    BER_MODE_DER, &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "261129084600", BER_MODE_BER,
	    &tm), -1);			/* UTCTime needs a zone */
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "260230084600Z", BER_MODE_BER,
	    &tm), -1);			/* 30 February */
	CU_ASSERT_EQUAL(time_of(BER_UTC_TIME, "261129246000Z", BER_MODE_BER,
	    &tm), -1);

	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20240229120000Z",
	    BER_MODE_DER, &tm), 0);
	CU_ASSERT_EQUAL(tm.day, 29);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "21000229120000Z",
	    BER_MODE_BER, &tm), -1);	/* 2100 is not a leap year */
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600.25Z",
	    BER_MODE_DER, &tm), 0);
	CU_ASSERT_EQUAL(tm.nsec, 250000000u);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600.250Z",
	    BER_MODE_DER, &tm), -1);	/* trailing zero */
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600.250Z",
	    BER_MODE_BER, &tm), 0);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600,5Z",
	    BER_MODE_BER, &tm), 0);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600,5Z",
	    BER_MODE_DER, &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600.Z",
	    BER_MODE_BER, &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "2026112908",
	    BER_MODE_BER, &tm), 0);	/* local time, hour only */
	CU_ASSERT_FALSE(tm.has_tz);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "2026112908",
	    BER_MODE_DER, &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600-0500",
	    BER_MODE_BER, &tm), 0);
	CU_ASSERT_EQUAL(tm.tzoff, -300);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "20261129084600Zx",
	    BER_MODE_BER, &tm), -1);
	CU_ASSERT_EQUAL(time_of(BER_GENERALIZED_TIME, "2026112908460",
	    BER_MODE_BER, &tm), -1);

	tm = (struct ber_time){ .year = 1970, .mon = 1, .day = 1 };
	CU_ASSERT_EQUAL(ber_time_to_epoch(&tm, &e), 0);
	CU_ASSERT_EQUAL(e, 0);
	tm = (struct ber_time){ .year = 2026, .mon = 11, .day = 29, .hour = 8,
	    .min = 46 };
	CU_ASSERT_EQUAL(ber_time_to_epoch(&tm, &e), 0);
	CU_ASSERT_EQUAL(e, 1795941960);
}

static const struct unit_test tests[] = {
	{ "INTEGER and ENUMERATED", test_integers },
	{ "BOOLEAN and NULL", test_boolean_and_null },
	{ "BIT STRING (X.690 8.6.4.2)", test_bit_strings },
	{ "OCTET STRING, primitive and constructed",
	    test_octet_strings },
	{ "OBJECT IDENTIFIER (X.690 8.19.5)", test_oids },
	{ "string character sets", test_string_charsets },
	{ "T.61 table matches iconv",
	    test_teletex_table_matches_iconv },
	{ "UTCTime and GeneralizedTime", test_times },
	{ NULL, NULL }
};
UNIT_SUITE(ber_prim, "ber-primitives", tests);
