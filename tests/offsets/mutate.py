#!/usr/bin/python3
"""mutate.py - damaged copies of an ELF file's DWARF, for tests/offsets.sh.

Writes N copies of ELF (64-bit, little-endian) to DIR/mutNNN, each with one
to eight bytes of its .debug_info section set to random values (seeded:
the same copies every run).

    tests/offsets/mutate.py ELF DIR N
"""
import random
import struct
import sys


def section(data, wanted):
    """(file offset, size) of the section named wanted."""
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)

    def header(i):
        return struct.unpack_from('<IIQQQQIIQQ', data, shoff + i * shentsize)

    names = header(shstrndx)[4]
    for i in range(shnum):
        h = header(i)
        start = names + h[0]
        if data[start:data.index(b'\0', start)].decode() == wanted:
            return h[4], h[5]
    raise SystemExit('%s: no section %s' % (sys.argv[1], wanted))


def main():
    src, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = open(src, 'rb').read()
    off, size = section(data, '.debug_info')
    rng = random.Random(1)
    for k in range(count):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            copy[off + rng.randrange(size)] = rng.randrange(256)
        with open('%s/mut%03d' % (out, k), 'wb') as f:
            f.write(copy)


if __name__ == '__main__':
    main()
