/*
 * dlp.h - the leakage ("dirty word") matcher.
 *
 * A policy lists phrases, each with an identifier and a weight.  They are
 * compiled once, at policy load, into an immutable set; each text the guard
 * releases (subject, every text body part) is then scanned against it and
 * every hit reported with its place in the original text, so that the
 * policy can sum the weights and refuse, and the audit can quote the hit.
 *
 * Matching is literal (no pattern language reaches the policy author),
 * case-insensitive and word-bounded, on a normalised copy of the text:
 * compatibility folding, diacritics and case folded, whitespace runs
 * collapsed; see dlp.c for the exact scope.  DLP_IGNORE_SEPARATORS also
 * finds phrases spelt with punctuation or spaces between their letters
 * ("S.E.C.R.E.T").
 *
 * A set may be shared by threads; a scratch may not: allocate one per
 * thread or process, once, for the sets it will scan with.
 */
#ifndef MMGUARD_DLP_H
#define MMGUARD_DLP_H

#include <stddef.h>

/* Flags of dlp_compile. */
#define DLP_IGNORE_SEPARATORS	0x01u

/* Limits fixed at compile time. */
#define DLP_MAX_RULES		200000
#define DLP_MAX_PHRASE		1024		/* bytes, as written */
#define DLP_MAX_TEXT		((size_t)1 << 30)	/* bytes per scan */

struct dlp_rule {
	const char	*id;		/* copied by dlp_compile */
	const char	*phrase;	/* UTF-8; copied */
	int		 weight;
};

/* One hit, valid during the callback only. */
struct dlp_hit {
	const char	*id;
	int		 weight;
	size_t		 rule;		/* index in the compiled list */
	const char	*where;		/* as passed to dlp_scan */
	size_t		 off;		/* bytes into the original text */
	size_t		 len;		/* bytes of the original text */
};

/* Return 0 to go on, anything else to stop the scan. */
typedef int (*dlp_hit_fn)(const struct dlp_hit *, void *);

struct dlp_set;
struct dlp_scratch;

struct dlp_set	*dlp_compile(const struct dlp_rule *, size_t, unsigned,
		    char *, size_t);
void		 dlp_free(struct dlp_set *);
size_t		 dlp_count(const struct dlp_set *);

/* A scratch sized for the set; dlp_scan grows it for any other set. */
struct dlp_scratch *dlp_scratch_new(const struct dlp_set *, char *, size_t);
/* Size the scratch for one more set now (-1: no memory). */
int		 dlp_scratch_grow(struct dlp_scratch *, const struct dlp_set *);
void		 dlp_scratch_free(struct dlp_scratch *);

/*
 * Scan len bytes of UTF-8 (invalid bytes tolerated).  Returns 0 when the
 * whole text was scanned, 1 when the callback stopped it, -1 with a reason
 * in err on failure.
 */
int		 dlp_scan(const struct dlp_set *, struct dlp_scratch *,
		    const char *, size_t, const char *, dlp_hit_fn, void *,
		    char *, size_t);

/* A ready-made callback: counts hits and sums their weights. */
struct dlp_tally {
	size_t		 hits;
	long long	 score;
};
int		 dlp_tally_hit(const struct dlp_hit *, void *);

#endif
