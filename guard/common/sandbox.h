/*
 * sandbox.h - one call that confines a role process for the rest of its life.
 *
 *	sandbox_enter(&sandbox_compute, &(struct sandbox_args){
 *	    .user = "_mmdecode", .sock = -1 });
 *
 * A role opens what it needs (its channel is already on fd 3; trust
 * anchors, the spool directory, its socket), then calls sandbox_enter()
 * once.  Privilege dropping cannot be undone, so any step that fails
 * aborts the process (after one line on stderr saying which step): a role
 * never runs half-confined.  The steps, in order:
 *
 *  1. Arguments: the profile's socket and directory descriptors exist and
 *     are a socket and directories; as root, the user exists and is not
 *     root (its uid and gid are looked up now, while files can be read).
 *  2. Namespaces: a new network namespace (no interface but a down
 *     loopback) and a new IPC namespace.  Descriptors opened before - the
 *     channel, a role's UDP socket - keep working; nothing new can reach a
 *     network.  As root this is mandatory.  Started as non-root (a
 *     developer's demo) the namespaces come with a user namespace mapping
 *     the caller's own uid and gid; where the host forbids unprivileged
 *     user namespaces this one step is skipped with a warning, because the
 *     seccomp filter already refuses socket() and connect().
 *  3. Not dumpable, no core files (RLIMIT_CORE 0): a role's memory holds
 *     message content.
 *  4. PR_SET_NO_NEW_PRIVS (also what Landlock and seccomp require).
 *  5. Directories (spool, audit, sqlite, net_tx, net_rx): Landlock
 *     confines file access to beneath the given directory descriptors,
 *     with the profile's rights.  The seccomp rules can check that
 *     openat()'s directory argument is one of those descriptors but cannot
 *     read the path: an absolute path or ".." would escape, Landlock stops
 *     both.  sqlite opens by path (AT_FDCWD): there Landlock alone decides
 *     which files.  Needs Landlock (Linux 5.13; the appliance pins its
 *     kernel); renames between directories need its ABI 2 (5.19), on ABI 1
 *     they fail with EXDEV.
 *  6. Identity, when started as root: bounding set emptied while
 *     CAP_SETPCAP is still held, then setgroups(1, {gid}), setresgid,
 *     setresuid to the user, and verified: the ids are the user's and
 *     setresuid(0)/setresgid(0) fail.  The kernel clears the
 *     parent-death signal when the ids change: it is set again as it
 *     was (and sent at once if the parent went meanwhile), so that a
 *     role that watches no channel still ends with its supervisor.  Not
 *     root: the ids stay.
 *  7. Capabilities: every set (effective, permitted, inheritable, ambient,
 *     and the bounding set whenever CAP_SETPCAP is held: as root, or in
 *     the non-root user namespace) cleared with libcap-ng, and verified
 *     empty.
 *  8. Resource limits: RLIMIT_NOFILE and RLIMIT_AS from the profile
 *     (RLIMIT_AS not in AddressSanitizer builds, which reserve terabytes),
 *     RLIMIT_NPROC 0 (no fork, even if the filter were wrong).
 *  9. seccomp: the profile's allow-list, everything else kills the process
 *     (SCMP_ACT_KILL_PROCESS).  libseccomp builds the filter for the native
 *     architecture only and makes it begin with an architecture test, so a
 *     call through another ABI (32-bit int 0x80 on x86_64, x32 numbers) is
 *     killed too (SCMP_FLTATR_ACT_BADARCH).  The build's expected native
 *     architecture is checked before anything is loaded.
 *
 * Built with -DMMGUARD_SANDBOX_DEBUG, the filter traps instead (SCMP_ACT_TRAP)
 * and a SIGSYS handler prints "sandbox: PROFILE: forbidden syscall NAME (NR)"
 * on stderr and exits with status 159 (128 + SIGSYS), so a developer sees
 * what a role needed.  Never ship that build: a trap can be caught.
 *
 * Why libseccomp and libcap-ng (Debian libseccomp-dev, libcap-ng-dev): both
 * are the standard, maintained user-space libraries for these kernel
 * interfaces (systemd, chrony, QEMU and minijail use them), and writing BPF
 * by hand is where architecture checks and 32-bit argument comparisons go
 * wrong.  Landlock has no library in Debian 12; its three system calls are
 * used directly.
 *
 * Profiles (the exact lists and the reason for each entry are the tables in
 * sandbox.c; sandbox_profile_print() prints them):
 *	compute	decode: pure computation on handed descriptors
 *	verify	verify, policy: what OpenSSL needs once its store is loaded
 *		(the futex wake its once-only initialisations end with, which
 *		every profile has, since every role links OpenSSL)
 *	spool	qmgr, pickup, deliver: files beneath the spool directory
 *	net_tx	diode-tx: compute plus sending on its socket, never
 *		receiving on it, and files beneath its folders (read,
 *		written, synced, renamed between them; never removed)
 *	net_rx	diode-rx: compute plus receiving on its socket, never
 *		sending on it (no sendto or sendmmsg, and write, writev
 *		and sendmsg on every descriptor but the socket), and files
 *		beneath its folders as for net_tx
 *	audit	compute plus creating, appending and syncing files beneath
 *		the audit directory
 *	sqlite	archive: compute plus SQLite's files beneath the store's
 *		directory, opened by path (Landlock confines the paths)
 *
 * Expectations on the code that runs inside: no new descriptors but
 * those received on a channel (and beneath the directories, for spool,
 * audit and sqlite); no threads, no fork, no exec; log to stderr (the supervisor
 * collects it), not syslog; glibc allocations, stdio on existing
 * descriptors, poll() on channels and abort() work.
 */
#ifndef MMGUARD_SANDBOX_H
#define MMGUARD_SANDBOX_H

#include <stddef.h>
#include <stdio.h>

struct sandbox_profile;		/* the tables are private to sandbox.c */

extern const struct sandbox_profile	sandbox_compute;
extern const struct sandbox_profile	sandbox_verify;
extern const struct sandbox_profile	sandbox_spool;
extern const struct sandbox_profile	sandbox_net_tx;
extern const struct sandbox_profile	sandbox_net_rx;
extern const struct sandbox_profile	sandbox_audit;
extern const struct sandbox_profile	sandbox_sqlite;

#define SANDBOX_MAX_DIRS	4

struct sandbox_args {
	/* Run as this user when started as root (required then). */
	const char	*user;
	/*
	 * net_tx, net_rx: the network socket; -1 for the other profiles.
	 * Its number must be below the profile's RLIMIT_NOFILE (32): the
	 * filter's "any descriptor but the socket" is spelt as the exact
	 * list of the others, because a "not equal" comparison would let
	 * socket + 2^32 through (the kernel drops the high bits).
	 */
	int		 sock;
	/* spool, audit, sqlite, net_tx, net_rx: directory descriptors
	 * (1..SANDBOX_MAX_DIRS). */
	const int	*dirs;
	size_t		 ndirs;
};

/* Confine the calling process; returns only when everything held. */
void	 sandbox_enter(const struct sandbox_profile *,
	    const struct sandbox_args *);

/* A profile by name ("compute", ...), NULL when there is none. */
const struct sandbox_profile *sandbox_profile_find(const char *name);
const char *sandbox_profile_name(const struct sandbox_profile *);
/* Whether the profile needs args->sock / args->dirs. */
int	 sandbox_profile_needs_sock(const struct sandbox_profile *);
int	 sandbox_profile_needs_dirs(const struct sandbox_profile *);
/* The profile's allowed system calls and their checks, one per line. */
void	 sandbox_profile_print(const struct sandbox_profile *, FILE *);

#endif
