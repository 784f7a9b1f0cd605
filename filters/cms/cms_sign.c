/*
 * cms_sign.c - CMS SignedData for P772 content.
 *
 * Always binary (CMS_BINARY: no MIME canonicalisation of the content), with
 * the certificate included, no S/MIME capabilities, and the eContentType
 * set before the signature is computed so that the content-type signed
 * attribute carries it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "filters/cms/cms.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"

static int cms_fail(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
cms_fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list		ap;
	char		ossl[256];
	size_t		n;
	unsigned long	e;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	if ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, ossl, sizeof(ossl));
		n = strlen(err);
		(void)snprintf(err + n, errsz - n, " (%s)", ossl);
	}
	ERR_clear_error();
	return -1;
}

int
cms_sign_content(const uint8_t *content, size_t len, const char *oid,
    const char *certfile, const char *keyfile, struct buf *out, char *err,
    size_t errsz)
{
	BIO		*in = NULL, *f = NULL;
	X509		*cert = NULL;
	EVP_PKEY	*key = NULL;
	CMS_ContentInfo	*cms = NULL;
	ASN1_OBJECT	*type = NULL;
	unsigned char	*der = NULL;
	int		 n, rc = -1;

	if ((f = BIO_new_file(certfile, "r")) == NULL ||
	    (cert = PEM_read_bio_X509(f, NULL, NULL, NULL)) == NULL) {
		cms_fail(err, errsz, "%s: cannot read a PEM certificate",
		    certfile);
		goto out;
	}
	BIO_free(f);
	if ((f = BIO_new_file(keyfile, "r")) == NULL ||
	    (key = PEM_read_bio_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		cms_fail(err, errsz, "%s: cannot read a PEM private key",
		    keyfile);
		goto out;
	}
	if ((type = OBJ_txt2obj(oid, 1)) == NULL) {
		cms_fail(err, errsz, "%s: not an object identifier", oid);
		goto out;
	}
	if ((in = BIO_new_mem_buf(content, (int)len)) == NULL ||
	    (cms = CMS_sign(cert, key, NULL, NULL, CMS_BINARY | CMS_PARTIAL |
	    CMS_NOSMIMECAP)) == NULL ||
	    CMS_set1_eContentType(cms, type) != 1 ||
	    CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
		cms_fail(err, errsz, "signing failed");
		goto out;
	}
	if ((n = i2d_CMS_ContentInfo(cms, &der)) <= 0 ||
	    buf_add(out, der, (size_t)n) == -1) {
		cms_fail(err, errsz, "encoding the signed content failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(type);
	BIO_free(in);
	BIO_free(f);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

int
cms_sign_msg(struct x400_msg *m, const char *certfile, const char *keyfile,
    unsigned variant, struct buf *out, char *err, size_t errsz)
{
	struct buf	plain;
	struct ber_enc	e;
	int		rc;

	if (m->body == NULL) {
		(void)snprintf(err, errsz, "there is no content to sign");
		return -1;
	}
	buf_init(&plain, out->max);
	ber_enc_init(&e, &plain, variant);
	x400_encode_content(&e, m->body);
	if (ber_enc_finish(&e) == -1) {
		(void)snprintf(err, errsz, "the content cannot be encoded");
		buf_free(&plain);
		return -1;
	}
	rc = cms_sign_content(plain.data, plain.len, X400_OID_P772, certfile,
	    keyfile, out, err, errsz);
	buf_free(&plain);
	if (rc == -1)
		return -1;
	m->content = out->data;
	m->content_len = out->len;
	m->env.content_oid = (char *)X400_OID_CONTENTINFO;
	m->env.content_builtin = X400_ABSENT;
	return 0;
}
