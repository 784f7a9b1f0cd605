/*
 * verify_fuzz.c - libFuzzer harness for the whole CMS verification path:
 * OpenSSL's parsing of the ContentInfo, then every check of cms_verify.c,
 * the guard's ESS label and equivalent-labels decoding, receipt requests
 * and the certificate path, against a fixed trust store made at start-up.
 * Whatever the input, verification must end with a verdict and a reason,
 * never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "filters/cms/cms_verify.h"

static struct cms_config	cfg;

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A self-signed anchor: no input can chain to it, but paths are built. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY	*k;
	X509		*x;

	(void)argc;
	(void)argv;
	cms_config_init(&cfg);
	cfg.store = X509_STORE_new();
	k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	x = X509_new();
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
	    MBSTRING_ASC, (const unsigned char *)"Fuzz CA", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	X509_set_pubkey(x, k);
	X509_sign(x, k, EVP_sha256());
	X509_STORE_add_cert(cfg.store, x);
	X509_free(x);
	EVP_PKEY_free(k);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct x400_dec		d;
	struct cms_facts	f;

	if (size > 1 << 20)
		return 0;
	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, data, size);
	d.c.lim.max_alloc = 1 << 24;
	if (cms_verify(&d, &cfg, data, size, &f) == -1 && f.reason[0] == '\0')
		abort();	/* every refusal has a reason */
	x400_dec_free(&d);
	return 0;
}
