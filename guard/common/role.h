/*
 * role.h - what every role program does first and how it serves: check
 * that it was started by the supervisor (its channel on fd 3), adopt the
 * channel, and, for the request/reply roles, a loop that reads a frame,
 * hands it to the role's handler and sends what the handler queued.
 */
#ifndef MMGUARD_ROLE_H
#define MMGUARD_ROLE_H

#include <stdbool.h>

#include "guard/common/ipc.h"

/* Log as name; fd 3 must be a SOCK_SEQPACKET channel to peer. */
void	role_start(const char *name, const char *peer, struct ipc_chan *);

/*
 * Serve until the peer closes the channel (exit 0) or a frame is
 * malformed (fatal): fn handles one frame, queues its reply on ch.
 */
void	role_serve(struct ipc_chan *, void (*fn)(struct ipc_chan *,
	    struct ipc_msg *, void *), void *) __attribute__((noreturn));

/*
 * The audit and archive roles: a MSG_PEER frame from mmguardd (chans[0])
 * hands over the channel of the queue manager of one direction, which
 * becomes chans[1 + direction] (replacing a previous one).  Anything else
 * is fatal.
 */
void	role_qmgr_peer(struct ipc_msg *, struct ipc_chan chans[3],
	    bool up[3], const char *const names[3]);

#endif
