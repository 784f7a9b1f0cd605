#!/bin/sh
# mkusers.sh - the guard's system users: one group PREFIX and one user per
# role, PREFIX-ROLE, whose primary group it is (mmguardd's `users PREFIX').
# Idempotent: what exists is left as it is.  Run as root, by `make install'
# and by the tests that run the guard as root.
#
#   sh guard/mmguardd/mkusers.sh [PREFIX]      (default _mmguard)
#
# The users have no home, no shell and no password: nobody logs in as
# them; mmguardd starts each role as root and the role drops to its user
# before it reads anything untrusted.
set -eu
prefix=${1:-_mmguard}
roles="pickup qmgr decode verify policy diode-tx diode-rx audit archive"
nologin=/usr/sbin/nologin
[ -x "$nologin" ] || nologin=/bin/false
if ! getent group "$prefix" >/dev/null; then
	groupadd --system "$prefix"
	echo "mkusers: group $prefix"
fi
for r in $roles; do
	u=$prefix-$r
	if ! getent passwd "$u" >/dev/null; then
		useradd --system --gid "$prefix" --no-create-home \
		    --home-dir /nonexistent --shell "$nologin" \
		    --comment "mmguard $r role" "$u"
		echo "mkusers: user $u"
	fi
done
