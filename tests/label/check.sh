#!/bin/sh
# check.sh - golden tests of mmguardctl label (STANAG 4774 XML labels and
# ESS), over the examples in tests/data/label/:
#
#   NAME.xml (freedonia-*, nato-*)  a label that must convert; against
#       policy/examples/freedonia.xml or tests/data/label/spif-nato-like.xml
#       by its prefix.  `label check` must print NAME.check, `to-ess` must
#       write NAME.der, `to-xml` of that DER must print NAME.canon.xml, and
#       the canonical document must give the same DER again.
#   bad-*.xml  a label that must be refused: `label check` must print
#       bad-*.expect (the error and the exit status).
#
# The public SPIF samples (../shared/fixtures/spif, or $MMGUARD_FIXTURES)
# are used when present: the nato-* labels must give the same DER and the
# same canonical document under the public NATO SPIF as under the project's
# NATO-like one, and fixture-nato-example.xml must convert under the NATO
# sample SPIF.  They are skipped, saying so, when absent.
#
#   check.sh BUILD RESULTS
set -u
build=$1; results=$2
ctl=$(cd "$build" && pwd)/bin/mmguardctl
data=tests/data/label
freedonia=policy/examples/freedonia.xml
natolike=$data/spif-nato-like.xml
fixtures=${MMGUARD_FIXTURES:-../shared/fixtures/spif}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmguard-label.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0; fail=0

# same GOT EXPECTED WHAT: one check line, and the difference on failure.
same() {
	if [ -f "$2" ] && cmp -s "$1" "$2"; then
		pass=$((pass + 1))
		echo "  ok   $3"
	else
		fail=$((fail + 1))
		echo "  FAIL $3 (differs from $2)"
		if [ -f "$2" ]; then
			diff "$2" "$1" | head -n 20 | sed 's/^/       /'
		fi
	fi
}

# run OUT CMD...: standard output and error of CMD, then its exit status.
run() {
	out=$1; shift
	"$@" >"$out" 2>&1
	echo "exit $?" >>"$out"
}

spif_for() {
	case $1 in
	nato-*|bad-nato-*) echo "$natolike" ;;
	*) echo "$freedonia" ;;
	esac
}

# convert LABEL SPIF EXPECTED-STEM NAME: to-ess, to-xml, and back again.
convert() {
	rm -f "$tmp/der" "$tmp/der2"
	"$ctl" label to-ess --spif "$2" "$1" -o "$tmp/der" >"$tmp/err" 2>&1
	same "$tmp/der" "$3.der" "$4: to-ess"
	"$ctl" label to-xml --spif "$2" "$tmp/der" >"$tmp/xml" 2>&1
	same "$tmp/xml" "$3.canon.xml" "$4: to-xml"
	"$ctl" label to-ess --spif "$2" "$3.canon.xml" -o "$tmp/der2" \
	    >"$tmp/err" 2>&1
	same "$tmp/der2" "$3.der" "$4: canonical document round trip"
}

for f in "$data"/freedonia-*.xml "$data"/nato-*.xml; do
	case $f in *.canon.xml) continue ;; esac
	stem=${f%.xml}; name=$(basename "$stem"); spif=$(spif_for "$name")
	run "$tmp/check" "$ctl" label check --spif "$spif" "$f"
	same "$tmp/check" "$stem.check" "$name: label check"
	convert "$f" "$spif" "$stem" "$name"
done

for f in "$data"/bad-*.xml; do
	stem=${f%.xml}; name=$(basename "$stem")
	run "$tmp/check" "$ctl" label check --spif "$(spif_for "$name")" "$f"
	same "$tmp/check" "$stem.expect" "$name: refused"
done

# An ESS label read from standard input; one under another policy refused.
"$ctl" label to-xml --spif "$freedonia" - <"$data/freedonia-secret.der" \
    >"$tmp/xml" 2>&1
same "$tmp/xml" "$data/freedonia-secret.canon.xml" "to-xml from standard input"
run "$tmp/out" "$ctl" label to-xml --spif "$freedonia" \
    "$data/nato-secret-rel.der"
same "$tmp/out" "$data/nato-under-freedonia.expect" \
    "to-xml: an ESS label of another policy refused"
head -c 20 "$data/freedonia-secret.der" >"$tmp/short.der"
run "$tmp/out" "$ctl" label to-xml --spif "$freedonia" "$tmp/short.der"
sed "s|$tmp/||" "$tmp/out" >"$tmp/out2"
same "$tmp/out2" "$data/short-der.expect" "to-xml: a truncated ESS label"
run "$tmp/out" "$ctl" label to-ess "$data/freedonia-secret.xml"
same "$tmp/out" "$data/usage.expect" "usage error without --spif"

if [ -d "$fixtures" ]; then
	nato=$fixtures/nato-4774-policy.xml
	for name in nato-secret-rel nato-spif-sample; do
		convert "$data/$name.xml" "$nato" "$data/$name" \
		    "$name under the public NATO SPIF"
	done
	convert "$data/fixture-nato-example.xml" \
	    "$fixtures/NATO-SPIF-example.xml" "$data/fixture-nato-example" \
	    "fixture-nato-example under NATO-SPIF-example"
else
	echo "  skipped: the public SPIF samples ($fixtures is absent)"
fi

echo "$pass $fail" >"$results"
echo "label check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
