/*
 * mmguard-audit - verify, inspect and key the guard's audit log.
 *
 * SYNOPSIS
 *	mmguard-audit verify DIR --pubkey PUB.pem [--head HEAD] [--json]
 *	    [--require-sealed]
 *	mmguard-audit head DIR [--pubkey PUB.pem]
 *	mmguard-audit show DIR [--since T] [--until T] [--message ID]
 *	    [--event E] [--json]
 *	mmguard-audit keygen -o KEY.pem [--pub PUB.pem]
 *
 * DESCRIPTION
 *	The audit log is a directory of text files, one record a line,
 *	each record carrying the SHA-256 of the one before it, with
 *	checkpoints signed by an Ed25519 key.  The format is described
 *	exactly in guard/audit/auditlog.h and in `mmguard-audit --help`.
 *
 *	verify walks every file of DIR in order and checks the chain,
 *	the sequence numbers across files, every checkpoint signature and
 *	every key rotation, starting from PUB.pem, the key the log was
 *	created with (later keys are taken only from rotation records
 *	signed by the key before them).  Each failure is printed as
 *	"error: FILE:LINE: seq S: reason".  Records after the last
 *	signature are reported as unsealed, bytes after the last newline of
 *	the last file as a torn record (both are what a crash leaves; the
 *	writer seals and sets them aside when it reopens the log).  With
 *	--head, a head printed earlier by `head` must be found in the log,
 *	unchanged and signed: the log only grew since.
 *
 *	head prints the latest checkpoint as a small text block for the
 *	auditor to keep off the appliance; with --pubkey the log is
 *	verified first.
 *
 *	show prints records as a table (values as stored, escaped) or, with
 *	--json, one JSON object a line (values decoded).  Filters: --since
 *	and --until (UTC, 2024-05-01, 2024-05-01T12:00, 2024-05-01T12:00:00
 *	or the full record form; since <= time < until), --message (exact
 *	message id), --event (an event name).
 *
 *	keygen makes an Ed25519 key pair: KEY.pem (PKCS#8, mode 0600, never
 *	overwritten) and, with --pub, the public key.
 *
 * EXIT STATUS
 *	0 when everything verified (verify), or the command succeeded;
 *	1 on a verification failure or a record that does not parse;
 *	2 on usage or I/O errors; 3 (verify) when everything verified but
 *	the last file ends in a torn record.  With --require-sealed, verify
 *	also fails (1) on unsealed records or a torn record.
 *
 * SECURITY
 *	An offline tool for auditors; no privileges, no network.  It reads
 *	log files an attacker may have written: every line goes through the
 *	same strict, bounded parser as the writer's own check (fuzzed), and
 *	nothing it prints in a table can carry a control character, since
 *	stored values are escaped.  What it proves rests on the public key
 *	given with --pubkey and on a head kept outside the appliance: with
 *	neither, it can only say that the log is self-consistent.  keygen
 *	writes a private key; run it on the machine that will hold it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "guard/audit/auditlog.h"
#include "guard/common/hex.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "guard/common/json.h"

#define ERRORS_SHOWN	1000
#define EXIT_IO		2	/* usage and I/O errors; 1 is for the log */

/* fatal() and fatalx() exit 1, which here means "the log failed". */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	char	msg[1024];
	int	saved = errno;
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "mmguard-audit: %s: %s\n", msg, strerror(saved));
	exit(EXIT_IO);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
diex(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "mmguard-audit: ");
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(EXIT_IO);
}

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f,
	    "usage: mmguard-audit verify DIR --pubkey PUB.pem [--head HEAD] "
	    "[--json]\n"
	    "                            [--require-sealed]\n"
	    "       mmguard-audit head DIR [--pubkey PUB.pem]\n"
	    "       mmguard-audit show DIR [--since T] [--until T] "
	    "[--message ID]\n"
	    "                              [--event E] [--json]\n"
	    "       mmguard-audit keygen -o KEY.pem [--pub PUB.pem]\n");
	if (!full)
		exit(2);
	fprintf(f, "\n"
"verify  check every file of DIR: the hash chain, sequence numbers across\n"
"        files, rotation records, every checkpoint signature and key\n"
"        rotation, from the log's first key PUB.pem.  Each failure prints\n"
"        \"error: FILE:LINE: seq S: reason\".  Records after the last\n"
"        signature are reported as unsealed, bytes after the last newline\n"
"        as a torn record.  --head HEAD: prove that the log only grew\n"
"        since HEAD was taken.  --require-sealed: unsealed or torn fails.\n"
"head    print the latest checkpoint as a head to keep off the appliance\n"
"        (verified first with --pubkey).\n"
"show    print records, as a table or JSON lines (--json); --since and\n"
"        --until take UTC times (2024-05-01, 2024-05-01T12:00,\n"
"        2024-05-01T12:00:00; since <= time < until), --message an exact\n"
"        message id, --event an event name.\n"
"keygen  make an Ed25519 key pair: KEY.pem (mode 0600, never overwritten),\n"
"        and PUB.pem with --pub.\n"
"\n"
"THE LOG\n"
"  DIR holds audit-NNNNNNNNNNNNNNNNNNNN.log, NNN the first record's\n"
"  sequence number in 20 digits.  One record a line, printable ASCII:\n"
"    seq=S prev=P time=T role=R event=E msg=M [KEY=VALUE ...]\n"
"  S counts from 1 across files; P is the SHA-256 (lowercase hex) of the\n"
"  previous line with its newline (64 zeros for the first record); T is\n"
"  UTC, 2024-05-01T12:00:00.000000Z; values escape bytes 0x00-0x20,\n"
"  0x7f-0xff and %% as %%XX (uppercase hex) and nothing else.  A line is\n"
"  at most %d bytes.  The log writes itself:\n"
"    log-created   key=ID pub=HEX format=1        (seq 1)\n"
"    file-opened   prev-file=NAME key=ID          (first line of a file)\n"
"    checkpoint    reason=count|time|rotate|close|request key=ID sig=SIG\n"
"    key-rotated   old-key=ID new-key=ID new-pub=HEX sig-old=SIG "
"sig-new=SIG\n"
"    log-recovered file=NAME offset=N bytes=N sha256=HEX saved=NAME\n"
"  SIG is Ed25519 over the line up to the space before sig= (sig-old=);\n"
"  ID is the first 16 hex digits of the SHA-256 of the raw public key.\n"
"  Every file but the last ends with a rotate checkpoint.  By hand:\n"
"    sed -n 5p F | sha256sum          = prev of line 6\n"
"    line=$(grep -m1 event=checkpoint F)\n"
"    printf %%s \"${line%% sig=*}\" > m; echo \"${line##*sig=}\" | xxd -r -p > s\n"
"    openssl pkeyutl -verify -rawin -pubin -inkey PUB.pem -in m "
"-sigfile s\n"
"  A head is five lines: -----BEGIN MMGUARD AUDIT HEAD-----, seq=S,\n"
"  hash=H (of the record line with its newline), record=LINE (a\n"
"  checkpoint), -----END MMGUARD AUDIT HEAD-----.\n"
"  Events: message-accepted message-inspected verdict officer-action\n"
"  diode-sent delivered ndr-issued policy-loaded role-started role-crashed\n"
"  role-restarted sandbox-violation config-changed key-rotated\n"
"  log-recovered archive-purged link-alarm log-created file-opened\n"
"  checkpoint.\n"
"\n"
"EXIT STATUS\n"
"  0 verified / done; 1 verification failed or a record does not parse;\n"
"  2 usage or I/O error; 3 verified, but the last record is torn.\n",
	    AUDIT_LINE_MAX);
	exit(0);
}

static EVP_PKEY *
load_pub(const char *path)
{
	EVP_PKEY	*k;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL)
		die("%s", path);
	k = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL || !EVP_PKEY_is_a(k, "ED25519"))
		diex("%s: not an Ed25519 public key (PEM)", path);
	return k;
}

/* ---- verify -------------------------------------------------------------- */

struct vstate {
	int		 json;
	uint64_t	 shown;
	struct json	*j;
};

static void
print_error(void *arg, const char *msg)
{
	struct vstate	*vs = arg;

	if (vs->shown++ >= ERRORS_SHOWN)
		return;
	if (vs->json)
		json_str(vs->j, msg);
	else
		printf("error: %s\n", msg);
}

static void
print_report(const struct audit_report *r, const char *verdict)
{
	char	hex[65];

	printf("files %" PRIu64 ", records %" PRIu64, r->files, r->records);
	if (r->records > 0)
		printf(" (seq %" PRIu64 " to %" PRIu64 ")", r->first_seq,
		    r->last_seq);
	printf("\ncheckpoints %" PRIu64 ", key rotations %" PRIu64
	    ", recoveries %" PRIu64 ", key in force %s\n", r->checkpoints,
	    r->key_rotations, r->recoveries, r->keyid[0] ? r->keyid : "-");
	hex_lower(r->last_hash, 32, hex);
	printf("last record seq %" PRIu64 " hash %s\n", r->last_seq, hex);
	if (r->sealed_seq > 0)
		printf("sealed through seq %" PRIu64 "\n", r->sealed_seq);
	else
		printf("nothing sealed\n");
	if (r->unsealed > 0)
		printf("unsealed: %" PRIu64 " records (seq %" PRIu64 " to %"
		    PRIu64 ")\n", r->unsealed, r->unsealed_first,
		    r->unsealed_last);
	if (r->torn)
		printf("torn last record: %" PRIu64 " bytes at offset %"
		    PRIu64 " of %s\n", r->torn_bytes, r->torn_offset,
		    r->last_file);
	if (r->head_given)
		printf("head: seq %" PRIu64 " %s\n", r->head_seq,
		    r->head_proven ? "found and signed: the log only grew "
		    "from it" : "NOT proven");
	printf("verify: %s\n", verdict);
}

static void
json_report(struct json *j, const struct audit_report *r, const char *verdict)
{
	json_kint(j, "files", (int64_t)r->files);
	json_kint(j, "records", (int64_t)r->records);
	json_kint(j, "first_seq", (int64_t)r->first_seq);
	json_kint(j, "last_seq", (int64_t)r->last_seq);
	json_kint(j, "checkpoints", (int64_t)r->checkpoints);
	json_kint(j, "key_rotations", (int64_t)r->key_rotations);
	json_kint(j, "recoveries", (int64_t)r->recoveries);
	json_kstr(j, "key", r->keyid);
	json_kint(j, "sealed_seq", (int64_t)r->sealed_seq);
	json_kint(j, "unsealed", (int64_t)r->unsealed);
	if (r->unsealed > 0) {
		json_kint(j, "unsealed_first", (int64_t)r->unsealed_first);
		json_kint(j, "unsealed_last", (int64_t)r->unsealed_last);
	}
	json_kbool(j, "torn", r->torn != 0);
	if (r->torn) {
		json_kstr(j, "torn_file", r->last_file);
		json_kint(j, "torn_offset", (int64_t)r->torn_offset);
		json_kint(j, "torn_bytes", (int64_t)r->torn_bytes);
	}
	if (r->head_given)
		json_kbool(j, "head_proven", r->head_proven != 0);
	json_kstr(j, "verdict", verdict);
}

static int
cmd_verify(int argc, char *argv[])
{
	struct audit_verify_cb	 cb;
	struct audit_verifier	*v;
	struct audit_report	 *rep;
	struct audit_head	*head = NULL;
	struct vstate		 vs;
	struct json		 j;
	struct buf		 out;
	const char		*dir, *pubpath = NULL, *headpath = NULL;
	const char		*verdict;
	char			 err[1024], *text;
	size_t			 len;
	EVP_PKEY		*pub;
	int			 i, json = 0, sealed = 0, rc;

	if (argc < 1)
		usage(0);
	dir = argv[0];
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pubkey") == 0 && i + 1 < argc)
			pubpath = argv[++i];
		else if (strcmp(argv[i], "--head") == 0 && i + 1 < argc)
			headpath = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--require-sealed") == 0)
			sealed = 1;
		else
			usage(0);
	}
	if (pubpath == NULL)
		usage(0);
	pub = load_pub(pubpath);
	if (headpath != NULL) {
		if ((text = file_read(headpath, AUDIT_HEAD_TEXT_MAX, &len)) ==
		    NULL)
			die("%s", headpath);
		head = malloc(sizeof(*head));
		if (head == NULL)
			die("malloc");
		rc = audit_head_parse(text, len, head, err, sizeof(err));
		free(text);
		if (rc == -1) {
			printf("error: %s: %s\nverify: FAILED\n", headpath,
			    err);
			free(head);
			EVP_PKEY_free(pub);
			return 1;
		}
	}
	memset(&vs, 0, sizeof(vs));
	vs.json = json;
	buf_init(&out, 1u << 26);
	json_init(&j, &out);
	vs.j = &j;
	if (json) {
		json_obj_begin(&j);
		json_kstr(&j, "dir", dir);
		json_key(&j, "errors");
		json_arr_begin(&j);
	}
	memset(&cb, 0, sizeof(cb));
	cb.error = print_error;
	cb.arg = &vs;
	if ((v = audit_verifier_new(pub, head, 0, &cb)) == NULL)
		diex("%s: not an Ed25519 public key", pubpath);
	if (audit_verify_dir(v, dir, err, sizeof(err)) == -1)
		diex("%s", err);
	rep = malloc(sizeof(*rep));
	if (rep == NULL)
		die("malloc");
	rc = audit_verifier_end(v, rep) == 0 ? 0 : 1;
	if (rc == 0 && sealed && (rep->unsealed > 0 || rep->torn)) {
		print_error(&vs, rep->torn ? "the last record is torn "
		    "(--require-sealed)" : "records after the last checkpoint "
		    "are unsealed (--require-sealed)");
		rc = 1;
	}
	if (rc == 0 && rep->torn)
		rc = 3;
	verdict = rc == 1 ? "FAILED" : rc == 3 ? "OK, but the last record "
	    "is torn" : "OK";
	if (json) {
		json_arr_end(&j);
		json_kint(&j, "error_count", (int64_t)(rep->errors +
		    (rc == 1 && rep->errors == 0)));
		json_report(&j, rep, verdict);
		json_obj_end(&j);
		if (json_finish(&j) == -1)
			diex("JSON output too large");
		printf("%.*s\n", (int)out.len, (const char *)out.data);
	} else {
		if (vs.shown > ERRORS_SHOWN)
			printf("error: ... %" PRIu64 " more\n",
			    vs.shown - ERRORS_SHOWN);
		print_report(rep, verdict);
	}
	buf_free(&out);
	audit_verifier_free(v);
	EVP_PKEY_free(pub);
	free(head);
	free(rep);
	return rc;
}

/* ---- head ---------------------------------------------------------------- */

static void
stderr_error(void *arg, const char *msg)
{
	uint64_t	*n = arg;

	if ((*n)++ < ERRORS_SHOWN)
		fprintf(stderr, "error: %s\n", msg);
}

static int
cmd_head(int argc, char *argv[])
{
	struct audit_verify_cb	 cb;
	struct audit_verifier	*v;
	struct audit_report	*rep;
	EVP_PKEY		*pub = NULL;
	uint64_t		 nerr = 0;
	char			 err[1024], *text;
	int			 rc = 0;

	if (argc == 3 && strcmp(argv[1], "--pubkey") == 0)
		pub = load_pub(argv[2]);
	else if (argc != 1)
		usage(0);
	memset(&cb, 0, sizeof(cb));
	cb.error = stderr_error;
	cb.arg = &nerr;
	if ((v = audit_verifier_new(pub, NULL, pub ? 0 : AUDIT_VERIFY_NOSIG,
	    &cb)) == NULL)
		diex("%s: not an Ed25519 public key", argv[2]);
	if (audit_verify_dir(v, argv[0], err, sizeof(err)) == -1)
		diex("%s", err);
	if ((rep = malloc(sizeof(*rep))) == NULL ||
	    (text = malloc(AUDIT_HEAD_TEXT_MAX)) == NULL)
		die("malloc");
	if (audit_verifier_end(v, rep) == -1) {
		fprintf(stderr, "mmguard-audit: %s: the log does not verify; "
		    "no head printed\n", argv[0]);
		rc = 1;
	} else if (!rep->have_ckpt) {
		fprintf(stderr, "mmguard-audit: %s: no checkpoint yet\n",
		    argv[0]);
		rc = 1;
	} else if (audit_head_format(&rep->ckpt, text,
	    AUDIT_HEAD_TEXT_MAX) == -1)
		diex("head too long");
	else
		fputs(text, stdout);
	audit_verifier_free(v);
	EVP_PKEY_free(pub);
	free(text);
	free(rep);
	return rc;
}

/* ---- show ---------------------------------------------------------------- */

struct show {
	uint64_t	 nerr;
	int64_t		 since, until;
	int		 have_since, have_until, json;
	const char	*msgid;
	int		 have_event;
	enum audit_ev	 event;
	struct buf	 out;
};

/* Whether n bytes are UTF-8 (shortest forms, no surrogates). */
static int
utf8_valid(const uint8_t *s, size_t n)
{
	size_t		i = 0, k, need;
	uint32_t	cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			need = 1; cp = s[i] & 0x1f; min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2; cp = s[i] & 0x0f; min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			need = 3; cp = s[i] & 0x07; min = 0x10000;
		} else
			return 0;
		if (n - i <= need)
			return 0;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Decoded when it is UTF-8, else as stored (escaped, ASCII). */
static void
json_value_of(struct json *j, const char *val, size_t vlen, const char *raw,
    size_t rawlen)
{
	if (utf8_valid((const uint8_t *)val, vlen))
		json_strn(j, val, vlen);
	else
		json_strn(j, raw, rawlen);
}

static int
show_record(void *arg, const char *file, uint64_t line,
    const struct audit_record *r)
{
	struct show	*s = arg;
	struct json	 j;
	char		 t[32], hex[65];
	const char	*msgraw, *det = "";
	size_t		 i, msgrawlen, detlen = 0;

	if ((s->have_since && r->time_us < s->since) ||
	    (s->have_until && r->time_us >= s->until) ||
	    (s->have_event && r->type != s->event) ||
	    (s->msgid != NULL && (r->msgidlen != strlen(s->msgid) ||
	    memcmp(r->msgid, s->msgid, r->msgidlen) != 0)))
		return 0;
	audit_time_format(r->time_us, t, sizeof(t));
	msgraw = r->msgraw;
	msgrawlen = r->msgrawlen;
	if (r->ndetails > 0) {
		det = r->details[0].raw - strlen(r->details[0].key) - 1;
		detlen = (size_t)(r->line + r->linelen - det);
	}
	if (!s->json) {
		printf("%-8" PRIu64 " %s %-10s %-18s %-16.*s %.*s\n", r->seq, t,
		    r->role, audit_ev_name(r->type),
		    msgrawlen ? (int)msgrawlen : 1, msgrawlen ? msgraw : "-",
		    (int)detlen, det);
		return 0;
	}
	buf_reset(&s->out);
	json_init(&j, &s->out);
	json_obj_begin(&j);
	json_kint(&j, "seq", (int64_t)r->seq);
	json_kstr(&j, "time", t);
	json_kstr(&j, "role", r->role);
	json_kstr(&j, "event", audit_ev_name(r->type));
	json_key(&j, "msg");
	json_value_of(&j, r->msgid, r->msgidlen, msgraw, msgrawlen);
	json_key(&j, "details");
	json_obj_begin(&j);
	for (i = 0; i < r->ndetails; i++) {
		json_key(&j, r->details[i].key);
		json_value_of(&j, r->details[i].val, r->details[i].vlen,
		    r->details[i].raw, r->details[i].rawlen);
	}
	json_obj_end(&j);
	json_kstr(&j, "file", file);
	json_kint(&j, "line", (int64_t)line);
	hex_lower(r->hash, 32, hex);
	json_kstr(&j, "hash", hex);
	json_obj_end(&j);
	if (json_finish(&j) == -1)
		diex("JSON output too large");
	printf("%.*s\n", (int)s->out.len, (const char *)s->out.data);
	return 0;
}

static void
show_error(void *arg, const char *msg)
{
	struct show	*s = arg;

	stderr_error(&s->nerr, msg);
}

static void
time_arg(const char *s, int64_t *us)
{
	if (audit_time_parse(s, strlen(s), us) == -1)
		diex("bad time \"%s\" (UTC: 2024-05-01, 2024-05-01T12:00, "
		    "2024-05-01T12:00:00)", s);
}

static int
cmd_show(int argc, char *argv[])
{
	struct audit_verify_cb	 cb;
	struct audit_verifier	*v;
	struct show		 s;
	char			 err[1024];
	int			 i, rc;

	if (argc < 1)
		usage(0);
	memset(&s, 0, sizeof(s));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			time_arg(argv[++i], &s.since);
			s.have_since = 1;
		} else if (strcmp(argv[i], "--until") == 0 && i + 1 < argc) {
			time_arg(argv[++i], &s.until);
			s.have_until = 1;
		} else if (strcmp(argv[i], "--message") == 0 && i + 1 < argc)
			s.msgid = argv[++i];
		else if (strcmp(argv[i], "--event") == 0 && i + 1 < argc) {
			i++;
			if (audit_ev_lookup(argv[i], strlen(argv[i]),
			    &s.event) == -1)
				diex("unknown event \"%s\" (see --help)",
				    argv[i]);
			s.have_event = 1;
		} else if (strcmp(argv[i], "--json") == 0)
			s.json = 1;
		else
			usage(0);
	}
	buf_init(&s.out, 1u << 20);
	memset(&cb, 0, sizeof(cb));
	cb.error = show_error;
	cb.record = show_record;
	cb.arg = &s;
	v = audit_verifier_new(NULL, NULL, AUDIT_VERIFY_NOSIG, &cb);
	if (audit_verify_dir(v, argv[0], err, sizeof(err)) == -1)
		diex("%s", err);
	rc = audit_verifier_end(v, NULL) == 0 ? 0 : 1;
	audit_verifier_free(v);
	buf_free(&s.out);
	return rc;
}

/* ---- keygen -------------------------------------------------------------- */

static int
cmd_keygen(int argc, char *argv[])
{
	const char	*keypath = NULL, *pubpath = NULL;
	char		 id[AUDIT_KEYID_LEN + 1];
	uint8_t		 raw[32];
	EVP_PKEY	*k;
	FILE		*f;
	int		 i, fd;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			keypath = argv[++i];
		else if (strcmp(argv[i], "--pub") == 0 && i + 1 < argc)
			pubpath = argv[++i];
		else
			usage(0);
	}
	if (keypath == NULL)
		usage(0);
	if ((k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		diex("Ed25519 key generation failed");
	if ((fd = open(keypath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		die("%s", keypath);
	if ((f = fdopen(fd, "w")) == NULL)
		die("%s", keypath);
	if (PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) != 1 ||
	    fflush(f) != 0 || fsync(fd) == -1 || fclose(f) != 0)
		diex("%s: writing the key failed", keypath);
	if (pubpath != NULL) {
		if ((fd = open(pubpath, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644)) == -1)
			die("%s", pubpath);
		if ((f = fdopen(fd, "w")) == NULL)
			die("%s", pubpath);
		if (PEM_write_PUBKEY(f, k) != 1 || fclose(f) != 0)
			diex("%s: writing the public key failed", pubpath);
	}
	if (audit_key_id(k, id, raw) == -1)
		diex("key identifier");
	printf("key %s\n", id);
	EVP_PKEY_free(k);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		usage(0);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0)
		usage(1);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc - 2, argv + 2);
	if (strcmp(argv[1], "head") == 0 && argc >= 3)
		return cmd_head(argc - 2, argv + 2);
	if (strcmp(argv[1], "show") == 0)
		return cmd_show(argc - 2, argv + 2);
	if (strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc - 2, argv + 2);
	usage(0);
}
