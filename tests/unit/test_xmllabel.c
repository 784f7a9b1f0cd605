/*
 * test_xmllabel.c - STANAG 4774 XML labels: the parse of a full label and
 * of the name rules (collapse, case, lacvs, IntegerValue, BitStringValue);
 * XML to ESS through policy/examples/freedonia.xml with the DER pinned
 * where a round trip would not see a mistake; ESS to XML, its canonical
 * text, and the round trip both ways; the NATO-like SPIF's bitSetAttributes
 * informative tag; and every refusal with its file:line, element and
 * reason.  The public NATO SPIF sample is used when ../shared/fixtures/spif
 * (or $MMGUARD_FIXTURES) is present; the test says "skipped" when not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filters/cms/ess.h"
#include "guard/common/buf.h"
#include "policy/label.h"
#include "policy/spif.h"
#include "policy/xmllabel.h"
#include "tests/unit/unit.h"

#define FREEDONIA	"policy/examples/freedonia.xml"
#define NATOLIKE	"tests/data/label/spif-nato-like.xml"
#define FRE_POLICY	"2.999.4406.1"
#define FRE_COMP	"2.999.4406.2.1"
#define FRE_REL		"2.999.4406.2.2"
#define FRE_HANDLING	"2.999.4406.2.3"

#define HEAD	"<?xml version=\"1.0\"?>\n<ConfidentialityLabel xmlns=\"" \
		XMLLABEL_NS "\">\n<ConfidentialityInformation>\n"
#define TAIL	"</ConfidentialityInformation>\n</ConfidentialityLabel>\n"
#define POL	"<PolicyIdentifier>FREEDONIA</PolicyIdentifier>\n"
#define SECRET	"<Classification>SECRET</Classification>\n"

static char	err[1024];

static struct spif *
freedonia(void)
{
	struct spif	*s = spif_load_file(FREEDONIA, err, sizeof(err));

	CU_ASSERT_PTR_NOT_NULL(s);
	return s;
}

static struct xmllabel *
parse(const char *text)
{
	return xmllabel_parse(NULL, text, strlen(text), err, sizeof(err));
}

/* Parse and convert under s: 0, or -1 with err set. */
static int
to_ess(const struct spif *s, const char *text, struct xmllabel_ess *x)
{
	struct xmllabel	*l;
	int		 rc;

	memset(x, 0, sizeof(*x));
	if ((l = parse(text)) == NULL)
		return -1;
	rc = xmllabel_to_ess(s, l, x, err, sizeof(err));
	xmllabel_free(l);
	return rc;
}

/* The label must be refused with exactly this message. */
static void
refused(const struct spif *s, const char *text, const char *want)
{
	struct xmllabel_ess	x;

	CU_ASSERT_EQUAL(to_ess(s, text, &x), -1);
	CU_ASSERT_STRING_EQUAL(err, want);
	if (strcmp(err, want) != 0)
		printf("\n    got:  %s\n    want: %s\n", err, want);
	xmllabel_ess_free(&x);
}

static const struct ess_category *
cat_of(const struct ess_label *l, const char *tagset)
{
	unsigned	i;

	for (i = 0; i < l->ncats; i++)
		if (strcmp(l->cats[i].tag_name, tagset) == 0)
			return &l->cats[i];
	return NULL;
}

/* --- parse --------------------------------------------------------------- */

static void
test_parse_full(void)
{
	struct xmllabel	*l;

	l = xmllabel_parse_file("tests/data/label/freedonia-secret.xml", err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(l->root, "OriginatorConfidentialityLabel");
	CU_ASSERT_STRING_EQUAL(l->policy, "FREEDONIA");
	CU_ASSERT_STRING_EQUAL(l->policy_uri, "urn:oid:2.999.4406.1");
	CU_ASSERT_STRING_EQUAL(l->classification, "SECRET");
	CU_ASSERT_EQUAL(l->class_line, 10);
	CU_ASSERT_STRING_EQUAL(l->privacy_mark, "EXERCISE BLUE FALCON");
	CU_ASSERT_EQUAL_FATAL(l->ncats, 3);
	CU_ASSERT_STRING_EQUAL(l->cats[1].tag_name, "Releasable To");
	CU_ASSERT_EQUAL(l->cats[1].type, XMLLABEL_PERMISSIVE);
	CU_ASSERT_EQUAL_FATAL(l->cats[1].nvalues, 3);
	CU_ASSERT_STRING_EQUAL(l->cats[1].values[2].text, "FRE");
	CU_ASSERT_EQUAL(l->cats[1].values[2].line, 18);
	CU_ASSERT_EQUAL(l->cats[2].type, XMLLABEL_INFORMATIVE);
	CU_ASSERT_STRING_EQUAL(l->review, "2031-01-01T00:00:00Z");
	CU_ASSERT_STRING_EQUAL(l->originator, "officer@mod.fr-donia.example");
	CU_ASSERT_STRING_EQUAL(l->originator_type, "rfc822Name");
	CU_ASSERT_STRING_EQUAL(l->created, "2026-03-01T09:30:00.25+01:00");
	xmllabel_free(l);
}

/* Tokens are collapsed; the privacy mark is kept as written. */
static void
test_parse_text(void)
{
	struct xmllabel	*l;

	l = parse(HEAD "<PolicyIdentifier>\n  FREE\tDONIA \n"
	    "</PolicyIdentifier><Classification>TOP<!-- c --> "
	    "<![CDATA[ SECRET]]></Classification>"
	    "<PrivacyMark>  two  spaces &amp; &lt;more&gt; </PrivacyMark>"
	    "<Category TagName=\" Releasable \n To\" Type=\"PERMISSIVE\">"
	    "<GenericValue> GBR </GenericValue></Category>" TAIL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_STRING_EQUAL(l->policy, "FREE DONIA");
	CU_ASSERT_STRING_EQUAL(l->classification, "TOP SECRET");
	CU_ASSERT_STRING_EQUAL(l->privacy_mark,
	    "  two  spaces & <more> ");
	CU_ASSERT_STRING_EQUAL(l->cats[0].tag_name, "Releasable To");
	CU_ASSERT_STRING_EQUAL(l->cats[0].values[0].text, "GBR");
	xmllabel_free(l);
}

static void
test_parse_refusals(void)
{
	static const struct {
		const char	*text, *want;
	} t[] = {
		{ "<?xml version=\"1.0\"?>\n<ConfidentialityLabel "
		    "xmlns=\"urn:example\"/>",
		    "label:2: ConfidentialityLabel: root element not in "
		    "namespace " XMLLABEL_NS },
		{ "<?xml version=\"1.0\"?>\n<ConfidentialityInformation "
		    "xmlns=\"" XMLLABEL_NS "\"/>",
		    "label:2: ConfidentialityInformation: root element is "
		    "not a confidentiality label" },
		{ "<?xml version=\"1.0\"?>\n<!DOCTYPE x SYSTEM "
		    "\"http://example.org/x.dtd\">\n<x/>",
		    "label:2: DOCTYPE: DTD not allowed" },
		{ HEAD POL TAIL,
		    "label:3: ConfidentialityInformation: missing "
		    "Classification" },
		{ HEAD SECRET POL TAIL,
		    "label:5: PolicyIdentifier: out of order in "
		    "ConfidentialityInformation" },
		{ HEAD POL SECRET "<x:Note xmlns:x=\"urn:x\"/>\n" TAIL,
		    "label:6: Note: element not in the STANAG 4774 namespace "
		    "(in ConfidentialityInformation)" },
		{ HEAD POL SECRET "<Caveat/>\n" TAIL,
		    "label:6: Caveat: unknown element in "
		    "ConfidentialityInformation" },
		{ HEAD POL SECRET "<PrivacyMark>a</PrivacyMark>\n"
		    "<PrivacyMark>b</PrivacyMark>\n" TAIL,
		    "label:7: PrivacyMark: more than 1 in "
		    "ConfidentialityInformation" },
		{ HEAD POL SECRET "<PrivacyMark></PrivacyMark>\n" TAIL,
		    "label:6: PrivacyMark: empty" },
		{ HEAD "<PolicyIdentifier Version=\"2\">F</PolicyIdentifier>"
		    SECRET TAIL,
		    "label:4: PolicyIdentifier: unknown attribute Version" },
		{ HEAD "<PolicyIdentifier> </PolicyIdentifier>" SECRET TAIL,
		    "label:4: PolicyIdentifier: empty" },
		{ HEAD POL "<Classification>S<b/></Classification>" TAIL,
		    "label:5: Classification: text content expected (found "
		    "an element)" },
		{ HEAD POL SECRET "<Category Type=\"PERMISSIVE\">"
		    "<GenericValue>A</GenericValue></Category>" TAIL,
		    "label:6: Category: missing attribute TagName" },
		{ HEAD POL SECRET "<Category TagName=\"T\" Type=\"permissive\">"
		    "<GenericValue>A</GenericValue></Category>" TAIL,
		    "label:6: Category: attribute Type: \"permissive\" is not "
		    "PERMISSIVE, RESTRICTIVE or INFORMATIVE" },
		{ HEAD POL SECRET "<Category TagName=\"T\" Type=\"PERMISSIVE\">"
		    "</Category>" TAIL,
		    "label:6: Category: no value (GenericValue, IntegerValue "
		    "or BitStringValue)" },
		{ HEAD POL SECRET "<Category TagName=\"T\" Type=\"PERMISSIVE\">"
		    "<GenericValue>A</GenericValue>\n<GenericValue> A"
		    "</GenericValue></Category>" TAIL,
		    "label:7: GenericValue: \"A\" repeated (line 6)" },
		{ HEAD POL SECRET "<Category TagName=\"T\" Type=\"PERMISSIVE\">"
		    "<IntegerValue>4294967296</IntegerValue></Category>" TAIL,
		    "label:6: IntegerValue: \"4294967296\" is not an integer "
		    "below 2^32" },
		{ HEAD POL SECRET "<Category TagName=\"T\" Type=\"PERMISSIVE\">"
		    "<BitStringValue>0102</BitStringValue></Category>" TAIL,
		    "label:6: BitStringValue: \"0102\" is not a string of 0 "
		    "and 1" },
		{ "<ConfidentialityLabel xmlns=\"" XMLLABEL_NS "\" "
		    "ReviewDateTime=\"2030-02-30\"/>",
		    "label:1: ConfidentialityLabel: attribute ReviewDateTime: "
		    "\"2030-02-30\" is not an xs:dateTime" },
		{ HEAD POL SECRET TAIL "<x/>",
		    "label:8: xml: Extra content at the end of the document" },
		{ HEAD POL SECRET "</ConfidentialityInformation>\n"
		    "<CreationDateTime>2026-13-01T00:00:00Z</CreationDateTime>"
		    "\n</ConfidentialityLabel>",
		    "label:7: CreationDateTime: \"2026-13-01T00:00:00Z\" is "
		    "not an xs:dateTime" },
		{ HEAD POL SECRET "</ConfidentialityInformation>\n"
		    "<OriginatorID IDType=\"email\">a@b</OriginatorID>"
		    "\n</ConfidentialityLabel>",
		    "label:7: OriginatorID: attribute IDType: \"email\" is not "
		    "an ID type" },
	};
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_PTR_NULL(parse(t[i].text));
		CU_ASSERT_STRING_EQUAL(err, t[i].want);
		if (strcmp(err, t[i].want) != 0)
			printf("\n    %zu got:  %s\n      want: %s\n", i, err,
			    t[i].want);
	}
}

/* A document over the size cap is refused before libxml2 sees it. */
static void
test_parse_oversized(void)
{
	size_t	 n = XMLLABEL_MAX_SIZE + 1;
	char	*big = malloc(n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	CU_ASSERT_PTR_NULL(xmllabel_parse("big.xml", big, n, err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "big.xml:0: label: larger than 262144 "
	    "bytes");
	free(big);
}

/* Entities: only the predefined ones exist; another is not well-formed. */
static void
test_parse_entity(void)
{
	CU_ASSERT_PTR_NULL(parse(HEAD POL "<Classification>&secret;"
	    "</Classification>" TAIL));
	CU_ASSERT_STRING_EQUAL(err, "label:5: xml: Entity 'secret' not "
	    "defined");
}

/* Too many categories: the count is capped in the walk. */
static void
test_parse_too_many(void)
{
	struct buf	b;
	int		i;
	char		line[128];

	buf_init(&b, 1 << 20);
	buf_add(&b, HEAD POL SECRET, strlen(HEAD POL SECRET));
	for (i = 0; i <= XMLLABEL_MAX_CATS; i++) {
		snprintf(line, sizeof(line), "<Category TagName=\"T%d\" "
		    "Type=\"PERMISSIVE\"><IntegerValue>1</IntegerValue>"
		    "</Category>\n", i);
		buf_add(&b, line, strlen(line));
	}
	buf_add(&b, TAIL, sizeof(TAIL));
	CU_ASSERT_PTR_NULL(parse((const char *)b.data));
	CU_ASSERT_STRING_EQUAL(err, "label:70: Category: more than 64 in "
	    "ConfidentialityInformation");
	buf_free(&b);
}

/* --- XML to ESS ---------------------------------------------------------- */

/*
 * FREEDONIA SECRET, ALPHA, REL TO GBR and FRE, EXERCISE: the DER pinned
 * (a SET in DER order; the categories sorted as DER sorts a SET OF).
 */
static const char secret_der[] =
    "31 6c 02 01 04 06 05 88 37 a2 36 01"
    " 31 60"
    "  30 1c 80 0a 60 86 48 01 65 02 01 08 03 00"
    "   a1 0e 30 0c 06 06 88 37 a2 36 02 01 03 02 06 40"
    "  30 1d 80 0a 60 86 48 01 65 02 01 08 03 03"
    "   a1 0f 30 0d 06 06 88 37 a2 36 02 03 31 03 02 01 01"
    "  30 21 80 0a 60 86 48 01 65 02 01 08 03 01"
    "   a1 13 30 11 06 06 88 37 a2 36 02 02 31 07 02 01 01 02 02 03 3a";

static void
test_to_ess(void)
{
	struct spif			*s = freedonia();
	struct xmllabel_ess		 x;
	const struct ess_category	*c;
	uint8_t				 want[256];
	size_t				 n = unit_hex(secret_der, want,
					    sizeof(want));

	CU_ASSERT_EQUAL_FATAL(to_ess(s, HEAD POL SECRET
	    "<Category TagName=\"Releasable To\" Type=\"PERMISSIVE\">"
	    "<GenericValue>GBR</GenericValue>"
	    "<GenericValue>FRE</GenericValue></Category>"
	    "<Category TagName=\"Compartments\" Type=\"RESTRICTIVE\">"
	    "<GenericValue>ALPHA</GenericValue></Category>"
	    "<Category TagName=\"Handling\" Type=\"INFORMATIVE\">"
	    "<GenericValue>EXERCISE</GenericValue></Category>" TAIL, &x), 0);
	CU_ASSERT_EQUAL(x.der.len, n);
	CU_ASSERT(memcmp(x.der.data, want, n) == 0);
	CU_ASSERT(x.label.present);
	CU_ASSERT_STRING_EQUAL(x.label.policy, FRE_POLICY);
	CU_ASSERT_EQUAL(x.label.classification, 4);
	CU_ASSERT_PTR_NULL(x.label.privacy_mark.utf8);
	CU_ASSERT_EQUAL_FATAL(x.label.ncats, 3);
	c = cat_of(&x.label, FRE_REL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->syntax, ESS_ENUMERATED_PERMISSIVE);
	CU_ASSERT_EQUAL_FATAL(c->nvalues, 2);
	CU_ASSERT_EQUAL(c->values[0], 1);
	CU_ASSERT_EQUAL(c->values[1], 826);
	c = cat_of(&x.label, FRE_COMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->syntax, ESS_RESTRICTIVE_BITMAP);
	c = cat_of(&x.label, FRE_HANDLING);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->syntax, ESS_INFORMATIVE);
	xmllabel_ess_free(&x);
	spif_free(s);
}

/*
 * Names by case, a lacv for a GenericValue, IntegerValue and
 * BitStringValue, the policy by OID: the same label as by exact names.
 */
static void
test_to_ess_name_rules(void)
{
	struct spif		*s = freedonia();
	struct xmllabel_ess	 a, b;

	CU_ASSERT_EQUAL_FATAL(to_ess(s, HEAD POL SECRET
	    "<PrivacyMark>Caf\xc3\xa9</PrivacyMark>"
	    "<Category TagName=\"Compartments\" Type=\"RESTRICTIVE\">"
	    "<GenericValue>ALPHA</GenericValue>"
	    "<GenericValue>BRAVO</GenericValue></Category>"
	    "<Category TagName=\"Releasable To\" Type=\"PERMISSIVE\">"
	    "<GenericValue>NLD</GenericValue></Category>" TAIL, &a), 0);
	CU_ASSERT_EQUAL_FATAL(to_ess(s, HEAD
	    "<PolicyIdentifier URI=\"urn:oid:2.999.4406.1\">2.999.4406.1"
	    "</PolicyIdentifier><Classification>secret</Classification>"
	    "<PrivacyMark>Caf\xc3\xa9</PrivacyMark>"
	    "<Category TagName=\"RELEASABLE TO\" Type=\"PERMISSIVE\">"
	    "<IntegerValue>528</IntegerValue></Category>"
	    "<Category TagName=\"compartments\" Type=\"RESTRICTIVE\">"
	    "<BitStringValue>011</BitStringValue></Category>" TAIL, &b), 0);
	CU_ASSERT(ess_label_equal(&a.label, &b.label));
	CU_ASSERT_EQUAL(a.der.len, b.der.len);
	CU_ASSERT(a.der.len == b.der.len &&
	    memcmp(a.der.data, b.der.data, a.der.len) == 0);
	/* Not ASCII: written as a UTF8String. */
	CU_ASSERT_EQUAL(a.label.privacy_mark.cs, X400_CS_UTF8);
	CU_ASSERT_STRING_EQUAL(a.label.privacy_mark.utf8, "Caf\xc3\xa9");
	xmllabel_ess_free(&a);
	xmllabel_ess_free(&b);
	/* A decimal GenericValue is a lacv when no name matches. */
	CU_ASSERT_EQUAL(to_ess(s, HEAD POL SECRET
	    "<Category TagName=\"Releasable To\" Type=\"PERMISSIVE\">"
	    "<GenericValue>826</GenericValue></Category>" TAIL, &a), 0);
	CU_ASSERT_EQUAL(a.label.ncats, 1);
	CU_ASSERT(a.label.ncats == 1 && a.label.cats[0].values[0] == 826);
	xmllabel_ess_free(&a);
	spif_free(s);
}

/* The NATO-like SPIF's informative tag says bitSetAttributes. */
static void
test_to_ess_bitset(void)
{
	struct spif		*s;
	struct xmllabel_ess	 x;
	/* SEQUENCE { OID 1.3.26.1.4.3, BIT STRING 001001 } */
	static const char	 want[] = "30 0b 06 05 2b 1a 01 04 03 "
	    "03 02 02 24";
	uint8_t			 w[64];
	size_t			 n = unit_hex(want, w, sizeof(w));

	s = spif_load_file(NATOLIKE, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL_FATAL(to_ess(s, HEAD
	    "<PolicyIdentifier>NATO</PolicyIdentifier>" SECRET
	    "<Category TagName=\"Administrative\" Type=\"INFORMATIVE\">"
	    "<GenericValue>STAFF</GenericValue>"
	    "<GenericValue>COMMERCIAL</GenericValue></Category>" TAIL, &x), 0);
	CU_ASSERT_EQUAL_FATAL(x.label.ncats, 1);
	CU_ASSERT_EQUAL(x.label.cats[0].syntax, ESS_INFORMATIVE);
	CU_ASSERT_EQUAL(x.label.cats[0].valuelen, n);
	CU_ASSERT(x.label.cats[0].valuelen == n &&
	    memcmp(x.label.cats[0].value, w, n) == 0);
	xmllabel_ess_free(&x);
	spif_free(s);
}

static void
test_to_ess_refusals(void)
{
	struct spif	*s = freedonia();

	refused(s, HEAD "<PolicyIdentifier>NATO</PolicyIdentifier>" SECRET
	    TAIL, "label:4: PolicyIdentifier: \"NATO\" is not the policy of "
	    "the SPIF (FREEDONIA, 2.999.4406.1)");
	refused(s, HEAD "<PolicyIdentifier URI=\"urn:oid:1.3.26.1.3.1\">"
	    "FREEDONIA</PolicyIdentifier>" SECRET TAIL,
	    "label:4: PolicyIdentifier: URI urn:oid:1.3.26.1.3.1 does not "
	    "name the policy 2.999.4406.1");
	refused(s, HEAD POL "<Classification>COSMIC</Classification>" TAIL,
	    "label:5: Classification: \"COSMIC\": no such classification in "
	    "FREEDONIA");
	refused(s, HEAD POL SECRET "<Category TagName=\"Caveats\" "
	    "Type=\"RESTRICTIVE\"><GenericValue>A</GenericValue></Category>"
	    TAIL, "label:6: Category: TagName \"Caveats\": no such tag or tag "
	    "set in FREEDONIA");
	refused(s, HEAD POL SECRET "<Category TagName=\"Handling\" "
	    "Type=\"PERMISSIVE\"><GenericValue>A</GenericValue></Category>"
	    TAIL, "label:6: Category: TagName \"Handling\" is a tagType7 tag, "
	    "not PERMISSIVE");
	refused(s, HEAD POL SECRET "<Category TagName=\"Releasable To\" "
	    "Type=\"PERMISSIVE\">\n<GenericValue>USA</GenericValue>"
	    "</Category>" TAIL, "label:7: GenericValue: \"USA\": no such "
	    "category in tag Releasable To");
	refused(s, HEAD POL SECRET "<Category TagName=\"Releasable To\" "
	    "Type=\"PERMISSIVE\">\n<IntegerValue>840</IntegerValue>"
	    "</Category>" TAIL, "label:7: IntegerValue: lacv 840: no such "
	    "category in tag Releasable To");
	/* The same value by name and by lacv. */
	refused(s, HEAD POL SECRET "<Category TagName=\"Releasable To\" "
	    "Type=\"PERMISSIVE\"><GenericValue>GBR</GenericValue>\n"
	    "<IntegerValue>826</IntegerValue></Category>" TAIL,
	    "label:7: IntegerValue: GBR (lacv 826) repeated");
	refused(s, HEAD POL SECRET "<Category TagName=\"Handling\" "
	    "Type=\"INFORMATIVE\"><GenericValue>EXERCISE</GenericValue>"
	    "</Category>\n<Category TagName=\"HANDLING\" Type=\"INFORMATIVE\">"
	    "<GenericValue>PERSONAL</GenericValue></Category>" TAIL,
	    "label:7: Category: tag Handling of tag set Handling repeated "
	    "(line 6)");
	/* Names known, label not valid: singleSelection. */
	refused(s, HEAD POL SECRET "<Category TagName=\"Handling\" "
	    "Type=\"INFORMATIVE\"><GenericValue>EXERCISE</GenericValue>"
	    "<GenericValue>PERSONAL</GenericValue></Category>" TAIL,
	    "label:3: ConfidentialityInformation: not valid under FREEDONIA: "
	    "tag set 2.999.4406.2.3: 2 values where singleSelection allows "
	    "one");
	/* BRAVO requires a Releasable To category. */
	refused(s, HEAD POL SECRET "<Category TagName=\"Compartments\" "
	    "Type=\"RESTRICTIVE\"><GenericValue>BRAVO</GenericValue>"
	    "</Category>" TAIL, "label:3: ConfidentialityInformation: not "
	    "valid under FREEDONIA: BRAVO requires one or more of 1 "
	    "categories (tag set Releasable To), label has 0");
	spif_free(s);
}

/* --- ESS to XML ---------------------------------------------------------- */

static const char canon_secret[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ConfidentialityLabel xmlns=\"" XMLLABEL_NS "\">\n"
    "  <ConfidentialityInformation>\n"
    "    <PolicyIdentifier URI=\"urn:oid:2.999.4406.1\">FREEDONIA"
    "</PolicyIdentifier>\n"
    "    <Classification>SECRET</Classification>\n"
    "    <PrivacyMark>R&amp;D &lt;1&gt; &quot;x&quot;&#13;</PrivacyMark>\n"
    "    <Category TagName=\"Compartments\" Type=\"RESTRICTIVE\">\n"
    "      <GenericValue>ALPHA</GenericValue>\n"
    "    </Category>\n"
    "    <Category TagName=\"Releasable To\" Type=\"PERMISSIVE\">\n"
    "      <GenericValue>FRE</GenericValue>\n"
    "      <GenericValue>GBR</GenericValue>\n"
    "    </Category>\n"
    "  </ConfidentialityInformation>\n"
    "</ConfidentialityLabel>\n";

/* A category built by hand, as a decoder would fill it. */
#define ESS_CAT(oid, syn, tag, v, n)					\
	((struct ess_category){ .type = (oid), .syntax = (syn),		\
	    .tag_name = (tag), .values = (v), .nvalues = (n) })

static void
test_from_ess(void)
{
	static uint32_t		 rel[] = { 1, 826 }, comp[] = { 1 };
	struct spif		*s = freedonia();
	struct ess_category	 c[2];
	struct ess_label	 e;
	struct xmllabel_ess	 x;
	struct buf		 b;

	c[0] = ESS_CAT(ESS_OID_ENUMERATED_PERMISSIVE,
	    ESS_ENUMERATED_PERMISSIVE, FRE_REL, rel, 2);
	c[1] = ESS_CAT(ESS_OID_RESTRICTIVE_BITMAP, ESS_RESTRICTIVE_BITMAP,
	    FRE_COMP, comp, 1);
	memset(&e, 0, sizeof(e));
	e.present = true;
	e.policy = FRE_POLICY;
	e.classification = 4;
	e.privacy_mark.utf8 = "R&D <1> \"x\"\r";
	e.privacy_mark.len = strlen(e.privacy_mark.utf8);
	e.privacy_mark.cs = X400_CS_UTF8;
	e.cats = c;
	e.ncats = 2;
	buf_init(&b, 1 << 16);
	buf_add(&b, "prefix", 6);
	CU_ASSERT_EQUAL_FATAL(xmllabel_from_ess(s, &e, &b, err,
	    sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.len, 6 + strlen(canon_secret));
	CU_ASSERT(b.len == 6 + strlen(canon_secret) &&
	    memcmp(b.data + 6, canon_secret, b.len - 6) == 0);
	/* And back: the same label. */
	CU_ASSERT_EQUAL_FATAL(to_ess(s, canon_secret, &x), 0);
	CU_ASSERT(ess_label_equal(&e, &x.label));
	xmllabel_ess_free(&x);
	buf_free(&b);
	spif_free(s);
}

static void
test_from_ess_refusals(void)
{
	static uint32_t		 v[] = { 840 }, two[] = { 1, 2 };
	struct spif		*s = freedonia();
	struct ess_category	 c;
	struct ess_label	 e;
	struct buf		 b;

	memset(&e, 0, sizeof(e));
	e.present = true;
	e.policy = "1.3.26.1.3.1";
	e.classification = 4;
	buf_init(&b, 1 << 16);
	CU_ASSERT_EQUAL(xmllabel_from_ess(s, &e, &b, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "ESS label: not valid under FREEDONIA: "
	    "label policy 1.3.26.1.3.1 is not 2.999.4406.1 (FREEDONIA)");
	e.policy = FRE_POLICY;
	c = ESS_CAT(ESS_OID_ENUMERATED_PERMISSIVE, ESS_ENUMERATED_PERMISSIVE,
	    FRE_REL, v, 1);
	e.cats = &c;
	e.ncats = 1;
	CU_ASSERT_EQUAL(xmllabel_from_ess(s, &e, &b, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "ESS label: not valid under FREEDONIA: "
	    "lacv 840 unknown in tag set 2.999.4406.2.2 (enumerated "
	    "permissive)");
	c = ESS_CAT(ESS_OID_INFORMATIVE, ESS_INFORMATIVE, FRE_HANDLING, two,
	    2);
	CU_ASSERT_EQUAL(xmllabel_from_ess(s, &e, &b, err, sizeof(err)), -1);
	/* A privacy mark XML 1.0 cannot carry. */
	e.ncats = 0;
	e.privacy_mark.utf8 = "bell\a";
	e.privacy_mark.len = 5;
	CU_ASSERT_EQUAL(xmllabel_from_ess(s, &e, &b, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "ESS label: privacy mark holds "
	    "character 0x07, which XML 1.0 cannot carry");
	CU_ASSERT_EQUAL(b.len, 0);
	buf_free(&b);
	spif_free(s);
}

/* Every example label: XML -> ESS -> XML -> ESS gives the same label. */
static void
test_round_trip_examples(void)
{
	static const char *const f[] = { "freedonia-secret",
	    "freedonia-restricted", "nato-secret-rel", "nato-spif-sample" };
	struct spif		*fre = freedonia(), *nato, *s;
	struct xmllabel		*l;
	struct xmllabel_ess	 a, b;
	struct buf		 xml;
	char			 path[256];
	size_t			 i;

	nato = spif_load_file(NATOLIKE, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(nato);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		s = f[i][0] == 'n' ? nato : fre;
		snprintf(path, sizeof(path), "tests/data/label/%s.xml", f[i]);
		l = xmllabel_parse_file(path, err, sizeof(err));
		CU_ASSERT_PTR_NOT_NULL_FATAL(l);
		CU_ASSERT_EQUAL_FATAL(xmllabel_to_ess(s, l, &a, err,
		    sizeof(err)), 0);
		xmllabel_free(l);
		buf_init(&xml, 1 << 16);
		CU_ASSERT_EQUAL_FATAL(xmllabel_from_ess(s, &a.label, &xml,
		    err, sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(buf_add_byte(&xml, 0), 0);
		CU_ASSERT_EQUAL_FATAL(to_ess(s, (const char *)xml.data, &b),
		    0);
		CU_ASSERT(ess_label_equal(&a.label, &b.label));
		CU_ASSERT(a.der.len == b.der.len &&
		    memcmp(a.der.data, b.der.data, a.der.len) == 0);
		xmllabel_ess_free(&a);
		xmllabel_ess_free(&b);
		buf_free(&xml);
	}
	spif_free(nato);
	spif_free(fre);
}

/* The public NATO SPIF gives the same DER as the NATO-like one. */
static void
test_fixture_nato(void)
{
	const char		*dir = getenv("MMGUARD_FIXTURES");
	struct spif		*pub, *own;
	struct xmllabel		*l;
	struct xmllabel_ess	 a, b;
	char			 path[512];

	if (dir == NULL)
		dir = "../shared/fixtures/spif";
	snprintf(path, sizeof(path), "%s/nato-4774-policy.xml", dir);
	if (access(path, R_OK) != 0) {
		printf("\n    skipped: %s absent ", path);
		return;
	}
	pub = spif_load_file(path, err, sizeof(err));
	own = spif_load_file(NATOLIKE, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	CU_ASSERT_PTR_NOT_NULL_FATAL(own);
	l = xmllabel_parse_file("tests/data/label/nato-secret-rel.xml", err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(l);
	CU_ASSERT_EQUAL_FATAL(xmllabel_to_ess(pub, l, &a, err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL_FATAL(xmllabel_to_ess(own, l, &b, err, sizeof(err)),
	    0);
	CU_ASSERT(a.der.len == b.der.len &&
	    memcmp(a.der.data, b.der.data, a.der.len) == 0);
	xmllabel_ess_free(&a);
	xmllabel_ess_free(&b);
	xmllabel_free(l);
	spif_free(pub);
	spif_free(own);
}

static const struct unit_test tests[] = {
	{ "parse a full label", test_parse_full },
	{ "parse: tokens collapsed, mark kept", test_parse_text },
	{ "parse: refusals", test_parse_refusals },
	{ "parse: oversized", test_parse_oversized },
	{ "parse: undeclared entity", test_parse_entity },
	{ "parse: too many categories", test_parse_too_many },
	{ "to ESS: DER pinned", test_to_ess },
	{ "to ESS: name rules", test_to_ess_name_rules },
	{ "to ESS: informative bitSetAttributes", test_to_ess_bitset },
	{ "to ESS: refusals", test_to_ess_refusals },
	{ "from ESS: canonical text", test_from_ess },
	{ "from ESS: refusals", test_from_ess_refusals },
	{ "round trip of the examples", test_round_trip_examples },
	{ "public NATO SPIF agrees", test_fixture_nato },
	{ NULL, NULL }
};

UNIT_SUITE(xmllabel, "xmllabel", tests);
