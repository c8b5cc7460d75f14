#!/usr/bin/env python3
"""Writes the small PNG/JPEG fixtures of ImageIOTests (run once; the outputs are committed).

PNGs are written by hand (zlib + CRC) so every colour type, bit depth, tRNS and Adam7
interlacing is covered exactly; JPEGs need Pillow (`scripts/python-env` has it).
The pixel values are formulas the Swift tests recompute. Usage:
    "$(scripts/python-env)" Tests/ImageIOTests/Fixtures/make_fixtures.py
"""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, bit_depth):
    """Samples (ints) of one row -> bytes, MSB first for sub-byte depths."""
    if bit_depth == 8:
        return bytes(samples)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    per_byte = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        group = samples[i:i + per_byte] + [0] * (per_byte - len(samples[i:i + per_byte]))
        b = 0
        for s in group:
            b = (b << bit_depth) | s
        out.append(b)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(name, width, height, color_type, bit_depth, pixel, plte=None, trns=None, interlace=False,
              header_size=None):
    """pixel(x, y) -> tuple of samples for one pixel. header_size overrides IHDR's width/height."""
    raw = bytearray()
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    for (x0, y0, dx, dy) in passes:
        xs = list(range(x0, width, dx))
        for y in range(y0, height, dy):
            if not xs:
                continue
            samples = []
            for x in xs:
                samples.extend(pixel(x, y))
            raw.append(0)  # filter type None
            raw.extend(pack_row(samples, bit_depth))
    w, h = header_size or (width, height)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0))
    if plte is not None:
        png += chunk(b"PLTE", b"".join(bytes(c) for c in plte))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(png)


def pngs():
    # Gray 8-bit, 4x3: v = 20 * (y * 4 + x)
    write_png("gray8.png", 4, 3, 0, 8, lambda x, y: (20 * (y * 4 + x),))
    # Gray 2-bit, 5x2: v = (x + y) % 4 -> 85 * v
    write_png("gray2.png", 5, 2, 0, 2, lambda x, y: ((x + y) % 4,))
    # Gray 16-bit, 3x2: v = 0x0101 * (40 * x + 100 * y)  (8-bit value 40x + 100y)
    write_png("gray16.png", 3, 2, 0, 16, lambda x, y: (0x0101 * (40 * x + 100 * y),))
    # Gray + alpha 8-bit, 3x1: black with alpha 255, 0, 102
    write_png("gray_alpha.png", 3, 1, 4, 8, lambda x, y: (0, (255, 0, 102)[x]))
    # Palette 4-bit, 4x2, no tRNS: index = (x + 2y) % 4
    pal = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
    write_png("palette.png", 4, 2, 3, 4, lambda x, y: ((x + 2 * y) % 4,), plte=pal)
    # Palette 8-bit with tRNS, 3x1: red opaque, green fully transparent, blue alpha 102
    write_png("palette_trns.png", 3, 1, 3, 8, lambda x, y: (x,), plte=pal[:3], trns=bytes([255, 0, 102]))
    # RGB 16-bit, 2x2: channel values 0x0101 * (x*200, y*150, 60)
    write_png("rgb16.png", 2, 2, 2, 16, lambda x, y: (0x0101 * (200 * x), 0x0101 * (150 * y), 0x0101 * 60))
    # RGBA 8-bit, 3x1: red alpha 255, green alpha 0, blue alpha 102
    write_png("rgba.png", 3, 1, 6, 8, lambda x, y: ((255, 0, 0, 255), (0, 255, 0, 0), (0, 0, 255, 102))[x])
    # RGBA 16-bit, 1x1: white alpha 0 -> white; not used further, colour type 6 depth 16
    write_png("rgba16.png", 2, 1, 6, 16, lambda x, y: ((0, 0, 0, 65535), (65535, 0, 0, 0))[x])
    # Adam7-interlaced RGB 8-bit, 9x7: (25x, 30y, 10(x+y))
    write_png("interlaced.png", 9, 7, 2, 8, lambda x, y: (25 * x, 30 * y, 10 * (x + y)), interlace=True)
    # A decompression bomb: IHDR claims 100000x100000, the data is one tiny row
    write_png("bomb.png", 1, 1, 2, 8, lambda x, y: (0, 0, 0), header_size=(100000, 100000))


def jpegs():
    from PIL import Image
    # 16x16 blocks (MCU-aligned) of flat colours, 32x16: left red, right blue.
    rgb = Image.new("RGB", (32, 16))
    for y in range(16):
        for x in range(32):
            rgb.putpixel((x, y), (220, 30, 40) if x < 16 else (30, 60, 200))
    rgb.save(os.path.join(HERE, "rgb.jpg"), quality=95, subsampling=0)
    rgb.save(os.path.join(HERE, "progressive.jpg"), quality=95, subsampling=0, progressive=True)
    # The same JPEG under a misleading name: sniffing must win over the extension.
    rgb.save(os.path.join(HERE, "really_a_jpeg.png"), format="JPEG", quality=95, subsampling=0)
    gray = Image.new("L", (16, 8))
    for y in range(8):
        for x in range(16):
            gray.putpixel((x, y), 50 if x < 8 else 200)
    gray.save(os.path.join(HERE, "gray.jpg"), quality=95)
    # CMYK 16x8: left (0, 255, 255, 0) = red, right (0, 0, 0, 128) = mid gray.
    cmyk = Image.new("CMYK", (16, 8))
    for y in range(8):
        for x in range(16):
            cmyk.putpixel((x, y), (0, 255, 255, 0) if x < 8 else (0, 0, 0, 128))
    cmyk.save(os.path.join(HERE, "cmyk.jpg"), quality=95)
    # A JPEG bomb: rgb.jpg with its SOF dimensions patched to 60000x60000.
    data = bytearray(open(os.path.join(HERE, "rgb.jpg"), "rb").read())
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", 60000, 60000)
            break
        i += 2 + length
    with open(os.path.join(HERE, "bomb.jpg"), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    pngs()
    jpegs()
    print("fixtures written to", HERE)
