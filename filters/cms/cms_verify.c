/*
 * cms_verify.c - verification of CMS-signed P772 (ACP 145) with the rules
 * the guard enforces on top of OpenSSL.
 *
 * OpenSSL's CMS_verify() checks signatures and paths but accepts what a
 * guard must not: SignerInfos without signed attributes, no content-type
 * attribute, labels as unsigned attributes, several labels, labels that
 * differ between signers, weak algorithms.  So each SignerInfo is checked
 * here one by one, with a precise reason for each failure:
 *   1. signed attributes present; content-type equal to the eContentType;
 *      message-digest present; exactly one ESS security label, signed,
 *      with one value; none unsigned;
 *   2. digest and signature algorithms and key size allowed by the
 *      configuration (defaults refuse MD5, SHA-1 and RSA under 2048 bits);
 *   3. the signature over the signed attributes (CMS_SignerInfo_verify),
 *      then the content's digest against message-digest
 *      (CMS_SignerInfo_verify_content);
 *   4. the certificate path to a configured trust anchor, for S/MIME
 *      signing, with CRLs for the whole chain when configured (CRL_CHECK
 *      and CRL_CHECK_ALL together: the second does nothing alone), at the
 *      current time or, for evidence, at the signing time.
 * Labels are decoded with the guard's own ESS decoder (ess.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "filters/cms/cms_int.h"
#include "filters/cms/cms_verify.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "guard/common/json.h"

static const char *const cms_default_digests[] = { "SHA256", "SHA384",
    "SHA512", NULL };

void
cms_config_init(struct cms_config *c)
{
	memset(c, 0, sizeof(*c));
	c->min_rsa_bits = 2048;
	c->min_ec_bits = 256;
	c->digests = cms_default_digests;
}

void
cms_config_free(struct cms_config *c)
{
	X509_STORE_free(c->store);
	c->store = NULL;
}

/*
 * Trust anchors and CRLs, loaded once, before any sandbox closes, into a
 * store reused for every message.
 */
int
cms_config_load(struct cms_config *c, const char *trustfile,
    const char *const *crlfiles, size_t ncrl, char *err, size_t errsz)
{
	X509_LOOKUP	*lu;
	size_t		 i;

	if ((c->store = X509_STORE_new()) == NULL ||
	    (lu = X509_STORE_add_lookup(c->store,
	    X509_LOOKUP_file())) == NULL)
		return cms_fail(err, errsz, "out of memory");
	if (X509_LOOKUP_load_file(lu, trustfile, X509_FILETYPE_PEM) <= 0)
		return cms_fail(err, errsz, "%s: no PEM certificate to trust",
		    trustfile);
	for (i = 0; i < ncrl; i++)
		if (X509_load_crl_file(lu, crlfiles[i], X509_FILETYPE_PEM) <= 0)
			return cms_fail(err, errsz, "%s: no PEM CRL",
			    crlfiles[i]);
	c->crl_check = ncrl > 0;
	return 0;
}

static int sfail(struct cms_signer *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Record a signer's first failure. */
static int
sfail(struct cms_signer *s, const char *fmt, ...)
{
	va_list	ap;

	if (s->reason[0] == '\0') {
		va_start(ap, fmt);
		(void)vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
		va_end(ap);
	}
	s->ok = false;
	return -1;
}

static char *
cms_name(struct x400_dec *d, const X509_NAME *n)
{
	BIO	*b;
	char	*p, *s;
	long	 len;

	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return NULL;
	(void)X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253);
	len = BIO_get_mem_data(b, &p);
	s = x400_strndup(d, p, len > 0 ? (size_t)len : 0, NULL);
	BIO_free(b);
	return s;
}

static char *
cms_hex(struct x400_dec *d, const unsigned char *p, size_t n)
{
	char	*s;
	size_t	 i;

	if ((s = x400_alloc(d, 2 * n + 1, NULL)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		(void)snprintf(s + 2 * i, 3, "%02x", p[i]);
	return s;
}

/* The signer's identity: names, serial, key identifier, policies, usage. */
static void
cms_identity(struct x400_dec *d, X509 *x, struct cms_signer *s)
{
	const ASN1_INTEGER	*serial = X509_get0_serialNumber(x);
	const ASN1_OCTET_STRING	*ski = X509_get0_subject_key_id(x);
	CERTIFICATEPOLICIES	*pol;
	char			 oid[128];
	int			 i, n;

	s->subject = cms_name(d, X509_get_subject_name(x));
	s->issuer = cms_name(d, X509_get_issuer_name(x));
	s->serial = cms_hex(d, ASN1_STRING_get0_data(serial),
	    (size_t)ASN1_STRING_length(serial));
	if (ski != NULL)
		s->ski = cms_hex(d, ASN1_STRING_get0_data(ski),
		    (size_t)ASN1_STRING_length(ski));
	s->key_usage = X509_get_key_usage(x);
	if ((pol = X509_get_ext_d2i(x, NID_certificate_policies, NULL,
	    NULL)) != NULL) {
		n = sk_POLICYINFO_num(pol);
		if (n > 16)
			n = 16;
		s->policies = x400_array(d, (size_t)n + 1, sizeof(char *),
		    NULL);
		for (i = 0; s->policies != NULL && i < n; i++) {
			OBJ_obj2txt(oid, sizeof(oid),
			    sk_POLICYINFO_value(pol, i)->policyid, 1);
			s->policies[s->npolicies++] =
			    x400_strndup(d, oid, strlen(oid), NULL);
		}
		CERTIFICATEPOLICIES_free(pol);
	}
}

/* Count signed attributes of a type; return the single one's index. */
static int
cms_attr_once(const CMS_SignerInfo *si, int nid, int *count)
{
	const ASN1_OBJECT	*o = OBJ_nid2obj(nid);
	int			 i = -1, first = -1;

	*count = 0;
	while ((i = CMS_signed_get_attr_by_OBJ(si, o, i)) >= 0) {
		if (first == -1)
			first = i;
		(*count)++;
	}
	return first;
}

/* Algorithms and key size against the configuration. */
static int
cms_algorithms(const struct cms_config *c, CMS_SignerInfo *si,
    struct x400_dec *d, struct cms_signer *s)
{
	EVP_PKEY	*pk = NULL;
	X509		*signer = NULL;
	X509_ALGOR	*dig = NULL, *sig = NULL;
	const char	*name;
	char		 txt[128];
	int		 nid, bits, i, base;

	CMS_SignerInfo_get0_algs(si, &pk, &signer, &dig, &sig);
	nid = OBJ_obj2nid(dig->algorithm);
	name = nid == NID_undef ? NULL : OBJ_nid2sn(nid);
	OBJ_obj2txt(txt, sizeof(txt), dig->algorithm, 1);
	s->digest = x400_strndup(d, txt, strlen(txt), NULL);
	for (i = 0; name != NULL && c->digests[i] != NULL; i++)
		if (strcasecmp(c->digests[i], name) == 0)
			break;
	if (name == NULL || c->digests[i] == NULL)
		return sfail(s, "digest algorithm %s (%s) not allowed", txt,
		    name != NULL ? name : "unknown");
	OBJ_obj2txt(txt, sizeof(txt), sig->algorithm, 1);
	s->signature = x400_strndup(d, txt, strlen(txt), NULL);
	nid = OBJ_obj2nid(sig->algorithm);
	if (nid == NID_md5WithRSAEncryption || nid == NID_sha1WithRSAEncryption ||
	    nid == NID_ecdsa_with_SHA1 || nid == NID_dsa || nid == NID_dsaWithSHA1)
		return sfail(s, "signature algorithm %s (%s) not allowed", txt,
		    OBJ_nid2sn(nid));
	if (pk == NULL)
		return sfail(s, "no public key for the signer");
	bits = EVP_PKEY_get_bits(pk);
	s->key_bits = bits;
	base = EVP_PKEY_get_base_id(pk);
	if (base == EVP_PKEY_RSA || base == EVP_PKEY_RSA_PSS) {
		if (bits < c->min_rsa_bits)
			return sfail(s, "RSA key of %d bits (at least %d)",
			    bits, c->min_rsa_bits);
	} else if (base == EVP_PKEY_EC) {
		if (bits < c->min_ec_bits)
			return sfail(s, "EC key of %d bits (at least %d)",
			    bits, c->min_ec_bits);
	} else if (base != EVP_PKEY_ED25519 && base != EVP_PKEY_ED448)
		return sfail(s, "signer key type %s not allowed",
		    OBJ_nid2sn(base));
	return 0;
}

/* The certificate path, with a reason per failure class. */
static int
cms_path(const struct cms_config *c, X509 *x, STACK_OF(X509) *untrusted,
    const struct x400_time *at, struct x400_dec *d, struct cms_signer *s)
{
	X509_STORE_CTX	*ctx;
	X509_VERIFY_PARAM *vp;
	STACK_OF(X509)	*chain;
	int		 rc, e, i, n, depth;
	const char	*why;

	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, c->store, x, untrusted) != 1) {
		X509_STORE_CTX_free(ctx);
		return sfail(s, "out of memory");
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SMIME_SIGN);
	vp = X509_STORE_CTX_get0_param(ctx);
	if (c->crl_check)
		X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_CRL_CHECK |
		    X509_V_FLAG_CRL_CHECK_ALL);
	if (c->at_signing_time) {
		if (!at->present) {
			X509_STORE_CTX_free(ctx);
			return sfail(s, "no signing time to verify at");
		}
		X509_VERIFY_PARAM_set_time(vp, (time_t)at->epoch);
	}
	rc = X509_verify_cert(ctx);
	if (rc == 1) {
		chain = X509_STORE_CTX_get0_chain(ctx);
		n = sk_X509_num(chain);
		s->chain = x400_array(d, (size_t)n + 1, sizeof(char *), NULL);
		for (i = 0; s->chain != NULL && i < n; i++)
			s->chain[s->nchain++] = cms_name(d,
			    X509_get_subject_name(sk_X509_value(chain, i)));
		X509_STORE_CTX_free(ctx);
		return 0;
	}
	e = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	X509_STORE_CTX_free(ctx);
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		why = "certificate expired";
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		why = "certificate not yet valid";
		break;
	case X509_V_ERR_CERT_REVOKED:
		why = "certificate revoked";
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		why = "unknown issuer (no path to a trust anchor)";
		break;
	case X509_V_ERR_INVALID_PURPOSE:
		why = "certificate not for S/MIME signing (key usage)";
		break;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		why = "no CRL for a certificate in the path";
		break;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		why = "CRL expired";
		break;
	case X509_V_ERR_CRL_NOT_YET_VALID:
		why = "CRL not yet valid";
		break;
	default:
		why = "certificate path invalid";
		break;
	}
	if (strcmp(why, X509_verify_cert_error_string(e)) == 0)
		return sfail(s, "%s (certificate %d of the path)", why, depth);
	return sfail(s, "%s: %s (certificate %d of the path)", why,
	    X509_verify_cert_error_string(e), depth);
}

/* A signed attribute's single value as DER bytes copied to the arena. */
static const uint8_t *
cms_attr_der(struct x400_dec *d, CMS_SignerInfo *si, int idx, size_t *len)
{
	X509_ATTRIBUTE	*a = CMS_signed_get_attr(si, idx);
	ASN1_TYPE	*t;
	unsigned char	*der = NULL;
	uint8_t		*p;
	int		 n;

	if (a == NULL || X509_ATTRIBUTE_count(a) != 1 ||
	    (t = X509_ATTRIBUTE_get0_type(a, 0)) == NULL)
		return NULL;
	if ((n = i2d_ASN1_TYPE(t, &der)) <= 0)
		return NULL;
	if ((p = x400_alloc(d, (size_t)n, NULL)) != NULL)
		memcpy(p, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return p;
}

static int
cms_signed_attrs(struct x400_dec *d, CMS_ContentInfo *cms,
    CMS_SignerInfo *si, struct cms_signer *s)
{
	const ASN1_OBJECT	*ect = CMS_get0_eContentType(cms);
	ASN1_OBJECT		*ct;
	ASN1_TIME		*st;
	ASN1_OCTET_STRING	*cid;
	struct tm		 tm;
	const uint8_t		*der;
	size_t			 len;
	int			 idx, n;

	if (CMS_signed_get_attr_count(si) <= 0)
		return sfail(s, "no signed attributes");
	idx = cms_attr_once(si, NID_pkcs9_contentType, &n);
	if (n != 1)
		return sfail(s, "%d content-type attributes (exactly one "
		    "needed)", n);
	ct = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(
	    NID_pkcs9_contentType), -3, V_ASN1_OBJECT);
	if (ct == NULL || OBJ_cmp(ct, ect) != 0)
		return sfail(s, "content-type attribute differs from the "
		    "eContentType");
	(void)cms_attr_once(si, NID_pkcs9_messageDigest, &n);
	if (n != 1)
		return sfail(s, "%d message-digest attributes (exactly one "
		    "needed)", n);
	/* signingTime is a UTCTime, or a GeneralizedTime after 2049. */
	if ((st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(
	    NID_pkcs9_signingTime), -3, V_ASN1_UTCTIME)) == NULL)
		st = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(
		    NID_pkcs9_signingTime), -3, V_ASN1_GENERALIZEDTIME);
	ERR_clear_error();
	if (st != NULL && ASN1_TIME_to_tm(st, &tm) == 1) {
		s->signing_time.present = true;
		s->signing_time.tm.year = tm.tm_year + 1900;
		s->signing_time.tm.mon = tm.tm_mon + 1;
		s->signing_time.tm.day = tm.tm_mday;
		s->signing_time.tm.hour = tm.tm_hour;
		s->signing_time.tm.min = tm.tm_min;
		s->signing_time.tm.sec = tm.tm_sec;
		s->signing_time.tm.has_tz = true;
		s->signing_time.epoch = (int64_t)timegm(&tm);
	}
	/* ESS security label: exactly one, signed, one value. */
	if (CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_securityLabel,
	    -1) >= 0)
		return sfail(s, "security label as an unsigned attribute");
	idx = cms_attr_once(si, NID_id_smime_aa_securityLabel, &n);
	if (n > 1)
		return sfail(s, "%d security label attributes (at most one)",
		    n);
	if (n == 1) {
		if ((der = cms_attr_der(d, si, idx, &len)) == NULL)
			return sfail(s, "security label attribute with more "
			    "than one value");
		if (ess_label_dec_bytes(d, der, len, &s->label) == -1) {
			sfail(s, "security label: %s", x400_strerror(d));
			memset(&d->c.err, 0, sizeof(d->c.err));
			return -1;
		}
	}
	/* Equivalent labels: SEQUENCE OF ESSSecurityLabel. */
	idx = cms_attr_once(si, NID_id_smime_aa_equivalentLabels, &n);
	if (n > 1)
		return sfail(s, "%d equivalent-labels attributes", n);
	if (n == 1 && (der = cms_attr_der(d, si, idx, &len)) != NULL) {
		struct ber_reader	r, k;
		struct ber_tlv		t;
		int			i, m;

		memset(&r, 0, sizeof(r));
		r.ctx = &d->c;
		r.p = der;
		r.end = der + len;
		if (ber_expect(&r, BER_UNIV(BER_SEQUENCE), &t) == -1 ||
		    ber_enter(&r, &t, &k) == -1 ||
		    (m = x400_count(d, &k, 16, "equivalent labels",
		    t.raw)) == -1 || (s->equivalent = x400_array(d,
		    (size_t)m + 1, sizeof(*s->equivalent), NULL)) == NULL) {
			sfail(s, "equivalent labels: %s", x400_strerror(d));
			memset(&d->c.err, 0, sizeof(d->c.err));
			return -1;
		}
		for (i = 0; i < m; i++) {
			if (ber_expect(&k, BER_UNIV(BER_SET), &t) == -1 ||
			    ess_label_dec(d, &k, &t,
			    &s->equivalent[i]) == -1) {
				sfail(s, "equivalent label: %s",
				    x400_strerror(d));
				memset(&d->c.err, 0, sizeof(d->c.err));
				return -1;
			}
		}
		s->nequivalent = (unsigned)m;
	}
	/* Receipt request and content identifier, when present. */
	{
		CMS_ReceiptRequest	*rr = NULL;

		if (CMS_get1_ReceiptRequest(si, &rr) > 0) {
			ASN1_STRING	*rid;

			s->receipt_requested = true;
			CMS_ReceiptRequest_get0_values(rr, &rid, NULL, NULL,
			    NULL);
			if (rid != NULL)
				s->receipt_id = cms_hex(d,
				    ASN1_STRING_get0_data(rid),
				    (size_t)ASN1_STRING_length(rid));
		}
		CMS_ReceiptRequest_free(rr);
	}
	if ((cid = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(
	    NID_id_smime_aa_contentIdentifier), -3, V_ASN1_OCTET_STRING)) !=
	    NULL)
		s->content_identifier = cms_hex(d, ASN1_STRING_get0_data(cid),
		    (size_t)ASN1_STRING_length(cid));
	return 0;
}

int
cms_verify(struct x400_dec *d, const struct cms_config *c,
    const uint8_t *p, size_t len, struct cms_facts *f)
{
	CMS_ContentInfo		*cms;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509)		*certs = NULL;
	CMS_SignerInfo		*si;
	BIO			*data = NULL;
	const unsigned char	*q = p;
	struct cms_signer	*s;
	X509			*x;
	char			 oid[128], buf[4096];
	int			 i, n;

	memset(f, 0, sizeof(*f));
	f->ok = false;
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)len)) == NULL ||
	    q != p + len) {
		(void)snprintf(f->reason, sizeof(f->reason), "not a CMS "
		    "ContentInfo (or bytes after it)");
		CMS_ContentInfo_free(cms);
		ERR_clear_error();
		return -1;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		(void)snprintf(f->reason, sizeof(f->reason), "not SignedData");
		goto out;
	}
	OBJ_obj2txt(oid, sizeof(oid), CMS_get0_eContentType(cms), 1);
	f->econtent_type = x400_strndup(d, oid, strlen(oid), NULL);
	if (strcmp(oid, X400_OID_P772) != 0 &&
	    strcmp(oid, X400_OID_RECEIPT) != 0) {
		(void)snprintf(f->reason, sizeof(f->reason), "eContentType %s "
		    "is neither P772 nor a receipt", oid);
		goto out;
	}
	if (CMS_get0_content(cms) == NULL || *CMS_get0_content(cms) == NULL) {
		(void)snprintf(f->reason, sizeof(f->reason), "detached "
		    "signature: the content is not encapsulated");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if ((n = sk_CMS_SignerInfo_num(sis)) <= 0) {
		(void)snprintf(f->reason, sizeof(f->reason), "no SignerInfo");
		goto out;
	}
	if (n > 16) {
		(void)snprintf(f->reason, sizeof(f->reason), "%d SignerInfos "
		    "(at most 16)", n);
		goto out;
	}
	if ((f->signers = x400_array(d, (size_t)n, sizeof(*f->signers),
	    NULL)) == NULL) {
		(void)snprintf(f->reason, sizeof(f->reason), "out of memory");
		goto out;
	}
	f->nsigners = (unsigned)n;
	/* Attach the certificates carried in the message to the signers. */
	(void)CMS_set1_signers_certs(cms, NULL, 0);
	ERR_clear_error();
	certs = CMS_get1_certs(cms);
	/* Digest the content once, for every signer's message-digest. */
	if ((data = CMS_dataInit(cms, NULL)) == NULL) {
		(void)snprintf(f->reason, sizeof(f->reason), "cannot read the "
		    "signed content");
		goto out;
	}
	while (BIO_read(data, buf, sizeof(buf)) > 0)
		;
	for (i = 0; i < n; i++) {
		s = &f->signers[i];
		s->ok = true;
		s->label.classification = X400_ABSENT;
		si = sk_CMS_SignerInfo_value(sis, i);
		CMS_SignerInfo_get0_algs(si, NULL, &x, NULL, NULL);
		if (x == NULL) {
			sfail(s, "unknown signer: its certificate is not in "
			    "the message");
			continue;
		}
		cms_identity(d, x, s);
		if (cms_signed_attrs(d, cms, si, s) == -1 ||
		    cms_algorithms(c, si, d, s) == -1)
			continue;
		if (CMS_SignerInfo_verify(si) != 1) {
			sfail(s, "signature over the signed attributes does "
			    "not verify");
			continue;
		}
		if (CMS_SignerInfo_verify_content(si, data) != 1) {
			sfail(s, "content does not match its message-digest");
			continue;
		}
		(void)cms_path(c, x, certs, &s->signing_time, d, s);
		ERR_clear_error();
	}
	/* Every signer must verify, and their labels agree. */
	f->ok = true;
	for (i = 0; i < n; i++) {
		if (!f->signers[i].ok) {
			f->ok = false;
			(void)snprintf(f->reason, sizeof(f->reason),
			    "signer %d: %s", i + 1, f->signers[i].reason);
			break;
		}
		if (f->signers[i].label.present != f->signers[0].label.present ||
		    (f->signers[i].label.present && !ess_label_equal(
		    &f->signers[i].label, &f->signers[0].label))) {
			f->ok = false;
			(void)snprintf(f->reason, sizeof(f->reason),
			    "the labels of signers 1 and %d differ", i + 1);
			break;
		}
	}
	if (f->ok && !f->signers[0].label.present && c->require_label) {
		f->ok = false;
		(void)snprintf(f->reason, sizeof(f->reason),
		    "no security label");
	}
	if (f->signers[0].label.present)
		f->label = f->signers[0].label;
out:
	BIO_free_all(data);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return f->ok ? 0 : -1;
}

/*
 * Labels a message carries, compared: the P1 message-security-label, the
 * ESS label bound by the signature, the (deprecated) P772
 * information-labels.  Each disagreement is recorded as a fact; what it
 * means is the policy's decision.
 */
unsigned
cms_label_agreement(const struct x400_msg *m, const struct cms_facts *f,
    char out[][160], unsigned max)
{
	unsigned	n = 0;

	if (f->label.present && m->env.label.present &&
	    !ess_label_equal_x411(&f->label, &m->env.label) && n < max)
		(void)snprintf(out[n++], 160, "the P1 message-security-label "
		    "differs from the signed ESS label");
	if (f->label.present && m->body != NULL &&
	    m->body->ipm.has_info_labels &&
	    !ess_label_equal_x411(&f->label, &m->body->ipm.info_label) &&
	    n < max)
		(void)snprintf(out[n++], 160, "the P772 information-labels "
		    "differ from the signed ESS label");
	if (!f->label.present && m->env.label.present &&
	    m->body != NULL && m->body->ipm.has_info_labels &&
	    n < max)
		(void)snprintf(out[n++], 160, "no ESS label; the P1 and "
		    "heading labels are not bound by the signature");
	return n;
}

static void
cms_json_label(struct json *j, const char *k, const struct ess_label *l)
{
	unsigned	i, v;

	json_key(j, k);
	json_obj_begin(j);
	json_kstr(j, "policy", l->policy);
	if (l->classification != X400_ABSENT)
		json_kint(j, "classification", l->classification);
	if (l->privacy_mark.utf8 != NULL) {
		json_key(j, "privacy_mark");
		json_strn(j, l->privacy_mark.utf8, l->privacy_mark.len);
	}
	json_key(j, "categories");
	json_arr_begin(j);
	for (i = 0; i < l->ncats; i++) {
		json_obj_begin(j);
		json_kstr(j, "type", l->cats[i].type);
		if (l->cats[i].tag_name != NULL)
			json_kstr(j, "tag_set", l->cats[i].tag_name);
		json_key(j, "values");
		json_arr_begin(j);
		for (v = 0; v < l->cats[i].nvalues; v++)
			json_int(j, l->cats[i].values[v]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

/* The verification facts as JSON (keys in mmguard-msg(1)). */
int
cms_json(const struct cms_facts *f, struct buf *out)
{
	struct json		 j;
	const struct cms_signer	*s;
	unsigned		 i, k;

	json_init(&j, out);
	json_obj_begin(&j);
	json_kbool(&j, "verified", f->ok);
	if (!f->ok)
		json_kstr(&j, "reason", f->reason);
	if (f->econtent_type != NULL)
		json_kstr(&j, "econtent_type", f->econtent_type);
	if (f->label.present)
		cms_json_label(&j, "label", &f->label);
	json_key(&j, "signers");
	json_arr_begin(&j);
	for (i = 0; i < f->nsigners; i++) {
		s = &f->signers[i];
		json_obj_begin(&j);
		json_kbool(&j, "verified", s->ok);
		if (!s->ok)
			json_kstr(&j, "reason", s->reason);
		if (s->subject != NULL)
			json_kstr(&j, "subject", s->subject);
		if (s->issuer != NULL)
			json_kstr(&j, "issuer", s->issuer);
		if (s->serial != NULL)
			json_kstr(&j, "serial", s->serial);
		if (s->ski != NULL)
			json_kstr(&j, "subject_key_identifier", s->ski);
		if (s->npolicies > 0) {
			json_key(&j, "policies");
			json_arr_begin(&j);
			for (k = 0; k < s->npolicies; k++)
				json_str(&j, s->policies[k]);
			json_arr_end(&j);
		}
		if (s->digest != NULL)
			json_kstr(&j, "digest_algorithm", s->digest);
		if (s->signature != NULL)
			json_kstr(&j, "signature_algorithm", s->signature);
		if (s->key_bits > 0)
			json_kint(&j, "key_bits", s->key_bits);
		if (s->signing_time.present)
			json_kint(&j, "signing_time", s->signing_time.epoch);
		if (s->nchain > 0) {
			json_key(&j, "chain");
			json_arr_begin(&j);
			for (k = 0; k < s->nchain; k++)
				json_str(&j, s->chain[k]);
			json_arr_end(&j);
		}
		if (s->label.present)
			cms_json_label(&j, "label", &s->label);
		if (s->nequivalent > 0) {
			json_key(&j, "equivalent_labels");
			json_arr_begin(&j);
			for (k = 0; k < s->nequivalent; k++) {
				json_obj_begin(&j);
				json_kstr(&j, "policy",
				    s->equivalent[k].policy);
				if (s->equivalent[k].classification !=
				    X400_ABSENT)
					json_kint(&j, "classification",
					    s->equivalent[k].classification);
				json_obj_end(&j);
			}
			json_arr_end(&j);
		}
		if (s->receipt_requested)
			json_kbool(&j, "receipt_requested", true);
		if (s->content_identifier != NULL)
			json_kstr(&j, "content_identifier",
			    s->content_identifier);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	if (json_finish(&j) == -1 || buf_add_byte(out, '\n') == -1)
		return -1;
	return 0;
}
