/*
 * mmguard-verify - the verify role: CMS signatures and certificate paths
 * of the messages the queue manager hands it.
 *
 * SYNOPSIS
 *	mmguard-verify -p POLICY -k PKI -d DIRECTION -t KEY [-n NICE] [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel to qmgr on descriptor 3.  At
 *	start it loads the guard policy, takes the DIRECTION's signature
 *	rule and builds its certificate store from the trust anchors and
 *	CRLs in PKI (once: the store is reused for every message).  For each
 *	MSG_VERIFY it decodes the handed message, verifies a CMS-signed
 *	content (signatures, signed attributes, ESS label, algorithms, path,
 *	CRLs) and answers with the verification facts, sealed with KEY
 *	(the seal binds them to the message's digest, so that qmgr, which
 *	relays them, cannot alter them or move them to another message).
 *	Each verification is recorded in the audit log (message-inspected,
 *	stage=verify: the message's digest, the digest of the facts, the
 *	result and the signer) on the role's own channel to the audit role.
 *	With -n it runs at that nice value (set before the sandbox): the
 *	supervisor starts the pool's workers at 10 and the one qmgr keeps
 *	for FLASH and OVERRIDE messages at 0.
 *
 * SECURITY
 *	Runs as its own user in the verify sandbox: the compute profile plus
 *	what OpenSSL needs once its store is loaded; no file system, no
 *	network.  It parses untrusted CMS (OpenSSL) and BER (our decoder).
 *	Owning it lets an attacker seal false facts ("signed by a release
 *	authority") for messages passing through it; the policy role then
 *	decides on them.  The key that seals facts is the one that makes
 *	release tokens, under another label; diode-tx accepts only tokens,
 *	which this role cannot make without breaking the domain separation
 *	of HMAC.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "filters/cms/cms_verify.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/hex.h"
#include "guard/common/log.h"
#include "guard/common/mac.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/inspect/vfacts.h"
#include "guard/msg.h"
#include "guard/spool/spool.h"
#include "policy/guardpol.h"

struct verifier {
	const struct gp_rule	*sig;
	uint8_t			 key[MAC_KEY_LEN];
};

/*
 * What verification found, in the audit log: the message's digest and
 * the digest of the facts record the policy role will decide on.
 */
static void
audit_verified(const char *qid, const uint8_t digest[32],
    const struct buf *facts, int decoded, const struct cms_facts *fp)
{
	struct audit_kv	 kv[6];
	uint8_t		 fd[32];
	unsigned	 dl;
	char		 dh[65], fh[65];
	size_t		 n = 0;

	(void)EVP_Digest(facts->data, facts->len, fd, &dl, EVP_sha256(),
	    NULL);
	hex_lower(digest, 32, dh);
	hex_lower(fd, 32, fh);
	kv[n++] = (struct audit_kv){ "stage", "verify" };
	kv[n++] = (struct audit_kv){ "result", !decoded ? "undecodable" :
	    fp == NULL ? "unsigned" : fp->ok ? "verified" : "failed" };
	kv[n++] = (struct audit_kv){ "digest", dh };
	kv[n++] = (struct audit_kv){ "facts", fh };
	if (fp != NULL && fp->nsigners > 0 && fp->signers[0].subject != NULL)
		kv[n++] = (struct audit_kv){ "signer",
		    fp->signers[0].subject };
	if (fp != NULL && !fp->ok && fp->reason[0] != '\0')
		kv[n++] = (struct audit_kv){ "reason", fp->reason };
	role_audit(AUDIT_EV_MESSAGE_INSPECTED, qid, kv, n);
}

static void
verify(struct ipc_chan *ch, struct ipc_msg *m, struct verifier *v)
{
	struct spool_entry	 e;
	struct x400_dec		 d;
	struct x400_msg		*x;
	struct cms_facts	 f, *fp = NULL;
	struct buf		 out;
	const char		*qid;
	char			 err[512];
	uint8_t			 digest[32], seal[MAC_LEN];
	unsigned		 dl;
	int			 fd, decoded = 0;

	if (ipc_get_string(m, &qid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	buf_init(&out, 1 << 20);
	memset(&f, 0, sizeof(f));
	memset(digest, 0, sizeof(digest));
	if (spool_read_fd(fd, &e, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", qid, err);
		(void)close(fd);
		fatalx("%s: a queue file qmgr handed me does not read", qid);
	}
	(void)close(fd);
	(void)EVP_Digest(e.message, e.message_len, digest, &dl, EVP_sha256(),
	    NULL);
	if (x400_decode(&d, BER_MODE_BER, NULL, e.message, e.message_len,
	    &x) == 0) {
		decoded = 1;
		if (x->body != NULL &&
		    x->body->protection == X400_PROT_CMS_SIGNED) {
			if (v->sig != NULL && v->sig->u.sig.store)
				(void)cms_verify(&d, &v->sig->u.sig.cms,
				    x->content, x->content_len, &f);
			else
				(void)snprintf(f.reason, sizeof(f.reason),
				    "not verified: this direction has no "
				    "signature rule");
			fp = &f;
		}
	}
	if (vfacts_enc(fp, &out) == -1)
		fatalx("%s: verification facts too large", qid);
	audit_verified(qid, digest, &out, decoded, fp);
	if (decoded)
		x400_dec_free(&d);
	spool_entry_free(&e);
	if (mac_compute(v->key, MAC_FACTS, (struct mac_part[]){
	    { digest, 32 }, { out.data, out.len } }, 2, seal) == -1)
		fatalx("cannot seal the facts");
	ipc_create(ch, MSG_VERIFIED, m->id);
	ipc_add_data(ch, out.data, out.len);
	ipc_add_data(ch, seal, sizeof(seal));
	if (ipc_close(ch) == -1)
		ipc_fatal(ch);
	buf_free(&out);
}

static void
handle(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	if (m->type != MSG_VERIFY)
		fatalx("unexpected frame type %u from qmgr", m->type);
	verify(ch, m, arg);
}

int
main(int argc, char *argv[])
{
	struct ipc_chan		 ch;
	struct verifier		 v;
	struct guardpol		*gp;
	const char		*policy = NULL, *pki = NULL, *user = NULL;
	const char		*keyfile = NULL;
	enum gp_dir		 dir = GP_HIGH_TO_LOW;
	char			 err[1024];
	int			 c, nice_value = 0;

	role_start("mmguard-verify", "qmgr", &ch);
	while ((c = getopt(argc, argv, "p:k:d:t:n:u:")) != -1) {
		switch (c) {
		case 'n':
			nice_value = atoi(optarg);
			if (nice_value < 0 || nice_value > 19)
				fatalx("-n %s: a nice value from 0 to 19",
				    optarg);
			break;
		case 'p':
			policy = optarg;
			break;
		case 'k':
			pki = optarg;
			break;
		case 'd':
			if (gp_dir_from_name(optarg, &dir) == -1)
				fatalx("-d %s: not a direction", optarg);
			break;
		case 't':
			keyfile = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-verify -p POLICY -k PKI "
			    "-d DIRECTION -t KEY [-n NICE] [-u USER]");
		}
	}
	if (policy == NULL || pki == NULL || keyfile == NULL)
		fatalx("-p, -k and -t are required");
	memset(&v, 0, sizeof(v));
	if (mac_key_load(keyfile, v.key, err, sizeof(err)) == -1)
		fatalx("%s", err);
	/* Everything read from files is read now, before the sandbox. */
	if ((gp = gp_load_file(policy, pki, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (gp->dirs[dir].present)
		v.sig = gp_rule_of(&gp->dirs[dir], GP_SIGNATURE);
	/* OpenSSL's one-time set-up (configuration, HMAC) before the
	 * sandbox: afterwards it may open no file. */
	{
		uint8_t	z[MAC_LEN];

		if (mac_compute(v.key, MAC_FACTS, NULL, 0, z) == -1)
			fatalx("HMAC unavailable");
	}
	if (spool_init(err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (nice_value != 0 && setpriority(PRIO_PROCESS, 0, nice_value) == -1)
		fatal("setpriority %d", nice_value);
	sandbox_enter(&sandbox_verify, &(struct sandbox_args){
	    .user = user, .sock = -1 });
	role_serve(&ch, handle, &v);
}
