# filters/x400/module.mk - the non-delivery report builder (the rest of the
# X.400 codec is listed in the top Makefile).
LIB_SRCS	+= filters/x400/ndr.c
UNIT_SRCS	+= tests/unit/test_ndr.c
CHECKS		+= tests/ndr/check.sh
FUZZERS		+= ndr
