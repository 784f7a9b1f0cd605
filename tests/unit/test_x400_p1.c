/*
 * test_x400_p1.c - the P1 envelope codec: compose (SPEC) -> encode ->
 * decode gives the facts back, in DER and in every BER variant; reports and
 * probes; and each class of malformed envelope refused with its reason.
 */
#include <stdlib.h>
#include <string.h>

#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "tests/unit/unit.h"

static const char envelope_spec[] =
    "message-id: C=GB; A= ; P=MOD; L=GB-MOD-0001\n"
    "originator: G=John; S=Smith; OU1=J3; O=PJHQ; P=MOD; A= ; C=GB; "
    "DN=CN=John Smith,O=PJHQ,C=GB\n"
    "recipient: G=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
    "recipient: S=Ops; CN=Operations; O=SHAPE; P=NATO; A= ; C=BE; "
    "DDA:RFC-822=ops(a)shape; number=5; explicit-conversion=8\n"
    "content-type: 1.2.3.4\n"
    "content-id: OPS-1\n"
    "priority: urgent\n"
    "indicators: alternate-recipient-allowed,content-return-request\n"
    "original-eits: ia5-text,teletex\n"
    "deferred-delivery: 20261129100000Z\n"
    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z; action=relayed\n"
    "trace: C=NL; A= ; arrival=20261129084700Z; action=rerouted\n"
    "internal-trace: C=GB; A= ; P=MOD; mta=mta1; arrival=20261129084601Z\n"
    "security-label: policy=1.3.26.1.3.1; classification=4; "
    "privacy-mark=NATO SECRET; category=2.16.840.1.101.2.1.8.3.1:"
    "30 11 06 05 2b 1a 01 04 02 31 08 02 02 02 10 02 02 03 3a\n"
    "latest-delivery: 20261129104600Z\n"
    "content-correlator: CORR-1\n"
    "priority-level-qualifier: high\n"
    "recipient-reassignment-prohibited: yes\n"
    "return-address: S=Registry; O=PJHQ; P=MOD; A= ; C=GB\n"
    "dl-expansion: S=AllOps; O=PJHQ; P=MOD; A= ; C=GB; "
    "time=20261129084500Z\n"
    "extension: type=1.2.826.0.1.999.1; critical=transfer; value=02 01 07\n";

struct composed {
	struct x400_dec	 spec;
	struct x400_msg	*m;
	struct buf	 out;
};

static int
compose(const char *text, unsigned variant, struct composed *c)
{
	char	err[512];

	buf_init(&c->out, 1 << 24);
	if (x400_spec_parse(&c->spec, "test", ".", text, strlen(text), &c->m,
	    NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "spec: %s\n", err);
		return -1;
	}
	return x400_encode(c->m, variant, &c->out);
}

static void
composed_free(struct composed *c)
{
	x400_dec_free(&c->spec);
	buf_free(&c->out);
}

static void
test_envelope_round_trip(void)
{
	struct composed		 c;
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct x400_envelope	*e;

	CU_ASSERT_EQUAL_FATAL(compose(envelope_spec, 0, &c), 0);
	CU_ASSERT_EQUAL_FATAL(x400_decode(&d, BER_MODE_DER, NULL, c.out.data,
	    c.out.len, &m), 0);
	e = &m->env;
	CU_ASSERT_EQUAL(m->apdu, X400_APDU_MESSAGE);
	CU_ASSERT_STRING_EQUAL(e->id.text, "[C=GB;A= ;P=MOD;L=GB-MOD-0001]");
	CU_ASSERT_STRING_EQUAL(e->originator.text,
	    "G=John; S=Smith; OU1=J3; O=PJHQ; P=MOD; A= ; C=GB");
	CU_ASSERT_STRING_EQUAL(e->originator.dn, "CN=John Smith,O=PJHQ,C=GB");
	CU_ASSERT_EQUAL_FATAL(e->nrcpt, 2);
	CU_ASSERT_STRING_EQUAL(e->rcpt[0].name.text,
	    "G=Jan; S=Jansen; O=HQ; P=NLMOD; A= ; C=NL");
	CU_ASSERT_EQUAL(e->rcpt[0].number, 1);
	CU_ASSERT_STRING_EQUAL(e->rcpt[1].name.text, "S=Ops; CN=Operations; "
	    "O=SHAPE; DDA:RFC-822=ops(a)shape; P=NATO; A= ; C=BE");
	CU_ASSERT_EQUAL(e->rcpt[1].number, 5);
	CU_ASSERT_EQUAL(e->rcpt[1].explicit_conversion, 8);
	CU_ASSERT_EQUAL(e->rcpt[0].indicators.bits, 0x5);
	CU_ASSERT_STRING_EQUAL(e->content_oid, "1.2.3.4");
	CU_ASSERT_EQUAL(e->content_builtin, X400_ABSENT);
	CU_ASSERT_STRING_EQUAL(e->content_id, "OPS-1");
	CU_ASSERT_EQUAL(e->priority, 2);
	CU_ASSERT_EQUAL(e->indicators.bits, (1u << 2) | (1u << 3));
	CU_ASSERT_EQUAL(e->original_eits.builtin.bits, (1u << 2) | (1u << 5));
	CU_ASSERT_TRUE(e->deferred_delivery.present);
	CU_ASSERT_EQUAL(e->deferred_delivery.tm.hour, 10);
	CU_ASSERT_EQUAL_FATAL(e->ntrace, 2);
	CU_ASSERT_STRING_EQUAL(e->trace[1].domain.country, "NL");
	CU_ASSERT_EQUAL(e->trace[1].routing_action, 1);
	CU_ASSERT_EQUAL(e->trace[0].arrival.epoch, 1795941960);
	CU_ASSERT_EQUAL_FATAL(e->nitrace, 1);
	CU_ASSERT_STRING_EQUAL(e->itrace[0].mta, "mta1");
	CU_ASSERT_TRUE(e->label.present);
	CU_ASSERT_STRING_EQUAL(e->label.policy, "1.3.26.1.3.1");
	CU_ASSERT_EQUAL(e->label.classification, 4);
	CU_ASSERT_STRING_EQUAL(e->label.privacy_mark.utf8, "NATO SECRET");
	CU_ASSERT_EQUAL_FATAL(e->label.ncats, 1);
	CU_ASSERT_STRING_EQUAL(e->label.cats[0].type,
	    "2.16.840.1.101.2.1.8.3.1");
	CU_ASSERT_EQUAL(e->label.cats[0].valuelen, 19);
	CU_ASSERT_TRUE(e->latest_delivery.present);
	CU_ASSERT_EQUAL(e->correlator_len, 6);
	CU_ASSERT(memcmp(e->correlator, "CORR-1", 6) == 0);
	CU_ASSERT_EQUAL(e->priority_qualifier, 1);
	CU_ASSERT_TRUE(e->recipient_reassignment_prohibited);
	CU_ASSERT_STRING_EQUAL(e->return_address.text,
	    "S=Registry; O=PJHQ; P=MOD; A= ; C=GB");
	CU_ASSERT_EQUAL_FATAL(e->ndlexp, 1);
	CU_ASSERT_STRING_EQUAL(e->dlexp[0].dl.text,
	    "S=AllOps; O=PJHQ; P=MOD; A= ; C=GB");
	/* The private critical extension is kept, flagged, counted. */
	CU_ASSERT_EQUAL(m->unknown_critical, 1);
	CU_ASSERT_PTR_NULL(m->body);
	x400_dec_free(&d);
	composed_free(&c);
}

/* Extensions are a SET OF: their order carries no meaning. */
static int
ext_cmp(const void *a, const void *b)
{
	const struct x400_ext	*x = a, *y = b;

	if (x->standard != y->standard)
		return x->standard ? -1 : 1;
	if (x->standard)
		return (x->number > y->number) - (x->number < y->number);
	return strcmp(x->oid, y->oid);
}

/* JSON of a decode, for comparing whole fact sets. */
static char *
facts_json(const uint8_t *p, size_t n, enum ber_mode mode, int *err)
{
	struct x400_dec	 d;
	struct x400_msg	*m;
	struct buf	 b;
	char		*s = NULL;

	*err = 0;
	if (x400_decode(&d, mode, NULL, p, n, &m) == -1) {
		*err = (int)d.c.err.code;
		x400_dec_free(&d);
		return NULL;
	}
	if (m->env.next > 1)
		qsort(m->env.ext, m->env.next, sizeof(*m->env.ext), ext_cmp);
	buf_init(&b, 1 << 24);
	if (x400_json(m, &b) == 0 && buf_add_byte(&b, 0) == 0) {
		s = strdup((char *)b.data);
	}
	buf_free(&b);
	x400_dec_free(&d);
	return s;
}

static void
test_ber_variants_same_facts(void)
{
	static const unsigned variants[] = { BER_ENC_INDEFINITE,
	    BER_ENC_SHUFFLE, BER_ENC_SEGMENTS,
	    BER_ENC_INDEFINITE | BER_ENC_SHUFFLE | BER_ENC_SEGMENTS };
	struct composed	 der, v;
	char		*want, *got;
	size_t		 i;
	int		 err;

	CU_ASSERT_EQUAL_FATAL(compose(envelope_spec, 0, &der), 0);
	want = facts_json(der.out.data, der.out.len, BER_MODE_DER, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	CU_ASSERT_PTR_NOT_NULL(strstr(want, "\"priority\":\"urgent\""));
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(compose(envelope_spec, variants[i], &v),
		    0);
		CU_ASSERT(v.out.len != der.out.len ||
		    memcmp(v.out.data, der.out.data, der.out.len) != 0);
		got = facts_json(v.out.data, v.out.len, BER_MODE_BER, &err);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got != NULL)
			CU_ASSERT_STRING_EQUAL(got, want);
		free(got);
		/* Not DER: refused in DER mode, each for its reason. */
		got = facts_json(v.out.data, v.out.len, BER_MODE_DER, &err);
		CU_ASSERT_PTR_NULL(got);
		CU_ASSERT(err == BER_E_INDEFINITE || err == BER_E_ORDER ||
		    err == BER_E_FORM);
		free(got);
		composed_free(&v);
	}
	free(want);
	composed_free(&der);
}

static void
test_every_truncation_refused(void)
{
	struct composed	 c;
	struct x400_dec	 d;
	struct x400_msg	*m;
	size_t		 n;
	unsigned	 bad = 0;

	CU_ASSERT_EQUAL_FATAL(compose(envelope_spec, 0, &c), 0);
	for (n = 0; n < c.out.len; n++) {
		if (x400_decode(&d, BER_MODE_BER, NULL, c.out.data, n,
		    &m) != -1 || strncmp(x400_strerror(&d), "offset ", 7) != 0)
			bad++;
		x400_dec_free(&d);
	}
	CU_ASSERT_EQUAL(bad, 0);
	composed_free(&c);
}

static void
test_report_and_probe(void)
{
	static const char report[] =
	    "apdu: report\n"
	    "report-id: C=GB; A= ; P=MOD; L=RPT-1\n"
	    "destination: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "subject-id: C=GB; A= ; P=MOD; L=GB-MOD-0001\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084700Z\n"
	    "report-recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL; "
	    "type=non-delivery; reason=1; diagnostic=53; "
	    "arrival=20261129084650Z; supplementary=policy\n"
	    "report-recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE; "
	    "type=delivery; arrival=20261129084650Z; "
	    "delivery-time=20261129084655Z\n";
	static const char probe[] =
	    "apdu: probe\n"
	    "probe-id: C=GB; A= ; P=MOD; L=PRB-1\n"
	    "originator: S=Smith; O=PJHQ; P=MOD; A= ; C=GB\n"
	    "recipient: S=Jansen; O=HQ; P=NLMOD; A= ; C=NL\n"
	    "content-type: p772\n"
	    "content-length: 8192\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n";
	struct composed	 c;
	struct x400_dec	 d;
	struct x400_msg	*m;

	CU_ASSERT_EQUAL_FATAL(compose(report, 0, &c), 0);
	CU_ASSERT_EQUAL_FATAL(x400_decode(&d, BER_MODE_DER, NULL, c.out.data,
	    c.out.len, &m), 0);
	CU_ASSERT_EQUAL(m->apdu, X400_APDU_REPORT);
	CU_ASSERT_STRING_EQUAL(m->report.subject.text,
	    "[C=GB;A= ;P=MOD;L=GB-MOD-0001]");
	CU_ASSERT_EQUAL_FATAL(m->report.nrcpt, 2);
	CU_ASSERT_FALSE(m->report.rcpt[0].delivered);
	CU_ASSERT_EQUAL(m->report.rcpt[0].reason, 1);
	CU_ASSERT_EQUAL(m->report.rcpt[0].diagnostic, 53);
	CU_ASSERT_STRING_EQUAL(m->report.rcpt[0].supplementary, "policy");
	CU_ASSERT_TRUE(m->report.rcpt[1].delivered);
	CU_ASSERT_EQUAL(m->report.rcpt[1].delivery_time.tm.sec, 55);
	x400_dec_free(&d);
	composed_free(&c);

	CU_ASSERT_EQUAL_FATAL(compose(probe, 0, &c), 0);
	CU_ASSERT_EQUAL(c.out.data[0], 0xa2);
	CU_ASSERT_EQUAL_FATAL(x400_decode(&d, BER_MODE_DER, NULL, c.out.data,
	    c.out.len, &m), 0);
	CU_ASSERT_EQUAL(m->apdu, X400_APDU_PROBE);
	CU_ASSERT_EQUAL(m->env.content_length, 8192);
	CU_ASSERT_STRING_EQUAL(m->env.content_oid, X400_OID_P772);
	x400_dec_free(&d);
	composed_free(&c);
}

/*
 * Hand-built envelopes with one defect each.  flags choose the defect.
 */
enum {
	BAD_NONE = 0, BAD_DUP_PRIORITY = 1, BAD_NO_TRACE = 2,
	BAD_SHORT_INDICATORS = 4, BAD_UNKNOWN_COMPONENT = 8,
	BAD_LONG_CONTENT_ID = 16, BAD_PRIORITY_RANGE = 32,
	DEFAULT_CRITICALITY = 64, DEFAULT_NULL_VALUE = 128
};

static void
put_orname(struct ber_enc *e, const char *surname)
{
	ber_enc_begin(e, BER_APP(0));
	ber_enc_begin(e, BER_UNIV(BER_SEQUENCE));
	ber_enc_begin(e, BER_APP(1));
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, "GB", 2);
	ber_enc_end(e);
	ber_enc_begin(e, BER_APP(2));
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, " ", 1);
	ber_enc_end(e);
	ber_enc_begin(e, BER_CTX(5));
	ber_put_string(e, BER_CTX(0), BER_PRINTABLE_STRING, surname,
	    strlen(surname));
	ber_enc_end(e);
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
put_gdi(struct ber_enc *e)
{
	ber_enc_begin(e, BER_APP(3));
	ber_enc_begin(e, BER_APP(1));
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, "GB", 2);
	ber_enc_end(e);
	ber_enc_begin(e, BER_APP(2));
	ber_put_string(e, BER_UNIV(BER_PRINTABLE_STRING),
	    BER_PRINTABLE_STRING, " ", 1);
	ber_enc_end(e);
	ber_enc_end(e);
}

static void
build(struct buf *b, unsigned flags, unsigned nrcpt)
{
	struct ber_enc	e;
	struct ber_time	tm = { .year = 2026, .mon = 11, .day = 29 };
	uint8_t		ind = 0xa0;
	unsigned	i;

	buf_init(b, 1 << 22);
	ber_enc_init(&e, b, 0);
	ber_enc_begin(&e, BER_CTX(0));
	ber_enc_begin_set(&e, BER_UNIV(BER_SET));
	ber_enc_begin(&e, BER_APP(4));
	put_gdi(&e);
	ber_put_string(&e, BER_UNIV(BER_IA5_STRING), BER_IA5_STRING, "id1",
	    3);
	ber_enc_end(&e);
	put_orname(&e, "Smith");
	ber_put_oid_text(&e, BER_UNIV(BER_OID), "1.2.3.4");
	ber_put_int(&e, BER_APP(7), (flags & BAD_PRIORITY_RANGE) ? 3 : 2);
	if (flags & BAD_DUP_PRIORITY)
		ber_put_int(&e, BER_APP(7), 1);
	if (flags & BAD_UNKNOWN_COMPONENT)
		ber_put_null(&e, BER_CTX(9));
	if (flags & BAD_LONG_CONTENT_ID)
		ber_put_string(&e, BER_APP(10), BER_PRINTABLE_STRING,
		    "ABCDEFGHIJKLMNOPQ", 17);
	if (flags & (DEFAULT_CRITICALITY | DEFAULT_NULL_VALUE)) {
		/* A private extension with a default sent explicitly. */
		ber_enc_begin(&e, BER_CTX(3));
		ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
		ber_put_oid_text(&e, BER_CTX(3), "1.2.3.4.5");
		if (flags & DEFAULT_CRITICALITY)
			ber_put_bits(&e, BER_CTX(1), &ind, 0);
		ber_enc_begin(&e, BER_CTX(2));
		if (flags & DEFAULT_NULL_VALUE)
			ber_put_null(&e, BER_UNIV(BER_NULL));
		else
			ber_put_int(&e, BER_UNIV(BER_INTEGER), 1);
		ber_enc_end(&e);
		ber_enc_end(&e);
		ber_enc_end(&e);
	}
	if (!(flags & BAD_NO_TRACE)) {
		ber_enc_begin(&e, BER_APP(9));
		ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
		put_gdi(&e);
		ber_enc_begin(&e, BER_UNIV(BER_SET));
		ber_put_time(&e, BER_CTX(0), BER_UTC_TIME, &tm);
		ber_put_int(&e, BER_CTX(2), 0);
		ber_enc_end(&e);
		ber_enc_end(&e);
		ber_enc_end(&e);
	}
	ber_enc_begin(&e, BER_CTX(2));
	for (i = 0; i < nrcpt; i++) {
		ber_enc_begin_set(&e, BER_UNIV(BER_SET));
		put_orname(&e, "Jansen");
		ber_put_int(&e, BER_CTX(0), i + 1);
		ber_put_bits(&e, BER_CTX(1), &ind,
		    (flags & BAD_SHORT_INDICATORS) ? 7 : 8);
		ber_enc_end(&e);
	}
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), "hi", 2);
	ber_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
}

static int
decode_err_mode(enum ber_mode mode, unsigned flags, unsigned nrcpt,
    const struct x400_limits *lim, const char *want_text)
{
	struct buf	 b;
	struct x400_dec	 d;
	struct x400_msg	*m;
	int		 rc;

	build(&b, flags, nrcpt);
	if (x400_decode(&d, mode, lim, b.data, b.len, &m) == 0)
		rc = 0;
	else {
		rc = (int)d.c.err.code;
		if (want_text != NULL && strstr(x400_strerror(&d),
		    want_text) == NULL) {
			fprintf(stderr, "error \"%s\" lacks \"%s\"\n",
			    x400_strerror(&d), want_text);
			rc = -1;
		}
	}
	x400_dec_free(&d);
	buf_free(&b);
	return rc;
}

static int
decode_err(unsigned flags, unsigned nrcpt, const struct x400_limits *lim,
    const char *want_text)
{
	return decode_err_mode(BER_MODE_BER, flags, nrcpt, lim, want_text);
}

/* DER forbids sending a DEFAULT value; BER allows it. */
static void
test_der_defaults(void)
{
	CU_ASSERT_EQUAL(decode_err(DEFAULT_CRITICALITY, 1, NULL, NULL), 0);
	CU_ASSERT_EQUAL(decode_err(DEFAULT_NULL_VALUE, 1, NULL, NULL), 0);
	CU_ASSERT_EQUAL(decode_err_mode(BER_MODE_DER, DEFAULT_CRITICALITY, 1,
	    NULL, "criticality encoded with its default value"), BER_E_FORM);
	CU_ASSERT_EQUAL(decode_err_mode(BER_MODE_DER, DEFAULT_NULL_VALUE, 1,
	    NULL, "encoded with its default (NULL)"), BER_E_FORM);
}

static void
test_malformed_envelopes(void)
{
	struct x400_limits	lim;

	CU_ASSERT_EQUAL(decode_err(BAD_NONE, 1, NULL, NULL), 0);
	CU_ASSERT_EQUAL(decode_err(BAD_DUP_PRIORITY, 1, NULL,
	    "priority ([APPLICATION 7]) appears twice"), BER_E_DUPLICATE);
	CU_ASSERT_EQUAL(decode_err(BAD_NO_TRACE, 1, NULL,
	    "trace-information absent"), BER_E_MISSING);
	CU_ASSERT_EQUAL(decode_err(BAD_SHORT_INDICATORS, 1, NULL,
	    "per-recipient-indicators of 7 bits"), BER_E_BITSTRING);
	CU_ASSERT_EQUAL(decode_err(BAD_UNKNOWN_COMPONENT, 1, NULL,
	    "[9] is not a component"), BER_E_UNEXPECTED);
	CU_ASSERT_EQUAL(decode_err(BAD_LONG_CONTENT_ID, 1, NULL,
	    "content identifier of 17 characters"), BER_E_RANGE);
	CU_ASSERT_EQUAL(decode_err(BAD_PRIORITY_RANGE, 1, NULL,
	    "INTEGER 3 outside [0, 2]"), BER_E_RANGE);
	x400_limits_default(&lim);
	lim.max_recipients = 3;
	CU_ASSERT_EQUAL(decode_err(BAD_NONE, 3, &lim, NULL), 0);
	CU_ASSERT_EQUAL(decode_err(BAD_NONE, 4, &lim, "more than 3 recipients"),
	    BER_E_COUNT);
	lim.max_size = 40;
	CU_ASSERT_EQUAL(decode_err(BAD_NONE, 1, &lim, "exceeds the limit"),
	    BER_E_BUDGET);
}

static void
test_not_an_apdu(void)
{
	static const uint8_t	in[] = { 0xa5, 0x00 };
	struct x400_dec		d;
	struct x400_msg		*m;

	CU_ASSERT_EQUAL(x400_decode(&d, BER_MODE_BER, NULL, in, sizeof(in),
	    &m), -1);
	CU_ASSERT_EQUAL(d.c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(x400_strerror(&d), "not an MTS-APDU"));
	x400_dec_free(&d);
}

static void
test_spec_errors(void)
{
	struct x400_dec	 d;
	struct x400_msg	*m;
	char		 err[512];
	static const struct {
		const char	*spec;
		const char	*want;
	} cases[] = {
		{ "message-id: C=GB; A= ; L=1\nbogus: 1\n",
		    "test:2: unknown field \"bogus\"" },
		{ "priority: very\n", "test:1: \"very\": expected an integer" },
		{ "originator: S=Sm@th; C=GB\n", "test:1: \"Sm@th\"" },
		{ "trace: C=GB; A= ; arrival=2026\n", "test:1: \"2026\"" },
		{ "[body ia5-text]\nx\n", "test:1: [body] before [heading]" },
		{ "[heading]\n[body nosuch]\n",
		    "test:2: unknown body part type \"nosuch\"" },
		{ "message-id: C=GB; A= ; L=1\n", "a message or probe needs" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL(x400_spec_parse(&d, "test", ".", cases[i].spec,
		    strlen(cases[i].spec), &m, NULL, err, sizeof(err)), -1);
		if (strstr(err, cases[i].want) == NULL) {
			CU_FAIL("spec error text");
			fprintf(stderr, "got \"%s\", want \"%s\"\n", err,
			    cases[i].want);
		}
		x400_dec_free(&d);
	}
}

/* A PrintableString privacy mark is held to PrintableString's repertoire. */
static void
test_label_printable_mark(void)
{
	/* SET { OID 1.3.26.1.3.1, INTEGER 4, PrintableString "A@B" } */
	static const uint8_t	bad[] = { 0x31, 0x0f, 0x06, 0x05, 0x2b, 0x1a,
	    0x01, 0x03, 0x01, 0x02, 0x01, 0x04, 0x13, 0x03, 'A', '@', 'B' };
	struct x400_dec		d;
	struct ber_reader	r;
	struct ber_tlv		t;
	struct x400_label	l;

	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, bad, sizeof(bad));
	ber_reader_init(&r, &d.c);
	CU_ASSERT_EQUAL_FATAL(ber_next(&r, &t), 1);
	CU_ASSERT_EQUAL(x400_label_dec(&d, &r, &t, &l), -1);
	CU_ASSERT_EQUAL(d.c.err.code, BER_E_CHARSET);
	CU_ASSERT_EQUAL(d.c.err.offset, 15);
	x400_dec_free(&d);
}

static const struct unit_test tests[] = {
	{ "envelope round trip", test_envelope_round_trip },
	{ "BER variants give the same facts",
	    test_ber_variants_same_facts },
	{ "every truncation refused with an offset",
	    test_every_truncation_refused },
	{ "reports and probes", test_report_and_probe },
	{ "malformed envelopes", test_malformed_envelopes },
	{ "DER refuses defaults sent explicitly", test_der_defaults },
	{ "not an MTS-APDU", test_not_an_apdu },
	{ "SPEC errors name file and line", test_spec_errors },
	{ "privacy mark held to PrintableString",
	    test_label_printable_mark },
	{ NULL, NULL }
};
UNIT_SUITE(x400_p1, "x400-p1", tests);
