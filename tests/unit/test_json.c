/*
 * test_json.c - (being written)
 */
#include "tests/unit/unit.h"

void
test_json_register(void)
{
}
