/*
 * auditev.h - the events the guard's processes send to the audit role:
 * the frame, and the rules the audit role holds each one to before it
 * becomes a record.
 *
 * THE FRAME (MSG_AUDIT, guard/msg.h)
 *	u32 event	enum audit_ev (auditlog.h), never one the log writes
 *			itself (checkpoint, key-rotated, ...)
 *	string msgid	the queue id the event is about, or ""
 *	u32 n		0 to AUDITEV_MAX_KV
 *	n times:	string key, string value
 *
 *	A non-zero frame id asks for MSG_AUDIT_ACK once the record is on
 *	stable storage (qmgr's release record: the message crosses only
 *	after it).
 *
 * WHO MAY SAY WHAT
 *	Every process that records events has its own channel to the audit
 *	role, wired by mmguardd, which tells the audit role who is at the
 *	other end (MSG_AUDIT_PEER: the process's kind and its name, such as
 *	"verify-h2l-1").  The record's role field is that name, never
 *	anything the frame says: a process cannot speak for another.  Its
 *	kind decides which events it may record and with which details
 *	(the table in auditev.c): a decode worker says that it inspected a
 *	message, never that an officer released one.  A frame that breaks
 *	a rule is refused whole; the audit role records the refusal and
 *	mmguardd stops the sender (auditd.c).
 *
 *	Details: every key the event requires is there, every other key is
 *	one the event allows, no key twice, values at most AUDIT_VALUE_MAX
 *	bytes (a sender cuts a long text itself), digests 64 lowercase hex
 *	digits.  Message events carry a message id, process events may.
 *
 * EVENTS AND THEIR SOURCES (required keys first; [optional])
 *	message-accepted   pickup: digest source bytes
 *	message-inspected  decode: stage=decode result [precedence error]
 *			   verify: stage=verify result digest facts
 *				   [signer reason]
 *			   qmgr: stage [state reason error] (files set aside)
 *	verdict		   policy: verdict rules digest policy [label
 *				   crosses-as precedence reasons]
 *			   qmgr: verdict [label crosses-as reasons rule
 *				   reason] (what it does with the verdict; a
 *				   release's record is acknowledged)
 *	officer-action	   qmgr: action officer reason [from]
 *	diode-sent	   diode-tx: digest bytes [session sequence precedence]
 *	delivered	   diode-rx: digest [session sequence precedence bytes
 *				   folder]
 *	ndr-issued	   qmgr: report [reason diagnostic error]
 *	policy-loaded	   mmguardd: old new via [officer file]
 *	role-started	   mmguardd: process pid [direction index policy
 *				   config]
 *	role-crashed	   mmguardd: process how [direction index pid]
 *			   qmgr: process reason (a worker died holding it)
 *	role-restarted	   mmguardd: process pid [direction index reason]
 *	sandbox-violation  mmguardd: process how [direction index pid]
 *	config-changed	   mmguardd: change [officer file old new error
 *				   reason key]
 *	archive-purged	   archive: archived-at
 *	link-alarm	   diode-rx, diode-tx: alarm [session sequence
 *				   precedence reason]
 */
#ifndef MMGUARD_AUDITEV_H
#define MMGUARD_AUDITEV_H

#include <stddef.h>
#include <stdint.h>

#include "guard/audit/auditlog.h"
#include "guard/common/ipc.h"

#define AUDITEV_MAX_KV		16
#define AUDITEV_NAME_MAX	AUDIT_ROLE_MAX

/* The kinds of process that record events. */
enum auditev_kind {
	AUDITEV_MMGUARDD,
	AUDITEV_QMGR,
	AUDITEV_PICKUP,
	AUDITEV_DECODE,
	AUDITEV_VERIFY,
	AUDITEV_POLICY,
	AUDITEV_DIODE_TX,
	AUDITEV_DIODE_RX,
	AUDITEV_ARCHIVE,
	AUDITEV__KINDS
};

/* "mmguardd", "qmgr", "pickup", ..., "diode-rx", "archive". */
const char	*auditev_kind_name(enum auditev_kind);
int		 auditev_kind_lookup(const char *, enum auditev_kind *);
/* A record's role name: 1 to AUDIT_ROLE_MAX of a-z 0-9 "-". */
int		 auditev_name_valid(const char *);

/* A frame's contents; the strings point into the ipc_msg read. */
struct auditev {
	enum audit_ev	 type;
	const char	*msgid;
	struct audit_kv	 kv[AUDITEV_MAX_KV];
	size_t		 nkv;
};

/* Build and queue the frame on ch; -1 with the reason in ch->err. */
int	auditev_send(struct ipc_chan *, uint64_t ack, enum audit_ev,
	    const char *msgid, const struct audit_kv *, size_t n);
/* Read a MSG_AUDIT frame to its end; -1 with the reason in m->err. */
int	auditev_read(struct ipc_msg *, struct auditev *);
/* Whether a process of this kind may record the event so; -1 and why. */
int	auditev_check(enum auditev_kind, const struct auditev *, char *err,
	    size_t errlen);
/*
 * The rules, for tests: rule i's event, the kinds it is for (a bit per
 * enum auditev_kind) and every key it names (required first; at most
 * AUDITEV_MAX_KV).  -1 past the last rule.
 */
int	auditev_rule(size_t i, enum audit_ev *, unsigned *kinds,
	    const char *keys[AUDITEV_MAX_KV], size_t *nkeys);

#endif
