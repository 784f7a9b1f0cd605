#!/bin/sh
# make-fuzz-corpus.sh - write the seeds of the audit fuzz harness: real
# logs from tests/audit/audit-writer, signed with the harness's fixed key
# (its 32-byte seed is in tests/fuzz/audit_fuzz.c), in the harness's input
# form ("@@ NAME" before each file, "@@ head" before a head).
#
#   make-fuzz-corpus.sh BUILD OUTDIR
set -eu
build=$1; out=$2
make -s "$build/tests/audit-writer" "$build/bin/mmguard-audit" >/dev/null
writer=$build/tests/audit-writer
audit=$build/bin/mmguard-audit
t=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-audit-corpus.XXXXXX")
trap 'rm -rf "$t"' EXIT
mkdir -p "$out"

# PKCS#8 of an Ed25519 seed: a fixed 16-byte prefix, then the seed.
pem() { # HEXSEED FILE
	printf '302e020100300506032b657004220420%s' "$1" | xxd -r -p |
	    openssl pkey -inform DER -out "$2"
}
pem 6d6d67756172642061756469742066757a7a206b657920303132333435363738 "$t/k1.pem"
pem 6d6d67756172642061756469742066757a7a206b657920313032333435363738 "$t/k2.pem"

# pack DIR [HEAD] > seed
pack() {
	for f in $(ls "$1" | grep '^audit-.*\.log$'); do
		echo "@@ $f"; cat "$1/$f"
	done
	if [ $# -gt 1 ]; then echo "@@ head"; cat "$2"; fi
}

mkdir "$t/one"
"$writer" "$t/one" "$t/k1.pem" -n 12 -b 4 -c 5 >/dev/null
cp "$t/one/audit-00000000000000000001.log" "$out/one-file.log"
"$audit" head "$t/one" >"$t/one.head"
pack "$t/one" "$t/one.head" >"$out/one-file-head"

mkdir "$t/rot"
"$writer" "$t/rot" "$t/k1.pem" -n 30 -b 5 -c 8 -r 2048 >/dev/null
"$audit" head "$t/rot" >"$t/rot.head"
pack "$t/rot" "$t/rot.head" >"$out/rotated-head"

mkdir "$t/key"
"$writer" "$t/key" "$t/k1.pem" -n 16 -b 4 -c 6 -k "$t/k2.pem" -K 8 \
    -r 3000 >/dev/null
pack "$t/key" >"$out/key-rotated"

mkdir "$t/torn"
"$writer" "$t/torn" "$t/k1.pem" -n 8 -b 4 -x >/dev/null
f=$t/torn/audit-00000000000000000001.log
head -c 40 "$f" | tr -d '\n' >>"$f"
pack "$t/torn" >"$out/torn-tail"
"$writer" "$t/torn" "$t/k1.pem" -n 3 -b 3 >/dev/null
pack "$t/torn" >"$out/recovered"
echo "seeds in $out: $(ls "$out" | wc -l)"
