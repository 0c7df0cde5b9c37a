#!/bin/bash
# matrix.sh - memleak on every kernel generation, under every crash version
# that opens it (the support matrix of the README).
#
#   tests/matrix.sh
#
# A cell is a kernel (a Debian kernel package: its fixtures come from
# tests/fixture/build-fixture.sh VARIANT KVER), a crash version (from
# tests/fixture/build-crash.sh VERSION: 8.0.2 is Debian 12's, 9.0.2 Debian
# sid's source, snapshot the upstream tree in ../shared/vendor) and the dump
# forms to check. Each cell runs tests/e2e.sh (every planted leak reported,
# no planted reachable block reported, stacks, groups, classes, root audit,
# no late debuginfo question) with E2E_KVER, E2E_CRASH and E2E_LABEL.
# The 6.1 fixtures under Debian's crash 8.0.2 are tests/e2e.sh's own run
# (run-all), not repeated here.
#
# Also: the extension built against each crash's defs.h (no warning), and a
# .so built against one crash's defs.h run inside another.
#
# arm64: the cells whose crash is arm64-9.0.2 (crash 9.0.2 built with
# target=ARM64: it reads arm64 dumps on this x86_64 machine) take their
# fixtures from tests/fixture/build-arm64.sh (Debian's cloud-arm64 kernels
# under qemu-system-aarch64) and run the extension built from the same
# sources for that crash (make ... ARCH_DEF=-DARM64, build/crash-arm64-9.0.2).
#
# Prints PASS:/FAIL:/FIGURE lines; exit status 1 if anything failed.
# Environment: KMEMLEAK_CACHE; MATRIX_CELLS (a subset, as the cell names
# below); MATRIX_JOBS (cells run at once, default 2: the crash session times
# in the FIGURE lines are taken two at a time on 2 cores).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"
NFAIL=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; NFAIL=$((NFAIL + 1)); }

K510=5.10.0-32-cloud-amd64
K61=
K612=6.12.95+deb12-cloud-amd64
K72=7.2.13+deb14-cloud-amd64
K61A=6.1.0-56-cloud-arm64
K612A=6.12.95+deb12-cloud-arm64

# name | KVER | crash | forms
CELLS=(
	"5.10/8.0.2|$K510|8.0.2|leaks/vmcore leaks/vmcore.d31 leaks-nodebug/vmcore clean/vmcore"
	"5.10/9.0.2|$K510|9.0.2|leaks/vmcore"
	"5.10/snapshot|$K510|snapshot|leaks/vmcore"
	"6.1/9.0.2|$K61|9.0.2|leaks/vmcore leaks/vmcore.d31"
	"6.1/snapshot|$K61|snapshot|leaks/vmcore"
	"6.12/9.0.2|$K612|9.0.2|leaks/vmcore leaks/vmcore.d23 leaks-nodebug/vmcore clean/vmcore"
	"6.12/snapshot|$K612|snapshot|leaks/vmcore"
	"7.2/snapshot|$K72|snapshot|leaks/vmcore leaks/vmcore.d23 leaks-nodebug/vmcore clean/vmcore"
	"6.1-arm64/arm64-9.0.2|$K61A|arm64-9.0.2|leaks/vmcore leaks/vmcore.d31 clean/vmcore"
	"6.12-arm64/arm64-9.0.2|$K612A|arm64-9.0.2|leaks/vmcore clean/vmcore"
)

declare -A CRASH_OF INCLUDE_OF
# crash_of VERSION: sets CRASH_OF/INCLUDE_OF (built or reused); 0 or 1.
crash_of() {
	local v=$1 out
	[ -n "${CRASH_OF[$v]:-}" ] && return 0
	out=$("$REPO/tests/fixture/build-crash.sh" "$v" </dev/null) || return 1
	CRASH_OF[$v]=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
	INCLUDE_OF[$v]=$(sed -n 's/^CRASH_INCLUDE=//p' <<<"$out" | tail -n 1)
	[ -x "${CRASH_OF[$v]}" ] && [ -f "${INCLUDE_OF[$v]}/defs.h" ]
}

# so_for VERSION: builds the extension against that crash's defs.h into
# SO_BUILT; 0 or 1.
SO_BUILT=
so_for() {
	local v=$1 build=$REPO/build/crash-$1 log arch=-DX86_64
	log=$build.make.log
	[[ $v == arm64-* ]] && arch=-DARM64
	mkdir -p "$build"
	if make -j2 -C "$REPO" BUILD="$build" CRASH_INCLUDE="${INCLUDE_OF[$v]}" \
		ARCH_DEF="$arch" "$build/kmemleak.so" >"$log" 2>&1; then
		if grep -q 'warning:' "$log"; then
			fail "kmemleak.so builds against crash $v's defs.h without warnings ($(grep -c 'warning:' "$log") warnings, $log)"
		else
			pass "kmemleak.so builds against crash $v's defs.h without warnings"
		fi
	else
		fail "kmemleak.so builds against crash $v's defs.h ($log)"
		return 1
	fi
	SO_BUILT=$build/kmemleak.so
}

# The cells whose fixtures are also run in strict mode (memleak -t): the
# first of each kernel (6.1's is tests/e2e.sh's own run); a fixture's
# verdicts in strict mode do not depend on the crash that reads it.
STRICT_CELLS=" 5.10/8.0.2 6.12/9.0.2 7.2/snapshot 6.1-arm64/arm64-9.0.2 6.12-arm64/arm64-9.0.2 "

# run_cell CELL: tests/e2e.sh on one cell (its crash already built; an
# arm64 cell's extension too, in ARM64_SO).
ARM64_SO=
run_cell() {
	local name kver ver forms strict=0 env=()
	IFS='|' read -r name kver ver forms <<<"$1"
	[[ $STRICT_CELLS == *" $name "* ]] && strict=1
	if [[ $ver == arm64-* ]]; then
		env=(KMEMLEAK_SO="$ARM64_SO"
		     E2E_FIXTURE_SCRIPT="$REPO/tests/fixture/build-arm64.sh")
	fi
	env "${env[@]}" E2E_KVER="$kver" E2E_CRASH="${CRASH_OF[$ver]}" \
		E2E_LABEL="[$name]" E2E_FORMS="$forms" E2E_STRICT=$strict \
		"$REPO/tests/e2e.sh" </dev/null || true
}

# The cells run MATRIX_JOBS at a time (default 2: each crash session is one
# thread but for gdb's start, and the machine has 2 cores); their outputs are
# printed in the order of CELLS, each whole.
run_cells() {
	local dir i cell name ver jobs=${MATRIX_JOBS:-2} selected=()
	for cell in "${CELLS[@]}"; do
		IFS='|' read -r name _ ver _ <<<"$cell"
		case " ${MATRIX_CELLS:-$name} " in *" $name "*) ;; *) continue ;; esac
		if [[ $ver == arm64-* ]] && [ -z "$ARM64_SO" ]; then
			if crash_of "$ver" && so_for "$ver"; then
				ARM64_SO=$SO_BUILT
			else
				fail "[$name] crash $ver and the extension for it built"
				continue
			fi
		fi
		if crash_of "$ver"; then
			selected+=("$cell")
		else
			fail "[$name] crash $ver built (tests/fixture/build-crash.sh $ver)"
		fi
	done
	dir=$(mktemp -d "${TMPDIR:-/tmp}/matrix-cells.XXXXXX")
	for i in "${!selected[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		run_cell "${selected[$i]}" >"$dir/$i.out" 2>&1 &
	done
	wait
	for i in "${!selected[@]}"; do cat "$dir/$i.out"; done
	rm -rf "$dir"
}

main() {
	run_cells
	# One source tree, every crash's defs.h; a .so of one crash in another.
	if crash_of 9.0.2 && so_for 9.0.2; then
		E2E_CRASH=crash E2E_LABEL="[6.1/8.0.2 running the .so built for 9.0.2]" \
			KMEMLEAK_SO=$SO_BUILT E2E_FORMS=leaks/vmcore E2E_STRICT=0 \
			"$REPO/tests/e2e.sh" </dev/null || true
	fi
	crash_of snapshot && so_for snapshot
}
main 2>&1 | tee "${TMPDIR:-/tmp}/matrix.$$.log"
NFAIL=$(grep -c '^FAIL:' "${TMPDIR:-/tmp}/matrix.$$.log")
rm -f "${TMPDIR:-/tmp}/matrix.$$.log"
[ "$NFAIL" = 0 ]
