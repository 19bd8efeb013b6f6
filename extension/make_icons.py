"""Draw the extension's toolbar icons (icons/icon-{16,32,48,128}.png) with the standard library only.

Two overlapping pages (a page and its copy) on a dark rounded square, the copy's corner in red. Shapes are
drawn at 4x and averaged down, so edges are smooth at every size.

    python extension/make_icons.py
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
SCALE = 4
DARK = (29, 35, 43)
PAGE = (246, 247, 249)
COPY = (207, 214, 224)
RED = (192, 57, 43)


def _inside_rounded(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(u: float, v: float) -> tuple[int, int, int, int]:
    """The icon's colour at (u, v) in 0..1 coordinates, RGBA."""
    if not _inside_rounded(u, v, 0.0, 0.0, 1.0, 1.0, 0.2):
        return (0, 0, 0, 0)
    if _inside_rounded(u, v, 0.40, 0.32, 0.86, 0.88, 0.05):  # the copy, in front
        if u > 0.70 and v < 0.48:
            return (*RED, 255)
        if 0.48 < u < 0.78 and any(abs(v - line) < 0.025 for line in (0.56, 0.66, 0.76)):
            return (*DARK, 255)
        return (*COPY, 255)
    if _inside_rounded(u, v, 0.14, 0.12, 0.60, 0.68, 0.05):  # the original, behind
        if 0.22 < u < 0.36 and any(abs(v - line) < 0.025 for line in (0.26, 0.36, 0.46)):
            return (*DARK, 255)
        return (*PAGE, 255)
    return (*DARK, 255)


def render(size: int) -> bytes:
    rows = []
    n = size * SCALE
    for y in range(size):
        row = bytearray([0])  # PNG filter: none
        for x in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SCALE):
                for sx in range(SCALE):
                    r, g, b, a = colour_at((x * SCALE + sx + 0.5) / n, (y * SCALE + sy + 0.5) / n)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            alpha = acc[3] / (SCALE * SCALE)
            rgb = [round(c / acc[3]) if acc[3] else 0 for c in acc[:3]]
            row += bytes([*rgb, round(alpha)])
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    out = Path(__file__).resolve().parent / "icons"
    out.mkdir(exist_ok=True)
    for size in SIZES:
        (out / f"icon-{size}.png").write_bytes(render(size))
        print("wrote", out / f"icon-{size}.png")


if __name__ == "__main__":
    main()
