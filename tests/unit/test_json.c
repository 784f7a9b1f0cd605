/*
 * test_json.c - the JSON writer.
 */
#include <string.h>

#include "guard/common/buf.h"
#include "guard/common/json.h"
#include "tests/unit/unit.h"

static void
test_json_nesting_and_escapes(void)
{
	struct buf	b;
	struct json	j;
	const char	*want = "{\"a\":1,\"b\":[true,null,\"x\\\"y\\\\z\\n"
			    "\\u0001\"],\"c\":{},\"d\":-5}";

	buf_init(&b, 1024);
	json_init(&j, &b);
	json_obj_begin(&j);
	json_kint(&j, "a", 1);
	json_key(&j, "b");
	json_arr_begin(&j);
	json_bool(&j, true);
	json_null(&j);
	json_str(&j, "x\"y\\z\n\001");
	json_arr_end(&j);
	json_key(&j, "c");
	json_obj_begin(&j);
	json_obj_end(&j);
	json_kint(&j, "d", -5);
	json_obj_end(&j);
	CU_ASSERT_EQUAL_FATAL(json_finish(&j), 0);
	CU_ASSERT_EQUAL(b.len, strlen(want));
	CU_ASSERT(b.len == strlen(want) && memcmp(b.data, want, b.len) == 0);
	buf_free(&b);
}

static void
test_json_errors(void)
{
	struct buf	b;
	struct json	j;
	int		i;

	buf_init(&b, 8);
	json_init(&j, &b);
	json_str(&j, "longer than eight bytes");
	CU_ASSERT_EQUAL(json_finish(&j), -1);
	buf_free(&b);

	buf_init(&b, 1024);
	json_init(&j, &b);
	json_obj_begin(&j);
	CU_ASSERT_EQUAL(json_finish(&j), -1);		/* left open */
	buf_free(&b);

	buf_init(&b, 1024);
	json_init(&j, &b);
	for (i = 0; i < JSON_MAX_DEPTH + 1; i++)
		json_arr_begin(&j);
	CU_ASSERT_EQUAL(json_finish(&j), -1);		/* too deep */
	buf_free(&b);
}

static const struct unit_test tests[] = {
	{ "nesting and escapes", test_json_nesting_and_escapes },
	{ "errors are sticky", test_json_errors },
	{ NULL, NULL }
};
UNIT_SUITE(json, "json", tests);
