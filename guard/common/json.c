/*
 * json.c - a small JSON writer into a bounded buffer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guard/common/buf.h"
#include "guard/common/json.h"

void
json_init(struct json *j, struct buf *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->first[0] = true;
}

static void
json_raw(struct json *j, const char *s, size_t n)
{
	if (j->err == 0 && buf_add(j->out, s, n) == -1)
		j->err = -1;
}

/* A value starts: a comma unless it is the first at its level. */
static void
json_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		json_raw(j, ",", 1);
	j->first[j->depth] = false;
}

static void
json_open(struct json *j, const char *c)
{
	json_value(j);
	json_raw(j, c, 1);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->err = -1;
		return;
	}
	j->first[++j->depth] = true;
}

static void
json_close(struct json *j, const char *c)
{
	if (j->depth == 0) {
		j->err = -1;
		return;
	}
	j->depth--;
	json_raw(j, c, 1);
}

void
json_obj_begin(struct json *j)
{
	json_open(j, "{");
}

void
json_obj_end(struct json *j)
{
	json_close(j, "}");
}

void
json_arr_begin(struct json *j)
{
	json_open(j, "[");
}

void
json_arr_end(struct json *j)
{
	json_close(j, "]");
}

static void
json_quoted(struct json *j, const char *s, size_t n)
{
	char	esc[8];
	size_t	i, run = 0;
	uint8_t	c;

	json_raw(j, "\"", 1);
	for (i = 0; i < n; i++) {
		c = (uint8_t)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		json_raw(j, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':	json_raw(j, "\\\"", 2); break;
		case '\\':	json_raw(j, "\\\\", 2); break;
		case '\n':	json_raw(j, "\\n", 2); break;
		case '\r':	json_raw(j, "\\r", 2); break;
		case '\t':	json_raw(j, "\\t", 2); break;
		default:
			(void)snprintf(esc, sizeof(esc), "\\u%04x", c);
			json_raw(j, esc, 6);
			break;
		}
	}
	json_raw(j, s + run, n - run);
	json_raw(j, "\"", 1);
}

void
json_key(struct json *j, const char *k)
{
	json_value(j);
	json_quoted(j, k, strlen(k));
	json_raw(j, ":", 1);
	j->after_key = true;
}

void
json_strn(struct json *j, const char *s, size_t n)
{
	json_value(j);
	json_quoted(j, s, n);
}

void
json_str(struct json *j, const char *s)
{
	if (s == NULL) {
		json_null(j);
		return;
	}
	json_strn(j, s, strlen(s));
}

void
json_int(struct json *j, int64_t v)
{
	char	b[24];
	int	n;

	json_value(j);
	n = snprintf(b, sizeof(b), "%" PRId64, v);
	json_raw(j, b, (size_t)n);
}

void
json_bool(struct json *j, bool v)
{
	json_value(j);
	json_raw(j, v ? "true" : "false", v ? 4 : 5);
}

void
json_null(struct json *j)
{
	json_value(j);
	json_raw(j, "null", 4);
}

void
json_kstr(struct json *j, const char *k, const char *v)
{
	json_key(j, k);
	json_str(j, v);
}

void
json_kint(struct json *j, const char *k, int64_t v)
{
	json_key(j, k);
	json_int(j, v);
}

void
json_kbool(struct json *j, const char *k, bool v)
{
	json_key(j, k);
	json_bool(j, v);
}

int
json_finish(struct json *j)
{
	if (j->err == 0 && (j->depth != 0 || j->after_key))
		j->err = -1;
	return j->err;
}
