#!/bin/sh
# check.sh - non-delivery reports (mmguard-msg ndr) against tshark's X.411
# dissector as an independent decoder.
#
#   check.sh BUILD RESULTS
#
# Each example message SPEC under tests/data/msg/ is composed, and the
# report the guard would send when rejecting it is written with a reason,
# a diagnostic (by name or by number) and a supplementary text.  For each
# report:
#   - the guard's own decoder reads it in DER mode;
#   - tshark dissects it as a P1 report with no malformed data and no
#     warning (other than "undecoded" body parts Wireshark does not know);
#   - what tshark shows in the report equals what tshark shows in the
#     subject: report-destination-name = the subject's originator-name
#     (or its most recent DL), subject-identifier = message-identifier,
#     actual-recipient-names = recipient-names, the security label, and
#     the returned content's subject when content return was asked for;
#   - tshark names the reason and diagnostic as asked, and shows the
#     supplementary text made PrintableString.
# Then every X.411 reason (0-8) and diagnostic (0-78) the guard can name is
# put in a report, and tshark must give each code the guard's name for it;
# a BER-encoded subject gives the same report bytes as its DER form; a
# report or probe as subject is refused.
# Writes "passed failed" to RESULTS.
set -u
build=$1; results=$2
msg=$(cd "$build" && pwd)/bin/mmguard-msg
work=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-ndr.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "  ok   $*"; }
bad() { fail=$((fail + 1)); echo "  FAIL $*"; }

# tshark decodes a raw P1 APDU given to it as one USER0 packet.
cp tests/interop/p1.lua "$work/p1.lua"
hexline() { od -An -v -tx1 "$1" | tr -s ' \n' '  ' | sed 's/^/000000 /'; echo; }
to_pcap() { # PCAP FILE... (one packet each)
	out=$1; shift
	for f in "$@"; do hexline "$f"; done >"$out.hex" &&
	    text2pcap -q -l 147 "$out.hex" "$out" >/dev/null 2>&1
}
ts() { tshark -X lua_script:"$work/p1.lua" "$@" 2>/dev/null; }
# The label texts tshark gives an element: "name (...)" -> "(...)".
named() { # PCAP NAME
	ts -r "$1" -V | sed -n "s/^ *$2 \((.*)\)\$/\1/p"
}

# same NAME WANT GOT: two texts are equal and not empty.
same() {
	if [ -n "$2" ] && [ "$2" = "$3" ]; then ok "$1"; else
		bad "$1"
		echo "$2" | sed 's/^/         want: /'
		echo "$3" | sed 's/^/         got:  /'
	fi
}

# Subjects and what is said when rejecting them:
#   SPEC REASON DIAGNOSTIC (- for none) RETURN TEXT EXPECTED-SUPPLEMENTARY
cat >"$work/cases" <<'EOF'
flash-p772|unable-to-transfer|security-policy-violation|yes|rule "rel-3": label NATO SECRET not releasable_to NLD «NOFORN»|rule 'rel-3': label NATO SECRET not releasable-to NLD ?NOFORN?
routine-ipm|1|12|no|content: offset 212: INTEGER too long|content: offset 212: INTEGER too long
unknown-critical|unable-to-transfer|18|no|extension 1.2.826.0.1.999.1 critical for transfer; not understood|extension 1.2.826.0.1.999.1 critical for transfer, not understood
bodyparts|restricted-delivery|content-too-long|yes|message of 9000000 bytes > limit 8388608|message of 9000000 bytes ) limit 8388608
forwarded|transfer-failure-for-security-reason|secure-messaging-error|no|signature:		bad	digest|signature: bad digest
receipt-ipn|0|-|no|-|-
EOF

ndr_of() { # SUBJECT-FILE OUT ARGS...: the report at a fixed time
	in=$1; out=$2; shift 2
	"$msg" ndr --mta guard1.mod.gb --domain 'GB, ,MODHIGH' \
	    --time 20261129090000Z "$@" "$in" -o "$out"
}

while IFS='|' read -r name reason diag ret text want; do
	spec=tests/data/msg/$name.spec
	subj=$work/$name.p1; ndr=$work/$name.ndr
	if ! "$msg" compose "$spec" -o "$subj" 2>"$work/err"; then
		bad "$name: compose: $(cat "$work/err")"; continue
	fi
	set -- --reason "$reason"
	[ "$diag" != - ] && set -- "$@" --diagnostic "$diag"
	[ "$text" != - ] && set -- "$@" --text "$text"
	[ "$ret" = yes ] && set -- "$@" --return-content
	if ! ndr_of "$subj" "$ndr" "$@" 2>"$work/err"; then
		bad "$name: ndr: $(cat "$work/err")"; continue
	fi
	ok "$name: report written"
	"$msg" dump --der "$ndr" >"$work/dump" 2>"$work/err" &&
	    ok "$name: the guard's decoder reads it in DER mode" ||
	    bad "$name: dump --der: $(cat "$work/err")"
	to_pcap "$subj.pcap" "$subj" && to_pcap "$ndr.pcap" "$ndr" ||
	    { bad "$name: text2pcap"; continue; }
	if ! ts -r "$ndr.pcap" -V | grep -q 'MTS-APDU: report (1)'; then
		bad "$name: tshark did not dissect a P1 report"; continue
	fi
	n=$(ts -r "$ndr.pcap" -Y '_ws.malformed || (_ws.expert.severity >= "Warning" && _ws.expert.group != "Undecoded")' | wc -l)
	[ "$n" -eq 0 ] && ok "$name: tshark: no malformed data, no warning" || {
		bad "$name: tshark reports malformed data or warnings:"
		ts -r "$ndr.pcap" -V | grep -B2 -E 'Expert Info \((Warning|Error)' |
		    grep -v Undecoded | head -8 | sed 's/^/       /'; }

	# Destination: the most recent DL if any, else the originator (of
	# the envelope: forwarded messages inside have their own).
	want_dest=$(named "$subj.pcap" dl | tail -1)
	[ -z "$want_dest" ] &&
	    want_dest=$(named "$subj.pcap" originator-name | head -1)
	same "$name: report-destination-name" "$want_dest" \
	    "$(named "$ndr.pcap" report-destination-name)"
	same "$name: subject-identifier = message-identifier" \
	    "$(named "$subj.pcap" message-identifier | head -1)" \
	    "$(named "$ndr.pcap" subject-identifier)"
	same "$name: actual-recipient-names = recipient-names" \
	    "$(named "$subj.pcap" recipient-name)" \
	    "$(named "$ndr.pcap" actual-recipient-name)"
	nr=$(named "$subj.pcap" recipient-name | wc -l)

	# Reason and diagnostic, by tshark's names, once per recipient.
	code() { # KIND VALUE: "name (n)" for a name or a number
		v=$2
		case $v in [0-9]*) v=$(printf '%s' "$3" | sed -n "s/.*$1 $v \([a-zA-Z-]*\).*/\1/p" | head -1) ;; esac
		printf '%s\n' "$v"
	}
	dumped=$(cat "$work/dump")
	rname=$(code reason "$reason" "$dumped")
	got=$(ts -r "$ndr.pcap" -V | sed -n 's/^ *non-delivery-reason-code: \(.*\) ([0-9]*)$/\1/p')
	same "$name: non-delivery-reason-code $reason" \
	    "$(yes "$rname" | head -"$nr")" "$got"
	got=$(ts -r "$ndr.pcap" -V | sed -n 's/^ *non-delivery-diagnostic-code: \(.*\) ([0-9]*)$/\1/p')
	if [ "$diag" = - ]; then
		[ -z "$got" ] && ok "$name: no diagnostic" ||
		    bad "$name: a diagnostic nobody asked for: $got"
	else
		same "$name: non-delivery-diagnostic-code $diag" \
		    "$(yes "$(code diagnostic "$diag" "$dumped")" | head -"$nr")" "$got"
	fi
	got=$(ts -r "$ndr.pcap" -T fields -E occurrence=a -E aggregator='|' \
	    -e p1.supplementary_information)
	if [ "$want" = - ]; then
		[ -z "$got" ] && ok "$name: no supplementary information" ||
		    bad "$name: supplementary information nobody gave: $got"
	else
		same "$name: supplementary-information" \
		    "$(yes "$want" | head -"$nr" | paste -sd'|')" "$got"
	fi

	# The label travels with the report.
	lab() { ts -r "$1" -T fields -E occurrence=f -e p1.security_classification -e p1.privacy_mark; }
	if [ -n "$(lab "$subj.pcap" | tr -d '\t')" ]; then
		same "$name: security label carried" "$(lab "$subj.pcap")" \
		    "$(lab "$ndr.pcap")"
	fi

	# Returned content: tshark reads the same IPM subject in it.
	subj_of() { ts -r "$1" -T fields -E occurrence=f -e p22.subject; }
	if [ "$ret" = yes ] &&
	    grep -q '^indicators:.*content-return-request' "$spec"; then
		same "$name: returned content decodes to the subject's IPM" \
		    "$(subj_of "$subj.pcap")" "$(subj_of "$ndr.pcap")"
	else
		ts -r "$ndr.pcap" -V | grep -q '^ *content ([0-9]* bytes)$' &&
		    bad "$name: content returned without being asked" ||
		    ok "$name: no returned content (return $ret, not asked by" \
		    "both)"
	fi
done <"$work/cases"

# Every code the guard names, named the same by Wireshark.
"$msg" compose tests/data/msg/routine-ipm.spec -o "$work/one.p1"
: >"$work/ours"; set --
i=0
while [ $i -le 78 ]; do
	r=$((i % 9))
	ndr_of "$work/one.p1" "$work/code$i.ndr" --reason $r --diagnostic $i ||
	    bad "code $i: ndr"
	"$msg" dump "$work/code$i.ndr" |
	    sed -n 's/.*(reason \([0-9]*\) \([^,]*\), diagnostic \([0-9]*\) \([^)]*\))$/\2 (\1) \4 (\3)/p' >>"$work/ours"
	set -- "$@" "$work/code$i.ndr"
	i=$((i + 1))
done
to_pcap "$work/codes.pcap" "$@"
ts -r "$work/codes.pcap" -V | sed -n 's/^ *non-delivery-\(reason\|diagnostic\)-code: //p' |
    paste -d' ' - - >"$work/theirs"
n=$(wc -l <"$work/theirs")
if [ "$n" -eq 79 ] && cmp -s "$work/ours" "$work/theirs"; then
	ok "all 9 reason and 79 diagnostic names agree with Wireshark's"
else
	bad "code names differ (guard < > tshark), $n reports dissected"
	diff "$work/ours" "$work/theirs" | head -10 | sed 's/^/       /'
fi

# A subject sent in BER gives the same DER report (returned content would
# be the BER octets as sent, so none is asked for here).
"$msg" compose --ber-variant both tests/data/msg/flash-p772.spec -o "$work/ber.p1"
for f in flash-p772 ber; do
	ndr_of "$work/$f.p1" "$work/$f.same" --reason 1 --diagnostic 53 \
	    --text 'rule "rel-3": label NATO SECRET'
done
if ! cmp -s "$work/flash-p772.p1" "$work/ber.p1" &&
    cmp -s "$work/flash-p772.same" "$work/ber.same"; then
	ok "BER subject: the same report bytes as its DER form"
else
	bad "BER subject: the report differs from the DER subject's"
fi

# Reports and probes are not subjects of non-delivery reports.
for name in report probe; do
	"$msg" compose tests/data/msg/$name.spec -o "$work/$name.p1"
	ndr_of "$work/$name.p1" "$work/$name.ndr" --reason 1 2>"$work/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "the subject is a $name" "$work/err" &&
	    [ ! -e "$work/$name.ndr" ]; then
		ok "a $name as subject refused: $(cat "$work/err")"
	else
		bad "a $name as subject: exit $rc, $(cat "$work/err")"
	fi
done
"$msg" ndr --reason no-such-reason --mta m --domain GB,x "$work/one.p1" \
    -o "$work/x.ndr" 2>"$work/err"
[ $? -ne 0 ] && grep -q 'no-such-reason' "$work/err" &&
    ok "an unknown reason name refused" || bad "an unknown reason name accepted"

echo "$pass $fail" >"$results"
echo "ndr: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
