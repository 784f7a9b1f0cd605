/*
 * role.c - the start and the serving loop of a role, and its audit
 * channel (role.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/audit/auditev.h"
#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/role.h"
#include "guard/common/xmalloc.h"
#include "guard/msg.h"

void
role_start(const char *name, const char *peer, struct ipc_chan *ch)
{
	char	err[256];

	log_init(name, LOG_TO_STDERR, 0);
	if (proc_check_channel(err, sizeof(err)) == -1)
		fatalx("%s (roles are started by mmguardd)", err);
	if (ipc_chan_init(ch, PROC_CHANNEL_FD, peer) == -1)
		fatalx("channel: %s", ch->err);
	(void)role_audit_open(true);
}

/* Frames a role that must not wait lets queue before it waits after all. */
#define AUDIT_SLACK	256

static struct ipc_chan	audit_ch;
static bool		audit_up, audit_wait;

static void
audit_drain(void)
{
	if (audit_up && ipc_flush_wait(&audit_ch) == -1)
		log_warnx("audit: %s", audit_ch.err);
}

bool
role_audit_open(bool required)
{
	char	err[256];

	if (proc_check_socket(PROC_AUDIT_FD, err, sizeof(err)) == -1) {
		if (required)
			fatalx("audit channel: %s (roles are started by "
			    "mmguardd)", err);
		return false;
	}
	if (ipc_chan_init(&audit_ch, PROC_AUDIT_FD, "audit") == -1)
		fatalx("audit channel: %s", audit_ch.err);
	audit_up = true;
	audit_wait = required;
	if (!required && atexit(audit_drain) != 0)
		fatalx("atexit");
	return true;
}

void
role_audit(enum audit_ev ev, const char *msgid, const struct audit_kv *kv,
    size_t n)
{
	static char	cut[AUDITEV_MAX_KV][AUDIT_VALUE_MAX + 1];
	struct audit_kv	v[AUDITEV_MAX_KV];
	size_t		i;
	int		r;

	if (!audit_up)
		return;
	if (n > AUDITEV_MAX_KV)
		fatalx("audit: %zu details", n);
	/* A value from a message (a signer's name, a reason) may be longer
	 * than a record holds: cut, rather than have the event refused. */
	for (i = 0; i < n; i++) {
		v[i] = kv[i];
		if (strlen(kv[i].value) > AUDIT_VALUE_MAX) {
			memcpy(cut[i], kv[i].value, AUDIT_VALUE_MAX);
			cut[i][AUDIT_VALUE_MAX] = '\0';
			v[i].value = cut[i];
		}
	}
	if (auditev_send(&audit_ch, 0, ev, msgid, v, n) == -1)
		ipc_fatal(&audit_ch);
	if (audit_wait || ipc_queued(&audit_ch) >= AUDIT_SLACK)
		r = ipc_flush_wait(&audit_ch);
	else
		r = ipc_flush(&audit_ch);
	if (r == -1 && audit_wait)
		ipc_fatal(&audit_ch);
	if (r == -1) {
		/*
		 * The channel broke: mmguardd, which holds its other end,
		 * is gone too.  A program that also runs alone (the one-way
		 * channel) finishes what it was doing (its report, its
		 * last messages) rather than die half-way.
		 */
		log_warnx("audit: %s; no more events are sent", audit_ch.err);
		ipc_chan_free(&audit_ch);
		audit_up = false;
	}
}

void
role_serve(struct ipc_chan *ch, void (*fn)(struct ipc_chan *,
    struct ipc_msg *, void *), void *arg)
{
	/* An ipc_msg holds a whole frame: keep it off the stack. */
	struct ipc_msg	*m = xmalloc(sizeof(*m));

	for (;;) {
		if (ipc_recv_wait(ch, m) == -1) {
			if (ch->eof)
				exit(0);
			ipc_fatal(ch);
		}
		fn(ch, m, arg);
		if (ipc_flush_wait(ch) == -1)
			ipc_fatal(ch);
	}
}

void
role_qmgr_peer(struct ipc_msg *m, struct ipc_chan chans[3], bool up[3],
    const char *const names[3])
{
	uint32_t	kind, idx;
	int		fd;

	if (m->type != MSG_PEER || ipc_get_u32(m, &kind) == -1 ||
	    ipc_get_u32(m, &idx) == -1 || ipc_get_fd(m, &fd) == -1 ||
	    ipc_end(m) == -1)
		fatalx("mmguardd: expected a peer: %s", m->err[0] ? m->err :
		    "another frame");
	if (kind != PEER_QMGR || idx > 1)
		fatalx("mmguardd: peer %u/%u is not a queue manager", kind, idx);
	if (up[1 + idx])
		ipc_chan_free(&chans[1 + idx]);
	if (ipc_chan_init(&chans[1 + idx], fd, names[1 + idx]) == -1)
		fatalx("%s", chans[1 + idx].err);
	up[1 + idx] = true;
}
