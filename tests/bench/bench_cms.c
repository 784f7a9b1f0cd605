/*
 * bench_cms.c - the guard's full CMS verification (every check of
 * cms_verify.c: attributes, algorithms, label, signature, digest, path)
 * next to a plain OpenSSL loop of d2i_CMS_ContentInfo + CMS_verify over the
 * same signed 8 KB P772, for RSA-2048 and ECDSA P-256 signers.  Target:
 * the guard at 0.8 or more of the plain loop's rate.
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
#include <openssl/x509v3.h>

#include "filters/cms/cms.h"
#include "filters/cms/cms_verify.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "tests/bench/bench.h"

static void
write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL ||
	    (x != NULL && !PEM_write_X509(f, x)) ||
	    (k != NULL && !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL)) || fclose(f) != 0)
		fatal("%s", path);
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	if ((e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value)) == NULL)
		fatalx("extension %d", nid);
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
}

static X509 *
make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey,
    bool ca)
{
	X509		*x = X509_new();
	X509_NAME	*n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	add_ext(x, issuer ? issuer : x, NID_basic_constraints,
	    ca ? "critical,CA:TRUE" : "CA:FALSE");
	add_ext(x, issuer ? issuer : x, NID_key_usage, ca ?
	    "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
	if (!ca)
		add_ext(x, issuer, NID_ext_key_usage, "emailProtection");
	if (X509_sign(x, ikey ? ikey : key, EVP_sha256()) == 0)
		fatalx("certificate signing failed");
	return x;
}

struct sample {
	const char	*name;
	struct buf	 cms;
};

/* An 8 KB P772 content, signed with a label, as CMS DER. */
static void
make_sample(struct sample *s, const char *name, const char *cert,
    const char *key)
{
	/* ESSSecurityLabel { 4, 1.3.26.1.3.1, "NATO SECRET" } in DER. */
	static const uint8_t	label[] = {
		0x31, 0x17, 0x02, 0x01, 0x04, 0x06, 0x05, 0x2b, 0x1a, 0x01,
		0x03, 0x01, 0x13, 0x0b, 'N', 'A', 'T', 'O', ' ', 'S', 'E',
		'C', 'R', 'E', 'T' };
	struct cms_sign_opts	opts;
	uint8_t			content[8192];
	char			err[512];

	/* The verifier does not parse the content: 8 KB of it suffice. */
	memset(content, 'A', sizeof(content));
	memset(&opts, 0, sizeof(opts));
	opts.label = label;
	opts.labellen = sizeof(label);
	s->name = name;
	buf_init(&s->cms, 1 << 20);
	if (cms_sign_content_opts(content, sizeof(content), X400_OID_P772,
	    cert, key, &opts, &s->cms, err, sizeof(err)) == -1)
		fatalx("%s: %s", name, err);
}

static void
report(const struct sample *s, const struct cms_config *cfg)
{
	struct x400_dec		 d;
	struct cms_facts	 f;
	CMS_ContentInfo		*cms;
	const unsigned char	*p;
	double			 t, best_g = 1e9, best_o = 1e9;
	int			 r, i, n = 500;

	for (r = 0; r < 5; r++) {
		t = now();
		for (i = 0; i < n; i++) {
			memset(&d, 0, sizeof(d));
			x400_limits_default(&d.lim);
			ber_ctx_init(&d.c, BER_MODE_BER, NULL, s->cms.data,
			    s->cms.len);
			d.c.lim.max_alloc = 1 << 24;
			if (cms_verify(&d, cfg, s->cms.data, s->cms.len,
			    &f) == -1)
				fatalx("%s: %s", s->name, f.reason);
			x400_dec_free(&d);
		}
		if ((t = (now() - t) / n) < best_g)
			best_g = t;
		t = now();
		for (i = 0; i < n; i++) {
			p = s->cms.data;
			if ((cms = d2i_CMS_ContentInfo(NULL, &p,
			    (long)s->cms.len)) == NULL ||
			    CMS_verify(cms, NULL, cfg->store, NULL, NULL,
			    CMS_BINARY) != 1)
				fatalx("%s: CMS_verify failed", s->name);
			CMS_ContentInfo_free(cms);
		}
		if ((t = (now() - t) / n) < best_o)
			best_o = t;
	}
	printf("cms verify, signed 8 KB P772, %s:\n", s->name);
	printf("  mmguard cms_verify (all checks): %8.0f msg/s\n", 1 / best_g);
	printf("  OpenSSL d2i + CMS_verify:        %8.0f msg/s\n", 1 / best_o);
	printf("  ratio mmguard/OpenSSL:           %8.2f (target >= 0.8)\n",
	    best_o / best_g);
}

int
main(void)
{
	struct cms_config	 cfg;
	struct sample		 rsa, ec;
	EVP_PKEY		*cakey, *rsakey, *eckey;
	X509			*ca, *rsacert, *eccert;
	char			 err[256];

	log_init("bench_cms", LOG_TO_STDERR, 0);
	cakey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	rsakey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	eckey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (cakey == NULL || rsakey == NULL || eckey == NULL)
		fatalx("key generation failed");
	ca = make_cert("Bench CA", cakey, NULL, NULL, true);
	rsacert = make_cert("Bench RSA", rsakey, ca, cakey, false);
	eccert = make_cert("Bench EC", eckey, ca, cakey, false);
	write_pem("build/bench/ca.pem", ca, NULL);
	write_pem("build/bench/rsa.pem", rsacert, NULL);
	write_pem("build/bench/rsa.key", NULL, rsakey);
	write_pem("build/bench/ec.pem", eccert, NULL);
	write_pem("build/bench/ec.key", NULL, eckey);
	cms_config_init(&cfg);
	if (cms_config_load(&cfg, "build/bench/ca.pem", NULL, 0, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	make_sample(&rsa, "RSA-2048", "build/bench/rsa.pem",
	    "build/bench/rsa.key");
	make_sample(&ec, "ECDSA P-256", "build/bench/ec.pem",
	    "build/bench/ec.key");
	report(&rsa, &cfg);
	report(&ec, &cfg);
	cms_config_free(&cfg);
	unlink("build/bench/rsa.key");
	unlink("build/bench/ec.key");
	return 0;
}
