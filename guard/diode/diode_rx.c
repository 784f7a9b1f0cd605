/*
 * diode_rx.c - the receiver's reassembler.
 *
 * Frames are authenticated (diode_frame_parse), then checked against the
 * session (epochs only move forward) and the replay window, and only then
 * acted on.  Per precedence stream, symbols fill blocks; a block with k of
 * its k+m symbols is decoded at once.  Blocks are then consumed strictly
 * in order: their bytes run through a record parser that rebuilds each
 * message, checks its SHA-256 digest and its release token, and hands it
 * over.
 *
 * Loss is decided, never assumed: a block the sender has finished (its
 * sequence is below the low-water mark carried by every frame and
 * heartbeat) that still cannot be decoded after the reorder wait is lost.
 * Every message with a byte in it is then reported by id (from its record
 * header if that survived, else from the heartbeat manifest) or, failing
 * both, by stream and sequence number, which the sender's log maps to the
 * id.  A lost block whose frames all vanished says nothing of what it
 * held; the parser then skips to the next record start that a later block
 * announces (or to the message count in a heartbeat) and reports the
 * messages in between.  Nothing is dropped without an event.
 *
 * A receiver restarted from its saved place (diode_rx_state) resumes the
 * session: each stream resynchronises at the sender's low-water mark, the
 * first thing it hears of the stream, as after a lost block; messages
 * below the saved mark are consumed and ignored, and those between it and
 * the first one that can be rebuilt are reported lost.  A new session
 * closes the old one (what it had begun is reported), and what the new
 * session says the old one recorded as sent, beyond that, is reported
 * lost as well (diode.h, "Accounting across restarts").
 *
 * Memory is bounded: DIODE_RX_BLOCKS blocks per stream (the sender keeps
 * at most its window in flight; a block further ahead forces the decision
 * on the oldest), one message body per stream of at most max_message
 * bytes, and a fixed ring of manifest ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "guard/diode/diode.h"
#include "guard/common/xmalloc.h"

#define RX_IDS		8192		/* manifest ids kept per stream */
#define RX_REPLAY_WORDS	(DIODE_REPLAY_WINDOW / 64)

struct rxblock {
	struct diode_block_info	 bi;
	uint8_t			*buf;		/* (k + m) * S */
	uint8_t			 present[DIODE_MAX_N];
	uint16_t		 have;
	int			 decoded;
};

struct rxid {
	uint64_t	 seq;
	int		 valid;
	char		 id[DIODE_ID_MAX + 1];
};

struct rxstream {
	int		 prec;
	uint64_t	 resolved;	/* every block below is consumed */
	struct rxblock	*win[DIODE_RX_BLOCKS];
	uint64_t	 lwm;
	uint64_t	 stall_since, stall_lwm;
	/* Latest heartbeat. */
	int		 hb_seen;
	uint64_t	 hb_next_block, hb_next_seq;
	uint64_t	 seen_next;	/* 1 + highest sequence any frame named */
	int		 resync;	/* resumed: find our place first */
	/* Record parser. */
	uint64_t	 expect;	/* next sequence to account for */
	int		 skipping;
	int		 in_rec, discard;
	uint8_t		 hdr[DIODE_REC_HDR_LEN + DIODE_ID_MAX];
	size_t		 hdrhave, hdrneed;
	uint64_t	 seq, len, got;
	uint8_t		*body;
	char		 id[DIODE_ID_MAX + 1];
	struct rxid	*ids;
};

struct diode_rx {
	struct diode_rx_params	 p;
	struct diode_rx_cb	 cb;
	struct diode_mac	*mac;
	struct diode_fec	*fec;
	int			 have_session;
	uint64_t		 session, epoch;
	int			 have_fseq;
	uint64_t		 fseq_hi;
	uint64_t		 replay[RX_REPLAY_WORDS];
	int			 link_up;
	uint64_t		 last_frame;
	uint32_t		 hb_interval_ms;
	struct rxstream		 s[DIODE_NPREC];
	struct diode_rx_stats	 st;
	/* The session before the current one (rx_prev_account). */
	int			 have_prev;
	uint64_t		 prev_session;
	uint64_t		 prev_done[DIODE_NPREC];
};

static void	rx_resume(struct diode_rx *, const struct diode_rx_state *);
static void	rx_resync(struct rxstream *);
static int	rx_session_persist(struct diode_rx *, uint64_t, uint64_t);
static void	rx_prev_account(struct diode_rx *, const struct diode_hb *);

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

struct diode_rx *
diode_rx_new(const struct diode_rx_params *p, const uint8_t *key,
    size_t keylen, const struct diode_rx_cb *cb, char *err, size_t errsz)
{
	struct diode_rx	*rx;
	int		 i;

	if (p->max_message == 0 || p->max_message > DIODE_MAX_MESSAGE) {
		snprintf(err, errsz, "maximum message size out of range");
		return NULL;
	}
	rx = xcalloc(1, sizeof(*rx));
	rx->p = *p;
	rx->cb = *cb;
	if ((rx->mac = diode_mac_new(key, keylen, err, errsz)) == NULL) {
		free(rx);
		return NULL;
	}
	rx->fec = diode_fec_new();
	rx->hb_interval_ms = DIODE_DEF_HEARTBEAT_MS;
	for (i = 0; i < DIODE_NPREC; i++)
		rx->s[i].prec = i;
	if (p->resume != NULL)
		rx_resume(rx, p->resume);
	return rx;
}

static void
block_free(struct rxblock *b)
{
	if (b == NULL)
		return;
	freezero(b->buf, ((size_t)b->bi.k + b->bi.m) * b->bi.symsize);
	free(b);
}

static void
rec_drop(struct rxstream *st)
{
	if (st->body != NULL)
		freezero(st->body, st->len);
	st->body = NULL;
	st->in_rec = 0;
}

static void
stream_reset(struct rxstream *st)
{
	int	i;

	for (i = 0; i < DIODE_RX_BLOCKS; i++) {
		block_free(st->win[i]);
		st->win[i] = NULL;
	}
	rec_drop(st);
	if (st->ids != NULL)
		memset(st->ids, 0, RX_IDS * sizeof(struct rxid));
	st->resolved = st->lwm = st->stall_since = st->stall_lwm = 0;
	st->hb_seen = 0;
	st->hb_next_block = st->hb_next_seq = st->seen_next = 0;
	st->expect = 0;
	st->skipping = st->discard = 0;
	st->hdrhave = st->hdrneed = 0;
}

void
diode_rx_free(struct diode_rx *rx)
{
	int	i, j;

	if (rx == NULL)
		return;
	for (i = 0; i < DIODE_NPREC; i++) {
		for (j = 0; j < DIODE_RX_BLOCKS; j++)
			block_free(rx->s[i].win[j]);
		rec_drop(&rx->s[i]);
		free(rx->s[i].ids);
	}
	diode_fec_free(rx->fec);
	diode_mac_free(rx->mac);
	free(rx);
}

static void
emit_in(struct diode_rx *rx, uint64_t session, int type, int prec,
    uint64_t seq, uint64_t last, const char *id, const char *reason)
{
	struct diode_rx_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.session = session;
	ev.prec = prec;
	ev.seq = seq;
	ev.seq_last = last;
	ev.id = id;
	ev.reason = reason;
	if (rx->cb.event != NULL)
		rx->cb.event(rx->cb.arg, &ev);
}

static void
emit(struct diode_rx *rx, int type, int prec, uint64_t seq, uint64_t last,
    const char *id, const char *reason)
{
	emit_in(rx, rx->session, type, prec, seq, last, id, reason);
}

static const char *
id_lookup(struct rxstream *st, uint64_t seq)
{
	struct rxid	*e;

	if (st->in_rec && st->hdrhave == st->hdrneed &&
	    st->hdrneed > DIODE_REC_HDR_LEN && st->seq == seq)
		return st->id;
	if (st->ids == NULL)
		return NULL;
	e = &st->ids[seq % RX_IDS];
	if (e->valid && e->seq == seq)
		return e->id;
	return NULL;
}

static void
seen(struct rxstream *st, uint64_t next)
{
	if (next > st->seen_next)
		st->seen_next = next;
}

/*
 * Report messages from..to (inclusive) of the stream as lost, those below
 * `expect' excepted (already accounted for), and move `expect' past them.
 * Messages with a known id are reported one by one; runs without one are
 * reported as one range, so the work is bounded by the id ring.
 */
static void
lose_range(struct diode_rx *rx, struct rxstream *st, uint64_t from,
    uint64_t to, const char *reason)
{
	uint64_t	 seq, run = 0, limit;
	int		 in_run = 0;
	const char	*id;

	if (from < st->expect)
		from = st->expect;
	if (to < from || to == UINT64_MAX)
		return;
	limit = to - from >= RX_IDS ? from + RX_IDS : to + 1;
	for (seq = from; seq < limit; seq++) {
		id = id_lookup(st, seq);
		if (id == NULL) {
			if (!in_run) {
				run = seq;
				in_run = 1;
			}
			continue;
		}
		if (in_run) {
			emit(rx, DIODE_EV_LOST, st->prec, run, seq - 1, NULL,
			    reason);
			rx->st.lost += seq - run;
			in_run = 0;
		}
		emit(rx, DIODE_EV_LOST, st->prec, seq, seq, id, reason);
		rx->st.lost++;
	}
	if (!in_run)
		run = limit;
	if (limit <= to || in_run) {
		emit(rx, DIODE_EV_LOST, st->prec, run, to, NULL, reason);
		rx->st.lost += to - run + 1;
	}
	st->expect = to + 1;
	seen(st, st->expect);
}

/* The parser lost its place: drop the partial record and skip. */
static void
lose_track(struct rxstream *st)
{
	rec_drop(st);
	st->skipping = 1;
}

static void
protocol(struct diode_rx *rx, struct rxstream *st, const char *reason)
{
	rx->st.refused_protocol++;
	emit(rx, DIODE_EV_PROTOCOL, st->prec, st->expect, st->expect, NULL,
	    reason);
}

static void
rec_finish(struct diode_rx *rx, struct rxstream *st)
{
	struct diode_rx_msg	 m;
	uint8_t			 digest[DIODE_DIGEST_LEN];
	char			 err[256];

	if (st->discard) {
		rec_drop(st);
		return;
	}
	if (EVP_Digest(st->body != NULL ? st->body : (const uint8_t *)"",
	    st->len, digest, NULL, EVP_sha256(), NULL) != 1 ||
	    CRYPTO_memcmp(digest, st->hdr + 24, DIODE_DIGEST_LEN) != 0) {
		rx->st.refused++;
		emit(rx, DIODE_EV_REFUSED, st->prec, st->seq, st->seq, st->id,
		    "digest does not match the message");
	} else if (rx->cb.verify == NULL ||
	    rx->cb.verify(rx->cb.arg, digest, st->hdr + 56) != 0) {
		rx->st.refused++;
		emit(rx, DIODE_EV_REFUSED, st->prec, st->seq, st->seq, st->id,
		    "release token does not release this digest");
	} else {
		memset(&m, 0, sizeof(m));
		m.session = rx->session;
		m.prec = st->prec;
		m.seq = st->seq;
		m.id = st->id;
		m.digest = digest;
		m.token = st->hdr + 56;
		m.body = st->body != NULL ? st->body : (const uint8_t *)"";
		m.len = st->len;
		err[0] = '\0';
		if (rx->cb.deliver(rx->cb.arg, &m, err, sizeof(err)) != 0) {
			rx->st.lost++;
			emit(rx, DIODE_EV_LOST, st->prec, st->seq, st->seq,
			    st->id, err[0] ? err : "could not be stored");
		} else {
			rx->st.delivered++;
			rx->st.bytes += st->len;
		}
	}
	st->expect = st->seq + 1;
	rec_drop(st);
}

/* The fixed header is in: check it.  -1: the parser has lost its place. */
static int
rec_header(struct diode_rx *rx, struct rxstream *st)
{
	const uint8_t	*h = st->hdr;

	if (memcmp(h, "MGM1", 4) != 0 || h[4] != st->prec ||
	    h[6] != 0 || h[7] != 0 || h[5] == 0 || h[5] > DIODE_ID_MAX) {
		protocol(rx, st, "malformed message record header");
		return -1;
	}
	st->seq = get64(h + 8);
	st->len = get64(h + 16);
	if (st->seq > UINT64_MAX / 2) {
		protocol(rx, st, "message sequence out of range");
		return -1;
	}
	st->hdrneed = DIODE_REC_HDR_LEN + h[5];
	return 0;
}

/* Header and id are in: decide what to do with the body. */
static int
rec_begin(struct diode_rx *rx, struct rxstream *st)
{
	size_t	idl = st->hdrneed - DIODE_REC_HDR_LEN;

	if (!diode_id_valid((const char *)st->hdr + DIODE_REC_HDR_LEN, idl)) {
		protocol(rx, st, "message id in record is not valid");
		return -1;
	}
	memcpy(st->id, st->hdr + DIODE_REC_HDR_LEN, idl);
	st->id[idl] = '\0';
	seen(st, st->seq + 1);
	st->discard = 0;
	if (st->seq < st->expect) {
		/* Already reported lost (or delivered): consume, ignore. */
		st->discard = 1;
	} else if (st->seq > st->expect) {
		protocol(rx, st, "message sequence skips ahead");
		lose_range(rx, st, st->expect, st->seq - 1,
		    "sequence gap in the stream");
	}
	if (!st->discard && st->len > rx->p.max_message) {
		rx->st.refused++;
		emit(rx, DIODE_EV_REFUSED, st->prec, st->seq, st->seq, st->id,
		    "message larger than the configured maximum");
		st->expect = st->seq + 1;
		st->discard = 1;
	}
	st->got = 0;
	if (!st->discard && st->len > 0)
		st->body = xmalloc(st->len);
	return 0;
}

/* Consume a decoded block's data bytes. */
static void
block_consume(struct diode_rx *rx, struct rxstream *st,
    const struct rxblock *b)
{
	const struct diode_block_info	*bi = &b->bi;
	size_t				 pos = 0, n;
	uint64_t			 r;
	int				 started = 0;

	seen(st, bi->last_seq + 1);
	if (!st->skipping) {
		/* Our place must agree with what the sender says. */
		if (st->in_rec ? (bi->first_rec == 0 ||
		    (st->hdrhave == st->hdrneed && bi->first_seq != st->seq)) :
		    bi->first_rec != 0) {
			protocol(rx, st, "block does not continue the stream");
			lose_track(st);
		}
	}
	if (st->skipping) {
		if (bi->first_rec == DIODE_NONE) {
			lose_range(rx, st, st->expect, bi->first_seq,
			    "part of the message was lost");
			return;
		}
		r = bi->first_rec == 0 ? bi->first_seq : bi->first_seq + 1;
		if (r > 0)
			lose_range(rx, st, st->expect, r - 1,
			    "part of the message was lost");
		st->skipping = 0;
		pos = bi->first_rec;
	}
	while (pos < bi->data_len) {
		if (!st->in_rec) {
			/* The first record to start here starts where the
			 * sender said. */
			if (!started && pos != bi->first_rec) {
				protocol(rx, st, "record starts where the "
				    "sender said none does");
				lose_track(st);
				return;
			}
			started = 1;
			st->in_rec = 1;
			st->hdrhave = 0;
			st->hdrneed = DIODE_REC_HDR_LEN;
			st->discard = 0;
		}
		if (st->hdrhave < st->hdrneed) {
			n = st->hdrneed - st->hdrhave;
			if (n > bi->data_len - pos)
				n = bi->data_len - pos;
			memcpy(st->hdr + st->hdrhave, b->buf + pos, n);
			st->hdrhave += n;
			pos += n;
			if (st->hdrhave == DIODE_REC_HDR_LEN &&
			    st->hdrneed == DIODE_REC_HDR_LEN &&
			    rec_header(rx, st) != 0) {
				lose_track(st);
				return;
			}
			if (st->hdrhave < st->hdrneed)
				continue;
			if (rec_begin(rx, st) != 0) {
				lose_track(st);
				return;
			}
		} else {
			n = st->len - st->got;
			if (n > bi->data_len - pos)
				n = bi->data_len - pos;
			if (!st->discard)
				memcpy(st->body + st->got, b->buf + pos, n);
			st->got += n;
			pos += n;
		}
		if (st->hdrhave == st->hdrneed && st->got == st->len)
			rec_finish(rx, st);
	}
}

/* A block that cannot be rebuilt (b NULL: none of its frames came). */
static void
block_lose(struct diode_rx *rx, struct rxstream *st, struct rxblock *b)
{
	rx->st.blocks_lost++;
	if (b != NULL) {
		seen(st, b->bi.last_seq + 1);
		/* Every message with a byte here is lost. */
		lose_range(rx, st, st->expect, b->bi.last_seq,
		    "not repairable (too many frames lost)");
		st->skipping = 1;
		rec_drop(st);
	} else {
		/*
		 * The partial record, if any, is lost with it; which
		 * messages exactly, the next block or heartbeat will say.
		 */
		if (st->in_rec && st->hdrhave == st->hdrneed &&
		    st->hdrneed > DIODE_REC_HDR_LEN && !st->discard)
			lose_range(rx, st, st->expect, st->seq,
			    "not repairable (a whole block was lost)");
		lose_track(st);
	}
}

static void
stream_advance(struct diode_rx *rx, struct rxstream *st, uint64_t now)
{
	struct rxblock	*b;
	uint64_t	 wait = (uint64_t)rx->p.reorder_ms * 1000, nxt;
	size_t		 i;

	for (;;) {
		b = st->win[st->resolved % DIODE_RX_BLOCKS];
		if (b != NULL && b->bi.bseq != st->resolved)
			b = NULL;	/* cannot happen: slots are cleared */
		if (b == NULL || !b->decoded) {
			if (st->resolved >= st->lwm)
				break;
			/* The sender is done with it: wait, then decide. */
			if (st->stall_since == 0) {
				st->stall_since = now ? now : 1;
				st->stall_lwm = st->lwm;
			}
			if (now - st->stall_since < wait)
				break;
		}
		if (b != NULL) {
			if (b->decoded)
				block_consume(rx, st, b);
			else
				block_lose(rx, st, b);
			block_free(b);
			st->win[st->resolved % DIODE_RX_BLOCKS] = NULL;
			st->resolved++;
		} else {
			/*
			 * A run of blocks of which nothing arrived, up to the
			 * next one held or the low-water mark: one decision,
			 * however long the run.
			 */
			nxt = st->lwm;
			for (i = 0; i < DIODE_RX_BLOCKS; i++)
				if (st->win[i] != NULL &&
				    st->win[i]->bi.bseq > st->resolved &&
				    st->win[i]->bi.bseq < nxt)
					nxt = st->win[i]->bi.bseq;
			rx->st.blocks_lost += nxt - st->resolved - 1;
			block_lose(rx, st, NULL);
			st->resolved = nxt;
		}
		/* Blocks passed before the wait began need not wait again. */
		if (st->resolved >= st->stall_lwm)
			st->stall_since = 0;
	}
	/*
	 * Lost track with no later block to resync on: the heartbeat's
	 * message count says which messages were in the lost blocks.
	 */
	if (st->skipping && st->hb_seen && st->resolved >= st->hb_next_block &&
	    st->hb_next_seq > st->expect)
		lose_range(rx, st, st->expect, st->hb_next_seq - 1,
		    "not repairable (frames lost)");
}

static void
block_input(struct diode_rx *rx, const struct diode_frame *f, uint64_t now)
{
	struct rxstream			*st = &rx->s[f->blk.prec];
	const struct diode_block_info	*bi = &f->blk;
	struct rxblock			*b;
	uint8_t				*sym[DIODE_MAX_N];
	size_t				 S = bi->symsize, slot;
	char				 err[128];
	int				 i;

	if (bi->lwm > st->lwm)
		st->lwm = bi->lwm;
	rx_resync(st);
	seen(st, bi->last_seq + 1);
	if (bi->bseq < st->resolved)
		return;			/* a block already consumed */
	/*
	 * Too far ahead: the sender has finished every block more than its
	 * window behind (a window is far smaller than DIODE_RX_BLOCKS), so
	 * decide them now.
	 */
	if (bi->bseq >= st->resolved + DIODE_RX_BLOCKS) {
		if (st->lwm < bi->bseq - DIODE_RX_BLOCKS + 1)
			st->lwm = bi->bseq - DIODE_RX_BLOCKS + 1;
		st->stall_since = 1;
		st->stall_lwm = st->lwm;
		stream_advance(rx, st, UINT64_MAX / 2);
		st->stall_since = 0;
	}
	slot = bi->bseq % DIODE_RX_BLOCKS;
	if ((b = st->win[slot]) == NULL) {
		b = xcalloc(1, sizeof(*b));
		b->bi = *bi;
		b->buf = xmalloc(((size_t)bi->k + bi->m) * S);
		st->win[slot] = b;
	} else if (b->bi.k != bi->k || b->bi.m != bi->m ||
	    b->bi.symsize != bi->symsize || b->bi.data_len != bi->data_len ||
	    b->bi.first_rec != bi->first_rec ||
	    b->bi.first_seq != bi->first_seq ||
	    b->bi.last_seq != bi->last_seq) {
		protocol(rx, st, "frame disagrees with its block");
		return;
	}
	if (b->decoded || b->present[f->sym])
		return;
	memcpy(b->buf + (size_t)f->sym * S, f->payload, S);
	b->present[f->sym] = 1;
	if (++b->have < b->bi.k)
		return;
	for (i = 0; i < b->bi.k + b->bi.m; i++)
		sym[i] = b->buf + (size_t)i * S;
	for (i = 0; i < b->bi.k; i++)
		if (!b->present[i])
			break;
	if (i < b->bi.k)
		rx->st.blocks_repaired++;
	if (diode_fec_decode(rx->fec, b->bi.k, b->bi.m, S, sym, b->present,
	    err, sizeof(err)) != 0) {
		protocol(rx, st, "erasure decoding failed");
		return;
	}
	b->decoded = 1;
	rx->st.blocks++;
	stream_advance(rx, st, now);
}

static void
hb_input(struct diode_rx *rx, const struct diode_frame *f, uint64_t now)
{
	struct diode_manifest_entry	 e;
	struct rxstream			*st;
	struct rxid			*r;
	size_t				 off = 0;
	int				 p;

	rx->st.heartbeats++;
	rx->hb_interval_ms = f->hb.interval_ms;
	while (diode_hb_entry(&f->hb, &off, &e)) {
		st = &rx->s[e.prec];
		seen(st, e.seq + 1);
		if (e.seq < st->expect || e.seq >= st->expect + RX_IDS)
			continue;
		/* The ring of a stream is made when it is first needed. */
		if (st->ids == NULL)
			st->ids = xcalloc(RX_IDS, sizeof(struct rxid));
		r = &st->ids[e.seq % RX_IDS];
		r->seq = e.seq;
		r->valid = 1;
		memcpy(r->id, e.id, sizeof(r->id));
	}
	for (p = 0; p < DIODE_NPREC; p++) {
		st = &rx->s[p];
		/* Counters never go back within a session. */
		if (f->hb.streams[p].next_block >= st->hb_next_block &&
		    f->hb.streams[p].next_seq >= st->hb_next_seq) {
			st->hb_seen = 1;
			st->hb_next_block = f->hb.streams[p].next_block;
			st->hb_next_seq = f->hb.streams[p].next_seq;
		}
		seen(st, f->hb.streams[p].next_seq);
		if (f->hb.streams[p].lwm > st->lwm)
			st->lwm = f->hb.streams[p].lwm;
		rx_resync(st);
		stream_advance(rx, st, now);
	}
	rx_prev_account(rx, &f->hb);
}

/* Account for everything of the current session still open. */
static void
session_account(struct diode_rx *rx, const char *reason)
{
	struct rxstream	*st;
	int		 p;

	for (p = 0; p < DIODE_NPREC; p++) {
		st = &rx->s[p];
		if (st->seen_next > st->expect)
			lose_range(rx, st, st->expect, st->seen_next - 1,
			    reason);
	}
}

/*
 * The session ends (a new one begins): account for it, keep what is
 * needed to hear its successor speak of it, and start afresh.
 */
static void
session_close(struct diode_rx *rx, const char *reason)
{
	int	p;

	session_account(rx, reason);
	rx->have_prev = 1;
	rx->prev_session = rx->session;
	for (p = 0; p < DIODE_NPREC; p++) {
		rx->prev_done[p] = rx->s[p].expect;
		stream_reset(&rx->s[p]);
		rx->s[p].resync = 0;
	}
}

/* Anti-replay: 0 if fseq is new (and is now marked), -1 if not. */
static int
replay_check(struct diode_rx *rx, uint64_t fseq)
{
	uint64_t	i, d;

	if (!rx->have_fseq) {
		memset(rx->replay, 0, sizeof(rx->replay));
		rx->have_fseq = 1;
		rx->fseq_hi = fseq;
	} else if (fseq > rx->fseq_hi) {
		d = fseq - rx->fseq_hi;
		if (d >= DIODE_REPLAY_WINDOW)
			memset(rx->replay, 0, sizeof(rx->replay));
		else
			for (i = rx->fseq_hi + 1; i <= fseq; i++)
				rx->replay[(i % DIODE_REPLAY_WINDOW) / 64] &=
				    ~((uint64_t)1 << (i % 64));
		rx->fseq_hi = fseq;
	} else if (rx->fseq_hi - fseq >= DIODE_REPLAY_WINDOW)
		return -1;
	i = fseq % DIODE_REPLAY_WINDOW;
	if (rx->replay[i / 64] & ((uint64_t)1 << (i % 64)))
		return -1;
	rx->replay[i / 64] |= (uint64_t)1 << (i % 64);
	return 0;
}

int
diode_rx_input(struct diode_rx *rx, const uint8_t *buf, size_t len,
    uint64_t now, char *err, size_t errsz)
{
	struct diode_frame	f;
	int			why;

	rx->st.frames++;
	if (diode_frame_parse(rx->mac, buf, len, &f, &why, err, errsz) != 0) {
		if (why == DIODE_REFUSE_TAG)
			rx->st.refused_tag++;
		else
			rx->st.refused_malformed++;
		return -1;
	}
	if (f.link != rx->p.link) {
		rx->st.refused_link++;
		snprintf(err, errsz, "frame of link %u, not %u", f.link,
		    rx->p.link);
		return -1;
	}
	if (!rx->have_session || f.epoch > rx->epoch) {
		if (f.epoch <= rx->p.last_epoch) {
			rx->st.refused_stale++;
			snprintf(err, errsz, "session epoch %llu not after the "
			    "last accepted one (replayed or clock went back)",
			    (unsigned long long)f.epoch);
			return -1;
		}
		if (rx_session_persist(rx, f.session, f.epoch) != 0) {
			rx->st.refused_stale++;
			snprintf(err, errsz, "new session not recorded");
			return -1;
		}
		if (rx->have_session)
			session_close(rx, "sender restarted before sending "
			    "all of it");
		rx->have_session = 1;
		rx->session = f.session;
		rx->epoch = rx->p.last_epoch = f.epoch;
		rx->have_fseq = 0;
		rx->st.sessions++;
		emit(rx, DIODE_EV_SESSION, 0, 0, 0, NULL, "new sender session");
	} else if (f.epoch < rx->epoch || f.session != rx->session) {
		rx->st.refused_stale++;
		snprintf(err, errsz, "frame of an earlier session");
		return -1;
	}
	if (replay_check(rx, f.fseq) != 0) {
		rx->st.refused_replay++;
		snprintf(err, errsz, "frame %llu already seen or too old "
		    "(duplicate or replay)", (unsigned long long)f.fseq);
		return -1;
	}
	rx->last_frame = now;
	if (!rx->link_up) {
		rx->link_up = 1;
		emit(rx, DIODE_EV_LINK_UP, 0, 0, 0, NULL, "frames arriving");
	}
	if (f.type == DIODE_FRAME_DATA)
		block_input(rx, &f, now);
	else
		hb_input(rx, &f, now);
	return 0;
}

void
diode_rx_tick(struct diode_rx *rx, uint64_t now)
{
	uint64_t	dead;
	int		p;

	if (!rx->have_session)
		return;
	for (p = 0; p < DIODE_NPREC; p++)
		stream_advance(rx, &rx->s[p], now);
	dead = rx->p.dead_ms ? rx->p.dead_ms : 3 * rx->hb_interval_ms;
	if (rx->link_up && now - rx->last_frame > dead * 1000) {
		rx->link_up = 0;
		emit(rx, DIODE_EV_LINK_DOWN, 0, 0, 0, NULL,
		    "no frame (not even a heartbeat) within the dead time");
	}
}

void
diode_rx_finish(struct diode_rx *rx, const char *reason)
{
	/* The streams keep their marks: the state saved next says so. */
	if (rx->have_session)
		session_account(rx, reason);
}

uint64_t
diode_rx_pending(const struct diode_rx *rx)
{
	uint64_t	n = 0;
	int		p;

	for (p = 0; p < DIODE_NPREC; p++)
		if (rx->s[p].seen_next > rx->s[p].expect)
			n += rx->s[p].seen_next - rx->s[p].expect;
	return n;
}

void
diode_rx_get_stats(const struct diode_rx *rx, struct diode_rx_stats *s)
{
	*s = rx->st;
}

/* --- Restarts: the saved place and the previous session --------------- */

void
diode_rx_get_state(const struct diode_rx *rx, struct diode_rx_state *out)
{
	int	p;

	memset(out, 0, sizeof(*out));
	out->have_session = rx->have_session;
	if (rx->have_session) {
		out->session = rx->session;
		out->epoch = rx->epoch;
		for (p = 0; p < DIODE_NPREC; p++) {
			out->expect[p] = rx->s[p].expect;
			out->seen[p] = rx->s[p].seen_next > rx->s[p].expect ?
			    rx->s[p].seen_next : rx->s[p].expect;
		}
	}
	out->have_prev = rx->have_prev;
	if (rx->have_prev) {
		out->prev_session = rx->prev_session;
		memcpy(out->prev_done, rx->prev_done, sizeof(out->prev_done));
	}
}

/*
 * Start from a saved place: the session goes on where it was, each
 * stream resynchronising on what it hears first (rx_resync).
 */
static void
rx_resume(struct diode_rx *rx, const struct diode_rx_state *sv)
{
	int	p;

	if (sv->have_session) {
		rx->have_session = 1;
		rx->session = sv->session;
		rx->epoch = sv->epoch;
		if (sv->epoch > rx->p.last_epoch)
			rx->p.last_epoch = sv->epoch;
		for (p = 0; p < DIODE_NPREC; p++) {
			rx->s[p].expect = sv->expect[p];
			rx->s[p].seen_next = sv->seen[p] > sv->expect[p] ?
			    sv->seen[p] : sv->expect[p];
			rx->s[p].resync = 1;
		}
	}
	if (sv->have_prev) {
		rx->have_prev = 1;
		rx->prev_session = sv->prev_session;
		memcpy(rx->prev_done, sv->prev_done, sizeof(rx->prev_done));
	}
}

/*
 * A resumed stream knows neither which blocks went by while the receiver
 * was down nor where a record starts: every block below the sender's
 * low-water mark is finished and gone, so the stream starts there, lost
 * track of, and the next record start it decodes says which messages
 * between its saved mark and there were lost (block_consume).
 */
static void
rx_resync(struct rxstream *st)
{
	if (!st->resync)
		return;
	st->resync = 0;
	if (st->lwm > st->resolved)
		st->resolved = st->lwm;
	st->skipping = 1;
}

/*
 * Before switching to a new session: the state to keep is the one after
 * the switch, with the current session as the previous one, accounted
 * for as far as it is now (what session_close is about to report is
 * reported again, by the successor's heartbeat, should the receiver die
 * in between).
 */
static int
rx_session_persist(struct diode_rx *rx, uint64_t session, uint64_t epoch)
{
	struct diode_rx_state	sv;
	int			p;

	if (rx->cb.session == NULL)
		return 0;
	memset(&sv, 0, sizeof(sv));
	sv.have_session = 1;
	sv.session = session;
	sv.epoch = epoch;
	if (rx->have_session) {
		sv.have_prev = 1;
		sv.prev_session = rx->session;
		for (p = 0; p < DIODE_NPREC; p++)
			sv.prev_done[p] = rx->s[p].expect;
	} else if (rx->have_prev) {
		sv.have_prev = 1;
		sv.prev_session = rx->prev_session;
		memcpy(sv.prev_done, rx->prev_done, sizeof(sv.prev_done));
	}
	return rx->cb.session(rx->cb.arg, &sv);
}

/*
 * What the current session's heartbeat says of the previous one: how
 * many messages of each stream its sending record holds.  Those above
 * what this receiver accounted for in that session are lost (they were
 * sent while it was down, or died with it), reported by sequence; a
 * previous session it never heard of is reported whole, with an alarm.
 */
static void
rx_prev_account(struct diode_rx *rx, const struct diode_hb *hb)
{
	int	p;

	if (hb->prev_session == 0 || hb->prev_session == rx->session)
		return;
	if (!rx->have_prev || rx->prev_session != hb->prev_session) {
		emit_in(rx, hb->prev_session, DIODE_EV_UNSEEN, 0, 0, 0, NULL,
		    "the sender's previous session was never received here: "
		    "what it recorded as sent is reported lost; messages of "
		    "sessions before it cannot be named from here (see the "
		    "sender's log)");
		rx->have_prev = 1;
		rx->prev_session = hb->prev_session;
		memset(rx->prev_done, 0, sizeof(rx->prev_done));
	}
	for (p = 0; p < DIODE_NPREC; p++) {
		if (hb->prev_next[p] <= rx->prev_done[p])
			continue;
		emit_in(rx, rx->prev_session, DIODE_EV_LOST, p,
		    rx->prev_done[p], hb->prev_next[p] - 1, NULL,
		    "sent by the sender's previous session, never received "
		    "(the receiver was down or restarted)");
		rx->st.lost += hb->prev_next[p] - rx->prev_done[p];
		rx->prev_done[p] = hb->prev_next[p];
	}
}
