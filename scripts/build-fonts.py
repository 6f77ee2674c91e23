#!/usr/bin/env python3
"""Regenerates the bundled fonts in Sources/TentacleRender/Fonts from Debian's packages.

Needs the Debian packages `unifont`, `xfonts-base` and `pcf2bdf`:

    apt-get install -y unifont xfonts-base pcf2bdf
    python3 scripts/build-fonts.py

Each font is written in the packed form TentacleRender loads (see PackedFont.swift):

    "TFNT", version u8 = 1, reserved u8, ascent i16, descent i16, block count u16,
    then per block (256 code points): block u16, reserved u16, offset u32,
    compressed length u32, raw length u32 (little endian), then the zlib chunks.

A chunk holds a 32-byte presence bitmap (bit n of byte n/8, least significant first),
then for each present code point in order: width u8, height u8, x offset i8, y offset i8,
advance u8 and `height` rows of ceil(width / 8) bytes, most significant bit leftmost.
Blocks are compressed separately so a renderer inflates only the blocks its text uses.
"""

import os
import struct
import subprocess
import sys
import tempfile
import zlib

MISC_FIXED = "/usr/share/fonts/X11/misc"
UNIFONT_HEX = "/usr/share/unifont/unifont.hex"
LATIN_FONTS = ["5x8", "6x13", "9x18"]
# Unifont's cells are 16 rows with the baseline two rows above the bottom.
UNIFONT_ASCENT = 14
UNIFONT_DESCENT = 2


def parse_bdf(path):
    ascent = descent = None
    glyphs = {}
    with open(path, encoding="latin-1") as f:
        lines = iter(f.read().splitlines())
    for line in lines:
        words = line.split()
        if not words:
            continue
        if words[0] == "FONT_ASCENT":
            ascent = int(words[1])
        elif words[0] == "FONT_DESCENT":
            descent = int(words[1])
        elif words[0] == "STARTCHAR":
            code = advance = bbx = None
            rows = []
            for line in lines:
                words = line.split()
                if words[0] == "ENCODING":
                    code = int(words[1])
                elif words[0] == "DWIDTH":
                    advance = int(words[1])
                elif words[0] == "BBX":
                    bbx = [int(w) for w in words[1:5]]
                elif words[0] == "BITMAP":
                    rows = [bytes.fromhex(next(lines).strip()) for _ in range(bbx[1])]
                elif words[0] == "ENDCHAR":
                    break
            if code is not None and code >= 0:
                width, height, xoff, yoff = bbx
                glyphs[code] = (width, height, xoff, yoff, advance, rows)
    return ascent, descent, glyphs


def parse_hex(path):
    glyphs = {}
    with open(path) as f:
        for line in f:
            code, bits = line.strip().split(":")
            data = bytes.fromhex(bits)
            width = len(data) // 16 * 8
            step = width // 8
            rows = [data[i:i + step] for i in range(0, len(data), step)]
            glyphs[int(code, 16)] = (width, 16, 0, -UNIFONT_DESCENT, width, rows)
    return UNIFONT_ASCENT, UNIFONT_DESCENT, glyphs


def pack(ascent, descent, glyphs):
    blocks = {}
    for code in sorted(glyphs):
        blocks.setdefault(code >> 8, []).append(code)
    chunks = []
    for block, codes in sorted(blocks.items()):
        presence = bytearray(32)
        body = bytearray()
        for code in codes:
            low = code & 0xFF
            presence[low >> 3] |= 1 << (low & 7)
            width, height, xoff, yoff, advance, rows = glyphs[code]
            step = (width + 7) // 8
            body += struct.pack("<BBbbB", width, height, xoff, yoff, advance)
            for row in rows:
                body += row[:step].ljust(step, b"\0")
        raw = bytes(presence) + bytes(body)
        chunks.append((block, zlib.compress(raw, 9), len(raw)))
    header = b"TFNT" + struct.pack("<BBhhH", 1, 0, ascent, descent, len(chunks))
    offset = len(header) + 16 * len(chunks)
    index = bytearray()
    for block, data, raw_length in chunks:
        index += struct.pack("<HHIII", block, 0, offset, len(data), raw_length)
        offset += len(data)
    return header + bytes(index) + b"".join(data for _, data, _ in chunks)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "Sources", "TentacleRender", "Fonts")
    os.makedirs(out, exist_ok=True)
    fonts = {"unifont": parse_hex(UNIFONT_HEX)}
    with tempfile.TemporaryDirectory() as tmp:
        for name in LATIN_FONTS:
            bdf = os.path.join(tmp, name + ".bdf")
            subprocess.run(["pcf2bdf", "-o", bdf, os.path.join(MISC_FIXED, name + ".pcf.gz")], check=True)
            fonts[name] = parse_bdf(bdf)
    for name, (ascent, descent, glyphs) in fonts.items():
        data = pack(ascent, descent, glyphs)
        with open(os.path.join(out, name + ".tfnt"), "wb") as f:
            f.write(data)
        print(f"{name}: {len(glyphs)} glyphs, {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
