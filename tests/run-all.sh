#!/bin/bash
# run-all.sh - the single test entry point.
#
#   tests/run-all.sh          (or: make test)
#
# Steps: tests/fixture/setup.sh; make kmemleak.so, tests/layers.py, build/unit,
# build/unit-san; run build/unit and build/unit-san; tests/offsets.sh (the
# alias table read from DWARF); then, in two streams side by side, crash
# 9.0.2, the upstream snapshot and 9.0.2 for arm64 dumps (build-crash.sh)
# then the debug kernel, and the fixtures (6.1 leaks, leaks-nodebug, clean;
# 5.10; then, once the crashes are built, 6.12 and 7.2; then arm64 6.1 and
# 6.12, leaks and clean); then the 6.1 debug fixture;
# tests/e2e.sh; tests/kernel-records.sh; tests/suppress.sh;
# tests/json.sh; tests/diff.sh (memleak -d; builds the grow fixture, about
# a minute, when not cached); tests/holders.sh; tests/alias.sh (strict
# mode, possibly lost, -w chains; builds the alias fixture, about a minute,
# when not cached), in one lane beside another of tests/live/run.sh then
# tests/fuzz/run.sh; then tests/matrix.sh
# (every kernel under every crash that opens it, the arm64 kernels under the
# arm64 crash); tests/corrupt/run.sh. (tests/live/run.sh: memleak on a
# live system, crash inside a QEMU guest; tests/fuzz/run.sh: the engine
# under libFuzzer.)
# Every step that cannot run counts as a FAIL. Ends with exactly one line
# "N passed, M failed" (the count of all PASS:/FAIL: lines above it); exit
# status 0 only when nothing failed. Uses no stdin. Environment: see
# tests/e2e.sh, tests/live/run.sh and tests/fixture/build-fixture.sh.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
# memleak keeps each kernel's alias table in $XDG_CACHE_HOME/kmemleak: the
# tests keep theirs in the test cache, so a cold run builds them too
export XDG_CACHE_HOME="${KMEMLEAK_CACHE:-${HOME:-/root}/.cache/kmemleak-crash}/xdg"
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

# Kernel generations besides the 6.1 fixtures whose fixtures Debian's crash
# 8.0.2 checks (the others need crash 9.0.2 or the snapshot).
OLD_KERNELS="5.10.0-32-cloud-amd64"
NEW_KERNELS="6.12.95+deb12-cloud-amd64 7.2.13+deb14-cloud-amd64"
# Debian's arm64 cloud kernels (tests/fixture/build-arm64.sh: qemu-system-
# aarch64; checked with the arm64 crash).
ARM64_KERNELS="6.1.0-56-cloud-arm64 6.12.95+deb12-cloud-arm64"

# The crash versions of the support matrix (9.0.2 from source: about 13
# minutes on 2 idle cores; the snapshot over it in about a minute; 9.0.2 for
# arm64 dumps, target=ARM64, about as long as 9.0.2), then the debug kernel
# (kmemleak, page_owner; about 20 minutes on 2 cores on a cache miss).
# SIDE_DIR/crashes.done: written by compiler_builds once the x86_64
# crash builds are over (built, cached or failed), for downloads_and_boots;
# the arm64 fixtures wait for the arm64 crash on build-crash.sh's own lock.
compiler_builds() {
	local v
	for v in 9.0.2 snapshot; do
		step "crash $v (tests/fixture/build-crash.sh $v)" \
			tests/fixture/build-crash.sh "$v"
	done
	: >"$SIDE_DIR/crashes.done"
	step "crash 9.0.2 for arm64 dumps (tests/fixture/build-crash.sh arm64-9.0.2)" \
		tests/fixture/build-crash.sh arm64-9.0.2
	step "debug kernel (tests/fixture/build-debug-kernel.sh)" \
		tests/fixture/build-debug-kernel.sh
}

# The Debian kernels and their fixtures that need nothing from
# compiler_builds (setup.sh runs inside build-fixture.sh).
# kernel_fixtures KVER...: the leaks, leaks-nodebug and clean fixtures of
# each kernel generation.
kernel_fixtures() {
	local k v
	for k in "$@"; do
		for v in leaks leaks-nodebug clean; do
			step "fixture $v $k" tests/fixture/build-fixture.sh "$v" "$k"
		done
	done
}

# The fixtures of the older kernels, then those of the newer ones, whose
# check needs a crash of compiler_builds (6.12: 9.0.2; 7.2: the snapshot):
# they wait for crashes.done, so their boots overlap the debug kernel's
# build instead of following it.
downloads_and_boots() {
	local k v waited=0
	for v in leaks leaks-nodebug clean; do
		step "fixture $v" tests/fixture/build-fixture.sh "$v"
	done
	kernel_fixtures $OLD_KERNELS
	while [ ! -e "$SIDE_DIR/crashes.done" ] && [ "$waited" -lt 7200 ]; do
		sleep 10
		waited=$((waited + 10))
	done
	echo "downloads_and_boots: waited $waited s for the crash builds"
	kernel_fixtures $NEW_KERNELS
	for k in $ARM64_KERNELS; do
		for v in leaks clean; do
			step "fixture $v $k" tests/fixture/build-arm64.sh "$v" "$k"
		done
	done
}

# side_by_side WHAT FN1 FN2: the two functions at once, each writing its
# own log into SIDE_DIR (a temp dir, which they may use too: crashes.done);
# both logs shown whole when both have ended.
side_by_side() {
	SIDE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-side.XXXXXX")
	echo "=== $1 (logs: $SIDE_DIR)"
	"$2" >"$SIDE_DIR/$2.log" 2>&1 &
	"$3" >"$SIDE_DIR/$3.log" 2>&1 &
	wait
	cat "$SIDE_DIR/$2.log" "$SIDE_DIR/$3.log"
	rm -rf "$SIDE_DIR"
}

prepare_in_two_streams() {
	side_by_side "preparing in two streams" compiler_builds downloads_and_boots
	step "fixture debug" tests/fixture/build-fixture.sh debug
}

# The single-core test steps, in two lanes (see main): the scripts on the
# fixture dumps, one crash session at a time; and the live system (one QEMU
# guest running crash) then the fuzzer (one libFuzzer process). Each lane's
# output is shown whole when both have ended. They share no file: each
# script works in its own temp directory, a missing fixture is built under
# the fixtures' lock, and an alias table is written to a temp file then
# renamed.
dump_tests_lane() {
	step "end-to-end tests (tests/e2e.sh)" tests/e2e.sh
	step "the kernel's own kmemleak records (tests/kernel-records.sh)" \
		tests/kernel-records.sh
	step "suppressions (tests/suppress.sh)" tests/suppress.sh
	step "JSON Lines against the text report (tests/json.sh)" tests/json.sh
	step "two dumps compared (tests/diff.sh)" tests/diff.sh
	step "who holds the memory, memleak -a (tests/holders.sh)" \
		tests/holders.sh
	step "interior pointers: strict mode, possibly lost, -w chains (tests/alias.sh)" \
		tests/alias.sh
}

guest_and_fuzz_lane() {
	step "live system (tests/live/run.sh)" tests/live/run.sh
	step "fuzzing the engine (tests/fuzz/run.sh)" tests/fuzz/run.sh
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

	step "the alias table from DWARF (tests/offsets.sh)" tests/offsets.sh

	# What the tests need, built or reused (all cached outside the
	# checkout). On a cold cache this is most of the run, so it goes in two
	# streams side by side: the compiler builds, which keep both cores
	# busy, and the downloads and QEMU boots, which mostly wait for the
	# network, the disk or one TCG thread. Each stream's output is shown
	# when it ends. The first builds the two crashes, then the debug
	# kernel; the second, once the crashes are there, the fixtures whose
	# check needs them (6.12 and 7.2: Debian's 8.0.2 cannot open them).
	# The "debug" fixture needs the debug kernel: built after both.
	prepare_in_two_streams
	if [ "$so_ok" = 1 ]; then
		# The steps that run one crash session (or one guest, or one
		# fuzzer) at a time use one core each: in two lanes side by
		# side. The matrix and the corruption suite run two at a time
		# themselves, so they come after, alone (the corruption suite's
		# Ctrl-C case measures how fast the prompt comes back).
		side_by_side "tests in two lanes" dump_tests_lane guest_and_fuzz_lane
		step "every kernel under every crash (tests/matrix.sh)" \
			tests/matrix.sh
		step "corruption suite (tests/corrupt/run.sh)" tests/corrupt/run.sh
	else
		echo "FAIL: end-to-end tests not run: kmemleak.so did not build"
		echo "FAIL: live-system test not run: kmemleak.so did not build"
		echo "FAIL: corruption suite not run: kmemleak.so did not build"
		step "fuzzing the engine (tests/fuzz/run.sh)" tests/fuzz/run.sh
	fi
}

main 2>&1 | tee "$LOG"

npass=$(grep -Ec '^[[:space:]]*PASS:' "$LOG")
nfail=$(grep -Ec '^[[:space:]]*FAIL:' "$LOG")
echo "(full output: $LOG; $SECONDS s in all)"
echo "$npass passed, $nfail failed"
[ "$nfail" = 0 ]
