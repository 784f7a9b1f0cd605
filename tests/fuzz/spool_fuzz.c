/*
 * spool_fuzz.c - libFuzzer harness for the queue file reader: arbitrary
 * bytes as a queue file (after a crash, or edited on disk).  A file that
 * parses must name an id and a message lying inside the sealed bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "guard/spool/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_entry	e;
	char			err[256];

	if (spool_parse(data, size, &e, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (e.id[0] == '\0' || e.message == NULL || e.message < e.data ||
	    e.message + e.message_len > e.data + e.len ||
	    e.len + e.torn != size)
		abort();
	spool_entry_free(&e);
	return 0;
}
