/*
 * cms_verify.h - verifying CMS-signed P772: the configuration (trust
 * anchors, CRLs, allowed algorithms) and the verification facts.
 */
#ifndef MMGUARD_CMS_VERIFY_H
#define MMGUARD_CMS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "filters/cms/ess.h"
#include "filters/x400/x400.h"

struct cms_config {
	X509_STORE		*store;		/* anchors and CRLs */
	bool			 crl_check;	/* CRLs for the whole path */
	bool			 at_signing_time;	/* evidence mode */
	bool			 require_label;
	int			 min_rsa_bits;	/* default 2048 */
	int			 min_ec_bits;	/* default 256 */
	const char *const	*digests;	/* allowed, by OpenSSL short
						   name; default SHA-2 */
};

struct cms_signer {
	bool		 ok;
	char		 reason[256];	/* the first check that failed */
	char		*subject;	/* RFC 2253 */
	char		*issuer;
	char		*serial;	/* hex */
	char		*ski;		/* subject key identifier, hex */
	char		**policies;	/* certificate policy OIDs */
	unsigned	 npolicies;
	uint32_t	 key_usage;	/* X509_get_key_usage() bits */
	char		*digest;	/* algorithm OIDs */
	char		*signature;
	int		 key_bits;
	struct x400_time signing_time;
	char		**chain;	/* subjects, signer first */
	unsigned	 nchain;
	struct ess_label label;
	struct ess_label *equivalent;
	unsigned	 nequivalent;
	bool		 receipt_requested;
	char		*receipt_id;	/* signedContentIdentifier, hex */
	char		*content_identifier;	/* hex */
};

struct cms_facts {
	bool		 ok;		/* every check of every signer passed */
	char		 reason[300];	/* the first failure */
	char		*econtent_type;
	struct cms_signer *signers;
	unsigned	 nsigners;
	struct ess_label label;		/* the (agreed) signed label */
};

void	 cms_config_init(struct cms_config *);
int	 cms_config_load(struct cms_config *, const char *trustfile,
	    const char *const *crlfiles, size_t ncrl, char *err, size_t errsz);
void	 cms_config_free(struct cms_config *);
int	 cms_verify(struct x400_dec *, const struct cms_config *,
	    const uint8_t *, size_t, struct cms_facts *);
unsigned cms_label_agreement(const struct x400_msg *,
	    const struct cms_facts *, char out[][160], unsigned max);
int	 cms_json(const struct cms_facts *, struct buf *);

#endif
