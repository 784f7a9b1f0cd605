/*
 * sandbox-probe - enter a sandbox profile, then show what holds.
 *
 * SYNOPSIS
 *	sandbox-probe [-u user] [-d dir] PROFILE ACTION
 *	sandbox-probe list PROFILE
 *	sandbox-probe [-u user] spawn
 *	sandbox-probe [-p PROFILE] [-u user] child
 *
 * DESCRIPTION
 *	The proof of guard/common/sandbox.c, run by tests/sandbox/check.sh.
 *	It prepares what a role of PROFILE would hold (the socket of net_tx
 *	and net_rx, a directory descriptor for spool and audit, an OpenSSL
 *	key for verify), calls sandbox_enter(), then does ACTION:
 *
 *	status		print the Seccomp, NoNewPrivs, CapEff, CapBnd, Uid and
 *			Gid lines of /proc/self/status (opened before entering,
 *			read after)
 *	work		the profile's allowed work, which must succeed:
 *			compute: standard input upper-cased to standard output,
 *			through a large (mmap) allocation;  verify: SHA-256 of
 *			standard input, signed and verified with ECDSA;
 *			spool: a queue file written, synced, renamed, listed,
 *			read back and removed beneath dir, and escapes from dir
 *			refused (EACCES, Landlock);  audit: a log file appended,
 *			synced and renamed;  net_tx: a datagram sent on the
 *			socket;  net_rx: a datagram received on the socket;
 *			both: the datagram kept in a file beneath dir (written,
 *			synced, renamed) and an escape refused
 *	open, socket, execve, fork, mmap-exec
 *			a forbidden call: the probe must die of SIGSYS
 *	sock-read	net_tx: read from the socket (forbidden)
 *	sock-write	net_rx: write to the socket (forbidden)
 *	sock-read-hi, sock-write-hi
 *			the same through a raw system call whose descriptor
 *			argument has bit 32 set (the kernel ignores it)
 *	unlink		audit: unlinkat beneath the directory (forbidden)
 *	x32		x86_64: getpid through the x32 ABI (killed as a bad
 *			architecture, in the debug build too)
 *
 *	list prints the profile's allowed system calls.  spawn starts this
 *	program again with proc_exec() as "child" under the compute
 *	profile, hands it a sealed memfd in a frame, and prints what the
 *	child reports: the descriptors it was started with and the bytes it
 *	read; child is that other end (and what the unit tests start,
 *	without -p).
 *
 *	Started as root, the probe becomes user (default nobody).
 *
 * EXIT STATUS
 *	0 when the action did what it should; killed by SIGSYS for a
 *	forbidden call (or 159 from the debug build, which names the call on
 *	standard error); 3 when a forbidden call returned; 1 on other errors,
 *	2 on usage errors.
 *
 * SECURITY
 *	A test program, not installed.  It only confines itself.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "guard/common/ipc.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/sandbox.h"

#define MSG_PROBE_REQ	1
#define MSG_PROBE_REPLY	2

#define INPUT_MAX	(1 << 20)

static void __attribute__((noreturn))
usage(int full)
{
	FILE	*f = full ? stdout : stderr;

	fprintf(f, "usage: sandbox-probe [-u user] [-d dir] PROFILE ACTION\n"
	    "       sandbox-probe list PROFILE\n"
	    "       sandbox-probe [-u user] spawn\n"
	    "       sandbox-probe [-p PROFILE] [-u user] child\n");
	if (full)
		fprintf(f, "\n"
		    "PROFILE  compute verify spool net_tx net_rx audit\n"
		    "ACTION   status      /proc/self/status fields after "
		    "entering\n"
		    "         work        the profile's allowed work\n"
		    "         open socket execve fork mmap-exec\n"
		    "                     forbidden calls (die of SIGSYS)\n"
		    "         sock-read   net_tx: read the socket (forbidden)\n"
		    "         sock-write  net_rx: write the socket "
		    "(forbidden)\n"
		    "         sock-read-hi, sock-write-hi\n"
		    "                     the same with bit 32 set in the "
		    "descriptor\n"
		    "         unlink      audit: unlinkat (forbidden)\n"
		    "         x32         x86_64: getpid via the x32 ABI "
		    "(killed)\n"
		    "-u user  run as user when started as root (default "
		    "nobody)\n"
		    "-d dir   the directory of spool and audit\n"
		    "-p PROF  child: enter PROF before talking\n"
		    "\nExit: 0 done, SIGSYS for a forbidden call (159 in the "
		    "debug build),\n3 a forbidden call returned, 1 error, 2 "
		    "usage.\n");
	exit(full ? 0 : 2);
}

/* Everything on standard input, at most INPUT_MAX bytes. */
static char *
read_input(int fd, size_t *len)
{
	char	*p;
	size_t	 n = 0;
	ssize_t	 r;

	/* Large enough that malloc takes it from mmap, not brk. */
	if ((p = malloc(INPUT_MAX)) == NULL)
		fatal("malloc");
	for (;;) {
		r = read(fd, p + n, INPUT_MAX - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			fatal("read");
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == INPUT_MAX)
			fatalx("input larger than %d bytes", INPUT_MAX);
	}
	*len = n;
	return p;
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 r;

	while (n > 0) {
		if ((r = write(fd, c, n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			fatal("write");
		c += r;
		n -= (size_t)r;
	}
}

static void
print_status(int fd)
{
	static const char *const	 keys[] = { "Seccomp:", "NoNewPrivs:",
	    "CapEff:", "CapBnd:", "Uid:", "Gid:", NULL };
	char				*text, *line, *save;
	size_t				 len, i;

	text = read_input(fd, &len);
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		for (i = 0; keys[i] != NULL; i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0)
				printf("%s\n", line);
	free(text);
}

static void __attribute__((noreturn))
returned(const char *what, long r)
{
	fprintf(stderr, "sandbox-probe: %s returned %ld (%s)\n", what, r,
	    strerror(errno));
	exit(3);
}

/* ------------------------------------------------------------------ */
/* Allowed work, per profile */

static void
work_compute(void)
{
	char	*in;
	size_t	 len, i;

	in = read_input(STDIN_FILENO, &len);
	for (i = 0; i < len; i++)
		in[i] = (char)toupper((unsigned char)in[i]);
	write_all(STDOUT_FILENO, in, len);
	free(in);
}

struct verify_key {
	EVP_PKEY	*key;
	EVP_MD		*md;
};

/* Before the sandbox: configuration read, algorithms fetched, key made. */
static void
verify_prepare(struct verify_key *vk)
{
	if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
	    (vk->md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (vk->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL)
		fatalx("OpenSSL set-up failed");
}

static void
work_verify(struct verify_key *vk)
{
	unsigned char	 dig[EVP_MAX_MD_SIZE], sig[256];
	unsigned int	 dlen;
	size_t		 slen = sizeof(sig), len, i;
	EVP_MD_CTX	*ctx;
	char		*in;

	in = read_input(STDIN_FILENO, &len);
	if (EVP_Digest(in, len, dig, &dlen, vk->md, NULL) != 1)
		fatalx("digest failed");
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, vk->md, NULL, vk->key) != 1 ||
	    EVP_DigestSign(ctx, sig, &slen, (unsigned char *)in, len) != 1)
		fatalx("sign failed");
	EVP_MD_CTX_free(ctx);
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(ctx, NULL, vk->md, NULL, vk->key) != 1 ||
	    EVP_DigestVerify(ctx, sig, slen, (unsigned char *)in, len) != 1)
		fatalx("verify failed");
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < dlen; i++)
		printf("%02x", dig[i]);
	printf("\nsignature verified\n");
	free(in);
}

static void
escape_refused(int dir, const char *path)
{
	int	fd;

	if ((fd = openat(dir, path, O_RDONLY | O_CLOEXEC)) != -1)
		returned(path, fd);
	printf("escape %s refused: %s\n", path, strerror(errno));
}

static void
work_spool(int dir)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		*in, back[64];
	size_t		 len;
	ssize_t		 n;
	int		 fd, qd;

	in = read_input(STDIN_FILENO, &len);
	if (mkdirat(dir, "queue", 0700) == -1)
		fatal("mkdirat queue");
	if ((fd = openat(dir, "incoming.tmp", O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) == -1)
		fatal("openat incoming.tmp");
	write_all(fd, in, len);
	if (fsync(fd) == -1 || close(fd) == -1)
		fatal("fsync incoming.tmp");
	if (renameat(dir, "incoming.tmp", dir, "queue/msg1") == -1)
		fatal("renameat");
	if (fsync(dir) == -1)
		fatal("fsync dir");
	if (fstatat(dir, "queue/msg1", &st, 0) == -1)
		fatal("fstatat");
	printf("queued %lld bytes\n", (long long)st.st_size);
	if ((qd = openat(dir, "queue", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (d = fdopendir(qd)) == NULL)
		fatal("open queue");
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			printf("listed %s\n", de->d_name);
	(void)closedir(d);
	if ((fd = openat(dir, "queue/msg1", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (n = read(fd, back, sizeof(back) - 1)) == -1)
		fatal("read back");
	back[n] = '\0';
	printf("read back %s", back);
	(void)close(fd);
	if (unlinkat(dir, "queue/msg1", 0) == -1 ||
	    unlinkat(dir, "queue", AT_REMOVEDIR) == -1)
		fatal("unlinkat");
	escape_refused(dir, "/etc/passwd");
	escape_refused(dir, "..");
	free(in);
}

static void
work_audit(int dir)
{
	static const char	rec[] = "record 1\n";
	int			fd;

	if ((fd = openat(dir, "audit.tmp", O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0600)) == -1)
		fatal("openat audit.tmp");
	write_all(fd, rec, sizeof(rec) - 1);
	if (fdatasync(fd) == -1 || close(fd) == -1)
		fatal("fdatasync");
	if (renameat(dir, "audit.tmp", dir, "audit.log") == -1 ||
	    fsync(dir) == -1)
		fatal("renameat");
	printf("audit record written\n");
	escape_refused(dir, "/etc/passwd");
}

static void
work_net(const char *prof, int sock, int other, int dir)
{
	static const char	dg[] = "one-way datagram";
	char			buf[64];
	ssize_t			n;
	int			fd;

	if (strcmp(prof, "net_tx") == 0) {
		if ((n = sendto(sock, dg, sizeof(dg) - 1, 0, NULL, 0)) == -1)
			fatal("sendto");
		if ((n = read(other, buf, sizeof(buf) - 1)) == -1)
			fatal("read peer");
	} else {
		if (write(other, dg, sizeof(dg) - 1) == -1)
			fatal("write peer");
		if ((n = recvfrom(sock, buf, sizeof(buf) - 1, 0, NULL,
		    NULL)) == -1)
			fatal("recvfrom");
	}
	buf[n] = '\0';
	printf("%s: %s\n", prof, buf);
	/* What diode-tx and diode-rx do with their folders. */
	if ((fd = openat(dir, "datagram.tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600)) == -1)
		fatal("openat datagram.tmp");
	write_all(fd, buf, (size_t)n);
	if (fsync(fd) == -1 || close(fd) == -1 ||
	    renameat(dir, "datagram.tmp", dir, "datagram") == -1 ||
	    syncfs(dir) == -1 || fsync(dir) == -1)
		fatal("datagram file");
	printf("kept in a file beneath the folder\n");
	escape_refused(dir, "/etc/passwd");
}

/* Two UDP sockets on loopback: sock and its peer, connected as a role's
 * socket would be (tx: sock sends to peer; rx: peer sends to sock). */
static void
net_prepare(int *sock, int *other)
{
	struct sockaddr_in	a, b;
	socklen_t		len = sizeof(a);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	b = a;
	if ((*sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    (*other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(*sock, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    bind(*other, (struct sockaddr *)&b, sizeof(b)) == -1 ||
	    getsockname(*sock, (struct sockaddr *)&a, &len) == -1 ||
	    (len = sizeof(b),
	    getsockname(*other, (struct sockaddr *)&b, &len)) == -1 ||
	    connect(*sock, (struct sockaddr *)&b, sizeof(b)) == -1 ||
	    connect(*other, (struct sockaddr *)&a, sizeof(a)) == -1)
		fatal("loopback sockets");
}

/* ------------------------------------------------------------------ */

static void
forbidden(const char *action, const char *prof, int sock, int dir)
{
	char	*const argv[] = { (char *)"true", NULL };
	long	 r;
	void	*p;

	fprintf(stderr, "sandbox-probe: %s: attempting %s\n", prof, action);
	fflush(stderr);
	if (strcmp(action, "open") == 0)
		r = open("/etc/hostname", O_RDONLY);
	else if (strcmp(action, "socket") == 0)
		r = socket(AF_INET, SOCK_DGRAM, 0);
	else if (strcmp(action, "execve") == 0)
		r = execve("/bin/true", argv, argv + 1);
	else if (strcmp(action, "fork") == 0)
		r = fork();
	else if (strcmp(action, "mmap-exec") == 0) {
		p = mmap(NULL, 4096, PROT_READ | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		r = p == MAP_FAILED ? -1 : 0;
	} else if (strcmp(action, "sock-read") == 0 && sock != -1)
		r = read(sock, &r, 1);
	else if (strcmp(action, "sock-write") == 0 && sock != -1)
		r = write(sock, "x", 1);
	/* The same with high bits the kernel drops: must not slip past. */
	else if (strcmp(action, "sock-read-hi") == 0 && sock != -1)
		r = syscall(SYS_read, (1UL << 32) | (unsigned long)sock, &r, 1);
	else if (strcmp(action, "sock-write-hi") == 0 && sock != -1)
		r = syscall(SYS_write, (1UL << 32) | (unsigned long)sock, "x",
		    1);
#if defined(__x86_64__)
	/* getpid through the x32 ABI: another architecture to seccomp. */
	else if (strcmp(action, "x32") == 0)
		r = syscall(0x40000000 | SYS_getpid);
#endif
	else if (strcmp(action, "unlink") == 0 && dir != -1)
		r = unlinkat(dir, "audit.log", 0);
	else
		usage(0);
	returned(action, r);
}

/* The descriptors this process holds, except the one listing them. */
static void
list_fds(char *out, size_t outsz)
{
	struct dirent	*de;
	DIR		*d;
	size_t		 n = 0;
	int		 r;

	out[0] = '\0';
	if ((d = opendir("/proc/self/fd")) == NULL)
		fatal("opendir /proc/self/fd");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		r = snprintf(out + n, outsz - n, "%s%s", n ? " " : "",
		    de->d_name);
		if (r < 0 || (size_t)r >= outsz - n)
			fatalx("too many descriptors");
		n += (size_t)r;
	}
	(void)closedir(d);
}

static int
do_child(const char *prof, const char *user)
{
	const struct sandbox_profile	*p = NULL;
	struct ipc_chan			 ch;
	static struct ipc_msg		 m;
	char				 fds[256], err[256], buf[256];
	uint32_t			 v;
	ssize_t				 n;
	int				 fd;

	/* What was inherited, before anything here opens a descriptor. */
	list_fds(fds, sizeof(fds));
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (prof != NULL && (p = sandbox_profile_find(prof)) == NULL)
		fatalx("no profile %s", prof);
	if (ipc_chan_init(&ch, PROC_CHANNEL_FD, "parent") == -1)
		ipc_fatal(&ch);
	if (p != NULL)
		sandbox_enter(p, &(struct sandbox_args){ .user = user,
		    .sock = -1 });
	if (ipc_recv_wait(&ch, &m) == -1)
		ipc_fatal(&ch);
	if (ipc_check_type(&m, MSG_PROBE_REQ) == -1 ||
	    ipc_get_u32(&m, &v) == -1 || ipc_get_fd(&m, &fd) == -1 ||
	    ipc_end(&m) == -1)
		ipc_msg_fatal(&m);
	if ((n = read(fd, buf, sizeof(buf))) == -1)
		fatal("read handed descriptor");
	ipc_create(&ch, MSG_PROBE_REPLY, m.id);
	(void)ipc_add_u32(&ch, v + 1);
	(void)ipc_add_string(&ch, fds);
	(void)ipc_add_data(&ch, buf, (size_t)n);
	(void)ipc_add_fd(&ch, fd);	/* back to the parent, as it came */
	if (ipc_close(&ch) == -1 || ipc_flush_wait(&ch) == -1)
		ipc_fatal(&ch);
	ipc_chan_free(&ch);
	return 0;
}

static int
do_spawn(char *user)
{
	static const char	 payload[] = "sealed message body";
	static struct ipc_msg	 m;
	struct ipc_chan		 ch;
	char			 self[4096], err[256], back[64];
	char			*argv[8];
	const char		*fds;
	const void		*data;
	size_t			 dlen;
	uint32_t		 v;
	ssize_t			 n;
	pid_t			 pid;
	int			 sv[2], fd, rfd, status, i = 0;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("readlink /proc/self/exe");
	self[n] = '\0';
	argv[i++] = (char *)"sandbox-probe";
	argv[i++] = (char *)"-p";
	argv[i++] = (char *)"compute";
	if (user != NULL) {
		argv[i++] = (char *)"-u";
		argv[i++] = user;
	}
	argv[i++] = (char *)"child";
	argv[i] = NULL;
	if (ipc_socketpair(sv, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((pid = proc_exec(self, argv, sv[1], err, sizeof(err))) == -1)
		fatalx("%s", err);
	(void)close(sv[1]);
	if (ipc_chan_init(&ch, sv[0], "child") == -1)
		ipc_fatal(&ch);
	if ((fd = ipc_memfd_sealed("probe", payload, sizeof(payload) - 1,
	    err, sizeof(err))) == -1)
		fatalx("%s", err);
	ipc_create(&ch, MSG_PROBE_REQ, 77);
	(void)ipc_add_u32(&ch, 41);
	(void)ipc_add_fd(&ch, fd);
	if (ipc_close(&ch) == -1 || ipc_flush_wait(&ch) == -1 ||
	    ipc_recv_wait(&ch, &m) == -1)
		ipc_fatal(&ch);
	if (ipc_check_type(&m, MSG_PROBE_REPLY) == -1 ||
	    ipc_get_u32(&m, &v) == -1 || ipc_get_string(&m, &fds) == -1 ||
	    ipc_get_data(&m, &data, &dlen) == -1 ||
	    ipc_get_fd(&m, &rfd) == -1)
		ipc_msg_fatal(&m);
	printf("child fds: %s\n", fds);
	printf("child reply: id %llu value %u\n", (unsigned long long)m.id,
	    v);
	printf("child read: %.*s\n", (int)dlen, (const char *)data);
	if (ipc_end(&m) == -1)
		ipc_msg_fatal(&m);
	if ((n = pread(rfd, back, sizeof(back) - 1, 0)) == -1)
		fatal("pread returned descriptor");
	back[n] = '\0';
	printf("returned descriptor: %s, reads: %s\n",
	    (fcntl(rfd, F_GETFL) & O_ACCMODE) == O_RDONLY ? "read-only" :
	    "WRITABLE", back);
	(void)close(rfd);
	ipc_chan_free(&ch);
	if (waitpid(pid, &status, 0) == -1)
		fatal("waitpid");
	printf("child status: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	const struct sandbox_profile	*p;
	struct verify_key		 vk = { NULL, NULL };
	char				*user = NULL;
	const char			*dirpath = NULL;
	const char			*cprof = NULL, *prof, *action;
	int				 c, dir = -1, sock = -1, other = -1;
	int				 status_fd;

	log_init("sandbox-probe", LOG_TO_STDERR, 0);
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		usage(1);
	while ((c = getopt(argc, argv, "d:p:u:")) != -1) {
		switch (c) {
		case 'd':
			dirpath = optarg;
			break;
		case 'p':
			cprof = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			usage(0);
		}
	}
	argc -= optind;
	argv += optind;
	if (geteuid() == 0 && user == NULL)
		user = (char *)"nobody";
	if (argc == 1 && strcmp(argv[0], "child") == 0)
		return do_child(cprof, user);
	if (argc == 1 && strcmp(argv[0], "spawn") == 0)
		return do_spawn(user);
	if (argc != 2)
		usage(0);
	if (strcmp(argv[0], "list") == 0) {
		if ((p = sandbox_profile_find(argv[1])) == NULL)
			usage(0);
		sandbox_profile_print(p, stdout);
		return 0;
	}
	prof = argv[0];
	action = argv[1];
	if ((p = sandbox_profile_find(prof)) == NULL)
		usage(0);

	if ((status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC)) ==
	    -1)
		fatal("/proc/self/status");
	if (sandbox_profile_needs_dirs(p)) {
		if (dirpath == NULL)
			usage(0);
		if ((dir = open(dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
		    -1)
			fatal("%s", dirpath);
	}
	if (sandbox_profile_needs_sock(p))
		net_prepare(&sock, &other);
	if (strcmp(prof, "verify") == 0)
		verify_prepare(&vk);
	/* Output is checked line by line: no buffering across a kill. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	sandbox_enter(p, &(struct sandbox_args){ .user = user, .sock = sock,
	    .dirs = &dir, .ndirs = dir == -1 ? 0 : 1 });

	if (strcmp(action, "status") == 0)
		print_status(status_fd);
	else if (strcmp(action, "work") != 0)
		forbidden(action, prof, sock, dir);
	else if (strcmp(prof, "compute") == 0)
		work_compute();
	else if (strcmp(prof, "verify") == 0)
		work_verify(&vk);
	else if (strcmp(prof, "spool") == 0)
		work_spool(dir);
	else if (strcmp(prof, "audit") == 0)
		work_audit(dir);
	else
		work_net(prof, sock, other, dir);
	if (fflush(stdout) == EOF)
		fatal("stdout");
	return 0;
}
