/*
 * bench_decide.c - decisions per second of the decision engine.
 *
 * The policy is the example guard policy's high-to-low direction with its
 * leakage rule replaced by 10,000 phrases (invented words and two-word
 * phrases, fixed seed) and no signature rule; the message is a typical
 * 8 KB P772 message (FREEDONIA SECRET REL TO GBR, a subject, SICs and
 * about 8 KB of text in two body parts, none of it matching).  Two
 * figures: decide() alone on facts decoded once (what the policy role
 * does), and inspect_message() (decode + decide, unsigned) per message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filters/x400/spec.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "policy/decide.h"
#include "policy/inspect.h"
#include "tests/bench/bench.h"

#define PHRASES		10000
#define SECONDS		2.0

static unsigned long long	rng_state = 0x2545f4914f6cdd1dULL;

static unsigned
rng(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL +
	    1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static void
add(struct buf *b, const char *s)
{
	if (buf_add(b, s, strlen(s)) == -1)
		fatalx("out of memory");
}

/* An invented word of 5 to 10 letters that no message below contains. */
static void
word(char *w)
{
	unsigned	n = 5 + rng(6), i;

	for (i = 0; i < n; i++)
		w[i] = (char)('a' + rng(26));
	w[0] = 'q';		/* the message text has no 'q' */
	w[n] = '\0';
}

static struct guardpol *
policy(void)
{
	struct buf	 b;
	char		 w1[16], w2[16], line[128], err[1024];
	struct guardpol	*gp;
	unsigned	 i;

	buf_init(&b, 8 << 20);
	add(&b, "<guardPolicy xmlns=\"urn:mmguard:guard-policy:1\" name=\"bench\""
	    " version=\"1\">\n"
	    "<securityPolicy name=\"FREEDONIA\" spif=\"freedonia.xml\"/>\n"
	    "<securityPolicy name=\"NATO\" spif=\"nato.xml\"/>\n"
	    "<retention days=\"30\"/>\n"
	    "<direction name=\"high-to-low\">\n"
	    "<source policy=\"FREEDONIA\"/><destination policy=\"NATO\"/>\n"
	    "<label id=\"lbl\"/>\n"
	    "<clearance id=\"clr\"><classification>SECRET</classification>"
	    "<category tagSet=\"Releasable To\" values=\"GBR NLD\"/>"
	    "</clearance>\n"
	    "<leakage id=\"words\" threshold=\"10\" ignoreSeparators=\"true\">\n");
	for (i = 0; i < PHRASES; i++) {
		word(w1);
		if (i % 3 == 0) {
			word(w2);
			(void)snprintf(line, sizeof(line), "<phrase weight=\"5\">"
			    "%s %s</phrase>\n", w1, w2);
		} else
			(void)snprintf(line, sizeof(line), "<phrase weight=\"5\">"
			    "%s</phrase>\n", w1);
		add(&b, line);
	}
	add(&b, "</leakage>\n"
	    "<sics id=\"sic\"><deny>Z*</deny><allow>A*</allow></sics>\n"
	    "<bodyParts id=\"bp\"><allow>ia5-text</allow></bodyParts>\n"
	    "<size id=\"size\" maxBytes=\"4194304\" maxRecipients=\"64\"/>\n"
	    "<originators id=\"orig\"><allow>*C=GB</allow></originators>\n"
	    "<recipients id=\"rcpt\"><allow>*P=NATO*</allow></recipients>\n"
	    "<messageTypes id=\"mt\"><allow>exercise</allow></messageTypes>\n"
	    "<precedence id=\"prec\" max=\"flash\"/>\n"
	    "</direction>\n</guardPolicy>\n");
	/* Named in policy/examples/ so that the SPIFs resolve there. */
	gp = gp_load("policy/examples/bench.xml", b.data, b.len, NULL, err,
	    sizeof(err));
	if (gp == NULL)
		fatalx("%s", err);
	buf_free(&b);
	return gp;
}

static void
message(struct buf *wire)
{
	struct buf	 s;
	struct x400_dec	 d;
	struct x400_msg	*m;
	char		 err[512];
	int		 i;

	buf_init(&s, 1 << 20);
	add(&s, "message-id: C=GB; A= ; P=MOD; L=BENCH-1\n"
	    "originator: S=Berg; OU1=J3; O=FDF; P=MOD; A= ; C=GB\n"
	    "recipient: S=Ops; O=SHAPE; P=NATO; A= ; C=BE\n"
	    "content-type: p772\n"
	    "trace: C=GB; A= ; P=MOD; arrival=20261129084600Z\n"
	    "security-label: policy=2.999.4406.1; classification=4; "
	    "enumerated-permissive=2.999.4406.2.2:826\n"
	    "\n[heading]\nthis-ipm: local=BENCH-1\n"
	    "subject: Daily logistics report for the exercise area\n"
	    "primary-precedence: routine\nmessage-type: exercise; id=B\n"
	    "sic: AAA\nsic: ABC\n\n[body ia5-text]\n");
	for (i = 0; i < 60; i++)
		add(&s, "All units report fuel, water and rations at planned "
		    "levels; convoy timings unchanged.\n");
	add(&s, "[body ia5-text]\n");
	for (i = 0; i < 40; i++)
		add(&s, "Weather for the next day: light winds from the west, "
		    "visibility good, no change.\n");
	if (x400_spec_parse(&d, "bench", ".", (const char *)s.data, s.len, &m,
	    NULL, err, sizeof(err)) == -1)
		fatalx("spec: %s", err);
	buf_init(wire, 1 << 20);
	if (x400_encode(m, 0, wire) == -1)
		fatalx("encode");
	x400_dec_free(&d);
	buf_free(&s);
}

int
main(void)
{
	struct guardpol		*gp;
	struct decide_ctx	*ctx;
	struct buf		 wire;
	struct x400_dec		 d;
	struct x400_msg		*m;
	struct decide_in	 in;
	struct verdict		 v;
	double			 t0, t, r1, r2;
	unsigned long		 n;

	log_init("bench_decide", LOG_TO_STDERR, 0);
	t0 = now();
	gp = policy();
	t = now() - t0;
	{
		char	err[256];

		if ((ctx = decide_ctx_new(gp, err, sizeof(err))) == NULL)
			fatalx("%s", err);
	}
	message(&wire);
	printf("bench_decide: policy with %d phrases compiled in %.2f s; "
	    "message %zu bytes\n", PHRASES, t, wire.len);

	if (x400_decode(&d, BER_MODE_BER, NULL, wire.data, wire.len, &m) ==
	    -1)
		fatalx("decode: %s", x400_strerror(&d));
	memset(&in, 0, sizeof(in));
	in.msg = m;
	in.size = wire.len;
	(void)decide(gp, GP_HIGH_TO_LOW, &in, ctx, &v);
	if (v.verdict != GP_RELEASE)
		fatalx("the bench message is not released: %s: %s",
		    v.reasons[0].rule, v.reasons[0].text);
	verdict_free(&v);

	for (n = 0, t0 = now(); (t = now() - t0) < SECONDS; n++) {
		(void)decide(gp, GP_HIGH_TO_LOW, &in, ctx, &v);
		verdict_free(&v);
	}
	r1 = (double)n / t;
	x400_dec_free(&d);
	for (n = 0, t0 = now(); (t = now() - t0) < SECONDS; n++) {
		(void)inspect_message(gp, GP_HIGH_TO_LOW, wire.data, wire.len,
		    ctx, &v);
		verdict_free(&v);
	}
	r2 = (double)n / t;
	printf("bench_decide: decide() on decoded facts: %.0f decisions/s "
	    "(%.1f us each)\n", r1, 1e6 / r1);
	printf("bench_decide: decode + decide per message: %.0f messages/s "
	    "(%.1f MB/s of 8 KB messages)\n", r2,
	    r2 * (double)wire.len / 1e6);
	buf_free(&wire);
	decide_ctx_free(ctx);
	gp_free(gp);
	return 0;
}
