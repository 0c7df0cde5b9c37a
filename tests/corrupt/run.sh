#!/bin/bash
# run.sh - the corruption suite: damaged copies of the fixture dumps, and
# crash must survive every one of them.
#
#   tests/corrupt/run.sh
#
# Each case damages a copy of a fixture dump (a free pointer, a list, a
# kmem_cache, a task, a module, a vmap area, a stack depot handle, jiffies,
# pages or program headers left out, the file truncated...), runs
#   crash -s vmlinux <copy>   with   extend kmemleak.so / memleak ... / p jiffies
# in batch mode, and asserts per case: (a) crash runs the command after
# memleak, (b) memleak ends within CORRUPT_BOUND (120 s) and the session is
# not killed by CORRUPT_TIMEOUT (240 s), (c) the output says what was
# damaged or skipped, (d) no segmentation violation. Also: bad options,
# memleak five times in a row, extend -u and extend again, memory use across
# runs, and Ctrl-C during a scan (crash driven on a pty). The cases are in
# tests/corrupt/corrupt.py; the damage is written by tests/corrupt/vmcore.py
# (virtual -> physical through the dump's page tables, physical -> file
# offset through its PT_LOAD headers) with what tests/corrupt/kstructs.py
# learns from crash on the pristine dump (cached in the work directory).
#
# Then a second set on a 6.12 dump under crash 9.0.2 (Debian's 8.0.2 cannot
# open 6.12): what 6.9-6.12 changed - the per-node vmap_area busy lists
# (vmap_nodes, nr_vmap_nodes, a busy list looped or run into garbage), slab
# and free pages typed by page->page_type (a slab retyped as buddy or as
# nothing, a free page typed as a slab) - plus a few generic cases through
# the new paths (counters, freelists, missing pages, a truncated file). Its
# cases print as "corrupt 6.12/NAME"; without the 6.12 fixture or crash
# 9.0.2 it is a FAIL (see sources_612 below).
#
# And a third set on the 7.2 "leaks-nodebug" dump (SLUB sheaves serve only
# caches without slub_debug flags) under the crash snapshot (9.0.2 cannot
# open 7.2): sheaves and node barns - a sheaf's size above its capacity or
# huge, its cache field naming another cache, an objects[] entry wild,
# duplicated or a live object of another cache, a barn's full-sheaves list
# looped or its head garbage, the barn pointer garbage, a CPU's main sheaf
# NULL or unreadable, the barn's nr_full absurd. Each asserts the damage is
# named, the sheaf's objects become no leak (at most indirect ones of a
# sheaf whose only pointer is gone) and every planted leak is still
# reported. Cases "corrupt 7.2/NAME"; without the fixture or the snapshot it
# is a FAIL (sources_72).
#
# Prints PASS:/FAIL: lines, "FIGURE corruption: N cases, M passed",
# "FIGURE corruption 6.12: N cases, M passed" and "FIGURE corruption 7.2:
# N cases, M passed"; exit status 0 only when every case passed.
#
# Parallel: the crash sessions of a set run on CORRUPT_JOBS workers
# (default 2), each with its own copies of the dump in its own work
# subdirectory (w0, w1: ~110 MB on disk of a 1 GB sparse file each); each
# case's lines are printed whole, in case order, whatever the number of
# workers. The pristine session (the baseline) runs on a worker too, and
# the other cases' checks wait for it; Ctrl-C on a pty runs alone after the
# others (its bounds are timing: the prompt back within 2 s). Wall time,
# warm cache, 2026-12-04, the 2 cores shared with other people's jobs (a
# crash rebuild, a 6.1 fixture rebuild: load average 6-9 throughout, so the
# figures are slow and noisy): before, serial: 6.1 set 798 s + 6.12 set
# 542 s = 1340 s; after, CORRUPT_JOBS=2: 6.1 set 450 s + 6.12 set 312 s =
# 762 s (57%), and the 7.2 set 95 s (15 cases in 4 crash sessions). The
# run before the serial one, on quieter cores, took ~490 s for 6.1 + 6.12.
#
# Environment:
#   KMEMLEAK_SO              extension to test (default: <repo>/kmemleak.so)
#   KMEMLEAK_CACHE           cache root (default: $HOME/.cache/kmemleak-crash)
#   CORRUPT_WORK             work directory (default: $KMEMLEAK_CACHE/corrupt)
#   CORRUPT_FIXTURE          "leaks" fixture dir (default: build-fixture.sh leaks)
#   CORRUPT_FIXTURE_NODEBUG  "leaks-nodebug" fixture dir (default: build-fixture.sh)
#   CORRUPT_FIXTURE_DEBUG    "debug" fixture dir (default: build-fixture.sh debug)
#   CORRUPT_FIXTURE_612      "leaks" fixture dir of 6.12.95+deb12-cloud-amd64
#   CORRUPT_CRASH_612        crash binary that opens it (crash 9.0.2)
#   CORRUPT_SKIP_612=1       do not run the 6.12 set
#   CORRUPT_FIXTURE_72       "leaks-nodebug" fixture dir of 7.2.13+deb14-cloud-amd64
#   CORRUPT_CRASH_72         crash binary that opens it (the crash snapshot)
#   CORRUPT_SKIP_72=1        do not run the 7.2 set
#   CORRUPT_JOBS             crash sessions at once (default 2)
#   CORRUPT_ONLY             comma-separated case names to run (the pristine
#                            session of each set always runs: it gives the
#                            baseline); 6.12/NAME or 7.2/NAME names a case of
#                            that set only, a bare NAME it in every set
#   CORRUPT_BOUND, CORRUPT_TIMEOUT, CORRUPT_SIGINT_DELAYS, CORRUPT_RUN_CRASH_HANGS
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/fixture/common.sh"

SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
case "$SO" in /*) ;; *) SO=$(pwd)/$SO ;; esac
WORK=${CORRUPT_WORK:-$CACHE/corrupt}
PY=$(pick_python)

give_up() {
	echo "FAIL: corrupt: $*"
	echo "FIGURE corruption: 0 cases, 0 passed"
	exit 1
}

# The fixture directory of a variant (cached: instant when up to date);
# "VARIANT KVER" for another kernel's.
fixture_dir() {
	local line
	line=$("$REPO/tests/fixture/build-fixture.sh" "$@" </dev/null | tail -n 1)
	case "$line" in
	FIXTURE_DIR=*) echo "${line#FIXTURE_DIR=}" ;;
	*) return 1 ;;
	esac
}

[ -n "$PY" ] || give_up "no python3"
command -v crash >/dev/null || give_up "crash is not installed (tests/fixture/setup.sh)"
[ -f "$SO" ] || give_up "$SO not built (make kmemleak.so)"
LEAKS=${CORRUPT_FIXTURE:-$(fixture_dir leaks)} || give_up "fixture leaks not available"
NODEBUG=${CORRUPT_FIXTURE_NODEBUG:-$(fixture_dir leaks-nodebug)} || NODEBUG=
[ -n "$NODEBUG" ] || echo "corrupt: no leaks-nodebug fixture: its cases will FAIL" >&2
DEBUGFIX=${CORRUPT_FIXTURE_DEBUG:-$(fixture_dir debug)} || DEBUGFIX=
[ -n "$DEBUGFIX" ] || echo "corrupt: no debug fixture: its cases will FAIL" >&2

export PYTHONDONTWRITEBYTECODE=1
start=$SECONDS
"$PY" "$REPO/tests/corrupt/corrupt.py" --fixture "$LEAKS" \
	--fixture-nodebug "$NODEBUG" --fixture-debug "$DEBUGFIX" \
	--so "$SO" --work "$WORK" \
	${CORRUPT_ONLY:+--only "$CORRUPT_ONLY"}
rc=$?
echo "corrupt: $((SECONDS - start)) s" >&2

# ---- the 6.12 set ----------------------------------------------------------
K612=6.12.95+deb12-cloud-amd64

# sources_612: sets FIX612 (the 6.12 "leaks" fixture dir) and CRASH612 (a
# crash that opens it), or says why not (return 1). The one place that knows
# where they come from.
sources_612() {
	local out
	FIX612=${CORRUPT_FIXTURE_612:-}
	CRASH612=${CORRUPT_CRASH_612:-}
	# The repo's own scripts: the 6.12 fixture and crash 9.0.2 (cached).
	if [ -z "$FIX612" ]; then
		FIX612=$(fixture_dir leaks "$K612") || FIX612=
	fi
	if [ -z "$CRASH612" ]; then
		out=$("$REPO/tests/fixture/build-crash.sh" 9.0.2 </dev/null) || out=
		CRASH612=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
	fi
	if [ -z "$FIX612" ] || [ ! -f "$FIX612/vmcore" ]; then
		WHY="no 6.12 fixture (CORRUPT_FIXTURE_612, or build-fixture.sh leaks $K612)"
		return 1
	fi
	if [ -f "$FIX612/release" ] && [ "$(cat "$FIX612/release")" != "$K612" ]; then
		WHY="$FIX612 is the fixture of $(cat "$FIX612/release"), not $K612"
		return 1
	fi
	if [ -z "$CRASH612" ] || [ ! -x "$CRASH612" ]; then
		WHY="no crash 9.0.2 (CORRUPT_CRASH_612, or tests/fixture/build-crash.sh 9.0.2)"
		return 1
	fi
}

rc612=0
if [ "${CORRUPT_SKIP_612:-0}" = 1 ]; then
	echo "NOTE: corrupt 6.12: not run (CORRUPT_SKIP_612=1)"
elif ! sources_612; then
	echo "FAIL: corrupt 6.12: not run: $WHY"
	rc612=1
else
	start=$SECONDS
	"$PY" "$REPO/tests/corrupt/corrupt.py" --set 6.12 --label 6.12 \
		--fixture "$FIX612" --crash "$CRASH612" \
		--so "$SO" --work "$WORK/6.12" \
		${CORRUPT_ONLY:+--only "$CORRUPT_ONLY"}
	rc612=$?
	echo "corrupt 6.12: $((SECONDS - start)) s" >&2
fi

# ---- the 7.2 set -------------------------------------------------------------
K72=7.2.13+deb14-cloud-amd64

# sources_72: sets FIX72 (the 7.2 "leaks-nodebug" fixture dir: SLUB sheaves
# serve only caches without slub_debug flags) and CRASH72 (the crash
# snapshot: crash 9.0.2 cannot open 7.2), or says why not (return 1).
sources_72() {
	local out
	FIX72=${CORRUPT_FIXTURE_72:-}
	CRASH72=${CORRUPT_CRASH_72:-}
	if [ -z "$FIX72" ]; then
		FIX72=$(fixture_dir leaks-nodebug "$K72") || FIX72=
	fi
	if [ -z "$CRASH72" ]; then
		out=$("$REPO/tests/fixture/build-crash.sh" snapshot </dev/null) || out=
		CRASH72=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
	fi
	if [ -z "$FIX72" ] || [ ! -f "$FIX72/vmcore" ]; then
		WHY="no 7.2 fixture (CORRUPT_FIXTURE_72, or build-fixture.sh leaks-nodebug $K72)"
		return 1
	fi
	if [ -f "$FIX72/release" ] && [ "$(cat "$FIX72/release")" != "$K72" ]; then
		WHY="$FIX72 is the fixture of $(cat "$FIX72/release"), not $K72"
		return 1
	fi
	if [ -z "$CRASH72" ] || [ ! -x "$CRASH72" ]; then
		WHY="no crash snapshot (CORRUPT_CRASH_72, or tests/fixture/build-crash.sh snapshot)"
		return 1
	fi
}

rc72=0
if [ "${CORRUPT_SKIP_72:-0}" = 1 ]; then
	echo "NOTE: corrupt 7.2: not run (CORRUPT_SKIP_72=1)"
elif ! sources_72; then
	echo "FAIL: corrupt 7.2: not run: $WHY"
	rc72=1
else
	start=$SECONDS
	"$PY" "$REPO/tests/corrupt/corrupt.py" --set 7.2 --label 7.2 \
		--fixture "$FIX72" --crash "$CRASH72" \
		--so "$SO" --work "$WORK/7.2" \
		${CORRUPT_ONLY:+--only "$CORRUPT_ONLY"}
	rc72=$?
	echo "corrupt 7.2: $((SECONDS - start)) s" >&2
fi
[ "$rc" = 0 ] && [ "$rc612" = 0 ] && [ "$rc72" = 0 ]
