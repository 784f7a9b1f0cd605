/*
 * xmllabel_fuzz.c - libFuzzer harness for STANAG 4774 XML labels and their
 * conversion through a SPIF, with the project's two SPIFs (FREEDONIA and
 * the NATO-like one) loaded once, from the repository root.
 *
 * Input that begins with '<' (after white space) is a 4774 label: parsed,
 * and converted to ESS under each SPIF.  A label that converts must come
 * back: its canonical document must be written (xmllabel_from_ess parses
 * and converts that document again and compares).  Anything else is an
 * ESS label (BER): decoded, and written as a 4774 document under each
 * SPIF.  Every refusal must carry a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "policy/spif.h"
#include "policy/xmllabel.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct spif	*spifs[2];

static void
load(void)
{
	static const char *const path[2] = { "policy/examples/freedonia.xml",
	    "tests/data/label/spif-nato-like.xml" };
	char	err[1024];
	int	i;

	for (i = 0; i < 2; i++)
		if ((spifs[i] = spif_load_file(path[i], err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "%s (run from the repository root)\n",
			    err);
			abort();
		}
}

static void
from_xml(const uint8_t *data, size_t size)
{
	struct xmllabel		*l;
	struct xmllabel_ess	 x;
	struct buf		 xml;
	char			 err[1024];
	int			 i;

	if ((l = xmllabel_parse("fuzz", data, size, err,
	    sizeof(err))) == NULL) {
		if (err[0] == '\0')
			abort();
		return;
	}
	for (i = 0; i < 2; i++) {
		if (xmllabel_to_ess(spifs[i], l, &x, err, sizeof(err)) == -1) {
			if (err[0] == '\0' || x.der.data != NULL)
				abort();
			continue;
		}
		buf_init(&xml, 1 << 20);
		if (xmllabel_from_ess(spifs[i], &x.label, &xml, err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "no way back: %s\n", err);
			abort();
		}
		buf_free(&xml);
		xmllabel_ess_free(&x);
	}
	xmllabel_free(l);
}

static void
from_ess(const uint8_t *data, size_t size)
{
	struct x400_dec		d;
	struct ess_label	e;
	struct buf		xml;
	char			err[1024];
	int			i;

	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, data, size);
	if (ess_label_dec_bytes(&d, data, size, &e) == 0)
		for (i = 0; i < 2; i++) {
			buf_init(&xml, 1 << 20);
			if (xmllabel_from_ess(spifs[i], &e, &xml, err,
			    sizeof(err)) == -1 && (err[0] == '\0' ||
			    xml.len != 0))
				abort();
			buf_free(&xml);
		}
	x400_dec_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	i;

	if (spifs[0] == NULL)
		load();
	for (i = 0; i < size && (data[i] == ' ' || data[i] == '\n' ||
	    data[i] == '\t' || data[i] == '\r'); i++)
		;
	if (i < size && data[i] == '<')
		from_xml(data, size);
	else
		from_ess(data, size);
	return 0;
}
