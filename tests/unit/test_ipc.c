/*
 * test_ipc.c - typed frames over real SOCK_SEQPACKET socketpairs.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/common/ipc.h"
#include "tests/unit/unit.h"

#define T_A	7		/* message types of the tests */
#define T_B	8

static struct ipc_msg	m;	/* 64 KiB: not on the stack */

static void
chan_pair(struct ipc_chan *a, struct ipc_chan *b)
{
	int	sv[2];
	char	err[IPC_ERR_LEN];

	CU_ASSERT_FATAL(ipc_socketpair(sv, err, sizeof(err)) == 0);
	/* A channel is named after its peer. */
	CU_ASSERT_FATAL(ipc_chan_init(a, sv[0], "b") == 0);
	CU_ASSERT_FATAL(ipc_chan_init(b, sv[1], "a") == 0);
}

static int
is_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

static int
count_fds(void)
{
	struct dirent	*de;
	DIR		*d;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	(void)closedir(d);
	return n - 1;		/* the directory's own descriptor */
}

/* A frame written by hand: header fields as given, then payload. */
static void
raw_send(int fd, uint32_t type, uint32_t len, uint64_t id, uint32_t nfds,
    const void *payload, size_t plen, const int *fds, size_t nsend)
{
	static uint8_t	 frame[IPC_MAX_FRAME + 200];
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * 16)];
	}		 cmsg;
	struct cmsghdr	*cm;

	CU_ASSERT_FATAL(IPC_HDR_LEN + plen <= sizeof(frame) && nsend <= 16);
	memcpy(frame, &type, 4);
	memcpy(frame + 4, &len, 4);
	memcpy(frame + 8, &id, 8);
	memcpy(frame + 16, &nfds, 4);
	if (plen > 0)
		memcpy(frame + IPC_HDR_LEN, payload, plen);
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = frame;
	iov.iov_len = IPC_HDR_LEN + plen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (nsend > 0) {
		memset(&cmsg, 0, sizeof(cmsg));
		mh.msg_control = cmsg.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nsend);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nsend);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nsend);
	}
	CU_ASSERT_FATAL(sendmsg(fd, &mh, 0) == (ssize_t)iov.iov_len);
}

/* raw_send with a header that matches the payload. */
static void
raw_frame(int fd, uint32_t type, const void *payload, size_t plen)
{
	raw_send(fd, type, (uint32_t)plen, 1, 0, payload, plen, NULL, 0);
}

static void
send_all(struct ipc_chan *ch)
{
	CU_ASSERT_FATAL(ipc_close(ch) == 0);
	CU_ASSERT_FATAL(ipc_flush(ch) == 0);
}

static int
err_has(const char *err, const char *want)
{
	if (strstr(err, want) != NULL)
		return 1;
	fprintf(stderr, "\n  reason \"%s\" lacks \"%s\"\n", err, want);
	return 0;
}

/* The next frame on ch is refused, for the reason given. */
static int
recv_refused(struct ipc_chan *ch, const char *why)
{
	return ipc_recv(ch, &m) == -1 && err_has(ch->err, why);
}

static void
test_ipc_round_trip(void)
{
	struct ipc_chan	 a, b;
	const char	*s, *e;
	const void	*d;
	size_t		 dn;
	uint32_t	 v32;
	uint64_t	 v64;
	uint8_t		 digest[32], got[32];

	memset(digest, 0x5a, sizeof(digest));
	chan_pair(&a, &b);
	ipc_create(&a, T_A, 0x1122334455667788ULL);
	CU_ASSERT(ipc_add_u32(&a, 0xdeadbeef) == 0);
	CU_ASSERT(ipc_add_u64(&a, UINT64_MAX - 1) == 0);
	CU_ASSERT(ipc_add_string(&a, "precedence FLASH") == 0);
	CU_ASSERT(ipc_add_string(&a, "") == 0);
	CU_ASSERT(ipc_add_data(&a, "\0\1\2", 3) == 0);
	CU_ASSERT(ipc_add_data(&a, digest, sizeof(digest)) == 0);
	CU_ASSERT(ipc_add_data(&a, NULL, 0) == 0);
	send_all(&a);
	ipc_create(&a, T_B, 2);
	send_all(&a);

	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(m.type == T_A);
	CU_ASSERT(m.id == 0x1122334455667788ULL);
	CU_ASSERT(ipc_check_type(&m, T_A) == 0);
	CU_ASSERT(ipc_get_u32(&m, &v32) == 0 && v32 == 0xdeadbeef);
	CU_ASSERT(ipc_get_u64(&m, &v64) == 0 && v64 == UINT64_MAX - 1);
	CU_ASSERT(ipc_get_string(&m, &s) == 0 &&
	    strcmp(s, "precedence FLASH") == 0);
	CU_ASSERT(ipc_get_string(&m, &e) == 0 && *e == '\0');
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == 0 && dn == 3 &&
	    memcmp(d, "\0\1\2", 3) == 0);
	CU_ASSERT(ipc_get_data_exact(&m, got, sizeof(got)) == 0 &&
	    memcmp(got, digest, sizeof(got)) == 0);
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == 0 && dn == 0);
	CU_ASSERT(ipc_end(&m) == 0);

	/* Frames arrive one per recv, in order; then nothing is waiting. */
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(m.type == T_B && m.id == 2 && m.len == 0);
	CU_ASSERT(ipc_end(&m) == 0);
	CU_ASSERT(ipc_recv(&b, &m) == 0);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_sealed_memfd(void)
{
	static const char	 body[] = "P772 message body";
	struct ipc_chan		 a, b;
	char			 err[IPC_ERR_LEN], buf[64];
	int			 fd, got, seals;
	ssize_t			 n;

	chan_pair(&a, &b);
	fd = ipc_memfd_sealed("body", body, sizeof(body) - 1, err,
	    sizeof(err));
	CU_ASSERT_FATAL(fd != -1);
	ipc_create(&a, T_A, 1);
	CU_ASSERT(ipc_add_fd(&a, fd) == 0);
	send_all(&a);
	/* Sent: the sender's copy is closed, the receiver holds its own. */
	CU_ASSERT(is_closed(fd));

	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT_FATAL(ipc_get_fd(&m, &got) == 0);
	CU_ASSERT(ipc_end(&m) == 0);
	CU_ASSERT((fcntl(got, F_GETFD) & FD_CLOEXEC) != 0);
	n = read(got, buf, sizeof(buf));
	CU_ASSERT(n == (ssize_t)sizeof(body) - 1 &&
	    memcmp(buf, body, sizeof(body) - 1) == 0);
	CU_ASSERT((fcntl(got, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CU_ASSERT(write(got, "x", 1) == -1);
	seals = fcntl(got, F_GET_SEALS);
	CU_ASSERT(seals != -1 && (seals & (F_SEAL_WRITE | F_SEAL_GROW |
	    F_SEAL_SHRINK | F_SEAL_SEAL)) == (F_SEAL_WRITE | F_SEAL_GROW |
	    F_SEAL_SHRINK | F_SEAL_SEAL));
	CU_ASSERT(ftruncate(got, 0) == -1);
	/* Even reopened for writing through /proc, the seal holds. */
	(void)snprintf(buf, sizeof(buf), "/proc/self/fd/%d", got);
	fd = open(buf, O_RDWR);
	CU_ASSERT(fd == -1 || write(fd, "x", 1) == -1);
	if (fd != -1)
		(void)close(fd);
	(void)close(got);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_readonly_file(void)
{
	struct ipc_chan	 a, b;
	char		 path[] = "/tmp/ipc-test.XXXXXX", buf[16];
	int		 w, fd, got;

	chan_pair(&a, &b);
	CU_ASSERT_FATAL((w = mkstemp(path)) != -1);
	CU_ASSERT(write(w, "spool file", 10) == 10);
	(void)close(w);
	CU_ASSERT_FATAL((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1);
	(void)unlink(path);
	ipc_create(&a, T_A, 9);
	CU_ASSERT(ipc_add_u32(&a, 1) == 0);
	CU_ASSERT(ipc_add_fd(&a, fd) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_fd(&m, &got) == -1);	/* a u32 comes first */
	CU_ASSERT(err_has(m.err, "expected descriptor, found u32"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);

	/* Again, read in the right order. */
	chan_pair(&a, &b);
	CU_ASSERT_FATAL((fd = open("/proc/self/exe", O_RDONLY)) != -1);
	ipc_create(&a, T_A, 9);
	CU_ASSERT(ipc_add_fd(&a, fd) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT_FATAL(ipc_get_fd(&m, &got) == 0);
	CU_ASSERT(ipc_end(&m) == 0);
	CU_ASSERT((fcntl(got, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CU_ASSERT(read(got, buf, 4) == 4 && memcmp(buf, "\177ELF", 4) == 0);
	(void)close(got);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_wrong_field(void)
{
	struct ipc_chan	a, b;
	uint64_t	v;
	const char	*s;

	chan_pair(&a, &b);
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_u32(&a, 5) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_u64(&m, &v) == -1);
	CU_ASSERT(err_has(m.err, "message type 7 at payload offset 0: "
	    "expected u64, found u32"));

	/* A frame with nothing in it: each getter says it ends. */
	ipc_create(&a, T_A, 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_string(&m, &s) == -1);
	CU_ASSERT(err_has(m.err, "expected string, message ends"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_check_type(void)
{
	struct ipc_chan	a, b;

	chan_pair(&a, &b);
	ipc_create(&a, T_B, 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_check_type(&m, T_A) == -1);
	CU_ASSERT(err_has(m.err, "message type 8 at payload offset 0: "
	    "expected message type 7"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_short_frames(void)
{
	struct ipc_chan	a, b;
	uint8_t		p[16];

	chan_pair(&a, &b);
	/* Shorter than a header. */
	CU_ASSERT(send(a.fd, "0123456789", 10, 0) == 10);
	CU_ASSERT(recv_refused(&b, "a: frame refused: frame of 10 bytes is "
	    "shorter than its header"));
	/* Header promises more payload than came. */
	memset(p, 0, sizeof(p));
	raw_send(a.fd, T_A, 10, 1, 0, p, 5, NULL, 0);
	CU_ASSERT(recv_refused(&b, "header says 10 payload bytes, frame has "
	    "5"));
	/* ... or less. */
	raw_send(a.fd, T_A, 2, 1, 0, p, 5, NULL, 0);
	CU_ASSERT(recv_refused(&b, "header says 2 payload bytes, frame has 5"));
	/* Type 0 is reserved, so a zeroed header is never a frame. */
	raw_send(a.fd, 0, 0, 0, 0, NULL, 0, NULL, 0);
	CU_ASSERT(recv_refused(&b, "type 0"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_oversized_frame(void)
{
	static uint8_t	big[IPC_MAX_PAYLOAD + 100];
	struct ipc_chan	 a, b;
	const void	*d;
	size_t		 dn;
	int		 sz = 4 * IPC_MAX_FRAME;

	chan_pair(&a, &b);
	CU_ASSERT(setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)) == 0);
	raw_send(a.fd, T_A, sizeof(big), 1, 0, big, sizeof(big), NULL, 0);
	CU_ASSERT(recv_refused(&b, "larger than IPC_MAX_FRAME"));
	/* The channel is still in step: the next frame reads fine. */
	ipc_create(&a, T_A, 3);
	send_all(&a);
	CU_ASSERT(ipc_recv(&b, &m) == 1 && m.id == 3);
	CU_ASSERT(ipc_end(&m) == 0);

	/* The builder refuses to make one. */
	ipc_create(&a, T_A, 4);
	CU_ASSERT(ipc_add_data(&a, big, IPC_MAX_PAYLOAD) == -1);
	CU_ASSERT(ipc_add_u32(&a, 1) == -1);
	CU_ASSERT(ipc_close(&a) == -1);
	CU_ASSERT(err_has(a.err, "b: message type 7: frame would exceed "
	    "IPC_MAX_FRAME"));
	/* The largest that fits does go through. */
	ipc_create(&a, T_A, 5);
	CU_ASSERT(ipc_add_data(&a, big, IPC_MAX_PAYLOAD - 5) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == 0 &&
	    dn == IPC_MAX_PAYLOAD - 5);
	CU_ASSERT(ipc_end(&m) == 0);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_truncated_fields(void)
{
	struct ipc_chan	 a, b;
	uint8_t		 p[16];
	uint64_t	 v;
	uint32_t	 n;
	const void	*d;
	size_t		 dn;

	chan_pair(&a, &b);
	p[0] = IPC_F_U64;
	memset(p + 1, 0, 4);
	raw_frame(a.fd, T_A, p, 5);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_u64(&m, &v) == -1);
	CU_ASSERT(err_has(m.err, "u64 truncated: 4 of 8 bytes"));

	p[0] = IPC_F_DATA;
	n = 100;
	memcpy(p + 1, &n, 4);
	memcpy(p + 5, "abc", 3);
	raw_frame(a.fd, T_A, p, 8);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == -1);
	CU_ASSERT(err_has(m.err, "offset 0: data of 100 bytes, 3 remain"));

	/* A count cut in half. */
	raw_frame(a.fd, T_A, p, 3);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == -1);
	CU_ASSERT(err_has(m.err, "data truncated: 2 of 4 bytes"));

	/* An unknown tag. */
	p[0] = 0x42;
	raw_frame(a.fd, T_A, p, 1);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data(&m, &d, &dn) == -1);
	CU_ASSERT(err_has(m.err, "expected data, found unknown field "
	    "(tag 66)"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_strings(void)
{
	struct ipc_chan	 a, b;
	uint8_t		 p[16];
	uint32_t	 n;
	const char	*s;
	char		 exact[4];

	chan_pair(&a, &b);
	p[0] = IPC_F_STRING;
	n = 5;
	memcpy(p + 1, &n, 4);
	memcpy(p + 5, "ab\0c", 5);
	raw_frame(a.fd, T_A, p, 10);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_string(&m, &s) == -1);
	CU_ASSERT(err_has(m.err, "string with NUL at 2 of 4"));

	memcpy(p + 5, "abcde", 5);
	raw_frame(a.fd, T_A, p, 10);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_string(&m, &s) == -1);
	CU_ASSERT(err_has(m.err, "string not NUL-terminated"));

	n = 0;
	memcpy(p + 1, &n, 4);
	raw_frame(a.fd, T_A, p, 5);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_string(&m, &s) == -1);
	CU_ASSERT(err_has(m.err, "string not NUL-terminated"));

	/* A digest of the wrong size. */
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_data(&a, "abc", 3) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data_exact(&m, exact, sizeof(exact)) == -1);
	CU_ASSERT(err_has(m.err, "data of 3 bytes, expected exactly 4"));
	/* A string is not data, even with the same bytes. */
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_string(&a, "abc") == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_data_exact(&m, exact, sizeof(exact)) == -1);
	CU_ASSERT(err_has(m.err, "expected data, found string"));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_leftovers(void)
{
	struct ipc_chan	a, b;
	uint32_t	v;
	int		p[2], got, other;

	chan_pair(&a, &b);
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_u32(&a, 1) == 0);
	CU_ASSERT(ipc_add_u32(&a, 2) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_get_u32(&m, &v) == 0 && v == 1);
	CU_ASSERT(ipc_end(&m) == -1);
	CU_ASSERT(err_has(m.err, "offset 5: 5 bytes left over"));

	/* Two descriptors sent, one taken: the other is closed by end. */
	CU_ASSERT_FATAL(pipe(p) == 0);
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_fd(&a, p[0]) == 0);
	CU_ASSERT(ipc_add_fd(&a, p[1]) == 0);
	send_all(&a);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT_FATAL(m.nfds == 2);
	other = m.fds[1];
	CU_ASSERT(ipc_get_fd(&m, &got) == 0);
	CU_ASSERT(ipc_end(&m) == -1);	/* the second descriptor's tag */
	CU_ASSERT(err_has(m.err, "offset 1: 1 bytes left over"));
	CU_ASSERT(is_closed(other));
	CU_ASSERT(!is_closed(got));
	(void)close(got);

	/* A failing getter closes what the message still holds. */
	CU_ASSERT_FATAL(pipe(p) == 0);
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_u32(&a, 1) == 0);
	CU_ASSERT(ipc_add_fd(&a, p[0]) == 0);
	send_all(&a);
	(void)close(p[1]);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	other = m.fds[0];
	CU_ASSERT(ipc_get_fd(&m, &got) == -1);
	CU_ASSERT(is_closed(other));
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_unexpected_fds(void)
{
	struct ipc_chan	a, b;
	int		p[2], fds[IPC_MAX_FDS + 1], before, i;

	chan_pair(&a, &b);
	CU_ASSERT_FATAL(pipe(p) == 0);
	before = count_fds();
	/* Descriptors the header does not announce. */
	raw_send(a.fd, T_A, 0, 0, 0, NULL, 0, p, 2);
	CU_ASSERT(recv_refused(&b, "header says 0 descriptors, frame has 2"));
	CU_ASSERT(count_fds() == before);
	/* Announced, but fewer came. */
	raw_send(a.fd, T_A, 0, 0, 2, NULL, 0, p, 1);
	CU_ASSERT(recv_refused(&b, "header says 2 descriptors, frame has 1"));
	CU_ASSERT(count_fds() == before);
	/* Too many, header consistent. */
	for (i = 0; i < IPC_MAX_FDS + 1; i++)
		fds[i] = p[i % 2];
	raw_send(a.fd, T_A, 0, 0, IPC_MAX_FDS + 1, NULL, 0, fds,
	    IPC_MAX_FDS + 1);
	CU_ASSERT(recv_refused(&b, "more than IPC_MAX_FDS descriptors"));
	CU_ASSERT(count_fds() == before);
	/* Far too many: the kernel cuts them (MSG_CTRUNC). */
	raw_send(a.fd, T_A, 0, 0, 16, NULL, 0, (int[16]){ p[0], p[1], p[0],
	    p[1], p[0], p[1], p[0], p[1], p[0], p[1], p[0], p[1], p[0], p[1],
	    p[0], p[1] }, 16);
	CU_ASSERT(recv_refused(&b, "frame refused"));
	CU_ASSERT(count_fds() == before);
	/* A frame without descriptor fields but with descriptors. */
	raw_send(a.fd, T_A, 0, 0, 1, NULL, 0, p, 1);
	CU_ASSERT_FATAL(ipc_recv(&b, &m) == 1);
	CU_ASSERT(ipc_end(&m) == -1);
	CU_ASSERT(err_has(m.err, "1 descriptors left over"));
	CU_ASSERT(count_fds() == before);

	/* The builder: a ninth descriptor is refused and closed. */
	ipc_create(&a, T_A, 0);
	for (i = 0; i < IPC_MAX_FDS; i++)
		CU_ASSERT(ipc_add_fd(&a, dup(p[0])) == 0);
	fds[0] = dup(p[0]);
	CU_ASSERT(ipc_add_fd(&a, fds[0]) == -1);
	CU_ASSERT(is_closed(fds[0]));
	CU_ASSERT(ipc_close(&a) == -1);
	CU_ASSERT(err_has(a.err, "more than IPC_MAX_FDS"));
	CU_ASSERT(count_fds() == before);
	(void)close(p[0]);
	(void)close(p[1]);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_parse_closes_fds(void)
{
	uint8_t	frame[IPC_HDR_LEN];
	int	p[2];

	CU_ASSERT_FATAL(pipe(p) == 0);
	memset(frame, 0, sizeof(frame));
	frame[0] = T_A;		/* nfds says 0, two come */
	CU_ASSERT(ipc_frame_parse(&m, frame, sizeof(frame), p, 2) == -1);
	CU_ASSERT(is_closed(p[0]) && is_closed(p[1]));

	CU_ASSERT_FATAL(pipe(p) == 0);
	frame[16] = 2;
	CU_ASSERT(ipc_frame_parse(&m, frame, sizeof(frame), p, 2) == 0);
	CU_ASSERT(!is_closed(p[0]) && !is_closed(p[1]));
	ipc_msg_free(&m);
	CU_ASSERT(is_closed(p[0]) && is_closed(p[1]));
}

static void
test_ipc_type_zero_refused(void)
{
	struct ipc_chan	a, b;
	int		p[2];

	chan_pair(&a, &b);
	CU_ASSERT_FATAL(pipe(p) == 0);
	ipc_create(&a, 0, 0);
	CU_ASSERT(ipc_add_fd(&a, p[0]) == -1);
	CU_ASSERT(is_closed(p[0]));
	CU_ASSERT(ipc_close(&a) == -1);
	CU_ASSERT(err_has(a.err, "message type 0 is reserved"));
	CU_ASSERT(ipc_queued(&a) == 0);
	/* A field outside ipc_create. */
	CU_ASSERT(ipc_add_u32(&a, 1) == -1);
	CU_ASSERT(ipc_close(&a) == -1);
	(void)close(p[1]);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

/* Frames queue while the socket is full and all arrive, in order. */
static void
test_ipc_queue_full_socket(void)
{
	static uint8_t	 chunk[4000];
	struct ipc_chan	 a, b;
	const void	*d;
	size_t		 dn;
	uint64_t	 next = 0;
	int		 sz = 4096, left, rounds = 0, r;
	const int	 total = 200;
	int		 i;

	chan_pair(&a, &b);
	CU_ASSERT(setsockopt(a.fd, SOL_SOCKET, SO_SNDBUF, &sz,
	    sizeof(sz)) == 0);
	for (i = 0; i < total; i++) {
		memset(chunk, i, sizeof(chunk));
		ipc_create(&a, T_A, (uint64_t)i);
		CU_ASSERT(ipc_add_data(&a, chunk, sizeof(chunk)) == 0);
		CU_ASSERT_FATAL(ipc_close(&a) == 0);
	}
	left = ipc_flush(&a);
	CU_ASSERT(left > 0 && left < total);	/* the socket filled up */
	CU_ASSERT((ipc_events(&a) & POLLOUT) != 0);
	while (next < (uint64_t)total && rounds++ < 10 * total) {
		while ((r = ipc_recv(&b, &m)) == 1) {
			CU_ASSERT(m.id == next);
			CU_ASSERT(ipc_get_data(&m, &d, &dn) == 0 &&
			    dn == sizeof(chunk) &&
			    ((const uint8_t *)d)[dn - 1] == (uint8_t)next);
			CU_ASSERT(ipc_end(&m) == 0);
			next++;
		}
		CU_ASSERT_FATAL(r == 0);
		CU_ASSERT_FATAL(ipc_flush(&a) >= 0);
	}
	CU_ASSERT(next == (uint64_t)total);
	CU_ASSERT(ipc_queued(&a) == 0);
	CU_ASSERT((ipc_events(&a) & POLLOUT) == 0);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_queue_limit(void)
{
	struct ipc_chan	a, b;
	int		i, p[2];

	chan_pair(&a, &b);
	for (i = 0; i < IPC_MAX_QUEUED; i++) {
		ipc_create(&a, T_A, (uint64_t)i);
		CU_ASSERT_FATAL(ipc_close(&a) == 0);
	}
	CU_ASSERT_FATAL(pipe(p) == 0);
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_add_fd(&a, p[0]) == 0);
	CU_ASSERT(ipc_close(&a) == -1);
	CU_ASSERT(err_has(a.err, "output queue full"));
	CU_ASSERT(is_closed(p[0]));
	CU_ASSERT(ipc_queued(&a) == IPC_MAX_QUEUED);
	(void)close(p[1]);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static void
test_ipc_peer_gone(void)
{
	struct ipc_chan	a, b;

	chan_pair(&a, &b);
	ipc_chan_free(&b);
	CU_ASSERT(ipc_recv(&a, &m) == -1);
	CU_ASSERT(a.eof == 1);
	CU_ASSERT(err_has(a.err, "b closed the channel"));
	/* Sending to a dead peer is an error, not a SIGPIPE. */
	ipc_create(&a, T_A, 0);
	CU_ASSERT(ipc_close(&a) == 0);
	CU_ASSERT(ipc_flush(&a) == -1);
	CU_ASSERT(err_has(a.err, "sendmsg"));
	ipc_chan_free(&a);
}

/*
 * The peer sends its last frame and closes with one of ours unread: the
 * kernel reports the reset first; the frame still arrives, then the end.
 */
static void
test_ipc_peer_reset(void)
{
	struct ipc_chan	a, b;
	uint32_t	v;

	chan_pair(&a, &b);
	ipc_create(&a, T_A, 1);
	CU_ASSERT_FATAL(ipc_close(&a) == 0);
	CU_ASSERT_FATAL(ipc_flush(&a) == 0);	/* never read by b */
	ipc_create(&b, T_B, 2);
	CU_ASSERT(ipc_add_u32(&b, 77) == 0);
	CU_ASSERT_FATAL(ipc_close(&b) == 0);
	CU_ASSERT_FATAL(ipc_flush(&b) == 0);
	ipc_chan_free(&b);
	CU_ASSERT_FATAL(ipc_recv(&a, &m) == 1);
	CU_ASSERT(m.id == 2 && ipc_get_u32(&m, &v) == 0 && v == 77 &&
	    ipc_end(&m) == 0);
	CU_ASSERT(ipc_recv(&a, &m) == -1);
	CU_ASSERT(a.eof == 1);
	CU_ASSERT(err_has(a.err, "b closed the channel"));
	ipc_chan_free(&a);
}

static void
test_ipc_wait(void)
{
	struct ipc_chan	a, b;
	uint32_t	v;

	chan_pair(&a, &b);
	ipc_create(&a, T_A, 11);
	CU_ASSERT(ipc_add_u32(&a, 12) == 0);
	CU_ASSERT(ipc_close(&a) == 0);
	CU_ASSERT(ipc_flush_wait(&a) == 0);
	CU_ASSERT_FATAL(ipc_recv_wait(&b, &m) == 1);
	CU_ASSERT(m.id == 11 && ipc_get_u32(&m, &v) == 0 && v == 12 &&
	    ipc_end(&m) == 0);
	ipc_chan_free(&a);
	ipc_chan_free(&b);
}

static const struct unit_test tests[] = {
	{ "round trip of every field type", test_ipc_round_trip },
	{ "sealed memfd passes read-only", test_ipc_sealed_memfd },
	{ "read-only file passes read-only", test_ipc_readonly_file },
	{ "wrong field type refused", test_ipc_wrong_field },
	{ "wrong message type refused", test_ipc_check_type },
	{ "short and inconsistent frames refused", test_ipc_short_frames },
	{ "oversized frames refused", test_ipc_oversized_frame },
	{ "truncated fields refused", test_ipc_truncated_fields },
	{ "strings and exact sizes checked", test_ipc_strings },
	{ "leftover bytes and descriptors refused", test_ipc_leftovers },
	{ "unexpected descriptors closed", test_ipc_unexpected_fds },
	{ "parse closes descriptors of a bad frame",
	    test_ipc_parse_closes_fds },
	{ "type 0 and stray fields refused", test_ipc_type_zero_refused },
	{ "queueing under a full socket buffer", test_ipc_queue_full_socket },
	{ "output queue bounded", test_ipc_queue_limit },
	{ "peer gone: end of file, EPIPE", test_ipc_peer_gone },
	{ "peer gone with frames unread: its last frame, then the end",
	    test_ipc_peer_reset },
	{ "blocking helpers", test_ipc_wait },
	{ NULL, NULL }
};

UNIT_SUITE(ipc, "ipc", tests);
