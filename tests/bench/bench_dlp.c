/*
 * bench_dlp.c - scan rate of the leakage matcher, next to GNU grep doing
 * the same job in the same run.
 *
 * 100 MB of text (pseudo-random words from a fixed dictionary of 20,000
 * invented words, punctuation and line breaks, fixed seed) and a list of
 * 10,000 phrases (single dictionary words, two-word phrases and words that
 * never occur) are written to build/bench/.  The matcher scans the text
 * once per run, counting hits (dlp_tally_hit); grep is run as
 * `grep -F -i -w -c -f LIST TEXT` (counting matching lines, so it reads
 * everything) in the UTF-8 locale of the matcher, and again with LC_ALL=C
 * (bytes only: less work than the matcher does).  Best of 3 each; the
 * target is a ratio (matcher MB/s over grep MB/s, UTF-8) of at least 1.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "filters/dlp/dlp.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "tests/bench/bench.h"

#define TEXT_BYTES	(100u << 20)
#define DICT_WORDS	20000
#define PHRASES		10000
#define RUNS		3
#define TEXT_PATH	"build/bench/dlp-text.txt"
#define LIST_PATH	"build/bench/dlp-phrases.txt"
/*
 * grep -F -w with 10,000 phrases runs at well under 1 MB/s (each candidate
 * is re-checked for word boundaries; with -i in a UTF-8 locale it falls
 * back to its regex engine and takes minutes per megabyte), so it is timed
 * on a prefix of the same text, written as its own file.
 */
#define GREP_C_BYTES	(2u << 20)
#define GREP_U_BYTES	(32u << 10)
#define GREP_C_PATH	"build/bench/dlp-text-2m.txt"
#define GREP_U_PATH	"build/bench/dlp-text-32k.txt"

static unsigned long long	rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned
rng(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static char	dict[DICT_WORDS][12];

static void
make_word(char *w, size_t sz)
{
	size_t	i, n = 3 + rng(8);

	for (i = 0; i < n && i + 1 < sz; i++)
		w[i] = (char)('a' + rng(26));
	w[i] = '\0';
}

static char *
make_text(size_t *lenp)
{
	char	*t = xmalloc(TEXT_BYTES + 64);
	size_t	 len = 0, wl;
	unsigned col = 0;
	const char *w;

	while (len < TEXT_BYTES) {
		w = dict[rng(DICT_WORDS)];
		wl = strlen(w);
		memcpy(t + len, w, wl);
		if (rng(10) == 0)
			t[len] = (char)(t[len] - 'a' + 'A');
		len += wl;
		switch (rng(16)) {
		case 0:
			t[len++] = ',';
			break;
		case 1:
			t[len++] = '.';
			break;
		}
		col += (unsigned)wl + 1;
		if (col > 70) {
			t[len++] = '\n';
			col = 0;
		} else
			t[len++] = ' ';
	}
	*lenp = len;
	return t;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0)
		fatal("%s", path);
}

static double
time_grep(const char *locale, const char *path, int runs, long *count)
{
	char	cmd[512], out[64];
	FILE	*p;
	double	t0, best = 1e30, t;
	int	i;

	(void)snprintf(cmd, sizeof(cmd), "LC_ALL=%s grep -F -i -w -c -f %s %s",
	    locale, LIST_PATH, path);
	for (i = 0; i < runs; i++) {
		t0 = now();
		if ((p = popen(cmd, "r")) == NULL)
			fatal("popen");
		if (fgets(out, sizeof(out), p) == NULL)
			fatalx("grep printed nothing");
		if (pclose(p) == -1)
			fatal("pclose");
		t = now() - t0;
		if (t < best)
			best = t;
		*count = strtol(out, NULL, 10);
	}
	return best;
}

int
main(void)
{
	struct dlp_rule		*rules;
	struct dlp_set		*set;
	struct dlp_scratch	*sc;
	struct dlp_tally	 tally;
	char			(*phr)[32], (*ids)[16], err[256];
	char			*text, *list;
	size_t			 textlen, listlen = 0, i;
	double			 t0, tcomp, best = 1e30, t, tg, tgc, mb;
	long			 gcount, gccount;
	int			 r;

	log_init("bench_dlp", LOG_TO_STDERR, 0);
	(void)mkdir("build", 0755);
	(void)mkdir("build/bench", 0755);
	for (i = 0; i < DICT_WORDS; i++)
		make_word(dict[i], sizeof(dict[i]));
	text = make_text(&textlen);
	write_file(TEXT_PATH, text, textlen);

	rules = xcalloc(PHRASES, sizeof(*rules));
	phr = xcalloc(PHRASES, sizeof(*phr));
	ids = xcalloc(PHRASES, sizeof(*ids));
	list = xmalloc(PHRASES * sizeof(*phr));
	for (i = 0; i < PHRASES; i++) {
		switch (i % 4) {
		case 0:		/* a word that never occurs */
			phr[i][0] = 'q';
			make_word(phr[i] + 1, sizeof(phr[i]) - 1);
			(void)memcpy(phr[i] + strlen(phr[i]), "zq", 3);
			break;
		case 1:		/* two words */
			(void)snprintf(phr[i], sizeof(phr[i]), "%s %s",
			    dict[rng(DICT_WORDS)], dict[rng(DICT_WORDS)]);
			break;
		default:	/* one word of the dictionary */
			(void)snprintf(phr[i], sizeof(phr[i]), "%s",
			    dict[rng(DICT_WORDS)]);
		}
		(void)snprintf(ids[i], sizeof(ids[i]), "P%zu", i);
		rules[i].id = ids[i];
		rules[i].phrase = phr[i];
		rules[i].weight = 1;
		listlen += (size_t)snprintf(list + listlen,
		    PHRASES * sizeof(*phr) - listlen, "%s\n", phr[i]);
	}
	write_file(LIST_PATH, list, listlen);

	t0 = now();
	if ((set = dlp_compile(rules, PHRASES, 0, err, sizeof(err))) == NULL)
		fatalx("compile: %s", err);
	tcomp = now() - t0;
	if ((sc = dlp_scratch_new(set, err, sizeof(err))) == NULL)
		fatalx("scratch: %s", err);
	for (i = 0; i < RUNS; i++) {
		memset(&tally, 0, sizeof(tally));
		t0 = now();
		r = dlp_scan(set, sc, text, textlen, "bench", dlp_tally_hit,
		    &tally, err, sizeof(err));
		t = now() - t0;
		if (r != 0)
			fatalx("scan: %s", err);
		if (t < best)
			best = t;
	}
	write_file(GREP_C_PATH, text, GREP_C_BYTES);
	write_file(GREP_U_PATH, text, GREP_U_BYTES);
	tgc = time_grep("C", GREP_C_PATH, RUNS, &gccount) /
	    ((double)GREP_C_BYTES / (double)textlen);
	tg = time_grep("C.UTF-8", GREP_U_PATH, 1, &gcount) /
	    ((double)GREP_U_BYTES / (double)textlen);

	mb = (double)textlen / 1e6;
	printf("bench_dlp: %zu phrases compiled in %.1f ms; %.1f MB text\n",
	    dlp_count(set), tcomp * 1e3, mb);
	printf("bench_dlp: dlp_scan        %8.1f MB/s  (%zu hits, best of "
	    "%d)\n", mb / best, tally.hits, RUNS);
	printf("bench_dlp: grep (C, bytes) %8.3f MB/s  (%ld matching lines "
	    "in the first %u MB, best of %d)\n", mb / tgc, gccount,
	    GREP_C_BYTES >> 20, RUNS);
	printf("bench_dlp: grep (C.UTF-8)  %8.3f MB/s  (%ld matching lines "
	    "in the first %u KB, one run)\n", mb / tg, gcount,
	    GREP_U_BYTES >> 10);
	printf("bench_dlp: ratio dlp/grep  %.0f (C locale, target >= 1.0), "
	    "%.0f (UTF-8)\n", tgc / best, tg / best);

	dlp_scratch_free(sc);
	dlp_free(set);
	free(rules);
	free(phr);
	free(ids);
	free(list);
	free(text);
	return 0;
}
