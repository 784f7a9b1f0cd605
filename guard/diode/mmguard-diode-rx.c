/*
 * mmguard-diode-rx - receive messages from the one-way channel.
 *
 * SYNOPSIS
 *	mmguard-diode-rx --listen ADDR --key FILE --token-key FILE
 *	    --out DIR --report FILE [--state FILE] [--link ID]
 *	    [--max-size BYTES] [--reorder-wait MS] [--dead-after MS]
 *	    [--rcvbuf BYTES] [--exit-idle MS] [-v]
 *
 * DESCRIPTION
 *	Listens on ADDR ("udp:0.0.0.0:4406", "udp:[::]:4406" or
 *	"unix:/run/mmguard/diode.sock") for the frames of
 *	mmguard-diode-tx (layout: guard/diode/diode.h, SECURITY-FRAMES),
 *	repairs what the erasure coding can repair, and writes each
 *	complete message into --out as two files, ID (the message) and
 *	ID.meta (lines id, precedence, token, digest, session, seq, the
 *	drop-folder format of mmguard-diode-tx), each written under a
 *	temporary name; every 50 ms the messages staged so far are made
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
 *	the link --key; diode.h); frames failing it (forged, corrupted),
 *	frames of another --link, frames seen before (duplicates, replays)
 *	and frames of a session older than the last one accepted (its
 *	epoch is kept in --state, default REPORT.state) are refused and
 *	counted.
 *
 *	Every message is accounted for.  One that cannot be repaired, or
 *	that was refused, is written to the log and appended (fsync'd) to
 *	--report, one line each:
 *		TIME lost session=S prec=P seq=N id=ID reason=...
 *		TIME lost session=S prec=P seq=N-M id=? reason=...
 *		TIME refused session=S prec=P seq=N id=ID reason=...
 *	A message whose id did not survive is named by its precedence
 *	stream and sequence number, which the sender's log maps to its id.
 *	Alarms (link down for longer than --dead-after, default three
 *	heartbeat intervals; link up again; new sender session; protocol
 *	errors) go to the report as well.  An id already present in --out
 *	is not written twice (a message the sender repeated after a
 *	restart); that is logged.
 *
 * OPTIONS
 *	--listen ADDR	where to receive (numeric address only)
 *	--key FILE	the link key shared with mmguard-diode-tx
 *	--token-key FILE the release token key (stand-in for the policy)
 *	--out DIR	where complete, verified messages go
 *	--report FILE	the loss and alarm report
 *	--state FILE	the last accepted session epoch (default
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
 *	-v		more logging
 *
 * EXIT STATUS
 *	0 on SIGTERM/SIGINT or --exit-idle (messages still incomplete are
 *	reported lost first); 1 on a fatal error; 2 on usage errors.
 *
 * SECURITY
 *	Runs on the low side as its own user and is the first process to
 *	touch bytes from the low-side network: anyone there can send it
 *	datagrams.  It holds the link key and the token key (stand-in) and
 *	writes only --out, --report and --state.  It never sends: its
 *	socket is shut down for writing (sends fail with EPIPE), the
 *	program contains no send call on it, and the role's seccomp
 *	profile (sandbox module) omits sendto, sendmsg, sendmmsg and
 *	write on that descriptor, so that even a compromised receiver has
 *	no channel toward the high side (which, on an appliance, the diode
 *	would not carry anyway).  Frames are parsed by a bounded parser
 *	(fuzzed) that checks the tag before anything else; without the
 *	link key an attacker can only make it count refusals.  An
 *	attacker who owns the process could write arbitrary files into
 *	--out, i.e. inject messages on the low side; they gain nothing on
 *	the high side.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "guard/common/mac.h"
#include "guard/diode/diode.h"
#include "guard/diode/diode_prog.h"

#define BATCH		64

struct rxctx {
	int		 outdir;
	int		 reportfd;
	const char	*state;
	char		(*staged)[DIODE_ID_MAX + 1];	/* ids to commit */
	size_t		 nstaged, staged_cap;
	uint8_t		 tokkey[DIODE_KEY_MAX];
	size_t		 tokkeylen;
	uint64_t	 duplicates;
	/* The guard's release tokens (guard/common/mac.h): the direction
	 * and the digests of the policies a token may come from. */
	int		 dir;		/* -1: the stand-in token */
	uint8_t		 policy[4][32];
	size_t		 npolicy;
};


static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguard-diode-rx --listen ADDR --key FILE "
	    "--token-key FILE --out DIR\n"
	    "           --report FILE [--state FILE] [--link ID] "
	    "[--max-size N]\n"
	    "           [--reorder-wait MS] [--dead-after MS] [--rcvbuf N] "
	    "[--exit-idle MS] [-v]\n");
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
		    "  --state FILE       last accepted session epoch "
		    "(default REPORT.state)\n"
		    "  --link ID          link id (default 1)\n"
		    "  --max-size N       largest message (default 64M)\n"
		    "  --reorder-wait MS  wait for late frames before loss "
		    "(default 100)\n"
		    "  --dead-after MS    link-down alarm (default 3 "
		    "heartbeats)\n"
		    "  --rcvbuf N         socket receive buffer (default 32M)\n"
		    "  --exit-idle MS     exit after MS without frames\n"
		    "  -v                 more logging\n\n"
		    "Frame layout: guard/diode/diode.h, SECURITY-FRAMES.\n"
		    "Exit status: 0 stopped, 1 fatal error, 2 usage.\n");
	exit(full ? 0 : 2);
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
}

static int
unhex32(const char *s, uint8_t out[32])
{
	int	i, hi, lo;

	for (i = 0; i < 32; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' : hi >= 'a' && hi <= 'f' ?
		    hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' : lo >= 'a' && lo <= 'f' ?
		    lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
on_verify(void *arg, const uint8_t *digest, const uint8_t *token)
{
	struct rxctx	*c = arg;
	uint8_t		 want[MAC_LEN];
	size_t		 i;
	int		 ok = 0;

	if (c->dir < 0)
		return diode_token_check(c->tokkey, c->tokkeylen, digest,
		    token);
	/* A token releases this digest in this direction under one of the
	 * policies in force (the current one, and the one before it while
	 * messages it released are still crossing). */
	for (i = 0; i < c->npolicy && !ok; i++)
		ok = mac_release_token(c->tokkey, digest, 0, (unsigned)c->dir,
		    c->policy[i], want) == 0 && mac_equal(want, token);
	explicit_bzero(want, sizeof(want));
	return ok ? 0 : -1;
}

static int
on_session(void *arg, uint64_t session, uint64_t epoch)
{
	struct rxctx	*c = arg;
	char		 text[64], err[256], dir[4096];
	const char	*slash, *base;
	int		 dfd;
	size_t		 dl;

	(void)session;
	(void)snprintf(text, sizeof(text), "epoch %llu\n",
	    (unsigned long long)epoch);
	if ((slash = strrchr(c->state, '/')) != NULL) {
		dl = (size_t)(slash - c->state);
		if (dl == 0)
			dl = 1;
		if (dl >= sizeof(dir))
			fatalx("--state: path too long");
		memcpy(dir, c->state, dl);
		dir[dl] = '\0';
		base = slash + 1;
	} else {
		memcpy(dir, ".", 2);
		base = c->state;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("--state folder %s", dir);
		return -1;
	}
	if (diode_write_durable(dfd, base, text, strlen(text), err,
	    sizeof(err)) != 0 || fsync(dfd) != 0) {
		log_warnx("--state: %s", err);
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

/* Is the id in the output folder, or staged for it? */
static int
have_id(struct rxctx *c, const char *id)
{
	char	name[DIODE_ID_MAX + 16];

	(void)snprintf(name, sizeof(name), "%s.meta", id);
	if (faccessat(c->outdir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 1;
	(void)snprintf(name, sizeof(name), ".%s.meta.tmp", id);
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

static uint64_t
read_state(const char *path)
{
	char			 buf[64];
	unsigned long long	 v;
	ssize_t			 n;
	int			 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		fatal("--state %s", path);
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		fatal("--state %s", path);
	buf[n] = '\0';
	if (sscanf(buf, "epoch %llu", &v) != 1)
		fatalx("--state %s: not \"epoch N\"", path);
	return v;
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
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct diode_rx_params	 p;
	struct diode_rx_cb	 cb;
	struct diode_rx_stats	 st;
	struct diode_addr	 addr;
	struct diode_rx		*rx;
	struct rxctx		 c;
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	struct pollfd		 pfd;
	const char		*listen_s = NULL, *key_s = NULL, *tok_s = NULL;
	const char		*out_s = NULL, *report_s = NULL;
	uint8_t			 key[DIODE_KEY_MAX], *bufs;
	size_t			 keylen;
	uint64_t		 rcvbuf = 32u << 20, exit_idle = 0, now;
	uint64_t		 last_any = 0, last_refusal_log = 0, refused_logged = 0;
	uint64_t		 refused_now, last_commit = 0;
	char			 err[256], statebuf[4096];
	int			 ch, verbose = 0, fd, n, i, started = 0;

	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	c.dir = -1;
	p.link = 1;
	p.max_message = 64u << 20;
	p.reorder_ms = 100;
	while ((ch = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': listen_s = optarg; break;
		case 'k': key_s = optarg; break;
		case 'T': tok_s = optarg; break;
		case 'D':
			if (strcmp(optarg, "high-to-low") == 0)
				c.dir = 0;
			else if (strcmp(optarg, "low-to-high") == 0)
				c.dir = 1;
			else
				fatalx("--direction: high-to-low or "
				    "low-to-high");
			break;
		case 'P':
			if (c.npolicy == 4 || strlen(optarg) != 64 ||
			    unhex32(optarg, c.policy[c.npolicy]) == -1)
				fatalx("--policy-digest: 64 hex digits, at "
				    "most 4 times");
			c.npolicy++;
			break;
		case 'o': out_s = optarg; break;
		case 'r': report_s = optarg; break;
		case 's': c.state = optarg; break;
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
	if (c.state == NULL) {
		if ((size_t)snprintf(statebuf, sizeof(statebuf), "%s.state",
		    report_s) >= sizeof(statebuf))
			fatalx("--report: path too long");
		c.state = statebuf;
	}
	p.last_epoch = read_state(c.state);

	if (diode_addr_parse(listen_s, &addr, err, sizeof(err)) != 0)
		fatalx("--listen %s", err);
	if (diode_key_load(key_s, key, &keylen, err, sizeof(err)) != 0)
		fatalx("--key %s", err);
	if (diode_key_load(tok_s, c.tokkey, &c.tokkeylen, err,
	    sizeof(err)) != 0)
		fatalx("--token-key %s", err);
	if ((c.outdir = open(out_s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("--out %s", out_s);
	clean_staged(c.outdir);
	if ((c.reportfd = open(report_s, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0640)) == -1)
		fatal("--report %s", report_s);
	if ((fd = diode_sock_rx(&addr, rcvbuf, err, sizeof(err))) == -1)
		fatalx("%s: %s", listen_s, err);

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

	diode_prog_signals();

	bufs = xmalloc((size_t)BATCH * DIODE_MAX_FRAME);
	memset(mm, 0, sizeof(mm));
	log_info("listening on %s, link %u", listen_s, p.link);

	while (!diode_prog_stop) {
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
		/* Group commit every 50 ms, or sooner for a large batch. */
		if (c.nstaged >= 4096 ||
		    (c.nstaged > 0 && now - last_commit >= 50000)) {
			commit(&c);
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
	if (diode_prog_stop) {
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
	commit(&c);
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
	explicit_bzero(c.tokkey, sizeof(c.tokkey));
	return 0;
}
