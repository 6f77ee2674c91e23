"""Writes the PNG decoder's input files and the RGBA each should decode to.

Pillow writes the files it can; the rest (2- and 4-bit grey, 16-bit colour, every filter type,
interlacing, corrupt files) are assembled by hand. Every file Pillow can read is checked against
the expected RGBA here, so the fixtures agree with a second decoder. Run from this folder:
    python3 make_inputs.py
"""
import struct
import zlib

from PIL import Image

W, H = 7, 5


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width, height, depth, color_type, rows, filters=None, extra=b"", interlace=0, idat=None):
    """rows: list of raw scanline bytes (unfiltered); filters: per-row filter type."""
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, interlace)
    if idat is None:
        bpp = max(1, depth * {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type] // 8)
        raw = b""
        prev = bytes(len(rows[0]))
        for i, row in enumerate(rows):
            f = filters[i % len(filters)] if filters else 0
            raw += bytes([f]) + apply_filter(f, row, prev, bpp)
            prev = row
        idat = zlib.compress(raw)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def apply_filter(f, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 0:
            pred = 0
        elif f == 1:
            pred = a
        elif f == 2:
            pred = b
        elif f == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out.append((x - pred) & 0xFF)
    return bytes(out)


def pack(samples, depth):
    out, acc, bits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        bits += depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def save(name, data, rgba):
    with open(name + ".png", "wb") as f:
        f.write(data)
    if rgba is not None:
        with open(name + ".rgba", "wb") as f:
            f.write(bytes(v for px in rgba for v in px))
        check(name, rgba)


def save_pillow(name, image, rgba, **options):
    image.save(name + ".png", **options)
    with open(name + ".rgba", "wb") as f:
        f.write(bytes(v for px in rgba for v in px))
    check(name, rgba)


def check(name, rgba):
    image = Image.open(name + ".png")
    if image.mode.startswith("I;16") or image.mode == "I":
        return  # Pillow clips 16-bit grey instead of scaling it; the RGBA above is the reference.
    got = image.convert("RGBA").tobytes()
    assert got == bytes(v for px in rgba for v in px), name


coords = [(x, y) for y in range(H) for x in range(W)]

# Pillow-written files.
rgb = [((x * 40) % 256, (y * 60) % 256, (x * y * 13) % 256) for x, y in coords]
image = Image.new("RGB", (W, H))
image.putdata(rgb)
save_pillow("rgb8", image, [p + (255,) for p in rgb])

rgba = [((x * 40) % 256, (y * 60) % 256, 200, (x * 37 + y * 11) % 256) for x, y in coords]
image = Image.new("RGBA", (W, H))
image.putdata(rgba)
save_pillow("rgba8", image, rgba)

grey = [(x * 36 + y * 7) % 256 for x, y in coords]
image = Image.new("L", (W, H))
image.putdata(grey)
save_pillow("grey8", image, [(g, g, g, 255) for g in grey])

bits = [255 if (x + y) % 2 else 0 for x, y in coords]
image = Image.new("1", (W, H))
image.putdata(bits)
save_pillow("grey1", image, [(b, b, b, 255) for b in bits])

la = [((x * 36) % 256, (y * 50 + x * 9) % 256) for x, y in coords]
image = Image.new("LA", (W, H))
image.putdata(la)
save_pillow("greyalpha8", image, [(g, g, g, a) for g, a in la])

palette = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (255, 176, 0), (10, 20, 30)]
alphas = [255, 128, 0, 255, 64, 255]
indices = [(x + 2 * y) % len(palette) for x, y in coords]
image = Image.new("P", (W, H))
image.putpalette([c for p in palette for c in p])
image.putdata(indices)
save_pillow("palette4", image, [palette[i] + (255,) for i in indices])

# More than 16 entries make Pillow write 8-bit indices; tRNS shorter than the palette leaves the rest opaque.
wide = palette + [(i * 12, 255 - i * 12, 90) for i in range(14)]
wide_indices = [(x * 3 + y * 5) % len(wide) for x, y in coords]
image = Image.new("P", (W, H))
image.putpalette([c for p in wide for c in p])
image.putdata(wide_indices)
save_pillow("palette8_trns", image, [wide[i] + (alphas[i] if i < len(alphas) else 255,) for i in wide_indices], transparency=bytes(alphas))

two = [(x + y) % 2 for x, y in coords]
image = Image.new("P", (W, H))
image.putpalette([0, 0, 0, 255, 176, 0])
image.putdata(two)
save_pillow("palette1", image, [(0, 0, 0, 255) if i == 0 else (255, 176, 0, 255) for i in two], bits=1)

image = Image.new("L", (W, H))
image.putdata(grey)
save_pillow("grey8_trns", image, [(g, g, g, 0 if g == grey[3] else 255) for g in grey], transparency=grey[3])

image = Image.new("RGB", (W, H))
image.putdata(rgb)
save_pillow("rgb8_trns", image, [p + (0 if p == rgb[8] else 255,) for p in rgb], transparency=rgb[8])

grey16 = [(x * 9000 + y * 1000) % 65536 for x, y in coords]
image = Image.new("I;16", (W, H))
image.putdata(grey16)
save_pillow("grey16", image, [(g >> 8, g >> 8, g >> 8, 255) for g in grey16])

# Hand-assembled files.
for depth in (2, 4):
    top = (1 << depth) - 1
    samples = [(x + y) % (top + 1) for x, y in coords]
    rows = [pack(samples[y * W:(y + 1) * W], depth) for y in range(H)]
    value = [s * 255 // top for s in samples]
    save(f"grey{depth}", png(W, H, depth, 0, rows), [(v, v, v, 255) for v in value])

rgb16 = [((x * 9001) % 65536, (y * 13007) % 65536, (x * y * 3001) % 65536) for x, y in coords]
rows = [b"".join(struct.pack(">HHH", *rgb16[y * W + x]) for x in range(W)) for y in range(H)]
save("rgb16", png(W, H, 16, 2, rows, filters=[0, 1, 2, 3, 4]), [(r >> 8, g >> 8, b >> 8, 255) for r, g, b in rgb16])

rgba16 = [((x * 9001) % 65536, 1000, 60000, (x * 12000 + y * 3000) % 65536) for x, y in coords]
rows = [b"".join(struct.pack(">HHHH", *rgba16[y * W + x]) for x in range(W)) for y in range(H)]
save("rgba16", png(W, H, 16, 6, rows, filters=[4, 3, 2, 1, 0]), [(r >> 8, g >> 8, b >> 8, a >> 8) for r, g, b, a in rgba16])

# Rows 0..4 use filters None, Sub, Up, Average, Paeth; two rows per filter so Up/Paeth see a real previous row.
fw, fh = 9, 10
frgb = [((x * 31 + y * 17) % 256, (x * x * 7 + y) % 256, (255 - x * 20 - y * 9) % 256) for y in range(fh) for x in range(fw)]
rows = [bytes(v for px in frgb[y * fw:(y + 1) * fw] for v in px) for y in range(fh)]
save("filters", png(fw, fh, 8, 2, rows, filters=[0, 1, 2, 3, 4]), [p + (255,) for p in frgb])

# Files that must fail.
save("interlaced", png(W, H, 8, 2, [bytes(W * 3)] * H, interlace=1), None)
save("huge", png(20000, 20000, 8, 2, None, idat=zlib.compress(b"\x00" * 100)), None)
save("bomb", png(1000, 1000, 8, 0, None, idat=zlib.compress(b"\x00" * 50_000_000, 9)), None)
save("badfilter", png(W, H, 8, 0, None, idat=zlib.compress((b"\x07" + bytes(W)) * H)), None)
save("shortdata", png(W, H, 8, 0, None, idat=zlib.compress(b"\x00" * (W + 1))), None)

# Icons for the image widget's golden frames.
BUS = [
    "................",
    "..############..",
    ".##############.",
    ".#WWWWWWWWWWWW#.",
    ".#WWWWWWWWWWWW#.",
    ".#WWWWWWWWWWWW#.",
    ".#WWWWWWWWWWWW#.",
    ".##############.",
    ".##############.",
    ".#YY########YY#.",
    ".#YY########YY#.",
    ".##############.",
    "..############..",
    "..KK........KK..",
    "..KK........KK..",
    "................",
]
colors = {".": 0, "#": 1, "W": 2, "Y": 3, "K": 4}
image = Image.new("P", (16, 16))
image.putpalette([0, 0, 0, 0, 120, 255, 200, 230, 255, 255, 200, 0, 60, 60, 60])
image.putdata([colors[c] for row in BUS for c in row])
image.save("bus_palette.png", transparency=0)

size = 24
la = []
for y in range(size):
    for x in range(size):
        d = ((x - 11.5) ** 2 + (y - 11.5) ** 2) ** 0.5
        la.append((255, max(0, min(255, int(255 * (1 - abs(d - 8) / 4))))))
image = Image.new("LA", (size, size))
image.putdata(la)
image.save("ring_greyalpha.png")
