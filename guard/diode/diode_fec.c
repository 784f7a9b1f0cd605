/*
 * diode_fec.c - Reed-Solomon erasure coding over GF(2^8) with Intel ISA-L
 * (why ISA-L: diode.h).
 *
 * A block is k data symbols and m parity symbols; parity row i (k <= i <
 * k+m) is row i of ISA-L's Cauchy matrix gf_gen_cauchy1_matrix(k+m, k).
 * Any k of the k+m symbols rebuild the block.
 *
 * Decoding inverts only what is missing: with e data symbols lost and e
 * parity symbols P chosen among those received, the syndromes
 *	s_i = parity_P[i] + sum over received data j of C[P[i]][j] d_j
 * equal C[P][lost] d_lost, an e x e Cauchy system (always invertible).
 * So a block with few losses costs an e x e inversion and k + e symbol
 * multiplies per lost symbol, not a k x k inversion.
 *
 * Coding tables depend on (k, m) only and are kept in a small cache:
 * full blocks all share one entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <isa-l/erasure_code.h>

#include "guard/diode/diode.h"
#include "guard/common/xmalloc.h"

#define FEC_CACHE	8

struct fec_entry {
	int		 k, m;
	uint8_t		*matrix;	/* (k+m) x k */
	uint8_t		*tables;	/* 32 * k * m, encoding */
	unsigned	 used;
};

struct diode_fec {
	struct fec_entry cache[FEC_CACHE];
	unsigned	 clock;
	/* Decoding scratch, grown to the largest loss seen. */
	uint8_t		*rows, *sub, *inv, *dtables, *synd;
	size_t		 scratch_n, synd_len;
};

struct diode_fec *
diode_fec_new(void)
{
	return xcalloc(1, sizeof(struct diode_fec));
}

void
diode_fec_free(struct diode_fec *f)
{
	int	i;

	if (f == NULL)
		return;
	for (i = 0; i < FEC_CACHE; i++) {
		free(f->cache[i].matrix);
		free(f->cache[i].tables);
	}
	free(f->rows);
	free(f->sub);
	free(f->inv);
	free(f->dtables);
	free(f->synd);
	free(f);
}

static int
fec_check(int k, int m, size_t len, char *err, size_t errsz)
{
	if (k < 1 || k > DIODE_MAX_K || m < 0 || k + m > DIODE_MAX_N) {
		snprintf(err, errsz, "coding parameters k=%d m=%d out of range",
		    k, m);
		return -1;
	}
	if (len == 0 || len > DIODE_MAX_SYMBOL) {
		snprintf(err, errsz, "symbol length %zu out of range", len);
		return -1;
	}
	return 0;
}

static struct fec_entry *
fec_lookup(struct diode_fec *f, int k, int m)
{
	struct fec_entry	*e, *victim = &f->cache[0];
	int			 i;

	for (i = 0; i < FEC_CACHE; i++) {
		e = &f->cache[i];
		if (e->matrix != NULL && e->k == k && e->m == m) {
			e->used = ++f->clock;
			return e;
		}
		if (e->used < victim->used)
			victim = e;
	}
	e = victim;
	free(e->matrix);
	free(e->tables);
	e->k = k;
	e->m = m;
	e->matrix = xmalloc((size_t)(k + m) * k);
	e->tables = xmalloc(32 * (size_t)k * (m > 0 ? m : 1));
	gf_gen_cauchy1_matrix(e->matrix, k + m, k);
	if (m > 0)
		ec_init_tables(k, m, e->matrix + (size_t)k * k, e->tables);
	e->used = ++f->clock;
	return e;
}

int
diode_fec_encode(struct diode_fec *f, int k, int m, size_t len,
    uint8_t **data, uint8_t **parity, char *err, size_t errsz)
{
	struct fec_entry	*e;

	if (fec_check(k, m, len, err, errsz) != 0)
		return -1;
	if (m == 0)
		return 0;
	e = fec_lookup(f, k, m);
	ec_encode_data((int)len, k, m, e->tables, data, parity);
	return 0;
}

int
diode_fec_decode(struct diode_fec *f, int k, int m, size_t len,
    uint8_t **sym, const uint8_t *present, char *err, size_t errsz)
{
	struct fec_entry	*e;
	uint8_t			*src[DIODE_MAX_N], *out[DIODE_MAX_N];
	int			 lost[DIODE_MAX_N], par[DIODE_MAX_N];
	int			 nlost = 0, npar = 0, i, j, ns;

	if (fec_check(k, m, len, err, errsz) != 0)
		return -1;
	for (i = 0; i < k; i++)
		if (!present[i])
			lost[nlost++] = i;
	if (nlost == 0)
		return 0;
	for (i = k; i < k + m && npar < nlost; i++)
		if (present[i])
			par[npar++] = i;
	if (npar < nlost) {
		snprintf(err, errsz, "%d of %d data symbols lost, only %d "
		    "parity symbols received", nlost, k, npar);
		return -1;
	}
	e = fec_lookup(f, k, m);
	if (f->scratch_n < (size_t)nlost) {
		/* rows: nlost x (k + nlost) <= nlost x 255; tables 32x that. */
		f->scratch_n = (size_t)nlost;
		free(f->rows);
		free(f->sub);
		free(f->inv);
		free(f->dtables);
		f->rows = xmalloc(f->scratch_n * DIODE_MAX_N);
		f->sub = xmalloc(f->scratch_n * f->scratch_n);
		f->inv = xmalloc(f->scratch_n * f->scratch_n);
		f->dtables = xmalloc(32 * f->scratch_n * DIODE_MAX_N);
	}
	if (f->synd_len < (size_t)nlost * len) {
		free(f->synd);
		f->synd_len = (size_t)nlost * len;
		f->synd = xmalloc(f->synd_len);
	}

	/*
	 * Syndromes: sources are the k data symbols (lost ones with
	 * coefficient 0, so their buffers' contents do not matter) and the
	 * chosen parity symbols (coefficient 1 on their own row).
	 */
	ns = k + nlost;
	memset(f->rows, 0, (size_t)nlost * ns);
	for (i = 0; i < nlost; i++) {
		const uint8_t *crow = e->matrix + (size_t)par[i] * k;

		for (j = 0; j < k; j++)
			f->rows[i * ns + j] = present[j] ? crow[j] : 0;
		f->rows[i * ns + k + i] = 1;
		out[i] = f->synd + (size_t)i * len;
	}
	for (j = 0; j < k; j++)
		src[j] = sym[j];
	for (i = 0; i < nlost; i++)
		src[k + i] = sym[par[i]];
	ec_init_tables(ns, nlost, f->rows, f->dtables);
	ec_encode_data((int)len, ns, nlost, f->dtables, src, out);

	/* Solve C[par][lost] x = s. */
	for (i = 0; i < nlost; i++)
		for (j = 0; j < nlost; j++)
			f->sub[i * nlost + j] =
			    e->matrix[(size_t)par[i] * k + lost[j]];
	if (gf_invert_matrix(f->sub, f->inv, nlost) != 0) {
		snprintf(err, errsz, "singular decoding matrix");
		return -1;
	}
	for (i = 0; i < nlost; i++) {
		src[i] = f->synd + (size_t)i * len;
		out[i] = sym[lost[i]];
	}
	ec_init_tables(nlost, nlost, f->inv, f->dtables);
	ec_encode_data((int)len, nlost, nlost, f->dtables, src, out);
	return 0;
}
