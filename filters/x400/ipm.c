/*
 * ipm.c - IPM / P772 content: the X.420 InformationObject (an IPM or an
 * IPN), the STANAG 4406 military heading extensions, every body part type
 * the guard knows, and the CMS SignedData wrapping of STANAG 4406 Annex B.
 *
 * What is decoded.  The heading field by field (a SET: any order in BER,
 * duplicates and strangers refused), every heading extension kept in
 * ipm.ext[] with the MMHS ones (1.3.26.0.4406.0.2.x) decoded into typed
 * fields, and the body part by part: the basic X.420 types, the extended
 * types of X.420 (general text, file transfer, voice, forwarded content and
 * the extended forms of the basic types) and the P772 ones (ADatP3,
 * corrections, forwarded encrypted, MM message, ACP 127 data).  Text a
 * person wrote is converted to UTF-8 so that the policy can inspect it;
 * what cannot be read (encrypted parts, voice, unknown extended types,
 * general text in an undeclared character set) is kept as bytes and marked
 * as such, and the policy decides.  An unknown extended body part is a fact,
 * not an error; a malformed known one is an error.
 *
 * How it is structured.  One static function per ASN.1 type, each taking
 * the TLV it decodes and the cursor it lies in, as the rest of the codec
 * does; the tag is the caller's (implicit tagging).  Lists are counted
 * before anything is allocated (x400_count) so that every limit is checked
 * before the work.  A body part's decoder is chosen by its type, whether it
 * came as a basic part (SEQUENCE { parameters, data } under its tag) or as
 * an extended one (INSTANCE OF under its OID): both forms end in the same
 * per-type function that sees a parameters TLV (or none) and a data TLV.
 *
 * Recursion.  Nothing here recurses on the input except a forwarded
 * message (message, mm-message, forwarded content, returned IPM of an IPN),
 * which decodes a whole IPM again; d->depth counts those levels and
 * d->lim.max_forward_depth bounds them, so the C stack is bounded for any
 * input.  Bytes decoded a second time (a forwarded content's OCTET STRING,
 * a CMS eContent, an extension value kept as bytes) are read by a cursor
 * that shares the decode's context: one arena, one set of limits, one
 * error.
 *
 * The encoder writes DER from the same structures: decoded fields are
 * written from their typed form, opaque values (unknown extensions,
 * encrypted data, file transfer, ...) as they were received, after a check
 * that each is one well-formed TLV.  It recurses on forwarded messages as
 * the decoder does, bounded by IPM_MAX_ENC_LEVEL against hand-built cycles.
 */
#include <stdio.h>
#include <string.h>

#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

#define IPM_FIELD(tag, mand, name)	{ { (tag) }, 1, (mand), (name), false, \
					  { 0 } }

/* Object identifiers of IPMS (X.420) and MMHS (STANAG 4406). */
#define IPM_OID_ET_CONTENT	"2.6.1.4.17."	/* + content type */
#define IPM_OID_EP_CONTENT	"2.6.1.11.17."
#define IPM_OID_P2_1984		"2.6.1.10.0"
#define IPM_OID_P2_1988		"2.6.1.10.1"
#define MM_OID_ACP127_NOTIFY	X400_OID_MM_PREFIX "15"

/* Upper bounds of X.420 and STANAG 4406 (IPMSUpperBounds, MMSUpperBounds). */
#define IPM_UB_LOCAL_ID		64
#define IPM_UB_FREE_FORM	64
#define IPM_UB_TELEPHONE	32
#define IPM_UB_SUBJECT		128
#define IPM_UB_AF_COMMENT	256
#define IPM_UB_SUPPL_INFO	256
#define MM_UB_MILITARY_STRING	69
#define MM_LB_SIC		3
#define MM_UB_SIC		8
#define MM_UB_SICS		8
#define MM_UB_ACP127_DATA	65535
#define MM_UB_PRECEDENCE	31	/* 0-15 NATO, 16-31 national */
#define MM_UB_MESSAGE_TYPE	255	/* 0-127 NATO, 128-255 national */

/* Lists the standards leave unbounded, bounded here. */
#define IPM_MAX_LINES		65536	/* teletex, set-oriented ADatP3 */
#define IPM_MAX_CHARSETS	64	/* general text registrations */
#define IPM_MAX_ENC_LEVEL	64	/* forwarded messages, when encoding */

/* ISO-IR registrations general text may declare and still be read. */
#define ISO_IR_C0		1	/* ISO 646 control set */
#define ISO_IR_ASCII		6	/* ASCII graphics (G0) */
#define ISO_IR_LATIN1		100	/* right half of ISO 8859-1 (G1) */

/* --- MMHS heading extensions -------------------------------------------- */

enum mm_hext {
	MM_PRIMARY_PRECEDENCE = 0, MM_COPY_PRECEDENCE = 1,
	MM_MESSAGE_TYPE = 2, MM_ADDRESS_LIST = 3, MM_EXEMPTED = 4,
	MM_EXT_AUTH_INFO = 5, MM_DIST_CODES = 6, MM_HANDLING = 7,
	MM_INSTRUCTIONS = 8, MM_CODRESS = 9, MM_ORIGINATOR_REF = 10,
	MM_OTHER_RCPT = 11, MM_PILOT = 12, MM_ACP127_ID = 13,
	MM_ORIGINATOR_PLAD = 14, MM_ACP127_NOTIFY = 15,
	MM_ACP127_RESPONSE = 16, MM_INFO_LABELS = 17,
	MM__N
};

typedef int (*mm_dec_fn)(struct x400_dec *, const struct ber_reader *,
    const struct ber_tlv *, struct x400_ipm *);

static int	mm_primary_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_copy_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_msgtype_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_ald_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_exempted_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_extauth_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_distcodes_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_handling_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_instructions_dec(struct x400_dec *,
		    const struct ber_reader *, const struct ber_tlv *,
		    struct x400_ipm *);
static int	mm_codress_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_origref_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_otherrcpt_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_pilot_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_acp127id_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_plad_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, struct x400_ipm *);
static int	mm_infolabels_dec(struct x400_dec *,
		    const struct ber_reader *, const struct ber_tlv *,
		    struct x400_ipm *);

/* Heading extensions by arc; NULL: not a heading extension (kept raw). */
static const struct mm_hext_type {
	const char	*name;
	mm_dec_fn	 dec;
} mm_hexts[MM__N] = {
	[MM_PRIMARY_PRECEDENCE] = { "primary-precedence", mm_primary_dec },
	[MM_COPY_PRECEDENCE] = { "copy-precedence", mm_copy_dec },
	[MM_MESSAGE_TYPE] = { "message-type", mm_msgtype_dec },
	[MM_ADDRESS_LIST] = { "address-list-indicator", mm_ald_dec },
	[MM_EXEMPTED] = { "exempted-address", mm_exempted_dec },
	[MM_EXT_AUTH_INFO] = { "extended-authorisation-info",
	    mm_extauth_dec },
	[MM_DIST_CODES] = { "distribution-codes", mm_distcodes_dec },
	[MM_HANDLING] = { "handling-instructions", mm_handling_dec },
	[MM_INSTRUCTIONS] = { "message-instructions", mm_instructions_dec },
	[MM_CODRESS] = { "codress-message", mm_codress_dec },
	[MM_ORIGINATOR_REF] = { "originator-reference", mm_origref_dec },
	[MM_OTHER_RCPT] = { "other-recipients-indicator", mm_otherrcpt_dec },
	[MM_PILOT] = { "pilot-forwarding-info", mm_pilot_dec },
	[MM_ACP127_ID] = { "acp127-message-identifier", mm_acp127id_dec },
	[MM_ORIGINATOR_PLAD] = { "originator-plad", mm_plad_dec },
	[MM_ACP127_NOTIFY] = { "acp127-notification-request", NULL },
	[MM_ACP127_RESPONSE] = { "acp127-notification-response", NULL },
	[MM_INFO_LABELS] = { "information-labels", mm_infolabels_dec },
};

/* --- body part types ------------------------------------------------------ */

#define IPM_NO_TAG	UINT32_MAX

/* Per type: its extended data and parameters OIDs, its basic tag. */
static const struct ipm_bptype {
	const char	*name;
	const char	*data_oid;
	const char	*param_oid;
	uint32_t	 basic;		/* [n] of the basic CHOICE */
} ipm_bptypes[X400_BP__COUNT] = {
	[X400_BP_IA5_TEXT] = { "ia5-text", "2.6.1.4.0", "2.6.1.11.0", 0 },
	[X400_BP_G3_FAX] = { "g3-facsimile", "2.6.1.4.2", "2.6.1.11.2", 3 },
	[X400_BP_G4_CLASS1] = { "g4-class1", "2.6.1.4.3", NULL, 4 },
	[X400_BP_TELETEX] = { "teletex", "2.6.1.4.4", "2.6.1.11.4", 5 },
	[X400_BP_VIDEOTEX] = { "videotex", "2.6.1.4.5", "2.6.1.11.5", 6 },
	[X400_BP_ENCRYPTED] = { "encrypted", "2.6.1.4.6", "2.6.1.11.6", 8 },
	[X400_BP_MESSAGE] = { "message", "2.6.1.4.7", "2.6.1.11.7", 9 },
	[X400_BP_MIXED_MODE] = { "mixed-mode", "2.6.1.4.8", NULL, 11 },
	[X400_BP_BILATERAL] = { "bilaterally-defined", "2.6.1.4.9", NULL,
	    14 },
	[X400_BP_NATIONAL] = { "nationally-defined", "2.6.1.4.10", NULL, 7 },
	[X400_BP_GENERAL_TEXT] = { "general-text", "2.6.1.4.11",
	    "2.6.1.11.11", IPM_NO_TAG },
	[X400_BP_FILE_TRANSFER] = { "file-transfer", "2.6.1.4.12",
	    "2.6.1.11.12", IPM_NO_TAG },
	[X400_BP_VOICE] = { "voice", "2.6.1.4.16", "2.6.1.11.16",
	    IPM_NO_TAG },
	[X400_BP_FORWARDED_CONTENT] = { "forwarded-content", NULL, NULL,
	    IPM_NO_TAG },
	[X400_BP_ADATP3] = { "adatp3", "1.3.26.0.4406.0.7.0",
	    "1.3.26.0.4406.0.7.2", IPM_NO_TAG },
	[X400_BP_CORRECTIONS] = { "corrections", "1.3.26.0.4406.0.7.1",
	    "1.3.26.0.4406.0.7.3", IPM_NO_TAG },
	[X400_BP_FORWARDED_ENCRYPTED] = { "forwarded-encrypted",
	    "1.3.26.0.4406.0.7.6", "1.3.26.0.4406.0.7.7", IPM_NO_TAG },
	[X400_BP_MM_MESSAGE] = { "mm-message", "1.3.26.0.4406.0.7.9",
	    "1.3.26.0.4406.0.7.10", IPM_NO_TAG },
	[X400_BP_ACP127DATA] = { "acp127data", "1.3.26.0.4406.0.7.12",
	    "1.3.26.0.4406.0.7.13", IPM_NO_TAG },
	[X400_BP_UNKNOWN] = { "unknown extended", NULL, NULL, IPM_NO_TAG },
};

static int	ipm_ipm_dec(struct x400_dec *, const struct ber_reader *,
		    const struct ber_tlv *, bool, struct x400_ipm *);
static int	ipm_octets_dec(struct x400_dec *, unsigned, const uint8_t *,
		    const uint8_t *, size_t, bool, bool,
		    struct x400_content *);
static void	ipm_content_enc(struct ber_enc *, const struct x400_content *,
		    unsigned);
static void	ipm_ipm_enc(struct ber_enc *, uint32_t, const struct x400_ipm *,
		    unsigned);

/* --- small helpers ------------------------------------------------------- */

static int
ipm_want(struct x400_dec *d, const struct ber_tlv *t, uint32_t tag,
    const char *what)
{
	char	want[32], got[32];

	if (t->tag == tag)
		return 0;
	(void)ber_tag_name(tag, want, sizeof(want));
	(void)ber_tag_name(t->tag, got, sizeof(got));
	return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
	    "%s is %s, expected %s", what, got, want);
}

/* DER leaves out a component whose value is its DEFAULT (X.690 11.5). */
static int
ipm_der_default(struct x400_dec *d, const struct ber_tlv *t,
    const char *what)
{
	return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
	    "%s encoded with its default value, which DER leaves out", what);
}

static bool
ipm_der(const struct x400_dec *d)
{
	return d->c.mode == BER_MODE_DER;
}

/*
 * A cursor over bytes decoded a second time, sharing the decode's context.
 * depth is the nesting the bytes have in the whole (for the depth limit).
 */
static void
ipm_reader(struct x400_dec *d, const uint8_t *p, size_t n, unsigned depth,
    struct ber_reader *r)
{
	memset(r, 0, sizeof(*r));
	r->ctx = &d->c;
	r->p = p;
	r->end = p + n;
	r->depth = depth;
}

/* The one TLV in bytes kept by a helper (an extension value), read again. */
static int
ipm_reread(struct x400_dec *d, const uint8_t *p, size_t n, unsigned depth,
    struct ber_reader *r, struct ber_tlv *t)
{
	int	k;

	ipm_reader(d, p, n, depth, r);
	if ((k = ber_next(r, t)) == -1)
		return -1;
	if (k == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, p, "empty value");
	return ber_end(r);
}

/*
 * Characters of a text, for SIZE constraints: a T.61 diacritical mark and
 * its letter are one character, a UTF-8 sequence is one.
 */
static size_t
ipm_chars(const struct x400_text *x)
{
	size_t	i, n = 0;

	if (x->cs == X400_CS_T61 && x->raw != NULL) {
		for (i = 0; i < x->rawlen; i++)
			if (x->raw[i] < 0xc1 || x->raw[i] > 0xcf)
				n++;
		return n;
	}
	for (i = 0; i < x->len; i++)
		if (((uint8_t)x->utf8[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Text of a string type with a SIZE constraint in characters. */
static int
ipm_text_dec(struct x400_dec *d, const struct ber_tlv *t, unsigned type,
    size_t lo, size_t hi, const char *what, struct x400_text *out)
{
	size_t	n;

	if (x400_text(d, t, type, out) == -1)
		return -1;
	n = ipm_chars(out);
	if (n < lo || n > hi)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "%s of %zu characters (%zu to %zu)", what, n, lo, hi);
	return 0;
}

/* MilitaryString ::= PrintableString (SIZE (1..69)); the tag is checked. */
static int
ipm_milstr_dec(struct x400_dec *d, const struct ber_tlv *t, const char *what,
    struct x400_text *out)
{
	return ipm_text_dec(d, t, BER_PRINTABLE_STRING, 1,
	    MM_UB_MILITARY_STRING, what, out);
}

/* An INTEGER (or ENUMERATED) in lo..hi, with a message naming it. */
static int
ipm_int_dec(struct x400_dec *d, const struct ber_tlv *t, int64_t lo,
    int64_t hi, const char *what, int64_t *out)
{
	int64_t	v;

	if (x400_int(d, t, INT64_MIN + 1, INT64_MAX, &v) == -1)
		return -1;
	if (v < lo || v > hi)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "%s %lld outside %lld..%lld", what, (long long)v,
		    (long long)lo, (long long)hi);
	*out = v;
	return 0;
}

/* The arc x of 1.3.26.0.4406.0.2.x, or -1. */
static int
ipm_mm_arc(const char *oid)
{
	size_t		 n = sizeof(X400_OID_MM_PREFIX) - 1;
	const char	*s;
	int		 v = 0;

	if (strncmp(oid, X400_OID_MM_PREFIX, n) != 0)
		return -1;
	s = oid + n;
	if (*s == '\0' || (s[0] == '0' && s[1] != '\0'))
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > 1000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* --- lists ---------------------------------------------------------------- */

typedef int (*ipm_elem_fn)(struct x400_dec *, const struct ber_reader *,
    const struct ber_tlv *, void *);

/*
 * SEQUENCE OF (or SET OF) elements of one tag: counted against max first,
 * then allocated and decoded one by one.  NULL on error.
 */
static void *
ipm_list_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, uint32_t elemtag, unsigned max, const char *what,
    size_t size, ipm_elem_fn fn, unsigned *nout)
{
	struct ber_reader	 k;
	struct ber_tlv		 u;
	uint8_t			*a;
	int			 n, i;

	if (ber_enter(r, t, &k) == -1 ||
	    (n = x400_count(d, &k, max, what, t->raw)) == -1)
		return NULL;
	if ((a = x400_array(d, (size_t)n, size, t->raw)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (ber_expect(&k, elemtag, &u) == -1 ||
		    fn(d, &k, &u, a + (size_t)i * size) == -1)
			return NULL;
	if (ber_end(&k) == -1)
		return NULL;
	*nout = (unsigned)n;
	return a;
}

/* --- heading components --------------------------------------------------- */

/* IPMIdentifier ::= [APPLICATION 11] SET { user ORName OPTIONAL, local } */
static int
ipm_ipmid_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ipmid *id)
{
	enum { F_USER, F_LOCAL, F__N };
	struct ber_set_field	f[F__N] = {
		[F_USER] = IPM_FIELD(BER_APP(0), false, "user"),
		[F_LOCAL] = IPM_FIELD(BER_UNIV(BER_PRINTABLE_STRING), true,
		    "user-relative-identifier"),
	};
	struct ber_reader	set;
	size_t			n;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (f[F_USER].present) {
		if (x400_orname_dec(d, &set, &f[F_USER].tlv, &id->user) == -1)
			return -1;
		id->user.present = true;
	}
	if (x400_string(d, &f[F_LOCAL].tlv, BER_PRINTABLE_STRING,
	    &id->local) == -1)
		return -1;
	if ((n = strlen(id->local)) > IPM_UB_LOCAL_ID)
		return ber_fail(&d->c, BER_E_RANGE, f[F_LOCAL].tlv.raw,
		    "IPM identifier of %zu characters (at most %d)", n,
		    IPM_UB_LOCAL_ID);
	return 0;
}

static int
ipm_ipmid_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	return ipm_ipmid_dec(d, r, t, p);
}

/* ORDescriptor ::= SET { ORName OPTIONAL, [0] free-form, [1] telephone } */
static int
ipm_ordesc_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ordesc *o)
{
	enum { F_FORMAL, F_FREE, F_TEL, F__N };
	struct ber_set_field	f[F__N] = {
		[F_FORMAL] = IPM_FIELD(BER_APP(0), false, "formal-name"),
		[F_FREE] = IPM_FIELD(BER_CTX(0), false, "free-form-name"),
		[F_TEL] = IPM_FIELD(BER_CTX(1), false, "telephone-number"),
	};
	struct ber_reader	set;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (f[F_FORMAL].present) {
		if (x400_orname_dec(d, &set, &f[F_FORMAL].tlv,
		    &o->formal) == -1)
			return -1;
		o->formal.present = true;
	}
	if (f[F_FREE].present && ipm_text_dec(d, &f[F_FREE].tlv,
	    BER_TELETEX_STRING, 0, IPM_UB_FREE_FORM, "free-form name",
	    &o->free_form) == -1)
		return -1;
	if (f[F_TEL].present) {
		if (x400_string(d, &f[F_TEL].tlv, BER_PRINTABLE_STRING,
		    &o->telephone) == -1)
			return -1;
		if (strlen(o->telephone) > IPM_UB_TELEPHONE)
			return ber_fail(&d->c, BER_E_RANGE,
			    f[F_TEL].tlv.raw,
			    "telephone number of %zu characters (at most %d)",
			    strlen(o->telephone), IPM_UB_TELEPHONE);
	}
	return 0;
}

static int
ipm_ordesc_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	return ipm_ordesc_dec(d, r, t, p);
}

/* ReplyRecipientsSubfield: an ORDescriptor WITH formal-name PRESENT. */
static int
ipm_replyrcpt_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	struct x400_ordesc	*o = p;

	if (ipm_ordesc_dec(d, r, t, o) == -1)
		return -1;
	if (!o->formal.present)
		return ber_fail(&d->c, BER_E_MISSING, t->raw,
		    "reply recipient without a formal name");
	return 0;
}

/*
 * recipient-extensions: every one kept; acp127-notification-request
 * (1.3.26.0.4406.0.2.15, a BIT STRING) decoded, at most once.
 */
static int
ipm_rcptexts_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_rcptspec *rs)
{
	struct ber_reader	 vr;
	struct ber_tlv		 v;
	struct x400_hext	*x;
	unsigned		 i;

	if (x400_hexts_dec(d, r, t, &rs->ext, &rs->next) == -1)
		return -1;
	for (i = 0; i < rs->next; i++) {
		x = &rs->ext[i];
		if (strcmp(x->oid, MM_OID_ACP127_NOTIFY) != 0)
			continue;
		if (rs->acp127_notify.present)
			return ber_fail(&d->c, BER_E_DUPLICATE,
			    x->value != NULL ? x->value : t->raw,
			    "acp127-notification-request appears twice");
		if (x->value == NULL)
			return ber_fail(&d->c, BER_E_MISSING, t->raw,
			    "acp127-notification-request without a value");
		if (ipm_reread(d, x->value, x->valuelen, r->depth + 2, &vr,
		    &v) == -1 ||
		    ipm_want(d, &v, BER_UNIV(BER_BIT_STRING),
		    "acp127-notification-request") == -1 ||
		    x400_bits(d, &v, &rs->acp127_notify) == -1)
			return -1;
		x->known = true;
	}
	return 0;
}

/* RecipientSpecifier ::= SET { [0] ORDescriptor, [1] notification-requests,
 *   [2] reply-requested, [3] recipient-extensions } */
static int
ipm_rcptspec_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_rcptspec *rs)
{
	enum { F_WHO, F_NOTIFY, F_REPLY, F_EXT, F__N };
	struct ber_set_field	f[F__N] = {
		[F_WHO] = IPM_FIELD(BER_CTX(0), true, "recipient"),
		[F_NOTIFY] = IPM_FIELD(BER_CTX(1), false,
		    "notification-requests"),
		[F_REPLY] = IPM_FIELD(BER_CTX(2), false, "reply-requested"),
		[F_EXT] = IPM_FIELD(BER_CTX(3), false, "recipient-extensions"),
	};
	struct ber_reader	set;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_ordesc_dec(d, &set, &f[F_WHO].tlv, &rs->who) == -1)
		return -1;
	if (f[F_NOTIFY].present) {
		if (x400_bits(d, &f[F_NOTIFY].tlv, &rs->notify) == -1)
			return -1;
		if (ipm_der(d) && rs->notify.bits == 0)
			return ipm_der_default(d, &f[F_NOTIFY].tlv,
			    "notification-requests");
	}
	if (f[F_REPLY].present) {
		if (ber_get_bool(&d->c, &f[F_REPLY].tlv,
		    &rs->reply_requested) == -1)
			return -1;
		if (ipm_der(d) && !rs->reply_requested)
			return ipm_der_default(d, &f[F_REPLY].tlv,
			    "reply-requested");
	}
	if (f[F_EXT].present &&
	    ipm_rcptexts_dec(d, &set, &f[F_EXT].tlv, rs) == -1)
		return -1;
	return 0;
}

static int
ipm_rcptspec_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	return ipm_rcptspec_dec(d, r, t, p);
}

static int
ipm_milstr_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	(void)r;
	return ipm_milstr_dec(d, t, "military string", p);
}

/* A recipient list heading field; DER leaves out an empty DEFAULT {}. */
static int
ipm_rcpts_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, const char *what, bool defaulted,
    struct x400_rcptspec **out, unsigned *nout)
{
	if ((*out = ipm_list_dec(d, r, t, BER_UNIV(BER_SET),
	    d->lim.max_recipients, what, sizeof(**out), ipm_rcptspec_elem,
	    nout)) == NULL)
		return -1;
	if (defaulted && ipm_der(d) && *nout == 0)
		return ipm_der_default(d, t, what);
	return 0;
}

/* --- MMHS heading extensions ------------------------------------------- */

static int
mm_precedence(struct x400_dec *d, const struct ber_tlv *v, const char *what,
    int64_t *out)
{
	if (ipm_want(d, v, BER_UNIV(BER_INTEGER), what) == -1)
		return -1;
	return ipm_int_dec(d, v, 0, MM_UB_PRECEDENCE, what, out);
}

static int
mm_primary_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	return mm_precedence(d, v, "primary-precedence",
	    &ipm->primary_precedence);
}

static int
mm_copy_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	return mm_precedence(d, v, "copy-precedence", &ipm->copy_precedence);
}

/* MessageType ::= SET { type [0] INTEGER, identifier [1] OPTIONAL } */
static int
mm_msgtype_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	enum { F_TYPE, F_ID, F__N };
	struct ber_set_field	f[F__N] = {
		[F_TYPE] = IPM_FIELD(BER_CTX(0), true, "type"),
		[F_ID] = IPM_FIELD(BER_CTX(1), false, "identifier"),
	};
	struct ber_reader	set;

	if (ipm_want(d, v, BER_UNIV(BER_SET), "message-type") == -1 ||
	    ber_enter(r, v, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_int_dec(d, &f[F_TYPE].tlv, 0, MM_UB_MESSAGE_TYPE,
	    "message type", &ipm->message_type) == -1)
		return -1;
	if (f[F_ID].present && ipm_milstr_dec(d, &f[F_ID].tlv,
	    "message type identifier", &ipm->message_type_id) == -1)
		return -1;
	return 0;
}

/* AddressListDesignator ::= SET { [0] type, [1] listName, [2], [3] } */
static int
mm_ald_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	enum { F_TYPE, F_NAME, F_NOTIFY, F_REPLY, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_TYPE] = IPM_FIELD(BER_CTX(0), true, "type"),
		[F_NAME] = IPM_FIELD(BER_CTX(1), true, "listName"),
		[F_NOTIFY] = IPM_FIELD(BER_CTX(2), false,
		    "notificationRequest"),
		[F_REPLY] = IPM_FIELD(BER_CTX(3), false, "replyRequest"),
	};
	struct x400_ald		*a = p;
	struct ber_reader	 set;

	a->notification = X400_ABSENT;
	a->reply = X400_ABSENT;
	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_int_dec(d, &f[F_TYPE].tlv, 0, 1, "address list type",
	    &a->type) == -1 ||
	    ipm_ordesc_dec(d, &set, &f[F_NAME].tlv, &a->list) == -1)
		return -1;
	if (f[F_NOTIFY].present && ipm_int_dec(d, &f[F_NOTIFY].tlv, 0, 2,
	    "address list notification request", &a->notification) == -1)
		return -1;
	if (f[F_REPLY].present && ipm_int_dec(d, &f[F_REPLY].tlv, 0, 2,
	    "address list reply request", &a->reply) == -1)
		return -1;
	return 0;
}

static int
mm_ald_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE),
	    "address-list-indicator") == -1 ||
	    (ipm->ald = ipm_list_dec(d, r, v, BER_UNIV(BER_SET),
	    d->lim.max_recipients, "address list designators",
	    sizeof(*ipm->ald), mm_ald_elem, &ipm->nald)) == NULL)
		return -1;
	ipm->has_ald = true;
	return 0;
}

static int
mm_exempted_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE), "exempted-address") == -1 ||
	    (ipm->exempted = ipm_list_dec(d, r, v, BER_UNIV(BER_SET),
	    d->lim.max_recipients, "exempted addresses",
	    sizeof(*ipm->exempted), ipm_ordesc_elem,
	    &ipm->nexempted)) == NULL)
		return -1;
	ipm->has_exempted = true;
	return 0;
}

static int
mm_extauth_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	if (ipm_want(d, v, BER_UNIV(BER_UTC_TIME),
	    "extended-authorisation-info") == -1)
		return -1;
	return x400_time(d, v, BER_UTC_TIME, &ipm->ext_auth_info);
}

/* Sic ::= PrintableString (SIZE (3..8)) */
static int
mm_sic_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	char	**sic = p;
	size_t	  n;

	(void)r;
	if (x400_string(d, t, BER_PRINTABLE_STRING, sic) == -1)
		return -1;
	n = strlen(*sic);
	if (n < MM_LB_SIC)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "SIC \"%s\" shorter than %d characters", *sic, MM_LB_SIC);
	if (n > MM_UB_SIC)
		return ber_fail(&d->c, BER_E_RANGE, t->raw,
		    "SIC \"%s\" longer than %d characters", *sic, MM_UB_SIC);
	return 0;
}

/* DistributionExtensionField ::= SEQUENCE { dist-type OID, dist-value ANY } */
static int
mm_distext_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	struct x400_distext	*x = p;
	struct ber_reader	 k;
	struct ber_tlv		 u;
	int			 n;

	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_OID), &u) == -1 ||
	    x400_oid(d, &u, &x->oid) == -1)
		return -1;
	if ((n = ber_next(&k, &u)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_MISSING, t->raw,
		    "distribution extension %s without a value", x->oid);
	x->value = u.raw;
	x->valuelen = u.rawlen;
	return ber_end(&k);
}

/* DistributionCodes ::= SET { sics [0] SEQUENCE SIZE (1..8) OF Sic
 *   OPTIONAL, dist-Extensions [1] SEQUENCE OF ... OPTIONAL } */
static int
mm_distcodes_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	enum { F_SICS, F_EXT, F__N };
	struct ber_set_field	f[F__N] = {
		[F_SICS] = IPM_FIELD(BER_CTX(0), false, "sics"),
		[F_EXT] = IPM_FIELD(BER_CTX(1), false, "dist-Extensions"),
	};
	struct ber_reader	set;

	if (ipm_want(d, v, BER_UNIV(BER_SET), "distribution-codes") == -1 ||
	    ber_enter(r, v, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (f[F_SICS].present) {
		if ((ipm->sics = ipm_list_dec(d, &set, &f[F_SICS].tlv,
		    BER_UNIV(BER_PRINTABLE_STRING), MM_UB_SICS, "SICs",
		    sizeof(*ipm->sics), mm_sic_elem, &ipm->nsics)) == NULL)
			return -1;
		if (ipm->nsics == 0)
			return ber_fail(&d->c, BER_E_RANGE, f[F_SICS].tlv.raw,
			    "empty list of SICs (at least 1)");
	}
	if (f[F_EXT].present && (ipm->dist_ext = ipm_list_dec(d, &set,
	    &f[F_EXT].tlv, BER_UNIV(BER_SEQUENCE), d->lim.max_extensions,
	    "distribution extensions", sizeof(*ipm->dist_ext),
	    mm_distext_elem, &ipm->ndist_ext)) == NULL)
		return -1;
	ipm->has_dist_codes = true;
	return 0;
}

/* HandlingInstructions, MessageInstructions ::= SEQUENCE OF MilitaryString */
static int
mm_milstrs_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, const char *what, struct x400_text **out,
    unsigned *nout)
{
	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE), what) == -1)
		return -1;
	*out = ipm_list_dec(d, r, v, BER_UNIV(BER_PRINTABLE_STRING),
	    d->lim.max_recipients, what, sizeof(**out), ipm_milstr_elem, nout);
	return *out == NULL ? -1 : 0;
}

static int
mm_handling_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (mm_milstrs_dec(d, r, v, "handling-instructions", &ipm->handling,
	    &ipm->nhandling) == -1)
		return -1;
	ipm->has_handling = true;
	return 0;
}

static int
mm_instructions_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (mm_milstrs_dec(d, r, v, "message-instructions",
	    &ipm->instructions, &ipm->ninstructions) == -1)
		return -1;
	ipm->has_instructions = true;
	return 0;
}

static int
mm_codress_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	if (ipm_want(d, v, BER_UNIV(BER_INTEGER), "codress-message") == -1)
		return -1;
	return ipm_int_dec(d, v, INT64_MIN + 1, INT64_MAX, "codress-message",
	    &ipm->codress);
}

static int
mm_milstr_field(struct x400_dec *d, const struct ber_tlv *v,
    const char *what, struct x400_text *out)
{
	if (ipm_want(d, v, BER_UNIV(BER_PRINTABLE_STRING), what) == -1)
		return -1;
	return ipm_milstr_dec(d, v, what, out);
}

static int
mm_origref_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	return mm_milstr_field(d, v, "originator-reference",
	    &ipm->originator_ref);
}

static int
mm_acp127id_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	return mm_milstr_field(d, v, "acp127-message-identifier",
	    &ipm->acp127_id);
}

static int
mm_plad_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	(void)r;
	return mm_milstr_field(d, v, "originator-plad",
	    &ipm->originator_plad);
}

/* OtherRecipientDesignator ::= SET { type [0], designator [1] } */
static int
mm_ord_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	enum { F_TYPE, F_DESIG, F__N };
	struct ber_set_field	 f[F__N] = {
		[F_TYPE] = IPM_FIELD(BER_CTX(0), true, "type"),
		[F_DESIG] = IPM_FIELD(BER_CTX(1), true, "designator"),
	};
	struct x400_ord		*o = p;
	struct ber_reader	 set;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_int_dec(d, &f[F_TYPE].tlv, 0, 1, "other recipient type",
	    &o->type) == -1)
		return -1;
	return ipm_milstr_dec(d, &f[F_DESIG].tlv, "other recipient designator",
	    &o->designator);
}

static int
mm_otherrcpt_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE),
	    "other-recipients-indicator") == -1 ||
	    (ipm->other_rcpt = ipm_list_dec(d, r, v, BER_UNIV(BER_SET),
	    d->lim.max_recipients, "other recipient designators",
	    sizeof(*ipm->other_rcpt), mm_ord_elem,
	    &ipm->nother_rcpt)) == NULL)
		return -1;
	ipm->has_other_rcpt = true;
	return 0;
}

/* PilotInformation ::= SEQUENCE { [0] precedence OPTIONAL, [1] SEQUENCE OF
 *   ORDescriptor OPTIONAL, [2] SecurityLabel OPTIONAL, [3] SEQUENCE OF
 *   MilitaryString OPTIONAL } */
static int
mm_pilot_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	struct x400_pilot	*pi = p;
	struct ber_reader	 k;
	struct ber_tlv		 u;
	int			 n;

	pi->precedence = X400_ABSENT;
	if (ber_enter(r, t, &k) == -1)
		return -1;
	if ((n = ber_optional(&k, BER_CTX(0), &u)) == -1)
		return -1;
	if (n == 1 && ipm_int_dec(d, &u, 0, MM_UB_PRECEDENCE,
	    "pilot precedence", &pi->precedence) == -1)
		return -1;
	if ((n = ber_optional(&k, BER_CTX(1), &u)) == -1)
		return -1;
	if (n == 1 && (pi->rcpt = ipm_list_dec(d, &k, &u, BER_UNIV(BER_SET),
	    d->lim.max_recipients, "pilot recipients", sizeof(*pi->rcpt),
	    ipm_ordesc_elem, &pi->nrcpt)) == NULL)
		return -1;
	if ((n = ber_optional(&k, BER_CTX(2), &u)) == -1)
		return -1;
	if (n == 1 && x400_label_dec(d, &k, &u, &pi->label) == -1)
		return -1;
	if ((n = ber_optional(&k, BER_CTX(3), &u)) == -1)
		return -1;
	if (n == 1 && (pi->handling = ipm_list_dec(d, &k, &u,
	    BER_UNIV(BER_PRINTABLE_STRING), d->lim.max_recipients,
	    "pilot handling instructions", sizeof(*pi->handling),
	    ipm_milstr_elem, &pi->nhandling)) == NULL)
		return -1;
	return ber_end(&k);
}

static int
mm_pilot_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE), "pilot-forwarding-info") ==
	    -1 ||
	    (ipm->pilot = ipm_list_dec(d, r, v, BER_UNIV(BER_SEQUENCE),
	    d->lim.max_recipients, "pilot forwarding entries",
	    sizeof(*ipm->pilot), mm_pilot_elem, &ipm->npilot)) == NULL)
		return -1;
	ipm->has_pilot = true;
	return 0;
}

/* BodyPartSecurityLabel ::= SET { [0] SecurityLabel, [1] INTEGER OPTIONAL },
 * checked and kept only in the raw value. */
static int
mm_bplabel_elem(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, void *p)
{
	enum { F_LABEL, F_NUMBER, F__N };
	struct ber_set_field	f[F__N] = {
		[F_LABEL] = IPM_FIELD(BER_CTX(0), true,
		    "body-part-security-label"),
		[F_NUMBER] = IPM_FIELD(BER_CTX(1), false,
		    "body-part-sequence-number"),
	};
	struct ber_reader	set;
	struct x400_label	l;
	int64_t			n;

	(void)p;
	if (ber_enter(r, t, &set) == -1 ||
	    ber_set_decode(&set, f, F__N) == -1 ||
	    x400_label_dec(d, &set, &f[F_LABEL].tlv, &l) == -1)
		return -1;
	if (f[F_NUMBER].present && x400_int(d, &f[F_NUMBER].tlv, 1, INT64_MAX,
	    &n) == -1)
		return -1;
	return 0;
}

/* SecurityInformationLabels ::= SEQUENCE { content-security-label [0],
 *   heading-security-label [1] OPTIONAL, body-part-security-labels [2]
 *   SEQUENCE OF BodyPartSecurityLabel OPTIONAL } */
static int
mm_infolabels_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *v, struct x400_ipm *ipm)
{
	struct ber_reader	 k;
	struct ber_tlv		 u;
	struct x400_label	 heading;
	unsigned		 n;
	int			 m;

	if (ipm_want(d, v, BER_UNIV(BER_SEQUENCE), "information-labels") ==
	    -1 || ber_enter(r, v, &k) == -1 ||
	    ber_expect(&k, BER_CTX(0), &u) == -1 ||
	    x400_label_dec(d, &k, &u, &ipm->info_label) == -1)
		return -1;
	if ((m = ber_optional(&k, BER_CTX(1), &u)) == -1)
		return -1;
	if (m == 1 && x400_label_dec(d, &k, &u, &heading) == -1)
		return -1;
	if ((m = ber_optional(&k, BER_CTX(2), &u)) == -1)
		return -1;
	/* Elements are checked; the array itself is not kept. */
	if (m == 1 && ipm_list_dec(d, &k, &u, BER_UNIV(BER_SET),
	    d->lim.max_body_parts, "body part security labels", 1,
	    mm_bplabel_elem, &n) == NULL)
		return -1;
	if (ber_end(&k) == -1)
		return -1;
	ipm->has_info_labels = true;
	ipm->info_labels_raw = v->raw;
	ipm->info_labels_rawlen = v->rawlen;
	return 0;
}

/*
 * Heading extensions: all kept in ipm->ext[]; the MMHS ones decoded into
 * their fields and marked known, each at most once.  r is the heading's
 * cursor; the values lie two levels below it (SET OF, SEQUENCE).
 */
static int
ipm_hexts_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ipm *ipm)
{
	struct ber_reader	 vr;
	struct ber_tlv		 v;
	struct x400_hext	*x;
	uint32_t		 seen = 0;
	unsigned		 i;
	int			 arc;

	if (x400_hexts_dec(d, r, t, &ipm->ext, &ipm->next) == -1)
		return -1;
	for (i = 0; i < ipm->next; i++) {
		x = &ipm->ext[i];
		if ((arc = ipm_mm_arc(x->oid)) == -1 || arc >= MM__N ||
		    mm_hexts[arc].dec == NULL)
			continue;
		if (seen & (UINT32_C(1) << arc))
			return ber_fail(&d->c, BER_E_DUPLICATE,
			    x->value != NULL ? x->value : t->raw,
			    "%s appears twice", mm_hexts[arc].name);
		seen |= UINT32_C(1) << arc;
		if (x->value == NULL)
			return ber_fail(&d->c, BER_E_MISSING, t->raw,
			    "%s without a value", mm_hexts[arc].name);
		if (ipm_reread(d, x->value, x->valuelen, r->depth + 2, &vr,
		    &v) == -1 || mm_hexts[arc].dec(d, &vr, &v, ipm) == -1)
			return -1;
		x->known = true;
	}
	return 0;
}

/* --- heading ------------------------------------------------------------- */

static void
ipm_ipm_init(struct x400_ipm *ipm)
{
	ipm->importance = 1;
	ipm->sensitivity = X400_ABSENT;
	ipm->primary_precedence = X400_ABSENT;
	ipm->copy_precedence = X400_ABSENT;
	ipm->message_type = X400_ABSENT;
	ipm->codress = X400_ABSENT;
}

static int
ipm_heading_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ipm *ipm)
{
	enum { F_THIS, F_ORIG, F_AUTH, F_PRIMARY, F_COPY, F_BLIND, F_REPLIED,
	    F_OBSOLETED, F_RELATED, F_SUBJECT, F_EXPIRY, F_REPLY_TIME,
	    F_REPLY_RCPT, F_IMPORTANCE, F_SENSITIVITY, F_AUTO_FWD, F_EXT,
	    F__N };
	struct ber_set_field	 f[F__N] = {
		[F_THIS] = IPM_FIELD(BER_APP(11), true, "this-IPM"),
		[F_ORIG] = IPM_FIELD(BER_CTX(0), false, "originator"),
		[F_AUTH] = IPM_FIELD(BER_CTX(1), false, "authorizing-users"),
		[F_PRIMARY] = IPM_FIELD(BER_CTX(2), false,
		    "primary-recipients"),
		[F_COPY] = IPM_FIELD(BER_CTX(3), false, "copy-recipients"),
		[F_BLIND] = IPM_FIELD(BER_CTX(4), false,
		    "blind-copy-recipients"),
		[F_REPLIED] = IPM_FIELD(BER_CTX(5), false, "replied-to-IPM"),
		[F_OBSOLETED] = IPM_FIELD(BER_CTX(6), false, "obsoleted-IPMs"),
		[F_RELATED] = IPM_FIELD(BER_CTX(7), false, "related-IPMs"),
		[F_SUBJECT] = IPM_FIELD(BER_CTX(8), false, "subject"),
		[F_EXPIRY] = IPM_FIELD(BER_CTX(9), false, "expiry-time"),
		[F_REPLY_TIME] = IPM_FIELD(BER_CTX(10), false, "reply-time"),
		[F_REPLY_RCPT] = IPM_FIELD(BER_CTX(11), false,
		    "reply-recipients"),
		[F_IMPORTANCE] = IPM_FIELD(BER_CTX(12), false, "importance"),
		[F_SENSITIVITY] = IPM_FIELD(BER_CTX(13), false,
		    "sensitivity"),
		[F_AUTO_FWD] = IPM_FIELD(BER_CTX(14), false, "auto-forwarded"),
		[F_EXT] = IPM_FIELD(BER_CTX(15), false, "extensions"),
	};
	struct ber_reader	 set;
	struct ber_tlv		*u, s;
	unsigned		 max = d->lim.max_recipients;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_ipmid_dec(d, &set, &f[F_THIS].tlv, &ipm->this_ipm) == -1)
		return -1;
	if (f[F_ORIG].present) {
		if (ipm_ordesc_dec(d, &set, &f[F_ORIG].tlv,
		    &ipm->originator) == -1)
			return -1;
		ipm->has_originator = true;
	}
	u = &f[F_AUTH].tlv;
	if (f[F_AUTH].present && (ipm->auth = ipm_list_dec(d, &set, u,
	    BER_UNIV(BER_SET), max, "authorizing users", sizeof(*ipm->auth),
	    ipm_ordesc_elem, &ipm->nauth)) == NULL)
		return -1;
	if (f[F_PRIMARY].present && ipm_rcpts_dec(d, &set, &f[F_PRIMARY].tlv,
	    "primary recipients", true, &ipm->primary, &ipm->nprimary) == -1)
		return -1;
	if (f[F_COPY].present && ipm_rcpts_dec(d, &set, &f[F_COPY].tlv,
	    "copy recipients", true, &ipm->copy, &ipm->ncopy) == -1)
		return -1;
	if (f[F_BLIND].present) {
		if (ipm_rcpts_dec(d, &set, &f[F_BLIND].tlv,
		    "blind copy recipients", false, &ipm->blind,
		    &ipm->nblind) == -1)
			return -1;
		ipm->has_blind = true;
	}
	if (f[F_REPLIED].present) {
		if (ipm_ipmid_dec(d, &set, &f[F_REPLIED].tlv,
		    &ipm->replied_to) == -1)
			return -1;
		ipm->has_replied_to = true;
	}
	u = &f[F_OBSOLETED].tlv;
	if (f[F_OBSOLETED].present) {
		if ((ipm->obsoleted = ipm_list_dec(d, &set, u, BER_APP(11),
		    max, "obsoleted IPMs", sizeof(*ipm->obsoleted),
		    ipm_ipmid_elem, &ipm->nobsoleted)) == NULL)
			return -1;
		if (ipm_der(d) && ipm->nobsoleted == 0)
			return ipm_der_default(d, u, "obsoleted-IPMs");
	}
	u = &f[F_RELATED].tlv;
	if (f[F_RELATED].present) {
		if ((ipm->related = ipm_list_dec(d, &set, u, BER_APP(11),
		    max, "related IPMs", sizeof(*ipm->related),
		    ipm_ipmid_elem, &ipm->nrelated)) == NULL)
			return -1;
		if (ipm_der(d) && ipm->nrelated == 0)
			return ipm_der_default(d, u, "related-IPMs");
	}
	/* subject [8] EXPLICIT TeletexString */
	if (f[F_SUBJECT].present &&
	    (x400_explicit(d, &set, &f[F_SUBJECT].tlv, &s) == -1 ||
	    ipm_want(d, &s, BER_UNIV(BER_TELETEX_STRING), "subject") == -1 ||
	    ipm_text_dec(d, &s, BER_TELETEX_STRING, 0, IPM_UB_SUBJECT,
	    "subject", &ipm->subject) == -1))
		return -1;
	if (f[F_EXPIRY].present && x400_time(d, &f[F_EXPIRY].tlv,
	    BER_UTC_TIME, &ipm->expiry) == -1)
		return -1;
	if (f[F_REPLY_TIME].present && x400_time(d, &f[F_REPLY_TIME].tlv,
	    BER_UTC_TIME, &ipm->reply_time) == -1)
		return -1;
	if (f[F_REPLY_RCPT].present) {
		if ((ipm->reply_rcpt = ipm_list_dec(d, &set,
		    &f[F_REPLY_RCPT].tlv, BER_UNIV(BER_SET), max,
		    "reply recipients", sizeof(*ipm->reply_rcpt),
		    ipm_replyrcpt_elem, &ipm->nreply_rcpt)) == NULL)
			return -1;
		ipm->has_reply_rcpt = true;
	}
	u = &f[F_IMPORTANCE].tlv;
	if (f[F_IMPORTANCE].present) {
		if (ipm_int_dec(d, u, 0, 2, "importance",
		    &ipm->importance) == -1)
			return -1;
		if (ipm_der(d) && ipm->importance == 1)
			return ipm_der_default(d, u, "importance normal");
	}
	if (f[F_SENSITIVITY].present && ipm_int_dec(d, &f[F_SENSITIVITY].tlv,
	    1, 3, "sensitivity", &ipm->sensitivity) == -1)
		return -1;
	u = &f[F_AUTO_FWD].tlv;
	if (f[F_AUTO_FWD].present) {
		if (ber_get_bool(&d->c, u, &ipm->auto_forwarded) == -1)
			return -1;
		if (ipm_der(d) && !ipm->auto_forwarded)
			return ipm_der_default(d, u, "auto-forwarded");
	}
	if (f[F_EXT].present &&
	    ipm_hexts_dec(d, &set, &f[F_EXT].tlv, ipm) == -1)
		return -1;
	return 0;
}

/* --- body parts ---------------------------------------------------------- */

/*
 * A forwarded IPM (message, mm-message, returned IPM): one level deeper,
 * refused beyond the limit.  This is the only recursion on the input.
 */
static int
ipm_forward_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_content **out)
{
	struct x400_content	*c;
	int			 rv;

	if (d->depth >= d->lim.max_forward_depth)
		return ber_fail(&d->c, BER_E_DEPTH, t->raw,
		    "forwarded message nested more than %u deep",
		    d->lim.max_forward_depth);
	if ((c = x400_alloc(d, sizeof(*c), t->raw)) == NULL)
		return -1;
	c->p772 = p772;
	d->depth++;
	rv = ipm_ipm_dec(d, r, t, p772, &c->ipm);
	d->depth--;
	*out = c;
	return rv;
}

/* A forwarded content's octets, decoded as content one level deeper. */
static int
ipm_forward_octets(struct x400_dec *d, unsigned depth, const uint8_t *at,
    const uint8_t *p, size_t n, bool p772, bool cms, struct x400_content **out)
{
	struct x400_content	*c;
	int			 rv;

	if (d->depth >= d->lim.max_forward_depth)
		return ber_fail(&d->c, BER_E_DEPTH, at,
		    "forwarded content nested more than %u deep",
		    d->lim.max_forward_depth);
	if ((c = x400_alloc(d, sizeof(*c), at)) == NULL)
		return -1;
	d->depth++;
	rv = ipm_octets_dec(d, depth, at, p, n, p772, cms, c);
	d->depth--;
	*out = c;
	return rv;
}

/*
 * SEQUENCE OF a string type (teletex lines, set-oriented ADatP3): each
 * line converted, then joined by "\n", in UTF-8 and as sent, so that the
 * encoder can split them again.
 */
static int
ipm_lines_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, unsigned type, const char *what,
    struct x400_text *out)
{
	struct ber_reader	 k;
	struct ber_tlv		 u;
	struct x400_text	*line;
	size_t			 ulen = 0, rlen = 0, uo = 0, ro = 0;
	uint8_t			*raw;
	char			*utf8;
	int			 n, i;

	if (ber_enter(r, t, &k) == -1 ||
	    (n = x400_count(d, &k, IPM_MAX_LINES, what, t->raw)) == -1)
		return -1;
	if ((line = x400_array(d, (size_t)n, sizeof(*line), t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (ber_expect(&k, BER_UNIV(type), &u) == -1 ||
		    x400_text(d, &u, type, &line[i]) == -1)
			return -1;
		ulen += line[i].len + 1;
		rlen += line[i].rawlen + 1;
	}
	if (ber_end(&k) == -1)
		return -1;
	if ((utf8 = x400_alloc(d, ulen + 1, t->raw)) == NULL ||
	    (raw = x400_alloc(d, rlen + 1, t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			utf8[uo++] = '\n';
			raw[ro++] = '\n';
		}
		memcpy(utf8 + uo, line[i].utf8, line[i].len);
		uo += line[i].len;
		if (line[i].rawlen > 0)
			memcpy(raw + ro, line[i].raw, line[i].rawlen);
		ro += line[i].rawlen;
	}
	utf8[uo] = '\0';
	out->utf8 = utf8;
	out->len = uo;
	out->cs = (enum x400_cs)x400_cs_of_type(type);
	out->raw = raw;
	out->rawlen = ro;
	return 0;
}

/* The parameters of a basic type: a SET of these components. */
static int
ipm_params_set(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const char *what, struct ber_set_field *f,
    size_t nf, struct ber_reader *set)
{
	if (ipm_want(d, params, BER_UNIV(BER_SET), what) == -1 ||
	    ber_enter(r, params, set) == -1)
		return -1;
	return ber_set_decode(set, f, nf);
}

/* IA5TextParameters ::= SET { repertoire [0] ENUMERATED DEFAULT ia5 } */
static int
ipm_ia5_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	struct ber_set_field	f[1] = {
		IPM_FIELD(BER_CTX(0), false, "repertoire"),
	};
	struct ber_reader	set;

	bp->param = 5;
	if (params != NULL) {
		if (ipm_params_set(d, r, params, "ia5-text parameters", f, 1,
		    &set) == -1)
			return -1;
		if (f[0].present) {
			if (ipm_int_dec(d, &f[0].tlv, 2, 5, "repertoire",
			    &bp->param) == -1)
				return -1;
			if (bp->param != 2 && bp->param != 5)
				return ber_fail(&d->c, BER_E_RANGE,
				    f[0].tlv.raw, "repertoire %lld is neither "
				    "ita2 (2) nor ia5 (5)",
				    (long long)bp->param);
			if (ipm_der(d) && bp->param == 5)
				return ipm_der_default(d, &f[0].tlv,
				    "repertoire ia5");
		}
	}
	if (ipm_want(d, data, BER_UNIV(BER_IA5_STRING), "ia5-text data") == -1)
		return -1;
	return x400_text(d, data, BER_IA5_STRING, &bp->text);
}

/* Parameters SET { number-of-pages or syntax [0] INTEGER, others } */
static int
ipm_pages_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const char *what, struct ber_set_field *f,
    size_t nf, struct x400_bodypart *bp)
{
	struct ber_reader	set;

	if (params == NULL)
		return 0;
	if (ipm_params_set(d, r, params, what, f, nf, &set) == -1)
		return -1;
	if (f[0].present && x400_int(d, &f[0].tlv, 0, INT64_MAX,
	    &bp->param) == -1)
		return -1;
	return 0;
}

/* G3FacsimileBodyPart: SET { [0] pages, [1] non-basic }, SEQUENCE OF BIT
 * STRING. */
static int
ipm_g3_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	struct ber_set_field	f[2] = {
		IPM_FIELD(BER_CTX(0), false, "number-of-pages"),
		IPM_FIELD(BER_CTX(1), false, "non-basic-parameters"),
	};
	struct ber_reader	k;
	struct ber_bits		b;
	struct ber_tlv		u;
	int			n;

	if (ipm_pages_dec(d, r, params, "g3-facsimile parameters", f, 2,
	    bp) == -1)
		return -1;
	if (f[1].present && ber_get_bits(&d->c, &f[1].tlv, &b) == -1)
		return -1;
	if (ipm_want(d, data, BER_UNIV(BER_SEQUENCE), "g3-facsimile data") ==
	    -1 || ber_enter(r, data, &k) == -1)
		return -1;
	while ((n = ber_next(&k, &u)) == 1)
		if (ipm_want(d, &u, BER_UNIV(BER_BIT_STRING),
		    "g3-facsimile page") == -1 ||
		    ber_get_bits(&d->c, &u, &b) == -1)
			return -1;
	return n;
}

/* G4Class1BodyPart, MixedModeBodyPart ::= SEQUENCE OF Interchange-Data-
 * Element: opaque, its elements read for well-formedness. */
static int
ipm_seqany_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *data, bool ext, const char *what)
{
	struct ber_reader	k;
	struct ber_tlv		u;
	int			n;

	if (ext && ipm_want(d, data, BER_UNIV(BER_SEQUENCE), what) == -1)
		return -1;
	if (ber_enter(r, data, &k) == -1)
		return -1;
	while ((n = ber_next(&k, &u)) == 1)
		;
	return n;
}

/* TeletexBodyPart: SET { [0] pages, [1] telex-compatible, [2] non-basic },
 * SEQUENCE OF TeletexString. */
static int
ipm_teletex_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	struct ber_set_field	f[3] = {
		IPM_FIELD(BER_CTX(0), false, "number-of-pages"),
		IPM_FIELD(BER_CTX(1), false, "telex-compatible"),
		IPM_FIELD(BER_CTX(2), false, "non-basic-parameters"),
	};
	bool			tc;

	if (ipm_pages_dec(d, r, params, "teletex parameters", f, 3, bp) == -1)
		return -1;
	if (f[1].present) {
		if (ber_get_bool(&d->c, &f[1].tlv, &tc) == -1)
			return -1;
		if (ipm_der(d) && !tc)
			return ipm_der_default(d, &f[1].tlv,
			    "telex-compatible");
	}
	if (f[2].present && !f[2].tlv.constructed)
		return ber_fail(&d->c, BER_E_FORM, f[2].tlv.raw,
		    "teletex non-basic parameters must be constructed");
	if (ipm_want(d, data, BER_UNIV(BER_SEQUENCE), "teletex data") == -1)
		return -1;
	return ipm_lines_dec(d, r, data, BER_TELETEX_STRING, "teletex lines",
	    &bp->text);
}

/*
 * VideotexBodyPart: SET { syntax [0] INTEGER }, VideotexString.  Videotex
 * text within the T.61 repertoire is converted; videotex with its own
 * control functions is kept unread for the policy.
 */
static int
ipm_videotex_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	struct ber_set_field	 f[1] = {
		IPM_FIELD(BER_CTX(0), false, "syntax"),
	};
	const uint8_t		*p;
	const char		*why;
	size_t			 n, bad;

	if (ipm_pages_dec(d, r, params, "videotex parameters", f, 1, bp) == -1)
		return -1;
	if (ipm_want(d, data, BER_UNIV(BER_VIDEOTEX_STRING),
	    "videotex data") == -1 ||
	    ber_get_octets(&d->c, data, &p, &n) == -1)
		return -1;
	if (ber_check_charset(BER_TELETEX_STRING, p, n, &bad, &why) == -1)
		return 0;
	if (x400_to_utf8(&d->c, data->raw, X400_CS_T61, p, n,
	    &bp->text) == -1)
		return -1;
	bp->text.raw = p;
	bp->text.rawlen = n;
	return 0;
}

/*
 * EncryptedBodyPart: SET { algorithm-identifier AlgorithmIdentifier,
 *   originator-certificates OPTIONAL, ... }, BIT STRING.  The set is
 *   extensible, so components other than the AlgorithmIdentifier (the one
 *   SEQUENCE) are let through unread.
 */
static int
ipm_encrypted_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data)
{
	struct ber_reader	set, k;
	struct ber_tlv		u, o;
	struct ber_oid		oid;
	struct ber_bits		b;
	bool			alg = false;
	int			n;

	if (params != NULL) {
		if (ipm_want(d, params, BER_UNIV(BER_SET),
		    "encrypted parameters") == -1 ||
		    ber_enter(r, params, &set) == -1)
			return -1;
		while ((n = ber_next(&set, &u)) == 1) {
			if (u.tag != BER_UNIV(BER_SEQUENCE))
				continue;
			if (alg)
				return ber_fail(&d->c, BER_E_DUPLICATE, u.raw,
				    "algorithm-identifier appears twice");
			if (ber_enter(&set, &u, &k) == -1 ||
			    ber_expect(&k, BER_UNIV(BER_OID), &o) == -1 ||
			    ber_get_oid(&d->c, &o, &oid) == -1)
				return -1;
			alg = true;
		}
		if (n == -1)
			return -1;
		if (!alg)
			return ber_fail(&d->c, BER_E_MISSING, params->raw,
			    "encrypted parameters without an "
			    "algorithm-identifier");
	}
	if (ipm_want(d, data, BER_UNIV(BER_BIT_STRING), "encrypted data") == -1)
		return -1;
	return ber_get_bits(&d->c, data, &b);
}

/*
 * MessageParameters, MMMessageParameters, ForwardedEncryptedParameters,
 * ForwardedContentParameters ::= SET { delivery-time [0] OPTIONAL,
 *   delivery-envelope [1] (OPTIONAL in X.420, mandatory in P772),
 *   and for forwarded content [2] mts-identifier, [3] submission-proof }
 */
static int
ipm_delivery_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const char *what, bool envelope,
    bool content, struct x400_bodypart *bp)
{
	struct ber_set_field	f[4] = {
		IPM_FIELD(BER_CTX(0), false, "delivery-time"),
		IPM_FIELD(BER_CTX(1), envelope, "delivery-envelope"),
		IPM_FIELD(BER_CTX(2), false, "mts-identifier"),
		IPM_FIELD(BER_CTX(3), false, "submission-proof"),
	};
	struct ber_reader	set;

	if (params == NULL)
		return 0;
	if (ipm_params_set(d, r, params, what, f, content ? 4 : 2, &set) == -1)
		return -1;
	if (f[0].present && x400_time(d, &f[0].tlv, BER_UTC_TIME,
	    &bp->delivery_time) == -1)
		return -1;
	if (f[1].present) {
		if (!f[1].tlv.constructed)
			return ber_fail(&d->c, BER_E_FORM, f[1].tlv.raw,
			    "delivery-envelope must be constructed");
		bp->delivery_envelope = f[1].tlv.raw;
		bp->delivery_envelope_len = f[1].tlv.rawlen;
	}
	return 0;
}

/* MessageBodyPart, mm-message: parameters and a whole IPM, forwarded. */
static int
ipm_message_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data, bool p772,
    struct x400_bodypart *bp)
{
	bool	mm = bp->type == X400_BP_MM_MESSAGE;

	if (ipm_delivery_dec(d, r, params, mm ? "mm-message parameters" :
	    "message parameters", mm, false, bp) == -1)
		return -1;
	if (ipm_want(d, data, BER_UNIV(BER_SEQUENCE), mm ? "mm-message data" :
	    "message data") == -1)
		return -1;
	/* An X.420 message body part carries an IPM; an mm-message either. */
	return ipm_forward_dec(d, r, data, mm && p772, &bp->forwarded);
}

/* BilaterallyDefinedBodyPart ::= OCTET STRING (kept) */
static int
ipm_bilateral_dec(struct x400_dec *d, const struct ber_tlv *data, bool ext)
{
	const uint8_t	*p;
	size_t		 n;

	if (ext && ipm_want(d, data, BER_UNIV(BER_OCTET_STRING),
	    "bilaterally-defined data") == -1)
		return -1;
	return ber_get_octets(&d->c, data, &p, &n);
}

/*
 * General text: GeneralString in the character sets its parameters
 * register.  Readable when they are ASCII (ISO-IR 6, with the C0 set
 * ISO-IR 1) and ISO 8859-1's right half (ISO-IR 100): then converted.  Any
 * other registration, or an escape sequence other than the designations of
 * those sets, makes the text unreadable here: kept, utf8 left NULL, for
 * the policy to decide.  A byte outside the registered sets is an error.
 */
static int
ipm_gentext_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	struct ber_reader	 k;
	struct ber_tlv		 u;
	const uint8_t		*p, *src;
	uint8_t			*q;
	size_t			 n, i, m;
	bool			 latin1 = false, readable = true, esc = false;
	int			 cnt, j;

	if (params == NULL)
		return ber_fail(&d->c, BER_E_MISSING, data->raw,
		    "general-text body part without its character set "
		    "registrations");
	if (ipm_want(d, params, BER_UNIV(BER_SET), "general-text parameters") ==
	    -1 || ber_enter_setof(r, params, &k) == -1 ||
	    (cnt = x400_count(d, &k, IPM_MAX_CHARSETS,
	    "character set registrations", params->raw)) == -1)
		return -1;
	if ((bp->charsets = x400_array(d, (size_t)cnt, sizeof(int64_t),
	    params->raw)) == NULL)
		return -1;
	for (j = 0; j < cnt; j++) {
		if (ber_expect(&k, BER_UNIV(BER_INTEGER), &u) == -1 ||
		    ipm_int_dec(d, &u, 1, 32767, "character set registration",
		    &bp->charsets[j]) == -1)
			return -1;
		if (bp->charsets[j] == ISO_IR_LATIN1)
			latin1 = true;
		else if (bp->charsets[j] != ISO_IR_ASCII &&
		    bp->charsets[j] != ISO_IR_C0)
			readable = false;
	}
	bp->ncharsets = (unsigned)cnt;
	if (ber_end(&k) == -1)
		return -1;
	if (ipm_want(d, data, BER_UNIV(BER_GENERAL_STRING),
	    "general-text data") == -1 ||
	    ber_get_octets(&d->c, data, &p, &n) == -1)
		return -1;
	if (!readable)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == 0x1b) {
			/* ESC ( B: G0 ASCII, ESC ! @: C0, ESC - A: Latin-1 */
			if (n - i >= 3 && ((p[i + 1] == 0x28 &&
			    p[i + 2] == 0x42) || (p[i + 1] == 0x21 &&
			    p[i + 2] == 0x40) || (latin1 && p[i + 1] == 0x2d &&
			    p[i + 2] == 0x41))) {
				esc = true;
				i += 2;
				continue;
			}
			return 0;	/* another set: not readable here */
		}
		if (p[i] == 0x0e || p[i] == 0x0f)
			return 0;	/* locking shifts */
		if (p[i] < 0x80 || (latin1 && p[i] >= 0xa0))
			continue;
		return ber_fail(&d->c, BER_E_CHARSET,
		    data->constructed ? data->raw : p + i,
		    "general text byte 0x%02x at index %zu outside the "
		    "registered character sets", p[i], i);
	}
	src = p;
	m = n;
	if (esc) {
		/* The designations of the declared sets carry no text. */
		if ((q = x400_alloc(d, n, data->raw)) == NULL)
			return -1;
		for (i = 0, m = 0; i < n; i++) {
			if (p[i] == 0x1b) {
				i += 2;
				continue;
			}
			q[m++] = p[i];
		}
		src = q;
	}
	if (x400_to_utf8(&d->c, data->raw, X400_CS_LATIN1, src, m,
	    &bp->text) == -1)
		return -1;
	bp->text.cs = latin1 ? X400_CS_LATIN1 : X400_CS_ASCII;
	bp->text.raw = p;
	bp->text.rawlen = n;
	return 0;
}

/* The content type in a forwarded content body part, and what to do. */
static int
ipm_fwdcontent_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data,
    struct x400_bodypart *bp)
{
	const char	*ct = bp->forwarded_type;
	const uint8_t	*p;
	size_t		 n;
	bool		 p772, ipm, cms;

	if (ipm_delivery_dec(d, r, params, "forwarded content parameters",
	    false, true, bp) == -1)
		return -1;
	if (ipm_want(d, data, BER_UNIV(BER_OCTET_STRING),
	    "forwarded content") == -1 ||
	    ber_get_octets(&d->c, data, &p, &n) == -1)
		return -1;
	p772 = strcmp(ct, X400_OID_P772) == 0;
	cms = strcmp(ct, X400_OID_CONTENTINFO) == 0;
	ipm = strcmp(ct, IPM_OID_P2_1984) == 0 ||
	    strcmp(ct, IPM_OID_P2_1988) == 0;
	if (!p772 && !cms && !ipm)
		return 0;	/* another content type: kept for the policy */
	return ipm_forward_octets(d, r->depth + 1, data->raw, p, n,
	    p772 || cms, cms, &bp->forwarded);
}

/* ADatP3Data ::= CHOICE { lineOriented [0] IA5String, setOriented [1]
 *   SEQUENCE OF IA5String } */
static int
ipm_adatp3_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *data, struct x400_bodypart *bp)
{
	if (data->tag == BER_CTX(0))
		return x400_text(d, data, BER_IA5_STRING, &bp->text);
	if (data->tag == BER_CTX(1)) {
		bp->set_oriented = true;
		return ipm_lines_dec(d, r, data, BER_IA5_STRING,
		    "ADatP3 lines", &bp->text);
	}
	return ipm_want(d, data, BER_CTX(0), "ADatP3 data");
}

/* The INTEGER parameters of the P772 text body parts. */
static int
ipm_intparam_dec(struct x400_dec *d, const struct ber_tlv *params,
    const char *what, struct x400_bodypart *bp)
{
	if (params == NULL)
		return 0;
	if (ipm_want(d, params, BER_UNIV(BER_INTEGER), what) == -1)
		return -1;
	return ipm_int_dec(d, params, INT64_MIN + 1, INT64_MAX, what,
	    &bp->param);
}

/*
 * The parameters and data of a body part of known type, whether sent basic
 * or extended.  r is the cursor both TLVs lie in; params may be NULL.
 */
static int
ipm_bpvalue_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *params, const struct ber_tlv *data, bool p772,
    struct x400_bodypart *bp)
{
	const uint8_t	*p;
	size_t		 n;
	struct ber_bits	 b;

	if (params != NULL) {
		bp->params = params->raw;
		bp->paramslen = params->rawlen;
	}
	bp->data = data->raw;
	bp->datalen = data->rawlen;
	switch (bp->type) {
	case X400_BP_IA5_TEXT:
		return ipm_ia5_dec(d, r, params, data, bp);
	case X400_BP_G3_FAX:
		return ipm_g3_dec(d, r, params, data, bp);
	case X400_BP_G4_CLASS1:
	case X400_BP_MIXED_MODE:
		return ipm_seqany_dec(d, r, data, bp->extended,
		    ipm_bptypes[bp->type].name);
	case X400_BP_TELETEX:
		return ipm_teletex_dec(d, r, params, data, bp);
	case X400_BP_VIDEOTEX:
		return ipm_videotex_dec(d, r, params, data, bp);
	case X400_BP_ENCRYPTED:
		return ipm_encrypted_dec(d, r, params, data);
	case X400_BP_MESSAGE:
	case X400_BP_MM_MESSAGE:
		return ipm_message_dec(d, r, params, data, p772, bp);
	case X400_BP_BILATERAL:
		return ipm_bilateral_dec(d, data, bp->extended);
	case X400_BP_NATIONAL:
	case X400_BP_FILE_TRANSFER:
	case X400_BP_VOICE:
	case X400_BP_UNKNOWN:
		return 0;	/* opaque: kept as sent */
	case X400_BP_GENERAL_TEXT:
		return ipm_gentext_dec(d, r, params, data, bp);
	case X400_BP_FORWARDED_CONTENT:
		return ipm_fwdcontent_dec(d, r, params, data, bp);
	case X400_BP_ADATP3:
		if (ipm_intparam_dec(d, params, "ADatP3 parameters", bp) == -1)
			return -1;
		return ipm_adatp3_dec(d, r, data, bp);
	case X400_BP_CORRECTIONS:
		if (ipm_intparam_dec(d, params, "corrections parameters",
		    bp) == -1 || ipm_want(d, data, BER_UNIV(BER_IA5_STRING),
		    "corrections data") == -1)
			return -1;
		return x400_text(d, data, BER_IA5_STRING, &bp->text);
	case X400_BP_FORWARDED_ENCRYPTED:
		if (ipm_delivery_dec(d, r, params,
		    "forwarded-encrypted parameters", true, false, bp) == -1 ||
		    ipm_want(d, data, BER_UNIV(BER_BIT_STRING),
		    "forwarded-encrypted data") == -1)
			return -1;
		return ber_get_bits(&d->c, data, &b);
	case X400_BP_ACP127DATA:
		if (ipm_intparam_dec(d, params, "acp127data parameters",
		    bp) == -1 || ipm_want(d, data, BER_UNIV(BER_IA5_STRING),
		    "acp127data data") == -1 ||
		    ber_get_octets(&d->c, data, &p, &n) == -1)
			return -1;
		if (n < 1 || n > MM_UB_ACP127_DATA)
			return ber_fail(&d->c, BER_E_RANGE, data->raw,
			    "acp127data of %zu characters (1 to %d)", n,
			    MM_UB_ACP127_DATA);
		return x400_text(d, data, BER_IA5_STRING, &bp->text);
	default:
		return ber_fail(&d->c, BER_E_STATE, data->raw,
		    "body part type %d", (int)bp->type);
	}
}

/*
 * INSTANCE OF TYPE-IDENTIFIER: { type-id OID, value [0] EXPLICIT }.  The
 * value is returned with a cursor vr at the level it lies in.
 */
static int
ipm_instance_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, char **oid, struct ber_reader *vr,
    struct ber_tlv *value)
{
	struct ber_reader	k;
	struct ber_tlv		u;

	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_OID), &u) == -1 ||
	    x400_oid(d, &u, oid) == -1 ||
	    ber_expect(&k, BER_CTX(0), &u) == -1 ||
	    x400_explicit(d, &k, &u, value) == -1 || ber_end(&k) == -1)
		return -1;
	*vr = k;
	vr->depth = k.depth + 1;
	return 0;
}

/* ExtendedBodyPart ::= SEQUENCE { parameters [0] INSTANCE OF OPTIONAL,
 *   data INSTANCE OF ([UNIVERSAL 8]) } */
static int
ipm_extended_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_bodypart *bp)
{
	struct ber_reader	 k, pr, dr;
	struct ber_tlv		 u, pv, dv;
	const char		*want;
	char			 buf[BER_OID_TEXT_MAX + 16];
	size_t			 pl = sizeof(IPM_OID_ET_CONTENT) - 1;
	int			 n, i;

	bp->extended = true;
	if (ber_enter(r, t, &k) == -1 || (n = ber_optional(&k, BER_CTX(0),
	    &u)) == -1)
		return -1;
	if (n == 1 && ipm_instance_dec(d, &k, &u, &bp->param_oid, &pr,
	    &pv) == -1)
		return -1;
	if (ber_expect(&k, BER_UNIV(BER_EXTERNAL), &u) == -1 ||
	    ipm_instance_dec(d, &k, &u, &bp->oid, &dr, &dv) == -1 ||
	    ber_end(&k) == -1)
		return -1;
	bp->type = X400_BP_UNKNOWN;
	for (i = 0; i < X400_BP__COUNT; i++)
		if (ipm_bptypes[i].data_oid != NULL &&
		    strcmp(ipm_bptypes[i].data_oid, bp->oid) == 0)
			bp->type = (enum x400_bp)i;
	want = ipm_bptypes[bp->type].param_oid;
	if (bp->type == X400_BP_UNKNOWN &&
	    strncmp(bp->oid, IPM_OID_ET_CONTENT, pl) == 0 &&
	    bp->oid[pl] != '\0') {
		bp->type = X400_BP_FORWARDED_CONTENT;
		if ((bp->forwarded_type = x400_strndup(d, bp->oid + pl,
		    strlen(bp->oid + pl), t->raw)) == NULL)
			return -1;
		(void)snprintf(buf, sizeof(buf), "%s%s", IPM_OID_EP_CONTENT,
		    bp->forwarded_type);
		want = buf;
	}
	if (bp->type == X400_BP_UNKNOWN) {
		/* Not ours to read: kept whole for the policy. */
		if (n == 1) {
			bp->params = pv.raw;
			bp->paramslen = pv.rawlen;
		}
		bp->data = dv.raw;
		bp->datalen = dv.rawlen;
		return 0;
	}
	if (n == 1 && want == NULL)
		return ber_fail(&d->c, BER_E_UNEXPECTED, pv.raw,
		    "%s body part has no parameters, but %s was sent",
		    ipm_bptypes[bp->type].name, bp->param_oid);
	if (n == 1 && strcmp(bp->param_oid, want) != 0)
		return ber_fail(&d->c, BER_E_UNEXPECTED, pv.raw,
		    "%s parameters identified by %s, expected %s",
		    ipm_bptypes[bp->type].name, bp->param_oid, want);
	return ipm_bpvalue_dec(d, &dr, n == 1 ? &pv : NULL, &dv, p772, bp);
}

/* BodyPart ::= CHOICE { basic CHOICE { ... }, extended [15] } */
static int
ipm_bodypart_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_bodypart *bp)
{
	struct ber_reader	k;
	struct ber_tlv		params, data;
	char			name[32];
	int			n;

	bp->param = X400_ABSENT;
	switch (t->tag) {
	case BER_CTX(0):
		bp->type = X400_BP_IA5_TEXT;
		break;
	case BER_CTX(3):
		bp->type = X400_BP_G3_FAX;
		break;
	case BER_CTX(4):
		bp->type = X400_BP_G4_CLASS1;
		return ipm_bpvalue_dec(d, r, NULL, t, p772, bp);
	case BER_CTX(5):
		bp->type = X400_BP_TELETEX;
		break;
	case BER_CTX(6):
		bp->type = X400_BP_VIDEOTEX;
		break;
	case BER_CTX(7):
		/* An open type: its tag is explicit. */
		bp->type = X400_BP_NATIONAL;
		if (x400_explicit(d, r, t, &data) == -1)
			return -1;
		return ipm_bpvalue_dec(d, r, NULL, &data, p772, bp);
	case BER_CTX(8):
		bp->type = X400_BP_ENCRYPTED;
		break;
	case BER_CTX(9):
		bp->type = X400_BP_MESSAGE;
		break;
	case BER_CTX(11):
		bp->type = X400_BP_MIXED_MODE;
		return ipm_bpvalue_dec(d, r, NULL, t, p772, bp);
	case BER_CTX(14):
		bp->type = X400_BP_BILATERAL;
		return ipm_bpvalue_dec(d, r, NULL, t, p772, bp);
	case BER_CTX(15):
		return ipm_extended_dec(d, r, t, p772, bp);
	default:
		(void)ber_tag_name(t->tag, name, sizeof(name));
		return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
		    "body part %s is none of the X.420 body part types",
		    name);
	}
	/* SEQUENCE { parameters SET, data } */
	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_SET), &params) == -1)
		return -1;
	if ((n = ber_next(&k, &data)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_MISSING, t->raw,
		    "%s body part without its data",
		    ipm_bptypes[bp->type].name);
	if (ber_end(&k) == -1)
		return -1;
	return ipm_bpvalue_dec(d, &k, &params, &data, p772, bp);
}

static int
ipm_body_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_ipm *ipm)
{
	struct ber_reader	k;
	struct ber_tlv		u;
	int			n, i, m;

	if (ber_enter(r, t, &k) == -1 ||
	    (n = x400_count(d, &k, d->lim.max_body_parts, "body parts",
	    t->raw)) == -1)
		return -1;
	if ((ipm->body = x400_array(d, (size_t)n, sizeof(*ipm->body),
	    t->raw)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((m = ber_next(&k, &u)) == -1)
			return -1;
		if (m == 0)	/* counted above: cannot happen */
			return ber_fail(&d->c, BER_E_STATE, t->raw,
			    "body part %d vanished", i + 1);
		if (ipm_bodypart_dec(d, &k, &u, p772, &ipm->body[i]) == -1)
			return -1;
		ipm->nbody = (unsigned)i + 1;
	}
	return ber_end(&k);
}

/* IPM ::= SEQUENCE { heading Heading, body Body } (its tag the caller's) */
static int
ipm_ipm_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_ipm *ipm)
{
	struct ber_reader	k;
	struct ber_tlv		u;

	ipm_ipm_init(ipm);
	if (ber_enter(r, t, &k) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_SET), &u) == -1 ||
	    ipm_heading_dec(d, &k, &u, ipm) == -1 ||
	    ber_expect(&k, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
	    ipm_body_dec(d, &k, &u, p772, ipm) == -1)
		return -1;
	return ber_end(&k);
}

/* --- IPN ----------------------------------------------------------------- */

/* NonReceiptFields ::= SET { [0] reason, [1] discard-reason, [2] comment,
 *   [3] returned-ipm, [4] nrn-extensions } */
static int
ipm_nrn_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_ipn *n)
{
	enum { F_REASON, F_DISCARD, F_COMMENT, F_RETURNED, F_EXT, F__N };
	struct ber_set_field	f[F__N] = {
		[F_REASON] = IPM_FIELD(BER_CTX(0), true, "non-receipt-reason"),
		[F_DISCARD] = IPM_FIELD(BER_CTX(1), false, "discard-reason"),
		[F_COMMENT] = IPM_FIELD(BER_CTX(2), false,
		    "auto-forward-comment"),
		[F_RETURNED] = IPM_FIELD(BER_CTX(3), false, "returned-ipm"),
		[F_EXT] = IPM_FIELD(BER_CTX(4), false, "nrn-extensions"),
	};
	struct ber_reader	set;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	/* The enumeration is extensible: later values are facts too. */
	if (ipm_int_dec(d, &f[F_REASON].tlv, 0, 127, "non-receipt reason",
	    &n->reason) == -1)
		return -1;
	if (f[F_DISCARD].present && ipm_int_dec(d, &f[F_DISCARD].tlv, 0, 3,
	    "discard reason", &n->discard_reason) == -1)
		return -1;
	if (f[F_COMMENT].present) {
		if (x400_string(d, &f[F_COMMENT].tlv, BER_PRINTABLE_STRING,
		    &n->auto_forward_comment) == -1)
			return -1;
		if (strlen(n->auto_forward_comment) > IPM_UB_AF_COMMENT)
			return ber_fail(&d->c, BER_E_RANGE,
			    f[F_COMMENT].tlv.raw, "auto-forward comment of "
			    "%zu characters (at most %d)",
			    strlen(n->auto_forward_comment),
			    IPM_UB_AF_COMMENT);
	}
	if (f[F_RETURNED].present && ipm_forward_dec(d, &set,
	    &f[F_RETURNED].tlv, p772, &n->returned) == -1)
		return -1;
	if (f[F_EXT].present && x400_hexts_dec(d, &set, &f[F_EXT].tlv,
	    &n->kind_ext, &n->nkind_ext) == -1)
		return -1;
	return 0;
}

/* ReceiptFields ::= SET { [0] receipt-time, [1] acknowledgment-mode,
 *   [2] suppl-receipt-info, [3] rn-extensions } */
static int
ipm_rn_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, struct x400_ipn *n)
{
	enum { F_TIME, F_ACK, F_SUPPL, F_EXT, F__N };
	struct ber_set_field	f[F__N] = {
		[F_TIME] = IPM_FIELD(BER_CTX(0), true, "receipt-time"),
		[F_ACK] = IPM_FIELD(BER_CTX(1), false, "acknowledgment-mode"),
		[F_SUPPL] = IPM_FIELD(BER_CTX(2), false, "suppl-receipt-info"),
		[F_EXT] = IPM_FIELD(BER_CTX(3), false, "rn-extensions"),
	};
	struct ber_reader	set;
	size_t			len;

	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (x400_time(d, &f[F_TIME].tlv, BER_UTC_TIME, &n->receipt_time) == -1)
		return -1;
	if (f[F_ACK].present) {
		if (ipm_int_dec(d, &f[F_ACK].tlv, 0, 1, "acknowledgment mode",
		    &n->ack_mode) == -1)
			return -1;
		if (ipm_der(d) && n->ack_mode == 0)
			return ipm_der_default(d, &f[F_ACK].tlv,
			    "acknowledgment-mode manual");
	}
	if (f[F_SUPPL].present) {
		if (x400_string(d, &f[F_SUPPL].tlv, BER_PRINTABLE_STRING,
		    &n->suppl_info) == -1)
			return -1;
		len = strlen(n->suppl_info);
		if (len < 1 || len > IPM_UB_SUPPL_INFO)
			return ber_fail(&d->c, BER_E_RANGE,
			    f[F_SUPPL].tlv.raw, "supplementary receipt "
			    "information of %zu characters (1 to %d)", len,
			    IPM_UB_SUPPL_INFO);
	}
	if (f[F_EXT].present && x400_hexts_dec(d, &set, &f[F_EXT].tlv,
	    &n->kind_ext, &n->nkind_ext) == -1)
		return -1;
	return 0;
}

/* IPN ::= SET { COMPONENTS OF CommonFields, choice [0] EXPLICIT CHOICE } */
static int
ipm_ipn_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_ipn *n)
{
	enum { F_SUBJECT, F_ORIG, F_INTENDED, F_EITS, F_EXT, F_CHOICE, F__N };
	struct ber_set_field	f[F__N] = {
		[F_SUBJECT] = IPM_FIELD(BER_APP(11), true, "subject-ipm"),
		[F_ORIG] = IPM_FIELD(BER_CTX(1), false, "ipn-originator"),
		[F_INTENDED] = IPM_FIELD(BER_CTX(2), false,
		    "ipm-intended-recipient"),
		[F_EITS] = IPM_FIELD(BER_APP(5), false, "conversion-eits"),
		[F_EXT] = IPM_FIELD(BER_CTX(3), false,
		    "notification-extensions"),
		[F_CHOICE] = IPM_FIELD(BER_CTX(0), true, "choice"),
	};
	struct ber_reader	set, cr;
	struct ber_tlv		c;
	char			name[32];

	n->ack_mode = 0;
	n->reason = X400_ABSENT;
	n->discard_reason = X400_ABSENT;
	if (ber_enter(r, t, &set) == -1 || ber_set_decode(&set, f, F__N) == -1)
		return -1;
	if (ipm_ipmid_dec(d, &set, &f[F_SUBJECT].tlv, &n->subject_ipm) == -1)
		return -1;
	if (f[F_ORIG].present) {
		if (ipm_ordesc_dec(d, &set, &f[F_ORIG].tlv,
		    &n->originator) == -1)
			return -1;
		n->has_originator = true;
	}
	if (f[F_INTENDED].present) {
		if (ipm_ordesc_dec(d, &set, &f[F_INTENDED].tlv,
		    &n->intended) == -1)
			return -1;
		n->has_intended = true;
	}
	if (f[F_EITS].present && x400_eits_dec(d, &set, &f[F_EITS].tlv,
	    &n->conversion_eits) == -1)
		return -1;
	if (f[F_EXT].present && x400_hexts_dec(d, &set, &f[F_EXT].tlv,
	    &n->ext, &n->next) == -1)
		return -1;
	/* choice [0]: a tag on a CHOICE is explicit */
	if (x400_explicit(d, &set, &f[F_CHOICE].tlv, &c) == -1)
		return -1;
	cr = set;
	cr.depth = set.depth + 1;
	switch (c.tag) {
	case BER_CTX(0):
		n->kind = X400_IPN_NON_RECEIPT;
		return ipm_nrn_dec(d, &cr, &c, p772, n);
	case BER_CTX(1):
		n->kind = X400_IPN_RECEIPT;
		return ipm_rn_dec(d, &cr, &c, n);
	case BER_CTX(2):
		n->kind = X400_IPN_OTHER;
		return x400_hexts_dec(d, &cr, &c, &n->kind_ext, &n->nkind_ext);
	default:
		(void)ber_tag_name(c.tag, name, sizeof(name));
		return ber_fail(&d->c, BER_E_UNEXPECTED, c.raw,
		    "IPN choice %s is none of non-receipt [0], receipt [1] "
		    "or other notification [2]", name);
	}
}

/* --- content ------------------------------------------------------------- */

int
x400_content_dec(struct x400_dec *d, const struct ber_reader *r,
    const struct ber_tlv *t, bool p772, struct x400_content *out)
{
	char	name[32];

	out->p772 = p772;
	ipm_ipm_init(&out->ipm);
	switch (t->tag) {
	case BER_CTX(0):
		out->is_ipn = false;
		return ipm_ipm_dec(d, r, t, p772, &out->ipm);
	case BER_CTX(1):
		out->is_ipn = true;
		return ipm_ipn_dec(d, r, t, p772, &out->ipn);
	default:
		(void)ber_tag_name(t->tag, name, sizeof(name));
		return ber_fail(&d->c, BER_E_UNEXPECTED, t->raw,
		    "content is %s, neither an IPM [0] nor an IPN [1]", name);
	}
}

/* Exactly one InformationObject in the reader. */
static int
ipm_io_dec(struct x400_dec *d, struct ber_reader *r, bool p772,
    struct x400_content *out)
{
	struct ber_tlv	t;
	int		n;

	if ((n = ber_next(r, &t)) == -1)
		return -1;
	if (n == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, r->p, "empty content");
	if (ber_end(r) == -1)
		return -1;
	return x400_content_dec(d, r, &t, p772, out);
}

/*
 * ContentInfo ::= SEQUENCE { contentType OID (signedData), content [0]
 *   EXPLICIT SignedData }; SignedData ::= SEQUENCE { version, digest-
 *   Algorithms SET, encapContentInfo SEQUENCE { eContentType, eContent [0]
 *   EXPLICIT OCTET STRING OPTIONAL }, certificates [0] OPTIONAL, crls [1]
 *   OPTIONAL, signerInfos SET }.  Only located and checked for shape here:
 *   the signature is verify's business.
 */
static int
ipm_cms_dec(struct x400_dec *d, struct ber_reader *r,
    struct x400_content *out)
{
	struct ber_reader	 ci, sdr, sd, enc, ecr;
	struct ber_tlv		 t, u, v, w, ect;
	const uint8_t		*ec = NULL;
	size_t			 ecn = 0;
	int64_t			 version;
	char			*ctype;
	int			 n;

	if (ber_expect(r, BER_UNIV(BER_SEQUENCE), &t) == -1 || ber_end(r) == -1)
		return -1;
	out->protection = X400_PROT_CMS_SIGNED;
	out->cms = t.raw;
	out->cmslen = t.rawlen;
	if (ber_enter(r, &t, &ci) == -1 ||
	    ber_expect(&ci, BER_UNIV(BER_OID), &u) == -1 ||
	    x400_oid(d, &u, &ctype) == -1)
		return -1;
	if (strcmp(ctype, X400_OID_SIGNEDDATA) != 0)
		return ber_fail(&d->c, BER_E_UNEXPECTED, u.raw,
		    "ContentInfo carries %s, not signedData (%s)", ctype,
		    X400_OID_SIGNEDDATA);
	if (ber_expect(&ci, BER_CTX(0), &u) == -1 ||
	    x400_explicit(d, &ci, &u, &v) == -1 || ber_end(&ci) == -1 ||
	    ipm_want(d, &v, BER_UNIV(BER_SEQUENCE), "SignedData") == -1)
		return -1;
	sdr = ci;
	sdr.depth = ci.depth + 1;
	if (ber_enter(&sdr, &v, &sd) == -1 ||
	    ber_expect(&sd, BER_UNIV(BER_INTEGER), &u) == -1 ||
	    ipm_int_dec(d, &u, 0, 5, "SignedData version", &version) == -1 ||
	    ber_expect(&sd, BER_UNIV(BER_SET), &u) == -1 ||
	    ber_expect(&sd, BER_UNIV(BER_SEQUENCE), &u) == -1 ||
	    ber_enter(&sd, &u, &enc) == -1 ||
	    ber_expect(&enc, BER_UNIV(BER_OID), &ect) == -1 ||
	    x400_oid(d, &ect, &out->econtent_type) == -1)
		return -1;
	if ((n = ber_optional(&enc, BER_CTX(0), &w)) == -1)
		return -1;
	if (n == 1 && (x400_explicit(d, &enc, &w, &v) == -1 ||
	    ipm_want(d, &v, BER_UNIV(BER_OCTET_STRING), "eContent") == -1 ||
	    ber_get_octets(&d->c, &v, &ec, &ecn) == -1))
		return -1;
	if (ber_end(&enc) == -1)
		return -1;
	if ((n = ber_optional(&sd, BER_CTX(0), &w)) == -1)
		return -1;
	if (n == 1 && !w.constructed)
		return ber_fail(&d->c, BER_E_FORM, w.raw,
		    "SignedData certificates must be constructed");
	if ((n = ber_optional(&sd, BER_CTX(1), &w)) == -1)
		return -1;
	if (n == 1 && !w.constructed)
		return ber_fail(&d->c, BER_E_FORM, w.raw,
		    "SignedData crls must be constructed");
	if (ber_expect(&sd, BER_UNIV(BER_SET), &w) == -1 || ber_end(&sd) == -1)
		return -1;
	if (strcmp(out->econtent_type, X400_OID_P772) != 0 &&
	    strcmp(out->econtent_type, X400_OID_RECEIPT) != 0)
		return ber_fail(&d->c, BER_E_UNEXPECTED, ect.raw,
		    "SignedData encapsulates %s, not a P772 message (%s)",
		    out->econtent_type, X400_OID_P772);
	if (ec == NULL)
		return ber_fail(&d->c, BER_E_MISSING, u.raw,
		    "detached signature: SignedData carries no encapsulated "
		    "content");
	out->econtent = ec;
	out->econtent_len = ecn;
	if (strcmp(out->econtent_type, X400_OID_RECEIPT) == 0)
		return 0;	/* a signed receipt: no IPM inside */
	out->p772 = true;
	if (ecn == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, v.raw,
		    "empty encapsulated content");
	ipm_reader(d, ec, ecn, enc.depth + 2, &ecr);
	return ipm_io_dec(d, &ecr, true, out);
}

static int
ipm_octets_dec(struct x400_dec *d, unsigned depth, const uint8_t *at,
    const uint8_t *p, size_t n, bool p772, bool cms, struct x400_content *out)
{
	struct ber_reader	r;

	out->p772 = p772;
	ipm_ipm_init(&out->ipm);
	if (p == NULL || n == 0)
		return ber_fail(&d->c, BER_E_TRUNCATED, at, "empty content");
	ipm_reader(d, p, n, depth, &r);
	if (cms)
		return ipm_cms_dec(d, &r, out);
	return ipm_io_dec(d, &r, p772, out);
}

int
x400_content_octets_dec(struct x400_dec *d, const uint8_t *p, size_t n,
    bool p772, bool cms, struct x400_content *out)
{
	return ipm_octets_dec(d, 0, p, p, n, p772, cms, out);
}

/* --- encoding ------------------------------------------------------------ */

static bool
ipm_has_text(const struct x400_text *t)
{
	return t->utf8 != NULL || t->raw != NULL;
}

/*
 * Bytes kept from a decode (or given by hand) written as they are: they
 * must be exactly one TLV, so that the encoder never writes what no
 * decoder would read.
 */
static void
ipm_raw_enc(struct ber_enc *e, const uint8_t *p, size_t n)
{
	struct ber_ctx	c;
	struct ber_tlv	t;

	if (e->err != BER_OK)
		return;
	if (p == NULL || n == 0) {
		e->err = BER_E_STATE;	/* nothing to write: a caller's bug */
		return;
	}
	ber_ctx_init(&c, BER_MODE_BER, NULL, p, n);
	if (ber_decode_one(&c, &t) == -1)
		e->err = BER_E_STATE;
	else
		ber_put_raw(e, p, n);
	ber_ctx_free(&c);
}

/* The contents of a kept TLV under another tag (implicit re-tagging). */
static void
ipm_retag_enc(struct ber_enc *e, uint32_t tag, const uint8_t *p, size_t n,
    bool octets)
{
	struct ber_ctx	 c;
	struct ber_tlv	 t;
	const uint8_t	*v;
	size_t		 vn;

	if (e->err != BER_OK)
		return;
	if (p == NULL) {
		if (octets)
			ber_put_octets(e, tag, "", 0);
		else {
			ber_enc_begin(e, tag);
			ber_enc_end(e);
		}
		return;
	}
	ber_ctx_init(&c, BER_MODE_BER, NULL, p, n);
	if (ber_decode_one(&c, &t) == -1)
		e->err = BER_E_STATE;
	else if (octets) {
		/* Segments of a BER OCTET STRING become one, as DER wants. */
		if (ber_get_octets(&c, &t, &v, &vn) == -1)
			e->err = BER_E_STATE;
		else
			ber_put_octets(e, tag, v, vn);
	} else if (t.constructed) {
		ber_enc_begin(e, tag);
		if (t.len > 0)
			ber_put_raw(e, t.val, t.len);
		ber_enc_end(e);
	} else
		ber_put_prim(e, tag, t.val, t.len);
	ber_ctx_free(&c);
}

/* SEQUENCE OF a string type from text joined by "\n" (see ipm_lines_dec). */
static void
ipm_lines_enc(struct ber_enc *e, uint32_t tag, unsigned type,
    const struct x400_text *t)
{
	struct x400_text	 line;
	const uint8_t		*s;
	size_t			 n, i, start = 0;
	bool			 raw = t->raw != NULL;

	s = raw ? t->raw : (const uint8_t *)t->utf8;
	n = raw ? t->rawlen : t->len;
	ber_enc_begin(e, tag);
	for (i = 0; s != NULL && n > 0 && i <= n; i++) {
		if (i < n && s[i] != '\n')
			continue;
		memset(&line, 0, sizeof(line));
		if (raw) {
			line.raw = s + start;
			line.rawlen = i - start;
		} else {
			line.utf8 = t->utf8 + start;
			line.len = i - start;
		}
		x400_text_enc(e, BER_UNIV(type), type, &line);
		start = i + 1;
	}
	ber_enc_end(e);
}

static void
ipm_texts_enc(struct ber_enc *e, uint32_t tag, const struct x400_text *t,
    unsigned n)
{
	unsigned	i;

	ber_enc_begin(e, tag);
	for (i = 0; i < n; i++)
		x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, &t[i]);
	ber_enc_end(e);
}

static void
ipm_ipmid_enc(struct ber_enc *e, uint32_t tag, const struct x400_ipmid *id)
{
	const char	*local = id->local != NULL ? id->local : "";

	ber_enc_begin_set(e, tag);
	if (id->user.present)
		x400_orname_enc(e, BER_APP(0), &id->user);
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, local, strlen(local));
	ber_enc_end(e);
}

static void
ipm_ipmids_enc(struct ber_enc *e, uint32_t tag, const struct x400_ipmid *id,
    unsigned n)
{
	unsigned	i;

	ber_enc_begin(e, tag);
	for (i = 0; i < n; i++)
		ipm_ipmid_enc(e, BER_APP(11), &id[i]);
	ber_enc_end(e);
}

static void
ipm_ordesc_enc(struct ber_enc *e, uint32_t tag, const struct x400_ordesc *o)
{
	ber_enc_begin_set(e, tag);
	if (o->formal.present)
		x400_orname_enc(e, BER_APP(0), &o->formal);
	if (ipm_has_text(&o->free_form))
		x400_text_enc(e, BER_CTX(0), BER_TELETEX_STRING, &o->free_form);
	if (o->telephone != NULL)
		ber_put_string(e, BER_CTX(1), BER_PRINTABLE_STRING,
		    o->telephone, strlen(o->telephone));
	ber_enc_end(e);
}

static void
ipm_ordescs_enc(struct ber_enc *e, uint32_t tag, const struct x400_ordesc *o,
    unsigned n)
{
	unsigned	i;

	ber_enc_begin(e, tag);
	for (i = 0; i < n; i++)
		ipm_ordesc_enc(e, BER_UNIV(BER_SET), &o[i]);
	ber_enc_end(e);
}

/* One IPMSExtension whose value is kept as sent (or DEFAULT NULL). */
static void
ipm_hext_raw_enc(struct ber_enc *e, const struct x400_hext *x)
{
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), x->oid);
	/* DEFAULT NULL: a NULL value is left out, as DER wants. */
	if (x->value != NULL && !(x->valuelen == 2 && x->value[0] == 0x05 &&
	    x->value[1] == 0x00))
		ipm_raw_enc(e, x->value, x->valuelen);
	ber_enc_end(e);
}

static void
ipm_rcptspec_enc(struct ber_enc *e, const struct x400_rcptspec *rs)
{
	unsigned	i;
	bool		ext = rs->acp127_notify.present;

	for (i = 0; i < rs->next; i++)
		if (!rs->ext[i].known)
			ext = true;
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	ipm_ordesc_enc(e, BER_CTX(0), &rs->who);
	if (rs->notify.present && rs->notify.bits != 0)
		x400_bits_enc(e, BER_CTX(1), &rs->notify, 0);
	if (rs->reply_requested)
		ber_put_bool(e, BER_CTX(2), true);
	if (ext) {
		ber_enc_begin_setof(e, BER_CTX(3));
		if (rs->acp127_notify.present) {
			ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
			ber_put_oid_text(e, BER_UNIV(BER_OID),
			    MM_OID_ACP127_NOTIFY);
			x400_bits_enc(e, BER_UNIV(BER_BIT_STRING),
			    &rs->acp127_notify, 0);
			ber_enc_end(e);
		}
		for (i = 0; i < rs->next; i++)
			if (!rs->ext[i].known)
				ipm_hext_raw_enc(e, &rs->ext[i]);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

static void
ipm_rcptspecs_enc(struct ber_enc *e, uint32_t tag,
    const struct x400_rcptspec *rs, unsigned n)
{
	unsigned	i;

	ber_enc_begin(e, tag);
	for (i = 0; i < n; i++)
		ipm_rcptspec_enc(e, &rs[i]);
	ber_enc_end(e);
}

static void
mm_begin(struct ber_enc *e, enum mm_hext arc)
{
	char	oid[sizeof(X400_OID_MM_PREFIX) + 8];

	(void)snprintf(oid, sizeof(oid), "%s%d", X400_OID_MM_PREFIX,
	    (int)arc);
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), oid);
}

/* The components [1] and [2] of information-labels, kept as sent. */
static void
mm_infolabels_rest_enc(struct ber_enc *e, const uint8_t *p, size_t n)
{
	struct ber_ctx		c;
	struct ber_reader	top, k;
	struct ber_tlv		t, u;
	int			m;

	if (p == NULL || e->err != BER_OK)
		return;
	ber_ctx_init(&c, BER_MODE_BER, NULL, p, n);
	ber_reader_init(&top, &c);
	if (ber_next(&top, &t) != 1 || ber_enter(&top, &t, &k) == -1) {
		e->err = BER_E_STATE;
		ber_ctx_free(&c);
		return;
	}
	while ((m = ber_next(&k, &u)) == 1)
		if (u.tag != BER_CTX(0))
			ber_put_raw(e, u.raw, u.rawlen);
	if (m == -1)
		e->err = BER_E_STATE;
	ber_ctx_free(&c);
}

static void
mm_pilot_enc(struct ber_enc *e, const struct x400_pilot *p)
{
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	if (p->precedence != X400_ABSENT)
		ber_put_int(e, BER_CTX(0), p->precedence);
	if (p->nrcpt > 0)
		ipm_ordescs_enc(e, BER_CTX(1), p->rcpt, p->nrcpt);
	if (p->label.present)
		x400_label_enc(e, BER_CTX(2), &p->label);
	if (p->nhandling > 0)
		ipm_texts_enc(e, BER_CTX(3), p->handling, p->nhandling);
	ber_enc_end(e);
}

/* The MMHS heading extensions present in the fields, in OID order. */
static void
mm_hexts_enc(struct ber_enc *e, const struct x400_ipm *ipm)
{
	unsigned	i;

	if (ipm->primary_precedence != X400_ABSENT) {
		mm_begin(e, MM_PRIMARY_PRECEDENCE);
		ber_put_int(e, BER_UNIV(BER_INTEGER), ipm->primary_precedence);
		ber_enc_end(e);
	}
	if (ipm->copy_precedence != X400_ABSENT) {
		mm_begin(e, MM_COPY_PRECEDENCE);
		ber_put_int(e, BER_UNIV(BER_INTEGER), ipm->copy_precedence);
		ber_enc_end(e);
	}
	if (ipm->message_type != X400_ABSENT) {
		mm_begin(e, MM_MESSAGE_TYPE);
		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		ber_put_int(e, BER_CTX(0), ipm->message_type);
		if (ipm_has_text(&ipm->message_type_id))
			x400_text_enc(e, BER_CTX(1), BER_PRINTABLE_STRING,
			    &ipm->message_type_id);
		ber_enc_end(e);
		ber_enc_end(e);
	}
	if (ipm->has_ald) {
		mm_begin(e, MM_ADDRESS_LIST);
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		for (i = 0; i < ipm->nald; i++) {
			ber_enc_begin_set(e, BER_UNIV(BER_SET));
			ber_put_int(e, BER_CTX(0), ipm->ald[i].type);
			ipm_ordesc_enc(e, BER_CTX(1), &ipm->ald[i].list);
			if (ipm->ald[i].notification != X400_ABSENT)
				ber_put_int(e, BER_CTX(2),
				    ipm->ald[i].notification);
			if (ipm->ald[i].reply != X400_ABSENT)
				ber_put_int(e, BER_CTX(3), ipm->ald[i].reply);
			ber_enc_end(e);
		}
		ber_enc_end(e);
		ber_enc_end(e);
	}
	if (ipm->has_exempted) {
		mm_begin(e, MM_EXEMPTED);
		ipm_ordescs_enc(e, BER_UNIV(BER_SEQUENCE), ipm->exempted,
		    ipm->nexempted);
		ber_enc_end(e);
	}
	if (ipm->ext_auth_info.present) {
		mm_begin(e, MM_EXT_AUTH_INFO);
		x400_time_enc(e, BER_UNIV(BER_UTC_TIME), &ipm->ext_auth_info);
		ber_enc_end(e);
	}
	if (ipm->has_dist_codes) {
		mm_begin(e, MM_DIST_CODES);
		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		if (ipm->nsics > 0) {
			ber_enc_begin(e, BER_CTX(0));
			for (i = 0; i < ipm->nsics; i++)
				ber_put_string(e,
				    BER_UNIV(BER_PRINTABLE_STRING),
				    BER_PRINTABLE_STRING, ipm->sics[i],
				    strlen(ipm->sics[i]));
			ber_enc_end(e);
		}
		if (ipm->ndist_ext > 0) {
			ber_enc_begin(e, BER_CTX(1));
			for (i = 0; i < ipm->ndist_ext; i++) {
				ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
				ber_put_oid_text(e, BER_UNIV(BER_OID),
				    ipm->dist_ext[i].oid);
				ipm_raw_enc(e, ipm->dist_ext[i].value,
				    ipm->dist_ext[i].valuelen);
				ber_enc_end(e);
			}
			ber_enc_end(e);
		}
		ber_enc_end(e);
		ber_enc_end(e);
	}
	if (ipm->has_handling) {
		mm_begin(e, MM_HANDLING);
		ipm_texts_enc(e, BER_UNIV(BER_SEQUENCE), ipm->handling,
		    ipm->nhandling);
		ber_enc_end(e);
	}
	if (ipm->has_instructions) {
		mm_begin(e, MM_INSTRUCTIONS);
		ipm_texts_enc(e, BER_UNIV(BER_SEQUENCE), ipm->instructions,
		    ipm->ninstructions);
		ber_enc_end(e);
	}
	if (ipm->codress != X400_ABSENT) {
		mm_begin(e, MM_CODRESS);
		ber_put_int(e, BER_UNIV(BER_INTEGER), ipm->codress);
		ber_enc_end(e);
	}
	if (ipm_has_text(&ipm->originator_ref)) {
		mm_begin(e, MM_ORIGINATOR_REF);
		x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, &ipm->originator_ref);
		ber_enc_end(e);
	}
	if (ipm->has_other_rcpt) {
		mm_begin(e, MM_OTHER_RCPT);
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		for (i = 0; i < ipm->nother_rcpt; i++) {
			ber_enc_begin_set(e, BER_UNIV(BER_SET));
			ber_put_int(e, BER_CTX(0), ipm->other_rcpt[i].type);
			x400_text_enc(e, BER_CTX(1), BER_PRINTABLE_STRING,
			    &ipm->other_rcpt[i].designator);
			ber_enc_end(e);
		}
		ber_enc_end(e);
		ber_enc_end(e);
	}
	if (ipm->has_pilot) {
		mm_begin(e, MM_PILOT);
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		for (i = 0; i < ipm->npilot; i++)
			mm_pilot_enc(e, &ipm->pilot[i]);
		ber_enc_end(e);
		ber_enc_end(e);
	}
	if (ipm_has_text(&ipm->acp127_id)) {
		mm_begin(e, MM_ACP127_ID);
		x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, &ipm->acp127_id);
		ber_enc_end(e);
	}
	if (ipm_has_text(&ipm->originator_plad)) {
		mm_begin(e, MM_ORIGINATOR_PLAD);
		x400_text_enc(e, BER_UNIV(BER_PRINTABLE_STRING),
		    BER_PRINTABLE_STRING, &ipm->originator_plad);
		ber_enc_end(e);
	}
	if (ipm->has_info_labels) {
		mm_begin(e, MM_INFO_LABELS);
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		x400_label_enc(e, BER_CTX(0), &ipm->info_label);
		mm_infolabels_rest_enc(e, ipm->info_labels_raw,
		    ipm->info_labels_rawlen);
		ber_enc_end(e);
		ber_enc_end(e);
	}
}

static bool
mm_any(const struct x400_ipm *ipm)
{
	return ipm->primary_precedence != X400_ABSENT ||
	    ipm->copy_precedence != X400_ABSENT ||
	    ipm->message_type != X400_ABSENT || ipm->has_ald ||
	    ipm->has_exempted || ipm->ext_auth_info.present ||
	    ipm->has_dist_codes || ipm->has_handling ||
	    ipm->has_instructions || ipm->codress != X400_ABSENT ||
	    ipm_has_text(&ipm->originator_ref) || ipm->has_other_rcpt ||
	    ipm->has_pilot || ipm_has_text(&ipm->acp127_id) ||
	    ipm_has_text(&ipm->originator_plad) || ipm->has_info_labels;
}

static void
ipm_heading_enc(struct ber_enc *e, const struct x400_ipm *ipm)
{
	unsigned	i;
	bool		ext = mm_any(ipm);

	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	ipm_ipmid_enc(e, BER_APP(11), &ipm->this_ipm);
	if (ipm->has_originator)
		ipm_ordesc_enc(e, BER_CTX(0), &ipm->originator);
	if (ipm->nauth > 0)
		ipm_ordescs_enc(e, BER_CTX(1), ipm->auth, ipm->nauth);
	if (ipm->nprimary > 0)
		ipm_rcptspecs_enc(e, BER_CTX(2), ipm->primary, ipm->nprimary);
	if (ipm->ncopy > 0)
		ipm_rcptspecs_enc(e, BER_CTX(3), ipm->copy, ipm->ncopy);
	if (ipm->has_blind || ipm->nblind > 0)
		ipm_rcptspecs_enc(e, BER_CTX(4), ipm->blind, ipm->nblind);
	if (ipm->has_replied_to)
		ipm_ipmid_enc(e, BER_CTX(5), &ipm->replied_to);
	if (ipm->nobsoleted > 0)
		ipm_ipmids_enc(e, BER_CTX(6), ipm->obsoleted, ipm->nobsoleted);
	if (ipm->nrelated > 0)
		ipm_ipmids_enc(e, BER_CTX(7), ipm->related, ipm->nrelated);
	if (ipm_has_text(&ipm->subject)) {
		ber_enc_begin(e, BER_CTX(8));
		x400_text_enc(e, BER_UNIV(BER_TELETEX_STRING),
		    BER_TELETEX_STRING, &ipm->subject);
		ber_enc_end(e);
	}
	if (ipm->expiry.present)
		x400_time_enc(e, BER_CTX(9), &ipm->expiry);
	if (ipm->reply_time.present)
		x400_time_enc(e, BER_CTX(10), &ipm->reply_time);
	if (ipm->has_reply_rcpt || ipm->nreply_rcpt > 0)
		ipm_ordescs_enc(e, BER_CTX(11), ipm->reply_rcpt,
		    ipm->nreply_rcpt);
	if (ipm->importance != 1 && ipm->importance != X400_ABSENT)
		ber_put_int(e, BER_CTX(12), ipm->importance);
	if (ipm->sensitivity != X400_ABSENT)
		ber_put_int(e, BER_CTX(13), ipm->sensitivity);
	if (ipm->auto_forwarded)
		ber_put_bool(e, BER_CTX(14), true);
	for (i = 0; i < ipm->next; i++)
		if (!ipm->ext[i].known)
			ext = true;
	if (ext) {
		ber_enc_begin_setof(e, BER_CTX(15));
		mm_hexts_enc(e, ipm);
		for (i = 0; i < ipm->next; i++)
			if (!ipm->ext[i].known)
				ipm_hext_raw_enc(e, &ipm->ext[i]);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

/* Parameters SET { [0] INTEGER } from bp->param, or as received. */
static void
ipm_pages_enc(struct ber_enc *e, const struct x400_bodypart *bp)
{
	if (bp->params != NULL) {
		ipm_raw_enc(e, bp->params, bp->paramslen);
		return;
	}
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	if (bp->param != X400_ABSENT)
		ber_put_int(e, BER_CTX(0), bp->param);
	ber_enc_end(e);
}

static void
ipm_delivery_enc(struct ber_enc *e, const struct x400_bodypart *bp)
{
	ber_enc_begin_set(e, BER_UNIV(BER_SET));
	if (bp->delivery_time.present)
		x400_time_enc(e, BER_CTX(0), &bp->delivery_time);
	if (bp->delivery_envelope != NULL)
		ipm_raw_enc(e, bp->delivery_envelope,
		    bp->delivery_envelope_len);
	ber_enc_end(e);
}

/* Whether an extended body part has parameters to write. */
static bool
ipm_has_params(const struct x400_bodypart *bp)
{
	switch (bp->type) {
	case X400_BP_IA5_TEXT:
		return bp->param != X400_ABSENT && bp->param != 5;
	case X400_BP_G3_FAX:
	case X400_BP_TELETEX:
	case X400_BP_VIDEOTEX:
		return bp->params != NULL || bp->param != X400_ABSENT;
	case X400_BP_GENERAL_TEXT:
		return true;
	case X400_BP_ADATP3:
	case X400_BP_CORRECTIONS:
	case X400_BP_ACP127DATA:
		return bp->param != X400_ABSENT;
	case X400_BP_MESSAGE:
	case X400_BP_MM_MESSAGE:
	case X400_BP_FORWARDED_ENCRYPTED:
		return bp->delivery_time.present ||
		    bp->delivery_envelope != NULL;
	case X400_BP_FORWARDED_CONTENT:
		return bp->params != NULL || bp->delivery_time.present ||
		    bp->delivery_envelope != NULL;
	default:
		return bp->params != NULL;
	}
}

/* The parameters value of a body part (a SET for the basic types). */
static void
ipm_params_enc(struct ber_enc *e, const struct x400_bodypart *bp)
{
	unsigned	i;

	switch (bp->type) {
	case X400_BP_IA5_TEXT:
		ber_enc_begin_set(e, BER_UNIV(BER_SET));
		if (bp->param != X400_ABSENT && bp->param != 5)
			ber_put_int(e, BER_CTX(0), bp->param);
		ber_enc_end(e);
		break;
	case X400_BP_G3_FAX:
	case X400_BP_TELETEX:
	case X400_BP_VIDEOTEX:
		ipm_pages_enc(e, bp);
		break;
	case X400_BP_ENCRYPTED:
		/* The algorithm cannot be made up: as received, or nothing. */
		ipm_raw_enc(e, bp->params, bp->paramslen);
		break;
	case X400_BP_MESSAGE:
	case X400_BP_MM_MESSAGE:
	case X400_BP_FORWARDED_ENCRYPTED:
		ipm_delivery_enc(e, bp);
		break;
	case X400_BP_FORWARDED_CONTENT:
		if (bp->params != NULL)
			ipm_raw_enc(e, bp->params, bp->paramslen);
		else
			ipm_delivery_enc(e, bp);
		break;
	case X400_BP_GENERAL_TEXT:
		ber_enc_begin_setof(e, BER_UNIV(BER_SET));
		for (i = 0; i < bp->ncharsets; i++)
			ber_put_int(e, BER_UNIV(BER_INTEGER), bp->charsets[i]);
		ber_enc_end(e);
		break;
	case X400_BP_ADATP3:
	case X400_BP_CORRECTIONS:
	case X400_BP_ACP127DATA:
		ber_put_int(e, BER_UNIV(BER_INTEGER), bp->param);
		break;
	default:
		ipm_raw_enc(e, bp->params, bp->paramslen);
		break;
	}
}

/* GeneralString from the text: as sent, else Latin-1 from the UTF-8. */
static void
ipm_gentext_enc(struct ber_enc *e, const struct x400_bodypart *bp)
{
	uint8_t	*tmp;
	size_t	 n;

	if (bp->text.raw != NULL) {
		ber_put_octets(e, BER_UNIV(BER_GENERAL_STRING), bp->text.raw,
		    bp->text.rawlen);
		return;
	}
	if (bp->text.utf8 == NULL) {
		ipm_raw_enc(e, bp->data, bp->datalen);
		return;
	}
	tmp = xmalloc(bp->text.len + 1);
	if (x400_from_utf8(X400_CS_LATIN1, bp->text.utf8, bp->text.len, tmp,
	    bp->text.len + 1, &n) == -1)
		e->err = BER_E_CHARSET;
	else
		ber_put_octets(e, BER_UNIV(BER_GENERAL_STRING), tmp, n);
	freezero(tmp, bp->text.len + 1);
}

/* VideotexString from the text (T.61 repertoire), else as received. */
static void
ipm_videotex_enc(struct ber_enc *e, const struct x400_bodypart *bp)
{
	uint8_t	*tmp;
	size_t	 cap, n;

	if (bp->text.raw != NULL) {
		ber_put_octets(e, BER_UNIV(BER_VIDEOTEX_STRING), bp->text.raw,
		    bp->text.rawlen);
		return;
	}
	if (bp->text.utf8 == NULL) {
		ipm_raw_enc(e, bp->data, bp->datalen);
		return;
	}
	cap = 2 * bp->text.len + 1;
	tmp = xmalloc(cap);
	if (x400_from_utf8(X400_CS_T61, bp->text.utf8, bp->text.len, tmp, cap,
	    &n) == -1)
		e->err = BER_E_CHARSET;
	else
		ber_put_octets(e, BER_UNIV(BER_VIDEOTEX_STRING), tmp, n);
	freezero(tmp, cap);
}

/* A forwarded content: the Content OCTET STRING. */
static void
ipm_fwdcontent_enc(struct ber_enc *e, const struct x400_bodypart *bp,
    unsigned level)
{
	struct ber_enc	sub;
	struct buf	tmp;

	if (bp->forwarded == NULL ||
	    bp->forwarded->protection != X400_PROT_NONE) {
		/* Not decoded, or signed: only the bytes as sent will do. */
		ipm_raw_enc(e, bp->data, bp->datalen);
		return;
	}
	if (e->err != BER_OK)
		return;
	buf_init(&tmp, e->out->max);
	ber_enc_init(&sub, &tmp, e->variant);
	ipm_content_enc(&sub, bp->forwarded, level + 1);
	if (ber_enc_finish(&sub) == -1)
		e->err = sub.err;
	else
		ber_put_octets(e, BER_UNIV(BER_OCTET_STRING), tmp.data,
		    tmp.len);
	buf_free(&tmp);
}

/* The data value of a body part (basic: inside its SEQUENCE). */
static void
ipm_data_enc(struct ber_enc *e, const struct x400_bodypart *bp,
    unsigned level)
{
	switch (bp->type) {
	case X400_BP_IA5_TEXT:
	case X400_BP_CORRECTIONS:
	case X400_BP_ACP127DATA:
		if (ipm_has_text(&bp->text))
			x400_text_enc(e, BER_UNIV(BER_IA5_STRING),
			    BER_IA5_STRING, &bp->text);
		else
			ipm_raw_enc(e, bp->data, bp->datalen);
		break;
	case X400_BP_TELETEX:
		if (ipm_has_text(&bp->text))
			ipm_lines_enc(e, BER_UNIV(BER_SEQUENCE),
			    BER_TELETEX_STRING, &bp->text);
		else
			ipm_raw_enc(e, bp->data, bp->datalen);
		break;
	case X400_BP_G4_CLASS1:
	case X400_BP_MIXED_MODE:
		ipm_retag_enc(e, BER_UNIV(BER_SEQUENCE), bp->data, bp->datalen,
		    false);
		break;
	case X400_BP_BILATERAL:
		ipm_retag_enc(e, BER_UNIV(BER_OCTET_STRING), bp->data,
		    bp->datalen, true);
		break;
	case X400_BP_MESSAGE:
	case X400_BP_MM_MESSAGE:
		if (bp->forwarded != NULL && !bp->forwarded->is_ipn)
			ipm_ipm_enc(e, BER_UNIV(BER_SEQUENCE),
			    &bp->forwarded->ipm, level + 1);
		else
			ipm_raw_enc(e, bp->data, bp->datalen);
		break;
	case X400_BP_GENERAL_TEXT:
		ipm_gentext_enc(e, bp);
		break;
	case X400_BP_VIDEOTEX:
		ipm_videotex_enc(e, bp);
		break;
	case X400_BP_FORWARDED_CONTENT:
		ipm_fwdcontent_enc(e, bp, level);
		break;
	case X400_BP_ADATP3:
		if (!ipm_has_text(&bp->text))
			ipm_raw_enc(e, bp->data, bp->datalen);
		else if (bp->set_oriented)
			ipm_lines_enc(e, BER_CTX(1), BER_IA5_STRING,
			    &bp->text);
		else
			x400_text_enc(e, BER_CTX(0), BER_IA5_STRING,
			    &bp->text);
		break;
	default:	/* G3, encrypted, national, opaque types */
		ipm_raw_enc(e, bp->data, bp->datalen);
		break;
	}
}

/* INSTANCE OF: { OID, [0] EXPLICIT value }, under its tag. */
static void
ipm_instance_begin(struct ber_enc *e, uint32_t tag, const char *oid)
{
	ber_enc_begin(e, tag);
	ber_put_oid_text(e, BER_UNIV(BER_OID), oid);
	ber_enc_begin(e, BER_CTX(0));
}

static void
ipm_instance_end(struct ber_enc *e)
{
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
ipm_bodypart_enc(struct ber_enc *e, const struct x400_bodypart *bp,
    unsigned level)
{
	const struct ipm_bptype	*bt;
	const char		*doid, *poid;
	char			 dbuf[BER_OID_TEXT_MAX + 16];
	char			 pbuf[BER_OID_TEXT_MAX + 16];

	if ((unsigned)bp->type >= X400_BP__COUNT) {
		e->err = BER_E_STATE;
		return;
	}
	bt = &ipm_bptypes[bp->type];
	if (!bp->extended && bt->basic != IPM_NO_TAG) {
		switch (bp->type) {
		case X400_BP_G4_CLASS1:
		case X400_BP_MIXED_MODE:
			ipm_retag_enc(e, BER_CTX(bt->basic), bp->data,
			    bp->datalen, false);
			break;
		case X400_BP_BILATERAL:
			ipm_retag_enc(e, BER_CTX(bt->basic), bp->data,
			    bp->datalen, true);
			break;
		case X400_BP_NATIONAL:
			ber_enc_begin(e, BER_CTX(bt->basic));
			ipm_raw_enc(e, bp->data, bp->datalen);
			ber_enc_end(e);
			break;
		default:
			ber_enc_begin(e, BER_CTX(bt->basic));
			ipm_params_enc(e, bp);
			ipm_data_enc(e, bp, level);
			ber_enc_end(e);
			break;
		}
		return;
	}
	doid = bp->oid != NULL ? bp->oid : bt->data_oid;
	poid = bp->param_oid != NULL ? bp->param_oid : bt->param_oid;
	if (bp->type == X400_BP_FORWARDED_CONTENT &&
	    bp->forwarded_type != NULL) {
		(void)snprintf(dbuf, sizeof(dbuf), "%s%s", IPM_OID_ET_CONTENT,
		    bp->forwarded_type);
		(void)snprintf(pbuf, sizeof(pbuf), "%s%s", IPM_OID_EP_CONTENT,
		    bp->forwarded_type);
		if (bp->oid == NULL)
			doid = dbuf;
		if (bp->param_oid == NULL)
			poid = pbuf;
	}
	if (doid == NULL) {
		e->err = BER_E_STATE;	/* an extended part needs its OID */
		return;
	}
	ber_enc_begin(e, BER_CTX(15));
	if (poid != NULL && ipm_has_params(bp)) {
		ipm_instance_begin(e, BER_CTX(0), poid);
		ipm_params_enc(e, bp);
		ipm_instance_end(e);
	}
	ipm_instance_begin(e, BER_UNIV(BER_EXTERNAL), doid);
	ipm_data_enc(e, bp, level);
	ipm_instance_end(e);
	ber_enc_end(e);
}

static void
ipm_ipm_enc(struct ber_enc *e, uint32_t tag, const struct x400_ipm *ipm,
    unsigned level)
{
	unsigned	i;

	if (e->err != BER_OK)
		return;
	if (level > IPM_MAX_ENC_LEVEL) {
		e->err = BER_E_DEPTH;	/* a cycle in hand-built facts */
		return;
	}
	ber_enc_begin(e, tag);
	ipm_heading_enc(e, ipm);
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	for (i = 0; i < ipm->nbody; i++)
		ipm_bodypart_enc(e, &ipm->body[i], level);
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
ipm_ipn_enc(struct ber_enc *e, const struct x400_ipn *n, unsigned level)
{
	ber_enc_begin_set(e, BER_CTX(1));
	ipm_ipmid_enc(e, BER_APP(11), &n->subject_ipm);
	if (n->has_originator)
		ipm_ordesc_enc(e, BER_CTX(1), &n->originator);
	if (n->has_intended)
		ipm_ordesc_enc(e, BER_CTX(2), &n->intended);
	if (n->conversion_eits.present)
		x400_eits_enc(e, &n->conversion_eits);
	if (n->next > 0)
		x400_hexts_enc(e, BER_CTX(3), n->ext, n->next);
	ber_enc_begin(e, BER_CTX(0));
	switch (n->kind) {
	case X400_IPN_NON_RECEIPT:
		ber_enc_begin_set(e, BER_CTX(0));
		ber_put_int(e, BER_CTX(0), n->reason);
		if (n->discard_reason != X400_ABSENT)
			ber_put_int(e, BER_CTX(1), n->discard_reason);
		if (n->auto_forward_comment != NULL)
			ber_put_string(e, BER_CTX(2), BER_PRINTABLE_STRING,
			    n->auto_forward_comment,
			    strlen(n->auto_forward_comment));
		if (n->returned != NULL)
			ipm_ipm_enc(e, BER_CTX(3), &n->returned->ipm,
			    level + 1);
		if (n->nkind_ext > 0)
			x400_hexts_enc(e, BER_CTX(4), n->kind_ext,
			    n->nkind_ext);
		ber_enc_end(e);
		break;
	case X400_IPN_RECEIPT:
		ber_enc_begin_set(e, BER_CTX(1));
		x400_time_enc(e, BER_CTX(0), &n->receipt_time);
		if (n->ack_mode != 0 && n->ack_mode != X400_ABSENT)
			ber_put_int(e, BER_CTX(1), n->ack_mode);
		if (n->suppl_info != NULL)
			ber_put_string(e, BER_CTX(2), BER_PRINTABLE_STRING,
			    n->suppl_info, strlen(n->suppl_info));
		if (n->nkind_ext > 0)
			x400_hexts_enc(e, BER_CTX(3), n->kind_ext,
			    n->nkind_ext);
		ber_enc_end(e);
		break;
	case X400_IPN_OTHER:
		x400_hexts_enc(e, BER_CTX(2), n->kind_ext, n->nkind_ext);
		break;
	default:
		e->err = BER_E_STATE;
		break;
	}
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
ipm_content_enc(struct ber_enc *e, const struct x400_content *c,
    unsigned level)
{
	if (e->err != BER_OK)
		return;
	if (level > IPM_MAX_ENC_LEVEL) {
		e->err = BER_E_DEPTH;
		return;
	}
	if (c->is_ipn)
		ipm_ipn_enc(e, &c->ipn, level);
	else
		ipm_ipm_enc(e, BER_CTX(0), &c->ipm, level);
}

/*
 * The InformationObject ([0] IPM or [1] IPN), also for CMS-signed content:
 * wrapping it in SignedData is the signer's business.
 */
void
x400_encode_content(struct ber_enc *e, const struct x400_content *c)
{
	ipm_content_enc(e, c, 0);
}
