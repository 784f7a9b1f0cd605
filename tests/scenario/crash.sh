#!/bin/sh
# crash.sh - the guard under kill -9: while N messages (default 2,000) go
# through, random roles - and the supervisor itself - are killed with
# SIGKILL again and again, and the supervisor is started again when it
# is the one killed.  Afterwards every message must be in exactly one end
# state, none delivered twice, none delivered without a valid release
# token, and the audit log must verify.
#
#   crash.sh BUILD RESULTS [N]
#
# diode-rx itself is killed with SIGKILL only when CRASH_RX=1 (it has its
# own, smaller check: tests/scenario/crash-rx.sh).  A receiver killed
# outright loses the frames in its memory and socket buffer; what the
# sender had recorded as sent and the receiver had not delivered must then
# be reported lost on the low side - by id, or by session, stream and
# sequence, which the sender's record (the sent folder's diode-tx.log)
# maps to the id (guard/diode/diode.h, "Accounting across restarts").
#
# CRASH_VICTIMS, a pattern (grep -E) on the command lines of the roles,
# narrows the roles killed (the supervisor is still killed one time in
# five); CRASH_NAME names the run folder under BUILD (default crash).
set -u
build=$(cd "$1" && pwd); results=$2; total=${3:-2000}
bin=$build/bin
run=$build/${CRASH_NAME:-crash}
. tests/scenario/lib.sh
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
ko() { fail=$((fail + 1)); echo "  FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

guard_setup
mk crash releaser "A message that must survive." routine 1024
clone crash "$total"
guard_start
echo "crash: $total messages, roles killed at random meanwhile"

# Feed in batches; between batches kill something.
kills=0; sup_kills=0; sent=0
seq_kill() {
	pids=$(pgrep -P "$guard_pid" 2>/dev/null)
	[ -z "$pids" ] && return
	# One in five kills is the supervisor itself.
	if [ $((kills % 5)) = 4 ]; then
		kill -9 "$guard_pid" 2>/dev/null
		wait "$guard_pid" 2>/dev/null
		sup_kills=$((sup_kills + 1))
		sleep 0.3
		guard_start
	else
		if [ "${CRASH_RX:-0}" != 1 ]; then
			pids=$(for p in $pids; do
				case $(readlink /proc/$p/exe 2>/dev/null) in
				*/mmguard-diode-rx) ;;
				*) echo "$p" ;;
				esac
			done)
		fi
		if [ -n "${CRASH_VICTIMS:-}" ]; then
			pids=$(for p in $pids; do
				tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
				    grep -Eq "$CRASH_VICTIMS" && echo "$p"
			done)
		fi
		set -- $pids
		[ $# -gt 0 ] || return
		shift $(( $(od -An -N2 -tu2 /dev/urandom) % $# ))
		kill -9 "$1" 2>/dev/null
	fi
	kills=$((kills + 1))
}
k=1
while [ $k -le "$total" ]; do
	b=0
	while [ $b -lt 25 ] && [ $k -le "$total" ]; do
		drop "$run/msg/crash-$k.p1" "$run/high/outbound"
		k=$((k + 1)); b=$((b + 1))
	done
	seq_kill
	sleep 0.3
done
# Let it finish: nothing left to pick up, inspect or send.
i=0
while [ $i -lt 600 ]; do
	n_in=$(ls "$run/high/outbound" | wc -l)
	busy=$(ls "$run"/run/h2l/spool/incoming "$run"/run/h2l/spool/inspecting \
	    "$run"/run/h2l/spool/released 2>/dev/null | grep -vc ':$' || true)
	# Both ends of the channel up: a receiver killed last comes back
	# after a pause, and until the sender's new session names what the
	# one before it recorded as sent, that is not accounted for.
	tx=$(pgrep -f 'mmguard-diode-tx .*h2l' | head -1)
	[ "$n_in" = 0 ] && [ "$busy" -le 2 ] && [ -n "$tx" ] && break
	# A role killed last may still be coming back: nudge nothing, wait.
	sleep 0.5; i=$((i + 1))
done
sleep 3
guard_stop
echo "crash: $kills kills, $sup_kills of them the supervisor"

# Every message exactly once in the spool, in an end state.
ids=$(cd "$run/run/h2l/spool" && ls incoming inspecting held quarantined \
    released rejected sent delivered ndr 2>/dev/null | grep -v ':$' |
    grep -v '^$' | sort)
uniq_ids=$(echo "$ids" | sort -u | wc -l)
all_ids=$(echo "$ids" | wc -l)
check "no message is in two states ($all_ids files, $uniq_ids ids)" \
    '[ "$all_ids" = "$uniq_ids" ]'
check "every dropped message was accepted ($uniq_ids of $total)" \
    '[ "$uniq_ids" = "$total" ]'
notend=$(ls "$run"/run/h2l/spool/incoming "$run"/run/h2l/spool/inspecting \
    "$run"/run/h2l/spool/released 2>/dev/null | grep -v ':$' | grep -c . || true)
check "every message reached an end state ($notend still on its way)" \
    '[ "$notend" = 0 ]'
corrupt=$(ls "$run/run/h2l/spool/corrupt" | wc -l)
echo "  note $corrupt unfinished writes set aside (files of messages that were stored again)"
nsent=$(ls "$run/run/h2l/spool/sent" | wc -l)
nq=$(ls "$run/run/h2l/spool/quarantined" | wc -l)
echo "  note $nsent sent, $nq quarantined (inspection failures after repeated kills)"
delivered=$(ls "$run/low/inbound" | grep -v '\.meta$' | sort)
nd=$(echo "$delivered" | grep -c . || true)
nud=$(echo "$delivered" | sort -u | grep -c . || true)
check "nothing delivered twice ($nd delivered, $nud distinct)" '[ "$nd" = "$nud" ]'
# What was sent and is not on the low side must be reported there as
# lost, by id or by sequence (mapped to the id through the sender's
# record); what is there must be what was sent, byte for byte.
cmp_out=$("$build/tests/diode-testkit" compare "$run/run/h2l/sent" \
    "$run/low/inbound" --report "$run/run/h2l/rx/report.log" \
    --sent-log "$run/run/h2l/sent/diode-tx.log" 2>"$run/compare.log")
field() { echo "$cmp_out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
silent=$(field unreported)
check "everything sent was delivered or reported lost ($nsent sent, $nd delivered, $(field reported_by_id) reported lost by id, $(field reported_by_seq) by sequence, $silent unaccounted)" \
    '[ "$silent" = 0 ] && [ "$(field total)" = "$nsent" ]'
check "what was delivered is what was sent ($(field identical) identical, $(field differ) differ, $(field extra) not sent)" \
    '[ "$(field differ)" = 0 ] && [ "$(field extra)" = 0 ]'
nrx=$(grep -c "diode-rx h2l killed by signal 9" "$run/mmguardd.log" || true)
echo "  note diode-rx h2l killed $nrx times"
refused=$(grep -c "Z refused " "$run"/run/h2l/rx/report.log 2>/dev/null || true)
check "diode-rx refused no release token" '[ "$refused" = 0 ]'
check "every delivered message was released by the policy" '
	okd=1
	for d in $delivered; do
		[ -f "$run/run/h2l/spool/sent/$d" ] || okd=0
	done
	[ $okd = 1 ]'
# Every message that reached an end state is in the archive, whatever was
# killed meanwhile (qmgr keeps each hand-off linked in the spool's
# unarchived/ until the archive acknowledges it).
ended=$(cd "$run/run/h2l/spool" && ls sent held quarantined rejected ndr \
    2>/dev/null | grep -v ':$' | grep -v '^$' | sort -u)
archived=$("$bin/mmguard-archive" -d "$run/archive/archive.sqlite" search \
    --limit 0 2>/dev/null | cut -f2 | sort -u)
echo "$archived" >"$run/archived.ids"
unarchived=$(echo "$ended" | comm -23 - "$run/archived.ids" | grep -c . || true)
check "every message in an end state is archived ($(echo "$ended" | grep -c .) ended, $unarchived not in the archive)" \
    '[ "$unarchived" = 0 ]'
check "the audit log verifies" \
    '"$bin/mmguard-audit" verify "$run/audit" --pubkey "$run/etc/audit.pub" >"$run/verify.out" 2>&1 || grep -q "torn" "$run/verify.out"'

echo "$pass $fail" >"$results"
echo "crash: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
