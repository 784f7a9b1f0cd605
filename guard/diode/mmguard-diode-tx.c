/*
 * mmguard-diode-tx - send released messages across the one-way channel.
 *
 * SYNOPSIS
 *	mmguard-diode-tx --to ADDR --key FILE --token-key FILE --in DIR
 *	    --sent DIR [--direction D --policy-digest HEX ...]
 *	    [--log FILE] [--link ID] [--rate BITS] [--symbol-size N]
 *	    [--block N] [--redundancy PCT] [--min-parity N] [--window N]
 *	    [--heartbeat MS] [--max-size BYTES] [--sndbuf BYTES] [--no-gso]
 *	    [--once] [--linger MS] [--user NAME] [-v]
 *
 * DESCRIPTION
 *	Takes each message from the drop folder --in, sends it to diode-rx
 *	at ADDR ("udp:192.0.2.7:4406", "udp:[2001:db8::7]:4406" or
 *	"unix:/run/mmguard/diode.sock") and records it as sent.  Nothing
 *	ever comes back: the link may be a hardware data diode.
 *
 *	A message is one file in --in, NAME (any name of the characters
 *	A-Z a-z 0-9 . _ - + = @ not starting with a dot and not ending in
 *	".refused"), written under a name starting with a dot and then
 *	renamed: its presence says it is complete.  A header, then the
 *	message itself (guard/diode/diode.h, "drop folder"):
 *
 *		MMGD1
 *		id: MESSAGE-ID
 *		precedence: FLASH
 *		token: 64 hex digits (the release token of the policy)
 *		length: N (bytes of message after the header)
 *		(an empty line, then the N bytes)
 *
 *	A file that does not end exactly after the N bytes, or whose header
 *	changed after it was first read, is refused like a token that does
 *	not verify (below).
 *
 *	The id (1 to 64 of the same characters) names the message on the
 *	low side, where diode-rx writes it as OUT/ID.  Precedence is one of
 *	OVERRIDE, FLASH, IMMEDIATE, PRIORITY, ROUTINE, DEFERRED: higher
 *	precedence is sent first, and pre-empts a lower one already being
 *	sent at the next frame (the lower one resumes afterwards).  New
 *	files are noticed at once, by name (inotify; the whole folder is
 *	listed when the kernel's queue of names overflowed), and by a full
 *	scan every five seconds.
 *
 *	Messages are laid into erasure-coded blocks (Reed-Solomon, ISA-L)
 *	of --block data symbols of --symbol-size bytes, with --redundancy
 *	percent parity (at least --min-parity symbols per block); --window
 *	blocks are interleaved so that a burst loss spreads over them.
 *	Frames are paced to --rate bits per second (counting 42 bytes of
 *	Ethernet, IP and UDP framing per datagram), so that the receiver
 *	is not overrun; 0 sends as fast as the socket takes them.  A
 *	heartbeat every --heartbeat milliseconds carries the counters and
 *	the ids of started messages, so that the receiver sees a dead link,
 *	and a lost message, by id.  Frame layout: guard/diode/diode.h,
 *	section SECURITY-FRAMES.
 *
 *	Before a message enters the stream, its release token is checked
 *	against the SHA-256 of exactly the bytes about to be sent: with
 *	--direction, the guard's token (guard/common/mac.h: the policy
 *	role's MAC, under --token-key, of the digest, the verdict release,
 *	the direction and the digest of the deciding policy, one of the
 *	--policy-digest given); without, the stand-in of diode.h
 *	(HMAC-SHA256 of the digest under --token-key).  A message whose
 *	token does not verify is never sent: an ALARM in the log, a line
 *	"refused" in the sending record, and NAME renamed NAME.refused in
 *	the drop folder, where the writer finds it (the guard's queue
 *	manager quarantines the message, with the reason, and audits it).
 *
 *	Once every frame of a message has been sent, the message is
 *	recorded: a line in the log (default SENT/diode-tx.log: time,
 *	session, precedence, sequence, id, file name, length, SHA-256),
 *	fsync'd, then NAME is renamed into --sent, unchanged (header and
 *	all), and both folders fsync'd: once for all the messages recorded
 *	together (every 50 ms or 256 messages while sending, 20 ms after
 *	the last group when there is nothing left to send).  Started by
 *	mmguardd, the program then records it in the guard's audit log too
 *	(diode-sent; a message that could not be read: link-alarm
 *	alarm=not-sent), on the channel to the audit role it is given on
 *	descriptor 4.  Nothing is deleted.  A message that cannot be read
 *	is logged and left where it is.  Killed mid-send, the program sends
 *	the message again at its next start (a new session); diode-rx
 *	refuses to store an id it already holds.  At the start the log's
 *	last session is read (from the end) and named, with how many
 *	messages of each precedence it recorded, in every heartbeat: what
 *	of it the receiver never got is then reported lost on the low side
 *	(guard/diode/diode.h, "Accounting across restarts").
 *
 * OPTIONS
 *	--to ADDR	where diode-rx listens (numeric address only)
 *	--key FILE	the link key, 32 to 1024 random bytes, mode 0600
 *	--token-key FILE the release token key (the policy role's)
 *	--direction D	high-to-low or low-to-high: check the guard's
 *			tokens (with --policy-digest), not the stand-in
 *	--policy-digest HEX  SHA-256 of a policy in force (up to 4 times)
 *	--in DIR	the drop folder
 *	--sent DIR	where sent messages go (same file system as --in)
 *	--log FILE	the sending record (default SENT/diode-tx.log)
 *	--link ID	link id, 0 to 4294967295 (default 1)
 *	--rate BITS	link rate, suffix k M G (default 100M; 0: unpaced)
 *	--symbol-size N	bytes per symbol (default 1344: 1448-byte
 *			datagrams, within a 1500-byte MTU on IPv4 and IPv6)
 *	--block N	data symbols per block, 1 to 128 (default 64)
 *	--redundancy PCT parity symbols per 100 data symbols (default 25:
 *			repairs 5% random loss; see diode.h)
 *	--min-parity N	parity symbols of any block, at least (default 2)
 *	--window N	blocks interleaved, 1 to 64 (default 16)
 *	--heartbeat MS	heartbeat interval (default 200)
 *	--max-size N	largest message, suffix K M G (default 64M)
 *	--sndbuf N	socket send buffer (default 4M)
 *	--no-gso	one datagram per buffer handed to the kernel; by
 *			default a run of frames goes down the network stack
 *			as one buffer that the kernel or the interface cuts
 *			into the same datagrams (UDP generic segmentation
 *			offload), which costs the sender far less per frame;
 *			where the kernel refuses, the program falls back by
 *			itself (and says so once)
 *	--once		exit once the drop folder is empty and all is sent
 *	--linger MS	with --once, keep sending heartbeats this long
 *			before exiting (default 5 heartbeats)
 *	--user NAME	the user to run as when started as root (required
 *			then)
 *	-v		more logging (twice: per message)
 *
 * EXIT STATUS
 *	0 after --once, or on SIGTERM/SIGINT (everything sent so far is
 *	recorded); 1 on a fatal error; 2 on usage errors.
 *
 * SECURITY
 *	Runs on the high side.  It reads the drop folder (released
 *	messages only: the policy role wrote them), holds the link key,
 *	and writes its log and the sent folder.  Once its socket, folders,
 *	log and inotify watch are open it enters the net_tx sandbox for
 *	good (guard/common/sandbox.h): started as root it becomes --user,
 *	no capabilities, no new privileges, a network namespace of its own,
 *	Landlock confining files to beneath --in and --sent, and a seccomp
 *	allow-list that kills on anything else: sending on its one socket
 *	(sendmmsg; segmentation offload is a control message of that call,
 *	no socket option) but never reading it, files beneath its folders
 *	read, written, synced and renamed, never removed.  It receives
 *	nothing from the network: its socket is shut for reading, and on
 *	an appliance the hardware diode carries no signal back, so the low
 *	side cannot reach this process at all.  An attacker who owns it could send
 *	anything in the drop folder, or garbage, to the low side, and forge
 *	frames (it holds the link key); it cannot forge a release token
 *	(the token key is the policy role's), so diode-rx refuses any
 *	message the policy did not release.
 */
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/log.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"
#include "guard/diode/diode_prog.h"

#define BATCH		32
#define RESCAN_US	5000000
#define FLUSH_US	50000
#define FLUSH_IDLE_US	20000
#define FLUSH_COUNT	256
#define PRELOAD_MAX	(64u << 10)	/* read whole when first seen */
#define PRELOAD_BUDGET	(32u << 20)	/* bytes held so, at most */
#define ETH_OVERHEAD	42

struct txfile {
	char		*name;		/* in the drop folder */
	uint64_t	 max;
	int		 dirfd;
	struct diode_meta meta;		/* its header, as first read */
	int		 refused;	/* its token did not verify, or the
					   file is not what was queued */
	uint8_t		*pre;		/* the message, read with its header
					   (small ones), until loaded */
};

static struct diode_token_keys	 tokkeys;

static void			*known;		/* tsearch tree of names */
static size_t			 preloaded;	/* bytes held in txfile.pre */
static size_t			 outstanding;	/* submitted, not done */

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: mmguard-diode-tx --to ADDR --key FILE --token-key "
	    "FILE --in DIR --sent DIR\n"
	    "           [--direction D --policy-digest HEX ...] "
	    "[--log FILE]\n"
	    "           [--link ID] [--rate BITS] [--symbol-size N] "
	    "[--block N]\n"
	    "           [--redundancy PCT] [--min-parity N] [--window N] "
	    "[--heartbeat MS]\n"
	    "           [--max-size N] [--sndbuf N] [--no-gso] [--once] "
	    "[--linger MS]\n"
	    "           [--user NAME] [-v]\n");
	if (full)
		fprintf(f, "\n"
		    "Send each message of the drop folder DIR (one file NAME "
		    "each: a line\n\"MMGD1\", lines \"id: ID\", "
		    "\"precedence: FLASH\", \"token: HEX\", \"length: N\",\n"
		    "an empty line, then the N bytes of the message) to "
		    "mmguard-diode-rx over a\none-way link, then record it "
		    "(log line, fsync, rename into the sent folder).\n\n"
		    "  --to ADDR          udp:ADDR:PORT, udp:[ADDR]:PORT or "
		    "unix:PATH\n"
		    "  --key FILE         link key, 32-1024 random bytes, mode "
		    "0600\n"
		    "  --token-key FILE   release token key: a message whose "
		    "token does not verify\n"
		    "                     is not sent (NAME becomes "
		    "NAME.refused)\n"
		    "  --direction D      with --policy-digest: check the "
		    "guard's release tokens\n"
		    "  --policy-digest H  SHA-256 of a policy in force (up "
		    "to 4 times)\n"
		    "  --in DIR           drop folder\n"
		    "  --sent DIR         sent messages (same file system)\n"
		    "  --log FILE         sending record (default "
		    "SENT/diode-tx.log)\n"
		    "  --link ID          link id (default 1)\n"
		    "  --rate BITS        link rate, k/M/G suffix (default "
		    "100M; 0 unpaced)\n"
		    "  --symbol-size N    symbol bytes (default 1344)\n"
		    "  --block N          data symbols per block, 1-128 "
		    "(default 64)\n"
		    "  --redundancy PCT   parity per 100 data symbols "
		    "(default 25)\n"
		    "  --min-parity N     parity symbols per block, at least "
		    "(default 2)\n"
		    "  --window N         blocks interleaved, 1-64 (default "
		    "16)\n"
		    "  --heartbeat MS     heartbeat interval (default 200)\n"
		    "  --max-size N       largest message (default 64M)\n"
		    "  --sndbuf N         socket send buffer (default 4M)\n"
		    "  --no-gso           no UDP segmentation offload (one "
		    "buffer per datagram)\n"
		    "  --once             exit when the folder is empty and "
		    "all is sent\n"
		    "  --linger MS        with --once, heartbeats before "
		    "exiting\n"
		    "  --user NAME        run as NAME (required when started "
		    "as root)\n"
		    "  -v                 more logging\n\n"
		    "Frame layout: guard/diode/diode.h, SECURITY-FRAMES.\n"
		    "Exit status: 0 done or stopped by a signal, 1 fatal "
		    "error, 2 usage.\n");
	exit(full ? 0 : 2);
}


static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}


/*
 * The release token of exactly the bytes about to be sent: a message the
 * policy role did not release (its token made by another key, for other
 * bytes, another direction or a policy not in force) is never sent.  The
 * engine calls this with the SHA-256 it takes of the body it loaded, the
 * one its record header carries, before any of it enters the stream: one
 * digest per message, of the bytes in hand.
 */
static int
check_token(void *cookie, const uint8_t *digest, char *err, size_t errsz)
{
	struct txfile	*tf = cookie;
	char		 hex[2 * DIODE_DIGEST_LEN + 1];

	if (diode_prog_token_check(&tokkeys, digest, tf->meta.token) == 0)
		return 0;
	tf->refused = 1;
	diode_hex(digest, DIODE_DIGEST_LEN, hex);
	snprintf(err, errsz, "release token does not release these bytes "
	    "(sha256 %s) under the policy in force", hex);
	return -1;
}

/*
 * The engine's loader: read the drop file whole, check that it is still
 * what was queued (the same header) and ends exactly after the length
 * its header declares, and hand over the message, moved to the start of
 * the buffer.  A file that is not is refused like a token that does not
 * verify: it is not what was released.
 */
static int
load_file(void *cookie, uint8_t **body, size_t *len, char *err,
    size_t errsz)
{
	struct txfile		*tf = cookie;
	struct diode_meta	 m;
	struct stat		 sb;
	char			 why[160];
	uint8_t			*p;
	size_t			 got = 0, hdrlen;
	ssize_t			 n;
	int			 fd;

	if (tf->pre != NULL) {
		/* Read whole, header and all, when it was first seen. */
		*body = tf->pre;
		*len = (size_t)tf->meta.len;
		preloaded -= *len;
		tf->pre = NULL;
		return 0;
	}
	if ((fd = openat(tf->dirfd, tf->name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "%s: %s", tf->name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > tf->max + DIODE_DROP_HDR_MAX) {
		snprintf(err, errsz, "%s: not a regular file or larger than "
		    "%llu bytes", tf->name, (unsigned long long)tf->max);
		close(fd);
		return -1;
	}
	p = xmalloc(sb.st_size > 0 ? (size_t)sb.st_size : 1);
	while (got < (size_t)sb.st_size) {
		n = read(fd, p + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "%s: %s", tf->name, n < 0 ?
			    strerror(errno) : "shrank while read");
			free(p);
			close(fd);
			return -1;
		}
		got += (size_t)n;
	}
	close(fd);
	if (diode_drop_parse(p, got, &m, &hdrlen, why, sizeof(why)) != 0)
		snprintf(err, errsz, "%s: %s", tf->name, why);
	else if (m.len > tf->max) {
		/* Too large for this sender: not sent, not refused. */
		snprintf(err, errsz, "%s: larger than %llu bytes", tf->name,
		    (unsigned long long)tf->max);
		freezero(p, got);
		return -1;
	} else if (m.len != got - hdrlen)
		snprintf(err, errsz, "%s: %zu bytes of message, its header "
		    "says %llu (incomplete or overlong)", tf->name,
		    got - hdrlen, (unsigned long long)m.len);
	else if (m.prec != tf->meta.prec || strcmp(m.id, tf->meta.id) != 0 ||
	    memcmp(m.token, tf->meta.token, sizeof(m.token)) != 0)
		snprintf(err, errsz, "%s: its header changed while it was "
		    "queued", tf->name);
	else {
		memmove(p, p + hdrlen, got - hdrlen);
		*body = p;
		*len = got - hdrlen;
		return 0;
	}
	tf->refused = 1;
	freezero(p, got);
	return -1;
}

static int
is_refused(const char *n)
{
	size_t	l = strlen(n), k = sizeof(DIODE_REFUSED_SUFFIX) - 1;

	return l > k && strcmp(n + l - k, DIODE_REFUSED_SUFFIX) == 0;
}

/*
 * A small message is read whole as soon as its header is (have bytes of
 * it came with the header), so that loading it does not open and read
 * the file again; within PRELOAD_BUDGET.  One that does not end exactly
 * where its header says is left to load_file(), which refuses it.
 */
static void
preload(struct txfile *tf, int fd, const char *have, size_t nhave)
{
	size_t	len = (size_t)tf->meta.len, got;
	ssize_t	n;

	if (tf->meta.len > PRELOAD_MAX || tf->meta.len > tf->max ||
	    preloaded + len > PRELOAD_BUDGET || nhave > len)
		return;
	/* One byte more than the message: the end of the file is seen. */
	tf->pre = xmalloc(len + 1);
	memcpy(tf->pre, have, nhave);
	for (got = nhave; got <= len; got += (size_t)n)
		if ((n = read(fd, tf->pre + got, len + 1 - got)) <= 0) {
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			break;
		}
	if (got != len) {
		freezero(tf->pre, len + 1);
		tf->pre = NULL;
		return;
	}
	preloaded += len;
}

/*
 * Take the drop file NAME unless it is known already (queued, or bad and
 * reported): read its header and submit it.  Returns 1 when submitted.
 */
static int
take(struct diode_tx *tx, int indir, uint64_t maxsz, const char *name)
{
	struct diode_tx_msg	 m;
	struct txfile		*tf;
	char			 buf[DIODE_DROP_HDR_MAX], err[256];
	size_t			 hdrlen;
	ssize_t			 r;
	int			 fd;

	if (name[0] == '.' || is_refused(name) ||
	    tfind(name, &known, name_cmp) != NULL)
		return 0;
	if (!diode_id_valid(name, strlen(name))) {
		log_warnx("%s: file name outside A-Z a-z 0-9 . _ - + = @, "
		    "ignored", name);
		tsearch(xstrdup(name), &known, name_cmp);
		return 0;
	}
	if ((fd = openat(indir, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1) {
		if (errno != ENOENT)	/* gone: sent, or set aside */
			log_warn("%s", name);
		return 0;
	}
	if ((r = read(fd, buf, sizeof(buf))) < 0) {
		log_warn("%s", name);
		close(fd);
		return 0;
	}
	/* Remember even a bad one: it is reported once per run. */
	tf = xcalloc(1, sizeof(*tf));
	tf->name = xstrdup(name);
	tf->max = maxsz;
	tf->dirfd = indir;
	tsearch(tf->name, &known, name_cmp);
	if (diode_drop_parse(buf, (size_t)r, &tf->meta, &hdrlen, err,
	    sizeof(err)) != 0) {
		log_warnx("%s: %s; left in the drop folder", name, err);
		close(fd);
		free(tf);
		return 0;
	}
	preload(tf, fd, buf + hdrlen, (size_t)r - hdrlen);
	close(fd);
	memset(&m, 0, sizeof(m));
	memcpy(m.id, tf->meta.id, sizeof(m.id));
	m.prec = tf->meta.prec;
	memcpy(m.token, tf->meta.token, sizeof(m.token));
	m.cookie = tf;
	if (diode_tx_submit(tx, &m, err, sizeof(err)) != 0)
		fatalx("%s: %s", tf->name, err);
	outstanding++;
	return 1;
}

/* Every complete message of the drop folder not yet known. */
static void
scan(struct diode_tx *tx, int indir, uint64_t maxsz)
{
	DIR		*d;
	struct dirent	*de;
	int		 dfd;

	/* A descriptor of its own for the listing: openat, not dup (the
	 * sandbox allows the one, not the other). */
	if ((dfd = openat(indir, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1 || (d = fdopendir(dfd)) == NULL)
		fatal("drop folder");
	while ((de = readdir(d)) != NULL)
		(void)take(tx, indir, maxsz, de->d_name);
	closedir(d);
}

/*
 * What the inotify watch reports: the files renamed (or written) into
 * the drop folder, by name, so that a deep folder is not listed again
 * for every new file.  When the kernel's queue overflowed, names were
 * lost: the whole folder is listed.  Returns 1 when there was any event.
 */
static int
notice(struct diode_tx *tx, int indir, uint64_t maxsz, int ino)
{
	uint8_t				 b[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	ssize_t				 n;
	size_t				 off;
	int				 any = 0, overflow = 0;

	while ((n = read(ino, b, sizeof(b))) > 0) {
		any = 1;
		for (off = 0; off + sizeof(*ev) <= (size_t)n;
		    off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(const void *)
			    (b + off);
			if (off + sizeof(*ev) + ev->len > (size_t)n)
				break;
			if (ev->mask & IN_Q_OVERFLOW)
				overflow = 1;
			else if (ev->len > 0 && !overflow &&
			    memchr(ev->name, '\0', ev->len) != NULL)
				(void)take(tx, indir, maxsz, ev->name);
		}
	}
	if (overflow)
		scan(tx, indir, maxsz);
	return any;
}

/*
 * A message sent (recorded and moved), or one that could not be, in the
 * guard's audit log: on the channel to the audit role that mmguardd
 * gives the program on descriptor 4 (none when it runs alone).
 */
static void
audit_sent(const struct diode_tx_done *d, uint64_t session)
{
	struct audit_kv	kv[5];
	char		hex[2 * DIODE_DIGEST_LEN + 1], sess[24], seq[24];
	char		len[24];

	(void)snprintf(sess, sizeof(sess), "%016llx",
	    (unsigned long long)session);
	(void)snprintf(seq, sizeof(seq), "%llu", (unsigned long long)d->seq);
	if (d->status != 0) {
		kv[0] = (struct audit_kv){ "alarm", "not-sent" };
		kv[1] = (struct audit_kv){ "reason", d->err };
		role_audit(AUDIT_EV_LINK_ALARM, d->id, kv, 2);
		return;
	}
	diode_hex(d->digest, sizeof(d->digest), hex);
	(void)snprintf(len, sizeof(len), "%llu", (unsigned long long)d->len);
	kv[0] = (struct audit_kv){ "digest", hex };
	kv[1] = (struct audit_kv){ "bytes", len };
	kv[2] = (struct audit_kv){ "session", sess };
	kv[3] = (struct audit_kv){ "sequence", seq };
	kv[4] = (struct audit_kv){ "precedence", diode_prec_name(d->prec) };
	role_audit(AUDIT_EV_DIODE_SENT, d->id, kv, 5);
}

struct record {
	struct diode_tx_done	 d;
};

static struct record	*pending;
static size_t		 npending, pending_cap;

/*
 * A message whose release token did not verify (or whose file is not
 * what was queued) stays on the high side: NAME becomes NAME.refused (the
 * record already says why), so that it is not taken again, and whoever
 * wrote it into the drop folder sees it refused (the queue manager
 * quarantines it, with the reason, and audits that).  An alarm in the
 * log.
 */
static void
set_aside(int indir, const struct txfile *tf, const struct diode_tx_done *d)
{
	char	aside[NAME_MAX + 1];

	log_warnx("ALARM %s (id %s) refused, not sent: %s; kept as %s%s",
	    tf->name, d->id, d->err, tf->name, DIODE_REFUSED_SUFFIX);
	(void)snprintf(aside, sizeof(aside), "%s%s", tf->name,
	    DIODE_REFUSED_SUFFIX);
	if (renameat(indir, tf->name, indir, aside) != 0)
		fatal("%s: setting it aside", tf->name);
}

static void
flush_records(int logfd, int indir, int sentdir, uint64_t session)
{
	struct txfile	*tf;
	char		 line[512], hex[2 * DIODE_DIGEST_LEN + 1];
	char		 err[256], ts[64];
	size_t		 i, len = 0, off;
	char		*all;

	if (npending == 0)
		return;
	diode_prog_stamp(ts, sizeof(ts));
	all = xmalloc(npending * sizeof(line));
	off = 0;
	for (i = 0; i < npending; i++) {
		struct diode_tx_done *d = &pending[i].d;

		tf = d->cookie;
		diode_hex(d->digest, sizeof(d->digest), hex);
		if (d->status == 0)
			len = (size_t)snprintf(line, sizeof(line),
			    "%s sent session=%016llx prec=%s seq=%llu id=%s "
			    "name=%s bytes=%llu sha256=%s\n", ts,
			    (unsigned long long)session,
			    diode_prec_name(d->prec), (unsigned long long)d->seq,
			    d->id, tf->name, (unsigned long long)d->len, hex);
		else
			len = (size_t)snprintf(line, sizeof(line),
			    "%s %s id=%s name=%s reason=%s\n", ts,
			    tf->refused ? "refused" : "failed", d->id,
			    tf->name, d->err);
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(all + off, line, len);
		off += len;
	}
	if (diode_append(logfd, all, off, err, sizeof(err)) != 0)
		fatalx("sending record: %s", err);
	free(all);
	/* Recorded: now the files may move, one rename each. */
	for (i = 0; i < npending; i++) {
		struct diode_tx_done *d = &pending[i].d;

		tf = d->cookie;
		outstanding--;
		if (d->status != 0 && tf->refused) {
			set_aside(indir, tf, d);
			tdelete(tf->name, &known, name_cmp);
			free(tf->name);
			free(tf);
			continue;
		}
		if (d->status != 0) {
			/* Stays known: not retried before the next start. */
			log_warnx("%s: not sent: %s", tf->name, d->err);
			continue;
		}
		log_debug("sent %s %s seq %llu (%llu bytes)", d->id,
		    diode_prec_name(d->prec), (unsigned long long)d->seq,
		    (unsigned long long)d->len);
		if (renameat(indir, tf->name, sentdir, tf->name) != 0)
			fatal("%s: moving into the sent folder", tf->name);
		/* The name may come back later as a new message. */
		tdelete(tf->name, &known, name_cmp);
		free(tf->name);
		free(tf);
	}
	if (fsync(sentdir) != 0 || fsync(indir) != 0)
		fatal("fsync of the drop or sent folder");
	for (i = 0; i < npending; i++)
		audit_sent(&pending[i].d, session);
	npending = 0;
}

/*
 * The sending record's last session, named in this session's heartbeats
 * so that diode-rx can report what it recorded as sent and the receiver
 * never got (diode.h, "Accounting across restarts").  A line torn by a
 * crash is ended first, so that the next record starts a line of its own.
 */
static void
previous_session(struct diode_tx *tx, int logfd)
{
	struct stat	 sb;
	uint64_t	 prev, next[DIODE_NPREC];
	char		 err[256], last;

	if (fstat(logfd, &sb) == 0 && sb.st_size > 0 &&
	    pread(logfd, &last, 1, sb.st_size - 1) == 1 && last != '\n') {
		if (diode_append(logfd, "\n", 1, err, sizeof(err)) != 0)
			fatalx("sending record: %s", err);
		log_warnx("sending record: its last line was torn (a crash "
		    "while it was written); ended it");
	}
	if (diode_sendlog_last(logfd, &prev, next, err, sizeof(err)) != 0)
		fatalx("%s", err);
	diode_tx_set_previous(tx, prev, next);
	if (prev != 0)
		log_info("previous session %016llx recorded %llu %llu %llu "
		    "%llu %llu %llu messages (by precedence)",
		    (unsigned long long)prev, (unsigned long long)next[0],
		    (unsigned long long)next[1], (unsigned long long)next[2],
		    (unsigned long long)next[3], (unsigned long long)next[4],
		    (unsigned long long)next[5]);
}

/*
 * Everything is open (socket, folders, log, inotify): enter the net_tx
 * sandbox for good.  The first SHA-256 and token check are made now,
 * while OpenSSL may still read its configuration.
 */
static void
confine(const char *user, int sock, int indir, int sentdir)
{
	uint8_t	d[DIODE_DIGEST_LEN];
	int	dirs[2];

	if (EVP_Digest("", 0, d, NULL, EVP_sha256(), NULL) != 1)
		fatalx("SHA-256 unavailable in OpenSSL");
	(void)diode_prog_token_check(&tokkeys, d, d);
	dirs[0] = indir;
	dirs[1] = sentdir;
	sandbox_enter(&sandbox_net_tx, &(struct sandbox_args){ .user = user,
	    .sock = sock, .dirs = dirs, .ndirs = 2 });
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "to",		required_argument, NULL, 't' },
		{ "key",	required_argument, NULL, 'k' },
		{ "in",		required_argument, NULL, 'i' },
		{ "sent",	required_argument, NULL, 's' },
		{ "log",	required_argument, NULL, 'l' },
		{ "link",	required_argument, NULL, 'L' },
		{ "rate",	required_argument, NULL, 'r' },
		{ "symbol-size", required_argument, NULL, 'S' },
		{ "block",	required_argument, NULL, 'b' },
		{ "redundancy",	required_argument, NULL, 'R' },
		{ "min-parity",	required_argument, NULL, 'm' },
		{ "window",	required_argument, NULL, 'w' },
		{ "heartbeat",	required_argument, NULL, 'H' },
		{ "max-size",	required_argument, NULL, 'M' },
		{ "sndbuf",	required_argument, NULL, 'B' },
		{ "once",	no_argument,	   NULL, 'o' },
		{ "no-gso",	no_argument,	   NULL, 'G' },
		{ "linger",	required_argument, NULL, 'g' },
		{ "user",	required_argument, NULL, 'u' },
		{ "token-key",	required_argument, NULL, 'T' },
		{ "direction",	required_argument, NULL, 'D' },
		{ "policy-digest", required_argument, NULL, 'P' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct diode_tx_params	 p;
	struct diode_tx_stats	 ts;
	struct diode_addr	 to;
	struct diode_tx		*tx;
	struct diode_tx_done	 d;
	struct iovec		 iov[BATCH];
	struct pollfd		 pfd;
	const char		*to_s = NULL, *key_s = NULL, *in_s = NULL;
	const char		*sent_s = NULL, *log_s = NULL, *user = NULL;
	const char		*tok_s = NULL;
	uint8_t			 key[DIODE_KEY_MAX], *frames;
	size_t			 keylen, fsz;
	uint64_t		 rate = 100000000, maxsz = 64u << 20;
	uint64_t		 sndbuf = 4u << 20, linger = 0, v, errors = 0;
	uint64_t		 now, last_rate, next_scan, last_flush, idle_since;
	double			 credit, burst;
	char			 err[256];
	int			 ch, verbose = 0, once = 0, fd, indir, sentdir;
	int			 logfd, ino, n, i, idle, gso = 1, had_gso;
	long			 len;

	memset(&p, 0, sizeof(p));
	diode_prog_token_init(&tokkeys);
	p.link = 1;
	p.symsize = DIODE_DEF_SYMBOL;
	p.k = DIODE_DEF_K;
	p.redundancy = DIODE_DEF_REDUNDANCY;
	p.min_parity = DIODE_DEF_MIN_PARITY;
	p.window = DIODE_DEF_WINDOW;
	p.heartbeat_ms = DIODE_DEF_HEARTBEAT_MS;
	p.check = check_token;
	while ((ch = getopt_long(argc, argv, "u:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u': user = optarg; break;
		case 'T': tok_s = optarg; break;
		case 'D': diode_prog_token_dir(&tokkeys, optarg); break;
		case 'P': diode_prog_token_policy(&tokkeys, optarg); break;
		case 't': to_s = optarg; break;
		case 'k': key_s = optarg; break;
		case 'i': in_s = optarg; break;
		case 's': sent_s = optarg; break;
		case 'l': log_s = optarg; break;
		case 'L':
			p.link = (uint32_t)diode_prog_num("--link", optarg, 1000, 0,
			    UINT32_MAX);
			break;
		case 'r':
			rate = diode_prog_num("--rate", optarg, 1000, 0,
			    (uint64_t)400 << 30);
			break;
		case 'S':
			p.symsize = (uint16_t)diode_prog_num("--symbol-size", optarg,
			    1024, DIODE_MIN_SYMBOL, DIODE_MAX_SYMBOL);
			break;
		case 'b':
			p.k = (uint16_t)diode_prog_num("--block", optarg, 1000, 1,
			    DIODE_MAX_K);
			break;
		case 'R':
			p.redundancy = (uint16_t)diode_prog_num("--redundancy",
			    optarg, 1000, 0, 100);
			break;
		case 'm':
			p.min_parity = (uint16_t)diode_prog_num("--min-parity",
			    optarg, 1000, 0, 64);
			break;
		case 'w':
			p.window = (uint16_t)diode_prog_num("--window", optarg, 1000,
			    1, DIODE_MAX_WINDOW);
			break;
		case 'H':
			p.heartbeat_ms = (uint32_t)diode_prog_num("--heartbeat",
			    optarg, 1000, 1, 3600000);
			break;
		case 'M':
			maxsz = diode_prog_num("--max-size", optarg, 1024, 0,
			    DIODE_MAX_MESSAGE);
			break;
		case 'B':
			sndbuf = diode_prog_num("--sndbuf", optarg, 1024, 0,
			    1u << 30);
			break;
		case 'o': once = 1; break;
		case 'G': gso = 0; break;
		case 'g':
			linger = diode_prog_num("--linger", optarg, 1000, 0,
			    3600000);
			break;
		case 'v': verbose++; break;
		case 'h': usage(1);
		default: usage(0);
		}
	}
	if (optind != argc || to_s == NULL || key_s == NULL || in_s == NULL ||
	    sent_s == NULL || tok_s == NULL)
		usage(0);
	log_init("mmguard-diode-tx", LOG_TO_STDERR, verbose + 1);
	(void)role_audit_open(false);
	if (linger == 0)
		linger = 5 * (uint64_t)p.heartbeat_ms;

	if (diode_addr_parse(to_s, &to, err, sizeof(err)) != 0)
		fatalx("--to %s", err);
	if (diode_key_load(key_s, key, &keylen, err, sizeof(err)) != 0)
		fatalx("--key %s", err);
	diode_prog_token_load(&tokkeys, tok_s);
	if ((indir = open(in_s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("--in %s", in_s);
	if ((sentdir = open(sent_s, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("--sent %s", sent_s);
	/* Read too: the last session is found in it at the start. */
	if (log_s != NULL)
		logfd = open(log_s, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
	else
		logfd = openat(sentdir, "diode-tx.log", O_RDWR | O_APPEND |
		    O_CREAT | O_CLOEXEC, 0640);
	if (logfd == -1)
		fatal("sending record");
	if ((fd = diode_sock_tx(&to, sndbuf, err, sizeof(err))) == -1)
		fatalx("%s: %s", to_s, err);
	if ((ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(ino, in_s, IN_MOVED_TO | IN_CLOSE_WRITE) == -1)
		fatal("inotify on %s", in_s);

	diode_prog_signals();

	now = diode_now_us();
	tx = diode_tx_new(&p, key, keylen, load_file, now, err, sizeof(err));
	explicit_bzero(key, sizeof(key));
	if (tx == NULL)
		fatalx("%s", err);
	previous_session(tx, logfd);
	confine(user, fd, indir, sentdir);
	log_info("session %016llx to %s: symbol %u, block %u, redundancy "
	    "%u%%, window %u, rate %llu bit/s", (unsigned long long)
	    diode_tx_session(tx), to_s, p.symsize, p.k, p.redundancy,
	    p.window, (unsigned long long)rate);

	fsz = DIODE_DATA_HDR_LEN + (size_t)p.symsize + DIODE_TAG_LEN;
	frames = xmalloc(BATCH * fsz);
	for (i = 0; i < BATCH; i++)
		iov[i].iov_base = frames + (size_t)i * fsz;
	scan(tx, indir, maxsz);
	next_scan = now + RESCAN_US;
	last_rate = last_flush = now;
	idle_since = 0;
	/* Credit in bits; a burst of one batch at most. */
	burst = (double)(BATCH * (fsz + ETH_OVERHEAD) * 8);
	credit = burst;

	while (!proc_stopping) {
		now = diode_now_us();
		(void)notice(tx, indir, maxsz, ino);
		if (now >= next_scan) {
			scan(tx, indir, maxsz);
			next_scan = now + RESCAN_US;
		}
		if (rate > 0) {
			credit += (double)(now - last_rate) * (double)rate / 1e6;
			if (credit > burst)
				credit = burst;
		}
		last_rate = now;
		n = 0;
		while (n < BATCH && (rate == 0 || credit > 0)) {
			len = diode_tx_next(tx, now, frames + (size_t)n * fsz,
			    fsz, err, sizeof(err));
			if (len < 0)
				fatalx("%s", err);
			if (len == 0)
				break;
			iov[n].iov_len = (size_t)len;
			credit -= (double)((size_t)len + ETH_OVERHEAD) * 8;
			n++;
		}
		had_gso = gso;
		if (n > 0 && diode_send_frames(fd, &to, iov, n, &gso, &errors,
		    err, sizeof(err)) != 0)
			fatalx("%s: %s", to_s, err);
		if (had_gso && !gso && to.family != AF_UNIX)
			log_info("%s: the kernel does not segment these "
			    "datagrams; one system call each from now on",
			    to_s);
		while (diode_tx_done(tx, &d)) {
			if (npending == pending_cap) {
				pending_cap = pending_cap ? pending_cap * 2 : 256;
				pending = xreallocarray(pending, pending_cap,
				    sizeof(*pending));
			}
			pending[npending++].d = d;
		}
		idle = diode_tx_idle(tx);
		/*
		 * Records go out in groups (a log line each, one fsync of
		 * the log and of both folders for all): every FLUSH_US while
		 * sending, or FLUSH_COUNT messages; with nothing left to
		 * send, FLUSH_IDLE_US after the last group, so that messages
		 * that trickle in one at a time do not cost three fsyncs
		 * each.  (The queue manager looks for sent messages every
		 * 50 ms.)
		 */
		if (npending >= FLUSH_COUNT || (npending > 0 &&
		    now - last_flush >= (idle ? FLUSH_IDLE_US : FLUSH_US))) {
			flush_records(logfd, indir, sentdir,
			    diode_tx_session(tx));
			last_flush = now;
		}
		if (!idle) {
			idle_since = 0;
			if (n == 0 && rate > 0 && credit <= 0) {
				/* Ahead of the link: sleep off the debt. */
				struct timespec nap;

				v = (uint64_t)(-credit * 1e6 / (double)rate) + 1;
				nap.tv_sec = (time_t)(v / 1000000);
				nap.tv_nsec = (long)(v % 1000000) * 1000;
				nanosleep(&nap, NULL);
			} else if (n == 0)
				(void)poll(NULL, 0, 1);
			continue;
		}
		if (idle_since == 0)
			idle_since = now;
		if (once && now - idle_since >= linger * 1000 &&
		    outstanding == 0)
			break;
		/* Idle: heartbeats only; wake for new files, or when the
		 * records waiting are due. */
		pfd.fd = ino;
		pfd.events = POLLIN;
		(void)poll(&pfd, 1, npending > 0 && now - last_flush <
		    FLUSH_IDLE_US ? (int)((FLUSH_IDLE_US - (now - last_flush) +
		    999) / 1000) : 20);
	}
	flush_records(logfd, indir, sentdir, diode_tx_session(tx));
	diode_tx_get_stats(tx, &ts);
	log_info("summary session=%016llx frames=%llu data=%llu "
	    "heartbeats=%llu blocks=%llu sent=%llu failed=%llu bytes=%llu "
	    "send_errors=%llu unsent=%zu", (unsigned long long)
	    diode_tx_session(tx), (unsigned long long)ts.frames,
	    (unsigned long long)ts.data_frames,
	    (unsigned long long)ts.hb_frames, (unsigned long long)ts.blocks,
	    (unsigned long long)ts.completed, (unsigned long long)ts.failed,
	    (unsigned long long)ts.body_bytes, (unsigned long long)errors,
	    outstanding);
	diode_tx_free(tx);
	return 0;
}
