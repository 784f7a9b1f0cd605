/*
 * diode_io.c - what the diode programs need around the engines:
 * transports, key files, the stand-alone release token, drop-folder
 * metadata and durable writes.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/udp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "guard/diode/diode.h"

uint64_t
diode_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
diode_wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
diode_hex(const uint8_t *p, size_t n, char *out)
{
	static const char	hx[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
diode_parse_num(const char *s, unsigned base, uint64_t min, uint64_t max,
    uint64_t *out, char *err, size_t errsz)
{
	unsigned long long	 v;
	uint64_t		 mul = 1;
	char			*end;

	errno = 0;
	if (*s < '0' || *s > '9') {
		snprintf(err, errsz, "\"%s\": not a number", s);
		return -1;
	}
	v = strtoull(s, &end, 10);
	if (errno != 0) {
		snprintf(err, errsz, "\"%s\": out of range", s);
		return -1;
	}
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mul = base;
		end++;
		break;
	case 'M':
		mul = (uint64_t)base * base;
		end++;
		break;
	case 'G':
		mul = (uint64_t)base * base * base;
		end++;
		break;
	}
	if (*end != '\0') {
		snprintf(err, errsz, "\"%s\": unexpected \"%s\"", s, end);
		return -1;
	}
	if (v > UINT64_MAX / mul || v * mul < min || v * mul > max) {
		snprintf(err, errsz, "\"%s\": not within %llu..%llu", s,
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = v * mul;
	return 0;
}

int
diode_append(int fd, const char *line, size_t len, char *err, size_t errsz)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, line, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "write: %s", strerror(errno));
			return -1;
		}
		line += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0) {
		snprintf(err, errsz, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* --- Addresses and sockets -------------------------------------------- */

int
diode_addr_parse(const char *spec, struct diode_addr *a, char *err,
    size_t errsz)
{
	struct addrinfo		 hints, *res = NULL;
	struct sockaddr_un	*sun;
	char			 host[256];
	const char		*h, *port, *e;
	size_t			 hl;
	int			 r;

	memset(a, 0, sizeof(*a));
	if (strncmp(spec, "unix:", 5) == 0) {
		sun = (struct sockaddr_un *)(void *)a->ss;
		if (spec[5] == '\0' ||
		    strlen(spec + 5) >= sizeof(sun->sun_path)) {
			snprintf(err, errsz, "%s: unix socket path empty or too "
			    "long", spec);
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, spec + 5, strlen(spec + 5) + 1);
		a->family = AF_UNIX;
		a->len = (uint32_t)sizeof(*sun);
		return 0;
	}
	if (strncmp(spec, "udp:", 4) != 0) {
		snprintf(err, errsz, "%s: expected udp:ADDR:PORT, "
		    "udp:[ADDR]:PORT or unix:PATH", spec);
		return -1;
	}
	h = spec + 4;
	if (*h == '[') {
		if ((e = strchr(h, ']')) == NULL || e[1] != ':') {
			snprintf(err, errsz, "%s: unbalanced [ ] around the "
			    "IPv6 address", spec);
			return -1;
		}
		h++;
		hl = (size_t)(e - h);
		port = e + 2;
	} else {
		if ((e = strrchr(h, ':')) == NULL) {
			snprintf(err, errsz, "%s: no port", spec);
			return -1;
		}
		hl = (size_t)(e - h);
		port = e + 1;
	}
	if (hl == 0 || hl >= sizeof(host) || *port == '\0') {
		snprintf(err, errsz, "%s: empty address or port", spec);
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	/* Numeric only: the roles do no name lookups. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errsz, "%s: %s", spec, gai_strerror(r));
		return -1;
	}
	if (res->ai_addrlen > sizeof(a->ss)) {
		freeaddrinfo(res);
		snprintf(err, errsz, "%s: address too long", spec);
		return -1;
	}
	memcpy(a->ss, res->ai_addr, res->ai_addrlen);
	a->len = (uint32_t)res->ai_addrlen;
	a->family = res->ai_family;
	freeaddrinfo(res);
	return 0;
}

static void
sock_buffer(int fd, int opt, int force, size_t sz)
{
	int	v = (int)sz;

	if (sz == 0)
		return;
	/* Past the system maximum when privileged, else up to it. */
	if (setsockopt(fd, SOL_SOCKET, force, &v, sizeof(v)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

int
diode_sock_tx(const struct diode_addr *a, size_t sndbuf, char *err,
    size_t errsz)
{
	int	fd;

	if ((fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	sock_buffer(fd, SO_SNDBUF, SO_SNDBUFFORCE, sndbuf);
	if (connect(fd, (const struct sockaddr *)(const void *)a->ss,
	    a->len) != 0 && a->family != AF_UNIX) {
		snprintf(err, errsz, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * The sender reads nothing.  (A unix socket whose receiver is not
	 * there yet cannot be connected; it is connected at each send.)
	 */
	(void)shutdown(fd, SHUT_RD);
	return fd;
}

int
diode_sock_rx(const struct diode_addr *a, size_t rcvbuf, char *err,
    size_t errsz)
{
	int	fd, one = 1;

	if ((fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return -1;
	}
	if (a->family != AF_UNIX)
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
	if (a->family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	sock_buffer(fd, SO_RCVBUF, SO_RCVBUFFORCE, rcvbuf);
	if (bind(fd, (const struct sockaddr *)(const void *)a->ss,
	    a->len) != 0) {
		snprintf(err, errsz, "bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * Receive only.  On an unconnected datagram socket Linux answers
	 * ENOTCONN but still marks the socket: every later send fails with
	 * EPIPE.  The role's seccomp profile omits the send calls as well.
	 */
	if (shutdown(fd, SHUT_WR) != 0 && errno != ENOTCONN) {
		snprintf(err, errsz, "shutdown: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sending.  Per datagram, the kernel's work (a buffer, the IP and UDP
 * layers, the device) costs as much as the channel's own coding of it;
 * sendmmsg shares the system call among a batch, and generic
 * segmentation offload (UDP_SEGMENT, Linux 4.18) shares the rest: a run
 * of equal-sized frames goes down the stack as one buffer and is cut
 * into datagrams at the end, by the interface or in software.  The
 * datagrams on the wire are the same either way.
 */
#define SEND_BATCH	64		/* messages per sendmmsg */
#define GSO_SEGS	64		/* the kernel's UDP_MAX_SEGMENTS */
#define GSO_BYTES	65000		/* one UDP datagram, at most 64 KB */

int
diode_send_frames(int fd, const struct diode_addr *to, struct iovec *iov,
    int n, int *gso, uint64_t *lost, char *err, size_t errsz)
{
	struct mmsghdr	 mm[SEND_BATCH];
	union {
		struct cmsghdr	c;
		uint8_t		b[CMSG_SPACE(sizeof(uint16_t))];
	}		 ctl[SEND_BATCH];
	struct cmsghdr	*cm;
	uint16_t	 seg;
	int		 cnt[SEND_BATCH], i = 0, j, k, off, r, e, max;

	if (to->family == AF_UNIX)
		*gso = 0;
	while (i < n) {
		for (k = 0; i < n && k < SEND_BATCH; k++, i = j) {
			memset(&mm[k], 0, sizeof(mm[k]));
			j = i + 1;
			if (*gso && iov[i].iov_len > 0 &&
			    iov[i].iov_len <= UINT16_MAX) {
				seg = (uint16_t)iov[i].iov_len;
				max = GSO_BYTES / seg;
				if (max > GSO_SEGS)
					max = GSO_SEGS;
				while (j < n && j - i < max &&
				    iov[j].iov_len == seg)
					j++;
				/* A shorter frame may end the run. */
				if (j < n && j - i < max && iov[j].iov_len < seg)
					j++;
			}
			mm[k].msg_hdr.msg_iov = &iov[i];
			mm[k].msg_hdr.msg_iovlen = (size_t)(j - i);
			if (to->family == AF_UNIX) {
				/* Not connected: see diode_sock_tx. */
				mm[k].msg_hdr.msg_name =
				    (void *)(uintptr_t)to->ss;
				mm[k].msg_hdr.msg_namelen = to->len;
			}
			if (j - i > 1) {
				memset(&ctl[k], 0, sizeof(ctl[k]));
				mm[k].msg_hdr.msg_control = ctl[k].b;
				mm[k].msg_hdr.msg_controllen = sizeof(ctl[k].b);
				cm = CMSG_FIRSTHDR(&mm[k].msg_hdr);
				cm->cmsg_level = SOL_UDP;
				cm->cmsg_type = UDP_SEGMENT;
				cm->cmsg_len = CMSG_LEN(sizeof(seg));
				memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
			}
			cnt[k] = j - i;
		}
		for (off = 0; off < k; ) {
			r = sendmmsg(fd, mm + off, (unsigned)(k - off), 0);
			if (r > 0) {
				off += r;
				continue;
			}
			e = errno;
			if (cnt[off] > 1 && (e == EINVAL || e == EIO ||
			    e == EOPNOTSUPP || e == EMSGSIZE)) {
				/*
				 * Segmentation refused (no checksum offload,
				 * a segment beyond the path's MTU, an old
				 * kernel): these frames and all later ones
				 * go one datagram each.
				 */
				*gso = 0;
				if (diode_send_frames(fd, to,
				    mm[off].msg_hdr.msg_iov, cnt[off], gso,
				    lost, err, errsz) != 0)
					return -1;
				off++;
				continue;
			}
			switch (e) {
			case EINTR:
				continue;
			case EAGAIN:
			case ENOBUFS:
				/* Local congestion: wait for room, lose
				 * nothing. */
				(void)poll(NULL, 0, 1);
				continue;
			case ECONNREFUSED:
			case ENOENT:
			case EPIPE:
			case ECONNRESET:
			case EHOSTUNREACH:
			case ENETUNREACH:
			case EMSGSIZE:
				/*
				 * Nobody listening (yet) or no route: the
				 * frames are lost as on the wire; the
				 * receiver will account for them.
				 */
				*lost += (uint64_t)cnt[off];
				off++;
				continue;
			default:
				snprintf(err, errsz, "send: %s", strerror(e));
				return -1;
			}
		}
	}
	return 0;
}

/* --- Keys and tokens --------------------------------------------------- */

int
diode_key_load(const char *path, uint8_t *key, size_t *len, char *err,
    size_t errsz)
{
	struct stat	sb;
	ssize_t		n;
	size_t		got = 0;
	int		fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errsz, "%s: readable by group or others (mode "
		    "%03o); a key file must be 0600 or 0400", path,
		    (unsigned)(sb.st_mode & 0777));
		close(fd);
		return -1;
	}
	for (;;) {
		n = read(fd, key + got, DIODE_KEY_MAX - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
		if (got == DIODE_KEY_MAX) {
			char c;

			if (read(fd, &c, 1) == 1) {
				snprintf(err, errsz, "%s: longer than %d bytes",
				    path, DIODE_KEY_MAX);
				close(fd);
				return -1;
			}
			break;
		}
	}
	close(fd);
	if (got < DIODE_KEY_MIN) {
		snprintf(err, errsz, "%s: %zu bytes; a key has at least %d "
		    "random bytes", path, got, DIODE_KEY_MIN);
		return -1;
	}
	*len = got;
	return 0;
}

/*
 * The receiver checks a token per message: OpenSSL's one-shot HMAC()
 * fetches the algorithms and builds a context each time, three times
 * the cost of the HMAC itself on 32 bytes.  One context is kept instead
 * (the programs are single-threaded) and keyed at each call.
 */
int
diode_token_make(const uint8_t *key, size_t keylen, const uint8_t *digest,
    uint8_t *token)
{
	static EVP_MAC		*mac;
	static EVP_MAC_CTX	*ctx;
	static char		 sha256[] = "SHA256";
	OSSL_PARAM		 params[2];
	size_t			 n = 0;

	if (ctx == NULL) {
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, sha256, 0);
		params[1] = OSSL_PARAM_construct_end();
		if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
		    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
		    !EVP_MAC_CTX_set_params(ctx, params)) {
			EVP_MAC_CTX_free(ctx);
			EVP_MAC_free(mac);
			ctx = NULL;
			mac = NULL;
			return -1;
		}
	}
	if (!EVP_MAC_init(ctx, key, keylen, NULL) ||
	    !EVP_MAC_update(ctx, digest, DIODE_DIGEST_LEN) ||
	    !EVP_MAC_final(ctx, token, &n, DIODE_TOKEN_LEN) ||
	    n != DIODE_TOKEN_LEN)
		return -1;
	return 0;
}

int
diode_token_check(const uint8_t *key, size_t keylen, const uint8_t *digest,
    const uint8_t *token)
{
	uint8_t	want[DIODE_TOKEN_LEN];
	int	r;

	if (diode_token_make(key, keylen, digest, want) != 0)
		return -1;
	r = CRYPTO_memcmp(want, token, DIODE_TOKEN_LEN) == 0 ? 0 : -1;
	OPENSSL_cleanse(want, sizeof(want));
	return r;
}

/* --- Drop-folder metadata ---------------------------------------------- */

static int
unhex(const char *s, size_t n, uint8_t *out, size_t outlen)
{
	size_t	i;
	int	hi, lo;

	if (n != 2 * outlen)
		return -1;
	for (i = 0; i < outlen; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' : hi >= 'a' &&
		    hi <= 'f' ? hi - 'a' + 10 : hi >= 'A' && hi <= 'F' ?
		    hi - 'A' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' : lo >= 'a' &&
		    lo <= 'f' ? lo - 'a' + 10 : lo >= 'A' && lo <= 'F' ?
		    lo - 'A' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A decimal length, no sign, no leading zero, at most DIODE_MAX_MESSAGE. */
static int
parse_len(const char *s, size_t n, uint64_t *out)
{
	uint64_t	v = 0;
	size_t		i;

	if (n == 0 || n > 12 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > DIODE_MAX_MESSAGE)
		return -1;
	*out = v;
	return 0;
}

int
diode_meta_parse(const char *text, size_t len, struct diode_meta *m,
    char *err, size_t errsz)
{
	const char	*p = text, *end = text + len, *nl, *colon, *v;
	char		 word[16];
	size_t		 kl, vl;
	int		 have_id = 0, have_prec = 0, have_tok = 0, line = 0;

	memset(m, 0, sizeof(*m));
	if (len > 4096) {
		snprintf(err, errsz, "metadata larger than 4096 bytes");
		return -1;
	}
	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl == p) {
			p = nl + 1;
			continue;
		}
		if ((colon = memchr(p, ':', (size_t)(nl - p))) == NULL) {
			snprintf(err, errsz, "line %d: expected \"key: "
			    "value\"", line);
			return -1;
		}
		kl = (size_t)(colon - p);
		v = colon + 1;
		while (v < nl && (*v == ' ' || *v == '\t'))
			v++;
		vl = (size_t)(nl - v);
		while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t' ||
		    v[vl - 1] == '\r'))
			vl--;
		if (kl == 2 && memcmp(p, "id", 2) == 0) {
			if (have_id++ || !diode_id_valid(v, vl)) {
				snprintf(err, errsz, "line %d: id repeated or "
				    "not valid (1-%d of A-Z a-z 0-9 . _ - + = "
				    "@, no leading dot)", line, DIODE_ID_MAX);
				return -1;
			}
			memcpy(m->id, v, vl);
			m->id[vl] = '\0';
		} else if (kl == 10 && memcmp(p, "precedence", 10) == 0) {
			if (have_prec++ || vl == 0 || vl >= sizeof(word)) {
				snprintf(err, errsz, "line %d: precedence "
				    "repeated or empty", line);
				return -1;
			}
			memcpy(word, v, vl);
			word[vl] = '\0';
			if ((m->prec = diode_prec_parse(word)) < 0) {
				snprintf(err, errsz, "line %d: unknown "
				    "precedence \"%s\"", line, word);
				return -1;
			}
		} else if (kl == 5 && memcmp(p, "token", 5) == 0) {
			if (have_tok++ || unhex(v, vl, m->token,
			    DIODE_TOKEN_LEN) != 0) {
				snprintf(err, errsz, "line %d: token repeated or "
				    "not 64 hex digits", line);
				return -1;
			}
		} else if (kl == 6 && memcmp(p, "length", 6) == 0) {
			if (m->have_len++ || parse_len(v, vl, &m->len) != 0) {
				snprintf(err, errsz, "line %d: length repeated "
				    "or not a number up to %u", line,
				    (unsigned)DIODE_MAX_MESSAGE);
				return -1;
			}
		} else if (!((kl == 6 && memcmp(p, "digest", 6) == 0) ||
		    (kl == 7 && memcmp(p, "session", 7) == 0) ||
		    (kl == 3 && memcmp(p, "seq", 3) == 0))) {
			snprintf(err, errsz, "line %d: unknown key \"%.*s\"",
			    line, (int)(kl < 32 ? kl : 32), p);
			return -1;
		}
		p = nl + 1;
	}
	if (!have_id || !have_prec || !have_tok) {
		snprintf(err, errsz, "missing %s", !have_id ? "id" :
		    !have_prec ? "precedence" : "token");
		return -1;
	}
	return 0;
}

int
diode_drop_parse(const void *buf, size_t n, struct diode_meta *m,
    size_t *hdrlen, char *err, size_t errsz)
{
	const char	*p = buf, *end;
	size_t		 ml = sizeof(DIODE_DROP_MAGIC) - 1, lim;

	memset(m, 0, sizeof(*m));
	if (n < ml || memcmp(p, DIODE_DROP_MAGIC, ml) != 0) {
		snprintf(err, errsz, "not a drop file (no \"MMGD1\" line)");
		return -1;
	}
	/* The header ends with an empty line, within the first
	 * DIODE_DROP_HDR_MAX bytes. */
	lim = n < DIODE_DROP_HDR_MAX ? n : DIODE_DROP_HDR_MAX;
	if ((end = memmem(p + ml - 1, lim - (ml - 1), "\n\n", 2)) == NULL) {
		snprintf(err, errsz, "header not ended by an empty line "
		    "within %d bytes", DIODE_DROP_HDR_MAX);
		return -1;
	}
	if (diode_meta_parse(p + ml, (size_t)(end - (p + ml)) + 1, m, err,
	    errsz) != 0)
		return -1;
	if (!m->have_len) {
		snprintf(err, errsz, "missing length");
		return -1;
	}
	*hdrlen = (size_t)(end - p) + 2;
	return 0;
}

int
diode_drop_header(char *buf, size_t bufsz, const char *id, int prec,
    const uint8_t token[DIODE_TOKEN_LEN], uint64_t len)
{
	char	th[2 * DIODE_TOKEN_LEN + 1];
	int	n;

	if (!diode_id_valid(id, strlen(id)) || prec < 0 ||
	    prec >= DIODE_NPREC || len > DIODE_MAX_MESSAGE)
		return -1;
	diode_hex(token, DIODE_TOKEN_LEN, th);
	n = snprintf(buf, bufsz, "%sid: %s\nprecedence: %s\ntoken: %s\n"
	    "length: %llu\n\n", DIODE_DROP_MAGIC, id, diode_prec_name(prec),
	    th, (unsigned long long)len);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

static int
staged_name(const char *name, char *tmp, size_t tmpsz, char *err,
    size_t errsz)
{
	if ((size_t)snprintf(tmp, tmpsz, ".%s.tmp", name) >= tmpsz) {
		snprintf(err, errsz, "%s: name too long", name);
		return -1;
	}
	return 0;
}

static int
write_tmp(int dirfd, const char *name, const void *data, size_t len,
    int sync, char *err, size_t errsz)
{
	char		 tmp[DIODE_ID_MAX + 32];
	const uint8_t	*p = data;
	ssize_t		 n;
	int		 fd;

	if (staged_name(name, tmp, sizeof(tmp), err, errsz) != 0)
		return -1;
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "%s: write: %s", tmp,
			    strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (sync && fsync(fd) != 0) {
		snprintf(err, errsz, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		snprintf(err, errsz, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	(void)unlinkat(dirfd, tmp, 0);
	return -1;
}

int
diode_write_staged(int dirfd, const char *name, const void *data,
    size_t len, char *err, size_t errsz)
{
	return write_tmp(dirfd, name, data, len, 0, err, errsz);
}

int
diode_commit_staged(int dirfd, const char *name, char *err, size_t errsz)
{
	char	tmp[DIODE_ID_MAX + 32];

	if (staged_name(name, tmp, sizeof(tmp), err, errsz) != 0)
		return -1;
	if (renameat(dirfd, tmp, dirfd, name) != 0) {
		snprintf(err, errsz, "%s: rename: %s", name, strerror(errno));
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
diode_write_durable(int dirfd, const char *name, const void *data,
    size_t len, char *err, size_t errsz)
{
	if (write_tmp(dirfd, name, data, len, 1, err, errsz) != 0)
		return -1;
	return diode_commit_staged(dirfd, name, err, errsz);
}
