/*
 * unit.h - shared helpers of the CUnit suites.
 */
#ifndef MMGUARD_UNIT_H
#define MMGUARD_UNIT_H

#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

struct unit_test {
	const char	*name;
	void		(*fn)(void);
};

/*
 * Each suite file ends with UNIT_SUITE(id, "name", table), the table being
 * NULL-terminated.  A constructor queues the suite before main() runs, so a
 * new suite file only needs adding to UNIT_SRCS (in the Makefile or a
 * module.mk), never to the runner.
 */
struct unit_suite {
	const char		*name;
	const struct unit_test	*tests;
	struct unit_suite	*next;
};
void	unit_queue_suite(struct unit_suite *);

#define UNIT_SUITE(id, label, table)					\
	static struct unit_suite unit_suite_##id = { label, table, NULL }; \
	static void unit_ctor_##id(void) __attribute__((constructor));	\
	static void unit_ctor_##id(void) { unit_queue_suite(&unit_suite_##id); } \
	extern int unit_suite_##id##_end_

/* Hex text ("30 03 02 01 05", spaces ignored) to bytes; returns length. */
size_t	unit_hex(const char *, uint8_t *, size_t);

#endif
