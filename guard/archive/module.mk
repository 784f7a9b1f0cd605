# The message archive: library, tool, tests, benchmark (see archive.h).
LIB_SRCS	+= guard/archive/archive.c
PROGS		+= mmguard-archive
mmguard-archive_SRCS := guard/archive/mmguard-archive.c
mmguard-archive_LIBS := -lsqlite3 -lcrypto
UNIT_SRCS	+= tests/unit/test_archive.c
UNIT_LIBS	+= -lsqlite3
BENCHES		+= bench_archive
bench_archive_LIBS := -lsqlite3 -lcrypto
CHECKS		+= tests/archive/check.sh
DEPS		+= libsqlite3-dev sqlite3

# The archive role (started by mmguardd).
PROGS		+= mmguard-archived
mmguard-archived_SRCS := guard/archive/archived.c
mmguard-archived_LIBS = $(SANDBOX_LIBS) -lsqlite3 -lcrypto
