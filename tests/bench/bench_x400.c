/*
 * bench_x400.c - decode rate of the X.400 P1 / P772 decoder, next to a CMS
 * signature verification of the same message in the same run.
 *
 * Two CMS-signed P772 messages (RSA-2048, SHA-256), composed with the
 * guard's own SPEC parser and encoder: a typical one of about 8 KB (a
 * heading with MMHS extensions and a text body) and one of about 2 MB
 * (text and four 512 KB attachments).  Each is decoded in full (envelope,
 * CMS located, P772 heading and every body part, text converted) and,
 * separately, its SignedData is parsed and verified with OpenSSL
 * (d2i_CMS_ContentInfo + CMS_verify against its certificate as the trust
 * anchor).  The target is decoding under 10% of the verification's cost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "filters/cms/cms.h"
#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"
#include "tests/bench/bench.h"

/* A throw-away RSA-2048 originator certificate, as PEM files. */
static X509 *
make_pki(const char *certpath, const char *keypath)
{
	EVP_PKEY	*key;
	X509		*x;
	X509_NAME	*n;
	FILE		*f;

	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)) == NULL)
		fatalx("RSA key generation failed");
	x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC,
	    (const unsigned char *)"GB", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)"Bench Originator", -1, -1, 0);
	X509_set_issuer_name(x, n);
	X509_set_pubkey(x, key);
	if (X509_sign(x, key, EVP_sha256()) == 0)
		fatalx("certificate signing failed");
	if ((f = fopen(certpath, "w")) == NULL || !PEM_write_X509(f, x) ||
	    fclose(f) != 0)
		fatal("%s", certpath);
	if ((f = fopen(keypath, "w")) == NULL ||
	    !PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) ||
	    fclose(f) != 0)
		fatal("%s", keypath);
	EVP_PKEY_free(key);
	return x;
}

static void
spec_add(struct buf *b, const char *s)
{
	if (buf_add(b, s, strlen(s)) == -1)
		fatalx("spec too large");
}

/* The SPEC of a signed P772 of about text+attach bytes. */
static void
make_spec(struct buf *b, const char *cert, const char *key, size_t text,
    unsigned nattach, size_t attach)
{
	char		line[256];
	size_t		i, k;
	unsigned	a;

	spec_add(b,
	    "message-id: C=GB; A= ; P=MOD; L=BENCH-0001\n"
	    "originator: G=John; S=Smith; OU1=J3; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "recipient: G=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE\n"
	    "content-type: p772\n"
	    "priority: urgent\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "security-label: policy=1.3.26.1.3.1; classification=4; "
	    "privacy-mark=NATO SECRET\n");
	(void)snprintf(line, sizeof(line), "sign: cert=%s; key=%s\n", cert,
	    key);
	spec_add(b, line);
	spec_add(b,
	    "[heading]\n"
	    "this-ipm: G=John; S=Smith; O=PJHQ; P=MOD; A= ; C=GB; "
	    "local=0001 261129084500Z\n"
	    "to: G=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "cc: S=Ops; O=SHAPE; P=NATO; A= ; C=BE\n"
	    "subject: Situation report, exercise STEADFAST 26\n"
	    "primary-precedence: immediate\n"
	    "copy-precedence: priority\n"
	    "message-type: exercise; id=STEADFAST-26\n"
	    "sic: AAA\nsic: ZKB12\n"
	    "handling-instruction: EXERCISE ONLY\n"
	    "originator-reference: PJHQ/OPS/0001\n"
	    "[body ia5-text]\n");
	for (i = 0; i < text; i += 64)
		spec_add(b, "SITREP LINE: all units report readiness state"
		    " green, no change.\n");
	for (a = 0; a < nattach; a++) {
		spec_add(b, "[body bilaterally-defined]\n04 83 ");
		(void)snprintf(line, sizeof(line), "%02zx %02zx %02zx\n",
		    (attach >> 16) & 0xff, (attach >> 8) & 0xff, attach & 0xff);
		spec_add(b, line);
		for (i = 0; i < attach; i += 32) {
			for (k = 0; k < 32; k++)
				spec_add(b, "5a");
			spec_add(b, "\n");
		}
	}
}

struct sample {
	const char	*name;
	struct buf	 p1;
	const uint8_t	*cms;		/* the signed content inside */
	size_t		 cmslen;
};

static void
make_sample(struct sample *s, const char *name, const char *cert,
    const char *key, size_t text, unsigned nattach, size_t attach)
{
	struct buf	 spec;
	struct x400_dec	 d;
	struct x400_msg	*m;
	char		 err[512];

	s->name = name;
	buf_init(&spec, 64u << 20);
	make_spec(&spec, cert, key, text, nattach, attach);
	buf_init(&s->p1, 64u << 20);
	{
		struct x400_spec_opts	opts;
		struct buf		signed_content;

		if (x400_spec_parse(&d, name, ".", (char *)spec.data, spec.len,
		    &m, &opts, err, sizeof(err)) == -1)
			fatalx("%s", err);
		buf_init(&signed_content, 64u << 20);
		if (cms_sign_msg(m, opts.sign_cert, opts.sign_key, 0,
		    &signed_content, err, sizeof(err)) == -1)
			fatalx("%s: %s", name, err);
		if (x400_encode(m, 0, &s->p1) == -1)
			fatalx("%s: cannot encode the sample", name);
		buf_free(&signed_content);
		x400_dec_free(&d);
	}
	buf_free(&spec);
	/* Where the CMS ContentInfo sits: decode once to find it. */
	if (x400_decode(&d, BER_MODE_BER, NULL, s->p1.data, s->p1.len,
	    &m) == -1 || m->body == NULL ||
	    m->body->protection != X400_PROT_CMS_SIGNED)
		fatalx("%s: sample does not decode as signed P772: %s", name,
		    x400_strerror(&d));
	s->cms = s->p1.data + (m->content - s->p1.data);
	s->cmslen = m->content_len;
	x400_dec_free(&d);
}

static double
time_decode(const struct sample *s, int n)
{
	struct x400_dec	 d;
	struct x400_msg	*m;
	double		 t0 = now();
	int		 i;

	for (i = 0; i < n; i++) {
		if (x400_decode(&d, BER_MODE_BER, NULL, s->p1.data, s->p1.len,
		    &m) == -1)
			fatalx("decode: %s", x400_strerror(&d));
		x400_dec_free(&d);
	}
	return (now() - t0) / n;
}

static double
time_verify(const struct sample *s, X509 *cert, int n)
{
	X509_STORE	*store = X509_STORE_new();
	CMS_ContentInfo	*cms;
	const unsigned char *p;
	double		 t0;
	int		 i;

	X509_STORE_add_cert(store, cert);
	t0 = now();
	for (i = 0; i < n; i++) {
		p = s->cms;
		if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)s->cmslen)) ==
		    NULL || CMS_verify(cms, NULL, store, NULL, NULL,
		    CMS_BINARY) != 1)
			fatalx("%s: CMS verification failed", s->name);
		CMS_ContentInfo_free(cms);
	}
	t0 = (now() - t0) / n;
	X509_STORE_free(store);
	return t0;
}

static void
report(const struct sample *s, X509 *cert, int n)
{
	double	dec = 1e9, ver = 1e9, t;
	int	r;

	for (r = 0; r < 5; r++) {
		if ((t = time_decode(s, n)) < dec)
			dec = t;
		if ((t = time_verify(s, cert, n)) < ver)
			ver = t;
	}
	printf("x400 decode, %s (%zu bytes, CMS-signed P772):\n", s->name,
	    s->p1.len);
	printf("  mmguard decode:         %10.0f msg/s  %8.1f MB/s\n",
	    1 / dec, (double)s->p1.len / dec / 1e6);
	printf("  OpenSSL CMS verify:     %10.0f msg/s  %8.1f MB/s\n",
	    1 / ver, (double)s->p1.len / ver / 1e6);
	printf("  decode/verify cost:     %10.3f (target < 0.10)\n", dec / ver);
}

int
main(void)
{
	struct sample	small, large;
	char		cert[] = "build/bench/bench-orig.pem";
	char		key[] = "build/bench/bench-orig.key";
	X509		*x;

	log_init("bench_x400", LOG_TO_STDERR, 0);
	x = make_pki(cert, key);
	make_sample(&small, "typical 8 KB", cert, key, 7000, 0, 0);
	make_sample(&large, "2 MB with attachments", cert, key, 16000, 4,
	    512 * 1024);
	report(&small, x, 2000);
	report(&large, x, 40);
	unlink(cert);
	unlink(key);
	buf_free(&small.p1);
	buf_free(&large.p1);
	X509_free(x);
	return 0;
}
