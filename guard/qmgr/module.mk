# guard/qmgr: the queue manager (mmguard-qmgr) and its scheduler.
LIB_SRCS	+= guard/qmgr/sched.c
PROGS		+= mmguard-qmgr
mmguard-qmgr_SRCS := guard/qmgr/qmgr.c
mmguard-qmgr_LIBS = $(SANDBOX_LIBS) -lcrypto
UNIT_SRCS	+= tests/unit/test_sched.c
# Scenario tests against the real daemon.
CHECKS		+= tests/scenario/check.sh
CHECKS		+= tests/scenario/crash.sh
BENCH_SCRIPTS	+= tests/bench/bench_pipeline.sh
# The verify role's work in one process, the pipeline bench's yardstick.
BENCHES		+= bench_inspect
bench_inspect_LIBS := -lcrypto
