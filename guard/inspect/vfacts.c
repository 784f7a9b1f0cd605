/*
 * vfacts.c - verification facts between roles (vfacts.h).
 */
#include <stdio.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/inspect/vfacts.h"

static int
put_u8(struct buf *b, unsigned v)
{
	return buf_add_byte(b, (uint8_t)v);
}

static int
put_str(struct buf *b, const void *s, size_t n)
{
	if (n > 0xffff)
		n = 0xffff;	/* reasons and names are far shorter */
	if (buf_add_byte(b, (uint8_t)(n >> 8)) == -1 ||
	    buf_add_byte(b, (uint8_t)n) == -1)
		return -1;
	return n > 0 ? buf_add(b, s, n) : 0;
}

static int
put_cstr(struct buf *b, const char *s)
{
	return put_str(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

int
vfacts_enc(const struct cms_facts *f, struct buf *b)
{
	unsigned	i, k, n;

	if (put_u8(b, 1) == -1 || put_u8(b, f != NULL) == -1)
		return -1;
	if (f == NULL)
		return 0;
	if (put_u8(b, f->ok) == -1 || put_cstr(b, f->reason) == -1 ||
	    put_u8(b, f->label.present && f->label.raw != NULL) == -1)
		return -1;
	if (f->label.present && f->label.raw != NULL &&
	    put_str(b, f->label.raw, f->label.rawlen) == -1)
		return -1;
	n = f->nsigners < VFACTS_MAX_SIGNERS ? f->nsigners :
	    VFACTS_MAX_SIGNERS;
	if (put_u8(b, n >> 8) == -1 || put_u8(b, n & 0xff) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const struct cms_signer *s = &f->signers[i];
		unsigned np = s->npolicies < VFACTS_MAX_POLICIES ?
		    s->npolicies : VFACTS_MAX_POLICIES;

		if (put_u8(b, s->ok) == -1 || put_cstr(b, s->subject) == -1 ||
		    put_cstr(b, s->ski) == -1 || put_u8(b, np) == -1)
			return -1;
		for (k = 0; k < np; k++)
			if (put_cstr(b, s->policies[k]) == -1)
				return -1;
	}
	return 0;
}

struct cur {
	const uint8_t	*p, *end;
};

static int
get_u8(struct cur *c, unsigned *v)
{
	if (c->p >= c->end)
		return -1;
	*v = *c->p++;
	return 0;
}

/* A string into the arena, NUL-terminated; no NUL inside. */
static int
get_str(struct cur *c, struct x400_dec *d, char **out, const uint8_t **raw,
    size_t *rawlen)
{
	size_t	 n;
	char	*s;

	if (c->end - c->p < 2)
		return -1;
	n = (size_t)c->p[0] << 8 | c->p[1];
	c->p += 2;
	if ((size_t)(c->end - c->p) < n)
		return -1;
	if (raw != NULL) {
		*raw = c->p;
		*rawlen = n;
		c->p += n;
		return 0;
	}
	if (memchr(c->p, '\0', n) != NULL)
		return -1;
	if ((s = x400_alloc(d, n + 1, NULL)) == NULL)
		return -1;
	memcpy(s, c->p, n);
	s[n] = '\0';
	c->p += n;
	*out = s;
	return 0;
}

int
vfacts_dec(const uint8_t *p, size_t len, struct x400_dec *d,
    struct cms_facts *f, bool *present, char *err, size_t errlen)
{
	struct cur	 c = { p, p + len };
	unsigned	 v, ok, lp, hi, lo, i, k, np;
	char		*reason;
	const uint8_t	*label = NULL;
	size_t		 labellen = 0;

	memset(d, 0, sizeof(*d));
	x400_limits_default(&d->lim);
	ber_ctx_init(&d->c, BER_MODE_DER, NULL, p, len);
	memset(f, 0, sizeof(*f));
	*present = false;
#define BAD(what) do {							\
	(void)snprintf(err, errlen, "verification facts: %s", (what));	\
	return -1;							\
} while (0)
	if (get_u8(&c, &v) == -1 || v != 1)
		BAD("unknown version");
	if (get_u8(&c, &v) == -1 || v > 1)
		BAD("bad protected flag");
	if (v == 0) {
		if (c.p != c.end)
			BAD("bytes after the end");
		return 0;
	}
	*present = true;
	if (get_u8(&c, &ok) == -1 || ok > 1 ||
	    get_str(&c, d, &reason, NULL, NULL) == -1 ||
	    get_u8(&c, &lp) == -1 || lp > 1)
		BAD("truncated or malformed header");
	f->ok = ok;
	(void)snprintf(f->reason, sizeof(f->reason), "%s", reason);
	if (lp && get_str(&c, d, NULL, &label, &labellen) == -1)
		BAD("truncated label");
	if (get_u8(&c, &hi) == -1 || get_u8(&c, &lo) == -1 ||
	    (hi << 8 | lo) > VFACTS_MAX_SIGNERS)
		BAD("bad signer count");
	f->nsigners = hi << 8 | lo;
	if (f->nsigners > 0 && (f->signers = x400_array(d, f->nsigners,
	    sizeof(*f->signers), NULL)) == NULL)
		BAD("out of memory");
	for (i = 0; i < f->nsigners; i++) {
		struct cms_signer *s = &f->signers[i];

		if (get_u8(&c, &ok) == -1 || ok > 1 ||
		    get_str(&c, d, &s->subject, NULL, NULL) == -1 ||
		    get_str(&c, d, &s->ski, NULL, NULL) == -1 ||
		    get_u8(&c, &np) == -1 || np > VFACTS_MAX_POLICIES)
			BAD("malformed signer");
		s->ok = ok;
		if (s->subject[0] == '\0')
			s->subject = NULL;
		if (s->ski[0] == '\0')
			s->ski = NULL;
		if (np > 0 && (s->policies = x400_array(d, np,
		    sizeof(*s->policies), NULL)) == NULL)
			BAD("out of memory");
		for (k = 0; k < np; k++)
			if (get_str(&c, d, &s->policies[k], NULL, NULL) == -1)
				BAD("malformed signer policy");
		s->npolicies = np;
	}
	if (c.p != c.end)
		BAD("bytes after the end");
	if (lp && ess_label_dec_bytes(d, label, labellen, &f->label) == -1) {
		(void)snprintf(err, errlen, "verification facts: label: %s",
		    x400_strerror(d));
		return -1;
	}
#undef BAD
	return 0;
}
