/*
 * mmguardctl - the operator's and security officer's command line.
 *
 * SYNOPSIS
 *	mmguardctl policy check FILE...
 *
 * DESCRIPTION
 *	policy check loads each FILE as a security policy and reports
 *	whether it is valid.  Today it knows Open XML SPIF files (namespace
 *	http://www.xmlspif.org/spif): they are parsed without network
 *	access, entity substitution or DTDs, checked against the SPIF 2.1
 *	structure (element order, attributes, object identifiers, unique
 *	names and lacvs, references), and compiled; a valid file is
 *	summarised in one line (policy name and OID, classifications, tag
 *	sets).  The guard's own policy documents, the daemon's control
 *	commands (status, queue, show, release, reject, policy load) and
 *	the offline explain and policy diff come with the guard policy
 *	compiler and the pipeline.
 *
 * EXIT STATUS
 *	0 when every FILE is valid; 1 when one is not (each error printed as
 *	"file:line: element: reason"); 2 on usage errors.
 *
 * SECURITY
 *	An offline tool; no privileges, no network.  It reads policy files a
 *	security officer hands it, with the same loader (and limits) the
 *	guard will use; the loader is fuzzed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/log.h"
#include "policy/spif.h"

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguardctl policy check FILE...\n");
	if (full)
		fprintf(f, "\n"
		    "policy check  load each FILE (an Open XML SPIF) with the\n"
		    "              guard's loader and report whether it is\n"
		    "              valid; errors as \"file:line: element: "
		    "reason\"\n"
		    "\n"
		    "Exit status: 0 when every FILE is valid, 1 when one is "
		    "not,\n2 on usage errors.\n");
	exit(full ? 0 : 2);
}

static int
policy_check(int argc, char *argv[])
{
	struct spif	*s;
	char		 err[1024];
	int		 i, rc = 0;

	if (argc < 1)
		usage(0);
	for (i = 0; i < argc; i++) {
		if ((s = spif_load_file(argv[i], err, sizeof(err))) == NULL) {
			fprintf(stderr, "%s\n", err);
			rc = 1;
			continue;
		}
		printf("%s: valid SPIF: policy %s (%s), %zu classifications, "
		    "%zu tag sets\n", argv[i], s->name, s->id, s->nclasses,
		    s->ntagsets);
		spif_free(s);
	}
	return rc;
}

int
main(int argc, char *argv[])
{
	log_init("mmguardctl", LOG_TO_STDERR, 0);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0))
		usage(1);
	if (argc >= 3 && strcmp(argv[1], "policy") == 0 &&
	    strcmp(argv[2], "check") == 0)
		return policy_check(argc - 3, argv + 3);
	usage(0);
}
