/*
 * spec.c - the compose SPEC parser (format in mmguard-msg(1)).
 *
 * A SPEC is UTF-8 text, one field a line: "name: value".  Values made of
 * several items use "key=value" pairs separated by ";"; O/R names use the
 * same attribute names as their text form (C, A, P, O, OU1..OU4, S, G, I,
 * Q, CN, X121, T-ID, UA-ID, DDA:type, DN).  "A= " (a single space) is an
 * ADMD of one space, as RFC 1685 writes it.  Lines starting with '#' and
 * blank lines are ignored outside bodies.  Sections:
 *	(top)            the envelope (and report fields)
 *	[heading]        the IPM heading, MMHS extensions included
 *	[ipn]            an IPN instead of an IPM
 *	[body TYPE k=v]  one body part; its lines are its text, or hex for
 *	                 binary types, until the next line starting with '['
 * The parser is for trusted input (an operator's or a test's file), but it
 * still refuses everything it does not understand, with file and line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/x400/spec.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

#define SPEC_MAX_PAIRS	32
#define SPEC_MAX_ITEMS	1024
#define SPEC_MAX_DEPTH	4

struct pair {
	char	*key;
	char	*val;
};

struct spec {
	struct x400_dec	*d;
	struct x400_spec_opts *opts;
	const char	*name;
	const char	*dir;
	unsigned	 line;
	char		*err;
	size_t		 errsz;
	int		 depth;
};

static int spec_fail(struct spec *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
spec_fail(struct spec *s, const char *fmt, ...)
{
	va_list	ap;
	char	why[512];

	va_start(ap, fmt);
	(void)vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	(void)snprintf(s->err, s->errsz, "%s:%u: %s", s->name, s->line, why);
	return -1;
}

static char *
sdup(struct spec *s, const char *p, size_t n)
{
	return x400_strndup(s->d, p, n, NULL);
}

static char *
trim(char *p)
{
	char	*e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return p;
}

/*
 * Split "k=v; k=v" into pairs (in place).  An item without '=' has key ""
 * and is its own value.  A value of only blanks becomes " ".
 */
static int
pairs(struct spec *s, char *v, struct pair *pv, int max)
{
	char	*item, *eq, *next, *val;
	int	 n = 0;
	bool	 blank;

	for (item = v; item != NULL; item = next) {
		if ((next = strchr(item, ';')) != NULL)
			*next++ = '\0';
		if (next == NULL && n > 0 && item[strspn(item, " \t\r")] ==
		    '\0')
			break;	/* a trailing ';' */
		if (n == max)
			return spec_fail(s, "more than %d items", max);
		if ((eq = strchr(item, '=')) == NULL) {
			pv[n].key = (char *)"";
			pv[n].val = trim(item);
		} else {
			*eq = '\0';
			pv[n].key = trim(item);
			val = eq + 1;
			blank = *val == ' ' || *val == '\t';
			pv[n].val = trim(val);
			if (*pv[n].val == '\0' && blank)
				pv[n].val = (char *)" ";
		}
		n++;
	}
	return n;
}

static const char *
pget(struct pair *pv, int n, const char *key)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(pv[i].key, key) == 0)
			return pv[i].val;
	return NULL;
}

static int
parse_int(struct spec *s, const char *v, int64_t min, int64_t max,
    int64_t *out)
{
	char		*end;
	long long	 x;

	errno = 0;
	x = strtoll(v, &end, 0);
	if (errno != 0 || end == v || *end != '\0' || x < min || x > max)
		return spec_fail(s, "\"%s\": expected an integer from %lld to "
		    "%lld", v, (long long)min, (long long)max);
	*out = x;
	return 0;
}

/* A name from a list, or a number. */
static int
parse_enum(struct spec *s, const char *v, const char *const *names,
    int64_t max, int64_t *out)
{
	int64_t	i;

	for (i = 0; names[i] != NULL; i++)
		if (names[i][0] != '\0' && strcasecmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return parse_int(s, v, 0, max, out);
}

static int
parse_bool(struct spec *s, const char *v, bool *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
		*out = true;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
		*out = false;
	else
		return spec_fail(s, "\"%s\": expected yes or no", v);
	return 0;
}

/* YYYYMMDDhhmmss[.f]Z or YYMMDDhhmmssZ, UTC. */
static int
parse_time(struct spec *s, const char *v, struct x400_time *t)
{
	struct ber_ctx	c;
	struct ber_tlv	tlv;
	uint8_t		b[64];
	size_t		n = strlen(v);
	unsigned	type = n > 13 ? BER_GENERALIZED_TIME : BER_UTC_TIME;
	time_t		e;
	int		rc;

	if (n + 2 > sizeof(b))
		return spec_fail(s, "\"%s\": not a time", v);
	b[0] = (uint8_t)type;
	b[1] = (uint8_t)n;
	memcpy(b + 2, v, n);
	ber_ctx_init(&c, BER_MODE_DER, NULL, b, n + 2);
	rc = ber_decode_one(&c, &tlv) == -1 ||
	    ber_get_time(&c, &tlv, type, &t->tm) == -1;
	ber_ctx_free(&c);
	if (rc)
		return spec_fail(s, "\"%s\": expected a UTC time as "
		    "YYYYMMDDhhmmssZ", v);
	if (t->tm.year < 1950 || t->tm.year > 2049 || t->tm.nsec != 0)
		return spec_fail(s, "\"%s\": X.400 times are UTCTime: years "
		    "1950 to 2049, whole seconds", v);
	(void)ber_time_to_epoch(&t->tm, &e);
	t->epoch = (int64_t)e;
	t->present = true;
	return 0;
}

static int
parse_hex(struct spec *s, const char *v, const uint8_t **out, size_t *len)
{
	uint8_t	*p;
	size_t	 n = 0, i;
	int	 hi = -1, x;

	if ((p = x400_alloc(s->d, strlen(v) / 2 + 1, NULL)) == NULL)
		return spec_fail(s, "out of memory");
	for (i = 0; v[i] != '\0'; i++) {
		if (isspace((unsigned char)v[i]) || v[i] == ':')
			continue;
		if (!isxdigit((unsigned char)v[i]))
			return spec_fail(s, "'%c' in hex data", v[i]);
		x = isdigit((unsigned char)v[i]) ? v[i] - '0' :
		    tolower((unsigned char)v[i]) - 'a' + 10;
		if (hi == -1)
			hi = x;
		else {
			p[n++] = (uint8_t)(hi << 4 | x);
			hi = -1;
		}
	}
	if (hi != -1)
		return spec_fail(s, "odd number of hex digits");
	*out = p;
	*len = n;
	return 0;
}

/* An OID in dotted form, checked. */
static int
parse_oid(struct spec *s, const char *v, char **out)
{
	uint8_t	b[BER_OID_TEXT_MAX];
	size_t	n;

	if (ber_oid_from_text(v, b, sizeof(b), &n) == -1)
		return spec_fail(s, "\"%s\" is not an object identifier", v);
	*out = sdup(s, v, strlen(v));
	return 0;
}

static void
text_set(struct spec *s, struct x400_text *t, const char *v, enum x400_cs cs)
{
	t->utf8 = sdup(s, v, strlen(v));
	t->len = strlen(v);
	t->cs = cs;
	t->raw = NULL;
	t->rawlen = 0;
}

/* A printable string field: checked now so the error names the line. */
static int
printable(struct spec *s, const char *v, char **out, unsigned type)
{
	const char	*why;
	size_t		 bad;

	if (ber_check_charset(type, (const uint8_t *)v, strlen(v), &bad,
	    &why) == -1)
		return spec_fail(s, "\"%s\": %s", v, why);
	*out = sdup(s, v, strlen(v));
	return 0;
}

/* RFC 4514 text ("CN=A,O=B,C=GB") to a DER Name, in the arena. */
static const struct {
	const char	*name;
	const char	*oid;
} dn_types[] = {
	{ "CN", "2.5.4.3" }, { "C", "2.5.4.6" }, { "L", "2.5.4.7" },
	{ "ST", "2.5.4.8" }, { "O", "2.5.4.10" }, { "OU", "2.5.4.11" },
	{ "STREET", "2.5.4.9" }, { "DC", "0.9.2342.19200300.100.1.25" },
	{ "UID", "0.9.2342.19200300.100.1.1" }, { "SN", "2.5.4.4" },
	{ "GN", "2.5.4.42" },
};

static int
parse_dn(struct spec *s, const char *v, struct x400_orname *o)
{
	char		*copy, *rdn[64], *p, *eq;
	const char	*oid, *why;
	struct buf	 b;
	struct ber_enc	 e;
	int		 n = 0, i;
	size_t		 j, bad;
	uint8_t		*raw;

	copy = xstrdup(v);
	for (p = copy; p != NULL && n < 64;) {
		rdn[n++] = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
	}
	buf_init(&b, 65536);
	ber_enc_init(&e, &b, 0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	for (i = n - 1; i >= 0; i--) {
		if ((eq = strchr(rdn[i], '=')) == NULL)
			goto bad;
		*eq = '\0';
		p = trim(rdn[i]);
		oid = NULL;
		for (j = 0; j < sizeof(dn_types) / sizeof(dn_types[0]); j++)
			if (strcasecmp(dn_types[j].name, p) == 0)
				oid = dn_types[j].oid;
		if (oid == NULL)
			goto bad;
		ber_enc_begin_setof(&e, BER_UNIV(BER_SET));
		ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
		ber_put_oid_text(&e, BER_UNIV(BER_OID), oid);
		p = trim(eq + 1);
		if (ber_check_charset(BER_PRINTABLE_STRING, (uint8_t *)p,
		    strlen(p), &bad, &why) == 0)
			ber_put_string(&e, BER_UNIV(BER_PRINTABLE_STRING),
			    BER_PRINTABLE_STRING, p, strlen(p));
		else
			ber_put_string(&e, BER_UNIV(BER_UTF8_STRING),
			    BER_UTF8_STRING, p, strlen(p));
		ber_enc_end(&e);
		ber_enc_end(&e);
	}
	ber_enc_end(&e);
	if (ber_enc_finish(&e) == -1)
		goto bad;
	if ((raw = x400_alloc(s->d, b.len, NULL)) == NULL)
		goto bad;
	memcpy(raw, b.data, b.len);
	o->dn_raw = raw;
	o->dn_rawlen = b.len;
	o->dn = sdup(s, v, strlen(v));
	buf_free(&b);
	free(copy);
	return 0;
bad:
	buf_free(&b);
	free(copy);
	return spec_fail(s, "\"%s\": not a directory name this tool writes "
	    "(TYPE=value,... with CN, C, L, ST, O, OU, STREET, DC, UID, SN, "
	    "GN)", v);
}

/*
 * O/R attributes among pairs; others are left for the caller.  Returns
 * the number of O/R attributes found, -1 on error.
 */
static int
parse_orname(struct spec *s, struct pair *pv, int n, struct x400_orname *o,
    bool *used)
{
	struct x400_extattr	*ea;
	const char		*k;
	int			 i, found = 0;
	unsigned		 ou;

	for (i = 0; i < n; i++) {
		k = pv[i].key;
		used[i] = true;
		if (strcmp(k, "C") == 0)
			o->country = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(k, "A") == 0)
			o->admd = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(k, "P") == 0)
			o->prmd = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(k, "O") == 0) {
			if (printable(s, pv[i].val, &o->org,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strncmp(k, "OU", 2) == 0) {
			ou = k[2] == '\0' ? o->nou + 1 : (unsigned)atoi(k + 2);
			if (ou < 1 || ou > X400_MAX_OU || ou != o->nou + 1)
				return spec_fail(s, "%s: organizational units "
				    "go OU1 to OU4, in order", k);
			if (printable(s, pv[i].val, &o->ou[o->nou++],
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "S") == 0) {
			if (printable(s, pv[i].val, &o->surname,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "G") == 0) {
			if (printable(s, pv[i].val, &o->given,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "I") == 0) {
			if (printable(s, pv[i].val, &o->initials,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "Q") == 0) {
			if (printable(s, pv[i].val, &o->generation,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "X121") == 0) {
			if (printable(s, pv[i].val, &o->x121,
			    BER_NUMERIC_STRING) == -1)
				return -1;
		} else if (strcmp(k, "T-ID") == 0) {
			if (printable(s, pv[i].val, &o->terminal,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else if (strcmp(k, "UA-ID") == 0) {
			if (printable(s, pv[i].val, &o->uaid,
			    BER_NUMERIC_STRING) == -1)
				return -1;
		} else if (strncmp(k, "DDA:", 4) == 0) {
			if (o->ndda == X400_MAX_DDA)
				return spec_fail(s, "more than %d "
				    "domain-defined attributes", X400_MAX_DDA);
			if (printable(s, k + 4, &o->dda[o->ndda].type,
			    BER_PRINTABLE_STRING) == -1 ||
			    printable(s, pv[i].val, &o->dda[o->ndda].value,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
			o->ndda++;
		} else if (strcmp(k, "CN") == 0) {
			o->ext = x400_array(s->d, 1, sizeof(*o->ext), NULL);
			if (o->ext == NULL)
				return spec_fail(s, "out of memory");
			ea = &o->ext[0];
			ea->type = X400_EA_COMMON_NAME;
			if (printable(s, pv[i].val, &ea->text,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
			o->next = 1;
		} else if (strcmp(k, "DN") == 0) {
			if (parse_dn(s, pv[i].val, o) == -1)
				return -1;
		} else {
			used[i] = false;
			continue;
		}
		found++;
	}
	if (found > 0) {
		o->present = true;
		if ((o->text = x400_orname_text(s->d, o)) == NULL)
			return spec_fail(s, "out of memory");
	}
	return found;
}

/* A value that is only an O/R name (no other items allowed). */
static int
orname_only(struct spec *s, char *v, struct x400_orname *o)
{
	struct pair	pv[SPEC_MAX_PAIRS];
	bool		used[SPEC_MAX_PAIRS];
	int		n, i;

	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
	    parse_orname(s, pv, n, o, used) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (!used[i])
			return spec_fail(s, "\"%s\" is not an O/R attribute",
			    pv[i].key);
	if (!o->present)
		return spec_fail(s, "empty O/R name");
	return 0;
}

static int
check_unused(struct spec *s, struct pair *pv, int n, bool *used)
{
	int	i;

	for (i = 0; i < n; i++)
		if (!used[i])
			return spec_fail(s, "unknown item \"%s\"", pv[i].key);
	return 0;
}

/* "C=GB; A= ; P=MOD; L=local" */
static int
parse_mtsid(struct spec *s, char *v, struct x400_mtsid *m)
{
	struct pair	pv[8];
	int		n, i;

	if ((n = pairs(s, v, pv, 8)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(pv[i].key, "C") == 0)
			m->gdi.country = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(pv[i].key, "A") == 0)
			m->gdi.admd = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(pv[i].key, "P") == 0)
			m->gdi.prmd = sdup(s, pv[i].val, strlen(pv[i].val));
		else if (strcmp(pv[i].key, "L") == 0)
			m->local = sdup(s, pv[i].val, strlen(pv[i].val));
		else
			return spec_fail(s, "identifier item \"%s\": expected "
			    "C, A, P, L", pv[i].key);
	}
	if (m->gdi.country == NULL || m->gdi.admd == NULL || m->local == NULL)
		return spec_fail(s, "identifier needs C, A and L");
	if ((m->text = x400_mtsid_text(s->d, m)) == NULL)
		return spec_fail(s, "identifier too long");
	return 0;
}

/*
 * The SDN.801c category forms by name: "restrictive=TAGSET:1,2" and the
 * like, written as the DER a conforming originator sends (bit strings for
 * the bitmap syntaxes, a SET OF INTEGER for the enumerated and informative
 * ones).  Values ascending and below 2^16 keep the encoding canonical.
 */
static const struct {
	const char	*name;
	const char	*oid;
	bool		 bitmap;
} spec_catforms[] = {
	{ "restrictive", "2.16.840.1.101.2.1.8.3.0", true },
	{ "enumerated-permissive", "2.16.840.1.101.2.1.8.3.1", false },
	{ "permissive", "2.16.840.1.101.2.1.8.3.2", true },
	{ "informative", "2.16.840.1.101.2.1.8.3.3", false },
	{ "enumerated-restrictive", "2.16.840.1.101.2.1.8.3.4", false },
};

static int	der_value(struct spec *, void (*)(struct ber_enc *,
		    const void *), const void *, const uint8_t **, size_t *);

#define SPEC_MAX_LACVS	64
#define SPEC_MAX_BIT	1024

struct spec_cat {
	char		*tagset;
	bool		 bitmap;
	int64_t		 v[SPEC_MAX_LACVS];
	size_t		 n;
};

static void
enc_spec_cat(struct ber_enc *e, const void *arg)
{
	const struct spec_cat	*c = arg;
	uint8_t			 bits[SPEC_MAX_BIT / 8];
	size_t			 i, nbits = 0;

	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), c->tagset);
	if (c->bitmap) {
		memset(bits, 0, sizeof(bits));
		for (i = 0; i < c->n; i++) {
			bits[c->v[i] / 8] |= (uint8_t)(0x80u >> (c->v[i] % 8));
			if ((size_t)c->v[i] + 1 > nbits)
				nbits = (size_t)c->v[i] + 1;
		}
		ber_put_bits(e, BER_UNIV(BER_BIT_STRING), bits, nbits);
	} else {
		ber_enc_begin_setof(e, BER_UNIV(BER_SET));
		for (i = 0; i < c->n; i++)
			ber_put_int(e, BER_UNIV(BER_INTEGER), c->v[i]);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

/* v is "TAGSET-OID:N,N,..." for the form at index k. */
static int
parse_catform(struct spec *s, size_t k, char *v, struct x400_category *out)
{
	struct spec_cat	 c;
	char		*colon, *p, *comma;
	int64_t		 max = spec_catforms[k].bitmap ? SPEC_MAX_BIT - 1 :
			    INT32_MAX;

	memset(&c, 0, sizeof(c));
	c.bitmap = spec_catforms[k].bitmap;
	if ((colon = strchr(v, ':')) == NULL)
		return spec_fail(s, "%s: expected TAGSET-OID:N,N,...",
		    spec_catforms[k].name);
	*colon = '\0';
	if (parse_oid(s, v, &c.tagset) == -1)
		return -1;
	for (p = colon + 1; p != NULL; p = comma) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma++ = '\0';
		if (c.n == SPEC_MAX_LACVS)
			return spec_fail(s, "%s: more than %d values",
			    spec_catforms[k].name, SPEC_MAX_LACVS);
		if (parse_int(s, trim(p), 0, max, &c.v[c.n]) == -1)
			return -1;
		if (c.n > 0 && c.v[c.n] <= c.v[c.n - 1])
			return spec_fail(s, "%s: values must ascend",
			    spec_catforms[k].name);
		c.n++;
	}
	out->type = sdup(s, spec_catforms[k].oid,
	    strlen(spec_catforms[k].oid));
	return der_value(s, enc_spec_cat, &c, &out->value, &out->valuelen);
}

/*
 * policy=OID; classification=N; privacy-mark=TEXT; category=OID:HEX;
 * restrictive|permissive|enumerated-permissive|enumerated-restrictive|
 * informative=TAGSET:N,N
 */
static int
parse_label(struct spec *s, char *v, struct x400_label *l)
{
	struct pair	pv[SPEC_MAX_PAIRS];
	const uint8_t	*val;
	char		*colon;
	size_t		 len, k;
	int		 n, i;

	l->classification = X400_ABSENT;
	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1)
		return -1;
	l->cats = x400_array(s->d, (size_t)n, sizeof(*l->cats), NULL);
	for (i = 0; i < n; i++) {
		if (strcmp(pv[i].key, "policy") == 0) {
			if (parse_oid(s, pv[i].val, &l->policy) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "classification") == 0) {
			if (parse_int(s, pv[i].val, 0, 256,
			    &l->classification) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "privacy-mark") == 0) {
			text_set(s, &l->privacy_mark, pv[i].val,
			    X400_CS_ASCII);
		} else if (strcmp(pv[i].key, "category") == 0) {
			if ((colon = strchr(pv[i].val, ':')) == NULL)
				return spec_fail(s, "category: expected "
				    "OID:HEX (the value's DER)");
			*colon = '\0';
			if (parse_oid(s, pv[i].val,
			    &l->cats[l->ncats].type) == -1 ||
			    parse_hex(s, colon + 1, &val, &len) == -1)
				return -1;
			l->cats[l->ncats].value = val;
			l->cats[l->ncats].valuelen = len;
			l->ncats++;
		} else {
			for (k = 0; k < sizeof(spec_catforms) /
			    sizeof(spec_catforms[0]); k++)
				if (strcmp(pv[i].key, spec_catforms[k].name) ==
				    0)
					break;
			if (k == sizeof(spec_catforms) /
			    sizeof(spec_catforms[0]))
				return spec_fail(s, "label item \"%s\": "
				    "expected policy, classification, "
				    "privacy-mark, category, restrictive, "
				    "permissive, enumerated-permissive, "
				    "enumerated-restrictive, informative",
				    pv[i].key);
			if (parse_catform(s, k, pv[i].val,
			    &l->cats[l->ncats]) == -1)
				return -1;
			l->ncats++;
		}
	}
	l->present = true;
	return 0;
}

static const char *const precedences[] = { "deferred", "routine",
    "priority", "immediate", "flash", "override", NULL };

/* trace: C=..; A=..; P=..; arrival=T; action=relayed|rerouted; mta=..;
 *        deferred=T; attempted-mta=.. */
static int
parse_trace(struct spec *s, char *v, bool internal, struct x400_trace *t)
{
	static const char *const actions[] = { "relayed", "rerouted", NULL };
	struct pair	pv[SPEC_MAX_PAIRS];
	int		n, i;

	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1)
		return -1;
	t->internal = internal;
	for (i = 0; i < n; i++) {
		const char *k = pv[i].key, *x = pv[i].val;

		if (strcmp(k, "C") == 0)
			t->domain.country = sdup(s, x, strlen(x));
		else if (strcmp(k, "A") == 0)
			t->domain.admd = sdup(s, x, strlen(x));
		else if (strcmp(k, "P") == 0)
			t->domain.prmd = sdup(s, x, strlen(x));
		else if (strcmp(k, "arrival") == 0) {
			if (parse_time(s, x, &t->arrival) == -1)
				return -1;
		} else if (strcmp(k, "deferred") == 0) {
			if (parse_time(s, x, &t->deferred) == -1)
				return -1;
		} else if (strcmp(k, "action") == 0) {
			if (parse_enum(s, x, actions, 1,
			    &t->routing_action) == -1)
				return -1;
		} else if (internal && strcmp(k, "mta") == 0)
			t->mta = sdup(s, x, strlen(x));
		else if (internal && strcmp(k, "attempted-mta") == 0)
			t->attempted_mta = sdup(s, x, strlen(x));
		else
			return spec_fail(s, "trace item \"%s\"", k);
	}
	if (t->domain.country == NULL || t->domain.admd == NULL ||
	    !t->arrival.present || (internal && t->mta == NULL))
		return spec_fail(s, "trace needs C, A, arrival%s",
		    internal ? " and mta" : "");
	return 0;
}

/* extension: type=N|OID; critical=submission,transfer,delivery; value=HEX */
static int
parse_ext(struct spec *s, char *v, struct x400_ext *x)
{
	struct pair	pv[8];
	int		n, i;
	char		*c, *next;

	if ((n = pairs(s, v, pv, 8)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(pv[i].key, "type") == 0) {
			if (strchr(pv[i].val, '.') != NULL) {
				if (parse_oid(s, pv[i].val, &x->oid) == -1)
					return -1;
			} else {
				x->standard = true;
				if (parse_int(s, pv[i].val, 0, 32767,
				    &x->number) == -1)
					return -1;
			}
		} else if (strcmp(pv[i].key, "critical") == 0) {
			for (c = pv[i].val; c != NULL; c = next) {
				if ((next = strchr(c, ',')) != NULL)
					*next++ = '\0';
				c = trim(c);
				if (strcmp(c, "submission") == 0)
					x->crit |= X400_CRIT_SUBMISSION;
				else if (strcmp(c, "transfer") == 0)
					x->crit |= X400_CRIT_TRANSFER;
				else if (strcmp(c, "delivery") == 0)
					x->crit |= X400_CRIT_DELIVERY;
				else
					return spec_fail(s, "critical: \"%s\"",
					    c);
			}
		} else if (strcmp(pv[i].key, "value") == 0) {
			if (parse_hex(s, pv[i].val, &x->value,
			    &x->valuelen) == -1)
				return -1;
		} else
			return spec_fail(s, "extension item \"%s\"",
			    pv[i].key);
	}
	if (!x->standard && x->oid == NULL)
		return spec_fail(s, "extension needs a type");
	return 0;
}

/* Growable arrays in the arena: capacity SPEC_MAX_ITEMS, set at first use. */
#define GROW(s, arr, n, what) do {					\
	if ((arr) == NULL &&						\
	    ((arr) = x400_array((s)->d, SPEC_MAX_ITEMS,		\
	    sizeof(*(arr)), NULL)) == NULL)				\
		return spec_fail((s), "out of memory");			\
	if ((n) == SPEC_MAX_ITEMS)					\
		return spec_fail((s), "too many %s", (what));		\
} while (0)

/* Encode a small value as DER into the arena (for extension values). */
static int
der_value(struct spec *s, void (*fn)(struct ber_enc *, const void *),
    const void *arg, const uint8_t **out, size_t *len)
{
	struct buf	b;
	struct ber_enc	e;
	uint8_t		*p;

	buf_init(&b, 1 << 20);
	ber_enc_init(&e, &b, 0);
	fn(&e, arg);
	if (ber_enc_finish(&e) == -1 ||
	    (p = x400_alloc(s->d, b.len, NULL)) == NULL) {
		buf_free(&b);
		return spec_fail(s, "cannot encode this value");
	}
	memcpy(p, b.data, b.len);
	*out = p;
	*len = b.len;
	buf_free(&b);
	return 0;
}

static void
enc_enum1(struct ber_enc *e, const void *arg)
{
	(void)arg;
	ber_put_int(e, BER_UNIV(BER_ENUMERATED), 1);
}

static void
enc_enum_val(struct ber_enc *e, const void *arg)
{
	ber_put_int(e, BER_UNIV(BER_ENUMERATED), *(const int64_t *)arg);
}

static void
enc_label(struct ber_enc *e, const void *arg)
{
	x400_label_enc(e, BER_UNIV(BER_SET), arg);
}

static void
enc_time(struct ber_enc *e, const void *arg)
{
	x400_time_enc(e, BER_UNIV(BER_UTC_TIME), arg);
}

static void
enc_oraddress(struct ber_enc *e, const void *arg)
{
	x400_oraddress_enc(e, BER_UNIV(BER_SEQUENCE), arg);
}

static void
enc_ia5(struct ber_enc *e, const void *arg)
{
	ber_put_string(e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING, arg,
	    strlen(arg));
}

struct dlexp_arg {
	const struct x400_dlexp	*x;
	unsigned		 n;
};

static void
enc_dlexp(struct ber_enc *e, const void *arg)
{
	const struct dlexp_arg	*a = arg;
	unsigned		 i;

	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	for (i = 0; i < a->n; i++) {
		ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
		x400_orname_enc(e, BER_APP(0), &a->x[i].dl);
		x400_time_enc(e, BER_UNIV(BER_UTC_TIME), &a->x[i].time);
		ber_enc_end(e);
	}
	ber_enc_end(e);
}

/* Add a standard extension whose value is DER made by fn. */
static int
add_ext(struct spec *s, struct x400_envelope *env, int64_t number,
    const char *oid, uint8_t crit,
    void (*fn)(struct ber_enc *, const void *), const void *arg)
{
	struct x400_ext	*x;

	GROW(s, env->ext, env->next, "extensions");
	x = &env->ext[env->next++];
	x->standard = oid == NULL;
	x->number = number;
	x->oid = oid != NULL ? sdup(s, oid, strlen(oid)) : NULL;
	x->crit = crit;
	x->known = true;
	return der_value(s, fn, arg, &x->value, &x->valuelen);
}

/* The ipm.c encoder writes MMHS fields; these only need the model. */
static int
parse_ordesc(struct spec *s, char *v, struct x400_ordesc *o, struct pair *pv,
    int *np, bool *used)
{
	int	n, i;

	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
	    parse_orname(s, pv, n, &o->formal, used) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		if (strcmp(pv[i].key, "free-form") == 0) {
			text_set(s, &o->free_form, pv[i].val, X400_CS_T61);
			used[i] = true;
		} else if (strcmp(pv[i].key, "telephone") == 0) {
			if (printable(s, pv[i].val, &o->telephone,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
			used[i] = true;
		}
	}
	if (!o->formal.present && o->free_form.utf8 == NULL)
		return spec_fail(s, "an O/R descriptor needs an O/R name or "
		    "free-form=");
	*np = n;
	return 0;
}

static int
parse_ipmid(struct spec *s, char *v, struct x400_ipmid *id)
{
	struct pair	pv[SPEC_MAX_PAIRS];
	bool		used[SPEC_MAX_PAIRS];
	int		n, i;

	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
	    parse_orname(s, pv, n, &id->user, used) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		if (strcmp(pv[i].key, "local") != 0)
			return spec_fail(s, "IPM identifier item \"%s\"",
			    pv[i].key);
		if (printable(s, pv[i].val, &id->local,
		    BER_PRINTABLE_STRING) == -1)
			return -1;
	}
	if (id->local == NULL)
		id->local = sdup(s, "", 0);
	return 0;
}

static int
parse_rcptspec(struct spec *s, char *v, struct x400_rcptspec *r)
{
	static const char *const notes[] = { "rn", "nrn", "ipm-return",
	    "an-supported", "suppress-an", NULL };
	static const char *const acp[] = { "nn", "pn", "tn", NULL };
	struct pair	 pv[SPEC_MAX_PAIRS];
	bool		 used[SPEC_MAX_PAIRS];
	int		 n, i;
	int64_t		 b;
	char		*c, *next;

	if (parse_ordesc(s, v, &r->who, pv, &n, used) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		if (strcmp(pv[i].key, "reply") == 0) {
			if (parse_bool(s, pv[i].val, &r->reply_requested) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "notify") == 0 ||
		    strcmp(pv[i].key, "acp127-notify") == 0) {
			bool acpn = pv[i].key[0] == 'a';
			struct x400_bits *bits = acpn ? &r->acp127_notify :
			    &r->notify;

			bits->present = true;
			for (c = pv[i].val; c != NULL; c = next) {
				if ((next = strchr(c, ',')) != NULL)
					*next++ = '\0';
				if (parse_enum(s, trim(c), acpn ? acp : notes,
				    63, &b) == -1)
					return -1;
				bits->bits |= UINT64_C(1) << b;
			}
		} else
			return spec_fail(s, "recipient item \"%s\"",
			    pv[i].key);
	}
	return 0;
}

static int
parse_recipient(struct spec *s, char *v, struct x400_envelope *env)
{
	static const char *const inds[] = { "responsibility",
	    "originating-MTA-report", "originating-MTA-non-delivery-report",
	    "originator-report", "originator-non-delivery-report", NULL };
	struct pair		 pv[SPEC_MAX_PAIRS];
	bool			 used[SPEC_MAX_PAIRS];
	struct x400_recipient	*r;
	int			 n, i;
	int64_t			 b;
	char			*c, *next;

	if (env->nrcpt == 0 && env->rcpt == NULL &&
	    (env->rcpt = x400_array(s->d, SPEC_MAX_ITEMS, sizeof(*env->rcpt),
	    NULL)) == NULL)
		return spec_fail(s, "out of memory");
	if (env->nrcpt == SPEC_MAX_ITEMS)
		return spec_fail(s, "too many recipients");
	r = &env->rcpt[env->nrcpt];
	r->number = env->nrcpt + 1;
	r->explicit_conversion = X400_ABSENT;
	/* Default: responsible, originating MTA asks for non-delivery. */
	r->indicators.present = true;
	r->indicators.bits = 0x5;
	r->indicators.nbits = 8;
	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
	    parse_orname(s, pv, n, &r->name, used) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		if (strcmp(pv[i].key, "number") == 0) {
			if (parse_int(s, pv[i].val, 1, 32767, &r->number) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "indicators") == 0) {
			r->indicators.bits = 0;
			for (c = pv[i].val; c != NULL; c = next) {
				if ((next = strchr(c, ',')) != NULL)
					*next++ = '\0';
				if (parse_enum(s, trim(c), inds, 63, &b) == -1)
					return -1;
				r->indicators.bits |= UINT64_C(1) << b;
			}
		} else if (strcmp(pv[i].key, "explicit-conversion") == 0) {
			if (parse_int(s, pv[i].val, 0, 256,
			    &r->explicit_conversion) == -1)
				return -1;
		} else
			return spec_fail(s, "recipient item \"%s\"",
			    pv[i].key);
	}
	if (!r->name.present)
		return spec_fail(s, "recipient without an O/R name");
	env->nrcpt++;
	return 0;
}

/* Report recipients: O/R; number=; type=delivery|non-delivery; ... */
static int
parse_report_rcpt(struct spec *s, char *v, struct x400_report *rep)
{
	static const char *const types[] = { "non-delivery", "delivery",
	    NULL };
	struct pair		 pv[SPEC_MAX_PAIRS];
	bool			 used[SPEC_MAX_PAIRS];
	struct x400_report_rcpt	*r;
	int			 n, i;
	int64_t			 t;

	if (rep->rcpt == NULL && (rep->rcpt = x400_array(s->d,
	    SPEC_MAX_ITEMS, sizeof(*rep->rcpt), NULL)) == NULL)
		return spec_fail(s, "out of memory");
	if (rep->nrcpt == SPEC_MAX_ITEMS)
		return spec_fail(s, "too many recipients");
	r = &rep->rcpt[rep->nrcpt];
	r->number = rep->nrcpt + 1;
	r->reason = 1;
	r->diagnostic = X400_ABSENT;
	r->mts_user_type = X400_ABSENT;
	r->indicators.present = true;
	r->indicators.bits = 0x5;
	r->indicators.nbits = 8;
	if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
	    parse_orname(s, pv, n, &r->actual, used) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const char *k = pv[i].key, *x = pv[i].val;

		if (used[i])
			continue;
		if (strcmp(k, "number") == 0) {
			if (parse_int(s, x, 1, 32767, &r->number) == -1)
				return -1;
		} else if (strcmp(k, "type") == 0) {
			if (parse_enum(s, x, types, 1, &t) == -1)
				return -1;
			r->delivered = t == 1;
		} else if (strcmp(k, "reason") == 0) {
			if (parse_int(s, x, 0, 32767, &r->reason) == -1)
				return -1;
		} else if (strcmp(k, "diagnostic") == 0) {
			if (parse_int(s, x, 0, 32767, &r->diagnostic) == -1)
				return -1;
		} else if (strcmp(k, "arrival") == 0) {
			if (parse_time(s, x, &r->arrival) == -1)
				return -1;
		} else if (strcmp(k, "delivery-time") == 0) {
			if (parse_time(s, x, &r->delivery_time) == -1)
				return -1;
		} else if (strcmp(k, "supplementary") == 0) {
			if (printable(s, x, &r->supplementary,
			    BER_PRINTABLE_STRING) == -1)
				return -1;
		} else
			return spec_fail(s, "report recipient item \"%s\"", k);
	}
	if (!r->actual.present || !r->arrival.present ||
	    (r->delivered && !r->delivery_time.present))
		return spec_fail(s, "report recipient needs an O/R name, "
		    "arrival= and, for delivery, delivery-time=");
	rep->nrcpt++;
	return 0;
}

static int spec_parse_text(struct spec *, const char *, size_t,
    struct x400_msg *, struct x400_content **);

/*
 * OtherMessageDeliveryFields for a forwarded message, from its SPEC's
 * envelope: SET { content-type, originator-name [APPLICATION 0],
 * this-recipient-name [4], message-submission-time [7] }, the submission
 * time being the first trace arrival.
 */
static int
delivery_envelope(struct spec *s, const struct x400_msg *m,
    const uint8_t **out, size_t *len)
{
	struct buf	 b;
	struct ber_enc	 e;
	uint8_t		*p;

	if (m->env.nrcpt == 0 || m->env.ntrace == 0 ||
	    !m->env.originator.present)
		return spec_fail(s, "a forwarded message needs an originator, "
		    "a recipient and a trace");
	buf_init(&b, 1 << 20);
	ber_enc_init(&e, &b, 0);
	ber_enc_begin_set(&e, BER_CTX(1));	/* delivery-envelope [1] */
	if (m->env.content_oid != NULL)
		ber_put_oid_text(&e, BER_UNIV(BER_OID), m->env.content_oid);
	else
		ber_put_int(&e, BER_CTX(0), m->env.content_builtin);
	x400_orname_enc(&e, BER_APP(0), &m->env.originator);
	x400_orname_enc(&e, BER_CTX(4), &m->env.rcpt[0].name);
	x400_time_enc(&e, BER_CTX(7), &m->env.trace[0].arrival);
	ber_enc_end(&e);
	if (ber_enc_finish(&e) == -1 ||
	    (p = x400_alloc(s->d, b.len, NULL)) == NULL) {
		buf_free(&b);
		return spec_fail(s, "cannot encode the delivery envelope");
	}
	memcpy(p, b.data, b.len);
	*out = p;
	*len = b.len;
	buf_free(&b);
	return 0;
}

/*
 * file=NAME: a forwarded message composed from another SPEC; when envelope
 * is not NULL, its delivery envelope is made too.
 */
static int
forwarded(struct spec *s, const char *file, struct x400_content **out,
    const uint8_t **envelope, size_t *envelope_len)
{
	struct spec	 sub = *s;
	struct x400_msg	*m;
	char		 path[4096];
	FILE		*f;
	char		*text;
	size_t		 len, cap = 1 << 20;
	int		 rc;

	if (s->depth + 1 > SPEC_MAX_DEPTH)
		return spec_fail(s, "forwarded messages nested deeper than %d",
		    SPEC_MAX_DEPTH);
	(void)snprintf(path, sizeof(path), "%s%s%s", file[0] == '/' ? "" :
	    s->dir, file[0] == '/' ? "" : "/", file);
	if ((f = fopen(path, "r")) == NULL)
		return spec_fail(s, "%s: %s", path, strerror(errno));
	text = xmalloc(cap);
	len = fread(text, 1, cap - 1, f);
	fclose(f);
	text[len] = '\0';
	sub.name = path;
	sub.opts = NULL;
	sub.line = 0;
	sub.depth = s->depth + 1;
	if ((m = x400_alloc(s->d, sizeof(*m), NULL)) == NULL) {
		free(text);
		return spec_fail(s, "out of memory");
	}
	rc = spec_parse_text(&sub, text, len, m, out);
	free(text);
	if (rc == -1)
		return -1;
	if (*out == NULL)
		return spec_fail(s, "%s has no [heading] or [ipn]", path);
	if (envelope != NULL && delivery_envelope(s, m, envelope,
	    envelope_len) == -1)
		return -1;
	return 0;
}

static int
parse_body_header(struct spec *s, char *hdr, struct x400_bodypart *b)
{
	struct pair	 pv[SPEC_MAX_PAIRS];
	char		*type, *rest;
	int		 n, i, t;
	int64_t		 v;

	type = hdr;
	rest = strpbrk(hdr, " \t");
	if (rest != NULL)
		*rest++ = '\0';
	for (t = 0; t < X400_BP__COUNT; t++)
		if (strcmp(x400_bp_name((enum x400_bp)t), type) == 0)
			break;
	if (t == X400_BP__COUNT)
		return spec_fail(s, "unknown body part type \"%s\"", type);
	b->type = (enum x400_bp)t;
	b->param = X400_ABSENT;
	if (rest == NULL)
		return 0;
	/* Items after the type are blank-separated k=v. */
	for (i = 0; rest[i] != '\0'; i++)
		if (rest[i] == ' ' || rest[i] == '\t')
			rest[i] = ';';
	if ((n = pairs(s, rest, pv, SPEC_MAX_PAIRS)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (pv[i].key[0] == '\0' && pv[i].val[0] == '\0')
			continue;
		if (strcmp(pv[i].key, "extended") == 0) {
			if (parse_bool(s, pv[i].val, &b->extended) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "oid") == 0) {
			if (parse_oid(s, pv[i].val, &b->oid) == -1)
				return -1;
			b->extended = true;
		} else if (strcmp(pv[i].key, "param") == 0) {
			if (parse_int(s, pv[i].val, INT32_MIN, INT32_MAX,
			    &b->param) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "params") == 0) {
			if (parse_hex(s, pv[i].val, &b->params,
			    &b->paramslen) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "form") == 0) {
			if (strcmp(pv[i].val, "set") == 0)
				b->set_oriented = true;
			else if (strcmp(pv[i].val, "line") != 0)
				return spec_fail(s, "form: line or set");
		} else if (strcmp(pv[i].key, "charsets") == 0) {
			char *c, *next;

			b->charsets = x400_array(s->d, 16, sizeof(int64_t),
			    NULL);
			for (c = pv[i].val; c != NULL; c = next) {
				if ((next = strchr(c, ',')) != NULL)
					*next++ = '\0';
				if (b->ncharsets == 16 || parse_int(s, c, 1,
				    32767, &v) == -1)
					return spec_fail(s, "charsets: up to "
					    "16 registrations 1..32767");
				b->charsets[b->ncharsets++] = v;
			}
		} else if (strcmp(pv[i].key, "delivery-time") == 0) {
			if (parse_time(s, pv[i].val, &b->delivery_time) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "file") == 0) {
			if (forwarded(s, pv[i].val, &b->forwarded,
			    &b->delivery_envelope,
			    &b->delivery_envelope_len) == -1)
				return -1;
		} else if (strcmp(pv[i].key, "content-type") == 0) {
			if (parse_oid(s, pv[i].val, &b->forwarded_type) == -1)
				return -1;
		} else
			return spec_fail(s, "body part item \"%s\"", pv[i].key);
	}
	return 0;
}

/* Text types take the lines as text; the others take hex data. */
static bool
body_is_text(enum x400_bp t)
{
	switch (t) {
	case X400_BP_IA5_TEXT: case X400_BP_TELETEX:
	case X400_BP_GENERAL_TEXT: case X400_BP_ADATP3:
	case X400_BP_CORRECTIONS: case X400_BP_ACP127DATA:
	case X400_BP_VIDEOTEX:
		return true;
	default:
		return false;
	}
}

static int
body_finish(struct spec *s, struct x400_bodypart *b, struct buf *lines)
{
	enum x400_cs	 cs = X400_CS_IA5;
	const uint8_t	*data;
	size_t		 len;
	char		*z;

	/* Drop the final newline of the last line. */
	if (lines->len > 0 && lines->data[lines->len - 1] == '\n')
		lines->len--;
	if (b->type == X400_BP_TELETEX || b->type == X400_BP_VIDEOTEX)
		cs = X400_CS_T61;
	if (b->type == X400_BP_GENERAL_TEXT)
		cs = X400_CS_LATIN1;
	if (body_is_text(b->type)) {
		b->text.utf8 = sdup(s, lines->data != NULL ?
		    (char *)lines->data : "", lines->len);
		b->text.len = lines->len;
		b->text.cs = cs;
		if (b->type == X400_BP_GENERAL_TEXT && b->ncharsets == 0) {
			/* ISO 8859-1: ISO-IR 6, 100 (and 1: C0). */
			b->charsets = x400_array(s->d, 3, sizeof(int64_t),
			    NULL);
			b->charsets[0] = 1;
			b->charsets[1] = 6;
			b->charsets[2] = 100;
			b->ncharsets = 3;
		}
		return 0;
	}
	if (b->forwarded != NULL)
		return 0;
	if (buf_add_byte(lines, '\0') == -1)
		return spec_fail(s, "body part too large");
	z = (char *)lines->data;
	if (z == NULL)
		z = (char *)"";
	if (parse_hex(s, z, &data, &len) == -1)
		return -1;
	b->data = data;
	b->datalen = len;
	return 0;
}

/* The [heading] section's fields. */
static int
heading_field(struct spec *s, const char *k, char *v, struct x400_ipm *p)
{
	static const char *const importances[] = { "low", "normal", "high",
	    NULL };
	static const char *const sens[] = { "", "personal", "private",
	    "company-confidential", NULL };
	static const char *const mtypes[] = { "exercise", "operation",
	    "project", "drill", NULL };
	static const char *const listtypes[] = { "primary", "copy", NULL };
	static const char *const requests[] = { "action", "info", "both",
	    NULL };
	struct pair	 pv[SPEC_MAX_PAIRS];
	bool		 used[SPEC_MAX_PAIRS];
	int		 n, i;
	struct x400_rcptspec **rarr = NULL;
	unsigned	*rn = NULL;

	if (strcmp(k, "this-ipm") == 0)
		return parse_ipmid(s, v, &p->this_ipm);
	if (strcmp(k, "originator") == 0) {
		p->has_originator = true;
		if (parse_ordesc(s, v, &p->originator, pv, &n, used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "authorizing-user") == 0) {
		GROW(s, p->auth, p->nauth, "authorizing users");
		if (parse_ordesc(s, v, &p->auth[p->nauth++], pv, &n,
		    used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "to") == 0) {
		rarr = &p->primary;
		rn = &p->nprimary;
	} else if (strcmp(k, "cc") == 0) {
		rarr = &p->copy;
		rn = &p->ncopy;
	} else if (strcmp(k, "bcc") == 0) {
		rarr = &p->blind;
		rn = &p->nblind;
		p->has_blind = true;
	}
	if (rarr != NULL) {
		GROW(s, *rarr, *rn, "recipients");
		return parse_rcptspec(s, v, &(*rarr)[(*rn)++]);
	}
	if (strcmp(k, "replied-to") == 0) {
		p->has_replied_to = true;
		return parse_ipmid(s, v, &p->replied_to);
	}
	if (strcmp(k, "obsoletes") == 0) {
		GROW(s, p->obsoleted, p->nobsoleted, "obsoleted IPMs");
		return parse_ipmid(s, v, &p->obsoleted[p->nobsoleted++]);
	}
	if (strcmp(k, "related") == 0) {
		GROW(s, p->related, p->nrelated, "related IPMs");
		return parse_ipmid(s, v, &p->related[p->nrelated++]);
	}
	if (strcmp(k, "subject") == 0) {
		text_set(s, &p->subject, v, X400_CS_T61);
		return 0;
	}
	if (strcmp(k, "expiry") == 0)
		return parse_time(s, v, &p->expiry);
	if (strcmp(k, "reply-by") == 0)
		return parse_time(s, v, &p->reply_time);
	if (strcmp(k, "reply-to") == 0) {
		p->has_reply_rcpt = true;
		GROW(s, p->reply_rcpt, p->nreply_rcpt, "reply recipients");
		if (parse_ordesc(s, v, &p->reply_rcpt[p->nreply_rcpt++], pv,
		    &n, used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "importance") == 0)
		return parse_enum(s, v, importances, 2, &p->importance);
	if (strcmp(k, "sensitivity") == 0)
		return parse_enum(s, v, sens, 3, &p->sensitivity);
	if (strcmp(k, "auto-forwarded") == 0)
		return parse_bool(s, v, &p->auto_forwarded);
	if (strcmp(k, "primary-precedence") == 0)
		return parse_enum(s, v, precedences, 31,
		    &p->primary_precedence);
	if (strcmp(k, "copy-precedence") == 0)
		return parse_enum(s, v, precedences, 31, &p->copy_precedence);
	if (strcmp(k, "message-type") == 0) {
		if ((n = pairs(s, v, pv, 4)) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (pv[i].key[0] == '\0' || strcmp(pv[i].key,
			    "type") == 0) {
				if (parse_enum(s, pv[i].val, mtypes, 255,
				    &p->message_type) == -1)
					return -1;
			} else if (strcmp(pv[i].key, "id") == 0)
				text_set(s, &p->message_type_id, pv[i].val,
				    X400_CS_ASCII);
			else
				return spec_fail(s, "message-type item \"%s\"",
				    pv[i].key);
		}
		return 0;
	}
	if (strcmp(k, "address-list") == 0) {
		struct x400_ald *a;

		p->has_ald = true;
		GROW(s, p->ald, p->nald, "address lists");
		a = &p->ald[p->nald++];
		a->notification = a->reply = X400_ABSENT;
		if (parse_ordesc(s, v, &a->list, pv, &n, used) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (used[i])
				continue;
			used[i] = true;
			if (strcmp(pv[i].key, "type") == 0) {
				if (parse_enum(s, pv[i].val, listtypes, 1,
				    &a->type) == -1)
					return -1;
			} else if (strcmp(pv[i].key, "notification") == 0) {
				if (parse_enum(s, pv[i].val, requests, 2,
				    &a->notification) == -1)
					return -1;
			} else if (strcmp(pv[i].key, "reply") == 0) {
				if (parse_enum(s, pv[i].val, requests, 2,
				    &a->reply) == -1)
					return -1;
			} else
				used[i] = false;
		}
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "exempted") == 0) {
		p->has_exempted = true;
		GROW(s, p->exempted, p->nexempted, "exempted addresses");
		if (parse_ordesc(s, v, &p->exempted[p->nexempted++], pv, &n,
		    used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "extended-authorisation-info") == 0)
		return parse_time(s, v, &p->ext_auth_info);
	if (strcmp(k, "sic") == 0) {
		p->has_dist_codes = true;
		GROW(s, p->sics, p->nsics, "SICs");
		return printable(s, v, &p->sics[p->nsics++],
		    BER_PRINTABLE_STRING);
	}
	if (strcmp(k, "dist-extension") == 0) {
		struct x400_distext *x;

		p->has_dist_codes = true;
		GROW(s, p->dist_ext, p->ndist_ext, "distribution extensions");
		x = &p->dist_ext[p->ndist_ext++];
		if ((n = pairs(s, v, pv, 4)) == -1)
			return -1;
		if (pget(pv, n, "oid") == NULL || pget(pv, n, "value") == NULL)
			return spec_fail(s, "dist-extension: oid=OID; "
			    "value=HEX");
		if (parse_oid(s, pget(pv, n, "oid"), &x->oid) == -1)
			return -1;
		return parse_hex(s, pget(pv, n, "value"), &x->value,
		    &x->valuelen);
	}
	if (strcmp(k, "handling-instruction") == 0) {
		p->has_handling = true;
		GROW(s, p->handling, p->nhandling, "handling instructions");
		text_set(s, &p->handling[p->nhandling++], v, X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "message-instruction") == 0) {
		p->has_instructions = true;
		GROW(s, p->instructions, p->ninstructions,
		    "message instructions");
		text_set(s, &p->instructions[p->ninstructions++], v,
		    X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "codress") == 0)
		return parse_int(s, v, INT32_MIN, INT32_MAX, &p->codress);
	if (strcmp(k, "originator-reference") == 0) {
		text_set(s, &p->originator_ref, v, X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "other-recipient") == 0) {
		struct x400_ord *o;

		p->has_other_rcpt = true;
		GROW(s, p->other_rcpt, p->nother_rcpt, "other recipients");
		o = &p->other_rcpt[p->nother_rcpt++];
		if ((n = pairs(s, v, pv, 4)) == -1)
			return -1;
		if (pget(pv, n, "designator") == NULL)
			return spec_fail(s, "other-recipient: type=primary|"
			    "copy; designator=TEXT");
		if (pget(pv, n, "type") != NULL && parse_enum(s, pget(pv, n,
		    "type"), listtypes, 1, &o->type) == -1)
			return -1;
		text_set(s, &o->designator, pget(pv, n, "designator"),
		    X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "pilot") == 0) {
		struct x400_pilot *pl;

		p->has_pilot = true;
		GROW(s, p->pilot, p->npilot, "pilot entries");
		pl = &p->pilot[p->npilot++];
		pl->precedence = X400_ABSENT;
		if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			if (strcmp(pv[i].key, "precedence") == 0) {
				if (parse_enum(s, pv[i].val, precedences, 31,
				    &pl->precedence) == -1)
					return -1;
			} else if (strcmp(pv[i].key, "handling") == 0) {
				if (pl->handling == NULL)
					pl->handling = x400_array(s->d, 16,
					    sizeof(*pl->handling), NULL);
				if (pl->nhandling == 16)
					return spec_fail(s, "too many pilot "
					    "handling instructions");
				text_set(s, &pl->handling[pl->nhandling++],
				    pv[i].val, X400_CS_ASCII);
			} else if (strcmp(pv[i].key, "recipient") == 0) {
				if (pl->rcpt == NULL)
					pl->rcpt = x400_array(s->d, 16,
					    sizeof(*pl->rcpt), NULL);
				if (pl->nrcpt == 16)
					return spec_fail(s, "too many pilot "
					    "recipients");
				text_set(s, &pl->rcpt[pl->nrcpt++].free_form,
				    pv[i].val, X400_CS_T61);
			} else
				return spec_fail(s, "pilot item \"%s\" "
				    "(precedence, handling, recipient)",
				    pv[i].key);
		}
		return 0;
	}
	if (strcmp(k, "acp127-message-id") == 0) {
		text_set(s, &p->acp127_id, v, X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "originator-plad") == 0) {
		text_set(s, &p->originator_plad, v, X400_CS_ASCII);
		return 0;
	}
	if (strcmp(k, "information-label") == 0) {
		p->has_info_labels = true;
		return parse_label(s, v, &p->info_label);
	}
	if (strcmp(k, "heading-extension") == 0) {
		struct x400_hext *x;

		GROW(s, p->ext, p->next, "heading extensions");
		x = &p->ext[p->next++];
		if ((n = pairs(s, v, pv, 4)) == -1 ||
		    pget(pv, n, "oid") == NULL)
			return spec_fail(s, "heading-extension: oid=OID; "
			    "value=HEX");
		if (parse_oid(s, pget(pv, n, "oid"), &x->oid) == -1)
			return -1;
		if (pget(pv, n, "value") != NULL)
			return parse_hex(s, pget(pv, n, "value"), &x->value,
			    &x->valuelen);
		return 0;
	}
	return spec_fail(s, "unknown heading field \"%s\"", k);
}

static int
ipn_field(struct spec *s, const char *k, char *v, struct x400_ipn *p)
{
	static const char *const kinds[] = { "non-receipt", "receipt",
	    "other", NULL };
	static const char *const acks[] = { "manual", "automatic", NULL };
	static const char *const reasons[] = { "discarded", "auto-forwarded",
	    NULL };
	static const char *const discards[] = { "expired", "obsoleted",
	    "subscription-terminated", NULL };
	struct pair	pv[SPEC_MAX_PAIRS];
	bool		used[SPEC_MAX_PAIRS];
	int64_t		x;
	int		n;

	if (strcmp(k, "subject-ipm") == 0)
		return parse_ipmid(s, v, &p->subject_ipm);
	if (strcmp(k, "kind") == 0) {
		if (parse_enum(s, v, kinds, 2, &x) == -1)
			return -1;
		p->kind = (enum x400_ipn_kind)x;
		return 0;
	}
	if (strcmp(k, "originator") == 0) {
		p->has_originator = true;
		if (parse_ordesc(s, v, &p->originator, pv, &n, used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "intended-recipient") == 0) {
		p->has_intended = true;
		if (parse_ordesc(s, v, &p->intended, pv, &n, used) == -1)
			return -1;
		return check_unused(s, pv, n, used);
	}
	if (strcmp(k, "receipt-time") == 0)
		return parse_time(s, v, &p->receipt_time);
	if (strcmp(k, "ack-mode") == 0)
		return parse_enum(s, v, acks, 1, &p->ack_mode);
	if (strcmp(k, "supplementary") == 0)
		return printable(s, v, &p->suppl_info, BER_PRINTABLE_STRING);
	if (strcmp(k, "reason") == 0)
		return parse_enum(s, v, reasons, 1, &p->reason);
	if (strcmp(k, "discard-reason") == 0)
		return parse_enum(s, v, discards, 3, &p->discard_reason);
	if (strcmp(k, "comment") == 0)
		return printable(s, v, &p->auto_forward_comment,
		    BER_PRINTABLE_STRING);
	if (strcmp(k, "returned") == 0)
		return forwarded(s, v, &p->returned, NULL, NULL);
	return spec_fail(s, "unknown IPN field \"%s\"", k);
}

/* Top-level (envelope, report, probe) fields. */
static int
envelope_field(struct spec *s, const char *k, char *v, struct x400_msg *m,
    bool *have_ct)
{
	static const char *const apdus[] = { "message", "report", "probe",
	    NULL };
	static const char *const prios[] = { "normal", "non-urgent", "urgent",
	    NULL };
	static const char *const pmis[] = { "disclosure-of-other-recipients",
	    "implicit-conversion-prohibited", "alternate-recipient-allowed",
	    "content-return-request", "reserved", "bit-5", "bit-6",
	    "service-message", NULL };
	static const char *const eits[] = { "unknown", "telex", "ia5-text",
	    "g3-facsimile", "g4-class-1", "teletex", "videotex", "voice",
	    "sfd", "mixed-mode", NULL };
	static const char *const plq[] = { "low", "high", NULL };
	struct x400_envelope	*env = &m->env;
	struct x400_report	*rep = &m->report;
	char			*c, *next;
	int64_t			 x;

	if (strcmp(k, "apdu") == 0) {
		if (parse_enum(s, v, apdus, 2, &x) == -1)
			return -1;
		m->apdu = (enum x400_apdu)x;
		return 0;
	}
	if (strcmp(k, "message-id") == 0 || strcmp(k, "probe-id") == 0)
		return parse_mtsid(s, v, &env->id);
	if (strcmp(k, "originator") == 0)
		return orname_only(s, v, &env->originator);
	if (strcmp(k, "content-type") == 0) {
		*have_ct = true;
		env->content_builtin = X400_ABSENT;
		if (strcmp(v, "p772") == 0)
			env->content_oid = sdup(s, X400_OID_P772,
			    strlen(X400_OID_P772));
		else if (strcmp(v, "ipm88") == 0)
			env->content_builtin = X400_CT_IPM88;
		else if (strcmp(v, "ipm84") == 0)
			env->content_builtin = X400_CT_IPM84;
		else if (strchr(v, '.') != NULL)
			return parse_oid(s, v, &env->content_oid);
		else
			return parse_int(s, v, 0, 1024, &env->content_builtin);
		return 0;
	}
	if (strcmp(k, "content-id") == 0)
		return printable(s, v, &env->content_id, BER_PRINTABLE_STRING);
	if (strcmp(k, "priority") == 0)
		return parse_enum(s, v, prios, 2, &env->priority);
	if (strcmp(k, "indicators") == 0 || strcmp(k, "original-eits") == 0) {
		struct x400_bits *b = k[0] == 'i' ? &env->indicators :
		    &env->original_eits.builtin;

		b->present = true;
		if (k[0] == 'o')
			env->original_eits.present = true;
		for (c = v; c != NULL; c = next) {
			if ((next = strchr(c, ',')) != NULL)
				*next++ = '\0';
			if (parse_enum(s, trim(c), k[0] == 'i' ? pmis : eits, 63,
			    &x) == -1)
				return -1;
			b->bits |= UINT64_C(1) << x;
		}
		return 0;
	}
	if (strcmp(k, "deferred-delivery") == 0)
		return parse_time(s, v, &env->deferred_delivery);
	if (strcmp(k, "content-length") == 0)
		return parse_int(s, v, 0, INT32_MAX, &env->content_length);
	if (strcmp(k, "trace") == 0) {
		if (m->apdu == X400_APDU_REPORT) {
			GROW(s, rep->trace, rep->ntrace, "trace elements");
			return parse_trace(s, v, false,
			    &rep->trace[rep->ntrace++]);
		}
		GROW(s, env->trace, env->ntrace, "trace elements");
		return parse_trace(s, v, false, &env->trace[env->ntrace++]);
	}
	if (strcmp(k, "internal-trace") == 0) {
		GROW(s, env->itrace, env->nitrace, "trace elements");
		return parse_trace(s, v, true, &env->itrace[env->nitrace++]);
	}
	if (strcmp(k, "recipient") == 0)
		return parse_recipient(s, v, env);
	if (strcmp(k, "extension") == 0) {
		GROW(s, env->ext, env->next, "extensions");
		return parse_ext(s, v, &env->ext[env->next++]);
	}
	if (strcmp(k, "security-label") == 0) {
		if (parse_label(s, v, &env->label) == -1)
			return -1;
		return add_ext(s, env, X400_EXT_MESSAGE_SECURITY_LABEL, NULL, 0,
		    enc_label, &env->label);
	}
	if (strcmp(k, "latest-delivery") == 0) {
		if (parse_time(s, v, &env->latest_delivery) == -1)
			return -1;
		return add_ext(s, env, X400_EXT_LATEST_DELIVERY_TIME, NULL,
		    X400_CRIT_DELIVERY, enc_time, &env->latest_delivery);
	}
	if (strcmp(k, "recipient-reassignment-prohibited") == 0) {
		env->recipient_reassignment_prohibited = true;
		return add_ext(s, env, X400_EXT_RECIPIENT_REASSIGNMENT_PROHIBITED,
		    NULL, X400_CRIT_DELIVERY, enc_enum1, NULL);
	}
	if (strcmp(k, "dl-expansion-prohibited") == 0) {
		env->dl_expansion_prohibited = true;
		return add_ext(s, env, X400_EXT_DL_EXPANSION_PROHIBITED, NULL,
		    X400_CRIT_DELIVERY, enc_enum1, NULL);
	}
	if (strcmp(k, "conversion-with-loss-prohibited") == 0) {
		env->conversion_with_loss_prohibited = true;
		return add_ext(s, env, X400_EXT_CONVERSION_WITH_LOSS_PROHIBITED,
		    NULL, X400_CRIT_DELIVERY, enc_enum1, NULL);
	}
	if (strcmp(k, "return-address") == 0) {
		if (orname_only(s, v, &env->return_address) == -1)
			return -1;
		return add_ext(s, env, X400_EXT_ORIGINATOR_RETURN_ADDRESS, NULL,
		    0, enc_oraddress, &env->return_address);
	}
	if (strcmp(k, "content-correlator") == 0) {
		env->correlator = (const uint8_t *)sdup(s, v, strlen(v));
		env->correlator_len = strlen(v);
		env->correlator_ia5 = true;
		return add_ext(s, env, X400_EXT_CONTENT_CORRELATOR, NULL, 0,
		    enc_ia5, env->correlator);
	}
	if (strcmp(k, "dl-expansion") == 0) {
		struct pair	 pv[SPEC_MAX_PAIRS];
		bool		 used[SPEC_MAX_PAIRS];
		int		 n, i;
		struct dlexp_arg a;

		GROW(s, env->dlexp, env->ndlexp, "DL expansions");
		if ((n = pairs(s, v, pv, SPEC_MAX_PAIRS)) == -1 ||
		    parse_orname(s, pv, n, &env->dlexp[env->ndlexp].dl,
		    used) == -1)
			return -1;
		for (i = 0; i < n; i++)
			if (!used[i] && strcmp(pv[i].key, "time") == 0) {
				used[i] = true;
				if (parse_time(s, pv[i].val,
				    &env->dlexp[env->ndlexp].time) == -1)
					return -1;
			}
		if (check_unused(s, pv, n, used) == -1)
			return -1;
		env->ndlexp++;
		/* One extension holds the whole history: replace it. */
		for (i = 0; i < (int)env->next; i++)
			if (env->ext[i].standard && env->ext[i].number ==
			    X400_EXT_DL_EXPANSION_HISTORY)
				break;
		a.x = env->dlexp;
		a.n = env->ndlexp;
		if (i < (int)env->next)
			return der_value(s, enc_dlexp, &a, &env->ext[i].value,
			    &env->ext[i].valuelen);
		return add_ext(s, env, X400_EXT_DL_EXPANSION_HISTORY, NULL, 0,
		    enc_dlexp, &a);
	}
	if (strcmp(k, "priority-level-qualifier") == 0) {
		if (parse_enum(s, v, plq, 1, &env->priority_qualifier) == -1)
			return -1;
		return add_ext(s, env, 0, X400_OID_PLQ, 0, enc_enum_val,
		    &env->priority_qualifier);
	}
	if (strcmp(k, "content-file") == 0) {
		/* The content octets as given (e.g. CMS made elsewhere). */
		char	 path[4096];
		FILE	*f;
		uint8_t	*p;
		long	 n;

		(void)snprintf(path, sizeof(path), "%s%s%s",
		    v[0] == '/' ? "" : s->dir, v[0] == '/' ? "" : "/", v);
		if ((f = fopen(path, "rb")) == NULL)
			return spec_fail(s, "%s: %s", path, strerror(errno));
		if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		    n > 64L * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0 ||
		    (p = x400_alloc(s->d, (size_t)n, NULL)) == NULL ||
		    fread(p, 1, (size_t)n, f) != (size_t)n) {
			fclose(f);
			return spec_fail(s, "%s: cannot read (at most 64 MiB)",
			    path);
		}
		fclose(f);
		m->content = p;
		m->content_len = (size_t)n;
		return 0;
	}
	if (strcmp(k, "sign") == 0) {
		struct pair	pv[4];
		const char	*cert, *key;
		char		path[4096];
		int		n;

		if (s->opts == NULL)
			return spec_fail(s, "this tool does not sign");
		if ((n = pairs(s, v, pv, 4)) == -1)
			return -1;
		if ((cert = pget(pv, n, "cert")) == NULL ||
		    (key = pget(pv, n, "key")) == NULL)
			return spec_fail(s, "sign: cert=FILE; key=FILE");
		(void)snprintf(path, sizeof(path), "%s%s%s",
		    cert[0] == '/' ? "" : s->dir, cert[0] == '/' ? "" : "/",
		    cert);
		s->opts->sign_cert = sdup(s, path, strlen(path));
		(void)snprintf(path, sizeof(path), "%s%s%s",
		    key[0] == '/' ? "" : s->dir, key[0] == '/' ? "" : "/", key);
		s->opts->sign_key = sdup(s, path, strlen(path));
		return 0;
	}
	/* Reports. */
	if (strcmp(k, "report-id") == 0)
		return parse_mtsid(s, v, &rep->id);
	if (strcmp(k, "destination") == 0)
		return orname_only(s, v, &rep->destination);
	if (strcmp(k, "subject-id") == 0)
		return parse_mtsid(s, v, &rep->subject);
	if (strcmp(k, "report-recipient") == 0)
		return parse_report_rcpt(s, v, rep);
	if (strcmp(k, "returned-content") == 0) {
		bool	yes;

		if (parse_bool(s, v, &yes) == -1)
			return -1;
		rep->returned = yes ? (const uint8_t *)"" : NULL;
		return 0;
	}
	return spec_fail(s, "unknown field \"%s\"", k);
}

static struct x400_content *
new_content(struct spec *s, bool ipn)
{
	struct x400_content	*c;

	if ((c = x400_alloc(s->d, sizeof(*c), NULL)) == NULL)
		return NULL;
	c->is_ipn = ipn;
	c->ipm.importance = 1;
	c->ipm.sensitivity = X400_ABSENT;
	c->ipm.primary_precedence = X400_ABSENT;
	c->ipm.copy_precedence = X400_ABSENT;
	c->ipm.message_type = X400_ABSENT;
	c->ipm.codress = X400_ABSENT;
	c->ipn.discard_reason = X400_ABSENT;
	return c;
}

static int
spec_parse_text(struct spec *s, const char *text, size_t len,
    struct x400_msg *m, struct x400_content **body)
{
	enum { SEC_TOP, SEC_HEADING, SEC_IPN, SEC_BODY } sec = SEC_TOP;
	struct x400_bodypart	*bp = NULL;
	struct buf		 lines;
	const char		*p = text, *end = text + len, *nl;
	char			 line[8192], *colon, *k, *v;
	bool			 have_ct = false;
	size_t			 n;
	int			 rc = -1;

	buf_init(&lines, 16u << 20);
	*body = NULL;
	m->env.content_builtin = X400_ABSENT;
	m->env.content_length = X400_ABSENT;
	m->env.priority_qualifier = X400_ABSENT;
	m->report.content_builtin = X400_ABSENT;
	for (; p < end; p = nl + 1) {
		s->line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof(line)) {
			spec_fail(s, "line longer than %zu bytes",
			    sizeof(line) - 1);
			goto out;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) != NULL) {
			spec_fail(s, "NUL byte");
			goto out;
		}
		if (line[0] == '[') {
			if (sec == SEC_BODY && body_finish(s, bp, &lines) == -1)
				goto out;
			buf_reset(&lines);
			if ((colon = strchr(line, ']')) == NULL ||
			    *trim(colon + 1) != '\0') {
				spec_fail(s, "section header without ']'");
				goto out;
			}
			*colon = '\0';
			k = trim(line + 1);
			if (strcmp(k, "heading") == 0 || strcmp(k, "ipn") == 0) {
				if (*body != NULL) {
					spec_fail(s, "second [heading]/[ipn]");
					goto out;
				}
				if ((*body = new_content(s, k[0] == 'i')) ==
				    NULL)
					goto out;
				sec = k[0] == 'i' ? SEC_IPN : SEC_HEADING;
				continue;
			}
			if (strncmp(k, "body", 4) == 0 &&
			    (k[4] == ' ' || k[4] == '\t')) {
				struct x400_ipm *ipm;

				if (*body == NULL || (*body)->is_ipn) {
					spec_fail(s, "[body] before [heading]");
					goto out;
				}
				ipm = &(*body)->ipm;
				if (ipm->body == NULL && (ipm->body =
				    x400_array(s->d, SPEC_MAX_ITEMS,
				    sizeof(*ipm->body), NULL)) == NULL)
					goto out;
				if (ipm->nbody == SPEC_MAX_ITEMS) {
					spec_fail(s, "too many body parts");
					goto out;
				}
				bp = &ipm->body[ipm->nbody++];
				if (parse_body_header(s, trim(k + 5), bp) == -1)
					goto out;
				sec = SEC_BODY;
				continue;
			}
			spec_fail(s, "unknown section [%s]", k);
			goto out;
		}
		if (sec == SEC_BODY) {
			if (buf_add(&lines, line, n) == -1 ||
			    buf_add_byte(&lines, '\n') == -1) {
				spec_fail(s, "body part too large");
				goto out;
			}
			continue;
		}
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		if ((colon = strchr(k, ':')) == NULL) {
			spec_fail(s, "expected \"name: value\"");
			goto out;
		}
		*colon = '\0';
		v = trim(colon + 1);
		k = trim(k);
		if ((sec == SEC_TOP && envelope_field(s, k, v, m,
		    &have_ct) == -1) ||
		    (sec == SEC_HEADING && heading_field(s, k, v,
		    &(*body)->ipm) == -1) ||
		    (sec == SEC_IPN && ipn_field(s, k, v, &(*body)->ipn) == -1))
			goto out;
	}
	if (sec == SEC_BODY && body_finish(s, bp, &lines) == -1)
		goto out;
	if (*body != NULL && !have_ct) {
		m->env.content_oid = sdup(s, X400_OID_P772,
		    strlen(X400_OID_P772));
		m->env.content_builtin = X400_ABSENT;
	}
	if (*body != NULL)
		(*body)->p772 = m->env.content_oid != NULL &&
		    strcmp(m->env.content_oid, X400_OID_P772) == 0;
	rc = 0;
out:
	buf_free(&lines);
	return rc;
}

int
x400_spec_parse(struct x400_dec *d, const char *name, const char *dir,
    const char *text, size_t len, struct x400_msg **out,
    struct x400_spec_opts *opts, char *err, size_t errsz)
{
	struct spec		 s;
	struct x400_msg		*m;
	struct x400_content	*body;

	memset(d, 0, sizeof(*d));
	x400_limits_default(&d->lim);
	ber_ctx_init(&d->c, BER_MODE_DER, NULL, "", 0);
	d->c.lim.max_alloc = 256u << 20;
	memset(&s, 0, sizeof(s));
	s.d = d;
	s.opts = opts;
	if (opts != NULL)
		memset(opts, 0, sizeof(*opts));
	s.name = name;
	s.dir = dir;
	s.err = err;
	s.errsz = errsz;
	if ((m = x400_alloc(d, sizeof(*m), NULL)) == NULL)
		return spec_fail(&s, "out of memory");
	if (spec_parse_text(&s, text, len, m, &body) == -1)
		return -1;
	m->body = body;
	s.line = 0;
	if (m->apdu != X400_APDU_REPORT && (m->env.id.text == NULL ||
	    !m->env.originator.present || m->env.nrcpt == 0))
		return spec_fail(&s, "a message or probe needs message-id, "
		    "originator and at least one recipient");
	if (m->apdu == X400_APDU_MESSAGE && m->env.content_builtin ==
	    X400_ABSENT && m->env.content_oid == NULL)
		return spec_fail(&s, "no content-type (and no [heading])");
	if (m->apdu == X400_APDU_REPORT && (m->report.id.text == NULL ||
	    !m->report.destination.present || m->report.subject.text == NULL ||
	    m->report.nrcpt == 0))
		return spec_fail(&s, "a report needs report-id, destination, "
		    "subject-id and report-recipient");
	if (m->apdu != X400_APDU_REPORT && m->env.ntrace == 0)
		return spec_fail(&s, "at least one trace: line is needed");
	if (m->apdu == X400_APDU_REPORT && m->report.ntrace == 0)
		return spec_fail(&s, "at least one trace: line is needed");
	if (m->apdu == X400_APDU_REPORT && m->report.returned != NULL) {
		/* The [heading]/[body] of a report is its returned content. */
		struct buf	b;
		struct ber_enc	e;
		uint8_t		*p;

		if (body == NULL)
			return spec_fail(&s, "returned-content: yes needs a "
			    "[heading] and [body]");
		buf_init(&b, 64u << 20);
		ber_enc_init(&e, &b, 0);
		x400_encode_content(&e, body);
		if (ber_enc_finish(&e) == -1 ||
		    (p = x400_alloc(d, b.len, NULL)) == NULL) {
			buf_free(&b);
			return spec_fail(&s, "cannot encode returned content");
		}
		memcpy(p, b.data, b.len);
		m->report.returned = p;
		m->report.returned_len = b.len;
		buf_free(&b);
		m->body = NULL;
	}
	if (m->env.nitrace > 0) {
		struct x400_ext	*x;

		if (m->env.ext == NULL && (m->env.ext = x400_array(d,
		    SPEC_MAX_ITEMS, sizeof(*m->env.ext), NULL)) == NULL)
			return spec_fail(&s, "out of memory");
		x = &m->env.ext[m->env.next++];
		x->standard = true;
		x->number = X400_EXT_INTERNAL_TRACE_INFORMATION;
		x->known = true;
		/* Encoded by p1.c's trace encoder through x400_encode. */
		if (x400_itrace_value(d, m->env.itrace, m->env.nitrace,
		    &x->value, &x->valuelen) == -1)
			return spec_fail(&s, "cannot encode internal trace");
	}
	*out = m;
	return 0;
}

/*
 * A label in SPEC syntax ("policy=OID; classification=N; privacy-mark=T;
 * category=OID:HEX") on its own, as mmguard-msg sign --label takes it.
 */
int
x400_spec_label(struct x400_dec *d, const char *text, struct x400_label *l,
    char *err, size_t errsz)
{
	struct spec	 s;
	char		*copy;
	int		 rc;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.name = "label";
	s.line = 1;
	s.err = err;
	s.errsz = errsz;
	memset(l, 0, sizeof(*l));
	copy = xstrdup(text);
	rc = parse_label(&s, copy, l);
	free(copy);
	if (rc == 0 && l->policy == NULL)
		rc = spec_fail(&s, "an ESS label needs policy=OID");
	return rc;
}
