/*
 * bench_diode.c - throughput of the one-way channel on loopback, next to
 * a raw UDP send of the same bytes in the same run.
 *
 * A child process receives (mmguard-diode-rx's engine on a receive-only
 * UDP socket, messages checked for digest and release token and counted
 * in memory: no disk), the parent sends (mmguard-diode-tx's engine, the
 * default parameters: 1360-byte symbols, blocks of 64, 25% redundancy,
 * window 16; frames in batches of 32 per sendmmsg).  The baseline sends
 * the same message bytes as plain 1448-byte datagrams (the size of a
 * diode frame) in batches of 32, to a child that only counts them.
 * Throughput is message bytes delivered over the time from the first
 * send to the last delivery.
 *
 * Runs: 8 KB messages at 0% and at 5% random loss (frames dropped by the
 * sender before sending, fixed seed), 100,000 messages of 1 KB, and 8 KB
 * messages with 10% redundancy (a cleaner link's setting).
 * Each figure is the best of three runs.  Target: diode / raw >= 0.7 at
 * 0% loss.  The sender is paced just below
 * what the receiver sustains (a first unpaced probe finds it), as
 * mmguard-diode-tx is on a real link.
 */
#include <sys/socket.h>
#include <sys/wait.h>

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
#define IDLE_US		400000
#define RAW_DGRAM	(DIODE_DATA_HDR_LEN + DIODE_DEF_SYMBOL + DIODE_TAG_LEN)

static const uint8_t	link_key[32] = "benchmark link key, 32 bytes ok";
static const uint8_t	tok_key[32] = "benchmark token key, 32 bytes ok";
static uint64_t		rng_state = 88172645463325252ULL;
static uint64_t		sender_us;

struct result {
	uint64_t	msgs, bytes, lost, us;
};

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
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

/* Receive until `want' messages (or datagrams, raw) or a quiet spell. */
static void
receiver(int fd, int raw, uint64_t want, int out)
{
	struct diode_rx_params	 p;
	struct diode_rx_cb	 cb;
	struct diode_rx		*rx = NULL;
	struct rxcount		 c;
	struct mmsghdr		 mm[64];
	struct iovec		 iov[64];
	struct pollfd		 pfd;
	struct result		 r;
	uint8_t			*bufs;
	uint64_t		 now, last = 0;
	char			 err[256];
	int			 n, i;

	memset(&c, 0, sizeof(c));
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
	bufs = xmalloc(64 * (size_t)DIODE_MAX_FRAME);
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		(void)poll(&pfd, 1, 20);
		now = diode_now_us();
		for (;;) {
			memset(mm, 0, sizeof(mm));
			for (i = 0; i < 64; i++) {
				iov[i].iov_base = bufs + (size_t)i *
				    DIODE_MAX_FRAME;
				iov[i].iov_len = DIODE_MAX_FRAME;
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
			}
			if ((n = recvmmsg(fd, mm, 64, MSG_DONTWAIT, NULL)) <= 0)
				break;
			now = last = diode_now_us();
			if (c.first == 0)
				c.first = now;
			for (i = 0; i < n; i++) {
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
		diode_rx_free(rx);
	}
	r.msgs = c.msgs;
	r.bytes = c.bytes;
	r.lost = c.lost;
	r.us = c.last > c.first ? c.last - c.first : 1;
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

static void
send_all(int fd, struct mmsghdr *mm, int n)
{
	int	off = 0, r;

	while (off < n) {
		r = sendmmsg(fd, mm + off, (unsigned)(n - off), 0);
		if (r > 0)
			off += r;
		else if (errno == ENOBUFS || errno == EAGAIN)
			(void)poll(NULL, 0, 1);
		else if (errno == ECONNREFUSED)
			off++;
		else if (errno != EINTR)
			fatal("sendmmsg");
	}
}

/* Sleep off a pacing debt (rate in bytes per second; 0: unpaced). */
static void
pace(uint64_t start, uint64_t sent, double rate)
{
	struct timespec	ts;
	uint64_t	due, now;

	if (rate <= 0)
		return;
	due = start + (uint64_t)((double)sent * 1e6 / rate);
	now = diode_now_us();
	if (due > now + 200) {
		ts.tv_sec = (time_t)((due - now) / 1000000);
		ts.tv_nsec = (long)((due - now) % 1000000) * 1000;
		nanosleep(&ts, NULL);
	}
}

static unsigned	redundancy = DIODE_DEF_REDUNDANCY;

static void
diode_send(int fd, struct msgsrc *src, uint64_t count, double loss,
    double rate)
{
	struct diode_tx_params	 p;
	struct diode_tx_msg	 m;
	struct diode_tx_done	 d;
	struct diode_tx		*tx;
	struct mmsghdr		 mm[BATCH];
	struct iovec		 iov[BATCH];
	uint8_t			*frames;
	uint64_t		 i, start, sent = 0, now;
	size_t			 fsz;
	char			 err[256];
	long			 len;
	int			 n;

	memset(&p, 0, sizeof(p));
	p.link = 1;
	p.symsize = DIODE_DEF_SYMBOL;
	p.k = DIODE_DEF_K;
	p.redundancy = (uint16_t)redundancy;
	p.min_parity = DIODE_DEF_MIN_PARITY;
	p.window = DIODE_DEF_WINDOW;
	p.heartbeat_ms = DIODE_DEF_HEARTBEAT_MS;
	start = diode_now_us();
	if ((tx = diode_tx_new(&p, link_key, sizeof(link_key), src_load,
	    start, err, sizeof(err))) == NULL)
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
	fsz = DIODE_DATA_HDR_LEN + (size_t)p.symsize + DIODE_TAG_LEN;
	frames = xmalloc(BATCH * fsz);
	memset(mm, 0, sizeof(mm));
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
			mm[n].msg_hdr.msg_iov = &iov[n];
			mm[n].msg_hdr.msg_iovlen = 1;
			sent += (uint64_t)len;
			n++;
		}
		if (n > 0)
			send_all(fd, mm, n);
		while (diode_tx_done(tx, &d))
			;
		if (diode_tx_idle(tx) && n == 0)
			break;
		pace(start, sent, rate);
	}
	/* The tail's heartbeat: the receiver learns the last blocks. */
	for (i = 0; i < 3; i++) {
		len = diode_tx_heartbeat(tx, diode_now_us(), frames, fsz, err,
		    sizeof(err));
		iov[0].iov_base = frames;
		iov[0].iov_len = (size_t)len;
		mm[0].msg_hdr.msg_iov = &iov[0];
		mm[0].msg_hdr.msg_iovlen = 1;
		send_all(fd, mm, 1);
		(void)poll(NULL, 0, 60);
	}
	free(frames);
	diode_tx_free(tx);
}

static void
raw_send(int fd, uint64_t bytes, double rate)
{
	struct mmsghdr	 mm[BATCH];
	struct iovec	 iov[BATCH];
	uint8_t		*buf;
	uint64_t	 sent = 0, start = diode_now_us();
	int		 n;

	buf = xcalloc(BATCH, RAW_DGRAM);
	memset(mm, 0, sizeof(mm));
	while (sent < bytes) {
		for (n = 0; n < BATCH && sent < bytes; n++) {
			iov[n].iov_base = buf + (size_t)n * RAW_DGRAM;
			iov[n].iov_len = RAW_DGRAM;
			mm[n].msg_hdr.msg_iov = &iov[n];
			mm[n].msg_hdr.msg_iovlen = 1;
			sent += RAW_DGRAM;
		}
		send_all(fd, mm, n);
		pace(start, sent, rate);
	}
	free(buf);
}

/* --- a run -------------------------------------------------------------------- */

static struct result
run(int raw, size_t size, uint64_t count, double loss, double rate)
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
	uint64_t		 want;

	if (diode_addr_parse("udp:127.0.0.1:0", &a, err, sizeof(err)) != 0 ||
	    (rfd = diode_sock_rx(&a, 64u << 20, err, sizeof(err))) == -1)
		fatalx("receiver socket: %s", err);
	if (getsockname(rfd, (struct sockaddr *)&ss, &sl) != 0)
		fatal("getsockname");
	memcpy(a.ss, &ss, sl);
	a.len = sl;
	want = raw ? (size * count + RAW_DGRAM - 1) / RAW_DGRAM : count;
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
	sender_us = diode_now_us();
	if (raw)
		raw_send(sfd, size * count, rate);
	else {
		src.size = size;
		src.body = xmalloc(size);
		for (size_t i = 0; i < size; i++)
			src.body[i] = (uint8_t)rng();
		if (EVP_Digest(src.body, size, digest, NULL, EVP_sha256(),
		    NULL) != 1 || diode_token_make(tok_key, sizeof(tok_key),
		    digest, src.token) != 0)
			fatalx("token");
		diode_send(sfd, &src, count, loss, rate);
		free(src.body);
	}
	sender_us = diode_now_us() - sender_us;
	close(sfd);
	if (read(pfd[0], &r, sizeof(r)) != sizeof(r))
		fatalx("receiver gave no result");
	close(pfd[0]);
	(void)waitpid(pid, &status, 0);
	return r;
}

static double mbps(const struct result *);

/* Best of three: the machine is shared, the slow runs are its noise. */
static struct result
best(int raw, size_t size, uint64_t count, double loss, double rate)
{
	struct result	r, b;
	uint64_t	bus = 0, us;
	int		i;

	for (i = 0; i < 3; i++) {
		r = run(raw, size, count, loss, rate);
		us = sender_us;
		if (i == 0 || (r.lost <= b.lost && mbps(&r) > mbps(&b))) {
			b = r;
			bus = us;
		}
	}
	sender_us = bus;
	return b;
}

static double
mbps(const struct result *r)
{
	return (double)r->bytes / ((double)r->us / 1e6) / 1e6;
}

static void
show(const char *what, const struct result *r, uint64_t count)
{
	printf("  %-34s %8.1f MB/s %9.0f msg/s  %llu/%llu delivered, %llu "
	    "lost (sender busy %.2f s, receiver %.2f s)\n", what, mbps(r),
	    (double)r->msgs / ((double)r->us / 1e6),
	    (unsigned long long)r->msgs, (unsigned long long)count,
	    (unsigned long long)r->lost, (double)sender_us / 1e6,
	    (double)r->us / 1e6);
}

int
main(void)
{
	struct result	raw, d0, d5, small, probe, d10;
	uint64_t	n8 = 20000, n1 = 100000;
	double		rate;

	log_init("bench_diode", LOG_TO_STDERR, 1);
	printf("bench_diode: loopback UDP, 8 KB messages x %llu, symbol %d, "
	    "block %d, redundancy %d%%, window %d\n", (unsigned long long)n8,
	    DIODE_DEF_SYMBOL, DIODE_DEF_K, DIODE_DEF_REDUNDANCY,
	    DIODE_DEF_WINDOW);
	/* What the receiver sustains: an unpaced run, delivered rate. */
	probe = run(0, 8192, n8 / 4, 0, 0);
	rate = (double)probe.bytes / ((double)probe.us / 1e6) * 1.25 * 1.1;
	printf("  %-34s %8.1f MB/s (pacing the runs below at %.0f MB/s of "
	    "frames)\n", "probe, unpaced", mbps(&probe), rate / 1e6);
	raw = best(1, 8192, n8, 0, 0);
	printf("  %-34s %8.1f MB/s %9.0f msg/s  (%llu datagrams of %d "
	    "bytes)\n", "raw UDP, same bytes", mbps(&raw),
	    (double)raw.bytes / 8192 / ((double)raw.us / 1e6),
	    (unsigned long long)raw.msgs, RAW_DGRAM);
	d0 = best(0, 8192, n8, 0, rate);
	show("diode, 0% loss", &d0, n8);
	d5 = best(0, 8192, n8, 0.05, rate);
	show("diode, 5% random loss", &d5, n8);
	small = best(0, 1024, n1, 0, rate);
	show("diode, 100,000 x 1 KB, 0% loss", &small, n1);
	redundancy = 10;
	d10 = best(0, 8192, n8, 0, rate);
	show("diode, 0% loss, redundancy 10%", &d10, n8);
	/*
	 * The ceiling at 0% loss without any computing cost is the share
	 * of message bytes in what is sent: parity (1 + r) and headers.
	 */
	printf("bench_diode: ratio diode/raw at 0%% loss %.2f (target >= "
	    "0.70; ceiling %.2f at %d%% redundancy), at 5%% loss %.2f; "
	    "at 10%% redundancy %.2f (ceiling %.2f)\n",
	    mbps(&d0) / mbps(&raw), (double)DIODE_DEF_SYMBOL / RAW_DGRAM /
	    (1 + DIODE_DEF_REDUNDANCY / 100.0), DIODE_DEF_REDUNDANCY,
	    mbps(&d5) / mbps(&raw), mbps(&d10) / mbps(&raw),
	    (double)DIODE_DEF_SYMBOL / RAW_DGRAM / 1.10);
	return 0;
}
