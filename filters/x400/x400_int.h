/*
 * x400_int.h - what the X.400 codec's files share among themselves.
 *
 * p1.c		MTS-APDU: envelopes, reports, probes, trace, extensions
 * orname.c	O/R names, O/R addresses, directory names, their text form
 * ipm.c	IPM / P772 content: heading, MMHS extensions, body parts, IPN
 * common.c	labels, times, text, extension sets, allocation helpers
 * charset.c	text to and from UTF-8
 * json.c	the JSON rendering of the facts
 *
 * Decoding functions take the TLV of the value they decode (tag already
 * checked by the caller, implicit tags being the caller's business) and
 * fill a zeroed structure; on error they return -1 with the reason in
 * d->c.err.  Encoding functions write one TLV with the tag given.
 */
#ifndef MMGUARD_X400_INT_H
#define MMGUARD_X400_INT_H

#include "filters/x400/x400.h"

/* Allocation in the decode's arena; NULL (with an error set) when over. */
void	*x400_alloc(struct x400_dec *, size_t n, const uint8_t *at);
void	*x400_array(struct x400_dec *, size_t n, size_t size,
	    const uint8_t *at);
char	*x400_strndup(struct x400_dec *, const void *, size_t,
	    const uint8_t *at);

/* Elements of a constructed value, counted without consuming them. */
int	 x400_count(struct x400_dec *, const struct ber_reader *,
	    unsigned max, const char *what, const uint8_t *at);

void	*x400_seq_array(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, unsigned max, const char *what,
	    const char *empty, size_t size, struct ber_reader *seq, int *n);

/* Primitive values. */
int	 x400_string(struct x400_dec *, const struct ber_tlv *, unsigned type,
	    char **);
int	 x400_string_choice(struct x400_dec *, const struct ber_tlv *,
	    char **);	/* NumericString or PrintableString, by its tag */
int	 x400_text(struct x400_dec *, const struct ber_tlv *, unsigned type,
	    struct x400_text *);
int	 x400_time(struct x400_dec *, const struct ber_tlv *, unsigned type,
	    struct x400_time *);
int	 x400_oid(struct x400_dec *, const struct ber_tlv *, char **);
int	 x400_bits(struct x400_dec *, const struct ber_tlv *,
	    struct x400_bits *);
int	 x400_int(struct x400_dec *, const struct ber_tlv *, int64_t min,
	    int64_t max, int64_t *);
int	 x400_explicit(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *outer, struct ber_tlv *inner);

/* Structures shared by envelope and content. */
int	 x400_orname_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_orname *);
int	 x400_oraddress_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_orname *);
int	 x400_label_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_label *);
int	 x400_gdi_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_gdi *);
int	 x400_eits_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_eits *);
int	 x400_exts_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_ext **, unsigned *);
int	 x400_hexts_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, struct x400_hext **, unsigned *);
char	*x400_orname_text(struct x400_dec *, const struct x400_orname *);
char	*x400_mtsid_text(struct x400_dec *, const struct x400_mtsid *);

/* Content (ipm.c): t is the InformationObject TLV ([0] IPM / [1] IPN). */
int	 x400_content_dec(struct x400_dec *, const struct ber_reader *,
	    const struct ber_tlv *, bool p772, struct x400_content *);
/* Content octets of a P1 message whose content type is IPM or P772,
 * CMS-wrapped or not (p1.c calls this). */
int	 x400_content_octets_dec(struct x400_dec *, const uint8_t *,
	    size_t, bool p772, bool cms, struct x400_content *);

/* Encoders. */
void	 x400_orname_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_orname *);
void	 x400_oraddress_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_orname *);
void	 x400_gdi_enc(struct ber_enc *, uint32_t tag, const struct x400_gdi *);
void	 x400_eits_enc(struct ber_enc *, const struct x400_eits *);
void	 x400_exts_enc(struct ber_enc *, uint32_t tag, const struct x400_ext *,
	    unsigned);
void	 x400_hexts_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_hext *, unsigned);
void	 x400_text_enc(struct ber_enc *, uint32_t tag, unsigned type,
	    const struct x400_text *);
void	 x400_time_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_time *);
void	 x400_bits_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_bits *, size_t minbits);
void	 x400_string_choice_enc(struct ber_enc *, uint32_t tag, const char *);
int	 x400_itrace_value(struct x400_dec *, const struct x400_trace *,
	    unsigned, const uint8_t **, size_t *);

#endif
