#!/usr/bin/env python3
"""Colours of a PNG screenshot, decoded with zlib alone (8-bit RGB or
RGBA, not interlaced: what Chromium writes).
  png_colours.py FILE [RRGGBB]
prints "distinct N" (colours in the picture) and, given a colour,
"pixels M" (how many pixels have exactly it)."""
import struct
import sys
import zlib


def rows(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("%s: not a PNG" % path)
    pos, idat, head = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, ctype, _, _, interlace = head
    if depth != 8 or ctype not in (2, 6) or interlace:
        sys.exit("%s: depth %d colour type %d interlace %d not handled"
                 % (path, depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev = bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        kind, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                cur[i] = (cur[i] + a) & 255
            elif kind == 2:
                cur[i] = (cur[i] + b) & 255
            elif kind == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                cur[i] = (cur[i] + pred) & 255
        yield [bytes(cur[x:x + 3]) for x in range(0, stride, bpp)]
        prev = cur


def main():
    want = bytes.fromhex(sys.argv[2]) if len(sys.argv) > 2 else None
    seen, hits = set(), 0
    for row in rows(sys.argv[1]):
        seen.update(row)
        if want:
            hits += row.count(want)
    print("distinct %d" % len(seen))
    if want:
        print("pixels %d" % hits)


main()
