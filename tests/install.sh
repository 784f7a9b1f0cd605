#!/bin/sh
# install.sh - `make install' into a staging folder (DESTDIR), and the
# installed guard runs: its supervisor from sbin starts the roles from
# libexec/mmguard, as root each under its own user (the users `make
# install' creates on the machine itself; here guard/mmguardd/mkusers.sh
# via tests/scenario/lib.sh, the same script).
#
#   sh tests/install.sh BUILD RESULTS
set -u
build=$(cd "$1" && pwd)
results=$2
pass=0
fail=0
ok() { echo "install: ok   $*"; pass=$((pass + 1)); }
bad() { echo "install: FAIL $*"; fail=$((fail + 1)); }
check() { name=$1; shift; if eval "$@"; then ok "$name"; else bad "$name"; fi; }

dest=$build/tests/install-root
rm -rf "$dest"
check "make install DESTDIR=... PREFIX=/usr" \
    'make -s install DESTDIR="$dest" PREFIX=/usr >"$build/tests/install.log" 2>&1'
for f in usr/sbin/mmguardd usr/sbin/mmguardctl usr/bin/mmguard-audit \
    usr/bin/mmguard-archive usr/bin/mmguard-msg \
    usr/libexec/mmguard/mmguard-qmgr usr/libexec/mmguard/mmguard-auditd \
    usr/libexec/mmguard/mmguard-diode-rx; do
	check "installed $f" '[ -x "$dest/$f" ]'
done
check "no role program in bin or sbin" \
    '! ls "$dest/usr/bin" "$dest/usr/sbin" | grep -q "qmgr\|pickup\|auditd"'
check "the example configuration names the roles' folder and users" \
    'grep -q "^libexec[[:space:]]*/usr/libexec/mmguard$" "$dest/etc/mmguard/mmguardd.conf" &&
     grep -q "^users[[:space:]]*_mmguard$" "$dest/etc/mmguard/mmguardd.conf"'

# The installed programs run: the test guard with libexec pointing there.
bin=$build/bin
run=$build/tests/install-run
. tests/scenario/lib.sh
guard_setup
echo "libexec $dest/usr/libexec/mmguard" >>"$run/etc/mmguardd.conf"
check "the installed mmguardd accepts the configuration" \
    '"$dest/usr/sbin/mmguardd" -n -c "$run/etc/mmguardd.conf" >/dev/null 2>&1'
"$dest/usr/sbin/mmguardd" -c "$run/etc/mmguardd.conf" 2>>"$run/mmguardd.log" &
guard_pid=$!
i=0
while [ ! -S "$MMGUARD_CONTROL" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
check "its roles run from libexec/mmguard" \
    'for p in $(pgrep -P $guard_pid); do readlink /proc/$p/exe; done |
     grep -q "^$dest/usr/libexec/mmguard/mmguard-qmgr$"'
check "mmguardctl status answers" \
    '"$dest/usr/sbin/mmguardctl" status | grep -q "qmgr"'
if [ "$(id -u)" = 0 ]; then
	check "as root, each role under its own user" \
	    'n=$(for p in $(pgrep -P $guard_pid); do awk "/^Uid:/{print \$2}" /proc/$p/status; done | sort -u | wc -l); [ "$n" -ge 7 ]'
fi
guard_stop
rm -rf "$dest" "$run"
echo "install: $pass passed, $fail failed"
echo "$pass $fail" >"$results"
[ "$fail" -eq 0 ]
