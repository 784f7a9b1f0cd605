/*
 * mmguardd - the guard's supervisor.
 *
 * SYNOPSIS
 *	mmguardd -c FILE [-n] [-v]
 *
 * DESCRIPTION
 *	mmguardd reads its configuration (config.h documents the file),
 *	checks the guard policy, creates the run directory and a spool per
 *	direction, and starts every role as its own program, each with its
 *	channel on descriptor 3 and every other descriptor closed
 *	(guard/common/proc.h).  The communication graph is the table
 *	`roles' below and the wiring in start_direction(): nothing talks to
 *	anything else.
 *
 *	Per direction: pickup (the drop folder), qmgr, `workers' decode,
 *	verify and policy processes, mmguard-diode-tx and mmguard-diode-rx
 *	(the one-way channel, over a local datagram socket in the run
 *	directory), which writes into the far side's drop folder.  Shared:
 *	audit (the only writer of the audit log) and archive (the only
 *	writer of the archive).
 *
 *	A role that exits is started again after a pause that doubles with
 *	each exit (1 s up to 32 s) and is reset after a minute of good
 *	running.  A role that cannot be kept up (five exits within a minute)
 *	makes mmguardd fail closed: it stops every pickup role, so that no
 *	new message is accepted, says why on standard error and in the
 *	audit log, and keeps serving the control socket so that operators
 *	can see the state.  qmgr, audit or archive exiting restarts the
 *	roles wired to them.
 *
 *	SIGTERM and SIGINT stop every role and then mmguardd.  SIGHUP loads
 *	the policy file again: if it is valid, the verify and policy roles
 *	are replaced by new ones that load it (messages in their hands are
 *	inspected again); if not, the running policy stays and the errors
 *	are logged.  Either way the audit log records it.
 *
 *	The control socket (mmguardctl) takes one command per connection:
 *	status, queue [STATE], show ID, release ID OFFICER REASON, reject
 *	ID OFFICER REASON, policy load FILE.
 *
 * OPTIONS
 *	-c FILE	the configuration file
 *	-n	check the configuration and the policy, then exit
 *	-v	more logging
 *
 * EXIT STATUS
 *	0 after SIGTERM or with -n and a valid configuration; 1 when the
 *	configuration or the policy is not valid or the start failed.
 *
 * SECURITY
 *	The only process that keeps the privileges it was started with
 *	(root on an appliance): it creates directories and sockets, and
 *	starts the roles, each of which drops to its user and enters its
 *	sandbox before it reads anything untrusted.  It parses its own
 *	configuration, the policy (to check it) and control commands from
 *	the control socket's group; it never reads a message.  Owning it
 *	is owning the appliance, which is why it does so little.
 */
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/xmalloc.h"
#include "guard/mmguardd/config.h"
#include "guard/msg.h"
#include "guard/spool/spool.h"
#include "policy/guardpol.h"

#define MAX_ROLES	64
#define MAX_CLIENTS	8
#define BACKOFF_MAX	32
#define FLAP_WINDOW	60
#define FLAP_LIMIT	5

enum role_kind {
	R_PICKUP, R_QMGR, R_DECODE, R_VERIFY, R_POLICY, R_DIODE_TX,
	R_DIODE_RX, R_AUDIT, R_ARCHIVE
};

/* The graph: each role, its program, and whom its descriptor 3 joins. */
static const struct {
	const char	*name;
	const char	*prog;
	enum peer_kind	 peer;		/* as qmgr knows it; 0: not a peer */
	bool		 pooled;
	bool		 to_qmgr;	/* fd 3 joins qmgr (else mmguardd) */
} roles[] = {
	[R_PICKUP] =	{ "pickup", "mmguard-pickup", PEER_PICKUP, false, true },
	[R_QMGR] =	{ "qmgr", "mmguard-qmgr", 0, false, false },
	[R_DECODE] =	{ "decode", "mmguard-decode", PEER_DECODE, true, true },
	[R_VERIFY] =	{ "verify", "mmguard-verify", PEER_VERIFY, true, true },
	[R_POLICY] =	{ "policy", "mmguard-policy", PEER_POLICY, true, true },
	[R_DIODE_TX] =	{ "diode-tx", "mmguard-diode-tx", 0, false, false },
	[R_DIODE_RX] =	{ "diode-rx", "mmguard-diode-rx", 0, false, false },
	[R_AUDIT] =	{ "audit", "mmguard-auditd", 0, false, false },
	[R_ARCHIVE] =	{ "archive", "mmguard-archived", 0, false, false },
};

struct proc {
	bool		 used;
	enum role_kind	 kind;
	int		 dir;		/* direction, -1 shared */
	unsigned	 idx;		/* within a pool */
	pid_t		 pid;		/* 0: not running */
	struct ipc_chan	 ch;		/* to mmguardd, when not to qmgr */
	bool		 has_ch;
	time_t		 started;
	time_t		 restart_at;	/* 0: not waiting */
	unsigned	 backoff;
	time_t		 exits[FLAP_LIMIT];
	unsigned	 nexits;
	unsigned	 restarts;
};

struct client {
	int		 fd;
	uint64_t	 waiting;	/* request sent to a qmgr */
	unsigned	 pending;	/* replies still expected */
	bool		 found;		/* a qmgr knew the message */
	bool		 refused;
	bool		 needs_id;	/* show, release, reject */
	struct buf	 out;
};

struct sup {
	struct config	 cfg;
	char		*policy;	/* the policy in force */
	char		 pdigest[65];	/* its SHA-256, hex */
	int		 retention;	/* days, from the policy */
	char		 old_pdigest[65];	/* the one before, or "" */
	char		*libexec;
	bool		 closed;	/* failed closed */
	char		 why[256];
	bool		 stopping;
	int		 sigfd, ctlfd;
	struct proc	 p[MAX_ROLES];
	struct client	 c[MAX_CLIENTS];
	uint64_t	 req;
	int		 verbose;
};

static struct sup	s;

/* ------------------------------------------------------------------ */
/* Paths. */

static char *
join(const char *a, const char *b)
{
	size_t	 n = strlen(a) + strlen(b) + 2;
	char	*p = xmalloc(n);

	(void)snprintf(p, n, "%s/%s", a, b);
	return p;
}

static const char *
dshort(int d)
{
	return d == GP_HIGH_TO_LOW ? "h2l" : "l2h";
}

/* RUN/h2l/NAME */
static char *
dpath(int d, const char *name)
{
	char	*dd = join(s.cfg.run, dshort(d)), *p = join(dd, name);

	free(dd);
	return p;
}

static uid_t	role_uid;
static gid_t	role_gid;
static bool	role_ids;

/* A directory the roles write: theirs when mmguardd runs as root. */
static void
give(const char *path)
{
	if (role_ids && chown(path, role_uid, role_gid) == -1)
		fatal("chown %s", path);
}

/* mkdir -p */
static void
mkdirs(const char *path)
{
	char	*p = xstrdup(path), *s2;

	for (s2 = p + 1; *s2 != '\0'; s2++)
		if (*s2 == '/') {
			*s2 = '\0';
			if (mkdir(p, 0750) == -1 && errno != EEXIST)
				fatal("%s", p);
			*s2 = '/';
		}
	if (mkdir(p, 0750) == -1 && errno != EEXIST)
		fatal("%s", p);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Starting roles. */

static struct proc *
find(enum role_kind k, int dir, unsigned idx)
{
	int	i;

	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].kind == k && s.p[i].dir == dir &&
		    s.p[i].idx == idx)
			return &s.p[i];
	return NULL;
}

static struct proc *
declare(enum role_kind k, int dir, unsigned idx)
{
	int	i;

	for (i = 0; i < MAX_ROLES; i++)
		if (!s.p[i].used) {
			memset(&s.p[i], 0, sizeof(s.p[i]));
			s.p[i].used = true;
			s.p[i].kind = k;
			s.p[i].dir = dir;
			s.p[i].idx = idx;
			return &s.p[i];
		}
	fatalx("too many roles");
}

static void
send_peer(struct proc *to, enum peer_kind kind, unsigned idx, int fd)
{
	if (to == NULL || to->pid == 0 || !to->has_ch) {
		(void)close(fd);
		return;
	}
	ipc_create(&to->ch, MSG_PEER, 0);
	ipc_add_u32(&to->ch, kind);
	ipc_add_u32(&to->ch, idx);
	ipc_add_fd(&to->ch, fd);
	if (ipc_close(&to->ch) == -1)
		log_warnx("%s: %s", roles[to->kind].name, to->ch.err);
}

/* The argument vector of a role. */
static char **
argv_of(struct proc *p)
{
	static char	*v[32];
	static char	 bufs[16][1024];
	int		 n = 0, b = 0;
	const char	*d = p->dir >= 0 ? gp_dir_name(p->dir) : NULL;

#define ARG(x)		(v[n++] = (char *)(uintptr_t)(x))
#define FMT(...)	(snprintf(bufs[b], sizeof(bufs[b]), __VA_ARGS__), \
			    v[n++] = bufs[b++])
	FMT("%s/%s", s.libexec, roles[p->kind].prog);
	switch (p->kind) {
	case R_PICKUP:
		ARG("-s");
		FMT("%s/%s/spool", s.cfg.run, dshort(p->dir));
		ARG("-i");
		ARG(s.cfg.dirs[p->dir].pickup);
		break;
	case R_QMGR:
		ARG("-s");
		FMT("%s/%s/spool", s.cfg.run, dshort(p->dir));
		ARG("-d");
		ARG(d);
		ARG("-o");
		FMT("%s/%s/outbox", s.cfg.run, dshort(p->dir));
		ARG("-x");
		FMT("%s/%s/sent", s.cfg.run, dshort(p->dir));
		ARG("-r");
		ARG(s.cfg.dirs[p->dir].reports);
		ARG("-m");
		ARG(s.cfg.mta);
		ARG("-g");
		FMT("%s,%s,%s", s.cfg.country, s.cfg.admd, s.cfg.prmd);
		break;
	case R_DECODE:
		break;
	case R_VERIFY:
		ARG("-p");
		ARG(s.policy);
		ARG("-k");
		ARG(s.cfg.pki);
		ARG("-d");
		ARG(d);
		ARG("-t");
		ARG(s.cfg.token_key);
		break;
	case R_POLICY:
		ARG("-p");
		ARG(s.policy);
		ARG("-d");
		ARG(d);
		ARG("-t");
		ARG(s.cfg.token_key);
		break;
	case R_DIODE_TX:
		ARG("--to");
		FMT("unix:%s/%s/diode.sock", s.cfg.run, dshort(p->dir));
		ARG("--in");
		FMT("%s/%s/outbox", s.cfg.run, dshort(p->dir));
		ARG("--sent");
		FMT("%s/%s/sent", s.cfg.run, dshort(p->dir));
		break;
	case R_DIODE_RX:
		ARG("--listen");
		FMT("unix:%s/%s/diode.sock", s.cfg.run, dshort(p->dir));
		ARG("--out");
		ARG(s.cfg.dirs[p->dir].deliver);
		ARG("--report");
		FMT("%s/%s/rx/report.log", s.cfg.run, dshort(p->dir));
		ARG("--state");
		FMT("%s/%s/rx/state", s.cfg.run, dshort(p->dir));
		break;
	case R_AUDIT:
		ARG("-a");
		ARG(s.cfg.audit);
		ARG("-k");
		ARG(s.cfg.audit_key);
		break;
	case R_ARCHIVE:
		ARG("-d");
		ARG(s.cfg.archive);
		ARG("-r");
		FMT("%d", s.retention);
		break;
	}
	/*
	 * Both ends of the one-way channel: the link key, and the release
	 * tokens each checks (diode-tx before it sends, diode-rx before it
	 * stores) under the policy in force and the one before it.
	 */
	if (p->kind == R_DIODE_TX || p->kind == R_DIODE_RX) {
		ARG("--key");
		ARG(s.cfg.link_key);
		ARG("--token-key");
		ARG(s.cfg.token_key);
		ARG("--direction");
		ARG(d);
		ARG("--policy-digest");
		ARG(s.pdigest);
		if (s.old_pdigest[0] != '\0') {
			ARG("--policy-digest");
			ARG(s.old_pdigest);
		}
	}
	if (s.cfg.user != NULL && geteuid() == 0) {
		ARG("-u");
		ARG(s.cfg.user);
	}
	v[n] = NULL;
#undef ARG
#undef FMT
	return v;
}

static void
start(struct proc *p)
{
	struct proc	*q = p->dir >= 0 ? find(R_QMGR, p->dir, 0) : NULL;
	int		 sv[2];
	char		 err[256];

	if (roles[p->kind].to_qmgr && (q == NULL || q->pid == 0))
		return;		/* started with its qmgr */
	if (p->kind == R_DIODE_RX) {
		/* The socket of a diode-rx that died is still there. */
		char	*sock = dpath(p->dir, "diode.sock");

		(void)unlink(sock);
		free(sock);
	}
	if (ipc_socketpair(sv, err, sizeof(err)) == -1)
		fatalx("%s", err);
	p->pid = proc_exec(argv_of(p)[0], argv_of(p), sv[1], err,
	    sizeof(err));
	(void)close(sv[1]);
	if (p->pid == -1) {
		log_warnx("%s: %s", roles[p->kind].name, err);
		p->pid = 0;
		(void)close(sv[0]);
		p->restart_at = time(NULL) + 1;
		return;
	}
	p->started = time(NULL);
	p->restart_at = 0;
	if (s.verbose)
		log_info("started %s%s%s (pid %d)", roles[p->kind].name,
		    p->dir >= 0 ? " " : "", p->dir >= 0 ? dshort(p->dir) : "",
		    (int)p->pid);
	if (roles[p->kind].to_qmgr) {
		send_peer(q, roles[p->kind].peer, p->idx, sv[0]);
		p->has_ch = false;
		return;
	}
	if (ipc_chan_init(&p->ch, sv[0], roles[p->kind].name) == -1)
		fatalx("%s", p->ch.err);
	p->has_ch = true;
}

/* Wire a qmgr to the shared audit and archive roles. */
static void
wire_shared(struct proc *qm)
{
	struct proc	*a = find(R_AUDIT, -1, 0), *ar = find(R_ARCHIVE, -1, 0);
	int		 sv[2];
	char		 err[256];

	if (a != NULL && a->pid != 0 && qm->pid != 0) {
		if (ipc_socketpair(sv, err, sizeof(err)) == -1)
			fatalx("%s", err);
		send_peer(qm, PEER_AUDIT, 0, sv[0]);
		send_peer(a, PEER_QMGR, (unsigned)qm->dir, sv[1]);
	}
	if (ar != NULL && ar->pid != 0 && qm->pid != 0) {
		if (ipc_socketpair(sv, err, sizeof(err)) == -1)
			fatalx("%s", err);
		send_peer(qm, PEER_ARCHIVE, 0, sv[0]);
		send_peer(ar, PEER_QMGR, (unsigned)qm->dir, sv[1]);
	}
}

/* qmgr first, then everything that talks to it. */
static void
start_direction(int d)
{
	struct proc	*qm = find(R_QMGR, d, 0);
	int		 i;

	start(qm);
	if (qm->pid == 0)
		return;
	wire_shared(qm);
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].dir == d && s.p[i].pid == 0 &&
		    s.p[i].kind != R_QMGR && !(s.closed &&
		    s.p[i].kind == R_PICKUP))
			start(&s.p[i]);
}

static void
declare_all(void)
{
	unsigned	w;
	int		d;

	declare(R_AUDIT, -1, 0);
	declare(R_ARCHIVE, -1, 0);
	for (d = 0; d < 2; d++) {
		if (!s.cfg.dirs[d].present)
			continue;
		declare(R_QMGR, d, 0);
		declare(R_PICKUP, d, 0);
		for (w = 0; w < s.cfg.workers; w++) {
			declare(R_DECODE, d, w);
			declare(R_VERIFY, d, w);
			declare(R_POLICY, d, w);
		}
		/* The receiver first: listening before the sender sends. */
		declare(R_DIODE_RX, d, 0);
		declare(R_DIODE_TX, d, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Audit from the supervisor itself. */

static void sup_audit(unsigned, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
sup_audit(unsigned ev, const char *fmt, ...)
{
	struct proc	*a = find(R_AUDIT, -1, 0);
	char		 text[1024];
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (s.verbose)
		log_info("%s", text);
	if (a == NULL || a->pid == 0 || !a->has_ch)
		return;
	ipc_create(&a->ch, MSG_AUDIT, 0);
	ipc_add_u32(&a->ch, ev);
	ipc_add_string(&a->ch, "");
	ipc_add_string(&a->ch, text);
	if (ipc_close(&a->ch) == -1)
		log_warnx("audit: %s", a->ch.err);
}

/* An event of a role wired to mmguardd only: to the audit role. */
static void
forward_audit(struct proc *from, struct ipc_msg *m)
{
	struct proc	*a = find(R_AUDIT, -1, 0);
	uint32_t	 ev;
	const char	*qid, *text;
	char		 t[2048];

	if (ipc_get_u32(m, &ev) == -1 || ipc_get_string(m, &qid) == -1 ||
	    ipc_get_string(m, &text) == -1 || ipc_end(m) == -1) {
		log_warnx("%s: %s", roles[from->kind].name, m->err);
		(void)kill(from->pid, SIGTERM);
		return;
	}
	if (a == NULL || a->pid == 0 || !a->has_ch) {
		log_warnx("audit unavailable: %s event %u %s %s",
		    roles[from->kind].name, ev, qid, text);
		return;
	}
	(void)snprintf(t, sizeof(t), "role=%s %s", roles[from->kind].name,
	    text);
	ipc_create(&a->ch, MSG_AUDIT, 0);
	ipc_add_u32(&a->ch, ev);
	ipc_add_string(&a->ch, qid);
	ipc_add_string(&a->ch, t);
	if (ipc_close(&a->ch) == -1)
		log_warnx("audit: %s", a->ch.err);
}

/* ------------------------------------------------------------------ */
/* Exits and restarts. */

static void
fail_closed(const char *why)
{
	int	i;

	if (s.closed)
		return;
	s.closed = true;
	(void)snprintf(s.why, sizeof(s.why), "%s", why);
	log_warnx("failing closed: %s; no new message is accepted", why);
	sup_audit(7 /* config-changed */, "failed closed: %s", why);
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].kind == R_PICKUP && s.p[i].pid != 0)
			(void)kill(s.p[i].pid, SIGTERM);
}

static void
stop_wired(int d)
{
	int	i;

	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].dir == d && s.p[i].pid != 0 &&
		    roles[s.p[i].kind].to_qmgr)
			(void)kill(s.p[i].pid, SIGTERM);
}

static void
exited(struct proc *p, int status)
{
	time_t	now = time(NULL);
	char	how[128];

	if (WIFSIGNALED(status))
		(void)snprintf(how, sizeof(how), "killed by signal %d%s",
		    WTERMSIG(status), WTERMSIG(status) == SIGSYS ?
		    " (a forbidden system call: sandbox violation)" : "");
	else
		(void)snprintf(how, sizeof(how), "exited with status %d",
		    WEXITSTATUS(status));
	p->pid = 0;
	if (p->has_ch) {
		ipc_chan_free(&p->ch);
		p->has_ch = false;
	}
	if (s.stopping)
		return;
	log_warnx("%s%s%s %s", roles[p->kind].name, p->dir >= 0 ? " " : "",
	    p->dir >= 0 ? dshort(p->dir) : "", how);
	sup_audit(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ?
	    11 /* sandbox-violation */ : 9 /* role-crashed */,
	    "role=%s direction=%s index=%u %s", roles[p->kind].name,
	    p->dir >= 0 ? gp_dir_name(p->dir) : "-", p->idx, how);
	if (p->kind == R_PICKUP && s.closed)
		return;
	/* Flapping: FLAP_LIMIT exits within FLAP_WINDOW seconds. */
	if (p->nexits == FLAP_LIMIT) {
		memmove(p->exits, p->exits + 1, (FLAP_LIMIT - 1) *
		    sizeof(p->exits[0]));
		p->nexits--;
	}
	p->exits[p->nexits++] = now;
	if (p->nexits == FLAP_LIMIT && now - p->exits[0] < FLAP_WINDOW) {
		char	why[160];

		(void)snprintf(why, sizeof(why), "role %s cannot be kept up "
		    "(%d exits within %d s)", roles[p->kind].name, FLAP_LIMIT,
		    FLAP_WINDOW);
		fail_closed(why);
	}
	if (now - p->started > FLAP_WINDOW)
		p->backoff = 0;
	p->backoff = p->backoff == 0 ? 1 : p->backoff * 2;
	if (p->backoff > BACKOFF_MAX)
		p->backoff = BACKOFF_MAX;
	p->restart_at = now + p->backoff;
	p->restarts++;
	/* Everything wired to a qmgr goes with it. */
	if (p->kind == R_QMGR)
		stop_wired(p->dir);
	/*
	 * A new diode-rx resumes the sending session from its saved state,
	 * but what died in its memory and socket buffer would then be only
	 * reported lost.  A new sender session sends again what it had not
	 * recorded as sent, and names what it had (guard/diode/diode.h,
	 * "Accounting across restarts"), so the sender starts one too.
	 */
	if (p->kind == R_DIODE_RX) {
		struct proc *tx = find(R_DIODE_TX, p->dir, 0);

		if (tx != NULL && tx->pid != 0)
			(void)kill(tx->pid, SIGTERM);
	}
}

static void
reap(void)
{
	pid_t	pid;
	int	status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < MAX_ROLES; i++)
			if (s.p[i].used && s.p[i].pid == pid) {
				exited(&s.p[i], status);
				break;
			}
}

static void
restarts(void)
{
	time_t	now = time(NULL);
	int	i, d;
	bool	shared = false;

	for (i = 0; i < MAX_ROLES; i++) {
		struct proc *p = &s.p[i];

		if (!p->used || p->pid != 0 || p->restart_at == 0 ||
		    p->restart_at > now)
			continue;
		if (p->kind == R_PICKUP && s.closed)
			continue;
		if (p->kind == R_QMGR) {
			start_direction(p->dir);
			sup_audit(10, "role=qmgr direction=%s restarted",
			    gp_dir_name(p->dir));
			continue;
		}
		if (roles[p->kind].to_qmgr && find(R_QMGR, p->dir, 0)->pid ==
		    0)
			continue;
		start(p);
		if (p->pid != 0) {
			sup_audit(10, "role=%s direction=%s index=%u "
			    "restarted", roles[p->kind].name, p->dir >= 0 ?
			    gp_dir_name(p->dir) : "-", p->idx);
			if (p->kind == R_AUDIT || p->kind == R_ARCHIVE)
				shared = true;
		}
	}
	if (shared)
		for (d = 0; d < 2; d++)
			if (s.cfg.dirs[d].present &&
			    find(R_QMGR, d, 0)->pid != 0)
				wire_shared(find(R_QMGR, d, 0));
}

/* ------------------------------------------------------------------ */
/* Policy reload. */

static int
policy_load(const char *file, char *msg, size_t len)
{
	struct guardpol	*oldp, *newp;
	char		 err[900], oldd[65], newd[65];
	int		 i;

	if ((newp = gp_load_file(file, s.cfg.pki, err, sizeof(err))) ==
	    NULL) {
		(void)snprintf(msg, len, "policy not loaded: %s\n", err);
		sup_audit(7, "policy-load refused file=%s error=\"%s\"", file,
		    err);
		return 1;
	}
	oldp = gp_load_file(s.policy, NULL, err, sizeof(err));
	for (i = 0; i < 32; i++) {
		(void)snprintf(newd + 2 * i, 3, "%02x", newp->digest[i]);
		(void)snprintf(oldd + 2 * i, 3, "%02x", oldp != NULL ?
		    oldp->digest[i] : 0);
	}
	gp_free(oldp);
	gp_free(newp);
	free(s.policy);
	s.policy = xstrdup(file);
	(void)snprintf(s.old_pdigest, sizeof(s.old_pdigest), "%s", s.pdigest);
	(void)snprintf(s.pdigest, sizeof(s.pdigest), "%s", newd);
	sup_audit(7 /* policy-loaded is 7? see below */, "policy-loaded "
	    "file=%s old=%s new=%s", file, oldd, newd);
	/* New verify and policy roles load it; old ones are stopped. */
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && (s.p[i].kind == R_VERIFY ||
		    s.p[i].kind == R_POLICY || s.p[i].kind == R_DIODE_TX ||
		    s.p[i].kind == R_DIODE_RX) && s.p[i].pid != 0)
			(void)kill(s.p[i].pid, SIGTERM);
	(void)snprintf(msg, len, "policy %s loaded (sha256 %s); verify and "
	    "policy roles restarting\n", file, newd);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The control socket. */

static void
ctl_listen(void)
{
	struct sockaddr_un	 sun;
	struct group		*gr;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(s.cfg.control) >= sizeof(sun.sun_path))
		fatalx("control socket path too long: %s", s.cfg.control);
	memcpy(sun.sun_path, s.cfg.control, strlen(s.cfg.control));
	(void)unlink(s.cfg.control);
	if ((s.ctlfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    bind(s.ctlfd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(s.ctlfd, 8) == -1)
		fatal("control socket %s", s.cfg.control);
	if (s.cfg.control_group != NULL && geteuid() == 0) {
		if ((gr = getgrnam(s.cfg.control_group)) == NULL)
			fatalx("control-group %s: no such group",
			    s.cfg.control_group);
		if (chown(s.cfg.control, 0, gr->gr_gid) == -1)
			fatal("%s", s.cfg.control);
	}
	if (chmod(s.cfg.control, 0660) == -1)
		fatal("%s", s.cfg.control);
}

static void
client_done(struct client *c)
{
	const uint8_t	*p = c->out.data;
	size_t		 left = c->out.len;
	ssize_t		 k;

	while (left > 0 && (k = write(c->fd, p, left)) > 0) {
		p += k;
		left -= (size_t)k;
	}
	(void)close(c->fd);
	buf_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void
client_put(struct client *c, const char *t)
{
	(void)buf_add(&c->out, t, strlen(t));
}

static void
sup_status(struct client *c)
{
	char	line[512];
	int	i;

	(void)snprintf(line, sizeof(line), "mmguardd: %s%s%s\npolicy: %s\n",
	    s.closed ? "FAILED CLOSED: " : "running", s.closed ? s.why : "",
	    "", s.policy);
	client_put(c, line);
	for (i = 0; i < MAX_ROLES; i++) {
		const struct proc *p = &s.p[i];

		if (!p->used)
			continue;
		if (p->pid != 0)
			(void)snprintf(line, sizeof(line), "  %-9s %-11s %u  "
			    "up pid %d  restarts %u\n", roles[p->kind].name,
			    p->dir >= 0 ? gp_dir_name(p->dir) : "-", p->idx,
			    (int)p->pid, p->restarts);
		else
			(void)snprintf(line, sizeof(line), "  %-9s %-11s %u  "
			    "down  restarts %u\n", roles[p->kind].name,
			    p->dir >= 0 ? gp_dir_name(p->dir) : "-", p->idx,
			    p->restarts);
		client_put(c, line);
	}
}

/* Relay a command to every qmgr; the client waits for the replies. */
static void
relay(struct client *c, const char *line)
{
	int	d;

	c->waiting = ++s.req;
	for (d = 0; d < 2; d++) {
		struct proc *q = s.cfg.dirs[d].present ? find(R_QMGR, d, 0) :
		    NULL;

		if (q == NULL || q->pid == 0 || !q->has_ch)
			continue;
		ipc_create(&q->ch, MSG_CTL, c->waiting);
		ipc_add_string(&q->ch, line);
		if (ipc_close(&q->ch) == 0)
			c->pending++;
	}
	if (c->pending == 0) {
		client_put(c, "no queue manager is running\n");
		client_done(c);
	}
}

static void
client_command(struct client *c, char *line)
{
	char	msg[1024];
	size_t	n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (strcmp(line, "status") == 0) {
		sup_status(c);
		relay(c, "status");
		return;
	}
	if (strncmp(line, "policy load ", 12) == 0) {
		if (policy_load(line + 12, msg, sizeof(msg)) != 0)
			client_put(c, "refused: ");
		client_put(c, msg);
		client_done(c);
		return;
	}
	if (strncmp(line, "queue", 5) == 0 || strncmp(line, "show ", 5) == 0 ||
	    strncmp(line, "release ", 8) == 0 ||
	    strncmp(line, "reject ", 7) == 0) {
		c->needs_id = strncmp(line, "queue", 5) != 0;
		relay(c, line);
		return;
	}
	client_put(c, "refused: unknown command\n");
	client_done(c);
}

static void
ctl_accept(void)
{
	char	line[2048];
	ssize_t	n;
	int	fd, i;

	if ((fd = accept4(s.ctlfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	for (i = 0; i < MAX_CLIENTS && s.c[i].fd != -1; i++)
		;
	if (i == MAX_CLIENTS) {
		(void)close(fd);
		return;
	}
	/* One short line; the client writes it whole right away. */
	{
		struct pollfd	pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 2000) != 1 ||
		    (n = read(fd, line, sizeof(line) - 1)) <= 0) {
			(void)close(fd);
			return;
		}
	}
	line[n] = '\0';
	s.c[i].fd = fd;
	buf_init(&s.c[i].out, 1 << 20);
	client_command(&s.c[i], line);
}

static void
on_ctl_reply(struct ipc_msg *m)
{
	uint32_t	 status;
	const char	*text;
	int		 i;

	if (ipc_get_u32(m, &status) == -1 || ipc_get_string(m, &text) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (s.c[i].fd != -1 && s.c[i].waiting == m->id) {
			struct client *c = &s.c[i];

			/* 0 done, 1 refused, 2 not this direction's */
			if (status != 2)
				c->found = true;
			if (status == 1) {
				c->refused = true;
				client_put(c, "refused: ");
			}
			client_put(c, text);
			if (--c->pending == 0) {
				if (c->needs_id && !c->found)
					client_put(c, "refused: no such "
					    "message\n");
				client_done(c);
			}
			return;
		}
}

/* ------------------------------------------------------------------ */

static void
stop_all(void)
{
	int	i, left;
	time_t	until = time(NULL) + 5;

	s.stopping = true;
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].pid != 0)
			(void)kill(s.p[i].pid, SIGTERM);
	do {
		reap();
		for (left = 0, i = 0; i < MAX_ROLES; i++)
			left += s.p[i].used && s.p[i].pid != 0;
		if (left > 0)
			(void)poll(NULL, 0, 50);
	} while (left > 0 && time(NULL) < until);
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].pid != 0)
			(void)kill(s.p[i].pid, SIGKILL);
	reap();
}

static void
loop(void)
{
	struct pollfd		 pfd[MAX_ROLES + 2];
	struct proc		*who[MAX_ROLES + 2];
	struct signalfd_siginfo	 si;
	struct ipc_msg		*m = xmalloc(sizeof(*m));
	nfds_t			 n, i;
	char			 msg[1024];
	int			 k;

	for (;;) {
		restarts();
		n = 0;
		pfd[n].fd = s.sigfd;
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		pfd[n].fd = s.ctlfd;
		pfd[n].events = POLLIN;
		who[n++] = NULL;
		for (k = 0; k < MAX_ROLES; k++)
			if (s.p[k].used && s.p[k].pid != 0 && s.p[k].has_ch) {
				pfd[n].fd = s.p[k].ch.fd;
				pfd[n].events = ipc_events(&s.p[k].ch);
				who[n++] = &s.p[k];
			}
		if (poll(pfd, n, 500) == -1 && errno != EINTR)
			fatal("poll");
		if (pfd[0].revents & POLLIN &&
		    read(s.sigfd, &si, sizeof(si)) == sizeof(si)) {
			switch (si.ssi_signo) {
			case SIGCHLD:
				reap();
				break;
			case SIGHUP:
				(void)policy_load(s.policy, msg, sizeof(msg));
				log_info("%s", msg);
				break;
			default:
				log_info("stopping");
				stop_all();
				return;
			}
		}
		if (pfd[1].revents & POLLIN)
			ctl_accept();
		for (i = 2; i < n; i++) {
			struct proc *p = who[i];

			if (p->pid == 0 || !p->has_ch)
				continue;
			if (pfd[i].revents & POLLOUT)
				(void)ipc_flush(&p->ch);
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			while (p->has_ch && (k = ipc_recv(&p->ch, m)) == 1) {
				if (m->type == MSG_CTL_REPLY &&
				    p->kind == R_QMGR)
					on_ctl_reply(m);
				else if (m->type == MSG_AUDIT &&
				    p->kind == R_ARCHIVE)
					forward_audit(p, m);
				else {
					log_warnx("%s: unexpected frame %u",
					    roles[p->kind].name, m->type);
					ipc_msg_free(m);
				}
			}
		}
		for (k = 0; k < MAX_ROLES; k++)
			if (s.p[k].used && s.p[k].pid != 0 && s.p[k].has_ch)
				(void)ipc_flush(&s.p[k].ch);
	}
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mmguardd -c FILE [-n] [-v]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct guardpol	*gp;
	sigset_t	 set;
	char		 err[1024], *self, *slash;
	const char	*conf = NULL;
	int		 c, check = 0, d, i;

	log_init("mmguardd", LOG_TO_STDERR, 0);
	while ((c = getopt(argc, argv, "c:nvh")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			s.verbose++;
			break;
		default:
			usage();
		}
	}
	if (conf == NULL || optind != argc)
		usage();
	if (config_load(conf, &s.cfg, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	s.policy = xstrdup(s.cfg.policy);
	if ((gp = gp_load_file(s.policy, s.cfg.pki, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (d = 0; d < 2; d++)
		if (s.cfg.dirs[d].present && !gp->dirs[d].present) {
			fprintf(stderr, "%s: the policy has no %s direction\n",
			    s.policy, gp_dir_name((enum gp_dir)d));
			gp_free(gp);
			return 1;
		}
	for (i = 0; i < 32; i++)
		(void)snprintf(s.pdigest + 2 * i, 3, "%02x", gp->digest[i]);
	s.retention = gp->retention_days;
	gp_free(gp);
	if (check) {
		printf("%s: configuration and policy valid\n", conf);
		return 0;
	}
	if (s.cfg.libexec != NULL)
		s.libexec = xstrdup(s.cfg.libexec);
	else {
		self = realpath("/proc/self/exe", NULL);
		if (self == NULL || (slash = strrchr(self, '/')) == NULL)
			fatalx("cannot tell where the role programs are; "
			    "set libexec");
		*slash = '\0';
		s.libexec = self;
	}
	if (geteuid() == 0) {
		struct passwd	*pw;

		if (s.cfg.user == NULL || (pw = getpwnam(s.cfg.user)) == NULL ||
		    pw->pw_uid == 0)
			fatalx("running as root needs \"user\": an existing "
			    "unprivileged user for the roles");
		role_uid = pw->pw_uid;
		role_gid = pw->pw_gid;
		role_ids = true;
	}
	mkdirs(s.cfg.run);
	give(s.cfg.run);
	for (d = 0; d < 2; d++) {
		static const char *const sub[] = { "", "spool", "outbox",
		    "sent", "rx", "rx/state" };
		size_t j;

		if (!s.cfg.dirs[d].present)
			continue;
		for (j = 0; j < sizeof(sub) / sizeof(sub[0]); j++) {
			char *p = dpath(d, sub[j]);

			mkdirs(p);
			give(p);
			free(p);
		}
		{
			/* The spool's layout, made here and given to the
			 * roles, which open it already dropped to their
			 * user. */
			struct spool	 sp;
			char		*sp_path = dpath(d, "spool");
			unsigned	 k;

			if (spool_open(&sp, sp_path, err, sizeof(err)) == -1)
				fatalx("%s", err);
			if (role_ids) {
				for (k = 0; k < SPOOL_NSTATES; k++)
					if (fchown(sp.fds[k], role_uid,
					    role_gid) == -1)
						fatal("chown %s", sp_path);
				if (fchown(sp.tmpfd, role_uid, role_gid) ==
				    -1)
					fatal("chown %s", sp_path);
			}
			spool_close(&sp);
			free(sp_path);
		}
		mkdirs(s.cfg.dirs[d].pickup);
		mkdirs(s.cfg.dirs[d].deliver);
		mkdirs(s.cfg.dirs[d].reports);
		give(s.cfg.dirs[d].pickup);
		give(s.cfg.dirs[d].deliver);
		give(s.cfg.dirs[d].reports);
	}
	mkdirs(s.cfg.audit);
	give(s.cfg.audit);
	{
		char	*a = xstrdup(s.cfg.archive), *sl = strrchr(a, '/');

		if (sl != NULL && sl != a) {
			*sl = '\0';
			mkdirs(a);
			give(a);
		}
		free(a);
	}
	for (i = 0; i < MAX_CLIENTS; i++)
		s.c[i].fd = -1;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (s.sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	(void)signal(SIGPIPE, SIG_IGN);
	ctl_listen();
	declare_all();
	start(find(R_AUDIT, -1, 0));
	start(find(R_ARCHIVE, -1, 0));
	for (d = 0; d < 2; d++)
		if (s.cfg.dirs[d].present)
			start_direction(d);
	sup_audit(8 /* role-started */, "mmguardd started policy=%s",
	    s.policy);
	log_info("running: control socket %s", s.cfg.control);
	loop();
	(void)unlink(s.cfg.control);
	config_free(&s.cfg);
	return 0;
}
