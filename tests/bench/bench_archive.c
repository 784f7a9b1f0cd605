/*
 * bench_archive.c - the message archive at 100,000 messages: archiving
 * rate (durable: synchronous=FULL, each batch fsync'd) and search latency.
 *
 * The messages are real: P772 SPECs with varied subjects and text (words
 * drawn with a Zipf-like skew from a generated 3,000-word vocabulary, so
 * some words are in most messages and most words in few), one to three
 * SICs of 400, originators of 1,200, every precedence, composed with the
 * guard's SPEC parser and DER encoder (generation is not timed).  Each
 * put decodes the message with the strict decoder, hashes it, and indexes
 * subject, text, SICs, originator and recipients, as the archive role
 * will.
 *
 * Figures:
 *   - archive_put rate unbatched (one transaction and fsync per message,
 *     on 1,000 messages) and in batches of 100 (the whole 100,000), and
 *     their ratio;
 *   - search latency p50 / p99 / max over a set of queries (rare and
 *     common words, AND, phrases, SICs, originators, words with a one-day
 *     time range and a precedence, filters alone), results capped at
 *     1,000 as mmguard-archive does by default;
 *   - open time (with quick_check), full check time, store size, and a
 *     purge of the oldest tenth.
 * Run from the top of the tree: the store lives under build/bench/ (a
 * real disk, so fsync costs what it costs).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/archive/archive.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "tests/bench/bench.h"

#ifndef NMSG
#define NMSG		100000
#endif
#define NUNBATCHED	1000
#define BATCH		100
#define NWORDS		3000
#define NSICS		400
#define NNAMES		1200
#define LIMIT		1000
#define T0		INT64_C(1795946400)	/* 2026-11-29T10:00:00Z */
#define STEP		30			/* seconds between messages */

static char	 vocab[NWORDS][16];
static char	 sics[NSICS][8];
static char	 names[NNAMES][16];
static uint64_t	 rng = 0x9e3779b97f4a7c15ULL;

static double
cpu(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

/* Skewed towards low indexes: index = n * u^3. */
static uint32_t
zipfish(uint32_t n)
{
	double	u = (double)rnd(1000000) / 1e6;

	return (uint32_t)(u * u * u * n);
}

static void
make_word(char *w, size_t sz, unsigned syllables, int upper)
{
	static const char *const syl[] = { "ka", "ro", "mi", "ten", "sar",
	    "vo", "lin", "dra", "pe", "tos", "gar", "nu", "bel", "ith", "om",
	    "ska", "fen", "ru", "zal", "cor", "eth", "mar", "qui", "ban" };
	size_t	n = 0;
	unsigned i;

	for (i = 0; i < syllables; i++)
		n += (size_t)snprintf(w + n, sz - n, "%s",
		    syl[rnd(sizeof(syl) / sizeof(*syl))]);
	if (upper)
		w[0] = (char)(w[0] - 'a' + 'A');
}

static void
make_vocabulary(void)
{
	unsigned	i;

	for (i = 0; i < NWORDS; i++)
		make_word(vocab[i], sizeof(vocab[i]), 2 + rnd(3), 0);
	for (i = 0; i < NSICS; i++)
		(void)snprintf(sics[i], sizeof(sics[i]), "%c%c%c%u",
		    'A' + (char)rnd(26), 'A' + (char)rnd(26),
		    'A' + (char)rnd(26), rnd(100));
	for (i = 0; i < NNAMES; i++)
		make_word(names[i], sizeof(names[i]), 2 + rnd(2), 1);
}

static void
add(struct buf *b, const char *s)
{
	if (buf_add(b, s, strlen(s)) == -1)
		fatalx("spec too large");
}

static void
add_words(struct buf *b, unsigned n, unsigned per_line)
{
	unsigned	i;

	for (i = 0; i < n; i++) {
		add(b, vocab[zipfish(NWORDS)]);
		add(b, (i + 1) % per_line == 0 ? "\n" : " ");
	}
	add(b, "\n");
}

/* Message i, encoded into out. */
static void
make_msg(unsigned i, struct buf *out)
{
	static const char *const prec[] = { "deferred", "routine", "routine",
	    "routine", "priority", "priority", "immediate", "flash",
	    "override" };
	struct x400_dec	 d;
	struct x400_msg	*m;
	struct buf	 spec;
	char		 line[512], err[512];
	const char	*who = names[zipfish(NNAMES)];
	unsigned	 k, nsic = 1 + rnd(3);

	buf_init(&spec, 1 << 20);
	(void)snprintf(line, sizeof(line),
	    "message-id: C=GB; A= ; P=MOD; L=BENCH-%u\n"
	    "originator: S=%s; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "recipient: S=%s; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "[heading]\nthis-ipm: local=%u\n"
	    "to: S=%s; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "primary-precedence: %s\nsubject: ", i, who,
	    names[rnd(NNAMES)], i, names[rnd(NNAMES)],
	    prec[rnd(sizeof(prec) / sizeof(*prec))]);
	add(&spec, line);
	add_words(&spec, 3 + rnd(6), 100);
	for (k = 0; k < nsic; k++) {
		(void)snprintf(line, sizeof(line), "sic: %s\n",
		    sics[zipfish(NSICS)]);
		add(&spec, line);
	}
	add(&spec, "[body ia5-text]\n");
	add_words(&spec, 40 + rnd(120), 12);
	if (x400_spec_parse(&d, "bench", ".", (const char *)spec.data,
	    spec.len, &m, NULL, err, sizeof(err)) == -1)
		fatalx("%s", err);
	buf_reset(out);
	if (x400_encode(m, 0, out) == -1)
		fatalx("message %u cannot be encoded", i);
	x400_dec_free(&d);
	buf_free(&spec);
}

struct spent {
	double	wall, cpu;
};

static void
put(struct archive *a, unsigned i, const struct buf *raw, struct spent *sp)
{
	struct archive_msg	m;
	struct archive_reason	r = { "BENCH-1", "benchmark traffic" };
	char			id[32], err[1024];
	double			t, c;

	(void)snprintf(id, sizeof(id), "BENCH-%06u", i);
	memset(&m, 0, sizeof(m));
	m.id = id;
	m.raw = raw->data;
	m.rawlen = raw->len;
	m.time = T0 + (int64_t)i * STEP;
	m.precedence = ARCHIVE_NO_PRECEDENCE;
	m.verdict = (enum archive_verdict)(i % 7 == 0 ? ARCHIVE_REJECTED :
	    ARCHIVE_RELEASED);
	m.reasons = &r;
	m.nreasons = 1;
	t = now();
	c = cpu();
	if (archive_put(a, &m, err, sizeof(err)) == -1)
		fatalx("%s", err);
	sp->wall += now() - t;
	sp->cpu += cpu() - c;
}

/* Begin or commit a batch, its time counted with the puts. */
static void
batch(struct archive *a, int commit, struct spent *sp)
{
	char	err[1024];
	double	t = now(), c = cpu();

	if ((commit ? archive_commit(a, err, sizeof(err)) :
	    archive_begin(a, err, sizeof(err))) == -1)
		fatalx("%s", err);
	sp->wall += now() - t;
	sp->cpu += cpu() - c;
}

static int
count_hit(const struct archive_hit *h, void *arg)
{
	(void)h;
	(*(size_t *)arg)++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The query set: text (or NULL) and filters. */
static size_t
make_queries(struct archive_query *q, char text[][128], size_t max)
{
	size_t		n = 0, k;
	uint32_t	w;

	memset(q, 0, max * sizeof(*q));
	/* Single words, from the most common to rare ones. */
	for (k = 0; k < 40 && n < max; k++, n++) {
		w = k < 10 ? (uint32_t)k : k < 20 ? 100 + rnd(400) :
		    1000 + rnd(NWORDS - 1000);
		(void)snprintf(text[n], 128, "%s", vocab[w]);
	}
	for (k = 0; k < 30 && n < max; k++, n++)
		(void)snprintf(text[n], 128, "%s AND %s", vocab[rnd(300)],
		    vocab[rnd(NWORDS)]);
	for (k = 0; k < 20 && n < max; k++, n++)
		(void)snprintf(text[n], 128, "\"%s %s\"", vocab[rnd(50)],
		    vocab[rnd(50)]);
	for (k = 0; k < 30 && n < max; k++, n++)
		(void)snprintf(text[n], 128, "sics:%s", sics[rnd(NSICS)]);
	for (k = 0; k < 30 && n < max; k++, n++)
		(void)snprintf(text[n], 128, "originator:%s",
		    names[rnd(NNAMES)]);
	for (k = 0; k < 30 && n < max; k++, n++) {
		(void)snprintf(text[n], 128, "%s", vocab[rnd(500)]);
		q[n].has_from = q[n].has_to = true;
		q[n].from = T0 + (int64_t)rnd(NMSG) * STEP;
		q[n].to = q[n].from + 86400;
		q[n].has_precedence = k % 2 == 0;
		q[n].precedence = 4;
	}
	for (k = 0; k < 20 && n < max; k++, n++) {
		text[n][0] = '\0';
		q[n].has_from = q[n].has_to = true;
		q[n].from = T0 + (int64_t)rnd(NMSG) * STEP;
		q[n].to = q[n].from + 3600;
		q[n].has_verdict = k % 2 == 0;
		q[n].verdict = ARCHIVE_REJECTED;
	}
	for (k = 0; k < n; k++) {
		q[k].text = text[k];
		q[k].limit = LIMIT + 1;
	}
	return n;
}

static void
search_bench(struct archive *a)
{
	enum { MAXQ = 256, ROUNDS = 3 };
	static struct archive_query	q[MAXQ];
	static char			text[MAXQ][128];
	static double			lat[MAXQ * ROUNDS];
	size_t				nq, i, r, hits, total = 0, capped = 0;
	char				err[1024];
	double				t;

	nq = make_queries(q, text, MAXQ);
	for (r = 0; r < ROUNDS; r++)
		for (i = 0; i < nq; i++) {
			hits = 0;
			t = now();
			if (archive_search(a, &q[i], count_hit, &hits, err,
			    sizeof(err)) == -1)
				fatalx("%s", err);
			lat[r * nq + i] = now() - t;
			if (r == 0) {
				total += hits;
				capped += hits > LIMIT;
			}
		}
	qsort(lat, nq * ROUNDS, sizeof(*lat), cmp_double);
	printf("  search, %zu queries x %d rounds (%zu results per round, "
	    "%zu queries hit the %d cap):\n", nq, ROUNDS, total, capped,
	    LIMIT);
	printf("    p50 %8.2f ms   p99 %8.2f ms   max %8.2f ms\n",
	    lat[nq * ROUNDS / 2] * 1e3, lat[nq * ROUNDS * 99 / 100] * 1e3,
	    lat[nq * ROUNDS - 1] * 1e3);
}

static void
rm_store(const char *dir, const char *path)
{
	char	p[700];

	(void)snprintf(p, sizeof(p), "%s-wal", path);
	(void)unlink(p);
	(void)snprintf(p, sizeof(p), "%s-shm", path);
	(void)unlink(p);
	(void)unlink(path);
	(void)rmdir(dir);
}

static int
purge_count(const char *id, int64_t t, void *arg)
{
	(void)id;
	(void)t;
	(*(size_t *)arg)++;
	return 0;
}

int
main(void)
{
	struct archive	*a;
	struct buf	 raw;
	struct stat	 sb;
	char		 dir[] = "build/bench/archive.XXXXXX", path[600];
	char		 err[1024];
	struct spent	 unbatched, batched;
	double		 t, t_open, t_check;
	size_t		 bytes = 0, n, calls = 0;
	unsigned	 i;

	log_init("bench_archive", LOG_TO_STDERR, 0);
	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp %s (run from the top of the tree)", dir);
	(void)snprintf(path, sizeof(path), "%s/archive.sqlite", dir);
	make_vocabulary();
	buf_init(&raw, 1 << 20);
	if ((a = archive_open(path, ARCHIVE_CREATE, err, sizeof(err))) == NULL)
		fatalx("%s", err);

	/* One transaction and one fsync per message. */
	memset(&unbatched, 0, sizeof(unbatched));
	for (i = 0; i < NUNBATCHED; i++) {
		make_msg(i, &raw);
		bytes += raw.len;
		put(a, i, &raw, &unbatched);
	}

	/* The rest in batches of BATCH. */
	memset(&batched, 0, sizeof(batched));
	for (; i < NMSG; i++) {
		if ((i - NUNBATCHED) % BATCH == 0)
			batch(a, 0, &batched);
		make_msg(i, &raw);
		bytes += raw.len;
		put(a, i, &raw, &batched);
		if ((i - NUNBATCHED) % BATCH == BATCH - 1 || i == NMSG - 1)
			batch(a, 1, &batched);
	}
	archive_close(a);

	printf("archive, %d real P772 messages (%.0f bytes each on average):\n",
	    NMSG, (double)bytes / NMSG);
	printf("  archive_put, durable, unbatched:     %6.0f msg/s  "
	    "(CPU %4.0f us/msg)\n", NUNBATCHED / unbatched.wall,
	    unbatched.cpu / NUNBATCHED * 1e6);
	printf("  archive_put, durable, batches of %d: %6.0f msg/s  "
	    "(CPU %4.0f us/msg)  batched/unbatched x%.1f\n", BATCH,
	    (NMSG - NUNBATCHED) / batched.wall,
	    batched.cpu / (NMSG - NUNBATCHED) * 1e6,
	    unbatched.wall / NUNBATCHED / (batched.wall /
	    (NMSG - NUNBATCHED)));

	t = now();
	if ((a = archive_open(path, 0, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	t_open = now() - t;
	if (stat(path, &sb) == -1)
		fatal("%s", path);
	search_bench(a);
	t = now();
	if (archive_check(a, err, sizeof(err)) == -1)
		fatalx("%s", err);
	t_check = now() - t;
	printf("  store: %.1f MB; open with quick_check %.2f s; full "
	    "integrity check %.2f s\n", (double)sb.st_size / 1e6, t_open,
	    t_check);
	t = now();
	if (archive_purge(a, T0 + (int64_t)NMSG / 10 * STEP, 1, purge_count,
	    &calls, &n, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (n != calls || n != NMSG / 10)
		fatalx("purge removed %zu (called back %zu), expected %d", n,
		    calls, NMSG / 10);
	printf("  purge of the oldest %zu: %.2f s (%.0f msg/s)\n", n,
	    now() - t, (double)n / (now() - t));
	archive_close(a);
	buf_free(&raw);
	rm_store(dir, path);
	return 0;
}
