/*
 * diode_frame.c - frames of the one-way channel: encoding, parsing and
 * the GMAC tag (layout in diode.h, SECURITY-FRAMES).
 *
 * The parser is the first code diode-rx runs on bytes from the network.
 * It checks the length and magic, then the tag, and only then reads the
 * rest, each field against fixed limits; anything else is refused with a
 * reason.  It allocates nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "guard/diode/diode.h"
#include "guard/common/xmalloc.h"

static const char *prec_names[DIODE_NPREC] = {
	"DEFERRED", "ROUTINE", "PRIORITY", "IMMEDIATE", "FLASH", "OVERRIDE"
};

const char *
diode_prec_name(int p)
{
	if (p < 0 || p >= DIODE_NPREC)
		return "?";
	return prec_names[p];
}

int
diode_prec_parse(const char *s)
{
	int	i;

	for (i = 0; i < DIODE_NPREC; i++)
		if (strcasecmp(s, prec_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Ids become file names on both sides: a closed set of characters, no
 * leading dot (no hidden files, no "." or ".."), bounded length.
 */
int
diode_id_valid(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || n > DIODE_ID_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-' || c == '+' || c == '=' || c == '@'))
			return 0;
	}
	return 1;
}

/* --- MAC -------------------------------------------------------------- */

/*
 * The frame tag is GMAC (AES-256-GCM with the frame as additional data
 * and nothing to encrypt) under a key of the sending session, with the
 * frame sequence as nonce.  Why, and why it is sound: diode.h,
 * SECURITY-FRAMES.  Session keys are kept in two slots: the one whose
 * tags last checked out, and a scratch slot for any other session a
 * frame claims, so that forged frames naming other sessions cost their
 * own key derivation but never evict the genuine session's key.
 */
#define MAC_SLOTS	2
#define MAC_LABEL	"mmguard diode frame key v3"

struct mac_slot {
	EVP_CIPHER_CTX	*ctx;
	int		 valid;
	uint8_t		 id[20];	/* link, session, epoch as sent */
};

struct diode_mac {
	EVP_MAC		*hmac;
	EVP_MAC_CTX	*kdf;		/* HMAC-SHA256 under the link key */
	EVP_CIPHER	*gcm;
	struct mac_slot	 slot[MAC_SLOTS];
};

/* Key the slot for the session named by the 20 header bytes at id. */
static int
mac_derive(struct diode_mac *m, struct mac_slot *s, const uint8_t *id)
{
	static const uint8_t	 zero = 0;
	uint8_t			 key[32];
	size_t			 outl = 0;
	int			 ok;

	s->valid = 0;
	ok = EVP_MAC_init(m->kdf, NULL, 0, NULL) &&
	    EVP_MAC_update(m->kdf, (const uint8_t *)MAC_LABEL,
	    sizeof(MAC_LABEL) - 1) &&
	    EVP_MAC_update(m->kdf, &zero, 1) &&
	    EVP_MAC_update(m->kdf, id, 20) &&
	    EVP_MAC_final(m->kdf, key, &outl, sizeof(key)) &&
	    outl == sizeof(key) &&
	    EVP_EncryptInit_ex(s->ctx, NULL, NULL, key, NULL);
	OPENSSL_cleanse(key, sizeof(key));
	if (!ok)
		return -1;
	memcpy(s->id, id, 20);
	s->valid = 1;
	return 0;
}

struct diode_mac *
diode_mac_new(const uint8_t *key, size_t keylen, char *err, size_t errsz)
{
	struct diode_mac	*m;
	OSSL_PARAM		 params[2];
	char			 digest[] = "SHA256";
	uint8_t			 id[20];
	int			 i;

	if (keylen < DIODE_KEY_MIN || keylen > DIODE_KEY_MAX) {
		snprintf(err, errsz, "key of %zu bytes (%d to %d allowed)",
		    keylen, DIODE_KEY_MIN, DIODE_KEY_MAX);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((m->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (m->kdf = EVP_MAC_CTX_new(m->hmac)) == NULL ||
	    !EVP_MAC_init(m->kdf, key, keylen, params)) {
		snprintf(err, errsz, "HMAC-SHA256 unavailable in OpenSSL");
		diode_mac_free(m);
		return NULL;
	}
	/*
	 * Everything OpenSSL sets up lazily is set up here, before a
	 * role's sandbox closes: the cipher, both contexts, one key.
	 */
	memset(id, 0, sizeof(id));
	if ((m->gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) == NULL) {
		snprintf(err, errsz, "AES-256-GCM unavailable in OpenSSL");
		diode_mac_free(m);
		return NULL;
	}
	for (i = 0; i < MAC_SLOTS; i++)
		if ((m->slot[i].ctx = EVP_CIPHER_CTX_new()) == NULL ||
		    !EVP_EncryptInit_ex(m->slot[i].ctx, m->gcm, NULL, NULL,
		    NULL) ||
		    mac_derive(m, &m->slot[i], id) != 0) {
			snprintf(err, errsz, "AES-256-GCM set-up failed");
			diode_mac_free(m);
			return NULL;
		}
	for (i = 0; i < MAC_SLOTS; i++)
		m->slot[i].valid = 0;
	return m;
}

void
diode_mac_free(struct diode_mac *m)
{
	int	i;

	if (m == NULL)
		return;
	for (i = 0; i < MAC_SLOTS; i++)
		EVP_CIPHER_CTX_free(m->slot[i].ctx);
	EVP_CIPHER_free(m->gcm);
	EVP_MAC_CTX_free(m->kdf);
	EVP_MAC_free(m->hmac);
	free(m);
}

/* The GMAC of buf[0..len) under the slot's key, frame sequence as nonce. */
static int
mac_gmac(struct mac_slot *s, const uint8_t *buf, size_t len, uint8_t *tag)
{
	OSSL_PARAM	params[2];
	uint8_t		iv[12];
	int		outl;

	memset(iv, 0, 4);
	memcpy(iv + 4, buf + 28, 8);
	/* get_params, not the ctrl shim: a little less work per frame. */
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, tag, DIODE_TAG_LEN);
	params[1] = OSSL_PARAM_construct_end();
	if (len > INT32_MAX ||
	    !EVP_EncryptInit_ex(s->ctx, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(s->ctx, NULL, &outl, buf, (int)len) ||
	    !EVP_EncryptFinal_ex(s->ctx, tag, &outl) ||
	    !EVP_CIPHER_CTX_get_params(s->ctx, params))
		return -1;
	return 0;
}

int
diode_mac_tag(struct diode_mac *m, const uint8_t *buf, size_t len,
    uint8_t *tag)
{
	struct mac_slot	*s;
	int		 i;

	if (len < DIODE_HDR_LEN)
		return -1;
	for (i = 0; i < MAC_SLOTS; i++)
		if (m->slot[i].valid && memcmp(m->slot[i].id, buf + 8, 20) == 0)
			return mac_gmac(&m->slot[i], buf, len, tag);
	s = &m->slot[MAC_SLOTS - 1];
	if (mac_derive(m, s, buf + 8) != 0)
		return -1;
	return mac_gmac(s, buf, len, tag);
}

int
diode_mac_check(struct diode_mac *m, const uint8_t *buf, size_t len,
    const uint8_t *tag)
{
	struct mac_slot	 t;
	uint8_t		 want[DIODE_TAG_LEN];
	int		 r;

	if (diode_mac_tag(m, buf, len, want) != 0)
		return -1;
	r = CRYPTO_memcmp(want, tag, DIODE_TAG_LEN) == 0 ? 0 : 1;
	/* A session proven genuine takes the first slot. */
	if (r == 0 && memcmp(m->slot[0].id, buf + 8, 20) != 0) {
		t = m->slot[0];
		m->slot[0] = m->slot[1];
		m->slot[1] = t;
	}
	return r;
}

/* --- Byte order ------------------------------------------------------- */

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return ((uint64_t)get32(p) << 32) | get32(p + 4);
}

/* --- Encoding --------------------------------------------------------- */

static void
put_hdr(uint8_t *p, uint8_t type, const struct diode_frame_hdr *h)
{
	memcpy(p, "MGD", 3);
	p[3] = DIODE_VERSION;
	p[4] = type;
	p[5] = 0;
	put16(p + 6, 0);
	put32(p + 8, h->link);
	put64(p + 12, h->session);
	put64(p + 20, h->epoch);
	put64(p + 28, h->fseq);
}

static size_t
seal(struct diode_mac *mac, uint8_t *out, size_t len)
{
	if (diode_mac_tag(mac, out, len, out + len) != 0)
		return 0;
	return len + DIODE_TAG_LEN;
}

size_t
diode_frame_data(struct diode_mac *mac, const struct diode_frame_hdr *h,
    const struct diode_block_info *b, uint16_t sym, const uint8_t *payload,
    uint8_t *out, size_t outsz)
{
	size_t	len = DIODE_DATA_HDR_LEN + (size_t)b->symsize;

	if (outsz < len + DIODE_TAG_LEN)
		return 0;
	put_hdr(out, DIODE_FRAME_DATA, h);
	out[36] = b->prec;
	out[37] = b->scheme;
	put16(out + 38, b->symsize);
	put64(out + 40, b->bseq);
	put64(out + 48, b->lwm);
	put16(out + 56, b->k);
	put16(out + 58, b->m);
	put16(out + 60, sym);
	put16(out + 62, 0);
	put32(out + 64, b->data_len);
	put32(out + 68, b->first_rec);
	put64(out + 72, b->first_seq);
	put64(out + 80, b->last_seq);
	memcpy(out + DIODE_DATA_HDR_LEN, payload, b->symsize);
	return seal(mac, out, len);
}

/*
 * A heartbeat with as many manifest entries (from ent[0]) as fit in outsz;
 * *taken says how many.
 */
size_t
diode_frame_heartbeat(struct diode_mac *mac, const struct diode_frame_hdr *h,
    const struct diode_hb *hb, const struct diode_manifest_entry *ent,
    size_t nent, size_t *taken, uint8_t *out, size_t outsz)
{
	size_t	len = DIODE_HB_HDR_LEN, i, idl;
	int	p;

	*taken = 0;
	if (outsz < DIODE_HB_HDR_LEN + DIODE_TAG_LEN)
		return 0;
	put_hdr(out, DIODE_FRAME_HEARTBEAT, h);
	put64(out + 36, hb->started);
	put64(out + 44, hb->completed);
	put64(out + 52, hb->bytes);
	put32(out + 60, hb->interval_ms);
	put16(out + 66, 0);
	for (p = 0; p < DIODE_NPREC; p++) {
		put64(out + 68 + 24 * p, hb->streams[p].next_block);
		put64(out + 76 + 24 * p, hb->streams[p].lwm);
		put64(out + 84 + 24 * p, hb->streams[p].next_seq);
	}
	put64(out + 212, hb->prev_session);
	for (p = 0; p < DIODE_NPREC; p++)
		put64(out + 220 + 8 * p, hb->prev_session != 0 ?
		    hb->prev_next[p] : 0);
	for (i = 0; i < nent && i < 0xffff; i++) {
		idl = strlen(ent[i].id);
		if (len + 10 + idl + DIODE_TAG_LEN > outsz)
			break;
		out[len] = ent[i].prec;
		out[len + 1] = (uint8_t)idl;
		put64(out + len + 2, ent[i].seq);
		memcpy(out + len + 10, ent[i].id, idl);
		len += 10 + idl;
	}
	put16(out + 64, (uint16_t)i);
	*taken = i;
	return seal(mac, out, len);
}

/* --- Parsing ---------------------------------------------------------- */

static int
refuse(int *why, int w, char *err, size_t errsz, const char *reason)
{
	*why = w;
	snprintf(err, errsz, "%s", reason);
	return -1;
}

static int
parse_data(const uint8_t *p, size_t len, struct diode_frame *f, int *why,
    char *err, size_t errsz)
{
	struct diode_block_info	*b = &f->blk;

	if (len < DIODE_DATA_HDR_LEN)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "data frame shorter than its header");
	b->prec = p[36];
	b->scheme = p[37];
	b->symsize = get16(p + 38);
	b->bseq = get64(p + 40);
	b->lwm = get64(p + 48);
	b->k = get16(p + 56);
	b->m = get16(p + 58);
	f->sym = get16(p + 60);
	b->data_len = get32(p + 64);
	b->first_rec = get32(p + 68);
	b->first_seq = get64(p + 72);
	b->last_seq = get64(p + 80);
	if (b->prec >= DIODE_NPREC)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "unknown precedence");
	if (b->scheme != DIODE_SCHEME_RS_CAUCHY)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "unknown coding scheme");
	if (b->symsize < DIODE_MIN_SYMBOL || b->symsize > DIODE_MAX_SYMBOL)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "symbol size out of range");
	if (len != DIODE_DATA_HDR_LEN + (size_t)b->symsize)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "frame length does not match the symbol size");
	if (b->k < 1 || b->k > DIODE_MAX_K || b->k + b->m > DIODE_MAX_N)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "coding parameters k, m out of range");
	if (f->sym >= b->k + b->m)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "symbol index beyond the block");
	if (get16(p + 62) != 0)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "reserved field not zero");
	if (b->data_len == 0 || b->data_len > (uint32_t)b->k * b->symsize ||
	    b->data_len <= (uint32_t)(b->k - 1) * b->symsize)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "block data length does not match k");
	if (b->first_rec != DIODE_NONE && b->first_rec >= b->data_len)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "first record beyond the block's data");
	if (b->last_seq < b->first_seq)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "message sequences out of order");
	/* The block being sent is itself not yet fully sent. */
	if (b->lwm > b->bseq || b->bseq > UINT64_MAX / 2 ||
	    b->last_seq > UINT64_MAX / 2)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "block sequences out of range");
	f->payload = p + DIODE_DATA_HDR_LEN;
	return 0;
}

static int
parse_hb(const uint8_t *p, size_t len, struct diode_frame *f, int *why,
    char *err, size_t errsz)
{
	struct diode_hb			*hb = &f->hb;
	struct diode_manifest_entry	 e;
	size_t				 off, i;
	int				 s;

	if (len < DIODE_HB_HDR_LEN)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "heartbeat shorter than its header");
	hb->started = get64(p + 36);
	hb->completed = get64(p + 44);
	hb->bytes = get64(p + 52);
	hb->interval_ms = get32(p + 60);
	hb->nentries = get16(p + 64);
	if (get16(p + 66) != 0)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "reserved field not zero");
	if (hb->interval_ms == 0 || hb->interval_ms > 3600000)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "heartbeat interval out of range");
	for (s = 0; s < DIODE_NPREC; s++) {
		hb->streams[s].next_block = get64(p + 68 + 24 * s);
		hb->streams[s].lwm = get64(p + 76 + 24 * s);
		hb->streams[s].next_seq = get64(p + 84 + 24 * s);
		if (hb->streams[s].lwm > hb->streams[s].next_block ||
		    hb->streams[s].next_block > UINT64_MAX / 2 ||
		    hb->streams[s].next_seq > UINT64_MAX / 2)
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "heartbeat stream counters inconsistent");
	}
	hb->prev_session = get64(p + 212);
	for (s = 0; s < DIODE_NPREC; s++) {
		hb->prev_next[s] = get64(p + 220 + 8 * s);
		if (hb->prev_next[s] > UINT64_MAX / 2 ||
		    (hb->prev_session == 0 && hb->prev_next[s] != 0))
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "previous session counts inconsistent");
	}
	hb->entries = p + DIODE_HB_HDR_LEN;
	hb->entries_len = len - DIODE_HB_HDR_LEN;
	/* Walk the manifest once here so that readers can trust it. */
	off = 0;
	for (i = 0; i < hb->nentries; i++) {
		if (hb->entries_len - off < 10)
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "manifest entry truncated");
		e.prec = hb->entries[off];
		if (e.prec >= DIODE_NPREC)
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "manifest entry with unknown precedence");
		if (hb->entries[off + 1] > hb->entries_len - off - 10)
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "manifest id truncated");
		if (!diode_id_valid((const char *)hb->entries + off + 10,
		    hb->entries[off + 1]))
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "manifest id not a valid message id");
		off += 10 + (size_t)hb->entries[off + 1];
	}
	if (off != hb->entries_len)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "bytes left after the manifest");
	return 0;
}

int
diode_frame_parse(struct diode_mac *mac, const uint8_t *p, size_t len,
    struct diode_frame *f, int *why, char *err, size_t errsz)
{
	memset(f, 0, sizeof(*f));
	*why = 0;
	if (len < DIODE_HDR_LEN + DIODE_TAG_LEN || len > DIODE_MAX_FRAME)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "frame length out of range");
	if (memcmp(p, "MGD", 3) != 0)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "not a diode frame (magic)");
	if (p[3] != DIODE_VERSION)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "unsupported frame version");
	len -= DIODE_TAG_LEN;
	if (mac != NULL) {
		switch (diode_mac_check(mac, p, len, p + len)) {
		case 0:
			break;
		case 1:
			return refuse(why, DIODE_REFUSE_TAG, err, errsz,
			    "authentication tag wrong (forged or corrupted)");
		default:
			return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
			    "MAC computation failed");
		}
	}
	f->type = p[4];
	if (p[5] != 0 || get16(p + 6) != 0)
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "unknown flags or reserved bits set");
	f->link = get32(p + 8);
	f->session = get64(p + 12);
	f->epoch = get64(p + 20);
	f->fseq = get64(p + 28);
	switch (f->type) {
	case DIODE_FRAME_DATA:
		return parse_data(p, len, f, why, err, errsz);
	case DIODE_FRAME_HEARTBEAT:
		return parse_hb(p, len, f, why, err, errsz);
	default:
		return refuse(why, DIODE_REFUSE_MALFORMED, err, errsz,
		    "unknown frame type");
	}
}

int
diode_hb_entry(const struct diode_hb *hb, size_t *off,
    struct diode_manifest_entry *e)
{
	size_t	n;

	/* diode_frame_parse has walked the entries: bounds hold. */
	if (*off >= hb->entries_len)
		return 0;
	e->prec = hb->entries[*off];
	n = hb->entries[*off + 1];
	e->seq = get64(hb->entries + *off + 2);
	memcpy(e->id, hb->entries + *off + 10, n);
	e->id[n] = '\0';
	*off += 10 + n;
	return 1;
}
