/*
 * test_ber_dec.c - the BER/DER cursor: headers, lengths, nesting,
 * indefinite lengths, limits, SET matching, and the error of every class
 * with its offset.
 */
#include <string.h>

#include "filters/ber/ber.h"
#include "tests/unit/unit.h"

static uint8_t	in[4096];
static size_t	inlen;

/* Decode hex as exactly one TLV; return 0 or the error code. */
static int
one(const char *hex, enum ber_mode mode, struct ber_ctx *c,
    struct ber_tlv *t)
{
	inlen = unit_hex(hex, in, sizeof(in));
	ber_ctx_init(c, mode, NULL, in, inlen);
	if (ber_decode_one(c, t) == -1)
		return (int)c->err.code;
	return 0;
}

/* Expect a decode error of this code at this offset. */
static void
expect_err(const char *hex, enum ber_mode mode, enum ber_err code,
    size_t offset)
{
	struct ber_ctx	c;
	struct ber_tlv	t;

	CU_ASSERT_EQUAL(one(hex, mode, &c, &t), (int)code);
	CU_ASSERT_EQUAL(c.err.offset, offset);
	CU_ASSERT(strncmp(c.err.text, "offset ", 7) == 0);
	ber_ctx_free(&c);
}

static void
test_short_and_long_lengths(void)
{
	struct ber_ctx	c;
	struct ber_tlv	t;
	char		hex[2 * 300 + 16];
	size_t		i;

	CU_ASSERT_EQUAL(one("04 03 01 02 03", BER_MODE_DER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.tag, BER_UNIV(BER_OCTET_STRING));
	CU_ASSERT_FALSE(t.constructed);
	CU_ASSERT_EQUAL(t.len, 3);
	CU_ASSERT_EQUAL(t.val, in + 2);
	CU_ASSERT_EQUAL(t.rawlen, 5);
	ber_ctx_free(&c);

	/* X.690 8.1.3.5 example: L = 201 is 81 C9. */
	memcpy(hex, "04 81 C9", 8);
	for (i = 0; i < 201; i++)
		memcpy(hex + 8 + 2 * i, "00", 2);
	hex[8 + 2 * 201] = '\0';
	CU_ASSERT_EQUAL(one(hex, BER_MODE_DER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.len, 201);
	CU_ASSERT_EQUAL(t.val - t.raw, 3);
	ber_ctx_free(&c);
}

static void
test_nonminimal_length_ber_only(void)
{
	struct ber_ctx	c;
	struct ber_tlv	t;

	/* Long form for a short length, and a leading zero: BER allows. */
	CU_ASSERT_EQUAL(one("04 81 02 AA BB", BER_MODE_BER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.len, 2);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(one("04 82 00 02 AA BB", BER_MODE_BER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.len, 2);
	ber_ctx_free(&c);
	expect_err("04 81 02 AA BB", BER_MODE_DER, BER_E_LENGTH, 0);
	expect_err("04 82 00 02 AA BB", BER_MODE_DER, BER_E_LENGTH, 2);
	/* Reserved 0xFF, and lengths wider than size_t. */
	expect_err("04 FF 00", BER_MODE_BER, BER_E_LENGTH, 1);
	expect_err("04 89 01 00 00 00 00 00 00 00 00 00", BER_MODE_BER,
	    BER_E_LENGTH, 2);
}

static void
test_high_tag_numbers(void)
{
	struct ber_ctx	c;
	struct ber_tlv	t;

	/* [APPLICATION 31] and [PRIVATE 201] in long form. */
	CU_ASSERT_EQUAL(one("5F 1F 01 00", BER_MODE_DER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.tag, BER_APP(31));
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(one("DF 81 49 00", BER_MODE_DER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.tag, BER_PRIV(201));
	ber_ctx_free(&c);
	/* Leading zero septet, long form below 31, and beyond 28 bits. */
	expect_err("9F 80 1F 00", BER_MODE_BER, BER_E_TAG, 1);
	expect_err("9F 1E 00", BER_MODE_BER, BER_E_TAG, 0);
	expect_err("9F 81 80 80 80 00 00", BER_MODE_BER, BER_E_TAG, 0);
	expect_err("9F 81", BER_MODE_BER, BER_E_TRUNCATED, 2);
}

static void
test_truncation_and_overrun(void)
{
	expect_err("", BER_MODE_BER, BER_E_TRUNCATED, 0);
	expect_err("04", BER_MODE_BER, BER_E_TRUNCATED, 0);
	expect_err("04 05 00 00", BER_MODE_BER, BER_E_OVERRUN, 0);
	expect_err("04 82 01", BER_MODE_BER, BER_E_TRUNCATED, 2);
	/* Inner length runs past its parent's end, though not the input's. */
	expect_err("30 03 04 04 00 00 00 00 00", BER_MODE_BER,
	    BER_E_TRAILING, 5);
	{
		struct ber_ctx		c;
		struct ber_tlv		t, u;
		struct ber_reader	r, k;

		inlen = unit_hex("30 03 04 04 00 00 00 00 00", in, sizeof(in));
		ber_ctx_init(&c, BER_MODE_BER, NULL, in, inlen);
		ber_reader_init(&r, &c);
		CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
		CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
		CU_ASSERT_EQUAL(ber_next(&k, &u), -1);
		CU_ASSERT_EQUAL(c.err.code, BER_E_OVERRUN);
		CU_ASSERT_EQUAL(c.err.offset, 2);
		ber_ctx_free(&c);
	}
	expect_err("04 01 00 00", BER_MODE_BER, BER_E_TRAILING, 3);
}

static void
test_form_rules(void)
{
	/* INTEGER constructed, SEQUENCE primitive. */
	expect_err("22 03 02 01 00", BER_MODE_BER, BER_E_FORM, 0);
	expect_err("10 00", BER_MODE_BER, BER_E_FORM, 0);
	/* Indefinite length on a primitive, and in DER. */
	expect_err("04 80 00 00", BER_MODE_BER, BER_E_INDEFINITE, 0);
	expect_err("30 80 00 00", BER_MODE_DER, BER_E_INDEFINITE, 0);
}

static void
test_indefinite_lengths(void)
{
	struct ber_ctx		c;
	struct ber_tlv		t, u;
	struct ber_reader	r, k, k2;

	/* SEQUENCE { SEQUENCE (indef) { INTEGER 5 }, NULL } (indef). */
	CU_ASSERT_EQUAL(one("30 80 30 80 02 01 05 00 00 05 00 00 00",
	    BER_MODE_BER, &c, &t), 0);
	CU_ASSERT_TRUE(t.indefinite);
	CU_ASSERT_EQUAL(t.len, 9);
	CU_ASSERT_EQUAL(t.rawlen, 13);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	CU_ASSERT_EQUAL(ber_next(&k, &u), 1);
	CU_ASSERT_TRUE(u.indefinite);
	CU_ASSERT_EQUAL(u.len, 3);
	CU_ASSERT_EQUAL(ber_enter(&k, &u, &k2), 0);
	CU_ASSERT_EQUAL(ber_expect(&k2, BER_UNIV(BER_INTEGER), &u), 0);
	CU_ASSERT_EQUAL(ber_end(&k2), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_UNIV(BER_NULL), &u), 0);
	CU_ASSERT_EQUAL(ber_next(&k, &u), 0);
	CU_ASSERT_EQUAL(ber_next(&r, &u), 0);
	ber_ctx_free(&c);

	/* Missing EOC; EOC with a length; EOC at top level. */
	expect_err("30 80 02 01 05", BER_MODE_BER, BER_E_TRUNCATED, 0);
	expect_err("30 80 02 01 05 00 01", BER_MODE_BER, BER_E_EOC, 5);
	expect_err("00 00", BER_MODE_BER, BER_E_EOC, 0);
	expect_err("30 03 02 01 05 00 00", BER_MODE_BER, BER_E_TRAILING, 5);
	/* EOC inside a definite-length value. */
	{
		struct ber_reader	rr, kk;

		inlen = unit_hex("30 05 00 00 02 01 05", in, sizeof(in));
		ber_ctx_init(&c, BER_MODE_BER, NULL, in, inlen);
		ber_reader_init(&rr, &c);
		CU_ASSERT_EQUAL(ber_next(&rr, &t), 1);
		CU_ASSERT_EQUAL(ber_enter(&rr, &t, &kk), 0);
		CU_ASSERT_EQUAL(ber_next(&kk, &u), -1);
		CU_ASSERT_EQUAL(c.err.code, BER_E_EOC);
		CU_ASSERT_EQUAL(c.err.offset, 2);
		ber_ctx_free(&c);
	}
}

static void
test_depth_limit(void)
{
	struct ber_limits	 lim;
	struct ber_ctx		 c;
	struct ber_tlv		 t;
	struct ber_reader	 r[8];
	unsigned		 i;

	ber_limits_default(&lim);
	lim.max_depth = 3;
	/* Four nested SEQUENCEs, definite: the fourth cannot be entered. */
	inlen = unit_hex("30 06 30 04 30 02 30 00", in, sizeof(in));
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, inlen);
	ber_reader_init(&r[0], &c);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(ber_next(&r[i], &t), 1);
		CU_ASSERT_EQUAL(ber_enter(&r[i], &t, &r[i + 1]), 0);
	}
	CU_ASSERT_EQUAL(ber_next(&r[3], &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r[3], &t, &r[4]), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_DEPTH);
	CU_ASSERT_EQUAL(c.err.offset, 6);
	ber_ctx_free(&c);

	/* Indefinite nesting is refused while scanning, before entering. */
	inlen = unit_hex("30 80 30 80 30 80 30 80 00 00 00 00 00 00 00 00",
	    in, sizeof(in));
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, inlen);
	CU_ASSERT_EQUAL(ber_decode_one(&c, &t), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_DEPTH);
	CU_ASSERT_EQUAL(c.err.offset, 6);
	ber_ctx_free(&c);
}

static void
test_count_and_work_limits(void)
{
	struct ber_limits	 lim;
	struct ber_ctx		 c;
	struct ber_tlv		 t;
	struct ber_reader	 r, k;
	int			 n;

	ber_limits_default(&lim);
	lim.max_elements = 3;
	inlen = unit_hex("30 08 05 00 05 00 05 00 05 00", in, sizeof(in));
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, inlen);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	while ((n = ber_next(&k, &t)) == 1)
		;
	CU_ASSERT_EQUAL(n, -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_COUNT);
	CU_ASSERT_EQUAL(c.err.offset, 8);
	ber_ctx_free(&c);

	/* Indefinite-length scans are charged per header read. */
	ber_limits_default(&lim);
	lim.max_work = 4;
	inlen = unit_hex("30 80 05 00 05 00 05 00 05 00 00 00", in,
	    sizeof(in));
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, inlen);
	CU_ASSERT_EQUAL(ber_decode_one(&c, &t), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_WORK);
	CU_ASSERT_EQUAL(c.err.offset, 10);
	ber_ctx_free(&c);
	lim.max_work = 5;
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, inlen);
	CU_ASSERT_EQUAL(ber_decode_one(&c, &t), 0);
	ber_ctx_free(&c);
}

static void
test_expect_optional_end(void)
{
	struct ber_ctx		c;
	struct ber_tlv		t, u;
	struct ber_reader	r, k;

	/* SEQUENCE { INTEGER 1, [0] NULL } */
	CU_ASSERT_EQUAL(one("30 05 02 01 01 80 00", BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	CU_ASSERT_EQUAL(ber_optional(&k, BER_UNIV(BER_BOOLEAN), &u), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_UNIV(BER_INTEGER), &u), 0);
	CU_ASSERT_EQUAL(ber_optional(&k, BER_CTX(0), &u), 1);
	CU_ASSERT_EQUAL(ber_optional(&k, BER_CTX(1), &u), 0);
	CU_ASSERT_EQUAL(ber_end(&k), 0);
	ber_ctx_free(&c);

	/* Wrong tag, missing component, trailing component. */
	CU_ASSERT_EQUAL(one("30 05 02 01 01 80 00", BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_UNIV(BER_OID), &u), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_EQUAL(c.err.offset, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err.text,
	    "expected OBJECT IDENTIFIER, found INTEGER"));
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("30 03 02 01 01", BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_UNIV(BER_INTEGER), &u), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_CTX(0), &u), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_MISSING);
	CU_ASSERT_EQUAL(c.err.offset, 5);
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("30 05 02 01 01 80 00", BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &k), 0);
	CU_ASSERT_EQUAL(ber_expect(&k, BER_UNIV(BER_INTEGER), &u), 0);
	CU_ASSERT_EQUAL(ber_end(&k), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_TRAILING);
	CU_ASSERT_EQUAL(c.err.offset, 5);
	ber_ctx_free(&c);
}

/*
 * X.690 Annex A: the PersonnelRecord, in the order the example gives
 * (name, title, number, dateOfHire, nameOfSpouse, children) - legal BER
 * but not DER, whose SET order is by tag.
 */
static const char personnel[] =
    "60 81 85"
    " 61 10 1A 04 4A6F686E 1A 01 50 1A 05 536D697468"
    " A0 0A 1A 08 4469726563746F72"
    " 42 01 33"
    " A1 0A 43 08 3139373130393137"
    " A2 12 61 10 1A 04 4D617279 1A 01 54 1A 05 536D697468"
    " A3 42"
    "  31 1F 61 11 1A 05 52616C7068 1A 01 54 1A 05 536D697468"
    "   A0 0A 43 08 3139353731313131"
    "  31 1F 61 11 1A 05 537573616E 1A 01 42 1A 05 4A6F6E6573"
    "   A0 0A 43 08 3139353930373137";

enum { F_NAME, F_TITLE, F_NUMBER, F_HIRE, F_SPOUSE, F_CHILDREN, F__N };

static void
personnel_fields(struct ber_set_field *f)
{
	memset(f, 0, sizeof(*f) * F__N);
	f[F_NAME] = (struct ber_set_field){ { BER_APP(1) }, 1, true, "name",
	    false, { 0 } };
	f[F_TITLE] = (struct ber_set_field){ { BER_CTX(0) }, 1, true,
	    "title", false, { 0 } };
	f[F_NUMBER] = (struct ber_set_field){ { BER_APP(2) }, 1, true,
	    "number", false, { 0 } };
	f[F_HIRE] = (struct ber_set_field){ { BER_CTX(1) }, 1, true,
	    "dateOfHire", false, { 0 } };
	f[F_SPOUSE] = (struct ber_set_field){ { BER_CTX(2) }, 1, true,
	    "nameOfSpouse", false, { 0 } };
	f[F_CHILDREN] = (struct ber_set_field){ { BER_CTX(3) }, 1, false,
	    "children", false, { 0 } };
}

static void
test_x690_personnel_record(void)
{
	struct ber_ctx		 c;
	struct ber_tlv		 t, u;
	struct ber_reader	 r, set, seq;
	struct ber_set_field	 f[F__N];
	struct ber_str		 s;
	int64_t			 num;

	CU_ASSERT_EQUAL(one(personnel, BER_MODE_BER, &c, &t), 0);
	CU_ASSERT_EQUAL(t.tag, BER_APP(0));
	CU_ASSERT_EQUAL(t.len, 0x85);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	personnel_fields(f);
	CU_ASSERT_EQUAL_FATAL(ber_set_decode(&set, f, F__N), 0);
	CU_ASSERT_TRUE(f[F_CHILDREN].present);
	CU_ASSERT_EQUAL(ber_get_int(&c, &f[F_NUMBER].tlv, 0, 1000, &num), 0);
	CU_ASSERT_EQUAL(num, 51);
	/* title [0] is explicit: VisibleString inside. */
	CU_ASSERT_EQUAL(ber_enter(&set, &f[F_TITLE].tlv, &seq), 0);
	CU_ASSERT_EQUAL(ber_expect(&seq, BER_UNIV(BER_VISIBLE_STRING), &u),
	    0);
	CU_ASSERT_EQUAL(ber_get_string(&c, &u, BER_VISIBLE_STRING, &s), 0);
	CU_ASSERT_EQUAL(s.len, 8);
	CU_ASSERT(memcmp(s.bytes, "Director", 8) == 0);
	ber_ctx_free(&c);

	/* The same bytes are not DER: the SET is out of tag order. */
	CU_ASSERT_EQUAL(one(personnel, BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	personnel_fields(f);
	CU_ASSERT_EQUAL(ber_set_decode(&set, f, F__N), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_ORDER);
	CU_ASSERT_EQUAL(c.err.offset, 33);	/* number after title */
	ber_ctx_free(&c);
}

static void
test_set_duplicates_missing_unknown(void)
{
	struct ber_ctx		 c;
	struct ber_tlv		 t;
	struct ber_reader	 r, set;
	struct ber_set_field	 f[2] = {
		{ { BER_CTX(0), BER_UNIV(BER_OID) }, 2, true, "a", false,
		    { 0 } },
		{ { BER_CTX(1) }, 1, false, "b", false, { 0 } },
	};

	/* Alternatives: an untagged CHOICE matched by either tag. */
	CU_ASSERT_EQUAL(one("31 03 06 01 2A", BER_MODE_DER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	CU_ASSERT_EQUAL(ber_set_decode(&set, f, 2), 0);
	CU_ASSERT_TRUE(f[0].present);
	CU_ASSERT_FALSE(f[1].present);
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("31 06 81 00 80 00 81 00", BER_MODE_BER, &c, &t),
	    0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	CU_ASSERT_EQUAL(ber_set_decode(&set, f, 2), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_DUPLICATE);
	CU_ASSERT_EQUAL(c.err.offset, 6);
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("31 02 81 00", BER_MODE_BER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	CU_ASSERT_EQUAL(ber_set_decode(&set, f, 2), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_MISSING);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err.text, "component a absent"));
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("31 04 80 00 82 00", BER_MODE_BER, &c, &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter(&r, &t, &set), 0);
	CU_ASSERT_EQUAL(ber_set_decode(&set, f, 2), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_EQUAL(c.err.offset, 4);
	ber_ctx_free(&c);
}

static void
test_setof_order_der(void)
{
	struct ber_ctx		c;
	struct ber_tlv		t;
	struct ber_reader	r, k;
	int			n;

	/* SET OF INTEGER {2, 1}: fine in BER, out of order in DER. */
	CU_ASSERT_EQUAL(one("31 06 02 01 02 02 01 01", BER_MODE_BER, &c, &t),
	    0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter_setof(&r, &t, &k), 0);
	while ((n = ber_next(&k, &t)) == 1)
		;
	CU_ASSERT_EQUAL(n, 0);
	ber_ctx_free(&c);

	CU_ASSERT_EQUAL(one("31 06 02 01 02 02 01 01", BER_MODE_DER, &c, &t),
	    0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter_setof(&r, &t, &k), 0);
	while ((n = ber_next(&k, &t)) == 1)
		;
	CU_ASSERT_EQUAL(n, -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_ORDER);
	CU_ASSERT_EQUAL(c.err.offset, 5);
	ber_ctx_free(&c);

	/* Equal elements are allowed; shorter sorts first when padded. */
	CU_ASSERT_EQUAL(one("31 07 04 00 04 01 00 04 00", BER_MODE_DER, &c,
	    &t), 0);
	ber_reader_init(&r, &c);
	CU_ASSERT_EQUAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(ber_enter_setof(&r, &t, &k), 0);
	while ((n = ber_next(&k, &t)) == 1)
		;
	CU_ASSERT_EQUAL(n, -1);	/* 04 01 00 then 04 00: out of order */
	CU_ASSERT_EQUAL(c.err.code, BER_E_ORDER);
	ber_ctx_free(&c);
}

static void
test_errstr_covers_every_code(void)
{
	int	e;

	for (e = 0; e < BER_E__COUNT; e++) {
		CU_ASSERT_PTR_NOT_NULL(ber_errstr((enum ber_err)e));
		CU_ASSERT(strcmp(ber_errstr((enum ber_err)e),
		    "unknown error") != 0);
	}
	CU_ASSERT_STRING_EQUAL(ber_errstr(BER_E__COUNT), "unknown error");
}

static void
test_arena_budget(void)
{
	struct ber_limits	 lim;
	struct ber_ctx		 c;
	void			*p;

	ber_limits_default(&lim);
	lim.max_alloc = 100;
	ber_ctx_init(&c, BER_MODE_BER, &lim, in, 0);
	CU_ASSERT_PTR_NOT_NULL(ber_alloc(&c, 60, NULL));
	CU_ASSERT_PTR_NOT_NULL(p = ber_alloc(&c, 40, NULL));
	memset(p, 1, 40);
	CU_ASSERT_PTR_NULL(ber_alloc(&c, 1, NULL));
	CU_ASSERT_EQUAL(c.err.code, BER_E_BUDGET);
	CU_ASSERT_PTR_NULL(ber_alloc(&c, SIZE_MAX, NULL));
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(c.allocated, 0);
}

static void
test_tag_names(void)
{
	char	s[32];

	CU_ASSERT_EQUAL(ber_tag_name(BER_UNIV(BER_SEQUENCE), s, sizeof(s)),
	    0);
	CU_ASSERT_STRING_EQUAL(s, "SEQUENCE");
	CU_ASSERT_EQUAL(ber_tag_name(BER_APP(4), s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "[APPLICATION 4]");
	CU_ASSERT_EQUAL(ber_tag_name(BER_CTX(3), s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "[3]");
	CU_ASSERT_EQUAL(ber_tag_name(BER_UNIV(29), s, sizeof(s)), 0);
	CU_ASSERT_STRING_EQUAL(s, "[UNIVERSAL 29]");
	CU_ASSERT_EQUAL(ber_tag_name(BER_PRIV(99), s, 4), -1);
}

static void
test_origin_offsets(void)
{
	struct ber_ctx	c;
	struct ber_tlv	t;

	inlen = unit_hex("04 05 00", in, sizeof(in));
	ber_ctx_init(&c, BER_MODE_BER, NULL, in, inlen);
	c.origin = 1000;
	CU_ASSERT_EQUAL(ber_decode_one(&c, &t), -1);
	CU_ASSERT_EQUAL(c.err.offset, 1000);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err.text, "offset 1000: "));
	ber_ctx_free(&c);
}

static const struct unit_test tests[] = {
	{ "short and long lengths (X.690 8.1.3)",
	    test_short_and_long_lengths },
	{ "non-minimal lengths: BER yes, DER no",
	    test_nonminimal_length_ber_only },
	{ "high tag numbers", test_high_tag_numbers },
	{ "truncation and overruns", test_truncation_and_overrun },
	{ "primitive/constructed rules", test_form_rules },
	{ "indefinite lengths", test_indefinite_lengths },
	{ "depth limit", test_depth_limit },
	{ "element count and work limits",
	    test_count_and_work_limits },
	{ "expect, optional, end", test_expect_optional_end },
	{ "X.690 Annex A PersonnelRecord",
	    test_x690_personnel_record },
	{ "SET duplicates, missing, unknown",
	    test_set_duplicates_missing_unknown },
	{ "SET OF order in DER", test_setof_order_der },
	{ "every error code has a name",
	    test_errstr_covers_every_code },
	{ "arena budget", test_arena_budget },
	{ "tag names", test_tag_names },
	{ "offsets shifted by origin", test_origin_offsets },
	{ NULL, NULL }
};
UNIT_SUITE(ber_dec, "ber-decode", tests);
