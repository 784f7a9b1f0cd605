/*
 * schema.h - the guard policy schema (policy/schema/guard-policy.xsd),
 * built into the program so that loading a policy never reads a schema
 * from disk or the network.
 */
#ifndef MMGUARD_POLICY_SCHEMA_H
#define MMGUARD_POLICY_SCHEMA_H

#include <stddef.h>

extern const char	policy_schema_xsd[];	/* NUL-terminated */
extern const size_t	policy_schema_xsd_len;

#endif
