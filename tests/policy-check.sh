#!/bin/sh
# policy-check.sh - golden tests of mmguardctl policy check: each policy
# file's output (and exit status) must equal its .check file under
# tests/data/policy/.  The public SPIF samples in ../shared/fixtures/spif/
# are checked too when that folder is there (skipped, saying so, if not).
#
#   policy-check.sh BUILD RESULTS
set -u
build=$1; results=$2
ctl=$(cd "$build" && pwd)/bin/mmguardctl
pass=0; fail=0
golden() { # DIR FILE CHECKFILE
	out=$(cd "$1" && "$ctl" policy check "$2" 2>&1)
	if [ "$out" = "$(cat "$3")" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "  FAIL $2: got"; echo "$out" | sed 's/^/       /'
		echo "       expected"; sed 's/^/       /' "$3"
	fi
}
golden policy/examples freedonia.xml tests/data/policy/freedonia.check
golden policy/examples nato.xml tests/data/policy/nato.check
golden policy/examples guard.xml tests/data/policy/guard.check
# Guard policies that must be refused, each with its precise reason.
for f in tests/data/policy/bad/*.xml; do
	b=$(basename "$f" .xml)
	golden tests/data/policy/bad "$b.xml" "tests/data/policy/bad/$b.check"
	if (cd tests/data/policy/bad && "$ctl" policy check "$b.xml") \
	    >/dev/null 2>&1; then
		fail=$((fail + 1)); echo "  FAIL $b.xml: accepted"
	fi
done
# policy diff: the example against itself, and against edited copies.
diffcheck() { # NAME OLD NEW WANT-EXIT
	out=$("$ctl" policy diff "$2" "$3" 2>&1); rc=$?
	want=tests/data/policy/diff/$1.diff
	if [ "$rc" -eq "$4" ] && [ "$out" = "$(cat "$want")" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "  FAIL diff $1 (exit $rc, want $4): got"
		echo "$out" | sed 's/^/       /'
	fi
}
diffcheck same policy/examples/guard.xml policy/examples/guard.xml 0
for d in tests/data/policy/diff/*.xml; do
	diffcheck "$(basename "$d" .xml)" policy/examples/guard.xml "$d" 1
done
fixtures=../shared/fixtures/spif
if [ -d "$fixtures" ]; then
	for f in NATO-SPIF-example nato-4774-policy ACME-SPIF-example uk-demo; do
		golden "$fixtures" "$f.xml" "tests/data/policy/fixture-$f.check"
	done
else
	echo "policy-check: skipped the public SPIF samples ($fixtures is absent)"
fi
echo "$pass $fail" >"$results"
echo "policy check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
