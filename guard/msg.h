/*
 * msg.h - every frame the guard's processes exchange: its type, who sends
 * it to whom, and its fields in order.  A receiver reads exactly these
 * fields with the ipc_get_* functions and ipc_end(); anything else is
 * fatal (guard/common/ipc.h).  The communication graph is in mmguardd.c.
 *
 * Frame ids: the queue id of the message a frame is about is carried as
 * a string field (ids are not numbers); the frame header's id is the
 * request number a reply echoes, so that a pool worker's answer is
 * matched to its request.
 */
#ifndef MMGUARD_MSG_H
#define MMGUARD_MSG_H

enum msg_type {
	MSG_NONE,

	/* pickup -> qmgr: a message was stored in incoming/.
	 *   string qid, u64 its file's modification time in the drop folder
	 *   (ns since 1970: classification takes the newest first) */
	MSG_NEW,

	/* qmgr -> decode: classify (decode strictly, say the precedence).
	 *   string qid, fd message (read-only spool file) */
	MSG_CLASSIFY,
	/* decode -> qmgr.
	 *   u32 ok, u32 precedence (0..5, 0xff unknown), string error */
	MSG_CLASSIFIED,

	/* qmgr -> verify: verify the CMS signature and its path.
	 *   string qid, fd message */
	MSG_VERIFY,
	/* verify -> qmgr.
	 *   data facts (vfacts_enc() form), data seal (32: mac.h MAC_FACTS
	 *   over the message digest and the facts) */
	MSG_VERIFIED,

	/* qmgr -> policy: decide.
	 *   string qid, fd message, data facts, data seal (as MSG_VERIFIED
	 *   gave them), u32 officer (1: a security officer asked for its
	 *   release: refer and quarantine reasons are recorded, not obeyed) */
	MSG_DECIDE,
	/* policy -> qmgr.
	 *   u32 verdict (enum gp_verdict), string reasons (one per line,
	 *   "rule: text"), string source marking, string destination
	 *   marking, u32 precedence, data digest (32, SHA-256 of the message
	 *   file's message bytes), data policy digest (32), data token (32;
	 *   zeros unless verdict is release), u32 ndr reason, u32 ndr
	 *   diagnostic (X.411 codes for a rejection's report; else 0) */
	MSG_VERDICT,

	/* qmgr -> decode: make the non-delivery report of a rejected message.
	 *   string qid, fd message, u32 reason, u32 diagnostic, string text,
	 *   string mta, string country, string admd, string prmd, u64 time */
	MSG_MAKE_NDR,
	/* decode -> qmgr.
	 *   u32 ok, string error, data report (DER; small: no content is
	 *   returned) */
	MSG_NDR,

	/* qmgr -> diode-tx: send a released message across.
	 *   string qid, fd message, u32 precedence, data digest (32),
	 *   data policy digest (32), data token (32) */
	MSG_TRANSFER,
	/* diode-tx -> qmgr.
	 *   string qid, u32 ok, string note */
	MSG_TRANSFERRED,

	/* a process -> audit, on its own audit channel: record an event;
	 * with a non-zero frame id the audit role answers MSG_AUDIT_ACK
	 * once the record is on disk.
	 *   u32 event (enum audit_ev), string qid (may be ""), u32 n,
	 *   n times: string key, string value
	 * (guard/audit/auditev.h: the rules the audit role checks) */
	MSG_AUDIT,
	/* audit -> role.  (frame id echoes the request) */
	MSG_AUDIT_ACK,

	/* qmgr -> archive: a message reached an end state.
	 *   string qid, fd message, string direction, u32 precedence,
	 *   string verdict word, string reasons, u64 time */
	MSG_ARCHIVE,

	/* supervisor -> qmgr, archive: a channel to a peer, at start and
	 * whenever the peer is restarted.
	 *   u32 kind (enum peer_kind), u32 index (pool workers), fd */
	MSG_PEER,

	/* supervisor -> qmgr: an operator's command.
	 *   string command line (words separated by single spaces)
	 * qmgr -> supervisor: MSG_CTL_REPLY
	 *   u32 status (0 ok, 1 refused), string text */
	MSG_CTL,
	MSG_CTL_REPLY,

	/* supervisor -> audit: the audit channel of a process; its
	 * records carry name as their role (auditev.h).
	 *   string kind (auditev_kind_name), string name, u32 pid, fd */
	MSG_AUDIT_PEER,
	/* audit -> supervisor: a process's frame broke the rules; its
	 * channel is closed and the refusal recorded: stop the process.
	 *   u32 pid, string name, string reason */
	MSG_AUDIT_REFUSED,
	/* supervisor -> audit: an officer rotates the audit key.
	 *   string officer, data key (32: the new Ed25519 private key, raw),
	 *   string public key (PEM, for the audit directory)
	 * audit -> supervisor: MSG_AUDIT_ROTATED (frame id echoes)
	 *   u32 ok, string key id, or the reason it failed */
	MSG_AUDIT_ROTATE,
	MSG_AUDIT_ROTATED,
	/* audit -> supervisor, once opened: which key is in force.
	 *   u32 which (0: -k KEY, 1: -n NEWKEY, the rotation's), string id */
	MSG_AUDIT_KEY,

	/* archive -> qmgr: the messages of MSG_ARCHIVE frames are stored
	 * (the transaction that holds them committed); qmgr hands over
	 * again, to the next archive role, whatever was not acknowledged.
	 *   string qid */
	MSG_ARCHIVE_ACK,

	MSG__COUNT
};

enum peer_kind {
	PEER_PICKUP = 1,
	PEER_DECODE,
	PEER_VERIFY,
	PEER_POLICY,
	PEER_AUDIT,
	PEER_ARCHIVE,
	PEER_QMGR
};

#endif
