/*
 * test_audit.c - the audit log: record text (escaping, strictness), the
 * chain and its verification, checkpoints by count, time and request,
 * file rotation by size and age, key rotation, the head, reopen with
 * recovery of a torn tail and of an interrupted rotation, refusal of a
 * corrupted log, the writer lock, and the reader fed in pieces.  Real
 * files in a temporary directory, real fdatasync, real Ed25519.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "guard/audit/auditlog.h"
#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "tests/unit/unit.h"

static int64_t	fake_now = 1700000000LL * 1000000;

static int64_t
fake_clock(void *arg)
{
	(void)arg;
	return fake_now;
}

static EVP_PKEY *
newkey(void)
{
	EVP_PKEY	*k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	return k;
}

static char *
tmpdir(void)
{
	const char	*t = getenv("TMPDIR");
	char		 path[512];

	(void)snprintf(path, sizeof(path), "%s/mmguard-audit-XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
	return xstrdup(path);
}

/* The log files and whatever else a test left (side files), then DIR. */
static void
rmdir_all(char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[1024];

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			(void)snprintf(path, sizeof(path), "%s/%s", dir,
			    de->d_name);
			(void)unlink(path);
		}
		closedir(d);
	}
	(void)rmdir(dir);
	free(dir);
}

/* An event of the test load. */
static int
add(struct audit_log *l, const char *msgid, const char *text)
{
	struct audit_kv		kv[2] = {
		{ "rule", "R7" }, { "text", text }
	};
	struct audit_event	ev;
	char			err[256];

	memset(&ev, 0, sizeof(ev));
	ev.role = "policy";
	ev.type = AUDIT_EV_VERDICT;
	ev.msgid = msgid;
	ev.details = kv;
	ev.ndetails = text != NULL ? 2 : 1;
	return audit_log_append(l, &ev, err, sizeof(err));
}

struct errs {
	int	n;
	char	first[1024];
};

static void
keep_error(void *arg, const char *msg)
{
	struct errs	*e = arg;

	if (e->n++ == 0)
		(void)snprintf(e->first, sizeof(e->first), "%s", msg);
}

/* Verify DIR; the first error in e, the report in rep. */
static int
verify(const char *dir, EVP_PKEY *pub, const struct audit_head *head,
    struct audit_report *rep, struct errs *e)
{
	struct audit_verify_cb	 cb;
	struct audit_verifier	*v;
	char			 err[256];
	int			 rc;

	memset(e, 0, sizeof(*e));
	memset(&cb, 0, sizeof(cb));
	cb.error = keep_error;
	cb.arg = e;
	v = audit_verifier_new(pub, head, pub ? 0 : AUDIT_VERIFY_NOSIG, &cb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(audit_verify_dir(v, dir, err, sizeof(err)), 0);
	rc = audit_verifier_end(v, rep);
	audit_verifier_free(v);
	return rc;
}

static struct audit_log *
open_log(const char *dir, EVP_PKEY *key, const struct audit_log_opts *o)
{
	struct audit_log	*l;
	char			 err[512];

	l = audit_log_open(dir, key, o, err, sizeof(err));
	if (l == NULL)
		fprintf(stderr, "audit_log_open: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	return l;
}

static char *
read_log(const char *dir, const char *name, size_t *len)
{
	char	path[1024], *p;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	p = file_read(path, 1u << 26, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t	n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

/* ---- records ------------------------------------------------------------ */

static void
test_record_escape_roundtrip(void)
{
	struct audit_record	*r = xmalloc(sizeof(*r));
	struct audit_log	*l;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), *text, err[256];
	const char		*v;
	size_t			 len, vl;
	const char		*nasty = "a b%c\x01\x7f\xff=\xc3\xa9\n";

	l = open_log(dir, k, NULL);
	CU_ASSERT_EQUAL(add(l, "id with space", nasty), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	/* Printable ASCII only, one record a line. */
	for (size_t i = 0; i < len; i++)
		CU_ASSERT(text[i] == '\n' || (text[i] >= 0x20 &&
		    text[i] < 0x7f));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, " msg=id%20with%20space "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text,
	    " text=a%20b%25c%01%7F%FF=%C3%A9%0A\n"));
	/* Line 2 parses back to the same bytes. */
	{
		char	*l2 = strchr(text, '\n') + 1;
		size_t	 n = (size_t)(strchr(l2, '\n') - l2);

		CU_ASSERT_EQUAL_FATAL(audit_record_parse(l2, n, r, err,
		    sizeof(err)), 0);
		CU_ASSERT_EQUAL(r->seq, 2);
		CU_ASSERT_EQUAL(r->type, AUDIT_EV_VERDICT);
		CU_ASSERT_STRING_EQUAL(r->role, "policy");
		CU_ASSERT_STRING_EQUAL(r->msgid, "id with space");
		v = audit_record_get(r, "text", &vl);
		CU_ASSERT_EQUAL(vl, strlen(nasty));
		CU_ASSERT(v != NULL && memcmp(v, nasty, vl) == 0);
	}
	free(text);
	free(r);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static void
test_record_strict(void)
{
	static const struct {
		const char	*line, *why;
	} bad[] = {
		{ "seq=01 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg=", "bad seq" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg=a%41", "needless escape" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg=a%c3", "bad escape" },
		{ "seq=1 prev=" "@" " time=2024-02-30T12:00:00.000000Z "
		  "role=rx event=delivered msg=", "bad time" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=RX event=delivered msg=", "bad role" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=teleported msg=", "unknown event" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg= a=1 a=2", "twice" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg= seq=2", "fixed field" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg= a=1 ", "without '='" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=delivered msg=\xc3\xa9", "not escaped" },
		{ "seq=1 prev=" "@" " time=2024-05-01T12:00:00.000000Z "
		  "role=rx event=checkpoint msg= reason=count key=00",
		  "details" },
		{ "seq=1 time=2024-05-01T12:00:00.000000Z role=rx "
		  "event=delivered msg=@", "expected prev=" },
	};
	static const char	zeros[] = "0000000000000000000000000000000000"
	    "000000000000000000000000000000";
	struct audit_record	*r = xmalloc(sizeof(*r));
	char			 line[512], err[256];
	const char		*at;
	size_t			 i;
	int			 n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* "@" stands for the 64 zeros of a prev= value. */
		at = strchr(bad[i].line, '@');
		n = snprintf(line, sizeof(line), "%.*s%s%s",
		    (int)(at - bad[i].line), bad[i].line, zeros, at + 1);
		err[0] = '\0';
		CU_ASSERT_EQUAL(audit_record_parse(line, (size_t)n, r, err,
		    sizeof(err)), -1);
		if (strstr(err, bad[i].why) == NULL)
			fprintf(stderr, "\n%s: got \"%s\", want \"%s\"\n",
			    line, err, bad[i].why);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
	}
	/* A message quoting the line cannot carry a terminal escape. */
	n = snprintf(line, sizeof(line), "seq=1 prev=%s time=2024-05-01T12:00:"
	    "00.000000Z role=\x1b[2J\x07 event=delivered msg=", zeros);
	CU_ASSERT_EQUAL(audit_record_parse(line, (size_t)n, r, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad role=?[2J?"));
	CU_ASSERT_PTR_NULL(strchr(err, '\x1b'));
	n = snprintf(line, sizeof(line), "seq=1 prev=%s time=2024-05-01T12:00:"
	    "00.000000Z role=rx event=delivered msg= a=%%20 b=", zeros);
	CU_ASSERT_EQUAL(audit_record_parse(line, (size_t)n, r, err,
	    sizeof(err)), 0);
	free(r);
}

static void
test_time(void)
{
	static const char *const good[] = {
		"1970-01-01T00:00:00.000000Z", "2024-02-29T23:59:59.999999Z",
		"2000-02-29T12:00:00.000001Z", "2100-12-31T00:00:00.500000Z",
		"9999-12-31T23:59:59.999999Z",
	};
	static const char *const bad[] = {
		"2023-02-29T00:00:00.000000Z", "2100-02-29T00:00:00.000000Z",
		"2024-04-31T00:00:00.000000Z", "2024-13-01T00:00:00.000000Z",
		"2024-01-01T24:00:00.000000Z", "1969-12-31T23:59:59.000000Z",
		"2024-01-01 00:00:00.000000Z", "2024-01-01T00:00:00.00000xZ",
		"2024-1-01", "2024-01-01T00:00:0",
	};
	char	out[32];
	int64_t	us;
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(audit_time_parse(good[i],
		    strlen(good[i]), &us), 0);
		audit_time_format(us, out, sizeof(out));
		CU_ASSERT_STRING_EQUAL(out, good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(audit_time_parse(bad[i], strlen(bad[i]), &us),
		    -1);
	CU_ASSERT_EQUAL(audit_time_parse("2024-03-01", 10, &us), 0);
	CU_ASSERT_EQUAL(us, 1709251200LL * 1000000);
	CU_ASSERT_EQUAL(audit_time_parse("2024-03-01T00:01", 16, &us), 0);
	CU_ASSERT_EQUAL(us, 1709251260LL * 1000000);
	CU_ASSERT_EQUAL(audit_time_parse("2024-03-01T00:01:02Z", 20, &us), 0);
	CU_ASSERT_EQUAL(us, 1709251262LL * 1000000);
}

static void
test_append_refused(void)
{
	struct audit_log	*l;
	struct audit_event	 ev;
	struct audit_kv		 kv[2] = { { "k", "v" }, { "k", "w" } };
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], *big;

	l = open_log(dir, k, NULL);
	memset(&ev, 0, sizeof(ev));
	ev.role = "policy";
	ev.type = AUDIT_EV_CHECKPOINT;
	CU_ASSERT_EQUAL(audit_log_append(l, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "written by the log itself"));
	ev.type = AUDIT_EV_DELIVERED;
	ev.role = "Policy";
	CU_ASSERT_EQUAL(audit_log_append(l, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad role"));
	ev.role = "policy";
	ev.details = kv;
	ev.ndetails = 2;
	CU_ASSERT_EQUAL(audit_log_append(l, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "twice"));
	big = xmalloc(AUDIT_VALUE_MAX + 2);
	memset(big, 'x', AUDIT_VALUE_MAX + 1);
	big[AUDIT_VALUE_MAX + 1] = '\0';
	kv[0].value = big;
	ev.ndetails = 1;
	CU_ASSERT_EQUAL(audit_log_append(l, &ev, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than"));
	free(big);
	/* Nothing refused reached the log. */
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	{
		struct audit_report	rep;
		struct errs		e;

		CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
		/* log-created and the checkpoint of close */
		CU_ASSERT_EQUAL(rep.records, 2);
	}
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

/* ---- chain and checkpoints ---------------------------------------------- */

static void
test_chain_and_checkpoints(void)
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey(), *other = newkey();
	char			*dir = tmpdir(), err[256], id[32], *text;
	uint64_t		 seq;
	uint8_t			 hash[32];
	size_t			 len;
	int			 i;

	memset(&o, 0, sizeof(o));
	o.checkpoint_records = 10;
	l = open_log(dir, k, &o);
	for (i = 0; i < 35; i++) {
		(void)snprintf(id, sizeof(id), "M%d", i);
		CU_ASSERT_EQUAL(add(l, id, NULL), 0);
	}
	/* Nothing is written before commit. */
	audit_log_head(l, &seq, hash);
	CU_ASSERT_EQUAL(seq, 1);
	CU_ASSERT_EQUAL(audit_log_commit(l, err, sizeof(err)), 0);
	audit_log_head(l, &seq, hash);
	/*
	 * log-created, 35 events, and a checkpoint after every 10 records
	 * (log-created counts): at seq 11, 22 and 33.
	 */
	CU_ASSERT_EQUAL(seq, 39);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.checkpoints, 3);
	CU_ASSERT_EQUAL(rep.sealed_seq, 33);
	CU_ASSERT_EQUAL(rep.unsealed, 6);
	CU_ASSERT_EQUAL(rep.unsealed_first, 34);
	CU_ASSERT_EQUAL(rep.unsealed_last, 39);
	CU_ASSERT_EQUAL(memcmp(rep.last_hash, hash, 32), 0);
	/* Another key sees a log not created for it. */
	CU_ASSERT_EQUAL(verify(dir, other, NULL, &rep, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.first, "created for key"));
	CU_ASSERT_EQUAL(audit_log_checkpoint(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.unsealed, 0);
	CU_ASSERT_EQUAL(rep.sealed_seq, 40);
	CU_ASSERT_EQUAL(rep.last_seq, 40);	/* nothing left for close */
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	CU_ASSERT_EQUAL(count(text, "reason=count"), 3);
	CU_ASSERT_EQUAL(count(text, "reason=request"), 1);
	free(text);
	EVP_PKEY_free(k);
	EVP_PKEY_free(other);
	rmdir_all(dir);
}

static void
test_checkpoint_by_time(void)
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], *text;
	size_t			 len;

	memset(&o, 0, sizeof(o));
	o.checkpoint_secs = 30;
	o.clock = fake_clock;
	l = open_log(dir, k, &o);
	CU_ASSERT_EQUAL(add(l, "a", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_commit(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(audit_log_tick(l, err, sizeof(err)), 0);
	fake_now += 29 * 1000000LL;
	CU_ASSERT_EQUAL(audit_log_tick(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.checkpoints, 0);
	fake_now += 1 * 1000000LL;
	CU_ASSERT_EQUAL(audit_log_tick(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.checkpoints, 1);
	CU_ASSERT_EQUAL(rep.unsealed, 0);
	/* Sealed and idle: no empty checkpoints. */
	fake_now += 600 * 1000000LL;
	CU_ASSERT_EQUAL(audit_log_tick(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	CU_ASSERT_EQUAL(count(text, "event=checkpoint"), 1);
	CU_ASSERT_EQUAL(count(text, "reason=time"), 1);
	free(text);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

/* ---- rotation ----------------------------------------------------------- */

static void
test_rotation_by_size(void)
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], id[32], **names;
	char			*text, want[64];
	size_t			 n, i, len;

	memset(&o, 0, sizeof(o));
	o.rotate_bytes = 4096;
	l = open_log(dir, k, &o);
	for (i = 0; i < 200; i++) {
		(void)snprintf(id, sizeof(id), "M%zu", i);
		CU_ASSERT_EQUAL(add(l, id, "some text"), 0);
		if (i % 25 == 24)
			CU_ASSERT_EQUAL(audit_log_commit(l, err, sizeof(err)),
			    0);
	}
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(audit_dir_list(dir, &names, &n, err,
	    sizeof(err)), 0);
	CU_ASSERT(n >= 5);
	for (i = 0; i < n; i++) {
		text = read_log(dir, names[i], &len);
		CU_ASSERT(len <= 4096);
		if (i > 0) {
			(void)snprintf(want, sizeof(want), "prev-file=%s ",
			    names[i - 1]);
			CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
			CU_ASSERT_PTR_NOT_NULL(strstr(text,
			    "event=file-opened"));
		}
		if (i + 1 < n) {
			/* The last line is the rotate checkpoint. */
			char	*last = text + len - 2;

			while (last > text && *last != '\n')
				last--;
			CU_ASSERT_PTR_NOT_NULL(strstr(last,
			    "event=checkpoint msg= reason=rotate"));
		}
		free(text);
	}
	audit_dir_list_free(names, n);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.files, n);
	CU_ASSERT_EQUAL(rep.unsealed, 0);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static void
test_rotation_by_age(void)
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256];
	int			 i;

	memset(&o, 0, sizeof(o));
	o.rotate_secs = 3600;
	o.clock = fake_clock;
	l = open_log(dir, k, &o);
	for (i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(add(l, "m", NULL), 0);
		CU_ASSERT_EQUAL(audit_log_commit(l, err, sizeof(err)), 0);
		fake_now += 1800 * 1000000LL;
	}
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	/* Commits at 0, 30, 60, 90, 120 min: new files at 60 and 120. */
	CU_ASSERT_EQUAL(rep.files, 3);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

/* ---- keys --------------------------------------------------------------- */

static void
test_key_rotation(void)
{
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k1 = newkey(), *k2 = newkey();
	char			*dir = tmpdir(), err[512], id2[32];
	uint8_t			 raw[32];

	l = open_log(dir, k1, NULL);
	CU_ASSERT_EQUAL(add(l, "before", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_rotate_key(l, k1, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(audit_log_rotate_key(l, k2, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(add(l, "after", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k1, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.key_rotations, 1);
	CU_ASSERT_EQUAL(audit_key_id(k2, id2, raw), 0);
	CU_ASSERT_STRING_EQUAL(rep.keyid, id2);
	CU_ASSERT_EQUAL(rep.unsealed, 0);
	/* The old key can no longer write; the new one continues. */
	CU_ASSERT_PTR_NULL(audit_log_open(dir, k1, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "key in force"));
	l = open_log(dir, k2, NULL);
	CU_ASSERT_EQUAL(add(l, "later", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k1, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.checkpoints, 2);
	/* Starting from the new key is starting from the wrong one. */
	CU_ASSERT_EQUAL(verify(dir, k2, NULL, &rep, &e), -1);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	rmdir_all(dir);
}

/* ---- head ---------------------------------------------------------------- */

static void
test_head(void)
{
	struct audit_log	*l;
	struct audit_report	*rep = xmalloc(sizeof(*rep));
	struct audit_head	*h = xmalloc(sizeof(*h)), *h2 = xmalloc(sizeof(*h2));
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], text[AUDIT_HEAD_TEXT_MAX];
	char			*p;

	l = open_log(dir, k, NULL);
	CU_ASSERT_EQUAL(add(l, "a", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, rep, &e), 0);
	CU_ASSERT_FATAL(rep->have_ckpt);
	CU_ASSERT_EQUAL(audit_head_format(&rep->ckpt, text, sizeof(text)), 0);
	CU_ASSERT_EQUAL_FATAL(audit_head_parse(text, strlen(text), h, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(h->seq, 3);
	/* The log grows; the old head is still proven. */
	l = open_log(dir, k, NULL);
	CU_ASSERT_EQUAL(add(l, "b", NULL), 0);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(verify(dir, k, h, rep, &e), 0);
	CU_ASSERT(rep->head_proven);
	/* A head edited in its seq, or its hash, does not parse. */
	*h2 = *h;
	p = strstr(text, "seq=3\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p[4] = '4';
	CU_ASSERT_EQUAL(audit_head_parse(text, strlen(text), h2, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "forged or damaged head"));
	/* A head beyond the log's end: the log lost records. */
	h2->seq = 100;
	CU_ASSERT_EQUAL(verify(dir, k, h2, rep, &e), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.first, "before the recorded head"));
	free(h);
	free(h2);
	free(rep);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

/* ---- reopen -------------------------------------------------------------- */

/* A writer that commits N events and dies without closing. */
static void
crash_writer(const char *dir, EVP_PKEY *k, int n,
    const struct audit_log_opts *o)
{
	struct audit_log	*l;
	char			 err[256];
	pid_t			 pid;
	int			 st, i;

	if ((pid = fork()) == 0) {
		if ((l = audit_log_open(dir, k, o, err, sizeof(err))) == NULL)
			_exit(1);
		for (i = 0; i < n; i++)
			if (add(l, "crash", NULL) == -1)
				_exit(1);
		_exit(audit_log_commit(l, err, sizeof(err)) == 0 ? 0 : 1);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &st, 0), pid);
	CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void
append_bytes(const char *dir, const char *name, const char *b, size_t n)
{
	char	path[1024];
	int	fd;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd != -1);
	CU_ASSERT_EQUAL(write(fd, b, n), (ssize_t)n);
	close(fd);
}

static void
test_reopen_torn(void)
{
	static const char	 torn[] = "seq=12 prev=00ab time=2024";
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], *side, *text;
	char			 sidename[128];
	size_t			 len, loglen;

	crash_writer(dir, k, 10, NULL);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT_EQUAL(rep.unsealed, 11);
	CU_ASSERT_EQUAL(rep.sealed_seq, 0);
	text = read_log(dir, "audit-00000000000000000001.log", &loglen);
	free(text);
	append_bytes(dir, "audit-00000000000000000001.log", torn,
	    sizeof(torn) - 1);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT(rep.torn);
	CU_ASSERT_EQUAL(rep.torn_bytes, sizeof(torn) - 1);
	CU_ASSERT_EQUAL(rep.torn_offset, loglen);

	l = open_log(dir, k, NULL);
	CU_ASSERT_EQUAL(audit_log_recovered(l), sizeof(torn) - 1);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	/* The bytes are kept, whole, beside the log. */
	(void)snprintf(sidename, sizeof(sidename),
	    "audit-00000000000000000001.log.torn-%zu", loglen);
	side = read_log(dir, sidename, &len);
	CU_ASSERT_EQUAL(len, sizeof(torn) - 1);
	CU_ASSERT_EQUAL(memcmp(side, torn, len), 0);
	free(side);
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "event=log-recovered msg= "
	    "file=audit-00000000000000000001.log"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "bytes=26 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, sidename));
	free(text);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	CU_ASSERT(!rep.torn);
	CU_ASSERT_EQUAL(rep.recoveries, 1);
	CU_ASSERT_EQUAL(rep.unsealed, 0);
	CU_ASSERT_EQUAL(rep.last_seq, 13);	/* 11, log-recovered, close */
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static void
test_reopen_refuses_corruption(void)
{
	struct audit_log	*l;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[512], *text, path[1024];
	size_t			 len;

	crash_writer(dir, k, 5, NULL);
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	*(strstr(text, "msg=crash") + 4) = 'C';	/* a complete line altered */
	(void)snprintf(path, sizeof(path), "%s/audit-00000000000000000001.log",
	    dir);
	CU_ASSERT_EQUAL(file_write(path, text, len), 0);
	free(text);
	l = audit_log_open(dir, k, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "needs an auditor"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not match the hash"));
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static void
test_reopen_interrupted_rotation(void)
{
	struct audit_log_opts	 o;
	struct audit_log	*l;
	struct audit_report	 rep;
	struct errs		 e;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], **names, path[1024];
	size_t			 n;
	int			 fd;

	memset(&o, 0, sizeof(o));
	o.rotate_bytes = 2048;
	crash_writer(dir, k, 20, &o);
	CU_ASSERT_EQUAL_FATAL(audit_dir_list(dir, &names, &n, err,
	    sizeof(err)), 0);
	CU_ASSERT_FATAL(n >= 2);
	/* As if the crash came right after the rotate checkpoint. */
	(void)snprintf(path, sizeof(path), "%s/%s", dir, names[n - 1]);
	CU_ASSERT_EQUAL(unlink(path), 0);
	/* And a temporary file of the next one was left behind. */
	(void)snprintf(path, sizeof(path), "%s/.audit-%s.tmp", dir, "x");
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	CU_ASSERT(fd != -1);
	close(fd);
	l = open_log(dir, k, &o);
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(verify(dir, k, NULL, &rep, &e), 0);
	if (e.n)
		fprintf(stderr, "\n%s\n", e.first);
	CU_ASSERT_EQUAL(rep.files, n);
	audit_dir_list_free(names, n);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static void
test_lock(void)
{
	struct audit_log	*l;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256];

	l = open_log(dir, k, NULL);
	CU_ASSERT_PTR_NULL(audit_log_open(dir, k, NULL, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "in use by another writer"));
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

/* The reader gives the same result whatever the pieces it is fed. */
static void
test_reader_pieces(void)
{
	struct audit_log	*l;
	struct audit_verifier	*v;
	struct audit_report	 a, b;
	EVP_PKEY		*k = newkey();
	char			*dir = tmpdir(), err[256], id[16], *text;
	size_t			 len, i, step;
	int			 j;

	l = open_log(dir, k, NULL);
	for (j = 0; j < 40; j++) {
		(void)snprintf(id, sizeof(id), "m%d", j);
		CU_ASSERT_EQUAL(add(l, id, "x y"), 0);
	}
	CU_ASSERT_EQUAL(audit_log_close(l, err, sizeof(err)), 0);
	text = read_log(dir, "audit-00000000000000000001.log", &len);
	for (step = 1; step <= 4097; step += 1365) {
		v = audit_verifier_new(k, NULL, 0, NULL);
		audit_verifier_file(v, "audit-00000000000000000001.log");
		for (i = 0; i < len; i += step)
			audit_verifier_data(v, text + i, len - i < step ?
			    len - i : step);
		CU_ASSERT_EQUAL(audit_verifier_end(v, step == 1 ? &a : &b), 0);
		audit_verifier_free(v);
		if (step > 1) {
			CU_ASSERT_EQUAL(a.records, b.records);
			CU_ASSERT_EQUAL(memcmp(a.last_hash, b.last_hash, 32),
			    0);
		}
	}
	CU_ASSERT_EQUAL(a.records, 42);
	free(text);
	EVP_PKEY_free(k);
	rmdir_all(dir);
}

static const struct unit_test tests[] = {
	{ "record: escaping round trip", test_record_escape_roundtrip },
	{ "record: strict parser", test_record_strict },
	{ "time: parse and format", test_time },
	{ "append: refused events", test_append_refused },
	{ "chain and checkpoints by count", test_chain_and_checkpoints },
	{ "checkpoint by time", test_checkpoint_by_time },
	{ "rotation by size", test_rotation_by_size },
	{ "rotation by age", test_rotation_by_age },
	{ "key rotation", test_key_rotation },
	{ "head", test_head },
	{ "reopen: torn tail set aside", test_reopen_torn },
	{ "reopen: corruption refused", test_reopen_refuses_corruption },
	{ "reopen: interrupted rotation", test_reopen_interrupted_rotation },
	{ "writer lock", test_lock },
	{ "reader fed in pieces", test_reader_pieces },
	{ NULL, NULL }
};

UNIT_SUITE(audit, "audit log", tests);
