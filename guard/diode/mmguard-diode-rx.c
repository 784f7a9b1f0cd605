/*
 * mmguard-diode-rx - receive messages from the one-way channel.
 *
 * SYNOPSIS
 *	mmguard-diode-rx --listen ADDR --key FILE --token-key FILE
 *	    --out DIR --report FILE [--state DIR] [--link ID]
 *	    [--max-size BYTES] [--reorder-wait MS] [--dead-after MS]
 *	    [--rcvbuf BYTES] [--exit-idle MS] [--user NAME] [-v]
 *
 * DESCRIPTION
 *	Listens on ADDR ("udp:0.0.0.0:4406", "udp:[::]:4406" or
 *	"unix:/run/mmguard/diode.sock") for the frames of
 *	mmguard-diode-tx (layout: guard/diode/diode.h, SECURITY-FRAMES),
 *	repairs what the erasure coding can repair, and writes each
 *	complete message into --out as two files, ID (the message) and
 *	ID.meta (lines id, precedence, token, as in the header of
 *	mmguard-diode-tx's drop files, and digest, session, seq), each
 *	written under a temporary name (the staged ids are also kept in
 *	memory, so that a repeat is known without a look at the folder);
 *	every 50 ms the messages staged so far are made
 *	stable together (syncfs: a group commit, one flush for many small
 *	messages), renamed into place, ID.meta last, and the folder
 *	fsync'd.  The presence of ID.meta says the message is complete;
 *	temporary files left by a crash are removed at the next start.
 *
 *	Before a message is written, its SHA-256 digest is computed and
 *	compared with the digest in its header, and its release token is
 *	checked against that digest.  Until the guard's policy role issues
 *	tokens, the token is HMAC-SHA256 under the --token-key of the
 *	digest (the stand-in documented in diode.h); a message failing
 *	either check is refused: an alarm in the log and the report, and
 *	the message discarded.
 *
 *	Every frame must carry a valid tag (GMAC under a key derived from
 *	the link --key; guard/diode/diode.h, SECURITY-FRAMES); frames
 *	failing it (forged, corrupted), frames of another --link, frames
 *	seen before (duplicates, replays) and frames of a session older
 *	than the last one accepted (its epoch is kept in --state) are
 *	refused and counted.
 *
 *	The receiver's place is kept in the folder --state (default
 *	REPORT.state, made when missing), in the file rx.state: the sender's
 *	session and epoch, per precedence stream the sequence below which
 *	every message is delivered, refused or reported, and the previous
 *	session's.  It is replaced atomically (temporary name, fsync,
 *	rename, fsync of the folder) after each group commit that moved it,
 *	never before the messages it counts are stable.  Restarted (even
 *	after SIGKILL), the receiver resumes the session: no message below
 *	the mark is written again when its frames come again, and what the
 *	sender finished meanwhile is reported lost; a new sender session
 *	names its predecessor and how many messages its sending record
 *	holds, and those not accounted for here are reported lost (the
 *	rule: guard/diode/diode.h, "Accounting across restarts").
 *
 *	Every message is accounted for.  One that cannot be repaired, or
 *	that was refused, is written to the log and appended (fsync'd) to
 *	--report, one line each:
 *		TIME lost session=S prec=P seq=N id=ID reason=...
 *		TIME lost session=S prec=P seq=N-M id=? reason=...
 *		TIME refused session=S prec=P seq=N id=ID reason=...
 *		TIME unseen-session session=S reason=...
 *	A message whose id did not survive is named by its precedence
 *	stream and sequence number, which the sender's log maps to its id.
 *	Alarms (link down for longer than --dead-after, default three
 *	heartbeat intervals; link up again; new sender session; protocol
 *	errors) go to the report as well.  An id already present in --out
 *	is not written twice (a message the sender repeated after a
 *	restart); that is logged.  Started by mmguardd, the program
 *	records every alarm (link-alarm, with the message's id when it is
 *	known) and every message once it is durably in --out (delivered,
 *	with its digest) in the guard's audit log too, on the channel to
 *	the audit role it is given on descriptor 4; those frames never make
 *	it stop reading the link unless hundreds wait.
 *
 * OPTIONS
 *	--listen ADDR	where to receive (numeric address only)
 *	--key FILE	the link key shared with mmguard-diode-tx
 *	--token-key FILE the release token key (stand-in for the policy)
 *	--out DIR	where complete, verified messages go
 *	--report FILE	the loss and alarm report
 *	--state DIR	the receiver's place across restarts (default
 *			REPORT.state)
 *	--link ID	link id (default 1)
 *	--max-size N	largest message body, suffix K M G (default 64M)
 *	--reorder-wait MS  how long a finished block may still wait for
 *			late frames before it is declared lost (default 100)
 *	--dead-after MS	link-down alarm after this long without a frame
 *	--rcvbuf N	socket receive buffer (default 32M: about a quarter
 *			of a second at 1 Gbit/s while a large message is
 *			being written)
 *	--exit-idle MS	exit after this long without frames, once a
 *			session has begun (tests, batch transfers)
 *	--user NAME	the user to run as when started as root (required
 *			then)
 *	-v		more logging
 *
 * EXIT STATUS
 *	0 on SIGTERM/SIGINT or --exit-idle (messages still incomplete are
 *	reported lost first); 1 on a fatal error; 2 on usage errors.
 *
 * SECURITY
 *	Runs on the low side and is the first process to touch bytes from
 *	the low-side network: anyone there can send it datagrams.  It holds
 *	the link key and the token key.  Once its socket, folders, report
 *	and keys are open it enters the net_rx sandbox for good
 *	(guard/common/sandbox.h): started as root it becomes --user (the
 *	supervisor passes its roles' user; a unix socket, and a state
 *	folder it made, are given to that user first), no capabilities, no
 *	new privileges, a network namespace of its own, Landlock confining
 *	files to beneath --out and --state (the report is the descriptor it
 *	already holds), and a seccomp allow-list that kills on anything
 *	else.  It never sends: its socket is shut down for writing (sends
 *	fail with EPIPE), the program contains no send call on it, and the
 *	filter allows no sendto or sendmmsg at all and write, writev and
 *	sendmsg only on descriptors other than the socket.  The filter
 *	names the socket's own number (the one the program was given when
 *	it made the socket, below the profile's 32 descriptors) and spells
 *	"any other" as the exact list of the others, so no fixed number is
 *	needed and no high bits slip past; files are written through their
 *	own descriptors, which are never the socket's.  So even a
 *	compromised receiver has no channel toward the high side (which,
 *	on an appliance, the diode would not carry anyway).  Frames are
 *	parsed by a bounded parser
 *	(fuzzed) that checks the tag before anything else; without the
 *	link key an attacker can only make it count refusals.  An
 *	attacker who owns the process could write arbitrary files into
 *	--out, i.e. inject messages on the low side; they gain nothing on
 *	the high side.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/log.h"
#include "guard/common/mac.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"
#include "guard/diode/diode_prog.h"

#define BATCH		64

struct rxctx {
	int		 outdir;
	int		 reportfd;
	int		 statedir;
	struct diode_rx	*rx;
	struct diode_rx_state saved;	/* what the state file says */
	char		(*staged)[DIODE_ID_MAX + 1];	/* ids to commit */
	size_t		 nstaged, staged_cap;
	void		*staged_ids;	/* the same, a tsearch tree */
	struct diode_token_keys tok;	/* release tokens */
	uint64_t	 duplicates;
};


static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguard-diode-rx --listen ADDR --key FILE "
	    "--token-key FILE --out DIR\n"
	    "           --report FILE [--state DIR] [--link ID] "
	    "[--max-size N]\n"
	    "           [--reorder-wait MS] [--dead-after MS] [--rcvbuf N] "
	    "[--exit-idle MS]\n"
	    "           [--user NAME] [-v]\n");
	if (full)
		fprintf(f, "\n"
		    "Receive the frames of mmguard-diode-tx, repair losses, "
		    "check each message's\ndigest and release token, write it "
		    "durably into the output folder, and\nreport every message "
		    "lost or refused, by id.  Never sends anything.\n\n"
		    "  --listen ADDR      udp:ADDR:PORT, udp:[ADDR]:PORT or "
		    "unix:PATH\n"
		    "  --key FILE         link key (shared with the sender), "
		    "mode 0600\n"
		    "  --direction D      with --policy-digest: check the "
		    "guard's release tokens\n"
		    "  --policy-digest H  SHA-256 of a policy in force (up "
		    "to 4 times)\n"
		    "  --token-key FILE   release token key (without "
		    "--direction, a stand-in: "
		    "HMAC-SHA256 of the digest)\n"
		    "  --out DIR          verified messages: ID and ID.meta\n"
		    "  --report FILE      lost and refused messages, alarms "
		    "(appended, fsync'd)\n"
		    "  --state DIR        the receiver's place across "
		    "restarts (default REPORT.state)\n"
		    "  --link ID          link id (default 1)\n"
		    "  --max-size N       largest message (default 64M)\n"
		    "  --reorder-wait MS  wait for late frames before loss "
		    "(default 100)\n"
		    "  --dead-after MS    link-down alarm (default 3 "
		    "heartbeats)\n"
		    "  --rcvbuf N         socket receive buffer (default 32M)\n"
		    "  --exit-idle MS     exit after MS without frames\n"
		    "  --user NAME        run as NAME (required when started "
		    "as root)\n"
		    "  -v                 more logging\n\n"
		    "Frame layout: guard/diode/diode.h, SECURITY-FRAMES.\n"
		    "Exit status: 0 stopped, 1 fatal error, 2 usage.\n");
	exit(full ? 0 : 2);
}




/*
 * The guard's audit log, on the channel to the audit role that mmguardd
 * gives the program on descriptor 4 (none when it runs alone): every
 * alarm, and every message once it is durably in the output folder.
 * Messages staged for a commit wait in audit_pending until it is done.
 */
struct audit_delivery {
	char		 id[DIODE_ID_MAX + 1];
	char		 digest[2 * DIODE_DIGEST_LEN + 1];
	uint64_t	 session, seq;
	int		 prec;
	size_t		 len;
};

static struct audit_delivery	*audit_pending;
static size_t			 audit_npending, audit_cap;

static void
audit_alarm(const struct diode_rx_event *ev, const char *what,
    const char *seq)
{
	struct audit_kv	kv[5];
	char		sess[24];
	size_t		n = 0;

	(void)snprintf(sess, sizeof(sess), "%016llx",
	    (unsigned long long)ev->session);
	kv[n++] = (struct audit_kv){ "alarm", what };
	kv[n++] = (struct audit_kv){ "session", sess };
	if (ev->type == DIODE_EV_LOST || ev->type == DIODE_EV_REFUSED ||
	    ev->type == DIODE_EV_PROTOCOL) {
		kv[n++] = (struct audit_kv){ "sequence", seq };
		kv[n++] = (struct audit_kv){ "precedence",
		    diode_prec_name(ev->prec) };
	}
	kv[n++] = (struct audit_kv){ "reason", ev->reason };
	role_audit(AUDIT_EV_LINK_ALARM, ev->id != NULL ? ev->id : "", kv, n);
}

static void
audit_staged(const struct diode_rx_msg *m)
{
	struct audit_delivery	*a;

	if (audit_npending == audit_cap) {
		audit_cap = audit_cap ? audit_cap * 2 : 64;
		audit_pending = xreallocarray(audit_pending, audit_cap,
		    sizeof(*audit_pending));
	}
	a = &audit_pending[audit_npending++];
	(void)snprintf(a->id, sizeof(a->id), "%s", m->id);
	diode_hex(m->digest, DIODE_DIGEST_LEN, a->digest);
	a->session = m->session;
	a->seq = m->seq;
	a->prec = m->prec;
	a->len = m->len;
}

static void
audit_committed(void)
{
	struct audit_kv	 kv[5];
	char		 sess[24], seq[24], len[24];
	size_t		 i;

	for (i = 0; i < audit_npending; i++) {
		struct audit_delivery *a = &audit_pending[i];

		(void)snprintf(sess, sizeof(sess), "%016llx",
		    (unsigned long long)a->session);
		(void)snprintf(seq, sizeof(seq), "%llu",
		    (unsigned long long)a->seq);
		(void)snprintf(len, sizeof(len), "%zu", a->len);
		kv[0] = (struct audit_kv){ "digest", a->digest };
		kv[1] = (struct audit_kv){ "session", sess };
		kv[2] = (struct audit_kv){ "sequence", seq };
		kv[3] = (struct audit_kv){ "precedence",
		    diode_prec_name(a->prec) };
		kv[4] = (struct audit_kv){ "bytes", len };
		role_audit(AUDIT_EV_DELIVERED, a->id, kv, 5);
	}
	audit_npending = 0;
}

static void
report(struct rxctx *c, const char *line)
{
	char	err[256];
	size_t	n = strlen(line);

	if (diode_append(c->reportfd, line, n, err, sizeof(err)) != 0)
		fatalx("report: %s", err);
}

static void
on_event(void *arg, const struct diode_rx_event *ev)
{
	struct rxctx	*c = arg;
	char		 line[512], ts[64], seq[64];
	const char	*what;

	diode_prog_stamp(ts, sizeof(ts));
	if (ev->seq_last > ev->seq)
		(void)snprintf(seq, sizeof(seq), "%llu-%llu",
		    (unsigned long long)ev->seq,
		    (unsigned long long)ev->seq_last);
	else
		(void)snprintf(seq, sizeof(seq), "%llu",
		    (unsigned long long)ev->seq);
	switch (ev->type) {
	case DIODE_EV_LOST:
	case DIODE_EV_REFUSED:
		what = ev->type == DIODE_EV_LOST ? "lost" : "refused";
		(void)snprintf(line, sizeof(line), "%s %s session=%016llx "
		    "prec=%s seq=%s id=%s reason=%s\n", ts, what,
		    (unsigned long long)ev->session, diode_prec_name(ev->prec),
		    seq, ev->id ? ev->id : "?", ev->reason);
		log_warnx("ALARM message %s: %s %s seq %s: %s", what,
		    ev->id ? ev->id : "(id unknown)",
		    diode_prec_name(ev->prec), seq, ev->reason);
		break;
	case DIODE_EV_PROTOCOL:
		(void)snprintf(line, sizeof(line), "%s protocol "
		    "session=%016llx prec=%s seq=%s reason=%s\n", ts,
		    (unsigned long long)ev->session, diode_prec_name(ev->prec),
		    seq, ev->reason);
		log_warnx("ALARM protocol error in stream %s: %s",
		    diode_prec_name(ev->prec), ev->reason);
		break;
	case DIODE_EV_UNSEEN:
		(void)snprintf(line, sizeof(line), "%s unseen-session "
		    "session=%016llx reason=%s\n", ts,
		    (unsigned long long)ev->session, ev->reason);
		log_warnx("ALARM sender session %016llx never received: %s",
		    (unsigned long long)ev->session, ev->reason);
		break;
	case DIODE_EV_LINK_DOWN:
	case DIODE_EV_LINK_UP:
	case DIODE_EV_SESSION:
		what = ev->type == DIODE_EV_LINK_DOWN ? "link-down" :
		    ev->type == DIODE_EV_LINK_UP ? "link-up" : "session";
		(void)snprintf(line, sizeof(line), "%s %s session=%016llx "
		    "reason=%s\n", ts, what, (unsigned long long)ev->session,
		    ev->reason);
		if (ev->type == DIODE_EV_LINK_DOWN)
			log_warnx("ALARM link down: %s", ev->reason);
		else
			log_info("%s: session %016llx", what,
			    (unsigned long long)ev->session);
		break;
	default:
		return;
	}
	report(c, line);
	audit_alarm(ev, ev->type == DIODE_EV_LOST ? "lost" : ev->type ==
	    DIODE_EV_REFUSED ? "refused" : ev->type == DIODE_EV_PROTOCOL ?
	    "protocol" : ev->type == DIODE_EV_LINK_DOWN ? "link-down" :
	    ev->type == DIODE_EV_LINK_UP ? "link-up" : "session", seq);
}

static int
on_verify(void *arg, const uint8_t *digest, const uint8_t *token)
{
	struct rxctx	*c = arg;

	return diode_prog_token_check(&c->tok, digest, token);
}

static void	commit(struct rxctx *);

/*
 * The receiver's place (diode.h, "Accounting across restarts"), saved
 * after the deliveries it counts are stable: commit first.  Written when
 * the marks moved; the sender's counts (seen) alone do not call for a
 * write, they go along with the next one.
 */
static int
state_moved(const struct diode_rx_state *a, const struct diode_rx_state *b)
{
	return a->have_session != b->have_session ||
	    a->session != b->session || a->epoch != b->epoch ||
	    memcmp(a->expect, b->expect, sizeof(a->expect)) != 0 ||
	    a->have_prev != b->have_prev ||
	    a->prev_session != b->prev_session ||
	    memcmp(a->prev_done, b->prev_done, sizeof(a->prev_done)) != 0;
}

static int
state_save(struct rxctx *c, const struct diode_rx_state *sv)
{
	char	err[256];

	if (diode_state_save(c->statedir, sv, err, sizeof(err)) != 0) {
		log_warnx("--state: %s", err);
		return -1;
	}
	c->saved = *sv;
	return 0;
}

static void
persist(struct rxctx *c)
{
	struct diode_rx_state	sv;

	commit(c);
	diode_rx_get_state(c->rx, &sv);
	if (state_moved(&sv, &c->saved) && state_save(c, &sv) != 0)
		fatalx("the receiver's state could not be saved");
}

/* A new sender session: everything before it stable, then its state. */
static int
on_session(void *arg, const struct diode_rx_state *sv)
{
	struct rxctx	*c = arg;

	commit(c);
	return state_save(c, sv);
}

/*
 * What is made here while still root belongs to root: a unix socket, to
 * which the sender (running as the same unprivileged user) could then not
 * send, and a state folder made when missing, which the receiver could
 * then not write.  Both become the user's.
 */
static void
give(const char *path, const char *user)
{
	struct passwd	*pw;

	if (user == NULL || geteuid() != 0)
		return;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("--user %s: no such user", user);
	if (lchown(path, pw->pw_uid, pw->pw_gid) != 0)
		fatal("%s", path);
}

/* The state folder, made when missing (the receiver's alone). */
static int
open_state(const char *path, const char *user)
{
	struct stat	sb;
	int		fd;

	if (mkdir(path, 0700) == 0)
		give(path, user);
	else if (errno != EEXIST)
		fatal("--state %s", path);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == ENOTDIR)
			fatalx("--state %s: not a folder (an earlier version "
			    "kept a file here: remove it; the receiver then "
			    "starts afresh)", path);
		fatal("--state %s", path);
	}
	if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0)
		log_warnx("--state %s: readable by others than its owner",
		    path);
	return fd;
}

static int
id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Is the id in the output folder, or staged for it (in memory: the
 * staged files of an earlier run were removed at the start)? */
static int
have_id(struct rxctx *c, const char *id)
{
	char	name[DIODE_ID_MAX + 16];

	if (tfind(id, &c->staged_ids, id_cmp) != NULL)
		return 1;
	(void)snprintf(name, sizeof(name), "%s.meta", id);
	return faccessat(c->outdir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * Stage the message and its metadata under temporary names; commit()
 * makes the batch stable and visible.
 */
static int
on_deliver(void *arg, const struct diode_rx_msg *m, char *err, size_t errsz)
{
	struct rxctx	*c = arg;
	char		 meta[512], dh[2 * DIODE_DIGEST_LEN + 1];
	char		 th[2 * DIODE_TOKEN_LEN + 1], mname[DIODE_ID_MAX + 8];

	if (have_id(c, m->id)) {
		c->duplicates++;
		log_warnx("%s: already in the output folder; this copy "
		    "(session %016llx seq %llu) not written again", m->id,
		    (unsigned long long)m->session,
		    (unsigned long long)m->seq);
		return 0;
	}
	(void)snprintf(mname, sizeof(mname), "%s.meta", m->id);
	diode_hex(m->digest, DIODE_DIGEST_LEN, dh);
	diode_hex(m->token, DIODE_TOKEN_LEN, th);
	(void)snprintf(meta, sizeof(meta), "id: %s\nprecedence: %s\n"
	    "token: %s\ndigest: %s\nsession: %016llx\nseq: %llu\n", m->id,
	    diode_prec_name(m->prec), th, dh,
	    (unsigned long long)m->session, (unsigned long long)m->seq);
	if (diode_write_staged(c->outdir, m->id, m->body, m->len, err,
	    errsz) != 0 ||
	    diode_write_staged(c->outdir, mname, meta, strlen(meta), err,
	    errsz) != 0) {
		log_warnx("%s: %s", m->id, err);
		return -1;
	}
	if (c->nstaged == c->staged_cap) {
		c->staged_cap = c->staged_cap ? c->staged_cap * 2 : 64;
		c->staged = xreallocarray(c->staged, c->staged_cap,
		    sizeof(*c->staged));
	}
	memcpy(c->staged[c->nstaged++], m->id, DIODE_ID_MAX + 1);
	if (tsearch(xstrdup(m->id), &c->staged_ids, id_cmp) == NULL)
		fatalx("out of memory");
	audit_staged(m);
	log_debug("delivered %s (%s seq %llu, %zu bytes)", m->id,
	    diode_prec_name(m->prec), (unsigned long long)m->seq, m->len);
	return 0;
}

/*
 * Group commit: one syncfs makes every staged file of the batch stable,
 * then each message is renamed into place (its metadata last, which is
 * what a reader waits for) and the folder fsync'd.  A crash before the
 * renames leaves only temporary names, removed at the next start; the
 * message is then reported lost by the receiver's shutdown or by the
 * sender's repeat.
 */
static void
commit(struct rxctx *c)
{
	char	mname[DIODE_ID_MAX + 8], err[256];
	size_t	i;

	if (c->nstaged == 0)
		return;
	if (syncfs(c->outdir) != 0)
		fatal("syncfs of the output folder");
	for (i = 0; i < c->nstaged; i++) {
		(void)snprintf(mname, sizeof(mname), "%s.meta", c->staged[i]);
		if (diode_commit_staged(c->outdir, c->staged[i], err,
		    sizeof(err)) != 0 ||
		    diode_commit_staged(c->outdir, mname, err,
		    sizeof(err)) != 0)
			fatalx("%s", err);
	}
	if (fsync(c->outdir) != 0)
		fatal("fsync of the output folder");
	c->nstaged = 0;
	tdestroy(c->staged_ids, free);
	c->staged_ids = NULL;
	audit_committed();
}

/* Temporary files of an interrupted batch are not messages. */
static void
clean_staged(int outdir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 l;
	int		 dfd;

	if ((dfd = dup(outdir)) == -1 || (d = fdopendir(dfd)) == NULL)
		fatal("output folder");
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' && l > 5 &&
		    strcmp(de->d_name + l - 4, ".tmp") == 0 &&
		    unlinkat(outdir, de->d_name, 0) == 0)
			log_info("removed %s, left by an interrupted write",
			    de->d_name);
	}
	closedir(d);
}


/*
 * Everything is open (socket, folders, report): enter the net_rx sandbox
 * for good.  The first digest and release token are computed now, while
 * OpenSSL may still read its configuration and fetch its algorithms.
 */
static void
confine(struct rxctx *c, const char *user, int sock)
{
	uint8_t	d[DIODE_DIGEST_LEN], t[DIODE_TOKEN_LEN];
	int	dirs[2];

	memset(t, 0, sizeof(t));
	if (EVP_Digest("", 0, d, NULL, EVP_sha256(), NULL) != 1)
		fatalx("SHA-256 unavailable in OpenSSL");
	(void)on_verify(c, d, t);
	dirs[0] = c->outdir;
	dirs[1] = c->statedir;
	sandbox_enter(&sandbox_net_rx, &(struct sandbox_args){ .user = user,
	    .sock = sock, .dirs = dirs, .ndirs = 2 });
}

/* Point the batch's headers at their buffers (recvmmsg changes them). */
static void
batch_init(struct iovec *iov, struct mmsghdr *mm, uint8_t *bufs)
{
	int	i;

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs + (size_t)i * DIODE_MAX_FRAME;
		iov[i].iov_len = DIODE_MAX_FRAME;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = NULL;
		mm[i].msg_hdr.msg_namelen = 0;
		mm[i].msg_hdr.msg_flags = 0;
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "listen",	required_argument, NULL, 'l' },
		{ "key",	required_argument, NULL, 'k' },
		{ "token-key",	required_argument, NULL, 'T' },
		{ "out",	required_argument, NULL, 'o' },
		{ "report",	required_argument, NULL, 'r' },
		{ "state",	required_argument, NULL, 's' },
		{ "link",	required_argument, NULL, 'L' },
		{ "max-size",	required_argument, NULL, 'M' },
		{ "reorder-wait", required_argument, NULL, 'w' },
		{ "dead-after",	required_argument, NULL, 'd' },
		{ "rcvbuf",	required_argument, NULL, 'B' },
		{ "exit-idle",	required_argument, NULL, 'x' },
		{ "direction",	required_argument, NULL, 'D' },
		{ "policy-digest", required_argument, NULL, 'P' },
		{ "user",	required_argument, NULL, 'u' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct diode_rx_params	 p;
	struct diode_rx_state	 resume;
	struct diode_rx_cb	 cb;
	struct diode_rx_stats	 st;
	struct diode_addr	 addr;
	struct diode_rx		*rx;
	struct rxctx		 c;
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct pollfd		 pfd;
	const char		*listen_s = NULL, *key_s = NULL, *tok_s = NULL;
	const char		*out_s = NULL, *report_s = NULL, *state_s = NULL;
	const char		*user = NULL;
	uint8_t			 key[DIODE_KEY_MAX], *bufs;
	size_t			 keylen;
	uint64_t		 rcvbuf = 32u << 20, exit_idle = 0, now;
	uint64_t		 last_any = 0, last_refusal_log = 0, refused_logged = 0;
	uint64_t		 refused_now, last_commit = 0;
	char			 err[256], statebuf[4096];
	int			 ch, verbose = 0, fd, n, i, started = 0, found;

	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	diode_prog_token_init(&c.tok);
	p.link = 1;
	p.max_message = 64u << 20;
	p.reorder_ms = 100;
	while ((ch = getopt_long(argc, argv, "u:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': user = optarg; break;
		case 'l': listen_s = optarg; break;
		case 'k': key_s = optarg; break;
		case 'T': tok_s = optarg; break;
		case 'D': diode_prog_token_dir(&c.tok, optarg); break;
		case 'P': diode_prog_token_policy(&c.tok, optarg); break;
		case 'o': out_s = optarg; break;
		case 'r': report_s = optarg; break;
		case 's': state_s = optarg; break;
		case 'L':
			p.link = (uint32_t)diode_prog_num("--link", optarg, 1000, 0,
			    UINT32_MAX);
			break;
		case 'M':
			p.max_message = diode_prog_num("--max-size", optarg, 1024, 1,
			    DIODE_MAX_MESSAGE);
			break;
		case 'w':
			p.reorder_ms = (uint32_t)diode_prog_num("--reorder-wait",
			    optarg, 1000, 0, 600000);
			break;
		case 'd':
			p.dead_ms = (uint32_t)diode_prog_num("--dead-after", optarg,
			    1000, 1, 3600000);
			break;
		case 'B':
			rcvbuf = diode_prog_num("--rcvbuf", optarg, 1024, 0,
			    1u << 30);
			break;
		case 'x':
			exit_idle = diode_prog_num("--exit-idle", optarg, 1000, 1,
			    86400000);
			break;
		case 'v': verbose++; break;
		case 'h': usage(1);
		default: usage(0);
		}
	}
	if (optind != argc || listen_s == NULL || key_s == NULL ||
	    tok_s == NULL || out_s == NULL || report_s == NULL)
		usage(0);
	log_init("mmguard-diode-rx", LOG_TO_STDERR, verbose + 1);
	(void)role_audit_open(false);
	if (state_s == NULL) {
		if ((size_t)snprintf(statebuf, sizeof(statebuf), "%s.state",
		    report_s) >= sizeof(statebuf))
			fatalx("--report: path too long");
		state_s = statebuf;
	}
	c.statedir = open_state(state_s, user);
	if (diode_state_load(c.statedir, &resume, &found, err,
	    sizeof(err)) != 0)
		fatalx("--state %s: %s", state_s, err);
	c.saved = resume;
	if (found && resume.have_session) {
		p.resume = &resume;
		p.last_epoch = resume.epoch;
		log_info("resuming session %016llx (epoch %llu): messages "
		    "below %llu %llu %llu %llu %llu %llu (by precedence) are "
		    "accounted for", (unsigned long long)resume.session,
		    (unsigned long long)resume.epoch,
		    (unsigned long long)resume.expect[0],
		    (unsigned long long)resume.expect[1],
		    (unsigned long long)resume.expect[2],
		    (unsigned long long)resume.expect[3],
		    (unsigned long long)resume.expect[4],
		    (unsigned long long)resume.expect[5]);
	} else if (found)
		p.resume = &resume;

	if (diode_addr_parse(listen_s, &addr, err, sizeof(err)) != 0)
		fatalx("--listen %s", err);
	if (diode_key_load(key_s, key, &keylen, err, sizeof(err)) != 0)
		fatalx("--key %s", err);
	diode_prog_token_load(&c.tok, tok_s);
	if ((c.outdir = open(out_s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("--out %s", out_s);
	clean_staged(c.outdir);
	if ((c.reportfd = open(report_s, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0640)) == -1)
		fatal("--report %s", report_s);
	if ((fd = diode_sock_rx(&addr, rcvbuf, err, sizeof(err))) == -1)
		fatalx("%s: %s", listen_s, err);
	if (addr.family == AF_UNIX)
		give(((const struct sockaddr_un *)(const void *)addr.ss)->
		    sun_path, user);

	memset(&cb, 0, sizeof(cb));
	cb.deliver = on_deliver;
	cb.event = on_event;
	cb.verify = on_verify;
	cb.session = on_session;
	cb.arg = &c;
	rx = diode_rx_new(&p, key, keylen, &cb, err, sizeof(err));
	explicit_bzero(key, sizeof(key));
	if (rx == NULL)
		fatalx("%s", err);
	c.rx = rx;
	diode_prog_signals();
	confine(&c, user, fd);

	bufs = xmalloc((size_t)BATCH * DIODE_MAX_FRAME);
	memset(mm, 0, sizeof(mm));
	log_info("listening on %s, link %u", listen_s, p.link);

	while (!proc_stopping) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, 20);
		now = diode_now_us();
		/* Drain what is there, a batch at a time. */
		for (;;) {
			batch_init(iov, mm, bufs);
			n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == EINTR)
					break;
				fatal("receive");
			}
			if (n == 0)
				break;
			now = diode_now_us();
			last_any = now;
			for (i = 0; i < n; i++) {
				if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
					continue;
				if (diode_rx_input(rx, bufs + (size_t)i *
				    DIODE_MAX_FRAME, mm[i].msg_len, now, err,
				    sizeof(err)) != 0)
					log_debug("frame refused: %s", err);
				else
					started = 1;
			}
			if (n < BATCH)
				break;
		}
		diode_rx_tick(rx, now);
		/*
		 * Group commit every 50 ms, or sooner for a large batch;
		 * the receiver's place goes to stable storage after it.
		 */
		if (c.nstaged >= 4096 || now - last_commit >= 50000) {
			persist(&c);
			last_commit = now;
		}
		/* Refusals: one line a second at most, never one a frame. */
		diode_rx_get_stats(rx, &st);
		refused_now = st.refused_tag + st.refused_malformed +
		    st.refused_link + st.refused_replay + st.refused_stale;
		if (refused_now != refused_logged &&
		    now - last_refusal_log >= 1000000) {
			log_warnx("refused %llu frames so far (tag %llu, "
			    "malformed %llu, link %llu, replay %llu, stale "
			    "session %llu)", (unsigned long long)refused_now,
			    (unsigned long long)st.refused_tag,
			    (unsigned long long)st.refused_malformed,
			    (unsigned long long)st.refused_link,
			    (unsigned long long)st.refused_replay,
			    (unsigned long long)st.refused_stale);
			refused_logged = refused_now;
			last_refusal_log = now;
		}
		if (exit_idle && started && now - last_any >= exit_idle * 1000)
			break;
	}
	/*
	 * Stopped (SIGTERM, or the supervisor went): the sender may have
	 * sent frames that still wait in the socket's buffer.  Take them
	 * until the link has been quiet for 300 ms (3 s at most), so that
	 * what was sent in full is delivered and not reported lost.
	 */
	if (proc_stopping) {
		uint64_t	quiet_since = diode_now_us(), until;

		until = quiet_since + 3000000;
		for (;;) {
			now = diode_now_us();
			if (now - quiet_since >= 300000 || now >= until)
				break;
			pfd.fd = fd;
			pfd.events = POLLIN;
			(void)poll(&pfd, 1, 50);
			batch_init(iov, mm, bufs);
			n = recvmmsg(fd, mm, BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				continue;
			now = diode_now_us();
			quiet_since = now;
			for (i = 0; i < n; i++)
				if (!(mm[i].msg_hdr.msg_flags & MSG_TRUNC))
					(void)diode_rx_input(rx, bufs +
					    (size_t)i * DIODE_MAX_FRAME,
					    mm[i].msg_len, now, err,
					    sizeof(err));
			diode_rx_tick(rx, now);
		}
	}
	diode_rx_finish(rx, "receiver stopped before it was complete");
	persist(&c);
	diode_rx_get_stats(rx, &st);
	log_info("summary frames=%llu refused_tag=%llu refused_malformed=%llu "
	    "refused_link=%llu refused_replay=%llu refused_stale=%llu "
	    "protocol=%llu heartbeats=%llu blocks=%llu repaired=%llu "
	    "blocks_lost=%llu delivered=%llu duplicates=%llu lost=%llu "
	    "refused=%llu bytes=%llu sessions=%llu",
	    (unsigned long long)st.frames, (unsigned long long)st.refused_tag,
	    (unsigned long long)st.refused_malformed,
	    (unsigned long long)st.refused_link,
	    (unsigned long long)st.refused_replay,
	    (unsigned long long)st.refused_stale,
	    (unsigned long long)st.refused_protocol,
	    (unsigned long long)st.heartbeats, (unsigned long long)st.blocks,
	    (unsigned long long)st.blocks_repaired,
	    (unsigned long long)st.blocks_lost,
	    (unsigned long long)st.delivered - c.duplicates,
	    (unsigned long long)c.duplicates, (unsigned long long)st.lost,
	    (unsigned long long)st.refused, (unsigned long long)st.bytes,
	    (unsigned long long)st.sessions);
	diode_rx_free(rx);
	explicit_bzero(&c.tok, sizeof(c.tok));
	return 0;
}
