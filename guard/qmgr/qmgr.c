/*
 * mmguard-qmgr - the queue manager of one direction: the spool's state
 * machine, precedence scheduling, and the hand-offs between the
 * inspection roles, the one-way channel, the audit and the archive.
 *
 * SYNOPSIS
 *	mmguard-qmgr -s SPOOL -d DIRECTION -o OUTBOX -x SENTBOX -r REPORTS
 *	    -m MTA -g COUNTRY,ADMD[,PRMD] [-U INDEX] [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd, its channel to the supervisor on descriptor 3.
 *	The supervisor hands it its peers' channels (MSG_PEER): pickup, the
 *	decode, verify and policy pools, audit and archive.  A message's
 *	life, each step durable (spool.h) and audited before the next:
 *
 *	  incoming    pickup stored it; qmgr has it classified by a decode
 *	              worker (its precedence) and queues it (sched.h);
 *	              the newest waiting by drop time is classified first
 *	              (three turns in four; the fourth takes the oldest),
 *	              at most 8 ahead of the verify workers, so that a
 *	              FLASH behind a backlog is scheduled at once
 *	  inspecting  in precedence order: an attempt is recorded, a verify
 *	              worker checks its signature (worker -U INDEX is kept
 *	              for FLASH and OVERRIDE), a policy worker decides
 *	  released    the verdict record and its audit record are on disk,
 *	              then the message and its release token are written
 *	              into the one-way channel's outbox (diode-tx checks the
 *	              token and sends it; it moves it to the sent box, and
 *	              qmgr then records it as sent; a token diode-tx refuses
 *	              quarantines the message, with the reason)
 *	  held        refer: waits for a release authority (mmguardctl
 *	              release re-checks everything but the release
 *	              authority, mmguardctl reject rejects it)
 *	  quarantined quarantine, or the inspection failed twice (a worker
 *	              died on it): waits for a security officer
 *	  rejected    a decode worker builds the X.411 non-delivery report
 *	              (the reason and diagnostic the policy chose, the first
 *	              reason as supplementary information, this guard as
 *	              the reporting MTA -m in domain -g); it is written into
 *	              REPORTS as ID.ndr, then the message ends in ndr/
 *	Every end state goes to the archive; until the archive role
 *	acknowledges storing it, a link to the queue file waits in the
 *	spool's unarchived/ (spool.h), and a qmgr that starts hands again
 *	whatever it finds there (a killed qmgr loses no hand-off).
 *
 *	A worker that dies while holding a message: the message is tried
 *	once more on a fresh worker, then quarantined as an inspection
 *	failure.  After a restart qmgr rebuilds its queues from the spool;
 *	files that do not read are set aside (spool_recover) and audited.
 *
 * SECURITY
 *	Runs as its own user in the spool sandbox: files beneath the spool,
 *	outbox, sent box and reports directories, no network.  It parses
 *	no message (workers do) and holds no key: it cannot make a release
 *	token, so owning it lets an attacker delay, drop (detectably: the
 *	audit log records every step) or reorder messages, not release
 *	one.  Frames from workers are read with the strict IPC readers.
 */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/audit/auditev.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"
#include "guard/msg.h"
#include "guard/qmgr/sched.h"
#include "guard/spool/spool.h"
#include "policy/guardpol.h"

#define MAX_WORKERS	8
#define MAX_FAILURES	2	/* a second worker dying on it: quarantine */
#define TICK_MS		200
#define SENT_CHECK_MS	50
#define CLASSIFY_AHEAD	8	/* classified, waiting for verify */
#define URGENT		4	/* FLASH and above: the urgent verify worker */
#define CLASSIFY_OLDEST	4	/* one classification in 4: the oldest */
#define COMMIT_MS	4	/* a commit waits for more turns' at most */

enum stage {
	ST_CLASSIFY,		/* waiting for or at a decode worker */
	ST_WAITING,		/* in the scheduler */
	ST_VERIFY,		/* at a verify worker */
	ST_READY,		/* verified, waiting for a policy worker */
	ST_DECIDE,		/* at a policy worker */
	ST_AUDIT,		/* release recorded, waiting for the audit */
	ST_DONE
};

struct item {
	char		 qid[SPOOL_ID_LEN];
	enum stage	 stage;
	enum spool_state state;		/* where its file is */
	int		 precedence;
	int64_t		 arrival;
	unsigned	 attempts;
	unsigned	 failures;	/* workers that died holding it */
	uint64_t	 fail_gen;	/* q.gen when the last one died: it is
					   retried on a worker started since */
	bool		 officer;	/* an officer asked for its release */
	uint8_t		*facts;
	size_t		 factslen;
	uint8_t		 seal[32];
	/* the verdict, while its audit record is being written */
	uint8_t		 digest[32], pdigest[32], token[32];
	uint64_t	 ackreq;	/* the audit acknowledgement awaited */
	struct item	*anext;		/* q.awaiting: in ST_AUDIT */
	uint32_t	 ndr_reason, ndr_diag;
	char		*first_reason;
	char		*rel_label;	/* the release's labels, for its */
	char		*rel_as;	/* audit record */
	struct item	*next;		/* hash chain */
};

struct worker {
	struct ipc_chan	 ch;
	bool		 up;
	struct item	*busy;		/* NULL: idle */
	uint64_t	 req;
	struct item	*next;		/* verify: a second request queued */
	uint64_t	 next_req;
	uint64_t	 gen;		/* q.gen when its channel arrived */
};

struct qmgr {
	enum gp_dir	 dir;
	int		 urgent;	/* -U: the verify worker kept for FLASH
					   and OVERRIDE, -1 none */
	uint64_t	 gen;		/* workers' channels received so far */
	const char	*mta;
	char		 country[8], admd[32], prmd[32];
	char		**ndrq;		/* FIFO of rejected qids to report */
	size_t		 nndrq;
	struct spool	 sp;
	int		 outbox, sentbox, reports;
	struct ipc_chan	 parent;
	struct ipc_chan	 pickup, audit, archive;
	bool		 pickup_up, audit_up, archive_up;
	struct worker	 decode[MAX_WORKERS], verify[MAX_WORKERS],
			 policy[MAX_WORKERS];
	struct sched	*sched;
	struct item	*items[1024];	/* hash of qid */
	char		**classify;	/* qids, oldest drop first */
	int64_t		*classify_t;	/* their drop times (classify_push) */
	size_t		 nclassify;
	unsigned	 classified;	/* dispatch(): turns, modulo
					   CLASSIFY_OLDEST */
	struct sched	*ready;		/* verified, waiting for a policy
					   worker: in precedence order too */
	struct item	*awaiting;	/* releases waiting for their audit
					   record (ST_AUDIT), a few at most */
	uint64_t	 req;
	struct ipc_msg	*msg;
	/* this turn's changes, made durable by commit() */
	char		**publish;	/* outbox files to rename in */
	size_t		 npublish;
	bool		 outbox_unsynced, reports_unsynced;
	struct timespec	 sent_checked;
	int64_t		 owed_since;	/* ms: changes await commit() */
	bool		 owed_urgent;	/* a FLASH or OVERRIDE's among them */
	size_t		 queued[4];	/* frames queued at the last commit */
};

static struct qmgr	q;

static void	commit_and_flush(void);

/* ------------------------------------------------------------------ */

static int64_t
now(void)
{
	return (int64_t)time(NULL);
}

static unsigned
hash(const char *s)
{
	unsigned	h = 5381;

	while (*s != '\0')
		h = h * 33 + (unsigned char)*s++;
	return h % (sizeof(q.items) / sizeof(q.items[0]));
}

static struct item *
item_get(const char *qid)
{
	struct item	*it;

	for (it = q.items[hash(qid)]; it != NULL; it = it->next)
		if (strcmp(it->qid, qid) == 0)
			return it;
	return NULL;
}

static struct item *
item_new(const char *qid, enum spool_state st)
{
	struct item	*it = xcalloc(1, sizeof(*it));
	unsigned	 h = hash(qid);

	(void)snprintf(it->qid, sizeof(it->qid), "%s", qid);
	it->state = st;
	it->precedence = -1;
	it->next = q.items[h];
	q.items[h] = it;
	return it;
}

/* A message in an end state leaves qmgr's memory: the spool keeps it
 * (mmguardctl show reads it from there). */
static void
item_forget(struct item *it)
{
	struct item	**pp;

	for (pp = &q.items[hash(it->qid)]; *pp != NULL; pp = &(*pp)->next)
		if (*pp == it) {
			*pp = it->next;
			break;
		}
	free(it->facts);
	free(it->first_reason);
	free(it->rel_label);
	free(it->rel_as);
	free(it);
}

static void
fifo_push(char ***v, size_t *n, const char *qid)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrdup(qid);
}

static char *
fifo_pop(char ***v, size_t *n)
{
	char	*s;

	if (*n == 0)
		return NULL;
	s = (*v)[0];
	memmove(*v, *v + 1, (*n - 1) * sizeof(**v));
	(*n)--;
	return s;
}

/*
 * Messages waiting for classification, ordered by the time their file was
 * dropped (pickup says; 0 for those found at start): the newest is taken
 * first (dispatch), so that a FLASH dropped behind a burst is classified
 * before the burst's files that pickup accepted after it.  Insertion is
 * from the newest end: files mostly arrive in order.
 */
static void
classify_push(const char *qid, int64_t t)
{
	size_t	i;

	q.classify = xreallocarray(q.classify, q.nclassify + 1,
	    sizeof(*q.classify));
	q.classify_t = xreallocarray(q.classify_t, q.nclassify + 1,
	    sizeof(*q.classify_t));
	for (i = q.nclassify; i > 0 && q.classify_t[i - 1] > t; i--) {
		q.classify[i] = q.classify[i - 1];
		q.classify_t[i] = q.classify_t[i - 1];
	}
	q.classify[i] = xstrdup(qid);
	q.classify_t[i] = t;
	q.nclassify++;
}

/* The newest waiting, or the oldest. */
static char *
classify_pop(bool oldest)
{
	char	*qid;

	if (q.nclassify == 0)
		return NULL;
	q.nclassify--;
	if (!oldest)
		return q.classify[q.nclassify];
	qid = q.classify[0];
	memmove(q.classify, q.classify + 1, q.nclassify * sizeof(*q.classify));
	memmove(q.classify_t, q.classify_t + 1,
	    q.nclassify * sizeof(*q.classify_t));
	return qid;
}

/* ------------------------------------------------------------------ */
/* Audit and archive. */

/*
 * What happens while the audit or the archive role restarts is kept and
 * handed to the new one: a record or an archived message is never skipped
 * for want of its role (archive hand-offs are kept until acknowledged).
 * Up to HOLD_MAX each; past that qmgr stops (the supervisor restarts it,
 * and a role away that long has the supervisor failing closed anyway).
 */
#define HOLD_MAX	4096

struct held {
	enum audit_ev	 ev;		/* audit */
	char		*qid;
	size_t		 n;
	char		*k[AUDITEV_MAX_KV], *v[AUDITEV_MAX_KV];
	char		*verdict, *reasons;	/* archive */
	enum spool_state st;
	uint32_t	 prec;
	int64_t		 when;
	bool		 sent;		/* awaiting MSG_ARCHIVE_ACK */
	struct held	*next;
};
static struct held	*held_audits, **held_audits_tail = &held_audits;
static struct held	*held_archives, **held_archives_tail = &held_archives;
static size_t		 nheld_audits, nheld_archives;
/*
 * Hand-offs on their way to the archive role at once.  Each carries a
 * descriptor, which counts against qmgr's RLIMIT_NOFILE (the spool
 * profile's 256) while it waits to be written, and against the same
 * limit again (the kernel's count of descriptors in flight) while it
 * sits in the socket; a burst of hundreds of messages ending together
 * (the channel back after a pause) ran out of both.  The rest wait in
 * the list unsent, first in first out, and go as acknowledgements come
 * back; the archive role commits every ARCHIVE_INFLIGHT messages (its
 * BATCH_MAX), so it is never kept waiting for a full batch.
 */
#define ARCHIVE_INFLIGHT	64
static struct held	*archive_unsent;	/* first not yet handed */
static size_t		 narchive_sent;
static size_t		 nunarchived_gone;

static void
hold_audit(enum audit_ev ev, const char *qid, const struct audit_kv *kv,
    size_t n)
{
	struct held	*h;
	size_t		 i;

	if (nheld_audits++ >= HOLD_MAX)
		fatalx("the audit role has been away for %d records",
		    HOLD_MAX);
	h = xcalloc(1, sizeof(*h));
	h->ev = ev;
	h->qid = xstrdup(qid);
	for (i = 0; i < n; i++) {
		h->k[i] = xstrdup(kv[i].key);
		h->v[i] = xstrdup(kv[i].value);
	}
	h->n = n;
	*held_audits_tail = h;
	held_audits_tail = &h->next;
}

static void
held_free(struct held *h)
{
	size_t	i;

	for (i = 0; i < h->n; i++) {
		free(h->k[i]);
		free(h->v[i]);
	}
	free(h->qid);
	free(h->verdict);
	free(h->reasons);
	free(h);
}

/* The audit role is back: what waited goes first, in order. */
static void
replay_audits(void)
{
	struct held	*h;
	struct audit_kv	 kv[AUDITEV_MAX_KV];
	size_t		 i;

	while ((h = held_audits) != NULL) {
		for (i = 0; i < h->n; i++) {
			kv[i].key = h->k[i];
			kv[i].value = h->v[i];
		}
		if (auditev_send(&q.audit, 0, h->ev, h->qid, kv, h->n) == -1)
			ipc_fatal(&q.audit);
		held_audits = h->next;
		held_free(h);
	}
	held_audits_tail = &held_audits;
	nheld_audits = 0;
}

/*
 * An event: key and value strings in pairs, a NULL key ends them
 * (guard/audit/auditev.h says which keys qmgr's events carry).
 */
static void
audit(enum audit_ev ev, const char *qid, uint64_t ack, ...)
    __attribute__((sentinel));
static void hold_audit(enum audit_ev, const char *, const struct audit_kv *,
    size_t);

static void
audit(enum audit_ev ev, const char *qid, uint64_t ack, ...)
{
	struct audit_kv	 kv[AUDITEV_MAX_KV];
	const char	*k;
	size_t		 n = 0;
	va_list		 ap;

	va_start(ap, ack);
	while (n < AUDITEV_MAX_KV && (k = va_arg(ap, const char *)) != NULL) {
		kv[n].key = k;
		kv[n++].value = va_arg(ap, const char *);
	}
	va_end(ap);
	if (!q.audit_up) {
		/* A release's record is asked for again (audit_release);
		 * any other record waits for the audit role's return. */
		if (ack == 0)
			hold_audit(ev, qid, kv, n);
		return;
	}
	if (auditev_send(&q.audit, ack, ev, qid, kv, n) == -1)
		ipc_fatal(&q.audit);
}

/* A text cut to what an audit value holds. */
static const char *
clip(const char *s)
{
	static char	b[AUDIT_VALUE_MAX + 1];

	(void)snprintf(b, sizeof(b), "%s", s);
	return b;
}

/* Hand a message in an end state to the archive role (wherever the
 * spool holds it now).  Not there: the hand-off is dropped (logged). */
static void
archive_send(const char *qid, enum spool_state st, uint32_t prec,
    const char *verdict, const char *reasons, int64_t when)
{
	char			 err[256];
	int			 fd;

	/* Where it was when it ended, unless it has moved on since. */
	if ((fd = spool_open_file(&q.sp, st, qid, err, sizeof(err))) == -1 &&
	    (spool_find(&q.sp, qid, &st) == -1 || (fd = spool_open_file(&q.sp,
	    st, qid, err, sizeof(err))) == -1)) {
		log_warnx("archive: %s not handed over: %s", qid, err);
		return;
	}
	ipc_create(&q.archive, MSG_ARCHIVE, 0);
	ipc_add_string(&q.archive, qid);
	ipc_add_fd(&q.archive, fd);
	ipc_add_string(&q.archive, gp_dir_name(q.dir));
	ipc_add_u32(&q.archive, prec);
	ipc_add_string(&q.archive, verdict);
	ipc_add_string(&q.archive, reasons);
	ipc_add_u64(&q.archive, (uint64_t)when);
	if (ipc_close(&q.archive) == -1)
		ipc_fatal(&q.archive);
}

/*
 * Every message in an end state goes to the archive and stays in this
 * list until the archive role acknowledges it stored (MSG_ARCHIVE_ACK);
 * a new archive role is handed again whatever the old one did not
 * acknowledge, and what ended while there was none.
 */
/* Hand over what waits, in order, up to ARCHIVE_INFLIGHT at once. */
static void
archive_pump(void)
{
	struct held	*h;

	while (q.archive_up && (h = archive_unsent) != NULL &&
	    narchive_sent < ARCHIVE_INFLIGHT) {
		archive_send(h->qid, h->st, h->prec, h->verdict, h->reasons,
		    h->when);
		h->sent = true;
		narchive_sent++;
		archive_unsent = h->next;
	}
}

static void
hold_archive(const char *qid, enum spool_state st, int prec,
    const char *verdict, const char *reasons)
{
	struct held	*h;

	if (nheld_archives++ >= HOLD_MAX)
		fatalx("the archive role has not acknowledged %d messages",
		    HOLD_MAX);
	h = xcalloc(1, sizeof(*h));
	h->qid = xstrdup(qid);
	h->st = st;
	h->prec = prec < 0 ? 0xff : (uint32_t)prec;
	h->verdict = xstrdup(verdict);
	h->reasons = xstrdup(reasons != NULL ? reasons : "");
	h->when = now();
	*held_archives_tail = h;
	held_archives_tail = &h->next;
	if (archive_unsent == NULL)
		archive_unsent = h;
	archive_pump();
}

/*
 * The hand-off outlives a crash of qmgr: a link to the queue file waits in
 * the spool's unarchived/ until the archive acknowledges it (spool.h), and
 * the next qmgr hands again what it finds there (load_unarchived).  The
 * link is made durable with the turn's commit, before the state change.
 */
static void
archive(struct item *it, const char *verdict, const char *reasons)
{
	char	err[256];

	if (spool_unarchived_add(&q.sp, it->state, it->qid, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);	/* the spool is broken: stop */
	hold_archive(it->qid, it->state, it->precedence, verdict, reasons);
}

/* A new archive role: everything not acknowledged, in order. */
static void
replay_archives(void)
{
	struct held	*h;

	for (h = held_archives; h != NULL; h = h->next)
		h->sent = false;
	archive_unsent = held_archives;
	narchive_sent = 0;
	archive_pump();
}

static void
on_archive_ack(struct ipc_msg *m)
{
	struct held	**pp, *h;
	const char	 *qid;
	char		  err[256];

	if (m->type != MSG_ARCHIVE_ACK || ipc_get_string(m, &qid) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	for (pp = &held_archives; (h = *pp) != NULL; pp = &h->next)
		if (h->sent && strcmp(h->qid, qid) == 0) {
			if ((*pp = h->next) == NULL)
				held_archives_tail = pp;
			held_free(h);
			nheld_archives--;
			narchive_sent--;
			archive_pump();
			/* A later hand-off of the same message (held, then
			 * released) keeps the link until it is stored. */
			for (h = held_archives; h != NULL; h = h->next)
				if (strcmp(h->qid, qid) == 0)
					return;
			if (spool_unarchived_done(&q.sp, qid, err,
			    sizeof(err)) == -1)
				log_warnx("%s", err);	/* archived again */
			return;
		}
	log_warnx("archive acknowledged %s, which it was not given", qid);
}

/*
 * At start: hand-offs a previous qmgr made and the archive did not
 * acknowledge (it was killed first, or the archive role was down).  A
 * message in an end state is handed again with the verdict its state
 * says; one still on its way is handed when it gets there.
 */
static int
unarchived_one(const char *qid, void *arg)
{
	char			***gone = arg;
	enum spool_state	 st;
	struct spool_entry	 e;
	const char		*verdict;
	char			 err[256], *why = NULL;

	if (spool_find(&q.sp, qid, &st) == -1 || st == SPOOL_CORRUPT) {
		/* Set aside by recovery, or no longer there: nothing to
		 * archive (recovery audited it). */
		log_warnx("archive: %s: not in the spool, not archived", qid);
		*gone = xreallocarray(*gone, nunarchived_gone + 1,
		    sizeof(**gone));
		(*gone)[nunarchived_gone++] = xstrdup(qid);
		return 0;
	}
	switch (st) {
	case SPOOL_HELD:
		verdict = "held";
		break;
	case SPOOL_QUARANTINED:
		verdict = "quarantined";
		break;
	case SPOOL_REJECTED:
	case SPOOL_NDR:
		verdict = "rejected";
		break;
	case SPOOL_SENT:
	case SPOOL_DELIVERED:
		verdict = "released";
		break;
	default:
		return 0;	/* archived when it ends */
	}
	if (spool_read(&q.sp, st, qid, &e, err, sizeof(err)) == -1) {
		log_warnx("archive: %s", err);
		return 0;	/* the link stays: looked at next start */
	}
	if (strcmp(verdict, "rejected") == 0 && e.officer != NULL &&
	    strncmp(e.officer, "reject ", 7) == 0) {
		/* The archive takes "rule: text" lines (ctl_officer). */
		size_t	n = strlen(e.officer) + sizeof("guard.officer: ");

		why = xmalloc(n);
		(void)snprintf(why, n, "guard.officer: %s", e.officer);
	} else if (strcmp(verdict, "released") != 0 && e.reasons != NULL)
		why = xstrdup(e.reasons);
	hold_archive(qid, st, e.precedence, verdict, why);
	log_info("archive: %s (%s) handed again: its hand-off was not "
	    "acknowledged before qmgr stopped", qid, verdict);
	free(why);
	spool_entry_free(&e);
	return 0;
}

static void
load_unarchived(void)
{
	char	**gone = NULL, err[256];
	size_t	  i;

	nunarchived_gone = 0;
	(void)spool_unarchived_list(&q.sp, unarchived_one, &gone);
	for (i = 0; i < nunarchived_gone; i++) {
		if (spool_unarchived_done(&q.sp, gone[i], err,
		    sizeof(err)) == -1)
			log_warnx("%s", err);
		free(gone[i]);
	}
	free(gone);
}

/* ------------------------------------------------------------------ */
/* State changes. */

static int
move(struct item *it, enum spool_state to)
{
	char	err[256];

	if (it->state == to)
		return 0;
	if (spool_move(&q.sp, it->qid, it->state, to, err, sizeof(err)) ==
	    -1) {
		log_warnx("%s", err);
		return -1;
	}
	it->state = to;
	if (it->precedence >= URGENT)
		q.owed_urgent = true;	/* commit it at once (loop()) */
	return 0;
}

static void
record(struct item *it, uint8_t type, const void *v, size_t len)
{
	struct spool_rec	r = { type, v, len };
	char			err[256];

	if (spool_append(&q.sp, it->state, it->qid, &r, 1, err, sizeof(err)) ==
	    -1)
		fatalx("%s", err);	/* the spool is broken: stop */
	if (it->precedence >= URGENT)
		q.owed_urgent = true;	/* commit it at once (loop()) */
}

static void
quarantine(struct item *it, const char *why)
{
	uint8_t	v[512];
	size_t	n;

	v[0] = GP_QUARANTINE;
	n = (size_t)snprintf((char *)v + 1, sizeof(v) - 1,
	    "guard.inspection: %s", why);
	if (n > sizeof(v) - 2)
		n = sizeof(v) - 2;
	record(it, SPOOL_REC_VERDICT, v, n + 1);
	(void)move(it, SPOOL_QUARANTINED);
	audit(AUDIT_EV_VERDICT, it->qid, 0, "verdict", "quarantine", "rule",
	    "guard.inspection", "reason", clip(why), (char *)NULL);
	it->stage = ST_DONE;
	archive(it, "quarantined", (char *)v + 1);	/* "rule: text" */
}

/* ------------------------------------------------------------------ */
/* Dispatch. */

static struct worker *
idle(struct worker *pool)
{
	unsigned	i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (pool[i].up && pool[i].busy == NULL)
			return &pool[i];
	return NULL;
}

/*
 * Verification is the pipeline's costly step, so a verify worker gets a
 * second request while it works on the first: it starts the next message
 * the moment it answers, instead of waiting for qmgr's turn to read the
 * answer and send more.  An idle worker first.  One worker (-U, the
 * supervisor's last of the pool) is kept for FLASH and OVERRIDE
 * messages: it runs at nice 0 while the others run at nice 10, so that
 * an urgent message behind a backlog neither waits for a worker nor
 * shares the processors evenly with the backlog; when it is busy, an
 * urgent message takes the first other worker free.
 */
static struct worker *
idle_verify(int prec, uint64_t fail_gen)
{
	struct worker	*w;
	unsigned	 i;

	/* FLASH and OVERRIDE: the urgent worker when it is free. */
	w = q.urgent >= 0 ? &q.verify[q.urgent] : NULL;
	if (prec >= URGENT && w != NULL && w->up && w->busy == NULL &&
	    w->gen > fail_gen)
		return w;
	for (i = 0; i < MAX_WORKERS; i++) {
		w = &q.verify[i];
		if ((int)i != q.urgent && w->up && w->busy == NULL &&
		    w->gen > fail_gen)
			return w;
	}
	for (i = 0; i < MAX_WORKERS; i++) {
		w = &q.verify[i];
		if ((int)i != q.urgent && w->up && w->next == NULL &&
		    w->gen > fail_gen)
			return w;
	}
	return NULL;
}

/* A request to worker w about it; returns its request id. */
static uint64_t
worker_give(struct worker *w, struct item *it)
{
	if (w->busy == NULL) {
		w->busy = it;
		return w->req = ++q.req;
	}
	w->next = it;
	return w->next_req = ++q.req;
}

/* The worker answered its first request: the queued one is its first. */
static void
worker_done(struct worker *w)
{
	w->busy = w->next;
	w->req = w->next_req;
	w->next = NULL;
}

static int
open_ro(struct item *it)
{
	char	err[256];
	int	fd;

	if ((fd = spool_open_file(&q.sp, it->state, it->qid, err,
	    sizeof(err))) == -1)
		log_warnx("%s", err);
	return fd;
}

static void
dispatch(void)
{
	struct worker	*w;
	struct item	*it;
	char		*qid, id[SCHED_ID_LEN];
	int		 fd, prec;
	uint8_t		 t[8];
	int64_t		 tn = now();
	int		 i;

	/*
	 * Classification first: it is cheap and gives the precedence.  A
	 * message's precedence is unknown until it is classified, so the
	 * newest waiting (by drop time: classify_push) goes first: a FLASH
	 * dropped behind thousands of ROUTINE messages is classified at the
	 * next turn of a decode worker and then scheduled first.  Every CLASSIFY_OLDEST-th turn takes the
	 * oldest instead, so that none waits forever.  Only CLASSIFY_AHEAD
	 * ahead of the verify workers: classifying a whole backlog early
	 * would take the processors from the message being inspected.
	 */
	while (q.nclassify > 0 && sched_total(q.sched) < CLASSIFY_AHEAD &&
	    (w = idle(q.decode)) != NULL) {
		q.classified = (q.classified + 1) % CLASSIFY_OLDEST;
		qid = classify_pop(q.classified == 0);
		it = item_get(qid);
		free(qid);
		if (it == NULL || (fd = open_ro(it)) == -1)
			continue;
		w->busy = it;
		w->req = ++q.req;
		ipc_create(&w->ch, MSG_CLASSIFY, w->req);
		ipc_add_string(&w->ch, it->qid);
		ipc_add_fd(&w->ch, fd);
		if (ipc_close(&w->ch) == -1)
			ipc_fatal(&w->ch);
	}
	/* Reports of rejected messages: their originators wait for them. */
	while (q.nndrq > 0 && (w = idle(q.decode)) != NULL) {
		qid = fifo_pop(&q.ndrq, &q.nndrq);
		it = item_get(qid);
		free(qid);
		if (it == NULL || it->state != SPOOL_REJECTED ||
		    (fd = open_ro(it)) == -1)
			continue;
		w->busy = it;
		w->req = ++q.req;
		ipc_create(&w->ch, MSG_MAKE_NDR, w->req);
		ipc_add_string(&w->ch, it->qid);
		ipc_add_fd(&w->ch, fd);
		ipc_add_u32(&w->ch, it->ndr_reason);
		ipc_add_u32(&w->ch, it->ndr_diag);
		ipc_add_string(&w->ch, it->first_reason != NULL ?
		    it->first_reason : "rejected by the guard's policy");
		ipc_add_string(&w->ch, q.mta);
		ipc_add_string(&w->ch, q.country);
		ipc_add_string(&w->ch, q.admd);
		ipc_add_string(&w->ch, q.prmd);
		ipc_add_u64(&w->ch, (uint64_t)tn);
		if (ipc_close(&w->ch) == -1)
			ipc_fatal(&w->ch);
	}
	/* Inspection in precedence order. */
	while (sched_total(q.sched) > 0 &&
	    idle_verify(sched_top(q.sched), 0) != NULL) {
		if (sched_pop(q.sched, tn, id, &prec) == -1)
			break;
		if ((it = item_get(id)) == NULL)
			continue;
		if ((w = idle_verify(prec, it->fail_gen)) == NULL) {
			/* A worker died holding it: it waits for a fresh
			 * one (the next turn tries what waits behind it). */
			sched_push(q.sched, it->qid, prec, it->arrival);
			break;
		}
		for (i = 0; i < 8; i++)
			t[i] = (uint8_t)((uint64_t)tn >> (56 - 8 * i));
		if (it->state == SPOOL_INCOMING &&
		    move(it, SPOOL_INSPECTING) == -1)
			continue;
		{
			/* The attempt, and the precedence it was scheduled
			 * with (so that a restart schedules it the same; a
			 * crash that loses them only loses the count, the
			 * move to inspecting is durable). */
			struct spool_rec r[2];
			uint8_t		 pb = (uint8_t)(prec >= 0 && prec <= 5 ?
					    prec : 0xff);
			char		 err[256];

			r[0].type = SPOOL_REC_ATTEMPT;
			r[0].value = t;
			r[0].len = 8;
			r[1].type = SPOOL_REC_PRECEDENCE;
			r[1].value = &pb;
			r[1].len = 1;
			if (spool_annotate(&q.sp, it->state, it->qid, r, 2,
			    err, sizeof(err)) == -1)
				fatalx("%s", err);
		}
		it->attempts++;
		if ((fd = open_ro(it)) == -1)
			continue;
		it->stage = ST_VERIFY;
		ipc_create(&w->ch, MSG_VERIFY, worker_give(w, it));
		ipc_add_string(&w->ch, it->qid);
		ipc_add_fd(&w->ch, fd);
		if (ipc_close(&w->ch) == -1)
			ipc_fatal(&w->ch);
	}
	while (sched_total(q.ready) > 0 && (w = idle(q.policy)) != NULL) {
		if (sched_pop(q.ready, tn, id, &prec) == -1)
			break;
		it = item_get(id);
		if (it == NULL || (fd = open_ro(it)) == -1)
			continue;
		it->stage = ST_DECIDE;
		w->busy = it;
		w->req = ++q.req;
		ipc_create(&w->ch, MSG_DECIDE, w->req);
		ipc_add_string(&w->ch, it->qid);
		ipc_add_fd(&w->ch, fd);
		ipc_add_data(&w->ch, it->facts, it->factslen);
		ipc_add_data(&w->ch, it->seal, sizeof(it->seal));
		ipc_add_u32(&w->ch, it->officer);
		if (ipc_close(&w->ch) == -1)
			ipc_fatal(&w->ch);
	}
}

/* ------------------------------------------------------------------ */
/* The one-way channel's outbox (mmguard-diode-tx's drop folder). */

/* Where NAME is written before it is renamed into place. */
static void
tmp_name(char *tmp, size_t len, const char *name)
{
	(void)snprintf(tmp, len, ".%s.tmp", name);
}

/* Write NAME (the niov buffers of iov, in order) under its temporary
 * name, its fsync left to commit(); when `rename' is set, rename it into
 * place (the directory's fsync is the caller's, also in commit()). */
static int
write_at(int dfd, const char *name, struct iovec *iov, int niov,
    bool rename)
{
	char		 tmp[SPOOL_ID_LEN + 16];
	ssize_t		 k;
	int		 fd;

	tmp_name(tmp, sizeof(tmp), name);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	while (niov > 0) {
		if ((k = writev(fd, iov, niov)) == -1) {
			if (errno == EINTR)
				continue;
			(void)close(fd);
			return -1;
		}
		/* Past what was written; a short write resumes there. */
		while (niov > 0 && (size_t)k >= iov->iov_len) {
			k -= (ssize_t)iov->iov_len;
			iov++;
			niov--;
		}
		if (niov > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	/* Made durable with the spool's files (commit()). */
	if (spool_hold(&q.sp, fd) == -1 && (fsync(fd) == -1 ||
	    close(fd) == -1))
		return -1;
	if (rename && renameat(dfd, tmp, dfd, name) == -1)
		return -1;
	return 0;
}

/*
 * One file per message (guard/diode/diode.h, "drop folder"): a header
 * with the id, precedence, release token and length, then the message's
 * bytes.  Written under its temporary name now; its presence under its
 * own name says it may be sent, so it is renamed in by commit(), once
 * the spool says released.
 */
static int
to_outbox(struct item *it)
{
	struct spool_entry	e;
	struct iovec		iov[2];
	char			err[256], hdr[DIODE_DROP_HDR_MAX];
	int			n;

	if (spool_read(&q.sp, it->state, it->qid, &e, err, sizeof(err)) ==
	    -1) {
		log_warnx("%s", err);
		return -1;
	}
	/* The guard's precedence numbers are the diode's (diode.h). */
	if ((n = diode_drop_header(hdr, sizeof(hdr), it->qid,
	    it->precedence >= 0 && it->precedence < DIODE_NPREC ?
	    it->precedence : DIODE_ROUTINE, it->token, e.message_len)) == -1) {
		log_warnx("outbox: %s: no drop header for it", it->qid);
		spool_entry_free(&e);
		return -1;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = (size_t)n;
	iov[1].iov_base = (void *)(uintptr_t)e.message;
	iov[1].iov_len = e.message_len;
	if (write_at(q.outbox, it->qid, iov, 2, false) == -1) {
		log_warn("outbox: %s", it->qid);
		spool_entry_free(&e);
		return -1;
	}
	spool_entry_free(&e);
	fifo_push(&q.publish, &q.npublish, it->qid);
	return 0;
}

/*
 * The end of every loop turn: the turn's changes become durable with one
 * fsync per directory touched (group commit), in the order that keeps a
 * crash harmless: the outbox's new files (under their temporary names,
 * held by the spool: spool_sync() makes their data durable with its own
 * files'), then the spool's states, then the renames that let diode-tx send a
 * released message.  A crash before the renames leaves temporary files,
 * which published() renames in, or removes, at the next start.  Only
 * then do the turn's frames leave (loop()): no audit record, hand-off or
 * reply speaks of a change that is not on disk.
 */
static void
commit(void)
{
	char	err[256], tmp[SPOOL_ID_LEN + 16], *name;

	if (spool_sync(&q.sp, err, sizeof(err)) == -1)
		fatalx("%s", err);	/* restarted, the spool says the rest */
	while ((name = fifo_pop(&q.publish, &q.npublish)) != NULL) {
		tmp_name(tmp, sizeof(tmp), name);
		if (renameat(q.outbox, tmp, q.outbox, name) == -1)
			fatal("outbox: %s", name);
		free(name);
		q.outbox_unsynced = true;
	}
	if (q.outbox_unsynced && fsync(q.outbox) == -1)
		fatal("outbox: fsync");
	if (q.reports_unsynced && fsync(q.reports) == -1)
		fatal("reports: fsync");
	q.outbox_unsynced = q.reports_unsynced = false;
}


/*
 * diode-tx checks each release token before it sends, and sets aside what
 * does not verify (ID renamed ID.refused): the message stays on this
 * side, quarantined with the reason (audited), and leaves the outbox.
 */
static void
check_refused(struct item *it)
{
	char		name[SPOOL_ID_LEN + 16];
	struct stat	st;

	(void)snprintf(name, sizeof(name), "%s%s", it->qid,
	    DIODE_REFUSED_SUFFIX);
	if (fstatat(q.outbox, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return;
	quarantine(it, "diode-tx refused it: its release token does not "
	    "release these bytes under the policy in force");
	if (it->state != SPOOL_QUARANTINED)
		return;		/* not moved: tried again next time */
	if (unlinkat(q.outbox, name, 0) == -1)
		log_warn("outbox: removing %s", name);
	q.outbox_unsynced = true;	/* commit() */
}

/* Messages diode-tx has moved to its sent box are sent; looked for every
 * SENT_CHECK_MS, not at every turn of a busy loop. */
static void
check_sent(void)
{
	struct item	*it, *next;
	struct stat	 st;
	struct timespec	 ts;
	unsigned	 h;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	if ((ts.tv_sec - q.sent_checked.tv_sec) * 1000 +
	    (ts.tv_nsec - q.sent_checked.tv_nsec) / 1000000 < SENT_CHECK_MS)
		return;
	q.sent_checked = ts;
	for (h = 0; h < sizeof(q.items) / sizeof(q.items[0]); h++)
		for (it = q.items[h]; it != NULL; it = next) {
			next = it->next;
			if (it->state != SPOOL_RELEASED)
				continue;
			if (fstatat(q.sentbox, it->qid, &st,
			    AT_SYMLINK_NOFOLLOW) == -1) {
				check_refused(it);
				continue;
			}
			/* diode-tx records the sending. */
			if (move(it, SPOOL_SENT) == -1)
				continue;
			archive(it, "released", NULL);
			item_forget(it);
		}
}

/* ------------------------------------------------------------------ */
/* Replies from workers. */

static struct worker *
worker_of(struct worker *pool, struct ipc_chan *ch)
{
	unsigned	i;

	for (i = 0; i < MAX_WORKERS; i++)
		if (&pool[i].ch == ch)
			return &pool[i];
	return NULL;
}

static void
on_classified(struct worker *w, struct ipc_msg *m)
{
	struct item	*it = w->busy;
	uint32_t	 ok, prec;
	const char	*error;

	if (m->id != w->req || ipc_get_u32(m, &ok) == -1 ||
	    ipc_get_u32(m, &prec) == -1 || ipc_get_string(m, &error) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	worker_done(w);
	it->precedence = prec <= 5 ? (int)prec : -1;
	(void)ok;	/* the decode worker records its result */
	(void)error;
	it->stage = ST_WAITING;
	sched_push(q.sched, it->qid, it->precedence, it->arrival);
}

static void
on_verified(struct worker *w, struct ipc_msg *m)
{
	struct item	*it = w->busy;
	const void	*facts;
	size_t		 n;

	if (m->id != w->req || ipc_get_data(m, &facts, &n) == -1 ||
	    ipc_get_data_exact(m, it->seal, sizeof(it->seal)) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	worker_done(w);
	free(it->facts);
	it->facts = xmemdup(facts, n);
	it->factslen = n;
	it->stage = ST_READY;
	sched_push(q.ready, it->qid, it->precedence, it->arrival);
}

/*
 * The release's audit record, acknowledged once it is on disk; without
 * an audit role the message waits (in ST_AUDIT) and the record is asked
 * for again when the audit role is back.  Nothing crosses unrecorded.
 */
static void
audit_release(struct item *it)
{
	if (!q.audit_up) {
		it->ackreq = 0;
		return;
	}
	it->ackreq = ++q.req;
	audit(AUDIT_EV_VERDICT, it->qid, it->ackreq, "verdict", "release",
	    "label", it->rel_label, "crosses-as", it->rel_as, (char *)NULL);
}

static const char *const verdict_state_word[] = { "released", "held",
    "quarantined", "rejected" };

static void
on_verdict(struct worker *w, struct ipc_msg *m)
{
	struct item	*it = w->busy;
	uint32_t	 verdict, prec;
	const char	*reasons, *src, *dst;
	uint8_t		*v;
	size_t		 n;

	if (m->id != w->req || ipc_get_u32(m, &verdict) == -1 ||
	    verdict > GP_REJECT || ipc_get_string(m, &reasons) == -1 ||
	    ipc_get_string(m, &src) == -1 || ipc_get_string(m, &dst) == -1 ||
	    ipc_get_u32(m, &prec) == -1 ||
	    ipc_get_data_exact(m, it->digest, 32) == -1 ||
	    ipc_get_data_exact(m, it->pdigest, 32) == -1 ||
	    ipc_get_data_exact(m, it->token, 32) == -1 ||
	    ipc_get_u32(m, &it->ndr_reason) == -1 ||
	    ipc_get_u32(m, &it->ndr_diag) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	worker_done(w);
	free(it->first_reason);
	it->first_reason = xstrndup(reasons, strcspn(reasons, "\n"));
	if (prec <= 5)
		it->precedence = (int)prec;
	n = strlen(reasons);
	v = xmalloc(n + 1);
	v[0] = (uint8_t)verdict;
	memcpy(v + 1, reasons, n);
	record(it, SPOOL_REC_VERDICT, v, n + 1);
	free(v);
	switch (verdict) {
	case GP_RELEASE:
		/* The release's audit record must be on disk before the
		 * message crosses: ask for an acknowledgement. */
		it->stage = ST_AUDIT;
		it->anext = q.awaiting;
		q.awaiting = it;
		free(it->rel_label);
		free(it->rel_as);
		it->rel_label = xstrdup(clip(src));
		it->rel_as = xstrdup(clip(dst));
		audit_release(it);
		break;
	case GP_REFER:
		(void)move(it, SPOOL_HELD);
		audit(AUDIT_EV_VERDICT, it->qid, 0, "verdict", "refer",
		    "label", src, "reasons", clip(reasons), (char *)NULL);
		it->stage = ST_DONE;
		archive(it, "held", reasons);
		break;
	case GP_QUARANTINE:
		(void)move(it, SPOOL_QUARANTINED);
		audit(AUDIT_EV_VERDICT, it->qid, 0, "verdict", "quarantine",
		    "label", src, "reasons", clip(reasons), (char *)NULL);
		it->stage = ST_DONE;
		archive(it, "quarantined", reasons);
		break;
	default:
		(void)move(it, SPOOL_REJECTED);
		audit(AUDIT_EV_VERDICT, it->qid, 0, "verdict", "reject",
		    "label", src, "reasons", clip(reasons), (char *)NULL);
		it->stage = ST_DONE;
		archive(it, "rejected", reasons);
		fifo_push(&q.ndrq, &q.nndrq, it->qid);
		break;
	}
	(void)verdict_state_word;
}

/* A non-delivery report: into the reports folder, then the end state. */
static void
on_ndr(struct worker *w, struct ipc_msg *m)
{
	struct item	*it = w->busy;
	uint32_t	 ok;
	const char	*error;
	const void	*report;
	size_t		 n;
	char		 name[SPOOL_ID_LEN + 16], r[16], dg[16];

	if (m->id != w->req || ipc_get_u32(m, &ok) == -1 ||
	    ipc_get_string(m, &error) == -1 ||
	    ipc_get_data(m, &report, &n) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	worker_done(w);
	if (ok && n > 0) {
		struct iovec	iov = { (void *)(uintptr_t)report, n };

		(void)snprintf(name, sizeof(name), "%s.ndr", it->qid);
		if (write_at(q.reports, name, &iov, 1, true) == -1) {
			log_warn("reports: %s", name);
			return;		/* stays rejected; retried at restart */
		}
		q.reports_unsynced = true;
		(void)snprintf(r, sizeof(r), "%u", it->ndr_reason);
		(void)snprintf(dg, sizeof(dg), "%u", it->ndr_diag);
		audit(AUDIT_EV_NDR_ISSUED, it->qid, 0, "report", name,
		    "reason", r, "diagnostic", dg, (char *)NULL);
	} else
		audit(AUDIT_EV_NDR_ISSUED, it->qid, 0, "report", "none",
		    "error", clip(error), (char *)NULL);
	if (move(it, SPOOL_NDR) == 0)
		item_forget(it);
}

/*
 * The audit role acknowledged a release record: the message may cross.
 * Looked for among the releases waiting for theirs, not among every
 * message held.
 */
static void
on_audit_ack(struct ipc_msg *m)
{
	struct item	*it, **pp;

	if (ipc_end(m) == -1)
		ipc_msg_fatal(m);
	for (pp = &q.awaiting; (it = *pp) != NULL; pp = &it->anext) {
		if (it->ackreq != m->id)
			continue;
		*pp = it->anext;
		it->anext = NULL;
		it->stage = ST_DONE;
		/* Released first: a file in the publish list belongs to a
		 * released message. */
		if (move(it, SPOOL_RELEASED) == -1 || to_outbox(it) == -1)
			quarantine(it, "the outbox of the one-way channel "
			    "refused it");
		return;
	}
}

/* A worker's channel closed: its message is retried, or quarantined. */
static void
worker_lost(struct worker *w, const char *pool)
{
	struct item	*it = w->busy, *queued = w->next;

	ipc_chan_free(&w->ch);
	w->up = false;
	w->busy = w->next = NULL;
	if (queued != NULL) {
		/* Not started: it goes back, without blame. */
		queued->stage = ST_WAITING;
		sched_push(q.sched, queued->qid, queued->precedence,
		    queued->arrival);
	}
	if (it == NULL)
		return;
	audit(AUDIT_EV_ROLE_CRASHED, it->qid, 0, "process", pool, "reason",
	    "died while inspecting it", (char *)NULL);
	/* Blame is durable: the worker died holding this message. */
	record(it, SPOOL_REC_FAILURE, pool, strlen(pool));
	if (++it->failures >= MAX_FAILURES) {
		quarantine(it, "inspection failure: a worker died on it twice");
		return;
	}
	it->stage = ST_WAITING;
	it->fail_gen = q.gen;	/* retried on a fresh worker */
	sched_push(q.sched, it->qid, it->precedence, it->arrival);
}

/* ------------------------------------------------------------------ */
/* Start-up: the spool says where everything is. */

static void
recovered(const char *name, enum spool_state st, const char *why, void *arg)
{
	(void)arg;
	audit(AUDIT_EV_MESSAGE_INSPECTED, name, 0, "stage", "spool-recovery",
	    "state", spool_state_name(st), "reason", clip(why), (char *)NULL);
	log_warnx("set aside %s (%s): %s", name, spool_state_name(st), why);
}

/*
 * Is a whole drop file under the temporary name tmp?  Its header reads
 * and the file ends exactly after the length it declares.  (A crash may
 * have let the spool's move to released reach the disk before the file's
 * own bytes did.)
 */
static bool
outbox_complete(const char *tmp)
{
	struct diode_meta	m;
	struct stat		st;
	char			b[DIODE_DROP_HDR_MAX], err[256];
	size_t			hdrlen;
	ssize_t			n;
	int			fd;

	if ((fd = openat(q.outbox, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return false;
	n = read(fd, b, sizeof(b));
	if (fstat(fd, &st) == -1 || n <= 0 ||
	    diode_drop_parse(b, (size_t)n, &m, &hdrlen, err, sizeof(err)) ==
	    -1 || (uint64_t)st.st_size != hdrlen + m.len) {
		(void)close(fd);
		return false;
	}
	(void)close(fd);
	return true;
}

/*
 * Does the one-way channel have a released message?  Its file (with the
 * release token) in the outbox, set aside there by diode-tx (ID.refused:
 * check_refused() quarantines it), or in the sent box.  A whole file that
 * a crash left under its temporary name is renamed in now; one that is
 * not whole is removed (the message is inspected again: qmgr cannot make
 * its token).
 */
static bool
published(const char *qid)
{
	struct stat	st;
	char		name[SPOOL_ID_LEN + 16], tmp[SPOOL_ID_LEN + 16];

	(void)snprintf(name, sizeof(name), "%s%s", qid, DIODE_REFUSED_SUFFIX);
	if (fstatat(q.outbox, qid, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(q.outbox, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ||
	    fstatat(q.sentbox, qid, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	tmp_name(tmp, sizeof(tmp), qid);
	if (outbox_complete(tmp)) {
		fifo_push(&q.publish, &q.npublish, qid);
		return true;
	}
	if (unlinkat(q.outbox, tmp, 0) == 0)
		log_warnx("outbox: %s: removed its incomplete file", qid);
	return false;
}

static int
load_one(const char *qid, void *arg)
{
	enum spool_state	*st = arg;
	struct spool_entry	 e;
	struct item		*it;
	char			 err[256];

	if (spool_read(&q.sp, *st, qid, &e, err, sizeof(err)) == -1)
		return 0;
	it = item_new(qid, *st);
	it->arrival = e.time;
	it->precedence = e.precedence;
	it->attempts = e.attempts;
	it->failures = e.failures;
	switch (*st) {
	case SPOOL_INCOMING:
		it->stage = ST_CLASSIFY;
		classify_push(qid, 0);
		break;
	case SPOOL_INSPECTING:
		/* Interrupted by a restart of the guard: inspected again.
		 * Only a worker dying on it counts against it. */
		if (it->failures >= MAX_FAILURES)
			quarantine(it, "inspection failure: a worker died on it "
			    "twice");
		else {
			it->stage = ST_CLASSIFY;
			classify_push(qid, 0);
		}
		break;
	case SPOOL_RELEASED:
		it->stage = ST_DONE;	/* check_sent() follows it */
		if (!published(qid)) {
			/* Released, but the outbox never got the token (a
			 * crash inside commit()): qmgr cannot make one, so
			 * the message is inspected again. */
			(void)move(it, SPOOL_INSPECTING);
			it->stage = ST_CLASSIFY;
			classify_push(qid, 0);
		}
		break;
	case SPOOL_REJECTED:
		/* Rejected before the report was written: write it now. */
		it->stage = ST_DONE;
		it->ndr_reason = 8;
		it->ndr_diag = 53;
		if (e.reasons != NULL)
			it->first_reason = xstrndup(e.reasons,
			    strcspn(e.reasons, "\n"));
		fifo_push(&q.ndrq, &q.nndrq, qid);
		break;
	default:
		it->stage = ST_DONE;
		break;
	}
	spool_entry_free(&e);
	return 0;
}

static void
load_spool(void)
{
	static const enum spool_state states[] = { SPOOL_INCOMING,
	    SPOOL_INSPECTING, SPOOL_RELEASED, SPOOL_HELD, SPOOL_QUARANTINED,
	    SPOOL_REJECTED };
	char		err[256];
	size_t		i;
	enum spool_state st;

	if (spool_recover(&q.sp, recovered, NULL, err, sizeof(err)) == -1)
		fatalx("%s", err);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		st = states[i];
		(void)spool_list(&q.sp, st, load_one, &st);
	}
}

/* ------------------------------------------------------------------ */
/* Control: commands relayed by the supervisor. */

struct ctl_out {
	char	buf[IPC_MAX_PAYLOAD - 64];
	size_t	len;
};

static void ctl_put(struct ctl_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
ctl_put(struct ctl_out *o, const char *fmt, ...)
{
	va_list	ap;
	int	k;

	if (o->len >= sizeof(o->buf) - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->buf + o->len, sizeof(o->buf) - o->len, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->len += (size_t)k < sizeof(o->buf) - o->len ? (size_t)k :
		    sizeof(o->buf) - o->len - 1;
}

static void
ctl_status(struct ctl_out *o)
{
	size_t		 counts[SPOOL_NSTATES] = { 0 };
	struct item	*it;
	unsigned	 h, s;
	int		 p;

	for (h = 0; h < sizeof(q.items) / sizeof(q.items[0]); h++)
		for (it = q.items[h]; it != NULL; it = it->next)
			counts[it->state]++;
	ctl_put(o, "%s:", gp_dir_name(q.dir));
	for (s = 0; s < SPOOL_NSTATES; s++)
		if (counts[s] > 0)
			ctl_put(o, " %s %zu", spool_state_name(s), counts[s]);
	ctl_put(o, "\n  archive: %zu awaiting acknowledgement%s",
	    nheld_archives, q.archive_up ? "" : " (archive role down)");
	ctl_put(o, "\n  waiting by precedence:");
	for (p = SCHED_LEVELS - 1; p >= 0; p--)
		ctl_put(o, " %s %zu", diode_prec_name(p),
		    sched_depth(q.sched, p));
	ctl_put(o, "\n");
}

static void
ctl_queue(struct ctl_out *o, const char *state)
{
	enum spool_state st;
	struct item	*it;
	unsigned	 h;

	if (state != NULL && spool_state_from_name(state, &st) == -1) {
		ctl_put(o, "no state \"%s\"\n", state);
		return;
	}
	for (h = 0; h < sizeof(q.items) / sizeof(q.items[0]); h++)
		for (it = q.items[h]; it != NULL; it = it->next)
			if (state == NULL || it->state == st)
				ctl_put(o, "%s %s %s %s\n", gp_dir_name(q.dir),
				    it->qid, spool_state_name(it->state),
				    it->precedence >= 0 ?
				    diode_prec_name(it->precedence) : "-");
}

static int
ctl_show(struct ctl_out *o, const char *qid)
{
	struct item		*it = item_get(qid);
	struct spool_entry	 e;
	enum spool_state	 st;
	char			 err[256];
	int			 prec;

	if (it != NULL)
		st = it->state;
	else if (spool_find(&q.sp, qid, &st) == -1)
		return 2;	/* the other direction may hold it */
	if (spool_read(&q.sp, st, qid, &e, err, sizeof(err)) == -1) {
		ctl_put(o, "%s\n", err);
		return 1;
	}
	prec = it != NULL ? it->precedence : e.precedence;
	ctl_put(o, "id: %s\ndirection: %s\nstate: %s\nprecedence: %s\n"
	    "bytes: %zu\nattempts: %u\nworker failures: %u\n"
	    "officer actions: %u\n", qid,
	    gp_dir_name(q.dir), spool_state_name(st),
	    prec >= 0 && prec <= 5 ? diode_prec_name(prec) : "unknown",
	    e.message_len, e.attempts, e.failures, e.officer_actions);
	if (e.verdict >= 0)
		ctl_put(o, "verdict: %s\nreasons:\n%s", gp_verdict_name(
		    (enum gp_verdict)e.verdict), e.reasons ? e.reasons : "");
	spool_entry_free(&e);
	return 0;
}

/* release|reject ID OFFICER REASON... */
static int
ctl_officer(struct ctl_out *o, bool release, char *args)
{
	char		*qid, *officer, *reason, rec[1024];
	struct item	*it;
	size_t		 n;

	qid = args;
	if ((officer = strchr(qid, ' ')) == NULL) {
		ctl_put(o, "usage: ID OFFICER REASON\n");
		return 1;
	}
	*officer++ = '\0';
	if ((reason = strchr(officer, ' ')) == NULL || reason[1] == '\0') {
		ctl_put(o, "a reason is required\n");
		return 1;
	}
	*reason++ = '\0';
	if ((it = item_get(qid)) == NULL)
		return 2;
	if (it->state != SPOOL_HELD && it->state != SPOOL_QUARANTINED) {
		ctl_put(o, "%s: %s, not held or quarantined\n", qid,
		    spool_state_name(it->state));
		return 1;
	}
	n = (size_t)snprintf(rec, sizeof(rec), "%s by %s: %s", release ?
	    "release" : "reject", officer, reason);
	record(it, SPOOL_REC_OFFICER, rec, n < sizeof(rec) ? n :
	    sizeof(rec) - 1);
	audit(AUDIT_EV_OFFICER_ACTION, qid, 0, "action", release ?
	    "released" : "rejected", "officer", officer, "reason", clip(reason),
	    "from", spool_state_name(it->state), (char *)NULL);
	if (!release) {
		(void)move(it, SPOOL_REJECTED);
		{
			/* The archive takes "rule: text" lines. */
			char	ar[sizeof(rec) + 32];

			(void)snprintf(ar, sizeof(ar), "guard.officer: %s",
			    rec);
			archive(it, "rejected", ar);
		}
		/* The originator hears of it: transfer failure for a
		 * security reason, security-policy-violation. */
		it->ndr_reason = 8;
		it->ndr_diag = 53;
		free(it->first_reason);
		it->first_reason = xstrdup(rec);
		fifo_push(&q.ndrq, &q.nndrq, it->qid);
		ctl_put(o, "%s: rejected by %s\n", qid, officer);
		return 0;
	}
	/* Everything is checked again; the officer stands in for the
	 * release authority (and for a quarantine's hold), nothing else. */
	it->officer = true;
	it->attempts = 0;
	(void)move(it, SPOOL_INSPECTING);
	it->stage = ST_WAITING;
	sched_push(q.sched, it->qid, it->precedence, it->arrival);
	ctl_put(o, "%s: re-inspecting for release by %s\n", qid, officer);
	return 0;
}

static void
on_ctl(struct ipc_msg *m)
{
	struct ctl_out	*o = xcalloc(1, sizeof(*o));
	const char	*line;
	char		*cmd, *arg;
	int		 status = 0;

	if (ipc_get_string(m, &line) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	cmd = xstrdup(line);
	if ((arg = strchr(cmd, ' ')) != NULL)
		*arg++ = '\0';
	if (strcmp(cmd, "status") == 0)
		ctl_status(o);
	else if (strcmp(cmd, "queue") == 0)
		ctl_queue(o, arg);
	else if (strcmp(cmd, "show") == 0 && arg != NULL)
		status = ctl_show(o, arg);
	else if (strcmp(cmd, "release") == 0 && arg != NULL)
		status = ctl_officer(o, true, arg);
	else if (strcmp(cmd, "reject") == 0 && arg != NULL)
		status = ctl_officer(o, false, arg);
	else {
		ctl_put(o, "unknown command \"%s\"\n", cmd);
		status = 1;
	}
	ipc_create(&q.parent, MSG_CTL_REPLY, m->id);
	ipc_add_u32(&q.parent, (uint32_t)status);
	ipc_add_string(&q.parent, o->buf);
	if (ipc_close(&q.parent) == -1)
		ipc_fatal(&q.parent);
	free(cmd);
	free(o);
}

/* ------------------------------------------------------------------ */
/* Peers handed over by the supervisor. */

static void
on_peer(struct ipc_msg *m)
{
	uint32_t	 kind, idx;
	int		 fd;
	struct ipc_chan	*ch = NULL;
	struct worker	*pool = NULL;
	const char	*name = "?";

	if (ipc_get_u32(m, &kind) == -1 || ipc_get_u32(m, &idx) == -1 ||
	    ipc_get_fd(m, &fd) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	switch (kind) {
	case PEER_PICKUP:
		if (q.pickup_up)
			ipc_chan_free(&q.pickup);
		ch = &q.pickup;
		q.pickup_up = true;
		name = "pickup";
		break;
	case PEER_AUDIT:
		if (q.audit_up)
			ipc_chan_free(&q.audit);
		ch = &q.audit;
		q.audit_up = true;
		name = "audit";
		if (ipc_chan_init(ch, fd, name) == -1)
			fatalx("%s", ch->err);
		replay_audits();
		/* Releases that wait for their record ask again. */
		{
			struct item	*it;
			unsigned	 h;

			for (h = 0; h < sizeof(q.items) / sizeof(q.items[0]);
			    h++)
				for (it = q.items[h]; it != NULL; it = it->next)
					if (it->stage == ST_AUDIT)
						audit_release(it);
		}
		return;
	case PEER_ARCHIVE:
		if (q.archive_up)
			ipc_chan_free(&q.archive);
		ch = &q.archive;
		q.archive_up = true;
		name = "archive";
		break;
	case PEER_DECODE:
		pool = q.decode;
		name = "decode";
		break;
	case PEER_VERIFY:
		pool = q.verify;
		name = "verify";
		break;
	case PEER_POLICY:
		pool = q.policy;
		name = "policy";
		break;
	default:
		fatalx("peer of unknown kind %u", kind);
	}
	if (pool != NULL) {
		if (idx >= MAX_WORKERS)
			fatalx("worker index %u", idx);
		if (pool[idx].up)
			worker_lost(&pool[idx], name);
		ch = &pool[idx].ch;
		pool[idx].up = true;
		pool[idx].busy = pool[idx].next = NULL;
		pool[idx].gen = ++q.gen;
	}
	if (ipc_chan_init(ch, fd, name) == -1)
		fatalx("%s", ch->err);
	if (kind == PEER_ARCHIVE)
		replay_archives();
}

static void
on_pickup(struct ipc_msg *m)
{
	const char		*qid;
	struct item		*it;
	enum spool_state	 st;
	uint64_t		 dropped;

	if (m->type != MSG_NEW || ipc_get_string(m, &qid) == -1 ||
	    ipc_get_u64(m, &dropped) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	if (item_get(qid) != NULL)
		return;
	/* Only looked for: the decode worker reads it next (a file that
	 * does not read is recorded so by it, and ends quarantined as an
	 * inspection failure), and pickup records its acceptance.  Arrival is when qmgr hears of it, within the same
	 * second as the spool's own time record, and only ages it. */
	if (spool_find(&q.sp, qid, &st) == -1 || st != SPOOL_INCOMING) {
		log_warnx("pickup announced %s, which is not in incoming",
		    qid);
		return;
	}
	it = item_new(qid, SPOOL_INCOMING);
	it->arrival = now();
	it->stage = ST_CLASSIFY;
	classify_push(qid, dropped > INT64_MAX ? INT64_MAX : (int64_t)dropped);
}

/* ------------------------------------------------------------------ */
/* The loop. */

struct pollset {
	struct pollfd	 pfd[64];
	struct ipc_chan	*ch[64];
	int		 kind[64];	/* 0 parent, 1 pickup, 2 audit, 3 archive,
					   4 decode, 5 verify, 6 policy */
	nfds_t		 n;
};

static void
ps_add(struct pollset *ps, struct ipc_chan *ch, int kind)
{
	ps->pfd[ps->n].fd = ch->fd;
	ps->pfd[ps->n].events = ipc_events(ch);
	ps->pfd[ps->n].revents = 0;
	ps->ch[ps->n] = ch;
	ps->kind[ps->n] = kind;
	ps->n++;
}

static void
handle(struct ipc_chan *ch, int kind)
{
	struct worker	*w;
	static const char *const pools[] = { "decode", "verify", "policy" };

	for (;;) {
		switch (ipc_recv(ch, q.msg)) {
		case 0:
			return;
		case 1:
			break;
		default:
			if (!ch->eof)
				ipc_fatal(ch);
			if (kind == 0) {
				/* The supervisor went: stop, committed. */
				commit_and_flush();
				exit(0);
			}
			if (kind >= 4) {
				w = worker_of(kind == 4 ? q.decode : kind == 5 ?
				    q.verify : q.policy, ch);
				worker_lost(w, pools[kind - 4]);
			} else if (kind == 1) {
				ipc_chan_free(ch);
				q.pickup_up = false;
			} else if (kind == 2) {
				ipc_chan_free(ch);
				q.audit_up = false;
			} else {
				ipc_chan_free(ch);
				q.archive_up = false;
			}
			return;
		}
		switch (kind) {
		case 0:
			if (q.msg->type == MSG_PEER)
				on_peer(q.msg);
			else if (q.msg->type == MSG_CTL)
				on_ctl(q.msg);
			else
				fatalx("unexpected frame %u from the "
				    "supervisor", q.msg->type);
			break;
		case 1:
			on_pickup(q.msg);
			break;
		case 2:
			if (q.msg->type != MSG_AUDIT_ACK)
				fatalx("unexpected frame %u from audit",
				    q.msg->type);
			on_audit_ack(q.msg);
			break;
		case 3:
			on_archive_ack(q.msg);
			break;
		case 4:
			if ((w = worker_of(q.decode, ch))->busy == NULL)
				fatalx("unexpected frame from decode");
			if (q.msg->type == MSG_CLASSIFIED)
				on_classified(w, q.msg);
			else if (q.msg->type == MSG_NDR)
				on_ndr(w, q.msg);
			else
				fatalx("unexpected frame %u from decode",
				    q.msg->type);
			break;
		case 5:
			if (q.msg->type != MSG_VERIFIED ||
			    (w = worker_of(q.verify, ch))->busy == NULL)
				fatalx("unexpected frame from verify");
			on_verified(w, q.msg);
			break;
		case 6:
			if (q.msg->type != MSG_VERDICT ||
			    (w = worker_of(q.policy, ch))->busy == NULL)
				fatalx("unexpected frame from policy");
			on_verdict(w, q.msg);
			break;
		}
		if (kind == 0 && !ch->building && ch->fd == -1)
			return;
	}
}

/*
 * Requests to the inspection workers leave before the turn's commit: they
 * announce nothing outside the guard (a worker reads the file it is handed
 * and answers qmgr; its own audit record states what it found, true
 * whatever the spool says after a crash, when the message is inspected
 * again).  The workers work while qmgr's fsyncs run, instead of waiting
 * for them at every message.
 */
static void
flush_workers(void)
{
	unsigned	k;

	for (k = 0; k < MAX_WORKERS; k++) {
		if (q.decode[k].up)
			(void)ipc_flush(&q.decode[k].ch);
		if (q.verify[k].up)
			(void)ipc_flush(&q.verify[k].ch);
		if (q.policy[k].up)
			(void)ipc_flush(&q.policy[k].ch);
	}
}

static void
flush_all(void)
{
	(void)ipc_flush(&q.parent);
	if (q.pickup_up)
		(void)ipc_flush(&q.pickup);
	if (q.audit_up)
		(void)ipc_flush(&q.audit);
	if (q.archive_up)
		(void)ipc_flush(&q.archive);
	flush_workers();
}

static int64_t
mono_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The channels whose frames wait for the commit (all but the workers'). */
static size_t
queued_after(unsigned k)
{
	struct ipc_chan	*ch[4] = { &q.parent, &q.pickup, &q.audit,
			    &q.archive };
	bool		 up[4] = { true, q.pickup_up, q.audit_up,
			    q.archive_up };

	return up[k] ? ipc_queued(ch[k]) : 0;
}

/*
 * Has anything happened since the last commit: changes to make durable,
 * or frames built (frames that were committed and wait for a peer that
 * is not reading owe nothing more).
 */
static bool
owed(void)
{
	unsigned	k;

	if (q.npublish > 0 || q.outbox_unsynced ||
	    q.reports_unsynced || spool_pending(&q.sp))
		return true;
	for (k = 0; k < 4; k++)
		if (queued_after(k) > q.queued[k])
			return true;
	return false;
}

/* commit(), then the frames out; what stays queued is committed. */
static void
commit_and_flush(void)
{
	unsigned	k;

	commit();
	flush_all();
	for (k = 0; k < 4; k++)
		q.queued[k] = queued_after(k);
	q.owed_since = 0;
	q.owed_urgent = false;
}

/*
 * One turn: take in what arrived, move what can move (requests to workers
 * leave at once: flush_workers), commit() the turn's changes, then let
 * its other frames out.  Frames still queued from an earlier turn (a peer
 * that was not reading) go out first: they were committed then.
 *
 * Group commit across turns: the commit waits, COMMIT_MS after the first
 * change it is to make durable at most, for what the next turns bring
 * (workers' answers mostly), so that each directory's fsync is shared by
 * the messages of several turns; it runs at once when a FLASH or
 * OVERRIDE message changed state.  Meanwhile only the workers' channels
 * are written (their requests announce nothing: flush_workers); every
 * other frame speaks of what the commit makes durable.  The cost is a
 * few milliseconds more on the way of a ROUTINE message.
 */
static void
loop(void)
{
	struct pollset	 ps;
	nfds_t		 i;
	unsigned	 k;
	int		 n;
	int64_t		 t = 0;
	bool		 defer;

	for (;;) {
		if (proc_stopping) {
			/* What the turns since the last commit did, durable
			 * and announced before the role goes. */
			commit_and_flush();
			exit(0);
		}
		check_sent();
		dispatch();
		flush_workers();
		defer = false;
		if (owed()) {
			t = mono_ms();
			if (q.owed_since == 0)
				q.owed_since = t;
			defer = !q.owed_urgent && t - q.owed_since < COMMIT_MS;
		}
		if (!defer)
			commit_and_flush();
		memset(&ps, 0, sizeof(ps));
		ps_add(&ps, &q.parent, 0);
		if (q.pickup_up)
			ps_add(&ps, &q.pickup, 1);
		if (q.audit_up)
			ps_add(&ps, &q.audit, 2);
		if (q.archive_up)
			ps_add(&ps, &q.archive, 3);
		if (defer)
			for (i = 0; i < ps.n; i++)
				ps.pfd[i].events &= ~POLLOUT;
		for (k = 0; k < MAX_WORKERS; k++) {
			if (q.decode[k].up)
				ps_add(&ps, &q.decode[k].ch, 4);
			if (q.verify[k].up)
				ps_add(&ps, &q.verify[k].ch, 5);
			if (q.policy[k].up)
				ps_add(&ps, &q.policy[k].ch, 6);
		}
		/* Deferring: what arrives before the commit is due. */
		if ((n = poll(ps.pfd, ps.n, defer ? (int)(q.owed_since +
		    COMMIT_MS - t) : TICK_MS)) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (n == 0 && defer) {
			/* Nothing more came: commit now. */
			commit_and_flush();
			continue;
		}
		for (i = 0; i < ps.n; i++)
			if (ps.pfd[i].revents & POLLOUT &&
			    ipc_flush(ps.ch[i]) == -1)
				ipc_fatal(ps.ch[i]);
		for (i = 0; i < ps.n; i++)
			if (ps.pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				handle(ps.ch[i], ps.kind[i]);
	}
}

static int
open_dir(const char *path)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("%s", path);
	return fd;
}

int
main(int argc, char *argv[])
{
	const char	*spool = NULL, *outbox = NULL, *sentbox = NULL;
	const char	*reports = NULL, *user = NULL;
	char		 err[256];
	int		 c, dirs[4];

	log_init("mmguard-qmgr", LOG_TO_STDERR, 0);
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s (roles are started by mmguardd)", err);
	memset(&q, 0, sizeof(q));
	q.urgent = -1;
	while ((c = getopt(argc, argv, "s:d:o:x:r:u:m:g:U:")) != -1) {
		switch (c) {
		case 'U':
			q.urgent = atoi(optarg);
			if (q.urgent < 0 || q.urgent >= MAX_WORKERS)
				fatalx("-U %s: not a worker index", optarg);
			break;
		case 'm':
			q.mta = optarg;
			break;
		case 'g':
			if (sscanf(optarg, "%7[^,],%31[^,],%31s", q.country,
			    q.admd, q.prmd) < 2)
				fatalx("-g C,ADMD[,PRMD]");
			break;
		case 's':
			spool = optarg;
			break;
		case 'd':
			if (gp_dir_from_name(optarg, &q.dir) == -1)
				fatalx("-d %s: not a direction", optarg);
			break;
		case 'o':
			outbox = optarg;
			break;
		case 'x':
			sentbox = optarg;
			break;
		case 'r':
			reports = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-qmgr -s SPOOL -d DIRECTION "
			    "-o OUTBOX -x SENTBOX -r REPORTS [-U INDEX] "
			    "[-u USER]");
		}
	}
	if (spool == NULL || outbox == NULL || sentbox == NULL ||
	    reports == NULL || q.mta == NULL || q.country[0] == '\0')
		fatalx("-s, -o, -x, -r, -m and -g are required");
	if (ipc_chan_init(&q.parent, PROC_CHANNEL_FD, "mmguardd") == -1)
		fatalx("%s", q.parent.err);
	if (spool_open(&q.sp, spool, err, sizeof(err)) == -1)
		fatalx("%s", err);
	q.outbox = open_dir(outbox);
	q.sentbox = open_dir(sentbox);
	q.reports = open_dir(reports);
	q.sched = sched_new(0, -1);
	q.ready = sched_new(0, -1);
	q.msg = xmalloc(sizeof(*q.msg));
	dirs[0] = q.sp.dirfd;
	dirs[1] = q.outbox;
	dirs[2] = q.sentbox;
	dirs[3] = q.reports;
	spool_group(&q.sp, true);
	/* SIGTERM: the loop ends its turn, commits and exits. */
	proc_catch_stop();
	sandbox_enter(&sandbox_spool, &(struct sandbox_args){
	    .user = user, .sock = -1, .dirs = dirs, .ndirs = 4 });
	load_spool();
	load_unarchived();
	loop();
}
