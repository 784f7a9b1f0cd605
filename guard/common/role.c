/*
 * role.c - the start and the serving loop of a role (role.h).
 */
#include <stdlib.h>

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
