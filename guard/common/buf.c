/*
 * buf.c - bounded growable byte buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guard/common/buf.h"
#include "guard/common/xmalloc.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	freezero(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_reset(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->len);
	b->len = 0;
}

/* Make room for 'more' bytes past len; -1 when that would pass the maximum. */
int
buf_reserve(struct buf *b, size_t more)
{
	size_t	 need, ncap;
	uint8_t	*n;

	if (more > b->max || b->len > b->max - more)
		return -1;
	need = b->len + more;
	if (need <= b->cap)
		return 0;
	ncap = b->cap < 256 ? 256 : b->cap;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	/* Copy rather than realloc so the old block can be wiped. */
	n = xmalloc(ncap);
	if (b->len > 0)
		memcpy(n, b->data, b->len);
	freezero(b->data, b->cap);
	b->data = n;
	b->cap = ncap;
	return 0;
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
buf_add_byte(struct buf *b, uint8_t c)
{
	return buf_add(b, &c, 1);
}

/* Open n uninitialised bytes at off, moving what follows. */
int
buf_insert_gap(struct buf *b, size_t off, size_t n)
{
	if (off > b->len || buf_reserve(b, n) == -1)
		return -1;
	memmove(b->data + off + n, b->data + off, b->len - off);
	b->len += n;
	return 0;
}

void
buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		explicit_bzero(b->data + len, b->len - len);
		b->len = len;
	}
}
