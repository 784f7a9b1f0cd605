/*
 * json.h - a small JSON writer into a bounded buffer.
 *
 * Used wherever the guard prints for machines: mmguard-msg dump --json,
 * explain, audit show.  It writes compact JSON, one value at a time, and
 * keeps the commas and nesting itself.  Strings are escaped per RFC 8259
 * (quote, backslash, control characters and DEL); they must be UTF-8, which
 * the guard's text is by construction (filters convert everything they
 * show).  Errors (nesting beyond JSON_MAX_DEPTH, the buffer's maximum) are
 * sticky; json_finish() reports them.
 */
#ifndef MMGUARD_JSON_H
#define MMGUARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

#define JSON_MAX_DEPTH	64

struct json {
	struct buf	*out;
	unsigned	 depth;
	bool		 first[JSON_MAX_DEPTH];	/* no value yet at this level */
	bool		 after_key;
	int		 err;
};

void	json_init(struct json *, struct buf *);
int	json_finish(struct json *);
void	json_obj_begin(struct json *);
void	json_obj_end(struct json *);
void	json_arr_begin(struct json *);
void	json_arr_end(struct json *);
void	json_key(struct json *, const char *);
void	json_str(struct json *, const char *);
void	json_strn(struct json *, const char *, size_t);
void	json_int(struct json *, int64_t);
void	json_bool(struct json *, bool);
void	json_null(struct json *);

/* Key and value together. */
void	json_kstr(struct json *, const char *, const char *);
void	json_kint(struct json *, const char *, int64_t);
void	json_kbool(struct json *, const char *, bool);

#endif
