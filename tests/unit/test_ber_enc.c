/*
 * test_ber_enc.c - the DER encoder: exact bytes for known values, SET and
 * SET OF ordering, long lengths, the BER variants, budgets and sticky
 * errors, and round trips through the decoder.
 */
#include <string.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "tests/unit/unit.h"

static struct buf	out;
static struct ber_enc	e;

static void
start(unsigned variant)
{
	buf_init(&out, 1 << 20);
	ber_enc_init(&e, &out, variant);
}

/* Finish and compare with hex. */
static void
expect_hex(const char *hex)
{
	uint8_t	want[2048];
	size_t	n = unit_hex(hex, want, sizeof(want));

	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	CU_ASSERT_EQUAL(out.len, n);
	if (out.len == n)
		CU_ASSERT(memcmp(out.data, want, n) == 0);
	buf_free(&out);
}

static void
test_primitives(void)
{
	static const uint8_t bits[] = { 0x0a, 0x3b, 0x5f, 0x29, 0x1c, 0xdf };
	struct ber_time	tm = { .year = 2026, .mon = 11, .day = 29, .hour = 8,
	    .min = 46, .sec = 5 };

	start(0);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 0);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 127);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 128);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), -128);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), -129);
	ber_put_int(&e, BER_APP(2), 51);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), INT64_MIN);
	expect_hex("02 01 00  02 01 7F  02 02 00 80  02 01 80  02 02 FF 7F"
	    "  42 01 33  02 08 80 00 00 00 00 00 00 00");

	start(0);
	ber_put_bool(&e, BER_UNIV(BER_BOOLEAN), true);
	ber_put_null(&e, BER_CTX(5));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), "2.100.3");
	ber_put_bits(&e, BER_UNIV(BER_BIT_STRING), bits, 44);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "AB", 2);
	ber_put_string(&e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, "GB", 2);
	ber_put_time(&e, BER_UNIV(BER_UTC_TIME), BER_UTC_TIME, &tm);
	tm.nsec = 120000000;
	ber_put_time(&e, BER_UNIV(BER_GENERALIZED_TIME),
	    BER_GENERALIZED_TIME, &tm);
	/* Unused bits of the BIT STRING come out zero (D0, not DF). */
	expect_hex("01 01 FF  85 00  06 03 81 34 03"
	    "  03 07 04 0A 3B 5F 29 1C D0  04 02 41 42  13 02 47 42"
	    "  17 0D 323631313239303834363035 5A"
	    "  18 12 3230323631313239303834363035 2E 3132 5A");
}

static void
test_high_tags_and_long_lengths(void)
{
	uint8_t	big[300];

	memset(big, 0x55, sizeof(big));
	start(0);
	ber_put_null(&e, BER_APP(31));
	ber_put_null(&e, BER_PRIV(201));
	ber_put_null(&e, BER_CTX(16384));
	expect_hex("5F 1F 00  DF 81 49 00  9F 81 80 00 00");

	start(0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), big, 200);
	ber_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	/* 30 81 CB 04 81 C8 ...: the outer length moved the contents up. */
	CU_ASSERT_EQUAL(out.len, 3 + 3 + 200);
	CU_ASSERT(memcmp(out.data, "\x30\x81\xcb\x04\x81\xc8", 6) == 0);
	buf_free(&out);

	start(0);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), big, 300);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	CU_ASSERT(memcmp(out.data, "\x04\x82\x01\x2c", 4) == 0);
	buf_free(&out);
}

/* The X.690 Annex A record, written in DER: the SET comes out sorted. */
static void
put_name(const char *g, const char *i, const char *f)
{
	ber_enc_begin(&e, BER_APP(1));
	ber_put_string(&e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    g, strlen(g));
	ber_put_string(&e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    i, strlen(i));
	ber_put_string(&e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    f, strlen(f));
	ber_enc_end(&e);
}

static void
put_personnel(void)
{
	ber_enc_begin_set(&e, BER_APP(0));
	put_name("John", "P", "Smith");
	ber_enc_begin(&e, BER_CTX(0));
	ber_put_string(&e, BER_UNIV(BER_VISIBLE_STRING), BER_VISIBLE_STRING,
	    "Director", 8);
	ber_enc_end(&e);
	ber_put_int(&e, BER_APP(2), 51);
	ber_enc_begin(&e, BER_CTX(1));
	ber_put_string(&e, BER_APP(3), BER_VISIBLE_STRING, "19710917", 8);
	ber_enc_end(&e);
	ber_enc_begin(&e, BER_CTX(2));
	put_name("Mary", "T", "Smith");
	ber_enc_end(&e);
	ber_enc_begin(&e, BER_CTX(3));
	ber_enc_begin_set(&e, BER_UNIV(BER_SET));
	put_name("Ralph", "T", "Smith");
	ber_enc_begin(&e, BER_CTX(0));
	ber_put_string(&e, BER_APP(3), BER_VISIBLE_STRING, "19571111", 8);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_begin_set(&e, BER_UNIV(BER_SET));
	put_name("Susan", "B", "Jones");
	ber_enc_begin(&e, BER_CTX(0));
	ber_put_string(&e, BER_APP(3), BER_VISIBLE_STRING, "19590717", 8);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
}

static void
test_x690_personnel_der(void)
{
	start(0);
	put_personnel();
	/* Tag order: [APPLICATION 1] [APPLICATION 2] [0] [1] [2] [3]. */
	expect_hex("60 81 85"
	    " 61 10 1A 04 4A6F686E 1A 01 50 1A 05 536D697468"
	    " 42 01 33"
	    " A0 0A 1A 08 4469726563746F72"
	    " A1 0A 43 08 3139373130393137"
	    " A2 12 61 10 1A 04 4D617279 1A 01 54 1A 05 536D697468"
	    " A3 42"
	    "  31 1F 61 11 1A 05 52616C7068 1A 01 54 1A 05 536D697468"
	    "   A0 0A 43 08 3139353731313131"
	    "  31 1F 61 11 1A 05 537573616E 1A 01 42 1A 05 4A6F6E6573"
	    "   A0 0A 43 08 3139353930373137");
}

static void
test_setof_sorted(void)
{
	start(0);
	ber_enc_begin_setof(&e, BER_UNIV(BER_SET));
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 300);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 2);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "\x01\x00", 2);
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 1);
	ber_enc_end(&e);
	/* By encoding: 02 01 01 < 02 01 02 < 02 02 01 2C < 04 02 01 00. */
	expect_hex("31 0E 02 01 01 02 01 02 02 02 01 2C 04 02 01 00");
}

/* Decode everything in out with mode; return 0 or the error code. */
static int
walk_all(enum ber_mode mode, size_t *count)
{
	struct ber_ctx		c;
	struct ber_reader	st[16];
	struct ber_tlv		t;
	const uint8_t		*p;
	size_t			 n;
	unsigned		 sp = 0;
	int			 k, rc = 0;

	*count = 0;
	ber_ctx_init(&c, mode, NULL, out.data, out.len);
	ber_reader_init(&st[0], &c);
	for (;;) {
		if ((k = ber_next(&st[sp], &t)) == -1)
			break;
		if (k == 0) {
			if (sp == 0)
				break;
			sp--;
			continue;
		}
		(*count)++;
		if (t.tag == BER_UNIV(BER_OCTET_STRING)) {
			if ((k = ber_get_octets(&c, &t, &p, &n)) == -1)
				break;
			continue;
		}
		if (t.constructed) {
			if (sp + 1 == 16 ||
			    (k = ber_enter(&st[sp], &t, &st[sp + 1])) == -1)
				break;
			sp++;
		}
	}
	if (k == -1)
		rc = (int)c.err.code;
	ber_ctx_free(&c);
	return rc;
}

static void
test_ber_variants(void)
{
	uint8_t	der[512];
	size_t	derlen, n, m;

	start(0);
	put_personnel();
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789ABCDEF!",
	    17);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	memcpy(der, out.data, out.len);
	derlen = out.len;
	CU_ASSERT_EQUAL(walk_all(BER_MODE_DER, &m), 0);
	buf_free(&out);

	/* Indefinite lengths: BER decodes the same elements; DER refuses. */
	start(BER_ENC_INDEFINITE);
	put_personnel();
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789ABCDEF!",
	    17);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	CU_ASSERT(out.len > derlen);
	CU_ASSERT_EQUAL(out.data[1], 0x80);
	CU_ASSERT_EQUAL(walk_all(BER_MODE_BER, &n), 0);
	CU_ASSERT_EQUAL(n, m);
	CU_ASSERT_EQUAL(walk_all(BER_MODE_DER, &n), BER_E_INDEFINITE);
	buf_free(&out);

	/* Shuffled SETs: same length, different bytes, reversed order. */
	start(BER_ENC_SHUFFLE);
	put_personnel();
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789ABCDEF!",
	    17);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	CU_ASSERT_EQUAL(out.len, derlen);
	CU_ASSERT(memcmp(out.data, der, derlen) != 0);
	CU_ASSERT_EQUAL(out.data[3], 0xa3);	/* [3] first now */
	CU_ASSERT_EQUAL(walk_all(BER_MODE_BER, &n), 0);
	CU_ASSERT_EQUAL(n, m);
	buf_free(&out);

	/* Segmented strings: constructed OCTET STRING of 8-byte parts. */
	start(BER_ENC_SEGMENTS);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789ABCDEF!",
	    17);
	expect_hex("24 17 04 08 3031323334353637 04 08 3839414243444546"
	    " 04 01 21");
	start(BER_ENC_SEGMENTS | BER_ENC_INDEFINITE);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789ABCDEF!",
	    17);
	CU_ASSERT_EQUAL(walk_all(BER_MODE_BER, &n), 0);
	CU_ASSERT_EQUAL(walk_all(BER_MODE_DER, &n), BER_E_INDEFINITE);
	expect_hex("24 80 04 08 3031323334353637 04 08 3839414243444546"
	    " 04 01 21 00 00");
}

static void
test_named_bits(void)
{
	uint8_t	b[2] = { 0xa0, 0x00 };

	/* '101'B named bits with SIZE(8..): trailing zeros to 8 bits. */
	start(0);
	ber_put_named_bits(&e, BER_UNIV(BER_BIT_STRING), b, 16, 0);
	ber_put_named_bits(&e, BER_UNIV(BER_BIT_STRING), b, 16, 8);
	b[0] = 0;
	ber_put_named_bits(&e, BER_UNIV(BER_BIT_STRING), b, 16, 0);
	expect_hex("03 02 05 A0  03 02 00 A0  03 01 00");
}

static void
test_errors_are_sticky(void)
{
	struct buf	small;
	struct ber_time	tm = { .year = 2050, .mon = 1, .day = 1 };

	buf_init(&small, 8);
	ber_enc_init(&e, &small, 0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "0123456789", 10);
	ber_put_null(&e, BER_UNIV(BER_NULL));
	ber_enc_end(&e);
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_BUDGET);
	buf_free(&small);

	start(0);
	ber_put_string(&e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, "a@b", 3);
	ber_put_null(&e, BER_UNIV(BER_NULL));
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_CHARSET);
	CU_ASSERT_EQUAL(out.len, 0);
	buf_free(&out);

	start(0);
	ber_put_time(&e, BER_UNIV(BER_UTC_TIME), BER_UTC_TIME, &tm);
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_TIME);
	buf_free(&out);

	start(0);
	ber_put_oid_text(&e, BER_UNIV(BER_OID), "1.2.x");
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_OID);
	buf_free(&out);

	start(0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);	/* left open */
	CU_ASSERT_EQUAL(e.err, BER_E_STATE);
	buf_free(&out);

	start(0);
	ber_enc_end(&e);				/* nothing open */
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	buf_free(&out);

	start(0);
	ber_put_bigint(&e, BER_UNIV(BER_INTEGER),
	    (const uint8_t *)"\x00\x01", 2);
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_INTEGER);
	buf_free(&out);

	/* Raw bytes that are not BER inside a SET cannot be sorted. */
	start(0);
	ber_enc_begin_set(&e, BER_UNIV(BER_SET));
	ber_put_raw(&e, "\x02\x05\x00", 3);
	ber_put_null(&e, BER_UNIV(BER_NULL));
	ber_enc_end(&e);
	CU_ASSERT_EQUAL(ber_enc_finish(&e), -1);
	CU_ASSERT_EQUAL(e.err, BER_E_STATE);
	buf_free(&out);
}

/* decode(encode(x)) == x for every typed value. */
static void
test_round_trip_values(void)
{
	static const int64_t	ints[] = { 0, 1, -1, 127, 128, -128, -129,
	    255, 256, 65535, -65536, INT32_MAX, INT32_MIN, INT64_MAX,
	    INT64_MIN };
	static const char *const oids[] = { "0.0", "1.2.840.113549.1.9.16.2.2",
	    "2.999", "1.3.26.0.4406.0.2.6", "2.16.840.1.101.2.1.8.3.0" };
	struct ber_ctx		c;
	struct ber_reader	r;
	struct ber_tlv		t;
	struct ber_oid		o;
	struct ber_time		tm = { .year = 1999, .mon = 12, .day = 31,
	    .hour = 23, .min = 59, .sec = 59, .nsec = 1 }, got;
	char			s[BER_OID_TEXT_MAX];
	int64_t			v;
	size_t			i;

	start(0);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		ber_put_int(&e, BER_UNIV(BER_INTEGER), ints[i]);
	for (i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		ber_put_oid_text(&e, BER_UNIV(BER_OID), oids[i]);
	ber_put_time(&e, BER_UNIV(BER_GENERALIZED_TIME),
	    BER_GENERALIZED_TIME, &tm);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);

	ber_ctx_init(&c, BER_MODE_DER, NULL, out.data, out.len);
	ber_reader_init(&r, &c);
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		CU_ASSERT_EQUAL(ber_expect(&r, BER_UNIV(BER_INTEGER), &t), 0);
		CU_ASSERT_EQUAL(ber_get_int(&c, &t, INT64_MIN, INT64_MAX, &v),
		    0);
		CU_ASSERT_EQUAL(v, ints[i]);
	}
	for (i = 0; i < sizeof(oids) / sizeof(oids[0]); i++) {
		CU_ASSERT_EQUAL(ber_expect(&r, BER_UNIV(BER_OID), &t), 0);
		CU_ASSERT_EQUAL(ber_get_oid(&c, &t, &o), 0);
		CU_ASSERT_EQUAL(ber_oid_text(&o, s, sizeof(s)), 0);
		CU_ASSERT_STRING_EQUAL(s, oids[i]);
	}
	CU_ASSERT_EQUAL(ber_expect(&r, BER_UNIV(BER_GENERALIZED_TIME), &t), 0);
	CU_ASSERT_EQUAL(ber_get_time(&c, &t, BER_GENERALIZED_TIME, &got), 0);
	CU_ASSERT_EQUAL(got.nsec, 1);
	CU_ASSERT_EQUAL(got.sec, 59);
	CU_ASSERT_EQUAL(ber_end(&r), 0);
	ber_ctx_free(&c);
	buf_free(&out);
}

static const struct unit_test tests[] = {
	{ "primitive values", test_primitives },
	{ "high tags and long lengths",
	    test_high_tags_and_long_lengths },
	{ "X.690 Annex A record in DER", test_x690_personnel_der },
	{ "SET OF sorted by encoding", test_setof_sorted },
	{ "BER variants decode alike", test_ber_variants },
	{ "named bit lists", test_named_bits },
	{ "errors are sticky", test_errors_are_sticky },
	{ "round trips", test_round_trip_values },
	{ NULL, NULL }
};
UNIT_SUITE(ber_enc, "ber-encode", tests);
