/*
 * spool.c - the durable spool (spool.h).
 *
 * Every write follows the same discipline: write the whole thing, fsync
 * the file, rename into place, fsync the directories involved (grouped,
 * one syncfs stands for the fsyncs of a group's files: spool.h).  A crash
 * at any point leaves either the old state or the new one, never a half;
 * what cannot be told apart (a file in tmp/, a file without a valid END)
 * is set aside by spool_recover() and reported, never processed.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <linux/fs.h>		/* RENAME_NOREPLACE */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/xmalloc.h"
#include "guard/spool/spool.h"

static const char	 spool_magic[6] = { 'M', 'M', 'G', 'Q', '1', '\n' };
static const char *const state_names[SPOOL_NSTATES] = { "incoming",
    "inspecting", "held", "quarantined", "released", "rejected", "sent",
    "delivered", "ndr", "corrupt" };

/* rename that fails with EEXIST rather than replace (renameat2). */
static int
rename_noreplace(int ofd, const char *o, int nfd, const char *n)
{
	return (int)syscall(SYS_renameat2, ofd, o, nfd, n, RENAME_NOREPLACE);
}

static int spool_err(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
spool_err(char *err, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (len > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

const char *
spool_state_name(enum spool_state s)
{
	return (unsigned)s < SPOOL_NSTATES ? state_names[s] : "invalid";
}

int
spool_state_from_name(const char *n, enum spool_state *s)
{
	unsigned	i;

	for (i = 0; i < SPOOL_NSTATES; i++)
		if (strcmp(n, state_names[i]) == 0) {
			*s = (enum spool_state)i;
			return 0;
		}
	return -1;
}

/*
 * Every path operation is relative to the spool directory's descriptor,
 * "STATE/ID": the spool sandbox allows opening, renaming and removing
 * beneath the descriptors it was given and no other, and the state
 * directories' own descriptors serve only to fsync them.
 */
#define TMPSTATE	SPOOL_NSTATES
#define UNARCHIVED	(SPOOL_NSTATES + 1)

static const char *
rel(char *buf, size_t len, int state, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", state < SPOOL_NSTATES ?
	    state_names[state] : state == TMPSTATE ? "tmp" : "unarchived",
	    name);
	return buf;
}
#define PATHLEN		256

/* An id names a file: letters, digits, '-' and '.', not starting '.'. */
static bool
spool_id_ok(const char *id)
{
	size_t	i, n = strlen(id);

	if (n == 0 || n >= SPOOL_ID_LEN || id[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		    (id[i] >= 'A' && id[i] <= 'Z') ||
		    (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		    id[i] == '.'))
			return false;
	return true;
}

/*
 * OpenSSL's one-time set-up of SHA-256, the way the spool uses it, before
 * a role's sandbox closes: it may read configuration, and it ends with a
 * futex wake that the spool and compute profiles do not allow.
 */
int
spool_init(char *err, size_t errlen)
{
	EVP_MD_CTX	*md;
	uint8_t		 d[32];
	unsigned	 dl;
	int		 ok;

	ok = (md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(md, "", 0) == 1 &&
	    EVP_DigestFinal_ex(md, d, &dl) == 1 &&
	    EVP_MD_CTX_copy_ex(md, md) == 1 &&
	    EVP_Digest("", 0, d, &dl, EVP_sha256(), NULL) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return spool_err(err, errlen, "SHA-256 unavailable");
	return 0;
}

int
spool_open(struct spool *sp, const char *path, char *err, size_t errlen)
{
	struct stat	st;
	unsigned	i;
	int		fd;

	memset(sp, 0, sizeof(*sp));
	sp->dirfd = sp->tmpfd = sp->unarchivedfd = -1;
	for (i = 0; i < SPOOL_NSTATES; i++)
		sp->fds[i] = -1;
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return spool_err(err, errlen, "%s: %s", path, strerror(errno));
	if ((sp->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return spool_err(err, errlen, "%s: %s", path, strerror(errno));
	sp->path = xstrdup(path);
	for (i = 0; i <= UNARCHIVED; i++) {
		const char *n = i < SPOOL_NSTATES ? state_names[i] :
		    i == TMPSTATE ? "tmp" : "unarchived";

		if (mkdirat(sp->dirfd, n, 0700) == -1 && errno != EEXIST)
			goto fail;
		if ((fd = openat(sp->dirfd, n, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			goto fail;
		if (i < SPOOL_NSTATES)
			sp->fds[i] = fd;
		else if (i == TMPSTATE)
			sp->tmpfd = fd;
		else
			sp->unarchivedfd = fd;
		continue;
 fail:
		spool_err(err, errlen, "%s/%s: %s", path, n, strerror(errno));
		spool_close(sp);
		return -1;
	}
	if (fsync(sp->dirfd) == -1 || fstat(sp->dirfd, &st) == -1) {
		spool_err(err, errlen, "%s: %s", path, strerror(errno));
		spool_close(sp);
		return -1;
	}
	sp->dev = (uint64_t)st.st_dev;
	if (spool_init(err, errlen) == -1) {
		spool_close(sp);
		return -1;
	}
	return 0;
}

void
spool_close(struct spool *sp)
{
	char		err[256];
	unsigned	i;

	/* What a grouped caller left unsynced: best effort, the caller is
	 * going away. */
	(void)spool_sync(sp, err, sizeof(err));
	for (i = 0; i < SPOOL_NSTATES; i++)
		if (sp->fds[i] != -1)
			(void)close(sp->fds[i]);
	if (sp->tmpfd != -1)
		(void)close(sp->tmpfd);
	if (sp->unarchivedfd != -1)
		(void)close(sp->unarchivedfd);
	if (sp->dirfd != -1)
		(void)close(sp->dirfd);
	free(sp->path);
	memset(sp, 0, sizeof(*sp));
	sp->dirfd = sp->tmpfd = sp->unarchivedfd = -1;
	for (i = 0; i < SPOOL_NSTATES; i++)
		sp->fds[i] = -1;
}

void
spool_new_id(char id[SPOOL_ID_LEN], int64_t now)
{
	struct tm	tm;
	time_t		t = (time_t)now;
	uint64_t	r = 0;
	size_t		got = 0;
	ssize_t		k;

	while (got < sizeof(r)) {
		k = getrandom((uint8_t *)&r + got, sizeof(r) - got, 0);
		if (k > 0)
			got += (size_t)k;
		else if (errno != EINTR)
			abort();	/* no randomness: nothing is safe */
	}
	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < -1900 ||
	    tm.tm_year > 9999 - 1900)
		memset(&tm, 0, sizeof(tm));
	/* 15 + 1 + 16 characters; the year is kept to four digits above. */
	(void)strftime(id, SPOOL_ID_LEN, "%Y%m%dT%H%M%SZ-", &tm);
	(void)snprintf(id + 17, SPOOL_ID_LEN - 17, "%016llx",
	    (unsigned long long)r);
}

/* ------------------------------------------------------------------ */
/* Writing. */

/*
 * Records are gathered, with their digest, and written by one writev:
 * a queue file is written in one call (its message included), an append
 * of a few records and the END in another.
 */
#define RECW_MAX	(SPOOL_APPEND_MAX + 1)	/* records, the END included;
					 * a new file has 5 and the END */

struct recw {
	EVP_MD_CTX	*md;
	struct iovec	 iov[1 + 2 * RECW_MAX];
	uint8_t		 hdr[RECW_MAX][5];
	uint8_t		 end[32];
	int		 niov, nrec;
};

/* One record into the digest and the batch; -1 (errno) if it cannot. */
static int
recw_add(struct recw *w, uint8_t type, const void *v, size_t len)
{
	uint8_t	*h;

	if (len > UINT32_MAX || w->nrec == RECW_MAX) {
		errno = EFBIG;
		return -1;
	}
	h = w->hdr[w->nrec++];
	h[0] = type;
	h[1] = (uint8_t)(len >> 24);
	h[2] = (uint8_t)(len >> 16);
	h[3] = (uint8_t)(len >> 8);
	h[4] = (uint8_t)len;
	if (type != SPOOL_REC_END && (EVP_DigestUpdate(w->md, h, 5) != 1 ||
	    (len > 0 && EVP_DigestUpdate(w->md, v, len) != 1))) {
		errno = EIO;
		return -1;
	}
	w->iov[w->niov].iov_base = h;
	w->iov[w->niov++].iov_len = 5;
	if (len > 0) {
		w->iov[w->niov].iov_base = (void *)(uintptr_t)v;
		w->iov[w->niov++].iov_len = len;
	}
	return 0;
}

/* The END record (SHA-256 of everything before it), then the write at
 * offset off (-1: at the file's offset). */
static int
recw_write(int fd, struct recw *w, off_t off)
{
	unsigned	 dl;
	struct iovec	*v = w->iov;
	int		 n;
	ssize_t		 k;

	if (EVP_DigestFinal_ex(w->md, w->end, &dl) != 1 || dl != 32) {
		errno = EIO;
		return -1;
	}
	if (recw_add(w, SPOOL_REC_END, w->end, 32) == -1)
		return -1;
	for (n = w->niov; n > 0; ) {
		if ((k = off == -1 ? writev(fd, v, n) : pwritev(fd, v, n,
		    off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (off != -1)
			off += k;
		while (n > 0 && (size_t)k >= v->iov_len) {
			k -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (uint8_t *)v->iov_base + k;
			v->iov_len -= (size_t)k;
		}
	}
	return 0;
}

static void
be64(uint8_t b[8], uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int
dir_fd(struct spool *sp, unsigned d)
{
	return d < SPOOL_NSTATES ? sp->fds[d] : d == TMPSTATE ? sp->tmpfd :
	    sp->unarchivedfd;
}

/* Directory d (a state, TMPSTATE for tmp/, UNARCHIVED) changed: fsync it
 * now, or note it for spool_sync() when grouped. */
static int
dir_synced(struct spool *sp, unsigned d)
{
	if (sp->grouped) {
		sp->unsynced |= 1u << d;
		return 0;
	}
	return fsync(dir_fd(sp, d));
}

void
spool_group(struct spool *sp, bool on)
{
	sp->grouped = on;
}

bool
spool_pending(const struct spool *sp)
{
	return sp->nfiles > 0 || sp->unsynced != 0;
}

/* Add a written file to the group; -1 when it is full. */
static int
group_add(struct spool *sp, int fd, bool samefs, const char *store)
{
	if (!sp->grouped || sp->nfiles == SPOOL_GROUP_FILES)
		return -1;
	sp->files[sp->nfiles].fd = fd;
	sp->files[sp->nfiles].samefs = samefs;
	(void)snprintf(sp->files[sp->nfiles].store,
	    sizeof(sp->files[sp->nfiles].store), "%s", store);
	sp->nfiles++;
	return 0;
}

int
spool_hold(struct spool *sp, int fd)
{
	struct stat	st;

	if (fstat(fd, &st) == -1)
		return -1;
	return group_add(sp, fd, (uint64_t)st.st_dev == sp->dev, "");
}

/*
 * The data of the group's files, durable: with several on the spool's
 * file system one syncfs(2) instead of an fsync each (each fsync writes
 * the file's inode block on its own and flushes the disk's write cache:
 * on a virtual disk some four requests and interrupts per file; syncfs
 * writes the inode blocks the files share once and flushes once).  It
 * writes whatever else is dirty on that file system too, which the
 * guard's other roles make durable soon anyway, and reports a write error
 * in any of it (the caller stops, as for an error of its own: a disk that
 * loses writes is no place to go on).  syncfs waits for the
 * data and inodes and flushes after them; the directory blocks it may
 * also write are made durable, in order, by the fsyncs that follow.
 */
static int
sync_files(struct spool *sp, size_t n)
{
	size_t	i, same = 0;
	int	rc = 0, e = 0;

	for (i = 0; i < n; i++)
		same += sp->files[i].samefs;
	if (same > 1 && syncfs(sp->dirfd) == -1) {
		e = errno;
		rc = -1;
	}
	for (i = 0; i < n; i++)
		if ((!sp->files[i].samefs || same == 1) &&
		    fsync(sp->files[i].fd) == -1 && rc == 0) {
			e = errno;
			rc = -1;
		}
	for (i = 0; i < n; i++)
		(void)close(sp->files[i].fd);
	errno = e;
	return rc;
}

int
spool_sync(struct spool *sp, char *err, size_t errlen)
{
	char		p1[PATHLEN], p2[PATHLEN];
	const char	*id;
	size_t		i, n = sp->nfiles;
	unsigned	d;

	/* Files first: a directory made durable must not name a file whose
	 * last records are still only in memory. */
	sp->nfiles = 0;
	if (sync_files(sp, n) == -1)
		/* Which write is lost cannot be told: the caller stops, the
		 * reader drops torn tails and spool_recover() sets new files
		 * left in tmp/ aside after the restart. */
		return spool_err(err, errlen, "%s: making written files "
		    "durable: %s", sp->path, strerror(errno));
	/* New files: durable now, so into place. */
	for (i = 0; i < n; i++) {
		if (*(id = sp->files[i].store) == '\0')
			continue;
		if (rename_noreplace(sp->dirfd, rel(p1, sizeof(p1), TMPSTATE,
		    id), sp->dirfd, rel(p2, sizeof(p2), SPOOL_INCOMING, id)) ==
		    -1)
			return spool_err(err, errlen, "%s: rename into "
			    "incoming: %s", id, strerror(errno));
		sp->unsynced |= 1u << SPOOL_INCOMING | 1u << TMPSTATE;
	}
	/* unarchived/ first: a durable end state implies its link. */
	for (i = 0; i <= UNARCHIVED; i++) {
		d = i == 0 ? UNARCHIVED : (unsigned)i - 1;
		if (!(sp->unsynced & (1u << d)))
			continue;
		if (fsync(dir_fd(sp, d)) == -1)
			/* Left marked: the next call tries again, and
			 * nothing may be acknowledged meanwhile. */
			return spool_err(err, errlen, "%s/%s: fsync: %s",
			    sp->path, d < SPOOL_NSTATES ? state_names[d] :
			    d == TMPSTATE ? "tmp" : "unarchived",
			    strerror(errno));
		sp->unsynced &= ~(1u << d);
	}
	return 0;
}

int
spool_store(struct spool *sp, const char *id, int64_t time, int precedence,
    const char *source, const void *msg, size_t len, char *err,
    size_t errlen)
{
	struct recw	 w;
	uint8_t		 t[8], p;
	char		 p1[PATHLEN], p2[PATHLEN];
	int		 fd, rc = -1;

	if (!spool_id_ok(id))
		return spool_err(err, errlen, "bad message id \"%s\"", id);
	if (len > SPOOL_MAX_MESSAGE)
		return spool_err(err, errlen, "%s: %zu bytes, more than %u",
		    id, len, SPOOL_MAX_MESSAGE);
	if ((fd = openat(sp->dirfd, rel(p1, sizeof(p1), TMPSTATE, id),
	    O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0660)) == -1)
		return spool_err(err, errlen, "%s/tmp/%s: %s", sp->path, id,
		    strerror(errno));
	memset(&w, 0, sizeof(w));
	if ((w.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(w.md, EVP_sha256(), NULL) != 1) {
		spool_err(err, errlen, "%s: no digest context", id);
		goto out;
	}
	be64(t, (uint64_t)time);
	p = (uint8_t)(precedence < 0 ? 0xff : precedence);
	w.iov[0].iov_base = (void *)(uintptr_t)spool_magic;
	w.iov[0].iov_len = sizeof(spool_magic);
	w.niov = 1;
	if (EVP_DigestUpdate(w.md, spool_magic, sizeof(spool_magic)) != 1 ||
	    recw_add(&w, SPOOL_REC_ID, id, strlen(id)) == -1 ||
	    recw_add(&w, SPOOL_REC_TIME, t, 8) == -1 ||
	    recw_add(&w, SPOOL_REC_PRECEDENCE, &p, 1) == -1 ||
	    recw_add(&w, SPOOL_REC_SOURCE, source ? source : "",
	    source ? strlen(source) : 0) == -1 ||
	    recw_add(&w, SPOOL_REC_MESSAGE, msg, len) == -1 ||
	    recw_write(fd, &w, -1) == -1) {
		spool_err(err, errlen, "%s/tmp/%s: write: %s", sp->path, id,
		    strerror(errno));
		goto out;
	}
	if (group_add(sp, fd, true, id) == 0) {
		fd = -1;		/* spool_sync() syncs and renames it */
		rc = 0;
		goto out;
	}
	if (fsync(fd) == -1) {
		spool_err(err, errlen, "%s/tmp/%s: fsync: %s", sp->path, id,
		    strerror(errno));
		goto out;
	}
	/* Never over an existing message of the same id. */
	if (rename_noreplace(sp->dirfd, rel(p1, sizeof(p1), TMPSTATE, id),
	    sp->dirfd, rel(p2, sizeof(p2), SPOOL_INCOMING, id)) == -1) {
		spool_err(err, errlen, "%s: rename into incoming: %s", id,
		    strerror(errno));
		goto out;
	}
	if (dir_synced(sp, SPOOL_INCOMING) == -1 ||
	    dir_synced(sp, SPOOL_NSTATES) == -1) {
		spool_err(err, errlen, "%s: fsync of the directories: %s", id,
		    strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	EVP_MD_CTX_free(w.md);
	if (fd != -1)
		(void)close(fd);
	if (rc == -1)
		(void)unlinkat(sp->dirfd, rel(p1, sizeof(p1), TMPSTATE, id),
		    0);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Reading. */

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
rd64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/*
 * Walk the records; remember the end of the last END whose digest holds.
 * Only records before that END count.  sealed, if not NULL, is left with
 * the digest of everything up to that END, which is where an append goes
 * on from (append()).
 */
static int
parse(const void *buf, size_t len, struct spool_entry *e, EVP_MD_CTX *sealed,
    char *err, size_t errlen)
{
	const uint8_t	*b = buf, *p, *val;
	EVP_MD_CTX	*md = NULL, *c = NULL;
	uint8_t		 d[32];
	unsigned	 dl, nrec = 0;
	size_t		 good = 0, off;
	uint32_t	 vlen;
	uint8_t		 type;
	int		 rc = -1;

	memset(e, 0, sizeof(*e));
	e->precedence = -1;
	e->verdict = -1;
	if (len < sizeof(spool_magic) ||
	    memcmp(b, spool_magic, sizeof(spool_magic)) != 0)
		return spool_err(err, errlen, "not a queue file (no magic)");
	if ((md = EVP_MD_CTX_new()) == NULL || (c = EVP_MD_CTX_new()) ==
	    NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, b, sizeof(spool_magic)) != 1) {
		EVP_MD_CTX_free(md);
		EVP_MD_CTX_free(c);
		return spool_err(err, errlen, "no digest context");
	}
	/* First pass: find the last valid END. */
	for (off = sizeof(spool_magic); off + 5 <= len; off += 5 + vlen) {
		type = b[off];
		vlen = rd32(b + off + 1);
		if (vlen > len - off - 5)
			break;		/* torn */
		if (++nrec > SPOOL_MAX_RECORDS)
			break;
		if (type == SPOOL_REC_END && (vlen != 32 ||
		    EVP_MD_CTX_copy_ex(c, md) != 1 ||
		    EVP_DigestFinal_ex(c, d, &dl) != 1 ||
		    memcmp(d, b + off + 5, 32) != 0))
			break;		/* a damaged tail */
		if (EVP_DigestUpdate(md, b + off, 5 + (size_t)vlen) != 1)
			break;
		if (type == SPOOL_REC_END) {
			good = off + 5 + 32;
			if (sealed != NULL && EVP_MD_CTX_copy_ex(sealed, md) !=
			    1) {
				good = 0;
				break;
			}
		}
	}
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(c);
	if (good == 0) {
		spool_err(err, errlen, "no valid END record: the file is "
		    "incomplete or damaged");
		goto out;
	}
	e->torn = len - good;
	e->data = xmemdup(b, good);
	e->len = good;
	/* Second pass over the sealed part. */
	for (off = sizeof(spool_magic); off < good; off += 5 + vlen) {
		p = e->data + off;
		type = p[0];
		vlen = rd32(p + 1);
		val = p + 5;
		switch (type) {
		case SPOOL_REC_ID:
			if (vlen == 0 || vlen >= SPOOL_ID_LEN) {
				spool_err(err, errlen, "bad id record");
				goto out;
			}
			memcpy(e->id, val, vlen);
			e->id[vlen] = '\0';
			if (!spool_id_ok(e->id)) {
				spool_err(err, errlen, "bad id \"%s\"", e->id);
				goto out;
			}
			break;
		case SPOOL_REC_TIME:
			if (vlen != 8) {
				spool_err(err, errlen, "bad time record");
				goto out;
			}
			e->time = rd64(val);
			break;
		case SPOOL_REC_PRECEDENCE:
			if (vlen != 1 || (val[0] > 5 && val[0] != 0xff)) {
				spool_err(err, errlen, "bad precedence record");
				goto out;
			}
			e->precedence = val[0] == 0xff ? -1 : val[0];
			break;
		case SPOOL_REC_SOURCE:
			if (vlen > SPOOL_MAX_TEXT) {
				spool_err(err, errlen, "bad source record");
				goto out;
			}
			free(e->source);
			e->source = xmalloc((size_t)vlen + 1);
			memcpy(e->source, val, vlen);
			e->source[vlen] = '\0';
			break;
		case SPOOL_REC_MESSAGE:
			if (e->message != NULL) {
				spool_err(err, errlen, "two message records");
				goto out;
			}
			e->message = val;
			e->message_len = vlen;
			break;
		case SPOOL_REC_ATTEMPT:
			if (vlen != 8) {
				spool_err(err, errlen, "bad attempt record");
				goto out;
			}
			e->attempts++;
			break;
		case SPOOL_REC_VERDICT:
			if (vlen < 1 || val[0] > 3 || vlen > SPOOL_MAX_TEXT) {
				spool_err(err, errlen, "bad verdict record");
				goto out;
			}
			e->verdict = val[0];
			free(e->reasons);
			e->reasons = xmalloc(vlen);
			memcpy(e->reasons, val + 1, (size_t)vlen - 1);
			e->reasons[vlen - 1] = '\0';
			break;
		case SPOOL_REC_OFFICER:
			if (vlen > SPOOL_MAX_TEXT) {
				spool_err(err, errlen, "bad officer record");
				goto out;
			}
			e->officer_actions++;
			free(e->officer);
			e->officer = xmalloc(vlen + 1);
			memcpy(e->officer, val, vlen);
			e->officer[vlen] = '\0';
			break;
		case SPOOL_REC_FAILURE:
			e->failures++;
			break;
		case SPOOL_REC_NOTE:
		case SPOOL_REC_END:
			break;
		default:
			spool_err(err, errlen, "unknown record type 0x%02x at "
			    "offset %zu", type, off);
			goto out;
		}
	}
	if (e->id[0] == '\0' || e->message == NULL) {
		spool_err(err, errlen, "no %s record", e->id[0] == '\0' ? "id" :
		    "message");
		goto out;
	}
	rc = 0;
 out:
	if (rc == -1)
		spool_entry_free(e);
	return rc;
}

int
spool_parse(const void *buf, size_t len, struct spool_entry *e, char *err,
    size_t errlen)
{
	return parse(buf, len, e, NULL, err, errlen);
}

void
spool_entry_free(struct spool_entry *e)
{
	free(e->source);
	free(e->reasons);
	free(e->officer);
	free(e->data);
	memset(e, 0, sizeof(*e));
	e->precedence = -1;
	e->verdict = -1;
}

static int
read_fd(int fd, uint8_t **out, size_t *len)
{
	struct stat	 st;
	uint8_t		*b;
	size_t		 n = 0;
	ssize_t		 k;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((uint64_t)st.st_size > SPOOL_MAX_MESSAGE + (1u << 20)) {
		errno = EFBIG;
		return -1;
	}
	b = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size) {
		if ((k = read(fd, b + n, (size_t)st.st_size - n)) == -1) {
			if (errno == EINTR)
				continue;
			free(b);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*out = b;
	*len = n;
	return 0;
}

int
spool_read_fd(int fd, struct spool_entry *e, char *err, size_t errlen)
{
	uint8_t	*b;
	size_t	 n;
	int	 rc;

	if (lseek(fd, 0, SEEK_SET) == -1 || read_fd(fd, &b, &n) == -1)
		return spool_err(err, errlen, "reading the queue file: %s",
		    strerror(errno));
	rc = spool_parse(b, n, e, err, errlen);
	free(b);
	return rc;
}

int
spool_open_file(struct spool *sp, enum spool_state s, const char *id,
    char *err, size_t errlen)
{
	char	p1[PATHLEN];
	int	fd;

	if (!spool_id_ok(id) || (unsigned)s >= SPOOL_NSTATES)
		return spool_err(err, errlen, "bad message id or state");
	if ((fd = openat(sp->dirfd, rel(p1, sizeof(p1), s, id), O_RDONLY |
	    O_CLOEXEC | O_NOFOLLOW)) == -1)
		return spool_err(err, errlen, "%s/%s/%s: %s", sp->path,
		    state_names[s], id, strerror(errno));
	return fd;
}

int
spool_read(struct spool *sp, enum spool_state s, const char *id,
    struct spool_entry *e, char *err, size_t errlen)
{
	uint8_t	*b;
	size_t	 n;
	int	 fd, rc;
	char	 why[256];

	if ((fd = spool_open_file(sp, s, id, err, errlen)) == -1)
		return -1;
	if (read_fd(fd, &b, &n) == -1) {
		spool_err(err, errlen, "%s/%s: %s", state_names[s], id,
		    strerror(errno));
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	rc = spool_parse(b, n, e, why, sizeof(why));
	free(b);
	if (rc == -1)
		return spool_err(err, errlen, "%s/%s: %s", state_names[s], id,
		    why);
	if (strcmp(e->id, id) != 0) {
		spool_entry_free(e);
		return spool_err(err, errlen, "%s/%s: the file says it is %s",
		    state_names[s], id, e->id);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Changing state. */

static int
append(struct spool *sp, enum spool_state s, const char *id,
    const struct spool_rec *recs, size_t n, bool durable, char *err,
    size_t errlen)
{
	struct spool_entry	 e;
	struct recw		 w;
	char			 p1[PATHLEN], why[256];
	uint8_t			*b = NULL;
	size_t			 i, blen;
	int			 fd, rc = -1;

	memset(&e, 0, sizeof(e));
	memset(&w, 0, sizeof(w));
	if (!spool_id_ok(id) || (unsigned)s >= SPOOL_NSTATES)
		return spool_err(err, errlen, "bad message id or state");
	if (n > SPOOL_APPEND_MAX)
		return spool_err(err, errlen, "%s: cannot append %zu records "
		    "at once (at most %d)", id, n, SPOOL_APPEND_MAX);
	if ((fd = openat(sp->dirfd, rel(p1, sizeof(p1), s, id), O_RDWR |
	    O_CLOEXEC | O_NOFOLLOW)) == -1)
		return spool_err(err, errlen, "%s/%s/%s: %s", sp->path,
		    state_names[s], id, strerror(errno));
	/* What is sealed now, and its digest: the new END covers it and the
	 * new records. */
	if ((w.md = EVP_MD_CTX_new()) == NULL) {
		spool_err(err, errlen, "%s: no digest context", id);
		goto out;
	}
	if (read_fd(fd, &b, &blen) == -1) {
		spool_err(err, errlen, "%s/%s: %s", state_names[s], id,
		    strerror(errno));
		goto out;
	}
	if (parse(b, blen, &e, w.md, why, sizeof(why)) == -1) {
		spool_err(err, errlen, "%s/%s: %s", state_names[s], id, why);
		goto out;
	}
	if (strcmp(e.id, id) != 0) {
		spool_err(err, errlen, "%s/%s: the file says it is %s",
		    state_names[s], id, e.id);
		goto out;
	}
	/* A torn tail from an earlier crash is cut off first. */
	if (e.torn > 0 && ftruncate(fd, (off_t)e.len) == -1) {
		spool_err(err, errlen, "%s: %s", id, strerror(errno));
		goto out;
	}
	errno = 0;
	for (i = 0; i < n; i++)
		if (recs[i].type == SPOOL_REC_END || recs[i].type ==
		    SPOOL_REC_MESSAGE || recs[i].type == SPOOL_REC_ID ||
		    recw_add(&w, recs[i].type, recs[i].value, recs[i].len) ==
		    -1) {
			spool_err(err, errlen, "%s: cannot append record '%c': "
			    "%s", id, recs[i].type, errno ? strerror(errno) :
			    "not an appendable type");
			goto out;
		}
	if (recw_write(fd, &w, (off_t)e.len) == -1) {
		spool_err(err, errlen, "%s: %s", id, strerror(errno));
		goto out;
	}
	if (!durable)
		;			/* the next fsync of the file takes it */
	else if (group_add(sp, fd, true, "") == 0)
		fd = -1;			/* spool_sync() syncs it */
	else if (fsync(fd) == -1) {
		spool_err(err, errlen, "%s: fsync: %s", id, strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	if (fd != -1)
		(void)close(fd);
	EVP_MD_CTX_free(w.md);
	spool_entry_free(&e);
	free(b);
	return rc;
}

int
spool_append(struct spool *sp, enum spool_state s, const char *id,
    const struct spool_rec *recs, size_t n, char *err, size_t errlen)
{
	return append(sp, s, id, recs, n, true, err, errlen);
}

int
spool_annotate(struct spool *sp, enum spool_state s, const char *id,
    const struct spool_rec *recs, size_t n, char *err, size_t errlen)
{
	return append(sp, s, id, recs, n, false, err, errlen);
}

int
spool_find(struct spool *sp, const char *id, enum spool_state *where)
{
	struct stat	st;
	char		p1[PATHLEN];
	unsigned	i;

	if (!spool_id_ok(id))
		return -1;
	for (i = 0; i < SPOOL_NSTATES; i++)
		if (fstatat(sp->dirfd, rel(p1, sizeof(p1), (int)i, id), &st,
		    AT_SYMLINK_NOFOLLOW) == 0) {
			if (where != NULL)
				*where = (enum spool_state)i;
			return 0;
		}
	return -1;
}

int
spool_move(struct spool *sp, const char *id, enum spool_state from,
    enum spool_state to, char *err, size_t errlen)
{
	char	p1[PATHLEN], p2[PATHLEN];

	if (!spool_id_ok(id) || (unsigned)from >= SPOOL_NSTATES ||
	    (unsigned)to >= SPOOL_NSTATES)
		return spool_err(err, errlen, "bad message id or state");
	if (rename_noreplace(sp->dirfd, rel(p1, sizeof(p1), from, id),
	    sp->dirfd, rel(p2, sizeof(p2), to, id)) == -1)
		return spool_err(err, errlen, "%s: %s -> %s: %s", id,
		    state_names[from], state_names[to], strerror(errno));
	if (dir_synced(sp, to) == -1 || dir_synced(sp, from) == -1)
		return spool_err(err, errlen, "%s: fsync of the directories: "
		    "%s", id, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Archive hand-offs (spool.h). */

int
spool_unarchived_add(struct spool *sp, enum spool_state s, const char *id,
    char *err, size_t errlen)
{
	char	p1[PATHLEN], p2[PATHLEN];

	if (!spool_id_ok(id) || (unsigned)s >= SPOOL_NSTATES)
		return spool_err(err, errlen, "bad message id or state");
	if (linkat(sp->dirfd, rel(p1, sizeof(p1), s, id), sp->dirfd,
	    rel(p2, sizeof(p2), UNARCHIVED, id), 0) == -1) {
		if (errno == EEXIST)
			return 0;	/* an earlier hand-off waits too */
		return spool_err(err, errlen, "%s: link into unarchived/: %s",
		    id, strerror(errno));
	}
	if (dir_synced(sp, UNARCHIVED) == -1)
		return spool_err(err, errlen, "%s/unarchived: fsync: %s",
		    sp->path, strerror(errno));
	return 0;
}

int
spool_unarchived_done(struct spool *sp, const char *id, char *err,
    size_t errlen)
{
	char	p1[PATHLEN];

	if (!spool_id_ok(id))
		return spool_err(err, errlen, "bad message id");
	if (unlinkat(sp->dirfd, rel(p1, sizeof(p1), UNARCHIVED, id), 0) ==
	    -1 && errno != ENOENT)
		return spool_err(err, errlen, "%s: unlink from unarchived/: "
		    "%s", id, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Listing and recovery. */

static int
list_dir(int dfd, const char *sub, int (*fn)(const char *, void *),
    void *arg)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd, rc = 0;

	/* A new descriptor of the directory (openat, not dup: the spool
	 * sandbox allows opening beneath its directories only). */
	if ((fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		(void)close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((rc = fn(de->d_name, arg)) != 0)
			break;
	}
	(void)closedir(d);
	return rc;
}

struct list_arg {
	int	(*fn)(const char *, void *);
	void	*arg;
};

static int
list_one(const char *name, void *a)
{
	struct list_arg	*l = a;

	if (!spool_id_ok(name))
		return 0;
	return l->fn(name, l->arg);
}

int
spool_list(struct spool *sp, enum spool_state s,
    int (*fn)(const char *, void *), void *arg)
{
	struct list_arg	l = { fn, arg };

	if ((unsigned)s >= SPOOL_NSTATES)
		return -1;
	return list_dir(sp->dirfd, state_names[s], list_one, &l);
}

int
spool_unarchived_list(struct spool *sp, int (*fn)(const char *, void *),
    void *arg)
{
	struct list_arg	l = { fn, arg };

	return list_dir(sp->dirfd, "unarchived", list_one, &l);
}

struct recover_arg {
	struct spool	*sp;
	enum spool_state state;	/* SPOOL_NSTATES: tmp/ */
	void		(*fn)(const char *, enum spool_state, const char *,
			    void *);
	void		*arg;
	int		 n;
	int		 failed;
};

/* Names are collected first: renaming while reading a directory is not
 * something readdir promises to cope with. */
struct names {
	char	**v;
	size_t	  n;
};

static int
collect(const char *name, void *a)
{
	struct names	*ns = a;

	ns->v = xreallocarray(ns->v, ns->n + 1, sizeof(*ns->v));
	ns->v[ns->n++] = xstrdup(name);
	return 0;
}

static void
set_aside(struct recover_arg *r, const char *name, const char *why)
{
	char		dst[PATHLEN], src[PATHLEN], base[96];
	struct stat	st;
	int		k;

	/* A unique name in corrupt/, so nothing there is overwritten. */
	for (k = 0; k < 1000; k++) {
		(void)snprintf(base, sizeof(base), "%.*s.%s.%d",
		    SPOOL_ID_LEN - 1, name, r->state == SPOOL_NSTATES ? "tmp" :
		    state_names[r->state], k);
		rel(dst, sizeof(dst), SPOOL_CORRUPT, base);
		if (fstatat(r->sp->dirfd, dst, &st, AT_SYMLINK_NOFOLLOW) == -1)
			break;
	}
	(void)snprintf(src, sizeof(src), "%s/%s", r->state == SPOOL_NSTATES ?
	    "tmp" : state_names[r->state], name);
	if (renameat(r->sp->dirfd, src, r->sp->dirfd, dst) == -1) {
		r->failed = 1;
		return;
	}
	r->n++;
	if (r->fn != NULL)
		r->fn(name, r->state, why, r->arg);
}

int
spool_recover(struct spool *sp, void (*fn)(const char *, enum spool_state,
    const char *, void *), void *arg, char *err, size_t errlen)
{
	struct recover_arg	r;
	struct names		ns;
	struct spool_entry	e;
	char			why[256];
	size_t			i;
	unsigned		s;

	memset(&r, 0, sizeof(r));
	r.sp = sp;
	r.fn = fn;
	r.arg = arg;
	for (s = 0; s <= SPOOL_NSTATES; s++) {
		if (s == SPOOL_CORRUPT)
			continue;
		r.state = (enum spool_state)s;
		memset(&ns, 0, sizeof(ns));
		if (list_dir(sp->dirfd, s < SPOOL_NSTATES ? state_names[s] :
		    "tmp", collect, &ns) == -1)
			return spool_err(err, errlen, "%s: cannot list %s",
			    sp->path, s < SPOOL_NSTATES ? state_names[s] :
			    "tmp");
		for (i = 0; i < ns.n; i++) {
			if (s == SPOOL_NSTATES)
				set_aside(&r, ns.v[i], "an unfinished write "
				    "(found in tmp/)");
			else if (!spool_id_ok(ns.v[i]))
				set_aside(&r, ns.v[i], "not a queue file name");
			else if (spool_read(sp, (enum spool_state)s, ns.v[i],
			    &e, why, sizeof(why)) == -1)
				set_aside(&r, ns.v[i], why);
			else
				spool_entry_free(&e);
			free(ns.v[i]);
		}
		free(ns.v);
	}
	if (fsync(sp->fds[SPOOL_CORRUPT]) == -1 || r.failed)
		return spool_err(err, errlen, "%s: setting files aside failed",
		    sp->path);
	for (s = 0; s < SPOOL_NSTATES; s++)
		(void)fsync(sp->fds[s]);
	(void)fsync(sp->tmpfd);
	return r.n;
}
