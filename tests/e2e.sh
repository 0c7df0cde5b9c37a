#!/bin/bash
# e2e.sh - end-to-end test of kmemleak.so on real kernel dumps.
#
#   tests/e2e.sh
#
# For each dump form (variant/file):
#   leaks/vmcore  leaks/vmcore.d31  leaks-nodebug/vmcore  clean/vmcore
# builds (or reuses) the fixture with tests/fixture/build-fixture.sh, runs
#   crash -s vmlinux <dump>   with   extend <kmemleak.so> / memleak / p jiffies
# in batch mode (commands on stdin from a file, timeout 900 s), and checks the
# report against the fixture's expected.tsv. Prints PASS:/FAIL: lines and
# FIGURE lines; exit status 1 if anything failed.
#
# Environment:
#   KMEMLEAK_SO     extension to test (default: <repo>/kmemleak.so)
#   KMEMLEAK_CACHE  fixture cache root (default: $HOME/.cache/kmemleak-crash)
#   E2E_FORMS       forms to run (default: the four above)
#   E2E_LOG_DIR     where crash logs go (default: $KMEMLEAK_CACHE/e2e-logs)
#   E2E_CRASH_LOG   parse this existing crash log instead of running crash
#                   (with E2E_FIXTURE_DIR: the fixture dir giving expected.tsv;
#                   to test this script's parsing)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
. "$REPO/tests/fixture/common.sh"

SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
case "$SO" in /*) ;; *) SO=$(pwd)/$SO ;; esac
FORMS=${E2E_FORMS:-"leaks/vmcore leaks/vmcore.d31 leaks-nodebug/vmcore clean/vmcore"}
LOG_DIR=${E2E_LOG_DIR:-$CACHE/e2e-logs}
CRASH_TIMEOUT=${E2E_CRASH_TIMEOUT:-900}

NPASS=0
NFAIL=0
pass() { echo "PASS: $*"; NPASS=$((NPASS + 1)); }
fail() { echo "FAIL: $*"; NFAIL=$((NFAIL + 1)); }
note() { echo "e2e: $*" >&2; }

# Print a log's tail to stderr, quoted so that no line starts with PASS/FAIL.
show_tail() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/    | /' >&2; }

# parse_orphans LOG: one line per reported object: addr<TAB>size<TAB>cache.
parse_orphans() {
	awk '
	function flush() {
		if (addr != "") printf "%s\t%s\t%s\n", addr, size, cache
		addr = ""
	}
	/^unreferenced object 0x[0-9a-f]+ \(size [0-9]+\):/ {
		flush()
		addr = $3; size = $5; sub(/\).*/, "", size); cache = "-"
		next
	}
	addr != "" && /^[ \t]/ {
		if (cache == "-" && match($0, /cache "[^"]*"/))
			cache = substr($0, RSTART + 7, RLENGTH - 8)
		next
	}
	{ flush() }
	END { flush() }' "$1"
}

# check_form FORM DIR LOG: assertions and figures of one crash session.
check_form() {
	local form=$1 dir=$2 log=$3 orphans sum_line jif_line summary
	local scenario addr size cache expect got gsize gcache
	local nleak=0 found=0 nreach=0 reach_rep=0 total other

	# 1. extension loaded, memleak ran, crash alive afterwards.
	if grep -q 'shared object loaded' "$log" && ! grep -q '^extend: ' "$log"; then
		pass "$form: crash loaded the extension"
	else
		fail "$form: crash loaded the extension ($(grep -m1 -i 'extend\|cannot\|error' "$log" || echo 'no "shared object loaded" line'); log $log)"
		show_tail "$log"
	fi
	sum_line=$(grep -n -E 'orphans: [0-9]+' "$log" | tail -n 1 | cut -d: -f1)
	if [ -n "$sum_line" ]; then
		summary=$(sed -n "${sum_line}p" "$log" | grep -o -E 'orphans: [0-9]+' | tail -n 1 | grep -o -E '[0-9]+$')
		pass "$form: memleak ran (summary: orphans: $summary)"
	else
		summary=
		fail "$form: memleak ran (no 'orphans: N' summary line; log $log)"
		show_tail "$log"
	fi
	jif_line=$(grep -n -E '^jiffies = ' "$log" | tail -n 1 | cut -d: -f1)
	if [ -n "$jif_line" ] && { [ -z "$sum_line" ] || [ "$jif_line" -gt "$sum_line" ]; }; then
		pass "$form: crash still alive after memleak"
	else
		fail "$form: crash still alive after memleak (no 'jiffies = ' output after the summary; log $log)"
		show_tail "$log"
	fi

	orphans=$(parse_orphans "$log")
	total=$(printf '%s' "$orphans" | grep -c . || true)

	# 2. planted blocks.
	while IFS=$'\t' read -r scenario addr size cache expect; do
		[ -n "$scenario" ] || continue
		got=$(awk -F'\t' -v a="$addr" '($1 "") == (a "") { print; exit }' <<<"$orphans")
		if [ "$expect" = leak ]; then
			nleak=$((nleak + 1))
			if [ -z "$got" ]; then
				fail "$form: leak $scenario reported ($addr size $size cache $cache: not reported)"
				continue
			fi
			found=$((found + 1))
			gsize=$(cut -f2 <<<"$got")
			gcache=$(cut -f3 <<<"$got")
			if [ "$gsize" -lt "$size" ]; then
				fail "$form: leak $scenario reported ($addr: size $gsize < planted $size)"
			elif [ "$gcache" != "$cache" ]; then
				fail "$form: leak $scenario reported ($addr: cache \"$gcache\", expected \"$cache\")"
			else
				pass "$form: leak $scenario reported ($addr size $gsize cache $gcache)"
			fi
		else
			nreach=$((nreach + 1))
			if [ -z "$sum_line" ]; then
				fail "$form: reachable $scenario not reported (memleak did not complete)"
			elif [ -z "$got" ]; then
				pass "$form: reachable $scenario not reported"
			else
				reach_rep=$((reach_rep + 1))
				fail "$form: reachable $scenario not reported ($addr reported as an orphan)"
			fi
		fi
	done <"$dir/expected.tsv"

	# 3. figures.
	other=$((total - found - reach_rep))
	if [ "$nleak" -gt 0 ] || [ "$nreach" -gt 0 ]; then
		echo "FIGURE $form: planted leaks found $found/$nleak, planted reachable reported $reach_rep, other orphans (false positives) $other"
	else
		echo "FIGURE $form: orphans $total (summary says ${summary:-?})"
		if [ "$total" -gt 0 ]; then
			echo "FIGURE $form: orphans by cache (top 10):"
			cut -f3 <<<"$orphans" | sort | uniq -c | sort -k1,1nr -k2 | head -n 10 |
				awk '{ printf "    %6d  %s\n", $1, $2 }'
		fi
	fi
	if [ -n "$summary" ] && [ "$summary" != "$total" ]; then
		note "$form: summary says $summary orphans, $total listed"
	fi
}

# ---- parse-only mode (testing this script) --------------------------------------
if [ -n "${E2E_CRASH_LOG:-}" ]; then
	check_form "${E2E_FORM:-test}" "${E2E_FIXTURE_DIR:?set E2E_FIXTURE_DIR}" "$E2E_CRASH_LOG"
	echo "e2e: $NPASS passed, $NFAIL failed" >&2
	[ "$NFAIL" = 0 ]
	exit
fi

# ---- the real thing -------------------------------------------------------------
if [ ! -f "$SO" ]; then
	fail "e2e: extension $SO exists (not built)"
	exit 1
fi
mkdir -p "$LOG_DIR"

declare -A FIXDIR FIXERR
for form in $FORMS; do
	variant=${form%%/*}
	dump=${form#*/}
	if [ -z "${FIXDIR[$variant]+x}" ] && [ -z "${FIXERR[$variant]+x}" ]; then
		note "fixture $variant"
		out=$("$REPO/tests/fixture/build-fixture.sh" "$variant" </dev/null)
		d=$(sed -n 's/^FIXTURE_DIR=//p' <<<"$out" | tail -n 1)
		if [ -n "$d" ] && [ -d "$d" ]; then
			FIXDIR[$variant]=$d
		else
			FIXERR[$variant]=1
		fi
	fi
	if [ -n "${FIXERR[$variant]+x}" ]; then
		fail "$form: fixture available (build-fixture.sh $variant failed)"
		continue
	fi
	dir=${FIXDIR[$variant]}
	if [ ! -s "$dir/$dump" ]; then
		fail "$form: fixture available ($dir/$dump missing)"
		continue
	fi
	if [ "$variant" != clean ] && [ ! -s "$dir/expected.tsv" ]; then
		fail "$form: fixture has planted blocks ($dir/expected.tsv empty)"
	fi

	log=$LOG_DIR/${form//\//_}.log
	cmds=$LOG_DIR/${form//\//_}.cmds
	printf 'extend %s\nmemleak\np jiffies\nquit\n' "$SO" >"$cmds"
	note "crash -s vmlinux $dump ($variant): log $log"
	t0=$(date +%s.%N)
	(cd "$dir" && timeout -k 10 "$CRASH_TIMEOUT" crash -s vmlinux "$dump" <"$cmds" >"$log" 2>&1)
	rc=$?
	t1=$(date +%s.%N)
	[ "$rc" = 124 ] && note "$form: crash timed out after $CRASH_TIMEOUT s"
	echo "FIGURE $form: crash session $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (exit $rc), log $log"
	check_form "$form" "$dir" "$log"
done

echo "e2e: $NPASS passed, $NFAIL failed" >&2
[ "$NFAIL" = 0 ]
