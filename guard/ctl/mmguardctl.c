/*
 * mmguardctl - the operator's and security officer's command line.
 *
 * SYNOPSIS
 *	mmguardctl policy check FILE...
 *	mmguardctl label check --spif SPIF LABEL.xml...
 *	mmguardctl label to-ess --spif SPIF LABEL.xml [-o OUT.der]
 *	mmguardctl label to-xml --spif SPIF LABEL.der [-o OUT.xml]
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
 *	label check parses each LABEL.xml as a STANAG 4774 confidentiality
 *	label (namespace urn:nato:stanag:4774:confidentialitymetadatalabel:
 *	1:0), converts it through SPIF to an ESS security label, checks that
 *	label's validity under SPIF, and prints its marking.
 *
 *	label to-ess does the same conversion for one label and writes the
 *	ESS label's DER to OUT.der (standard output without -o).
 *
 *	label to-xml reads an ESS security label (BER or DER, "-" for
 *	standard input), checks it under SPIF, and writes the canonical 4774
 *	document for it (names from SPIF) to OUT.xml or standard output.
 *	The document is parsed and converted back before it is written, and
 *	must give the same label.
 *
 * EXIT STATUS
 *	0 when every FILE is valid (or converted); 1 when one is not (each
 *	error printed as "file:line: element: reason", or for an ESS input
 *	"file: reason"); 2 on usage errors.
 *
 * SECURITY
 *	An offline tool; no privileges, no network.  It reads policy files a
 *	security officer hands it, and labels an operator hands it, with the
 *	same parsers (and limits) the guard will use; the parsers are fuzzed.
 *	What it writes goes only where -o or standard output says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/log.h"
#include "policy/label.h"
#include "policy/spif.h"
#include "policy/xmllabel.h"

/* An ESS label file: a few categories of a few hundred values at most. */
#define CTL_MAX_DER	(64u << 10)

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguardctl policy check FILE...\n"
	    "       mmguardctl label check --spif SPIF LABEL.xml...\n"
	    "       mmguardctl label to-ess --spif SPIF LABEL.xml "
	    "[-o OUT.der]\n"
	    "       mmguardctl label to-xml --spif SPIF LABEL.der "
	    "[-o OUT.xml]\n");
	if (full)
		fprintf(f, "\n"
		    "policy check  load each FILE (an Open XML SPIF) with the\n"
		    "              guard's loader and report whether it is\n"
		    "              valid; errors as \"file:line: element: "
		    "reason\"\n"
		    "label check   parse each STANAG 4774 XML label, convert\n"
		    "              it through SPIF to an ESS label, check\n"
		    "              that it is valid under SPIF and print its\n"
		    "              marking\n"
		    "label to-ess  convert one STANAG 4774 XML label to the\n"
		    "              DER of its ESS security label, written to\n"
		    "              OUT.der or standard output\n"
		    "label to-xml  convert an ESS security label (BER or\n"
		    "              DER; \"-\" reads standard input) to its\n"
		    "              canonical STANAG 4774 document, names\n"
		    "              taken from SPIF\n"
		    "\n"
		    "  --spif SPIF  the Open XML SPIF of the label's policy\n"
		    "  -o OUT       write there instead of standard output\n"
		    "\n"
		    "Exit status: 0 when every FILE is valid (or converted), 1 "
		    "when one is\nnot, 2 on usage errors.\n");
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

/* Options of the label commands: --spif FILE, -o FILE, then the files. */
struct label_opts {
	const char	*spif;
	const char	*out;
	char		**files;
	int		 nfiles;
};

/* Options may come before or after the files; "--" ends them. */
static void
label_opts(int argc, char *argv[], bool out_ok, struct label_opts *o)
{
	bool	opts = true;
	int	i;

	memset(o, 0, sizeof(*o));
	o->files = argv;
	for (i = 0; i < argc; i++) {
		if (opts && strcmp(argv[i], "--spif") == 0 && i + 1 < argc)
			o->spif = argv[++i];
		else if (opts && out_ok && strcmp(argv[i], "-o") == 0 &&
		    i + 1 < argc)
			o->out = argv[++i];
		else if (opts && strcmp(argv[i], "--") == 0)
			opts = false;
		else if (opts && argv[i][0] == '-' && argv[i][1] != '\0')
			usage(0);
		else
			o->files[o->nfiles++] = argv[i];
	}
	if (o->spif == NULL || o->nfiles < 1)
		usage(0);
}

static struct spif *
label_spif(const char *path)
{
	struct spif	*s;
	char		 err[1024];

	if ((s = spif_load_file(path, err, sizeof(err))) == NULL)
		fprintf(stderr, "%s\n", err);
	return s;
}

/* Bytes to -o's file, or to standard output. */
static int
label_write(const char *out, const void *p, size_t n)
{
	if (out != NULL) {
		if (file_write(out, p, n) == -1) {
			fprintf(stderr, "%s: %s\n", out, strerror(errno));
			return 1;
		}
		return 0;
	}
	if (fwrite(p, 1, n, stdout) != n || fflush(stdout) == EOF) {
		fprintf(stderr, "standard output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

/* One XML label to ESS; with marking, print its marking line. */
static int
label_convert(const struct spif *s, const char *path, struct xmllabel_ess *x,
    bool marking)
{
	struct xmllabel	*l;
	struct label	 lab;
	char		 err[1024], m[1024];

	memset(x, 0, sizeof(*x));
	if ((l = xmllabel_parse_file(path, err, sizeof(err))) == NULL ||
	    xmllabel_to_ess(s, l, x, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		xmllabel_free(l);
		return 1;
	}
	xmllabel_free(l);
	if (!marking)
		return 0;
	if (label_from_ess(&x->label, &lab, err, sizeof(err)) == -1 ||
	    label_marking(s, &lab, m, sizeof(m)) == -1)
		snprintf(m, sizeof(m), "(no marking)");
	label_free(&lab);
	printf("%s: valid under %s (%s): %s\n", path, s->name, s->id, m);
	xmllabel_ess_free(x);
	return 0;
}

static int
label_cmd(int argc, char *argv[])
{
	struct label_opts	 o;
	struct xmllabel_ess	 x;
	struct x400_dec		 d;
	struct ess_label	 e;
	struct spif		*s;
	struct buf		 xml;
	char			*der, err[1024];
	size_t			 len;
	int			 i, rc = 0;

	if (argc < 1)
		usage(0);
	label_opts(argc - 1, argv + 1, strcmp(argv[0], "check") != 0, &o);
	if (strcmp(argv[0], "check") != 0 && o.nfiles != 1)
		usage(0);
	if (strcmp(argv[0], "check") != 0 && strcmp(argv[0], "to-ess") != 0 &&
	    strcmp(argv[0], "to-xml") != 0)
		usage(0);
	if ((s = label_spif(o.spif)) == NULL)
		return 1;
	if (strcmp(argv[0], "check") == 0) {
		for (i = 0; i < o.nfiles; i++)
			rc |= label_convert(s, o.files[i], &x, true);
	} else if (strcmp(argv[0], "to-ess") == 0) {
		if ((rc = label_convert(s, o.files[0], &x, false)) == 0)
			rc = label_write(o.out, x.der.data, x.der.len);
		xmllabel_ess_free(&x);
	} else if ((der = file_read(o.files[0], CTL_MAX_DER, &len)) == NULL) {
		fprintf(stderr, "%s: %s\n", o.files[0], errno == EFBIG ?
		    "larger than 65536 bytes" : strerror(errno));
		rc = 1;
	} else {
		memset(&d, 0, sizeof(d));
		x400_limits_default(&d.lim);
		ber_ctx_init(&d.c, BER_MODE_BER, NULL, der, len);
		buf_init(&xml, 1u << 20);
		if (ess_label_dec_bytes(&d, (const uint8_t *)der, len,
		    &e) == -1) {
			fprintf(stderr, "%s: %s\n", o.files[0],
			    x400_strerror(&d));
			rc = 1;
		} else if (xmllabel_from_ess(s, &e, &xml, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "%s: %s\n", o.files[0], err);
			rc = 1;
		} else
			rc = label_write(o.out, xml.data, xml.len);
		buf_free(&xml);
		x400_dec_free(&d);
		free(der);
	}
	spif_free(s);
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
	if (argc >= 2 && strcmp(argv[1], "label") == 0)
		return label_cmd(argc - 2, argv + 2);
	usage(0);
}
