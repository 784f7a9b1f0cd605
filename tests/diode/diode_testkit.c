/*
 * diode_testkit.c - the tools of the one-way channel's checks.
 *
 *   diode-testkit gen DIR TOKENKEY COUNT SIZE [--size-max N] [--prec P]
 *	[--prefix P] [--seed N] [--bad-token 1]
 *	Writes COUNT messages of SIZE bytes (or random sizes SIZE..N) of
 *	pseudo-random content into the drop folder DIR, one drop file NAME
 *	each (guard/diode/diode.h: a header with id = NAME, precedence P or
 *	"mixed", release token = HMAC-SHA256 of the digest under TOKENKEY,
 *	or with --bad-token a token for other bytes, and the length; then
 *	the message).  Test data: written without fsync.
 *
 *   diode-testkit proxy LISTEN TO [--loss PCT] [--burst PCT --burst-len N]
 *	[--reorder PCT --reorder-depth N] [--dup PCT] [--corrupt PCT]
 *	[--forge PCT] [--seed N] [--exit-idle MS]
 *	Forwards datagrams from LISTEN to TO (real UDP or unix sockets),
 *	dropping each with probability --loss, starting a burst of
 *	--burst-len drops with probability --burst, holding one back for
 *	1..--reorder-depth later datagrams (--reorder), sending one twice
 *	(--dup), flipping a byte (--corrupt), and injecting after one a
 *	forged datagram (--forge: a copy with altered payload or header,
 *	or random bytes, never a valid tag).  Counts go to stderr at exit.
 *
 *   diode-testkit corpus DIR
 *	Writes the seed corpus of the diode fuzzing harness: real frames of
 *	small transfers under the harness's key (see tests/fuzz/diode_fuzz.c).
 *
 *   diode-testkit compare SRC OUT [--report FILE] [--sent-log FILE]
 *	For each drop file of SRC (other files are skipped), checks that
 *	OUT/ID is byte-identical to the message it holds; for each one missing, whether the receiver's
 *	report names it by id, or by stream and sequence (mapped to the id
 *	through the sender's log).  Prints one line of counts.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/file.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"

static uint64_t	rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* True with probability pct percent. */
static int
chance(double pct)
{
	return pct > 0 && (double)(rng() % 1000000) < pct * 10000.0;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: diode-testkit gen DIR TOKENKEY COUNT SIZE "
	    "[--size-max N] [--prec P|mixed] [--prefix P] [--seed N]\n"
	    "       diode-testkit proxy LISTEN TO [--loss PCT] [--burst PCT "
	    "--burst-len N]\n"
	    "           [--reorder PCT --reorder-depth N] [--dup PCT] "
	    "[--corrupt PCT] [--forge PCT]\n"
	    "           [--seed N] [--exit-idle MS]\n"
	    "       diode-testkit compare SRC OUT [--report FILE] "
	    "[--sent-log FILE]\n"
	    "       diode-testkit corpus DIR\n");
	exit(2);
}

/* --- gen ---------------------------------------------------------------- */

/* A temporary name, then rename: the sender never sees half a file. */
static void
write_file(int dir, const char *name, const void *hdr, size_t hlen,
    const void *p, size_t len)
{
	char	tmp[160];
	int	fd;

	(void)snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	if ((fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, hdr, hlen) != (ssize_t)hlen ||
	    write(fd, p, len) != (ssize_t)len || close(fd) != 0 ||
	    renameat(dir, tmp, dir, name) != 0)
		fatal("%s", name);
}

static int
gen(int argc, char *argv[])
{
	uint8_t		 tokkey[DIODE_KEY_MAX], digest[32], token[32], *body;
	char		 err[256], name[128], hdr[DIODE_DROP_HDR_MAX];
	const char	*prefix = "m", *precs = "ROUTINE";
	size_t		 keylen, count, size, size_max = 0, len, i;
	int		 dir, a, prec, bad = 0, hlen;

	if (argc < 5)
		usage();
	if (diode_key_load(argv[2], tokkey, &keylen, err, sizeof(err)) != 0)
		fatalx("%s", err);
	count = strtoul(argv[3], NULL, 10);
	size = strtoul(argv[4], NULL, 10);
	for (a = 5; a + 1 < argc; a += 2) {
		if (strcmp(argv[a], "--size-max") == 0)
			size_max = strtoul(argv[a + 1], NULL, 10);
		else if (strcmp(argv[a], "--prec") == 0)
			precs = argv[a + 1];
		else if (strcmp(argv[a], "--prefix") == 0)
			prefix = argv[a + 1];
		else if (strcmp(argv[a], "--seed") == 0)
			rng_state ^= strtoull(argv[a + 1], NULL, 10) *
			    0x2545f4914f6cdd1dULL;
		else if (strcmp(argv[a], "--bad-token") == 0)
			bad = atoi(argv[a + 1]);
		else
			usage();
	}
	if (a != argc)
		usage();
	if ((dir = open(argv[1], O_RDONLY | O_DIRECTORY)) == -1)
		fatal("%s", argv[1]);
	body = xmalloc((size_max > size ? size_max : size) + 1);
	for (i = 0; i < count; i++) {
		len = size_max > size ? size + rng() % (size_max - size + 1) :
		    size;
		for (size_t j = 0; j < len; j += 8) {
			uint64_t r = rng();

			memcpy(body + j, &r, len - j < 8 ? len - j : 8);
		}
		if (strcmp(precs, "mixed") == 0)
			prec = (int)(rng() % DIODE_NPREC);
		else if ((prec = diode_prec_parse(precs)) < 0)
			fatalx("unknown precedence %s", precs);
		(void)snprintf(name, sizeof(name), "%s%06zu", prefix, i);
		if (EVP_Digest(body, len, digest, NULL, EVP_sha256(),
		    NULL) != 1)
			fatalx("digest");
		if (bad)
			digest[0] ^= 1;
		if (diode_token_make(tokkey, keylen, digest, token) != 0)
			fatalx("token");
		if ((hlen = diode_drop_header(hdr, sizeof(hdr), name, prec,
		    token, len)) < 0)
			fatalx("%s: no drop header", name);
		write_file(dir, name, hdr, (size_t)hlen, body, len);
	}
	return 0;
}

/* --- proxy -------------------------------------------------------------- */

#define HOLD_MAX	256

struct held {
	uint8_t		*buf;
	size_t		 len;
	int		 wait;		/* datagrams still to let pass */
};

struct proxy {
	int		 out;
	struct diode_addr to;
	struct held	 hold[HOLD_MAX];
	int		 nhold;
	uint64_t	 in, sent, dropped, burst_dropped, dup, reordered;
	uint64_t	 corrupted, forged;
};

static void
px_send(struct proxy *px, const uint8_t *b, size_t len)
{
	if (sendto(px->out, b, len, 0,
	    (const struct sockaddr *)(const void *)px->to.ss, px->to.len) < 0 &&
	    errno != ECONNREFUSED && errno != ENOENT)
		log_warn("proxy send");
	px->sent++;
}

/* One datagram went through: release the held ones whose turn it is. */
static void
px_tick(struct proxy *px)
{
	int	i;

	for (i = 0; i < px->nhold; ) {
		if (--px->hold[i].wait > 0) {
			i++;
			continue;
		}
		px_send(px, px->hold[i].buf, px->hold[i].len);
		free(px->hold[i].buf);
		px->hold[i] = px->hold[--px->nhold];
	}
}

static int
proxy(int argc, char *argv[])
{
	struct proxy	 px;
	struct diode_addr from;
	struct pollfd	 pfd;
	uint8_t		*buf, *f;
	double		 loss = 0, burst = 0, reorder = 0, dup = 0;
	double		 corrupt = 0, forge = 0;
	long		 burst_len = 20, depth = 10, burst_left = 0;
	long		 exit_idle = 0;
	uint64_t	 last = 0, now;
	ssize_t		 n;
	size_t		 len, i;
	char		 err[256];
	int		 in, a, started = 0;

	if (argc < 3)
		usage();
	memset(&px, 0, sizeof(px));
	for (a = 3; a + 1 < argc; a += 2) {
		double v = strtod(argv[a + 1], NULL);

		if (strcmp(argv[a], "--loss") == 0)
			loss = v;
		else if (strcmp(argv[a], "--burst") == 0)
			burst = v;
		else if (strcmp(argv[a], "--burst-len") == 0)
			burst_len = (long)v;
		else if (strcmp(argv[a], "--reorder") == 0)
			reorder = v;
		else if (strcmp(argv[a], "--reorder-depth") == 0)
			depth = (long)v;
		else if (strcmp(argv[a], "--dup") == 0)
			dup = v;
		else if (strcmp(argv[a], "--corrupt") == 0)
			corrupt = v;
		else if (strcmp(argv[a], "--forge") == 0)
			forge = v;
		else if (strcmp(argv[a], "--seed") == 0)
			rng_state ^= strtoull(argv[a + 1], NULL, 10) *
			    0x2545f4914f6cdd1dULL;
		else if (strcmp(argv[a], "--exit-idle") == 0)
			exit_idle = (long)v;
		else
			usage();
	}
	if (a != argc || depth < 1 || burst_len < 1)
		usage();
	if (diode_addr_parse(argv[1], &from, err, sizeof(err)) != 0 ||
	    diode_addr_parse(argv[2], &px.to, err, sizeof(err)) != 0)
		fatalx("%s", err);
	/* The proxy is a test fixture: it may send; it is not diode-rx. */
	if ((in = socket(from.family, SOCK_DGRAM, 0)) == -1 ||
	    bind(in, (const struct sockaddr *)(const void *)from.ss,
	    from.len) != 0)
		fatal("proxy listen %s", argv[1]);
	{
		int sz = 8 << 20;

		(void)setsockopt(in, SOL_SOCKET, SO_RCVBUFFORCE, &sz,
		    sizeof(sz));
	}
	if ((px.out = socket(px.to.family, SOCK_DGRAM, 0)) == -1)
		fatal("proxy socket");
	buf = xmalloc(DIODE_MAX_FRAME + 1);
	pfd.fd = in;
	pfd.events = POLLIN;
	for (;;) {
		if (poll(&pfd, 1, 10) <= 0) {
			now = diode_now_us();
			if (exit_idle > 0 && started &&
			    now - last >= (uint64_t)exit_idle * 1000)
				break;
			/* Quiet link: let held datagrams out. */
			while (px.nhold > 0)
				px_tick(&px);
			continue;
		}
		if ((n = recv(in, buf, DIODE_MAX_FRAME + 1, 0)) < 0) {
			if (errno == EINTR)
				continue;
			fatal("proxy recv");
		}
		started = 1;
		last = diode_now_us();
		len = (size_t)n;
		px.in++;
		if (burst_left > 0) {
			burst_left--;
			px.burst_dropped++;
			continue;
		}
		if (chance(burst)) {
			burst_left = burst_len - 1;
			px.burst_dropped++;
			continue;
		}
		if (chance(loss)) {
			px.dropped++;
			continue;
		}
		if (len > 0 && chance(corrupt)) {
			buf[rng() % len] ^= (uint8_t)(1 + rng() % 255);
			px.corrupted++;
		}
		if (chance(reorder) && px.nhold < HOLD_MAX) {
			px.hold[px.nhold].buf = xmemdup(buf, len);
			px.hold[px.nhold].len = len;
			px.hold[px.nhold].wait = 1 + (int)(rng() % (uint64_t)depth);
			px.nhold++;
			px.reordered++;
		} else {
			px_send(&px, buf, len);
			px_tick(&px);
		}
		if (chance(dup)) {
			px_send(&px, buf, len);
			px.dup++;
		}
		if (chance(forge)) {
			f = xmemdup(buf, len);
			switch (rng() % 3) {
			case 0:		/* altered payload, old tag */
				if (len > 120)
					f[100 + rng() % (len - 120)] ^= 0x55;
				else if (len > 0)
					f[len - 1] ^= 0x55;
				break;
			case 1:		/* altered header: a later frame */
				if (len > 36)
					f[35] ^= 0x80;
				break;
			default:	/* random bytes with a valid magic */
				for (i = 0; i < len; i++)
					f[i] = (uint8_t)rng();
				if (len >= 4) {
					memcpy(f, "MGD", 3);
					f[3] = DIODE_VERSION;
				}
				break;
			}
			px_send(&px, f, len);
			free(f);
			px.forged++;
		}
	}
	while (px.nhold > 0)
		px_tick(&px);
	fprintf(stderr, "proxy: in=%llu sent=%llu dropped=%llu "
	    "burst_dropped=%llu duplicated=%llu reordered=%llu corrupted=%llu "
	    "forged=%llu\n", (unsigned long long)px.in,
	    (unsigned long long)px.sent, (unsigned long long)px.dropped,
	    (unsigned long long)px.burst_dropped, (unsigned long long)px.dup,
	    (unsigned long long)px.reordered,
	    (unsigned long long)px.corrupted, (unsigned long long)px.forged);
	return 0;
}

/* --- corpus ------------------------------------------------------------- */

static const uint8_t	fuzz_key[32] = "diode fuzzing key, 32 bytes long";

struct seedbody {
	size_t	len;
	uint8_t	fill;
};

static int
seed_load(void *cookie, uint8_t **p, size_t *len, char *err, size_t errsz)
{
	struct seedbody	*b = cookie;

	(void)err;
	(void)errsz;
	*p = xmalloc(b->len + 1);
	memset(*p, b->fill, b->len);
	*len = b->len;
	return 0;
}

static void
seed_write(const char *dir, const char *name, const uint8_t *p, size_t len)
{
	char	path[4096];

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_write(path, p, len) != 0)
		fatal("%s", path);
}

/*
 * One transfer: messages of the given sizes and precedences, frames kept
 * unless (index % drop_every) == drop_at; written as a frame sequence
 * (harness mode 1, tags stripped) and its first data frame and last
 * heartbeat as single datagrams (mode 0, tags kept).
 */
static void
put_be64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static void
seed_transfer(const char *dir, const char *name, uint64_t epoch,
    const size_t *sizes, const int *precs, int n, int drop_every,
    int drop_at, int resume_at)
{
	struct diode_tx_params	 p;
	struct diode_tx_msg	 m;
	struct seedbody		 bodies[8];
	struct diode_tx		*tx;
	uint8_t			 fr[DIODE_MAX_FRAME], *seq, first[DIODE_MAX_FRAME];
	char			 err[256], fname[256];
	size_t			 off = 1, firstlen = 0;
	long			 len;
	int			 i, idx = 0;

	uint64_t		 prev[DIODE_NPREC];

	memset(&p, 0, sizeof(p));
	p.link = 7;
	p.symsize = 256;
	p.k = 4;
	p.redundancy = 50;
	p.min_parity = 1;
	p.window = 2;
	p.heartbeat_ms = 1000000;
	p.epoch = epoch;
	if ((tx = diode_tx_new(&p, fuzz_key, sizeof(fuzz_key), seed_load, 0,
	    err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* A previous session of the sender, with a few messages recorded. */
	memset(prev, 0, sizeof(prev));
	prev[DIODE_ROUTINE] = 2;
	prev[DIODE_FLASH] = 1;
	diode_tx_set_previous(tx, 0x5eed5eed5eed5eedULL, prev);
	for (i = 0; i < n; i++) {
		bodies[i].len = sizes[i];
		bodies[i].fill = (uint8_t)('a' + i);
		memset(&m, 0, sizeof(m));
		(void)snprintf(m.id, sizeof(m.id), "seed-%d", i);
		m.prec = precs[i];
		/* The harness's verifier: token[0] == digest[0]. */
		memset(m.token, 0, sizeof(m.token));
		m.cookie = &bodies[i];
		if (diode_tx_submit(tx, &m, err, sizeof(err)) != 0)
			fatalx("%s", err);
	}
	seq = xmalloc(1 << 20);
	seq[0] = 1;
	if (resume_at >= 0) {
		/* Harness mode 3: the receiver resumes the session with
		 * every stream's messages below resume_at accounted for. */
		seq[0] = 3;
		put_be64(seq + 1, diode_tx_session(tx));
		put_be64(seq + 9, epoch);
		for (i = 0; i < DIODE_NPREC; i++)
			put_be64(seq + 17 + 8 * i, (uint64_t)resume_at);
		off = 65;
	}
	for (;;) {
		len = diode_tx_next(tx, 1, fr, sizeof(fr), err, sizeof(err));
		if (len == 0)
			len = diode_tx_heartbeat(tx, 2, fr, sizeof(fr), err,
			    sizeof(err));
		if (len < 0)
			fatalx("%s", err);
		if (firstlen == 0) {
			memcpy(first, fr, (size_t)len);
			firstlen = (size_t)len;
		}
		if (drop_every == 0 || idx % drop_every != drop_at) {
			len -= DIODE_TAG_LEN;
			if (off + 2 + (size_t)len > (1 << 20))
				fatalx("seed too large");
			seq[off] = (uint8_t)(len >> 8);
			seq[off + 1] = (uint8_t)len;
			memcpy(seq + off + 2, fr, (size_t)len);
			off += 2 + (size_t)len;
			len += DIODE_TAG_LEN;
		}
		idx++;
		if (diode_tx_idle(tx) && fr[4] == DIODE_FRAME_HEARTBEAT)
			break;
	}
	seed_write(dir, name, seq, off);
	/* Single datagrams: a data frame and the last heartbeat. */
	seq[0] = 0;
	memcpy(seq + 1, first, firstlen);
	(void)snprintf(fname, sizeof(fname), "%s-frame", name);
	seed_write(dir, fname, seq, firstlen + 1);
	memcpy(seq + 1, fr, (size_t)len);
	(void)snprintf(fname, sizeof(fname), "%s-heartbeat", name);
	seed_write(dir, fname, seq, (size_t)len + 1);
	free(seq);
	diode_tx_free(tx);
}

static int
corpus(int argc, char *argv[])
{
	static const size_t	sz1[] = { 10, 700, 3000 };
	static const int	pr1[] = { DIODE_ROUTINE, DIODE_FLASH,
				    DIODE_ROUTINE };
	static const size_t	sz2[] = { 0, 1, 255, 256, 1500 };
	static const int	pr2[] = { DIODE_OVERRIDE, DIODE_DEFERRED,
				    DIODE_PRIORITY, DIODE_PRIORITY,
				    DIODE_IMMEDIATE };

	if (argc != 2)
		usage();
	seed_transfer(argv[1], "three", 1000, sz1, pr1, 3, 0, 0, -1);
	seed_transfer(argv[1], "three-loss", 1000, sz1, pr1, 3, 5, 2, -1);
	seed_transfer(argv[1], "three-heavy-loss", 1000, sz1, pr1, 3, 2, 0,
	    -1);
	seed_transfer(argv[1], "five", 2000, sz2, pr2, 5, 0, 0, -1);
	seed_transfer(argv[1], "five-loss", 2000, sz2, pr2, 5, 3, 1, -1);
	seed_transfer(argv[1], "three-resumed", 1000, sz1, pr1, 3, 0, 0, 1);
	seed_transfer(argv[1], "five-resumed-loss", 2000, sz2, pr2, 5, 4, 0,
	    1);
	return 0;
}

/* --- compare ------------------------------------------------------------ */

/* Does the report hold a "lost"/"refused" line naming id? */
static int
report_names(const char *rep, const char *id)
{
	char		 pat[DIODE_ID_MAX + 8];
	const char	*p = rep;

	if (rep == NULL)
		return 0;
	(void)snprintf(pat, sizeof(pat), " id=%s ", id);
	return strstr(p, pat) != NULL;
}

/* Does a "lost" line of the report cover session, stream and sequence? */
static int
report_covers_seq(const char *rep, const char *sess, const char *prec,
    unsigned long long seq)
{
	const char		*l, *p, *ls;
	unsigned long long	 a, b;

	for (l = rep; (p = strstr(l, "session=")) != NULL; l = p + 8) {
		char s2[17], p2[16];
		int k;

		ls = p;
		while (ls > rep && ls[-1] != '\n')
			ls--;
		if (strncmp(strchr(ls, ' ') + 1, "lost", 4) != 0)
			continue;
		k = sscanf(p, "session=%16s prec=%15s seq=%llu-%llu", s2, p2,
		    &a, &b);
		if (k < 3 || strcmp(s2, sess) != 0 || strcmp(p2, prec) != 0)
			continue;
		if (k == 3)
			b = a;
		if (seq >= a && seq <= b)
			return 1;
	}
	return 0;
}

/*
 * Find each "sent" line of ID in the sender's log (a message is sent
 * again by a later session when its move was cut short): its session,
 * precedence and sequence; then a report line for that session and
 * stream whose sequence (or range) covers it.
 */
static int
report_covers(const char *rep, const char *log, const char *id)
{
	char			 pat[DIODE_ID_MAX + 8], sess[17], prec[16];
	const char		*p, *ls, *from;
	unsigned long long	 seq;

	if (rep == NULL || log == NULL)
		return 0;
	(void)snprintf(pat, sizeof(pat), " id=%s ", id);
	for (from = log; (p = strstr(from, pat)) != NULL; from = p + 1) {
		for (ls = p; ls > log && ls[-1] != '\n'; ls--)
			;
		if ((ls = strstr(ls, "session=")) == NULL || ls > p ||
		    sscanf(ls, "session=%16s prec=%15s seq=%llu", sess, prec,
		    &seq) != 3)
			continue;
		if (report_covers_seq(rep, sess, prec, seq))
			return 1;
	}
	return 0;
}

static int
compare(int argc, char *argv[])
{
	struct diode_meta	 m;
	DIR			*d;
	struct dirent		*de;
	char			*rep = NULL, *log = NULL, *a, *b;
	char			 path[4096], err[256];
	size_t			 al, bl, l, hl;
	uint64_t		 total = 0, same = 0, differ = 0, missing = 0;
	uint64_t		 by_id = 0, by_seq = 0, unreported = 0;
	uint64_t		 extra = 0, outn = 0;
	int			 i;

	if (argc < 3)
		usage();
	for (i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--report") == 0)
			rep = file_read(argv[i + 1], 1u << 30, &l);
		else if (strcmp(argv[i], "--sent-log") == 0)
			log = file_read(argv[i + 1], 1u << 30, &l);
		else
			usage();
	}
	if ((d = opendir(argv[1])) == NULL)
		fatal("%s", argv[1]);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", argv[1],
		    de->d_name);
		if ((a = file_read(path, (1u << 30) + DIODE_DROP_HDR_MAX,
		    &al)) == NULL)
			fatal("%s", path);
		/* The sending record and anything else that is not a drop
		 * file; a drop file must be whole. */
		if (al < sizeof(DIODE_DROP_MAGIC) - 1 || memcmp(a,
		    DIODE_DROP_MAGIC, sizeof(DIODE_DROP_MAGIC) - 1) != 0) {
			free(a);
			continue;
		}
		if (diode_drop_parse(a, al, &m, &hl, err, sizeof(err)) != 0)
			fatalx("%s: %s", path, err);
		if (m.len != al - hl)
			fatalx("%s: length differs from its header's", path);
		memmove(a, a + hl, al - hl);
		al -= hl;
		total++;
		(void)snprintf(path, sizeof(path), "%s/%s", argv[2], m.id);
		if ((b = file_read(path, 1u << 30, &bl)) == NULL) {
			missing++;
			if (report_names(rep, m.id))
				by_id++;
			else if (report_covers(rep, log, m.id))
				by_seq++;
			else {
				unreported++;
				fprintf(stderr, "compare: %s missing and not "
				    "reported\n", m.id);
			}
		} else if (al == bl && memcmp(a, b, al) == 0)
			same++;
		else {
			differ++;
			fprintf(stderr, "compare: %s differs\n", m.id);
		}
		free(a);
		free(b);
	}
	closedir(d);
	if ((d = opendir(argv[2])) == NULL)
		fatal("%s", argv[2]);
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (de->d_name[0] == '.' || (l > 5 &&
		    strcmp(de->d_name + l - 5, ".meta") == 0))
			continue;
		outn++;
	}
	closedir(d);
	extra = outn > same + differ ? outn - same - differ : 0;
	printf("total=%llu identical=%llu differ=%llu missing=%llu "
	    "reported_by_id=%llu reported_by_seq=%llu unreported=%llu "
	    "extra=%llu\n", (unsigned long long)total,
	    (unsigned long long)same, (unsigned long long)differ,
	    (unsigned long long)missing, (unsigned long long)by_id,
	    (unsigned long long)by_seq, (unsigned long long)unreported,
	    (unsigned long long)extra);
	free(rep);
	free(log);
	return 0;
}

int
main(int argc, char *argv[])
{
	log_init("diode-testkit", LOG_TO_STDERR, 1);
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "gen") == 0)
		return gen(argc - 1, argv + 1);
	if (strcmp(argv[1], "proxy") == 0)
		return proxy(argc - 1, argv + 1);
	if (strcmp(argv[1], "compare") == 0)
		return compare(argc - 1, argv + 1);
	if (strcmp(argv[1], "corpus") == 0)
		return corpus(argc - 1, argv + 1);
	usage();
}
