#!/bin/sh
# demo.sh - the main job on its embedded default, as far as it is built.
#
#   demo.sh BUILD
#
# The guard's pipeline (mmguardd and its roles) is not built yet; until it
# is, the demo shows the part every inspection stands on, the BER/DER
# codec, on traffic shaped like what a national MTA sends: a CMS-signed
# message in streamed BER (indefinite lengths), decoded strictly, refused
# by the DER rules with the exact offset, re-encoded, and verified again by
# OpenSSL as an independent implementation.
set -eu
build=$1
asn1=$build/bin/mmguard-asn1
run=$build/demo
rm -rf "$run"; mkdir -p "$run"

echo "mmguard demo"
echo "  The guard pipeline (mmguardd: pickup, qmgr, decode, verify, policy,"
echo "  diode, deliver) is not built yet; this demo runs the BER/DER codec."
echo

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$run/originator.key" -subj "/C=GB/O=MOD/CN=Demo Originator" \
    -days 2 -out "$run/originator.pem" 2>/dev/null
printf 'FLASH\nSUBJECT: DEMO\nTEXT: exercise traffic for the guard demo\n' \
    >"$run/message.txt"
openssl cms -sign -binary -stream -indef -in "$run/message.txt" \
    -signer "$run/originator.pem" -inkey "$run/originator.key" \
    -outform DER -out "$run/signed.ber"

echo "1. A signed message as streamed BER ($(wc -c <"$run/signed.ber") bytes), decoded:"
"$asn1" "$run/signed.ber" | head -n 24 | sed 's/^/     /'
echo "     ..."
echo
echo "2. The same bytes under the DER rules:"
if "$asn1" --der "$run/signed.ber" >/dev/null 2>"$run/der.err"; then
	echo "     unexpectedly accepted"; exit 1
fi
sed 's/^/     refused: /' "$run/der.err"
echo
echo "3. Re-encoded with definite lengths, then verified by OpenSSL:"
"$asn1" --reencode "$run/signed.der" "$run/signed.ber"
"$asn1" --der "$run/signed.der" >/dev/null
openssl cms -verify -binary -inform DER -in "$run/signed.der" \
    -CAfile "$run/originator.pem" -purpose any -out "$run/verified.txt" 2>&1 |
    sed 's/^/     /'
cmp -s "$run/message.txt" "$run/verified.txt"
echo "     content unchanged: $(head -n 1 "$run/verified.txt") ..."
echo
echo "4. A damaged copy (one length byte changed) is refused with its offset:"
cp "$run/signed.der" "$run/damaged.der"
printf '\377' | dd of="$run/damaged.der" bs=1 seek=3 conv=notrunc 2>/dev/null
if "$asn1" "$run/damaged.der" >/dev/null 2>"$run/damaged.err"; then
	echo "     unexpectedly accepted"; exit 1
fi
sed 's/^/     refused: /' "$run/damaged.err"
echo
echo "demo: done (files in $run)"
