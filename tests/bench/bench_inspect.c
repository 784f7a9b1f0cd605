/*
 * bench_inspect.c - what the verify role does to one message, in one
 * process on one core, with the guard's own policy and PKI: decode the P1
 * envelope and P772 content, then every check of cms_verify() under the
 * direction's signature rule (trust anchors, path, CRLs for the whole
 * chain when the policy names them, ESS attributes, algorithms).  This is
 * the rate bench_pipeline.sh holds the whole guard's throughput against:
 * the same message, the same checks, no spool, no processes.
 *
 *	bench_inspect POLICY PKI DIRECTION MESSAGE [SECONDS]
 *
 * Prints "bench_inspect: N msg/s (...)".  Run without arguments (as by
 * make bench, which runs every benchmark so), it says that
 * bench_pipeline.sh runs it and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filters/cms/cms_verify.h"
#include "filters/x400/x400.h"
#include "guard/common/file.h"
#include "guard/common/log.h"
#include "policy/guardpol.h"
#include "tests/bench/bench.h"

/* One message through the verify role's work; 0 when the signature and
 * everything cms_verify checks held. */
static int
inspect_one(const struct gp_rule *sig, const uint8_t *msg, size_t len,
    char *why, size_t whylen)
{
	struct x400_dec		 d;
	struct x400_msg		*x;
	struct cms_facts	 f;
	int			 rc = -1;

	memset(&f, 0, sizeof(f));
	if (x400_decode(&d, BER_MODE_BER, NULL, msg, len, &x) == -1) {
		(void)snprintf(why, whylen, "does not decode");
		return -1;
	}
	if (x->body == NULL || x->body->protection != X400_PROT_CMS_SIGNED)
		(void)snprintf(why, whylen, "not CMS-signed");
	else if (cms_verify(&d, &sig->u.sig.cms, x->content, x->content_len,
	    &f) == -1 || !f.ok)
		(void)snprintf(why, whylen, "%s", f.reason);
	else
		rc = 0;
	x400_dec_free(&d);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct guardpol		*gp;
	const struct gp_rule	*sig;
	enum gp_dir		 dir;
	uint8_t			*msg;
	size_t			 len;
	char			 err[1024];
	double			 t0, t, secs;
	unsigned long		 n = 0;

	log_init("bench_inspect", LOG_TO_STDERR, 0);
	if (argc == 1) {
		printf("bench_inspect: run by bench_pipeline.sh with the "
		    "guard's policy, PKI and message\n");
		return 0;
	}
	if (argc < 5 || argc > 6)
		fatalx("usage: bench_inspect POLICY PKI DIRECTION MESSAGE "
		    "[SECONDS]");
	secs = argc == 6 ? atof(argv[5]) : 3.0;
	if (gp_dir_from_name(argv[3], &dir) == -1)
		fatalx("%s: not a direction", argv[3]);
	if ((gp = gp_load_file(argv[1], argv[2], err, sizeof(err))) == NULL)
		fatalx("%s", err);
	if (!gp->dirs[dir].present ||
	    (sig = gp_rule_of(&gp->dirs[dir], GP_SIGNATURE)) == NULL ||
	    !sig->u.sig.store)
		fatalx("%s: no signature rule with trust anchors for %s",
		    argv[1], argv[3]);
	if ((msg = (uint8_t *)file_read(argv[4], 64u << 20, &len)) == NULL)
		fatal("%s", argv[4]);
	/* A message that does not verify would measure the refusal. */
	if (inspect_one(sig, msg, len, err, sizeof(err)) == -1)
		fatalx("%s: %s", argv[4], err);
	t0 = now();
	do {
		if (inspect_one(sig, msg, len, err, sizeof(err)) == -1)
			fatalx("%s: %s", argv[4], err);
		n++;
	} while ((t = now()) - t0 < secs);
	printf("bench_inspect: %.0f msg/s (decode and cms_verify under the "
	    "%s signature rule%s, %zu-byte message, one core)\n",
	    (double)n / (t - t0), argv[3], sig->u.sig.ncrls > 0 ?
	    ", CRLs checked" : "", len);
	free(msg);
	gp_free(gp);
	return 0;
}
