/*
 * test_spool.c - the durable spool on a real directory: store, append,
 * move, read back, torn tails, recovery after a simulated crash.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/spool/spool.h"
#include "tests/unit/unit.h"

static char *
tmpdir(void)
{
	static char	path[256];
	const char	*t = getenv("TMPDIR");

	(void)snprintf(path, sizeof(path), "%s/mmguard-spool-XXXXXX",
	    t != NULL ? t : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
	return path;
}

static void
rmtree(const char *p)
{
	char	cmd[512];

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static int
count(const char *id, void *arg)
{
	(void)id;
	(*(int *)arg)++;
	return 0;
}

static void
test_store_and_read(void)
{
	struct spool		sp;
	struct spool_entry	e;
	char			err[256], id[SPOOL_ID_LEN], *dir = tmpdir();
	static const char	msg[] = "\x30\x03\x02\x01\x05";
	int			n = 0;

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	spool_new_id(id, 1764410000);
	CU_ASSERT(strncmp(id, "20251129T", 9) == 0);
	CU_ASSERT_EQUAL(strlen(id), 33);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, id, 1764410000, 4, "pickup",
	    msg, sizeof(msg) - 1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(spool_store(&sp, id, 0, 4, NULL, msg, 1, err,
	    sizeof(err)), -1);	/* an id is never stored twice */
	CU_ASSERT(strstr(err, "File exists") != NULL);
	CU_ASSERT_EQUAL(spool_list(&sp, SPOOL_INCOMING, count, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_INCOMING, id, &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(e.id, id);
	CU_ASSERT_EQUAL(e.time, 1764410000);
	CU_ASSERT_EQUAL(e.precedence, 4);
	CU_ASSERT_STRING_EQUAL(e.source, "pickup");
	CU_ASSERT_EQUAL(e.message_len, 5);
	CU_ASSERT(memcmp(e.message, msg, 5) == 0);
	CU_ASSERT_EQUAL(e.attempts, 0);
	CU_ASSERT_EQUAL(e.verdict, -1);
	CU_ASSERT_EQUAL(e.torn, 0);
	spool_entry_free(&e);
	CU_ASSERT_EQUAL(spool_store(&sp, "../escape", 0, 1, NULL, msg, 1, err,
	    sizeof(err)), -1);
	CU_ASSERT(strstr(err, "bad message id") != NULL);
	spool_close(&sp);
	rmtree(dir);
}

static void
test_append_and_move(void)
{
	struct spool		 sp;
	struct spool_entry	 e;
	char			 err[256], *dir = tmpdir();
	uint8_t			 t[8] = { 0 }, v[64];
	struct spool_rec	 r[2];

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "m1", 5, 1, "x", "abc", 3, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "m1", SPOOL_INCOMING,
	    SPOOL_INSPECTING, err, sizeof(err)), 0);
	r[0].type = SPOOL_REC_ATTEMPT;
	r[0].value = t;
	r[0].len = 8;
	CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_INSPECTING, "m1", r, 1,
	    err, sizeof(err)), 0);
	v[0] = 1;		/* refer */
	memcpy(v + 1, "rel: not signed by a release authority", 38);
	r[0].type = SPOOL_REC_VERDICT;
	r[0].value = v;
	r[0].len = 39;
	r[1].type = SPOOL_REC_ATTEMPT;
	r[1].value = t;
	r[1].len = 8;
	CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_INSPECTING, "m1", r, 2,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "m1", SPOOL_INSPECTING,
	    SPOOL_HELD, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_HELD, "m1", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.attempts, 2);
	CU_ASSERT_EQUAL(e.verdict, 1);
	CU_ASSERT_STRING_EQUAL(e.reasons,
	    "rel: not signed by a release authority");
	CU_ASSERT_EQUAL(e.message_len, 3);
	spool_entry_free(&e);
	/* The message itself cannot be appended again. */
	r[0].type = SPOOL_REC_MESSAGE;
	CU_ASSERT_EQUAL(spool_append(&sp, SPOOL_HELD, "m1", r, 1, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(spool_move(&sp, "m1", SPOOL_INCOMING, SPOOL_HELD, err,
	    sizeof(err)), -1);
	CU_ASSERT(strstr(err, "incoming -> held") != NULL);
	/* More records than one append takes: refused, the file as it was. */
	{
		struct spool_rec	many[SPOOL_APPEND_MAX + 1];
		size_t			i;

		for (i = 0; i <= SPOOL_APPEND_MAX; i++) {
			many[i].type = SPOOL_REC_ATTEMPT;
			many[i].value = t;
			many[i].len = 8;
		}
		CU_ASSERT_EQUAL(spool_append(&sp, SPOOL_HELD, "m1", many,
		    SPOOL_APPEND_MAX + 1, err, sizeof(err)), -1);
		CU_ASSERT(strstr(err, "cannot append") != NULL);
		CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_HELD, "m1", many,
		    SPOOL_APPEND_MAX, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_HELD, "m1", &e,
		    err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(e.attempts, 2 + SPOOL_APPEND_MAX);
		CU_ASSERT_EQUAL(e.torn, 0);
		spool_entry_free(&e);
	}
	spool_close(&sp);
	rmtree(dir);
}

/* A torn append is ignored on read and cut off by the next append. */
static void
test_torn_tail_and_recovery(void)
{
	struct spool		 sp;
	struct spool_entry	 e;
	char			 err[256], path[512], *dir = tmpdir();
	uint8_t			 junk[] = { 'A', 0, 0, 0, 8, 1, 2 };
	uint8_t			 t[8] = { 0 };
	struct spool_rec	 r = { SPOOL_REC_ATTEMPT, t, 8 };
	int			 fd, n;

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "m2", 5, 3, "x", "hello", 5,
	    err, sizeof(err)), 0);
	(void)snprintf(path, sizeof(path), "%s/incoming/m2", dir);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	(void)close(fd);
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_INCOMING, "m2", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.torn, sizeof(junk));
	CU_ASSERT_EQUAL(e.attempts, 0);
	spool_entry_free(&e);
	CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_INCOMING, "m2", &r, 1,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_INCOMING, "m2", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.torn, 0);
	CU_ASSERT_EQUAL(e.attempts, 1);
	spool_entry_free(&e);

	/* A crash mid-store leaves a file in tmp/; a damaged file. */
	(void)snprintf(path, sizeof(path), "%s/tmp/m3", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT_EQUAL(write(fd, "MMGQ1\n", 6), 6);
	(void)close(fd);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "m4", 5, 3, "x", "hello", 5,
	    err, sizeof(err)), 0);
	(void)snprintf(path, sizeof(path), "%s/incoming/m4", dir);
	fd = open(path, O_WRONLY);
	CU_ASSERT_EQUAL(pwrite(fd, "J", 1, 60), 1);	/* inside a record */
	(void)close(fd);
	CU_ASSERT_EQUAL(spool_read(&sp, SPOOL_INCOMING, "m4", &e, err,
	    sizeof(err)), -1);
	CU_ASSERT(strstr(err, "no valid END") != NULL);
	n = spool_recover(&sp, NULL, NULL, err, sizeof(err));
	CU_ASSERT_EQUAL(n, 2);
	n = 0;
	CU_ASSERT_EQUAL(spool_list(&sp, SPOOL_CORRUPT, count, &n), 0);
	CU_ASSERT_EQUAL(n, 2);	/* set aside under suffixed names */
	n = 0;
	CU_ASSERT_EQUAL(spool_list(&sp, SPOOL_INCOMING, count, &n), 0);
	CU_ASSERT_EQUAL(n, 1);	/* m2 stays */
	spool_close(&sp);
	rmtree(dir);
}

static void
test_parse_errors(void)
{
	struct spool_entry	e;
	char			err[256];

	CU_ASSERT_EQUAL(spool_parse("xx", 2, &e, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "magic") != NULL);
	CU_ASSERT_EQUAL(spool_parse("MMGQ1\n", 6, &e, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "no valid END") != NULL);
	CU_ASSERT_STRING_EQUAL(spool_state_name(SPOOL_HELD), "held");
	CU_ASSERT_STRING_EQUAL(spool_state_name((enum spool_state)99),
	    "invalid");
}

/*
 * Group commit: with grouping on, stores, moves and appends leave their
 * syncs to spool_sync(), which makes the files durable together, renames
 * the new ones into place and does each directory once; everything reads
 * back before and after.
 */
static void
test_group_commit(void)
{
	struct spool		sp;
	struct spool_entry	e;
	struct spool_rec	r = { SPOOL_REC_NOTE, "sent", 4 };
	struct stat		st;
	char			err[256], id[16], path[512], *dir = tmpdir();
	int			n = 0, i, pfd[2], fd;

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	spool_group(&sp, true);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "g1", 5, 1, "x", "abc", 3, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "g2", 5, 1, "x", "def", 3, err,
	    sizeof(err)), 0);
	/* Written under tmp/, not yet in incoming/: nothing may learn of
	 * them before the sync. */
	CU_ASSERT_EQUAL(sp.nfiles, 2);
	CU_ASSERT_EQUAL(spool_find(&sp, "g1", NULL), -1);
	CU_ASSERT(spool_pending(&sp));
	/* The same id again in the same group is refused (tmp/ holds it). */
	CU_ASSERT_EQUAL(spool_store(&sp, "g1", 5, 1, "x", "abc", 3, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(sp.nfiles, 2);
	/* A file of the caller's own, held for the same sync and closed by
	 * it. */
	(void)snprintf(path, sizeof(path), "%s/own", dir);
	CU_ASSERT_FATAL((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1);
	CU_ASSERT_EQUAL(write(fd, "own", 3), 3);
	CU_ASSERT_EQUAL_FATAL(spool_hold(&sp, fd), 0);
	CU_ASSERT_EQUAL(sp.nfiles, 3);
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.unsynced, 0);
	CU_ASSERT_EQUAL(sp.nfiles, 0);
	CU_ASSERT_EQUAL(fcntl(fd, F_GETFD), -1);	/* closed */
	CU_ASSERT_EQUAL(spool_find(&sp, "g1", NULL), 0);
	(void)snprintf(path, sizeof(path), "%s/tmp/g1", dir);
	CU_ASSERT_EQUAL(stat(path, &st), -1);
	CU_ASSERT_EQUAL(spool_read(&sp, SPOOL_INCOMING, "g2", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.message_len, 3);
	spool_entry_free(&e);

	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "g1", SPOOL_INCOMING,
	    SPOOL_RELEASED, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_RELEASED, "g1", &r, 1,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.nfiles, 1);
	CU_ASSERT(sp.unsynced & (1u << SPOOL_RELEASED));
	/* An annotation waits for no sync of its own, and reads back. */
	r.type = SPOOL_REC_ATTEMPT;
	r.value = "\0\0\0\0\0\0\0\7";
	r.len = 8;
	CU_ASSERT_EQUAL_FATAL(spool_annotate(&sp, SPOOL_RELEASED, "g1", &r, 1,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.nfiles, 1);
	/* Readable before the sync: the same turn may hand it on. */
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_RELEASED, "g1", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.torn, 0);
	CU_ASSERT_EQUAL(e.attempts, 1);
	spool_entry_free(&e);
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.unsynced, 0);
	CU_ASSERT_EQUAL(sp.nfiles, 0);
	(void)spool_list(&sp, SPOOL_INCOMING, count, &n);
	CU_ASSERT_EQUAL(n, 1);

	/* A full group: the store after it is done whole at once. */
	for (i = 0; i < SPOOL_GROUP_FILES + 1; i++) {
		(void)snprintf(id, sizeof(id), "f%d", i);
		CU_ASSERT_EQUAL_FATAL(spool_store(&sp, id, 5, 1, "x", "f", 1,
		    err, sizeof(err)), 0);
	}
	CU_ASSERT_EQUAL(sp.nfiles, SPOOL_GROUP_FILES);
	CU_ASSERT_EQUAL(spool_find(&sp, "f0", NULL), -1);
	(void)snprintf(id, sizeof(id), "f%d", SPOOL_GROUP_FILES);
	CU_ASSERT_EQUAL(spool_find(&sp, id, NULL), 0);
	CU_ASSERT_EQUAL(spool_hold(&sp, 0), -1);	/* full */
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), 0);
	n = 0;
	(void)spool_list(&sp, SPOOL_INCOMING, count, &n);
	CU_ASSERT_EQUAL(n, 2 + SPOOL_GROUP_FILES);

	/* A file that cannot be fsync'd (a pipe stands in for a failing
	 * disk, which a test cannot cause): the sync fails and says so,
	 * and the directories stay marked for the next try. */
	CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "g2", SPOOL_INCOMING,
	    SPOOL_HELD, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_hold(&sp, pfd[0]), 0);
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "making written files durable"));
	CU_ASSERT(sp.unsynced & (1u << SPOOL_HELD));
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.unsynced, 0);
	(void)close(pfd[1]);
	spool_close(&sp);
	rmtree(dir);
}

/*
 * A crash between a grouped store and its sync: the new file is in tmp/
 * and nowhere else; spool_recover() sets it aside (the source it came
 * from was not removed, so nothing is lost).
 */
static void
test_group_crash(void)
{
	struct spool	sp;
	char		err[256], *dir = tmpdir();
	int		n = 0, status;
	pid_t		pid;

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	if ((pid = fork()) == 0) {
		spool_group(&sp, true);
		if (spool_store(&sp, "c1", 5, 1, "x", "abc", 3, err,
		    sizeof(err)) != 0)
			_exit(1);
		_exit(0);		/* dies before spool_sync() */
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(spool_find(&sp, "c1", NULL), -1);
	CU_ASSERT_EQUAL(spool_recover(&sp, NULL, NULL, err, sizeof(err)), 1);
	(void)spool_list(&sp, SPOOL_CORRUPT, count, &n);
	CU_ASSERT_EQUAL(n, 1);
	n = 0;
	(void)spool_list(&sp, SPOOL_INCOMING, count, &n);
	CU_ASSERT_EQUAL(n, 0);
	spool_close(&sp);
	rmtree(dir);
}

/* Collects listed ids into a comma-separated string. */
static int
collect_ids(const char *id, void *arg)
{
	char	*b = arg;
	size_t	 n = strlen(b);

	(void)snprintf(b + n, 256 - n, "%s%s", n > 0 ? "," : "", id);
	return 0;
}

/*
 * Archive hand-offs: a link in unarchived/ follows the file through its
 * states, a second hand-off of the same message is no error, an officer's
 * action reads back, a grouped link waits for spool_sync(), removing it
 * leaves the queue file alone.
 */
static void
test_unarchived(void)
{
	struct spool		 sp;
	struct spool_entry	 e;
	struct spool_rec	 r;
	struct stat		 st;
	char			 err[256], ids[256] = "", p[512], *dir = tmpdir();
	static const char	 act[] = "reject by Brown: not for release";

	CU_ASSERT_EQUAL_FATAL(spool_open(&sp, dir, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_store(&sp, "m1", 5, 1, "x", "abc", 3, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "m1", SPOOL_INCOMING,
	    SPOOL_HELD, err, sizeof(err)), 0);
	spool_group(&sp, true);
	CU_ASSERT_EQUAL_FATAL(spool_unarchived_add(&sp, SPOOL_HELD, "m1", err,
	    sizeof(err)), 0);
	CU_ASSERT(sp.unsynced != 0);	/* left to spool_sync() */
	CU_ASSERT_EQUAL(spool_sync(&sp, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(sp.unsynced, 0);
	spool_group(&sp, false);
	/* Held, then rejected by an officer: handed again, one link. */
	r.type = SPOOL_REC_OFFICER;
	r.value = act;
	r.len = sizeof(act) - 1;
	CU_ASSERT_EQUAL_FATAL(spool_append(&sp, SPOOL_HELD, "m1", &r, 1, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(spool_move(&sp, "m1", SPOOL_HELD, SPOOL_NDR,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(spool_unarchived_add(&sp, SPOOL_NDR, "m1", err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(spool_unarchived_list(&sp, collect_ids, ids), 0);
	CU_ASSERT_STRING_EQUAL(ids, "m1");
	/* The link is the queue file, with what was appended after it. */
	(void)snprintf(p, sizeof(p), "%s/unarchived/m1", dir);
	CU_ASSERT_EQUAL_FATAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 2);
	CU_ASSERT_EQUAL_FATAL(spool_read(&sp, SPOOL_NDR, "m1", &e, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(e.officer_actions, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e.officer);
	CU_ASSERT_STRING_EQUAL(e.officer, act);
	CU_ASSERT_EQUAL((size_t)st.st_size, e.len);
	spool_entry_free(&e);
	/* A message not in the state named cannot be linked. */
	CU_ASSERT_EQUAL(spool_unarchived_add(&sp, SPOOL_SENT, "m1", err,
	    sizeof(err)), -1);
	CU_ASSERT(strstr(err, "m1: link into unarchived/") != NULL);
	CU_ASSERT_EQUAL(spool_unarchived_add(&sp, SPOOL_SENT, "../x", err,
	    sizeof(err)), -1);
	/* Acknowledged: the link goes, the message stays; twice is fine. */
	CU_ASSERT_EQUAL(spool_unarchived_done(&sp, "m1", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(spool_unarchived_done(&sp, "m1", err, sizeof(err)), 0);
	ids[0] = '\0';
	CU_ASSERT_EQUAL(spool_unarchived_list(&sp, collect_ids, ids), 0);
	CU_ASSERT_STRING_EQUAL(ids, "");
	(void)snprintf(p, sizeof(p), "%s/ndr/m1", dir);
	CU_ASSERT_EQUAL(stat(p, &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 1);
	spool_close(&sp);
	rmtree(dir);
}

static const struct unit_test tests[] = {
	{ "store and read back", test_store_and_read },
	{ "append records and move", test_append_and_move },
	{ "torn tails, crash recovery", test_torn_tail_and_recovery },
	{ "parse errors", test_parse_errors },
	{ "group commit", test_group_commit },
	{ "group commit: a crash before the sync", test_group_crash },
	{ "archive hand-offs (unarchived/)", test_unarchived },
	{ NULL, NULL }
};
UNIT_SUITE(spool, "spool", tests);
