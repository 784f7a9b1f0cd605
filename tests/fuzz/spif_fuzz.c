/*
 * spif_fuzz.c - libFuzzer harness for the Open XML SPIF loader: arbitrary
 * bytes as a SPIF.  When they load, labels are built from the SPIF's own
 * classifications and categories and judged (validity, dominance, marking,
 * outward mapping to each equivalent policy), so that the compiled model
 * is exercised by the code that trusts it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/label.h"
#include "policy/spif.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
judge(const struct spif *s, const struct label *clr, const struct label *l)
{
	struct label	 out;
	char		 why[256], m[512];
	size_t		 i;

	(void)label_valid(s, l, why, sizeof(why));
	(void)label_dominates(s, clr, l, why, sizeof(why));
	if (label_dominates(s, l, l, why, sizeof(why)) == 0 &&
	    spif_class_by_lacv(s, l->classification) == NULL)
		abort();	/* dominance needs a known classification */
	(void)label_marking(s, l, m, sizeof(m));
	for (i = 0; i < s->npolicies; i++) {
		if (label_map(s, LABEL_MAP_OUT, s->policies[i].id, l, &out,
		    why, sizeof(why)) == 0)
			label_free(&out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spif		*s;
	struct label		 clr, l;
	const struct spif_tag	*t;
	char			 err[512];
	size_t			 i, j, k;

	if ((s = spif_load("fuzz", data, size, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			abort();	/* every refusal has a reason */
		return 0;
	}
	label_init(&clr);
	label_set_policy(&clr, s->id);
	if (s->nclasses > 0)
		clr.classification = s->classes[s->nclasses - 1].lacv;
	for (i = 0; i < s->nclasses && i < 8; i++) {
		label_init(&l);
		label_set_policy(&l, s->id);
		l.classification = s->classes[i].lacv;
		judge(s, &clr, &l);
		for (j = 0; j < s->ntagsets && j < 8; j++)
			for (k = 0; k < s->tagsets[j].ntags; k++) {
				t = &s->tagsets[j].tags[k];
				if (t->ncats == 0)
					continue;
				(void)label_add(&l, s->tagsets[j].id, t->type,
				    &t->cats[i % t->ncats].lacv, 1);
				if (i == 0)
					(void)label_add(&clr, s->tagsets[j].id,
					    t->type, &t->cats[0].lacv, 1);
			}
		judge(s, &clr, &l);
		label_free(&l);
	}
	label_free(&clr);
	spif_free(s);
	return 0;
}
