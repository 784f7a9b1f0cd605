/*
 * buf.h - a growable byte buffer whose maximum size is fixed at creation.
 *
 * Every producer of bytes in mmguard (encoders, frame builders, report
 * writers) writes into a struct buf.  It grows on demand but never beyond the
 * maximum given to buf_init(): an append that would cross it fails with -1
 * and leaves the buffer unchanged, so an attacker-influenced size can at
 * worst produce a precise "too large" error, never an unbounded allocation.
 * Memory is wiped when released.
 */
#ifndef MMGUARD_BUF_H
#define MMGUARD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t	*data;
	size_t	 len;		/* bytes in use */
	size_t	 cap;		/* bytes allocated */
	size_t	 max;		/* len never exceeds this */
};

void	 buf_init(struct buf *, size_t max);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
int	 buf_reserve(struct buf *, size_t more);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_add_byte(struct buf *, uint8_t);
int	 buf_insert_gap(struct buf *, size_t off, size_t n);
void	 buf_truncate(struct buf *, size_t len);

#endif
