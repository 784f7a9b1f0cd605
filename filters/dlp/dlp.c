/*
 * dlp.c - the leakage ("dirty word") matcher: literal phrases, folded and
 * word-bounded, over UTF-8 text.
 *
 * Why vectorscan: a policy holds thousands of phrases and a message may be
 * megabytes; scanning phrase by phrase is quadratic in practice, and a
 * home-made Aho-Corasick is exactly the kind of code a guard should not
 * own.  Vectorscan (the portable Hyperscan) compiles the whole list into
 * one automaton and scans in one pass at memory speed; its literal API
 * (hs_compile_lit_multi) takes the phrases as bytes, so no regular
 * expression syntax ever reaches it and no escaping can go wrong.
 *
 * Vectorscan only sees a normalised copy of the text; everything that
 * makes a hit a hit (folding, word boundaries, offsets) is done here:
 *
 *   normalised stream N  every character folded (below), whitespace runs
 *                        collapsed to one ' ', invisible characters
 *                        (soft hyphen, zero-width, combining marks)
 *                        dropped, each invalid UTF-8 byte replaced by the
 *                        byte 0xff, which no phrase contains; each byte of
 *                        N records the offset of the original character
 *                        it came from.
 *   stripped stream S    (DLP_IGNORE_SEPARATORS only) N without its
 *                        separators (whitespace, punctuation, symbols);
 *                        each byte records its index in N.
 *
 * Phrases go through the same normaliser (and, for S, the same stripping)
 * at compile time, so a hit in N or S is an exact byte match.  Its start
 * is its end less the phrase's normalised length (no start-of-match
 * tracking is needed for literals).  A hit counts only when the
 * characters either side of it in N are not word characters; with
 * DLP_IGNORE_SEPARATORS only S is scanned (every hit in N is also one in
 * S, with the same boundaries) and the boundary test is still made in N,
 * so "S.E.C.R.E.T" is found while "thesecretplan" is not.
 *
 * Folding scope (compatibility and case, for the cases that occur in
 * messages, not full Unicode NFKC_Casefold):
 *   - ASCII letters to lower case;
 *   - Latin-1 and Latin Extended-A letters to their base letter (é -> e,
 *     Ł -> l), Æ/æ -> ae, Œ/œ -> oe, Ĳ/ĳ -> ij, ß -> ss, Þ/þ -> th;
 *   - combining diacritical marks U+0300..U+036F dropped (decomposed é);
 *   - Greek (U+0386..U+03CE): upper to lower, tonos/dialytika removed,
 *     final sigma to sigma;  Cyrillic U+0400..U+042F to lower, ё -> е;
 *   - full-width ASCII U+FF01..U+FF5E to ASCII, then as ASCII;
 *   - ligatures U+FB00..U+FB06 (ff fi fl ffi ffl st st);
 *   - typographic dashes and quotes to ASCII '-' '\'' '"'.
 * Word characters: ASCII letters and digits, and every non-ASCII character
 * that is not listed as whitespace, punctuation or symbol below
 * (dlp_cp_class); invalid bytes are neither word characters nor
 * separators.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "filters/dlp/dlp.h"
#include "guard/common/xmalloc.h"

/* Character classes. */
enum dlp_class {
	DLP_C_WORD,
	DLP_C_SPACE,		/* collapsed in N, dropped in S */
	DLP_C_SEP,		/* punctuation, symbols: dropped in S */
	DLP_C_DROP,		/* invisible: dropped everywhere */
	DLP_C_OPAQUE		/* an invalid byte */
};

#define DLP_OPAQUE_BYTE	0xff

struct dlp_set {
	hs_database_t	*db;
	uint64_t	 serial;	/* unique per compiled set */
	unsigned	 flags;
	size_t		 n;
	char		**ids;
	int		*weights;
	size_t		*plen;		/* normalised (or stripped) length */
};

/* A normalised stream and its map back. */
struct dlp_stream {
	uint8_t		*b;
	uint32_t	*map;
	size_t		 len;
	size_t		 cap;
};

/*
 * hs_alloc_scratch() on a scratch that is already large enough still
 * costs about as much as scanning tens of kilobytes (measured: 0.2 ms for
 * 10,000 phrases), so a scratch remembers the sets it has been sized for
 * (by serial number: a freed set's address may come back) and asks only
 * for a set it has not seen.
 */
#define DLP_SCRATCH_SETS	8

static uint64_t	dlp_serials;

struct dlp_scratch {
	hs_scratch_t	*hs;
	uint64_t	 sized[DLP_SCRATCH_SETS];
	unsigned	 nsized;
	struct dlp_stream n;
	struct dlp_stream s;
};

/* What a scan carries into the match handler. */
struct dlp_ctx {
	const struct dlp_set	*set;
	const struct dlp_scratch *sc;
	const uint8_t		*text;
	size_t			 textlen;
	const char		*where;
	dlp_hit_fn		 cb;
	void			*arg;
	int			 stopped;
};

static void
dlp_err(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
dlp_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/*
 * Decode one strict UTF-8 character (no overlong forms, surrogates or
 * values above U+10FFFF).  Returns its length, or 0 if the byte at p does
 * not start a valid character.
 */
static size_t
dlp_utf8_dec(const uint8_t *p, size_t avail, uint32_t *cp)
{
	uint32_t	c;
	size_t		n, i;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		return 0;
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

static size_t
dlp_utf8_enc(uint32_t cp, uint8_t *out)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* The class of an ASCII character; inline, for the normaliser's fast
 * path. */
static inline enum dlp_class
dlp_ascii_class(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return DLP_C_WORD;
	if (c <= 0x20 || c == 0x7f)
		return DLP_C_SPACE;
	return DLP_C_SEP;
}

/* The class of a folded code point. */
static enum dlp_class
dlp_cp_class(uint32_t cp)
{
	if (cp < 0x80)
		return dlp_ascii_class((uint8_t)cp);
	if (cp <= 0x9f || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000)
		return DLP_C_SPACE;
	if (cp == 0xad || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 ||
	    cp == 0xfeff || (cp >= 0x300 && cp <= 0x36f))
		return DLP_C_DROP;
	if ((cp >= 0xa1 && cp <= 0xbf && cp != 0xaa && cp != 0xb2 &&
	    cp != 0xb3 && cp != 0xb5 && cp != 0xb9 && cp != 0xba &&
	    (cp < 0xbc || cp > 0xbe)) || cp == 0xd7 || cp == 0xf7 ||
	    (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205e) ||
	    (cp >= 0x20a0 && cp <= 0x20cf) || (cp >= 0x2190 && cp <= 0x23ff) ||
	    (cp >= 0x2500 && cp <= 0x27bf) || (cp >= 0x2e00 && cp <= 0x2e7f) ||
	    (cp >= 0x3001 && cp <= 0x303f) || (cp >= 0xfe10 && cp <= 0xfe1f) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || cp == 0xff00 ||
	    (cp >= 0xff5f && cp <= 0xff65) || (cp >= 0xfff9 && cp <= 0xfffd) ||
	    (cp >= 0x1f000 && cp <= 0x1faff))
		return DLP_C_SEP;
	return DLP_C_WORD;
}

/* Base letters of U+00C0..U+00FF; '*' has two letters, '#' is a symbol. */
static const char dlp_latin1[] =
    "aaaaaa*ceeeeiiiidnooooo#ouuuuy**"
    "aaaaaa*ceeeeiiiidnooooo#ouuuuy*y";
_Static_assert(sizeof(dlp_latin1) - 1 == 64, "latin-1 table");

/* Base letters of U+0100..U+017F; '*' has two letters. */
static const char dlp_latin_a[] =
    "aaaaaacccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii"
    "**" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo" "**" "rrrrrr"
    "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
_Static_assert(sizeof(dlp_latin_a) - 1 == 128, "latin extended-a table");

/*
 * Fold one code point into at most 3 (out), returning how many.  0: the
 * character is dropped.
 */
static size_t
dlp_fold(uint32_t cp, uint32_t out[3])
{
	const char	*two = NULL;
	char		 c;

	if (cp >= 0xff01 && cp <= 0xff5e)
		cp -= 0xfee0;		/* full-width ASCII */
	if (cp < 0x80) {
		out[0] = (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
		return 1;
	}
	if (cp >= 0xc0 && cp <= 0xff) {
		c = dlp_latin1[cp - 0xc0];
		if (c == '*')
			two = cp == 0xdf ? "ss" :
			    (cp == 0xde || cp == 0xfe) ? "th" : "ae";
		else if (c != '#') {
			out[0] = (uint32_t)c;
			return 1;
		}
	} else if (cp >= 0x100 && cp <= 0x17f) {
		c = dlp_latin_a[cp - 0x100];
		if (c != '*') {
			out[0] = (uint32_t)c;
			return 1;
		}
		two = (cp == 0x132 || cp == 0x133) ? "ij" : "oe";
	} else if (cp >= 0xfb00 && cp <= 0xfb06) {
		static const char *const lig[] = {
			"ff", "fi", "fl", "ffi", "ffl", "st", "st"
		};
		size_t	i;

		for (i = 0; lig[cp - 0xfb00][i] != '\0'; i++)
			out[i] = (uint8_t)lig[cp - 0xfb00][i];
		return i;
	} else if (cp >= 0x386 && cp <= 0x3ce) {
		switch (cp) {
		case 0x386: case 0x3ac: cp = 0x3b1; break;
		case 0x388: case 0x3ad: cp = 0x3b5; break;
		case 0x389: case 0x3ae: cp = 0x3b7; break;
		case 0x38a: case 0x3af: case 0x390: case 0x3aa: case 0x3ca:
			cp = 0x3b9; break;
		case 0x38c: case 0x3cc: cp = 0x3bf; break;
		case 0x38e: case 0x3cd: case 0x3b0: case 0x3ab: case 0x3cb:
			cp = 0x3c5; break;
		case 0x38f: case 0x3ce: cp = 0x3c9; break;
		case 0x3c2: cp = 0x3c3; break;
		default:
			if (cp >= 0x391 && cp <= 0x3a9)
				cp += 0x20;
		}
	} else if (cp >= 0x400 && cp <= 0x45f) {
		if (cp == 0x401 || cp == 0x451)
			cp = 0x435;
		else if (cp < 0x410)
			cp += 0x50;
		else if (cp < 0x430)
			cp += 0x20;
	} else if (cp >= 0x2010 && cp <= 0x2015)
		cp = '-';
	else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201b)
		cp = '\'';
	else if (cp == 0x201c || cp == 0x201d || cp == 0x201f)
		cp = '"';
	if (two != NULL) {
		out[0] = (uint8_t)two[0];
		out[1] = (uint8_t)two[1];
		return 2;
	}
	if (dlp_cp_class(cp) == DLP_C_DROP)
		return 0;
	out[0] = cp;
	return 1;
}

/* Streams never grow beyond the input: folding never lengthens UTF-8. */
static void
dlp_stream_reserve(struct dlp_stream *st, size_t len, int wantmap)
{
	st->len = 0;
	if (st->cap >= len && st->cap != 0)
		return;
	free(st->b);
	free(st->map);
	st->cap = len == 0 ? 1 : len;
	st->b = xmalloc(st->cap);
	st->map = wantmap ? xreallocarray(NULL, st->cap, sizeof(uint32_t)) :
	    NULL;
}

static void
dlp_stream_free(struct dlp_stream *st)
{
	if (st->b != NULL)
		freezero(st->b, st->cap);
	free(st->map);
	memset(st, 0, sizeof(*st));
}

/*
 * Normalise text into n (and, when s is not NULL, its stripped form).
 * With strict, invalid UTF-8 is refused (phrases); otherwise each invalid
 * byte becomes an opaque byte.  Returns -1 only when strict.
 */
static int
dlp_normalise(const uint8_t *text, size_t len, int strict,
    struct dlp_stream *n, struct dlp_stream *s)
{
	uint8_t		 enc[4];
	uint32_t	 cp, out[3];
	size_t		 i = 0, k, j, nout, clen, e;
	enum dlp_class	 cl;
	int		 inspace = 0;

	while (i < len) {
		/*
		 * Fast path: a run of ASCII, whose folding is lowercasing and
		 * which has no dropped characters (the general path below,
		 * byte for byte: a run of white space is one space, only word
		 * characters reach the squeezed stream).  The streams' fields
		 * are kept in locals for the run: stores through the byte
		 * pointers would otherwise make the compiler reload them for
		 * every byte.
		 */
		if (text[i] < 0x80) {
			uint8_t		*nb = n->b, *sb = s ? s->b : NULL;
			uint32_t	*nm = n->map, *sm = s ? s->map : NULL;
			size_t		 nl = n->len, sl = s ? s->len : 0;
			uint8_t		 c;

			do {
				c = text[i];
				cl = dlp_ascii_class(c);
				if (cl == DLP_C_SPACE) {
					if (inspace) {
						i++;
						continue;
					}
					c = ' ';
					inspace = 1;
				} else {
					if (c >= 'A' && c <= 'Z')
						c += 0x20;
					inspace = 0;
				}
				nb[nl] = c;
				if (nm != NULL)
					nm[nl] = (uint32_t)i;
				if (sb != NULL && cl == DLP_C_WORD) {
					sb[sl] = c;
					sm[sl++] = (uint32_t)nl;
				}
				nl++;
				i++;
			} while (i < len && text[i] < 0x80);
			n->len = nl;
			if (s != NULL)
				s->len = sl;
			continue;
		}
		if ((clen = dlp_utf8_dec(text + i, len - i, &cp)) == 0) {
			if (strict)
				return -1;
			n->b[n->len] = DLP_OPAQUE_BYTE;
			if (n->map != NULL)
				n->map[n->len] = (uint32_t)i;
			if (s != NULL) {
				s->b[s->len] = DLP_OPAQUE_BYTE;
				s->map[s->len++] = (uint32_t)n->len;
			}
			n->len++;
			inspace = 0;
			i++;
			continue;
		}
		nout = dlp_fold(cp, out);
		for (k = 0; k < nout; k++) {
			cl = dlp_cp_class(out[k]);
			if (cl == DLP_C_SPACE) {
				if (inspace)
					continue;
				out[k] = ' ';
				inspace = 1;
			} else
				inspace = 0;
			e = dlp_utf8_enc(out[k], enc);
			for (j = 0; j < e; j++) {
				n->b[n->len] = enc[j];
				if (n->map != NULL)
					n->map[n->len] = (uint32_t)i;
				if (s != NULL && cl == DLP_C_WORD) {
					s->b[s->len] = enc[j];
					s->map[s->len++] = (uint32_t)n->len;
				}
				n->len++;
			}
		}
		i += clen;
	}
	return 0;
}

/* Is the character of N that ends just before at a word character? */
static int
dlp_word_before(const struct dlp_stream *n, size_t at)
{
	uint32_t	cp;
	size_t		k;

	if (at == 0)
		return 0;
	k = at - 1;
	while (k > 0 && at - k < 4 && (n->b[k] & 0xc0) == 0x80)
		k--;
	if (dlp_utf8_dec(n->b + k, at - k, &cp) != at - k)
		return 0;	/* opaque */
	return dlp_cp_class(cp) == DLP_C_WORD;
}

/* Is the character of N that starts at at a word character? */
static int
dlp_word_at(const struct dlp_stream *n, size_t at)
{
	uint32_t	cp;

	if (at >= n->len || dlp_utf8_dec(n->b + at, n->len - at, &cp) == 0)
		return 0;
	return dlp_cp_class(cp) == DLP_C_WORD;
}

static int
dlp_on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct dlp_ctx		*c = arg;
	const struct dlp_set	*set = c->set;
	const struct dlp_stream	*n = &c->sc->n, *s = &c->sc->s;
	struct dlp_hit		 h;
	size_t			 nfrom, nto, last, clen;
	uint32_t		 cp;

	(void)from;
	(void)flags;
	if (id >= set->n || to < set->plen[id])
		return 0;	/* cannot happen */
	if (set->flags & DLP_IGNORE_SEPARATORS) {
		nfrom = s->map[to - set->plen[id]];
		nto = (size_t)s->map[to - 1] + 1;
	} else {
		nfrom = to - set->plen[id];
		nto = to;
	}
	if (dlp_word_before(n, nfrom) || dlp_word_at(n, nto))
		return 0;
	h.id = set->ids[id];
	h.weight = set->weights[id];
	h.rule = id;
	h.where = c->where;
	h.off = n->map[nfrom];
	last = n->map[nto - 1];
	if ((clen = dlp_utf8_dec(c->text + last, c->textlen - last, &cp)) == 0)
		clen = 1;
	h.len = last + clen - h.off;
	if (c->cb(&h, c->arg) != 0) {
		c->stopped = 1;
		return 1;
	}
	return 0;
}

struct dlp_set *
dlp_compile(const struct dlp_rule *rules, size_t nrules, unsigned flags,
    char *err, size_t errsz)
{
	struct dlp_set		*set;
	struct dlp_stream	 pn, ps;
	hs_compile_error_t	*cerr = NULL;
	char			**pats;
	unsigned		*hsflags, *ids;
	size_t			 i, plen;
	int			 strip = (flags & DLP_IGNORE_SEPARATORS) != 0;

	if (flags & ~DLP_IGNORE_SEPARATORS) {
		dlp_err(err, errsz, "unknown flags 0x%x", flags);
		return NULL;
	}
	if (nrules == 0 || nrules > DLP_MAX_RULES) {
		dlp_err(err, errsz, "%zu rules (1 to %d allowed)", nrules,
		    DLP_MAX_RULES);
		return NULL;
	}
	set = xcalloc(1, sizeof(*set));
	set->serial = __atomic_add_fetch(&dlp_serials, 1, __ATOMIC_RELAXED);
	set->flags = flags;
	set->n = nrules;
	set->ids = xcalloc(nrules, sizeof(*set->ids));
	set->weights = xcalloc(nrules, sizeof(*set->weights));
	set->plen = xcalloc(nrules, sizeof(*set->plen));
	pats = xcalloc(nrules, sizeof(*pats));
	hsflags = xcalloc(nrules, sizeof(*hsflags));
	ids = xcalloc(nrules, sizeof(*ids));
	memset(&pn, 0, sizeof(pn));
	memset(&ps, 0, sizeof(ps));

	for (i = 0; i < nrules; i++) {
		const char	*ph = rules[i].phrase;
		const char	*id = rules[i].id;
		uint8_t		*b;

		if (id == NULL || ph == NULL) {
			dlp_err(err, errsz, "rule %zu: no id or phrase", i);
			goto fail;
		}
		set->ids[i] = xstrdup(id);
		set->weights[i] = rules[i].weight;
		if ((plen = strlen(ph)) > DLP_MAX_PHRASE) {
			dlp_err(err, errsz, "rule %s: phrase longer than %d "
			    "bytes", id, DLP_MAX_PHRASE);
			goto fail;
		}
		dlp_stream_reserve(&pn, plen, 0);
		dlp_stream_reserve(&ps, plen, 1);
		if (dlp_normalise((const uint8_t *)ph, plen, 1, &pn,
		    strip ? &ps : NULL) == -1) {
			dlp_err(err, errsz, "rule %s: phrase is not UTF-8", id);
			goto fail;
		}
		if (strip) {
			b = ps.b;
			plen = ps.len;
		} else {
			/* Trim the (single, collapsed) spaces at either end. */
			b = pn.b;
			plen = pn.len;
			if (plen > 0 && b[0] == ' ') {
				b++;
				plen--;
			}
			if (plen > 0 && b[plen - 1] == ' ')
				plen--;
		}
		if (plen == 0) {
			dlp_err(err, errsz, "rule %s: phrase has nothing to "
			    "match", id);
			goto fail;
		}
		pats[i] = xmemdup(b, plen);
		set->plen[i] = plen;
		hsflags[i] = HS_FLAG_CASELESS;
		ids[i] = (unsigned)i;
	}
	if (hs_compile_lit_multi((const char *const *)pats, hsflags, ids,
	    set->plen, (unsigned)nrules, HS_MODE_BLOCK, NULL, &set->db,
	    &cerr) != HS_SUCCESS) {
		if (cerr != NULL && cerr->expression >= 0)
			dlp_err(err, errsz, "rule %s: %s",
			    set->ids[cerr->expression], cerr->message);
		else
			dlp_err(err, errsz, "phrase set: %s",
			    cerr != NULL ? cerr->message : "compile failed");
		hs_free_compile_error(cerr);
		set->db = NULL;
		goto fail;
	}
	for (i = 0; i < nrules; i++)
		free(pats[i]);
	free(pats);
	free(hsflags);
	free(ids);
	dlp_stream_free(&pn);
	dlp_stream_free(&ps);
	return set;

 fail:
	for (i = 0; i < nrules; i++)
		free(pats[i]);
	free(pats);
	free(hsflags);
	free(ids);
	dlp_stream_free(&pn);
	dlp_stream_free(&ps);
	dlp_free(set);
	return NULL;
}

void
dlp_free(struct dlp_set *set)
{
	size_t	i;

	if (set == NULL)
		return;
	hs_free_database(set->db);
	for (i = 0; i < set->n; i++)
		free(set->ids[i]);
	free(set->ids);
	free(set->weights);
	free(set->plen);
	free(set);
}

size_t
dlp_count(const struct dlp_set *set)
{
	return set->n;
}

struct dlp_scratch *
dlp_scratch_new(const struct dlp_set *set, char *err, size_t errsz)
{
	struct dlp_scratch	*sc;

	sc = xcalloc(1, sizeof(*sc));
	if (hs_alloc_scratch(set->db, &sc->hs) != HS_SUCCESS) {
		dlp_err(err, errsz, "cannot allocate the scan scratch");
		free(sc);
		return NULL;
	}
	sc->sized[sc->nsized++] = set->serial;
	return sc;
}

void
dlp_scratch_free(struct dlp_scratch *sc)
{
	if (sc == NULL)
		return;
	hs_free_scratch(sc->hs);
	dlp_stream_free(&sc->n);
	dlp_stream_free(&sc->s);
	free(sc);
}

/* Grow the scratch for a set it has not been sized for yet. */
static int
dlp_scratch_fit(const struct dlp_set *set, struct dlp_scratch *sc)
{
	unsigned	i;

	for (i = 0; i < sc->nsized; i++)
		if (sc->sized[i] == set->serial)
			return 0;
	if (hs_alloc_scratch(set->db, &sc->hs) != HS_SUCCESS)
		return -1;
	if (sc->nsized < DLP_SCRATCH_SETS)
		sc->sized[sc->nsized++] = set->serial;
	else {
		/* Forget the oldest; it will be asked for again if used. */
		memmove(sc->sized, sc->sized + 1,
		    (DLP_SCRATCH_SETS - 1) * sizeof(sc->sized[0]));
		sc->sized[DLP_SCRATCH_SETS - 1] = set->serial;
	}
	return 0;
}

int
dlp_scratch_grow(struct dlp_scratch *sc, const struct dlp_set *set)
{
	return dlp_scratch_fit(set, sc);
}

int
dlp_scan(const struct dlp_set *set, struct dlp_scratch *sc,
    const char *text, size_t len, const char *where, dlp_hit_fn cb,
    void *arg, char *err, size_t errsz)
{
	struct dlp_ctx		 c;
	const struct dlp_stream	*st;
	hs_error_t		 r;
	int			 strip = (set->flags & DLP_IGNORE_SEPARATORS) != 0;

	if (len > DLP_MAX_TEXT) {
		dlp_err(err, errsz, "%s: text of %zu bytes is too long",
		    where, len);
		return -1;
	}
	if (len == 0)
		return 0;
	if (dlp_scratch_fit(set, sc) == -1) {
		dlp_err(err, errsz, "cannot allocate the scan scratch");
		return -1;
	}
	dlp_stream_reserve(&sc->n, len, 1);
	if (strip)
		dlp_stream_reserve(&sc->s, len, 1);
	(void)dlp_normalise((const uint8_t *)text, len, 0, &sc->n,
	    strip ? &sc->s : NULL);
	st = strip ? &sc->s : &sc->n;
	if (st->len == 0)
		return 0;

	memset(&c, 0, sizeof(c));
	c.set = set;
	c.sc = sc;
	c.text = (const uint8_t *)text;
	c.textlen = len;
	c.where = where;
	c.cb = cb;
	c.arg = arg;
	r = hs_scan(set->db, (const char *)st->b, (unsigned)st->len, 0, sc->hs,
	    dlp_on_match, &c);
	if (r == HS_SCAN_TERMINATED && c.stopped)
		return 1;
	if (r != HS_SUCCESS) {
		dlp_err(err, errsz, "%s: scan failed (vectorscan error %d)",
		    where, (int)r);
		return -1;
	}
	return 0;
}

int
dlp_tally_hit(const struct dlp_hit *h, void *arg)
{
	struct dlp_tally	*t = arg;

	t->hits++;
	t->score += h->weight;
	return 0;
}
