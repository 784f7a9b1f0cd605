/*
 * test_ess.c - (being written)
 */
#include "tests/unit/unit.h"

void
test_ess_register(void)
{
}
