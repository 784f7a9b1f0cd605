/*
 * role.c - the start and the serving loop of a role (role.h).
 */
#include <stdlib.h>

#include "guard/common/log.h"
#include "guard/common/proc.h"
#include "guard/common/role.h"
#include "guard/common/xmalloc.h"

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
