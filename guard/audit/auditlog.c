/*
 * auditlog.c - the audit log's writer: records, group commit, checkpoints,
 * file rotation, key rotation and recovery on reopen.  The format and the
 * guarantees are described in auditlog.h.
 *
 * Records are numbered and chained at commit, not at append: a rotation or
 * a checkpoint that falls due in the middle of a batch then simply takes
 * its place in the chain, and append never does I/O.  Every event is
 * formatted and parsed back at append, by the same parser the verifier
 * uses, so the writer cannot produce a record an auditor's tool refuses.
 */
#include <linux/fs.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/audit/audit_int.h"
#include "guard/audit/auditlog.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

#define PENDING_MAX	(16u << 20)	/* queued bytes before a commit */
#define OUT_MAX		(8u << 20)
#define OUT_WRITE_AT	(4u << 20)	/* write (not yet sync) past this */
#define PREFIX_MAX	96		/* "seq=S prev=P " */
#define CKPT_ROOM	512		/* a checkpoint line, with margin */
#define TMP_PREFIX	".audit-"
#define TMP_SUFFIX	".tmp"

struct audit_log {
	int		 dirfd, fd;
	char		 dir[PATH_MAX];
	char		 file[AUDIT_NAME_LEN + 1];
	uint64_t	 file_bytes;	/* written to the current file */
	uint64_t	 file_records;
	int64_t		 file_opened_us;

	uint64_t	 seq;		/* of the last record formatted */
	uint8_t		 head[32];	/* its hash */
	uint64_t	 since_seal;	/* records after the last signature */
	int64_t		 last_seal_us;

	EVP_PKEY	*key;
	char		 keyid[AUDIT_KEYID_LEN + 1];
	uint8_t		 keyraw[32];

	struct audit_log_opts opts;
	char		 role[AUDIT_ROLE_MAX + 1];

	struct buf	 pend;		/* event bodies, one per line */
	struct buf	 out;		/* formatted lines not yet written */
	struct buf	 line;		/* one record being built */
	struct buf	 check;		/* an appended event, parsed back */
	struct audit_record *rec;	/* its parse */
	uint64_t	 out_records;
	uint64_t	 pend_records;
	int		 unsynced;	/* written since the last fdatasync */
	uint64_t	 recovered;
	int		 failed;
	char		 failmsg[512];
};

static int64_t
now_us(struct audit_log *l)
{
	struct timespec	ts;

	if (l->opts.clock != NULL)
		return l->opts.clock(l->opts.clock_arg);
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A failure after which the file's state is unknown: stop for good. */
static int __attribute__((format(printf, 4, 5)))
log_fail(struct audit_log *l, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(l->failmsg, sizeof(l->failmsg), fmt, ap);
	va_end(ap);
	l->failed = 1;
	return audit_err(err, errlen, "%s", l->failmsg);
}

static int
check_failed(struct audit_log *l, char *err, size_t errlen)
{
	if (!l->failed)
		return 0;
	return audit_err(err, errlen, "audit log failed earlier: %s",
	    l->failmsg);
}

/* "time=T role=R event=E msg=M" */
static int
body_begin(struct buf *b, int64_t us, const char *role, enum audit_ev ev,
    const char *msgid)
{
	char	t[32];

	audit_time_format(us, t, sizeof(t));
	if (buf_add(b, "time=", 5) == -1 || buf_add(b, t, strlen(t)) == -1 ||
	    buf_add(b, " role=", 6) == -1 ||
	    buf_add(b, role, strlen(role)) == -1 ||
	    buf_add(b, " event=", 7) == -1 ||
	    buf_add(b, audit_ev_name(ev), strlen(audit_ev_name(ev))) == -1 ||
	    buf_add(b, " msg=", 5) == -1)
		return -1;
	return msgid == NULL ? 0 : audit_escape(b, msgid, strlen(msgid));
}

static int
body_kv(struct buf *b, const char *k, const char *v, size_t vlen)
{
	if (buf_add_byte(b, ' ') == -1 || buf_add(b, k, strlen(k)) == -1 ||
	    buf_add_byte(b, '=') == -1)
		return -1;
	return audit_escape(b, v, vlen);
}

static int
body_kvs(struct buf *b, const char *k, const char *v)
{
	return body_kv(b, k, v, strlen(v));
}

/* Write out to the current file; with sync, fdatasync it too. */
static int
flush(struct audit_log *l, int sync, char *err, size_t errlen)
{
	size_t	off = 0;
	ssize_t	w;

	while (off < l->out.len) {
		w = write(l->fd, l->out.data + off, l->out.len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return log_fail(l, err, errlen, "%s: write: %s",
			    l->file, w == 0 ? "no progress" : strerror(errno));
		off += (size_t)w;
	}
	if (l->out.len > 0)
		l->unsynced = 1;
	l->file_bytes += l->out.len;
	l->file_records += l->out_records;
	l->out.len = 0;
	l->out_records = 0;
	/* Nothing written since the last sync: nothing for one to do. */
	if (!sync || !l->unsynced)
		return 0;
	if (fdatasync(l->fd) == -1)
		return log_fail(l, err, errlen, "%s: fdatasync: %s", l->file,
		    strerror(errno));
	l->unsynced = 0;
	return 0;
}

/* "seq=S prev=P " into pfx (PREFIX_MAX); its length.  By hand, as the
 * time stamp: snprintf cost more than the rest of a record's numbering. */
static size_t
prefix(char *pfx, uint64_t seq, const uint8_t head[32])
{
	char	d[20];
	size_t	n = 0, k = 0;

	do {
		d[k++] = (char)('0' + seq % 10);
		seq /= 10;
	} while (seq > 0);
	memcpy(pfx, "seq=", 4);
	n = 4;
	while (k > 0)
		pfx[n++] = d[--k];
	memcpy(pfx + n, " prev=", 6);
	n += 6;
	audit_hex(head, 32, pfx + n);
	n += 64;
	pfx[n++] = ' ';
	return n;
}

/*
 * Number and chain one record: "seq=S prev=P " BODY, then a signature per
 * key in signers (" NAME=SIG", all over the same prefix), then a newline.
 */
static int
emit(struct audit_log *l, const char *body, size_t n, EVP_PKEY *const *keys,
    const char *const *signames, size_t nsig, char *err, size_t errlen)
{
	struct buf	*b = &l->line;
	char		 pfx[PREFIX_MAX], hex[2 * AUDIT_SIG_LEN + 1];
	uint8_t		 sig[AUDIT_SIG_LEN];
	size_t		 i, signedlen;
	int		 k;

	k = prefix(pfx, l->seq + 1, l->head);
	buf_reset(b);
	if (buf_add(b, pfx, k) == -1 || buf_add(b, body, n) == -1)
		return audit_err(err, errlen, "record too long");
	signedlen = b->len;
	for (i = 0; i < nsig; i++) {
		if (audit_sign(keys[i], (const char *)b->data, signedlen,
		    sig) == -1)
			return log_fail(l, err, errlen, "signing a %s failed",
			    signames[i]);
		audit_hex(sig, sizeof(sig), hex);
		if (body_kvs(b, signames[i], hex) == -1)
			return audit_err(err, errlen, "record too long");
	}
	if (buf_add_byte(b, '\n') == -1)
		return audit_err(err, errlen, "record too long");
	if (l->out.len + b->len > OUT_MAX &&
	    flush(l, 0, err, errlen) == -1)
		return -1;
	if (buf_add(&l->out, b->data, b->len) == -1)
		return log_fail(l, err, errlen, "output buffer full");
	audit_sha256(b->data, b->len, NULL, 0, l->head);
	l->seq++;
	l->out_records++;
	if (l->out.len >= OUT_WRITE_AT)
		return flush(l, 0, err, errlen);
	return 0;
}

static int
emit_plain(struct audit_log *l, const struct buf *body, char *err,
    size_t errlen)
{
	return emit(l, (const char *)body->data, body->len, NULL, NULL, 0, err,
	    errlen);
}

static int
emit_checkpoint(struct audit_log *l, const char *reason, int64_t now,
    char *err, size_t errlen)
{
	static const char *const	 names[] = { "sig" };
	struct buf			 b;
	int				 rc;

	buf_init(&b, AUDIT_LINE_MAX);
	if (body_begin(&b, now, l->role, AUDIT_EV_CHECKPOINT, NULL) == -1 ||
	    body_kvs(&b, "reason", reason) == -1 ||
	    body_kvs(&b, "key", l->keyid) == -1)
		rc = audit_err(err, errlen, "checkpoint too long");
	else
		rc = emit(l, (const char *)b.data, b.len, &l->key, names, 1,
		    err, errlen);
	buf_free(&b);
	if (rc == 0) {
		l->since_seal = 0;
		l->last_seal_us = now;
	}
	return rc;
}

/*
 * Start a new file whose first record is BODY: written under a temporary
 * name, synced, renamed (never over an existing file), and the directory
 * synced, so a log file is never seen without its first record.
 */
static int
create_file(struct audit_log *l, const struct buf *body, int64_t now,
    char *err, size_t errlen)
{
	char	name[AUDIT_NAME_LEN + 1], tmp[AUDIT_NAME_LEN + 16];
	int	fd, oldfd = l->fd;

	/* The old file whole on disk first, also what an unsynced write
	 * (OUT_WRITE_AT) left of it. */
	if ((l->out.len != 0 || (l->unsynced && l->fd != -1)) &&
	    flush(l, 1, err, errlen) == -1)
		return -1;
	audit_file_name(l->seq + 1, name);
	(void)snprintf(tmp, sizeof(tmp), TMP_PREFIX "%020" PRIu64 TMP_SUFFIX,
	    l->seq + 1);
	if ((fd = openat(l->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640)) == -1)
		return log_fail(l, err, errlen, "%s/%s: %s", l->dir, tmp,
		    strerror(errno));
	l->fd = fd;
	(void)snprintf(l->file, sizeof(l->file), "%s", name);
	l->file_bytes = 0;
	l->file_records = 0;
	l->file_opened_us = now;
	if (emit_plain(l, body, err, errlen) == -1 ||
	    flush(l, 1, err, errlen) == -1)
		goto fail;
	/* A rename that refuses to replace an existing file (renameat2
	 * with RENAME_NOREPLACE): one step, and nothing the audit role's
	 * sandbox would have to allow beyond renaming within its directory. */
	if (syscall(SYS_renameat2, l->dirfd, tmp, l->dirfd, name,
	    RENAME_NOREPLACE) == -1) {
		log_fail(l, err, errlen, "%s/%s: %s", l->dir, name,
		    strerror(errno));
		goto fail;
	}
	if (fsync(l->dirfd) == -1) {
		log_fail(l, err, errlen, "%s: fsync: %s", l->dir,
		    strerror(errno));
		goto fail;
	}
	if (oldfd != -1)
		close(oldfd);
	return 0;
fail:
	if (oldfd != -1)
		close(oldfd);
	return -1;
}

static int
open_next_file(struct audit_log *l, int64_t now, char *err, size_t errlen)
{
	struct buf	b;
	int		rc;

	buf_init(&b, AUDIT_LINE_MAX);
	if (body_begin(&b, now, l->role, AUDIT_EV_FILE_OPENED, NULL) == -1 ||
	    body_kvs(&b, "prev-file", l->file) == -1 ||
	    body_kvs(&b, "key", l->keyid) == -1)
		rc = audit_err(err, errlen, "record too long");
	else
		rc = create_file(l, &b, now, err, errlen);
	buf_free(&b);
	if (rc == 0)
		l->since_seal++;
	return rc;
}

/* Close the current file with a rotate checkpoint and open the next. */
static int
rotate_file(struct audit_log *l, int64_t now, char *err, size_t errlen)
{
	if (emit_checkpoint(l, "rotate", now, err, errlen) == -1)
		return -1;
	return open_next_file(l, now, err, errlen);
}

static int
rotation_due(struct audit_log *l, size_t next, int64_t now)
{
	if (l->file_records + l->out_records <= 1)
		return 0;	/* a file holds at least one event */
	if (l->file_bytes + l->out.len + next + CKPT_ROOM >
	    l->opts.rotate_bytes)
		return 1;
	return l->opts.rotate_secs != 0 &&
	    now - l->file_opened_us >= (int64_t)l->opts.rotate_secs * 1000000;
}

/*
 * Number, chain and write everything queued, with the checkpoints and
 * rotations that fall due, and a checkpoint for REASON when given (when
 * records are unsealed, or always with force); then fdatasync.
 */
static int
commit(struct audit_log *l, const char *reason, int force, char *err,
    size_t errlen)
{
	const char	*p, *end, *nl;
	int64_t		 now;
	size_t		 n;

	if (check_failed(l, err, errlen) == -1)
		return -1;
	if (err == NULL || errlen == 0)
		return audit_err(err, errlen, "no room for a reason");
	now = now_us(l);
	p = (const char *)l->pend.data;
	end = l->pend.len > 0 ? p + l->pend.len : p;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)(nl - p);
		if (rotation_due(l, n + PREFIX_MAX, now) &&
		    rotate_file(l, now, err, errlen) == -1)
			goto fail;
		if (emit(l, p, n, NULL, NULL, 0, err, errlen) == -1)
			goto fail;
		if (++l->since_seal >= l->opts.checkpoint_records &&
		    emit_checkpoint(l, "count", now, err, errlen) == -1)
			goto fail;
	}
	buf_reset(&l->pend);
	l->pend_records = 0;
	if (reason != NULL && (l->since_seal > 0 || force)) {
		if (emit_checkpoint(l, reason, now, err, errlen) == -1)
			goto fail;
	} else if (l->since_seal > 0 && now - l->last_seal_us >=
	    (int64_t)l->opts.checkpoint_secs * 1000000) {
		if (emit_checkpoint(l, "time", now, err, errlen) == -1)
			goto fail;
	}
	return flush(l, 1, err, errlen);
fail:
	/* Numbers were given to records that may not be written: stop. */
	if (!l->failed)
		log_fail(l, NULL, 0, "%s", err);
	return -1;
}

int
audit_log_append(struct audit_log *l, const struct audit_event *ev,
    char *err, size_t errlen)
{
	struct buf		*b = &l->check;
	char			 e[512];
	size_t			 i;
	int			 rc = -1;

	if (check_failed(l, err, errlen) == -1)
		return -1;
	if (audit_ev_name(ev->type) == NULL)
		return audit_err(err, errlen, "unknown event %d", ev->type);
	if (audit_ev_is_internal(ev->type))
		return audit_err(err, errlen, "%s records are written by the "
		    "log itself", audit_ev_name(ev->type));
	if (ev->role == NULL)
		return audit_err(err, errlen, "event without a role");
	/* Scratch kept for the log: wiped (buf_reset), not reallocated. */
	buf_reset(b);
	/* A stand-in prefix, so the parser sees the line as it will be. */
	if (buf_add(b, "seq=1 prev=" AUDIT_GENESIS " ", 76) == -1 ||
	    body_begin(b, ev->time_us != 0 ? ev->time_us : now_us(l),
	    ev->role, ev->type, ev->msgid) == -1)
		goto toolong;
	for (i = 0; i < ev->ndetails; i++)
		if (ev->details[i].key == NULL || ev->details[i].value == NULL ||
		    body_kvs(b, ev->details[i].key,
		    ev->details[i].value) == -1)
			goto toolong;
	/* Room for the real sequence number, up to 20 digits. */
	if (b->len + 20 > AUDIT_LINE_MAX - 1)
		goto toolong;
	if (audit_record_check((const char *)b->data, b->len, l->rec, 0, e,
	    sizeof(e)) == -1)
		audit_err(err, errlen, "%s event: %s",
		    audit_ev_name(ev->type), e);
	else if (buf_add(&l->pend, b->data + 76, b->len - 76) == -1 ||
	    buf_add_byte(&l->pend, '\n') == -1)
		audit_err(err, errlen, "%u bytes of events queued: commit "
		    "first", PENDING_MAX);
	else {
		l->pend_records++;
		rc = 0;
	}
	buf_reset(b);
	return rc;
toolong:
	buf_reset(b);
	return audit_err(err, errlen, "%s event: details missing or longer "
	    "than a record (%d bytes)", audit_ev_name(ev->type),
	    AUDIT_LINE_MAX);
}

uint64_t
audit_log_pending(const struct audit_log *l)
{
	return l->pend_records;
}

int
audit_log_commit(struct audit_log *l, char *err, size_t errlen)
{
	return commit(l, NULL, 0, err, errlen);
}

int
audit_log_tick(struct audit_log *l, char *err, size_t errlen)
{
	return commit(l, NULL, 0, err, errlen);
}

int
audit_log_checkpoint(struct audit_log *l, char *err, size_t errlen)
{
	return commit(l, "request", 1, err, errlen);
}

/* A private Ed25519 key's identifier; -1 if it is not one. */
static int
private_key_id(EVP_PKEY *key, char *id, uint8_t raw[32])
{
	size_t	len = 0;

	if (audit_key_id(key, id, raw) == -1 ||
	    EVP_PKEY_get_raw_private_key(key, NULL, &len) != 1 || len != 32)
		return -1;
	return 0;
}

int
audit_log_rotate_key(struct audit_log *l, EVP_PKEY *newkey, char *err,
    size_t errlen)
{
	static const char *const	 names[] = { "sig-old", "sig-new" };
	EVP_PKEY			*keys[2];
	char				 id[AUDIT_KEYID_LEN + 1], hex[65];
	uint8_t				 raw[32];
	struct buf			 b;
	int64_t				 now;
	int				 rc;

	if (private_key_id(newkey, id, raw) == -1)
		return audit_err(err, errlen, "the new key is not an Ed25519 "
		    "private key");
	if (strcmp(id, l->keyid) == 0)
		return audit_err(err, errlen, "the new key is the key in force");
	if (commit(l, NULL, 0, err, errlen) == -1)
		return -1;
	now = now_us(l);
	audit_hex(raw, 32, hex);
	buf_init(&b, AUDIT_LINE_MAX);
	keys[0] = l->key;
	keys[1] = newkey;
	if (body_begin(&b, now, l->role, AUDIT_EV_KEY_ROTATED, NULL) == -1 ||
	    body_kvs(&b, "old-key", l->keyid) == -1 ||
	    body_kvs(&b, "new-key", id) == -1 ||
	    body_kvs(&b, "new-pub", hex) == -1)
		rc = audit_err(err, errlen, "record too long");
	else
		rc = emit(l, (const char *)b.data, b.len, keys, names, 2, err,
		    errlen);
	buf_free(&b);
	if (rc == -1 || flush(l, 1, err, errlen) == -1) {
		if (!l->failed)
			log_fail(l, NULL, 0, "%s", err);
		return -1;
	}
	if (EVP_PKEY_up_ref(newkey) != 1)
		return log_fail(l, err, errlen, "EVP_PKEY_up_ref failed");
	EVP_PKEY_free(l->key);
	l->key = newkey;
	memcpy(l->keyid, id, sizeof(l->keyid));
	memcpy(l->keyraw, raw, 32);
	l->since_seal = 0;
	l->last_seal_us = now;
	return 0;
}

void
audit_log_head(const struct audit_log *l, uint64_t *seq, uint8_t hash[32])
{
	*seq = l->seq;
	memcpy(hash, l->head, 32);
}

int
audit_log_dirfd(const struct audit_log *l)
{
	return l->dirfd;
}

uint64_t
audit_log_recovered(const struct audit_log *l)
{
	return l->recovered;
}

static void
log_free(struct audit_log *l)
{
	if (l->fd != -1)
		close(l->fd);
	if (l->dirfd != -1)
		close(l->dirfd);	/* also drops the lock */
	EVP_PKEY_free(l->key);
	buf_free(&l->pend);
	buf_free(&l->out);
	buf_free(&l->line);
	buf_free(&l->check);
	free(l->rec);
	free(l);
}

int
audit_log_close(struct audit_log *l, char *err, size_t errlen)
{
	int	rc;

	if (l == NULL)
		return 0;
	rc = commit(l, "close", 0, err, errlen);
	log_free(l);
	return rc;
}

/* ---- opening ----------------------------------------------------------- */

/* Leftover temporary files hold only a file-opened record: remove them. */
static int
remove_tmp(struct audit_log *l, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n, lp = strlen(TMP_PREFIX), ls = strlen(TMP_SUFFIX);
	int		 removed = 0, dfd;

	if ((dfd = dup(l->dirfd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return audit_err(err, errlen, "%s: %s", l->dir,
		    strerror(errno));
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		if (n <= lp + ls || strncmp(de->d_name, TMP_PREFIX, lp) != 0 ||
		    strcmp(de->d_name + n - ls, TMP_SUFFIX) != 0)
			continue;
		if (unlinkat(l->dirfd, de->d_name, 0) == -1) {
			audit_err(err, errlen, "%s/%s: %s", l->dir, de->d_name,
			    strerror(errno));
			closedir(d);
			return -1;
		}
		removed = 1;
	}
	closedir(d);
	if (removed && fsync(l->dirfd) == -1)
		return audit_err(err, errlen, "%s: fsync: %s", l->dir,
		    strerror(errno));
	return 0;
}

struct reopen {
	char	first_err[512];
	int64_t	first_us;
	int	have_first;
};

static void
reopen_error(void *arg, const char *msg)
{
	struct reopen	*ro = arg;

	if (ro->first_err[0] == '\0')
		(void)snprintf(ro->first_err, sizeof(ro->first_err), "%s", msg);
}

static int
reopen_record(void *arg, const char *file, uint64_t line,
    const struct audit_record *r)
{
	struct reopen	*ro = arg;

	(void)file;
	if (line == 1) {
		ro->first_us = r->time_us;
		ro->have_first = 1;
	}
	return 0;
}

/*
 * Copy the torn tail [off, off + n) of the current file to NAME.torn-OFF,
 * sync it and the directory, and only then cut it from the file.
 */
static int
set_aside(struct audit_log *l, uint64_t off, uint64_t n, char *side,
    size_t sidelen, uint8_t digest[32], char *err, size_t errlen)
{
	EVP_MD_CTX	*ctx;
	char		 chunk[65536];
	uint64_t	 done = 0;
	unsigned	 dlen = 32;
	ssize_t		 r;
	int		 rfd, sfd = -1, rc = -1;

	(void)snprintf(side, sidelen, "%s.torn-%" PRIu64, l->file, off);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return audit_err(err, errlen, "SHA-256 unavailable");
	}
	if ((rfd = openat(l->dirfd, l->file, O_RDONLY | O_CLOEXEC)) == -1 ||
	    (sfd = openat(l->dirfd, side, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) == -1) {
		audit_err(err, errlen, "%s/%s: %s", l->dir, rfd == -1 ?
		    l->file : side, strerror(errno));
		goto done;
	}
	while (done < n) {
		r = pread(rfd, chunk, n - done < sizeof(chunk) ?
		    (size_t)(n - done) : sizeof(chunk), (off_t)(off + done));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || write(sfd, chunk, (size_t)r) != r ||
		    EVP_DigestUpdate(ctx, chunk, (size_t)r) != 1) {
			audit_err(err, errlen, "%s/%s: copying the torn record "
			    "failed", l->dir, side);
			goto done;
		}
		done += (uint64_t)r;
	}
	if (EVP_DigestFinal_ex(ctx, digest, &dlen) != 1 || fsync(sfd) == -1 ||
	    fsync(l->dirfd) == -1) {
		audit_err(err, errlen, "%s/%s: sync: %s", l->dir, side,
		    strerror(errno));
		goto done;
	}
	if (ftruncate(l->fd, (off_t)off) == -1 || fsync(l->fd) == -1) {
		audit_err(err, errlen, "%s/%s: truncate: %s", l->dir, l->file,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	EVP_MD_CTX_free(ctx);
	if (rfd != -1)
		close(rfd);
	if (sfd != -1)
		close(sfd);
	return rc;
}

static int
record_recovery(struct audit_log *l, const char *file, uint64_t off,
    uint64_t n, const char *side, const uint8_t digest[32], char *err,
    size_t errlen)
{
	struct buf	b;
	char		num[2][24], hex[65];
	int		rc;

	(void)snprintf(num[0], sizeof(num[0]), "%" PRIu64, off);
	(void)snprintf(num[1], sizeof(num[1]), "%" PRIu64, n);
	audit_hex(digest, 32, hex);
	buf_init(&b, AUDIT_LINE_MAX);
	if (body_begin(&b, now_us(l), l->role, AUDIT_EV_LOG_RECOVERED,
	    NULL) == -1 || body_kvs(&b, "file", file) == -1 ||
	    body_kvs(&b, "offset", num[0]) == -1 ||
	    body_kvs(&b, "bytes", num[1]) == -1 ||
	    body_kvs(&b, "sha256", hex) == -1 ||
	    body_kvs(&b, "saved", side) == -1)
		rc = audit_err(err, errlen, "record too long");
	else
		rc = emit_plain(l, &b, err, errlen);
	buf_free(&b);
	if (rc == 0) {
		l->since_seal++;
		rc = flush(l, 1, err, errlen);
	}
	return rc;
}

/* Continue the log whose last file is NAME. */
static int
reopen(struct audit_log *l, const char *name, char *err, size_t errlen)
{
	struct audit_verify_cb	 cb;
	struct audit_verifier	*v;
	struct audit_report	*rep;
	struct reopen		 ro;
	char			 e[512], side[AUDIT_NAME_LEN + 32];
	uint8_t			 digest[32];
	int			 rc = -1;

	memset(&ro, 0, sizeof(ro));
	memset(&cb, 0, sizeof(cb));
	cb.error = reopen_error;
	cb.record = reopen_record;
	cb.arg = &ro;
	rep = xmalloc(sizeof(*rep));
	v = audit_verifier_new(NULL, NULL, AUDIT_VERIFY_NOSIG |
	    AUDIT_VERIFY_MIDLOG, &cb);
	if (audit_verify_file(v, l->dirfd, name, e, sizeof(e)) == -1) {
		audit_err(err, errlen, "%s/%s", l->dir, e);
		goto done;
	}
	if (audit_verifier_end(v, rep) == -1 || rep->records == 0) {
		audit_err(err, errlen, "%s/%s; the log needs an auditor "
		    "(mmguard-audit verify) before it can be written again",
		    l->dir, ro.first_err[0] ? ro.first_err : "no records");
		goto done;
	}
	if (strcmp(rep->keyid, l->keyid) != 0) {
		audit_err(err, errlen, "%s: the log's key in force is %s, the "
		    "key given is %s", l->dir, rep->keyid, l->keyid);
		goto done;
	}
	(void)snprintf(l->file, sizeof(l->file), "%s", name);
	if ((l->fd = openat(l->dirfd, name, O_WRONLY | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		audit_err(err, errlen, "%s/%s: %s", l->dir, name,
		    strerror(errno));
		goto done;
	}
	l->seq = rep->last_seq;
	memcpy(l->head, rep->last_hash, 32);
	l->file_bytes = rep->last_file_valid;
	l->file_records = rep->records;
	l->file_opened_us = ro.have_first ? ro.first_us : now_us(l);
	l->since_seal = rep->unsealed;
	l->last_seal_us = now_us(l);
	if (rep->torn && set_aside(l, rep->torn_offset, rep->torn_bytes, side,
	    sizeof(side), digest, err, errlen) == -1)
		goto done;
	/* A crash between the rotate checkpoint and the next file. */
	if (rep->last_type == AUDIT_EV_CHECKPOINT &&
	    strcmp(rep->last_reason, "rotate") == 0 &&
	    open_next_file(l, now_us(l), err, errlen) == -1)
		goto done;
	if (rep->torn) {
		l->recovered = rep->torn_bytes;
		if (record_recovery(l, name, rep->torn_offset, rep->torn_bytes,
		    side, digest, err, errlen) == -1)
			goto done;
	}
	rc = 0;
done:
	audit_verifier_free(v);
	free(rep);
	return rc;
}

static int
create_log(struct audit_log *l, char *err, size_t errlen)
{
	struct buf	b;
	char		hex[65];
	int64_t		now = now_us(l);
	int		rc;

	memset(l->head, 0, sizeof(l->head));
	l->seq = 0;
	audit_hex(l->keyraw, 32, hex);
	buf_init(&b, AUDIT_LINE_MAX);
	if (body_begin(&b, now, l->role, AUDIT_EV_LOG_CREATED, NULL) == -1 ||
	    body_kvs(&b, "key", l->keyid) == -1 ||
	    body_kvs(&b, "pub", hex) == -1 ||
	    body_kvs(&b, "format", "1") == -1)
		rc = audit_err(err, errlen, "record too long");
	else
		rc = create_file(l, &b, now, err, errlen);
	buf_free(&b);
	l->since_seal = 1;
	l->last_seal_us = now;
	return rc;
}

struct audit_log *
audit_log_open(const char *dir, EVP_PKEY *key,
    const struct audit_log_opts *opts, char *err, size_t errlen)
{
	struct audit_log	*l;
	char			**names = NULL;
	size_t			 n = 0, i;
	int			 rc;

	l = xcalloc(1, sizeof(*l));
	l->fd = l->dirfd = -1;
	/* What an earlier writer left unsynced is synced by the first
	 * commit, as before. */
	l->unsynced = 1;
	buf_init(&l->pend, PENDING_MAX);
	buf_init(&l->out, OUT_MAX);
	buf_init(&l->line, AUDIT_LINE_MAX);
	buf_init(&l->check, AUDIT_LINE_MAX);
	l->rec = xmalloc(sizeof(*l->rec));
	if (opts != NULL)
		l->opts = *opts;
	if (l->opts.role == NULL)
		l->opts.role = "audit";
	if (l->opts.checkpoint_records == 0)
		l->opts.checkpoint_records = 1000;
	if (l->opts.checkpoint_secs == 0)
		l->opts.checkpoint_secs = 60;
	if (l->opts.rotate_bytes == 0)
		l->opts.rotate_bytes = 64u << 20;
	if (l->opts.rotate_bytes > AUDIT_FILE_MAX)
		l->opts.rotate_bytes = AUDIT_FILE_MAX;
	for (i = 0; l->opts.role[i] != '\0'; i++)
		if (i == AUDIT_ROLE_MAX || !((l->opts.role[i] >= 'a' &&
		    l->opts.role[i] <= 'z') || (l->opts.role[i] >= '0' &&
		    l->opts.role[i] <= '9') || l->opts.role[i] == '-'))
			break;
	if (i == 0 || l->opts.role[i] != '\0') {
		audit_err(err, errlen, "bad role name \"%s\"", l->opts.role);
		goto fail;
	}
	(void)snprintf(l->role, sizeof(l->role), "%s", l->opts.role);
	l->opts.role = l->role;
	if (private_key_id(key, l->keyid, l->keyraw) == -1) {
		audit_err(err, errlen, "the key is not an Ed25519 private key");
		goto fail;
	}
	if (EVP_PKEY_up_ref(key) != 1) {
		audit_err(err, errlen, "EVP_PKEY_up_ref failed");
		goto fail;
	}
	l->key = key;
	if (snprintf(l->dir, sizeof(l->dir), "%s", dir) >= (int)sizeof(l->dir)) {
		audit_err(err, errlen, "directory name too long");
		goto fail;
	}
	if ((l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		audit_err(err, errlen, "%s: %s", dir, strerror(errno));
		goto fail;
	}
	if (flock(l->dirfd, LOCK_EX | LOCK_NB) == -1) {
		audit_err(err, errlen, "%s: %s", dir, errno == EWOULDBLOCK ?
		    "in use by another writer" : strerror(errno));
		goto fail;
	}
	if (remove_tmp(l, err, errlen) == -1 ||
	    audit_dir_list(dir, &names, &n, err, errlen) == -1)
		goto fail;
	if (n == 0)
		rc = create_log(l, err, errlen);
	else
		rc = reopen(l, names[n - 1], err, errlen);
	audit_dir_list_free(names, n);
	if (rc == -1 || l->failed)
		goto fail;
	return l;
fail:
	log_free(l);
	return NULL;
}
