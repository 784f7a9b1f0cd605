/*
 * mmguard-msg - compose and inspect X.400 P1 messages (STANAG 4406 P772).
 *
 * SYNOPSIS
 *	mmguard-msg compose [--ber-variant indefinite|shuffle|both] SPEC
 *	    -o FILE
 *	mmguard-msg dump [--json] [--der] [--content p772|ipm]
 *	    [--extract OUT] FILE
 *	mmguard-msg sign --cert C --key K [--chain F] [--label SPEC]
 *	    [--equivalent-label SPEC] [--receipt-request] IN -o OUT
 *	mmguard-msg verify --trust CA [--crl F]... [--at-signing-time]
 *	    [--require-label] [--digests LIST] [--min-rsa-bits N]
 *	    [--min-ec-bits N] [--json] FILE
 *	mmguard-msg receipt --cert C --key K [--chain F] MSG -o RECEIPT
 *	mmguard-msg verify-receipt --trust CA [--crl F]... MSG RECEIPT
 *	mmguard-msg ndr --reason R [--diagnostic D] [--text T] --mta NAME
 *	    --domain C,A[,P] [--time TIME] [--arrival TIME] [--local-id ID]
 *	    [--return-content] MSG -o OUT
 *
 * DESCRIPTION
 *	compose builds a P1 MTS-APDU (message, probe or report) from SPEC, a
 *	text description, and writes it in DER, or with --ber-variant in a
 *	legal BER form real MTAs send: indefinite lengths, SET components in
 *	non-canonical order, or both (strings are then also split into
 *	constructed segments).
 *
 *	dump decodes FILE with the guard's strict decoder and prints what it
 *	found: the envelope, every extension (known or not, and whether it is
 *	critical for transfer), and for IPM and P772 content the heading, the
 *	MMHS heading extensions and every body part with its text.  With
 *	--content, FILE is a bare P772 or IPM content (InformationObject),
 *	e.g. a .p772 file.  --der refuses anything that is not DER.
 *	--extract OUT also writes the P1 content octets to OUT.
 *
 *	sign wraps the P772 content of IN (the octets as they are) in CMS
 *	SignedData, eContentType P772, signed by the PEM certificate and key
 *	(--chain adds certificates, e.g. intermediates), with the signed
 *	attributes content-type, message-digest, signing-time and, if asked,
 *	an ESS security label (--label, in the SPEC label syntax:
 *	"policy=OID; classification=N; privacy-mark=TEXT;
 *	category=OID:HEX"), equivalent labels (--equivalent-label, repeat)
 *	and a receipt request; the P1 content type becomes id-ct-contentInfo
 *	(STANAG 4406 Annex B).
 *
 *	verify checks a CMS-signed message: every SignerInfo has signed
 *	attributes, a content-type attribute equal to the eContentType, a
 *	message-digest, at most one ESS label (signed, never unsigned), an
 *	allowed digest and signature algorithm and key size (no MD5, no
 *	SHA-1, RSA at least 2048 bits, EC at least 256), a valid signature
 *	and content digest, and a certificate path to a --trust anchor for
 *	S/MIME signing; with --crl, CRLs for the whole path (a missing or
 *	expired CRL fails); with --at-signing-time, the path is checked at
 *	the signing time (evidence).  --digests (OpenSSL short names,
 *	default SHA256,SHA384,SHA512), --min-rsa-bits (default 2048) and
 *	--min-ec-bits (default 256) set what is allowed; --require-label
 *	fails a signer without an ESS label (ACP 145 traffic always has
 *	one; the policy requires it).  The labels of all signers must agree.
 *	Disagreements between the signed label and the P1 and heading labels
 *	are reported, not failed: the policy decides what they mean.  Exit
 *	status 0 only when every check passes.
 *
 *	receipt makes the recipient's signed receipt (RFC 2634) for MSG, a
 *	signed P772 that asks for one, and writes it as a P1 message from
 *	MSG's first recipient back to its originator (content type
 *	id-ct-contentInfo, eContentType id-ct-receipt).  verify-receipt
 *	checks RECEIPT's signature and path and that it answers exactly MSG
 *	(non-repudiation of receipt); exit status 0 only when it does.
 *
 *	ndr writes the X.411 non-delivery report the guard sends when it
 *	rejects MSG (a P1 message; reports and probes are refused): from the
 *	MTA --mta in the domain --domain (country, ADMD, optional PRMD,
 *	comma-separated; "GB, ,MOD" has an ADMD of one space), to MSG's
 *	originator (or the most recent DL of its expansion history), one
 *	non-delivery per recipient the guard is responsible for, with
 *	non-delivery-reason-code R and non-delivery-diagnostic-code D
 *	(numbers or X.411 names: unable-to-transfer, restricted-delivery,
 *	security-policy-violation, secure-messaging-error,
 *	content-syntax-error, unsupported-critical-function,
 *	content-too-long, too-many-recipients, ...) and --text as
 *	supplementary information (made PrintableString, at most 256
 *	characters).  MSG's security label, trace and content identity are
 *	carried over; with --return-content, MSG's content too when MSG asked
 *	for content return.  --time (default now) and --arrival (when MSG
 *	reached the guard; default --time) are UTC YYYYMMDDhhmmssZ;
 *	--local-id names the report (default: derived from the time, MSG's
 *	identifier and the MTA name).  The report is DER.
 *
 * SPEC FORMAT
 *	UTF-8 text, one "name: value" a line; '#' starts a comment line.
 *	Items inside a value are "key=value" separated by ';'.  O/R names
 *	use their text-form attributes: C, A, P, O, OU1..OU4, S, G, I, Q, CN,
 *	X121, T-ID, UA-ID, DDA:type, DN (RFC 4514 text, e.g.
 *	DN=CN=Ops,O=HQ,C=GB).  "A= " is an ADMD of one space.  Times are UTC:
 *	YYYYMMDDhhmmssZ.  Hex values may contain blanks and colons.
 *
 *	Envelope (before any section):
 *	  apdu: message | probe | report            (default message)
 *	  message-id: C=GB; A= ; P=MOD; L=local-id  (probe-id for probes)
 *	  originator: G=John; S=Smith; O=HQ; P=MOD; A= ; C=GB
 *	  recipient: O/R...; number=N; indicators=responsibility,
 *	             originating-MTA-report,...; explicit-conversion=N
 *	  content-type: p772 | ipm88 | ipm84 | OID | N  (default p772)
 *	  content-id: TEXT      priority: normal | non-urgent | urgent
 *	  indicators: disclosure-of-other-recipients,alternate-recipient-
 *	              allowed,content-return-request,...
 *	  original-eits: ia5-text,teletex,...      deferred-delivery: TIME
 *	  content-length: N                         (probes)
 *	  trace: C=GB; A= ; P=MOD; arrival=TIME; action=relayed|rerouted;
 *	         deferred=TIME
 *	  internal-trace: the same, with mta=NAME; attempted-mta=NAME
 *	  security-label: policy=OID; classification=N; privacy-mark=TEXT;
 *	                  category=OID:HEX (the category value's DER)
 *	  latest-delivery: TIME     return-address: O/R (no DN)
 *	  content-correlator: TEXT  dl-expansion: O/R; time=TIME
 *	  recipient-reassignment-prohibited: yes     dl-expansion-prohibited:
 *	  yes   conversion-with-loss-prohibited: yes
 *	  priority-level-qualifier: low | high
 *	  extension: type=N|OID; critical=submission,transfer,delivery;
 *	             value=HEX (any other extension, as DER)
 *	  content-file: FILE  the content octets as they are (e.g. CMS
 *	        signed elsewhere); no [heading] then
 *	  sign: cert=FILE; key=FILE  (PEM; wrap the content in CMS
 *	        SignedData with eContentType P772, content type
 *	        id-ct-contentInfo, as STANAG 4406 Annex B)
 *	Reports:
 *	  report-id: C=..; A=..; L=..   destination: O/R   subject-id: C=..
 *	  report-recipient: O/R; number=N; type=delivery|non-delivery;
 *	                    arrival=TIME; delivery-time=TIME; reason=N;
 *	                    diagnostic=N; supplementary=TEXT
 *	  returned-content: yes     (the [heading]/[body] below is returned)
 *
 *	[heading]  (the IPM; P772 when content-type is p772)
 *	  this-ipm: O/R...; local=TEXT      subject: TEXT
 *	  originator: O/R...; free-form=TEXT; telephone=N
 *	  to: | cc: | bcc: O/R...; notify=rn,nrn,ipm-return; reply=yes;
 *	                   acp127-notify=nn,pn,tn
 *	  authorizing-user: reply-to: exempted: O/R descriptors as above
 *	  replied-to: | obsoletes: | related: O/R...; local=TEXT
 *	  expiry: TIME   reply-by: TIME   importance: low|normal|high
 *	  sensitivity: personal|private|company-confidential
 *	  auto-forwarded: yes
 *	  primary-precedence: | copy-precedence: deferred | routine |
 *	                  priority | immediate | flash | override | N
 *	  message-type: exercise|operation|project|drill|N; id=TEXT
 *	  address-list: O/R...; type=primary|copy; notification=action|info|
 *	                both; reply=action|info|both
 *	  extended-authorisation-info: TIME
 *	  sic: TEXT (repeat)   dist-extension: oid=OID; value=HEX
 *	  handling-instruction: TEXT   message-instruction: TEXT (repeat)
 *	  codress: N   originator-reference: TEXT
 *	  other-recipient: type=primary|copy; designator=TEXT
 *	  pilot: precedence=P; handling=TEXT; recipient=TEXT
 *	  acp127-message-id: TEXT   originator-plad: TEXT
 *	  information-label: as security-label
 *	  heading-extension: oid=OID; value=HEX (any other)
 *	[ipn]  instead of [heading]:
 *	  subject-ipm: O/R...; local=TEXT   kind: receipt | non-receipt
 *	  originator: ...   intended-recipient: ...   receipt-time: TIME
 *	  ack-mode: manual|automatic   supplementary: TEXT
 *	  reason: discarded|auto-forwarded   discard-reason: expired|
 *	  obsoleted|subscription-terminated   comment: TEXT
 *	  returned: FILE (a SPEC whose [heading] is returned)
 *	[body TYPE key=value ...]  one body part; the lines that follow, up
 *	  to the next line starting with '[', are its text (ia5-text,
 *	  teletex, general-text, adatp3, corrections, acp127-data,
 *	  videotex) or, in hex, the DER of its data component (the others:
 *	  e.g. "04 02 ab cd" for a bilaterally-defined OCTET STRING).  Types: ia5-text,
 *	  g3-facsimile, g4-class1, teletex, videotex, encrypted, message,
 *	  mixed-mode, bilaterally-defined, nationally-defined, general-text,
 *	  file-transfer, voice, forwarded-content, adatp3, corrections,
 *	  forwarded-encrypted, mm-message, acp127-data, unknown.  Keys:
 *	  extended=yes (send a basic type in its extended form), oid=OID
 *	  (unknown types), param=N, params=HEX (the DER of the parameters
 *	  component, e.g. an encrypted part's algorithm), form=line|set (adatp3),
 *	  charsets=1,6,100 (general-text), file=SPEC (message, mm-message,
 *	  forwarded-content: the forwarded message), content-type=OID
 *	  (forwarded-content), delivery-time=TIME.
 *	Examples are under tests/data/msg/.
 *
 * EXIT STATUS
 *	0 on success; 1 when the input does not decode (or the SPEC does not
 *	parse), with "offset N: reason" (or "FILE:LINE: reason"); 2 on usage
 *	or I/O errors.
 *
 * SECURITY
 *	An offline tool for operators, tests and the demo; no privileges, no
 *	network.  dump and ndr read a file that may be hostile with the same
 *	strict, bounded, fuzzed decoder as the guard's decode role; ndr then
 *	writes only the report it builds from the decoded facts.  compose
 *	reads a SPEC its user wrote and files it names.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filters/cms/cms.h"
#include "filters/cms/cms_verify.h"
#include "filters/x400/ndr.h"
#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

#define MSG_MAX_INPUT	(256u * 1024 * 1024)

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f,
	    "usage: mmguard-msg compose [--ber-variant indefinite|shuffle|both]"
	    " SPEC -o FILE\n"
	    "       mmguard-msg dump [--json] [--der] [--content p772|ipm] "
	    "[--extract OUT] FILE\n"
	    "       mmguard-msg sign --cert C --key K [--chain F] [--label SPEC]"
	    "\n            [--equivalent-label SPEC] [--receipt-request] IN -o "
	    "OUT\n"
	    "       mmguard-msg verify --trust CA [--crl F]... "
	    "[--at-signing-time]\n            [--require-label] [--digests "
	    "LIST] [--min-rsa-bits N]\n            [--min-ec-bits N] [--json] "
	    "FILE\n"
	    "       mmguard-msg receipt --cert C --key K [--chain F] MSG -o "
	    "RECEIPT\n"
	    "       mmguard-msg verify-receipt --trust CA [--crl F]... MSG "
	    "RECEIPT\n"
	    "       mmguard-msg ndr --reason R [--diagnostic D] [--text T] "
	    "--mta NAME\n            --domain C,A[,P] [--time TIME] "
	    "[--arrival TIME] [--local-id ID]\n            "
	    "[--return-content] MSG -o OUT\n");
	if (!full)
		exit(2);
	fprintf(f, "\n"
	    "compose  build a P1 message, probe or report from a SPEC file\n"
	    "         and write it in DER (or a legal BER variant)\n"
	    "dump     decode a P1 file (or, with --content, a bare P772/IPM\n"
	    "         content) strictly and print it; --json for machines\n"
	    "sign     wrap a message's P772 in CMS SignedData with an ESS\n"
	    "         label, equivalent labels and a receipt request\n"
	    "verify   check a CMS-signed message's signers, attributes,\n"
	    "         algorithms, labels and certificate paths (exit 0 only\n"
	    "         when every check passes)\n"
	    "receipt  make the recipient's signed receipt for a message\n"
	    "verify-receipt  prove a receipt answers exactly that message\n"
	    "ndr      write the non-delivery report for a rejected message:\n"
	    "         --reason and --diagnostic are X.411 codes, by number or\n"
	    "         name (unable-to-transfer, security-policy-violation,\n"
	    "         content-syntax-error, unsupported-critical-function,\n"
	    "         content-too-long, too-many-recipients, ...); --text is\n"
	    "         the supplementary information; --domain C,A[,P] and\n"
	    "         --mta name the guard; --time/--arrival are UTC\n"
	    "         YYYYMMDDhhmmssZ (default now); --return-content returns\n"
	    "         the content if the message asked for it\n"
	    "\n"
	    "The SPEC format is \"name: value\" lines with [heading], [ipn]\n"
	    "and [body TYPE] sections; its fields are listed in the manual\n"
	    "page (the header of mmguard-msg.c) and shown by the examples in\n"
	    "tests/data/msg/.  A minimal message:\n"
	    "\n"
	    "  message-id: C=GB; A= ; P=MOD; L=0001\n"
	    "  originator: G=John; S=Smith; O=HQ; P=MOD; A= ; C=GB\n"
	    "  recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "  trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "  [heading]\n"
	    "  this-ipm: local=0001\n"
	    "  subject: Exercise traffic\n"
	    "  primary-precedence: flash\n"
	    "  [body ia5-text]\n"
	    "  Hello.\n"
	    "\n"
	    "Exit status: 0 on success; 1 when the input does not decode (the\n"
	    "reason is printed as \"offset N: reason\") or the SPEC does not\n"
	    "parse (\"FILE:LINE: reason\"); 2 on usage or I/O errors.\n");
	exit(0);
}

static char *
read_file(const char *path, size_t *len)
{
	char	*p;

	if ((p = file_read(path, MSG_MAX_INPUT, len)) == NULL) {
		log_warn("%s", path);
		exit(2);
	}
	return p;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	if (file_write(path, p, n) == -1)
		fatal("%s", path);
}

static int
cmd_compose(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "ber-variant", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct x400_dec	 d;
	struct x400_msg	*m;
	struct x400_spec_opts opts;
	struct buf	 out, signed_content;
	const char	*outpath = NULL;
	char		*text, *dircopy, err[1024];
	unsigned	 variant = 0;
	size_t		 len;
	int		 ch;

	buf_init(&signed_content, MSG_MAX_INPUT);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			outpath = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "indefinite") == 0)
				variant = BER_ENC_INDEFINITE;
			else if (strcmp(optarg, "shuffle") == 0)
				variant = BER_ENC_SHUFFLE;
			else if (strcmp(optarg, "both") == 0)
				variant = BER_ENC_INDEFINITE | BER_ENC_SHUFFLE |
				    BER_ENC_SEGMENTS;
			else
				fatalx("--ber-variant: indefinite, shuffle or "
				    "both, not %s", optarg);
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1 || outpath == NULL)
		usage(0);
	text = read_file(argv[optind], &len);
	dircopy = xstrdup(argv[optind]);
	if (x400_spec_parse(&d, argv[optind], dirname(dircopy), text, len, &m,
	    &opts, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		x400_dec_free(&d);
		free(text);
		free(dircopy);
		return 1;
	}
	buf_init(&out, MSG_MAX_INPUT);
	if (opts.sign_cert != NULL && cms_sign_msg(m, opts.sign_cert,
	    opts.sign_key, variant, &signed_content, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: sign: %s\n", argv[optind], err);
		x400_dec_free(&d);
		free(text);
		free(dircopy);
		return 1;
	}
	if (x400_encode(m, variant, &out) == -1)
		fatalx("%s: the message cannot be encoded (a value outside "
		    "its type's character set or range?)", argv[optind]);
	write_file(outpath, out.data, out.len);
	buf_free(&out);
	buf_free(&signed_content);
	x400_dec_free(&d);
	free(text);
	free(dircopy);
	return 0;
}

static void
print_text(const char *label, const struct x400_text *t)
{
	if (t->utf8 != NULL)
		printf("%s%.*s\n", label, (int)t->len, t->utf8);
}

static void
print_content(const struct x400_content *c, int indent)
{
	const struct x400_ipm	*p = &c->ipm;
	unsigned		 i, k;
	int			 w = indent;

	printf("%*scontent: %s, %s\n", w, "", c->p772 ? "P772" : "IPM",
	    c->protection == X400_PROT_CMS_SIGNED ? "CMS-signed" :
	    "unprotected");
	if (c->is_ipn) {
		printf("%*s  notification: %s of %s\n", w, "",
		    c->ipn.kind == X400_IPN_RECEIPT ? "receipt" :
		    c->ipn.kind == X400_IPN_NON_RECEIPT ? "non-receipt" :
		    "other", c->ipn.subject_ipm.local);
		return;
	}
	printf("%*s  this IPM: %s%s%s\n", w, "", p->this_ipm.local,
	    p->this_ipm.user.present ? " from " : "",
	    p->this_ipm.user.present ? p->this_ipm.user.text : "");
	if (p->subject.utf8 != NULL)
		printf("%*s  subject: %.*s\n", w, "", (int)p->subject.len,
		    p->subject.utf8);
	if (p->primary_precedence != X400_ABSENT)
		printf("%*s  primary precedence: %s (%lld)\n", w, "",
		    x400_precedence_name(p->primary_precedence),
		    (long long)p->primary_precedence);
	if (p->copy_precedence != X400_ABSENT)
		printf("%*s  copy precedence: %s (%lld)\n", w, "",
		    x400_precedence_name(p->copy_precedence),
		    (long long)p->copy_precedence);
	for (i = 0; i < p->nprimary; i++)
		printf("%*s  to: %s\n", w, "", p->primary[i].who.formal.present ?
		    p->primary[i].who.formal.text : "(free form)");
	for (i = 0; i < p->ncopy; i++)
		printf("%*s  cc: %s\n", w, "", p->copy[i].who.formal.present ?
		    p->copy[i].who.formal.text : "(free form)");
	for (i = 0; i < p->nsics; i++)
		printf("%*s  SIC: %s\n", w, "", p->sics[i]);
	for (i = 0; i < p->nhandling; i++)
		printf("%*s  handling: %.*s\n", w, "",
		    (int)p->handling[i].len, p->handling[i].utf8);
	for (i = 0; i < p->ninstructions; i++)
		printf("%*s  instruction: %.*s\n", w, "",
		    (int)p->instructions[i].len, p->instructions[i].utf8);
	for (i = 0, k = 0; i < p->next; i++)
		k += p->ext[i].known;
	if (p->next > 0)
		printf("%*s  heading extensions: %u, %u understood\n", w, "",
		    p->next, k);
	for (i = 0; i < p->next; i++)
		if (!p->ext[i].known)
			printf("%*s  heading extension %s not understood\n",
			    w, "", p->ext[i].oid);
	for (i = 0; i < p->nbody; i++) {
		const struct x400_bodypart *b = &p->body[i];

		printf("%*s  body part %u: %s%s%s", w, "", i + 1,
		    x400_bp_name(b->type), b->oid ? " " : "",
		    b->oid ? b->oid : "");
		if (b->data != NULL)
			printf(", %zu bytes", b->datalen);
		printf("\n");
		if (b->text.utf8 != NULL)
			printf("%*s    | %.*s\n", w, "", (int)(b->text.len > 200 ?
			    200 : b->text.len), b->text.utf8);
		if (b->forwarded != NULL)
			print_content(b->forwarded, indent + 4);
	}
}

static const char *
name_or(const char *name)
{
	return name != NULL ? name : "(unnamed)";
}

static void
print_msg(const struct x400_msg *m)
{
	const struct x400_envelope	*env = &m->env;
	unsigned			 i;

	if (m->apdu == X400_APDU_REPORT) {
		printf("report %s about %s\n", m->report.id.text,
		    m->report.subject.text);
		printf("  to: %s\n", m->report.destination.text);
		for (i = 0; i < m->report.nrcpt; i++) {
			const struct x400_report_rcpt *r = &m->report.rcpt[i];

			printf("  recipient %lld %s: ", (long long)r->number,
			    r->actual.text);
			if (r->delivered) {
				printf("delivered\n");
				continue;
			}
			printf("not delivered (reason %lld %s", (long long)
			    r->reason, name_or(x400_ndr_reason_name(r->reason)));
			if (r->diagnostic != X400_ABSENT)
				printf(", diagnostic %lld %s", (long long)
				    r->diagnostic,
				    name_or(x400_ndr_diagnostic_name(
				    r->diagnostic)));
			printf(")\n");
			if (r->supplementary != NULL)
				printf("    supplementary: %s\n",
				    r->supplementary);
		}
		return;
	}
	printf("%s %s\n", m->apdu == X400_APDU_PROBE ? "probe" : "message",
	    env->id.text);
	printf("  originator: %s\n", env->originator.text);
	if (env->content_oid != NULL)
		printf("  content type: %s\n", env->content_oid);
	else
		printf("  content type: %lld\n", (long long)env->content_builtin);
	printf("  priority: %s\n", x400_priority_name(env->priority));
	if (env->label.present) {
		printf("  security label: policy %s, classification %lld",
		    env->label.policy ? env->label.policy : "(none)",
		    (long long)env->label.classification);
		print_text(", privacy mark ", &env->label.privacy_mark);
		if (env->label.privacy_mark.utf8 == NULL)
			printf("\n");
	}
	for (i = 0; i < env->nrcpt; i++)
		printf("  recipient %lld: %s\n", (long long)env->rcpt[i].number,
		    env->rcpt[i].name.text);
	for (i = 0; i < env->ntrace; i++)
		printf("  trace: %s/%s arrival %04d-%02d-%02d %02d:%02d:%02d\n",
		    env->trace[i].domain.country, env->trace[i].domain.admd,
		    env->trace[i].arrival.tm.year, env->trace[i].arrival.tm.mon,
		    env->trace[i].arrival.tm.day, env->trace[i].arrival.tm.hour,
		    env->trace[i].arrival.tm.min, env->trace[i].arrival.tm.sec);
	for (i = 0; i < env->next; i++) {
		if (env->ext[i].standard)
			printf("  extension %lld", (long long)env->ext[i].number);
		else
			printf("  extension %s", env->ext[i].oid);
		printf("%s%s\n", env->ext[i].crit & X400_CRIT_TRANSFER ?
		    " critical for transfer" : "",
		    env->ext[i].known ? "" : " (not understood)");
	}
	if (m->unknown_critical > 0)
		printf("  WARNING: %u extension(s) critical for transfer not "
		    "understood\n", m->unknown_critical);
	if (m->apdu == X400_APDU_MESSAGE) {
		printf("  content: %zu bytes\n", m->content_len);
		if (m->body != NULL)
			print_content(m->body, 2);
	}
}

/* A label (SPEC syntax) as ESSSecurityLabel DER, in the arena of d. */
static int
label_der(struct x400_dec *d, const char *text, struct buf *out)
{
	struct x400_label	l;
	struct ber_enc		e;
	char			err[512];

	if (x400_spec_label(d, text, &l, err, sizeof(err)) == -1) {
		log_warnx("--label: %s", err);
		return -1;
	}
	ber_enc_init(&e, out, 0);
	x400_label_enc(&e, BER_UNIV(BER_SET), &l);
	if (ber_enc_finish(&e) == -1) {
		log_warnx("--label: cannot encode \"%s\"", text);
		return -1;
	}
	return 0;
}

static int
cmd_sign(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "chain", required_argument, NULL, 'C' },
		{ "label", required_argument, NULL, 'l' },
		{ "equivalent-label", required_argument, NULL, 'e' },
		{ "receipt-request", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cms_sign_opts	 opts;
	struct x400_dec		 d, ld;
	struct x400_msg		*m;
	struct buf		 label, equiv, signedc, out;
	struct ber_enc		 e;
	const char		*cert = NULL, *key = NULL, *outpath = NULL;
	const char		*equivs[16];
	char			*in, err[512];
	size_t			 len, nequiv = 0, i;
	int			 ch, rc = 1;

	memset(&opts, 0, sizeof(opts));
	buf_init(&label, 1 << 16);
	buf_init(&equiv, 1 << 20);
	buf_init(&signedc, MSG_MAX_INPUT);
	buf_init(&out, MSG_MAX_INPUT);
	memset(&ld, 0, sizeof(ld));
	x400_limits_default(&ld.lim);
	ber_ctx_init(&ld.c, BER_MODE_DER, NULL, "", 0);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:k:C:l:e:ro:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'C':
			opts.chainfile = optarg;
			break;
		case 'l':
			if (label_der(&ld, optarg, &label) == -1)
				return 1;
			opts.label = label.data;
			opts.labellen = label.len;
			break;
		case 'e':
			if (nequiv == 16)
				fatalx("at most 16 --equivalent-label");
			equivs[nequiv++] = optarg;
			break;
		case 'r':
			opts.receipt_request = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1 || cert == NULL || key == NULL ||
	    outpath == NULL)
		usage(0);
	if (nequiv > 0) {
		struct buf	one;

		ber_enc_init(&e, &equiv, 0);
		ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
		for (i = 0; i < nequiv; i++) {
			buf_init(&one, 1 << 16);
			if (label_der(&ld, equivs[i], &one) == -1)
				return 1;
			ber_put_raw(&e, one.data, one.len);
			buf_free(&one);
		}
		ber_enc_end(&e);
		if (ber_enc_finish(&e) == -1)
			fatalx("--equivalent-label: cannot encode");
		opts.equivalent = equiv.data;
		opts.equivalentlen = equiv.len;
	}
	in = read_file(argv[optind], &len);
	if (x400_decode(&d, BER_MODE_BER, NULL, in, len, &m) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d));
		goto out;
	}
	if (m->apdu != X400_APDU_MESSAGE || m->body == NULL ||
	    m->body->protection != X400_PROT_NONE || !m->body->p772) {
		log_warnx("%s: not an unsigned P772 message", argv[optind]);
		goto out;
	}
	/* Sign the content octets exactly as they are. */
	if (cms_sign_content_opts(m->content, m->content_len, X400_OID_P772,
	    cert, key, &opts, &signedc, err, sizeof(err)) == -1) {
		log_warnx("sign: %s", err);
		goto out;
	}
	m->content = signedc.data;
	m->content_len = signedc.len;
	m->env.content_oid = (char *)X400_OID_CONTENTINFO;
	m->env.content_builtin = X400_ABSENT;
	if (x400_encode(m, 0, &out) == -1) {
		log_warnx("the signed message cannot be encoded");
		goto out;
	}
	write_file(outpath, out.data, out.len);
	rc = 0;
out:
	x400_dec_free(&d);
	x400_dec_free(&ld);
	free(in);
	buf_free(&label);
	buf_free(&equiv);
	buf_free(&signedc);
	buf_free(&out);
	return rc;
}

static int
cmd_verify(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "crl", required_argument, NULL, 'c' },
		{ "at-signing-time", no_argument, NULL, 's' },
		{ "require-label", no_argument, NULL, 'L' },
		{ "json", no_argument, NULL, 'j' },
		{ "digests", required_argument, NULL, 'D' },
		{ "min-rsa-bits", required_argument, NULL, 'R' },
		{ "min-ec-bits", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*digests[17];
	char			*dlist = NULL, *tok, *save, *end;
	size_t			 ndig = 0;
	long			 bits;
	struct cms_config	 cfg;
	struct cms_facts	 f;
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct buf		 out;
	const char		*trust = NULL, *crls[32];
	char			*in, err[512], agree[8][160];
	size_t			 len, ncrl = 0;
	unsigned		 i, nagree;
	int			 ch, json = 0, rc;

	cms_config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:c:sLjD:R:E:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'D':
			/* Allowed digests by OpenSSL short name, "SHA256,..." */
			free(dlist);
			dlist = xstrdup(optarg);
			ndig = 0;
			for (tok = strtok_r(dlist, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				if (ndig == 16)
					fatalx("--digests: at most 16");
				digests[ndig++] = tok;
			}
			digests[ndig] = NULL;
			if (ndig == 0)
				fatalx("--digests: none given");
			cfg.digests = digests;
			break;
		case 'R':
		case 'E':
			errno = 0;
			bits = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || bits < 128 || bits > 16384)
				fatalx("--min-%s-bits: 128 to 16384, not %s",
				    ch == 'R' ? "rsa" : "ec", optarg);
			if (ch == 'R')
				cfg.min_rsa_bits = (int)bits;
			else
				cfg.min_ec_bits = (int)bits;
			break;
		case 't':
			trust = optarg;
			break;
		case 'c':
			if (ncrl == 32)
				fatalx("at most 32 --crl");
			crls[ncrl++] = optarg;
			break;
		case 's':
			cfg.at_signing_time = true;
			break;
		case 'L':
			cfg.require_label = true;
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
	if (argc - optind != 1 || trust == NULL)
		usage(0);
	if (cms_config_load(&cfg, trust, crls, ncrl, err, sizeof(err)) == -1)
		fatalx("%s", err);
	in = read_file(argv[optind], &len);
	if (x400_decode(&d, BER_MODE_BER, NULL, in, len, &m) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d));
		rc = 1;
		goto out;
	}
	if (m->body == NULL || m->body->protection != X400_PROT_CMS_SIGNED) {
		fprintf(stderr, "%s: not a CMS-signed message\n",
		    argv[optind]);
		rc = 1;
		goto out;
	}
	rc = cms_verify(&d, &cfg, m->content, m->content_len, &f) == 0 ? 0 : 1;
	nagree = cms_label_agreement(m, &f, agree, 8);
	if (json) {
		buf_init(&out, 1 << 24);
		if (cms_json(&f, &out) == -1)
			fatalx("JSON output too large");
		fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
	} else {
		printf("%s: %s\n", argv[optind], f.ok ? "verified" :
		    "NOT verified");
		if (!f.ok)
			printf("  reason: %s\n", f.reason);
		for (i = 0; i < f.nsigners; i++) {
			printf("  signer %u: %s\n", i + 1,
			    f.signers[i].subject ? f.signers[i].subject :
			    "(unknown)");
			if (f.signers[i].label.present)
				printf("    label: policy %s, classification "
				    "%lld\n", f.signers[i].label.policy,
				    (long long)f.signers[i].label.classification);
		}
	}
	for (i = 0; i < nagree; i++)
		fprintf(stderr, "%s: label disagreement: %s\n", argv[optind],
		    agree[i]);
out:
	x400_dec_free(&d);
	cms_config_free(&cfg);
	free(in);
	free(dlist);
	return rc;
}

static int
cmd_receipt(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "chain", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct x400_orname	 orig;
	struct buf		 rcpt, out;
	const char		*cert = NULL, *key = NULL, *chain = NULL;
	const char		*outpath = NULL;
	char			*in, err[512], local[40];
	size_t			 len;
	time_t			 now;
	struct tm		 tm;
	int			 ch, rc = 1;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:k:C:o:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'C':
			chain = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1 || cert == NULL || key == NULL ||
	    outpath == NULL)
		usage(0);
	in = read_file(argv[optind], &len);
	buf_init(&rcpt, MSG_MAX_INPUT);
	buf_init(&out, MSG_MAX_INPUT);
	if (x400_decode(&d, BER_MODE_BER, NULL, in, len, &m) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d));
		goto out;
	}
	if (m->apdu != X400_APDU_MESSAGE || m->body == NULL ||
	    m->body->protection != X400_PROT_CMS_SIGNED) {
		log_warnx("%s: not a CMS-signed message", argv[optind]);
		goto out;
	}
	if (cms_make_receipt(m->content, m->content_len, cert, key, chain,
	    &rcpt, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", argv[optind], err);
		goto out;
	}
	/* The answer goes from the first recipient back to the originator. */
	orig = m->env.originator;
	m->env.originator = m->env.rcpt[0].name;
	m->env.rcpt[0].name = orig;
	m->env.rcpt[0].number = 1;
	m->env.rcpt[0].next = 0;
	m->env.nrcpt = 1;
	(void)snprintf(local, sizeof(local), "RCPT-%.26s", m->env.id.local);
	m->env.id.local = local;
	m->env.next = 0;
	m->env.label.present = false;
	m->env.ntrace = 1;
	now = time(NULL);
	gmtime_r(&now, &tm);
	m->env.trace[0].arrival.tm = (struct ber_time){ .year = tm.tm_year +
	    1900, .mon = tm.tm_mon + 1, .day = tm.tm_mday,
	    .hour = tm.tm_hour, .min = tm.tm_min, .sec = tm.tm_sec,
	    .has_tz = true };
	m->env.content_oid = (char *)X400_OID_CONTENTINFO;
	m->env.content_builtin = X400_ABSENT;
	m->env.content_id = NULL;
	m->content = rcpt.data;
	m->content_len = rcpt.len;
	if (x400_encode(m, 0, &out) == -1) {
		log_warnx("the receipt message cannot be encoded");
		goto out;
	}
	write_file(outpath, out.data, out.len);
	rc = 0;
out:
	x400_dec_free(&d);
	buf_free(&rcpt);
	buf_free(&out);
	free(in);
	return rc;
}

static int
cmd_verify_receipt(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "trust", required_argument, NULL, 't' },
		{ "crl", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cms_config	 cfg;
	struct cms_facts	 f;
	struct x400_dec		 d1, d2;
	struct x400_msg		*orig, *rcpt;
	const char		*trust = NULL, *crls[32];
	char			*in1, *in2, err[512];
	size_t			 len1, len2, ncrl = 0;
	int			 ch, rc = 1;

	cms_config_init(&cfg);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "t:c:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
			trust = optarg;
			break;
		case 'c':
			if (ncrl == 32)
				fatalx("at most 32 --crl");
			crls[ncrl++] = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 2 || trust == NULL)
		usage(0);
	if (cms_config_load(&cfg, trust, crls, ncrl, err, sizeof(err)) == -1)
		fatalx("%s", err);
	in1 = read_file(argv[optind], &len1);
	in2 = read_file(argv[optind + 1], &len2);
	if (x400_decode(&d1, BER_MODE_BER, NULL, in1, len1, &orig) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d1));
		goto out;
	}
	if (x400_decode(&d2, BER_MODE_BER, NULL, in2, len2, &rcpt) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind + 1],
		    x400_strerror(&d2));
		goto out;
	}
	if (orig->body == NULL || rcpt->body == NULL ||
	    orig->body->protection != X400_PROT_CMS_SIGNED ||
	    rcpt->body->protection != X400_PROT_CMS_SIGNED ||
	    rcpt->body->econtent_type == NULL ||
	    strcmp(rcpt->body->econtent_type, X400_OID_RECEIPT) != 0) {
		fprintf(stderr, "%s: not a signed receipt for a signed "
		    "message\n", argv[optind + 1]);
		goto out;
	}
	if (cms_verify(&d2, &cfg, rcpt->content, rcpt->content_len,
	    &f) == -1) {
		printf("%s: receipt NOT verified: %s\n", argv[optind + 1],
		    f.reason);
		goto out;
	}
	if (cms_check_receipt(&cfg, rcpt->content, rcpt->content_len,
	    orig->content, orig->content_len, err, sizeof(err)) == -1) {
		printf("%s: receipt NOT verified: %s\n", argv[optind + 1], err);
		goto out;
	}
	printf("%s: verified receipt of %s by %s\n", argv[optind + 1],
	    orig->env.id.text, f.signers[0].subject);
	rc = 0;
out:
	x400_dec_free(&d1);
	x400_dec_free(&d2);
	cms_config_free(&cfg);
	free(in1);
	free(in2);
	return rc;
}

static int
cmd_dump(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "der", no_argument, NULL, 'd' },
		{ "content", required_argument, NULL, 'c' },
		{ "extract", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*extract = NULL;
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct x400_content	*c;
	struct buf		 out;
	enum ber_mode		 mode = BER_MODE_BER;
	const char		*content = NULL;
	char			*in;
	size_t			 len;
	int			 ch, json = 0, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jdc:x:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'x':
			extract = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'd':
			mode = BER_MODE_DER;
			break;
		case 'c':
			if (strcmp(optarg, "p772") != 0 &&
			    strcmp(optarg, "ipm") != 0)
				fatalx("--content: p772 or ipm, not %s",
				    optarg);
			content = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1)
		usage(0);
	in = read_file(argv[optind], &len);
	if (content != NULL)
		rc = x400_decode_content(&d, mode, NULL, in, len,
		    strcmp(content, "p772") == 0, &c);
	else
		rc = x400_decode(&d, mode, NULL, in, len, &m);
	if (rc == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d));
		x400_dec_free(&d);
		free(in);
		return 1;
	}
	if (extract != NULL) {
		if (content != NULL || m->apdu != X400_APDU_MESSAGE)
			fatalx("--extract: only a P1 message has content");
		write_file(extract, m->content, m->content_len);
	}
	if (json) {
		buf_init(&out, MSG_MAX_INPUT);
		if ((content != NULL ? x400_json_content(c, &out) :
		    x400_json(m, &out)) == -1)
			fatalx("JSON output too large");
		fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
	} else if (content != NULL)
		print_content(c, 0);
	else
		print_msg(m);
	x400_dec_free(&d);
	free(in);
	return 0;
}

/* A UTC time as YYYYMMDDhhmmssZ, in seconds since 1970. */
static int64_t
parse_utc(const char *opt, const char *s)
{
	struct tm	tm;
	char		z = 0, extra;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 15 || sscanf(s, "%4d%2d%2d%2d%2d%2d%c%c", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z,
	    &extra) != 7 || z != 'Z' || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 59)
		fatalx("%s: \"%s\" is not a UTC time YYYYMMDDhhmmssZ", opt, s);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm);
}

/* --domain C,A[,P]: blanks are kept (an ADMD of one space is usual). */
static void
parse_domain(char *s, struct x400_gdi *g)
{
	char	*a, *p;

	if ((a = strchr(s, ',')) == NULL)
		fatalx("--domain: expected COUNTRY,ADMD[,PRMD], not \"%s\"", s);
	*a++ = '\0';
	if ((p = strchr(a, ',')) != NULL)
		*p++ = '\0';
	if (p != NULL && strchr(p, ',') != NULL)
		fatalx("--domain: at most three parts");
	g->country = s;
	g->admd = a;
	g->prmd = p;
}

static int
cmd_ndr(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "diagnostic", required_argument, NULL, 'd' },
		{ "text", required_argument, NULL, 't' },
		{ "mta", required_argument, NULL, 'm' },
		{ "domain", required_argument, NULL, 'D' },
		{ "time", required_argument, NULL, 'T' },
		{ "arrival", required_argument, NULL, 'a' },
		{ "local-id", required_argument, NULL, 'l' },
		{ "return-content", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct buf		 out;
	const char		*outpath = NULL;
	char			*in, err[512];
	size_t			 len;
	bool			 have_reason = false, have_time = false;
	int			 ch, rc = 1;

	x400_ndr_params_init(&p);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "r:d:t:m:D:T:a:l:Ro:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r':
			if ((p.reason = x400_ndr_reason_code(optarg)) == -1)
				fatalx("--reason: \"%s\" is neither an X.411 "
				    "non-delivery-reason-code name nor 0 to %d",
				    optarg, X400_NDR_REASON_MAX);
			have_reason = true;
			break;
		case 'd':
			if ((p.diagnostic = x400_ndr_diagnostic_code(optarg)) ==
			    -1)
				fatalx("--diagnostic: \"%s\" is neither an X.411 "
				    "non-delivery-diagnostic-code name nor 0 to "
				    "%d", optarg, X400_NDR_DIAG_MAX);
			break;
		case 't':
			p.text = optarg;
			break;
		case 'm':
			p.mta = optarg;
			break;
		case 'D':
			parse_domain(optarg, &p.domain);
			break;
		case 'T':
			p.time = parse_utc("--time", optarg);
			have_time = true;
			break;
		case 'a':
			p.arrival = parse_utc("--arrival", optarg);
			break;
		case 'l':
			p.local_id = optarg;
			break;
		case 'R':
			p.return_content = true;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(1);
		default:
			usage(0);
		}
	}
	if (argc - optind != 1 || outpath == NULL || !have_reason ||
	    p.mta == NULL || p.domain.country == NULL)
		usage(0);
	if (!have_time)
		p.time = (int64_t)time(NULL);
	in = read_file(argv[optind], &len);
	buf_init(&out, MSG_MAX_INPUT);
	if (x400_decode(&d, BER_MODE_BER, NULL, in, len, &m) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], x400_strerror(&d));
		goto out;
	}
	if (x400_ndr_build(m, &p, &out, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", argv[optind], err);
		goto out;
	}
	write_file(outpath, out.data, out.len);
	rc = 0;
out:
	x400_dec_free(&d);
	buf_free(&out);
	free(in);
	return rc;
}

int
main(int argc, char *argv[])
{
	log_init("mmguard-msg", LOG_TO_STDERR, 0);
	if (argc < 2)
		usage(0);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		usage(1);
	if (strcmp(argv[1], "compose") == 0)
		return cmd_compose(argc - 1, argv + 1);
	if (strcmp(argv[1], "dump") == 0)
		return cmd_dump(argc - 1, argv + 1);
	if (strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "receipt") == 0)
		return cmd_receipt(argc - 1, argv + 1);
	if (strcmp(argv[1], "verify-receipt") == 0)
		return cmd_verify_receipt(argc - 1, argv + 1);
	if (strcmp(argv[1], "ndr") == 0)
		return cmd_ndr(argc - 1, argv + 1);
	log_warnx("unknown command \"%s\"", argv[1]);
	usage(0);
}
