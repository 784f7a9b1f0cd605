/*
 * label.h - security labels judged against a SPIF: validity, dominance by
 * a clearance, equivalence mapping to another policy, and the marking shown
 * to operators.
 *
 * struct label is the policy module's own form of a label or clearance,
 * independent of how it travelled (ESS, X.411, STANAG 4774): a policy OID,
 * a classification lacv, a privacy mark and categories, each a tag set OID,
 * a tag type and a set of lacvs.  label_from_ess() builds one from an ESS
 * label.  Functions that judge return 0 (yes) or -1 (no, or an error) with
 * the reason in why; they never abort on a bad label.
 */
#ifndef MMGUARD_LABEL_H
#define MMGUARD_LABEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/spif.h"

struct ess_label;

#define LABEL_NO_CLASS		INT64_MIN
#define LABEL_MAX_CATS		64	/* as ESS: SET SIZE (1..64) */
#define LABEL_MAX_VALUES	4096	/* lacvs in one category */

struct label_cat {
	char		*tagset;	/* tag set OID */
	enum spif_tagtype type;
	uint32_t	*values;	/* lacvs, ascending, unique */
	size_t		 nvalues;
};

struct label {
	char		*policy;	/* OID, or NULL */
	int64_t		 classification; /* LABEL_NO_CLASS: none */
	char		*privacy_mark;	/* UTF-8, or NULL */
	struct label_cat *cats;
	size_t		 ncats;
};

void	label_init(struct label *);
void	label_free(struct label *);
/* Set policy/privacy mark (copied; NULL clears). */
void	label_set_policy(struct label *, const char *);
void	label_set_privacy_mark(struct label *, const char *);
/*
 * Add values to the category (tagset, type), creating it; values are kept
 * sorted and unique.  -1 when a limit would be passed.
 */
int	label_add(struct label *, const char *tagset, enum spif_tagtype,
	    const uint32_t *, size_t);
void	label_copy(struct label *dst, const struct label *src);

/*
 * ESS label to struct label: the category syntax OID gives the tag type,
 * tag_name the tag set, values the lacvs.  -1 (why set) on a syntax the
 * guard does not know.
 */
int	label_from_ess(const struct ess_label *, struct label *, char *why,
	    size_t);

/*
 * Valid under the SPIF: the policy is the SPIF's, the classification is
 * present and known, every category's tag set, tag type and lacvs are
 * known, no (tag set, type) repeats, singleSelection, excludedClass,
 * requiredClass, requiredCategory and excludedCategory hold.
 *
 * A categoryGroup names a tag set and type and optionally one lacv; it is
 * met when the label holds that lacv, or without lacv any value of that
 * tag set and type.  operation onlyOne: exactly one group met; oneOrMore:
 * at least one; all (and absent): every group.
 */
int	label_valid(const struct spif *, const struct label *, char *why,
	    size_t);

/*
 * The clearance dominates the label, both under the SPIF's policy: the
 * clearance's classification hierarchy is at least the label's;
 * restrictive categories (bitmap or enumerated): the clearance holds every
 * value of the label in the same tag set and type; permissive: at least
 * one; informative and notApplicable: not considered.
 */
int	label_dominates(const struct spif *, const struct label *clearance,
	    const struct label *, char *why, size_t);

/*
 * Equivalence mapping.
 *
 * LABEL_MAP_OUT: the label is under the SPIF's policy and leaves for
 * policy `to'; the SPIF's equivalentClassification and
 * equivalentSecCategoryTag entries naming `to' with @applied encrypt or
 * both are used ("encrypt" is the originator's side: the guard releasing
 * outwards acts as originator).
 *
 * LABEL_MAP_IN: the label is under policy `to' (a foreign one) and comes
 * in; the SPIF's entries naming it with @applied decrypt or both are used
 * backwards (the guard delivering inwards acts as recipient).  When more
 * than one classification maps, the one of highest hierarchy is taken.
 *
 * A category value without an entry fails the mapping unless an entry
 * says action="discard".  The privacy mark is copied.  Mapping to the
 * SPIF's own policy copies the label.
 */
enum label_map_dir {
	LABEL_MAP_OUT,
	LABEL_MAP_IN
};
int	label_map(const struct spif *, enum label_map_dir, const char *to,
	    const struct label *, struct label *out, char *why, size_t);

/*
 * A one-line marking for operators: the policy name (unless the
 * classification's text already begins with it), the classification's
 * markingData phrase or name, then per tag of the SPIF that the label
 * uses, in SPIF order: its prefix qualifier, its values' phrases (or
 * names) joined by its separator qualifier (", " when none), its suffix;
 * then the privacy mark.  Parts are separated by one space.  Qualifiers
 * and phrases with xml:lang are translations and not used.  -1 when the
 * buffer is too small or the label unknown to the SPIF.
 */
int	label_marking(const struct spif *, const struct label *, char *buf,
	    size_t);

#endif
