/*
 * role.h - what every role program does first and how it serves: check
 * that it was started by the supervisor (its channel on fd 3, its audit
 * channel on fd 4), adopt the channels, and, for the request/reply roles,
 * a loop that reads a frame, hands it to the role's handler and sends what
 * the handler queued.
 */
#ifndef MMGUARD_ROLE_H
#define MMGUARD_ROLE_H

#include <stdbool.h>
#include <stddef.h>

#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"

/*
 * Log as name; fd 3 must be a SOCK_SEQPACKET channel to peer, and fd 4
 * the role's channel to the audit role (role_audit_open(true)).
 */
void	role_start(const char *name, const char *peer, struct ipc_chan *);

/*
 * The audit channel (fd 4, PROC_AUDIT_FD): mmguardd gives one to every
 * role its table marks as recording events, and tells the audit role who
 * is at the other end, so that a role's records carry its own name and
 * nothing it says can change that (guard/audit/auditev.h).  Open it
 * before the sandbox.
 *
 * role_audit_open(true): fd 4 must be a channel (fatal otherwise); a role
 * that records waits for the audit role rather than lose a record
 * (role_audit() returns once the frame is in the socket).  With false,
 * for the one-way channel's programs, which also run alone: no fd 4 means
 * no audit (returns false), and frames wait in memory while the audit role
 * is slow, up to a bound, so that a receiver never stops reading its link
 * for it; they are sent at each later event and at exit, and a broken
 * channel (the supervisor gone) ends the audit, not the program.
 */
bool	role_audit_open(bool required);
/*
 * Record an event (a no-op without a channel); fatal if it cannot go
 * (role_audit_open(true)).
 * Values longer than an audit value (AUDIT_VALUE_MAX) are cut to it.
 */
void	role_audit(enum audit_ev, const char *msgid,
	    const struct audit_kv *, size_t n);

/*
 * Serve until the peer closes the channel (exit 0) or a frame is
 * malformed (fatal): fn handles one frame, queues its reply on ch.
 */
void	role_serve(struct ipc_chan *, void (*fn)(struct ipc_chan *,
	    struct ipc_msg *, void *), void *) __attribute__((noreturn));

/*
 * The archive role: a MSG_PEER frame from mmguardd (chans[0])
 * hands over the channel of the queue manager of one direction, which
 * becomes chans[1 + direction] (replacing a previous one).  Anything else
 * is fatal.
 */
void	role_qmgr_peer(struct ipc_msg *, struct ipc_chan chans[3],
	    bool up[3], const char *const names[3]);

#endif
