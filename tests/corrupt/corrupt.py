#!/usr/bin/python3
"""corrupt.py - the corruption suite of kmemleak.so (run by tests/corrupt/run.sh).

Each case damages a copy of a fixture dump (or the dump file itself), runs
crash in batch mode on it with `extend kmemleak.so`, `memleak ...` and then
`p jiffies` as a liveness marker, and asserts:
  (a) crash still ran the command after memleak ("jiffies = " after
      memleak's output),
  (b) memleak finished within a bound (the session was not killed by the
      timeout, and memleak's own time line says less than the bound),
  (c) the output says what was damaged or skipped (per case: the summary's
      damaged:/unreadable: figures, a message naming the list, cache or
      slab, PARTIAL, or crash's own error when crash refuses the dump),
  (d) no "segmentation violation" (nor any other sign of a crash inside
      crash).
Cases that do not interfere share one crash session (one damaged copy);
each case's assertions only look at what its own damage can cause.

Known limits, said in the output rather than skipped silently: a looped
module list hangs crash 8.0.2 itself at start-up (before any extension
loads), so that case is not run by default (NOTE line); only one kernel is
cached, so "a vmlinux that does not match the dump" is played by a dump
whose VMCOREINFO OSRELEASE or in-memory linux_banner was altered.

A second set (--set 6.12, on a 6.12 dump under a crash that opens it,
--crash) damages what 6.9-6.12 changed: the per-node vmap_area busy lists
(vmap_nodes, nr_vmap_nodes, a busy list looped or run into garbage) and the
page types in page->page_type (a slab retyped as a free buddy page or as
nothing, a free page typed as a slab), and runs a few generic cases through
the new slab paths; its case names print as LABEL/NAME (--label). A third
(--set 7.2, on the 7.2 leaks-nodebug dump under the crash snapshot) damages
SLUB sheaves and node barns: a sheaf's size, cache and objects[], a barn's
full-sheaves list, its pointer and nr_full, a CPU's main sheaf.

The units of work (the pristine session, each memory session, each file
case) run on CORRUPT_JOBS threads (default 2), each thread with its own
work subdirectory for its copies of the dump; what a unit prints is held
and printed whole in the order the units were scheduled. The other units'
checks wait for the pristine figures; Ctrl-C on a pty runs alone after them.

Usage: corrupt.py --fixture DIR [--fixture-nodebug DIR] --so kmemleak.so
                  --work DIR [--only case,case] [--crash PATH]
                  [--set 6.1|6.12|7.2 --label LABEL]
Prints PASS:/FAIL: lines and "FIGURE corruption: N cases, M passed"
("FIGURE corruption LABEL: ..." for --set 6.12 and 7.2).
"""
import argparse
import concurrent.futures
import hashlib
import itertools
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the checkout
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kstructs  # noqa: E402
from vmcore import Dump, DumpError  # noqa: E402

CRASH = 'crash'  # the crash binary (--crash)
BOUND = float(os.environ.get('CORRUPT_BOUND', 120))      # (b), seconds
JOBS = max(1, int(os.environ.get('CORRUPT_JOBS', 2)))    # crash sessions at once
TIMEOUT = float(os.environ.get('CORRUPT_TIMEOUT', 240))  # per crash session
WILD = 0x4141414141414141      # non-canonical: no kernel address
USER = 0x00007f5a12345000      # a user-space address
CRASHED_RE = re.compile(r'segmentation violation|SIGSEGV|SIGBUS|core dumped|'
                        r'Aborted|double free|free\(\): invalid|'
                        r'malloc\(\)|corrupted size|stack smashing|'
                        r'AddressSanitizer|runtime error:')


# ---- output held per unit of work ---------------------------------------------
#
# Units of work (a pristine session, a memory session, a file case) run on
# CORRUPT_JOBS threads, each running crash in a subprocess. What a unit
# prints goes to its own Sink and is printed when the unit's turn comes, in
# the order the units were scheduled: the output is the same whatever the
# number of workers.

class Sink:
    """What one unit printed (stdout and stderr lines) and its cases."""

    def __init__(self):
        self.lines = []  # (to stderr?, text)
        self.cases = []  # (name, ok)


_unit = threading.local()  # .sink: the running unit's Sink; .dir: its work dir


def emit(text, err=False):
    sink = getattr(_unit, 'sink', None)
    if sink is not None:
        sink.lines.append((err, text))
    else:
        print(text, file=sys.stderr if err else sys.stdout, flush=True)


def log(msg):
    emit('corrupt: ' + msg, err=True)


def quote(text, n=12):
    """The tail of a log, indented so that no line starts with PASS/FAIL."""
    lines = text.rstrip('\n').splitlines()[-n:]
    return '\n'.join('    | ' + line for line in lines)


# ---- running crash ---------------------------------------------------------------

class Run:
    def __init__(self, out, rc, elapsed, timed_out):
        self.out, self.rc, self.elapsed, self.timed_out = \
            out, rc, elapsed, timed_out
        self.lines = out.splitlines()


def run_crash(vmlinux, dump, commands, timeout=TIMEOUT, log_path=None):
    """crash -s vmlinux dump, commands on stdin (batch mode, no tty)."""
    t0 = time.time()
    proc = subprocess.Popen(['stdbuf', '-oL', '-eL', CRASH, '-s', vmlinux,
                             dump],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = False
    try:
        out, _ = proc.communicate(commands.encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    run = Run(out.decode('latin-1'), proc.returncode, time.time() - t0,
              timed_out)
    if log_path:
        with open(log_path, 'w') as f:
            f.write(run.out)
    return run


def memleak_script(so, memleak_cmds, pre=()):
    cmds = ['set scroll off', 'extend ' + so]
    cmds += list(pre)
    for c in memleak_cmds:
        cmds.append(c)
    cmds += ['echo @@END-MEMLEAK', 'p jiffies']
    return '\n'.join(cmds) + '\n'


# ---- reading memleak's output ------------------------------------------------------

SUMMARY_PATTERNS = {
    'orphans': r'^  orphans: (\d+) reported',
    'unreferenced': r'^\s+\((\d+) unreferenced blocks',
    'pages_unreadable': r'^  unreadable:\s+(\d+) pages skipped',
    'slabs_unreadable': r'^  unreadable:.*?\b(\d+) slabs unreadable',
    'chunks_unreadable': r'^  unreadable:.*?\b(\d+) struct page chunks',
    'freelists_corrupt': r'^  damaged:.*?\b(\d+) corrupt freelists',
    'slabs_absurd': r'^  damaged:.*?\b(\d+) slabs with absurd counters',
    'slabs_unknown': r'^  damaged:.*?\b(\d+) slabs of unknown caches',
    'blocks': r'^  blocks tracked:\s+(\d+)',
    'vmalloc_areas': r'^  blocks tracked:.*?\b(\d+) vmalloc areas',
    'time': r'^  time:\s+([\d.]+) s',
}


def summaries(run):
    """One dict per memleak summary in the output, in order."""
    out, cur = [], None
    for line in run.lines:
        if line.startswith('memleak summary'):
            cur = {'partial': 'PARTIAL' in line, 'text': [line]}
            out.append(cur)
            continue
        if cur is None:
            continue
        if not line.startswith(' '):
            cur = None
            continue
        cur['text'].append(line)
        for key, pat in SUMMARY_PATTERNS.items():
            m = re.search(pat, line)
            if m and key not in cur:
                cur[key] = float(m.group(1)) if key == 'time' else \
                    int(m.group(1))
    for s in out:
        s['text'] = '\n'.join(s['text'])
    return out


def last_memleak_line(run):
    """Index of the last line memleak printed (summary, orphans, messages)."""
    last = -1
    for i, line in enumerate(run.lines):
        if (line.startswith('memleak') or line.startswith('  time:') or
                line.startswith('unreferenced object')):
            last = i
    return last


def alive_after_memleak(run):
    last = last_memleak_line(run)
    if last < 0:
        return False, 'memleak printed nothing'
    for i, line in enumerate(run.lines):
        if i > last and line.startswith('jiffies = '):
            return True, '"jiffies = " at line %d, after memleak (line %d)' % (
                i + 1, last + 1)
    return False, 'no "jiffies = " line after memleak\'s output'


def orphan_block(run, addr):
    """The lines of one reported orphan (empty when not reported)."""
    head = 'unreferenced object 0x%016x ' % addr
    out, inside = [], False
    for line in run.lines:
        if line.startswith('unreferenced object'):
            inside = line.startswith(head)
            if inside:
                out.append(line)
            continue
        if inside:
            if not line.startswith(' '):
                inside = False
                continue
            out.append(line)
    return '\n'.join(out)


def grep(run, pattern):
    return [line for line in run.lines if re.search(pattern, line)]


# ---- results -----------------------------------------------------------------------

# Open bugs of the extension that a case demonstrates. Their failed checks
# print as KNOWN-FAIL (not counted by run-all as PASS or FAIL) and the case
# counts as failed in the FIGURE line; a passing check still prints PASS.
# Remove an entry when its bug is fixed.
KNOWN_BUGS = set()


class Results:
    def __init__(self, label=''):
        self.cases = []  # (name, ok)
        self.prefix = label + '/' if label else ''

    def case(self, name, checks):
        """checks: list of (label, ok, detail). Prints one line each."""
        ok_all = True
        for label, ok, detail in checks:
            verdict = 'PASS' if ok else (
                'KNOWN-FAIL' if name in KNOWN_BUGS else 'FAIL')
            emit('%s: corrupt %s%s: %s%s' % (
                verdict, self.prefix, name, label,
                ' (%s)' % detail if detail else ''))
            ok_all = ok_all and ok
        sink = getattr(_unit, 'sink', None)
        (sink.cases if sink is not None else self.cases).append(
            (name, ok_all))
        return ok_all


def standard_checks(run, case_checks, memleak_ran=True):
    """(a), (b), the case's (c) checks, (d)."""
    checks = []
    if memleak_ran:
        ok, detail = alive_after_memleak(run)
        checks.append(('(a) crash runs the next command after memleak', ok,
                       detail))
    sums = summaries(run)
    times = [s['time'] for s in sums if 'time' in s]
    if run.timed_out:
        checks.append(('(b) finished within %ds' % BOUND, False,
                       'crash killed after %ds: hang' % TIMEOUT))
    elif times and max(times) > BOUND:
        checks.append(('(b) finished within %ds' % BOUND, False,
                       'memleak took %.1f s' % max(times)))
    else:
        checks.append(('(b) finished within %ds' % BOUND, True,
                       'memleak %s, session %.1f s' % (
                           '%.2f s' % max(times) if times else 'no time line',
                           run.elapsed)))
    checks += case_checks
    bad = [line for line in run.lines if CRASHED_RE.search(line)]
    checks.append(('(d) no segmentation violation', not bad,
                   bad[0].strip() if bad else ''))
    return checks


def check_re(label, run, pattern, flags=0):
    hits = [line for line in run.lines if re.search(pattern, line, flags)]
    return (label, bool(hits), hits[0].strip()[:160] if hits else
            'no line matches /%s/' % pattern)


def check_summary(label, run, key, pred, describe, index=-1):
    sums = summaries(run)
    if not sums:
        return (label, False, 'no memleak summary')
    s = sums[index]
    v = s.get(key)
    ok = v is not None and pred(v)
    return (label, ok, '%s = %s (%s)' % (key, v, describe))


# ---- picking targets -------------------------------------------------------------

class Targets:
    """Keeps the targets of the cases of one session apart."""

    def __init__(self, k, planted):
        self.k = k
        self.planted = planted  # rows of expected.tsv
        self.used_slabs = set()
        self.used_caches = set()
        self.used_tasks = set()
        self.planted_addrs = [int(r['addr'], 16) for r in planted]
        self.planted_caches = {r['cache'] for r in planted} | {
            'memleak_test_cache'}
        self.commands = []  # memleak commands a case adds (memleak -w)
        self.sheaf_damage = [0, 0, 0]  # sheaf damage planted, by kind

    def partial_slab(self, min_free=3, size_max=None):
        k = self.k
        for c in k.caches():
            if c['addr'] in self.used_caches or \
                    c['name'] in self.planted_caches:
                continue
            if size_max and c['size'] > size_max:
                continue
            for s in k.partial_slabs(c, min_free, self.planted_addrs):
                if s['slab'] in self.used_slabs:
                    continue
                self.used_slabs.add(s['slab'])
                self.used_caches.add(c['addr'])
                return s, c
        raise DumpError('no partial slab with %d free objects left' % min_free)

    def spare_cache(self):
        """A cache with slabs, not a kmalloc one, not planted, not used."""
        k = self.k
        with_slabs = {s['cache'] for s in k.slabs()}
        for c in k.caches():
            if (c['addr'] in self.used_caches or c['addr'] not in with_slabs
                    or c['name'].startswith('kmalloc') or
                    c['name'] in self.planted_caches):
                continue
            self.used_caches.add(c['addr'])
            return c
        raise DumpError('no spare cache left')

    def task(self, index):
        tasks = self.k.tasks()
        i = index % len(tasks)
        while tasks[i] in self.used_tasks:
            i = (i + 1) % len(tasks)
        self.used_tasks.add(tasks[i])
        return tasks[i], tasks

    def planted_leak(self, n=0, cache_prefix='kmalloc-'):
        rows = [r for r in self.planted if r['expect'] == 'leak' and
                r['cache'].startswith(cache_prefix)]
        if len(rows) <= n:
            raise DumpError('no planted leak #%d in %s*' % (n, cache_prefix))
        return rows[n]


def read_planted(fixture):
    rows = []
    path = os.path.join(fixture, 'expected.tsv')
    if os.path.exists(path):
        for line in open(path):
            f = line.rstrip('\n').split('\t')
            if len(f) >= 5:
                rows.append(dict(scenario=f[0], addr=f[1], size=int(f[2]),
                                 cache=f[3], expect=f[4]))
    return rows


# ---- the cases that damage memory ---------------------------------------------------
#
# Each returns (description, checker); the checker takes (run, base) and
# returns the case's (c) checks. base: figures of the pristine run.

def freelist_checks(slab, why, summary=True):
    """The slab named by memleak's debug line; a damaged: summary line."""
    def checker(run, base):
        checks = [check_re('(c) the slab is named as corrupt (%s; set debug 1)'
                           % why, run,
                           r'slab %x \(.*\): corrupt freelist' % slab)]
        if summary:
            checks.append(check_summary(
                '(c) the summary has a damaged: line counting corrupt '
                'freelists', run, 'freelists_corrupt', lambda v: v >= 1,
                'damaged: line', index=0))
        return checks
    return checker


def c_fl_self(t):
    s, c = t.partial_slab()
    t.k.set_next_free(c, s['free'][0], s['free'][0])
    return ('free object %#x of slab %#x (%s) points to itself' % (
        s['free'][0], s['slab'], c['name']),
        freelist_checks(s['slab'], 'self loop'))


def c_fl_cycle(t):
    s, c = t.partial_slab()
    t.k.set_next_free(c, s['free'][1], s['free'][0])
    return ('free objects %#x -> %#x -> back (slab %#x, %s)' % (
        s['free'][0], s['free'][1], s['slab'], c['name']),
        freelist_checks(s['slab'], 'two-object cycle'))


def c_fl_wild(t):
    s, c = t.partial_slab()
    wild = t.k.unreadable_kernel_address()
    t.k.set_next_free(c, s['free'][0], wild)
    return ('free pointer of %#x = wild kernel address %#x (slab %#x, %s)' % (
        s['free'][0], wild, s['slab'], c['name']),
        freelist_checks(s['slab'], 'wild kernel address'))


def c_fl_user(t):
    s, c = t.partial_slab()
    t.k.set_next_free(c, s['free'][0], USER)
    return ('free pointer of %#x = user address %#x (slab %#x, %s)' % (
        s['free'][0], USER, s['slab'], c['name']),
        freelist_checks(s['slab'], 'user address'))


def c_fl_unaligned(t):
    s, c = t.partial_slab()
    t.k.set_next_free(c, s['free'][0], s['free'][1] + 3)
    return ('free pointer of %#x = %#x, inside an object (slab %#x, %s)' % (
        s['free'][0], s['free'][1] + 3, s['slab'], c['name']),
        freelist_checks(s['slab'], 'unaligned pointer'))


def c_fl_null_early(t):
    s, c = t.partial_slab(min_free=3)
    t.k.set_next_free(c, s['free'][0], 0)
    lost = s['free'][1:]

    def checker(run, base):
        checks = freelist_checks(s['slab'], 'list cut short: %d free objects '
                                 'after the cut' % len(lost),
                                 summary=False)(run, base)
        reported = [a for a in lost if orphan_block(run, a)]
        checks.append(('(c) free objects past the cut not reported as leaks',
                       not reported, '%d of %d reported: %s' % (
                           len(reported), len(lost),
                           ', '.join('%#x' % a for a in reported[:3]))))
        return checks
    return ('freelist of slab %#x (%s, %d free) cut to 1 object by a NULL '
            'free pointer' % (s['slab'], c['name'], len(s['free'])), checker)


def c_slab_freelist_wild(t):
    s, c = t.partial_slab()
    wild = t.k.unreadable_kernel_address() + 0x40
    t.k.d.put_u64(s['slab'] + t.k.off('slab.freelist'), wild)
    return ('slab %#x (%s) ->freelist = %#x' % (s['slab'], c['name'], wild),
            freelist_checks(s['slab'], 'slab->freelist wild'))


def c_cpu_freelist_wild(t):
    c, kcc, slab, fl = cpu_slab_of(t)
    t.k.d.put_u64(kcc + t.k.off('kmem_cache_cpu.freelist'), WILD)
    return ('CPU 0 freelist of %s (active slab %#x) = %#x' % (
        c['name'], slab, WILD), freelist_checks(slab, 'per-cpu freelist wild'))


def cpu_slab_of(t):
    """A cache with an active CPU 0 slab (no slub_debug): (cache, kcc, slab)."""
    k = t.k
    for c in k.caches():
        if c['addr'] in t.used_caches or c['name'] in t.planted_caches:
            continue
        kcc = c['cpu_slab'] + k.r['percpu0']
        try:
            slab = k.d.u64(kcc + k.off('kmem_cache_cpu.slab'))
            fl = k.d.u64(kcc + k.off('kmem_cache_cpu.freelist'))
        except DumpError:
            continue
        if slab and fl:
            t.used_caches.add(c['addr'])
            return c, kcc, slab, fl
    raise DumpError('no cache with an active CPU 0 slab and a freelist '
                    '(slub_debug caches have none: use the nodebug fixture)')


def c_cpu_freelist_self(t):
    c, kcc, slab, fl = cpu_slab_of(t)
    t.k.set_next_free(c, fl, fl)
    return ('CPU 0 freelist of %s (active slab %#x): first object %#x points '
            'to itself' % (c['name'], slab, fl),
            freelist_checks(slab, 'per-cpu freelist self loop'))


def c_fl_key_garbage(t):
    s, c = t.partial_slab()
    if c['random'] is None:
        raise DumpError('no CONFIG_SLAB_FREELIST_HARDENED (kmem_cache.random)')
    t.k.d.put_u64(c['addr'] + t.k.off('kmem_cache.random'),
                  c['random'] ^ 0x5a5a5a5a00000000)

    def checker(run, base):
        return [check_re('(c) a slab of the cache is named as corrupt '
                         '(set debug 1)', run,
                         r'slab [0-9a-f]+ \(%s\): corrupt freelist' %
                         re.escape(c['name']))]
    return ('kmem_cache %#x (%s): freelist obfuscation key (random) '
            'garbled' % (c['addr'], c['name']), checker)


def unknown_cache_checks(what):
    def checker(run, base):
        return [check_summary('(c) summary counts the slab of an unknown '
                              'cache (%s)' % what, run, 'slabs_unknown',
                              lambda v: v >= 1, 'damaged: line')]
    return checker


def c_slab_cache_garbage(t):
    s, c = t.partial_slab(min_free=1)
    t.k.d.put_u64(s['slab'] + t.k.off('slab.slab_cache'), WILD)
    return ('slab %#x (%s) ->slab_cache = %#x' % (s['slab'], c['name'], WILD),
            unknown_cache_checks('garbage pointer'))


def c_slab_cache_non_cache(t):
    s, c = t.partial_slab(min_free=1)
    t.k.d.put_u64(s['slab'] + t.k.off('slab.slab_cache'),
                  t.k.sym('init_task'))
    return ('slab %#x (%s) ->slab_cache = &init_task (not a cache)' % (
        s['slab'], c['name']), unknown_cache_checks('points to init_task'))


def set_counters(t, s, inuse, objects):
    k = t.k
    at = s['slab'] + k.off('slab.counters')
    v = k.d.u32(at)
    v = (v & 0x80000000) | ((objects & 0x7fff) << 16) | (inuse & 0xffff)
    k.d.put_u32(at, v)


def counters_checks(what):
    def checker(run, base):
        return [check_summary('(c) summary counts the slab with absurd '
                              'counters (%s)' % what, run, 'slabs_absurd',
                              lambda v: v >= 1, 'damaged: line')]
    return checker


def c_cnt_objects0(t):
    s, c = t.partial_slab(min_free=1)
    set_counters(t, s, 0, 0)
    return ('slab %#x (%s): objects 0, inuse 0' % (s['slab'], c['name']),
            counters_checks('objects 0'))


def c_cnt_inuse_gt(t):
    s, c = t.partial_slab(min_free=1)
    set_counters(t, s, s['objects'] + 5, s['objects'])
    return ('slab %#x (%s): inuse %d > objects %d' % (
        s['slab'], c['name'], s['objects'] + 5, s['objects']),
        counters_checks('inuse > objects'))


def c_cnt_objects_max(t):
    s, c = t.partial_slab(min_free=1, size_max=256)
    set_counters(t, s, s['inuse'], 0x7fff)

    def checker(run, base):
        checks = counters_checks('objects 0x7fff in a slab of %d pages' % (
            (s['objects'] * c['size'] + 4095) // 4096))(run, base)
        return checks
    return ('slab %#x (%s, %d objects of %d bytes): objects = 0x7fff (%d KiB '
            'of objects)' % (s['slab'], c['name'], s['objects'], c['size'],
                             0x7fff * c['size'] >> 10), checker)


def kc_checks(addr, what):
    def checker(run, base):
        return [check_re('(c) cache named as skipped (%s)' % what, run,
                         r'kmem_cache (0x)?%x .*(absurd|skipped|corrupt|'
                         r'damaged)' % addr)]
    return checker


def c_kc_size0(t):
    c = t.spare_cache()
    t.k.d.put_u32(c['addr'] + t.k.off('kmem_cache.size'), 0)
    return ('kmem_cache %#x (%s): size 0' % (c['addr'], c['name']),
            kc_checks(c['addr'], 'size 0'))


def c_kc_size_huge(t):
    c = t.spare_cache()
    t.k.d.put_u32(c['addr'] + t.k.off('kmem_cache.size'), 0x7ffffff0)
    return ('kmem_cache %#x (%s): size 0x7ffffff0' % (c['addr'], c['name']),
            kc_checks(c['addr'], 'huge size'))


def c_kc_objsize_gt(t):
    c = t.spare_cache()
    t.k.d.put_u32(c['addr'] + t.k.off('kmem_cache.object_size'),
                  c['size'] + 64)
    return ('kmem_cache %#x (%s): object_size %d > size %d' % (
        c['addr'], c['name'], c['size'] + 64, c['size']),
        kc_checks(c['addr'], 'object_size > size'))


def c_kc_offset_out(t):
    c = t.spare_cache()
    t.k.d.put_u32(c['addr'] + t.k.off('kmem_cache.offset'), c['size'] + 64)
    return ('kmem_cache %#x (%s): free pointer offset %d >= size %d' % (
        c['addr'], c['name'], c['size'] + 64, c['size']),
        kc_checks(c['addr'], 'offset outside the object'))


def sc_checks(run, base):
    return [check_re('(c) message: slab_caches list corrupt', run,
                     r'slab_caches list is corrupt'),
            check_re('(c) summary: slab_caches list cut', run,
                     r'^  damaged:.*slab_caches list cut')]


def c_sc_loop(t):
    caches = t.k.caches()
    a, b = caches[len(caches) // 2], caches[len(caches) // 4]
    t.k.d.put_u64(a['node'], b['node'])
    return ('slab_caches: %s.list.next -> %s (an earlier node)' % (
        a['name'], b['name']), sc_checks)


def c_sc_garbage(t):
    caches = t.k.caches()
    a = caches[len(caches) // 2]
    t.k.d.put_u64(a['node'], WILD)
    return ('slab_caches: %s.list.next = %#x' % (a['name'], WILD), sc_checks)


def c_sc_head_wild(t):
    wild = t.k.unreadable_kernel_address()
    t.k.d.put_u64(t.k.sym('slab_caches'), wild)

    def checker(run, base):
        return [check_re('(c) message: no slab cache could be read', run,
                         r'no slab cache could be read'),
                check_re('(c) message: the scan could not start', run,
                         r'could not start|nothing to report')]
    return ('slab_caches.next = %#x (unreadable)' % wild, checker)


def task_checks(run, base):
    return [check_re('(c) message: task list damaged', run,
                     r'task list is damaged'),
            check_re('(c) summary: task list damaged', run,
                     r'tasks - task list damaged')]


def c_tk_loop(t):
    k = t.k
    a, tasks = t.task(len(k.tasks()) * 2 // 3)
    b = tasks[len(tasks) // 3]
    lo = k.off('task_struct.tasks')
    k.d.put_u64(a + lo, b + lo)
    return ('task %#x .tasks.next -> task %#x (earlier): a loop' % (a, b),
            task_checks)


def c_tk_stack_null(t):
    a, _ = t.task(15)
    t.k.d.put_u64(a + t.k.off('task_struct.stack'), 0)
    return ('task %#x ->stack = NULL' % a, task_checks)


def c_tk_stack_user(t):
    a, _ = t.task(25)
    t.k.d.put_u64(a + t.k.off('task_struct.stack'), USER)
    return ('task %#x ->stack = %#x (user address)' % (a, USER), task_checks)


def c_tk_signal_wild(t):
    a, _ = t.task(30)
    wild = t.k.unreadable_kernel_address()
    t.k.d.put_u64(a + t.k.off('task_struct.signal'), wild)
    return ('task %#x ->signal = %#x (unreadable)' % (a, wild), task_checks)


def c_tk_thread_loop(t):
    a, _ = t.task(35)
    node = a + t.k.off('task_struct.thread_node')
    t.k.d.put_u64(node, node)
    return ('task %#x: thread_node.next -> itself (thread list loop)' % a,
            task_checks)


def c_tk_stack_unmapped(t):
    k = t.k
    a, _ = t.task(20)
    addr = k.r['vmalloc_base'] + (1 << 44)
    if k.d.readable(addr):
        raise DumpError('%#x is mapped' % addr)
    k.d.put_u64(a + k.off('task_struct.stack'), addr)

    def checker(run, base):
        need = base.get('pages_unreadable', 0) + 4
        return [check_summary('(c) the 4 unreadable stack pages are counted',
                              run, 'pages_unreadable', lambda v: v >= need,
                              'pristine %s, want >= %d' % (
                                  base.get('pages_unreadable'), need))]
    return ('task %#x ->stack = %#x (kernel address, not mapped)' % (
        a, addr), checker)


def module_checks(run, base):
    return [check_re('(c) message: module list damaged', run,
                     r'module list is damaged'),
            check_re('(c) summary: module list damaged', run,
                     r'modules - module list damaged')]


def c_md_loop(t):
    mods = t.k.modules()
    node = mods[-1] + t.k.off('module.list')
    t.k.d.put_u64(node, node)
    return ('module %#x: list.next -> itself (of %d modules)' % (
        mods[-1], len(mods)), module_checks)


def c_md_garbage(t):
    mods = t.k.modules()
    t.k.d.put_u64(mods[0] + t.k.off('module.list'), WILD)
    return ('module %#x: list.next = %#x' % (mods[0], WILD), module_checks)


def module_layout(t, which):
    k = t.k
    if not k.has('module.core_layout'):
        raise DumpError('no module.core_layout in this kernel (6.4+)')
    mods = k.modules()
    mod = mods[which % len(mods)]
    lay = mod + k.off('module.core_layout')
    base = k.d.u64(lay + k.off('module_layout.base'))
    ro = k.d.u32(lay + k.off('module_layout.ro_size'))
    return mod, lay, base, ro


def c_md_data_huge(t):
    mod, lay, base, ro = module_layout(t, -1)
    size = ro + 0x30000000
    t.k.d.put_u32(lay + t.k.off('module_layout.size'), size)

    def checker(run, base_):
        need = base_.get('pages_unreadable', 0) + 1000
        return [check_summary('(c) the unreadable part of the 768 MiB module '
                              'area is counted', run, 'pages_unreadable',
                              lambda v: v >= need, 'want >= %d' % need)]
    return ('module %#x: core_layout.size = %#x (768 MiB of data at %#x)' % (
        mod, size, base + ro), checker)


def c_md_data_wraps(t):
    mod, lay, base, ro = module_layout(t, 0)
    data = base + ro
    size = ro + (1 << 30) - 0x1000
    if data + (size - ro) < (1 << 64):
        raise DumpError('module data at %#x: 1 GiB does not wrap' % data)
    t.k.d.put_u32(lay + t.k.off('module_layout.size'), size)
    name = t.k.d.cstring(mod + t.k.off('module.name'))

    def checker(run, base_):
        return [check_re('(c) message: the module\'s data size is absurd, '
                         'its data skipped', run,
                         r'(?i)module.*(absurd|skipped|implausible|wrap|'
                         r'overflow|too large|damaged data|bad size)')]
    return ('module %#x (%s): core_layout.size = %#x, so its data [%#x, +%#x) '
            'runs past the top of the address space' % (
                mod, name, size, data, size - ro), checker)


def vmap_checks(run, base):
    return [check_re('(c) message: vmap_area_list damaged', run,
                     r'vmap_area_list is damaged')]


def c_vm_loop(t):
    areas = t.k.vmap_areas()
    a, b = areas[len(areas) * 2 // 3], areas[len(areas) // 3]
    t.k.d.put_u64(a['node'], b['node'])
    return ('vmap_area %#x list.next -> vmap_area %#x (earlier): a loop' % (
        a['va'], b['va']), vmap_checks)


def c_vm_garbage(t):
    areas = t.k.vmap_areas()
    a = areas[len(areas) // 2]
    t.k.d.put_u64(a['node'], USER)
    return ('vmap_area %#x list.next = %#x' % (a['va'], USER), vmap_checks)


def c_vm_huge(t):
    k = t.k
    want = [int(r['addr'], 16) for r in t.planted if r['cache'] == 'vmalloc']
    pick = None
    for a in k.vmap_areas():
        if not a['vm']:
            continue
        addr = k.d.u64(a['vm'] + k.off('vm_struct.addr'))
        flags = k.d.u64(a['vm'] + k.off('vm_struct.flags'))
        size = k.d.u64(a['vm'] + k.off('vm_struct.size'))
        if flags & 2 and (addr in want or (not want and size > 5 * 4096)):
            pick = (a, addr)
            break
    if not pick:
        raise DumpError('no VM_ALLOC area to damage')
    a, addr = pick
    k.d.put_u64(a['vm'] + k.off('vm_struct.size'), 1 << 40)

    def checker(run, base):
        return [check_re('(c) message: the absurd vmalloc area is named', run,
                         r'(vmalloc|vm_struct|vmap).*(absurd|implausible|'
                         r'too large|truncated|damaged|skipped|corrupt)'),
                check_summary('(c) memleak completed', run, 'orphans',
                              lambda v: True, 'summary printed')]
    return ('vm_struct %#x (area %#x): size = 1 TiB' % (a['vm'], addr),
            checker)


def track_handle_addr(t, row):
    """The alloc track's handle of a planted slab object (slub_debug=U)."""
    k = t.k
    obj = int(row['addr'], 16)
    page = k.page_of_pfn((k.d.vtop(obj)) >> 12)
    head = k.d.u64(page + k.off('page.compound_head'))
    if head & 1:
        page = head - 1
    c = k.cache_at(k.d.u64(page + k.off('slab.slab_cache')))
    if c is None:
        raise DumpError('cache of %#x not found' % obj)
    info_end = c['inuse'] + 8 if c['offset'] >= c['inuse'] else c['inuse']
    return obj + info_end + k.off('track.handle'), obj


def handle_pool_field(t):
    bits = t.k.r['bits']
    for name in ('pool_index_plus_1', 'pool_index', 'slabindex'):
        if name in bits:
            return bits[name]
    raise DumpError('union handle_parts: no pool field')


def c_dp_handle(t):
    row = t.planted_leak(0)
    at, obj = track_handle_addr(t, row)
    h = t.k.d.u32(at)
    pos, width = handle_pool_field(t)
    mask = ((1 << width) - 1) << pos
    bad = (h & ~mask) | mask
    t.k.d.put_u32(at, bad)

    def checker(run, base):
        block = orphan_block(run, obj)
        m = re.search(r'\(no stack: ([^)]*)\)', block)
        return [('(c) the orphan says why it has no stack', bool(m),
                 m.group(0) if m else 'orphan %#x %s' % (
                     obj, 'has no "(no stack: ...)" line' if block else
                     'not reported'))]
    return ('planted leak %s %#x: track handle %#x -> %#x (pool index out of '
            'the pools)' % (row['scenario'], obj, h, bad), checker)


def c_dp_pool_garbage(t):
    k = t.k
    row = t.planted_leak(1)
    at, obj = track_handle_addr(t, row)
    h = k.d.u32(at)
    pos, width = handle_pool_field(t)
    pool = (h >> pos) & ((1 << width) - 1)
    if 'pool_index_plus_1' in k.r['bits']:
        pool -= 1
    arr = k.r['sym'].get('stack_slabs') or k.r['sym'].get('stack_pools')
    if arr is None:
        raise DumpError('no stack_slabs/stack_pools')
    wild = k.unreadable_kernel_address()
    k.d.put_u64(arr + 8 * pool, wild)

    def checker(run, base):
        block = orphan_block(run, obj)
        m = re.search(r'\(no stack: ([^)]*)\)', block)
        return [('(c) the orphan says its stack is unreadable', bool(m),
                 m.group(0) if m else 'orphan %#x %s' % (
                     obj, 'has no "(no stack: ...)" line' if block else
                     'not reported'))]
    return ('stack depot pool %d (stack_slabs[%d], used by planted leak %s) '
            '= %#x' % (pool, pool, row['scenario'], wild), checker)


def c_jf_zero(t):
    k = t.k
    sym = k.r['sym'].get('jiffies_64') or k.sym('jiffies')
    k.d.put_u64(sym, 0)
    leaks = [(r['scenario'], int(r['addr'], 16)) for r in t.planted
             if r['expect'] == 'leak']

    def checker(run, base):
        missing = [s for s, a in leaks if not orphan_block(run, a)]
        return [
            ('(c) every planted leak still reported (none hidden as in '
             'flight)', not missing, '%d planted, missing: %s' % (
                 len(leaks), ', '.join(missing[:4]) or 'none')),
            check_re('(c) message: allocation ages unknown (jiffies '
                     'implausible)', run,
                     r'\b(jiffies|ages?)\b.*\b(unknown|implausible|corrupt|'
                     r'damaged|invalid|garbage|after the dump|in the future|'
                     r'not known)\b', re.I),
        ]
    return ('jiffies = 0 (every allocation stamp lies after it)', checker)


def c_hole_slab(t):
    k = t.k
    s, c = t.partial_slab(min_free=1)
    pa = k.d.vtop(s['base'])
    length = (s['objects'] * c['size'] + c['red_left_pad'] + 4095) & ~4095
    how = k.d.punch_hole(pa, length)

    def checker(run, base):
        return [check_summary('(c) the slab whose pages are missing is counted '
                              'unreadable', run, 'slabs_unreadable',
                              lambda v: v > base.get('slabs_unreadable', 0),
                              'pristine %s' % base.get('slabs_unreadable'))]
    return ('pages of slab %#x (%s, %d KiB at pa %#x) left out of the dump '
            '(PT_LOAD split around them; %s)' % (s['slab'], c['name'],
                                                 length >> 10, pa, how),
            checker)


def c_hole_memmap(t):
    k = t.k
    ram = max(k.d.loads, key=lambda p: p['filesz'])
    pfn = ((ram['paddr'] + ram['filesz'] // 2) >> 12) & ~4095
    npages = 4096
    va = k.page_of_pfn(pfn)
    length = npages * k.r['sizeof_page']
    pa = k.d.vtop(va)
    if k.d.vtop(va + length - 1) != pa + length - 1:
        raise DumpError('struct pages of pfn %#x not physically contiguous' %
                        pfn)
    how = k.d.punch_hole(pa, length)

    def checker(run, base):
        return [check_summary('(c) the missing struct pages are counted',
                              run, 'chunks_unreadable',
                              lambda v: v > base.get('chunks_unreadable', 0),
                              'pristine %s' % base.get('chunks_unreadable'))]
    return ('struct pages of pfns %#x-%#x (%d KiB of the memmap at pa %#x) '
            'left out of the dump (%s)' % (pfn, pfn + npages - 1,
                                           length >> 10, pa, how), checker)


# ---- the debug kernel: kmemleak's records, page_owner ---------------------------

def kml_objects(t):
    # Addresses of the kmemleak_objects on object_list, in list order.
    k = t.k
    lo = k.off('kmemleak_object.object_list')
    return [n - lo for n in k.list_nodes(k.sym('object_list'), limit=400000)]


def c_kml_loop(t):
    k = t.k
    objs = kml_objects(t)
    lo = k.off('kmemleak_object.object_list')
    a, b = objs[len(objs) * 2 // 3], objs[len(objs) // 3]
    k.d.put_u64(a + lo, b + lo)

    def checker(run, base):
        return [check_re('(c) -K: the object list is cut short, PARTIAL', run,
                         r'^memleak -K: PARTIAL: .*object list cut short'),
                check_re('(c) summary: kmemleak records PARTIAL', run,
                         r'^  kmemleak records: \d+ objects read \(PARTIAL')]
    return ('kmemleak_object %#x .object_list.next -> object %#x (earlier): '
            'a loop of %d objects' % (a, b, len(objs)), checker)


def c_kml_handle(t):
    k = t.k
    leaks = {int(r['addr'], 16) for r in t.planted if r['expect'] == 'leak'}
    ptr = k.off('kmemleak_object.pointer')
    th = k.off('kmemleak_object.trace_handle')
    target = next((o for o in kml_objects(t) if k.d.u64(o + ptr) in leaks),
                  None)
    if target is None:
        raise DumpError('no kmemleak_object of a planted leak on object_list')
    k.d.put_u32(target + th, 0xfffffff0)

    def checker(run, base):
        return [check_re('(c) -K: the object prints "(no stack: ...)"', run,
                         r'^    \(no stack: '),
                check_re('(c) -K: PARTIAL, stacks missing', run,
                         r'^memleak -K: PARTIAL: .* [1-9]\d* stacks missing')]
    return ('kmemleak_object %#x (of planted leak %#x): trace_handle = '
            '0xfffffff0' % (target, k.d.u64(target + ptr)), checker)


def c_page_ext_size(t):
    t.k.d.put_u64(t.k.sym('page_ext_size'), 1 << 40)

    def checker(run, base):
        return [check_re('(c) summary: large kmalloc untracked, and why', run,
                         r'^  not tracked: +page allocations \(large kmalloc:'
                         r' page_owner layout')]
    return ('page_ext_size = 1 TiB', checker)


# ---- 6.9-6.12: per-node vmap_area busy lists, typed pages ----------------------

VMAP_NODES_CUT = r'a vmap_nodes busy list is damaged; \d+ vmalloc areas tracked'


def vmap_nodes_checks(what, areas=None, planted=()):
    """readers/vmalloc.c's message for a cut busy list; with areas 'fewer'
    (no list could be walked), fewer vmalloc areas than on the pristine
    dump; with 'kept' (the real lists are intact), at least as many. With
    planted (rows of expected.tsv): every planted leak still reported (no
    bogus area read from garbage covers them)."""
    def checker(run, base):
        checks = [check_re('(c) message: a vmap_nodes busy list is damaged '
                           '(%s)' % what, run, VMAP_NODES_CUT)]
        want = base.get('vmalloc_areas')
        if areas == 'fewer':
            checks.append(check_summary(
                '(c) fewer vmalloc areas tracked than on the pristine dump',
                run, 'vmalloc_areas', lambda v: want is not None and v < want,
                'pristine %s' % want))
        elif areas == 'kept':
            checks.append(check_summary(
                '(c) the areas of the real nodes are still tracked', run,
                'vmalloc_areas', lambda v: want is not None and v >= want,
                'pristine %s' % want))
        leaks = [(r['scenario'], int(r['addr'], 16)) for r in planted
                 if r['expect'] == 'leak']
        if leaks:
            missing = [n for n, a in leaks if not orphan_block(run, a)]
            checks.append(('(c) every planted leak still reported (no bogus '
                           'area hides them)', not missing,
                           '%d planted, missing: %s' % (
                               len(leaks), ', '.join(missing[:4]) or
                               'none')))
        return checks
    return checker


def need_vmap_nodes(k):
    if 'vmap_nodes' not in k.r['sym'] or 'vmap_area_list' in k.r['sym']:
        raise DumpError('no vmap_nodes in this kernel (6.9+)')


def c_vn_wild(t):
    need_vmap_nodes(t.k)
    t.k.d.put_u64(t.k.sym('vmap_nodes'), WILD)
    return ('vmap_nodes = %#x (non-canonical)' % WILD,
            vmap_nodes_checks('vmap_nodes wild', 'fewer'))


def c_vn_null(t):
    need_vmap_nodes(t.k)
    t.k.d.put_u64(t.k.sym('vmap_nodes'), 0)
    return ('vmap_nodes = NULL', vmap_nodes_checks('vmap_nodes NULL', 'fewer'))


def c_vn_nr_absurd(t):
    need_vmap_nodes(t.k)
    t.k.d.put_u32(t.k.sym('nr_vmap_nodes'), 0x7fffffff)
    return ('nr_vmap_nodes = 0x7fffffff (was %d)' % t.k.r['nr_vmap_nodes'],
            vmap_nodes_checks('nr_vmap_nodes absurd', 'fewer'))


def nr_vmap_nodes_past(nr):
    """nr_vmap_nodes = nr, plausible but past the array: the heads after the
    real nodes are read from whatever memory follows it (other objects,
    garbage). 4096 is the most readers/vmalloc.c accepts (MAX_VMAP_NODES):
    24 MiB of heads, the worst case of the bound."""
    def case(t):
        k = t.k
        need_vmap_nodes(k)
        was = k.r['nr_vmap_nodes']
        k.d.put_u32(k.sym('nr_vmap_nodes'), nr)
        return ('nr_vmap_nodes = %d (was %d): %d nodes (%d KiB) read past '
                'the end of the vmap_nodes array at %#x' % (
                    nr, was, nr - was,
                    ((nr - was) * k.r['sizeof_vmap_node']) >> 10,
                    k.d.u64(k.sym('vmap_nodes'))),
                vmap_nodes_checks('heads of %d nodes read past the array' % (
                    nr - was), 'kept', t.planted))
    return case


def busy_list(t, min_len=6):
    """The longest busy list: (head, its areas in order)."""
    k = t.k
    need_vmap_nodes(k)
    lists = {}
    for a in k.vmap_areas():
        lists.setdefault(a['head'], []).append(a)
    head, areas = max(lists.items(), key=lambda kv: len(kv[1]))
    if len(areas) < min_len:
        raise DumpError('no busy list with %d areas' % min_len)
    return head, areas


def c_vn_busy_loop(t):
    head, areas = busy_list(t)
    a, b = areas[len(areas) * 2 // 3], areas[len(areas) // 3]
    t.k.d.put_u64(a['node'], b['node'])
    return ('busy list at %#x (%d areas): vmap_area %#x list.next -> vmap_area '
            '%#x (earlier, not the head): a loop' % (
                head, len(areas), a['va'], b['va']),
            vmap_nodes_checks('busy list loops'))


def c_vn_busy_garbage(t):
    k = t.k
    head, areas = busy_list(t)
    a = areas[len(areas) // 2]
    at = k.sym('linux_banner')
    k.d.put_u64(a['node'], at)
    return ('busy list at %#x (%d areas): vmap_area %#x list.next = %#x '
            '(linux_banner: text, read as a vmap_area and a next pointer)' % (
                head, len(areas), a['va'], at),
            vmap_nodes_checks('a node points into garbage'))


def need_page_types(k):
    if k.page_type_of(bytes(k.r['sizeof_page'])) is None or \
            'PG_slab' in k.r:
        raise DumpError('slab pages are not typed by page_type here (6.12+)')


def set_page_type(k, page, value):
    k.d.put_u32(page + k.off('page.page_type'), value)


def slab_gone_checks(s, what):
    """The slab is no slab any more: its objects are not tracked."""
    def checker(run, base):
        want = base.get('blocks')
        return [check_summary(
            '(c) the slab\'s %d objects are no longer tracked (%s)' % (
                s['inuse'], what), run, 'blocks',
            lambda v: want is not None and v <= want - s['inuse'],
            'pristine %s' % want)]
    return checker


def c_pt_slab_as_buddy(t):
    k = t.k
    need_page_types(k)
    s, c = t.partial_slab(min_free=1)
    set_page_type(k, s['slab'], k.r['PGTY_buddy'] << 24)
    return ('slab %#x (%s, %d objects in use): page_type = %#x (PGTY_buddy: '
            'a free block whose order is the slab\'s counters)' % (
                s['slab'], c['name'], s['inuse'], k.r['PGTY_buddy'] << 24),
            slab_gone_checks(s, 'typed as a free buddy page'))


def c_pt_slab_zero(t):
    k = t.k
    need_page_types(k)
    s, c = t.partial_slab(min_free=1)
    set_page_type(k, s['slab'], 0)
    return ('slab %#x (%s, %d objects in use): page_type = 0 (no type)' % (
        s['slab'], c['name'], s['inuse']),
        slab_gone_checks(s, 'page_type 0'))


def c_pt_fake_slab(t):
    k = t.k
    need_page_types(k)
    buddies = k.buddy_pages()
    if not buddies:
        raise DumpError('no free buddy page')
    page = buddies[len(buddies) // 2]
    garbage = WILD & ~1  # bit 0 clear: not read as a tail page
    set_page_type(k, page, k.r['PGTY_slab'] << 24)
    k.d.put_u64(page + k.off('slab.slab_cache'), garbage)
    return ('free buddy page %#x: page_type = %#x (PGTY_slab), slab_cache = '
            '%#x' % (page, k.r['PGTY_slab'] << 24, garbage),
            unknown_cache_checks('a free page typed as a slab'))


def c_cnt_objects_gt_oo(t):
    s, c = t.partial_slab(min_free=1)
    if not c.get('max_objects'):
        raise DumpError('no kmem_cache.oo')
    objects = c['max_objects'] + 1
    set_counters(t, s, min(s['inuse'], objects), objects)
    return ('slab %#x (%s): objects %d > %d of kmem_cache.oo (inuse %d)' % (
        s['slab'], c['name'], objects, c['max_objects'], s['inuse']),
        counters_checks('objects > oo'))


# ---- 6.18-7.2: SLUB sheaves and node barns --------------------------------------
#
# A sheaf (struct slab_sheaf) caches free objects of one cache: each CPU's
# main, spare and rcu_free sheaf, and the full sheaves on each node's barn
# (7.1+ s->per_node[n].barn). memleak takes their objects for free ones
# (readers/slub.c: read_sheaves(); engine/slub_decode.c:
# mlk_sheaf_ptrs_mark()). A damaged sheaf must be refused and said so, and
# must neither hide a leak nor turn its cached objects into leaks.

SHEAVES_LINE = r'^  sheaves: .*damage ignored: (\d+) sheaves.*?, (\d+) pointers no ' \
    r'free object of their cache, (\d+) in no slab read'


def sheaf_damage(run):
    """(refused sheaves or cut barn lists, wild pointers, pointers in no
    slab) of the last summary's sheaves: line; None when there is none."""
    hits = grep(run, SHEAVES_LINE)
    if not hits:
        return None
    m = re.search(SHEAVES_LINE, hits[-1])
    return tuple(int(x) for x in m.groups())


def check_sheaf_damage(t, what, which):
    """The sheaves: line counts damage of kind which (0 refused sheaves or
    cut barn lists, 1 wild pointers, 2 pointers in no slab): at least one
    more than the pristine dump per case of the session that plants that
    kind (t.sheaf_damage), so that each such case's damage must count."""
    names = ('sheaves refused or barn lists cut', 'pointers no free object '
             'of their cache', 'pointers in no slab read')
    t.sheaf_damage[which] += 1
    planted = t.sheaf_damage

    def check(run, base):
        got = sheaf_damage(run)
        was = base.get('sheaf_damage') or (0, 0, 0)
        want = was[which] + planted[which]
        return ('(c) summary: %s counted (%s)' % (names[which], what),
                got is not None and got[which] >= want,
                'sheaves: line %s, pristine %s, want >= %d' % (got, was,
                                                                want))
    return check


def planted_leaks_reported(t):
    leaks = [(r['scenario'], int(r['addr'], 16)) for r in t.planted
             if r['expect'] == 'leak']

    def check(run, base):
        missing = [n for n, a in leaks if not orphan_block(run, a)]
        return ('(c) every planted leak still reported', bool(leaks) and
                not missing, '%d planted, missing: %s' % (
                    len(leaks), ', '.join(missing[:4]) or 'none'))
    return check


def none_reported(addrs, what):
    """None of addrs (objects cached free in a sheaf) reported as a leak."""
    def check(run, base):
        hit = [a for a in addrs if orphan_block(run, a)]
        return ('(c) no object of %s reported as a leak' % what,
                bool(addrs) and not hit, '%d of %d reported%s' % (
                    len(hit), len(addrs), ': %#x' % hit[0] if hit else ''))
    return check


def no_direct_leak(addrs, what):
    """No flood: none of addrs (objects cached free in a sheaf that lost its
    only pointer) is a direct leak; each is at most an indirect one, held
    by what held it."""
    def check(run, base):
        direct = [a for a in addrs if 'leak: direct' in orphan_block(run, a)]
        return ('(c) no object of %s reported as a direct leak' % what,
                bool(addrs) and not direct, '%d of %d direct%s' % (
                    len(direct), len(addrs),
                    ': %#x' % direct[0] if direct else ''))
    return check


def checker_of(*checks):
    def checker(run, base):
        return [c(run, base) for c in checks]
    return checker


def debug_line(pattern, what):
    def check(run, base):
        return check_re('(c) set debug 1 names it: %s' % what, run, pattern)
    return check


def sheaf_cache(t, min_size=2, capacity_room=0):
    """A cache with sheaves, not planted, not used by another case, whose
    CPU 0 main sheaf holds at least min_size objects and has capacity_room
    free slots: (cache, main sheaf)."""
    k = t.k
    for c in k.sheaf_caches():
        if c['addr'] in t.used_caches or c['name'] in t.planted_caches:
            continue
        sh = k.main_sheaf(c)
        if sh['cache'] == c['addr'] and min_size <= sh['size'] <= \
                c['capacity'] - capacity_room:
            t.used_caches.add(c['addr'])
            return c, sh
    raise DumpError('no cache whose CPU 0 main sheaf holds %d objects with '
                    '%d free slots' % (min_size, capacity_room))


def barn_cache(t, min_full=1):
    """A cache whose node 0 barn has at least min_full full sheaves:
    (cache, barn address, its full sheaves)."""
    k = t.k
    best = None
    for c in k.sheaf_caches():
        if c['addr'] in t.used_caches or c['name'] in t.planted_caches:
            continue
        barn = k.d.u64(k.barn_ptr_addr(c))
        if not barn:
            continue
        full = k.barn_full_sheaves(barn)
        if len(full) >= min_full and (best is None or
                                      len(full) > len(best[2])):
            best = (c, barn, full)
    if best is None:
        raise DumpError('no barn with %d full sheaves' % min_full)
    t.used_caches.add(best[0]['addr'])
    return best


def sheaf_size_case(size_of, what):
    def case(t):
        c, sh = sheaf_cache(t)
        size = size_of(c)
        t.k.d.put_u32(sh['addr'] + t.k.off('slab_sheaf.size'), size)
        return ('CPU 0 main sheaf %#x of %s (%d objects, capacity %d): size '
                '= %#x (%s)' % (sh['addr'], c['name'], sh['size'],
                                c['capacity'], size, what),
                checker_of(
                    debug_line(r'sheaf %x \(%s, CPU 0 main\): size \d+ above '
                               r'its capacity' % (sh['addr'],
                                                  re.escape(c['name'])),
                               'sheaf refused, size above capacity'),
                    none_reported(sh['ptrs'], 'the refused sheaf'),
                    planted_leaks_reported(t)))
    return case


def c_sheaf_cache_elsewhere(t):
    c, sh = sheaf_cache(t)
    other = next(x for x in t.k.caches() if x['addr'] != c['addr'])
    t.k.d.put_u64(sh['addr'] + t.k.off('slab_sheaf.cache'), other['addr'])
    return ('CPU 0 main sheaf %#x of %s (%d objects): cache = %#x (%s)' % (
        sh['addr'], c['name'], sh['size'], other['addr'], other['name']),
        checker_of(
            debug_line(r'sheaf %x \(%s, CPU 0 main\): its cache field is %x'
                       % (sh['addr'], re.escape(c['name']), other['addr']),
                       'sheaf refused, not of its cache'),
            none_reported(sh['ptrs'], 'the refused sheaf'),
            planted_leaks_reported(t)))


def sheaf_extra_entry(value_of, what, which):
    """One entry more in a sheaf (size + 1, objects[size] = value): its
    other entries stay trusted, the new one is damage of kind which."""
    def case(t):
        k = t.k
        c, sh = sheaf_cache(t, capacity_room=1)
        value = value_of(t, c, sh)
        slot = sh['addr'] + k.off('slab_sheaf.objects') + 8 * sh['size']
        k.d.put_u64(slot, value)
        k.d.put_u32(sh['addr'] + k.off('slab_sheaf.size'), sh['size'] + 1)
        checks = [check_sheaf_damage(t, what, which),
                  none_reported(sh['ptrs'], 'the sheaf (its good entries '
                                'still taken as free)'),
                  planted_leaks_reported(t)]
        if which == 1 and value in t.planted_addrs:
            checks.append(still_tracked(t, value))
        return ('CPU 0 main sheaf %#x of %s (%d objects): objects[%d] = %#x '
                '(%s), size %d' % (sh['addr'], c['name'], sh['size'],
                                   sh['size'], value, what, sh['size'] + 1),
                checker_of(*checks))
    return case


def still_tracked(t, addr):
    """memleak -w addr: the object is still a tracked block (the wild
    sheaf pointer did not make it free)."""
    t.commands.append('memleak -q -w %#x' % addr)

    def check(run, base):
        return check_re('(c) %#x is still a tracked block (memleak -w)' %
                        addr, run, r'-w: watching slab object 0x0*%x ' % addr)
    return check


def reachable_planted(t, c, sh):
    """A planted reachable object of another cache than the sheaf's."""
    for r in t.planted:
        if r['expect'] == 'reachable' and r['cache'].startswith('kmalloc-') \
                and r['cache'] != c['name']:
            return int(r['addr'], 16)
    raise DumpError('no planted reachable kmalloc object')


def c_barn_loop(t):
    k = t.k
    c, barn, full = barn_cache(t, min_full=2)
    a, b = full[len(full) * 2 // 3], full[len(full) // 3]
    if a is b:
        a, b = full[-1], full[0]
    lo = k.off('slab_sheaf.barn_list')
    k.d.put_u64(a['addr'] + lo, b['addr'] + lo)
    return ('node 0 barn %#x of %s (%d full sheaves): sheaf %#x barn_list.next '
            '-> sheaf %#x (earlier): a loop' % (barn, c['name'], len(full),
                                                a['addr'], b['addr']),
            checker_of(
                barn_message(c, 'full-sheaves list of node 0\'s barn is '
                             'damaged', 'list cut'),
                none_reported([p for sh in full for p in sh['ptrs']],
                              'the barn\'s sheaves'),
                planted_leaks_reported(t)))


def barn_message(c, text, what):
    def check(run, base):
        return check_re('(c) message names the cache\'s barn (%s)' % what,
                        run, r'^memleak: %s: .*%s' % (re.escape(c['name']),
                                                      text))
    return check


def c_barn_head_garbage(t):
    k = t.k
    c, barn, full = barn_cache(t)
    k.d.put_u64(barn + k.off('node_barn.sheaves_full'), WILD)
    return ('node 0 barn %#x of %s (%d full sheaves): sheaves_full.next = %#x'
            % (barn, c['name'], len(full), WILD),
            checker_of(
                barn_message(c, 'full-sheaves list of node 0\'s barn is '
                             'damaged; 0 sheaves read', 'list head garbage'),
                none_reported([p for sh in full for p in sh['ptrs']],
                              'the barn\'s sheaves'),
                planted_leaks_reported(t)))


def c_barn_pointer_garbage(t):
    k = t.k
    c, barn, full = barn_cache(t, min_full=0)  # any barn: its pointer is the damage
    k.d.put_u64(k.barn_ptr_addr(c), WILD)
    return ('kmem_cache %#x (%s): per_node[0].barn = %#x (was %#x, %d full '
            'sheaves)' % (c['addr'], c['name'], WILD, barn, len(full)),
            checker_of(*[
                barn_message(c, r'the barn of node 0 \(%x\) is unreadable' %
                             WILD, 'barn pointer garbage'),
                planted_leaks_reported(t)] + ([
                # the lost barn's full sheaves, when it had any
                no_direct_leak([p for sh in full for p in sh['ptrs']],
                               'the lost barn\'s sheaves')] if full else [])))


def pcs_main_case(value_of, what, pattern):
    def case(t):
        k = t.k
        c, sh = sheaf_cache(t, min_size=1)
        value = value_of(t)
        k.d.put_u64(k.pcs(c) + k.off('slub_percpu_sheaves.main'), value)
        return ('%s: CPU 0 pcs->main = %#x (%s; was sheaf %#x, %d objects)'
                % (c['name'], value, what, sh['addr'], sh['size']),
                checker_of(
                    debug_line(r'sheaf %s \(%s, CPU 0 main\): %s' % (
                        pattern(value), re.escape(c['name']), what),
                        'main sheaf %s' % what),
                    no_direct_leak(sh['ptrs'], 'the lost sheaf'),
                    planted_leaks_reported(t)))
    return case


def c_barn_nr_full(t):
    """nr_full is a count memleak does not use: the list is what counts."""
    k = t.k
    c, barn, full = barn_cache(t)
    at = barn + k.off('node_barn.nr_full')
    was = k.d.u32(at)
    k.d.put_u32(at, 0xffffffff)

    def no_barn_message(run, base):
        hits = grep(run, r'^memleak: %s: .*barn' % re.escape(c['name']))
        return ('(c) the barn is read as usual: no message about it',
                not hits, hits[0].strip()[:120] if hits else '')
    return ('node 0 barn %#x of %s: nr_full = 0xffffffff (was %d, %d on the '
            'list)' % (barn, c['name'], was, len(full)),
            checker_of(no_barn_message,
                       none_reported([p for sh in full for p in sh['ptrs']],
                                     'the barn\'s sheaves (still free)'),
                       planted_leaks_reported(t)))


MEM_CASES = {
    'vmap-nodes-pointer-wild': c_vn_wild,
    'vmap-nodes-pointer-null': c_vn_null,
    'nr-vmap-nodes-absurd': c_vn_nr_absurd,
    'nr-vmap-nodes-past-array': nr_vmap_nodes_past(64),
    'nr-vmap-nodes-4096': nr_vmap_nodes_past(4096),
    'vmap-busy-list-loop': c_vn_busy_loop,
    'vmap-busy-list-garbage': c_vn_busy_garbage,
    'slab-page-type-buddy': c_pt_slab_as_buddy,
    'slab-page-type-zero': c_pt_slab_zero,
    'fake-slab-page-type': c_pt_fake_slab,
    'slab-counters-objects-gt-oo': c_cnt_objects_gt_oo,
    'kmemleak-object-list-loop': c_kml_loop,
    'kmemleak-trace-handle-wild': c_kml_handle,
    'page-ext-size-garbage': c_page_ext_size,
    'pages-missing-slab': c_hole_slab,
    'pages-missing-memmap': c_hole_memmap,
    'freelist-self-loop': c_fl_self,
    'freelist-cycle-of-two': c_fl_cycle,
    'freelist-wild-kernel-address': c_fl_wild,
    'freelist-user-address': c_fl_user,
    'freelist-unaligned': c_fl_unaligned,
    'freelist-null-early': c_fl_null_early,
    'slab-freelist-wild': c_slab_freelist_wild,
    'cpu-freelist-wild': c_cpu_freelist_wild,
    'slab-counters-objects-0': c_cnt_objects0,
    'slab-counters-inuse-gt-objects': c_cnt_inuse_gt,
    'slab-counters-objects-0x7fff': c_cnt_objects_max,
    'kmem-cache-size-0': c_kc_size0,
    'kmem-cache-size-huge': c_kc_size_huge,
    'kmem-cache-object-size-gt-size': c_kc_objsize_gt,
    'kmem-cache-offset-outside': c_kc_offset_out,
    'slab-caches-loop': c_sc_loop,
    'slab-caches-garbage-node': c_sc_garbage,
    'slab-caches-head-unreadable': c_sc_head_wild,
    'task-list-loop': c_tk_loop,
    'task-stack-null': c_tk_stack_null,
    'task-stack-user-address': c_tk_stack_user,
    'task-stack-unmapped': c_tk_stack_unmapped,
    'task-signal-unreadable': c_tk_signal_wild,
    'thread-list-loop': c_tk_thread_loop,
    'module-list-loop': c_md_loop,
    'module-list-garbage': c_md_garbage,
    'module-data-768MiB': c_md_data_huge,
    'module-data-size-wraps': c_md_data_wraps,
    'freelist-key-garbage': c_fl_key_garbage,
    'cpu-freelist-self-loop': c_cpu_freelist_self,
    'slab-cache-pointer-garbage': c_slab_cache_garbage,
    'slab-cache-pointer-non-cache': c_slab_cache_non_cache,
    'vmap-area-list-loop': c_vm_loop,
    'vmap-area-list-garbage': c_vm_garbage,
    'vm-struct-size-1TiB': c_vm_huge,
    'depot-handle-outside-pools': c_dp_handle,
    'depot-pool-pointer-unreadable': c_dp_pool_garbage,
    'jiffies-zero': c_jf_zero,
    'sheaf-size-over-capacity': sheaf_size_case(
        lambda c: c['capacity'] + 1, 'capacity + 1'),
    'sheaf-size-huge': sheaf_size_case(lambda c: 0xfffffff0, 'huge'),
    'sheaf-cache-elsewhere': c_sheaf_cache_elsewhere,
    'sheaf-object-wild': sheaf_extra_entry(
        lambda t, c, sh: WILD, 'non-canonical', 2),
    'sheaf-object-duplicated': sheaf_extra_entry(
        lambda t, c, sh: sh['ptrs'][0], 'objects[0] again', 1),
    'sheaf-object-other-cache': sheaf_extra_entry(
        reachable_planted, 'a live object of another cache', 1),
    'barn-full-list-loop': c_barn_loop,
    'barn-list-head-garbage': c_barn_head_garbage,
    'barn-pointer-garbage': c_barn_pointer_garbage,
    'pcs-main-null': pcs_main_case(
        lambda t: 0, 'NULL', lambda v: '0'),
    'pcs-main-wild': pcs_main_case(
        lambda t: t.k.unreadable_kernel_address(), 'unreadable',
        lambda v: '%x' % v),
    'barn-nr-full-absurd': c_barn_nr_full,
}

# Sessions of memory damage: cases that do not interfere, the memleak
# commands (variants of the options), whether the last run is with debug 1.
MEM_SESSIONS = [
    ('freelists', ['freelist-self-loop', 'freelist-cycle-of-two',
                   'freelist-wild-kernel-address', 'freelist-user-address',
                   'freelist-unaligned', 'freelist-null-early',
                   'slab-freelist-wild', 'freelist-key-garbage'],
     ['memleak -q', 'set debug 1', 'memleak -n 40 -x 0', 'set debug 0']),
    ('nodebug-cpu-freelists', ['cpu-freelist-wild', 'cpu-freelist-self-loop'],
     ['memleak -q', 'set debug 1', 'memleak -q', 'set debug 0'], 'nodebug'),
    ('mixed-1', ['slab-counters-objects-0', 'kmem-cache-size-0',
                 'task-list-loop', 'vmap-area-list-loop'],
     ['memleak -n 20']),
    ('mixed-2', ['slab-counters-inuse-gt-objects', 'kmem-cache-size-huge',
                 'task-stack-null', 'module-list-garbage',
                 'vmap-area-list-garbage'],
     ['memleak -s -n 10']),
    ('tracks', ['depot-handle-outside-pools', 'depot-pool-pointer-unreadable',
                'jiffies-zero', 'kmem-cache-object-size-gt-size',
                'task-stack-user-address'],
     ['memleak -x 16']),
    ('mixed-3', ['slab-counters-objects-0x7fff', 'kmem-cache-offset-outside',
                 'task-signal-unreadable'],
     ['memleak -n 20 -x 64']),
    ('mixed-4', ['thread-list-loop', 'vm-struct-size-1TiB',
                 'slab-cache-pointer-garbage'],
     ['memleak -q -v']),
    ('stack-unmapped', ['task-stack-unmapped', 'slab-cache-pointer-non-cache'],
     ['memleak -q']),
    ('module-data', ['module-data-768MiB', 'module-data-size-wraps'],
     ['memleak -q']),
    ('pages-missing', ['pages-missing-slab', 'pages-missing-memmap'],
     ['memleak -q']),
    ('slab-caches-loop', ['slab-caches-loop'], ['memleak -q']),
    ('slab-caches-garbage', ['slab-caches-garbage-node'], ['memleak -q']),
    ('slab-caches-head', ['slab-caches-head-unreadable'], ['memleak -q']),
    ('debug-kml-loop', ['kmemleak-object-list-loop', 'page-ext-size-garbage'],
     ['memleak -K', 'memleak -q'], 'debug'),
    ('debug-kml-handle', ['kmemleak-trace-handle-wild'],
     ['memleak -K', 'memleak -q'], 'debug'),
]

# The set of a 6.12 kernel (--set 6.12): what 6.9-6.12 changed (vmap_nodes,
# typed pages) and a few generic cases that go through the new slab paths.
MEM_SESSIONS_612 = [
    ('vmap-nodes-wild', ['vmap-nodes-pointer-wild'], ['memleak -q']),
    ('vmap-nodes-null', ['vmap-nodes-pointer-null'], ['memleak -q']),
    ('nr-vmap-nodes-absurd', ['nr-vmap-nodes-absurd'], ['memleak -q']),
    # every orphan listed: the planted leaks must all be there
    ('nr-vmap-nodes-past', ['nr-vmap-nodes-past-array'], ['memleak -x 0']),
    ('nr-vmap-nodes-max', ['nr-vmap-nodes-4096'], ['memleak -x 0']),
    ('vmap-busy-loop', ['vmap-busy-list-loop'], ['memleak -q']),
    ('vmap-busy-garbage', ['vmap-busy-list-garbage'], ['memleak -q']),
    ('page-types', ['slab-page-type-buddy', 'slab-page-type-zero',
                    'fake-slab-page-type'], ['memleak -q']),
    ('slabs-612', ['slab-counters-objects-gt-oo', 'freelist-self-loop',
                   'slab-cache-pointer-garbage', 'kmem-cache-size-huge',
                   'task-list-loop'],
     ['memleak -q', 'set debug 1', 'memleak -n 40 -x 0', 'set debug 0']),
    ('pages-missing', ['pages-missing-slab', 'pages-missing-memmap'],
     ['memleak -q']),
]

# The set of a 7.2 kernel without slub_debug (--set 7.2): SLUB sheaves and
# node barns. Each case damages its own cache's sheaves or barn and checks
# them only (set debug 1 names a refused sheaf, a barn message names the
# cache; the objects of its sheaves; summary counts against how many cases
# of the session plant that kind of damage), so that the cases share two
# crash sessions (the snapshot takes ~25 s to open the dump).
MEM_SESSIONS_72 = [
    ('sheaves-and-barns', ['sheaf-size-over-capacity', 'sheaf-size-huge',
                           'sheaf-cache-elsewhere', 'barn-full-list-loop',
                           'barn-list-head-garbage', 'barn-pointer-garbage',
                           'pcs-main-null', 'pcs-main-wild'],
     ['set debug 1', 'memleak -x 0', 'set debug 0']),
    ('sheaf-pointers', ['sheaf-object-wild', 'sheaf-object-duplicated',
                        'sheaf-object-other-cache', 'barn-nr-full-absurd'],
     ['memleak -x 0']),
]


# ---- the suite --------------------------------------------------------------------------

class Suite:
    def __init__(self, args):
        self.fixture = args.fixture
        self.so = args.so
        self.work = args.work
        self.vmlinux = os.path.join(self.fixture, 'vmlinux')
        self.vmcore = os.path.join(self.fixture, 'vmcore')
        self.d31 = os.path.join(self.fixture, 'vmcore.d31')
        self.only = set(args.only.split(',')) if args.only else None
        self.label = args.label
        self.file_subset = None  # file cases of this set (None: all)
        self.res = Results(args.label)
        self.base = {}
        self.planted = read_planted(self.fixture)
        self.recon = None
        # other fixture variants: name -> dir (recon loaded on first use)
        self.variants = {'leaks': self.fixture}
        if args.fixture_nodebug:
            self.variants['nodebug'] = args.fixture_nodebug
        if args.fixture_debug:
            self.variants['debug'] = args.fixture_debug
        self.recons = {}
        self.recon_lock = threading.Lock()
        self.units = []  # scheduled units of work (run_units())
        self.base_ready = threading.Event()  # the pristine figures are in
        os.makedirs(self.work, exist_ok=True)
        self.logs = os.path.join(self.work, 'logs')
        os.makedirs(self.logs, exist_ok=True)
        # copies left by an interrupted run (each is ~110 MB on disk), in
        # the work directory or a worker's (w0, w1...)
        for d in [self.work] + [os.path.join(self.work, w) for w in
                                os.listdir(self.work) if re.match(
                                    r'w\d+$', w)]:
            for f in os.listdir(d):
                if f.startswith(('vmcore-', 'file-')):
                    os.unlink(os.path.join(d, f))

    # ---- units of work ----
    def schedule(self, fn, *args, cases=()):
        """A unit of work; cases: the names of its cases (failed, each,
        should the unit raise)."""
        self.units.append((lambda: fn(*args), cases))

    def schedule_pristine(self, fn):
        """The pristine session: its figures are the baseline that the
        other units' checks wait for (base_ready), set even when it fails."""
        def unit():
            try:
                fn()
            finally:
                self.base_ready.set()
        self.units.append((unit, ('pristine-baseline',)))

    def run_units(self, jobs):
        """Runs the scheduled units on jobs threads, each worker with its
        own work subdirectory (its copies of the dump); prints each unit's
        output whole, in the order the units were scheduled."""
        units, self.units = self.units, []
        worker_ids = itertools.count()

        def start_worker():
            _unit.dir = os.path.join(self.work, 'w%d' % next(worker_ids))
            os.makedirs(_unit.dir, exist_ok=True)

        with concurrent.futures.ThreadPoolExecutor(
                max_workers=jobs, initializer=start_worker) as pool:
            done = [pool.submit(self._run_unit, u) for u in units]
            for future in done:
                self._print_unit(future.result())

    def _run_unit(self, unit):
        fn, cases = unit
        sink = _unit.sink = Sink()
        try:
            fn()
        except Exception as e:  # the others must still run
            for name in [c for c in cases if self.wanted(c)] or ['suite']:
                self.res.case(name, [('run', False, 'the suite raised %r' %
                                      e)])
            emit(quote(traceback.format_exc(), 40), err=True)
        finally:
            _unit.sink = None
        return sink

    def _print_unit(self, sink):
        for err, text in sink.lines:
            print(text, file=sys.stderr if err else sys.stdout, flush=True)
        self.res.cases.extend(sink.cases)

    def wait_for_base(self):
        self.base_ready.wait()

    def wanted(self, name):
        # a case by its name, or by label/name (6.12/vmap-nodes-pointer-null)
        return self.only is None or name in self.only or (
            self.label and '%s/%s' % (self.label, name) in self.only)

    # ---- helpers ----
    def copy_dump(self, src, name):
        dst = os.path.join(getattr(_unit, 'dir', None) or self.work, name)
        if os.path.exists(dst):
            os.unlink(dst)
        subprocess.run(['cp', '--sparse=always', '--reflink=auto', src, dst],
                       check=True)
        os.chmod(dst, 0o600)
        return dst

    @staticmethod
    def fixture_key(fixture):
        st = os.stat(os.path.join(fixture, 'vmcore'))
        stamp = ''
        p = os.path.join(fixture, 'stamp')
        if os.path.exists(p):
            stamp = open(p).read().strip()
        # and what recon asks: a cache made by an older recon is not reused
        ask = hashlib.sha1(kstructs.recon_commands().encode()).hexdigest()
        return '%s-%d-%d-%s' % (stamp[:16], st.st_size, int(st.st_mtime),
                                ask[:8])

    def recon_of(self, variant):
        """Symbols and offsets of a fixture's pristine dump (cached)."""
        with self.recon_lock:
            return self._recon_of(variant)

    def _recon_of(self, variant):
        if variant in self.recons:
            return self.recons[variant]
        fixture = self.variants[variant]
        path = os.path.join(self.work, 'recon-%s.json' %
                            self.fixture_key(fixture))
        if os.path.exists(path):
            r = json.load(open(path))
        else:
            log('recon of %s (cached in %s)' % (fixture, path))
            run = run_crash(os.path.join(fixture, 'vmlinux'),
                            os.path.join(fixture, 'vmcore'),
                            kstructs.recon_commands(),
                            log_path=os.path.join(self.logs,
                                                  'recon-%s.log' % variant))
            r = kstructs.parse_recon(run.out)
            tmp = path + '.tmp'
            json.dump(r, open(tmp, 'w'))
            os.rename(tmp, path)
        self.recons[variant] = r
        return r

    def load_recon(self):
        self.recon = self.recon_of('leaks')

    # ---- pristine session of a second kernel set: the baseline only ----
    def pristine_short(self):
        cmds = ['set scroll off', 'extend ' + self.so, 'memleak -q',
                'memleak -q', 'echo @@END-MEMLEAK', 'p jiffies']
        run = run_crash(self.vmlinux, self.vmcore, '\n'.join(cmds) + '\n',
                        log_path=os.path.join(self.logs, 'pristine.log'))
        sums = summaries(run)
        if sums:
            self.base = dict(sums[0], sheaf_damage=sheaf_damage(run))
        self.res.case('pristine-baseline', standard_checks(run, [
            ('(c) memleak completes on the pristine dump', bool(sums) and
             not sums[0]['partial'], 'orphans %s, vmalloc areas %s, '
             'unreadable pages %s' % tuple(
                 sums[0].get(k) if sums else '?' for k in (
                     'orphans', 'vmalloc_areas', 'pages_unreadable'))),
            ('(c) no damage message on the pristine dump', not grep(
                run, r'is damaged|is corrupt|^  damaged:'), '')]))
        keys = ('blocks', 'orphans', 'unreferenced', 'vmalloc_areas')
        self.res.case('memleak-twice-in-a-row', standard_checks(run, [
            ('(c) the same figures twice', len(sums) >= 2 and all(
                sums[1].get(k) == sums[0].get(k) for k in keys),
             ', '.join('%s=%s' % (k, [x.get(k) for x in sums[:2]])
                       for k in keys))]))
        if not sums:
            emit(quote(run.out), err=True)
        log('pristine baseline: %s' % {k: v for k, v in self.base.items()
                                       if k != 'text'})

    # ---- pristine session: options, twice, extend -u, memory ----
    def pristine(self):
        so = self.so
        rss = '!grep VmRSS /proc/$PPID/status'
        bad_opts = [
            ('-n xyz', r'memleak: .*(invalid|not a valid|number)'),
            ('-x 99999', r'memleak: -x takes'),
            ('-x -1', r'memleak: .*(-x takes|not a valid|invalid)'),
            ('-k nonsense', r'memleak: -k takes'),
            ('-r 5-1', r'memleak: -r: the end must lie above'),
            ('-r zz-yy', r'memleak: .*invalid'),
            ('-r 1000', r'memleak: -r takes start-end'),
            ('-m -5', r'memleak: .*(not a valid|invalid|-m takes)'),
            ('-Z', r'invalid option|Usage'),
            ('-q extra-argument', r'Usage'),
        ]
        cmds = ['set scroll off', 'extend ' + so, 'memleak -q', rss,
                'echo @@TWICE', 'memleak -q']
        cmds += ['memleak -q'] * 3 + [rss]
        for i, (opt, _) in enumerate(bad_opts):
            cmds += ['echo @@OPT-%d' % i, 'memleak ' + opt]
        cmds += ['echo @@OPT-END', 'memleak -q -w 0x10', 'echo @@W-END',
                 'memleak -n abc -x 0', 'echo @@ABC-END',
                 'extend -u ' + so, 'echo @@UNLOADED', 'memleak -q',
                 'echo @@RELOAD', 'extend ' + so, 'memleak -q', rss,
                 'echo @@END-MEMLEAK', 'p jiffies']
        run = run_crash(self.vmlinux, self.vmcore, '\n'.join(cmds) + '\n',
                        log_path=os.path.join(self.logs, 'pristine.log'))
        sums = summaries(run)
        if sums:
            self.base = sums[0]
        rss_vals = [int(m.group(1)) for m in
                    (re.search(r'^VmRSS:\s+(\d+) kB', line)
                     for line in run.lines) if m]

        def section(start, end):
            out, inside = [], False
            for line in run.lines:
                if line.startswith(start):
                    inside = True
                    continue
                if inside and line.startswith(end):
                    break
                if inside:
                    out.append(line)
            return out

        # baseline run
        self.res.case('pristine-baseline', standard_checks(run, [
            ('(c) memleak completes on the pristine dump', bool(sums) and
             not sums[0]['partial'], 'orphans %s, unreadable pages %s' % (
                 sums[0].get('orphans') if sums else '?',
                 sums[0].get('pages_unreadable') if sums else '?'))]))

        # twice (and five times) in a row: the same result
        keys = ('blocks', 'orphans', 'unreferenced', 'pages_unreadable')
        same = len(sums) >= 5 and all(
            all(s.get(k) == sums[0].get(k) for k in keys) for s in sums[1:5])
        self.res.case('memleak-five-times-in-a-row', standard_checks(run, [
            ('(c) the same figures every time', same, ', '.join(
                '%s=%s' % (k, [s.get(k) for s in sums[:5]]) for k in keys[:2])
             )]))

        # bad options: an error line each, no scan
        checks = []
        for i, (opt, pat) in enumerate(bad_opts):
            end = '@@OPT-%d' % (i + 1) if i + 1 < len(bad_opts) else \
                '@@OPT-END'
            text = section('@@OPT-%d' % i, end)
            hit = [line for line in text if re.search(pat, line)]
            ran = any(line.startswith('memleak summary') for line in text)
            checks.append(('(c) memleak %s: refused with a message' % opt,
                           bool(hit) and not ran,
                           (hit[0].strip() if hit else 'no message: %s' % (
                               ' / '.join(text[:2]) or 'nothing printed')) +
                           ('; but it ran a scan' if ran else '')))
        self.res.case('bad-options', standard_checks(run, checks))

        text = section('@@OPT-END', '@@W-END')
        self.res.case('watch-address-in-no-block', standard_checks(run, [
            ('(c) memleak -w 0x10: says the address is in no block, then '
             'reports', any(re.search(r'-w: 0x10 is in no tracked block', x)
                            for x in text) and
             any(x.startswith('memleak summary') for x in text),
             (text[0].strip() if text else 'nothing printed'))]))

        text = section('@@W-END', '@@ABC-END')
        msg = [x for x in text if re.search(r'memleak: .*(invalid|number)', x)]
        ran = any(x.startswith('memleak summary') for x in text)
        self.res.case('count-in-hex-abc', standard_checks(run, [
            ('(c) memleak -n abc: either a number error or 0xabc (crash\'s '
             'stol reads hex)', bool(msg) != ran,
             msg[0].strip() if msg else 'ran as -n 0xabc')]))

        text = section('@@UNLOADED', '@@RELOAD')
        after = sums[-1] if len(sums) >= 2 else {}
        self.res.case('extend-unload-reload', standard_checks(run, [
            ('(c) after extend -u, memleak is no longer a command',
             any(re.search(r'command not found|not found|unknown', x, re.I)
                 for x in text),
             (text[0].strip() if text else 'nothing printed')),
            ('(c) after loading again, memleak gives the same figures',
             bool(after) and all(after.get(k) == self.base.get(k)
                                 for k in keys), 'orphans %s / %s' % (
                                     after.get('orphans'),
                                     self.base.get('orphans'))),
        ]))

        if len(rss_vals) >= 3:
            grow_runs = rss_vals[1] - rss_vals[0]
            grow_reload = rss_vals[2] - rss_vals[1]
            self.res.case('memory-bounded-across-runs', standard_checks(run, [
                ('(c) 4 more runs grow crash by less than 4 MiB',
                 grow_runs < 4096, 'VmRSS %d -> %d kB' % tuple(rss_vals[:2])),
                ('(c) unload, reload and one run grow it by less than 8 MiB',
                 grow_reload < 8192, 'VmRSS %d -> %d kB' % tuple(
                     rss_vals[1:3])),
            ]))
        else:
            self.res.case('memory-bounded-across-runs', [
                ('(c) VmRSS readings', False, 'got %d of 3' % len(rss_vals))])
        log('pristine baseline: %s' % {k: v for k, v in self.base.items()
                                       if k != 'text'})

    # ---- memory damage ----
    def mem_session(self, *session):
        self.schedule(self._run_mem_session, *session, cases=session[1])

    def _run_mem_session(self, name, case_names, memleak_cmds,
                         variant='leaks'):
        case_names = [c for c in case_names if self.wanted(c)]
        if not case_names:
            return
        if variant not in self.variants:
            for cname in case_names:
                self.res.case(cname, [('run', False, 'no %s fixture given '
                                       '(--fixture-%s)' % (variant, variant))])
            return
        t0 = time.time()
        fixture = self.variants[variant]
        vmlinux = os.path.join(fixture, 'vmlinux')
        try:
            recon = self.recon_of(variant)
        except (ValueError, DumpError, OSError) as e:
            for cname in case_names:
                self.res.case(cname, [('recon of the %s fixture' % variant,
                                       False, str(e))])
            return
        path = self.copy_dump(os.path.join(fixture, 'vmcore'),
                              'vmcore-%s' % name)
        try:
            self._mem_session(name, case_names, memleak_cmds, fixture,
                              vmlinux, recon, path)
        finally:
            if os.path.exists(path):
                os.unlink(path)
        log('session %s: %.1f s' % (name, time.time() - t0))

    def _mem_session(self, name, case_names, memleak_cmds, fixture, vmlinux,
                     recon, path):
        k = kstructs.Kernel(path, recon, writable=True)
        t = Targets(k, read_planted(fixture))
        prepared = []
        for cname in case_names:
            try:
                desc, checker = MEM_CASES[cname](t)
                prepared.append((cname, desc, checker))
                log('%s: %s' % (cname, desc))
            except (DumpError, KeyError, IndexError, ValueError) as e:
                self.res.case(cname, [('damage the dump', False,
                                       'could not set the case up: %s' % e)])
        k.close()
        if prepared:
            run = run_crash(vmlinux, path,
                            memleak_script(self.so, memleak_cmds + t.commands),
                            log_path=os.path.join(self.logs, name + '.log'))
            failed = False
            self.wait_for_base()
            for cname, desc, checker in prepared:
                try:
                    cchecks = checker(run, self.base)
                except Exception as e:  # a checker bug must not stop the suite
                    cchecks = [('(c) check', False, 'checker failed: %r' % e)]
                if not self.res.case(cname, standard_checks(run, cchecks)):
                    failed = True
            if failed:
                log('session %s (%s): log %s' % (
                    name, ' '.join(memleak_cmds),
                    os.path.join(self.logs, name + '.log')))
                emit(quote(run.out), err=True)

    # ---- damage to the file ----
    def file_case(self, *case, **kw):
        self.schedule(lambda: self._run_file_case(*case, **kw),
                      cases=case[:1])

    def _run_file_case(self, name, make, cmds, checks_fn, dumpname='vmcore'):
        """make(path) damages a copy (or returns another path to use)."""
        if not self.wanted(name) or (self.file_subset is not None and
                                     name not in self.file_subset):
            return
        t0 = time.time()
        src = os.path.join(self.fixture, dumpname)
        if not os.path.exists(src):
            self.res.case(name, [('damage the dump', False, 'the fixture has '
                                  'no %s' % dumpname)])
            return
        path = self.copy_dump(src, 'file-%s' % name) if make else src
        try:
            desc = make(path) if make else 'the pristine %s' % dumpname
        except (DumpError, OSError, ValueError) as e:
            self.res.case(name, [('damage the dump', False,
                                  'could not set the case up: %s' % e)])
            if make and os.path.exists(path):
                os.unlink(path)
            return
        log('%s: %s' % (name, desc))
        run = run_crash(self.vmlinux, path, memleak_script(self.so, cmds),
                        log_path=os.path.join(self.logs, name + '.log'))
        # crash started when it ran our commands (even if memleak failed)
        started = any('shared object loaded' in x or x.startswith(
            ('jiffies = ', '@@END-MEMLEAK', 'memleak')) for x in run.lines)
        self.wait_for_base()
        if started:
            checks = standard_checks(run, checks_fn(run))
        else:
            err = [x for x in run.lines if x.strip()]
            checks = [
                ('(a) crash refused the dump and exited', not run.timed_out
                 and (run.rc not in (None, 0) or bool(err)),
                 'exit status %s' % run.rc),
                ('(b) within %ds' % BOUND, not run.timed_out and
                 run.elapsed < BOUND, '%.1f s' % run.elapsed),
                ('(c) crash says why', any(re.search(
                    r'crash: |error|ERROR|invalid|truncated|cannot|not a|'
                    r'do not match|incomplete|failed', x) for x in err),
                 (err[0].strip()[:160] if err else 'no output')),
                ('(d) no segmentation violation', not any(
                    CRASHED_RE.search(x) for x in run.lines), ''),
            ]
        ok = self.res.case(name, checks)
        if not ok:
            emit(quote(run.out), err=True)
        if make and os.path.exists(path):
            os.unlink(path)
        log('%s: %.1f s' % (name, time.time() - t0))

    def filtered_dump(self):
        """The fixture's makedumpfile dump: vmcore.d<level of dump-level>."""
        p = os.path.join(self.fixture, 'dump-level')
        level = open(p).read().strip() if os.path.exists(p) else '31'
        return 'vmcore.d' + level

    def file_cases(self):
        def more_unreadable(run):
            base = self.base  # the pristine figures, in when this runs
            sums = summaries(run)
            s = sums[-1] if sums else {}
            got = (s.get('pages_unreadable', 0), s.get('slabs_unreadable', 0),
                   s.get('chunks_unreadable', 0))
            want = (base.get('pages_unreadable', 0),
                    base.get('slabs_unreadable', 0),
                    base.get('chunks_unreadable', 0))
            return [('(c) unreadable: more than on the pristine dump '
                     '(pages, slabs, struct page chunks)',
                     bool(s) and any(g > w for g, w in zip(got, want)) or
                     bool(s.get('partial')),
                     '%s vs pristine %s%s' % (got, want, ', PARTIAL' if
                                              s.get('partial') else ''))]

        def unreadable_or_warned(run):
            checks = more_unreadable(run)
            warn = [x for x in run.lines if re.search(
                r'truncated|incomplete|WARNING', x)]
            if not checks[0][1] and warn:
                checks[0] = (checks[0][0] + ' or crash warned', True,
                             warn[0].strip()[:120])
            return checks

        # makedumpfile -d 31 (kdump-compressed): free, cache, user and zero
        # pages left out; none of them is memory memleak needs. (Or the
        # dump level the fixture names in its dump-level file.)
        filtered = self.filtered_dump()
        self.file_case('filtered-dump-' + filtered[len('vmcore.'):], None,
                       ['memleak -q'],
                       lambda run: [check_summary(
                           '(c) memleak completes on the filtered dump', run,
                           'orphans', lambda v: True, 'not PARTIAL: %s' % (
                               not any(x['partial'] for x in summaries(run))))],
                       dumpname=filtered)

        def biggest_load(d):
            return max(d.loads, key=lambda p: p['filesz'])

        def shrink(filesz_only):
            def make(path):
                d = Dump(path, writable=True)
                p = biggest_load(d)
                cut = 128 << 20
                if filesz_only:
                    d.set_phdr(p['index'], filesz=p['filesz'] - cut)
                else:
                    d.set_phdr(p['index'], filesz=p['filesz'] - cut,
                               memsz=p['memsz'] - cut)
                d.close()
                return 'PT_LOAD #%d (paddr %#x): p_filesz%s cut by 128 MiB' % (
                    p['index'], p['paddr'], '' if filesz_only else
                    ' and p_memsz')
            return make

        # p_filesz < p_memsz: crash reads the missing tail as zeroes (that is
        # how ELF dumps mark excluded pages); nothing can tell, but nothing
        # may break either.
        self.file_case('pt-load-filesz-shrunk', shrink(True), ['memleak -q'],
                       lambda run: [check_summary(
                           '(c) memleak completes (the tail reads as zeroes)',
                           run, 'orphans', lambda v: True, 'summary')])
        self.file_case('pt-load-memsz-shrunk', shrink(False), ['memleak -q'],
                       unreadable_or_warned)

        def truncate_to(size_fn, what):
            def make(path):
                size = size_fn(path)
                os.truncate(path, size)
                return 'file truncated to %d bytes (%s)' % (size, what)
            return make

        self.file_case('truncated-half', truncate_to(
            lambda p: os.path.getsize(p) // 2, 'half'), ['memleak -q'],
            unreadable_or_warned)
        self.file_case('truncated-in-headers', truncate_to(
            lambda p: 100, 'inside the ELF headers'), ['memleak -q'],
            unreadable_or_warned)
        self.file_case('truncated-d31-tail', truncate_to(
            lambda p: os.path.getsize(p) * 97 // 100,
            'last 3% of the compressed dump cut'),
            ['memleak -q'], unreadable_or_warned, dumpname=filtered)

        def osrelease(path):
            d = Dump(path, writable=True)
            for at, name, ntype, desc in d.notes():
                i = desc.find(b'OSRELEASE=')
                if name == 'VMCOREINFO' and i >= 0:
                    j = desc.index(b'\n', i)
                    old = desc[i + 10:j]
                    new = (b'9.9.9-' + old)[:len(old)]
                    d.f.seek(at + i + 10)
                    d.f.write(new)
                    d.close()
                    return 'VMCOREINFO OSRELEASE %s -> %s' % (
                        old.decode(), new.decode())
            d.close()
            raise DumpError('no VMCOREINFO note')

        def vmlinux_mismatch(run):
            msg = [x for x in run.lines if re.search(
                r'(?i)mismatch|do not match|inconsistency|WARNING|differ', x)]
            sums = summaries(run)
            return [('(c) crash warns of the mismatch, or memleak completes '
                     'from the vmlinux layout', bool(msg) or bool(sums),
                     msg[0].strip()[:120] if msg else 'memleak completed, no '
                     'warning from crash')]
        self.file_case('vmcoreinfo-osrelease-altered', osrelease,
                       ['memleak -q'], vmlinux_mismatch)

        def banner(path):
            k = kstructs.Kernel(path, self.recon, writable=True)
            at = k.sym('linux_banner')
            old = k.d.read(at, 24)
            k.d.write(at + 14, b'9.9.9-other-kernel')
            k.close()
            return 'linux_banner in memory changed (%r...)' % old[:20]
        self.file_case('linux-banner-mismatch', banner, ['memleak -q'],
                       vmlinux_mismatch)

    # ---- Ctrl-C -----------------------------------------------------------
    def sigint(self):
        """crash on a pty; memleak -v interrupted by ^C at several moments.

        After each ^C: the prompt must come back at once, the scan must not
        run on to its summary, and `p jiffies` (a gdb request) must work.
        Then a full memleak must find what it found before the interrupts,
        with crash no bigger than before them (the CLEANUP hook freed it all).
        """
        name = 'ctrl-c-during-scan'
        if not self.wanted(name):
            return
        import pty
        t0 = time.time()
        delays = [float(x) for x in os.environ.get(
            'CORRUPT_SIGINT_DELAYS', '0 0.05 0.1 0.2 0.3 0.45 0.6 0.8').split()]
        pid, fd = pty.fork()
        if pid == 0:
            os.environ['TERM'] = 'dumb'
            os.execvp(CRASH, [CRASH, '-s', self.vmlinux, self.vmcore])
        buf = bytearray()
        logf = open(os.path.join(self.logs, name + '.log'), 'wb')

        def read_until(pattern, timeout):
            end = time.time() + timeout
            start = len(buf)
            while time.time() < end:
                r, _, _ = select.select([fd], [], [], 0.02)
                if r:
                    try:
                        data = os.read(fd, 65536)
                    except OSError:
                        return None
                    if not data:
                        return None
                    buf.extend(data)
                    logf.write(data)
                    logf.flush()
                m = re.search(pattern, bytes(buf[start:]))
                if m:
                    return bytes(buf[start:start + m.end()]).decode('latin-1')
            return None

        def send(text):
            os.write(fd, text.encode())

        def rss():
            try:
                for line in open('/proc/%d/status' % pid):
                    if line.startswith('VmRSS:'):
                        return int(line.split()[1])
            except OSError:
                pass
            return None

        prompt = rb'crash> $'
        full = rb'time:[^\n]*\n(.|\n)*?crash> $'
        after_ctrl_c = rb'\^C[^\n]*\n(.|\n)*?crash> $'
        checks = []
        try:
            started = read_until(prompt, TIMEOUT) is not None
            send('set scroll off\n')
            read_until(prompt, 30)
            send('extend %s\n' % self.so)
            loaded = read_until(prompt, 30) or ''
            # the first memleak of the session resolves the layouts (gdb
            # requests, ~0.7 s): a ^C there must come back at once too
            send('memleak -q -v\n')
            time.sleep(0.2)
            t_int = time.time()
            send('\x03')
            out = read_until(after_ctrl_c, 30)
            layout_back = time.time() - t_int if out is not None else None
            layout_ran_on = out is not None and 'memleak summary' in out
            send('p jiffies\n')
            layout_gdb = 'jiffies = ' in (read_until(prompt, 30) or '')
            send('memleak -q\n')
            first = read_until(full, TIMEOUT) or ''
            orphans0 = re.search(r'orphans: (\d+)', first)
            rss0 = rss()
            attempts = []  # (delay, back seconds, outcome, gdb ok)
            for delay in delays:
                send('memleak -q -v\n')
                seen = read_until(rb'memleak: \[[^\n]*\] reading slab caches',
                                  60)
                time.sleep(delay)
                t_int = time.time()
                send('\x03')
                # the prompt after the echoed ^C: when the scan had already
                # finished, the ^C lands at the prompt before it and crash
                # prints a new one (typing before it would lose keys)
                out = read_until(after_ctrl_c, 30)
                back = time.time() - t_int if out is not None else None
                if out is None:
                    attempts.append((delay, None, 'no prompt', False))
                    break
                tm = re.search(r'time:\s+([\d.]+) s', out)
                if seen is None:
                    outcome = 'not started'
                elif not tm:
                    outcome = 'interrupted'
                elif float(tm.group(1)) > delay + 0.03:
                    outcome = 'ran on (%.2f s) after ^C at %.2f s' % (
                        float(tm.group(1)), delay)
                else:
                    outcome = 'finished before ^C'
                send('p jiffies\n')
                j = read_until(prompt, 30) or ''
                attempts.append((delay, back, outcome, 'jiffies = ' in j))
            send('memleak -q\n')
            second = read_until(full, TIMEOUT) or ''
            orphans1 = re.search(r'orphans: (\d+)', second)
            rss1 = rss()
            send('q\n')
            read_until(rb'$^', 2)
            backs = [a[1] for a in attempts if a[1] is not None]
            ran_on = [a for a in attempts if a[2].startswith('ran on')]
            gdb_bad = [a for a in attempts if not a[3]]
            interrupted = [a for a in attempts if a[2] == 'interrupted']
            checks = [
                ('(a) a ^C while the first memleak resolves the layouts: '
                 'prompt back within 2 s, no summary, p jiffies works',
                 layout_back is not None and layout_back < 2.0 and
                 not layout_ran_on and layout_gdb,
                 'back after %s, ran on: %s, p jiffies %s' % (
                     '%.2f s' % layout_back if layout_back is not None
                     else 'never', layout_ran_on,
                     'ok' if layout_gdb else 'failed')),
                ('(a) crash back at its prompt after every ^C', len(backs) ==
                 len(delays), '%d of %d' % (len(backs), len(delays))),
                ('(a) p jiffies (a gdb request) works right after every '
                 'interrupted memleak', not gdb_bad and bool(attempts),
                 '"gdb request failed" after ^C at %s s' % ', '.join(
                     '%.2f' % a[0] for a in gdb_bad) if gdb_bad else
                 '%d of %d fine' % (len(attempts), len(delays))),
                ('(b) the prompt came back within 2 s of each ^C', bool(backs)
                 and max(backs) < 2.0, 'slowest %.2f s' % max(backs)
                 if backs else 'never'),
                ('(c) no scan ran on to its summary after a ^C', not ran_on,
                 '; '.join(a[2] for a in ran_on) if ran_on else
                 '%d interrupted, the others had finished' % len(interrupted)),
                ('(c) at least one scan was really interrupted',
                 bool(interrupted), '%d of %d' % (len(interrupted),
                                                  len(attempts))),
                ('(c) the next memleak works and finds the same orphans',
                 bool(orphans0 and orphans1 and orphans0.group(1) ==
                      orphans1.group(1)),
                 'orphans %s then %s' % (
                     orphans0.group(1) if orphans0 else '?',
                     orphans1.group(1) if orphans1 else '?')),
                ('(c) the interrupted runs leak no memory (VmRSS grows by '
                 'less than 4 MiB over them and one full run)',
                 rss0 is not None and rss1 is not None and
                 rss1 - rss0 < 4096, 'VmRSS %s -> %s kB' % (rss0, rss1)),
                ('(d) no segmentation violation', not CRASHED_RE.search(
                    buf.decode('latin-1')), ''),
            ]
            if not started or 'shared object loaded' not in loaded:
                checks.insert(0, ('crash started and loaded the extension',
                                  False, loaded.strip()[-120:]))
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            os.close(fd)
            logf.close()
        if not self.res.case(name, checks):
            log('%s: attempts (delay, prompt after, outcome, p jiffies ok): %s'
                % (name, attempts))
            log('%s: log %s' % (name, os.path.join(self.logs, name + '.log')))
        log('%s: %.1f s' % (name, time.time() - t0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--fixture', required=True,
                    help='the "leaks" fixture (slub_debug=U)')
    ap.add_argument('--fixture-nodebug', default='',
                    help='the "leaks-nodebug" fixture (per-CPU slabs)')
    ap.add_argument('--fixture-debug', default='',
                    help='the "debug" fixture (kmemleak, page_owner)')
    ap.add_argument('--so', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--only', default='')
    ap.add_argument('--crash', default='crash',
                    help='the crash binary (default: crash on the PATH)')
    ap.add_argument('--set', default='6.1', choices=('6.1', '6.12', '7.2'),
                    help='6.1: every case (the default); 6.12: what 6.9-6.12 '
                    'changed (vmap_nodes, typed pages) and a few generic '
                    'cases; 7.2: SLUB sheaves and node barns')
    ap.add_argument('--label', default='',
                    help='prefix of the case names (6.12/...)')
    args = ap.parse_args()
    global CRASH
    CRASH = args.crash
    s = Suite(args)
    t0 = time.time()
    if args.set in SETS:
        return main_set(s, t0, *SETS[args.set])
    try:
        s.load_recon()
    except (ValueError, DumpError, OSError) as e:
        print('FAIL: corrupt: recon of the pristine dump (%s)' % e)
        print('FIGURE corruption: 0 cases, 0 passed')
        return 1
    s.schedule_pristine(s.pristine)
    for session in MEM_SESSIONS:
        s.mem_session(*session)
    if os.environ.get('CORRUPT_RUN_CRASH_HANGS') == '1':
        s.mem_session('module-list-loop', ['module-list-loop'], ['memleak -q'])
    elif s.wanted('module-list-loop'):
        s.schedule(emit, 'NOTE: corrupt module-list-loop: not run: crash '
                   '8.0.2 itself loops forever at start-up (module_init() '
                   'walks the module list with no cycle check) before any '
                   'extension can load; CORRUPT_RUN_CRASH_HANGS=1 runs it')
    s.file_cases()
    s.run_units(JOBS)
    s.sigint()  # alone: ^C on a pty, prompt back within 2 s
    n = len(s.res.cases)
    m = sum(1 for _, ok in s.res.cases if ok)
    failed = [c for c, ok in s.res.cases if not ok]
    if failed:
        log('cases that failed: ' + ' '.join(failed))
    used = {'recon-%s.json' % Suite.fixture_key(d) for d in s.variants.values()
            if os.path.exists(os.path.join(d, 'vmcore'))}
    for f in os.listdir(s.work):
        if f.startswith('recon-') and f.endswith('.json') and f not in used:
            os.unlink(os.path.join(s.work, f))
    log('%.0f s in all' % (time.time() - t0))
    known = [c for c in failed if c in KNOWN_BUGS]
    print('FIGURE corruption: %d cases, %d passed, %d known bugs (%s)' % (
        n, m, len(known), ' '.join(known) or 'none'))
    return 0 if len(failed) == len(known) else 1


# The file cases that also run on the 6.12 dump (and filtered-dump-dNN).
FILE_CASES_612 = {'truncated-half', 'truncated-d31-tail',
                  'pt-load-memsz-shrunk'}


SNAPSHOT_FILES = ('stamp', 'release', 'dump-level', 'expected.tsv')


def snapshot_fixture(s):
    """Copy the fixture into the work directory (the dumps sparse, the
    vmlinux as a link to the kernel's) and use that copy: a fixture rebuilt
    while the set runs (another kernel's tests build the same cache) would
    otherwise vanish between sessions or change under the recon."""
    src = s.fixture
    dst = os.path.join(s.work, 'fixture')
    stamp = os.path.join(src, 'stamp')
    for attempt in range(3):
        before = open(stamp).read() if os.path.exists(stamp) else None
        if os.path.isdir(dst):
            shutil.rmtree(dst)
        os.makedirs(dst)
        names = [f for f in os.listdir(src) if f in SNAPSHOT_FILES or
                 f == 'vmcore' or f.startswith('vmcore.d')]
        for f in names:
            subprocess.run(['cp', '-p', '--sparse=always', '--reflink=auto',
                            os.path.join(src, f), os.path.join(dst, f)],
                           check=True)
        os.symlink(os.path.realpath(os.path.join(src, 'vmlinux')),
                   os.path.join(dst, 'vmlinux'))
        after = open(stamp).read() if os.path.exists(stamp) else None
        if before is not None and before == after:
            break
        log('the fixture changed while it was copied: again')
        time.sleep(30)
    else:
        raise OSError('%s keeps changing (being rebuilt?)' % src)
    s.fixture = s.variants['leaks'] = dst
    s.vmlinux = os.path.join(dst, 'vmlinux')
    s.vmcore = os.path.join(dst, 'vmcore')
    s.planted = read_planted(dst)


def main_set(s, t0, sessions, file_cases):
    """A set of another kernel (--set 6.12, 7.2): a pristine baseline, the
    memory sessions and the file cases of that set."""
    names = [c for sess in sessions for c in sess[1]]
    filtered = 'filtered-dump-' + s.filtered_dump()[len('vmcore.'):]
    names += sorted(file_cases) + [filtered, 'pristine-baseline',
                                   'memleak-twice-in-a-row']
    if s.only is not None and not any(s.wanted(c) for c in names):
        print('NOTE: corrupt %s: no case of this set selected' % s.label)
        return 0
    try:
        snapshot_fixture(s)
        s.load_recon()
    except (ValueError, DumpError, OSError,
            subprocess.CalledProcessError) as e:
        print('FAIL: corrupt %s: recon of the pristine dump (%s)' % (
            s.label, e))
        print('FIGURE corruption %s: 0 cases, 0 passed' % s.label)
        return 1
    s.schedule_pristine(s.pristine_short)
    for session in sessions:
        s.mem_session(*session)
    s.file_subset = set(file_cases) | {filtered}
    s.file_cases()
    s.run_units(JOBS)
    n = len(s.res.cases)
    m = sum(1 for _, ok in s.res.cases if ok)
    failed = [c for c, ok in s.res.cases if not ok]
    if failed:
        log('%s cases that failed: %s' % (s.label, ' '.join(failed)))
    log('%s: %.0f s in all' % (s.label, time.time() - t0))
    print('FIGURE corruption %s: %d cases, %d passed' % (s.label, n, m))
    return 0 if not failed else 1


# The sets of other kernels: their memory sessions and file cases.
SETS = {
    '6.12': (MEM_SESSIONS_612, FILE_CASES_612),
    '7.2': (MEM_SESSIONS_72, set()),
}


if __name__ == '__main__':
    sys.exit(main())
