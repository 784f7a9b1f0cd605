/*
 * sandbox.c - namespaces, identity, capabilities, rlimits, Landlock and a
 * seccomp allow-list, entered once; any failure aborts (see sandbox.h).
 *
 * The allow-lists are tables in the manner of chrony's sys_linux.c: a
 * system call and the check on its arguments.  Every entry is there because
 * a role, glibc or OpenSSL was seen to need it (strace, and the debug build
 * which names what the filter trapped); the comment says who and why.
 * Filters rot when the C library changes: tests/sandbox/check.sh runs every
 * profile under its real filter, and the appliance pins its platform.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>

#include <linux/futex.h>
#include <linux/landlock.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guard/common/log.h"
#include "guard/common/sandbox.h"

/* Debian 12's kernel headers (6.1) predate ABI 3; the value is fixed. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE	(1ULL << 14)
#endif

#if defined(__x86_64__) && !defined(__ILP32__)
#define SANDBOX_NATIVE_ARCH	SCMP_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_NATIVE_ARCH	SCMP_ARCH_AARCH64
#else
#error "sandbox: no seccomp architecture known for this target"
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

/* What a rule checks of the arguments. */
enum sandbox_check {
	CHK_ANY,	/* nothing */
	CHK_FD_READ,	/* A0 is not the socket, when the profile says so
			 * (and below RLIMIT_NOFILE: see allow_not_sock) */
	CHK_FD_WRITE,	/* same, for the writing calls */
	CHK_FD_SOCK,	/* A0 is the socket */
	CHK_FD_DIR,	/* A0 is one of the directories */
	CHK_RENAME_DIR,	/* A0 and A2 are directories */
	CHK_NOEXEC,	/* A2 (prot) without PROT_EXEC */
	CHK_EMPTY_PATH,	/* A3 (flags) is exactly AT_EMPTY_PATH */
	CHK_SELF,	/* A0 is our own pid */
	CHK_FCNTL_DIR,	/* A1 is F_GETFL or F_SETFD */
	CHK_TCGETS,	/* A1 is TCGETS */
	CHK_FUTEX_WAKE,	/* A1 is FUTEX_WAKE_PRIVATE */
	CHK_AT_FDCWD,	/* A0 is AT_FDCWD: a path, which Landlock confines */
	CHK_FCNTL_LOCK,	/* A1 is a record lock command, F_GETFL or F_SETFD */
};

struct sandbox_rule {
	const char		*name;
	int			 nr;	/* negative: not on this architecture */
	enum sandbox_check	 check;
};

#define RULE(sys, chk)	{ #sys, SCMP_SYS(sys), chk }
#define RULES_END	{ NULL, 0, CHK_ANY }

/* Profile flags. */
#define SB_SOCK		0x01	/* needs args->sock */
#define SB_DIRS		0x02	/* needs args->dirs */
#define SB_NO_READ_SOCK	0x04	/* CHK_FD_READ excludes the socket */
#define SB_NO_WRITE_SOCK 0x08	/* CHK_FD_WRITE excludes the socket */

struct sandbox_profile {
	const char			*name;
	const struct sandbox_rule	*lists[5];	/* NULL-terminated */
	unsigned			 flags;
	uint64_t			 fs;	/* Landlock rights beneath dirs */
	rlim_t				 nofile;
	rlim_t				 as;
};

/*
 * compute: what every role needs, and all that decode and policy need.
 * The descriptors are the ones the role was handed: its channel and the
 * message descriptors received on it.
 */
static const struct sandbox_rule rules_compute[] = {
	/* I/O on handed descriptors; the channel is recvmsg/sendmsg. */
	RULE(read, CHK_FD_READ),
	RULE(readv, CHK_FD_READ),
	RULE(recvmsg, CHK_FD_READ),
	RULE(write, CHK_FD_WRITE),
	RULE(writev, CHK_FD_WRITE),
	RULE(sendmsg, CHK_FD_WRITE),
	RULE(lseek, CHK_ANY),
	/* glibc 2.33+ implements fstat() as newfstatat(fd, "", AT_EMPTY_PATH);
	 * with that flag alone the path cannot name another file unless it
	 * is not empty, and then it is stat, not open. */
	RULE(fstat, CHK_ANY),
	RULE(newfstatat, CHK_EMPTY_PATH),
	RULE(close, CHK_ANY),
	/* stdio asks isatty() (TCGETS) when it first buffers a stream on a
	 * character device: a role's stdout may be a terminal or /dev/null. */
	RULE(ioctl, CHK_TCGETS),
	/* ipc_recv_wait() and the roles' loops wait on channels (the
	 * channel is non-blocking); glibc uses ppoll where poll is absent. */
	RULE(poll, CHK_ANY),
	RULE(ppoll, CHK_ANY),
	/* Memory: malloc uses brk, and mmap/munmap/mremap for large blocks;
	 * free() gives memory back with madvise.  Never executable. */
	RULE(brk, CHK_ANY),
	RULE(mmap, CHK_NOEXEC),
	RULE(munmap, CHK_ANY),
	RULE(mremap, CHK_ANY),
	RULE(madvise, CHK_ANY),
	RULE(clock_gettime, CHK_ANY),	/* when the vDSO is not used */
	RULE(getrandom, CHK_ANY),	/* malloc's tcache, OpenSSL DRBG */
	RULE(rt_sigreturn, CHK_ANY),
	/* abort() blocks signals, then tgkill(getpid(), gettid(),
	 * SIGABRT): a failed assertion should die of SIGABRT, not look like
	 * a sandbox violation. */
	RULE(rt_sigprocmask, CHK_ANY),
	RULE(getpid, CHK_ANY),
	RULE(gettid, CHK_ANY),
	RULE(tgkill, CHK_SELF),
	RULE(exit, CHK_ANY),
	RULE(exit_group, CHK_ANY),
	RULE(restart_syscall, CHK_ANY),	/* a poll resumed after a stop */
	RULES_END
};

/*
 * verify: OpenSSL 3 after the trust store, CRLs and keys are loaded and
 * the algorithms fetched (before the filter): digests, signature checks and
 * path validation are computation; the DRBG reseeds from getrandom and
 * reads the pid to notice a fork (both in compute).  The one addition:
 * glibc's pthread_once() always ends with a futex wake of its waiters
 * (there are none, the process has one thread), and OpenSSL runs one-time
 * initialisations lazily, at the latest in its exit handler.  Waiting is
 * not allowed: a single thread never contends.  Anything that would open a
 * file (configuration, provider modules) must happen before
 * sandbox_enter().
 */
static const struct sandbox_rule rules_verify[] = {
	RULE(futex, CHK_FUTEX_WAKE),
	RULES_END
};

/*
 * spool: qmgr, pickup, deliver.  Files beneath the spool directory only:
 * every path is relative to one of the directory descriptors (A0), and
 * Landlock refuses what an absolute path or ".." would reach.
 */
static const struct sandbox_rule rules_spool[] = {
	RULE(openat, CHK_FD_DIR),
	RULE(mkdirat, CHK_FD_DIR),
	RULE(unlinkat, CHK_FD_DIR),
	RULE(newfstatat, CHK_FD_DIR),	/* does this entry exist */
	RULE(renameat, CHK_RENAME_DIR),
	RULE(renameat2, CHK_RENAME_DIR),
	RULE(linkat, CHK_RENAME_DIR),	/* qmgr: unarchived/ (spool.h) */
	RULE(getdents64, CHK_ANY),	/* listing an opened directory */
	/* fdopendir() checks the mode and sets close-on-exec. */
	RULE(fcntl, CHK_FCNTL_DIR),
	RULE(fsync, CHK_ANY),
	RULE(fdatasync, CHK_ANY),
	RULE(syncfs, CHK_FD_DIR),	/* a group commit (spool_sync) */
	RULE(ftruncate, CHK_ANY),	/* cutting a torn append off */
	RULE(pwritev, CHK_FD_WRITE),	/* an append, at the sealed end */
	RULES_END
};

/*
 * net_tx (diode-tx): sending datagrams on its socket, a batch at a time
 * (sendmmsg), and it cannot read it (CHK_FD_READ excludes the socket);
 * pacing to the link rate sleeps (glibc's nanosleep is clock_nanosleep).
 * UDP segmentation offload needs nothing more: the segment size travels
 * with each sendmmsg as a UDP_SEGMENT control message, not as a socket
 * option, and the fallback when the kernel refuses is sendmmsg again
 * (diode_send_frames).  setsockopt stays forbidden.
 */
static const struct sandbox_rule rules_net_tx[] = {
	RULE(sendto, CHK_FD_SOCK),
	RULE(sendmmsg, CHK_FD_SOCK),
	RULE(clock_nanosleep, CHK_ANY),
	RULE(nanosleep, CHK_ANY),
	RULES_END
};

/*
 * net_rx (diode-rx): receiving on its socket, a batch at a time
 * (recvmmsg).  Nothing here or in the lists it shares can send on the
 * socket: sendto and sendmmsg are not allowed at all, and write, writev
 * and sendmsg (compute's, for its files and channel) are allowed on every
 * descriptor but the socket (CHK_FD_WRITE, spelt as the exact list of the
 * others: see allow_not_sock).  The socket is also shut down for writing
 * when it is made, so a send would fail even if the filter allowed it.
 */
static const struct sandbox_rule rules_net_rx[] = {
	RULE(recvfrom, CHK_FD_SOCK),
	RULE(recvmmsg, CHK_FD_SOCK),
	RULES_END
};

/*
 * The one-way channel's folders (net_tx: the drop folder and the sent
 * folder; net_rx: the output folder and its state folder): files beneath
 * the directory descriptors only, written under a temporary name, synced
 * and renamed into place; never removed, no directories made.
 */
static const struct sandbox_rule rules_folders[] = {
	RULE(openat, CHK_FD_DIR),
	RULE(newfstatat, CHK_FD_DIR),	/* does this entry exist */
	/* faccessat(..., AT_SYMLINK_NOFOLLOW) is faccessat2 in glibc 2.36,
	 * faccessat on kernels without it. */
	RULE(faccessat, CHK_FD_DIR),
	RULE(faccessat2, CHK_FD_DIR),
	RULE(renameat, CHK_RENAME_DIR),
	RULE(renameat2, CHK_RENAME_DIR),
	RULE(getdents64, CHK_ANY),	/* listing an opened directory */
	RULE(fcntl, CHK_FCNTL_DIR),	/* fdopendir() */
	RULE(fsync, CHK_ANY),
	RULE(fdatasync, CHK_ANY),
	RULE(syncfs, CHK_FD_DIR),	/* a group commit of the folder */
	/* OpenSSL's one-time initialisations end with a futex wake (see
	 * verify): the digest and MAC of every message are computed here. */
	RULE(futex, CHK_FUTEX_WAKE),
	RULES_END
};

/* audit: create and append log files beneath its directory, sync them,
 * and rename a finished segment into place (renameat2, no replace);
 * no unlink, no mkdir, no listing. */
static const struct sandbox_rule rules_audit[] = {
	RULE(openat, CHK_FD_DIR),
	/* F_GETFL: the channels handed over are checked for O_NONBLOCK */
	RULE(fcntl, CHK_FCNTL_DIR),
	RULE(renameat, CHK_RENAME_DIR),
	RULE(renameat2, CHK_RENAME_DIR),
	RULE(fsync, CHK_ANY),
	RULE(fdatasync, CHK_ANY),
	RULES_END
};

/*
 * sqlite: the archive role, whose SQLite store cannot be reached through
 * a directory descriptor: SQLite opens the store, its write-ahead log
 * (-wal), its shared index (-shm) and the directory (to sync a file it
 * created) by path.  So paths are allowed, relative to the current
 * directory only (AT_FDCWD), and Landlock confines every one of them to
 * beneath the store's directory: an absolute path or ".." elsewhere is
 * refused by the kernel.  Found with the debug filter (see sandbox.h) on
 * a running guard (and strace): POSIX record locks (fcntl), positioned
 * reads and writes, ftruncate of the log, fdatasync (also of the
 * directory), unlink of a journal, and of the log and the index when the
 * store is closed,
 * geteuid (SQLite gives a file it creates as root to the store's owner).
 * No temporary files: the role keeps SQLite's temporary storage in memory.
 */
static const struct sandbox_rule rules_sqlite[] = {
	RULE(openat, CHK_AT_FDCWD),
	/* stat of the store's files (does the log exist), and lstat of
	 * each component of the store's path (SQLite refuses symbolic
	 * links): existence only, Landlock does not restrict it */
	RULE(newfstatat, CHK_AT_FDCWD),
	/* the journal of the transaction that creates the store, the log
	 * and the index when it is closed: glibc's unlink() is the unlink
	 * call on x86_64, unlinkat elsewhere */
	RULE(unlink, CHK_ANY),
	RULE(unlinkat, CHK_AT_FDCWD),
	RULE(fcntl, CHK_FCNTL_LOCK),
	RULE(pread64, CHK_ANY),
	RULE(pwrite64, CHK_ANY),
	RULE(ftruncate, CHK_ANY),
	RULE(fdatasync, CHK_ANY),
	RULE(geteuid, CHK_ANY),
	RULES_END
};

#define FS_SPOOL	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR | \
	LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* Renames between the two folders need REFER (Landlock ABI 2). */
#define FS_FOLDERS	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* Renaming within the directory needs MAKE_REG and REMOVE_FILE. */
#define FS_AUDIT	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG | \
	LANDLOCK_ACCESS_FS_REMOVE_FILE)

/* The store's files: read, written, made, truncated, removed; the
 * directory read (opened to be synced). */
#define FS_SQLITE	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	LANDLOCK_ACCESS_FS_TRUNCATE)

#define GIB	((rlim_t)1 << 30)

/*
 * Every profile has the futex wake of rules_verify: every role links
 * OpenSSL (the spool's digests, if nothing else), whose exit handler ends
 * its once-only initialisations with one; without it a role's exit (its
 * peer gone, a fatal error) was killed as a sandbox violation.
 */
const struct sandbox_profile sandbox_compute = {
	"compute", { rules_compute, rules_verify, NULL }, 0, 0, 32, 2 * GIB
};
const struct sandbox_profile sandbox_verify = {
	"verify", { rules_compute, rules_verify, NULL }, 0, 0, 32, 2 * GIB
};
const struct sandbox_profile sandbox_spool = {
	"spool", { rules_compute, rules_verify, rules_spool, NULL }, SB_DIRS,
	FS_SPOOL, 256, 2 * GIB
};
const struct sandbox_profile sandbox_net_tx = {
	"net_tx", { rules_compute, rules_verify, rules_net_tx, rules_folders,
	NULL }, SB_SOCK | SB_NO_READ_SOCK | SB_DIRS, FS_FOLDERS, 32, 2 * GIB
};
const struct sandbox_profile sandbox_net_rx = {
	"net_rx", { rules_compute, rules_verify, rules_net_rx, rules_folders,
	NULL }, SB_SOCK | SB_NO_WRITE_SOCK | SB_DIRS, FS_FOLDERS, 32, 2 * GIB
};
/* A channel from every process that records events: up to 128. */
const struct sandbox_profile sandbox_audit = {
	"audit", { rules_compute, rules_verify, rules_audit, NULL }, SB_DIRS,
	FS_AUDIT, 160, 2 * GIB
};

const struct sandbox_profile sandbox_sqlite = {
	"sqlite", { rules_compute, rules_verify, rules_sqlite, NULL }, SB_DIRS,
	FS_SQLITE, 64, 2 * GIB
};

static const struct sandbox_profile *const profiles[] = {
	&sandbox_compute, &sandbox_verify, &sandbox_spool, &sandbox_net_tx,
	&sandbox_net_rx, &sandbox_audit, &sandbox_sqlite, NULL
};

const struct sandbox_profile *
sandbox_profile_find(const char *name)
{
	size_t	i;

	for (i = 0; profiles[i] != NULL; i++)
		if (strcmp(profiles[i]->name, name) == 0)
			return profiles[i];
	return NULL;
}

const char *
sandbox_profile_name(const struct sandbox_profile *p)
{
	return p->name;
}

int
sandbox_profile_needs_sock(const struct sandbox_profile *p)
{
	return (p->flags & SB_SOCK) != 0;
}

int
sandbox_profile_needs_dirs(const struct sandbox_profile *p)
{
	return (p->flags & SB_DIRS) != 0;
}

static const char *
check_text(const struct sandbox_profile *p, enum sandbox_check c)
{
	switch (c) {
	case CHK_FD_READ:
		return (p->flags & SB_NO_READ_SOCK) ?
		    "fd != socket, fd < RLIMIT_NOFILE" : "";
	case CHK_FD_WRITE:
		return (p->flags & SB_NO_WRITE_SOCK) ?
		    "fd != socket, fd < RLIMIT_NOFILE" : "";
	case CHK_FD_SOCK:	return "fd == socket";
	case CHK_FD_DIR:	return "dirfd in dirs";
	case CHK_RENAME_DIR:	return "both dirfds in dirs";
	case CHK_NOEXEC:	return "prot without PROT_EXEC";
	case CHK_EMPTY_PATH:	return "flags == AT_EMPTY_PATH";
	case CHK_SELF:		return "tgid == own pid";
	case CHK_FCNTL_DIR:	return "cmd F_GETFL or F_SETFD";
	case CHK_TCGETS:	return "request == TCGETS";
	case CHK_FUTEX_WAKE:	return "op == FUTEX_WAKE_PRIVATE";
	case CHK_AT_FDCWD:	return "dirfd == AT_FDCWD (Landlock: beneath dirs)";
	case CHK_FCNTL_LOCK:	return "cmd F_GETLK, F_SETLK, F_SETLKW, F_GETFL "
				    "or F_SETFD";
	case CHK_ANY:		break;
	}
	return "";
}

void
sandbox_profile_print(const struct sandbox_profile *p, FILE *f)
{
	const struct sandbox_rule	*r;
	size_t				 i;
	const char			*t;

	for (i = 0; p->lists[i] != NULL; i++)
		for (r = p->lists[i]; r->name != NULL; r++) {
			if (r->nr < 0)
				continue;
			t = check_text(p, r->check);
			fprintf(f, "%s%s%s%s\n", r->name, *t ? " (" : "", t,
			    *t ? ")" : "");
		}
}

/* ------------------------------------------------------------------ */

static const char	*sb_name = "?";

static void sandbox_die(const char *, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* minijail's rule: a sandbox that failed half-way is worse than none,
 * because the program would believe itself confined. */
static void
sandbox_die(const char *fmt, ...)
{
	char	msg[512];
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warnx("sandbox %s: %s%s%s", sb_name, msg, saved ? ": " : "",
	    saved ? strerror(saved) : "");
	abort();
}

#ifdef MMGUARD_SANDBOX_DEBUG
/*
 * Debug builds only: name the forbidden call and exit 159.  snprintf and
 * the resolver's strdup are not async-signal-safe; the process is about to
 * exit and nothing else runs, which is good enough for a developer's tool.
 */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	char	 msg[200];
	char	*name;
	int	 n;

	(void)sig;
	(void)uc;
	name = seccomp_syscall_resolve_num_arch(si->si_arch, si->si_syscall);
	n = snprintf(msg, sizeof(msg), "sandbox: %s: forbidden syscall %s "
	    "(%d)\n", sb_name, name != NULL ? name : "unknown",
	    si->si_syscall);
	if (n > 0 && write(STDERR_FILENO, msg,
	    (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1) == -1)
		_exit(128 + SIGSYS);
	_exit(128 + SIGSYS);
}
#endif

static void
check_args(const struct sandbox_profile *p, const struct sandbox_args *a)
{
	struct stat	st;
	size_t		i;

	if ((p->flags & SB_SOCK) != 0) {
		if (a->sock < 0 || fstat(a->sock, &st) == -1 ||
		    !S_ISSOCK(st.st_mode))
			sandbox_die("the profile needs a socket descriptor");
		/* The filter names descriptors up to RLIMIT_NOFILE. */
		if ((rlim_t)a->sock >= p->nofile) {
			errno = 0;
			sandbox_die("socket descriptor %d not below the "
			    "profile's %llu descriptors", a->sock,
			    (unsigned long long)p->nofile);
		}
	}
	if ((p->flags & SB_DIRS) != 0) {
		if (a->ndirs == 0 || a->ndirs > SANDBOX_MAX_DIRS ||
		    a->dirs == NULL)
			sandbox_die("the profile needs 1 to %d directory "
			    "descriptors", SANDBOX_MAX_DIRS);
		for (i = 0; i < a->ndirs; i++)
			if (fstat(a->dirs[i], &st) == -1 ||
			    !S_ISDIR(st.st_mode))
				sandbox_die("descriptor %d is not a directory",
				    a->dirs[i]);
	}
}

static void
write_proc(const char *path, const char *text)
{
	size_t	len = strlen(text);
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		sandbox_die("open %s", path);
	if (write(fd, text, len) != (ssize_t)len)
		sandbox_die("write %s", path);
	(void)close(fd);
}

static void
enter_namespaces(int root)
{
	char	map[64];
	uid_t	uid = getuid();
	gid_t	gid = getgid();

	if (root) {
		if (unshare(CLONE_NEWNET | CLONE_NEWIPC) == -1)
			sandbox_die("unshare network and IPC namespaces");
		return;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC) == -1) {
		if (errno == EPERM || errno == EINVAL || errno == ENOSPC ||
		    errno == EUSERS || errno == EACCES) {
			log_warn("sandbox %s: no user namespace for a non-root "
			    "process, network namespace skipped", sb_name);
			errno = 0;
			return;
		}
		sandbox_die("unshare user, network and IPC namespaces");
	}
	/* Keep our own ids inside, so that logs and files look the same. */
	write_proc("/proc/self/setgroups", "deny");
	(void)snprintf(map, sizeof(map), "%u %u 1", uid, uid);
	write_proc("/proc/self/uid_map", map);
	(void)snprintf(map, sizeof(map), "%u %u 1", gid, gid);
	write_proc("/proc/self/gid_map", map);
}

static void
enter_landlock(const struct sandbox_profile *p, const struct sandbox_args *a)
{
	struct landlock_ruleset_attr		attr;
	struct landlock_path_beneath_attr	pb;
	uint64_t				handled;
	long					abi;
	size_t					i;
	int					rfd;

	if ((p->flags & SB_DIRS) == 0)
		return;
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		sandbox_die("Landlock unavailable (the spool and audit "
		    "profiles need it)");
	/* The rights this kernel knows: handle them all, grant ours. */
	handled = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	if (abi >= 2)
		handled |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		handled |= LANDLOCK_ACCESS_FS_TRUNCATE;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = handled;
	rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (rfd == -1)
		sandbox_die("landlock_create_ruleset");
	for (i = 0; i < a->ndirs; i++) {
		memset(&pb, 0, sizeof(pb));
		pb.allowed_access = p->fs & handled;
		pb.parent_fd = a->dirs[i];
		if (syscall(SYS_landlock_add_rule, rfd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
			sandbox_die("landlock_add_rule for descriptor %d",
			    a->dirs[i]);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1)
		sandbox_die("landlock_restrict_self");
	(void)close(rfd);
}

static void
enter_identity(int root, uid_t uid, gid_t gid)
{
	uid_t	ru, eu, su;
	gid_t	rg, eg, sg;
	pid_t	ppid = getppid();
	int	have_setpcap, pdeath = 0;

	capng_get_caps_process();
	have_setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	/* The bounding set first: dropping it needs CAP_SETPCAP, which the
	 * change of uid below takes away. */
	capng_clear(CAPNG_SELECT_BOTH);
	if (have_setpcap && capng_apply(CAPNG_SELECT_BOUNDS) != 0)
		sandbox_die("clear the capability bounding set");
	if (root) {
		/* The kernel forgets the parent-death signal when the ids
		 * change (proc.c sets it: a role ends with its supervisor). */
		if (prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0) == -1)
			sandbox_die("PR_GET_PDEATHSIG");
		if (setgroups(1, &gid) == -1)
			sandbox_die("setgroups");
		if (setresgid(gid, gid, gid) == -1)
			sandbox_die("setresgid %u", gid);
		if (setresuid(uid, uid, uid) == -1)
			sandbox_die("setresuid %u", uid);
		if (getresuid(&ru, &eu, &su) == -1 || ru != uid || eu != uid ||
		    su != uid || getresgid(&rg, &eg, &sg) == -1 ||
		    rg != gid || eg != gid || sg != gid)
			sandbox_die("ids not changed to %u:%u", uid, gid);
		if (setresuid(0, 0, 0) != -1 || setresgid(0, 0, 0) != -1) {
			errno = 0;
			sandbox_die("root could be regained");
		}
		/* Set again; a parent gone meanwhile sent nothing. */
		if (pdeath != 0) {
			if (prctl(PR_SET_PDEATHSIG, pdeath, 0, 0, 0) == -1)
				sandbox_die("PR_SET_PDEATHSIG");
			if (getppid() != ppid)
				(void)kill(getpid(), pdeath);
		}
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0)
		sandbox_die("clear capabilities");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1)
		sandbox_die("clear ambient capabilities");
	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE ||
	    (have_setpcap &&
	    capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE)) {
		errno = 0;
		sandbox_die("capabilities remain after clearing");
	}
	errno = 0;
}

static void
set_limit(int res, rlim_t v, const char *what)
{
	struct rlimit	rl = { v, v };

	if (setrlimit(res, &rl) == -1)
		sandbox_die("setrlimit %s", what);
}

/*
 * One comparison, spelt out: libseccomp's SCMP_A*() macros leave fields to
 * designated-initialiser defaults, which clang's warnings refuse.  All
 * comparisons here are 64-bit, so for EQ the high half must be 0: a raw
 * system call that sets high bits on an int argument (which the kernel
 * would truncate) does not match and is killed.
 */
static struct scmp_arg_cmp
cmp(unsigned int arg, enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp	c;

	memset(&c, 0, sizeof(c));
	c.arg = arg;
	c.op = op;
	c.datum_a = a;
	c.datum_b = b;
	return c;
}

static int
allow1(scmp_filter_ctx ctx, int nr, struct scmp_arg_cmp c)
{
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, 1, &c);
}

/*
 * "The descriptor is not the socket".  SCMP_CMP_NE cannot say it: it holds
 * for sock + 2^32, which the kernel truncates to sock.  And libseccomp takes
 * one comparison per argument per rule.  So: every descriptor below the
 * socket (LT is exact: high half 0, low half below), then each one above
 * it up to the profile's RLIMIT_NOFILE, which no descriptor can pass.
 */
static int
allow_not_sock(scmp_filter_ctx ctx, int nr, int sock, rlim_t nofile)
{
	rlim_t	fd;
	int	rc = 0;

	if (sock > 0)
		rc = allow1(ctx, nr, cmp(0, SCMP_CMP_LT, (uint64_t)sock, 0));
	for (fd = (rlim_t)sock + 1; fd < nofile && rc == 0; fd++)
		rc = allow1(ctx, nr, cmp(0, SCMP_CMP_EQ, fd, 0));
	return rc;
}

static const int	fcntl_lock[] = {
	F_GETLK, F_SETLK, F_SETLKW, F_GETFL, F_SETFD
};

static void
add_rule(scmp_filter_ctx ctx, const struct sandbox_profile *p,
    const struct sandbox_args *a, const struct sandbox_rule *r)
{
	struct scmp_arg_cmp	c[2];
	size_t			i, j;
	int			rc = 0;

	switch (r->check) {
	case CHK_ANY:
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 0);
		break;
	case CHK_FD_READ:
	case CHK_FD_WRITE:
		if ((r->check == CHK_FD_READ &&
		    (p->flags & SB_NO_READ_SOCK) != 0) ||
		    (r->check == CHK_FD_WRITE &&
		    (p->flags & SB_NO_WRITE_SOCK) != 0))
			rc = allow_not_sock(ctx, r->nr, a->sock, p->nofile);
		else
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->nr, 0);
		break;
	case CHK_FD_SOCK:
		rc = allow1(ctx, r->nr, cmp(0, SCMP_CMP_EQ,
		    (uint64_t)a->sock, 0));
		break;
	case CHK_FD_DIR:
		for (i = 0; i < a->ndirs && rc == 0; i++)
			rc = allow1(ctx, r->nr, cmp(0, SCMP_CMP_EQ,
			    (uint64_t)a->dirs[i], 0));
		break;
	case CHK_RENAME_DIR:
		for (i = 0; i < a->ndirs && rc == 0; i++)
			for (j = 0; j < a->ndirs && rc == 0; j++) {
				c[0] = cmp(0, SCMP_CMP_EQ,
				    (uint64_t)a->dirs[i], 0);
				c[1] = cmp(2, SCMP_CMP_EQ,
				    (uint64_t)a->dirs[j], 0);
				rc = seccomp_rule_add_array(ctx,
				    SCMP_ACT_ALLOW, r->nr, 2, c);
			}
		break;
	case CHK_NOEXEC:
		rc = allow1(ctx, r->nr, cmp(2, SCMP_CMP_MASKED_EQ, PROT_EXEC,
		    0));
		break;
	case CHK_EMPTY_PATH:
		rc = allow1(ctx, r->nr, cmp(3, SCMP_CMP_EQ, AT_EMPTY_PATH, 0));
		break;
	case CHK_SELF:
		rc = allow1(ctx, r->nr, cmp(0, SCMP_CMP_EQ,
		    (uint64_t)getpid(), 0));
		break;
	case CHK_FCNTL_DIR:
		rc = allow1(ctx, r->nr, cmp(1, SCMP_CMP_EQ, F_GETFL, 0));
		if (rc == 0)
			rc = allow1(ctx, r->nr, cmp(1, SCMP_CMP_EQ, F_SETFD,
			    0));
		break;
	case CHK_TCGETS:
		rc = allow1(ctx, r->nr, cmp(1, SCMP_CMP_EQ, TCGETS, 0));
		break;
	case CHK_FUTEX_WAKE:
		rc = allow1(ctx, r->nr, cmp(1, SCMP_CMP_EQ,
		    FUTEX_WAKE_PRIVATE, 0));
		break;
	case CHK_AT_FDCWD:
		/* The kernel reads an int: the low half.  glibc leaves the
		 * high half zero (a 32-bit move), so only the low half is
		 * compared; whatever the high half holds, it is -100. */
		rc = allow1(ctx, r->nr, cmp(0, SCMP_CMP_MASKED_EQ, 0xffffffffu,
		    (uint32_t)AT_FDCWD));
		break;
	case CHK_FCNTL_LOCK:
		for (i = 0; i < sizeof(fcntl_lock) / sizeof(fcntl_lock[0]) &&
		    rc == 0; i++)
			rc = allow1(ctx, r->nr, cmp(1, SCMP_CMP_EQ,
			    (uint64_t)fcntl_lock[i], 0));
		break;
	}
	if (rc != 0) {
		errno = -rc;
		sandbox_die("seccomp rule for %s", r->name);
	}
}

static void
enter_seccomp(const struct sandbox_profile *p, const struct sandbox_args *a)
{
	const struct sandbox_rule	*r;
	scmp_filter_ctx			 ctx;
	size_t				 i;
	int				 rc;
#ifdef MMGUARD_SANDBOX_DEBUG
	struct sigaction		 sa;
	uint32_t			 deflt = SCMP_ACT_TRAP;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		sandbox_die("sigaction SIGSYS");
#else
	uint32_t			 deflt = SCMP_ACT_KILL_PROCESS;
#endif

	if (seccomp_arch_native() != SANDBOX_NATIVE_ARCH) {
		errno = 0;
		sandbox_die("libseccomp's native architecture 0x%x is not the "
		    "one this program was built for", seccomp_arch_native());
	}
	if ((ctx = seccomp_init(deflt)) == NULL) {
		errno = 0;
		sandbox_die("seccomp_init");
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0) {
		errno = -rc;
		sandbox_die("seccomp bad architecture action");
	}
	for (i = 0; p->lists[i] != NULL; i++)
		for (r = p->lists[i]; r->name != NULL; r++)
			if (r->nr >= 0)
				add_rule(ctx, p, a, r);
	if ((rc = seccomp_load(ctx)) != 0) {
		errno = -rc;
		sandbox_die("seccomp_load");
	}
	seccomp_release(ctx);
}

static int
sandbox_int_cmp(const void *a, const void *b)
{
	const int	*x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

#ifdef MMGUARD_SANDBOX_PROBE
/*
 * The role-probe builds only (build/probe-CALL/, tests/sandbox/roles.sh):
 * with its filter on, the role makes one call no role may make.  The
 * filter kills it (SIGSYS) and the supervisor reports a sandbox violation;
 * an open that the profile allows and Landlock refuses exits 98; a role
 * that lives on says so and exits 99, which the test counts as a
 * failure.  The calls are made raw, so that no library wrapper can take
 * another path.
 */
static void
sandbox_probe(const char *call)
{
	static char *const	 argv[] = { "true", NULL };
	static char *const	 envp[] = { NULL };
	long			 r;

	if (strcmp(call, "open") == 0)
		r = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
	else if (strcmp(call, "socket") == 0)
		r = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	else
		r = syscall(SYS_execve, "/bin/true", argv, envp);
	if (r == -1 && errno == EACCES) {
		/* Allowed by the profile (the sqlite one opens files), refused
		 * by Landlock beneath the role's directories. */
		(void)fprintf(stderr, "%s: sandbox probe: %s refused by "
		    "Landlock\n", sb_name, call);
		_exit(98);
	}
	(void)fprintf(stderr, "%s: sandbox probe: %s was not refused "
	    "(returned %ld)\n", sb_name, call, r);
	_exit(99);
}
#endif

void
sandbox_enter(const struct sandbox_profile *p, const struct sandbox_args *a)
{
	struct passwd	*pw;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	int		 root = geteuid() == 0;

	/* glibc reads /etc/localtime at the first local-time conversion
	 * (log lines, strftime): now, while files can be opened. */
	tzset();
	/* glibc's qsort asks the kernel for the memory size (sysinfo) the
	 * first time it sorts more than 1 KB, and keeps the answer: ask
	 * now, before the filter would kill the role for it. */
	{
		static int	warm[512];
		size_t		i;

		for (i = 0; i < 512; i++)
			warm[i] = (int)(512 - i);
		qsort(warm, 512, sizeof(warm[0]), sandbox_int_cmp);
	}

	sb_name = p->name;
	errno = 0;
	check_args(p, a);
	if (root) {
		if (a->user == NULL)
			sandbox_die("started as root without a user to run as");
		if ((pw = getpwnam(a->user)) == NULL)
			sandbox_die("no user %s", a->user);
		if (pw->pw_uid == 0 || pw->pw_gid == 0) {
			errno = 0;
			sandbox_die("user %s has uid or gid 0", a->user);
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	/* Before dumpable is cleared: that makes /proc/self/uid_map root's. */
	enter_namespaces(root);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_die("PR_SET_DUMPABLE");
	set_limit(RLIMIT_CORE, 0, "RLIMIT_CORE");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		sandbox_die("PR_SET_NO_NEW_PRIVS");
	enter_landlock(p, a);
	enter_identity(root, uid, gid);
	set_limit(RLIMIT_NOFILE, p->nofile, "RLIMIT_NOFILE");
#ifndef SANDBOX_ASAN
	set_limit(RLIMIT_AS, p->as, "RLIMIT_AS");
#endif
	set_limit(RLIMIT_NPROC, 0, "RLIMIT_NPROC");
	enter_seccomp(p, a);
#ifdef MMGUARD_SANDBOX_PROBE
	sandbox_probe(MMGUARD_SANDBOX_PROBE);
#endif
}
