/*
 * proc.h - starting a role program, and the role's check of what it got.
 *
 * The supervisor starts every role the same way (OpenSMTPD's fork and
 * re-exec): a fresh image, so nothing of the parent's memory (keys,
 * policy, other roles' state) is inherited, and so each role's address
 * space layout is its own.  The child gets exactly:
 *
 *	fd 0	/dev/null
 *	fd 1, 2	the parent's standard output and error (the supervisor
 *		collects roles' logs there); /dev/null where the parent has
 *		none
 *	fd 3	its channel (PROC_CHANNEL_FD), one end of an ipc_socketpair()
 *	fd 4	for a role that records events: its channel to the audit
 *		role (PROC_AUDIT_FD), another ipc_socketpair() end
 *
 * and nothing else: every other descriptor is closed (close_range(), or a
 * loop up to RLIMIT_NOFILE on kernels without it), whatever its
 * close-on-exec flag.  The child gets SIGTERM when the parent dies
 * (PR_SET_PDEATHSIG).  The environment is empty: a role takes its
 * configuration from its arguments and its channel, never from variables an
 * operator's shell happened to export.  Signal dispositions and the mask
 * are reset to the defaults.
 *
 * An exec that fails is reported to proc_exec()'s caller (through a
 * close-on-exec pipe), not discovered later as a child that exited 127.
 */
#ifndef MMGUARD_PROC_H
#define MMGUARD_PROC_H

#include <sys/types.h>

#include <signal.h>

#include <stddef.h>

#define PROC_CHANNEL_FD	3
#define PROC_AUDIT_FD	4

/*
 * Fork and exec path with argv (argv[0] included, NULL-terminated); chan
 * becomes the child's fd 3.  The parent keeps its own copy of chan (close
 * it once the child runs).  Returns the child's pid, or -1 with a reason
 * (fork failed, or exec failed: the child has then been reaped).
 */
pid_t	proc_exec(const char *path, char *const argv[], int chan,
	    char *err, size_t errsz);
/* The same, and audit (if not -1) becomes the child's fd 4. */
pid_t	proc_exec_audit(const char *path, char *const argv[], int chan,
	    int audit, char *err, size_t errsz);

/*
 * In the role, first thing: fd 3 is an AF_UNIX SOCK_SEQPACKET socket.  -1
 * with a reason otherwise (the program was not started by the supervisor).
 */
int	proc_check_channel(char *err, size_t errsz);
/* The same check of any descriptor (fd 4, the audit channel). */
int	proc_check_socket(int fd, char *err, size_t errsz);

/*
 * SIGTERM and SIGINT (the supervisor stopping a role, or an operator's
 * interrupt) set proc_stopping instead of killing the process: a role
 * whose loop checks it finishes what must be finished (written, sealed,
 * committed) and exits.  Install before the sandbox.
 */
extern volatile sig_atomic_t proc_stopping;
void	proc_catch_stop(void);

#endif
