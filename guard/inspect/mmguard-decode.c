/*
 * mmguard-decode - the decode role: strict decoding of each message the
 * queue manager hands it, to classify it (its precedence) before the
 * expensive stages, and to write the non-delivery report of a rejected
 * message.
 *
 * SYNOPSIS
 *	mmguard-decode [-u USER]
 *
 * DESCRIPTION
 *	Started by mmguardd with its channel to qmgr on descriptor 3; not a
 *	command for people.  For MSG_CLASSIFY it reads the handed queue
 *	file, decodes the P1 message and its content strictly, and answers
 *	with the precedence the guard schedules by (the P772 primary
 *	precedence, else the P1 priority) or the decoder's precise error,
 *	and records the result in the audit log (message-inspected,
 *	stage=decode) on its own channel to the audit role.
 *	For MSG_MAKE_NDR it builds the X.411 non-delivery report of the
 *	handed message and returns it in a sealed memory file.
 *
 * SECURITY
 *	Runs as its own unprivileged user with the compute sandbox: no
 *	file system, no network, no new processes, only reading the
 *	descriptors it is handed and writing frames to qmgr.  It is the
 *	first code to parse an arriving message's bytes in full, so it is
 *	the likeliest to be attacked; owning it gives an attacker the
 *	ability to lie about precedence (qmgr then schedules badly) and to
 *	write wrong reports, nothing else: verify and policy decode the
 *	message again themselves, and no verdict comes from here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filters/x400/ndr.h"
#include "filters/x400/x400.h"
#include "guard/common/buf.h"
#include "guard/common/log.h"
#include "guard/common/role.h"
#include "guard/common/sandbox.h"
#include "guard/msg.h"
#include "guard/spool/spool.h"
#include "policy/decide.h"

/* What the decoder made of the message, in the audit log. */
static void
audit_decoded(const char *qid, bool ok, int prec, const char *error)
{
	struct audit_kv	kv[3] = { { "stage", "decode" },
			    { "result", ok ? "ok" : "failed" } };
	char		p[8];

	if (ok) {
		(void)snprintf(p, sizeof(p), "%d", prec);
		kv[2] = (struct audit_kv){ "precedence", prec < 0 ? "unknown" :
		    p };
	} else
		kv[2] = (struct audit_kv){ "error", error };
	role_audit(AUDIT_EV_MESSAGE_INSPECTED, qid, kv, 3);
}

static void
classify(struct ipc_chan *ch, struct ipc_msg *m)
{
	struct spool_entry	 e;
	struct x400_dec		 d;
	struct x400_msg		*x;
	const char		*qid;
	char			 err[512];
	int			 fd, prec = -1;
	uint32_t		 ok = 0;

	if (ipc_get_string(m, &qid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	err[0] = '\0';
	if (spool_read_fd(fd, &e, err, sizeof(err)) == 0) {
		if (x400_decode(&d, BER_MODE_BER, NULL, e.message,
		    e.message_len, &x) == 0) {
			ok = 1;
			prec = decide_precedence(x, NULL);
		} else
			(void)snprintf(err, sizeof(err), "%s",
			    x400_strerror(&d));
		x400_dec_free(&d);
		spool_entry_free(&e);
	}
	(void)close(fd);
	audit_decoded(qid, ok, prec, err);
	ipc_create(ch, MSG_CLASSIFIED, m->id);
	ipc_add_u32(ch, ok);
	ipc_add_u32(ch, prec < 0 ? 0xff : (uint32_t)prec);
	ipc_add_string(ch, err);
	if (ipc_close(ch) == -1)
		ipc_fatal(ch);
}

/* The report travels in the frame: without returned content it is small. */
#define NDR_MAX		(IPC_MAX_PAYLOAD - 1024)

static void
make_ndr(struct ipc_chan *ch, struct ipc_msg *m)
{
	struct spool_entry	 e;
	struct x400_dec		 d;
	struct x400_msg		*x;
	struct x400_ndr_params	 np;
	struct buf		 out;
	const char		*qid, *text, *mta, *c, *a, *p;
	uint32_t		 reason, diag;
	uint64_t		 t;
	char			 err[512], gc[8], ga[32], gpr[32];
	int			 fd, ok = 0;

	if (ipc_get_string(m, &qid) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_get_u32(m, &reason) == -1 || ipc_get_u32(m, &diag) == -1 ||
	    ipc_get_string(m, &text) == -1 || ipc_get_string(m, &mta) == -1 ||
	    ipc_get_string(m, &c) == -1 || ipc_get_string(m, &a) == -1 ||
	    ipc_get_string(m, &p) == -1 || ipc_get_u64(m, &t) == -1 ||
	    ipc_end(m) == -1)
		ipc_msg_fatal(m);
	buf_init(&out, NDR_MAX);
	err[0] = '\0';
	if (spool_read_fd(fd, &e, err, sizeof(err)) == 0) {
		if (x400_decode(&d, BER_MODE_BER, NULL, e.message,
		    e.message_len, &x) == 0) {
			x400_ndr_params_init(&np);
			np.mta = mta;
			(void)snprintf(gc, sizeof(gc), "%s", c);
			(void)snprintf(ga, sizeof(ga), "%s", a);
			(void)snprintf(gpr, sizeof(gpr), "%s", p);
			np.domain.country = gc;
			np.domain.admd = ga;
			np.domain.prmd = gpr[0] != '\0' ? gpr : NULL;
			np.time = (int64_t)t;
			np.arrival = e.time;
			np.reason = reason;
			np.diagnostic = diag;
			np.text = text;
			ok = x400_ndr_build(x, &np, &out, err, sizeof(err)) == 0;
		} else
			(void)snprintf(err, sizeof(err), "the message does not "
			    "decode, so no report can name it: %s",
			    x400_strerror(&d));
		x400_dec_free(&d);
		spool_entry_free(&e);
	}
	(void)close(fd);
	ipc_create(ch, MSG_NDR, m->id);
	ipc_add_u32(ch, (uint32_t)ok);
	ipc_add_string(ch, ok ? "" : err);
	ipc_add_data(ch, out.data, ok ? out.len : 0);
	if (ipc_close(ch) == -1)
		ipc_fatal(ch);
	buf_free(&out);
}

static void
handle(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	(void)arg;
	switch (m->type) {
	case MSG_CLASSIFY:
		classify(ch, m);
		break;
	case MSG_MAKE_NDR:
		make_ndr(ch, m);
		break;
	default:
		fatalx("unexpected frame type %u from qmgr", m->type);
	}
}

int
main(int argc, char *argv[])
{
	struct ipc_chan	 ch;
	const char	*user = NULL;
	char		 err[256];
	int		 c;

	role_start("mmguard-decode", "qmgr", &ch);
	while ((c = getopt(argc, argv, "u:")) != -1) {
		if (c != 'u')
			fatalx("usage: mmguard-decode [-u USER]");
		user = optarg;
	}
	if (spool_init(err, sizeof(err)) == -1)
		fatalx("%s", err);
	sandbox_enter(&sandbox_compute, &(struct sandbox_args){
	    .user = user, .sock = -1 });
	role_serve(&ch, handle, NULL);
}
