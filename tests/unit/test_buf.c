/*
 * test_buf.c - the bounded byte buffer.
 */
#include <string.h>

#include "guard/common/buf.h"
#include "tests/unit/unit.h"

static void
test_buf_grows_to_max(void)
{
	struct buf	b;
	uint8_t		chunk[100];
	int		i;

	memset(chunk, 0xab, sizeof(chunk));
	buf_init(&b, 1000);
	for (i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(buf_add(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(b.len, 1000);
	CU_ASSERT(b.cap <= 1000);
	/* One byte more is refused and changes nothing. */
	CU_ASSERT_EQUAL(buf_add_byte(&b, 1), -1);
	CU_ASSERT_EQUAL(b.len, 1000);
	CU_ASSERT_EQUAL(b.data[999], 0xab);
	buf_free(&b);
	CU_ASSERT_PTR_NULL(b.data);
}

static void
test_buf_overflowing_size(void)
{
	struct buf	b;

	buf_init(&b, 64);
	CU_ASSERT_EQUAL(buf_add_byte(&b, 7), 0);
	CU_ASSERT_EQUAL(buf_reserve(&b, SIZE_MAX), -1);
	CU_ASSERT_EQUAL(buf_reserve(&b, 63), 0);
	CU_ASSERT_EQUAL(buf_reserve(&b, 64), -1);
	buf_free(&b);
}

static void
test_buf_insert_gap(void)
{
	struct buf	b;

	buf_init(&b, 16);
	CU_ASSERT_EQUAL(buf_add(&b, "abcdef", 6), 0);
	CU_ASSERT_EQUAL(buf_insert_gap(&b, 2, 3), 0);
	memcpy(b.data + 2, "XYZ", 3);
	CU_ASSERT_EQUAL(b.len, 9);
	CU_ASSERT(memcmp(b.data, "abXYZcdef", 9) == 0);
	CU_ASSERT_EQUAL(buf_insert_gap(&b, 10, 1), -1);
	CU_ASSERT_EQUAL(buf_insert_gap(&b, 0, 8), -1);
	buf_truncate(&b, 4);
	CU_ASSERT_EQUAL(b.len, 4);
	buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	buf_free(&b);
}

static const struct unit_test tests[] = {
	{ "grows to its maximum and no further", test_buf_grows_to_max },
	{ "refuses sizes that overflow", test_buf_overflowing_size },
	{ "opens gaps and truncates", test_buf_insert_gap },
	{ NULL, NULL }
};
UNIT_SUITE(buf, "buf", tests);
