/*
 * diode.h - the one-way channel: diode-tx on the high side, diode-rx on
 * the low side.
 *
 * Released messages leave the guard through a link that carries nothing
 * back: a hardware data diode on an appliance, two network namespaces with
 * no return route in the tests, a local datagram socket in the embedded
 * default.  Nothing can be acknowledged, so the sender makes loss
 * repairable (erasure coding, interleaving, pacing) and the receiver
 * accounts for everything (heartbeats, sequence numbers, a report of every
 * message it could not deliver, by id).
 *
 * The library is four parts, each usable alone so that the guard's roles
 * are thin wrappers around it:
 *   diode_frame.c  frame encoding, parsing and authentication
 *   diode_fec.c    Reed-Solomon erasure coding (Intel ISA-L)
 *   diode_tx.c     the sender's scheduler: precedence, blocks, interleaving,
 *                  heartbeats; hands out frames, hears nothing
 *   diode_rx.c     the receiver's reassembler: anti-replay, repair, loss
 *                  accounting, digest and release-token checks
 *   diode_io.c     transports (UDP over IPv4/IPv6, unix datagram), key
 *                  files, drop files and metadata, durable writes
 * Neither engine does I/O: frames go out through the caller and come in
 * through diode_rx_input(), time is passed in, files are the programs'.
 *
 * WHY ISA-L.  Debian offers three erasure-coding libraries.  Intel ISA-L
 * (libisal-dev) is maintained by Intel with releases every few months, is
 * used in production by Ceph and others, has a small, stable C interface
 * (build a coding matrix, ec_init_tables, ec_encode_data) and dispatches
 * at run time to SSE/AVX2/AVX-512/GFNI code, which matters because every
 * byte crossing the diode is encoded.  liberasurecode is a plug-in layer
 * over other back ends (ISA-L among them) adding its own fragment headers
 * and a dynamic loader we would have to sandbox; Jerasure has had no
 * upstream release since 2014.  We use ISA-L's Cauchy matrices over
 * GF(2^8): any square submatrix is invertible, so any k of the k+m
 * symbols of a block rebuild it, for k+m up to 255.
 *
 * PERFORMANCE.  Measured with bench_diode (make bench): loopback, one
 * machine of two cores running both ends, 8 KB messages, the defaults.
 * Per message the sender spends, in user space, some 6 us on the SHA-256
 * of the body (SHA-NI, 1.3 GB/s), 3.6 us on the parity (ISA-L AVX-512;
 * for k = 64, m = 16 each data byte takes 16 multiply-adds), 1.7 us on
 * the frame tags (0.2 us of it a fixed cost per frame in OpenSSL's EVP
 * layer) and 1 to 2 us copying; the receiver 6 us on the SHA-256 it
 * checks, 2.4 us on the tags, 0.5 us on the release token, and copies.
 * The kernel's work per datagram comes on top: about 1.5 us on the
 * sender and 1.2 us on the receiver for each 1448-byte datagram handed
 * over by sendmmsg, a third of that when the sender lets the kernel cut
 * runs of frames (UDP_SEGMENT, diode_send_frames).  A raw UDP send of
 * the same bytes costs only the kernel's part (a quarter fewer
 * datagrams: no parity), and both ends of either share the two cores,
 * so the channel cannot exceed 2 cores / (CPU per message, both ends);
 * bench_diode prints that bound next to the ratio to raw UDP.  The
 * target set for the channel, 0.7 of raw UDP at 0% loss with 25%
 * parity, leaves all of the channel's own work some 7 us per message
 * with sendmmsg and 3 us with UDP_SEGMENT, both ends together; the two
 * SHA-256 passes alone (the digest the release token binds, computed by
 * each end) take 12.  It is out of reach on such a machine whatever the
 * frame format; with a machine for each end it still is for one core
 * per end (the sender's 19 us per message against raw UDP's 5).
 * The GMAC tag instead of HMAC-SHA256 (SECURITY-FRAMES) and the
 * sender's changes take the CPU per message, both ends, from 70-80 us
 * to 60-65 with sendmmsg and 45-50 with UDP_SEGMENT, and the channel
 * from 190 MB/s to 240 and 330 MB/s, with other work keeping about one
 * core busy (on an idle machine a quarter to a third better; they
 * vary by a third from run to run with the machine's other load).
 * What would go further, where each end has cores of its own: a sender
 * thread hashing and coding ahead of the sending one; UDP_GRO on
 * diode-rx's socket (a run of frames per receive call); ISA-L 2.31's
 * GFNI coding (Debian 12 ships 2.30); 9000-byte frames on a link that
 * carries them (--symbol-size 8800: a third less CPU per message).
 *
 * SECURITY-FRAMES
 *
 *	Version 3.  Every field is big-endian.  One frame is one datagram;
 *	its length is the datagram's length.  Every frame starts with:
 *
 *	   off len field
 *	     0   4 magic "MGD3" (the last byte is the version; other
 *	           versions are refused: version 1 tagged frames with
 *	           HMAC-SHA256, had no previous-session fields in the
 *	           heartbeat and numbered precedence the other way round;
 *	           version 2 was never one format, its two variants had
 *	           either the GMAC tag or those heartbeat fields)
 *	     4   1 type: 1 DATA, 2 HEARTBEAT
 *	     5   1 flags, 0 (frames with other bits are refused)
 *	     6   2 reserved, 0
 *	     8   4 link id (the receiver accepts its configured link only)
 *	    12   8 session id (random at each start of the sender)
 *	    20   8 session epoch (sender's clock at start, microseconds
 *	           since 1970)
 *	    28   8 frame sequence (0, 1, 2, ... within the session)
 *
 *	and ends with a 16-byte tag over every byte before it:
 *
 *	   tag = GMAC(K_s, IV, frame), K_s = HMAC-SHA256(link key,
 *	         "mmguard diode frame key v3" || 0x00 || bytes 8..27)
 *
 *	GMAC is AES-256-GCM (NIST SP 800-38D) with the frame as additional
 *	authenticated data and nothing encrypted; its IV is 4 zero bytes
 *	followed by the frame sequence (bytes 28..35).  K_s is the
 *	session's key: the link key shared by sender and receiver through
 *	HMAC-SHA256 as a pseudo-random function of the link id, session id
 *	and epoch.  The receiver checks the tag (recomputing K_s when a
 *	frame names a session it has no key for) before it reads any other
 *	field past the header length check, so only the genuine sender can
 *	make it act.
 *
 *	WHY GMAC.  Version 1 tagged every frame with HMAC-SHA256 under the
 *	link key; at about 1.1 GB/s (SHA-NI) over every byte sent, counted
 *	once by the sender and once by the receiver, it was the largest
 *	single cost of the channel.  GMAC runs at 4.4 GB/s on 1.4 KB frames
 *	and 9 GB/s on 8.9 KB ones (AES-NI, carry-less multiply; OpenSSL,
 *	already a dependency).  Poly1305 needs a one-time key per frame: as
 *	ChaCha20-Poly1305 with the frame as additional data it measured
 *	1.7 and 4.4 GB/s; keyed BLAKE2 (OpenSSL) ran at half the speed of
 *	HMAC-SHA256.  Soundness rests on three points:
 *	  - a GMAC nonce must never repeat under one key.  The key is the
 *	    session's: a new random 64-bit session id (and the start time)
 *	    at each start of the sender, so sessions never share a key
 *	    unless two starts draw the same id in the same microsecond;
 *	    within a session the nonce is the frame sequence, which the
 *	    sender advances with every frame it hands out (diode_tx.c).
 *	  - a forger's chance per attempt is at most (L + 1) / 2^128 for a
 *	    frame of L 16-byte blocks (under 2^-115 for the largest frame)
 *	    plus AES's distinguishing advantage; the 16-byte tag is kept
 *	    whole.  The receiver's replay window and epochs (below) stop
 *	    replays, as before.
 *	  - the link key is used only as an HMAC key for the derivation,
 *	    with its own label, so a value made under it for one purpose is
 *	    not valid for another.  A forged frame naming another session
 *	    costs the receiver one derivation (an HMAC over 47 bytes and an
 *	    AES key schedule), a few microseconds; the genuine session's
 *	    key stays cached meanwhile (diode_frame.c).
 *	The message digest and the release token are unchanged: SHA-256
 *	and HMAC-SHA256, as the policy role makes them.
 *
 *	DATA (type 1) carries one symbol of one erasure-coded block:
 *
 *	    36   1 precedence, numbered as everywhere in the guard (0
 *	           DEFERRED, 1 ROUTINE, 2 PRIORITY, 3 IMMEDIATE, 4 FLASH,
 *	           5 OVERRIDE: below); each precedence is its own stream
 *	    37   1 coding scheme: 1 = Reed-Solomon over GF(2^8), Cauchy
 *	           matrix as generated by ISA-L gf_gen_cauchy1_matrix(k+m, k)
 *	    38   2 symbol size S (bytes)
 *	    40   8 block sequence within this precedence's stream
 *	    48   8 low-water mark: every block of this stream below it has
 *	           had all its frames sent
 *	    56   2 k, data symbols in the block (1..DIODE_MAX_K)
 *	    58   2 m, parity symbols (0..255-k)
 *	    60   2 symbol index (0..k-1 data, k..k+m-1 parity)
 *	    62   2 reserved, 0
 *	    64   4 data length: stream bytes in the block's k*S data bytes
 *	           (the rest is zero padding)
 *	    68   4 offset of the first message record that starts in the
 *	           block, 0xffffffff when none does
 *	    72   8 message sequence of the message whose bytes are at
 *	           offset 0 of the block
 *	    80   8 message sequence of the message whose byte is at offset
 *	           data length - 1
 *	    88   S the symbol
 *	  88+S  16 tag
 *
 *	Every frame of a block carries the same block fields, so the block
 *	is known from any one of its frames; a frame that disagrees with the
 *	first one received is refused.
 *
 *	A stream is the concatenation of message records, cut into blocks
 *	of at most k*S bytes; records cross block boundaries, and a block
 *	holds parts of several small messages, so the coding protects small
 *	and large messages alike.  A record is the message header followed
 *	by the message body:
 *
 *	     0   4 magic "MGM1"
 *	     4   1 precedence (equal to the stream's, 0 DEFERRED .. 5
 *	           OVERRIDE)
 *	     5   1 id length n (1..64; characters A-Z a-z 0-9 . _ - + = @,
 *	           not starting with '.')
 *	     6   2 reserved, 0
 *	     8   8 message sequence (0, 1, 2, ... within the stream)
 *	    16   8 body length
 *	    24  32 SHA-256 digest of the body
 *	    56  32 release token (opaque, from the policy role)
 *	    88   n id
 *	  88+n     body
 *
 *	HEARTBEAT (type 2), sent every heartbeat interval and whenever the
 *	manifest below has a frame's worth of entries:
 *
 *	    36   8 messages started (all streams)
 *	    44   8 messages completely sent
 *	    52   8 body bytes completely sent
 *	    60   4 heartbeat interval, milliseconds
 *	    64   2 manifest entries n
 *	    66   2 reserved, 0
 *	    68 144 per precedence 0..5 (the guard's numbering, as in
 *	           DATA): next block sequence (8), low-water mark (8),
 *	           next message sequence (8)
 *	   212   8 previous session id: the last earlier session of this
 *	           sender that recorded a message as sent (0: none)
 *	   220  48 per precedence 0..5: the previous session's recorded
 *	           count, 1 + the highest message sequence its sending
 *	           record holds in that stream (0: none); 0 throughout
 *	           when there is no previous session
 *	   268     n entries: precedence (1), id length (1), message
 *	           sequence (8), id
 *	           then the 16-byte tag
 *
 *	The manifest names each message once it has started, in two
 *	consecutive heartbeats, so that a message whose every frame is lost
 *	is still reported by id.
 *
 *	Accounting across restarts.  The high side's record of sending is
 *	diode-tx's log: a line per message, fsync'd once every frame of the
 *	message has been sent and before the message leaves the drop folder
 *	(the queue manager calls it sent when it has left).  The rule the
 *	low side keeps: every message of that record is either delivered,
 *	or reported lost (by id when it is known, else by session, stream
 *	and sequence, which the record maps to the id).  What makes it hold:
 *	  - diode-rx keeps its place on stable storage (diode_rx_state: the
 *	    session, and per stream the sequence below which every message
 *	    is accounted for), written atomically after each group commit,
 *	    so that neither a kill nor a restart forgets what was delivered
 *	    or reported;
 *	  - a diode-rx that restarts while its sender's session goes on
 *	    resumes that session: what is below its mark is not delivered
 *	    again when frames are seen again, and what the sender finished
 *	    meanwhile (frames that died with the killed process or were
 *	    sent while nobody listened) is reported lost from the low-water
 *	    marks and heartbeat counts, as any loss;
 *	  - a sender that starts (the guard restarts diode-tx with
 *	    diode-rx, once the new receiver listens) reads its record
 *	    and names, in every heartbeat, its previous session and how
 *	    many messages of each stream the record holds for it;
 *	    diode-rx reports as lost those above its own mark for that
 *	    session.  A message started but not recorded is still in the
 *	    drop folder and is sent again by the new session (diode-rx
 *	    stores an id once).  A previous session the
 *	    receiver never heard of is reported whole, with an alarm that
 *	    sessions before it cannot be named from here.
 *
 *	Replay.  The receiver accepts a frame sequence once (a window of
 *	DIODE_REPLAY_WINDOW frames behind the highest seen; older ones are
 *	refused).  A new session is accepted only with an epoch later than
 *	every session accepted before, which diode-rx keeps on stable
 *	storage, so frames recorded from an earlier session cannot be
 *	played back to deliver its messages a second time.  After a
 *	restart the receiver's replay window is empty, but the session it
 *	resumes delivers no message below its stored mark, so frames played
 *	back then deliver nothing twice either.  The cost: a sender whose
 *	clock steps backwards is refused until it passes the last accepted
 *	epoch (the operator can remove diode-rx's state; its next sender
 *	session then names a previous session the receiver does not know,
 *	which is reported whole).
 *	The release token is checked by diode-rx over the digest it
 *	computes itself; it binds the bytes, not the id or precedence.
 */
#ifndef MMGUARD_DIODE_H
#define MMGUARD_DIODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Precedence: the guard's numbering, the STANAG 4406 (P772) primary
 * precedence values, which decode finds in the message and the policy
 * (decide.h), the spool (spool.h), the queue manager's scheduler
 * (sched.h) and the archive use: a higher value is a higher precedence.
 * The one-way channel carries the same numbers in its frames and record
 * headers, so no conversion is made anywhere; the drop folders' metadata
 * names it (diode_prec_name, diode_prec_parse).
 */
#define DIODE_DEFERRED		0
#define DIODE_ROUTINE		1
#define DIODE_PRIORITY		2
#define DIODE_IMMEDIATE		3
#define DIODE_FLASH		4
#define DIODE_OVERRIDE		5
#define DIODE_NPREC		6

#define DIODE_FRAME_DATA	1
#define DIODE_FRAME_HEARTBEAT	2
#define DIODE_SCHEME_RS_CAUCHY	1

#define DIODE_VERSION		'3'
#define DIODE_HDR_LEN		36
#define DIODE_DATA_HDR_LEN	88
#define DIODE_HB_HDR_LEN	268
#define DIODE_TAG_LEN		16
#define DIODE_REC_HDR_LEN	88
#define DIODE_DIGEST_LEN	32
#define DIODE_TOKEN_LEN		32
#define DIODE_ID_MAX		64
#define DIODE_NONE		0xffffffffu

/* Fixed limits. */
/* A heartbeat (268-byte header, one 74-byte entry) fits in a data frame. */
#define DIODE_MIN_SYMBOL	256
#define DIODE_MAX_SYMBOL	65000
#define DIODE_MAX_FRAME		(DIODE_DATA_HDR_LEN + DIODE_MAX_SYMBOL + \
				    DIODE_TAG_LEN)
#define DIODE_MAX_K		128
#define DIODE_MAX_N		255		/* k + m, GF(2^8) */
#define DIODE_MAX_WINDOW	64		/* interleaved blocks */
#define DIODE_MAX_MESSAGE	((uint64_t)1 << 30)
#define DIODE_REPLAY_WINDOW	8192		/* frames */
#define DIODE_RX_BLOCKS		256		/* blocks held per stream */
#define DIODE_KEY_MIN		32
#define DIODE_KEY_MAX		1024

/* Defaults of both programs. */
#define DIODE_DEF_SYMBOL	1344	/* a 1448-byte datagram: fits a 1500
					   MTU under IPv4 and IPv6 (48 bytes
					   of IPv6 and UDP headers) */
#define DIODE_DEF_K		64
#define DIODE_DEF_REDUNDANCY	25	/* parity, % of data symbols */
#define DIODE_DEF_MIN_PARITY	2
#define DIODE_DEF_WINDOW	16
#define DIODE_DEF_HEARTBEAT_MS	200

const char	*diode_prec_name(int);
int		 diode_prec_parse(const char *);	/* -1 if unknown */
int		 diode_id_valid(const char *, size_t);

/* --- Frames (diode_frame.c) ------------------------------------------ */

struct diode_mac;
struct diode_mac *diode_mac_new(const uint8_t *key, size_t, char *, size_t);
void		 diode_mac_free(struct diode_mac *);
/*
 * The tag (DIODE_TAG_LEN bytes) of the frame buf[0..len), len at least
 * DIODE_HDR_LEN: its link, session, epoch and sequence are read from it.
 * -1 on an OpenSSL failure.
 */
int		 diode_mac_tag(struct diode_mac *, const uint8_t *, size_t,
		    uint8_t *);
/* 0 when tag is buf's, 1 when it is not, -1 on an OpenSSL failure. */
int		 diode_mac_check(struct diode_mac *, const uint8_t *, size_t,
		    const uint8_t *tag);

struct diode_block_info {
	uint8_t		 prec;
	uint8_t		 scheme;
	uint16_t	 symsize;
	uint64_t	 bseq;
	uint64_t	 lwm;
	uint16_t	 k, m;
	uint32_t	 data_len;
	uint32_t	 first_rec;	/* DIODE_NONE: no record starts */
	uint64_t	 first_seq, last_seq;
};

struct diode_stream_counts {
	uint64_t	 next_block;
	uint64_t	 lwm;
	uint64_t	 next_seq;
};

struct diode_hb {
	uint64_t	 started, completed, bytes;
	uint32_t	 interval_ms;
	struct diode_stream_counts streams[DIODE_NPREC];
	uint64_t	 prev_session;		/* 0: none */
	uint64_t	 prev_next[DIODE_NPREC];
	uint16_t	 nentries;
	const uint8_t	*entries;	/* nentries raw entries, checked */
	size_t		 entries_len;
};

struct diode_manifest_entry {
	uint8_t		 prec;
	uint64_t	 seq;
	char		 id[DIODE_ID_MAX + 1];
};

struct diode_frame {
	uint8_t		 type;
	uint32_t	 link;
	uint64_t	 session;
	uint64_t	 epoch;
	uint64_t	 fseq;
	/* DATA */
	struct diode_block_info blk;
	uint16_t	 sym;
	const uint8_t	*payload;	/* blk.symsize bytes */
	/* HEARTBEAT */
	struct diode_hb	 hb;
};

struct diode_frame_hdr {
	uint32_t	 link;
	uint64_t	 session, epoch, fseq;
};

/*
 * Encoders write a whole frame, tag included, into out (size outsz) and
 * return its length, or 0 when it does not fit or the MAC failed.
 */
size_t	diode_frame_data(struct diode_mac *, const struct diode_frame_hdr *,
	    const struct diode_block_info *, uint16_t sym, const uint8_t *,
	    uint8_t *out, size_t outsz);
size_t	diode_frame_heartbeat(struct diode_mac *,
	    const struct diode_frame_hdr *, const struct diode_hb *,
	    const struct diode_manifest_entry *, size_t nent, size_t *taken,
	    uint8_t *out, size_t outsz);

/*
 * Parse one datagram.  With a MAC, the tag is checked first (mac NULL:
 * structure only, for tools that inspect captures).  Returns 0, or -1 with
 * the reason in err; *why is set to one of DIODE_REFUSE_*.
 */
#define DIODE_REFUSE_MALFORMED	1
#define DIODE_REFUSE_TAG	2
int	diode_frame_parse(struct diode_mac *, const uint8_t *, size_t,
	    struct diode_frame *, int *why, char *, size_t);
/* Iterate the manifest of a parsed heartbeat; 1 entry, 0 end. */
int	diode_hb_entry(const struct diode_hb *, size_t *off,
	    struct diode_manifest_entry *);

/* --- Erasure coding (diode_fec.c) ------------------------------------ */

struct diode_fec;
struct diode_fec *diode_fec_new(void);
void	diode_fec_free(struct diode_fec *);
/* Compute m parity symbols from k data symbols of len bytes. */
int	diode_fec_encode(struct diode_fec *, int k, int m, size_t len,
	    uint8_t **data, uint8_t **parity, char *, size_t);
/*
 * sym[0..k+m-1] are the block's symbols, present[i] non-zero for those
 * received.  Missing data symbols are rebuilt in place into sym[i] (the
 * caller's buffers).  -1 when fewer than k are present.
 */
int	diode_fec_decode(struct diode_fec *, int k, int m, size_t len,
	    uint8_t **sym, const uint8_t *present, char *, size_t);

/* --- Sender (diode_tx.c) --------------------------------------------- */

struct diode_tx_params {
	uint32_t	 link;
	uint16_t	 symsize;
	uint16_t	 k;		/* data symbols per block, at most */
	uint16_t	 redundancy;	/* parity as % of data symbols */
	uint16_t	 min_parity;	/* parity of any block, at least */
	uint16_t	 window;	/* blocks interleaved per stream */
	uint32_t	 heartbeat_ms;
	uint64_t	 epoch;		/* 0: the wall clock (tests set it) */
	/*
	 * Optional: called with a message's cookie and the SHA-256 of the
	 * body just loaded, the bytes about to be sent (the digest of its
	 * record header), before any of them enters the stream; -1 with a
	 * reason completes the message with status -1, unsent.  diode-tx
	 * checks the release token here, on the one digest it takes.
	 */
	int		(*check)(void *cookie, const uint8_t *digest, char *,
			    size_t);
};

/*
 * A message handed to the sender.  The body is loaded only when the
 * message is about to enter the stream (so a deep queue costs no memory):
 * load returns a malloc'd body and its length, or -1 (the message is then
 * completed with status -1 and never sent).
 */
struct diode_tx_msg {
	char		 id[DIODE_ID_MAX + 1];
	int		 prec;
	uint8_t		 token[DIODE_TOKEN_LEN];
	void		*cookie;
};
typedef int (*diode_load_fn)(void *cookie, uint8_t **, size_t *, char *,
    size_t);

/* One completed message: all of its frames have been sent. */
struct diode_tx_done {
	void		*cookie;
	int		 status;	/* 0 sent, -1 could not be loaded */
	int		 prec;
	uint64_t	 seq;
	uint64_t	 len;
	uint8_t		 digest[DIODE_DIGEST_LEN];
	char		 id[DIODE_ID_MAX + 1];
	char		 err[128];
};

struct diode_tx_stats {
	uint64_t	 frames, data_frames, hb_frames;
	uint64_t	 bytes_out;		/* datagram bytes */
	uint64_t	 started, completed, failed, body_bytes;
	uint64_t	 blocks;
	size_t		 queued;		/* messages not started */
};

struct diode_tx;
struct diode_tx	*diode_tx_new(const struct diode_tx_params *,
		    const uint8_t *key, size_t keylen, diode_load_fn,
		    uint64_t now_us, char *, size_t);
void		 diode_tx_free(struct diode_tx *);
uint64_t	 diode_tx_session(const struct diode_tx *);
/*
 * The previous session as the sending record holds it (session 0: none):
 * named in every heartbeat from now on (see "Accounting across restarts").
 */
void		 diode_tx_set_previous(struct diode_tx *, uint64_t session,
		    const uint64_t next[DIODE_NPREC]);
int		 diode_tx_submit(struct diode_tx *, const struct diode_tx_msg *,
		    char *, size_t);
/*
 * The next frame to send (into out, at least DIODE_MAX_FRAME bytes):
 * a heartbeat when due, else a symbol of the highest-precedence stream
 * with work.  Returns its length, 0 when there is nothing to send, -1
 * with a reason on an internal failure (coding, MAC).
 */
long		 diode_tx_next(struct diode_tx *, uint64_t now_us, uint8_t *,
		    size_t, char *, size_t);
/* A heartbeat now, whatever the timer says. */
long		 diode_tx_heartbeat(struct diode_tx *, uint64_t now_us,
		    uint8_t *, size_t, char *, size_t);
/* Completed messages, in completion order; 1 one returned, 0 none. */
int		 diode_tx_done(struct diode_tx *, struct diode_tx_done *);
/* Nothing queued, nothing in flight. */
int		 diode_tx_idle(const struct diode_tx *);
void		 diode_tx_get_stats(const struct diode_tx *,
		    struct diode_tx_stats *);

/* --- Receiver (diode_rx.c) ------------------------------------------- */

#define DIODE_EV_DELIVERED	1	/* for the record; see deliver */
#define DIODE_EV_LOST		2	/* not repairable */
#define DIODE_EV_REFUSED	3	/* digest or release token wrong */
#define DIODE_EV_LINK_DOWN	4
#define DIODE_EV_LINK_UP	5
#define DIODE_EV_SESSION	6	/* a new sender session */
#define DIODE_EV_PROTOCOL	7	/* authenticated but inconsistent */
#define DIODE_EV_UNSEEN		8	/* the sender names a previous
					   session this receiver never had */

struct diode_rx_event {
	int		 type;
	uint64_t	 session;
	int		 prec;
	uint64_t	 seq;
	uint64_t	 seq_last;	/* > seq: a range, ids not known */
	const char	*id;		/* NULL when not known */
	const char	*reason;
};

struct diode_rx_msg {
	uint64_t	 session;
	int		 prec;
	uint64_t	 seq;
	const char	*id;
	const uint8_t	*digest;
	const uint8_t	*token;
	const uint8_t	*body;
	size_t		 len;
};

/*
 * The receiver's place, which diode-rx keeps on stable storage: with it a
 * restarted receiver neither delivers a message twice nor forgets one it
 * was told of (diode.h, "Accounting across restarts").  Every message of
 * a stream below expect has been delivered, refused or reported lost;
 * the sender had started every one below seen.
 */
struct diode_rx_state {
	int		 have_session;
	uint64_t	 session, epoch;
	uint64_t	 expect[DIODE_NPREC];
	uint64_t	 seen[DIODE_NPREC];
	/* The session before it, for what its successor says of it. */
	int		 have_prev;
	uint64_t	 prev_session;
	uint64_t	 prev_done[DIODE_NPREC];	/* accounted below */
};

struct diode_rx_cb {
	/* Store the message; -1 when it could not be (reported as lost). */
	int	(*deliver)(void *, const struct diode_rx_msg *, char *, size_t);
	void	(*event)(void *, const struct diode_rx_event *);
	/* 0 when the token releases this digest. */
	int	(*verify)(void *, const uint8_t *digest, const uint8_t *token);
	/*
	 * A new session with a later epoch is about to replace the current
	 * one: persist the state given (the receiver's place once it has
	 * switched, the current session's own accounting taken no further
	 * than what is already done); -1 refuses the session (its frames
	 * are then dropped).  Everything delivered so far must be stable
	 * before the state is.
	 */
	int	(*session)(void *, const struct diode_rx_state *);
	void	*arg;
};

struct diode_rx_params {
	uint32_t	 link;
	uint64_t	 last_epoch;	/* from stable storage; 0 none */
	const struct diode_rx_state *resume;	/* NULL: a fresh receiver */
	uint64_t	 max_message;	/* body bytes */
	uint32_t	 reorder_ms;	/* wait for late frames before loss */
	uint32_t	 dead_ms;	/* no frame for this long: link down;
					   0: three heartbeat intervals */
};

struct diode_rx_stats {
	uint64_t	 frames, refused_tag, refused_malformed;
	uint64_t	 refused_link, refused_replay, refused_stale;
	uint64_t	 refused_protocol, heartbeats;
	uint64_t	 blocks, blocks_repaired, blocks_lost;
	uint64_t	 delivered, lost, refused, bytes;
	uint64_t	 sessions;
};

struct diode_rx;
struct diode_rx	*diode_rx_new(const struct diode_rx_params *,
		    const uint8_t *key, size_t keylen,
		    const struct diode_rx_cb *, char *, size_t);
void		 diode_rx_free(struct diode_rx *);
/* One datagram.  0 accepted, -1 refused (counted; reason in err). */
int		 diode_rx_input(struct diode_rx *, const uint8_t *, size_t,
		    uint64_t now_us, char *, size_t);
/* Timers: loss decisions, link state.  Call at least every 50 ms. */
void		 diode_rx_tick(struct diode_rx *, uint64_t now_us);
/* Report every message not yet accounted for as lost (at shutdown). */
void		 diode_rx_finish(struct diode_rx *, const char *reason);
/* Messages begun or announced but neither delivered nor reported. */
uint64_t	 diode_rx_pending(const struct diode_rx *);
/* The place to keep on stable storage (after the deliveries are). */
void		 diode_rx_get_state(const struct diode_rx *,
		    struct diode_rx_state *);
void		 diode_rx_get_stats(const struct diode_rx *,
		    struct diode_rx_stats *);

/* --- Programs' I/O (diode_io.c) -------------------------------------- */

struct diode_addr {
	int		 family;	/* AF_INET, AF_INET6, AF_UNIX */
	uint8_t		 ss[128];	/* struct sockaddr_storage */
	uint32_t	 len;
};
/* "udp:ADDR:PORT", "udp:[ADDR]:PORT" (numeric only) or "unix:PATH". */
int	diode_addr_parse(const char *, struct diode_addr *, char *, size_t);
/* A socket that can only send to addr (reading shut down). */
int	diode_sock_tx(const struct diode_addr *, size_t sndbuf, char *,
	    size_t);
/* A socket bound to addr that can only receive (writing shut down). */
int	diode_sock_rx(const struct diode_addr *, size_t rcvbuf, char *,
	    size_t);

/*
 * Send n frames (iov[i]: one frame, one datagram) on a socket from
 * diode_sock_tx() to `to', in as few system calls as possible: sendmmsg
 * batches, and with *gso set (UDP) each run of equal-sized frames, a
 * shorter one possibly ending it, as one buffer that the kernel cuts
 * into the same datagrams (UDP_SEGMENT).  Should the kernel refuse to
 * cut, *gso is cleared and the frames go one datagram each.  Frames the
 * network refuses (nobody listening, no route) are added to *lost: lost
 * as on the wire, the receiver accounts for them.  -1 with a reason on
 * any other error.
 */
struct iovec;
int	diode_send_frames(int fd, const struct diode_addr *to, struct iovec *,
	    int n, int *gso, uint64_t *lost, char *, size_t);

/* Key file: DIODE_KEY_MIN..DIODE_KEY_MAX raw bytes, mode 0600 or 0400. */
int	diode_key_load(const char *, uint8_t *, size_t *, char *, size_t);

/* The stand-alone release token: HMAC-SHA256(token key, digest). */
int	diode_token_make(const uint8_t *key, size_t, const uint8_t *digest,
	    uint8_t *token);
int	diode_token_check(const uint8_t *key, size_t, const uint8_t *digest,
	    const uint8_t *token);

/*
 * The drop folder of diode-tx (the guard's outbox): one file per message,
 * NAME (1 to 64 of A-Z a-z 0-9 . _ - + = @, not starting with a dot, not
 * ending in ".refused"), written under a name starting with a dot and
 * renamed into place: its presence under its final name says it is
 * complete.  A header of "key: value" lines, then the message:
 *
 *	MMGD1
 *	id: MESSAGE-ID
 *	precedence: OVERRIDE|FLASH|IMMEDIATE|PRIORITY|ROUTINE|DEFERRED
 *	token: 64 hex digits
 *	length: N
 *	(an empty line)
 *	N bytes: the message
 *
 * The header is at most DIODE_DROP_HDR_MAX bytes; keys in any order,
 * each exactly once; the file ends exactly after the N bytes (a longer
 * or shorter file is refused: it is not what was released).  One file
 * means one inode created, written, synced and renamed per message.
 *
 * diode-rx writes its output folder differently: the message as ID and
 * its metadata as ID.meta, lines "id:", "precedence:", "token:",
 * "digest:", "session:" and "seq:", written last.
 */
#define DIODE_DROP_MAGIC	"MMGD1\n"
#define DIODE_DROP_HDR_MAX	1024
#define DIODE_REFUSED_SUFFIX	".refused"
struct diode_meta {
	char		 id[DIODE_ID_MAX + 1];
	int		 prec;
	uint8_t		 token[DIODE_TOKEN_LEN];
	int		 have_len;
	uint64_t	 len;		/* "length:", when have_len */
};
/* Metadata lines (id, precedence and token required; length, digest,
 * session and seq allowed). */
int	diode_meta_parse(const char *, size_t, struct diode_meta *, char *,
	    size_t);
/*
 * A drop file's header from its first n bytes (at least the header, up
 * to the whole file): *hdrlen is where the message starts, m->len its
 * declared length.  -1 with a reason when it is not a complete, valid
 * header.
 */
int	diode_drop_parse(const void *, size_t n, struct diode_meta *,
	    size_t *hdrlen, char *, size_t);
/* A drop file's header into buf (DIODE_DROP_HDR_MAX bytes suffice): its
 * length, or -1 when the id or precedence is not valid. */
int	diode_drop_header(char *buf, size_t, const char *id, int prec,
	    const uint8_t token[DIODE_TOKEN_LEN], uint64_t len);

/*
 * Write len bytes to dirfd/name durably: a temporary name, fsync, rename.
 * The caller fsyncs the directory (once for a batch).
 */
int	diode_write_durable(int dirfd, const char *name, const void *,
	    size_t, char *, size_t);
/*
 * The same in two steps, for group commit: write ".NAME.tmp" (no fsync);
 * after the caller has made a batch stable (syncfs), rename it to NAME.
 */
int	diode_write_staged(int dirfd, const char *name, const void *, size_t,
	    char *, size_t);
int	diode_commit_staged(int dirfd, const char *name, char *, size_t);
void	diode_hex(const uint8_t *, size_t, char *);	/* 2n+1 bytes */
/*
 * A number with an optional suffix k, M, G (times base: 1000 for rates,
 * 1024 for sizes), within [min, max]; -1 with a reason otherwise.
 */
int	diode_parse_num(const char *, unsigned base, uint64_t min,
	    uint64_t max, uint64_t *, char *, size_t);
/* Append a line to fd and fsync it. */
int	diode_append(int fd, const char *, size_t, char *, size_t);
uint64_t diode_now_us(void);		/* CLOCK_MONOTONIC */
uint64_t diode_wall_us(void);		/* CLOCK_REALTIME */

/* --- Stable state of the programs (diode_state.c) -------------------- */

/*
 * diode-rx's state file, DIODE_STATE_FILE in its state directory:
 * written with diode_write_durable and the directory fsync'd.  Load
 * returns 0 with *found 0 when there is none yet.
 */
#define DIODE_STATE_FILE	"rx.state"
int	diode_state_save(int dirfd, const struct diode_rx_state *, char *,
	    size_t);
int	diode_state_load(int dirfd, struct diode_rx_state *, int *found,
	    char *, size_t);
int	diode_state_parse(const char *, size_t, struct diode_rx_state *,
	    char *, size_t);
/*
 * diode-tx's sending record (fd open for reading): the last session that
 * recorded a message as sent, and per stream 1 + the highest sequence
 * recorded for it.  Reads from the end, the last session only.
 */
int	diode_sendlog_last(int fd, uint64_t *session,
	    uint64_t next[DIODE_NPREC], char *, size_t);
/* One line of the sending record; 0 and the fields when it is "sent". */
int	diode_sendlog_line(const char *, size_t, uint64_t *session, int *prec,
	    uint64_t *seq);

#endif
