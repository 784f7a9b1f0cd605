/*
 * cms.h - CMS (RFC 5652) signing and verification of P772 content, per
 * STANAG 4406 Annex B / ACP 145, on OpenSSL 3.
 */
#ifndef MMGUARD_CMS_H
#define MMGUARD_CMS_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * Wrap content in a CMS ContentInfo / SignedData whose eContentType is
 * econtent_oid (P772 for military messages), signed by the certificate and
 * key in PEM files, with the content-type, message-digest and signing-time
 * signed attributes.  -1 with a reason in err on failure.
 */
int	cms_sign_content(const uint8_t *, size_t, const char *econtent_oid,
	    const char *certfile, const char *keyfile, struct buf *out,
	    char *err, size_t errsz);

/* What mmguard-msg sign adds to a signature. */
struct cms_sign_opts {
	const char	*chainfile;	/* more certificates to include */
	const uint8_t	*label;		/* ESSSecurityLabel DER, or NULL */
	size_t		 labellen;
	const uint8_t	*equivalent;	/* EquivalentLabels DER, or NULL */
	size_t		 equivalentlen;
	int		 receipt_request;	/* ask for a signed receipt */
};

int	cms_sign_content_opts(const uint8_t *, size_t, const char *oid,
	    const char *certfile, const char *keyfile,
	    const struct cms_sign_opts *, struct buf *out, char *err,
	    size_t errsz);

/*
 * RFC 2634 signed receipts: make the recipient's receipt for a signed
 * original that asks for one; check a receipt against its original.
 */
struct cms_config;
int	cms_make_receipt(const uint8_t *orig, size_t, const char *certfile,
	    const char *keyfile, const char *chainfile, struct buf *out,
	    char *err, size_t errsz);
int	cms_check_receipt(const struct cms_config *, const uint8_t *rcpt,
	    size_t, const uint8_t *orig, size_t, char *err, size_t errsz);

/*
 * The same for a composed message: encode its P772 (m->body) with the
 * BER variant given, sign it, and make it the message's content with the
 * P1 content type id-ct-contentInfo (STANAG 4406 Annex B).  out holds the
 * signed bytes m->content then points to.
 */
struct x400_msg;
int	cms_sign_msg(struct x400_msg *, const char *certfile,
	    const char *keyfile, unsigned variant, struct buf *out, char *err,
	    size_t errsz);

#endif
