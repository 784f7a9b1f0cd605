/*
 * charset.h - X.400 text to UTF-8.
 */
#ifndef MMGUARD_X400_CHARSET_H
#define MMGUARD_X400_CHARSET_H

#include <stddef.h>
#include <stdint.h>

struct ber_ctx;

enum x400_cs {
	X400_CS_ASCII,		/* Printable, Numeric, Visible */
	X400_CS_IA5,
	X400_CS_T61,		/* TeletexString */
	X400_CS_BMP,
	X400_CS_UCS4,		/* UniversalString */
	X400_CS_UTF8,
	X400_CS_LATIN1,		/* ISO 8859-1 (general text, ISO-IR 100) */
	X400_CS__COUNT
};

/* Text as the guard inspects it: UTF-8, and the bytes as they were sent. */
struct x400_text {
	char		*utf8;		/* in the decode's arena; NULL: absent */
	size_t		 len;		/* bytes of utf8 (may hold NULs) */
	enum x400_cs	 cs;		/* the character set it was sent in */
	const uint8_t	*raw;		/* as sent (NULL when built by hand) */
	size_t		 rawlen;
};

const char	*x400_cs_name(enum x400_cs);
int		 x400_cs_of_type(unsigned strtype);
int		 x400_to_utf8(struct ber_ctx *, const uint8_t *at, enum x400_cs,
		    const uint8_t *, size_t, struct x400_text *);
int		 x400_from_utf8(enum x400_cs, const char *, size_t, uint8_t *,
		    size_t, size_t *);

#endif
