"""vmcore.py - read and damage kernel memory in an ELF vmcore (x86_64).

A kernel virtual address is turned into a physical one the way the CPU
does it: the direct map (page_offset_base) and the kernel image
(__START_KERNEL_map + phys_base) by arithmetic, anything else (vmemmap,
vmalloc, modules) by walking the kernel's 4-level page tables from
init_top_pgt. A physical address is found in the file through the PT_LOAD
program headers (p_paddr, p_offset, p_filesz). Writes go to the file in
place, so always work on a copy.
"""
import struct

START_KERNEL_MAP = 0xffffffff80000000
DIRECT_MAP_SPAN = 1 << 46  # MAX_PHYSMEM_BITS on 4-level x86_64
MODULES_VADDR = 0xffffffffc0000000  # START_KERNEL_MAP + KERNEL_IMAGE_SIZE
MASK64 = (1 << 64) - 1
PT_LOAD, PT_NOTE = 1, 4
PTE_ADDR = 0x000ffffffffff000
PAGE = 4096


class DumpError(Exception):
    pass


class Dump:
    """An ELF64 vmcore opened for reading (and writing, with writable)."""

    def __init__(self, path, writable=False, layout=None):
        self.path = path
        self.f = open(path, 'r+b' if writable else 'rb')
        hdr = self.f.read(64)
        if len(hdr) < 64 or hdr[:4] != b'\x7fELF' or hdr[4] != 2:
            raise DumpError('%s: not an ELF64 file' % path)
        self.phoff, = struct.unpack_from('<Q', hdr, 32)
        self.phentsize, self.phnum = struct.unpack_from('<HH', hdr, 54)
        self.phdrs = []
        for i in range(self.phnum):
            self.f.seek(self.phoff + i * self.phentsize)
            (ptype, flags, off, vaddr, paddr, filesz, memsz,
             align) = struct.unpack('<IIQQQQQQ', self.f.read(56))
            self.phdrs.append(dict(index=i, type=ptype, offset=off,
                                   vaddr=vaddr, paddr=paddr, filesz=filesz,
                                   memsz=memsz))
        self.loads = [p for p in self.phdrs if p['type'] == PT_LOAD]
        self.layout = layout or {}

    def close(self):
        self.f.close()

    # ---- program headers --------------------------------------------------
    def set_phdr(self, index, **fields):
        """Rewrite fields (filesz, memsz, offset, paddr) of one header."""
        p = self.phdrs[index]
        p.update(fields)
        self.f.seek(self.phoff + index * self.phentsize + 8)
        self.f.write(struct.pack('<QQQQQ', p['offset'], p['vaddr'],
                                 p['paddr'], p['filesz'], p['memsz']))
        self.phdrs[index] = p

    def punch_hole(self, pa, length):
        """Make [pa, pa + length) absent from the dump, as if the dumper had
        left those pages out: the PT_LOAD holding them is split in two. The
        second half needs a program header: a new one when the table has
        room before the first segment, else the PT_LOAD of a device range
        above RAM (QEMU dumps the firmware and VGA ranges) is reused, which
        drops that range from the dump. Returns what was done."""
        for p in self.loads:
            if p['paddr'] <= pa and pa + length <= p['paddr'] + p['filesz']:
                break
        else:
            raise DumpError('%#x+%#x is not inside one PT_LOAD' % (pa, length))
        head = pa - p['paddr']
        tail = dict(type=PT_LOAD, offset=p['offset'] + head + length,
                    vaddr=0, paddr=pa + length,
                    filesz=p['filesz'] - head - length,
                    memsz=p['memsz'] - head - length)
        first_data = min(q['offset'] for q in self.phdrs)
        ram_end = max(q['paddr'] + q['memsz'] for q in self.loads
                      if q['filesz'] >= (64 << 20))
        if self.phoff + (self.phnum + 1) * self.phentsize <= first_data:
            index = self.phnum
            self.phnum += 1
            self.f.seek(56)
            self.f.write(struct.pack('<H', self.phnum))
            self.phdrs.append(dict(index=index))
            how = 'new program header #%d' % index
        else:
            spare = [q for q in self.loads if q['paddr'] >= ram_end and
                     q is not p]
            if not spare:
                raise DumpError('no room for another program header')
            q = max(spare, key=lambda q: q['paddr'])
            index = q['index']
            how = 'program header #%d reused (device range %#x+%#x dropped)' % (
                index, q['paddr'], q['memsz'])
        self.set_phdr(p['index'], filesz=head, memsz=head)
        tail['index'] = index
        self.phdrs[index] = tail
        self.f.seek(self.phoff + index * self.phentsize)
        self.f.write(struct.pack('<IIQQQQQQ', PT_LOAD, 0, tail['offset'],
                                 tail['vaddr'], tail['paddr'], tail['filesz'],
                                 tail['memsz'], 0))
        self.loads = [q for q in self.phdrs if q.get('type') == PT_LOAD]
        return how

    def notes(self):
        """(file offset of the descriptor, name, type, desc bytes) of each note."""
        out = []
        for p in self.phdrs:
            if p['type'] != PT_NOTE:
                continue
            self.f.seek(p['offset'])
            data = self.f.read(p['filesz'])
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from('<III', data, pos)
                name_at = pos + 12
                desc_at = name_at + ((namesz + 3) & ~3)
                name = data[name_at:name_at + namesz].rstrip(b'\0')
                out.append((p['offset'] + desc_at, name.decode('latin-1'),
                            ntype, data[desc_at:desc_at + descsz]))
                pos = desc_at + ((descsz + 3) & ~3)
        return out

    # ---- physical memory ----------------------------------------------------
    def phys_offset(self, pa):
        """File offset of physical address pa, or None when not in the file."""
        for p in self.loads:
            if p['paddr'] <= pa < p['paddr'] + p['filesz']:
                return p['offset'] + (pa - p['paddr'])
        return None

    def read_phys(self, pa, n):
        out = bytearray()
        while n > 0:
            chunk = min(n, PAGE - (pa & (PAGE - 1)))
            off = self.phys_offset(pa)
            if off is None:
                raise DumpError('physical address %#x not in the dump' % pa)
            self.f.seek(off)
            data = self.f.read(chunk)
            if len(data) != chunk:
                raise DumpError('short read at %#x' % pa)
            out += data
            pa += chunk
            n -= chunk
        return bytes(out)

    def write_phys(self, pa, data):
        pos = 0
        while pos < len(data):
            chunk = min(len(data) - pos, PAGE - (pa & (PAGE - 1)))
            off = self.phys_offset(pa)
            if off is None:
                raise DumpError('physical address %#x not in the dump' % pa)
            self.f.seek(off)
            self.f.write(data[pos:pos + chunk])
            pa += chunk
            pos += chunk

    # ---- virtual memory -----------------------------------------------------
    def vtop(self, va):
        lay = self.layout
        pob = lay['page_offset_base']
        if pob <= va < pob + DIRECT_MAP_SPAN:
            return va - pob
        if START_KERNEL_MAP <= va < MODULES_VADDR:
            return (va - START_KERNEL_MAP + lay['phys_base']) & MASK64
        return self._walk(va)

    def _entry(self, table_pa, index):
        return struct.unpack('<Q', self.read_phys(table_pa + 8 * index, 8))[0]

    def _walk(self, va):
        lay = self.layout
        pgd = (lay['init_top_pgt'] - START_KERNEL_MAP + lay['phys_base']) & MASK64
        e = self._entry(pgd, (va >> 39) & 511)
        if not e & 1:
            raise DumpError('%#x: PGD entry not present' % va)
        e = self._entry(e & PTE_ADDR, (va >> 30) & 511)
        if not e & 1:
            raise DumpError('%#x: PUD entry not present' % va)
        if e & 0x80:
            return (e & PTE_ADDR & ~((1 << 30) - 1)) | (va & ((1 << 30) - 1))
        e = self._entry(e & PTE_ADDR, (va >> 21) & 511)
        if not e & 1:
            raise DumpError('%#x: PMD entry not present' % va)
        if e & 0x80:
            return (e & PTE_ADDR & ~((1 << 21) - 1)) | (va & ((1 << 21) - 1))
        e = self._entry(e & PTE_ADDR, (va >> 12) & 511)
        if not e & 1:
            raise DumpError('%#x: PTE not present' % va)
        return (e & PTE_ADDR) | (va & (PAGE - 1))

    def readable(self, va, n=8):
        try:
            self.read(va, n)
            return True
        except DumpError:
            return False

    def read(self, va, n):
        out = bytearray()
        while n > 0:
            chunk = min(n, PAGE - (va & (PAGE - 1)))
            out += self.read_phys(self.vtop(va), chunk)
            va += chunk
            n -= chunk
        return bytes(out)

    def write(self, va, data):
        pos = 0
        while pos < len(data):
            chunk = min(len(data) - pos, PAGE - (va & (PAGE - 1)))
            self.write_phys(self.vtop(va), data[pos:pos + chunk])
            va += chunk
            pos += chunk

    def u64(self, va):
        return struct.unpack('<Q', self.read(va, 8))[0]

    def u32(self, va):
        return struct.unpack('<I', self.read(va, 4))[0]

    def put_u64(self, va, v):
        self.write(va, struct.pack('<Q', v & MASK64))

    def put_u32(self, va, v):
        self.write(va, struct.pack('<I', v & 0xffffffff))

    def cstring(self, va, limit=64):
        data = self.read(va, limit)
        return data.split(b'\0', 1)[0].decode('latin-1')
