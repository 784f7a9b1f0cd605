/*
 * spif.h - Open XML SPIF (http://www.xmlspif.org/spif, schema 1.0, 2.0 and
 * 2.1) loaded with libxml2 and compiled into an immutable model.
 *
 * Why our own checks and not the XSD: the guard must not fetch or trust a
 * schema at run time, and the published samples fail the schema in ways a
 * validator reports poorly.  spif_load() checks element order, required
 * attributes, value syntax (OIDs, integers, enumerations), uniqueness and
 * every cross reference (excludedClass, tagSetRef, policyRef) itself, stops
 * at the first fault and says "file:line: element: reason".  Elements of
 * other namespaces are allowed only inside <extensions>, and ignored there.
 *
 * The input is untrusted text: at most SPIF_MAX_SIZE bytes, no network, no
 * DTD (a document with a DOCTYPE is refused), no entity substitution, and
 * counts capped (SPIF_MAX_*).  The 1.0 and 2.0 schemas are subsets of 2.1
 * for everything read here, so the 2.1 grammar is applied to all three.
 *
 * Deliberate narrowing of the schema: a tagCategory or equivalence lacv must
 * be an unsigned decimal integer below 2^32 (labels carry integers; the
 * schema's string lacvs have no label encoding the guard accepts).
 */
#ifndef MMGUARD_SPIF_H
#define MMGUARD_SPIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPIF_NS			"http://www.xmlspif.org/spif"
#define SPIF_MAX_SIZE		(8u << 20)
#define SPIF_MAX_CLASSES	256
#define SPIF_MAX_TAGSETS	256
#define SPIF_MAX_TAGS		16	/* securityCategoryTag per tag set */
#define SPIF_MAX_CATEGORIES	65536	/* tagCategory per tag */
#define SPIF_MAX_POLICIES	256	/* equivalentPolicy */
#define SPIF_MAX_REFS		256	/* children of one kind per element */

/*
 * Tag types.  "enumerated" is split by its enumType so that one value names
 * the label syntax: restrictive bitmap, enumerated restrictive, permissive
 * bitmap, enumerated permissive, informative (tagType7).
 */
enum spif_tagtype {
	SPIF_TAG_RESTRICTIVE,
	SPIF_TAG_ENUM_RESTRICTIVE,
	SPIF_TAG_PERMISSIVE,
	SPIF_TAG_ENUM_PERMISSIVE,
	SPIF_TAG_INFORMATIVE,
	SPIF_TAG_NOT_APPLICABLE,
	SPIF_TAG_ENUMERATED		/* only in categoryGroup without enumType:
					   either enumerated type */
};

/* @applied: bit 1 encrypt (originator side), bit 2 decrypt (recipient). */
#define SPIF_APPLIED_ENCRYPT	0x1
#define SPIF_APPLIED_DECRYPT	0x2
#define SPIF_APPLIED_BOTH	0x3

enum spif_operation {
	SPIF_OP_ONLY_ONE,
	SPIF_OP_ONE_OR_MORE,
	SPIF_OP_ALL
};

/* categoryGroup or excludedCategory; tagset resolved to an index. */
struct spif_catref {
	size_t		 tagset;	/* index into spif.tagsets */
	enum spif_tagtype type;
	bool		 has_lacv;
	uint32_t	 lacv;		/* when has_lacv */
	bool		 all;
	char		*tagset_name;	/* @tagSetRef as written */
	long		 line;
};

struct spif_required {
	enum spif_operation op;		/* default all */
	struct spif_catref *groups;
	size_t		 ngroups;
};

struct spif_equiv_class {
	const char	*policy;	/* OID of the equivalent policy */
	int64_t		 lacv;
	unsigned	 applied;	/* SPIF_APPLIED_* */
	char		*policy_name;	/* @policyRef as written */
	long		 line;
};

struct spif_equiv_cat {
	const char	*policy;	/* OID of the equivalent policy */
	char		*tagset;	/* tag set OID in that policy */
	enum spif_tagtype type;
	uint32_t	 lacv;
	unsigned	 applied;
	bool		 discard;	/* @action="discard" */
	char		*policy_name;	/* @policyRef as written */
	long		 line;
};

struct spif_class {
	char		*name;
	int64_t		 lacv;
	int64_t		 hierarchy;
	char		*phrase;	/* markingData phrase, or NULL */
	bool		 obsolete;
	struct spif_equiv_class *equivs;
	size_t		 nequivs;
	struct spif_required *required;
	size_t		 nrequired;
};

struct spif_category {
	char		*name;
	uint32_t	 lacv;
	long		 line;		/* in the SPIF, for messages */
	char		*phrase;	/* markingData phrase, or NULL */
	bool		 obsolete;
	int64_t		*excluded_class;	/* lacvs of excluded classes */
	size_t		 nexcluded_class;
	int64_t		 required_class;	/* INT64_MIN: none */
	struct spif_required *required;
	size_t		 nrequired;
	struct spif_catref *excluded;
	size_t		 nexcluded;
	struct spif_equiv_cat *equivs;
	size_t		 nequivs;
};

struct spif_tag {
	char		*name;		/* may be NULL */
	enum spif_tagtype type;
	bool		 single;	/* singleSelection */
	bool		 bitset;	/* tag7Encoding bitSetAttributes (an
					   informative tag's ESS form) */
	struct spif_category *cats;	/* sorted by lacv, unique */
	size_t		 ncats;
	/* Marking qualifiers without xml:lang; NULL when absent. */
	char		*prefix, *separator, *suffix;
};

struct spif_tagset {
	char		*name;
	char		*id;
	struct spif_tag	*tags;
	size_t		 ntags;
};

struct spif_policy {
	char		*name;
	char		*id;
};

struct spif {
	char		*file;
	char		*schema_version;
	char		*name;		/* securityPolicyId */
	char		*id;
	char		*phrase;	/* SPIF markingData phrase, or NULL */
	struct spif_class *classes;	/* document order */
	size_t		 nclasses;
	struct spif_tagset *tagsets;
	size_t		 ntagsets;
	struct spif_policy *policies;	/* equivalentPolicy, then default */
	size_t		 npolicies;
};

/*
 * Load a SPIF from memory; file names it in messages.  NULL on error, with
 * "file:line: element: reason" in err.
 */
struct spif	*spif_load(const char *file, const void *, size_t, char *err,
		    size_t errlen);
/* Same, reading the file (at most SPIF_MAX_SIZE bytes). */
struct spif	*spif_load_file(const char *path, char *err, size_t errlen);
void		 spif_free(struct spif *);

const struct spif_class	 *spif_class_by_lacv(const struct spif *, int64_t);
const struct spif_class	 *spif_class_by_name(const struct spif *,
			    const char *);
const struct spif_tagset *spif_tagset_by_id(const struct spif *,
			    const char *);
const struct spif_tag	 *spif_tag_by_type(const struct spif_tagset *,
			    enum spif_tagtype);
const struct spif_category *spif_category(const struct spif_tag *, uint32_t);
/* The OID of an equivalent policy named in the SPIF, or NULL. */
const char		 *spif_policy_id(const struct spif *, const char *);
const char		 *spif_tagtype_name(enum spif_tagtype);

#endif
