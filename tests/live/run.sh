#!/bin/bash
# run.sh - memleak on a live system: crash runs inside a QEMU guest on
# /proc/kcore, with the planted leaks of memleak_test.ko (issue 5).
#
#   tests/live/run.sh
#   LIVE_KVERS=6.12.95+deb12-cloud-amd64 tests/live/run.sh     (one kernel)
#
# For each kernel of LIVE_KVERS (default: the fixture kernel, Debian 6.1
# cloud, then Debian bookworm-backports' 6.12 cloud), boots it (TCG,
# slub_debug=U, KASLR on) with memleak_test.ko loaded from a busybox
# initramfs (tests/live/init). The guest mounts a read-only ext4 disk (NVMe;
# both are built into these kernels, their 9p support is not, so the host's
# root cannot be shared) holding crash, its libraries, a busybox for crash's
# "!" commands and the debug vmlinux with a .gdb_index section added (crash
# starts about twice as fast), chroots into it and runs
#   crash -s /vmlinux /proc/kcore
#   extend kmemleak.so / memleak -v / p jiffies / memleak -s / p jiffies
# while the module's blocks are long older than memleak's 5 s age rule.
# The crash is the one that opens that kernel: Debian 12's 8.0.2 up to 6.1
# (with --active, see init), 9.0.2 from tests/fixture/build-crash.sh after
# (8.0.2 cannot read 6.12), with the extension built against that crash's
# defs.h in build/crash-9.0.2 as tests/matrix.sh builds it (the crash an
# extension is built for is the one it is meant to run in; matrix.sh checks
# the cross-loading separately). The test module of a kernel whose headers
# are not installed on this machine is the one of its "leaks" fixture
# (tests/fixture/build-fixture.sh leaks KVER, built there with the
# kernel's own headers and compiler).
# crash's output comes back over the serial console; the planted verdicts
# (the module's "memleak_test: block ..." lines, read from the guest's
# kernel log) are checked against it with tests/e2e.sh's checks
# (E2E_CRASH_LOG mode, form "live"): every planted leak reported, no planted
# reachable block reported, classes, backtraces, groups. The young leak is
# older than 5 s by the time memleak runs here: a leak like the others.
# Also checked: the summary says how many slabs and blocks were skipped as
# inconsistent (memory changing while it is read). While memleak runs, a
# shell loop starts and ends processes without pause (slab churn on the
# other CPU).
#
# Prints PASS:/FAIL: lines and FIGURE lines: the agreement of the live
# report with the planted verdicts and with the dump run of the "leaks"
# fixture of the same kernel (same module, a dump instead of a live system,
# read by the same crash), and timings. The fixture kernel's lines say
# "live:" (as tests/e2e.sh's unlabelled lines are its 6.1 fixtures), another
# kernel's "live X.Y:" (e.g. "live 6.12:"). Exit status 0 only when nothing
# failed. Runs as root, without stdin.
#
# Cached per kernel under $KMEMLEAK_CACHE/live/<kver>/ (rebuilt when missing
# or stale: each file's name carries a hash of its recipe and inputs; ~1.2 GB
# for 6.1, ~0.9 GB for 6.12): the module, the indexed vmlinux, the disk
# image, the crash log of the dump run (kept while dump, crash and extension
# are the same). The QEMU boot holds $KMEMLEAK_CACHE/.build.lock (one guest at a
# time on this machine). A guest that dies before crash begins (6.12.95 under
# TCG oopses in early boot now and then, see build-fixture.sh) is booted
# again, LIVE_BOOT_ATTEMPTS times at most.
#
# Measured on 2 cores shared with a kernel build: the 6.1 run takes 1.5-2 min
# with the cache, 2.6 min without (gdb index 29 s, disk image 12 s); in the
# guest crash starts in 45-55 s (TCG), memleak -v takes 5-10 s (scan 2-4 s);
# crash's peak RSS is ~420 MB: 1024 MiB of guest RAM is enough (800 MB
# still available at the end), 1536 MiB is the default for margin.
# Both kernels in one run (2026-12-04, 2 cores shared with other jobs'
# guests and builds, load 7-9): 810 s in all, of it 224 s waiting for
# another job's guest (the QEMU lock).
#   6.1, crash 8.0.2, its cache empty: 278 s (module 9 s, gdb index 32 s,
#     disk image 15 s, boot to power-off 179 s: crash start-up 73 s,
#     memleak -v 72 s with a 16 s scan; peak RSS 421 MB).
#   6.12, crash 9.0.2, cached: 307 s besides the lock wait (set-up 29 s,
#     boot to power-off 233 s: crash start-up 143 s, memleak -v 58 s with an
#     11 s scan, peak RSS 392 MB; checks and the dump run 45 s); its first
#     run, cache empty, added gdb index 26 s and disk image 19 s (656 MB).
# Again with both cached (the dump runs not yet): 6.1 490 s, of it 203 s
# waiting for the QEMU lock and more for another job's fixture build (boot
# to power-off 174 s); 6.12 279 s (boot to power-off 206 s, crash start-up
# 116 s).
# A kept dump run saves its crash session on the host (6.1 about 20 s,
# 6.12 about 40 s).
# So 6.12 adds about 4-5 min on a loaded machine, most of it crash 9.0.2's
# start-up in the guest (143 s, 8.0.2's on 6.1 73 s). The gdb index helps
# it little: on the host, same load, crash 9.0.2 opens the 6.12 leaks dump
# in 34 s with it, 38 s without; perf puts 60 % of that in crash's own
# symname_hash_init and strcmp, not in gdb.
#
# Environment:
#   LIVE_KVERS        the kernels, in order (default: "$DEFAULT_KVER
#                     6.12.95+deb12-cloud-amd64"); each is set up with
#                     tests/fixture/setup.sh KVER
#   LIVE_KVER         one kernel: what each run of the LIVE_KVERS loop is
#   KMEMLEAK_SO       extension to test in Debian's crash (default:
#                     <repo>/kmemleak.so, built if missing)
#   KMEMLEAK_CACHE    cache root (default: $HOME/.cache/kmemleak-crash)
#   LIVE_MEM          guest RAM in MiB (default 1536)
#   LIVE_TIMEOUT      seconds from boot to the guest's power-off (default 540)
#   LIVE_BOOT_ATTEMPTS boots before a guest death is a failure (default 3)
#   LIVE_COMPARE_DUMP 0: skip the comparison with the "leaks" dump
#   LIVE_LOG_DIR      where the console log and crash log go, in a folder
#                     per kernel (default: $KMEMLEAK_CACHE/live/<kver>/logs)
set -uo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
. "$REPO/tests/fixture/common.sh"

# ---- the kernels: one run of this script each ---------------------------------
if [ -z "${LIVE_KVER:-}" ]; then
	T_ALL=$SECONDS
	nbad=0 nk=0
	for k in ${LIVE_KVERS:-$DEFAULT_KVER 6.12.95+deb12-cloud-amd64}; do
		nk=$((nk + 1))
		LIVE_KVER=$k "$BASH" "$0" </dev/null || nbad=$((nbad + 1))
	done
	[ "$nk" -gt 0 ] || { echo "FAIL: live: no kernel in LIVE_KVERS"; exit 1; }
	[ "$nk" = 1 ] || echo "FIGURE live: $nk kernels, $nbad failed; all of them $((SECONDS - T_ALL)) s"
	[ "$nbad" = 0 ]
	exit
fi
KVER=$LIVE_KVER
case "$KVER" in
*/*|.*|*[!A-Za-z0-9.+~_-]*) echo "FAIL: live: bad kernel version '$KVER'"; exit 1 ;;
esac

SO=${KMEMLEAK_SO:-$REPO/kmemleak.so}
case "$SO" in /*) ;; *) SO=$(pwd)/$SO ;; esac
LIVE=$CACHE/live/$KVER
LOGS=$LIVE/logs
[ -z "${LIVE_LOG_DIR:-}" ] || LOGS=$LIVE_LOG_DIR/$KVER
MEM=${LIVE_MEM:-1536}
TIMEOUT=${LIVE_TIMEOUT:-540}
ATTEMPTS=${LIVE_BOOT_ATTEMPTS:-3}
YOUNG_DELAY_MS=2000
# bookworm's kernel is the fixture kernel: its lines stay "live:"
SUITE=$(kver_suite "$KVER")
if [ "$SUITE" = bookworm ]; then
	L=live
else
	L="live $(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$KVER")"
fi
# The crash that opens this kernel: Debian 12's 8.0.2 reads up to 6.1
# (README's support matrix), 9.0.2 the newer ones.
case "$KVER" in
[1-5].*|6.[0-9].*|6.[0-9]-*) CRASH_VERSION=8.0.2 ;;
*) CRASH_VERSION=9.0.2 ;;
esac

NFAIL=0
pass() { echo "PASS: $L: $*"; }
fail() { echo "FAIL: $L: $*"; NFAIL=$((NFAIL + 1)); }
give_up() { fail "$*"; exit 1; }
show_tail() { tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/    | /' >&2; }
sha() { sha256sum "$@" | cut -c1-16; }

T_ALL=$SECONDS
"$REPO/tests/fixture/setup.sh" "$KVER" </dev/null >&2 || give_up "tests/fixture/setup.sh $KVER failed"
KDIR=$(kernel_dir "$KVER")
# bookworm's headers are installed (setup.sh); another suite's module comes
# from its leaks fixture (below)
HDRS=
[ "$SUITE" != bookworm ] || HDRS=/usr/src/linux-headers-$KVER
for f in "$KDIR/vmlinuz" "$KDIR/vmlinux" ${HDRS:+"$HDRS/Makefile"}; do
	[ -s "$f" ] || give_up "missing $f (setup.sh incomplete?)"
done
mkdir -p "$LIVE" "$LOGS" || give_up "cannot create $LIVE"

# ---- crash and the extension built for it ------------------------------------------
if [ "$CRASH_VERSION" = 8.0.2 ]; then
	CRASH=$(command -v crash) || give_up "crash is not installed"
	# crash 8.0.2 misreads this kernel's struct pid (see init)
	CRASH_ARGS=--active
	if [ ! -f "$SO" ]; then
		make -C "$REPO" kmemleak.so >&2 </dev/null || give_up "make kmemleak.so failed"
	fi
else
	out=$("$REPO/tests/fixture/build-crash.sh" "$CRASH_VERSION" </dev/null) ||
		give_up "tests/fixture/build-crash.sh $CRASH_VERSION failed"
	CRASH=$(sed -n 's/^CRASH=//p' <<<"$out" | tail -n 1)
	CRASH_INCLUDE=$(sed -n 's/^CRASH_INCLUDE=//p' <<<"$out" | tail -n 1)
	[ -x "$CRASH" ] && [ -f "$CRASH_INCLUDE/defs.h" ] ||
		give_up "build-crash.sh $CRASH_VERSION gave no crash binary and defs.h"
	CRASH_ARGS=
	# make's own dependencies decide what is rebuilt (nothing, as a rule)
	SO_BUILD=$REPO/build/crash-$CRASH_VERSION
	SO=$SO_BUILD/kmemleak.so
	mkdir -p "$SO_BUILD" || give_up "mkdir $SO_BUILD"
	make -C "$REPO" BUILD="$SO_BUILD" CRASH_INCLUDE="$CRASH_INCLUDE" "$SO" \
		>"$SO_BUILD.make.log" 2>&1 </dev/null || {
		show_tail "$SO_BUILD.make.log"
		give_up "make $SO (against crash $CRASH_VERSION's defs.h) failed"
	}
fi
[ -f "$SO" ] || give_up "$SO not built"

# ---- memleak_test.ko (cached per source and kernel) ---------------------------
MOD_SRC="$REPO/tests/fixture/module"
if [ -n "$HDRS" ]; then
	MOD_DIR=$LIVE/module-$(cat "$MOD_SRC/memleak_test.c" "$MOD_SRC/Kbuild" "$MOD_SRC/Makefile" \
		<(echo "$KVER") | sha)
	if [ ! -s "$MOD_DIR/memleak_test.ko" ]; then
		log "building memleak_test.ko against $HDRS"
		rm -rf "$LIVE"/module-*
		mkdir -p "$MOD_DIR.tmp"
		cp "$MOD_SRC/memleak_test.c" "$MOD_SRC/Kbuild" "$MOD_SRC/Makefile" "$MOD_DIR.tmp/"
		make -C "$HDRS" M="$MOD_DIR.tmp" modules >"$MOD_DIR.tmp/build.log" 2>&1 </dev/null || {
			show_tail "$MOD_DIR.tmp/build.log"
			give_up "memleak_test.ko build failed"
		}
		mv "$MOD_DIR.tmp" "$MOD_DIR"
	fi
else
	# The leaks fixture's, built there with the kernel's extracted headers
	# (in its suite's chroot if it has one); cached, so quick. Copied: a
	# fixture rebuilt meanwhile by another checkout sharing the cache
	# starts by removing its directory.
	line=$("$REPO/tests/fixture/build-fixture.sh" leaks "$KVER" </dev/null | tail -n 1)
	FIX=${line#FIXTURE_DIR=}
	[ "$line" != "$FIX" ] && [ -s "$FIX/memleak_test.ko" ] ||
		give_up "no memleak_test.ko from tests/fixture/build-fixture.sh leaks $KVER"
	MOD_DIR=$LIVE/module-$(sha "$FIX/memleak_test.ko")
	if [ ! -s "$MOD_DIR/memleak_test.ko" ]; then
		rm -rf "$LIVE"/module-*
		{ mkdir -p "$MOD_DIR.tmp" && cp "$FIX/memleak_test.ko" "$MOD_DIR.tmp/" &&
			mv "$MOD_DIR.tmp" "$MOD_DIR"; } || give_up "cannot copy $FIX/memleak_test.ko"
	fi
fi

# ---- the debug vmlinux with a gdb index ------------------------------------------
# crash's gdb reads .gdb_index instead of building partial symbol tables
# from all of the DWARF: start-up 18 s -> 9 s on the host, more under TCG.
# (key: the vmlinux and the tools that index it)
VMLINUX_KEY=$({
	stat -c 'vmlinux %s %Y' "$KDIR/vmlinux"
	gdb --version 2>&1 | head -n 1
	objcopy --version 2>&1 | head -n 1
} | sha)
VMLINUX=$LIVE/vmlinux-$VMLINUX_KEY
if [ ! -s "$VMLINUX" ]; then
	rm -f "$LIVE"/vmlinux-*
	t0=$SECONDS
	if command -v gdb >/dev/null && command -v objcopy >/dev/null; then
		log "adding a gdb index to the debug vmlinux"
		rm -rf "$LIVE/index.tmp"
		mkdir -p "$LIVE/index.tmp"
		if gdb -batch -nx -ex "save gdb-index $LIVE/index.tmp" "$KDIR/vmlinux" \
			</dev/null >&2 && [ -s "$LIVE/index.tmp/vmlinux.gdb-index" ] &&
		   objcopy --add-section .gdb_index="$LIVE/index.tmp/vmlinux.gdb-index" \
			--set-section-flags .gdb_index=readonly "$KDIR/vmlinux" "$VMLINUX.tmp" >&2; then
			mv -f "$VMLINUX.tmp" "$VMLINUX"
		fi
		rm -rf "$LIVE/index.tmp" "$VMLINUX.tmp"
	fi
	if [ ! -s "$VMLINUX" ]; then
		log "no gdb index (gdb or objcopy missing or failed): plain vmlinux"
		cp "$KDIR/vmlinux" "$VMLINUX.tmp" && mv -f "$VMLINUX.tmp" "$VMLINUX" ||
			give_up "cannot copy the vmlinux"
	fi
	log "vmlinux for the guest ready in $((SECONDS - t0)) s"
fi

# ---- the guest's disk: crash, its libraries, busybox, the vmlinux ---------------
BUSYBOX=$(command -v busybox || true)
[ -x /bin/busybox ] && BUSYBOX=/bin/busybox
[ -n "$BUSYBOX" ] || give_up "busybox not found"
file -L "$BUSYBOX" 2>/dev/null | grep -q "dynamically linked" &&
	give_up "$BUSYBOX is dynamically linked (install busybox-static)"
# crash runs /usr/bin/strings on the vmlinux when its banner does not
# match /proc/version at first sight (live, KASLR)
STRINGS=/usr/bin/strings
[ -x "$STRINGS" ] || give_up "$STRINGS not found (binutils)"
# kmemleak.so's own libraries too (libdw, libelf: the alias table)
LIBS=$(ldd "$CRASH" "$STRINGS" "$SO" |
	sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' | sort -u)
[ -n "$LIBS" ] || give_up "ldd $CRASH listed no libraries"
# The alias table of the vmlinux, built here (fast) rather than under TCG
# in the guest, which finds it in /aliascache (XDG_CACHE_HOME, see init).
ALIAS_FORMAT=$(sed -n 's/^#define MLK_ALIAS_FORMAT_VERSION \([0-9]*\).*/\1/p' "$REPO/offsets/alias_cache.h")
IMG_KEY=$({
	echo "image v4 $VMLINUX_KEY aliases v$ALIAS_FORMAT"
	sha256sum "$CRASH" "$STRINGS" "$BUSYBOX" $LIBS
} | sha)
IMG=$LIVE/root-$IMG_KEY.img
if [ ! -s "$IMG" ]; then
	t0=$SECONDS
	log "building the guest's disk image"
	rm -f "$LIVE"/root-*.img
	S=$LIVE/stage.tmp
	rm -rf "$S"
	mkdir -p "$S/usr/bin" "$S/bin" "$S/proc" "$S/sys" "$S/dev" "$S/tmp" || give_up "mkdir $S"
	cp "$CRASH" "$S/usr/bin/crash" && cp "$STRINGS" "$S/usr/bin/strings" &&
		cp "$BUSYBOX" "$S/bin/busybox" || give_up "cp crash"
	for a in sh cat cut echo ls; do ln -s busybox "$S/bin/$a"; done
	for l in $LIBS; do
		mkdir -p "$S$(dirname "$l")" && cp -L "$l" "$S$l" || give_up "cp $l"
	done
	ln "$VMLINUX" "$S/vmlinux" 2>/dev/null || cp "$VMLINUX" "$S/vmlinux" || give_up "cp vmlinux"
	make -C "$REPO" offsets-tool >&2 </dev/null || give_up "make offsets-tool failed"
	XDG_CACHE_HOME=$S/aliascache "$REPO/build/aliasdump" "$VMLINUX" >&2 ||
		give_up "aliasdump $VMLINUX failed"
	mb=$(( $(du -sm "$S" | cut -f1) * 11 / 10 + 64 ))
	mkfs.ext4 -q -F -L kmlroot -E root_owner=0:0 -d "$S" "$IMG.tmp" "${mb}M" >&2 ||
		give_up "mkfs.ext4 -d failed"
	mv -f "$IMG.tmp" "$IMG"
	rm -rf "$S"
	log "disk image ${mb} MB ready in $((SECONDS - t0)) s"
fi

# ---- initramfs: busybox, init, the module, the extension, crash's commands ----------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kmemleak-live.XXXXXX") || give_up "mktemp"
QEMU_PID=
cleanup() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null
		wait "$QEMU_PID" 2>/dev/null
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
R=$WORK/root
mkdir -p "$R/bin" "$R/lib/modules" "$R/dev" "$R/proc" "$R/sys"
cp "$BUSYBOX" "$R/bin/busybox" && ln -s busybox "$R/bin/sh" &&
	cp "$REPO/tests/live/init" "$R/init" && chmod 755 "$R/init" "$R/bin/busybox" &&
	cp "$MOD_DIR/memleak_test.ko" "$R/lib/modules/" && cp "$SO" "$R/kmemleak.so" &&
	echo "$CRASH_ARGS" >"$R/crash-args" || give_up "cannot assemble the initramfs"
# Load while memleak reads: processes start and end without pause on the
# other CPU (task_struct, mm, vma, file, pid... allocated and freed).
cat >"$R/churn" <<'EOF'
while :; do ls / >/dev/null; cat /proc/meminfo >/dev/null; done
EOF
# "!echo" stamps: the guest's uptime when crash reaches each command
cat >"$R/cmds" <<'EOF'
!echo "LIVE-T: ready $(cut -d' ' -f1 /proc/uptime)"
extend /tmp/kmemleak.so
!sh /tmp/churn </dev/null >/dev/null 2>&1 &
memleak -v
!echo "LIVE-T: memleak $(cut -d' ' -f1 /proc/uptime)"
p jiffies
memleak -s
p jiffies
!echo "LIVE-T: memleak-s $(cut -d' ' -f1 /proc/uptime)"
quit
EOF
(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet) >"$WORK/initramfs.cpio" ||
	give_up "cpio failed"

# ---- boot (one guest at a time) ------------------------------------------------------
CONSOLE=$LOGS/console.log
CMDLINE="console=ttyS0 loglevel=4 panic=-1 slub_debug=U memleak_test.young_delay_ms=$YOUNG_DELAY_MS"
boot() {
	local t0 state=
	exec 9>"$CACHE/.build.lock"
	if ! flock -n 9; then
		log "waiting for the QEMU lock ($CACHE/.build.lock)"
		flock 9
	fi
	rm -f "$CONSOLE"
	log "booting QEMU (TCG, ${MEM} MiB): $CMDLINE"
	t0=$SECONDS
	qemu-system-x86_64 -accel tcg -cpu qemu64 -m "$MEM" -smp 2 \
		-nographic -monitor none -nic none -no-reboot \
		-kernel "$KDIR/vmlinuz" -initrd "$WORK/initramfs.cpio" \
		-append "$CMDLINE" \
		-drive "file=$IMG,if=none,id=root,format=raw,readonly=on" \
		-device nvme,serial=kmlroot,drive=root \
		-serial "file:$CONSOLE" \
		</dev/null >"$WORK/qemu.log" 2>&1 &
	QEMU_PID=$!
	while kill -0 "$QEMU_PID" 2>/dev/null; do
		if [ $((SECONDS - t0)) -ge "$TIMEOUT" ]; then
			state=timeout
			kill "$QEMU_PID" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$QEMU_PID" 2>/dev/null
	QEMU_PID=
	exec 9>&-
	BOOT_SECONDS=$((SECONDS - t0))
	BOOT_STATE=${state:-exited}
}
# A guest that died before crash began (no error line from init) is
# booted again: under TCG, 6.12.95 oopses in early boot now and then.
attempt=1
while :; do
	boot
	tr -d '\r' <"$CONSOLE" >"$WORK/console.txt" 2>/dev/null
	[ "$BOOT_STATE" = exited ] && [ "$attempt" -lt "$ATTEMPTS" ] &&
		! grep -q -e '^LIVE: crash begin' -e '^LIVE: error' "$WORK/console.txt" || break
	cp "$CONSOLE" "$LOGS/console-died-$attempt.log"
	log "the guest died before crash began (attempt $attempt of $ATTEMPTS; console: $LOGS/console-died-$attempt.log): booting again"
	show_tail "$WORK/console.txt" 10
	attempt=$((attempt + 1))
done
if [ "$BOOT_STATE" = timeout ]; then
	show_tail "$WORK/console.txt" 30
	give_up "the guest did not power off within $TIMEOUT s (console: $CONSOLE)"
fi
if grep -q '^LIVE: error' "$WORK/console.txt"; then
	show_tail "$WORK/console.txt" 30
	give_up "guest: $(grep -m1 '^LIVE: error' "$WORK/console.txt")"
fi
grep -q '^LIVE: done' "$WORK/console.txt" || {
	show_tail "$WORK/console.txt" 30
	cat "$WORK/qemu.log" >&2
	give_up "the guest stopped before its end marker (panic? console: $CONSOLE)"
}
pass "guest booted, ran crash and powered off ($BOOT_SECONDS s$([ "$attempt" = 1 ] || echo ", boot $attempt of $ATTEMPTS"))"

# ---- what was planted ------------------------------------------------------------
uptime_at() { sed -n "s/^LIVE: $1 .*uptime=\([0-9.]*\).*/\1/p" "$WORK/console.txt" | head -n 1; }
stamp() { sed -n "s/^LIVE-T: $1 \([0-9.]*\)$/\1/p" "$WORK/console.txt" | head -n 1; }
CHK=$WORK/check
mkdir -p "$CHK"
sed -n '/^LIVE: dmesg begin/,/^LIVE: dmesg end/p' "$WORK/console.txt" >"$WORK/dmesg.txt"
read -r PLANTED_HZ < <(sed -n 's/.*memleak_test: planted jiffies=[0-9]* hz=\([0-9]*\)$/\1/p' \
	"$WORK/dmesg.txt")
YOUNG_JIFFIES=$(sed -n 's/.*memleak_test: young done jiffies=\([0-9]*\)$/\1/p' "$WORK/dmesg.txt")
# scenario addr size cache expect func, as build-fixture.sh's expected.tsv
sed -n 's/^memleak_test: block scenario=\([^ ]*\) addr=\(0x[0-9a-f]*\) size=\([0-9]*\) cache=\([^ ]*\) expect=\([a-z]*\) func=\([A-Za-z0-9_]*\)$/\1\t\2\t\3\t\4\t\5\t\6/p' \
	"$WORK/dmesg.txt" >"$CHK/expected.planted"
NPLANTED=$(wc -l <"$CHK/expected.planted")
if [ "$NPLANTED" -gt 0 ] && [ -n "${PLANTED_HZ:-}" ] && [ -n "$YOUNG_JIFFIES" ]; then
	pass "module planted $NPLANTED blocks"
else
	show_tail "$WORK/dmesg.txt"
	give_up "no planted block lines (or no planted/young done line) in the guest's kernel log"
fi

# ---- crash's session -----------------------------------------------------------------
CRASH_LOG=$LOGS/crash.log
sed -n '/^LIVE: crash begin/,/^LIVE: crash end/p' "$WORK/console.txt" | sed '1d;$d' >"$CRASH_LOG"
T_BEGIN=$(uptime_at "crash begin")
T_READY=$(stamp ready)
T_MEMLEAK=$(stamp memleak)
T_END=$(uptime_at "crash end")
HWM=$(sed -n 's/^LIVE: crash VmHWM=[[:space:]]*//p' "$WORK/console.txt")
secs() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.1f", b - a }'; }
if grep -q "RELEASE: $KVER" "$CRASH_LOG" || [ -n "$T_READY" ]; then
	pass "crash started on /proc/kcore in the guest ($(secs "$T_BEGIN" "$T_READY") s)"
else
	show_tail "$CRASH_LOG"
	fail "crash started on /proc/kcore in the guest (log $CRASH_LOG)"
fi

# The young leak: as old as the others by the time memleak reads jiffies?
JIFFIES=$(sed -n 's/^jiffies = \$[0-9]* = \([0-9]*\)$/\1/p' "$CRASH_LOG" | head -n 1)
MEMLEAK_TIME=$(sed -n 's/^  time: *\([0-9.]*\) s.*/\1/p' "$CRASH_LOG" | head -n 1)
YOUNG_AGE=$(awk -v j="${JIFFIES:-0}" -v y="$YOUNG_JIFFIES" -v hz="$PLANTED_HZ" -v t="${MEMLEAK_TIME:-0}" \
	'BEGIN { printf "%.1f", (j - y) / hz - t }')
if awk -v a="$YOUNG_AGE" 'BEGIN { exit !(a + 0 > 5.5) }'; then
	awk -F'\t' -v OFS='\t' '$5 == "young" { $5 = "leak" } { print }' \
		"$CHK/expected.planted" >"$CHK/expected.tsv"
else
	cp "$CHK/expected.planted" "$CHK/expected.tsv"
fi
# the leaked list's other nodes, as crash walked them after memleak (init
# adds "list -o 16 HEAD" between the markers $9000011 and $9000012): the
# list-nodes.tsv of build-fixture.sh's walk_list, without its count check
# (a short walk fails e2e.sh's "nodes reported" check instead)
awk -F'\t' -v OFS='\t' '
	FNR == NR { if ($1 == "leak_list_head") row = $0; next }
	/^\$[0-9]+ = 9000011$/ { on = 1; n = 0; next }
	/^\$[0-9]+ = 9000012$/ { on = 0; next }
	on && /^ *[0-9a-f]+$/ {
		split(row, h, "\t"); n++
		addr = $1; sub(/^ */, "", addr)
		if (n > 1) printf "leak_list_node_%03d\t0x%s\t%s\t%s\t%s\t%s\n", n - 1, addr, h[3], h[4], h[5], h[6]
	}' "$CHK/expected.tsv" "$CRASH_LOG" >"$CHK/list-nodes.tsv"
LIST_WALKED=$(wc -l <"$CHK/list-nodes.tsv")
if [ "$LIST_WALKED" -gt 0 ]; then
	pass "crash walked the leaked list after memleak ($((LIST_WALKED + 1)) nodes)"
else
	fail "crash walked the leaked list after memleak (no node between the markers in crash's log)"
fi
echo "$CMDLINE" >"$CHK/cmdline"

# tests/e2e.sh's checks on this session (its PASS/FAIL/FIGURE lines)
E2E_CRASH_LOG=$CRASH_LOG E2E_FIXTURE_DIR=$CHK E2E_FORM="$L" E2E_TRACKS=1 E2E_LIVE=1 \
	"$REPO/tests/e2e.sh" </dev/null || NFAIL=$((NFAIL + 1))

# memory that changed while it was read: the summary says what was skipped
SEG_A=$(sed -n '1,/^jiffies = /p' "$CRASH_LOG")
if grep -qE '^  inconsistent: +[0-9]+ slabs' <<<"$SEG_A"; then
	pass "summary counts what was skipped as inconsistent ($(grep -m1 -E '^  inconsistent:' <<<"$SEG_A" | sed 's/^  inconsistent: *//'))"
else
	fail "summary counts what was skipped as inconsistent (no '  inconsistent: N slabs ...' line)"
fi
if grep -q 'segmentation violation' "$CRASH_LOG"; then
	fail "no segmentation violation in crash"
else
	pass "no segmentation violation in crash"
fi

# ---- agreement: per planted scenario, reported or not --------------------------------
# verdicts LOG: the addresses of the reported orphans
verdicts() { sed -n 's/^unreferenced object \(0x[0-9a-f]*\) (size [0-9]*):$/\1/p' "$1" | sort -u; }
# agree EXPECTED REPORTED: "matching total" over the scenarios, leak = reported
agree() {
	awk -F'\t' 'FNR == NR { r[$1 ""] = 1; next }
		$5 == "leak" || $5 == "reachable" || $5 == "untracked" {
			n++; if ((($2 "") in r) == ($5 == "leak")) m++
		}
		END { printf "%d %d\n", m, n }' "$2" "$1"
}
printf '%s\n' "$SEG_A" >"$WORK/seg-a.txt"
verdicts "$WORK/seg-a.txt" >"$WORK/live.reported"
read -r M N < <(agree "$CHK/expected.tsv" "$WORK/live.reported")
# orphans the module did not allocate (no "[memleak_test]" frame in their
# backtrace: boot-time allocations, and memory changing under the scan)
NOT_PLANTED=$(awk '
	function flush() { if (a != "" && !planted) print cache; a = "" }
	/^unreferenced object / { flush(); a = $3; planted = 0; cache = "?"; next }
	a != "" && /^  cache "/ { cache = $2; gsub(/[",]/, "", cache) }
	a != "" && /^  (vmalloc area|per-cpu allocation)/ { cache = $1 " " $2 }
	a != "" && /\[memleak_test\]|allocated by plant_/ { planted = 1 }
	a != "" && /^  per-cpu allocation/ { planted = 1 }
	END { flush() }' "$WORK/seg-a.txt" | sort | uniq -c | sort -k1,1nr |
	awk '{ n += $1; s = s sprintf("%s%s %s", s == "" ? "" : ", ", $1, $2) } END { printf "%d (%s)", n, s }')
echo "FIGURE $L: orphans not allocated by memleak_test: $NOT_PLANTED"
echo "FIGURE $L: agreement with the planted verdicts: $M/$N scenarios (young_leak planted $((YOUNG_DELAY_MS / 1000)) s after loading, ${YOUNG_AGE} s old at the scan: expected as $(awk -F'\t' '$1 == "young_leak" { print $5 }' "$CHK/expected.tsv"))"

DUMP_FIG="not compared (LIVE_COMPARE_DUMP=0)"
if [ "${LIVE_COMPARE_DUMP:-1}" != 0 ]; then
	DUMP_FIG="not compared (no leaks fixture, or its crash run failed: $LOGS/dump-crash.log)"
	line=$("$REPO/tests/fixture/build-fixture.sh" leaks "$KVER" </dev/null | tail -n 1)
	FIX=${line#FIXTURE_DIR=}
	REUSED=
	if [ "$line" != "$FIX" ] && [ -s "$FIX/vmcore" ] &&
	   cp "$FIX/expected.tsv" "$WORK/dump.expected" 2>/dev/null; then
		# The dump run's report depends on nothing but the dump, crash
		# and the extension: kept while all three are the same (the
		# planted addresses, new at every boot of the fixture, and the
		# vmcore's size and time name the dump). Saves a crash session
		# on the host (20-40 s).
		DUMP_KEY=$({
			cat "$WORK/dump.expected"
			stat -c 'vmcore %s %Y' "$FIX/vmcore"
			sha256sum "$CRASH" "$SO"
		} | sha)
		DUMP_LOG=$LIVE/dump-$DUMP_KEY.log
		if grep -q '^memleak summary' "$DUMP_LOG" 2>/dev/null; then
			REUSED="; the dump's crash run reused ($DUMP_LOG)"
			cp "$DUMP_LOG" "$LOGS/dump-crash.log"
		else
			rm -f "$LIVE"/dump-*.log
			printf 'extend %s\nmemleak\nquit\n' "$SO" >"$WORK/dump.cmds"
			(cd "$FIX" && timeout -k 10 600 "$CRASH" -s vmlinux vmcore <"$WORK/dump.cmds" \
				>"$LOGS/dump-crash.log" 2>&1)
			# a failed run is not kept
			! grep -q '^memleak summary' "$LOGS/dump-crash.log" ||
				cp "$LOGS/dump-crash.log" "$DUMP_LOG"
		fi
		verdicts "$LOGS/dump-crash.log" >"$WORK/dump.reported"
	fi
	# (the fixture may be rebuilt meanwhile by another checkout sharing the
	# cache: its expected.tsv is the copy taken with the key)
	if [ -s "$WORK/dump.reported" ] && [ -s "$WORK/dump.expected" ] &&
	   grep -q '^memleak summary' "$LOGS/dump-crash.log"; then
		# scenario -> reported in the dump / live (young: young in the dump)
		awk -F'\t' -v OFS='\t' 'FNR == NR { r[$1 ""] = 1; next }
			{ print $1, (($2 "") in r) }' "$WORK/dump.reported" "$WORK/dump.expected" |
			sort >"$WORK/dump.verdicts"
		awk -F'\t' -v OFS='\t' 'FNR == NR { r[$1 ""] = 1; next }
			{ print $1, (($2 "") in r) }' "$WORK/live.reported" "$CHK/expected.tsv" |
			sort >"$WORK/live.verdicts"
		read -r DM DN < <(join -t "$(printf '\t')" "$WORK/dump.verdicts" "$WORK/live.verdicts" |
			awk -F'\t' '$1 != "young_leak" { n++; if ($2 == $3) m++ }
				END { printf "%d %d\n", m, n }')
		DUMP_FIG="$DM/$DN scenarios reported alike (young_leak left out: young in the dump, old here)"
		read -r DMP DNP < <(agree "$WORK/dump.expected" "$WORK/dump.reported")
		DUMP_FIG="$DUMP_FIG; the dump run itself agrees with its planted verdicts on $DMP/$DNP$REUSED"
	fi
fi
echo "FIGURE $L: agreement with the dump run of the leaks fixture: $DUMP_FIG"
echo "FIGURE $L: guest ${MEM} MiB, crash peak RSS ${HWM:-?}; boot to power-off ${BOOT_SECONDS} s; crash start-up $(secs "$T_BEGIN" "$T_READY") s; memleak -v $(secs "$T_READY" "$T_MEMLEAK") s (scan ${MEMLEAK_TIME:-?} s); crash session $(secs "$T_BEGIN" "$T_END") s; whole test $((SECONDS - T_ALL)) s"
echo "FIGURE $L: logs $CONSOLE, $CRASH_LOG"
[ "$NFAIL" = 0 ]
