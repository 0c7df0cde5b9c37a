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
# 9.0.2 it is a FAIL (see set_sources below).
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
# is a FAIL (set_sources).
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

# ---- the 6.12 and 7.2 sets ------------------------------------------------------
# set_sources SUFFIX LABEL KVER VARIANT CRASHVER: sets FIX (the set's fixture
# dir) and CRASH (a crash that opens it), from CORRUPT_FIXTURE_<SUFFIX> and
# CORRUPT_CRASH_<SUFFIX> or the repo's own scripts (cached), or says why
# not in WHY (return 1). The one place that knows where they come from.
set_sources() {
	local suffix=$1 label=$2 kver=$3 variant=$4 crashver=$5 out
	local fix_var=CORRUPT_FIXTURE_$suffix crash_var=CORRUPT_CRASH_$suffix
	FIX=${!fix_var:-}
	CRASH=${!crash_var:-}
	if [ -z "$FIX" ]; then
		FIX=$(fixture_dir "$variant" "$kver") || FIX=
	fi
	if [ -z "$CRASH" ]; then
		out=$("$REPO/tests/fixture/build-crash.sh" "$crashver" </dev/null) || out=
		CRASH=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
	fi
	if [ -z "$FIX" ] || [ ! -f "$FIX/vmcore" ]; then
		WHY="no $label fixture ($fix_var, or build-fixture.sh $variant $kver)"
		return 1
	fi
	if [ -f "$FIX/release" ] && [ "$(cat "$FIX/release")" != "$kver" ]; then
		WHY="$FIX is the fixture of $(cat "$FIX/release"), not $kver"
		return 1
	fi
	if [ -z "$CRASH" ] || [ ! -x "$CRASH" ]; then
		WHY="no crash $crashver ($crash_var, or tests/fixture/build-crash.sh $crashver)"
		return 1
	fi
}

# run_set SUFFIX LABEL KVER VARIANT CRASHVER: one set of a newer kernel under
# the crash that opens it (CORRUPT_SKIP_<SUFFIX>=1 skips it); its status.
run_set() {
	local suffix=$1 label=$2 skip_var=CORRUPT_SKIP_$1 rc_set start
	if [ "${!skip_var:-0}" = 1 ]; then
		echo "NOTE: corrupt $label: not run ($skip_var=1)"
		return 0
	fi
	if ! set_sources "$@"; then
		echo "FAIL: corrupt $label: not run: $WHY"
		return 1
	fi
	start=$SECONDS
	"$PY" "$REPO/tests/corrupt/corrupt.py" --set "$label" --label "$label" \
		--fixture "$FIX" --crash "$CRASH" \
		--so "$SO" --work "$WORK/$label" \
		${CORRUPT_ONLY:+--only "$CORRUPT_ONLY"}
	rc_set=$?
	echo "corrupt $label: $((SECONDS - start)) s" >&2
	return "$rc_set"
}

# 6.9-6.12: vmap_nodes and typed pages, on the "leaks" fixture under 9.0.2.
run_set 612 6.12 6.12.95+deb12-cloud-amd64 leaks 9.0.2
rc612=$?
# 7.x: SLUB sheaves and barns serve only caches without slub_debug flags,
# hence the "leaks-nodebug" fixture; crash 9.0.2 cannot open 7.2.
run_set 72 7.2 7.2.13+deb14-cloud-amd64 leaks-nodebug snapshot
rc72=$?
[ "$rc" = 0 ] && [ "$rc612" = 0 ] && [ "$rc72" = 0 ]
