#!/bin/bash
# run.sh - the benchmark of memleak (not part of the timed tests).
#
#   bench/run.sh                          small fixture + 1 M, 3 M, 10 M objects
#   bench/run.sh --sizes 10000000         only the 10 M dump (plus the small one)
#   bench/run.sh --no-small --forms vmcore --profile
#   bench/run.sh --kver 6.12.95+deb12-cloud-amd64 --sizes 10000000
#
# For each dump (the small test fixture, tests/fixture/build-fixture.sh leaks,
# and the benchmark dumps of bench/build-bench-fixture.sh, built or reused
# from the cache) and each form (vmcore: ELF; vmcore.d31: makedumpfile
# -c -d 31, vmcore.d23 from 6.12 on), with the dump and vmlinux in the page
# cache (warm: read once before):
#   1. crash start-up alone: `crash -s vmlinux DUMP` with only `quit`
#      (the faster of two runs);
#   2. `extend kmemleak.so` + `memleak -q`: wall and CPU time of the crash
#      process minus those of the start-up, peak RSS (/usr/bin/time -v), and
#      memleak's own summary (blocks tracked, bytes scanned, time, MB read);
#   3. the raw read pass: `extend rawread.so` + `rawread` (bench/rawread.c),
#      which reads the struct pages, the slab pages, reserved memory, the
#      kernel's data and the vmalloc areas once, through crash's readmem(),
#      in 1 MiB batches;
#   4. (benchmark dumps, ELF form) `memleak -x 0`: are the planted leaks
#      reported?
# and prints one table. ratio = memleak's own time / the raw read's own time.
# index B/block = (peak RSS of the memleak session - peak RSS of the start-up)
# / blocks tracked: an estimate from outside (it includes the work list, the
# read buffers and whatever crash itself allocates for the reads).
#
# Options:
#   --kver KVER       kernel generation of the dumps (or KMEMLEAK_KVER; default
#                     the fixture's, Debian 6.1). For a kernel that is not
#                     bookworm's (6.12.95+deb12-cloud-amd64, ...) crash is
#                     BENCH_CRASH or tests/fixture/build-crash.sh's 9.0.2
#                     (Debian's 8.0.2 cannot open 6.12), and kmemleak.so and
#                     rawread.so are built against its defs.h into
#                     build/crash-9.0.2/ (as tests/matrix.sh does); a
#                     BENCH_CRASH whose directory holds its defs.h (a
#                     build-crash.sh tree) needs no build-crash.sh call
#   --sizes "N ..."   object counts of the benchmark dumps (default
#                     "1000000 3000000 10000000"; "" for none)
#   --no-small        skip the small test fixture
#   --forms "F ..."   dump forms (default "vmcore vmcore.dN", N the kernel's
#                     makedumpfile level: common.sh:dump_level)
#   --no-check        skip step 4
#   --repeat N        run the start-up, memleak and rawread sessions N times
#                     each (default 1; the start-up always twice) and keep
#                     the fastest (the machine is shared: noise)
#   --table RUNDIR    only print the table of an earlier run (its log directory)
#   --profile         also profile memleak on the largest ELF dump with
#                     perf record -e cpu-clock (software sampling: this
#                     machine has no hardware counters) and print the top
#                     symbols
#
# Logs: $CACHE/bench/runs/<date>/ (the last 5 runs are kept); the table also
# goes to $CACHE/bench/runs/<date>/table.txt.
# Building a benchmark dump boots a 4 GiB TCG guest (see
# build-bench-fixture.sh); a warm cache builds nothing.
set -euo pipefail
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH_SRC/.." && pwd)
. "$REPO/tests/fixture/common.sh"

SIZES="1000000 3000000 10000000"
SMALL=1
FORMS=
CHECK=1
PROFILE=0
REPEAT=1
TABLE_OF=
while [ $# -gt 0 ]; do
	case "$1" in
	--kver) export KMEMLEAK_KVER=$2; shift 2 ;;
	--sizes) SIZES=$2; shift 2 ;;
	--no-small) SMALL=0; shift ;;
	--forms) FORMS=$2; shift 2 ;;
	--no-check) CHECK=0; shift ;;
	--profile) PROFILE=1; shift ;;
	--repeat) REPEAT=$2; shift 2 ;;
	--table) TABLE_OF=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--kver KVER] [--sizes \"N ...\"] [--no-small] [--forms \"F ...\"] [--no-check] [--repeat N] [--profile] [--table RUNDIR]" >&2
	   exit 2 ;;
	esac
done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "bad --repeat $REPEAT"
for s in $SIZES; do [[ "$s" =~ ^[1-9][0-9]*$ ]] || die "bad size $s"; done

# print_table RUNDIR: the table of a run (RUNDIR/meta, RUNDIR/rows.tsv)
print_table() {
	cat "$1/meta"
	echo
	awk '
	function row(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u) {
		printf "%-9s %-10s %8s %5s %5s %6s %7s %7s %6s %6s %6s %6s %5s %6s %6s %6s %6s %5s %5s %6s %4s\n",
			a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u
	}
	BEGIN {
		row("dump", "form", "blocks", "dump", "disk", "start", "memleak", "session", "cpu",
		    "pages", "grey", "scan", "read", "raw", "raw", "ratio", "peak", "dRSS", "B/blk", "planted", "load")
		row("", "", "", "GB", "GB", "up s", "own s", "-start", "s", "s", "s", "MB", "MB", "s",
		    "MB", "", "RSS MB", "MB", "", "found", "")
	}
	{
		st_wall = $7; st_cpu = $8; st_rss = $9
		ml_rss = $12 / 1024; drss = ml_rss - st_rss
		row($1, $2, $3, sprintf("%.2f", $5), sprintf("%.2f", $6), sprintf("%.1f", st_wall),
		    sprintf("%.2f", $13), sprintf("%.2f", $10 - st_wall), sprintf("%.2f", $11 - st_cpu),
		    sprintf("%.2f", $23), sprintf("%.2f", $24), sprintf("%d", ($15 + $16) / 1048576),
		    $14, sprintf("%.2f", $17), $19, sprintf("%.1f", ($17 > 0 ? $13 / $17 : 0)),
		    sprintf("%d", ml_rss), sprintf("%d", drss),
		    sprintf("%.1f", ($3 > 0 ? drss * 1048576 / $3 : 0)), $21, $22)
	}' "$1/rows.tsv"
	cat <<'EOT'

memleak own s, read MB: memleak's summary ("time:" line); session-start, cpu s: the crash
  session running memleak minus the start-up session (wall; user+sys), noisy by +-2 s;
pages s, grey s: memleak -v phases (the struct page pass; the grey scan to the end);
scan MB: roots + reachable blocks scanned (summary); raw s, raw MB: rawread's own figures;
ratio: memleak own s / raw s; peak RSS: of the memleak session; dRSS: that minus the start-up's;
B/blk: dRSS / blocks, an estimate from outside of the index per block (the work list, read
  buffers and crash's own allocations included); planted found: planted leaks reported by
  memleak -x 0 (benchmark dumps, ELF); load: 1-min load average before the row (shared machine)
EOT
}

if [ -n "$TABLE_OF" ]; then
	[ -s "$TABLE_OF/rows.tsv" ] && [ -s "$TABLE_OF/meta" ] || die "$TABLE_OF: no rows.tsv/meta"
	print_table "$TABLE_OF"
	exit 0
fi

RUN=$CACHE/bench/runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN"
# keep the last 5 runs
ls -1d "$CACHE"/bench/runs/*/ 2>/dev/null | head -n -5 | xargs -r rm -rf

# ---- the kernel, crash, the extension and the raw reader -------------------------
KVER=${KMEMLEAK_KVER:-$(current_kver || echo "$DEFAULT_KVER")}
export KMEMLEAK_KVER=$KVER	# for the fixture scripts (setup.sh gets a KVER)
[ -n "$FORMS" ] || FORMS="vmcore vmcore.d$(dump_level "$KVER")"
CRASH=${BENCH_CRASH:-}
if [ -z "$CRASH" ] && [ "$(kver_suite "$KVER")" = bookworm ]; then
	CRASH=crash
	log "make kmemleak.so bench/rawread.so"
	make -C "$REPO" kmemleak.so bench/rawread.so >"$RUN/make.log" 2>&1 ||
		{ cat "$RUN/make.log" >&2; die "make failed"; }
	SO=$REPO/kmemleak.so
	RAWREAD=$REPO/bench/rawread.so
else
	if [ -n "$CRASH" ] && [ -f "$(dirname "$CRASH")/defs.h" ]; then
		inc=$(dirname "$CRASH")
	else
		out=$("$REPO/tests/fixture/build-crash.sh" 9.0.2 </dev/null) ||
			die "tests/fixture/build-crash.sh 9.0.2 failed"
		[ -n "$CRASH" ] || CRASH=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
		inc=$(sed -n 's/^CRASH_INCLUDE=//p' <<<"$out" | tail -n 1)
	fi
	build=$REPO/build/crash-$("$CRASH" --version 2>/dev/null | sed -n 's/^crash \([0-9][^ ]*\).*/\1/p' | head -n 1)
	log "make kmemleak.so rawread.so against $inc/defs.h into $build"
	make -C "$REPO" BUILD="$build" CRASH_INCLUDE="$inc" "$build/kmemleak.so" \
		"$build/rawread.so" >"$RUN/make.log" 2>&1 ||
		{ cat "$RUN/make.log" >&2; die "make failed"; }
	SO=$build/kmemleak.so
	RAWREAD=$build/rawread.so
fi

# ---- the dumps -----------------------------------------------------------------
DUMPS=()	# "label dir"
if [ "$SMALL" = 1 ]; then
	d=$("$REPO/tests/fixture/build-fixture.sh" leaks "$KVER" | sed -n 's/^FIXTURE_DIR=//p' | tail -n 1)
	[ -n "$d" ] || die "tests/fixture/build-fixture.sh leaks failed"
	DUMPS+=("small $d")
fi
for n in $SIZES; do
	d=$("$BENCH_SRC/build-bench-fixture.sh" "$n" "$KVER" | sed -n 's/^BENCH_DIR=//p' | tail -n 1)
	[ -n "$d" ] || die "build-bench-fixture.sh $n failed"
	DUMPS+=("n$n $d")
done

# ---- measuring ------------------------------------------------------------------
# crash_session NAME DIR DUMP CMDS...: runs crash under /usr/bin/time -v with
# the commands; output in $RUN/NAME.out, figures in $RUN/NAME.time; sets
# S_WALL S_CPU S_RSS (s, s, KiB).
crash_session() {
	local name=$1 dir=$2 dump=$3
	shift 3
	printf '%s\n' "$@" quit >"$RUN/$name.cmds"
	(cd "$dir" && /usr/bin/time -v -o "$RUN/$name.time" \
		"$CRASH" -s vmlinux "$dump" <"$RUN/$name.cmds" >"$RUN/$name.out" 2>&1) || true
	read -r S_WALL S_CPU S_RSS < <(awk -F': ' '
		/Elapsed \(wall clock\)/ {
			n = split($2, t, ":"); w = 0
			for (i = 1; i <= n; i++) w = w * 60 + t[i]
		}
		/User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident set size/ { r = $2 }
		END { printf "%.2f %.2f %d\n", w, u + s, r }' "$RUN/$name.time")
}

warm() {	# warm DIR DUMP: the dump and vmlinux into the page cache
	cat "$1/$2" "$1/vmlinux" >/dev/null
}

# Timings mean little while a TCG guest eats both cores: wait (up to
# BENCH_QEMU_WAIT s, default 1800; 0 = do not wait) until none runs.
QEMU_WAIT=${BENCH_QEMU_WAIT:-1800}
quiet_machine() {
	local t0=$SECONDS
	[ "$QEMU_WAIT" -gt 0 ] || return 0
	while pgrep -f qemu-system-x86_64 >/dev/null; do
		if [ $((SECONDS - t0)) -ge "$QEMU_WAIT" ]; then
			log "a qemu-system-x86_64 still runs after $QEMU_WAIT s: measuring anyway"
			return 0
		fi
		[ $(((SECONDS - t0) % 60)) -lt 10 ] &&
			log "a qemu-system-x86_64 runs; waiting before measuring ($((SECONDS - t0)) s)"
		sleep 10
	done
}

# field FILE REGEX: first capture group (sed -E) of the first matching line
field() { sed -nE "s/$2/\\1/p" "$1" | head -n 1; }

TABLE=$RUN/table.txt
ROWS=$RUN/rows.tsv
: >"$ROWS"
LARGEST=
for entry in "${DUMPS[@]}"; do
	label=${entry%% *}
	dir=${entry#* }
	LARGEST="$label $dir"
	for form in $FORMS; do
		[ -s "$dir/$form" ] || { log "$label: no $form, skipped"; continue; }
		tag=$label-$form
		quiet_machine
		log "$tag: warming the page cache"
		warm "$dir" "$form"
		load=$(cut -d' ' -f1 /proc/loadavg)
		log "$tag: crash start-up"
		crash_session "$tag-startup1" "$dir" "$form"
		st_wall=$S_WALL st_cpu=$S_CPU st_rss=$S_RSS
		crash_session "$tag-startup2" "$dir" "$form"
		if awk -v a="$S_WALL" -v b="$st_wall" 'BEGIN { exit !(a < b) }'; then
			st_wall=$S_WALL st_cpu=$S_CPU st_rss=$S_RSS
		fi
		for ((k = 3; k <= REPEAT; k++)); do
			crash_session "$tag-startup$k" "$dir" "$form"
			if awk -v a="$S_WALL" -v b="$st_wall" 'BEGIN { exit !(a < b) }'; then
				st_wall=$S_WALL st_cpu=$S_CPU st_rss=$S_RSS
			fi
		done
		best=
		for ((k = 1; k <= REPEAT; k++)); do
			log "$tag: memleak -q ($k of $REPEAT)"
			crash_session "$tag-memleak$k" "$dir" "$form" "extend $SO" "memleak -q -v"
			out=$RUN/$tag-memleak$k.out
			grep -q '^  time: ' "$out" || {
				tail -n 20 "$out" >&2
				die "$tag: no memleak summary (see $out)"
			}
			t=$(field "$out" '^  time: +([0-9.]+) s.*')
			if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
				best=$t
				ml_wall=$S_WALL ml_cpu=$S_CPU ml_rss=$S_RSS
				cp "$out" "$RUN/$tag-memleak.out"
			fi
		done
		out=$RUN/$tag-memleak.out
		blocks=$(field "$out" '^  blocks tracked: +([0-9]+) .*')
		slab=$(field "$out" '^  blocks tracked: .*: ([0-9]+) slab objects.*')
		roots_b=$(field "$out" '^  roots scanned: +([0-9]+) bytes.*')
		blk_b=$(field "$out" '^  blocks scanned: +[0-9]+ reachable blocks, ([0-9]+) bytes.*')
		ml_t=$(field "$out" '^  time: +([0-9.]+) s.*')
		ml_mb=$(field "$out" '^  time: +[0-9.]+ s, ([0-9]+) MB read.*')
		orphans=$(field "$out" '^  orphans: ([0-9]+) reported.*')
		# phases (-v): the struct page pass, and the grey scan to the end
		ph_walk=$(field "$out" '^memleak: \[ *([0-9.]+)s\] walking the struct page array')
		ph_roots=$(field "$out" '^memleak: \[ *([0-9.]+)s\] collecting roots')
		ph_grey=$(field "$out" '^memleak: \[ *([0-9.]+)s\] scanning reachable blocks')
		walk_s=$(awk -v a="${ph_walk:-0}" -v b="${ph_roots:-0}" 'BEGIN { printf "%.2f", b - a }')
		grey_s=$(awk -v a="${ph_grey:-0}" -v b="$ml_t" 'BEGIN { printf "%.2f", b - a }')
		best=
		for ((k = 1; k <= REPEAT; k++)); do
			log "$tag: rawread ($k of $REPEAT)"
			crash_session "$tag-rawread$k" "$dir" "$form" "extend $RAWREAD" "rawread"
			t=$(field "$RUN/$tag-rawread$k.out" '^rawread: total [0-9]+ bytes \([0-9]+ MB\) in ([0-9.]+) s wall.*')
			[ -n "$t" ] || die "$tag: no rawread total (see $RUN/$tag-rawread$k.out)"
			if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
				best=$t
				cp "$RUN/$tag-rawread$k.out" "$RUN/$tag-rawread.out"
			fi
		done
		rr_out=$RUN/$tag-rawread.out
		rr_t=$(field "$rr_out" '^rawread: total [0-9]+ bytes \([0-9]+ MB\) in ([0-9.]+) s wall.*')
		rr_mb=$(field "$rr_out" '^rawread: total [0-9]+ bytes \(([0-9]+) MB\).*')
		rr_cpu=$(field "$rr_out" '^rawread: total .* s wall, ([0-9.]+) s cpu.*')
		[ -n "$rr_t" ] || die "$tag: no rawread total (see $rr_out)"
		planted=-
		if [ "$CHECK" = 1 ] && [ "$form" = vmcore ] && [ "$label" != small ] &&
		   [ -s "$dir/expected.tsv" ]; then
			log "$tag: memleak -x 0 (are the planted leaks reported?)"
			crash_session "$tag-check" "$dir" "$form" "extend $SO" "memleak -x 0"
			planted=$(awk -F'\t' '
				FNR == NR { want[$2] = 1; n++; next }
				/^unreferenced object 0x/ { a = $0; sub(/^unreferenced object /, "", a)
					sub(/ .*/, "", a); if (a in want && !(a in got)) { got[a] = 1; k++ } }
				END { printf "%d/%d", k, n }' "$dir/expected.tsv" "$RUN/$tag-check.out")
		fi
		dump_gb=$(du --apparent-size -B1 "$dir/$form" | awk '{ printf "%.2f", $1 / 1e9 }')
		disk_gb=$(du -B1 "$dir/$form" | awk '{ printf "%.2f", $1 / 1e9 }')
		printf '%s\n' "$label $form $blocks $slab $dump_gb $disk_gb $st_wall $st_cpu $((st_rss / 1024)) $ml_wall $ml_cpu $ml_rss $ml_t $ml_mb $roots_b $blk_b $rr_t $rr_cpu $rr_mb $orphans $planted $load $walk_s $grey_s" >>"$ROWS"
		log "$tag: blocks $blocks, memleak ${ml_t} s (${ml_mb} MB), rawread ${rr_t} s (${rr_mb} MB), start-up ${st_wall} s"
	done
done

# ---- the table ----------------------------------------------------------------------

{
	echo "memleak benchmark, $(date -u +'%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "kernel $KVER, kmemleak.so $(cd "$REPO" && git describe --always --dirty 2>/dev/null || echo '?') (sha256 $(sha256sum "$SO" | cut -c1-12)), crash $("$CRASH" --version 2>/dev/null | sed -n 's/^crash \([0-9].*\)/\1/p' | head -n 1), repeat $REPEAT"
} >"$RUN/meta"
print_table "$RUN" | tee "$TABLE"

# ---- profile --------------------------------------------------------------------------
if [ "$PROFILE" = 1 ] && [ -n "$LARGEST" ]; then
	label=${LARGEST%% *}
	dir=${LARGEST#* }
	command -v perf >/dev/null || die "perf not found"
	log "$label-vmcore: perf record -e cpu-clock on memleak -q"
	warm "$dir" vmcore
	P=$RUN/profile
	mkdir -p "$P"
	rm -f "$P/in"
	mkfifo "$P/in"
	(cd "$dir" && exec "$CRASH" -s vmlinux vmcore <"$P/in" >"$P/crash.out" 2>&1) &
	CRASH_PID=$!
	exec 7>"$P/in"
	echo "extend $SO" >&7
	for _ in $(seq 600); do grep -q 'shared object loaded' "$P/crash.out" && break; sleep 1; done
	perf record -e cpu-clock -F 997 -p "$CRASH_PID" -o "$P/perf.data" >"$P/perf-record.log" 2>&1 &
	PERF_PID=$!
	# how many read(2)/lseek(2) calls memleak makes (crash reads a dump page by page)
	perf stat -e syscalls:sys_enter_read,syscalls:sys_enter_lseek,syscalls:sys_enter_pread64 \
		-p "$CRASH_PID" -o "$P/syscalls.txt" >/dev/null 2>&1 &
	STAT_PID=$!
	sleep 1
	echo "memleak -q" >&7
	for _ in $(seq 3600); do grep -q '^  time: ' "$P/crash.out" && break; sleep 1; done
	kill -INT "$PERF_PID" "$STAT_PID" 2>/dev/null || true
	wait "$PERF_PID" "$STAT_PID" 2>/dev/null || true
	echo quit >&7
	exec 7>&-
	wait "$CRASH_PID" 2>/dev/null || true
	rm -f "$P/in"
	{
		echo "== memleak -q on $label-vmcore: $(grep '^  time: ' "$P/crash.out")"
		echo "== system calls during memleak (perf stat):"
		grep 'syscalls:' "$P/syscalls.txt" || true
		echo "== by object (perf record -e cpu-clock):"
		perf report -i "$P/perf.data" --stdio --no-children --sort dso 2>/dev/null |
			grep -v '^#' | grep -v '^$' | sed 's/ *$//' | head -n 8
		echo "== top symbols:"
		perf report -i "$P/perf.data" --stdio --no-children --sort dso,symbol 2>/dev/null |
			grep -v '^#' | grep -v '^$' | sed 's/[ -]*$//' | head -n 25
	} | tee "$P/top.txt"
	echo "(profile: $P)"
fi
echo "(logs: $RUN)"
