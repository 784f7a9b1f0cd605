#!/bin/sh
# roles.sh - every role of the guard, started by the real supervisor, is
# killed the moment it makes a call its sandbox forbids, and the supervisor
# reports it.
#
#   sh tests/sandbox/roles.sh BUILD RESULTS
#
# For each CALL of open, socket and execve, mmguardd runs with a libexec
# folder of role-probe builds (BUILD/probe-CALL/, `make probes'): each role
# program enters its sandbox as usual and then makes CALL, raw
# (MMGUARD_SANDBOX_PROBE in guard/common/sandbox.c).  Each call takes three
# rounds: the roles, then diode-rx alone (a diode-tx starts only once its
# receiver listens, so the two are probed apart), each with the real audit
# role so that the supervisor's audit records can be read afterwards; then
# the core (qmgr and the audit role itself).  After a few seconds the guard is stopped and, for every
# role, the test checks that:
#   - mmguardd's log reports it killed by SIGSYS, a sandbox violation;
#   - it did not report its probe call as allowed (a probe that lives on
#     says so and exits 99);
#   - in the open and socket rounds, the audit log holds a
#     sandbox-violation record naming it, and the log verifies.
# Writes "passed failed" into RESULTS; exits non-zero on any failure.
set -u
build=$(cd "$1" && pwd)
results=$2
bin=$build/bin
run=$build/tests/roles-run
pass=0
fail=0
. tests/scenario/lib.sh

ok() { echo "roles: ok   $*"; pass=$((pass + 1)); }
bad() { echo "roles: FAIL $*"; fail=$((fail + 1)); }

# role name (as mmguardd and the audit log name it) and its program
roles="pickup:mmguard-pickup qmgr:mmguard-qmgr decode:mmguard-decode
verify:mmguard-verify policy:mmguard-policy diode-tx:mmguard-diode-tx
diode-rx:mmguard-diode-rx audit:mmguard-auditd archive:mmguard-archived"

# round_of NAME: the round in which a role (by name) is probed
round_of() {
	case $1 in
	qmgr|audit) echo core ;;
	diode-rx) echo receiver ;;
	*) echo roles ;;
	esac
}

# round_libexec CALL ROUND: the libexec folder of a round
round_libexec() {
	lx=$run/libexec
	mkdir -p "$lx"
	for r in $roles; do
		prog=${r#*:}
		if [ "$(round_of "${r%%:*}")" = "$2" ]; then
			ln -s "$build/probe-$1/$prog" "$lx/$prog"
		else
			ln -s "$bin/$prog" "$lx/$prog"
		fi
	done
	echo "libexec $lx" >>"$run/etc/mmguardd.conf"
}

for call in ${ROLES_CALLS:-open socket execve}; do
	if [ ! -d "$build/probe-$call" ]; then
		bad "$call: $build/probe-$call missing (make probes)"
		continue
	fi
	for round in roles receiver core; do
		guard_setup
		round_libexec "$call" "$round"
		guard_start
		sleep 3
		guard_stop
		log=$run/mmguardd.log
		if grep -q "sandbox probe: $call was not refused" "$log"; then
			bad "$call ($round): a role was allowed $call:" \
			    "$(grep "sandbox probe" "$log" | sort -u | head -3)"
		fi
		for r in $roles; do
			name=${r%%:*}
			[ "$(round_of "$name")" = "$round" ] || continue
			if [ "$name:$call" = archive:open ]; then
				if grep -q "^mmguardd: archive exited with status 98" "$log" &&
				    grep -q "sqlite: sandbox probe: open refused by Landlock" "$log"; then
					ok "$call: archive refused by Landlock (its profile opens the store's files)"
				else
					bad "$call: archive refused by Landlock"
				fi
				continue
			fi
			if grep -q "^mmguardd: $name[ a-z2]* killed by signal 31 (a forbidden system call: sandbox violation)" "$log"; then
				ok "$call: $name killed, reported as a sandbox violation"
			else
				bad "$call: $name killed, reported as a sandbox violation"
			fi
			[ "$round" = core ] && continue
			if "$bin/mmguard-audit" show "$run/audit" \
			    --event sandbox-violation 2>/dev/null |
			    grep -Eq "process=$name(-| )"; then
				ok "$call: the audit log records $name's violation"
			else
				bad "$call: the audit log records $name's violation"
			fi
		done
		if [ "$round" != core ]; then
			if "$bin/mmguard-audit" verify "$run/audit" \
			    --pubkey "$run/etc/audit.pub" >/dev/null 2>&1; then
				ok "$call: the audit log verifies"
			else
				bad "$call: the audit log verifies"
			fi
		fi
	done
done
rm -rf "$run"
echo "roles: $pass passed, $fail failed"
echo "$pass $fail" >"$results"
[ "$fail" -eq 0 ]
