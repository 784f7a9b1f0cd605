#!/bin/sh
# smoke.sh - run each libFuzzer harness for a bounded time over its corpus.
#
#   smoke.sh DIR RESULTS NAME...
#
# DIR holds the harnesses (NAME_fuzz), RESULTS receives "passed failed".
# The committed corpus tests/fuzz/corpus/NAME/ is read, never written: new
# inputs go to a scratch directory under build/, crashes to build/fuzz/
# artifacts/.  FUZZ_SECONDS (default 20) bounds each run.
set -u
dir=$1; results=$2; shift 2
secs=${FUZZ_SECONDS:-20}
pass=0; fail=0
mkdir -p "$(dirname "$results")" build/fuzz/artifacts
for name in "$@"; do
	scratch=build/fuzz/corpus-run/$name
	rm -rf "$scratch"; mkdir -p "$scratch"
	log=build/fuzz/$name-smoke.log
	echo "fuzz-smoke: $name for ${secs}s"
	if "$dir/${name}_fuzz" -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix=build/fuzz/artifacts/"$name"- \
	    "$scratch" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		echo "fuzz-smoke: $name passed ($runs executions)"
		pass=$((pass + 1))
	else
		echo "fuzz-smoke: $name FAILED; last lines of $log:"
		tail -n 30 "$log"
		fail=$((fail + 1))
	fi
done
echo "$pass $fail" >"$results"
[ "$fail" -eq 0 ]
