/*
 * diodedrop_fuzz.c - libFuzzer harness for the drop file's header
 * (guard/diode/diode.h, "drop folder"): diode-tx reads every file the
 * queue manager, or whoever else writes its drop folder, puts there.
 *
 * The input is a whole drop file.  diode_drop_parse must refuse it with
 * a reason or return a header that lies within the input and names a
 * valid id, a known precedence and a length the limit allows; and a
 * header accepted must be one diode_drop_header writes the same again
 * (the writer and the reader agree).  Seeds (tests/fuzz/corpus/
 * diodedrop/): valid files, and ones cut short, with a length repeated
 * and an unknown key.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/diode/diode.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diode_meta	m, m2;
	char			err[256], hdr[DIODE_DROP_HDR_MAX];
	size_t			hl, hl2;
	int			n;

	if (diode_drop_parse(data, size, &m, &hl, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			abort();	/* a refusal always says why */
		return 0;
	}
	if (hl > size || hl > DIODE_DROP_HDR_MAX ||
	    !diode_id_valid(m.id, strlen(m.id)) || m.prec < 0 ||
	    m.prec >= DIODE_NPREC || !m.have_len ||
	    m.len > DIODE_MAX_MESSAGE)
		abort();
	/* What was read, written again, reads the same. */
	if ((n = diode_drop_header(hdr, sizeof(hdr), m.id, m.prec, m.token,
	    m.len)) < 0)
		abort();
	if (diode_drop_parse(hdr, (size_t)n, &m2, &hl2, err,
	    sizeof(err)) != 0 || hl2 != (size_t)n ||
	    strcmp(m.id, m2.id) != 0 || m.prec != m2.prec ||
	    m.len != m2.len || memcmp(m.token, m2.token, sizeof(m.token)) != 0)
		abort();
	return 0;
}
