/*
 * auditread.c - reading and verifying an audit log directory.
 *
 * The files are untrusted: anyone who owned the appliance, or the media it
 * was copied to, may have edited them.  So the reader takes nothing from
 * them on trust: lines are assembled in a fixed buffer (a longer line is an
 * error, not an allocation), every record is parsed by the strict grammar
 * of auditlog.h, and every failure is reported with the file, the line and
 * the sequence number, then the walk goes on so that one edit gives one
 * precise error rather than a cascade: after a broken link the chain
 * resumes from the hash of the line actually read.
 *
 * What is checked: each record's prev against the hash of the line before
 * it (across files); sequence numbers one apart, and the first file's name
 * against its first record; the log's first record (seq 1, log-created,
 * genesis prev, created for the key the auditor holds); that every file but
 * the last ends with a rotation checkpoint and the next one opens naming it;
 * every checkpoint's key and signature; every key rotation (signed by the
 * key in force and by the new key, whose identifier matches its bytes).
 * Records after the last good signature are counted as unsealed, bytes
 * after the last newline of the last file as a torn record: both are the
 * normal residue of a crash, reported but not failures.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/audit/audit_int.h"
#include "guard/audit/auditlog.h"
#include "guard/common/xmalloc.h"

#define NAME_MAX_SHOWN	64	/* of a file name in messages */
#define DIR_FILES_MAX	(1u << 20)
#define READ_CHUNK	(1u << 20)

struct audit_verifier {
	unsigned		 flags;
	struct audit_verify_cb	 cb;
	struct audit_report	 rep;
	EVP_PKEY		*key;		/* in force; NULL with NOSIG */
	uint8_t			 initial_raw[32];
	int			 have_head;
	struct audit_head	 head;
	int			 head_reached;
	int			 stopped;

	/* The chain. */
	int			 have_prev;	/* a line has been read */
	uint64_t		 prev_seq;
	uint8_t			 prev_hash[32];
	uint64_t		 prev_lineno;	/* of the record before */
	int			 have_seal;

	/* The file being read. */
	char			 file[NAME_MAX_SHOWN + 1];
	uint64_t		 file_seq;	/* from its name; 0: none */
	uint64_t		 lineno, file_records, offset;
	int			 last_rotate;	/* ended by a rotate checkpoint */
	int			 in_file;

	/* The previous file, for continuity. */
	char			 prev_file[NAME_MAX_SHOWN + 1];
	int			 prev_file_rotate;
	uint64_t		 prev_file_lastseq;
	uint64_t		 pending_torn;	/* torn bytes of the previous file */

	/* Line assembly. */
	char			 lbuf[AUDIT_LINE_MAX];
	size_t			 llen;
	int			 toolong;	/* the line passed the limit */
	uint64_t		 overlong;	/* its bytes so far */
	struct audit_record	 rec;
};

static void __attribute__((format(printf, 3, 4)))
verr(struct audit_verifier *v, uint64_t seq, const char *fmt, ...)
{
	char	msg[1024], where[NAME_MAX_SHOWN + 64];
	va_list	ap;

	v->rep.errors++;
	if (v->cb.error == NULL)
		return;
	if (seq != 0)
		(void)snprintf(where, sizeof(where), "%s:%" PRIu64 ": seq %"
		    PRIu64 ": ", v->file, v->lineno, seq);
	else if (v->lineno != 0)
		(void)snprintf(where, sizeof(where), "%s:%" PRIu64 ": ",
		    v->file, v->lineno);
	else
		(void)snprintf(where, sizeof(where), "%s: ", v->file);
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	{
		char	full[sizeof(msg) + sizeof(where)];

		(void)snprintf(full, sizeof(full), "%s%s", where, msg);
		audit_printable(full);
		v->cb.error(v->cb.arg, full);
	}
}

struct audit_verifier *
audit_verifier_new(EVP_PKEY *pub, const struct audit_head *head,
    unsigned flags, const struct audit_verify_cb *cb)
{
	struct audit_verifier	*v;

	v = xcalloc(1, sizeof(*v));
	v->flags = flags;
	if (cb != NULL)
		v->cb = *cb;
	if (!(flags & AUDIT_VERIFY_NOSIG)) {
		if (audit_key_id(pub, v->rep.keyid, v->initial_raw) == -1) {
			free(v);
			return NULL;
		}
		if (EVP_PKEY_up_ref(pub) != 1) {
			free(v);
			return NULL;
		}
		v->key = pub;
	}
	if (head != NULL) {
		v->head = *head;
		v->have_head = 1;
		v->rep.head_given = 1;
		v->rep.head_seq = head->seq;
	}
	(void)snprintf(v->file, sizeof(v->file), "(no file)");
	return v;
}

void
audit_verifier_free(struct audit_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_free(v->key);
	free(v);
}

int
audit_verifier_stopped(const struct audit_verifier *v)
{
	return v->stopped;
}

/* The key named in a record against the key in force. */
static int
check_key(struct audit_verifier *v, const struct audit_record *r,
    const char *name, const char *what)
{
	const char	*id = audit_record_get(r, name, NULL);

	if (v->rep.keyid[0] == '\0') {
		/* NOSIG reading from the middle: learn it. */
		(void)snprintf(v->rep.keyid, sizeof(v->rep.keyid), "%s", id);
		return 0;
	}
	if (strcmp(id, v->rep.keyid) != 0) {
		verr(v, r->seq, "%s names key %s, but the key in force is %s "
		    "(signed with another key)", what, id, v->rep.keyid);
		return -1;
	}
	return 0;
}

static int
check_sig(struct audit_verifier *v, EVP_PKEY *key,
    const struct audit_record *r, const char *name, const char *keyid)
{
	uint8_t		 sig[AUDIT_SIG_LEN];
	size_t		 len;
	const char	*hex = audit_record_get(r, name, &len);

	if (audit_unhex(hex, len, sig, sizeof(sig)) == -1 ||
	    !audit_sig_check(key, r->line, r->signedlen, sig)) {
		verr(v, r->seq, "%s: %s= does not verify under key %s "
		    "(record altered or signature forged)",
		    audit_ev_name(r->type), name, keyid);
		return -1;
	}
	return 0;
}

static void
seal(struct audit_verifier *v, const struct audit_record *r)
{
	v->rep.sealed_seq = r->seq;
	v->rep.unsealed = 0;
	v->have_seal = 1;
}

static void
on_checkpoint(struct audit_verifier *v, const struct audit_record *r)
{
	const char	*reason = audit_record_get(r, "reason", NULL);

	v->rep.checkpoints++;
	(void)snprintf(v->rep.last_reason, sizeof(v->rep.last_reason), "%s",
	    reason);
	if (check_key(v, r, "key", "checkpoint") == -1)
		return;
	if (v->key != NULL && check_sig(v, v->key, r, "sig",
	    v->rep.keyid) == -1)
		return;
	seal(v, r);
	v->rep.have_ckpt = 1;
	v->rep.ckpt.seq = r->seq;
	memcpy(v->rep.ckpt.hash, r->hash, 32);
	memcpy(v->rep.ckpt.line, r->line, r->linelen);
	v->rep.ckpt.linelen = r->linelen;
}

static void
on_key_rotated(struct audit_verifier *v, const struct audit_record *r)
{
	const char	*newid, *pubhex;
	char		 id[AUDIT_KEYID_LEN + 1];
	uint8_t		 raw[32];
	EVP_PKEY	*newkey = NULL;
	size_t		 len;

	v->rep.key_rotations++;
	if (check_key(v, r, "old-key", "key-rotated old-key") == -1)
		return;
	newid = audit_record_get(r, "new-key", NULL);
	pubhex = audit_record_get(r, "new-pub", &len);
	if (audit_unhex(pubhex, len, raw, 32) == -1 ||
	    (newkey = audit_pub_from_raw(raw)) == NULL ||
	    audit_key_id(newkey, id, raw) == -1) {
		verr(v, r->seq, "key-rotated: new-pub= is not an Ed25519 "
		    "public key");
		goto done;
	}
	if (strcmp(id, newid) != 0) {
		verr(v, r->seq, "key-rotated: new-key=%s is not the identifier "
		    "of new-pub= (%s)", newid, id);
		goto done;
	}
	if (v->key != NULL) {
		if (check_sig(v, v->key, r, "sig-old", v->rep.keyid) == -1 ||
		    check_sig(v, newkey, r, "sig-new", id) == -1)
			goto done;
		EVP_PKEY_free(v->key);
		v->key = newkey;
		newkey = NULL;
	}
	(void)snprintf(v->rep.keyid, sizeof(v->rep.keyid), "%s", id);
	seal(v, r);
done:
	EVP_PKEY_free(newkey);
}

static void
on_log_created(struct audit_verifier *v, const struct audit_record *r)
{
	const char	*id = audit_record_get(r, "key", NULL);
	const char	*pubhex;
	char		 hex[65];
	size_t		 len;

	pubhex = audit_record_get(r, "pub", &len);
	if (v->key == NULL) {
		(void)snprintf(v->rep.keyid, sizeof(v->rep.keyid), "%s", id);
		return;
	}
	audit_hex(v->initial_raw, 32, hex);
	if (strcmp(pubhex, hex) != 0 || strcmp(id, v->rep.keyid) != 0)
		verr(v, r->seq, "the log was created for key %s, but the key "
		    "given is %s", id, v->rep.keyid);
}

/* The recorded head, when the walk reaches its sequence number. */
static void
check_head(struct audit_verifier *v, const struct audit_record *r)
{
	struct audit_record	*hr;
	char			 err[256];
	uint8_t			 sig[AUDIT_SIG_LEN];
	size_t			 len;
	const char		*hex, *id;

	v->head_reached = 1;
	hr = xmalloc(sizeof(*hr));
	if (audit_record_parse(v->head.line, v->head.linelen, hr, err,
	    sizeof(err)) == -1) {
		verr(v, r->seq, "recorded head: %s", err);
		goto done;
	}
	if (v->key != NULL) {
		id = audit_record_get(hr, "key", NULL);
		hex = audit_record_get(hr, "sig", &len);
		if (strcmp(id, v->rep.keyid) != 0 ||
		    audit_unhex(hex, len, sig, sizeof(sig)) == -1 ||
		    !audit_sig_check(v->key, hr->line, hr->signedlen, sig)) {
			verr(v, r->seq, "recorded head is not signed by key "
			    "%s, in force at seq %" PRIu64 " (forged head)",
			    v->rep.keyid, r->seq);
			goto done;
		}
	}
	if (memcmp(r->hash, v->head.hash, 32) != 0) {
		verr(v, r->seq, "record differs from the recorded head: the "
		    "log was rewritten after the head was taken");
		goto done;
	}
	v->rep.head_proven = 1;
done:
	free(hr);
}

/* The first record of a file. */
static void
first_of_file(struct audit_verifier *v, const struct audit_record *r)
{
	const char	*pf;

	if (v->file_seq != 0 && v->file_seq != r->seq)
		verr(v, r->seq, "the file name says its first record is seq %"
		    PRIu64, v->file_seq);
	if (v->prev_file[0] == '\0') {
		if (v->flags & AUDIT_VERIFY_MIDLOG) {
			if (r->type != AUDIT_EV_LOG_CREATED &&
			    r->type != AUDIT_EV_FILE_OPENED)
				verr(v, r->seq, "a file must open with "
				    "log-created or file-opened, not %s",
				    audit_ev_name(r->type));
			return;
		}
		if (r->seq != 1 || r->type != AUDIT_EV_LOG_CREATED)
			verr(v, r->seq, "the log's first record is %s at seq %"
			    PRIu64 ", not log-created at seq 1: earlier files "
			    "are missing", audit_ev_name(r->type), r->seq);
		else if (memcmp(r->prev, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
		    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 32) != 0)
			verr(v, r->seq, "log-created does not chain from the "
			    "genesis value");
		return;
	}
	if (r->type != AUDIT_EV_FILE_OPENED) {
		verr(v, r->seq, "file opens with %s, not file-opened",
		    audit_ev_name(r->type));
		return;
	}
	pf = audit_record_get(r, "prev-file", NULL);
	if (strcmp(pf, v->prev_file) != 0)
		verr(v, r->seq, "file-opened names prev-file=%s, but the "
		    "previous file is %s (a file removed or renamed)", pf,
		    v->prev_file);
}

/* Sequence and chain against the record before. */
static void
check_link(struct audit_verifier *v, const struct audit_record *r)
{
	if (!v->have_prev)
		return;
	if (r->seq == v->prev_seq + 1) {
		if (memcmp(r->prev, v->prev_hash, 32) != 0)
			verr(v, r->seq, "prev= does not match the hash of the "
			    "record before it (%s:%" PRIu64 "): that record "
			    "was altered, or records were removed or "
			    "reordered", v->file_records == 1 ? v->prev_file :
			    v->file, v->prev_lineno);
		return;
	}
	if (r->seq > v->prev_seq + 1) {
		if (r->seq == v->prev_seq + 2)
			verr(v, r->seq, "sequence jumps from %" PRIu64 " to %"
			    PRIu64 ": record %" PRIu64 " missing",
			    v->prev_seq, r->seq, v->prev_seq + 1);
		else
			verr(v, r->seq, "sequence jumps from %" PRIu64 " to %"
			    PRIu64 ": records %" PRIu64 " to %" PRIu64
			    " missing", v->prev_seq, r->seq, v->prev_seq + 1,
			    r->seq - 1);
	} else
		verr(v, r->seq, "sequence goes back from %" PRIu64 " to %"
		    PRIu64 ": records out of order or repeated", v->prev_seq,
		    r->seq);
}

static void
take_line(struct audit_verifier *v, const char *line, size_t len)
{
	struct audit_record	*r = &v->rec;
	char			 err[512];
	int			 sealing = 0;

	v->lineno++;
	v->file_records++;
	v->rep.records++;
	if (line == NULL) {
		verr(v, 0, "line of %" PRIu64 " bytes, longer than the limit "
		    "of %d", v->overlong, AUDIT_LINE_MAX);
		/* Its hash is unknown: the next link cannot be checked. */
		v->have_prev = 0;
		v->last_rotate = 0;
		v->rep.unsealed++;
		return;
	}
	if (audit_record_parse(line, len, r, err, sizeof(err)) == -1) {
		verr(v, 0, "%s", err);
		/* Resume the chain from this line's bytes. */
		audit_sha256(line, len, "\n", 1, v->prev_hash);
		if (v->have_prev)
			v->prev_seq++;
		v->prev_lineno = v->lineno;
		v->last_rotate = 0;
		v->rep.unsealed++;
		return;
	}
	if (v->file_records == 1)
		first_of_file(v, r);
	else if (r->type == AUDIT_EV_LOG_CREATED ||
	    r->type == AUDIT_EV_FILE_OPENED)
		verr(v, r->seq, "%s in the middle of a file",
		    audit_ev_name(r->type));
	check_link(v, r);
	if (v->have_head && r->seq == v->head.seq)
		check_head(v, r);

	v->last_rotate = 0;
	switch (r->type) {
	case AUDIT_EV_LOG_CREATED:
		on_log_created(v, r);
		break;
	case AUDIT_EV_FILE_OPENED:
		(void)check_key(v, r, "key", "file-opened");
		break;
	case AUDIT_EV_CHECKPOINT:
		on_checkpoint(v, r);
		sealing = v->rep.sealed_seq == r->seq;
		v->last_rotate = strcmp(v->rep.last_reason, "rotate") == 0;
		break;
	case AUDIT_EV_KEY_ROTATED:
		on_key_rotated(v, r);
		sealing = v->rep.sealed_seq == r->seq;
		break;
	case AUDIT_EV_LOG_RECOVERED:
		v->rep.recoveries++;
		break;
	default:
		break;
	}
	if (!sealing) {
		if (v->rep.unsealed++ == 0)
			v->rep.unsealed_first = r->seq;
		v->rep.unsealed_last = r->seq;
	}
	if (v->rep.first_seq == 0)
		v->rep.first_seq = r->seq;
	v->rep.last_seq = r->seq;
	v->rep.last_type = r->type;
	memcpy(v->rep.last_hash, r->hash, 32);
	v->have_prev = 1;
	v->prev_seq = r->seq;
	memcpy(v->prev_hash, r->hash, 32);
	v->prev_lineno = v->lineno;

	if (v->cb.record != NULL &&
	    v->cb.record(v->cb.arg, v->file, v->lineno, r) != 0)
		v->stopped = 1;
}

void
audit_verifier_file(struct audit_verifier *v, const char *name)
{
	if (v->in_file)
		audit_verifier_file_end(v);
	if (v->rep.files > 0) {
		if (v->pending_torn > 0)
			verr(v, 0, "%" PRIu64 " bytes after its last newline "
			    "(a torn record) in a file that is not the last",
			    v->pending_torn);
		else if (!v->prev_file_rotate && v->file_records > 0)
			verr(v, 0, "ends at seq %" PRIu64 " without a rotation "
			    "checkpoint, yet another file follows: the file "
			    "was truncated", v->prev_file_lastseq);
		(void)snprintf(v->prev_file, sizeof(v->prev_file), "%s",
		    v->file);
	}
	v->rep.files++;
	v->in_file = 1;
	(void)snprintf(v->file, sizeof(v->file), "%s", name);
	if (audit_file_name_parse(name, strlen(name), &v->file_seq) == -1)
		v->file_seq = 0;
	v->lineno = v->file_records = v->offset = 0;
	v->llen = 0;
	v->overlong = 0;
	v->toolong = 0;
	v->pending_torn = 0;
	v->rep.torn = 0;
	v->rep.torn_offset = v->rep.torn_bytes = 0;
	(void)snprintf(v->rep.last_file, sizeof(v->rep.last_file), "%s", name);
	v->rep.last_file_valid = 0;
}

void
audit_verifier_data(struct audit_verifier *v, const void *data, size_t len)
{
	const char	*p = data, *end = p + len, *nl;
	size_t		 n;

	while (p < end && !v->stopped) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if (!v->toolong && v->llen + n > AUDIT_LINE_MAX - 1) {
			v->toolong = 1;
			v->overlong = v->llen;
		}
		if (v->toolong)
			v->overlong += n;
		else if (nl != NULL && v->llen == 0) {
			/* The common case: a whole line in the caller's bytes. */
			v->offset += n + 1;
			take_line(v, p, n);
			v->rep.last_file_valid = v->offset;
			p = nl + 1;
			continue;
		} else {
			memcpy(v->lbuf + v->llen, p, n);
			v->llen += n;
		}
		if (nl == NULL)
			break;
		v->offset += (v->toolong ? v->overlong : v->llen) + 1;
		take_line(v, v->toolong ? NULL : v->lbuf, v->llen);
		v->rep.last_file_valid = v->offset;
		v->llen = 0;
		v->overlong = 0;
		v->toolong = 0;
		p = nl + 1;
	}
}

void
audit_verifier_file_end(struct audit_verifier *v)
{
	uint64_t	rest;

	if (!v->in_file)
		return;
	v->in_file = 0;
	rest = v->toolong ? v->overlong : v->llen;
	if (rest > 0 && !v->stopped) {
		v->pending_torn = rest;
		v->rep.torn = 1;
		v->rep.torn_offset = v->offset;
		v->rep.torn_bytes = rest;
	}
	if (v->file_records == 0 && rest == 0 && !v->stopped)
		verr(v, 0, "empty file");
	v->prev_file_rotate = v->last_rotate;
	v->prev_file_lastseq = v->prev_seq;
	v->llen = 0;
	v->overlong = 0;
	v->toolong = 0;
}

int
audit_verifier_end(struct audit_verifier *v, struct audit_report *out)
{
	audit_verifier_file_end(v);
	if (!v->stopped) {
		if (v->rep.files == 0)
			verr(v, 0, "no log files");
		else if (v->rep.records == 0 && !v->rep.torn)
			verr(v, 0, "no records");
		if (v->have_head && !v->head_reached) {
			v->lineno = 0;
			verr(v, 0, "the log ends at seq %" PRIu64 ", before the "
			    "recorded head at seq %" PRIu64 ": records were "
			    "removed from its end", v->rep.last_seq,
			    v->head.seq);
		}
	}
	if (out != NULL)
		*out = v->rep;
	return v->rep.errors == 0 ? 0 : -1;
}

/* ---- the head ---------------------------------------------------------- */

#define HEAD_BEGIN	"-----BEGIN MMGUARD AUDIT HEAD-----\n"
#define HEAD_END	"-----END MMGUARD AUDIT HEAD-----\n"

int
audit_head_format(const struct audit_head *h, char *out, size_t outlen)
{
	char	hex[65];
	int	n;

	audit_hex(h->hash, 32, hex);
	n = snprintf(out, outlen, HEAD_BEGIN "seq=%" PRIu64 "\nhash=%s\n"
	    "record=%.*s\n" HEAD_END, h->seq, hex, (int)h->linelen, h->line);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/* One "NAME=value\n" line of the head; the value's bounds in *v, *vn. */
static int
head_line(const char **p, const char *end, const char *name, const char **v,
    size_t *vn)
{
	size_t		 n = strlen(name);
	const char	*nl;

	if ((size_t)(end - *p) < n + 1 || memcmp(*p, name, n) != 0 ||
	    (*p)[n] != '=')
		return -1;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		return -1;
	*v = *p + n + 1;
	*vn = (size_t)(nl - *v);
	*p = nl + 1;
	return 0;
}

int
audit_head_parse(const char *text, size_t len, struct audit_head *h,
    char *err, size_t errlen)
{
	struct audit_record	*r;
	const char		*p = text, *end = text + len, *val;
	char			 e[256];
	size_t			 n, lb = strlen(HEAD_BEGIN), le = strlen(HEAD_END);
	uint8_t			 hash[32];
	int			 rc = -1;

	if (len > AUDIT_HEAD_TEXT_MAX)
		return audit_err(err, errlen, "head: longer than %d bytes",
		    AUDIT_HEAD_TEXT_MAX);
	if (len < lb || memcmp(p, HEAD_BEGIN, lb) != 0)
		return audit_err(err, errlen, "head: does not start with %.*s",
		    (int)lb - 1, HEAD_BEGIN);
	p += lb;
	if (head_line(&p, end, "seq", &val, &n) == -1)
		return audit_err(err, errlen, "head: line 2 is not seq=");
	h->seq = 0;
	for (size_t i = 0; i < n; i++) {
		if (val[i] < '0' || val[i] > '9' || i >= 20 ||
		    (i == 0 && val[i] == '0') ||
		    h->seq > (UINT64_MAX - (uint64_t)(val[i] - '0')) / 10)
			return audit_err(err, errlen, "head: bad seq=");
		h->seq = h->seq * 10 + (uint64_t)(val[i] - '0');
	}
	if (h->seq == 0)
		return audit_err(err, errlen, "head: bad seq=");
	if (head_line(&p, end, "hash", &val, &n) == -1 ||
	    audit_unhex(val, n, h->hash, 32) == -1)
		return audit_err(err, errlen, "head: line 3 is not hash= and "
		    "64 lowercase hex digits");
	if (head_line(&p, end, "record", &val, &n) == -1 ||
	    n + 1 > AUDIT_LINE_MAX)
		return audit_err(err, errlen, "head: line 4 is not record=");
	memcpy(h->line, val, n);
	h->linelen = n;
	if ((size_t)(end - p) != le || memcmp(p, HEAD_END, le) != 0)
		return audit_err(err, errlen, "head: does not end with %.*s "
		    "and nothing after it", (int)le - 1, HEAD_END);
	r = xmalloc(sizeof(*r));
	if (audit_record_parse(h->line, h->linelen, r, e, sizeof(e)) == -1) {
		audit_err(err, errlen, "head: record: %s", e);
		goto done;
	}
	if (r->type != AUDIT_EV_CHECKPOINT) {
		audit_err(err, errlen, "head: record is %s, not a checkpoint",
		    audit_ev_name(r->type));
		goto done;
	}
	if (r->seq != h->seq) {
		audit_err(err, errlen, "head: seq=%" PRIu64 " but its record "
		    "is seq %" PRIu64 " (forged or damaged head)", h->seq,
		    r->seq);
		goto done;
	}
	audit_sha256(h->line, h->linelen, "\n", 1, hash);
	if (memcmp(hash, h->hash, 32) != 0) {
		audit_err(err, errlen, "head: hash= is not the hash of its "
		    "record (forged or damaged head)");
		goto done;
	}
	rc = 0;
done:
	free(r);
	return rc;
}

/* ---- the directory ----------------------------------------------------- */

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
audit_dir_list(const char *dir, char ***names, size_t *n, char *err,
    size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL;
	size_t		 cnt = 0, cap = 0;
	uint64_t	 seq;

	if ((d = opendir(dir)) == NULL)
		return audit_err(err, errlen, "%s: %s", dir, strerror(errno));
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (audit_file_name_parse(de->d_name, strlen(de->d_name),
		    &seq) == -1)
			continue;
		if (cnt == DIR_FILES_MAX) {
			closedir(d);
			audit_dir_list_free(v, cnt);
			return audit_err(err, errlen, "%s: more than %u log "
			    "files", dir, DIR_FILES_MAX);
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[cnt++] = xstrdup(de->d_name);
	}
	if (errno != 0) {
		audit_err(err, errlen, "%s: %s", dir, strerror(errno));
		closedir(d);
		audit_dir_list_free(v, cnt);
		return -1;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), name_cmp);
	*names = v;
	*n = cnt;
	return 0;
}

void
audit_dir_list_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Feed one file, opened relative to dirfd; -1 (err) on an I/O error. */
int
audit_verify_file(struct audit_verifier *v, int dirfd, const char *name,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		*chunk;
	ssize_t		 r;
	int		 fd;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return audit_err(err, errlen, "%s: %s", name, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return audit_err(err, errlen, "%s: not a regular file", name);
	}
	chunk = xmalloc(READ_CHUNK);
	audit_verifier_file(v, name);
	while (!v->stopped) {
		if ((r = read(fd, chunk, READ_CHUNK)) == -1) {
			if (errno == EINTR)
				continue;
			audit_err(err, errlen, "%s: %s", name,
			    strerror(errno));
			free(chunk);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		audit_verifier_data(v, chunk, (size_t)r);
	}
	audit_verifier_file_end(v);
	free(chunk);
	close(fd);
	return 0;
}

int
audit_verify_dir(struct audit_verifier *v, const char *dir, char *err,
    size_t errlen)
{
	char	**names;
	size_t	  n, i;
	int	  dirfd, rc = 0;

	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return audit_err(err, errlen, "%s: %s", dir, strerror(errno));
	if (audit_dir_list(dir, &names, &n, err, errlen) == -1) {
		close(dirfd);
		return -1;
	}
	for (i = 0; i < n && rc == 0 && !v->stopped; i++)
		rc = audit_verify_file(v, dirfd, names[i], err, errlen);
	audit_dir_list_free(names, n);
	close(dirfd);
	return rc;
}
