/*
 * bench_audit.c - audit records per second with group commit, and
 * verification speed.
 *
 * The log is written under build/bench/ (the build's disk, not a tmpfs,
 * so fdatasync is real) with the writer's defaults (a checkpoint every
 * 1000 records, files of 64 MiB).  Events look like the guard's verdicts
 * (a role, a message id, two rule ids and a label, ~220 bytes a line).
 * Commits of 1, 16 and 256 events: each commit returns after fdatasync,
 * as the guard's release path requires, so batch 1 measures the disk's
 * sync latency and larger batches what group commit buys.  Then the
 * largest log is verified twice: in full (chain, every checkpoint
 * signature) and structure only (parse and chain).  Figures: records/s,
 * commits/s, MB/s, and the ratios of batch 16 and 256 to batch 1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/audit/auditlog.h"
#include "guard/common/log.h"
#include "tests/bench/bench.h"

static void
rm_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[1024];

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		(void)unlink(path);
	}
	closedir(d);
	(void)rmdir(dir);
}

static uint64_t
dir_bytes(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[1024];
	uint64_t	 n = 0;

	if ((d = opendir(dir)) == NULL)
		fatal("%s", dir);
	while ((de = readdir(d)) != NULL) {
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			n += (uint64_t)st.st_size;
	}
	closedir(d);
	return n;
}

/* Write commits * batch events; returns records/s. */
static double
run_writer(const char *dir, EVP_PKEY *key, unsigned batch, unsigned commits)
{
	struct audit_log	*l;
	struct audit_event	 ev;
	struct audit_kv		 kv[3] = {
		{ "rules", "REL-NATO-01,LEAK-07" },
		{ "label", "NATO SECRET//REL TO FRA,DEU" },
		{ "verdict", "release" },
	};
	char			 err[512], msgid[64];
	unsigned		 c, i;
	double			 t0, t;
	uint64_t		 n = 0;

	if ((l = audit_log_open(dir, key, NULL, err, sizeof(err))) == NULL)
		fatalx("open: %s", err);
	memset(&ev, 0, sizeof(ev));
	ev.role = "policy";
	ev.type = AUDIT_EV_VERDICT;
	ev.msgid = msgid;
	ev.details = kv;
	ev.ndetails = 3;
	t0 = now();
	for (c = 0; c < commits; c++) {
		for (i = 0; i < batch; i++) {
			(void)snprintf(msgid, sizeof(msgid),
			    "<c=FR;a= ;p=MOD;l=MTA1-%08" PRIu64 ">", n++);
			if (audit_log_append(l, &ev, err, sizeof(err)) == -1)
				fatalx("append: %s", err);
		}
		if (audit_log_commit(l, err, sizeof(err)) == -1)
			fatalx("commit: %s", err);
	}
	t = now() - t0;
	if (audit_log_close(l, err, sizeof(err)) == -1)
		fatalx("close: %s", err);
	printf("write  batch %3u: %8u commits %9" PRIu64 " records %7.2f s "
	    "%10.0f records/s %8.0f commits/s\n", batch, commits, n, t,
	    (double)n / t, (double)commits / t);
	return (double)n / t;
}

static double
run_verify(const char *dir, EVP_PKEY *pub, unsigned flags, const char *what)
{
	struct audit_verifier	*v;
	struct audit_report	*rep = malloc(sizeof(*rep));
	char			 err[512];
	double			 t0, t;
	uint64_t		 bytes = dir_bytes(dir);

	if (rep == NULL)
		fatal("malloc");
	t0 = now();
	if ((v = audit_verifier_new(pub, NULL, flags, NULL)) == NULL)
		fatalx("verifier");
	if (audit_verify_dir(v, dir, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (audit_verifier_end(v, rep) == -1)
		fatalx("verify: %" PRIu64 " errors", rep->errors);
	t = now() - t0;
	audit_verifier_free(v);
	printf("verify %-15s %9" PRIu64 " records %7.2f s %10.0f records/s "
	    "%7.1f MB/s (%" PRIu64 " checkpoints)\n", what, rep->records, t,
	    (double)rep->records / t, (double)bytes / t / 1e6,
	    rep->checkpoints);
	free(rep);
	return (double)rep->records / t;
}

int
main(void)
{
	static const struct {
		unsigned	batch, commits;
	} runs[] = { { 1, 2000 }, { 16, 2000 }, { 256, 1000 } };
	char		 dir[3][64];
	double		 rate[3];
	EVP_PKEY	*key;
	size_t		 i;

	log_init("bench_audit", LOG_TO_STDERR, 0);
	(void)mkdir("build", 0755);
	(void)mkdir("build/bench", 0755);
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		fatalx("keygen");
	printf("audit log: group commit with fdatasync (build/bench/)\n");
	for (i = 0; i < 3; i++) {
		(void)snprintf(dir[i], sizeof(dir[i]),
		    "build/bench/audit-XXXXXX");
		if (mkdtemp(dir[i]) == NULL)
			fatal("mkdtemp");
		rate[i] = run_writer(dir[i], key, runs[i].batch,
		    runs[i].commits);
	}
	printf("ratio  batch 16 / batch 1:  %6.1f\n", rate[1] / rate[0]);
	printf("ratio  batch 256 / batch 1: %6.1f\n", rate[2] / rate[0]);
	(void)run_verify(dir[2], key, 0, "full:");
	(void)run_verify(dir[2], NULL, AUDIT_VERIFY_NOSIG, "structure:");
	for (i = 0; i < 3; i++)
		rm_dir(dir[i]);
	EVP_PKEY_free(key);
	return 0;
}
