/*
 * xmldoc.c - the hardened libxml2 read shared by the policy parsers (see
 * xmldoc.h for the locks and why).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "policy/xmldoc.h"

void
xmldoc_err_init(struct xmldoc_err *e, const char *file, char *buf,
    size_t len)
{
	memset(e, 0, sizeof(*e));
	e->file = file;
	e->buf = buf;
	e->len = len;
	if (len > 0)
		buf[0] = '\0';
}

static void
xmldoc_verr(struct xmldoc_err *e, long line, const char *elem,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void
xmldoc_verr(struct xmldoc_err *e, long line, const char *elem,
    const char *fmt, va_list ap)
{
	int	n;

	if (e->failed)
		return;
	e->failed = true;
	if (e->len == 0)
		return;
	n = snprintf(e->buf, e->len, "%s:%ld: %s: ", e->file, line, elem);
	if (n >= 0 && (size_t)n < e->len)
		vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
}

int
xmldoc_errline(struct xmldoc_err *e, long line, const char *elem,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	xmldoc_verr(e, line, elem, fmt, ap);
	va_end(ap);
	return -1;
}

int
xmldoc_errnode(struct xmldoc_err *e, const xmlNode *n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	xmldoc_verr(e, xmlGetLineNo(n), (const char *)n->name, fmt, ap);
	va_end(ap);
	return -1;
}

/* libxml2's own errors become the first error of the read. */
static void
xmldoc_xml_error(void *arg, xmlErrorPtr e)
{
	struct xmldoc_err	*c = arg;
	char			 msg[256];
	size_t			 n;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message :
	    "malformed XML");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	xmldoc_errline(c, e->line, "xml", "%s", msg);
}

static void
xmldoc_quiet(void *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
}

/* The line of "<!DOCTYPE" in the input, for the message; 0 if not found. */
static long
xmldoc_doctype_line(const char *p, size_t len)
{
	static const char	 tag[] = "<!DOCTYPE";
	long			 line = 1;
	size_t			 i;

	for (i = 0; i + sizeof(tag) - 1 <= len; i++) {
		if (memcmp(p + i, tag, sizeof(tag) - 1) == 0)
			return line;
		if (p[i] == '\n')
			line++;
	}
	return 0;
}

xmlDoc *
xmldoc_read(const char *file, const char *what, const void *buf,
    size_t len, size_t max, char *err, size_t errlen)
{
	struct xmldoc_err	 c;
	xmlStructuredErrorFunc	 oserror = xmlStructuredError;
	void			*osctx = xmlStructuredErrorContext;
	xmlGenericErrorFunc	 ogerror = xmlGenericError;
	void			*ogctx = xmlGenericErrorContext;
	xmlDoc			*doc;

	xmldoc_err_init(&c, file, err, errlen);
	if (len > max || len > INT_MAX) {
		xmldoc_errline(&c, 0, what, "larger than %zu bytes", max);
		return NULL;
	}

	/*
	 * No XML_PARSE_NOENT (it substitutes entities), no DTDLOAD, DTDATTR
	 * or DTDVALID; NONET as a second lock.  libxml2's messages are ours.
	 */
	xmlSetStructuredErrorFunc(&c, xmldoc_xml_error);
	xmlSetGenericErrorFunc(NULL, xmldoc_quiet);
	doc = xmlReadMemory(buf, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_BIG_LINES);
	xmlSetStructuredErrorFunc(osctx, oserror);
	xmlSetGenericErrorFunc(ogctx, ogerror);

	if (doc == NULL || c.failed) {
		xmldoc_errline(&c, 0, "xml", "not well-formed XML");
		goto fail;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		xmldoc_errline(&c, xmldoc_doctype_line(buf, len), "DOCTYPE",
		    "DTD not allowed");
		goto fail;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		xmldoc_errline(&c, 0, "xml", "no root element");
		goto fail;
	}
	return doc;
 fail:
	if (doc != NULL)
		xmlFreeDoc(doc);
	return NULL;
}

bool
xmldoc_in_ns(const xmlNode *n, const char *ns)
{
	return n->ns != NULL && n->ns->href != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

bool
xmldoc_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

bool
xmldoc_oid_ok(const char *s, size_t max)
{
	size_t	digits;

	if (strlen(s) > max || *s < '0' || *s > '2')
		return false;
	s++;
	if (*s == '\0')
		return false;
	while (*s != '\0') {
		if (*s++ != '.')
			return false;
		for (digits = 0; *s >= '0' && *s <= '9'; s++)
			digits++;
		if (digits == 0)
			return false;
	}
	return true;
}

int
xmldoc_attr(const xmlNode *n, const char *name, const char **out)
{
	const xmlAttr	*a;

	*out = NULL;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL || strcmp((const char *)a->name, name) != 0)
			continue;
		if (a->children == NULL) {
			*out = "";
			return 0;
		}
		if (a->children->type != XML_TEXT_NODE ||
		    a->children->next != NULL)
			return -1;
		*out = (const char *)a->children->content;
		return 0;
	}
	return 0;
}
