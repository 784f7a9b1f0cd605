/*
 * schema.c - policy/schema/guard-policy.xsd as bytes in the program.
 *
 * The assembler's .incbin takes the file as it is in the tree (the
 * Makefile makes this object depend on it), so the schema the guard
 * validates with is exactly the one reviewers read.
 */
#include "policy/schema.h"

__asm__(
	"	.section .rodata\n"
	"	.global policy_schema_xsd\n"
	"	.type policy_schema_xsd, @object\n"
	"	.balign 16\n"
	"policy_schema_xsd:\n"
	"	.incbin \"policy/schema/guard-policy.xsd\"\n"
	"	.byte 0\n"
	"policy_schema_xsd_end:\n"
	"	.size policy_schema_xsd, policy_schema_xsd_end - policy_schema_xsd\n"
	"	.global policy_schema_xsd_len\n"
	"	.balign 8\n"
	"policy_schema_xsd_len:\n"
	"	.quad policy_schema_xsd_end - policy_schema_xsd - 1\n"
	"	.previous\n");
