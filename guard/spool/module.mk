# guard/spool: the durable spool (queue files, states as directories).
LIB_SRCS	+= guard/spool/spool.c
UNIT_SRCS	+= tests/unit/test_spool.c
FUZZERS		+= spool
