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
