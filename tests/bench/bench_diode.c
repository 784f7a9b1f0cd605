/*
 * bench_diode.c - throughput of the one-way channel on loopback, next to
 * a raw UDP send of the same bytes in the same run.
 *
 * A child process receives (mmguard-diode-rx's engine on a receive-only
 * UDP socket, messages checked for digest and release token and counted
 * in memory: no disk), the parent sends (mmguard-diode-tx's engine with
 * the default parameters: blocks of 64 symbols, 25% redundancy, window
 * 16; frames in batches of 32 per sendmmsg, as mmguard-diode-tx sends
 * them).  The baseline sends the same message bytes as plain datagrams
 * of the diode's frame size, in batches of 32 per sendmmsg, to a child
 * that only counts them: same system calls, same datagram size, so the
 * ratio measures what the protocol costs.  Throughput is message bytes
 * delivered over the time from the first datagram received to the last
 * delivery.  Neither sender is paced: the receiver's socket buffer
 * (1 GB when run as root) absorbs what the receiver has not yet read,
 * and the kernel's count of datagrams dropped for want of room is
 * printed (SO_RXQ_OVFL), so a receiver that does not keep up shows.
 *
 * Runs, for the default symbol (1448-byte datagrams, a 1500-byte MTU)
 * and for 8800-byte symbols (8904-byte datagrams, a 9000-byte MTU):
 * raw UDP, then 8 KB messages at 0% and at 5% random loss (frames
 * dropped by the sender before sending, fixed seed), in rounds, so that
 * a change of load on the shared machine touches all three alike; each
 * figure is the median of the rounds.  With the default symbol also
 * 100,000 messages of 1 KB and 8 KB messages at 10% redundancy.
 * Target: diode / raw >= 0.7 at 0% loss.  CPU time per message of each
 * side is printed: on a machine of two cores, sender and receiver share
 * them, and their sum bounds what the channel can reach.
 *
 *	bench_diode [-r ROUNDS] [-n COUNT] [-s SYMBOL]
 *
 * -r rounds (default 3), -n 8 KB messages per run (default 20,000), -s
 * one table for this symbol size only.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"

#define BATCH		32
#define RXBATCH		64
#define IDLE_US		400000
#define JUMBO_SYMBOL	8800	/* 8904-byte datagrams: a 9000-byte MTU */
#define MAX_ROUNDS	15
/*
 * The receiver's socket buffer: as root, room for a whole run, so that
 * a receiver held up by other work on the machine falls behind instead
 * of losing datagrams (without root, the system's maximum).
 */
#define RCVBUF		(1u << 30)

static const uint8_t	link_key[32] = "benchmark link key, 32 bytes ok";
static const uint8_t	tok_key[32] = "benchmark token key, 32 bytes ok";
static uint64_t		rng_state = 88172645463325252ULL;

/* What a run is: the sender's parameters. */
struct config {
	uint16_t	symsize;
	uint16_t	redundancy;
	int		gso;		/* UDP_SEGMENT, raw and diode */
};

struct result {
	uint64_t	msgs, bytes, lost, us;
	uint64_t	drops;			/* by the kernel, no room */
	uint64_t	repaired;		/* blocks */
	uint64_t	rx_cpu, tx_cpu;		/* CPU time, microseconds */
};

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t
cpu_us(void)
{
	struct rusage	ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static size_t
dgram_size(const struct config *cf)
{
	return DIODE_DATA_HDR_LEN + (size_t)cf->symsize + DIODE_TAG_LEN;
}

/* --- receivers ------------------------------------------------------------ */

struct rxcount {
	uint64_t	msgs, bytes, lost, first, last;
};

static int
rc_deliver(void *arg, const struct diode_rx_msg *m, char *err, size_t errsz)
{
	struct rxcount	*c = arg;

	(void)err;
	(void)errsz;
	c->msgs++;
	c->bytes += m->len;
	c->last = diode_now_us();
	return 0;
}

static void
rc_event(void *arg, const struct diode_rx_event *ev)
{
	struct rxcount	*c = arg;

	if (ev->type == DIODE_EV_LOST || ev->type == DIODE_EV_REFUSED)
		c->lost += ev->seq_last >= ev->seq ? ev->seq_last - ev->seq + 1 : 1;
}

static int
rc_verify(void *arg, const uint8_t *digest, const uint8_t *token)
{
	(void)arg;
	return diode_token_check(tok_key, sizeof(tok_key), digest, token);
}

/* The kernel's count of datagrams dropped on this socket, if given. */
static uint64_t
rx_drops(struct msghdr *h)
{
	struct cmsghdr	*cm;
	uint32_t	 v;

	for (cm = CMSG_FIRSTHDR(h); cm != NULL; cm = CMSG_NXTHDR(h, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SO_RXQ_OVFL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(v))) {
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			return v;
		}
	return 0;
}

/* Receive until `want' messages (or datagrams, raw) or a quiet spell. */
static void
receiver(int fd, int raw, uint64_t want, int out)
{
	struct diode_rx_params	 p;
	struct diode_rx_cb	 cb;
	struct diode_rx_stats	 st;
	struct diode_rx		*rx = NULL;
	struct rxcount		 c;
	struct mmsghdr		 mm[RXBATCH];
	struct iovec		 iov[RXBATCH];
	struct pollfd		 pfd;
	struct result		 r;
	uint8_t			*bufs, *ctl;
	uint64_t		 now, last = 0, drops = 0, d;
	size_t			 csz = CMSG_SPACE(sizeof(uint32_t));
	char			 err[256];
	int			 n, i, one = 1;

	memset(&c, 0, sizeof(c));
	memset(&r, 0, sizeof(r));
	if (!raw) {
		memset(&p, 0, sizeof(p));
		p.link = 1;
		p.max_message = 1 << 20;
		p.reorder_ms = 50;
		memset(&cb, 0, sizeof(cb));
		cb.deliver = rc_deliver;
		cb.event = rc_event;
		cb.verify = rc_verify;
		cb.arg = &c;
		if ((rx = diode_rx_new(&p, link_key, sizeof(link_key), &cb,
		    err, sizeof(err))) == NULL)
			fatalx("%s", err);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	bufs = xmalloc(RXBATCH * (size_t)DIODE_MAX_FRAME);
	ctl = xcalloc(RXBATCH, csz);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		(void)poll(&pfd, 1, 20);
		now = diode_now_us();
		for (;;) {
			memset(mm, 0, sizeof(mm));
			for (i = 0; i < RXBATCH; i++) {
				iov[i].iov_base = bufs + (size_t)i *
				    DIODE_MAX_FRAME;
				iov[i].iov_len = DIODE_MAX_FRAME;
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
				mm[i].msg_hdr.msg_control = ctl + (size_t)i * csz;
				mm[i].msg_hdr.msg_controllen = csz;
			}
			if ((n = recvmmsg(fd, mm, RXBATCH, MSG_DONTWAIT,
			    NULL)) <= 0)
				break;
			now = last = diode_now_us();
			if (c.first == 0)
				c.first = now;
			for (i = 0; i < n; i++) {
				if ((d = rx_drops(&mm[i].msg_hdr)) > drops)
					drops = d;
				if (raw) {
					c.msgs++;
					c.bytes += mm[i].msg_len;
					c.last = now;
				} else
					(void)diode_rx_input(rx, bufs +
					    (size_t)i * DIODE_MAX_FRAME,
					    mm[i].msg_len, now, err,
					    sizeof(err));
			}
		}
		if (rx != NULL)
			diode_rx_tick(rx, now);
		if (c.msgs + c.lost >= want ||
		    (last != 0 && now - last > IDLE_US))
			break;
	}
	if (rx != NULL) {
		diode_rx_finish(rx, "end of the run");
		diode_rx_get_stats(rx, &st);
		r.repaired = st.blocks_repaired;
		diode_rx_free(rx);
	}
	r.msgs = c.msgs;
	r.bytes = c.bytes;
	r.lost = c.lost;
	r.drops = drops;
	r.us = c.last > c.first ? c.last - c.first : 1;
	r.rx_cpu = cpu_us();
	if (write(out, &r, sizeof(r)) != sizeof(r))
		fatal("result pipe");
	_exit(0);
}

/* --- senders ---------------------------------------------------------------- */

struct msgsrc {
	size_t	 size;
	uint8_t	 token[DIODE_TOKEN_LEN];
	uint8_t	*body;
};

static int
src_load(void *cookie, uint8_t **p, size_t *len, char *err, size_t errsz)
{
	struct msgsrc	*s = cookie;

	(void)err;
	(void)errsz;
	*p = xmemdup(s->body, s->size);
	*len = s->size;
	return 0;
}

/* Frames out as mmguard-diode-tx sends them (diode_send_frames). */
static void
send_frames(int fd, const struct config *cf, struct iovec *iov, int n)
{
	static struct diode_addr	 to;	/* connected: AF_INET */
	uint64_t			 lost = 0;
	char				 err[256];
	int				 gso = cf->gso;

	to.family = AF_INET;
	if (diode_send_frames(fd, &to, iov, n, &gso, &lost, err,
	    sizeof(err)) != 0)
		fatalx("%s", err);
	if (gso != cf->gso)
		fatalx("the kernel refuses UDP segmentation offload");
}

static void
diode_send(int fd, const struct config *cf, struct msgsrc *src,
    uint64_t count, double loss)
{
	struct diode_tx_params	 p;
	struct diode_tx_msg	 m;
	struct diode_tx_done	 d;
	struct diode_tx		*tx;
	struct iovec		 iov[BATCH];
	uint8_t			*frames;
	uint64_t		 i, now;
	size_t			 fsz = dgram_size(cf);
	char			 err[256];
	long			 len;
	int			 n;

	memset(&p, 0, sizeof(p));
	p.link = 1;
	p.symsize = cf->symsize;
	p.k = DIODE_DEF_K;
	p.redundancy = cf->redundancy;
	p.min_parity = DIODE_DEF_MIN_PARITY;
	p.window = DIODE_DEF_WINDOW;
	p.heartbeat_ms = DIODE_DEF_HEARTBEAT_MS;
	if ((tx = diode_tx_new(&p, link_key, sizeof(link_key), src_load,
	    diode_now_us(), err, sizeof(err))) == NULL)
		fatalx("%s", err);
	for (i = 0; i < count; i++) {
		memset(&m, 0, sizeof(m));
		(void)snprintf(m.id, sizeof(m.id), "b%llu",
		    (unsigned long long)i);
		m.prec = DIODE_ROUTINE;
		memcpy(m.token, src->token, sizeof(m.token));
		m.cookie = src;
		if (diode_tx_submit(tx, &m, err, sizeof(err)) != 0)
			fatalx("%s", err);
	}
	frames = xmalloc(BATCH * fsz);
	for (;;) {
		now = diode_now_us();
		for (n = 0; n < BATCH; ) {
			len = diode_tx_next(tx, now, frames + (size_t)n * fsz,
			    fsz, err, sizeof(err));
			if (len < 0)
				fatalx("%s", err);
			if (len == 0)
				break;
			if (loss > 0 && (double)(rng() % 1000000) < loss * 1e6)
				continue;	/* lost on the way */
			iov[n].iov_base = frames + (size_t)n * fsz;
			iov[n].iov_len = (size_t)len;
			n++;
		}
		if (n > 0)
			send_frames(fd, cf, iov, n);
		while (diode_tx_done(tx, &d))
			;
		if (diode_tx_idle(tx) && n == 0)
			break;
	}
	/* The tail's heartbeat: the receiver learns the last blocks. */
	for (i = 0; i < 3; i++) {
		len = diode_tx_heartbeat(tx, diode_now_us(), frames, fsz, err,
		    sizeof(err));
		if (len < 0)
			fatalx("%s", err);
		iov[0].iov_base = frames;
		iov[0].iov_len = (size_t)len;
		send_frames(fd, cf, iov, 1);
		(void)poll(NULL, 0, 60);
	}
	free(frames);
	diode_tx_free(tx);
}

static void
raw_send(int fd, const struct config *cf, uint64_t bytes)
{
	struct iovec	 iov[BATCH];
	uint8_t		*buf;
	uint64_t	 sent = 0;
	size_t		 dg = dgram_size(cf);
	int		 n;

	buf = xcalloc(BATCH, dg);
	while (sent < bytes) {
		for (n = 0; n < BATCH && sent < bytes; n++) {
			iov[n].iov_base = buf + (size_t)n * dg;
			iov[n].iov_len = dg;
			sent += dg;
		}
		send_frames(fd, cf, iov, n);
	}
	free(buf);
}

/* --- a run -------------------------------------------------------------------- */

static struct result
run(const struct config *cf, int raw, size_t size, uint64_t count,
    double loss)
{
	struct diode_addr	 a;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct msgsrc		 src;
	struct result		 r;
	uint8_t			 digest[32];
	char			 err[256];
	int			 rfd, sfd, pfd[2], status;
	pid_t			 pid;
	uint64_t		 want, cpu0;
	size_t			 i, dg = dgram_size(cf);

	if (diode_addr_parse("udp:127.0.0.1:0", &a, err, sizeof(err)) != 0 ||
	    (rfd = diode_sock_rx(&a, RCVBUF, err, sizeof(err))) == -1)
		fatalx("receiver socket: %s", err);
	if (getsockname(rfd, (struct sockaddr *)&ss, &sl) != 0)
		fatal("getsockname");
	memcpy(a.ss, &ss, sl);
	a.len = sl;
	want = raw ? (size * count + dg - 1) / dg : count;
	if (pipe(pfd) != 0)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(pfd[0]);
		receiver(rfd, raw, want, pfd[1]);
	}
	close(pfd[1]);
	close(rfd);
	if ((sfd = diode_sock_tx(&a, 4u << 20, err, sizeof(err))) == -1)
		fatalx("sender socket: %s", err);
	cpu0 = cpu_us();
	if (raw)
		raw_send(sfd, cf, size * count);
	else {
		src.size = size;
		src.body = xmalloc(size);
		for (i = 0; i < size; i++)
			src.body[i] = (uint8_t)rng();
		if (EVP_Digest(src.body, size, digest, NULL, EVP_sha256(),
		    NULL) != 1 || diode_token_make(tok_key, sizeof(tok_key),
		    digest, src.token) != 0)
			fatalx("token");
		diode_send(sfd, cf, &src, count, loss);
		free(src.body);
	}
	close(sfd);
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		fatalx("receiver gave no result");
	r.tx_cpu = cpu_us() - cpu0;
	close(pfd[0]);
	(void)waitpid(pid, &status, 0);
	return r;
}

/* --- figures ------------------------------------------------------------------ */

static double
mbps(const struct result *r)
{
	return (double)r->bytes / ((double)r->us / 1e6) / 1e6;
}

static int
by_rate(const void *a, const void *b)
{
	double	x = mbps(a), y = mbps(b);

	return x < y ? -1 : x > y;
}

/* The median run by throughput (the rounds are few and odd). */
static struct result
median(struct result *r, int n)
{
	qsort(r, (size_t)n, sizeof(*r), by_rate);
	return r[n / 2];
}

static void
show(const char *what, const struct result *r, size_t size,
    uint64_t count)
{
	double	msgs = (double)r->bytes / (double)size;

	printf("  %-32s %7.1f MB/s %8.0f msg/s  ", what, mbps(r),
	    msgs / ((double)r->us / 1e6));
	if (count > 0)
		printf("%llu/%llu delivered, %llu lost, %llu blocks "
		    "repaired", (unsigned long long)r->msgs,
		    (unsigned long long)count, (unsigned long long)r->lost,
		    (unsigned long long)r->repaired);
	else
		printf("%llu datagrams", (unsigned long long)r->msgs);
	printf(", %llu dropped by the kernel; cpu per message: sender "
	    "%.1f us, receiver %.1f us\n", (unsigned long long)r->drops,
	    (double)r->tx_cpu / msgs, (double)r->rx_cpu / msgs);
}

static double
cpu_per_msg(const struct result *r, size_t size)
{
	return (double)(r->tx_cpu + r->rx_cpu) / ((double)r->bytes /
	    (double)size);
}

/* One way of sending: raw, 0% and 5% loss in rounds; the extras. */
static void
table(uint16_t symsize, int gso, int rounds, uint64_t n8, int extras)
{
	struct config	 cf = { symsize, DIODE_DEF_REDUNDANCY, gso };
	struct result	 raw[MAX_ROUNDS], d0[MAX_ROUNDS], d5[MAX_ROUNDS];
	struct result	 mraw, m0, m5, small, d10;
	double		 ceil, bound;
	size_t		 dg = dgram_size(&cf);
	char		 name[64];
	int		 i;

	(void)snprintf(name, sizeof(name), "%zu-byte datagrams%s", dg,
	    gso ? ", GSO" : "");
	printf("bench_diode: %s: symbol %u, blocks of %d, redundancy %d%%, "
	    "window %d; sendmmsg of %d%s; 8 KB messages x %llu; median of "
	    "%d rounds\n", name, symsize, DIODE_DEF_K, DIODE_DEF_REDUNDANCY,
	    DIODE_DEF_WINDOW, BATCH, gso ? " frames as UDP_SEGMENT buffers" :
	    " datagrams", (unsigned long long)n8, rounds);
	for (i = 0; i < rounds; i++) {
		raw[i] = run(&cf, 1, 8192, n8, 0);
		d0[i] = run(&cf, 0, 8192, n8, 0);
		d5[i] = run(&cf, 0, 8192, n8, 0.05);
	}
	for (i = 0; i < rounds; i++)
		if (d0[i].lost > 0 || d5[i].lost > 0)
			printf("bench_diode: %s: round %d LOST messages: %llu "
			    "at 0%% loss, %llu at 5%% (kernel drops %llu, "
			    "%llu: the receiver did not keep up)\n", name,
			    i + 1, (unsigned long long)d0[i].lost,
			    (unsigned long long)d5[i].lost,
			    (unsigned long long)d0[i].drops,
			    (unsigned long long)d5[i].drops);
	mraw = median(raw, rounds);
	m0 = median(d0, rounds);
	m5 = median(d5, rounds);
	show("raw UDP, same bytes", &mraw, 8192, 0);
	show("diode, 0% loss", &m0, 8192, n8);
	show("diode, 5% random loss", &m5, 8192, n8);
	if (extras) {
		small = run(&cf, 0, 1024, 5 * n8, 0);
		show("diode, 1 KB messages, 0% loss", &small, 1024, 5 * n8);
		cf.redundancy = 10;
		d10 = run(&cf, 0, 8192, n8, 0);
		show("diode, 0% loss, redundancy 10%", &d10, 8192, n8);
	}
	/*
	 * Two ceilings.  Without any computing cost, the share of message
	 * bytes in what is sent: parity (1 + r) and headers.  With the
	 * measured costs: sender and receiver share the machine's two
	 * cores, so the channel cannot beat 2 / (their CPU per message).
	 */
	ceil = (double)symsize / (double)dg / (1 + DIODE_DEF_REDUNDANCY /
	    100.0);
	bound = 2 * 8192 / cpu_per_msg(&m0, 8192);
	printf("bench_diode: %s: ratio diode/raw at 0%% loss %.2f (target "
	    ">= 0.70; ceiling %.2f at %d%% redundancy), at 5%% loss %.2f\n",
	    name, mbps(&m0) / mbps(&mraw), ceil, DIODE_DEF_REDUNDANCY,
	    mbps(&m5) / mbps(&mraw));
	printf("bench_diode: %s: CPU per 8 KB message, sender + receiver: "
	    "raw %.1f us, diode %.1f us; two cores bound the diode to %.0f "
	    "MB/s, %.2f of raw\n", name, cpu_per_msg(&mraw, 8192),
	    cpu_per_msg(&m0, 8192), bound, bound / mbps(&mraw));
}

int
main(int argc, char *argv[])
{
	char		 err[256];
	uint64_t	 v, n8 = 20000;
	int		 ch, rounds = 3, sym = 0, gso = 1;

	log_init("bench_diode", LOG_TO_STDERR, 1);
	while ((ch = getopt(argc, argv, "Gr:n:s:")) != -1) {
		switch (ch) {
		case 'G':
			gso = 0;
			break;
		case 'r':
			if (diode_parse_num(optarg, 1000, 1, MAX_ROUNDS, &v,
			    err, sizeof(err)) != 0)
				fatalx("-r %s", err);
			rounds = (int)v;
			break;
		case 'n':
			if (diode_parse_num(optarg, 1000, 100, 10000000, &n8,
			    err, sizeof(err)) != 0)
				fatalx("-n %s", err);
			break;
		case 's':
			if (diode_parse_num(optarg, 1000, DIODE_MIN_SYMBOL,
			    DIODE_MAX_SYMBOL, &v, err, sizeof(err)) != 0)
				fatalx("-s %s", err);
			sym = (int)v;
			break;
		default:
			fprintf(stderr, "usage: bench_diode [-G] [-r ROUNDS] "
			    "[-n COUNT] [-s SYMBOL]\n");
			return 2;
		}
	}
	if (sym != 0) {
		table((uint16_t)sym, gso, rounds, n8, 0);
		return 0;
	}
	/* As mmguard-diode-tx sends by default, then without GSO, jumbo. */
	table(DIODE_DEF_SYMBOL, 1, rounds, n8, 1);
	table(DIODE_DEF_SYMBOL, 0, rounds, n8, 0);
	table(JUMBO_SYMBOL, 1, rounds, n8, 0);
	return 0;
}
