/*
 * spif.c - Open XML SPIF loader: libxml2 builds the tree (no network, no
 * DTD, no entity substitution, its messages captured as ours), then one
 * handler per element checks the order of the children against a table
 * taken from the SPIF 2.1 grammar, the attributes and their syntax, and
 * copies what the label semantics need into struct spif.  References by
 * name (tagSetRef, policyRef) may point forward in the document; they are
 * resolved in a last pass.  The first fault ends the load.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "policy/spif.h"
#include "policy/xmldoc.h"

#define SPIF_MAX_NAME	256	/* className, policyName, markingPhrase... */
#define SPIF_MAX_OID	256

struct spif_ctx {
	struct xmldoc_err e;
	struct spif	*s;
};

#define spif_errline(c, ...)	xmldoc_errline(&(c)->e, __VA_ARGS__)
#define spif_err(c, ...)	xmldoc_errnode(&(c)->e, __VA_ARGS__)

/* One child of a sequence: its name, how often, and what to do with it. */
struct spif_rule {
	const char	*name;
	unsigned	 min, max;	/* max 0: SPIF_MAX_CATEGORIES */
	int		(*fn)(struct spif_ctx *, xmlNode *, void *);
};

/* ------------------------------------------------------------------ */
/* Values. */


/* An unqualified attribute's value, or NULL; -1 on a malformed value. */
static int
spif_attr(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, const char **out)
{
	if (xmldoc_attr(n, name, out) == -1)
		return spif_err(c, n, "attribute %s: entity reference "
		    "not allowed", name);
	if (*out == NULL && required)
		return spif_err(c, n, "missing attribute %s", name);
	return 0;
}

/* Has an xml:lang attribute: a translation, not used for markings. */
static bool
spif_has_lang(const xmlNode *n)
{
	const xmlAttr	*a;

	for (a = n->properties; a != NULL; a = a->next)
		if (a->ns != NULL && strcmp((const char *)a->name, "lang") == 0)
			return true;
	return false;
}

static int
spif_attr_str(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, const char **out)
{
	if (spif_attr(c, n, name, required, out) == -1)
		return -1;
	if (*out != NULL && strlen(*out) > SPIF_MAX_NAME)
		return spif_err(c, n, "attribute %s longer than %d", name,
		    SPIF_MAX_NAME);
	return 0;
}

static int
spif_attr_oid(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, const char **out)
{
	if (spif_attr(c, n, name, required, out) == -1)
		return -1;
	if (*out != NULL && !xmldoc_oid_ok(*out, SPIF_MAX_OID))
		return spif_err(c, n, "attribute %s: \"%.64s\" is not an OID",
		    name, *out);
	return 0;
}

/* xs:integer after whitespace collapse; -1 when not one or out of range. */
static int
spif_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	const char	*p = s;
	bool		 neg = false;
	uint64_t	 v = 0, lim;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (!xmldoc_blank(p))
		return -1;
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return *out < min || *out > max ? -1 : 0;
}

static int
spif_attr_int(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, int64_t min, int64_t max, bool *present, int64_t *out)
{
	const char	*v;

	*present = false;
	if (spif_attr(c, n, name, required, &v) == -1)
		return -1;
	if (v == NULL)
		return 0;
	if (spif_int(v, min, max, out) == -1)
		return spif_err(c, n, "attribute %s: \"%.64s\" is not an "
		    "integer in %lld..%lld", name, v, (long long)min,
		    (long long)max);
	*present = true;
	return 0;
}

static int
spif_attr_lacv(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, bool *present, uint32_t *out)
{
	int64_t	v;

	if (spif_attr_int(c, n, name, required, 0, UINT32_MAX, present,
	    &v) == -1)
		return -1;
	if (*present)
		*out = (uint32_t)v;
	return 0;
}

static int
spif_attr_bool(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool *out)
{
	const char	*v;

	if (spif_attr(c, n, name, false, &v) == -1 || v == NULL)
		return c->e.failed ? -1 : 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return spif_err(c, n, "attribute %s: \"%.64s\" is not a "
		    "boolean", name, v);
	return 0;
}

/* Index of v in the NULL-terminated words, -1 absent, -2 on error. */
static int
spif_attr_enum(struct spif_ctx *c, const xmlNode *n, const char *name,
    bool required, const char *const *words)
{
	const char	*v;
	int		 i;

	if (spif_attr(c, n, name, required, &v) == -1)
		return -2;
	if (v == NULL)
		return -1;
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(v, words[i]) == 0)
			return i;
	spif_err(c, n, "attribute %s: \"%.64s\" is not allowed", name, v);
	return -2;
}

static const char *const spif_tagtype_words[] = { "restrictive",
    "enumerated", "permissive", "tagType7", "notApplicable", NULL };
static const char *const spif_enumtype_words[] = { "restrictive",
    "permissive", NULL };
static const char *const spif_applied_words[] = { "encrypt", "decrypt",
    "both", NULL };

/*
 * @tagType with @enumType as one enum spif_tagtype.  need_enum: an
 * enumerated type must say which (securityCategoryTag).
 */
static int
spif_attr_tagtype(struct spif_ctx *c, const xmlNode *n, bool need_enum,
    enum spif_tagtype *out)
{
	int	t, e;

	if ((t = spif_attr_enum(c, n, "tagType", true, spif_tagtype_words)) < 0)
		return -1;
	if ((e = spif_attr_enum(c, n, "enumType", false,
	    spif_enumtype_words)) == -2)
		return -1;
	switch (t) {
	case 0:
		*out = SPIF_TAG_RESTRICTIVE;
		break;
	case 1:
		if (e == -1 && need_enum)
			return spif_err(c, n, "tagType enumerated without "
			    "enumType");
		*out = e == -1 ? SPIF_TAG_ENUMERATED : e == 0 ?
		    SPIF_TAG_ENUM_RESTRICTIVE : SPIF_TAG_ENUM_PERMISSIVE;
		break;
	case 2:
		*out = SPIF_TAG_PERMISSIVE;
		break;
	case 3:
		*out = SPIF_TAG_INFORMATIVE;
		break;
	default:
		*out = SPIF_TAG_NOT_APPLICABLE;
		break;
	}
	return 0;
}

static int
spif_attr_applied(struct spif_ctx *c, const xmlNode *n, unsigned *out)
{
	int	a;

	if ((a = spif_attr_enum(c, n, "applied", true,
	    spif_applied_words)) < 0)
		return -1;
	*out = a == 0 ? SPIF_APPLIED_ENCRYPT : a == 1 ? SPIF_APPLIED_DECRYPT :
	    SPIF_APPLIED_BOTH;
	return 0;
}

/* Text content of a simple element: text only, at most max bytes. */
static int
spif_text(struct spif_ctx *c, const xmlNode *n, const char **out)
{
	const xmlNode	*k;

	*out = "";
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_COMMENT_NODE || k->type == XML_PI_NODE)
			continue;
		if (k->type != XML_TEXT_NODE || (*out)[0] != '\0')
			return spif_err(c, n, "text content expected");
		*out = (const char *)k->content;
	}
	if (strlen(*out) > SPIF_MAX_NAME)
		return spif_err(c, n, "text longer than %d", SPIF_MAX_NAME);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The sequence walker. */

static int
spif_children(struct spif_ctx *c, xmlNode *parent,
    const struct spif_rule *r, size_t nr, void *arg)
{
	xmlNode		*n;
	unsigned	 count[16] = { 0 }, max;
	size_t		 pos = 0, i;

	for (n = parent->children; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_COMMENT_NODE:
		case XML_PI_NODE:
			continue;
		case XML_TEXT_NODE:
			if (!xmldoc_blank((const char *)n->content))
				return spif_err(c, parent, "text not allowed "
				    "here");
			continue;
		case XML_ELEMENT_NODE:
			break;
		default:
			return spif_err(c, parent, "unexpected node type %d",
			    (int)n->type);
		}
		if (!xmldoc_in_ns(n, SPIF_NS))
			return spif_err(c, n, "element not in the SPIF "
			    "namespace (in %s)", (const char *)parent->name);
		for (i = 0; i < nr; i++)
			if (strcmp((const char *)n->name, r[i].name) == 0)
				break;
		if (i == nr)
			return spif_err(c, n, "unknown element in %s",
			    (const char *)parent->name);
		if (i < pos)
			return spif_err(c, n, "out of order: must come before "
			    "%s", r[pos].name);
		pos = i;
		max = r[i].max != 0 ? r[i].max : SPIF_MAX_CATEGORIES;
		if (++count[i] > max)
			return spif_err(c, n, "more than %u in %s", max,
			    (const char *)parent->name);
		if (r[i].fn != NULL && r[i].fn(c, n, arg) == -1)
			return -1;
	}
	for (i = 0; i < nr; i++)
		if (count[i] < r[i].min)
			return spif_err(c, parent, "missing %s", r[i].name);
	return 0;
}

#define NRULES(r)	(sizeof(r) / sizeof((r)[0]))

/* ------------------------------------------------------------------ */
/* Marking. */

static const char *const spif_marking_codes[] = { "pageTop", "pageBottom",
    "pageTopBottom", "documentStart", "documentEnd", "noNameDisplay",
    "noMarkingDisplay", "suppressClassName", "firstLineOfText",
    "lastLineOfText", "subject", "xHeader", "portionMarking", "inputTitle",
    "waterMark", "replacePolicy", NULL };

static int
spif_code(struct spif_ctx *c, xmlNode *n, void *arg)
{
	const char	*t;
	size_t		 i;

	(void)arg;
	if (spif_text(c, n, &t) == -1)
		return -1;
	for (i = 0; spif_marking_codes[i] != NULL; i++)
		if (strcmp(t, spif_marking_codes[i]) == 0)
			return 0;
	return spif_err(c, n, "\"%.64s\" is not a marking code", t);
}

/* arg: char ** to receive the first phrase without xml:lang, or NULL. */
static int
spif_marking_data(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "code", 1, 0, spif_code },
	};
	char		**phrase = arg;
	const char	 *p;

	if (spif_attr_str(c, n, "phrase", false, &p) == -1 ||
	    spif_children(c, n, rules, NRULES(rules), NULL) == -1)
		return -1;
	if (phrase != NULL && *phrase == NULL && p != NULL &&
	    !spif_has_lang(n))
		*phrase = xstrdup(p);
	return 0;
}

static int
spif_qualifier(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const char *const codes[] = { "prefix", "suffix", "separator",
	    NULL };
	struct spif_tag	*t = arg;
	const char	*q;
	char		**slot;
	int		 code;

	if (spif_attr_str(c, n, "markingQualifier", true, &q) == -1 ||
	    (code = spif_attr_enum(c, n, "qualifierCode", true, codes)) < 0 ||
	    spif_children(c, n, NULL, 0, NULL) == -1)
		return -1;
	if (t == NULL || spif_has_lang(n))
		return 0;
	slot = code == 0 ? &t->prefix : code == 1 ? &t->suffix :
	    &t->separator;
	if (*slot == NULL)
		*slot = xstrdup(q);
	return 0;
}

/* arg: the struct spif_tag whose qualifiers these are, or NULL. */
static int
spif_marking_qualifier(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "qualifier", 1, 0, spif_qualifier },
	};

	if (spif_attr_enum(c, n, "markingCode", false,
	    spif_marking_codes) == -2)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), arg);
}

/* ------------------------------------------------------------------ */
/* Category references and equivalences. */

/* Lists that grow as children are read. */
struct spif_reqs {
	struct spif_required	**v;
	size_t			 *n;
};

struct spif_refs {
	struct spif_catref	**v;
	size_t			 *n;
};

static int
spif_catref(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_refs	*l = arg;
	struct spif_catref	*r;
	const char		*name;
	enum spif_tagtype	 type;
	bool			 has;
	uint32_t		 lacv = 0;
	bool			 all = false;

	if (spif_attr_str(c, n, "tagSetRef", true, &name) == -1 ||
	    spif_attr_tagtype(c, n, false, &type) == -1 ||
	    spif_attr_lacv(c, n, "lacv", false, &has, &lacv) == -1 ||
	    spif_attr_bool(c, n, "all", &all) == -1 ||
	    spif_children(c, n, NULL, 0, NULL) == -1)
		return -1;
	if (*l->n >= SPIF_MAX_REFS)
		return spif_err(c, n, "more than %d", SPIF_MAX_REFS);
	*l->v = xreallocarray(*l->v, *l->n + 1, sizeof(**l->v));
	r = &(*l->v)[(*l->n)++];
	memset(r, 0, sizeof(*r));
	r->tagset_name = xstrdup(name);
	r->line = xmlGetLineNo(n);
	r->type = type;
	r->has_lacv = has;
	r->lacv = lacv;
	r->all = all;
	return 0;
}

static int
spif_required_category(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const char *const ops[] = { "onlyOne", "oneOrMore", "all",
	    NULL };
	static const struct spif_rule rules[] = {
		{ "categoryGroup", 1, SPIF_MAX_REFS, spif_catref },
	};
	struct spif_reqs	*l = arg;
	struct spif_required	*r;
	struct spif_refs	 refs;
	int			 op;

	if ((op = spif_attr_enum(c, n, "operation", false, ops)) == -2)
		return -1;
	if (*l->n >= SPIF_MAX_REFS)
		return spif_err(c, n, "more than %d", SPIF_MAX_REFS);
	*l->v = xreallocarray(*l->v, *l->n + 1, sizeof(**l->v));
	r = &(*l->v)[(*l->n)++];
	memset(r, 0, sizeof(*r));
	r->op = op == 0 ? SPIF_OP_ONLY_ONE : op == 1 ? SPIF_OP_ONE_OR_MORE :
	    SPIF_OP_ALL;
	refs.v = &r->groups;
	refs.n = &r->ngroups;
	return spif_children(c, n, rules, NRULES(rules), &refs);
}

static void
spif_required_free(struct spif_required *r, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < r[i].ngroups; j++)
			free(r[i].groups[j].tagset_name);
		free(r[i].groups);
	}
	free(r);
}

/* requiredCategory children that the model does not keep. */
static int
spif_required_discard(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_required	*v = NULL;
	size_t			 nv = 0;
	struct spif_reqs	 l = { &v, &nv };
	int			 rc;

	(void)arg;
	rc = spif_required_category(c, n, &l);
	spif_required_free(v, nv);
	return rc;
}

static int
spif_equiv_class(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "requiredCategory", 0, SPIF_MAX_REFS, spif_required_discard },
	};
	struct spif_class	*cl = arg;
	struct spif_equiv_class	*e;
	const char		*ref;
	bool			 has;
	int64_t			 lacv;
	unsigned		 applied;

	if (spif_attr_str(c, n, "policyRef", true, &ref) == -1 ||
	    spif_attr_int(c, n, "lacv", true, INT64_MIN, INT64_MAX, &has,
	    &lacv) == -1 || spif_attr_applied(c, n, &applied) == -1 ||
	    spif_children(c, n, rules, NRULES(rules), NULL) == -1)
		return -1;
	if (cl->nequivs >= SPIF_MAX_REFS)
		return spif_err(c, n, "more than %d", SPIF_MAX_REFS);
	cl->equivs = xreallocarray(cl->equivs, cl->nequivs + 1,
	    sizeof(*cl->equivs));
	e = &cl->equivs[cl->nequivs++];
	memset(e, 0, sizeof(*e));
	e->policy_name = xstrdup(ref);
	e->line = xmlGetLineNo(n);
	e->lacv = lacv;
	e->applied = applied;
	return 0;
}

static int
spif_equiv_cat(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const char *const actions[] = { "discard", NULL };
	struct spif_category	*cat = arg;
	struct spif_equiv_cat	*e;
	const char		*ref, *tagset;
	enum spif_tagtype	 type;
	bool			 has;
	uint32_t		 lacv = 0;
	unsigned		 applied;
	int			 action;

	if (spif_attr_str(c, n, "policyRef", true, &ref) == -1 ||
	    spif_attr_oid(c, n, "tagSetId", true, &tagset) == -1 ||
	    spif_attr_tagtype(c, n, true, &type) == -1 ||
	    spif_attr_lacv(c, n, "lacv", true, &has, &lacv) == -1 ||
	    spif_attr_applied(c, n, &applied) == -1 ||
	    (action = spif_attr_enum(c, n, "action", false, actions)) == -2 ||
	    spif_children(c, n, NULL, 0, NULL) == -1)
		return -1;
	if (cat->nequivs >= SPIF_MAX_REFS)
		return spif_err(c, n, "more than %d", SPIF_MAX_REFS);
	cat->equivs = xreallocarray(cat->equivs, cat->nequivs + 1,
	    sizeof(*cat->equivs));
	e = &cat->equivs[cat->nequivs++];
	memset(e, 0, sizeof(*e));
	e->policy_name = xstrdup(ref);
	e->line = xmlGetLineNo(n);
	e->tagset = xstrdup(tagset);
	e->type = type;
	e->lacv = lacv;
	e->applied = applied;
	e->discard = action == 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Classifications. */

static int
spif_class_required(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_class	*cl = arg;
	struct spif_reqs	 l = { &cl->required, &cl->nrequired };

	return spif_required_category(c, n, &l);
}

static int
spif_class_marking(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_class	*cl = arg;

	return spif_marking_data(c, n, &cl->phrase);
}

static int
spif_qualifier_discard(struct spif_ctx *c, xmlNode *n, void *arg)
{
	(void)arg;
	return spif_marking_qualifier(c, n, NULL);
}

static int
spif_marking_discard(struct spif_ctx *c, xmlNode *n, void *arg)
{
	(void)arg;
	return spif_marking_data(c, n, NULL);
}

static int
spif_classification(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "equivalentClassification", 0, SPIF_MAX_REFS,
		    spif_equiv_class },
		{ "markingData", 0, SPIF_MAX_REFS, spif_class_marking },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
		{ "requiredCategory", 0, SPIF_MAX_REFS, spif_class_required },
	};
	struct spif		*s = c->s;
	struct spif_class	*cl;
	const char		*name;
	bool			 has, obsolete = false;
	int64_t			 lacv, hier;
	size_t			 i;

	(void)arg;
	if (spif_attr_str(c, n, "name", true, &name) == -1 ||
	    spif_attr_int(c, n, "lacv", true, INT64_MIN + 1, INT64_MAX, &has,
	    &lacv) == -1 ||
	    spif_attr_int(c, n, "hierarchy", true, INT64_MIN, INT64_MAX, &has,
	    &hier) == -1 || spif_attr_bool(c, n, "obsolete", &obsolete) == -1)
		return -1;
	if (s->nclasses >= SPIF_MAX_CLASSES)
		return spif_err(c, n, "more than %d classifications",
		    SPIF_MAX_CLASSES);
	for (i = 0; i < s->nclasses; i++) {
		if (strcmp(s->classes[i].name, name) == 0)
			return spif_err(c, n, "name \"%s\" not unique", name);
		if (s->classes[i].lacv == lacv)
			return spif_err(c, n, "lacv %lld not unique",
			    (long long)lacv);
	}
	s->classes = xreallocarray(s->classes, s->nclasses + 1,
	    sizeof(*s->classes));
	cl = &s->classes[s->nclasses++];
	memset(cl, 0, sizeof(*cl));
	cl->name = xstrdup(name);
	cl->lacv = lacv;
	cl->hierarchy = hier;
	cl->obsolete = obsolete;
	return spif_children(c, n, rules, NRULES(rules), cl);
}

static int
spif_classifications(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "securityClassification", 1, SPIF_MAX_CLASSES,
		    spif_classification },
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_discard },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
	};
	const char	*name;

	if (spif_attr(c, n, "name", false, &name) == -1)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), arg);
}

/* ------------------------------------------------------------------ */
/* Tag sets. */

static int
spif_excluded_class(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_category	*cat = arg;
	const struct spif_class	*cl;
	const char		*t;

	if (spif_text(c, n, &t) == -1)
		return -1;
	if ((cl = spif_class_by_name(c->s, t)) == NULL)
		return spif_err(c, n, "no classification \"%.64s\"", t);
	if (cat->nexcluded_class >= SPIF_MAX_CLASSES)
		return spif_err(c, n, "more than %d", SPIF_MAX_CLASSES);
	cat->excluded_class = xreallocarray(cat->excluded_class,
	    cat->nexcluded_class + 1, sizeof(*cat->excluded_class));
	cat->excluded_class[cat->nexcluded_class++] = cl->lacv;
	return 0;
}

static int
spif_cat_marking(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_category	*cat = arg;

	return spif_marking_data(c, n, &cat->phrase);
}

static int
spif_cat_required(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_category	*cat = arg;
	struct spif_reqs	 l = { &cat->required, &cat->nrequired };

	return spif_required_category(c, n, &l);
}

static int
spif_cat_excluded(struct spif_ctx *c, xmlNode *n, void *arg)
{
	struct spif_category	*cat = arg;
	struct spif_refs	 l = { &cat->excluded, &cat->nexcluded };

	return spif_catref(c, n, &l);
}

static int
spif_tag_category(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const char *const inputs[] = { "string", "integer", "date",
	    NULL };
	static const struct spif_rule rules[] = {
		{ "equivalentSecCategoryTag", 0, SPIF_MAX_REFS,
		    spif_equiv_cat },
		{ "markingData", 0, SPIF_MAX_REFS, spif_cat_marking },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
		{ "excludedClass", 0, SPIF_MAX_CLASSES, spif_excluded_class },
		{ "requiredCategory", 0, SPIF_MAX_REFS, spif_cat_required },
		{ "excludedCategory", 0, SPIF_MAX_REFS, spif_cat_excluded },
	};
	struct spif_tag		*t = arg;
	struct spif_category	*cat;
	const struct spif_class	*cl = NULL;
	const char		*name, *rc;
	bool			 has, obsolete = false;
	uint32_t		 lacv = 0;

	if (spif_attr(c, n, "name", true, &name) == -1 ||
	    spif_attr_lacv(c, n, "lacv", true, &has, &lacv) == -1 ||
	    spif_attr_enum(c, n, "userInput", false, inputs) == -2 ||
	    spif_attr_str(c, n, "requiredClass", false, &rc) == -1 ||
	    spif_attr_bool(c, n, "obsolete", &obsolete) == -1)
		return -1;
	if (strlen(name) > SPIF_MAX_NAME)
		return spif_err(c, n, "attribute name longer than %d",
		    SPIF_MAX_NAME);
	if (rc != NULL && (cl = spif_class_by_name(c->s, rc)) == NULL)
		return spif_err(c, n, "requiredClass: no classification "
		    "\"%.64s\"", rc);
	if (t->ncats >= SPIF_MAX_CATEGORIES)
		return spif_err(c, n, "more than %d categories",
		    SPIF_MAX_CATEGORIES);
	t->cats = xreallocarray(t->cats, t->ncats + 1, sizeof(*t->cats));
	cat = &t->cats[t->ncats++];
	memset(cat, 0, sizeof(*cat));
	cat->name = xstrdup(name);
	cat->lacv = lacv;
	cat->line = xmlGetLineNo(n);
	cat->obsolete = obsolete;
	cat->required_class = cl != NULL ? cl->lacv : INT64_MIN;
	return spif_children(c, n, rules, NRULES(rules), cat);
}

static int
spif_cat_cmp(const void *a, const void *b)
{
	const struct spif_category *x = a, *y = b;

	if (x->lacv != y->lacv)
		return x->lacv < y->lacv ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static void
spif_category_free(struct spif_category *cat)
{
	size_t	i;

	free(cat->name);
	free(cat->phrase);
	free(cat->excluded_class);
	spif_required_free(cat->required, cat->nrequired);
	for (i = 0; i < cat->nexcluded; i++)
		free(cat->excluded[i].tagset_name);
	free(cat->excluded);
	for (i = 0; i < cat->nequivs; i++) {
		free(cat->equivs[i].policy_name);
		free(cat->equivs[i].tagset);
	}
	free(cat->equivs);
}

static void
spif_tag_free(struct spif_tag *t)
{
	size_t	k;

	for (k = 0; k < t->ncats; k++)
		spif_category_free(&t->cats[k]);
	free(t->cats);
	free(t->name);
	free(t->prefix);
	free(t->separator);
	free(t->suffix);
}

static int
spif_tag(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const char *const enc[] = { "bitSetAttributes",
	    "securityAttributes", NULL };
	static const struct spif_rule rules[] = {
		{ "tagCategory", 0, SPIF_MAX_CATEGORIES, spif_tag_category },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_marking_qualifier },
	};
	struct spif_tagset	*ts = arg;
	struct spif_tag		*t, nt;
	const char		*name, *sel;
	enum spif_tagtype	 type;
	bool			 single = false;
	int64_t			 v;
	size_t			 i;
	int			 t7;
	const char		*selattr[] = { "maxSelection", "minSelection" };

	if (spif_attr_str(c, n, "name", false, &name) == -1 ||
	    spif_attr_tagtype(c, n, true, &type) == -1 ||
	    (t7 = spif_attr_enum(c, n, "tag7Encoding", false, enc)) == -2 ||
	    spif_attr_bool(c, n, "singleSelection", &single) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (spif_attr(c, n, selattr[i], false, &sel) == -1)
			return -1;
		if (sel != NULL && strcmp(sel, "unbounded") != 0 &&
		    spif_int(sel, INT64_MIN, INT64_MAX, &v) == -1)
			return spif_err(c, n, "attribute %s: \"%.64s\" is not "
			    "a selection", selattr[i], sel);
	}
	memset(&nt, 0, sizeof(nt));
	nt.name = name != NULL ? xstrdup(name) : NULL;
	nt.type = type;
	nt.single = single;
	nt.bitset = t7 == 0;
	if (spif_children(c, n, rules, NRULES(rules), &nt) == -1) {
		spif_tag_free(&nt);
		return -1;
	}
	/*
	 * Tags of one type in one tag set (the NATO sample has two
	 * restrictive ones) are merged: a label names a tag set and a type,
	 * not a tag.  The merged tag is single-selection only when all were.
	 */
	for (i = 0; i < ts->ntags; i++)
		if (ts->tags[i].type == type)
			break;
	if (i == ts->ntags) {
		if (ts->ntags >= SPIF_MAX_TAGS) {
			spif_tag_free(&nt);
			return spif_err(c, n, "more than %d tags",
			    SPIF_MAX_TAGS);
		}
		ts->tags = xreallocarray(ts->tags, ts->ntags + 1,
		    sizeof(*ts->tags));
		ts->tags[ts->ntags++] = nt;
		t = &ts->tags[i];
	} else {
		t = &ts->tags[i];
		if (t->ncats + nt.ncats > SPIF_MAX_CATEGORIES) {
			spif_tag_free(&nt);
			return spif_err(c, n, "more than %d categories",
			    SPIF_MAX_CATEGORIES);
		}
		t->single = t->single && nt.single;
		t->cats = xreallocarray(t->cats, t->ncats + nt.ncats,
		    sizeof(*t->cats));
		if (nt.ncats > 0)
			memcpy(t->cats + t->ncats, nt.cats,
			    nt.ncats * sizeof(*nt.cats));
		t->ncats += nt.ncats;
		nt.ncats = 0;
		spif_tag_free(&nt);
	}
	if (t->ncats > 1)	/* an empty array may be NULL: not for qsort */
		qsort(t->cats, t->ncats, sizeof(*t->cats), spif_cat_cmp);
	for (i = 1; i < t->ncats; i++)
		if (t->cats[i].lacv == t->cats[i - 1].lacv)
			return spif_errline(c, t->cats[i].line, "tagCategory",
			    "lacv %u not unique in tag set %s (%s)",
			    t->cats[i].lacv, ts->name, spif_tagtype_name(type));
	return 0;
}

static int
spif_equiv_tagset(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "requiredCategory", 0, SPIF_MAX_REFS, spif_required_discard },
	};
	const char	*v;

	(void)arg;
	if (spif_attr_str(c, n, "policyRef", true, &v) == -1 ||
	    spif_attr_str(c, n, "name", false, &v) == -1 ||
	    spif_attr_oid(c, n, "id", false, &v) == -1)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), NULL);
}

static int
spif_tagset(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "securityCategoryTag", 1, SPIF_MAX_TAGS, spif_tag },
		{ "equivalentSecurityCategoryTagSet", 0, SPIF_MAX_REFS,
		    spif_equiv_tagset },
	};
	struct spif		*s = c->s;
	struct spif_tagset	*ts;
	const char		*name, *id;
	size_t			 i;

	(void)arg;
	if (spif_attr_str(c, n, "name", true, &name) == -1 ||
	    spif_attr_oid(c, n, "id", true, &id) == -1)
		return -1;
	for (i = 0; i < s->ntagsets; i++) {
		if (strcmp(s->tagsets[i].name, name) == 0)
			return spif_err(c, n, "name \"%s\" not unique", name);
		if (strcmp(s->tagsets[i].id, id) == 0)
			return spif_err(c, n, "id %s not unique", id);
	}
	if (s->ntagsets >= SPIF_MAX_TAGSETS)
		return spif_err(c, n, "more than %d tag sets",
		    SPIF_MAX_TAGSETS);
	s->tagsets = xreallocarray(s->tagsets, s->ntagsets + 1,
	    sizeof(*s->tagsets));
	ts = &s->tagsets[s->ntagsets++];
	memset(ts, 0, sizeof(*ts));
	ts->name = xstrdup(name);
	ts->id = xstrdup(id);
	return spif_children(c, n, rules, NRULES(rules), ts);
}

static int
spif_tagsets(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "securityCategoryTagSet", 1, SPIF_MAX_TAGSETS, spif_tagset },
	};

	return spif_children(c, n, rules, NRULES(rules), arg);
}

/* ------------------------------------------------------------------ */
/* Policies, privacy marks, extensions. */

static int
spif_add_policy(struct spif_ctx *c, xmlNode *n, const char *name,
    const char *id)
{
	struct spif	*s = c->s;
	size_t		 i;

	for (i = 0; i < s->npolicies; i++) {
		if (strcmp(s->policies[i].name, name) == 0)
			return spif_err(c, n, "policy name \"%s\" not unique",
			    name);
		if (strcmp(s->policies[i].id, id) == 0)
			return spif_err(c, n, "policy id %s not unique", id);
	}
	if (s->npolicies >= SPIF_MAX_POLICIES)
		return spif_err(c, n, "more than %d policies",
		    SPIF_MAX_POLICIES);
	s->policies = xreallocarray(s->policies, s->npolicies + 1,
	    sizeof(*s->policies));
	s->policies[s->npolicies].name = xstrdup(name);
	s->policies[s->npolicies++].id = xstrdup(id);
	return 0;
}

/* securityPolicyId (main) or defaultSecurityPolicyId. */
static int
spif_object_id(struct spif_ctx *c, xmlNode *n, bool is_main)
{
	static const struct spif_rule rules[] = {
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_data },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
	};
	static const struct spif_rule drules[] = {
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_discard },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
	};
	struct spif	*s = c->s;
	const char	*name, *id;

	if (spif_attr_str(c, n, "name", true, &name) == -1 ||
	    spif_attr_oid(c, n, "id", true, &id) == -1)
		return -1;
	if (!is_main) {
		if (spif_add_policy(c, n, name, id) == -1)
			return -1;
		return spif_children(c, n, drules, NRULES(drules), NULL);
	}
	s->name = xstrdup(name);
	s->id = xstrdup(id);
	return spif_children(c, n, rules, NRULES(rules), &s->phrase);
}

static int
spif_policy_main(struct spif_ctx *c, xmlNode *n, void *arg)
{
	(void)arg;
	return spif_object_id(c, n, true);
}

static int
spif_policy_default(struct spif_ctx *c, xmlNode *n, void *arg)
{
	(void)arg;
	return spif_object_id(c, n, false);
}

static int
spif_equiv_policy(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "requiredCategory", 0, SPIF_MAX_REFS, spif_required_discard },
	};
	const char	*name, *id, *uri;

	(void)arg;
	if (spif_attr_str(c, n, "name", true, &name) == -1 ||
	    spif_attr_oid(c, n, "id", true, &id) == -1 ||
	    spif_attr(c, n, "userRefURI", false, &uri) == -1 ||
	    spif_attr(c, n, "docRefURI", false, &uri) == -1 ||
	    spif_add_policy(c, n, name, id) == -1)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), NULL);
}

static int
spif_equiv_policies(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "equivalentPolicy", 1, SPIF_MAX_POLICIES, spif_equiv_policy },
	};

	return spif_children(c, n, rules, NRULES(rules), arg);
}

static int
spif_selection(struct spif_ctx *c, const xmlNode *n)
{
	const char	*attrs[] = { "maxSelection", "minSelection" }, *v;
	int64_t		 x;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		if (spif_attr(c, n, attrs[i], false, &v) == -1)
			return -1;
		if (v != NULL && strcmp(v, "unbounded") != 0 &&
		    spif_int(v, INT64_MIN, INT64_MAX, &x) == -1)
			return spif_err(c, n, "attribute %s: \"%.64s\" is not "
			    "a selection", attrs[i], v);
	}
	return 0;
}

static int
spif_privacy_mark(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_discard },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
	};
	bool	 obsolete;

	if (spif_attr_bool(c, n, "obsolete", &obsolete) == -1)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), arg);
}

static int
spif_privacy_marks(struct spif_ctx *c, xmlNode *n, void *arg)
{
	static const struct spif_rule rules[] = {
		{ "privacyMark", 1, SPIF_MAX_REFS, spif_privacy_mark },
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_discard },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
	};

	if (spif_selection(c, n) == -1)
		return -1;
	return spif_children(c, n, rules, NRULES(rules), arg);
}

/* Foreign content is ignored; SPIF elements have no place here. */
static int
spif_extensions(struct spif_ctx *c, xmlNode *n, void *arg)
{
	xmlNode	*k;

	(void)arg;
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_TEXT_NODE &&
		    !xmldoc_blank((const char *)k->content))
			return spif_err(c, n, "text not allowed here");
		if (k->type == XML_ELEMENT_NODE && xmldoc_in_ns(k, SPIF_NS))
			return spif_err(c, k, "unknown element in extensions");
	}
	return 0;
}

static int
spif_empty(struct spif_ctx *c, xmlNode *n, void *arg)
{
	(void)arg;
	return spif_children(c, n, NULL, 0, NULL);
}

static int
spif_root(struct spif_ctx *c, xmlNode *n)
{
	static const char *const versions[] = { "1.0", "2.0", "2.1", NULL };
	static const struct spif_rule rules[] = {
		{ "defaultSecurityPolicyId", 0, 1, spif_policy_default },
		{ "securityPolicyId", 1, 1, spif_policy_main },
		{ "updateInfo", 0, 1, spif_empty },
		{ "securityClassifications", 1, 1, spif_classifications },
		{ "securityCategoryTagSets", 0, 1, spif_tagsets },
		{ "privacyMarks", 0, 1, spif_privacy_marks },
		{ "equivalentPolicies", 0, 1, spif_equiv_policies },
		{ "markingData", 0, SPIF_MAX_REFS, spif_marking_discard },
		{ "markingQualifier", 0, SPIF_MAX_REFS, spif_qualifier_discard },
		{ "extensions", 0, 1, spif_extensions },
	};
	const char	*v;
	int		 ver;
	bool		 has;
	int64_t		 x;

	if (!xmldoc_in_ns(n, SPIF_NS) ||
	    strcmp((const char *)n->name, "SPIF") != 0)
		return spif_err(c, n, "root element is not SPIF in namespace "
		    SPIF_NS);
	if ((ver = spif_attr_enum(c, n, "schemaVersion", true, versions)) < 0 ||
	    spif_attr_int(c, n, "version", false, INT64_MIN, INT64_MAX, &has,
	    &x) == -1 ||
	    spif_attr_str(c, n, "creationDate", true, &v) == -1 ||
	    spif_attr(c, n, "originatorDN", true, &v) == -1 ||
	    spif_attr(c, n, "keyIdentifier", true, &v) == -1 ||
	    spif_attr_oid(c, n, "privilegeId", true, &v) == -1 ||
	    spif_attr_oid(c, n, "rbacId", true, &v) == -1)
		return -1;
	c->s->schema_version = xstrdup(versions[ver]);
	return spif_children(c, n, rules, NRULES(rules), NULL);
}

/* ------------------------------------------------------------------ */
/* References by name, resolved once the whole document is read. */

static int
spif_resolve_refs(struct spif_ctx *c, struct spif_catref *r, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < c->s->ntagsets; j++)
			if (strcmp(c->s->tagsets[j].name, r[i].tagset_name) ==
			    0)
				break;
		if (j == c->s->ntagsets)
			return spif_errline(c, r[i].line, "categoryGroup",
			    "tagSetRef \"%s\": no such tag set",
			    r[i].tagset_name);
		r[i].tagset = j;
	}
	return 0;
}

static int
spif_resolve_reqs(struct spif_ctx *c, struct spif_required *r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (spif_resolve_refs(c, r[i].groups, r[i].ngroups) == -1)
			return -1;
	return 0;
}

static int
spif_resolve(struct spif_ctx *c)
{
	struct spif		*s = c->s;
	struct spif_category	*cat;
	size_t			 i, j, k, e;

	for (i = 0; i < s->nclasses; i++) {
		if (spif_resolve_reqs(c, s->classes[i].required,
		    s->classes[i].nrequired) == -1)
			return -1;
		for (e = 0; e < s->classes[i].nequivs; e++) {
			struct spif_equiv_class *q = &s->classes[i].equivs[e];

			if ((q->policy = spif_policy_id(s, q->policy_name)) ==
			    NULL)
				return spif_errline(c, q->line,
				    "equivalentClassification", "policyRef "
				    "\"%s\": no such policy", q->policy_name);
		}
	}
	for (i = 0; i < s->ntagsets; i++)
		for (j = 0; j < s->tagsets[i].ntags; j++)
			for (k = 0; k < s->tagsets[i].tags[j].ncats; k++) {
				cat = &s->tagsets[i].tags[j].cats[k];
				if (spif_resolve_reqs(c, cat->required,
				    cat->nrequired) == -1 ||
				    spif_resolve_refs(c, cat->excluded,
				    cat->nexcluded) == -1)
					return -1;
				for (e = 0; e < cat->nequivs; e++) {
					struct spif_equiv_cat *q =
					    &cat->equivs[e];

					q->policy = spif_policy_id(s,
					    q->policy_name);
					if (q->policy == NULL)
						return spif_errline(c, q->line,
						    "equivalentSecCategoryTag",
						    "policyRef \"%s\": no such "
						    "policy", q->policy_name);
				}
			}
	return 0;
}

/* ------------------------------------------------------------------ */

struct spif *
spif_load(const char *file, const void *buf, size_t len, char *err,
    size_t errlen)
{
	struct spif_ctx		 c;
	xmlDoc			*doc;
	struct spif		*s;

	if ((doc = xmldoc_read(file, "SPIF", buf, len, SPIF_MAX_SIZE, err,
	    errlen)) == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	xmldoc_err_init(&c.e, file, err, errlen);
	c.s = s = xcalloc(1, sizeof(*s));
	s->file = xstrdup(file);
	if (spif_root(&c, xmlDocGetRootElement(doc)) == -1 ||
	    spif_resolve(&c) == -1) {
		xmlFreeDoc(doc);
		spif_free(s);
		return NULL;
	}
	xmlFreeDoc(doc);
	return s;
}

struct spif *
spif_load_file(const char *path, char *err, size_t errlen)
{
	struct spif	*s;
	char		*data;
	size_t		 len;

	if ((data = file_read(path, SPIF_MAX_SIZE, &len)) == NULL) {
		snprintf(err, errlen, "%s:0: SPIF: %s", path,
		    errno == EFBIG ? "larger than 8388608 bytes" :
		    strerror(errno));
		return NULL;
	}
	s = spif_load(path, data, len, err, errlen);
	free(data);
	return s;
}

void
spif_free(struct spif *s)
{
	size_t	i, j;

	if (s == NULL)
		return;
	for (i = 0; i < s->nclasses; i++) {
		free(s->classes[i].name);
		free(s->classes[i].phrase);
		for (j = 0; j < s->classes[i].nequivs; j++)
			free(s->classes[i].equivs[j].policy_name);
		free(s->classes[i].equivs);
		spif_required_free(s->classes[i].required,
		    s->classes[i].nrequired);
	}
	free(s->classes);
	for (i = 0; i < s->ntagsets; i++) {
		for (j = 0; j < s->tagsets[i].ntags; j++)
			spif_tag_free(&s->tagsets[i].tags[j]);
		free(s->tagsets[i].tags);
		free(s->tagsets[i].name);
		free(s->tagsets[i].id);
	}
	free(s->tagsets);
	for (i = 0; i < s->npolicies; i++) {
		free(s->policies[i].name);
		free(s->policies[i].id);
	}
	free(s->policies);
	free(s->file);
	free(s->schema_version);
	free(s->name);
	free(s->id);
	free(s->phrase);
	free(s);
}

/* ------------------------------------------------------------------ */
/* Lookups. */

const struct spif_class *
spif_class_by_lacv(const struct spif *s, int64_t lacv)
{
	size_t	i;

	for (i = 0; i < s->nclasses; i++)
		if (s->classes[i].lacv == lacv)
			return &s->classes[i];
	return NULL;
}

const struct spif_class *
spif_class_by_name(const struct spif *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->nclasses; i++)
		if (strcmp(s->classes[i].name, name) == 0)
			return &s->classes[i];
	return NULL;
}

const struct spif_tagset *
spif_tagset_by_id(const struct spif *s, const char *id)
{
	size_t	i;

	for (i = 0; i < s->ntagsets; i++)
		if (strcmp(s->tagsets[i].id, id) == 0)
			return &s->tagsets[i];
	return NULL;
}

const struct spif_tag *
spif_tag_by_type(const struct spif_tagset *ts, enum spif_tagtype type)
{
	size_t	i;

	for (i = 0; i < ts->ntags; i++)
		if (ts->tags[i].type == type)
			return &ts->tags[i];
	return NULL;
}

const struct spif_category *
spif_category(const struct spif_tag *t, uint32_t lacv)
{
	size_t	lo = 0, hi = t->ncats, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->cats[mid].lacv == lacv)
			return &t->cats[mid];
		if (t->cats[mid].lacv < lacv)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
spif_policy_id(const struct spif *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->npolicies; i++)
		if (strcmp(s->policies[i].name, name) == 0)
			return s->policies[i].id;
	return NULL;
}

const char *
spif_tagtype_name(enum spif_tagtype t)
{
	switch (t) {
	case SPIF_TAG_RESTRICTIVE:
		return "restrictive";
	case SPIF_TAG_ENUM_RESTRICTIVE:
		return "enumerated restrictive";
	case SPIF_TAG_PERMISSIVE:
		return "permissive";
	case SPIF_TAG_ENUM_PERMISSIVE:
		return "enumerated permissive";
	case SPIF_TAG_INFORMATIVE:
		return "tagType7";
	case SPIF_TAG_NOT_APPLICABLE:
		return "notApplicable";
	case SPIF_TAG_ENUMERATED:
		return "enumerated";
	}
	return "?";
}
