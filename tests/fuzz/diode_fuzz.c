/*
 * diode_fuzz.c - libFuzzer harness for diode-rx's input: the frame parser
 * and the reassembler behind it.
 *
 * The first byte chooses:
 *   even: the rest is one datagram, parsed with the link key (the tag
 *	almost never matches: this exercises the length, magic and tag
 *	checks) and without (structure only: every field check and the
 *	manifest walk).
 *   odd:  the rest is a sequence of frames, each a 2-byte big-endian
 *	length and that many bytes without tag; the harness appends the
 *	correct tag (GMAC under the key of the session the frame names,
 *	its sequence as nonce), as only the genuine sender could, and
 *	feeds them to a fresh receiver with advancing time (a frame
 *	shorter than the header gets a zero tag: it is refused for its
 *	length before any tag is looked at).  This reaches everything after
 *	authentication: sessions, replay window, block assembly, erasure
 *	decoding with arbitrary k, m and symbols, the record parser, loss
 *	accounting.  With bit 1 set too, the 64 bytes after the first are
 *	a saved place the receiver resumes from (session 8, epoch 8, then
 *	per precedence the sequence below which all is accounted for, 8
 *	each, taken modulo 2^20): restarts, resynchronisation.
 * After the frames, time jumps ahead and the receiver is finished: every
 * message it heard of must then be accounted for (delivered, refused or
 * reported lost), and nothing may read out of bounds, leak or overflow.
 * Seeds (tests/fuzz/corpus/diode/) are real frames of a transfer, made
 * by `diode-testkit corpus`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/diode/diode.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const uint8_t	fuzz_key[32] = "diode fuzzing key, 32 bytes long";
static struct diode_mac	*mac;
static uint8_t		 frame[DIODE_MAX_FRAME];
static volatile uint8_t	 sink;

static int
deliver(void *arg, const struct diode_rx_msg *m, char *err, size_t errsz)
{
	uint8_t			x = 0;
	size_t			i;

	(void)arg;
	(void)err;
	(void)errsz;
	/* Touch every byte: a short buffer shows under ASan. */
	for (i = 0; i < m->len; i++)
		x ^= m->body[i];
	sink ^= x;
	if (m->id == NULL || !diode_id_valid(m->id, strlen(m->id)))
		abort();
	return 0;
}

static void
event(void *arg, const struct diode_rx_event *ev)
{
	(void)arg;
	if (ev->seq_last != 0 && ev->seq_last < ev->seq)
		abort();
	if (ev->id != NULL && !diode_id_valid(ev->id, strlen(ev->id)))
		abort();
}

static int
verify(void *arg, const uint8_t *digest, const uint8_t *token)
{
	(void)arg;
	return digest[0] == token[0] ? 0 : -1;
}

static void
one_frame(const uint8_t *p, size_t len)
{
	struct diode_manifest_entry	e;
	struct diode_frame		f;
	char				err[256];
	size_t				off = 0;
	int				why;

	(void)diode_frame_parse(mac, p, len, &f, &why, err, sizeof(err));
	if (diode_frame_parse(NULL, p, len, &f, &why, err, sizeof(err)) == 0 &&
	    f.type == DIODE_FRAME_HEARTBEAT)
		while (diode_hb_entry(&f.hb, &off, &e))
			if (!diode_id_valid(e.id, strlen(e.id)))
				abort();
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
frames(const uint8_t *p, size_t size, int resume)
{
	struct diode_rx_params	 rp;
	struct diode_rx_state	 sv;
	struct diode_rx_cb	 cb;
	struct diode_rx		*rx;
	char			 err[256];
	uint64_t		 now = 1000;
	size_t			 len, n = 0;
	int			 i;

	memset(&rp, 0, sizeof(rp));
	if (resume) {
		if (size < 64)
			return;
		memset(&sv, 0, sizeof(sv));
		sv.have_session = 1;
		sv.session = get64(p);
		sv.epoch = get64(p + 8);
		for (i = 0; i < DIODE_NPREC; i++) {
			sv.expect[i] = get64(p + 16 + 8 * i) % (1 << 20);
			sv.seen[i] = sv.expect[i];
		}
		rp.resume = &sv;
		p += 64;
		size -= 64;
	}
	rp.link = 7;
	rp.max_message = 1 << 20;
	rp.reorder_ms = 1;
	memset(&cb, 0, sizeof(cb));
	cb.deliver = deliver;
	cb.event = event;
	cb.verify = verify;
	if ((rx = diode_rx_new(&rp, fuzz_key, sizeof(fuzz_key), &cb, err,
	    sizeof(err))) == NULL)
		abort();
	while (size >= 2) {
		len = (size_t)p[0] << 8 | p[1];
		p += 2;
		size -= 2;
		if (len > size || len + DIODE_TAG_LEN > sizeof(frame))
			break;
		memcpy(frame, p, len);
		/* The tag needs the header (its nonce and session key). */
		if (len < DIODE_HDR_LEN)
			memset(frame + len, 0, DIODE_TAG_LEN);
		else if (diode_mac_tag(mac, frame, len, frame + len) != 0)
			abort();
		(void)diode_rx_input(rx, frame, len + DIODE_TAG_LEN, now, err,
		    sizeof(err));
		p += len;
		size -= len;
		now += 700;
		if (++n % 8 == 0)
			diode_rx_tick(rx, now);
	}
	diode_rx_tick(rx, now + 5000000);
	diode_rx_finish(rx, "fuzz");
	if (diode_rx_pending(rx) != 0)
		abort();
	diode_rx_free(rx);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	err[256];

	if (mac == NULL &&
	    (mac = diode_mac_new(fuzz_key, sizeof(fuzz_key), err,
	    sizeof(err))) == NULL)
		abort();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		frames(data + 1, size - 1, (data[0] & 2) != 0);
	else
		one_frame(data + 1, size - 1);
	return 0;
}
