#!/bin/sh
# check.sh - scenario tests against the real daemon (mmguardd and every
# role), each result a line; writes "passed failed" into RESULTS.
#
#   check.sh BUILD RESULTS
#
# Scenarios: sample traffic reaches its expected end states; a held
# message released by an officer crosses and is delivered; a quarantined
# one rejected by an officer gets its report; a policy loaded mid-traffic
# decides what follows (and is audited); every confined role runs with
# its sandbox (seccomp, no new privileges, no capabilities, its own user
# when started as root), the one-way channel's sender and receiver too;
# diode-tx refuses a release token changed in its outbox (the message is
# quarantined with the reason, audited) and a message nobody released;
# a verify worker killed with a message in hand is replaced and the
# message still ends well; every process records its own events (each
# kind of event is found in the log, from the process that saw it:
# pickup, decode, verify, policy, qmgr, diode-tx, diode-rx, archive,
# mmguardd), also while the audit role restarts; an officer rotates the
# audit key (also with a key of their own, and across a crash between the
# rotation and the key file's replacement); the audit log verifies from
# the first public key.
set -u
build=$(cd "$1" && pwd); results=$2
bin=$build/bin
run=$build/scenario
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
ko() { fail=$((fail + 1)); echo "  FAIL $1"; }
check() { if eval "$2"; then ok "$1"; else ko "$1"; fi; }

. tests/scenario/lib.sh
guard_setup
etc=$run/etc
# Into the high side's pickup folder, by name.
put() { drop "$run/msg/$1.p1" "$run/high/outbound"; }

# Wait up to 20 s for a message to reach one of the states.
wait_state() { # NAME STATE...
	name=$1; shift
	i=0
	while [ $i -lt 100 ]; do
		st=$(where "$name" | cut -d' ' -f1)
		for s in "$@"; do [ "$st" = "$s" ] && return 0; done
		sleep 0.2; i=$((i + 1))
	done
	echo "    ($name is \"$st\", wanted $*)"
	return 1
}

mk clean releaser "Situation normal."
mk leak releaser "Operation Nightfall begins."
mk held originator "Signed by the originator only."
mk unsigned - "No signature."
mk later releaser "Grid reference 12 34, grid reference 56 78."
mk crash-victim releaser "Inspected while its worker dies." immediate
mk tampered releaser "Its release token is changed in the outbox."
mk audit-gap releaser "Accepted while the audit role restarts."
mk rejected-in-audit-gap - "Rejected while the audit role restarts."
mk archive-gap - "Rejected while the archive role restarts."
mk unarchived-held originator "Rejected by an officer, then qmgr dies."
mk unarchived - "Rejected, then qmgr dies before the archive stored it."
mk rotated releaser "Sent after the audit key changed."
mk rx-gap releaser "Released while the receiver restarts."
mk burst - "One of a burst."
mk paused - "One of many that end while the archive role is paused."
mk flash-behind releaser "FLASH behind a burst." flash
clone burst 1500
clone paused 400

# An archived message past the policy's retention (365 days): the archive
# role purges it at start, and records that.
mkdir -p "$run/archive"
"$bin/mmguard-archive" -d "$run/archive/archive.sqlite" add \
    "$run/msg/clean.p1" --id OLD-1 --verdict released \
    --time 2020-01-01T00:00:00Z >/dev/null
[ $root = 1 ] && chown -R _mmguard-archive:_mmguard "$run/archive"
cp "$etc/audit.pem" "$etc/audit-first.pem"

guard_start
pid=$guard_pid
sleep 0.5

echo "scenario: sample traffic"
for m in clean leak held unsigned; do put $m; done
check "a clean signed message is released and sent" 'wait_state clean sent'
check "a leakage hit is quarantined" 'wait_state leak quarantined'
check "a message without a release authority is held" 'wait_state held held'
check "an unsigned message is rejected and reported" 'wait_state unsigned ndr'
check "the clean message is delivered on the low side" \
    'sleep 1; [ "$(ls "$run/low/inbound" | grep -vc "\.meta$")" -ge 1 ]'
check "the report of the unsigned message is in the high side's folder" \
    '[ -n "$(ls "$run/high/reports")" ]'

echo "scenario: officers"
hid=$(where held | cut -d' ' -f2)
lid=$(where leak | cut -d' ' -f2)
check "release without a reason is refused" \
    '! "$bin/mmguardctl" release "$hid" --officer Smith --reason "" >/dev/null 2>&1'
check "an officer releases the held message" \
    '"$bin/mmguardctl" release "$hid" --officer Smith --reason "approved by the release authority" >/dev/null'
check "the released message crosses" 'wait_state held sent'
check "an officer rejects the quarantined message" \
    '"$bin/mmguardctl" reject "$lid" --officer Jones --reason "leak confirmed" >/dev/null'
check "the rejected message gets its report" 'wait_state leak ndr'
check "show tells the officer's action" \
    '"$bin/mmguardctl" show "$hid" | grep -q "officer actions: 1"'
check "an unknown id is refused" \
    '! "$bin/mmguardctl" show 20200101T000000Z-0000000000000000 >/dev/null'

echo "scenario: policy load mid-traffic"
sed 's/threshold="10"/threshold="5"/' "$etc/guard.xml" >"$etc/guard-strict.xml"
check "a stricter policy loads" \
    '"$bin/mmguardctl" policy load "$etc/guard-strict.xml" --officer Carter | grep -q "loaded"'
check "a broken policy is refused" \
    '! "$bin/mmguardctl" policy load "$etc/nato.xml" --officer Carter >/dev/null 2>&1'
sleep 2
put later
check "the new threshold quarantines what the old one released" \
    'wait_state later quarantined'

echo "scenario: sandboxes"
ndiode=0
for p in $(pgrep -P "$pid"); do
	exe=$(basename "$(readlink /proc/$p/exe)")
	case $exe in
	mmguard-diode-tx|mmguard-diode-rx)
		ndiode=$((ndiode + 1)) ;;
	esac
	st=/proc/$p/status
	sec=$(awk '/^Seccomp:/{print $2}' "$st")
	nnp=$(awk '/^NoNewPrivs:/{print $2}' "$st")
	cap=$(awk '/^CapEff:/{print $2}' "$st")
	uid=$(awk '/^Uid:/{print $2}' "$st")
	want_uid=$(id -u)
	if [ $root = 1 ]; then
		# each role its own user: _mmguard-ROLE
		role=${exe#mmguard-}
		case $role in auditd) role=audit ;; archived) role=archive ;; esac
		want_uid=$(id -u "_mmguard-$role")
	fi
	check "$exe (pid $p): Seccomp 2, NoNewPrivs 1, CapEff 0, uid $want_uid" \
	    '[ "$sec" = 2 ] && [ "$nnp" = 1 ] && [ "$cap" = 0000000000000000 ] && [ "$uid" = "$want_uid" ]'
done
check "diode-tx and diode-rx of both directions among them ($ndiode)" \
    '[ "$ndiode" = 4 ]'

# dropfile ID PREC DIGIT BODY DIR: a drop file (guard/diode/diode.h) of
# BODY into diode-tx's drop folder DIR, its token 64 times DIGIT (not a
# token the policy made), as the folder's owner, written under a dot name
# and renamed.
dropfile() {
	{
		printf 'MMGD1\nid: %s\nprecedence: %s\ntoken: %064d\n' "$1" \
		    "$2" "$3"
		printf 'length: %s\n\n' "$(wc -c <"$4" | tr -d ' ')"
		cat "$4"
	} >"$5/.$1"
	chown "$(stat -c %u:%g "$5")" "$5/.$1"
	mv "$5/.$1" "$5/$1"
}

echo "scenario: diode-tx checks the release token"
outbox=$run/run/h2l/outbox
txp=$(for p in $(pgrep -P "$pid"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
	    grep -q 'mmguard-diode-tx .*h2l' && echo "$p"; done)
# While the sender is stopped, a released message waits in the outbox;
# its token is changed there (one hex digit), then the sender goes on.
kill -STOP "$txp"
put tampered
check "a message is released while diode-tx is stopped" \
    'wait_state tampered released'
tid=$(where tampered | cut -d' ' -f2)
python3 - "$outbox/$tid" <<'PY'
import os, sys
p = sys.argv[1]
b = open(p, "rb").read()
end = b.index(b"\n\n")		# the drop file's header ends there
i = b.index(b"\ntoken: ", 0, end) + 8
b = b[:i] + (b"1" if b[i:i + 1] != b"1" else b"2") + b[i + 1:]
open(p + ".new", "wb").write(b)
st = os.stat(p)
os.chown(p + ".new", st.st_uid, st.st_gid)
os.chmod(p + ".new", st.st_mode & 0o777)
os.rename(p + ".new", p)
PY
# And a message nobody released, written straight into the outbox.
printf 'Not released by anyone.\n' >"$run/forged-1.body"
dropfile FORGED-1 FLASH 7 "$run/forged-1.body" "$outbox"
kill -CONT "$txp"
check "the tampered message is quarantined, not sent" \
    'wait_state tampered quarantined'
check "the reason says diode-tx refused its token" \
    '"$bin/mmguardctl" show "$tid" | grep -q "diode-tx refused it: its release token"'
check "the outbox keeps nothing of it" \
    '[ ! -e "$outbox/$tid" ] && [ ! -e "$outbox/$tid.refused" ]'
check "the forged message is set aside in the outbox, not sent" \
    'sleep 1; [ -e "$outbox/FORGED-1.refused" ] && [ ! -e "$outbox/FORGED-1" ] && [ ! -e "$run/run/h2l/sent/FORGED-1" ]'
check "neither reached the low side" \
    '! grep -rqs "Its release token is changed\|Not released by anyone" "$run/low/inbound"'
check "diode-tx raised an alarm for each and recorded the refusals" \
    '[ "$(grep -c "mmguard-diode-tx: ALARM .*refused, not sent" "$run/mmguardd.log")" = 2 ] && [ "$(grep -c " refused id=" "$run/run/h2l/sent/diode-tx.log")" = 2 ]'

echo "scenario: diode-rx dies; diode-tx waits for the new one"
# The supervisor restarts a crashed diode-rx after a pause, and starts a
# new sending session with it: only once the new receiver listens, or
# what is released meanwhile would be sent into nothing and only reported
# lost (guard/diode/diode.h, "Accounting across restarts").
rxp() { for p in $(pgrep -P "$pid"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null |
	    grep -q "mmguard-$1 .*h2l" && echo "$p"; done; }
rx0=$(rxp diode-rx)
kill -9 "$rx0"
put rx-gap
check "a message released while diode-rx is down is delivered, not lost" \
    'wait_state rx-gap sent && rgid=$(where rx-gap | cut -d" " -f2) && i=0; while [ $i -lt 50 ] && [ ! -e "$run/low/inbound/$rgid" ]; do sleep 0.2; i=$((i + 1)); done; [ -e "$run/low/inbound/$rgid" ] && ! grep -q "id=$rgid " "$run/run/h2l/rx/report.log"'
# /proc/PID/stat field 22: the process's start, in clock ticks since boot
started() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $20 }'; }
rx1=$(rxp diode-rx); tx1=$(rxp diode-tx)
check "the new diode-tx started after the new diode-rx" \
    '[ -n "$rx1" ] && [ -n "$tx1" ] && [ "$rx1" != "$rx0" ] && [ "$(started "$tx1")" -ge "$(started "$rx1")" ]'

echo "scenario: a worker dies with a message in hand"
vp=$(for p in $(pgrep -P "$pid"); do
	case $(basename "$(readlink /proc/$p/exe)") in mmguard-verify)
		echo "$p" ;; esac; done)
put crash-victim
for p in $vp; do kill -9 "$p" 2>/dev/null; done
check "the message still ends well" 'wait_state crash-victim sent'
check "the supervisor restarted the killed workers" \
    'grep -q "verify high-to-low.*killed by signal 9\|verify h2l killed by signal 9" "$run/mmguardd.log"'
check "status shows the restarts" \
    '"$bin/mmguardctl" status | grep -q "verify .*restarts [1-9]"'

child() { # PROGRAM: the first pid of a role program under mmguardd
	for p in $(pgrep -P "$pid"); do
		[ "$(basename "$(readlink /proc/$p/exe)")" = "$1" ] &&
		    echo "$p" && return
	done
}

echo "scenario: alarms and violations"
# A message in diode-tx's outbox with a token the policy never made:
# refused by diode-tx, and the alarm names it.
forged=20260101T000000Z-00000000000000ff
dropfile "$forged" ROUTINE 0 "$run/msg/clean.p1" "$run/run/h2l/outbox"
check "diode-tx refuses a message with a forged token (diode-rx's own check: tests/diode/check.sh)" \
    'i=0; while [ $i -lt 50 ] && [ ! -e "$run/run/h2l/outbox/$forged.refused" ]; do sleep 0.2; i=$((i + 1)); done; [ -e "$run/run/h2l/outbox/$forged.refused" ] && [ ! -e "$run/low/inbound/$forged" ]'
# SIGSYS is what the kernel's seccomp filter kills a role with.
dp=$(child mmguard-decode)
kill -SYS "$dp"
check "a role killed by SIGSYS is restarted" \
    'sleep 1.5; [ -n "$(child mmguard-decode)" ] && grep -q "decode h2l killed by signal 31\|decode l2h killed by signal 31" "$run/mmguardd.log"'

echo "scenario: the audit role restarts"
ap=$(child mmguard-auditd)
kill -9 "$ap"
put audit-gap
put rejected-in-audit-gap
check "a message accepted while the audit role is down crosses" \
    'wait_state audit-gap sent'
check "one rejected meanwhile is reported" 'wait_state rejected-in-audit-gap ndr'
arp=$(child mmguard-archived)
kill -9 "$arp"
put archive-gap
check "a message rejected while the archive role is down is reported" \
    'wait_state archive-gap ndr'
check "the archive role is back" 'i=0; while [ $i -lt 50 ] && { [ -z "$(child mmguard-archived)" ] || [ "$(child mmguard-archived)" = "$arp" ]; }; do sleep 0.2; i=$((i + 1)); done; [ -n "$(child mmguard-archived)" ] && [ "$(child mmguard-archived)" != "$arp" ]'
check "the new archive role acknowledged every hand-off" \
    'acked() { [ "$("$bin/mmguardctl" status | grep -c "archive: 0 awaiting acknowledgement$")" = 2 ]; }; i=0; while [ $i -lt 50 ] && ! acked; do sleep 0.2; i=$((i + 1)); done; acked'
check "the audit role is back" '[ -n "$(child mmguard-auditd)" ] && [ "$(child mmguard-auditd)" != "$ap" ]'

echo "scenario: qmgr dies with archive hand-offs unacknowledged"
put unarchived-held
check "a message waits for a release authority" 'wait_state unarchived-held held'
uhid=$(where unarchived-held | cut -d' ' -f2)
# The archive role stopped: what qmgr hands it stays unacknowledged.
arp=$(child mmguard-archived)
kill -STOP "$arp"
check "an officer rejects it" \
    '"$bin/mmguardctl" reject "$uhid" --officer Brown --reason "not for release" >/dev/null'
put unarchived
check "another is rejected" 'wait_state unarchived ndr'
uid=$(where unarchived | cut -d' ' -f2)
check "both hand-offs wait in the spool, linked in unarchived/" \
    '[ -n "$uid" ] && [ -e "$run/run/h2l/spool/unarchived/$uid" ] && [ -e "$run/run/h2l/spool/unarchived/$uhid" ]'
# qmgr dies holding them; then the archive role, with the frames it never
# read: only the spool knows of them now.
for p in $(pgrep -P "$pid"); do
	[ "$(basename "$(readlink /proc/$p/exe)")" = mmguard-qmgr ] &&
	    tr '\0' ' ' <"/proc/$p/cmdline" | grep -q h2l && qp=$p
done
kill -9 "$qp"
sleep 0.3
kill -9 "$arp"
check "qmgr and the archive role are back" 'i=0; while [ $i -lt 50 ] && { [ -z "$(child mmguard-archived)" ] || [ "$(child mmguard-archived)" = "$arp" ]; }; do sleep 0.2; i=$((i + 1)); done; [ -n "$(child mmguard-archived)" ] && [ "$(child mmguard-archived)" != "$arp" ]'
check "the new qmgr handed them again and the archive stored them" \
    'i=0; while [ $i -lt 50 ] && [ -n "$(ls "$run/run/h2l/spool/unarchived")" ]; do sleep 0.2; i=$((i + 1)); done; [ -z "$(ls "$run/run/h2l/spool/unarchived")" ] && "$bin/mmguard-archive" -d "$run/archive/archive.sqlite" show "$uid" 2>/dev/null | grep -qi "rejected"'
check "the archive has the officer's rejection of the other, with the officer and the reason" \
    '"$bin/mmguard-archive" -d "$run/archive/archive.sqlite" show "$uhid" 2>/dev/null | grep -q "guard.officer.*reject by Brown: not for release"'
check "qmgr said it handed them again" \
    'grep -q "archive: $uid (rejected) handed again" "$run/mmguardd.log"'

echo "scenario: hundreds of messages end while the archive role is paused"
# Each hand-off carries a descriptor: qmgr must not hand them all at once
# (ARCHIVE_INFLIGHT), or it runs out of descriptors and drops hand-offs.
arp=$(child mmguard-archived)
kill -STOP "$arp"
burst "$run/high/outbound" paused 400
awaiting() { # both directions' hand-offs awaiting acknowledgement
	"$bin/mmguardctl" status |
	    sed -n 's/.*archive: \([0-9]*\) awaiting.*/\1/p' |
	    awk '{ n += $1 } END { print n + 0 }'
}
check "all 400 end and wait for the archive" \
    'i=0; while [ $i -lt 300 ] && [ "$(awaiting)" -lt 400 ]; do sleep 0.2; i=$((i + 1)); done; [ "$(awaiting)" -ge 400 ]'
kill -CONT "$arp"
check "the archive role acknowledged every one of them" \
    'acked() { [ "$("$bin/mmguardctl" status | grep -c "archive: 0 awaiting acknowledgement$")" = 2 ]; }; i=0; while [ $i -lt 150 ] && ! acked; do sleep 0.2; i=$((i + 1)); done; acked'
npaused=$("$bin/mmguard-archive" -d "$run/archive/archive.sqlite" search \
    '"archive role is paused"' --limit 0 2>/dev/null | grep -c .)
check "all 400 are in the archive ($npaused), no hand-off dropped" \
    '[ "$npaused" = 400 ] && ! grep -q "not handed over" "$run/mmguardd.log"'

echo "scenario: a FLASH message dropped behind a burst"
burst "$run/high/outbound" burst 1500
put flash-behind
check "it is sent" 'wait_state flash-behind sent'
check "the burst is taken in" \
    'i=0; while [ $i -lt 150 ] && [ -n "$(ls "$run/high/outbound")" ]; do sleep 0.2; i=$((i + 1)); done; [ -z "$(ls "$run/high/outbound")" ]'
# pickup takes the newest files of each look first: the FLASH does not
# wait in the folder for the whole burst (oldest-only would take it last).
after=$("$bin/mmguard-audit" show "$run/audit" --event message-accepted |
    awk '/source=flash-behind.p1/ {f = 1; next} f && /source=burst-/ {n++} END {print n + 0}')
check "it was taken before most of the burst ($after of 1500 taken after it)" \
    '[ "$after" -ge 500 ]'
# verify-h2l-2 is the worker kept for FLASH and OVERRIDE (qmgr -U).
fid=$(where flash-behind | cut -d' ' -f2)
byurgent=$("$bin/mmguard-audit" show "$run/audit" --event message-inspected |
    awk '$3 == "verify-h2l-2" {print $5}' | tr '\n' ' ')
check "the worker kept for FLASH verified it, and nothing of the burst ($byurgent)" \
    '[ -n "$fid" ] && [ "$byurgent" = "$fid " ]'
nices=$(for p in $(pgrep -P "$pid"); do
	[ "$(basename "$(readlink /proc/$p/exe)")" = mmguard-verify ] || continue
	echo "$(tr '\0' ' ' <"/proc/$p/cmdline" | grep -c -- "-n 10")$(sed 's/.*) //' "/proc/$p/stat" | awk '{print $17}')"
done | sort | uniq -c | awk '{print $1 "x" $2}' | tr '\n' ' ')
# "1x10" and "0x0": started with -n 10 and at nice 10, or without and at 0
check "the pool's verify workers run at nice 10, the urgent ones at 0 ($nices)" \
    '[ "$nices" = "2x00 4x110 " ]'

echo "scenario: audit key rotation"
k1=$(sed -n 's/.* key=\([0-9a-f]\{16\}\) .*/\1/p' "$run"/audit/audit-*.log | head -n 1)
check "rotate-key without an officer is refused" \
    '! "$bin/mmguardctl" audit rotate-key >/dev/null 2>&1'
check "an officer rotates the audit key" \
    '"$bin/mmguardctl" audit rotate-key --officer Auditor >"$run/rotate.out" && grep -q "^audit key rotated: key [0-9a-f]\{16\} " "$run/rotate.out"'
k2=$(sed -n 's/^audit key rotated: key \([0-9a-f]*\) .*/\1/p' "$run/rotate.out")
check "the new public key is beside the log, as printed" \
    'sed -n "/BEGIN PUBLIC KEY/,/END PUBLIC KEY/p" "$run/rotate.out" | cmp -s - "$run/audit/key-$k2.pub"'
check "the new key is in the configured key file, the old one gone" \
    '! cmp -s "$etc/audit.pem" "$etc/audit-first.pem" && [ ! -e "$etc/audit.pem.new" ] && openssl pkey -in "$etc/audit.pem" -pubout | cmp -s - "$run/audit/key-$k2.pub"'
ap=$(child mmguard-auditd)
kill -9 "$ap"
sleep 1.5
put rotated
check "after a restart the audit role signs with the new key" \
    'wait_state rotated sent && [ -n "$(child mmguard-auditd)" ] && ! grep -q "key in force" "$run/mmguardd.log"'
"$bin/mmguard-audit" keygen -o "$etc/officer.pem" --pub "$etc/officer.pub" \
    >"$etc/officer.id"
k3=$(sed 's/^key //' "$etc/officer.id")
check "an officer's own key is refused unless it is an Ed25519 key" \
    '! "$bin/mmguardctl" audit rotate-key --officer Auditor --key "$etc/token.key" >/dev/null 2>&1'
check "an officer rotates to a key of their own" \
    '"$bin/mmguardctl" audit rotate-key --officer Auditor --key "$etc/officer.pem" | grep -q "key $k3 signs"'
kill -TERM "$pid"; wait "$pid" 2>/dev/null
# A crash between the rotation and the key file's replacement: the key in
# force is still in audit.pem.new, the one before in audit.pem.
mv "$etc/audit.pem" "$etc/audit.pem.new"
cp "$etc/audit-first.pem" "$etc/audit.pem"
guard_start
pid=$guard_pid
check "after such a crash the audit role opens the log with the new key" \
    'sleep 1; [ -n "$(child mmguard-auditd)" ] && [ ! -e "$etc/audit.pem.new" ] && cmp -s "$etc/audit.pem" "$etc/officer.pem"'
kill -TERM "$pid"; wait "$pid" 2>/dev/null

echo "scenario: audit"
check "the audit log verifies from the first key, across the rotations, sealed at the stop" \
    '"$bin/mmguard-audit" verify "$run/audit" --pubkey "$etc/audit.pub" --require-sealed >"$run/verify.out" 2>&1 && grep -q "key rotations 2" "$run/verify.out" && grep -q "key in force $k3" "$run/verify.out"'
# show E: the records of event E, as a table (role in column 3).
show() { "$bin/mmguard-audit" show "$run/audit" --event "$1"; }
# has E ROLE-PATTERN TEXT: a record of E from a matching role with TEXT
has() {
	show "$1" | awk -v r="^$2\$" '$3 ~ r' | grep -qF -- "$3"
}
cid=$(show message-accepted | awk '/source=clean.p1/ {print $5; exit}')
check "message-accepted: pickup, with the digest and the file" \
    '[ -n "$cid" ] && has message-accepted pickup-h2l "digest=$(sha256sum "$run/msg/clean.p1" | cut -c1-64) source=clean.p1"'
check "message-inspected: decode, with its result" \
    'has message-inspected "decode-h2l-[0-9]" "stage=decode result=ok"'
check "message-inspected: verify, with the facts digest" \
    'show message-inspected | awk "/stage=verify/ && \$3 ~ /^verify-h2l-/" | grep -q "result=verified digest=[0-9a-f]\{64\} facts=[0-9a-f]\{64\} signer="'
check "verdict: policy, with the rule ids and the labels" \
    'has verdict "policy-h2l-[0-9]" "verdict=quarantine rules=h2l-words digest=" && has verdict "policy-h2l-[0-9]" "label=FREEDONIA%20SECRET%20REL%20TO%20GBR crosses-as=NATO%20SECRET"'
check "verdict: qmgr, the release the message waited for" \
    'has verdict qmgr-h2l "verdict=release label="'
check "officer-action: qmgr, the officer and the reason" \
    'has officer-action qmgr-h2l "action=released officer=Smith reason=approved%20by" && has officer-action qmgr-h2l "action=rejected officer=Jones"'
check "diode-sent: diode-tx, the message's digest" \
    'show diode-sent | awk -v id="$cid" "\$3 == \"diode-tx-h2l\" && \$5 == id" | grep -q "digest=$(sha256sum "$run/msg/clean.p1" | cut -c1-64)"'
check "delivered: diode-rx, the same digest on the far side" \
    'show delivered | awk -v id="$cid" "\$3 == \"diode-rx-h2l\" && \$5 == id" | grep -q "digest=$(sha256sum "$run/msg/clean.p1" | cut -c1-64)"'
check "ndr-issued: qmgr" 'has ndr-issued qmgr-h2l "report="'
check "policy-loaded: mmguardd, the digests and the officer" \
    'has policy-loaded mmguardd "via=control" && has policy-loaded mmguardd "officer=Carter" && has policy-loaded mmguardd "via=start"'
check "role-started, role-restarted, role-crashed: mmguardd" \
    'has role-started mmguardd "process=audit pid=" && has role-restarted mmguardd "reason=policy%20load" && has role-crashed mmguardd "how=killed%20by%20signal%209"'
check "sandbox-violation: mmguardd, the role killed by SIGSYS" \
    'has sandbox-violation mmguardd "process=decode-" '
check "config-changed: the configuration, a refused policy, the audit key" \
    'has config-changed mmguardd "change=configuration" && has config-changed mmguardd "change=policy-load-refused" && has config-changed mmguardd "change=audit-key officer=Auditor key=$k2"'
check "key-rotated: signed by the old and the new key" \
    'has key-rotated audit "old-key=$k1 new-key=$k2" && has key-rotated audit "old-key=$k2 new-key=$k3"'
check "link-alarm: diode-tx names the message it refused" \
    'show link-alarm | awk -v id="$forged" "\$3 == \"diode-tx-h2l\" && \$5 == id" | grep -q "alarm=not-sent reason=.*token"'
check "archive-purged: the archive role, the expired message" \
    'show archive-purged | awk "\$3 == \"archive\" && \$5 == \"OLD-1\"" | grep -q "archived-at="'
check "the audit role's own crash is in the log (mmguardd kept it)" \
    'has role-crashed mmguardd "process=audit pid=$ap how=killed%20by%20signal%209"'
check "the message accepted while the audit role was down is in the log" \
    'gid=$(cd "$run/run" && grep -l "scenario audit-gap" h2l/spool/*/* | head -n 1 | xargs basename); [ -n "$gid" ] && show message-accepted | grep -q "$gid" && show delivered | grep -q "$gid"'
check "no process had an event refused" '! show sandbox-violation | grep -q "^[0-9]* *[^ ]* *audit "'
check "the log records the quarantine of the token diode-tx refused" \
    'show verdict | awk -v id="$tid" "\$3 == \"qmgr-h2l\" && \$5 == id" | grep -q "verdict=quarantine.*diode-tx%20refused%20it"'
rid=$(where rejected-in-audit-gap | cut -d' ' -f2)
check "qmgr's verdict made while the audit role was down is in the log" \
    '[ -n "$rid" ] && show verdict | awk -v id="$rid" "\$3 == \"qmgr-h2l\" && \$5 == id" | grep -q "verdict=reject"'
aid=$(where archive-gap | cut -d' ' -f2)
check "the message that ended while the archive role was down is archived" \
    '[ -n "$aid" ] && "$bin/mmguard-archive" -d "$run/archive/archive.sqlite" show "$aid" >/dev/null 2>&1'
check "the archive holds the end states" \
    '"$bin/mmguard-archive" -d "$run/archive/archive.sqlite" search "" 2>/dev/null | grep -c . | awk "{exit !(\$1 >= 4)}"'
check "the archive holds the officer's rejection, with the officer and the reason" \
    '"$bin/mmguard-archive" -d "$run/archive/archive.sqlite" show "$lid" 2>/dev/null | grep -q "guard.officer.*reject by Jones: leak confirmed"'

echo "$pass $fail" >"$results"
echo "scenario: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
