/*
 * cms_receipt.c - RFC 2634 signed receipts: non-repudiation of receipt.
 *
 * A recipient answers a signed P772 that carries a receipt request with a
 * SignedData whose eContentType is id-ct-receipt and whose content is a
 * Receipt binding the original's content type, signed content identifier
 * and signature value (CMS_sign_receipt).  Checking it against the
 * original (CMS_verify_receipt) proves that this recipient received
 * exactly that message.  The receipt's own signer and path are checked
 * against the configured trust store like any signature.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "filters/cms/cms.h"
#include "filters/cms/cms_int.h"
#include "filters/cms/cms_verify.h"
#include "guard/common/buf.h"

static CMS_ContentInfo *
cms_parse(const uint8_t *p, size_t len)
{
	const unsigned char	*q = p;
	CMS_ContentInfo		*cms;

	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)len)) != NULL &&
	    q != p + len) {
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	return cms;
}

int
cms_make_receipt(const uint8_t *orig, size_t origlen, const char *certfile,
    const char *keyfile, const char *chainfile, struct buf *out, char *err,
    size_t errsz)
{
	CMS_ContentInfo		*ocms = NULL, *rcms = NULL;
	CMS_SignerInfo		*si = NULL;
	CMS_ReceiptRequest	*rr = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509)		*chain = NULL;
	X509			*cert = NULL;
	EVP_PKEY		*key = NULL;
	unsigned char		*der = NULL;
	int			 i, n, rc = -1;

	if ((ocms = cms_parse(orig, origlen)) == NULL) {
		cms_fail(err, errsz, "the original is not a CMS ContentInfo");
		goto out;
	}
	sis = CMS_get0_SignerInfos(ocms);
	for (i = 0; i < sk_CMS_SignerInfo_num(sis); i++) {
		si = sk_CMS_SignerInfo_value(sis, i);
		if (CMS_get1_ReceiptRequest(si, &rr) > 0)
			break;
		si = NULL;
	}
	CMS_ReceiptRequest_free(rr);
	if (si == NULL) {
		cms_fail(err, errsz, "the original asks for no receipt");
		goto out;
	}
	if (cms_load_signer(certfile, keyfile, chainfile, &cert, &key, &chain,
	    err, errsz) == -1)
		goto out;
	/* The original's signer certificate must be attached to its si. */
	(void)CMS_set1_signers_certs(ocms, NULL, 0);
	ERR_clear_error();
	if ((rcms = CMS_sign_receipt(si, cert, key, chain,
	    CMS_BINARY)) == NULL) {
		cms_fail(err, errsz, "making the receipt failed");
		goto out;
	}
	if ((n = i2d_CMS_ContentInfo(rcms, &der)) <= 0 ||
	    buf_add(out, der, (size_t)n) == -1) {
		cms_fail(err, errsz, "encoding the receipt failed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_free(der);
	CMS_ContentInfo_free(ocms);
	CMS_ContentInfo_free(rcms);
	X509_free(cert);
	EVP_PKEY_free(key);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

int
cms_check_receipt(const struct cms_config *c, const uint8_t *rcpt,
    size_t rcptlen, const uint8_t *orig, size_t origlen, char *err,
    size_t errsz)
{
	CMS_ContentInfo	*rcms = NULL, *ocms = NULL;
	int		 rc = -1;

	if ((rcms = cms_parse(rcpt, rcptlen)) == NULL) {
		cms_fail(err, errsz, "the receipt is not a CMS ContentInfo");
		goto out;
	}
	if ((ocms = cms_parse(orig, origlen)) == NULL) {
		cms_fail(err, errsz, "the original is not a CMS ContentInfo");
		goto out;
	}
	/* Path, signature, and the Receipt's binding to the original. */
	if (CMS_verify_receipt(rcms, ocms, NULL, c->store, CMS_BINARY) != 1) {
		cms_fail(err, errsz, "the receipt does not match the "
		    "original, or its signature does not verify");
		goto out;
	}
	rc = 0;
out:
	CMS_ContentInfo_free(rcms);
	CMS_ContentInfo_free(ocms);
	return rc;
}
