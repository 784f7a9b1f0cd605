/*
 * proc.c - fork and exec of a role with its channel on fd 3, and its audit
 * channel on fd 4 when it has one (see proc.h).
 *
 * Between fork() and execve() the child only makes async-signal-safe
 * calls: the parent may be multi-threaded some day, and a lock held by
 * another thread at fork time would never be released in the child.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guard/common/proc.h"

/* Where the child parks descriptors while it lays out 0..4. */
#define PROC_PARK_FD	10

/* Close every descriptor from lo up, except keep. */
static void
close_from(int lo, int keep)
{
	struct rlimit	rl;
	int		fd, max;

	if (close_range((unsigned)lo, (unsigned)keep - 1, 0) == 0 &&
	    close_range((unsigned)keep + 1, ~0U, 0) == 0)
		return;
	/* Kernels before 5.9: walk up to the descriptor limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur > 1 << 20)
		max = 1 << 20;
	else
		max = (int)rl.rlim_cur;
	for (fd = lo; fd < max; fd++)
		if (fd != keep)
			(void)close(fd);
}

static void __attribute__((noreturn))
child(const char *path, char *const argv[], int chan, int audit, int errfd)
{
	static char *const	 envp[] = { NULL };
	sigset_t		 all;
	int			 c, a = -1, e, null, fd, sig, saved, last;

	/* A role does not outlive its supervisor: when mmguardd dies, the
	 * kernel sends its roles SIGTERM (and a new mmguardd starts them
	 * afresh, rather than meeting orphans holding the spool and the
	 * sockets).  Kept across execve() for a non-set-id program. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
		goto fail;
	/* Park the channels and the error pipe above 0..4, so that laying
	 * out 0..4 cannot overwrite one, whatever their numbers. */
	if ((c = fcntl(chan, F_DUPFD_CLOEXEC, PROC_PARK_FD)) == -1 ||
	    (audit != -1 && (a = fcntl(audit, F_DUPFD_CLOEXEC, c + 1)) ==
	    -1) ||
	    (e = fcntl(errfd, F_DUPFD_CLOEXEC, (a != -1 ? a : c) + 1)) == -1 ||
	    (null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		goto fail;
	errfd = e;
	if (dup2(null, 0) == -1)
		goto fail;
	/* Standard output and error stay the parent's when it has them. */
	if (fcntl(1, F_GETFD) == -1 && dup2(null, 1) == -1)
		goto fail;
	if (fcntl(2, F_GETFD) == -1 && dup2(null, 2) == -1)
		goto fail;
	/* dup2 clears close-on-exec on the new descriptor. */
	if (dup2(c, PROC_CHANNEL_FD) == -1 ||
	    (a != -1 && dup2(a, PROC_AUDIT_FD) == -1))
		goto fail;
	last = a != -1 ? PROC_AUDIT_FD : PROC_CHANNEL_FD;
	for (fd = 0; fd < PROC_CHANNEL_FD; fd++)
		if (fcntl(fd, F_SETFD, 0) == -1)
			goto fail;
	close_from(last + 1, errfd);

	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	sigemptyset(&all);
	(void)sigprocmask(SIG_SETMASK, &all, NULL);

	execve(path, argv, envp);
fail:
	saved = errno;
	/* Nothing more to do if this fails: the parent sees "no word". */
	if (write(errfd, &saved, sizeof(saved)) != (ssize_t)sizeof(saved))
		_exit(126);
	_exit(127);
}

pid_t
proc_exec(const char *path, char *const argv[], int chan, char *err,
    size_t errsz)
{
	return proc_exec_audit(path, argv, chan, -1, err, errsz);
}

pid_t
proc_exec_audit(const char *path, char *const argv[], int chan, int audit,
    char *err, size_t errsz)
{
	pid_t	pid;
	int	p[2], child_errno, status;
	ssize_t	n;

	if (pipe2(p, O_CLOEXEC) == -1) {
		(void)snprintf(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		(void)snprintf(err, errsz, "fork: %s", strerror(errno));
		(void)close(p[0]);
		(void)close(p[1]);
		return -1;
	}
	if (pid == 0) {
		(void)close(p[0]);
		child(path, argv, chan, audit, p[1]);
	}
	(void)close(p[1]);
	/* End of file: execve() succeeded and closed the pipe. */
	do {
		n = read(p[0], &child_errno, sizeof(child_errno));
	} while (n == -1 && errno == EINTR);
	(void)close(p[0]);
	if (n == 0)
		return pid;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_errno))
		(void)snprintf(err, errsz, "exec %s: %s", path,
		    strerror(child_errno));
	else
		(void)snprintf(err, errsz, "exec %s: no word from the child",
		    path);
	return -1;
}

volatile sig_atomic_t	proc_stopping;

static void
on_stop(int sig)
{
	(void)sig;
	proc_stopping = 1;
}

void
proc_catch_stop(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1) {
		perror("sigaction");
		_exit(1);
	}
}

int
proc_check_channel(char *err, size_t errsz)
{
	return proc_check_socket(PROC_CHANNEL_FD, err, errsz);
}

int
proc_check_socket(int fd, char *err, size_t errsz)
{
	struct stat	st;
	int		type, domain;
	socklen_t	len;

	if (fstat(fd, &st) == -1) {
		(void)snprintf(err, errsz, "fd %d: %s (not started by the "
		    "supervisor?)", fd, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		(void)snprintf(err, errsz, "fd %d is not a socket", fd);
		return -1;
	}
	len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    len != sizeof(type)) {
		(void)snprintf(err, errsz, "fd %d: SO_TYPE: %s", fd,
		    strerror(errno));
		return -1;
	}
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1 ||
	    len != sizeof(domain)) {
		(void)snprintf(err, errsz, "fd %d: SO_DOMAIN: %s", fd,
		    strerror(errno));
		return -1;
	}
	if (domain != AF_UNIX || type != SOCK_SEQPACKET) {
		(void)snprintf(err, errsz, "fd %d is not an AF_UNIX "
		    "SOCK_SEQPACKET socket (domain %d, type %d)", fd, domain,
		    type);
		return -1;
	}
	return 0;
}
