#!/bin/sh
# run.sh - the BER/DER codec against independent implementations.
#
#   run.sh BUILD RESULTS
#
# 1. tshark (Wireshark's BER dissector) reads what the guard's encoder
#    writes, in DER and in every BER variant, and shows the same values.
# 2. openssl asn1parse and mmguard-asn1 see the same structure (offset,
#    depth, header length, length, form of every TLV) in DER that OpenSSL
#    wrote (certificates, a CRL, CMS) and in DER the guard wrote.
# 3. BER that OpenSSL writes (streamed CMS, indefinite lengths) decodes;
#    the DER mode refuses it; re-encoded by the guard it still verifies
#    with openssl cms.
# 4. Every truncation of a real certificate is refused with an offset.
# Writes "passed failed" to RESULTS; exits non-zero on any failure.
set -u
build=$1; results=$2
asn1=$build/bin/mmguard-asn1
vectors=$build/tests/ber_vectors
work=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-interop.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0; fail=0

ok()   { pass=$((pass + 1)); echo "  ok   $*"; }
bad()  { fail=$((fail + 1)); echo "  FAIL $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@" >"$work/out" 2>&1; then ok "$d"; else bad "$d"; sed 's/^/       /' "$work/out" | head -20; fi
}

for tool in tshark openssl; do
	command -v $tool >/dev/null 2>&1 || { echo "interop: $tool missing (make deps)"; exit 1; }
done

# tshark's view of a file: the value lines of its BER dissection.
tshark_values() {
	tshark -r "$1" -V 2>/dev/null | awk 'f { print } /Protocols in frame: ber/ { f = 1 }' |
	    sed 's/^ *//' | grep -v '^$'
}
tshark_clean() {
	tshark -r "$1" -V 2>/dev/null | grep -q 'Protocols in frame: ber' || return 1
	n=$(tshark -r "$1" -Y '_ws.malformed || _ws.expert.severity >= "Warning"' 2>/dev/null | wc -l)
	[ "$n" -eq 0 ]
}
# Value lines without octet strings, sorted; and octet string contents.
tshark_scalars() { tshark_values "$1" | grep ': ' | grep -v '^OCTETSTRING:' | sort; }
tshark_octets()  { tshark_values "$1" | sed -n 's/^OCTETSTRING: //p' | tr -d '\n'; }

echo "interop: tshark reads the guard's encoder"
"$vectors" "$work" || { echo "interop: ber_vectors failed"; exit 1; }
for f in values.der personnel.der personnel-indefinite.ber personnel-shuffled.ber personnel-segmented.ber; do
	check "tshark dissects $f with no malformed or warning" tshark_clean "$work/$f"
done
tshark_values "$work/values.der" >"$work/values.txt"
for want in 'INTEGER: -129' 'INTEGER: 4406' 'OID: 1.3.26.0.4406.0.4.1 (STANAG 4406)' \
    'OID: 1.2.840.113549.1.9.16.2.2 (id-aa-securityLabel)' 'Padding: 4' \
    'BITSTRING: 0a3b5f291cd0' 'UTF8String: NATO SECRET' 'UTCTime: 261129084605Z' \
    'GeneralizedTime: 20261129084605Z' 'ENUMERATED: 2' 'NULL tag'; do
	check "tshark shows \"$want\"" grep -qxF "$want" "$work/values.txt"
done
tshark_scalars "$work/personnel.der" >"$work/p.der.txt"
tshark_octets "$work/personnel.der" >"$work/p.der.oct"
check "tshark shows the Annex A values" grep -qxF 'PrintableString: Director' "$work/p.der.txt"
for v in indefinite shuffled segmented; do
	tshark_scalars "$work/personnel-$v.ber" >"$work/p.$v.txt"
	tshark_octets "$work/personnel-$v.ber" >"$work/p.$v.oct"
	check "tshark reads the same values from the $v BER variant" \
	    cmp "$work/p.der.txt" "$work/p.$v.txt"
	check "tshark reads the same octets from the $v BER variant" \
	    cmp "$work/p.der.oct" "$work/p.$v.oct"
done

echo "interop: openssl asn1parse and mmguard-asn1 agree on structure"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/rsa.key" -subj "/C=GB/O=MOD/CN=releaser" \
    -days 30 -outform DER -out "$work/rsa-cert.der" 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/ec.key" \
    -subj "/C=NL/CN=originator" -days 30 -out "$work/ec-cert.pem" 2>/dev/null
openssl x509 -in "$work/ec-cert.pem" -outform DER -out "$work/ec-cert.der"
mkdir -p "$work/ca"; : >"$work/ca/index.txt"
cat >"$work/ca.cnf" <<EOF
[ca]
default_ca = d
[d]
database = $work/ca/index.txt
crlnumber = $work/ca/crlnumber
default_md = sha256
default_crl_days = 7
EOF
echo 01 >"$work/ca/crlnumber"
openssl x509 -in "$work/rsa-cert.der" -inform DER -out "$work/rsa-cert.pem"
openssl ca -config "$work/ca.cnf" -gencrl -keyfile "$work/rsa.key" -cert "$work/rsa-cert.pem" \
    -out "$work/crl.pem" 2>/dev/null
openssl crl -in "$work/crl.pem" -outform DER -out "$work/crl.der"
printf 'FLASH: the guard test message\n' >"$work/msg.txt"
openssl cms -sign -binary -nodetach -in "$work/msg.txt" -signer "$work/ec-cert.pem" \
    -inkey "$work/ec.key" -outform DER -out "$work/cms.der"
openssl cms -sign -binary -stream -indef -in "$work/msg.txt" -signer "$work/ec-cert.pem" \
    -inkey "$work/ec.key" -outform DER -out "$work/cms-indef.ber"

same_structure() { # FILE: our --offsets lines == openssl's, field by field
	openssl asn1parse -inform DER -in "$1" >"$work/ossl.txt" || return 1
	sed -n -E 's/^ *([0-9]+):d=([0-9]+) +hl=([0-9]+) +l= *([0-9]+) +(cons|prim):.*/\1 \2 \3 \4 \5/p' \
	    "$work/ossl.txt" >"$work/ossl.norm"
	"$asn1" --der --offsets "$1" | cut -d' ' -f1-5 >"$work/ours.norm" || return 1
	[ -s "$work/ours.norm" ] && cmp "$work/ossl.norm" "$work/ours.norm"
}
for f in rsa-cert.der ec-cert.der crl.der cms.der values.der personnel.der; do
	check "same structure: $f" same_structure "$work/$f"
done

echo "interop: BER from OpenSSL (indefinite lengths)"
check "mmguard-asn1 decodes OpenSSL's streamed CMS" "$asn1" "$work/cms-indef.ber"
der_refuses() {
	"$asn1" --der "$work/cms-indef.ber" >/dev/null 2>"$work/err"
	[ $? -eq 1 ] && grep -q 'offset [0-9]*: indefinite length in DER' "$work/err"
}
check "--der refuses it with the offset and reason" der_refuses
check "re-encoded by the guard" "$asn1" --reencode "$work/cms-re.der" "$work/cms-indef.ber"
check "the re-encoding is DER-structured" same_structure "$work/cms-re.der"
check "openssl cms verifies the re-encoding" openssl cms -verify -binary -inform DER \
    -in "$work/cms-re.der" -CAfile "$work/ec-cert.pem" -purpose any -out "$work/msg.out"
check "the signed content is unchanged" cmp "$work/msg.txt" "$work/msg.out"

echo "interop: every truncation of a certificate is refused"
truncations() {
	size=$(wc -c <"$work/rsa-cert.der"); i=0
	while [ $i -lt "$size" ]; do
		head -c $i "$work/rsa-cert.der" >"$work/t.der"
		"$asn1" "$work/t.der" >/dev/null 2>"$work/err"; rc=$?
		if [ $rc -ne 1 ] || ! grep -q 'offset [0-9]*: ' "$work/err"; then
			echo "prefix of $i bytes: exit $rc: $(cat "$work/err")"; return 1
		fi
		i=$((i + 1))
	done
}
check "all $(wc -c <"$work/rsa-cert.der") proper prefixes exit 1 with an offset" truncations

echo "$pass $fail" >"$results"
echo "interop: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
