/*
 * test_x400_ipm.c - the IPM / P772 content codec: contents built by hand,
 * encoded to DER, decoded again, every field compared; the re-encoding of
 * what was decoded must be the same bytes (a fixpoint).  Then the BER
 * variants, the CMS SignedData wrapping, and malformed contents each
 * refused with its error code and reason.
 */
#include <stdio.h>
#include <string.h>

#include "filters/ber/ber.h"
#include "filters/x400/x400_int.h"
#include "guard/common/buf.h"
#include "tests/unit/unit.h"

#define OID_MM(x)	"1.3.26.0.4406.0.2." #x

static struct x400_dec	 d;
static struct buf	 out;

/* --- building ------------------------------------------------------------ */

static struct x400_orname
orname(char *surname, char *org)
{
	struct x400_orname	o;

	memset(&o, 0, sizeof(o));
	o.present = true;
	o.country = "GB";
	o.admd = " ";
	o.prmd = "MOD";
	o.org = org;
	o.surname = surname;
	return o;
}

static struct x400_text
txt(char *s)
{
	struct x400_text	t;

	memset(&t, 0, sizeof(t));
	t.utf8 = s;
	t.len = strlen(s);
	return t;
}

static struct x400_time
when(int day, int hour, int min)
{
	struct x400_time	t;

	memset(&t, 0, sizeof(t));
	t.present = true;
	t.tm.year = 2026;
	t.tm.mon = 11;
	t.tm.day = day;
	t.tm.hour = hour;
	t.tm.min = min;
	t.tm.has_tz = true;
	return t;
}

static void
ipm_init(struct x400_content *c, bool p772, char *local)
{
	memset(c, 0, sizeof(*c));
	c->p772 = p772;
	c->ipm.this_ipm.local = local;
	c->ipm.importance = 1;
	c->ipm.sensitivity = X400_ABSENT;
	c->ipm.primary_precedence = X400_ABSENT;
	c->ipm.copy_precedence = X400_ABSENT;
	c->ipm.message_type = X400_ABSENT;
	c->ipm.codress = X400_ABSENT;
}

static void
bp_init(struct x400_bodypart *b, enum x400_bp type)
{
	memset(b, 0, sizeof(*b));
	b->type = type;
	b->param = X400_ABSENT;
}

/* Hex into a static pool that lives as long as the test. */
static uint8_t	 pool[8192];
static size_t	 pooled;

static const uint8_t *
hex(const char *s, size_t *n)
{
	uint8_t	*p = pool + pooled;

	*n = unit_hex(s, p, sizeof(pool) - pooled);
	pooled += *n;
	return p;
}

/* --- encoding and decoding -------------------------------------------- */

static int
encode(const struct x400_content *c, unsigned variant, struct buf *b)
{
	struct ber_enc	e;

	buf_init(b, 1 << 20);
	ber_enc_init(&e, b, variant);
	x400_encode_content(&e, c);
	return ber_enc_finish(&e);
}

static int
decode(enum ber_mode mode, const struct x400_limits *lim, bool p772,
    struct x400_content **c)
{
	return x400_decode_content(&d, mode, lim, out.data, out.len, p772, c);
}

/*
 * Encode c into out (DER), decode it, and check that the decoded facts
 * encode to the same bytes again.
 */
static struct x400_content *
roundtrip(const struct x400_content *c)
{
	struct x400_content	*g = NULL;
	struct buf		 again;

	CU_ASSERT_EQUAL_FATAL(encode(c, 0, &out), 0);
	if (decode(BER_MODE_DER, NULL, c->p772, &g) == -1) {
		CU_FAIL(x400_strerror(&d));
		return NULL;
	}
	CU_ASSERT_EQUAL(g->p772, c->p772);
	CU_ASSERT_EQUAL(encode(g, 0, &again), 0);
	CU_ASSERT_EQUAL(again.len, out.len);
	CU_ASSERT(again.len == out.len &&
	    memcmp(again.data, out.data, out.len) == 0);
	buf_free(&again);
	return g;
}

static void
done(void)
{
	x400_dec_free(&d);
	buf_free(&out);
	pooled = 0;
}

/* Decoding out must fail with this code and a reason containing why. */
static void
refused(enum ber_mode mode, const struct x400_limits *lim, bool p772,
    enum ber_err code, const char *why)
{
	struct x400_content	*g = NULL;

	CU_ASSERT_EQUAL(decode(mode, lim, p772, &g), -1);
	CU_ASSERT_EQUAL(d.c.err.code, code);
	if (strstr(x400_strerror(&d), why) == NULL) {
		fprintf(stderr, "\n  got \"%s\", want \"%s\"\n",
		    x400_strerror(&d), why);
		CU_FAIL("error text");
	}
}

static void
enc_refused(const struct x400_content *c, enum ber_err code,
    const char *why)
{
	CU_ASSERT_EQUAL_FATAL(encode(c, 0, &out), 0);
	refused(BER_MODE_DER, NULL, c->p772, code, why);
	done();
}

/* Replace the first occurrence of a byte string in b. */
static void
patch_buf(struct buf *b, const char *from, const char *to)
{
	uint8_t	f[64], t[64];
	size_t	fn, tn, i;

	fn = unit_hex(from, f, sizeof(f));
	tn = unit_hex(to, t, sizeof(t));
	CU_ASSERT_EQUAL_FATAL(fn, tn);
	for (i = 0; i + fn <= b->len; i++)
		if (memcmp(b->data + i, f, fn) == 0) {
			memcpy(b->data + i, t, tn);
			return;
		}
	CU_FAIL_FATAL("patch: bytes not found");
}

static void
patch(const char *from, const char *to)
{
	patch_buf(&out, from, to);
}

static bool
text_is(const struct x400_text *t, const char *s)
{
	return t->utf8 != NULL && t->len == strlen(s) &&
	    memcmp(t->utf8, s, t->len) == 0;
}

static bool
bytes_is(const uint8_t *p, size_t n, const char *hexs)
{
	uint8_t	want[512];
	size_t	wn = unit_hex(hexs, want, sizeof(want));

	return p != NULL && n == wn && memcmp(p, want, n) == 0;
}

static bool
orname_is(const struct x400_orname *o, const char *surname, const char *org)
{
	return o->present && o->surname != NULL && o->org != NULL &&
	    strcmp(o->surname, surname) == 0 && strcmp(o->org, org) == 0 &&
	    strcmp(o->country, "GB") == 0 && strcmp(o->prmd, "MOD") == 0;
}

static bool
time_is(const struct x400_time *t, int day, int hour, int min)
{
	return t->present && t->tm.year == 2026 && t->tm.mon == 11 &&
	    t->tm.day == day && t->tm.hour == hour && t->tm.min == min &&
	    t->tm.sec == 0;
}

/* --- the heading -------------------------------------------------------- */

static void
test_heading(void)
{
	struct x400_content	 c, *g;
	struct x400_ordesc	 auth[2], rr[1];
	struct x400_rcptspec	 prim[2], cp[1], bl[1];
	struct x400_ipmid	 obs[2], rel[1];
	struct x400_hext	 rext[1];
	struct x400_bodypart	 body[1];
	struct x400_ipm		*h;
	size_t			 n;

	ipm_init(&c, false, "0001 261129083000Z");
	c.ipm.this_ipm.user = orname("Smith", "PJHQ");
	c.ipm.has_originator = true;
	c.ipm.originator.formal = orname("Smith", "PJHQ");
	c.ipm.originator.free_form = txt("J. Smith, J3 Ops");
	c.ipm.originator.telephone = "+44 20 7218 9000";
	memset(auth, 0, sizeof(auth));
	auth[0].free_form = txt("Chief of Staff");
	auth[1].formal = orname("Brown", "PJHQ");
	c.ipm.auth = auth;
	c.ipm.nauth = 2;
	memset(prim, 0, sizeof(prim));
	prim[0].who.formal = orname("Jansen", "HQ");
	prim[0].notify.present = true;
	prim[0].notify.bits = 0x3;		/* rn, nrn */
	prim[0].reply_requested = true;
	prim[0].acp127_notify.present = true;
	prim[0].acp127_notify.bits = 0x5;	/* nn, tn */
	memset(rext, 0, sizeof(rext));
	rext[0].oid = "2.6.1.20.1";		/* X.420 precedence */
	rext[0].value = hex("02 01 07", &rext[0].valuelen);
	prim[0].ext = rext;
	prim[0].next = 1;
	prim[1].who.free_form = txt("Duty officer");
	c.ipm.primary = prim;
	c.ipm.nprimary = 2;
	memset(cp, 0, sizeof(cp));
	cp[0].who.formal = orname("Dubois", "EMA");
	c.ipm.copy = cp;
	c.ipm.ncopy = 1;
	memset(bl, 0, sizeof(bl));
	bl[0].who.telephone = "123";
	c.ipm.blind = bl;
	c.ipm.nblind = 1;
	c.ipm.has_blind = true;
	c.ipm.has_replied_to = true;
	c.ipm.replied_to.local = "0000 261128120000Z";
	memset(obs, 0, sizeof(obs));
	obs[0].local = "OLD-1";
	obs[1].user = orname("Smith", "PJHQ");
	obs[1].local = "OLD-2";
	c.ipm.obsoleted = obs;
	c.ipm.nobsoleted = 2;
	memset(rel, 0, sizeof(rel));
	rel[0].local = "REL-1";
	c.ipm.related = rel;
	c.ipm.nrelated = 1;
	c.ipm.subject = txt("\xc3\x9c" "bung Steadfast: phase 2");
	c.ipm.expiry = when(30, 12, 0);
	c.ipm.reply_time = when(29, 18, 30);
	memset(rr, 0, sizeof(rr));
	rr[0].formal = orname("Smith", "PJHQ");
	c.ipm.reply_rcpt = rr;
	c.ipm.nreply_rcpt = 1;
	c.ipm.has_reply_rcpt = true;
	c.ipm.importance = 2;
	c.ipm.sensitivity = 3;
	c.ipm.auto_forwarded = true;
	bp_init(&body[0], X400_BP_IA5_TEXT);
	body[0].text = txt("Body.");
	c.ipm.body = body;
	c.ipm.nbody = 1;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	h = &g->ipm;
	CU_ASSERT_FALSE(g->is_ipn);
	CU_ASSERT(orname_is(&h->this_ipm.user, "Smith", "PJHQ"));
	CU_ASSERT_STRING_EQUAL(h->this_ipm.local, "0001 261129083000Z");
	CU_ASSERT(h->has_originator);
	CU_ASSERT(orname_is(&h->originator.formal, "Smith", "PJHQ"));
	CU_ASSERT(text_is(&h->originator.free_form, "J. Smith, J3 Ops"));
	CU_ASSERT_EQUAL(h->originator.free_form.cs, X400_CS_T61);
	CU_ASSERT_STRING_EQUAL(h->originator.telephone, "+44 20 7218 9000");
	CU_ASSERT_EQUAL_FATAL(h->nauth, 2);
	CU_ASSERT(text_is(&h->auth[0].free_form, "Chief of Staff"));
	CU_ASSERT_FALSE(h->auth[0].formal.present);
	CU_ASSERT(orname_is(&h->auth[1].formal, "Brown", "PJHQ"));
	CU_ASSERT_EQUAL_FATAL(h->nprimary, 2);
	CU_ASSERT(orname_is(&h->primary[0].who.formal, "Jansen", "HQ"));
	CU_ASSERT(h->primary[0].notify.present);
	CU_ASSERT_EQUAL(h->primary[0].notify.bits, 0x3);
	CU_ASSERT(h->primary[0].reply_requested);
	CU_ASSERT(h->primary[0].acp127_notify.present);
	CU_ASSERT_EQUAL(h->primary[0].acp127_notify.bits, 0x5);
	CU_ASSERT_EQUAL_FATAL(h->primary[0].next, 2);
	for (n = 0; n < 2; n++) {
		const struct x400_hext *x = &h->primary[0].ext[n];

		if (strcmp(x->oid, OID_MM(15)) == 0) {
			CU_ASSERT(x->known);
		} else {
			CU_ASSERT_STRING_EQUAL(x->oid, "2.6.1.20.1");
			CU_ASSERT_FALSE(x->known);
			CU_ASSERT(bytes_is(x->value, x->valuelen, "02 01 07"));
		}
	}
	CU_ASSERT(text_is(&h->primary[1].who.free_form, "Duty officer"));
	CU_ASSERT_FALSE(h->primary[1].notify.present);
	CU_ASSERT_FALSE(h->primary[1].reply_requested);
	CU_ASSERT_FALSE(h->primary[1].acp127_notify.present);
	CU_ASSERT_EQUAL_FATAL(h->ncopy, 1);
	CU_ASSERT(orname_is(&h->copy[0].who.formal, "Dubois", "EMA"));
	CU_ASSERT(h->has_blind);
	CU_ASSERT_EQUAL_FATAL(h->nblind, 1);
	CU_ASSERT_STRING_EQUAL(h->blind[0].who.telephone, "123");
	CU_ASSERT(h->has_replied_to);
	CU_ASSERT_STRING_EQUAL(h->replied_to.local, "0000 261128120000Z");
	CU_ASSERT_FALSE(h->replied_to.user.present);
	CU_ASSERT_EQUAL_FATAL(h->nobsoleted, 2);
	CU_ASSERT_STRING_EQUAL(h->obsoleted[0].local, "OLD-1");
	CU_ASSERT_STRING_EQUAL(h->obsoleted[1].local, "OLD-2");
	CU_ASSERT(orname_is(&h->obsoleted[1].user, "Smith", "PJHQ"));
	CU_ASSERT_EQUAL_FATAL(h->nrelated, 1);
	CU_ASSERT_STRING_EQUAL(h->related[0].local, "REL-1");
	CU_ASSERT(text_is(&h->subject, "\xc3\x9c" "bung Steadfast: phase 2"));
	CU_ASSERT_EQUAL(h->subject.cs, X400_CS_T61);
	/* U-umlaut goes as T.61 diacritic 0xC8 followed by U. */
	CU_ASSERT(h->subject.rawlen > 2 && h->subject.raw[0] == 0xc8 &&
	    h->subject.raw[1] == 'U');
	CU_ASSERT(time_is(&h->expiry, 30, 12, 0));
	CU_ASSERT(time_is(&h->reply_time, 29, 18, 30));
	CU_ASSERT(h->has_reply_rcpt);
	CU_ASSERT_EQUAL_FATAL(h->nreply_rcpt, 1);
	CU_ASSERT(orname_is(&h->reply_rcpt[0].formal, "Smith", "PJHQ"));
	CU_ASSERT_EQUAL(h->importance, 2);
	CU_ASSERT_EQUAL(h->sensitivity, 3);
	CU_ASSERT(h->auto_forwarded);
	CU_ASSERT_EQUAL(h->next, 0);
	CU_ASSERT_EQUAL(h->primary_precedence, X400_ABSENT);
	CU_ASSERT_EQUAL(h->codress, X400_ABSENT);
	CU_ASSERT_FALSE(h->has_dist_codes);
	CU_ASSERT_EQUAL(h->nbody, 1);
out:
	done();
}

/* The smallest IPM: defaults come back as defaults. */
static void
test_heading_defaults(void)
{
	struct x400_content	 c, *g;
	struct x400_ipm		*h;

	ipm_init(&c, false, "");
	if ((g = roundtrip(&c)) == NULL)
		goto out;
	/* [0] { SET { [APPLICATION 11] { "" } }, SEQUENCE {} } */
	CU_ASSERT(bytes_is(out.data, out.len, "a0 08 31 04 6b 02 13 00 30 00"));
	h = &g->ipm;
	CU_ASSERT_STRING_EQUAL(h->this_ipm.local, "");
	CU_ASSERT_EQUAL(h->importance, 1);
	CU_ASSERT_EQUAL(h->sensitivity, X400_ABSENT);
	CU_ASSERT_FALSE(h->auto_forwarded);
	CU_ASSERT_FALSE(h->has_originator);
	CU_ASSERT_FALSE(h->has_blind);
	CU_ASSERT_EQUAL(h->nprimary, 0);
	CU_ASSERT_PTR_NULL(h->subject.utf8);
	CU_ASSERT_FALSE(h->expiry.present);
	CU_ASSERT_EQUAL(h->primary_precedence, X400_ABSENT);
	CU_ASSERT_EQUAL(h->copy_precedence, X400_ABSENT);
	CU_ASSERT_EQUAL(h->message_type, X400_ABSENT);
	CU_ASSERT_EQUAL(h->codress, X400_ABSENT);
	CU_ASSERT_EQUAL(h->nbody, 0);
out:
	done();
}

/* --- MMHS heading extensions ------------------------------------------ */

static void
mmhs_build(struct x400_content *c)
{
	static struct x400_ald		ald[2];
	static struct x400_ordesc	exempted[1], pilot_rcpt[1];
	static char			*sics[3] = { "AAA", "BBBBB",
					    "CCCCCCCC" };
	static struct x400_distext	dist[1];
	static struct x400_text		handling[2], instr[1], phand[1];
	static struct x400_ord		ord[1];
	static struct x400_pilot	pilot[1];
	static struct x400_hext		ext[2];

	ipm_init(c, true, "0002 261129090000Z");
	c->ipm.primary_precedence = 4;		/* flash */
	c->ipm.copy_precedence = 2;		/* priority */
	c->ipm.message_type = 0;		/* exercise */
	c->ipm.message_type_id = txt("STEADFAST JUPITER");
	memset(ald, 0, sizeof(ald));
	ald[0].type = 0;
	ald[0].list.formal = orname("DL-ONE", "PJHQ");
	ald[0].notification = 2;
	ald[0].reply = X400_ABSENT;
	ald[1].type = 1;
	ald[1].list.free_form = txt("AIG 1234");
	ald[1].notification = X400_ABSENT;
	ald[1].reply = 1;
	c->ipm.ald = ald;
	c->ipm.nald = 2;
	c->ipm.has_ald = true;
	memset(exempted, 0, sizeof(exempted));
	exempted[0].free_form = txt("RUWTABC");
	c->ipm.exempted = exempted;
	c->ipm.nexempted = 1;
	c->ipm.has_exempted = true;
	c->ipm.ext_auth_info = when(29, 8, 45);
	c->ipm.has_dist_codes = true;
	c->ipm.sics = sics;
	c->ipm.nsics = 3;
	memset(dist, 0, sizeof(dist));
	dist[0].oid = "1.2.826.0.1.1";
	dist[0].value = hex("0c 03 41 42 43", &dist[0].valuelen);
	c->ipm.dist_ext = dist;
	c->ipm.ndist_ext = 1;
	handling[0] = txt("NATO CONFIDENTIAL");
	handling[1] = txt("EYES ONLY");
	c->ipm.handling = handling;
	c->ipm.nhandling = 2;
	c->ipm.has_handling = true;
	instr[0] = txt("ZNR UUUUU");
	c->ipm.instructions = instr;
	c->ipm.ninstructions = 1;
	c->ipm.has_instructions = true;
	c->ipm.codress = -5;
	c->ipm.originator_ref = txt("REF 2026/11/29-1");
	memset(ord, 0, sizeof(ord));
	ord[0].type = 1;
	ord[0].designator = txt("ALL NATO NAVAL COMMANDS");
	c->ipm.other_rcpt = ord;
	c->ipm.nother_rcpt = 1;
	c->ipm.has_other_rcpt = true;
	memset(pilot, 0, sizeof(pilot));
	memset(pilot_rcpt, 0, sizeof(pilot_rcpt));
	pilot_rcpt[0].free_form = txt("HQ ONE");
	phand[0] = txt("PASS TO J3");
	pilot[0].precedence = 3;
	pilot[0].rcpt = pilot_rcpt;
	pilot[0].nrcpt = 1;
	pilot[0].label.present = true;
	pilot[0].label.policy = "1.3.26.1.3.1";
	pilot[0].label.classification = 3;
	pilot[0].label.privacy_mark = txt("NATO CONFIDENTIAL");
	pilot[0].handling = phand;
	pilot[0].nhandling = 1;
	c->ipm.pilot = pilot;
	c->ipm.npilot = 1;
	c->ipm.has_pilot = true;
	c->ipm.acp127_id = txt("RUWTABC1234 3331200");
	c->ipm.originator_plad = txt("PJHQ NORTHWOOD");
	c->ipm.has_info_labels = true;
	c->ipm.info_label.present = true;
	c->ipm.info_label.policy = "1.3.26.1.3.1";
	c->ipm.info_label.classification = 4;
	c->ipm.info_label.privacy_mark.utf8 = NULL;
	memset(ext, 0, sizeof(ext));
	ext[0].oid = "2.6.1.5.0";		/* incomplete-copy: NULL */
	ext[1].oid = "1.2.3.4.5";
	ext[1].value = hex("04 01 ff", &ext[1].valuelen);
	c->ipm.ext = ext;
	c->ipm.next = 2;
}

static void
mmhs_check(const struct x400_ipm *h)
{
	unsigned	i, known = 0;
	bool		saw_null = false, saw_private = false;

	CU_ASSERT_EQUAL(h->primary_precedence, 4);
	CU_ASSERT_EQUAL(h->copy_precedence, 2);
	CU_ASSERT_EQUAL(h->message_type, 0);
	CU_ASSERT(text_is(&h->message_type_id, "STEADFAST JUPITER"));
	CU_ASSERT(h->has_ald);
	CU_ASSERT_EQUAL_FATAL(h->nald, 2);
	CU_ASSERT_EQUAL(h->ald[0].type, 0);
	CU_ASSERT(orname_is(&h->ald[0].list.formal, "DL-ONE", "PJHQ"));
	CU_ASSERT_EQUAL(h->ald[0].notification, 2);
	CU_ASSERT_EQUAL(h->ald[0].reply, X400_ABSENT);
	CU_ASSERT_EQUAL(h->ald[1].type, 1);
	CU_ASSERT(text_is(&h->ald[1].list.free_form, "AIG 1234"));
	CU_ASSERT_EQUAL(h->ald[1].notification, X400_ABSENT);
	CU_ASSERT_EQUAL(h->ald[1].reply, 1);
	CU_ASSERT(h->has_exempted);
	CU_ASSERT_EQUAL_FATAL(h->nexempted, 1);
	CU_ASSERT(text_is(&h->exempted[0].free_form, "RUWTABC"));
	CU_ASSERT(time_is(&h->ext_auth_info, 29, 8, 45));
	CU_ASSERT(h->has_dist_codes);
	CU_ASSERT_EQUAL_FATAL(h->nsics, 3);
	CU_ASSERT_STRING_EQUAL(h->sics[0], "AAA");
	CU_ASSERT_STRING_EQUAL(h->sics[1], "BBBBB");
	CU_ASSERT_STRING_EQUAL(h->sics[2], "CCCCCCCC");
	CU_ASSERT_EQUAL_FATAL(h->ndist_ext, 1);
	CU_ASSERT_STRING_EQUAL(h->dist_ext[0].oid, "1.2.826.0.1.1");
	CU_ASSERT(bytes_is(h->dist_ext[0].value, h->dist_ext[0].valuelen,
	    "0c 03 41 42 43"));
	CU_ASSERT(h->has_handling);
	CU_ASSERT_EQUAL_FATAL(h->nhandling, 2);
	CU_ASSERT(text_is(&h->handling[0], "NATO CONFIDENTIAL"));
	CU_ASSERT(text_is(&h->handling[1], "EYES ONLY"));
	CU_ASSERT(h->has_instructions);
	CU_ASSERT_EQUAL_FATAL(h->ninstructions, 1);
	CU_ASSERT(text_is(&h->instructions[0], "ZNR UUUUU"));
	CU_ASSERT_EQUAL(h->codress, -5);
	CU_ASSERT(text_is(&h->originator_ref, "REF 2026/11/29-1"));
	CU_ASSERT(h->has_other_rcpt);
	CU_ASSERT_EQUAL_FATAL(h->nother_rcpt, 1);
	CU_ASSERT_EQUAL(h->other_rcpt[0].type, 1);
	CU_ASSERT(text_is(&h->other_rcpt[0].designator,
	    "ALL NATO NAVAL COMMANDS"));
	CU_ASSERT(h->has_pilot);
	CU_ASSERT_EQUAL_FATAL(h->npilot, 1);
	CU_ASSERT_EQUAL(h->pilot[0].precedence, 3);
	CU_ASSERT_EQUAL_FATAL(h->pilot[0].nrcpt, 1);
	CU_ASSERT(text_is(&h->pilot[0].rcpt[0].free_form, "HQ ONE"));
	CU_ASSERT(h->pilot[0].label.present);
	CU_ASSERT_STRING_EQUAL(h->pilot[0].label.policy, "1.3.26.1.3.1");
	CU_ASSERT_EQUAL(h->pilot[0].label.classification, 3);
	CU_ASSERT(text_is(&h->pilot[0].label.privacy_mark,
	    "NATO CONFIDENTIAL"));
	CU_ASSERT_EQUAL_FATAL(h->pilot[0].nhandling, 1);
	CU_ASSERT(text_is(&h->pilot[0].handling[0], "PASS TO J3"));
	CU_ASSERT(text_is(&h->acp127_id, "RUWTABC1234 3331200"));
	CU_ASSERT(text_is(&h->originator_plad, "PJHQ NORTHWOOD"));
	CU_ASSERT(h->has_info_labels);
	CU_ASSERT(h->info_label.present);
	CU_ASSERT_STRING_EQUAL(h->info_label.policy, "1.3.26.1.3.1");
	CU_ASSERT_EQUAL(h->info_label.classification, 4);
	CU_ASSERT_PTR_NOT_NULL(h->info_labels_raw);
	CU_ASSERT(h->info_labels_rawlen > 0 && h->info_labels_raw[0] == 0x30);
	/* Every extension kept: the 16 MMHS ones known, 2 others not. */
	CU_ASSERT_EQUAL_FATAL(h->next, 18);
	for (i = 0; i < h->next; i++) {
		if (h->ext[i].known) {
			known++;
			CU_ASSERT(strncmp(h->ext[i].oid, X400_OID_MM_PREFIX,
			    strlen(X400_OID_MM_PREFIX)) == 0);
			CU_ASSERT_PTR_NOT_NULL(h->ext[i].value);
		} else if (strcmp(h->ext[i].oid, "2.6.1.5.0") == 0) {
			saw_null = true;
			CU_ASSERT_PTR_NULL(h->ext[i].value);
		} else if (strcmp(h->ext[i].oid, "1.2.3.4.5") == 0) {
			saw_private = true;
			CU_ASSERT(bytes_is(h->ext[i].value, h->ext[i].valuelen,
			    "04 01 ff"));
		}
	}
	CU_ASSERT_EQUAL(known, 16);
	CU_ASSERT(saw_null);
	CU_ASSERT(saw_private);
}

static void
test_mmhs_extensions(void)
{
	struct x400_content	c, *g;

	mmhs_build(&c);
	if ((g = roundtrip(&c)) != NULL)
		mmhs_check(&g->ipm);
	done();
}

/* The same facts from BER: indefinite lengths, SETs in reverse order,
 * strings in segments; decoded alike and re-encoded to the same DER. */
static void
test_ber_variants(void)
{
	static const unsigned	 variants[] = { BER_ENC_INDEFINITE,
	    BER_ENC_SHUFFLE, BER_ENC_SEGMENTS,
	    BER_ENC_INDEFINITE | BER_ENC_SHUFFLE | BER_ENC_SEGMENTS };
	struct x400_content	 c, *g;
	struct buf		 der, again;
	size_t			 i;

	mmhs_build(&c);
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &der), 0);
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(encode(&c, variants[i], &out), 0);
		CU_ASSERT(out.len != der.len ||
		    memcmp(out.data, der.data, der.len) != 0);
		/* Not DER: refused in DER mode, read in BER mode. */
		CU_ASSERT_EQUAL(decode(BER_MODE_DER, NULL, true, &g), -1);
		x400_dec_free(&d);
		if (decode(BER_MODE_BER, NULL, true, &g) == -1) {
			CU_FAIL(x400_strerror(&d));
			done();
			continue;
		}
		mmhs_check(&g->ipm);
		CU_ASSERT_EQUAL(encode(g, 0, &again), 0);
		CU_ASSERT(again.len == der.len &&
		    memcmp(again.data, der.data, der.len) == 0);
		buf_free(&again);
		x400_dec_free(&d);
		buf_free(&out);
	}
	buf_free(&der);
	pooled = 0;
}

/* --- body parts ---------------------------------------------------------- */

static void
test_basic_body_parts(void)
{
	struct x400_content	 c, inner, *g;
	struct x400_bodypart	 b[11], ib[1];
	const struct x400_bodypart *r;

	ipm_init(&c, false, "0003");
	bp_init(&b[0], X400_BP_IA5_TEXT);
	b[0].text = txt("Line one\r\nLine two");
	bp_init(&b[1], X400_BP_IA5_TEXT);
	b[1].param = 2;				/* ita2 */
	b[1].text = txt("ITA2 TEXT");
	bp_init(&b[2], X400_BP_TELETEX);
	b[2].param = 2;				/* number-of-pages */
	b[2].text = txt("Zeile eins\nZeile zwei mit \xc3\x84");
	bp_init(&b[3], X400_BP_G3_FAX);
	b[3].param = 1;
	b[3].data = hex("30 06 03 04 00 01 02 03", &b[3].datalen);
	bp_init(&b[4], X400_BP_G4_CLASS1);
	b[4].data = hex("30 05 04 03 01 02 03", &b[4].datalen);
	bp_init(&b[5], X400_BP_VIDEOTEX);
	b[5].text = txt("Videotex page 1");
	bp_init(&b[6], X400_BP_ENCRYPTED);
	b[6].params = hex("31 0d 30 0b 06 09 60 86 48 01 65 03 04 01 02",
	    &b[6].paramslen);
	b[6].data = hex("03 04 00 ca fe 01", &b[6].datalen);
	bp_init(&b[7], X400_BP_MIXED_MODE);
	b[7].data = hex("30 03 02 01 07", &b[7].datalen);
	bp_init(&b[8], X400_BP_BILATERAL);
	b[8].data = hex("04 04 de ad be ef", &b[8].datalen);
	bp_init(&b[9], X400_BP_NATIONAL);
	b[9].data = hex("0c 03 4e 4c 44", &b[9].datalen);
	bp_init(&b[10], X400_BP_MESSAGE);
	ipm_init(&inner, false, "INNER-1");
	inner.ipm.subject = txt("Inner message");
	bp_init(&ib[0], X400_BP_IA5_TEXT);
	ib[0].text = txt("Forwarded text.");
	inner.ipm.body = ib;
	inner.ipm.nbody = 1;
	b[10].forwarded = &inner;
	b[10].delivery_time = when(29, 7, 15);
	b[10].delivery_envelope = hex("a1 03 80 01 01",
	    &b[10].delivery_envelope_len);
	c.ipm.body = b;
	c.ipm.nbody = 11;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT_EQUAL_FATAL(g->ipm.nbody, 11);
	r = g->ipm.body;
	CU_ASSERT_EQUAL(r[0].type, X400_BP_IA5_TEXT);
	CU_ASSERT_FALSE(r[0].extended);
	CU_ASSERT_EQUAL(r[0].param, 5);		/* DEFAULT ia5 */
	CU_ASSERT(text_is(&r[0].text, "Line one\r\nLine two"));
	CU_ASSERT_EQUAL(r[0].text.cs, X400_CS_IA5);
	CU_ASSERT(bytes_is(r[0].params, r[0].paramslen, "31 00"));
	CU_ASSERT_EQUAL(r[1].param, 2);
	CU_ASSERT(text_is(&r[1].text, "ITA2 TEXT"));
	CU_ASSERT_EQUAL(r[2].type, X400_BP_TELETEX);
	CU_ASSERT_EQUAL(r[2].param, 2);
	CU_ASSERT(text_is(&r[2].text, "Zeile eins\nZeile zwei mit \xc3\x84"));
	CU_ASSERT_EQUAL(r[2].text.cs, X400_CS_T61);
	/* Two TeletexStrings in the data SEQUENCE. */
	CU_ASSERT(r[2].datalen > 2 && r[2].data[0] == 0x30 &&
	    r[2].data[2] == 0x14 && r[2].data[3] == 10 &&
	    r[2].data[14] == 0x14);
	CU_ASSERT_EQUAL(r[3].type, X400_BP_G3_FAX);
	CU_ASSERT_EQUAL(r[3].param, 1);
	CU_ASSERT(bytes_is(r[3].data, r[3].datalen, "30 06 03 04 00 01 02 03"));
	CU_ASSERT_EQUAL(r[4].type, X400_BP_G4_CLASS1);
	CU_ASSERT(bytes_is(r[4].data, r[4].datalen, "a4 05 04 03 01 02 03"));
	CU_ASSERT_EQUAL(r[5].type, X400_BP_VIDEOTEX);
	CU_ASSERT(text_is(&r[5].text, "Videotex page 1"));
	CU_ASSERT_EQUAL(r[5].param, X400_ABSENT);
	CU_ASSERT(bytes_is(r[5].data, r[5].datalen,
	    "15 0f 56 69 64 65 6f 74 65 78 20 70 61 67 65 20 31"));
	CU_ASSERT_EQUAL(r[6].type, X400_BP_ENCRYPTED);
	CU_ASSERT(bytes_is(r[6].params, r[6].paramslen,
	    "31 0d 30 0b 06 09 60 86 48 01 65 03 04 01 02"));
	CU_ASSERT(bytes_is(r[6].data, r[6].datalen, "03 04 00 ca fe 01"));
	CU_ASSERT_PTR_NULL(r[6].text.utf8);
	CU_ASSERT_EQUAL(r[7].type, X400_BP_MIXED_MODE);
	CU_ASSERT(bytes_is(r[7].data, r[7].datalen, "ab 03 02 01 07"));
	CU_ASSERT_EQUAL(r[8].type, X400_BP_BILATERAL);
	CU_ASSERT(bytes_is(r[8].data, r[8].datalen, "8e 04 de ad be ef"));
	CU_ASSERT_EQUAL(r[9].type, X400_BP_NATIONAL);
	CU_ASSERT(bytes_is(r[9].data, r[9].datalen, "0c 03 4e 4c 44"));
	CU_ASSERT_EQUAL(r[10].type, X400_BP_MESSAGE);
	CU_ASSERT(time_is(&r[10].delivery_time, 29, 7, 15));
	CU_ASSERT(bytes_is(r[10].delivery_envelope,
	    r[10].delivery_envelope_len, "a1 03 80 01 01"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r[10].forwarded);
	CU_ASSERT_FALSE(r[10].forwarded->p772);
	CU_ASSERT_STRING_EQUAL(r[10].forwarded->ipm.this_ipm.local, "INNER-1");
	CU_ASSERT(text_is(&r[10].forwarded->ipm.subject, "Inner message"));
	CU_ASSERT_EQUAL_FATAL(r[10].forwarded->ipm.nbody, 1);
	CU_ASSERT(text_is(&r[10].forwarded->ipm.body[0].text,
	    "Forwarded text."));
out:
	done();
}

static void
test_extended_body_parts(void)
{
	static int64_t		 latin1[] = { 1, 6, 100 }, ascii[] = { 6 },
				 other[] = { 6, 168 };
	struct x400_content	 c, *g;
	struct x400_bodypart	 b[9];
	const struct x400_bodypart *r;

	ipm_init(&c, false, "0004");
	bp_init(&b[0], X400_BP_IA5_TEXT);
	b[0].extended = true;
	b[0].text = txt("Extended IA5");
	bp_init(&b[1], X400_BP_GENERAL_TEXT);
	b[1].charsets = latin1;
	b[1].ncharsets = 3;
	b[1].text = txt("Caf\xc3\xa9 au lait, cr\xc3\xa8me "
	    "br\xc3\xbbl\xc3\xa9" "e");
	bp_init(&b[2], X400_BP_GENERAL_TEXT);
	b[2].charsets = ascii;
	b[2].ncharsets = 1;
	b[2].text = txt("Plain ASCII\r\n");
	bp_init(&b[3], X400_BP_GENERAL_TEXT);
	b[3].charsets = other;
	b[3].ncharsets = 2;
	b[3].text.raw = hex("1b 24 42 30 21", &b[3].text.rawlen);
	bp_init(&b[4], X400_BP_GENERAL_TEXT);
	b[4].charsets = latin1;
	b[4].ncharsets = 3;
	/* ESC - A designates ISO-IR 100: no text, then "ete" accented. */
	b[4].text.raw = hex("1b 2d 41 e9 74 e9", &b[4].text.rawlen);
	bp_init(&b[5], X400_BP_FILE_TRANSFER);
	b[5].params = hex("30 00", &b[5].paramslen);
	b[5].data = hex("30 03 02 01 01", &b[5].datalen);
	bp_init(&b[6], X400_BP_VOICE);
	b[6].params = hex("30 03 81 01 01", &b[6].paramslen);
	b[6].data = hex("04 02 aa bb", &b[6].datalen);
	bp_init(&b[7], X400_BP_UNKNOWN);
	b[7].extended = true;
	b[7].oid = "1.2.3.4.5";
	b[7].param_oid = "1.2.3.4.6";
	b[7].params = hex("02 01 05", &b[7].paramslen);
	b[7].data = hex("04 03 01 02 03", &b[7].datalen);
	bp_init(&b[8], X400_BP_BILATERAL);
	b[8].extended = true;
	b[8].data = hex("04 02 01 02", &b[8].datalen);
	c.ipm.body = b;
	c.ipm.nbody = 9;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT_EQUAL_FATAL(g->ipm.nbody, 9);
	r = g->ipm.body;
	CU_ASSERT_EQUAL(r[0].type, X400_BP_IA5_TEXT);
	CU_ASSERT(r[0].extended);
	CU_ASSERT_STRING_EQUAL(r[0].oid, "2.6.1.4.0");
	CU_ASSERT_PTR_NULL(r[0].param_oid);
	CU_ASSERT_EQUAL(r[0].param, 5);
	CU_ASSERT(text_is(&r[0].text, "Extended IA5"));

	CU_ASSERT_EQUAL(r[1].type, X400_BP_GENERAL_TEXT);
	CU_ASSERT_STRING_EQUAL(r[1].oid, "2.6.1.4.11");
	CU_ASSERT_STRING_EQUAL(r[1].param_oid, "2.6.1.11.11");
	CU_ASSERT_EQUAL_FATAL(r[1].ncharsets, 3);
	CU_ASSERT(r[1].charsets[0] == 1 && r[1].charsets[1] == 6 &&
	    r[1].charsets[2] == 100);
	CU_ASSERT(text_is(&r[1].text,
	    "Caf\xc3\xa9 au lait, cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e"));
	CU_ASSERT_EQUAL(r[1].text.cs, X400_CS_LATIN1);
	/* Sent as ISO 8859-1: the e-acute is one byte, 0xE9. */
	CU_ASSERT(r[1].text.rawlen == 26 && r[1].text.raw[3] == 0xe9);
	CU_ASSERT(bytes_is(r[1].data, r[1].datalen,
	    "1b 1a 43 61 66 e9 20 61 75 20 6c 61 69 74 2c 20 63 72 e8 6d 65"
	    " 20 62 72 fb 6c e9 65"));

	CU_ASSERT(text_is(&r[2].text, "Plain ASCII\r\n"));
	CU_ASSERT_EQUAL(r[2].text.cs, X400_CS_ASCII);
	/* An undeclared set: kept, not read, not an error. */
	CU_ASSERT_EQUAL(r[3].type, X400_BP_GENERAL_TEXT);
	CU_ASSERT_PTR_NULL(r[3].text.utf8);
	CU_ASSERT_EQUAL(r[3].ncharsets, 2);
	CU_ASSERT(bytes_is(r[3].data, r[3].datalen, "1b 05 1b 24 42 30 21"));
	CU_ASSERT(text_is(&r[4].text, "\xc3\xa9t\xc3\xa9"));

	CU_ASSERT_EQUAL(r[5].type, X400_BP_FILE_TRANSFER);
	CU_ASSERT_STRING_EQUAL(r[5].param_oid, "2.6.1.11.12");
	CU_ASSERT(bytes_is(r[5].params, r[5].paramslen, "30 00"));
	CU_ASSERT(bytes_is(r[5].data, r[5].datalen, "30 03 02 01 01"));
	CU_ASSERT_EQUAL(r[6].type, X400_BP_VOICE);
	CU_ASSERT_STRING_EQUAL(r[6].oid, "2.6.1.4.16");
	CU_ASSERT(bytes_is(r[6].data, r[6].datalen, "04 02 aa bb"));

	CU_ASSERT_EQUAL(r[7].type, X400_BP_UNKNOWN);
	CU_ASSERT(r[7].extended);
	CU_ASSERT_STRING_EQUAL(r[7].oid, "1.2.3.4.5");
	CU_ASSERT_STRING_EQUAL(r[7].param_oid, "1.2.3.4.6");
	CU_ASSERT(bytes_is(r[7].params, r[7].paramslen, "02 01 05"));
	CU_ASSERT(bytes_is(r[7].data, r[7].datalen, "04 03 01 02 03"));
	CU_ASSERT_PTR_NULL(r[7].text.utf8);

	CU_ASSERT_EQUAL(r[8].type, X400_BP_BILATERAL);
	CU_ASSERT(r[8].extended);
	CU_ASSERT_STRING_EQUAL(r[8].oid, "2.6.1.4.9");
	CU_ASSERT(bytes_is(r[8].data, r[8].datalen, "04 02 01 02"));
out:
	done();
}

static void
test_p772_body_parts(void)
{
	struct x400_content	 c, fwd, *g;
	struct x400_bodypart	 b[7], fb[1];
	const struct x400_bodypart *r;

	ipm_init(&c, true, "0005");
	bp_init(&b[0], X400_BP_ADATP3);
	b[0].param = 1;
	b[0].text = txt("EXER/STEADFAST 26//\r\nMSGID/SITREP/PJHQ/0003//");
	bp_init(&b[1], X400_BP_ADATP3);
	b[1].set_oriented = true;
	b[1].text = txt("SET LINE ONE\nSET LINE TWO\nSET LINE THREE");
	bp_init(&b[2], X400_BP_CORRECTIONS);
	b[2].param = 2;
	b[2].text = txt("CORRECT LINE 4 TO READ: PHASE THREE");
	bp_init(&b[3], X400_BP_FORWARDED_ENCRYPTED);
	b[3].delivery_time = when(28, 23, 59);
	b[3].delivery_envelope = hex("a1 03 80 01 01",
	    &b[3].delivery_envelope_len);
	b[3].data = hex("03 03 00 ca fe", &b[3].datalen);
	bp_init(&b[4], X400_BP_ACP127DATA);
	b[4].param = 0;
	b[4].text = txt("RTTUZYUW RUWTABC1234 3331200-UUUU--RUWTDEF.");
	bp_init(&b[5], X400_BP_FORWARDED_CONTENT);
	b[5].forwarded_type = X400_OID_P772;
	ipm_init(&fwd, true, "FWD-1");
	fwd.ipm.primary_precedence = 1;
	fwd.ipm.subject = txt("Forwarded P772");
	bp_init(&fb[0], X400_BP_IA5_TEXT);
	fb[0].text = txt("Inside the forwarded content.");
	fwd.ipm.body = fb;
	fwd.ipm.nbody = 1;
	b[5].forwarded = &fwd;
	b[5].delivery_time = when(29, 6, 0);
	bp_init(&b[6], X400_BP_FORWARDED_CONTENT);
	b[6].forwarded_type = "1.2.3.99";
	b[6].data = hex("04 02 01 02", &b[6].datalen);
	c.ipm.body = b;
	c.ipm.nbody = 7;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT_EQUAL_FATAL(g->ipm.nbody, 7);
	r = g->ipm.body;
	CU_ASSERT_EQUAL(r[0].type, X400_BP_ADATP3);
	CU_ASSERT(r[0].extended);
	CU_ASSERT_STRING_EQUAL(r[0].oid, "1.3.26.0.4406.0.7.0");
	CU_ASSERT_STRING_EQUAL(r[0].param_oid, "1.3.26.0.4406.0.7.2");
	CU_ASSERT_EQUAL(r[0].param, 1);
	CU_ASSERT_FALSE(r[0].set_oriented);
	CU_ASSERT(text_is(&r[0].text,
	    "EXER/STEADFAST 26//\r\nMSGID/SITREP/PJHQ/0003//"));
	CU_ASSERT(r[0].datalen > 0 && r[0].data[0] == 0x80);
	CU_ASSERT_EQUAL(r[1].type, X400_BP_ADATP3);
	CU_ASSERT(r[1].set_oriented);
	CU_ASSERT_EQUAL(r[1].param, X400_ABSENT);
	CU_ASSERT_PTR_NULL(r[1].param_oid);
	CU_ASSERT(text_is(&r[1].text,
	    "SET LINE ONE\nSET LINE TWO\nSET LINE THREE"));
	CU_ASSERT(r[1].datalen > 0 && r[1].data[0] == 0xa1);
	CU_ASSERT_EQUAL(r[2].type, X400_BP_CORRECTIONS);
	CU_ASSERT_STRING_EQUAL(r[2].param_oid, "1.3.26.0.4406.0.7.3");
	CU_ASSERT_EQUAL(r[2].param, 2);
	CU_ASSERT(text_is(&r[2].text, "CORRECT LINE 4 TO READ: PHASE THREE"));
	CU_ASSERT_EQUAL(r[3].type, X400_BP_FORWARDED_ENCRYPTED);
	CU_ASSERT_STRING_EQUAL(r[3].oid, "1.3.26.0.4406.0.7.6");
	CU_ASSERT(time_is(&r[3].delivery_time, 28, 23, 59));
	CU_ASSERT(bytes_is(r[3].delivery_envelope, r[3].delivery_envelope_len,
	    "a1 03 80 01 01"));
	CU_ASSERT(bytes_is(r[3].data, r[3].datalen, "03 03 00 ca fe"));
	CU_ASSERT_EQUAL(r[4].type, X400_BP_ACP127DATA);
	CU_ASSERT_STRING_EQUAL(r[4].oid, "1.3.26.0.4406.0.7.12");
	CU_ASSERT_EQUAL(r[4].param, 0);
	CU_ASSERT(text_is(&r[4].text,
	    "RTTUZYUW RUWTABC1234 3331200-UUUU--RUWTDEF."));
	CU_ASSERT_EQUAL(r[5].type, X400_BP_FORWARDED_CONTENT);
	CU_ASSERT_STRING_EQUAL(r[5].oid,
	    "2.6.1.4.17.1.3.26.0.4406.0.4.1");
	CU_ASSERT_STRING_EQUAL(r[5].param_oid,
	    "2.6.1.11.17.1.3.26.0.4406.0.4.1");
	CU_ASSERT_STRING_EQUAL(r[5].forwarded_type, X400_OID_P772);
	CU_ASSERT(time_is(&r[5].delivery_time, 29, 6, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(r[5].forwarded);
	CU_ASSERT(r[5].forwarded->p772);
	CU_ASSERT_EQUAL(r[5].forwarded->ipm.primary_precedence, 1);
	CU_ASSERT(text_is(&r[5].forwarded->ipm.subject, "Forwarded P772"));
	CU_ASSERT_EQUAL_FATAL(r[5].forwarded->ipm.nbody, 1);
	CU_ASSERT(text_is(&r[5].forwarded->ipm.body[0].text,
	    "Inside the forwarded content."));
	/* Another content type: kept, not decoded, not an error. */
	CU_ASSERT_EQUAL(r[6].type, X400_BP_FORWARDED_CONTENT);
	CU_ASSERT_STRING_EQUAL(r[6].forwarded_type, "1.2.3.99");
	CU_ASSERT_PTR_NULL(r[6].forwarded);
	CU_ASSERT(bytes_is(r[6].data, r[6].datalen, "04 02 01 02"));
out:
	done();
}

/* outer -> mm-message -> middle -> mm-message -> inner */
static struct x400_bodypart	nest_bp[2];
static struct x400_content	nest_mid, nest_inner;

static void
nest_build(struct x400_content *c)
{
	static struct x400_bodypart	text[1];

	ipm_init(&nest_inner, true, "INNER");
	nest_inner.ipm.subject = txt("Innermost");
	bp_init(&text[0], X400_BP_IA5_TEXT);
	text[0].text = txt("Deep text.");
	nest_inner.ipm.body = text;
	nest_inner.ipm.nbody = 1;

	ipm_init(&nest_mid, true, "MIDDLE");
	nest_mid.ipm.copy_precedence = 1;
	bp_init(&nest_bp[1], X400_BP_MM_MESSAGE);
	nest_bp[1].forwarded = &nest_inner;
	nest_bp[1].delivery_envelope = hex("a1 03 80 01 02",
	    &nest_bp[1].delivery_envelope_len);
	nest_mid.ipm.body = &nest_bp[1];
	nest_mid.ipm.nbody = 1;

	ipm_init(c, true, "OUTER");
	bp_init(&nest_bp[0], X400_BP_MM_MESSAGE);
	nest_bp[0].forwarded = &nest_mid;
	nest_bp[0].delivery_time = when(29, 9, 0);
	nest_bp[0].delivery_envelope = hex("a1 03 80 01 01",
	    &nest_bp[0].delivery_envelope_len);
	c->ipm.body = &nest_bp[0];
	c->ipm.nbody = 1;
}

static void
test_mm_message_nested(void)
{
	struct x400_content		 c, *g;
	const struct x400_bodypart	*r;
	const struct x400_content	*mid, *in;

	nest_build(&c);
	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT_EQUAL_FATAL(g->ipm.nbody, 1);
	r = &g->ipm.body[0];
	CU_ASSERT_EQUAL(r->type, X400_BP_MM_MESSAGE);
	CU_ASSERT_STRING_EQUAL(r->oid, "1.3.26.0.4406.0.7.9");
	CU_ASSERT_STRING_EQUAL(r->param_oid, "1.3.26.0.4406.0.7.10");
	CU_ASSERT(time_is(&r->delivery_time, 29, 9, 0));
	CU_ASSERT(bytes_is(r->delivery_envelope, r->delivery_envelope_len,
	    "a1 03 80 01 01"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mid = r->forwarded);
	CU_ASSERT(mid->p772);
	CU_ASSERT_STRING_EQUAL(mid->ipm.this_ipm.local, "MIDDLE");
	CU_ASSERT_EQUAL(mid->ipm.copy_precedence, 1);
	CU_ASSERT_EQUAL_FATAL(mid->ipm.nbody, 1);
	CU_ASSERT_FALSE(mid->ipm.body[0].delivery_time.present);
	CU_ASSERT(bytes_is(mid->ipm.body[0].delivery_envelope,
	    mid->ipm.body[0].delivery_envelope_len, "a1 03 80 01 02"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(in = mid->ipm.body[0].forwarded);
	CU_ASSERT_STRING_EQUAL(in->ipm.this_ipm.local, "INNER");
	CU_ASSERT(text_is(&in->ipm.subject, "Innermost"));
	CU_ASSERT_EQUAL_FATAL(in->ipm.nbody, 1);
	CU_ASSERT(text_is(&in->ipm.body[0].text, "Deep text."));
	CU_ASSERT_EQUAL(d.depth, 0);
out:
	done();
}

/* --- IPN ------------------------------------------------------------------ */

static void
test_ipn_receipt(void)
{
	static struct x400_hext	 next[1], rext[1];
	struct x400_content	 c, *g;
	struct x400_ipn		*n;

	memset(&c, 0, sizeof(c));
	c.p772 = true;
	c.is_ipn = true;
	n = &c.ipn;
	n->subject_ipm.user = orname("Smith", "PJHQ");
	n->subject_ipm.local = "0001 261129083000Z";
	n->has_originator = true;
	n->originator.formal = orname("Jansen", "HQ");
	n->has_intended = true;
	n->intended.free_form = txt("Duty officer");
	n->conversion_eits.present = true;
	n->conversion_eits.builtin.present = true;
	n->conversion_eits.builtin.bits = 1u << 2;	/* ia5-text */
	next[0].oid = "2.6.1.18.1";
	next[0].value = hex("31 03 02 01 00", &next[0].valuelen);
	n->ext = next;
	n->next = 1;
	n->kind = X400_IPN_RECEIPT;
	n->receipt_time = when(29, 10, 5);
	n->ack_mode = 1;
	n->suppl_info = "Read by the duty officer";
	rext[0].oid = "1.2.3.7";
	n->kind_ext = rext;
	n->nkind_ext = 1;
	n->reason = X400_ABSENT;
	n->discard_reason = X400_ABSENT;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT(g->is_ipn);
	n = &g->ipn;
	CU_ASSERT_EQUAL(n->kind, X400_IPN_RECEIPT);
	CU_ASSERT(orname_is(&n->subject_ipm.user, "Smith", "PJHQ"));
	CU_ASSERT_STRING_EQUAL(n->subject_ipm.local, "0001 261129083000Z");
	CU_ASSERT(n->has_originator);
	CU_ASSERT(orname_is(&n->originator.formal, "Jansen", "HQ"));
	CU_ASSERT(n->has_intended);
	CU_ASSERT(text_is(&n->intended.free_form, "Duty officer"));
	CU_ASSERT(n->conversion_eits.present);
	CU_ASSERT_EQUAL(n->conversion_eits.builtin.bits, 1u << 2);
	CU_ASSERT_EQUAL_FATAL(n->next, 1);
	CU_ASSERT_STRING_EQUAL(n->ext[0].oid, "2.6.1.18.1");
	CU_ASSERT(bytes_is(n->ext[0].value, n->ext[0].valuelen,
	    "31 03 02 01 00"));
	CU_ASSERT(time_is(&n->receipt_time, 29, 10, 5));
	CU_ASSERT_EQUAL(n->ack_mode, 1);
	CU_ASSERT_STRING_EQUAL(n->suppl_info, "Read by the duty officer");
	CU_ASSERT_EQUAL_FATAL(n->nkind_ext, 1);
	CU_ASSERT_STRING_EQUAL(n->kind_ext[0].oid, "1.2.3.7");
	CU_ASSERT_PTR_NULL(n->kind_ext[0].value);
	CU_ASSERT_PTR_NULL(n->returned);
out:
	done();
}

static void
test_ipn_non_receipt(void)
{
	struct x400_content	 c, ret, *g;
	struct x400_bodypart	 rb[1];
	struct x400_ipn		*n;

	memset(&c, 0, sizeof(c));
	c.is_ipn = true;
	n = &c.ipn;
	n->subject_ipm.local = "0009";
	n->kind = X400_IPN_NON_RECEIPT;
	n->reason = 0;				/* ipm-discarded */
	n->discard_reason = 0;			/* ipm-expired */
	n->auto_forward_comment = "Expired before reading";
	ipm_init(&ret, false, "0009");
	ret.ipm.subject = txt("The returned IPM");
	bp_init(&rb[0], X400_BP_IA5_TEXT);
	rb[0].text = txt("Original text.");
	ret.ipm.body = rb;
	ret.ipm.nbody = 1;
	n->returned = &ret;

	if ((g = roundtrip(&c)) == NULL)
		goto out;
	n = &g->ipn;
	CU_ASSERT(g->is_ipn);
	CU_ASSERT_EQUAL(n->kind, X400_IPN_NON_RECEIPT);
	CU_ASSERT_STRING_EQUAL(n->subject_ipm.local, "0009");
	CU_ASSERT_FALSE(n->subject_ipm.user.present);
	CU_ASSERT_FALSE(n->has_originator);
	CU_ASSERT_FALSE(n->conversion_eits.present);
	CU_ASSERT_EQUAL(n->reason, 0);
	CU_ASSERT_EQUAL(n->discard_reason, 0);
	CU_ASSERT_STRING_EQUAL(n->auto_forward_comment,
	    "Expired before reading");
	CU_ASSERT_FALSE(n->receipt_time.present);
	CU_ASSERT_PTR_NOT_NULL_FATAL(n->returned);
	CU_ASSERT(text_is(&n->returned->ipm.subject, "The returned IPM"));
	CU_ASSERT_EQUAL_FATAL(n->returned->ipm.nbody, 1);
	CU_ASSERT(text_is(&n->returned->ipm.body[0].text, "Original text."));
out:
	done();
}

static void
test_ipn_other(void)
{
	static struct x400_hext	 k[1];
	struct x400_content	 c, *g;

	memset(&c, 0, sizeof(c));
	c.p772 = true;
	c.is_ipn = true;
	c.ipn.subject_ipm.local = "0010";
	c.ipn.kind = X400_IPN_OTHER;
	k[0].oid = OID_MM(16);		/* acp127-notification-response */
	k[0].value = hex("31 11 80 02 06 40 81 0b 32 36 31 31 32 39 31 30 30"
	    "30 5a", &k[0].valuelen);
	c.ipn.kind_ext = k;
	c.ipn.nkind_ext = 1;
	if ((g = roundtrip(&c)) == NULL)
		goto out;
	CU_ASSERT_EQUAL(g->ipn.kind, X400_IPN_OTHER);
	CU_ASSERT_EQUAL_FATAL(g->ipn.nkind_ext, 1);
	CU_ASSERT_STRING_EQUAL(g->ipn.kind_ext[0].oid, OID_MM(16));
	CU_ASSERT_EQUAL(g->ipn.kind_ext[0].valuelen, 19);
out:
	done();
}

/* --- CMS SignedData (STANAG 4406 Annex B) ------------------------------- */

static int
cms_decode(const uint8_t *p, size_t n, struct x400_content **c)
{
	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_BER, NULL, p, n);
	if ((*c = x400_alloc(&d, sizeof(**c), p)) == NULL)
		return -1;
	return x400_content_octets_dec(&d, p, n, true, true, *c);
}

/* ContentInfo { signedData, [0] SignedData { 3, {sha256}, { type,
 * [0] content? }, signerInfos {} } } around ipm. */
static void
cms_wrap(const char *etype, const struct buf *ipm, unsigned variant,
    struct buf *b)
{
	struct ber_enc	e;

	buf_init(b, 1 << 20);
	ber_enc_init(&e, b, variant);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), X400_OID_SIGNEDDATA);
	ber_enc_begin(&e, BER_CTX(0));
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_int(&e, BER_UNIV(BER_INTEGER), 3);
	ber_enc_begin_setof(&e, BER_UNIV(BER_SET));
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), "2.16.840.1.101.3.4.2.1");
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_begin(&e, BER_UNIV(BER_SEQUENCE));
	ber_put_oid_text(&e, BER_UNIV(BER_OID), etype);
	if (ipm != NULL) {
		ber_enc_begin(&e, BER_CTX(0));
		ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), ipm->data,
		    ipm->len);
		ber_enc_end(&e);
	}
	ber_enc_end(&e);
	ber_enc_begin_setof(&e, BER_UNIV(BER_SET));
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
	ber_enc_end(&e);
	CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
}

static void
test_cms_signed(void)
{
	struct x400_content	 c, *g;
	struct buf		 ipm, cms, receipt;

	mmhs_build(&c);
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &ipm), 0);

	cms_wrap(X400_OID_P772, &ipm, 0, &cms);
	if (cms_decode(cms.data, cms.len, &g) == -1) {
		CU_FAIL(x400_strerror(&d));
	} else {
		CU_ASSERT_EQUAL(g->protection, X400_PROT_CMS_SIGNED);
		CU_ASSERT(g->p772);
		CU_ASSERT(g->cms == cms.data && g->cmslen == cms.len);
		CU_ASSERT_STRING_EQUAL(g->econtent_type, X400_OID_P772);
		CU_ASSERT(g->econtent_len == ipm.len &&
		    memcmp(g->econtent, ipm.data, ipm.len) == 0);
		CU_ASSERT_FALSE(g->is_ipn);
		mmhs_check(&g->ipm);
	}
	x400_dec_free(&d);
	buf_free(&cms);

	/* BER: the eContent OCTET STRING in segments, reassembled. */
	cms_wrap(X400_OID_P772, &ipm, BER_ENC_SEGMENTS | BER_ENC_INDEFINITE,
	    &cms);
	if (cms_decode(cms.data, cms.len, &g) == -1) {
		CU_FAIL(x400_strerror(&d));
	} else {
		CU_ASSERT(g->econtent_len == ipm.len &&
		    memcmp(g->econtent, ipm.data, ipm.len) == 0);
		CU_ASSERT(g->econtent < cms.data ||
		    g->econtent >= cms.data + cms.len);
		mmhs_check(&g->ipm);
	}
	x400_dec_free(&d);
	buf_free(&cms);

	/* A signed receipt: recorded, no IPM looked for. */
	buf_init(&receipt, 64);
	CU_ASSERT_EQUAL(buf_add(&receipt, "\x30\x00", 2), 0);
	cms_wrap(X400_OID_RECEIPT, &receipt, 0, &cms);
	CU_ASSERT_EQUAL(cms_decode(cms.data, cms.len, &g), 0);
	CU_ASSERT_EQUAL(g->protection, X400_PROT_CMS_SIGNED);
	CU_ASSERT_STRING_EQUAL(g->econtent_type, X400_OID_RECEIPT);
	CU_ASSERT_EQUAL(g->econtent_len, 2);
	CU_ASSERT_FALSE(g->is_ipn);
	CU_ASSERT_EQUAL(g->ipm.nbody, 0);
	x400_dec_free(&d);
	buf_free(&cms);
	buf_free(&receipt);

	/* Detached: refused. */
	cms_wrap(X400_OID_P772, NULL, 0, &cms);
	CU_ASSERT_EQUAL(cms_decode(cms.data, cms.len, &g), -1);
	CU_ASSERT_EQUAL(d.c.err.code, BER_E_MISSING);
	CU_ASSERT_PTR_NOT_NULL(strstr(x400_strerror(&d), "detached"));
	x400_dec_free(&d);
	buf_free(&cms);

	/* Something else signed: refused. */
	cms_wrap("1.2.840.113549.1.7.1", &ipm, 0, &cms);
	CU_ASSERT_EQUAL(cms_decode(cms.data, cms.len, &g), -1);
	CU_ASSERT_EQUAL(d.c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(x400_strerror(&d),
	    "encapsulates 1.2.840.113549.1.7.1"));
	x400_dec_free(&d);
	buf_free(&cms);

	/* Not SignedData at all. */
	cms_wrap(X400_OID_P772, &ipm, 0, &cms);
	patch_buf(&cms, "2a 86 48 86 f7 0d 01 07 02",
	    "2a 86 48 86 f7 0d 01 07 03");	/* -> envelopedData */
	CU_ASSERT_EQUAL(cms_decode(cms.data, cms.len, &g), -1);
	CU_ASSERT_EQUAL(d.c.err.code, BER_E_UNEXPECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(x400_strerror(&d), "not signedData"));
	x400_dec_free(&d);
	buf_free(&cms);

	/* A signed P772 forwarded as content of type id-ct-contentInfo. */
	{
		struct x400_content		 outer, *og;
		struct x400_bodypart		 fb[1];
		const struct x400_content	*f;
		struct buf			 octs;
		struct ber_enc			 e;

		cms_wrap(X400_OID_P772, &ipm, 0, &cms);
		buf_init(&octs, 1 << 20);
		ber_enc_init(&e, &octs, 0);
		ber_put_octets(&e, BER_UNIV(BER_OCTET_STRING), cms.data,
		    cms.len);
		CU_ASSERT_EQUAL_FATAL(ber_enc_finish(&e), 0);
		ipm_init(&outer, true, "OUTER-CMS");
		bp_init(&fb[0], X400_BP_FORWARDED_CONTENT);
		fb[0].forwarded_type = X400_OID_CONTENTINFO;
		fb[0].data = octs.data;
		fb[0].datalen = octs.len;
		outer.ipm.body = fb;
		outer.ipm.nbody = 1;
		if ((og = roundtrip(&outer)) != NULL) {
			CU_ASSERT_STRING_EQUAL(og->ipm.body[0].oid,
			    "2.6.1.4.17.1.2.840.113549.1.9.16.1.6");
			CU_ASSERT_PTR_NOT_NULL_FATAL(f =
			    og->ipm.body[0].forwarded);
			CU_ASSERT_EQUAL(f->protection, X400_PROT_CMS_SIGNED);
			CU_ASSERT_STRING_EQUAL(f->econtent_type,
			    X400_OID_P772);
			CU_ASSERT(f->p772);
			mmhs_check(&f->ipm);
		}
		done();
		buf_free(&octs);
		buf_free(&cms);
	}

	/* Plain content octets through the same entry point. */
	if (cms_decode(ipm.data, ipm.len, &g) != -1)
		CU_FAIL("plain IPM decoded as CMS");
	x400_dec_free(&d);
	memset(&d, 0, sizeof(d));
	x400_limits_default(&d.lim);
	ber_ctx_init(&d.c, BER_MODE_DER, NULL, ipm.data, ipm.len);
	g = x400_alloc(&d, sizeof(*g), ipm.data);
	CU_ASSERT_EQUAL(x400_content_octets_dec(&d, ipm.data, ipm.len, true,
	    false, g), 0);
	CU_ASSERT_EQUAL(g->protection, X400_PROT_NONE);
	mmhs_check(&g->ipm);
	x400_dec_free(&d);
	buf_free(&ipm);
	pooled = 0;
}

/* --- refusals ------------------------------------------------------------- */

static void
test_duplicate_precedence(void)
{
	struct x400_content	c;
	struct x400_hext	x[1];

	ipm_init(&c, true, "0020");
	c.ipm.primary_precedence = 2;
	memset(x, 0, sizeof(x));
	x[0].oid = OID_MM(0);
	x[0].value = hex("02 01 04", &x[0].valuelen);
	c.ipm.ext = x;
	c.ipm.next = 1;
	enc_refused(&c, BER_E_DUPLICATE, "primary-precedence appears twice");

	ipm_init(&c, true, "0020");
	c.ipm.copy_precedence = 2;
	x[0].oid = OID_MM(1);
	x[0].value = hex("02 01 04", &x[0].valuelen);
	c.ipm.ext = x;
	c.ipm.next = 1;
	enc_refused(&c, BER_E_DUPLICATE, "copy-precedence appears twice");

	/* A MMHS extension needs its value. */
	ipm_init(&c, true, "0020");
	x[0].oid = OID_MM(9);
	x[0].value = NULL;
	c.ipm.ext = x;
	c.ipm.next = 1;
	enc_refused(&c, BER_E_MISSING, "codress-message without a value");

	/* In a recipient specifier too. */
	{
		struct x400_rcptspec	rs[1];

		ipm_init(&c, true, "0020");
		memset(rs, 0, sizeof(rs));
		rs[0].who.free_form = txt("Ops");
		rs[0].acp127_notify.present = true;
		rs[0].acp127_notify.bits = 1;
		x[0].oid = OID_MM(15);
		x[0].value = hex("03 02 05 40", &x[0].valuelen);
		rs[0].ext = x;
		rs[0].next = 1;
		c.ipm.primary = rs;
		c.ipm.nprimary = 1;
		enc_refused(&c, BER_E_DUPLICATE,
		    "acp127-notification-request appears twice");
	}

	ipm_init(&c, true, "0020");
	c.ipm.primary_precedence = 40;
	enc_refused(&c, BER_E_RANGE, "primary-precedence 40 outside 0..31");
}

static void
test_sics(void)
{
	static char		*two[] = { "AB" }, *nine[] = { "AAA", "BBB",
				    "CCC", "DDD", "EEE", "FFF", "GGG", "HHH",
				    "III" }, *long9[] = { "ABCDEFGHI" };
	struct x400_content	 c;

	ipm_init(&c, true, "0021");
	c.ipm.has_dist_codes = true;
	c.ipm.sics = two;
	c.ipm.nsics = 1;
	enc_refused(&c, BER_E_RANGE, "SIC \"AB\" shorter than 3 characters");

	c.ipm.sics = nine;
	c.ipm.nsics = 9;
	enc_refused(&c, BER_E_COUNT, "more than 8 SICs");

	c.ipm.sics = long9;
	c.ipm.nsics = 1;
	enc_refused(&c, BER_E_RANGE,
	    "SIC \"ABCDEFGHI\" longer than 8 characters");

	/* Eight is the most, and fine. */
	c.ipm.sics = nine;
	c.ipm.nsics = 8;
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	{
		struct x400_content *g;

		CU_ASSERT_EQUAL(decode(BER_MODE_DER, NULL, true, &g), 0);
		CU_ASSERT_EQUAL(g->ipm.nsics, 8);
	}
	done();
}

static void
test_forward_depth_limit(void)
{
	struct x400_content	 c, *g;
	struct x400_limits	 lim;

	nest_build(&c);
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	x400_limits_default(&lim);
	lim.max_forward_depth = 2;
	CU_ASSERT_EQUAL(decode(BER_MODE_DER, &lim, true, &g), 0);
	x400_dec_free(&d);
	lim.max_forward_depth = 1;
	refused(BER_MODE_DER, &lim, true, BER_E_DEPTH,
	    "forwarded message nested more than 1 deep");
	x400_dec_free(&d);
	lim.max_forward_depth = 0;
	refused(BER_MODE_DER, &lim, true, BER_E_DEPTH,
	    "forwarded message nested more than 0 deep");
	done();
}

static void
test_body_part_limit(void)
{
	struct x400_content	 c, *g;
	struct x400_bodypart	 b[3];
	struct x400_limits	 lim;
	int			 i;

	ipm_init(&c, false, "0022");
	for (i = 0; i < 3; i++) {
		bp_init(&b[i], X400_BP_IA5_TEXT);
		b[i].text = txt("part");
	}
	c.ipm.body = b;
	c.ipm.nbody = 3;
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	x400_limits_default(&lim);
	lim.max_body_parts = 3;
	CU_ASSERT_EQUAL(decode(BER_MODE_DER, &lim, false, &g), 0);
	x400_dec_free(&d);
	lim.max_body_parts = 2;
	refused(BER_MODE_DER, &lim, false, BER_E_COUNT,
	    "more than 2 body parts");
	done();
}

static void
test_heading_duplicate_component(void)
{
	struct x400_content	c;

	ipm_init(&c, false, "0023");
	c.ipm.importance = 2;
	c.ipm.sensitivity = 3;
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	/* sensitivity [13] becomes a second importance [12] */
	patch("8d 01 03", "8c 01 03");
	refused(BER_MODE_BER, NULL, false, BER_E_DUPLICATE,
	    "importance ([12]) appears twice");
	done();

	/* A component the Heading does not have. */
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	patch("8d 01 03", "9e 01 03");
	refused(BER_MODE_BER, NULL, false, BER_E_UNEXPECTED,
	    "[30] is not a component of this SET");
	done();
}

static void
test_subject_charset(void)
{
	struct x400_content	c;

	ipm_init(&c, false, "0024");
	c.ipm.subject = txt("ABCD");
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &out), 0);
	patch("41 42 43 44", "41 42 1b 44");	/* ESC in a TeletexString */
	refused(BER_MODE_DER, NULL, false, BER_E_CHARSET,
	    "escape sequence in TeletexString");
	done();

	/* A subject over 128 characters. */
	{
		char	s[130];

		memset(s, 'x', 129);
		s[129] = '\0';
		ipm_init(&c, false, "0024");
		c.ipm.subject = txt(s);
		enc_refused(&c, BER_E_RANGE,
		    "subject of 129 characters (0 to 128)");
	}
}

static void
test_body_refusals(void)
{
	static int64_t		 ascii[] = { 6 };
	struct x400_content	 c, inner;
	struct x400_bodypart	 b[1];
	char			 s[71];

	/* General text outside its declared sets. */
	ipm_init(&c, false, "0025");
	bp_init(&b[0], X400_BP_GENERAL_TEXT);
	b[0].charsets = ascii;
	b[0].ncharsets = 1;
	b[0].text.raw = hex("63 61 66 e9", &b[0].text.rawlen);
	c.ipm.body = b;
	c.ipm.nbody = 1;
	enc_refused(&c, BER_E_CHARSET,
	    "general text byte 0xe9 at index 3 outside the registered");

	/* Parameters of another type. */
	ipm_init(&c, false, "0025");
	bp_init(&b[0], X400_BP_GENERAL_TEXT);
	b[0].charsets = ascii;
	b[0].ncharsets = 1;
	b[0].text = txt("x");
	b[0].param_oid = "2.6.1.11.99";
	c.ipm.body = b;
	c.ipm.nbody = 1;
	enc_refused(&c, BER_E_UNEXPECTED,
	    "general-text parameters identified by 2.6.1.11.99, expected "
	    "2.6.1.11.11");

	/* An mm-message's parameters need the delivery envelope. */
	ipm_init(&inner, true, "IN");
	ipm_init(&c, true, "0025");
	bp_init(&b[0], X400_BP_MM_MESSAGE);
	b[0].delivery_time = when(29, 1, 2);
	b[0].forwarded = &inner;
	c.ipm.body = b;
	c.ipm.nbody = 1;
	enc_refused(&c, BER_E_MISSING,
	    "mandatory component delivery-envelope absent");

	/* Encrypted parameters need their algorithm; the encoder does not
	 * make one up. */
	ipm_init(&c, false, "0025");
	bp_init(&b[0], X400_BP_ENCRYPTED);
	b[0].params = hex("31 03 02 01 00", &b[0].paramslen);
	b[0].data = hex("03 02 00 ff", &b[0].datalen);
	c.ipm.body = b;
	c.ipm.nbody = 1;
	enc_refused(&c, BER_E_MISSING,
	    "encrypted parameters without an algorithm-identifier");
	b[0].params = NULL;
	b[0].paramslen = 0;
	CU_ASSERT_EQUAL(encode(&c, 0, &out), -1);
	buf_free(&out);
	pooled = 0;

	/* A MilitaryString of 70 characters. */
	memset(s, 'A', 70);
	s[70] = '\0';
	ipm_init(&c, true, "0025");
	c.ipm.originator_ref = txt(s);
	enc_refused(&c, BER_E_RANGE,
	    "originator-reference of 70 characters (1 to 69)");

	/* ACP 127 data may not be empty. */
	ipm_init(&c, true, "0025");
	bp_init(&b[0], X400_BP_ACP127DATA);
	b[0].text = txt("");
	c.ipm.body = b;
	c.ipm.nbody = 1;
	enc_refused(&c, BER_E_RANGE, "acp127data of 0 characters (1 to 65535)");
}

/* Hand-made bytes: defaults in DER, wrong information objects. */
static void
raw_refused(const char *hexs, enum ber_err code, const char *why)
{
	struct x400_content	*g;
	uint8_t			 raw[256];
	size_t			 n = unit_hex(hexs, raw, sizeof(raw));

	CU_ASSERT_EQUAL(x400_decode_content(&d, BER_MODE_DER, NULL, raw, n,
	    false, &g), -1);
	CU_ASSERT_EQUAL(d.c.err.code, code);
	if (strstr(x400_strerror(&d), why) == NULL) {
		fprintf(stderr, "\n  got \"%s\", want \"%s\"\n",
		    x400_strerror(&d), why);
		CU_FAIL("error text");
	}
	x400_dec_free(&d);
}

static void
test_raw_refusals(void)
{
	struct x400_content	*g, c;
	struct buf		 full;
	uint8_t			 raw[64];
	size_t			 n;

	/* importance normal written out: BER accepts, DER refuses. */
	n = unit_hex("a0 0c 31 08 6b 03 13 01 41 8c 01 01 30 00", raw,
	    sizeof(raw));
	CU_ASSERT_EQUAL(x400_decode_content(&d, BER_MODE_BER, NULL, raw, n,
	    false, &g), 0);
	CU_ASSERT_EQUAL(g->ipm.importance, 1);
	x400_dec_free(&d);
	raw_refused("a0 0c 31 08 6b 03 13 01 41 8c 01 01 30 00",
	    BER_E_UNEXPECTED, "importance normal encoded with its default "
	    "value");
	raw_refused("a2 00", BER_E_UNEXPECTED,
	    "neither an IPM [0] nor an IPN [1]");
	raw_refused("a0 0d 31 05 6b 03 13 01 41 30 04 82 02 00 00",
	    BER_E_UNEXPECTED, "body part [2] is none of the X.420 body part "
	    "types");
	raw_refused("a0 0d 31 09 6b 03 13 01 41 ab 02 31 00 30 00",
	    BER_E_MISSING, "reply recipient without a formal name");
	/* An IPN without its choice. */
	raw_refused("a1 05 6b 03 13 01 41", BER_E_MISSING,
	    "mandatory component choice absent");
	/* Trailing bytes after the body. */
	raw_refused("a0 0b 31 05 6b 03 13 01 41 30 00 05 00", BER_E_TRAILING,
	    "unexpected NULL after the last component");

	/* Cut anywhere: always an error, never a crash. */
	mmhs_build(&c);
	CU_ASSERT_EQUAL_FATAL(encode(&c, 0, &full), 0);
	for (n = 0; n < full.len; n++) {
		CU_ASSERT_EQUAL(x400_decode_content(&d, BER_MODE_BER, NULL,
		    full.data, n, true, &g), -1);
		CU_ASSERT_NOT_EQUAL(d.c.err.code, BER_OK);
		x400_dec_free(&d);
	}
	buf_free(&full);
	pooled = 0;
}

static const struct unit_test tests[] = {
	{ "heading: every field", test_heading },
	{ "heading: defaults", test_heading_defaults },
	{ "MMHS heading extensions", test_mmhs_extensions },
	{ "BER variants decode alike", test_ber_variants },
	{ "basic body parts", test_basic_body_parts },
	{ "extended body parts", test_extended_body_parts },
	{ "P772 body parts", test_p772_body_parts },
	{ "mm-message nested two deep", test_mm_message_nested },
	{ "IPN receipt", test_ipn_receipt },
	{ "IPN non-receipt with returned IPM", test_ipn_non_receipt },
	{ "IPN other notification", test_ipn_other },
	{ "CMS SignedData around P772", test_cms_signed },
	{ "duplicate MMHS extensions", test_duplicate_precedence },
	{ "SIC bounds", test_sics },
	{ "forwarding depth limit", test_forward_depth_limit },
	{ "body part limit", test_body_part_limit },
	{ "heading SET duplicates", test_heading_duplicate_component },
	{ "subject charset and size", test_subject_charset },
	{ "body part refusals", test_body_refusals },
	{ "hand-made refusals", test_raw_refusals },
	{ NULL, NULL }
};
UNIT_SUITE(x400_ipm, "x400-ipm", tests);
