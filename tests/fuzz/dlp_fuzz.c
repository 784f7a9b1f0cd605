/*
 * dlp_fuzz.c - libFuzzer harness for the leakage matcher: arbitrary bytes
 * as message text, scanned with a small fixed phrase set compiled both
 * plainly and with DLP_IGNORE_SEPARATORS.  Every hit must name a rule of
 * the set and lie within the input, start and end on the boundaries of a
 * character of the input, and carry the place it was given; nothing may
 * read out of bounds, leak or overflow (ASan, UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/dlp/dlp.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct dlp_rule rules[] = {
	{ "S", "secret", 1 },
	{ "TS", "top secret", 5 },
	{ "C", "confidential", 2 },
	{ "D", "a.b", 1 },
	{ "E", "s\xc3\xa9" "curit\xc3\xa9", 3 },
	{ "G", "\xce\xb1\xce\xbb\xcf\x86\xce\xb1", 1 },
	{ "F", "fi", 1 },
	{ "X", "x", 1 },
};
#define NRULES	(sizeof(rules) / sizeof(rules[0]))

static struct dlp_set		*sets[2];
static struct dlp_scratch	*scratch;

struct check {
	const uint8_t	*data;
	size_t		 size;
	size_t		 hits;
};

static int
check_hit(const struct dlp_hit *h, void *arg)
{
	struct check	*c = arg;

	if (h->rule >= NRULES || strcmp(h->id, rules[h->rule].id) != 0 ||
	    h->weight != rules[h->rule].weight ||
	    strcmp(h->where, "fuzz") != 0)
		abort();
	if (h->len == 0 || h->off > c->size || h->len > c->size - h->off)
		abort();
	/*
	 * Every phrase starts with a letter, so a hit starts on the first
	 * byte of a character, never on a continuation byte.
	 */
	if ((c->data[h->off] & 0xc0) == 0x80)
		abort();
	c->hits++;
	return 0;
}

static void
setup(void)
{
	char	err[256];
	int	i;

	for (i = 0; i < 2; i++) {
		sets[i] = dlp_compile(rules, NRULES,
		    i ? DLP_IGNORE_SEPARATORS : 0, err, sizeof(err));
		if (sets[i] == NULL)
			abort();
	}
	if ((scratch = dlp_scratch_new(sets[0], err, sizeof(err))) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check	 c[2];
	char		 err[256];
	int		 i;

	if (scratch == NULL)
		setup();
	for (i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].data = data;
		c[i].size = size;
		if (dlp_scan(sets[i], scratch, (const char *)data, size,
		    "fuzz", check_hit, &c[i], err, sizeof(err)) != 0)
			abort();
	}
	/* Ignoring separators finds at least what the plain set finds. */
	if (c[1].hits < c[0].hits)
		abort();
	return 0;
}
