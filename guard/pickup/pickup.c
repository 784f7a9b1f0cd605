/*
 * mmguard-pickup - the drop-folder ingress of one direction.
 *
 * SYNOPSIS
 *	mmguard-pickup -s SPOOL -i DIR [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel to qmgr on descriptor 3.  It
 *	looks into DIR when a file is renamed into it (inotify) and every
 *	200 ms; each regular file whose name does not
 *	start with a dot is a message (writers create it under a dot name
 *	and rename it when complete).  Each look takes at most 512: the
 *	8 newest first, then the oldest (so that a file dropped behind a
 *	burst, a FLASH message perhaps, is taken at the next look rather
 *	than after the whole burst; the next look follows at once, and the
 *	oldest make up most of every look; a look ends early, after 64 of
 *	the oldest, when a file is renamed in meanwhile).  Messages are
 *	stored durably in the spool's incoming/ in batches of up to 64
 *	(spool.h: each written, fsync'd and renamed; the spool's
 *	directories fsync'd once per batch), and only then are the files
 *	removed from DIR and qmgr told.
 *
 *	The queue id is the file's modification time and the first 64 bits
 *	of the SHA-256 of its bytes, so that a file picked up again after a
 *	crash between storing and removing it is recognised (the spool
 *	already holds that id in some state) and only removed: a message
 *	is never queued twice.  Byte-identical files with the same time are
 *	one message.  A file that cannot be read, or is larger than the
 *	spool's limit, stays where it is and is reported once.
 *
 * SECURITY
 *	Runs as its own user in the spool sandbox, its files confined to
 *	the spool and DIR; no network.  It reads message bytes but parses
 *	nothing.  Owning it lets an attacker inject or drop messages at the
 *	ingress, which is no more than a writer of DIR can do; every
 *	message it stores is recorded in the audit log (message-accepted:
 *	its digest and file name), on its own channel to the audit role.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/hex.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"
#include "guard/spool/spool.h"

#define SCAN_MS		200
#define MAX_REPORTED	256
#define BATCH		64	/* files stored per directory sync */
#define SCAN_MAX	512	/* files taken per look into the folder */
#define NEWEST		8	/* of them, the newest, taken first */

struct entry {
	char		*name;
	struct timespec	 mtime;
};

struct pickup {
	struct spool	 sp;
	int		 in;
	int		 notify;	/* inotify on in, or -1 */
	struct entry	 fresh[NEWEST];	/* named by inotify since the
					   last look: taken first */
	size_t		 nfresh;
	struct ipc_chan	 ch;
	char		*reported[MAX_REPORTED];	/* refused once */
	size_t		 nreported;
};

static void
report_once(struct pickup *p, const char *name, const char *why)
{
	size_t	i;

	for (i = 0; i < p->nreported; i++)
		if (strcmp(p->reported[i], name) == 0)
			return;
	log_warnx("%s: left in the drop folder: %s", name, why);
	if (p->nreported < MAX_REPORTED)
		p->reported[p->nreported++] = xstrdup(name);
}

static int
read_file(int dfd, const char *name, uint8_t **out, size_t *len,
    struct stat *st)
{
	uint8_t	*b;
	size_t	 n = 0;
	ssize_t	 k;
	int	 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		(void)close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)st->st_size > SPOOL_MAX_MESSAGE) {
		(void)close(fd);
		errno = EFBIG;
		return -1;
	}
	b = xmalloc((size_t)st->st_size + 1);
	while (n < (size_t)st->st_size) {
		if ((k = read(fd, b + n, (size_t)st->st_size - n)) == -1) {
			if (errno == EINTR)
				continue;
			free(b);
			(void)close(fd);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	(void)close(fd);
	*out = b;
	*len = n;
	return 0;
}


/* A file taken from the drop folder. */
struct taken {
	char		 id[SPOOL_ID_LEN];
	bool		 fresh;		/* stored now, not found queued */
	char		 hex[65];	/* its SHA-256 */
	char		 bytes[24];
};

/*
 * Store one file of the drop folder in the spool (its directory fsync is
 * left to the batch); 0 with its id, -1 when it stays where it is.
 */
static int
store(struct pickup *p, const char *name, struct taken *tk)
{
	char		*id = tk->id;
	struct stat	 st;
	uint8_t		*b, d[32];
	size_t		 len;
	unsigned	 dl;
	char		 err[256];
	struct tm	 tm;
	time_t		 t;

	if (read_file(p->in, name, &b, &len, &st) == -1) {
		if (errno == ENOENT)
			/* Listed, then taken as a fresh arrival (or taken
			 * back by whoever put it there): nothing to do. */
			log_debug("%s: gone from the drop folder", name);
		else
			report_once(p, name, errno == EFBIG ? "larger than "
			    "the spool's limit" : strerror(errno));
		return -1;
	}
	(void)EVP_Digest(b, len, d, &dl, EVP_sha256(), NULL);
	t = st.st_mtim.tv_sec;
	if (gmtime_r(&t, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	(void)strftime(id, SPOOL_ID_LEN, "%Y%m%dT%H%M%SZ-", &tm);
	hex_lower(d, 8, id + 17);
	if (spool_find(&p->sp, id, NULL) == 0)
		log_info("%s: already queued as %s; removing it", name, id);
	else if (spool_store(&p->sp, id, (int64_t)time(NULL), -1, name, b,
	    len, err, sizeof(err)) == -1) {
		report_once(p, name, err);
		free(b);
		return -1;
	} else {
		/* Recorded as accepted once the batch is durable. */
		tk->fresh = true;
		hex_lower(d, 32, tk->hex);
		(void)snprintf(tk->bytes, sizeof(tk->bytes), "%zu", len);
	}
	free(b);
	return 0;
}

/* Has a file been renamed into the folder since the events were last
 * read? */
static bool
arrived(struct pickup *p)
{
	struct pollfd	pfd = { .fd = p->notify, .events = POLLIN };

	return p->notify != -1 && poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & POLLIN);
}

static void	drain(struct pickup *);
static size_t	fresh_entries(struct pickup *, struct entry *, size_t);

/*
 * Take up to BATCH files, v[0..n).  A file renamed into the folder
 * meanwhile (seen from the cut_from-th on) ends the look's part of the
 * batch there, and the fresh arrivals join the batch instead: a FLASH
 * dropped behind a burst is made durable with the files already taken,
 * one sync for both.  Store each, make them all durable together
 * (spool_sync: one syncfs for their data, then their renames into
 * incoming/ and one fsync per spool directory), and only then remove the
 * sources (one fsync of the drop folder) and tell qmgr.  A crash before
 * the sync leaves the sources in place; stored again, they are recognised
 * by their id.  Returns how many of v were taken.
 */
static size_t
take(struct pickup *p, struct entry *v, size_t n, size_t cut_from)
{
	struct taken	t[BATCH];
	struct entry	b[BATCH];	/* v's, then fresh arrivals */
	char		err[256];
	bool		stored[BATCH];
	size_t		i, nv, nb;

	if (n > BATCH)
		fatalx("a batch of %zu files", n);
	memset(t, 0, sizeof(t));
	memcpy(b, v, n * sizeof(*b));
	nv = nb = n;
	for (i = 0; i < nb; i++) {
		if (i < nv && i >= cut_from && arrived(p)) {
			drain(p);
			nv = i;
			nb = i + fresh_entries(p, b + i, BATCH - i);
			if (i == nb)
				break;
		}
		stored[i] = store(p, b[i].name, &t[i]) == 0;
	}
	if (nb > 0) {
		if (spool_sync(&p->sp, err, sizeof(err)) == -1)
			fatalx("%s", err);	/* nothing acknowledged */
		for (i = 0; i < nb; i++) {
			struct audit_kv	kv[3] = { { "digest", t[i].hex },
					    { "source", b[i].name },
					    { "bytes", t[i].bytes } };

			if (stored[i] && t[i].fresh)
				role_audit(AUDIT_EV_MESSAGE_ACCEPTED, t[i].id,
				    kv, 3);
		}
		for (i = 0; i < nb; i++)
			if (stored[i] && unlinkat(p->in, b[i].name, 0) == -1)
				log_warn("%s: removing it from the drop folder",
				    b[i].name);
		if (fsync(p->in) == -1)
			log_warn("drop folder: fsync");
		for (i = 0; i < nb; i++) {
			if (!stored[i])
				continue;
			ipc_create(&p->ch, MSG_NEW, 0);
			ipc_add_string(&p->ch, t[i].id);
			ipc_add_u64(&p->ch, (uint64_t)b[i].mtime.tv_sec *
			    1000000000u + (uint64_t)b[i].mtime.tv_nsec);
			if (ipc_close(&p->ch) == -1)
				ipc_fatal(&p->ch);
		}
		if (ipc_flush_wait(&p->ch) == -1)
			ipc_fatal(&p->ch);
	}
	for (i = nv; i < nb; i++)
		free(b[i].name);
	return nv;
}

static int
by_mtime(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/*
 * Oldest first, in O(n log n): a bottom-up merge sort, not qsort(3)
 * (glibc's qsort asks the kernel for the machine's memory size, sysinfo,
 * which the sandbox refuses) nor an insertion sort (quadratic: readdir
 * hands a burst of thousands of files over in hash order).
 */
static void
sort_entries(struct entry *v, size_t n)
{
	struct entry	*tmp, *src = v, *dst, *t;
	size_t		 w, lo, mid, hi, i, j, k;

	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	dst = tmp;
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = lo + w < n ? lo + w : n;
			hi = lo + 2 * w < n ? lo + 2 * w : n;
			/* Stable: on a tie the left run goes first. */
			for (i = lo, j = mid, k = lo; k < hi; k++)
				if (i < mid && (j >= hi ||
				    by_mtime(&src[i], &src[j]) <= 0))
					dst[k] = src[i++];
				else
					dst[k] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
	free(tmp);
}

/*
 * Read the inotify events that woke us, keeping the first NEWEST names
 * renamed in: the next look takes them before it lists the folder (they
 * are the newest files there), so that a FLASH dropped behind a burst
 * waits neither for the listing of the burst nor for its batches.  Names
 * beyond NEWEST, or lost to an overflowed event queue, are found by the
 * listing.
 */
static void
drain(struct pickup *p)
{
	char			 b[4096] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	ssize_t			 n, off;

	while ((n = read(p->notify, b, sizeof(b))) > 0)
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(b + off);
			if (off + (ssize_t)(sizeof(*ev) + ev->len) > n)
				break;	/* the kernel gives whole events */
			if (ev->len == 0 || !(ev->mask & IN_MOVED_TO) ||
			    ev->name[0] == '.' || p->nfresh == NEWEST ||
			    strnlen(ev->name, ev->len) == ev->len)
				continue;
			p->fresh[p->nfresh].name = xstrdup(ev->name);
			p->fresh[p->nfresh++].mtime = (struct timespec){ 0, 0 };
		}
}

/* Up to max of the files inotify named that are still there, into v
 * (their names become the caller's); names past max wait for the next
 * look. */
static size_t
fresh_entries(struct pickup *p, struct entry *v, size_t max)
{
	struct stat	st;
	size_t		i, n = 0, kept = 0;

	for (i = 0; i < p->nfresh; i++) {
		if (n == max)
			p->fresh[kept++] = p->fresh[i];
		else if (fstatat(p->in, p->fresh[i].name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
			v[n] = p->fresh[i];
			v[n++].mtime = st.st_mtim;
		} else
			free(p->fresh[i].name);
	}
	p->nfresh = kept;
	return n;
}

/* Take the files inotify named, those still there. */
static void
take_fresh(struct pickup *p)
{
	struct entry	v[NEWEST];
	size_t		i, n;

	if ((n = fresh_entries(p, v, NEWEST)) > 0)
		(void)take(p, v, n, n);
	for (i = 0; i < n; i++)
		free(v[i].name);
}

/* One look into the folder.  Says whether files were left for the next
 * look. */
static bool
scan(struct pickup *p)
{
	DIR		*d;
	struct dirent	*de;
	struct entry	*v = NULL;
	struct stat	 st;
	size_t		 n = 0, i, k, b, want;
	int		 fd;
	bool		 more = false;

	take_fresh(p);
	if ((fd = openat(p->in, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (d = fdopendir(fd)) == NULL)
		fatal("drop folder");
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || fstatat(p->in, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(de->d_name);
		v[n++].mtime = st.st_mtim;
	}
	(void)closedir(d);
	sort_entries(v, n);
	/* Files renamed in while a long folder was listed (milliseconds for
	 * thousands of files): a FLASH among them is taken now, not after
	 * the look's first batches. */
	if (arrived(p)) {
		drain(p);
		take_fresh(p);
	}
	/*
	 * At most SCAN_MAX per look: the NEWEST first (a small batch, so that
	 * a FLASH among them is accepted after few others), then the
	 * oldest.  Precedence is not known here (pickup parses nothing), and
	 * oldest-only would keep a FLASH dropped behind a burst waiting in
	 * the folder for the whole burst; this way it is taken at the next
	 * look, and the oldest still make up most of each look.
	 */
	k = n < SCAN_MAX ? n : SCAN_MAX;
	if (n > NEWEST) {
		(void)take(p, v + n - NEWEST, NEWEST, NEWEST);
		k -= NEWEST;
	}
	/* A file renamed in meanwhile ends the look: a new one, newest
	 * first (after NEWEST of the oldest at least, so that a steady
	 * stream of arrivals does not keep the oldest waiting). */
	for (i = 0; i < k; i += b) {
		want = k - i < BATCH ? k - i : BATCH;
		if ((b = take(p, v + i, want, i < NEWEST ? NEWEST - i : 0)) <
		    want) {
			more = true;
			break;
		}
	}
	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return more || n > SCAN_MAX;
}

int
main(int argc, char *argv[])
{
	struct pickup	 p;
	struct ipc_msg	*m;
	struct pollfd	 pfd[2];
	const char	*spool = NULL, *in = NULL, *user = NULL;
	char		 err[256];
	int		 c, dirs[2];
	bool		 more;

	memset(&p, 0, sizeof(p));
	role_start("mmguard-pickup", "qmgr", &p.ch);
	while ((c = getopt(argc, argv, "s:i:u:")) != -1) {
		switch (c) {
		case 's':
			spool = optarg;
			break;
		case 'i':
			in = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-pickup -s SPOOL -i DIR "
			    "[-u USER]");
		}
	}
	if (spool == NULL || in == NULL)
		fatalx("-s and -i are required");
	if (spool_open(&p.sp, spool, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((p.in = open(in, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("%s", in);
	/* Woken when a file is renamed into the folder (the way writers
	 * must deliver; their writes under dot names wake nothing).  The
	 * look every SCAN_MS stays, for what inotify cannot see: a writer
	 * that does not rename, a folder on a network file system, an
	 * overflowed event queue. */
	if ((p.notify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(p.notify, in, IN_MOVED_TO) == -1) {
		log_warn("%s: inotify; looking every %d ms only", in, SCAN_MS);
		if (p.notify != -1)
			(void)close(p.notify);
		p.notify = -1;
	}
	spool_group(&p.sp, true);
	dirs[0] = p.sp.dirfd;
	dirs[1] = p.in;
	sandbox_enter(&sandbox_spool, &(struct sandbox_args){
	    .user = user, .sock = -1, .dirs = dirs, .ndirs = 2 });
	m = xmalloc(sizeof(*m));
	for (;;) {
		more = scan(&p);
		pfd[0].fd = p.ch.fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = p.notify;
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		if (poll(pfd, p.notify != -1 ? 2 : 1, more ? 0 : SCAN_MS) ==
		    -1 && errno != EINTR)
			fatal("poll");
		if (pfd[1].revents & POLLIN)
			drain(&p);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (ipc_recv(&p.ch, m) == -1) {
				if (p.ch.eof)
					exit(0);
				ipc_fatal(&p.ch);
			}
			fatalx("unexpected frame %u from qmgr", m->type);
		}
	}
}
