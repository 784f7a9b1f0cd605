/*
 * test_archive.c - the message archive on a real SQLite file: put/get
 * byte-identical, digest mismatch after the stored blob is altered with
 * SQL, search by word, SIC, originator, precedence, time range and
 * verdict, query syntax errors, retention purge calling back with exactly
 * the expired ids (and cancelled by its callback), undecodable and empty
 * messages archived with their error, a CMS-signed P772 indexed through
 * its SignedData, batches, re-archiving, read-only opens, and refusal of
 * damaged, foreign and non-database files.  Messages are composed with
 * the guard's own SPEC parser and encoder.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sqlite3.h>

#include "filters/cms/cms.h"
#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/archive/archive.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"
#include "tests/unit/unit.h"

#define T0	INT64_C(1795946400)	/* 2026-11-29T10:00:00Z */
#define HOUR	3600

static char	tmpdir[512];
static char	store[600];
static char	errbuf[1024];

/* A fresh store path in a fresh directory. */
static void
setup(void)
{
	const char	*t = getenv("TMPDIR");

	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/mmguard-archive.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
	(void)snprintf(store, sizeof(store), "%s/archive.sqlite", tmpdir);
}

static void
teardown(void)
{
	char	p[700];

	(void)snprintf(p, sizeof(p), "%s-wal", store);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", store);
	(void)unlink(p);
	(void)unlink(store);
	(void)snprintf(p, sizeof(p), "%s/orig.pem", tmpdir);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s/orig.key", tmpdir);
	(void)unlink(p);
	CU_ASSERT_EQUAL(rmdir(tmpdir), 0);
}

static struct archive *
open_rw(void)
{
	struct archive	*a;

	a = archive_open(store, ARCHIVE_CREATE, errbuf, sizeof(errbuf));
	if (a == NULL)
		fprintf(stderr, "archive_open: %s\n", errbuf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	return a;
}

/*
 * A P1 message from SPEC fields: subject, body text, SICs (space-
 * separated), originator surname, precedence name (NULL: none), and, when
 * cert is given, CMS-signed.
 */
static void
compose(struct buf *out, const char *subject, const char *body,
    const char *sics, const char *surname, const char *prec,
    const char *cert, const char *key)
{
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct x400_spec_opts	 opts;
	struct buf		 spec, signed_content;
	char			 line[512], *s, *w, *save = NULL;

	buf_init(&spec, 1 << 20);
	(void)snprintf(line, sizeof(line),
	    "message-id: C=GB; A= ; P=MOD; L=%s\n"
	    "originator: S=%s; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "content-type: p772\n", surname, surname);
	CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);
	if (cert != NULL) {
		(void)snprintf(line, sizeof(line), "sign: cert=%s; key=%s\n",
		    cert, key);
		CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);
	}
	(void)snprintf(line, sizeof(line),
	    "[heading]\nthis-ipm: local=1\nsubject: %s\n"
	    "originator: S=%s; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "to: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n", subject, surname);
	CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);
	if (prec != NULL) {
		(void)snprintf(line, sizeof(line), "primary-precedence: %s\n",
		    prec);
		CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);
	}
	s = xstrdup(sics);
	for (w = strtok_r(s, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		(void)snprintf(line, sizeof(line), "sic: %s\n", w);
		CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);
	}
	free(s);
	/* IA5 cannot carry accents: such text goes as general text. */
	for (w = (char *)(uintptr_t)body; *w != '\0' && (*w & 0x80) == 0; w++)
		continue;
	(void)snprintf(line, sizeof(line), "[body %s]\n%s\n",
	    *w != '\0' ? "general-text" : "ia5-text", body);
	CU_ASSERT_EQUAL_FATAL(buf_add(&spec, line, strlen(line)), 0);

	CU_ASSERT_EQUAL_FATAL(x400_spec_parse(&d, "test", ".",
	    (const char *)spec.data, spec.len, &m, &opts, errbuf,
	    sizeof(errbuf)), 0);
	buf_init(&signed_content, 1 << 20);
	if (cert != NULL)
		CU_ASSERT_EQUAL_FATAL(cms_sign_msg(m, opts.sign_cert,
		    opts.sign_key, 0, &signed_content, errbuf,
		    sizeof(errbuf)), 0);
	buf_init(out, 1 << 20);
	CU_ASSERT_EQUAL_FATAL(x400_encode(m, 0, out), 0);
	buf_free(&signed_content);
	buf_free(&spec);
	x400_dec_free(&d);
}

static void
msg_init(struct archive_msg *m, const char *id, const struct buf *raw,
    int64_t t, enum archive_verdict v)
{
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->raw = raw->data;
	m->rawlen = raw->len;
	m->time = t;
	m->dir = ARCHIVE_HIGH_TO_LOW;
	m->precedence = ARCHIVE_NO_PRECEDENCE;
	m->verdict = v;
}

static int
put(struct archive *a, const char *id, const struct buf *raw, int64_t t,
    enum archive_verdict v)
{
	struct archive_msg	m;

	msg_init(&m, id, raw, t, v);
	return archive_put(a, &m, errbuf, sizeof(errbuf));
}

static void
put_composed(struct archive *a, const char *id, int64_t t,
    enum archive_verdict v, const char *subject, const char *body,
    const char *sics, const char *surname, const char *prec)
{
	struct buf	b;

	compose(&b, subject, body, sics, surname, prec, NULL, NULL);
	CU_ASSERT_EQUAL(put(a, id, &b, t, v), 0);
	buf_free(&b);
}

/* Search results as "id id id" in the order given. */
struct ids {
	char	s[2048];
};

static int
collect(const struct archive_hit *h, void *arg)
{
	struct ids	*r = arg;
	size_t		 n = strlen(r->s);

	(void)snprintf(r->s + n, sizeof(r->s) - n, "%s%s", n ? " " : "",
	    h->id);
	return 0;
}

static const char *
search(struct archive *a, const struct archive_query *q)
{
	static struct ids	r;

	memset(&r, 0, sizeof(r));
	if (archive_search(a, q, collect, &r, errbuf, sizeof(errbuf)) != 0)
		(void)snprintf(r.s, sizeof(r.s), "ERROR %s", errbuf);
	return r.s;
}

static const char *
words(struct archive *a, const char *text)
{
	struct archive_query	q;

	memset(&q, 0, sizeof(q));
	q.text = text;
	return search(a, &q);
}

/* Run one SQL statement on the store behind the archive's back. */
static void
sql(const char *stmt, const void *blob, int bloblen)
{
	sqlite3		*db;
	sqlite3_stmt	*st;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(store, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, stmt, -1, &st, NULL),
	    SQLITE_OK);
	if (blob != NULL)
		sqlite3_bind_blob(st, 1, blob, bloblen, SQLITE_TRANSIENT);
	CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	CU_ASSERT_EQUAL(sqlite3_close(db), SQLITE_OK);
}

/* --- tests ---------------------------------------------------------------- */

static void
test_round_trip(void)
{
	struct archive		*a;
	struct archive_msg	 m;
	struct archive_info	 in;
	struct archive_reason	 r[2] = {
		{ "DLP-7", "word \"secret\" in body part 1" },
		{ "LBL-2", "label NATO SECRET dominates the boundary (é)" }
	};
	struct buf		 b;
	uint8_t			*raw;
	size_t			 len;

	setup();
	a = open_rw();
	compose(&b, "Situation report", "All units green.", "AAA ZKB12",
	    "Smith", "flash", NULL, NULL);
	msg_init(&m, "HL-000001", &b, T0, ARCHIVE_REJECTED);
	m.dir = ARCHIVE_LOW_TO_HIGH;
	m.reasons = r;
	m.nreasons = 2;
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), 0);
	archive_close(a);

	/* A second process reading: the put was committed. */
	a = archive_open(store, ARCHIVE_RDONLY, errbuf, sizeof(errbuf));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(archive_get(a, "HL-000001", &raw, &len, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(len, b.len);
	CU_ASSERT(memcmp(raw, b.data, b.len) == 0);
	free(raw);
	CU_ASSERT_EQUAL_FATAL(archive_info(a, "HL-000001", &in, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_STRING_EQUAL(in.hit.id, "HL-000001");
	CU_ASSERT_EQUAL(in.hit.time, T0);
	CU_ASSERT_EQUAL(in.hit.dir, ARCHIVE_LOW_TO_HIGH);
	CU_ASSERT_EQUAL(in.hit.precedence, 4);		/* flash */
	CU_ASSERT_EQUAL(in.hit.verdict, ARCHIVE_REJECTED);
	CU_ASSERT_STRING_EQUAL(in.hit.subject, "Situation report");
	CU_ASSERT_STRING_EQUAL(in.hit.originator,
	    "S=Smith; O=PJHQ; P=MOD; A= ; C=GB");
	CU_ASSERT_PTR_NULL(in.hit.decode_error);
	CU_ASSERT_STRING_EQUAL(in.sics, "AAA ZKB12");
	CU_ASSERT(strstr(in.recipients, "S=Jansen") != NULL);
	CU_ASSERT_EQUAL(in.size, b.len);
	CU_ASSERT_EQUAL_FATAL(in.nreasons, 2);
	CU_ASSERT_STRING_EQUAL(in.reasons[0].rule, "DLP-7");
	CU_ASSERT_STRING_EQUAL(in.reasons[0].text, r[0].text);
	CU_ASSERT_STRING_EQUAL(in.reasons[1].rule, "LBL-2");
	CU_ASSERT_STRING_EQUAL(in.reasons[1].text, r[1].text);
	archive_info_free(&in);
	/* Read-only means it. */
	CU_ASSERT_EQUAL(put(a, "X", &b, T0, ARCHIVE_HELD), -1);
	CU_ASSERT(strstr(errbuf, "read-only") != NULL);
	CU_ASSERT_EQUAL(archive_get(a, "nope", &raw, &len, errbuf,
	    sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "nope is not in the archive") != NULL);
	archive_close(a);
	buf_free(&b);
	teardown();
}

static void
test_digest_mismatch(void)
{
	struct archive	*a;
	struct archive_msg m;
	struct buf	 b;
	uint8_t		*raw, wrong[ARCHIVE_SHA256_LEN];
	size_t		 len;

	setup();
	a = open_rw();
	compose(&b, "Tamper target", "Original text.", "", "Smith", NULL,
	    NULL, NULL);
	CU_ASSERT_EQUAL(put(a, "T1", &b, T0, ARCHIVE_RELEASED), 0);
	CU_ASSERT_EQUAL(put(a, "T2", &b, T0, ARCHIVE_RELEASED), 0);
	archive_close(a);

	/* One byte of T1's blob changed, with SQL, behind the archive. */
	b.data[b.len - 2] ^= 0x01;
	sql("UPDATE msg_raw SET raw = ?1 WHERE rowid = "
	    "(SELECT rowid FROM msg WHERE id = 'T1')", b.data, (int)b.len);
	b.data[b.len - 2] ^= 0x01;
	/* T2's stored digest replaced instead. */
	memset(wrong, 0xab, sizeof(wrong));
	sql("UPDATE msg SET sha256 = ?1 WHERE id = 'T2'", wrong,
	    (int)sizeof(wrong));

	a = open_rw();
	raw = NULL;
	CU_ASSERT_EQUAL(archive_get(a, "T1", &raw, &len, errbuf,
	    sizeof(errbuf)), -1);
	CU_ASSERT_PTR_NULL(raw);
	CU_ASSERT(strstr(errbuf, "message T1") != NULL);
	CU_ASSERT(strstr(errbuf, "do not match") != NULL);
	CU_ASSERT(strstr(errbuf, "altered") != NULL);
	CU_ASSERT_EQUAL(archive_get(a, "T2", &raw, &len, errbuf,
	    sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "abababab") != NULL);

	/* A digest handed in must be that of the bytes. */
	msg_init(&m, "T3", &b, T0, ARCHIVE_RELEASED);
	m.sha256 = wrong;
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "not that of the bytes") != NULL);
	archive_close(a);
	buf_free(&b);
	teardown();
}

/* Five messages over five hours: the search fixture. */
static struct archive *
search_fixture(void)
{
	struct archive	*a = open_rw();

	put_composed(a, "M1", T0, ARCHIVE_RELEASED, "Exercise STEADFAST "
	    "orders", "Move to phase two.", "AAA ZKB12", "Smith", "flash");
	put_composed(a, "M2", T0 + HOUR, ARCHIVE_REJECTED, "Logistics report",
	    "Fuel stocks nominal at the depot.", "QQB", "Jones", "routine");
	put_composed(a, "M3", T0 + 2 * HOUR, ARCHIVE_HELD, "Exercise "
	    "logistics", "Convoy departs at dawn.", "ZKB12", "Brown",
	    "immediate");
	put_composed(a, "M4", T0 + 3 * HOUR, ARCHIVE_RELEASED, "Weather",
	    "Storm front; flights grounded.  Café closed.", "", "Smith",
	    NULL);
	put_composed(a, "M5", T0 + 4 * HOUR, ARCHIVE_QUARANTINED, "Personnel",
	    "Leave requests for December.", "AAA", "Muller", "flash");
	return a;
}

static void
test_search(void)
{
	struct archive		*a;
	struct archive_query	 q;

	setup();
	a = search_fixture();
	/* Words of the subject and of the body; case and diacritics fold. */
	CU_ASSERT_STRING_EQUAL(words(a, "exercise"), "M1 M3");
	CU_ASSERT_STRING_EQUAL(words(a, "FUEL"), "M2");
	CU_ASSERT_STRING_EQUAL(words(a, "cafe"), "M4");
	CU_ASSERT_STRING_EQUAL(words(a, "logist*"), "M2 M3");
	CU_ASSERT_STRING_EQUAL(words(a, "\"phase two\""), "M1");
	CU_ASSERT_STRING_EQUAL(words(a, "exercise NOT convoy"), "M1");
	CU_ASSERT_STRING_EQUAL(words(a, "subject:logistics"), "M2 M3");
	CU_ASSERT_STRING_EQUAL(words(a, "body:logistics"), "");
	/* SICs. */
	CU_ASSERT_STRING_EQUAL(words(a, "sics:ZKB12"), "M1 M3");
	CU_ASSERT_STRING_EQUAL(words(a, "sics:aaa"), "M1 M5");
	CU_ASSERT_STRING_EQUAL(words(a, "sics:QQB OR sics:AAA"), "M1 M2 M5");
	/* Originator (heading and envelope), recipients. */
	CU_ASSERT_STRING_EQUAL(words(a, "originator:smith"), "M1 M4");
	CU_ASSERT_STRING_EQUAL(words(a, "originator:muller"), "M5");
	CU_ASSERT_STRING_EQUAL(words(a, "recipients:jansen"),
	    "M1 M2 M3 M4 M5");
	CU_ASSERT_STRING_EQUAL(words(a, "originator:jansen"), "");

	/* Precedence, verdict, time range; alone and with words. */
	memset(&q, 0, sizeof(q));
	q.has_precedence = true;
	q.precedence = 4;
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M1 M5");
	q.text = "sics:AAA AND leave";
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M5");
	memset(&q, 0, sizeof(q));
	q.has_from = q.has_to = true;
	q.from = T0 + HOUR;
	q.to = T0 + 3 * HOUR;		/* inclusive at both ends */
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M2 M3 M4");
	q.text = "exercise OR weather";
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M3 M4");
	q.has_to = false;
	q.text = NULL;
	q.has_verdict = true;
	q.verdict = ARCHIVE_RELEASED;
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M4");
	memset(&q, 0, sizeof(q));
	q.limit = 2;
	CU_ASSERT_STRING_EQUAL(search(a, &q), "M1 M2");
	/* Empty ranges. */
	q.limit = 0;
	q.has_from = q.has_to = true;
	q.from = T0 + 10;
	q.to = T0 + 20;
	CU_ASSERT_STRING_EQUAL(search(a, &q), "");
	q.from = T0 + 30;
	CU_ASSERT_STRING_EQUAL(search(a, &q),
	    "ERROR search: the time range ends before it starts");
	archive_close(a);
	teardown();
}

static void
test_query_errors(void)
{
	struct archive	*a;

	setup();
	a = search_fixture();
	CU_ASSERT(strstr(words(a, "AND"), "ERROR") != NULL);
	CU_ASSERT(strstr(errbuf, "search query \"AND\"") != NULL);
	CU_ASSERT(strstr(errbuf, "syntax error") != NULL);
	CU_ASSERT(strstr(words(a, "\"open phrase"), "ERROR") != NULL);
	CU_ASSERT(strstr(errbuf, "unterminated string") != NULL);
	CU_ASSERT(strstr(words(a, "nosuch:word"), "ERROR") != NULL);
	CU_ASSERT(strstr(errbuf, "no such column: nosuch") != NULL);
	CU_ASSERT(strstr(words(a, "bad \xff utf8"), "ERROR") != NULL);
	CU_ASSERT(strstr(errbuf, "UTF-8") != NULL);
	/* The store is still usable after a refused query. */
	CU_ASSERT_STRING_EQUAL(words(a, "convoy"), "M3");
	archive_close(a);
	teardown();
}

struct purged {
	char	ids[256];
	int	calls;
	int	cancel_at;	/* 0: never */
};

static int
on_purge(const char *id, int64_t t, void *arg)
{
	struct purged	*p = arg;
	size_t		 n = strlen(p->ids);

	(void)t;
	p->calls++;
	(void)snprintf(p->ids + n, sizeof(p->ids) - n, "%s%s", n ? " " : "",
	    id);
	return p->calls == p->cancel_at ? 1 : 0;
}

static void
test_purge(void)
{
	struct archive	*a;
	struct purged	 p;
	uint8_t		*raw;
	size_t		 n, len;

	setup();
	a = search_fixture();
	/* Retention 2 hours at T0+3h: M1 (T0) and M2 (T0+1h, exactly at
	 * the limit) expire; M3.. stay. */
	memset(&p, 0, sizeof(p));
	p.cancel_at = 2;
	CU_ASSERT_EQUAL(archive_purge(a, T0 + 3 * HOUR, 2 * HOUR, on_purge,
	    &p, &n, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "cancelled") != NULL);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_STRING_EQUAL(words(a, "exercise OR logistics"), "M1 M2 M3");

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(archive_purge(a, T0 + 3 * HOUR, 2 * HOUR, on_purge,
	    &p, &n, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_STRING_EQUAL(p.ids, "M1 M2");
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_EQUAL(archive_get(a, "M1", &raw, &len, errbuf,
	    sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "not in the archive") != NULL);
	CU_ASSERT_STRING_EQUAL(words(a, "exercise OR logistics"), "M3");
	CU_ASSERT_STRING_EQUAL(words(a, "sics:AAA"), "M5");
	CU_ASSERT_EQUAL_FATAL(archive_get(a, "M3", &raw, &len, errbuf,
	    sizeof(errbuf)), 0);
	free(raw);
	/* Nothing more expired: no call. */
	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL(archive_purge(a, T0 + 3 * HOUR, 2 * HOUR, on_purge,
	    &p, &n, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(p.calls, 0);
	CU_ASSERT_EQUAL(n, 0);
	/* The full check agrees with the index after the deletes. */
	CU_ASSERT_EQUAL(archive_check(a, errbuf, sizeof(errbuf)), 0);
	archive_close(a);
	teardown();
}

static void
test_undecodable(void)
{
	struct archive		*a;
	struct archive_info	 in;
	struct archive_query	 q;
	struct buf		 junk, empty;
	uint8_t			*raw;
	size_t			 len;

	setup();
	a = open_rw();
	buf_init(&junk, 64);
	CU_ASSERT_EQUAL(buf_add(&junk, "\x30\x84\xff\xff\xff\xff not BER", 15),
	    0);
	CU_ASSERT_EQUAL(put(a, "Q1", &junk, T0, ARCHIVE_QUARANTINED), 0);
	buf_init(&empty, 1);
	CU_ASSERT_EQUAL(put(a, "Q2", &empty, T0 + 1, ARCHIVE_QUARANTINED), 0);

	CU_ASSERT_EQUAL_FATAL(archive_info(a, "Q1", &in, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in.hit.decode_error);
	CU_ASSERT(strstr(in.hit.decode_error, "offset") != NULL);
	CU_ASSERT_PTR_NULL(in.hit.subject);
	CU_ASSERT_EQUAL(in.hit.precedence, ARCHIVE_NO_PRECEDENCE);
	CU_ASSERT_EQUAL(in.size, 15);
	archive_info_free(&in);
	CU_ASSERT_EQUAL_FATAL(archive_info(a, "Q2", &in, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in.hit.decode_error);
	CU_ASSERT_STRING_EQUAL(in.hit.decode_error, "empty message (0 bytes)");
	archive_info_free(&in);

	CU_ASSERT_EQUAL_FATAL(archive_get(a, "Q1", &raw, &len, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(len, 15);
	CU_ASSERT(memcmp(raw, junk.data, 15) == 0);
	free(raw);
	CU_ASSERT_EQUAL_FATAL(archive_get(a, "Q2", &raw, &len, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(raw);
	memset(&q, 0, sizeof(q));
	q.has_verdict = true;
	q.verdict = ARCHIVE_QUARANTINED;
	CU_ASSERT_STRING_EQUAL(search(a, &q), "Q1 Q2");
	archive_close(a);
	buf_free(&junk);
	buf_free(&empty);
	teardown();
}

/* A throw-away EC originator certificate as PEM files in tmpdir. */
static void
make_signer(char *cert, char *key, size_t sz)
{
	EVP_PKEY	*k;
	X509		*x;
	X509_NAME	*n;
	FILE		*f;

	(void)snprintf(cert, sz, "%s/orig.pem", tmpdir);
	(void)snprintf(key, sz, "%s/orig.key", tmpdir);
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Archive Test", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, k);
	CU_ASSERT_FATAL(X509_sign(x, k, EVP_sha256()) != 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(cert, "w"));
	CU_ASSERT(PEM_write_X509(f, x) == 1);
	CU_ASSERT_EQUAL(fclose(f), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f = fopen(key, "w"));
	CU_ASSERT(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
	CU_ASSERT_EQUAL(fclose(f), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void
test_signed(void)
{
	struct archive	*a;
	struct buf	 b;
	char		 cert[600], key[600];

	setup();
	make_signer(cert, key, sizeof(cert));
	a = open_rw();
	compose(&b, "Signed orders", "Hold the bridge at Arnhem.", "XYZ9",
	    "Signer", "override", cert, key);
	CU_ASSERT_EQUAL(put(a, "S1", &b, T0, ARCHIVE_RELEASED), 0);
	CU_ASSERT_STRING_EQUAL(words(a, "arnhem AND sics:XYZ9 AND "
	    "subject:signed AND originator:signer"), "S1");
	archive_close(a);
	buf_free(&b);
	teardown();
}

static void
test_batch_and_again(void)
{
	struct archive		*a;
	struct archive_info	 in;
	struct archive_msg	 m;
	struct archive_reason	 r = { "REL-1", "released by the officer" };
	struct buf		 b1, b2;

	setup();
	a = open_rw();
	compose(&b1, "One", "First.", "", "Smith", "routine", NULL, NULL);
	compose(&b2, "Two", "Second.", "", "Smith", "routine", NULL, NULL);

	/* A rolled-back batch leaves nothing. */
	CU_ASSERT_EQUAL(archive_begin(a, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(archive_begin(a, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT_EQUAL(put(a, "B1", &b1, T0, ARCHIVE_HELD), 0);
	CU_ASSERT_EQUAL(archive_rollback(a, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_STRING_EQUAL(words(a, "first"), "");

	/* A refused put inside a batch does not undo the others. */
	CU_ASSERT_EQUAL(archive_begin(a, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(put(a, "B1", &b1, T0, ARCHIVE_HELD), 0);
	CU_ASSERT_EQUAL(put(a, "B1", &b2, T0, ARCHIVE_HELD), -1);
	CU_ASSERT(strstr(errbuf, "already archived with other bytes") != NULL);
	CU_ASSERT_EQUAL(put(a, "B2", &b2, T0 + 1, ARCHIVE_RELEASED), 0);
	CU_ASSERT_EQUAL(archive_commit(a, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(archive_commit(a, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT_STRING_EQUAL(words(a, "first OR second"), "B1 B2");

	/* The held message, released later: new verdict, reasons, time. */
	msg_init(&m, "B1", &b1, T0 + 50, ARCHIVE_RELEASED);
	m.reasons = &r;
	m.nreasons = 1;
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL_FATAL(archive_info(a, "B1", &in, errbuf,
	    sizeof(errbuf)), 0);
	CU_ASSERT_EQUAL(in.hit.verdict, ARCHIVE_RELEASED);
	CU_ASSERT_EQUAL(in.hit.time, T0 + 50);
	CU_ASSERT_EQUAL(in.hit.precedence, 1);	/* kept: routine */
	CU_ASSERT_EQUAL_FATAL(in.nreasons, 1);
	CU_ASSERT_STRING_EQUAL(in.reasons[0].rule, "REL-1");
	archive_info_free(&in);
	CU_ASSERT_STRING_EQUAL(words(a, "first OR second"), "B2 B1");

	/*
	 * A write failing half-way through a put (a trigger stands in for a
	 * full disk): the whole batch goes, and says so; alone, the put
	 * leaves nothing behind.
	 */
	archive_close(a);
	sql("CREATE TRIGGER fail_write BEFORE INSERT ON msg_raw WHEN "
	    "length(NEW.raw) = 7 BEGIN SELECT RAISE(ABORT, 'simulated write "
	    "failure'); END", NULL, 0);
	a = open_rw();
	{
		struct buf	seven;

		buf_init(&seven, 16);
		CU_ASSERT_EQUAL(buf_add(&seven, "7 bytes", 7), 0);
		CU_ASSERT_EQUAL(archive_begin(a, errbuf, sizeof(errbuf)), 0);
		CU_ASSERT_EQUAL(put(a, "B3", &b2, T0 + 2, ARCHIVE_HELD), 0);
		CU_ASSERT_EQUAL(put(a, "B4", &seven, T0 + 3, ARCHIVE_HELD), -1);
		CU_ASSERT(strstr(errbuf, "simulated write failure") != NULL);
		CU_ASSERT(strstr(errbuf, "(the batch was rolled back)") !=
		    NULL);
		CU_ASSERT_EQUAL(archive_commit(a, errbuf, sizeof(errbuf)), -1);
		CU_ASSERT(strstr(errbuf, "no batch is open") != NULL);
		CU_ASSERT_EQUAL(archive_info(a, "B3", &in, errbuf,
		    sizeof(errbuf)), -1);
		CU_ASSERT_EQUAL(put(a, "B4", &seven, T0 + 3, ARCHIVE_HELD), -1);
		CU_ASSERT_EQUAL(archive_info(a, "B4", &in, errbuf,
		    sizeof(errbuf)), -1);
		CU_ASSERT(strstr(errbuf, "B4 is not in the archive") != NULL);
		/* The store goes on: the rolled-back put is made again. */
		CU_ASSERT_EQUAL(put(a, "B3", &b2, T0 + 2, ARCHIVE_HELD), 0);
		CU_ASSERT_EQUAL_FATAL(archive_info(a, "B3", &in, errbuf,
		    sizeof(errbuf)), 0);
		archive_info_free(&in);
		buf_free(&seven);
	}

	/* Bad input: precise refusals. */
	m.id = "has space";
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "message id") != NULL);
	m.id = "B3";
	r.rule = "";
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "reason 1") != NULL);
	r.rule = "R";
	r.text = "\xc3\x28";
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "UTF-8") != NULL);
	m.nreasons = 0;
	m.time = -1;
	CU_ASSERT_EQUAL(archive_put(a, &m, errbuf, sizeof(errbuf)), -1);
	CU_ASSERT(strstr(errbuf, "time") != NULL);
	archive_close(a);
	buf_free(&b1);
	buf_free(&b2);
	teardown();
}

/* Overwrite n bytes at off of the store with byte c. */
static void
scribble(off_t off, size_t n, int c)
{
	uint8_t	junk[4096];
	int	fd;

	CU_ASSERT_FATAL(n <= sizeof(junk));
	memset(junk, c, n);
	CU_ASSERT_FATAL((fd = open(store, O_WRONLY)) != -1);
	CU_ASSERT_EQUAL(pwrite(fd, junk, n, off), (ssize_t)n);
	CU_ASSERT_EQUAL(close(fd), 0);
}

static int
msg_root_page(void)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 page = -1;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(store, &db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db, "SELECT rootpage FROM "
	    "sqlite_schema WHERE name = 'msg'", -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		page = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return page;
}

static void
test_refusals(void)
{
	struct archive	*a;
	int		 page;

	setup();
	/* Absent, read-only: refused with the system's reason. */
	CU_ASSERT_PTR_NULL(archive_open(store, ARCHIVE_RDONLY, errbuf,
	    sizeof(errbuf)));
	CU_ASSERT(strstr(errbuf, "No such file") != NULL);

	/*
	 * The message table's page with its cell pointers zeroed: the
	 * check names the page and the fault.
	 */
	a = search_fixture();
	archive_close(a);
	page = msg_root_page();
	CU_ASSERT_FATAL(page > 1);
	scribble((off_t)(page - 1) * 4096 + 8, 10, 0);
	CU_ASSERT_PTR_NULL(archive_open(store, 0, errbuf, sizeof(errbuf)));
	CU_ASSERT(strstr(errbuf, store) != NULL);
	CU_ASSERT(strstr(errbuf, "the store is damaged (PRAGMA quick_check")
	    != NULL);
	{
		char	want[64];

		(void)snprintf(want, sizeof(want), "page %d cell 0", page);
		CU_ASSERT(strstr(errbuf, want) != NULL);
	}
	teardown();

	/* Its header overwritten: damaged beyond reading, refused too. */
	setup();
	a = search_fixture();
	archive_close(a);
	page = msg_root_page();
	scribble((off_t)(page - 1) * 4096, 64, 0x5a);
	CU_ASSERT_PTR_NULL(archive_open(store, ARCHIVE_RDONLY, errbuf,
	    sizeof(errbuf)));
	CU_ASSERT(strstr(errbuf, "damaged") != NULL);
	CU_ASSERT(strstr(errbuf, "malformed") != NULL);
	teardown();

	/* Not a database at all. */
	setup();
	a = open_rw();
	archive_close(a);
	scribble(0, 100, 0x5a);
	CU_ASSERT_PTR_NULL(archive_open(store, 0, errbuf, sizeof(errbuf)));
	CU_ASSERT(strstr(errbuf, "not an archive store") != NULL);
	CU_ASSERT(strstr(errbuf, "not a database") != NULL);
	teardown();

	/* Another program's database. */
	setup();
	sql("CREATE TABLE t(x)", NULL, 0);
	CU_ASSERT_PTR_NULL(archive_open(store, ARCHIVE_CREATE, errbuf,
	    sizeof(errbuf)));
	CU_ASSERT(strstr(errbuf, "not an archive store") != NULL);
	teardown();

	/* A new store is private to its user, and in WAL mode. */
	setup();
	{
		struct stat	 sb;
		sqlite3		*db;
		sqlite3_stmt	*st;

		a = open_rw();
		CU_ASSERT_EQUAL(stat(store, &sb), 0);
		CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
		archive_close(a);
		CU_ASSERT_EQUAL_FATAL(sqlite3_open(store, &db), SQLITE_OK);
		CU_ASSERT_EQUAL_FATAL(sqlite3_prepare_v2(db,
		    "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
		CU_ASSERT_EQUAL(sqlite3_step(st), SQLITE_ROW);
		CU_ASSERT_STRING_EQUAL(sqlite3_column_text(st, 0), "wal");
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	teardown();
}

static void
test_times(void)
{
	char	buf[ARCHIVE_TIME_LEN];
	int64_t	t;
	int64_t	p;

	CU_ASSERT_EQUAL(archive_time_parse("2026-11-29T10:00:00Z", &t), 0);
	CU_ASSERT_EQUAL(t, T0);
	archive_time_format(t, buf);
	CU_ASSERT_STRING_EQUAL(buf, "2026-11-29T10:00:00Z");
	CU_ASSERT_EQUAL(archive_time_parse("2024-02-29T23:59:59Z", &t), 0);
	CU_ASSERT_EQUAL(archive_time_parse("2026-02-29T00:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-11-31T00:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-11-29T24:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-11-29T10:00:00", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-11-29 10:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-11-29T10:00:00+01", &t), -1);
	CU_ASSERT_EQUAL(archive_time_parse("2026-1a-29T10:00:00Z", &t), -1);
	CU_ASSERT_EQUAL(archive_precedence_parse("flash", &p), 0);
	CU_ASSERT_EQUAL(p, 4);
	CU_ASSERT_EQUAL(archive_precedence_parse("17", &p), 0);
	CU_ASSERT_EQUAL(p, 17);
	CU_ASSERT_EQUAL(archive_precedence_parse("128", &p), -1);
	CU_ASSERT_EQUAL(archive_precedence_parse("-1", &p), -1);
	CU_ASSERT_EQUAL(archive_precedence_parse("urgent", &p), -1);
}

static const struct unit_test tests[] = {
	{ "put/get round trip, byte-identical", test_round_trip },
	{ "digest mismatch after tampering", test_digest_mismatch },
	{ "search: words, SICs, originator, precedence, time", test_search },
	{ "search: query syntax errors", test_query_errors },
	{ "retention purge calls back with the expired ids", test_purge },
	{ "undecodable and empty messages kept", test_undecodable },
	{ "CMS-signed P772 indexed", test_signed },
	{ "batches, re-archiving, bad input", test_batch_and_again },
	{ "damaged, foreign and absent stores refused", test_refusals },
	{ "times and precedences", test_times },
	{ NULL, NULL }
};
UNIT_SUITE(archive, "archive", tests);
