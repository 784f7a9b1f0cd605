/*
 * test_ndr.c - non-delivery reports: a subject composed from a SPEC,
 * encoded and decoded as the guard would see it, gives a report that the
 * guard's own decoder reads back in DER mode with every field in place;
 * what X.411 or the caller's parameters forbid is refused with its reason.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/x400/ndr.h"
#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/file.h"
#include "tests/unit/unit.h"

/* 2026-11-29T09:00:00Z and 08:59:30Z; the subject's trace is 08:46:00Z. */
#define T_REPORT	INT64_C(1795942800)
#define T_ARRIVAL	INT64_C(1795942770)
#define T_TRACE1	INT64_C(1795941960)

static const char labelled_spec[] =
    "message-id: C=GB; A= ; P=MOD; L=GB-MOD-0042\n"
    "originator: G=John; S=Smith; OU1=J3; O=PJHQ; P=MOD; A= ; C=GB; "
    "DN=CN=John Smith,O=PJHQ,C=GB\n"
    "recipient: G=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL; "
    "indicators=responsibility,originating-MTA-non-delivery-report,"
    "originator-report\n"
    "recipient: S=Ops; CN=Operations; O=SHAPE; P=NATO; A= ; C=BE; "
    "number=5\n"
    "content-type: p772\n"
    "content-id: OPS-0042\n"
    "indicators: alternate-recipient-allowed,content-return-request\n"
    "original-eits: ia5-text\n"
    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z; action=relayed\n"
    "trace: C=GB; A= ; P=MODHIGH; arrival=20261129084700Z\n"
    "security-label: policy=1.3.26.1.3.1; classification=4; "
    "privacy-mark=NATO SECRET; category=2.16.840.1.101.2.1.8.3.1:"
    "30 11 06 05 2b 1a 01 04 02 31 08 02 02 02 10 02 02 03 3a\n"
    "content-correlator: CORR-42\n"
    "return-address: S=Registry; O=PJHQ; P=MOD; A= ; C=GB\n"
    "\n[heading]\nthis-ipm: local=0042\nsubject: Exercise\n"
    "[body ia5-text]\nTraffic.\n";

/* Only what X.411 requires: no label, EITs, content id or correlator. */
static const char bare_spec[] =
    "message-id: C=NL; A= ; L=NL-7\n"
    "originator: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
    "recipient: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
    "content-type: ipm88\n"
    "trace: C=NL; A= ; arrival=20261129084600Z\n"
    "\n[heading]\nthis-ipm: local=7\n[body ia5-text]\nHi.\n";

static const char dl_spec[] =
    "message-id: C=GB; A= ; P=MOD; L=GB-DL-1\n"
    "originator: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
    "recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
    "return-address: S=Registry; O=PJHQ; P=MOD; A= ; C=GB\n"
    "dl-expansion: S=AllStaff; O=PJHQ; P=MOD; A= ; C=GB; "
    "time=20261129084400Z\n"
    "dl-expansion: S=AllOps; O=PJHQ; P=MOD; A= ; C=GB; "
    "time=20261129084500Z\n"
    "\n[heading]\nthis-ipm: local=1\n";

static const char unowned_spec[] =
    "message-id: C=GB; A= ; P=MOD; L=GB-SPLIT-1\n"
    "originator: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
    "recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL; "
    "indicators=originating-MTA-non-delivery-report\n"
    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
    "\n[heading]\nthis-ipm: local=1\n";

/* A subject as the guard holds it: composed, encoded, decoded (BER). */
struct subject {
	struct x400_dec	 spec, dec;
	struct x400_msg	*m;
	struct buf	 der;
};

static int
subject_make(const char *text, unsigned variant, struct subject *s)
{
	struct x400_msg	*composed;
	char		 err[512];
	int		 rc;

	buf_init(&s->der, 1 << 24);
	rc = x400_spec_parse(&s->spec, "test", ".", text, strlen(text),
	    &composed, NULL, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "spec: %s\n", err);
	else if ((rc = x400_encode(composed, variant, &s->der)) == 0 &&
	    (rc = x400_decode(&s->dec, BER_MODE_BER, NULL, s->der.data,
	    s->der.len, &s->m)) == -1)
		fprintf(stderr, "decode: %s\n", x400_strerror(&s->dec));
	return rc;
}

/* A subject from one of the example SPECs (tests run from the top). */
static int
subject_file(const char *path, struct subject *s)
{
	char	*text;
	size_t	 len;
	int	 rc;

	if ((text = file_read(path, 1 << 20, &len)) == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	rc = subject_make(text, 0, s);
	free(text);
	return rc;
}

static void
subject_free(struct subject *s)
{
	x400_dec_free(&s->dec);
	x400_dec_free(&s->spec);
	buf_free(&s->der);
}

static void
params(struct x400_ndr_params *p)
{
	x400_ndr_params_init(p);
	p->mta = "guard1.mod.gb";
	p->domain.country = "GB";
	p->domain.admd = " ";
	p->domain.prmd = "MODHIGH";
	p->time = T_REPORT;
	p->arrival = T_ARRIVAL;
	p->reason = X400_NDR_REASON_UNABLE_TO_TRANSFER;
	p->diagnostic = X400_NDR_DIAG_SECURITY_POLICY_VIOLATION;
	p->text = "rule \"rel-3\": label NATO SECRET\nnot releasable_to NLD";
}

/* Build, then decode the report in DER mode into *r (d to be freed). */
static int
ndr_decoded(const struct x400_msg *subj, const struct x400_ndr_params *p,
    struct buf *out, struct x400_dec *d, struct x400_msg **r)
{
	char	err[512];

	buf_init(out, 1 << 24);
	if (x400_ndr_build(subj, p, out, err, sizeof(err)) == -1) {
		fprintf(stderr, "ndr: %s\n", err);
		return -1;
	}
	if (x400_decode(d, BER_MODE_DER, NULL, out->data, out->len,
	    r) == -1) {
		fprintf(stderr, "ndr decode: %s\n", x400_strerror(d));
		return -1;
	}
	return 0;
}

static bool
contains(const uint8_t *p, size_t n, const char *s)
{
	size_t	k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return true;
	return false;
}

static const struct x400_ext *
ext_of(const struct x400_ext *x, unsigned n, int64_t number)
{
	unsigned	i;

	for (i = 0; i < n; i++)
		if (x[i].standard && x[i].number == number)
			return &x[i];
	return NULL;
}

static void
test_policy_rejection(void)
{
	struct subject		 s;
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*r;
	struct x400_report	*rep;
	const struct x400_envelope *env;
	const struct x400_ext	*x;
	struct buf		 out;

	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, 0, &s), 0);
	env = &s.m->env;
	params(&p);
	p.return_content = true;
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	rep = &r->report;
	CU_ASSERT_EQUAL(r->apdu, X400_APDU_REPORT);
	/* A new identifier in the guard's domain. */
	CU_ASSERT_STRING_EQUAL(rep->id.gdi.country, "GB");
	CU_ASSERT_STRING_EQUAL(rep->id.gdi.admd, " ");
	CU_ASSERT_STRING_EQUAL(rep->id.gdi.prmd, "MODHIGH");
	CU_ASSERT_EQUAL(strlen(rep->id.local), 32);
	CU_ASSERT_EQUAL(strncmp(rep->id.local, "N20261129090000-", 16), 0);
	/* To the originator (not the postal return address). */
	CU_ASSERT_STRING_EQUAL(rep->destination.text, env->originator.text);
	CU_ASSERT_STRING_EQUAL(rep->destination.dn, "CN=John Smith,O=PJHQ,C=GB");
	CU_ASSERT_STRING_EQUAL(rep->subject.text,
	    "[C=GB;A= ;P=MOD;L=GB-MOD-0042]");
	/* The report's trace: the guard's domain, relayed, now. */
	CU_ASSERT_EQUAL_FATAL(rep->ntrace, 1);
	CU_ASSERT_STRING_EQUAL(rep->trace[0].domain.prmd, "MODHIGH");
	CU_ASSERT_EQUAL(rep->trace[0].arrival.epoch, T_REPORT);
	CU_ASSERT_EQUAL(rep->trace[0].routing_action, 0);
	/* The subject's trace, as it came. */
	CU_ASSERT_EQUAL_FATAL(rep->nsubject_trace, 2);
	CU_ASSERT_EQUAL(rep->subject_trace[0].arrival.epoch, T_TRACE1);
	CU_ASSERT_STRING_EQUAL(rep->subject_trace[1].domain.prmd, "MODHIGH");
	CU_ASSERT_TRUE(rep->original_eits.present);
	CU_ASSERT_EQUAL(rep->original_eits.builtin.bits, 1u << 2);
	CU_ASSERT_STRING_EQUAL(rep->content_oid, X400_OID_P772);
	CU_ASSERT_STRING_EQUAL(rep->content_id, "OPS-0042");
	/* The label, byte for byte (the subject was DER). */
	CU_ASSERT_TRUE_FATAL(rep->label.present);
	CU_ASSERT_STRING_EQUAL(rep->label.policy, "1.3.26.1.3.1");
	CU_ASSERT_EQUAL(rep->label.classification, 4);
	CU_ASSERT_STRING_EQUAL(rep->label.privacy_mark.utf8, "NATO SECRET");
	CU_ASSERT_EQUAL(rep->label.ncats, 1);
	CU_ASSERT_EQUAL_FATAL(rep->label.rawlen, env->label.rawlen);
	CU_ASSERT(memcmp(rep->label.raw, env->label.raw,
	    env->label.rawlen) == 0);
	/* The guard names itself: internal trace and reporting MTA. */
	CU_ASSERT_PTR_NOT_NULL(x = ext_of(rep->ext, rep->next,
	    X400_EXT_INTERNAL_TRACE_INFORMATION));
	CU_ASSERT(x != NULL && contains(x->value, x->valuelen,
	    "guard1.mod.gb"));
	CU_ASSERT_PTR_NOT_NULL(x = ext_of(rep->ext, rep->next, 39));
	CU_ASSERT(x != NULL && contains(x->value, x->valuelen,
	    "guard1.mod.gb"));
	/* content-correlator, returned content. */
	CU_ASSERT_PTR_NOT_NULL_FATAL(x = ext_of(rep->content_ext,
	    rep->ncontent_ext, X400_EXT_CONTENT_CORRELATOR));
	CU_ASSERT(x->valuelen == 9 && memcmp(x->value, "\x16\x07" "CORR-42",
	    9) == 0);
	CU_ASSERT_EQUAL_FATAL(rep->returned_len, s.m->content_len);
	CU_ASSERT(memcmp(rep->returned, s.m->content, s.m->content_len) == 0);
	/* One non-delivery per recipient. */
	CU_ASSERT_EQUAL_FATAL(rep->nrcpt, 2);
	CU_ASSERT_STRING_EQUAL(rep->rcpt[0].actual.text, env->rcpt[0].name.text);
	CU_ASSERT_STRING_EQUAL(rep->rcpt[1].actual.text, env->rcpt[1].name.text);
	CU_ASSERT_EQUAL(rep->rcpt[0].number, 1);
	CU_ASSERT_EQUAL(rep->rcpt[1].number, 5);
	/* responsibility, originating-MTA-non-delivery, originator-report */
	CU_ASSERT_EQUAL(rep->rcpt[0].indicators.bits, 0x01u | 0x04u | 0x08u);
	CU_ASSERT_EQUAL(rep->rcpt[1].indicators.bits, 0x05u);
	CU_ASSERT_EQUAL(rep->rcpt[1].indicators.nbits, 8);
	CU_ASSERT_FALSE(rep->rcpt[0].delivered);
	CU_ASSERT_EQUAL(rep->rcpt[0].arrival.epoch, T_ARRIVAL);
	CU_ASSERT_EQUAL(rep->rcpt[1].reason, 1);
	CU_ASSERT_EQUAL(rep->rcpt[1].diagnostic, 53);
	CU_ASSERT_STRING_EQUAL(rep->rcpt[0].supplementary,
	    "rule 'rel-3': label NATO SECRET not releasable-to NLD");
	CU_ASSERT_EQUAL(r->unknown_critical, 0);
	x400_dec_free(&d);
	buf_free(&out);
	subject_free(&s);
}

static void
test_content_returned_only_when_asked(void)
{
	struct subject		 s, bare;
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*r;
	struct buf		 out;

	/* The subject asks; the caller does not. */
	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, 0, &s), 0);
	params(&p);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	CU_ASSERT_PTR_NULL(r->report.returned);
	x400_dec_free(&d);
	buf_free(&out);
	/* The caller would; the subject did not ask. */
	CU_ASSERT_EQUAL_FATAL(subject_make(bare_spec, 0, &bare), 0);
	p.return_content = true;
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(bare.m, &p, &out, &d, &r), 0);
	CU_ASSERT_PTR_NULL(r->report.returned);
	x400_dec_free(&d);
	buf_free(&out);
	subject_free(&bare);
	subject_free(&s);
}

static void
test_absent_optional_fields(void)
{
	struct subject		 s;
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*r;
	struct x400_report	*rep;
	struct buf		 out;

	CU_ASSERT_EQUAL_FATAL(subject_make(bare_spec, 0, &s), 0);
	params(&p);
	p.diagnostic = X400_ABSENT;
	p.text = NULL;
	p.arrival = X400_ABSENT;
	p.domain.prmd = NULL;
	p.reason = X400_NDR_REASON_TRANSFER_FAILURE;
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	rep = &r->report;
	CU_ASSERT_PTR_NULL(rep->id.gdi.prmd);
	CU_ASSERT_STRING_EQUAL(rep->destination.text,
	    "S=Jansen; O=HQ; P=NLMOD; A= ; C=NL");
	CU_ASSERT_FALSE(rep->label.present);
	CU_ASSERT_PTR_NULL(ext_of(rep->ext, rep->next,
	    X400_EXT_MESSAGE_SECURITY_LABEL));
	CU_ASSERT_FALSE(rep->original_eits.present);
	CU_ASSERT_EQUAL(rep->content_builtin, X400_CT_IPM88);
	CU_ASSERT_PTR_NULL(rep->content_id);
	CU_ASSERT_EQUAL(rep->ncontent_ext, 0);
	CU_ASSERT_EQUAL_FATAL(rep->nrcpt, 1);
	CU_ASSERT_EQUAL(rep->rcpt[0].reason, 0);
	CU_ASSERT_EQUAL(rep->rcpt[0].diagnostic, X400_ABSENT);
	CU_ASSERT_PTR_NULL(rep->rcpt[0].supplementary);
	/* No arrival given: the report's time. */
	CU_ASSERT_EQUAL(rep->rcpt[0].arrival.epoch, T_REPORT);
	x400_dec_free(&d);
	buf_free(&out);
	/* Text that sanitises to nothing is left out, not sent empty. */
	p.text = " \t\n ";
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	CU_ASSERT_PTR_NULL(r->report.rcpt[0].supplementary);
	x400_dec_free(&d);
	buf_free(&out);
	subject_free(&s);
}

/* Reports follow DL expansion back; the postal return address is not
 * where reports go. */
static void
test_destination_after_dl_expansion(void)
{
	struct subject		 s;
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*r;
	struct buf		 out;

	CU_ASSERT_EQUAL_FATAL(subject_make(dl_spec, 0, &s), 0);
	CU_ASSERT_TRUE(s.m->env.return_address.present);
	params(&p);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	CU_ASSERT_STRING_EQUAL(r->report.destination.text,
	    "S=AllOps; O=PJHQ; P=MOD; A= ; C=GB");
	x400_dec_free(&d);
	buf_free(&out);
	subject_free(&s);
}

/* A subject sent in BER (indefinite lengths, shuffled SETs, segmented
 * strings) still gives a DER report with the same label bytes. */
static void
test_ber_subject_gives_der(void)
{
	struct subject		 der, ber;
	struct x400_ndr_params	 p;
	struct x400_dec		 d1, d2;
	struct x400_msg		*r1, *r2;
	struct buf		 o1, o2;

	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, 0, &der), 0);
	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, BER_ENC_INDEFINITE |
	    BER_ENC_SHUFFLE | BER_ENC_SEGMENTS, &ber), 0);
	CU_ASSERT(ber.der.len != der.der.len);
	params(&p);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(der.m, &p, &o1, &d1, &r1), 0);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(ber.m, &p, &o2, &d2, &r2), 0);
	/* The same report, byte for byte. */
	CU_ASSERT_EQUAL(o1.len, o2.len);
	CU_ASSERT(o1.len == o2.len && memcmp(o1.data, o2.data, o1.len) == 0);
	CU_ASSERT_STRING_EQUAL(r2->report.destination.dn,
	    "CN=John Smith,O=PJHQ,C=GB");
	x400_dec_free(&d1);
	x400_dec_free(&d2);
	buf_free(&o1);
	buf_free(&o2);
	subject_free(&der);
	subject_free(&ber);
}

/* Only recipients the guard is responsible for are reported on. */
static void
test_responsibility(void)
{
	static const char two[] =
	    "message-id: C=GB; A= ; P=MOD; L=GB-SPLIT-2\n"
	    "originator: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL; "
	    "indicators=originating-MTA-non-delivery-report\n"
	    "recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE; number=9\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "\n[heading]\nthis-ipm: local=2\n";
	struct subject		 s;
	struct x400_ndr_params	 p;
	struct x400_dec		 d;
	struct x400_msg		*r;
	struct buf		 out;
	char			 err[512];

	CU_ASSERT_EQUAL_FATAL(subject_make(two, 0, &s), 0);
	params(&p);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &out, &d, &r), 0);
	CU_ASSERT_EQUAL_FATAL(r->report.nrcpt, 1);
	CU_ASSERT_EQUAL(r->report.rcpt[0].number, 9);
	x400_dec_free(&d);
	buf_free(&out);
	subject_free(&s);
	CU_ASSERT_EQUAL_FATAL(subject_make(unowned_spec, 0, &s), 0);
	buf_init(&out, 1 << 20);
	CU_ASSERT_EQUAL(x400_ndr_build(s.m, &p, &out, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "responsibility"));
	CU_ASSERT_EQUAL(out.len, 0);
	buf_free(&out);
	subject_free(&s);
}

static void
expect_refusal(const struct x400_msg *m, const struct x400_ndr_params *p,
    const char *why)
{
	struct buf	out;
	char		err[512];

	buf_init(&out, 1 << 20);
	err[0] = '\0';
	CU_ASSERT_EQUAL(x400_ndr_build(m, p, &out, err, sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fprintf(stderr, "want \"%s\" in \"%s\"\n", why, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
	CU_ASSERT_EQUAL(out.len, 0);
	buf_free(&out);
}

static void
test_refusals(void)
{
	struct subject		 s, rep, prb;
	struct x400_ndr_params	 p;
	struct buf		 small;
	char			 err[512];

	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, 0, &s), 0);
	CU_ASSERT_EQUAL_FATAL(subject_file("tests/data/msg/report.spec", &rep),
	    0);
	CU_ASSERT_EQUAL_FATAL(subject_file("tests/data/msg/probe.spec", &prb),
	    0);
	params(&p);
	expect_refusal(rep.m, &p, "the subject is a report");
	expect_refusal(prb.m, &p, "the subject is a probe");
	p.mta = "";
	expect_refusal(s.m, &p, "MTA name");
	p.mta = "an-mta-name-of-thirty-three-chars";
	expect_refusal(s.m, &p, "MTA name");
	params(&p);
	p.domain.country = "GBR";
	expect_refusal(s.m, &p, "country \"GBR\"");
	params(&p);
	p.domain.admd = "AN-ADMD-OF-17-CHR";
	expect_refusal(s.m, &p, "ADMD");
	params(&p);
	p.domain.prmd = "";
	expect_refusal(s.m, &p, "PRMD");
	params(&p);
	p.reason = 32768;
	expect_refusal(s.m, &p, "non-delivery-reason-code 32768");
	params(&p);
	p.diagnostic = -1;
	expect_refusal(s.m, &p, "non-delivery-diagnostic-code -1");
	params(&p);
	p.time = INT64_C(-700000000);	/* 1947 */
	expect_refusal(s.m, &p, "UTCTime");
	params(&p);
	p.local_id = "";
	expect_refusal(s.m, &p, "local identifier");
	/* Too large for the buffer: said so, and nothing left behind. */
	params(&p);
	p.return_content = true;
	buf_init(&small, 256);
	CU_ASSERT_EQUAL(x400_ndr_build(s.m, &p, &small, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "exceeds the 256 bytes"));
	CU_ASSERT_EQUAL(small.len, 0);
	buf_free(&small);
	subject_free(&s);
	subject_free(&rep);
	subject_free(&prb);
}

static void
test_local_identifier(void)
{
	struct subject		 s;
	struct x400_ndr_params	 p;
	struct x400_dec		 d1, d2, d3;
	struct x400_msg		*r1, *r2, *r3;
	struct buf		 o1, o2, o3;

	CU_ASSERT_EQUAL_FATAL(subject_make(labelled_spec, 0, &s), 0);
	params(&p);
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &o1, &d1, &r1), 0);
	/* The same rejection twice: the same identifier. */
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &o2, &d2, &r2), 0);
	CU_ASSERT_STRING_EQUAL(r1->report.id.local, r2->report.id.local);
	/* Another MTA: another identifier; or the caller's own. */
	p.mta = "guard2.mod.gb";
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &o3, &d3, &r3), 0);
	CU_ASSERT_STRING_NOT_EQUAL(r1->report.id.local, r3->report.id.local);
	x400_dec_free(&d3);
	buf_free(&o3);
	p.local_id = "NDR-000001";
	CU_ASSERT_EQUAL_FATAL(ndr_decoded(s.m, &p, &o3, &d3, &r3), 0);
	CU_ASSERT_STRING_EQUAL(r3->report.id.local, "NDR-000001");
	x400_dec_free(&d1);
	x400_dec_free(&d2);
	x400_dec_free(&d3);
	buf_free(&o1);
	buf_free(&o2);
	buf_free(&o3);
	subject_free(&s);
}

static void
test_printable(void)
{
	char	out[300], small[8], longer[600];
	size_t	n;

	n = x400_ndr_printable("  a\"b\"\t\t_c_ [d] {e} <f>; g & h!  ", out,
	    sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "a'b' -c- (d) (e) (f), g + h.");
	CU_ASSERT_EQUAL(n, strlen(out));
	/* A UTF-8 sequence is one '?'; controls too. */
	x400_ndr_printable("caf\xc3\xa9 \xe2\x82\xac\x01x", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "caf? ??x");
	CU_ASSERT_EQUAL(x400_ndr_printable(NULL, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(x400_ndr_printable("\n \t", out, sizeof(out)), 0);
	/* Cut at the buffer, or at 256, with "...". */
	CU_ASSERT_EQUAL(x400_ndr_printable("abcdefghij", small,
	    sizeof(small)), 7);
	CU_ASSERT_STRING_EQUAL(small, "abcd...");
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	CU_ASSERT_EQUAL(x400_ndr_printable(longer, out, sizeof(out)),
	    X400_NDR_SUPPLEMENTARY_MAX);
	CU_ASSERT_STRING_EQUAL(out + 253, "...");
	/* Exactly 256 fits whole. */
	longer[256] = '\0';
	CU_ASSERT_EQUAL(x400_ndr_printable(longer, out, sizeof(out)), 256);
	CU_ASSERT_EQUAL(out[255], 'x');
}

static void
test_code_names(void)
{
	CU_ASSERT_STRING_EQUAL(x400_ndr_reason_name(
	    X400_NDR_REASON_UNABLE_TO_TRANSFER), "unable-to-transfer");
	CU_ASSERT_STRING_EQUAL(x400_ndr_reason_name(
	    X400_NDR_REASON_RESTRICTED_DELIVERY), "restricted-delivery");
	CU_ASSERT_STRING_EQUAL(x400_ndr_reason_name(
	    X400_NDR_REASON_TRANSFER_FAILURE_FOR_SECURITY),
	    "transfer-failure-for-security-reason");
	CU_ASSERT_PTR_NULL(x400_ndr_reason_name(9));
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_SECURITY_POLICY_VIOLATION),
	    "security-policy-violation");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_SECURE_MESSAGING_ERROR), "secure-messaging-error");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_CONTENT_SYNTAX_ERROR), "content-syntax-error");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_UNSUPPORTED_CRITICAL_FUNCTION),
	    "unsupported-critical-function");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_CONTENT_TOO_LONG), "content-too-long");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_TOO_MANY_RECIPIENTS), "too-many-recipients");
	CU_ASSERT_STRING_EQUAL(x400_ndr_diagnostic_name(
	    X400_NDR_DIAG_UNSUPPORTED_SECURITY_POLICY),
	    "unsupported-security-policy");
	CU_ASSERT_PTR_NULL(x400_ndr_diagnostic_name(79));
	CU_ASSERT_PTR_NULL(x400_ndr_diagnostic_name(-1));
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("secure-messaging-error"),
	    46);
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("53"), 53);
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("32767"), 32767);
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("32768"), -1);
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("53x"), -1);
	CU_ASSERT_EQUAL(x400_ndr_diagnostic_code("-3"), -1);
	CU_ASSERT_EQUAL(x400_ndr_reason_code("restricted-delivery"), 5);
	CU_ASSERT_EQUAL(x400_ndr_reason_code("security-policy-violation"),
	    -1);
}

static const struct unit_test tests[] = {
	{ "policy rejection: every field", test_policy_rejection },
	{ "content returned only when asked",
	    test_content_returned_only_when_asked },
	{ "absent optional fields", test_absent_optional_fields },
	{ "destination after DL expansion",
	    test_destination_after_dl_expansion },
	{ "BER subject gives a DER report", test_ber_subject_gives_der },
	{ "responsible recipients only", test_responsibility },
	{ "refusals", test_refusals },
	{ "local identifier", test_local_identifier },
	{ "supplementary text made printable", test_printable },
	{ "X.411 code names", test_code_names },
	{ NULL, NULL }
};

UNIT_SUITE(ndr, "x400-ndr", tests);
