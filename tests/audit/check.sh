#!/bin/sh
# check.sh - the audit log against an attacker and against crashes.
#
#   check.sh BUILD RESULTS
#
# A log of several files (rotation by size, checkpoints by count) is made
# with tests/audit/audit-writer, then copies of it are edited the ways an
# attacker would: a changed byte, a deleted record, two records swapped, a
# file truncated (at a line, in a line, at the end with a head), a file
# removed from the middle, a checkpoint replaced, a checkpoint signed with
# another key, an event changed and the whole chain recomputed after it,
# and forged heads.  Each must fail verification with the precise message
# (file, line, reason) asserted here.  A signature is checked with the
# openssl command line too, as an auditor could.  Then the crash test: the
# writer is killed with SIGKILL at random moments, several times, with a
# torn record left once; every time verify reports at most an unsealed
# tail or a torn last record, never an error, nothing acknowledged is
# lost, and the writer continues a valid chain.  And the audit role itself
# (mmguard-auditd) with a stand-in for mmguardd: see "the audit role".
set -u
build=$1; results=$2
root=$(pwd)
case $build in */asan) variant=asan ;; *) variant=release ;; esac
make -s VARIANT=$variant "$build/tests/audit-writer" "$build/bin/mmguard-audit" \
    >/dev/null || exit 1
audit=$root/$build/bin/mmguard-audit
writer=$root/$build/tests/audit-writer
t=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-audit-check.XXXXXX")
trap 'rm -rf "$t"' EXIT
pass=0; fail=0

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; shift; for l; do echo "       $l"; done; }

# expect NAME STATUS PATTERN... -- the output of the last verify ($out,
# $rc) must have exit status STATUS and contain every fixed string.
expect() {
	name=$1; want=$2; shift 2
	if [ "$rc" -ne "$want" ]; then
		ko "$name" "exit $rc, want $want" "$(echo "$out" | head -n 5)"
		return
	fi
	for p; do
		if ! printf '%s\n' "$out" | grep -qF -- "$p"; then
			ko "$name" "missing: $p" "$(echo "$out" | head -n 5)"
			return
		fi
	done
	ok "$name"
}

run_verify() { out=$("$audit" verify "$@" 2>&1); rc=$?; }

# fresh NAME: a copy of the base log in $t/NAME; sets $d.
fresh() { d=$t/$1; rm -rf "$d"; cp -a "$t/base" "$d"; }

# nth file of $d (1-based)
nth() { ls "$d" | grep '^audit-.*\.log$' | sed -n "${1}p"; }

# seq of line N of file F
seq_of() { sed -n "${2}p" "$1" | sed 's/^seq=\([0-9]*\) .*/\1/'; }

# sign_hex KEY FILE: Ed25519 over FILE's bytes, in hex
sign_hex() {
	openssl pkeyutl -sign -rawin -inkey "$1" -in "$2" -out "$t/sig.bin" \
	    2>/dev/null && od -An -v -tx1 "$t/sig.bin" | tr -d " \n"
}

# ---- keys and the base log ---------------------------------------------
"$audit" keygen -o "$t/k1.pem" --pub "$t/p1.pem" >"$t/k1.id" || exit 1
"$audit" keygen -o "$t/k2.pem" --pub "$t/p2.pem" >"$t/k2.id" || exit 1
k1=$(sed 's/^key //' "$t/k1.id"); k2=$(sed 's/^key //' "$t/k2.id")
mode=$(stat -c %a "$t/k1.pem")
[ "$mode" = 600 ] && ok "keygen: private key mode 0600" ||
    ko "keygen: private key mode 0600" "mode $mode"
if "$audit" keygen -o "$t/k1.pem" >/dev/null 2>&1; then
	ko "keygen: refuses to overwrite a key"
else
	ok "keygen: refuses to overwrite a key"
fi

mkdir "$t/base"
"$writer" "$t/base" "$t/k1.pem" -n 400 -b 16 -c 50 -r 8192 >/dev/null ||
    exit 1
"$audit" head "$t/base" >"$t/head" || exit 1
nfiles=$(ls "$t/base" | grep -c '^audit-.*\.log$')
run_verify "$t/base" --pubkey "$t/p1.pem" --head "$t/head" --require-sealed
expect "base log ($nfiles files) verifies, head proven" 0 "verify: OK" \
    "found and signed"
[ "$nfiles" -ge 4 ] && ok "base log rotated into $nfiles files" ||
    ko "base log rotated" "$nfiles files"

run_verify "$t/base" --pubkey "$t/p2.pem"
expect "another key as --pubkey" 1 \
    "seq 1: the log was created for key $k1, but the key given is $k2"

# An auditor's own tools: a chain link and a signature.
d=$t/base; f1=$d/$(nth 1)
want=$(sed -n 2p "$f1" | sed 's/.* prev=\([0-9a-f]*\) .*/\1/')
got=$(sed -n 1p "$f1" | sha256sum | cut -c1-64)
[ "$want" = "$got" ] && ok "sha256sum of line 1 is prev= of line 2" ||
    ko "sha256sum of line 1 is prev= of line 2" "$got != $want"
line=$(grep -m1 'event=checkpoint' "$f1")
printf %s "${line% sig=*}" >"$t/m"
echo "${line##*sig=}" | xxd -r -p >"$t/s"
if openssl pkeyutl -verify -rawin -pubin -inkey "$t/p1.pem" -in "$t/m" \
    -sigfile "$t/s" >/dev/null 2>&1; then
	ok "openssl pkeyutl verifies a checkpoint signature"
else
	ko "openssl pkeyutl verifies a checkpoint signature"
fi

# ---- tampering ----------------------------------------------------------
fresh byte; f=$(nth 2); s10=$(seq_of "$d/$f" 10)
sed -i '10s/ rule=R/ rule=Q/' "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem"
expect "a changed byte in a record" 1 \
    "error: $f:11: seq $((s10 + 1)): prev= does not match the hash of the record before it ($f:10)"

fresh deleted; f=$(nth 2); s10=$(seq_of "$d/$f" 10)
sed -i 10d "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem"
expect "a deleted record" 1 \
    "error: $f:10: seq $((s10 + 1)): sequence jumps from $((s10 - 1)) to $((s10 + 1)): record $s10 missing"

fresh swapped; f=$(nth 2); s10=$(seq_of "$d/$f" 10)
sed -i -e '10{h;d}' -e '11G' "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem"
expect "two records swapped" 1 \
    "error: $f:10: seq $((s10 + 1)): sequence jumps" \
    "error: $f:11: seq $s10: sequence goes back from $((s10 + 1)) to $s10: records out of order or repeated"

fresh trunc-line; f=$(nth 2); n=$(wc -l <"$d/$f")
last=$(seq_of "$d/$f" $((n - 3)))
sed -i "$((n - 2)),\$d" "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem"
expect "a middle file truncated at a line" 1 \
    "error: $f:$((n - 3)): ends at seq $last without a rotation checkpoint, yet another file follows: the file was truncated"

fresh trunc-byte; f=$(nth 2); size=$(stat -c %s "$d/$f")
truncate -s $((size - 100)) "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem"
expect "a middle file truncated inside a line" 1 \
    "bytes after its last newline (a torn record) in a file that is not the last"

fresh trunc-end; f=$(nth "$nfiles"); hseq=$(sed -n 's/^seq=//p' "$t/head")
sed -i '$d' "$d/$f"
run_verify "$d" --pubkey "$t/p1.pem" --head "$t/head"
expect "the last file truncated, caught by the head" 1 \
    "the log ends at seq $((hseq - 1)), before the recorded head at seq $hseq: records were removed from its end"

fresh removed; f1=$(nth 1); f2=$(nth 2); f3=$(nth 3)
rm "$d/$f2"
run_verify "$d" --pubkey "$t/p1.pem"
expect "a file removed from the middle" 1 \
    "error: $f3:1: seq" \
    "file-opened names prev-file=$f2, but the previous file is $f1 (a file removed or renamed)" \
    "missing"

# forge NAME EDIT: in a copy, the second file's first checkpoint as
# someone without the key would redo it: its signed part edited by the sed
# expression EDIT (seq and prev kept), signed with another key.  Verifies
# the copy; $ln and $cseq are the line and seq of the forgery.
forge() {
	fresh "$1"; f=$(nth 2)
	ln=$(grep -n 'event=checkpoint' "$d/$f" | head -n 1 | cut -d: -f1)
	cseq=$(seq_of "$d/$f" "$ln")
	prefix=$(sed -n "${ln}p" "$d/$f" | sed "s/ sig=.*//; $2")
	printf %s "$prefix" >"$t/m"
	sig=$(sign_hex "$t/k2.pem" "$t/m")
	sed -i "${ln}s/.*/$prefix sig=$sig/" "$d/$f"
	run_verify "$d" --pubkey "$t/p1.pem"
}

forge replaced "s/ reason=[a-z]*/ reason=request/"
expect "a replaced checkpoint" 1 \
    "error: $f:$ln: seq $cseq: checkpoint: sig= does not verify under key $k1 (record altered or signature forged)"

forge otherkey "s/ key=[0-9a-f]*/ key=$k2/"
expect "a checkpoint signed with another key" 1 \
    "error: $f:$ln: seq $cseq: checkpoint names key $k2, but the key in force is $k1 (signed with another key)"

# The capable attacker: change an event, then recompute every prev= after
# it, across files.  Only the signatures (and the head) can tell.
fresh rechained; f=$(nth 2)
sed -i '5s/ rule=R[0-9]*/ rule=NONE/' "$d/$f"
prev=""
for file in $(ls "$d" | grep '^audit-.*\.log$'); do
	: >"$t/new"
	while IFS= read -r l; do
		if [ -n "$prev" ]; then
			l=$(printf '%s\n' "$l" | sed "s/ prev=[0-9a-f]* / prev=$prev /")
		fi
		printf '%s\n' "$l" >>"$t/new"
		prev=$(printf '%s\n' "$l" | sha256sum | cut -c1-64)
	done <"$d/$file"
	cp "$t/new" "$d/$file"
done
run_verify "$d" --pubkey "$t/p1.pem" --head "$t/head"
ck=$(grep -n 'event=checkpoint' "$d/$f" | awk -F: '$1 > 5 {print $1; exit}')
expect "an event changed and the chain recomputed" 1 \
    "error: $f:$ck: seq $(seq_of "$d/$f" "$ck"): checkpoint: sig= does not verify under key $k1" \
    "record differs from the recorded head: the log was rewritten after the head was taken"
if printf '%s\n' "$out" | grep -q 'prev= does not match'; then
	ko "the recomputed chain itself is consistent" "$out"
else
	ok "the recomputed chain itself is consistent"
fi

# Heads: an edited hash, and a checkpoint re-signed with another key.
sed 's/^hash=\(.\)/hash=0\1/; s/^hash=\(.\{64\}\).*/hash=\1/' "$t/head" \
    >"$t/head-edited"
cmp -s "$t/head" "$t/head-edited" &&
    sed -i 's/^hash=./hash=f/' "$t/head-edited"
run_verify "$t/base" --pubkey "$t/p1.pem" --head "$t/head-edited"
expect "a forged head (hash edited)" 1 \
    "head: hash= is not the hash of its record (forged or damaged head)"

rec=$(sed -n 's/^record=//p' "$t/head")
printf %s "${rec% sig=*}" >"$t/m"
sig=$(sign_hex "$t/k2.pem" "$t/m")
rec="${rec% sig=*} sig=$sig"
h=$(printf '%s\n' "$rec" | sha256sum | cut -c1-64)
{
	echo "-----BEGIN MMGUARD AUDIT HEAD-----"
	echo "seq=$hseq"; echo "hash=$h"; echo "record=$rec"
	echo "-----END MMGUARD AUDIT HEAD-----"
} >"$t/head-forged"
run_verify "$t/base" --pubkey "$t/p1.pem" --head "$t/head-forged"
expect "a forged head (signed with another key)" 1 \
    "seq $hseq: recorded head is not signed by key $k1, in force at seq $hseq (forged head)"

# Key rotation through the log: verify follows it from the first key.
mkdir "$t/rot"
"$writer" "$t/rot" "$t/k1.pem" -n 100 -b 10 -r 4096 -k "$t/k2.pem" -K 50 \
    >/dev/null
run_verify "$t/rot" --pubkey "$t/p1.pem" --require-sealed
expect "key rotation followed from the first key" 0 "key rotations 1" \
    "key in force $k2" "verify: OK"
out=$("$writer" "$t/rot" "$t/k1.pem" -n 1 2>&1); rc=$?
expect "the old key cannot write after a rotation" 1 \
    "the log's key in force is $k2, the key given is $k1"

# JSON and show.
out=$("$audit" verify "$t/base" --pubkey "$t/p1.pem" --json); rc=$?
expect "verify --json" 0 '"verdict":"OK"' '"errors":[]'
out=$("$audit" show "$t/base" --message MSG-4 --json); rc=$?
expect "show --message --json decodes values" 0 '"msg":"MSG-4"' \
    '"text":"held: 100% r'
n=$("$audit" show "$t/base" --event verdict | wc -l)
[ "$n" -gt 50 ] && ok "show --event verdict ($n records)" ||
    ko "show --event verdict" "$n records"

# ---- the audit role ------------------------------------------------------
# mmguard-auditd with a stand-in for mmguardd (tests/audit/auditd-peer.py):
# records named after the channel they came on, an acknowledgement only
# once on disk, a forbidden event refused and its sender cut off, an
# officer's key rotation, sealing on SIGTERM, and reopening the log with
# the rotation's key file when the old one is still in place.
make -s VARIANT=$variant "$build/bin/mmguard-auditd" >/dev/null || exit 1
r=$t/role; mkdir "$r"
"$audit" keygen -o "$t/k4.pem" --pub "$t/p4.pem" >"$t/k4.id" || exit 1
k4=$(sed 's/^key //' "$t/k4.id")
openssl pkey -in "$t/k4.pem" -outform DER | tail -c 32 >"$t/k4.raw"
user=
if [ "$(id -u)" = 0 ]; then
	user=nobody
	chown nobody "$r"
	chmod 755 "$t"
fi
python3 tests/audit/auditd-peer.py run "$root/$build/bin/mmguard-auditd" \
    "$r" "$t/k1.pem" "$t/k1.pem.new" "$t/p4.pem" "$t/k4.raw" $user \
    >"$t/peer.out" 2>"$t/peer.err"
rc=$?
while read -r word what; do
	case $word in
	ok) ok "audit role: $what" ;;
	FAIL) ko "audit role: $what" ;;
	esac
done <"$t/peer.out"
[ $rc -eq 0 ] || ko "audit role: stand-in for mmguardd" "$(tail -n 5 "$t/peer.err")"
grep -q "^new-key $k4\$" "$t/peer.out" && ok "audit role: rotated to $k4" ||
    ko "audit role: rotated to $k4" "$(cat "$t/peer.out")"
run_verify "$r" --pubkey "$t/p1.pem" --require-sealed
expect "audit role: the log verifies, sealed, across the rotation" 0 \
    "verify: OK" "key rotations 1" "key in force $k4"
out=$("$audit" show "$r"); rc=$?
expect "audit role: records carry the channel's name" 0 \
    "decode-h2l-0 message-inspected  Q-1" "pickup-h2l message-accepted   Q-3" \
    "stage=decode result=ok"
out=$("$audit" show "$r" --event sandbox-violation); rc=$?
expect "audit role: the refusal is recorded, the forged event is not" 0 \
    "audit      sandbox-violation  -                process=decode-h2l-0 reason=decode%20may%20not%20record%20officer-action"
if "$audit" show "$r" --event officer-action | grep -q .; then
	ko "audit role: no officer-action from a decode worker"
else
	ok "audit role: no officer-action from a decode worker"
fi
out=$("$audit" show "$r" --event config-changed); rc=$?
expect "audit role: the officer's rotation, from mmguardd" 0 \
    "mmguardd   config-changed     -                change=audit-key officer=Auditor key=$k4"
n=$(printf '%s\n' "$out" | grep -c "change=audit-key")
[ "$n" -eq 1 ] && ok "audit role: a refused rotation leaves no record" ||
    ko "audit role: a refused rotation leaves no record" "$n records"
# A crash after the rotation, before mmguardd put the new key in place.
out=$(python3 tests/audit/auditd-peer.py reopen \
    "$root/$build/bin/mmguard-auditd" "$r" "$t/k1.pem" "$t/k4.pem" $user \
    2>&1); rc=$?
expect "audit role: reopened with the rotation's key, says so" 0 \
    "key-in-force 1 $k4"
run_verify "$r" --pubkey "$t/p1.pem" --require-sealed
expect "audit role: still verifies after the reopen" 0 "verify: OK"

# ---- crashes ------------------------------------------------------------
c=$t/crash; mkdir "$c"
acked=0
i=1
while [ $i -le 6 ]; do
	"$writer" "$c" "$t/k1.pem" -n 0 -b 16 -c 100 -r 65536 \
	    -s $((i * 1000000)) >"$t/w.out" 2>&1 &
	pid=$!
	ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 700 + 150 ))
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 $pid; wait $pid 2>/dev/null
	a=$(sed -n 's/^committed //p' "$t/w.out" | tail -n 1)
	[ -n "$a" ] && acked=$a
	last=$(ls "$c" | grep '^audit-.*\.log$' | tail -n 1)
	if [ $i -eq 3 ]; then
		# A record torn by the crash: part of a line, no newline.
		head -c 57 "$c/$last" | tr -d '\n' >>"$c/$last"
	fi
	run_verify "$c" --pubkey "$t/p1.pem"
	if [ $i -eq 3 ]; then
		expect "crash $i (${ms} ms, torn record left): torn, no error" \
		    3 "torn last record: 57 bytes" "verify: OK, but"
	else
		expect "crash $i (${ms} ms): no error" 0 "verify: OK"
	fi
	if printf '%s\n' "$out" | grep -q '^error:'; then
		ko "crash $i: sealed records intact" "$out"
	fi
	got=$(printf '%s\n' "$out" | sed -n 's/^last record seq \([0-9]*\) .*/\1/p')
	if [ "${got:-0}" -ge "$acked" ]; then
		ok "crash $i: acknowledged seq $acked is in the log (last $got)"
	else
		ko "crash $i: acknowledged records lost" "acked $acked, last $got"
	fi
	i=$((i + 1))
done
grep -q '^recovered 57$' "$t/w.out" 2>/dev/null || true
out=$("$writer" "$c" "$t/k1.pem" -n 10 -s 9000000 2>&1); rc=$?
run_verify "$c" --pubkey "$t/p1.pem" --require-sealed
expect "after the crashes, reopen continues a valid, sealed chain" 0 \
    "verify: OK" "recoveries 1"
side=$(ls "$c" | grep -c '\.torn-')
[ "$side" -eq 1 ] && ok "the torn bytes are kept in a side file" ||
    ko "the torn bytes are kept in a side file" "$side side files"

echo "$pass $fail" >"$results"
echo "audit check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
