/*
 * guardpol_fuzz.c - libFuzzer harness for the guard policy loader:
 * arbitrary bytes as a guard policy document.  The document is named as
 * if it lay in policy/examples/, so that the SPIFs and phrase list it
 * names there resolve and the compiler goes past them.  A policy that
 * loads is described rule by rule and compared with itself, which walks
 * every compiled field the way policy check and policy diff do.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "policy/diff.h"
#include "policy/guardpol.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guardpol	*gp;
	char		 err[1024], line[4096];
	size_t		 d, i;
	FILE		*null;

	gp = gp_load("policy/examples/fuzz.xml", data, size, NULL, err,
	    sizeof(err));
	if (gp == NULL) {
		if (err[0] == '\0')
			abort();	/* every refusal has a reason */
		return 0;
	}
	for (d = 0; d < GP_NDIRS; d++)
		for (i = 0; i < gp->dirs[d].nrules; i++)
			(void)gp_rule_describe(gp, &gp->dirs[d].rules[i], line,
			    sizeof(line));
	if ((null = fopen("/dev/null", "w")) != NULL) {
		if (gp_diff(null, gp, gp) != 0)
			abort();	/* a policy equals itself */
		fclose(null);
	}
	gp_free(gp);
	return 0;
}
