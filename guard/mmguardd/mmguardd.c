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
 *	verify and policy processes and one more verify process kept for
 *	FLASH and OVERRIDE messages (the others run at nice 10, it at 0),
 *	mmguard-diode-tx and mmguard-diode-rx
 *	(the one-way channel, over a local datagram socket in the run
 *	directory), which writes into the far side's drop folder.  Shared:
 *	audit (the only writer of the audit log) and archive (the only
 *	writer of the archive).
 *
 *	Every role the table marks records its own events on a channel of
 *	its own to the audit role (descriptor 4); mmguardd hands the audit
 *	end to the audit role with the process's kind and name, which the
 *	audit role writes as the records' role (guard/audit/auditev.h), and
 *	keeps a copy, handed again to a restarted audit role.  mmguardd
 *	records its own events (roles started, crashed, restarted, a
 *	sandbox violation, policy loads, configuration changes: the
 *	configuration file's digest against the last start's, kept in
 *	RUN/last-start) on its own channel, and keeps them while the audit
 *	role is down.  A process whose events the audit role refuses is
 *	stopped.
 *
 *	A role that exits is started again after a pause that doubles with
 *	each exit (1 s up to 32 s) and is reset after a minute of good
 *	running; one mmguardd stopped itself (a policy load, its qmgr
 *	gone) is started again at once and not counted as a failure.  A role that cannot be kept up (five exits within a minute)
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
 *	Started as root, it runs each role as its own user (`users
 *	PREFIX': PREFIX-pickup, PREFIX-qmgr, ..., all of group PREFIX, the
 *	users `make install' creates) or all roles as one (`user NAME').
 *	Directories the roles share belong to root and that group, mode
 *	0770; the audit and archive directories to their one role, 0700;
 *	the roles inherit the umask 007.
 *
 *	The control socket (mmguardctl) takes one command per connection:
 *	status, queue [STATE], show ID, release ID OFFICER REASON, reject
 *	ID OFFICER REASON, policy load OFFICER FILE, audit rotate-key
 *	OFFICER [FILE].
 *
 *	audit rotate-key: mmguardd makes a new Ed25519 key (or loads the
 *	officer's FILE), stores it as AUDIT-KEY.new, and hands it to the
 *	audit role, which records the officer's action and the rotation
 *	(signed by both keys) and signs with the new key from then on;
 *	then AUDIT-KEY.new replaces AUDIT-KEY, and the command prints the
 *	new key's id and public key (also in the audit directory as
 *	key-ID.pub).  The audit role is always started with both files and
 *	says which one the log is signed with, so that a crash at any step
 *	leaves the key in force in AUDIT-KEY (guard/mmguardd/auditkey.h).
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

#include "guard/audit/auditev.h"
#include "guard/common/hex.h"
#include "guard/common/file.h"
#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/xmalloc.h"
#include "guard/mmguardd/auditkey.h"
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

/*
 * The graph: each role, its program, whom its descriptor 3 joins, and
 * whether it records events on a channel of its own to the audit role
 * (descriptor 4; the name is the kind auditev.h holds it to).  qmgr's
 * audit channel comes as a peer (wire_shared), made anew with each audit
 * role, so that it asks again for the acknowledgements it awaits.
 */
static const struct {
	const char	*name;
	const char	*prog;
	enum peer_kind	 peer;		/* as qmgr knows it; 0: not a peer */
	bool		 pooled;
	bool		 to_qmgr;	/* fd 3 joins qmgr (else mmguardd) */
	bool		 audits;	/* fd 4 joins the audit role */
} roles[] = {
	[R_PICKUP] =	{ "pickup", "mmguard-pickup", PEER_PICKUP, false, true,
			  true },
	[R_QMGR] =	{ "qmgr", "mmguard-qmgr", 0, false, false, false },
	[R_DECODE] =	{ "decode", "mmguard-decode", PEER_DECODE, true, true,
			  true },
	[R_VERIFY] =	{ "verify", "mmguard-verify", PEER_VERIFY, true, true,
			  true },
	[R_POLICY] =	{ "policy", "mmguard-policy", PEER_POLICY, true, true,
			  true },
	[R_DIODE_TX] =	{ "diode-tx", "mmguard-diode-tx", 0, false, false,
			  true },
	[R_DIODE_RX] =	{ "diode-rx", "mmguard-diode-rx", 0, false, false,
			  true },
	[R_AUDIT] =	{ "audit", "mmguard-auditd", 0, false, false, false },
	[R_ARCHIVE] =	{ "archive", "mmguard-archived", 0, false, false,
			  true },
};

struct proc {
	bool		 used;
	enum role_kind	 kind;
	int		 dir;		/* direction, -1 shared */
	unsigned	 idx;		/* within a pool */
	pid_t		 pid;		/* 0: not running */
	struct ipc_chan	 ch;		/* to mmguardd, when not to qmgr */
	bool		 has_ch;
	int		 afd;		/* the audit role's end of its audit
					   channel, kept across audit
					   restarts (-1: none) */
	const char	*stop_why;	/* stopped by mmguardd: why */
	char		 restart_why[128];
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
	char		*audit_newkey;	/* audit-key.new: a rotation's key */
	uint64_t	 rotating;	/* the request of a rotation under way */
	struct auditkey_new rot;	/* its key, while it is */
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

/*
 * Who the roles run as when mmguardd is root: `users PREFIX', each role
 * its own user PREFIX-ROLE, all of group PREFIX; or `user NAME', one user
 * for all.  Directories the roles share belong to root and that group,
 * mode 0770; the audit and archive directories belong to their one role.
 */
static bool	role_ids;
static gid_t	role_gid;
static uid_t	role_uid[R_ARCHIVE + 1];
static char	*role_user[R_ARCHIVE + 1];

static void
give_mode(const char *path, uid_t uid, mode_t mode)
{
	if (!role_ids)
		return;
	if (chown(path, uid, role_gid) == -1 ||
	    (s.cfg.users != NULL && chmod(path, mode) == -1))
		fatal("chown %s", path);
}

/* A directory roles write: shared by the group (one user: its own). */
static void
give(const char *path)
{
	give_mode(path, s.cfg.users != NULL ? 0 : role_uid[R_QMGR], 0770);
}

static void
give_fd(int fd, const char *path)
{
	if (!role_ids)
		return;
	if (fchown(fd, s.cfg.users != NULL ? 0 : role_uid[R_QMGR],
	    role_gid) == -1 || (s.cfg.users != NULL && fchmod(fd, 0770) == -1))
		fatal("chown %s", path);
}

/* Look up the roles' users (root only); exits when one is missing. */
static void
role_users(void)
{
	struct passwd	*pw;
	struct group	*gr;
	char		 name[64];
	unsigned	 k;

	if (s.cfg.users == NULL && s.cfg.user == NULL)
		fatalx("running as root needs \"users PREFIX\" (the users "
		    "`make install' creates) or \"user NAME\"");
	if (s.cfg.users != NULL) {
		if ((gr = getgrnam(s.cfg.users)) == NULL || gr->gr_gid == 0)
			fatalx("users %s: no group %s (make install, or sh "
			    "guard/mmguardd/mkusers.sh %s, creates it)",
			    s.cfg.users, s.cfg.users, s.cfg.users);
		role_gid = gr->gr_gid;
	}
	for (k = 0; k <= R_ARCHIVE; k++) {
		if (s.cfg.users != NULL)
			(void)snprintf(name, sizeof(name), "%s-%s",
			    s.cfg.users, roles[k].name);
		else
			(void)snprintf(name, sizeof(name), "%s", s.cfg.user);
		if ((pw = getpwnam(name)) == NULL || pw->pw_uid == 0 ||
		    pw->pw_gid == 0)
			fatalx("no unprivileged user %s for the %s role%s", name,
			    roles[k].name, s.cfg.users != NULL ? " (make "
			    "install creates the guard's users)" : "");
		if (s.cfg.users != NULL && pw->pw_gid != role_gid)
			fatalx("user %s: its group is not %s", name,
			    s.cfg.users);
		role_uid[k] = pw->pw_uid;
		role_user[k] = xstrdup(name);
		if (s.cfg.users == NULL)
			role_gid = pw->pw_gid;
	}
	role_ids = true;
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
			s.p[i].afd = -1;
			return &s.p[i];
		}
	fatalx("too many roles");
}

/* ------------------------------------------------------------------ */
/* Audit: the processes' channels to the audit role, and mmguardd's own
 * events.  The audit role names each record after the channel it came
 * on (guard/audit/auditev.h); mmguardd keeps its own copy of the audit
 * end of every role's channel, so that a role's channel outlives a
 * restart of the audit role (what a role sends meanwhile waits in the
 * socket) and is handed to the new one. */

/* A process's name in the audit log: verify-h2l-1, qmgr-l2h, archive. */
static const char *
proc_name(const struct proc *p)
{
	static char	n[AUDITEV_NAME_MAX + 1];

	if (p->dir < 0)
		(void)snprintf(n, sizeof(n), "%s", roles[p->kind].name);
	else if (roles[p->kind].pooled)
		(void)snprintf(n, sizeof(n), "%s-%s-%u", roles[p->kind].name,
		    dshort(p->dir), p->idx);
	else
		(void)snprintf(n, sizeof(n), "%s-%s", roles[p->kind].name,
		    dshort(p->dir));
	return n;
}

static struct proc *
audit_role(void)
{
	struct proc	*a = find(R_AUDIT, -1, 0);

	return a != NULL && a->pid != 0 && a->has_ch ? a : NULL;
}

/* Hand the audit end of a channel (fd, given away) to the audit role. */
static void
audit_peer(const char *kind, const char *name, pid_t pid, int fd)
{
	struct proc	*a = audit_role();

	if (a == NULL) {
		(void)close(fd);
		return;
	}
	ipc_create(&a->ch, MSG_AUDIT_PEER, 0);
	ipc_add_string(&a->ch, kind);
	ipc_add_string(&a->ch, name);
	ipc_add_u32(&a->ch, (uint32_t)pid);
	ipc_add_fd(&a->ch, fd);
	if (ipc_close(&a->ch) == -1)
		log_warnx("audit: %s", a->ch.err);
}

static void
audit_hand(struct proc *p)
{
	int	fd;

	if (!p->used || p->pid == 0 || p->afd == -1 || audit_role() == NULL)
		return;
	if ((fd = fcntl(p->afd, F_DUPFD_CLOEXEC, 0)) == -1) {
		log_warn("%s: audit channel", proc_name(p));
		return;
	}
	audit_peer(roles[p->kind].name, proc_name(p), p->pid, fd);
}

/*
 * The audit channel of a process that ended while the audit role was
 * down: what it sent last is still in the socket, for the next one.
 */
#define ORPHANS_MAX	32

static struct {
	int	 fd;
	int	 kind;
	char	 name[AUDITEV_NAME_MAX + 1];
	pid_t	 pid;
} orphans[ORPHANS_MAX];
static size_t	norphans;

static void
audit_release_fd(struct proc *p, pid_t pid)
{
	if (p->afd == -1)
		return;
	if (audit_role() != NULL || norphans == ORPHANS_MAX) {
		(void)close(p->afd);	/* the audit role has its own copy */
	} else {
		orphans[norphans].fd = p->afd;
		orphans[norphans].kind = p->kind;
		(void)snprintf(orphans[norphans].name,
		    sizeof(orphans[norphans].name), "%s", proc_name(p));
		orphans[norphans++].pid = pid;
	}
	p->afd = -1;
}

static void
audit_hand_orphans(void)
{
	size_t	i;

	for (i = 0; i < norphans; i++)
		audit_peer(roles[orphans[i].kind].name, orphans[i].name,
		    orphans[i].pid, orphans[i].fd);
	norphans = 0;
}

/*
 * mmguardd's own events while the audit role is down (its crash among
 * them) wait for the next one, up to a bound; beyond it they are only
 * logged.
 */
#define SUP_PENDING	64

static struct {
	enum audit_ev	 ev;
	size_t		 n;
	struct audit_kv	 kv[AUDITEV_MAX_KV];
} sup_pend[SUP_PENDING];
static size_t	sup_npend;

static void
sup_keep(enum audit_ev ev, const struct audit_kv *kv, size_t n)
{
	size_t	i;

	if (sup_npend == SUP_PENDING || n > AUDITEV_MAX_KV)
		return;
	sup_pend[sup_npend].ev = ev;
	sup_pend[sup_npend].n = n;
	for (i = 0; i < n; i++) {
		sup_pend[sup_npend].kv[i].key = xstrdup(kv[i].key);
		sup_pend[sup_npend].kv[i].value = xstrdup(kv[i].value);
	}
	sup_npend++;
}

static void	sup_event(enum audit_ev, const struct audit_kv *, size_t);

/* A new audit role: what waited goes first. */
static void
sup_send_kept(void)
{
	size_t	i, j, n = sup_npend;

	sup_npend = 0;
	for (i = 0; i < n; i++) {
		sup_event(sup_pend[i].ev, sup_pend[i].kv, sup_pend[i].n);
		for (j = 0; j < sup_pend[i].n; j++) {
			free((char *)(uintptr_t)sup_pend[i].kv[j].key);
			free((char *)(uintptr_t)sup_pend[i].kv[j].value);
		}
	}
}

/* One of mmguardd's own events. */
static void
sup_event(enum audit_ev ev, const struct audit_kv *kv, size_t n)
{
	struct proc	*a = audit_role();
	char		 line[1024];
	size_t		 i, k;

	k = (size_t)snprintf(line, sizeof(line), "%s", audit_ev_name(ev));
	for (i = 0; i < n && k < sizeof(line); i++)
		k += (size_t)snprintf(line + k, sizeof(line) - k, " %s=%s",
		    kv[i].key, kv[i].value);
	if (a == NULL) {
		log_warnx("audit unavailable%s: %s", sup_npend < SUP_PENDING ?
		    " (kept for the next audit role)" : "", line);
		sup_keep(ev, kv, n);
		return;
	}
	if (s.verbose)
		log_info("audit: %s", line);
	if (auditev_send(&a->ch, 0, ev, "", kv, n) == -1)
		log_warnx("audit: %s", a->ch.err);
}

/* A role started, restarted, crashed or violated its sandbox. */
static void
role_event(const struct proc *p, pid_t pid, enum audit_ev ev,
    const char *how)
{
	struct audit_kv	kv[3];
	char		pidbuf[16];
	size_t		n = 0;

	(void)snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	kv[n++] = (struct audit_kv){ "process", proc_name(p) };
	kv[n++] = (struct audit_kv){ "pid", pidbuf };
	if (how != NULL)
		kv[n++] = (struct audit_kv){ ev == AUDIT_EV_ROLE_RESTARTED ?
		    "reason" : "how", how };
	sup_event(ev, kv, n);
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
		ARG("-U");
		FMT("%u", s.cfg.workers);
		break;
	case R_DECODE:
		break;
	case R_VERIFY:
		if (p->idx < s.cfg.workers) {
			/* The pool's ROUTINE work yields the processors to
			 * the urgent worker's (qmgr -U). */
			ARG("-n");
			ARG("10");
		}
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
		ARG("-n");
		ARG(s.audit_newkey);
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
	if (role_ids) {
		ARG("-u");
		ARG(role_user[p->kind]);
	}
	v[n] = NULL;
#undef ARG
#undef FMT
	return v;
}

/*
 * Does the direction's diode-rx listen?  It runs, and its socket is there
 * (start() removes the one a dead receiver left).
 */
static bool
rx_listening(int d)
{
	struct proc	*rx = find(R_DIODE_RX, d, 0);
	struct stat	 sb;
	char		*sock;
	bool		 up;

	if (rx == NULL || rx->pid == 0)
		return false;
	sock = dpath(d, "diode.sock");
	up = stat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode);
	free(sock);
	return up;
}

static void
start(struct proc *p)
{
	struct proc	*q = p->dir >= 0 ? find(R_QMGR, p->dir, 0) : NULL;
	int		 sv[2], av[2] = { -1, -1 }, i;
	char		 err[256];

	if (roles[p->kind].to_qmgr && (q == NULL || q->pid == 0))
		return;		/* started with its qmgr */
	/*
	 * A sending session begins once its receiver listens: what it sent
	 * before would die on the way, to be reported lost, not delivered.
	 * Tried again at every turn of the main loop (restarts()).
	 */
	if (p->kind == R_DIODE_TX && !rx_listening(p->dir)) {
		p->restart_at = time(NULL);
		return;
	}
	if (p->kind == R_DIODE_RX) {
		/* The socket of a diode-rx that died is still there. */
		char	*sock = dpath(p->dir, "diode.sock");

		(void)unlink(sock);
		free(sock);
	}
	if (ipc_socketpair(sv, err, sizeof(err)) == -1 ||
	    (roles[p->kind].audits && ipc_socketpair(av, err,
	    sizeof(err)) == -1))
		fatalx("%s", err);
	p->pid = proc_exec_audit(argv_of(p)[0], argv_of(p), sv[1], av[1], err,
	    sizeof(err));
	(void)close(sv[1]);
	if (av[1] != -1)
		(void)close(av[1]);
	if (p->pid == -1) {
		log_warnx("%s: %s", roles[p->kind].name, err);
		p->pid = 0;
		(void)close(sv[0]);
		if (av[0] != -1)
			(void)close(av[0]);
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
	} else {
		if (ipc_chan_init(&p->ch, sv[0], roles[p->kind].name) == -1)
			fatalx("%s", p->ch.err);
		p->has_ch = true;
	}
	/* Its audit channel; a new audit role gets every one still open. */
	p->afd = av[0];
	audit_hand(p);
	if (p->kind == R_AUDIT) {
		for (i = 0; i < MAX_ROLES; i++)
			audit_hand(&s.p[i]);
		audit_hand_orphans();
		sup_send_kept();
	}
	role_event(p, p->pid, p->restarts == 0 ? AUDIT_EV_ROLE_STARTED :
	    AUDIT_EV_ROLE_RESTARTED, p->restarts == 0 ? NULL :
	    p->restart_why);
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
		audit_peer("qmgr", proc_name(qm), qm->pid, sv[1]);
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
		/* One more verify worker, kept for FLASH and OVERRIDE. */
		declare(R_VERIFY, d, s.cfg.workers);
		/* The receiver first: listening before the sender sends. */
		declare(R_DIODE_RX, d, 0);
		declare(R_DIODE_TX, d, 0);
	}
}

/* ------------------------------------------------------------------ */
/* Exits and restarts. */

/* A role mmguardd stops on purpose: started again at once, no failure. */
static void
stop_role(struct proc *p, const char *why)
{
	if (p == NULL || p->pid == 0)
		return;
	p->stop_why = why;
	(void)kill(p->pid, SIGTERM);
}

static void
fail_closed(const char *why)
{
	int		i;
	struct audit_kv	kv[2] = { { "change", "failed-closed" },
			    { "reason", why } };

	if (s.closed)
		return;
	s.closed = true;
	(void)snprintf(s.why, sizeof(s.why), "%s", why);
	log_warnx("failing closed: %s; no new message is accepted", why);
	sup_event(AUDIT_EV_CONFIG_CHANGED, kv, 2);
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].kind == R_PICKUP)
			stop_role(&s.p[i], "failed closed");
}

static void
stop_wired(int d)
{
	int	i;

	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].dir == d &&
		    roles[s.p[i].kind].to_qmgr)
			stop_role(&s.p[i], "its queue manager restarted");
}

static void	audit_rotation_lost(void);

/* A crash: counted against the role, restarted after a pause. */
static void
crashed(struct proc *p, pid_t pid, int status, time_t now)
{
	char	how[128];
	bool	sigsys;

	/* The debug sandbox exits 159 (128 + SIGSYS) where the real one
	 * kills with SIGSYS. */
	sigsys = (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) ||
	    (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGSYS);
	if (WIFSIGNALED(status))
		(void)snprintf(how, sizeof(how), "killed by signal %d%s",
		    WTERMSIG(status), sigsys ?
		    " (a forbidden system call: sandbox violation)" : "");
	else
		(void)snprintf(how, sizeof(how), "exited with status %d%s",
		    WEXITSTATUS(status), sigsys ? " (a forbidden system call: "
		    "sandbox violation)" : "");
	log_warnx("%s%s%s %s", roles[p->kind].name, p->dir >= 0 ? " " : "",
	    p->dir >= 0 ? dshort(p->dir) : "", how);
	role_event(p, pid, sigsys ? AUDIT_EV_SANDBOX_VIOLATION :
	    AUDIT_EV_ROLE_CRASHED, how);
	(void)snprintf(p->restart_why, sizeof(p->restart_why), "%s", how);
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
}

static void
exited(struct proc *p, int status)
{
	time_t		 now = time(NULL);
	pid_t		 pid = p->pid;
	const char	*why = p->stop_why;

	p->pid = 0;
	p->stop_why = NULL;
	if (p->has_ch) {
		ipc_chan_free(&p->ch);
		p->has_ch = false;
	}
	audit_release_fd(p, pid);
	if (p->kind == R_AUDIT)
		audit_rotation_lost();
	if (s.stopping)
		return;
	if (p->kind == R_PICKUP && s.closed)
		return;
	if (why != NULL) {
		if (s.verbose)
			log_info("%s stopped: %s", proc_name(p), why);
		(void)snprintf(p->restart_why, sizeof(p->restart_why), "%s",
		    why);
		p->restart_at = now;
	} else
		crashed(p, pid, status, now);
	p->restarts++;
	/* Everything wired to a qmgr goes with it. */
	if (p->kind == R_QMGR)
		stop_wired(p->dir);
	/*
	 * A new diode-rx resumes the sending session from its saved state,
	 * but what died in its memory and socket buffer would then be only
	 * reported lost.  A new sender session sends again what it had not
	 * recorded as sent, and names what it had (guard/diode/diode.h,
	 * "Accounting across restarts"), so the sender starts one too,
	 * when the new receiver listens (start()).
	 */
	if (p->kind == R_DIODE_RX)
		stop_role(find(R_DIODE_TX, p->dir, 0), "a new diode-rx needs "
		    "a new sending session");
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
			continue;
		}
		if (roles[p->kind].to_qmgr && find(R_QMGR, p->dir, 0)->pid ==
		    0)
			continue;
		start(p);
		if (p->pid != 0 && (p->kind == R_AUDIT ||
		    p->kind == R_ARCHIVE))
			shared = true;
	}
	if (shared)
		for (d = 0; d < 2; d++)
			if (s.cfg.dirs[d].present &&
			    find(R_QMGR, d, 0)->pid != 0)
				wire_shared(find(R_QMGR, d, 0));
}

/* ------------------------------------------------------------------ */
/* Policy reload. */

/* VIA: control (an officer's command), sighup, start. */
static int
policy_load(const char *file, const char *officer, const char *via,
    char *msg, size_t len)
{
	struct guardpol	*newp;
	struct audit_kv	 kv[5];
	char		 err[900], oldd[65], newd[65], f[1001];
	size_t		 n = 0;
	int		 i;

	(void)snprintf(f, sizeof(f), "%s", file);
	if ((newp = gp_load_file(file, s.cfg.pki, err, sizeof(err))) ==
	    NULL) {
		(void)snprintf(msg, len, "policy not loaded: %s\n", err);
		kv[n++] = (struct audit_kv){ "change", "policy-load-refused" };
		kv[n++] = (struct audit_kv){ "file", f };
		kv[n++] = (struct audit_kv){ "error", err };
		if (officer != NULL)
			kv[n++] = (struct audit_kv){ "officer", officer };
		sup_event(AUDIT_EV_CONFIG_CHANGED, kv, n);
		return 1;
	}
	(void)snprintf(oldd, sizeof(oldd), "%s", s.pdigest);
	hex_lower(newp->digest, 32, newd);
	gp_free(newp);
	free(s.policy);
	s.policy = xstrdup(file);
	(void)snprintf(s.old_pdigest, sizeof(s.old_pdigest), "%s", s.pdigest);
	(void)snprintf(s.pdigest, sizeof(s.pdigest), "%s", newd);
	kv[n++] = (struct audit_kv){ "old", oldd };
	kv[n++] = (struct audit_kv){ "new", newd };
	kv[n++] = (struct audit_kv){ "via", via };
	kv[n++] = (struct audit_kv){ "file", f };
	if (officer != NULL)
		kv[n++] = (struct audit_kv){ "officer", officer };
	sup_event(AUDIT_EV_POLICY_LOADED, kv, n);
	/* New verify and policy roles load it; old ones are stopped. */
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && (s.p[i].kind == R_VERIFY ||
		    s.p[i].kind == R_POLICY || s.p[i].kind == R_DIODE_TX ||
		    s.p[i].kind == R_DIODE_RX))
			stop_role(&s.p[i], "policy load");
	(void)snprintf(msg, len, "policy %s loaded (sha256 %s); verify and "
	    "policy roles restarting\n", file, newd);
	return 0;
}

/*
 * What the guard starts with, against what it started with last time
 * (RUN/last-start): a configuration or policy that changed in between is
 * recorded, as a change made by whoever edited the files.
 */
static void
record_start(void)
{
	struct audit_kv	 kv[5];
	char		*path = join(s.cfg.run, "last-start"), *tmp, *text;
	char		 cdig[65], oldc[65] = "", oldp[65] = "", pid[16];
	char		 err[256], f[1001];
	size_t		 tlen;
	FILE		*fp;

	if (auditkey_file_digest(s.cfg.file, cdig, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((text = file_read(path, 4096, &tlen)) != NULL) {
		if (sscanf(text, "config %64s policy %64s", oldc, oldp) != 2)
			oldc[0] = oldp[0] = '\0';
		free(text);
	}
	(void)snprintf(pid, sizeof(pid), "%d", (int)getpid());
	kv[0] = (struct audit_kv){ "process", "mmguardd" };
	kv[1] = (struct audit_kv){ "pid", pid };
	kv[2] = (struct audit_kv){ "policy", s.pdigest };
	kv[3] = (struct audit_kv){ "config", cdig };
	sup_event(AUDIT_EV_ROLE_STARTED, kv, 4);
	if (strcmp(oldc, cdig) != 0) {
		(void)snprintf(f, sizeof(f), "%s", s.cfg.file);
		kv[0] = (struct audit_kv){ "change", "configuration" };
		kv[1] = (struct audit_kv){ "file", f };
		kv[2] = (struct audit_kv){ "new", cdig };
		kv[3] = (struct audit_kv){ "old", oldc };
		sup_event(AUDIT_EV_CONFIG_CHANGED, kv, oldc[0] != '\0' ? 4 : 3);
	}
	if (strcmp(oldp, s.pdigest) != 0) {
		(void)snprintf(f, sizeof(f), "%s", s.policy);
		if (oldp[0] == '\0')
			memset(oldp, '0', 64);
		kv[0] = (struct audit_kv){ "old", oldp };
		kv[1] = (struct audit_kv){ "new", s.pdigest };
		kv[2] = (struct audit_kv){ "via", "start" };
		kv[3] = (struct audit_kv){ "file", f };
		sup_event(AUDIT_EV_POLICY_LOADED, kv, 4);
	}
	tmp = join(s.cfg.run, ".last-start.tmp");
	if ((fp = fopen(tmp, "w")) == NULL ||
	    fprintf(fp, "config %s\npolicy %s\n", cdig, s.pdigest) < 0 ||
	    fclose(fp) != 0 || rename(tmp, path) == -1)
		log_warn("%s", path);
	free(tmp);
	free(path);
}

/* ------------------------------------------------------------------ */
/* Audit key rotation (auditkey.h says why in these steps). */

static struct client	*client_waiting(uint64_t);
static void		 client_put(struct client *, const char *);
static void		 client_done(struct client *);
static bool		 audit_key_known;	/* the audit role said which */

/* audit rotate-key OFFICER [FILE] */
static void
audit_rotate(struct client *c, char *args)
{
	struct proc	*a = audit_role();
	char		 err[600], *officer = args, *file;

	if ((file = strchr(args, ' ')) != NULL)
		*file++ = '\0';
	err[0] = '\0';
	if (officer[0] == '\0')
		(void)snprintf(err, sizeof(err), "an officer is required");
	else if (a == NULL || !audit_key_known)
		(void)snprintf(err, sizeof(err), "the audit role is not "
		    "running");
	else if (s.rotating != 0)
		(void)snprintf(err, sizeof(err), "a rotation is under way");
	else if (auditkey_make(file, s.audit_newkey, &s.rot, err,
	    sizeof(err)) == 0) {
		c->waiting = ++s.req;
		c->pending = 1;
		s.rotating = c->waiting;
		ipc_create(&a->ch, MSG_AUDIT_ROTATE, s.rotating);
		ipc_add_string(&a->ch, officer);
		ipc_add_data(&a->ch, s.rot.raw, sizeof(s.rot.raw));
		ipc_add_string(&a->ch, s.rot.pem);
		explicit_bzero(s.rot.raw, sizeof(s.rot.raw));
		if (ipc_close(&a->ch) == 0)
			return;
		(void)snprintf(err, sizeof(err), "%s", a->ch.err);
		s.rotating = 0;
		auditkey_discard(s.audit_newkey);
	}
	client_put(c, "refused: audit key not rotated: ");
	client_put(c, err);
	client_put(c, "\n");
	client_done(c);
}

/* The audit role's answer: the new key is in force, or not. */
static void
audit_rotated(struct ipc_msg *m)
{
	struct client	*c;
	uint32_t	 ok;
	const char	*text;
	char		 err[600], line[1200];

	if (ipc_get_u32(m, &ok) == -1 || ipc_get_string(m, &text) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	if (s.rotating == 0 || m->id != s.rotating)
		return;
	s.rotating = 0;
	c = client_waiting(m->id);
	if (!ok) {
		auditkey_discard(s.audit_newkey);
		(void)snprintf(line, sizeof(line), "refused: audit key not "
		    "rotated: %s\n", text);
	} else if (auditkey_commit(s.audit_newkey, s.cfg.audit_key, err,
	    sizeof(err)) == -1) {
		/* The audit role opens the log with KEY.new all the same. */
		log_warnx("audit key rotated to %s, but %s", text, err);
		(void)snprintf(line, sizeof(line), "audit key rotated to %s, "
		    "but it stays in %s: %s\n", text, s.audit_newkey, err);
	} else {
		log_info("audit key rotated to %s", text);
		(void)snprintf(line, sizeof(line), "audit key rotated: key %s "
		    "signs the log from now on (%s)\npublic key, also in "
		    "%s/key-%s.pub:\n%s", text, s.cfg.audit_key, s.cfg.audit,
		    text, s.rot.pem);
	}
	if (c != NULL) {
		client_put(c, line);
		client_done(c);
	}
}

/* The audit role says which key it opened the log with. */
static void
audit_key(struct ipc_msg *m)
{
	uint32_t	 which;
	const char	*id;
	char		 err[600];

	if (ipc_get_u32(m, &which) == -1 || ipc_get_string(m, &id) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	audit_key_known = true;
	if (which == 0) {
		if (s.rotating == 0)
			auditkey_discard(s.audit_newkey);
		return;
	}
	log_warnx("the audit log is signed with %s's key %s: it becomes %s",
	    s.audit_newkey, id, s.cfg.audit_key);
	if (auditkey_commit(s.audit_newkey, s.cfg.audit_key, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
}

/* The audit role went away: a rotation under way has no answer. */
static void
audit_rotation_lost(void)
{
	struct client	*c;

	audit_key_known = false;
	if (s.rotating == 0)
		return;
	if ((c = client_waiting(s.rotating)) != NULL) {
		client_put(c, "refused: the audit role stopped during the "
		    "rotation; its next start tells which key is in force\n");
		client_done(c);
	}
	s.rotating = 0;
}

/* ------------------------------------------------------------------ */
/* What the audit role tells mmguardd. */

/* A process whose events the audit role refused: stopped. */
static void
audit_refused(struct ipc_msg *m)
{
	uint32_t	 pid;
	const char	*name, *why;
	int		 i;

	if (ipc_get_u32(m, &pid) == -1 || ipc_get_string(m, &name) == -1 ||
	    ipc_get_string(m, &why) == -1 || ipc_end(m) == -1)
		ipc_msg_fatal(m);
	for (i = 0; i < MAX_ROLES; i++)
		if (s.p[i].used && s.p[i].pid != 0 &&
		    (uint32_t)s.p[i].pid == pid) {
			log_warnx("%s (pid %u): the audit role refused its "
			    "events (%s): stopping it", name, pid, why);
			(void)kill(s.p[i].pid, SIGTERM);
		}
}

static int
from_audit(struct ipc_msg *m)
{
	switch (m->type) {
	case MSG_AUDIT_ROTATED:
		audit_rotated(m);
		return 0;
	case MSG_AUDIT_KEY:
		audit_key(m);
		return 0;
	case MSG_AUDIT_REFUSED:
		audit_refused(m);
		return 0;
	}
	return -1;
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

static struct client *
client_waiting(uint64_t req)
{
	int	i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (s.c[i].fd != -1 && s.c[i].waiting == req)
			return &s.c[i];
	return NULL;
}

static void
client_command(struct client *c, char *line)
{
	char	 msg[1024], *file;
	size_t	 n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (strcmp(line, "status") == 0) {
		sup_status(c);
		relay(c, "status");
		return;
	}
	/* policy load OFFICER FILE */
	if (strncmp(line, "policy load ", 12) == 0) {
		if ((file = strchr(line + 12, ' ')) == NULL || file[1] == '\0' ||
		    file == line + 12) {
			client_put(c, "refused: policy load OFFICER FILE\n");
			client_done(c);
			return;
		}
		*file++ = '\0';
		if (policy_load(file, line + 12, "control", msg,
		    sizeof(msg)) != 0)
			client_put(c, "refused: ");
		client_put(c, msg);
		client_done(c);
		return;
	}
	if (strncmp(line, "audit rotate-key ", 17) == 0) {
		audit_rotate(c, line + 17);
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
		if (s.c[i].fd != -1 && s.c[i].waiting == m->id &&
		    m->id != s.rotating) {
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
				(void)policy_load(s.policy, NULL, "sighup", msg,
				    sizeof(msg));
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
				else if (p->kind == R_AUDIT &&
				    from_audit(m) == 0)
					continue;
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
	hex_lower(gp->digest, 32, s.pdigest);
	s.retention = gp->retention_days;
	gp_free(gp);
	if (check) {
		printf("%s: configuration and policy valid\n", conf);
		return 0;
	}
	if (asprintf(&s.audit_newkey, "%s.new", s.cfg.audit_key) == -1)
		fatal("asprintf");
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
	if (geteuid() == 0)
		role_users();
	/* Inherited by the roles: what one role creates, the others of the
	 * group may read and, where the creator asks for it (the spool's
	 * 0660 queue files), write; nothing is for the world. */
	(void)umask(007);
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
			for (k = 0; k < SPOOL_NSTATES; k++)
				give_fd(sp.fds[k], sp_path);
			give_fd(sp.tmpfd, sp_path);
			give_fd(sp.unarchivedfd, sp_path);
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
	give_mode(s.cfg.audit, role_uid[R_AUDIT], 0700);
	{
		char	*a = xstrdup(s.cfg.archive), *sl = strrchr(a, '/');

		if (sl != NULL && sl != a) {
			*sl = '\0';
			mkdirs(a);
			give_mode(a, role_uid[R_ARCHIVE], 0700);
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
	record_start();
	log_info("running: control socket %s", s.cfg.control);
	loop();
	(void)unlink(s.cfg.control);
	config_free(&s.cfg);
	return 0;
}
