/*
 * mmguard-policy - the policy role: the decision engine over a decoded
 * message and its verification facts, and the release token.
 *
 * SYNOPSIS
 *	mmguard-policy -p POLICY -d DIRECTION -t KEY [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel to qmgr on descriptor 3.  At
 *	start it loads and compiles the guard policy (SPIFs, phrase lists)
 *	and the token key.  For each MSG_DECIDE it reads the handed queue
 *	file, checks that the verification facts qmgr relays are sealed by
 *	the verify role for exactly this message, decodes the message,
 *	decides (policy/decide.h) and answers with the verdict, every
 *	reason with its rule id, the labels as markings, the message's
 *	digest, the policy's digest and, for a release, the release token:
 *	HMAC over (message digest, verdict, direction, policy digest) with
 *	a key that only this role and diode-tx hold.  Each decision is
 *	recorded in the audit log (verdict: the rule ids, the labels, the
 *	digests of the message and of the policy) on the role's own channel
 *	to the audit role, before qmgr hears of it.  A policy is changed by
 *	starting new policy roles (mmguardd does it on SIGHUP or policy
 *	load); a running role never changes its policy.
 *
 * SECURITY
 *	Runs as its own user in the verify sandbox (compute, and the futex
 *	wake OpenSSL's one-time initialisation ends with): no file system,
 *	no network; it reads handed descriptors and writes frames.  It holds
 *	the token key: owning it lets an attacker release any message that
 *	passes through it, which is why it parses no more than it must (our
 *	fuzzed decoder, the facts format) and runs nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

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
#include "policy/decide.h"

struct decider {
	struct guardpol		*gp;
	enum gp_dir		 dir;
	struct decide_ctx	*ctx;
	uint8_t			 key[MAC_KEY_LEN];
};

static void
reasons_text(const struct verdict *v, struct buf *b)
{
	size_t	i;

	for (i = 0; i < v->nreasons; i++) {
		if (buf_add(b, v->reasons[i].rule,
		    strlen(v->reasons[i].rule)) == -1 ||
		    buf_add(b, ": ", 2) == -1 ||
		    buf_add(b, v->reasons[i].text,
		    strlen(v->reasons[i].text)) == -1 ||
		    buf_add_byte(b, '\n') == -1)
			break;
	}
	(void)buf_add_byte(b, '\0');
}

/*
 * The decision in the audit log: the verdict, the id of every rule that
 * gave a reason, the labels, and the digests of the message and of the
 * policy it was decided under.
 */
static void
audit_verdict(const char *qid, const struct verdict *v,
    const uint8_t digest[32], const uint8_t pdigest[32], const char *reasons)
{
	struct audit_kv	 kv[8];
	struct buf	 rules;
	char		 dh[65], ph[65], prec[8];
	size_t		 i, j, n = 0;

	buf_init(&rules, AUDIT_VALUE_MAX);
	for (i = 0; i < v->nreasons; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(v->reasons[j].rule, v->reasons[i].rule) == 0)
				break;
		if (j < i)
			continue;	/* each rule once */
		if ((rules.len > 0 && buf_add_byte(&rules, ',') == -1) ||
		    buf_add(&rules, v->reasons[i].rule,
		    strlen(v->reasons[i].rule)) == -1)
			break;
	}
	if (buf_add_byte(&rules, '\0') == -1)
		rules.data[rules.len - 1] = '\0';
	hex_lower(digest, 32, dh);
	hex_lower(pdigest, 32, ph);
	(void)snprintf(prec, sizeof(prec), "%d", v->precedence);
	kv[n++] = (struct audit_kv){ "verdict", gp_verdict_name(v->verdict) };
	kv[n++] = (struct audit_kv){ "rules", (const char *)rules.data };
	kv[n++] = (struct audit_kv){ "digest", dh };
	kv[n++] = (struct audit_kv){ "policy", ph };
	if (v->has_source)
		kv[n++] = (struct audit_kv){ "label", v->source_marking };
	if (v->has_destination)
		kv[n++] = (struct audit_kv){ "crosses-as",
		    v->destination_marking };
	if (v->precedence >= 0)
		kv[n++] = (struct audit_kv){ "precedence", prec };
	kv[n++] = (struct audit_kv){ "reasons", reasons };
	role_audit(AUDIT_EV_VERDICT, qid, kv, n);
	buf_free(&rules);
}

static void
decide_one(struct ipc_chan *ch, struct ipc_msg *m, struct decider *p)
{
	struct spool_entry	 e;
	struct x400_dec		 d, fd_arena;
	struct decide_in	 in;
	struct x400_msg		*msg;
	struct cms_facts	 f;
	struct verdict		 v;
	struct buf		 reasons;
	const void		*facts;
	size_t			 factslen;
	const char		*qid;
	char			 err[512];
	uint8_t			 digest[32], seal[MAC_LEN], want[MAC_LEN];
	uint8_t			 token[MAC_LEN];
	unsigned		 dl;
	uint32_t		 officer;
	bool			 present;
	int			 fd, decoded = 0, facts_ok = 0;

	if (ipc_get_string(m, &qid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_get_data(m, &facts, &factslen) == -1 ||
	    ipc_get_data_exact(m, seal, sizeof(seal)) == -1 ||
	    ipc_get_u32(m, &officer) == -1 || officer > 1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	if (spool_read_fd(fd, &e, err, sizeof(err)) == -1)
		fatalx("%s: a queue file qmgr handed me does not read: %s",
		    qid, err);
	(void)close(fd);
	(void)EVP_Digest(e.message, e.message_len, digest, &dl, EVP_sha256(),
	    NULL);
	memset(&in, 0, sizeof(in));
	in.size = e.message_len;
	in.officer = officer == 1;
	memset(&fd_arena, 0, sizeof(fd_arena));
	if (mac_compute(p->key, MAC_FACTS, (struct mac_part[]){
	    { digest, 32 }, { facts, factslen } }, 2, want) == -1)
		fatalx("cannot check the facts' seal");
	if (mac_equal(seal, want) &&
	    vfacts_dec(facts, factslen, &fd_arena, &f, &present, err,
	    sizeof(err)) == 0) {
		facts_ok = 1;
		in.cms = present ? &f : NULL;
	}
	if (x400_decode(&d, BER_MODE_BER, NULL, e.message, e.message_len,
	    &msg) == 0) {
		decoded = 1;
		in.msg = msg;
	} else {
		in.msg = NULL;
		in.decode_error = x400_strerror(&d);
	}
	(void)decide(p->gp, p->dir, &in, p->ctx, &v);
	if (!facts_ok && v.verdict != GP_REJECT) {
		/* Facts that do not check: nothing is released on them. */
		v.verdict = GP_REJECT;
		if (v.nreasons < DECIDE_MAX_REASONS) {
			struct decide_reason *r = &v.reasons[v.nreasons++];

			(void)snprintf(r->rule, sizeof(r->rule),
			    "guard.facts");
			r->action = GP_REJECT;
			(void)snprintf(r->text, sizeof(r->text), "the "
			    "verification facts are not the verifier's for "
			    "this message");
		}
	}
	memset(token, 0, sizeof(token));
	if (v.verdict == GP_RELEASE && mac_release_token(p->key, digest,
	    GP_RELEASE, p->dir, p->gp->digest, token) == -1)
		fatalx("cannot make the release token");
	buf_init(&reasons, 1 << 20);
	reasons_text(&v, &reasons);
	/* Recorded before qmgr hears it: qmgr's release record, which the
	 * message waits for, follows it into the log. */
	audit_verdict(qid, &v, digest, p->gp->digest,
	    (const char *)reasons.data);
	ipc_create(ch, MSG_VERDICT, m->id);
	ipc_add_u32(ch, v.verdict);
	ipc_add_string(ch, (const char *)reasons.data);
	ipc_add_string(ch, v.has_source ? v.source_marking : "");
	ipc_add_string(ch, v.has_destination ? v.destination_marking : "");
	ipc_add_u32(ch, v.precedence < 0 ? 0xff : (uint32_t)v.precedence);
	ipc_add_data(ch, digest, 32);
	ipc_add_data(ch, p->gp->digest, 32);
	ipc_add_data(ch, token, 32);
	{
		int	nr = 0, nd = 0;

		if (v.verdict == GP_REJECT)
			verdict_ndr_codes(p->gp, &v, &nr, &nd);
		ipc_add_u32(ch, (uint32_t)nr);
		ipc_add_u32(ch, (uint32_t)nd);
	}
	if (ipc_close(ch) == -1)
		ipc_fatal(ch);
	buf_free(&reasons);
	verdict_free(&v);
	if (decoded)
		x400_dec_free(&d);
	x400_dec_free(&fd_arena);
	spool_entry_free(&e);
	explicit_bzero(want, sizeof(want));
}

static void
handle(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	if (m->type != MSG_DECIDE)
		fatalx("unexpected frame type %u from qmgr", m->type);
	decide_one(ch, m, arg);
}

int
main(int argc, char *argv[])
{
	struct ipc_chan	 ch;
	struct decider	 p;
	const char	*policy = NULL, *user = NULL, *keyfile = NULL;
	char		 err[1024];
	int		 c;

	role_start("mmguard-policy", "qmgr", &ch);
	memset(&p, 0, sizeof(p));
	while ((c = getopt(argc, argv, "p:d:t:u:")) != -1) {
		switch (c) {
		case 'p':
			policy = optarg;
			break;
		case 'd':
			if (gp_dir_from_name(optarg, &p.dir) == -1)
				fatalx("-d %s: not a direction", optarg);
			break;
		case 't':
			keyfile = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			fatalx("usage: mmguard-policy -p POLICY -d DIRECTION "
			    "-t KEY [-u USER]");
		}
	}
	if (policy == NULL || keyfile == NULL)
		fatalx("-p and -t are required");
	if (mac_key_load(keyfile, p.key, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if ((p.gp = gp_load_file(policy, NULL, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (!p.gp->dirs[p.dir].present)
		fatalx("%s: no %s direction", policy, gp_dir_name(p.dir));
	if ((p.ctx = decide_ctx_new(p.gp, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	/* OpenSSL's one-time set-up (configuration, HMAC) before the
	 * sandbox: afterwards it may open no file. */
	{
		uint8_t	z[MAC_LEN];

		if (mac_compute(p.key, MAC_FACTS, NULL, 0, z) == -1)
			fatalx("HMAC unavailable");
	}
	if (spool_init(err, sizeof(err)) == -1)
		fatalx("%s", err);
	sandbox_enter(&sandbox_verify, &(struct sandbox_args){
	    .user = user, .sock = -1 });
	role_serve(&ch, handle, &p);
}
