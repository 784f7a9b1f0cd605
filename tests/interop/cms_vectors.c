/*
 * cms_vectors.c - CMS SignedData that OpenSSL will not produce, built by
 * hand (the guard's DER encoder for the structure, OpenSSL EVP for the
 * signatures), for the negative tests of the verifier.
 *
 *   cms_vectors P772 CERT KEY CERT2 KEY2 OUTDIR
 *
 * Each OUTDIR/NAME.cms is validly signed except for its one defect:
 *   good               one signer, every attribute right (the control)
 *   no-content-type    no content-type signed attribute
 *   unsigned-label     the ESS label as an unsigned attribute
 *   two-labels         two security label attributes
 *   label-two-values   one label attribute with two values
 *   labels-differ      two signers whose labels differ
 *   label-duplicate    a label SET with the classification twice
 *   no-signers         no SignerInfo at all
 *   wrong-content-type content-type attribute differs from eContentType
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "filters/ber/ber.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "guard/common/xmalloc.h"

#define OID_SIGNED_DATA		"1.2.840.113549.1.7.2"
#define OID_P772		"1.3.26.0.4406.0.4.1"
#define OID_SHA256		"2.16.840.1.101.3.4.2.1"
#define OID_RSA			"1.2.840.113549.1.1.1"
#define OID_CONTENT_TYPE	"1.2.840.113549.1.9.3"
#define OID_MESSAGE_DIGEST	"1.2.840.113549.1.9.4"
#define OID_SECURITY_LABEL	"1.2.840.113549.1.9.16.2.2"
#define OID_NATO		"1.3.26.1.3.1"

struct signer {
	X509		*cert;
	EVP_PKEY	*key;
};

enum defect {
	GOOD, NO_CONTENT_TYPE, UNSIGNED_LABEL, TWO_LABELS, LABEL_TWO_VALUES,
	LABELS_DIFFER, LABEL_DUPLICATE, NO_SIGNERS, WRONG_CONTENT_TYPE
};

static const char *const names[] = { "good", "no-content-type",
    "unsigned-label", "two-labels", "label-two-values", "labels-differ",
    "label-duplicate", "no-signers", "wrong-content-type" };

static uint8_t	content[1 << 20];
static size_t	contentlen;

static void
load(struct signer *s, const char *cert, const char *key)
{
	FILE	*f;

	if ((f = fopen(cert, "r")) == NULL ||
	    (s->cert = PEM_read_X509(f, NULL, NULL, NULL)) == NULL)
		fatalx("%s: no certificate", cert);
	fclose(f);
	if ((f = fopen(key, "r")) == NULL ||
	    (s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL)) == NULL)
		fatalx("%s: no key", key);
	fclose(f);
}

static void
put_alg(struct ber_enc *e, const char *oid, bool null_params)
{
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), oid);
	if (null_params)
		ber_put_null(e, BER_UNIV(BER_NULL));
	ber_enc_end(e);
}

static void
put_label(struct ber_enc *e, int classification, bool duplicate)
{
	/* Written in DER order by hand: INTEGER, OID, PrintableString. */
	ber_enc_begin(e, BER_UNIV(BER_SET));
	ber_put_int(e, BER_UNIV(BER_INTEGER), classification);
	if (duplicate)
		ber_put_int(e, BER_UNIV(BER_INTEGER), classification);
	ber_put_oid_text(e, BER_UNIV(BER_OID), OID_NATO);
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING), BER_PRINTABLE_STRING,
	    "NATO SECRET", 11);
	ber_enc_end(e);
}

static void
put_attr_label(struct ber_enc *e, int classification, int nvalues,
    bool duplicate)
{
	int	i;

	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(e, BER_UNIV(BER_OID), OID_SECURITY_LABEL);
	ber_enc_begin(e, BER_UNIV(BER_SET));
	for (i = 0; i < nvalues; i++)
		put_label(e, classification + i, duplicate);
	ber_enc_end(e);
	ber_enc_end(e);
}

/* The signed attributes' DER as a SET OF (tag 0x31), in canonical order. */
static void
signed_attrs(struct buf *out, enum defect defect, int classification)
{
	struct ber_enc	e;
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned	mdlen;

	EVP_Digest(content, contentlen, md, &mdlen, EVP_sha256(), NULL);
	ber_enc_init(&e, out, 0);
	ber_enc_begin_setof(&e, BER_UNIV(BER_SET));
	if (defect != NO_CONTENT_TYPE) {
		ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
		ber_put_oid_text(&e, BER_UNIV(BER_OID), OID_CONTENT_TYPE);
		ber_enc_begin(&e, BER_UNIV(BER_SET));
		ber_put_oid_text(&e, BER_UNIV(BER_OID),
		    defect == WRONG_CONTENT_TYPE ? "1.2.3.4" : OID_P772);
		ber_enc_end(&e);
		ber_enc_end(&e);
	}
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), OID_MESSAGE_DIGEST);
	ber_enc_begin(&e, BER_UNIV(BER_SET));
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), md, mdlen);
	ber_enc_end(&e);
	ber_enc_end(&e);
	if (defect != UNSIGNED_LABEL)
		put_attr_label(&e, classification,
		    defect == LABEL_TWO_VALUES ? 2 : 1,
		    defect == LABEL_DUPLICATE);
	if (defect == TWO_LABELS)
		put_attr_label(&e, classification + 1, 1, false);
	ber_enc_end(&e);
	if (ber_enc_finish(&e) == -1)
		fatalx("signed attributes: encoder error %d", e.err);
}

static void
signer_info(struct ber_enc *e, const struct signer *s, enum defect defect,
    int classification)
{
	struct buf		 attrs;
	EVP_MD_CTX		*ctx;
	unsigned char		*der = NULL;
	const ASN1_INTEGER	*serial;
	uint8_t			 sig[1024];
	size_t			 siglen = sizeof(sig);
	int			 n;

	buf_init(&attrs, 1 << 20);
	signed_attrs(&attrs, defect, classification);
	ctx = EVP_MD_CTX_new();
	if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, s->key) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, attrs.data, attrs.len) != 1)
		fatalx("signing failed");
	EVP_MD_CTX_free(ctx);
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_put_int(e, BER_UNIV(BER_INTEGER), 1);
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));	/* issuerAndSerial */
	n = i2d_X509_NAME(X509_get_issuer_name(s->cert), &der);
	ber_put_raw(e, der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;
	serial = X509_get0_serialNumber(s->cert);
	n = i2d_ASN1_INTEGER(serial, &der);
	ber_put_raw(e, der, (size_t)n);
	OPENSSL_free(der);
	ber_enc_end(e);
	put_alg(e, OID_SHA256, false);
	/* [0] IMPLICIT: the same contents under the context tag. */
	attrs.data[0] = 0xa0;
	ber_put_raw(e, attrs.data, attrs.len);
	put_alg(e, OID_RSA, true);
	ber_put_octets(e, BER_UNIV(BER_OCTET_STRING), sig, siglen);
	if (defect == UNSIGNED_LABEL) {
		ber_enc_begin(e, BER_CTX(1));
		put_attr_label(e, classification, 1, false);
		ber_enc_end(e);
	}
	ber_enc_end(e);
	buf_free(&attrs);
}

static void
build(const char *dir, enum defect defect, const struct signer *s1,
    const struct signer *s2)
{
	struct buf	 out;
	struct ber_enc	 e;
	unsigned char	*der = NULL;
	char		 path[4096];
	FILE		*f;
	int		 n;

	buf_init(&out, 1 << 22);
	ber_enc_init(&e, &out, 0);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), OID_SIGNED_DATA);
	ber_enc_begin(&e, BER_CTX(0));
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 1);
	ber_enc_begin(&e, BER_UNIV(BER_SET));
	put_alg(&e, OID_SHA256, false);
	ber_enc_end(&e);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), OID_P772);
	ber_enc_begin(&e, BER_CTX(0));
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), content, contentlen);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_begin_setof(&e, BER_CTX(0));		/* certificates */
	n = i2d_X509(s1->cert, &der);
	ber_put_raw(&e, der, (size_t)n);
	OPENSSL_free(der);
	der = NULL;
	if (defect == LABELS_DIFFER) {
		n = i2d_X509(s2->cert, &der);
		ber_put_raw(&e, der, (size_t)n);
		OPENSSL_free(der);
	}
	ber_enc_end(&e);
	ber_enc_begin_setof(&e, BER_UNIV(BER_SET));	/* signerInfos */
	if (defect != NO_SIGNERS)
		signer_info(&e, s1, defect, 4);
	if (defect == LABELS_DIFFER)
		signer_info(&e, s2, defect, 3);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
	if (ber_enc_finish(&e) == -1)
		fatalx("%s: encoder error %d", names[defect], e.err);
	(void)snprintf(path, sizeof(path), "%s/%s.cms", dir, names[defect]);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0)
		fatal("%s", path);
	buf_free(&out);
}

int
main(int argc, char *argv[])
{
	struct signer	 s1, s2;
	FILE		*f;
	int		 d;

	log_init("cms_vectors", LOG_TO_STDERR, 0);
	if (argc != 7)
		fatalx("usage: cms_vectors P772 CERT KEY CERT2 KEY2 OUTDIR");
	if ((f = fopen(argv[1], "rb")) == NULL)
		fatal("%s", argv[1]);
	contentlen = fread(content, 1, sizeof(content), f);
	fclose(f);
	load(&s1, argv[2], argv[3]);
	load(&s2, argv[4], argv[5]);
	for (d = GOOD; d <= WRONG_CONTENT_TYPE; d++)
		build(argv[6], (enum defect)d, &s1, &s2);
	return 0;
}
