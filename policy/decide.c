/*
 * decide.c - the decision engine (decide.h).
 *
 * One function per rule kind, each given the facts and appending reasons;
 * decide() runs the guard's own checks, then the direction's rules in
 * order.  Nothing here reads a file, the clock or the environment.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filters/cms/ess.h"
#include "filters/dlp/dlp.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/json.h"
#include "guard/common/xmalloc.h"
#include "policy/decide.h"

struct decide_ctx {
	struct dlp_scratch	*scratch;
};

/* The state of one decision. */
struct dstate {
	const struct guardpol		*gp;
	const struct gp_direction	*d;
	const struct decide_in		*in;
	const struct x400_ipm		*ipm;	/* NULL: no IPM content */
	struct decide_ctx		*ctx;
	struct verdict			*v;
	bool				 have_label;	/* v->source valid */
	const struct spif		*source_spif;	/* of v->source */
};

struct decide_ctx *
decide_ctx_new(const struct guardpol *gp, char *err, size_t errlen)
{
	struct decide_ctx	*c = xcalloc(1, sizeof(*c));
	size_t			 d, i;

	/*
	 * The matcher's scratch is sized now for every leakage rule of the
	 * policy, so that deciding allocates nothing it could fail to get.
	 */
	for (d = 0; gp != NULL && d < GP_NDIRS; d++)
		for (i = 0; i < gp->dirs[d].nrules; i++) {
			const struct gp_rule *r = &gp->dirs[d].rules[i];

			if (r->kind != GP_LEAKAGE)
				continue;
			if (c->scratch == NULL)
				c->scratch = dlp_scratch_new(r->u.dlp.set, err,
				    errlen);
			else if (dlp_scratch_grow(c->scratch, r->u.dlp.set) ==
			    -1) {
				(void)snprintf(err, errlen, "leakage rule %s: "
				    "cannot size the matcher's scratch", r->id);
				dlp_scratch_free(c->scratch);
				c->scratch = NULL;
			}
			if (c->scratch == NULL) {
				free(c);
				return NULL;
			}
		}
	return c;
}

void
decide_ctx_free(struct decide_ctx *c)
{
	if (c == NULL)
		return;
	dlp_scratch_free(c->scratch);
	free(c);
}

/* Append to a NUL-terminated text, truncating. */
static size_t
strlcat_text(char *dst, const char *src, size_t size)
{
	size_t	n = strlen(dst);

	if (n + 1 < size)
		(void)snprintf(dst + n, size - n, "%s", src);
	return n + strlen(src);
}

static void reason(struct dstate *, const char *, enum gp_verdict,
    const char *, ...) __attribute__((format(printf, 4, 5)));

static void
reason(struct dstate *s, const char *rule, enum gp_verdict a,
    const char *fmt, ...)
{
	struct verdict		*v = s->v;
	struct decide_reason	*r;
	va_list			 ap;

	if (s->in->officer && (a == GP_REFER || a == GP_QUARANTINE))
		a = GP_RELEASE;		/* the officer's decision stands */
	if (a > v->verdict)
		v->verdict = a;
	v->total_reasons++;
	if (v->nreasons == DECIDE_MAX_REASONS)
		return;
	r = &v->reasons[v->nreasons++];
	(void)snprintf(r->rule, sizeof(r->rule), "%s", rule);
	r->action = a;
	va_start(ap, fmt);
	(void)vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
	if (s->in->officer && a == GP_RELEASE)
		(void)strlcat_text(r->text, " (released by an officer)",
		    sizeof(r->text));
}

/* ------------------------------------------------------------------ */
/* Labels. */

/* A decoded label (ESS or X.411 shape) as the policy's struct label. */
static int
label_of_x411(const struct x400_label *x, struct label *out, char *why,
    size_t len)
{
	struct x400_dec		d;
	struct ess_label	e;
	const uint8_t		*raw = x->raw;
	int			rc;

	memset(&d, 0, sizeof(d));
	memset(&e, 0, sizeof(e));
	if (x->raw == NULL) {
		(void)snprintf(why, len, "label not available as sent");
		return -1;
	}
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, x->raw, x->rawlen);
	/*
	 * The heading's information-labels carry the SecurityLabel under an
	 * IMPLICIT [0]: the same SET with another tag.  Read it as the SET.
	 */
	if (x->rawlen > 0 && x->raw[0] == 0xa0) {
		uint8_t	*copy = ber_alloc(&d.c, x->rawlen, x->raw);

		if (copy == NULL) {
			(void)snprintf(why, len, "label too large");
			x400_dec_free(&d);
			return -1;
		}
		memcpy(copy, x->raw, x->rawlen);
		copy[0] = 0x31;
		raw = copy;
	}
	if (ess_label_dec_bytes(&d, raw, x->rawlen, &e) == -1) {
		(void)snprintf(why, len, "label does not decode: %s",
		    x400_strerror(&d));
		x400_dec_free(&d);
		return -1;
	}
	rc = label_from_ess(&e, out, why, len);
	x400_dec_free(&d);
	return rc;
}

static bool
label_same(const struct label *a, const struct label *b)
{
	size_t	i;

	if ((a->policy == NULL) != (b->policy == NULL) ||
	    (a->policy != NULL && strcmp(a->policy, b->policy) != 0) ||
	    a->classification != b->classification ||
	    (a->privacy_mark == NULL) != (b->privacy_mark == NULL) ||
	    (a->privacy_mark != NULL &&
	    strcmp(a->privacy_mark, b->privacy_mark) != 0) ||
	    a->ncats != b->ncats)
		return false;
	for (i = 0; i < a->ncats; i++)
		if (strcmp(a->cats[i].tagset, b->cats[i].tagset) != 0 ||
		    a->cats[i].type != b->cats[i].type ||
		    a->cats[i].nvalues != b->cats[i].nvalues ||
		    memcmp(a->cats[i].values, b->cats[i].values,
		    a->cats[i].nvalues * sizeof(uint32_t)) != 0)
			return false;
	return true;
}

static const struct spif *
spif_of(const struct dstate *s, const char *policy)
{
	if (policy == NULL)
		return NULL;
	if (strcmp(policy, s->d->source->spif->id) == 0)
		return s->d->source->spif;
	if (strcmp(policy, s->d->destination->spif->id) == 0)
		return s->d->destination->spif;
	return NULL;
}

static void
marking(const struct spif *sp, const struct label *l, char *buf,
    size_t len)
{
	if (sp == NULL || label_marking(sp, l, buf, len) == -1)
		(void)snprintf(buf, len, "(policy %s, classification %lld)",
		    l->policy ? l->policy : "none",
		    (long long)l->classification);
}

/*
 * Gather the labels the message carries, compare them, pick the one to
 * judge.  Returns the number of labels found.
 */
static int
rule_label(struct dstate *s, const struct gp_rule *r)
{
	const struct x400_msg	*m = s->in->msg;
	const struct cms_facts	*f = s->in->cms;
	struct label		 l[3];
	static const char *const what[3] = { "the signed ESS label",
	    "the P1 message-security-label", "the P772 information-labels" };
	bool			 have[3] = { false, false, false };
	const struct spif	*src, *sp;
	struct label		 mapped;
	char			 why[256];
	int			 i, j, n = 0, pick = -1;
	bool			 out;

	for (i = 0; i < 3; i++)
		label_init(&l[i]);
	if (f != NULL && f->ok && f->label.present) {
		if (label_from_ess(&f->label, &l[0], why, sizeof(why)) == -1)
			reason(s, r->id, r->action, "%s: %s", what[0], why);
		else
			have[0] = true;
	}
	if (m->env.label.present) {
		if (label_of_x411(&m->env.label, &l[1], why, sizeof(why)) ==
		    -1)
			reason(s, r->id, r->action, "%s: %s", what[1], why);
		else
			have[1] = true;
	}
	if (s->ipm != NULL && s->ipm->has_info_labels &&
	    s->ipm->info_label.present) {
		if (label_of_x411(&s->ipm->info_label, &l[2], why,
		    sizeof(why)) == -1)
			reason(s, r->id, r->action, "%s: %s", what[2], why);
		else
			have[2] = true;
	}
	for (i = 0; i < 3; i++)
		if (have[i]) {
			n++;
			if (pick == -1)
				pick = i;
		}
	/* Every disagreement is a fact; the policy says what it means. */
	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (have[i] && have[j] && !label_same(&l[i], &l[j])) {
				if (r->u.label.record_only)
					continue;
				reason(s, r->id, r->u.label.disagreement,
				    "%s and %s disagree", what[i], what[j]);
			}
	if (pick == -1) {
		if (r->u.label.required)
			reason(s, r->id, r->action, "the message carries no "
			    "security label");
		goto done;
	}
	label_copy(&s->v->source, &l[pick]);
	s->v->has_source = true;
	src = spif_of(s, l[pick].policy);
	s->source_spif = src;
	marking(src, &l[pick], s->v->source_marking,
	    sizeof(s->v->source_marking));
	s->v->forward_source = r->u.label.forward_source;
	if (src == NULL) {
		reason(s, r->id, r->action, "label of policy %s: neither the "
		    "source (%s) nor the destination (%s) policy",
		    l[pick].policy ? l[pick].policy : "(none)",
		    s->d->source->name, s->d->destination->name);
		goto done;
	}
	if (label_valid(src, &l[pick], why, sizeof(why)) == -1) {
		reason(s, r->id, r->action, "not a valid %s label: %s",
		    src->name, why);
		goto done;
	}
	if (src == s->d->destination->spif) {
		label_copy(&s->v->destination, &l[pick]);
	} else {
		/* The equivalences live in one of the two SPIFs. */
		out = spif_policy_id(src, s->d->destination->spif->name) !=
		    NULL;
		sp = out ? src : s->d->destination->spif;
		if (!out && spif_policy_id(sp, src->name) == NULL) {
			reason(s, r->id, r->action, "no equivalence between "
			    "policies %s and %s", src->name,
			    s->d->destination->spif->name);
			goto done;
		}
		label_init(&mapped);
		if (label_map(sp, out ? LABEL_MAP_OUT : LABEL_MAP_IN,
		    out ? s->d->destination->spif->id : src->id, &l[pick],
		    &mapped, why, sizeof(why)) == -1) {
			label_free(&mapped);
			reason(s, r->id, r->action, "cannot map the %s label "
			    "to %s: %s", src->name,
			    s->d->destination->spif->name, why);
			goto done;
		}
		label_copy(&s->v->destination, &mapped);
		label_free(&mapped);
	}
	s->v->has_destination = true;
	marking(s->d->destination->spif, &s->v->destination,
	    s->v->destination_marking, sizeof(s->v->destination_marking));
	if (label_valid(s->d->destination->spif, &s->v->destination, why,
	    sizeof(why)) == -1) {
		s->v->has_destination = false;
		reason(s, r->id, r->action, "the mapped label is not valid "
		    "under %s: %s", s->d->destination->spif->name, why);
	}
 done:
	for (i = 0; i < 3; i++)
		label_free(&l[i]);
	return n;
}

static void
rule_clearance(struct dstate *s, const struct gp_rule *r)
{
	char	why[256], mark[DECIDE_MARK_LEN];

	if (!s->v->has_destination) {
		reason(s, r->id, r->action, "no label in policy %s to judge "
		    "against the clearance", s->d->destination->spif->name);
		return;
	}
	if (label_dominates(s->d->destination->spif, &r->u.clr.clearance,
	    &s->v->destination, why, sizeof(why)) == -1) {
		marking(s->d->destination->spif, &r->u.clr.clearance, mark,
		    sizeof(mark));
		reason(s, r->id, r->action, "%s exceeds the boundary "
		    "clearance %s: %s", s->v->destination_marking, mark, why);
	}
}

/* ------------------------------------------------------------------ */
/* Signatures and release authority. */

static void
rule_signature(struct dstate *s, const struct gp_rule *r)
{
	const struct cms_facts	*f = s->in->cms;

	if (f == NULL) {
		if (r->u.sig.required)
			reason(s, r->id, r->u.sig.unsigned_action,
			    "the message is not signed");
		return;
	}
	if (!f->ok)
		reason(s, r->id, r->action, "signature: %s", f->reason);
}

static bool
signer_matches(const struct gp_signer *g, const struct cms_signer *c)
{
	unsigned	i;

	if (g->subject != NULL)
		return c->subject != NULL && strcmp(g->subject, c->subject) ==
		    0;
	if (g->key_id != NULL)
		return c->ski != NULL && strcasecmp(g->key_id, c->ski) == 0;
	for (i = 0; i < c->npolicies; i++)
		if (strcmp(g->cert_policy, c->policies[i]) == 0)
			return true;
	return false;
}

static void
rule_release(struct dstate *s, const struct gp_rule *r)
{
	const struct cms_facts	*f = s->in->cms;
	unsigned		 i;
	size_t			 k;

	if (f != NULL && f->ok)
		for (i = 0; i < f->nsigners; i++)
			for (k = 0; k < r->u.rel.nsigners; k++)
				if (f->signers[i].ok && signer_matches(
				    &r->u.rel.signers[k], &f->signers[i]))
					return;
	reason(s, r->id, r->action, "not signed by a release authority%s",
	    f == NULL || !f->ok ? " (no verified signature)" : "");
}

/* ------------------------------------------------------------------ */
/* Leakage. */

struct scan {
	struct dstate		*s;
	const struct gp_rule	*r;
	long long		 score;
};

static int
scan_hit(const struct dlp_hit *h, void *arg)
{
	struct scan		*sc = arg;
	struct verdict		*v = sc->s->v;
	struct decide_hit	*d;
	const char		*ph;

	sc->score += h->weight;
	v->total_hits++;
	if (v->nhits == DECIDE_MAX_HITS)
		return 0;
	d = &v->hits[v->nhits++];
	(void)snprintf(d->rule, sizeof(d->rule), "%s", sc->r->id);
	ph = h->rule < sc->r->u.dlp.nphrases ?
	    strchr(sc->r->u.dlp.phrases[h->rule], ':') : NULL;
	(void)snprintf(d->phrase, sizeof(d->phrase), "%s",
	    ph != NULL ? ph + 1 : "");
	(void)snprintf(d->where, sizeof(d->where), "%s", h->where);
	d->off = h->off;
	d->len = h->len;
	d->weight = h->weight;
	return 0;
}

static int
scan_text(struct scan *sc, const struct x400_text *t, const char *where)
{
	char	err[256];

	if (t->utf8 == NULL || t->len == 0)
		return 0;
	if (dlp_scan(sc->r->u.dlp.set, sc->s->ctx->scratch, t->utf8, t->len,
	    where, scan_hit, sc, err, sizeof(err)) == -1) {
		reason(sc->s, sc->r->id, GP_REJECT, "leakage scan of %s "
		    "failed: %s", where, err);
		return -1;
	}
	return 0;
}

/* Subject, instructions and every text body part, forwarded ones too. */
static int
scan_ipm(struct scan *sc, const struct x400_ipm *ipm, const char *prefix,
    unsigned depth)
{
	char		 where[64];
	unsigned	 i;

	(void)snprintf(where, sizeof(where), "%ssubject", prefix);
	if (scan_text(sc, &ipm->subject, where) == -1)
		return -1;
	for (i = 0; i < ipm->nhandling; i++) {
		(void)snprintf(where, sizeof(where),
		    "%shandling instruction %u", prefix, i + 1);
		if (scan_text(sc, &ipm->handling[i], where) == -1)
			return -1;
	}
	for (i = 0; i < ipm->ninstructions; i++) {
		(void)snprintf(where, sizeof(where),
		    "%smessage instruction %u", prefix, i + 1);
		if (scan_text(sc, &ipm->instructions[i], where) == -1)
			return -1;
	}
	for (i = 0; i < ipm->nbody; i++) {
		const struct x400_bodypart *b = &ipm->body[i];

		(void)snprintf(where, sizeof(where), "%sbody part %u", prefix,
		    i + 1);
		if (scan_text(sc, &b->text, where) == -1)
			return -1;
		if (b->forwarded != NULL && !b->forwarded->is_ipn) {
			char	p[64];

			(void)snprintf(p, sizeof(p), "%sforwarded in body "
			    "part %u: ", depth == 0 ? "" : prefix, i + 1);
			if (scan_ipm(sc, &b->forwarded->ipm, p, depth + 1) ==
			    -1)
				return -1;
		}
	}
	return 0;
}

static void
rule_leakage(struct dstate *s, const struct gp_rule *r)
{
	struct scan	sc;

	if (s->ipm == NULL)
		return;
	if (s->ctx->scratch == NULL) {
		/* A context made for another policy: fail closed. */
		reason(s, r->id, GP_REJECT, "leakage scan impossible: the "
		    "decision context was not made for this policy");
		return;
	}
	memset(&sc, 0, sizeof(sc));
	sc.s = s;
	sc.r = r;
	if (scan_ipm(&sc, s->ipm, "", 0) == -1)
		return;
	s->v->score += sc.score;
	if (sc.score >= r->u.dlp.threshold)
		reason(s, r->id, r->action, "leakage score %lld reaches the "
		    "threshold %lld", sc.score, r->u.dlp.threshold);
}

/* ------------------------------------------------------------------ */
/* Patterns: deny wins; with allow patterns, one must match. */

static bool
pattern_ok(const struct gp_rule *r, const char *s)
{
	size_t	i;
	bool	allows = false, allowed = false;

	for (i = 0; i < r->u.pat.npats; i++) {
		const struct gp_pattern *p = &r->u.pat.pats[i];
		bool m = fnmatch(p->glob, s, FNM_CASEFOLD) == 0;

		if (!p->allow && m)
			return false;
		if (p->allow) {
			allows = true;
			allowed = allowed || m;
		}
	}
	return !allows || allowed;
}

static void
rule_sics(struct dstate *s, const struct gp_rule *r)
{
	unsigned	i;

	if (s->ipm == NULL)
		return;
	for (i = 0; i < s->ipm->nsics; i++)
		if (!pattern_ok(r, s->ipm->sics[i])) {
			reason(s, r->id, r->action, "subject indicator code "
			    "%s is not allowed", s->ipm->sics[i]);
			return;
		}
}

static void
rule_originators(struct dstate *s, const struct gp_rule *r)
{
	const char	*o = s->in->msg->env.originator.text;

	if (o == NULL || !pattern_ok(r, o))
		reason(s, r->id, r->action, "originator %s is not allowed",
		    o ? o : "(none)");
}

static void
rule_recipients(struct dstate *s, const struct gp_rule *r)
{
	const struct x400_envelope	*e = &s->in->msg->env;
	unsigned			 i;

	for (i = 0; i < e->nrcpt; i++)
		if (e->rcpt[i].name.text == NULL ||
		    !pattern_ok(r, e->rcpt[i].name.text)) {
			reason(s, r->id, r->action, "recipient %s is not "
			    "allowed", e->rcpt[i].name.text ?
			    e->rcpt[i].name.text : "(unnamed)");
			return;
		}
}

/* ------------------------------------------------------------------ */
/* Body parts, size, message type, precedence. */

static int
bodyparts_ok(const struct gp_rule *r, const struct x400_ipm *ipm,
    char *bad, size_t len)
{
	unsigned	i;
	size_t		k;

	for (i = 0; i < ipm->nbody; i++) {
		const struct x400_bodypart *b = &ipm->body[i];
		bool ok = (r->u.bp.types & (1u << b->type)) != 0 &&
		    b->type != X400_BP_UNKNOWN;

		for (k = 0; !ok && b->oid != NULL && k < r->u.bp.noids; k++)
			ok = strcmp(b->oid, r->u.bp.oids[k]) == 0;
		if (!ok) {
			(void)snprintf(bad, len, "body part %u (%s%s%s)",
			    i + 1, x400_bp_name(b->type), b->oid ? " " : "",
			    b->oid ? b->oid : "");
			return -1;
		}
		if (b->forwarded != NULL && !b->forwarded->is_ipn &&
		    bodyparts_ok(r, &b->forwarded->ipm, bad, len) == -1)
			return -1;
	}
	return 0;
}

static void
rule_bodyparts(struct dstate *s, const struct gp_rule *r)
{
	char	bad[160];

	if (s->ipm != NULL && bodyparts_ok(r, s->ipm, bad, sizeof(bad)) == -1)
		reason(s, r->id, r->action, "%s is not an allowed body part "
		    "type", bad);
}

static void
rule_size(struct dstate *s, const struct gp_rule *r)
{
	const struct x400_envelope *e = &s->in->msg->env;

	if (r->u.size.max_bytes != 0 && s->in->size > r->u.size.max_bytes)
		reason(s, r->id, r->action, "%zu bytes, more than %llu",
		    s->in->size, (unsigned long long)r->u.size.max_bytes);
	if (r->u.size.max_rcpt != 0 && e->nrcpt > r->u.size.max_rcpt)
		reason(s, r->id, r->action, "%u recipients, more than %llu",
		    e->nrcpt, (unsigned long long)r->u.size.max_rcpt);
}

static void
rule_msgtypes(struct dstate *s, const struct gp_rule *r)
{
	static const char *const names[] = { "exercise", "operation",
	    "project", "drill" };
	int64_t	t;

	if (s->ipm == NULL)
		return;
	t = s->ipm->message_type;
	if (t == X400_ABSENT) {
		if ((r->u.mt.allowed & (1u << 4)) == 0)
			reason(s, r->id, r->action, "the message has no "
			    "message type");
		return;
	}
	if (t < 0 || t > 3 || (r->u.mt.allowed & (1u << t)) == 0)
		reason(s, r->id, r->action, "message type %s is not allowed",
		    t >= 0 && t <= 3 ? names[t] : "(unknown)");
}

static int
precedence_of(const struct decide_in *in, const struct x400_ipm *ipm)
{
	return decide_precedence(in->msg, ipm);
}

int
decide_precedence(const struct x400_msg *m, const struct x400_ipm *ipm)
{
	if (ipm == NULL && m->body != NULL && !m->body->is_ipn)
		ipm = &m->body->ipm;
	if (ipm != NULL && ipm->primary_precedence != X400_ABSENT)
		return ipm->primary_precedence >= 0 &&
		    ipm->primary_precedence <= 5 ?
		    (int)ipm->primary_precedence : -1;
	switch (m->env.priority) {
	case 1:
		return 0;
	case 2:
		return 2;
	default:
		return 1;
	}
}

static void
rule_precedence(struct dstate *s, const struct gp_rule *r)
{
	const char	*o = s->in->msg->env.originator.text;
	int		 p = s->v->precedence;
	size_t		 i;

	if (p == -1) {
		reason(s, r->id, r->action, "precedence %lld is not one the "
		    "guard accepts", (long long)s->ipm->primary_precedence);
		return;
	}
	if (p > r->u.prec.max) {
		reason(s, r->id, r->action, "precedence %s is above %s",
		    gp_precedence_name(p), gp_precedence_name(r->u.prec.max));
		return;
	}
	for (i = 0; i < r->u.prec.ncaps; i++)
		if (o != NULL && fnmatch(r->u.prec.caps[i].originator, o,
		    FNM_CASEFOLD) == 0 && p > r->u.prec.caps[i].max) {
			reason(s, r->id, r->action, "precedence %s is above "
			    "%s, the cap for this originator",
			    gp_precedence_name(p),
			    gp_precedence_name(r->u.prec.caps[i].max));
			return;
		}
}

/* ------------------------------------------------------------------ */

static void
signer_text(struct dstate *s)
{
	const struct cms_facts	*f = s->in->cms;
	unsigned		 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsigners; i++)
		if (f->signers[i].subject != NULL) {
			(void)snprintf(s->v->signer, sizeof(s->v->signer),
			    "%s%s", f->signers[i].subject,
			    f->signers[i].ok ? "" : " (not verified)");
			return;
		}
}

/* The guard's own checks; false when nothing else can be judged. */
static bool
builtin(struct dstate *s)
{
	const struct x400_msg	*m = s->in->msg;
	static const char *const apdus[] = { "message", "report", "probe" };

	if (m == NULL) {
		reason(s, "guard.decode", GP_REJECT, "the message does not "
		    "decode: %s", s->in->decode_error ? s->in->decode_error :
		    "(no reason given)");
		return false;
	}
	if (m->apdu != X400_APDU_MESSAGE) {
		reason(s, "guard.apdu", GP_REJECT, "a %s does not cross the "
		    "guard; only messages do", apdus[m->apdu]);
		return false;
	}
	if (m->unknown_critical > 0)
		reason(s, "guard.critical-extension", GP_REJECT, "%u "
		    "extension%s critical for transfer that the guard does not "
		    "know", m->unknown_critical, m->unknown_critical == 1 ?
		    "" : "s");
	if (m->body == NULL)
		reason(s, "guard.content", GP_REJECT, "content type %s is "
		    "not one the guard inspects", m->env.content_oid ?
		    m->env.content_oid : "(built-in)");
	else if (!m->body->is_ipn && m->body->econtent_type != NULL &&
	    strcmp(m->body->econtent_type, X400_OID_RECEIPT) == 0)
		s->ipm = NULL;		/* a signed receipt: no text */
	else if (!m->body->is_ipn)
		s->ipm = &m->body->ipm;
	return true;
}

int
decide(const struct guardpol *gp, enum gp_dir dir,
    const struct decide_in *in, struct decide_ctx *ctx, struct verdict *v)
{
	struct dstate	 s;
	size_t		 i;

	memset(v, 0, sizeof(*v));
	label_init(&v->source);
	label_init(&v->destination);
	v->verdict = GP_RELEASE;
	v->dir = dir;
	v->precedence = -1;
	memset(&s, 0, sizeof(s));
	s.gp = gp;
	s.in = in;
	s.ctx = ctx;
	s.v = v;
	if ((unsigned)dir >= GP_NDIRS || !gp->dirs[dir].present) {
		reason(&s, "guard.direction", GP_REJECT, "the policy has no "
		    "%s direction", gp_dir_name(dir));
		return -1;
	}
	s.d = &gp->dirs[dir];
	if (!builtin(&s))
		return 0;
	signer_text(&s);
	v->precedence = precedence_of(in, s.ipm);
	for (i = 0; i < s.d->nrules; i++) {
		const struct gp_rule *r = &s.d->rules[i];

		switch (r->kind) {
		case GP_SIGNATURE:
			rule_signature(&s, r);
			break;
		case GP_LABEL:
			(void)rule_label(&s, r);
			break;
		case GP_CLEARANCE:
			rule_clearance(&s, r);
			break;
		case GP_RELEASE_AUTHORITY:
			rule_release(&s, r);
			break;
		case GP_LEAKAGE:
			rule_leakage(&s, r);
			break;
		case GP_SICS:
			rule_sics(&s, r);
			break;
		case GP_BODY_PARTS:
			rule_bodyparts(&s, r);
			break;
		case GP_SIZE:
			rule_size(&s, r);
			break;
		case GP_ORIGINATORS:
			rule_originators(&s, r);
			break;
		case GP_RECIPIENTS:
			rule_recipients(&s, r);
			break;
		case GP_MESSAGE_TYPES:
			rule_msgtypes(&s, r);
			break;
		case GP_PRECEDENCE:
			rule_precedence(&s, r);
			break;
		case GP_DISP:
			break;		/* directory replication only */
		}
	}
	return 0;
}

void
verdict_ndr_codes(const struct guardpol *gp, const struct verdict *v,
    int *reason, int *diag)
{
	const struct gp_direction *d = &gp->dirs[v->dir];
	const struct decide_reason *r = NULL;
	size_t		 i;

	/* X.411: transfer-failure-for-security-reason (8) and
	 * security-policy-violation (53) unless something fits better. */
	*reason = 8;
	*diag = 53;
	for (i = 0; i < v->nreasons && r == NULL; i++)
		if (v->reasons[i].action == GP_REJECT)
			r = &v->reasons[i];
	if (r == NULL)
		return;
	if (strcmp(r->rule, "guard.decode") == 0) {
		*reason = 1;		/* unable-to-transfer */
		*diag = 12;		/* content-syntax-error */
		return;
	}
	if (strcmp(r->rule, "guard.critical-extension") == 0) {
		*reason = 1;
		*diag = 18;		/* unsupported-critical-function */
		return;
	}
	if (strcmp(r->rule, "guard.content") == 0 ||
	    strcmp(r->rule, "guard.apdu") == 0) {
		*reason = 1;
		*diag = 15;		/* content-type-not-supported */
		return;
	}
	for (i = 0; i < d->nrules; i++) {
		if (strcmp(d->rules[i].id, r->rule) != 0)
			continue;
		switch (d->rules[i].kind) {
		case GP_SIGNATURE:
			*diag = 46;	/* secure-messaging-error */
			break;
		case GP_SIZE:
			*reason = 1;
			*diag = strstr(r->text, "recipients") != NULL ?
			    16 : 7;	/* too-many-recipients, content-too-long */
			break;
		case GP_ORIGINATORS:
			*diag = 58;	/* unauthorised-originator-name */
			break;
		case GP_RECIPIENTS:
			*diag = 59;	/* unauthorised-recipient-name */
			break;
		case GP_LABEL:
			*diag = 68;	/* invalid-security-label */
			break;
		default:
			break;
		}
		return;
	}
}

void
verdict_free(struct verdict *v)
{
	label_free(&v->source);
	label_free(&v->destination);
}

int
verdict_json(const struct verdict *v, struct buf *out)
{
	struct json	j;
	size_t		i;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kstr(&j, "verdict", gp_verdict_name(v->verdict));
	json_kstr(&j, "direction", gp_dir_name(v->dir));
	json_key(&j, "reasons");
	json_arr_begin(&j);
	for (i = 0; i < v->nreasons; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "rule", v->reasons[i].rule);
		json_kstr(&j, "action", gp_verdict_name(v->reasons[i].action));
		json_kstr(&j, "text", v->reasons[i].text);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (v->total_reasons > v->nreasons)
		json_kint(&j, "reasons_not_shown",
		    (int64_t)(v->total_reasons - v->nreasons));
	json_key(&j, "label");
	json_obj_begin(&j);
	json_key(&j, "source");
	if (v->has_source)
		json_str(&j, v->source_marking);
	else
		json_null(&j);
	json_key(&j, "destination");
	if (v->has_destination)
		json_str(&j, v->destination_marking);
	else
		json_null(&j);
	json_kstr(&j, "forwarded", v->forward_source ? "source" :
	    "destination");
	json_obj_end(&j);
	json_key(&j, "signer");
	if (v->signer[0] != '\0')
		json_str(&j, v->signer);
	else
		json_null(&j);
	json_key(&j, "precedence");
	if (v->precedence >= 0)
		json_str(&j, gp_precedence_name(v->precedence));
	else
		json_null(&j);
	json_kint(&j, "score", v->score);
	json_key(&j, "hits");
	json_arr_begin(&j);
	for (i = 0; i < v->nhits; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "rule", v->hits[i].rule);
		json_kstr(&j, "phrase", v->hits[i].phrase);
		json_kstr(&j, "where", v->hits[i].where);
		json_kint(&j, "offset", (int64_t)v->hits[i].off);
		json_kint(&j, "length", (int64_t)v->hits[i].len);
		json_kint(&j, "weight", v->hits[i].weight);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	if (v->total_hits > v->nhits)
		json_kint(&j, "hits_not_shown",
		    (int64_t)(v->total_hits - v->nhits));
	json_obj_end(&j);
	return json_finish(&j);
}
