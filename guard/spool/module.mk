# guard/spool/module.mk - the durable spool.
LIB_SRCS	+= guard/spool/spool.c guard/qmgr/sched.c
UNIT_SRCS	+= tests/unit/test_spool.c tests/unit/test_sched.c
FUZZERS		+= spool
