/*
 * diff.h - the differences between two guard policies, in words.
 */
#ifndef MMGUARD_POLICY_DIFF_H
#define MMGUARD_POLICY_DIFF_H

#include <stdio.h>

#include "policy/guardpol.h"

/* Print what changes from a to b; returns the number of changes. */
size_t	gp_diff(FILE *, const struct guardpol *a, const struct guardpol *b);

#endif
