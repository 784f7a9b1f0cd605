/*
 * decide.h - the decision engine: (compiled guard policy, direction,
 * message facts with verification facts) -> verdict.
 *
 * decide() is a pure function of its inputs: no I/O, no clock, no
 * randomness; the same inputs give the same verdict, reasons and hits in
 * the same order.  Every rule of the direction is evaluated, in the
 * policy's order, after the guard's own checks (rule ids "guard.*": the
 * message decoded, is a message, carries no unknown critical extension,
 * has content the guard inspects).  Each refusal adds a reason naming its
 * rule; the verdict is the most severe action among the reasons
 * (reject > quarantine > refer > release), release when there is none.
 *
 * Results live in fixed-size arrays inside struct verdict (counts beyond
 * them are kept, and the overflow said), so deciding cannot fail half-way;
 * the labels are the only allocations, through the aborting allocator.
 *
 * Which label is judged: the ESS label the signature binds when the
 * message is signed and verified, else the P1 message-security-label,
 * else the P772 information-labels.  A label of the source policy is
 * mapped to the destination policy through whichever of the two SPIFs
 * holds the equivalences (the source's, applied for sending out, or the
 * destination's, applied for receiving in); a label already in the
 * destination policy is judged as it is.
 *
 * Precedence: the P772 primary precedence, else the P1 priority mapped
 * non-urgent -> deferred, normal -> routine, urgent -> priority.
 */
#ifndef MMGUARD_DECIDE_H
#define MMGUARD_DECIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "filters/cms/cms_verify.h"
#include "policy/guardpol.h"
#include "policy/label.h"

#define DECIDE_MAX_REASONS	32
#define DECIDE_MAX_HITS		32
#define DECIDE_RULE_LEN		64
#define DECIDE_TEXT_LEN		320
#define DECIDE_MARK_LEN		256

struct decide_in {
	size_t			 size;		/* bytes of the message */
	const struct x400_msg	*msg;		/* NULL: did not decode */
	const char		*decode_error;	/* when msg is NULL */
	const struct cms_facts	*cms;		/* NULL: not CMS-protected */
	/*
	 * A security officer asked for the release of this held or
	 * quarantined message: refusals whose action is refer or quarantine
	 * are kept as reasons (marked) but do not set the verdict; a reject
	 * still rejects.
	 */
	bool			 officer;
};

struct decide_reason {
	char		 rule[DECIDE_RULE_LEN];
	enum gp_verdict	 action;
	char		 text[DECIDE_TEXT_LEN];
};

struct decide_hit {
	char		 rule[DECIDE_RULE_LEN];
	char		 phrase[128];
	char		 where[64];	/* "subject", "body part 2", ... */
	size_t		 off, len;	/* in that text's UTF-8 */
	int		 weight;
};

struct verdict {
	enum gp_verdict	 verdict;
	enum gp_dir	 dir;
	struct decide_reason reasons[DECIDE_MAX_REASONS];
	size_t		 nreasons;	/* kept */
	size_t		 total_reasons;	/* found */
	bool		 has_source, has_destination;
	struct label	 source, destination;
	char		 source_marking[DECIDE_MARK_LEN];
	char		 destination_marking[DECIDE_MARK_LEN];
	bool		 forward_source;	/* the source label travels */
	char		 signer[512];	/* first verified signer, or "" */
	int		 precedence;	/* 0 deferred .. 5 override, -1 */
	struct decide_hit hits[DECIDE_MAX_HITS];
	size_t		 nhits;
	size_t		 total_hits;
	long long	 score;
};

/*
 * A worker's scratch space, made once for the policy it will use (sized
 * for every leakage rule in it); NULL with err when that fails.
 */
struct decide_ctx;
struct decide_ctx *decide_ctx_new(const struct guardpol *, char *err,
		    size_t errlen);
void		 decide_ctx_free(struct decide_ctx *);

/*
 * Decide.  Returns 0 with *v filled in (verdict_free() it), -1 only when
 * the direction is not in the policy (v->reasons then says so and the
 * verdict is reject).
 */
int		 decide(const struct guardpol *, enum gp_dir,
		    const struct decide_in *, struct decide_ctx *,
		    struct verdict *);
void		 verdict_free(struct verdict *);

/*
 * The precedence the guard schedules by: the P772 primary precedence
 * (0 deferred .. 5 override; -1 for a national value), else the P1
 * priority mapped as above.  ipm may be NULL (taken from m).
 */
struct x400_ipm;
int		 decide_precedence(const struct x400_msg *,
		    const struct x400_ipm *);

/*
 * The X.411 non-delivery reason and diagnostic that fit a rejection: the
 * first rejecting reason decides (a content or decoding fault, an unknown
 * critical extension, size, addresses, signatures, labels and the rest of
 * the security policy each have their code).
 */
void		 verdict_ndr_codes(const struct guardpol *,
		    const struct verdict *, int *reason, int *diagnostic);

/* JSON: verdict, direction, reasons[] {rule, text, action},
 * label {source, destination}, signer, precedence, score, hits[]. */
struct buf;
int		 verdict_json(const struct verdict *, struct buf *);

#endif
