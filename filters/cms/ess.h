/*
 * ess.h - ESS security labels (RFC 2634, RFC 5035) and the SDN.801c /
 * ACP 145 security category syntaxes, decoded with the guard's own BER code.
 *
 * ESSSecurityLabel ::= SET { security-policy-identifier OID,
 *   security-classification INTEGER (0..256) OPTIONAL,
 *   privacy-mark CHOICE { PrintableString (1..128), UTF8String (1..MAX) }
 *   OPTIONAL, security-categories SET SIZE (1..64) OF SecurityCategory
 *   OPTIONAL }
 * SecurityCategory ::= SEQUENCE { type [0] IMPLICIT OID, value [1] EXPLICIT
 *   ANY DEFINED BY type }
 */
#ifndef MMGUARD_ESS_H
#define MMGUARD_ESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/x400/x400.h"

/* Category syntaxes (the SecurityCategory type OIDs of SDN.801c). */
#define ESS_OID_RESTRICTIVE_BITMAP	"2.16.840.1.101.2.1.8.3.0"
#define ESS_OID_ENUMERATED_PERMISSIVE	"2.16.840.1.101.2.1.8.3.1"
#define ESS_OID_PERMISSIVE_BITMAP	"2.16.840.1.101.2.1.8.3.2"
#define ESS_OID_INFORMATIVE		"2.16.840.1.101.2.1.8.3.3"
#define ESS_OID_ENUMERATED_RESTRICTIVE	"2.16.840.1.101.2.1.8.3.4"

enum ess_syntax {
	ESS_RESTRICTIVE_BITMAP,		/* tag type 1 */
	ESS_ENUMERATED_PERMISSIVE,	/* tag type 2 */
	ESS_PERMISSIVE_BITMAP,		/* tag type 6 */
	ESS_INFORMATIVE,		/* tag type 7 */
	ESS_ENUMERATED_RESTRICTIVE,
	ESS_OTHER			/* a type the guard does not know */
};

struct ess_category {
	char		*type;		/* the category's type OID */
	enum ess_syntax	 syntax;
	char		*tag_name;	/* the tag set OID (SDN.801c syntaxes) */
	uint32_t	*values;	/* lacvs: enumerated values, or the
					   numbers of the bits set, ascending */
	unsigned	 nvalues;
	const uint8_t	*value;		/* the TLV inside [1] */
	size_t		 valuelen;
};

struct ess_label {
	bool		 present;
	char		*policy;
	int64_t		 classification;	/* X400_ABSENT: absent */
	struct x400_text privacy_mark;		/* utf8 NULL: absent */
	struct ess_category *cats;
	unsigned	 ncats;
	const uint8_t	*raw;		/* the SET as sent */
	size_t		 rawlen;
};

/* t is the ESSSecurityLabel SET (tag checked by the caller). */
int	ess_label_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct ess_label *);
/* Decode a label from bytes that are exactly one ESSSecurityLabel. */
int	ess_label_dec_bytes(struct x400_dec *, const uint8_t *, size_t,
	    struct ess_label *);
void	ess_label_enc(struct ber_enc *, const struct ess_label *);
/* Same policy, classification, privacy mark and categories (as sets). */
bool	ess_label_equal(const struct ess_label *, const struct ess_label *);
/* Same, between an ESS label and an X.411 message-security-label. */
bool	ess_label_equal_x411(const struct ess_label *,
	    const struct x400_label *);

#endif
