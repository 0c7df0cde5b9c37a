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
# Prints PASS:/FAIL: lines and "FIGURE corruption: N cases, M passed";
# exit status 0 only when every case passed. Disk: one copy of a dump
# (~110 MB of a 1 GB sparse file) at a time, in the work directory.
#
# Environment:
#   KMEMLEAK_SO              extension to test (default: <repo>/kmemleak.so)
#   KMEMLEAK_CACHE           cache root (default: $HOME/.cache/kmemleak-crash)
#   CORRUPT_WORK             work directory (default: $KMEMLEAK_CACHE/corrupt)
#   CORRUPT_FIXTURE          "leaks" fixture dir (default: build-fixture.sh leaks)
#   CORRUPT_FIXTURE_NODEBUG  "leaks-nodebug" fixture dir (default: build-fixture.sh)
#   CORRUPT_FIXTURE_DEBUG    "debug" fixture dir (default: build-fixture.sh debug)
#   CORRUPT_ONLY             comma-separated case names to run (the pristine
#                            session always runs: it gives the baseline)
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

# The fixture directory of a variant (cached: instant when up to date).
fixture_dir() {
	local line
	line=$("$REPO/tests/fixture/build-fixture.sh" "$1" </dev/null | tail -n 1)
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
exit $rc
