/*
 * test_charset.c - X.400 text to UTF-8 and back.
 */
#include <iconv.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "filters/x400/charset.h"
#include "tests/unit/unit.h"

static struct ber_ctx	c;

static int
conv(enum x400_cs cs, const char *in, size_t n, struct x400_text *t)
{
	ber_ctx_init(&c, BER_MODE_BER, NULL, in, n);
	return x400_to_utf8(&c, (const uint8_t *)in, cs, (const uint8_t *)in,
	    n, t);
}

static void
test_t61_to_utf8(void)
{
	struct x400_text	t;

	/* "Café" with a precomposed é (C2 + e), a'currency sign 0xA8. */
	CU_ASSERT_EQUAL_FATAL(conv(X400_CS_T61, "Caf\xc2" "e \xa8", 7, &t), 0);
	CU_ASSERT_EQUAL(t.len, 8);
	CU_ASSERT(memcmp(t.utf8, "Caf\xc3\xa9 \xc2\xa4", 8) == 0);
	CU_ASSERT_EQUAL(t.cs, X400_CS_T61);
	ber_ctx_free(&c);
	/* No precomposed form: base letter plus combining mark. */
	CU_ASSERT_EQUAL_FATAL(conv(X400_CS_T61, "\xc8q", 2, &t), 0);
	CU_ASSERT_EQUAL(t.len, 3);
	CU_ASSERT(memcmp(t.utf8, "q\xcc\x88", 3) == 0);
	ber_ctx_free(&c);
	/* Refused: escape sequences, lone diacritics, undefined bytes. */
	CU_ASSERT_EQUAL(conv(X400_CS_T61, "A\x1b(B", 4, &t), -1);
	CU_ASSERT_EQUAL(c.err.code, BER_E_CHARSET);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(conv(X400_CS_T61, "A\xc2", 2, &t), -1);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(conv(X400_CS_T61, "#", 1, &t), -1);
	ber_ctx_free(&c);
}

/* Every single T.61 byte agrees with the C library's converter. */
static void
test_t61_matches_iconv(void)
{
	struct x400_text	 t;
	iconv_t			 cd;
	char			 in[2], out[16], *ip, *op;
	size_t			 il, ol;
	unsigned		 b;

	if ((cd = iconv_open("UTF-8", "T.61-8BIT")) == (iconv_t)-1) {
		CU_FAIL("no T.61-8BIT converter");
		return;
	}
	for (b = 0xa0; b < 0x100; b++) {
		if (b >= 0xc1 && b <= 0xcf)
			continue;
		in[0] = (char)b;
		if (conv(X400_CS_T61, in, 1, &t) == -1) {
			ber_ctx_free(&c);
			continue;
		}
		ip = in;
		il = 1;
		op = out;
		ol = sizeof(out);
		(void)iconv(cd, NULL, NULL, NULL, NULL);
		CU_ASSERT_NOT_EQUAL_FATAL(iconv(cd, &ip, &il, &op, &ol),
		    (size_t)-1);
		CU_ASSERT_EQUAL(t.len, (size_t)(op - out));
		CU_ASSERT(memcmp(t.utf8, out, t.len) == 0);
		ber_ctx_free(&c);
	}
	iconv_close(cd);
}

static void
test_other_sets(void)
{
	struct x400_text	t;
	uint8_t			back[32];
	size_t			n;

	CU_ASSERT_EQUAL_FATAL(conv(X400_CS_BMP, "\x00" "A\x20\xac", 4, &t), 0);
	CU_ASSERT_EQUAL(t.len, 4);
	CU_ASSERT(memcmp(t.utf8, "A\xe2\x82\xac", 4) == 0);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL_FATAL(conv(X400_CS_UCS4, "\x00\x01\xf6\x00", 4, &t),
	    0);
	CU_ASSERT(memcmp(t.utf8, "\xf0\x9f\x98\x80", 4) == 0);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL_FATAL(conv(X400_CS_LATIN1, "caf\xe9", 4, &t), 0);
	CU_ASSERT(memcmp(t.utf8, "caf\xc3\xa9", 5) == 0);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(conv(X400_CS_ASCII, "a\x80", 2, &t), -1);
	ber_ctx_free(&c);
	CU_ASSERT_EQUAL(conv(X400_CS_UTF8, "\xc0\xaf", 2, &t), -1);
	ber_ctx_free(&c);

	/* And back. */
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_T61, "Caf\xc3\xa9", 5, back,
	    sizeof(back), &n), 0);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT(memcmp(back, "Caf\xc2" "e", 5) == 0);
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_LATIN1, "\xc3\xa9", 2, back,
	    sizeof(back), &n), 0);
	CU_ASSERT_EQUAL(back[0], 0xe9);
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_ASCII, "\xc3\xa9", 2, back,
	    sizeof(back), &n), -1);
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_BMP, "\xf0\x9f\x98\x80", 4,
	    back, sizeof(back), &n), -1);
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_T61, "\xe2\x82\xac", 3, back,
	    sizeof(back), &n), -1);	/* no euro sign in T.61 */
	CU_ASSERT_EQUAL(x400_from_utf8(X400_CS_IA5, "abc", 3, back, 2, &n),
	    -1);			/* does not fit */
}

static const struct unit_test tests[] = {
	{ "T.61 to UTF-8", test_t61_to_utf8 },
	{ "T.61 agrees with iconv", test_t61_matches_iconv },
	{ "BMP, UCS-4, Latin-1, and back", test_other_sets },
	{ NULL, NULL }
};
UNIT_SUITE(charset, "x400-charset", tests);
