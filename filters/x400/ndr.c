/*
 * ndr.c - build the X.411 non-delivery report about a message the guard
 * rejects (what goes where: ndr.h).
 *
 * The report is assembled as a struct x400_msg whose pieces point into
 * the subject or into a scratch arena, and written by the codec's own
 * encoder (x400_encode), so that what the guard emits is what its strict
 * decoder reads back, in DER.  Values the subject carried as BER and the
 * encoder would copy as they are (directory names, extension attribute
 * values, label categories) are re-encoded first with ber_reencode().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filters/x400/ndr.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"

/* Per-recipient-indicators a report carries: bits 0-4 (5-7 reserved). */
#define NDR_PRI_MASK		0x1fu
#define NDR_PRI_RESPONSIBILITY	0x01u
/* per-message-indicators content-return-request(3) */
#define NDR_PMI_CONTENT_RETURN	(UINT64_C(1) << 3)
/* UTCTime holds 1950-01-01T00:00:00Z .. 2049-12-31T23:59:59Z. */
#define NDR_UTC_MIN		(-631152000LL)
#define NDR_UTC_MAX		2524607999LL
/* Room for the subject's pieces and the report's (the arena's budget). */
#define NDR_ARENA_MAX		(64u * 1024 * 1024)
/* reporting-MTA-name (X.411 standard-extension 39). */
#define NDR_EXT_REPORTING_MTA_NAME	39

/* X.411 (06/1999) NonDeliveryReasonCode named values. */
static const char *const ndr_reasons[] = {
	"transfer-failure", "unable-to-transfer", "conversion-not-performed",
	"physical-rendition-not-performed", "physical-delivery-not-performed",
	"restricted-delivery", "directory-operation-unsuccessful",
	"deferred-delivery-not-performed",
	"transfer-failure-for-security-reason",
};

/* X.411 (06/1999) NonDeliveryDiagnosticCode named values, 0 to 78. */
static const char *const ndr_diagnostics[] = {
	"unrecognised-OR-name", "ambiguous-OR-name", "mts-congestion",
	"loop-detected", "recipient-unavailable", "maximum-time-expired",
	"encoded-information-types-unsupported", "content-too-long",
	"conversion-impractical", "implicit-conversion-prohibited",
	"implicit-conversion-not-subscribed", "invalid-arguments",
	"content-syntax-error", "size-constraint-violation",
	"protocol-violation", "content-type-not-supported",
	"too-many-recipients", "no-bilateral-agreement",
	"unsupported-critical-function", "conversion-with-loss-prohibited",
	"line-too-long", "page-split", "pictorial-symbol-loss",
	"punctuation-symbol-loss", "alphabetic-character-loss",
	"multiple-information-loss", "recipient-reassignment-prohibited",
	"redirection-loop-detected", "dl-expansion-prohibited",
	"no-dl-submit-permission", "dl-expansion-failure",
	"physical-rendition-attributes-not-supported",
	"undeliverable-mail-physical-delivery-address-incorrect",
	"undeliverable-mail-physical-delivery-office-incorrect-or-invalid",
	"undeliverable-mail-physical-delivery-address-incomplete",
	"undeliverable-mail-recipient-unknown",
	"undeliverable-mail-recipient-deceased",
	"undeliverable-mail-organization-expired",
	"undeliverable-mail-recipient-refused-to-accept",
	"undeliverable-mail-recipient-did-not-claim",
	"undeliverable-mail-recipient-changed-address-permanently",
	"undeliverable-mail-recipient-changed-address-temporarily",
	"undeliverable-mail-recipient-changed-temporary-address",
	"undeliverable-mail-new-address-unknown",
	"undeliverable-mail-recipient-did-not-want-forwarding",
	"undeliverable-mail-originator-prohibited-forwarding",
	"secure-messaging-error", "unable-to-downgrade",
	"unable-to-complete-transfer", "transfer-attempts-limit-reached",
	"incorrect-notification-type",
	"dl-expansion-prohibited-by-security-policy",
	"forbidden-alternate-recipient", "security-policy-violation",
	"security-services-refusal", "unauthorised-dl-member",
	"unauthorised-dl-name",
	"unauthorised-originally-intended-recipient-name",
	"unauthorised-originator-name", "unauthorised-recipient-name",
	"unreliable-system", "authentication-failure-on-subject-message",
	"decryption-failed", "decryption-key-unobtainable",
	"double-envelope-creation-failure",
	"double-enveloping-message-restoring-failure",
	"failure-of-proof-of-message", "integrity-failure-on-subject-message",
	"invalid-security-label", "key-failure", "mandatory-parameter-absence",
	"operation-security-failure", "repudiation-failure-of-message",
	"security-context-failure", "token-decryption-failed", "token-error",
	"unknown-security-label", "unsupported-algorithm-identifier",
	"unsupported-security-policy",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

struct ndr {
	struct x400_dec	 a;		/* arena of the report's pieces */
	char		*err;
	size_t		 errsz;
};

static int ndr_fail(struct ndr *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
ndr_fail(struct ndr *n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(n->err, n->errsz, fmt, ap);
	va_end(ap);
	return -1;
}

void
x400_ndr_params_init(struct x400_ndr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->arrival = X400_ABSENT;
	p->diagnostic = X400_ABSENT;
}

/* --- names --------------------------------------------------------------- */

static const char *
ndr_name(const char *const *names, size_t n, int64_t code)
{
	return code >= 0 && (uint64_t)code < n ? names[code] : NULL;
}

static int64_t
ndr_code(const char *const *names, size_t n, int64_t max, const char *s)
{
	char		*end;
	long long	 v;
	size_t		 i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int64_t)i;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	return *end != '\0' || v < 0 || v > max ? -1 : (int64_t)v;
}

const char *
x400_ndr_reason_name(int64_t code)
{
	return ndr_name(ndr_reasons, NELEM(ndr_reasons), code);
}

const char *
x400_ndr_diagnostic_name(int64_t code)
{
	return ndr_name(ndr_diagnostics, NELEM(ndr_diagnostics), code);
}

int64_t
x400_ndr_reason_code(const char *s)
{
	return ndr_code(ndr_reasons, NELEM(ndr_reasons), X400_NDR_REASON_MAX,
	    s);
}

int64_t
x400_ndr_diagnostic_code(const char *s)
{
	return ndr_code(ndr_diagnostics, NELEM(ndr_diagnostics),
	    X400_NDR_DIAG_MAX, s);
}

/* --- supplementary information ------------------------------------------ */

/* X.680 PrintableString: A-Z a-z 0-9 space ' ( ) + , - . / : = ? */
static bool
ndr_printable_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr(" '()+,-./:=?", c) != NULL;
}

/* The nearest PrintableString character for an ASCII one. */
static char
ndr_lookalike(unsigned char c)
{
	switch (c) {
	case '"': case '`':
		return '\'';
	case '_': case '~':
		return '-';
	case '[': case '{': case '<':
		return '(';
	case ']': case '}': case '>':
		return ')';
	case ';':
		return ',';
	case '&':
		return '+';
	case '!':
		return '.';
	case '\\': case '|':
		return '/';
	default:
		return '?';
	}
}

size_t
x400_ndr_printable(const char *in, char *out, size_t outsz)
{
	const unsigned char	*p = (const unsigned char *)in;
	size_t			 n = 0, max;
	bool			 cut = false;
	char			 c;

	if (outsz == 0)
		return 0;
	max = outsz - 1 < X400_NDR_SUPPLEMENTARY_MAX ? outsz - 1 :
	    X400_NDR_SUPPLEMENTARY_MAX;
	for (; in != NULL && *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\v' || *p == '\f')
			c = ' ';
		else if (*p >= 0x80) {
			/* One '?' for a whole UTF-8 sequence. */
			while ((p[1] & 0xc0) == 0x80)
				p++;
			c = '?';
		} else if (ndr_printable_char(*p))
			c = (char)*p;
		else
			c = ndr_lookalike(*p);
		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		if (n == max) {
			cut = true;
			break;
		}
		out[n++] = c;
	}
	if (cut && max >= 3) {
		n = max - 3;
		while (n > 0 && out[n - 1] == ' ')
			n--;
		memcpy(out + n, "...", 3);
		n += 3;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
	return n;
}

/* --- checks of what the caller gives ------------------------------------ */

static bool
ndr_printable(const char *s, size_t min, size_t max)
{
	size_t	n = strlen(s), i;

	for (i = 0; i < n; i++)
		if (!ndr_printable_char((unsigned char)s[i]))
			return false;
	return n >= min && n <= max;
}

/* IA5 names: printable ASCII only, no control characters. */
static bool
ndr_ia5(const char *s, size_t max)
{
	size_t	n = strlen(s), i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return false;
	return n >= 1 && n <= max;
}

/* GlobalDomainIdentifier: country 2 letters or 3 digits, ADMD up to 16
 * (" " is the usual blank ADMD), PRMD 1 to 16. */
static int
ndr_check_gdi(struct ndr *n, const struct x400_gdi *g)
{
	if (g->country == NULL || g->admd == NULL)
		return ndr_fail(n, "the guard's domain needs a country and an "
		    "ADMD");
	if (!ndr_printable(g->country, 2, 3) || (strlen(g->country) == 3 &&
	    strspn(g->country, "0123456789") != 3))
		return ndr_fail(n, "the guard's country \"%s\" is neither two "
		    "letters (ISO 3166) nor three digits (X.121)", g->country);
	if (!ndr_printable(g->admd, 0, 16))
		return ndr_fail(n, "the guard's ADMD \"%s\" is not a "
		    "PrintableString of at most 16 characters", g->admd);
	if (g->prmd != NULL && !ndr_printable(g->prmd, 1, 16))
		return ndr_fail(n, "the guard's PRMD \"%s\" is not a "
		    "PrintableString of 1 to 16 characters", g->prmd);
	return 0;
}

static int
ndr_time(struct ndr *n, int64_t epoch, const char *what, struct x400_time *t)
{
	struct tm	tm;
	time_t		tt = (time_t)epoch;

	if (epoch < NDR_UTC_MIN || epoch > NDR_UTC_MAX ||
	    gmtime_r(&tt, &tm) == NULL)
		return ndr_fail(n, "%s %lld is outside what an X.400 UTCTime "
		    "holds (1950 to 2049)", what, (long long)epoch);
	memset(t, 0, sizeof(*t));
	t->tm.year = tm.tm_year + 1900;
	t->tm.mon = tm.tm_mon + 1;
	t->tm.day = tm.tm_mday;
	t->tm.hour = tm.tm_hour;
	t->tm.min = tm.tm_min;
	t->tm.sec = tm.tm_sec;
	t->tm.has_tz = true;
	t->epoch = epoch;
	t->present = true;
	return 0;
}

static int
ndr_check(struct ndr *n, const struct x400_msg *s,
    const struct x400_ndr_params *p)
{
	if (s->apdu == X400_APDU_REPORT)
		return ndr_fail(n, "the subject is a report: X.411 never "
		    "reports on a report");
	if (s->apdu == X400_APDU_PROBE)
		return ndr_fail(n, "the subject is a probe: non-delivery "
		    "reports are made here for messages only");
	if (s->apdu != X400_APDU_MESSAGE)
		return ndr_fail(n, "the subject is not a P1 message");
	if (s->env.id.local == NULL || s->env.id.gdi.country == NULL ||
	    s->env.id.gdi.admd == NULL)
		return ndr_fail(n, "the subject has no message-identifier");
	if (!s->env.originator.present)
		return ndr_fail(n, "the subject has no originator-name");
	if (s->env.nrcpt == 0 || s->env.rcpt == NULL)
		return ndr_fail(n, "the subject has no recipients");
	if (p->mta == NULL || !ndr_ia5(p->mta, X400_NDR_MTA_NAME_MAX))
		return ndr_fail(n, "the guard's MTA name must be 1 to %d "
		    "printable ASCII characters", X400_NDR_MTA_NAME_MAX);
	if (p->local_id != NULL && !ndr_ia5(p->local_id, 32))
		return ndr_fail(n, "the report's local identifier must be 1 "
		    "to 32 printable ASCII characters");
	if (p->reason < 0 || p->reason > X400_NDR_REASON_MAX)
		return ndr_fail(n, "non-delivery-reason-code %lld outside 0 "
		    "to %d", (long long)p->reason, X400_NDR_REASON_MAX);
	if (p->diagnostic != X400_ABSENT && (p->diagnostic < 0 ||
	    p->diagnostic > X400_NDR_DIAG_MAX))
		return ndr_fail(n, "non-delivery-diagnostic-code %lld outside "
		    "0 to %d", (long long)p->diagnostic, X400_NDR_DIAG_MAX);
	return ndr_check_gdi(n, &p->domain);
}

/* --- pieces of the report ----------------------------------------------- */

/* Copy what an encoder wrote into the arena. */
static int
ndr_keep(struct ndr *n, const struct buf *b, const uint8_t **out,
    size_t *len)
{
	uint8_t	*p;

	if ((p = x400_alloc(&n->a, b->len, NULL)) == NULL)
		return ndr_fail(n, "out of memory for the report: %s",
		    x400_strerror(&n->a));
	memcpy(p, b->data, b->len);
	*out = p;
	*len = b->len;
	return 0;
}

/* Close an encoding of what into b: keep it in the arena, free b. */
static int
ndr_done(struct ndr *n, struct ber_enc *e, struct buf *b, const char *what,
    const uint8_t **out, size_t *len)
{
	int	rc;

	if (ber_enc_finish(e) == -1)
		rc = ndr_fail(n, "%s cannot be encoded: %s", what,
		    ber_errstr((enum ber_err)e->err));
	else
		rc = ndr_keep(n, b, out, len);
	buf_free(b);
	return rc;
}

/* One TLV of the subject, as sent (BER or DER), re-encoded as DER. */
static int
ndr_der(struct ndr *n, const char *what, const uint8_t **raw, size_t *len)
{
	struct ber_ctx	c;
	struct buf	b;
	int		rc;

	if (*raw == NULL)
		return 0;
	ber_ctx_init(&c, BER_MODE_BER, NULL, *raw, *len);
	/* Definite lengths take at most 5 octets where 0x80 took one. */
	buf_init(&b, *len > SIZE_MAX / 8 ? SIZE_MAX : 8 * *len + 64);
	if (ber_reencode(&c, &b) == -1)
		rc = ndr_fail(n, "%s of the subject does not re-encode: %s",
		    what, ber_strerror(&c));
	else
		rc = ndr_keep(n, &b, raw, len);
	buf_free(&b);
	ber_ctx_free(&c);
	return rc;
}

/* An O/R name of the subject with its as-sent parts made DER. */
static int
ndr_orname(struct ndr *n, const struct x400_orname *in,
    struct x400_orname *out)
{
	unsigned	i;

	*out = *in;
	if (ndr_der(n, "a directory name", &out->dn_raw,
	    &out->dn_rawlen) == -1)
		return -1;
	if (in->next == 0)
		return 0;
	if ((out->ext = x400_array(&n->a, in->next, sizeof(*out->ext),
	    NULL)) == NULL)
		return ndr_fail(n, "out of memory for the report: %s",
		    x400_strerror(&n->a));
	for (i = 0; i < in->next; i++) {
		out->ext[i] = in->ext[i];
		if (ndr_der(n, "an O/R extension attribute", &out->ext[i].raw,
		    &out->ext[i].rawlen) == -1)
			return -1;
	}
	return 0;
}

/* A standard extension field whose value the caller encodes into b. */
static void
ndr_ext(struct x400_ext *x, int64_t number, uint8_t crit)
{
	memset(x, 0, sizeof(*x));
	x->standard = true;
	x->number = number;
	x->crit = crit;
	x->known = true;
}

static const struct x400_ext *
ndr_find_ext(const struct x400_envelope *env, int64_t number)
{
	unsigned	i;

	for (i = 0; i < env->next; i++)
		if (env->ext[i].standard && env->ext[i].number == number)
			return &env->ext[i];
	return NULL;
}

/* message-security-label: the subject's label, in DER. */
static int
ndr_label_ext(struct ndr *n, const struct x400_envelope *env,
    struct x400_ext *x)
{
	const struct x400_ext	*sx;
	struct x400_label	 l = env->label;
	struct ber_enc		 e;
	struct buf		 b;
	unsigned		 i;

	if (l.ncats > 0) {
		if ((l.cats = x400_array(&n->a, l.ncats, sizeof(*l.cats),
		    NULL)) == NULL)
			return ndr_fail(n, "out of memory for the report: %s",
			    x400_strerror(&n->a));
		for (i = 0; i < l.ncats; i++) {
			l.cats[i] = env->label.cats[i];
			if (ndr_der(n, "a security category", &l.cats[i].value,
			    &l.cats[i].valuelen) == -1)
				return -1;
		}
	}
	sx = ndr_find_ext(env, X400_EXT_MESSAGE_SECURITY_LABEL);
	ndr_ext(x, X400_EXT_MESSAGE_SECURITY_LABEL, sx != NULL ? sx->crit : 0);
	buf_init(&b, NDR_ARENA_MAX);
	ber_enc_init(&e, &b, 0);
	x400_label_enc(&e, BER_UNIV(BER_SET), &l);
	return ndr_done(n, &e, &b, "the subject's security label", &x->value,
	    &x->valuelen);
}

/* internal-trace-information: the guard's MTA, relayed, at the time. */
static int
ndr_itrace_ext(struct ndr *n, const struct x400_ndr_params *p,
    const struct x400_time *now, struct x400_ext *x)
{
	struct x400_trace	t;

	memset(&t, 0, sizeof(t));
	t.internal = true;
	t.domain = p->domain;
	t.mta = (char *)(uintptr_t)p->mta;
	t.arrival = *now;
	memset(x, 0, sizeof(*x));
	x->standard = true;
	x->number = X400_EXT_INTERNAL_TRACE_INFORMATION;
	x->known = true;
	if (x400_itrace_value(&n->a, &t, 1, &x->value, &x->valuelen) == -1)
		return ndr_fail(n, "internal trace cannot be encoded: %s",
		    x400_strerror(&n->a));
	return 0;
}

/* ReportingMTAName ::= SEQUENCE { domain GDI, mta-name MTAName, ... } */
static int
ndr_mta_ext(struct ndr *n, const struct x400_ndr_params *p,
    struct x400_ext *x)
{
	struct ber_enc	e;
	struct buf	b;

	ndr_ext(x, NDR_EXT_REPORTING_MTA_NAME, 0);
	buf_init(&b, 1024);
	ber_enc_init(&e, &b, 0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	x400_gdi_enc(&e, BER_APP(3), &p->domain);
	ber_put_string(&e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING, p->mta,
	    strlen(p->mta));
	ber_enc_end(&e);
	return ndr_done(n, &e, &b, "reporting-MTA-name", &x->value,
	    &x->valuelen);
}

/* content-correlator, as the subject sent it (IA5String or octets). */
static int
ndr_correlator_ext(struct ndr *n, const struct x400_envelope *env,
    struct x400_ext *x)
{
	const struct x400_ext	*sx;
	struct ber_enc		 e;
	struct buf		 b;

	sx = ndr_find_ext(env, X400_EXT_CONTENT_CORRELATOR);
	ndr_ext(x, X400_EXT_CONTENT_CORRELATOR, sx != NULL ? sx->crit : 0);
	buf_init(&b, env->correlator_len + 16);
	ber_enc_init(&e, &b, 0);
	if (env->correlator_ia5)
		ber_put_string(&e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING,
		    env->correlator, env->correlator_len);
	else
		ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), env->correlator,
		    env->correlator_len);
	return ndr_done(n, &e, &b, "the subject's content-correlator",
	    &x->value, &x->valuelen);
}

/*
 * The report's local identifier when the caller names none: the time and
 * an FNV-1a hash of the subject's identifier and the MTA, so that the same
 * rejection reported twice (a retry after a crash) gets the same
 * identifier and a duplicate can be recognised.  32 characters, the most
 * LocalIdentifier allows.
 */
static char *
ndr_local_id(struct ndr *n, const struct x400_msg *s,
    const struct x400_ndr_params *p, const struct x400_time *now)
{
	const char	*parts[5];
	uint64_t	 h = UINT64_C(0xcbf29ce484222325);
	char		 id[40], *out;
	size_t		 i, k;

	parts[0] = s->env.id.gdi.country;
	parts[1] = s->env.id.gdi.admd;
	parts[2] = s->env.id.gdi.prmd != NULL ? s->env.id.gdi.prmd : "";
	parts[3] = s->env.id.local;
	parts[4] = p->mta;
	for (i = 0; i < NELEM(parts); i++)
		for (k = 0; k <= strlen(parts[i]); k++) {	/* NUL too */
			h ^= (unsigned char)parts[i][k];
			h *= UINT64_C(0x100000001b3);
		}
	(void)snprintf(id, sizeof(id), "N%04d%02d%02d%02d%02d%02d-%016llx",
	    now->tm.year, now->tm.mon, now->tm.day, now->tm.hour,
	    now->tm.min, now->tm.sec, (unsigned long long)h);
	if ((out = x400_strndup(&n->a, id, strlen(id), NULL)) == NULL)
		ndr_fail(n, "out of memory for the report: %s",
		    x400_strerror(&n->a));
	return out;
}

/* The subject's content octets (or, if it was composed, their encoding). */
static int
ndr_returned(struct ndr *n, const struct x400_msg *s,
    struct x400_report *rep)
{
	struct ber_enc	e;
	struct buf	b;

	if (s->content != NULL) {
		rep->returned = s->content;
		rep->returned_len = s->content_len;
		return 0;
	}
	if (s->body == NULL) {
		rep->returned = (const uint8_t *)"";
		rep->returned_len = 0;
		return 0;
	}
	buf_init(&b, NDR_ARENA_MAX);
	ber_enc_init(&e, &b, 0);
	x400_encode_content(&e, s->body);
	return ndr_done(n, &e, &b, "the subject's content", &rep->returned,
	    &rep->returned_len);
}

static int
ndr_recipients(struct ndr *n, const struct x400_msg *s,
    const struct x400_ndr_params *p, const struct x400_time *arrival,
    const char *suppl, struct x400_report *rep)
{
	const struct x400_envelope	*env = &s->env;
	struct x400_report_rcpt		*r;
	unsigned			 i, k = 0;

	for (i = 0; i < env->nrcpt; i++)
		if (env->rcpt[i].indicators.bits & NDR_PRI_RESPONSIBILITY)
			k++;
	/* A recipient another MTA is responsible for is not ours to report
	 * on: that MTA reports on it (X.411 responsibility). */
	if (k == 0)
		return ndr_fail(n, "the subject marks none of its %u "
		    "recipients as the guard's responsibility: there is no "
		    "recipient to report on", env->nrcpt);
	if ((rep->rcpt = x400_array(&n->a, k, sizeof(*rep->rcpt),
	    NULL)) == NULL)
		return ndr_fail(n, "out of memory for the report: %s",
		    x400_strerror(&n->a));
	for (i = 0; i < env->nrcpt; i++) {
		if (!(env->rcpt[i].indicators.bits & NDR_PRI_RESPONSIBILITY))
			continue;
		r = &rep->rcpt[rep->nrcpt++];
		if (ndr_orname(n, &env->rcpt[i].name, &r->actual) == -1)
			return -1;
		r->number = env->rcpt[i].number;
		r->indicators.present = true;
		r->indicators.bits = env->rcpt[i].indicators.bits &
		    NDR_PRI_MASK;
		r->indicators.nbits = 8;
		r->arrival = *arrival;
		r->delivered = false;
		r->mts_user_type = X400_ABSENT;
		r->reason = p->reason;
		r->diagnostic = p->diagnostic;
		r->supplementary = (char *)(uintptr_t)suppl;
	}
	return 0;
}

/* Report envelope and content about s, pieces in n's arena. */
static int
ndr_assemble(struct ndr *n, const struct x400_msg *s,
    const struct x400_ndr_params *p, const char *suppl, struct x400_msg *r)
{
	const struct x400_envelope	*env = &s->env;
	struct x400_report		*rep = &r->report;
	struct x400_time		 now, arrival;
	const struct x400_orname	*dest;

	if (ndr_time(n, p->time, "the report's time", &now) == -1 ||
	    ndr_time(n, p->arrival == X400_ABSENT ? p->time : p->arrival,
	    "the subject's arrival time", &arrival) == -1)
		return -1;
	memset(r, 0, sizeof(*r));
	r->apdu = X400_APDU_REPORT;
	rep->id.gdi = p->domain;
	if ((rep->id.local = p->local_id != NULL ?
	    (char *)(uintptr_t)p->local_id :
	    ndr_local_id(n, s, p, &now)) == NULL)
		return -1;
	dest = env->ndlexp > 0 ? &env->dlexp[env->ndlexp - 1].dl :
	    &env->originator;
	if (ndr_orname(n, dest, &rep->destination) == -1)
		return -1;
	if ((rep->trace = x400_alloc(&n->a, sizeof(*rep->trace),
	    NULL)) == NULL || (rep->ext = x400_array(&n->a, 3,
	    sizeof(*rep->ext), NULL)) == NULL || (rep->content_ext =
	    x400_alloc(&n->a, sizeof(*rep->content_ext), NULL)) == NULL)
		return ndr_fail(n, "out of memory for the report: %s",
		    x400_strerror(&n->a));
	rep->trace[0].domain = p->domain;
	rep->trace[0].arrival = now;
	rep->trace[0].routing_action = 0;	/* relayed */
	rep->ntrace = 1;
	if (env->label.present && ndr_label_ext(n, env,
	    &rep->ext[rep->next++]) == -1)
		return -1;
	if (ndr_itrace_ext(n, p, &now, &rep->ext[rep->next++]) == -1 ||
	    ndr_mta_ext(n, p, &rep->ext[rep->next++]) == -1)
		return -1;
	rep->subject = env->id;
	rep->subject_trace = env->trace;
	rep->nsubject_trace = env->ntrace;
	rep->original_eits = env->original_eits;
	rep->content_builtin = env->content_builtin;
	rep->content_oid = env->content_oid;
	rep->content_id = env->content_id;
	if (env->correlator != NULL && ndr_correlator_ext(n, env,
	    &rep->content_ext[rep->ncontent_ext++]) == -1)
		return -1;
	if (p->return_content && env->indicators.present &&
	    (env->indicators.bits & NDR_PMI_CONTENT_RETURN) &&
	    ndr_returned(n, s, rep) == -1)
		return -1;
	return ndr_recipients(n, s, p, &arrival, suppl, rep);
}

int
x400_ndr_build(const struct x400_msg *subject,
    const struct x400_ndr_params *p, struct buf *out, char *err,
    size_t errsz)
{
	struct ndr	 n;
	struct x400_msg	 r;
	struct buf	 probe;
	char		 suppl[X400_NDR_SUPPLEMENTARY_MAX + 1];
	size_t		 len0 = out->len;
	int		 rc = -1;

	memset(&n, 0, sizeof(n));
	n.err = err;
	n.errsz = errsz;
	if (subject == NULL || p == NULL)
		return ndr_fail(&n, "no subject message or no parameters");
	if (ndr_check(&n, subject, p) == -1)
		return -1;
	ber_ctx_init(&n.a.c, BER_MODE_DER, NULL, NULL, 0);
	n.a.c.lim.max_alloc = NDR_ARENA_MAX;
	x400_limits_default(&n.a.lim);
	(void)x400_ndr_printable(p->text, suppl, sizeof(suppl));
	if (ndr_assemble(&n, subject, p, suppl[0] != '\0' ? suppl : NULL,
	    &r) == -1)
		goto out;
	if (x400_encode(&r, 0, out) == 0) {
		rc = 0;
		goto out;
	}
	buf_truncate(out, len0);
	/* Tell a report too large for out from one that cannot be written. */
	buf_init(&probe, SIZE_MAX);
	if (x400_encode(&r, 0, &probe) == 0)
		ndr_fail(&n, "the report of %zu bytes exceeds the %zu bytes "
		    "allowed", probe.len, out->max - len0);
	else
		ndr_fail(&n, "the report cannot be encoded: a value is "
		    "outside its type");
	buf_free(&probe);
out:
	x400_dec_free(&n.a);
	return rc;
}
