#!/bin/bash
# run-all.sh - the single test entry point.
#
#   tests/run-all.sh          (or: make test)
#
# Steps: tests/fixture/setup.sh; make kmemleak.so, tests/layers.py, build/unit,
# build/unit-san; run build/unit and build/unit-san; build the debug kernel
# and the 6.1 fixture variants leaks, leaks-nodebug, clean and debug; crash
# 9.0.2 and the upstream snapshot (build-crash.sh); the 5.10, 6.12 and 7.2
# fixtures; tests/e2e.sh; tests/kernel-records.sh; tests/matrix.sh (every
# kernel under every crash that opens it); tests/live/run.sh (memleak on a
# live system: crash inside a QEMU guest); tests/corrupt/run.sh;
# tests/fuzz/run.sh.
# Every step that cannot run counts as a FAIL. Ends with exactly one line
# "N passed, M failed" (the count of all PASS:/FAIL: lines above it); exit
# status 0 only when nothing failed. Uses no stdin. Environment: see
# tests/e2e.sh, tests/live/run.sh and tests/fixture/build-fixture.sh.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# Kernel generations besides the 6.1 fixtures (tests/matrix.sh's cells).
OTHER_KERNELS="5.10.0-32-cloud-amd64 6.12.95+deb12-cloud-amd64 7.2.13+deb14-cloud-amd64"
LOG=$(mktemp "${TMPDIR:-/tmp}/kmemleak-run-all.XXXXXX")
RESULT_RE='^[[:space:]]*(PASS|FAIL):'

# step NAME CMD...: run (output shown as it comes), and turn a failure that
# printed no FAIL: line of its own into one; a success that printed no
# result line counts as one PASS (or, with REQUIRE_RESULTS=1, as a FAIL).
step() {
	local name=$1 out rc t0=$SECONDS
	shift
	echo "=== $name"
	out=$(mktemp "${TMPDIR:-/tmp}/kmemleak-step.XXXXXX")
	"$@" </dev/null 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	echo "--- $name: $((SECONDS - t0)) s"
	if [ "$rc" != 0 ]; then
		grep -Eq '^[[:space:]]*FAIL:' "$out" ||
			echo "FAIL: $name (exit status $rc)"
	elif ! grep -Eq "$RESULT_RE" "$out"; then
		if [ "${REQUIRE_RESULTS:-0}" = 1 ]; then
			echo "FAIL: $name (printed no PASS:/FAIL: line)"
			rc=1
		else
			echo "PASS: $name"
		fi
	fi
	rm -f "$out"
	return "$rc"
}

# unit NAME BINARY: a unit test binary must print results and exit 0.
unit() {
	local name=$1 bin=$2
	if [ ! -x "$bin" ]; then
		echo "FAIL: $name (not built)"
		return 1
	fi
	REQUIRE_RESULTS=1 step "$name" "$bin"
}

main() {
	local so_ok=1 v
	cd "$REPO" || { echo "FAIL: cd $REPO"; return; }

	step "setup (tests/fixture/setup.sh)" tests/fixture/setup.sh

	step "build kmemleak.so" make -C "$REPO" kmemleak.so || so_ok=0
	if [ "$so_ok" = 1 ]; then
		step "the import picture has no circles (tests/layers.py)" \
			python3 tests/layers.py "$REPO/build/so"
	fi
	if step "build build/unit" make -C "$REPO" build/unit; then
		unit "unit tests (build/unit)" "$REPO/build/unit"
	else
		echo "FAIL: unit tests (build/unit) not run: build failed"
	fi
	if step "build build/unit-san" make -C "$REPO" build/unit-san; then
		unit "unit tests under ASan/UBSan (build/unit-san)" "$REPO/build/unit-san"
	else
		echo "FAIL: unit tests (build/unit-san) not run: build failed"
	fi

	# The debug kernel (kmemleak, page_owner) is built from source on a
	# cache miss: about 20 minutes on 2 cores.
	step "debug kernel (tests/fixture/build-debug-kernel.sh)" \
		tests/fixture/build-debug-kernel.sh
	for v in leaks leaks-nodebug clean debug; do
		step "fixture $v" tests/fixture/build-fixture.sh "$v"
	done
	# The crash versions of the support matrix (9.0.2 from source: about
	# 23 minutes on 2 idle cores; the snapshot over it in about a minute)
	# and the other kernel generations' fixtures.
	for v in 9.0.2 snapshot; do
		step "crash $v (tests/fixture/build-crash.sh $v)" \
			tests/fixture/build-crash.sh "$v"
	done
	for k in $OTHER_KERNELS; do
		for v in leaks leaks-nodebug clean; do
			step "fixture $v $k" tests/fixture/build-fixture.sh "$v" "$k"
		done
	done

	if [ "$so_ok" = 1 ]; then
		step "end-to-end tests (tests/e2e.sh)" tests/e2e.sh
		step "the kernel's own kmemleak records (tests/kernel-records.sh)" \
			tests/kernel-records.sh
		step "every kernel under every crash (tests/matrix.sh)" \
			tests/matrix.sh
	else
		echo "FAIL: end-to-end tests not run: kmemleak.so did not build"
	fi
	if [ "$so_ok" = 1 ]; then
		step "live system (tests/live/run.sh)" tests/live/run.sh
	else
		echo "FAIL: live-system test not run: kmemleak.so did not build"
	fi

	# Robustness: damaged copies of the dumps; the engine under libFuzzer.
	if [ "$so_ok" = 1 ]; then
		step "corruption suite (tests/corrupt/run.sh)" tests/corrupt/run.sh
	else
		echo "FAIL: corruption suite not run: kmemleak.so did not build"
	fi
	step "fuzzing the engine (tests/fuzz/run.sh)" tests/fuzz/run.sh
}

main 2>&1 | tee "$LOG"

npass=$(grep -Ec '^[[:space:]]*PASS:' "$LOG")
nfail=$(grep -Ec '^[[:space:]]*FAIL:' "$LOG")
echo "(full output: $LOG; $SECONDS s in all)"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
