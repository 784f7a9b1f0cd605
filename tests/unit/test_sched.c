/*
 * test_sched.c - the precedence scheduler's three rules.
 */
#include <stdio.h>
#include <string.h>

#include "guard/qmgr/sched.h"
#include "tests/unit/unit.h"

static void
test_order(void)
{
	struct sched	*s = sched_new(0, -1);
	char		 id[SCHED_ID_LEN];
	int		 p;
	static const char *const want[] = { "o1", "f1", "f2", "i1", "p1",
	    "r1", "r2", "d1" };
	size_t		 i;

	sched_push(s, "r1", 1, 0);
	sched_push(s, "d1", 0, 0);
	sched_push(s, "i1", 3, 1);
	sched_push(s, "f1", 4, 2);
	sched_push(s, "r2", 1, 3);
	sched_push(s, "p1", 2, 4);
	sched_push(s, "f2", 4, 5);
	sched_push(s, "o1", 5, 6);
	CU_ASSERT_EQUAL(sched_total(s), 8);
	CU_ASSERT_EQUAL(sched_depth(s, 4), 2);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(sched_pop(s, 10, id, &p), 0);
		CU_ASSERT_STRING_EQUAL(id, want[i]);
	}
	CU_ASSERT_EQUAL(sched_pop(s, 10, id, &p), -1);
	sched_free(s);
}

/* A FLASH behind 5,000 ROUTINE messages is next. */
static void
test_flash_behind_backlog(void)
{
	struct sched	*s = sched_new(0, -1);
	char		 id[SCHED_ID_LEN], name[32];
	int		 i, p;

	for (i = 0; i < 5000; i++) {
		(void)snprintf(name, sizeof(name), "r%d", i);
		sched_push(s, name, 1, 0);
	}
	CU_ASSERT_EQUAL_FATAL(sched_pop(s, 1000, id, &p), 0);
	CU_ASSERT_STRING_EQUAL(id, "r0");
	sched_push(s, "flash", 4, 1000);
	CU_ASSERT_EQUAL_FATAL(sched_pop(s, 1000, id, &p), 0);
	CU_ASSERT_STRING_EQUAL(id, "flash");
	CU_ASSERT_EQUAL(p, 4);
	sched_free(s);
}

/* ROUTINE under a stream of IMMEDIATE: one slot in `share' once old. */
static void
test_no_starvation(void)
{
	struct sched	*s = sched_new(4, 60);
	char		 id[SCHED_ID_LEN], name[32];
	int		 i, p, routine_at = -1;

	sched_push(s, "old-routine", 1, 0);
	for (i = 0; i < 100; i++) {
		(void)snprintf(name, sizeof(name), "i%d", i);
		sched_push(s, name, 3, 10);
	}
	/* Not old enough yet: IMMEDIATE only. */
	for (i = 0; i < 8; i++) {
		CU_ASSERT_EQUAL_FATAL(sched_pop(s, 30, id, &p), 0);
		CU_ASSERT_EQUAL(p, 3);
	}
	for (i = 0; i < 8 && routine_at == -1; i++) {
		CU_ASSERT_EQUAL_FATAL(sched_pop(s, 61, id, &p), 0);
		if (strcmp(id, "old-routine") == 0)
			routine_at = i;
	}
	CU_ASSERT(routine_at >= 0 && routine_at < 4);
	/* FLASH is never delayed by the share. */
	sched_push(s, "d-old", 0, 0);
	sched_push(s, "f", 4, 100);
	for (i = 0; i < 10; i++) {
		(void)sched_pop(s, 1000, id, &p);
		if (i == 0)
			CU_ASSERT_STRING_EQUAL(id, "f");
	}
	sched_free(s);
}

static void
test_remove(void)
{
	struct sched	*s = sched_new(0, -1);
	char		 id[SCHED_ID_LEN];
	int		 p;

	sched_push(s, "a", 1, 0);
	sched_push(s, "b", 1, 0);
	sched_push(s, "c", 1, 0);
	sched_push(s, "x", 9, 0);	/* out of range: ROUTINE */
	CU_ASSERT_EQUAL(sched_depth(s, 1), 4);
	CU_ASSERT_EQUAL(sched_remove(s, "c"), 0);
	CU_ASSERT_EQUAL(sched_remove(s, "a"), 0);
	CU_ASSERT_EQUAL(sched_remove(s, "zz"), -1);
	CU_ASSERT_EQUAL(sched_pop(s, 0, id, &p), 0);
	CU_ASSERT_STRING_EQUAL(id, "b");
	CU_ASSERT_EQUAL(sched_pop(s, 0, id, &p), 0);
	CU_ASSERT_STRING_EQUAL(id, "x");
	CU_ASSERT_EQUAL(sched_total(s), 0);
	sched_push(s, "y", 1, 0);	/* the tail was fixed by remove */
	CU_ASSERT_EQUAL(sched_pop(s, 0, id, &p), 0);
	CU_ASSERT_STRING_EQUAL(id, "y");
	CU_ASSERT_EQUAL(sched_depth(s, 7), 0);
	sched_free(s);
}

static const struct unit_test tests[] = {
	{ "precedence order", test_order },
	{ "FLASH behind a 5,000 ROUTINE backlog", test_flash_behind_backlog },
	{ "no starvation, FLASH never delayed", test_no_starvation },
	{ "remove", test_remove },
	{ NULL, NULL }
};
UNIT_SUITE(sched, "sched", tests);
