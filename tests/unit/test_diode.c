/*
 * test_diode.c - the one-way channel: frame encoding and parsing (round
 * trip, every byte tampered, every truncation, limits), erasure repair at
 * the edges (exactly m symbols lost, m + 1), interleaving order,
 * precedence order and pre-emption, the sender and receiver engines end
 * to end in memory (loss accounted by id, duplicates and replayed or
 * stale sessions refused, a refused token), drop-folder metadata, the
 * stand-in release token, and a receive socket that cannot send.
 */
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "guard/common/xmalloc.h"
#include "guard/diode/diode.h"
#include "tests/unit/unit.h"

static const uint8_t	key[32] = "0123456789abcdef0123456789abcdef";
static const uint8_t	key2[32] = "fedcba9876543210fedcba9876543210";

/* --- frames ------------------------------------------------------------ */

static struct diode_frame_hdr
hdr(void)
{
	struct diode_frame_hdr	h = { 7, 0x1122334455667788ULL, 1000, 42 };

	return h;
}

static struct diode_block_info
block(void)
{
	struct diode_block_info	b;

	memset(&b, 0, sizeof(b));
	b.prec = DIODE_FLASH;
	b.scheme = DIODE_SCHEME_RS_CAUCHY;
	b.symsize = 256;
	b.bseq = 9;
	b.lwm = 8;
	b.k = 3;
	b.m = 2;
	b.data_len = 600;
	b.first_rec = 100;
	b.first_seq = 4;
	b.last_seq = 6;
	return b;
}

static size_t
data_frame(struct diode_mac *mac, const struct diode_block_info *b,
    uint16_t sym, uint8_t *out)
{
	struct diode_frame_hdr	h = hdr();
	uint8_t			pay[DIODE_MAX_SYMBOL];
	size_t			i;

	for (i = 0; i < b->symsize; i++)
		pay[i] = (uint8_t)(i * 7 + sym);
	return diode_frame_data(mac, &h, b, sym, pay, out, DIODE_MAX_FRAME);
}

static void
test_frame_data_roundtrip(void)
{
	struct diode_block_info	 b = block();
	struct diode_mac	*mac;
	struct diode_frame	 f;
	uint8_t			 buf[DIODE_MAX_FRAME];
	char			 err[128];
	size_t			 len;
	int			 why;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mac);
	len = data_frame(mac, &b, 4, buf);
	CU_ASSERT_EQUAL(len, DIODE_DATA_HDR_LEN + 256 + DIODE_TAG_LEN);
	CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.type, DIODE_FRAME_DATA);
	CU_ASSERT_EQUAL(f.link, 7);
	CU_ASSERT_EQUAL(f.session, 0x1122334455667788ULL);
	CU_ASSERT_EQUAL(f.epoch, 1000);
	CU_ASSERT_EQUAL(f.fseq, 42);
	CU_ASSERT_EQUAL(f.blk.prec, DIODE_FLASH);
	CU_ASSERT_EQUAL(f.blk.bseq, 9);
	CU_ASSERT_EQUAL(f.blk.lwm, 8);
	CU_ASSERT_EQUAL(f.blk.k, 3);
	CU_ASSERT_EQUAL(f.blk.m, 2);
	CU_ASSERT_EQUAL(f.sym, 4);
	CU_ASSERT_EQUAL(f.blk.data_len, 600);
	CU_ASSERT_EQUAL(f.blk.first_rec, 100);
	CU_ASSERT_EQUAL(f.blk.first_seq, 4);
	CU_ASSERT_EQUAL(f.blk.last_seq, 6);
	CU_ASSERT_EQUAL(f.payload[10], (uint8_t)(70 + 4));
	/* The big-endian layout of SECURITY-FRAMES, spot-checked. */
	CU_ASSERT_EQUAL(memcmp(buf, "MGD3\x01\0\0\0\0\0\0\x07", 12), 0);
	CU_ASSERT_EQUAL(buf[60], 0);
	CU_ASSERT_EQUAL(buf[61], 4);
	diode_mac_free(mac);
}

static void
test_frame_hb_roundtrip(void)
{
	struct diode_frame_hdr		 h = hdr();
	struct diode_manifest_entry	 ent[3], e;
	struct diode_hb			 hb;
	struct diode_mac		*mac;
	struct diode_frame		 f;
	uint8_t				 buf[DIODE_MAX_FRAME];
	char				 err[128];
	size_t				 len, taken, off = 0;
	int				 why, i;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mac);
	memset(&hb, 0, sizeof(hb));
	hb.started = 10;
	hb.completed = 8;
	hb.bytes = 12345;
	hb.interval_ms = 200;
	for (i = 0; i < DIODE_NPREC; i++) {
		hb.streams[i].next_block = 100 + (uint64_t)i;
		hb.streams[i].lwm = 90 + (uint64_t)i;
		hb.streams[i].next_seq = 1000 + (uint64_t)i;
	}
	for (i = 0; i < 3; i++) {
		ent[i].prec = (uint8_t)i;
		ent[i].seq = 500 + (uint64_t)i;
		(void)snprintf(ent[i].id, sizeof(ent[i].id), "msg-%d@x", i);
	}
	hb.prev_session = 0xfeedfacecafebeefULL;
	hb.prev_next[4] = 77;
	len = diode_frame_heartbeat(mac, &h, &hb, ent, 3, &taken, buf,
	    sizeof(buf));
	CU_ASSERT_EQUAL(taken, 3);
	CU_ASSERT_EQUAL_FATAL(diode_frame_parse(mac, buf, len, &f, &why, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.type, DIODE_FRAME_HEARTBEAT);
	CU_ASSERT_EQUAL(f.hb.started, 10);
	CU_ASSERT_EQUAL(f.hb.completed, 8);
	CU_ASSERT_EQUAL(f.hb.bytes, 12345);
	CU_ASSERT_EQUAL(f.hb.streams[5].next_seq, 1005);
	CU_ASSERT_EQUAL(f.hb.streams[3].lwm, 93);
	CU_ASSERT_EQUAL(f.hb.nentries, 3);
	CU_ASSERT_EQUAL(f.hb.prev_session, 0xfeedfacecafebeefULL);
	CU_ASSERT_EQUAL(f.hb.prev_next[4], 77);
	CU_ASSERT_EQUAL(f.hb.prev_next[0], 0);
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL_FATAL(diode_hb_entry(&f.hb, &off, &e), 1);
		CU_ASSERT_EQUAL(e.prec, i);
		CU_ASSERT_EQUAL(e.seq, 500 + (uint64_t)i);
		CU_ASSERT_STRING_EQUAL(e.id, ent[i].id);
	}
	CU_ASSERT_EQUAL(diode_hb_entry(&f.hb, &off, &e), 0);
	/* A small buffer takes fewer entries, never a partial one. */
	len = diode_frame_heartbeat(mac, &h, &hb, ent, 3, &taken, buf,
	    DIODE_HB_HDR_LEN + DIODE_TAG_LEN + 20);
	CU_ASSERT_EQUAL(taken, 1);
	CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why, err,
	    sizeof(err)), 0);
	/* Counts of no previous session (authentic, still refused). */
	memset(buf + 212, 0, 8);
	CU_ASSERT_EQUAL(diode_mac_tag(mac, buf, len - DIODE_TAG_LEN,
	    buf + len - DIODE_TAG_LEN), 0);
	CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(why, DIODE_REFUSE_MALFORMED);
	diode_mac_free(mac);
}

/* Every byte changed, every truncation, another key: all refused. */
static void
test_frame_tamper(void)
{
	struct diode_block_info	 b = block();
	struct diode_mac	*mac, *other;
	struct diode_frame	 f;
	uint8_t			 buf[DIODE_MAX_FRAME];
	char			 err[128];
	size_t			 len, i;
	int			 why, tag = 0;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	other = diode_mac_new(key2, sizeof(key2), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mac);
	CU_ASSERT_PTR_NOT_NULL_FATAL(other);
	len = data_frame(mac, &b, 1, buf);
	for (i = 0; i < len; i++) {
		buf[i] ^= 0x20;
		CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why,
		    err, sizeof(err)), -1);
		tag += why == DIODE_REFUSE_TAG;
		buf[i] ^= 0x20;
	}
	/* Past the magic and version, only the tag can tell. */
	CU_ASSERT_EQUAL(tag, (int)len - 4);
	/*
	 * Other versions are refused before the tag is looked at: 1 (HMAC
	 * tags), 2 (either of its variants) and one not yet defined.
	 */
	CU_ASSERT_EQUAL(buf[3], '3');
	for (i = 0; i < 3; i++) {
		buf[3] = "124"[i];
		why = 0;
		CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why,
		    err, sizeof(err)), -1);
		CU_ASSERT_EQUAL(why, DIODE_REFUSE_MALFORMED);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "version"));
	}
	buf[3] = '3';
	for (i = 0; i < len; i++)
		CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, i, &f, &why, err,
		    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_frame_parse(other, buf, len, &f, &why, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(why, DIODE_REFUSE_TAG);
	CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why, err,
	    sizeof(err)), 0);
	diode_mac_free(mac);
	diode_mac_free(other);
}

/*
 * The tag is the construction of SECURITY-FRAMES, computed here from
 * OpenSSL's primitives: session key by HMAC-SHA256 of the label and
 * header bytes 8..27, GMAC with IV 0^32 || frame sequence.
 */
static void
expected_tag(const uint8_t *frame, size_t len, uint8_t *tag)
{
	static const char	 label[] = "mmguard diode frame key v3";
	EVP_CIPHER_CTX		*c;
	uint8_t			 in[sizeof(label) + 20], k[32], iv[12];
	unsigned int		 kl = 0;
	int			 ol;

	memcpy(in, label, sizeof(label));	/* with its NUL: 0x00 */
	memcpy(in + sizeof(label), frame + 8, 20);
	CU_ASSERT_PTR_NOT_NULL(HMAC(EVP_sha256(), key, sizeof(key), in,
	    sizeof(in), k, &kl));
	memset(iv, 0, 4);
	memcpy(iv + 4, frame + 28, 8);
	c = EVP_CIPHER_CTX_new();
	CU_ASSERT_EQUAL(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, k, iv),
	    1);
	CU_ASSERT_EQUAL(EVP_EncryptUpdate(c, NULL, &ol, frame, (int)len), 1);
	CU_ASSERT_EQUAL(EVP_EncryptFinal_ex(c, tag, &ol), 1);
	CU_ASSERT_EQUAL(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag),
	    1);
	EVP_CIPHER_CTX_free(c);
}

/*
 * The tag: as documented, different for each frame sequence (the nonce)
 * and session (the key), and a forged frame of another session does not
 * disturb the checking of the genuine one.
 */
static void
test_frame_mac(void)
{
	struct diode_frame_hdr	 h = hdr();
	struct diode_block_info	 b = block();
	struct diode_mac	*mac, *rx;
	struct diode_frame	 f;
	uint8_t			 pay[256], a[DIODE_MAX_FRAME];
	uint8_t			 c[DIODE_MAX_FRAME], want[16];
	char			 err[128];
	size_t			 la, lc;
	int			 why, i;

	CU_ASSERT_EQUAL_FATAL(DIODE_TAG_LEN, 16);
	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	rx = diode_mac_new(key, sizeof(key), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mac);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	memset(pay, 0x5a, sizeof(pay));
	la = diode_frame_data(mac, &h, &b, 0, pay, a, sizeof(a));
	CU_ASSERT_EQUAL_FATAL(la, DIODE_DATA_HDR_LEN + 256 + 16);
	expected_tag(a, la - 16, want);
	CU_ASSERT_EQUAL(memcmp(a + la - 16, want, 16), 0);

	/* Same bytes, next sequence: another nonce, another tag. */
	h.fseq++;
	lc = diode_frame_data(mac, &h, &b, 0, pay, c, sizeof(c));
	CU_ASSERT_EQUAL(lc, la);
	CU_ASSERT_NOT_EQUAL(memcmp(a + la - 16, c + lc - 16, 16), 0);
	/* Another session: another key. */
	h = hdr();
	h.session ^= 1;
	lc = diode_frame_data(mac, &h, &b, 0, pay, c, sizeof(c));
	CU_ASSERT_NOT_EQUAL(memcmp(a + la - 16, c + lc - 16, 16), 0);
	expected_tag(c, lc - 16, want);
	CU_ASSERT_EQUAL(memcmp(c + lc - 16, want, 16), 0);

	/*
	 * The receiver: genuine frame, then forgeries naming sessions of
	 * their own (each derives a key, none is accepted), then the
	 * genuine one's neighbour, then the second genuine session.
	 */
	CU_ASSERT_EQUAL(diode_frame_parse(rx, a, la, &f, &why, err,
	    sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		memcpy(c, a, la);
		c[12 + i] ^= 0x80;
		CU_ASSERT_EQUAL(diode_frame_parse(rx, c, la, &f, &why, err,
		    sizeof(err)), -1);
		CU_ASSERT_EQUAL(why, DIODE_REFUSE_TAG);
	}
	h = hdr();
	h.fseq++;
	lc = diode_frame_data(mac, &h, &b, 1, pay, c, sizeof(c));
	CU_ASSERT_EQUAL(diode_frame_parse(rx, c, lc, &f, &why, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.fseq, 43);
	h.session ^= 1;
	lc = diode_frame_data(mac, &h, &b, 1, pay, c, sizeof(c));
	CU_ASSERT_EQUAL(diode_frame_parse(rx, c, lc, &f, &why, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(diode_frame_parse(rx, a, la, &f, &why, err,
	    sizeof(err)), 0);
	/* The tag of one frame does not fit another of the same session. */
	memcpy(c + lc - 16, a + la - 16, 16);
	CU_ASSERT_EQUAL(diode_frame_parse(rx, c, lc, &f, &why, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(why, DIODE_REFUSE_TAG);
	diode_mac_free(mac);
	diode_mac_free(rx);
}

/* Authentic but out of range: the parser refuses the structure. */
static void
test_frame_limits(void)
{
	struct diode_block_info	 b;
	struct diode_mac	*mac;
	struct diode_frame	 f;
	uint8_t			 buf[DIODE_MAX_FRAME];
	char			 err[128];
	size_t			 len;
	int			 why, i;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(mac);
	for (i = 0; i < 9; i++) {
		uint16_t sym = 0;

		b = block();
		switch (i) {
		case 0: b.k = 0; break;
		case 1: b.k = 200; b.m = 56; break;	/* k + m > 255 */
		case 2: sym = 5; break;			/* k + m = 5 */
		case 3: b.data_len = 512; break;	/* k would be 2 */
		case 4: b.data_len = 769; break;	/* beyond k * S */
		case 5: b.first_rec = 600; break;
		case 6: b.last_seq = 3; break;
		case 7: b.lwm = 10; break;		/* past the block */
		case 8: b.prec = DIODE_NPREC; break;
		}
		len = data_frame(mac, &b, sym, buf);
		CU_ASSERT_EQUAL(diode_frame_parse(mac, buf, len, &f, &why,
		    err, sizeof(err)), -1);
		CU_ASSERT_EQUAL(why, DIODE_REFUSE_MALFORMED);
	}
	CU_ASSERT_PTR_NULL(diode_mac_new(key, 16, err, sizeof(err)));
	diode_mac_free(mac);
}

/* --- erasure coding ------------------------------------------------------ */

/* Encode k+m symbols, lose the listed ones, decode; 0 if rebuilt. */
static int
fec_try(int k, int m, const int *lose, int nlose)
{
	struct diode_fec	*fec = diode_fec_new();
	size_t			 S = 300;
	uint8_t			*buf, *orig, *sym[DIODE_MAX_N];
	uint8_t			 present[DIODE_MAX_N];
	char			 err[128];
	int			 i, r;

	buf = xmalloc((size_t)(k + m) * S);
	orig = xmalloc((size_t)k * S);
	for (i = 0; i < k * (int)S; i++)
		orig[i] = (uint8_t)(i * 31 + (i >> 8));
	memcpy(buf, orig, (size_t)k * S);
	for (i = 0; i < k + m; i++)
		sym[i] = buf + (size_t)i * S;
	CU_ASSERT_EQUAL_FATAL(diode_fec_encode(fec, k, m, S, sym, sym + k,
	    err, sizeof(err)), 0);
	memset(present, 1, sizeof(present));
	for (i = 0; i < nlose; i++) {
		present[lose[i]] = 0;
		memset(sym[lose[i]], 0xee, S);
	}
	r = diode_fec_decode(fec, k, m, S, sym, present, err, sizeof(err));
	if (r == 0)
		CU_ASSERT_EQUAL(memcmp(buf, orig, (size_t)k * S), 0);
	free(buf);
	free(orig);
	diode_fec_free(fec);
	return r;
}

static void
test_fec_edges(void)
{
	int	lose[DIODE_MAX_N], i, n;

	/* k = 64, m = 16: the first 16 data symbols, then 17. */
	for (i = 0; i < 17; i++)
		lose[i] = i;
	CU_ASSERT_EQUAL(fec_try(64, 16, lose, 16), 0);
	CU_ASSERT_EQUAL(fec_try(64, 16, lose, 17), -1);
	/* The last 8 data and 8 of the parity symbols. */
	for (i = 0; i < 8; i++) {
		lose[i] = 56 + i;
		lose[8 + i] = 64 + 2 * i;
	}
	CU_ASSERT_EQUAL(fec_try(64, 16, lose, 16), 0);
	lose[16] = 0;
	CU_ASSERT_EQUAL(fec_try(64, 16, lose, 17), -1);
	/* Only parity lost: nothing to do, still fine. */
	for (i = 0; i < 16; i++)
		lose[i] = 64 + i;
	CU_ASSERT_EQUAL(fec_try(64, 16, lose, 16), 0);
	/* The smallest block: one symbol, two parity. */
	lose[0] = 0;
	lose[1] = 1;
	CU_ASSERT_EQUAL(fec_try(1, 2, lose, 2), 0);
	lose[2] = 2;
	CU_ASSERT_EQUAL(fec_try(1, 2, lose, 3), -1);
	/* The largest: k = 128, m = 127, every second symbol lost. */
	for (i = n = 0; i < 255 && n < 127; i += 2)
		lose[n++] = i;
	CU_ASSERT_EQUAL(fec_try(128, 127, lose, n), 0);
	lose[n] = 1;
	CU_ASSERT_EQUAL(fec_try(128, 127, lose, n + 1), -1);
	/* No parity at all: any loss is final. */
	lose[0] = 3;
	CU_ASSERT_EQUAL(fec_try(8, 0, lose, 1), -1);
	CU_ASSERT_EQUAL(fec_try(8, 0, lose, 0), 0);
}

/* --- sender ------------------------------------------------------------- */

struct body {
	size_t	len;
	uint8_t	seed;
};

static int
load_body(void *cookie, uint8_t **p, size_t *len, char *err, size_t errsz)
{
	struct body	*b = cookie;
	size_t		 i;

	if (b == NULL) {
		snprintf(err, errsz, "no such message");
		return -1;
	}
	*p = xmalloc(b->len ? b->len : 1);
	for (i = 0; i < b->len; i++)
		(*p)[i] = (uint8_t)(i * 13 + b->seed + (i >> 9));
	*len = b->len;
	return 0;
}

static struct diode_tx_params
txparams(uint16_t symsize, uint16_t k, uint16_t window)
{
	struct diode_tx_params	p;

	memset(&p, 0, sizeof(p));
	p.link = 7;
	p.symsize = symsize;
	p.k = k;
	p.redundancy = 25;
	p.min_parity = 1;
	p.window = window;
	p.heartbeat_ms = 1000000;	/* no timed heartbeats */
	p.epoch = 1000;
	return p;
}

static void
submit(struct diode_tx *tx, const char *id, int prec, struct body *b)
{
	struct diode_tx_msg	m;
	char			err[128];

	memset(&m, 0, sizeof(m));
	(void)snprintf(m.id, sizeof(m.id), "%s", id);
	m.prec = prec;
	memset(m.token, 0xab, sizeof(m.token));
	m.cookie = b;
	CU_ASSERT_EQUAL(diode_tx_submit(tx, &m, err, sizeof(err)), 0);
}

/* The next data frame, parsed (heartbeats skipped); 0 when none. */
static int
next_data(struct diode_tx *tx, struct diode_mac *mac, struct diode_frame *f,
    uint8_t *buf)
{
	char	err[128];
	long	len;
	int	why;

	for (;;) {
		len = diode_tx_next(tx, 1, buf, DIODE_MAX_FRAME, err,
		    sizeof(err));
		CU_ASSERT_FATAL(len >= 0);
		if (len == 0)
			return 0;
		CU_ASSERT_EQUAL_FATAL(diode_frame_parse(mac, buf, (size_t)len,
		    f, &why, err, sizeof(err)), 0);
		if (f->type == DIODE_FRAME_DATA)
			return 1;
	}
}

static void
test_interleave_order(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 4);
	struct diode_tx		*tx;
	struct diode_mac	*mac;
	struct diode_frame	 f;
	struct body		 b = { 8 * 4 * 256, 1 };
	uint8_t			 buf[DIODE_MAX_FRAME];
	char			 err[128];
	int			 i;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	submit(tx, "big", DIODE_ROUTINE, &b);
	/*
	 * Blocks of k = 4 data and m = 1 parity symbols, window 4: the
	 * first 20 frames go round the four blocks, one symbol each.
	 */
	for (i = 0; i < 20; i++) {
		CU_ASSERT_EQUAL_FATAL(next_data(tx, mac, &f, buf), 1);
		CU_ASSERT_EQUAL(f.blk.bseq, (uint64_t)(i % 4));
		CU_ASSERT_EQUAL(f.sym, i / 4);
		CU_ASSERT_EQUAL(f.blk.k, 4);
		CU_ASSERT_EQUAL(f.blk.m, 1);
		CU_ASSERT_EQUAL(f.blk.lwm, i < 17 ? 0 : (uint64_t)(i - 16));
	}
	/* Then blocks 4..7 the same way, and the tail. */
	CU_ASSERT_EQUAL_FATAL(next_data(tx, mac, &f, buf), 1);
	CU_ASSERT_EQUAL(f.blk.bseq, 4);
	CU_ASSERT_EQUAL(f.sym, 0);
	CU_ASSERT_EQUAL(next_data(tx, mac, &f, buf), 1);
	CU_ASSERT_EQUAL(f.blk.bseq, 5);
	diode_tx_free(tx);
	diode_mac_free(mac);
}

static void
test_precedence_order(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_tx		*tx;
	struct diode_mac	*mac;
	struct diode_frame	 f;
	struct diode_tx_done	 d;
	struct body		 big = { 40 * 256, 2 }, small = { 100, 3 };
	uint8_t			 buf[DIODE_MAX_FRAME];
	char			 err[128];
	int			 i, prec[DIODE_NPREC], order[DIODE_NPREC], n = 0;
	int			 flash = 0;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	/* Queued DEFERRED first: sent OVERRIDE first, DEFERRED last. */
	for (i = 0; i < DIODE_NPREC; i++) {
		char id[16];

		(void)snprintf(id, sizeof(id), "p%d", i);
		submit(tx, id, i, &small);
	}
	memset(prec, 0, sizeof(prec));
	while (next_data(tx, mac, &f, buf)) {
		if (n == 0 || order[n - 1] != f.blk.prec)
			order[n++] = f.blk.prec;
		CU_ASSERT_FATAL(n <= DIODE_NPREC);
	}
	CU_ASSERT_EQUAL(n, DIODE_NPREC);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL(order[i], DIODE_NPREC - 1 - i);
	CU_ASSERT_EQUAL(order[0], DIODE_OVERRIDE);
	CU_ASSERT_STRING_EQUAL(diode_prec_name(order[0]), "OVERRIDE");
	CU_ASSERT_EQUAL(order[n - 1], DIODE_DEFERRED);
	while (diode_tx_done(tx, &d))
		;

	/* A FLASH message overtakes a ROUTINE one already being sent. */
	submit(tx, "routine", DIODE_ROUTINE, &big);
	for (i = 0; i < 12; i++) {
		CU_ASSERT_EQUAL_FATAL(next_data(tx, mac, &f, buf), 1);
		CU_ASSERT_EQUAL(f.blk.prec, DIODE_ROUTINE);
	}
	submit(tx, "flash", DIODE_FLASH, &small);
	/* 100 bytes + record header: one block of k = 1, m = 1. */
	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(next_data(tx, mac, &f, buf), 1);
		CU_ASSERT_EQUAL(f.blk.prec, DIODE_FLASH);
	}
	CU_ASSERT_EQUAL_FATAL(diode_tx_done(tx, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.id, "flash");
	CU_ASSERT_EQUAL(d.status, 0);
	while (next_data(tx, mac, &f, buf)) {
		CU_ASSERT_EQUAL(f.blk.prec, DIODE_ROUTINE);
		flash++;
	}
	CU_ASSERT(flash > 0);
	CU_ASSERT_EQUAL_FATAL(diode_tx_done(tx, &d), 1);
	CU_ASSERT_STRING_EQUAL(d.id, "routine");
	CU_ASSERT_EQUAL(d.len, 40 * 256);
	CU_ASSERT(diode_tx_idle(tx));
	diode_tx_free(tx);
	diode_mac_free(mac);
}

/* --- sender to receiver -------------------------------------------------- */

#define MAX_FRAMES	4096

struct capture {
	uint8_t		*buf[MAX_FRAMES];
	size_t		 len[MAX_FRAMES];
	size_t		 n;
};

struct got {
	char		 delivered[64][DIODE_ID_MAX + 1];
	size_t		 len[64];
	int		 ndelivered;
	char		 lost[64][DIODE_ID_MAX + 1];
	int		 nlost;
	int		 refused, sessions;
	int		 verify_fails;
	/* Every loss: session, stream, sequences; and unseen sessions. */
	uint64_t	 lsess[64], lfrom[64], lto[64];
	int		 lprec[64], unseen;
	struct diode_rx_state saved;	/* by the session callback */
};

static int
cb_deliver(void *arg, const struct diode_rx_msg *m, char *err, size_t errsz)
{
	struct got	*g = arg;
	struct body	 b;
	uint8_t		*want;
	size_t		 len;

	(void)err;
	(void)errsz;
	if (g->ndelivered < 64) {
		memcpy(g->delivered[g->ndelivered], m->id, strlen(m->id) + 1);
		g->len[g->ndelivered] = m->len;
	}
	g->ndelivered++;
	/* The bodies of these tests are made by load_body(seed = 5). */
	b.len = m->len;
	b.seed = 5;
	CU_ASSERT_EQUAL(load_body(&b, &want, &len, NULL, 0), 0);
	CU_ASSERT_EQUAL(memcmp(want, m->body, len), 0);
	free(want);
	return 0;
}

static void
cb_event(void *arg, const struct diode_rx_event *ev)
{
	struct got	*g = arg;

	if (ev->type == DIODE_EV_LOST) {
		if (g->nlost < 64) {
			g->lsess[g->nlost] = ev->session;
			g->lprec[g->nlost] = ev->prec;
			g->lfrom[g->nlost] = ev->seq;
			g->lto[g->nlost] = ev->seq_last > ev->seq ?
			    ev->seq_last : ev->seq;
		}
		if (ev->id != NULL && g->nlost < 64)
			memcpy(g->lost[g->nlost], ev->id, strlen(ev->id) + 1);
		else if (g->nlost < 64)
			(void)snprintf(g->lost[g->nlost], DIODE_ID_MAX + 1,
			    "#%llu-%llu", (unsigned long long)ev->seq,
			    (unsigned long long)ev->seq_last);
		g->nlost++;
	} else if (ev->type == DIODE_EV_REFUSED)
		g->refused++;
	else if (ev->type == DIODE_EV_SESSION)
		g->sessions++;
	else if (ev->type == DIODE_EV_UNSEEN)
		g->unseen++;
}

static int
cb_verify(void *arg, const uint8_t *digest, const uint8_t *token)
{
	struct got	*g = arg;

	(void)digest;
	if (token[0] != 0xab) {
		g->verify_fails++;
		return -1;
	}
	return 0;
}

static int	save_state(void *, const struct diode_rx_state *);

/* A receiver: resumed from sv (or fresh), its saved states into g. */
static struct diode_rx *
rx_resume_make(struct got *g, uint64_t last_epoch,
    const struct diode_rx_state *sv)
{
	struct diode_rx_params	p;
	struct diode_rx_cb	cb;
	char			err[128];

	memset(g, 0, sizeof(*g));
	memset(&p, 0, sizeof(p));
	p.link = 7;
	p.last_epoch = last_epoch;
	p.resume = sv;
	p.max_message = 1 << 20;
	p.reorder_ms = 10;
	memset(&cb, 0, sizeof(cb));
	cb.deliver = cb_deliver;
	cb.event = cb_event;
	cb.verify = cb_verify;
	cb.session = save_state;
	cb.arg = g;
	return diode_rx_new(&p, key, sizeof(key), &cb, err, sizeof(err));
}

static struct diode_rx *
rx_make(struct got *g, uint64_t last_epoch)
{
	return rx_resume_make(g, last_epoch, NULL);
}

/* Run the sender dry, heartbeats at the start and the end included. */
static void
capture(struct diode_tx *tx, struct capture *c)
{
	uint8_t	buf[DIODE_MAX_FRAME];
	char	err[128];
	long	len;

	memset(c, 0, sizeof(*c));
	for (;;) {
		len = diode_tx_next(tx, 1, buf, sizeof(buf), err, sizeof(err));
		CU_ASSERT_FATAL(len >= 0);
		if (len == 0)
			break;
		CU_ASSERT_FATAL(c->n < MAX_FRAMES);
		c->buf[c->n] = xmemdup(buf, (size_t)len);
		c->len[c->n++] = (size_t)len;
	}
	len = diode_tx_heartbeat(tx, 2, buf, sizeof(buf), err, sizeof(err));
	CU_ASSERT_FATAL(len > 0);
	c->buf[c->n] = xmemdup(buf, (size_t)len);
	c->len[c->n++] = (size_t)len;
}

static void
capture_free(struct capture *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->buf[i]);
}

/* Parse frame i of the capture (for its block and symbol). */
static void
peek(const struct capture *c, size_t i, struct diode_frame *f)
{
	struct diode_mac	*mac;
	char			 err[128];
	int			 why;

	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	CU_ASSERT_EQUAL(diode_frame_parse(mac, c->buf[i], c->len[i], f, &why,
	    err, sizeof(err)), 0);
	diode_mac_free(mac);
}

static int
has(char list[][DIODE_ID_MAX + 1], int n, const char *id)
{
	int	i;

	for (i = 0; i < n && i < 64; i++)
		if (strcmp(list[i], id) == 0)
			return 1;
	return 0;
}

/*
 * Three messages in one stream (blocks k = 4, m = 1 of 256 bytes, window
 * 2): "a" (300 bytes), "b" (1500 bytes), "c" (100 bytes).  Dropping one
 * symbol per block loses nothing; dropping two symbols of the block
 * holding "a" loses "a" and "b" (it starts there), by id, and "c" still
 * arrives.
 */
static void
test_engines_loss(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_tx		*tx;
	struct diode_rx		*rx;
	struct diode_frame	 f;
	struct capture		 c;
	struct got		 g;
	struct body		 a = { 300, 5 }, b = { 1500, 5 }, cc = { 100, 5 };
	char			 err[128];
	size_t			 i;
	int			 pass, dropped0;
	static uint8_t		 in[MAX_FRAMES];

	for (pass = 0; pass < 2; pass++) {
		tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
		    sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
		submit(tx, "a", DIODE_PRIORITY, &a);
		submit(tx, "b", DIODE_PRIORITY, &b);
		submit(tx, "c", DIODE_PRIORITY, &cc);
		capture(tx, &c);
		rx = rx_make(&g, 0);
		CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
		dropped0 = 0;
		for (i = 0; i < c.n; i++) {
			peek(&c, i, &f);
			in[i] = 0;
			if (f.type == DIODE_FRAME_DATA && f.sym == 1)
				continue;	/* one per block */
			if (pass == 1 && f.type == DIODE_FRAME_DATA &&
			    f.blk.bseq == 0 && f.sym == 2 && !dropped0++)
				continue;	/* a second one in block 0 */
			in[i] = 1;
			CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[i], c.len[i],
			    1000, err, sizeof(err)), 0);
		}
		diode_rx_tick(rx, 1000000);
		if (pass == 0) {
			CU_ASSERT_EQUAL(g.ndelivered, 3);
			CU_ASSERT_EQUAL(g.nlost, 0);
		} else {
			CU_ASSERT_EQUAL(g.ndelivered, 1);
			CU_ASSERT_STRING_EQUAL(g.delivered[0], "c");
			CU_ASSERT_EQUAL(g.nlost, 2);
			CU_ASSERT(has(g.lost, g.nlost, "a"));
			CU_ASSERT(has(g.lost, g.nlost, "b"));
		}
		CU_ASSERT_EQUAL(diode_rx_pending(rx), 0);
		/* Replayed: every frame refused, nothing delivered twice. */
		for (i = 0; i < c.n; i++)
			if (in[i])
				CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[i],
				    c.len[i], 2000000, err, sizeof(err)), -1);
		CU_ASSERT_EQUAL(g.ndelivered, pass == 0 ? 3 : 1);
		capture_free(&c);
		diode_rx_free(rx);
		diode_tx_free(tx);
	}
}

/*
 * Every frame of a message lost, heartbeats kept: the manifest still
 * names it.  The tail rule (heartbeat counts) reports it.
 */
static void
test_engines_whole_loss(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_tx		*tx;
	struct diode_rx		*rx;
	struct diode_frame	 f;
	struct capture		 c;
	struct got		 g;
	struct body		 a = { 200, 5 }, b = { 2000, 5 };
	char			 err[128];
	size_t			 i;

	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	submit(tx, "keep", DIODE_IMMEDIATE, &a);
	capture(tx, &c);
	capture_free(&c);
	submit(tx, "gone", DIODE_IMMEDIATE, &b);
	capture(tx, &c);
	rx = rx_make(&g, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	for (i = 0; i < c.n; i++) {
		peek(&c, i, &f);
		if (f.type == DIODE_FRAME_DATA)
			continue;
		CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[i], c.len[i], 1000,
		    err, sizeof(err)), 0);
	}
	diode_rx_tick(rx, 1000000);
	CU_ASSERT_EQUAL(g.ndelivered, 0);
	/* Both named: "keep" by the second copy of its manifest entry. */
	CU_ASSERT_EQUAL(g.nlost, 2);
	CU_ASSERT(has(g.lost, g.nlost, "gone"));
	CU_ASSERT(has(g.lost, g.nlost, "keep"));
	CU_ASSERT_EQUAL(diode_rx_pending(rx), 0);
	capture_free(&c);
	diode_rx_free(rx);
	diode_tx_free(tx);
}

static void
test_engines_sessions(void)
{
	struct diode_tx_params	 p = txparams(256, 8, 4);
	struct diode_tx		*tx, *tx2;
	struct diode_rx		*rx;
	struct capture		 c, c2;
	struct got		 g;
	struct body		 a = { 5000, 5 };
	char			 err[128];
	size_t			 i;

	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	submit(tx, "one", DIODE_ROUTINE, &a);
	capture(tx, &c);

	/* An epoch not after the last accepted one: refused. */
	rx = rx_make(&g, 1000);
	CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[0], c.len[0], 1, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(g.sessions, 0);
	diode_rx_free(rx);

	/*
	 * The manifest and a third of the frames (too few to rebuild
	 * anything), then a restart: the message is reported, by id.
	 */
	rx = rx_make(&g, 999);
	CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[c.n - 1], c.len[c.n - 1], 1,
	    err, sizeof(err)), 0);
	for (i = 0; i < c.n / 3; i++)
		CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[i], c.len[i], 1, err,
		    sizeof(err)), 0);
	CU_ASSERT_EQUAL(g.sessions, 1);
	p.epoch = 2000;
	tx2 = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	submit(tx2, "two", DIODE_ROUTINE, &a);
	capture(tx2, &c2);
	for (i = 0; i < c2.n; i++)
		CU_ASSERT_EQUAL(diode_rx_input(rx, c2.buf[i], c2.len[i], 2,
		    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(g.sessions, 2);
	CU_ASSERT_EQUAL(g.nlost, 1);
	CU_ASSERT(has(g.lost, g.nlost, "one"));
	CU_ASSERT_EQUAL(g.ndelivered, 1);
	CU_ASSERT_STRING_EQUAL(g.delivered[0], "two");
	/* The old session's frames are now stale. */
	CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[c.n / 2], c.len[c.n / 2], 3,
	    err, sizeof(err)), -1);
	capture_free(&c);
	capture_free(&c2);
	diode_rx_free(rx);
	diode_tx_free(tx);
	diode_tx_free(tx2);
}

/* A token the verifier refuses: an event, no delivery. */
static void
test_engines_token(void)
{
	struct diode_tx_params	 p = txparams(512, 8, 4);
	struct diode_tx		*tx;
	struct diode_rx		*rx;
	struct diode_tx_msg	 m;
	struct capture		 c;
	struct got		 g;
	struct body		 a = { 700, 5 };
	char			 err[128];
	size_t			 i;

	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	memset(&m, 0, sizeof(m));
	memcpy(m.id, "bad-token", 10);
	m.prec = DIODE_FLASH;
	m.cookie = &a;			/* token all zero */
	CU_ASSERT_EQUAL(diode_tx_submit(tx, &m, err, sizeof(err)), 0);
	submit(tx, "good", DIODE_FLASH, &a);
	/* Loading fails: completed with an error, never sent. */
	memcpy(m.id, "unreadable", 11);
	m.cookie = NULL;
	CU_ASSERT_EQUAL(diode_tx_submit(tx, &m, err, sizeof(err)), 0);
	capture(tx, &c);
	rx = rx_make(&g, 0);
	for (i = 0; i < c.n; i++)
		CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[i], c.len[i], 1, err,
		    sizeof(err)), 0);
	CU_ASSERT_EQUAL(g.refused, 1);
	CU_ASSERT_EQUAL(g.verify_fails, 1);
	CU_ASSERT_EQUAL(g.ndelivered, 1);
	CU_ASSERT_STRING_EQUAL(g.delivered[0], "good");
	CU_ASSERT_EQUAL(g.nlost, 0);
	memcpy(m.id, "bad/id", 7);
	CU_ASSERT_EQUAL(diode_tx_submit(tx, &m, err, sizeof(err)), -1);
	capture_free(&c);
	diode_rx_free(rx);
	diode_tx_free(tx);
}

/* --- restarts ------------------------------------------------------------- */

/* Feed frames from..to-1 of a capture; every one must be accepted. */
static void
feed(struct diode_rx *rx, const struct capture *c, size_t from, size_t to,
    uint64_t now)
{
	char	err[128];
	size_t	i;

	for (i = from; i < to && i < c->n; i++)
		CU_ASSERT_EQUAL(diode_rx_input(rx, c->buf[i], c->len[i], now,
		    err, sizeof(err)), 0);
}

/* How many times sequence seq of (session, prec) was reported lost. */
static int
lost_times(const struct got *g, uint64_t session, int prec, uint64_t seq)
{
	int	i, n = 0;

	for (i = 0; i < g->nlost && i < 64; i++)
		if (g->lsess[i] == session && g->lprec[i] == prec &&
		    seq >= g->lfrom[i] && seq <= g->lto[i])
			n++;
	return n;
}

/*
 * A receiver killed (freed without finishing) after delivering "a" and
 * started again from its saved place: the session goes on; "a" is not
 * delivered again when its frames come again, the others are; or, when
 * only the sender's last heartbeat comes, they are reported lost, once.
 */
static void
test_engines_resume(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_rx_state	 sv, sv2;
	struct diode_tx		*tx;
	struct diode_rx		*rx;
	struct capture		 c;
	struct got		 g;
	struct body		 a = { 300, 5 }, b = { 1500, 5 }, cc = { 100, 5 };
	struct body		 d = { 700, 5 };
	char			 err[128];
	size_t			 cut;
	uint64_t		 session;

	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	session = diode_tx_session(tx);
	submit(tx, "a", DIODE_PRIORITY, &a);
	submit(tx, "b", DIODE_PRIORITY, &b);
	submit(tx, "c", DIODE_PRIORITY, &cc);
	submit(tx, "d", DIODE_PRIORITY, &d);
	capture(tx, &c);
	rx = rx_make(&g, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	for (cut = 0; cut < c.n && g.ndelivered == 0; cut++)
		feed(rx, &c, cut, cut + 1, 1000);
	CU_ASSERT_EQUAL_FATAL(g.ndelivered, 1);
	CU_ASSERT_STRING_EQUAL(g.delivered[0], "a");
	diode_rx_get_state(rx, &sv);
	CU_ASSERT(sv.have_session);
	CU_ASSERT_EQUAL(sv.session, session);
	CU_ASSERT_EQUAL(sv.epoch, 1000);
	CU_ASSERT_EQUAL(sv.expect[DIODE_PRIORITY], 1);
	CU_ASSERT(sv.seen[DIODE_PRIORITY] >= 2);
	diode_rx_free(rx);			/* killed */

	/* Every frame again (the sender went on, or a replay). */
	rx = rx_resume_make(&g, 0, &sv);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	feed(rx, &c, 0, c.n, 2000);
	diode_rx_tick(rx, 1000000);
	CU_ASSERT_EQUAL(g.ndelivered, 3);
	CU_ASSERT(!has(g.delivered, g.ndelivered, "a"));
	CU_ASSERT(has(g.delivered, g.ndelivered, "b"));
	CU_ASSERT(has(g.delivered, g.ndelivered, "d"));
	CU_ASSERT_EQUAL(g.nlost, 0);
	CU_ASSERT_EQUAL(g.sessions, 0);
	diode_rx_get_state(rx, &sv2);
	CU_ASSERT_EQUAL(sv2.expect[DIODE_PRIORITY], 4);
	diode_rx_free(rx);

	/* Only the sender's last heartbeat: b, c, d were sent meanwhile. */
	rx = rx_resume_make(&g, 0, &sv);
	feed(rx, &c, c.n - 1, c.n, 2000);
	diode_rx_tick(rx, 1000000);
	CU_ASSERT_EQUAL(g.ndelivered, 0);
	CU_ASSERT_EQUAL(lost_times(&g, session, DIODE_PRIORITY, 0), 0);
	CU_ASSERT_EQUAL(lost_times(&g, session, DIODE_PRIORITY, 1), 1);
	CU_ASSERT_EQUAL(lost_times(&g, session, DIODE_PRIORITY, 2), 1);
	CU_ASSERT_EQUAL(lost_times(&g, session, DIODE_PRIORITY, 3), 1);
	CU_ASSERT_EQUAL(diode_rx_pending(rx), 0);
	/* The frames coming late now deliver nothing. */
	feed(rx, &c, 0, c.n - 1, 3000);
	diode_rx_tick(rx, 2000000);
	CU_ASSERT_EQUAL(g.ndelivered, 0);
	diode_rx_free(rx);

	/* Frames of another session with the saved epoch: stale. */
	sv2 = sv;
	sv2.session ^= 1;
	rx = rx_resume_make(&g, 0, &sv2);
	CU_ASSERT_EQUAL(diode_rx_input(rx, c.buf[0], c.len[0], 1, err,
	    sizeof(err)), -1);
	diode_rx_free(rx);
	capture_free(&c);
	diode_tx_free(tx);
}

/* A fresh heartbeat of the sender, into the receiver. */
static void
hb_again(struct diode_tx *tx, struct diode_rx *rx)
{
	uint8_t	buf[DIODE_MAX_FRAME];
	char	err[128];
	long	len;

	len = diode_tx_heartbeat(tx, 3, buf, sizeof(buf), err, sizeof(err));
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(diode_rx_input(rx, buf, (size_t)len, 3000, err,
	    sizeof(err)), 0);
}

static int
save_state(void *arg, const struct diode_rx_state *sv)
{
	struct got	*g = arg;

	g->saved = *sv;
	return 0;
}

/*
 * The sender restarts (a new session) after recording "a" and "b" as
 * sent, of which the receiver got nothing but the first frame: the old
 * session's loss is reported when the new session begins and what its
 * heartbeat says of the old one, each message once; a session the
 * receiver never heard of is reported whole, with an alarm.
 */
static void
test_engines_previous(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_tx		*tx, *tx2;
	struct diode_rx		*rx;
	struct capture		 c, c2;
	struct got		 g;
	struct body		 a = { 900, 5 }, b = { 900, 5 }, cc = { 100, 5 };
	uint64_t		 s1, next[DIODE_NPREC];
	char			 err[128];
	int			 lost0;

	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	s1 = diode_tx_session(tx);
	submit(tx, "a", DIODE_ROUTINE, &a);
	submit(tx, "b", DIODE_ROUTINE, &b);
	capture(tx, &c);

	rx = rx_make(&g, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
	feed(rx, &c, 0, 1, 1000);
	CU_ASSERT(g.saved.have_session);
	CU_ASSERT_EQUAL(g.saved.session, s1);
	CU_ASSERT(!g.saved.have_prev);

	p.epoch = 2000;
	tx2 = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx2);
	memset(next, 0, sizeof(next));
	next[DIODE_ROUTINE] = 2;
	diode_tx_set_previous(tx2, s1, next);
	submit(tx2, "c", DIODE_ROUTINE, &cc);
	capture(tx2, &c2);
	feed(rx, &c2, 0, c2.n, 2000);
	diode_rx_tick(rx, 1000000);
	CU_ASSERT_EQUAL(g.ndelivered, 1);
	CU_ASSERT_STRING_EQUAL(g.delivered[0], "c");
	/* Saved before the switch: the old session as the previous one. */
	CU_ASSERT(g.saved.have_prev);
	CU_ASSERT_EQUAL(g.saved.prev_session, s1);
	CU_ASSERT_EQUAL(g.saved.epoch, 2000);
	CU_ASSERT_EQUAL(lost_times(&g, s1, DIODE_ROUTINE, 0), 1);
	CU_ASSERT_EQUAL(lost_times(&g, s1, DIODE_ROUTINE, 1), 1);
	CU_ASSERT_EQUAL(g.unseen, 0);
	lost0 = g.nlost;
	/* Another heartbeat: nothing more. */
	hb_again(tx2, rx);
	CU_ASSERT_EQUAL(g.nlost, lost0);
	diode_rx_free(rx);

	/* A fresh receiver has never heard of the previous session. */
	rx = rx_make(&g, 0);
	feed(rx, &c2, c2.n - 1, c2.n, 1000);
	CU_ASSERT_EQUAL(g.unseen, 1);
	CU_ASSERT_EQUAL(lost_times(&g, s1, DIODE_ROUTINE, 0), 1);
	CU_ASSERT_EQUAL(lost_times(&g, s1, DIODE_ROUTINE, 1), 1);
	CU_ASSERT_EQUAL(lost_times(&g, s1, DIODE_ROUTINE, 2), 0);
	lost0 = g.nlost;
	feed(rx, &c2, 0, c2.n - 1, 2000);
	hb_again(tx2, rx);
	CU_ASSERT_EQUAL(g.unseen, 1);
	CU_ASSERT_EQUAL(g.nlost, lost0);
	CU_ASSERT_EQUAL(g.ndelivered, 1);
	diode_rx_free(rx);
	capture_free(&c);
	capture_free(&c2);
	diode_tx_free(tx);
	diode_tx_free(tx2);
}

/* A scratch folder under TMPDIR; the caller removes it. */
static void
scratch(char *tmpl, size_t sz)
{
	const char	*tmp = getenv("TMPDIR");

	(void)snprintf(tmpl, sz, "%s/diode-sXXXXXX",
	    tmp != NULL && strlen(tmp) < 64 ? tmp : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
}

/* The state file: round trip, and anything but its exact form refused. */
static void
test_state_file(void)
{
	static const char *const bad[] = {
		"",
		"mmguard-diode-rx state 1\n",
		"mmguard-diode-rx state 2\nend\n",
		"mmguard-diode-rx state 1\nend\nend\n",
		"mmguard-diode-rx state 1\nend",
		"mmguard-diode-rx state 1\nsession 00000000000000ab epoch 5\n"
		    "expect 1 2 3 4 5 6\nseen 1 2 3 4 5 5\nend\n",
		"mmguard-diode-rx state 1\nsession 00000000000000AB epoch 5\n"
		    "expect 1 2 3 4 5 6\nseen 1 2 3 4 5 6\nend\n",
		"mmguard-diode-rx state 1\nsession 00000000000000ab epoch 5\n"
		    "expect 1 2 3 4 5\nseen 1 2 3 4 5 6\nend\n",
		"mmguard-diode-rx state 1\nsession 00000000000000ab epoch 5\n"
		    "expect 1 2 3 4 5 6 7\nseen 1 2 3 4 5 6\nend\n",
		"mmguard-diode-rx state 1\nsession 00000000000000ab epoch 5x\n"
		    "expect 1 2 3 4 5 6\nseen 1 2 3 4 5 6\nend\n",
		"mmguard-diode-rx state 1\nprevious 00000000000000ab\nend\n",
		"mmguard-diode-rx state 1\nprevious 00000000000000ab\n"
		    "done 1 2 3 4 5 -6\nend\n",
		"mmguard-diode-rx state 1\nprevious 00000000000000ab\n"
		    "done 1 2 3 4 5 99999999999999999999\nend\n",
		NULL
	};
	struct diode_rx_state	 sv, back;
	char			 dir[120], path[160], err[256];
	size_t			 i;
	int			 dfd, found, fd;

	scratch(dir, sizeof(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(dfd >= 0);
	CU_ASSERT_EQUAL(diode_state_load(dfd, &back, &found, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(found, 0);
	memset(&sv, 0, sizeof(sv));
	sv.have_session = 1;
	sv.session = 0x0123456789abcdefULL;
	sv.epoch = 1700000000000000ULL;
	for (i = 0; i < DIODE_NPREC; i++) {
		sv.expect[i] = 10 * i;
		sv.seen[i] = 10 * i + i;
		sv.prev_done[i] = 3 * i;
	}
	sv.have_prev = 1;
	sv.prev_session = 0xfedcba9876543210ULL;
	CU_ASSERT_EQUAL(diode_state_save(dfd, &sv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(diode_state_load(dfd, &back, &found, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(found, 1);
	CU_ASSERT_EQUAL(memcmp(&sv, &back, sizeof(sv)), 0);
	/* Without a previous session, then without anything. */
	sv.have_prev = 0;
	sv.prev_session = 0;
	memset(sv.prev_done, 0, sizeof(sv.prev_done));
	CU_ASSERT_EQUAL(diode_state_save(dfd, &sv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(diode_state_load(dfd, &back, &found, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(memcmp(&sv, &back, sizeof(sv)), 0);
	memset(&sv, 0, sizeof(sv));
	CU_ASSERT_EQUAL(diode_state_save(dfd, &sv, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(diode_state_load(dfd, &back, &found, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(memcmp(&sv, &back, sizeof(sv)), 0);
	for (i = 0; bad[i] != NULL; i++)
		CU_ASSERT_EQUAL(diode_state_parse(bad[i], strlen(bad[i]),
		    &back, err, sizeof(err)), -1);
	/* A damaged file on disk: load says so. */
	(void)snprintf(path, sizeof(path), "%s/%s", dir, DIODE_STATE_FILE);
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_EQUAL(write(fd, bad[5], strlen(bad[5])),
	    (ssize_t)strlen(bad[5]));
	close(fd);
	CU_ASSERT_EQUAL(diode_state_load(dfd, &back, &found, err,
	    sizeof(err)), -1);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

static int
sendlog_line(const char *l, uint64_t *s, int *prec, uint64_t *seq)
{
	return diode_sendlog_line(l, strlen(l), s, prec, seq);
}

/*
 * The sending record read from its end: the last session only, per
 * stream one more than its highest sequence, across chunk boundaries;
 * failed lines, a torn line and a torn line joined to the next ignored.
 */
static void
test_sendlog(void)
{
	char		 dir[120], path[160], line[256], err[256];
	uint64_t	 session, next[DIODE_NPREC], s;
	int		 fd, i, prec;
	uint64_t	 seq;
	size_t		 n;

	scratch(dir, sizeof(dir));
	(void)snprintf(path, sizeof(path), "%s/diode-tx.log", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(diode_sendlog_last(fd, &session, next, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(session, 0);
	/* An earlier session with higher counts, to be ignored. */
	for (i = 0; i < 50; i++) {
		n = (size_t)snprintf(line, sizeof(line), "2026-01-01T00:00:00Z "
		    "sent session=00000000000000aa prec=FLASH seq=%d id=x%d "
		    "name=x%d bytes=1 sha256=00\n", 1000 + i, i, i);
		CU_ASSERT_EQUAL(write(fd, line, n), (ssize_t)n);
	}
	/* 3000 lines (about 300 KB: several chunks) of session bb. */
	for (i = 0; i < 3000; i++) {
		n = (size_t)snprintf(line, sizeof(line), "2026-01-01T00:00:01Z "
		    "sent session=00000000000000bb prec=%s seq=%d "
		    "id=message-%06d name=message-%06d bytes=1024 sha256=0000"
		    "000000000000000000000000000000000000000000000000000000"
		    "00000000\n", i % 3 == 0 ? "ROUTINE" : "PRIORITY",
		    i % 3 == 0 ? i / 3 : i - i / 3 - 1, i, i);
		CU_ASSERT_EQUAL(write(fd, line, n), (ssize_t)n);
		if (i == 1500) {
			n = (size_t)snprintf(line, sizeof(line), "2026-01-01T"
			    "00:00:01Z failed id=f name=f reason=unreadable\n");
			CU_ASSERT_EQUAL(write(fd, line, n), (ssize_t)n);
		}
	}
	/* Torn and joined to the next, then torn at the end. */
	n = (size_t)snprintf(line, sizeof(line), "2026-01-01T00:00:02Z sent "
	    "session=00000000000000bb prec=DEFERRED seq=12"
	    "2026-01-01T00:00:02Z sent session=00000000000000bb "
	    "prec=OVERRIDE seq=7 id=joined name=j bytes=1 sha256=00\n"
	    "2026-01-01T00:00:02Z sent session=00000000000000bb "
	    "prec=FLASH seq=99");
	CU_ASSERT_EQUAL(write(fd, line, n), (ssize_t)n);
	CU_ASSERT_EQUAL(diode_sendlog_last(fd, &session, next, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(session, 0xbb);
	CU_ASSERT_EQUAL(next[DIODE_ROUTINE], 1000);
	CU_ASSERT_EQUAL(next[DIODE_PRIORITY], 2000);
	CU_ASSERT_EQUAL(next[DIODE_FLASH], 0);
	CU_ASSERT_EQUAL(next[DIODE_DEFERRED], 0);
	CU_ASSERT_EQUAL(next[DIODE_OVERRIDE], 0);
	close(fd);
	unlink(path);
	rmdir(dir);
	/* One line, as written. */
	CU_ASSERT_EQUAL(sendlog_line("T sent session=00000000000000cc "
	    "prec=IMMEDIATE seq=5 id=a name=a", &s, &prec, &seq), 0);
	CU_ASSERT_EQUAL(s, 0xcc);
	CU_ASSERT_EQUAL(prec, DIODE_IMMEDIATE);
	CU_ASSERT_EQUAL(seq, 5);
	CU_ASSERT_EQUAL(sendlog_line("T sent session=0000000000000000 "
	    "prec=IMMEDIATE seq=5 id=a name=a", &s, &prec, &seq), -1);
	CU_ASSERT_EQUAL(sendlog_line("T sent session=00000000000000cc "
	    "prec=URGENT seq=5 id=a name=a", &s, &prec, &seq), -1);
	CU_ASSERT_EQUAL(sendlog_line("T sent session=00000000000000cc "
	    "prec=IMMEDIATE seq=5", &s, &prec, &seq), -1);
}

/*
 * The engine's check hook sees the digest of exactly the body it loaded
 * (the record header's): a refusal completes the message unsent, with
 * the reason, and the stream goes on with the next one.
 */
static uint8_t	checked_digest[32];
static int	checked;

static int
check_refuse_seed5(void *cookie, const uint8_t *digest, char *err,
    size_t errsz)
{
	struct body	*b = cookie;

	memcpy(checked_digest, digest, sizeof(checked_digest));
	checked++;
	if (b->seed != 5)
		return 0;
	snprintf(err, errsz, "refused by the check");
	return -1;
}

static void
test_tx_check_hook(void)
{
	struct diode_tx_params	 p = txparams(256, 4, 2);
	struct diode_tx		*tx;
	struct diode_mac	*mac;
	struct diode_frame	 f;
	struct diode_tx_done	 d;
	struct body		 bad = { 300, 5 }, good = { 300, 6 };
	uint8_t			 buf[DIODE_MAX_FRAME], want[32], *body;
	size_t			 len;
	char			 err[128];
	int			 done = 0, frames = 0;

	p.check = check_refuse_seed5;
	checked = 0;
	mac = diode_mac_new(key, sizeof(key), err, sizeof(err));
	tx = diode_tx_new(&p, key, sizeof(key), load_body, 0, err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(tx);
	submit(tx, "bad", DIODE_ROUTINE, &bad);
	submit(tx, "good", DIODE_ROUTINE, &good);
	while (next_data(tx, mac, &f, buf))
		frames++;
	CU_ASSERT(frames > 0);
	CU_ASSERT_EQUAL(checked, 2);
	/* The last digest checked is the good body's SHA-256. */
	CU_ASSERT_EQUAL_FATAL(load_body(&good, &body, &len, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(EVP_Digest(body, len, want, NULL, EVP_sha256(), NULL),
	    1);
	free(body);
	CU_ASSERT_EQUAL(memcmp(checked_digest, want, 32), 0);
	while (diode_tx_done(tx, &d)) {
		done++;
		if (strcmp(d.id, "bad") == 0) {
			CU_ASSERT_EQUAL(d.status, -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(d.err, "refused by the "
			    "check"));
		} else {
			CU_ASSERT_EQUAL(d.status, 0);
			CU_ASSERT_EQUAL(memcmp(d.digest, want, 32), 0);
		}
	}
	CU_ASSERT_EQUAL(done, 2);
	diode_tx_free(tx);
	diode_mac_free(mac);
}

/* A drop file of message "xyz" whose header has the lines `more' after
 * its id, precedence and token. */
static int
drop_with(const char *more, char *err, size_t errsz)
{
	struct diode_meta	m;
	char			b[512];
	size_t			hl;
	int			n;

	n = snprintf(b, sizeof(b), "MMGD1\nid: a\nprecedence: ROUTINE\n"
	    "token: %064d\n%s\nxyz", 0, more);
	return diode_drop_parse(b, (size_t)n, &m, &hl, err, errsz);
}

/* The drop folder's file: header and message, self-delimiting. */
static void
test_drop_file(void)
{
	struct diode_meta	m;
	uint8_t			tok[32];
	char			b[DIODE_DROP_HDR_MAX + 64], err[128], big[1200];
	size_t			hl;
	int			n, i;

	for (i = 0; i < 32; i++)
		tok[i] = (uint8_t)(i * 7);
	n = diode_drop_header(b, sizeof(b), "20261129T1-ab", DIODE_FLASH, tok,
	    5);
	CU_ASSERT_FATAL(n > 0);
	memcpy(b + n, "hello", 5);
	CU_ASSERT_EQUAL(diode_drop_parse(b, (size_t)n + 5, &m, &hl, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(hl, (size_t)n);
	CU_ASSERT_STRING_EQUAL(m.id, "20261129T1-ab");
	CU_ASSERT_EQUAL(m.prec, DIODE_FLASH);
	CU_ASSERT_EQUAL(m.len, 5);
	CU_ASSERT_EQUAL(memcmp(m.token, tok, 32), 0);
	/* The header alone parses: the caller checks the length. */
	CU_ASSERT_EQUAL(diode_drop_parse(b, (size_t)n, &m, &hl, err,
	    sizeof(err)), 0);
	/* Cut inside the header: no end. */
	CU_ASSERT_EQUAL(diode_drop_parse(b, (size_t)n - 1, &m, &hl, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "empty line"));
	/* No magic: a message dropped as it is. */
	CU_ASSERT_EQUAL(diode_drop_parse(b + 1, (size_t)n - 1, &m, &hl, err,
	    sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a drop file"));
	/* No length, a bad length, a length twice, one too large. */
	CU_ASSERT_EQUAL(drop_with("", err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "length"));
	CU_ASSERT_EQUAL(drop_with("length: 3\n", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(drop_with("length: 03\n", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(drop_with("length: -3\n", err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(drop_with("length: 3\nlength: 3\n", err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(drop_with("length: 99999999999\n", err, sizeof(err)),
	    -1);
	/* A header longer than the limit is refused, not searched on. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "MMGD1\nid: ", 10);
	CU_ASSERT_EQUAL(diode_drop_parse(big, sizeof(big), &m, &hl, err,
	    sizeof(err)), -1);
	/* The writer refuses what the reader would. */
	CU_ASSERT_EQUAL(diode_drop_header(b, sizeof(b), "../x", DIODE_FLASH,
	    tok, 5), -1);
	CU_ASSERT_EQUAL(diode_drop_header(b, sizeof(b), "x", DIODE_NPREC, tok,
	    5), -1);
	CU_ASSERT_EQUAL(diode_drop_header(b, 20, "x", DIODE_FLASH, tok, 5),
	    -1);
}

/* --- programs' helpers ---------------------------------------------------- */

static void
test_meta_token(void)
{
	struct diode_meta	m;
	uint8_t			d[32], t[32];
	char			err[128];
	const char		*good = "id: M-1@x\nprecedence: flash\n"
	    "token: 000102030405060708090a0b0c0d0e0f"
	    "101112131415161718191A1B1C1D1E1F\n";

	CU_ASSERT_EQUAL(diode_meta_parse(good, strlen(good), &m, err,
	    sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(m.id, "M-1@x");
	CU_ASSERT_EQUAL(m.prec, DIODE_FLASH);
	CU_ASSERT_EQUAL(m.token[31], 0x1f);
	CU_ASSERT_EQUAL(diode_meta_parse("id: a\nprecedence: ROUTINE\n", 26,
	    &m, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "token"));
	CU_ASSERT_EQUAL(diode_meta_parse("id: ../x\n", 9, &m, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_meta_parse("id: a\nid: b\n", 12, &m, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_meta_parse("precedence: URGENT\n", 19, &m, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_meta_parse("token: 00\n", 10, &m, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_meta_parse("colour: red\n", 12, &m, err,
	    sizeof(err)), -1);
	CU_ASSERT_FALSE(diode_id_valid(".hidden", 7));
	CU_ASSERT_FALSE(diode_id_valid("", 0));
	CU_ASSERT_TRUE(diode_id_valid("A.b_c-d+e=f@g", 13));

	memset(d, 7, sizeof(d));
	CU_ASSERT_EQUAL(diode_token_make(key, sizeof(key), d, t), 0);
	CU_ASSERT_EQUAL(diode_token_check(key, sizeof(key), d, t), 0);
	CU_ASSERT_EQUAL(diode_token_check(key2, sizeof(key2), d, t), -1);
	d[31] ^= 1;
	CU_ASSERT_EQUAL(diode_token_check(key, sizeof(key), d, t), -1);
}

/* The receiver's socket refuses to send, on UDP and unix sockets. */
static void
test_rx_socket_cannot_send(void)
{
	struct diode_addr	a;
	struct sockaddr_un	sun;
	struct sockaddr_storage	ss;
	socklen_t		sl;
	char			err[256], path[120], tmpl[80];
	const char		*tmp = getenv("TMPDIR");
	int			fd, fd2, r, e;

	CU_ASSERT_EQUAL_FATAL(diode_addr_parse("udp:127.0.0.1:0", &a, err,
	    sizeof(err)), 0);
	fd = diode_sock_rx(&a, 0, err, sizeof(err));
	CU_ASSERT_FATAL(fd >= 0);
	/* Aimed at itself (the port it was given), a valid destination. */
	sl = sizeof(ss);
	CU_ASSERT_EQUAL(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	errno = 0;
	r = sendto(fd, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&ss, sl);
	e = errno;
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(e, EPIPE);
	close(fd);

	(void)snprintf(tmpl, sizeof(tmpl), "%s/diode-uXXXXXX",
	    tmp != NULL && strlen(tmp) < 64 ? tmp : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	(void)snprintf(path, sizeof(path), "unix:%s/s", tmpl);
	CU_ASSERT_EQUAL_FATAL(diode_addr_parse(path, &a, err, sizeof(err)),
	    0);
	fd = diode_sock_rx(&a, 0, err, sizeof(err));
	CU_ASSERT_FATAL(fd >= 0);
	/* A second socket to aim at. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%.80s/t", tmpl);
	fd2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	CU_ASSERT_EQUAL(bind(fd2, (struct sockaddr *)&sun, sizeof(sun)), 0);
	errno = 0;
	r = sendto(fd, "x", 1, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    sizeof(sun));
	e = errno;
	CU_ASSERT_EQUAL(r, -1);
	CU_ASSERT_EQUAL(e, EPIPE);
	/* write(2) on it too. */
	r = (int)write(fd, "x", 1);
	e = errno;
	CU_ASSERT_EQUAL(r, -1);
	close(fd);
	close(fd2);
	unlink(sun.sun_path);
	(void)snprintf(path, sizeof(path), "%s/s", tmpl);
	unlink(path);
	rmdir(tmpl);

	CU_ASSERT_EQUAL(diode_addr_parse("udp:[::1]:4406", &a, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	CU_ASSERT_EQUAL(diode_addr_parse("udp:localhost:4406", &a, err,
	    sizeof(err)), -1);
	CU_ASSERT_EQUAL(diode_addr_parse("tcp:1.2.3.4:5", &a, err,
	    sizeof(err)), -1);
}

/*
 * Sending: n frames of 1448 bytes with a 300-byte one among them (a
 * heartbeat) and a 200-byte one last, through diode_send_frames with
 * and without segmentation offload, arrive as exactly those datagrams,
 * in order, each with its own bytes; so do they over a unix socket,
 * where offload does not apply and is switched off (and where a
 * receiver queues 10 datagrams by default, so n is 8 there).
 */
static void
send_and_check(const char *spec, int n, int gso_in, int gso_out)
{
	struct diode_addr	 a;
	struct sockaddr_storage	 ss;
	struct iovec		 iov[100];
	uint8_t			*buf, got[2048];
	uint64_t		 lost = 0;
	socklen_t		 sl = sizeof(ss);
	char			 err[256];
	size_t			 len[100];
	ssize_t			 r;
	int			 rfd, sfd, gso = gso_in, i, ok = 0;

	CU_ASSERT_EQUAL_FATAL(diode_addr_parse(spec, &a, err, sizeof(err)),
	    0);
	rfd = diode_sock_rx(&a, 4u << 20, err, sizeof(err));
	CU_ASSERT_FATAL(rfd >= 0);
	if (a.family != AF_UNIX) {
		CU_ASSERT_EQUAL(getsockname(rfd, (struct sockaddr *)&ss, &sl),
		    0);
		memcpy(a.ss, &ss, sl);
		a.len = sl;
	}
	sfd = diode_sock_tx(&a, 0, err, sizeof(err));
	CU_ASSERT_FATAL(sfd >= 0);
	buf = xmalloc(100 * 1448);
	for (i = 0; i < n; i++) {
		len[i] = i == n / 3 ? 300 : i == n - 1 ? 200 : 1448;
		memset(buf + (size_t)i * 1448, i, len[i]);
		iov[i].iov_base = buf + (size_t)i * 1448;
		iov[i].iov_len = len[i];
	}
	CU_ASSERT_EQUAL(diode_send_frames(sfd, &a, iov, n, &gso, &lost,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(gso, gso_out);
	CU_ASSERT_EQUAL(lost, 0);
	for (i = 0; i < n; i++) {
		r = recv(rfd, got, sizeof(got), MSG_DONTWAIT);
		if (r != (ssize_t)len[i] || got[0] != (uint8_t)i ||
		    got[r - 1] != (uint8_t)i)
			break;
		ok++;
	}
	CU_ASSERT_EQUAL(ok, n);
	CU_ASSERT_EQUAL(recv(rfd, got, sizeof(got), MSG_DONTWAIT), -1);
	free(buf);
	close(sfd);
	close(rfd);
}

static void
test_send_frames(void)
{
	char		 tmpl[80], spec[120];
	const char	*tmp = getenv("TMPDIR");

	send_and_check("udp:127.0.0.1:0", 100, 1, 1);
	send_and_check("udp:127.0.0.1:0", 100, 0, 0);
	send_and_check("udp:[::1]:0", 100, 1, 1);
	(void)snprintf(tmpl, sizeof(tmpl), "%s/diode-sXXXXXX",
	    tmp != NULL && strlen(tmp) < 64 ? tmp : "/tmp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	(void)snprintf(spec, sizeof(spec), "unix:%s/s", tmpl);
	send_and_check(spec, 8, 1, 0);
	(void)unlink(spec + 5);
	(void)rmdir(tmpl);
}

static const struct unit_test tests[] = {
	{ "frame data round trip", test_frame_data_roundtrip },
	{ "frame heartbeat round trip", test_frame_hb_roundtrip },
	{ "frame tampered, truncated, other key", test_frame_tamper },
	{ "frame tag: GMAC, per sequence, per session", test_frame_mac },
	{ "frame limits", test_frame_limits },
	{ "FEC at the redundancy limit and one beyond", test_fec_edges },
	{ "interleaving order", test_interleave_order },
	{ "precedence order and pre-emption", test_precedence_order },
	{ "engines: loss repaired or reported by id, replay",
	    test_engines_loss },
	{ "engines: message lost whole, named by manifest",
	    test_engines_whole_loss },
	{ "engines: stale session, restart", test_engines_sessions },
	{ "engines: refused token, unreadable message", test_engines_token },
	{ "engines: a killed receiver resumes its session",
	    test_engines_resume },
	{ "engines: the previous session's losses, once",
	    test_engines_previous },
	{ "receiver state file", test_state_file },
	{ "sending record read from its end", test_sendlog },
	{ "metadata and release token", test_meta_token },
	{ "drop file: header and message", test_drop_file },
	{ "sender's check hook on the body's digest", test_tx_check_hook },
	{ "receive socket cannot send", test_rx_socket_cannot_send },
	{ "frames sent in batches, with and without GSO", test_send_frames },
	{ NULL, NULL }
};

UNIT_SUITE(diode, "diode", tests);
