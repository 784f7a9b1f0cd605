/*
 * diff.c - what changes between two guard policies, rule by rule, in
 * sentences a security officer reads (mmguardctl policy diff).
 *
 * Rules are matched by id within a direction; a rule whose description
 * (gp_rule_describe) differs is shown old and new, and for leakage rules
 * the phrases added, removed and re-weighted are listed, since that is
 * what officers change most and a count alone hides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/xmalloc.h"
#include "policy/diff.h"

static const struct gp_rule *
rule_by_id(const struct gp_direction *d, const char *id)
{
	size_t	i;

	for (i = 0; i < d->nrules; i++)
		if (strcmp(d->rules[i].id, id) == 0)
			return &d->rules[i];
	return NULL;
}

static void
describe(const struct guardpol *gp, const struct gp_rule *r, char *buf,
    size_t len)
{
	if (gp_rule_describe(gp, r, buf, len) == -1 && len > 4)
		(void)snprintf(buf + len - 4, 4, "...");
}

/* The phrase text of "weight:text". */
static const char *
phrase_text(const char *s)
{
	const char	*c = strchr(s, ':');

	return c != NULL ? c + 1 : s;
}

static const char *
phrase_find(const struct gp_rule *r, const char *text)
{
	size_t	i;

	for (i = 0; i < r->u.dlp.nphrases; i++)
		if (strcmp(phrase_text(r->u.dlp.phrases[i]), text) == 0)
			return r->u.dlp.phrases[i];
	return NULL;
}

static size_t
diff_phrases(FILE *f, const struct gp_rule *a, const struct gp_rule *b)
{
	size_t		 i, n = 0;
	const char	*o;

	for (i = 0; i < b->u.dlp.nphrases; i++) {
		o = phrase_find(a, phrase_text(b->u.dlp.phrases[i]));
		if (o == NULL) {
			if (f != NULL) fprintf(f, "      phrase added: \"%s\" (weight %d)\n",
			    phrase_text(b->u.dlp.phrases[i]),
			    atoi(b->u.dlp.phrases[i]));
			n++;
		} else if (atoi(o) != atoi(b->u.dlp.phrases[i])) {
			if (f != NULL) fprintf(f, "      phrase \"%s\": weight %d -> %d\n",
			    phrase_text(o), atoi(o),
			    atoi(b->u.dlp.phrases[i]));
			n++;
		}
	}
	for (i = 0; i < a->u.dlp.nphrases; i++)
		if (phrase_find(b, phrase_text(a->u.dlp.phrases[i])) == NULL) {
			if (f != NULL) fprintf(f, "      phrase removed: \"%s\"\n",
			    phrase_text(a->u.dlp.phrases[i]));
			n++;
		}
	return n;
}

static size_t
diff_direction(FILE *f, enum gp_dir dir, const struct guardpol *oa,
    const struct gp_direction *a, const struct guardpol *ob,
    const struct gp_direction *b)
{
	char		 da[2048], db[2048];
	const char	*name = gp_dir_name(dir);
	const struct gp_rule *o;
	size_t		 i, n = 0;
	bool		 leak;

	if (!a->present && !b->present)
		return 0;
	if (!a->present || !b->present) {
		fprintf(f, "direction %s: %s\n", name, a->present ?
		    "removed: nothing crosses this way any more" :
		    "added: traffic may now cross this way");
		return 1;
	}
	if (strcmp(a->source->spif->id, b->source->spif->id) != 0 ||
	    strcmp(a->destination->spif->id, b->destination->spif->id) != 0) {
		fprintf(f, "direction %s: policies %s -> %s become %s -> %s\n",
		    name, a->source->name, a->destination->name,
		    b->source->name, b->destination->name);
		n++;
	}
	for (i = 0; i < b->nrules; i++) {
		describe(ob, &b->rules[i], db, sizeof(db));
		if ((o = rule_by_id(a, b->rules[i].id)) == NULL) {
			fprintf(f, "direction %s: rule added: %s\n", name, db);
			n++;
			continue;
		}
		describe(oa, o, da, sizeof(da));
		leak = o->kind == GP_LEAKAGE && b->rules[i].kind == GP_LEAKAGE;
		if (o->kind != b->rules[i].kind || strcmp(da, db) != 0) {
			fprintf(f, "direction %s: rule changed:\n    was: %s\n"
			    "    now: %s\n", name, da, db);
			n++;
		} else if (leak && diff_phrases(NULL, o, &b->rules[i]) > 0) {
			fprintf(f, "direction %s: rule changed: %s %s: "
			    "phrases\n", name, gp_kind_name(o->kind), o->id);
			n++;
		}
		if (leak)
			(void)diff_phrases(f, o, &b->rules[i]);
	}
	for (i = 0; i < a->nrules; i++)
		if (rule_by_id(b, a->rules[i].id) == NULL) {
			describe(oa, &a->rules[i], da, sizeof(da));
			fprintf(f, "direction %s: rule removed: %s\n", name, da);
			n++;
		}
	return n;
}

size_t
gp_diff(FILE *f, const struct guardpol *a, const struct guardpol *b)
{
	size_t	n = 0, i, j;
	bool	found;

	if (strcmp(a->name, b->name) != 0 ||
	    strcmp(a->version, b->version) != 0)
		fprintf(f, "policy %s version %s -> %s version %s\n", a->name,
		    a->version, b->name, b->version);
	if (a->retention_days != b->retention_days) {
		fprintf(f, "archive retention: %d -> %d days\n",
		    a->retention_days, b->retention_days);
		n++;
	}
	for (i = 0; i < b->nspifs; i++) {
		found = false;
		for (j = 0; j < a->nspifs; j++)
			if (strcmp(a->spifs[j].name, b->spifs[i].name) == 0) {
				found = true;
				if (strcmp(a->spifs[j].spif->id,
				    b->spifs[i].spif->id) != 0) {
					fprintf(f, "security policy %s: %s "
					    "becomes %s\n", b->spifs[i].name,
					    a->spifs[j].spif->id,
					    b->spifs[i].spif->id);
					n++;
				} else if (memcmp(a->spifs[j].digest,
				    b->spifs[i].digest, 32) != 0) {
					fprintf(f, "security policy %s: its "
					    "SPIF changed (labels, markings or "
					    "equivalences may differ)\n",
					    b->spifs[i].name);
					n++;
				}
			}
		if (!found) {
			fprintf(f, "security policy added: %s (%s)\n",
			    b->spifs[i].name, b->spifs[i].file);
			n++;
		}
	}
	for (j = 0; j < a->nspifs; j++) {
		found = false;
		for (i = 0; i < b->nspifs; i++)
			found = found || strcmp(a->spifs[j].name,
			    b->spifs[i].name) == 0;
		if (!found) {
			fprintf(f, "security policy removed: %s\n",
			    a->spifs[j].name);
			n++;
		}
	}
	for (i = 0; i < GP_NDIRS; i++)
		n += diff_direction(f, (enum gp_dir)i, a, &a->dirs[i], b,
		    &b->dirs[i]);
	return n;
}
