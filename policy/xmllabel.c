/*
 * xmllabel.c - STANAG 4774 XML confidentiality labels (see xmllabel.h for
 * the grammar and the name rules): a strict walk over the tree libxml2
 * builds under xmldoc.h's locks, then conversions to and from ESS through
 * a compiled SPIF.  The first fault ends the work, with the line of the
 * element that caused it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "policy/label.h"
#include "policy/xmldoc.h"
#include "policy/xmllabel.h"

#define XL_MAX_BITS	4096	/* an SDN.801c bitmap's bits (as ess.c) */
#define XL_MAX_DER	(64u << 10)
#define XL_MAX_ESS_MARK	128	/* PrintableString privacy mark */

struct xl_ctx {
	struct xmldoc_err e;
	struct xmllabel	*l;
};

#define xl_errline(c, ...)	xmldoc_errline(&(c)->e, __VA_ARGS__)
#define xl_err(c, ...)		xmldoc_errnode(&(c)->e, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Text. */

static bool
xl_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/*
 * xs:token's collapse: runs of white space become one space, none at
 * either end.  -1 when the result would not fit in cap bytes with its NUL.
 */
static int
xl_collapse(const char *in, char *out, size_t cap)
{
	size_t	n = 0;
	bool	gap = false;

	for (; *in != '\0'; in++) {
		if (xl_space(*in)) {
			gap = n > 0;
			continue;
		}
		if (n + (gap ? 2 : 1) >= cap)
			return -1;
		if (gap)
			out[n++] = ' ';
		gap = false;
		out[n++] = *in;
	}
	out[n] = '\0';
	return 0;
}

static char
xl_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/*
 * A collapsed name from a label against a SPIF name (collapsed here), with
 * or without regard to ASCII case.  The C library's case folding follows
 * the locale; names are compared the same way wherever the guard runs.
 */
static bool
xl_same(const char *want, const char *spifname, bool fold)
{
	char	b[XMLLABEL_MAX_TEXT + 1];
	size_t	i;

	if (spifname == NULL || xl_collapse(spifname, b, sizeof(b)) == -1)
		return false;
	if (!fold)
		return strcmp(want, b) == 0;
	for (i = 0; want[i] != '\0' && b[i] != '\0'; i++)
		if (xl_lower(want[i]) != xl_lower(b[i]))
			return false;
	return want[i] == b[i];
}

/* Decimal digits only, below 2^32. */
static int
xl_lacv(const char *s, uint32_t *out)
{
	uint64_t	v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* n digits at *p, as a number; advances p.  -1 when not n digits. */
static int
xl_digits(const char **p, int n)
{
	int	v = 0;

	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

/*
 * xs:dateTime: -?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)?, fields in
 * range (24:00:00 allowed as the end of a day).
 */
static bool
xl_datetime_ok(const char *s)
{
	int	y, mo, d, h, mi, se, zh, zm;

	if (*s == '-')
		s++;
	if ((y = xl_digits(&s, 4)) < 0)
		return false;
	while (*s >= '0' && *s <= '9')
		s++;		/* years past 9999 */
	if (*s++ != '-' || (mo = xl_digits(&s, 2)) < 1 || mo > 12 ||
	    *s++ != '-' || (d = xl_digits(&s, 2)) < 1 || d > 31 ||
	    *s++ != 'T' || (h = xl_digits(&s, 2)) < 0 || h > 24 ||
	    *s++ != ':' || (mi = xl_digits(&s, 2)) < 0 || mi > 59 ||
	    *s++ != ':' || (se = xl_digits(&s, 2)) < 0 || se > 59)
		return false;
	(void)y;
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (h == 24 && (mi != 0 || se != 0))
		return false;
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		s++;
		if ((zh = xl_digits(&s, 2)) < 0 || zh > 14 || *s++ != ':' ||
		    (zm = xl_digits(&s, 2)) < 0 || zm > 59)
			return false;
	}
	return *s == '\0';
}

/* ------------------------------------------------------------------ */
/* The walk. */

/*
 * Text content of a simple element (text and CDATA; comments and
 * processing instructions skipped), at most max bytes, malloc'd; no child
 * elements.  The text is as written.
 */
static int
xl_content(struct xl_ctx *c, const xmlNode *n, size_t max, char **out)
{
	const xmlNode	*k;
	struct buf	 b;

	*out = NULL;
	buf_init(&b, max + 1);
	for (k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_COMMENT_NODE || k->type == XML_PI_NODE)
			continue;
		if (k->type != XML_TEXT_NODE &&
		    k->type != XML_CDATA_SECTION_NODE) {
			buf_free(&b);
			return xl_err(c, n, "text content expected (found %s)",
			    k->type == XML_ELEMENT_NODE ? "an element" :
			    "an entity reference");
		}
		if (k->content != NULL && buf_add(&b, k->content,
		    strlen((const char *)k->content)) == -1) {
			buf_free(&b);
			return xl_err(c, n, "text longer than %zu bytes", max);
		}
	}
	if (buf_add_byte(&b, 0) == -1) {
		buf_free(&b);
		return xl_err(c, n, "text longer than %zu bytes", max);
	}
	*out = xstrdup((const char *)b.data);
	buf_free(&b);
	return 0;
}

/* Content as an xs:token: collapsed, not empty, malloc'd. */
static int
xl_token(struct xl_ctx *c, const xmlNode *n, char **out)
{
	char	*raw, tok[XMLLABEL_MAX_TEXT + 1];

	*out = NULL;
	if (xl_content(c, n, 4 * XMLLABEL_MAX_TEXT, &raw) == -1)
		return -1;
	if (xl_collapse(raw, tok, sizeof(tok)) == -1) {
		free(raw);
		return xl_err(c, n, "longer than %d bytes", XMLLABEL_MAX_TEXT);
	}
	free(raw);
	if (tok[0] == '\0')
		return xl_err(c, n, "empty");
	*out = xstrdup(tok);
	return 0;
}

/*
 * Attributes: each unqualified one must be in names (NULL-terminated);
 * ones of the label's namespace are refused (its attributes are
 * unqualified); others (xsi:, xml:) are not the label's and are ignored.
 */
static int
xl_attrs_known(struct xl_ctx *c, const xmlNode *n, const char *const *names)
{
	const xmlAttr	*a;
	size_t		 i;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL && a->ns->href != NULL &&
		    strcmp((const char *)a->ns->href, XMLLABEL_NS) != 0)
			continue;
		for (i = 0; a->ns == NULL && names != NULL &&
		    names[i] != NULL; i++)
			if (strcmp((const char *)a->name, names[i]) == 0)
				break;
		if (a->ns != NULL || names == NULL || names[i] == NULL)
			return xl_err(c, n, "unknown attribute %s",
			    (const char *)a->name);
	}
	return 0;
}

/* An attribute's value collapsed (xs:token, anyURI, dateTime), malloc'd. */
static int
xl_attr(struct xl_ctx *c, const xmlNode *n, const char *name, bool required,
    char **out)
{
	const char	*v;
	char		 tok[XMLLABEL_MAX_TEXT + 1];

	*out = NULL;
	if (xmldoc_attr(n, name, &v) == -1)
		return xl_err(c, n, "attribute %s: entity reference not "
		    "allowed", name);
	if (v == NULL)
		return required ? xl_err(c, n, "missing attribute %s", name) :
		    0;
	if (xl_collapse(v, tok, sizeof(tok)) == -1)
		return xl_err(c, n, "attribute %s longer than %d bytes", name,
		    XMLLABEL_MAX_TEXT);
	if (tok[0] == '\0')
		return xl_err(c, n, "attribute %s is empty", name);
	*out = xstrdup(tok);
	return 0;
}

/* One child a parent may have: its name, order slot and count bounds. */
struct xl_rule {
	const char	*name;
	unsigned	 slot;		/* children come in slot order */
	unsigned	 min, max;
	int		(*fn)(struct xl_ctx *, xmlNode *, void *);
};


static int
xl_children(struct xl_ctx *c, xmlNode *parent, const struct xl_rule *r,
    size_t nr, void *arg)
{
	xmlNode		*n;
	unsigned	 count[8] = { 0 }, slot = 0;
	size_t		 i;

	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE)
			continue;
		if (n->type == XML_TEXT_NODE &&
		    xmldoc_blank((const char *)n->content))
			continue;
		if (n->type != XML_ELEMENT_NODE)
			return xl_err(c, parent, "text not allowed here");
		if (!xmldoc_in_ns(n, XMLLABEL_NS))
			return xl_err(c, n, "element not in the STANAG 4774 "
			    "namespace (in %s)", (const char *)parent->name);
		for (i = 0; i < nr; i++)
			if (strcmp((const char *)n->name, r[i].name) == 0)
				break;
		if (i == nr)
			return xl_err(c, n, "unknown element in %s",
			    (const char *)parent->name);
		if (r[i].slot < slot)
			return xl_err(c, n, "out of order in %s",
			    (const char *)parent->name);
		slot = r[i].slot;
		if (++count[i] > r[i].max)
			return xl_err(c, n, "more than %u in %s", r[i].max,
			    (const char *)parent->name);
		if (r[i].fn(c, n, arg) == -1)
			return -1;
	}
	for (i = 0; i < nr; i++)
		if (count[i] < r[i].min)
			return xl_err(c, parent, "missing %s", r[i].name);
	return 0;
}

#define NRULES(r)	(sizeof(r) / sizeof((r)[0]))

static int
xl_policy(struct xl_ctx *c, xmlNode *n, void *arg)
{
	static const char *const attrs[] = { "URI", NULL };
	struct xmllabel	*l = arg;

	l->policy_line = xmlGetLineNo(n);
	return xl_attrs_known(c, n, attrs) == -1 ||
	    xl_attr(c, n, "URI", false, &l->policy_uri) == -1 ||
	    xl_token(c, n, &l->policy) == -1 ? -1 : 0;
}

static int
xl_classification(struct xl_ctx *c, xmlNode *n, void *arg)
{
	static const char *const attrs[] = { "URI", NULL };
	struct xmllabel	*l = arg;
	char		*uri;

	l->class_line = xmlGetLineNo(n);
	if (xl_attrs_known(c, n, attrs) == -1 ||
	    xl_attr(c, n, "URI", false, &uri) == -1)
		return -1;
	free(uri);
	return xl_token(c, n, &l->classification);
}

static int
xl_privacy_mark(struct xl_ctx *c, xmlNode *n, void *arg)
{
	struct xmllabel	*l = arg;

	l->mark_line = xmlGetLineNo(n);
	if (xl_attrs_known(c, n, NULL) == -1 ||
	    xl_content(c, n, XMLLABEL_MAX_MARK, &l->privacy_mark) == -1)
		return -1;
	if (l->privacy_mark[0] == '\0')
		return xl_err(c, n, "empty");
	return 0;
}

static int
xl_value(struct xl_ctx *c, xmlNode *n, void *arg)
{
	struct xmllabel_cat	*k = arg;
	struct xmllabel_value	*v;
	enum xmllabel_vkind	 kind;
	char			*t;
	uint32_t		 x;
	size_t			 i;

	kind = strcmp((const char *)n->name, "GenericValue") == 0 ?
	    XMLLABEL_GENERIC : strcmp((const char *)n->name,
	    "IntegerValue") == 0 ? XMLLABEL_INTEGER : XMLLABEL_BITSTRING;
	if (xl_attrs_known(c, n, NULL) == -1 || xl_token(c, n, &t) == -1)
		return -1;
	if ((kind == XMLLABEL_INTEGER && xl_lacv(t, &x) == -1) ||
	    (kind == XMLLABEL_BITSTRING && strspn(t, "01") != strlen(t))) {
		xl_err(c, n, "\"%s\" is not %s", t, kind == XMLLABEL_INTEGER ?
		    "an integer below 2^32" : "a string of 0 and 1");
		free(t);
		return -1;
	}
	for (i = 0; i < k->nvalues; i++)
		if (k->values[i].kind == kind &&
		    strcmp(k->values[i].text, t) == 0) {
			xl_err(c, n, "\"%s\" repeated (line %ld)", t,
			    k->values[i].line);
			free(t);
			return -1;
		}
	if (k->nvalues >= XMLLABEL_MAX_VALUES) {
		free(t);
		return xl_err(c, n, "more than %d values in Category",
		    XMLLABEL_MAX_VALUES);
	}
	k->values = xreallocarray(k->values, k->nvalues + 1,
	    sizeof(*k->values));
	v = &k->values[k->nvalues++];
	v->kind = kind;
	v->text = t;
	v->line = xmlGetLineNo(n);
	return 0;
}

static void
xl_cat_free(struct xmllabel_cat *k)
{
	size_t	i;

	for (i = 0; i < k->nvalues; i++)
		free(k->values[i].text);
	free(k->values);
	free(k->tag_name);
	free(k->uri);
}

static int
xl_category(struct xl_ctx *c, xmlNode *n, void *arg)
{
	static const char *const attrs[] = { "TagName", "Type", "URI", NULL };
	static const char *const types[] = { "PERMISSIVE", "RESTRICTIVE",
	    "INFORMATIVE", NULL };
	static const struct xl_rule rules[] = {
		{ "GenericValue", 0, 0, XMLLABEL_MAX_VALUES, xl_value },
		{ "IntegerValue", 0, 0, XMLLABEL_MAX_VALUES, xl_value },
		{ "BitStringValue", 0, 0, XMLLABEL_MAX_VALUES, xl_value },
	};
	struct xmllabel		*l = arg;
	struct xmllabel_cat	 k;
	char			*type = NULL;
	size_t			 i;

	memset(&k, 0, sizeof(k));
	k.line = xmlGetLineNo(n);
	if (xl_attrs_known(c, n, attrs) == -1 ||
	    xl_attr(c, n, "TagName", true, &k.tag_name) == -1 ||
	    xl_attr(c, n, "Type", true, &type) == -1 ||
	    xl_attr(c, n, "URI", false, &k.uri) == -1)
		goto fail;
	for (i = 0; types[i] != NULL; i++)
		if (strcmp(type, types[i]) == 0)
			break;
	if (types[i] == NULL) {
		xl_err(c, n, "attribute Type: \"%s\" is not PERMISSIVE, "
		    "RESTRICTIVE or INFORMATIVE", type);
		goto fail;
	}
	k.type = (enum xmllabel_type)i;
	if (xl_children(c, n, rules, NRULES(rules), &k) == -1)
		goto fail;
	if (k.nvalues == 0) {
		xl_err(c, n, "no value (GenericValue, IntegerValue or "
		    "BitStringValue)");
		goto fail;
	}
	free(type);
	l->cats = xreallocarray(l->cats, l->ncats + 1, sizeof(*l->cats));
	l->cats[l->ncats++] = k;
	return 0;
 fail:
	free(type);
	xl_cat_free(&k);
	return -1;
}

static int
xl_info(struct xl_ctx *c, xmlNode *n, void *arg)
{
	static const struct xl_rule rules[] = {
		{ "PolicyIdentifier", 0, 1, 1, xl_policy },
		{ "Classification", 1, 1, 1, xl_classification },
		{ "PrivacyMark", 2, 0, 1, xl_privacy_mark },
		{ "Category", 3, 0, XMLLABEL_MAX_CATS, xl_category },
	};
	struct xmllabel	*l = arg;

	l->info_line = xmlGetLineNo(n);
	if (xl_attrs_known(c, n, NULL) == -1)
		return -1;
	return xl_children(c, n, rules, NRULES(rules), arg);
}

static int
xl_originator(struct xl_ctx *c, xmlNode *n, void *arg)
{
	static const char *const attrs[] = { "IDType", NULL };
	static const char *const idtypes[] = { "rfc822Name", "dNSName",
	    "directoryName", "uniformResourceIdentifier", "iPAddress",
	    "x400Address", "userPrincipalName", "jID", NULL };
	struct xmllabel	*l = arg;
	size_t		 i;

	if (xl_attrs_known(c, n, attrs) == -1 ||
	    xl_attr(c, n, "IDType", false, &l->originator_type) == -1 ||
	    xl_token(c, n, &l->originator) == -1)
		return -1;
	for (i = 0; l->originator_type != NULL && idtypes[i] != NULL; i++)
		if (strcmp(l->originator_type, idtypes[i]) == 0)
			return 0;
	if (l->originator_type != NULL)
		return xl_err(c, n, "attribute IDType: \"%s\" is not an ID "
		    "type", l->originator_type);
	return 0;
}

static int
xl_created(struct xl_ctx *c, xmlNode *n, void *arg)
{
	struct xmllabel	*l = arg;

	if (xl_attrs_known(c, n, NULL) == -1 ||
	    xl_token(c, n, &l->created) == -1)
		return -1;
	if (!xl_datetime_ok(l->created))
		return xl_err(c, n, "\"%s\" is not an xs:dateTime",
		    l->created);
	return 0;
}

static int
xl_root(struct xl_ctx *c, xmlNode *n)
{
	static const char *const roots[] = { "ConfidentialityLabel",
	    "OriginatorConfidentialityLabel",
	    "AlternativeConfidentialityLabel", NULL };
	static const char *const attrs[] = { "Id", "ReviewDateTime", NULL };
	static const struct xl_rule rules[] = {
		{ "ConfidentialityInformation", 0, 1, 1, xl_info },
		{ "OriginatorID", 1, 0, 1, xl_originator },
		{ "CreationDateTime", 2, 0, 1, xl_created },
	};
	struct xmllabel	*l = c->l;
	size_t		 i;

	if (!xmldoc_in_ns(n, XMLLABEL_NS))
		return xl_err(c, n, "root element not in namespace %s",
		    XMLLABEL_NS);
	for (i = 0; roots[i] != NULL; i++)
		if (strcmp((const char *)n->name, roots[i]) == 0)
			break;
	if (roots[i] == NULL)
		return xl_err(c, n, "root element is not a confidentiality "
		    "label");
	l->root = xstrdup(roots[i]);
	if (xl_attrs_known(c, n, attrs) == -1 ||
	    xl_attr(c, n, "Id", false, &l->id) == -1 ||
	    xl_attr(c, n, "ReviewDateTime", false, &l->review) == -1)
		return -1;
	if (l->review != NULL && !xl_datetime_ok(l->review))
		return xl_err(c, n, "attribute ReviewDateTime: \"%s\" is not "
		    "an xs:dateTime", l->review);
	return xl_children(c, n, rules, NRULES(rules), l);
}

struct xmllabel *
xmllabel_parse(const char *name, const void *buf, size_t len, char *err,
    size_t errlen)
{
	struct xl_ctx	 c;
	xmlDoc		*doc;

	if (name == NULL)
		name = "label";
	if ((doc = xmldoc_read(name, "label", buf, len, XMLLABEL_MAX_SIZE,
	    err, errlen)) == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	xmldoc_err_init(&c.e, name, err, errlen);
	c.l = xcalloc(1, sizeof(*c.l));
	c.l->file = xstrdup(name);
	if (xl_root(&c, xmlDocGetRootElement(doc)) == -1) {
		xmlFreeDoc(doc);
		xmllabel_free(c.l);
		return NULL;
	}
	xmlFreeDoc(doc);
	return c.l;
}

struct xmllabel *
xmllabel_parse_file(const char *path, char *err, size_t errlen)
{
	struct xmllabel	*l;
	char		*data;
	size_t		 len;

	if ((data = file_read(path, XMLLABEL_MAX_SIZE, &len)) == NULL) {
		if (errno == EFBIG)
			snprintf(err, errlen, "%s:0: label: larger than %u "
			    "bytes", path, XMLLABEL_MAX_SIZE);
		else
			snprintf(err, errlen, "%s:0: label: %s", path,
			    strerror(errno));
		return NULL;
	}
	l = xmllabel_parse(path, data, len, err, errlen);
	free(data);
	return l;
}

void
xmllabel_free(struct xmllabel *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ncats; i++)
		xl_cat_free(&l->cats[i]);
	free(l->cats);
	free(l->file);
	free(l->root);
	free(l->policy);
	free(l->policy_uri);
	free(l->classification);
	free(l->privacy_mark);
	free(l->id);
	free(l->review);
	free(l->originator);
	free(l->originator_type);
	free(l->created);
	free(l);
}

const char *
xmllabel_type_name(enum xmllabel_type t)
{
	switch (t) {
	case XMLLABEL_PERMISSIVE:
		return "PERMISSIVE";
	case XMLLABEL_RESTRICTIVE:
		return "RESTRICTIVE";
	case XMLLABEL_INFORMATIVE:
		return "INFORMATIVE";
	}
	return "?";
}

/* ------------------------------------------------------------------ */
/* 4774 to ESS. */

/* The ESS syntax of a SPIF tag type; -1 for one that has none. */
static int
xl_syntax(enum spif_tagtype t, const char **oid)
{
	switch (t) {
	case SPIF_TAG_RESTRICTIVE:
		*oid = ESS_OID_RESTRICTIVE_BITMAP;
		return ESS_RESTRICTIVE_BITMAP;
	case SPIF_TAG_ENUM_RESTRICTIVE:
		*oid = ESS_OID_ENUMERATED_RESTRICTIVE;
		return ESS_ENUMERATED_RESTRICTIVE;
	case SPIF_TAG_PERMISSIVE:
		*oid = ESS_OID_PERMISSIVE_BITMAP;
		return ESS_PERMISSIVE_BITMAP;
	case SPIF_TAG_ENUM_PERMISSIVE:
		*oid = ESS_OID_ENUMERATED_PERMISSIVE;
		return ESS_ENUMERATED_PERMISSIVE;
	case SPIF_TAG_INFORMATIVE:
		*oid = ESS_OID_INFORMATIVE;
		return ESS_INFORMATIVE;
	default:
		*oid = NULL;
		return -1;
	}
}

/* The 4774 Type of a SPIF tag type; -1 for one that has none. */
static int
xl_family(enum spif_tagtype t)
{
	switch (t) {
	case SPIF_TAG_RESTRICTIVE:
	case SPIF_TAG_ENUM_RESTRICTIVE:
		return XMLLABEL_RESTRICTIVE;
	case SPIF_TAG_PERMISSIVE:
	case SPIF_TAG_ENUM_PERMISSIVE:
		return XMLLABEL_PERMISSIVE;
	case SPIF_TAG_INFORMATIVE:
		return XMLLABEL_INFORMATIVE;
	default:
		return -1;
	}
}

/* A tag found for a Category: its tag set and tag. */
struct xl_tagref {
	const struct spif_tagset *ts;
	const struct spif_tag	 *t;
};

/*
 * The tag a Category names.  Four passes, the first that finds a name
 * decides: tag names exactly, tag set names exactly, then both again
 * without regard to case.  Of the tags it finds, exactly one must be of
 * the Category's Type.
 */
static int
xl_find_tag(struct xl_ctx *c, const struct spif *s,
    const struct xmllabel_cat *k, struct xl_tagref *out)
{
	const struct spif_tagset	*ts;
	const struct spif_tag		*t, *other = NULL;
	size_t				 i, j, names = 0, typed = 0;
	int				 pass;
	bool				 hit;

	for (pass = 0; pass < 4 && names == 0; pass++)
		for (i = 0; i < s->ntagsets; i++)
			for (j = 0; j < s->tagsets[i].ntags; j++) {
				ts = &s->tagsets[i];
				t = &ts->tags[j];
				hit = xl_same(k->tag_name, pass % 2 == 0 ?
				    t->name : ts->name, pass >= 2);
				if (!hit)
					continue;
				names++;
				if (xl_family(t->type) != (int)k->type) {
					other = t;
					continue;
				}
				if (typed++ == 0) {
					out->ts = ts;
					out->t = t;
				}
			}
	if (names == 0)
		return xl_errline(c, k->line, "Category", "TagName \"%s\": no "
		    "such tag or tag set in %s", k->tag_name, s->name);
	if (typed == 0)
		return xl_errline(c, k->line, "Category", "TagName \"%s\" is "
		    "a %s tag, not %s", k->tag_name,
		    spif_tagtype_name(other->type),
		    xmllabel_type_name(k->type));
	if (typed > 1)
		return xl_errline(c, k->line, "Category", "TagName \"%s\" "
		    "with Type %s names %zu tags of %s", k->tag_name,
		    xmllabel_type_name(k->type), typed, s->name);
	return 0;
}

/*
 * Index of the one name matching want among n (exactly, else without
 * regard to case); -1 when none, -2 when several match alike.
 */
static long
xl_pick(const char *want, const void *arr, size_t n, size_t size,
    size_t off)
{
	const char	*name;
	size_t		 i, hits;
	long		 found = -1;
	int		 fold;

	for (fold = 0; fold < 2; fold++) {
		for (i = 0, hits = 0; i < n; i++) {
			memcpy(&name, (const char *)arr + i * size + off,
			    sizeof(name));
			if (xl_same(want, name, fold)) {
				hits++;
				found = (long)i;
			}
		}
		if (hits == 1)
			return found;
		if (hits > 1)
			return -2;
	}
	return -1;
}

static const char *
xl_vname(enum xmllabel_vkind k)
{
	return k == XMLLABEL_GENERIC ? "GenericValue" :
	    k == XMLLABEL_INTEGER ? "IntegerValue" : "BitStringValue";
}

/* Add lacv v to the category's values, refusing a repeat. */
static int
xl_add_lacv(struct xl_ctx *c, const struct xmllabel_value *v,
    const struct xl_tagref *r, struct ess_category *e, uint32_t lacv)
{
	const struct spif_category	*cat;
	unsigned			 i;

	if ((cat = spif_category(r->t, lacv)) == NULL)
		return xl_errline(c, v->line, xl_vname(v->kind), "lacv %u: no "
		    "such category in tag %s", lacv, r->t->name != NULL ?
		    r->t->name : r->ts->name);
	if (lacv >= XL_MAX_BITS && (e->syntax == ESS_RESTRICTIVE_BITMAP ||
	    e->syntax == ESS_PERMISSIVE_BITMAP || (e->syntax ==
	    ESS_INFORMATIVE && r->t->bitset)))
		return xl_errline(c, v->line, xl_vname(v->kind), "%s (lacv "
		    "%u) is beyond the %d bits of a label's bitmap", cat->name,
		    lacv, XL_MAX_BITS);
	for (i = 0; i < e->nvalues; i++)
		if (e->values[i] == lacv)
			return xl_errline(c, v->line, xl_vname(v->kind), "%s "
			    "(lacv %u) repeated", cat->name, lacv);
	if (e->nvalues >= XL_MAX_BITS)
		return xl_errline(c, v->line, xl_vname(v->kind), "more than %d "
		    "values", XL_MAX_BITS);
	e->values = xreallocarray(e->values, e->nvalues + 1,
	    sizeof(*e->values));
	e->values[e->nvalues++] = lacv;
	return 0;
}

static int
xl_value_lacvs(struct xl_ctx *c, const struct xmllabel_value *v,
    const struct xl_tagref *r, struct ess_category *e)
{
	const char	*tn = r->t->name != NULL ? r->t->name : r->ts->name;
	long		 i;
	size_t		 b;
	uint32_t	 lacv;

	switch (v->kind) {
	case XMLLABEL_GENERIC:
		i = xl_pick(v->text, r->t->cats, r->t->ncats,
		    sizeof(*r->t->cats), offsetof(struct spif_category, name));
		if (i >= 0)
			return xl_add_lacv(c, v, r, e, r->t->cats[i].lacv);
		if (i == -2)
			return xl_errline(c, v->line, "GenericValue", "\"%s\" "
			    "names several categories of tag %s", v->text,
			    tn);
		if (xl_lacv(v->text, &lacv) == 0)
			return xl_add_lacv(c, v, r, e, lacv);
		return xl_errline(c, v->line, "GenericValue", "\"%s\": no "
		    "such category in tag %s", v->text, tn);
	case XMLLABEL_INTEGER:
		if (xl_lacv(v->text, &lacv) == -1)
			return xl_errline(c, v->line, "IntegerValue", "\"%s\" "
			    "is not a lacv", v->text);
		return xl_add_lacv(c, v, r, e, lacv);
	case XMLLABEL_BITSTRING:
		for (b = 0; v->text[b] != '\0'; b++)
			if (v->text[b] == '1' &&
			    xl_add_lacv(c, v, r, e, (uint32_t)b) == -1)
				return -1;
		return 0;
	}
	return -1;
}

static int
xl_u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * An informative tag whose SPIF says bitSetAttributes: the value written
 * here (SEQUENCE { tagName, BIT STRING }), since struct ess_category has
 * no field for the FreeFormField alternative and ess.c writes
 * securityAttributes for a category built by hand.
 */
static int
xl_bitset_value(struct ess_category *e, struct buf *b)
{
	uint8_t		bits[XL_MAX_BITS / 8];
	struct ber_enc	enc;
	size_t		nbits = 0;
	unsigned	i;

	memset(bits, 0, sizeof(bits));
	for (i = 0; i < e->nvalues; i++) {
		if (e->values[i] >= XL_MAX_BITS)
			return -1;
		bits[e->values[i] / 8] |=
		    (uint8_t)(0x80u >> (e->values[i] % 8));
		if (e->values[i] + 1 > nbits)
			nbits = e->values[i] + 1;
	}
	ber_enc_init(&enc, b, 0);
	ber_enc_begin(&enc, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&enc, BER_UNIV(BER_OID), e->tag_name);
	ber_put_bits(&enc, BER_UNIV(BER_BIT_STRING), bits, nbits);
	ber_enc_end(&enc);
	if (ber_enc_finish(&enc) == -1)
		return -1;
	e->value = b->data;
	e->valuelen = b->len;
	return 0;
}

/* The ESS categories of the label's Categories; refs[i] their tags. */
static int
xl_cats_to_ess(struct xl_ctx *c, const struct spif *s,
    const struct xmllabel *l, struct ess_category *e,
    struct xl_tagref *refs, unsigned *n)
{
	const char	*oid;
	size_t		 i, j;
	int		 syn;

	*n = 0;
	for (i = 0; i < l->ncats; i++) {
		if (xl_find_tag(c, s, &l->cats[i], &refs[i]) == -1)
			return -1;
		for (j = 0; j < i; j++)
			if (refs[j].t == refs[i].t)
				return xl_errline(c, l->cats[i].line,
				    "Category", "tag %s of tag set %s "
				    "repeated (line %ld)", refs[i].t->name !=
				    NULL ? refs[i].t->name : refs[i].ts->name,
				    refs[i].ts->name, l->cats[j].line);
		if ((syn = xl_syntax(refs[i].t->type, &oid)) == -1)
			return xl_errline(c, l->cats[i].line, "Category",
			    "tag %s is %s: it has no label form", l->cats[i].
			    tag_name, spif_tagtype_name(refs[i].t->type));
		memset(&e[i], 0, sizeof(e[i]));
		e[i].type = (char *)(uintptr_t)oid;
		e[i].syntax = (enum ess_syntax)syn;
		e[i].tag_name = refs[i].ts->id;
		(*n)++;
		for (j = 0; j < l->cats[i].nvalues; j++)
			if (xl_value_lacvs(c, &l->cats[i].values[j],
			    &refs[i], &e[i]) == -1)
				return -1;
		if (e[i].nvalues > 1)
			qsort(e[i].values, e[i].nvalues,
			    sizeof(*e[i].values), xl_u32_cmp);
	}
	return 0;
}

/* PolicyIdentifier: the SPIF's name or OID; a urn:oid: URI must agree. */
static int
xl_policy_check(struct xl_ctx *c, const struct spif *s,
    const struct xmllabel *l)
{
	static const char	 urn[] = "urn:oid:";

	if (!xl_same(l->policy, s->name, false) &&
	    strcmp(l->policy, s->id) != 0 && !xl_same(l->policy, s->name,
	    true))
		return xl_errline(c, l->policy_line, "PolicyIdentifier",
		    "\"%s\" is not the policy of the SPIF (%s, %s)",
		    l->policy, s->name, s->id);
	if (l->policy_uri != NULL && strncmp(l->policy_uri, urn,
	    sizeof(urn) - 1) == 0 && strcmp(l->policy_uri + sizeof(urn) - 1,
	    s->id) != 0)
		return xl_errline(c, l->policy_line, "PolicyIdentifier",
		    "URI %s does not name the policy %s", l->policy_uri,
		    s->id);
	return 0;
}

/* PrintableString when the mark is in its repertoire and size, else UTF-8. */
static void
xl_mark(const char *m, struct x400_text *t)
{
	size_t		 n = strlen(m), off;
	const char	*why;

	t->utf8 = (char *)(uintptr_t)m;
	t->len = n;
	t->cs = n <= XL_MAX_ESS_MARK && ber_check_charset(BER_PRINTABLE_STRING,
	    (const uint8_t *)m, n, &off, &why) == 0 ? X400_CS_ASCII :
	    X400_CS_UTF8;
}

void
xmllabel_ess_free(struct xmllabel_ess *x)
{
	buf_free(&x->der);
	x400_dec_free(&x->dec);
	memset(x, 0, sizeof(*x));
}

/* Encode e as DER into out->der and decode it back into out->label. */
static int
xl_encode(struct xl_ctx *c, const struct ess_label *e, long line,
    struct xmllabel_ess *out)
{
	struct ber_enc	enc;

	buf_init(&out->der, XL_MAX_DER);
	ber_enc_init(&enc, &out->der, 0);
	ess_label_enc(&enc, e);
	if (ber_enc_finish(&enc) == -1)
		return xl_errline(c, line, "ConfidentialityInformation",
		    "the ESS label cannot be encoded: %s",
		    ber_errstr((enum ber_err)enc.err));
	x400_limits_default(&out->dec.lim);
	ber_ctx_init(&out->dec.c, BER_MODE_DER, NULL, out->der.data,
	    out->der.len);
	if (ess_label_dec_bytes(&out->dec, out->der.data, out->der.len,
	    &out->label) == -1)
		return xl_errline(c, line, "ConfidentialityInformation",
		    "the ESS label does not decode: %s",
		    x400_strerror(&out->dec));
	return 0;
}

int
xmllabel_to_ess(const struct spif *s, const struct xmllabel *l,
    struct xmllabel_ess *out, char *err, size_t errlen)
{
	struct ess_category	 e[XMLLABEL_MAX_CATS];
	struct xl_tagref	 refs[XMLLABEL_MAX_CATS];
	struct buf		 bits[XMLLABEL_MAX_CATS];
	struct ess_label	 el;
	struct label		 lab;
	struct xl_ctx		 c;
	char			 why[512];
	unsigned		 n = 0, i;
	long			 k;
	int			 rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	xmldoc_err_init(&c.e, l->file, err, errlen);
	memset(&el, 0, sizeof(el));
	for (i = 0; i < XMLLABEL_MAX_CATS; i++)
		buf_init(&bits[i], 1024);
	if (l->ncats > XMLLABEL_MAX_CATS) {
		xl_errline(&c, l->info_line, "ConfidentialityInformation",
		    "more than %d categories", XMLLABEL_MAX_CATS);
		goto done;
	}
	if (xl_policy_check(&c, s, l) == -1)
		goto done;
	k = xl_pick(l->classification, s->classes, s->nclasses,
	    sizeof(*s->classes), offsetof(struct spif_class, name));
	if (k < 0) {
		xl_errline(&c, l->class_line, "Classification", k == -1 ?
		    "\"%s\": no such classification in %s" : "\"%s\" names "
		    "several classifications of %s", l->classification,
		    s->name);
		goto done;
	}
	el.present = true;
	el.policy = s->id;
	el.classification = s->classes[k].lacv;
	if (l->privacy_mark != NULL)
		xl_mark(l->privacy_mark, &el.privacy_mark);
	if (xl_cats_to_ess(&c, s, l, e, refs, &n) == -1)
		goto done;
	for (i = 0; i < n; i++)
		if (e[i].syntax == ESS_INFORMATIVE && refs[i].t->bitset &&
		    xl_bitset_value(&e[i], &bits[i]) == -1) {
			xl_errline(&c, l->cats[i].line, "Category",
			    "informative bit set cannot be encoded");
			goto done;
		}
	el.cats = e;
	el.ncats = n;
	if (xl_encode(&c, &el, l->info_line, out) == -1)
		goto done;
	if (label_from_ess(&out->label, &lab, why, sizeof(why)) == -1) {
		xl_errline(&c, l->info_line, "ConfidentialityInformation",
		    "%s", why);
		goto done;
	}
	if (label_valid(s, &lab, why, sizeof(why)) == -1)
		xl_errline(&c, l->info_line, "ConfidentialityInformation",
		    "not valid under %s: %s", s->name, why);
	else
		rc = 0;
	label_free(&lab);
 done:
	for (i = 0; i < n; i++)
		free(e[i].values);
	for (i = 0; i < XMLLABEL_MAX_CATS; i++)
		buf_free(&bits[i]);
	if (rc == -1)
		xmllabel_ess_free(out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* ESS to 4774. */

/*
 * Text for XML: the five specials as references, CR as a character
 * reference (a parser would turn a raw one into LF), and in attributes
 * tab and LF too (attribute normalisation would turn them into spaces).
 * Other C0 controls cannot be written in XML 1.0 at all.
 */
static int
xl_put_text(struct buf *b, const char *s, bool attr)
{
	const char	*r;
	int		 rc = 0;

	for (; *s != '\0' && rc == 0; s++) {
		switch (*s) {
		case '&':
			r = "&amp;";
			break;
		case '<':
			r = "&lt;";
			break;
		case '>':
			r = "&gt;";
			break;
		case '"':
			r = "&quot;";
			break;
		case '\r':
			r = "&#13;";
			break;
		case '\t':
			r = attr ? "&#9;" : NULL;
			break;
		case '\n':
			r = attr ? "&#10;" : NULL;
			break;
		default:
			if ((unsigned char)*s < 0x20)
				return -1;
			r = NULL;
			break;
		}
		rc = r != NULL ? buf_add(b, r, strlen(r)) :
		    buf_add_byte(b, (uint8_t)*s);
	}
	return rc;
}

static int
xl_put(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

/* indent, <name attrs>text</name>, LF; attrs are name/value pairs. */
static int
xl_put_elem(struct buf *b, const char *indent, const char *name,
    const char *const *attrs, const char *text)
{
	size_t	i;

	if (xl_put(b, indent) == -1 || xl_put(b, "<") == -1 ||
	    xl_put(b, name) == -1)
		return -1;
	for (i = 0; attrs != NULL && attrs[i] != NULL; i += 2)
		if (xl_put(b, " ") == -1 || xl_put(b, attrs[i]) == -1 ||
		    xl_put(b, "=\"") == -1 ||
		    xl_put_text(b, attrs[i + 1], true) == -1 ||
		    xl_put(b, "\"") == -1)
			return -1;
	if (text == NULL)
		return xl_put(b, ">\n");
	if (xl_put(b, ">") == -1 || xl_put_text(b, text, false) == -1 ||
	    xl_put(b, "</") == -1 || xl_put(b, name) == -1)
		return -1;
	return xl_put(b, ">\n");
}

/* The ESS category of the label for a SPIF tag, or NULL. */
static const struct ess_category *
xl_ess_cat(const struct ess_label *e, const struct spif_tagset *ts,
    const struct spif_tag *t)
{
	const char	*oid;
	int		 syn;
	unsigned	 i;

	if ((syn = xl_syntax(t->type, &oid)) == -1)
		return NULL;
	for (i = 0; i < e->ncats; i++)
		if ((int)e->cats[i].syntax == syn &&
		    e->cats[i].tag_name != NULL &&
		    strcmp(e->cats[i].tag_name, ts->id) == 0)
			return &e->cats[i];
	return NULL;
}

/* The Categories, in SPIF order; *used counts the ESS categories seen. */
static int
xl_put_cats(struct buf *b, const struct spif *s, const struct ess_label *e,
    unsigned *used)
{
	const struct spif_tagset	*ts;
	const struct spif_tag		*t;
	const struct ess_category	*ec;
	const struct spif_category	*cat;
	const char			*attrs[5];
	size_t				 i, j;
	unsigned			 v;

	*used = 0;
	for (i = 0; i < s->ntagsets; i++)
		for (j = 0; j < s->tagsets[i].ntags; j++) {
			ts = &s->tagsets[i];
			t = &ts->tags[j];
			if ((ec = xl_ess_cat(e, ts, t)) == NULL)
				continue;
			(*used)++;
			attrs[0] = "TagName";
			attrs[1] = t->name != NULL ? t->name : ts->name;
			attrs[2] = "Type";
			attrs[3] = xmllabel_type_name((enum xmllabel_type)
			    xl_family(t->type));
			attrs[4] = NULL;
			if (xl_put_elem(b, "    ", "Category", attrs,
			    NULL) == -1)
				return -1;
			for (v = 0; v < ec->nvalues; v++) {
				if ((cat = spif_category(t,
				    ec->values[v])) == NULL)
					return -1;
				if (xl_put_elem(b, "      ", "GenericValue",
				    NULL, cat->name) == -1)
					return -1;
			}
			if (xl_put(b, "    </Category>\n") == -1)
				return -1;
		}
	return 0;
}

static int
xl_put_doc(struct buf *b, const struct spif *s, const struct ess_label *e,
    const struct spif_class *cl, unsigned *used)
{
	char		 uri[sizeof("urn:oid:") + BER_OID_TEXT_MAX];
	const char	*attrs[3] = { "URI", uri, NULL };

	snprintf(uri, sizeof(uri), "urn:oid:%s", s->id);
	if (xl_put(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<ConfidentialityLabel xmlns=\"" XMLLABEL_NS "\">\n"
	    "  <ConfidentialityInformation>\n") == -1 ||
	    xl_put_elem(b, "    ", "PolicyIdentifier", attrs, s->name) == -1 ||
	    xl_put_elem(b, "    ", "Classification", NULL, cl->name) == -1 ||
	    (e->privacy_mark.utf8 != NULL && xl_put_elem(b, "    ",
	    "PrivacyMark", NULL, e->privacy_mark.utf8) == -1) ||
	    xl_put_cats(b, s, e, used) == -1)
		return -1;
	return xl_put(b, "  </ConfidentialityInformation>\n"
	    "</ConfidentialityLabel>\n");
}

static int
xl_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
xl_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (errlen == 0)
		return -1;
	n = snprintf(err, errlen, "ESS label: ");
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Parse the document written and convert it back: the same label? */
static int
xl_round_trip(const struct spif *s, const struct ess_label *e,
    const struct buf *b, size_t start, char *err, size_t errlen)
{
	struct xmllabel		*back;
	struct xmllabel_ess	 x;
	char			 why[512];
	int			 rc = -1;

	if ((back = xmllabel_parse("canonical", b->data + start,
	    b->len - start, why, sizeof(why))) == NULL)
		return xl_fail(err, errlen, "the document written does not "
		    "parse: %s", why);
	if (xmllabel_to_ess(s, back, &x, why, sizeof(why)) == -1)
		xl_fail(err, errlen, "the document written does not convert "
		    "back: %s", why);
	else if (!ess_label_equal(e, &x.label))
		xl_fail(err, errlen, "the SPIF's names do not lead back to "
		    "the same label");
	else
		rc = 0;
	xmllabel_ess_free(&x);
	xmllabel_free(back);
	return rc;
}

int
xmllabel_from_ess(const struct spif *s, const struct ess_label *e,
    struct buf *b, char *err, size_t errlen)
{
	const struct spif_class	*cl;
	struct label		 lab;
	char			 why[512];
	size_t			 start = b->len, i;
	unsigned		 used;
	unsigned char		 ch;

	if (errlen > 0)
		err[0] = '\0';
	if (label_from_ess(e, &lab, why, sizeof(why)) == -1)
		return xl_fail(err, errlen, "%s", why);
	if (label_valid(s, &lab, why, sizeof(why)) == -1) {
		label_free(&lab);
		return xl_fail(err, errlen, "not valid under %s: %s", s->name,
		    why);
	}
	label_free(&lab);
	if ((cl = spif_class_by_lacv(s, e->classification)) == NULL)
		return xl_fail(err, errlen, "classification %lld unknown",
		    (long long)e->classification);
	for (i = 0; e->privacy_mark.utf8 != NULL && i < e->privacy_mark.len;
	    i++) {
		ch = (unsigned char)e->privacy_mark.utf8[i];
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			return xl_fail(err, errlen, "privacy mark holds "
			    "character 0x%02x, which XML 1.0 cannot carry",
			    ch);
	}
	/* SPIF names came from XML: only the size can stop the writing. */
	if (xl_put_doc(b, s, e, cl, &used) == -1) {
		buf_truncate(b, start);
		return xl_fail(err, errlen, "the document would be larger "
		    "than %zu bytes", b->max);
	}
	if (used != e->ncats) {
		buf_truncate(b, start);
		return xl_fail(err, errlen, "%u of %u categories have no tag "
		    "in %s", e->ncats - used, e->ncats, s->name);
	}
	if (xl_round_trip(s, e, b, start, err, errlen) == -1) {
		buf_truncate(b, start);
		return -1;
	}
	return 0;
}
