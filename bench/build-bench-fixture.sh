#!/bin/bash
# build-bench-fixture.sh [NOBJS [KVER]] - produce (or reuse) the benchmark's big dump.
#
#   bench/build-bench-fixture.sh             10,000,000 slab objects
#   bench/build-bench-fixture.sh 1000000     another size
#   bench/build-bench-fixture.sh 10000000 6.12.95+deb12-cloud-amd64
#                                            (or KMEMLEAK_KVER=...): another
#                                            kernel generation (setup.sh
#                                            fetches it)
#
# Boots the Debian test kernel of the fixture harness (tests/fixture/: its
# setup.sh, common.sh, init, qmp.py and elf-compact.c are reused) in a QEMU
# TCG guest of BENCH_MEM_MB (4096) MiB with bench/module/memleak_bench.ko,
# which fills memory with NOBJS linked slab objects, a few vmalloc areas and
# a handful of planted leaks; then dumps the guest.
#
# Output directory $CACHE/bench/n$NOBJS for the default (bookworm 6.1)
# kernel, $CACHE/bench/KVER/n$NOBJS for another generation
# ($CACHE = ${KMEMLEAK_CACHE:-$HOME/.cache/kmemleak-crash}):
#   vmlinux       symlink to the cached debug vmlinux
#   vmcore        QEMU dump-guest-memory ELF (paging off; zero pages are holes)
#   vmcore.dN     makedumpfile -c -d N of the same dump (kdump-compressed):
#                 N = 31 (vmcore.d31) up to 6.1, 23 (vmcore.d23) from 6.12
#                 on, as the fixture (common.sh:dump_level: -d 31 drops the
#                 vmalloc'ed pages there)
#   expected.tsv  the planted leaks: scenario addr size cache expect func
#   fill          the guest's figures: nobjs= objects= threads= fill_ms=
#                 vmalloc= boot_s= wall_fill_s= dump_s= makedumpfile_s=
#   console.log, memleak_bench.ko, cmdline, makedumpfile.log,
#   crash-check.log, stamp
#
# Another generation's module is built as the fixture builds memleak_test.ko:
# against the headers setup.sh extracted into $CACHE/kernel/KVER/headers/, in
# the chroot named in build-root when there is one (6.12: none, bookworm's
# gcc-12 and pahole). The dumps are read back with Debian's crash (8.0.2) for
# bookworm kernels, else with BENCH_CRASH or the crash 9.0.2 of
# tests/fixture/build-crash.sh (8.0.2 cannot open 6.12). A guest that dies
# before it is filled is booted again, BENCH_BOOT_ATTEMPTS (3) times at most.
#
# The guest CPU is BENCH_CPU: qemu64 for bookworm kernels, qemu64,-cx16 for
# the others. Under QEMU 7.2's TCG, 6.12.95 without slub_debug dies in SLUB's
# allocation fast path, at its cmpxchg16b (build-fixture.sh: about half of
# its 1 GiB boots); here, with 4 GiB, 3 boots of 3 died (double faults at the
# instruction after the cmpxchg16b, in early boot, before the fill). Without
# CX16 the kernel takes its software cmpxchg16b emulation
# (this_cpu_cmpxchg16b_emu) for the same per-cpu freelist update; the slab
# layout in the dump is the same.
#
# Cached: reused while the stamp matches a hash of everything that shapes the
# dump (module source, this script, the harness files used, KVER, NOBJS,
# memory size, QEMU and makedumpfile versions); otherwise rebuilt. A warm
# cache never boots anything and never fails. Progress on stderr; the last
# line on stdout is BENCH_DIR=<dir>.
#
# Shares the fixture harness's lock ($CACHE/.build.lock), and before booting
# waits until no qemu-system-x86_64 runs on the machine (polling every 10 s,
# up to BENCH_QEMU_WAIT s, default 1800; 0 = do not wait): this 2-core
# machine must never run two TCG guests at once.
#
# Environment: KMEMLEAK_CACHE, KMEMLEAK_KVER, BENCH_MEM_MB (4096),
# BENCH_SMP (2), BENCH_BOOT_TIMEOUT (300 s), BENCH_FILL_TIMEOUT (3600 s),
# BENCH_QEMU_WAIT (1800 s), BENCH_SLUB (kernel options, default none: the
# customers' kernels run without slub_debug), BENCH_BOOT_ATTEMPTS (3),
# BENCH_CRASH.
set -euo pipefail
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_SRC/../tests/fixture/common.sh"	# sets FIXTURE_SRC, CACHE, log, die

NOBJS=${1:-10000000}
[[ "$NOBJS" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [NOBJS [KVER]]" >&2; exit 2; }
if [ -n "${2:-}" ]; then
	export KMEMLEAK_KVER=$2
fi
MEM_MB=${BENCH_MEM_MB:-4096}
SMP=${BENCH_SMP:-2}
BOOT_TIMEOUT=${BENCH_BOOT_TIMEOUT:-300}
FILL_TIMEOUT=${BENCH_FILL_TIMEOUT:-3600}
QEMU_WAIT=${BENCH_QEMU_WAIT:-1800}
SLUB=${BENCH_SLUB:-}
BOOT_ATTEMPTS=${BENCH_BOOT_ATTEMPTS:-3}
CPU=${BENCH_CPU:-}

"$FIXTURE_SRC/setup.sh" </dev/null || die "tests/fixture/setup.sh failed"
KVER=$(current_kver) || die "no kernel version recorded by setup.sh"
KDIR=$(kernel_dir "$KVER")
HDRS=/usr/src/linux-headers-$KVER
BUILD_ROOT=
OUT=$CACHE/bench/n$NOBJS
if [ "$(kver_suite "$KVER")" != bookworm ]; then
	# another generation: headers extracted by setup.sh, dumps apart
	HDRS=$KDIR/headers/usr/src/linux-headers-$KVER
	[ ! -s "$KDIR/build-root" ] || BUILD_ROOT=$(cat "$KDIR/build-root")
	[ -z "$BUILD_ROOT" ] || [ -e "$BUILD_ROOT/.complete" ] ||
		die "missing chroot $BUILD_ROOT (setup.sh incomplete?)"
	OUT=$CACHE/bench/$KVER/n$NOBJS
fi
for f in "$KDIR/vmlinuz" "$KDIR/vmlinux" "$KDIR/qemu_fw_cfg.ko" "$HDRS/Makefile"; do
	[ -s "$f" ] || die "missing $f (setup.sh incomplete?)"
done
PYTHON=$(pick_python) || die "python3 not found"
if [ -z "$CPU" ]; then
	if [ "$(kver_suite "$KVER")" = bookworm ]; then CPU=qemu64; else CPU=qemu64,-cx16; fi
fi
LEVEL=$(dump_level "$KVER")
case "$LEVEL" in [0-9]|[0-2][0-9]|3[01]) ;; *) die "bad dump level '$LEVEL'" ;; esac
DUMPFILE=vmcore.d$LEVEL

FILES=(vmlinux vmcore "$DUMPFILE" console.log expected.tsv fill)

cache_key() {
	{
		echo "nobjs=$NOBJS mem=$MEM_MB smp=$SMP slub=$SLUB kver=$KVER"
		[ "$LEVEL" = 31 ] || echo "level=$LEVEL"
		[ "$CPU" = qemu64 ] || echo "cpu=$CPU"
		[ -z "$BUILD_ROOT" ] || echo "build_root=$BUILD_ROOT"
		(cd "$BENCH_SRC" && sha256sum build-bench-fixture.sh module/memleak_bench.c \
			module/Kbuild module/Makefile)
		(cd "$FIXTURE_SRC" && sha256sum common.sh init qmp.py elf-compact.c)
		stat -c 'vmlinuz %s %Y' "$KDIR/vmlinuz"
		stat -c 'vmlinux %s %Y' "$KDIR/vmlinux"
		dpkg-query -W -f='${Package} ${Version}\n' qemu-system-x86 \
			makedumpfile busybox-static 2>&1 || true
	} | sha256sum | cut -d' ' -f1
}
KEY=$(cache_key)

is_fresh() {
	local f
	[ -f "$OUT/stamp" ] && [ "$(cat "$OUT/stamp")" = "$KEY" ] || return 1
	for f in "${FILES[@]}"; do [ -e "$OUT/$f" ] || return 1; done
	[ -s "$OUT/vmcore" ] && [ -s "$OUT/$DUMPFILE" ]
}

if is_fresh; then
	log "n$NOBJS: cached ($OUT)"
	echo "BENCH_DIR=$OUT"
	exit 0
fi

mkdir -p "$(dirname "$OUT")"
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
	log "waiting for another fixture build to finish"
	flock 9
fi
if is_fresh; then	# built by whoever held the lock
	echo "BENCH_DIR=$OUT"
	exit 0
fi

T_START=$SECONDS
log "n$NOBJS: building (cache key ${KEY:0:12}, ${MEM_MB} MiB guest)"
TMP=$OUT.tmp
rm -rf "$TMP" "$OUT"
mkdir -p "$TMP"
# Bounded cache: half-built directories (we hold the lock) are leftovers.
rm -rf "$(dirname "$OUT")"/n*.tmp
mkdir -p "$TMP"

QEMU_PID=
stop_qemu() {
	if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
		kill "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	QEMU_PID=
}
cleanup() {
	stop_qemu
	rm -rf "$TMP/root" "$TMP/module" "$TMP/initramfs.cpio" "$TMP/compact.elf" \
		"$TMP/qmp.sock" "$TMP/crash-check.cmds"
}
trap cleanup EXIT

# ---- elf-compact, compiled into the cache as the harness does -------------------
TOOLS=$CACHE/tools
ELF_COMPACT=$TOOLS/elf-compact-$(sha256sum "$FIXTURE_SRC/elf-compact.c" | cut -c1-12)
if [ ! -x "$ELF_COMPACT" ]; then
	mkdir -p "$TOOLS"
	gcc -O2 -Wall -Wextra -o "$ELF_COMPACT.tmp.$$" "$FIXTURE_SRC/elf-compact.c" >&2 ||
		die "cannot compile elf-compact.c"
	mv -f "$ELF_COMPACT.tmp.$$" "$ELF_COMPACT"
fi

# ---- module and initramfs ---------------------------------------------------------
mkdir -p "$TMP/module"
cp "$BENCH_SRC/module/memleak_bench.c" "$BENCH_SRC/module/Kbuild" \
   "$BENCH_SRC/module/Makefile" "$TMP/module/"
if [ -z "$BUILD_ROOT" ]; then
	log "building memleak_bench.ko against $HDRS"
	make -C "$HDRS" M="$TMP/module" modules >"$TMP/module-build.log" 2>&1 </dev/null
else
	# As build-fixture.sh builds memleak_test.ko: in a private mount
	# namespace, the headers tree and the module directory bound into the
	# chroot (its compiler) at /usr/src, /usr/lib/linux-kbuild-* and /build.
	log "building memleak_bench.ko against $HDRS in the chroot $BUILD_ROOT"
	unshare --mount --propagation private -- /bin/sh -ec '
		root=$1 hdrs=$2 mod=$3 kver=$4
		for d in "$hdrs"/usr/src/* "$hdrs"/usr/lib/linux-kbuild-*; do
			t=$root${d#"$hdrs"}
			mkdir -p "$t"
			mount --bind "$d" "$t"
		done
		mount --bind "$mod" "$root/build"
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/ LC_ALL=C.UTF-8 make -C "/usr/src/linux-headers-$kver" M=/build modules
	' sh "$BUILD_ROOT" "$KDIR/headers" "$TMP/module" "$KVER" \
		>"$TMP/module-build.log" 2>&1 </dev/null
fi || {
	cat "$TMP/module-build.log" >&2
	die "module build failed"
}
cp "$TMP/module/memleak_bench.ko" "$TMP/"

BUSYBOX=$(command -v busybox || true)
[ -x /bin/busybox ] && BUSYBOX=/bin/busybox
[ -n "$BUSYBOX" ] || die "busybox not found"
R=$TMP/root
mkdir -p "$R/bin" "$R/lib/modules" "$R/dev" "$R/proc" "$R/sys"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
# The harness's init, loading memleak_bench.ko instead of memleak_test.ko
# (module parameters from the command line: memleak_bench.<param>=<value>).
sed 's/memleak_test/memleak_bench/g' "$FIXTURE_SRC/init" >"$R/init"
chmod 755 "$R/init" "$R/bin/busybox"
cp "$KDIR/qemu_fw_cfg.ko" "$TMP/memleak_bench.ko" "$R/lib/modules/"
(cd "$R" && find . | cpio -o -H newc -R 0:0 --quiet) >"$TMP/initramfs.cpio" ||
	die "cpio failed"
rm -rf "$R" "$TMP/module"

ln -s "$KDIR/vmlinux" "$TMP/vmlinux"
CMDLINE="console=ttyS0 panic=-1 memleak_variant=bench${SLUB:+ $SLUB} memleak_bench.nobjs=$NOBJS"
echo "$CMDLINE" >"$TMP/cmdline"

# ---- one guest on the machine at a time ----------------------------------------
if [ "$QEMU_WAIT" -gt 0 ]; then
	t0=$SECONDS
	while pgrep -f qemu-system-x86_64 >/dev/null; do
		[ $((SECONDS - t0)) -lt "$QEMU_WAIT" ] ||
			die "another qemu-system-x86_64 still runs after $QEMU_WAIT s"
		[ $(((SECONDS - t0) % 60)) -lt 10 ] &&
			log "another qemu-system-x86_64 runs; waiting ($((SECONDS - t0)) s)"
		sleep 10
	done
fi

# ---- boot, wait for the filled marker ------------------------------------------------
console_has() { grep -aq "$1" "$TMP/console.log" 2>/dev/null; }
# guest_died WHEN: 0 (and the console kept as console-failed.log) if QEMU has
# exited, else 1.
guest_died() {
	kill -0 "$QEMU_PID" 2>/dev/null && return 1
	cat "$TMP/qemu.log" >&2
	tail -n 40 "$TMP/console.log" >&2 2>/dev/null || true
	cp "$TMP/console.log" "$TMP/console-failed.log" 2>/dev/null || true
	log "QEMU exited $1 (kernel oops or panic?)"
	return 0
}

# boot_and_fill: sets BOOTED=1 once the module has filled memory, BOOTED=0
# when the guest died before (it is booted again then).
boot_and_fill() {
	local t0 last p
	BOOTED=0
	rm -f "$TMP/console.log" "$TMP/qmp.sock"
	log "booting QEMU (TCG, -cpu $CPU -m $MEM_MB -smp $SMP): $CMDLINE"
	t0=$SECONDS
	qemu-system-x86_64 -accel tcg -cpu "$CPU" -m "$MEM_MB" -smp "$SMP" \
		-nographic -monitor none -nic none -no-reboot \
		-kernel "$KDIR/vmlinuz" -initrd "$TMP/initramfs.cpio" \
		-append "$CMDLINE" \
		-device vmcoreinfo \
		-qmp "unix:$TMP/qmp.sock,server=on,wait=off" \
		-serial "file:$TMP/console.log" \
		</dev/null >"$TMP/qemu.log" 2>&1 &
	QEMU_PID=$!

	while ! console_has 'FIXTURE: ready'; do
		console_has 'FIXTURE: error' && {
			tail -n 40 "$TMP/console.log" >&2
			die "guest init failed: $(grep -a -m1 'FIXTURE: error' "$TMP/console.log" | tr -d '\r')"
		}
		guest_died "before the guest was ready" && return 0
		[ $((SECONDS - t0)) -lt "$BOOT_TIMEOUT" ] ||
			die "timeout: no 'FIXTURE: ready' on the console after $BOOT_TIMEOUT s"
		sleep 1
	done
	BOOT_S=$((SECONDS - t0))
	log "guest ready after $BOOT_S s; filling $NOBJS objects"
	t0=$SECONDS
	last=
	while ! console_has 'memleak_bench: ready'; do
		guest_died "while filling" && return 0
		[ $((SECONDS - t0)) -lt "$FILL_TIMEOUT" ] || {
			tail -n 5 "$TMP/console.log" >&2
			die "timeout: the module did not finish filling in $FILL_TIMEOUT s"
		}
		p=$({ grep -a 'memleak_bench: thread 0:' "$TMP/console.log" || true; } |
		    tail -n 1 | tr -d '\r' | sed 's/.*memleak_bench: //')
		if [ -n "$p" ] && [ "$p" != "$last" ]; then log "  $p"; last=$p; fi
		sleep 2
	done
	FILL_WALL=$((SECONDS - t0))
	BOOTED=1
}

attempt=1
while :; do
	boot_and_fill
	[ "$BOOTED" = 1 ] && break
	stop_qemu
	[ "$attempt" -lt "$BOOT_ATTEMPTS" ] ||
		die "the guest died before it was filled $attempt times (see $TMP/console-failed.log)"
	attempt=$((attempt + 1))
	log "booting again (attempt $attempt of $BOOT_ATTEMPTS)"
done
filled=$(tr -d '\r' <"$TMP/console.log" | sed -n 's/.*memleak_bench: filled \(.*\)$/\1/p' | tail -n 1)
log "guest: filled $filled (wall $FILL_WALL s)"
eval "$(sed -n 's/^objects=\([0-9]*\) vmalloc=\([0-9]*\) threads=\([0-9]*\) ms=\([0-9]*\) failed=\([01]\)$/F_OBJS=\1 F_VM=\2 F_THREADS=\3 F_MS=\4 F_FAILED=\5/p' <<<"$filled")"
[ -n "${F_OBJS:-}" ] || die "no well-formed 'memleak_bench: filled' line on the console"
[ "$F_FAILED" = 0 ] && [ "$F_OBJS" = "$NOBJS" ] ||
	die "the module filled $F_OBJS of $NOBJS objects (failed=$F_FAILED): guest too small?"

sleep 3		# let the filling threads exit (their stacks die with them)
log "dump-guest-memory (ELF, paging off)"
t0=$SECONDS
"$PYTHON" "$FIXTURE_SRC/qmp.py" "$TMP/qmp.sock" dump "$TMP/vmcore" ||
	die "dump-guest-memory failed"
"$PYTHON" "$FIXTURE_SRC/qmp.py" "$TMP/qmp.sock" quit || true
for _ in $(seq 30); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 1; done
stop_qemu
fallocate --dig-holes "$TMP/vmcore" 2>/dev/null || true
DUMP_S=$((SECONDS - t0))

# ---- the planted leaks -------------------------------------------------------------
tr -d '\r' <"$TMP/console.log" |
	sed -n 's/.*memleak_bench: block scenario=\([^ ]*\) addr=\(0x[0-9a-f]\{16\}\) size=\([0-9]*\) cache=\([^ ]*\) expect=\([a-z]*\) func=\([A-Za-z0-9_]*\)$/\1\t\2\t\3\t\4\t\5\t\6/p' \
	>"$TMP/expected.tsv"
[ "$(wc -l <"$TMP/expected.tsv")" -ge 6 ] || die "fewer than 6 planted block lines on the console"

# ---- crash opens the dump and reads the planted leaks back -------------------------
# Debian's crash for bookworm kernels; a newer one for the others.
CRASH_BIN=${BENCH_CRASH:-}
if [ -z "$CRASH_BIN" ] && [ "$(kver_suite "$KVER")" = bookworm ]; then
	CRASH_BIN=crash
elif [ -z "$CRASH_BIN" ]; then
	CRASH_BIN=$("$FIXTURE_SRC/build-crash.sh" 9.0.2 </dev/null | sed -n 's/^CRASH=//p' | tail -n 1)
	[ -n "$CRASH_BIN" ] || die "tests/fixture/build-crash.sh 9.0.2 failed"
fi
check_dump() {
	local dump=$1 out n want
	{
		echo "sys"
		awk -F'\t' '{ print "rd -64 " $2 " 1" }' "$TMP/expected.tsv"
		echo "quit"
	} >"$TMP/crash-check.cmds"
	out=$(cd "$TMP" && timeout 900 "$CRASH_BIN" -s vmlinux "$dump" <"$TMP/crash-check.cmds" 2>&1) || true
	{ echo "=== crash -s vmlinux $dump"; echo "$out"; } >>"$TMP/crash-check.log"
	grep -q "RELEASE: $KVER" <<<"$out" || {
		tail -n 30 <<<"$out" >&2
		die "crash cannot open $dump (see $TMP/crash-check.log)"
	}
	n=$(grep -c ':  5a5a5a5a5a5a5a5a ' <<<"$out" || true)
	want=$(wc -l <"$TMP/expected.tsv")
	[ "$n" = "$want" ] || die "$dump: $n of $want planted leaks read back as 0x5a payload"
}
log "crash check: vmcore"
check_dump vmcore

# ---- makedumpfile form (as the harness: VMCOREINFO is enough, -x as a fallback) ----
log "makedumpfile -c -d $LEVEL"
t0=$SECONDS
"$ELF_COMPACT" "$TMP/vmcore" "$TMP/compact.elf" || die "elf-compact failed"
if ! makedumpfile -c -d "$LEVEL" "$TMP/compact.elf" "$TMP/$DUMPFILE" \
	>"$TMP/makedumpfile.log" 2>&1 </dev/null; then
	log "makedumpfile without -x failed; retrying with -x vmlinux"
	rm -f "$TMP/$DUMPFILE"
	makedumpfile -c -d "$LEVEL" -x "$KDIR/vmlinux" "$TMP/compact.elf" "$TMP/$DUMPFILE" \
		>>"$TMP/makedumpfile.log" 2>&1 </dev/null || {
		cat "$TMP/makedumpfile.log" >&2
		die "makedumpfile failed"
	}
fi
rm -f "$TMP/compact.elf"
MDF_S=$((SECONDS - t0))
log "crash check: $DUMPFILE"
check_dump "$DUMPFILE"

echo "nobjs=$NOBJS objects=$F_OBJS threads=$F_THREADS fill_ms=$F_MS vmalloc=$F_VM" \
     "boot_s=$BOOT_S wall_fill_s=$FILL_WALL dump_s=$DUMP_S makedumpfile_s=$MDF_S" \
     "mem_mb=$MEM_MB build_s=$((SECONDS - T_START))" >"$TMP/fill"
rm -f "$TMP/initramfs.cpio" "$TMP/crash-check.cmds" "$TMP/qmp.sock"
echo "$KEY" >"$TMP/stamp"
mv "$TMP" "$OUT"
log "n$NOBJS: done in $((SECONDS - T_START)) s (fill ${F_MS} ms in the guest): vmcore $(du -h --apparent-size "$OUT/vmcore" | cut -f1) ($(du -h "$OUT/vmcore" | cut -f1) on disk), $DUMPFILE $(du -h "$OUT/$DUMPFILE" | cut -f1)"
echo "BENCH_DIR=$OUT"
