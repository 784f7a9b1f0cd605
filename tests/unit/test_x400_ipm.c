/*
 * test_x400_ipm.c - (being written)
 */
#include "tests/unit/unit.h"

void
test_x400_ipm_register(void)
{
}
