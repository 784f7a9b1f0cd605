/*
 * xmalloc.h - allocation that never returns NULL.
 *
 * Running out of memory in a guard process is not a condition any caller can
 * handle better than by stopping: the supervisor restarts the role and the
 * message is retried.  So these abort (via fatal) instead of returning NULL,
 * and no caller carries an untested failure path.  Sizes are checked for
 * overflow.  freezero() wipes before freeing, for anything that held secrets
 * or message content.
 */
#ifndef MMGUARD_XMALLOC_H
#define MMGUARD_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
void	*xmemdup(const void *, size_t);
void	 freezero(void *, size_t);

#endif
