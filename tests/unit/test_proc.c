/*
 * test_proc.c - proc_exec() and proc_check_channel().
 *
 * The child is tests/sandbox/sandbox-probe in its "child" mode, built next
 * to the unit tests: it lists the descriptors it was started with, then
 * answers one frame (reading the descriptor the frame carries).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard/common/ipc.h"
#include "guard/common/proc.h"
#include "tests/unit/unit.h"

#define MSG_PROBE_REQ	1	/* as in sandbox-probe.c */
#define MSG_PROBE_REPLY	2

static struct ipc_msg	m;

static int
probe_path(char *out, size_t outsz)
{
	char	*slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", out, outsz - 1)) == -1)
		return -1;
	out[n] = '\0';
	if ((slash = strrchr(out, '/')) == NULL)
		return -1;
	*slash = '\0';
	if (strlen(out) + sizeof("/sandbox-probe") > outsz)
		return -1;
	memcpy(slash, "/sandbox-probe", sizeof("/sandbox-probe"));
	return 0;
}

/*
 * Start the probe as a role (with an audit channel on fd 4 when asked),
 * exchange a frame with a descriptor both ways, and check the descriptors
 * it started with.
 */
static void
child_fds(int with_audit, const char *want)
{
	static const char	 body[] = "message body";
	char			*argv[] = { (char *)"sandbox-probe",
	    (char *)"child", NULL };
	char			 path[4096], err[256], back[32];
	struct ipc_chan		 ch;
	const char		*fds;
	const void		*data;
	size_t			 dlen;
	uint32_t		 v;
	pid_t			 pid;
	int			 sv[2], av[2] = { -1, -1 }, stray, stray_cloexec;
	int			 fd, rfd, status;

	CU_ASSERT_FATAL(probe_path(path, sizeof(path)) == 0);
	CU_ASSERT_FATAL(access(path, X_OK) == 0);
	/* Descriptors the child must not see, with and without CLOEXEC. */
	CU_ASSERT_FATAL((stray = dup(1)) != -1);
	CU_ASSERT_FATAL((stray_cloexec = fcntl(1, F_DUPFD_CLOEXEC, 40)) != -1);
	CU_ASSERT_FATAL(ipc_socketpair(sv, err, sizeof(err)) == 0);
	if (with_audit)
		CU_ASSERT_FATAL(ipc_socketpair(av, err, sizeof(err)) == 0);
	pid = with_audit ? proc_exec_audit(path, argv, sv[1], av[1], err,
	    sizeof(err)) : proc_exec(path, argv, sv[1], err, sizeof(err));
	CU_ASSERT_FATAL(pid > 0);
	(void)close(sv[1]);
	if (with_audit)
		(void)close(av[1]);
	CU_ASSERT_FATAL(ipc_chan_init(&ch, sv[0], "child") == 0);

	fd = ipc_memfd_sealed("body", body, sizeof(body) - 1, err,
	    sizeof(err));
	CU_ASSERT_FATAL(fd != -1);
	ipc_create(&ch, MSG_PROBE_REQ, 5);
	CU_ASSERT(ipc_add_u32(&ch, 99) == 0);
	CU_ASSERT(ipc_add_fd(&ch, fd) == 0);
	CU_ASSERT(ipc_close(&ch) == 0);
	CU_ASSERT_FATAL(ipc_flush_wait(&ch) == 0);
	CU_ASSERT_FATAL(ipc_recv_wait(&ch, &m) == 1);
	CU_ASSERT(m.id == 5);
	CU_ASSERT(ipc_check_type(&m, MSG_PROBE_REPLY) == 0);
	CU_ASSERT(ipc_get_u32(&m, &v) == 0 && v == 100);
	CU_ASSERT(ipc_get_string(&m, &fds) == 0 && strcmp(fds, want) == 0);
	CU_ASSERT(ipc_get_data(&m, &data, &dlen) == 0 &&
	    dlen == sizeof(body) - 1 && memcmp(data, body, dlen) == 0);
	CU_ASSERT(ipc_get_fd(&m, &rfd) == 0);
	CU_ASSERT(ipc_end(&m) == 0);
	CU_ASSERT((fcntl(rfd, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CU_ASSERT(pread(rfd, back, sizeof(back), 0) ==
	    (ssize_t)sizeof(body) - 1 && memcmp(back, body, 4) == 0);
	(void)close(rfd);
	ipc_chan_free(&ch);
	CU_ASSERT(waitpid(pid, &status, 0) == pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	(void)close(stray);
	(void)close(stray_cloexec);
	if (with_audit)
		(void)close(av[0]);
}

static void
test_proc_exec_child_fds(void)
{
	child_fds(0, "0 1 2 3");
}

/* With an audit channel: the child holds it on fd 4, and nothing more. */
static void
test_proc_exec_audit_fd(void)
{
	child_fds(1, "0 1 2 3 4");
}

static void
test_proc_exec_failure(void)
{
	char	*argv[] = { (char *)"nothing", NULL };
	char	 err[256];
	int	 sv[2];

	CU_ASSERT_FATAL(ipc_socketpair(sv, err, sizeof(err)) == 0);
	CU_ASSERT(proc_exec("/nonexistent/mmguard-role", argv, sv[1], err,
	    sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "exec /nonexistent/mmguard-role: No such "
	    "file or directory") != NULL);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

/* Put fd on 3 for one call of proc_check_channel, then restore 3. */
static int
check_as_3(int fd, char *err, size_t errsz)
{
	int	saved, r;

	saved = fcntl(PROC_CHANNEL_FD, F_DUPFD_CLOEXEC, 20);
	if (fd == -1)
		(void)close(PROC_CHANNEL_FD);
	else if (dup2(fd, PROC_CHANNEL_FD) == -1)
		return -2;
	r = proc_check_channel(err, errsz);
	if (saved != -1) {
		(void)dup2(saved, PROC_CHANNEL_FD);
		(void)close(saved);
	} else
		(void)close(PROC_CHANNEL_FD);
	return r;
}

static void
test_proc_check_channel(void)
{
	char	err[256];
	int	sv[2], st[2], p[2];

	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, st) == 0);
	CU_ASSERT_FATAL(pipe(p) == 0);
	CU_ASSERT(check_as_3(sv[0], err, sizeof(err)) == 0);
	CU_ASSERT(check_as_3(st[0], err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "not an AF_UNIX SOCK_SEQPACKET") != NULL);
	CU_ASSERT(check_as_3(p[0], err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "fd 3 is not a socket") != NULL);
	CU_ASSERT(check_as_3(-1, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "not started by the supervisor") != NULL);
	(void)close(sv[0]);
	(void)close(sv[1]);
	(void)close(st[0]);
	(void)close(st[1]);
	(void)close(p[0]);
	(void)close(p[1]);
}

static const struct unit_test tests[] = {
	{ "child holds fds 0-3 only, frame with fd both ways",
	    test_proc_exec_child_fds },
	{ "with an audit channel: fds 0-4 only", test_proc_exec_audit_fd },
	{ "exec failure reported to the caller", test_proc_exec_failure },
	{ "channel check on fd 3", test_proc_check_channel },
	{ NULL, NULL }
};

UNIT_SUITE(proc, "proc", tests);
