/*
 * test_x400_p1.c - (being written)
 */
#include "tests/unit/unit.h"

void
test_x400_p1_register(void)
{
}
