/*
 * mmguardctl - the operator's and security officer's command line.
 *
 * SYNOPSIS
 *	mmguardctl policy check [--pki DIR] FILE...
 *	mmguardctl policy diff OLD NEW
 *	mmguardctl explain --policy FILE [--pki DIR]
 *	    [--direction high-to-low|low-to-high] [--json] MESSAGE...
 *	mmguardctl [-s SOCKET] status
 *	mmguardctl [-s SOCKET] queue [--state STATE]
 *	mmguardctl [-s SOCKET] show ID
 *	mmguardctl [-s SOCKET] release ID --officer NAME --reason TEXT
 *	mmguardctl [-s SOCKET] reject ID --officer NAME --reason TEXT
 *	mmguardctl [-s SOCKET] policy load FILE --officer NAME
 *	mmguardctl [-s SOCKET] audit rotate-key --officer NAME [--key FILE]
 *	mmguardctl label check --spif SPIF LABEL.xml...
 *	mmguardctl label to-ess --spif SPIF LABEL.xml [-o OUT.der]
 *	mmguardctl label to-xml --spif SPIF LABEL.der [-o OUT.xml]
 *
 * DESCRIPTION
 *	The first seven commands talk to a running mmguardd over its control
 *	socket (-s, default $MMGUARD_CONTROL or /run/mmguard/control.sock,
 *	open to the control group only): status shows every role (pid,
 *	restarts) and the queues of both directions by state and
 *	precedence; queue lists messages (one per line: direction, id,
 *	state, precedence), optionally in one state (incoming, inspecting,
 *	held, quarantined, released, rejected, sent, ...); show prints one
 *	message's record (state, precedence, attempts, verdict, every
 *	reason); release and reject act on a held or quarantined message
 *	for a named officer, with a reason, both written to the spool and
 *	the audit log.  A released message is inspected again in full; the
 *	officer stands in for the release authority and for a quarantine,
 *	never for a rejection.  policy load checks FILE (an absolute path)
 *	and, if it is valid, makes it the policy in force for the officer
 *	NAME: the verify and policy roles are replaced, and the audit log
 *	records the officer and the old and the new digests.
 *
 *	audit rotate-key replaces the key that signs the audit log, for the
 *	officer NAME: mmguardd makes a new Ed25519 key (or takes the
 *	officer's, --key FILE, a PEM private key such as `mmguard-audit
 *	keygen` writes) and stores it beside the old one; the audit role
 *	records the officer's action, then a key-rotated record signed by
 *	the old and the new key, and signs with the new key from then on;
 *	the new key replaces the old in the file the configuration names
 *	(audit-key), and its public key is written into the audit directory
 *	as key-ID.pub and printed.  Auditors keep verifying with the first
 *	public key: `mmguard-audit verify` follows each rotation through
 *	the log.  The rotation is safe against a crash at any moment: the
 *	audit role always starts with the key the log is signed with.
 *
 *	policy check loads each FILE with the guard's own loaders and
 *	reports whether it is valid.  It recognises the two kinds of policy
 *	by their namespace: the guard policy (urn:mmguard:guard-policy:1) is
 *	validated against the guard policy schema built into the program,
 *	then compiled: the SPIF files it names are loaded, every name it
 *	uses resolves, its phrase lists compile; with --pki the trust
 *	anchors and CRLs it names are loaded from DIR too.  Anything else
 *	is read as an Open XML SPIF (http://www.xmlspif.org/spif), parsed
 *	without network access, entity substitution or DTDs and checked
 *	against the SPIF 2.1 structure.  A valid guard policy is printed
 *	rule by rule; a valid SPIF is summarised in one line.
 *
 *	policy diff prints what changes from the guard policy OLD to NEW,
 *	rule by rule (rules are matched by id within a direction): rules
 *	added, removed and changed, with their old and new meaning; phrases
 *	added to, removed from or re-weighted in leakage lists; security
 *	policies, directions and archive retention.
 *
 *	explain decodes, verifies and decides each MESSAGE (a P1 message
 *	file) offline, exactly as the guard would in the given direction
 *	(default high-to-low), and prints the verdict (release, refer,
 *	quarantine, reject) with every reason and the rule id that gave it,
 *	the message's label and the label it would carry across (as display
 *	markings), the signer, the precedence and the leakage hits (rule,
 *	phrase, place, offset).  Signatures verify against the trust anchors
 *	and CRLs the policy names, found in the --pki directory; without it
 *	a signed message cannot be verified, and is refused for that.
 *	--json prints one object per message with the keys verdict,
 *	direction, reasons[] (rule, action, text), label.source,
 *	label.destination, signer, precedence, score and hits[].
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
 *	policy check: 0 when every FILE is valid, 1 when one is not (each
 *	error printed as "file:line: element: reason").  policy diff: 0 when
 *	the policies mean the same, 1 when they differ.  explain: 0 when
 *	every message was explained (whatever the verdict), 1 when the
 *	policy or a message could not be read.  label: 0 when every label
 *	is valid (or converted), 1 when one is not ("file:line: element:
 *	reason", or "file: reason" for an ESS input).  2 on usage errors.
 *
 * SECURITY
 *	An offline tool; no privileges, no network.  It reads policy files
 *	and messages a security officer hands it, with the same loaders,
 *	decoder, verifier and decision engine (and limits) the guard uses;
 *	labels an operator hands it are read by the same parsers; those
 *	parsers are fuzzed.  What it writes goes only where -o or standard
 *	output says.  Owning it gains what its user already has.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/log.h"
#include "policy/decide.h"
#include "policy/diff.h"
#include "policy/guardpol.h"
#include "policy/inspect.h"
#include "policy/label.h"
#include "policy/spif.h"
#include "policy/xmllabel.h"

#define MAX_MESSAGE	(64u << 20)
/* An ESS label file: a few categories of a few hundred values at most. */
#define CTL_MAX_DER	(64u << 10)

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f,
	    "usage: mmguardctl [-s SOCKET] status | queue [--state STATE] | "
	    "show ID\n"
	    "       mmguardctl [-s SOCKET] release|reject ID --officer NAME "
	    "--reason TEXT\n"
	    "       mmguardctl [-s SOCKET] policy load FILE --officer NAME\n"
	    "       mmguardctl [-s SOCKET] audit rotate-key --officer NAME "
	    "[--key FILE]\n"
	    "       mmguardctl policy check [--pki DIR] FILE...\n"
	    "       mmguardctl policy diff OLD NEW\n"
	    "       mmguardctl explain --policy FILE [--pki DIR]\n"
	    "           [--direction high-to-low|low-to-high] [--json] "
	    "MESSAGE...\n"
	    "       mmguardctl label check --spif SPIF LABEL.xml...\n"
	    "       mmguardctl label to-ess --spif SPIF LABEL.xml "
	    "[-o OUT.der]\n"
	    "       mmguardctl label to-xml --spif SPIF LABEL.der "
	    "[-o OUT.xml]\n");
	if (full)
		fprintf(f, "\n"
		    "status        the roles of a running guard and its queues\n"
		    "queue         its messages, optionally in one state\n"
		    "show          one message: state, verdict, reasons\n"
		    "release       a held or quarantined message, re-inspected, "
		    "for an officer\n"
		    "reject        a held or quarantined message, for an "
		    "officer\n"
		    "policy load   check FILE and make it the policy in force "
		    "for an officer\n"
		    "              (audited with the old and new digests)\n"
		    "audit rotate-key\n"
		    "              a new key signs the audit log from now on, "
		    "for an officer:\n"
		    "              made by mmguardd, or --key FILE (an Ed25519 "
		    "PEM private key);\n"
		    "              the log records the rotation signed by both "
		    "keys, the new\n"
		    "              public key is printed and written into the "
		    "audit directory\n"
		    "              as key-ID.pub; verify still starts from the "
		    "first key\n"
		    "-s SOCKET     the control socket of the commands above; "
		    "default\n"
		    "              $MMGUARD_CONTROL or /run/mmguard/control.sock\n"
		    "policy check  load each FILE with the guard's loader and "
		    "say whether it\n"
		    "              is valid: a guard policy (checked against "
		    "the built-in\n"
		    "              schema and compiled; with --pki its trust "
		    "anchors and CRLs\n"
		    "              are loaded from DIR) or an Open XML SPIF; "
		    "errors read\n"
		    "              \"file:line: element: reason\"\n"
		    "policy diff   what changes from guard policy OLD to NEW, "
		    "rule by rule\n"
		    "explain       decode, verify and decide each MESSAGE "
		    "offline as the\n"
		    "              guard would: the verdict, every reason with "
		    "its rule id,\n"
		    "              the labels as markings, the signer, the "
		    "precedence and\n"
		    "              the leakage hits; --json for one JSON object "
		    "per message\n"
		    "label check   parse each STANAG 4774 XML label, convert it "
		    "through SPIF\n"
		    "              to an ESS label, check that it is valid under "
		    "SPIF and\n"
		    "              print its marking\n"
		    "label to-ess  convert one STANAG 4774 XML label to the DER "
		    "of its ESS\n"
		    "              security label (OUT.der or standard output)\n"
		    "label to-xml  convert an ESS security label (BER or DER; "
		    "\"-\" reads\n"
		    "              standard input) to its canonical STANAG 4774 "
		    "document\n"
		    "\n"
		    "Exit status: check 0 when every FILE is valid; diff 0 "
		    "when the\npolicies mean the same; explain 0 when every "
		    "message was explained;\n1 otherwise; 2 on usage errors.\n");
	exit(full ? 0 : 2);
}

static int
check_guard(const char *path, const char *pki)
{
	struct guardpol	*gp;
	char		 err[1024], line[4096];
	size_t		 d, i;

	if ((gp = gp_load_file(path, pki, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: valid guard policy %s version %s; archive retention %d "
	    "days%s\n", path, gp->name, gp->version, gp->retention_days,
	    pki == NULL ? "; trust anchors not loaded (no --pki)" : "");
	for (i = 0; i < gp->nspifs; i++)
		printf("  security policy %s: %s (%s)\n", gp->spifs[i].name,
		    gp->spifs[i].spif->id, gp->spifs[i].file);
	for (d = 0; d < GP_NDIRS; d++) {
		if (!gp->dirs[d].present)
			continue;
		printf("  direction %s: %s to %s, %zu rules\n",
		    gp_dir_name((enum gp_dir)d), gp->dirs[d].source->name,
		    gp->dirs[d].destination->name, gp->dirs[d].nrules);
		for (i = 0; i < gp->dirs[d].nrules; i++) {
			if (gp_rule_describe(gp, &gp->dirs[d].rules[i], line,
			    sizeof(line)) == -1)
				(void)snprintf(line + sizeof(line) - 4, 4,
				    "...");
			printf("    %s\n", line);
		}
	}
	gp_free(gp);
	return 0;
}

static int
check_spif(const char *path)
{
	struct spif	*s;
	char		 err[1024];

	if ((s = spif_load_file(path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("%s: valid SPIF: policy %s (%s), %zu classifications, "
	    "%zu tag sets\n", path, s->name, s->id, s->nclasses, s->ntagsets);
	spif_free(s);
	return 0;
}

static int
policy_check(int argc, char *argv[])
{
	const char	*pki = NULL;
	char		*data;
	size_t		 len;
	int		 i = 0, rc = 0, guard;

	if (argc >= 2 && strcmp(argv[0], "--pki") == 0) {
		pki = argv[1];
		i = 2;
	}
	if (i >= argc)
		usage(0);
	for (; i < argc; i++) {
		/* The namespace in the first 4 KB says which loader. */
		if ((data = file_read(argv[i], 4096, &len)) == NULL &&
		    (data = file_read(argv[i], GP_MAX_SIZE, &len)) == NULL) {
			fprintf(stderr, "%s:0: policy: cannot read: %m\n",
			    argv[i]);
			rc = 1;
			continue;
		}
		guard = gp_sniff(data, len);
		free(data);
		if ((guard ? check_guard(argv[i], pki) :
		    check_spif(argv[i])) != 0)
			rc = 1;
	}
	return rc;
}

static int
policy_diff(int argc, char *argv[])
{
	struct guardpol	*a, *b;
	char		 err[1024];
	size_t		 n;

	if (argc != 2)
		usage(0);
	if ((a = gp_load_file(argv[0], NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((b = gp_load_file(argv[1], NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		gp_free(a);
		return 2;
	}
	n = gp_diff(stdout, a, b);
	if (n == 0)
		printf("no change in what the policies allow\n");
	gp_free(a);
	gp_free(b);
	return n == 0 ? 0 : 1;
}

static void
print_verdict(const char *path, const struct verdict *v)
{
	size_t	i;

	printf("%s: %s (%s)\n", path, gp_verdict_name(v->verdict),
	    gp_dir_name(v->dir));
	for (i = 0; i < v->nreasons; i++)
		printf("  reason %s (%s): %s\n", v->reasons[i].rule,
		    gp_verdict_name(v->reasons[i].action), v->reasons[i].text);
	if (v->total_reasons > v->nreasons)
		printf("  (%zu more reasons not shown)\n",
		    v->total_reasons - v->nreasons);
	if (v->has_source)
		printf("  label: %s\n", v->source_marking);
	if (v->has_destination)
		printf("  crosses as: %s\n", v->forward_source ?
		    v->source_marking : v->destination_marking);
	if (v->signer[0] != '\0')
		printf("  signer: %s\n", v->signer);
	if (v->precedence >= 0)
		printf("  precedence: %s\n", gp_precedence_name(v->precedence));
	for (i = 0; i < v->nhits; i++)
		printf("  hit %s: \"%s\" in %s at %zu (weight %d)\n",
		    v->hits[i].rule, v->hits[i].phrase, v->hits[i].where,
		    v->hits[i].off, v->hits[i].weight);
	if (v->total_hits > v->nhits)
		printf("  (%zu more hits not shown)\n",
		    v->total_hits - v->nhits);
	if (v->total_hits > 0)
		printf("  leakage score: %lld\n", v->score);
}

static int
explain(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "pki", required_argument, NULL, 'k' },
		{ "direction", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*policy = NULL, *pki = NULL;
	enum gp_dir		 dir = GP_HIGH_TO_LOW;
	struct guardpol		*gp;
	struct decide_ctx	*ctx;
	struct verdict		 v;
	struct buf		 out;
	char			 err[1024], *data;
	size_t			 len;
	int			 ch, json = 0, rc = 0, i;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:k:d:jh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'p':
			policy = optarg;
			break;
		case 'k':
			pki = optarg;
			break;
		case 'd':
			if (gp_dir_from_name(optarg, &dir) == -1) {
				fprintf(stderr, "--direction: high-to-low or "
				    "low-to-high, not %s\n", optarg);
				usage(0);
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (policy == NULL || optind >= argc)
		usage(0);
	if ((gp = gp_load_file(policy, pki, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((ctx = decide_ctx_new(gp, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		gp_free(gp);
		return 1;
	}
	for (i = optind; i < argc; i++) {
		if ((data = file_read(argv[i], MAX_MESSAGE, &len)) == NULL) {
			fprintf(stderr, "%s: cannot read: %m\n", argv[i]);
			rc = 1;
			continue;
		}
		(void)inspect_message(gp, dir, (const uint8_t *)data, len,
		    ctx, &v);
		if (json) {
			buf_init(&out, 1 << 20);
			if (verdict_json(&v, &out) == -1)
				fatalx("JSON output too large");
			fwrite(out.data, 1, out.len, stdout);
			putchar('\n');
			buf_free(&out);
		} else
			print_verdict(argv[i], &v);
		verdict_free(&v);
		free(data);
	}
	decide_ctx_free(ctx);
	gp_free(gp);
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

/* One command to mmguardd; its answer to standard output. */
static int
control(const char *sock, const char *line)
{
	struct sockaddr_un	 sun;
	char			 buf[4096];
	ssize_t			 n;
	int			 fd, refused = 0, at_start = 1;
	size_t			 i;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof(sun.sun_path))
		fatalx("%s: path too long", sock);
	memcpy(sun.sun_path, sock, strlen(sock));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "mmguardctl: %s: %s (is mmguardd running?)\n",
		    sock, strerror(errno));
		return 1;
	}
	/* One write: the command and its newline arrive together. */
	(void)snprintf(buf, sizeof(buf), "%s\n", line);
	if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf)) {
		fprintf(stderr, "mmguardctl: %s: %s\n", sock, strerror(errno));
		(void)close(fd);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			/* A line starting "refused: " fails the command. */
			if (at_start && (size_t)n - i >= 9 &&
			    memcmp(buf + i, "refused: ", 9) == 0)
				refused = 1;
			at_start = buf[i] == '\n';
		}
		fwrite(buf, 1, (size_t)n, stdout);
	}
	(void)close(fd);
	return refused;
}

/* An officer's name travels as one word of a control line. */
static bool
one_word(const char *s)
{
	return s != NULL && s[0] != '\0' && strpbrk(s, " \t\r\n") == NULL;
}

/*
 * The "--NAME VALUE" options of an officer's command, from argv[i] on:
 * vals[k] for names[k] (NULL when absent); --officer is required.  0, or
 * 2 after saying what is wrong (usage error).
 */
static int
officer_opts(int argc, char *argv[], int i, const char *cmd,
    const char *const names[], const char *vals[], size_t n)
{
	size_t	k;

	for (k = 0; k < n; k++)
		vals[k] = NULL;
	for (; i + 1 < argc; i += 2) {
		if (strncmp(argv[i], "--", 2) != 0)
			usage(0);
		for (k = 0; k < n && strcmp(argv[i] + 2, names[k]) != 0; k++)
			;
		if (k == n)
			usage(0);
		vals[k] = argv[i + 1];
	}
	if (i != argc || !one_word(vals[0])) {
		fprintf(stderr, "mmguardctl: %s needs --officer NAME (one "
		    "word)\n", cmd);
		return 2;
	}
	return 0;
}

/* An absolute path for mmguardd, which does not share our directory. */
static char *
absolute(const char *path)
{
	char	*abs;

	if ((abs = realpath(path, NULL)) == NULL)
		fprintf(stderr, "mmguardctl: %s: %s\n", path, strerror(errno));
	return abs;
}

static int
ctl_command(const char *sock, int argc, char *argv[])
{
	static const char *const officer_reason[] = { "officer", "reason" };
	static const char *const officer_key[] = { "officer", "key" };
	const char	*v[2], *state = NULL;
	char		 line[2048], *abs = NULL;
	int		 rc;

	if (strcmp(argv[0], "status") == 0 && argc == 1)
		return control(sock, "status");
	if (strcmp(argv[0], "queue") == 0) {
		if (argc == 3 && strcmp(argv[1], "--state") == 0)
			state = argv[2];
		else if (argc != 1)
			usage(0);
		(void)snprintf(line, sizeof(line), "queue%s%s", state ? " " :
		    "", state ? state : "");
		return control(sock, line);
	}
	if (strcmp(argv[0], "show") == 0 && argc == 2) {
		(void)snprintf(line, sizeof(line), "show %s", argv[1]);
		return control(sock, line);
	}
	if (strcmp(argv[0], "policy") == 0 && argc >= 3 &&
	    strcmp(argv[1], "load") == 0) {
		if ((rc = officer_opts(argc, argv, 3, "policy load",
		    officer_reason, v, 1)) != 0)
			return rc;
		if ((abs = absolute(argv[2])) == NULL)
			return 1;
		(void)snprintf(line, sizeof(line), "policy load %s %s", v[0],
		    abs);
	} else if (strcmp(argv[0], "audit") == 0 && argc >= 2 &&
	    strcmp(argv[1], "rotate-key") == 0) {
		if ((rc = officer_opts(argc, argv, 2, "audit rotate-key",
		    officer_key, v, 2)) != 0)
			return rc;
		if (v[1] != NULL && (abs = absolute(v[1])) == NULL)
			return 1;
		(void)snprintf(line, sizeof(line), "audit rotate-key %s%s%s",
		    v[0], abs != NULL ? " " : "", abs != NULL ? abs : "");
	} else if ((strcmp(argv[0], "release") == 0 ||
	    strcmp(argv[0], "reject") == 0) && argc >= 2) {
		if ((rc = officer_opts(argc, argv, 2, argv[0], officer_reason,
		    v, 2)) != 0)
			return rc;
		if (v[1] == NULL || v[1][0] == '\0' ||
		    strchr(v[1], '\n') != NULL) {
			fprintf(stderr, "mmguardctl: %s needs --reason TEXT "
			    "(one line)\n", argv[0]);
			return 2;
		}
		(void)snprintf(line, sizeof(line), "%s %s %s %s", argv[0],
		    argv[1], v[0], v[1]);
	} else
		usage(0);
	rc = control(sock, line);
	free(abs);
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
	if (argc >= 3 && strcmp(argv[1], "policy") == 0 &&
	    strcmp(argv[2], "diff") == 0)
		return policy_diff(argc - 3, argv + 3);
	if (argc >= 2 && strcmp(argv[1], "explain") == 0)
		return explain(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "label") == 0)
		return label_cmd(argc - 2, argv + 2);
	{
		const char	*sock = getenv("MMGUARD_CONTROL");
		int		 i = 1;

		if (sock == NULL)
			sock = "/run/mmguard/control.sock";
		if (argc >= 3 && strcmp(argv[1], "-s") == 0) {
			sock = argv[2];
			i = 3;
		}
		if (argc > i && (strcmp(argv[i], "status") == 0 ||
		    strcmp(argv[i], "queue") == 0 ||
		    strcmp(argv[i], "show") == 0 ||
		    strcmp(argv[i], "release") == 0 ||
		    strcmp(argv[i], "reject") == 0 ||
		    (strcmp(argv[i], "policy") == 0 && argc > i + 1 &&
		    strcmp(argv[i + 1], "load") == 0) ||
		    strcmp(argv[i], "audit") == 0))
			return ctl_command(sock, argc - i, argv + i);
	}
	usage(0);
}
