/*
 * audit_record.c - the audit record's text form: event names, escaping,
 * time, the strict line parser, and the hashing and signing both the
 * writer and the reader use.  The grammar is in auditlog.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "guard/audit/audit_int.h"
#include "guard/audit/auditlog.h"
#include "guard/common/buf.h"
#include "guard/common/hex.h"

static const char *const ev_names[AUDIT_EV__COUNT] = {
	[AUDIT_EV_MESSAGE_ACCEPTED] =	"message-accepted",
	[AUDIT_EV_MESSAGE_INSPECTED] =	"message-inspected",
	[AUDIT_EV_VERDICT] =		"verdict",
	[AUDIT_EV_OFFICER_ACTION] =	"officer-action",
	[AUDIT_EV_DIODE_SENT] =		"diode-sent",
	[AUDIT_EV_DELIVERED] =		"delivered",
	[AUDIT_EV_NDR_ISSUED] =		"ndr-issued",
	[AUDIT_EV_POLICY_LOADED] =	"policy-loaded",
	[AUDIT_EV_ROLE_STARTED] =	"role-started",
	[AUDIT_EV_ROLE_CRASHED] =	"role-crashed",
	[AUDIT_EV_ROLE_RESTARTED] =	"role-restarted",
	[AUDIT_EV_SANDBOX_VIOLATION] =	"sandbox-violation",
	[AUDIT_EV_CONFIG_CHANGED] =	"config-changed",
	[AUDIT_EV_KEY_ROTATED] =	"key-rotated",
	[AUDIT_EV_LOG_RECOVERED] =	"log-recovered",
	[AUDIT_EV_ARCHIVE_PURGED] =	"archive-purged",
	[AUDIT_EV_LINK_ALARM] =		"link-alarm",
	[AUDIT_EV_LOG_CREATED] =	"log-created",
	[AUDIT_EV_FILE_OPENED] =	"file-opened",
	[AUDIT_EV_CHECKPOINT] =		"checkpoint",
};

/*
 * The details of the log's own records, in their fixed order.  A record
 * of these types with anything else is refused, so a reader never has to
 * guess which of two "sig" fields counts.
 */
static const char *const internal_keys[AUDIT_EV__COUNT][6] = {
	[AUDIT_EV_LOG_CREATED] =	{ "key", "pub", "format" },
	[AUDIT_EV_FILE_OPENED] =	{ "prev-file", "key" },
	[AUDIT_EV_CHECKPOINT] =		{ "reason", "key", "sig" },
	[AUDIT_EV_KEY_ROTATED] =	{ "old-key", "new-key", "new-pub",
					  "sig-old", "sig-new" },
	[AUDIT_EV_LOG_RECOVERED] =	{ "file", "offset", "bytes", "sha256",
					  "saved" },
};

/* Names that would be confused with the fixed fields in grep or awk. */
static const char *const fixed_fields[] = {
	"seq", "prev", "time", "role", "event", "msg"
};

const char *
audit_ev_name(enum audit_ev ev)
{
	if ((unsigned)ev >= AUDIT_EV__COUNT)
		return NULL;
	return ev_names[ev];
}

int
audit_ev_lookup(const char *s, size_t n, enum audit_ev *ev)
{
	unsigned	i;

	for (i = 0; i < AUDIT_EV__COUNT; i++)
		if (strlen(ev_names[i]) == n && memcmp(ev_names[i], s, n) == 0) {
			*ev = (enum audit_ev)i;
			return 0;
		}
	return -1;
}

int
audit_ev_is_internal(enum audit_ev ev)
{
	return (unsigned)ev < AUDIT_EV__COUNT && internal_keys[ev][0] != NULL;
}

void
audit_printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((uint8_t)*s < 0x20 || (uint8_t)*s > 0x7e)
			*s = '?';
}

/*
 * Messages quote pieces of lines an attacker wrote: whatever is not
 * printable ASCII becomes '?', so no message can drive a terminal.
 */
int
audit_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		audit_printable(err);
	}
	return -1;
}

void
audit_hex(const uint8_t *p, size_t n, char *out)
{
	hex_lower(p, n, out);
}

static int
hexval(char c, int upper)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (!upper && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (upper && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Lowercase hex digit values plus one; 0: not a digit.  Every line
 * carries 64 of them, so a table rather than branches. */
static const uint8_t	hex1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12,
	['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

int
audit_unhex(const char *s, size_t slen, uint8_t *out, size_t n)
{
	size_t	i;
	uint8_t	hi, lo;

	if (slen != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		hi = hex1[(uint8_t)s[2 * i]];
		lo = hex1[(uint8_t)s[2 * i + 1]];
		if (hi == 0 || lo == 0)
			return -1;
		out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return 0;
}

/* The bytes a value writes as %XX: everything but graphic ASCII, and %. */
static int
must_escape(uint8_t c)
{
	return c <= 0x20 || c >= 0x7f || c == '%';
}

int
audit_escape(struct buf *b, const char *s, size_t n)
{
	static const char	digits[] = "0123456789ABCDEF";
	char			e[3];
	size_t			i, run = 0;
	uint8_t			c;

	for (i = 0; i < n; i++) {
		c = (uint8_t)s[i];
		if (!must_escape(c))
			continue;
		if (buf_add(b, s + run, i - run) == -1)
			return -1;
		e[0] = '%';
		e[1] = digits[c >> 4];
		e[2] = digits[c & 0xf];
		if (buf_add(b, e, 3) == -1)
			return -1;
		run = i + 1;
	}
	return buf_add(b, s + run, n - run);
}

/*
 * Decode an escaped value into out (room for slen + 1), refusing raw bytes
 * that should have been escaped and escapes of bytes that should not have
 * been: one spelling per value.
 */
static int
unescape(const char *s, size_t slen, char *out, size_t *olen, char *err,
    size_t errlen)
{
	size_t	i, n = 0;
	int	hi, lo;
	uint8_t	c;

	for (i = 0; i < slen; i++) {
		c = (uint8_t)s[i];
		if (c != '%') {
			if (must_escape(c))
				return audit_err(err, errlen,
				    "byte 0x%02x not escaped", c);
			out[n++] = (char)c;
			continue;
		}
		if (slen - i < 3 || (hi = hexval(s[i + 1], 1)) < 0 ||
		    (lo = hexval(s[i + 2], 1)) < 0)
			return audit_err(err, errlen, "bad escape at \"%.*s\"",
			    (int)(slen - i < 3 ? slen - i : 3), s + i);
		c = (uint8_t)(hi << 4 | lo);
		if (!must_escape(c))
			return audit_err(err, errlen,
			    "needless escape %%%02X (write the byte)", c);
		out[n++] = (char)c;
		i += 2;
	}
	out[n] = '\0';
	*olen = n;
	if (n > AUDIT_VALUE_MAX)
		return audit_err(err, errlen, "value longer than %d bytes",
		    AUDIT_VALUE_MAX);
	return 0;
}

void
audit_sha256(const void *a, size_t alen, const void *b, size_t blen,
    uint8_t out[32])
{
	static EVP_MD_CTX	*ctx;
	static EVP_MD		*md;
	unsigned		 len = 32;

	/* Kept for the process: one record is hashed at a time. */
	if (ctx == NULL && (ctx = EVP_MD_CTX_new()) == NULL)
		goto broken;
	if (md == NULL && (md = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		goto broken;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, a, alen) != 1 ||
	    (blen > 0 && EVP_DigestUpdate(ctx, b, blen) != 1) ||
	    EVP_DigestFinal_ex(ctx, out, &len) != 1)
		goto broken;
	return;
broken:
	/*
	 * libcrypto without SHA-256 cannot check or write any log; an all-ones
	 * hash never matches a record's prev, so the failure shows as a
	 * chain error rather than passing silently.
	 */
	memset(out, 0xff, 32);
}

int
audit_sign(EVP_PKEY *key, const char *msg, size_t len,
    uint8_t sig[AUDIT_SIG_LEN])
{
	EVP_MD_CTX	*ctx;
	size_t		 siglen = AUDIT_SIG_LEN;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg,
	    len) == 1 && siglen == AUDIT_SIG_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
audit_sig_check(EVP_PKEY *key, const char *msg, size_t len,
    const uint8_t sig[AUDIT_SIG_LEN])
{
	EVP_MD_CTX	*ctx;
	int		 ok = 0;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return 0;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestVerify(ctx, sig, AUDIT_SIG_LEN,
	    (const unsigned char *)msg, len) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

EVP_PKEY *
audit_pub_from_raw(const uint8_t raw[32])
{
	return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, 32);
}

int
audit_key_id(EVP_PKEY *key, char id[AUDIT_KEYID_LEN + 1], uint8_t raw[32])
{
	uint8_t	h[32];
	size_t	len = 32;

	if (key == NULL || !EVP_PKEY_is_a(key, "ED25519") ||
	    EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != 32)
		return -1;
	audit_sha256(raw, 32, NULL, 0, h);
	audit_hex(h, AUDIT_KEYID_LEN / 2, id);
	return 0;
}

void
audit_file_name(uint64_t seq, char out[AUDIT_NAME_LEN + 1])
{
	(void)snprintf(out, AUDIT_NAME_LEN + 1, "audit-%020" PRIu64 ".log",
	    seq);
}

int
audit_file_name_parse(const char *s, size_t n, uint64_t *seq)
{
	uint64_t	v = 0;
	size_t		i;

	if (n != AUDIT_NAME_LEN || memcmp(s, "audit-", 6) != 0 ||
	    memcmp(s + 26, ".log", 4) != 0)
		return -1;
	for (i = 6; i < 26; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v == 0)
		return -1;
	*seq = v;
	return 0;
}

/* ---- time ------------------------------------------------------------ */

#define TIME_LEN	27	/* 2024-05-01T12:00:00.000000Z */
#define TIME_MAX_US	253402300799999999LL	/* 9999-12-31T23:59:59.999999Z */

/* v as exactly n decimal digits (v is below 10^n). */
static void
put_digits(char *out, long v, size_t n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

void
audit_time_format(int64_t us, char *out, size_t outlen)
{
	struct tm	tm;
	time_t		t;

	if (us < 0)
		us = 0;
	if (us > TIME_MAX_US)
		us = TIME_MAX_US;
	t = (time_t)(us / 1000000);
	(void)gmtime_r(&t, &tm);
	if (outlen < TIME_LEN + 1) {
		(void)snprintf(out, outlen, "%s", "");
		return;
	}
	/* By hand: every record is stamped, and snprintf's format
	 * interpreter cost more than the rest of the stamping. */
	put_digits(out, tm.tm_year + 1900, 4);
	out[4] = '-';
	put_digits(out + 5, tm.tm_mon + 1, 2);
	out[7] = '-';
	put_digits(out + 8, tm.tm_mday, 2);
	out[10] = 'T';
	put_digits(out + 11, tm.tm_hour, 2);
	out[13] = ':';
	put_digits(out + 14, tm.tm_min, 2);
	out[16] = ':';
	put_digits(out + 17, tm.tm_sec, 2);
	out[19] = '.';
	put_digits(out + 20, (long)(us % 1000000), 6);
	out[26] = 'Z';
	out[27] = '\0';
}

/* n decimal digits at s; -1 if any is not a digit. */
static int
digits(const char *s, size_t n, long *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static long
days_in_month(long y, long m)
{
	static const long	mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return mdays[m - 1];
}

/*
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar
 * (years counted from March, so the leap day ends a year); computed here
 * rather than with timegm(), whose time zone machinery costs more than
 * the rest of a record's parse.
 */
static int64_t
days_from_civil(long y, long m, long d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * The full form, or a prefix of it ending after the day, the minute, the
 * second, or "Z": 2024-05-01, 2024-05-01T12:00, 2024-05-01T12:00:00(Z).
 */
int
audit_time_parse(const char *s, size_t n, int64_t *us)
{
	static const char	shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	long			f[7] = { 0 };
	size_t			i;

	if (n != 10 && n != 16 && n != 19 && n != 20 && n != TIME_LEN)
		return -1;
	if (n == 20 && s[19] != 'Z')
		return -1;
	for (i = 0; i < n && i < TIME_LEN; i++)
		if (shape[i] != 'd' && s[i] != shape[i] && !(n == 20 && i == 19))
			return -1;
	if (digits(s, 4, &f[0]) == -1 || digits(s + 5, 2, &f[1]) == -1 ||
	    digits(s + 8, 2, &f[2]) == -1)
		return -1;
	if (n >= 16 && (digits(s + 11, 2, &f[3]) == -1 ||
	    digits(s + 14, 2, &f[4]) == -1))
		return -1;
	if (n >= 19 && digits(s + 17, 2, &f[5]) == -1)
		return -1;
	if (n == TIME_LEN && digits(s + 20, 6, &f[6]) == -1)
		return -1;
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 ||
	    f[2] > days_in_month(f[0], f[1]) || f[3] > 23 || f[4] > 59 ||
	    f[5] > 59)
		return -1;
	*us = ((days_from_civil(f[0], f[1], f[2]) * 24 + f[3]) * 60 + f[4]) *
	    60 + f[5];
	*us = *us * 1000000 + f[6];
	return 0;
}

/* ---- the line parser -------------------------------------------------- */

struct cursor {
	const char	*p, *end, *line;
};

/* The next field: up to a space or the end; the cursor moves past it. */
static void
next_field(struct cursor *c, const char **f, size_t *n)
{
	const char	*s = c->p;

	while (c->p < c->end && *c->p != ' ')
		c->p++;
	*f = s;
	*n = (size_t)(c->p - s);
}

/* "NAME=" at the cursor (after a separating space unless first). */
static int
expect_name(struct cursor *c, const char *name, int first, char *err,
    size_t errlen)
{
	size_t	n = strlen(name);

	if (!first) {
		if (c->p >= c->end || *c->p != ' ')
			return audit_err(err, errlen, "missing %s= field",
			    name);
		c->p++;
	}
	if ((size_t)(c->end - c->p) < n + 1 || memcmp(c->p, name, n) != 0 ||
	    c->p[n] != '=')
		return audit_err(err, errlen, "column %zu: expected %s=",
		    (size_t)(c->p - c->line) + 1, name);
	c->p += n + 1;
	return 0;
}

static int
parse_seq(const char *s, size_t n, uint64_t *v)
{
	size_t	i;

	*v = 0;
	if (n == 0 || n > 20 || (s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (*v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return 0;
}

static int
valid_name(const char *s, size_t n, size_t max, const char *extra)
{
	size_t	i;

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr(extra, s[i]) != NULL) || s[i] == '\0')
			return 0;
	return 1;
}

static int
is_hex(const char *s, size_t n, size_t want)
{
	size_t	i;

	if (n != want)
		return 0;
	for (i = 0; i < n; i++)
		if (hexval(s[i], 0) < 0)
			return 0;
	return 1;
}

static int
is_decimal(const char *s, size_t n)
{
	uint64_t	v;

	return (n == 1 && s[0] == '0') || parse_seq(s, n, &v) == 0;
}

static const char *const ckpt_reasons[] = {
	"count", "time", "rotate", "close", "request"
};

/* The fixed details of the log's own records; see internal_keys. */
static int
check_internal(struct audit_record *r, char *err, size_t errlen)
{
	const char *const	*keys = internal_keys[r->type];
	const struct audit_field *f;
	size_t			 i, n = 0;
	uint64_t		 v;

	while (n < 6 && keys[n] != NULL)
		n++;
	if (r->msgidlen != 0)
		return audit_err(err, errlen, "%s record with a message id",
		    audit_ev_name(r->type));
	if (r->ndetails != n)
		return audit_err(err, errlen, "%s record has %zu details, "
		    "not %zu", audit_ev_name(r->type), r->ndetails, n);
	for (i = 0; i < n; i++)
		if (strcmp(r->details[i].key, keys[i]) != 0)
			return audit_err(err, errlen, "%s record: detail %zu "
			    "is %s=, not %s=", audit_ev_name(r->type), i + 1,
			    r->details[i].key, keys[i]);
	for (i = 0; i < n; i++) {
		f = &r->details[i];
		if (strcmp(f->key, "key") == 0 || strcmp(f->key, "old-key") == 0 ||
		    strcmp(f->key, "new-key") == 0) {
			if (!is_hex(f->val, f->vlen, AUDIT_KEYID_LEN))
				goto bad;
		} else if (strcmp(f->key, "pub") == 0 ||
		    strcmp(f->key, "new-pub") == 0 ||
		    strcmp(f->key, "sha256") == 0) {
			if (!is_hex(f->val, f->vlen, 64))
				goto bad;
		} else if (strncmp(f->key, "sig", 3) == 0) {
			if (!is_hex(f->val, f->vlen, 2 * AUDIT_SIG_LEN))
				goto bad;
		} else if (strcmp(f->key, "format") == 0) {
			if (f->vlen != 1 || f->val[0] != '1')
				return audit_err(err, errlen, "unknown log "
				    "format \"%s\" (this reader knows 1)",
				    f->val);
		} else if (strcmp(f->key, "prev-file") == 0 ||
		    strcmp(f->key, "file") == 0) {
			if (audit_file_name_parse(f->val, f->vlen, &v) == -1)
				goto bad;
		} else if (strcmp(f->key, "offset") == 0 ||
		    strcmp(f->key, "bytes") == 0) {
			if (!is_decimal(f->val, f->vlen))
				goto bad;
		} else if (strcmp(f->key, "reason") == 0) {
			for (v = 0; v < sizeof(ckpt_reasons) /
			    sizeof(ckpt_reasons[0]); v++)
				if (strcmp(f->val, ckpt_reasons[v]) == 0)
					break;
			if (v == sizeof(ckpt_reasons) / sizeof(ckpt_reasons[0]))
				goto bad;
		} else if (strcmp(f->key, "saved") == 0) {
			if (f->vlen == 0 || f->vlen > 64)
				goto bad;
		}
		continue;
bad:
		return audit_err(err, errlen, "%s record: bad %s=%.*s",
		    audit_ev_name(r->type), f->key,
		    (int)(f->rawlen > 80 ? 80 : f->rawlen), f->raw);
	}
	if (r->type == AUDIT_EV_CHECKPOINT || r->type == AUDIT_EV_KEY_ROTATED) {
		/* Signed: everything before the first signature's space. */
		f = &r->details[r->type == AUDIT_EV_CHECKPOINT ? 2 : 3];
		r->signedlen = (size_t)(f->raw - r->line) - strlen(f->key) - 2;
	}
	return 0;
}

int
audit_record_parse(const char *line, size_t len, struct audit_record *r,
    char *err, size_t errlen)
{
	return audit_record_check(line, len, r, 1, err, errlen);
}

/* The parser; the writer's check of a line it formatted has no use for
 * the line's hash (its chain hash is taken of the numbered line). */
int
audit_record_check(const char *line, size_t len, struct audit_record *r,
    int hash, char *err, size_t errlen)
{
	struct cursor		 c = { line, line + len, line };
	struct audit_field	*d;
	const char		*f;
	char			*store = r->store, e[128];
	size_t			 n, i, k, used = 0;

	r->ndetails = 0;
	r->signedlen = 0;
	r->line = line;
	r->linelen = len;
	r->msgid = "";
	r->msgidlen = 0;
	if (len + 1 > AUDIT_LINE_MAX)
		return audit_err(err, errlen, "record longer than %d bytes",
		    AUDIT_LINE_MAX);
	if (hash)
		audit_sha256(line, len, "\n", 1, r->hash);
	else
		memset(r->hash, 0, sizeof(r->hash));

	if (expect_name(&c, "seq", 1, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (parse_seq(f, n, &r->seq) == -1)
		return audit_err(err, errlen, "bad seq=%.*s", (int)(n > 24 ?
		    24 : n), f);
	if (expect_name(&c, "prev", 0, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (audit_unhex(f, n, r->prev, 32) == -1)
		return audit_err(err, errlen, "prev= is not 64 lowercase hex "
		    "digits");
	if (expect_name(&c, "time", 0, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (n != TIME_LEN || audit_time_parse(f, n, &r->time_us) == -1)
		return audit_err(err, errlen, "bad time=%.*s (want "
		    "YYYY-MM-DDThh:mm:ss.uuuuuuZ)", (int)(n > 32 ? 32 : n), f);
	if (expect_name(&c, "role", 0, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (!valid_name(f, n, AUDIT_ROLE_MAX, "-"))
		return audit_err(err, errlen, "bad role=%.*s (1 to %d of "
		    "a-z 0-9 -)", (int)(n > 40 ? 40 : n), f, AUDIT_ROLE_MAX);
	memcpy(r->role, f, n);
	r->role[n] = '\0';
	if (expect_name(&c, "event", 0, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (audit_ev_lookup(f, n, &r->type) == -1)
		return audit_err(err, errlen, "unknown event=%.*s",
		    (int)(n > 40 ? 40 : n), f);
	if (expect_name(&c, "msg", 0, err, errlen) == -1)
		return -1;
	next_field(&c, &f, &n);
	if (unescape(f, n, store, &r->msgidlen, e, sizeof(e)) == -1)
		return audit_err(err, errlen, "msg=: %s", e);
	r->msgid = store;
	r->msgraw = f;
	r->msgrawlen = n;
	used = r->msgidlen + 1;

	while (c.p < c.end) {
		c.p++;			/* the space next_field stopped at */
		if (r->ndetails == AUDIT_DETAILS_MAX)
			return audit_err(err, errlen, "more than %d details",
			    AUDIT_DETAILS_MAX);
		d = &r->details[r->ndetails];
		next_field(&c, &f, &n);
		for (k = 0; k < n && f[k] != '='; k++)
			;
		if (k == n)
			return audit_err(err, errlen, "column %zu: detail "
			    "without '='", (size_t)(f - line) + 1);
		if (!valid_name(f, k, AUDIT_KEY_MAX, "-_."))
			return audit_err(err, errlen, "column %zu: bad detail "
			    "key \"%.*s\"", (size_t)(f - line) + 1,
			    (int)(k > 40 ? 40 : k), f);
		memcpy(d->key, f, k);
		d->key[k] = '\0';
		for (i = 0; i < sizeof(fixed_fields) / sizeof(fixed_fields[0]);
		    i++)
			if (strcmp(d->key, fixed_fields[i]) == 0)
				return audit_err(err, errlen, "detail key %s= "
				    "repeats a fixed field", d->key);
		for (i = 0; i < r->ndetails; i++)
			if (strcmp(r->details[i].key, d->key) == 0)
				return audit_err(err, errlen, "detail key %s= "
				    "twice", d->key);
		d->raw = f + k + 1;
		d->rawlen = n - k - 1;
		if (unescape(d->raw, d->rawlen, store + used, &d->vlen, e,
		    sizeof(e)) == -1)
			return audit_err(err, errlen, "%s=: %s", d->key, e);
		d->val = store + used;
		used += d->vlen + 1;
		r->ndetails++;
	}
	if (audit_ev_is_internal(r->type))
		return check_internal(r, err, errlen);
	return 0;
}

const char *
audit_record_get(const struct audit_record *r, const char *key, size_t *len)
{
	size_t	i;

	for (i = 0; i < r->ndetails; i++)
		if (strcmp(r->details[i].key, key) == 0) {
			if (len != NULL)
				*len = r->details[i].vlen;
			return r->details[i].val;
		}
	return NULL;
}
