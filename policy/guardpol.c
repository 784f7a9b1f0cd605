/*
 * guardpol.c - load, validate and compile the guard policy (guardpol.h).
 *
 * Two passes: libxml2's XML Schema validator against the schema built
 * into the program (policy/schema.c), which fixes structure, types,
 * defaults and unique ids; then the compiler, which walks the valid tree
 * and resolves what the schema cannot.  The schema having vouched for the
 * structure, the compiler still checks every value it converts: a
 * validator bug must not become a guard bug.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <openssl/evp.h>

#include "filters/dlp/dlp.h"
#include "filters/x400/x400.h"
#include "guard/common/file.h"
#include "guard/common/xmalloc.h"
#include "policy/guardpol.h"
#include "policy/schema.h"
#include "policy/xmldoc.h"

struct gp_ctx {
	const char	*file;
	const char	*pki;
	char		*dir;		/* the policy file's directory */
	char		*err;
	size_t		 errlen;
	bool		 failed;
	struct guardpol	*gp;
};

static int gp_fail(struct gp_ctx *, const xmlNode *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
gp_fail(struct gp_ctx *c, const xmlNode *n, const char *fmt, ...)
{
	va_list	ap;
	int	k;

	if (c->failed || c->errlen == 0)
		return -1;
	c->failed = true;
	k = snprintf(c->err, c->errlen, "%s:%ld: %s: ", c->file,
	    n != NULL ? (long)xmlGetLineNo(n) : 0L,
	    n != NULL ? (const char *)n->name : "guardPolicy");
	if (k < 0 || (size_t)k >= c->errlen)
		return -1;
	va_start(ap, fmt);
	(void)vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Names. */

static const char *const verdict_names[] = { "release", "refer",
    "quarantine", "reject" };
static const char *const dir_names[] = { "high-to-low", "low-to-high" };
static const char *const kind_names[] = { "signature", "label",
    "clearance", "releaseAuthority", "leakage", "sics", "bodyParts", "size",
    "originators", "recipients", "messageTypes", "precedence", "disp" };
static const char *const prec_names[] = { "deferred", "routine",
    "priority", "immediate", "flash", "override" };
static const char *const mt_names[] = { "exercise", "operation", "project",
    "drill", "none" };

const char *
gp_verdict_name(enum gp_verdict v)
{
	return (unsigned)v < 4 ? verdict_names[v] : "invalid";
}

const char *
gp_dir_name(enum gp_dir d)
{
	return (unsigned)d < GP_NDIRS ? dir_names[d] : "invalid";
}

int
gp_dir_from_name(const char *s, enum gp_dir *d)
{
	unsigned	i;

	for (i = 0; i < GP_NDIRS; i++)
		if (strcmp(s, dir_names[i]) == 0) {
			*d = (enum gp_dir)i;
			return 0;
		}
	return -1;
}

const char *
gp_kind_name(enum gp_kind k)
{
	return (unsigned)k < sizeof(kind_names) / sizeof(kind_names[0]) ?
	    kind_names[k] : "invalid";
}

const char *
gp_precedence_name(int p)
{
	return p >= 0 && p <= 5 ? prec_names[p] : "invalid";
}

static int
gp_index(const char *const *names, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

const struct gp_rule *
gp_rule_of(const struct gp_direction *d, enum gp_kind k)
{
	size_t	i;

	for (i = 0; i < d->nrules; i++)
		if (d->rules[i].kind == k)
			return &d->rules[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Tree helpers.  The schema has vouched for names; values are checked. */

static bool
gp_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, GP_NS) == 0 &&
	    strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *
gp_first(const xmlNode *n)
{
	for (n = n->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

static const xmlNode *
gp_next(const xmlNode *n)
{
	for (n = n->next; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			return n;
	return NULL;
}

/* An attribute as a malloc'd string, or NULL. */
static char *
gp_attr(const xmlNode *n, const char *name)
{
	xmlChar	*v;
	char	*s;

	if ((v = xmlGetNoNsProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* Element text, whitespace-trimmed, malloc'd. */
static char *
gp_text(const xmlNode *n)
{
	xmlChar	*v;
	char	*s, *p, *e;

	if ((v = xmlNodeGetContent(n)) == NULL)
		return xstrdup("");
	for (p = (char *)v; *p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'; p++)
		;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	*e = '\0';
	s = xstrdup(p);
	xmlFree(v);
	return s;
}

static bool
gp_bool(const xmlNode *n, const char *name, bool def)
{
	char	*v;
	bool	 b;

	if ((v = gp_attr(n, name)) == NULL)
		return def;
	b = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	free(v);
	return b;
}

static int
gp_long(struct gp_ctx *c, const xmlNode *n, const char *name, long long def,
    long long min, long long max, long long *out)
{
	char		*v, *end;
	long long	 x;

	if ((v = gp_attr(n, name)) == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max) {
		gp_fail(c, n, "%s \"%s\": expected an integer from %lld to "
		    "%lld", name, v, min, max);
		free(v);
		return -1;
	}
	free(v);
	*out = x;
	return 0;
}

static int
gp_action(struct gp_ctx *c, const xmlNode *n, const char *name,
    enum gp_verdict def, enum gp_verdict *out)
{
	char	*v;
	int	 k;

	if ((v = gp_attr(n, name)) == NULL) {
		*out = def;
		return 0;
	}
	k = gp_index(verdict_names, 4, v);
	if (k < 1) {
		gp_fail(c, n, "%s \"%s\": expected reject, quarantine or "
		    "refer", name, v);
		free(v);
		return -1;
	}
	free(v);
	*out = (enum gp_verdict)k;
	return 0;
}

/* Split on whitespace into a NULL-terminated malloc'd vector. */
static char **
gp_words(const char *s, size_t *n)
{
	char	**v = NULL, *copy, *p, *w;
	size_t	  k = 0;

	copy = xstrdup(s);
	for (p = copy; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r')
			p++;
		if (*p != '\0')
			*p++ = '\0';
		v = xreallocarray(v, k + 2, sizeof(*v));
		v[k++] = xstrdup(w);
		v[k] = NULL;
	}
	free(copy);
	*n = k;
	return v;
}

static void
gp_strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* dir/name, or name when it is absolute. */
static char *
gp_path(const char *dir, const char *name)
{
	size_t	 n;
	char	*p;

	if (name[0] == '/' || dir == NULL || dir[0] == '\0')
		return xstrdup(name);
	n = strlen(dir) + strlen(name) + 2;
	p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* ------------------------------------------------------------------ */
/* SPIF name resolution for clearances. */

static const struct gp_spif *
gp_spif_named(const struct guardpol *gp, const char *name)
{
	size_t	i;

	for (i = 0; i < gp->nspifs; i++)
		if (strcmp(gp->spifs[i].name, name) == 0)
			return &gp->spifs[i];
	return NULL;
}

static const struct spif_tagset *
gp_tagset_named(const struct spif *s, const char *name)
{
	size_t	i;

	for (i = 0; i < s->ntagsets; i++)
		if (s->tagsets[i].name != NULL &&
		    strcmp(s->tagsets[i].name, name) == 0)
			return &s->tagsets[i];
	return NULL;
}

static int
gp_label_spec(struct gp_ctx *c, const xmlNode *n, const struct spif *s,
    struct label *l)
{
	const xmlNode			*k;
	const struct spif_class		*cl;
	const struct spif_tagset	*ts;
	const struct spif_tag		*tag;
	char				*v, *tsname, *vals, **w;
	size_t				 nw, i, t, j;
	uint32_t			 lacv;
	bool				 found;
	char				 why[256];

	label_set_policy(l, s->id);
	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		if (gp_is(k, "classification")) {
			v = gp_text(k);
			cl = spif_class_by_name(s, v);
			if (cl == NULL) {
				gp_fail(c, k, "\"%s\": no such classification "
				    "in policy %s", v, s->name);
				free(v);
				return -1;
			}
			free(v);
			l->classification = cl->lacv;
			continue;
		}
		if (!gp_is(k, "category"))
			return gp_fail(c, k, "unexpected element");
		tsname = gp_attr(k, "tagSet");
		vals = gp_attr(k, "values");
		if (tsname == NULL || vals == NULL ||
		    (ts = gp_tagset_named(s, tsname)) == NULL) {
			gp_fail(c, k, "tagSet \"%s\": no such tag set in "
			    "policy %s", tsname ? tsname : "", s->name);
			free(tsname);
			free(vals);
			return -1;
		}
		w = gp_words(vals, &nw);
		for (i = 0; i < nw; i++) {
			found = false;
			for (t = 0; t < ts->ntags && !found; t++) {
				tag = &ts->tags[t];
				for (j = 0; j < tag->ncats; j++)
					if (strcmp(tag->cats[j].name, w[i]) ==
					    0) {
						lacv = tag->cats[j].lacv;
						if (label_add(l, ts->id,
						    tag->type, &lacv, 1) == -1)
							goto toomany;
						found = true;
						break;
					}
			}
			if (!found) {
				gp_fail(c, k, "\"%s\": no such category in "
				    "tag set %s", w[i], tsname);
				goto bad;
			}
		}
		gp_strv_free(w, nw);
		free(tsname);
		free(vals);
	}
	if (l->classification == LABEL_NO_CLASS)
		return gp_fail(c, n, "no classification");
	if (label_valid(s, l, why, sizeof(why)) == -1)
		return gp_fail(c, n, "not a valid label of policy %s: %s",
		    s->name, why);
	return 0;
 toomany:
	gp_fail(c, k, "too many categories");
 bad:
	gp_strv_free(w, nw);
	free(tsname);
	free(vals);
	return -1;
}

/* ------------------------------------------------------------------ */
/* Rules. */

static int
gp_c_signature(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	char		*v, *path, e[512];
	long long	 x;
	size_t		 i;
	const char	*const *crls;

	r->u.sig.required = gp_bool(n, "required", true);
	if (gp_action(c, n, "unsigned", GP_REJECT,
	    &r->u.sig.unsigned_action) == -1)
		return -1;
	v = gp_attr(n, "anchors");
	r->u.sig.anchors = gp_words(v ? v : "", &r->u.sig.nanchors);
	free(v);
	if (r->u.sig.nanchors == 0)
		return gp_fail(c, n, "no trust anchors");
	if (r->u.sig.nanchors > 1)
		return gp_fail(c, n, "one anchors file (it may hold several "
		    "certificates)");
	if ((v = gp_attr(n, "crls")) != NULL) {
		r->u.sig.crls = gp_words(v, &r->u.sig.ncrls);
		free(v);
	}
	if ((v = gp_attr(n, "digests")) != NULL) {
		r->u.sig.digests = gp_words(v, &r->u.sig.ndigests);
		free(v);
		for (i = 0; i < r->u.sig.ndigests; i++)
			if (EVP_get_digestbyname(r->u.sig.digests[i]) == NULL)
				return gp_fail(c, n, "digest \"%s\": unknown "
				    "to OpenSSL", r->u.sig.digests[i]);
	}
	if (gp_long(c, n, "minRsaBits", 2048, 1024, 16384, &x) == -1)
		return -1;
	r->u.sig.min_rsa = (int)x;
	if (gp_long(c, n, "minEcBits", 256, 160, 571, &x) == -1)
		return -1;
	r->u.sig.min_ec = (int)x;

	cms_config_init(&r->u.sig.cms);
	r->u.sig.cms.min_rsa_bits = r->u.sig.min_rsa;
	r->u.sig.cms.min_ec_bits = r->u.sig.min_ec;
	if (r->u.sig.ndigests > 0)
		r->u.sig.cms.digests = (const char *const *)r->u.sig.digests;
	r->u.sig.cms.crl_check = r->u.sig.ncrls > 0;
	if (c->pki == NULL)
		return 0;
	path = gp_path(c->pki, r->u.sig.anchors[0]);
	{
		char	**cp = xcalloc(r->u.sig.ncrls + 1, sizeof(*cp));
		int	  rc;

		for (i = 0; i < r->u.sig.ncrls; i++)
			cp[i] = gp_path(c->pki, r->u.sig.crls[i]);
		crls = (const char *const *)cp;
		rc = cms_config_load(&r->u.sig.cms, path, crls,
		    r->u.sig.ncrls, e, sizeof(e));
		gp_strv_free(cp, r->u.sig.ncrls);
		free(path);
		if (rc == -1)
			return gp_fail(c, n, "%s", e);
	}
	r->u.sig.store = true;
	return 0;
}

static int
gp_c_label(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	char	*v;

	r->u.label.required = gp_bool(n, "required", true);
	r->u.label.disagreement = GP_REJECT;
	if ((v = gp_attr(n, "disagreement")) != NULL) {
		if (strcmp(v, "record") == 0)
			r->u.label.record_only = true;
		else if (gp_action(c, n, "disagreement", GP_REJECT,
		    &r->u.label.disagreement) == -1) {
			free(v);
			return -1;
		}
		free(v);
	}
	if ((v = gp_attr(n, "forward")) != NULL) {
		r->u.label.forward_source = strcmp(v, "source") == 0;
		free(v);
	}
	return 0;
}

static int
gp_c_release(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode	*k;
	struct gp_signer *s;
	char		*v, *p, *q;

	if ((v = gp_attr(n, "missing")) != NULL) {
		r->action = strcmp(v, "reject") == 0 ? GP_REJECT : GP_REFER;
		free(v);
	} else
		r->action = GP_REFER;
	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		r->u.rel.signers = xreallocarray(r->u.rel.signers,
		    r->u.rel.nsigners + 1, sizeof(*r->u.rel.signers));
		s = &r->u.rel.signers[r->u.rel.nsigners++];
		memset(s, 0, sizeof(*s));
		s->subject = gp_attr(k, "subject");
		s->cert_policy = gp_attr(k, "certPolicy");
		if ((v = gp_attr(k, "keyId")) != NULL) {
			for (p = q = v; *p != '\0'; p++)
				if (*p != ':')
					*q++ = (char)(*p >= 'A' && *p <= 'F' ?
					    *p - 'A' + 'a' : *p);
			*q = '\0';
			s->key_id = v;
		}
		if ((s->subject != NULL) + (s->key_id != NULL) +
		    (s->cert_policy != NULL) != 1)
			return gp_fail(c, k, "exactly one of subject, keyId, "
			    "certPolicy");
	}
	if (r->u.rel.nsigners == 0)
		return gp_fail(c, n, "no signer");
	return 0;
}

/* One phrase per line; blank lines and lines starting with # skipped. */
static int
gp_phrase_file(struct gp_ctx *c, const xmlNode *n, const char *name,
    int weight, const char *id, struct dlp_rule **rules, size_t *nrules,
    char ***texts)
{
	char	*path, *data, *p, *e, *line;
	size_t	 len;
	long	 ln = 0;

	path = gp_path(c->dir, name);
	if ((data = file_read(path, GP_MAX_PHRASE_FILE, &len)) == NULL) {
		gp_fail(c, n, "%s: %s", path, errno == EFBIG ?
		    "phrase list too large" : strerror(errno));
		free(path);
		return -1;
	}
	for (p = data; p < data + len; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(data + len - p))) == NULL)
			e = data + len;
		*e = '\0';
		ln++;
		if (e > p && e[-1] == '\r')
			e[-1] = '\0';
		line = p;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if (*nrules >= DLP_MAX_RULES) {
			gp_fail(c, n, "%s:%ld: more than %d phrases", path,
			    ln, DLP_MAX_RULES);
			free(data);
			free(path);
			return -1;
		}
		*rules = xreallocarray(*rules, *nrules + 1, sizeof(**rules));
		*texts = xreallocarray(*texts, *nrules + 1, sizeof(**texts));
		(*texts)[*nrules] = xstrdup(line);
		(*rules)[*nrules].id = id;
		(*rules)[*nrules].phrase = (*texts)[*nrules];
		(*rules)[*nrules].weight = weight;
		(*nrules)++;
	}
	free(data);
	free(path);
	return 0;
}

static int
gp_c_leakage(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode	*k;
	struct dlp_rule	*rules = NULL;
	size_t		 nrules = 0, i;
	char		**texts = NULL, *v, e[512];
	long long	 w, t;
	int		 rc = -1;

	if (gp_action(c, n, "action", GP_QUARANTINE, &r->action) == -1 ||
	    gp_long(c, n, "threshold", 1, 1, LLONG_MAX / 4, &t) == -1)
		return -1;
	r->u.dlp.threshold = t;
	r->u.dlp.ignore_separators = gp_bool(n, "ignoreSeparators", false);
	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		if (gp_long(c, k, "weight", 1, -1000000, 1000000, &w) == -1)
			goto out;
		if (gp_is(k, "phrase")) {
			rules = xreallocarray(rules, nrules + 1,
			    sizeof(*rules));
			texts = xreallocarray(texts, nrules + 1,
			    sizeof(*texts));
			texts[nrules] = gp_text(k);
			rules[nrules].id = r->id;
			rules[nrules].phrase = texts[nrules];
			rules[nrules].weight = (int)w;
			if (texts[nrules++][0] == '\0') {
				gp_fail(c, k, "empty phrase");
				goto out;
			}
		} else {
			v = gp_attr(k, "file");
			if (gp_phrase_file(c, k, v ? v : "", (int)w, r->id,
			    &rules, &nrules, &texts) == -1) {
				free(v);
				goto out;
			}
			free(v);
		}
	}
	if (nrules == 0) {
		gp_fail(c, n, "no phrases");
		goto out;
	}
	r->u.dlp.set = dlp_compile(rules, nrules,
	    r->u.dlp.ignore_separators ? DLP_IGNORE_SEPARATORS : 0, e,
	    sizeof(e));
	if (r->u.dlp.set == NULL) {
		gp_fail(c, n, "%s", e);
		goto out;
	}
	rc = 0;
 out:
	/* Keep the texts (for diff and hits); weights kept as prefixes. */
	r->u.dlp.phrases = xcalloc(nrules + 1, sizeof(char *));
	for (i = 0; i < nrules; i++) {
		size_t	 len = strlen(texts[i]) + 16;
		char	*s = xmalloc(len);

		(void)snprintf(s, len, "%d:%s", rules[i].weight, texts[i]);
		r->u.dlp.phrases[i] = s;
		free(texts[i]);
	}
	r->u.dlp.nphrases = nrules;
	free(texts);
	free(rules);
	return rc;
}

static int
gp_c_patterns(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode		*k;
	struct gp_pattern	*p;

	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		r->u.pat.pats = xreallocarray(r->u.pat.pats,
		    r->u.pat.npats + 1, sizeof(*r->u.pat.pats));
		p = &r->u.pat.pats[r->u.pat.npats++];
		p->allow = gp_is(k, "allow");
		p->glob = gp_text(k);
		if (p->glob[0] == '\0')
			return gp_fail(c, k, "empty pattern");
		/* A pattern fnmatch cannot read is refused now. */
		if (fnmatch(p->glob, "", FNM_CASEFOLD) != 0 &&
		    fnmatch(p->glob, "", FNM_CASEFOLD) != FNM_NOMATCH)
			return gp_fail(c, k, "bad pattern \"%s\"", p->glob);
	}
	return 0;
}

static int
gp_c_bodyparts(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode	*k;
	char		*v;
	int		 t;

	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		v = gp_text(k);
		if (gp_is(k, "allowOid")) {
			r->u.bp.oids = xreallocarray(r->u.bp.oids,
			    r->u.bp.noids + 1, sizeof(*r->u.bp.oids));
			r->u.bp.oids[r->u.bp.noids++] = v;
			continue;
		}
		for (t = 0; t < X400_BP__COUNT; t++)
			if (strcmp(x400_bp_name((enum x400_bp)t), v) == 0)
				break;
		if (t == X400_BP__COUNT || t == X400_BP_UNKNOWN) {
			gp_fail(c, k, "\"%s\": not a body part type the "
			    "decoder knows", v);
			free(v);
			return -1;
		}
		free(v);
		r->u.bp.types |= 1u << t;
	}
	return 0;
}

static int
gp_c_size(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	long long	x;

	if (gp_long(c, n, "maxBytes", 0, 1, LLONG_MAX, &x) == -1)
		return -1;
	r->u.size.max_bytes = (uint64_t)x;
	if (gp_long(c, n, "maxRecipients", 0, 1, LLONG_MAX, &x) == -1)
		return -1;
	r->u.size.max_rcpt = (uint64_t)x;
	if (r->u.size.max_bytes == 0 && r->u.size.max_rcpt == 0)
		return gp_fail(c, n, "neither maxBytes nor maxRecipients");
	return 0;
}

static int
gp_c_msgtypes(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode	*k;
	char		*v;
	int		 t;

	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		v = gp_text(k);
		t = gp_index(mt_names, 5, v);
		if (t == -1) {
			gp_fail(c, k, "\"%s\": not a message type", v);
			free(v);
			return -1;
		}
		free(v);
		r->u.mt.allowed |= 1u << t;
	}
	return 0;
}

static int
gp_prec_attr(struct gp_ctx *c, const xmlNode *n, const char *name, int def,
    int *out)
{
	char	*v;
	int	 p;

	if ((v = gp_attr(n, name)) == NULL) {
		*out = def;
		return 0;
	}
	if ((p = gp_index(prec_names, 6, v)) == -1) {
		gp_fail(c, n, "%s \"%s\": not a precedence", name, v);
		free(v);
		return -1;
	}
	free(v);
	*out = p;
	return 0;
}

static int
gp_c_precedence(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r)
{
	const xmlNode	*k;
	struct gp_cap	*cap;

	if (gp_prec_attr(c, n, "max", 5, &r->u.prec.max) == -1)
		return -1;
	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		r->u.prec.caps = xreallocarray(r->u.prec.caps,
		    r->u.prec.ncaps + 1, sizeof(*r->u.prec.caps));
		cap = &r->u.prec.caps[r->u.prec.ncaps++];
		cap->originator = gp_attr(k, "originator");
		if (cap->originator == NULL)
			return gp_fail(c, k, "no originator");
		if (gp_prec_attr(c, k, "max", 5, &cap->max) == -1)
			return -1;
	}
	return 0;
}

static int
gp_c_disp(struct gp_ctx *c, const xmlNode *n, struct gp_rule *r,
    const struct gp_direction *d)
{
	const xmlNode	*k;
	char		*v;

	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		v = gp_text(k);
		if (gp_is(k, "subtree")) {
			r->u.disp.subtrees = xreallocarray(r->u.disp.subtrees,
			    r->u.disp.nsubtrees + 1, sizeof(char *));
			r->u.disp.subtrees[r->u.disp.nsubtrees++] = v;
		} else if (gp_is(k, "attribute")) {
			r->u.disp.attributes = xreallocarray(
			    r->u.disp.attributes, r->u.disp.nattributes + 1,
			    sizeof(char *));
			r->u.disp.attributes[r->u.disp.nattributes++] = v;
		} else {
			if (spif_class_by_name(d->source->spif, v) == NULL) {
				gp_fail(c, k, "\"%s\": no such classification "
				    "in policy %s", v, d->source->name);
				free(v);
				return -1;
			}
			free(r->u.disp.max_class);
			r->u.disp.max_class = v;
		}
	}
	return 0;
}

static int
gp_rule(struct gp_ctx *c, const xmlNode *n, struct gp_direction *d)
{
	struct gp_rule	*r;
	size_t		 i;
	int		 k, rc;

	k = gp_index(kind_names, sizeof(kind_names) / sizeof(kind_names[0]),
	    (const char *)n->name);
	if (k == -1)
		return gp_fail(c, n, "not a rule");
	for (i = 0; i < d->nrules; i++)
		if (d->rules[i].kind == (enum gp_kind)k &&
		    (k == GP_SIGNATURE || k == GP_LABEL || k == GP_CLEARANCE ||
		    k == GP_RELEASE_AUTHORITY))
			return gp_fail(c, n, "only one %s rule per direction "
			    "(the first is at line %ld)", kind_names[k],
			    d->rules[i].line);
	d->rules = xreallocarray(d->rules, d->nrules + 1, sizeof(*d->rules));
	r = &d->rules[d->nrules++];
	memset(r, 0, sizeof(*r));
	r->kind = (enum gp_kind)k;
	r->dir = d->dir;
	r->line = (long)xmlGetLineNo(n);
	if ((r->id = gp_attr(n, "id")) == NULL)
		return gp_fail(c, n, "no id");
	if (strncmp(r->id, "guard.", 6) == 0)
		return gp_fail(c, n, "id \"%s\": ids beginning with \"guard.\" "
		    "name the guard's own checks", r->id);
	if (gp_action(c, n, "action", GP_REJECT, &r->action) == -1)
		return -1;
	switch (r->kind) {
	case GP_SIGNATURE:
		rc = gp_c_signature(c, n, r);
		break;
	case GP_LABEL:
		rc = gp_c_label(c, n, r);
		break;
	case GP_CLEARANCE:
		label_init(&r->u.clr.clearance);
		rc = gp_label_spec(c, n, d->destination->spif,
		    &r->u.clr.clearance);
		break;
	case GP_RELEASE_AUTHORITY:
		rc = gp_c_release(c, n, r);
		break;
	case GP_LEAKAGE:
		rc = gp_c_leakage(c, n, r);
		break;
	case GP_SICS:
	case GP_ORIGINATORS:
	case GP_RECIPIENTS:
		rc = gp_c_patterns(c, n, r);
		break;
	case GP_BODY_PARTS:
		rc = gp_c_bodyparts(c, n, r);
		break;
	case GP_SIZE:
		rc = gp_c_size(c, n, r);
		break;
	case GP_MESSAGE_TYPES:
		rc = gp_c_msgtypes(c, n, r);
		break;
	case GP_PRECEDENCE:
		rc = gp_c_precedence(c, n, r);
		break;
	case GP_DISP:
	default:
		rc = gp_c_disp(c, n, r, d);
		break;
	}
	return rc;
}

static int
gp_direction(struct gp_ctx *c, const xmlNode *n)
{
	struct gp_direction	*d;
	const xmlNode		*k;
	enum gp_dir		 dir;
	char			*v;
	const struct gp_spif	**end;

	v = gp_attr(n, "name");
	if (v == NULL || gp_dir_from_name(v, &dir) == -1) {
		gp_fail(c, n, "name \"%s\": expected high-to-low or "
		    "low-to-high", v ? v : "");
		free(v);
		return -1;
	}
	free(v);
	d = &c->gp->dirs[dir];
	if (d->present)
		return gp_fail(c, n, "direction %s given twice",
		    dir_names[dir]);
	d->present = true;
	d->dir = dir;
	for (k = gp_first(n); k != NULL; k = gp_next(k)) {
		if (gp_is(k, "source") || gp_is(k, "destination")) {
			end = gp_is(k, "source") ? &d->source :
			    &d->destination;
			v = gp_attr(k, "policy");
			if ((*end = gp_spif_named(c->gp, v ? v : "")) ==
			    NULL) {
				gp_fail(c, k, "policy \"%s\": no such "
				    "securityPolicy", v ? v : "");
				free(v);
				return -1;
			}
			free(v);
			continue;
		}
		if (d->source == NULL || d->destination == NULL)
			return gp_fail(c, k, "source and destination come "
			    "first");
		if (d->source == d->destination)
			return gp_fail(c, n, "source and destination are the "
			    "same policy");
		if (gp_rule(c, k, d) == -1)
			return -1;
	}
	if (d->source == NULL || d->destination == NULL)
		return gp_fail(c, n, "source and destination are required");
	if (d->source == d->destination)
		return gp_fail(c, n, "source and destination are the same "
		    "policy");
	return 0;
}

static int
gp_root(struct gp_ctx *c, const xmlNode *root)
{
	struct guardpol	*gp = c->gp;
	const xmlNode	*n;
	struct gp_spif	*s;
	long long	 days;
	char		*path, *data, e[1024];
	size_t		 len;
	unsigned	 dlen;

	if (!gp_is(root, "guardPolicy"))
		return gp_fail(c, root, "not a guard policy");
	gp->name = gp_attr(root, "name");
	gp->version = gp_attr(root, "version");
	for (n = gp_first(root); n != NULL; n = gp_next(n)) {
		if (gp_is(n, "securityPolicy")) {
			gp->spifs = xreallocarray(gp->spifs, gp->nspifs + 1,
			    sizeof(*gp->spifs));
			s = &gp->spifs[gp->nspifs++];
			memset(s, 0, sizeof(*s));
			s->name = gp_attr(n, "name");
			s->file = gp_attr(n, "spif");
			if (s->name == NULL || s->file == NULL)
				return gp_fail(c, n, "name and spif required");
			path = gp_path(c->dir, s->file);
			if ((data = file_read(path, SPIF_MAX_SIZE, &len)) ==
			    NULL) {
				gp_fail(c, n, "%s: %s", path, errno == EFBIG ?
				    "larger than the SPIF limit" :
				    strerror(errno));
				free(path);
				return -1;
			}
			(void)EVP_Digest(data, len, s->digest, &dlen,
			    EVP_sha256(), NULL);
			s->spif = spif_load(path, data, len, e, sizeof(e));
			free(data);
			free(path);
			if (s->spif == NULL)
				return gp_fail(c, n, "%s", e);
		} else if (gp_is(n, "retention")) {
			if (gp_long(c, n, "days", 0, 1, 36500, &days) == -1)
				return -1;
			gp->retention_days = (int)days;
		} else if (gp_is(n, "direction")) {
			if (gp_direction(c, n) == -1)
				return -1;
		} else
			return gp_fail(c, n, "unexpected element");
	}
	if (gp->retention_days == 0)
		return gp_fail(c, root, "no retention");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsing and schema validation. */

static void
gp_xml_error(void *arg, xmlErrorPtr e)
{
	struct gp_ctx	*c = arg;
	char		 msg[512], *p, *q;
	size_t		 nslen = strlen("{" GP_NS "}");

	if (c->failed || e == NULL || e->level < XML_ERR_ERROR)
		return;
	(void)snprintf(msg, sizeof(msg), "%s", e->message ? e->message :
	    "error");
	/* "{urn:...}name" reads as "name"; no trailing newline. */
	while ((p = strstr(msg, "{" GP_NS "}")) != NULL)
		memmove(p, p + nslen, strlen(p + nslen) + 1);
	for (q = msg + strlen(msg); q > msg && (q[-1] == '\n' ||
	    q[-1] == ' '); q--)
		q[-1] = '\0';
	c->failed = true;
	(void)snprintf(c->err, c->errlen, "%s:%d: %s: %s", c->file, e->line,
	    e->node != NULL && ((xmlNode *)e->node)->name != NULL ?
	    (const char *)((xmlNode *)e->node)->name : "xml", msg);
}

static void
gp_xml_quiet(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

/* The schema, parsed once from the copy built into the program. */
static xmlSchemaPtr
gp_schema(void)
{
	static xmlSchemaPtr	 schema;
	xmlSchemaParserCtxtPtr	 pc;

	if (schema != NULL)
		return schema;
	if ((pc = xmlSchemaNewMemParserCtxt(policy_schema_xsd,
	    (int)policy_schema_xsd_len)) == NULL)
		return NULL;
	schema = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	return schema;
}

bool
gp_sniff(const void *buf, size_t len)
{
	const char	*p = buf;
	size_t		 n = len < 4096 ? len : 4096;
	static const char ns[] = GP_NS;
	size_t		 i;

	for (i = 0; i + sizeof(ns) - 1 <= n; i++)
		if (memcmp(p + i, ns, sizeof(ns) - 1) == 0)
			return true;
	return false;
}

static char *
gp_dirname(const char *file)
{
	const char	*s = strrchr(file, '/');
	char		*d;

	if (s == NULL)
		return xstrdup(".");
	d = xmalloc((size_t)(s - file) + 1);
	memcpy(d, file, (size_t)(s - file));
	d[s - file] = '\0';
	if (d[0] == '\0') {
		free(d);
		return xstrdup("/");
	}
	return d;
}

struct guardpol *
gp_load(const char *file, const void *buf, size_t len, const char *pki,
    char *err, size_t errlen)
{
	struct gp_ctx		 c;
	xmlStructuredErrorFunc	 oserror = xmlStructuredError;
	void			*osctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc	 ogerror = xmlGenericError;
	void			*ogctx = xmlGenericErrorContext;
	xmlDoc			*doc = NULL;
	xmlSchemaPtr		 schema;
	xmlSchemaValidCtxtPtr	 vc;
	struct guardpol		*gp;
	unsigned		 dlen;
	int			 v;

	memset(&c, 0, sizeof(c));
	c.file = file;
	c.pki = pki;
	c.err = err;
	c.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	/* The same locks as for SPIFs and labels (xmldoc.h). */
	if ((doc = xmldoc_read(file, "guardPolicy", buf, len, GP_MAX_SIZE,
	    err, errlen)) == NULL)
		return NULL;
	c.gp = gp = xcalloc(1, sizeof(*gp));
	gp->file = xstrdup(file);
	c.dir = gp_dirname(file);
	(void)EVP_Digest(buf, len, gp->digest, &dlen, EVP_sha256(), NULL);

	xmlSetStructuredErrorFunc(&c, gp_xml_error);
	xmlSetGenericErrorFunc(NULL, gp_xml_quiet);
	if ((schema = gp_schema()) == NULL)
		gp_fail(&c, NULL, "the built-in schema does not load");
	else if ((vc = xmlSchemaNewValidCtxt(schema)) == NULL)
		gp_fail(&c, NULL, "out of memory");
	else {
		xmlSchemaSetValidStructuredErrors(vc, gp_xml_error, &c);
		v = xmlSchemaValidateDoc(vc, doc);
		xmlSchemaFreeValidCtxt(vc);
		if (v != 0 && !c.failed)
			gp_fail(&c, NULL, "not valid under the guard policy "
			    "schema");
	}
	xmlSetStructuredErrorFunc(osctx, oserror);
	xmlSetGenericErrorFunc(ogctx, ogerror);
	if (c.failed)
		goto fail;
	if (gp_root(&c, xmlDocGetRootElement(doc)) == -1)
		goto fail;
	xmlFreeDoc(doc);
	free(c.dir);
	return gp;
 fail:
	if (doc != NULL)
		xmlFreeDoc(doc);
	free(c.dir);
	gp_free(gp);
	return NULL;
}

struct guardpol *
gp_load_file(const char *path, const char *pki, char *err, size_t errlen)
{
	struct guardpol	*gp;
	char		*data;
	size_t		 len;

	if ((data = file_read(path, GP_MAX_SIZE, &len)) == NULL) {
		snprintf(err, errlen, "%s:0: guardPolicy: %s", path,
		    errno == EFBIG ? "too large" : strerror(errno));
		return NULL;
	}
	gp = gp_load(path, data, len, pki, err, errlen);
	free(data);
	return gp;
}

static void
gp_rule_free(struct gp_rule *r)
{
	size_t	i;

	switch (r->kind) {
	case GP_SIGNATURE:
		gp_strv_free(r->u.sig.anchors, r->u.sig.nanchors);
		gp_strv_free(r->u.sig.crls, r->u.sig.ncrls);
		gp_strv_free(r->u.sig.digests, r->u.sig.ndigests);
		cms_config_free(&r->u.sig.cms);
		break;
	case GP_CLEARANCE:
		label_free(&r->u.clr.clearance);
		free(r->u.clr.text);
		break;
	case GP_RELEASE_AUTHORITY:
		for (i = 0; i < r->u.rel.nsigners; i++) {
			free(r->u.rel.signers[i].subject);
			free(r->u.rel.signers[i].key_id);
			free(r->u.rel.signers[i].cert_policy);
		}
		free(r->u.rel.signers);
		break;
	case GP_LEAKAGE:
		dlp_free(r->u.dlp.set);
		gp_strv_free(r->u.dlp.phrases, r->u.dlp.nphrases);
		break;
	case GP_SICS:
	case GP_ORIGINATORS:
	case GP_RECIPIENTS:
		for (i = 0; i < r->u.pat.npats; i++)
			free(r->u.pat.pats[i].glob);
		free(r->u.pat.pats);
		break;
	case GP_BODY_PARTS:
		gp_strv_free(r->u.bp.oids, r->u.bp.noids);
		break;
	case GP_PRECEDENCE:
		for (i = 0; i < r->u.prec.ncaps; i++)
			free(r->u.prec.caps[i].originator);
		free(r->u.prec.caps);
		break;
	case GP_DISP:
		gp_strv_free(r->u.disp.subtrees, r->u.disp.nsubtrees);
		gp_strv_free(r->u.disp.attributes, r->u.disp.nattributes);
		free(r->u.disp.max_class);
		break;
	default:
		break;
	}
	free(r->id);
}

void
gp_free(struct guardpol *gp)
{
	size_t	i, j;

	if (gp == NULL)
		return;
	for (i = 0; i < GP_NDIRS; i++) {
		for (j = 0; j < gp->dirs[i].nrules; j++)
			gp_rule_free(&gp->dirs[i].rules[j]);
		free(gp->dirs[i].rules);
	}
	for (i = 0; i < gp->nspifs; i++) {
		free(gp->spifs[i].name);
		free(gp->spifs[i].file);
		spif_free(gp->spifs[i].spif);
	}
	free(gp->spifs);
	free(gp->file);
	free(gp->name);
	free(gp->version);
	free(gp);
}

/* ------------------------------------------------------------------ */
/* Descriptions, for people. */

struct gp_out {
	char	*p;
	size_t	 left;
	bool	 full;
};

static void gp_put(struct gp_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
gp_put(struct gp_out *o, const char *fmt, ...)
{
	va_list	ap;
	int	k;

	if (o->full)
		return;
	va_start(ap, fmt);
	k = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= o->left) {
		o->full = true;
		return;
	}
	o->p += k;
	o->left -= (size_t)k;
}

static void
gp_put_list(struct gp_out *o, const char *what, char *const *v, size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	gp_put(o, "; %s ", what);
	for (i = 0; i < n; i++)
		gp_put(o, "%s%s", i ? ", " : "", v[i]);
}

int
gp_rule_describe(const struct guardpol *gp, const struct gp_rule *r,
    char *buf, size_t len)
{
	struct gp_out	 o = { buf, len, len == 0 };
	char		 mark[512];
	size_t		 i;
	int		 t;
	const struct gp_direction *d = &gp->dirs[r->dir];

	gp_put(&o, "%s %s", kind_names[r->kind], r->id);
	switch (r->kind) {
	case GP_SIGNATURE:
		gp_put(&o, ": signatures %s (unsigned: %s; bad: %s); "
		    "anchors %s", r->u.sig.required ? "required" :
		    "optional", verdict_names[r->u.sig.unsigned_action],
		    verdict_names[r->action], r->u.sig.anchors[0]);
		gp_put_list(&o, "CRLs", r->u.sig.crls, r->u.sig.ncrls);
		gp_put_list(&o, "digests", r->u.sig.digests,
		    r->u.sig.ndigests);
		gp_put(&o, "; RSA at least %d bits, EC at least %d",
		    r->u.sig.min_rsa, r->u.sig.min_ec);
		break;
	case GP_LABEL:
		gp_put(&o, ": label %s (else %s); disagreeing labels: %s; "
		    "the forwarded message carries the %s label",
		    r->u.label.required ? "required" : "optional",
		    verdict_names[r->action], r->u.label.record_only ?
		    "recorded" : verdict_names[r->u.label.disagreement],
		    r->u.label.forward_source ? "source" : "destination");
		break;
	case GP_CLEARANCE:
		if (label_marking(d->destination->spif,
		    &r->u.clr.clearance, mark, sizeof(mark)) == -1)
			(void)snprintf(mark, sizeof(mark), "(unprintable)");
		gp_put(&o, ": at most %s may cross (else %s)", mark,
		    verdict_names[r->action]);
		break;
	case GP_RELEASE_AUTHORITY:
		gp_put(&o, ": released only when signed by ");
		for (i = 0; i < r->u.rel.nsigners; i++) {
			const struct gp_signer *s = &r->u.rel.signers[i];

			gp_put(&o, "%s", i ? " or " : "");
			if (s->subject)
				gp_put(&o, "subject \"%s\"", s->subject);
			else if (s->key_id)
				gp_put(&o, "key %s", s->key_id);
			else
				gp_put(&o, "certificate policy %s",
				    s->cert_policy);
		}
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_LEAKAGE:
		gp_put(&o, ": %zu phrases, threshold %lld%s (else %s)",
		    r->u.dlp.nphrases, r->u.dlp.threshold,
		    r->u.dlp.ignore_separators ? ", separators ignored" : "",
		    verdict_names[r->action]);
		break;
	case GP_SICS:
	case GP_ORIGINATORS:
	case GP_RECIPIENTS:
		gp_put(&o, ":");
		for (i = 0; i < r->u.pat.npats; i++)
			gp_put(&o, "%s %s \"%s\"", i ? "," : "",
			    r->u.pat.pats[i].allow ? "allow" : "deny",
			    r->u.pat.pats[i].glob);
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_BODY_PARTS:
		gp_put(&o, ": allowed");
		for (t = 0; t < X400_BP__COUNT; t++)
			if (r->u.bp.types & (1u << t))
				gp_put(&o, " %s", x400_bp_name(
				    (enum x400_bp)t));
		for (i = 0; i < r->u.bp.noids; i++)
			gp_put(&o, " %s", r->u.bp.oids[i]);
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_SIZE:
		gp_put(&o, ":");
		if (r->u.size.max_bytes)
			gp_put(&o, " at most %llu bytes",
			    (unsigned long long)r->u.size.max_bytes);
		if (r->u.size.max_rcpt)
			gp_put(&o, "%s at most %llu recipients",
			    r->u.size.max_bytes ? "," : "",
			    (unsigned long long)r->u.size.max_rcpt);
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_MESSAGE_TYPES:
		gp_put(&o, ": allowed");
		for (t = 0; t < 5; t++)
			if (r->u.mt.allowed & (1u << t))
				gp_put(&o, " %s", mt_names[t]);
		if (r->u.mt.allowed == 0)
			gp_put(&o, " nothing");
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_PRECEDENCE:
		gp_put(&o, ": at most %s", prec_names[r->u.prec.max]);
		for (i = 0; i < r->u.prec.ncaps; i++)
			gp_put(&o, "; at most %s from \"%s\"",
			    prec_names[r->u.prec.caps[i].max],
			    r->u.prec.caps[i].originator);
		gp_put(&o, " (else %s)", verdict_names[r->action]);
		break;
	case GP_DISP:
		gp_put(&o, ": directory replication");
		gp_put_list(&o, "subtrees", r->u.disp.subtrees,
		    r->u.disp.nsubtrees);
		gp_put_list(&o, "attributes", r->u.disp.attributes,
		    r->u.disp.nattributes);
		if (r->u.disp.max_class)
			gp_put(&o, "; entries up to %s", r->u.disp.max_class);
		break;
	}
	return o.full ? -1 : 0;
}
