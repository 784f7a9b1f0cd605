/*
 * xmldoc.h - untrusted XML read with libxml2 the one way the policy code
 * reads it: the SPIF loader (spif.c) and the STANAG 4774 label parser
 * (xmllabel.c) share it, so that both documents meet the same locks.
 *
 * The locks: a size cap checked before parsing; no network (NONET); no
 * DTD loading, no default attributes from a DTD, no validation, no entity
 * substitution (none of DTDLOAD, DTDATTR, DTDVALID, NOENT); and a document
 * that has a DOCTYPE at all is refused, since without a DTD the only
 * entities left are the five predefined ones and character references,
 * which libxml2 inlines.  libxml2's own messages are captured as the first
 * error, never printed.
 *
 * Errors are "file:line: element: reason", the element being "xml" for a
 * well-formedness fault and "DOCTYPE" for a DTD.
 */
#ifndef MMGUARD_XMLDOC_H
#define MMGUARD_XMLDOC_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/*
 * The first error of a read or of a walk over the tree, written as
 * "file:line: element: reason" into buf; later ones are dropped, so that
 * the reason given is the one that stopped the work.  Both functions
 * return -1, for "return xmldoc_errnode(...)".
 */
struct xmldoc_err {
	const char	*file;
	char		*buf;
	size_t		 len;
	bool		 failed;
};

void	 xmldoc_err_init(struct xmldoc_err *, const char *file, char *buf,
	    size_t len);
int	 xmldoc_errline(struct xmldoc_err *, long line, const char *elem,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int	 xmldoc_errnode(struct xmldoc_err *, const xmlNode *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parse len bytes named file (for messages); what names the document in
 * the size message ("SPIF", "label").  NULL with err set on any fault.
 * The caller frees the document with xmlFreeDoc().
 */
xmlDoc	*xmldoc_read(const char *file, const char *what, const void *,
	    size_t len, size_t max, char *err, size_t errlen);

/* The element is in namespace ns. */
bool	 xmldoc_in_ns(const xmlNode *, const char *ns);

/* Only XML white space (space, tab, CR, LF). */
bool	 xmldoc_blank(const char *);

/* The SPIF schema's oid pattern, [0-2](\.[0-9]+)+, at most max bytes. */
bool	 xmldoc_oid_ok(const char *, size_t max);

/*
 * An unqualified attribute's value (NULL: absent).  -1 when its value is
 * not one text node (an entity reference was left in it).
 */
int	 xmldoc_attr(const xmlNode *, const char *name, const char **out);

#endif
