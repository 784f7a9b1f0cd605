/*
 * label.c - label semantics under a compiled SPIF (see label.h for the
 * rules): validity, dominance, equivalence mapping and operator markings.
 * Every judgement fails closed: what the SPIF does not know is refused,
 * with a reason naming the value.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "guard/common/xmalloc.h"
#include "policy/label.h"

static int
label_why(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
label_why(char *why, size_t len, const char *fmt, ...)
{
	va_list	ap;

	if (len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
label_init(struct label *l)
{
	memset(l, 0, sizeof(*l));
	l->classification = LABEL_NO_CLASS;
}

void
label_free(struct label *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->ncats; i++) {
		free(l->cats[i].tagset);
		free(l->cats[i].values);
	}
	free(l->cats);
	free(l->policy);
	free(l->privacy_mark);
	label_init(l);
}

void
label_set_policy(struct label *l, const char *p)
{
	free(l->policy);
	l->policy = p != NULL ? xstrdup(p) : NULL;
}

void
label_set_privacy_mark(struct label *l, const char *p)
{
	free(l->privacy_mark);
	l->privacy_mark = p != NULL ? xstrdup(p) : NULL;
}

static int
label_u32_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static bool
label_match_type(enum spif_tagtype want, enum spif_tagtype have)
{
	if (want == SPIF_TAG_ENUMERATED)
		return have == SPIF_TAG_ENUM_RESTRICTIVE ||
		    have == SPIF_TAG_ENUM_PERMISSIVE;
	return want == have;
}

static const struct label_cat *
label_find(const struct label *l, const char *tagset, enum spif_tagtype type)
{
	size_t	i;

	for (i = 0; i < l->ncats; i++)
		if (strcmp(l->cats[i].tagset, tagset) == 0 &&
		    label_match_type(type, l->cats[i].type))
			return &l->cats[i];
	return NULL;
}

static bool
label_has(const struct label_cat *c, uint32_t v)
{
	return bsearch(&v, c->values, c->nvalues, sizeof(v),
	    label_u32_cmp) != NULL;
}

int
label_add(struct label *l, const char *tagset, enum spif_tagtype type,
    const uint32_t *v, size_t n)
{
	struct label_cat	*c = NULL;
	size_t			 i, j;

	for (i = 0; i < l->ncats; i++)
		if (strcmp(l->cats[i].tagset, tagset) == 0 &&
		    l->cats[i].type == type)
			c = &l->cats[i];
	if (c == NULL) {
		if (l->ncats >= LABEL_MAX_CATS)
			return -1;
		l->cats = xreallocarray(l->cats, l->ncats + 1,
		    sizeof(*l->cats));
		c = &l->cats[l->ncats++];
		memset(c, 0, sizeof(*c));
		c->tagset = xstrdup(tagset);
		c->type = type;
	}
	if (n > LABEL_MAX_VALUES || c->nvalues + n > LABEL_MAX_VALUES)
		return -1;
	if (n == 0)
		return 0;
	c->values = xreallocarray(c->values, c->nvalues + n,
	    sizeof(*c->values));
	memcpy(c->values + c->nvalues, v, n * sizeof(*v));
	c->nvalues += n;
	if (c->nvalues > 1)
		qsort(c->values, c->nvalues, sizeof(*c->values),
		    label_u32_cmp);
	for (i = j = 0; i < c->nvalues; i++)
		if (j == 0 || c->values[j - 1] != c->values[i])
			c->values[j++] = c->values[i];
	c->nvalues = j;
	return 0;
}

void
label_copy(struct label *dst, const struct label *src)
{
	size_t	i;

	label_init(dst);
	label_set_policy(dst, src->policy);
	label_set_privacy_mark(dst, src->privacy_mark);
	dst->classification = src->classification;
	for (i = 0; i < src->ncats; i++)
		(void)label_add(dst, src->cats[i].tagset, src->cats[i].type,
		    src->cats[i].values, src->cats[i].nvalues);
}

int
label_from_ess(const struct ess_label *e, struct label *l, char *why,
    size_t whylen)
{
	enum spif_tagtype	 type;
	unsigned		 i;

	label_init(l);
	if (!e->present || e->policy == NULL)
		return label_why(why, whylen, "no security label");
	label_set_policy(l, e->policy);
	l->classification = e->classification == X400_ABSENT ?
	    LABEL_NO_CLASS : e->classification;
	if (e->privacy_mark.utf8 != NULL) {
		if (memchr(e->privacy_mark.utf8, '\0',
		    e->privacy_mark.len) != NULL) {
			label_free(l);
			return label_why(why, whylen, "privacy mark holds "
			    "a NUL");
		}
		label_set_privacy_mark(l, e->privacy_mark.utf8);
	}
	for (i = 0; i < e->ncats; i++) {
		const struct ess_category *c = &e->cats[i];

		switch (c->syntax) {
		case ESS_RESTRICTIVE_BITMAP:
			type = SPIF_TAG_RESTRICTIVE;
			break;
		case ESS_ENUMERATED_PERMISSIVE:
			type = SPIF_TAG_ENUM_PERMISSIVE;
			break;
		case ESS_PERMISSIVE_BITMAP:
			type = SPIF_TAG_PERMISSIVE;
			break;
		case ESS_INFORMATIVE:
			type = SPIF_TAG_INFORMATIVE;
			break;
		case ESS_ENUMERATED_RESTRICTIVE:
			type = SPIF_TAG_ENUM_RESTRICTIVE;
			break;
		default:
			label_free(l);
			return label_why(why, whylen, "category type %s not "
			    "known", c->type != NULL ? c->type : "?");
		}
		if (c->tag_name == NULL || label_add(l, c->tag_name, type,
		    c->values, c->nvalues) == -1) {
			label_free(l);
			return label_why(why, whylen, "category %s: no tag "
			    "set or too many values", c->type);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Validity. */

static bool
label_group_met(const struct spif *s, const struct label *l,
    const struct spif_catref *g)
{
	const struct label_cat	*c;

	c = label_find(l, s->tagsets[g->tagset].id, g->type);
	if (c == NULL || c->nvalues == 0)
		return false;
	return g->has_lacv ? label_has(c, g->lacv) : true;
}

static int
label_required(const struct spif *s, const struct label *l,
    const struct spif_required *r, size_t n, const char *who, char *why,
    size_t whylen)
{
	size_t	i, j, met;

	for (i = 0; i < n; i++) {
		for (met = j = 0; j < r[i].ngroups; j++)
			if (label_group_met(s, l, &r[i].groups[j]))
				met++;
		if ((r[i].op == SPIF_OP_ONLY_ONE && met != 1) ||
		    (r[i].op == SPIF_OP_ONE_OR_MORE && met == 0) ||
		    (r[i].op == SPIF_OP_ALL && met != r[i].ngroups))
			return label_why(why, whylen, "%s requires %s of %zu "
			    "categories (tag set %s), label has %zu", who,
			    r[i].op == SPIF_OP_ONLY_ONE ? "exactly one" :
			    r[i].op == SPIF_OP_ONE_OR_MORE ? "one or more" :
			    "all", r[i].ngroups,
			    s->tagsets[r[i].groups[0].tagset].name, met);
	}
	return 0;
}

static int
label_policy_check(const struct spif *s, const struct label *l,
    const char *what, char *why, size_t whylen)
{
	if (l->policy == NULL || strcmp(l->policy, s->id) != 0)
		return label_why(why, whylen, "%s policy %s is not %s (%s)",
		    what, l->policy != NULL ? l->policy : "(none)", s->id,
		    s->name);
	return 0;
}

/* The SPIF's tag for a label category, or NULL with why set. */
static const struct spif_tag *
label_tag(const struct spif *s, const struct label_cat *c, char *why,
    size_t whylen)
{
	const struct spif_tagset	*ts;
	const struct spif_tag		*t;

	if ((ts = spif_tagset_by_id(s, c->tagset)) == NULL) {
		label_why(why, whylen, "tag set %s unknown in %s", c->tagset,
		    s->name);
		return NULL;
	}
	if ((t = spif_tag_by_type(ts, c->type)) == NULL)
		label_why(why, whylen, "tag set %s (%s) has no %s tag",
		    ts->id, ts->name, spif_tagtype_name(c->type));
	return t;
}

int
label_valid(const struct spif *s, const struct label *l, char *why,
    size_t whylen)
{
	const struct spif_class		*cl, *rc;
	const struct spif_tag		*t;
	const struct spif_category	*cat;
	const struct label_cat		*c;
	size_t				 i, j, k;

	if (label_policy_check(s, l, "label", why, whylen) == -1)
		return -1;
	if (l->classification == LABEL_NO_CLASS)
		return label_why(why, whylen, "no classification");
	if ((cl = spif_class_by_lacv(s, l->classification)) == NULL)
		return label_why(why, whylen, "classification %lld unknown "
		    "in %s", (long long)l->classification, s->name);
	for (i = 0; i < l->ncats; i++) {
		c = &l->cats[i];
		if (c->nvalues == 0)
			return label_why(why, whylen, "tag set %s: no values",
			    c->tagset);
		for (j = 0; j < i; j++)
			if (strcmp(l->cats[j].tagset, c->tagset) == 0 &&
			    l->cats[j].type == c->type)
				return label_why(why, whylen, "tag set %s "
				    "(%s) repeated", c->tagset,
				    spif_tagtype_name(c->type));
		if ((t = label_tag(s, c, why, whylen)) == NULL)
			return -1;
		if (t->single && c->nvalues > 1)
			return label_why(why, whylen, "tag set %s: %zu values "
			    "where singleSelection allows one", c->tagset,
			    c->nvalues);
		for (j = 0; j < c->nvalues; j++) {
			if ((cat = spif_category(t, c->values[j])) == NULL)
				return label_why(why, whylen, "lacv %u "
				    "unknown in tag set %s (%s)", c->values[j],
				    c->tagset, spif_tagtype_name(c->type));
			for (k = 0; k < cat->nexcluded_class; k++)
				if (cat->excluded_class[k] == cl->lacv)
					return label_why(why, whylen, "%s "
					    "excluded at %s", cat->name,
					    cl->name);
			if (cat->required_class != INT64_MIN &&
			    (rc = spif_class_by_lacv(s,
			    cat->required_class)) != NULL &&
			    cl->hierarchy < rc->hierarchy)
				return label_why(why, whylen, "%s requires "
				    "%s or above", cat->name, rc->name);
			if (label_required(s, l, cat->required,
			    cat->nrequired, cat->name, why, whylen) == -1)
				return -1;
			for (k = 0; k < cat->nexcluded; k++)
				if (label_group_met(s, l, &cat->excluded[k]))
					return label_why(why, whylen, "%s "
					    "excludes tag set %s", cat->name,
					    s->tagsets[cat->excluded[k].
					    tagset].name);
		}
	}
	return label_required(s, l, cl->required, cl->nrequired, cl->name,
	    why, whylen);
}

/* ------------------------------------------------------------------ */
/* Dominance. */

int
label_dominates(const struct spif *s, const struct label *clr,
    const struct label *l, char *why, size_t whylen)
{
	const struct spif_class	*cc, *lc;
	const struct label_cat	*c, *h;
	size_t			 i, j;

	if (label_policy_check(s, clr, "clearance", why, whylen) == -1 ||
	    label_policy_check(s, l, "label", why, whylen) == -1)
		return -1;
	if ((cc = spif_class_by_lacv(s, clr->classification)) == NULL)
		return label_why(why, whylen, "clearance classification "
		    "unknown");
	if ((lc = spif_class_by_lacv(s, l->classification)) == NULL)
		return label_why(why, whylen, "label classification unknown");
	if (cc->hierarchy < lc->hierarchy)
		return label_why(why, whylen, "clearance %s below %s",
		    cc->name, lc->name);
	for (i = 0; i < l->ncats; i++) {
		c = &l->cats[i];
		h = label_find(clr, c->tagset, c->type);
		switch (c->type) {
		case SPIF_TAG_RESTRICTIVE:
		case SPIF_TAG_ENUM_RESTRICTIVE:
			for (j = 0; j < c->nvalues; j++)
				if (h == NULL || !label_has(h, c->values[j]))
					return label_why(why, whylen,
					    "clearance lacks restrictive %u "
					    "of tag set %s", c->values[j],
					    c->tagset);
			break;
		case SPIF_TAG_PERMISSIVE:
		case SPIF_TAG_ENUM_PERMISSIVE:
			for (j = 0; h != NULL && j < c->nvalues; j++)
				if (label_has(h, c->values[j]))
					break;
			if (c->nvalues > 0 && (h == NULL || j == c->nvalues))
				return label_why(why, whylen, "clearance "
				    "holds none of the permissive values of "
				    "tag set %s", c->tagset);
			break;
		default:
			break;	/* informative: not for access decisions */
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Equivalence mapping. */

static int
label_map_out(const struct spif *s, const char *to, const struct label *l,
    struct label *out, char *why, size_t whylen)
{
	const struct spif_class		*cl;
	const struct spif_tag		*t;
	const struct spif_category	*cat;
	const struct spif_equiv_cat	*e;
	const struct label_cat		*c;
	size_t				 i, j, k;
	bool				 done;

	if ((cl = spif_class_by_lacv(s, l->classification)) == NULL)
		return label_why(why, whylen, "classification unknown");
	for (i = 0; i < cl->nequivs; i++)
		if (strcmp(cl->equivs[i].policy, to) == 0 &&
		    (cl->equivs[i].applied & SPIF_APPLIED_ENCRYPT) != 0)
			break;
	if (i == cl->nequivs)
		return label_why(why, whylen, "%s has no equivalent in policy "
		    "%s", cl->name, to);
	out->classification = cl->equivs[i].lacv;
	for (i = 0; i < l->ncats; i++) {
		c = &l->cats[i];
		if ((t = label_tag(s, c, why, whylen)) == NULL)
			return -1;
		for (j = 0; j < c->nvalues; j++) {
			if ((cat = spif_category(t, c->values[j])) == NULL)
				return label_why(why, whylen, "lacv %u "
				    "unknown in tag set %s", c->values[j],
				    c->tagset);
			for (done = false, k = 0; k < cat->nequivs; k++) {
				e = &cat->equivs[k];
				if (strcmp(e->policy, to) != 0 ||
				    (e->applied & SPIF_APPLIED_ENCRYPT) == 0)
					continue;
				done = true;
				if (!e->discard && label_add(out, e->tagset,
				    e->type, &e->lacv, 1) == -1)
					return label_why(why, whylen, "mapped "
					    "label too large");
			}
			if (!done)
				return label_why(why, whylen, "%s has no "
				    "equivalent in policy %s", cat->name, to);
		}
	}
	return 0;
}

static int
label_map_in(const struct spif *s, const char *to, const struct label *l,
    struct label *out, char *why, size_t whylen)
{
	const struct spif_class		*cl, *best = NULL;
	const struct spif_equiv_class	*ec;
	const struct spif_tagset	*ts;
	const struct spif_tag		*t;
	const struct spif_category	*cat;
	const struct spif_equiv_cat	*e;
	const struct label_cat		*c;
	size_t				 i, j, a, b, m, k;
	bool				 done;

	if (l->policy == NULL || strcmp(l->policy, to) != 0)
		return label_why(why, whylen, "label policy is not %s", to);
	for (i = 0; i < s->nclasses; i++) {
		cl = &s->classes[i];
		for (j = 0; j < cl->nequivs; j++) {
			ec = &cl->equivs[j];
			if (strcmp(ec->policy, to) == 0 &&
			    (ec->applied & SPIF_APPLIED_DECRYPT) != 0 &&
			    ec->lacv == l->classification &&
			    (best == NULL || cl->hierarchy > best->hierarchy))
				best = cl;
		}
	}
	if (best == NULL)
		return label_why(why, whylen, "classification %lld of %s has "
		    "no equivalent in %s", (long long)l->classification, to,
		    s->name);
	out->classification = best->lacv;
	for (i = 0; i < l->ncats; i++) {
		c = &l->cats[i];
		for (j = 0; j < c->nvalues; j++) {
			done = false;
			for (a = 0; a < s->ntagsets; a++) {
				ts = &s->tagsets[a];
				for (b = 0; b < ts->ntags; b++) {
					t = &ts->tags[b];
					for (m = 0; m < t->ncats; m++) {
						cat = &t->cats[m];
						for (k = 0; k < cat->nequivs;
						    k++) {
							e = &cat->equivs[k];
							if (strcmp(e->policy,
							    to) != 0 ||
							    (e->applied &
							    SPIF_APPLIED_DECRYPT)
							    == 0 ||
							    e->type != c->type ||
							    e->lacv !=
							    c->values[j] ||
							    strcmp(e->tagset,
							    c->tagset) != 0)
								continue;
							done = true;
							if (!e->discard &&
							    label_add(out,
							    ts->id, t->type,
							    &cat->lacv, 1) ==
							    -1)
								return
								    label_why(
								    why, whylen,
								    "mapped "
								    "label too "
								    "large");
						}
					}
				}
			}
			if (!done)
				return label_why(why, whylen, "lacv %u of tag "
				    "set %s has no equivalent in %s",
				    c->values[j], c->tagset, s->name);
		}
	}
	return 0;
}

int
label_map(const struct spif *s, enum label_map_dir dir, const char *to,
    const struct label *l, struct label *out, char *why, size_t whylen)
{
	int	rc;

	label_init(out);
	if (strcmp(to, s->id) == 0) {
		if (label_policy_check(s, l, "label", why, whylen) == -1)
			return -1;
		label_copy(out, l);
		return 0;
	}
	if (dir == LABEL_MAP_OUT) {
		if (label_policy_check(s, l, "label", why, whylen) == -1)
			return -1;
		rc = label_map_out(s, to, l, out, why, whylen);
		label_set_policy(out, to);
	} else {
		rc = label_map_in(s, to, l, out, why, whylen);
		label_set_policy(out, s->id);
	}
	if (rc == -1) {
		label_free(out);
		return -1;
	}
	label_set_privacy_mark(out, l->privacy_mark);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Marking. */

struct label_out {
	char	*buf;
	size_t	 len, cap;
	bool	 full;
};

static void
label_put(struct label_out *o, const char *s)
{
	size_t	n = strlen(s);

	if (o->full || o->len + n >= o->cap) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

int
label_marking(const struct spif *s, const struct label *l, char *buf,
    size_t len)
{
	struct label_out		 o = { buf, 0, len, false };
	const struct spif_class		*cl;
	const struct spif_tagset	*ts;
	const struct spif_tag		*t;
	const struct spif_category	*cat;
	const struct label_cat		*c;
	const char			*text, *pol;
	size_t				 i, j, k;
	char				 dummy[256];

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if ((cl = spif_class_by_lacv(s, l->classification)) == NULL)
		return -1;
	for (i = 0; i < l->ncats; i++)
		if (label_tag(s, &l->cats[i], dummy, sizeof(dummy)) == NULL)
			return -1;
	text = cl->phrase != NULL ? cl->phrase : cl->name;
	pol = s->phrase != NULL ? s->phrase : s->name;
	if (strncmp(text, pol, strlen(pol)) != 0) {
		label_put(&o, pol);
		label_put(&o, " ");
	}
	label_put(&o, text);
	for (i = 0; i < s->ntagsets; i++) {
		ts = &s->tagsets[i];
		for (j = 0; j < ts->ntags; j++) {
			t = &ts->tags[j];
			if ((c = label_find(l, ts->id, t->type)) == NULL ||
			    c->nvalues == 0)
				continue;
			label_put(&o, " ");
			if (t->prefix != NULL)
				label_put(&o, t->prefix);
			for (k = 0; k < c->nvalues; k++) {
				if ((cat = spif_category(t,
				    c->values[k])) == NULL)
					return -1;
				if (k > 0)
					label_put(&o, t->separator != NULL ?
					    t->separator : ", ");
				label_put(&o, cat->phrase != NULL ?
				    cat->phrase : cat->name);
			}
			if (t->suffix != NULL)
				label_put(&o, t->suffix);
		}
	}
	if (l->privacy_mark != NULL) {
		label_put(&o, " ");
		label_put(&o, l->privacy_mark);
	}
	if (o.full) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}
