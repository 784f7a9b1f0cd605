/*
 * ndr.h - the P1 non-delivery report the guard sends back to the side a
 * rejected message came from (ARCHITECTURE: "rejected (with a non-delivery
 * report to the high side)").
 *
 * x400_ndr_build() turns the decoded subject message into an X.411 Report
 * APDU (MTS-APDU report [1]) in DER, with the guard as the MTA that made
 * it.  What goes where (X.411 (06/1999), MTAAbstractService):
 *
 *   report-identifier         a new MTSIdentifier in the guard's domain
 *   report-destination-name   the subject's originator-name; when the
 *                             subject went through DL expansion, the most
 *                             recent DL (its expansion point applies the
 *                             list's reporting policy).  Not the
 *                             originator-return-address: that is the
 *                             originator's postal address, for returns by
 *                             a physical delivery service.
 *   trace-information         one element: the guard's domain, relayed,
 *                             arrival-time = the report's time
 *   extensions                message-security-label (20) of the subject,
 *                             if any (a report about a labelled message
 *                             carries its label), internal-trace-
 *                             information (38) and reporting-MTA-name (39)
 *                             naming the guard's MTA
 *   subject-identifier        the subject's message-identifier
 *   subject-intermediate-trace-information   the subject's trace
 *   original-EITs, content-type, content-identifier   the subject's
 *   returned-content          the subject's content, only when asked for
 *                             here and the subject's per-message-indicators
 *                             has content-return-request (bit 3)
 *   content extensions        content-correlator (23) of the subject
 *   per-recipient-fields      one per subject recipient the guard is
 *                             responsible for (responsibility bit): actual-
 *                             recipient-name, originally-specified-
 *                             recipient-number, per-recipient-indicators
 *                             (the subject's originator-report bits 3-4;
 *                             bits 0-2 "don't care" are kept as sent),
 *                             last-trace-information (arrival-time,
 *                             report-type non-delivery with reason and
 *                             diagnostic), supplementary-information
 *
 * The report is DER.  Values the subject carried as BER and the report
 * repeats (directory names, O/R extension attribute values, label
 * categories) are re-encoded with definite lengths and whole strings; the
 * order of a SET OF inside them (a multi-valued RDN, the attribute list of
 * a category) is the originator's and is kept, so for a BER subject only
 * that order may differ from DER.
 */
#ifndef MMGUARD_X400_NDR_H
#define MMGUARD_X400_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/x400/x400.h"

struct buf;

/*
 * X.411 NonDeliveryReasonCode ::= INTEGER (0..ub-reason-codes = 32767).
 * All nine named values of X.411 (06/1999).
 */
#define X400_NDR_REASON_TRANSFER_FAILURE		0 /* transfer-failure */
#define X400_NDR_REASON_UNABLE_TO_TRANSFER		1 /* unable-to-transfer */
#define X400_NDR_REASON_CONVERSION_NOT_PERFORMED	2
#define X400_NDR_REASON_PHYSICAL_RENDITION_NOT_PERFORMED 3
#define X400_NDR_REASON_PHYSICAL_DELIVERY_NOT_PERFORMED	4
#define X400_NDR_REASON_RESTRICTED_DELIVERY		5 /* restricted-delivery */
#define X400_NDR_REASON_DIRECTORY_OPERATION_UNSUCCESSFUL 6
#define X400_NDR_REASON_DEFERRED_DELIVERY_NOT_PERFORMED	7
#define X400_NDR_REASON_TRANSFER_FAILURE_FOR_SECURITY	8 /* transfer-failure-
							     for-security-reason */
#define X400_NDR_REASON_MAX				32767

/*
 * X.411 NonDeliveryDiagnosticCode ::= INTEGER (0..ub-diagnostic-codes =
 * 32767): the values the guard uses, with their ASN.1 names.  The full
 * list of named values (0 to 78) is in x400_ndr_diagnostic_name().
 */
#define X400_NDR_DIAG_UNRECOGNISED_OR_NAME		0  /* unrecognised-OR-name */
#define X400_NDR_DIAG_MTS_CONGESTION			2  /* mts-congestion */
#define X400_NDR_DIAG_LOOP_DETECTED			3  /* loop-detected */
#define X400_NDR_DIAG_MAXIMUM_TIME_EXPIRED		5  /* maximum-time-expired */
#define X400_NDR_DIAG_EITS_UNSUPPORTED			6  /* encoded-information-
							      types-unsupported */
#define X400_NDR_DIAG_CONTENT_TOO_LONG			7  /* content-too-long */
#define X400_NDR_DIAG_INVALID_ARGUMENTS			11 /* invalid-arguments */
#define X400_NDR_DIAG_CONTENT_SYNTAX_ERROR		12 /* content-syntax-error */
#define X400_NDR_DIAG_SIZE_CONSTRAINT_VIOLATION		13 /* size-constraint-
							      violation */
#define X400_NDR_DIAG_PROTOCOL_VIOLATION		14 /* protocol-violation */
#define X400_NDR_DIAG_CONTENT_TYPE_NOT_SUPPORTED	15 /* content-type-not-
							      supported */
#define X400_NDR_DIAG_TOO_MANY_RECIPIENTS		16 /* too-many-recipients */
#define X400_NDR_DIAG_NO_BILATERAL_AGREEMENT		17 /* no-bilateral-agreement */
#define X400_NDR_DIAG_UNSUPPORTED_CRITICAL_FUNCTION	18 /* unsupported-critical-
							      function */
#define X400_NDR_DIAG_SECURE_MESSAGING_ERROR		46 /* secure-messaging-error */
#define X400_NDR_DIAG_UNABLE_TO_COMPLETE_TRANSFER	48 /* unable-to-complete-
							      transfer */
#define X400_NDR_DIAG_SECURITY_POLICY_VIOLATION		53 /* security-policy-
							      violation */
#define X400_NDR_DIAG_SECURITY_SERVICES_REFUSAL		54 /* security-services-
							      refusal */
#define X400_NDR_DIAG_UNAUTHORISED_ORIGINATOR_NAME	58 /* unauthorised-
							      originator-name */
#define X400_NDR_DIAG_UNAUTHORISED_RECIPIENT_NAME	59 /* unauthorised-
							      recipient-name */
#define X400_NDR_DIAG_AUTHENTICATION_FAILURE		61 /* authentication-
							      failure-on-subject-message */
#define X400_NDR_DIAG_INTEGRITY_FAILURE			67 /* integrity-failure-
							      on-subject-message */
#define X400_NDR_DIAG_INVALID_SECURITY_LABEL		68 /* invalid-security-
							      label */
#define X400_NDR_DIAG_UNKNOWN_SECURITY_LABEL		76 /* unknown-security-
							      label */
#define X400_NDR_DIAG_UNSUPPORTED_SECURITY_POLICY	78 /* unsupported-security-
							      policy */
#define X400_NDR_DIAG_MAX				32767

/* SupplementaryInformation ::= PrintableString (SIZE (1..256)). */
#define X400_NDR_SUPPLEMENTARY_MAX	256
/* MTAName ::= IA5String (SIZE (1..ub-mta-name-length = 32)). */
#define X400_NDR_MTA_NAME_MAX		32

/* What the caller says about the report; the subject says the rest. */
struct x400_ndr_params {
	const char	*mta;		/* the guard's MTA name */
	struct x400_gdi	 domain;	/* the guard's global domain id */
	int64_t		 time;		/* when the report is made (epoch s) */
	int64_t		 arrival;	/* when the subject reached the guard;
					   X400_ABSENT: the report's time */
	int64_t		 reason;	/* X400_NDR_REASON_* */
	int64_t		 diagnostic;	/* X400_NDR_DIAG_*; X400_ABSENT: none */
	const char	*text;		/* the guard's reason, any bytes
					   (sanitised); NULL or "": none */
	const char	*local_id;	/* report's local identifier; NULL:
					   derived from the time, the subject's
					   identifier and the MTA name */
	bool		 return_content;	/* return the subject's content
					   when it asked for content-return */
};

/* Zero the parameters, absent diagnostic and arrival. */
void	 x400_ndr_params_init(struct x400_ndr_params *);

/*
 * Build the non-delivery report about subject (a decoded P1 message) and
 * append its DER to out.  Returns 0, or -1 with the reason in err: a
 * report or probe as subject, parameters outside what X.411 allows, no
 * recipient the guard is responsible for, a report larger than out's
 * maximum.
 */
int	 x400_ndr_build(const struct x400_msg *subject,
	    const struct x400_ndr_params *, struct buf *out, char *err,
	    size_t errsz);

/*
 * The guard's reason text in the PrintableString repertoire (A-Z a-z 0-9
 * space ' ( ) + , - . / : = ?): look-alikes mapped ("->', _->-, [->( ...),
 * white space runs folded to one space, any other character (a UTF-8
 * sequence counts as one) to '?', ends trimmed, cut at
 * min(outsz - 1, 256) characters with "..." when cut.  Returns the length.
 */
size_t	 x400_ndr_printable(const char *in, char *out, size_t outsz);

/* ASN.1 names of the codes ("security-policy-violation"); NULL: unnamed. */
const char *x400_ndr_reason_name(int64_t);
const char *x400_ndr_diagnostic_name(int64_t);
/* A code from its name or its decimal number; -1 if neither. */
int64_t	 x400_ndr_reason_code(const char *);
int64_t	 x400_ndr_diagnostic_code(const char *);

#endif
