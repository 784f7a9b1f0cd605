/*
 * diode_tx.c - the sender's scheduler.
 *
 * Each precedence is a stream: its messages, as records (header + body,
 * diode.h), are laid end to end into blocks of at most k symbols, and
 * each block gets its parity symbols.  A block is formed only when the
 * stream is about to send it, from whatever its queue holds then, so a
 * block is short (with at least min_parity parity symbols) when traffic
 * is light and full when it is heavy.
 *
 * Sending order, frame by frame:
 *   - a heartbeat when its interval has passed or when the manifest (the
 *     ids of started messages) has a frame's worth of entries;
 *   - otherwise the highest-precedence stream that has anything to send.
 *     A FLASH message therefore overtakes a large ROUTINE one at the next
 *     frame: the ROUTINE blocks already begun simply wait, intact, and
 *     resume when no higher stream has work.
 *   - within a stream, up to `window' blocks are sent round-robin, one
 *     symbol each in turn (interleaving): a burst of b lost frames costs
 *     each block about b/window symbols instead of costing one block b.
 *
 * A message is complete when every block holding a byte of it has had
 * all of its frames sent; only then is it handed back by diode_tx_done(),
 * so a caller that records completions never records a message that was
 * not wholly sent.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "guard/diode/diode.h"
#include "guard/common/xmalloc.h"

struct txmsg {
	TAILQ_ENTRY(txmsg)	 entry;
	struct diode_tx_msg	 m;
	uint8_t			 hdr[DIODE_REC_HDR_LEN + DIODE_ID_MAX];
	size_t			 hdrlen;
	uint8_t			*body;
	size_t			 len;
	uint64_t		 reclen, laid;
	uint64_t		 seq, last_block;
	uint8_t			 digest[DIODE_DIGEST_LEN];
	int			 status;
	char			 err[128];
};
TAILQ_HEAD(txmsgq, txmsg);

struct txblock {
	struct diode_block_info	 bi;
	uint16_t		 next;		/* next symbol to send */
	uint8_t			*buf;		/* (k + m) * S */
	size_t			 bufsz;
};

struct txstream {
	struct txmsgq		 queue;		/* not started */
	struct txmsg		*cur;		/* being laid into blocks */
	struct txmsgq		 laid;		/* wholly laid, not all sent */
	struct txblock		*active[DIODE_MAX_WINDOW];
	int			 nactive, rr;
	uint64_t		 next_block, next_seq;
};

struct manent {
	struct diode_manifest_entry e;
	int			 sent;
};

/*
 * Block buffers are kept for reuse: a block is (k + m) symbols, some
 * 100 KB with the defaults, formed every few messages; allocating,
 * faulting in and zeroing each one cost more than laying it.
 */
#define TX_SPARE	4

struct diode_tx {
	struct diode_tx_params	 p;
	struct diode_mac	*mac;
	struct diode_fec	*fec;
	EVP_MD			*sha256;
	EVP_MD_CTX		*md;
	uint8_t			*spare[TX_SPARE];
	int			 nspare;
	size_t			 bufsz;
	diode_load_fn		 load;
	struct diode_frame_hdr	 hdr;
	struct txstream		 s[DIODE_NPREC];
	struct txmsgq		 done;
	struct manent		*man;
	size_t			 nman, man_cap, man_bytes;
	size_t			 hb_room;	/* manifest bytes per heartbeat */
	uint64_t		 last_hb;
	int			 hb_sent;
	struct diode_tx_stats	 st;
	/* The previous session as the sending record has it. */
	uint64_t		 prev_session;
	uint64_t		 prev_next[DIODE_NPREC];
};

static void
put64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint16_t
parity_of(const struct diode_tx_params *p, int k)
{
	int	m = (k * p->redundancy + 99) / 100;

	if (m < p->min_parity)
		m = p->min_parity;
	if (k + m > DIODE_MAX_N)
		m = DIODE_MAX_N - k;
	return (uint16_t)m;
}

struct diode_tx *
diode_tx_new(const struct diode_tx_params *p, const uint8_t *key,
    size_t keylen, diode_load_fn load, uint64_t now_us, char *err,
    size_t errsz)
{
	struct diode_tx	*tx;
	int		 i;

	if (p->symsize < DIODE_MIN_SYMBOL || p->symsize > DIODE_MAX_SYMBOL) {
		snprintf(err, errsz, "symbol size %u out of range (%d to %d)",
		    p->symsize, DIODE_MIN_SYMBOL, DIODE_MAX_SYMBOL);
		return NULL;
	}
	if (p->k < 1 || p->k > DIODE_MAX_K) {
		snprintf(err, errsz, "block of %u symbols (1 to %d allowed)",
		    p->k, DIODE_MAX_K);
		return NULL;
	}
	if (p->redundancy > 100 || p->min_parity > 64) {
		snprintf(err, errsz, "redundancy %u%% or minimum parity %u "
		    "out of range (0-100%%, 0-64)", p->redundancy,
		    p->min_parity);
		return NULL;
	}
	if (p->window < 1 || p->window > DIODE_MAX_WINDOW) {
		snprintf(err, errsz, "interleave window %u (1 to %d allowed)",
		    p->window, DIODE_MAX_WINDOW);
		return NULL;
	}
	if (p->heartbeat_ms < 1 || p->heartbeat_ms > 3600000) {
		snprintf(err, errsz, "heartbeat interval %u ms out of range",
		    p->heartbeat_ms);
		return NULL;
	}
	tx = xcalloc(1, sizeof(*tx));
	tx->p = *p;
	if ((tx->mac = diode_mac_new(key, keylen, err, errsz)) == NULL) {
		free(tx);
		return NULL;
	}
	tx->fec = diode_fec_new();
	/* Fetched once, not at every message (and before any sandbox). */
	if ((tx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL ||
	    (tx->md = EVP_MD_CTX_new()) == NULL) {
		snprintf(err, errsz, "SHA-256 unavailable in OpenSSL");
		diode_tx_free(tx);
		return NULL;
	}
	tx->bufsz = ((size_t)p->k + parity_of(p, p->k)) * p->symsize;
	tx->load = load;
	tx->hdr.link = p->link;
	if (RAND_bytes((unsigned char *)&tx->hdr.session,
	    sizeof(tx->hdr.session)) != 1) {
		snprintf(err, errsz, "no random session id from OpenSSL");
		diode_tx_free(tx);
		return NULL;
	}
	tx->hdr.epoch = p->epoch ? p->epoch : diode_wall_us();
	for (i = 0; i < DIODE_NPREC; i++) {
		TAILQ_INIT(&tx->s[i].queue);
		TAILQ_INIT(&tx->s[i].laid);
	}
	TAILQ_INIT(&tx->done);
	/* A heartbeat is no larger than a data frame (same MTU). */
	tx->hb_room = DIODE_DATA_HDR_LEN + p->symsize - DIODE_HB_HDR_LEN;
	tx->last_hb = now_us;
	return tx;
}

static void
msg_free(struct txmsg *m)
{
	if (m == NULL)
		return;
	if (m->body != NULL)
		freezero(m->body, m->len);
	free(m);
}

static void
msgq_free(struct txmsgq *q)
{
	struct txmsg	*m;

	while ((m = TAILQ_FIRST(q)) != NULL) {
		TAILQ_REMOVE(q, m, entry);
		msg_free(m);
	}
}

void
diode_tx_free(struct diode_tx *tx)
{
	int	i, j;

	if (tx == NULL)
		return;
	for (i = 0; i < DIODE_NPREC; i++) {
		msgq_free(&tx->s[i].queue);
		msgq_free(&tx->s[i].laid);
		msg_free(tx->s[i].cur);
		for (j = 0; j < tx->s[i].nactive; j++) {
			freezero(tx->s[i].active[j]->buf,
			    tx->s[i].active[j]->bufsz);
			free(tx->s[i].active[j]);
		}
	}
	while (tx->nspare > 0)
		freezero(tx->spare[--tx->nspare], tx->bufsz);
	msgq_free(&tx->done);
	free(tx->man);
	EVP_MD_CTX_free(tx->md);
	EVP_MD_free(tx->sha256);
	diode_fec_free(tx->fec);
	diode_mac_free(tx->mac);
	free(tx);
}

uint64_t
diode_tx_session(const struct diode_tx *tx)
{
	return tx->hdr.session;
}

void
diode_tx_set_previous(struct diode_tx *tx, uint64_t session,
    const uint64_t next[DIODE_NPREC])
{
	int	p;

	tx->prev_session = session;
	for (p = 0; p < DIODE_NPREC; p++)
		tx->prev_next[p] = session != 0 ? next[p] : 0;
}

int
diode_tx_submit(struct diode_tx *tx, const struct diode_tx_msg *msg,
    char *err, size_t errsz)
{
	struct txmsg	*m;

	if (msg->prec < 0 || msg->prec >= DIODE_NPREC) {
		snprintf(err, errsz, "unknown precedence %d", msg->prec);
		return -1;
	}
	if (!diode_id_valid(msg->id, strlen(msg->id))) {
		snprintf(err, errsz, "message id \"%.64s\" is not valid",
		    msg->id);
		return -1;
	}
	m = xcalloc(1, sizeof(*m));
	m->m = *msg;
	TAILQ_INSERT_TAIL(&tx->s[msg->prec].queue, m, entry);
	tx->st.queued++;
	return 0;
}

static void
manifest_add(struct diode_tx *tx, const struct txmsg *m)
{
	struct manent	*e;

	if (tx->nman == tx->man_cap) {
		tx->man_cap = tx->man_cap ? tx->man_cap * 2 : 256;
		tx->man = xreallocarray(tx->man, tx->man_cap, sizeof(*tx->man));
	}
	e = &tx->man[tx->nman++];
	memset(e, 0, sizeof(*e));
	e->e.prec = (uint8_t)m->m.prec;
	e->e.seq = m->seq;
	memcpy(e->e.id, m->m.id, sizeof(e->e.id));
	tx->man_bytes += 10 + strlen(e->e.id);
}

/* Load a message's body and build its record header; -1 on failure. */
static int
msg_start(struct diode_tx *tx, struct txstream *st, struct txmsg *m)
{
	size_t	idl = strlen(m->m.id);

	if (tx->load(m->m.cookie, &m->body, &m->len, m->err,
	    sizeof(m->err)) != 0)
		return -1;
	if (m->len > DIODE_MAX_MESSAGE) {
		snprintf(m->err, sizeof(m->err), "message of %zu bytes "
		    "exceeds the limit", m->len);
		return -1;
	}
	if (EVP_DigestInit_ex(tx->md, tx->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(tx->md, m->body, m->len) != 1 ||
	    EVP_DigestFinal_ex(tx->md, m->digest, NULL) != 1) {
		snprintf(m->err, sizeof(m->err), "SHA-256 failed");
		return -1;
	}
	if (tx->p.check != NULL && tx->p.check(m->m.cookie, m->digest,
	    m->err, sizeof(m->err)) != 0)
		return -1;
	m->seq = st->next_seq++;
	memcpy(m->hdr, "MGM1", 4);
	m->hdr[4] = (uint8_t)m->m.prec;
	m->hdr[5] = (uint8_t)idl;
	m->hdr[6] = m->hdr[7] = 0;
	put64(m->hdr + 8, m->seq);
	put64(m->hdr + 16, m->len);
	memcpy(m->hdr + 24, m->digest, DIODE_DIGEST_LEN);
	memcpy(m->hdr + 56, m->m.token, DIODE_TOKEN_LEN);
	memcpy(m->hdr + DIODE_REC_HDR_LEN, m->m.id, idl);
	m->hdrlen = DIODE_REC_HDR_LEN + idl;
	m->reclen = m->hdrlen + m->len;
	m->laid = 0;
	tx->st.started++;
	manifest_add(tx, m);
	return 0;
}

/* Copy n record bytes from the message's position into dst. */
static void
msg_copy(struct txmsg *m, uint8_t *dst, size_t n)
{
	size_t	c;

	if (m->laid < m->hdrlen) {
		c = m->hdrlen - m->laid;
		if (c > n)
			c = n;
		memcpy(dst, m->hdr + m->laid, c);
		dst += c;
		n -= c;
		m->laid += c;
	}
	if (n > 0) {
		memcpy(dst, m->body + (m->laid - m->hdrlen), n);
		m->laid += n;
	}
}

static void
msg_failed(struct diode_tx *tx, struct txmsg *m)
{
	m->status = -1;
	if (m->body != NULL)
		freezero(m->body, m->len);
	m->body = NULL;
	tx->st.failed++;
	TAILQ_INSERT_TAIL(&tx->done, m, entry);
}

/* A block is done with: its buffer is kept for the next one. */
static void
block_release(struct diode_tx *tx, struct txblock *b)
{
	if (tx->nspare < TX_SPARE)
		tx->spare[tx->nspare++] = b->buf;
	else
		freezero(b->buf, b->bufsz);
	free(b);
}

/* Form the stream's next block; NULL when it has nothing to send. */
static struct txblock *
block_form(struct diode_tx *tx, struct txstream *st, int prec, char *err,
    size_t errsz)
{
	struct txblock	*b;
	struct txmsg	*m;
	size_t		 S = tx->p.symsize, cap = (size_t)tx->p.k * S;
	size_t		 off = 0, n, i;
	uint8_t		*data[DIODE_MAX_N], *par[DIODE_MAX_N];

	while (st->cur == NULL && (m = TAILQ_FIRST(&st->queue)) != NULL) {
		TAILQ_REMOVE(&st->queue, m, entry);
		tx->st.queued--;
		if (msg_start(tx, st, m) == 0)
			st->cur = m;
		else
			msg_failed(tx, m);
	}
	if (st->cur == NULL)
		return NULL;

	b = xcalloc(1, sizeof(*b));
	b->bufsz = tx->bufsz;
	b->buf = tx->nspare > 0 ? tx->spare[--tx->nspare] :
	    xmalloc(b->bufsz);
	b->bi.prec = (uint8_t)prec;
	b->bi.scheme = DIODE_SCHEME_RS_CAUCHY;
	b->bi.symsize = (uint16_t)S;
	b->bi.first_rec = DIODE_NONE;
	b->bi.first_seq = st->cur->seq;
	while (off < cap) {
		if (st->cur == NULL) {
			if ((m = TAILQ_FIRST(&st->queue)) == NULL)
				break;
			TAILQ_REMOVE(&st->queue, m, entry);
			tx->st.queued--;
			if (msg_start(tx, st, m) != 0) {
				msg_failed(tx, m);
				continue;
			}
			st->cur = m;
		}
		m = st->cur;
		if (m->laid == 0 && b->bi.first_rec == DIODE_NONE) {
			b->bi.first_rec = (uint32_t)off;
			if (off == 0)
				b->bi.first_seq = m->seq;
		}
		n = cap - off;
		if (n > m->reclen - m->laid)
			n = m->reclen - m->laid;
		msg_copy(m, b->buf + off, n);
		off += n;
		b->bi.last_seq = m->seq;
		if (m->laid == m->reclen) {
			m->last_block = st->next_block;
			freezero(m->body, m->len);
			m->body = NULL;
			TAILQ_INSERT_TAIL(&st->laid, m, entry);
			st->cur = NULL;
		}
	}
	b->bi.data_len = (uint32_t)off;
	b->bi.k = (uint16_t)((off + S - 1) / S);
	b->bi.m = parity_of(&tx->p, b->bi.k);
	memset(b->buf + off, 0, (size_t)b->bi.k * S - off);
	for (i = 0; i < b->bi.k; i++)
		data[i] = b->buf + i * S;
	for (i = 0; i < b->bi.m; i++)
		par[i] = b->buf + (b->bi.k + i) * S;
	if (diode_fec_encode(tx->fec, b->bi.k, b->bi.m, S, data, par, err,
	    errsz) != 0) {
		block_release(tx, b);
		return NULL;
	}
	b->bi.bseq = st->next_block++;
	tx->st.blocks++;
	return b;
}

static uint64_t
stream_lwm(const struct txstream *st)
{
	return st->nactive > 0 ? st->active[0]->bi.bseq : st->next_block;
}

/* Messages whose last block is below the low-water mark are complete. */
static void
stream_complete(struct diode_tx *tx, struct txstream *st)
{
	struct txmsg	*m;
	uint64_t	 lwm = stream_lwm(st);

	while ((m = TAILQ_FIRST(&st->laid)) != NULL && m->last_block < lwm) {
		TAILQ_REMOVE(&st->laid, m, entry);
		tx->st.completed++;
		tx->st.body_bytes += m->len;
		TAILQ_INSERT_TAIL(&tx->done, m, entry);
	}
}

long
diode_tx_heartbeat(struct diode_tx *tx, uint64_t now_us, uint8_t *out,
    size_t outsz, char *err, size_t errsz)
{
	struct diode_hb			 hb;
	struct diode_manifest_entry	 ent[512];
	size_t				 n, taken, len, i;
	int				 p;

	memset(&hb, 0, sizeof(hb));
	hb.started = tx->st.started;
	hb.completed = tx->st.completed;
	hb.bytes = tx->st.body_bytes;
	hb.interval_ms = tx->p.heartbeat_ms;
	for (p = 0; p < DIODE_NPREC; p++) {
		hb.streams[p].next_block = tx->s[p].next_block;
		hb.streams[p].lwm = stream_lwm(&tx->s[p]);
		hb.streams[p].next_seq = tx->s[p].next_seq;
		hb.prev_next[p] = tx->prev_next[p];
	}
	hb.prev_session = tx->prev_session;
	n = tx->nman < 512 ? tx->nman : 512;
	for (i = 0; i < n; i++)
		ent[i] = tx->man[i].e;
	if (outsz > DIODE_DATA_HDR_LEN + (size_t)tx->p.symsize + DIODE_TAG_LEN)
		outsz = DIODE_DATA_HDR_LEN + (size_t)tx->p.symsize +
		    DIODE_TAG_LEN;
	tx->hdr.fseq = tx->st.frames;
	len = diode_frame_heartbeat(tx->mac, &tx->hdr, &hb, ent, n, &taken,
	    out, outsz);
	if (len == 0) {
		snprintf(err, errsz, "heartbeat: buffer too small or MAC "
		    "failed");
		return -1;
	}
	/* Each entry goes out in two heartbeats, then leaves. */
	for (i = 0; i < taken; i++)
		tx->man[i].sent++;
	for (i = 0; i < tx->nman && tx->man[i].sent >= 2; i++)
		tx->man_bytes -= 10 + strlen(tx->man[i].e.id);
	if (i > 0) {
		memmove(tx->man, tx->man + i, (tx->nman - i) * sizeof(*tx->man));
		tx->nman -= i;
	}
	tx->last_hb = now_us;
	tx->st.frames++;
	tx->st.hb_frames++;
	tx->st.bytes_out += len;
	return (long)len;
}

long
diode_tx_next(struct diode_tx *tx, uint64_t now_us, uint8_t *out,
    size_t outsz, char *err, size_t errsz)
{
	struct txstream	*st;
	struct txblock	*b;
	size_t		 len;
	int		 p;

	if (now_us >= tx->last_hb + (uint64_t)tx->p.heartbeat_ms * 1000 ||
	    tx->man_bytes >= tx->hb_room)
		return diode_tx_heartbeat(tx, now_us, out, outsz, err, errsz);
	/* The highest precedence (the highest number) first. */
	for (p = DIODE_NPREC - 1; p >= 0; p--) {
		st = &tx->s[p];
		while (st->nactive < tx->p.window) {
			err[0] = '\0';
			if ((b = block_form(tx, st, p, err, errsz)) == NULL) {
				if (err[0] != '\0')
					return -1;
				break;
			}
			st->active[st->nactive++] = b;
		}
		if (st->nactive == 0)
			continue;
		if (st->rr >= st->nactive)
			st->rr = 0;
		b = st->active[st->rr];
		b->bi.lwm = stream_lwm(st);
		tx->hdr.fseq = tx->st.frames;
		len = diode_frame_data(tx->mac, &tx->hdr, &b->bi, b->next,
		    b->buf + (size_t)b->next * b->bi.symsize, out, outsz);
		if (len == 0) {
			snprintf(err, errsz, "data frame: buffer too small or "
			    "MAC failed");
			return -1;
		}
		tx->st.frames++;
		tx->st.data_frames++;
		tx->st.bytes_out += len;
		if (++b->next == b->bi.k + b->bi.m) {
			block_release(tx, b);
			st->nactive--;
			memmove(&st->active[st->rr], &st->active[st->rr + 1],
			    (size_t)(st->nactive - st->rr) *
			    sizeof(st->active[0]));
			stream_complete(tx, st);
		} else
			st->rr++;
		return (long)len;
	}
	return 0;
}

int
diode_tx_done(struct diode_tx *tx, struct diode_tx_done *d)
{
	struct txmsg	*m;

	if ((m = TAILQ_FIRST(&tx->done)) == NULL)
		return 0;
	TAILQ_REMOVE(&tx->done, m, entry);
	memset(d, 0, sizeof(*d));
	d->cookie = m->m.cookie;
	d->status = m->status;
	d->prec = m->m.prec;
	d->seq = m->seq;
	d->len = m->len;
	memcpy(d->digest, m->digest, sizeof(d->digest));
	memcpy(d->id, m->m.id, sizeof(d->id));
	memcpy(d->err, m->err, sizeof(d->err));
	msg_free(m);
	return 1;
}

int
diode_tx_idle(const struct diode_tx *tx)
{
	int	p;

	for (p = 0; p < DIODE_NPREC; p++)
		if (!TAILQ_EMPTY(&tx->s[p].queue) || tx->s[p].cur != NULL ||
		    tx->s[p].nactive > 0 || !TAILQ_EMPTY(&tx->s[p].laid))
			return 0;
	return 1;
}

void
diode_tx_get_stats(const struct diode_tx *tx, struct diode_tx_stats *s)
{
	*s = tx->st;
}
