# policy/module.mk - what the policy module adds to the build beyond the
# SPIF loader and label semantics the Makefile lists: the hardened XML read
# both parsers share, and STANAG 4774 XML confidentiality labels.
LIB_SRCS	+= policy/xmldoc.c policy/xmllabel.c
UNIT_SRCS	+= tests/unit/test_xmllabel.c
FUZZERS		+= xmllabel
CHECKS		+= tests/label/check.sh
