"""kstructs.py - what the corruption cases need to know about the kernel.

recon_commands() is a crash command script that prints symbol addresses,
structure member offsets and a few values of the pristine dump; parse_recon()
turns crash's output into a dict (cached by the suite). Kernel wraps a Dump
with that dict and walks the kernel's structures the way memleak does
(slab_caches, the struct page array, the task list, modules, vmap areas),
so that a case can pick its target in whatever dump the fixture produced.
"""
import re
import struct

from vmcore import Dump, DumpError, MASK64

SYMBOLS = [
    'slab_caches', 'init_task', 'modules', 'vmap_area_list', 'jiffies',
    'jiffies_64', 'stack_slabs', 'stack_pools', 'depot_index', 'pool_index',
    'pools_num', 'linux_banner', 'init_top_pgt',
    # debug kernels only (kmemleak, page_owner)
    'object_list', 'page_ext_size',
    # 6.9+: per-node vmap_area busy lists instead of vmap_area_list
    'vmap_nodes', 'nr_vmap_nodes',
]

VALUES = [
    ('page_offset_base', 'p/x page_offset_base'),
    ('phys_base', 'p/x phys_base'),
    ('vmemmap_base', 'p/x vmemmap_base'),
    ('vmalloc_base', 'p/x vmalloc_base'),
    ('percpu0', 'p/x __per_cpu_offset[0]'),
    ('percpu1', 'p/x __per_cpu_offset[1]'),
    ('nr_cpu_ids', 'p nr_cpu_ids'),
    ('PG_slab', 'p (int)PG_slab'),
    ('PG_head', 'p (int)PG_head'),
    ('sizeof_page', 'p sizeof(struct page)'),
    ('sizeof_track', 'p sizeof(struct track)'),
    # 6.12+: a slab or free buddy page is typed by the top byte of
    # page->page_type (enum pagetype), not by PG_slab in page->flags
    ('PGTY_slab', 'p (int)PGTY_slab'),
    ('PGTY_buddy', 'p (int)PGTY_buddy'),
    # 6.9+: vmap_nodes[nr_vmap_nodes], each with its busy list
    ('vmap_nodes', 'p/x vmap_nodes'),
    ('nr_vmap_nodes', 'p nr_vmap_nodes'),
    ('sizeof_vmap_node', 'p sizeof(struct vmap_node)'),
    # 6.18+: SLUB sheaves; 7.1+: s->per_node[n].barn
    ('sizeof_per_node_ptrs', 'p sizeof(struct kmem_cache_per_node_ptrs)'),
]

OFFSETS = [
    ('kmem_cache', 'list'), ('kmem_cache', 'name'), ('kmem_cache', 'size'),
    ('kmem_cache', 'object_size'), ('kmem_cache', 'offset'),
    ('kmem_cache', 'inuse'), ('kmem_cache', 'random'),
    ('kmem_cache', 'cpu_slab'), ('kmem_cache', 'flags'),
    ('kmem_cache', 'red_left_pad'), ('kmem_cache', 'oo'),
    ('kmem_cache_cpu', 'freelist'), ('kmem_cache_cpu', 'slab'),
    ('slab', 'slab_cache'), ('slab', 'freelist'), ('slab', 'counters'),
    ('page', 'flags'), ('page', 'compound_head'), ('page', 'page_type'),
    ('task_struct', 'tasks'), ('task_struct', 'stack'),
    ('task_struct', 'signal'), ('task_struct', 'thread_node'),
    ('task_struct', 'comm'),
    ('signal_struct', 'thread_head'),
    ('module', 'list'), ('module', 'name'), ('module', 'core_layout'),
    ('module_layout', 'base'), ('module_layout', 'size'),
    ('module_layout', 'ro_size'),
    ('vmap_area', 'va_start'), ('vmap_area', 'list'), ('vmap_area', 'vm'),
    ('vmap_node', 'busy'), ('rb_list', 'head'),
    ('vm_struct', 'addr'), ('vm_struct', 'size'), ('vm_struct', 'flags'),
    ('vm_struct', 'caller'),
    ('track', 'handle'),
    # 6.18+: SLUB sheaves (per-CPU main/spare/rcu_free, node barns)
    ('kmem_cache', 'cpu_sheaves'), ('kmem_cache', 'sheaf_capacity'),
    ('kmem_cache', 'per_node'), ('kmem_cache_per_node_ptrs', 'barn'),
    ('slub_percpu_sheaves', 'main'), ('slub_percpu_sheaves', 'spare'),
    ('slub_percpu_sheaves', 'rcu_free'),
    ('slab_sheaf', 'cache'), ('slab_sheaf', 'size'),
    ('slab_sheaf', 'objects'), ('slab_sheaf', 'barn_list'),
    ('node_barn', 'sheaves_full'), ('node_barn', 'nr_full'),
    # debug kernels only
    ('kmemleak_object', 'object_list'), ('kmemleak_object', 'pointer'),
    ('kmemleak_object', 'trace_handle'),
]

HANDLE_FIELDS = ['slabindex', 'pool_index', 'pool_index_plus_1', 'offset',
                 'valid']

MARK = '@@RECON '


def recon_commands():
    lines = []

    def add(key, cmd):
        lines.append('echo %s%s' % (MARK, key))
        lines.append(cmd)
    for name in SYMBOLS:
        add('sym:' + name, 'sym ' + name)
    for key, cmd in VALUES:
        add('val:' + key, cmd)
    for st, member in OFFSETS:
        add('off:%s.%s' % (st, member),
            'p &((struct %s *)0)->%s' % (st, member))
    for field in HANDLE_FIELDS:
        add('bits:' + field, 'printm ((union handle_parts *)0x0).%s' % field)
    lines.append('echo %sEND' % MARK)
    return '\n'.join(lines) + '\n'


def _number(text):
    """The value crash printed: the last hex or decimal number after '='."""
    if '=' not in text:
        return None
    rhs = text.rsplit('=', 1)[1].strip()
    m = re.search(r'(?:\(.*\)\s*)?(-?0x[0-9a-fA-F]+|-?\d+)\s*$', rhs)
    if not m:
        return None
    return int(m.group(1), 0)


def parse_recon(output):
    blocks = {}
    key = None
    for line in output.splitlines():
        if line.startswith(MARK):
            key = line[len(MARK):].strip()
            blocks[key] = []
        elif key is not None:
            blocks[key].append(line)
    if 'END' not in blocks:
        raise ValueError('recon output incomplete (no END marker)')
    r = {'sym': {}, 'off': {}, 'bits': {}}
    for k, lines in blocks.items():
        text = '\n'.join(lines)
        kind, _, name = k.partition(':')
        if kind == 'sym':
            # (crash snapshots end the line with a space)
            m = re.search(r'^([0-9a-f]{16}) \(\w\) (\S+)\s*$', text, re.M)
            if m and m.group(2) == name:
                r['sym'][name] = int(m.group(1), 16)
        elif kind == 'val':
            for line in lines:
                v = _number(line)
                if v is not None:
                    r[name] = v & MASK64 if v >= 0 else v
                    break
        elif kind == 'off':
            for line in lines:
                if 'gdb request failed' in line:
                    break
                v = _number(line)
                if v is not None:
                    r['off'][name] = v
                    break
        elif kind == 'bits':
            m = re.search(r'^(\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$', text, re.M)
            if m:
                r['bits'][name] = (int(m.group(5)), int(m.group(6)))
    missing = [n for n in ('page_offset_base', 'phys_base', 'vmemmap_base',
                           'sizeof_page') if n not in r]
    missing += [n for n in ('init_top_pgt', 'slab_caches', 'init_task')
                if n not in r['sym']]
    if missing:
        raise ValueError('recon: missing ' + ', '.join(missing))
    return r


def bswap64(v):
    return struct.unpack('<Q', struct.pack('>Q', v & MASK64))[0]


class Kernel:
    """A Dump with the recon: kernel structures by name."""

    def __init__(self, path, recon, writable=False):
        self.r = recon
        self.d = Dump(path, writable, layout={
            'page_offset_base': recon['page_offset_base'],
            'phys_base': recon['phys_base'],
            'init_top_pgt': recon['sym']['init_top_pgt'],
        })
        self._caches = None
        self._slabs = None

    def close(self):
        self.d.close()

    def off(self, struct_member):
        return self.r['off'][struct_member]

    def sym(self, name):
        return self.r['sym'][name]

    def has(self, struct_member):
        return struct_member in self.r['off']

    # ---- lists ---------------------------------------------------------------
    def list_nodes(self, head, limit=100000):
        """Node addresses of the list_head list at head (not head itself)."""
        nodes, seen = [], set()
        node = self.d.u64(head)
        while node != head and node not in seen and len(nodes) < limit:
            seen.add(node)
            nodes.append(node)
            node = self.d.u64(node)
        return nodes

    # ---- SLUB -----------------------------------------------------------------
    def caches(self):
        if self._caches is None:
            lo = self.off('kmem_cache.list')
            out = []
            for node in self.list_nodes(self.sym('slab_caches')):
                kc = node - lo
                name_ptr = self.d.u64(kc + self.off('kmem_cache.name'))
                c = dict(addr=kc, node=node,
                         name=self.d.cstring(name_ptr) if name_ptr else '?')
                for f in ('size', 'object_size', 'offset', 'inuse'):
                    c[f] = self.d.u32(kc + self.off('kmem_cache.' + f))
                c['random'] = (self.d.u64(kc + self.off('kmem_cache.random'))
                               if self.has('kmem_cache.random') else None)
                # no kmem_cache_cpu since 7.0
                c['cpu_slab'] = (
                    self.d.u64(kc + self.off('kmem_cache.cpu_slab'))
                    if self.has('kmem_cache.cpu_slab') else 0)
                # oo = order << 16 | objects of the preferred slab size
                c['max_objects'] = (
                    self.d.u32(kc + self.off('kmem_cache.oo')) & 0xffff
                    if self.has('kmem_cache.oo') else None)
                c['red_left_pad'] = (
                    self.d.u32(kc + self.off('kmem_cache.red_left_pad'))
                    if self.has('kmem_cache.red_left_pad') else 0)
                out.append(c)
            self._caches = out
        return self._caches

    def cache(self, name):
        for c in self.caches():
            if c['name'] == name:
                return c
        return None

    def cache_at(self, addr):
        for c in self.caches():
            if c['addr'] == addr:
                return c
        return None

    def max_pfn(self):
        return max(p['paddr'] + p['memsz'] for p in self.d.loads) >> 12

    def page_of_pfn(self, pfn):
        return self.r['vmemmap_base'] + pfn * self.r['sizeof_page']

    def page_type_of(self, pg):
        """The type byte of a struct page (6.12+: enum pagetype in the top
        byte of page_type; None when the kernel types no page that way)."""
        if not self.has('page.page_type') or 'PGTY_slab' not in self.r:
            return None
        return struct.unpack_from('<I', pg, self.off('page.page_type'))[0] >> 24

    def slabs(self):
        """Every slab head page: dict(slab, base, cache, freelist, counters).
        A slab page is marked by PG_slab in page->flags where the kernel has
        that flag (up to 6.9), else by the PGTY_slab type in page_type
        (6.12+). Free buddy head pages (PGTY_buddy) are gathered on the way
        (buddy_pages())."""
        if self._slabs is not None:
            return self._slabs
        psz = self.r['sizeof_page']
        flags_off = self.off('page.flags')
        ch_off = self.off('page.compound_head')
        sc_off = self.off('slab.slab_cache')
        fl_off = self.off('slab.freelist')
        ct_off = self.off('slab.counters')
        if 'PG_slab' in self.r:
            bit = 1 << self.r['PG_slab']

            def is_slab(pg):
                return struct.unpack_from('<Q', pg, flags_off)[0] & bit
        elif self.page_type_of(bytes(psz)) is not None:
            pgty_slab = self.r['PGTY_slab']

            def is_slab(pg):
                return self.page_type_of(pg) == pgty_slab
        else:
            raise DumpError('no PG_slab and no PGTY_slab: slab pages '
                            'cannot be told')
        pgty_buddy = self.r.get('PGTY_buddy')
        self._buddies = []
        out = []
        per_page = 4096 // psz
        for pfn0 in range(0, self.max_pfn(), per_page):
            va = self.page_of_pfn(pfn0)
            try:
                data = self.d.read(va, 4096)
            except DumpError:
                continue
            for i in range(per_page):
                pg = data[i * psz:(i + 1) * psz]
                if not is_slab(pg):
                    if pgty_buddy is not None and \
                            self.page_type_of(pg) == pgty_buddy:
                        self._buddies.append(va + i * psz)
                    continue
                head, = struct.unpack_from('<Q', pg, ch_off)
                if head & 1:
                    continue
                pfn = pfn0 + i
                counters, = struct.unpack_from('<I', pg, ct_off)
                out.append(dict(
                    slab=va + i * psz, pfn=pfn,
                    base=self.r['page_offset_base'] + (pfn << 12),
                    cache=struct.unpack_from('<Q', pg, sc_off)[0],
                    freelist=struct.unpack_from('<Q', pg, fl_off)[0],
                    inuse=counters & 0xffff,
                    objects=(counters >> 16) & 0x7fff,
                    frozen=counters >> 31))
        self._slabs = out
        return out

    def buddy_pages(self):
        """struct page addresses of free buddy head pages (6.12+ typing)."""
        self.slabs()
        return self._buddies

    def decode_fp(self, cache, stored, ptr_addr):
        if cache['random'] is None:
            return stored
        return stored ^ cache['random'] ^ bswap64(ptr_addr)

    def encode_fp(self, cache, ptr, ptr_addr):
        if cache['random'] is None:
            return ptr
        return ptr ^ cache['random'] ^ bswap64(ptr_addr)

    def freelist(self, slab, cache):
        """The free objects of a slab, in freelist order (bounded walk)."""
        objs, ptr = [], slab['freelist']
        while ptr and len(objs) <= slab['objects']:
            objs.append(ptr)
            at = ptr + cache['offset']
            ptr = self.decode_fp(cache, self.d.u64(at), at)
        return objs

    def set_next_free(self, cache, obj, value):
        """Store value as obj's free pointer (encoded as the kernel does)."""
        at = obj + cache['offset']
        self.d.put_u64(at, self.encode_fp(cache, value, at))

    def partial_slabs(self, cache, min_free=3, avoid=()):
        """Unfrozen slabs of cache with a freelist of at least min_free."""
        out = []
        for s in self.slabs():
            if s['cache'] != cache['addr'] or s['frozen'] or not s['freelist']:
                continue
            if s['objects'] - s['inuse'] < min_free or s['inuse'] < 1:
                continue
            end = s['base'] + s['objects'] * cache['size']
            if any(s['base'] <= a < end for a in avoid):
                continue
            fl = self.freelist(s, cache)
            if len(fl) == s['objects'] - s['inuse']:
                out.append(dict(s, free=fl))
        return out

    # ---- tasks, modules, vmap areas -------------------------------------------------
    def tasks(self):
        lo = self.off('task_struct.tasks')
        return [n - lo for n in
                self.list_nodes(self.sym('init_task') + lo)]

    def modules(self):
        lo = self.off('module.list')
        return [n - lo for n in self.list_nodes(self.sym('modules'))]

    def vmap_busy_heads(self):
        """The list heads of the busy vmap areas: vmap_area_list where the
        kernel has it (up to 6.8), else vmap_nodes[i].busy.head for each of
        the nr_vmap_nodes nodes (6.9+)."""
        if 'vmap_area_list' in self.r['sym']:
            return [self.sym('vmap_area_list')]
        if 'vmap_nodes' not in self.r['sym'] or \
                not self.has('vmap_node.busy') or 'sizeof_vmap_node' not in self.r:
            raise DumpError('neither vmap_area_list nor vmap_nodes')
        nodes = self.d.u64(self.sym('vmap_nodes'))
        nr = self.d.u32(self.sym('nr_vmap_nodes'))
        return [nodes + i * self.r['sizeof_vmap_node'] +
                self.off('vmap_node.busy') + self.off('rb_list.head')
                for i in range(nr)]

    def vmap_areas(self):
        """Busy vmap areas: dict(va, node, vm, head (the list's head))."""
        lo = self.off('vmap_area.list')
        out = []
        for head in self.vmap_busy_heads():
            for n in self.list_nodes(head):
                va = n - lo
                vm = self.d.u64(va + self.off('vmap_area.vm'))
                out.append(dict(va=va, node=n, vm=vm, head=head))
        return out

    # ---- SLUB sheaves (6.18+) -------------------------------------------------
    def sheaf_caches(self):
        """Caches with real sheaves (sheaf_capacity > 0; the others share
        the empty bootstrap sheaf), each with its 'capacity'."""
        if not self.has('kmem_cache.cpu_sheaves') or \
                not self.has('slab_sheaf.objects'):
            raise DumpError('no SLUB sheaves in this kernel (6.18+)')
        out = []
        for c in self.caches():
            kc = c['addr']
            pcs = self.d.u64(kc + self.off('kmem_cache.cpu_sheaves'))
            cap = self.d.u32(kc + self.off('kmem_cache.sheaf_capacity'))
            if pcs and cap:
                out.append(dict(c, cpu_sheaves=pcs, capacity=cap))
        return out

    def pcs(self, cache, cpu=0):
        """Address of a CPU's struct slub_percpu_sheaves of cache."""
        return cache['cpu_sheaves'] + self.r['percpu%d' % cpu]

    def sheaf(self, addr):
        """A slab_sheaf: dict(addr, cache, size, objects (addresses of
        the slots), ptrs (their values))."""
        size = self.d.u32(addr + self.off('slab_sheaf.size'))
        slots = [addr + self.off('slab_sheaf.objects') + 8 * i
                 for i in range(min(size, 4096))]
        return dict(addr=addr, size=size,
                    cache=self.d.u64(addr + self.off('slab_sheaf.cache')),
                    slots=slots, ptrs=[self.d.u64(a) for a in slots])

    def main_sheaf(self, cache, cpu=0):
        return self.sheaf(self.d.u64(self.pcs(cache, cpu) +
                                     self.off('slub_percpu_sheaves.main')))

    def barn_ptr_addr(self, cache, node=0):
        """Where s->per_node[node].barn is stored (7.1+)."""
        if not self.has('kmem_cache.per_node') or \
                'sizeof_per_node_ptrs' not in self.r:
            raise DumpError('no kmem_cache.per_node (7.1+)')
        return (cache['addr'] + self.off('kmem_cache.per_node') +
                node * self.r['sizeof_per_node_ptrs'] +
                self.off('kmem_cache_per_node_ptrs.barn'))

    def barn_full_sheaves(self, barn):
        """The full sheaves on a barn's list, in list order."""
        lo = self.off('slab_sheaf.barn_list')
        return [self.sheaf(n - lo) for n in
                self.list_nodes(barn + self.off('node_barn.sheaves_full'))]

    def unreadable_kernel_address(self):
        """A direct-map address past the end of memory (reads fail)."""
        top = max(p['paddr'] + p['memsz'] for p in self.d.loads)
        return self.r['page_offset_base'] + ((top + (1 << 30)) & ~0xfff)
