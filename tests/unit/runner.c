/*
 * runner.c - runs every CUnit suite, prints CUnit's summary and exits
 * non-zero when any test failed.  With --results FILE it also writes
 * "passed failed" for the summary line of make check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests/unit/unit.h"

static struct unit_suite	*suites, **suites_tail = &suites;

/* Called by the constructors UNIT_SUITE defines, in link order. */
void
unit_queue_suite(struct unit_suite *u)
{
	u->next = NULL;
	*suites_tail = u;
	suites_tail = &u->next;
}

static void
add_suite(const char *name, const struct unit_test *t)
{
	CU_pSuite	s;

	if ((s = CU_add_suite(name, NULL, NULL)) == NULL) {
		fprintf(stderr, "CU_add_suite %s: %s\n", name,
		    CU_get_error_msg());
		exit(2);
	}
	for (; t->name != NULL; t++)
		if (CU_add_test(s, t->name, t->fn) == NULL) {
			fprintf(stderr, "CU_add_test %s: %s\n", t->name,
			    CU_get_error_msg());
			exit(2);
		}
}

size_t
unit_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t	n = 0;
	int	hi = -1, v;

	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi == -1) {
			hi = v;
			continue;
		}
		if (n == cap) {
			fprintf(stderr, "unit_hex: buffer too small\n");
			abort();
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi != -1) {
		fprintf(stderr, "unit_hex: odd number of digits\n");
		abort();
	}
	return n;
}

int
main(int argc, char *argv[])
{
	const char		*results = NULL;
	const struct unit_suite	*u;
	unsigned		 ran, failed;
	FILE		*f;

	if (argc == 3 && strcmp(argv[1], "--results") == 0)
		results = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: unit-tests [--results FILE]\n");
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	for (u = suites; u != NULL; u = u->next)
		add_suite(u->name, u->tests);

	CU_basic_set_mode(CU_BRM_NORMAL);
	CU_basic_run_tests();
	ran = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	if (results != NULL) {
		if ((f = fopen(results, "w")) == NULL) {
			perror(results);
			return 2;
		}
		fprintf(f, "%u %u\n", ran - failed, failed);
		fclose(f);
	}
	CU_cleanup_registry();
	return failed == 0 && ran > 0 ? 0 : 1;
}
