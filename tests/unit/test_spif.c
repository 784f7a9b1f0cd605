/*
 * test_spif.c - the Open XML SPIF loader and the label semantics: the
 * public samples load or are refused with file:line and element; each rule
 * of the loader refused by a small broken SPIF written here; and validity,
 * dominance per tag type, equivalence mapping and markings under the
 * project's own example policy (policy/examples/freedonia.xml).
 *
 * Tests of the public samples pass with a "skipped:" note when
 * ../shared/fixtures/spif/ is absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filters/cms/ess.h"
#include "policy/label.h"
#include "policy/spif.h"
#include "tests/unit/unit.h"

#define FIXTURES	"../shared/fixtures/spif"
#define FREEDONIA	"policy/examples/freedonia.xml"
#define FRE_POLICY	"2.999.4406.1"
#define FRE_COMP	"2.999.4406.2.1"
#define FRE_REL		"2.999.4406.2.2"
#define FRE_HANDLING	"2.999.4406.2.3"
#define NATO_POLICY	"1.3.26.1.3.1"

static char	err[1024];

static bool
fixtures(void)
{
	if (access(FIXTURES, R_OK) == 0)
		return true;
	printf("\n    skipped: %s absent ", FIXTURES);
	return false;
}

static struct spif *
load_text(const char *text)
{
	return spif_load("t.xml", text, strlen(text), err, sizeof(err));
}

static void
test_fixture_nato_example(void)
{
	struct spif			*s;
	const struct spif_tagset	*ts;
	const struct spif_tag		*t;
	const struct spif_category	*c;

	if (!fixtures())
		return;
	s = spif_load_file(FIXTURES "/NATO-SPIF-example.xml", err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->id, NATO_POLICY);
	CU_ASSERT_STRING_EQUAL(s->name, "NATO");
	CU_ASSERT_STRING_EQUAL(s->schema_version, "1.0");
	CU_ASSERT_EQUAL(s->nclasses, 4);
	CU_ASSERT_STRING_EQUAL(spif_class_by_lacv(s, 4)->name, "NATO SECRET");
	ts = spif_tagset_by_id(s, "1.3.26.1.4.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	t = spif_tag_by_type(ts, SPIF_TAG_ENUM_PERMISSIVE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	c = spif_category(t, 40);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "AUT");
	CU_ASSERT_STRING_EQUAL(c->phrase, "Austria (AUT)");
	ts = spif_tagset_by_id(s, "1.3.26.1.4.1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ts);
	CU_ASSERT_EQUAL(ts->ntags, 1);
	spif_free(s);
}

static void
test_fixture_nato_4774(void)
{
	struct spif	*s;
	struct label	 l;
	uint32_t	 rel[] = { 528, 826 }, ctx = 1001;
	char		 m[256];

	if (!fixtures())
		return;
	s = spif_load_file(FIXTURES "/nato-4774-policy.xml", err,
	    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->schema_version, "2.1");
	CU_ASSERT_EQUAL(s->ntagsets, 5);
	CU_ASSERT_STRING_EQUAL(spif_class_by_lacv(s, 5)->phrase, "COSMIC");
	label_init(&l);
	label_set_policy(&l, NATO_POLICY);
	l.classification = 4;
	CU_ASSERT_EQUAL(label_add(&l, "1.3.26.1.4.2",
	    SPIF_TAG_ENUM_PERMISSIVE, rel, 2), 0);
	CU_ASSERT_EQUAL(label_add(&l, "1.3.26.1.4.4", SPIF_TAG_PERMISSIVE,
	    &ctx, 1), 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(label_marking(s, &l, m, sizeof(m)), 0);
	CU_ASSERT_STRING_EQUAL(m, "NATO SECRET Releasable to Netherlands, "
	    "United Kingdom NATO");
	l.classification = 5;	/* Releasable To excluded at TOP SECRET */
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "NLD excluded at TOP SECRET");
	label_free(&l);
	spif_free(s);
}

static void
test_fixture_acme_refused(void)
{
	if (!fixtures())
		return;
	CU_ASSERT_PTR_NULL(spif_load_file(FIXTURES "/ACME-SPIF-example.xml",
	    err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, FIXTURES "/ACME-SPIF-example.xml:48: "
	    "equivalentSecCategoryTag: element not in the SPIF namespace "
	    "(in tagCategory)");
}

static void
test_fixture_uk_refused(void)
{
	if (!fixtures())
		return;
	CU_ASSERT_PTR_NULL(spif_load_file(FIXTURES "/uk-demo.xml", err,
	    sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, FIXTURES "/uk-demo.xml:23: "
	    "securityClassifications: out of order: must come before "
	    "equivalentPolicies");
}

/* ------------------------------------------------------------------ */
/* Hand-written broken SPIFs. */

#define HEAD \
    "<SPIF xmlns=\"http://www.xmlspif.org/spif\" schemaVersion=\"2.1\"" \
    " creationDate=\"20260101000000Z\" originatorDN=\"CN=T\"" \
    " keyIdentifier=\"0\" privilegeId=\"1.2.3\" rbacId=\"1.2.4\">\n"
#define POLICY	"<securityPolicyId name=\"T\" id=\"2.999.1\"/>\n"
#define CLASSES \
    "<securityClassifications>\n" \
    "<securityClassification name=\"U\" lacv=\"1\" hierarchy=\"1\"/>\n" \
    "<securityClassification name=\"S\" lacv=\"4\" hierarchy=\"4\"/>\n" \
    "</securityClassifications>\n"
#define TAIL	"</SPIF>\n"

static void
test_minimal_loads(void)
{
	struct spif	*s;

	s = load_text(HEAD POLICY CLASSES TAIL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(s->nclasses, 2);
	CU_ASSERT_EQUAL(s->ntagsets, 0);
	spif_free(s);
}

static void
refused(const char *text, const char *want)
{
	CU_ASSERT_PTR_NULL(load_text(text));
	CU_ASSERT_STRING_EQUAL(err, want);
	if (strcmp(err, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", err, want);
}

static void
test_dtd_refused(void)
{
	refused("<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE SPIF [ <!ENTITY x \"SECRET\"> ]>\n"
	    HEAD POLICY CLASSES TAIL, "t.xml:2: DOCTYPE: DTD not allowed");
	/* An entity without a DTD is not well-formed. */
	refused(HEAD "<securityPolicyId name=\"&x;\" id=\"2.999.1\"/>\n"
	    CLASSES TAIL, "t.xml:2: xml: Entity 'x' not defined");
}

static void
test_malformed_refused(void)
{
	refused(HEAD POLICY CLASSES, "t.xml:7: xml: Premature end of data in "
	    "tag SPIF line 1");
	refused("<SPIF/>", "t.xml:1: SPIF: root element is not SPIF in "
	    "namespace http://www.xmlspif.org/spif");
}

static void
test_unknown_element(void)
{
	refused(HEAD POLICY "<colour/>\n" CLASSES TAIL,
	    "t.xml:3: colour: unknown element in SPIF");
	refused(HEAD POLICY CLASSES "<extensions><x:y xmlns:x=\"urn:x\"/>"
	    "<markingData/></extensions>\n" TAIL,
	    "t.xml:7: markingData: unknown element in extensions");
}

static void
test_duplicate_lacv(void)
{
	refused(HEAD POLICY "<securityClassifications>\n"
	    "<securityClassification name=\"U\" lacv=\"1\" hierarchy=\"1\"/>\n"
	    "<securityClassification name=\"S\" lacv=\"1\" hierarchy=\"4\"/>\n"
	    "</securityClassifications>\n" TAIL,
	    "t.xml:5: securityClassification: lacv 1 not unique");
	refused(HEAD POLICY CLASSES "<securityCategoryTagSets>\n"
	    "<securityCategoryTagSet name=\"A\" id=\"2.999.1.1\">\n"
	    "<securityCategoryTag tagType=\"restrictive\">\n"
	    "<tagCategory name=\"X\" lacv=\"3\"/>\n"
	    "<tagCategory name=\"Y\" lacv=\"3\"/>\n"
	    "</securityCategoryTag></securityCategoryTagSet>\n"
	    "</securityCategoryTagSets>\n" TAIL,
	    "t.xml:11: tagCategory: lacv 3 not unique in tag set A "
	    "(restrictive)");
}

static void
test_bad_oid(void)
{
	refused(HEAD "<securityPolicyId name=\"T\" id=\"3.1\"/>\n" CLASSES
	    TAIL, "t.xml:2: securityPolicyId: attribute id: \"3.1\" is not "
	    "an OID");
	refused(HEAD "<securityPolicyId name=\"T\" id=\"1..2\"/>\n" CLASSES
	    TAIL, "t.xml:2: securityPolicyId: attribute id: \"1..2\" is not "
	    "an OID");
}

static void
test_missing_attribute(void)
{
	refused("<SPIF xmlns=\"http://www.xmlspif.org/spif\" "
	    "schemaVersion=\"2.1\" creationDate=\"x\" originatorDN=\"CN=T\" "
	    "keyIdentifier=\"0\" privilegeId=\"1.2.3\">" POLICY CLASSES TAIL,
	    "t.xml:1: SPIF: missing attribute rbacId");
	refused(HEAD POLICY "<securityClassifications>\n"
	    "<securityClassification name=\"U\" lacv=\"1\"/>\n"
	    "</securityClassifications>\n" TAIL,
	    "t.xml:4: securityClassification: missing attribute hierarchy");
	refused(HEAD POLICY "<securityClassifications>\n"
	    "<securityClassification name=\"U\" lacv=\"one\" hierarchy=\"1\"/>"
	    "\n</securityClassifications>\n" TAIL,
	    "t.xml:4: securityClassification: attribute lacv: \"one\" is not "
	    "an integer in -9223372036854775807..9223372036854775807");
	refused(HEAD POLICY "<securityClassifications/>\n" TAIL,
	    "t.xml:3: securityClassifications: missing "
	    "securityClassification");
}

static void
test_wrong_order(void)
{
	refused(HEAD CLASSES POLICY TAIL, "t.xml:6: securityPolicyId: out of "
	    "order: must come before securityClassifications");
	refused(HEAD POLICY POLICY CLASSES TAIL, "t.xml:3: securityPolicyId: "
	    "more than 1 in SPIF");
}

static void
test_references(void)
{
	refused(HEAD POLICY CLASSES "<securityCategoryTagSets>\n"
	    "<securityCategoryTagSet name=\"A\" id=\"2.999.1.1\">\n"
	    "<securityCategoryTag tagType=\"restrictive\">\n"
	    "<tagCategory name=\"X\" lacv=\"3\">"
	    "<excludedClass>TS</excludedClass></tagCategory>\n"
	    "</securityCategoryTag></securityCategoryTagSet>\n"
	    "</securityCategoryTagSets>\n" TAIL,
	    "t.xml:10: excludedClass: no classification \"TS\"");
	refused(HEAD POLICY CLASSES "<securityCategoryTagSets>\n"
	    "<securityCategoryTagSet name=\"A\" id=\"2.999.1.1\">\n"
	    "<securityCategoryTag tagType=\"restrictive\">\n"
	    "<tagCategory name=\"X\" lacv=\"3\"><requiredCategory>\n"
	    "<categoryGroup tagSetRef=\"B\" tagType=\"permissive\"/>\n"
	    "</requiredCategory></tagCategory>\n"
	    "</securityCategoryTag></securityCategoryTagSet>\n"
	    "</securityCategoryTagSets>\n" TAIL,
	    "t.xml:11: categoryGroup: tagSetRef \"B\": no such tag set");
	refused(HEAD POLICY CLASSES "<securityCategoryTagSets>\n"
	    "<securityCategoryTagSet name=\"A\" id=\"2.999.1.1\">\n"
	    "<securityCategoryTag tagType=\"enumerated\"/>\n"
	    "</securityCategoryTagSet>\n"
	    "</securityCategoryTagSets>\n" TAIL,
	    "t.xml:9: securityCategoryTag: tagType enumerated without "
	    "enumType");
}

static void
test_oversize(void)
{
	size_t	 n = SPIF_MAX_SIZE + 1;
	char	*big = calloc(1, n);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', n);
	CU_ASSERT_PTR_NULL(spif_load("big.xml", big, n, err, sizeof(err)));
	CU_ASSERT_STRING_EQUAL(err, "big.xml:0: SPIF: larger than 8388608 "
	    "bytes");
	free(big);
}

/* ------------------------------------------------------------------ */
/* Label semantics under the Freedonia example. */

static struct spif *
freedonia(void)
{
	struct spif	*s;

	s = spif_load_file(FREEDONIA, err, sizeof(err));
	if (s == NULL)
		fprintf(stderr, "\n%s\n", err);
	return s;
}

static void
make_label(struct label *l, int64_t cls, const uint32_t *comp, size_t nc,
    const uint32_t *rel, size_t nr)
{
	label_init(l);
	label_set_policy(l, FRE_POLICY);
	l->classification = cls;
	if (nc > 0)
		CU_ASSERT_EQUAL(label_add(l, FRE_COMP, SPIF_TAG_RESTRICTIVE,
		    comp, nc), 0);
	if (nr > 0)
		CU_ASSERT_EQUAL(label_add(l, FRE_REL,
		    SPIF_TAG_ENUM_PERMISSIVE, rel, nr), 0);
}

static void
test_example_loads(void)
{
	struct spif	*s = freedonia();

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->id, FRE_POLICY);
	CU_ASSERT_EQUAL(s->nclasses, 5);
	CU_ASSERT_EQUAL(s->ntagsets, 3);
	CU_ASSERT_STRING_EQUAL(spif_policy_id(s, "NATO"), NATO_POLICY);
	/* Sorted by lacv whatever the document order. */
	CU_ASSERT_EQUAL(s->tagsets[1].tags[0].cats[2].lacv, 826);
	spif_free(s);
}

static void
test_label_valid(void)
{
	struct spif	*s = freedonia();
	struct label	 l;
	uint32_t	 alpha = 1, bravo = 2, gbr = 826, bad = 7, two[] = {
	    1, 2 }, pers = 2, nld = 528;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_label(&l, 4, &alpha, 1, &gbr, 1);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), 0);
	l.classification = 1;
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "ALPHA excluded at UNCLASSIFIED");
	l.classification = 9;
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "classification 9 unknown in FREEDONIA");
	label_free(&l);

	make_label(&l, 4, &bad, 1, NULL, 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "lacv 7 unknown in tag set "
	    FRE_COMP " (restrictive)");
	label_free(&l);

	/* requiredCategory: BRAVO needs a Releasable To value. */
	make_label(&l, 4, &bravo, 1, NULL, 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "BRAVO requires one or more of 1 "
	    "categories (tag set Releasable To), label has 0");
	CU_ASSERT_EQUAL(label_add(&l, FRE_REL, SPIF_TAG_ENUM_PERMISSIVE,
	    &gbr, 1), 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), 0);

	/* Wrong tag type for the tag set. */
	CU_ASSERT_EQUAL(label_add(&l, FRE_REL, SPIF_TAG_PERMISSIVE, &gbr, 1),
	    0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "tag set " FRE_REL " (Releasable To) has "
	    "no permissive tag");
	label_free(&l);

	/* singleSelection and excludedCategory on the informative set. */
	make_label(&l, 4, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(label_add(&l, FRE_HANDLING, SPIF_TAG_INFORMATIVE, two,
	    2), 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "tag set " FRE_HANDLING ": 2 values where "
	    "singleSelection allows one");
	label_free(&l);
	make_label(&l, 4, NULL, 0, &nld, 1);
	CU_ASSERT_EQUAL(label_add(&l, FRE_HANDLING, SPIF_TAG_INFORMATIVE,
	    &pers, 1), 0);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "NLD excludes tag set Handling");
	label_set_policy(&l, NATO_POLICY);
	CU_ASSERT_EQUAL(label_valid(s, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "label policy " NATO_POLICY " is not "
	    FRE_POLICY " (FREEDONIA)");
	label_free(&l);
	spif_free(s);
}

static void
test_label_dominates(void)
{
	struct spif	*s = freedonia();
	struct label	 clr, l;
	uint32_t	 both[] = { 1, 2 }, alpha = 1, rel[] = { 1, 826 },
			 nld = 528, gbr = 826, info = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_label(&clr, 4, &alpha, 1, rel, 2);

	/* Restrictive: every value must be held. */
	make_label(&l, 3, &alpha, 1, NULL, 0);
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), 0);
	label_free(&l);
	make_label(&l, 3, both, 2, NULL, 0);
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "clearance lacks restrictive 2 of tag set "
	    FRE_COMP);
	label_free(&l);

	/* Permissive: one value is enough. */
	make_label(&l, 4, NULL, 0, &nld, 1);
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "clearance holds none of the permissive "
	    "values of tag set " FRE_REL);
	CU_ASSERT_EQUAL(label_add(&l, FRE_REL, SPIF_TAG_ENUM_PERMISSIVE, &gbr,
	    1), 0);
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), 0);

	/* Informative: ignored. */
	CU_ASSERT_EQUAL(label_add(&l, FRE_HANDLING, SPIF_TAG_INFORMATIVE,
	    &info, 1), 0);
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), 0);

	/* Hierarchy. */
	l.classification = 5;
	CU_ASSERT_EQUAL(label_dominates(s, &clr, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "clearance SECRET below TOP SECRET");
	label_free(&l);
	label_free(&clr);
	spif_free(s);
}

static void
test_label_map(void)
{
	struct spif	*s = freedonia();
	struct label	 l, out, back;
	uint32_t	 comp[] = { 1, 2 }, rel[] = { 528, 826 }, fre = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_label(&l, 4, comp, 2, rel, 2);
	label_set_privacy_mark(&l, "EXERCISE");
	CU_ASSERT_EQUAL_FATAL(label_map(s, LABEL_MAP_OUT, NATO_POLICY, &l,
	    &out, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(out.policy, NATO_POLICY);
	CU_ASSERT_EQUAL(out.classification, 4);
	CU_ASSERT_STRING_EQUAL(out.privacy_mark, "EXERCISE");
	CU_ASSERT_EQUAL_FATAL(out.ncats, 2);
	/* ALPHA maps, BRAVO is discarded. */
	CU_ASSERT_STRING_EQUAL(out.cats[0].tagset, "1.3.26.1.4.1");
	CU_ASSERT_EQUAL(out.cats[0].nvalues, 1);
	CU_ASSERT_EQUAL(out.cats[0].values[0], 1);
	CU_ASSERT_EQUAL(out.cats[1].type, SPIF_TAG_ENUM_PERMISSIVE);
	CU_ASSERT_EQUAL(out.cats[1].nvalues, 2);
	CU_ASSERT_EQUAL(out.cats[1].values[1], 826);

	/* And back in: BRAVO's entry is encrypt only, so it stays out. */
	CU_ASSERT_EQUAL_FATAL(label_map(s, LABEL_MAP_IN, NATO_POLICY, &out,
	    &back, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(back.policy, FRE_POLICY);
	CU_ASSERT_EQUAL(back.classification, 4);
	CU_ASSERT_EQUAL(back.ncats, 2);
	CU_ASSERT_EQUAL(label_valid(s, &back, err, sizeof(err)), 0);
	label_free(&back);
	label_free(&out);

	/* TOP SECRET may only be mapped inwards (decrypt). */
	l.classification = 5;
	CU_ASSERT_EQUAL(label_map(s, LABEL_MAP_OUT, NATO_POLICY, &l, &out,
	    err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "TOP SECRET has no equivalent in policy "
	    NATO_POLICY);
	label_free(&l);

	/* FRE has no NATO equivalent: the mapping fails closed. */
	make_label(&l, 4, NULL, 0, &fre, 1);
	CU_ASSERT_EQUAL(label_map(s, LABEL_MAP_OUT, NATO_POLICY, &l, &out,
	    err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "FRE has no equivalent in policy "
	    NATO_POLICY);
	label_free(&l);

	/* Inwards, NATO CONFIDENTIAL (encrypt only here) does not map. */
	label_init(&l);
	label_set_policy(&l, NATO_POLICY);
	l.classification = 3;
	CU_ASSERT_EQUAL(label_map(s, LABEL_MAP_IN, NATO_POLICY, &l, &out,
	    err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "classification 3 of " NATO_POLICY
	    " has no equivalent in FREEDONIA");
	l.classification = 5;
	CU_ASSERT_EQUAL(label_map(s, LABEL_MAP_IN, NATO_POLICY, &l, &out,
	    err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(out.classification, 5);
	label_free(&out);
	label_free(&l);
	spif_free(s);
}

static void
test_label_marking(void)
{
	struct spif	*s = freedonia();
	struct label	 l;
	uint32_t	 alpha = 1, rel[] = { 1, 528, 826 };
	char		 m[128], small[16];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	make_label(&l, 4, &alpha, 1, rel + 1, 2);
	CU_ASSERT_EQUAL(label_marking(s, &l, m, sizeof(m)), 0);
	CU_ASSERT_STRING_EQUAL(m, "FREEDONIA SECRET ALPHA REL TO NLD, GBR");
	label_free(&l);
	make_label(&l, 1, NULL, 0, rel, 1);
	label_set_privacy_mark(&l, "MEDICAL");
	CU_ASSERT_EQUAL(label_marking(s, &l, m, sizeof(m)), 0);
	CU_ASSERT_STRING_EQUAL(m, "FREEDONIA UNCLASSIFIED REL TO FREEDONIA "
	    "MEDICAL");
	CU_ASSERT_EQUAL(label_marking(s, &l, small, sizeof(small)), -1);
	CU_ASSERT_STRING_EQUAL(small, "");
	l.classification = 8;
	CU_ASSERT_EQUAL(label_marking(s, &l, m, sizeof(m)), -1);
	label_free(&l);
	spif_free(s);
}

static void
test_label_from_ess(void)
{
	struct ess_label	 e;
	struct ess_category	 c[2];
	uint32_t		 v1[] = { 826, 528 }, v2[] = { 1 };
	struct label		 l;

	memset(&e, 0, sizeof(e));
	memset(c, 0, sizeof(c));
	e.present = true;
	e.policy = (char *)(uintptr_t)FRE_POLICY;
	e.classification = 4;
	c[0].type = (char *)(uintptr_t)ESS_OID_ENUMERATED_PERMISSIVE;
	c[0].syntax = ESS_ENUMERATED_PERMISSIVE;
	c[0].tag_name = (char *)(uintptr_t)FRE_REL;
	c[0].values = v1;
	c[0].nvalues = 2;
	c[1].type = (char *)(uintptr_t)ESS_OID_RESTRICTIVE_BITMAP;
	c[1].syntax = ESS_RESTRICTIVE_BITMAP;
	c[1].tag_name = (char *)(uintptr_t)FRE_COMP;
	c[1].values = v2;
	c[1].nvalues = 1;
	e.cats = c;
	e.ncats = 2;
	CU_ASSERT_EQUAL_FATAL(label_from_ess(&e, &l, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(l.policy, FRE_POLICY);
	CU_ASSERT_EQUAL(l.classification, 4);
	CU_ASSERT_PTR_NULL(l.privacy_mark);
	CU_ASSERT_EQUAL_FATAL(l.ncats, 2);
	CU_ASSERT_EQUAL(l.cats[0].type, SPIF_TAG_ENUM_PERMISSIVE);
	CU_ASSERT_EQUAL(l.cats[0].values[0], 528);	/* sorted */
	CU_ASSERT_EQUAL(l.cats[1].type, SPIF_TAG_RESTRICTIVE);
	label_free(&l);
	c[1].syntax = ESS_OTHER;
	c[1].type = (char *)(uintptr_t)"1.2.3.4";
	CU_ASSERT_EQUAL(label_from_ess(&e, &l, err, sizeof(err)), -1);
	CU_ASSERT_STRING_EQUAL(err, "category type 1.2.3.4 not known");
	e.classification = X400_ABSENT;
	e.ncats = 1;
	CU_ASSERT_EQUAL(label_from_ess(&e, &l, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(l.classification, LABEL_NO_CLASS);
	label_free(&l);
}

static const struct unit_test tests[] = {
	{ "fixture NATO example loads", test_fixture_nato_example },
	{ "fixture NATO 4774 loads", test_fixture_nato_4774 },
	{ "fixture ACME refused", test_fixture_acme_refused },
	{ "fixture UK demo refused", test_fixture_uk_refused },
	{ "minimal SPIF loads", test_minimal_loads },
	{ "DTD refused", test_dtd_refused },
	{ "malformed XML refused", test_malformed_refused },
	{ "unknown element refused", test_unknown_element },
	{ "duplicate lacv refused", test_duplicate_lacv },
	{ "bad OID refused", test_bad_oid },
	{ "missing attribute refused", test_missing_attribute },
	{ "wrong order refused", test_wrong_order },
	{ "dangling references refused", test_references },
	{ "oversize refused", test_oversize },
	{ "example policy loads", test_example_loads },
	{ "label validity", test_label_valid },
	{ "label dominance", test_label_dominates },
	{ "label mapping", test_label_map },
	{ "label marking", test_label_marking },
	{ "label from ESS", test_label_from_ess },
	{ NULL, NULL }
};
UNIT_SUITE(spif, "spif", tests);
