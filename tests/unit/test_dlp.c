/*
 * test_dlp.c - the leakage matcher: folding (case, diacritics, full-width,
 * ligatures), word boundaries on UTF-8, separators ignored on request,
 * hits mapped back to exact offsets in the original text, overlapping
 * phrases, a 10,000-phrase set, and hostile input (invalid UTF-8, regex
 * metacharacters, empty text).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/dlp/dlp.h"
#include "guard/common/xmalloc.h"
#include "tests/unit/unit.h"

#define MAX_HITS	64

struct got {
	size_t		 n;
	struct {
		char	 id[32];
		int	 weight;
		size_t	 off, len;
		char	 where[32];
	} h[MAX_HITS];
};

static int
collect(const struct dlp_hit *h, void *arg)
{
	struct got	*g = arg;

	if (g->n < MAX_HITS) {
		(void)snprintf(g->h[g->n].id, sizeof(g->h[g->n].id), "%s",
		    h->id);
		(void)snprintf(g->h[g->n].where, sizeof(g->h[g->n].where),
		    "%s", h->where);
		g->h[g->n].weight = h->weight;
		g->h[g->n].off = h->off;
		g->h[g->n].len = h->len;
	}
	g->n++;
	return 0;
}

/* Scan text with a one-off set; returns the number of hits. */
static size_t
scan_rules(const struct dlp_rule *r, size_t nr, unsigned flags,
    const char *text, size_t len, struct got *g)
{
	struct dlp_set		*set;
	struct dlp_scratch	*sc;
	char			 err[256];

	memset(g, 0, sizeof(*g));
	set = dlp_compile(r, nr, flags, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	sc = dlp_scratch_new(set, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_EQUAL(dlp_scan(set, sc, text, len, "body part 1", collect,
	    g, err, sizeof(err)), 0);
	dlp_scratch_free(sc);
	dlp_free(set);
	return g->n;
}

static size_t
scan1(const char *phrase, unsigned flags, const char *text, struct got *g)
{
	struct dlp_rule	r = { "R1", phrase, 5 };

	return scan_rules(&r, 1, flags, text, strlen(text), g);
}

static size_t
hits1(const char *phrase, unsigned flags, const char *text)
{
	struct got	g;

	return scan1(phrase, flags, text, &g);
}

static void
test_case_insensitive(void)
{
	struct got	g;

	CU_ASSERT_EQUAL(scan1("secret", 0, "This is SeCrEt stuff", &g), 1);
	CU_ASSERT_STRING_EQUAL(g.h[0].id, "R1");
	CU_ASSERT_EQUAL(g.h[0].weight, 5);
	CU_ASSERT_STRING_EQUAL(g.h[0].where, "body part 1");
	CU_ASSERT_EQUAL(g.h[0].off, 8);
	CU_ASSERT_EQUAL(g.h[0].len, 6);
	CU_ASSERT_EQUAL(hits1("SECRET", 0, "secret"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "SECRET secret Secret"), 3);
}

static void
test_word_bounded(void)
{
	CU_ASSERT_EQUAL(hits1("secret", 0, "the secretary"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "topsecret"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret2"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "2secret"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret,"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "(secret)"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "a_secret_b"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "line\nsecret\n"), 1);
}

static void
test_multi_word(void)
{
	struct got	g;

	CU_ASSERT_EQUAL(scan1("top secret", 0, "it is Top Secret.", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 6);
	CU_ASSERT_EQUAL(g.h[0].len, 10);
	/* Whitespace runs, line breaks and no-break spaces are one space. */
	CU_ASSERT_EQUAL(scan1("top secret", 0, "top \t\r\n secret", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 0);
	CU_ASSERT_EQUAL(g.h[0].len, 14);
	CU_ASSERT_EQUAL(hits1("top secret", 0, "top\xc2\xa0secret"), 1);
	CU_ASSERT_EQUAL(hits1("  top   secret ", 0, "top secret"), 1);
	CU_ASSERT_EQUAL(hits1("top secret", 0, "top secretary"), 0);
	CU_ASSERT_EQUAL(hits1("top secret", 0, "topsecret"), 0);
}

static void
test_utf8_word_chars(void)
{
	/* é, ß, Cyrillic and CJK letters are word characters. */
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret\xc3\xa9"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "\xc3\x9fsecret"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret\xd0\xb4"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "\xe6\xbc\xa2secret"), 0);
	/* Non-ASCII punctuation and spaces are not. */
	CU_ASSERT_EQUAL(hits1("secret", 0, "\xc2\xabsecret\xc2\xbb"), 1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "\xe2\x80\x9csecret\xe2\x80\x9d"),
	    1);
	CU_ASSERT_EQUAL(hits1("secret", 0, "\xe3\x80\x80secret\xe3\x80\x82"),
	    1);
}

static void
test_diacritics(void)
{
	struct got	g;

	/* "SÉCRET" (precomposed) and "se\u0301cret" (decomposed). */
	CU_ASSERT_EQUAL(scan1("secret", 0, "x S\xc3\x89" "CRET y", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 2);
	CU_ASSERT_EQUAL(g.h[0].len, 7);
	CU_ASSERT_EQUAL(scan1("secret", 0, "se\xcc\x81" "cret", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 0);
	CU_ASSERT_EQUAL(g.h[0].len, 8);
	/* The phrase is folded too; Latin Extended-A and ligature letters. */
	CU_ASSERT_EQUAL(hits1("s\xc3\xa9" "cret", 0, "SECRET"), 1);
	CU_ASSERT_EQUAL(hits1("lodz", 0, "\xc5\x81\xc3\xb3" "d\xc5\xba"), 1);
	CU_ASSERT_EQUAL(hits1("strasse", 0, "STRA\xc3\x9f" "E"), 1);
	CU_ASSERT_EQUAL(hits1("oeuvre", 0, "\xc5\x92uvre"), 1);
	/* Greek and Cyrillic case folding. */
	CU_ASSERT_EQUAL(hits1("\xce\xb1\xce\xbb\xcf\x86\xce\xb1", 0,
	    "\xce\x91\xce\x9b\xce\xa6\xce\x91"), 1);
	CU_ASSERT_EQUAL(hits1("\xd1\x81\xd0\xb5\xd0\xba\xd1\x80\xd0\xb5\xd1\x82",
	    0, "\xd0\xa1\xd0\x95\xd0\x9a\xd0\xa0\xd0\x95\xd0\xa2"), 1);
}

static void
test_fullwidth_ligature(void)
{
	struct got	g;

	/* "ｓｅｃｒｅｔ" in full-width capitals, after a two-byte prefix. */
	CU_ASSERT_EQUAL(scan1("secret", 0, "\xc3\xa0 "
	    "\xef\xbc\xb3\xef\xbc\xa5\xef\xbc\xa3\xef\xbc\xb2\xef\xbc\xa5"
	    "\xef\xbc\xb4!", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 3);
	CU_ASSERT_EQUAL(g.h[0].len, 18);
	/* "conﬁdential" with U+FB01. */
	CU_ASSERT_EQUAL(scan1("confidential", 0, "con\xef\xac\x81" "dential",
	    &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 0);
	CU_ASSERT_EQUAL(g.h[0].len, 13);
	/* A hit must not start or end inside a ligature. */
	CU_ASSERT_EQUAL(hits1("i", 0, "\xef\xac\x81"), 0);
	CU_ASSERT_EQUAL(hits1("fi", 0, "\xef\xac\x81"), 1);
}

static void
test_separators(void)
{
	struct got	g;

	CU_ASSERT_EQUAL(hits1("secret", 0, "S.E.C.R.E.T"), 0);
	CU_ASSERT_EQUAL(hits1("secret", 0, "S E C R E T"), 0);
	CU_ASSERT_EQUAL(scan1("secret", DLP_IGNORE_SEPARATORS,
	    "x S.E.C.R.E.T y", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 2);
	CU_ASSERT_EQUAL(g.h[0].len, 11);
	CU_ASSERT_EQUAL(scan1("secret", DLP_IGNORE_SEPARATORS,
	    "\xc3\xa9t\xc3\xa9: S E C R E T", &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 7);
	CU_ASSERT_EQUAL(g.h[0].len, 11);
	CU_ASSERT_EQUAL(hits1("secret", DLP_IGNORE_SEPARATORS, "s-e_c/r\xe2\x80"
	    "\x94" "e t"), 1);
	CU_ASSERT_EQUAL(hits1("top secret", DLP_IGNORE_SEPARATORS,
	    "T.O.P S.E.C.R.E.T"), 1);
	/* Plain text is still found, once, and boundaries still hold. */
	CU_ASSERT_EQUAL(hits1("secret", DLP_IGNORE_SEPARATORS, "a secret"), 1);
	CU_ASSERT_EQUAL(hits1("secret", DLP_IGNORE_SEPARATORS,
	    "thesecretplan"), 0);
	CU_ASSERT_EQUAL(hits1("secret", DLP_IGNORE_SEPARATORS, "secretary"),
	    0);
}

static void
test_offsets(void)
{
	struct got	g;
	/* Multi-byte prefix: "Ünïcödé — " is 16 bytes. */
	const char	text[] = "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 "
	    "\xe2\x80\x94 NATO r\xc3\xa9stricted";

	CU_ASSERT_EQUAL(scan1("restricted", 0, text, &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 21);
	CU_ASSERT_EQUAL(g.h[0].len, 11);
	CU_ASSERT_EQUAL(memcmp(text + g.h[0].off, "r\xc3\xa9stricted", 11),
	    0);
	CU_ASSERT_EQUAL(scan1("nato", 0, text, &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 16);
	CU_ASSERT_EQUAL(g.h[0].len, 4);
}

static void
test_overlapping(void)
{
	struct dlp_rule	 r[] = {
		{ "TS", "top secret", 10 },
		{ "S", "secret", 3 },
		{ "SP", "secret plan", 7 },
		{ "S2", "secret", 1 },
	};
	struct got	 g;
	size_t		 i;
	int		 seen[4] = { 0 }, sum = 0;

	CU_ASSERT_EQUAL(scan_rules(r, 4, 0, "top secret plan", 15, &g), 4);
	for (i = 0; i < g.n; i++) {
		sum += g.h[i].weight;
		if (strcmp(g.h[i].id, "TS") == 0) {
			seen[0]++;
			CU_ASSERT_EQUAL(g.h[i].off, 0);
			CU_ASSERT_EQUAL(g.h[i].len, 10);
		} else if (strcmp(g.h[i].id, "SP") == 0) {
			seen[2]++;
			CU_ASSERT_EQUAL(g.h[i].off, 4);
			CU_ASSERT_EQUAL(g.h[i].len, 11);
		} else {
			seen[strcmp(g.h[i].id, "S") == 0 ? 1 : 3]++;
			CU_ASSERT_EQUAL(g.h[i].off, 4);
			CU_ASSERT_EQUAL(g.h[i].len, 6);
		}
	}
	CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1 &&
	    seen[3] == 1);
	CU_ASSERT_EQUAL(sum, 21);
}

static void
test_tally_and_stop(void)
{
	struct dlp_rule		 r[] = {
		{ "A", "alpha", 2 },
		{ "B", "bravo", 5 },
	};
	struct dlp_set		*set;
	struct dlp_scratch	*sc;
	struct dlp_tally	 t = { 0, 0 };
	char			 err[256];
	const char		*text = "alpha bravo alpha";

	set = dlp_compile(r, 2, 0, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(dlp_count(set), 2);
	sc = dlp_scratch_new(set, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_EQUAL(dlp_scan(set, sc, text, strlen(text), "subject",
	    dlp_tally_hit, &t, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(t.hits, 3);
	CU_ASSERT_EQUAL(t.score, 9);
	dlp_scratch_free(sc);
	dlp_free(set);
}

/* A deterministic pseudo-random phrase: "q" + letters, 6..11 bytes. */
static void
big_phrase(unsigned long *seed, char *out, size_t sz)
{
	size_t	i, n;

	*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
	n = 5 + (*seed >> 33) % 6;
	out[0] = 'q';
	for (i = 1; i <= n && i + 1 < sz; i++) {
		*seed = *seed * 6364136223846793005UL + 1442695040888963407UL;
		out[i] = (char)('a' + (*seed >> 33) % 26);
	}
	out[i] = '\0';
}

static void
test_big_set(void)
{
	enum { N = 10000 };
	struct dlp_rule		*r;
	char			(*ph)[16], (*id)[16];
	struct dlp_set		*set;
	struct dlp_scratch	*sc;
	struct got		 g;
	char			 err[256], text[256];
	unsigned long		 seed = 42;
	size_t			 i;

	r = xcalloc(N, sizeof(*r));
	ph = xcalloc(N, sizeof(*ph));
	id = xcalloc(N, sizeof(*id));
	for (i = 0; i < N; i++) {
		big_phrase(&seed, ph[i], sizeof(ph[i]));
		(void)snprintf(id[i], sizeof(id[i]), "P%zu", i);
		r[i].id = id[i];
		r[i].phrase = ph[i];
		r[i].weight = 1;
	}
	set = dlp_compile(r, N, 0, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(set);
	CU_ASSERT_EQUAL(dlp_count(set), N);
	sc = dlp_scratch_new(set, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	(void)snprintf(text, sizeof(text), "Benign words, then %s and "
	    "(%s) but not x%s.", ph[1234], ph[9999], ph[5000]);
	memset(&g, 0, sizeof(g));
	CU_ASSERT_EQUAL(dlp_scan(set, sc, text, strlen(text), "body", collect,
	    &g, err, sizeof(err)), 0);
	/* Random phrases may repeat; every hit must be one of the two. */
	CU_ASSERT(g.n >= 2);
	for (i = 0; i < g.n && i < MAX_HITS; i++)
		CU_ASSERT(strncmp(text + g.h[i].off, ph[1234], g.h[i].len) ==
		    0 || strncmp(text + g.h[i].off, ph[9999], g.h[i].len) == 0);
	CU_ASSERT_EQUAL(g.h[0].off, 19);
	dlp_scratch_free(sc);
	dlp_free(set);
	free(r);
	free(ph);
	free(id);
}

static void
test_empty_and_invalid(void)
{
	struct got	g;
	const char	bad[] = "\xff" "secret\x80 \xc3(secret\xed\xa0\x80 "
	    "se\xffret";

	CU_ASSERT_EQUAL(scan_rules(&(struct dlp_rule){ "R", "secret", 1 }, 1,
	    0, "", 0, &g), 0);
	CU_ASSERT_EQUAL(scan_rules(&(struct dlp_rule){ "R", "secret", 1 }, 1,
	    DLP_IGNORE_SEPARATORS, "", 0, &g), 0);
	/* Invalid bytes neither hide a word nor join one. */
	CU_ASSERT_EQUAL(scan1("secret", 0, bad, &g), 2);
	CU_ASSERT_EQUAL(g.h[0].off, 1);
	CU_ASSERT_EQUAL(g.h[0].len, 6);
	CU_ASSERT_EQUAL(g.h[1].off, 11);
	CU_ASSERT_EQUAL(g.h[1].len, 6);
	CU_ASSERT_EQUAL(scan_rules(&(struct dlp_rule){ "R", "secret", 1 }, 1,
	    DLP_IGNORE_SEPARATORS, bad, sizeof(bad) - 1, &g), 2);
	/* NUL bytes are text, not an end. */
	CU_ASSERT_EQUAL(scan_rules(&(struct dlp_rule){ "R", "secret", 1 }, 1,
	    0, "a\0secret\0", 9, &g), 1);
	CU_ASSERT_EQUAL(g.h[0].off, 2);
	/* A truncated sequence at the very end. */
	CU_ASSERT_EQUAL(hits1("secret", 0, "secret \xe2\x80"), 1);
}

static void
test_metacharacters(void)
{
	CU_ASSERT_EQUAL(hits1("a.b", 0, "axb"), 0);
	CU_ASSERT_EQUAL(hits1("a.b", 0, "see a.b now"), 1);
	CU_ASSERT_EQUAL(hits1("a.b", DLP_IGNORE_SEPARATORS, "axb"), 0);
	CU_ASSERT_EQUAL(hits1("c++", 0, "we use c++ here"), 1);
	CU_ASSERT_EQUAL(hits1("(x|y)*", 0, "(x|y)*"), 1);
	CU_ASSERT_EQUAL(hits1("(x|y)*", 0, "xxyy"), 0);
	CU_ASSERT_EQUAL(hits1("[a-z]+\\d", 0, "abc1"), 0);
	CU_ASSERT_EQUAL(hits1("^$", 0, "x ^$ y"), 1);
}

static void
test_compile_errors(void)
{
	struct dlp_rule	 r = { "R", "secret", 1 };
	char		 err[256];

	err[0] = '\0';
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 0, 0, err, sizeof(err)));
	CU_ASSERT(err[0] != '\0');
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 1, 0x80, err, sizeof(err)));
	r.phrase = "   ";
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 1, 0, err, sizeof(err)));
	CU_ASSERT(strstr(err, "R") != NULL);
	r.phrase = "...";
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 1, DLP_IGNORE_SEPARATORS, err,
	    sizeof(err)));
	r.phrase = "bad \xff";
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 1, 0, err, sizeof(err)));
	CU_ASSERT(strstr(err, "UTF-8") != NULL);
	r.phrase = NULL;
	CU_ASSERT_PTR_NULL(dlp_compile(&r, 1, 0, err, sizeof(err)));
}

static const struct unit_test tests[] = {
	{ "case-insensitive", test_case_insensitive },
	{ "word-bounded", test_word_bounded },
	{ "multi-word phrases", test_multi_word },
	{ "UTF-8 letters are word characters", test_utf8_word_chars },
	{ "diacritics, Greek, Cyrillic", test_diacritics },
	{ "full-width and ligatures", test_fullwidth_ligature },
	{ "separators ignored on request", test_separators },
	{ "offsets in the original text", test_offsets },
	{ "overlapping phrases", test_overlapping },
	{ "tally and weights", test_tally_and_stop },
	{ "10,000-phrase set", test_big_set },
	{ "empty text, invalid UTF-8", test_empty_and_invalid },
	{ "regex metacharacters are literal", test_metacharacters },
	{ "compile errors", test_compile_errors },
	{ NULL, NULL }
};
UNIT_SUITE(dlp, "dlp", tests);
