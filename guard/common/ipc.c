/*
 * ipc.c - typed frames over SOCK_SEQPACKET socketpairs (see ipc.h).
 *
 * The receiving side is the privileged one more often than not (the
 * supervisor and qmgr read what decode, verify and policy send), so
 * everything here treats a frame as untrusted: the header is checked
 * against the record actually received, every field against the bytes that
 * remain, and descriptors nobody asked for are closed.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

struct ipc_frame {
	TAILQ_ENTRY(ipc_frame)	 entry;
	uint8_t			*bytes;
	size_t			 len;
	int			 fds[IPC_MAX_FDS];
	size_t			 nfds;
};

static void ipc_seterr(char *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
ipc_seterr(char *err, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, IPC_ERR_LEN, fmt, ap);
	va_end(ap);
}

static void
close_fds(int *fds, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (fds[i] != -1) {
			(void)close(fds[i]);
			fds[i] = -1;
		}
}

int
ipc_socketpair(int sv[2], char *err, size_t errsz)
{
	/* Both ends non-blocking from the start: the flag belongs to the
	 * open file, so a role that receives an end (or finds it on its
	 * descriptor 3) need not change it inside its sandbox. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0, sv) == -1) {
		(void)snprintf(err, errsz, "socketpair: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
ipc_chan_init(struct ipc_chan *ch, int fd, const char *name)
{
	int	fl;

	memset(ch, 0, sizeof(*ch));
	ch->fd = fd;
	ch->name = name != NULL ? name : "peer";
	TAILQ_INIT(&ch->outq);
	buf_init(&ch->b_payload, IPC_MAX_PAYLOAD);
	if ((fl = fcntl(fd, F_GETFL)) == -1 || ((fl & O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)) {
		ipc_seterr(ch->err, "%s: fcntl: %s", ch->name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
frame_free(struct ipc_frame *f)
{
	close_fds(f->fds, f->nfds);
	freezero(f->bytes, f->len);
	free(f);
}

/* Abandon the frame being built, closing the descriptors it was given. */
static void
build_reset(struct ipc_chan *ch)
{
	close_fds(ch->b_fds, ch->b_nfds);
	ch->b_nfds = 0;
	buf_reset(&ch->b_payload);
	ch->building = 0;
	ch->failed = 0;
}

void
ipc_chan_free(struct ipc_chan *ch)
{
	struct ipc_frame	*f;

	while ((f = TAILQ_FIRST(&ch->outq)) != NULL) {
		TAILQ_REMOVE(&ch->outq, f, entry);
		frame_free(f);
	}
	ch->nqueued = 0;
	build_reset(ch);
	buf_free(&ch->b_payload);
	if (ch->fd != -1)
		(void)close(ch->fd);
	ch->fd = -1;
}

/* ------------------------------------------------------------------ */
/* Building */

void
ipc_create(struct ipc_chan *ch, uint32_t type, uint64_t id)
{
	/* An unfinished frame is a bug in the caller: drop it and its fds. */
	if (ch->building)
		build_reset(ch);
	ch->building = 1;
	ch->failed = 0;
	ch->b_type = type;
	ch->b_id = id;
	if (type == 0) {
		ch->failed = 1;
		ipc_seterr(ch->err, "%s: message type 0 is reserved",
		    ch->name);
	}
}

/* Record the first failure only: it is the one that explains the rest. */
static int
build_fail(struct ipc_chan *ch, const char *what)
{
	if (!ch->failed) {
		ch->failed = 1;
		ipc_seterr(ch->err, "%s: message type %u: %s", ch->name,
		    ch->b_type, what);
	}
	return -1;
}

static int
build_field(struct ipc_chan *ch, uint8_t tag, const void *p, size_t n)
{
	if (!ch->building)
		return build_fail(ch, "field added outside ipc_create");
	if (ch->failed)
		return -1;
	if (buf_reserve(&ch->b_payload, 1 + n) == -1)
		return build_fail(ch, "frame would exceed IPC_MAX_FRAME");
	(void)buf_add_byte(&ch->b_payload, tag);
	(void)buf_add(&ch->b_payload, p, n);
	return 0;
}

int
ipc_add_u32(struct ipc_chan *ch, uint32_t v)
{
	return build_field(ch, IPC_F_U32, &v, sizeof(v));
}

int
ipc_add_u64(struct ipc_chan *ch, uint64_t v)
{
	return build_field(ch, IPC_F_U64, &v, sizeof(v));
}

static int
build_counted(struct ipc_chan *ch, uint8_t tag, const void *p, size_t n)
{
	uint32_t	n32;

	if (n > IPC_MAX_PAYLOAD)
		return build_fail(ch, "field larger than a frame");
	n32 = (uint32_t)n;
	if (build_field(ch, tag, &n32, sizeof(n32)) == -1)
		return -1;
	if (buf_add(&ch->b_payload, p, n) == -1) {
		/* Take back the tag and count so the frame stays whole. */
		buf_truncate(&ch->b_payload, ch->b_payload.len - 5);
		return build_fail(ch, "frame would exceed IPC_MAX_FRAME");
	}
	return 0;
}

int
ipc_add_string(struct ipc_chan *ch, const char *s)
{
	if (s == NULL)
		return build_fail(ch, "NULL string");
	/* The NUL travels: the reader uses the string in place. */
	return build_counted(ch, IPC_F_STRING, s, strlen(s) + 1);
}

int
ipc_add_data(struct ipc_chan *ch, const void *p, size_t n)
{
	if (p == NULL && n != 0)
		return build_fail(ch, "NULL data");
	return build_counted(ch, IPC_F_DATA, p, n);
}

int
ipc_add_fd(struct ipc_chan *ch, int fd)
{
	if (fd < 0)
		return build_fail(ch, "negative descriptor");
	if (!ch->building || ch->failed || ch->b_nfds == IPC_MAX_FDS) {
		/* The descriptor was given to us: do not leak it. */
		(void)close(fd);
		if (ch->building && !ch->failed)
			return build_fail(ch, "more than IPC_MAX_FDS "
			    "descriptors");
		return build_fail(ch, "descriptor added to a failed frame");
	}
	if (build_field(ch, IPC_F_FD, NULL, 0) == -1) {
		(void)close(fd);
		return -1;
	}
	ch->b_fds[ch->b_nfds++] = fd;
	return 0;
}

int
ipc_close(struct ipc_chan *ch)
{
	struct ipc_frame	*f;
	uint32_t		 len32, nfds32;
	size_t			 len;

	if (!ch->building) {
		ipc_seterr(ch->err, "%s: ipc_close without ipc_create",
		    ch->name);
		return -1;
	}
	if (ch->failed) {
		build_reset(ch);
		return -1;
	}
	if (ch->nqueued >= IPC_MAX_QUEUED) {
		(void)build_fail(ch, "output queue full (peer not reading)");
		build_reset(ch);
		return -1;
	}
	len = ch->b_payload.len;
	f = xcalloc(1, sizeof(*f));
	f->len = IPC_HDR_LEN + len;
	f->bytes = xmalloc(f->len);
	len32 = (uint32_t)len;
	nfds32 = (uint32_t)ch->b_nfds;
	memcpy(f->bytes, &ch->b_type, 4);
	memcpy(f->bytes + 4, &len32, 4);
	memcpy(f->bytes + 8, &ch->b_id, 8);
	memcpy(f->bytes + 16, &nfds32, 4);
	if (len > 0)
		memcpy(f->bytes + IPC_HDR_LEN, ch->b_payload.data, len);
	memcpy(f->fds, ch->b_fds, ch->b_nfds * sizeof(int));
	f->nfds = ch->b_nfds;
	ch->b_nfds = 0;		/* the frame owns them now */
	build_reset(ch);
	TAILQ_INSERT_TAIL(&ch->outq, f, entry);
	ch->nqueued++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Sending */

/* 1 sent, 0 would block, -1 error. */
static int
frame_send(struct ipc_chan *ch, struct ipc_frame *f)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IPC_MAX_FDS)];
	}		 cmsg;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = f->bytes;
	iov.iov_len = f->len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (f->nfds > 0) {
		memset(&cmsg, 0, sizeof(cmsg));
		mh.msg_control = cmsg.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * f->nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * f->nfds);
		memcpy(CMSG_DATA(cm), f->fds, sizeof(int) * f->nfds);
	}
	do {
		/* MSG_NOSIGNAL: a dead peer is an error to report, not a
		 * SIGPIPE that kills the sender. */
		n = sendmsg(ch->fd, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0;
		ipc_seterr(ch->err, "%s: sendmsg: %s", ch->name,
		    strerror(errno));
		return -1;
	}
	if ((size_t)n != f->len) {
		/* Cannot happen on SOCK_SEQPACKET; refuse to half-send. */
		ipc_seterr(ch->err, "%s: sendmsg sent %zd of %zu bytes",
		    ch->name, n, f->len);
		return -1;
	}
	return 1;
}

int
ipc_flush(struct ipc_chan *ch)
{
	struct ipc_frame	*f;
	int			 r;

	while ((f = TAILQ_FIRST(&ch->outq)) != NULL) {
		if ((r = frame_send(ch, f)) == -1)
			return -1;
		if (r == 0)
			break;
		TAILQ_REMOVE(&ch->outq, f, entry);
		ch->nqueued--;
		frame_free(f);	/* the peer holds its own copies of the fds */
	}
	return (int)ch->nqueued;
}

short
ipc_events(const struct ipc_chan *ch)
{
	return (short)(POLLIN | (ch->nqueued > 0 ? POLLOUT : 0));
}

size_t
ipc_queued(const struct ipc_chan *ch)
{
	return ch->nqueued;
}

static int
wait_for(struct ipc_chan *ch, short events)
{
	struct pollfd	pfd;
	int		r;

	pfd.fd = ch->fd;
	pfd.events = events;
	pfd.revents = 0;
	do {
		r = poll(&pfd, 1, -1);
	} while (r == -1 && errno == EINTR);
	if (r == -1) {
		ipc_seterr(ch->err, "%s: poll: %s", ch->name, strerror(errno));
		return -1;
	}
	if ((pfd.revents & POLLNVAL) != 0) {
		ipc_seterr(ch->err, "%s: poll: channel descriptor invalid",
		    ch->name);
		return -1;
	}
	return 0;
}

int
ipc_flush_wait(struct ipc_chan *ch)
{
	int	r;

	while ((r = ipc_flush(ch)) > 0)
		if (wait_for(ch, POLLOUT) == -1)
			return -1;
	return r;
}

/* ------------------------------------------------------------------ */
/* Receiving */

static void
msg_reset(struct ipc_msg *m)
{
	m->type = 0;
	m->id = 0;
	m->len = 0;
	m->pos = 0;
	m->nfds = 0;
	m->fdpos = 0;
	m->err[0] = '\0';
}

int
ipc_frame_parse(struct ipc_msg *m, const uint8_t *frame, size_t len,
    const int *fds, size_t nfds)
{
	uint32_t	type, plen, hfds;
	uint64_t	id;
	int		tmp[IPC_MAX_FDS];
	size_t		i;

	msg_reset(m);
	if (nfds > IPC_MAX_FDS) {
		for (i = 0; i < nfds; i++)
			(void)close(fds[i]);
		ipc_seterr(m->err, "frame with %zu descriptors (at most %d)",
		    nfds, IPC_MAX_FDS);
		return -1;
	}
	memcpy(tmp, fds, nfds * sizeof(int));
	if (len < IPC_HDR_LEN) {
		ipc_seterr(m->err, "frame of %zu bytes is shorter than its "
		    "header", len);
		goto fail;
	}
	memcpy(&type, frame, 4);
	memcpy(&plen, frame + 4, 4);
	memcpy(&id, frame + 8, 8);
	memcpy(&hfds, frame + 16, 4);
	if (len > IPC_MAX_FRAME) {
		ipc_seterr(m->err, "frame of %zu bytes exceeds %d", len,
		    IPC_MAX_FRAME);
		goto fail;
	}
	if (type == 0) {
		ipc_seterr(m->err, "frame of type 0 (reserved)");
		goto fail;
	}
	if (plen != len - IPC_HDR_LEN) {
		ipc_seterr(m->err, "type %u: header says %u payload bytes, "
		    "frame has %zu", type, plen, len - IPC_HDR_LEN);
		goto fail;
	}
	if (hfds != nfds) {
		ipc_seterr(m->err, "type %u: header says %u descriptors, "
		    "frame has %zu", type, hfds, nfds);
		goto fail;
	}
	m->type = type;
	m->id = id;
	m->len = plen;
	memcpy(m->data, frame + IPC_HDR_LEN, plen);
	memcpy(m->fds, tmp, nfds * sizeof(int));
	m->nfds = nfds;
	return 0;
fail:
	close_fds(tmp, nfds);
	return -1;
}

/*
 * Collect SCM_RIGHTS descriptors into fds (room for cap); anything else in
 * the control data is an error, but descriptors seen are still returned so
 * that the caller closes them, and any beyond cap are closed here: the
 * kernel fills the whole control buffer, padding included, so it may hand
 * over more than IPC_MAX_FDS + 1.
 */
static int
collect_fds(struct msghdr *mh, int *fds, size_t cap, size_t *nfds,
    char *err)
{
	struct cmsghdr	*cm;
	size_t		 n, i;
	int		 bad = 0, fd;

	*nfds = 0;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0)) {
			bad = 1;
			continue;
		}
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
			    sizeof(int));
			if (*nfds == cap) {
				/* cap > IPC_MAX_FDS: refused for the count */
				(void)close(fd);
				continue;
			}
			fds[(*nfds)++] = fd;
		}
	}
	if (bad)
		ipc_seterr(err, "unexpected control message");
	return bad ? -1 : 0;
}

int
ipc_recv(struct ipc_chan *ch, struct ipc_msg *m)
{
	/* One byte more than a frame so that an oversized one shows as
	 * MSG_TRUNC even on kernels that do not report the full length. */
	static uint8_t	 rbuf[IPC_MAX_FRAME + 1];
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) *
				    (IPC_MAX_FDS + 1))];
	}		 cmsg;
	/* As many as the control buffer can carry, padding included. */
	int		 fds[sizeof(cmsg.buf) / sizeof(int)];
	size_t		 nfds;
	ssize_t		 n;
	char		 cerr[IPC_ERR_LEN];

	msg_reset(m);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = rbuf;
	iov.iov_len = sizeof(rbuf);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	/*
	 * ECONNRESET: the peer closed while frames of ours were unread in
	 * its end.  The kernel reports that once, before the frames the
	 * peer sent us last, which are still queued: read on, they come,
	 * then the end of file.
	 */
	do {
		n = recvmsg(ch->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && (errno == EINTR || errno == ECONNRESET));
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		ipc_seterr(ch->err, "%s: recvmsg: %s", ch->name,
		    strerror(errno));
		return -1;
	}
	if (n == 0 && mh.msg_controllen == 0) {
		/* SEQPACKET: a zero-length record is never a frame, and
		 * recvmsg() returning 0 is the peer's close. */
		ch->eof = 1;
		ipc_seterr(ch->err, "%s closed the channel", ch->name);
		return -1;
	}
	cerr[0] = '\0';
	if (collect_fds(&mh, fds, sizeof(fds) / sizeof(fds[0]), &nfds,
	    cerr) == -1 ||
	    (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    nfds > IPC_MAX_FDS) {
		close_fds(fds, nfds);
		ipc_seterr(ch->err, "%s: frame refused: %s", ch->name,
		    cerr[0] != '\0' ? cerr :
		    (mh.msg_flags & MSG_TRUNC) != 0 ?
		    "larger than IPC_MAX_FRAME" :
		    "more than IPC_MAX_FDS descriptors");
		return -1;
	}
	if (ipc_frame_parse(m, rbuf, (size_t)n, fds, nfds) == -1) {
		ipc_seterr(ch->err, "%s: frame refused: %s", ch->name, m->err);
		return -1;
	}
	return 1;
}

int
ipc_recv_wait(struct ipc_chan *ch, struct ipc_msg *m)
{
	int	r;

	while ((r = ipc_recv(ch, m)) == 0)
		if (wait_for(ch, POLLIN) == -1)
			return -1;
	return r;
}

/* ------------------------------------------------------------------ */
/* Reading fields */

void
ipc_msg_free(struct ipc_msg *m)
{
	close_fds(m->fds + m->fdpos, m->nfds - m->fdpos);
	m->fdpos = m->nfds;
	explicit_bzero(m->data, m->len);
	m->len = m->pos = 0;
}

static int msg_fail(struct ipc_msg *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Any failure ends the message: its descriptors are closed at once. */
static int
msg_fail(struct ipc_msg *m, const char *fmt, ...)
{
	char	why[IPC_ERR_LEN];
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ipc_seterr(m->err, "message type %u at payload offset %zu: %s",
	    m->type, m->pos, why);
	ipc_msg_free(m);
	return -1;
}

int
ipc_check_type(struct ipc_msg *m, uint32_t type)
{
	if (m->type != type)
		return msg_fail(m, "expected message type %u", type);
	return 0;
}

static const char *
tag_name(uint8_t tag)
{
	switch (tag) {
	case IPC_F_U32:		return "u32";
	case IPC_F_U64:		return "u64";
	case IPC_F_STRING:	return "string";
	case IPC_F_DATA:	return "data";
	case IPC_F_FD:		return "descriptor";
	default:		return "unknown field";
	}
}

/* Check the next field's tag and that n bytes follow it; advance past the
 * tag.  m->pos <= m->len holds throughout, so the subtractions are safe. */
static int
take_field(struct ipc_msg *m, uint8_t tag, size_t n)
{
	if (m->len == 0 || m->pos >= m->len)
		return msg_fail(m, "expected %s, message ends", tag_name(tag));
	if (m->data[m->pos] != tag)
		return msg_fail(m, "expected %s, found %s (tag %u)",
		    tag_name(tag), tag_name(m->data[m->pos]),
		    m->data[m->pos]);
	if (m->len - m->pos - 1 < n)
		return msg_fail(m, "%s truncated: %zu of %zu bytes",
		    tag_name(tag), m->len - m->pos - 1, n);
	m->pos++;
	return 0;
}

int
ipc_get_u32(struct ipc_msg *m, uint32_t *v)
{
	if (take_field(m, IPC_F_U32, 4) == -1)
		return -1;
	memcpy(v, m->data + m->pos, 4);
	m->pos += 4;
	return 0;
}

int
ipc_get_u64(struct ipc_msg *m, uint64_t *v)
{
	if (take_field(m, IPC_F_U64, 8) == -1)
		return -1;
	memcpy(v, m->data + m->pos, 8);
	m->pos += 8;
	return 0;
}

/* A counted field: tag, u32 length, bytes. */
static int
take_counted(struct ipc_msg *m, uint8_t tag, const uint8_t **p, size_t *n)
{
	uint32_t	n32;

	*p = NULL;
	*n = 0;
	if (take_field(m, tag, 4) == -1)
		return -1;
	memcpy(&n32, m->data + m->pos, 4);
	if (n32 > m->len - m->pos - 4) {
		m->pos--;	/* report the field's own offset */
		return msg_fail(m, "%s of %u bytes, %zu remain",
		    tag_name(tag), n32, m->len - m->pos - 5);
	}
	m->pos += 4;
	*p = m->data + m->pos;
	*n = n32;
	m->pos += n32;
	return 0;
}

int
ipc_get_string(struct ipc_msg *m, const char **s)
{
	const uint8_t	*p;
	size_t		 n;
	const void	*nul;

	if (take_counted(m, IPC_F_STRING, &p, &n) == -1)
		return -1;
	if (n == 0 || p[n - 1] != '\0')
		return msg_fail(m, "string not NUL-terminated");
	if ((nul = memchr(p, '\0', n)) != p + n - 1)
		return msg_fail(m, "string with NUL at %zu of %zu",
		    (size_t)((const uint8_t *)nul - p), n - 1);
	*s = (const char *)p;
	return 0;
}

int
ipc_get_data(struct ipc_msg *m, const void **p, size_t *n)
{
	const uint8_t	*q;

	if (take_counted(m, IPC_F_DATA, &q, n) == -1)
		return -1;
	*p = q;
	return 0;
}

int
ipc_get_data_exact(struct ipc_msg *m, void *out, size_t want)
{
	const uint8_t	*q;
	size_t		 n;

	if (take_counted(m, IPC_F_DATA, &q, &n) == -1)
		return -1;
	if (n != want)
		return msg_fail(m, "data of %zu bytes, expected exactly %zu",
		    n, want);
	memcpy(out, q, n);
	return 0;
}

int
ipc_get_fd(struct ipc_msg *m, int *fd)
{
	if (take_field(m, IPC_F_FD, 0) == -1)
		return -1;
	if (m->fdpos >= m->nfds)
		return msg_fail(m, "descriptor field, but only %zu "
		    "descriptors came with the frame", m->nfds);
	*fd = m->fds[m->fdpos];
	m->fds[m->fdpos++] = -1;	/* the caller owns it now */
	return 0;
}

int
ipc_end(struct ipc_msg *m)
{
	if (m->pos != m->len)
		return msg_fail(m, "%zu bytes left over", m->len - m->pos);
	if (m->fdpos != m->nfds)
		return msg_fail(m, "%zu descriptors left over",
		    m->nfds - m->fdpos);
	/* What the getters returned stays readable until the next receive
	 * into m (or ipc_msg_free): a reader checks the whole frame first,
	 * then uses its fields. */
	return 0;
}

void
ipc_fatal(const struct ipc_chan *ch)
{
	fatalx("ipc: %s", ch->err[0] != '\0' ? ch->err : "unknown error");
}

void
ipc_msg_fatal(const struct ipc_msg *m)
{
	fatalx("ipc: %s", m->err[0] != '\0' ? m->err : "unknown error");
}

/* ------------------------------------------------------------------ */

int
ipc_memfd_sealed(const char *name, const void *buf, size_t len, char *err,
    size_t errsz)
{
	const uint8_t	*p = buf;
	char		 path[64];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, ro;

	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1) {
		(void)snprintf(err, errsz, "memfd_create: %s",
		    strerror(errno));
		return -1;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			(void)snprintf(err, errsz, "memfd write: %s",
			    n == 0 ? "wrote nothing" : strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW |
	    F_SEAL_SHRINK | F_SEAL_SEAL) == -1) {
		(void)snprintf(err, errsz, "memfd seals: %s", strerror(errno));
		goto fail;
	}
	/*
	 * A new open file description, read-only: the receiver's fcntl
	 * shows O_RDONLY, and its offset is its own.  The seals already
	 * make the bytes immutable; this makes the intent visible too.
	 */
	(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((ro = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errsz, "memfd reopen read-only: %s",
		    strerror(errno));
		goto fail;
	}
	(void)close(fd);
	return ro;
fail:
	(void)close(fd);
	return -1;
}
