/*
 * mmguard-archived - the archive role: the only writer of the archive.
 *
 * SYNOPSIS
 *	mmguard-archived -d STORE [-r DAYS] [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel on descriptor 3; the supervisor
 *	hands it a channel from each queue manager (MSG_PEER).  Every
 *	MSG_ARCHIVE frame (a message that reached an end state: its queue
 *	file, direction, precedence, verdict and reasons) is stored in the
 *	archive (guard/archive/archive.h), frames that arrive within 100 ms
 *	(at most 256) in one transaction, acknowledged (MSG_ARCHIVE_ACK)
 *	once it is committed.  With -r (the guard policy's retention), messages
 *	older than DAYS are purged at start and every hour; each purged
 *	message is named in an audit record (archive-purged, on the role's
 *	own channel to the audit role, descriptor 4) before it is deleted.
 *
 * SECURITY
 *	Runs as its own user in the sqlite sandbox: no network, no new
 *	processes, files beneath the store's directory only (SQLite opens
 *	the store, its write-ahead log and its shared index by path:
 *	Landlock confines the paths, the seccomp allow-list the calls;
 *	SQLite keeps its temporary storage in memory).  It decodes message
 *	bytes to index them (the fuzzed decoder) and writes the SQLite
 *	store.  Owning it gives an attacker the archive (confidentiality of
 *	what crossed) and the ability to alter it, which the audit log's
 *	digests reveal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/archive/archive.h"
#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"
#include "guard/spool/spool.h"

#define MAX_CHANS	3
/*
 * A transaction stays open for more frames up to BATCH_MS after its first
 * put, or until it holds BATCH_MAX messages.  Each commit writes the
 * full-text index's new segment, every page the batch touched, and syncs
 * the write-ahead log: per message, that cost falls with the batch's
 * size.  Nothing waits on the archive but qmgr's list of hand-offs to be
 * acknowledged, which the acknowledgements (after the commit) empty; a
 * qmgr hands at most 64 at once (each with a descriptor: qmgr.c,
 * ARCHIVE_INFLIGHT), so a batch closes at that many.
 */
#define BATCH_MS	250
#define BATCH_MAX	64

static struct archive	*store;
static struct ipc_chan	 chans[MAX_CHANS];
static bool		 up[MAX_CHANS];
static const char *const names[MAX_CHANS] = { "mmguardd", "qmgr-h2l",
			    "qmgr-l2h" };

/* Each purged id, named in the audit log before it goes. */
static int
purged_one(const char *id, int64_t t, void *arg)
{
	char		at[24];
	struct audit_kv	kv = { "archived-at", at };

	(void)arg;
	(void)snprintf(at, sizeof(at), "%lld", (long long)t);
	role_audit(AUDIT_EV_ARCHIVE_PURGED, id, &kv, 1);
	return 0;
}

static void
purge(int64_t days)
{
	char	err[512];
	size_t	n = 0;

	if (days <= 0)
		return;
	if (archive_purge(store, (int64_t)time(NULL), days * 86400,
	    purged_one, NULL, &n, err, sizeof(err)) == -1) {
		log_warnx("purge: %s", err);
		return;
	}
	if (n > 0)
		log_info("purged %zu messages older than %lld days", n,
		    (long long)days);
}

static int
verdict_of(const char *w, enum archive_verdict *v)
{
	return archive_verdict_parse(w, v);
}

/* "rule: text" lines into reasons (in place). */
static size_t
split_reasons(char *text, struct archive_reason *r, size_t max)
{
	size_t	 n = 0;
	char	*line, *next, *colon;

	for (line = text; line != NULL && *line != '\0' && n < max;
	    line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((colon = strstr(line, ": ")) != NULL) {
			*colon = '\0';
			r[n].rule = line;
			r[n].text = colon + 2;
		} else {
			r[n].rule = "guard";
			r[n].text = line;
		}
		n++;
	}
	return n;
}

static void ack_later(int, const char *);

static void
put(int chan, struct ipc_msg *m)
{
	struct archive_msg	 am;
	struct archive_reason	 reasons[32];
	struct spool_entry	 e;
	const char		*qid, *dir, *verdict, *rtext;
	uint32_t		 prec;
	uint64_t		 t;
	char			 err[512], *rcopy;
	int			 fd;

	if (ipc_get_string(m, &qid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_get_string(m, &dir) == -1 || ipc_get_u32(m, &prec) == -1 ||
	    ipc_get_string(m, &verdict) == -1 ||
	    ipc_get_string(m, &rtext) == -1 || ipc_get_u64(m, &t) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	ack_later(chan, qid);
	memset(&am, 0, sizeof(am));
	if (spool_read_fd(fd, &e, err, sizeof(err)) == -1) {
		log_warnx("%s: not archived: %s", qid, err);
		(void)close(fd);
		return;
	}
	(void)close(fd);
	rcopy = xstrdup(rtext);
	am.id = qid;
	am.raw = e.message;
	am.rawlen = e.message_len;
	am.time = (int64_t)t;
	am.dir = strcmp(dir, "low-to-high") == 0 ? ARCHIVE_LOW_TO_HIGH :
	    ARCHIVE_HIGH_TO_LOW;
	am.precedence = prec <= 5 ? (int64_t)prec : ARCHIVE_NO_PRECEDENCE;
	if (verdict_of(verdict, &am.verdict) == -1)
		fatalx("%s: verdict \"%s\"", qid, verdict);
	am.reasons = reasons;
	am.nreasons = split_reasons(rcopy, reasons, 32);
	if (archive_put(store, &am, err, sizeof(err)) == -1)
		log_warnx("%s: not archived: %s", qid, err);
	free(rcopy);
	spool_entry_free(&e);
}

/*
 * Acknowledgements wait for the commit of the transaction that holds the
 * messages; one that could not be stored is acknowledged too (its reason
 * is logged): handing it over again would not store it.
 */
struct ack {
	int	 chan;
	char	*qid;
};
static struct ack	*acks;
static size_t		 nacks, acks_cap;

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ack_later(int chan, const char *qid)
{
	if (nacks == acks_cap) {
		acks_cap = acks_cap ? 2 * acks_cap : 64;
		acks = xreallocarray(acks, acks_cap, sizeof(*acks));
	}
	acks[nacks].chan = chan;
	acks[nacks++].qid = xstrdup(qid);
}

static void
ack_all(void)
{
	size_t	i;

	for (i = 0; i < nacks; i++) {
		if (up[acks[i].chan]) {
			ipc_create(&chans[acks[i].chan], MSG_ARCHIVE_ACK, 0);
			ipc_add_string(&chans[acks[i].chan], acks[i].qid);
			if (ipc_close(&chans[acks[i].chan]) == -1)
				ipc_fatal(&chans[acks[i].chan]);
		}
		free(acks[i].qid);
	}
	nacks = 0;
	for (i = 0; i < MAX_CHANS; i++)
		if (up[i] && ipc_flush_wait(&chans[i]) == -1)
			ipc_fatal(&chans[i]);
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[MAX_CHANS];
	struct ipc_msg	*m;
	const char	*path = NULL, *user = NULL;
	char		 err[512], *end, *dir, *slash;
	long long	 days = 0;
	time_t		 last_purge = 0;
	int64_t		 began_at = 0;
	int		 c, i, k, began = 0, dirfd, timeout;

	log_init("mmguard-archived", LOG_TO_STDERR, 0);
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s (roles are started by mmguardd)", err);
	while ((c = getopt(argc, argv, "d:r:u:")) != -1) {
		switch (c) {
		case 'r':
			days = strtoll(optarg, &end, 10);
			if (*end != '\0' || days < 1 || days > 36500)
				fatalx("-r: days, 1 to 36500");
			break;
		case 'd':
			path = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-archived -d STORE [-r DAYS] "
			    "[-u USER]");
		}
	}
	if (path == NULL)
		fatalx("-d is required");
	if (ipc_chan_init(&chans[0], PROC_CHANNEL_FD, names[0]) == -1)
		fatalx("%s", chans[0].err);
	up[0] = true;
	(void)role_audit_open(true);
	if (spool_init(err, sizeof(err)) == -1 ||
	    archive_init(err, sizeof(err)) == -1)
		fatalx("%s", err);
	/* The store's directory: every file SQLite opens is beneath it. */
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		memcpy(dir, ".", 2);
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("%s", dir);
	free(dir);
	sandbox_enter(&sandbox_sqlite, &(struct sandbox_args){
	    .user = user, .sock = -1, .dirs = &dirfd, .ndirs = 1 });
	/* Opened as the role's user: the store and its journal are its. */
	if ((store = archive_open(path, ARCHIVE_CREATE | ARCHIVE_MEMTEMP, err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	m = xmalloc(sizeof(*m));
	for (;;) {
		for (i = 0; i < MAX_CHANS; i++) {
			pfd[i].fd = up[i] ? chans[i].fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		/* The purge is its own transaction: between batches. */
		if (!began && time(NULL) - last_purge >= 3600) {
			purge(days);
			last_purge = time(NULL);
		}
		timeout = 60000;
		if (began)
			timeout = began_at + BATCH_MS - now_ms() < 0 ? 0 :
			    (int)(began_at + BATCH_MS - now_ms());
		if (poll(pfd, MAX_CHANS, timeout) == -1 && errno != EINTR)
			fatal("poll");
		for (i = 0; i < MAX_CHANS; i++) {
			if (!up[i] || !(pfd[i].revents & (POLLIN | POLLHUP |
			    POLLERR)))
				continue;
			while ((k = ipc_recv(&chans[i], m)) == 1) {
				if (m->type == MSG_ARCHIVE) {
					if (!began && archive_begin(store, err,
					    sizeof(err)) == -1)
						fatalx("%s", err);
					if (!began)
						began_at = now_ms();
					began = 1;
					put(i, m);
					continue;
				}
				if (i != 0)
					fatalx("unexpected frame %u from %s",
					    m->type, names[i]);
				role_qmgr_peer(m, chans, up, names);
			}
			if (k == -1) {
				if (!chans[i].eof)
					ipc_fatal(&chans[i]);
				if (i == 0) {
					if (began)
						(void)archive_commit(store,
						    err, sizeof(err));
					archive_close(store);
					exit(0);
				}
				ipc_chan_free(&chans[i]);
				up[i] = false;
			}
		}
		if (!began || (nacks < BATCH_MAX &&
		    now_ms() - began_at < BATCH_MS))
			continue;
		if (archive_commit(store, err, sizeof(err)) == -1)
			fatalx("%s", err);
		began = 0;
		ack_all();
	}
}
