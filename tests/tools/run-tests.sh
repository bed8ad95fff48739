#!/bin/sh
# run-tests.sh BUILD - runs every test: the cmocka unit binaries in
# BUILD/tests/, the script tests tests/unit/test_*.sh, and the HTTP tests in
# tests/http/ and the browser tests in tests/e2e/ (node's test runner
# against BUILD/gongdan), then prints one summary line "N passed, N failed".
# TESTS=unit, TESTS=http or TESTS=e2e (or a list) runs only those kinds.
set -u
build=${1:-build}
passed=0
failed=0
kinds=${TESTS:-unit http e2e}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

case " $kinds " in *" unit "*)
	for t in "$build"/tests/test_*; do
		[ -x "$t" ] || continue
		"$t" >"$log" 2>&1
		rc=$?
		# a binary may run several groups: add up every summary line
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{n += $1} END {print n + 0}')
		p=${p:-0}
		f=${f:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or sanitizer report
		if [ "$f" -ne 0 ]; then cat "$log"; fi
		echo "unit $(basename "$t"): $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
	done
	# script tests print TAP-style "ok" / "not ok" lines
	for t in tests/unit/test_*.sh; do
		[ -f "$t" ] || continue
		bash "$t" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^ok' "$log")
		f=$(grep -c '^not ok' "$log")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$f" -ne 0 ]; then cat "$log"; fi
		echo "unit $(basename "$t"): $p passed, $f failed"
		passed=$((passed + p))
		failed=$((failed + f))
	done
esac

# node_suite DIR: node's test runner over DIR against BUILD/gongdan; adds
# its pass/fail counts (two files at a time where node supports choosing:
# 20+; Debian 12's node 18 runs them one by one)
node_suite() {
	GONGDAN_BIN="$(cd "$(dirname "$build/gongdan")" && pwd)/gongdan"
	export GONGDAN_BIN
	conc=""
	node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' && conc="--test-concurrency=2"
	node --test --test-reporter=spec $conc "$1"/ 2>&1 | tee "$log"
	p=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -n 1)
	if [ -z "$p" ]; then p=0; f=$((${f:-0} + 1)); fi # the runner itself failed
	passed=$((passed + p))
	failed=$((failed + ${f:-0}))
}

case " $kinds " in *" http "*)
	node_suite tests/http
esac

# browser tests: Playwright (tests/node_modules, from `make deps`) driving
# Debian's chromium
case " $kinds " in *" e2e "*)
	if [ ! -d tests/node_modules/playwright-core ] || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
		echo "e2e: playwright-core (tests/node_modules) or chromium is missing; run make deps"
		failed=$((failed + 1))
	else
		node_suite tests/e2e
	fi
esac

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
