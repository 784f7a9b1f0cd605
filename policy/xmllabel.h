/*
 * xmllabel.h - STANAG 4774 (ADatP-4774) XML confidentiality labels: parsed
 * strictly with libxml2, and converted to and from the ESS security label
 * (RFC 2634, ACP 145) through a loaded SPIF.
 *
 * Why.  Operators and the SMTP side see labels as 4774 XML, by names; the
 * guard judges ESS labels, by numbers.  The SPIF is what ties the two: its
 * policy name and OID, classification names and lacvs, tag (set) names,
 * tag set OIDs and tag types, and category names and lacvs.  libxml2 is
 * the project's XML parser already (spif.c): well kept, in Debian, and
 * read here under the locks of xmldoc.h.
 *
 * Grammar accepted (namespace XMLLABEL_NS; elements of any other namespace
 * are refused, as are unknown elements and unqualified attributes):
 *
 *   ConfidentialityLabel | OriginatorConfidentialityLabel |
 *   AlternativeConfidentialityLabel  @Id? @ReviewDateTime?
 *     ConfidentialityInformation
 *       PolicyIdentifier @URI?        name or OID of the policy
 *       Classification @URI?          classification name
 *       PrivacyMark?                  text
 *       Category* @TagName @Type (PERMISSIVE|RESTRICTIVE|INFORMATIVE) @URI?
 *         (GenericValue | IntegerValue | BitStringValue)+
 *     OriginatorID? @IDType?
 *     CreationDateTime?
 *
 * ReviewDateTime is an attribute, as in ADatP-4774 and the public samples.
 * Dates are checked as xs:dateTime; they, the Id, the OriginatorID and the
 * URIs have no place in an ESS label and are not carried into it, except
 * that a PolicyIdentifier URI of the form urn:oid:OID must name the SPIF's
 * policy.
 *
 * Names.  PolicyIdentifier, Classification, TagName and GenericValue are
 * xs:token: white space is collapsed on both sides before comparing with
 * the SPIF.  A name matches exactly, or else, when exactly one SPIF name
 * does, without regard to ASCII case (published labels write "nato" and
 * "unclassified" for the SPIF's NATO and UNCLASSIFIED).  A TagName names a
 * securityCategoryTag, or else a securityCategoryTagSet; the Type must be
 * the tag's family (RESTRICTIVE: restrictive or enumerated restrictive;
 * PERMISSIVE: permissive or enumerated permissive; INFORMATIVE: tagType7).
 * A GenericValue is a tagCategory name, or else the decimal lacv of one;
 * an IntegerValue a lacv; a BitStringValue has bit n set for lacv n.
 * The same tag twice, or the same value twice in a Category, is refused.
 *
 * Errors are "file:line: element: reason" ("label" as the file for input
 * that has no name); conversion errors carry the line of the element that
 * caused them.
 */
#ifndef MMGUARD_XMLLABEL_H
#define MMGUARD_XMLLABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "policy/spif.h"

#define XMLLABEL_NS \
	"urn:nato:stanag:4774:confidentialitymetadatalabel:1:0"
#define XMLLABEL_MAX_SIZE	(256u << 10)
#define XMLLABEL_MAX_CATS	64	/* as ESS: SET SIZE (1..64) */
#define XMLLABEL_MAX_VALUES	256	/* per Category, as ESS enumerated */
#define XMLLABEL_MAX_TEXT	256	/* names, URIs, dates, ids */
#define XMLLABEL_MAX_MARK	1024	/* PrivacyMark bytes (UTF-8) */

enum xmllabel_type {
	XMLLABEL_PERMISSIVE,
	XMLLABEL_RESTRICTIVE,
	XMLLABEL_INFORMATIVE
};

enum xmllabel_vkind {
	XMLLABEL_GENERIC,		/* name, or decimal lacv */
	XMLLABEL_INTEGER,		/* decimal lacv */
	XMLLABEL_BITSTRING		/* [01]+, bit n set: lacv n */
};

struct xmllabel_value {
	enum xmllabel_vkind kind;
	char		*text;		/* white space collapsed */
	long		 line;
};

struct xmllabel_cat {
	char		*tag_name;	/* white space collapsed */
	enum xmllabel_type type;
	char		*uri;		/* or NULL */
	struct xmllabel_value *values;
	size_t		 nvalues;
	long		 line;
};

struct xmllabel {
	char		*file;		/* as named in messages */
	char		*root;		/* the root element's name */
	long		 info_line;	/* ConfidentialityInformation */
	char		*policy;	/* PolicyIdentifier, collapsed */
	char		*policy_uri;	/* or NULL */
	long		 policy_line;
	char		*classification;
	long		 class_line;
	char		*privacy_mark;	/* as written, or NULL */
	long		 mark_line;
	struct xmllabel_cat *cats;
	size_t		 ncats;
	char		*id;		/* @Id, or NULL */
	char		*review;	/* @ReviewDateTime, or NULL */
	char		*originator;	/* OriginatorID, or NULL */
	char		*originator_type; /* its @IDType, or NULL */
	char		*created;	/* CreationDateTime, or NULL */
};

/*
 * Parse a label from memory; name names it in messages (NULL: "label").
 * NULL on error with "name:line: element: reason" in err.
 */
struct xmllabel	*xmllabel_parse(const char *name, const void *, size_t,
		    char *err, size_t errlen);
/* Same, reading the file ("-": standard input). */
struct xmllabel	*xmllabel_parse_file(const char *path, char *err,
		    size_t errlen);
void		 xmllabel_free(struct xmllabel *);

/*
 * An ESS label made from a 4774 label: its DER, and the label decoded
 * from that DER (in DER mode) into dec's arena; label.raw points into der.
 */
struct xmllabel_ess {
	struct buf	 der;
	struct x400_dec	 dec;
	struct ess_label label;
};

/*
 * Convert through the SPIF (see above for the name rules), encode as DER,
 * decode that again and check the result with label_valid().  -1 with a
 * precise reason in err; out is then empty (xmllabel_ess_free is still
 * safe to call).
 */
int	xmllabel_to_ess(const struct spif *, const struct xmllabel *,
	    struct xmllabel_ess *out, char *err, size_t errlen);
void	xmllabel_ess_free(struct xmllabel_ess *);

/*
 * The canonical 4774 document of an ESS label valid under the SPIF,
 * appended to xml: root ConfidentialityLabel in the default namespace,
 * PolicyIdentifier the SPIF's name with URI urn:oid:OID, the
 * classification's name, the privacy mark, then one Category per SPIF tag
 * the label uses, in SPIF order, TagName the tag's name (its tag set's
 * when the tag has none), values as GenericValue names in lacv order;
 * two-space indentation, LF line ends.  Before returning, the document is
 * parsed and converted back and must give the same ESS label, so that a
 * SPIF whose names would not lead back (say, two tags of one name) fails
 * here and not at the reader.  -1 with the reason in err.
 */
int	xmllabel_from_ess(const struct spif *, const struct ess_label *,
	    struct buf *xml, char *err, size_t errlen);

const char	*xmllabel_type_name(enum xmllabel_type);

#endif
