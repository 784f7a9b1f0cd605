/*
 * x400.h - X.400 P1 (X.411) and STANAG 4406 P772 / X.420 P22 content:
 * the strict decoder's "message facts", the DER encoder, and their limits.
 *
 * The decoder turns a P1 MTS-APDU (message, report or probe) into a typed,
 * complete description of everything in it, and decodes the content when
 * it is an IPM (built-in 2 or 22) or a P772 military message (extended
 * content type 1.3.26.0.4406.0.4.1), including P772 wrapped in a CMS
 * ContentInfo (SignedData whose eContentType is P772): the encapsulated
 * content is located and decoded here, the signature is verify's business.
 *
 * Ownership.  Every pointer in the facts points into the input or into the
 * decode's arena (struct x400_dec): nothing is freed separately, and
 * x400_dec_free() releases all.  Strings are NUL-terminated; text that a
 * person wrote (subjects, instructions, body text, free-form names) is a
 * struct x400_text: UTF-8 for inspection, plus the bytes as sent.
 *
 * Absence.  Optional integers use X400_ABSENT; optional times have a flag;
 * optional strings are NULL; optional text has utf8 == NULL.
 *
 * The encoder writes DER from the same structures (or, for tests, one of
 * the BER variants of ber.h), so that compose -> encode -> decode gives the
 * facts back.
 */
#ifndef MMGUARD_X400_H
#define MMGUARD_X400_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/ber/ber.h"
#include "filters/x400/charset.h"

struct buf;

#define X400_ABSENT	INT64_MIN

/* Object identifiers the codec knows by name. */
#define X400_OID_P772		"1.3.26.0.4406.0.4.1"	/* id-mct-p772 */
#define X400_OID_CONTENTINFO	"1.2.840.113549.1.9.16.1.6"	/* id-ct-contentInfo */
#define X400_OID_SIGNEDDATA	"1.2.840.113549.1.7.2"
#define X400_OID_RECEIPT	"1.2.840.113549.1.9.16.1.1"	/* id-ct-receipt */
#define X400_OID_PLQ		"1.3.26.0.4406.0.8.0"	/* priority-level-qualifier */
#define X400_OID_MM_PREFIX	"1.3.26.0.4406.0.2."	/* heading extensions */

/* Built-in content types. */
#define X400_CT_IPM84		2
#define X400_CT_IPM88		22

/* Limits; exceeding one is a precise error, never a truncation. */
struct x400_limits {
	size_t		 max_size;		/* bytes of one APDU */
	unsigned	 max_recipients;	/* per envelope or heading field */
	unsigned	 max_extensions;	/* per extension set */
	unsigned	 max_body_parts;	/* per body */
	unsigned	 max_trace;		/* trace elements */
	unsigned	 max_forward_depth;	/* nested forwarded messages */
};
#define X400_DEFAULT_MAX_SIZE		(32u * 1024 * 1024)
#define X400_DEFAULT_MAX_RECIPIENTS	1024
#define X400_DEFAULT_MAX_EXTENSIONS	64
#define X400_DEFAULT_MAX_BODY_PARTS	256
#define X400_DEFAULT_MAX_TRACE		128
#define X400_DEFAULT_MAX_FORWARD_DEPTH	4

/* Text (struct x400_text) is defined in charset.h. */

struct x400_time {
	bool		 present;
	struct ber_time	 tm;		/* as sent */
	int64_t		 epoch;		/* seconds since 1970, UTC */
};

/* A bit string of up to 64 named bits (bit 0 = first). */
struct x400_bits {
	bool		 present;
	uint64_t	 bits;		/* bit n is (bits >> n) & 1 */
	unsigned	 nbits;		/* as encoded */
};

/* --- O/R names ---------------------------------------------------------- */

struct x400_dda {
	char		*type;
	char		*value;
};

/* An extension attribute: its type and value, decoded where textual. */
struct x400_extattr {
	int64_t		 type;		/* X.411 extension-attribute-type */
	char		*text;		/* textual types, as UTF-8; else NULL */
	const uint8_t	*raw;		/* the value's TLV (inside [1]) */
	size_t		 rawlen;
};

/* Extension attribute types the text form uses. */
#define X400_EA_COMMON_NAME		1
#define X400_EA_TELETEX_COMMON_NAME	2
#define X400_EA_UNIVERSAL_COMMON_NAME	24
#define X400_EA_MAX			40

#define X400_MAX_OU	4
#define X400_MAX_DDA	4

struct x400_orname {
	bool		 present;
	/* built-in standard attributes */
	char		*country;	/* C */
	char		*admd;		/* A (may be " ") */
	char		*prmd;		/* P */
	char		*org;		/* O */
	char		*ou[X400_MAX_OU];	/* OU1..OU4 */
	unsigned	 nou;
	char		*surname;	/* S */
	char		*given;		/* G */
	char		*initials;	/* I */
	char		*generation;	/* Q */
	char		*x121;		/* X121 */
	char		*terminal;	/* T-ID */
	char		*uaid;		/* UA-ID */
	/* built-in domain-defined attributes */
	struct x400_dda	 dda[X400_MAX_DDA];
	unsigned	 ndda;
	/* extension attributes, in the order sent */
	struct x400_extattr *ext;
	unsigned	 next;
	/* directory name (X.501 Name) as RFC 4514 text, and its TLV */
	char		*dn;
	const uint8_t	*dn_raw;
	size_t		 dn_rawlen;
	/* RFC 1685 text form, e.g. "G=John; S=Smith; O=HQ; P=MOD; A= ; C=GB" */
	char		*text;
};

/* --- envelope pieces ---------------------------------------------------- */

struct x400_gdi {			/* GlobalDomainIdentifier */
	char		*country;
	char		*admd;
	char		*prmd;		/* NULL: absent */
};

struct x400_mtsid {			/* MTSIdentifier */
	struct x400_gdi	 gdi;
	char		*local;
	char		*text;		/* "[C=GB;A= ;P=MOD;L=local]" */
};

struct x400_eits {			/* EncodedInformationTypes */
	bool		 present;
	struct x400_bits builtin;	/* unknown(0) telex(1) ia5-text(2) ... */
	char		**extended;	/* OIDs */
	unsigned	 nextended;
	const uint8_t	*raw;		/* the [APPLICATION 5] TLV */
	size_t		 rawlen;
};

/* Security label: X.411 SecurityLabel (and the same shape in ESS). */
struct x400_category {
	char		*type;		/* OID */
	const uint8_t	*value;		/* the TLV inside [1] */
	size_t		 valuelen;
};

struct x400_label {
	bool		 present;
	char		*policy;	/* OID, NULL: absent */
	int64_t		 classification;	/* X400_ABSENT: absent */
	struct x400_text privacy_mark;
	struct x400_category *cats;
	unsigned	 ncats;
	const uint8_t	*raw;		/* the SET as sent */
	size_t		 rawlen;
};

/* Criticality bits (X.411 Criticality). */
#define X400_CRIT_SUBMISSION	0x01
#define X400_CRIT_TRANSFER	0x02
#define X400_CRIT_DELIVERY	0x04

struct x400_ext {			/* ExtensionField */
	bool		 standard;
	int64_t		 number;	/* standard-extension */
	char		*oid;		/* private-extension */
	uint8_t		 crit;		/* X400_CRIT_* */
	bool		 known;		/* understood: decoded into a field */
	const uint8_t	*value;		/* the value's TLV; NULL: DEFAULT NULL */
	size_t		 valuelen;
};

/* Standard extension numbers the guard understands. */
#define X400_EXT_RECIPIENT_REASSIGNMENT_PROHIBITED	1
#define X400_EXT_DL_EXPANSION_PROHIBITED		3
#define X400_EXT_CONVERSION_WITH_LOSS_PROHIBITED	4
#define X400_EXT_LATEST_DELIVERY_TIME			5
#define X400_EXT_ORIGINATOR_RETURN_ADDRESS		13
#define X400_EXT_MESSAGE_SECURITY_LABEL			20
#define X400_EXT_CONTENT_CORRELATOR			23
#define X400_EXT_DL_EXPANSION_HISTORY			26
#define X400_EXT_INTERNAL_TRACE_INFORMATION		38

struct x400_trace {			/* (Internal)TraceInformationElement */
	bool		 internal;	/* from internal-trace-information */
	struct x400_gdi	 domain;
	char		*mta;		/* internal: MTA name */
	struct x400_time arrival;
	int64_t		 routing_action;	/* 0 relayed, 1 rerouted */
	bool		 has_attempted_domain;
	struct x400_gdi	 attempted_domain;
	char		*attempted_mta;	/* internal: attempted MTA */
	struct x400_time deferred;
	struct x400_eits converted;
	struct x400_bits other_actions;	/* redirected(0) dl-operation(1) */
};

struct x400_dlexp {			/* DLExpansion */
	struct x400_orname dl;
	struct x400_time time;
};

struct x400_recipient {			/* PerRecipient...TransferFields */
	struct x400_orname name;
	int64_t		 number;	/* originally-specified-recipient-number */
	struct x400_bits indicators;	/* per-recipient-indicators */
	int64_t		 explicit_conversion;	/* X400_ABSENT: absent */
	struct x400_ext	*ext;
	unsigned	 next;
};

/* Message and probe transfer envelopes. */
struct x400_envelope {
	struct x400_mtsid id;		/* message- or probe-identifier */
	struct x400_orname originator;
	struct x400_eits original_eits;
	int64_t		 content_builtin;	/* X400_ABSENT when extended */
	char		*content_oid;		/* extended content type */
	char		*content_id;		/* NULL: absent */
	int64_t		 priority;	/* 0 normal, 1 non-urgent, 2 urgent */
	struct x400_bits indicators;	/* per-message-indicators */
	struct x400_time deferred_delivery;
	int64_t		 content_length;	/* probe; X400_ABSENT: absent */
	unsigned	 nbilateral;	/* per-domain-bilateral-information */
	const uint8_t	*bilateral_raw;
	size_t		 bilateral_rawlen;
	struct x400_trace *trace;
	unsigned	 ntrace;
	struct x400_ext	*ext;
	unsigned	 next;
	struct x400_recipient *rcpt;
	unsigned	 nrcpt;
	/* known extensions, decoded */
	struct x400_label label;			/* 20 */
	bool		 recipient_reassignment_prohibited;	/* 1 */
	bool		 dl_expansion_prohibited;	/* 3 */
	bool		 conversion_with_loss_prohibited;	/* 4 */
	struct x400_time latest_delivery;		/* 5 */
	struct x400_orname return_address;		/* 13 */
	const uint8_t	*correlator;			/* 23 */
	size_t		 correlator_len;
	bool		 correlator_ia5;
	struct x400_dlexp *dlexp;			/* 26 */
	unsigned	 ndlexp;
	struct x400_trace *itrace;			/* 38 */
	unsigned	 nitrace;
	int64_t		 priority_qualifier;		/* PLQ: 0 low, 1 high */
};

/* Reports. */
struct x400_report_rcpt {		/* PerRecipientReportTransferFields */
	struct x400_orname actual;
	int64_t		 number;
	struct x400_bits indicators;
	struct x400_time arrival;	/* last-trace-information */
	struct x400_eits converted;
	bool		 delivered;	/* report-type: delivery or not */
	struct x400_time delivery_time;
	int64_t		 mts_user_type;	/* delivery: type-of-MTS-user */
	int64_t		 reason;	/* non-delivery-reason-code */
	int64_t		 diagnostic;	/* X400_ABSENT: absent */
	struct x400_orname intended;	/* originally-intended-recipient */
	char		*supplementary;
	struct x400_ext	*ext;
	unsigned	 next;
};

struct x400_report {
	struct x400_mtsid id;		/* report-identifier */
	struct x400_orname destination;
	struct x400_trace *trace;
	unsigned	 ntrace;
	struct x400_ext	*ext;		/* envelope extensions */
	unsigned	 next;
	struct x400_label label;	/* message-security-label, if any */
	struct x400_mtsid subject;	/* subject-identifier */
	struct x400_trace *subject_trace;
	unsigned	 nsubject_trace;
	struct x400_eits original_eits;
	int64_t		 content_builtin;	/* X400_ABSENT: absent/extended */
	char		*content_oid;
	char		*content_id;
	const uint8_t	*returned;	/* returned-content; NULL: absent */
	size_t		 returned_len;
	const uint8_t	*additional;	/* additional-information TLV */
	size_t		 additional_len;
	struct x400_ext	*content_ext;	/* report content extensions */
	unsigned	 ncontent_ext;
	struct x400_report_rcpt *rcpt;
	unsigned	 nrcpt;
};

/* --- IPM / P772 content -------------------------------------------------- */

struct x400_ipmid {			/* IPMIdentifier */
	struct x400_orname user;
	char		*local;		/* user-relative-identifier */
};

struct x400_ordesc {			/* ORDescriptor */
	struct x400_orname formal;
	struct x400_text free_form;
	char		*telephone;
};

struct x400_hext {			/* IPMSExtension */
	char		*oid;
	const uint8_t	*value;		/* the value's TLV; NULL: DEFAULT NULL */
	size_t		 valuelen;
	bool		 known;
};

struct x400_rcptspec {			/* RecipientSpecifier */
	struct x400_ordesc who;
	struct x400_bits notify;	/* rn(0) nrn(1) ipm-return(2) ... */
	bool		 reply_requested;
	struct x400_hext *ext;
	unsigned	 next;
	struct x400_bits acp127_notify;	/* P772 acp127-notification-request */
};

struct x400_ald {			/* AddressListDesignator */
	int64_t		 type;		/* 0 primary, 1 copy */
	struct x400_ordesc list;
	int64_t		 notification;	/* X400_ABSENT or 0 action 1 info 2 both */
	int64_t		 reply;
};

struct x400_ord {			/* OtherRecipientDesignator */
	int64_t		 type;		/* 0 primary, 1 copy */
	struct x400_text designator;
};

struct x400_pilot {			/* PilotInformation */
	int64_t		 precedence;	/* X400_ABSENT: absent */
	struct x400_ordesc *rcpt;
	unsigned	 nrcpt;
	struct x400_label label;
	struct x400_text *handling;
	unsigned	 nhandling;
};

struct x400_distext {			/* DistributionExtensionField */
	char		*oid;
	const uint8_t	*value;
	size_t		 valuelen;
};

/* Body part kinds. */
enum x400_bp {
	X400_BP_IA5_TEXT, X400_BP_G3_FAX, X400_BP_G4_CLASS1, X400_BP_TELETEX,
	X400_BP_VIDEOTEX, X400_BP_ENCRYPTED, X400_BP_MESSAGE,
	X400_BP_MIXED_MODE, X400_BP_BILATERAL, X400_BP_NATIONAL,
	X400_BP_GENERAL_TEXT, X400_BP_FILE_TRANSFER, X400_BP_VOICE,
	X400_BP_FORWARDED_CONTENT,
	X400_BP_ADATP3, X400_BP_CORRECTIONS, X400_BP_FORWARDED_ENCRYPTED,
	X400_BP_MM_MESSAGE, X400_BP_ACP127DATA,
	X400_BP_UNKNOWN,	/* an extended type the guard does not know */
	X400_BP__COUNT
};

struct x400_content;

struct x400_bodypart {
	enum x400_bp	 type;
	bool		 extended;	/* sent as an extended body part */
	char		*oid;		/* extended: the data's OID */
	char		*param_oid;	/* extended: the parameters' OID */
	struct x400_text text;		/* text parts, lines joined by \n */
	int64_t		 param;		/* ADatP3/corrections/ACP127 params,
					   IA5 repertoire, ...; or ABSENT */
	int64_t		*charsets;	/* general text: ISO-IR registrations */
	unsigned	 ncharsets;
	bool		 set_oriented;	/* ADatP3 data form */
	/*
	 * data and params, as sent: for the SEQUENCE-typed basic parts the
	 * data and parameters component TLVs; for g4-class1, mixed-mode and
	 * bilaterally-defined the whole [4]/[11]/[14] TLV; for
	 * nationally-defined the value inside [7]; for extended parts the
	 * values inside their [0] EXPLICIT.
	 */
	const uint8_t	*data;
	size_t		 datalen;
	const uint8_t	*params;
	size_t		 paramslen;
	struct x400_time delivery_time;	/* forwarded messages */
	const uint8_t	*delivery_envelope;	/* the [1] delivery-envelope
						   TLV (OtherMessageDeliveryFields) */
	size_t		 delivery_envelope_len;
	struct x400_content *forwarded;	/* message, mm-message, content */
	char		*forwarded_type;	/* forwarded content: OID */
};

struct x400_ipm {
	struct x400_ipmid this_ipm;
	struct x400_ordesc originator;	/* formal.present or free_form */
	bool		 has_originator;
	struct x400_ordesc *auth;	/* authorizing-users */
	unsigned	 nauth;
	struct x400_rcptspec *primary, *copy, *blind;
	unsigned	 nprimary, ncopy, nblind;
	bool		 has_blind;
	struct x400_ipmid replied_to;
	bool		 has_replied_to;
	struct x400_ipmid *obsoleted, *related;
	unsigned	 nobsoleted, nrelated;
	struct x400_text subject;
	struct x400_time expiry, reply_time;
	struct x400_ordesc *reply_rcpt;
	unsigned	 nreply_rcpt;
	bool		 has_reply_rcpt;
	int64_t		 importance;	/* 0 low, 1 normal (default), 2 high */
	int64_t		 sensitivity;	/* X400_ABSENT, 1..3 */
	bool		 auto_forwarded;
	struct x400_hext *ext;		/* every heading extension, in order */
	unsigned	 next;
	/* MMHS heading extensions (STANAG 4406), decoded */
	int64_t		 primary_precedence;	/* X400_ABSENT: absent */
	int64_t		 copy_precedence;
	int64_t		 message_type;		/* X400_ABSENT: absent */
	struct x400_text message_type_id;
	struct x400_ald	*ald;
	unsigned	 nald;
	bool		 has_ald;
	struct x400_ordesc *exempted;
	unsigned	 nexempted;
	bool		 has_exempted;
	struct x400_time ext_auth_info;
	bool		 has_dist_codes;
	char		**sics;
	unsigned	 nsics;
	struct x400_distext *dist_ext;
	unsigned	 ndist_ext;
	struct x400_text *handling;
	unsigned	 nhandling;
	bool		 has_handling;
	struct x400_text *instructions;
	unsigned	 ninstructions;
	bool		 has_instructions;
	int64_t		 codress;		/* X400_ABSENT: absent */
	struct x400_text originator_ref;
	struct x400_ord	*other_rcpt;
	unsigned	 nother_rcpt;
	bool		 has_other_rcpt;
	struct x400_pilot *pilot;
	unsigned	 npilot;
	bool		 has_pilot;
	struct x400_text acp127_id;
	struct x400_text originator_plad;
	struct x400_label info_label;	/* information-labels: content label */
	bool		 has_info_labels;
	const uint8_t	*info_labels_raw;
	size_t		 info_labels_rawlen;
	/* body */
	struct x400_bodypart *body;
	unsigned	 nbody;
};

enum x400_ipn_kind {
	X400_IPN_NON_RECEIPT, X400_IPN_RECEIPT, X400_IPN_OTHER
};

struct x400_ipn {
	struct x400_ipmid subject_ipm;
	struct x400_ordesc originator;
	bool		 has_originator;
	struct x400_ordesc intended;
	bool		 has_intended;
	struct x400_eits conversion_eits;
	struct x400_hext *ext;		/* notification-extensions */
	unsigned	 next;
	enum x400_ipn_kind kind;
	/* receipt */
	struct x400_time receipt_time;
	int64_t		 ack_mode;	/* 0 manual (default), 1 automatic */
	char		*suppl_info;
	/* non-receipt */
	int64_t		 reason;	/* 0 discarded, 1 auto-forwarded */
	int64_t		 discard_reason;	/* X400_ABSENT: absent */
	char		*auto_forward_comment;
	struct x400_content *returned;	/* returned-ipm */
	/* receipt / non-receipt extensions, other notification fields */
	struct x400_hext *kind_ext;
	unsigned	 nkind_ext;
};

enum x400_protection {
	X400_PROT_NONE, X400_PROT_CMS_SIGNED
};

struct x400_content {
	bool		 p772;		/* military message (else IPM) */
	enum x400_protection protection;
	const uint8_t	*cms;		/* ContentInfo TLV (cms-signed) */
	size_t		 cmslen;
	char		*econtent_type;	/* SignedData eContentType */
	const uint8_t	*econtent;	/* the encapsulated content octets */
	size_t		 econtent_len;
	bool		 is_ipn;
	struct x400_ipm	 ipm;
	struct x400_ipn	 ipn;
};

/* --- the whole APDU ------------------------------------------------------ */

enum x400_apdu {
	X400_APDU_MESSAGE, X400_APDU_REPORT, X400_APDU_PROBE
};

struct x400_msg {
	enum x400_apdu	 apdu;
	struct x400_envelope env;	/* message and probe */
	struct x400_report report;	/* report */
	const uint8_t	*content;	/* message: the content octets */
	size_t		 content_len;
	size_t		 content_off;	/* offset of the content TLV */
	struct x400_content *body;	/* decoded content, NULL if not IPM/P772 */
	unsigned	 unknown_critical;	/* extensions critical for transfer
					   that the guard does not know */
};

/* --- decoding ------------------------------------------------------------ */

struct x400_dec {
	struct ber_ctx		 c;	/* input, mode, errors, arena */
	struct x400_limits	 lim;
	unsigned		 depth;	/* forwarded-message nesting now */
};

void	 x400_limits_default(struct x400_limits *);
int	 x400_decode(struct x400_dec *, enum ber_mode,
	    const struct x400_limits *, const void *, size_t,
	    struct x400_msg **);
int	 x400_decode_content(struct x400_dec *, enum ber_mode,
	    const struct x400_limits *, const void *, size_t, bool p772,
	    struct x400_content **);
void	 x400_dec_free(struct x400_dec *);
const char *x400_strerror(const struct x400_dec *);

/* --- encoding ------------------------------------------------------------ */

int	 x400_encode(const struct x400_msg *, unsigned variant, struct buf *);
void	 x400_encode_content(struct ber_enc *, const struct x400_content *);
void	 x400_label_enc(struct ber_enc *, uint32_t tag,
	    const struct x400_label *);

/* --- presentation --------------------------------------------------------- */

const char *x400_bp_name(enum x400_bp);
const char *x400_priority_name(int64_t);	/* normal, non-urgent, urgent */
const char *x400_precedence_name(int64_t);	/* routine, flash, ... */
int	 x400_json(const struct x400_msg *, struct buf *);
int	 x400_json_content(const struct x400_content *, struct buf *);

#endif
