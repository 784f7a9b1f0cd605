/*
 * test_decide.c - the decision engine, rule by rule and branch by branch.
 *
 * Messages are composed from SPEC text, encoded and decoded again, so the
 * engine sees the facts the decoder produces.  Verification facts (struct
 * cms_facts) are written by hand: decide() is a pure function of them, and
 * the real verification path is covered by the golden explain cases
 * (tests/policy/cases.py) with a real PKI.  The trust anchor under
 * tests/data/unit/ only lets the policy build a store; nothing is verified
 * against it here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/cms/ess.h"
#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "policy/decide.h"
#include "policy/diff.h"
#include "policy/guardpol.h"
#include "policy/inspect.h"
#include "tests/unit/unit.h"

#define FD_SECRET_GBR	"policy=2.999.4406.1; classification=4; " \
			"enumerated-permissive=2.999.4406.2.2:826"
#define NATO_SECRET_GBR	"policy=1.3.26.1.3.1; classification=4; " \
			"enumerated-permissive=1.3.26.1.4.2:826"

/* The policy file name places the SPIFs: relative to tests/unit/. */
#define POLICY_NAME	"tests/unit/decide-policy.xml"
#define PKI		"tests/data/unit"

static const char policy_head[] =
    "<guardPolicy xmlns=\"urn:mmguard:guard-policy:1\" name=\"unit\" "
    "version=\"1\">\n"
    "<securityPolicy name=\"FREEDONIA\" "
    "spif=\"../../policy/examples/freedonia.xml\"/>\n"
    "<securityPolicy name=\"NATO\" spif=\"../../policy/examples/nato.xml\"/>\n"
    "<retention days=\"30\"/>\n";

static const char policy_main[] =
    "<direction name=\"high-to-low\">\n"
    "<source policy=\"FREEDONIA\"/><destination policy=\"NATO\"/>\n"
    "<signature id=\"sig\" anchors=\"ca.pem\" unsigned=\"refer\"/>\n"
    "<label id=\"lbl\" disagreement=\"quarantine\"/>\n"
    "<clearance id=\"clr\"><classification>SECRET</classification>"
    "<category tagSet=\"Releasable To\" values=\"GBR NLD\"/></clearance>\n"
    "<releaseAuthority id=\"rel\"><signer subject=\"CN=Releaser,C=GB\"/>"
    "<signer keyId=\"AB:CD:EF\"/><signer certPolicy=\"2.999.1.1\"/>"
    "</releaseAuthority>\n"
    "<leakage id=\"dlp\" threshold=\"5\"><phrase weight=\"5\">nightfall"
    "</phrase><phrase weight=\"2\">grid reference</phrase></leakage>\n"
    "<sics id=\"sic\"><deny>Z*</deny><allow>A*</allow></sics>\n"
    "<bodyParts id=\"bp\"><allow>ia5-text</allow><allow>mm-message</allow>"
    "<allowOid>1.2.3.4.5</allowOid></bodyParts>\n"
    "<size id=\"size\" maxBytes=\"4000\" maxRecipients=\"2\"/>\n"
    "<originators id=\"orig\"><deny>*S=Intern*</deny><allow>*C=GB</allow>"
    "</originators>\n"
    "<recipients id=\"rcpt\"><allow>*P=NATO*</allow></recipients>\n"
    "<messageTypes id=\"mt\"><allow>exercise</allow></messageTypes>\n"
    "<precedence id=\"prec\" max=\"flash\"><cap originator=\"*OU1=LOG*\" "
    "max=\"priority\"/></precedence>\n"
    "<disp id=\"disp\"><subtree>O=X</subtree></disp>\n"
    "</direction>\n"
    "<direction name=\"low-to-high\">\n"
    "<source policy=\"NATO\"/><destination policy=\"FREEDONIA\"/>\n"
    "<label id=\"lbl-in\" required=\"false\" disagreement=\"record\" "
    "forward=\"source\"/>\n"
    "<clearance id=\"clr-in\"><classification>SECRET</classification>"
    "<category tagSet=\"Releasable To\" values=\"GBR\"/></clearance>\n"
    "<messageTypes id=\"mt-in\"><allow>none</allow></messageTypes>\n"
    "</direction>\n"
    "</guardPolicy>\n";

static struct guardpol *
load(const char *body, const char *pki, char *err, size_t len)
{
	char		*text;
	size_t		 n = strlen(policy_head) + strlen(body) + 1;
	struct guardpol	*gp;

	text = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	(void)snprintf(text, n, "%s%s", policy_head, body);
	gp = gp_load(POLICY_NAME, text, strlen(text), pki, err, len);
	free(text);
	return gp;
}

static struct guardpol *
main_policy(void)
{
	static struct guardpol	*gp;
	char			 err[1024];

	if (gp == NULL && (gp = load(policy_main, PKI, err, sizeof(err))) ==
	    NULL)
		fprintf(stderr, "policy: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
	return gp;
}

/* --- messages ---------------------------------------------------------- */

struct msgopts {
	const char	*label;		/* P1 label, NULL: none */
	const char	*info_label;	/* heading label */
	const char	*originator;
	const char	*rcpt2;		/* a second recipient */
	const char	*rcpt3;
	const char	*subject;
	const char	*prec;		/* NULL: absent */
	const char	*priority;
	const char	*mtype;
	const char	*sic;
	const char	*body;
	const char	*extra_body;	/* more [body] sections */
	const char	*extra_env;
	const char	*heading;	/* more heading lines */
};

static char *
spec_of(const struct msgopts *o)
{
	struct buf	b;
	char		line[1024];

	buf_init(&b, 1 << 20);
#define ADD(...) do {							\
	(void)snprintf(line, sizeof(line), __VA_ARGS__);		\
	CU_ASSERT_EQUAL_FATAL(buf_add(&b, line, strlen(line)), 0);	\
} while (0)
	ADD("message-id: C=GB; A= ; P=MOD; L=UNIT-1\n");
	ADD("originator: %s\n", o->originator ? o->originator :
	    "S=Berg; OU1=J3; O=FDF; P=MOD; A= ; C=GB");
	ADD("recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE\n");
	if (o->rcpt2)
		ADD("recipient: %s\n", o->rcpt2);
	if (o->rcpt3)
		ADD("recipient: %s\n", o->rcpt3);
	ADD("content-type: p772\n");
	ADD("trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n");
	if (o->priority)
		ADD("priority: %s\n", o->priority);
	if (o->label)
		ADD("security-label: %s\n", o->label);
	if (o->extra_env)
		ADD("%s", o->extra_env);
	ADD("\n[heading]\nthis-ipm: local=UNIT-1\n");
	ADD("subject: %s\n", o->subject ? o->subject : "Unit");
	if (o->prec)
		ADD("primary-precedence: %s\n", o->prec);
	if (o->mtype)
		ADD("message-type: %s; id=U\n", o->mtype);
	if (o->sic)
		ADD("sic: %s\n", o->sic);
	if (o->info_label)
		ADD("information-label: %s\n", o->info_label);
	if (o->heading)
		ADD("%s", o->heading);
	ADD("\n[body ia5-text]\n");
	CU_ASSERT_EQUAL_FATAL(buf_add(&b, o->body ? o->body : "Text.",
	    strlen(o->body ? o->body : "Text.")), 0);
	ADD("\n");
	if (o->extra_body)
		ADD("%s", o->extra_body);
#undef ADD
	CU_ASSERT_EQUAL_FATAL(buf_add_byte(&b, 0), 0);
	return (char *)b.data;
}

/* Compose, encode, decode: d holds the facts afterwards. */
static struct x400_msg *
message(const struct msgopts *o, struct x400_dec *d, struct buf *wire)
{
	struct x400_dec	 s;
	struct x400_msg	*m;
	char		*text, err[512];

	text = spec_of(o);
	buf_init(wire, 1 << 24);
	if (x400_spec_parse(&s, "unit", "tests/data/msg", text, strlen(text),
	    &m, NULL, err, sizeof(err)) == -1)
		fprintf(stderr, "spec: %s\n", err);
	free(text);
	CU_ASSERT_EQUAL_FATAL(x400_encode(m, 0, wire), 0);
	x400_dec_free(&s);
	CU_ASSERT_EQUAL_FATAL(x400_decode(d, BER_MODE_BER, NULL, wire->data,
	    wire->len, &m), 0);
	return m;
}

/* Hand-written verification facts with an ESS label from SPEC syntax. */
struct signed_facts {
	struct cms_facts	f;
	struct cms_signer	s;
	char			*pol[1];
	char			 subject[128], ski[64], certpol[64];
	struct x400_dec		d;
	struct buf		der;
};

static void
facts(struct signed_facts *sf, bool ok, const char *subject,
    const char *ski, const char *certpol, const char *label)
{
	struct x400_label	l;
	struct ber_enc		e;
	char			err[256];

	memset(sf, 0, sizeof(*sf));
	sf->f.ok = ok;
	if (!ok)
		(void)snprintf(sf->f.reason, sizeof(sf->f.reason),
		    "signer 1: certificate revoked");
	sf->s.ok = ok;
	if (subject) {
		(void)snprintf(sf->subject, sizeof(sf->subject), "%s", subject);
		sf->s.subject = sf->subject;
	}
	if (ski) {
		(void)snprintf(sf->ski, sizeof(sf->ski), "%s", ski);
		sf->s.ski = sf->ski;
	}
	if (certpol) {
		(void)snprintf(sf->certpol, sizeof(sf->certpol), "%s", certpol);
		sf->pol[0] = sf->certpol;
		sf->s.policies = sf->pol;
		sf->s.npolicies = 1;
	}
	sf->f.signers = &sf->s;
	sf->f.nsigners = 1;
	buf_init(&sf->der, 1 << 16);
	memset(&sf->d, 0, sizeof(sf->d));
	x400_limits_default(&sf->d.lim);
	ber_ctx_init(&sf->d.c, BER_MODE_DER, NULL, NULL, 0);
	if (label == NULL)
		return;
	CU_ASSERT_EQUAL_FATAL(x400_spec_label(&sf->d, label, &l, err,
	    sizeof(err)), 0);
	ber_enc_init(&e, &sf->der, 0);
	x400_label_enc(&e, BER_UNIV(BER_SET), &l);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
	CU_ASSERT_EQUAL_FATAL(ess_label_dec_bytes(&sf->d, sf->der.data,
	    sf->der.len, &sf->f.label), 0);
}

static void
facts_free(struct signed_facts *sf)
{
	x400_dec_free(&sf->d);
	buf_free(&sf->der);
}

static bool
reason_in(const struct verdict *v, const char *rule, const char *text,
    bool verbose)
{
	size_t	i;

	for (i = 0; i < v->nreasons; i++)
		if (strcmp(v->reasons[i].rule, rule) == 0 &&
		    (text == NULL || strstr(v->reasons[i].text, text) != NULL))
			return true;
	if (!verbose)
		return false;
	/* Say what there was, so a failure reads. */
	for (i = 0; i < v->nreasons; i++)
		fprintf(stderr, "  (wanted %s \"%s\"; have %s: %s)\n", rule,
		    text ? text : "", v->reasons[i].rule, v->reasons[i].text);
	return false;
}

#define has_reason(v, r, t)	reason_in((v), (r), (t), true)
#define lacks_reason(v, r, t)	(!reason_in((v), (r), (t), false))

/* Decide a composed message; returns the verdict in v. */
static void
judge(const struct guardpol *gp, enum gp_dir dir, const struct msgopts *o,
    const struct cms_facts *f, struct verdict *v)
{
	struct x400_dec		 d;
	struct buf		 wire;
	struct decide_in	 in;
	struct decide_ctx	*ctx;
	char			 err[256];

	ctx = decide_ctx_new(gp, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	memset(&in, 0, sizeof(in));
	in.msg = message(o, &d, &wire);
	in.size = wire.len;
	in.cms = f;
	CU_ASSERT_EQUAL(decide(gp, dir, &in, ctx, v), 0);
	x400_dec_free(&d);
	buf_free(&wire);
	decide_ctx_free(ctx);
}

/* The clean message every test starts from: released. */
static const struct msgopts clean = {
	.label = FD_SECRET_GBR, .mtype = "exercise", .sic = "AAA",
	.prec = "immediate",
};

static void
judge_signed(const struct msgopts *o, const char *esslabel,
    struct verdict *v)
{
	struct signed_facts	sf;

	facts(&sf, true, "CN=Releaser,C=GB", NULL, NULL, esslabel);
	judge(main_policy(), GP_HIGH_TO_LOW, o, &sf.f, v);
	facts_free(&sf);
}

/* --- tests ------------------------------------------------------------- */

static void
test_release(void)
{
	struct verdict	v;

	judge_signed(&clean, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	CU_ASSERT_EQUAL(v.nreasons, 0);
	CU_ASSERT_STRING_EQUAL(v.source_marking, "FREEDONIA SECRET REL TO GBR");
	CU_ASSERT_STRING_EQUAL(v.destination_marking,
	    "NATO SECRET REL TO GBR");
	CU_ASSERT_STRING_EQUAL(v.signer, "CN=Releaser,C=GB");
	CU_ASSERT_EQUAL(v.precedence, 3);
	verdict_free(&v);
}

static void
test_signature(void)
{
	struct signed_facts	sf;
	struct verdict		v;
	struct guardpol		*gp;
	char			err[512];

	/* Unsigned: this policy refers it. */
	judge(main_policy(), GP_HIGH_TO_LOW, &clean, NULL, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_REFER);
	CU_ASSERT(has_reason(&v, "sig", "not signed"));
	CU_ASSERT(has_reason(&v, "rel", "no verified signature"));
	verdict_free(&v);
	/* A signature that fails. */
	facts(&sf, false, "CN=Releaser,C=GB", NULL, NULL, NULL);
	judge(main_policy(), GP_HIGH_TO_LOW, &clean, &sf.f, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
	CU_ASSERT(has_reason(&v, "sig", "revoked"));
	CU_ASSERT_STRING_EQUAL(v.signer, "CN=Releaser,C=GB (not verified)");
	verdict_free(&v);
	facts_free(&sf);
	/* Verification facts are the verifier's: a policy loaded without
	 * a PKI directory (the policy role's) decides on them alone. */
	gp = load(policy_main, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
	facts(&sf, true, "CN=Releaser,C=GB", NULL, NULL, FD_SECRET_GBR);
	judge(gp, GP_HIGH_TO_LOW, &clean, &sf.f, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	facts_free(&sf);
	gp_free(gp);
	/* Not required: an unsigned message is not refused for it. */
	gp = load("<direction name=\"high-to-low\"><source policy=\"FREEDONIA\""
	    "/><destination policy=\"NATO\"/><signature id=\"s\" "
	    "required=\"false\" anchors=\"ca.pem\"/></direction>"
	    "</guardPolicy>", PKI, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
	judge(gp, GP_HIGH_TO_LOW, &clean, NULL, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	gp_free(gp);
}

static void
test_release_authority(void)
{
	struct signed_facts	sf;
	struct verdict		v;
	struct {
		const char	*subject, *ski, *pol;
		enum gp_verdict	 want;
	} t[] = {
		{ "CN=Releaser,C=GB", NULL, NULL, GP_RELEASE },
		{ "CN=Other,C=GB", "abcdef", NULL, GP_RELEASE },
		{ "CN=Other,C=GB", "ABCDEF", NULL, GP_RELEASE },
		{ "CN=Other,C=GB", NULL, "2.999.1.1", GP_RELEASE },
		{ "CN=Other,C=GB", "abcd00", "2.999.1.2", GP_REFER },
		{ NULL, NULL, NULL, GP_REFER },
	};
	size_t			i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		facts(&sf, true, t[i].subject, t[i].ski, t[i].pol,
		    FD_SECRET_GBR);
		judge(main_policy(), GP_HIGH_TO_LOW, &clean, &sf.f, &v);
		CU_ASSERT_EQUAL(v.verdict, t[i].want);
		if (t[i].want == GP_REFER)
			CU_ASSERT(has_reason(&v, "rel",
			    "not signed by a release authority"));
		verdict_free(&v);
		facts_free(&sf);
	}
}

static void
test_labels(void)
{
	struct msgopts	o = clean;
	struct verdict	v;

	/* Only the P1 label, no ESS label: judged on the P1 label. */
	judge_signed(&o, NULL, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	/* ESS and P1 disagree: quarantine; the signed label is judged. */
	judge_signed(&o, "policy=2.999.4406.1; classification=3; "
	    "enumerated-permissive=2.999.4406.2.2:826", &v);
	CU_ASSERT_EQUAL(v.verdict, GP_QUARANTINE);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	CU_ASSERT_STRING_EQUAL(v.destination_marking,
	    "NATO CONFIDENTIAL REL TO GBR");
	verdict_free(&v);
	/* Privacy marks count: P1 with a mark, ESS without. */
	o.label = FD_SECRET_GBR "; privacy-mark=EYES ONLY";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	o.label = FD_SECRET_GBR "; privacy-mark=EYES ONLY";
	judge_signed(&o, FD_SECRET_GBR "; privacy-mark=OTHER", &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	/* Same class, different categories. */
	o.label = "policy=2.999.4406.1; classification=4; "
	    "enumerated-permissive=2.999.4406.2.2:528";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	o.label = "policy=2.999.4406.1; classification=4; "
	    "enumerated-permissive=2.999.4406.2.2:528,826";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	o.label = "policy=2.999.4406.1; classification=4; "
	    "restrictive=2.999.4406.2.1:1";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	o.label = "policy=1.3.26.1.3.1; classification=4";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "lbl", "disagree"));
	verdict_free(&v);
	o.label = FD_SECRET_GBR;
	/* Heading label only. */
	o.label = NULL;
	o.info_label = FD_SECRET_GBR;
	judge_signed(&o, NULL, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	/* Heading label that differs from P1 (same class, privacy mark). */
	o.label = FD_SECRET_GBR;
	o.info_label = FD_SECRET_GBR "; privacy-mark=X";
	judge_signed(&o, NULL, &v);
	CU_ASSERT(has_reason(&v, "lbl", "P772 information-labels"));
	verdict_free(&v);
	/* No label at all. */
	o.label = NULL;
	o.info_label = NULL;
	judge_signed(&o, NULL, &v);
	CU_ASSERT(has_reason(&v, "lbl", "no security label"));
	CU_ASSERT(has_reason(&v, "clr", "no label in policy NATO"));
	CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
	verdict_free(&v);
	/* A NATO label stays as it is. */
	judge_signed(&o, NATO_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	CU_ASSERT_STRING_EQUAL(v.destination_marking, "NATO SECRET REL TO GBR");
	verdict_free(&v);
	/* Unknown policy, invalid label, unmappable label. */
	judge_signed(&o, "policy=2.999.5; classification=1", &v);
	CU_ASSERT(has_reason(&v, "lbl", "neither the source"));
	verdict_free(&v);
	judge_signed(&o, "policy=2.999.4406.1; classification=77", &v);
	CU_ASSERT(has_reason(&v, "lbl", "not a valid FREEDONIA label"));
	verdict_free(&v);
	judge_signed(&o, "policy=2.999.4406.1; classification=5", &v);
	CU_ASSERT(has_reason(&v, "lbl", "cannot map"));
	verdict_free(&v);
	/* A category syntax the guard does not know. */
	judge_signed(&o, "policy=2.999.4406.1; classification=4; "
	    "category=1.2.3.4:0500", &v);
	CU_ASSERT(has_reason(&v, "lbl", "the signed ESS label"));
	verdict_free(&v);
	/* Above the clearance. */
	judge_signed(&o, "policy=1.3.26.1.3.1; classification=5", &v);
	CU_ASSERT(has_reason(&v, "clr", "exceeds the boundary clearance"));
	verdict_free(&v);
}

static void
test_labels_inward(void)
{
	struct msgopts	o = clean;
	struct verdict	v;
	struct signed_facts sf;

	o.mtype = NULL;
	o.label = NATO_SECRET_GBR;
	facts(&sf, true, "CN=NATO,C=BE", NULL, NULL,
	    "policy=1.3.26.1.3.1; classification=3");
	judge(main_policy(), GP_LOW_TO_HIGH, &o, &sf.f, &v);
	/* Disagreement recorded only; CONFIDENTIAL has no inward mapping. */
	CU_ASSERT(lacks_reason(&v, "lbl-in", "disagree"));
	CU_ASSERT(has_reason(&v, "lbl-in", "cannot map"));
	verdict_free(&v);
	facts_free(&sf);
	/* No label, not required: only the clearance has nothing to judge. */
	o.label = NULL;
	judge(main_policy(), GP_LOW_TO_HIGH, &o, NULL, &v);
	CU_ASSERT(lacks_reason(&v, "lbl-in", NULL));
	CU_ASSERT(has_reason(&v, "clr-in", "no label"));
	verdict_free(&v);
	/* Released inward, and the source label is the one forwarded. */
	o.label = NATO_SECRET_GBR;
	judge(main_policy(), GP_LOW_TO_HIGH, &o, NULL, &v);
	CU_ASSERT(lacks_reason(&v, "x", NULL) && v.nreasons == 0);
	if (v.nreasons > 0)
		fprintf(stderr, "inward: %s: %s\n", v.reasons[0].rule,
		    v.reasons[0].text);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	CU_ASSERT(v.forward_source);
	CU_ASSERT_STRING_EQUAL(v.destination_marking,
	    "FREEDONIA SECRET REL TO GBR");
	verdict_free(&v);
	/* A message type where only "none" is allowed. */
	o.mtype = "drill";
	judge(main_policy(), GP_LOW_TO_HIGH, &o, NULL, &v);
	CU_ASSERT(has_reason(&v, "mt-in", "drill"));
	verdict_free(&v);
}

static void
test_leakage(void)
{
	struct msgopts	o = clean;
	struct verdict	v;

	o.body = "grid reference grid reference";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	CU_ASSERT_EQUAL(v.nhits, 2);
	CU_ASSERT_EQUAL(v.score, 4);
	verdict_free(&v);
	o.body = "Nightfall";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_QUARANTINE);
	CU_ASSERT(has_reason(&v, "dlp", "score 5"));
	CU_ASSERT_STRING_EQUAL(v.hits[0].where, "body part 1");
	CU_ASSERT_STRING_EQUAL(v.hits[0].phrase, "nightfall");
	verdict_free(&v);
	/* Handling and message instructions are scanned. */
	o.body = "Text.";
	o.heading = "handling-instruction: NIGHTFALL\n"
	    "message-instruction: grid reference\n";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.nhits, 2);
	CU_ASSERT_STRING_EQUAL(v.hits[0].where, "handling instruction 1");
	CU_ASSERT_STRING_EQUAL(v.hits[1].where, "message instruction 1");
	CU_ASSERT_EQUAL(v.verdict, GP_QUARANTINE);
	verdict_free(&v);
	o.heading = NULL;
	/* Forwarded message text is scanned too. */
	o.body = "See below.";
	o.extra_body = "[body mm-message file=inner.spec]\n";
	judge_signed(&o, FD_SECRET_GBR, &v);
	if (v.nreasons > 0)
		fprintf(stderr, "forwarded: %s: %s\n", v.reasons[0].rule,
		    v.reasons[0].text);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	o.extra_body = NULL;
	/* A context made without the policy: the scan fails closed. */
	{
		struct x400_dec		 d;
		struct buf		 wire;
		struct decide_in	 in;
		struct decide_ctx	*ctx = decide_ctx_new(NULL, NULL, 0);

		memset(&in, 0, sizeof(in));
		o.body = "nothing to see";
		in.msg = message(&o, &d, &wire);
		in.size = wire.len;
		CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx,
		    &v), 0);
		CU_ASSERT(has_reason(&v, "dlp", "leakage scan impossible"));
		CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
		verdict_free(&v);
		x400_dec_free(&d);
		buf_free(&wire);
		decide_ctx_free(ctx);
	}
	/* More hits than the verdict keeps: counted, not lost. */
	{
		static char	 big[8192];
		size_t		 i, n = 0;

		for (i = 0; i < 40; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n,
			    "nightfall ");
		o.body = big;
		judge_signed(&o, FD_SECRET_GBR, &v);
		CU_ASSERT_EQUAL(v.nhits, DECIDE_MAX_HITS);
		CU_ASSERT_EQUAL(v.total_hits, 40);
		CU_ASSERT_EQUAL(v.score, 200);
		verdict_free(&v);
	}
}

static void
test_content_rules(void)
{
	struct msgopts	o;
	struct verdict	v;
	const struct {
		const char	*field, *value, *rule, *text;
	} t[] = {
		{ "sic", "ZZ9", "sic", "ZZ9" },
		{ "sic", "QQQ", "sic", "QQQ" },
		{ "originator", "S=Intern; O=FDF; P=MOD; A= ; C=GB", "orig",
		    "Intern" },
		{ "originator", "S=X; O=DOD; P=US; A= ; C=US", "orig", "C=US" },
		{ "rcpt2", "S=Press; O=NEWS; P=MEDIA; A= ; C=US", "rcpt",
		    "Press" },
		{ "mtype", "drill", "mt", "drill" },
		{ "mtype", NULL, "mt", "no message type" },
		{ "prec", "override", "prec", "above flash" },
		{ "originator", "S=Q; OU1=LOG; O=FDF; P=MOD; A= ; C=GB", "prec",
		    "cap for this originator" },
		{ "extra_body", "[body g3-facsimile]\n30 07 03 02 00 ff 03 01 "
		    "00\n", "bp", "g3-facsimile" },
		{ "extra_body", "[body unknown oid=1.2.3.4.6]\n05 00\n", "bp",
		    "1.2.3.4.6" },
		{ "extra_body", "[body mm-message file=bodyparts.spec]\n", "bp",
		    "teletex" },
		{ "prec", "17", "prec", "not one the guard accepts" },
	};
	size_t		i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		o = clean;
		if (strcmp(t[i].field, "sic") == 0)
			o.sic = t[i].value;
		else if (strcmp(t[i].field, "originator") == 0)
			o.originator = t[i].value;
		else if (strcmp(t[i].field, "rcpt2") == 0)
			o.rcpt2 = t[i].value;
		else if (strcmp(t[i].field, "mtype") == 0)
			o.mtype = t[i].value;
		else if (strcmp(t[i].field, "prec") == 0)
			o.prec = t[i].value;
		else
			o.extra_body = t[i].value;
		judge_signed(&o, FD_SECRET_GBR, &v);
		CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
		if (!has_reason(&v, t[i].rule, t[i].text))
			fprintf(stderr, "case %zu: no %s reason with \"%s\" "
			    "(first: %s)\n", i, t[i].rule, t[i].text,
			    v.nreasons ? v.reasons[0].text : "none");
		CU_ASSERT(has_reason(&v, t[i].rule, t[i].text));
		verdict_free(&v);
	}
	/* An allowed extended body part type. */
	o = clean;
	o.extra_body = "[body unknown oid=1.2.3.4.5]\n05 00\n";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.verdict, GP_RELEASE);
	verdict_free(&v);
	/* Size: recipients and bytes. */
	o = clean;
	o.rcpt2 = "S=Ops2; O=SHAPE; P=NATO; A= ; C=BE";
	o.rcpt3 = "S=Ops3; O=SHAPE; P=NATO; A= ; C=BE";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT(has_reason(&v, "size", "3 recipients"));
	verdict_free(&v);
	{
		char	*big = malloc(6000);
		size_t	 k;

		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		for (k = 0; k < 5999; k++)
			big[k] = k % 64 == 63 ? '\n' : 'a';
		big[5999] = '\0';
		o = clean;
		o.body = big;
		judge_signed(&o, FD_SECRET_GBR, &v);
		CU_ASSERT(has_reason(&v, "size", "more than 4000"));
		verdict_free(&v);
		free(big);
	}
	/* P1 priority stands in for an absent precedence. */
	o = clean;
	o.prec = NULL;
	o.priority = "urgent";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.precedence, 2);
	verdict_free(&v);
	o.priority = "non-urgent";
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.precedence, 0);
	verdict_free(&v);
	o.priority = NULL;
	judge_signed(&o, FD_SECRET_GBR, &v);
	CU_ASSERT_EQUAL(v.precedence, 1);
	verdict_free(&v);
}

static void
test_builtin(void)
{
	struct decide_in	 in;
	struct decide_ctx	*ctx = decide_ctx_new(main_policy(), NULL, 0);
	struct verdict		 v;
	struct msgopts		 o = clean;
	struct x400_dec		 d;
	struct buf		 wire;
	struct x400_msg		*m;
	static const uint8_t	 junk[] = { 0x30, 0x03, 0x02, 0x01 };

	memset(&in, 0, sizeof(in));
	in.decode_error = "offset 1: truncated";
	CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx, &v),
	    0);
	CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
	CU_ASSERT(has_reason(&v, "guard.decode", "offset 1"));
	CU_ASSERT_EQUAL(v.nreasons, 1);
	verdict_free(&v);
	in.decode_error = NULL;
	CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx, &v),
	    0);
	CU_ASSERT(has_reason(&v, "guard.decode", "no reason given"));
	verdict_free(&v);
	/* Through inspect_message: undecodable bytes. */
	CU_ASSERT_EQUAL(inspect_message(main_policy(), GP_HIGH_TO_LOW, junk,
	    sizeof(junk), ctx, &v), 0);
	CU_ASSERT(has_reason(&v, "guard.decode", NULL));
	verdict_free(&v);
	/* Unknown critical extension. */
	o.extra_env = "extension: type=1.2.826.0.1.999.1; critical=transfer; "
	    "value=02 01 07\n";
	m = message(&o, &d, &wire);
	in.msg = m;
	in.size = wire.len;
	CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx, &v),
	    0);
	CU_ASSERT(has_reason(&v, "guard.critical-extension", "1 extension"));
	verdict_free(&v);
	/* Other APDUs and contents, through their wire form. */
	m->apdu = X400_APDU_PROBE;
	CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx, &v),
	    0);
	CU_ASSERT(has_reason(&v, "guard.apdu", "probe"));
	verdict_free(&v);
	m->apdu = X400_APDU_MESSAGE;
	m->unknown_critical = 2;
	m->body = NULL;
	CU_ASSERT_EQUAL(decide(main_policy(), GP_HIGH_TO_LOW, &in, ctx, &v),
	    0);
	CU_ASSERT(has_reason(&v, "guard.critical-extension", "2 extensions"));
	CU_ASSERT(has_reason(&v, "guard.content", "not one the guard"));
	verdict_free(&v);
	x400_dec_free(&d);
	buf_free(&wire);
	/* A direction the policy lacks. */
	{
		struct guardpol	*gp;
		char		 err[512];

		gp = load("<direction name=\"low-to-high\"><source policy="
		    "\"NATO\"/><destination policy=\"FREEDONIA\"/></direction>"
		    "</guardPolicy>", NULL, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
		CU_ASSERT_EQUAL(decide(gp, GP_HIGH_TO_LOW, &in, ctx, &v), -1);
		CU_ASSERT(has_reason(&v, "guard.direction", "high-to-low"));
		verdict_free(&v);
		CU_ASSERT_EQUAL(decide(gp, (enum gp_dir)7, &in, ctx, &v), -1);
		verdict_free(&v);
		gp_free(gp);
	}
	decide_ctx_free(ctx);
}

static void
test_reasons_overflow(void)
{
#define OVERFLOW_BODY \
	    "<direction name=\"high-to-low\"><source policy=\"FREEDONIA\"/>" \
	    "<destination policy=\"NATO\"/>%s</direction></guardPolicy>"
	static const char body[] = OVERFLOW_BODY;
	char		 rules[16384], *text, err[512];
	size_t		 i, n = 0;
	struct guardpol	*gp;
	struct verdict	 v;
	struct msgopts	 o = clean;

	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(rules + n, sizeof(rules) - n,
		    "<sics id=\"s%zu\"><deny>*</deny></sics>", i);
	text = malloc(strlen(body) + n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	(void)snprintf(text, strlen(body) + n + 1, OVERFLOW_BODY, rules);
	gp = load(text, NULL, err, sizeof(err));
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gp);
	judge(gp, GP_HIGH_TO_LOW, &o, NULL, &v);
	CU_ASSERT_EQUAL(v.nreasons, DECIDE_MAX_REASONS);
	CU_ASSERT_EQUAL(v.total_reasons, 40);
	CU_ASSERT_EQUAL(v.verdict, GP_REJECT);
	verdict_free(&v);
	gp_free(gp);
}

static void
test_json(void)
{
	struct verdict	v;
	struct buf	b;
	struct msgopts	o = clean;

	o.body = "nightfall";
	judge_signed(&o, FD_SECRET_GBR, &v);
	buf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL_FATAL(verdict_json(&v, &b), 0);
	CU_ASSERT_EQUAL_FATAL(buf_add_byte(&b, 0), 0);
	CU_ASSERT(strstr((char *)b.data, "\"verdict\":\"quarantine\"") !=
	    NULL);
	CU_ASSERT(strstr((char *)b.data, "\"destination\":\"NATO SECRET REL "
	    "TO GBR\"") != NULL);
	CU_ASSERT(strstr((char *)b.data, "\"phrase\":\"nightfall\"") != NULL);
	buf_free(&b);
	verdict_free(&v);
	/* Nothing known: nulls, not absent keys. */
	judge(main_policy(), GP_LOW_TO_HIGH, &clean, NULL, &v);
	v.has_source = v.has_destination = false;
	v.precedence = -1;
	v.total_reasons = v.nreasons + 2;
	v.total_hits = 3;
	buf_init(&b, 1 << 20);
	CU_ASSERT_EQUAL_FATAL(verdict_json(&v, &b), 0);
	CU_ASSERT_EQUAL_FATAL(buf_add_byte(&b, 0), 0);
	CU_ASSERT(strstr((char *)b.data, "\"signer\":null") != NULL);
	CU_ASSERT(strstr((char *)b.data, "\"source\":null") != NULL);
	CU_ASSERT(strstr((char *)b.data, "\"reasons_not_shown\":2") != NULL);
	CU_ASSERT(strstr((char *)b.data, "\"hits_not_shown\":3") != NULL);
	buf_free(&b);
	verdict_free(&v);
}

static void
test_compile_errors(void)
{
	static const struct {
		const char	*body, *want;
	} t[] = {
		{ "<direction name=\"high-to-low\"><source policy=\"X\"/>"
		    "<destination policy=\"NATO\"/></direction></guardPolicy>",
		    "policy \"X\": no such securityPolicy" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><size id=\"a\"/>"
		    "</direction></guardPolicy>", "neither maxBytes" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><leakage id=\"a\">"
		    "<phrase>x\xff</phrase></leakage></direction>"
		    "</guardPolicy>", "not proper UTF-8" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><releaseAuthority "
		    "id=\"a\"><signer subject=\"CN=A\" certPolicy=\"1.2\"/>"
		    "</releaseAuthority></direction></guardPolicy>",
		    "exactly one of subject" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><signature id=\"a\" "
		    "anchors=\"a.pem b.pem\"/></direction></guardPolicy>",
		    "one anchors file" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><disp id=\"a\">"
		    "<maxClassification>HUGE</maxClassification></disp>"
		    "</direction></guardPolicy>", "\"HUGE\": no such" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><clearance id=\"a\">"
		    "<classification>SECRET</classification><category tagSet="
		    "\"Nope\" values=\"A\"/></clearance></direction>"
		    "</guardPolicy>", "no such tag set" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "</direction></guardPolicy>", "Missing child" },
		{ "", "guardPolicy" },
		{ "<direction name=\"high-to-low\"><source policy=\"NATO\"/>"
		    "<destination policy=\"FREEDONIA\"/><signature id=\"a\" "
		    "anchors=\"missing.pem\"/></direction></guardPolicy>",
		    "missing.pem" },
	};
	char		 err[1024];
	size_t		 i;
	struct guardpol	*gp;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		gp = load(t[i].body, PKI, err, sizeof(err));
		CU_ASSERT_PTR_NULL(gp);
		gp_free(gp);
		if (strstr(err, t[i].want) == NULL)
			fprintf(stderr, "compile case %zu: %s\n", i, err);
		CU_ASSERT(strstr(err, t[i].want) != NULL);
		CU_ASSERT(strncmp(err, POLICY_NAME ":", strlen(POLICY_NAME) +
		    1) == 0);
	}
	/* Not well-formed, and too large. */
	gp = gp_load("x.xml", "<a", 2, NULL, err, sizeof(err));
	CU_ASSERT_PTR_NULL(gp);
	CU_ASSERT(strncmp(err, "x.xml:", 6) == 0);
	gp = gp_load("x.xml", "", (size_t)GP_MAX_SIZE + 1, NULL, err,
	    sizeof(err));
	CU_ASSERT_PTR_NULL(gp);
	CU_ASSERT(strstr(err, "larger than") != NULL);
	CU_ASSERT(gp_sniff("<guardPolicy xmlns=\"" GP_NS "\">",
	    strlen("<guardPolicy xmlns=\"" GP_NS "\">")));
	CU_ASSERT(!gp_sniff("<SPIF/>", 7));
}

static void
test_describe_and_diff(void)
{
	struct guardpol	*a = main_policy(), *b;
	char		 err[1024], line[4096], *p = NULL;
	size_t		 i, n, len = 0;
	FILE		*f;

	for (i = 0; i < a->dirs[0].nrules; i++)
		CU_ASSERT_EQUAL(gp_rule_describe(a, &a->dirs[0].rules[i], line,
		    sizeof(line)), 0);
	CU_ASSERT_EQUAL(gp_rule_describe(a, &a->dirs[0].rules[0], line, 8),
	    -1);
	b = load(policy_main, PKI, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	f = open_memstream(&p, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = gp_diff(f, a, b);
	fclose(f);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_EQUAL(len, 0);
	free(p);
	gp_free(b);
	CU_ASSERT_STRING_EQUAL(gp_verdict_name((enum gp_verdict)9),
	    "invalid");
	CU_ASSERT_STRING_EQUAL(gp_kind_name((enum gp_kind)99), "invalid");
	CU_ASSERT_STRING_EQUAL(gp_precedence_name(9), "invalid");
	CU_ASSERT_STRING_EQUAL(gp_dir_name((enum gp_dir)5), "invalid");
}

static const struct unit_test tests[] = {
	{ "a clean message is released", test_release },
	{ "signatures", test_signature },
	{ "release authority by subject, key id, policy", test_release_authority },
	{ "labels: choice, agreement, mapping, clearance", test_labels },
	{ "labels inward, recorded disagreement", test_labels_inward },
	{ "leakage: score, threshold, hits kept", test_leakage },
	{ "content rules", test_content_rules },
	{ "the guard's own checks", test_builtin },
	{ "more reasons than kept", test_reasons_overflow },
	{ "verdict JSON", test_json },
	{ "policy compile errors", test_compile_errors },
	{ "describe and diff", test_describe_and_diff },
	{ NULL, NULL }
};
UNIT_SUITE(decide, "decide", tests);
