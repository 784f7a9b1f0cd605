/*
 * label_fuzz.c - libFuzzer harness for the label functions against the
 * example SPIFs: arbitrary bytes decoded as an ESS security label, then
 * turned into the policy's label and judged (validity, dominance by the
 * examples' clearances and by itself, mapping in both directions between
 * FREEDONIA and NATO, markings).  The SPIFs load once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "filters/x400/x400.h"
#include "policy/label.h"
#include "policy/spif.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct spif	*fd, *nato;

static void
judge(const struct spif *s, const struct spif *other, enum label_map_dir dir,
    const struct label *l)
{
	struct label	 out, clr;
	char		 why[256], m[512];
	uint32_t	 rel[] = { 528, 826 };

	(void)label_valid(s, l, why, sizeof(why));
	(void)label_marking(s, l, m, sizeof(m));
	label_init(&clr);
	label_set_policy(&clr, s->id);
	clr.classification = 4;
	(void)label_add(&clr, s == nato ? "1.3.26.1.4.2" : "2.999.4406.2.2",
	    SPIF_TAG_ENUM_PERMISSIVE, rel, 2);
	(void)label_dominates(s, &clr, l, why, sizeof(why));
	if (label_dominates(s, l, l, why, sizeof(why)) == 0 &&
	    spif_class_by_lacv(s, l->classification) == NULL)
		abort();	/* dominance needs a known classification */
	label_free(&clr);
	if (label_map(s, dir, other->id, l, &out, why, sizeof(why)) == 0) {
		(void)label_valid(dir == LABEL_MAP_OUT ? other : s, &out, why,
		    sizeof(why));
		(void)label_marking(dir == LABEL_MAP_OUT ? other : s, &out, m,
		    sizeof(m));
		label_free(&out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec		d;
	struct ess_label	e;
	struct label		l;
	char			why[256];

	if (fd == NULL) {
		fd = spif_load_file("policy/examples/freedonia.xml", why,
		    sizeof(why));
		nato = spif_load_file("policy/examples/nato.xml", why,
		    sizeof(why));
		if (fd == NULL || nato == NULL)
			abort();	/* run from the top of the tree */
	}
	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, data, size);
	if (ess_label_dec_bytes(&d, data, size, &e) == 0) {
		label_init(&l);
		if (label_from_ess(&e, &l, why, sizeof(why)) == 0) {
			/* Out from FREEDONIA, in to FREEDONIA from NATO. */
			judge(fd, nato, LABEL_MAP_OUT, &l);
			judge(fd, nato, LABEL_MAP_IN, &l);
			judge(nato, fd, LABEL_MAP_OUT, &l);
		}
		label_free(&l);
	}
	x400_dec_free(&d);
	return 0;
}
