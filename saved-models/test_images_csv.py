"""Prints the first N images of an IDX image file (gzipped) as CSV rows of pixel/255 values."""
import gzip
import struct
import sys

path, count = sys.argv[1], int(sys.argv[2])
with gzip.open(path, "rb") as f:
    magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
    assert magic == 0x803, f"{path} is not an IDX image file"
    for _ in range(min(count, n)):
        pixels = f.read(rows * cols)
        print(",".join(repr(p / 255.0) for p in pixels))
