/*
 * ipc_fuzz.c - libFuzzer harness for the IPC frame parser and readers.
 *
 * The privileged roles (supervisor, qmgr) read frames written by roles that
 * parse untrusted messages, so a frame is untrusted input.  Input layout:
 *
 *	byte 0		how many descriptors arrive with the frame (mod 10,
 *			so also more than IPC_MAX_FDS)
 *	bytes 1..8	a read plan: each byte picks the next getter (u32,
 *			u64, string, data, data_exact(32), fd) until the plan
 *			ends, then ipc_end()
 *	the rest	the frame, header included, as recvmsg() returned it
 *
 * Properties checked:
 *   1. nothing reads out of bounds or leaks (ASan, UBSan, LeakSanitizer);
 *   2. no descriptor is leaked: whatever the parser and getters do, every
 *      descriptor handed in is closed or returned to the caller;
 *   3. a frame whose plan reads it to a successful ipc_end() is rebuilt
 *      byte for byte by the builder from the values read (parser and
 *      builder agree on the format, and success means "fully understood");
 *   4. a failure always leaves a reason.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/common/ipc.h"

#define PLAN_LEN	8

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ipc_msg	m;

static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Rebuild what the plan read, then compare with the input frame. */
struct field {
	int		 kind;
	uint32_t	 u32;
	uint64_t	 u64;
	const void	*p;
	size_t		 n;
};

static void
check_rebuild(const struct field *f, size_t nf, uint32_t type, uint64_t id,
    const uint8_t *frame, size_t len)
{
	struct ipc_chan	 ch;
	int		 sv[2], r;
	size_t		 i;
	static uint8_t	 out[IPC_MAX_FRAME + 1];
	ssize_t		 n;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == -1)
		abort();
	if (ipc_chan_init(&ch, sv[0], "fuzz") == -1)
		abort();
	ipc_create(&ch, type, id);
	for (i = 0; i < nf; i++) {
		switch (f[i].kind) {
		case 0: r = ipc_add_u32(&ch, f[i].u32); break;
		case 1: r = ipc_add_u64(&ch, f[i].u64); break;
		case 2: r = ipc_add_string(&ch, f[i].p); break;
		case 3:
		case 4: r = ipc_add_data(&ch, f[i].p, f[i].n); break;
		default:
			r = ipc_add_fd(&ch, open("/dev/null", O_RDONLY));
			break;
		}
		if (r == -1)
			abort();
	}
	if (ipc_close(&ch) == -1 || ipc_flush(&ch) != 0)
		abort();
	n = recv(sv[1], out, sizeof(out), 0);
	if (n < 0 || (size_t)n != len || memcmp(out, frame, len) != 0)
		abort();
	/* The descriptors sent are in flight; closing the socket drops them. */
	ipc_chan_free(&ch);
	(void)close(sv[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int		 fds[IPC_MAX_FDS + 2], got[IPC_MAX_FDS + 2];
	struct field	 f[PLAN_LEN];
	size_t		 nfds, i, nf = 0, ngot = 0;
	const uint8_t	*plan, *frame;
	uint8_t		 exact[32];
	const char	*str;
	int		 r = 0, fd;

	if (size < 1 + PLAN_LEN)
		return 0;
	nfds = data[0] % 10;
	plan = data + 1;
	frame = data + 1 + PLAN_LEN;
	size -= 1 + PLAN_LEN;

	for (i = 0; i < nfds; i++)
		if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			abort();
	if (ipc_frame_parse(&m, frame, size, fds, nfds) == -1) {
		if (m.err[0] == '\0')
			abort();
		for (i = 0; i < nfds; i++)
			if (is_open(fds[i]))
				abort();
		return 0;
	}

	for (i = 0; i < PLAN_LEN && r == 0 && plan[i] != 0xff; i++) {
		memset(&f[nf], 0, sizeof(f[nf]));
		f[nf].kind = plan[i] % 6;
		switch (f[nf].kind) {
		case 0:
			r = ipc_get_u32(&m, &f[nf].u32);
			break;
		case 1:
			r = ipc_get_u64(&m, &f[nf].u64);
			break;
		case 2:
			r = ipc_get_string(&m, &str);
			f[nf].p = str;
			break;
		case 3:
			r = ipc_get_data(&m, &f[nf].p, &f[nf].n);
			break;
		case 4:
			r = ipc_get_data_exact(&m, exact, sizeof(exact));
			f[nf].p = exact;
			f[nf].n = sizeof(exact);
			break;
		default:
			r = ipc_get_fd(&m, &fd);
			if (r == 0)
				got[ngot++] = fd;
			break;
		}
		if (r == 0)
			nf++;
	}
	if (r == 0) {
		/* What ipc_end() must decide: everything was consumed. */
		int	full = m.pos == m.len && m.fdpos == m.nfds;

		/* Strings and data point into m, which ipc_end() wipes:
		 * rebuild first. */
		if (full)
			check_rebuild(f, nf, m.type, m.id, frame, size);
		if ((ipc_end(&m) == 0) != full)
			abort();
	}
	if (r != 0 && m.err[0] == '\0')
		abort();
	ipc_msg_free(&m);

	/* Property 2: what the reader took it closes; the rest is closed. */
	for (i = 0; i < ngot; i++) {
		if (!is_open(got[i]))
			abort();
		(void)close(got[i]);
	}
	for (i = 0; i < nfds; i++)
		if (is_open(fds[i]))
			abort();
	return 0;
}
