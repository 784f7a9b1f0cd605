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
#include <openssl/x509v3.h>

#include "filters/cms/cms.h"
#include "filters/cms/cms_int.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"

int
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

/*
 * A signer's certificate and key, and optional extra certificates, from
 * PEM files.  On failure everything is freed and err says which file.
 */
int
cms_load_signer(const char *certfile, const char *keyfile,
    const char *chainfile, X509 **cert, EVP_PKEY **key,
    STACK_OF(X509) **chain, char *err, size_t errsz)
{
	BIO	*f = NULL;
	X509	*x;

	*cert = NULL;
	*key = NULL;
	*chain = NULL;
	if ((f = BIO_new_file(certfile, "r")) == NULL ||
	    (*cert = PEM_read_bio_X509(f, NULL, NULL, NULL)) == NULL) {
		cms_fail(err, errsz, "%s: cannot read a PEM certificate",
		    certfile);
		goto fail;
	}
	BIO_free(f);
	if ((f = BIO_new_file(keyfile, "r")) == NULL ||
	    (*key = PEM_read_bio_PrivateKey(f, NULL, NULL, NULL)) == NULL) {
		cms_fail(err, errsz, "%s: cannot read a PEM private key",
		    keyfile);
		goto fail;
	}
	BIO_free(f);
	f = NULL;
	if (chainfile == NULL)
		return 0;
	if ((f = BIO_new_file(chainfile, "r")) == NULL) {
		cms_fail(err, errsz, "%s: cannot open", chainfile);
		goto fail;
	}
	*chain = sk_X509_new_null();
	while ((x = PEM_read_bio_X509(f, NULL, NULL, NULL)) != NULL)
		if (!sk_X509_push(*chain, x)) {
			X509_free(x);
			break;
		}
	ERR_clear_error();
	BIO_free(f);
	if (sk_X509_num(*chain) == 0) {
		f = NULL;
		cms_fail(err, errsz, "%s: no PEM certificate", chainfile);
		goto fail;
	}
	return 0;
fail:
	BIO_free(f);
	X509_free(*cert);
	EVP_PKEY_free(*key);
	sk_X509_pop_free(*chain, X509_free);
	*cert = NULL;
	*key = NULL;
	*chain = NULL;
	return -1;
}

int
cms_sign_content(const uint8_t *content, size_t len, const char *oid,
    const char *certfile, const char *keyfile, struct buf *out, char *err,
    size_t errsz)
{
	struct cms_sign_opts	opts;

	memset(&opts, 0, sizeof(opts));
	return cms_sign_content_opts(content, len, oid, certfile, keyfile,
	    &opts, out, err, errsz);
}

/* A receipt request: receipts from all recipients, to the signer. */
static int
cms_receipt_request(CMS_SignerInfo *si, X509 *cert)
{
	CMS_ReceiptRequest	*rr;
	STACK_OF(GENERAL_NAMES)	*to;
	GENERAL_NAMES		*gns;
	GENERAL_NAME		*gn;

	if ((to = sk_GENERAL_NAMES_new_null()) == NULL ||
	    (gns = GENERAL_NAMES_new()) == NULL ||
	    (gn = GENERAL_NAME_new()) == NULL)
		return -1;
	gn->type = GEN_DIRNAME;
	gn->d.directoryName = X509_NAME_dup(X509_get_subject_name(cert));
	if (gn->d.directoryName == NULL ||
	    !sk_GENERAL_NAME_push(gns, gn) || !sk_GENERAL_NAMES_push(to, gns))
		return -1;
	/* A random 32-byte identifier; all recipients may answer. */
	if ((rr = CMS_ReceiptRequest_create0_ex(NULL, 32, 0, NULL, to,
	    NULL)) == NULL)
		return -1;
	if (CMS_add1_ReceiptRequest(si, rr) != 1) {
		CMS_ReceiptRequest_free(rr);
		return -1;
	}
	CMS_ReceiptRequest_free(rr);
	return 0;
}

int
cms_sign_content_opts(const uint8_t *content, size_t len, const char *oid,
    const char *certfile, const char *keyfile,
    const struct cms_sign_opts *opts, struct buf *out, char *err,
    size_t errsz)
{
	BIO		*in = NULL;
	X509		*cert = NULL;
	STACK_OF(X509)	*chain = NULL;
	EVP_PKEY	*key = NULL;
	CMS_ContentInfo	*cms = NULL;
	CMS_SignerInfo	*si;
	ASN1_OBJECT	*type = NULL;
	unsigned char	*der = NULL;
	int		 n, rc = -1;

	if (cms_load_signer(certfile, keyfile, opts->chainfile, &cert, &key,
	    &chain, err, errsz) == -1)
		goto out;
	if ((type = OBJ_txt2obj(oid, 1)) == NULL) {
		cms_fail(err, errsz, "%s: not an object identifier", oid);
		goto out;
	}
	if ((in = BIO_new_mem_buf(content, (int)len)) == NULL ||
	    (cms = CMS_sign(cert, key, chain, NULL, CMS_BINARY | CMS_PARTIAL |
	    CMS_NOSMIMECAP)) == NULL ||
	    CMS_set1_eContentType(cms, type) != 1 ||
	    (si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0)) ==
	    NULL) {
		cms_fail(err, errsz, "signing failed");
		goto out;
	}
	/* Attribute values of SET/SEQUENCE type are their whole DER. */
	if (opts->label != NULL && CMS_signed_add1_attr_by_NID(si,
	    NID_id_smime_aa_securityLabel, V_ASN1_SET, opts->label,
	    (int)opts->labellen) != 1) {
		cms_fail(err, errsz, "cannot add the security label");
		goto out;
	}
	if (opts->equivalent != NULL && CMS_signed_add1_attr_by_NID(si,
	    NID_id_smime_aa_equivalentLabels, V_ASN1_SEQUENCE,
	    opts->equivalent, (int)opts->equivalentlen) != 1) {
		cms_fail(err, errsz, "cannot add the equivalent labels");
		goto out;
	}
	if (opts->receipt_request && cms_receipt_request(si, cert) == -1) {
		cms_fail(err, errsz, "cannot add the receipt request");
		goto out;
	}
	if (CMS_final(cms, in, NULL, CMS_BINARY) != 1) {
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
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
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
