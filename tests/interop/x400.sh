#!/bin/sh
# x400.sh - the X.400 P1 / P772 codec against Wireshark's dissectors.
#
#   x400.sh BUILD RESULTS
#
# Every example SPEC under tests/data/msg/ (and a CMS-signed variant) is
# composed in DER and in each BER variant (indefinite lengths, shuffled
# SETs, both with segmented strings).  For each file:
#   - mmguard-msg dump decodes it (and, for DER, in DER mode; a BER variant
#     is refused in DER mode);
#   - tshark, as an independent decoder, dissects it with no malformed
#     packet and no warning (other than "undecoded" for the body part types
#     Wireshark does not know);
#   - the fields tshark reads (message identifier, subject, precedences,
#     SICs, classification, privacy mark, priority, IA5 text, content type,
#     eContentType) equal what mmguard-msg reports in JSON.
# Writes "passed failed" to RESULTS.
set -u
build=$1; results=$2
msg=$build/bin/mmguard-msg
work=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-x400.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0; fail=0
ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "  FAIL $*"; }

# tshark decodes a raw P1 APDU given to it as one USER0 packet.
cp tests/interop/p1.lua "$work/p1.lua"

to_pcap() { # FILE PCAP
	od -An -v -tx1 "$1" | tr -s ' \n' '  ' | sed 's/^/000000 /' >"$2.hex" &&
	    text2pcap -q -l 147 "$2.hex" "$2" >/dev/null 2>&1
}
ts() { tshark -X lua_script:"$work/p1.lua" "$@" 2>/dev/null; }

# A test PKI of one self-signed originator, for the CMS-signed example.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$work/orig.key" -subj "/C=GB/O=MOD/CN=Originator" -days 2 \
    -out "$work/orig.pem" 2>/dev/null
sed "s|^content-type: p772|content-type: p772\nsign: cert=$work/orig.pem; key=$work/orig.key|" \
    tests/data/msg/flash-p772.spec >"$work/signed-p772.spec"
cp tests/data/msg/*.spec "$work/"

# The fields both sides report, one per line, as "name=value".
ours() { # JSON file
	python3 - "$1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
out = []
env = j.get("envelope", {})
mid = env.get("message_id") or j.get("report", {}).get("report_id")
if mid:
    out.append("local_identifier=" + mid.rsplit("L=", 1)[1].rstrip("]"))
if env.get("priority", "normal") != "normal":
    out.append("priority=" + {"normal": "0", "non-urgent": "1", "urgent": "2"}[env["priority"]])
lab = env.get("security_label")
if lab and "privacy_mark" in lab:
    out.append("privacy_mark=" + lab["privacy_mark"])
c = j.get("content")
if c:
    if "econtent_type" in c:
        out.append("econtent_type=" + c["econtent_type"])
    ipm = c.get("ipm")
    if ipm:
        if "subject" in ipm:
            out.append("subject=" + ipm["subject"])
        for k in ("primary_precedence", "copy_precedence"):
            if k in ipm:
                out.append(k + "=" + str(ipm[k]))
        if "sics" in ipm:
            out.append("sics=" + ",".join(ipm["sics"]))
        def ia5(ipm):
            # Depth first, as a dissector walks forwarded messages.
            for b in ipm["body"]:
                if b["type"] == "ia5-text" and not b.get("extended"):
                    yield b["text"]
                if "forwarded" in b and "ipm" in b["forwarded"]:
                    yield from ia5(b["forwarded"]["ipm"])
        texts = list(ia5(ipm))
        if texts:
            out.append("ia5=" + ",".join(t.replace("\n", "\\n") for t in texts))
print("\n".join(sorted(out)))
EOF
}
theirs() { # PCAP
	ts -r "$1" -T fields -E separator='|' -E aggregator=',' -E occurrence=f \
	    -e p1.local_identifier -e p1.priority -e p1.privacy_mark -e cms.eContentType \
	    -e p22.subject -e p772.PrimaryPrecedence -e p772.CopyPrecedence |
	python3 -c '
import sys
f = sys.stdin.read().rstrip("\n").split("|")
names = ["local_identifier", "priority", "privacy_mark", "econtent_type",
         "subject", "primary_precedence", "copy_precedence"]
out = [n + "=" + v for n, v in zip(names, f) if v != ""]
print("\n".join(out))' >"$work/t1"
	ts -r "$1" -T fields -E aggregator=',' -e p772.Sic | sed '/^$/d; s/^/sics=/' >>"$work/t1"
	ts -r "$1" -T fields -E aggregator=',' -e p22.ia5text.data | sed '/^$/d; s/^/ia5=/' >>"$work/t1"
	sort "$work/t1"
}

for spec in "$work"/*.spec; do
	name=$(basename "$spec" .spec)
	[ "$name" = inner ] && continue	# composed as part of forwarded
	for variant in der indefinite shuffle both; do
		f=$work/$name.$variant
		if [ $variant = der ]; then
			"$msg" compose "$spec" -o "$f" 2>"$work/err"
		else
			"$msg" compose --ber-variant $variant "$spec" -o "$f" 2>"$work/err"
		fi || { bad "$name $variant: compose: $(cat "$work/err")"; continue; }
		if ! "$msg" dump --json "$f" >"$work/j.json" 2>"$work/err"; then
			bad "$name $variant: dump: $(cat "$work/err")"; continue
		fi
		ok
		if [ $variant = der ]; then
			"$msg" dump --der "$f" >/dev/null 2>"$work/err" && ok ||
			    bad "$name: DER refused: $(cat "$work/err")"
		else
			"$msg" dump --der "$f" >/dev/null 2>&1 && bad "$name $variant: accepted as DER" || ok
		fi
		to_pcap "$f" "$f.pcap" || { bad "$name $variant: text2pcap"; continue; }
		if ! ts -r "$f.pcap" -V | grep -q 'Protocols in frame.*: mmguardp1:p1'; then
			bad "$name $variant: tshark did not dissect it as P1"; continue
		fi
		n=$(ts -r "$f.pcap" -Y '_ws.malformed || (_ws.expert.severity >= "Warning" && _ws.expert.group != "Undecoded")' | wc -l)
		if [ "$n" -ne 0 ]; then
			bad "$name $variant: tshark reports malformed data or warnings:"
			ts -r "$f.pcap" -V | grep -B2 -E 'Expert Info \((Warning|Error)' | grep -v Undecoded | head -8 | sed 's/^/       /'
		else
			ok
		fi
		ours "$work/j.json" >"$work/ours"
		theirs "$f.pcap" >"$work/theirs"
		if cmp -s "$work/ours" "$work/theirs"; then
			ok
		else
			bad "$name $variant: fields differ (ours < > tshark)"
			diff "$work/ours" "$work/theirs" | head -10 | sed 's/^/       /'
		fi
	done
done

echo "$pass $fail" >"$results"
echo "interop x400: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
