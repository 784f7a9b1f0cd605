/*
 * test_charset.c - (being written)
 */
#include "tests/unit/unit.h"

void
test_charset_register(void)
{
}
