#!/usr/bin/python3
"""make_corpus.py - write the seed inputs of fuzz_engine to tests/fuzz/corpus/.

Each seed follows the input layout described at the top of fuzz_engine.c,
field by field, so that the fuzzer starts from inputs that reach the deep
paths: a reachable chain, a leaked cycle with a block hanging off it, a
watched block, per-cpu blocks, a stack depot record that decodes, a SLUB
track and a page_owner record that parse, SLUB slabs whose freelists walk.

    tests/fuzz/make_corpus.py [DIR]
"""
import os
import struct
import sys

PAGE = 4096
PCPU = 0x8000  # patch target flag: a per-cpu pointer
IMAGE_BASE = 0xffff888000000000
MASK64 = 2 ** 64 - 1


class Seed:
    def __init__(self):
        self.b = bytearray()

    def u8(self, v):
        self.b += struct.pack('<B', v & 0xff)

    def u16(self, v):
        self.b += struct.pack('<H', v & 0xffff)

    def u32(self, v):
        self.b += struct.pack('<I', v & 0xffffffff)

    def u64(self, v):
        self.b += struct.pack('<Q', v & (2 ** 64 - 1))

    def raw(self, data):
        self.b += data


def image(seed, pages=1, holes=0, base=0x10, fill=b''):
    seed.u8(pages - 1)
    seed.u8(holes)
    seed.u16(base)
    seed.u16(len(fill))
    seed.raw(fill)


def scan(seed, blocks, roots, patches, pcpu=(), ncpus=1, opts=0, watch=0,
         regs=None):
    """Offsets are from base - 4 KiB: the image starts at 4096."""
    seed.u8(len(blocks))
    seed.u8(len(roots))
    seed.u8(len(patches))
    seed.u8(len(pcpu) | ((ncpus - 1) << 4))
    seed.u8(opts)
    seed.u16(watch)
    for start, size, flags, min_count in blocks:
        seed.u16(start)
        seed.u16(size)
        seed.u8(flags)
        seed.u8(min_count)
    for start, length in roots:
        seed.u16(start)
        seed.u16(length)
    for word, target in patches:
        seed.u16(word)
        seed.u16(target)
    for start, size, min_count in pcpu:
        seed.u16(start)
        seed.u16(size)
        seed.u8(min_count)
    if opts & 2:
        seed.raw(regs or bytes(64))


def depot_preset(seed, gen, pools_off, npools, handles, max_frames=64):
    seed.u8(gen)
    seed.u16(pools_off)
    seed.u8(npools)
    for h in (list(handles) + [0] * 8)[:8]:
        seed.u32(h)
    seed.u8(max_frames)


def track_preset(seed, gen, cpu_limit, data, inuse=64, offset=0, obj=0,
                 when=100, jiffies=350):
    seed.u8(gen)
    seed.u8(cpu_limit)
    seed.u16(len(data))
    seed.raw(data)
    seed.u32(inuse)
    seed.u32(offset)
    seed.u16(obj)
    seed.u64(when)
    seed.u64(jiffies)


def owner_preset(seed, gen, flags, data, pfn=1, section=0, invalid=0,
                 order=0):
    seed.u8(gen)
    seed.u8(0)    # page_ext_size - 8 - size
    seed.u8(0)    # owner offset - 8
    seed.u8(1)    # PAGE_EXT_OWNER bit
    seed.u8(3)    # PAGE_EXT_OWNER_ALLOCATED bit + 1
    seed.u64(flags)
    seed.u16(len(data))
    seed.raw(data)
    seed.u16(pfn)
    seed.u16(section)
    seed.u8(invalid)
    seed.u8(order)


def hexdump(seed, n=16, outsz=80, data=b'kmemleak-fuzz!\x00\xff'):
    seed.u8(n)
    seed.u8(outsz)
    seed.raw((data + bytes(24))[:24])


def no_scan_or_decoders(seed):
    """The sections before slub, all empty: the fuzzer starts from there."""
    scan(seed, [], [], [])
    depot_preset(seed, 0, 0, 0, [])
    track_preset(seed, 0, 0, b'')
    owner_preset(seed, 0, 0, b'')
    hexdump(seed)


def swab(v):
    return int.from_bytes(v.to_bytes(8, 'little'), 'big')


def free_pointer(encoding, nxt, at, random):
    """mm/slub.c freelist_ptr(): clear, 5.7+ (swab) or 4.14 - 5.6."""
    if encoding == 'swab':
        return nxt ^ random ^ swab(at)
    if encoding == 'plain':
        return nxt ^ random ^ at
    return nxt


class Slab:
    """A slab at the image's base: object i at red_left_pad + i * size."""

    def __init__(self, base_pages, size, offset, red_left_pad, objects,
                 random, encoding):
        self.base = IMAGE_BASE + base_pages * PAGE
        self.size, self.offset, self.pad = size, offset, red_left_pad
        self.random, self.encoding = random, encoding
        self.bytes = bytearray(b'\x6b' * (red_left_pad + objects * size))

    def obj(self, i):
        return self.base + self.pad + i * self.size

    def chain(self, order, last=None):
        """order[0] -> order[1] -> ... -> last (None: NULL); the head."""
        for k, i in enumerate(order):
            nxt = self.obj(order[k + 1]) if k + 1 < len(order) else \
                (self.obj(last) if last is not None else 0)
            at = self.obj(i) + self.offset
            struct.pack_into('<Q', self.bytes, at - self.base,
                             free_pointer(self.encoding, nxt, at, self.random))
        return self.obj(order[0]) - self.base + 256  # the seed's u16


def slub(seed, slab, counters, heads, hardened, layout=None, pick=0):
    seed.u8((1 if hardened else 0) | (0x80 if layout else 0))
    for pos, width in layout or ():
        seed.u8(pos)
        seed.u8(width)
    seed.u64(counters)
    seed.u16(slab.size)
    seed.u16(slab.offset)
    seed.u16(slab.pad)
    seed.u64(slab.random)
    seed.u16(len(slab.bytes))
    for head in heads:
        seed.u16(head)
    seed.u16(pick)
    seed.u64(slab.obj(pick) + slab.offset)


def slub_seed(slab, counters, heads, hardened, layout=None):
    s = Seed()
    image(s, base=0x10, fill=bytes(slab.bytes))
    no_scan_or_decoders(s)
    slub(s, slab, counters, heads, hardened, layout, pick=3)
    return s.b


def slub_hardened():
    """5.7+ encoding, on no CPU: 3 free of 8, inuse 5 (the rule holds)."""
    slab = Slab(0x10, 64, 24, 16, 8, 0x5d2f1e8a7c3b6049, 'swab')
    head = slab.chain([1, 4, 6])
    return slub_seed(slab, 5 | 8 << 16, [head, 0], True)


def slub_plain_cpu():
    """4.14 - 5.6 encoding, frozen, a CPU freelist; counters at bit 32."""
    slab = Slab(0x10, 192, 0, 0, 21, 0x1234fedc9876abcd, 'plain')
    head = slab.chain([0, 20])
    cpu = slab.chain([5, 3, 9])
    counters = (21 << 32 | 21 << 48 | 1 << 63) & MASK64
    return slub_seed(slab, counters, [head, cpu], True,
                     layout=[(32, 16), (48, 15), (63, 1)])


def slub_clear_cycle():
    """No hardening; a freelist that loops back on itself."""
    slab = Slab(0x10, 32, 8, 0, 16, 0, 'clear')
    head = slab.chain([2, 7, 11], last=7)
    return slub_seed(slab, 13 | 16 << 16, [head, 0], False)


def chain_and_cycle():
    """Blocks 0 -> 1 -> 2 reached from a root; 3 <-> 4 leaked with 5 -> 3."""
    s = Seed()
    image(s)
    blocks = [(PAGE + i * 64, 64, 0, 1) for i in range(6)]
    w = lambda off: off // 8  # image word index of an image offset
    patches = [(w(1024), PAGE + 0), (w(0) + 1, PAGE + 64),
               (w(64) + 1, PAGE + 128), (w(192), PAGE + 256),
               (w(256), PAGE + 192), (w(320) + 2, PAGE + 192 + 8)]
    scan(s, blocks, [(PAGE + 1024, 64)], patches, opts=0x01,
         watch=PAGE + 64 + 8)
    depot_preset(s, 1, 0, 0, [0x04000000])
    track_preset(s, 0, 2, bytes(32))
    owner_preset(s, 1, 0, bytes(64))
    hexdump(s)
    return s.b


def depot_record():
    """A 6.1 stack depot: pools[0] -> a record of 3 frames in the image."""
    s = Seed()
    fill = bytearray(2048 + 64)
    handle = 1 << 26  # valid, pool 0, offset 0
    rec = 2048
    struct.pack_into('<I', fill, rec + 12, 3)        # size
    struct.pack_into('<I', fill, rec + 16, handle)   # handle
    for i in range(3):
        struct.pack_into('<Q', fill, rec + 24 + 8 * i,
                         0xffffffff81000000 + 0x100 * i)
    image(s, fill=bytes(fill))
    # pools array at image offset 0: patch pools[0] = base + 2048
    scan(s, [(PAGE + 512, 32, 0, 1)], [(PAGE + 3072, 16)],
         [(0, PAGE + 2048), (3072 // 8, PAGE + 512)])
    depot_preset(s, 1, 0, 1, [handle, handle | (3 << 27), handle + 1,
                              (1 << 26) | 5, 0, 0xffffffff], max_frames=2)
    track_preset(s, 0, 4, struct.pack('<QIiiIQ', 0xffffffff81234567, handle,
                                      1, 42, 0, 300), obj=512)
    owner_preset(s, 1, 0b1010, bytes(64))
    hexdump(s, n=7, outsz=40)
    return s.b


def percpu_blocks():
    """Two CPUs; a per-cpu block reached from a root, holding a slab block."""
    s = Seed()
    image(s, pages=2, holes=0b10)
    blocks = [(PAGE + 256, 128, 0, 1), (PAGE + 512, 128, 1, 1),
              (PAGE + 640, 64, 2, 0)]
    # CPU 0's copies start at the image base (cpu_off[0] = base - PCPU_BASE)
    patches = [(2048 // 8, PCPU | 0x100), (0x100 // 8, PAGE + 256),
               (4096 // 8 + 0x100 // 8, PAGE + 512)]
    scan(s, blocks, [(PAGE + 2048, 8), (PAGE + 8000, 400)], patches,
         pcpu=[(0x100, 64, 1), (0x200, 64, 1)], ncpus=2, opts=0x02,
         regs=struct.pack('<Q', 0xffff888000000000 + 0x10 * PAGE + 640) +
         bytes(56))
    depot_preset(s, 3, 64, 2, [1, 2, 0x20001])
    track_preset(s, 1, 0, bytes(152))
    owner_preset(s, 0, 0b10, bytes(32))
    hexdump(s, n=20, outsz=200)
    return s.b


def raw_layouts():
    """Every decoder layout field from the input (sel bit 7)."""
    s = Seed()
    image(s, pages=4, holes=0b0100, base=0xffff)
    scan(s, [(0, 0xffff, 0, 2), (PAGE, 8, 3, 1)], [(0, 0xffff)], [],
         opts=0x4c | (1 << 4))
    s.u8(0x80)
    for v in (0, 16, 16, 10, 26, 1, 27, 5):
        s.u8(v)
    s.u8(0)         # plus one
    s.u8(4)         # align shift
    s.u16(64)       # pools
    s.u32(4)        # pools_len
    s.u32(16384)    # pool size
    s.u8(12)
    s.u8(16)
    s.u8(0xff)      # count: -1
    s.u16(24)
    s.u16(64)
    for h in range(8):
        s.u32(0x04000000 | (h << 16))
    s.u8(16)
    s.u8(0x80)      # track: raw layout (5.17+ with a depot handle)
    for v in (32, 0, 8, 0xffff):   # size, addr, handle, addrs (-1)
        s.u16(v)
    s.u8(0)                        # addrs_count
    for v in (12, 16, 24):         # cpu, pid, when
        s.u16(v)
    s.u8(2)                        # cpu_limit
    s.u16(40)
    s.raw(bytes(range(1, 41)))
    s.u32(0xffffffff)              # inuse
    s.u32(0xfffffff0)              # free pointer offset
    s.u16(0xfff0)                  # object
    s.u64(2 ** 63)                 # when
    s.u64(5)                       # jiffies
    s.u8(0x81)      # page owner: raw layout (6.1)
    s.u16(88)                      # page_ext_size
    s.u16(8)                       # owner offset
    s.u8(1)                        # owner bit
    s.u8(0xff)                     # allocated bit: -1
    s.u16(80)                      # size
    s.u16(0)                       # order
    s.u8(2)                        # order size
    for v in (2, 4, 8, 12, 16, 24, 32, 36, 40):
        s.u16(v)
    s.u8(16)                       # comm_len
    s.u8(10)                       # max order
    s.u64(0b11)
    s.u16(80)
    s.raw(b'\x01\x00' + bytes(38) + b'swapper/0\x00' + bytes(30))
    s.u16(3)
    s.u16(100)
    s.u8(0)
    s.u8(1)
    hexdump(s, n=0, outsz=1)
    return s.b


SEEDS = {
    'chain-and-cycle': chain_and_cycle,
    'depot-record': depot_record,
    'percpu-blocks': percpu_blocks,
    'raw-layouts': raw_layouts,
    'slub-hardened': slub_hardened,
    'slub-plain-cpu': slub_plain_cpu,
    'slub-clear-cycle': slub_clear_cycle,
    'empty': lambda: b'',
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(out, exist_ok=True)
    for name, make in SEEDS.items():
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(make())


if __name__ == '__main__':
    main()
